//! The organisation: company, nested teams, members and roles; who may see what; handing a
//! departing rep's work over.

pub(crate) mod error;
pub(crate) mod organisation;
pub(crate) mod ownership;
pub(crate) mod transfer;
pub(crate) mod visibility;
