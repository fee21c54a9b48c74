//! Leads (线索): the record and its life cycle, CSV import, duplicate detection and conversion.

pub(crate) mod column;
pub(crate) mod conversion;
pub(crate) mod duplicate;
pub(crate) mod error;
pub(crate) mod import;
pub(crate) mod normalize;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod source;
