//! Contract tests of scoring, through the public API only.

use dealflow_core::*;
use proptest::prelude::*;
use time::macros::offset;

/// 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600_000;

fn at(days: i64) -> Timestamp {
    Timestamp::from_millis(START + days * MILLIS_PER_DAY)
}

fn open(id: &str, stage: &str) -> Deal {
    let pipeline = Pipeline::template_new_business();
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
        amount: Money::from_major(10_000, Currency::CNY).unwrap(),
        expected_close: None,
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

fn close(deal: &mut Deal, status: DealStatus) {
    let current = deal.history.last().unwrap().clone();
    deal.history.push(StageTransition {
        id: RecordId::new("t-close").unwrap(),
        at: at(30),
        kind: TransitionKind::Won,
        status,
        ..current
    });
}

fn extractor() -> FeatureExtractor {
    let edges = [
        Money::from_major(50_000, Currency::CNY).unwrap(),
        Money::from_major(200_000, Currency::CNY).unwrap(),
    ];
    FeatureExtractor::new(ExchangeRates::new(Currency::CNY), &edges).unwrap()
}

/// Random closed (or open, or stopped) deals with random attributes.
fn arbitrary_deals() -> impl Strategy<Value = Vec<Deal>> {
    let one = (
        0_usize..4,
        0_u8..4,
        (0_usize..4, 0_usize..4, 0_usize..3),
        (0_usize..6, 0_i64..400_000),
        (any::<bool>(), any::<bool>(), 0_usize..3),
    );
    proptest::collection::vec(one, 0..30).prop_map(|specs| {
        let stages = ["qualify", "needs", "demo", "negotiate"];
        let industries = ["制造业", "能源", "金融", "零售"];
        let sources = ["referral", "trade_show", "web"];
        let sizes = [
            CompanySize::Small,
            CompanySize::Medium,
            CompanySize::Large,
            CompanySize::Enterprise,
        ];
        let teams = [None, Some("east"), Some("west")];
        specs
            .into_iter()
            .enumerate()
            .map(
                |(
                    n,
                    (
                        stage,
                        outcome,
                        (industry, size, source),
                        (region, major),
                        (competitor, decision_maker, team),
                    ),
                )| {
                    let mut deal = open(&format!("d{n}"), stages[stage]);
                    deal.account.industry = Some(industries[industry].into());
                    deal.account.size = Some(sizes[size]);
                    deal.account.region = ["华东", "华南", "华北", "西南"]
                        .get(region)
                        .map(|r| (*r).to_owned());
                    deal.source = Some(sources[source].into());
                    deal.amount = Money::from_major(major, Currency::CNY).unwrap();
                    deal.team = teams[team].map(|id| TeamId::new(id).unwrap());
                    if competitor {
                        let id = RecordId::new("c").unwrap();
                        deal.competitors.insert(
                            id.clone(),
                            Competitor {
                                id,
                                name: "竞品甲".into(),
                                product: String::new(),
                                price: None,
                                strengths: vec![],
                                weaknesses: vec![],
                                status: CompetitorStatus::Active,
                            },
                        );
                    }
                    if decision_maker {
                        let id = ContactId::new("boss").unwrap();
                        deal.contacts.insert(
                            id.clone(),
                            Contact {
                                id,
                                name: "张总".into(),
                                title: String::new(),
                                role: ContactRole::DecisionMaker,
                                stance: Stance::Supporter,
                                influence: Influence::High,
                                last_contacted: None,
                                phone: String::new(),
                                email: String::new(),
                            },
                        );
                    }
                    let id = RecordId::new("p").unwrap();
                    deal.product_lines.insert(
                        id.clone(),
                        ProductLine {
                            id,
                            product_id: None,
                            product: ["CRM", "ERP"][n % 2].into(),
                            quantity: 1,
                            unit_price: deal.amount,
                            discount: Discount::NONE,
                        },
                    );
                    match outcome {
                        0 => close(&mut deal, DealStatus::Won),
                        1 => close(&mut deal, DealStatus::Lost),
                        2 => close(&mut deal, DealStatus::Stopped),
                        _ => {}
                    }
                    deal
                },
            )
            .collect()
    })
}

proptest! {
    #[test]
    fn merging_two_trained_models_equals_training_on_the_union(
        deals in arbitrary_deals(), split in 0_usize..30,
    ) {
        let extractor = extractor();
        let split = split.min(deals.len());
        let (left, right) = deals.split_at(split);
        let mut merged = TeamWinCounts::train(left, &extractor).unwrap();
        merged.merge(&TeamWinCounts::train(right, &extractor).unwrap());
        let union = TeamWinCounts::train(&deals, &extractor).unwrap();
        prop_assert_eq!(&merged, &union);
        // And in the other order.
        let mut other_way = TeamWinCounts::train(right, &extractor).unwrap();
        other_way.merge(&TeamWinCounts::train(left, &extractor).unwrap());
        prop_assert_eq!(&other_way, &union);
    }

    #[test]
    fn removing_every_deal_again_leaves_empty_counts(deals in arbitrary_deals()) {
        let extractor = extractor();
        let mut counts = TeamWinCounts::train(&deals, &extractor).unwrap();
        for deal in &deals {
            counts.remove_deal(deal, &extractor).unwrap();
        }
        for counts in counts.teams.values() {
            prop_assert_eq!(counts, &WinCounts::default());
        }
        prop_assert_eq!(&counts.without_team, &WinCounts::default());
    }

    #[test]
    fn predictions_are_probabilities_with_signed_factors(deals in arbitrary_deals()) {
        let extractor = extractor();
        let counts = TeamWinCounts::train(&deals, &extractor).unwrap();
        let pipelines = [Pipeline::template_new_business()];
        let settings = WinModelSettings { min_closed_deals: 1, ..WinModelSettings::default() };
        let predictor = WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
        for deal in &deals {
            let prediction = predictor.predict(deal).unwrap();
            prop_assert!(prediction.probability.basis_points() <= 10_000);
            prop_assert!(prediction.positive.len() <= 3 && prediction.negative.len() <= 3);
            prop_assert!(prediction.positive.iter().all(|factor| factor.weight > 0.0));
            prop_assert!(prediction.negative.iter().all(|factor| factor.weight < 0.0));
            prop_assert!(prediction.positive.windows(2).all(|pair| pair[0].weight >= pair[1].weight));
            prop_assert!(prediction.negative.windows(2).all(|pair| pair[0].weight <= pair[1].weight));
        }
    }
}

#[test]
fn counts_serialize_to_a_flat_string_keyed_map() {
    let mut deal = open("d1", "demo");
    deal.account.industry = Some("能源".into());
    close(&mut deal, DealStatus::Won);
    let extractor = extractor();
    let mut counts = TeamWinCounts::default();
    assert!(counts.add_deal(&deal, &extractor).unwrap());
    assert!(!counts.add_deal(&open("d2", "demo"), &extractor).unwrap());
    let json = serde_json::to_value(&counts).unwrap();
    assert_eq!(json["without_team"]["closed"]["won"], 1);
    assert_eq!(json["without_team"]["values"]["industry"]["能源"]["won"], 1);
    assert_eq!(
        json["without_team"]["values"]["stage_reached"]["demo"]["won"],
        1
    );
    assert_eq!(
        json["without_team"]["values"]["amount_band"]["<50000.00 CNY"]["won"],
        1
    );
    assert_eq!(
        json["without_team"]["values"]["decision_maker_identified"]["no"]["won"],
        1
    );
    let back: TeamWinCounts = serde_json::from_value(json).unwrap();
    assert_eq!(back, counts);
}

#[test]
fn scoring_errors_have_codes_and_translations() {
    let profile = FitProfile { rules: vec![] };
    let rates = ExchangeRates::new(Currency::CNY);
    let error: Error = FitScorer::new(&profile, &rates).unwrap_err().into();
    assert_eq!(error.code(), ErrorCode::InvalidScoringConfig);
    assert_eq!(
        error.localized(Locale::ZhCn),
        "属性评分规则无效：请至少添加一条规则"
    );
    assert_eq!(
        error.to_string(),
        "invalid fit rules: add at least one rule"
    );
    let score: Result<Score, _> = serde_json::from_str("101");
    assert!(score.is_err());
}

#[test]
fn health_and_rfm_through_the_public_api() {
    let pipeline = Pipeline::template_new_business();
    let deal = open("d1", "demo");
    let report = deal_health(
        &deal,
        &pipeline,
        at(30),
        offset!(+8),
        &HealthSettings::default(),
    )
    .unwrap();
    let rules: Vec<HealthRule> = report.findings.iter().map(|finding| finding.rule).collect();
    // No contacts, no next step, 30 days in demo (limit 21).
    assert_eq!(
        rules,
        [
            HealthRule::NoDecisionMaker,
            HealthRule::NoNextStep,
            HealthRule::StalledInStage
        ]
    );
    assert_eq!(report.score.points(), 50);
    assert!(
        report
            .findings
            .iter()
            .all(|finding| !finding.reason.is_incomplete() && !finding.action.is_incomplete())
    );

    let mut won = open("d2", "negotiate");
    won.account.id = Some(AccountId::new("acme").unwrap());
    close(&mut won, DealStatus::Won);
    let purchases = purchases_from_deals(&[won, deal]);
    assert_eq!(purchases.len(), 1);
    let scores = rfm(&purchases, at(40), &ExchangeRates::new(Currency::CNY)).unwrap();
    assert_eq!(scores[0].recency_days, 10);
    assert_eq!(scores[0].code(), "R1F1M1");
    assert_eq!(scores[0].segment.label().zh_cn, "沉睡客户");
}

/// Odd shapes a [`DealTable`] must read exactly as the deals are read: padded and blank texts,
/// repeated and unnamed products, stages reached twice, a team of its own, an amount in a
/// currency without a rate, no history at all.
fn with_odd_shapes(mut deals: Vec<Deal>, tweaks: &[u8]) -> Vec<Deal> {
    for (deal, tweak) in deals.iter_mut().zip(tweaks) {
        match tweak {
            1 => deal.source = Some("  web ".into()),
            2 => {
                deal.source = Some("   ".into());
                deal.account.industry = None;
                deal.account.size = None;
            }
            3 => {
                for (n, (product_id, name)) in [
                    (None, "CRM "),
                    (None, " "),
                    (Some("sku-1"), "x"),
                    (Some("sku-1"), "y"),
                ]
                .into_iter()
                .enumerate()
                {
                    let id = RecordId::new(format!("q{n}")).unwrap();
                    deal.product_lines.insert(
                        id.clone(),
                        ProductLine {
                            id,
                            product_id: product_id.map(|sku| ProductId::new(sku).unwrap()),
                            product: name.into(),
                            quantity: 1,
                            unit_price: deal.amount,
                            discount: Discount::NONE,
                        },
                    );
                }
            }
            4 => {
                let first = deal.history[0].clone();
                let needs = StageTransition {
                    stage: StageId::new("needs").unwrap(),
                    ..first.clone()
                };
                deal.history.splice(0..0, [needs.clone(), first, needs]);
            }
            5 => deal.team = Some(TeamId::new("north").unwrap()),
            6 => deal.amount = Money::from_major(1_000, Currency::USD).unwrap(),
            7 => deal.history.clear(),
            _ => {}
        }
    }
    deals
}

proptest! {
    #[test]
    fn a_deal_table_trains_and_scores_as_the_deals_do(
        deals in arbitrary_deals(),
        tweaks in proptest::collection::vec(0_u8..12, 30),
        min_closed_deals in 0_u32..6,
    ) {
        let deals = with_odd_shapes(deals, &tweaks);
        let extractor = extractor();
        let table = DealTable::new(&deals);
        prop_assert_eq!(table.len(), deals.len());
        // Deals in dollars have no rate: both fail alike when one of them is closed.
        prop_assert_eq!(
            table.train_win_counts(&extractor),
            TeamWinCounts::train(&deals, &extractor)
        );
        // Counts from part of the deals, so that some teams and values are unknown to them.
        let known: Vec<Deal> = deals
            .iter()
            .take(deals.len() / 2)
            .filter(|deal| deal.amount.currency() == Currency::CNY)
            .cloned()
            .collect();
        let counts = TeamWinCounts::train(&known, &extractor).unwrap();
        prop_assert_eq!(&DealTable::new(&known).train_win_counts(&extractor).unwrap(), &counts);
        let pipelines = [Pipeline::template_new_business()];
        let settings = WinModelSettings { min_closed_deals, ..WinModelSettings::default() };
        let predictor = WinPredictor::new(&counts, &extractor, settings, &pipelines, &[]).unwrap();
        let by_deal: Vec<_> = predictor.predict_all(&deals).collect();
        let by_table: Vec<_> = predictor.predict_table(&table).collect();
        prop_assert_eq!(by_table, by_deal);
    }
}
