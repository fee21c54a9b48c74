//! Contract tests of the deal documents, through the public API only: round trips, merges of
//! concurrent edits, rejected moves, tolerant reads, unknown fields and history.

use std::collections::BTreeMap;

use dealflow_core::automerge::transaction::Transactable;
use dealflow_core::automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, sync};
use dealflow_core::*;
use time::macros::{date, offset};

const DAY: i64 = MILLIS_PER_DAY;
const START: i64 = 1_764_000_000_000;

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn record(id: &str) -> RecordId {
    RecordId::new(id).unwrap()
}

fn at(day: i64) -> Timestamp {
    Timestamp::from_millis(START + day * DAY)
}

fn actor(name: &str) -> ActorId {
    ActorId::from(name.as_bytes())
}

fn ctx(day: i64, by: &str, transition: &str) -> MoveContext {
    MoveContext {
        now: at(day),
        offset: offset!(+8),
        by: user(by),
        transition_id: record(transition),
    }
}

fn contact(id: &str, name: &str, role: ContactRole) -> Contact {
    Contact {
        id: ContactId::new(id).unwrap(),
        name: name.into(),
        title: "总经理".into(),
        role,
        stance: Stance::Neutral,
        influence: Influence::High,
        last_contacted: None,
        phone: "13800000000".into(),
        email: "wang@example.com".into(),
    }
}

fn follow_up(id: &str, day: i64, kind: FollowUpKind, summary: &str) -> FollowUp {
    FollowUp {
        id: record(id),
        kind,
        at: at(day),
        by: user("rep-li"),
        participants: vec![ContactId::new("c-wang").unwrap()],
        summary: summary.into(),
        customer_feedback: "对方案感兴趣".into(),
        next_step: None,
    }
}

/// A deal in 线索验证 with its industry and needs filled in, ready to move to 需求分析.
fn new_deal(pipeline: &Pipeline) -> Deal {
    let (mut deal, _tasks) = pipeline
        .open_deal(
            NewDeal {
                id: DealId::new("deal-1").unwrap(),
                title: "华东电网 CRM 二期".into(),
                account: Account {
                    name: "华东电网".into(),
                    industry: Some("能源".into()),
                    ..Account::default()
                },
                amount: Money::from_major(100_000, Currency::CNY).unwrap(),
                expected_close: None,
                owner: user("rep-li"),
                team: Some(TeamId::new("east").unwrap()),
                source: Some("trade_show".into()),
                stage: None,
            },
            &ctx(0, "rep-li", "t0"),
        )
        .unwrap();
    deal.needs = "统一客户服务平台".into();
    deal
}

