//! The one place where failures become JavaScript errors.
//!
//! Every export returns `Result<_, Failure>`; wasm-bindgen throws the `Failure` as a real JS
//! `Error` (name `DealflowError`) whose `message` is English and which carries the fields of
//! [`ErrorDetails`]: `code` (the `ErrorCode` union), `messageZh`, `messageEn`, and for a rejected
//! stage move every problem as a checklist (`problems`), for an invalid pipeline every
//! configuration problem (`configProblems`).

use dealflow_core as domain;
use dealflow_core::Localized;
use wasm_bindgen::prelude::*;

use crate::dto::{ConfigProblem, ErrorDetails, MoveProblem};

/// Why a binding call failed: a core error, or input of the wrong shape from JavaScript.
#[derive(Debug)]
pub enum Failure {
    /// Core refused: carries the stable code and both messages.
    Core(domain::Error),
    /// An argument could not be converted (wrong shape, type or range).
    Input(String),
}

macro_rules! from_core_error {
    ($($error:ty),+ $(,)?) => {
        $(
            impl From<$error> for Failure {
                fn from(error: $error) -> Self {
                    Failure::Core(error.into())
                }
            }
        )+
    };
}

from_core_error!(
    domain::Error,
    domain::IdError,
    domain::MoneyError,
    domain::ProbabilityError,
    domain::PipelineError,
    domain::DocError,
    domain::DealError,
    domain::QuoteError,
    domain::PaymentError,
    domain::sync::SyncError,
);

impl From<tsify::Error> for Failure {
    fn from(error: tsify::Error) -> Self {
        Failure::Input(error.to_string())
    }
}

impl From<crate::dto::InvalidOffset> for Failure {
    fn from(error: crate::dto::InvalidOffset) -> Self {
        Failure::Input(format!(
            "a UTC offset of {} minutes is out of range: give whole minutes within ±25 hours",
            error.minutes
        ))
    }
}

impl Failure {
    /// The code, both messages and any problems, as thrown.
    pub(crate) fn details(&self) -> ErrorDetails {
        match self {
            Failure::Core(error) => {
                let (message_zh, message_en) = messages(error);
                let mut details = ErrorDetails {
                    code: error.code().as_str().to_owned(),
                    message_zh,
                    message_en,
                    problems: None,
                    config_problems: None,
                };
                if let domain::Error::Pipeline(pipeline) = error {
                    match pipeline {
                        domain::PipelineError::MoveRejected(rejected) => {
                            details.problems =
                                Some(rejected.problems.iter().map(MoveProblem::from).collect());
                        }
                        domain::PipelineError::Invalid { problems, .. } => {
                            details.config_problems =
                                Some(problems.iter().map(ConfigProblem::from).collect());
                        }
                        _ => {}
                    }
                }
                details
            }
            Failure::Input(reason) => ErrorDetails {
                code: "invalid_input".to_owned(),
                message_zh: format!("参数格式不正确（{reason}）：请检查调用代码"),
                message_en: format!("invalid input ({reason}): check the calling code"),
                problems: None,
                config_problems: None,
            },
        }
    }
}

/// The zh-CN and English messages of a core error.
///
/// With the compute feature, any area's error can reach here, so every area's messages are
/// linked (`Error::localized`).
#[cfg(feature = "compute")]
fn messages(error: &domain::Error) -> (String, String) {
    (
        error.localized(domain::Locale::ZhCn),
        error.localized(domain::Locale::En),
    )
}

/// The zh-CN and English messages of a core error.
///
/// The main module alone (no compute feature) exports documents, pipelines, deal editing and
/// the sync client, whose errors come from the areas matched here; `Error::localized` would
/// link the messages of every core area (quotes, contracts, payments, leads, pools, forecasts,
/// analytics…), about 25 KB the main module never shows. An error of another area cannot reach
/// this module's exports; should one ever do, it still carries its code and a message naming
/// it.
#[cfg(not(feature = "compute"))]
fn messages(error: &domain::Error) -> (String, String) {
    let area: &dyn Localized = match error {
        domain::Error::Id(error) => error,
        domain::Error::Money(error) => error,
        domain::Error::Probability(error) => error,
        domain::Error::Pipeline(error) => error,
        domain::Error::Doc(error) => error,
        domain::Error::Deal(error) => error,
        domain::Error::Sync(error) => error,
        _ => {
            let code = error.code().as_str();
            return (
                format!(
                    "操作失败（错误代码 {code}）：该错误属于计算模块的功能，请在计算模块中调用"
                ),
                format!(
                    "the operation failed with error code {code}: this error belongs to the compute module's features, call them there"
                ),
            );
        }
    };
    (
        area.localized(domain::Locale::ZhCn),
        area.localized(domain::Locale::En),
    )
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> Self {
        let details = failure.details();
        let error = js_sys::Error::new(&details.message_en);
        error.set_name("DealflowError");
        // The details are plain data; should they fail to convert, the error still carries its
        // English message and is thrown.
        if let Ok(fields) = crate::convert::to_value(&details) {
            let _ = js_sys::Object::assign(error.as_ref(), fields.unchecked_ref());
        }
        error.into()
    }
}

/// The result of every export.
pub(crate) type JsResult<T> = Result<T, Failure>;

#[cfg(test)]
mod tests {
    use dealflow_core as domain;
    use dealflow_core::Localized;

    use super::Failure;

    #[test]
    fn errors_of_the_main_module_areas_carry_both_messages() {
        let error = domain::DocError::Corrupt {
            what: "document",
            reason: "bad magic".to_owned(),
        };
        let details = Failure::from(error.clone()).details();
        assert_eq!(details.code, "corrupt_document");
        assert_eq!(details.message_zh, error.localized(domain::Locale::ZhCn));
        assert_eq!(details.message_en, error.to_string());
        assert_ne!(details.message_zh, details.message_en);
    }

    #[test]
    fn errors_of_other_areas_keep_their_code() {
        let error = domain::Error::from(domain::ScoreError::ScoreOutOfRange { points: 120 });
        let details = Failure::Core(error.clone()).details();
        assert_eq!(details.code, "score_out_of_range");
        // The full messages where the module links every area; a message naming the code where
        // the main module does not (see `messages`).
        if cfg!(feature = "compute") {
            assert_eq!(details.message_en, error.to_string());
            assert_eq!(details.message_zh, error.localized(domain::Locale::ZhCn));
        } else {
            assert!(details.message_en.contains("score_out_of_range"));
            assert!(details.message_zh.contains("score_out_of_range"));
        }
    }
}
