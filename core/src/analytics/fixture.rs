//! Test fixtures: a builder for deals with hand-written histories, on a calendar that starts at
//! midnight 2026-01-01 in Beijing (UTC+8). `day(n)` is midnight n days later.

use time::macros::{date, offset};
use time::{Date, UtcOffset};

use super::deal_set::DealSet;
use super::filter::ReportContext;
use crate::deal::{
    Account, AmountChange, CloseDateChange, CompanySize, Competitor, CompetitorStatus, Deal,
    DealStatus, FollowUp, FollowUpKind, NewDeal, ProductLine, StageTransition, Touchpoint,
    TransitionKind,
};
use crate::exchange::ExchangeRates;
use crate::id::{DealId, LeadId, PipelineId, RecordId, StageId, TeamId, UserId};
use crate::money::{Currency, Discount, Money};
use crate::team_hierarchy::TeamHierarchy;
use crate::timestamp::Timestamp;

pub(crate) const OFFSET: UtcOffset = offset!(+8);

/// Midnight `n` days after 2026-01-01 in Beijing.
pub(crate) fn day(n: i64) -> Timestamp {
    Timestamp::start_of_day(date!(2026 - 01 - 01), OFFSET).plus_days(n)
}

/// The calendar date `n` days after 2026-01-01.
pub(crate) fn date_of(n: i64) -> Date {
    day(n).date_at(OFFSET)
}

pub(crate) fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

pub(crate) fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

pub(crate) fn stage(id: &str) -> StageId {
    StageId::new(id).unwrap()
}

/// `minor` fen.
pub(crate) fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

/// Whole yuan.
pub(crate) fn yuan(major: i64) -> Money {
    Money::new(major * 100, Currency::CNY)
}

/// A context at UTC+8 whose `now` is day 100.
pub(crate) fn context(teams: &dyn TeamHierarchy) -> ReportContext<'_> {
    ReportContext::new(teams, OFFSET, day(100))
}

/// The deals in CNY (other currencies have no rate).
pub(crate) fn set(deals: Vec<Deal>) -> DealSet {
    DealSet::new(deals, ExchangeRates::new(Currency::CNY)).unwrap()
}

/// Builds a deal in the new-business pipeline, created on day 0 in 线索验证 (qualify), owned by
/// `rep-a`, worth ¥100,000.00 unless told otherwise.
pub(crate) struct DealBuilder {
    deal: Deal,
    next_record: u32,
}

impl DealBuilder {
    pub(crate) fn new(id: &str) -> Self {
        let owner = user("rep-a");
        let deal = Deal::opened(
            NewDeal {
                id: DealId::new(id).unwrap(),
                title: format!("deal {id}"),
                account: Account {
                    name: format!("account of {id}"),
                    ..Account::default()
                },
                amount: yuan(100_000),
                expected_close: None,
                owner: owner.clone(),
                team: None,
                source: None,
                stage: None,
            },
            PipelineId::new("new_business").unwrap(),
            vec![transition(
                "h0",
                0,
                TransitionKind::Created,
                "qualify",
                DealStatus::Open,
                None,
            )],
            day(0),
            owner,
        );
        DealBuilder {
            deal,
            next_record: 1,
        }
    }

    fn record(&mut self, prefix: &str) -> RecordId {
        self.next_record += 1;
        RecordId::new(format!("{prefix}{}", self.next_record)).unwrap()
    }

    /// Created on `day` (the creation entry moves with it).
    pub(crate) fn created(mut self, day_number: i64) -> Self {
        self.deal.created_at = day(day_number);
        if let Some(first) = self.deal.history.first_mut() {
            first.at = day(day_number);
        }
        self
    }

    /// Created in `stage` instead of the first stage.
    pub(crate) fn created_in(mut self, stage_id: &str) -> Self {
        if let Some(first) = self.deal.history.first_mut() {
            first.stage = stage(stage_id);
        }
        self
    }

    /// Created at an exact instant.
    pub(crate) fn created_at(mut self, at: Timestamp) -> Self {
        self.deal.created_at = at;
        if let Some(first) = self.deal.history.first_mut() {
            first.at = at;
        }
        self
    }

    fn push(
        mut self,
        at: Timestamp,
        kind: TransitionKind,
        stage_id: Option<&str>,
        status: DealStatus,
        reason: Option<&str>,
    ) -> Self {
        let id = self.record("h");
        let current = self
            .deal
            .stage()
            .map_or("qualify", |stage| stage.as_str())
            .to_owned();
        self.deal.history.push(StageTransition {
            id,
            at,
            by: self.deal.owner.clone(),
            kind,
            stage: stage(stage_id.unwrap_or(&current)),
            status,
            reason: reason.map(str::to_owned),
            note: String::new(),
        });
        self
    }

    /// Moves to an open stage on `day`.
    pub(crate) fn to(self, stage_id: &str, day_number: i64) -> Self {
        self.push(
            day(day_number),
            TransitionKind::Forward,
            Some(stage_id),
            DealStatus::Open,
            None,
        )
    }

    pub(crate) fn won(self, day_number: i64) -> Self {
        self.push(
            day(day_number),
            TransitionKind::Won,
            None,
            DealStatus::Won,
            None,
        )
    }

    pub(crate) fn lost(self, day_number: i64, reason: &str) -> Self {
        self.push(
            day(day_number),
            TransitionKind::Lost,
            None,
            DealStatus::Lost,
            Some(reason),
        )
    }

