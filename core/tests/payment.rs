//! Payment plans and receipts through the public API: exact splits, partial and over-payments,
//! currency checks, overdue ageing and the received + outstanding = total invariant.
#![allow(
    clippy::inconsistent_digit_grouping,
    reason = "amounts are written as yuan_fen"
)]

use dealflow_core::*;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::CNY)
}

fn record(id: &str) -> RecordId {
    RecordId::new(id).unwrap()
}

fn contract(amount: Money) -> Contract {
    Contract {
        id: ContractId::new("c-1").unwrap(),
        number: "HT-2026-0042".into(),
        deal: DealId::new("deal-1").unwrap(),
        quote: QuoteId::new("q-1").unwrap(),
        parties: vec![
            Party {
                role: PartyRole::Seller,
                name: "示例软件有限公司".into(),
                representative: None,
            },
            Party {
                role: PartyRole::Buyer,
                name: "华东电网".into(),
                representative: None,
            },
        ],
        amount,
        status: ContractStatus::Signed,
        signing: None,
        created_at: Timestamp::from_millis(0),
        created_by: UserId::new("rep").unwrap(),
    }
}

fn instalment(id: &str, due: Date, amount: Money) -> Instalment {
    Instalment {
        id: record(id),
        label: id.to_owned(),
        due,
        amount,
    }
}

fn receipt(id: &str, instalment: &str, amount: Money, received_on: Date) -> Receipt {
    Receipt {
        id: record(id),
        instalment: record(instalment),
        amount,
        received_on,
        reference: format!("BANK-{id}"),
        recorded_by: UserId::new("finance").unwrap(),
        recorded_at: Timestamp::from_millis(0),
    }
}

/// ¥10,000.00 in 30/60/10: 3,000.00 due 01-31, 6,000.00 due 03-31, 1,000.00 due 06-30.
fn plan() -> PaymentPlan {
    PaymentPlan::new(
        &contract(cny(10_000_00)),
        vec![
            instalment("down", date!(2026 - 01 - 31), cny(3_000_00)),
            instalment("acceptance", date!(2026 - 03 - 31), cny(6_000_00)),
            instalment("final", date!(2026 - 06 - 30), cny(1_000_00)),
        ],
    )
    .unwrap()
}

#[test]
fn custom_instalments_must_sum_to_the_contract() {
    let contract = contract(cny(10_000_00));
    let err = PaymentPlan::new(
        &contract,
        vec![
            instalment("a", date!(2026 - 01 - 31), cny(3_000_00)),
            instalment("b", date!(2026 - 03 - 31), cny(6_999_99)),
        ],
    )
    .unwrap_err();
    assert_eq!(
        err,
        PaymentError::InstalmentsDoNotSum {
            expected: cny(10_000_00),
            actual: cny(9_999_99)
        }
    );
    assert_eq!(
        err.localized(Locale::ZhCn),
        "各期金额合计 9999.99 CNY，合同金额为 10000.00 CNY：请调整至一致"
    );
    let cases = [
        (vec![], ErrorCode::InvalidPaymentPlan),
        (
            vec![
                instalment("a", date!(2026 - 01 - 31), cny(10_000_01)),
                instalment("b", date!(2026 - 01 - 31), cny(-1)),
            ],
            ErrorCode::InvalidPaymentPlan,
        ),
        (
            vec![
                instalment("a", date!(2026 - 01 - 31), cny(5_000_00)),
                instalment("a", date!(2026 - 01 - 31), cny(5_000_00)),
            ],
            ErrorCode::InvalidPaymentPlan,
        ),
        (
            vec![instalment(
                "a",
                date!(2026 - 01 - 31),
                Money::new(10_000_00, Currency::USD),
            )],
            ErrorCode::CurrencyMismatch,
        ),
    ];
    for (instalments, code) in cases {
        assert_eq!(
            PaymentPlan::new(&contract, instalments).unwrap_err().code(),
            code
        );
    }
}

#[test]
fn splits_build_plans_without_losing_a_fen() {
    // ¥1,000,000.01 in 3 equal parts: 333,333.34 + 333,333.34 + 333,333.33
    let contract = contract(cny(1_000_000_01));
    let schedule = || {
        ["a", "b", "c"]
            .into_iter()
            .zip([
                date!(2026 - 01 - 31),
                date!(2026 - 02 - 28),
                date!(2026 - 03 - 31),
            ])
            .map(|(id, due)| ScheduledInstalment {
                id: record(id),
                label: String::new(),
                due,
            })
            .collect::<Vec<_>>()
    };
    let amounts = |plan: PaymentPlan| -> Vec<i64> {
        plan.instalments
            .iter()
            .map(|instalment| instalment.amount.minor())
            .collect()
    };
    let equal = PaymentPlan::split(&contract, schedule(), &Split::Equal).unwrap();
    assert_eq!(amounts(equal), [333_333_34, 333_333_34, 333_333_33]);
    // 30/60/10 of 100,000,001 fen: exact 30,000,000.3, 60,000,000.6, 10,000,000.1 → floors sum
    // to 100,000,000, one fen missing → the .6
    let shares = PaymentPlan::split(
        &contract,
        schedule(),
        &Split::BasisPoints(vec![3_000, 6_000, 1_000]),
    )
    .unwrap();
    assert_eq!(amounts(shares), [300_000_00, 600_000_01, 100_000_00]);
    let err = PaymentPlan::split(
        &contract,
        schedule(),
        &Split::BasisPoints(vec![3_000, 6_000, 1_001]),
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSplit);
    let custom = Split::Custom(vec![cny(1), cny(2), cny(1_000_000_01 - 3)]);
    let plan = PaymentPlan::split(&contract, schedule(), &custom).unwrap();
    assert_eq!(amounts(plan), [1, 2, 99_999_998]);
}

