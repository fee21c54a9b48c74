//! Follow-ups, next steps, tasks, comments and marketing touchpoints.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::deal::DealError;
use crate::i18n::LocalizedText;
use crate::id::{ContactId, RecordId, StageId, UserId};
use crate::timestamp::Timestamp;

/// How a follow-up happened.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpKind {
    /// Phone call.
    Call,
    /// Visit at the customer.
    Visit,
    /// Meeting (online or in person).
    Meeting,
    /// Email.
    Email,
    /// Instant messaging, e.g. WeChat.
    Im,
    /// Product or solution demo.
    Demo,
}

/// A follow-up record (跟进记录).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct FollowUp {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Call, visit, meeting, …
    pub kind: FollowUpKind,
    /// When it happened.
    pub at: Timestamp,
    /// Who recorded it.
    pub by: UserId,
    /// Customer contacts who took part.
    pub participants: Vec<ContactId>,
    /// What was discussed.
    pub summary: String,
    /// What the customer said (empty when none was recorded).
    pub customer_feedback: String,
    /// The next step agreed in this follow-up.
    pub next_step: Option<NextStep>,
}

/// The next action with the customer and when it is due.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct NextStep {
    /// What will be done, e.g. "安排技术交流会".
    pub action: String,
    /// Due date in the organisation's time zone.
    #[serde(with = "crate::doc::codec::serde_date")]
    pub due: Date,
    /// Who will do it (the deal owner when `None`).
    pub owner: Option<UserId>,
}

/// Whether a task is still to do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Completed.
    Done,
    /// No longer needed.
    Cancelled,
}

/// Where a task came from.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskOrigin {
    /// Created by a user.
    Manual,
    /// Created from a stage's task template when the deal entered that stage.
    StageTemplate {
        /// The stage entered.
        stage: StageId,
        /// The template's id within the stage.
        template: String,
    },
}

/// A task on a deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Task {
    /// Identifier within the deal.
    pub id: RecordId,
    /// What to do, in both languages (manual tasks repeat the same text).
    pub title: LocalizedText,
    /// Who does it.
    pub assignee: UserId,
    /// Due date.
    #[serde(default, with = "crate::doc::codec::serde_option_date")]
    pub due: Option<Date>,
    /// Open, done or cancelled.
    pub status: TaskStatus,
    /// Manual or from a stage template.
    pub origin: TaskOrigin,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was completed or cancelled.
    pub closed_at: Option<Timestamp>,
}

/// A manager comment (点评) or a reply to one.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Comment {
    /// Identifier within the deal.
    pub id: RecordId,
    /// Who wrote it.
    pub author: UserId,
    /// When.
    pub at: Timestamp,
    /// The text.
    pub text: String,
    /// The comment this replies to.
    pub reply_to: Option<RecordId>,
}

/// A marketing touch on the way to the deal (ad click, event visit, campaign email, …).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Touchpoint {
    /// Identifier within the deal.
    pub id: RecordId,
    /// When it happened.
    pub at: Timestamp,
    /// Channel, from the configurable source-channel list.
    pub channel: String,
    /// Campaign, if any.
    pub campaign: Option<String>,
}

