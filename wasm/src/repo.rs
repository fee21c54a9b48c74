//! The `Repo` class: the browser's sync client (core's `SyncClient`) and the deal documents it
//! keeps in step with it.
//!
//! The TypeScript side owns the WebSocket and IndexedDB; it hands every received frame to
//! [`Repo::receive`], every local edit of a deal to [`Repo::publish`], and executes the
//! returned step: storage writes first, in order, then frames, then events. Each open deal has
//! two replicas in the page: the sync client's document (what is stored and synced) and the
//! typed `DealDoc` the application edits and reads; `publish` moves local edits from the second
//! to the first, and changes from the relay are taken back into the `DealDoc` before the step
//! is returned, so an event always sees the deal up to date.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use dealflow_core as domain;
use dealflow_core::sync::{self, ClientEvent, ClientStep, DocumentId, StorageKey, StorageOp};
use js_sys::{Array, Object, Reflect, Uint8Array};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::convert::{Named, read_name, to_value};
use crate::deal_doc::DealDoc;
use crate::dto::{DocumentStatus, PresenceActivity, RepoStep};
use crate::error::{Failure, JsResult};

/// The browser's repo (同步客户端): one relay connection and the documents this page holds.
///
/// @example
/// ```ts
/// const repo = new Repo(peerId, sessionId, crypto.getRandomValues(new Uint8Array(16)));
/// socket.onopen = () => socket.send(repo.connect());
/// socket.onmessage = async (event) => run(repo.receive(new Uint8Array(event.data)));
/// socket.onclose = () => repo.disconnected();
/// const doc = DealDoc.open(pipeline, deal, ctx, actor);
/// await run(repo.publish(Repo.newDocumentId(crypto.getRandomValues(new Uint8Array(16))), doc));
/// async function run(step: RepoStep) {
///   for (const write of step.store) await idbWrite(write); // durably, in order
///   for (const frame of step.send) socket.send(frame);
///   for (const event of step.events) handle(event);
/// }
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Repo {
    client: sync::SyncClient,
    deals: BTreeMap<DocumentId, Rc<RefCell<domain::DealDoc>>>,
    actor: Vec<u8>,
}

