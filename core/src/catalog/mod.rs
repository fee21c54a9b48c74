//! The product catalogue (产品目录): products with list prices, volume tiers, bundles and
//! promotions, and the one pricing function quotes use ([`Catalog::price`]).

mod error;
mod price;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

pub use error::{CatalogError, CatalogProblem};
pub use price::{PriceBand, PriceRule, PricedLine};

use crate::i18n::LocalizedText;
use crate::id::{ProductId, PromotionId};
use crate::money::{Currency, Discount, Money};
use crate::quote::TaxRate;

/// A price book: products and promotions, all priced in one currency.
///
/// ```
/// use dealflow_core::*;
/// use time::macros::date;
///
/// let mut catalog = Catalog::new(Currency::CNY);
/// catalog.insert_product(Product {
///     volume_pricing: Some(VolumePricing {
///         mode: TierMode::AllUnits,
///         tiers: vec![PriceTier { min_quantity: 100, unit_price: Money::from_major(90, Currency::CNY)? }],
///     }),
///     ..Product::new(
///         ProductId::new("crm-seat")?,
///         "CRM-SEAT",
///         LocalizedText::new("CRM 用户许可", "CRM user licence"),
///         LocalizedText::new("用户/年", "user/year"),
///         Money::from_major(100, Currency::CNY)?,
///     )
/// });
/// catalog.validate()?;
///
/// let line = catalog.price(&ProductId::new("crm-seat")?, 120, date!(2026 - 03 - 01))?;
/// assert_eq!(line.amount, Money::from_major(10_800, Currency::CNY)?); // 120 × 90
/// assert_eq!(line.explanation().en, "volume price: 100 or more, every unit at 90.00 CNY");
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Catalog {
    /// The currency of every price in the catalogue.
    pub currency: Currency,
    /// Products, keyed by id.
    #[serde(default)]
    pub products: BTreeMap<ProductId, Product>,
    /// Promotions, keyed by id.
    #[serde(default)]
    pub promotions: BTreeMap<PromotionId, Promotion>,
}

/// A product or service that can be quoted.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Product {
    /// Identifier.
    pub id: ProductId,
    /// Stock-keeping unit, unique within the catalogue (e.g. `CRM-SEAT-Y`).
    pub sku: String,
    /// Name in both languages.
    pub name: LocalizedText,
    /// Unit of sale in both languages (套 / set, 用户/年 / user/year, 人天 / person-day).
    pub unit: LocalizedText,
    /// Price of one unit before any rule.
    pub list_price: Money,
    /// Tax rate of the product (e.g. 13 % for software, 6 % for services under Chinese VAT).
    #[serde(default)]
    pub tax_rate: TaxRate,
    /// Volume tiers, if the unit price falls with the quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_pricing: Option<VolumePricing>,
    /// Components when the product is a bundle (套餐); empty for a plain product.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundle: Vec<BundleComponent>,
    /// Whether the product can be quoted; discontinued products stay for old quotes.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// Tiers of unit prices by quantity.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct VolumePricing {
    /// How tiers combine.
    pub mode: TierMode,
    /// Tiers in ascending order of `min_quantity`; the list price applies below the first.
    pub tiers: Vec<PriceTier>,
}

/// How volume tiers combine.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierMode {
    /// Each unit is priced by the tier it falls in (分段累计).
    Graduated,
    /// The tier reached by the whole quantity prices every unit (全量阶梯).
    AllUnits,
}

/// One volume tier: from `min_quantity` units on, a unit costs `unit_price`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PriceTier {
    /// The first quantity the tier applies to (at least 2: quantity 1 is the list price).
    pub min_quantity: i64,
    /// The unit price within the tier.
    pub unit_price: Money,
}

/// A product contained in a bundle.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct BundleComponent {
    /// The component product (a plain product, not a bundle).
    pub product: ProductId,
    /// Units of it in one bundle.
    pub quantity: i64,
}

