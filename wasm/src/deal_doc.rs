//! The `DealDoc` class: one deal as an Automerge document.

use std::cell::RefCell;
use std::rc::Rc;

use dealflow_core as domain;
use tsify::Ts;

use crate::convert::{ToJs, read, read_name, read_opt_name, read_optional};
use wasm_bindgen::prelude::*;

use crate::dto::{
    Account, Budget, ChangeRecord, Comment, Competitor, Contact, DealRead, DealRole, Edit,
    EditContext, EffectiveProbability, FieldChange, FollowUp, ForecastCategory, Money, MoveContext,
    MoveOutcome, MoveTarget, NewDeal, ProductLine, Relationship, StageTransition, Task, TaskStatus,
    TextField, id, probability,
};
use crate::error::JsResult;
use crate::pipeline::Pipeline;
use crate::repo::SharedRepo;

/// One deal as an Automerge document (销售机会文档): typed edits that merge with concurrent
/// ones, stage moves written only when the pipeline accepts them, tolerant reads and history.
///
/// Every edit takes an `EditContext` (`{ by, now }`: who edits, and when) and returns whether
/// anything changed. A `DealDoc` obtained from a `Workspace` is the workspace's own document,
/// not a copy: edits through either are the same edits.
///
/// @example
/// ```ts
/// const pipeline = Pipeline.newBusiness();
/// const actor = crypto.getRandomValues(new Uint8Array(16));
/// const doc = DealDoc.open(
///   pipeline,
///   {
///     id: "deal-1",
///     title: "华东电网 CRM 二期",
///     account: { name: "华东电网" },
///     amount: { minor: 10_000_000, currency: "CNY" },
///     owner: "rep-li",
///   },
///   { by: "rep-li", now: Date.now(), utcOffsetMinutes: 480, transitionId: "t-1" },
///   actor,
/// );
/// doc.updateText({ by: "rep-li", now: Date.now() }, { field: "needs" }, "统一客服平台");
/// try {
///   doc.moveStage(pipeline, { kind: "stage", stage: "needs" }, ctx);
/// } catch (error) {
///   if (isDealflowError(error) && error.code === "move_rejected") showChecklist(error.problems);
/// }
/// const bytes = doc.save(); // Uint8Array, for storage
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct DealDoc {
    inner: Rc<RefCell<Replica>>,
}

/// Where a deal's one replica lives.
#[derive(Debug)]
pub(crate) enum Replica {
    /// A document of its own (a new deal not yet handed to a repo, a loaded or forked copy).
    Own(Box<domain::DealDoc>),
    /// The sync client's document in a `Repo`: edits and reads go to it directly, so a deal
    /// the repo holds exists once in memory.
    Held {
        /// The repo holding the document.
        repo: SharedRepo,
        /// The document.
        id: domain::sync::DocumentId,
    },
}

impl DealDoc {
    /// Wraps a document of its own.
    pub(crate) fn own(doc: domain::DealDoc) -> Self {
        DealDoc {
            inner: Rc::new(RefCell::new(Replica::Own(Box::new(doc)))),
        }
    }

    /// A handle on a deal a repo holds.
    pub(crate) fn held(repo: SharedRepo, id: domain::sync::DocumentId) -> Self {
        DealDoc {
            inner: Rc::new(RefCell::new(Replica::Held { repo, id })),
        }
    }

    /// The replica, shared by every clone of this handle.
    pub(crate) fn replica(&self) -> &Rc<RefCell<Replica>> {
        &self.inner
    }

    /// Runs `apply` on the deal: on its own document, or in place on the repo's document,
    /// whose new change is then stored and sent with the repo's next step.
    pub(crate) fn with_mut<T>(
        &self,
        apply: impl FnOnce(&mut domain::DealDoc) -> JsResult<T>,
    ) -> JsResult<T> {
        // Every edit goes through one non-generic path (`apply_once`), so the sync client's
        // edit path below is compiled once instead of once per kind of edit (about 50 KB of
        // wasm before `wasm-opt`).
        let mut apply = Some(apply);
        let mut output = None;
        self.apply_once(&mut |doc| {
            if let Some(apply) = apply.take() {
                output = Some(apply(doc)?);
            }
            Ok(())
        })?;
        output.ok_or_else(|| crate::error::Failure::Input("the edit did not run".to_owned()))
    }

