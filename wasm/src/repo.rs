//! The `Repo` class: the browser's sync client (core's `SyncClient`) and the deal documents it
//! keeps in step with it.
//!
//! The TypeScript side owns the WebSocket and IndexedDB; it hands every received frame to
//! [`Repo::receive`], every local edit of a deal to [`Repo::publish`], and executes the
//! returned step: storage writes first, in order, then frames, then events. Each open deal has
//! one replica in the page: the sync client's document. The `DealDoc` handles the repo gives
//! out edit and read that document in place (core's `DealDoc::edit_in_place`); the storage
//! writes and frames of those edits wait in the repo and lead its next step (`publish`, called
//! after every edit, returns them at once).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use dealflow_core as domain;
use dealflow_core::sync::{self, ClientEvent, ClientStep, DocumentId, StorageKey, StorageOp};
use js_sys::{Array, Object, Reflect, Uint8Array};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::convert::{Named, read_name, to_value};
use crate::deal_doc::{DealDoc, Replica};
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
/// const id = Repo.newDocumentId(crypto.getRandomValues(new Uint8Array(16)));
/// await run(repo.publish(id, doc)); // from now on `doc` edits the repo's own document
/// doc.setTitle({ by: "rep-li", now: Date.now() }, "华东电网 CRM 二期（扩容）");
/// await run(repo.publish(id, doc)); // stores and sends that edit
/// async function run(step: RepoStep) {
///   for (const write of step.store) await idbWrite(write); // durably, in order
///   for (const frame of step.send) socket.send(frame);
///   for (const event of step.events) handle(event);
/// }
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Repo {
    state: SharedRepo,
}

/// A repo's state, shared with the `DealDoc` handles on the deals it holds.
pub(crate) type SharedRepo = Rc<RefCell<RepoState>>;

/// The sync client, the documents known to be deals, and what in-place edits left to do.
#[derive(Debug)]
pub(crate) struct RepoState {
    client: sync::SyncClient,
    /// The open documents that are deals.
    deals: BTreeSet<DocumentId>,
    /// Identifies this page's edits.
    actor: domain::automerge::ActorId,
    /// Storage writes, frames and status events of in-place edits, not yet returned: they
    /// lead the next step, so they are stored and sent before anything that follows them.
    pending: ClientStep,
}

impl RepoState {
    /// Runs `apply` on a deal the repo holds, in place; the change it makes is stored and sent
    /// with the next step.
    pub(crate) fn edit_deal(
        &mut self,
        document_id: DocumentId,
        apply: &mut dyn FnMut(&mut domain::DealDoc) -> JsResult<()>,
    ) -> JsResult<()> {
        let actor = self.actor.clone();
        let (output, step) = self
            .client
            .edit_in_place(document_id, |doc| {
                domain::DealDoc::edit_in_place(doc, actor, apply)
            })
            .map_err(domain::Error::from)?;
        self.pending.store.extend(step.store);
        self.pending.send.extend(step.send);
        // The page announces its own edits; only status changes are passed on.
        self.pending.events.extend(
            step.events
                .into_iter()
                .filter(|event| !matches!(event, ClientEvent::DocumentChanged { .. })),
        );
        output?
    }

    /// Reads a deal the repo holds.
    pub(crate) fn read_deal(&self, document_id: DocumentId) -> JsResult<domain::DealRead> {
        let doc = self
            .client
            .doc(document_id)
            .ok_or_else(|| Failure::Input(format!("document {document_id} is no longer open")))?;
        Ok(domain::DealDoc::read_document(doc)?)
    }

    /// The heads of a document the repo holds (none when it is not open).
    pub(crate) fn heads(&self, document_id: DocumentId) -> Vec<domain::automerge::ChangeHash> {
        self.client
            .doc(document_id)
            .map(domain::automerge::Automerge::get_heads)
            .unwrap_or_default()
    }

    /// The whole document, compacted (empty when it is not open).
    pub(crate) fn save(&self, document_id: DocumentId) -> Vec<u8> {
        self.client
            .doc(document_id)
            .map(domain::automerge::Automerge::save)
            .unwrap_or_default()
    }

