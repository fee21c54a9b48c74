//! [`PipelineDoc`]: a pipeline configuration as an Automerge document.
//!
//! Shape: `id`; `name` (`{ zh-CN, en }`, replaced whole); `rules` (`allowSkip`,
//! `allowBackward` registers); `stages`, a map keyed by stage id whose stage maps hold
//! registers (`probability` in basis points, `forecastCategory`, `maxDwellDays`), a `label`
//! replaced whole, and the lists `entryCriteria`, `exitCriteria` and `taskTemplates`;
//! `stageOrder`, a list of stage ids; `lossReasons` and `stopReasons`, lists of `{ id, label }`.
//!
//! Stages are keyed by id so that two admins adding stages concurrently both succeed, and edits
//! to different fields of one stage both survive. Each criteria, template or reason list is
//! replaced whole when it changes: configuration is edited rarely and by few people, and a list
//! of rules only makes sense as a whole. The order is its own list of ids: a read skips ids
//! without a stage and repeated ids (keeping the first), and appends stages missing from the
//! order sorted by id, so any merge of concurrent reorderings reads as a valid order.

use std::collections::{BTreeMap, HashSet};

use automerge::hydrate::{Map, Value};
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue};

use super::codec::DocName;
use super::deal_schema::check_schema_version;
use super::error::{DocError, Fallback, ValidationProblem};
use super::history::{self, ChangeRecord, FieldChange};
use super::read::{Path, Reader, field};
use super::write::{Writer, changed};
use super::{PIPELINE_TYPE, SCHEMA_VERSION, check_type, commit_options};
use crate::deal::DealRole;
use crate::error::Error;
use crate::i18n::LocalizedText;
use crate::id::{PipelineId, StageId, UserId};
use crate::pipeline::{
    Criterion, ForecastCategory, MoveRules, Pipeline, Reason, Rule, Stage, TaskTemplate,
};
use crate::probability::Probability;
use crate::timestamp::Timestamp;

/// A pipeline configuration as an Automerge document; every write is validated first.
///
/// ```
/// use dealflow_core::{Pipeline, PipelineDoc, Timestamp, UserId};
/// use automerge::ActorId;
///
/// let admin = UserId::new("admin")?;
/// let now = Timestamp::from_millis(1_764_000_000_000);
/// let mut doc = PipelineDoc::create(&Pipeline::template_new_business(), ActorId::from(*b"admin"), &admin, now)?;
/// doc.update(&admin, now, "allow skipping", |pipeline| pipeline.rules.allow_skip = true)?;
/// let read = doc.read()?;
/// assert!(read.pipeline.rules.allow_skip);
/// // An invalid configuration is never written.
/// assert!(doc.update(&admin, now, "break it", |pipeline| pipeline.stages.clear()).is_err());
/// assert_eq!(doc.read()?.pipeline.stages.len(), Pipeline::template_new_business().stages.len());
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Debug)]
pub struct PipelineDoc {
    doc: AutoCommit,
}

/// A pipeline read from its document.
#[derive(Clone, PartialEq, Debug)]
pub struct PipelineRead {
    /// The pipeline; unreadable parts fall back or are left out (see `problems`).
    pub pipeline: Pipeline,
    /// Fields that had the wrong type or an invalid value.
    pub problems: Vec<ValidationProblem>,
}

autocommit_replica!(PipelineDoc, PIPELINE_TYPE);

impl PipelineDoc {
    /// A new document holding `pipeline`, which must pass [`Pipeline::validate`].
    pub fn create(
        pipeline: &Pipeline,
        actor: ActorId,
        author: &UserId,
        now: Timestamp,
    ) -> Result<Self, Error> {
        pipeline.validate()?;
        let mut doc = AutoCommit::new().with_actor(actor);
        write_pipeline(&mut Writer { doc: &mut doc }, None, pipeline)?;
        doc.commit_with(commit_options(author, now, "create pipeline"));
        Ok(PipelineDoc { doc })
    }

    /// Reads the pipeline and checks it with [`Pipeline::validate`]: a configuration that a
    /// merge made invalid is an error here, because deals must not move under it.
    pub fn read(&self) -> Result<PipelineRead, Error> {
        let read = self.read_unvalidated()?;
        read.pipeline.validate()?;
        Ok(read)
    }

