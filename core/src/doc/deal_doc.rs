//! [`DealDoc`]: one deal as an Automerge document, with typed edits, stage moves that are
//! written only when the pipeline accepts them, and sync.

use automerge::hydrate::{Map, Value as HydratedValue};
use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transaction;
use automerge::{ActorId, Automerge, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value};
use time::Date;

use super::deal_records::{self as records, Fallbacks, Write};
use super::deal_schema::{DealRead, read_deal, write_deal};
use super::error::DocError;
use super::history::{self, ChangeRecord, FieldChange};
use super::read::{Path, Reader};
use super::write::{WriteDoc, Writer};
use super::{DEAL_TYPE, check_doc_type, commit_options, load_document, placeholder};
use crate::deal::{
    Account, Budget, CategoryOverride, ChecklistTick, Comment, Competitor, Contact, Deal, DealRole,
    FollowUp, LearnedProbability, ManualProbability, NewDeal, NextStep, ProductLine, Relationship,
    Task, TaskStatus,
};
use crate::error::Error;
use crate::id::{ContactId, RecordId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::{ForecastCategory, MoveContext, MoveOutcome, MoveTarget, Pipeline};
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// One deal as an Automerge document.
///
/// Every edit is one Automerge change that records who made it and when ([`DealDoc::changes`]).
/// Edits read the current deal, change it and write back only what differs, field by field, so
/// concurrent edits on other replicas merge instead of being overwritten. A stage move is
/// checked by [`Pipeline::move_deal`] first and written only when it is accepted.
///
/// ```
/// use dealflow_core::*;
/// use automerge::ActorId;
/// use time::macros::offset;
///
/// let pipeline = Pipeline::template_new_business();
/// let rep = UserId::new("rep-li")?;
/// let now = Timestamp::from_millis(1_764_000_000_000);
/// let ctx = MoveContext { now, offset: offset!(+8), by: rep.clone(), transition_id: RecordId::new("t1")? };
/// let new = NewDeal {
///     id: DealId::new("deal-1")?,
///     title: "华东电网 CRM 二期".into(),
///     account: Account { name: "华东电网".into(), ..Account::default() },
///     amount: Money::from_major(100_000, Currency::CNY)?,
///     expected_close: None,
///     owner: rep.clone(),
///     team: None,
///     source: None,
///     stage: None,
/// };
/// let (deal, _tasks) = pipeline.open_deal(new, &ctx)?;
///
/// // Two replicas of the same document (a laptop and a phone), editing offline.
/// let mut laptop = DealDoc::create(&deal, ActorId::from(*b"laptop"), &rep, now)?;
/// let mut phone = laptop.fork(ActorId::from(*b"phone"));
/// laptop.update_text(&rep, now, &TextField::Needs, "统一客服平台")?;
/// phone.set_title(&rep, now, "华东电网 CRM 二期（扩容）")?;
///
/// laptop.merge(&mut phone)?;
/// let read = laptop.read()?;
/// assert_eq!(read.deal.needs, "统一客服平台");
/// assert_eq!(read.deal.title, "华东电网 CRM 二期（扩容）");
/// assert!(read.problems.is_empty());
///
/// let bytes = laptop.save();
/// let reopened = DealDoc::load(&bytes, ActorId::from(*b"laptop-2"))?;
/// assert_eq!(reopened.read()?.deal, read.deal);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
///
/// A `DealDoc` is a plain [`Automerge`] document with typed edits: each edit is one
/// transaction. The browser edits the sync client's own document in place
/// ([`DealDoc::edit_in_place`]), so a deal the page holds exists once in memory.
#[derive(Debug)]
pub struct DealDoc {
    doc: Automerge,
    /// The heads at the last `save` or `save_incremental` (what storage already has).
    saved: Vec<ChangeHash>,
}

/// A collaborative text field of a deal, for character-level edits.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum TextField {
    /// The deal's needs and pain points.
    Needs,
    /// The expected business value.
    BusinessValue,
    /// The account's background notes.
    AccountBackground,
    /// What was discussed in a follow-up.
    FollowUpSummary(RecordId),
    /// The customer's feedback recorded in a follow-up.
    FollowUpFeedback(RecordId),
    /// The text of a comment.
    CommentText(RecordId),
}

