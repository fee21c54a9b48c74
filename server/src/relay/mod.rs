//! The sync relay: WebSocket connections speaking the automerge-repo protocol (through core's
//! `Connection`), and one task per loaded document (a *document actor*) that owns the document's
//! `DocSync`, decides who may sync it, persists every step before sending it, and arbitrates
//! exclusive actions on the document's record.
//!
//! ```text
//! socket ─▶ connection task (rate limit, handshake, routing) ─▶ bounded channel ─▶ document actor
//!    ▲                                                                               │ access()
//!    └── writer task ◀── bounded outbox (try_send; full = shed) ◀── send after COMMIT ◀─┘ put_batch
//! ```
//!
//! - Documents load lazily on first request and unload when no connection has them open and
//!   they have been idle for a while; compaction runs when a document goes quiet.
//! - Nothing is announced: a connection syncs only documents it asked for or sent.
//! - Unknown and forbidden documents get the same `doc-unavailable`, and a forbidden user is
//!   never a peer of the document, so no byte of it reaches them.
//! - The registry below is touched once per (connection, document) when a connection first
//!   opens a document, never per message: messages go straight down the cached channel.

mod actor;
mod connection;
mod link;
mod rate;
mod write;

pub use connection::{ConnectionConfig, serve};

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use dealflow_core::sync::{DocumentId, PeerId, SessionId};
use dealflow_core::{DealRole, OwnershipChange, UserId};
use tokio::sync::{mpsc, oneshot, watch};

use self::actor::{ActorExit, DocCommand};
use crate::config::Limits;
use crate::directory::Directory;
use crate::error::AppError;
use crate::observability::metrics::SyncMetrics;
use crate::storage::{DocumentRecord, Records, Storage};

/// How many commands may wait for one document actor before senders wait.
const DOC_QUEUE: usize = 256;

/// The relay's shared state: the registry of loaded documents and what every actor needs.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct Relay {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    storage: Arc<dyn Storage>,
    records: Arc<dyn Records>,
    directory: Arc<Directory>,
    limits: Limits,
    sync_limits: dealflow_core::sync::Limits,
    peer_id: PeerId,
    session_id: SessionId,
    notice_count: AtomicU64,
    next_connection: AtomicU64,
    next_generation: AtomicU64,
    idle_unload: Duration,
    quiet_compaction: Duration,
    metrics: SyncMetrics,
    documents: Mutex<HashMap<DocumentId, DocEntry>>,
    /// Flips to `true` on shutdown; every connection's read loop watches it.
    shutdown: watch::Sender<bool>,
}

#[derive(Debug)]
struct DocEntry {
    sender: mpsc::Sender<DocCommand>,
    generation: u64,
    /// Connections (and HTTP decisions) that have the document open. An actor unloads only when
    /// this is zero and its queue is empty, checked under the registry lock, so nothing can be
    /// sent to an actor that has decided to stop.
    attached: usize,
}

/// A document opened through the registry; [`Relay::detach`] it when done.
#[derive(Clone, Debug)]
pub(crate) struct DocHandle {
    pub(crate) sender: mpsc::Sender<DocCommand>,
}

