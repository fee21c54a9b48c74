//! The binding in Node (wasm-bindgen-test's default runner): every suite in `suite/`.

mod suite;
