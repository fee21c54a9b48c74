//! One WebSocket connection: a read loop (rate limit, core's handshake, routing to document
//! actors) and a writer task draining the connection's bounded outbox.
//!
//! Both are generic over `Sink`/`Stream` of axum WebSocket messages (axum
//! `examples/testing-websockets`), so they can be driven without a socket in tests.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::ws::{CloseFrame, Message};
use dealflow_core::UserId;
use dealflow_core::sync::{
    Connection, ConnectionEvent, DocumentId, PeerMetadata, RejectionNotice, WireMessage,
};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{mpsc, watch};

use super::actor::DocCommand;
use super::link::{Close, ConnectionLink, Outbound, code, truncate};
use super::rate::TokenBucket;
use super::{DocHandle, Relay};

/// Frames that may wait for one connection's writer before the connection counts as a slow
/// consumer and is shed.
const OUTBOX: usize = 1024;
/// How long the loops wait for a stuck peer or actor while closing.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Bytes that may wait for one connection's writer, in multiples of the largest message a
/// client may send: with the frame cap above, a slow consumer holds at most this much memory.
const OUTBOX_MESSAGES_OF_BYTES: usize = 4;

/// Who is on the other end of a connection.
#[derive(Clone, Debug)]
pub struct ConnectionConfig {
    /// The authenticated user the connection is bound to.
    pub user: UserId,
    /// When their token expires (seconds since the epoch): the connection is closed then.
    pub expires_at: u64,
}

/// Serves one upgraded connection until it closes.
pub async fn serve<W, R, E>(relay: Relay, config: ConnectionConfig, sink: W, stream: R)
where
    W: Sink<Message> + Unpin + Send + 'static,
    R: Stream<Item = Result<Message, E>> + Unpin + Send,
    E: std::fmt::Display,
{
    let metrics = relay.shared.metrics.clone();
    metrics.connections_total.increment(1);
    metrics.connections_open.increment(1.0);
    let (closer, _) = watch::channel(None);
    let closer = Arc::new(closer);
    let (outbox, queued) = mpsc::channel(OUTBOX);
    let queued_bytes = Arc::new(AtomicUsize::new(0));
    let mut writer = tokio::spawn(write_loop(
        sink,
        queued,
        Arc::clone(&queued_bytes),
        closer.subscribe(),
        Arc::clone(&closer),
        relay.clone(),
    ));
    let mut reader = Reader::new(relay, config, outbox, queued_bytes, Arc::clone(&closer));
    reader.read_loop(stream).await;
    reader.detach_all().await;
    drop(reader);
    // The writer has its own close timeouts; past them (a peer that stopped reading) it is
    // dropped with its queue and socket, so a stuck connection holds no memory.
    if tokio::time::timeout(CLOSE_TIMEOUT * 3, &mut writer)
        .await
        .is_err()
    {
        tracing::debug!("the writer did not finish closing in time");
        writer.abort();
    }
    metrics.connections_open.decrement(1.0);
}

struct Reader {
    relay: Relay,
    user: UserId,
    expires_at: tokio::time::Instant,
    connection: Connection,
    link: Option<Arc<ConnectionLink>>,
    documents: HashMap<DocumentId, DocHandle>,
    bucket: TokenBucket,
    outbox: mpsc::Sender<Outbound>,
    queued_bytes: Arc<AtomicUsize>,
    closer: Arc<watch::Sender<Option<Close>>>,
    shutdown: watch::Receiver<bool>,
}

impl Reader {
    fn new(
        relay: Relay,
        config: ConnectionConfig,
        outbox: mpsc::Sender<Outbound>,
        queued_bytes: Arc<AtomicUsize>,
        closer: Arc<watch::Sender<Option<Close>>>,
    ) -> Self {
        let limits = relay.shared.limits;
        let connection = Connection::accept(relay.shared.peer_id.clone(), PeerMetadata::default())
            .with_limits(relay.shared.sync_limits);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let expires_at = tokio::time::Instant::now()
            + Duration::from_secs(config.expires_at.saturating_sub(now));
        Reader {
            user: config.user,
            expires_at,
            connection,
            link: None,
            documents: HashMap::new(),
            bucket: TokenBucket::new(
                limits.rate_limit_per_second,
                limits.rate_limit_burst,
                Instant::now(),
            ),
            outbox,
            queued_bytes,
            closer,
            shutdown: relay.shared.shutdown.subscribe(),
            relay,
        }
    }

