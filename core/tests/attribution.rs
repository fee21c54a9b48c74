//! Attribution contracts: every model hands out the won revenue exactly, to the fen.

mod fixture;

use std::collections::BTreeMap;

use dealflow_core::analytics::{
    AttributionModel, DealSet, Filter, ReportContext, TouchDimension, allocate, attribution,
};
use dealflow_core::{
    Currency, DealStatus, ExchangeRates, Money, RecordId, TeamId, Timestamp, Touchpoint,
};
use proptest::prelude::*;

proptest! {
    #[test]
    fn allocation_is_exact_and_fair(
        minor in any::<i64>(),
        weights in prop::collection::vec(0_u64..1_000_000, 1..12),
    ) {
        let amount = Money::new(minor, Currency::CNY);
        let total: u128 = weights.iter().map(|weight| u128::from(*weight)).sum();
        let Some(parts) = allocate(amount, &weights) else {
            prop_assert_eq!(total, 0);
            return Ok(());
        };
        let sum: i128 = parts.iter().map(|part| i128::from(part.minor())).sum();
        prop_assert_eq!(sum, i128::from(minor));
        for (part, weight) in parts.iter().zip(&weights) {
            // Each part is its exact share rounded down or up: never a whole fen further off.
            let exact = i128::from(minor) * i128::from(*weight);
            let scaled = i128::from(part.minor()) * total as i128;
            prop_assert!((scaled - exact).abs() < total as i128);
        }
    }

    #[test]
    fn every_model_adds_up_to_the_won_amount(
        deals in prop::collection::vec(
            (
                1_i64..10_000_000,
                prop::collection::vec((-60_i64..90, 0_u8..4, any::<bool>()), 0..9),
                any::<bool>(),
            ),
            1..25,
        ),
    ) {
        let channels = ["ad", "expo", "webinar", "email"];
        let built: Vec<_> = deals
            .iter()
            .enumerate()
            .map(|(index, (minor, touches, won))| {
                let mut deal = fixture::deal(&format!("deal-{index}"), 0, 1);
                deal.amount = Money::new(*minor, Currency::CNY);
                for (number, (day, channel, campaign)) in touches.iter().enumerate() {
                    let id = RecordId::new(format!("t{number}")).unwrap();
                    deal.touchpoints.insert(id.clone(), Touchpoint {
                        id,
                        at: Timestamp::from_millis(fixture::day(*day).millis()),
                        channel: channels[usize::from(*channel)].to_owned(),
                        campaign: campaign.then(|| "spring".to_owned()),
                    });
                }
                if *won {
                    fixture::record(&mut deal, fixture::day(30), "qualify", DealStatus::Won, None);
                }
                deal
            })
            .collect();
        let set = DealSet::new(built, ExchangeRates::new(Currency::CNY)).unwrap();
        let teams = BTreeMap::<TeamId, TeamId>::new();
        let ctx = ReportContext::new(&teams, fixture::OFFSET, fixture::day(100));
        for dimension in [TouchDimension::Channel, TouchDimension::Campaign] {
            let report = attribution(&set, &[], &Filter::all(), &ctx, dimension).unwrap();
            for model in AttributionModel::ALL {
                let credited: i64 = report.rows.iter().map(|row| row.credit(model).minor()).sum();
                prop_assert_eq!(credited, report.won.amount.minor(), "{:?} {:?}", dimension, model);
            }
        }
    }
}