impl crate::deal::Deal {
    /// Records a follow-up (跟进记录) and what follows from it, or changes nothing on error.
    ///
    /// - Every participant must be a contact on the deal ([`DealError::UnknownContacts`] lists
    ///   all that are not) and the id must be new ([`DealError::DuplicateId`]).
    /// - Each participant's `last_contacted` moves up to the follow-up's time (never back).
    /// - When the follow-up sets a next step and is the latest follow-up on the deal, it becomes
    ///   the deal's next step. A back-dated follow-up does not replace the next step agreed
    ///   later.
    ///
    /// ```
    /// use dealflow_core::*;
    /// use time::macros::date;
    /// # let pipeline = Pipeline::template_new_business();
    /// # let ctx = MoveContext { now: Timestamp::from_millis(1_764_000_000_000),
    /// #     offset: time::macros::offset!(+8), by: UserId::new("rep-li")?, transition_id: RecordId::new("t1")? };
    /// # let new = NewDeal { id: DealId::new("deal-1")?, title: "华东电网 CRM 二期".into(),
    /// #     account: Account::default(), amount: Money::from_major(100_000, Currency::CNY)?,
    /// #     expected_close: None, owner: UserId::new("rep-li")?, team: None, source: None, stage: None };
    /// # let (mut deal, _) = pipeline.open_deal(new, &ctx)?;
    /// let wang = ContactId::new("wang")?;
    /// deal.add_contact(Contact {
    ///     id: wang.clone(),
    ///     name: "王总".into(),
    ///     title: "CIO".into(),
    ///     role: ContactRole::DecisionMaker,
    ///     stance: Stance::Neutral,
    ///     influence: Influence::High,
    ///     last_contacted: None,
    ///     phone: String::new(),
    ///     email: String::new(),
    /// })?;
    /// let visit_at = Timestamp::from_millis(1_764_100_000_000);
    /// deal.record_follow_up(FollowUp {
    ///     id: RecordId::new("f1")?,
    ///     kind: FollowUpKind::Visit,
    ///     at: visit_at,
    ///     by: UserId::new("rep-li")?,
    ///     participants: vec![wang.clone()],
    ///     summary: "拜访王总，介绍二期范围".into(),
    ///     customer_feedback: "希望先看演示".into(),
    ///     next_step: Some(NextStep { action: "安排方案演示".into(), due: date!(2025-12-05), owner: None }),
    /// })?;
    /// assert_eq!(deal.next_step.as_ref().map(|step| step.due), Some(date!(2025-12-05)));
    /// assert_eq!(deal.contacts[&wang].last_contacted, Some(visit_at));
    /// # Ok::<(), dealflow_core::Error>(())
    /// ```
    pub fn record_follow_up(&mut self, follow_up: FollowUp) -> Result<(), DealError> {
        if self.follow_ups.contains_key(&follow_up.id) {
            return Err(DealError::DuplicateId {
                id: follow_up.id.to_string(),
            });
        }
        self.check_contacts_known(&follow_up.participants)?;
        for participant in &follow_up.participants {
            if let Some(contact) = self.contacts.get_mut(participant) {
                contact.last_contacted = Some(
                    contact
                        .last_contacted
                        .map_or(follow_up.at, |last| last.max(follow_up.at)),
                );
            }
        }
        let is_latest = self
            .follow_ups
            .values()
            .all(|earlier| earlier.at <= follow_up.at);
        if is_latest && let Some(next_step) = &follow_up.next_step {
            self.next_step = Some(next_step.clone());
        }
        self.follow_ups.insert(follow_up.id.clone(), follow_up);
        Ok(())
    }

    /// Adds a task (manual, or any other origin); the id must be new.
    pub fn add_task(&mut self, task: Task) -> Result<(), DealError> {
        if self.tasks.contains_key(&task.id) {
            return Err(DealError::DuplicateId {
                id: task.id.to_string(),
            });
        }
        self.tasks.insert(task.id.clone(), task);
        Ok(())
    }

    /// Marks an open task done at `at` (never before it was created).
    pub fn complete_task(&mut self, task: &RecordId, at: Timestamp) -> Result<&Task, DealError> {
        self.close_task(task, TaskStatus::Done, at)
    }

    /// Marks an open task cancelled at `at` (never before it was created).
    pub fn cancel_task(&mut self, task: &RecordId, at: Timestamp) -> Result<&Task, DealError> {
        self.close_task(task, TaskStatus::Cancelled, at)
    }

    /// Open tasks, earliest due first (tasks without a due date last), then by id.
    pub fn open_tasks(&self) -> Vec<&Task> {
        let mut open: Vec<&Task> = self
            .tasks
            .values()
            .filter(|task| task.status == TaskStatus::Open)
            .collect();
        open.sort_by(|left, right| {
            (left.due.is_none(), left.due, &left.id).cmp(&(
                right.due.is_none(),
                right.due,
                &right.id,
            ))
        });
        open
    }

    /// Adds a manager comment (点评) or a reply: the text must not be blank, the id must be
    /// new, and `reply_to` must name an existing comment.
    pub fn add_comment(&mut self, comment: Comment) -> Result<(), DealError> {
        if comment.text.trim().is_empty() {
            return Err(DealError::EmptyComment);
        }
        if self.comments.contains_key(&comment.id) {
            return Err(DealError::DuplicateId {
                id: comment.id.to_string(),
            });
        }
        if let Some(parent) = &comment.reply_to
            && !self.comments.contains_key(parent)
        {
            return Err(DealError::UnknownComment {
                comment: parent.clone(),
            });
        }
        self.comments.insert(comment.id.clone(), comment);
        Ok(())
    }

