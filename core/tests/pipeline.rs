//! Contract tests of pipelines and stage moves, through the public API only: the documented
//! workflow, the templates as configuration data, and property tests of the history
//! invariants under random sequences of moves and edits.

use dealflow_core::{
    Account, ContactId, ContactRole, Currency, Deal, DealId, DealStatus, Error, FollowUp,
    FollowUpKind, Influence, Money, MoveContext, MoveProblem, MoveRules, MoveTarget, NewDeal,
    Pipeline, PipelineError, RecordId, StageId, Stance, Timestamp, TransitionKind, UserId,
};
use dealflow_core::{Contact, Locale, Localized};
use proptest::prelude::*;
use time::macros::offset;

/// 2026-03-02 00:00 in Beijing.
const DAY_ZERO: i64 = 1_772_380_800_000;

fn ctx(id: &str, millis: i64) -> MoveContext {
    MoveContext {
        now: Timestamp::from_millis(millis),
        offset: offset!(+8),
        by: UserId::new("rep-li").unwrap(),
        transition_id: RecordId::new(id).unwrap(),
    }
}

fn new_deal() -> NewDeal {
    NewDeal {
        id: DealId::new("deal-1").unwrap(),
        title: "华东电网 CRM 二期".into(),
        account: Account {
            name: "华东电网".into(),
            ..Account::default()
        },
        amount: Money::from_major(100_000, Currency::CNY).unwrap(),
        expected_close: None,
        owner: UserId::new("rep-li").unwrap(),
        team: None,
        source: Some("trade_show".into()),
        stage: None,
    }
}

fn stage(id: &str) -> MoveTarget {
    MoveTarget::Stage {
        stage: StageId::new(id).unwrap(),
    }
}

#[test]
fn a_rejected_move_lists_the_whole_checklist_then_succeeds_once_fixed() -> Result<(), Error> {
    let pipeline = Pipeline::template_new_business();
    let (mut deal, _) = pipeline.open_deal(new_deal(), &ctx("t1", DAY_ZERO))?;
    deal.account.industry = Some("能源".into());
    deal.needs = "统一客服平台".into();
    pipeline.move_deal(&mut deal, &stage("needs"), &ctx("t2", DAY_ZERO + 1))?;

    // needs → demo: two exit criteria of needs and two entry criteria of demo, all at once.
    let Err(Error::Pipeline(PipelineError::MoveRejected(rejected))) = pipeline
        .move_deal(&mut deal, &stage("demo"), &ctx("t3", DAY_ZERO + 2))
        .map_err(Error::from)
    else {
        panic!("the move must be rejected");
    };
    let checklist: Vec<(&str, &str)> = rejected
        .unmet_criteria()
        .map(|unmet| (unmet.criterion.as_str(), unmet.message.zh_cn.as_str()))
        .collect();
    assert_eq!(
        checklist,
        [
            ("needs_value", "填写预期业务价值"),
            ("needs_close_date", "填写预计成交日期"),
            ("demo_budget", "确认预算范围"),
            ("demo_decision_maker", "确认决策者"),
        ]
    );
    assert!(
        rejected
            .localized(Locale::ZhCn)
            .starts_with("商机 deal-1 无法变更阶段")
    );
    let error = Error::from(PipelineError::MoveRejected(rejected));
    assert_eq!(error.code().as_str(), "move_rejected");

    deal.business_value = "客服成本降低 30%".into();
    deal.expected_close = Some(time::macros::date!(2026 - 06 - 30));
    deal.budget.max = Some(Money::from_major(120_000, Currency::CNY)?);
    deal.add_contact(Contact {
        id: ContactId::new("wang")?,
        name: "王总".into(),
        title: "CIO".into(),
        role: ContactRole::DecisionMaker,
        stance: Stance::Supporter,
        influence: Influence::High,
        last_contacted: None,
        phone: String::new(),
        email: String::new(),
    })?;
    let outcome = pipeline.move_deal(&mut deal, &stage("demo"), &ctx("t3", DAY_ZERO + 3))?;
    assert_eq!(outcome.transition.kind, TransitionKind::Forward);
    assert_eq!(outcome.tasks[0].id.as_str(), "t3.demo_prep");
    Ok(())
}

#[test]
fn the_templates_load_from_configuration_data() {
    for pipeline in [
        Pipeline::template_new_business(),
        Pipeline::template_solution_sales(),
    ] {
        let json = serde_json::to_string_pretty(&pipeline).unwrap();
        let loaded: Pipeline = serde_json::from_str(&json).unwrap();
        loaded.validate().unwrap();
        assert_eq!(loaded, pipeline);
        for stage in &loaded.stages {
            assert!(!stage.label.is_incomplete());
        }
    }
    let stage_labels: Vec<String> = Pipeline::template_solution_sales()
        .stages
        .iter()
        .map(|stage| stage.label.zh_cn.clone())
        .collect();
    assert_eq!(
        stage_labels,
        ["前期洽谈", "提报方案", "销售报价", "签订合同"]
    );
    // A configuration with an out-of-range probability does not even load.
    let json = serde_json::to_string(&Pipeline::template_new_business())
        .unwrap()
        .replace("\"probability\":1000", "\"probability\":10001");
    assert!(serde_json::from_str::<Pipeline>(&json).is_err());
}

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum MoveStep {
    /// Move to the open stage with this index (out of range means an unknown stage).
    ToStage(usize),
    Won,
    /// Lose with a listed reason (by index), or a bogus one when out of range.
    Lost(usize),
    Stopped(usize),
    Reopen(usize),
    /// Fill in one piece of the deal so that criteria can become met.
    Fill(usize),
}

