//! Input-only types, built as the Rust declarations the TypeScript types are generated from,
//! are read correctly by the binding: the declared field names and the readers agree.

#[cfg(feature = "compute")]
use dealflow_wasm::Quote;
use dealflow_wasm::dto::{
    Account, AttentionConfig, EditContext, Money, MoveContext, MoveTarget, NewDeal, StageAmount,
    TextField,
};
#[cfg(feature = "compute")]
use dealflow_wasm::dto::{
    ApprovalPolicy, ApprovalThreshold, LinePrice, LocalizedText, NewQuote, QuoteAction,
    QuoteCommand, QuoteContext, QuoteEdit, QuoteLine, TaxBasis,
};
use dealflow_wasm::{DealDoc, Pipeline, Workspace};
use serde::Serialize;
use tsify::{Ts, Tsify};
use wasm_bindgen_test::wasm_bindgen_test;

use super::support::{actor, arg, day, deal, out};

fn declared<T: Serialize + Tsify>(value: &T) -> Ts<T> {
    arg(&serde_json::to_value(value).expect("declarations serialize"))
}

fn cny(minor: i64) -> Money {
    Money {
        minor,
        currency: "CNY".into(),
    }
}

#[wasm_bindgen_test]
fn deal_inputs_match_their_declarations() {
    let pipeline = Pipeline::new_business();
    let new = NewDeal {
        id: "deal-d".into(),
        title: "声明".into(),
        account: Account {
            name: "客户".into(),
            industry: Some("能源".into()),
            ..Account::default()
        },
        amount: cny(100),
        expected_close: Some(time::macros::date!(2026 - 05 - 01)),
        owner: "rep-li".into(),
        team: Some("team-east".into()),
        source: Some("web".into()),
        stage: Some("qualify".into()),
    };
    let ctx = MoveContext {
        by: "rep-li".into(),
        now: day(0),
        utc_offset_minutes: 480,
        transition_id: "t0".into(),
    };
    let doc = DealDoc::open(&pipeline, &declared(&new), &declared(&ctx), &actor(9)).unwrap();
    let read = deal(&doc);
    assert_eq!(read["expectedClose"], "2026-05-01");
    assert_eq!(read["team"], "team-east");
    assert_eq!(read["account"]["industry"], "能源");

    let edit = declared(&EditContext {
        by: "rep-li".into(),
        now: day(1),
    });
    doc.update_text(&edit, &declared(&TextField::Needs), "需求")
        .unwrap();
    doc.update_text(&edit, &declared(&TextField::BusinessValue), "价值")
        .unwrap();
    doc.update_text(&edit, &declared(&TextField::AccountBackground), "背景")
        .unwrap();
    let read = deal(&doc);
    assert_eq!(
        (read["needs"].clone(), read["businessValue"].clone()),
        ("需求".into(), "价值".into())
    );
    assert_eq!(read["account"]["background"], "背景");
    for field in [
        TextField::FollowUpSummary { record: "f".into() },
        TextField::FollowUpFeedback { record: "f".into() },
        TextField::CommentText { record: "m".into() },
    ] {
        let error = super::support::code(doc.update_text(&edit, &declared(&field), "x"));
        assert_eq!(error, "unknown_record", "{field:?} names a record");
    }

    let to = |target: MoveTarget, n: i64, id: &str| {
        let ctx = MoveContext {
            by: "rep-li".into(),
            now: day(n),
            utc_offset_minutes: 480,
            transition_id: id.into(),
        };
        doc.move_stage(&pipeline, &declared(&target), &declared(&ctx))
            .map(|outcome| out(&outcome)["transition"]["kind"].clone())
    };
    assert_eq!(
        to(
            MoveTarget::Stage {
                stage: "needs".into()
            },
            2,
            "t1"
        )
        .unwrap(),
        "forward"
    );
    let stop = MoveTarget::Stopped {
        reason: "budget_frozen".into(),
        note: "预算冻结".into(),
    };
    let stopped = to(stop, 3, "t2").unwrap();
    assert_eq!(stopped, "stopped");
    assert_eq!(
        to(
            MoveTarget::Reopen {
                stage: "needs".into()
            },
            4,
            "t3"
        )
        .unwrap(),
        "reopened"
    );
    let lost = MoveTarget::Lost {
        reason: "price".into(),
        note: "价格".into(),
    };
    assert_eq!(to(lost, 5, "t4").unwrap(), "lost");
    assert!(
        to(MoveTarget::Won, 6, "t5").is_err(),
        "a lost deal cannot be won"
    );
}