    /// Comments that start a thread, oldest first. A reply whose parent is missing (possible
    /// after merging edits from several devices) starts a thread of its own, so nothing is
    /// hidden.
    pub fn top_level_comments(&self) -> Vec<&Comment> {
        let mut roots: Vec<&Comment> = self
            .comments
            .values()
            .filter(|comment| {
                comment
                    .reply_to
                    .as_ref()
                    .is_none_or(|parent| !self.comments.contains_key(parent))
            })
            .collect();
        roots.sort_by(|left, right| (left.at, &left.id).cmp(&(right.at, &right.id)));
        roots
    }

    /// Direct replies to `comment`, oldest first.
    pub fn replies_to(&self, comment: &RecordId) -> Vec<&Comment> {
        let mut replies: Vec<&Comment> = self
            .comments
            .values()
            .filter(|reply| reply.reply_to.as_ref() == Some(comment))
            .collect();
        replies.sort_by(|left, right| (left.at, &left.id).cmp(&(right.at, &right.id)));
        replies
    }

    fn close_task(
        &mut self,
        task: &RecordId,
        status: TaskStatus,
        at: Timestamp,
    ) -> Result<&Task, DealError> {
        let Some(found) = self.tasks.get_mut(task) else {
            return Err(DealError::UnknownTask { task: task.clone() });
        };
        if found.status != TaskStatus::Open {
            return Err(DealError::TaskClosed {
                task: task.clone(),
                status: found.status,
            });
        }
        found.status = status;
        found.closed_at = Some(at.max(found.created_at));
        Ok(found)
    }