    pub(crate) fn stopped(self, day_number: i64, reason: &str) -> Self {
        self.push(
            day(day_number),
            TransitionKind::Stopped,
            None,
            DealStatus::Stopped,
            Some(reason),
        )
    }

    pub(crate) fn reopened(self, stage_id: &str, day_number: i64) -> Self {
        self.push(
            day(day_number),
            TransitionKind::Reopened,
            Some(stage_id),
            DealStatus::Open,
            None,
        )
    }

    /// Sets the amount in whole yuan without logging a change.
    pub(crate) fn amount(mut self, major: i64) -> Self {
        self.deal.amount = yuan(major);
        self
    }

    /// Sets the amount in fen without logging a change.
    pub(crate) fn amount_fen(mut self, minor: i64) -> Self {
        self.deal.amount = cny(minor);
        self
    }

    pub(crate) fn amount_money(mut self, amount: Money) -> Self {
        self.deal.amount = amount;
        self
    }

    /// Logs an amount change (whole yuan) on `day` and sets the amount to `to`.
    pub(crate) fn amount_change(mut self, day_number: i64, from: i64, to: i64) -> Self {
        let id = self.record("a");
        self.deal.amount_changes.push(AmountChange {
            id,
            at: day(day_number),
            by: self.deal.owner.clone(),
            from: yuan(from),
            to: yuan(to),
        });
        self.deal.amount = yuan(to);
        self
    }

    pub(crate) fn expected_close(mut self, date: Date) -> Self {
        self.deal.expected_close = Some(date);
        self
    }

    /// Logs a close-date change on `day` and sets the date to `to`.
    pub(crate) fn close_date_change(
        mut self,
        day_number: i64,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Self {
        let id = self.record("c");
        self.deal.close_date_changes.push(CloseDateChange {
            id,
            at: day(day_number),
            by: self.deal.owner.clone(),
            from,
            to,
        });
        self.deal.expected_close = to;
        self
    }

    pub(crate) fn owner(mut self, id: &str) -> Self {
        self.deal.owner = user(id);
        self
    }

    pub(crate) fn team(mut self, id: &str) -> Self {
        self.deal.team = Some(team(id));
        self
    }

    pub(crate) fn pipeline(mut self, id: &str) -> Self {
        self.deal.pipeline = PipelineId::new(id).unwrap();
        self
    }

    pub(crate) fn source(mut self, source: &str) -> Self {
        self.deal.source = Some(source.to_owned());
        self
    }

    pub(crate) fn lead(mut self, id: &str) -> Self {
        self.deal.lead = Some(LeadId::new(id).unwrap());
        self
    }

    pub(crate) fn industry(mut self, industry: &str) -> Self {
        self.deal.account.industry = Some(industry.to_owned());
        self
    }

    pub(crate) fn size(mut self, size: CompanySize) -> Self {
        self.deal.account.size = Some(size);
        self
    }

    /// Adds one unit of catalogue product `key` (named like the key) at `unit_price` yuan.
    pub(crate) fn product(self, key: &str, unit_price: i64) -> Self {
        self.product_line(key, 1, unit_price, 0)
    }

    pub(crate) fn product_line(
        mut self,
        key: &str,
        quantity: i64,
        unit_price: i64,
        discount_basis_points: u16,
    ) -> Self {
        let id = self.record("p");
        self.deal.product_lines.insert(
            id.clone(),
            ProductLine {
                id,
                product_id: Some(crate::id::ProductId::new(key).unwrap()),
                product: key.to_owned(),
                quantity,
                unit_price: yuan(unit_price),
                discount: Discount::from_basis_points(discount_basis_points).unwrap(),
            },
        );
        self
    }

    pub(crate) fn touch(mut self, at: Timestamp, channel: &str, campaign: Option<&str>) -> Self {
        let id = self.record("t");
        self.deal.touchpoints.insert(
            id.clone(),
            Touchpoint {
                id,
                at,
                channel: channel.to_owned(),
                campaign: campaign.map(str::to_owned),
            },
        );
        self
    }

    pub(crate) fn competitor(
        mut self,
        name: &str,
        status: CompetitorStatus,
        strengths: &[&str],
        weaknesses: &[&str],
    ) -> Self {
        let id = self.record("k");
        self.deal.competitors.insert(
            id.clone(),
            Competitor {
                id,
                name: name.to_owned(),
                product: String::new(),
                price: None,
                strengths: strengths.iter().map(|text| (*text).to_owned()).collect(),
                weaknesses: weaknesses.iter().map(|text| (*text).to_owned()).collect(),
                status,
            },
        );
        self
    }

    pub(crate) fn follow_up(mut self, day_number: i64) -> Self {
        let id = self.record("f");
        self.deal.follow_ups.insert(
            id.clone(),
            FollowUp {
                id,
                kind: FollowUpKind::Call,
                at: day(day_number),
                by: self.deal.owner.clone(),
                participants: Vec::new(),
                summary: String::new(),
                customer_feedback: String::new(),
                next_step: None,
            },
        );
        self
    }

    pub(crate) fn build(self) -> Deal {
        self.deal
    }
}

fn transition(
    id: &str,
    day_number: i64,
    kind: TransitionKind,
    stage_id: &str,
    status: DealStatus,
    reason: Option<&str>,
) -> StageTransition {
    StageTransition {
        id: RecordId::new(id).unwrap(),
        at: day(day_number),
        by: user("rep-a"),
        kind,
        stage: stage(stage_id),
        status,
        reason: reason.map(str::to_owned),
        note: String::new(),
    }
}