#[test]
fn receipts_partial_and_over_payments() {
    let mut plan = plan();
    plan.record_receipt(receipt("r1", "down", cny(1_000_00), date!(2026 - 01 - 20)))
        .unwrap();
    plan.record_receipt(receipt("r2", "down", cny(2_500_00), date!(2026 - 02 - 05)))
        .unwrap();
    plan.record_receipt(receipt(
        "r3",
        "acceptance",
        cny(2_000_00),
        date!(2026 - 04 - 10),
    ))
    .unwrap();
    let status = plan.collection(date!(2026 - 04 - 15)).unwrap();
    // down: 1,000.00 + 2,500.00 = 3,500.00 against 3,000.00: paid, 500.00 credit
    // acceptance: 2,000.00 of 6,000.00: 4,000.00 outstanding, due 03-31 → 15 days overdue
    // final: due 06-30, nothing yet
    assert_eq!(status.received, cny(5_000_00));
    assert_eq!(status.outstanding, cny(5_000_00));
    assert_eq!(status.credit, cny(500_00));
    assert_eq!(status.overdue.days_0_30, cny(4_000_00));
    assert_eq!(status.overdue.total().unwrap(), cny(4_000_00));
    let states: Vec<(InstalmentState, i64, Option<AgeBucket>)> = status
        .instalments
        .iter()
        .map(|instalment| {
            (
                instalment.state,
                instalment.days_past_due,
                instalment.bucket,
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            (InstalmentState::Paid, 0, None),
            (InstalmentState::PartlyPaid, 15, Some(AgeBucket::Days0To30)),
            (InstalmentState::Unpaid, 0, None),
        ]
    );
}

#[test]
fn overdue_amounts_age_into_buckets() {
    let plan = plan();
    // On 2026-07-05: down (01-31) is 155 days overdue, acceptance (03-31) 96, final (06-30) 5.
    let status = plan.collection(date!(2026 - 07 - 05)).unwrap();
    assert_eq!(status.overdue.over_90, cny(9_000_00));
    assert_eq!(status.overdue.days_0_30, cny(1_000_00));
    assert_eq!(status.overdue.days_31_60, cny(0));
    // On 2026-05-01: down is 90 days overdue (61–90), acceptance 31 (31–60), final not due.
    let status = plan.collection(date!(2026 - 05 - 01)).unwrap();
    assert_eq!(status.overdue.get(AgeBucket::Days61To90), cny(3_000_00));
    assert_eq!(status.overdue.get(AgeBucket::Days31To60), cny(6_000_00));
    assert_eq!(status.overdue.get(AgeBucket::Days0To30), cny(0));
    assert_eq!(AgeBucket::Over90.label().zh_cn, "逾期 90 天以上");
}

#[test]
fn collection_is_as_of_the_day_given() {
    let mut plan = plan();
    plan.record_receipt(receipt("r1", "down", cny(3_000_00), date!(2026 - 02 - 10)))
        .unwrap();
    let before = plan.collection(date!(2026 - 02 - 09)).unwrap();
    assert_eq!(before.received, cny(0));
    assert_eq!(before.overdue.days_0_30, cny(3_000_00)); // 9 days overdue
    let after = plan.collection(date!(2026 - 02 - 10)).unwrap();
    assert_eq!(after.received, cny(3_000_00));
    assert_eq!(after.overdue.total().unwrap(), cny(0));
}

#[test]
fn bad_receipts_are_rejected() {
    let mut plan = plan();
    let cases = [
        (
            receipt(
                "r1",
                "down",
                Money::new(100_00, Currency::USD),
                date!(2026 - 01 - 20),
            ),
            ErrorCode::CurrencyMismatch,
        ),
        (
            receipt("r1", "nope", cny(100_00), date!(2026 - 01 - 20)),
            ErrorCode::UnknownInstalment,
        ),
        (
            receipt("r1", "down", cny(0), date!(2026 - 01 - 20)),
            ErrorCode::InvalidReceipt,
        ),
        (
            receipt("r1", "down", cny(-5), date!(2026 - 01 - 20)),
            ErrorCode::InvalidReceipt,
        ),
    ];
    for (bad, code) in cases {
        assert_eq!(plan.record_receipt(bad).unwrap_err().code(), code);
    }
    assert!(plan.receipts.is_empty());
    let err = plan
        .record_receipt(receipt(
            "r1",
            "down",
            Money::new(100_00, Currency::USD),
            date!(2026 - 01 - 20),
        ))
        .unwrap_err();
    assert_eq!(
        err.localized(Locale::ZhCn),
        "回款 r1 的币种为 USD，合同币种为 CNY：请按实际入账的 CNY 金额登记"
    );

    // The same receipt twice is a harmless retry; another receipt under its id is an error.
    let good = receipt("r1", "down", cny(100_00), date!(2026 - 01 - 20));
    plan.record_receipt(good.clone()).unwrap();
    plan.record_receipt(good.clone()).unwrap();
    assert_eq!(plan.receipts.len(), 1);
    let clash = receipt("r1", "down", cny(200_00), date!(2026 - 01 - 20));
    assert_eq!(
        plan.record_receipt(clash).unwrap_err().code(),
        ErrorCode::InvalidReceipt
    );
    assert_eq!(plan.remove_receipt(&record("r1")).unwrap(), good);
    assert_eq!(
        plan.remove_receipt(&record("r1")).unwrap_err().code(),
        ErrorCode::UnknownReceipt
    );
}

#[test]
fn plans_from_data_are_checked() {
    let mut plan = plan();
    plan.record_receipt(receipt("r1", "down", cny(100_00), date!(2026 - 01 - 20)))
        .unwrap();
    let json = serde_json::to_string(&plan).unwrap();
    let back: PaymentPlan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
    back.validate().unwrap();
    let mut corrupt = back.clone();
    corrupt.total = cny(1);
    assert_eq!(
        corrupt.validate().unwrap_err().code(),
        ErrorCode::InstalmentsDoNotSum
    );
    assert_eq!(
        corrupt
            .collection(date!(2026 - 02 - 01))
            .unwrap_err()
            .code(),
        ErrorCode::InstalmentsDoNotSum
    );
}

// ---- properties -------------------------------------------------------------------------

fn scenario() -> impl Strategy<Value = (i64, usize, Vec<(usize, i64, i64)>, i64)> {
    (
        1i64..=1_000_000_000_00,
        1usize..=24,
        prop::collection::vec((0usize..24, 1i64..=500_000_000_00, 0i64..=800), 0..40),
        0i64..=900,
    )
}

proptest! {
    /// received + outstanding = total on every day, whatever is paid when; credit is exactly
    /// what was received beyond the instalments; overdue never exceeds outstanding.
    #[test]
    fn received_plus_outstanding_is_the_total((total, count, payments, as_of) in scenario()) {
        let start = date!(2026 - 01 - 01);
        let contract = contract(cny(total));
        let schedule = (0..count)
            .map(|index| ScheduledInstalment {
                id: record(&format!("i{index}")),
                label: String::new(),
                due: start + time::Duration::days(30 * index as i64),
            })
            .collect();
        let Ok(mut plan) = PaymentPlan::split(&contract, schedule, &Split::Equal) else {
            // Fewer fen than instalments leaves a zero instalment, which plans refuse.
            prop_assert!(total < count as i64);
            return Ok(());
        };
        let today = start + time::Duration::days(as_of);
        let mut counted = 0i64;
        for (index, (instalment, amount, offset)) in payments.into_iter().enumerate() {
            let on = start + time::Duration::days(offset);
            let target = format!("i{}", instalment % count);
            plan.record_receipt(receipt(&format!("r{index}"), &target, cny(amount), on)).unwrap();
            if on <= today {
                counted += amount;
            }
        }
        let status = plan.collection(today).unwrap();
        prop_assert_eq!(status.received.checked_add(status.outstanding).unwrap(), cny(total));
        prop_assert_eq!(status.received.checked_add(status.credit).unwrap(), cny(counted));
        prop_assert!(status.overdue.total().unwrap().minor() <= status.outstanding.minor());
        prop_assert!(!status.received.is_negative() && !status.outstanding.is_negative());
    }

    /// Percentage splits build valid plans that sum to the contract whenever every part is
    /// positive.
    #[test]
    fn percentage_plans_sum_to_the_contract(total in 1i64..=i64::MAX / 2, cut in 1u16..10_000) {
        let contract = contract(cny(total));
        let schedule = vec![
            ScheduledInstalment { id: record("a"), label: String::new(), due: date!(2026 - 01 - 31) },
            ScheduledInstalment { id: record("b"), label: String::new(), due: date!(2026 - 02 - 28) },
        ];
        match PaymentPlan::split(&contract, schedule, &Split::BasisPoints(vec![cut, 10_000 - cut])) {
            Ok(plan) => {
                let sum = Money::sum(Currency::CNY, plan.instalments.iter().map(|i| i.amount)).unwrap();
                prop_assert_eq!(sum, cny(total));
            }
            Err(error) => prop_assert_eq!(error.code(), ErrorCode::InvalidPaymentPlan),
        }
    }
}
