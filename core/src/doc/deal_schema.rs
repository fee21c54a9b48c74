//! The mapping between a [`Deal`] and its Automerge document, in one place. The field shapes
//! are listed in the module docs of [`crate::doc`] and in ARCHITECTURE.md.

use std::collections::BTreeMap;

use automerge::hydrate::{Map, Value};
use automerge::{ROOT, ScalarValue};

use super::deal_records::{self as records, Fallbacks};
use super::error::{DocError, Fallback, ValidationProblem};
use super::read::{Path, Reader, field};
use super::write::{Writer, changed};
use super::{DEAL_TYPE, SCHEMA_VERSION, check_type, placeholder};
use crate::deal::{
    Account, Budget, CategoryOverride, Deal, LearnedProbability, ManualProbability,
    ProbabilityInputs,
};
use crate::id::{DealId, PipelineId, RecordId, UserId};
use crate::money::Currency;
use crate::pipeline::ForecastCategory;
use crate::timestamp::Timestamp;

/// A deal read from its document, with every problem the tolerant read found.
#[derive(Clone, PartialEq, Debug)]
pub struct DealRead {
    /// The deal; fields that could not be read hold their defaults.
    pub deal: Deal,
    /// Fields that had the wrong type or an invalid value, and what was used instead.
    pub problems: Vec<ValidationProblem>,
}

/// Reads a deal from a hydrated document root.
///
/// Only the document type and the deal id are required; every other field falls back, and
/// history entries, change logs and adjustments come back sorted by `(at, id)`, so that the
/// current stage after a merge is the same on every replica.
pub(crate) fn read_deal(root: &Value) -> Result<DealRead, DocError> {
    let Value::Map(root) = root else {
        return Err(DocError::WrongType {
            expected: DEAL_TYPE,
            found: "not a map".to_owned(),
        });
    };
    check_type(root, DEAL_TYPE)?;
    let mut reader = Reader::default();
    let path = Path::root();
    check_schema_version(&mut reader, root);
    let id: DealId = match field(root, "id") {
        Some(Value::Scalar(ScalarValue::Str(id))) => {
            DealId::new(id.to_string()).map_err(|error| DocError::MissingIdentity {
                field: "id",
                reason: error.to_string(),
            })?
        }
        other => {
            return Err(DocError::MissingIdentity {
                field: "id",
                reason: super::read::describe(other),
            });
        }
    };
    let unknown_user: UserId = placeholder()?;
    let unknown_pipeline: PipelineId = placeholder()?;

    let amount = reader.money(root, &path, "amount", Currency::CNY);
    let fallbacks = Fallbacks {
        user: unknown_user,
        currency: amount.currency(),
    };
    let created_by = reader.id(root, &path, "createdBy", &fallbacks.user);
    let owner = reader.id(root, &path, "owner", &created_by);

    let history = reader.records(root, &path, "history", |reader, map, path, key| {
        records::read_transition(reader, map, path, key, &fallbacks)
    });
    let history = in_time_order(history, |entry| (entry.at, &entry.id));
    let forecast_adjustments = reader.records(
        root,
        &path,
        "forecastAdjustments",
        |reader, map, path, key| {
            records::read_forecast_adjustment(reader, map, path, key, &fallbacks)
        },
    );
    let forecast_adjustments = in_time_order(forecast_adjustments, |entry| (entry.at, &entry.id));
    let close_date_changes =
        reader.records(root, &path, "closeDateChanges", |reader, map, path, key| {
            records::read_close_date_change(reader, map, path, key, &fallbacks)
        });
    let close_date_changes = in_time_order(close_date_changes, |entry| (entry.at, &entry.id));
    let amount_changes = reader.records(root, &path, "amountChanges", |reader, map, path, key| {
        records::read_amount_change(reader, map, path, key, &fallbacks)
    });
    let amount_changes = in_time_order(amount_changes, |entry| (entry.at, &entry.id));

    let deal = Deal {
        id,
        title: reader.string(root, &path, "title"),
        account: read_account(&mut reader, root, &path),
        amount,
        expected_close: reader.opt_date(root, &path, "expectedClose"),
        product_lines: keyed(
            reader.records(root, &path, "productLines", |reader, map, path, key| {
                records::read_product_line(reader, map, path, key, &fallbacks)
            }),
            |line| line.id.clone(),
        ),
        source: reader.opt_string(root, &path, "source"),
        campaign: reader.opt_string(root, &path, "campaign"),
        lead: reader.opt_id(root, &path, "lead"),
        owner,
        team: reader.opt_id(root, &path, "team"),
        deal_team: read_deal_team(&mut reader, root, &path),
        needs: reader.string(root, &path, "needs"),
        business_value: reader.string(root, &path, "businessValue"),
        budget: read_budget(&mut reader, root, &path),
        pipeline: reader.id(root, &path, "pipeline", &unknown_pipeline),
        history,
        probability: read_probability(&mut reader, root, &path, &fallbacks),
        forecast_category: read_category_override(&mut reader, root, &path, &fallbacks),
        forecast_adjustments,
        contacts: keyed(
            reader.records(root, &path, "contacts", records::read_contact),
            |contact| contact.id.clone(),
        ),
        relationships: keyed(
            reader.records(root, &path, "relationships", records::read_relationship),
            |relationship| relationship.id.clone(),
        ),
        competitors: keyed(
            reader.records(root, &path, "competitors", records::read_competitor),
            |competitor| competitor.id.clone(),
        ),
        follow_ups: keyed(
            reader.records(root, &path, "followUps", |reader, map, path, key| {
                records::read_follow_up(reader, map, path, key, &fallbacks)
            }),
            |follow_up| follow_up.id.clone(),
        ),
        comments: keyed(
            reader.records(root, &path, "comments", |reader, map, path, key| {
                records::read_comment(reader, map, path, key, &fallbacks)
            }),
            |comment| comment.id.clone(),
        ),
        tasks: keyed(
            reader.records(root, &path, "tasks", |reader, map, path, key| {
                records::read_task(reader, map, path, key, &fallbacks)
            }),
            |task| task.id.clone(),
        ),
        next_step: records::read_next_step(&mut reader, root, &path, "nextStep"),
        checklist: map_of(
            reader.records(root, &path, "checklist", |reader, map, path, key| {
                records::read_checklist_tick(reader, map, path, key, &fallbacks)
            }),
        ),
        close_date_changes,
        amount_changes,
        touchpoints: keyed(
            reader.records(root, &path, "touchpoints", records::read_touchpoint),
            |touchpoint| touchpoint.id.clone(),
        ),
        created_at: reader.timestamp(root, &path, "createdAt"),
        created_by,
    };
    Ok(DealRead {
        deal,
        problems: reader.problems,
    })
}