fn step() -> impl Strategy<Value = MoveStep> {
    prop_oneof![
        4 => (0..5usize).prop_map(MoveStep::ToStage),
        1 => Just(MoveStep::Won),
        1 => (0..8usize).prop_map(MoveStep::Lost),
        1 => (0..5usize).prop_map(MoveStep::Stopped),
        1 => (0..5usize).prop_map(MoveStep::Reopen),
        3 => (0..9usize).prop_map(MoveStep::Fill),
    ]
}

fn pipeline_strategy() -> impl Strategy<Value = Pipeline> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(solution, skip, backward)| {
        let mut pipeline = if solution {
            Pipeline::template_solution_sales()
        } else {
            Pipeline::template_new_business()
        };
        pipeline.rules = MoveRules {
            allow_skip: skip,
            allow_backward: backward,
        };
        pipeline
    })
}

fn reason(list: &[dealflow_core::Reason], index: usize) -> String {
    list.get(index).map_or_else(
        || ["", "weather"][index % 2].to_owned(),
        |reason| reason.id.clone(),
    )
}

fn target(pipeline: &Pipeline, step: &MoveStep) -> Option<MoveTarget> {
    let stage_at = |index: usize| {
        let id = pipeline
            .stages
            .get(index)
            .map_or("nowhere", |stage| stage.id.as_str());
        StageId::new(id).unwrap()
    };
    match step {
        MoveStep::ToStage(index) => Some(MoveTarget::Stage {
            stage: stage_at(*index),
        }),
        MoveStep::Won => Some(MoveTarget::Won),
        MoveStep::Lost(index) => Some(MoveTarget::Lost {
            reason: reason(&pipeline.loss_reasons, *index),
            note: String::new(),
        }),
        MoveStep::Stopped(index) => Some(MoveTarget::Stopped {
            reason: reason(&pipeline.stop_reasons, *index),
            note: String::new(),
        }),
        MoveStep::Reopen(index) => Some(MoveTarget::Reopen {
            stage: stage_at(*index),
        }),
        MoveStep::Fill(_) => None,
    }
}

fn fill(deal: &mut Deal, pipeline: &Pipeline, part: usize, at: Timestamp) {
    let by = UserId::new("rep-li").unwrap();
    match part {
        0 => deal.account.industry = Some("能源".into()),
        1 => deal.needs = "需求".into(),
        2 => deal.business_value = "价值".into(),
        3 => deal.expected_close = Some(time::macros::date!(2026 - 09 - 30)),
        4 => deal.budget.max = Some(Money::from_major(1, Currency::CNY).unwrap()),
        5 => deal.budget.confirmed = true,
        6 => {
            let contact = Contact {
                id: ContactId::new("dm").unwrap(),
                name: "王总".into(),
                title: String::new(),
                role: ContactRole::DecisionMaker,
                stance: Stance::Neutral,
                influence: Influence::High,
                last_contacted: None,
                phone: String::new(),
                email: String::new(),
            };
            let _already_there = deal.add_contact(contact);
        }
        7 => {
            for kind in [FollowUpKind::Demo, FollowUpKind::Meeting] {
                let id = RecordId::new(format!("f{}-{kind:?}", deal.follow_ups.len())).unwrap();
                deal.record_follow_up(FollowUp {
                    id,
                    kind,
                    at,
                    by: by.clone(),
                    participants: vec![],
                    summary: "s".into(),
                    customer_feedback: "ok".into(),
                    next_step: None,
                })
                .unwrap();
            }
        }
        _ => {
            for criterion in ["contract_reviewed", "contract_signed"] {
                let _other_pipeline = deal.tick_checklist(pipeline, criterion, by.clone(), at);
            }
            let _already_there = deal.add_product_line(dealflow_core::ProductLine {
                id: RecordId::new("p1").unwrap(),
                product_id: None,
                product: "CRM".into(),
                quantity: 1,
                unit_price: Money::from_major(1, Currency::CNY).unwrap(),
                discount: dealflow_core::Discount::NONE,
            });
        }
    }
}

