//! The document actor: one task per loaded document, owning its `DocSync`.
//!
//! Commands are handled in order: decide access, run core, persist the step's writes
//! (`put_batch` resolves after COMMIT), then hand its frames to the connections. Messages that
//! are already waiting when the actor gets to them are applied together
//! (`DocSync::receive_in_batch`) and persisted in one `put_batch`; then core generates the
//! replies and the fan-out of every new change once for the whole batch
//! (`DocSync::finish_batch`: one message encoded once for all the peers that were in sync), and
//! only after the commit are any frames sent. A busy document pays one commit and one fan-out
//! per batch rather than per message, and nothing is sent before it is durable.
//! Only peers whose access allows it are peers of the `DocSync`, so a frame of the document can
//! only ever be generated for someone who may read it.

mod server_write;

pub(crate) use server_write::{ServerWrite, ServerWriteFn};

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dealflow_core::sync::{
    DocSync, DocumentId, Outgoing, PeerAccess, PeerId, RejectionNotice, Step, StorageOp, SyncError,
    WireMessage,
};
use dealflow_core::{
    Access, DealRole, OwnershipChange, Timestamp, UserId, access, decide_ownership, document_type,
    is_deal_document, relay_commit_options, write_deal_owner, write_deal_team_member,
};
use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};

use super::Relay;
use super::link::{Close, ConnectionLink, Delivery, code};
use crate::error::AppError;
use crate::storage::{DocumentRecord, DocumentSummary, document_chunks, sync_ops};

/// A request to a document actor.
#[derive(Debug)]
pub(crate) enum DocCommand {
    /// A connection opened the document (sent once, before its first message).
    Attach {
        /// The connection.
        link: Arc<ConnectionLink>,
    },
    /// A connection closed or re-joined.
    Detach {
        /// The connection's relay-assigned peer id.
        peer: PeerId,
    },
    /// A document message from a connection.
    Message {
        /// The connection (an `Arc`, so routing a message allocates nothing).
        link: Arc<ConnectionLink>,
        /// The message.
        message: WireMessage,
        /// When the connection received it.
        received_at: Instant,
    },
    /// An exclusive change to the document's record, from the HTTP API.
    Decide {
        /// Who asks.
        by: UserId,
        /// What.
        change: OwnershipChange,
        /// The role written into the document for a new deal-team member.
        role: DealRole,
        /// The answer.
        reply: oneshot::Sender<Result<DocumentRecord, AppError>>,
    },
    /// A write the relay makes as the server after deciding an exclusive action.
    Write(ServerWrite),
    /// Test only: make the next document call panic, as Automerge can on hostile input.
    #[cfg(test)]
    PanicOnNextMessage,
}

/// Most messages applied before their writes are committed together.
const MAX_BATCH: usize = 64;

/// Steps applied but not yet persisted: their writes in order, then their frames in order.
#[derive(Debug, Default)]
struct Pending {
    store: Vec<StorageOp>,
    sends: Vec<(Vec<Outgoing>, Option<Instant>)>,
    /// The connections whose messages caused the writes; if the commit fails they are dropped.
    sources: Vec<Arc<ConnectionLink>>,
    /// When the batch's first message was received (the fan-out's latency starts there).
    first_received: Option<Instant>,
    /// The connection whose message gave an unregistered document its first content: the
    /// document is registered to its user before any frame of the batch is sent.
    creator: Option<Arc<ConnectionLink>>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.store.is_empty() && self.sends.is_empty()
    }
}

/// How an actor ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ActorExit {
    /// Idle and unloaded, or every sender is gone.
    Unloaded,
    /// It panicked outside the guarded document calls.
    Crashed,
}

/// Where a connection stands with this document.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Standing {
    /// Asked for it and was told `doc-unavailable`; not a peer of the `DocSync`.
    Waiting,
    /// Offers content for an unregistered document and may create it.
    Creating,
    /// A peer with this access (at least `Read`).
    Peer(Access),
}