    /// Runs `apply` once on the deal, as [`DealDoc::with_mut`] describes.
    fn apply_once(
        &self,
        apply: &mut dyn FnMut(&mut domain::DealDoc) -> JsResult<()>,
    ) -> JsResult<()> {
        let held = match &*self.inner.borrow() {
            Replica::Own(_) => None,
            Replica::Held { repo, id } => Some((repo.clone(), *id)),
        };
        match held {
            Some((repo, id)) => repo.borrow_mut().edit_deal(id, apply),
            None => match &mut *self.inner.borrow_mut() {
                Replica::Own(doc) => apply(doc),
                Replica::Held { .. } => Err(crate::error::Failure::Input(
                    "the deal changed hands during an edit".to_owned(),
                )),
            },
        }
    }

    /// Reads the deal.
    pub(crate) fn read_core(&self) -> JsResult<domain::DealRead> {
        match &*self.inner.borrow() {
            Replica::Own(doc) => Ok(doc.read()?),
            Replica::Held { repo, id } => repo.borrow().read_deal(*id),
        }
    }

    /// The deal's heads.
    pub(crate) fn heads_core(&self) -> Vec<domain::automerge::ChangeHash> {
        match &mut *self.inner.borrow_mut() {
            Replica::Own(doc) => doc.heads(),
            Replica::Held { repo, id } => repo.borrow().heads(*id),
        }
    }

    /// Runs a typed edit with the converted context.
    fn edit<T>(
        &self,
        ctx: &Ts<EditContext>,
        apply: impl FnOnce(&mut domain::DealDoc, &Edit) -> JsResult<T>,
    ) -> JsResult<T> {
        let edit = read::<Edit, _>(ctx, "ctx")?;
        self.with_mut(|doc| apply(doc, &edit))
    }
}

#[wasm_bindgen]
impl DealDoc {
    /// Opens a new deal in `pipeline` and creates its document. `actor` (16 random bytes)
    /// identifies this replica's changes. Throws `move_rejected` with the checklist when the
    /// starting stage's entry criteria are unmet; nothing is created then.
    pub fn open(
        pipeline: &Pipeline,
        deal: &Ts<NewDeal>,
        ctx: &Ts<MoveContext>,
        actor: &[u8],
    ) -> JsResult<DealDoc> {
        let new = read::<domain::NewDeal, _>(deal, "deal")?;
        let ctx = read::<domain::MoveContext, _>(ctx, "ctx")?;
        let (doc, _tasks) = domain::DealDoc::open(pipeline.core(), new, &ctx, actor.into())?;
        Ok(DealDoc::own(doc))
    }

    /// Opens a saved document: a `save()`, or stored chunks concatenated (a snapshot followed by
    /// incremental saves). Throws `corrupt_document` or `wrong_document_type`.
    pub fn load(bytes: &[u8], actor: &[u8]) -> JsResult<DealDoc> {
        let doc = domain::DealDoc::load(bytes, actor.into())?;
        Ok(DealDoc::own(doc))
    }

    /// Applies changes saved by another replica (`saveIncremental()` or `save()` output).
    #[wasm_bindgen(js_name = loadIncremental)]
    pub fn load_incremental(&self, bytes: &[u8]) -> JsResult<()> {
        self.with_mut(|doc| Ok(doc.load_incremental(bytes)?))
    }

    /// The whole document, compacted.
    pub fn save(&self) -> Vec<u8> {
        match &mut *self.inner.borrow_mut() {
            Replica::Own(doc) => doc.save(),
            Replica::Held { repo, id } => repo.borrow().save(*id),
        }
    }

    /// The changes since the last `save()` or `saveIncremental()`: append them to storage.
    /// (A repo's deal is stored by the repo; for it this is the whole document.)
    #[wasm_bindgen(js_name = saveIncremental)]
    pub fn save_incremental(&self) -> Vec<u8> {
        match &mut *self.inner.borrow_mut() {
            Replica::Own(doc) => doc.save_incremental(),
            Replica::Held { repo, id } => repo.borrow().save(*id),
        }
    }

