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
                let mut details = ErrorDetails {
                    code: error.code().as_str().to_owned(),
                    message_zh: error.localized(domain::Locale::ZhCn),
                    message_en: error.localized(domain::Locale::En),
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