#[derive(Debug)]
struct Attached {
    link: Arc<ConnectionLink>,
    standing: Standing,
}

/// Runs the actor until it unloads; a panic that escapes the guarded calls is logged and
/// reported as [`ActorExit::Crashed`].
pub(crate) async fn run(
    relay: Relay,
    id: DocumentId,
    generation: u64,
    receiver: mpsc::Receiver<DocCommand>,
) -> ActorExit {
    let outcome = AssertUnwindSafe(async move {
        let mut actor = DocActor::load(relay, id).await;
        actor.serve(generation, receiver).await;
    })
    .catch_unwind()
    .await;
    match outcome {
        Ok(()) => ActorExit::Unloaded,
        Err(panic) => {
            tracing::error!(document = %id, panic = panic_message(&*panic), "document actor panicked");
            ActorExit::Crashed
        }
    }
}

struct DocActor {
    relay: Relay,
    id: DocumentId,
    /// `None` when the stored document cannot be loaded: it is then unavailable to everyone
    /// and nothing is written over it.
    sync: Option<DocSync>,
    record: Option<DocumentRecord>,
    links: HashMap<PeerId, Attached>,
    pending: Pending,
    /// The summary last written for the document list (`None`: write it with the next change).
    summary: Option<DocumentSummary>,
    #[cfg(test)]
    panic_next: bool,
}

impl DocActor {
    async fn load(relay: Relay, id: DocumentId) -> Self {
        let record = match relay.shared.records.document(id).await {
            Ok(record) => record,
            Err(error) => {
                tracing::error!(document = %id, %error, "cannot read the document record");
                None
            }
        };
        let sync = load_sync(&relay, id).await;
        DocActor {
            relay,
            id,
            sync,
            record,
            links: HashMap::new(),
            pending: Pending::default(),
            summary: None,
            #[cfg(test)]
            panic_next: false,
        }
    }

    async fn serve(&mut self, generation: u64, mut receiver: mpsc::Receiver<DocCommand>) {
        loop {
            let wants_compaction = self.sync.as_ref().is_some_and(DocSync::wants_compaction);
            let wait = if wants_compaction {
                self.relay.shared.quiet_compaction
            } else {
                self.relay.shared.idle_unload
            };
            match tokio::time::timeout(wait, receiver.recv()).await {
                Ok(Some(command)) => {
                    self.handle(command).await;
                    // Whatever else already waits joins this batch: one commit covers it all.
                    let mut n_handled = 1;
                    while n_handled < MAX_BATCH && !self.pending.is_empty() {
                        let Ok(command) = receiver.try_recv() else {
                            break;
                        };
                        self.handle(command).await;
                        n_handled += 1;
                    }
                    self.flush().await;
                }
                Ok(None) => {
                    self.flush().await;
                    return;
                }
                Err(_) if wants_compaction => self.compact().await,
                Err(_) => {
                    if self.links.is_empty()
                        && self.relay.try_unload(self.id, generation, &receiver)
                    {
                        tracing::debug!(document = %self.id, "unloaded an idle document");
                        return;
                    }
                }
            }
        }
    }

    async fn handle(&mut self, command: DocCommand) {
        match command {
            DocCommand::Attach { link } => {
                self.links.insert(
                    link.peer.clone(),
                    Attached {
                        link,
                        standing: Standing::Waiting,
                    },
                );
            }
            DocCommand::Detach { peer } => self.forget(&peer),
            DocCommand::Message {
                link,
                message,
                received_at,
            } => self.on_message(&link.peer, message, received_at).await,
            DocCommand::Decide {
                by,
                change,
                role,
                reply,
            } => {
                self.flush().await;
                let result = self.decide(by, change, role).await;
                let _ = reply.send(result);
            }
            DocCommand::Write(request) => self.server_write(request).await,
            #[cfg(test)]
            DocCommand::PanicOnNextMessage => self.panic_next = true,
        }
    }