/// A deal with every kind of field and record filled in.
fn rich_deal(pipeline: &Pipeline) -> Deal {
    let mut deal = new_deal(pipeline);
    deal.account.size = Some(CompanySize::Enterprise);
    deal.account.region = Some("华东".into());
    deal.account.background = "国网下属省公司，年营收过千亿。".into();
    deal.account.id = Some(AccountId::new("acc-1").unwrap());
    deal.campaign = Some("2026 春季展会".into());
    deal.lead = Some(LeadId::new("lead-9").unwrap());
    deal.business_value = "降低客服成本 30%".into();
    deal.budget = Budget {
        min: Some(Money::from_major(80_000, Currency::CNY).unwrap()),
        max: Some(Money::from_major(150_000, Currency::CNY).unwrap()),
        confirmed: true,
        approval_cycle: "季度预算，总经理审批".into(),
    };
    deal.deal_team.insert(user("pre-zhao"), DealRole::Presales);
    deal.set_amount(
        Money::from_major(120_000, Currency::CNY).unwrap(),
        user("rep-li"),
        at(1),
        record("amt-1"),
    );
    deal.set_expected_close(
        Some(date!(2026 - 06 - 30)),
        user("rep-li"),
        at(1),
        record("close-1"),
    );
    deal.product_lines.insert(
        record("pl-1"),
        ProductLine {
            id: record("pl-1"),
            product_id: Some(ProductId::new("crm-ent").unwrap()),
            product: "CRM 企业版".into(),
            quantity: 200,
            unit_price: Money::from_major(600, Currency::CNY).unwrap(),
            discount: Discount::from_basis_points(500).unwrap(),
        },
    );
    deal.contacts.insert(
        ContactId::new("c-wang").unwrap(),
        contact("c-wang", "王总", ContactRole::DecisionMaker),
    );
    deal.contacts.insert(
        ContactId::new("c-chen").unwrap(),
        Contact {
            last_contacted: Some(at(2)),
            ..contact("c-chen", "陈工", ContactRole::Technical)
        },
    );
    deal.relationships.insert(
        record("r-1"),
        Relationship {
            id: record("r-1"),
            from: ContactId::new("c-chen").unwrap(),
            to: ContactId::new("c-wang").unwrap(),
            kind: RelationshipKind::ReportsTo,
        },
    );
    deal.competitors.insert(
        record("comp-1"),
        Competitor {
            id: record("comp-1"),
            name: "某友".into(),
            product: "CRM 云".into(),
            price: Some(Money::from_major(90_000, Currency::CNY).unwrap()),
            strengths: vec!["价格低".into(), "品牌".into()],
            weaknesses: vec!["定制难".into()],
            status: CompetitorStatus::Active,
        },
    );
    let mut demo = follow_up("f-1", 2, FollowUpKind::Demo, "演示客服工作台");
    demo.next_step = Some(NextStep {
        action: "安排技术交流会".into(),
        due: date!(2026 - 01 - 10),
        owner: Some(user("pre-zhao")),
    });
    deal.follow_ups.insert(record("f-1"), demo);
    deal.comments.insert(
        record("cm-1"),
        Comment {
            id: record("cm-1"),
            author: user("mgr-wu"),
            at: at(3),
            text: "先确认预算".into(),
            reply_to: None,
        },
    );
    deal.comments.insert(
        record("cm-2"),
        Comment {
            id: record("cm-2"),
            author: user("rep-li"),
            at: at(3),
            text: "已确认".into(),
            reply_to: Some(record("cm-1")),
        },
    );
    deal.next_step = Some(NextStep {
        action: "发送报价".into(),
        due: date!(2026 - 01 - 15),
        owner: None,
    });
    deal.checklist.insert(
        "contract_reviewed".into(),
        ChecklistTick {
            by: user("mgr-wu"),
            at: at(3),
        },
    );
    deal.probability.manual = Some(ManualProbability {
        value: Probability::from_percent(35).unwrap(),
        set_by: user("rep-li"),
        set_at: at(3),
    });
    deal.probability.learned = Some(LearnedProbability {
        value: Probability::from_basis_points(2_345).unwrap(),
        computed_at: at(3),
    });
    deal.forecast_category = Some(CategoryOverride {
        category: ForecastCategory::BestCase,
        set_by: user("rep-li"),
        set_at: at(3),
    });
    deal.forecast_adjustments.push(ForecastAdjustment {
        id: record("adj-1"),
        by: user("mgr-wu"),
        at: at(4),
        from: ForecastCategory::BestCase,
        to: ForecastCategory::Pipeline,
        note: "预算未批".into(),
    });
    deal.touchpoints.insert(
        record("tp-1"),
        Touchpoint {
            id: record("tp-1"),
            at: at(-10),
            channel: "trade_show".into(),
            campaign: Some("2026 春季展会".into()),
        },
    );
    pipeline
        .move_deal(
            &mut deal,
            &MoveTarget::Stage {
                stage: StageId::new("needs").unwrap(),
            },
            &ctx(5, "rep-li", "t1"),
        )
        .unwrap();
    deal.tasks.get_mut(&record("t1.needs_memo")).unwrap().status = TaskStatus::Done;
    deal.tasks
        .get_mut(&record("t1.needs_memo"))
        .unwrap()
        .closed_at = Some(at(6));
    deal
}

fn create(deal: &Deal) -> DealDoc {
    DealDoc::create(deal, actor("creator"), &user("rep-li"), at(0)).unwrap()
}