    /// Notes a document with content as a deal when it is one; returns whether it is.
    fn adopt(&mut self, document_id: DocumentId) -> bool {
        if self.deals.contains(&document_id) {
            return true;
        }
        let is_deal = self
            .client
            .doc(document_id)
            .is_some_and(domain::is_deal_document);
        if is_deal {
            self.deals.insert(document_id);
        }
        is_deal
    }
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
        let state = RepoState {
            client: sync::SyncClient::new(
                sync::PeerId::new(peer_id).map_err(domain::Error::from)?,
                metadata,
                sync::SessionId::new(session_id).map_err(domain::Error::from)?,
                sync::Limits::default(),
            ),
            deals: BTreeSet::new(),
            actor: actor.into(),
            pending: ClientStep::default(),
        };
        Ok(Repo {
            state: Rc::new(RefCell::new(state)),
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
        self.state.borrow_mut().client.connect()
    }

    /// The socket closed; documents stay open and edits are kept for the next connection.
    pub fn disconnected(&mut self) {
        self.state.borrow_mut().client.disconnected();
    }

    /// The `leave` frame to send before closing the socket deliberately.
    pub fn close(&mut self) -> Option<Vec<u8>> {
        self.state.borrow_mut().client.close()
    }

    /// Whether the handshake with the relay has completed.
    #[wasm_bindgen(getter)]
    pub fn connected(&self) -> bool {
        self.state.borrow().client.server().is_some()
    }

    /// Handles one frame from the relay.
    pub fn receive(&mut self, frame: &[u8]) -> JsResult<Ts<RepoStep>> {
        let received = self.state.borrow_mut().client.on_frame(frame);
        match received {
            Ok(step) => self.output(step, false),
            Err(rejection) => {
                self.state.borrow_mut().client.disconnected();
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
        let mut step = self
            .state
            .borrow_mut()
            .client
            .load(document_id, chunks)
            .map_err(domain::Error::from)?;
        step.events
            .push(ClientEvent::DocumentChanged { document_id });
        self.output(step, false)
    }

    /// Opens every document whose chunks are given, in one call: all of a page's stored
    /// chunks as `ChunkStore` reads them, grouped by the document id their keys start with.
    /// Each document is parsed once, into the sync client, and is the deal's only replica. A
    /// document whose chunks are unreadable gets a `document_error` event; the others open.
    #[wasm_bindgen(js_name = loadMany)]
    pub fn load_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "StoredChunk[]")] chunks: &Array,
    ) -> JsResult<Ts<RepoStep>> {
        let mut documents: BTreeMap<String, Vec<(StorageKey, Vec<u8>)>> = BTreeMap::new();
        for (key, bytes) in read_chunks(chunks)? {
            if let Some(document) = key.parts().first() {
                documents
                    .entry(document.clone())
                    .or_default()
                    .push((key, bytes));
            }
        }
        let mut step = ClientStep::default();
        for (document, chunks) in documents {
            let Ok(document_id) = document.parse::<DocumentId>() else {
                continue;
            };
            let loaded = self.state.borrow_mut().client.load(document_id, chunks);
            match loaded {
                Ok(loaded) => {
                    step.store.extend(loaded.store);
                    step.send.extend(loaded.send);
                    step.events.extend(loaded.events);
                    step.events
                        .push(ClientEvent::DocumentChanged { document_id });
                }
                Err(error) => step
                    .events
                    .push(ClientEvent::DocumentError { document_id, error }),
            }
        }
        self.output(step, false)
    }

    /// Asks the relay for a document this page does not hold (e.g. from a shared link).
    pub fn find(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
    ) -> JsResult<Ts<RepoStep>> {
        let step = self.state.borrow_mut().client.find(parse_id(document_id)?);
        self.output(step, false)
    }

    /// Stores and sends the edits made on `doc` since the last step. A `doc` of its own (a new
    /// deal from `DealDoc.open`, or a loaded copy) is taken in under `documentId`: its changes
    /// go to the repo's document, and from then on the handle edits that document in place.
    pub fn publish(
        &mut self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
        doc: &DealDoc,
    ) -> JsResult<Ts<RepoStep>> {
        let document_id = parse_id(document_id)?;
        let held_here = match &*doc.replica().borrow() {
            Replica::Held { repo, id } => Rc::ptr_eq(repo, &self.state) && *id == document_id,
            Replica::Own(_) => false,
        };
        if held_here {
            return self.output(ClientStep::default(), false);
        }
        // A copy: its changes are taken in, and a handle of its own becomes a handle on the
        // repo's document, so the copy is dropped.
        let changes = doc.with_mut(|deal| {
            let state = self.state.borrow();
            Ok(match state.client.doc(document_id) {
                Some(synced) => deal.changes_missing_from(synced),
                None => deal.changes_missing_from(&domain::automerge::Automerge::new()),
            })
        })?;
        let step = self
            .state
            .borrow_mut()
            .client
            .apply_local_changes(document_id, changes)
            .map_err(domain::Error::from)?;
        let mut state = self.state.borrow_mut();
        if state.adopt(document_id) {
            let mut replica = doc.replica().borrow_mut();
            if matches!(*replica, Replica::Own(_)) {
                *replica = Replica::Held {
                    repo: self.state.clone(),
                    id: document_id,
                };
            }
        }
        drop(state);
        self.output(step, false)
    }

