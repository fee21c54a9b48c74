//! The `PaymentPlan` class.

use dealflow_core as domain;
use tsify::Ts;

use crate::convert::{ToJs, read};
use wasm_bindgen::prelude::*;

use crate::dto::{CollectionStatus, PaymentPlanData, Receipt, id};
use crate::error::JsResult;

/// A payment plan (收款计划): instalments summing exactly to the contract amount, the receipts
/// (回款) recorded against them, and collection figures as of any day.
///
/// @example
/// ```ts
/// const plan = PaymentPlan.fromData(data); // throws when instalments do not sum to the total
/// const today = plan.collection("2026-05-01");
/// console.log(today.received, today.outstanding, today.overdue.days0To30);
/// ```
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct PaymentPlan {
    inner: domain::PaymentPlan,
}

#[wasm_bindgen]
impl PaymentPlan {
    /// A plan from its data, checked: instalments sum to the total, receipts match them.
    #[wasm_bindgen(js_name = fromData)]
    pub fn from_data(data: &Ts<PaymentPlanData>) -> JsResult<PaymentPlan> {
        let plan = read::<domain::PaymentPlan, _>(data, "data")?;
        plan.validate()?;
        Ok(PaymentPlan { inner: plan })
    }

    /// The plan's data.
    pub fn data(&self) -> JsResult<Ts<PaymentPlanData>> {
        PaymentPlanData::from(self.inner.clone()).to_js()
    }

    /// Records a receipt; recording the same receipt again changes nothing.
    #[wasm_bindgen(js_name = recordReceipt)]
    pub fn record_receipt(&mut self, receipt: &Ts<Receipt>) -> JsResult<()> {
        let receipt = read::<domain::Receipt, _>(receipt, "receipt")?;
        Ok(self.inner.record_receipt(receipt)?)
    }

    /// Removes a receipt recorded by mistake; throws `unknown_receipt`.
    #[wasm_bindgen(js_name = removeReceipt)]
    pub fn remove_receipt(&mut self, receipt: &str) -> JsResult<Ts<Receipt>> {
        let removed = self.inner.remove_receipt(&id(receipt.to_owned())?)?;
        Receipt::from(removed).to_js()
    }

    /// Received, outstanding, credit and overdue ageing as of `asOf` (`"YYYY-MM-DD"`): receipts
    /// dated later are not counted yet.
    pub fn collection(
        &self,
        #[wasm_bindgen(js_name = asOf, unchecked_param_type = "IsoDate")] as_of: &JsValue,
    ) -> JsResult<Ts<CollectionStatus>> {
        let as_of = crate::convert::read_date(as_of, "asOf")?;
        CollectionStatus::from(self.inner.collection(as_of)?).to_js()
    }
}
