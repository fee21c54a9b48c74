//! Contract tests of forecasting, through the public API only.

use std::collections::BTreeMap;

use dealflow_core::*;
use proptest::prelude::*;
use time::Date;
use time::macros::{date, offset};

const DAY: i64 = MILLIS_PER_DAY;
/// 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600_000;

fn at(days: i64) -> Timestamp {
    Timestamp::from_millis(START + days * DAY)
}

fn cny(major: i64) -> Money {
    Money::from_major(major, Currency::CNY).unwrap()
}

/// A deal opened through the pipeline on day 0, sitting in `stage`.
fn open(pipeline: &Pipeline, id: &str, stage: &str, amount: Money, close: Option<Date>) -> Deal {
    let ctx = MoveContext {
        now: at(0),
        offset: offset!(+8),
        by: UserId::new("rep-a").unwrap(),
        transition_id: RecordId::new("t0").unwrap(),
    };
    let new = NewDeal {
        id: DealId::new(id).unwrap(),
        title: id.to_owned(),
        account: Account::default(),
        amount,
        expected_close: close,
        owner: UserId::new("rep-a").unwrap(),
        team: None,
        source: None,
        stage: None,
    };
    // Opened in the first stage, then placed in `stage` directly: the entry criteria of later
    // stages are not under test here.
    let mut deal = pipeline.open_deal(new, &ctx).unwrap().0;
    deal.history[0].stage = StageId::new(stage).unwrap();
    deal
}

/// Records an outcome directly in the history (the move rules are not under test here).
fn close(deal: &mut Deal, days: i64, status: DealStatus) {
    let current = deal.history.last().unwrap().clone();
    deal.history.push(StageTransition {
        id: RecordId::new(format!("t{}", deal.history.len())).unwrap(),
        at: at(days),
        kind: match status {
            DealStatus::Won => TransitionKind::Won,
            DealStatus::Lost => TransitionKind::Lost,
            DealStatus::Stopped => TransitionKind::Stopped,
            DealStatus::Open => TransitionKind::Reopened,
        },
        status,
        ..current
    });
}

fn settings(kind: PeriodKind) -> ForecastSettings {
    ForecastSettings::new(ExchangeRates::new(Currency::CNY), offset!(+8), kind)
}

#[test]
fn a_hundred_thousand_yuan_at_thirty_percent_contributes_thirty_thousand() {
    let pipeline = Pipeline::template_solution_sales();
    let proposal = pipeline.stage(&StageId::new("proposal").unwrap()).unwrap();
    assert_eq!(proposal.probability, Probability::from_percent(30).unwrap());
    let deal = open(
        &pipeline,
        "d1",
        "proposal",
        cny(100_000),
        Some(date!(2026 - 05 - 08)),
    );
    let deals = [deal];
    let pipelines = [pipeline];
    let teams = BTreeMap::new();
    let inputs = ForecastInputs {
        deals: &deals,
        pipelines: &pipelines,
        teams: &teams,
        stage_win_rates: &[],
    };
    let result = forecast(&inputs, &settings(PeriodKind::Quarter)).unwrap();
    assert_eq!(result.deals[0].contribution.stage_weighted, cny(30_000));
    let q2: Period = "2026-Q2".parse().unwrap();
    let total = &result.row(q2, &ForecastGroup::Total).unwrap().figures;
    assert_eq!(total.forecast.stage_weighted, cny(30_000));
    assert_eq!(total.open_amount, cny(100_000));
}

#[test]
fn errors_map_to_stable_codes() {
    let error: Error = "2026-13".parse::<Period>().unwrap_err().into();
    assert_eq!(error.code(), ErrorCode::InvalidPeriod);
    assert_eq!(error.code().as_str(), "invalid_period");
    assert!(error.localized(Locale::ZhCn).starts_with("无效的期间"));
    let window = TimeWindow::new(at(1), at(1))
        .map_err(Error::from)
        .unwrap_err();
    assert_eq!(window.code(), ErrorCode::InvalidForecastSettings);
}

#[test]
fn a_missing_exchange_rate_is_an_error_not_a_silent_gap() {
    let pipeline = Pipeline::template_new_business();
    let usd = Money::new(100, Currency::USD);
    let deals = [open(
        &pipeline,
        "d1",
        "demo",
        usd,
        Some(date!(2026 - 02 - 01)),
    )];
    let pipelines = [pipeline];
    let teams = BTreeMap::new();
    let inputs = ForecastInputs {
        deals: &deals,
        pipelines: &pipelines,
        teams: &teams,
        stage_win_rates: &[],
    };
    let error = forecast(&inputs, &settings(PeriodKind::Month)).unwrap_err();
    assert_eq!(Error::from(error).code(), ErrorCode::MissingExchangeRate);
}

