//! The customer account, budget and product lines of a deal.

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, ProductId, RecordId};
use crate::money::{Discount, Money};

/// The customer company of a deal.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Account {
    /// The account record, once the company is in the account list.
    pub id: Option<AccountId>,
    /// Company name.
    pub name: String,
    /// Industry (e.g. 制造业, 金融).
    pub industry: Option<String>,
    /// Company size band.
    pub size: Option<CompanySize>,
    /// Region (e.g. 华东).
    pub region: Option<String>,
    /// Background notes (collaborative text).
    pub background: String,
}

/// Company size by headcount.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanySize {
    /// Fewer than 20 people.
    Micro,
    /// 20–99 people.
    Small,
    /// 100–499 people.
    Medium,
    /// 500–1,999 people.
    Large,
    /// 2,000 people or more.
    Enterprise,
}

/// The customer's budget for the deal.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct Budget {
    /// Lower end of the budget range.
    pub min: Option<Money>,
    /// Upper end of the budget range.
    pub max: Option<Money>,
    /// Whether the customer has confirmed the budget.
    pub confirmed: bool,
    /// How the customer approves spending (e.g. "季度预算，总经理审批").
    pub approval_cycle: String,
}

impl Budget {
    /// Whether a range (at least one end) is known.
    pub fn has_range(&self) -> bool {
        self.min.is_some() || self.max.is_some()
    }
}

/// One product or service on a deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ProductLine {
    /// Identifier within the deal.
    pub id: RecordId,
    /// The catalogue product, when it comes from the catalogue.
    pub product_id: Option<ProductId>,
    /// Product name as shown.
    pub product: String,
    /// Quantity (positive).
    pub quantity: i64,
    /// Price per unit before discount.
    pub unit_price: Money,
    /// Line discount.
    pub discount: Discount,
}
