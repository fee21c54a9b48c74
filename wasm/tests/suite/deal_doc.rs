//! `DealDoc`: creation, every typed edit, text, stage moves with checklists, reads, history,
//! saving and merging.

use dealflow_wasm::{DealDoc, Pipeline};
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{
    actor, arg, code, day, deal, edit, js, move_ctx, open_deal, out, outs, thrown, ts,
};

#[wasm_bindgen_test]
fn a_new_deal_starts_in_the_first_stage_with_its_tasks_and_round_trips_through_bytes() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-1");
    let read = out(&doc.read().unwrap());
    assert_eq!(read["problems"], json!([]));
    let deal = &read["deal"];
    assert_eq!(deal["id"], "deal-1");
    assert_eq!(deal["stage"], "qualify");
    assert_eq!(deal["status"], "open");
    assert_eq!(
        deal["amount"],
        json!({ "minor": 10_000_000, "currency": "CNY" })
    );
    assert_eq!(deal["expectedClose"], "2026-06-30");
    assert_eq!(deal["history"][0]["kind"], "created");
    assert_eq!(deal["history"][0]["at"], day(0));
    assert_eq!(deal["tasks"][0]["origin"]["kind"], "stage_template");
    assert_eq!(deal["tasks"][0]["due"], "2026-03-04");
    // Absent optional fields are left out, not null.
    assert!(deal.get("nextStep").is_none());
    assert!(deal["account"].get("industry").is_none());

    let bytes = doc.save();
    let reopened = DealDoc::load(&bytes, &actor(2)).unwrap();
    assert_eq!(super::support::deal(&reopened), *deal);
}

#[wasm_bindgen_test]
fn opening_into_a_stage_with_unmet_entry_criteria_throws_the_checklist() {
    let pipeline = Pipeline::new_business();
    let new = arg(&json!({
        "id": "deal-2",
        "title": "T",
        "account": { "name": "A" },
        "amount": { "minor": 100, "currency": "CNY" },
        "owner": "rep-li",
        "stage": "negotiate",
    }));
    let error = thrown(DealDoc::open(&pipeline, &new, &move_ctx(0, "t0"), &actor(1)).unwrap_err());
    assert_eq!(error["code"], "move_rejected");
    assert_eq!(error["problems"][0]["code"], "criterion_unmet");
    assert_eq!(error["problems"][0]["phase"], "entry");
    assert_eq!(error["problems"][0]["rule"], "budget_confirmed");
}

/// Applies an edit, checks it changed the deal, and that feeding the deal's own output back
/// changes nothing: the reader and the declared shape agree field by field.
fn check_round_trip(changed: bool, again: bool) {
    assert!(changed, "the first edit changes the deal");
    assert!(!again, "writing back what was read changes nothing");
}

