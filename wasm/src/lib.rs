//! Browser binding of `dealflow-core`.
//!
//! Each export converts its arguments, makes one core call and converts the result or the
//! error. Business rules live in core; this crate only translates. Classes: [`DealDoc`],
//! [`Pipeline`], [`Workspace`], [`Quote`], [`PaymentPlan`], [`Repo`] (the
//! sync client); boundary types in [`dto`]; every
//! failure becomes a JS `Error` in [`error`].
#![warn(missing_docs)]

mod convert;
mod deal_doc;
pub mod dto;
pub mod error;
mod payment;
mod pipeline;
mod quote;
mod repo;
mod workspace;

pub use deal_doc::DealDoc;
pub use payment::PaymentPlan;
pub use pipeline::Pipeline;
pub use quote::Quote;
pub use repo::Repo;
pub use workspace::Workspace;