impl TextField {
    /// Where the text object sits: the parent path from the root, and the key.
    fn location(&self) -> (Vec<(&'static str, Option<&str>)>, &'static str) {
        match self {
            TextField::Needs => (Vec::new(), "needs"),
            TextField::BusinessValue => (Vec::new(), "businessValue"),
            TextField::AccountBackground => (vec![("account", None)], "background"),
            TextField::FollowUpSummary(id) => (vec![("followUps", Some(id.as_str()))], "summary"),
            TextField::FollowUpFeedback(id) => {
                (vec![("followUps", Some(id.as_str()))], "customerFeedback")
            }
            TextField::CommentText(id) => (vec![("comments", Some(id.as_str()))], "text"),
        }
    }
}

impl DealDoc {
    /// A new document holding `deal`, written by `author` at `now`. `actor` identifies this
    /// replica's changes and must not be shared with another replica editing concurrently.
    pub fn create(
        deal: &Deal,
        actor: ActorId,
        author: &UserId,
        now: Timestamp,
    ) -> Result<Self, DocError> {
        let mut doc = Automerge::new().with_actor(actor);
        let mut tx = doc.transaction();
        write_deal(&mut Writer { doc: &mut tx }, None, deal)?;
        tx.commit_with(commit_options(author, now, "create deal"));
        Ok(DealDoc {
            doc,
            saved: Vec::new(),
        })
    }

    /// Opens a new deal in `pipeline` ([`Pipeline::open_deal`]) and creates its document, as
    /// `ctx.by` at `ctx.now`; returns the document and the tasks of the starting stage. When the
    /// starting stage's entry criteria are unmet nothing is created and the error lists them.
    pub fn open(
        pipeline: &Pipeline,
        new: NewDeal,
        ctx: &MoveContext,
        actor: ActorId,
    ) -> Result<(Self, Vec<Task>), Error> {
        let (deal, tasks) = pipeline.open_deal(new, ctx)?;
        let doc = DealDoc::create(&deal, actor, &ctx.by, ctx.now)?;
        Ok((doc, tasks))
    }

    /// Opens a saved document; bytes that are not a deal document give a [`DocError`].
    pub fn load(bytes: &[u8], actor: ActorId) -> Result<Self, DocError> {
        let doc = load_document(bytes, actor, DEAL_TYPE)?;
        let saved = doc.get_heads();
        Ok(DealDoc { doc, saved })
    }

    /// Wraps a document that the sync layer holds, after checking its type.
    pub fn from_automerge(doc: Automerge) -> Result<Self, DocError> {
        check_doc_type(&doc, DEAL_TYPE)?;
        Ok(DealDoc {
            doc,
            saved: Vec::new(),
        })
    }

    /// The underlying Automerge document, read-only: for the sync layer and storage.
    pub fn as_automerge(&self) -> &Automerge {
        &self.doc
    }

    /// Gives up the typed wrapper.
    pub fn into_automerge(self) -> Automerge {
        self.doc
    }

    /// Runs `edit` on `doc` as a deal document edited by `actor`, in place: no copy is made,
    /// so the sync layer's document can be the only replica of a deal. Fails, leaving `doc`
    /// untouched, unless it is a deal document.
    pub fn edit_in_place<T>(
        doc: &mut Automerge,
        actor: ActorId,
        edit: impl FnOnce(&mut DealDoc) -> T,
    ) -> Result<T, DocError> {
        let mut deal = DealDoc::take_in_place(doc, actor)?;
        let output = edit(&mut deal);
        *doc = deal.doc;
        Ok(output)
    }

    /// Takes `doc` to edit in place as `actor` ([`DealDoc::edit_in_place`], which puts it back);
    /// not generic, so it is compiled once however many kinds of edit there are.
    fn take_in_place(doc: &mut Automerge, actor: ActorId) -> Result<DealDoc, DocError> {
        check_doc_type(doc, DEAL_TYPE)?;
        let mut deal = DealDoc {
            doc: std::mem::take(doc),
            saved: Vec::new(),
        };
        deal.doc.set_actor(actor);
        Ok(deal)
    }

    /// Reads `doc` as a deal without taking it (see [`DealDoc::read`]).
    pub fn read_document(doc: &Automerge) -> Result<DealRead, DocError> {
        check_doc_type(doc, DEAL_TYPE)?;
        read_root(doc, None)
    }

    /// A replica holding every change of `synced`, a document the sync layer holds (e.g.
    /// received from the relay), editing as `actor`; fails unless it is a deal document.
    pub fn from_synced(synced: &automerge::Automerge, actor: ActorId) -> Result<Self, DocError> {
        let mut doc = Automerge::new().with_actor(actor);
        doc.apply_changes(synced.get_changes(&[]))
            .map_err(|error| DocError::corrupt("changes", &error))?;
        DealDoc::from_automerge(doc)
    }