    /// The hashes (hex) of the latest changes.
    pub fn heads(&self) -> Vec<String> {
        let heads = self.heads_core();
        heads.iter().map(ToString::to_string).collect()
    }

    /// A second, independent replica with its own actor (e.g. for working offline).
    pub fn fork(&self, actor: &[u8]) -> JsResult<DealDoc> {
        let fork = self.with_mut(|doc| Ok(doc.fork(actor.into())))?;
        Ok(DealDoc::own(fork))
    }

    /// Takes in every change of `other` that this replica lacks.
    pub fn merge(&self, other: &DealDoc) -> JsResult<()> {
        if Rc::ptr_eq(&self.inner, &other.inner) {
            return Ok(());
        }
        // Through bytes, so that two handles on one repo never borrow it twice.
        let bytes = other.save();
        self.with_mut(|doc| Ok(doc.load_incremental(&bytes)?))
    }

    /// Reads the deal; fields of the wrong type are listed in `problems` and fall back.
    pub fn read(&self) -> JsResult<Ts<DealRead>> {
        let read = self.read_core()?;
        DealRead::from(read).to_js()
    }

    /// Sets the title.
    #[wasm_bindgen(js_name = setTitle)]
    pub fn set_title(&self, ctx: &Ts<EditContext>, title: &str) -> JsResult<bool> {
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_title(&edit.by, edit.now, title)?)
        })
    }

    /// Sets the amount and logs the change under `changeId` (a fresh id).
    #[wasm_bindgen(js_name = setAmount)]
    pub fn set_amount(
        &self,
        ctx: &Ts<EditContext>,
        amount: &Ts<Money>,
        #[wasm_bindgen(js_name = changeId)] change_id: &str,
    ) -> JsResult<bool> {
        let amount = read::<domain::Money, _>(amount, "amount")?;
        let change_id = id(change_id.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_amount(&edit.by, edit.now, amount, change_id)?)
        })
    }

    /// Sets (or clears, with `undefined`) the expected close date `"YYYY-MM-DD"` and logs the
    /// change under `changeId`.
    #[wasm_bindgen(js_name = setExpectedClose)]
    pub fn set_expected_close(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(unchecked_param_type = "IsoDate | undefined")] date: &JsValue,
        #[wasm_bindgen(js_name = changeId)] change_id: &str,
    ) -> JsResult<bool> {
        let date = crate::convert::read_opt_date(date, "date")?;
        let change_id = id(change_id.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_expected_close(&edit.by, edit.now, date, change_id)?)
        })
    }

    /// Sets the customer account's fields; the background is written as a character diff.
    #[wasm_bindgen(js_name = setAccount)]
    pub fn set_account(&self, ctx: &Ts<EditContext>, account: &Ts<Account>) -> JsResult<bool> {
        let account = read::<domain::Account, _>(account, "account")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_account(&edit.by, edit.now, &account)?)
        })
    }

    /// Sets the budget range, confirmation and approval cycle.
    #[wasm_bindgen(js_name = setBudget)]
    pub fn set_budget(&self, ctx: &Ts<EditContext>, budget: &Ts<Budget>) -> JsResult<bool> {
        let budget = read::<domain::Budget, _>(budget, "budget")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_budget(&edit.by, edit.now, &budget)?)
        })
    }

    /// Sets (or clears) the source channel.
    #[wasm_bindgen(js_name = setSource)]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "wasm-bindgen hands optional strings over owned"
    )]
    pub fn set_source(&self, ctx: &Ts<EditContext>, source: Option<String>) -> JsResult<bool> {
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_source(&edit.by, edit.now, source.as_deref())?)
        })
    }

    /// Sets (or clears) the marketing campaign.
    #[wasm_bindgen(js_name = setCampaign)]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "wasm-bindgen hands optional strings over owned"
    )]
    pub fn set_campaign(&self, ctx: &Ts<EditContext>, campaign: Option<String>) -> JsResult<bool> {
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_campaign(&edit.by, edit.now, campaign.as_deref())?)
        })
    }

    /// Adds a deal-team member, changes their role, or removes them (`undefined` role).
    #[wasm_bindgen(js_name = setDealTeamMember)]
    pub fn set_deal_team_member(
        &self,
        ctx: &Ts<EditContext>,
        member: &str,
        #[wasm_bindgen(unchecked_param_type = "DealRole | undefined")] role: &JsValue,
    ) -> JsResult<bool> {
        let member: domain::UserId = id(member.to_owned())?;
        let role = read_opt_name::<DealRole>(role, "role")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_deal_team_member(&edit.by, edit.now, &member, role.map(Into::into))?)
        })
    }

    /// Replaces a text field's content by a character diff, so concurrent typing elsewhere in
    /// the text survives.
    #[wasm_bindgen(js_name = updateText)]
    pub fn update_text(
        &self,
        ctx: &Ts<EditContext>,
        field: &Ts<TextField>,
        text: &str,
    ) -> JsResult<bool> {
        let field = read::<domain::TextField, _>(field, "field")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.update_text(&edit.by, edit.now, &field, text)?)
        })
    }

    /// Deletes `remove` characters at `position` and inserts `insert` there, as an editor
    /// reports typing. Positions count Unicode scalar values. Throws `text_range_out_of_bounds`.
    #[wasm_bindgen(js_name = spliceText)]
    pub fn splice_text(
        &self,
        ctx: &Ts<EditContext>,
        field: &Ts<TextField>,
        position: u32,
        remove: u32,
        insert: &str,
    ) -> JsResult<()> {
        let field = read::<domain::TextField, _>(field, "field")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.splice_text(
                &edit.by,
                edit.now,
                &field,
                position as usize,
                remove as usize,
                insert,
            )?)
        })
    }

    /// Adds or edits a contact (only changed fields are written).
    #[wasm_bindgen(js_name = upsertContact)]
    pub fn upsert_contact(&self, ctx: &Ts<EditContext>, contact: &Ts<Contact>) -> JsResult<bool> {
        let contact = read::<domain::Contact, _>(contact, "contact")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_contact(&edit.by, edit.now, &contact)?)
        })
    }

    /// Removes a contact; `false` when it was not there.
    #[wasm_bindgen(js_name = removeContact)]
    pub fn remove_contact(&self, ctx: &Ts<EditContext>, contact: &str) -> JsResult<bool> {
        let contact: domain::ContactId = id(contact.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.remove_contact(&edit.by, edit.now, &contact)?)
        })
    }

    /// Adds or edits a power-map edge.
    #[wasm_bindgen(js_name = upsertRelationship)]
    pub fn upsert_relationship(
        &self,
        ctx: &Ts<EditContext>,
        relationship: &Ts<Relationship>,
    ) -> JsResult<bool> {
        let relationship = read::<domain::Relationship, _>(relationship, "relationship")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_relationship(&edit.by, edit.now, &relationship)?)
        })
    }

    /// Removes a power-map edge.
    #[wasm_bindgen(js_name = removeRelationship)]
    pub fn remove_relationship(&self, ctx: &Ts<EditContext>, relationship: &str) -> JsResult<bool> {
        let relationship: domain::RecordId = id(relationship.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.remove_relationship(&edit.by, edit.now, &relationship)?)
        })
    }

    /// Adds or edits a competitor.
    #[wasm_bindgen(js_name = upsertCompetitor)]
    pub fn upsert_competitor(
        &self,
        ctx: &Ts<EditContext>,
        competitor: &Ts<Competitor>,
    ) -> JsResult<bool> {
        let competitor = read::<domain::Competitor, _>(competitor, "competitor")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_competitor(&edit.by, edit.now, &competitor)?)
        })
    }

    /// Removes a competitor.
    #[wasm_bindgen(js_name = removeCompetitor)]
    pub fn remove_competitor(&self, ctx: &Ts<EditContext>, competitor: &str) -> JsResult<bool> {
        let competitor: domain::RecordId = id(competitor.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.remove_competitor(&edit.by, edit.now, &competitor)?)
        })
    }

    /// Adds or edits a product line.
    #[wasm_bindgen(js_name = upsertProductLine)]
    pub fn upsert_product_line(
        &self,
        ctx: &Ts<EditContext>,
        line: &Ts<ProductLine>,
    ) -> JsResult<bool> {
        let line = read::<domain::ProductLine, _>(line, "line")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_product_line(&edit.by, edit.now, &line)?)
        })
    }

    /// Removes a product line.
    #[wasm_bindgen(js_name = removeProductLine)]
    pub fn remove_product_line(&self, ctx: &Ts<EditContext>, line: &str) -> JsResult<bool> {
        let line: domain::RecordId = id(line.to_owned())?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.remove_product_line(&edit.by, edit.now, &line)?)
        })
    }

    /// Records a follow-up (跟进记录): its next step becomes the deal's, and the participants'
    /// last-contacted time moves forward to it.
    #[wasm_bindgen(js_name = recordFollowUp)]
    pub fn record_follow_up(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(js_name = followUp)] follow_up: &Ts<FollowUp>,
    ) -> JsResult<bool> {
        let follow_up = read::<domain::FollowUp, _>(follow_up, "follow_up")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.record_follow_up(&edit.by, edit.now, follow_up)?)
        })
    }

    /// Adds or edits a comment.
    #[wasm_bindgen(js_name = upsertComment)]
    pub fn upsert_comment(&self, ctx: &Ts<EditContext>, comment: &Ts<Comment>) -> JsResult<bool> {
        let comment = read::<domain::Comment, _>(comment, "comment")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_comment(&edit.by, edit.now, &comment)?)
        })
    }

    /// Adds or edits a task.
    #[wasm_bindgen(js_name = upsertTask)]
    pub fn upsert_task(&self, ctx: &Ts<EditContext>, task: &Ts<Task>) -> JsResult<bool> {
        let task = read::<domain::Task, _>(task, "task")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.upsert_task(&edit.by, edit.now, &task)?)
        })
    }

    /// Completes, cancels or reopens a task; closing stamps `closedAt`. Throws `unknown_record`.
    #[wasm_bindgen(js_name = setTaskStatus)]
    pub fn set_task_status(
        &self,
        ctx: &Ts<EditContext>,
        task: &str,
        #[wasm_bindgen(unchecked_param_type = "TaskStatus")] status: &JsValue,
    ) -> JsResult<bool> {
        let task: domain::RecordId = id(task.to_owned())?;
        let status = read_name::<TaskStatus>(status, "status")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_task_status(&edit.by, edit.now, &task, status.into())?)
        })
    }

    /// Sets the agreed next step with the customer, or clears it (`undefined`).
    #[wasm_bindgen(js_name = setNextStep)]
    pub fn set_next_step(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(js_name = nextStep, unchecked_param_type = "NextStep | undefined")]
        next_step: &JsValue,
    ) -> JsResult<bool> {
        let next_step = read_optional::<domain::NextStep>(next_step, "nextStep")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_next_step(&edit.by, edit.now, next_step)?)
        })
    }

    /// Sets (or clears) the owner's manual win probability, in basis points.
    #[wasm_bindgen(js_name = setManualProbability)]
    pub fn set_manual_probability(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(js_name = basisPoints)] basis_points: Option<u16>,
    ) -> JsResult<bool> {
        let value = basis_points.map(probability).transpose()?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_manual_probability(&edit.by, edit.now, value)?)
        })
    }

    /// Stores (or clears) the scoring model's probability, in basis points.
    #[wasm_bindgen(js_name = setLearnedProbability)]
    pub fn set_learned_probability(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(js_name = basisPoints)] basis_points: Option<u16>,
    ) -> JsResult<bool> {
        let value = basis_points.map(probability).transpose()?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_learned_probability(&edit.by, edit.now, value)?)
        })
    }

    /// Sets (or clears) the owner's forecast category override.
    #[wasm_bindgen(js_name = setForecastCategory)]
    pub fn set_forecast_category(
        &self,
        ctx: &Ts<EditContext>,
        #[wasm_bindgen(unchecked_param_type = "ForecastCategory | undefined")] category: &JsValue,
    ) -> JsResult<bool> {
        let category = read_opt_name::<ForecastCategory>(category, "category")?;
        self.edit(ctx, |doc, edit| {
            Ok(doc.set_forecast_category(&edit.by, edit.now, category.map(Into::into))?)
        })
    }

    /// Ticks a checklist criterion (its id in the pipeline).
    #[wasm_bindgen(js_name = tickChecklist)]
    pub fn tick_checklist(&self, ctx: &Ts<EditContext>, criterion: &str) -> JsResult<bool> {
        self.edit(ctx, |doc, edit| {
            Ok(doc.tick_checklist(&edit.by, edit.now, criterion)?)
        })
    }

    /// Unticks a checklist criterion.
    #[wasm_bindgen(js_name = untickChecklist)]
    pub fn untick_checklist(&self, ctx: &Ts<EditContext>, criterion: &str) -> JsResult<bool> {
        self.edit(ctx, |doc, edit| {
            Ok(doc.untick_checklist(&edit.by, edit.now, criterion)?)
        })
    }

    /// Checks a move without changing anything: the history entry it would write, or throws
    /// `move_rejected` whose `problems` list everything that stands in the way.
    #[wasm_bindgen(js_name = checkMove)]
    pub fn check_move(
        &self,
        pipeline: &Pipeline,
        target: &Ts<MoveTarget>,
        ctx: &Ts<MoveContext>,
    ) -> JsResult<Ts<StageTransition>> {
        let target = read::<domain::MoveTarget, _>(target, "target")?;
        let ctx = read::<domain::MoveContext, _>(ctx, "ctx")?;
        let deal = self.read_core()?.deal;
        let transition = pipeline.core().check_move(&deal, &target, &ctx)?;
        StageTransition::from(transition).to_js()
    }

    /// Moves the deal under `pipeline`'s rules: writes the history entry and the new stage's
    /// tasks, or throws `move_rejected` (with the checklist in `problems`) and writes nothing.
    #[wasm_bindgen(js_name = moveStage)]
    pub fn move_stage(
        &self,
        pipeline: &Pipeline,
        target: &Ts<MoveTarget>,
        ctx: &Ts<MoveContext>,
    ) -> JsResult<Ts<MoveOutcome>> {
        let target = read::<domain::MoveTarget, _>(target, "target")?;
        let ctx = read::<domain::MoveContext, _>(ctx, "ctx")?;
        let outcome = self.with_mut(|doc| Ok(doc.move_stage(pipeline.core(), &target, &ctx)?))?;
        MoveOutcome::from(outcome).to_js()
    }

    /// The probability that counts: manual over learned over the stage default; 100 % won,
    /// 0 % lost or stopped.
    #[wasm_bindgen(js_name = effectiveProbability)]
    pub fn effective_probability(&self, pipeline: &Pipeline) -> JsResult<Ts<EffectiveProbability>> {
        let deal = self.read_core()?.deal;
        let effective = deal.effective_probability(pipeline.core())?;
        EffectiveProbability::from(effective).to_js()
    }

    /// Every change to the deal, oldest first: who made it, when, and what it was.
    pub fn changes(&self) -> JsResult<Vec<Ts<ChangeRecord>>> {
        let changes = self.with_mut(|doc| Ok(doc.changes()))?;
        changes
            .into_iter()
            .map(|change| ChangeRecord::from(change).to_js())
            .collect()
    }

    /// The deal as it was at `at` (ms); `undefined` before the document existed.
    #[wasm_bindgen(js_name = readAsOf)]
    pub fn read_as_of(&self, at: f64) -> JsResult<Option<Ts<DealRead>>> {
        let at = domain::Timestamp::from_millis(millis(at));
        let read = self.with_mut(|doc| Ok(doc.read_as_of(at)?))?;
        read.map(|read| DealRead::from(read).to_js()).transpose()
    }

    /// What changed between `from` and `to` (ms), field by field, with who changed each field
    /// last: "what changed since last week's review".
    #[wasm_bindgen(js_name = changesBetween)]
    pub fn changes_between(&self, from: f64, to: f64) -> JsResult<Vec<Ts<FieldChange>>> {
        let from = domain::Timestamp::from_millis(millis(from));
        let to = domain::Timestamp::from_millis(millis(to));
        let changes = self.with_mut(|doc| Ok(doc.changes_between(from, to)?))?;
        changes
            .into_iter()
            .map(|change| FieldChange::from(change).to_js())
            .collect()
    }
}

/// Milliseconds from a JS number: fractions are dropped, and values beyond ±2^53 saturate.
pub(crate) fn millis(value: f64) -> i64 {
    // `as` saturates and maps NaN to 0, which is what a clock value outside the safe range
    // deserves: it cannot come from `Date.now()`.
    value as i64
}
