//! A deterministic in-memory network for sync tests: one relay node (a `Connection` per client
//! and a `DocSync` per document, as the axum server will hold them) and several `SyncClient`s,
//! with durable key/value stores and FIFO links. `run_until_quiet` delivers frames round-robin
//! until nothing is in flight.
//!
//! Every time a node sends, the harness first checks the store-before-send contract: the node's
//! store, loaded back with `load_chunks`, already holds every change of the documents it has.

#![allow(dead_code, unreachable_pub)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use dealflow_core::sync::{
    ClientEvent, Connection, ConnectionEvent, DocSync, DocumentId, Limits, Outgoing, PeerAccess,
    PeerId, PeerMetadata, SessionId, StorageKey, StorageOp, SyncClient, load_chunks,
};

pub type Store = BTreeMap<StorageKey, Vec<u8>>;

pub fn apply_ops(store: &mut Store, ops: Vec<StorageOp>) {
    for op in ops {
        match op {
            StorageOp::Put { key, bytes } => {
                store.insert(key, bytes);
            }
            StorageOp::Delete { key } => {
                store.remove(&key);
            }
        }
    }
}

/// The heads stored for a document, as a restarted node would load them.
pub fn stored_heads(store: &Store, document_id: DocumentId) -> Vec<automerge::ChangeHash> {
    let chunks = store
        .iter()
        .map(|(key, bytes)| (key.clone(), bytes.clone()));
    load_chunks(document_id, chunks, &Limits::default())
        .expect("stored chunks load")
        .doc
        .get_heads()
}

pub fn stored_documents(store: &Store) -> BTreeSet<DocumentId> {
    store
        .keys()
        .filter_map(|key| key.parts().first()?.parse().ok())
        .collect()
}

pub struct Relay {
    pub id: PeerId,
    pub docs: BTreeMap<DocumentId, DocSync>,
    pub store: Store,
    pub connections: BTreeMap<usize, Connection>,
    /// Access per (peer, document); absent means read-write.
    pub access: BTreeMap<(PeerId, DocumentId), PeerAccess>,
    pub dropped_changes: usize,
    pub store_writes: usize,
    /// Messages the relay sent as one encoding shared by every peer in sync.
    pub shared_sends: usize,
    /// Messages the relay sent in all.
    pub sync_sends: usize,
}

pub struct ClientNode {
    pub client: SyncClient,
    pub store: Store,
    pub online: bool,
    pub events: Vec<ClientEvent>,
}

pub struct Network {
    pub relay: Relay,
    pub clients: Vec<ClientNode>,
    to_relay: Vec<VecDeque<Vec<u8>>>,
    to_client: Vec<VecDeque<Vec<u8>>>,
    pub delivered: usize,
    /// Clients whose links hold every frame (both ways) until released.
    pub held: BTreeSet<usize>,
    /// Whether the relay takes every frame waiting for it as one batch per document
    /// (`receive_in_batch`, then `finish_batch`), as the server's document actors do.
    pub batched: bool,
    /// Documents with an open batch on the relay.
    open_batches: BTreeSet<DocumentId>,
}

impl Network {
    pub fn new(n_clients: usize) -> Self {
        let relay = Relay {
            id: PeerId::new("relay").unwrap(),
            docs: BTreeMap::new(),
            store: Store::new(),
            connections: BTreeMap::new(),
            access: BTreeMap::new(),
            dropped_changes: 0,
            store_writes: 0,
            shared_sends: 0,
            sync_sends: 0,
        };
        let clients = (0..n_clients)
            .map(|index| ClientNode {
                client: SyncClient::new(
                    client_id(index),
                    PeerMetadata::default(),
                    SessionId::new(format!("session-{index}")).unwrap(),
                    Limits::default(),
                ),
                store: Store::new(),
                online: false,
                events: Vec::new(),
            })
            .collect();
        let mut network = Network {
            relay,
            clients,
            to_relay: vec![VecDeque::new(); n_clients],
            to_client: vec![VecDeque::new(); n_clients],
            delivered: 0,
            held: BTreeSet::new(),
            batched: false,
            open_batches: BTreeSet::new(),
        };
        for index in 0..n_clients {
            network.connect(index);
        }
        network
    }

    /// Opens a socket for client `index` (a new connection on the relay side) and sends `join`.
    pub fn connect(&mut self, index: usize) {
        self.relay.connections.insert(
            index,
            Connection::accept(self.relay.id.clone(), PeerMetadata::default()),
        );
        self.to_relay[index].clear();
        self.to_client[index].clear();
        let join = self.clients[index].client.connect();
        self.clients[index].online = true;
        self.to_relay[index].push_back(join);
    }

    /// Drops client `index`'s socket: frames in flight are lost, both sides forget the link.
    pub fn disconnect(&mut self, index: usize) {
        self.clients[index].client.disconnected();
        self.clients[index].online = false;
        self.to_relay[index].clear();
        self.to_client[index].clear();
        self.relay.connections.remove(&index);
        let peer = client_id(index);
        for doc in self.relay.docs.values_mut() {
            doc.remove_peer(&peer);
        }
    }

    /// Restarts the relay: every in-memory state is lost, documents are reloaded from the store
    /// and every client reconnects.
    pub fn restart_relay(&mut self) {
        self.relay.docs.clear();
        for document_id in stored_documents(&self.relay.store) {
            let chunks = self
                .relay
                .store
                .iter()
                .map(|(key, bytes)| (key.clone(), bytes.clone()));
            let (doc, truncated) = DocSync::load(
                document_id,
                self.relay.id.clone(),
                chunks,
                Limits::default(),
            )
            .expect("relay reloads its documents");
            assert!(truncated.is_empty());
            self.relay.docs.insert(document_id, doc);
        }
        let online: Vec<usize> = (0..self.clients.len())
            .filter(|index| self.clients[*index].online)
            .collect();
        for index in online {
            self.disconnect(index);
            self.connect(index);
        }
    }

