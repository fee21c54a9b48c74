//! `PaymentPlan`: checked data, receipts, and collection figures as of a day.

use dealflow_wasm::PaymentPlan;
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{arg, code, day, js, out};

fn plan() -> Value {
    let cny = |minor: i64| json!({ "minor": minor, "currency": "CNY" });
    json!({
        "contract": "c-1",
        "total": cny(9_605_000),
        "instalments": [
            { "id": "p1", "label": "首付款", "due": "2026-03-15", "amount": cny(2_881_500) },
            { "id": "p2", "label": "验收款", "due": "2026-06-30", "amount": cny(5_763_000) },
            { "id": "p3", "label": "尾款", "due": "2027-03-31", "amount": cny(960_500) },
        ],
    })
}

fn receipt(id: &str, minor: i64, on: &str) -> Value {
    json!({
        "id": id, "instalment": "p1", "amount": { "minor": minor, "currency": "CNY" },
        "receivedOn": on, "recordedBy": "fin-zhao", "recordedAt": day(40),
    })
}

#[wasm_bindgen_test]
fn collection_figures_age_what_is_overdue() {
    let mut plan = PaymentPlan::from_data(&arg(&plan())).unwrap();
    plan.record_receipt(&arg(&receipt("r1", 2_000_000, "2026-03-14")))
        .unwrap();
    plan.record_receipt(&arg(&receipt("r2", 881_500, "2026-04-20")))
        .unwrap();
    // Recording the same receipt again changes nothing; another one under its id is refused.
    plan.record_receipt(&arg(&receipt("r2", 881_500, "2026-04-20")))
        .unwrap();
    assert_eq!(
        code(plan.record_receipt(&arg(&receipt("r2", 1, "2026-04-21")))),
        "invalid_receipt"
    );

    let april = out(&plan.collection(&js(r#""2026-04-01""#)).unwrap());
    assert_eq!(april["asOf"], "2026-04-01");
    assert_eq!(april["received"]["minor"], 2_000_000);
    assert_eq!(april["overdue"]["days0To30"]["minor"], 881_500);
    assert_eq!(april["instalments"][0]["state"], "partly_paid");
    assert_eq!(april["instalments"][0]["bucket"], "days_0_30");
    let may = out(&plan.collection(&js(r#""2026-05-01""#)).unwrap());
    assert_eq!(may["received"]["minor"], 2_881_500);
    assert_eq!(may["outstanding"]["minor"], 6_723_500);
    assert_eq!(may["instalments"][0]["state"], "paid");
    assert!(may["instalments"][0].get("bucket").is_none());

    let removed = out(&plan.remove_receipt("r2").unwrap());
    assert_eq!(removed["receivedOn"], "2026-04-20");
    assert_eq!(code(plan.remove_receipt("r2")), "unknown_receipt");
    let data = out(&plan.data().unwrap());
    assert_eq!(
        out(&PaymentPlan::from_data(&arg(&data)).unwrap().data().unwrap()),
        data
    );
    assert_eq!(
        code(plan.collection(&js(r#""01/05/2026""#))),
        "invalid_input"
    );
}

#[wasm_bindgen_test]
fn a_plan_whose_instalments_do_not_sum_is_refused() {
    let mut bad = plan();
    bad["instalments"][2]["amount"]["minor"] = json!(1);
    assert_eq!(
        code(PaymentPlan::from_data(&arg(&bad))),
        "instalments_do_not_sum"
    );
}
