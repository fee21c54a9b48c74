//! `Pipeline`: templates, configuration round trips, validation and weighted values.

use dealflow_wasm::Pipeline;
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{arg, code, out, outs, thrown, ts};

#[wasm_bindgen_test]
fn templates_have_four_open_stages_with_bilingual_labels() {
    for pipeline in [Pipeline::new_business(), Pipeline::solution_sales()] {
        let stages = outs(&pipeline.stages().unwrap());
        assert_eq!(stages.len(), 4);
        assert!(stages[0]["label"]["zh"].as_str().is_some());
        assert!(stages[0]["label"]["en"].as_str().is_some());
    }
    let pipeline = Pipeline::new_business();
    assert_eq!(pipeline.id(), "new_business");
    let demo = out(&pipeline.stage("demo").unwrap());
    assert_eq!(demo["probabilityBp"], 4_000);
    assert_eq!(
        demo["entryCriteria"][0]["rule"],
        json!({ "type": "budget_range_known" })
    );
    assert_eq!(
        demo["entryCriteria"][0]["description"]["en"],
        "budget range known"
    );
    assert_eq!(code(pipeline.stage("nowhere")), "unknown_stage");
}

#[wasm_bindgen_test]
fn a_configuration_round_trips_and_an_invalid_one_lists_every_problem() {
    let pipeline = Pipeline::new_business();
    let mut config = out(&pipeline.config().unwrap());
    config["id"] = json!("enterprise");
    let copy = Pipeline::from_config(&arg(&config)).unwrap();
    assert_eq!(copy.id(), "enterprise");
    let mut back = out(&copy.config().unwrap());
    back["id"] = json!("new_business");
    assert_eq!(back, out(&pipeline.config().unwrap()));

    config["stages"][1]["id"] = config["stages"][0]["id"].clone();
    config["lossReasons"] = json!([]);
    let error = thrown(Pipeline::from_config(&arg(&config)).unwrap_err());
    assert_eq!(error["code"], "invalid_pipeline");
    let codes: Vec<&str> = error["configProblems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"duplicate_stage"), "{codes:?}");
    assert!(codes.contains(&"no_loss_reason"), "{codes:?}");
    assert!(
        error["configProblems"][0]["message"]["zh"]
            .as_str()
            .is_some()
    );

    config["stages"][0]["probabilityBp"] = json!(20_000);
    assert_eq!(
        code(Pipeline::from_config(&arg(&config))),
        "probability_out_of_range"
    );
    assert_eq!(
        code(Pipeline::from_config(&ts(r#"{ "id": "x" }"#))),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn weighted_value_sums_amount_times_stage_probability() {
    let pipeline = Pipeline::new_business();
    let deals = vec![
        ts(r#"{ "stageId": "qualify", "amount": { "minor": 20000000, "currency": "CNY" } }"#),
        ts(r#"{ "stageId": "demo", "amount": { "minor": 10000000, "currency": "CNY" } }"#),
    ];
    let weighted = out(&pipeline.weighted_value(deals, "CNY").unwrap());
    assert_eq!(weighted, json!({ "minor": 6_000_000, "currency": "CNY" }));
    let unknown = vec![ts(
        r#"{ "stageId": "nowhere", "amount": { "minor": 1, "currency": "CNY" } }"#,
    )];
    assert_eq!(
        code(pipeline.weighted_value(unknown, "CNY")),
        "unknown_stage"
    );
    assert_eq!(
        code(pipeline.weighted_value(Vec::new(), "EURO")),
        "unknown_currency"
    );
}
