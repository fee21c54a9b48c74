//! A protocol client for tests: core's `SyncClient` (the browser's repo) over a real WebSocket
//! from tokio-tungstenite, recording every frame it receives.

use std::time::{Duration, SystemTime};

use dealflow_core::UserId;
use dealflow_core::automerge::sync::{self, ChunkList, SyncDoc};
use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{ROOT, ReadDoc};
use dealflow_core::sync::{
    ClientStep, DocumentId, Limits, PeerId, PeerMetadata, RejectionNotice, SessionId, SyncClient,
    WireMessage,
};
use dealflow_server::auth::{DEV_TOKEN_LIFETIME, TokenIssuer};
use dealflow_server::directory::Directory;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::SECRET;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long [`SyncPeer::create_synced`] waits for the relay.
const SYNC_WAIT: Duration = Duration::from_secs(10);

/// A token for demo user `user`, signed with the test secret.
pub(crate) fn token(user: &str) -> String {
    token_with(user, SECRET)
}

/// A token for demo user `user`, signed with `secret`.
pub(crate) fn token_with(user: &str, secret: &str) -> String {
    let directory = Directory::demo();
    let user = directory.user(&UserId::new(user).unwrap()).unwrap();
    TokenIssuer::hs256(secret.as_bytes(), DEV_TOKEN_LIFETIME)
        .unwrap()
        .issue(user, SystemTime::now())
        .unwrap()
        .token
}

/// The `ws://…/sync?token=…` URL of a server at `base` (`http://host:port`).
pub(crate) fn sync_url(base: &str, user: &str) -> String {
    format!(
        "{}/sync?token={}",
        base.replacen("http://", "ws://", 1),
        token(user)
    )
}

/// A document id from a seed, so tests are repeatable.
pub(crate) fn document_id(seed: u8) -> DocumentId {
    DocumentId::from_random_bytes([seed; 16])
}

/// One connected client.
pub(crate) struct SyncPeer {
    pub(crate) client: SyncClient,
    socket: Option<Socket>,
    /// Every frame received, decoded (undecodable frames as `None`).
    pub(crate) received: Vec<Option<WireMessage>>,
    /// Raw bytes of every frame received.
    pub(crate) received_bytes: Vec<Vec<u8>>,
    /// The close frame, once the server closed.
    pub(crate) closed: Option<Option<CloseFrame>>,
}

impl SyncPeer {
    /// Connects as demo user `user` to the server at `base` and completes the handshake.
    pub(crate) async fn connect(base: &str, user: &str, name: &str) -> Self {
        let client = SyncClient::new(
            PeerId::new(name).unwrap(),
            PeerMetadata::default(),
            SessionId::new(format!("{name}-session")).unwrap(),
            Limits::default(),
        );
        let mut peer = SyncPeer {
            client,
            socket: None,
            received: Vec::new(),
            received_bytes: Vec::new(),
            closed: None,
        };
        peer.reconnect(base, user).await;
        peer
    }

    /// Connects to any automerge-repo sync server at `url` (no token).
    pub(crate) async fn connect_url(url: &str, name: &str) -> Self {
        let client = SyncClient::new(
            PeerId::new(name).unwrap(),
            PeerMetadata::default(),
            SessionId::new(format!("{name}-session")).unwrap(),
            Limits::default(),
        );
        let mut peer = SyncPeer {
            client,
            socket: None,
            received: Vec::new(),
            received_bytes: Vec::new(),
            closed: None,
        };
        peer.open(url).await;
        peer
    }

    /// Connects like [`SyncPeer::connect`] over a socket whose receive buffer is `bytes` (a
    /// client on a slow link: the kernel holds little of what the relay sends it).
    pub(crate) async fn connect_with_receive_buffer(
        base: &str,
        user: &str,
        name: &str,
        bytes: u32,
    ) -> Self {
        let client = SyncClient::new(
            PeerId::new(name).unwrap(),
            PeerMetadata::default(),
            SessionId::new(format!("{name}-session")).unwrap(),
            Limits::default(),
        );
        let mut peer = SyncPeer {
            client,
            socket: None,
            received: Vec::new(),
            received_bytes: Vec::new(),
            closed: None,
        };
        let address: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
        let tcp = tokio::net::TcpSocket::new_v4().unwrap();
        tcp.set_recv_buffer_size(bytes).unwrap();
        let stream = tcp.connect(address).await.unwrap();
        let (socket, _) =
            tokio_tungstenite::client_async(sync_url(base, user), MaybeTlsStream::Plain(stream))
                .await
                .expect("the server accepts the upgrade");
        peer.socket = Some(socket);
        let join = peer.client.connect();
        peer.send_raw(join).await;
        peer.pump_until(Duration::from_secs(5), |client| client.server().is_some())
            .await
            .expect("handshake");
        peer
    }

    /// Opens a new socket (after a disconnect) and completes the handshake.
    pub(crate) async fn reconnect(&mut self, base: &str, user: &str) {
        self.open(&sync_url(base, user)).await;
    }

    async fn open(&mut self, url: &str) {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the server accepts the upgrade");
        self.socket = Some(socket);
        self.closed = None;
        let join = self.client.connect();
        self.send_raw(join).await;
        self.pump_until(Duration::from_secs(5), |client| client.server().is_some())
            .await
            .expect("handshake");
    }

    /// Forgets the connection (as if the network dropped).
    pub(crate) async fn disconnect(&mut self) {
        if let Some(mut socket) = self.socket.take() {
            let _ = socket.close(None).await;
        }
        self.client.disconnected();
    }

