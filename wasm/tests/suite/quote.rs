//! `Quote`: commands decided by version, approval levels, totals, and data round trips.

use dealflow_wasm::Quote;
use serde_json::{Value, json};
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{arg, code, day, out, thrown, ts};

fn policy() -> Value {
    json!({ "thresholds": [ { "aboveBp": 1_000, "level": 1 }, { "aboveBp": 2_000, "level": 2 } ] })
}

fn as_user(user: &str, level: u8, n: i64) -> Value {
    json!({ "user": user, "level": level, "now": day(n), "utcOffsetMinutes": 480 })
}

fn command(quote: &Quote, action: &Value) -> Value {
    json!({ "expectedVersion": quote.version(), "action": action })
}

fn seats() -> Value {
    json!({
        "id": "l1",
        "name": { "zh": "CRM 用户许可（年）", "en": "CRM user licence (year)" },
        "unit": { "zh": "用户/年", "en": "user/year" },
        "quantity": 100,
        "price": { "kind": "custom", "unitPrice": { "minor": 100_000, "currency": "CNY" } },
        "discountBp": 1_500,
        "taxRateBp": 1_300,
    })
}

#[wasm_bindgen_test]
fn a_discounted_quote_goes_through_approval_by_compare_and_set() {
    let new = json!({
        "id": "q-1", "deal": "deal-1", "owner": "rep-li", "currency": "CNY",
        "validUntil": "2026-03-31", "taxBasis": "exclusive",
    });
    let mut quote = Quote::create(&arg(&new), day(0) as f64).unwrap();
    assert_eq!(quote.version(), 1.0);
    let rep = as_user("rep-li", 0, 1);
    let edit = command(
        &quote,
        &json!({ "action": "edit", "edit": { "edit": "set_line", "line": seats() } }),
    );
    let event = out(&quote
        .decide(&arg(&edit), &arg(&policy()), &arg(&rep))
        .unwrap());
    assert_eq!(event["event"]["kind"], "edited");
    let submit = command(&quote, &json!({ "action": "submit" }));
    let event = out(&quote
        .decide(&arg(&submit), &arg(&policy()), &arg(&rep))
        .unwrap());
    assert_eq!(
        event["event"],
        json!({ "kind": "submitted", "requiredLevel": 1 })
    );

    // 100 × 1,000.00 = 100,000.00; 15 % off = 85,000.00; VAT 13 % = 11,050.00.
    let totals = out(&quote.totals().unwrap());
    assert_eq!(totals["net"]["minor"], 8_500_000);
    assert_eq!(totals["tax"]["minor"], 1_105_000);
    assert_eq!(totals["total"]["minor"], 9_605_000);
    assert_eq!(totals["discountBp"], 1_500);

    let stale = json!({ "expectedVersion": 1, "action": { "action": "approve" } });
    let manager = as_user("mgr-wang", 1, 2);
    let error = thrown(
        quote
            .decide(&arg(&stale), &arg(&policy()), &arg(&manager))
            .unwrap_err(),
    );
    assert_eq!(error["code"], "stale_quote");
    assert!(error["messageZh"].as_str().is_some());
    let by_rep = command(&quote, &json!({ "action": "approve" }));
    assert_eq!(
        code(quote.decide(&arg(&by_rep), &arg(&policy()), &arg(&rep))),
        "self_approval"
    );
    let approve = command(&quote, &json!({ "action": "approve", "comment": "同意" }));
    quote
        .decide(&arg(&approve), &arg(&policy()), &arg(&manager))
        .unwrap();
    let data = out(&quote.data().unwrap());
    assert_eq!(data["status"], "approved");
    assert_eq!(data["decision"]["by"], "mgr-wang");
    assert_eq!(
        out(&quote.status_at(day(40) as f64, 480).unwrap()),
        json!("expired")
    );

    // The data round-trips, so a quote the server sends can be rebuilt exactly.
    let rebuilt = Quote::from_data(&arg(&data)).unwrap();
    assert_eq!(out(&rebuilt.data().unwrap()), data);
    let revised = quote.revise("q-2", "rep-li", day(3) as f64).unwrap();
    let revised = out(&revised.data().unwrap());
    assert_eq!(
        (revised["revision"].clone(), revised["previous"].clone()),
        (json!(2), json!("q-1"))
    );
}

#[wasm_bindgen_test]
fn malformed_commands_and_data_are_typed_errors() {
    let new = ts(
        r#"{ "id": "q-1", "deal": "deal-1", "owner": "rep-li", "currency": "CNY", "validUntil": "2026-03-31", "taxBasis": "gross" }"#,
    );
    assert_eq!(code(Quote::create(&new, 0.0)), "invalid_input");
    let new = ts(
        r#"{ "id": "q-1", "deal": "deal-1", "owner": "rep-li", "currency": "CNY", "validUntil": "2026-03-31", "taxBasis": "inclusive" }"#,
    );
    let mut quote = Quote::create(&new, 0.0).unwrap();
    let bad = ts(r#"{ "expectedVersion": 1, "action": { "action": "dance" } }"#);
    assert_eq!(
        code(quote.decide(&bad, &arg(&policy()), &arg(&as_user("rep-li", 0, 1)))),
        "invalid_input"
    );
    let empty = ts(r#"{ "expectedVersion": 1, "action": { "action": "submit" } }"#);
    assert_eq!(
        code(quote.decide(&empty, &arg(&policy()), &arg(&as_user("rep-li", 0, 1)))),
        "empty_quote"
    );
}