    async fn on_message(&mut self, peer: &PeerId, message: WireMessage, received_at: Instant) {
        let Some(attached) = self.links.get(peer) else {
            return;
        };
        let link = Arc::clone(&attached.link);
        let standing = attached.standing;
        match &message {
            WireMessage::Request { .. } | WireMessage::Sync { .. } => {
                let is_request = matches!(message, WireMessage::Request { .. });
                if self.admit(&link, standing, is_request) {
                    self.apply(&link, message, received_at).await;
                }
            }
            // Presence and `doc-unavailable` only from peers of the document.
            WireMessage::Ephemeral { .. } | WireMessage::DocUnavailable { .. } => {
                if matches!(standing, Standing::Peer(_) | Standing::Creating) {
                    self.apply(&link, message, received_at).await;
                }
            }
            _ => {}
        }
    }

    /// Decides whether a `request` or `sync` from `link` reaches the document, registering the
    /// connection as a peer with its access; otherwise answers `doc-unavailable`.
    fn admit(&mut self, link: &Arc<ConnectionLink>, standing: Standing, is_request: bool) -> bool {
        if self.sync.is_none() {
            self.refuse_quietly(link, standing);
            return false;
        }
        if let Standing::Peer(_) = standing {
            // Decided when the peer was admitted, and brought in line with the record by
            // `reconcile` whenever the record changes (the directory is fixed while the relay
            // runs): not decided again for every message.
            return true;
        }
        let organisation = self.relay.shared.directory.organisation();
        let next = match &self.record {
            Some(record) => match record.access_for(organisation, &link.user).access {
                Access::None => None,
                granted => Some(Standing::Peer(granted)),
            },
            // An unregistered document: whoever may create one may offer content for it (the
            // first change registers it to them); a `request` finds nothing.
            None if !is_request && organisation.active_member(&link.user).is_some() => {
                Some(Standing::Creating)
            }
            None => None,
        };
        let Some(next) = next else {
            self.refuse_quietly(link, standing);
            return false;
        };
        if next != standing {
            if let Some(sync) = self.sync.as_mut() {
                sync.add_peer(link.peer.clone(), peer_access(next));
            }
            self.set_standing(&link.peer, next);
        }
        true
    }

    /// The same answer for unknown and forbidden documents, and no peer registration.
    fn refuse_quietly(&mut self, link: &Arc<ConnectionLink>, standing: Standing) {
        if standing != Standing::Waiting {
            if let Some(sync) = self.sync.as_mut() {
                sync.remove_peer(&link.peer);
            }
            self.set_standing(&link.peer, Standing::Waiting);
        }
        self.send_unavailable(link);
    }

    async fn apply(&mut self, link: &Arc<ConnectionLink>, message: WireMessage, at: Instant) {
        #[cfg(test)]
        let panic_next = std::mem::take(&mut self.panic_next);
        let Some(sync) = self.sync.as_mut() else {
            return;
        };
        let received = guarded(|| {
            #[cfg(test)]
            if panic_next {
                panic!("injected panic");
            }
            sync.receive_in_batch(&link.peer, message)
        });
        let step = match received {
            Some(Ok(step)) => step,
            Some(Err(error)) => {
                self.refuse(link, &error);
                return;
            }
            None => {
                // The changes applied before the panic are sound: persist them, then reload.
                // Their replies are not generated from a document that just panicked: every
                // peer restarts from a fresh sync state after the reload.
                self.persist_pending().await;
                self.recover(link, "panic").await;
                return;
            }
        };
        if step.dropped_changes > 0 {
            self.notify_dropped(link, step.dropped_changes);
        }
        // Pending before anything else happens: any flush from here on persists this message's
        // changes before it sends the batch's replies, which acknowledge them.
        self.pending.store.extend(step.store);
        self.pending.sends.push((step.send, Some(at)));
        self.pending.sources.push(Arc::clone(link));
        self.pending.first_received.get_or_insert(at);
        let has_content = self.sync.as_ref().is_some_and(|sync| !sync.is_empty());
        if self.record.is_none() && has_content {
            // Registered by the flush, between persisting the content and sending the
            // acknowledgement: whoever sees the change acknowledged finds the document listed.
            self.pending.creator.get_or_insert_with(|| Arc::clone(link));
            self.flush().await;
        }
    }

