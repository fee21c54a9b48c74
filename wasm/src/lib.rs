//! Browser binding of `dealflow-core`.
//!
//! Each export converts its arguments, makes one core call and converts the result or the
//! error. Business rules live in core; this crate only translates.
#![warn(missing_docs)]

mod dto;
mod error;
mod pipeline;

pub use pipeline::Pipeline;
