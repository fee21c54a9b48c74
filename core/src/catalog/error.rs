//! Errors of the product catalogue and of pricing.

use std::fmt;

use crate::error::ErrorCode;
use crate::i18n::{Locale, Localized};
use crate::id::{ProductId, PromotionId};
use crate::money::{Currency, MoneyError};

/// Errors of the product catalogue and of pricing a line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The product is not in the catalogue.
    #[error(
        "product {product} is not in the catalogue: pick a catalogue product or quote a custom line"
    )]
    UnknownProduct {
        /// The product asked for.
        product: ProductId,
    },
    /// The product is discontinued.
    #[error("product {product} is no longer sold: pick an active product")]
    InactiveProduct {
        /// The product.
        product: ProductId,
    },
    /// A quantity of zero or less.
    #[error("quantity {quantity} is not positive: quantities are whole units of at least 1")]
    InvalidQuantity {
        /// The quantity given.
        quantity: i64,
    },
    /// The catalogue configuration is invalid; every problem is listed.
    #[error("the catalogue is invalid: {}", join(problems))]
    Invalid {
        /// What is wrong.
        problems: Vec<CatalogProblem>,
    },
    /// Money arithmetic failed (overflow, or a price in another currency).
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl CatalogError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            CatalogError::UnknownProduct { .. } => ErrorCode::UnknownProduct,
            CatalogError::InactiveProduct { .. } => ErrorCode::InactiveProduct,
            CatalogError::InvalidQuantity { .. } => ErrorCode::InvalidQuantity,
            CatalogError::Invalid { .. } => ErrorCode::InvalidCatalog,
            CatalogError::Money(error) => error.code(),
        }
    }
}

impl Localized for CatalogError {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (_, CatalogError::Money(error)) => error.localized(locale),
            (Locale::En, _) => self.to_string(),
            (Locale::ZhCn, CatalogError::UnknownProduct { product }) => {
                format!("产品 {product} 不在产品目录中：请选择目录中的产品，或添加自定义报价行")
            }
            (Locale::ZhCn, CatalogError::InactiveProduct { product }) => {
                format!("产品 {product} 已停售：请选择在售产品")
            }
            (Locale::ZhCn, CatalogError::InvalidQuantity { quantity }) => {
                format!("数量 {quantity} 无效：数量须为不小于 1 的整数")
            }
            (Locale::ZhCn, CatalogError::Invalid { problems }) => {
                let problems: Vec<String> = problems
                    .iter()
                    .map(|problem| problem.localized(Locale::ZhCn))
                    .collect();
                format!("产品目录配置无效：{}", problems.join("；"))
            }
        }
    }
}

fn join(problems: &[CatalogProblem]) -> String {
    let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
    problems.join("; ")
}

/// One problem of a catalogue configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatalogProblem {
    /// A map key differs from the id of the record stored under it.
    KeyMismatch {
        /// The key.
        key: String,
        /// The record's id.
        id: String,
    },
    /// A product has an empty SKU.
    EmptySku {
        /// The product.
        product: ProductId,
    },
    /// Two products share a SKU.
    DuplicateSku {
        /// The SKU.
        sku: String,
    },
    /// A name or unit lacks its zh-CN or en text.
    IncompleteText {
        /// The product or promotion.
        at: String,
    },
    /// A price is in another currency than the catalogue's.
    WrongCurrency {
        /// Where the price is.
        at: String,
        /// The catalogue's currency.
        expected: Currency,
        /// The price's currency.
        found: Currency,
    },
    /// A price is negative.
    NegativePrice {
        /// Where the price is.
        at: String,
    },
    /// Volume pricing without any tier.
    NoTiers {
        /// The product.
        product: ProductId,
    },
    /// A tier does not start above the previous one (the first must start at 2 or more).
    TierOrder {
        /// The product.
        product: ProductId,
        /// The tier's first quantity.
        min_quantity: i64,
    },
    /// A bundle lists itself as a component.
    BundleContainsItself {
        /// The bundle.
        bundle: ProductId,
    },
    /// A bundle lists a component twice.
    DuplicateComponent {
        /// The bundle.
        bundle: ProductId,
        /// The component.
        component: ProductId,
    },
    /// A bundle component is not in the catalogue.
    UnknownComponent {
        /// The bundle.
        bundle: ProductId,
        /// The component.
        component: ProductId,
    },
    /// A bundle component is itself a bundle.
    NestedBundle {
        /// The bundle.
        bundle: ProductId,
        /// The component.
        component: ProductId,
    },
    /// A bundle component's quantity is not positive.
    ComponentQuantity {
        /// The bundle.
        bundle: ProductId,
        /// The component.
        component: ProductId,
        /// The quantity given.
        quantity: i64,
    },
    /// A promotion ends before it starts.
    PromotionEndsBeforeStart {
        /// The promotion.
        promotion: PromotionId,
    },
    /// A promotion applies to no product.
    PromotionWithoutProducts {
        /// The promotion.
        promotion: PromotionId,
    },
    /// A promotion names a product that is not in the catalogue.
    PromotionUnknownProduct {
        /// The promotion.
        promotion: PromotionId,
        /// The product.
        product: ProductId,
    },
    /// A promotion's minimum quantity is below 1.
    PromotionMinQuantity {
        /// The promotion.
        promotion: PromotionId,
        /// The minimum given.
        min_quantity: i64,
    },
}