    /// Persists every pending step's writes in one batch, then sends their frames in order. If
    /// the write fails, nothing of them is sent: their connections are dropped and the document
    /// starts again from what is durable.
    async fn flush(&mut self) {
        if let Some(sync) = self.sync.as_mut() {
            let Some(finished) = guarded(|| sync.finish_batch()) else {
                self.persist_pending().await;
                self.reload().await;
                return;
            };
            if finished.shared_sends > 0 {
                let shared = finished.shared_sends as u64;
                self.relay.shared.metrics.shared_messages.increment(shared);
            }
            let caused_at = self.pending.first_received;
            self.pending.store.extend(finished.store);
            self.pending.sends.push((finished.send, caused_at));
        }
        if self.pending.is_empty() {
            self.pending = Pending::default();
            return;
        }
        let Pending {
            store,
            sends,
            sources,
            creator,
            ..
        } = std::mem::take(&mut self.pending);
        if !store.is_empty() {
            let stored = match self.storage_ops(store) {
                Ok(ops) => self.relay.shared.storage.put_batch(ops).await,
                Err(error) => Err(error),
            };
            if let Err(error) = stored {
                tracing::error!(document = %self.id, %error, "cannot persist changes");
                for source in &sources {
                    self.drop_source(source, "storage");
                }
                self.reload().await;
                return;
            }
        }
        let creator = creator.filter(|_| self.record.is_none());
        if let Some(creator) = &creator
            && let Err(error) = self.register(&creator.user).await
        {
            tracing::error!(document = %self.id, %error, "cannot register a new document");
            self.recover(creator, "storage").await;
            return;
        }
        for (outgoing, caused_at) in sends {
            self.send(outgoing, caused_at);
        }
        if creator.is_some() {
            // Connections that asked for the document before it existed are offered it now.
            let offers = self.reconcile();
            self.commit_and_send(offers, None).await;
        }
    }

    /// Persists the pending writes and drops their frames (the document is about to be
    /// reloaded, which restarts every peer's sync); if the write fails, their connections are
    /// dropped.
    async fn persist_pending(&mut self) {
        let Pending { store, sources, .. } = std::mem::take(&mut self.pending);
        if store.is_empty() {
            return;
        }
        let stored = match sync_ops(store) {
            Ok(ops) => self.relay.shared.storage.put_batch(ops).await,
            Err(error) => Err(error),
        };
        if let Err(error) = stored {
            tracing::error!(document = %self.id, %error, "cannot persist changes");
            for source in &sources {
                self.drop_source(source, "storage");
            }
        }
    }

    /// The writes of `store` for `put_batch`, with the document's summary for the document
    /// list when its title or kind changed, so the index is committed with the content.
    fn storage_ops(
        &mut self,
        store: Vec<StorageOp>,
    ) -> Result<Vec<crate::storage::StorageOp>, crate::storage::StorageError> {
        let mut ops = sync_ops(store)?;
        if let Some(sync) = self.sync.as_ref() {
            let summary = DocumentSummary::of(sync.doc());
            if self.summary.as_ref() != Some(&summary) {
                ops.push(summary.put(self.id)?);
                self.summary = Some(summary);
            }
        }
        Ok(ops)
    }

    /// Registers the document to its creator, with the kind its content declares.
    async fn register(&mut self, creator: &UserId) -> Result<(), crate::storage::StorageError> {
        let kind = self
            .sync
            .as_ref()
            .and_then(|sync| document_type(sync.doc()))
            .unwrap_or_else(|| dealflow_core::DEAL_TYPE.to_owned());
        let team = self
            .relay
            .shared
            .directory
            .user(creator)
            .and_then(|user| user.team.clone());
        let record = DocumentRecord::new(self.id, kind, creator.clone(), team, now_millis());
        let stored = self.relay.shared.records.register_document(record).await?;
        tracing::info!(document = %self.id, owner = %stored.owner, kind = %stored.kind, "registered a new document");
        self.record = Some(stored);
        Ok(())
    }

