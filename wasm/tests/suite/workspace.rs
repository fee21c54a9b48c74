//! `Workspace`: deals held by id, shared with their handles, and computations over them.

use dealflow_wasm::{DealDoc, Pipeline, Workspace};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{code, day, deal, edit, open_deal, out, outs, ts};

#[wasm_bindgen_test]
fn deals_are_shared_with_the_workspace_and_summarised() {
    let mut workspace = Workspace::new(480).unwrap();
    let pipeline = Pipeline::new_business();
    workspace.set_pipeline(&pipeline);
    assert_eq!(workspace.pipeline_ids(), ["new_business"]);
    assert_eq!(
        workspace.pipeline("new_business").unwrap().id(),
        "new_business"
    );
    assert!(workspace.pipeline("other").is_none());

    let first = open_deal(&pipeline, "deal-a");
    let second = open_deal(&pipeline, "deal-b");
    workspace.add_deal("deal-a", &first);
    workspace.add_deal("deal-b", &second);
    assert_eq!(workspace.deal_ids(), ["deal-a", "deal-b"]);
    assert_eq!(workspace.deal_count(), 2);

    // The handle from the workspace is the same document, not a copy.
    let handle: DealDoc = workspace.deal("deal-a").unwrap();
    handle.set_title(&edit("rep-li", 1), "改过的标题").unwrap();
    assert_eq!(deal(&first)["title"], "改过的标题");

    let summaries = outs(&workspace.summaries().unwrap());
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[0]["title"], "改过的标题");
    assert_eq!(summaries[0]["accountName"], "华东电网");
    assert_eq!(summaries[0]["stage"], "qualify");
    assert_eq!(summaries[1]["expectedClose"], "2026-06-30");

    assert!(workspace.remove_deal("deal-a"));
    assert!(!workspace.remove_deal("deal-a"));
    assert!(workspace.deal("deal-a").is_none());
    assert_eq!(code(Workspace::new(100_000)), "invalid_input");
}

#[wasm_bindgen_test]
fn attention_lists_cover_every_deal_held() {
    let mut workspace = Workspace::new(480).unwrap();
    let pipeline = Pipeline::new_business();
    workspace.set_pipeline(&pipeline);
    let doc = open_deal(&pipeline, "deal-c");
    workspace.add_deal("deal-c", &doc);

    let lists = out(&workspace.attention(day(30) as f64, None).unwrap());
    assert_eq!(lists["overdueTasks"][0]["deal"], "deal-c");
    assert_eq!(lists["overdueTasks"][0]["due"], "2026-03-04");
    assert_eq!(lists["overdueTasks"][0]["daysOverdue"], 28);
    assert_eq!(lists["dealsWithoutNextStep"][0]["deal"], "deal-c");
    let stalled = &lists["stalledDeals"][0];
    let kinds: Vec<&str> = stalled["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason["reason"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["dwell_exceeded", "no_recent_follow_up", "no_decision_maker"]
    );
    assert_eq!(stalled["reasons"][0]["reason"]["enteredOn"], "2026-03-02");
    assert!(
        stalled["reasons"][0]["message"]["zh"]
            .as_str()
            .unwrap()
            .contains("停留 30 天")
    );
    assert_eq!(stalled["worstDaysPast"], 16);

    let relaxed = ts(r#"{ "followUpDays": 60, "decisionMakerGraceDays": 60 }"#);
    let lists = out(&workspace.attention(day(30) as f64, Some(relaxed)).unwrap());
    let kinds: Vec<&str> = lists["stalledDeals"][0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason["reason"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["dwell_exceeded"]);
    let defaults = out(&Workspace::default_attention_config().unwrap());
    assert_eq!(
        defaults,
        json!({ "followUpDays": 14, "decisionMakerGraceDays": 14 })
    );

    let mut without_pipeline = Workspace::new(480).unwrap();
    without_pipeline.add_deal("deal-c", &doc);
    let lists = out(&without_pipeline.attention(day(30) as f64, None).unwrap());
    assert_eq!(
        lists["unresolved"][0]["problem"],
        json!({ "kind": "unknown_pipeline", "pipeline": "new_business" })
    );
}