fn keyed<K: Ord, V>(records: Vec<V>, key: impl Fn(&V) -> K) -> BTreeMap<K, V> {
    map_of(records.into_iter().map(|record| (key(&record), record)))
}

/// A map from pairs (the last of equal keys wins, as with `collect`), built by inserting each.
///
/// Not `collect()`: `BTreeMap`'s `FromIterator` sorts its input first, and that sort is compiled
/// once per record type; together those copies were most of the browser module's deal reader.
/// The pairs come in key order anyway, so inserting costs no more.
fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

/// Log entries sorted by `(at, id)`, through [`time_order`].
fn in_time_order<T>(entries: Vec<T>, key: impl Fn(&T) -> (Timestamp, &RecordId)) -> Vec<T> {
    let order = time_order(
        entries
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let (at, id) = key(entry);
                (at, id.as_str(), index)
            })
            .collect(),
    );
    let mut slots: Vec<Option<T>> = entries.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|index| slots.get_mut(index).and_then(Option::take))
        .collect()
}

/// The positions of entries keyed `(at, id, position)`, sorted by time, then id, then position
/// (so entries with equal time and id keep their order, as a stable sort would).
///
/// Every time-ordered list of the reader and the history sorts through this one function: a sort
/// is compiled once per element type and comparison, so sorting each entry type directly put
/// one copy of the sort per type into the browser module.
pub(crate) fn time_order(mut keys: Vec<(Timestamp, &str, usize)>) -> Vec<usize> {
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, index)| index).collect()
}

/// A document from a newer schema still reads (unknown fields are kept), with a note.
pub(crate) fn check_schema_version(reader: &mut Reader, root: &Map) {
    let version = field(root, "schemaVersion");
    match version {
        Some(Value::Scalar(ScalarValue::Uint(version))) if *version <= SCHEMA_VERSION => {}
        Some(Value::Scalar(ScalarValue::Int(version)))
            if u64::try_from(*version).is_ok_and(|version| version <= SCHEMA_VERSION) => {}
        Some(Value::Scalar(ScalarValue::Uint(_) | ScalarValue::Int(_))) => reader.wrong(
            &Path::root().child("schemaVersion"),
            "schema version 1",
            version,
            Fallback::Kept,
        ),
        other => reader.wrong(
            &Path::root().child("schemaVersion"),
            "schema version 1",
            other,
            Fallback::Kept,
        ),
    }
}

