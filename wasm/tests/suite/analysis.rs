//! `Analysis`, the compute module: forecasts, the Monte Carlo range, targets and the funnel over
//! a `Workspace` snapshot, checked against figures worked out by hand from the template
//! pipeline's stage probabilities (线索验证 10 %, 需求分析 25 %).

use dealflow_wasm::dto::{ForecastGroup, ForecastTarget, Money};
use dealflow_wasm::{Analysis, DealDoc, Pipeline, Workspace};
use serde_json::{Value, json};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{arg, code, day, edit, move_ctx, open_deal, out, outs, ts};

/// Three ¥100,000.00 deals closing 2026-06-30: one in qualify, one moved to needs, one lost
/// from qualify.
fn snapshot() -> Vec<u8> {
    let pipeline = Pipeline::new_business();
    let mut workspace = Workspace::new(480).unwrap();
    workspace.set_pipeline(&pipeline);
    let qualify = open_deal(&pipeline, "deal-q");
    let needs = open_deal(&pipeline, "deal-n");
    let ctx = edit("rep-li", 1);
    needs
        .set_account(
            &ctx,
            &arg(&json!({ "name": "华东电网", "industry": "能源" })),
        )
        .unwrap();
    needs
        .update_text(&ctx, &ts(r#"{ "field": "needs" }"#), "统一客服平台")
        .unwrap();
    needs
        .move_stage(
            &pipeline,
            &ts(r#"{ "kind": "stage", "stage": "needs" }"#),
            &move_ctx(1, "n1"),
        )
        .unwrap();
    let lost: DealDoc = open_deal(&pipeline, "deal-l");
    lost.move_stage(
        &pipeline,
        &ts(r#"{ "kind": "lost", "reason": "price" }"#),
        &move_ctx(2, "l1"),
    )
    .unwrap();
    workspace.add_deal("deal-q", &qualify);
    workspace.add_deal("deal-n", &needs);
    workspace.add_deal("deal-l", &lost);
    workspace.snapshot().unwrap()
}

fn total_row(table: &Value, period: &str) -> Value {
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["period"] == period && row["group"]["kind"] == "total")
        .cloned()
        .unwrap_or_else(|| panic!("no total row for {period}"))
}

fn cny(minor: i64) -> Value {
    json!({ "minor": minor, "currency": "CNY" })
}

#[wasm_bindgen_test]
fn the_four_models_are_computed_over_the_snapshot() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    assert_eq!(analysis.deal_count(), 3);
    let table = out(&analysis
        .forecast("CNY", &JsValue::from_str("month"))
        .unwrap());
    let june = total_row(&table, "2026-06");
    assert_eq!(june["openDeals"], 2);
    assert_eq!(june["openAmount"], cny(20_000_000));
    // ¥100,000 × 10 % + ¥100,000 × 25 %.
    assert_eq!(june["forecast"]["stageWeighted"], cny(3_500_000));
    // No manual probabilities: manual weight falls back to the stage's.
    assert_eq!(june["forecast"]["manualWeighted"], cny(3_500_000));
    // Without learned rates best practice uses the stage defaults too.
    assert_eq!(june["forecast"]["bestPractice"], cny(3_500_000));
    // Both open deals are in the pipeline category: nothing committed, nothing won.
    assert_eq!(june["forecast"]["repCommit"], cny(0));
    assert_eq!(june["adjustedCategories"]["pipeline"], cny(20_000_000));
    assert_eq!(
        code(analysis.forecast("CNY", &JsValue::from_str("week"))),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn learned_win_rates_move_only_the_best_practice_model() {
    let mut analysis = Analysis::new(&snapshot(), 480).unwrap();
    analysis
        .learn_win_rates(day(-1) as f64, day(10) as f64)
        .unwrap();
    let table = out(&analysis
        .forecast("CNY", &JsValue::from_str("month"))
        .unwrap());
    let june = total_row(&table, "2026-06");
    assert_eq!(june["forecast"]["stageWeighted"], cny(3_500_000));
    // Three deals entered qualify and one of them was lost: the history pulls qualify's rate
    // below its 10 % default, so best practice falls below stage weight.
    let best = june["forecast"]["bestPractice"]["minor"].as_i64().unwrap();
    assert!(best < 3_500_000, "best practice {best}");
    assert_eq!(
        code(analysis.learn_win_rates(day(10) as f64, day(1) as f64)),
        "invalid_forecast_settings"
    );
}

#[wasm_bindgen_test]
fn the_range_is_ordered_and_repeats_with_its_seed() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    let month = JsValue::from_str("month");
    let model = JsValue::from_str("stage_weighted");
    let range = out(&analysis
        .range("CNY", &month, "2026-06", &model, Some(2_000), 7)
        .unwrap());
    let minor = |key: &str| range[key]["minor"].as_i64().unwrap();
    assert!(minor("min") <= minor("p10"));
    assert!(minor("p10") <= minor("p50"));
    assert!(minor("p50") <= minor("p90"));
    assert!(minor("p90") <= minor("max"));
    // Each trial wins neither, one or both deals.
    for key in ["p10", "p50", "p90"] {
        assert!(
            [0, 10_000_000, 20_000_000].contains(&minor(key)),
            "{key} {}",
            minor(key)
        );
    }
    assert_eq!(range["expected"], cny(3_500_000));
    assert_eq!(range["simulatedDeals"], 2);
    assert_eq!(range["trials"], 2_000);
    assert_eq!(range["period"], "2026-06");
    let again = out(&analysis
        .range("CNY", &month, "2026-06", &model, Some(2_000), 7)
        .unwrap());
    assert_eq!(range, again);
    assert_eq!(
        code(analysis.range("CNY", &month, "June", &model, None, 7)),
        "invalid_period"
    );
    assert_eq!(
        code(analysis.range("CNY", &month, "2026-06", &model, Some(0), 7)),
        "invalid_forecast_settings"
    );
}

#[wasm_bindgen_test]
fn targets_are_measured_against_each_model() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    let targets = vec![
        arg(&json!({
            "group": { "kind": "total" },
            "period": "2026-06",
            "amount": cny(7_000_000),
        })),
        arg(&json!({
            "group": { "kind": "rep", "id": "rep-li" },
            "period": "2026-Q2",
            "amount": cny(0),
        })),
    ];
    let rows = outs(
        &analysis
            .attainment("CNY", &JsValue::from_str("month"), targets)
            .unwrap(),
    );
    assert_eq!(rows.len(), 2);
    let june = &rows[0];
    assert_eq!(june["target"], cny(7_000_000));
    assert_eq!(june["closedWon"], cny(0));
    assert_eq!(june["gapToTarget"], cny(7_000_000));
    assert_eq!(june["completionBp"], 0);
    // ¥35,000 of ¥70,000.
    assert_eq!(june["forecastCompletionBp"]["stageWeighted"], 5_000);
    assert_eq!(june["forecastGap"]["stageWeighted"], cny(3_500_000));
    let quarter = &rows[1];
    // A quarterly target sums the forecast's months in the quarter that have deals.
    assert_eq!(quarter["periods"], json!(["2026-06"]));
    assert_eq!(quarter["forecast"]["stageWeighted"], cny(3_500_000));
    assert!(
        quarter.get("completionBp").is_none(),
        "a zero target has no ratio"
    );

    let bad = vec![arg(&json!({
        "group": { "kind": "region" },
        "period": "2026-06",
        "amount": cny(1),
    }))];
    assert_eq!(
        code(analysis.attainment("CNY", &JsValue::from_str("month"), bad)),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn the_funnel_highlights_the_stage_that_leaks_most() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    let funnel = out(&analysis
        .funnel("CNY", "new_business", day(5) as f64)
        .unwrap());
    assert_eq!(funnel["pipeline"], "new_business");
    assert_eq!(
        (funnel["deals"].clone(), funnel["lost"].clone()),
        (json!(3), json!(1))
    );
    let qualify = &funnel["stages"][0];
    assert_eq!(qualify["stage"], "qualify");
    assert_eq!(qualify["label"]["zh"], "线索验证");
    assert_eq!(
        (
            qualify["entered"].clone(),
            qualify["movedOn"].clone(),
            qualify["lost"].clone(),
            qualify["stillOpen"].clone()
        ),
        (json!(3), json!(1), json!(1), json!(1))
    );
    // One moved on, one lost: 50 % among decided deals, the only decided stage.
    assert_eq!(qualify["decidedConversionBp"], 5_000);
    assert_eq!(qualify["bottleneck"], true);
    assert_eq!(funnel["bottleneck"]["stage"], "qualify");
    assert_eq!(funnel["bottleneck"]["conversionBp"], 5_000);
    let marked: Vec<&Value> = funnel["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|stage| stage["bottleneck"] == true)
        .collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(
        code(analysis.funnel("CNY", "no_such_pipeline", day(5) as f64)),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn a_snapshot_from_elsewhere_is_refused() {
    assert_eq!(code(Analysis::new(b"not a snapshot", 480)), "invalid_input");
    assert_eq!(
        code(Analysis::new(
            br#"{"version":99,"deals":[],"pipelines":[]}"#,
            480
        )),
        "invalid_input"
    );
    assert_eq!(code(Analysis::new(&snapshot(), 100_000)), "invalid_input");
}

#[wasm_bindgen_test]
fn a_target_written_as_declared_is_read() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    let target = ForecastTarget {
        group: ForecastGroup::Team("team-east".into()),
        period: "2026-Q2".into(),
        amount: Money {
            minor: 1_000,
            currency: "CNY".into(),
        },
    };
    let declared = arg(&serde_json::to_value(&target).unwrap());
    let rows = outs(
        &analysis
            .attainment("CNY", &JsValue::from_str("month"), vec![declared])
            .unwrap(),
    );
    assert_eq!(
        rows[0]["group"],
        json!({ "kind": "team", "id": "team-east" })
    );
    assert_eq!(rows[0]["period"], "2026-Q2");
    assert_eq!(rows[0]["target"], cny(1_000));
}

#[wasm_bindgen_test]
fn health_covers_the_open_deals_lowest_score_first() {
    let analysis = Analysis::new(&snapshot(), 480).unwrap();
    let reports = outs(&analysis.health(day(30) as f64).unwrap());
    let mut deals: Vec<&str> = reports
        .iter()
        .map(|report| report["deal"].as_str().unwrap())
        .collect();
    deals.sort_unstable();
    // The lost deal has no health.
    assert_eq!(deals, ["deal-n", "deal-q"]);
    let scores: Vec<i64> = reports
        .iter()
        .map(|report| report["score"].as_i64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] <= pair[1]),
        "{scores:?}"
    );
    for report in &reports {
        let findings = report["findings"].as_array().unwrap();
        let penalties: i64 = findings
            .iter()
            .map(|finding| finding["penalty"].as_i64().unwrap())
            .sum();
        assert_eq!(report["score"].as_i64().unwrap(), (100 - penalties).max(0));
        // Neither deal names a decision maker or schedules a next step.
        let rules: Vec<&str> = findings
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"no_decision_maker"), "{rules:?}");
        assert!(rules.contains(&"no_next_step"), "{rules:?}");
        assert!(!findings[0]["action"]["zh"].as_str().unwrap().is_empty());
    }
}
