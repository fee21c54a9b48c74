//! Contracts through the public API: made from accepted quotes only, and signing wins the deal
//! through the pipeline's rules or changes nothing.

use dealflow_core::*;
use time::macros::{date, offset};

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn record(id: &str) -> RecordId {
    RecordId::new(id).unwrap()
}

fn day(n: i64) -> Timestamp {
    Timestamp::start_of_day(date!(2026 - 03 - 01), offset!(+8)).plus_days(n)
}

fn move_ctx(n: i64, id: &str) -> MoveContext {
    MoveContext {
        now: day(n),
        offset: offset!(+8),
        by: user("rep"),
        transition_id: record(id),
    }
}

/// A deal in the first stage of the solution-sales pipeline, whose exit needs the needs
/// written down.
fn deal(pipeline: &Pipeline) -> Deal {
    let (deal, _) = pipeline
        .open_deal(
            NewDeal {
                id: DealId::new("deal-1").unwrap(),
                title: "华东电网 CRM 二期".into(),
                account: Account {
                    name: "华东电网".into(),
                    ..Account::default()
                },
                amount: Money::from_major(100_000, Currency::CNY).unwrap(),
                expected_close: None,
                owner: user("rep"),
                team: None,
                source: None,
                stage: None,
            },
            &move_ctx(0, "t1"),
        )
        .unwrap();
    deal
}

/// Ticks the solution-sales template's last exit criterion, the returned signed contract:
/// winning from any stage needs it because the template lets deals skip stages.
fn contract_returned(deal: &mut Deal) {
    deal.checklist.insert(
        "contract_signed".to_owned(),
        ChecklistTick {
            by: user("rep"),
            at: day(4),
        },
    );
}

/// A quote for ¥11,300.00 (10,000.00 + 13 % VAT) taken to `status`.
fn quote(until: QuoteStatus) -> Quote {
    let mut quote = Quote::new(
        NewQuote {
            id: QuoteId::new("q-1").unwrap(),
            deal: DealId::new("deal-1").unwrap(),
            owner: user("rep"),
            currency: Currency::CNY,
            valid_until: date!(2026 - 03 - 31),
            tax_basis: TaxBasis::Exclusive,
        },
        day(0),
    );
    let line = QuoteLine::ad_hoc(
        record("l1"),
        LocalizedText::new("CRM 实施", "CRM implementation"),
        LocalizedText::new("项", "lot"),
        1,
        Money::from_major(10_000, Currency::CNY).unwrap(),
        TaxRate::from_basis_points(1_300).unwrap(),
    )
    .unwrap();
    let ctx = QuoteContext {
        actor: Approver {
            user: user("rep"),
            level: 0,
        },
        now: day(1),
        offset: offset!(+8),
    };
    let actions = [
        QuoteAction::Edit {
            edit: QuoteEdit::SetLine {
                line: Box::new(line),
            },
        },
        QuoteAction::Submit,
        QuoteAction::Send,
        QuoteAction::Accept,
    ];
    for action in actions {
        if quote.status == until {
            break;
        }
        let command = QuoteCommand {
            expected_version: quote.version,
            action,
        };
        quote = quote
            .decide(&command, &ApprovalPolicy::default(), &ctx)
            .unwrap()
            .0;
    }
    assert_eq!(quote.status, until);
    quote
}

fn parties() -> Vec<Party> {
    vec![
        Party {
            role: PartyRole::Seller,
            name: "示例软件有限公司".into(),
            representative: None,
        },
        Party {
            role: PartyRole::Buyer,
            name: "华东电网".into(),
            representative: Some("张总".into()),
        },
    ]
}

fn new_contract() -> NewContract {
    NewContract {
        id: ContractId::new("c-1").unwrap(),
        number: " HT-2026-0042 ".into(),
        parties: parties(),
    }
}

fn signature() -> ContractSignature {
    ContractSignature {
        signed_on: date!(2026 - 03 - 05),
        file: "s3://contracts/HT-2026-0042.pdf".into(),
    }
}

#[test]
fn only_an_accepted_quote_becomes_a_contract() {
    for status in [QuoteStatus::Draft, QuoteStatus::Approved, QuoteStatus::Sent] {
        let err =
            Contract::from_quote(&quote(status), new_contract(), user("rep"), day(2)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::QuoteNotAccepted);
    }
    let contract = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        new_contract(),
        user("rep"),
        day(2),
    )
    .unwrap();
    assert_eq!(
        contract.amount,
        Money::from_major(11_300, Currency::CNY).unwrap()
    );
    assert_eq!(contract.number, "HT-2026-0042");
    assert_eq!(contract.status, ContractStatus::Draft);
    assert_eq!(contract.deal.as_str(), "deal-1");
}