#[wasm_bindgen]
impl Repo {
    /// A repo presenting `peerId` to the relay; `sessionId` is random per page load and
    /// `actor` (16 random bytes) identifies this page's edits of deals that arrive by sync.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = peerId)] peer_id: &str,
        #[wasm_bindgen(js_name = sessionId)] session_id: &str,
        actor: &[u8],
    ) -> JsResult<Repo> {
        let metadata = sync::PeerMetadata::default();
        Ok(Repo {
            client: sync::SyncClient::new(
                sync::PeerId::new(peer_id).map_err(domain::Error::from)?,
                metadata,
                sync::SessionId::new(session_id).map_err(domain::Error::from)?,
                sync::Limits::default(),
            ),
            deals: BTreeMap::new(),
            actor: actor.to_vec(),
        })
    }

    /// A new document id (bs58check) from 16 random bytes.
    #[wasm_bindgen(js_name = newDocumentId)]
    pub fn new_document_id(random: &[u8]) -> JsResult<String> {
        let bytes: [u8; sync::DOCUMENT_ID_LEN] = random.try_into().map_err(|_| {
            Failure::Input(format!("random must hold {} bytes", sync::DOCUMENT_ID_LEN))
        })?;
        Ok(DocumentId::from_random_bytes(bytes).to_string())
    }

    /// How long to wait before reconnecting after `failedAttempts` failures, in ms (0.5 s
    /// doubling to 30 s); add jitter.
    #[wasm_bindgen(js_name = reconnectDelayMs)]
    pub fn reconnect_delay_ms(
        #[wasm_bindgen(js_name = failedAttempts)] failed_attempts: u32,
    ) -> f64 {
        sync::SyncClient::reconnect_delay_ms(failed_attempts) as f64
    }

    /// The socket opened: returns the `join` frame to send first.
    pub fn connect(&mut self) -> Vec<u8> {
        self.client.connect()
    }

    /// The socket closed; documents stay open and edits are kept for the next connection.
    pub fn disconnected(&mut self) {
        self.client.disconnected();
    }

    /// The `leave` frame to send before closing the socket deliberately.
    pub fn close(&mut self) -> Option<Vec<u8>> {
        self.client.close()
    }

    /// Whether the handshake with the relay has completed.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.client.server().is_some()
    }

    /// Handles one frame from the relay.
    pub fn receive(&mut self, frame: &[u8]) -> JsResult<Ts<RepoStep>> {
        match self.client.on_frame(frame) {
            Ok(step) => self.output(step, false),
            Err(rejection) => {
                self.client.disconnected();
                let step = ClientStep {
                    send: vec![rejection.error_frame],
                    events: vec![ClientEvent::ConnectionClosed {
                        reason: Some(rejection.reason.to_string()),
                    }],
                    ..ClientStep::default()
                };
                self.output(step, true)
            }
        }
    }

    /// Opens a document from its chunks in IndexedDB and syncs it with the relay once
    /// connected; a deal becomes available through `deal(documentId)`. A document with no
    /// chunks is requested from the relay instead.
    pub fn load(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
        #[wasm_bindgen(unchecked_param_type = "StoredChunk[]")] chunks: &Array,
    ) -> JsResult<Ts<RepoStep>> {
        let document_id = parse_id(document_id)?;
        let chunks = read_chunks(chunks)?;
        // The typed replica parses the same bytes (snapshot first) once the sync client has
        // accepted them: much cheaper than copying the loaded document change by change.
        let mut bytes = Vec::new();
        let snapshots = chunks
            .iter()
            .filter(|(key, _)| key.chunk_kind() == Some(sync::ChunkKind::Snapshot));
        let incrementals = chunks
            .iter()
            .filter(|(key, _)| key.chunk_kind() != Some(sync::ChunkKind::Snapshot));
        for (_, chunk) in snapshots.chain(incrementals) {
            bytes.extend_from_slice(chunk);
        }
        let mut step = self
            .client
            .load(document_id, chunks)
            .map_err(domain::Error::from)?;
        if !bytes.is_empty() && !self.deals.contains_key(&document_id) {
            // Anything but a deal (or an unreadable one) is left to `refresh`, which reports it.
            if let Ok(deal) = domain::DealDoc::load(&bytes, self.actor.as_slice().into()) {
                self.deals.insert(document_id, Rc::new(RefCell::new(deal)));
            }
        }
        step.events
            .push(ClientEvent::DocumentChanged { document_id });
        self.output(step, false)
    }

    /// Asks the relay for a document this page does not hold (e.g. from a shared link).
    pub fn find(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
    ) -> JsResult<Ts<RepoStep>> {
        let step = self.client.find(parse_id(document_id)?);
        self.output(step, false)
    }

    /// Takes the local edits of `doc` (the deal held under `documentId`, or a new one, which
    /// the repo then holds): they are stored and sent to the relay.
    pub fn publish(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
        doc: &DealDoc,
    ) -> JsResult<Ts<RepoStep>> {
        let document_id = parse_id(document_id)?;
        let changes = {
            let mut deal = doc.rc().borrow_mut();
            match self.client.doc(document_id) {
                Some(synced) => deal.changes_missing_from(synced),
                None => deal.changes_missing_from(&domain::automerge::Automerge::new()),
            }
        };
        let step = self
            .client
            .apply_local_changes(document_id, changes)
            .map_err(domain::Error::from)?;
        self.deals.insert(document_id, doc.rc().clone());
        self.output(step, false)
    }

    /// The deal held under `documentId`, shared with the repo (edit it, then `publish`).
    pub fn deal(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> Option<DealDoc> {
        let document_id = document_id.parse::<DocumentId>().ok()?;
        self.deals.get(&document_id).cloned().map(DealDoc::shared)
    }

    /// The ids of the deals held.
    #[wasm_bindgen(js_name = dealIds)]
    pub fn deal_ids(&self) -> Vec<String> {
        self.deals.keys().map(ToString::to_string).collect()
    }

    /// Closes a document on this page (nothing is sent or deleted).
    pub fn forget(&mut self, #[wasm_bindgen(js_name = documentId)] document_id: &str) {
        if let Ok(document_id) = document_id.parse::<DocumentId>() {
            self.client.forget(document_id);
            self.deals.remove(&document_id);
        }
    }

    /// Tells the deal's other viewers what this user is doing (an ephemeral message: nothing
    /// is stored).
    #[wasm_bindgen(js_name = broadcastPresence)]
    pub fn broadcast_presence(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
        user: &str,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "PresenceActivity")] activity: &JsValue,
        field: Option<String>,
    ) -> JsResult<Ts<RepoStep>> {
        let activity: PresenceActivity = read_name(activity, "activity")?;
        let presence = sync::Presence {
            user: domain::UserId::new(user)?,
            name: name.to_owned(),
            activity: activity.into(),
            field,
        };
        let step = self
            .client
            .broadcast(parse_id(document_id)?, presence.encode())
            .map_err(domain::Error::from)?;
        self.output(step, false)
    }

    /// The document's status, if it is open.
    #[wasm_bindgen(unchecked_return_type = "DocumentStatus | undefined")]
    pub fn status(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> JsValue {
        document_id
            .parse::<DocumentId>()
            .ok()
            .and_then(|id| self.client.status(id))
            .map_or(JsValue::UNDEFINED, |status| {
                JsValue::from_str(DocumentStatus::from(status).name())
            })
    }

    /// Whether the relay has every change of the document ("saved", not "syncing…").
    #[wasm_bindgen(js_name = inSync)]
    pub fn in_sync(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> bool {
        document_id
            .parse::<DocumentId>()
            .is_ok_and(|id| self.client.in_sync(id))
    }

    /// How many changes of every open document the relay has not acknowledged, summed;
    /// `undefined` when unknown for any of them (see `unsyncedChanges`).
    #[wasm_bindgen(js_name = pendingChanges)]
    pub fn pending_changes(&self) -> Option<u32> {
        let mut total: usize = 0;
        for id in self.client.documents() {
            total = total.saturating_add(self.client.unsynced_changes(id)?);
        }
        Some(u32::try_from(total).unwrap_or(u32::MAX))
    }

    /// Whether the relay has every change of every open document.
    #[wasm_bindgen(js_name = allInSync)]
    pub fn all_in_sync(&self) -> bool {
        self.client.documents().all(|id| self.client.in_sync(id))
    }

    /// How many changes of the document the relay has not acknowledged; offline, counted from
    /// what it had acknowledged when the connection dropped; `undefined` when unknown.
    #[wasm_bindgen(js_name = unsyncedChanges)]
    pub fn unsynced_changes(
        &self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
    ) -> Option<u32> {
        let id = document_id.parse::<DocumentId>().ok()?;
        let count = self.client.unsynced_changes(id)?;
        Some(u32::try_from(count).unwrap_or(u32::MAX))
    }
}

impl Repo {
    /// Brings the `DealDoc`s up to date with what the step changed, then converts the step.
    fn output(&mut self, step: ClientStep, close: bool) -> JsResult<Ts<RepoStep>> {
        let events = Array::new();
        for event in step.events {
            match event {
                ClientEvent::Connected { server } => {
                    events.push(&object(&[
                        ("kind", "connected".into()),
                        ("server", server.as_str().into()),
                    ]));
                }
                ClientEvent::DocumentChanged { document_id } => match self.refresh(document_id) {
                    Ok(true) => {
                        events.push(&object(&[
                            ("kind", "changed".into()),
                            ("documentId", document_id.to_string().into()),
                        ]));
                    }
                    Ok(false) => {}
                    Err(failure) => {
                        events.push(&document_error(document_id, &failure)?);
                    }
                },
                ClientEvent::StatusChanged {
                    document_id,
                    status,
                } => {
                    let name = DocumentStatus::from(status).name();
                    events.push(&object(&[
                        ("kind", "status".into()),
                        ("documentId", document_id.to_string().into()),
                        ("status", name.into()),
                    ]));
                }
                ClientEvent::Ephemeral {
                    document_id,
                    message,
                } => {
                    if let Some(event) = ephemeral(document_id, &message) {
                        events.push(&event);
                    }
                }
                ClientEvent::DocumentError { document_id, error } => {
                    let failure = Failure::Core(error.into());
                    events.push(&document_error(document_id, &failure)?);
                }
                ClientEvent::ConnectionClosed { reason } => {
                    let event = object(&[("kind", "closed".into())]);
                    if let Some(reason) = reason {
                        set(&event, "reason", &reason.into());
                    }
                    events.push(&event);
                }
                _ => {}
            }
        }
        let store = Array::new();
        for op in &step.store {
            store.push(&storage_write(op));
        }
        let send = Array::new();
        for frame in &step.send {
            send.push(&Uint8Array::from(frame.as_slice()));
        }
        let out = object(&[
            ("store", store.into()),
            ("send", send.into()),
            ("events", events.into()),
            ("close", close.into()),
        ]);
        Ok(Ts::new_unchecked(out))
    }

    /// Takes changes the sync client holds into the deal's `DealDoc`, creating it for a deal
    /// that arrived from the relay or storage. Returns whether the deal changed; documents of
    /// other kinds are left to the sync client.
    fn refresh(&mut self, document_id: DocumentId) -> JsResult<bool> {
        let Some(synced) = self.client.doc(document_id) else {
            return Ok(false);
        };
        if let Some(deal) = self.deals.get(&document_id) {
            return Ok(deal.borrow_mut().catch_up(synced)?);
        }
        if synced.get_heads().is_empty() {
            return Ok(false);
        }
        match domain::DealDoc::from_synced(synced, self.actor.as_slice().into()) {
            Ok(deal) => {
                self.deals.insert(document_id, Rc::new(RefCell::new(deal)));
                Ok(true)
            }
            Err(error) if error.code() == domain::ErrorCode::WrongDocumentType => Ok(false),
            Err(error) => Err(error.into()),
        }
    }
}

fn parse_id(document_id: &str) -> JsResult<DocumentId> {
    document_id
        .parse::<DocumentId>()
        .map_err(|error| Failure::Core(error.into()))
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object: JsValue = Object::new().into();
    for (key, value) in entries {
        set(&object, key, value);
    }
    object
}

fn set(object: &JsValue, key: &str, value: &JsValue) {
    // Setting a property on a plain object we just created cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

fn key_parts(key: &StorageKey) -> JsValue {
    key.parts()
        .iter()
        .map(|part| JsValue::from_str(part))
        .collect::<Array>()
        .into()
}

fn storage_write(op: &StorageOp) -> JsValue {
    match op {
        StorageOp::Put { key, bytes } => object(&[
            ("kind", "put".into()),
            ("key", key_parts(key)),
            ("bytes", Uint8Array::from(bytes.as_slice()).into()),
        ]),
        StorageOp::Delete { key } => object(&[("kind", "delete".into()), ("key", key_parts(key))]),
    }
}

fn document_error(document_id: DocumentId, failure: &Failure) -> JsResult<JsValue> {
    Ok(object(&[
        ("kind", "document_error".into()),
        ("documentId", document_id.to_string().into()),
        ("error", to_value(&failure.details())?),
    ]))
}

/// A presence or rejection notice as an event; other applications' messages are skipped.
fn ephemeral(document_id: DocumentId, message: &sync::EphemeralMessage) -> Option<JsValue> {
    let id: JsValue = document_id.to_string().into();
    if let Ok(presence) = sync::Presence::decode(&message.data) {
        let info = object(&[
            ("user", presence.user.as_str().into()),
            ("name", presence.name.into()),
            (
                "activity",
                PresenceActivity::from(presence.activity).name().into(),
            ),
            ("peerId", message.sender_id.as_str().into()),
        ]);
        if let Some(field) = presence.field {
            set(&info, "field", &field.into());
        }
        return Some(object(&[
            ("kind", "presence".into()),
            ("documentId", id),
            ("presence", info),
        ]));
    }
    let notice = sync::RejectionNotice::decode(&message.data)?;
    Some(object(&[
        ("kind", "rejected".into()),
        ("documentId", id),
        ("reason", notice.reason.into()),
        (
            "dropped",
            u32::try_from(notice.dropped).unwrap_or(u32::MAX).into(),
        ),
    ]))
}

/// Reads `StoredChunk[]`.
fn read_chunks(chunks: &Array) -> JsResult<Vec<(StorageKey, Vec<u8>)>> {
    let mut out = Vec::with_capacity(chunks.length() as usize);
    for (index, chunk) in chunks.iter().enumerate() {
        let wrong = || {
            Failure::Input(format!(
                "chunks[{index}] must be {{ key: string[], bytes: Uint8Array }}"
            ))
        };
        let key = Reflect::get(&chunk, &JsValue::from_str("key")).map_err(|_| wrong())?;
        let bytes = Reflect::get(&chunk, &JsValue::from_str("bytes")).map_err(|_| wrong())?;
        let parts = key
            .dyn_into::<Array>()
            .map_err(|_| wrong())?
            .iter()
            .map(|part| part.as_string().ok_or_else(wrong))
            .collect::<JsResult<Vec<String>>>()?;
        let bytes = bytes.dyn_into::<Uint8Array>().map_err(|_| wrong())?;
        out.push((StorageKey::from_parts(parts), bytes.to_vec()));
    }
    Ok(out)
}
