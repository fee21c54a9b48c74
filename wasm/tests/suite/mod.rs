//! Tests of the binding in a real wasm runtime, through its public JS-facing API: arguments
//! are written as JSON, exactly as TypeScript callers write them, and results are read back as
//! JSON.

#[cfg(feature = "compute")]
mod analysis;
mod deal_doc;
mod declarations;
#[cfg(feature = "compute")]
mod payment;
mod pipeline;
#[cfg(feature = "compute")]
mod quote;
mod repo;
mod support;
mod workspace;
