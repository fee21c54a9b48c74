//! The records of a deal document, each read and written side by side so that their keys exist
//! once: every record is a map inside a collection keyed by the record's id (the id is the key
//! and is not repeated inside). Writers get the record as it was before the edit and write only
//! the fields that differ, so concurrent edits to different fields of one record both survive.

use automerge::ObjId;
use automerge::hydrate::Map;

use super::error::DocError;
use super::read::{Path, Reader};
use super::write::{Writer, changed};
use crate::deal::DealStatus;
use crate::deal::{
    AmountChange, ChecklistTick, CloseDateChange, Comment, Competitor, CompetitorStatus, Contact,
    ContactRole, FollowUp, FollowUpKind, ForecastAdjustment, Influence, NextStep, ProductLine,
    Relationship, RelationshipKind, StageTransition, Stance, Task, TaskOrigin, TaskStatus,
    Touchpoint, TransitionKind,
};
use crate::i18n::LocalizedText;
use crate::id::{ContactId, RecordId, StageId, UserId};
use crate::money::{Currency, Discount};
use crate::pipeline::ForecastCategory;

/// Values used when a required field cannot be read.
#[derive(Debug)]
pub(crate) struct Fallbacks {
    /// For user ids (`unknown`).
    pub(crate) user: UserId,
    /// For money: the deal amount's currency.
    pub(crate) currency: Currency,
}

