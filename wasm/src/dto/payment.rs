//! Payment plans (收款计划), receipts (回款) and collection figures.

use dealflow_core as domain;
use serde::Serialize;
use tsify::Tsify;

use wasm_bindgen::JsValue;

use super::common::{Money, id};
use crate::convert::{Fields, FromJs, iso_date};
use crate::error::JsResult;

mirror_enum! {
    /// How much of an instalment has arrived.
    InstalmentState = InstalmentState {
        /// Nothing received (未回款).
        Unpaid = "unpaid",
        /// Some received (部分回款).
        PartlyPaid = "partly_paid",
        /// Fully received (已回款).
        Paid = "paid",
    }
}

/// How long an amount is overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
pub enum AgeBucket {
    /// 1–30 days past due.
    #[serde(rename = "days_0_30")]
    Days0To30,
    /// 31–60 days past due.
    #[serde(rename = "days_31_60")]
    Days31To60,
    /// 61–90 days past due.
    #[serde(rename = "days_61_90")]
    Days61To90,
    /// More than 90 days past due.
    #[serde(rename = "over_90")]
    Over90,
}

impl From<domain::AgeBucket> for AgeBucket {
    fn from(bucket: domain::AgeBucket) -> Self {
        match bucket {
            domain::AgeBucket::Days0To30 => AgeBucket::Days0To30,
            domain::AgeBucket::Days31To60 => AgeBucket::Days31To60,
            domain::AgeBucket::Days61To90 => AgeBucket::Days61To90,
            domain::AgeBucket::Over90 => AgeBucket::Over90,
        }
    }
}

/// One agreed payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Instalment {
    /// Identifier within the plan.
    pub id: String,
    /// What it is for (首付款, 验收款, 尾款, …).
    pub label: String,
    /// When it is due.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub due: time::Date,
    /// How much is due (positive).
    pub amount: Money,
}

/// Money received from the customer against an instalment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Identifier within the plan.
    pub id: String,
    /// The instalment it pays.
    pub instalment: String,
    /// How much arrived.
    pub amount: Money,
    /// The value date of the payment.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub received_on: time::Date,
    /// Bank reference or voucher number.
    #[serde(default)]
    pub reference: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    #[tsify(type = "Millis")]
    pub recorded_at: i64,
}

impl From<domain::Receipt> for Receipt {
    fn from(receipt: domain::Receipt) -> Self {
        Receipt {
            id: receipt.id.into(),
            instalment: receipt.instalment.into(),
            amount: receipt.amount.into(),
            received_on: receipt.received_on,
            reference: receipt.reference,
            recorded_by: receipt.recorded_by.into(),
            recorded_at: receipt.recorded_at.millis(),
        }
    }
}

impl FromJs for domain::Receipt {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Receipt {
            id: id(fields.text("id")?)?,
            instalment: id(fields.text("instalment")?)?,
            amount: fields.value("amount")?,
            received_on: fields.date("receivedOn")?,
            reference: fields.text_or_empty("reference")?,
            recorded_by: id(fields.text("recordedBy")?)?,
            recorded_at: domain::Timestamp::from_millis(fields.integer("recordedAt")?),
        })
    }
}

/// The instalments of a contract and the receipts recorded against them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPlanData {
    /// The contract.
    pub contract: String,
    /// The contract amount; the instalments sum to it exactly.
    pub total: Money,
    /// Instalments, in the order agreed.
    pub instalments: Vec<Instalment>,
    /// Receipts, ordered by id.
    #[serde(default)]
    pub receipts: Vec<Receipt>,
}

impl From<domain::PaymentPlan> for PaymentPlanData {
    fn from(plan: domain::PaymentPlan) -> Self {
        PaymentPlanData {
            contract: plan.contract.into(),
            total: plan.total.into(),
            instalments: plan
                .instalments
                .into_iter()
                .map(|instalment| Instalment {
                    id: instalment.id.into(),
                    label: instalment.label,
                    due: instalment.due,
                    amount: instalment.amount.into(),
                })
                .collect(),
            receipts: plan.receipts.into_values().map(Receipt::from).collect(),
        }
    }
}