/// Runs a scenario; every attempted move is checked to change nothing when rejected.
fn run(
    pipeline: &Pipeline,
    steps: &[(MoveStep, i64, bool)],
) -> Result<(Deal, usize), TestCaseError> {
    let (mut deal, _) = pipeline
        .open_deal(new_deal(), &ctx("t0", DAY_ZERO))
        .map_err(|error| TestCaseError::fail(error.to_string()))?;
    let mut clock = DAY_ZERO;
    let mut moves = 0;
    for (index, (step, hours, reuse_id)) in steps.iter().enumerate() {
        // Clocks may lag: `hours` can be negative.
        clock += hours * 3_600_000;
        let now = Timestamp::from_millis(clock);
        let Some(target) = target(pipeline, step) else {
            if let MoveStep::Fill(part) = step {
                fill(&mut deal, pipeline, *part, now);
            }
            continue;
        };
        let id = if *reuse_id {
            "t0".to_owned()
        } else {
            format!("t{}", index + 1)
        };
        let before = deal.clone();
        let checked = pipeline.check_move(&deal, &target, &ctx(&id, clock));
        match pipeline.move_deal(&mut deal, &target, &ctx(&id, clock)) {
            Ok(outcome) => {
                moves += 1;
                prop_assert_eq!(checked.ok(), Some(outcome.transition.clone()));
                prop_assert_eq!(deal.history.len(), before.history.len() + 1);
                for task in &outcome.tasks {
                    prop_assert!(!before.tasks.contains_key(&task.id));
                }
            }
            Err(error) => {
                prop_assert_eq!(&deal, &before, "a rejected move changed the deal");
                prop_assert_eq!(checked.err(), Some(error.clone()));
                if let PipelineError::MoveRejected(rejected) = &error {
                    prop_assert!(!rejected.problems.is_empty());
                    if *reuse_id {
                        let duplicate = rejected
                            .problems
                            .iter()
                            .any(|problem| matches!(problem, MoveProblem::DuplicateId { .. }));
                        prop_assert!(duplicate, "a reused id is reported");
                    }
                }
            }
        }
    }
    Ok((deal, moves))
}

fn scenario() -> impl Strategy<Value = (Pipeline, Vec<(MoveStep, i64, bool)>)> {
    (
        pipeline_strategy(),
        prop::collection::vec((step(), -48..200i64, prop::bool::weighted(0.05)), 0..60),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Visits are contiguous (each left when the next was entered) and never go back in time,
    /// whatever the moves and however the clocks disagree.
    #[test]
    fn stage_history_is_contiguous_and_ordered((pipeline, steps) in scenario()) {
        let (deal, _) = run(&pipeline, &steps)?;
        let visits = deal.stage_visits();
        prop_assert_eq!(visits.len(), deal.history.len());
        for pair in visits.windows(2) {
            prop_assert_eq!(pair[0].left_at, Some(pair[1].entered_at));
            prop_assert_eq!(pair[0].left_by.as_ref(), Some(&pair[1].entered_by));
            prop_assert!(pair[0].entered_at <= pair[1].entered_at);
        }
        prop_assert_eq!(visits.last().and_then(|visit| visit.left_at), None);
        let mut ids: Vec<&RecordId> = deal.history.iter().map(|entry| &entry.id).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), deal.history.len(), "history ids are unique");
    }

    /// Closing, reopening and closing again leave a history whose statuses follow the rules:
    /// outcomes keep the stage reached, every loss and stop has a listed reason, and a closed
    /// deal moves on only by a reopen (or from stopped to lost).
    #[test]
    fn reopening_and_reclosing_keep_history_consistent((pipeline, steps) in scenario()) {
        let (deal, _) = run(&pipeline, &steps)?;
        let first = &deal.history[0];
        prop_assert_eq!(first.kind, TransitionKind::Created);
        prop_assert_eq!(first.status, DealStatus::Open);
        for pair in deal.history.windows(2) {
            let (previous, next) = (&pair[0], &pair[1]);
            let expected_status = match next.kind {
                TransitionKind::Created => {
                    return Err(TestCaseError::fail("created twice"));
                }
                TransitionKind::Forward | TransitionKind::Backward | TransitionKind::Reopened => {
                    DealStatus::Open
                }
                TransitionKind::Won => DealStatus::Won,
                TransitionKind::Lost => DealStatus::Lost,
                TransitionKind::Stopped => DealStatus::Stopped,
            };
            prop_assert_eq!(next.status, expected_status);
            match previous.status {
                DealStatus::Open => prop_assert_ne!(next.kind, TransitionKind::Reopened),
                DealStatus::Stopped => prop_assert!(matches!(
                    next.kind,
                    TransitionKind::Reopened | TransitionKind::Lost
                )),
                DealStatus::Won | DealStatus::Lost => {
                    prop_assert_eq!(next.kind, TransitionKind::Reopened);
                }
            }
            if next.status != DealStatus::Open {
                prop_assert_eq!(&next.stage, &previous.stage, "the stage reached is recorded");
            } else {
                prop_assert!(pipeline.stage(&next.stage).is_ok());
            }
            match next.status {
                DealStatus::Lost => {
                    let reason = next.reason.as_deref().unwrap_or_default();
                    prop_assert!(pipeline.loss_reason(reason).is_some(), "lost without a reason");
                }
                DealStatus::Stopped => {
                    let reason = next.reason.as_deref().unwrap_or_default();
                    prop_assert!(pipeline.stop_reason(reason).is_some(), "stopped without a reason");
                }
                DealStatus::Open | DealStatus::Won => prop_assert_eq!(next.reason.as_ref(), None),
            }
        }
    }
}
