//! Boundary types: camelCase counterparts of core types, with generated TypeScript.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// An amount of money: integer minor units and an ISO 4217 code.
#[derive(Clone, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MoneyDto {
    /// Minor units (fen for CNY).
    pub minor: i64,
    /// ISO 4217 code, e.g. `"CNY"`.
    pub currency: String,
}

impl From<dealflow_core::Money> for MoneyDto {
    fn from(money: dealflow_core::Money) -> Self {
        MoneyDto {
            minor: money.minor(),
            currency: money.currency().code().to_owned(),
        }
    }
}

impl TryFrom<MoneyDto> for dealflow_core::Money {
    type Error = dealflow_core::Error;

    fn try_from(dto: MoneyDto) -> Result<Self, Self::Error> {
        let currency: dealflow_core::Currency = dto.currency.parse()?;
        Ok(dealflow_core::Money::new(dto.minor, currency))
    }
}

/// An open deal's stage and amount, for a weighted total.
#[derive(Clone, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StageAmountDto {
    /// Stage id within the pipeline.
    pub stage_id: String,
    /// Deal amount.
    pub amount: MoneyDto,
}

/// A stage as shown to users.
#[derive(Clone, Debug, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StageDto {
    /// Stage id.
    pub id: String,
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// Default win probability in basis points.
    pub probability_bp: u16,
}

impl From<&dealflow_core::Stage> for StageDto {
    fn from(stage: &dealflow_core::Stage) -> Self {
        StageDto {
            id: stage.id.to_string(),
            label_zh: stage.label.zh_cn.clone(),
            label_en: stage.label.en.clone(),
            probability_bp: stage.probability.basis_points(),
        }
    }
}