/// A price offer valid for some products in a date range.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Promotion {
    /// Identifier.
    pub id: PromotionId,
    /// Name in both languages (e.g. 年中大促 / Mid-year sale).
    pub name: LocalizedText,
    /// The products it applies to.
    pub products: BTreeSet<ProductId>,
    /// First day it applies, in the organisation's time zone.
    pub valid_from: Date,
    /// Last day it applies (inclusive).
    pub valid_until: Date,
    /// Smallest quantity the offer needs.
    #[serde(default = "one")]
    pub min_quantity: i64,
    /// What the customer gets.
    pub offer: PromotionOffer,
}

fn one() -> i64 {
    1
}

/// What a promotion gives.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PromotionOffer {
    /// A percentage off the list price.
    PercentOff {
        /// The discount.
        discount: Discount,
    },
    /// A fixed promotional unit price.
    UnitPrice {
        /// The price of one unit.
        price: Money,
    },
}

impl Catalog {
    /// An empty catalogue in `currency`.
    pub fn new(currency: Currency) -> Self {
        Catalog {
            currency,
            products: BTreeMap::new(),
            promotions: BTreeMap::new(),
        }
    }

    /// Adds or replaces a product, keyed by its id.
    pub fn insert_product(&mut self, product: Product) {
        self.products.insert(product.id.clone(), product);
    }

    /// Adds or replaces a promotion, keyed by its id.
    pub fn insert_promotion(&mut self, promotion: Promotion) {
        self.promotions.insert(promotion.id.clone(), promotion);
    }

    /// The product with `id`.
    pub fn product(&self, id: &ProductId) -> Result<&Product, CatalogError> {
        self.products
            .get(id)
            .ok_or_else(|| CatalogError::UnknownProduct {
                product: id.clone(),
            })
    }

    /// Checks the whole catalogue and lists every problem: prices in the catalogue's currency
    /// and not negative, unique non-empty SKUs, complete names, ascending tiers, bundles of
    /// known plain products, promotions with a sensible date range.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CatalogError::Invalid { problems })
        }
    }

    fn problems(&self) -> Vec<CatalogProblem> {
        let mut problems = Vec::new();
        let mut skus = BTreeSet::new();
        for (key, product) in &self.products {
            if *key != product.id {
                problems.push(CatalogProblem::KeyMismatch {
                    key: key.to_string(),
                    id: product.id.to_string(),
                });
            }
            let at = product.id.to_string();
            let sku = product.sku.trim();
            if sku.is_empty() {
                problems.push(CatalogProblem::EmptySku {
                    product: product.id.clone(),
                });
            } else if !skus.insert(sku) {
                problems.push(CatalogProblem::DuplicateSku {
                    sku: sku.to_owned(),
                });
            }
            if product.name.is_incomplete() || product.unit.is_incomplete() {
                problems.push(CatalogProblem::IncompleteText { at: at.clone() });
            }
            self.check_price(&at, product.list_price, &mut problems);
            if let Some(volume) = &product.volume_pricing {
                self.check_tiers(product, volume, &mut problems);
            }
            self.check_bundle(product, &mut problems);
        }
        for (key, promotion) in &self.promotions {
            if *key != promotion.id {
                problems.push(CatalogProblem::KeyMismatch {
                    key: key.to_string(),
                    id: promotion.id.to_string(),
                });
            }
            self.check_promotion(promotion, &mut problems);
        }
        problems
    }

    fn check_price(&self, at: &str, price: Money, problems: &mut Vec<CatalogProblem>) {
        if price.currency() != self.currency {
            problems.push(CatalogProblem::WrongCurrency {
                at: at.to_owned(),
                expected: self.currency,
                found: price.currency(),
            });
        }
        if price.is_negative() {
            problems.push(CatalogProblem::NegativePrice { at: at.to_owned() });
        }
    }

    fn check_tiers(
        &self,
        product: &Product,
        volume: &VolumePricing,
        problems: &mut Vec<CatalogProblem>,
    ) {
        if volume.tiers.is_empty() {
            problems.push(CatalogProblem::NoTiers {
                product: product.id.clone(),
            });
        }
        let mut previous = 1;
        for tier in &volume.tiers {
            if tier.min_quantity <= previous {
                problems.push(CatalogProblem::TierOrder {
                    product: product.id.clone(),
                    min_quantity: tier.min_quantity,
                });
            }
            previous = previous.max(tier.min_quantity);
            let at = format!("{} ≥ {}", product.id, tier.min_quantity);
            self.check_price(&at, tier.unit_price, problems);
        }
    }

    fn check_bundle(&self, product: &Product, problems: &mut Vec<CatalogProblem>) {
        let mut seen = BTreeSet::new();
        for component in &product.bundle {
            let problem = if component.product == product.id {
                Some(CatalogProblem::BundleContainsItself {
                    bundle: product.id.clone(),
                })
            } else if !seen.insert(&component.product) {
                Some(CatalogProblem::DuplicateComponent {
                    bundle: product.id.clone(),
                    component: component.product.clone(),
                })
            } else {
                match self.products.get(&component.product) {
                    None => Some(CatalogProblem::UnknownComponent {
                        bundle: product.id.clone(),
                        component: component.product.clone(),
                    }),
                    Some(inner) if !inner.bundle.is_empty() => Some(CatalogProblem::NestedBundle {
                        bundle: product.id.clone(),
                        component: component.product.clone(),
                    }),
                    Some(_) => None,
                }
            };
            problems.extend(problem);
            if component.quantity <= 0 {
                problems.push(CatalogProblem::ComponentQuantity {
                    bundle: product.id.clone(),
                    component: component.product.clone(),
                    quantity: component.quantity,
                });
            }
        }
    }

    fn check_promotion(&self, promotion: &Promotion, problems: &mut Vec<CatalogProblem>) {
        let at = promotion.id.to_string();
        if promotion.name.is_incomplete() {
            problems.push(CatalogProblem::IncompleteText { at: at.clone() });
        }
        if promotion.valid_until < promotion.valid_from {
            problems.push(CatalogProblem::PromotionEndsBeforeStart {
                promotion: promotion.id.clone(),
            });
        }
        if promotion.products.is_empty() {
            problems.push(CatalogProblem::PromotionWithoutProducts {
                promotion: promotion.id.clone(),
            });
        }
        for product in &promotion.products {
            if !self.products.contains_key(product) {
                problems.push(CatalogProblem::PromotionUnknownProduct {
                    promotion: promotion.id.clone(),
                    product: product.clone(),
                });
            }
        }
        if promotion.min_quantity < 1 {
            problems.push(CatalogProblem::PromotionMinQuantity {
                promotion: promotion.id.clone(),
                min_quantity: promotion.min_quantity,
            });
        }
        if let PromotionOffer::UnitPrice { price } = promotion.offer {
            self.check_price(&at, price, problems);
        }
    }
}