fn read_account(reader: &mut Reader, root: &Map, path: &Path) -> Account {
    let Some(account) = reader.opt_map(root, path, "account") else {
        return Account::default();
    };
    let path = path.child("account");
    Account {
        id: reader.opt_id(account, &path, "id"),
        name: reader.string(account, &path, "name"),
        industry: reader.opt_string(account, &path, "industry"),
        size: reader.opt_name(account, &path, "size"),
        region: reader.opt_string(account, &path, "region"),
        background: reader.string(account, &path, "background"),
    }
}

fn read_budget(reader: &mut Reader, root: &Map, path: &Path) -> Budget {
    let Some(budget) = reader.opt_map(root, path, "budget") else {
        return Budget::default();
    };
    let path = path.child("budget");
    Budget {
        min: reader.opt_money(budget, &path, "min"),
        max: reader.opt_money(budget, &path, "max"),
        confirmed: reader.boolean(budget, &path, "confirmed"),
        approval_cycle: reader.string(budget, &path, "approvalCycle"),
    }
}

fn read_deal_team(
    reader: &mut Reader,
    root: &Map,
    path: &Path,
) -> BTreeMap<UserId, crate::deal::DealRole> {
    let Some(team) = reader.opt_map(root, path, "dealTeam") else {
        return BTreeMap::new();
    };
    let path = path.child("dealTeam");
    let mut members: Vec<&String> = team.iter().map(|(user, _)| user).collect();
    members.sort();
    map_of(members.into_iter().filter_map(|user| {
        let id = reader.record_id::<UserId>(&path.child(user), user)?;
        let role = reader.opt_name(team, &path, user)?;
        Some((id, role))
    }))
}

fn read_probability(
    reader: &mut Reader,
    root: &Map,
    path: &Path,
    fallbacks: &Fallbacks,
) -> ProbabilityInputs {
    let Some(probability) = reader.opt_map(root, path, "probability") else {
        return ProbabilityInputs::default();
    };
    let path = path.child("probability");
    let learned = reader
        .opt_map(probability, &path, "learned")
        .and_then(|learned| {
            let path = path.child("learned");
            Some(LearnedProbability {
                value: reader.opt_probability(learned, &path, "value")?,
                computed_at: reader.timestamp(learned, &path, "computedAt"),
            })
        });
    let manual = reader
        .opt_map(probability, &path, "manual")
        .and_then(|manual| {
            let path = path.child("manual");
            Some(ManualProbability {
                value: reader.opt_probability(manual, &path, "value")?,
                set_by: reader.id(manual, &path, "setBy", &fallbacks.user),
                set_at: reader.timestamp(manual, &path, "setAt"),
            })
        });
    ProbabilityInputs { learned, manual }
}

fn read_category_override(
    reader: &mut Reader,
    root: &Map,
    path: &Path,
    fallbacks: &Fallbacks,
) -> Option<CategoryOverride> {
    let category = reader.opt_map(root, path, "forecastCategory")?;
    let path = path.child("forecastCategory");
    Some(CategoryOverride {
        category: reader.opt_name::<ForecastCategory>(category, &path, "category")?,
        set_by: reader.id(category, &path, "setBy", &fallbacks.user),
        set_at: reader.timestamp(category, &path, "setAt"),
    })
}