fn raw(doc: &mut DealDoc) -> AutoCommit {
    AutoCommit::load(&doc.save())
        .unwrap()
        .with_actor(actor("raw-client"))
}

#[test]
fn a_deal_round_trips_through_its_document() {
    let pipeline = Pipeline::template_new_business();
    let deal = rich_deal(&pipeline);
    let mut doc = create(&deal);
    let read = doc.read().unwrap();
    assert_eq!(read.problems, []);
    assert_eq!(read.deal, deal);
    let loaded = DealDoc::load(&doc.save(), actor("reader")).unwrap();
    assert_eq!(loaded.read().unwrap().deal, deal);
}

#[test]
fn concurrent_typing_merges_character_by_character() {
    let pipeline = Pipeline::template_new_business();
    let mut laptop = create(&new_deal(&pipeline));
    let mut phone = laptop.fork(actor("phone"));
    // "统一客户服务平台": one inserts at the start, the other at the end.
    laptop
        .splice_text(&user("rep-li"), at(1), &TextField::Needs, 0, 0, "急需")
        .unwrap();
    phone
        .splice_text(
            &user("pre-zhao"),
            at(1),
            &TextField::Needs,
            8,
            0,
            "，含工单",
        )
        .unwrap();
    phone
        .update_text(
            &user("pre-zhao"),
            at(1),
            &TextField::AccountBackground,
            "省级电网公司",
        )
        .unwrap();
    laptop.merge(&mut phone).unwrap();
    let deal = laptop.read().unwrap().deal;
    assert_eq!(deal.needs, "急需统一客户服务平台，含工单");
    assert_eq!(deal.account.background, "省级电网公司");

    let out_of_range = laptop.splice_text(&user("rep-li"), at(2), &TextField::Needs, 99, 1, "x");
    assert_eq!(
        out_of_range.unwrap_err().code(),
        ErrorCode::TextRangeOutOfBounds
    );
}

#[test]
fn concurrent_follow_ups_both_survive() {
    let pipeline = Pipeline::template_new_business();
    let mut deal = new_deal(&pipeline);
    deal.contacts.insert(
        ContactId::new("c-wang").unwrap(),
        contact("c-wang", "王总", ContactRole::DecisionMaker),
    );
    let mut laptop = create(&deal);
    let mut phone = laptop.fork(actor("phone"));
    laptop
        .record_follow_up(
            &user("rep-li"),
            at(1),
            follow_up("f-a", 1, FollowUpKind::Call, "电话沟通"),
        )
        .unwrap();
    phone
        .record_follow_up(
            &user("rep-li"),
            at(2),
            follow_up("f-b", 2, FollowUpKind::Visit, "上门拜访"),
        )
        .unwrap();
    phone
        .splice_text(
            &user("rep-li"),
            at(2),
            &TextField::FollowUpSummary(record("f-b")),
            4,
            0,
            "，见到王总",
        )
        .unwrap();
    laptop.merge(&mut phone).unwrap();
    let deal = laptop.read().unwrap().deal;
    let ids: Vec<&str> = deal.follow_ups.keys().map(RecordId::as_str).collect();
    assert_eq!(ids, ["f-a", "f-b"]);
    assert_eq!(
        deal.follow_ups[&record("f-b")].summary,
        "上门拜访，见到王总"
    );
    // Recording a follow-up moves the participants' last contact forward; both merged.
    assert_eq!(
        deal.contacts[&ContactId::new("c-wang").unwrap()].last_contacted,
        Some(at(2))
    );
    let missing = laptop.splice_text(
        &user("rep-li"),
        at(3),
        &TextField::FollowUpSummary(record("nope")),
        0,
        0,
        "x",
    );
    assert_eq!(missing.unwrap_err().code(), ErrorCode::UnknownRecord);
}

