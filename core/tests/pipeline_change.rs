//! Pipeline-change contracts: the waterfall from the start of the period to its end always
//! reconciles, whatever the histories, amount changes and close-date changes.

mod fixture;

use std::collections::BTreeMap;

use dealflow_core::analytics::{
    ChangeEffect, DateRange, DealSet, Filter, PipelineScope, ReportContext, pipeline_change,
};
use dealflow_core::{
    AmountChange, CloseDateChange, Currency, ExchangeRates, RecordId, TeamId, UserId,
};
use proptest::prelude::*;
use time::macros::date;

proptest! {
    #[test]
    fn waterfall_reconciles(
        deals in prop::collection::vec(
            (
                0_i64..40,
                prop::collection::vec((any::<u8>(), any::<u8>(), 1_u8..=240), 0..10),
                prop::collection::vec((0_i64..60, 1_i64..500_000), 0..4),
                prop::collection::vec((0_i64..60, prop::option::of(0_i64..200)), 0..4),
            ),
            0..40,
        ),
        scope_quarter in prop::option::of(1_u8..=2),
    ) {
        let built: Vec<_> = deals
            .iter()
            .enumerate()
            .map(|(index, (created, steps, amounts, close_dates))| {
                let mut deal = fixture::walk(&format!("deal-{index}"), *created, 100_000, steps);
                let by = UserId::new("rep-a").unwrap();
                let mut amount_days: Vec<_> = amounts.clone();
                amount_days.sort();
                for (number, (day, major)) in amount_days.iter().enumerate() {
                    let change = AmountChange {
                        id: RecordId::new(format!("a{number}")).unwrap(),
                        at: fixture::day(*day),
                        by: by.clone(),
                        from: deal.amount,
                        to: fixture::yuan(*major),
                    };
                    deal.amount = change.to;
                    deal.amount_changes.push(change);
                }
                let mut date_days: Vec<_> = close_dates.clone();
                date_days.sort();
                for (number, (day, offset)) in date_days.iter().enumerate() {
                    let to = offset.map(|offset| date!(2026 - 01 - 01) + time::Duration::days(offset));
                    let change = CloseDateChange {
                        id: RecordId::new(format!("c{number}")).unwrap(),
                        at: fixture::day(*day),
                        by: by.clone(),
                        from: deal.expected_close,
                        to,
                    };
                    deal.expected_close = to;
                    deal.close_date_changes.push(change);
                }
                deal
            })
            .collect();
        let set = DealSet::new(built, ExchangeRates::new(Currency::CNY)).unwrap();
        let teams = BTreeMap::<TeamId, TeamId>::new();
        let ctx = ReportContext::new(&teams, fixture::OFFSET, fixture::day(100));
        let scope = match scope_quarter {
            None => PipelineScope::AllOpen,
            Some(quarter) => PipelineScope::ClosingIn {
                period: DateRange::quarter(2026, quarter).unwrap(),
            },
        };
        let window = DateRange::new(date!(2026 - 01 - 10), date!(2026 - 01 - 24)).unwrap();
        let report = pipeline_change(&set, &Filter::all().in_period(window), &ctx, scope).unwrap();
        prop_assert_eq!(report.reconciled_end().unwrap(), report.end.amount);
        let mut count = i128::from(report.start.count);
        for bucket in &report.buckets {
            let is_amount_change = matches!(
                bucket.kind,
                dealflow_core::analytics::ChangeKind::AmountUp
                    | dealflow_core::analytics::ChangeKind::AmountDown
            );
            match bucket.effect {
                ChangeEffect::Adds if !is_amount_change => count += i128::from(bucket.count),
                ChangeEffect::Removes if !is_amount_change => count -= i128::from(bucket.count),
                _ => {}
            }
            prop_assert!(!bucket.amount.is_negative());
        }
        prop_assert_eq!(count, i128::from(report.end.count));
    }
}