    /// The changes of this replica that `synced` lacks: local edits to hand to the sync layer.
    pub fn changes_missing_from(&mut self, synced: &automerge::Automerge) -> Vec<Change> {
        synced.get_changes_added(&self.doc)
    }

    /// Takes in the changes of `synced` that this replica lacks (e.g. received from the relay);
    /// returns whether any arrived.
    pub fn catch_up(&mut self, synced: &automerge::Automerge) -> Result<bool, DocError> {
        let changes = self.doc.get_changes_added(synced);
        if changes.is_empty() {
            return Ok(false);
        }
        self.doc
            .apply_changes(changes)
            .map_err(|error| DocError::corrupt("changes", &error))?;
        Ok(true)
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.saved = self.doc.get_heads();
        self.doc.save()
    }

    /// The changes since the last `save` or `save_incremental`, to append to storage.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let bytes = self.doc.save_after(&self.saved);
        self.saved = self.doc.get_heads();
        bytes
    }

    /// Applies changes saved by another replica (`save_incremental` or `save` output).
    pub fn load_incremental(&mut self, bytes: &[u8]) -> Result<(), DocError> {
        self.doc
            .load_incremental(bytes)
            .map(|_| ())
            .map_err(|error| DocError::corrupt("changes", &error))
    }

    /// The current heads: the hashes of the latest changes.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// A second replica of this document with its own actor (e.g. for working offline).
    pub fn fork(&mut self, actor: ActorId) -> Self {
        DealDoc {
            doc: self.doc.fork().with_actor(actor),
            saved: Vec::new(),
        }
    }

    /// Takes in every change of `other` that this replica lacks.
    pub fn merge(&mut self, other: &mut DealDoc) -> Result<(), DocError> {
        self.doc
            .merge(&mut other.doc)
            .map(|_| ())
            .map_err(|error| DocError::corrupt("changes", &error))
    }

    /// The next sync message for a peer, if there is anything to say.
    pub fn generate_sync_message(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        self.doc.generate_sync_message(state)
    }