#[test]
fn edits_to_different_fields_of_one_contact_both_survive() {
    let pipeline = Pipeline::template_new_business();
    let mut deal = new_deal(&pipeline);
    let wang = contact("c-wang", "王总", ContactRole::Influencer);
    deal.contacts.insert(wang.id.clone(), wang.clone());
    let mut laptop = create(&deal);
    let mut phone = laptop.fork(actor("phone"));
    laptop
        .upsert_contact(
            &user("rep-li"),
            at(1),
            &Contact {
                stance: Stance::Supporter,
                ..wang.clone()
            },
        )
        .unwrap();
    phone
        .upsert_contact(
            &user("pre-zhao"),
            at(1),
            &Contact {
                phone: "13900000000".into(),
                role: ContactRole::DecisionMaker,
                ..wang.clone()
            },
        )
        .unwrap();
    laptop.merge(&mut phone).unwrap();
    let merged = &laptop.read().unwrap().deal.contacts[&wang.id];
    assert_eq!(merged.stance, Stance::Supporter);
    assert_eq!(merged.phone, "13900000000");
    assert_eq!(merged.role, ContactRole::DecisionMaker);
}

#[test]
fn concurrent_stage_moves_are_both_kept_and_the_later_one_wins_everywhere() {
    let pipeline = Pipeline::template_new_business();
    let mut laptop = create(&new_deal(&pipeline));
    let mut phone = laptop.fork(actor("phone"));
    let needs = MoveTarget::Stage {
        stage: StageId::new("needs").unwrap(),
    };
    let lost = MoveTarget::Lost {
        reason: "price".into(),
        note: "预算不足".into(),
    };
    laptop
        .move_stage(&pipeline, &needs, &ctx(2, "rep-li", "t-laptop"))
        .unwrap();
    phone
        .move_stage(&pipeline, &lost, &ctx(3, "mgr-wu", "t-phone"))
        .unwrap();
    let mut other_order = phone.fork(actor("phone-2"));
    other_order.merge(&mut laptop).unwrap();
    laptop.merge(&mut phone).unwrap();

    let left = laptop.read().unwrap().deal;
    let right = other_order.read().unwrap().deal;
    assert_eq!(left, right);
    let entries: Vec<&str> = left.history.iter().map(|entry| entry.id.as_str()).collect();
    assert_eq!(entries, ["t0", "t-laptop", "t-phone"]);
    assert_eq!(left.status(), DealStatus::Lost);
    assert_eq!(left.stage().map(StageId::as_str), Some("qualify"));
    // The tasks of the move to 需求分析 are kept too.
    assert!(left.tasks.contains_key(&record("t-laptop.needs_memo")));
}

#[test]
fn a_rejected_move_writes_nothing() {
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&new_deal(&pipeline));
    let heads = doc.heads();
    let demo = MoveTarget::Stage {
        stage: StageId::new("demo").unwrap(),
    };
    let error = doc
        .move_stage(&pipeline, &demo, &ctx(1, "rep-li", "t1"))
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::MoveRejected);
    assert_eq!(doc.heads(), heads);
    assert_eq!(doc.changes().len(), 1);
}

#[test]
fn history_cannot_be_edited_outside_stage_moves() {
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&new_deal(&pipeline));
    let heads = doc.heads();
    let error = doc
        .update(&user("rep-li"), at(1), "rewrite history", |deal| {
            deal.history.clear();
        })
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::HistoryEditNotAllowed);
    assert_eq!(doc.heads(), heads);
}