    /// Applies a client step: store first (checked durable), then queue its frames.
    pub fn client_step(&mut self, index: usize, step: dealflow_core::sync::ClientStep) {
        let node = &mut self.clients[index];
        apply_ops(&mut node.store, step.store);
        if !step.send.is_empty() {
            for document_id in node.client.documents().collect::<Vec<_>>() {
                let doc = node.client.doc(document_id).unwrap();
                if !doc.get_heads().is_empty() {
                    assert_eq!(
                        stored_heads(&node.store, document_id),
                        doc.get_heads(),
                        "client {index} sends before storing document {document_id}"
                    );
                }
            }
        }
        node.events.extend(step.events);
        if node.online {
            self.to_relay[index].extend(step.send);
        }
    }

    fn relay_send(&mut self, document_id: DocumentId, send: Vec<Outgoing>) {
        if !send.is_empty()
            && let Some(doc) = self.relay.docs.get(&document_id)
            && !doc.is_empty()
        {
            assert_eq!(
                stored_heads(&self.relay.store, document_id),
                doc.heads(),
                "relay sends before storing document {document_id}"
            );
        }
        for outgoing in send {
            let index = client_index(&outgoing.peer);
            if self.relay.connections.contains_key(&index) {
                self.to_client[index].push_back(outgoing.encode());
            }
        }
    }

    fn relay_receive(&mut self, index: usize, frame: &[u8]) {
        let Some(connection) = self.relay.connections.get_mut(&index) else {
            return;
        };
        let event = match connection.on_frame(frame) {
            Ok(event) => event,
            Err(rejection) => {
                self.to_client[index].push_back(rejection.error_frame);
                return;
            }
        };
        let Some(peer) = connection.peer().cloned() else {
            return;
        };
        match event {
            ConnectionEvent::Established { reply, .. } => {
                for doc in self.relay.docs.values_mut() {
                    doc.remove_peer(&peer);
                }
                self.to_client[index].extend(reply);
            }
            ConnectionEvent::Document {
                document_id,
                message,
            } => {
                let relay_id = self.relay.id.clone();
                let doc = self
                    .relay
                    .docs
                    .entry(document_id)
                    .or_insert_with(|| DocSync::new(document_id, relay_id, Limits::default()));
                if let Some(access) = self.relay.access.get(&(peer.clone(), document_id)) {
                    doc.add_peer(peer.clone(), *access);
                }
                let step = if self.batched {
                    self.open_batches.insert(document_id);
                    doc.receive_in_batch(&peer, message)
                } else {
                    doc.receive(&peer, message)
                }
                .expect("relay accepts the message");
                self.relay.dropped_changes += step.dropped_changes;
                self.relay.shared_sends += step.shared_sends;
                self.relay.sync_sends += step.send.len();
                self.relay.store_writes += step.store.len();
                apply_ops(&mut self.relay.store, step.store);
                self.relay_send(document_id, step.send);
            }
            ConnectionEvent::Leave => {
                for doc in self.relay.docs.values_mut() {
                    doc.remove_peer(&peer);
                }
            }
            _ => {}
        }
    }

    fn client_receive(&mut self, index: usize, frame: &[u8]) {
        match self.clients[index].client.on_frame(frame) {
            Ok(step) => self.client_step(index, step),
            Err(rejection) => panic!("client {index} rejected a relay frame: {rejection:?}"),
        }
    }

    /// Closes every open batch on the relay: the replies and fan-out of the frames it took.
    fn finish_batches(&mut self) {
        for document_id in std::mem::take(&mut self.open_batches) {
            let Some(doc) = self.relay.docs.get_mut(&document_id) else {
                continue;
            };
            let step = doc.finish_batch();
            self.relay.shared_sends += step.shared_sends;
            self.relay.sync_sends += step.send.len();
            self.relay.store_writes += step.store.len();
            apply_ops(&mut self.relay.store, step.store);
            self.relay_send(document_id, step.send);
        }
    }

    /// Delivers every frame in flight, round-robin over the links, until the network is quiet.
    /// In batched mode, the relay takes all frames waiting for it in one turn, then finishes
    /// its batches, then every client takes its frames.
    pub fn run_until_quiet(&mut self) {
        for _round in 0..10_000 {
            let mut moved = false;
            if self.batched {
                for index in 0..self.clients.len() {
                    if self.held.contains(&index) {
                        continue;
                    }
                    while let Some(frame) = self.to_relay[index].pop_front() {
                        self.relay_receive(index, &frame);
                        moved = true;
                        self.delivered += 1;
                    }
                }
                self.finish_batches();
            }
            for index in 0..self.clients.len() {
                if self.held.contains(&index) {
                    continue;
                }
                if let Some(frame) = self.to_relay[index].pop_front() {
                    self.relay_receive(index, &frame);
                    moved = true;
                    self.delivered += 1;
                }
                if let Some(frame) = self.to_client[index].pop_front() {
                    self.client_receive(index, &frame);
                    moved = true;
                    self.delivered += 1;
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the network did not quiesce");
    }

    pub fn client(&mut self, index: usize) -> &mut SyncClient {
        &mut self.clients[index].client
    }

    pub fn take_events(&mut self, index: usize) -> Vec<ClientEvent> {
        std::mem::take(&mut self.clients[index].events)
    }
}

pub fn client_id(index: usize) -> PeerId {
    PeerId::new(format!("client-{index}")).unwrap()
}

fn client_index(peer: &PeerId) -> usize {
    peer.as_str()
        .strip_prefix("client-")
        .and_then(|index| index.parse().ok())
        .expect("relay only talks to clients")
}
