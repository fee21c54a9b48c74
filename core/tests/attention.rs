//! Contract tests of the attention lists, through the public API only.

use dealflow_core::{
    Account, AttentionConfig, AttentionLists, Contact, ContactId, ContactRole, Currency, Deal,
    DealId, FollowUp, FollowUpKind, Influence, Locale, Localized, Money, MoveContext, MoveTarget,
    NewDeal, NextStep, Pipeline, RecordId, StageId, Stance, Timestamp, UserId,
};
use proptest::prelude::*;
use time::UtcOffset;
use time::macros::{date, offset};

const BEIJING: UtcOffset = offset!(+8);

/// 2026-03-02 00:00 in Beijing.
fn day(day: i64) -> Timestamp {
    Timestamp::from_millis(1_772_380_800_000).plus_days(day)
}

fn ctx(id: &str, on_day: i64) -> MoveContext {
    MoveContext {
        now: day(on_day),
        offset: BEIJING,
        by: UserId::new("rep-li").unwrap(),
        transition_id: RecordId::new(id).unwrap(),
    }
}

fn open(pipeline: &Pipeline, id: &str, owner: &str, on_day: i64) -> Deal {
    let new = NewDeal {
        id: DealId::new(id).unwrap(),
        title: format!("商机 {id}"),
        account: Account {
            name: "客户".into(),
            ..Account::default()
        },
        amount: Money::from_major(50_000, Currency::CNY).unwrap(),
        expected_close: None,
        owner: UserId::new(owner).unwrap(),
        team: None,
        source: None,
        stage: None,
    };
    pipeline
        .open_deal(new, &ctx(&format!("{id}-t0"), on_day))
        .unwrap()
        .0
}

fn decision_maker(deal: &mut Deal) {
    deal.add_contact(Contact {
        id: ContactId::new("dm").unwrap(),
        name: "王总".into(),
        title: "总经理".into(),
        role: ContactRole::DecisionMaker,
        stance: Stance::Neutral,
        influence: Influence::High,
        last_contacted: None,
        phone: String::new(),
        email: String::new(),
    })
    .unwrap();
}

fn follow_up(deal: &mut Deal, id: &str, on_day: i64, with_dm: bool, next_due: Option<time::Date>) {
    let participants = if with_dm {
        vec![ContactId::new("dm").unwrap()]
    } else {
        vec![]
    };
    deal.record_follow_up(FollowUp {
        id: RecordId::new(id).unwrap(),
        kind: FollowUpKind::Visit,
        at: day(on_day),
        by: deal.owner.clone(),
        participants,
        summary: "拜访".into(),
        customer_feedback: String::new(),
        next_step: next_due.map(|due| NextStep {
            action: "回访".into(),
            due,
            owner: None,
        }),
    })
    .unwrap();
}

#[test]
fn a_team_inbox_on_one_morning() {
    let new_business = Pipeline::template_new_business();
    let solution = Pipeline::template_solution_sales();

    // Healthy: met the decision maker last week, next step ahead.
    let mut healthy = open(&new_business, "healthy", "rep-li", 20);
    decision_maker(&mut healthy);
    follow_up(&mut healthy, "f1", 25, true, Some(date!(2026 - 04 - 10)));
    healthy
        .complete_task(&RecordId::new("healthy-t0.first_call").unwrap(), day(21))
        .unwrap();

    // Zombie: opened 60 days ago, one call on day 1, decision maker never met, close date gone.
    let mut zombie = open(&solution, "zombie", "rep-wu", 0);
    decision_maker(&mut zombie);
    follow_up(&mut zombie, "f1", 1, false, Some(date!(2026 - 03 - 09)));
    zombie.expected_close = Some(date!(2026 - 04 - 01));

    // Won deals need nothing, whatever their state.
    let mut won = open(&solution, "won", "rep-li", 0);
    won.needs = "n".into();
    won.tick_checklist(&solution, "contract_signed", won.owner.clone(), day(2))
        .unwrap();
    solution
        .move_deal(&mut won, &MoveTarget::Won, &ctx("won-t1", 3))
        .unwrap();

    let now = day(30); // 2026-04-01 in Beijing
    let deals = [healthy, zombie, won];
    let lists = AttentionLists::compute(
        &deals,
        &[new_business.clone(), solution.clone()],
        &AttentionConfig::default(),
        now,
        BEIJING,
    );

    let task_ids: Vec<&str> = lists
        .overdue_tasks
        .iter()
        .map(|task| task.task.as_str())
        .collect();
    assert_eq!(task_ids, ["zombie-t0.visit"]);
    assert_eq!(lists.overdue_tasks[0].days_overdue, 27);
    assert_eq!(lists.overdue_next_steps.len(), 1);
    assert_eq!(lists.overdue_next_steps[0].deal.as_str(), "zombie");
    assert_eq!(lists.overdue_next_steps[0].owner.as_str(), "rep-wu");
    assert!(lists.deals_without_next_step.is_empty());
    assert!(lists.unresolved.is_empty());

    assert_eq!(lists.stalled_deals.len(), 1);
    let stalled = &lists.stalled_deals[0];
    assert_eq!(stalled.stage, StageId::new("discuss").unwrap());
    let messages: Vec<String> = stalled
        .reasons
        .iter()
        .map(|reason| reason.localized(Locale::ZhCn))
        .collect();
    assert_eq!(
        messages,
        [
            "自 2026-03-02 起在当前阶段停留 30 天，超过上限 14 天",
            "已 29 天未跟进（上次跟进：2026-03-03），超过 14 天",
            "商机已进行 30 天，从未接触决策者",
        ]
    );
    let codes: Vec<&str> = stalled.reasons.iter().map(|reason| reason.code()).collect();
    // The close date is today, not yet past.
    assert_eq!(
        codes,
        [
            "dwell_exceeded",
            "no_recent_follow_up",
            "decision_maker_not_contacted"
        ]
    );
    assert_eq!(stalled.worst_days_past, 16);

    // The same reasons, one deal at a time.
    assert_eq!(
        AttentionConfig::default().stall_reasons(&deals[1], &solution, now, BEIJING),
        stalled.reasons
    );
}