#[test]
fn wrong_typed_fields_become_problems_and_the_rest_reads() {
    let pipeline = Pipeline::template_new_business();
    let deal = rich_deal(&pipeline);
    let mut doc = create(&deal);
    // An older, buggy client writes an int title, a numeric role and a broken amount.
    let mut old_client = raw(&mut doc);
    old_client.put(ROOT, "title", 42_i64).unwrap();
    let (_, contacts) = old_client.get(ROOT, "contacts").unwrap().unwrap();
    let (_, wang) = old_client.get(&contacts, "c-wang").unwrap().unwrap();
    old_client.put(&wang, "role", 7_i64).unwrap();
    old_client
        .put(ROOT, "expectedClose", "next spring")
        .unwrap();
    old_client
        .put(&contacts, "c-broken", "not a record")
        .unwrap();
    old_client.commit();
    let mut merged = DealDoc::load(&old_client.save(), actor("reader")).unwrap();
    merged.merge(&mut doc).unwrap();

    let read = merged.read().unwrap();
    let paths: Vec<&str> = read
        .problems
        .iter()
        .map(|problem| problem.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/title",
            "/expectedClose",
            "/contacts/c-broken",
            "/contacts/c-wang/role"
        ]
    );
    assert_eq!(read.problems[3].found, "int 7");
    assert!(read.problems[3].message.zh_cn.contains("已使用默认值"));
    assert_eq!(read.deal.title, "");
    assert_eq!(read.deal.expected_close, None);
    let wang = &read.deal.contacts[&ContactId::new("c-wang").unwrap()];
    assert_eq!(wang.role, ContactRole::Other);
    assert_eq!(wang.name, "王总");
    assert_eq!(read.deal.follow_ups, deal.follow_ups);
    assert_eq!(read.deal.history, deal.history);

    // The deal still moves, and editing it repairs only what is edited.
    merged
        .set_title(&user("rep-li"), at(7), "华东电网 CRM 二期")
        .unwrap();
    let read = merged.read().unwrap();
    assert_eq!(read.deal.title, "华东电网 CRM 二期");
    assert_eq!(read.problems.len(), 3);
}

#[test]
fn bad_bytes_and_other_documents_are_typed_errors() {
    let error = DealDoc::load(b"not automerge", actor("reader")).unwrap_err();
    assert_eq!(error.code(), ErrorCode::CorruptDocument);
    let mut pipeline_doc = PipelineDoc::create(
        &Pipeline::template_new_business(),
        actor("admin"),
        &user("admin"),
        at(0),
    )
    .unwrap();
    let error = DealDoc::load(&pipeline_doc.save(), actor("reader")).unwrap_err();
    assert_eq!(
        error,
        DocError::WrongType {
            expected: "deal",
            found: "pipeline".into()
        }
    );
    assert!(error.localized(Locale::ZhCn).contains("pipeline"));
    let mut empty = AutoCommit::new();
    assert_eq!(
        DealDoc::load(&empty.save(), actor("reader"))
            .unwrap_err()
            .code(),
        ErrorCode::WrongDocumentType
    );
}

#[test]
fn unknown_fields_survive_every_edit() {
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&rich_deal(&pipeline));
    let mut newer_client = raw(&mut doc);
    newer_client.put(ROOT, "winPlan", "三步走").unwrap();
    let (_, contacts) = newer_client.get(ROOT, "contacts").unwrap().unwrap();
    let (_, wang) = newer_client.get(&contacts, "c-wang").unwrap().unwrap();
    newer_client.put(&wang, "wechat", "wang_zong").unwrap();
    let extra = newer_client
        .put_object(ROOT, "scorecard", ObjType::Map)
        .unwrap();
    newer_client.put(&extra, "fit", 4_i64).unwrap();
    newer_client.commit();
    let mut doc = DealDoc::load(&newer_client.save(), actor("older")).unwrap();

    let author = user("rep-li");
    doc.set_title(&author, at(7), "新标题").unwrap();
    doc.upsert_contact(
        &author,
        at(7),
        &Contact {
            stance: Stance::Supporter,
            ..contact("c-wang", "王总", ContactRole::DecisionMaker)
        },
    )
    .unwrap();
    doc.remove_competitor(&author, at(7), &record("comp-1"))
        .unwrap();
    doc.move_stage(
        &pipeline,
        &MoveTarget::Stopped {
            reason: pipeline.stop_reasons[0].id.clone(),
            note: String::new(),
        },
        &ctx(8, "rep-li", "t2"),
    )
    .unwrap();

    let after = raw(&mut doc);
    let win_plan = after.get(ROOT, "winPlan").unwrap().unwrap().0;
    assert_eq!(win_plan.as_str(), Some("三步走"));
    let (_, contacts) = after.get(ROOT, "contacts").unwrap().unwrap();
    let (_, wang) = after.get(&contacts, "c-wang").unwrap().unwrap();
    assert_eq!(
        after.get(&wang, "wechat").unwrap().unwrap().0.as_str(),
        Some("wang_zong")
    );
    let (_, scorecard) = after.get(ROOT, "scorecard").unwrap().unwrap();
    assert_eq!(
        after.get(&scorecard, "fit").unwrap().unwrap().0.as_i64(),
        Some(4)
    );
    let read = doc.read().unwrap();
    assert_eq!(read.problems, []);
    assert_eq!(read.deal.title, "新标题");
    assert!(read.deal.competitors.is_empty());
}

