//! The binding in headless Chromium (through chromedriver): the same suites as in Node, so the
//! module is checked in the engine it ships to.

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod suite;