#[test]
fn stage_win_rates_from_real_moves() {
    let pipeline = Pipeline::template_new_business();
    let mut deals = Vec::new();
    // 10 deals enter demo; 3 are won, 6 lost, 1 still open → 3 / 9 = 33.33 %.
    for n in 0..10 {
        let mut deal = open(&pipeline, &format!("d{n}"), "demo", cny(1_000), None);
        match n {
            0..=2 => close(&mut deal, 30, DealStatus::Won),
            3..=8 => close(&mut deal, 30, DealStatus::Lost),
            _ => {}
        }
        deals.push(deal);
    }
    let window = TimeWindow::new(at(-1), at(1)).unwrap();
    let rates = stage_win_rates(&deals, &pipeline, window, 0).unwrap();
    let demo = rates.stage(&StageId::new("demo").unwrap()).unwrap();
    assert_eq!(demo.entered, 10);
    assert_eq!(demo.raw.map(Probability::basis_points), Some(3_333));
    assert_eq!(demo.rests_on(), 9);
    // With a prior of 40 % worth 9 deals: (3·10000 + 4000·9) / 18 = 3666.67 → 3667 bp.
    let blended = stage_win_rates(&deals, &pipeline, window, 9).unwrap();
    let demo = blended.stage(&StageId::new("demo").unwrap()).unwrap();
    assert_eq!(demo.blended.basis_points(), 3_667);
    assert!(
        demo.explain()
            .en
            .starts_with("9 closed deals (3 won, 6 lost or stopped), 1 still open")
    );
}

/// Random deals over the new-business pipeline: stage, amount, close month, outcome, owner,
/// team, manual and learned probabilities, owner overrides and manager adjustments.
fn arbitrary_deals() -> impl Strategy<Value = Vec<Deal>> {
    let stages = ["qualify", "needs", "demo", "negotiate"];
    let one = (
        0..stages.len(),
        0_i64..500_000_000, // up to ¥5,000,000.00
        1_u8..=12,
        0_u8..4,
        (0_usize..3, 0_usize..5),
        (
            proptest::option::of(0_u16..=10_000),
            proptest::option::of(0_u16..=10_000),
        ),
        (proptest::option::of(0_u8..4), proptest::option::of(0_u8..4)),
    );
    proptest::collection::vec(one, 0..40).prop_map(move |specs| {
        let pipeline = Pipeline::template_new_business();
        let categories = [
            ForecastCategory::Pipeline,
            ForecastCategory::BestCase,
            ForecastCategory::Commit,
            ForecastCategory::Closed,
        ];
        specs
            .into_iter()
            .enumerate()
            .map(
                |(
                    n,
                    (
                        stage,
                        minor,
                        month,
                        outcome,
                        (owner, team),
                        (manual, learned),
                        (owner_call, manager_call),
                    ),
                )| {
                    let close_date =
                        Date::from_calendar_date(2026, time::Month::try_from(month).unwrap(), 10)
                            .ok();
                    let mut deal = open(
                        &pipeline,
                        &format!("d{n}"),
                        stages[stage],
                        Money::new(minor, Currency::CNY),
                        close_date,
                    );
                    deal.owner = UserId::new(["rep-a", "rep-b", "rep-c"][owner]).unwrap();
                    deal.team = ["east-1", "east-2", "east", "west"]
                        .get(team)
                        .map(|id| TeamId::new(*id).unwrap());
                    deal.probability.manual = manual.map(|bp| ManualProbability {
                        value: Probability::from_basis_points(bp).unwrap(),
                        set_by: deal.owner.clone(),
                        set_at: at(1),
                    });
                    deal.probability.learned = learned.map(|bp| LearnedProbability {
                        value: Probability::from_basis_points(bp).unwrap(),
                        computed_at: at(1),
                    });
                    deal.forecast_category = owner_call.map(|call| CategoryOverride {
                        category: categories[usize::from(call)],
                        set_by: deal.owner.clone(),
                        set_at: at(2),
                    });
                    if let Some(call) = manager_call {
                        deal.forecast_adjustments.push(ForecastAdjustment {
                            id: RecordId::new("adj").unwrap(),
                            by: UserId::new("manager").unwrap(),
                            at: at(3),
                            from: ForecastCategory::Pipeline,
                            to: categories[usize::from(call)],
                            note: String::new(),
                        });
                    }
                    match outcome {
                        1 => close(&mut deal, i64::from(month) * 30, DealStatus::Won),
                        2 => close(&mut deal, 40, DealStatus::Lost),
                        _ => {}
                    }
                    deal
                },
            )
            .collect()
    })
}