    /// Applies a sync message from a peer.
    pub fn receive_sync_message(
        &mut self,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<(), DocError> {
        self.doc
            .receive_sync_message(state, message)
            .map_err(|error| DocError::corrupt("sync message", &error))
    }

    /// Reads the deal; fields of the wrong type become [`DealRead::problems`] and fall back.
    pub fn read(&self) -> Result<DealRead, DocError> {
        read_root(&self.doc, None)
    }

    /// Reads the deal as it was at `heads`.
    pub fn read_at(&self, heads: &[ChangeHash]) -> Result<DealRead, DocError> {
        read_root(&self.doc, Some(heads))
    }

    /// Edits the deal: `edit` changes the current deal, and only what differs is written, as
    /// one change by `author` at `now` described by `summary`. Returns whether anything changed.
    ///
    /// The stage history cannot be edited here ([`DocError::HistoryEdited`]): moves go through
    /// [`DealDoc::move_stage`].
    pub fn update(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        edit: impl FnOnce(&mut Deal),
    ) -> Result<bool, DocError> {
        self.try_update(author, now, summary, |deal| {
            edit(deal);
            Ok(())
        })
    }

    fn try_update(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        edit: impl FnOnce(&mut Deal) -> Result<(), DocError>,
    ) -> Result<bool, DocError> {
        let mut edit = Some(edit);
        self.update_with(author, now, summary, &mut |deal| match edit.take() {
            Some(edit) => edit(deal),
            None => Ok(()),
        })
    }

    /// [`DealDoc::try_update`] through one non-generic body, compiled once for every kind of
    /// update instead of once per update (the browser module has a dozen).
    fn update_with(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        edit: &mut dyn FnMut(&mut Deal) -> Result<(), DocError>,
    ) -> Result<bool, DocError> {
        let before = self.read()?.deal;
        let mut after = before.clone();
        edit(&mut after)?;
        if after.history != before.history {
            return Err(DocError::HistoryEdited);
        }
        self.write(author, now, summary, &before, &after)
    }

    /// Writes the difference between two states as one change; rolls back on failure.
    fn write(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        before: &Deal,
        after: &Deal,
    ) -> Result<bool, DocError> {
        if before == after {
            return Ok(false);
        }
        self.transact(author, now, summary, |tx| {
            write_deal(&mut Writer { doc: tx }, Some(before), after)
        })
    }

    /// Moves the deal to `target` under `pipeline`'s rules, as `ctx.by` at `ctx.now`.
    ///
    /// The move is checked by [`Pipeline::move_deal`] on the current deal; a rejected move
    /// returns the pipeline's error and writes nothing (the heads stay the same). An accepted
    /// move writes the new history entry and the tasks of the stage entered.
    pub fn move_stage(
        &mut self,
        pipeline: &Pipeline,
        target: &MoveTarget,
        ctx: &MoveContext,
    ) -> Result<MoveOutcome, Error> {
        let before = self.read()?.deal;
        let mut after = before.clone();
        let outcome = pipeline.move_deal(&mut after, target, ctx)?;
        let summary = match target {
            MoveTarget::Stage { stage } => format!("move to stage {stage}"),
            MoveTarget::Won => "close as won".to_owned(),
            MoveTarget::Lost { reason, .. } => format!("close as lost ({reason})"),
            MoveTarget::Stopped { reason, .. } => format!("stop ({reason})"),
            MoveTarget::Reopen { stage } => format!("reopen in stage {stage}"),
        };
        self.write(&ctx.by, ctx.now, &summary, &before, &after)?;
        Ok(outcome)
    }

    /// Sets the title.
    pub fn set_title(
        &mut self,
        author: &UserId,
        now: Timestamp,
        title: &str,
    ) -> Result<bool, DocError> {
        self.set_root_string(author, now, "set title", "title", title)
    }

    /// Sets the amount and logs the change under `change_id` (see [`Deal::set_amount`]).
    pub fn set_amount(
        &mut self,
        author: &UserId,
        now: Timestamp,
        amount: Money,
        change_id: RecordId,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set amount", |deal| {
            deal.set_amount(amount, author.clone(), now, change_id);
        })
    }

    /// Sets the expected close date and logs the change (see [`Deal::set_expected_close`]).
    pub fn set_expected_close(
        &mut self,
        author: &UserId,
        now: Timestamp,
        date: Option<Date>,
        change_id: RecordId,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set expected close date", |deal| {
            deal.set_expected_close(date, author.clone(), now, change_id);
        })
    }

    /// Sets the customer account's fields; the background is written by character diff, so
    /// concurrent typing in it survives.
    pub fn set_account(
        &mut self,
        author: &UserId,
        now: Timestamp,
        account: &Account,
    ) -> Result<bool, DocError> {
        self.update(author, now, "edit account", |deal| {
            deal.account = account.clone()
        })
    }

    /// Sets the budget range, whether it is confirmed, and the approval cycle.
    pub fn set_budget(
        &mut self,
        author: &UserId,
        now: Timestamp,
        budget: &Budget,
    ) -> Result<bool, DocError> {
        self.update(author, now, "edit budget", |deal| {
            deal.budget = budget.clone()
        })
    }

    /// Sets (or clears) the source channel.
    pub fn set_source(
        &mut self,
        author: &UserId,
        now: Timestamp,
        source: Option<&str>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set source", |deal| {
            deal.source = source.map(str::to_owned)
        })
    }

    /// Sets (or clears) the marketing campaign.
    pub fn set_campaign(
        &mut self,
        author: &UserId,
        now: Timestamp,
        campaign: Option<&str>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set campaign", |deal| {
            deal.campaign = campaign.map(str::to_owned)
        })
    }

    /// Adds a deal-team member with `role`, changes their role, or removes them (`None`).
    pub fn set_deal_team_member(
        &mut self,
        author: &UserId,
        now: Timestamp,
        member: &UserId,
        role: Option<DealRole>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "edit deal team", |deal| match role {
            Some(role) => {
                deal.deal_team.insert(member.clone(), role);
            }
            None => {
                deal.deal_team.remove(member);
            }
        })
    }

    /// Replaces a text field's content by a character diff, so concurrent typing elsewhere in
    /// the text survives.
    pub fn update_text(
        &mut self,
        author: &UserId,
        now: Timestamp,
        field: &TextField,
        text: &str,
    ) -> Result<bool, DocError> {
        self.transact(author, now, "edit text", |tx| {
            let object = text_object(tx, field)?;
            tx.update_text_to(&object, text)
                .map_err(|error| DocError::write(&error))
        })
    }

    /// Deletes `delete` characters at `position` and inserts `insert` there: the edit an editor
    /// reports as the user types. Positions count in the document's text encoding: Unicode
    /// scalar values, unless automerge is built with its `utf16-indexing` feature.
    pub fn splice_text(
        &mut self,
        author: &UserId,
        now: Timestamp,
        field: &TextField,
        position: usize,
        delete: usize,
        insert: &str,
    ) -> Result<(), DocError> {
        self.transact(author, now, "edit text", |tx| {
            let object = text_object(tx, field)?;
            let length = tx.length(&object);
            let out_of_range = || DocError::TextRange {
                position,
                delete,
                length,
            };
            if position.checked_add(delete).is_none_or(|end| end > length) {
                return Err(out_of_range());
            }
            let delete_count = isize::try_from(delete).map_err(|_| out_of_range())?;
            tx.splice_text_at(&object, position, delete_count, insert)
                .map_err(|error| DocError::write(&error))
        })?;
        Ok(())
    }

    /// Runs `write` in one transaction committed as `author` at `now`, or rolled back when it
    /// fails. Returns whether a change was made.
    fn transact(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        write: impl FnOnce(&mut Transaction<'_>) -> Result<(), DocError>,
    ) -> Result<bool, DocError> {
        let mut tx = self.doc.transaction();
        if let Err(error) = write(&mut tx) {
            tx.rollback();
            return Err(error);
        }
        let (hash, _) = tx.commit_with(commit_options(author, now, summary));
        Ok(hash.is_some())
    }

    /// Adds or edits a contact (only the fields that changed are written).
    pub fn upsert_contact(
        &mut self,
        author: &UserId,
        now: Timestamp,
        contact: &Contact,
    ) -> Result<bool, DocError> {
        let id = contact.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "edit contact",
            "contacts",
            &id,
            contact,
            |reader, map, path, key, _| records::read_contact(reader, map, path, key),
            records::WRITE_CONTACT,
        )
    }

    /// Removes a contact; `false` when it was not there.
    pub fn remove_contact(
        &mut self,
        author: &UserId,
        now: Timestamp,
        id: &ContactId,
    ) -> Result<bool, DocError> {
        self.remove_record(author, now, "remove contact", "contacts", id.as_str())
    }

    /// Adds or edits a power-map edge.
    pub fn upsert_relationship(
        &mut self,
        author: &UserId,
        now: Timestamp,
        relationship: &Relationship,
    ) -> Result<bool, DocError> {
        let id = relationship.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "edit relationship",
            "relationships",
            &id,
            relationship,
            |reader, map, path, key, _| records::read_relationship(reader, map, path, key),
            records::WRITE_RELATIONSHIP,
        )
    }

    /// Removes a power-map edge.
    pub fn remove_relationship(
        &mut self,
        author: &UserId,
        now: Timestamp,
        id: &RecordId,
    ) -> Result<bool, DocError> {
        self.remove_record(
            author,
            now,
            "remove relationship",
            "relationships",
            id.as_str(),
        )
    }

    /// Adds or edits a competitor.
    pub fn upsert_competitor(
        &mut self,
        author: &UserId,
        now: Timestamp,
        competitor: &Competitor,
    ) -> Result<bool, DocError> {
        let id = competitor.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "edit competitor",
            "competitors",
            &id,
            competitor,
            |reader, map, path, key, _| records::read_competitor(reader, map, path, key),
            records::WRITE_COMPETITOR,
        )
    }

    /// Removes a competitor.
    pub fn remove_competitor(
        &mut self,
        author: &UserId,
        now: Timestamp,
        id: &RecordId,
    ) -> Result<bool, DocError> {
        self.remove_record(author, now, "remove competitor", "competitors", id.as_str())
    }

    /// Adds or edits a product line.
    pub fn upsert_product_line(
        &mut self,
        author: &UserId,
        now: Timestamp,
        line: &ProductLine,
    ) -> Result<bool, DocError> {
        let id = line.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "edit product line",
            "productLines",
            &id,
            line,
            records::read_product_line,
            records::WRITE_PRODUCT_LINE,
        )
    }

    /// Removes a product line.
    pub fn remove_product_line(
        &mut self,
        author: &UserId,
        now: Timestamp,
        id: &RecordId,
    ) -> Result<bool, DocError> {
        self.remove_record(
            author,
            now,
            "remove product line",
            "productLines",
            id.as_str(),
        )
    }

    /// Records a follow-up (跟进记录): adds it, makes its next step the deal's next step when it
    /// has one, and moves the participants' last-contacted time forward to it.
    pub fn record_follow_up(
        &mut self,
        author: &UserId,
        now: Timestamp,
        follow_up: FollowUp,
    ) -> Result<bool, DocError> {
        self.update(author, now, "record follow-up", |deal| {
            if let Some(next_step) = &follow_up.next_step {
                deal.next_step = Some(next_step.clone());
            }
            for participant in &follow_up.participants {
                if let Some(contact) = deal.contacts.get_mut(participant)
                    && contact
                        .last_contacted
                        .is_none_or(|last| last < follow_up.at)
                {
                    contact.last_contacted = Some(follow_up.at);
                }
            }
            deal.follow_ups.insert(follow_up.id.clone(), follow_up);
        })
    }

    /// Adds or edits a comment.
    pub fn upsert_comment(
        &mut self,
        author: &UserId,
        now: Timestamp,
        comment: &Comment,
    ) -> Result<bool, DocError> {
        let id = comment.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "comment",
            "comments",
            &id,
            comment,
            records::read_comment,
            records::WRITE_COMMENT,
        )
    }

    /// Adds or edits a task.
    pub fn upsert_task(
        &mut self,
        author: &UserId,
        now: Timestamp,
        task: &Task,
    ) -> Result<bool, DocError> {
        let id = task.id.as_str().to_owned();
        self.upsert_record(
            author,
            now,
            "edit task",
            "tasks",
            &id,
            task,
            records::read_task,
            records::WRITE_TASK,
        )
    }

    /// Completes, cancels or reopens a task; closing stamps `closed_at` with `now`.
    pub fn set_task_status(
        &mut self,
        author: &UserId,
        now: Timestamp,
        id: &RecordId,
        status: TaskStatus,
    ) -> Result<bool, DocError> {
        let Some((_, Some(mut task))) =
            self.read_record("tasks", id.as_str(), records::read_task)?
        else {
            return Err(unknown_record("tasks", id.as_str()));
        };
        if task.status == status {
            return Ok(false);
        }
        task.status = status;
        task.closed_at = match status {
            TaskStatus::Open => None,
            TaskStatus::Done | TaskStatus::Cancelled => Some(now),
        };
        self.upsert_record(
            author,
            now,
            "set task status",
            "tasks",
            id.as_str(),
            &task,
            records::read_task,
            records::WRITE_TASK,
        )
    }

    /// Sets the agreed next step with the customer, or clears it.
    pub fn set_next_step(
        &mut self,
        author: &UserId,
        now: Timestamp,
        next_step: Option<NextStep>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set next step", |deal| {
            deal.next_step = next_step
        })
    }

    /// Sets (or clears) the owner's manual win probability.
    pub fn set_manual_probability(
        &mut self,
        author: &UserId,
        now: Timestamp,
        value: Option<Probability>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set manual probability", |deal| {
            deal.probability.manual = value.map(|value| ManualProbability {
                value,
                set_by: author.clone(),
                set_at: now,
            });
        })
    }

    /// Stores (or clears) the scoring model's probability, computed at `now`.
    pub fn set_learned_probability(
        &mut self,
        author: &UserId,
        now: Timestamp,
        value: Option<Probability>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set learned probability", |deal| {
            deal.probability.learned = value.map(|value| LearnedProbability {
                value,
                computed_at: now,
            });
        })
    }

    /// Sets (or clears) the owner's forecast category override.
    pub fn set_forecast_category(
        &mut self,
        author: &UserId,
        now: Timestamp,
        category: Option<ForecastCategory>,
    ) -> Result<bool, DocError> {
        self.update(author, now, "set forecast category", |deal| {
            deal.forecast_category = category.map(|category| CategoryOverride {
                category,
                set_by: author.clone(),
                set_at: now,
            });
        })
    }

    /// Ticks a checklist criterion (by its id in the pipeline).
    pub fn tick_checklist(
        &mut self,
        author: &UserId,
        now: Timestamp,
        criterion: &str,
    ) -> Result<bool, DocError> {
        if self.record_object("checklist", criterion).is_some() {
            return Ok(false);
        }
        let tick = ChecklistTick {
            by: author.clone(),
            at: now,
        };
        self.upsert_record(
            author,
            now,
            "tick checklist item",
            "checklist",
            criterion,
            &tick,
            |reader, map, path, key, fallbacks| {
                records::read_checklist_tick(reader, map, path, key, fallbacks)
                    .map(|(_, tick)| tick)
            },
            records::WRITE_CHECKLIST_TICK,
        )
    }

    /// Unticks a checklist criterion.
    pub fn untick_checklist(
        &mut self,
        author: &UserId,
        now: Timestamp,
        criterion: &str,
    ) -> Result<bool, DocError> {
        self.remove_record(author, now, "untick checklist item", "checklist", criterion)
    }

    /// Sets a string register at the root, when it differs.
    fn set_root_string(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        key: &str,
        value: &str,
    ) -> Result<bool, DocError> {
        if let Ok(Some((Value::Scalar(current), _))) = self.doc.get(ROOT, key)
            && current.as_str() == Some(value)
        {
            return Ok(false);
        }
        self.transact(author, now, summary, |tx| {
            Writer { doc: tx }.string(&ROOT, key, value)
        })
    }

    /// The map of record `id` in `collection`, if there is one.
    fn record_object(&self, collection: &str, id: &str) -> Option<ObjId> {
        let Ok(Some((Value::Object(ObjType::Map), records))) = self.doc.get(ROOT, collection)
        else {
            return None;
        };
        match self.doc.get(&records, id) {
            Ok(Some((Value::Object(ObjType::Map), record))) => Some(record),
            _ => None,
        }
    }

    /// Reads one record without reading the whole deal: `None` when absent; the record's map
    /// and `None` when it cannot be read cleanly (it is then rewritten whole, which repairs it).
    fn read_record<V>(
        &self,
        collection: &'static str,
        id: &str,
        read: impl FnOnce(&mut Reader, &Map, &Path, &str, &Fallbacks) -> Option<V>,
    ) -> Result<Option<(ObjId, Option<V>)>, DocError> {
        let Some(object) = self.record_object(collection, id) else {
            return Ok(None);
        };
        let hydrated = ReadDoc::hydrate(&self.doc, &object, None)
            .map_err(|error| DocError::corrupt("document", &error))?;
        let HydratedValue::Map(map) = &hydrated else {
            return Ok(Some((object, None)));
        };
        let fallbacks = Fallbacks {
            user: placeholder()?,
            currency: self.amount_currency(),
        };
        let mut reader = Reader::default();
        let path = Path::root().child(collection).child(id);
        let value = read(&mut reader, map, &path, id, &fallbacks);
        Ok(Some((object, value.filter(|_| reader.problems.is_empty()))))
    }

    /// The currency of the deal amount (CNY when unreadable), for money fallbacks.
    fn amount_currency(&self) -> Currency {
        let Ok(Some((Value::Object(ObjType::Map), amount))) = self.doc.get(ROOT, "amount") else {
            return Currency::CNY;
        };
        match self.doc.get(&amount, "currency") {
            Ok(Some((Value::Scalar(code), _))) => code
                .as_str()
                .and_then(|code| code.parse().ok())
                .unwrap_or(Currency::CNY),
            _ => Currency::CNY,
        }
    }

    /// Adds or edits one record, writing only the fields that differ from the stored record.
    #[allow(clippy::too_many_arguments)]
    fn upsert_record<V: PartialEq>(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        collection: &'static str,
        id: &str,
        record: &V,
        read: impl FnOnce(&mut Reader, &Map, &Path, &str, &Fallbacks) -> Option<V>,
        write: Write<V>,
    ) -> Result<bool, DocError> {
        let existing = self.read_record(collection, id, read)?;
        if let Some((_, Some(before))) = &existing
            && before == record
        {
            return Ok(false);
        }
        self.transact(author, now, summary, |tx| {
            write_record(tx, collection, id, existing, record, write)
        })
    }

    /// Deletes one record; `false` when it was not there.
    fn remove_record(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        collection: &str,
        id: &str,
    ) -> Result<bool, DocError> {
        let Ok(Some((Value::Object(ObjType::Map), records))) = self.doc.get(ROOT, collection)
        else {
            return Ok(false);
        };
        if !matches!(self.doc.get(&records, id), Ok(Some(_))) {
            return Ok(false);
        }
        self.transact(author, now, summary, |tx| {
            Writer { doc: tx }.delete(&records, id)
        })
    }

    /// Every change to the deal, ordered by time: who made it, when, and what it was.
    pub fn changes(&mut self) -> Vec<ChangeRecord> {
        history::change_records(&self.doc)
    }

    /// The deal as it was at `at` (the state after every change made until then); `None` when
    /// the document did not exist yet.
    pub fn read_as_of(&mut self, at: Timestamp) -> Result<Option<DealRead>, DocError> {
        let heads = history::heads_as_of(&self.doc, at);
        if heads.is_empty() {
            return Ok(None);
        }
        self.read_at(&heads).map(Some)
    }

    /// What changed between `from` and `to`, field by field, with who made the last change to
    /// each field and when: "what changed since last week's review".
    pub fn changes_between(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<FieldChange>, DocError> {
        history::field_changes(&self.doc, from, to)
    }
}

