//! Quotes through the public API: pricing from the catalogue, totals, approval as an exclusive
//! decision, revisions and syncing to the deal.
#![allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]

use std::collections::BTreeSet;

use dealflow_core::*;
use proptest::prelude::*;
use time::macros::{date, offset};

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn product_id(id: &str) -> ProductId {
    ProductId::new(id).unwrap()
}

fn record(id: &str) -> RecordId {
    RecordId::new(id).unwrap()
}

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn bp(basis_points: u16) -> Discount {
    Discount::from_basis_points(basis_points).unwrap()
}

fn tax(basis_points: u16) -> TaxRate {
    TaxRate::from_basis_points(basis_points).unwrap()
}

/// Seats at ¥1,200.00 with all-units tiers (50+ at ¥1,000.00), training days at ¥3,000.00 with a
/// June promotion of 20 % off, a starter bundle at ¥5,000.00 (1 seat + 2 training days).
fn catalog() -> Catalog {
    let mut catalog = Catalog::new(Currency::CNY);
    let product = |id: &str, sku: &str, zh: &str, en: &str, price: i64, tax_bp: u16| Product {
        tax_rate: tax(tax_bp),
        ..Product::new(
            product_id(id),
            sku,
            LocalizedText::new(zh, en),
            LocalizedText::new("个", "unit"),
            cny(price),
        )
    };
    catalog.insert_product(Product {
        volume_pricing: Some(VolumePricing {
            mode: TierMode::AllUnits,
            tiers: vec![PriceTier {
                min_quantity: 50,
                unit_price: cny(1_000_00),
            }],
        }),
        ..product("seat", "SEAT", "用户许可", "Seat", 1_200_00, 1_300)
    });
    catalog.insert_product(product(
        "training", "TRAIN", "培训", "Training", 3_000_00, 600,
    ));
    catalog.insert_product(Product {
        bundle: vec![
            BundleComponent {
                product: product_id("seat"),
                quantity: 1,
            },
            BundleComponent {
                product: product_id("training"),
                quantity: 2,
            },
        ],
        ..product("starter", "START", "入门套餐", "Starter", 5_000_00, 1_300)
    });
    catalog.insert_promotion(Promotion {
        id: PromotionId::new("june").unwrap(),
        name: LocalizedText::new("六月培训季", "June training"),
        products: BTreeSet::from([product_id("training")]),
        valid_from: date!(2026 - 06 - 01),
        valid_until: date!(2026 - 06 - 30),
        min_quantity: 1,
        offer: PromotionOffer::PercentOff {
            discount: bp(2_000),
        },
    });
    catalog.validate().unwrap();
    catalog
}

/// Above 10 % the manager, above 20 % the director, above 30 % the VP.
fn policy() -> ApprovalPolicy {
    let threshold = |above, level| ApprovalThreshold {
        above: bp(above),
        level,
    };
    ApprovalPolicy {
        thresholds: vec![
            threshold(1_000, 1),
            threshold(2_000, 2),
            threshold(3_000, 3),
        ],
    }
}

fn day(n: i64) -> Timestamp {
    Timestamp::start_of_day(date!(2026 - 06 - 01), offset!(+8)).plus_days(n)
}

fn ctx(who: &str, level: u8) -> QuoteContext {
    QuoteContext {
        actor: Approver {
            user: user(who),
            level,
        },
        now: day(1),
        offset: offset!(+8),
    }
}

fn new_quote(id: &str, basis: TaxBasis) -> Quote {
    Quote::new(
        NewQuote {
            id: QuoteId::new(id).unwrap(),
            deal: DealId::new("deal-1").unwrap(),
            owner: user("rep"),
            currency: Currency::CNY,
            valid_until: date!(2026 - 06 - 30),
            tax_basis: basis,
        },
        day(0),
    )
}

fn act(quote: &Quote, action: QuoteAction, ctx: &QuoteContext) -> Result<Quote, QuoteError> {
    let command = QuoteCommand {
        expected_version: quote.version,
        action,
    };
    quote.decide(&command, &policy(), ctx).map(|(next, _)| next)
}