    /// Brings every connection's standing in line with the record: peers who lost access stop
    /// syncing (they keep what they have), and connections waiting for a document they may now
    /// see are offered it.
    fn reconcile(&mut self) -> Step {
        let mut step = Step::default();
        let Some(sync) = self.sync.as_mut() else {
            return step;
        };
        let organisation = self.relay.shared.directory.organisation();
        let mut unavailable = Vec::new();
        for (peer, attached) in &mut self.links {
            let granted = self.record.as_ref().map_or(Access::None, |record| {
                record.access_for(organisation, &attached.link.user).access
            });
            match (attached.standing, granted) {
                (Standing::Waiting, Access::None) => {}
                (_, Access::None) => {
                    sync.remove_peer(peer);
                    attached.standing = Standing::Waiting;
                    unavailable.push(Arc::clone(&attached.link));
                }
                (Standing::Waiting, granted) => {
                    sync.add_peer(peer.clone(), peer_access(Standing::Peer(granted)));
                    attached.standing = Standing::Peer(granted);
                    step.merge(sync.sync_with(peer));
                }
                (_, granted) => {
                    sync.add_peer(peer.clone(), peer_access(Standing::Peer(granted)));
                    attached.standing = Standing::Peer(granted);
                }
            }
        }
        for link in unavailable {
            self.send_unavailable(&link);
        }
        step
    }

    /// Persists the step's writes, then hands its frames to the connections (for the relay's
    /// own writes, with nothing pending).
    async fn commit_and_send(&mut self, step: Step, caused_at: Option<Instant>) {
        if !step.store.is_empty() {
            let stored = match self.storage_ops(step.store) {
                Ok(ops) => self.relay.shared.storage.put_batch(ops).await,
                Err(error) => Err(error),
            };
            if let Err(error) = stored {
                // Nothing of this step may be sent: start again from what is durable.
                tracing::error!(document = %self.id, %error, "cannot persist a change");
                self.reload().await;
                return;
            }
        }
        self.send(step.send, caused_at);
    }

    fn send(&mut self, outgoing: Vec<Outgoing>, caused_at: Option<Instant>) {
        let mut gone = Vec::new();
        for Outgoing { peer, mut message } in outgoing {
            let Some(attached) = self.links.get(&peer) else {
                continue;
            };
            if attached.standing == Standing::Waiting {
                continue;
            }
            message.set_target_id(attached.link.remote.clone());
            if attached.link.deliver(message.encode(), caused_at) == Delivery::Gone {
                gone.push(peer);
            }
        }
        for peer in gone {
            self.forget(&peer);
        }
    }

    fn send_unavailable(&self, link: &ConnectionLink) {
        let message = WireMessage::DocUnavailable {
            sender_id: self.relay.shared.peer_id.clone(),
            target_id: link.remote.clone(),
            document_id: self.id,
        };
        let _ = link.deliver(message.encode(), None);
    }

    /// Tells a read-only peer its changes were dropped (see `RejectionNotice`).
    fn notify_dropped(&self, link: &ConnectionLink, dropped: usize) {
        self.relay.shared.metrics.rejected("read_only");
        tracing::info!(
            document = %self.id,
            user = %link.user,
            dropped,
            "dropped changes from a read-only peer"
        );
        let notice = WireMessage::Ephemeral {
            sender_id: self.relay.shared.peer_id.clone(),
            target_id: link.remote.clone(),
            document_id: self.id,
            session_id: self.relay.shared.session_id.clone(),
            count: self.relay.next_notice_count(),
            data: RejectionNotice::new("read_only", dropped as u64).encode(),
        };
        let _ = link.deliver(notice.encode(), None);
    }

