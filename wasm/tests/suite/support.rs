//! Helpers: JSON in, JSON out, errors as the objects JS sees.

use dealflow_wasm::error::Failure;
use dealflow_wasm::{DealDoc, Pipeline};
use serde_json::Value;
use tsify::{Ts, Tsify};
use wasm_bindgen::{JsCast, JsValue};

/// A JS value from JSON text.
pub(crate) fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON is valid")
}

/// A typed argument from JSON text.
pub(crate) fn ts<T: Tsify>(json: &str) -> Ts<T> {
    Ts::new_unchecked(js(json))
}

/// A typed argument from a serde_json value.
pub(crate) fn arg<T: Tsify>(value: &Value) -> Ts<T> {
    ts(&value.to_string())
}

/// Any JS value as JSON.
pub(crate) fn to_json(value: &JsValue) -> Value {
    let text: String = js_sys::JSON::stringify(value)
        .expect("results are JSON")
        .into();
    serde_json::from_str(&text).expect("stringify gives JSON")
}

/// A typed result as JSON.
pub(crate) fn out<T: Tsify>(value: &Ts<T>) -> Value {
    to_json(&value.js_value())
}

/// A list of typed results as JSON.
pub(crate) fn outs<T: Tsify>(values: &[Ts<T>]) -> Vec<Value> {
    values.iter().map(out).collect()
}

/// The error a failure becomes in JS: checks it is a real `Error` named `DealflowError` and
/// returns its fields (`code`, `messageZh`, `messageEn`, `problems`, …) plus `message`.
pub(crate) fn thrown(failure: Failure) -> Value {
    let value = JsValue::from(failure);
    let error: &js_sys::Error = value
        .dyn_ref()
        .expect("failures are thrown as Error objects");
    assert_eq!(String::from(error.name()), "DealflowError");
    let mut fields = to_json(&value);
    fields["message"] = Value::String(error.message().into());
    fields
}

/// The error code a result failed with.
pub(crate) fn code<T: std::fmt::Debug>(result: Result<T, Failure>) -> String {
    let failure = result.expect_err("the call must fail");
    thrown(failure)["code"]
        .as_str()
        .expect("every error has a code")
        .to_owned()
}

/// Milliseconds of day `n` after 2026-03-02 00:00 in UTC+8.
pub(crate) fn day(n: i64) -> i64 {
    1_772_380_800_000 + n * 86_400_000
}

/// `{ by, now }` for an edit on day `n`.
pub(crate) fn edit(by: &str, n: i64) -> Ts<dealflow_wasm::dto::EditContext> {
    arg(&serde_json::json!({ "by": by, "now": day(n) }))
}

/// A move context on day `n` with a transition id.
pub(crate) fn move_ctx(n: i64, transition: &str) -> Ts<dealflow_wasm::dto::MoveContext> {
    arg(&serde_json::json!({
        "by": "rep-li",
        "now": day(n),
        "utcOffsetMinutes": 480,
        "transitionId": transition,
    }))
}

/// A replica's actor id.
pub(crate) fn actor(byte: u8) -> Vec<u8> {
    vec![byte; 16]
}

/// A new-business deal `id` opened on day 0 by rep-li, for ¥100,000.00.
pub(crate) fn open_deal(pipeline: &Pipeline, id: &str) -> DealDoc {
    let new = arg(&serde_json::json!({
        "id": id,
        "title": "华东电网 CRM 二期",
        "account": { "name": "华东电网" },
        "amount": { "minor": 10_000_000, "currency": "CNY" },
        "expectedClose": "2026-06-30",
        "owner": "rep-li",
        "source": "trade_show",
    }));
    DealDoc::open(pipeline, &new, &move_ctx(0, &format!("{id}-t0")), &actor(1))
        .expect("the first stage has no entry criteria")
}

/// The deal of a document, as JSON.
pub(crate) fn deal(doc: &DealDoc) -> Value {
    out(&doc.read().expect("the document reads"))["deal"].clone()
}
