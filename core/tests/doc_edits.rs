//! Contract tests of the deal-document edits that bindings call one by one: opening a deal
//! straight into a document, and the account, budget, source, campaign and deal-team edits.

use dealflow_core::automerge::ActorId;
use dealflow_core::*;
use time::macros::offset;

const START: i64 = 1_764_000_000_000;

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn at(day: i64) -> Timestamp {
    Timestamp::from_millis(START + day * MILLIS_PER_DAY)
}

fn ctx(day: i64, transition: &str) -> MoveContext {
    MoveContext {
        now: at(day),
        offset: offset!(+8),
        by: user("rep-li"),
        transition_id: RecordId::new(transition).unwrap(),
    }
}

fn new_deal(stage: Option<&str>) -> NewDeal {
    NewDeal {
        id: DealId::new("deal-1").unwrap(),
        title: "华东电网 CRM 二期".into(),
        account: Account {
            name: "华东电网".into(),
            ..Account::default()
        },
        amount: Money::from_major(100_000, Currency::CNY).unwrap(),
        expected_close: None,
        owner: user("rep-li"),
        team: None,
        source: None,
        stage: stage.map(|stage| StageId::new(stage).unwrap()),
    }
}

fn open() -> DealDoc {
    let pipeline = Pipeline::template_new_business();
    let (doc, _tasks) = DealDoc::open(
        &pipeline,
        new_deal(None),
        &ctx(0, "t1"),
        ActorId::from(*b"a"),
    )
    .unwrap();
    doc
}

#[test]
fn open_creates_the_document_with_the_first_stage_and_its_tasks() {
    let pipeline = Pipeline::template_new_business();
    let (doc, tasks) = DealDoc::open(
        &pipeline,
        new_deal(None),
        &ctx(0, "t1"),
        ActorId::from(*b"a"),
    )
    .unwrap();
    let read = doc.read().unwrap();
    assert!(read.problems.is_empty(), "{:?}", read.problems);
    assert_eq!(read.deal.stage().map(StageId::as_str), Some("qualify"));
    assert_eq!(read.deal.created_by, user("rep-li"));
    assert_eq!(tasks.len(), read.deal.tasks.len());
    assert!(!tasks.is_empty());
}

#[test]
fn open_into_a_stage_with_unmet_entry_criteria_creates_nothing() {
    let pipeline = Pipeline::template_new_business();
    let error = DealDoc::open(
        &pipeline,
        new_deal(Some("negotiate")),
        &ctx(0, "t1"),
        ActorId::from(*b"a"),
    )
    .unwrap_err();
    assert_eq!(error.code(), ErrorCode::MoveRejected);
    let Error::Pipeline(PipelineError::MoveRejected(rejected)) = error else {
        panic!("expected a rejected move");
    };
    assert!(rejected.unmet_criteria().count() > 0);
}

#[test]
fn account_budget_source_and_campaign_edits_round_trip_and_skip_no_ops() {
    let mut doc = open();
    let rep = user("rep-li");
    let account = Account {
        name: "华东电网".into(),
        industry: Some("能源".into()),
        size: Some(CompanySize::Enterprise),
        region: Some("华东".into()),
        background: "省级电网公司".into(),
        ..Account::default()
    };
    let budget = Budget {
        min: Some(Money::from_major(80_000, Currency::CNY).unwrap()),
        max: Some(Money::from_major(120_000, Currency::CNY).unwrap()),
        confirmed: true,
        approval_cycle: "季度预算，总经理审批".into(),
    };
    assert!(doc.set_account(&rep, at(1), &account).unwrap());
    assert!(!doc.set_account(&rep, at(1), &account).unwrap());
    assert!(doc.set_budget(&rep, at(1), &budget).unwrap());
    assert!(!doc.set_budget(&rep, at(1), &budget).unwrap());
    assert!(doc.set_source(&rep, at(1), Some("trade_show")).unwrap());
    assert!(
        doc.set_campaign(&rep, at(1), Some("2026 春季展会"))
            .unwrap()
    );
    assert!(
        !doc.set_campaign(&rep, at(1), Some("2026 春季展会"))
            .unwrap()
    );
    let deal = doc.read().unwrap().deal;
    assert_eq!(
        (deal.account, deal.budget, deal.source, deal.campaign),
        (
            account,
            budget,
            Some("trade_show".to_owned()),
            Some("2026 春季展会".to_owned())
        )
    );
    assert!(doc.set_source(&rep, at(2), None).unwrap());
    assert_eq!(doc.read().unwrap().deal.source, None);
}

#[test]
fn concurrent_account_edit_and_background_typing_both_survive() {
    let mut laptop = open();
    let mut phone = laptop.fork(ActorId::from(*b"phone"));
    let rep = user("rep-li");
    let mut account = laptop.read().unwrap().deal.account;
    account.industry = Some("能源".into());
    laptop.set_account(&rep, at(1), &account).unwrap();
    phone
        .update_text(&rep, at(1), &TextField::AccountBackground, "省级电网")
        .unwrap();
    laptop.merge(&mut phone).unwrap();
    let deal = laptop.read().unwrap().deal;
    assert_eq!(deal.account.industry.as_deref(), Some("能源"));
    assert_eq!(deal.account.background, "省级电网");
}

#[test]
fn deal_team_members_are_added_changed_and_removed() {
    let mut doc = open();
    let rep = user("rep-li");
    let presales = user("se-zhao");
    assert!(
        doc.set_deal_team_member(&rep, at(1), &presales, Some(DealRole::Presales))
            .unwrap()
    );
    assert!(
        !doc.set_deal_team_member(&rep, at(1), &presales, Some(DealRole::Presales))
            .unwrap()
    );
    assert_eq!(
        doc.read().unwrap().deal.deal_team.get(&presales),
        Some(&DealRole::Presales)
    );
    assert!(
        doc.set_deal_team_member(&rep, at(2), &presales, Some(DealRole::Delivery))
            .unwrap()
    );
    assert!(
        doc.set_deal_team_member(&rep, at(3), &presales, None)
            .unwrap()
    );
    assert!(doc.read().unwrap().deal.deal_team.is_empty());
    assert!(
        !doc.set_deal_team_member(&rep, at(3), &presales, None)
            .unwrap()
    );
}