    /// A message the document refused: an `error` frame and close for that connection only.
    fn refuse(&mut self, link: &Arc<ConnectionLink>, error: &SyncError) {
        let label = match error {
            SyncError::DocumentTooLarge { .. } | SyncError::InflatesTooLarge { .. } => "too_large",
            _ => "invalid_sync",
        };
        tracing::info!(document = %self.id, user = %link.user, %error, "refused a sync message");
        link.close(Close::refused(
            code::POLICY,
            label,
            &self.relay.shared.peer_id,
            Some(&link.remote),
            error.to_string(),
        ));
        self.forget(&link.peer);
    }

    /// After a panic or a failed write: drop the offending connection, reload the document from
    /// storage and restart every other peer's sync from a fresh state.
    async fn recover(&mut self, link: &Arc<ConnectionLink>, label: &'static str) {
        self.drop_source(link, label);
        self.reload().await;
    }

    /// Closes a connection whose message the relay could not handle (1011).
    fn drop_source(&mut self, link: &Arc<ConnectionLink>, label: &'static str) {
        link.close(Close::refused(
            code::SERVER_ERROR,
            label,
            &self.relay.shared.peer_id,
            Some(&link.remote),
            format!(
                "the relay could not handle a message for document {}: reconnect",
                self.id
            ),
        ));
        self.forget(&link.peer);
    }

    async fn reload(&mut self) {
        tracing::warn!(document = %self.id, "reloading the document from storage");
        self.sync = load_sync(&self.relay, self.id).await;
        // The last summary write may not have committed: write it again with the next change.
        self.summary = None;
        match self.relay.shared.records.document(self.id).await {
            Ok(record) => self.record = record,
            Err(error) => tracing::error!(document = %self.id, %error, "cannot reread the record"),
        }
        for attached in self.links.values_mut() {
            if attached.standing == Standing::Creating {
                attached.standing = Standing::Waiting;
            }
            if let Standing::Peer(_) = attached.standing {
                // Re-admitted with a fresh sync state by reconcile below.
                attached.standing = Standing::Waiting;
            }
        }
        let step = self.reconcile();
        // The offers carry only what was just loaded from storage: nothing to persist.
        self.send(step.send, None);
    }

    async fn compact(&mut self) {
        let Some(sync) = self.sync.as_mut() else {
            return;
        };
        let Some(ops) = guarded(|| sync.compact()) else {
            self.reload().await;
            return;
        };
        let stored = match sync_ops(ops) {
            Ok(ops) => self.relay.shared.storage.put_batch(ops).await,
            Err(error) => Err(error),
        };
        if let Err(error) = stored {
            tracing::error!(document = %self.id, %error, "compaction failed");
            self.reload().await;
        }
    }

    async fn decide(
        &mut self,
        by: UserId,
        change: OwnershipChange,
        role: DealRole,
    ) -> Result<DocumentRecord, AppError> {
        let id = self.id;
        let unavailable = move || AppError::DocumentUnavailable {
            document: id.to_string(),
        };
        let organisation = self.relay.shared.directory.organisation();
        let visible = self
            .record
            .as_ref()
            .is_some_and(|record| access(organisation, &by, &record.descriptor()).can_read());
        if !visible {
            return Err(unavailable());
        }
        let directory = Arc::clone(&self.relay.shared.directory);
        let (decider, decision) = (by.clone(), change.clone());
        let decided = self
            .relay
            .shared
            .records
            .update_document(
                self.id,
                Box::new(move |current| {
                    let next = decide_ownership(
                        directory.organisation(),
                        &decider,
                        &current.descriptor(),
                        &decision,
                    )?;
                    Ok(current.with_decision(&next, role))
                }),
            )
            .await?;
        let next = match decided {
            None => return Err(unavailable()),
            Some(Err(refused)) => return Err(refused.into()),
            Some(Ok(next)) => next,
        };
        let previous = self.record.replace(next.clone());
        let mut step = self.write_record(&by, previous.as_ref(), &next, &change);
        step.merge(self.reconcile());
        self.commit_and_send(step, None).await;
        tracing::info!(document = %self.id, by = %by, ?change, "decided an ownership change");
        Ok(next)
    }