fn with_lines(mut quote: Quote, lines: Vec<QuoteLine>) -> Quote {
    for line in lines {
        let edit = QuoteEdit::SetLine {
            line: Box::new(line),
        };
        quote = act(&quote, QuoteAction::Edit { edit }, &ctx("rep", 0)).unwrap();
    }
    quote
}

fn priced(id: &str, product: &str, quantity: i64) -> QuoteLine {
    QuoteLine::from_catalog(
        record(id),
        &catalog(),
        &product_id(product),
        quantity,
        date!(2026 - 06 - 02),
    )
    .unwrap()
}

#[test]
fn a_catalogue_quote_adds_up_by_hand() {
    let mut quote = with_lines(
        new_quote("q1", TaxBasis::Exclusive),
        vec![
            priced("seats", "seat", 60).with_discount(bp(500)),
            priced("training", "training", 3),
            priced("starter", "starter", 1),
            QuoteLine::ad_hoc(
                record("travel"),
                LocalizedText::new("差旅费", "Travel"),
                LocalizedText::new("次", "trip"),
                2,
                cny(1_234_57),
                TaxRate::ZERO,
            )
            .unwrap(),
        ],
    );
    quote = act(
        &quote,
        QuoteAction::Edit {
            edit: QuoteEdit::SetDiscount { discount: bp(300) },
        },
        &ctx("rep", 0),
    )
    .unwrap();
    let totals = quote.totals().unwrap();
    let lines: Vec<(i64, i64, i64, i64)> = totals
        .lines
        .iter()
        .map(|line| {
            (
                line.reference.minor(),
                line.gross.minor(),
                line.net.minor(),
                line.tax.minor(),
            )
        })
        .collect();
    // seats: 60 ≥ 50, all units at 1,000.00 = 60,000.00; × 0.95 × 0.97 = 55,290.00;
    //        VAT 13 % = 7,187.70
    // training: June promotion 20 % off 3 × 3,000.00 = 7,200.00; × 0.97 = 6,984.00;
    //        VAT 6 % = 419.04
    // starter: bundle 5,000.00; × 0.97 = 4,850.00; VAT 13 % = 630.50
    // travel: 2 × 1,234.57 = 2,469.14; × 0.97 = 2,395.0658 → 2,395.07; no VAT
    assert_eq!(
        lines,
        [
            (60_000_00, 60_000_00, 55_290_00, 7_187_70),
            (7_200_00, 7_200_00, 6_984_00, 419_04),
            (5_000_00, 5_000_00, 4_850_00, 630_50),
            (2_469_14, 2_469_14, 2_395_07, 0),
        ]
    );
    // net 55,290.00 + 6,984.00 + 4,850.00 + 2,395.07 = 69,519.07
    // tax 7,187.70 + 419.04 + 630.50 = 8,237.24; total 77,756.31
    assert_eq!(totals.net, cny(69_519_07));
    assert_eq!(totals.tax, cny(8_237_24));
    assert_eq!(totals.total, cny(77_756_31));
    // discount from the catalogue: 74,669.14 → 69,519.07 = 5,150.07 / 74,669.14 = 6.897 %
    assert_eq!(totals.reference, cny(74_669_14));
    assert_eq!(totals.discount_basis_points(), 690);
    // so no approval is needed
    let submitted = act(&quote, QuoteAction::Submit, &ctx("rep", 0)).unwrap();
    assert_eq!(submitted.status, QuoteStatus::Approved);
    assert_eq!(
        quote
            .line(&record("training"))
            .map(|line| match &line.price {
                LinePrice::Catalog { priced } => priced.explanation().zh_cn,
                LinePrice::Custom { .. } => String::new(),
            }),
        Some("促销「六月培训季」：目录价减 20%".to_owned())
    );
}

