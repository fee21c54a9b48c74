//! The `Pipeline` class.

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::dto::{MoneyDto, StageAmountDto, StageDto};
use crate::error::{core_error, input_error};

/// A sales pipeline: ordered stages with win probabilities.
///
/// @example
/// ```ts
/// const pipeline = Pipeline.newBusiness();
/// const weighted = pipeline.weightedValue(
///   [{ stageId: "demo", amount: { minor: 10_000_000, currency: "CNY" } }],
///   "CNY",
/// );
/// // weighted.minor === 4_000_000
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Pipeline {
    inner: dealflow_core::Pipeline,
}

#[wasm_bindgen]
impl Pipeline {
    /// The 线索验证 → 需求分析 → 方案演示 → 谈判签约 template.
    #[wasm_bindgen(js_name = newBusiness)]
    pub fn new_business() -> Pipeline {
        Pipeline {
            inner: dealflow_core::Pipeline::template_new_business(),
        }
    }

    /// The 前期洽谈 → 提报方案 → 销售报价 → 签订合同 template.
    #[wasm_bindgen(js_name = solutionSales)]
    pub fn solution_sales() -> Pipeline {
        Pipeline {
            inner: dealflow_core::Pipeline::template_solution_sales(),
        }
    }

    /// The open stages in order.
    pub fn stages(&self) -> Vec<Ts<StageDto>> {
        self.inner
            .stages
            .iter()
            .map(|stage| StageDto::from(stage).into_ts())
            .filter_map(Result::ok)
            .collect()
    }

    /// Σ amount × stage probability, in `currency`; throws on an unknown stage or currency.
    #[wasm_bindgen(js_name = weightedValue)]
    pub fn weighted_value(
        &self,
        deals: Vec<Ts<StageAmountDto>>,
        currency: &str,
    ) -> Result<Ts<MoneyDto>, JsValue> {
        let mut items = Vec::with_capacity(deals.len());
        for deal in deals {
            let deal = deal.to_rust().map_err(|error| input_error(&error))?;
            let stage = dealflow_core::StageId::new(deal.stage_id)
                .map_err(|error| core_error(&error.into()))?;
            let amount =
                dealflow_core::Money::try_from(deal.amount).map_err(|error| core_error(&error))?;
            items.push((stage, amount));
        }
        let currency: dealflow_core::Currency = currency
            .parse()
            .map_err(|error: dealflow_core::MoneyError| core_error(&error.into()))?;
        let weighted = self
            .inner
            .weighted_value(&items, currency)
            .map_err(|error| core_error(&error.into()))?;
        MoneyDto::from(weighted)
            .into_ts()
            .map_err(|error| input_error(&error))
    }
}