    async fn read_loop<R, E>(&mut self, mut stream: R)
    where
        R: Stream<Item = Result<Message, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut closed = self.closer.subscribe();
        loop {
            let frame = tokio::select! {
                biased;
                _ = closed.changed() => return,
                _ = self.shutdown.changed() => {
                    self.close(Close {
                        code: 1001,
                        reason: "the server is shutting down: reconnect shortly".to_owned(),
                        error_frame: None,
                        rejected: None,
                    });
                    return;
                }
                () = tokio::time::sleep_until(self.expires_at) => {
                    self.refuse(code::POLICY, "expired_token", "the token has expired: sign in again".to_owned());
                    return;
                }
                frame = stream.next() => frame,
            };
            match frame {
                None | Some(Ok(Message::Close(_))) => {
                    self.close(Close::normal());
                    return;
                }
                Some(Err(error)) => {
                    let message = error.to_string();
                    if message.contains("too long") || message.contains("Space limit") {
                        self.refuse(
                            code::TOO_BIG,
                            "too_big",
                            format!(
                                "message larger than {} bytes: send smaller changes",
                                self.relay.shared.limits.max_message_bytes
                            ),
                        );
                    } else {
                        tracing::debug!(%message, "the connection failed");
                        self.close(Close::normal());
                    }
                    return;
                }
                Some(Ok(Message::Text(_))) => {
                    self.refuse(
                        code::UNSUPPORTED,
                        "text_frame",
                        "text frames are not part of the protocol: send binary CBOR frames"
                            .to_owned(),
                    );
                    return;
                }
                Some(Ok(Message::Binary(bytes))) => {
                    let received_at = Instant::now();
                    let metrics = &self.relay.shared.metrics;
                    metrics.messages_received.increment(1);
                    metrics.bytes_received.increment(bytes.len() as u64);
                    if let Some(wait) = self.bucket.take(received_at) {
                        metrics.throttled.increment(1);
                        tokio::time::sleep(wait).await;
                    }
                    if !self.on_frame(&bytes, received_at).await {
                        return;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            }
        }
    }

    /// Handles one binary frame; `false` once the connection is to close.
    async fn on_frame(&mut self, bytes: &[u8], received_at: Instant) -> bool {
        let max = self.relay.shared.limits.max_message_bytes;
        if bytes.len() > max {
            self.refuse(
                code::TOO_BIG,
                "too_big",
                format!(
                    "message of {} bytes is over the {max}-byte limit: send smaller changes",
                    bytes.len()
                ),
            );
            return false;
        }
        let event = match self.connection.on_frame(bytes) {
            Ok(event) => event,
            Err(rejection) => {
                let label = match rejection.reason {
                    dealflow_core::sync::SyncError::FrameTooLarge { .. } => "too_big",
                    dealflow_core::sync::SyncError::ProtocolViolation { .. }
                    | dealflow_core::sync::SyncError::UnsupportedProtocolVersion { .. } => {
                        "protocol"
                    }
                    _ => "malformed",
                };
                tracing::info!(user = %self.user, reason = %rejection.reason, "refused a frame");
                self.close(Close {
                    code: code::POLICY,
                    reason: truncate(rejection.reason.to_string(), 120),
                    error_frame: Some(rejection.error_frame),
                    rejected: Some(label),
                });
                return false;
            }
        };
        match event {
            ConnectionEvent::Established { peer, reply, .. } => {
                // A second join on the same connection starts a new session: every document
                // starts over from a fresh sync state.
                self.detach_all().await;
                self.link = Some(Arc::new(ConnectionLink {
                    peer: self.relay.next_connection_peer(),
                    remote: peer,
                    user: self.user.clone(),
                    outbox: self.outbox.clone(),
                    queued_bytes: Arc::clone(&self.queued_bytes),
                    max_queued_bytes: self
                        .relay
                        .shared
                        .limits
                        .max_message_bytes
                        .saturating_mul(OUTBOX_MESSAGES_OF_BYTES),
                    closer: Arc::clone(&self.closer),
                }));
                if let Some(reply) = reply {
                    self.queue(reply);
                }
                true
            }
            ConnectionEvent::Document {
                document_id,
                message,
            } => {
                self.route(document_id, message, received_at).await;
                true
            }
            ConnectionEvent::Leave => {
                self.close(Close::normal());
                false
            }
            ConnectionEvent::RemoteError { message } => {
                tracing::info!(user = %self.user, %message, "the client reported an error");
                self.close(Close::normal());
                false
            }
            _ => true,
        }
    }

    async fn route(&mut self, document: DocumentId, message: WireMessage, received_at: Instant) {
        let Some(link) = self.link.clone() else {
            return;
        };
        if let WireMessage::Ephemeral { sender_id, .. } = &message
            && sender_id != &link.remote
        {
            // Clients talk to the relay directly: a presence message is always their own.
            self.relay.shared.metrics.rejected("spoofed_ephemeral");
            return;
        }
        if !self.documents.contains_key(&document) {
            if self.documents.len() >= self.relay.shared.limits.max_documents_per_connection {
                self.too_many_documents(&link, document);
                return;
            }
            let handle = self.relay.attach(document);
            let attach = DocCommand::Attach {
                link: Arc::clone(&link),
            };
            if handle.sender.send(attach).await.is_err() {
                self.relay.detach(document);
                return;
            }
            self.documents.insert(document, handle);
        }
        let command = DocCommand::Message {
            link: Arc::clone(&link),
            message,
            received_at,
        };
        let Some(handle) = self.documents.get(&document) else {
            return;
        };
        if let Err(mpsc::error::SendError(command)) = handle.sender.send(command).await {
            // The actor crashed: open the document afresh (it reloads from storage) and retry
            // once.
            self.relay.detach(document);
            let handle = self.relay.attach(document);
            let attach = DocCommand::Attach {
                link: Arc::clone(&link),
            };
            if handle.sender.send(attach).await.is_ok() && handle.sender.send(command).await.is_ok()
            {
                self.documents.insert(document, handle);
            } else {
                self.relay.detach(document);
                self.documents.remove(&document);
            }
        }
    }

    /// A document over the per-connection cap: `doc-unavailable` and a notice saying why.
    fn too_many_documents(&self, link: &ConnectionLink, document: DocumentId) {
        self.relay.shared.metrics.rejected("too_many_documents");
        tracing::info!(user = %self.user, %document, "refused a document over the per-connection cap");
        let unavailable = WireMessage::DocUnavailable {
            sender_id: self.relay.shared.peer_id.clone(),
            target_id: link.remote.clone(),
            document_id: document,
        };
        let notice = WireMessage::Ephemeral {
            sender_id: self.relay.shared.peer_id.clone(),
            target_id: link.remote.clone(),
            document_id: document,
            session_id: self.relay.shared.session_id.clone(),
            count: self.relay.next_notice_count(),
            data: RejectionNotice::new("too_many_documents", 0).encode(),
        };
        self.queue(notice.encode());
        self.queue(unavailable.encode());
    }

    /// Queues a frame of the connection's own (handshake, refusals); a full outbox sheds it.
    fn queue(&self, bytes: Vec<u8>) {
        if let Some(link) = &self.link {
            let _ = link.deliver(bytes, None);
        } else {
            let len = bytes.len();
            self.queued_bytes.fetch_add(len, Ordering::Relaxed);
            let queued = self.outbox.try_send(Outbound {
                bytes,
                caused_at: None,
            });
            if queued.is_err() {
                self.queued_bytes.fetch_sub(len, Ordering::Relaxed);
                self.close(Close::normal());
            }
        }
    }

    fn refuse(&self, code: u16, label: &'static str, message: String) {
        tracing::info!(user = %self.user, reason = label, %message, "closing a connection");
        let close = Close::refused(
            code,
            label,
            &self.relay.shared.peer_id,
            self.link.as_ref().map(|link| &link.remote),
            message,
        );
        self.close(close);
    }

    fn close(&self, close: Close) {
        self.closer.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(close);
            true
        });
    }

    /// Tells every open document that this connection is gone.
    async fn detach_all(&mut self) {
        let Some(link) = &self.link else {
            return;
        };
        for (document, handle) in self.documents.drain() {
            let detach = DocCommand::Detach {
                peer: link.peer.clone(),
            };
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, handle.sender.send(detach)).await;
            self.relay.detach(document);
        }
    }
}