#[test]
fn history_tells_who_changed_what_and_when() {
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&new_deal(&pipeline));
    doc.set_title(&user("rep-li"), at(1), "华东电网 CRM 二期（一期扩容）")
        .unwrap();
    doc.set_amount(
        &user("mgr-wu"),
        at(3),
        Money::from_major(150_000, Currency::CNY).unwrap(),
        record("amt-1"),
    )
    .unwrap();
    doc.move_stage(
        &pipeline,
        &MoveTarget::Stage {
            stage: StageId::new("needs").unwrap(),
        },
        &ctx(8, "rep-li", "t1"),
    )
    .unwrap();
    doc.upsert_contact(
        &user("pre-zhao"),
        at(9),
        &contact("c-wang", "王总", ContactRole::DecisionMaker),
    )
    .unwrap();

    let changes = doc.changes();
    let who: Vec<(Option<&str>, &str)> = changes
        .iter()
        .map(|change| {
            (
                change.by.as_ref().map(UserId::as_str),
                change.summary.as_str(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            (Some("rep-li"), "create deal"),
            (Some("rep-li"), "set title"),
            (Some("mgr-wu"), "set amount"),
            (Some("rep-li"), "move to stage needs"),
            (Some("pre-zhao"), "edit contact"),
        ]
    );
    assert_eq!(
        changes[2].at.millis().div_euclid(1000),
        at(3).millis() / 1000
    );

    // The deal as of day 2: renamed, not yet re-priced or moved.
    let as_of = doc.read_as_of(at(2)).unwrap().unwrap().deal;
    assert_eq!(as_of.title, "华东电网 CRM 二期（一期扩容）");
    assert_eq!(
        as_of.amount,
        Money::from_major(100_000, Currency::CNY).unwrap()
    );
    assert_eq!(as_of.stage().map(StageId::as_str), Some("qualify"));
    assert_eq!(doc.read_as_of(at(-1)).unwrap(), None);

    // What changed since the review on day 2, up to day 8.
    let since: BTreeMap<String, FieldChange> = doc
        .changes_between(at(2), at(8))
        .unwrap()
        .into_iter()
        .map(|change| (change.path.clone(), change))
        .collect();
    let amount = &since["/amount"];
    assert_eq!(amount.label.zh_cn, "金额");
    assert_eq!(
        amount.before,
        Some(FieldValue::Money(
            Money::from_major(100_000, Currency::CNY).unwrap()
        ))
    );
    assert_eq!(
        amount.after,
        Some(FieldValue::Money(
            Money::from_major(150_000, Currency::CNY).unwrap()
        ))
    );
    assert_eq!(amount.by, Some(user("mgr-wu")));
    assert_eq!(
        amount.at.map(|at| at.millis() / 1000),
        Some(at(3).millis() / 1000)
    );
    let moved = &since["/history/t1/stage"];
    assert_eq!(moved.before, None);
    assert_eq!(moved.after, Some(FieldValue::Text("needs".into())));
    assert_eq!(moved.by, Some(user("rep-li")));
    assert_eq!(moved.label.en, "stage history t1 · stage");
    assert!(!since.contains_key("/title"), "renamed before the review");
    assert!(
        !since.keys().any(|path| path.starts_with("/contacts")),
        "after the window"
    );
}

#[test]
fn replicas_converge_through_sync_messages() {
    let pipeline = Pipeline::template_new_business();
    let mut laptop = create(&new_deal(&pipeline));
    let mut server = DealDoc::load(&laptop.save(), actor("server")).unwrap();
    laptop
        .set_title(&user("rep-li"), at(1), "离线修改的标题")
        .unwrap();
    server
        .set_manual_probability(
            &user("mgr-wu"),
            at(1),
            Some(Probability::from_percent(20).unwrap()),
        )
        .unwrap();
    let (mut laptop_state, mut server_state) = (sync::State::new(), sync::State::new());
    for _ in 0..10 {
        let to_server = laptop.generate_sync_message(&mut laptop_state);
        let to_laptop = server.generate_sync_message(&mut server_state);
        if to_server.is_none() && to_laptop.is_none() {
            break;
        }
        if let Some(message) = to_server {
            server
                .receive_sync_message(&mut server_state, message)
                .unwrap();
        }
        if let Some(message) = to_laptop {
            laptop
                .receive_sync_message(&mut laptop_state, message)
                .unwrap();
        }
    }
    assert_eq!(laptop.heads(), server.heads());
    let deal = server.read().unwrap().deal;
    assert_eq!(deal.title, "离线修改的标题");
    assert_eq!(
        deal.effective_probability(&pipeline).unwrap().value,
        Probability::from_percent(20).unwrap()
    );
}

#[test]
fn typed_edits_write_only_what_they_change() {
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&rich_deal(&pipeline));
    let author = user("rep-li");
    assert!(!doc.set_title(&author, at(7), "华东电网 CRM 二期").unwrap());
    assert!(doc.tick_checklist(&author, at(7), "demo_ready").unwrap());
    assert!(!doc.tick_checklist(&author, at(8), "demo_ready").unwrap());
    assert!(
        doc.set_task_status(&author, at(9), &record("t1.feasibility"), TaskStatus::Done)
            .unwrap()
    );
    assert_eq!(
        doc.set_task_status(&author, at(9), &record("missing"), TaskStatus::Done)
            .unwrap_err()
            .code(),
        ErrorCode::UnknownRecord
    );
    doc.set_forecast_category(&author, at(9), Some(ForecastCategory::Commit))
        .unwrap();
    doc.set_learned_probability(&author, at(9), None).unwrap();
    doc.set_next_step(&author, at(9), None).unwrap();
    doc.set_expected_close(
        &author,
        at(9),
        Some(date!(2026 - 07 - 31)),
        record("close-2"),
    )
    .unwrap();
    let deal = doc.read().unwrap().deal;
    let task = &deal.tasks[&record("t1.feasibility")];
    assert_eq!(
        (task.status, task.closed_at),
        (TaskStatus::Done, Some(at(9)))
    );
    assert_eq!(deal.checklist["demo_ready"].at, at(7));
    assert_eq!(
        deal.forecast_category
            .as_ref()
            .map(|category| category.category),
        Some(ForecastCategory::Commit)
    );
    assert_eq!(deal.probability.learned, None);
    assert_eq!(deal.next_step, None);
    assert_eq!(deal.close_date_push_count(), 1);
    assert_eq!(deal.close_date_changes.len(), 2);
}

#[test]
fn scalar_values_from_raw_clients_are_read_tolerantly() {
    // Explicit nulls and plain strings where text is expected are fine, not problems.
    let pipeline = Pipeline::template_new_business();
    let mut doc = create(&new_deal(&pipeline));
    let mut client = raw(&mut doc);
    client.put(ROOT, "needs", "plain string needs").unwrap();
    client.put(ROOT, "campaign", ScalarValue::Null).unwrap();
    client.commit();
    let mut doc = DealDoc::load(&client.save(), actor("reader")).unwrap();
    let read = doc.read().unwrap();
    assert_eq!(read.problems, []);
    assert_eq!(read.deal.needs, "plain string needs");
    // The first text edit turns the string into a collaborative text.
    doc.splice_text(&user("rep-li"), at(1), &TextField::Needs, 0, 5, "Plain")
        .unwrap();
    assert_eq!(doc.read().unwrap().deal.needs, "Plain string needs");
}