    /// The deal held under `documentId`: a handle that edits the repo's document in place
    /// (edit it, then `publish`).
    pub fn deal(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> Option<DealDoc> {
        let document_id = document_id.parse::<DocumentId>().ok()?;
        self.state
            .borrow()
            .deals
            .contains(&document_id)
            .then(|| DealDoc::held(self.state.clone(), document_id))
    }

    /// The ids of the deals held.
    #[wasm_bindgen(js_name = dealIds)]
    pub fn deal_ids(&self) -> Vec<String> {
        self.state
            .borrow()
            .deals
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Closes a document on this page (nothing is sent or deleted).
    pub fn forget(&mut self, #[wasm_bindgen(js_name = documentId)] document_id: &str) {
        if let Ok(document_id) = document_id.parse::<DocumentId>() {
            let mut state = self.state.borrow_mut();
            state.client.forget(document_id);
            state.deals.remove(&document_id);
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
            .state
            .borrow_mut()
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
            .and_then(|id| self.state.borrow().client.status(id))
            .map_or(JsValue::UNDEFINED, |status| {
                JsValue::from_str(DocumentStatus::from(status).name())
            })
    }

    /// Whether the relay has every change of the document ("saved", not "syncing…").
    #[wasm_bindgen(js_name = inSync)]
    pub fn in_sync(&self, #[wasm_bindgen(js_name = documentId)] document_id: &str) -> bool {
        document_id
            .parse::<DocumentId>()
            .is_ok_and(|id| self.state.borrow().client.in_sync(id))
    }

    /// How many changes of every open document the relay has not acknowledged, summed;
    /// `undefined` when unknown for any of them (see `unsyncedChanges`).
    #[wasm_bindgen(js_name = pendingChanges)]
    pub fn pending_changes(&self) -> Option<u32> {
        let state = self.state.borrow();
        let mut total: usize = 0;
        for id in state.client.documents() {
            total = total.saturating_add(state.client.unsynced_changes(id)?);
        }
        Some(u32::try_from(total).unwrap_or(u32::MAX))
    }

    /// Whether the relay has every change of every open document.
    #[wasm_bindgen(js_name = allInSync)]
    pub fn all_in_sync(&self) -> bool {
        let state = self.state.borrow();
        state.client.documents().all(|id| state.client.in_sync(id))
    }

    /// How many changes of the document the relay has not acknowledged; offline, counted from
    /// what it had acknowledged when the connection dropped; `undefined` when unknown.
    #[wasm_bindgen(js_name = unsyncedChanges)]
    pub fn unsynced_changes(
        &self,
        #[wasm_bindgen(js_name = documentId)] document_id: &str,
    ) -> Option<u32> {
        let id = document_id.parse::<DocumentId>().ok()?;
        let count = self.state.borrow().client.unsynced_changes(id)?;
        Some(u32::try_from(count).unwrap_or(u32::MAX))
    }
}

impl Repo {
    /// Converts a step, led by what in-place edits left pending, and notes the deals that
    /// arrived.
    fn output(&mut self, step: ClientStep, close: bool) -> JsResult<Ts<RepoStep>> {
        let mut pending = std::mem::take(&mut self.state.borrow_mut().pending);
        pending.store.extend(step.store);
        pending.send.extend(step.send);
        pending.events.extend(step.events);
        let step = pending;
        let events = Array::new();
        for event in step.events {
            match event {
                ClientEvent::Connected { server } => {
                    events.push(&object(&[
                        ("kind", "connected".into()),
                        ("server", server.as_str().into()),
                    ]));
                }
                // Documents of other kinds are left to the sync client.
                ClientEvent::DocumentChanged { document_id }
                    if self.state.borrow_mut().adopt(document_id) =>
                {
                    events.push(&object(&[
                        ("kind", "changed".into()),
                        ("documentId", document_id.to_string().into()),
                    ]));
                }
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