#[wasm_bindgen_test]
fn workspace_and_pipeline_inputs_match_their_declarations() {
    let pipeline = Pipeline::new_business();
    let amounts = vec![declared(&StageAmount {
        stage_id: "demo".into(),
        amount: cny(1_000),
    })];
    assert_eq!(
        out(&pipeline.weighted_value(amounts, "CNY").unwrap())["minor"],
        400
    );
    let workspace = Workspace::new(480).unwrap();
    let config = AttentionConfig {
        follow_up_days: 3,
        decision_maker_grace_days: 5,
    };
    let lists = out(&workspace
        .attention(day(1) as f64, Some(declared(&config)))
        .unwrap());
    assert_eq!(lists["stalledDeals"], serde_json::json!([]));
}

// `Quote` is in the compute module.
#[cfg(feature = "compute")]
#[wasm_bindgen_test]
fn quote_inputs_match_their_declarations() {
    let new = NewQuote {
        id: "q-d".into(),
        deal: "deal-d".into(),
        owner: "rep-li".into(),
        currency: "CNY".into(),
        valid_until: time::macros::date!(2026 - 03 - 31),
        tax_basis: TaxBasis::Inclusive,
    };
    let mut quote = Quote::create(&declared(&new), day(0) as f64).unwrap();
    let policy = declared(&ApprovalPolicy {
        thresholds: vec![ApprovalThreshold {
            above_bp: 1_000,
            level: 1,
        }],
    });
    let ctx = declared(&QuoteContext {
        user: "rep-li".into(),
        level: 0,
        now: day(1),
        utc_offset_minutes: 480,
    });
    let line = QuoteLine {
        id: "l1".into(),
        product: None,
        sku: None,
        name: LocalizedText {
            zh: "实施服务".into(),
            en: "Implementation".into(),
        },
        unit: LocalizedText {
            zh: "人天".into(),
            en: "person-day".into(),
        },
        quantity: 10,
        price: LinePrice::Custom {
            unit_price: cny(200_000),
            catalog: None,
        },
        discount_bp: 0,
        tax_rate_bp: 600,
    };
    let edits = [
        QuoteEdit::SetLine {
            line: Box::new(line),
        },
        QuoteEdit::SetDiscount { discount_bp: 500 },
        QuoteEdit::SetTaxBasis {
            basis: TaxBasis::Exclusive,
        },
        QuoteEdit::SetValidUntil {
            date: time::macros::date!(2026 - 04 - 15),
        },
    ];
    for edit in edits {
        let command = QuoteCommand {
            expected_version: quote.version() as u64,
            action: QuoteAction::Edit { edit },
        };
        quote.decide(&declared(&command), &policy, &ctx).unwrap();
    }
    let data = out(&quote.data().unwrap());
    assert_eq!(data["discountBp"], 500);
    assert_eq!(data["taxBasis"], "exclusive");
    assert_eq!(data["validUntil"], "2026-04-15");
    assert_eq!(data["lines"][0]["taxRateBp"], 600);
    let submit = QuoteCommand {
        expected_version: quote.version() as u64,
        action: QuoteAction::Submit,
    };
    let event = out(&quote.decide(&declared(&submit), &policy, &ctx).unwrap());
    assert_eq!(event["event"]["kind"], "submitted");
    let remove = QuoteCommand {
        expected_version: quote.version() as u64,
        action: QuoteAction::Edit {
            edit: QuoteEdit::RemoveLine { line: "l1".into() },
        },
    };
    quote.decide(&declared(&remove), &policy, &ctx).unwrap();
    assert_eq!(out(&quote.data().unwrap())["lines"], serde_json::json!([]));
}
