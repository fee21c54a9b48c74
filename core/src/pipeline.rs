//! Pipelines: ordered stages with win probabilities.

use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{PipelineId, StageId};
use crate::money::{Currency, Money, MoneyError};
use crate::probability::Probability;

/// A sales pipeline: an ordered list of open stages a deal moves through.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Pipeline {
    /// Identifier, unique within the organisation.
    pub id: PipelineId,
    /// Display name.
    pub name: LocalizedText,
    /// Open stages in order.
    pub stages: Vec<Stage>,
}

/// One open stage of a pipeline.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Stage {
    /// Identifier, unique within the pipeline.
    pub id: StageId,
    /// Display label.
    pub label: LocalizedText,
    /// Default win probability of a deal in this stage.
    pub probability: Probability,
}

impl Pipeline {
    /// The stage with `id`.
    pub fn stage(&self, id: &StageId) -> Result<&Stage, PipelineError> {
        self.stages
            .iter()
            .find(|stage| &stage.id == id)
            .ok_or_else(|| PipelineError::UnknownStage {
                pipeline: self.id.clone(),
                stage: id.clone(),
            })
    }

    /// Σ amount × stage probability over `deals` (stage, amount), in `currency`.
    ///
    /// ```
    /// use dealflow_core::{Currency, Money, Pipeline, StageId};
    /// let pipeline = Pipeline::template_new_business();
    /// let demo = StageId::new("demo").unwrap();
    /// let deal = (demo, Money::from_major(100_000, Currency::CNY).unwrap());
    /// let weighted = pipeline.weighted_value(&[deal], Currency::CNY).unwrap();
    /// assert_eq!(weighted, Money::from_major(40_000, Currency::CNY).unwrap());
    /// ```
    pub fn weighted_value(
        &self,
        deals: &[(StageId, Money)],
        currency: Currency,
    ) -> Result<Money, PipelineError> {
        deals
            .iter()
            .try_fold(Money::zero(currency), |total, (stage_id, amount)| {
                let stage = self.stage(stage_id)?;
                let weighted = stage.probability.weight(*amount)?;
                Ok(total.checked_add(weighted)?)
            })
    }

    /// 线索验证 → 需求分析 → 方案演示 → 谈判签约: the new-business template.
    pub fn template_new_business() -> Pipeline {
        template(
            "new_business",
            LocalizedText::new("新客户销售", "New business"),
            &[
                ("qualify", "线索验证", "Lead qualification", 10),
                ("needs", "需求分析", "Needs analysis", 25),
                ("demo", "方案演示", "Solution demo", 40),
                ("negotiate", "谈判签约", "Negotiation", 70),
            ],
        )
    }

    /// 前期洽谈 → 提报方案 → 销售报价 → 签订合同: the solution-sales template.
    pub fn template_solution_sales() -> Pipeline {
        template(
            "solution_sales",
            LocalizedText::new("方案型销售", "Solution sales"),
            &[
                ("discuss", "前期洽谈", "Initial discussion", 10),
                ("proposal", "提报方案", "Proposal", 30),
                ("quote", "销售报价", "Quotation", 60),
                ("contract", "签订合同", "Contract", 90),
            ],
        )
    }
}

fn template(id: &str, name: LocalizedText, stages: &[(&str, &str, &str, u8)]) -> Pipeline {
    Pipeline {
        id: PipelineId::new(id).expect("template ids are valid"),
        name,
        stages: stages
            .iter()
            .map(|&(id, zh_cn, en, percent)| Stage {
                id: StageId::new(id).expect("template ids are valid"),
                label: LocalizedText::new(zh_cn, en),
                probability: Probability::from_percent(percent).expect("template percent ≤ 100"),
            })
            .collect(),
    }
}

/// Errors of pipeline configuration and stage moves.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The stage is not part of the pipeline.
    #[error("stage {stage} is not part of pipeline {pipeline}: pick one of its stages")]
    UnknownStage {
        /// The pipeline.
        pipeline: PipelineId,
        /// The missing stage.
        stage: StageId,
    },
    /// Money arithmetic failed while weighting.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl PipelineError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            PipelineError::UnknownStage { .. } => ErrorCode::UnknownStage,
            PipelineError::Money(error) => error.code(),
        }
    }
}

impl Localized for PipelineError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, PipelineError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, PipelineError::UnknownStage { pipeline, stage }) => {
                format!("阶段 {stage} 不属于销售流程 {pipeline}：请选择该流程中的阶段")
            }
        }
    }
}