fn hierarchy() -> BTreeMap<TeamId, TeamId> {
    let team = |id: &str| TeamId::new(id).unwrap();
    BTreeMap::from([
        (team("east-1"), team("east")),
        (team("east-2"), team("east")),
        (team("east"), team("company")),
        (team("west"), team("company")),
    ])
}

proptest! {
    #[test]
    fn every_row_is_the_sum_of_its_deals(deals in arbitrary_deals(), quarterly in any::<bool>()) {
        let pipelines = [Pipeline::template_new_business()];
        let teams = hierarchy();
        let inputs = ForecastInputs { deals: &deals, pipelines: &pipelines, teams: &teams, stage_win_rates: &[] };
        let kind = if quarterly { PeriodKind::Quarter } else { PeriodKind::Month };
        let result = forecast(&inputs, &settings(kind)).unwrap();
        for row in &result.rows {
            let lines: Vec<&DealForecast<'_>> = result.deals_in(row.period, &row.group).collect();
            for model in ForecastModel::ALL {
                let sum: i64 = lines.iter().map(|line| line.contribution.get(model).minor()).sum();
                prop_assert_eq!(row.figures.forecast.get(model).minor(), sum, "{:?} {:?} {:?}", model, row.period, row.group);
            }
            let won: i64 = lines.iter().filter(|line| line.status == DealStatus::Won).map(|line| line.amount.minor()).sum();
            prop_assert_eq!(row.figures.closed_won.minor(), won);
            let deals_in_row = row.figures.open_deals + row.figures.won_deals;
            prop_assert_eq!(deals_in_row as usize, lines.len());
        }
        // Every placed deal is in exactly one total row, and the totals add up to all deals.
        let totals: i64 = result.rows.iter()
            .filter(|row| row.group == ForecastGroup::Total)
            .map(|row| row.figures.forecast.stage_weighted.minor())
            .sum();
        let all: i64 = result.deals.iter().map(|line| line.contribution.stage_weighted.minor()).sum();
        prop_assert_eq!(totals, all);
        // The company rolls up every deal that has a team.
        for period in result.periods() {
            let with_team: i64 = result.deals.iter()
                .filter(|line| line.period == period && line.team.is_some())
                .map(|line| line.contribution.best_practice.minor())
                .sum();
            let company = result.row(period, &ForecastGroup::Team(TeamId::new("company").unwrap()))
                .map_or(0, |row| row.figures.forecast.best_practice.minor());
            prop_assert_eq!(company, with_team);
        }
    }

    #[test]
    fn weights_stay_within_the_amount(deals in arbitrary_deals()) {
        let pipelines = [Pipeline::template_new_business()];
        let teams = BTreeMap::new();
        let inputs = ForecastInputs { deals: &deals, pipelines: &pipelines, teams: &teams, stage_win_rates: &[] };
        let result = forecast(&inputs, &settings(PeriodKind::Month)).unwrap();
        for line in &result.deals {
            for model in ForecastModel::ALL {
                let weighted = line.contribution.get(model).minor();
                prop_assert!((0..=line.amount.minor()).contains(&weighted));
            }
        }
    }

    #[test]
    fn periods_print_and_parse_back(year in -9999_i32..=9999, month in 1_u8..=12, quarterly in any::<bool>()) {
        let date = Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), 1).unwrap();
        let kind = if quarterly { PeriodKind::Quarter } else { PeriodKind::Month };
        let period = Period::of(date, kind);
        prop_assert_eq!(period.to_string().parse::<Period>().unwrap(), period);
        prop_assert!(period.contains(date));
    }

    #[test]
    fn blended_rates_lie_between_the_raw_rate_and_the_prior(
        won in 0_u32..200, lost in 0_u32..200, prior_percent in 0_u8..=100, strength in 0_u32..100,
    ) {
        let mut pipeline = Pipeline::template_new_business();
        pipeline.stages[2].probability = Probability::from_percent(prior_percent).unwrap();
        let mut deals = Vec::new();
        for n in 0..(won + lost) {
            let mut deal = open(&pipeline, &format!("d{n}"), "demo", cny(1), None);
            close(&mut deal, 5, if n < won { DealStatus::Won } else { DealStatus::Lost });
            deals.push(deal);
        }
        let window = TimeWindow::new(at(-1), at(1)).unwrap();
        let rates = stage_win_rates(&deals, &pipeline, window, strength).unwrap();
        let demo = rates.stage(&StageId::new("demo").unwrap()).unwrap();
        let prior = demo.prior.basis_points();
        let raw = demo.raw.map_or(prior, Probability::basis_points);
        let blended = demo.blended.basis_points();
        prop_assert!(raw.min(prior) <= blended && blended <= raw.max(prior));
    }
}

