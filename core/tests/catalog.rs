//! Catalogue pricing through the public API, as a data-driven table: which rule prices a line
//! and how it explains itself.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use dealflow_core::*;
use expect_test::{Expect, expect};
use time::Date;
use time::macros::date;

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn id(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn product(product_id: &str, zh: &str, en: &str, list_minor: i64) -> Product {
    Product::new(
        id(product_id),
        product_id.to_uppercase(),
        LocalizedText::new(zh, en),
        LocalizedText::new("个", "unit"),
        cny(list_minor),
    )
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new(Currency::CNY);
    let tiers = |mode| {
        Some(VolumePricing {
            mode,
            tiers: vec![
                PriceTier {
                    min_quantity: 10,
                    unit_price: cny(9_000),
                },
                PriceTier {
                    min_quantity: 100,
                    unit_price: cny(8_000),
                },
            ],
        })
    };
    catalog.insert_product(Product {
        volume_pricing: tiers(TierMode::Graduated),
        ..product("storage", "存储", "Storage", 10_000)
    });
    catalog.insert_product(Product {
        volume_pricing: tiers(TierMode::AllUnits),
        ..product("seat", "席位", "Seat", 10_000)
    });
    catalog.insert_product(product("support", "支持服务", "Support", 50_000));
    catalog.insert_product(Product {
        bundle: vec![
            BundleComponent {
                product: id("seat"),
                quantity: 5,
            },
            BundleComponent {
                product: id("support"),
                quantity: 1,
            },
        ],
        ..product("team-pack", "团队套餐", "Team pack", 90_000)
    });
    catalog.insert_promotion(Promotion {
        id: PromotionId::new("double-11").unwrap(),
        name: LocalizedText::new("双十一", "Singles' Day"),
        products: BTreeSet::from([id("seat"), id("team-pack")]),
        valid_from: date!(2026 - 11 - 01),
        valid_until: date!(2026 - 11 - 11),
        min_quantity: 1,
        offer: PromotionOffer::PercentOff {
            discount: Discount::from_basis_points(1_200).unwrap(),
        },
    });
    catalog.insert_promotion(Promotion {
        id: PromotionId::new("launch").unwrap(),
        name: LocalizedText::new("新品首发", "Launch offer"),
        products: BTreeSet::from([id("support")]),
        valid_from: date!(2026 - 01 - 01),
        valid_until: date!(2026 - 01 - 31),
        min_quantity: 2,
        offer: PromotionOffer::UnitPrice { price: cny(45_000) },
    });
    catalog.validate().unwrap();
    catalog
}

fn check(lines: &[(&str, i64, Date)], expected: &Expect) {
    let catalog = catalog();
    let mut table = String::new();
    for (product, quantity, date) in lines {
        let priced = catalog.price(&id(product), *quantity, *date).unwrap();
        let explanation = priced.explanation();
        writeln!(
            table,
            "{product} × {quantity} on {date}: {} (unit {})\n  {}\n  {}",
            priced.amount, priced.unit_price, explanation.en, explanation.zh_cn
        )
        .unwrap();
    }
    expected.assert_eq(&table);
}

#[test]
fn prices_explain_themselves() {
    let march = date!(2026 - 03 - 01);
    let november = date!(2026 - 11 - 05);
    let january = date!(2026 - 01 - 15);
    // By hand: storage × 150 graduated = 9 × 100 + 90 × 90 + 51 × 80 = 13,080.00;
    // seat × 150 all units = 150 × 80 = 12,000.00 (the 12 % promotion would be 13,200.00);
    // seat × 5 in November = 500.00 × 0.88 = 440.00; support × 3 in January = 3 × 450.00;
    // team-pack × 2 = 1,800.00, its parts (5 × 100 + 500) × 2 = 2,000.00, in November × 0.88.
    check(
        &[
            ("storage", 9, march),
            ("storage", 150, march),
            ("seat", 150, march),
            ("seat", 5, november),
            ("seat", 150, november),
            ("support", 1, january),
            ("support", 3, january),
            ("team-pack", 2, march),
            ("team-pack", 2, november),
        ],
        &expect![[r#"
            storage × 9 on 2026-03-01: 900.00 CNY (unit 100.00 CNY)
              list price: 100.00 CNY × 9
              目录价：100.00 CNY × 9
            storage × 150 on 2026-03-01: 13080.00 CNY (unit 87.20 CNY)
              graduated tiers: units 1–9 at 100.00 CNY; units 10–99 at 90.00 CNY; units 100–150 at 80.00 CNY
              分段阶梯价：第 1–9 件 100.00 CNY；第 10–99 件 90.00 CNY；第 100–150 件 80.00 CNY
            seat × 150 on 2026-03-01: 12000.00 CNY (unit 80.00 CNY)
              volume price: 100 or more, every unit at 80.00 CNY
              全量阶梯价：满 100 件，全部按 80.00 CNY
            seat × 5 on 2026-11-05: 440.00 CNY (unit 88.00 CNY)
              promotion "Singles' Day": 12% off list price
              促销「双十一」：目录价减 12%
            seat × 150 on 2026-11-05: 12000.00 CNY (unit 80.00 CNY)
              volume price: 100 or more, every unit at 80.00 CNY
              全量阶梯价：满 100 件，全部按 80.00 CNY
            support × 1 on 2026-01-15: 500.00 CNY (unit 500.00 CNY)
              list price: 500.00 CNY × 1
              目录价：500.00 CNY × 1
            support × 3 on 2026-01-15: 1350.00 CNY (unit 450.00 CNY)
              promotion "Launch offer": unit price 450.00 CNY
              促销「新品首发」：单价 450.00 CNY
            team-pack × 2 on 2026-03-01: 1800.00 CNY (unit 900.00 CNY)
              list price: 900.00 CNY × 2 (bundle price; parts bought separately: 2000.00 CNY)
              目录价：900.00 CNY × 2（套餐价，单独购买合计 2000.00 CNY）
            team-pack × 2 on 2026-11-05: 1584.00 CNY (unit 792.00 CNY)
              promotion "Singles' Day": 12% off list price (bundle price; parts bought separately: 2000.00 CNY)
              促销「双十一」：目录价减 12%（套餐价，单独购买合计 2000.00 CNY）
        "#]],
    );
}

#[test]
fn bad_pricing_requests_are_typed_errors() {
    let catalog = catalog();
    let today = date!(2026 - 03 - 01);
    let unknown = catalog.price(&id("ghost"), 1, today).unwrap_err();
    assert_eq!(unknown.code(), ErrorCode::UnknownProduct);
    assert_eq!(
        unknown.localized(Locale::ZhCn),
        "产品 ghost 不在产品目录中：请选择目录中的产品，或添加自定义报价行"
    );
    let negative = catalog.price(&id("seat"), -5, today).unwrap_err();
    assert_eq!(negative.code(), ErrorCode::InvalidQuantity);
    assert_eq!(
        negative.to_string(),
        "quantity -5 is not positive: quantities are whole units of at least 1"
    );
}