#[test]
fn contracts_list_every_problem() {
    let err = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        NewContract {
            number: "  ".into(),
            parties: vec![Party {
                role: PartyRole::Other,
                name: "".into(),
                representative: None,
            }],
            ..new_contract()
        },
        user("rep"),
        day(2),
    )
    .unwrap_err();
    let ContractError::Invalid { problems, .. } = &err else {
        panic!("an invalid contract, got {err:?}");
    };
    assert_eq!(
        problems,
        &[
            ContractProblem::EmptyNumber,
            ContractProblem::NoBuyer,
            ContractProblem::NoSeller,
            ContractProblem::UnnamedParty,
        ]
    );
    assert_eq!(
        err.localized(Locale::ZhCn),
        "合同 c-1 信息有误：请填写合同编号；请添加买方；请添加卖方；每个签约方都须填写名称"
    );
}

#[test]
fn signing_wins_the_deal_and_sets_its_amount() {
    let pipeline = Pipeline::template_solution_sales();
    let mut deal = deal(&pipeline);
    deal.needs = "统一客户服务平台".into();
    contract_returned(&mut deal);
    let mut contract = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        new_contract(),
        user("rep"),
        day(2),
    )
    .unwrap();
    let outcome = contract
        .sign(&mut deal, &pipeline, &signature(), &move_ctx(5, "t2"))
        .unwrap()
        .unwrap();
    assert_eq!(outcome.transition.kind, TransitionKind::Won);
    assert_eq!(deal.status(), DealStatus::Won);
    assert_eq!(deal.amount, contract.amount);
    let change = deal.amount_changes.last().unwrap();
    assert_eq!(change.id.as_str(), "t2.amount");
    assert_eq!(contract.status, ContractStatus::Signed);
    let signing = contract.signing.as_ref().unwrap();
    assert_eq!(signing.signed_on, date!(2026 - 03 - 05));
    assert_eq!(signing.file, "s3://contracts/HT-2026-0042.pdf");
    contract.validate().unwrap();
    let again = contract.sign(&mut deal, &pipeline, &signature(), &move_ctx(6, "t3"));
    assert_eq!(again.unwrap_err().code(), ErrorCode::ContractAlreadySigned);
}

#[test]
fn a_rejected_move_leaves_contract_and_deal_unchanged() {
    let pipeline = Pipeline::template_solution_sales();
    let mut deal = deal(&pipeline); // the needs are not written down yet
    let mut contract = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        new_contract(),
        user("rep"),
        day(2),
    )
    .unwrap();
    let (deal_before, contract_before) = (deal.clone(), contract.clone());
    let err = contract
        .sign(&mut deal, &pipeline, &signature(), &move_ctx(5, "t2"))
        .unwrap_err();
    let ContractError::Pipeline(PipelineError::MoveRejected(rejected)) = &err else {
        panic!("the move must be rejected, got {err:?}");
    };
    let unmet: Vec<&str> = rejected
        .unmet_criteria()
        .map(|criterion| criterion.criterion.as_str())
        .collect();
    // The current stage's exit criterion and, because winning skips to the end, the last
    // stage's: every unmet criterion is reported at once.
    assert_eq!(unmet, ["discuss_needs", "contract_signed"]);
    assert_eq!(err.code(), ErrorCode::MoveRejected);
    assert_eq!(deal, deal_before);
    assert_eq!(contract, contract_before);
}

#[test]
fn signing_a_won_deal_records_the_contract_only() {
    let pipeline = Pipeline::template_solution_sales();
    let mut deal = deal(&pipeline);
    deal.needs = "统一客户服务平台".into();
    contract_returned(&mut deal);
    pipeline
        .move_deal(&mut deal, &MoveTarget::Won, &move_ctx(3, "won"))
        .unwrap();
    let history = deal.history.len();
    let mut contract = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        new_contract(),
        user("rep"),
        day(2),
    )
    .unwrap();
    let outcome = contract
        .sign(&mut deal, &pipeline, &signature(), &move_ctx(5, "t2"))
        .unwrap();
    assert_eq!(outcome, None);
    assert_eq!(deal.history.len(), history);
    assert_eq!(contract.status, ContractStatus::Signed);
}

#[test]
fn bad_signings_are_typed_errors() {
    let pipeline = Pipeline::template_solution_sales();
    let mut deal = deal(&pipeline);
    deal.needs = "统一客户服务平台".into();
    let mut contract = Contract::from_quote(
        &quote(QuoteStatus::Accepted),
        new_contract(),
        user("rep"),
        day(2),
    )
    .unwrap();
    let no_file = ContractSignature {
        file: " ".into(),
        ..signature()
    };
    let future = ContractSignature {
        signed_on: date!(2026 - 03 - 07),
        ..signature()
    };
    for bad in [no_file, future] {
        let err = contract
            .sign(&mut deal, &pipeline, &bad, &move_ctx(5, "t2"))
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidSigning);
    }
    let mut other = deal.clone();
    other.id = DealId::new("deal-2").unwrap();
    let err = contract
        .sign(&mut other, &pipeline, &signature(), &move_ctx(5, "t2"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::WrongDeal);
    assert_eq!(
        err.localized(Locale::ZhCn),
        "合同 c-1 属于商机 deal-1，而非 deal-2"
    );
    assert_eq!(deal.status(), DealStatus::Open);
    assert_eq!(contract.status, ContractStatus::Draft);
}