proptest! {
    // Each case runs 10,000 trials; a few dozen random portfolios are enough.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn the_monte_carlo_mean_converges_to_the_weighted_forecast(
        specs in proptest::collection::vec((1_i64..1_000_000, 0_u16..=10_000), 1..30),
        seed in any::<u64>(),
    ) {
        let deals: Vec<SimulatedDeal> = specs.iter().map(|(minor, bp)| SimulatedDeal {
            amount: Money::new(*minor, Currency::CNY),
            probability: Probability::from_basis_points(*bp).unwrap(),
        }).collect();
        let trials = 10_000_u32;
        let range = simulate_revenue(&deals, Money::zero(Currency::CNY), SimulationSettings { trials, seed }).unwrap();
        // Standard deviation of the mean: √(Σ a²·p·(1−p)) / √trials. Allow 5 of them, plus
        // half a minor unit per deal for the per-deal rounding of the expected value.
        let variance: f64 = specs.iter().map(|(minor, bp)| {
            let p = f64::from(*bp) / 10_000.0;
            (*minor as f64).powi(2) * p * (1.0 - p)
        }).sum();
        let tolerance = 5.0 * (variance / f64::from(trials)).sqrt() + specs.len() as f64 + 1.0;
        let gap = (range.mean.minor() - range.expected.minor()).abs() as f64;
        prop_assert!(gap <= tolerance, "mean {} expected {} tolerance {}", range.mean.minor(), range.expected.minor(), tolerance);
        prop_assert!(range.p10.minor() <= range.p50.minor() && range.p50.minor() <= range.p90.minor());
        prop_assert!(range.min.minor() <= range.p10.minor() && range.p90.minor() <= range.max.minor());
    }
}

/// Odd shapes a [`DealTable`] must read exactly as the deals are read: another pipeline, a
/// removed stage, no close date, no history, no team, dollars, stages entered twice.
fn with_odd_shapes(mut deals: Vec<Deal>, tweaks: &[u8]) -> Vec<Deal> {
    for (deal, tweak) in deals.iter_mut().zip(tweaks) {
        match tweak {
            1 => deal.pipeline = PipelineId::new("other").unwrap(),
            2 => {
                if let Some(current) = deal.history.last_mut() {
                    current.stage = StageId::new("removed").unwrap();
                }
            }
            3 => deal.expected_close = None,
            4 => deal.history.clear(),
            5 => deal.team = None,
            6 => deal.amount = Money::new(deal.amount.minor() / 7, Currency::USD),
            7 => {
                let first = deal.history[0].clone();
                let demo = StageTransition {
                    stage: StageId::new("demo").unwrap(),
                    at: at(-3),
                    ..first.clone()
                };
                deal.history.splice(0..0, [demo.clone(), first, demo]);
            }
            _ => {}
        }
    }
    deals
}

proptest! {
    #[test]
    fn a_deal_table_forecasts_as_the_deals_do(
        deals in arbitrary_deals(),
        tweaks in proptest::collection::vec(0_u8..12, 40),
        quarterly in any::<bool>(),
        window_days in (-5_i64..20, 1_i64..400),
    ) {
        let deals = with_odd_shapes(deals, &tweaks);
        let table = DealTable::new(&deals);
        let pipelines = [Pipeline::template_new_business(), Pipeline::template_solution_sales()];
        let window = TimeWindow::new(at(window_days.0), at(window_days.0 + window_days.1)).unwrap();
        let rates: Vec<StageWinRates> = pipelines
            .iter()
            .map(|pipeline| {
                let from_deals = stage_win_rates(&deals, pipeline, window, 10).unwrap();
                assert_eq!(table.stage_win_rates(pipeline, window, 10).unwrap(), from_deals);
                from_deals
            })
            .collect();
        let teams = hierarchy();
        let kind = if quarterly { PeriodKind::Quarter } else { PeriodKind::Month };
        let with_dollars = ForecastSettings::new(
            ExchangeRates::new(Currency::CNY).with_rate(Currency::USD, "7.1234").unwrap(),
            offset!(+8),
            kind,
        );
        for settings in [settings(kind), with_dollars] {
            let inputs = ForecastInputs { deals: &deals, pipelines: &pipelines, teams: &teams, stage_win_rates: &rates };
            prop_assert_eq!(
                table.forecast(&pipelines, &teams, &rates, &settings),
                forecast(&inputs, &settings)
            );
        }
    }
}