impl Relay {
    /// A relay over `storage` and `records`, deciding access from `directory`, within `limits`.
    pub fn new(
        storage: Arc<dyn Storage>,
        records: Arc<dyn Records>,
        directory: Arc<Directory>,
        limits: Limits,
    ) -> Self {
        let mut random = [0u8; 8];
        // Without randomness the ids are merely less unique across restarts.
        let _ = getrandom_03::fill(&mut random);
        let suffix: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        let peer_id = PeerId::new(format!("dealflow-relay-{suffix}"))
            .unwrap_or_else(|_| PeerId::new("dealflow-relay").expect("a valid peer id"));
        let session_id = SessionId::new(suffix)
            .unwrap_or_else(|_| SessionId::new("dealflow-relay").expect("a valid session id"));
        let sync_limits = dealflow_core::sync::Limits {
            max_frame_bytes: limits.max_message_bytes,
            max_stored_bytes: limits.max_document_bytes,
            max_inflated_bytes: limits.max_decompressed_bytes,
            ..dealflow_core::sync::Limits::default()
        };
        Relay {
            shared: Arc::new(Shared {
                storage,
                records,
                directory,
                limits,
                sync_limits,
                peer_id,
                session_id,
                notice_count: AtomicU64::new(0),
                next_connection: AtomicU64::new(1),
                next_generation: AtomicU64::new(1),
                idle_unload: Duration::from_secs(30),
                quiet_compaction: Duration::from_secs(2),
                metrics: SyncMetrics::new(),
                documents: Mutex::new(HashMap::new()),
                shutdown: watch::channel(false).0,
            }),
        }
    }

    /// The relay's own peer id (fresh on every start).
    pub fn peer_id(&self) -> &PeerId {
        &self.shared.peer_id
    }

    /// The records access is decided from.
    pub fn records(&self) -> &Arc<dyn Records> {
        &self.shared.records
    }

    /// How many documents are loaded now.
    pub fn loaded_documents(&self) -> usize {
        self.documents().len()
    }