    /// Reads the pipeline without validating it, for an admin screen that repairs it.
    pub fn read_unvalidated(&self) -> Result<PipelineRead, DocError> {
        let root = self
            .doc
            .hydrate(ROOT, None)
            .map_err(|error| DocError::corrupt("document", &error))?;
        read_pipeline(&root)
    }

    /// Edits the configuration: `edit` changes the current pipeline; the result must pass
    /// [`Pipeline::validate`], else nothing is written. Only what differs is written.
    pub fn update(
        &mut self,
        author: &UserId,
        now: Timestamp,
        summary: &str,
        edit: impl FnOnce(&mut Pipeline),
    ) -> Result<bool, Error> {
        let before = self.read_unvalidated()?.pipeline;
        let mut after = before.clone();
        edit(&mut after);
        after.validate()?;
        if before == after {
            return Ok(false);
        }
        if let Err(error) =
            write_pipeline(&mut Writer { doc: &mut self.doc }, Some(&before), &after)
        {
            self.doc.rollback();
            return Err(error.into());
        }
        Ok(self
            .doc
            .commit_with(commit_options(author, now, summary))
            .is_some())
    }

    /// Every change to the configuration, ordered by time.
    pub fn changes(&mut self) -> Vec<ChangeRecord> {
        history::change_records(self.doc.document())
    }

