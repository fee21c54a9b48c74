//! The `Pipeline` class.

use dealflow_core as domain;
use tsify::Ts;

use crate::convert::{ToJs, read};
use wasm_bindgen::prelude::*;

use crate::dto::{Money, PipelineConfig, Stage, StageAmount, id};
use crate::error::JsResult;

/// A sales pipeline (销售流程): ordered stages with win probabilities, entry and exit criteria,
/// rotting thresholds and task templates. Every stage move is checked against it.
///
/// @example
/// ```ts
/// const pipeline = Pipeline.newBusiness();
/// const weighted = pipeline.weightedValue(
///   [{ stageId: "demo", amount: { minor: 10_000_000, currency: "CNY" } }],
///   "CNY",
/// );
/// // weighted.minor === 4_000_000
/// const custom = Pipeline.fromConfig({ ...pipeline.config(), id: "enterprise" });
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct Pipeline {
    inner: domain::Pipeline,
}

impl Pipeline {
    /// The core pipeline.
    pub(crate) fn core(&self) -> &domain::Pipeline {
        &self.inner
    }

    /// Wraps a core pipeline.
    pub(crate) fn wrap(inner: domain::Pipeline) -> Self {
        Pipeline { inner }
    }
}

#[wasm_bindgen]
impl Pipeline {
    /// The 线索验证 → 需求分析 → 方案演示 → 谈判签约 template.
    #[wasm_bindgen(js_name = newBusiness)]
    pub fn new_business() -> Pipeline {
        Pipeline::wrap(domain::Pipeline::template_new_business())
    }

    /// The 前期洽谈 → 提报方案 → 销售报价 → 签订合同 template.
    #[wasm_bindgen(js_name = solutionSales)]
    pub fn solution_sales() -> Pipeline {
        Pipeline::wrap(domain::Pipeline::template_solution_sales())
    }

    /// A pipeline from its configuration, checked: throws `invalid_pipeline` with every
    /// problem in `configProblems`.
    #[wasm_bindgen(js_name = fromConfig)]
    pub fn from_config(config: &Ts<PipelineConfig>) -> JsResult<Pipeline> {
        let pipeline = read::<domain::Pipeline, _>(config, "config")?;
        pipeline.validate()?;
        Ok(Pipeline::wrap(pipeline))
    }

    /// The pipeline's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id.to_string()
    }

    /// The whole configuration.
    pub fn config(&self) -> JsResult<Ts<PipelineConfig>> {
        PipelineConfig::from(self.inner.clone()).to_js()
    }

    /// The open stages in order.
    pub fn stages(&self) -> JsResult<Vec<Ts<Stage>>> {
        self.inner
            .stages
            .iter()
            .map(|stage| Stage::from(stage.clone()).to_js())
            .collect()
    }

    /// The stage with `stageId`; throws `unknown_stage`.
    pub fn stage(&self, #[wasm_bindgen(js_name = stageId)] stage_id: &str) -> JsResult<Ts<Stage>> {
        let stage = self.inner.stage(&id(stage_id.to_owned())?)?;
        Stage::from(stage.clone()).to_js()
    }

    /// Σ amount × stage probability in `currency`; throws on an unknown stage or currency, or
    /// amounts in another currency.
    #[wasm_bindgen(js_name = weightedValue)]
    pub fn weighted_value(
        &self,
        deals: Vec<Ts<StageAmount>>,
        #[wasm_bindgen(unchecked_param_type = "CurrencyCode")] currency: &str,
    ) -> JsResult<Ts<Money>> {
        let items = deals
            .into_iter()
            .map(|deal| read::<(domain::StageId, domain::Money), _>(&deal, "deals[]"))
            .collect::<JsResult<Vec<_>>>()?;
        let currency: domain::Currency = currency.parse()?;
        let weighted = self.inner.weighted_value(&items, currency)?;
        Money::from(weighted).to_js()
    }
}