/// Writes `after` into the document, touching only what differs from `before` (everything when
/// `before` is `None`, i.e. on creation). Never deletes a key except a record that `before` had
/// and `after` removed, so unknown fields and unreadable records survive.
pub(crate) fn write_deal(
    writer: &mut Writer<'_>,
    before: Option<&Deal>,
    after: &Deal,
) -> Result<(), DocError> {
    let root = ROOT;
    if before.is_none() {
        writer.string(&root, "type", DEAL_TYPE)?;
        writer.put(&root, "schemaVersion", SCHEMA_VERSION)?;
    }
    if changed(before, after, |d| &d.id) {
        writer.string(&root, "id", after.id.as_str())?;
    }
    if changed(before, after, |d| &d.title) {
        writer.string(&root, "title", &after.title)?;
    }
    if changed(before, after, |d| &d.account) {
        let account = writer.map(&root, "account")?;
        let before = before.map(|d| &d.account);
        let after = &after.account;
        if changed(before, after, |a| &a.id) {
            writer.opt_id(&account, "id", after.id.as_ref())?;
        }
        if changed(before, after, |a| &a.name) {
            writer.string(&account, "name", &after.name)?;
        }
        if changed(before, after, |a| &a.industry) {
            writer.opt_string(&account, "industry", after.industry.as_deref())?;
        }
        if changed(before, after, |a| &a.size) {
            match after.size {
                Some(size) => writer.name(&account, "size", size)?,
                None => writer.put(&account, "size", ScalarValue::Null)?,
            }
        }
        if changed(before, after, |a| &a.region) {
            writer.opt_string(&account, "region", after.region.as_deref())?;
        }
        if changed(before, after, |a| &a.background) {
            writer.text(&account, "background", &after.background)?;
        }
    }
    if changed(before, after, |d| &d.amount) {
        writer.money(&root, "amount", after.amount)?;
    }
    if changed(before, after, |d| &d.expected_close) {
        writer.opt_date(&root, "expectedClose", after.expected_close)?;
    }
    writer.records(
        &root,
        "productLines",
        before.map(|d| &d.product_lines),
        &after.product_lines,
        records::WRITE_PRODUCT_LINE,
    )?;
    if changed(before, after, |d| &d.source) {
        writer.opt_string(&root, "source", after.source.as_deref())?;
    }
    if changed(before, after, |d| &d.campaign) {
        writer.opt_string(&root, "campaign", after.campaign.as_deref())?;
    }
    if changed(before, after, |d| &d.lead) {
        writer.opt_id(&root, "lead", after.lead.as_ref())?;
    }
    if changed(before, after, |d| &d.owner) {
        writer.string(&root, "owner", after.owner.as_str())?;
    }
    if changed(before, after, |d| &d.team) {
        writer.opt_id(&root, "team", after.team.as_ref())?;
    }
    if changed(before, after, |d| &d.deal_team) {
        let team = writer.map(&root, "dealTeam")?;
        if let Some(before) = before {
            for user in before
                .deal_team
                .keys()
                .filter(|user| !after.deal_team.contains_key(*user))
            {
                writer.delete(&team, user.as_str())?;
            }
        }
        for (user, role) in &after.deal_team {
            if before.and_then(|before| before.deal_team.get(user)) != Some(role) {
                writer.name(&team, user.as_str(), *role)?;
            }
        }
    }
    if changed(before, after, |d| &d.needs) {
        writer.text(&root, "needs", &after.needs)?;
    }
    if changed(before, after, |d| &d.business_value) {
        writer.text(&root, "businessValue", &after.business_value)?;
    }
    if changed(before, after, |d| &d.budget) {
        let budget = writer.map(&root, "budget")?;
        let before = before.map(|d| &d.budget);
        let after = &after.budget;
        if changed(before, after, |b| &b.min) {
            writer.opt_money(&budget, "min", after.min)?;
        }
        if changed(before, after, |b| &b.max) {
            writer.opt_money(&budget, "max", after.max)?;
        }
        if changed(before, after, |b| &b.confirmed) {
            writer.put(&budget, "confirmed", after.confirmed)?;
        }
        if changed(before, after, |b| &b.approval_cycle) {
            writer.string(&budget, "approvalCycle", &after.approval_cycle)?;
        }
    }
    if changed(before, after, |d| &d.pipeline) {
        writer.string(&root, "pipeline", after.pipeline.as_str())?;
    }
    let history_before = before.map(|d| by_id(&d.history, |entry| entry.id.clone()));
    writer.records(
        &root,
        "history",
        history_before.as_ref(),
        &by_id(&after.history, |entry| entry.id.clone()),
        records::WRITE_TRANSITION,
    )?;
    if changed(before, after, |d| &d.probability) {
        write_probability(writer, before.map(|d| &d.probability), &after.probability)?;
    }
    if changed(before, after, |d| &d.forecast_category) {
        match &after.forecast_category {
            Some(category) => {
                let map = writer.replace_map(&root, "forecastCategory")?;
                writer.name(&map, "category", category.category)?;
                writer.string(&map, "setBy", category.set_by.as_str())?;
                writer.timestamp(&map, "setAt", category.set_at)?;
            }
            None => writer.put(&root, "forecastCategory", ScalarValue::Null)?,
        }
    }
    let adjustments_before = before.map(|d| by_id(&d.forecast_adjustments, |a| a.id.clone()));
    writer.records(
        &root,
        "forecastAdjustments",
        adjustments_before.as_ref(),
        &by_id(&after.forecast_adjustments, |a| a.id.clone()),
        records::WRITE_FORECAST_ADJUSTMENT,
    )?;
    writer.records(
        &root,
        "contacts",
        before.map(|d| &d.contacts),
        &after.contacts,
        records::WRITE_CONTACT,
    )?;
    writer.records(
        &root,
        "relationships",
        before.map(|d| &d.relationships),
        &after.relationships,
        records::WRITE_RELATIONSHIP,
    )?;
    writer.records(
        &root,
        "competitors",
        before.map(|d| &d.competitors),
        &after.competitors,
        records::WRITE_COMPETITOR,
    )?;
    writer.records(
        &root,
        "followUps",
        before.map(|d| &d.follow_ups),
        &after.follow_ups,
        records::WRITE_FOLLOW_UP,
    )?;
    writer.records(
        &root,
        "comments",
        before.map(|d| &d.comments),
        &after.comments,
        records::WRITE_COMMENT,
    )?;
    writer.records(
        &root,
        "tasks",
        before.map(|d| &d.tasks),
        &after.tasks,
        records::WRITE_TASK,
    )?;
    if changed(before, after, |d| &d.next_step) {
        records::write_next_step(writer, &root, "nextStep", after.next_step.as_ref())?;
    }
    writer.records(
        &root,
        "checklist",
        before.map(|d| &d.checklist),
        &after.checklist,
        records::WRITE_CHECKLIST_TICK,
    )?;
    let close_before = before.map(|d| by_id(&d.close_date_changes, |c| c.id.clone()));
    writer.records(
        &root,
        "closeDateChanges",
        close_before.as_ref(),
        &by_id(&after.close_date_changes, |c| c.id.clone()),
        records::WRITE_CLOSE_DATE_CHANGE,
    )?;
    let amount_before = before.map(|d| by_id(&d.amount_changes, |c| c.id.clone()));
    writer.records(
        &root,
        "amountChanges",
        amount_before.as_ref(),
        &by_id(&after.amount_changes, |c| c.id.clone()),
        records::WRITE_AMOUNT_CHANGE,
    )?;
    writer.records(
        &root,
        "touchpoints",
        before.map(|d| &d.touchpoints),
        &after.touchpoints,
        records::WRITE_TOUCHPOINT,
    )?;
    if changed(before, after, |d| &d.created_at) {
        writer.timestamp(&root, "createdAt", after.created_at)?;
    }
    if changed(before, after, |d| &d.created_by) {
        writer.string(&root, "createdBy", after.created_by.as_str())?;
    }
    Ok(())
}