    /// Sends the frames of a step (its storage writes are the client's business).
    pub(crate) async fn send(&mut self, step: ClientStep) {
        for frame in step.send {
            self.send_raw(frame).await;
        }
    }

    /// Sends raw bytes as one binary frame.
    pub(crate) async fn send_raw(&mut self, frame: Vec<u8>) {
        if let Some(socket) = self.socket.as_mut() {
            let _ = socket.send(Message::Binary(frame.into())).await;
        }
    }

    /// Sends a text frame.
    pub(crate) async fn send_text(&mut self, text: &str) {
        if let Some(socket) = self.socket.as_mut() {
            let _ = socket.send(Message::Text(text.into())).await;
        }
    }

    /// Creates a deal-like document with `title`.
    pub(crate) async fn create(&mut self, id: DocumentId, title: &str) {
        let ((), step) = self
            .client
            .create(id, |tx| {
                tx.put(ROOT, "type", "deal")?;
                tx.put(ROOT, "schemaVersion", 1_u64)?;
                tx.put(ROOT, "id", "deal-1")?;
                tx.put(ROOT, "title", title)
            })
            .unwrap();
        self.send(step).await;
    }

    /// Creates a deal-like document with `title` and waits until the relay acknowledged it.
    pub(crate) async fn create_synced(&mut self, id: DocumentId, title: &str) {
        self.create(id, title).await;
        self.pump_until(SYNC_WAIT, |client| client.in_sync(id))
            .await
            .expect("the relay acknowledges the new document");
    }

    /// Sets `key` to `value` in a document.
    pub(crate) async fn put(&mut self, id: DocumentId, key: &str, value: &str) {
        let ((), step) = self
            .client
            .change(id, |tx| tx.put(ROOT, key, value))
            .unwrap();
        self.send(step).await;
    }

    /// Sends a change setting `key` to `value` as a client that ignores the relay's read-only
    /// flag would: a sync message carrying the change, whatever the relay said.
    pub(crate) async fn push_ignoring_read_only(&mut self, id: DocumentId, key: &str, value: &str) {
        let mut forged = self.client.doc(id).expect("the document is open").fork();
        let mut tx = forged.transaction();
        tx.put(ROOT, key, value).unwrap();
        tx.commit();
        let change = forged.get_last_local_change().unwrap().raw_bytes().to_vec();
        let mut message = forged
            .generate_sync_message(&mut sync::State::new())
            .unwrap();
        message.changes = ChunkList::from(vec![change]);
        let frame = WireMessage::Sync {
            sender_id: self.client.peer_id().clone(),
            target_id: self.client.server().expect("connected").clone(),
            document_id: id,
            data: message.encode(),
        };
        self.send_raw(frame.encode()).await;
    }

    /// The rejection notices the relay sent this client.
    pub(crate) fn rejection_notices(&self) -> Vec<RejectionNotice> {
        self.received
            .iter()
            .filter_map(|message| match message {
                Some(WireMessage::Ephemeral { data, .. }) => RejectionNotice::decode(data),
                _ => None,
            })
            .collect()
    }

    /// Asks the relay for a document.
    pub(crate) async fn find(&mut self, id: DocumentId) {
        let step = self.client.find(id);
        self.send(step).await;
    }

    /// A string at `key` of a document, if present.
    pub(crate) fn get(&self, id: DocumentId, key: &str) -> Option<String> {
        let doc = self.client.doc(id)?;
        match doc.get(ROOT, key).ok()?? {
            (dealflow_core::automerge::Value::Scalar(value), _) => {
                value.as_str().map(str::to_owned)
            }
            // Automerge JS writes strings as text objects.
            (
                dealflow_core::automerge::Value::Object(dealflow_core::automerge::ObjType::Text),
                text,
            ) => doc.text(&text).ok(),
            _ => None,
        }
    }

    /// Reads frames, answering them, until `done` holds or `timeout` passes. `Err` on timeout
    /// or when the server closed first.
    pub(crate) async fn pump_until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&SyncClient) -> bool,
    ) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.client) {
            if self.closed.is_some() {
                return Err(format!("closed by the server: {:?}", self.closed));
            }
            let Some(socket) = self.socket.as_mut() else {
                return Err("not connected".to_owned());
            };
            let next = tokio::time::timeout_at(deadline, socket.next()).await;
            let Ok(next) = next else {
                return Err("timed out".to_owned());
            };
            self.on_message(next).await;
        }
        Ok(())
    }

    /// Reads and answers frames for `duration`.
    pub(crate) async fn pump_for(&mut self, duration: Duration) {
        let _ = self.pump_until(duration, |_| false).await;
    }

    /// Waits for the server to close the connection; returns the close frame.
    pub(crate) async fn expect_close(&mut self, timeout: Duration) -> Option<CloseFrame> {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.closed.is_none() {
            let Some(socket) = self.socket.as_mut() else {
                break;
            };
            match tokio::time::timeout_at(deadline, socket.next()).await {
                Ok(next) => self.on_message(next).await,
                Err(_) => panic!("the server did not close the connection"),
            }
        }
        self.closed.clone().flatten()
    }

    async fn on_message(
        &mut self,
        next: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) {
        match next {
            Some(Ok(Message::Binary(bytes))) => {
                let bytes = bytes.to_vec();
                self.received.push(WireMessage::decode(&bytes).ok());
                self.received_bytes.push(bytes.clone());
                if let Ok(step) = self.client.on_frame(&bytes) {
                    self.send(step).await;
                }
            }
            Some(Ok(Message::Close(frame))) => self.closed = Some(frame),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => {
                if self.closed.is_none() {
                    self.closed = Some(None);
                }
            }
        }
    }
}
