//! Pricing one line from the catalogue: volume tiers, bundles and promotions.

use serde::{Deserialize, Serialize};
use time::Date;

use super::{Catalog, CatalogError, Product, PromotionOffer, TierMode, VolumePricing};
use crate::i18n::LocalizedText;
use crate::id::{ProductId, PromotionId};
use crate::money::{Money, MoneyError};

/// A line priced from the catalogue, with the rule that set the price.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PricedLine {
    /// The product.
    pub product: ProductId,
    /// Units priced.
    pub quantity: i64,
    /// The date the price was taken on (promotions depend on it).
    pub on: Date,
    /// List price × quantity.
    pub list_amount: Money,
    /// The line amount: authoritative.
    pub amount: Money,
    /// `amount / quantity`, rounded half away from zero; for display.
    pub unit_price: Money,
    /// Which rule set the amount.
    pub rule: PriceRule,
    /// For a bundle: what its components would cost at list price, bought separately.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_parts_amount: Option<Money>,
}

/// The pricing rule that produced a line amount.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceRule {
    /// The list price (for a bundle: the bundle price).
    ListPrice,
    /// Graduated tiers: each band of units at its own price.
    Graduated {
        /// The bands the quantity covers, in order.
        bands: Vec<PriceBand>,
    },
    /// All-units tier: every unit at the price of the tier the quantity reached.
    AllUnits {
        /// The tier's first quantity.
        min_quantity: i64,
        /// The tier's unit price.
        unit_price: Money,
    },
    /// A promotion.
    Promotion {
        /// The promotion.
        promotion: PromotionId,
        /// Its name.
        name: LocalizedText,
        /// What it gave.
        offer: PromotionOffer,
    },
}

/// Units `first..=last` of a graduated line, priced at `unit_price`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct PriceBand {
    /// First unit of the band (1-based).
    pub first: i64,
    /// Last unit of the band (inclusive).
    pub last: i64,
    /// Price of each unit in the band.
    pub unit_price: Money,
    /// `(last − first + 1) × unit_price`.
    pub amount: Money,
}

impl Catalog {
    /// Prices `quantity` units of `product` on `date`, returning the line amount, an indicative
    /// unit price and the [`PriceRule`] that produced it, so a quote can say why a price is what
    /// it is.
    ///
    /// 1. The **volume price**: the list price times the quantity, unless the product has
    ///    [`VolumePricing`]. Tiers start at a quantity; below the first tier the list price applies.
    ///    - [`TierMode::Graduated`] (分段累计): each unit is priced by the tier it falls in, so the
    ///      first 99 units cost the list price and units 100–499 the 100+ price.
    ///    - [`TierMode::AllUnits`] (全量阶梯): the tier reached by the whole quantity prices every
    ///      unit.
    /// 2. Every **promotion** of the product valid on the date (both ends inclusive) whose minimum
    ///    quantity is met: a percentage off the list price or a fixed unit price.
    /// 3. The **lowest line amount wins**. Promotions do not stack with tiers or with each other;
    ///    on a tie the volume price wins, then the promotion with the smallest id.
    ///
    /// A **bundle** (套餐) is a product with components: its list price is the bundle price, and the
    /// priced line also reports what the components would cost bought separately.
    ///
    /// Amounts are exact integers wherever the rule is integer (quantity × unit price); a percentage
    /// off rounds once per line, half away from zero to the minor unit. The unit price of a priced
    /// line is the line amount divided by the quantity, rounded the same way, for display only: the
    /// line amount is authoritative.
    ///
    /// Errors: unknown or inactive product, quantity not positive, a price in another currency
    /// than the catalogue's, or an amount that overflows.
    pub fn price(
        &self,
        product: &ProductId,
        quantity: i64,
        date: Date,
    ) -> Result<PricedLine, CatalogError> {
        if quantity <= 0 {
            return Err(CatalogError::InvalidQuantity { quantity });
        }
        let product = self.product(product)?;
        if !product.active {
            return Err(CatalogError::InactiveProduct {
                product: product.id.clone(),
            });
        }
        let list_price = self.in_currency(product.list_price)?;
        let list_amount = list_price.checked_mul(quantity)?;
        let (mut amount, mut rule) = self.volume_price(product, quantity, list_amount)?;
        // Promotions are visited in id order and only a strictly lower amount replaces the
        // current best, so ties go to the volume price and then to the smallest id.
        for promotion in self.promotions.values() {
            if !promotion.applies(&product.id, quantity, date) {
                continue;
            }
            let offered = match promotion.offer {
                PromotionOffer::PercentOff { discount } => discount.apply(list_amount)?,
                PromotionOffer::UnitPrice { price } => {
                    self.in_currency(price)?.checked_mul(quantity)?
                }
            };
            if offered.minor() < amount.minor() {
                amount = offered;
                rule = PriceRule::Promotion {
                    promotion: promotion.id.clone(),
                    name: promotion.name.clone(),
                    offer: promotion.offer,
                };
            }
        }
        let bundle_parts_amount = self.bundle_parts_amount(product, quantity)?;
        Ok(PricedLine {
            product: product.id.clone(),
            quantity,
            on: date,
            list_amount,
            amount,
            unit_price: amount.mul_ratio(1, quantity)?,
            rule,
            bundle_parts_amount,
        })
    }

