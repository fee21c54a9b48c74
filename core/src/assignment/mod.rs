//! Assignment: rules that pick an owner (or pool) for a new lead or deal, round-robin state,
//! and the follow-up SLA that reassigns neglected leads.

pub(crate) mod engine;
pub(crate) mod error;
pub(crate) mod round_robin;
pub(crate) mod rule;
pub(crate) mod sla;
