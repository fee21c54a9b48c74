//! Deals for unit tests: built directly, so tests can set any history without the move rules.

use time::Date;
use time::macros::date;

use crate::deal::{Account, Deal, DealStatus, NewDeal, StageTransition, TransitionKind};
use crate::id::{PipelineId, RecordId, StageId, TeamId, UserId};
use crate::money::{Currency, Money};
use crate::timestamp::Timestamp;

/// 2026-01-01T00:00:00Z.
pub(crate) const EPOCH_2026: i64 = 1_767_225_600_000;

/// `days` days after 2026-01-01T00:00:00Z.
pub(crate) fn day(days: i64) -> Timestamp {
    Timestamp::from_millis(EPOCH_2026).plus_days(days)
}

pub(crate) fn cny(major: i64) -> Money {
    Money::new(major * 100, Currency::CNY)
}

pub(crate) fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

pub(crate) fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

pub(crate) fn stage(id: &str) -> StageId {
    StageId::new(id).unwrap()
}

/// An open deal of rep-a in the new-business pipeline, created on day 0 in `stage_id`, worth
/// `major` yuan, expected to close on 2026-03-15.
pub(crate) fn open_deal(id: &str, stage_id: &str, major: i64) -> Deal {
    Deal::opened(
        NewDeal {
            id: crate::id::DealId::new(id).unwrap(),
            title: id.to_owned(),
            account: Account::default(),
            amount: cny(major),
            expected_close: Some(date!(2026 - 03 - 15)),
            owner: user("rep-a"),
            team: None,
            source: None,
            stage: None,
        },
        PipelineId::new("new_business").unwrap(),
        vec![entry(
            0,
            stage_id,
            DealStatus::Open,
            TransitionKind::Created,
        )],
        day(0),
        user("rep-a"),
    )
}

/// Appends a history entry on day `days`.
pub(crate) fn move_to(deal: &mut Deal, days: i64, stage_id: &str, status: DealStatus) {
    let kind = match status {
        DealStatus::Open => TransitionKind::Forward,
        DealStatus::Won => TransitionKind::Won,
        DealStatus::Lost => TransitionKind::Lost,
        DealStatus::Stopped => TransitionKind::Stopped,
    };
    let mut next = entry(days, stage_id, status, kind);
    next.id = RecordId::new(format!("t{}", deal.history.len() + 1)).unwrap();
    deal.history.push(next);
}

pub(crate) fn close_on(deal: &mut Deal, close: Date) {
    deal.expected_close = Some(close);
}

fn entry(days: i64, stage_id: &str, status: DealStatus, kind: TransitionKind) -> StageTransition {
    StageTransition {
        id: RecordId::new("t1").unwrap(),
        at: day(days),
        by: user("rep-a"),
        kind,
        stage: stage(stage_id),
        status,
        reason: None,
        note: String::new(),
    }
}
