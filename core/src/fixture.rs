//! Test fixtures shared by the unit tests: a fixed clock, ids and a deal in a template
//! pipeline. Compiled only for tests.

use time::UtcOffset;
use time::macros::offset;

use crate::deal::{Account, Contact, ContactRole, Deal, Influence, NewDeal, Stance};
use crate::id::{ContactId, DealId, RecordId, StageId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::{MoveContext, Pipeline};
use crate::timestamp::Timestamp;

/// Beijing time, the organisation's zone in the fixtures.
pub(crate) const OFFSET: UtcOffset = offset!(+8);

/// 2026-03-02 00:00 in Beijing: day 0 of every fixture.
pub(crate) const DAY_ZERO: Timestamp = Timestamp::from_millis(1_772_380_800_000);

pub(crate) fn day(day: i64) -> Timestamp {
    DAY_ZERO.plus_days(day)
}

pub(crate) fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

pub(crate) fn stage(id: &str) -> StageId {
    StageId::new(id).unwrap()
}

pub(crate) fn record(id: &str) -> RecordId {
    RecordId::new(id).unwrap()
}

pub(crate) fn contact_id(id: &str) -> ContactId {
    ContactId::new(id).unwrap()
}

pub(crate) fn cny(major: i64) -> Money {
    Money::from_major(major, Currency::CNY).unwrap()
}

/// A move by rep-li on `day` with history id `id`.
pub(crate) fn ctx(id: &str, on_day: i64) -> MoveContext {
    MoveContext {
        now: day(on_day),
        offset: OFFSET,
        by: user("rep-li"),
        transition_id: record(id),
    }
}

/// A deal opened on day 0 in the pipeline's first stage.
pub(crate) fn open(pipeline: &Pipeline) -> Deal {
    let (deal, _tasks) = pipeline.open_deal(new_deal(None), &ctx("t0", 0)).unwrap();
    deal
}

/// What to open a deal with: 100,000 CNY for 华东电网, owned by rep-li.
pub(crate) fn new_deal(stage: Option<StageId>) -> NewDeal {
    NewDeal {
        id: DealId::new("deal-1").unwrap(),
        title: "华东电网 CRM 二期".into(),
        account: Account {
            name: "华东电网".into(),
            ..Account::default()
        },
        amount: cny(100_000),
        expected_close: None,
        owner: user("rep-li"),
        team: None,
        source: None,
        stage,
    }
}

pub(crate) fn contact(id: &str, role: ContactRole) -> Contact {
    Contact {
        id: contact_id(id),
        name: id.into(),
        title: String::new(),
        role,
        stance: Stance::Neutral,
        influence: Influence::Medium,
        last_contacted: None,
        phone: String::new(),
        email: String::new(),
    }
}