    fn volume_price(
        &self,
        product: &Product,
        quantity: i64,
        list_amount: Money,
    ) -> Result<(Money, PriceRule), CatalogError> {
        match &product.volume_pricing {
            None => Ok((list_amount, PriceRule::ListPrice)),
            Some(volume) => match volume.mode {
                TierMode::AllUnits => self.all_units_price(volume, quantity, list_amount),
                TierMode::Graduated => self.graduated_price(product, volume, quantity),
            },
        }
    }

    fn all_units_price(
        &self,
        volume: &VolumePricing,
        quantity: i64,
        list_amount: Money,
    ) -> Result<(Money, PriceRule), CatalogError> {
        let reached = volume
            .tiers
            .iter()
            .filter(|tier| tier.min_quantity <= quantity)
            .max_by_key(|tier| tier.min_quantity);
        match reached {
            None => Ok((list_amount, PriceRule::ListPrice)),
            Some(tier) => {
                let unit_price = self.in_currency(tier.unit_price)?;
                Ok((
                    unit_price.checked_mul(quantity)?,
                    PriceRule::AllUnits {
                        min_quantity: tier.min_quantity,
                        unit_price,
                    },
                ))
            }
        }
    }

    /// Bands: units below the first tier at list price, then each tier up to the next one's
    /// start. Tiers are taken in ascending order whatever their stored order, and a tier that
    /// does not start above the previous one (invalid input) is skipped rather than trusted.
    fn graduated_price(
        &self,
        product: &Product,
        volume: &VolumePricing,
        quantity: i64,
    ) -> Result<(Money, PriceRule), CatalogError> {
        let mut starts: Vec<(i64, Money)> = Vec::with_capacity(volume.tiers.len() + 1);
        starts.push((1, self.in_currency(product.list_price)?));
        let mut tiers: Vec<_> = volume.tiers.iter().collect();
        tiers.sort_by_key(|tier| tier.min_quantity);
        for tier in tiers {
            let previous = starts.last().map_or(1, |(start, _)| *start);
            if tier.min_quantity > previous {
                starts.push((tier.min_quantity, self.in_currency(tier.unit_price)?));
            }
        }
        let mut bands = Vec::new();
        let mut amount = Money::zero(self.currency);
        for (index, (first, unit_price)) in starts.iter().enumerate() {
            if *first > quantity {
                break;
            }
            let next_start = starts.get(index + 1).map_or(i64::MAX, |(start, _)| *start);
            let last = quantity.min(next_start.saturating_sub(1));
            let units = last - first + 1;
            let band_amount = unit_price.checked_mul(units)?;
            amount = amount.checked_add(band_amount)?;
            bands.push(PriceBand {
                first: *first,
                last,
                unit_price: *unit_price,
                amount: band_amount,
            });
        }
        // Without any tier band the line is simply at list price.
        if bands.len() <= 1 {
            return Ok((amount, PriceRule::ListPrice));
        }
        Ok((amount, PriceRule::Graduated { bands }))
    }

