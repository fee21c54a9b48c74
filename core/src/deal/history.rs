//! Stage history and the change logs of close date and amount.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::id::{RecordId, StageId, UserId};
use crate::money::Money;
use crate::timestamp::Timestamp;

/// Whether a deal is open or how it ended.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// In one of the pipeline's open stages.
    Open,
    /// Won (赢单).
    Won,
    /// Lost (输单), with a loss reason.
    Lost,
    /// Stopped or on hold (暂停), with a reason.
    Stopped,
}

/// What kind of move a history entry records.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransitionKind {
    /// The deal was created in this stage.
    Created,
    /// Moved to a later stage.
    Forward,
    /// Moved to an earlier stage.
    Backward,
    /// Closed as won.
    Won,
    /// Closed as lost.
    Lost,
    /// Stopped or put on hold.
    Stopped,
    /// Reopened after being closed or stopped.
    Reopened,
}

/// One entry of a deal's stage history: the deal entered `stage` with `status` at `at`.
///
/// The deal stays in that state until the next entry, so consecutive entries form contiguous
/// visits ([`StageVisit`]). For closed deals `stage` is the stage reached before closing.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct StageTransition {
    /// Identifier, unique within the deal (also the prefix of ids of tasks it created).
    pub id: RecordId,
    /// When the move happened.
    pub at: Timestamp,
    /// Who made it.
    pub by: UserId,
    /// What kind of move.
    pub kind: TransitionKind,
    /// The stage after the move (for outcomes: the stage reached).
    pub stage: StageId,
    /// The status after the move.
    pub status: DealStatus,
    /// Loss or stop reason id, from the pipeline's lists.
    pub reason: Option<String>,
    /// Free-text note (e.g. details of the loss).
    pub note: String,
}

/// A stay in one stage or outcome, derived from consecutive history entries.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StageVisit {
    /// The stage.
    pub stage: StageId,
    /// Status during the visit.
    pub status: DealStatus,
    /// When the deal entered.
    pub entered_at: Timestamp,
    /// Who moved it in.
    pub entered_by: UserId,
    /// When it left; `None` for the current visit.
    pub left_at: Option<Timestamp>,
    /// Who moved it out.
    pub left_by: Option<UserId>,
}

/// A change of the expected close date.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CloseDateChange {
    /// Identifier within the deal.
    pub id: RecordId,
    /// When the change was made.
    pub at: Timestamp,
    /// Who made it.
    pub by: UserId,
    /// The previous date.
    #[serde(default, with = "crate::doc::codec::serde_option_date")]
    pub from: Option<Date>,
    /// The new date.
    #[serde(default, with = "crate::doc::codec::serde_option_date")]
    pub to: Option<Date>,
}

/// A change of the deal amount.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AmountChange {
    /// Identifier within the deal.
    pub id: RecordId,
    /// When the change was made.
    pub at: Timestamp,
    /// Who made it.
    pub by: UserId,
    /// The previous amount.
    pub from: Money,
    /// The new amount.
    pub to: Money,
}

impl crate::deal::Deal {
    /// The stays in each stage or outcome, in order: each history entry opens a visit that the
    /// next entry closes, so visits are contiguous by construction.
    pub fn stage_visits(&self) -> Vec<StageVisit> {
        let mut visits: Vec<StageVisit> = Vec::with_capacity(self.history.len());
        for entry in &self.history {
            if let Some(previous) = visits.last_mut() {
                previous.left_at = Some(entry.at);
                previous.left_by = Some(entry.by.clone());
            }
            visits.push(StageVisit {
                stage: entry.stage.clone(),
                status: entry.status,
                entered_at: entry.at,
                entered_by: entry.by.clone(),
                left_at: None,
                left_by: None,
            });
        }
        visits
    }

    /// Sets the amount and records the change (who, when, from → to); no-op when unchanged.
    pub fn set_amount(&mut self, amount: Money, by: UserId, at: Timestamp, change_id: RecordId) {
        if amount == self.amount {
            return;
        }
        self.amount_changes.push(AmountChange {
            id: change_id,
            at,
            by,
            from: self.amount,
            to: amount,
        });
        self.amount = amount;
    }

    /// Sets the expected close date and records the change; no-op when unchanged.
    pub fn set_expected_close(
        &mut self,
        date: Option<Date>,
        by: UserId,
        at: Timestamp,
        change_id: RecordId,
    ) {
        if date == self.expected_close {
            return;
        }
        self.close_date_changes.push(CloseDateChange {
            id: change_id,
            at,
            by,
            from: self.expected_close,
            to: date,
        });
        self.expected_close = date;
    }

    /// How many times the expected close date moved later.
    pub fn close_date_push_count(&self) -> usize {
        self.close_date_changes
            .iter()
            .filter(
                |change| matches!((change.from, change.to), (Some(from), Some(to)) if to > from),
            )
            .count()
    }
}
