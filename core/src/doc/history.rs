//! History of a document: who changed what and when, the document as of a past instant, and
//! the field-level difference between two instants ("what changed since last week's review").
//!
//! Automerge keeps every change, so history needs no extra records: each change carries its
//! author (the `Dealflow-User` trailer of its message) and its time. The state "as of" an
//! instant is the document at the heads of all changes made up to then (plus, should a device
//! clock have lagged, their causal predecessors).

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::hydrate::Value;
use automerge::legacy::{Key, ObjectId};
use automerge::{ActorId, Automerge, Change, ChangeHash, Prop, ROOT, ReadDoc, ScalarValue};

use super::deal_schema::time_order;
use super::error::DocError;
use super::read::Path;
use super::{author_of, summary_of};
use crate::i18n::LocalizedText;
use crate::id::UserId;
use crate::money::{Currency, Money};
use crate::timestamp::Timestamp;

/// One change of a document: who made it, when, and what it was about.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ChangeRecord {
    /// The change's hash.
    pub hash: ChangeHash,
    /// The replica that made it.
    pub actor: ActorId,
    /// The user, from the change message (`None` for changes made by other tools).
    pub by: Option<UserId>,
    /// When, to the second.
    pub at: Timestamp,
    /// What the edit was, e.g. `set title` or `move to stage demo`.
    pub summary: String,
}

/// A value in a field-level difference.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum FieldValue {
    /// A string, text, or a list of strings joined with `, `.
    Text(String),
    /// An integer (quantities, basis points, counters).
    Integer(i64),
    /// A flag.
    Boolean(bool),
    /// An instant.
    Timestamp(Timestamp),
    /// An amount.
    Money(Money),
    /// Anything else, described.
    Other(String),
}

/// A field whose value differs between two points in time.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FieldChange {
    /// The field, as a JSON Pointer into the document (`/contacts/c-1/stance`).
    pub path: String,
    /// The field's name in both languages (`联系人 c-1 · 态度` / `contacts c-1 · stance`).
    pub label: LocalizedText,
    /// The value at the start (`None` when absent).
    pub before: Option<FieldValue>,
    /// The value at the end (`None` when removed).
    pub after: Option<FieldValue>,
    /// Who made the last change to the field in the interval.
    pub by: Option<UserId>,
    /// When that change was made.
    pub at: Option<Timestamp>,
}

/// Every change, ordered by time (ties in causal order).
pub(crate) fn change_records(doc: &Automerge) -> Vec<ChangeRecord> {
    let changes = doc.get_changes(&[]);
    let changes: Vec<&Change> = changes.iter().collect();
    in_time_order(&changes).into_iter().map(record_of).collect()
}

/// Changes ordered by time, ties in the order given (causal order for `get_changes`), through
/// the reader's shared sort.
fn in_time_order<'a>(changes: &[&'a Change]) -> Vec<&'a Change> {
    let order = time_order(
        changes
            .iter()
            .enumerate()
            .map(|(index, change)| (change_time(change), "", index))
            .collect(),
    );
    order
        .into_iter()
        .filter_map(|index| changes.get(index).copied())
        .collect()
}

fn record_of(change: &Change) -> ChangeRecord {
    ChangeRecord {
        hash: change.hash(),
        actor: change.actor_id().clone(),
        by: author_of(change.message()),
        at: change_time(change),
        summary: summary_of(change.message()),
    }
}

fn change_time(change: &Change) -> Timestamp {
    Timestamp::from_millis(change.timestamp().saturating_mul(1000))
}

/// The heads of the document as of `at`: the latest of the changes made at or before `at`.
/// Empty when nothing had been written yet.
pub(crate) fn heads_as_of(doc: &Automerge, at: Timestamp) -> Vec<ChangeHash> {
    let changes = doc.get_changes(&[]);
    let included: Vec<&Change> = changes
        .iter()
        .filter(|change| change_time(change) <= at)
        .collect();
    let covered: HashSet<ChangeHash> = included
        .iter()
        .flat_map(|change| change.deps().iter().copied())
        .collect();
    included
        .iter()
        .map(|change| change.hash())
        .filter(|hash| !covered.contains(hash))
        .collect()
}

