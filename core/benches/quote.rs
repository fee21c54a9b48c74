//! Quote-to-cash throughput: catalogue pricing, quote totals, an approval decision and
//! collection figures, on deterministic inputs.
//!
//! Run with `cargo bench -p dealflow-core --bench quote`.

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dealflow_core::*;
use time::Date;
use time::macros::{date, offset};

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

/// 200 products; every third graduated, every third all-units, every tenth on promotion.
fn catalog() -> Catalog {
    let mut catalog = Catalog::new(Currency::CNY);
    let mut on_sale = BTreeSet::new();
    for index in 0..200i64 {
        let id = ProductId::new(format!("p{index}")).expect("valid id");
        let list = 10_000 + index * 137;
        let mode = match index % 3 {
            0 => None,
            1 => Some(TierMode::Graduated),
            _ => Some(TierMode::AllUnits),
        };
        if index % 10 == 0 {
            on_sale.insert(id.clone());
        }
        catalog.insert_product(Product {
            tax_rate: TaxRate::from_basis_points(1_300).expect("valid rate"),
            volume_pricing: mode.map(|mode| VolumePricing {
                mode,
                tiers: (1..=4)
                    .map(|step| PriceTier {
                        min_quantity: step * 25,
                        unit_price: cny(list - step * 500),
                    })
                    .collect(),
            }),
            ..Product::new(
                id,
                format!("SKU-{index}"),
                LocalizedText::new("产品", "product"),
                LocalizedText::new("个", "unit"),
                cny(list),
            )
        });
    }
    catalog.insert_promotion(Promotion {
        id: PromotionId::new("sale").expect("valid id"),
        name: LocalizedText::new("促销", "sale"),
        products: on_sale,
        valid_from: date!(2026 - 01 - 01),
        valid_until: date!(2026 - 12 - 31),
        min_quantity: 1,
        offer: PromotionOffer::PercentOff {
            discount: Discount::from_basis_points(1_200).expect("valid discount"),
        },
    });
    catalog
}

fn quote(catalog: &Catalog, n_lines: i64) -> Quote {
    let mut quote = Quote::new(
        NewQuote {
            id: QuoteId::new("q").expect("valid id"),
            deal: DealId::new("d").expect("valid id"),
            owner: UserId::new("rep").expect("valid id"),
            currency: Currency::CNY,
            valid_until: date!(2026 - 12 - 31),
            tax_basis: TaxBasis::Exclusive,
        },
        Timestamp::from_millis(0),
    );
    for index in 0..n_lines {
        let product = ProductId::new(format!("p{}", index % 200)).expect("valid id");
        let line = QuoteLine::from_catalog(
            RecordId::new(format!("l{index}")).expect("valid id"),
            catalog,
            &product,
            1 + (index * 7) % 120,
            date!(2026 - 03 - 01),
        )
        .expect("priced")
        .with_discount(Discount::from_basis_points((index % 20) as u16 * 100).expect("valid"));
        quote.lines.push(line);
    }
    quote.discount = Discount::from_basis_points(300).expect("valid discount");
    quote
}

fn plan(n_instalments: usize, n_receipts: usize) -> PaymentPlan {
    let start = date!(2026 - 01 - 01);
    let contract = Contract {
        id: ContractId::new("c").expect("valid id"),
        number: "HT-1".into(),
        deal: DealId::new("d").expect("valid id"),
        quote: QuoteId::new("q").expect("valid id"),
        parties: Vec::new(),
        amount: cny(12_345_678_901), // ¥123,456,789.01
        status: ContractStatus::Signed,
        signing: None,
        created_at: Timestamp::from_millis(0),
        created_by: UserId::new("rep").expect("valid id"),
    };
    let schedule = (0..n_instalments)
        .map(|index| ScheduledInstalment {
            id: RecordId::new(format!("i{index}")).expect("valid id"),
            label: String::new(),
            due: start + time::Duration::days(30 * index as i64),
        })
        .collect();
    let mut plan = PaymentPlan::split(&contract, schedule, &Split::Equal).expect("plan");
    for index in 0..n_receipts {
        plan.record_receipt(Receipt {
            id: RecordId::new(format!("r{index}")).expect("valid id"),
            instalment: RecordId::new(format!("i{}", (index * 13) % n_instalments))
                .expect("valid id"),
            amount: cny(10_000 + (index as i64 * 7_919) % 5_000_000),
            received_on: start + time::Duration::days((index as i64 * 11) % 3_000),
            reference: String::new(),
            recorded_by: UserId::new("finance").expect("valid id"),
            recorded_at: Timestamp::from_millis(0),
        })
        .expect("receipt");
    }
    plan
}

fn bench(c: &mut Criterion) {
    let catalog = catalog();
    let mut group = c.benchmark_group("quote");

    let requests: Vec<(ProductId, i64, Date)> = (0..1_000i64)
        .map(|index| {
            (
                ProductId::new(format!("p{}", index % 200)).expect("valid id"),
                1 + (index * 7) % 150,
                date!(2026 - 03 - 01),
            )
        })
        .collect();
    group.throughput(Throughput::Elements(requests.len() as u64));
    group.bench_function("price_1k_lines", |b| {
        b.iter(|| {
            for (product, quantity, date) in &requests {
                black_box(catalog.price(product, *quantity, *date).expect("priced"));
            }
        });
    });

    let big = quote(&catalog, 200);
    group.throughput(Throughput::Elements(200));
    group.bench_function("totals_200_lines", |b| {
        b.iter(|| black_box(big.totals().expect("totals")));
    });

    let policy = ApprovalPolicy {
        thresholds: vec![ApprovalThreshold {
            above: Discount::from_basis_points(500).expect("valid"),
            level: 1,
        }],
    };
    let rep = QuoteContext {
        actor: Approver {
            user: UserId::new("rep").expect("valid id"),
            level: 0,
        },
        now: Timestamp::start_of_day(date!(2026 - 03 - 02), offset!(+8)),
        offset: offset!(+8),
    };
    let submit = QuoteCommand {
        expected_version: big.version,
        action: QuoteAction::Submit,
    };
    let (pending, _) = big.decide(&submit, &policy, &rep).expect("submitted");
    let manager = QuoteContext {
        actor: Approver {
            user: UserId::new("mgr").expect("valid id"),
            level: 1,
        },
        ..rep
    };
    let approve = QuoteCommand {
        expected_version: pending.version,
        action: QuoteAction::Approve {
            comment: String::new(),
        },
    };
    group.throughput(Throughput::Elements(1));
    group.bench_function("approve_200_lines", |b| {
        b.iter(|| {
            black_box(
                pending
                    .decide(&approve, &policy, &manager)
                    .expect("approved"),
            )
        });
    });

    let plan = plan(120, 500);
    group.throughput(Throughput::Elements(500));
    group.bench_function("collection_120_instalments_500_receipts", |b| {
        b.iter(|| black_box(plan.collection(date!(2030 - 01 - 01)).expect("collection")));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