    /// Closes every connection ("going away") and waits, at most `grace`, until every document
    /// has handled what its connections sent: nothing acknowledged is lost, and storage can be
    /// closed afterwards.
    pub async fn shutdown(&self, grace: Duration) {
        self.shared.shutdown.send_replace(true);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            let busy = {
                let documents = self.documents();
                documents
                    .values()
                    .any(|entry| entry.attached > 0 || entry.sender.capacity() < DOC_QUEUE)
            };
            if !busy || tokio::time::Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Decides an exclusive change to a document's record in a storage transaction, then writes
    /// it into the document as `by` so that connected peers receive it. Unknown documents and
    /// documents `by` may not see are both `document_unavailable`.
    pub async fn decide(
        &self,
        document: DocumentId,
        by: UserId,
        change: OwnershipChange,
        role: DealRole,
    ) -> Result<DocumentRecord, AppError> {
        let handle = self.attach(document);
        let (reply, answer) = oneshot::channel();
        let sent = handle
            .sender
            .send(DocCommand::Decide {
                by,
                change,
                role,
                reply,
            })
            .await;
        let result = match sent {
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

    /// The record of a document `user` may see; `None` for unknown and forbidden alike.
    pub async fn record_for(
        &self,
        document: DocumentId,
        user: &UserId,
    ) -> Result<Option<(DocumentRecord, dealflow_core::Access)>, AppError> {
        let Some(record) = self.shared.records.document(document).await? else {
            return Ok(None);
        };
        let decision = dealflow_core::access(
            self.shared.directory.organisation(),
            user,
            &record.descriptor(),
        );
        Ok(decision.can_read().then_some((record, decision.access)))
    }

    /// Opens `document`, starting its actor if it is not loaded (or its actor died).
    pub(crate) fn attach(&self, document: DocumentId) -> DocHandle {
        let mut documents = self.documents();
        if let Some(entry) = documents.get_mut(&document)
            && !entry.sender.is_closed()
        {
            entry.attached += 1;
            return DocHandle {
                sender: entry.sender.clone(),
            };
        }
        let generation = self.shared.next_generation.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = mpsc::channel(DOC_QUEUE);
        documents.insert(
            document,
            DocEntry {
                sender: sender.clone(),
                generation,
                attached: 1,
            },
        );
        drop(documents);
        let relay = self.clone();
        tokio::spawn(async move {
            relay.shared.metrics.documents_loaded.increment(1.0);
            let exit = actor::run(relay.clone(), document, generation, receiver).await;
            relay.shared.metrics.documents_loaded.decrement(1.0);
            if exit == ActorExit::Crashed {
                // A panic outside the guarded document calls: forget the actor so the next
                // attach loads the document afresh from storage.
                relay.forget(document, generation);
            }
        });
        DocHandle { sender }
    }

    /// Closes a document opened with [`Relay::attach`].
    pub(crate) fn detach(&self, document: DocumentId) {
        if let Some(entry) = self.documents().get_mut(&document) {
            entry.attached = entry.attached.saturating_sub(1);
        }
    }

    /// Called by an idle actor: removes it from the registry if nothing has it open and nothing
    /// waits in its queue. Returns whether it may stop.
    fn try_unload(
        &self,
        document: DocumentId,
        generation: u64,
        receiver: &mpsc::Receiver<DocCommand>,
    ) -> bool {
        let mut documents = self.documents();
        match documents.get(&document) {
            Some(entry) if entry.generation == generation => {
                if entry.attached > 0 || !receiver.is_empty() {
                    return false;
                }
                documents.remove(&document);
                true
            }
            // Replaced or forgotten: nobody can reach this actor any more.
            _ => receiver.is_empty(),
        }
    }

    fn forget(&self, document: DocumentId, generation: u64) {
        let mut documents = self.documents();
        if documents
            .get(&document)
            .is_some_and(|entry| entry.generation == generation)
        {
            documents.remove(&document);
        }
    }

    fn documents(&self) -> MutexGuard<'_, HashMap<DocumentId, DocEntry>> {
        // Every critical section leaves the map consistent, so a poisoned lock is still usable.
        self.shared
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn next_connection_peer(&self) -> PeerId {
        let number = self.shared.next_connection.fetch_add(1, Ordering::Relaxed);
        PeerId::new(format!("{}-c{number}", self.shared.peer_id))
            .unwrap_or_else(|_| self.shared.peer_id.clone())
    }

    fn next_notice_count(&self) -> u64 {
        self.shared.notice_count.fetch_add(1, Ordering::Relaxed) + 1
    }

    #[cfg(test)]
    fn with_timings(mut self, idle_unload: Duration, quiet_compaction: Duration) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.idle_unload = idle_unload;
            shared.quiet_compaction = quiet_compaction;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    //! The socket loop driven without a socket (axum `examples/testing-websockets`): channels
    //! stand in for the WebSocket, core's `SyncClient` for the browser.

    use std::convert::Infallible;

    use axum::extract::ws::Message;
    use dealflow_core::automerge::ROOT;
    use dealflow_core::automerge::transaction::Transactable;
    use dealflow_core::sync::{DocumentStatus, Limits as SyncLimits, SyncClient};

    use super::*;
    use crate::storage::MemoryStorage;

    struct Client {
        sync: SyncClient,
        to_server: mpsc::Sender<Message>,
        from_server: mpsc::Receiver<Message>,
        close_code: Option<u16>,
    }

    fn relay() -> Relay {
        let storage = Arc::new(MemoryStorage::default());
        Relay::new(
            Arc::clone(&storage) as Arc<dyn Storage>,
            storage as Arc<dyn Records>,
            Arc::new(Directory::demo()),
            Limits::default(),
        )
    }

    async fn connect(relay: &Relay, user: &str) -> Client {
        let (to_server, server_in) = mpsc::channel::<Message>(64);
        let (server_out, from_server) = mpsc::channel::<Message>(64);
        let stream = futures_util::stream::unfold(server_in, |mut receiver| async move {
            receiver
                .recv()
                .await
                .map(|message| (Ok::<_, Infallible>(message), receiver))
        });
        let sink = futures_util::sink::unfold(server_out, |sender, message: Message| async move {
            sender.send(message).await.map_err(|_| "closed")?;
            Ok::<_, &str>(sender)
        });
        let config = ConnectionConfig {
            user: UserId::new(user).unwrap(),
            expires_at: u64::MAX / 2,
        };
        tokio::spawn(serve(
            relay.clone(),
            config,
            Box::pin(sink),
            Box::pin(stream),
        ));
        let mut client = Client {
            sync: SyncClient::new(
                PeerId::new(format!("{user}-browser")).unwrap(),
                dealflow_core::sync::PeerMetadata::default(),
                SessionId::new("s").unwrap(),
                SyncLimits::default(),
            ),
            to_server,
            from_server,
            close_code: None,
        };
        let join = client.sync.connect();
        client.send(vec![join]).await;
        client.pump(|client| client.server().is_some()).await;
        client
    }

    impl Client {
        async fn send(&self, frames: Vec<Vec<u8>>) {
            for frame in frames {
                let _ = self.to_server.send(Message::Binary(frame.into())).await;
            }
        }

        async fn pump(&mut self, done: impl Fn(&SyncClient) -> bool) -> bool {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
            while !done(&self.sync) {
                match tokio::time::timeout_at(deadline, self.from_server.recv()).await {
                    Ok(Some(Message::Binary(bytes))) => {
                        if let Ok(step) = self.sync.on_frame(&bytes) {
                            self.send(step.send).await;
                        }
                    }
                    Ok(Some(Message::Close(frame))) => {
                        self.close_code = frame.map(|frame| frame.code);
                        return false;
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => return false,
                }
            }
            true
        }
    }

    #[tokio::test]
    async fn a_panic_drops_only_the_offending_connection_and_the_document_is_reloaded() {
        let relay = relay();
        let id = DocumentId::from_random_bytes([7; 16]);
        let mut rep = connect(&relay, "zhang-wei").await;
        let ((), step) = rep
            .sync
            .create(id, |tx| tx.put(ROOT, "type", "deal"))
            .unwrap();
        rep.send(step.send).await;
        assert!(rep.pump(|client| client.in_sync(id)).await);
        let mut manager = connect(&relay, "wang-fang").await;
        let step = manager.sync.find(id);
        manager.send(step.send).await;
        assert!(
            manager
                .pump(|client| client.status(id) == Some(DocumentStatus::Ready))
                .await
        );

        // Let the exchange settle, so that the next message is the rep's edit.
        assert!(manager.pump(|client| client.in_sync(id)).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let handle = relay.attach(id);
        handle
            .sender
            .send(DocCommand::PanicOnNextMessage)
            .await
            .unwrap();
        relay.detach(id);
        let ((), step) = rep.sync.change(id, |tx| tx.put(ROOT, "x", 1)).unwrap();
        rep.send(step.send).await;
        assert!(!rep.pump(|_| false).await);
        assert_eq!(rep.close_code, Some(link::code::SERVER_ERROR));

        // The other peer keeps syncing with the reloaded document.
        let ((), step) = manager.sync.change(id, |tx| tx.put(ROOT, "y", 2)).unwrap();
        manager.send(step.send).await;
        assert!(manager.pump(|client| client.in_sync(id)).await);
    }

    #[tokio::test]
    async fn idle_documents_unload_and_load_again_on_demand() {
        let relay = relay().with_timings(Duration::from_millis(50), Duration::from_millis(10));
        let id = DocumentId::from_random_bytes([8; 16]);
        let mut rep = connect(&relay, "zhang-wei").await;
        let ((), step) = rep
            .sync
            .create(id, |tx| tx.put(ROOT, "type", "deal"))
            .unwrap();
        rep.send(step.send).await;
        assert!(rep.pump(|client| client.in_sync(id)).await);
        assert_eq!(relay.loaded_documents(), 1);
        drop(rep);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while relay.loaded_documents() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(relay.loaded_documents(), 0, "the document unloaded");
        let mut manager = connect(&relay, "wang-fang").await;
        let step = manager.sync.find(id);
        manager.send(step.send).await;
        assert!(
            manager
                .pump(|client| client.status(id) == Some(DocumentStatus::Ready))
                .await
        );
    }
}