/// Most frames written before one flush.
const MAX_FRAMES_PER_FLUSH: usize = 64;

/// Writes `frames` into the sink and flushes it once.
async fn feed_and_flush<W>(sink: &mut W, frames: Vec<Vec<u8>>) -> Result<(), W::Error>
where
    W: Sink<Message> + Unpin,
{
    for bytes in frames {
        sink.feed(Message::Binary(bytes.into())).await?;
    }
    sink.flush().await
}

async fn write_loop<W>(
    mut sink: W,
    mut queued: mpsc::Receiver<Outbound>,
    queued_bytes: Arc<AtomicUsize>,
    mut closed: watch::Receiver<Option<Close>>,
    closer: Arc<watch::Sender<Option<Close>>>,
    relay: Relay,
) where
    W: Sink<Message> + Unpin,
{
    let metrics = &relay.shared.metrics;
    let mut batch: Vec<Outbound> = Vec::new();
    loop {
        tokio::select! {
            biased;
            _ = closed.changed() => break,
            frame = queued.recv() => {
                let Some(first) = frame else { break };
                // Everything already queued goes out with it: the frames are written into the
                // socket's buffer one by one and flushed once, one system call for the lot
                // instead of one per frame.
                batch.push(first);
                while batch.len() < MAX_FRAMES_PER_FLUSH {
                    let Ok(next) = queued.try_recv() else { break };
                    batch.push(next);
                }
                // A peer that stopped reading blocks the send: a close (shedding it, or the
                // relay shutting down) must still get through.
                let len: usize = batch.iter().map(|frame| frame.bytes.len()).sum();
                let frames = batch
                    .iter_mut()
                    .map(|frame| std::mem::take(&mut frame.bytes))
                    .collect();
                let sent = tokio::select! {
                    biased;
                    _ = closed.changed() => break,
                    sent = feed_and_flush(&mut sink, frames) => sent,
                };
                queued_bytes.fetch_sub(len, Ordering::Relaxed);
                if sent.is_err() {
                    closer.send_if_modified(|current| {
                        if current.is_some() {
                            return false;
                        }
                        *current = Some(Close::normal());
                        true
                    });
                    return;
                }
                metrics.messages_sent.increment(batch.len() as u64);
                metrics.bytes_sent.increment(len as u64);
                for frame in batch.drain(..) {
                    if let Some(caused_at) = frame.caused_at {
                        metrics.sync_latency.record(caused_at.elapsed().as_secs_f64());
                    }
                }
            }
        }
    }
    let close = closed.borrow().clone();
    if let Some(close) = close {
        if let Some(label) = close.rejected {
            metrics.rejected(label);
        }
        if let Some(frame) = close.error_frame {
            let _ =
                tokio::time::timeout(CLOSE_TIMEOUT, sink.send(Message::Binary(frame.into()))).await;
        }
        let frame = CloseFrame {
            code: close.code,
            reason: close.reason.into(),
        };
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.send(Message::Close(Some(frame)))).await;
    }
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, sink.close()).await;
}