impl FromJs for domain::Instalment {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        Ok(domain::Instalment {
            id: id(fields.text("id")?)?,
            label: fields.text_or_empty("label")?,
            due: fields.date("due")?,
            amount: fields.value("amount")?,
        })
    }
}

impl FromJs for domain::PaymentPlan {
    fn from_js(value: &JsValue, what: &str) -> JsResult<Self> {
        let fields = Fields::of(value, what)?;
        let receipts: Vec<domain::Receipt> = fields.values("receipts")?;
        let mut plan = domain::PaymentPlan {
            contract: id(fields.text("contract")?)?,
            total: fields.value("total")?,
            instalments: fields.values("instalments")?,
            receipts: std::collections::BTreeMap::new(),
        };
        // Through core's own rule, so two different receipts under one id are an error rather
        // than one silently replacing the other.
        for receipt in receipts {
            plan.record_receipt(receipt)?;
        }
        Ok(plan)
    }
}

/// Overdue amounts by age bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct AgeBuckets {
    /// 1–30 days past due.
    #[serde(rename = "days0To30")]
    pub days_0_30: Money,
    /// 31–60 days past due.
    #[serde(rename = "days31To60")]
    pub days_31_60: Money,
    /// 61–90 days past due.
    #[serde(rename = "days61To90")]
    pub days_61_90: Money,
    /// More than 90 days past due.
    #[serde(rename = "over90")]
    pub over_90: Money,
}

/// The collection status of one instalment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct InstalmentStatus {
    /// The instalment.
    pub id: String,
    /// Its due date.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub due: time::Date,
    /// Its amount.
    pub amount: Money,
    /// Received against it, up to its amount.
    pub received: Money,
    /// Still to be received.
    pub outstanding: Money,
    /// Received beyond its amount.
    pub credit: Money,
    /// Days since the due date while something is outstanding; 0 when not overdue.
    pub days_past_due: i64,
    /// The age bucket when overdue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<AgeBucket>,
    /// Paid, partly paid or unpaid.
    pub state: InstalmentState,
}

/// The collection status of a plan on a day: `received + outstanding = total`, credit on top.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CollectionStatus {
    /// The day the figures are for.
    #[tsify(type = "IsoDate")]
    #[serde(serialize_with = "iso_date")]
    pub as_of: time::Date,
    /// The contract amount.
    pub total: Money,
    /// Received and applied to instalments.
    pub received: Money,
    /// Still to be received.
    pub outstanding: Money,
    /// Over-payment, not applied to anything.
    pub credit: Money,
    /// The overdue part of `outstanding`, by age.
    pub overdue: AgeBuckets,
    /// Each instalment's figures, in plan order.
    pub instalments: Vec<InstalmentStatus>,
}

impl From<domain::CollectionStatus> for CollectionStatus {
    fn from(status: domain::CollectionStatus) -> Self {
        CollectionStatus {
            as_of: status.as_of,
            total: status.total.into(),
            received: status.received.into(),
            outstanding: status.outstanding.into(),
            credit: status.credit.into(),
            overdue: AgeBuckets {
                days_0_30: status.overdue.days_0_30.into(),
                days_31_60: status.overdue.days_31_60.into(),
                days_61_90: status.overdue.days_61_90.into(),
                over_90: status.overdue.over_90.into(),
            },
            instalments: status
                .instalments
                .into_iter()
                .map(|instalment| InstalmentStatus {
                    id: instalment.id.into(),
                    due: instalment.due,
                    amount: instalment.amount.into(),
                    received: instalment.received.into(),
                    outstanding: instalment.outstanding.into(),
                    credit: instalment.credit.into(),
                    days_past_due: instalment.days_past_due,
                    bucket: instalment.bucket.map(AgeBucket::from),
                    state: instalment.state.into(),
                })
                .collect(),
        }
    }
}
