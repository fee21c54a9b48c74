//! Funnel contracts: the counts of every stage add up, and agree with an independent count made
//! from `Deal::stage_visits`.

mod fixture;

use std::collections::{BTreeMap, BTreeSet};

use dealflow_core::analytics::{DealSet, Filter, FunnelBenchmark, ReportContext, funnel};
use dealflow_core::{Currency, Deal, DealStatus, ExchangeRates, Pipeline, TeamId};
use proptest::prelude::*;

fn steps() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec((any::<u8>(), any::<u8>(), 1_u8..=200), 0..14)
}

fn deals() -> impl Strategy<Value = Vec<Deal>> {
    prop::collection::vec((0_i64..60, 1_i64..1_000_000, steps()), 0..40).prop_map(|specs| {
        specs
            .into_iter()
            .enumerate()
            .map(|(index, (created, major, steps))| {
                fixture::walk(&format!("deal-{index}"), created, major, &steps)
            })
            .collect()
    })
}

/// Per stage, `[entered, moved_on, lost, stopped, still_open]` counted from the public
/// `Deal::stage_visits`, by the rules in the analytics module documentation.
fn reference(deals: &[Deal], pipeline: &Pipeline) -> Vec<[u64; 5]> {
    let mut counts = vec![[0_u64; 5]; pipeline.stages.len()];
    for deal in deals {
        let visits = deal.stage_visits();
        let Some(last) = visits.last() else { continue };
        let Ok(final_stage) = pipeline.stage_index(&last.stage) else {
            continue;
        };
        let mut entered: BTreeSet<usize> = visits
            .iter()
            .filter(|visit| visit.status == DealStatus::Open)
            .filter_map(|visit| pipeline.stage_index(&visit.stage).ok())
            .collect();
        entered.insert(final_stage);
        for stage in entered {
            let column = match (last.status, stage.cmp(&final_stage)) {
                (DealStatus::Won, _) | (_, std::cmp::Ordering::Less) => 1,
                (_, std::cmp::Ordering::Greater) => continue,
                (DealStatus::Lost, _) => 2,
                (DealStatus::Stopped, _) => 3,
                (DealStatus::Open, _) => 4,
            };
            counts[stage][0] += 1;
            counts[stage][column] += 1;
        }
    }
    counts
}

proptest! {
    #[test]
    fn stage_counts_are_consistent(deals in deals()) {
        let pipeline = Pipeline::template_new_business();
        let teams = BTreeMap::<TeamId, TeamId>::new();
        let ctx = ReportContext::new(&teams, fixture::OFFSET, fixture::day(400));
        let expected = reference(&deals, &pipeline);
        let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY)).unwrap();
        let report = funnel(&set, &pipeline, &Filter::all(), &ctx).unwrap();

        for stage in &report.stages {
            prop_assert_eq!(
                stage.entered,
                stage.moved_on + stage.lost + stage.stopped + stage.still_open,
                "stage {}", stage.stage
            );
            prop_assert!(stage.won <= stage.moved_on);
            for rate in [stage.conversion, stage.decided_conversion, stage.win_rate].into_iter().flatten() {
                prop_assert!((0..=10_000).contains(&rate.basis_points()));
            }
        }
        let actual: Vec<[u64; 5]> = report
            .stages
            .iter()
            .map(|stage| [stage.entered, stage.moved_on, stage.lost, stage.stopped, stage.still_open])
            .collect();
        prop_assert_eq!(actual, expected);
        // Each deal is lost, stopped or open at exactly one stage.
        let sum = |column: fn(&dealflow_core::analytics::FunnelStage) -> u64| -> u64 {
            report.stages.iter().map(column).sum()
        };
        prop_assert_eq!(sum(|stage| stage.lost), report.lost);
        prop_assert_eq!(sum(|stage| stage.stopped), report.stopped);
        prop_assert_eq!(sum(|stage| stage.still_open), report.open);
        prop_assert_eq!(report.deals, report.won + report.lost + report.stopped + report.open);

        // Against its own history no stage is worse than itself.
        let compared = report.clone().compare_with(&FunnelBenchmark::from_history(&report));
        prop_assert_eq!(compared.bottleneck, None);
    }

    #[test]
    fn upserts_give_the_same_funnel_as_a_fresh_set(
        first in deals(),
        changes in prop::collection::vec((0_usize..40, 0_i64..60, steps()), 0..30),
    ) {
        let pipeline = Pipeline::template_new_business();
        let teams = BTreeMap::<TeamId, TeamId>::new();
        let ctx = ReportContext::new(&teams, fixture::OFFSET, fixture::day(400));
        let rates = ExchangeRates::new(Currency::CNY);
        let mut set = DealSet::new(first.clone(), rates.clone()).unwrap();
        let mut latest: BTreeMap<String, Deal> =
            first.into_iter().map(|deal| (deal.id.to_string(), deal)).collect();
        for (index, created, steps) in changes {
            let deal = fixture::walk(&format!("deal-{index}"), created, 500, &steps);
            latest.insert(deal.id.to_string(), deal.clone());
            set.upsert(deal).unwrap();
        }
        let fresh = DealSet::new(latest.into_values().collect(), rates).unwrap();
        prop_assert_eq!(set.len(), fresh.len());
        prop_assert_eq!(
            funnel(&set, &pipeline, &Filter::all(), &ctx).unwrap(),
            funnel(&fresh, &pipeline, &Filter::all(), &ctx).unwrap()
        );
    }
}
