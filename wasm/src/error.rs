//! The one place where core errors become JavaScript errors.

use dealflow_core::{Locale, Localized};
use wasm_bindgen::prelude::*;

/// Converts a core error into a thrown JS `Error` with `code`, `message` (English),
/// `messageZh` and `messageEn` properties.
pub(crate) fn to_js_error<E>(error: &E, code: dealflow_core::ErrorCode) -> JsValue
where
    E: Localized + std::fmt::Display,
{
    let js_error = js_sys::Error::new(&error.to_string());
    let object: &JsValue = js_error.as_ref();
    // Setting properties on a fresh Error object cannot fail, so the results are ignored.
    let _ = js_sys::Reflect::set(object, &"code".into(), &code.as_str().into());
    let _ = js_sys::Reflect::set(
        object,
        &"messageZh".into(),
        &error.localized(Locale::ZhCn).into(),
    );
    let _ = js_sys::Reflect::set(
        object,
        &"messageEn".into(),
        &error.localized(Locale::En).into(),
    );
    js_error.into()
}

/// Converts a core [`dealflow_core::Error`] into a thrown JS error.
pub(crate) fn core_error(error: &dealflow_core::Error) -> JsValue {
    to_js_error(error, error.code())
}

/// A conversion of JS input that failed (wrong shape or type).
pub(crate) fn input_error(error: &tsify::Error) -> JsValue {
    let js_error = js_sys::Error::new(&format!("invalid input: {error}"));
    let object: &JsValue = js_error.as_ref();
    let _ = js_sys::Reflect::set(object, &"code".into(), &"invalid_input".into());
    let _ = js_sys::Reflect::set(
        object,
        &"messageZh".into(),
        &format!("输入无效：{error}").into(),
    );
    let _ = js_sys::Reflect::set(
        object,
        &"messageEn".into(),
        &format!("invalid input: {error}").into(),
    );
    js_error.into()
}
