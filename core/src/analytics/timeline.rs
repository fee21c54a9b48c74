//! Fast questions about a deal's history at an instant, without allocating.
//!
//! [`Deal::stage_visits`](crate::Deal::stage_visits) clones ids for every visit; analyses run
//! over a million history entries, so they read the history in place through these helpers.

use time::Date;

use crate::deal::{Deal, DealStatus, StageTransition};
use crate::id::StageId;
use crate::money::Money;
use crate::pipeline::Pipeline;
use crate::timestamp::Timestamp;

/// Stage ids of a pipeline in order, for finding a stage's position by comparing strings.
pub(crate) struct StageOrder<'p> {
    ids: Vec<&'p str>,
}

impl<'p> StageOrder<'p> {
    pub(crate) fn new(pipeline: &'p Pipeline) -> Self {
        StageOrder {
            ids: pipeline
                .stages
                .iter()
                .map(|stage| stage.id.as_str())
                .collect(),
        }
    }

    /// The position of `stage`, or `None` for a stage the pipeline no longer has.
    pub(crate) fn index(&self, stage: &StageId) -> Option<usize> {
        let stage = stage.as_str();
        self.ids.iter().position(|id| *id == stage)
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }
}

/// The entry that closed the deal, when it is currently won, lost or stopped.
pub(crate) fn closing_entry(deal: &Deal) -> Option<&StageTransition> {
    deal.current()
        .filter(|entry| entry.status != DealStatus::Open)
}

/// When the deal was won, if it is won now.
pub(crate) fn won_at(deal: &Deal) -> Option<Timestamp> {
    deal.current()
        .filter(|entry| entry.status == DealStatus::Won)
        .map(|entry| entry.at)
}

/// The history entry in force just before `instant` (the last one strictly earlier), or `None`
/// when the deal did not exist yet.
pub(crate) fn entry_before(deal: &Deal, instant: i64) -> Option<&StageTransition> {
    let count = deal
        .history
        .partition_point(|entry| entry.at.millis() < instant);
    count.checked_sub(1).and_then(|last| deal.history.get(last))
}

/// The deal's amount just before `instant`: the `from` of the first change at or after it, else
/// the current amount.
pub(crate) fn amount_before(deal: &Deal, instant: i64) -> Money {
    deal.amount_changes
        .iter()
        .find(|change| change.at.millis() >= instant)
        .map_or(deal.amount, |change| change.from)
}

/// The expected close date just before `instant`, from the close-date log.
pub(crate) fn close_date_before(deal: &Deal, instant: i64) -> Option<Date> {
    deal.close_date_changes
        .iter()
        .find(|change| change.at.millis() >= instant)
        .map_or(deal.expected_close, |change| change.from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, day};
    use time::macros::date;

    #[test]
    fn state_at_an_instant() {
        let deal = DealBuilder::new("d1")
            .created(0)
            .to("needs", 5)
            .won(9)
            .amount_change(3, 100_000, 120_000)
            .close_date_change(4, Some(date!(2026 - 03 - 31)), Some(date!(2026 - 04 - 30)))
            .build();
        assert!(entry_before(&deal, day(0).millis()).is_none());
        let at_five = entry_before(&deal, day(5).millis()).map(|entry| entry.stage.as_str());
        assert_eq!(at_five, Some("qualify"));
        let later = entry_before(&deal, day(6).millis()).map(|entry| entry.stage.as_str());
        assert_eq!(later, Some("needs"));
        assert_eq!(
            amount_before(&deal, day(2).millis()),
            fixture::yuan(100_000)
        );
        assert_eq!(
            amount_before(&deal, day(4).millis()),
            fixture::yuan(120_000)
        );
        assert_eq!(
            close_date_before(&deal, day(4).millis()),
            Some(date!(2026 - 03 - 31))
        );
        assert_eq!(
            close_date_before(&deal, day(5).millis()),
            Some(date!(2026 - 04 - 30))
        );
        assert_eq!(won_at(&deal), Some(day(9)));
    }
}
