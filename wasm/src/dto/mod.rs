//! Boundary types: camelCase counterparts of core types, with generated TypeScript (tsify).
//!
//! Conventions, the same in every file of this module:
//! - money is [`Money`] (`{ minor, currency }`), never a float;
//! - calendar dates are `"YYYY-MM-DD"` strings (`IsoDate`), instants are milliseconds since the
//!   epoch (`Millis`);
//! - ids are strings, validated when they cross into core (an invalid id throws `invalid_id`);
//! - enums are snake_case string-literal unions mirrored from core's enums, converted with
//!   exhaustive `match`es so a new core variant fails to compile here until it is mirrored;
//! - records that core keys by id (contacts, tasks, …) are arrays ordered by id;
//! - optional fields may be left out on input and are `undefined` on output.
//!
//! Conversions are `From` (core → DTO) and `TryFrom` (DTO → core, failing on invalid ids,
//! currencies or ranges with the core error).

/// Declares a string-literal union mirroring a field-less core enum: the enum with its names,
/// `Serialize` and [`Named`](crate::convert::Named) (reading), and `From` both ways.
///
/// Both conversions are exhaustive `match`es, so a variant added to the core enum breaks the
/// build here until it is mirrored.
macro_rules! mirror_enum {
    (
        $(#[$meta:meta])*
        $name:ident = $core:ident {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Debug, tsify::Tsify)]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant ),+
        }

        impl crate::convert::Named for $name {
            const EXPECTED: &'static str = concat!("one of" $(, " \"", $text, "\"")+);

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }

            fn name(&self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(crate::convert::Named::name(self))
            }
        }

        impl From<$name> for dealflow_core::$core {
            fn from(value: $name) -> Self {
                match value {
                    $( $name::$variant => dealflow_core::$core::$variant ),+
                }
            }
        }

        impl From<dealflow_core::$core> for $name {
            fn from(value: dealflow_core::$core) -> Self {
                match value {
                    $( dealflow_core::$core::$variant => $name::$variant ),+
                }
            }
        }
    };
}

mod analysis;
mod attention;
mod common;
mod deal;
mod doc;
mod error;
mod forecast;
mod payment;
mod pipeline;
mod quote;
mod sync;

pub use analysis::*;
pub use attention::*;
pub use common::*;
pub use deal::*;
pub use doc::*;
pub use error::*;
pub use forecast::*;
pub use payment::*;
pub use pipeline::*;
pub use quote::*;
pub use sync::*;