/// Learned and manual probabilities are each replaced whole (value, who and when belong
/// together); the two are independent registers, so the model and the owner never overwrite
/// each other.
fn write_probability(
    writer: &mut Writer<'_>,
    before: Option<&ProbabilityInputs>,
    after: &ProbabilityInputs,
) -> Result<(), DocError> {
    let probability = writer.map(&ROOT, "probability")?;
    if changed(before, after, |p| &p.learned) {
        match &after.learned {
            Some(learned) => {
                let map = writer.replace_map(&probability, "learned")?;
                writer.put(&map, "value", u64::from(learned.value.basis_points()))?;
                writer.timestamp(&map, "computedAt", learned.computed_at)?;
            }
            None => writer.put(&probability, "learned", ScalarValue::Null)?,
        }
    }
    if changed(before, after, |p| &p.manual) {
        match &after.manual {
            Some(manual) => {
                let map = writer.replace_map(&probability, "manual")?;
                writer.put(&map, "value", u64::from(manual.value.basis_points()))?;
                writer.string(&map, "setBy", manual.set_by.as_str())?;
                writer.timestamp(&map, "setAt", manual.set_at)?;
            }
            None => writer.put(&probability, "manual", ScalarValue::Null)?,
        }
    }
    Ok(())
}

/// A log (a vector ordered by time) as a map keyed by entry id, which is how logs are stored.
fn by_id<K: Ord, V: Clone>(entries: &[V], key: impl Fn(&V) -> K) -> BTreeMap<K, V> {
    map_of(entries.iter().map(|entry| (key(entry), entry.clone())))
}
