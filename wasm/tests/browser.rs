//! The binding in headless Chromium (through chromedriver): the same suites as in Node, so the
//! module is checked in the engine it ships to.

// The suites drive documents; the compute suite (with `--features compute`) also needs them
// to make its snapshots.
#![cfg(feature = "documents")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod suite;