pub(crate) type Write<V> = fn(&mut Writer<'_>, &ObjId, Option<&V>, &V) -> Result<(), DocError>;

pub(crate) fn read_contact(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
) -> Option<Contact> {
    Some(Contact {
        id: reader.record_id::<ContactId>(path, key)?,
        name: reader.string(map, path, "name"),
        title: reader.string(map, path, "title"),
        role: reader.name(map, path, "role", ContactRole::Other),
        stance: reader.name(map, path, "stance", Stance::Neutral),
        influence: reader.name(map, path, "influence", Influence::Medium),
        last_contacted: reader.opt_timestamp(map, path, "lastContacted"),
        phone: reader.string(map, path, "phone"),
        email: reader.string(map, path, "email"),
    })
}

pub(crate) const WRITE_CONTACT: Write<Contact> = |writer, obj, before, after| {
    if changed(before, after, |c| &c.name) {
        writer.string(obj, "name", &after.name)?;
    }
    if changed(before, after, |c| &c.title) {
        writer.string(obj, "title", &after.title)?;
    }
    if changed(before, after, |c| &c.role) {
        writer.name(obj, "role", after.role)?;
    }
    if changed(before, after, |c| &c.stance) {
        writer.name(obj, "stance", after.stance)?;
    }
    if changed(before, after, |c| &c.influence) {
        writer.name(obj, "influence", after.influence)?;
    }
    if changed(before, after, |c| &c.last_contacted) {
        writer.opt_timestamp(obj, "lastContacted", after.last_contacted)?;
    }
    if changed(before, after, |c| &c.phone) {
        writer.string(obj, "phone", &after.phone)?;
    }
    if changed(before, after, |c| &c.email) {
        writer.string(obj, "email", &after.email)?;
    }
    Ok(())
};

pub(crate) fn read_relationship(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
) -> Option<Relationship> {
    let id = reader.record_id::<RecordId>(path, key)?;
    // An edge without both ends means nothing: it is skipped (and kept in the document).
    let from = required(reader, map, path, "from", "a contact id")?;
    let to = required(reader, map, path, "to", "a contact id")?;
    Some(Relationship {
        id,
        from,
        to,
        kind: reader.name(map, path, "kind", RelationshipKind::Influences),
    })
}

pub(crate) const WRITE_RELATIONSHIP: Write<Relationship> = |writer, obj, before, after| {
    if changed(before, after, |r| &r.from) {
        writer.string(obj, "from", after.from.as_str())?;
    }
    if changed(before, after, |r| &r.to) {
        writer.string(obj, "to", after.to.as_str())?;
    }
    if changed(before, after, |r| &r.kind) {
        writer.name(obj, "kind", after.kind)?;
    }
    Ok(())
};

pub(crate) fn read_competitor(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
) -> Option<Competitor> {
    Some(Competitor {
        id: reader.record_id::<RecordId>(path, key)?,
        name: reader.string(map, path, "name"),
        product: reader.string(map, path, "product"),
        price: reader.opt_money(map, path, "price"),
        strengths: reader.string_list(map, path, "strengths"),
        weaknesses: reader.string_list(map, path, "weaknesses"),
        status: reader.name(map, path, "status", CompetitorStatus::Active),
    })
}

pub(crate) const WRITE_COMPETITOR: Write<Competitor> = |writer, obj, before, after| {
    if changed(before, after, |c| &c.name) {
        writer.string(obj, "name", &after.name)?;
    }
    if changed(before, after, |c| &c.product) {
        writer.string(obj, "product", &after.product)?;
    }
    if changed(before, after, |c| &c.price) {
        writer.opt_money(obj, "price", after.price)?;
    }
    if changed(before, after, |c| &c.strengths) {
        writer.string_list(obj, "strengths", &after.strengths)?;
    }
    if changed(before, after, |c| &c.weaknesses) {
        writer.string_list(obj, "weaknesses", &after.weaknesses)?;
    }
    if changed(before, after, |c| &c.status) {
        writer.name(obj, "status", after.status)?;
    }
    Ok(())
};

pub(crate) fn read_product_line(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<ProductLine> {
    let discount = reader
        .opt_unsigned::<u16>(map, path, "discount")
        .and_then(
            |basis_points| match Discount::from_basis_points(basis_points) {
                Ok(discount) => Some(discount),
                Err(_) => {
                    reader.wrong(
                        &path.child("discount"),
                        "basis points 0..=10000",
                        super::read::field(map, "discount"),
                        super::error::Fallback::Default,
                    );
                    None
                }
            },
        )
        .unwrap_or(Discount::NONE);
    Some(ProductLine {
        id: reader.record_id::<RecordId>(path, key)?,
        product_id: reader.opt_id(map, path, "productId"),
        product: reader.string(map, path, "product"),
        quantity: reader.opt_int(map, path, "quantity").unwrap_or(1),
        unit_price: reader.money(map, path, "unitPrice", fallbacks.currency),
        discount,
    })
}

pub(crate) const WRITE_PRODUCT_LINE: Write<ProductLine> = |writer, obj, before, after| {
    if changed(before, after, |p| &p.product_id) {
        writer.opt_id(obj, "productId", after.product_id.as_ref())?;
    }
    if changed(before, after, |p| &p.product) {
        writer.string(obj, "product", &after.product)?;
    }
    if changed(before, after, |p| &p.quantity) {
        writer.put(obj, "quantity", after.quantity)?;
    }
    if changed(before, after, |p| &p.unit_price) {
        writer.money(obj, "unitPrice", after.unit_price)?;
    }
    if changed(before, after, |p| &p.discount) {
        writer.put(obj, "discount", u64::from(after.discount.basis_points()))?;
    }
    Ok(())
};

pub(crate) fn read_next_step(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
) -> Option<NextStep> {
    let next_step = reader.opt_map(map, path, key)?;
    let path = path.child(key);
    // A next step without a due date cannot be scheduled or checked: it reads as absent.
    let due = required(reader, next_step, &path, "due", "a date YYYY-MM-DD")
        .and_then(|_: String| reader.opt_date(next_step, &path, "due"))?;
    Some(NextStep {
        action: reader.string(next_step, &path, "action"),
        due,
        owner: reader.opt_id(next_step, &path, "owner"),
    })
}

/// Replaces a next step whole: the action, date and owner were agreed together.
pub(crate) fn write_next_step(
    writer: &mut Writer<'_>,
    obj: &ObjId,
    key: &str,
    next_step: Option<&NextStep>,
) -> Result<(), DocError> {
    let Some(next_step) = next_step else {
        return writer.put(obj, key, automerge::ScalarValue::Null);
    };
    let map = writer.replace_map(obj, key)?;
    writer.string(&map, "action", &next_step.action)?;
    writer.opt_date(&map, "due", Some(next_step.due))?;
    writer.opt_id(&map, "owner", next_step.owner.as_ref())
}

pub(crate) fn read_follow_up(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<FollowUp> {
    let participants = reader
        .string_list(map, path, "participants")
        .into_iter()
        .filter_map(|participant| ContactId::new(participant).ok())
        .collect();
    Some(FollowUp {
        id: reader.record_id::<RecordId>(path, key)?,
        kind: reader.name(map, path, "kind", FollowUpKind::Call),
        at: reader.timestamp(map, path, "at"),
        by: reader.id(map, path, "by", &fallbacks.user),
        participants,
        summary: reader.string(map, path, "summary"),
        customer_feedback: reader.string(map, path, "customerFeedback"),
        next_step: read_next_step(reader, map, path, "nextStep"),
    })
}

pub(crate) const WRITE_FOLLOW_UP: Write<FollowUp> = |writer, obj, before, after| {
    if changed(before, after, |f| &f.kind) {
        writer.name(obj, "kind", after.kind)?;
    }
    if changed(before, after, |f| &f.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |f| &f.by) {
        writer.string(obj, "by", after.by.as_str())?;
    }
    if changed(before, after, |f| &f.participants) {
        let participants: Vec<String> = after
            .participants
            .iter()
            .map(|id| id.as_str().to_owned())
            .collect();
        writer.string_list(obj, "participants", &participants)?;
    }
    if changed(before, after, |f| &f.summary) {
        writer.text(obj, "summary", &after.summary)?;
    }
    if changed(before, after, |f| &f.customer_feedback) {
        writer.text(obj, "customerFeedback", &after.customer_feedback)?;
    }
    if changed(before, after, |f| &f.next_step) {
        write_next_step(writer, obj, "nextStep", after.next_step.as_ref())?;
    }
    Ok(())
};

pub(crate) fn read_comment(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<Comment> {
    Some(Comment {
        id: reader.record_id::<RecordId>(path, key)?,
        author: reader.id(map, path, "author", &fallbacks.user),
        at: reader.timestamp(map, path, "at"),
        text: reader.string(map, path, "text"),
        reply_to: reader.opt_id(map, path, "replyTo"),
    })
}

pub(crate) const WRITE_COMMENT: Write<Comment> = |writer, obj, before, after| {
    if changed(before, after, |c| &c.author) {
        writer.string(obj, "author", after.author.as_str())?;
    }
    if changed(before, after, |c| &c.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |c| &c.text) {
        writer.text(obj, "text", &after.text)?;
    }
    if changed(before, after, |c| &c.reply_to) {
        writer.opt_id(obj, "replyTo", after.reply_to.as_ref())?;
    }
    Ok(())
};

pub(crate) fn read_task(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<Task> {
    let title = match reader.opt_map(map, path, "title") {
        Some(title) => {
            let title_path = path.child("title");
            LocalizedText::new(
                reader.string(title, &title_path, "zh-CN"),
                reader.string(title, &title_path, "en"),
            )
        }
        None => LocalizedText::default(),
    };
    let origin = match reader.opt_map(map, path, "origin") {
        Some(origin) => {
            let origin_path = path.child("origin");
            match reader.string(origin, &origin_path, "kind").as_str() {
                "stage_template" => {
                    let stage: Option<StageId> = reader.opt_id(origin, &origin_path, "stage");
                    match stage {
                        Some(stage) => TaskOrigin::StageTemplate {
                            stage,
                            template: reader.string(origin, &origin_path, "template"),
                        },
                        None => TaskOrigin::Manual,
                    }
                }
                "manual" => TaskOrigin::Manual,
                _ => {
                    reader.wrong(
                        &origin_path.child("kind"),
                        "one of manual, stage_template",
                        super::read::field(origin, "kind"),
                        super::error::Fallback::Default,
                    );
                    TaskOrigin::Manual
                }
            }
        }
        None => TaskOrigin::Manual,
    };
    Some(Task {
        id: reader.record_id::<RecordId>(path, key)?,
        title,
        assignee: reader.id(map, path, "assignee", &fallbacks.user),
        due: reader.opt_date(map, path, "due"),
        status: reader.name(map, path, "status", TaskStatus::Open),
        origin,
        created_at: reader.timestamp(map, path, "createdAt"),
        closed_at: reader.opt_timestamp(map, path, "closedAt"),
    })
}

pub(crate) const WRITE_TASK: Write<Task> = |writer, obj, before, after| {
    if changed(before, after, |t| &t.title) {
        // Both languages of a title belong together: replaced whole.
        let title = writer.replace_map(obj, "title")?;
        writer.string(&title, "zh-CN", &after.title.zh_cn)?;
        writer.string(&title, "en", &after.title.en)?;
    }
    if changed(before, after, |t| &t.assignee) {
        writer.string(obj, "assignee", after.assignee.as_str())?;
    }
    if changed(before, after, |t| &t.due) {
        writer.opt_date(obj, "due", after.due)?;
    }
    if changed(before, after, |t| &t.status) {
        writer.name(obj, "status", after.status)?;
    }
    if changed(before, after, |t| &t.origin) {
        let origin = writer.replace_map(obj, "origin")?;
        match &after.origin {
            TaskOrigin::Manual => writer.string(&origin, "kind", "manual")?,
            TaskOrigin::StageTemplate { stage, template } => {
                writer.string(&origin, "kind", "stage_template")?;
                writer.string(&origin, "stage", stage.as_str())?;
                writer.string(&origin, "template", template)?;
            }
        }
    }
    if changed(before, after, |t| &t.created_at) {
        writer.timestamp(obj, "createdAt", after.created_at)?;
    }
    if changed(before, after, |t| &t.closed_at) {
        writer.opt_timestamp(obj, "closedAt", after.closed_at)?;
    }
    Ok(())
};

pub(crate) fn read_touchpoint(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
) -> Option<Touchpoint> {
    Some(Touchpoint {
        id: reader.record_id::<RecordId>(path, key)?,
        at: reader.timestamp(map, path, "at"),
        channel: reader.string(map, path, "channel"),
        campaign: reader.opt_string(map, path, "campaign"),
    })
}

pub(crate) const WRITE_TOUCHPOINT: Write<Touchpoint> = |writer, obj, before, after| {
    if changed(before, after, |t| &t.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |t| &t.channel) {
        writer.string(obj, "channel", &after.channel)?;
    }
    if changed(before, after, |t| &t.campaign) {
        writer.opt_string(obj, "campaign", after.campaign.as_deref())?;
    }
    Ok(())
};

pub(crate) fn read_transition(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<StageTransition> {
    let id = reader.record_id::<RecordId>(path, key)?;
    // An entry without a stage cannot place the deal anywhere: it is skipped.
    let stage = required(reader, map, path, "stage", "a stage id")?;
    Some(StageTransition {
        id,
        at: reader.timestamp(map, path, "at"),
        by: reader.id(map, path, "by", &fallbacks.user),
        kind: reader.name(map, path, "kind", TransitionKind::Forward),
        stage,
        status: reader.name(map, path, "status", DealStatus::Open),
        reason: reader.opt_string(map, path, "reason"),
        note: reader.string(map, path, "note"),
    })
}

pub(crate) const WRITE_TRANSITION: Write<StageTransition> = |writer, obj, before, after| {
    if changed(before, after, |t| &t.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |t| &t.by) {
        writer.string(obj, "by", after.by.as_str())?;
    }
    if changed(before, after, |t| &t.kind) {
        writer.name(obj, "kind", after.kind)?;
    }
    if changed(before, after, |t| &t.stage) {
        writer.string(obj, "stage", after.stage.as_str())?;
    }
    if changed(before, after, |t| &t.status) {
        writer.name(obj, "status", after.status)?;
    }
    if changed(before, after, |t| &t.reason) {
        writer.opt_string(obj, "reason", after.reason.as_deref())?;
    }
    if changed(before, after, |t| &t.note) {
        writer.string(obj, "note", &after.note)?;
    }
    Ok(())
};

pub(crate) fn read_close_date_change(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<CloseDateChange> {
    Some(CloseDateChange {
        id: reader.record_id::<RecordId>(path, key)?,
        at: reader.timestamp(map, path, "at"),
        by: reader.id(map, path, "by", &fallbacks.user),
        from: reader.opt_date(map, path, "from"),
        to: reader.opt_date(map, path, "to"),
    })
}

pub(crate) const WRITE_CLOSE_DATE_CHANGE: Write<CloseDateChange> = |writer, obj, before, after| {
    if changed(before, after, |c| &c.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |c| &c.by) {
        writer.string(obj, "by", after.by.as_str())?;
    }
    if changed(before, after, |c| &c.from) {
        writer.opt_date(obj, "from", after.from)?;
    }
    if changed(before, after, |c| &c.to) {
        writer.opt_date(obj, "to", after.to)?;
    }
    Ok(())
};

pub(crate) fn read_amount_change(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<AmountChange> {
    Some(AmountChange {
        id: reader.record_id::<RecordId>(path, key)?,
        at: reader.timestamp(map, path, "at"),
        by: reader.id(map, path, "by", &fallbacks.user),
        from: reader.money(map, path, "from", fallbacks.currency),
        to: reader.money(map, path, "to", fallbacks.currency),
    })
}

pub(crate) const WRITE_AMOUNT_CHANGE: Write<AmountChange> = |writer, obj, before, after| {
    if changed(before, after, |c| &c.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    if changed(before, after, |c| &c.by) {
        writer.string(obj, "by", after.by.as_str())?;
    }
    if changed(before, after, |c| &c.from) {
        writer.money(obj, "from", after.from)?;
    }
    if changed(before, after, |c| &c.to) {
        writer.money(obj, "to", after.to)?;
    }
    Ok(())
};

pub(crate) fn read_forecast_adjustment(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<ForecastAdjustment> {
    Some(ForecastAdjustment {
        id: reader.record_id::<RecordId>(path, key)?,
        by: reader.id(map, path, "by", &fallbacks.user),
        at: reader.timestamp(map, path, "at"),
        from: reader.name(map, path, "from", ForecastCategory::Pipeline),
        to: reader.name(map, path, "to", ForecastCategory::Pipeline),
        note: reader.string(map, path, "note"),
    })
}

pub(crate) const WRITE_FORECAST_ADJUSTMENT: Write<ForecastAdjustment> =
    |writer, obj, before, after| {
        if changed(before, after, |a| &a.by) {
            writer.string(obj, "by", after.by.as_str())?;
        }
        if changed(before, after, |a| &a.at) {
            writer.timestamp(obj, "at", after.at)?;
        }
        if changed(before, after, |a| &a.from) {
            writer.name(obj, "from", after.from)?;
        }
        if changed(before, after, |a| &a.to) {
            writer.name(obj, "to", after.to)?;
        }
        if changed(before, after, |a| &a.note) {
            writer.string(obj, "note", &after.note)?;
        }
        Ok(())
    };

pub(crate) fn read_checklist_tick(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    fallbacks: &Fallbacks,
) -> Option<(String, ChecklistTick)> {
    Some((
        key.to_owned(),
        ChecklistTick {
            by: reader.id(map, path, "by", &fallbacks.user),
            at: reader.timestamp(map, path, "at"),
        },
    ))
}

pub(crate) const WRITE_CHECKLIST_TICK: Write<ChecklistTick> = |writer, obj, before, after| {
    if changed(before, after, |t| &t.by) {
        writer.string(obj, "by", after.by.as_str())?;
    }
    if changed(before, after, |t| &t.at) {
        writer.timestamp(obj, "at", after.at)?;
    }
    Ok(())
};

/// A required id field of a record: `None` with a problem when absent or invalid.
fn required<T: TryFrom<String>>(
    reader: &mut Reader,
    map: &Map,
    path: &Path,
    key: &str,
    expected: &str,
) -> Option<T> {
    let value = super::read::field(map, key);
    if let Some(automerge::hydrate::Value::Scalar(automerge::ScalarValue::Str(text))) = value
        && let Ok(id) = T::try_from(text.to_string())
    {
        return Some(id);
    }
    reader.wrong(
        &path.child(key),
        expected,
        value,
        super::error::Fallback::Skipped,
    );
    None
}
