//! Lead pools (线索池 / 公海): putting leads in, claiming, returning, automatic recycling, and
//! the history of every move. Every custody change is decided by a pure function against the
//! stored lead and applied with compare-and-set on the lead's version.

pub(crate) mod command;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod history;
pub(crate) mod ledger;
