//! The relay writing into a document as the server, from the HTTP API (see `actor::server_write`).

use dealflow_core::UserId;
use dealflow_core::sync::DocumentId;
use tokio::sync::oneshot;

use super::Relay;
use super::actor::{DocCommand, ServerWrite, ServerWriteFn};
use crate::error::AppError;
use crate::storage::DocumentRecord;

impl Relay {
    /// Writes into `document` as the server, naming `by` (who asked for the decision) in the
    /// change, and returns once the change is durable and handed to the connected peers. A
    /// document that is not registered is registered with `register` first, or is
    /// `document_unavailable` without one.
    pub(crate) async fn write_as_server(
        &self,
        document: DocumentId,
        by: UserId,
        summary: String,
        register: Option<DocumentRecord>,
        write: ServerWriteFn,
    ) -> Result<(), AppError> {
        let handle = self.attach(document);
        let (reply, answer) = oneshot::channel();
        let request = ServerWrite {
            by,
            summary,
            register,
            write,
            reply,
        };
        let result = match handle.sender.send(DocCommand::Write(request)).await {
            Ok(()) => answer.await.unwrap_or_else(|_| {
                Err(AppError::Internal {
                    detail: "the document actor stopped before answering".to_owned(),
                })
            }),
            Err(_) => Err(AppError::Internal {
                detail: "the document actor is gone".to_owned(),
            }),
        };
        self.detach(document);
        result
    }
}