impl Product {
    /// A plain, active product at `list_price` with no tiers, no components and a zero tax rate.
    pub fn new(
        id: ProductId,
        sku: impl Into<String>,
        name: LocalizedText,
        unit: LocalizedText,
        list_price: Money,
    ) -> Self {
        Product {
            id,
            sku: sku.into(),
            name,
            unit,
            list_price,
            tax_rate: TaxRate::ZERO,
            volume_pricing: None,
            bundle: Vec::new(),
            active: true,
        }
    }

    /// Whether the product is a bundle of other products.
    pub fn is_bundle(&self) -> bool {
        !self.bundle.is_empty()
    }
}

impl Promotion {
    /// Whether the promotion applies to `quantity` units of `product` on `date`.
    pub fn applies(&self, product: &ProductId, quantity: i64, date: Date) -> bool {
        self.products.contains(product)
            && self.valid_from <= date
            && date <= self.valid_until
            && quantity >= self.min_quantity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cny(major: i64) -> Money {
        Money::from_major(major, Currency::CNY).unwrap()
    }

    fn product(id: &str, sku: &str, price: i64) -> Product {
        Product::new(
            ProductId::new(id).unwrap(),
            sku,
            LocalizedText::new("产品", "product"),
            LocalizedText::new("套", "set"),
            cny(price),
        )
    }

    #[test]
    fn a_clean_catalogue_validates() {
        let mut catalog = Catalog::new(Currency::CNY);
        catalog.insert_product(product("a", "A", 100));
        catalog.insert_product(product("b", "B", 50));
        catalog.insert_product(Product {
            bundle: vec![
                BundleComponent {
                    product: ProductId::new("a").unwrap(),
                    quantity: 1,
                },
                BundleComponent {
                    product: ProductId::new("b").unwrap(),
                    quantity: 2,
                },
            ],
            ..product("ab", "AB", 180)
        });
        assert_eq!(catalog.validate(), Ok(()));
    }

    #[test]
    fn every_problem_is_listed() {
        let mut catalog = Catalog::new(Currency::CNY);
        catalog.insert_product(product("a", "A", 100));
        catalog.insert_product(Product {
            list_price: Money::new(-1, Currency::USD),
            volume_pricing: Some(VolumePricing {
                mode: TierMode::Graduated,
                tiers: vec![
                    PriceTier {
                        min_quantity: 10,
                        unit_price: cny(9),
                    },
                    PriceTier {
                        min_quantity: 10,
                        unit_price: cny(8),
                    },
                ],
            }),
            ..product("b", "A", 1)
        });
        catalog.insert_product(Product {
            bundle: vec![
                BundleComponent {
                    product: ProductId::new("c").unwrap(),
                    quantity: 0,
                },
                BundleComponent {
                    product: ProductId::new("zz").unwrap(),
                    quantity: 1,
                },
            ],
            ..product("c", "C", 1)
        });
        catalog.insert_promotion(Promotion {
            id: PromotionId::new("p").unwrap(),
            name: LocalizedText::new("促销", ""),
            products: BTreeSet::from([ProductId::new("nope").unwrap()]),
            valid_from: date!(2026 - 02 - 01),
            valid_until: date!(2026 - 01 - 01),
            min_quantity: 0,
            offer: PromotionOffer::UnitPrice { price: cny(-1) },
        });
        let Err(CatalogError::Invalid { problems }) = catalog.validate() else {
            panic!("the catalogue is invalid");
        };
        let codes: Vec<&str> = problems.iter().map(CatalogProblem::code).collect();
        assert_eq!(
            codes,
            [
                "duplicate_sku",
                "wrong_currency",
                "negative_price",
                "tier_order",
                "bundle_contains_itself",
                "component_quantity",
                "unknown_component",
                "incomplete_text",
                "promotion_ends_before_start",
                "promotion_unknown_product",
                "promotion_min_quantity",
                "negative_price",
            ]
        );
    }

    #[test]
    fn promotions_apply_inclusively() {
        let promotion = Promotion {
            id: PromotionId::new("p").unwrap(),
            name: LocalizedText::new("促销", "sale"),
            products: BTreeSet::from([ProductId::new("a").unwrap()]),
            valid_from: date!(2026 - 06 - 01),
            valid_until: date!(2026 - 06 - 18),
            min_quantity: 5,
            offer: PromotionOffer::PercentOff {
                discount: Discount::from_basis_points(1_000).unwrap(),
            },
        };
        let a = ProductId::new("a").unwrap();
        assert!(promotion.applies(&a, 5, date!(2026 - 06 - 01)));
        assert!(promotion.applies(&a, 5, date!(2026 - 06 - 18)));
        assert!(!promotion.applies(&a, 5, date!(2026 - 06 - 19)));
        assert!(!promotion.applies(&a, 5, date!(2026 - 05 - 31)));
        assert!(!promotion.applies(&a, 4, date!(2026 - 06 - 10)));
        assert!(!promotion.applies(&ProductId::new("b").unwrap(), 5, date!(2026 - 06 - 10)));
    }

    #[test]
    fn deserializes_with_defaults() {
        let json = r#"{
            "currency": "CNY",
            "products": {
                "svc": {
                    "id": "svc", "sku": "SVC-DAY",
                    "name": { "zh-CN": "实施服务", "en": "Implementation" },
                    "unit": { "zh-CN": "人天", "en": "person-day" },
                    "list_price": { "minor": 200000, "currency": "CNY" },
                    "tax_rate": 600
                }
            }
        }"#;
        let catalog: Catalog = serde_json::from_str(json).unwrap();
        catalog.validate().unwrap();
        let svc = catalog.product(&ProductId::new("svc").unwrap()).unwrap();
        assert!(svc.active);
        assert_eq!(svc.tax_rate.basis_points(), 600);
        assert!(serde_json::from_str::<Catalog>(&json.replace("600", "10001")).is_err());
    }
}