#[test]
fn a_custom_price_below_the_catalogue_counts_as_discount() {
    // 10 seats at the catalogue's 1,200.00 = 12,000.00; quoted at 900.00 = 9,000.00: 25 % off
    let line = QuoteLine::custom_price(
        record("seats"),
        &catalog(),
        &product_id("seat"),
        10,
        date!(2026 - 06 - 02),
        cny(900_00),
    )
    .unwrap();
    let quote = with_lines(new_quote("q1", TaxBasis::Exclusive), vec![line]);
    assert_eq!(quote.totals().unwrap().discount_basis_points(), 2_500);
    let pending = act(&quote, QuoteAction::Submit, &ctx("rep", 0)).unwrap();
    assert_eq!(pending.required_level, Some(2));
    // An ad-hoc line has no catalogue reference: only its discounts count.
    let ad_hoc = QuoteLine::ad_hoc(
        record("dev"),
        LocalizedText::new("定制开发", "Custom development"),
        LocalizedText::new("人天", "person-day"),
        10,
        cny(900_00),
        TaxRate::ZERO,
    )
    .unwrap();
    let quote = with_lines(new_quote("q2", TaxBasis::Exclusive), vec![ad_hoc]);
    assert_eq!(quote.totals().unwrap().discount_basis_points(), 0);
}

#[test]
fn a_forged_catalogue_price_is_caught() {
    let mut line = priced("seats", "seat", 10);
    if let LinePrice::Catalog { priced } = &mut line.price {
        priced.amount = cny(9_000_00); // the catalogue says 12,000.00
    }
    let quote = with_lines(new_quote("q1", TaxBasis::Exclusive), vec![line]);
    let err = quote.verify_prices(&catalog()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PriceMismatch);
    let honest = with_lines(
        new_quote("q2", TaxBasis::Exclusive),
        vec![priced("seats", "seat", 10)],
    );
    assert_eq!(honest.verify_prices(&catalog()), Ok(()));
}

#[test]
fn quotes_refuse_bad_input_with_typed_errors() {
    let quote = new_quote("q1", TaxBasis::Exclusive);
    let usd = catalog_in(Currency::USD);
    let usd_line = QuoteLine::from_catalog(
        record("l"),
        &usd,
        &product_id("x"),
        1,
        date!(2026 - 06 - 02),
    )
    .unwrap();
    let edit = |line| QuoteAction::Edit {
        edit: QuoteEdit::SetLine {
            line: Box::new(line),
        },
    };
    let err = act(&quote, edit(usd_line), &ctx("rep", 0)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CurrencyMismatch);
    assert_eq!(
        err.localized(Locale::ZhCn),
        "币种不一致：应为 CNY，实际为 USD；请先按汇率表换算"
    );
    let err = QuoteLine::from_catalog(
        record("l"),
        &catalog(),
        &product_id("seat"),
        -1,
        date!(2026 - 06 - 02),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidQuantity);
    assert_eq!(
        Discount::from_basis_points(10_001)
            .map_err(Error::from)
            .unwrap_err()
            .code(),
        ErrorCode::DiscountOutOfRange
    );
    let err = act(&quote, QuoteAction::Submit, &ctx("rep", 0)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::EmptyQuote);
    assert_eq!(
        err.localized(Locale::ZhCn),
        "报价单 q1 没有任何报价行：请先添加至少一行"
    );
}

fn catalog_in(currency: Currency) -> Catalog {
    let mut catalog = Catalog::new(currency);
    catalog.insert_product(Product::new(
        product_id("x"),
        "X",
        LocalizedText::new("产品", "product"),
        LocalizedText::new("个", "unit"),
        Money::new(100, currency),
    ));
    catalog
}

#[test]
fn a_revision_copies_the_previous_one() {
    let v1 = with_lines(
        new_quote("q1", TaxBasis::Inclusive),
        vec![priced("seats", "seat", 10).with_discount(bp(1_500))],
    );
    let v1 = act(&v1, QuoteAction::Submit, &ctx("rep", 0)).unwrap();
    let v2 = v1
        .revise(QuoteId::new("q1-v2").unwrap(), user("rep"), day(2))
        .unwrap();
    assert_eq!(v2.revision, 2);
    assert_eq!(v2.previous, Some(v1.id.clone()));
    assert_eq!((v2.status, v2.version), (QuoteStatus::Draft, 1));
    assert_eq!(v2.lines, v1.lines);
    assert_eq!(v2.tax_basis, TaxBasis::Inclusive);
    assert_eq!(v2.totals().unwrap(), v1.totals().unwrap());
    let closed = act(
        &v1,
        QuoteAction::Supersede {
            successor: v2.id.clone(),
        },
        &ctx("rep", 0),
    )
    .unwrap();
    assert_eq!(closed.status, QuoteStatus::Superseded);
    assert_eq!(
        act(
            &closed,
            QuoteAction::Approve {
                comment: String::new()
            },
            &ctx("mgr", 1)
        )
        .unwrap_err()
        .code(),
        ErrorCode::InvalidQuoteTransition
    );
}

