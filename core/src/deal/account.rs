//! The customer account, budget and product lines of a deal.

use serde::{Deserialize, Serialize};

use crate::deal::DealError;
use crate::id::{AccountId, ProductId, RecordId};
use crate::money::{Discount, Money, MoneyError};

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

impl ProductLine {
    /// `unit_price × quantity` less the discount, rounded once, half away from zero.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.discount
            .apply(self.unit_price.checked_mul(self.quantity)?)
    }
}

impl crate::deal::Deal {
    /// Adds a product line: the id must be new, the quantity positive, the unit price not
    /// negative and in the deal amount's currency, and the totals must fit in 64 bits.
    ///
    /// The deal amount is not changed: it is the rep's expected contract value, which may
    /// include services not itemised. Compare it with [`Deal::product_total`](crate::Deal::product_total).
    pub fn add_product_line(&mut self, line: ProductLine) -> Result<(), DealError> {
        if self.product_lines.contains_key(&line.id) {
            return Err(DealError::DuplicateId {
                id: line.id.to_string(),
            });
        }
        if line.quantity <= 0 {
            return Err(DealError::InvalidQuantity {
                line: line.id,
                quantity: line.quantity,
            });
        }
        if line.unit_price.is_negative() {
            return Err(DealError::NegativePrice {
                line: line.id,
                price: line.unit_price,
            });
        }
        let deal_currency = self.amount.currency();
        if line.unit_price.currency() != deal_currency {
            return Err(DealError::CurrencyMismatch {
                line: line.id,
                deal_currency,
                line_currency: line.unit_price.currency(),
            });
        }
        self.product_total()?.checked_add(line.total()?)?;
        self.product_lines.insert(line.id.clone(), line);
        Ok(())
    }

    /// Removes a product line.
    pub fn remove_product_line(&mut self, line: &RecordId) -> Option<ProductLine> {
        self.product_lines.remove(line)
    }

    /// The sum of the product lines' totals, in the deal amount's currency (zero without
    /// lines). Errors when a line is priced in another currency (possible after the amount's
    /// currency changed, or after merging edits) or a total overflows.
    pub fn product_total(&self) -> Result<Money, DealError> {
        let deal_currency = self.amount.currency();
        self.product_lines
            .values()
            .try_fold(Money::zero(deal_currency), |sum, line| {
                if line.unit_price.currency() != deal_currency {
                    return Err(DealError::CurrencyMismatch {
                        line: line.id.clone(),
                        deal_currency,
                        line_currency: line.unit_price.currency(),
                    });
                }
                Ok(sum.checked_add(line.total()?)?)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deal::Deal;
    use crate::fixture::{cny, open, record};
    use crate::money::Currency;
    use crate::pipeline::Pipeline;

    fn deal() -> Deal {
        open(&Pipeline::template_new_business())
    }

    fn line(id: &str, quantity: i64, unit_price: Money, discount_bp: u16) -> ProductLine {
        ProductLine {
            id: record(id),
            product_id: None,
            product: "CRM 许可".into(),
            quantity,
            unit_price,
            discount: Discount::from_basis_points(discount_bp).unwrap(),
        }
    }

    #[test]
    fn line_totals_round_once_after_the_discount() {
        // 3 × 19.99 = 59.97, less 15 % = 50.9745 → 50.97.
        let total = line("p", 3, Money::new(1_999, Currency::CNY), 1_500).total();
        assert_eq!(total, Ok(Money::new(5_097, Currency::CNY)));
    }

    #[test]
    fn product_lines_are_checked_and_summed() {
        let mut deal = deal();
        deal.add_product_line(line("p1", 10, cny(5_000), 1_000))
            .unwrap();
        deal.add_product_line(line("p2", 1, cny(20_000), 0))
            .unwrap();
        assert_eq!(deal.product_total(), Ok(cny(65_000)));

        let before = deal.clone();
        assert_eq!(
            deal.add_product_line(line("p1", 1, cny(1), 0)),
            Err(DealError::DuplicateId { id: "p1".into() })
        );
        assert_eq!(
            deal.add_product_line(line("p3", 0, cny(1), 0)),
            Err(DealError::InvalidQuantity {
                line: record("p3"),
                quantity: 0
            })
        );
        assert_eq!(
            deal.add_product_line(line("p3", -2, cny(1), 0)),
            Err(DealError::InvalidQuantity {
                line: record("p3"),
                quantity: -2
            })
        );
        assert_eq!(
            deal.add_product_line(line("p3", 1, cny(-1), 0)),
            Err(DealError::NegativePrice {
                line: record("p3"),
                price: cny(-1)
            })
        );
        let usd = Money::from_major(100, Currency::USD).unwrap();
        assert_eq!(
            deal.add_product_line(line("p3", 1, usd, 0)),
            Err(DealError::CurrencyMismatch {
                line: record("p3"),
                deal_currency: Currency::CNY,
                line_currency: Currency::USD
            })
        );
        let huge = Money::new(i64::MAX / 2, Currency::CNY);
        assert_eq!(
            deal.add_product_line(line("p3", 3, huge, 0)),
            Err(DealError::Money(MoneyError::Overflow))
        );
        assert_eq!(deal, before, "refused lines change nothing");

        // A line that no longer matches the deal's currency (e.g. after a merge) is reported.
        deal.amount = Money::from_major(10_000, Currency::USD).unwrap();
        assert!(matches!(
            deal.product_total(),
            Err(DealError::CurrencyMismatch { .. })
        ));
        assert!(deal.remove_product_line(&record("p1")).is_some());
    }
}