/// Reads the deal in `doc` at `heads` (now when `None`).
fn read_root(doc: &Automerge, heads: Option<&[ChangeHash]>) -> Result<DealRead, DocError> {
    let root = ReadDoc::hydrate(doc, ROOT, heads)
        .map_err(|error| DocError::corrupt("document", &error))?;
    read_deal(&root)
}

/// The text object of `field`, created when the field holds a plain string or nothing.
fn text_object(doc: &mut Transaction<'_>, field: &TextField) -> Result<ObjId, DocError> {
    let (parents, key) = field.location();
    let mut object = ROOT;
    for (collection, record) in parents {
        object = match doc.get(&object, collection) {
            Ok(Some((Value::Object(ObjType::Map), id))) => id,
            _ if record.is_none() => Writer { doc }.map(&object, collection)?,
            _ => return Err(unknown_record(collection, record.unwrap_or_default())),
        };
        if let Some(record) = record {
            object = match doc.get(&object, record) {
                Ok(Some((Value::Object(ObjType::Map), id))) => id,
                _ => return Err(unknown_record(collection, record)),
            };
        }
    }
    Writer { doc }.text_object(&object, key)
}

/// Writes a record into its map (created when absent), field by field against `before`.
fn write_record<V>(
    doc: &mut Transaction<'_>,
    collection: &str,
    id: &str,
    existing: Option<(ObjId, Option<V>)>,
    record: &V,
    write: Write<V>,
) -> Result<(), DocError> {
    let mut writer = Writer { doc };
    let (object, before) = match existing {
        Some((object, before)) => (object, before),
        None => {
            let records = writer.map(&ROOT, collection)?;
            (writer.replace_map(&records, id)?, None)
        }
    };
    write(&mut writer, &object, before.as_ref(), record)
}