    /// Writes the decided owner and deal team into a deal document, as `by`.
    fn write_record(
        &mut self,
        by: &UserId,
        previous: Option<&DocumentRecord>,
        next: &DocumentRecord,
        change: &OwnershipChange,
    ) -> Step {
        let Some(sync) = self.sync.as_mut() else {
            return Step::default();
        };
        if !is_deal_document(sync.doc()) {
            return Step::default();
        }
        let removed: Vec<UserId> = previous
            .map(|previous| {
                previous
                    .members
                    .iter()
                    .filter(|member| !next.members.iter().any(|now| now.user == member.user))
                    .map(|member| member.user.clone())
                    .collect()
            })
            .unwrap_or_default();
        let summary = match change {
            OwnershipChange::Transfer { to } => format!("transfer ownership to {to}"),
            OwnershipChange::AddMember { user, .. } => format!("add {user} to the deal team"),
            OwnershipChange::RemoveMember { user } => format!("remove {user} from the deal team"),
        };
        let options = relay_commit_options(by, Timestamp::from_millis(now_millis()), &summary);
        let mut failure = None;
        let written = guarded(|| {
            sync.change_with(options, |tx| {
                let mut write = || -> Result<(), dealflow_core::DocError> {
                    write_deal_owner(tx, &next.owner, next.team.as_ref())?;
                    for user in &removed {
                        write_deal_team_member(tx, user, None)?;
                    }
                    for member in &next.members {
                        write_deal_team_member(tx, &member.user, Some(member.role))?;
                    }
                    Ok(())
                };
                write().map_err(|error| {
                    failure = Some(error);
                    dealflow_core::automerge::AutomergeError::Fail
                })
            })
        });
        match written {
            Some(Ok(((), step))) => step,
            Some(Err(error)) => {
                tracing::warn!(document = %self.id, %error, ?failure, "cannot write the decision into the document");
                Step::default()
            }
            None => Step::default(),
        }
    }

    fn set_standing(&mut self, peer: &PeerId, standing: Standing) {
        if let Some(attached) = self.links.get_mut(peer) {
            attached.standing = standing;
        }
    }

    fn forget(&mut self, peer: &PeerId) {
        if let Some(sync) = self.sync.as_mut() {
            sync.remove_peer(peer);
        }
        self.links.remove(peer);
    }
}

fn peer_access(standing: Standing) -> PeerAccess {
    match standing {
        Standing::Peer(Access::Read) => PeerAccess::ReadOnly,
        _ => PeerAccess::ReadWrite,
    }
}

/// Loads the document from storage; `None` if it cannot be (corrupt, too large, panicked).
async fn load_sync(relay: &Relay, id: DocumentId) -> Option<DocSync> {
    let chunks = match document_chunks(&*relay.shared.storage, id).await {
        Ok(chunks) => chunks,
        Err(error) => {
            tracing::error!(document = %id, %error, "cannot read the document's chunks");
            return None;
        }
    };
    let peer = relay.shared.peer_id.clone();
    let limits = relay.shared.sync_limits;
    match guarded(|| DocSync::load(id, peer, chunks, limits)) {
        Some(Ok((mut sync, truncated))) => {
            if !truncated.is_empty() {
                tracing::warn!(document = %id, chunks = truncated.len(), "skipped truncated chunk tails");
            }
            sync.set_manual_compaction(true);
            Some(sync)
        }
        Some(Err(error)) => {
            tracing::error!(document = %id, %error, "cannot load the document");
            None
        }
        None => {
            tracing::error!(document = %id, "loading the document panicked");
            None
        }
    }
}

/// Runs a call into Automerge, catching a panic (`None`). Automerge can panic on some inputs;
/// the caller then drops the offending connection and reloads the document from storage.
fn guarded<T>(call: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(value) => Some(value),
        Err(panic) => {
            tracing::error!(panic = panic_message(&*panic), "a document call panicked");
            None
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message")
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}
