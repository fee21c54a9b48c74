//! Tests of the binding in a real wasm runtime, through its public JS-facing API: arguments
//! are written as JSON, exactly as TypeScript callers write them, and results are read back as
//! JSON.

mod deal_doc;
mod declarations;
mod payment;
mod pipeline;
mod quote;
mod repo;
mod support;
mod workspace;