    fn bundle_parts_amount(
        &self,
        product: &Product,
        quantity: i64,
    ) -> Result<Option<Money>, CatalogError> {
        if !product.is_bundle() {
            return Ok(None);
        }
        let mut per_bundle = Money::zero(self.currency);
        for component in &product.bundle {
            let part = self.product(&component.product)?;
            let part_amount = self
                .in_currency(part.list_price)?
                .checked_mul(component.quantity)?;
            per_bundle = per_bundle.checked_add(part_amount)?;
        }
        Ok(Some(per_bundle.checked_mul(quantity)?))
    }

    fn in_currency(&self, price: Money) -> Result<Money, CatalogError> {
        if price.currency() == self.currency {
            Ok(price)
        } else {
            Err(MoneyError::CurrencyMismatch {
                expected: self.currency,
                found: price.currency(),
            }
            .into())
        }
    }
}

impl PricedLine {
    /// Why the line costs what it does, for the quote and the approver.
    pub fn explanation(&self) -> LocalizedText {
        let mut text = match &self.rule {
            PriceRule::ListPrice => LocalizedText::new(
                format!("目录价：{} × {}", self.unit_price, self.quantity),
                format!("list price: {} × {}", self.unit_price, self.quantity),
            ),
            PriceRule::Graduated { bands } => {
                let zh: Vec<String> = bands
                    .iter()
                    .map(|band| format!("第 {}–{} 件 {}", band.first, band.last, band.unit_price))
                    .collect();
                let en: Vec<String> = bands
                    .iter()
                    .map(|band| {
                        format!("units {}–{} at {}", band.first, band.last, band.unit_price)
                    })
                    .collect();
                LocalizedText::new(
                    format!("分段阶梯价：{}", zh.join("；")),
                    format!("graduated tiers: {}", en.join("; ")),
                )
            }
            PriceRule::AllUnits {
                min_quantity,
                unit_price,
            } => LocalizedText::new(
                format!("全量阶梯价：满 {min_quantity} 件，全部按 {unit_price}"),
                format!("volume price: {min_quantity} or more, every unit at {unit_price}"),
            ),
            PriceRule::Promotion { name, offer, .. } => match offer {
                PromotionOffer::PercentOff { discount } => {
                    let percent = percent_text(discount.basis_points());
                    LocalizedText::new(
                        format!("促销「{}」：目录价减 {percent}", name.zh_cn),
                        format!("promotion \"{}\": {percent} off list price", name.en),
                    )
                }
                PromotionOffer::UnitPrice { price } => LocalizedText::new(
                    format!("促销「{}」：单价 {price}", name.zh_cn),
                    format!("promotion \"{}\": unit price {price}", name.en),
                ),
            },
        };
        if let Some(parts) = self.bundle_parts_amount {
            text.zh_cn
                .push_str(&format!("（套餐价，单独购买合计 {parts}）"));
            text.en.push_str(&format!(
                " (bundle price; parts bought separately: {parts})"
            ));
        }
        text
    }
}

/// Basis points as a percentage without trailing zeros: 1500 → "15%", 1250 → "12.5%".
pub(crate) fn percent_text(basis_points: u16) -> String {
    let whole = basis_points / 100;
    let fraction = basis_points % 100;
    if fraction == 0 {
        format!("{whole}%")
    } else if fraction.is_multiple_of(10) {
        format!("{whole}.{}%", fraction / 10)
    } else {
        format!("{whole}.{fraction:02}%")
    }
}

