//! Errors of contracts and signing.

use std::fmt;

use time::Date;

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{ContractId, DealId, IdError, QuoteId};
use crate::pipeline::PipelineError;
use crate::quote::{QuoteError, QuoteStatus};

/// Errors of contracts and signing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// Contracts are made only from accepted quotes.
    #[error("quote {quote} is {}: only an accepted quote becomes a contract", status.label().en)]
    QuoteNotAccepted {
        /// The quote.
        quote: QuoteId,
        /// Its status.
        status: QuoteStatus,
    },
    /// The contract is incomplete or inconsistent; every problem is listed.
    #[error("contract {contract} is invalid: {}", join(problems))]
    Invalid {
        /// The contract.
        contract: ContractId,
        /// What is wrong.
        problems: Vec<ContractProblem>,
    },
    /// The contract is already signed.
    #[error("contract {contract} is already signed")]
    AlreadySigned {
        /// The contract.
        contract: ContractId,
    },
    /// Signing without a reference to the signed file.
    #[error("signing contract {contract} needs the signed file: upload it and give its reference")]
    SignedFileMissing {
        /// The contract.
        contract: ContractId,
    },
    /// A signing date after today.
    #[error("contract {contract} cannot be signed on {signed_on}, which is in the future")]
    SigningDateInFuture {
        /// The contract.
        contract: ContractId,
        /// The date given.
        signed_on: Date,
    },
    /// The contract belongs to another deal.
    #[error("contract {contract} belongs to deal {expected}, not {actual}")]
    WrongDeal {
        /// The contract.
        contract: ContractId,
        /// The contract's deal.
        expected: DealId,
        /// The deal given.
        actual: DealId,
    },
    /// Marking the deal won failed; a rejected move lists every unmet criterion.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The quote's totals could not be computed.
    #[error(transparent)]
    Quote(#[from] QuoteError),
    /// A derived record id was invalid (e.g. the transition id is too long to derive from).
    #[error(transparent)]
    Id(#[from] IdError),
}

impl ContractError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ContractError::QuoteNotAccepted { .. } => ErrorCode::QuoteNotAccepted,
            ContractError::Invalid { .. } => ErrorCode::InvalidContract,
            ContractError::AlreadySigned { .. } => ErrorCode::ContractAlreadySigned,
            ContractError::SignedFileMissing { .. } | ContractError::SigningDateInFuture { .. } => {
                ErrorCode::InvalidSigning
            }
            ContractError::WrongDeal { .. } => ErrorCode::WrongDeal,
            ContractError::Pipeline(error) => error.code(),
            ContractError::Quote(error) => error.code(),
            ContractError::Id(error) => error.code(),
        }
    }
}

impl Localized for ContractError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, ContractError::Pipeline(error)) => error.localized(locale),
            (_, ContractError::Quote(error)) => error.localized(locale),
            (_, ContractError::Id(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, ContractError::QuoteNotAccepted { quote, status }) => format!(
                "报价单 {quote} 处于“{}”状态：只有客户已接受的报价才能生成合同",
                status.label().zh_cn
            ),
            (Locale::ZhCn, ContractError::Invalid { contract, problems }) => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|problem| problem.localized(Locale::ZhCn))
                    .collect();
                format!("合同 {contract} 信息有误：{}", problems.join("；"))
            }
            (Locale::ZhCn, ContractError::AlreadySigned { contract }) => {
                format!("合同 {contract} 已签署")
            }
            (Locale::ZhCn, ContractError::SignedFileMissing { contract }) => {
                format!("签署合同 {contract} 须提供已签署的合同文件：请上传并填写文件引用")
            }
            (
                Locale::ZhCn,
                ContractError::SigningDateInFuture {
                    contract,
                    signed_on,
                },
            ) => format!("合同 {contract} 的签署日期 {signed_on} 晚于今天"),
            (
                Locale::ZhCn,
                ContractError::WrongDeal {
                    contract,
                    expected,
                    actual,
                },
            ) => format!("合同 {contract} 属于商机 {expected}，而非 {actual}"),
        }
    }
}

fn join(problems: &[ContractProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}

/// One problem of a contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractProblem {
    /// The contract number is empty.
    EmptyNumber,
    /// No party is the buyer.
    NoBuyer,
    /// No party is the seller.
    NoSeller,
    /// A party has no name.
    UnnamedParty,
    /// The amount is zero or negative.
    AmountNotPositive,
    /// The status says signed without a signing record, or the reverse (corrupt input).
    SigningMismatch,
}

impl fmt::Display for ContractProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for ContractProblem {
    fn localized(&self, locale: Locale) -> String {
        let (zh_cn, en) = match self {
            ContractProblem::EmptyNumber => ("请填写合同编号", "fill in the contract number"),
            ContractProblem::NoBuyer => ("请添加买方", "add the buyer as a party"),
            ContractProblem::NoSeller => ("请添加卖方", "add the seller as a party"),
            ContractProblem::UnnamedParty => ("每个签约方都须填写名称", "every party needs a name"),
            ContractProblem::AmountNotPositive => {
                ("合同金额须大于零", "the contract amount must be above zero")
            }
            ContractProblem::SigningMismatch => (
                "签署状态与签署记录不一致",
                "the signed status and the signing record disagree",
            ),
        };
        match locale {
            Locale::ZhCn => zh_cn.to_owned(),
            Locale::En => en.to_owned(),
        }
    }
}
