//! The binding in Node (wasm-bindgen-test's default runner): every suite in `suite/`.

// The suites drive documents; the compute suite (with `--features compute`) also needs them
// to make its snapshots.
#![cfg(feature = "documents")]

mod suite;
