//! Browser binding of `dealflow-core`.
//!
//! Each export converts its arguments, makes one core call and converts the result or the
//! error. Business rules live in core; this crate only translates. Boundary types are in
//! [`dto`]; every failure becomes a JS `Error` in [`error`].
//!
//! The crate builds two browser modules, chosen by cargo feature, so that the page loads only
//! what it needs to edit and sync, and heavy computations run in a Web Worker:
//! - `documents` (default), the main module: [`DealDoc`], [`Pipeline`], [`Workspace`] (the
//!   deals a page holds, attention lists and deal health) and [`Repo`] (the sync client);
//! - `compute`, the compute module: `Analysis` (the four forecast models, the Monte Carlo
//!   range, targets and the funnel) over a `Workspace::snapshot` of the deals, and the
//!   self-contained `Quote` and `PaymentPlan`. Built alone it links no Automerge code.
#![warn(missing_docs)]
// Conversions shared by both modules are partly unused when one module is built alone.
#![cfg_attr(
    not(all(feature = "documents", feature = "compute")),
    allow(dead_code, unused_imports)
)]

#[cfg(feature = "compute")]
mod analysis;
mod convert;
#[cfg(feature = "documents")]
mod deal_doc;
pub mod dto;
pub mod error;
#[cfg(feature = "compute")]
mod payment;
#[cfg(feature = "documents")]
mod pipeline;
#[cfg(feature = "compute")]
mod quote;
#[cfg(feature = "documents")]
mod repo;
mod snapshot;
#[cfg(feature = "documents")]
mod workspace;

#[cfg(feature = "compute")]
pub use analysis::Analysis;
#[cfg(feature = "documents")]
pub use deal_doc::DealDoc;
#[cfg(feature = "compute")]
pub use payment::PaymentPlan;
#[cfg(feature = "documents")]
pub use pipeline::Pipeline;
#[cfg(feature = "compute")]
pub use quote::Quote;
#[cfg(feature = "documents")]
pub use repo::Repo;
#[cfg(feature = "documents")]
pub use workspace::Workspace;