/// The hydrated root at `heads` (an empty map for no heads).
pub(crate) fn root_at(doc: &Automerge, heads: &[ChangeHash]) -> Result<Value, DocError> {
    if heads.is_empty() {
        return Ok(Value::map());
    }
    ReadDoc::hydrate(doc, ROOT, Some(heads)).map_err(|error| DocError::corrupt("document", &error))
}

/// The fields that differ between the document as of `from` and as of `to`, each with the
/// user and time of the last change to it in between; sorted by path.
pub(crate) fn field_changes(
    doc: &Automerge,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<FieldChange>, DocError> {
    let from_heads = heads_as_of(doc, from);
    let to_heads = heads_as_of(doc, to);
    let mut before = BTreeMap::new();
    flatten(&root_at(doc, &from_heads)?, &mut Vec::new(), &mut before);
    let mut after = BTreeMap::new();
    flatten(&root_at(doc, &to_heads)?, &mut Vec::new(), &mut after);

    let touches = touched_paths(doc, &from_heads, &to_heads);
    // Both maps are sorted by path: walk them together (a merge, so paths come out sorted
    // without collecting them into a set first).
    let mut field_changes = Vec::new();
    let mut old_leaves = before.iter().peekable();
    let mut new_leaves = after.iter().peekable();
    loop {
        let (path, old, new) = match (old_leaves.peek(), new_leaves.peek()) {
            (None, None) => break,
            (Some(&(old_path, old)), Some(&(new_path, new))) => match old_path.cmp(new_path) {
                std::cmp::Ordering::Less => {
                    old_leaves.next();
                    (old_path, Some(old), None)
                }
                std::cmp::Ordering::Greater => {
                    new_leaves.next();
                    (new_path, None, Some(new))
                }
                std::cmp::Ordering::Equal => {
                    old_leaves.next();
                    new_leaves.next();
                    (old_path, Some(old), Some(new))
                }
            },
            (Some(&(old_path, old)), None) => {
                old_leaves.next();
                (old_path, Some(old), None)
            }
            (None, Some(&(new_path, new))) => {
                new_leaves.next();
                (new_path, None, Some(new))
            }
        };
        if old == new {
            continue;
        }
        let last_touch = touches.iter().rev().find(|(_, touched)| {
            touched
                .iter()
                .any(|touched| path.starts_with(touched) || touched.starts_with(path))
        });
        field_changes.push(FieldChange {
            path: Path::from_segments(path.clone()).to_string(),
            label: label(path),
            before: old.cloned(),
            after: new.cloned(),
            by: last_touch.and_then(|(record, _)| record.by.clone()),
            at: last_touch.map(|(record, _)| record.at),
        });
    }
    Ok(field_changes)
}

/// For each change after `from_heads` up to `to_heads`, in time order, the paths it touched.
fn touched_paths(
    doc: &Automerge,
    from_heads: &[ChangeHash],
    to_heads: &[ChangeHash],
) -> Vec<(ChangeRecord, Vec<Vec<String>>)> {
    let changes = doc.get_changes(&[]);
    let by_hash: HashMap<ChangeHash, &Change> = changes
        .iter()
        .map(|change| (change.hash(), change))
        .collect();
    let ancestors = |heads: &[ChangeHash]| -> HashSet<ChangeHash> {
        let mut seen = HashSet::new();
        let mut stack: Vec<ChangeHash> = heads.to_vec();
        while let Some(hash) = stack.pop() {
            if seen.insert(hash)
                && let Some(change) = by_hash.get(&hash)
            {
                stack.extend(change.deps().iter().copied());
            }
        }
        seen
    };
    let before = ancestors(from_heads);
    let after = ancestors(to_heads);
    let interval: Vec<&Change> = changes
        .iter()
        .filter(|change| after.contains(&change.hash()) && !before.contains(&change.hash()))
        .collect();
    let interval = in_time_order(&interval);
    let mut touches = Vec::with_capacity(interval.len());
    for change in interval {
        touches.push((record_of(change), paths_of_ops(doc, change)));
    }
    touches
}

/// The paths one change wrote to, read from its own operations: the path of the object each
/// operation is in (as of the change), plus the key for a map operation. A list or text edit
/// touches the list or text itself. (This is what `Automerge::diff` from the change's
/// dependencies to the change reports, without building patches: `diff` and its patch builder
/// were the largest part of the browser module's history code.)
fn paths_of_ops(doc: &Automerge, change: &Change) -> Vec<Vec<String>> {
    let at = [change.hash()];
    let mut object_paths: HashMap<ObjectId, Option<Vec<String>>> = HashMap::new();
    let mut touched: Vec<Vec<String>> = Vec::new();
    for op in change.decode().operations {
        let object_path = object_paths
            .entry(op.obj.clone())
            .or_insert_with(|| object_path(doc, &op.obj, &at));
        // An object the document cannot place (it is not visible as of the change) has no
        // path to report.
        let Some(object_path) = object_path else {
            continue;
        };
        let mut path = object_path.clone();
        if let Key::Map(key) = &op.key {
            path.push(key.to_string());
        }
        if !touched.contains(&path) {
            touched.push(path);
        }
    }
    touched
}

/// Where an object of a change sits in the document as of `heads`.
fn object_path(doc: &Automerge, object: &ObjectId, heads: &[ChangeHash]) -> Option<Vec<String>> {
    let ObjectId::Id(_) = object else {
        return Some(Vec::new());
    };
    let id = doc.import_obj(&object.to_string()).ok()?;
    let parents = doc.parents_at(&id, heads).ok()?;
    Some(
        parents
            .path()
            .iter()
            .map(|(_, prop)| prop_name(prop))
            .collect(),
    )
}

fn prop_name(prop: &Prop) -> String {
    match prop {
        Prop::Map(key) => key.clone(),
        Prop::Seq(index) => index.to_string(),
    }
}

/// Leaves of a hydrated document by path. Money maps and lists of scalars are single leaves;
/// nulls are absent.
fn flatten(value: &Value, path: &mut Vec<String>, leaves: &mut BTreeMap<Vec<String>, FieldValue>) {
    match value {
        Value::Map(map) => {
            if let Some(money) = as_money(value) {
                leaves.insert(path.clone(), FieldValue::Money(money));
                return;
            }
            for (key, entry) in map.iter() {
                path.push(key.clone());
                flatten(&entry.value, path, leaves);
                path.pop();
            }
        }
        Value::List(list) => {
            if list.iter().all(|item| item.value.is_scalar()) {
                let items: Vec<String> = list
                    .iter()
                    .filter_map(|item| match &item.value {
                        Value::Scalar(scalar) => Some(scalar_text(scalar)),
                        _ => None,
                    })
                    .collect();
                leaves.insert(path.clone(), FieldValue::Text(items.join(", ")));
                return;
            }
            for (index, item) in list.iter().enumerate() {
                path.push(index.to_string());
                flatten(&item.value, path, leaves);
                path.pop();
            }
        }
        Value::Text(text) => {
            leaves.insert(path.clone(), FieldValue::Text(String::from(text)));
        }
        Value::Scalar(scalar) => {
            let value = match scalar {
                ScalarValue::Null => return,
                ScalarValue::Str(text) => FieldValue::Text(text.to_string()),
                ScalarValue::Int(number) => FieldValue::Integer(*number),
                ScalarValue::Uint(number) => {
                    FieldValue::Integer(i64::try_from(*number).unwrap_or(i64::MAX))
                }
                ScalarValue::Counter(counter) => FieldValue::Integer(i64::from(counter)),
                ScalarValue::Boolean(flag) => FieldValue::Boolean(*flag),
                ScalarValue::Timestamp(millis) => {
                    FieldValue::Timestamp(Timestamp::from_millis(*millis))
                }
                other => FieldValue::Other(scalar_text(other)),
            };
            leaves.insert(path.clone(), value);
        }
    }
}

fn scalar_text(scalar: &ScalarValue) -> String {
    match scalar {
        ScalarValue::Str(text) => text.to_string(),
        other => other.to_string(),
    }
}

fn as_money(value: &Value) -> Option<Money> {
    let Value::Map(map) = value else {
        return None;
    };
    if map.iter().count() != 2 {
        return None;
    }
    let minor = match map.get("minor")? {
        Value::Scalar(ScalarValue::Int(minor)) => *minor,
        Value::Scalar(ScalarValue::Uint(minor)) => i64::try_from(*minor).ok()?,
        _ => return None,
    };
    let Value::Scalar(ScalarValue::Str(code)) = map.get("currency")? else {
        return None;
    };
    Some(Money::new(minor, code.parse::<Currency>().ok()?))
}

/// Collections whose keys are record ids (shown as they are in labels).
const COLLECTIONS: &[&str] = &[
    "productLines",
    "dealTeam",
    "history",
    "forecastAdjustments",
    "contacts",
    "relationships",
    "competitors",
    "followUps",
    "comments",
    "tasks",
    "checklist",
    "closeDateChanges",
    "amountChanges",
    "touchpoints",
    "stages",
    "entryCriteria",
    "exitCriteria",
    "taskTemplates",
    "lossReasons",
    "stopReasons",
    "counts",
    "totals",
];

/// The bilingual label of a document path, e.g. `联系人 c-1 · 态度` / `contacts c-1 · stance`.
pub(crate) fn label(path: &[String]) -> LocalizedText {
    let mut zh_parts: Vec<String> = Vec::new();
    let mut en_parts: Vec<String> = Vec::new();
    let mut previous: Option<&str> = None;
    let mut collection: Option<&str> = None;
    for segment in path {
        if let Some(parent) = previous
            && COLLECTIONS.contains(&parent)
        {
            // A record id: appended to its collection's label.
            if let (Some(zh), Some(en)) = (zh_parts.last_mut(), en_parts.last_mut()) {
                zh.push(' ');
                zh.push_str(segment);
                en.push(' ');
                en.push_str(segment);
            }
            collection = Some(parent);
            previous = None;
            continue;
        }
        let (zh, en) = key_label(collection, segment);
        zh_parts.push(zh.to_owned());
        en_parts.push(en.to_owned());
        previous = Some(segment.as_str());
    }
    LocalizedText::new(zh_parts.join(" · "), en_parts.join(" · "))
}

fn key_label<'a>(collection: Option<&str>, key: &'a str) -> (&'a str, &'a str) {
    match (collection, key) {
        (Some("contacts"), "title") => ("职位", "job title"),
        (Some("tasks"), "title") => ("标题", "title"),
        (Some("tasks"), "status") => ("任务状态", "task status"),
        (Some("stages"), "label") => ("阶段名称", "stage label"),
        (_, key) => match key {
            "title" => ("商机名称", "title"),
            "account" => ("客户", "account"),
            "name" => ("名称", "name"),
            "industry" => ("行业", "industry"),
            "size" => ("规模", "size"),
            "region" => ("区域", "region"),
            "background" => ("客户背景", "background"),
            "amount" => ("金额", "amount"),
            "expectedClose" => ("预计成交日期", "expected close date"),
            "productLines" => ("产品明细", "product lines"),
            "product" => ("产品", "product"),
            "productId" => ("产品编号", "product id"),
            "quantity" => ("数量", "quantity"),
            "unitPrice" => ("单价", "unit price"),
            "discount" => ("折扣", "discount"),
            "source" => ("来源渠道", "source channel"),
            "campaign" => ("市场活动", "campaign"),
            "lead" => ("线索", "lead"),
            "owner" => ("负责人", "owner"),
            "team" => ("团队", "team"),
            "dealTeam" => ("商机团队", "deal team"),
            "needs" => ("需求与痛点", "needs and pain points"),
            "businessValue" => ("预期业务价值", "expected business value"),
            "budget" => ("预算", "budget"),
            "min" => ("下限", "minimum"),
            "max" => ("上限", "maximum"),
            "confirmed" => ("已确认", "confirmed"),
            "approvalCycle" => ("审批流程", "approval cycle"),
            "pipeline" => ("销售流程", "pipeline"),
            "history" => ("阶段历史", "stage history"),
            "at" => ("时间", "time"),
            "by" => ("操作人", "by"),
            "kind" => ("类型", "kind"),
            "stage" => ("阶段", "stage"),
            "status" => ("状态", "status"),
            "reason" => ("原因", "reason"),
            "note" => ("备注", "note"),
            "probability" => ("赢率", "win probability"),
            "learned" => ("模型赢率", "learned"),
            "manual" => ("手动赢率", "manual"),
            "value" => ("数值", "value"),
            "computedAt" => ("计算时间", "computed at"),
            "setBy" => ("设置人", "set by"),
            "setAt" => ("设置时间", "set at"),
            "forecastCategory" => ("预测类别", "forecast category"),
            "category" => ("类别", "category"),
            "forecastAdjustments" => ("预测调整", "forecast adjustments"),
            "from" => ("原值", "from"),
            "to" => ("新值", "to"),
            "contacts" => ("联系人", "contacts"),
            "role" => ("角色", "role"),
            "stance" => ("态度", "stance"),
            "influence" => ("影响力", "influence"),
            "lastContacted" => ("最近联系", "last contacted"),
            "phone" => ("电话", "phone"),
            "email" => ("邮箱", "email"),
            "relationships" => ("关系", "relationships"),
            "competitors" => ("竞争对手", "competitors"),
            "price" => ("报价", "price"),
            "strengths" => ("优势", "strengths"),
            "weaknesses" => ("劣势", "weaknesses"),
            "followUps" => ("跟进记录", "follow-ups"),
            "participants" => ("参与人", "participants"),
            "summary" => ("跟进内容", "summary"),
            "customerFeedback" => ("客户反馈", "customer feedback"),
            "nextStep" => ("下一步", "next step"),
            "action" => ("行动", "action"),
            "due" => ("截止日期", "due date"),
            "comments" => ("点评", "comments"),
            "author" => ("作者", "author"),
            "text" => ("内容", "text"),
            "replyTo" => ("回复", "reply to"),
            "tasks" => ("任务", "tasks"),
            "assignee" => ("执行人", "assignee"),
            "origin" => ("来源", "origin"),
            "template" => ("模板", "template"),
            "createdAt" => ("创建时间", "created at"),
            "closedAt" => ("关闭时间", "closed at"),
            "checklist" => ("检查项", "checklist"),
            "closeDateChanges" => ("成交日期变更", "close date changes"),
            "amountChanges" => ("金额变更", "amount changes"),
            "touchpoints" => ("营销触点", "touchpoints"),
            "channel" => ("渠道", "channel"),
            "createdBy" => ("创建人", "created by"),
            "id" => ("编号", "id"),
            "zh-CN" => ("中文", "Chinese"),
            "en" => ("英文", "English"),
            "stages" => ("阶段", "stages"),
            "stageOrder" => ("阶段顺序", "stage order"),
            "label" => ("显示名称", "label"),
            "entryCriteria" => ("进入条件", "entry criteria"),
            "exitCriteria" => ("退出条件", "exit criteria"),
            "maxDwellDays" => ("最长停留天数", "max dwell days"),
            "taskTemplates" => ("任务模板", "task templates"),
            "lossReasons" => ("输单原因", "loss reasons"),
            "stopReasons" => ("暂停原因", "stop reasons"),
            "rules" => ("推进规则", "move rules"),
            "allowSkip" => ("允许跳阶段", "allow skipping"),
            "allowBackward" => ("允许回退", "allow moving back"),
            other => (other, other),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(path: &[&str]) -> Vec<String> {
        path.iter().map(|segment| (*segment).to_owned()).collect()
    }

    /// The paths `Automerge::diff` reports from a change's dependencies to the change: what
    /// the history read before it read the change's operations instead.
    fn paths_by_diff(doc: &Automerge, change: &Change) -> Vec<Vec<String>> {
        use automerge::PatchAction;
        let mut paths: Vec<Vec<String>> = Vec::new();
        for patch in doc.diff(change.deps(), &[change.hash()]) {
            let mut path: Vec<String> =
                patch.path.iter().map(|(_, prop)| prop_name(prop)).collect();
            match &patch.action {
                PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                    path.push(key.clone());
                }
                PatchAction::Increment { prop, .. } | PatchAction::Conflict { prop } => {
                    path.push(prop_name(prop));
                }
                _ => {}
            }
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        paths
    }

    #[test]
    fn the_paths_a_change_touched_are_those_diff_reports() {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ScalarValue as Scalar};

        let mut doc = Automerge::new();
        let edit =
            |doc: &mut Automerge, write: &dyn Fn(&mut automerge::transaction::Transaction<'_>)| {
                let mut tx = doc.transaction();
                write(&mut tx);
                tx.commit();
            };
        edit(&mut doc, &|tx| {
            tx.put(ROOT, "title", "first").unwrap();
            let contacts = tx.put_object(ROOT, "contacts", ObjType::Map).unwrap();
            let contact = tx.put_object(&contacts, "c-1", ObjType::Map).unwrap();
            tx.put(&contact, "stance", "neutral").unwrap();
            let needs = tx.put_object(ROOT, "needs", ObjType::Text).unwrap();
            tx.splice_text(&needs, 0, 0, "统一客服").unwrap();
            tx.put(ROOT, "visits", Scalar::counter(1)).unwrap();
            let tags = tx.put_object(ROOT, "tags", ObjType::List).unwrap();
            tx.insert(&tags, 0, "a").unwrap();
        });
        edit(&mut doc, &|tx| tx.put(ROOT, "title", "second").unwrap());
        edit(&mut doc, &|tx| {
            let (_, contacts) = tx.get(ROOT, "contacts").unwrap().unwrap();
            let (_, contact) = tx.get(&contacts, "c-1").unwrap().unwrap();
            tx.put(&contact, "stance", "supportive").unwrap();
            tx.put(&contact, "role", "decision_maker").unwrap();
        });
        edit(&mut doc, &|tx| {
            let (_, needs) = tx.get(ROOT, "needs").unwrap().unwrap();
            tx.splice_text(&needs, 2, 0, "平台").unwrap();
        });
        edit(&mut doc, &|tx| tx.increment(ROOT, "visits", 2).unwrap());
        edit(&mut doc, &|tx| {
            let (_, tags) = tx.get(ROOT, "tags").unwrap().unwrap();
            tx.insert(&tags, 1, "b").unwrap();
            tx.delete(&tags, 0).unwrap();
        });
        edit(&mut doc, &|tx| {
            let (_, contacts) = tx.get(ROOT, "contacts").unwrap().unwrap();
            tx.delete(&contacts, "c-1").unwrap();
            tx.delete(ROOT, "title").unwrap();
        });

        let changes = doc.get_changes(&[]);
        assert_eq!(changes.len(), 7);
        for change in &changes {
            let mut ours = paths_of_ops(&doc, change);
            let mut theirs = paths_by_diff(&doc, change);
            ours.sort();
            theirs.sort();
            // A change that creates objects reports, through diff, each new object at its key;
            // the operations name the same keys, plus the keys written inside the new objects,
            // which lie under them.
            for path in &theirs {
                assert!(ours.contains(path), "{path:?} missing from {ours:?}");
            }
            for path in &ours {
                assert!(
                    theirs.iter().any(|diffed| path.starts_with(diffed)),
                    "{path:?} is not under any path diff reports ({theirs:?})"
                );
            }
        }
    }

    #[test]
    fn labels_name_records_and_fields() {
        let label = label(&segments(&["contacts", "c-1", "title"]));
        assert_eq!(label.zh_cn, "联系人 c-1 · 职位");
        assert_eq!(label.en, "contacts c-1 · job title");
        assert_eq!(super::label(&segments(&["title"])).en, "title");
        assert_eq!(super::label(&segments(&["mystery"])).zh_cn, "mystery");
    }

    #[test]
    fn money_and_lists_flatten_to_single_leaves() {
        let root = Value::Map(automerge::hydrate_map! {
            "amount" => automerge::hydrate_map! { "minor" => 500_i64, "currency" => "CNY" },
            "tags" => automerge::hydrate_list!["a", "b"],
            "gone" => ScalarValue::Null,
        });
        let mut leaves = BTreeMap::new();
        flatten(&root, &mut Vec::new(), &mut leaves);
        assert_eq!(
            leaves.get(&segments(&["amount"])),
            Some(&FieldValue::Money(Money::new(500, Currency::CNY)))
        );
        assert_eq!(
            leaves.get(&segments(&["tags"])),
            Some(&FieldValue::Text("a, b".into()))
        );
        assert_eq!(leaves.len(), 2);
    }
}