fn unknown_record(collection: &'static str, id: &str) -> DocError {
    DocError::UnknownRecord {
        collection,
        id: id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;

    use super::*;
    use crate::deal::{ContactRole, Influence, Stance};
    use crate::id::DealId;
    use crate::pipeline::Pipeline;

    fn doc() -> DealDoc {
        let pipeline = Pipeline::template_new_business();
        let ctx = MoveContext {
            now: Timestamp::from_millis(0),
            offset: time::UtcOffset::UTC,
            by: UserId::new("rep").unwrap(),
            transition_id: RecordId::new("t0").unwrap(),
        };
        let (deal, _) = pipeline
            .open_deal(
                crate::deal::NewDeal {
                    id: DealId::new("d").unwrap(),
                    title: "deal".into(),
                    account: crate::deal::Account::default(),
                    amount: Money::from_major(10, Currency::USD).unwrap(),
                    expected_close: None,
                    owner: UserId::new("rep").unwrap(),
                    team: None,
                    source: None,
                    stage: None,
                },
                &ctx,
            )
            .unwrap();
        DealDoc::create(&deal, ActorId::from(*b"a"), &ctx.by, ctx.now).unwrap()
    }

    fn contact() -> Contact {
        Contact {
            id: ContactId::new("c1").unwrap(),
            name: "王总".into(),
            title: String::new(),
            role: ContactRole::DecisionMaker,
            stance: Stance::Neutral,
            influence: Influence::High,
            last_contacted: None,
            phone: String::new(),
            email: String::new(),
        }
    }

    #[test]
    fn scoped_upserts_skip_unchanged_records_and_repair_broken_ones() {
        let mut doc = doc();
        let rep = UserId::new("rep").unwrap();
        let now = Timestamp::from_millis(1_000);
        assert!(doc.upsert_contact(&rep, now, &contact()).unwrap());
        assert!(!doc.upsert_contact(&rep, now, &contact()).unwrap());
        // A buggy client breaks one field of the record.
        let record = doc.record_object("contacts", "c1").unwrap();
        let mut tx = doc.doc.transaction();
        tx.put(&record, "stance", 3_i64).unwrap();
        tx.commit();
        assert_eq!(doc.read().unwrap().problems.len(), 1);
        // Writing the same contact again repairs it, although the fallback equals the value.
        assert!(doc.upsert_contact(&rep, now, &contact()).unwrap());
        let read = doc.read().unwrap();
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        assert_eq!(read.deal.contacts[&contact().id], contact());
        assert!(doc.remove_contact(&rep, now, &contact().id).unwrap());
        assert!(!doc.remove_contact(&rep, now, &contact().id).unwrap());
        assert!(!doc.set_title(&rep, now, "deal").unwrap());
        assert!(doc.set_title(&rep, now, "new").unwrap());
    }
}