    /// What changed in the configuration between `from` and `to`, field by field.
    pub fn changes_between(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<FieldChange>, DocError> {
        history::field_changes(self.doc.document(), from, to)
    }
}

fn read_pipeline(root: &Value) -> Result<PipelineRead, DocError> {
    let Value::Map(root) = root else {
        return Err(DocError::WrongType {
            expected: PIPELINE_TYPE,
            found: "not a map".to_owned(),
        });
    };
    check_type(root, PIPELINE_TYPE)?;
    let mut reader = Reader::default();
    let path = Path::root();
    check_schema_version(&mut reader, root);
    let Some(id) = reader.opt_id::<PipelineId>(root, &path, "id") else {
        return Err(DocError::MissingIdentity {
            field: "id",
            reason: super::read::describe(field(root, "id")),
        });
    };
    let rules = match reader.opt_map(root, &path, "rules") {
        Some(rules) => {
            let rules_path = path.child("rules");
            MoveRules {
                allow_skip: reader.boolean(rules, &rules_path, "allowSkip"),
                allow_backward: reader.boolean(rules, &rules_path, "allowBackward"),
            }
        }
        None => MoveRules::default(),
    };
    let mut stages: BTreeMap<String, Stage> = reader
        .records(root, &path, "stages", read_stage)
        .into_iter()
        .map(|stage| (stage.id.as_str().to_owned(), stage))
        .collect();
    let mut ordered = Vec::with_capacity(stages.len());
    let mut seen = HashSet::new();
    for stage_id in reader.string_list(root, &path, "stageOrder") {
        if seen.insert(stage_id.clone())
            && let Some(stage) = stages.remove(&stage_id)
        {
            ordered.push(stage);
        }
    }
    ordered.extend(stages.into_values());
    let pipeline = Pipeline {
        id,
        name: read_label(&mut reader, root, &path, "name"),
        stages: ordered,
        loss_reasons: read_reasons(&mut reader, root, &path, "lossReasons"),
        stop_reasons: read_reasons(&mut reader, root, &path, "stopReasons"),
        rules,
    };
    Ok(PipelineRead {
        pipeline,
        problems: reader.problems,
    })
}

fn read_label(reader: &mut Reader, map: &Map, path: &Path, key: &str) -> LocalizedText {
    match reader.opt_map(map, path, key) {
        Some(label) => {
            let label_path = path.child(key);
            LocalizedText::new(
                reader.string(label, &label_path, "zh-CN"),
                reader.string(label, &label_path, "en"),
            )
        }
        None => LocalizedText::default(),
    }
}

fn read_stage(reader: &mut Reader, map: &Map, path: &Path, key: &str) -> Option<Stage> {
    Some(Stage {
        id: reader.record_id::<StageId>(path, key)?,
        label: read_label(reader, map, path, "label"),
        probability: reader
            .opt_probability(map, path, "probability")
            .unwrap_or(Probability::ZERO),
        forecast_category: reader.name(map, path, "forecastCategory", ForecastCategory::Pipeline),
        entry_criteria: read_list(reader, map, path, "entryCriteria", read_criterion),
        exit_criteria: read_list(reader, map, path, "exitCriteria", read_criterion),
        max_dwell_days: reader.opt_unsigned(map, path, "maxDwellDays"),
        task_templates: read_list(reader, map, path, "taskTemplates", read_task_template),
    })
}

/// The map items of a list; items that are not maps, or that `read` rejects, are left out.
fn read_list<T>(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    read: fn(&mut Reader, &Map, &Path) -> Option<T>,
) -> Vec<T> {
    let list_path = path.child(key);
    match field(map, key) {
        None => Vec::new(),
        Some(Value::List(list)) => list
            .iter()
            .enumerate()
            .filter_map(|(index, item)| {
                let item_path = list_path.child(&index.to_string());
                match &item.value {
                    Value::Map(item) => read(reader, item, &item_path),
                    other => {
                        reader.wrong(&item_path, "a map", Some(other), Fallback::Skipped);
                        None
                    }
                }
            })
            .collect(),
        Some(other) => {
            reader.wrong(&list_path, "a list", Some(other), Fallback::Default);
            Vec::new()
        }
    }
}

fn read_criterion(reader: &mut Reader, map: &Map, path: &Path) -> Option<Criterion> {
    let id = reader.string(map, path, "id");
    let rule_map = reader.opt_map(map, path, "rule")?;
    let rule_path = path.child("rule");
    let rule = match reader.string(rule_map, &rule_path, "type").as_str() {
        "field_set" => Rule::FieldSet {
            field: reader.opt_name(rule_map, &rule_path, "field")?,
        },
        "amount_positive" => Rule::AmountPositive,
        "budget_range_known" => Rule::BudgetRangeKnown,
        "budget_confirmed" => Rule::BudgetConfirmed,
        "contact_with_role" => Rule::ContactWithRole {
            role: reader.opt_name(rule_map, &rule_path, "role")?,
        },
        "follow_up_held" => Rule::FollowUpHeld {
            kind: reader.opt_name(rule_map, &rule_path, "kind"),
            with_feedback: reader.boolean(rule_map, &rule_path, "withFeedback"),
            since_stage_entry: reader.boolean(rule_map, &rule_path, "sinceStageEntry"),
        },
        "checklist" => Rule::Checklist,
        "next_step_scheduled" => Rule::NextStepScheduled,
        "product_lines" => Rule::ProductLines,
        _ => {
            reader.wrong(
                &rule_path.child("type"),
                "a rule type (field_set, contact_with_role, …)",
                field(rule_map, "type"),
                Fallback::Skipped,
            );
            return None;
        }
    };
    let label = reader
        .opt_map(map, path, "label")
        .map(|_| read_label(reader, map, path, "label"));
    Some(Criterion { id, rule, label })
}

fn read_task_template(reader: &mut Reader, map: &Map, path: &Path) -> Option<TaskTemplate> {
    Some(TaskTemplate {
        id: reader.string(map, path, "id"),
        title: read_label(reader, map, path, "title"),
        due_in_days: reader.opt_unsigned(map, path, "dueInDays").unwrap_or(0),
        assignee: reader.name(map, path, "assignee", DealRole::Owner),
    })
}

fn read_reasons(reader: &mut Reader, map: &Map, path: &Path, key: &str) -> Vec<Reason> {
    read_list(reader, map, path, key, |reader, map, path| {
        Some(Reason {
            id: reader.string(map, path, "id"),
            label: read_label(reader, map, path, "label"),
        })
    })
}

fn write_pipeline(
    writer: &mut Writer<'_>,
    before: Option<&Pipeline>,
    after: &Pipeline,
) -> Result<(), DocError> {
    if before.is_none() {
        writer.string(&ROOT, "type", PIPELINE_TYPE)?;
        writer.put(&ROOT, "schemaVersion", SCHEMA_VERSION)?;
    }
    if changed(before, after, |p| &p.id) {
        writer.string(&ROOT, "id", after.id.as_str())?;
    }
    if changed(before, after, |p| &p.name) {
        write_label(writer, &ROOT, "name", &after.name)?;
    }
    if changed(before, after, |p| &p.rules) {
        let rules = writer.map(&ROOT, "rules")?;
        writer.put(&rules, "allowSkip", after.rules.allow_skip)?;
        writer.put(&rules, "allowBackward", after.rules.allow_backward)?;
    }
    if changed(before, after, |p| &p.stages) {
        let stages = writer.map(&ROOT, "stages")?;
        let before_stages: BTreeMap<&StageId, &Stage> = before
            .map(|p| p.stages.iter().map(|stage| (&stage.id, stage)).collect())
            .unwrap_or_default();
        let after_ids: HashSet<&StageId> = after.stages.iter().map(|stage| &stage.id).collect();
        for removed in before_stages.keys().filter(|id| !after_ids.contains(*id)) {
            writer.delete(&stages, removed.as_str())?;
        }
        for stage in &after.stages {
            let previous = before_stages.get(&stage.id).copied();
            if previous == Some(stage) {
                continue;
            }
            let stage_obj = writer.map(&stages, stage.id.as_str())?;
            write_stage(writer, &stage_obj, previous, stage)?;
        }
        let order: Vec<String> = after
            .stages
            .iter()
            .map(|stage| stage.id.as_str().to_owned())
            .collect();
        writer.string_list(&ROOT, "stageOrder", &order)?;
    }
    if changed(before, after, |p| &p.loss_reasons) {
        write_reasons(writer, "lossReasons", &after.loss_reasons)?;
    }
    if changed(before, after, |p| &p.stop_reasons) {
        write_reasons(writer, "stopReasons", &after.stop_reasons)?;
    }
    Ok(())
}

fn write_stage(
    writer: &mut Writer<'_>,
    obj: &ObjId,
    before: Option<&Stage>,
    after: &Stage,
) -> Result<(), DocError> {
    if changed(before, after, |s| &s.label) {
        write_label(writer, obj, "label", &after.label)?;
    }
    if changed(before, after, |s| &s.probability) {
        writer.put(
            obj,
            "probability",
            u64::from(after.probability.basis_points()),
        )?;
    }
    if changed(before, after, |s| &s.forecast_category) {
        writer.name(obj, "forecastCategory", after.forecast_category)?;
    }
    if changed(before, after, |s| &s.max_dwell_days) {
        match after.max_dwell_days {
            Some(days) => writer.put(obj, "maxDwellDays", u64::from(days))?,
            None => writer.put(obj, "maxDwellDays", ScalarValue::Null)?,
        }
    }
    if changed(before, after, |s| &s.entry_criteria) {
        write_criteria(writer, obj, "entryCriteria", &after.entry_criteria)?;
    }
    if changed(before, after, |s| &s.exit_criteria) {
        write_criteria(writer, obj, "exitCriteria", &after.exit_criteria)?;
    }
    if changed(before, after, |s| &s.task_templates) {
        let list = replace_list(writer, obj, "taskTemplates")?;
        for (index, template) in after.task_templates.iter().enumerate() {
            let item = insert_map(writer, &list, index)?;
            writer.string(&item, "id", &template.id)?;
            write_label(writer, &item, "title", &template.title)?;
            writer.put(&item, "dueInDays", u64::from(template.due_in_days))?;
            writer.name(&item, "assignee", template.assignee)?;
        }
    }
    Ok(())
}

fn write_criteria(
    writer: &mut Writer<'_>,
    obj: &ObjId,
    key: &str,
    criteria: &[Criterion],
) -> Result<(), DocError> {
    let list = replace_list(writer, obj, key)?;
    for (index, criterion) in criteria.iter().enumerate() {
        let item = insert_map(writer, &list, index)?;
        writer.string(&item, "id", &criterion.id)?;
        if let Some(label) = &criterion.label {
            write_label(writer, &item, "label", label)?;
        }
        let rule = writer.replace_map(&item, "rule")?;
        let kind = match &criterion.rule {
            Rule::FieldSet { field } => {
                writer.put(&rule, "field", field.doc_name())?;
                "field_set"
            }
            Rule::AmountPositive => "amount_positive",
            Rule::BudgetRangeKnown => "budget_range_known",
            Rule::BudgetConfirmed => "budget_confirmed",
            Rule::ContactWithRole { role } => {
                writer.put(&rule, "role", role.doc_name())?;
                "contact_with_role"
            }
            Rule::FollowUpHeld {
                kind,
                with_feedback,
                since_stage_entry,
            } => {
                if let Some(kind) = kind {
                    writer.put(&rule, "kind", kind.doc_name())?;
                }
                writer.put(&rule, "withFeedback", *with_feedback)?;
                writer.put(&rule, "sinceStageEntry", *since_stage_entry)?;
                "follow_up_held"
            }
            Rule::Checklist => "checklist",
            Rule::NextStepScheduled => "next_step_scheduled",
            Rule::ProductLines => "product_lines",
        };
        writer.put(&rule, "type", kind)?;
    }
    Ok(())
}

fn write_reasons(writer: &mut Writer<'_>, key: &str, reasons: &[Reason]) -> Result<(), DocError> {
    let list = replace_list(writer, &ROOT, key)?;
    for (index, reason) in reasons.iter().enumerate() {
        let item = insert_map(writer, &list, index)?;
        writer.string(&item, "id", &reason.id)?;
        write_label(writer, &item, "label", &reason.label)?;
    }
    Ok(())
}

/// A bilingual label, replaced whole.
fn write_label(
    writer: &mut Writer<'_>,
    obj: &ObjId,
    key: &str,
    label: &LocalizedText,
) -> Result<(), DocError> {
    let map = writer.replace_map(obj, key)?;
    writer.string(&map, "zh-CN", &label.zh_cn)?;
    writer.string(&map, "en", &label.en)
}

fn replace_list(writer: &mut Writer<'_>, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
    writer
        .doc
        .put_object_key(obj, key, ObjType::List)
        .map_err(|error| DocError::write(&error))
}

fn insert_map(writer: &mut Writer<'_>, list: &ObjId, index: usize) -> Result<ObjId, DocError> {
    writer
        .doc
        .insert_object_at(list, index, ObjType::Map)
        .map_err(|error| DocError::write(&error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserId {
        UserId::new("admin").unwrap()
    }

    #[test]
    fn templates_round_trip() {
        for pipeline in [
            Pipeline::template_new_business(),
            Pipeline::template_solution_sales(),
        ] {
            let mut doc = PipelineDoc::create(
                &pipeline,
                ActorId::from(*b"a"),
                &user(),
                Timestamp::from_millis(0),
            )
            .unwrap();
            let bytes = doc.save();
            let loaded = PipelineDoc::load(&bytes, ActorId::from(*b"b")).unwrap();
            let read = loaded.read().unwrap();
            assert_eq!(read.pipeline, pipeline);
            assert!(read.problems.is_empty(), "{:?}", read.problems);
        }
    }

    #[test]
    fn concurrent_reorder_and_stage_edits_merge_into_a_valid_order() {
        let now = Timestamp::from_millis(0);
        let mut first = PipelineDoc::create(
            &Pipeline::template_new_business(),
            ActorId::from(*b"a"),
            &user(),
            now,
        )
        .unwrap();
        let mut second = first.fork(ActorId::from(*b"b"));
        first
            .update(&user(), now, "swap", |pipeline| pipeline.stages.swap(1, 2))
            .unwrap();
        second
            .update(&user(), now, "rename", |pipeline| {
                pipeline.stages[1].label.en = "Discovery".into();
            })
            .unwrap();
        first.merge(&mut second).unwrap();
        let read = first.read().unwrap();
        let ids: HashSet<&StageId> = read.pipeline.stages.iter().map(|stage| &stage.id).collect();
        assert_eq!(ids.len(), Pipeline::template_new_business().stages.len());
        assert!(
            read.pipeline
                .stages
                .iter()
                .any(|stage| stage.label.en == "Discovery")
        );
    }
}
