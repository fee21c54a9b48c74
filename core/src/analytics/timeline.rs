//! Questions about a deal's history at an instant, answered from the compact columns of a
//! [`DealSet`](super::DealSet) (or, for the amount and close-date logs, from the deal).

use time::Date;

use super::deal_set::{DealFacts, DealSet, Entry};
use crate::deal::{Deal, DealStatus};
use crate::money::{Money, MoneyError};
use crate::pipeline::Pipeline;

/// The position of each of a set's interned stages in one pipeline.
pub(crate) struct StageOrder {
    positions: Vec<Option<usize>>,
    len: usize,
}

impl StageOrder {
    pub(crate) fn new(pipeline: &Pipeline, set: &DealSet) -> Self {
        let stages = &set.names.stages;
        let positions = (0..stages.len())
            .map(|number| {
                let name = u32::try_from(number)
                    .ok()
                    .and_then(|number| stages.name(number))?;
                pipeline
                    .stages
                    .iter()
                    .position(|stage| stage.id.as_str() == name)
            })
            .collect();
        StageOrder {
            positions,
            len: pipeline.stages.len(),
        }
    }

    /// The position of interned stage `stage`, or `None` for a stage the pipeline does not have.
    pub(crate) fn index(&self, stage: u32) -> Option<usize> {
        usize::try_from(stage)
            .ok()
            .and_then(|stage| self.positions.get(stage).copied().flatten())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

/// The entry that closed the deal, when it is currently won, lost or stopped.
pub(crate) fn closing(set: &DealSet, facts: &DealFacts) -> Option<Entry> {
    facts
        .current(set)
        .filter(|entry| entry.status != DealStatus::Open)
}

/// When the deal was won (ms), if it is won now.
pub(crate) fn won_at(set: &DealSet, facts: &DealFacts) -> Option<i64> {
    facts
        .current(set)
        .filter(|entry| entry.status == DealStatus::Won)
        .map(|entry| entry.at)
}

/// The number of entries strictly before `instant`: the entry in force just before it is the
/// one before that index.
pub(crate) fn count_before(entries: &[Entry], instant: i64) -> usize {
    entries.partition_point(|entry| entry.at < instant)
}

/// The entry in force just before `instant`, or `None` when the deal did not exist yet.
pub(crate) fn entry_before(entries: &[Entry], instant: i64) -> Option<Entry> {
    count_before(entries, instant)
        .checked_sub(1)
        .and_then(|last| entries.get(last))
        .copied()
}

/// The deal's amount just before `instant`: the `from` of the first change at or after it, else
/// the current amount.
pub(crate) fn amount_before(deal: &Deal, instant: i64) -> Money {
    deal.amount_changes
        .iter()
        .find(|change| change.at.millis() >= instant)
        .map_or(deal.amount, |change| change.from)
}

/// The deal's amount just before `instant`, in the reporting currency: the converted current
/// amount of the set when no change came after the instant.
pub(crate) fn amount_at(
    set: &DealSet,
    deal: &Deal,
    facts: &DealFacts,
    instant: i64,
) -> Result<Money, MoneyError> {
    if facts.amount_changed < instant {
        return Ok(set.amount(facts));
    }
    set.convert(amount_before(deal, instant))
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
    use crate::analytics::fixture::{self, DealBuilder, day, yuan};
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
        assert_eq!(amount_before(&deal, day(2).millis()), yuan(100_000));
        assert_eq!(amount_before(&deal, day(4).millis()), yuan(120_000));
        assert_eq!(
            close_date_before(&deal, day(4).millis()),
            Some(date!(2026 - 03 - 31))
        );
        assert_eq!(
            close_date_before(&deal, day(5).millis()),
            Some(date!(2026 - 04 - 30))
        );

        let pipeline = Pipeline::template_new_business();
        let set = fixture::set(vec![
            deal,
            DealBuilder::new("d2").created_in("legacy").build(),
        ]);
        let order = StageOrder::new(&pipeline, &set);
        let mut rows = set.rows();
        let (_, facts) = rows.next().unwrap();
        let entries = set.entries(facts);
        assert!(entry_before(entries, day(0).millis()).is_none());
        let at_five =
            entry_before(entries, day(5).millis()).and_then(|entry| order.index(entry.stage));
        assert_eq!(at_five, Some(0));
        let later =
            entry_before(entries, day(6).millis()).and_then(|entry| order.index(entry.stage));
        assert_eq!(later, Some(1));
        assert_eq!(won_at(&set, facts), Some(day(9).millis()));
        assert_eq!(
            closing(&set, facts).map(|entry| entry.status),
            Some(DealStatus::Won)
        );
        let (_, facts) = rows.next().unwrap();
        assert_eq!(
            facts
                .current(&set)
                .and_then(|entry| order.index(entry.stage)),
            None
        );
        assert_eq!(won_at(&set, facts), None);
    }
}