impl CatalogProblem {
    /// A stable snake_case code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            CatalogProblem::KeyMismatch { .. } => "key_mismatch",
            CatalogProblem::EmptySku { .. } => "empty_sku",
            CatalogProblem::DuplicateSku { .. } => "duplicate_sku",
            CatalogProblem::IncompleteText { .. } => "incomplete_text",
            CatalogProblem::WrongCurrency { .. } => "wrong_currency",
            CatalogProblem::NegativePrice { .. } => "negative_price",
            CatalogProblem::NoTiers { .. } => "no_tiers",
            CatalogProblem::TierOrder { .. } => "tier_order",
            CatalogProblem::BundleContainsItself { .. } => "bundle_contains_itself",
            CatalogProblem::DuplicateComponent { .. } => "duplicate_component",
            CatalogProblem::UnknownComponent { .. } => "unknown_component",
            CatalogProblem::NestedBundle { .. } => "nested_bundle",
            CatalogProblem::ComponentQuantity { .. } => "component_quantity",
            CatalogProblem::PromotionEndsBeforeStart { .. } => "promotion_ends_before_start",
            CatalogProblem::PromotionWithoutProducts { .. } => "promotion_without_products",
            CatalogProblem::PromotionUnknownProduct { .. } => "promotion_unknown_product",
            CatalogProblem::PromotionMinQuantity { .. } => "promotion_min_quantity",
        }
    }
}

impl fmt::Display for CatalogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Locale::En))
    }
}

impl Localized for CatalogProblem {
    fn localized(&self, locale: Locale) -> String {
        let (zh_cn, en) = match self {
            CatalogProblem::KeyMismatch { key, id } => (
                format!("键 {key} 与记录标识 {id} 不一致"),
                format!("key {key} differs from the record id {id}"),
            ),
            CatalogProblem::EmptySku { product } => (
                format!("产品 {product} 的 SKU 为空"),
                format!("product {product} has an empty SKU"),
            ),
            CatalogProblem::DuplicateSku { sku } => (
                format!("SKU {sku} 重复"),
                format!("SKU {sku} is used twice"),
            ),
            CatalogProblem::IncompleteText { at } => (
                format!("{at} 的名称或单位缺少中文或英文"),
                format!("the name or unit of {at} lacks its zh-CN or en text"),
            ),
            CatalogProblem::WrongCurrency {
                at,
                expected,
                found,
            } => (
                format!("{at} 的价格币种为 {found}，目录币种为 {expected}"),
                format!("the price of {at} is in {found}, the catalogue is in {expected}"),
            ),
            CatalogProblem::NegativePrice { at } => (
                format!("{at} 的价格为负数"),
                format!("the price of {at} is negative"),
            ),
            CatalogProblem::NoTiers { product } => (
                format!("产品 {product} 启用了阶梯价但没有任何阶梯"),
                format!("product {product} has volume pricing without any tier"),
            ),
            CatalogProblem::TierOrder {
                product,
                min_quantity,
            } => (
                format!("产品 {product} 起订量 {min_quantity} 的阶梯须大于 1 且高于上一阶梯"),
                format!(
                    "the tier of product {product} starting at {min_quantity} must start above 1 and above the previous tier"
                ),
            ),
            CatalogProblem::BundleContainsItself { bundle } => (
                format!("套餐 {bundle} 包含了自身"),
                format!("bundle {bundle} contains itself"),
            ),
            CatalogProblem::DuplicateComponent { bundle, component } => (
                format!("套餐 {bundle} 重复包含 {component}"),
                format!("bundle {bundle} lists {component} twice"),
            ),
            CatalogProblem::UnknownComponent { bundle, component } => (
                format!("套餐 {bundle} 的组成产品 {component} 不在目录中"),
                format!("component {component} of bundle {bundle} is not in the catalogue"),
            ),
            CatalogProblem::NestedBundle { bundle, component } => (
                format!("套餐 {bundle} 不能包含另一个套餐 {component}"),
                format!("bundle {bundle} cannot contain another bundle, {component}"),
            ),
            CatalogProblem::ComponentQuantity {
                bundle,
                component,
                quantity,
            } => (
                format!("套餐 {bundle} 中 {component} 的数量 {quantity} 须为正数"),
                format!(
                    "the quantity {quantity} of {component} in bundle {bundle} must be positive"
                ),
            ),
            CatalogProblem::PromotionEndsBeforeStart { promotion } => (
                format!("促销 {promotion} 的结束日期早于开始日期"),
                format!("promotion {promotion} ends before it starts"),
            ),
            CatalogProblem::PromotionWithoutProducts { promotion } => (
                format!("促销 {promotion} 没有适用产品"),
                format!("promotion {promotion} applies to no product"),
            ),
            CatalogProblem::PromotionUnknownProduct { promotion, product } => (
                format!("促销 {promotion} 的适用产品 {product} 不在目录中"),
                format!(
                    "promotion {promotion} names product {product}, which is not in the catalogue"
                ),
            ),
            CatalogProblem::PromotionMinQuantity {
                promotion,
                min_quantity,
            } => (
                format!("促销 {promotion} 的最低数量 {min_quantity} 须不小于 1"),
                format!(
                    "the minimum quantity {min_quantity} of promotion {promotion} must be at least 1"
                ),
            ),
        };
        match locale {
            Locale::ZhCn => zh_cn,
            Locale::En => en,
        }
    }
}
