//! The binding in a real wasm runtime (Node by default; Chromium when configured).

use dealflow_wasm::Pipeline;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn templates_have_four_open_stages() {
    assert_eq!(Pipeline::new_business().stages().len(), 4);
    assert_eq!(Pipeline::solution_sales().stages().len(), 4);
}