#[wasm_bindgen_test]
fn record_edits_write_what_they_say_and_accept_their_own_output() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-3");
    let contact = json!({
        "id": "c-wang", "name": "王总", "title": "总经理", "role": "decision_maker",
        "stance": "supporter", "influence": "high", "phone": "13800000000",
    });
    let changed = doc
        .upsert_contact(&edit("rep-li", 1), &arg(&contact))
        .unwrap();
    let stored = deal(&doc)["contacts"][0].clone();
    assert_eq!(stored["role"], "decision_maker");
    assert_eq!(stored["email"], "");
    check_round_trip(
        changed,
        doc.upsert_contact(&edit("rep-li", 1), &arg(&stored))
            .unwrap(),
    );

    let contact2 = json!({ "id": "c-li", "name": "李工", "role": "technical", "stance": "neutral", "influence": "medium" });
    doc.upsert_contact(&edit("rep-li", 1), &arg(&contact2))
        .unwrap();
    let edge = json!({ "id": "r1", "from": "c-li", "to": "c-wang", "kind": "reports_to" });
    let changed = doc
        .upsert_relationship(&edit("rep-li", 1), &arg(&edge))
        .unwrap();
    let stored = deal(&doc)["relationships"][0].clone();
    check_round_trip(
        changed,
        doc.upsert_relationship(&edit("rep-li", 1), &arg(&stored))
            .unwrap(),
    );

    let competitor = json!({
        "id": "k1", "name": "竞品甲", "price": { "minor": 9_000_000, "currency": "CNY" },
        "strengths": ["价格低"], "status": "active",
    });
    let changed = doc
        .upsert_competitor(&edit("rep-li", 1), &arg(&competitor))
        .unwrap();
    let stored = deal(&doc)["competitors"][0].clone();
    assert_eq!(stored["weaknesses"], json!([]));
    check_round_trip(
        changed,
        doc.upsert_competitor(&edit("rep-li", 1), &arg(&stored))
            .unwrap(),
    );

    let line = json!({
        "id": "p1", "product": "CRM 许可", "quantity": 100,
        "unitPrice": { "minor": 100_000, "currency": "CNY" }, "discountBp": 1_500,
    });
    let changed = doc
        .upsert_product_line(&edit("rep-li", 1), &arg(&line))
        .unwrap();
    let stored = deal(&doc)["productLines"][0].clone();
    check_round_trip(
        changed,
        doc.upsert_product_line(&edit("rep-li", 1), &arg(&stored))
            .unwrap(),
    );

    let follow_up = json!({
        "id": "f1", "kind": "visit", "at": day(2), "by": "rep-li", "participants": ["c-wang"],
        "summary": "现场调研", "customerFeedback": "希望月底前报价",
        "nextStep": { "action": "安排技术交流会", "due": "2026-03-10" },
    });
    assert!(
        doc.record_follow_up(&edit("rep-li", 2), &arg(&follow_up))
            .unwrap()
    );
    let read = deal(&doc);
    assert_eq!(read["nextStep"]["action"], "安排技术交流会");
    assert_eq!(
        read["contacts"][1]["lastContacted"],
        day(2),
        "participants were contacted"
    );
    let stored = read["followUps"][0].clone();
    assert!(
        !doc.record_follow_up(&edit("rep-li", 2), &arg(&stored))
            .unwrap()
    );

    let comment = json!({ "id": "m1", "author": "mgr-wang", "at": day(3), "text": "先锁定决策人" });
    let changed = doc
        .upsert_comment(&edit("mgr-wang", 3), &arg(&comment))
        .unwrap();
    let stored = deal(&doc)["comments"][0].clone();
    check_round_trip(
        changed,
        doc.upsert_comment(&edit("mgr-wang", 3), &arg(&stored))
            .unwrap(),
    );

    let task = json!({
        "id": "x1", "title": { "zh": "发送案例", "en": "Send references" }, "assignee": "rep-li",
        "due": "2026-03-05", "status": "open", "origin": { "kind": "manual" }, "createdAt": day(3),
    });
    let changed = doc.upsert_task(&edit("rep-li", 3), &arg(&task)).unwrap();
    let stored = deal(&doc)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|task| task["id"] == "x1")
        .unwrap()
        .clone();
    check_round_trip(
        changed,
        doc.upsert_task(&edit("rep-li", 3), &arg(&stored)).unwrap(),
    );
    assert!(
        doc.set_task_status(&edit("rep-li", 4), "x1", &js(r#""done""#))
            .unwrap()
    );
    let done = deal(&doc)["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|task| task["id"] == "x1")
        .unwrap()
        .clone();
    assert_eq!(
        (done["status"].clone(), done["closedAt"].clone()),
        (json!("done"), json!(day(4)))
    );
    assert_eq!(
        code(doc.set_task_status(&edit("rep-li", 4), "nope", &js(r#""done""#))),
        "unknown_record"
    );
    assert_eq!(
        code(doc.set_task_status(&edit("rep-li", 4), "x1", &js(r#""finished""#))),
        "invalid_input"
    );

    assert!(doc.remove_relationship(&edit("rep-li", 5), "r1").unwrap());
    assert!(doc.remove_competitor(&edit("rep-li", 5), "k1").unwrap());
    assert!(doc.remove_product_line(&edit("rep-li", 5), "p1").unwrap());
    assert!(doc.remove_contact(&edit("rep-li", 5), "c-li").unwrap());
    assert!(!doc.remove_contact(&edit("rep-li", 5), "c-li").unwrap());
    let read = deal(&doc);
    assert_eq!(read["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(read["relationships"], json!([]));
}

#[wasm_bindgen_test]
fn field_edits_cover_the_whole_record() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-4");
    let ctx = edit("rep-li", 1);
    assert!(doc.set_title(&ctx, "华东电网 CRM 二期（扩容）").unwrap());
    let amount = arg(&json!({ "minor": 12_000_000, "currency": "CNY" }));
    assert!(doc.set_amount(&ctx, &amount, "a1").unwrap());
    assert!(!doc.set_amount(&ctx, &amount, "a2").unwrap());
    assert!(
        doc.set_expected_close(&ctx, &js(r#""2026-07-15""#), "d1")
            .unwrap()
    );
    assert!(doc.set_expected_close(&ctx, &js("null"), "d2").unwrap());
    let account = json!({
        "name": "华东电网", "industry": "能源", "size": "enterprise", "region": "华东",
        "background": "省级电网公司",
    });
    assert!(doc.set_account(&ctx, &arg(&account)).unwrap());
    let budget = json!({
        "min": { "minor": 8_000_000, "currency": "CNY" }, "confirmed": true,
        "approvalCycle": "季度预算",
    });
    assert!(doc.set_budget(&ctx, &arg(&budget)).unwrap());
    assert!(doc.set_source(&ctx, Some("referral".into())).unwrap());
    assert!(doc.set_campaign(&ctx, Some("春季展会".into())).unwrap());
    assert!(
        doc.set_deal_team_member(&ctx, "se-zhao", &js(r#""presales""#))
            .unwrap()
    );
    let next_step = js(r#"{ "action": "发送方案", "due": "2026-03-06", "owner": "se-zhao" }"#);
    assert!(doc.set_next_step(&ctx, &next_step).unwrap());
    assert!(doc.set_manual_probability(&ctx, Some(3_500)).unwrap());
    assert!(doc.set_learned_probability(&ctx, Some(2_800)).unwrap());
    assert!(
        doc.set_forecast_category(&ctx, &js(r#""best_case""#))
            .unwrap()
    );
    assert!(doc.tick_checklist(&ctx, "contract_reviewed").unwrap());

    let read = deal(&doc);
    assert_eq!(read["title"], "华东电网 CRM 二期（扩容）");
    assert_eq!(read["amount"]["minor"], 12_000_000);
    assert_eq!(read["amountChanges"][0]["from"]["minor"], 10_000_000);
    assert!(read.get("expectedClose").is_none());
    assert_eq!(read["closeDateChanges"][0]["to"], "2026-07-15");
    assert_eq!(read["closeDateChanges"][1]["from"], "2026-07-15");
    assert_eq!(read["account"]["size"], "enterprise");
    assert_eq!(read["budget"]["approvalCycle"], "季度预算");
    assert!(read["budget"].get("max").is_none());
    assert_eq!(
        (read["source"].clone(), read["campaign"].clone()),
        (json!("referral"), json!("春季展会"))
    );
    assert_eq!(
        read["dealTeam"],
        json!([{ "user": "se-zhao", "role": "presales" }])
    );
    assert_eq!(read["nextStep"]["owner"], "se-zhao");
    assert_eq!(read["probability"]["manual"]["valueBp"], 3_500);
    assert_eq!(read["probability"]["learned"]["valueBp"], 2_800);
    assert_eq!(read["forecastCategory"]["category"], "best_case");
    assert_eq!(read["checklist"][0]["criterion"], "contract_reviewed");

    // Writing back what was read changes nothing.
    assert!(!doc.set_account(&ctx, &arg(&read["account"])).unwrap());
    assert!(!doc.set_budget(&ctx, &arg(&read["budget"])).unwrap());
    assert!(
        !doc.set_next_step(&ctx, &js(&read["nextStep"].to_string()))
            .unwrap()
    );

    assert!(
        doc.set_deal_team_member(&ctx, "se-zhao", &js("null"))
            .unwrap()
    );
    assert!(doc.set_next_step(&ctx, &js("null")).unwrap());
    assert!(doc.set_manual_probability(&ctx, None).unwrap());
    assert!(doc.set_forecast_category(&ctx, &js("null")).unwrap());
    assert!(doc.untick_checklist(&ctx, "contract_reviewed").unwrap());
    assert!(doc.set_source(&ctx, None).unwrap());
    let read = deal(&doc);
    assert_eq!(read["dealTeam"], json!([]));
    for absent in ["nextStep", "forecastCategory", "source"] {
        assert!(read.get(absent).is_none(), "{absent} is cleared");
    }
    assert!(read["probability"].get("manual").is_none());

    assert_eq!(
        code(doc.set_manual_probability(&ctx, Some(10_001))),
        "probability_out_of_range"
    );
    assert_eq!(
        code(doc.set_deal_team_member(&ctx, "", &js(r#""presales""#))),
        "invalid_id"
    );
    assert_eq!(
        code(doc.set_amount(&ctx, &ts(r#"{ "minor": 1, "currency": "XYZ" }"#), "a3")),
        "unknown_currency"
    );
    assert_eq!(
        code(doc.set_amount(&ctx, &ts(r#"{ "minor": 1.5, "currency": "CNY" }"#), "a3")),
        "invalid_input"
    );
    assert_eq!(
        code(doc.set_expected_close(&ctx, &js(r#""2026-02-30""#), "d3")),
        "invalid_input"
    );
    assert_eq!(
        code(doc.set_title(&ts(r#"{ "by": "rep-li" }"#), "x")),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn text_fields_take_whole_values_and_splices() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-5");
    let ctx = edit("rep-li", 1);
    assert!(
        doc.update_text(&ctx, &ts(r#"{ "field": "needs" }"#), "统一客服平台")
            .unwrap()
    );
    doc.splice_text(&ctx, &ts(r#"{ "field": "needs" }"#), 2, 0, "的")
        .unwrap();
    assert_eq!(deal(&doc)["needs"], "统一的客服平台");
    let error = thrown(
        doc.splice_text(&ctx, &ts(r#"{ "field": "needs" }"#), 50, 1, "x")
            .unwrap_err(),
    );
    assert_eq!(error["code"], "text_range_out_of_bounds");
    assert!(
        error["messageZh"]
            .as_str()
            .unwrap()
            .contains("超出了文本长度")
    );
    assert_eq!(error["message"], error["messageEn"]);

    let follow_up = json!({ "id": "f1", "kind": "call", "at": day(1), "by": "rep-li" });
    doc.record_follow_up(&ctx, &arg(&follow_up)).unwrap();
    doc.update_text(
        &ctx,
        &ts(r#"{ "field": "follow_up_summary", "record": "f1" }"#),
        "电话沟通预算",
    )
    .unwrap();
    doc.update_text(
        &ctx,
        &ts(r#"{ "field": "account_background" }"#),
        "省级电网",
    )
    .unwrap();
    let read = deal(&doc);
    assert_eq!(read["followUps"][0]["summary"], "电话沟通预算");
    assert_eq!(read["account"]["background"], "省级电网");
    assert_eq!(
        code(doc.update_text(
            &ctx,
            &ts(r#"{ "field": "comment_text", "record": "none" }"#),
            "x"
        )),
        "unknown_record"
    );
    assert_eq!(
        code(doc.update_text(&ctx, &ts(r#"{ "field": "title" }"#), "x")),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn a_rejected_move_lists_every_problem_and_writes_nothing_then_the_move_goes_through() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-6");
    let heads = doc.heads();
    let needs = ts(r#"{ "kind": "stage", "stage": "needs" }"#);

    let checked = thrown(
        doc.check_move(&pipeline, &needs, &move_ctx(1, "t1"))
            .unwrap_err(),
    );
    let error = thrown(
        doc.move_stage(&pipeline, &needs, &move_ctx(1, "t1"))
            .unwrap_err(),
    );
    assert_eq!(error, checked);
    assert_eq!(error["code"], "move_rejected");
    let problems = error["problems"].as_array().unwrap();
    let criteria: Vec<&str> = problems
        .iter()
        .map(|problem| problem["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(criteria, ["qualify_industry", "qualify_needs"]);
    assert_eq!(problems[0]["message"]["en"], "fill in the industry");
    assert_eq!(problems[0]["message"]["zh"], "填写客户行业");
    assert_eq!(problems[0]["phase"], "exit");
    assert_eq!(problems[0]["stage"], "qualify");
    assert!(
        error["messageZh"]
            .as_str()
            .unwrap()
            .starts_with("商机 deal-6 无法变更阶段")
    );
    assert_eq!(doc.heads(), heads, "a rejected move writes nothing");

    let ctx = edit("rep-li", 1);
    let account = json!({ "name": "华东电网", "industry": "能源" });
    doc.set_account(&ctx, &arg(&account)).unwrap();
    doc.update_text(&ctx, &ts(r#"{ "field": "needs" }"#), "统一客服平台")
        .unwrap();
    let transition = out(&doc
        .check_move(&pipeline, &needs, &move_ctx(1, "t1"))
        .unwrap());
    assert_eq!(transition["kind"], "forward");
    let outcome = out(&doc
        .move_stage(&pipeline, &needs, &move_ctx(1, "t1"))
        .unwrap());
    assert_eq!(outcome["transition"]["stage"], "needs");
    assert_eq!(outcome["tasks"].as_array().unwrap().len(), 2);
    assert_eq!(deal(&doc)["stage"], "needs");
    let probability = out(&doc.effective_probability(&pipeline).unwrap());
    assert_eq!(
        probability,
        json!({ "valueBp": 2_500, "source": "stage_default" })
    );

    let lost = ts(r#"{ "kind": "lost", "reason": "no_such_reason" }"#);
    let error = thrown(
        doc.move_stage(&pipeline, &lost, &move_ctx(2, "t2"))
            .unwrap_err(),
    );
    assert_eq!(error["problems"][0]["code"], "unknown_reason");
    assert_eq!(error["problems"][0]["reason"], "no_such_reason");
    let skip = ts(r#"{ "kind": "stage", "stage": "negotiate" }"#);
    let error = thrown(
        doc.move_stage(&pipeline, &skip, &move_ctx(2, "t2"))
            .unwrap_err(),
    );
    let codes: Vec<&str> = error["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"skip_not_allowed"), "{codes:?}");
    assert_eq!(
        code(doc.move_stage(
            &pipeline,
            &ts(r#"{ "kind": "sideways" }"#),
            &move_ctx(2, "t2")
        )),
        "invalid_input"
    );
    let other = Pipeline::solution_sales();
    assert_eq!(
        code(doc.check_move(&other, &needs, &move_ctx(2, "t2"))),
        "wrong_pipeline"
    );
}

#[wasm_bindgen_test]
fn history_names_who_changed_what_and_when() {
    let pipeline = Pipeline::new_business();
    let doc = open_deal(&pipeline, "deal-7");
    doc.set_title(&edit("rep-zhang", 3), "新标题").unwrap();
    doc.set_amount(
        &edit("mgr-wang", 6),
        &ts(r#"{ "minor": 20000000, "currency": "CNY" }"#),
        "a1",
    )
    .unwrap();

    let changes = outs(&doc.changes().unwrap());
    let authors: Vec<&Value> = changes.iter().map(|change| &change["by"]).collect();
    assert_eq!(
        authors,
        [&json!("rep-li"), &json!("rep-zhang"), &json!("mgr-wang")]
    );
    assert_eq!(changes[1]["summary"], "set title");
    assert_eq!(changes[1]["at"], day(3));
    assert_eq!(changes[0]["actor"], "01".repeat(16));

    let before_title = out(&doc.read_as_of(day(1) as f64).unwrap().unwrap());
    assert_eq!(before_title["deal"]["title"], "华东电网 CRM 二期");
    assert!(doc.read_as_of((day(0) - 1) as f64).unwrap().is_none());

    let changed = outs(&doc.changes_between(day(2) as f64, day(7) as f64).unwrap());
    let title = changed
        .iter()
        .find(|change| change["path"] == "/title")
        .unwrap();
    assert_eq!(
        title["before"],
        json!({ "kind": "text", "value": "华东电网 CRM 二期" })
    );
    assert_eq!(title["after"], json!({ "kind": "text", "value": "新标题" }));
    assert_eq!(title["by"], "rep-zhang");
    assert!(title["label"]["zh"].as_str().is_some());
    let amount = changed
        .iter()
        .find(|change| change["path"] == "/amount")
        .unwrap();
    assert_eq!(amount["after"]["kind"], "money");
    assert_eq!(amount["by"], "mgr-wang");
}

#[wasm_bindgen_test]
fn replicas_merge_concurrent_edits_and_incremental_saves_carry_changes() {
    let pipeline = Pipeline::new_business();
    let laptop = open_deal(&pipeline, "deal-8");
    let phone = DealDoc::load(&laptop.save(), &actor(2)).unwrap();
    let _ = laptop.save_incremental();
    laptop
        .update_text(
            &edit("rep-li", 1),
            &ts(r#"{ "field": "needs" }"#),
            "统一客服平台",
        )
        .unwrap();
    phone.set_title(&edit("rep-zhang", 1), "扩容").unwrap();
    let laptop_changes = laptop.save_incremental();
    assert!(!laptop_changes.is_empty());
    assert!(
        laptop.save_incremental().is_empty(),
        "nothing new since the last save"
    );

    phone.load_incremental(&laptop_changes).unwrap();
    laptop.merge(&phone).unwrap();
    assert_eq!(deal(&laptop), deal(&phone));
    assert_eq!(deal(&laptop)["needs"], "统一客服平台");
    assert_eq!(deal(&laptop)["title"], "扩容");
    let mut laptop_heads = laptop.heads();
    let mut phone_heads = phone.heads();
    laptop_heads.sort();
    phone_heads.sort();
    assert_eq!(laptop_heads, phone_heads);

    let fork = laptop.fork(&actor(3)).unwrap();
    fork.set_title(&edit("rep-li", 2), "分叉").unwrap();
    assert_eq!(deal(&laptop)["title"], "扩容", "a fork is independent");
    laptop.merge(&laptop.clone()).unwrap();
}

#[wasm_bindgen_test]
fn bytes_that_are_not_a_deal_document_are_typed_errors() {
    assert_eq!(
        code(DealDoc::load(b"not automerge", &actor(1))),
        "corrupt_document"
    );
    let pipeline = Pipeline::new_business();
    let bytes = open_deal(&pipeline, "deal-9").save();
    let half = &bytes[..bytes.len() / 2];
    assert_eq!(code(DealDoc::load(half, &actor(1))), "corrupt_document");
}