fn deal() -> Deal {
    let pipeline = Pipeline::template_new_business();
    let (deal, _) = pipeline
        .open_deal(
            NewDeal {
                id: DealId::new("deal-1").unwrap(),
                title: "华东电网 CRM 二期".into(),
                account: Account {
                    name: "华东电网".into(),
                    ..Account::default()
                },
                amount: Money::from_major(50_000, Currency::CNY).unwrap(),
                expected_close: None,
                owner: user("rep"),
                team: None,
                source: None,
                stage: None,
            },
            &MoveContext {
                now: day(0),
                offset: offset!(+8),
                by: user("rep"),
                transition_id: record("t1"),
            },
        )
        .unwrap();
    deal
}

#[test]
fn syncing_sets_the_amount_and_the_product_lines() {
    let quote = with_lines(
        new_quote("q1", TaxBasis::Exclusive),
        vec![
            priced("seats", "seat", 60).with_discount(bp(500)),
            priced("training", "training", 3),
        ],
    );
    let mut deal = deal();
    quote
        .sync_to_deal(&mut deal, user("rep"), day(1), record("amount-1"))
        .unwrap();
    // seats 57,000.00 + VAT 7,410.00; training 7,200.00 + VAT 432.00: 72,042.00
    assert_eq!(deal.amount, cny(72_042_00));
    let change = deal.amount_changes.last().unwrap();
    assert_eq!(
        (change.from, change.to, change.id.as_str()),
        (cny(50_000_00), cny(72_042_00), "amount-1")
    );
    let seats = &deal.product_lines[&record("seats")];
    assert_eq!(seats.product_id, Some(product_id("seat")));
    assert_eq!(seats.product, "用户许可");
    assert_eq!((seats.quantity, seats.unit_price), (60, cny(1_000_00)));
    assert_eq!(seats.discount, bp(500));
    assert_eq!(deal.product_lines.len(), 2);

    // Another deal's quote, or an empty one, changes nothing.
    let before = deal.clone();
    let mut other = quote.clone();
    other.deal = DealId::new("deal-2").unwrap();
    let err = other
        .sync_to_deal(&mut deal, user("rep"), day(2), record("amount-2"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongDeal);
    let err = new_quote("q2", TaxBasis::Exclusive)
        .sync_to_deal(&mut deal, user("rep"), day(2), record("amount-2"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::EmptyQuote);
    assert_eq!(deal, before);
}

// ---- properties -------------------------------------------------------------------------

/// A random action by a random actor: the approvers are "rep" (the owner, level 0), "peer" (0),
/// "mgr" (1), "director" (2) and "vp" (3).
fn step() -> impl Strategy<Value = (QuoteAction, usize)> {
    let action = prop_oneof![
        (0u16..=4_000).prop_map(|discount| QuoteAction::Edit {
            edit: QuoteEdit::SetDiscount {
                discount: bp(discount)
            }
        }),
        (0u16..=4_000, 1i64..=200).prop_map(|(discount, quantity)| QuoteAction::Edit {
            edit: QuoteEdit::SetLine {
                line: Box::new(priced("seats", "seat", quantity).with_discount(bp(discount))),
            }
        }),
        Just(QuoteAction::Submit),
        Just(QuoteAction::Withdraw),
        Just(QuoteAction::Approve {
            comment: String::new()
        }),
        Just(QuoteAction::Reject {
            comment: "再议".into()
        }),
        Just(QuoteAction::Send),
    ];
    (action, 0usize..5)
}

const ACTORS: [(&str, u8); 5] = [
    ("rep", 0),
    ("peer", 0),
    ("mgr", 1),
    ("director", 2),
    ("vp", 3),
];

proptest! {
    /// Whatever happens, a quote is approved only when its discount needs no approval or when
    /// an approver of sufficient level (never the owner) approved it.
    #[test]
    fn approval_needs_sufficient_level(steps in prop::collection::vec(step(), 1..40)) {
        let mut quote = new_quote("q1", TaxBasis::Exclusive);
        for (action, actor) in steps {
            let (who, level) = ACTORS[actor];
            let Ok(next) = act(&quote, action, &ctx(who, level)) else { continue };
            if next.status == QuoteStatus::Approved && quote.status != QuoteStatus::Approved {
                let needed = policy().required_level(&next.totals().unwrap());
                match next.events.last().map(|event| &event.kind) {
                    Some(QuoteEventKind::Submitted { required_level: None }) => {
                        prop_assert_eq!(needed, None);
                    }
                    Some(QuoteEventKind::Approved { level: approver_level, .. }) => {
                        prop_assert!(*approver_level >= needed.unwrap_or(1).max(1));
                        prop_assert_ne!(who, "rep");
                        let decision = next.decision.as_ref().unwrap();
                        prop_assert!(decision.level >= decision.required_level);
                    }
                    other => prop_assert!(false, "approved by {:?}", other),
                }
            }
            quote = next;
        }
    }

    /// Two commands made against the same version: whichever the server applies first wins and
    /// the other is stale, in either order.
    #[test]
    fn concurrent_commands_have_one_winner(
        discount in 1_001u16..=4_000,
        first in step(),
        second in step(),
    ) {
        let pending = act(
            &with_lines(new_quote("q1", TaxBasis::Exclusive), vec![priced("seats", "seat", 10).with_discount(bp(discount))]),
            QuoteAction::Submit,
            &ctx("rep", 0),
        ).unwrap();
        let commands = [first, second].map(|(action, actor)| {
            (QuoteCommand { expected_version: pending.version, action }, ctx(ACTORS[actor].0, ACTORS[actor].1))
        });
        for order in [[0, 1], [1, 0]] {
            let [(a, a_ctx), (b, b_ctx)] = order.map(|index| commands[index].clone());
            let first_result = pending.decide(&a, &policy(), &a_ctx);
            let state = first_result.as_ref().map_or(&pending, |(next, _)| next);
            let second_result = state.decide(&b, &policy(), &b_ctx);
            if first_result.is_ok() {
                prop_assert_eq!(second_result.unwrap_err().code(), ErrorCode::StaleQuote);
            }
        }
    }

    /// The classic race: two approvers approve (or one approves, one rejects) the same pending
    /// quote; exactly one decision lands.
    #[test]
    fn two_approvers_cannot_both_win(discount in 1_001u16..=2_000, reject_second in any::<bool>(), swap in any::<bool>()) {
        let pending = act(
            &with_lines(new_quote("q1", TaxBasis::Exclusive), vec![priced("seats", "seat", 10).with_discount(bp(discount))]),
            QuoteAction::Submit,
            &ctx("rep", 0),
        ).unwrap();
        let approve = QuoteCommand {
            expected_version: pending.version,
            action: QuoteAction::Approve { comment: "同意".into() },
        };
        let other = QuoteCommand {
            expected_version: pending.version,
            action: if reject_second {
                QuoteAction::Reject { comment: "不同意".into() }
            } else {
                QuoteAction::Approve { comment: "同意".into() }
            },
        };
        let (mut a, mut b) = ((approve, ctx("mgr", 1)), (other, ctx("director", 2)));
        if swap {
            std::mem::swap(&mut a, &mut b);
        }
        let (after_first, _) = pending.decide(&a.0, &policy(), &a.1).unwrap();
        let second = after_first.decide(&b.0, &policy(), &b.1);
        prop_assert_eq!(second.unwrap_err().code(), ErrorCode::StaleQuote);
        let decisions = after_first
            .events
            .iter()
            .filter(|event| matches!(event.kind, QuoteEventKind::Approved { .. } | QuoteEventKind::Rejected { .. }))
            .count();
        prop_assert_eq!(decisions, 1);
    }
}
