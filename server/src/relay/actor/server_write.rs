//! Writes the relay makes into a document as itself, after deciding an exclusive action that is
//! not about the document's record (a quote's state in its deal, a pool's leads): applied by the
//! document's actor like any change, persisted before it is synced to the connected peers.

use dealflow_core::automerge::AutomergeError;
use dealflow_core::{Timestamp, UserId, relay_commit_options};
use tokio::sync::oneshot;

use super::{DocActor, guarded, now_millis};
use crate::error::AppError;
use crate::storage::DocumentRecord;

/// What the relay writes: a function of the document's transaction. Any error rolls the write
/// back.
pub(crate) type ServerWriteFn = Box<
    dyn FnOnce(
            &mut dealflow_core::automerge::transaction::Transaction<'_>,
        ) -> Result<(), dealflow_core::DocError>
        + Send,
>;

/// A write the relay makes as the server.
pub(crate) struct ServerWrite {
    /// Who asked for the decision being written (named in the change's message).
    pub(crate) by: UserId,
    /// The change's summary.
    pub(crate) summary: String,
    /// For a document the relay creates (a pool's): its record, registered if absent.
    pub(crate) register: Option<DocumentRecord>,
    /// The write.
    pub(crate) write: ServerWriteFn,
    /// The answer, once the change is durable and handed to the peers.
    pub(crate) reply: oneshot::Sender<Result<(), AppError>>,
}

impl std::fmt::Debug for ServerWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerWrite")
            .field("by", &self.by)
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

impl DocActor {
    pub(super) async fn server_write(&mut self, request: ServerWrite) {
        let ServerWrite {
            by,
            summary,
            register,
            write,
            reply,
        } = request;
        self.flush().await;
        let result = self.write_as_server(&by, &summary, register, write).await;
        let _ = reply.send(result);
    }

    async fn write_as_server(
        &mut self,
        by: &UserId,
        summary: &str,
        register: Option<DocumentRecord>,
        write: ServerWriteFn,
    ) -> Result<(), AppError> {
        let unavailable = || AppError::DocumentUnavailable {
            document: self.id.to_string(),
        };
        if self.record.is_none() {
            let record = register.ok_or_else(unavailable)?;
            let stored = self.relay.shared.records.register_document(record).await?;
            self.record = Some(stored);
        }
        let Some(sync) = self.sync.as_mut() else {
            return Err(AppError::Internal {
                detail: format!("document {} cannot be loaded to write into it", self.id),
            });
        };
        let options = relay_commit_options(by, Timestamp::from_millis(now_millis()), summary);
        let mut failure = None;
        let written = guarded(|| {
            sync.change_with(options, |tx| {
                write(tx).map_err(|error| {
                    failure = Some(error);
                    AutomergeError::Fail
                })
            })
        });
        let mut step = match written {
            Some(Ok(((), step))) => step,
            Some(Err(error)) => {
                return Err(AppError::Internal {
                    detail: format!(
                        "cannot write into document {}: {error} ({failure:?})",
                        self.id
                    ),
                });
            }
            None => {
                self.reload().await;
                return Err(AppError::Internal {
                    detail: format!("writing into document {} panicked", self.id),
                });
            }
        };
        step.merge(self.reconcile());
        self.commit_and_send(step, None).await;
        tracing::info!(document = %self.id, by = %by, summary, "wrote a decision into a document");
        Ok(())
    }
}
