//! Quote lines: priced from the catalogue, at a custom price, or ad hoc.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{QuoteError, TaxRate};
use crate::catalog::{Catalog, CatalogError, PricedLine, Product};
use crate::i18n::LocalizedText;
use crate::id::{ProductId, RecordId};
use crate::money::{Currency, Discount, Money, MoneyError};

/// One line of a quote.
///
/// The line keeps a snapshot of its catalogue price ([`PricedLine`]), so a quote does not change
/// when the catalogue does; [`Quote::verify_prices`](crate::Quote::verify_prices) checks a
/// snapshot against the catalogue.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct QuoteLine {
    /// Identifier within the quote (also the product line id when synced to the deal).
    pub id: RecordId,
    /// The catalogue product, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<ProductId>,
    /// The SKU, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// What is sold, in both languages.
    pub name: LocalizedText,
    /// Unit of sale, in both languages.
    pub unit: LocalizedText,
    /// Units (at least 1).
    pub quantity: i64,
    /// How the line is priced.
    pub price: LinePrice,
    /// Line discount, applied before the quote's discount.
    #[serde(default)]
    pub discount: Discount,
    /// Tax rate of the line.
    #[serde(default)]
    pub tax_rate: TaxRate,
}

/// How a quote line is priced.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LinePrice {
    /// The catalogue price.
    Catalog {
        /// The priced line, as the catalogue gave it.
        priced: PricedLine,
    },
    /// A price set by hand: `unit_price × quantity`.
    Custom {
        /// Price of one unit.
        unit_price: Money,
        /// The catalogue price for the same quantity, when the product is in the catalogue; it is
        /// the reference the discount is measured against.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        catalog: Option<PricedLine>,
    },
}

impl QuoteLine {
    /// A line at the catalogue price of `quantity` units of `product` on `date`.
    ///
    /// Name, unit, SKU and tax rate come from the product.
    pub fn from_catalog(
        id: RecordId,
        catalog: &Catalog,
        product: &ProductId,
        quantity: i64,
        date: Date,
    ) -> Result<QuoteLine, CatalogError> {
        let priced = catalog.price(product, quantity, date)?;
        let product = catalog.product(product)?;
        Ok(QuoteLine::for_product(
            id,
            product,
            quantity,
            LinePrice::Catalog { priced },
        ))
    }

    /// A catalogue product at a price set by hand; the catalogue price is kept as the reference
    /// the discount is measured against, so a price below it counts towards approval.
    pub fn custom_price(
        id: RecordId,
        catalog: &Catalog,
        product: &ProductId,
        quantity: i64,
        date: Date,
        unit_price: Money,
    ) -> Result<QuoteLine, QuoteError> {
        let priced = catalog.price(product, quantity, date)?;
        let product = catalog.product(product)?;
        let price = LinePrice::Custom {
            unit_price,
            catalog: Some(priced),
        };
        let line = QuoteLine::for_product(id, product, quantity, price);
        line.check(catalog.currency)?;
        Ok(line)
    }

    fn for_product(id: RecordId, product: &Product, quantity: i64, price: LinePrice) -> Self {
        QuoteLine {
            id,
            product: Some(product.id.clone()),
            sku: Some(product.sku.clone()),
            name: product.name.clone(),
            unit: product.unit.clone(),
            quantity,
            price,
            discount: Discount::NONE,
            tax_rate: product.tax_rate,
        }
    }

    /// A line for something that is not in the catalogue (custom development, travel, …).
    pub fn ad_hoc(
        id: RecordId,
        name: LocalizedText,
        unit: LocalizedText,
        quantity: i64,
        unit_price: Money,
        tax_rate: TaxRate,
    ) -> Result<QuoteLine, QuoteError> {
        let line = QuoteLine {
            id,
            product: None,
            sku: None,
            name,
            unit,
            quantity,
            price: LinePrice::Custom {
                unit_price,
                catalog: None,
            },
            discount: Discount::NONE,
            tax_rate,
        };
        line.check(unit_price.currency())?;
        Ok(line)
    }

    /// The same line with a line discount.
    pub fn with_discount(mut self, discount: Discount) -> QuoteLine {
        self.discount = discount;
        self
    }

    /// The line amount before discounts: the catalogue amount, or unit price × quantity.
    pub fn gross(&self) -> Result<Money, MoneyError> {
        match &self.price {
            LinePrice::Catalog { priced } => Ok(priced.amount),
            LinePrice::Custom { unit_price, .. } => unit_price.checked_mul(self.quantity),
        }
    }

    /// What the line would cost at the standard price: the catalogue amount when the product
    /// is in the catalogue, else the gross amount. Discounts are measured against it.
    pub fn reference(&self) -> Result<Money, MoneyError> {
        match &self.price {
            LinePrice::Catalog { priced }
            | LinePrice::Custom {
                catalog: Some(priced),
                ..
            } => Ok(priced.amount),
            LinePrice::Custom { catalog: None, .. } => self.gross(),
        }
    }

    /// The catalogue snapshot of the line, if it has one.
    pub fn catalog_price(&self) -> Option<&PricedLine> {
        match &self.price {
            LinePrice::Catalog { priced }
            | LinePrice::Custom {
                catalog: Some(priced),
                ..
            } => Some(priced),
            LinePrice::Custom { catalog: None, .. } => None,
        }
    }

    /// Checks the line on its own: positive quantity, every amount in `currency` and not
    /// negative, and a catalogue snapshot for the same product and quantity.
    pub(crate) fn check(&self, currency: Currency) -> Result<(), QuoteError> {
        if self.quantity <= 0 {
            return Err(CatalogError::InvalidQuantity {
                quantity: self.quantity,
            }
            .into());
        }
        let mut amounts = vec![self.gross()?];
        if let LinePrice::Custom { unit_price, .. } = &self.price {
            amounts.push(*unit_price);
        }
        if let Some(priced) = self.catalog_price() {
            if priced.quantity != self.quantity || self.product.as_ref() != Some(&priced.product) {
                return Err(QuoteError::InconsistentLine {
                    line: self.id.clone(),
                });
            }
            amounts.extend([priced.amount, priced.list_amount, priced.unit_price]);
        }
        for amount in amounts {
            if amount.currency() != currency {
                return Err(MoneyError::CurrencyMismatch {
                    expected: currency,
                    found: amount.currency(),
                }
                .into());
            }
            if amount.is_negative() {
                return Err(QuoteError::NegativePrice {
                    line: self.id.clone(),
                });
            }
        }
        Ok(())
    }
}