/// A deal with random activity: `shape` picks which facts are present.
fn random_deal(pipeline: &Pipeline, index: usize, shape: (u8, i64, i64, bool)) -> Deal {
    let (flags, opened_day, last_day, lost) = shape;
    let id = format!("d{index:03}");
    let mut deal = open(pipeline, &id, ["rep-li", "rep-wu"][index % 2], opened_day);
    if flags & 1 != 0 {
        decision_maker(&mut deal);
    }
    if flags & 2 != 0 {
        let due = date!(2026 - 03 - 02).checked_add(time::Duration::days(last_day + 5));
        follow_up(
            &mut deal,
            "f1",
            opened_day + last_day,
            flags & 1 != 0 && flags & 4 != 0,
            due,
        );
    }
    if flags & 8 != 0 {
        deal.expected_close = date!(2026 - 03 - 20).checked_add(time::Duration::days(last_day));
    }
    if lost {
        let target = MoveTarget::Lost {
            reason: "price".into(),
            note: String::new(),
        };
        pipeline
            .move_deal(
                &mut deal,
                &target,
                &ctx(&format!("{id}-t1"), opened_day + 1),
            )
            .unwrap();
    }
    deal
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The lists depend on the deals, not on their order; they hold open deals only, are
    /// sorted most urgent first, and agree with the per-deal check.
    #[test]
    fn lists_are_order_independent_sorted_and_consistent(
        shapes in prop::collection::vec((0u8..16, 0i64..40, 0i64..30, prop::bool::weighted(0.2)), 1..40),
        today in 0i64..120,
        rotation in 0usize..40,
    ) {
        let pipeline = Pipeline::template_new_business();
        let deals: Vec<Deal> = shapes
            .iter()
            .enumerate()
            .map(|(index, shape)| random_deal(&pipeline, index, *shape))
            .collect();
        let config = AttentionConfig { follow_up_days: 10, decision_maker_grace_days: 7 };
        let now = day(today);
        let pipelines = [pipeline.clone()];
        let lists = AttentionLists::compute(&deals, &pipelines, &config, now, BEIJING);

        let mut shuffled = deals.clone();
        shuffled.rotate_left(rotation % deals.len());
        shuffled.reverse();
        prop_assert_eq!(&AttentionLists::compute(&shuffled, &pipelines, &config, now, BEIJING), &lists);

        let open_ids: Vec<&DealId> = deals.iter().filter(|deal| deal.is_open()).map(|deal| &deal.id).collect();
        for stalled in &lists.stalled_deals {
            prop_assert!(open_ids.contains(&&stalled.deal));
            prop_assert!(!stalled.reasons.is_empty());
            let deal = deals.iter().find(|deal| deal.id == stalled.deal).unwrap();
            prop_assert_eq!(&config.stall_reasons(deal, &pipeline, now, BEIJING), &stalled.reasons);
            let worst = stalled.reasons.iter().map(|reason| reason.days_past_threshold()).max();
            prop_assert_eq!(Some(stalled.worst_days_past), worst);
        }
        // Every open deal without reasons is absent from the stalled list.
        let stalled_count = deals
            .iter()
            .filter(|deal| !config.stall_reasons(deal, &pipeline, now, BEIJING).is_empty())
            .count();
        prop_assert_eq!(stalled_count, lists.stalled_deals.len());

        for pair in lists.stalled_deals.windows(2) {
            prop_assert!(pair[0].worst_days_past >= pair[1].worst_days_past);
        }
        for pair in lists.overdue_tasks.windows(2) {
            prop_assert!(pair[0].due <= pair[1].due);
        }
        for pair in lists.overdue_next_steps.windows(2) {
            prop_assert!(pair[0].days_overdue >= pair[1].days_overdue);
        }
        for pair in lists.deals_without_next_step.windows(2) {
            prop_assert!(pair[0].days_since_activity >= pair[1].days_since_activity);
        }
        for task in &lists.overdue_tasks {
            prop_assert!(task.days_overdue >= 1);
            prop_assert!(open_ids.contains(&&task.deal));
        }
        // Without a future next step = overdue or none, and only open deals.
        let without_future = deals
            .iter()
            .filter(|deal| deal.is_open())
            .filter(|deal| deal.next_step.as_ref().is_none_or(|step| step.due < now.date_at(BEIJING)))
            .count();
        prop_assert_eq!(
            without_future,
            lists.overdue_next_steps.len() + lists.deals_without_next_step.len()
        );
    }
}
