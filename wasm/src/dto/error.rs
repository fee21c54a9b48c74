//! Error codes and the details attached to every error the binding throws.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::pipeline::{ConfigProblem, MoveProblem};

/// Defines the binding's [`ErrorCode`] from core's list of codes, plus `invalid_input`.
macro_rules! define_binding_error_code {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// The stable code of every error the library throws: each of core's `ErrorCode`s, plus
        /// `invalid_input` for arguments of the wrong shape. Switch on it, never on messages.
        ///
        /// Generated from the same list as `dealflow_core::ErrorCode`
        /// (`dealflow_core::with_error_codes!`), so the TypeScript union cannot miss a code.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Tsify)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// An argument had the wrong shape or type (a bug in the calling code).
            InvalidInput,
        }
    };
}

dealflow_core::with_error_codes!(define_binding_error_code);

/// What every thrown error carries besides `message` (which is English): a stable code, the
/// message in both languages, and for rejected moves or invalid pipelines every problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    /// The stable code.
    #[tsify(type = "ErrorCode")]
    pub code: String,
    /// The message in simplified Chinese.
    pub message_zh: String,
    /// The message in English (the same as `message`).
    pub message_en: String,
    /// For `move_rejected`: every reason the move was refused, as a checklist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<MoveProblem>>,
    /// For `invalid_pipeline`: every problem of the configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_problems: Option<Vec<ConfigProblem>>,
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, StrDeserializer};

    use super::ErrorCode;

    fn mirror(name: &str) -> Option<ErrorCode> {
        let deserializer: StrDeserializer<'_, ValueError> = name.into_deserializer();
        ErrorCode::deserialize(deserializer).ok()
    }

    #[test]
    fn every_core_code_is_in_the_typescript_union() {
        for code in dealflow_core::ErrorCode::ALL {
            assert!(
                mirror(code.as_str()).is_some(),
                "{} is missing",
                code.as_str()
            );
        }
        // The union holds core's codes and `invalid_input`, nothing else.
        let count = (0u32..)
            .take_while(|index| {
                let deserializer: serde::de::value::U32Deserializer<ValueError> =
                    index.into_deserializer();
                ErrorCode::deserialize(deserializer).is_ok()
            })
            .count();
        assert_eq!(count, dealflow_core::ErrorCode::ALL.len() + 1);
        assert_eq!(mirror("invalid_input"), Some(ErrorCode::InvalidInput));
    }
}