#[cfg(test)]
#[allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::catalog::{BundleComponent, PriceTier, Promotion};
    use crate::money::{Currency, Discount};
    use time::macros::date;

    fn cny(minor: i64) -> Money {
        Money::new(minor, Currency::CNY)
    }

    fn id(id: &str) -> ProductId {
        ProductId::new(id).unwrap()
    }

    fn product(product_id: &str, list_minor: i64) -> Product {
        Product::new(
            id(product_id),
            product_id.to_uppercase(),
            LocalizedText::new("产品", "product"),
            LocalizedText::new("个", "piece"),
            cny(list_minor),
        )
    }

    /// List ¥100.00; tiers from 10 units at ¥90.00 and from 50 units at ¥80.00.
    fn tiered(mode: TierMode) -> Catalog {
        let mut catalog = Catalog::new(Currency::CNY);
        catalog.insert_product(Product {
            volume_pricing: Some(VolumePricing {
                mode,
                tiers: vec![
                    PriceTier {
                        min_quantity: 10,
                        unit_price: cny(90_00),
                    },
                    PriceTier {
                        min_quantity: 50,
                        unit_price: cny(80_00),
                    },
                ],
            }),
            ..product("seat", 100_00)
        });
        catalog
    }

    #[test]
    fn graduated_tiers_price_each_band() {
        let catalog = tiered(TierMode::Graduated);
        let line = catalog
            .price(&id("seat"), 60, date!(2026 - 01 - 01))
            .unwrap();
        // units 1–9 at 100.00 = 900.00; 10–49 at 90.00 = 40 × 90 = 3600.00;
        // 50–60 at 80.00 = 11 × 80 = 880.00; total 5380.00
        assert_eq!(line.amount, cny(5_380_00));
        assert_eq!(line.list_amount, cny(6_000_00));
        // 5380.00 / 60 = 89.6666… → 89.67
        assert_eq!(line.unit_price, cny(89_67));
        let PriceRule::Graduated { bands } = &line.rule else {
            panic!("graduated rule expected");
        };
        let spans: Vec<(i64, i64, i64)> = bands
            .iter()
            .map(|band| (band.first, band.last, band.amount.minor()))
            .collect();
        assert_eq!(
            spans,
            [(1, 9, 900_00), (10, 49, 3_600_00), (50, 60, 880_00)]
        );
        assert_eq!(
            line.explanation().en,
            "graduated tiers: units 1–9 at 100.00 CNY; units 10–49 at 90.00 CNY; units 50–60 at 80.00 CNY"
        );
        // Below the first tier it is the plain list price.
        let small = catalog
            .price(&id("seat"), 9, date!(2026 - 01 - 01))
            .unwrap();
        assert_eq!(small.rule, PriceRule::ListPrice);
        assert_eq!(small.amount, cny(900_00));
    }

    #[test]
    fn all_units_tiers_price_every_unit() {
        let catalog = tiered(TierMode::AllUnits);
        let at = |quantity| {
            catalog
                .price(&id("seat"), quantity, date!(2026 - 01 - 01))
                .unwrap()
        };
        assert_eq!(at(9).amount, cny(900_00)); // 9 × 100.00
        assert_eq!(at(10).amount, cny(900_00)); // 10 × 90.00: the break point
        assert_eq!(at(60).amount, cny(4_800_00)); // 60 × 80.00
        assert_eq!(
            at(60).rule,
            PriceRule::AllUnits {
                min_quantity: 50,
                unit_price: cny(80_00)
            }
        );
    }

    #[test]
    fn the_best_single_offer_wins() {
        let mut catalog = tiered(TierMode::AllUnits);
        let sale = |promotion_id: &str, offer| Promotion {
            id: PromotionId::new(promotion_id).unwrap(),
            name: LocalizedText::new("年中大促", "Mid-year sale"),
            products: BTreeSet::from([id("seat")]),
            valid_from: date!(2026 - 06 - 01),
            valid_until: date!(2026 - 06 - 30),
            min_quantity: 1,
            offer,
        };
        catalog.insert_promotion(sale(
            "p-15",
            PromotionOffer::PercentOff {
                discount: Discount::from_basis_points(1_500).unwrap(),
            },
        ));
        catalog.insert_promotion(sale(
            "p-85",
            PromotionOffer::UnitPrice { price: cny(85_00) },
        ));
        let june = date!(2026 - 06 - 15);
        // 5 units: list 500.00; 15 % off = 425.00; 5 × 85.00 = 425.00 — a tie, smallest id wins.
        let five = catalog.price(&id("seat"), 5, june).unwrap();
        assert_eq!(five.amount, cny(425_00));
        assert!(
            matches!(&five.rule, PriceRule::Promotion { promotion, .. } if promotion.as_str() == "p-15")
        );
        assert_eq!(five.explanation().zh_cn, "促销「年中大促」：目录价减 15%");
        // 60 units: the 50+ tier (60 × 80.00 = 4800.00) beats 15 % off (5100.00) and 85.00.
        let sixty = catalog.price(&id("seat"), 60, june).unwrap();
        assert_eq!(sixty.amount, cny(4_800_00));
        // Outside the date range only the volume price counts.
        let july = catalog
            .price(&id("seat"), 5, date!(2026 - 07 - 01))
            .unwrap();
        assert_eq!(july.rule, PriceRule::ListPrice);
    }

    #[test]
    fn percent_off_rounds_once_per_line() {
        let mut catalog = Catalog::new(Currency::CNY);
        catalog.insert_product(product("pen", 3_33));
        catalog.insert_promotion(Promotion {
            id: PromotionId::new("p").unwrap(),
            name: LocalizedText::new("促销", "sale"),
            products: BTreeSet::from([id("pen")]),
            valid_from: date!(2026 - 01 - 01),
            valid_until: date!(2026 - 12 - 31),
            min_quantity: 1,
            offer: PromotionOffer::PercentOff {
                discount: Discount::from_basis_points(1_250).unwrap(),
            },
        });
        let line = catalog.price(&id("pen"), 3, date!(2026 - 03 - 01)).unwrap();
        // 3 × 3.33 = 9.99; × 0.875 = 8.74125 → 8.74 (rounding per unit would give 3 × 2.91 = 8.73)
        assert_eq!(line.amount, cny(8_74));
        // 8.74 / 3 = 2.9133… → 2.91, for display only
        assert_eq!(line.unit_price, cny(2_91));
    }

    #[test]
    fn bundles_report_the_parts() {
        let mut catalog = Catalog::new(Currency::CNY);
        catalog.insert_product(product("licence", 1_000_00));
        catalog.insert_product(product("training", 300_00));
        catalog.insert_product(Product {
            bundle: vec![
                BundleComponent {
                    product: id("licence"),
                    quantity: 1,
                },
                BundleComponent {
                    product: id("training"),
                    quantity: 2,
                },
            ],
            ..product("starter", 1_400_00)
        });
        let line = catalog
            .price(&id("starter"), 2, date!(2026 - 01 - 01))
            .unwrap();
        assert_eq!(line.amount, cny(2_800_00)); // 2 × 1400.00
        // parts: (1000.00 + 2 × 300.00) × 2 = 3200.00
        assert_eq!(line.bundle_parts_amount, Some(cny(3_200_00)));
        assert!(
            line.explanation()
                .en
                .ends_with("(bundle price; parts bought separately: 3200.00 CNY)")
        );
    }

    #[test]
    fn bad_requests_are_typed_errors() {
        let mut catalog = tiered(TierMode::Graduated);
        let today = date!(2026 - 01 - 01);
        assert_eq!(
            catalog.price(&id("seat"), 0, today),
            Err(CatalogError::InvalidQuantity { quantity: 0 })
        );
        assert_eq!(
            catalog.price(&id("seat"), -3, today),
            Err(CatalogError::InvalidQuantity { quantity: -3 })
        );
        assert_eq!(
            catalog.price(&id("ghost"), 1, today),
            Err(CatalogError::UnknownProduct {
                product: id("ghost")
            })
        );
        assert_eq!(
            catalog.price(&id("seat"), i64::MAX, today),
            Err(CatalogError::Money(MoneyError::Overflow))
        );
        catalog.insert_product(Product {
            list_price: Money::new(1, Currency::USD),
            ..product("usd", 0)
        });
        assert!(matches!(
            catalog.price(&id("usd"), 1, today),
            Err(CatalogError::Money(MoneyError::CurrencyMismatch { .. }))
        ));
        catalog.insert_product(Product {
            active: false,
            ..product("old", 1)
        });
        assert_eq!(
            catalog.price(&id("old"), 1, today),
            Err(CatalogError::InactiveProduct { product: id("old") })
        );
    }

    #[test]
    fn percentages_print_without_trailing_zeros() {
        assert_eq!(percent_text(1_500), "15%");
        assert_eq!(percent_text(1_250), "12.5%");
        assert_eq!(percent_text(1_205), "12.05%");
        assert_eq!(percent_text(10_000), "100%");
    }
}