    /// Errors with every id in `contacts` that is not a contact on the deal.
    pub(crate) fn check_contacts_known(&self, contacts: &[ContactId]) -> Result<(), DealError> {
        let mut unknown: Vec<ContactId> = Vec::new();
        for contact in contacts {
            if !self.contacts.contains_key(contact) && !unknown.contains(contact) {
                unknown.push(contact.clone());
            }
        }
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(DealError::UnknownContacts { contacts: unknown })
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::deal::{ContactRole, Deal};
    use crate::fixture::{contact, contact_id, day, open, record, user};
    use crate::pipeline::Pipeline;

    fn deal() -> Deal {
        let mut deal = open(&Pipeline::template_new_business());
        deal.add_contact(contact("wang", ContactRole::DecisionMaker))
            .unwrap();
        deal.add_contact(contact("li", ContactRole::Champion))
            .unwrap();
        deal
    }

    fn follow_up(id: &str, on_day: i64, participants: &[&str], due: Option<Date>) -> FollowUp {
        FollowUp {
            id: record(id),
            kind: FollowUpKind::Meeting,
            at: crate::fixture::day(on_day),
            by: user("rep-li"),
            participants: participants.iter().map(|id| contact_id(id)).collect(),
            summary: "会议".into(),
            customer_feedback: String::new(),
            next_step: due.map(|due| NextStep {
                action: "回访".into(),
                due,
                owner: None,
            }),
        }
    }

    #[test]
    fn a_follow_up_sets_the_next_step_and_touches_participants() {
        let mut deal = deal();
        deal.record_follow_up(follow_up("f1", 3, &["wang"], Some(date!(2026 - 03 - 10))))
            .unwrap();
        assert_eq!(deal.next_step.as_ref().unwrap().due, date!(2026 - 03 - 10));
        assert_eq!(
            deal.contacts[&contact_id("wang")].last_contacted,
            Some(day(3))
        );
        assert_eq!(deal.contacts[&contact_id("li")].last_contacted, None);

        // A back-dated follow-up neither replaces the later next step nor moves a contact's
        // last contact back.
        deal.record_follow_up(follow_up(
            "f0",
            1,
            &["wang", "li"],
            Some(date!(2026 - 03 - 04)),
        ))
        .unwrap();
        assert_eq!(deal.next_step.as_ref().unwrap().due, date!(2026 - 03 - 10));
        assert_eq!(
            deal.contacts[&contact_id("wang")].last_contacted,
            Some(day(3))
        );
        assert_eq!(
            deal.contacts[&contact_id("li")].last_contacted,
            Some(day(1))
        );

        // A later follow-up without a next step keeps the current one.
        deal.record_follow_up(follow_up("f2", 5, &[], None))
            .unwrap();
        assert_eq!(deal.next_step.as_ref().unwrap().due, date!(2026 - 03 - 10));
        assert_eq!(deal.follow_ups.len(), 3);
    }

    #[test]
    fn a_bad_follow_up_changes_nothing() {
        let mut deal = deal();
        deal.record_follow_up(follow_up("f1", 3, &[], None))
            .unwrap();
        let before = deal.clone();
        assert_eq!(
            deal.record_follow_up(follow_up("f2", 4, &["zhou", "wang", "zhou", "sun"], None)),
            Err(DealError::UnknownContacts {
                contacts: vec![contact_id("zhou"), contact_id("sun")]
            })
        );
        assert_eq!(
            deal.record_follow_up(follow_up("f1", 4, &["wang"], None)),
            Err(DealError::DuplicateId { id: "f1".into() })
        );
        assert_eq!(deal, before);
    }

    #[test]
    fn tasks_close_once_and_never_before_they_were_created() {
        let mut deal = deal();
        let task = record("t0.first_call");
        assert_eq!(deal.open_tasks().len(), 1);
        let done = deal.complete_task(&task, day(-3)).unwrap();
        assert_eq!(done.status, TaskStatus::Done);
        assert_eq!(done.closed_at, Some(day(0)), "clamped to creation");
        assert_eq!(
            deal.cancel_task(&task, day(2)),
            Err(DealError::TaskClosed {
                task: task.clone(),
                status: TaskStatus::Done
            })
        );
        assert_eq!(
            deal.complete_task(&record("nope"), day(2)),
            Err(DealError::UnknownTask {
                task: record("nope")
            })
        );
        assert!(deal.open_tasks().is_empty());
    }

    #[test]
    fn manual_tasks_are_added_once_and_sorted_by_due_date() {
        let mut deal = deal();
        let manual = |id: &str, due: Option<Date>| Task {
            id: record(id),
            title: LocalizedText::new("准备报价", "prepare the quote"),
            assignee: user("rep-li"),
            due,
            status: TaskStatus::Open,
            origin: TaskOrigin::Manual,
            created_at: day(1),
            closed_at: None,
        };
        deal.add_task(manual("m1", None)).unwrap();
        deal.add_task(manual("m2", Some(date!(2026 - 03 - 03))))
            .unwrap();
        assert_eq!(
            deal.add_task(manual("m1", None)),
            Err(DealError::DuplicateId { id: "m1".into() })
        );
        deal.cancel_task(&record("m2"), day(2)).unwrap();
        deal.add_task(manual("m3", Some(date!(2026 - 03 - 03))))
            .unwrap();
        let order: Vec<&str> = deal
            .open_tasks()
            .iter()
            .map(|task| task.id.as_str())
            .collect();
        // first_call is due 2026-03-04.
        assert_eq!(order, ["m3", "t0.first_call", "m1"]);
    }

    #[test]
    fn comments_thread_by_reply() {
        let mut deal = deal();
        let comment = |id: &str, on_day: i64, reply_to: Option<&str>| Comment {
            id: record(id),
            author: user("mgr-zhang"),
            at: day(on_day),
            text: "请尽快约见王总".into(),
            reply_to: reply_to.map(record),
        };
        deal.add_comment(comment("c1", 1, None)).unwrap();
        deal.add_comment(comment("c3", 3, Some("c1"))).unwrap();
        deal.add_comment(comment("c2", 2, Some("c1"))).unwrap();
        deal.add_comment(comment("c4", 4, Some("c2"))).unwrap();
        assert_eq!(
            deal.add_comment(comment("c5", 5, Some("c9"))),
            Err(DealError::UnknownComment {
                comment: record("c9")
            })
        );
        assert_eq!(
            deal.add_comment(comment("c1", 5, None)),
            Err(DealError::DuplicateId { id: "c1".into() })
        );
        let blank = Comment {
            text: " \n".into(),
            ..comment("c6", 6, None)
        };
        assert_eq!(deal.add_comment(blank), Err(DealError::EmptyComment));

        let ids = |comments: Vec<&Comment>| -> Vec<String> {
            comments
                .iter()
                .map(|comment| comment.id.to_string())
                .collect()
        };
        assert_eq!(ids(deal.top_level_comments()), ["c1"]);
        assert_eq!(ids(deal.replies_to(&record("c1"))), ["c2", "c3"]);
        assert_eq!(ids(deal.replies_to(&record("c2"))), ["c4"]);
        // A reply whose parent vanished in a merge shows as a thread of its own.
        deal.comments.remove(&record("c1"));
        assert_eq!(ids(deal.top_level_comments()), ["c2", "c3"]);
    }
}
