//! Contract tests of assignment rules, round-robin fairness and the follow-up SLA.

use std::collections::BTreeMap;

use dealflow_core::{
    Actor, AssignmentContext, AssignmentError, AssignmentOutcome, AssignmentPolicy, AssignmentRule,
    AssignmentStrategy, AssignmentSubject, AssignmentTarget, ChannelId, Condition, Custody, Lead,
    LeadDraft, LeadId, LeadLedger, Loads, Locale, Localized, LocalizedText, Member, MoveKind,
    Organisation, PoolCommand, PoolConfig, PoolDirectory, PoolId, PoolScope, Role, RoundRobinState,
    RuleId, RuleSet, SlaAction, SlaOutcome, SlaPolicy, Team, TeamId, Timestamp, UserId,
};
use expect_test::{Expect, expect};
use proptest::prelude::*;

const T0: Timestamp = Timestamp::from_millis(1_764_000_000_000);

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

/// east ⊃ {east-1: a1 a2 a3, east-2: b1 b2}; west: w1 w2; m_east manages east.
fn org() -> Organisation {
    let team_of = |id: &str, parent: Option<&str>| Team {
        id: team(id),
        name: id.to_owned(),
        parent: parent.map(team),
    };
    let rep = |id: &str, team_id: &str| Member {
        id: user(id),
        name: id.to_owned(),
        role: Role::Rep,
        team: Some(team(team_id)),
        active: true,
    };
    let mut members = vec![
        rep("a1", "east-1"),
        rep("a2", "east-1"),
        rep("a3", "east-1"),
        rep("b1", "east-2"),
        rep("b2", "east-2"),
        rep("w1", "west"),
        rep("w2", "west"),
        Member {
            id: user("m_east"),
            name: "m_east".into(),
            role: Role::Manager,
            team: Some(team("east")),
            active: true,
        },
        Member {
            id: user("admin"),
            name: "admin".into(),
            role: Role::Admin,
            team: None,
            active: true,
        },
    ];
    members.push(Member {
        active: false,
        ..rep("gone", "east-1")
    });
    Organisation::new(
        "示例科技",
        vec![
            team_of("east", None),
            team_of("east-1", Some("east")),
            team_of("east-2", Some("east")),
            team_of("west", None),
        ],
        members,
    )
    .unwrap()
}

fn pools() -> PoolDirectory {
    PoolDirectory::new(vec![PoolConfig {
        id: PoolId::new("general").unwrap(),
        name: LocalizedText::new("公海", "General pool"),
        scope: PoolScope::default(),
        team: None,
        claim_limit: 10,
        recycle_unfollowed_after_days: None,
        recycle_idle_after_days: None,
    }])
    .unwrap()
}

/// The policy as an admin would save it: plain JSON.
const POLICY: &str = r#"{
  "company": {
    "rules": [
      { "id": "east-manufacturing", "name": { "zh-CN": "华东制造业", "en": "East manufacturing" },
        "priority": 5,
        "condition": { "regions": ["华东"], "industries": ["制造业"] },
        "target": { "kind": "team", "team": "east" } },
      { "id": "west", "name": { "zh-CN": "西部", "en": "West" }, "priority": 10,
        "condition": { "regions": ["西南", "西北"] },
        "target": { "kind": "team_reps", "team": "west", "strategy": "round_robin" } },
      { "id": "referrals", "name": { "zh-CN": "转介绍给资深销售", "en": "Referrals to seniors" },
        "priority": 1,
        "condition": { "sources": ["referral"] },
        "target": { "kind": "reps", "reps": ["a1"], "strategy": "least_loaded" },
        "max_open_leads": 10 },
      { "id": "paused", "name": { "zh-CN": "暂停", "en": "Paused" }, "priority": 2,
        "target": { "kind": "pool", "pool": "general" }, "enabled": false }
    ],
    "fallback": { "kind": "pool", "pool": "general" }
  },
  "teams": {
    "east": {
      "rules": [
        { "id": "east-crm", "name": { "zh-CN": "CRM 专业版", "en": "CRM Pro" }, "priority": 1,
          "condition": { "product_lines": ["CRM 专业版"] },
          "target": { "kind": "team_reps", "team": "east-1", "strategy": "least_loaded" },
          "max_open_leads": 3 },
        { "id": "east-rest", "name": { "zh-CN": "其余给二组", "en": "Rest to group 2" },
          "priority": 2, "target": { "kind": "team", "team": "east-2" } }
      ]
    }
  }
}"#;

fn policy() -> AssignmentPolicy {
    serde_json::from_str(POLICY).unwrap()
}

fn subject(region: &str, industry: &str, product: &str, source: &str) -> AssignmentSubject {
    let text = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    AssignmentSubject {
        region: text(region),
        industry: text(industry),
        product_line: text(product),
        source: Some(ChannelId::new(source).unwrap()),
    }
}

fn check_explanation(
    policy: &AssignmentPolicy,
    subject: &AssignmentSubject,
    loads: &Loads,
    locale: Locale,
    expected: &Expect,
) -> AssignmentOutcome {
    let (org, pools, cursors) = (org(), pools(), RoundRobinState::new());
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads,
        cursors: &cursors,
        exclude: &[],
    };
    let decision = policy.assign(subject, &context);
    expected.assert_eq(&(decision.explain(locale).join("\n") + "\n"));
    decision.outcome
}

#[test]
fn the_policy_is_valid_data() {
    let policy = policy();
    policy.validate(&org(), &pools()).unwrap();
    let round_trip: AssignmentPolicy =
        serde_json::from_str(&serde_json::to_string(&policy).unwrap()).unwrap();
    assert_eq!(round_trip, policy);
}

#[test]
fn invalid_policies_list_every_problem() {
    let mut policy = policy();
    let broken = AssignmentRule {
        id: RuleId::new("west").unwrap(),
        name: LocalizedText::new("", "No Chinese name"),
        priority: 3,
        condition: Condition::default(),
        target: AssignmentTarget::Reps {
            reps: vec![user("admin"), user("nobody")],
            strategy: AssignmentStrategy::RoundRobin,
        },
        max_open_leads: None,
        enabled: true,
    };
    policy.company.rules.push(broken);
    let east = policy.teams.get_mut(&team("east")).unwrap();
    east.fallback = Some(AssignmentTarget::TeamReps {
        team: team("west"),
        strategy: AssignmentStrategy::RoundRobin,
    });
    east.rules.push(AssignmentRule {
        id: RuleId::new("sideways").unwrap(),
        name: LocalizedText::new("回到自身", "Back to itself"),
        priority: 9,
        condition: Condition::default(),
        target: AssignmentTarget::Team { team: team("east") },
        max_open_leads: None,
        enabled: true,
    });
    policy.company.fallback = Some(AssignmentTarget::Pool {
        pool: PoolId::new("missing").unwrap(),
    });
    let error = policy.validate(&org(), &pools()).unwrap_err();
    let AssignmentError::InvalidPolicy { issues } = &error else {
        panic!("expected an invalid policy, got {error:?}");
    };
    let lines: Vec<String> = issues
        .iter()
        .map(|issue| issue.localized(Locale::ZhCn))
        .collect();
    expect![[r#"
        规则标识“west”重复
        规则“west”缺少中文或英文名称
        规则“west”中的“admin”是管理员，不能作为负责人
        规则“west”引用了不存在的用户“nobody”
        兜底规则引用了不存在的线索池“missing”
        规则“sideways”的目标不在团队“east”及其下级团队内
        兜底规则的目标不在团队“east”及其下级团队内"#]]
    .assert_eq(&lines.join("\n"));
    assert_eq!(
        error.localized(Locale::En),
        "the assignment policy has 7 problem(s): fix them before saving"
    );
    assert_eq!(error.code().as_str(), "invalid_assignment_policy");
}

#[test]
fn cascading_rules_explain_which_rule_matched_and_why() {
    let loads = Loads::from([(user("a1"), 2), (user("a2"), 1), (user("a3"), 1)]);
    let outcome = check_explanation(
        &policy(),
        &subject("华东", "制造业", "CRM 专业版", "trade_show"),
        &loads,
        Locale::ZhCn,
        &expect![[r#"
            开始执行公司级分配规则
            规则 referrals 未命中：来源渠道为 trade_show，要求 referral
            规则 paused 已停用，跳过
            规则 east-manufacturing 命中：地区 = 华东，行业 = 制造业
            转交团队 east 分配
            开始执行团队 east 的分配规则
            规则 east-crm 命中：产品线 = CRM 专业版
            按负载最少分配给 a2（当前 1 条未关闭线索，3 人可选）
        "#]],
    );
    assert_eq!(
        outcome,
        AssignmentOutcome::Owner {
            user: user("a2"),
            rule: Some(RuleId::new("east-crm").unwrap()),
        }
    );
}

#[test]
fn full_reps_are_skipped_and_the_next_rule_takes_over() {
    let loads = Loads::from([(user("a1"), 3), (user("a2"), 5), (user("a3"), 3)]);
    let outcome = check_explanation(
        &policy(),
        &subject("华东", "制造业", "CRM 专业版", "web_form"),
        &loads,
        Locale::En,
        &expect![[r#"
            evaluating the company's rules
            rule referrals did not match: source is web_form, needs referral
            rule paused is disabled, skipped
            rule east-manufacturing matched: region = 华东, industry = 制造业
            handed to team east
            evaluating team east's rules
            rule east-crm matched: product line = CRM 专业版
            rule east-crm found nobody eligible: 3 candidates, 0 excluded, 3 at capacity
            rule east-rest matched (no condition)
            handed to team east-2
            team east-2 has no rules: rotating over its reps
            assigned to b1 in turn (2 eligible)
        "#]],
    );
    assert_eq!(
        outcome,
        AssignmentOutcome::Owner {
            user: user("b1"),
            rule: None,
        }
    );
}

#[test]
fn unmatched_leads_fall_back_to_the_pool() {
    let outcome = check_explanation(
        &policy(),
        &subject("华北", "", "", "web_form"),
        &Loads::new(),
        Locale::ZhCn,
        &expect![[r#"
            开始执行公司级分配规则
            规则 referrals 未命中：来源渠道为 web_form，要求 referral
            规则 paused 已停用，跳过
            规则 east-manufacturing 未命中：地区为 华北，要求 华东
            规则 west 未命中：地区为 华北，要求 西南、西北
            无规则命中，使用公司级兜底分配
            放入线索池 general
        "#]],
    );
    assert_eq!(
        outcome,
        AssignmentOutcome::Pool {
            pool: PoolId::new("general").unwrap(),
            rule: None,
        }
    );
}

#[test]
fn decisions_apply_as_system_commands() {
    let (org, pools) = (org(), pools());
    let mut cursors = RoundRobinState::new();
    let mut loads = Loads::new();
    let lead = Lead::new(
        LeadId::new("l-1").unwrap(),
        LeadDraft {
            region: Some("西南".into()),
            ..LeadDraft::default()
        },
        ChannelId::new("web_form").unwrap(),
        T0,
    );
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads: &loads,
        cursors: &cursors,
        exclude: &[],
    };
    let decision = policy().assign(&AssignmentSubject::of_lead(&lead), &context);
    let command = decision.command_for(&lead).unwrap();
    assert!(
        matches!(&command, PoolCommand::Assign { to, by: Actor::System, .. } if to.as_str() == "w1")
    );
    let mut ledger = LeadLedger::new([lead]);
    let record = ledger.execute(&command, &org, &pools, T0).unwrap();
    assert_eq!(
        record.kind,
        MoveKind::Assigned {
            rule: Some(RuleId::new("west").unwrap())
        }
    );
    decision.commit(&mut cursors, &mut loads);
    assert_eq!(loads.get(&user("w1")), Some(&1));
    let json = serde_json::to_string(&cursors).unwrap();
    assert_eq!(json, r#"{"rule:west":"w1"}"#);
}

fn round_robin_policy(strategy: AssignmentStrategy) -> AssignmentPolicy {
    AssignmentPolicy {
        company: RuleSet {
            rules: vec![AssignmentRule {
                id: RuleId::new("all").unwrap(),
                name: LocalizedText::new("全部", "All"),
                priority: 1,
                condition: Condition::default(),
                target: AssignmentTarget::TeamReps {
                    team: team("team"),
                    strategy,
                },
                max_open_leads: None,
                enabled: true,
            }],
            fallback: None,
        },
        teams: BTreeMap::new(),
    }
}

fn team_of(size: usize) -> Organisation {
    Organisation::new(
        "c",
        vec![Team {
            id: team("team"),
            name: "team".into(),
            parent: None,
        }],
        (0..size)
            .map(|index| Member {
                id: user(&format!("rep-{index:02}")),
                name: format!("rep {index}"),
                role: Role::Rep,
                team: Some(team("team")),
                active: true,
            })
            .collect(),
    )
    .unwrap()
}

proptest! {
    /// Over any number of assignments, round-robin and least-loaded (from equal loads) keep
    /// every rep's count within one of every other's, at every point of the run.
    #[test]
    fn assignment_is_fair(reps in 1..9_usize, leads in 0..150_usize, least_loaded in any::<bool>()) {
        let org = team_of(reps);
        let pools = PoolDirectory::default();
        let strategy = if least_loaded { AssignmentStrategy::LeastLoaded } else { AssignmentStrategy::RoundRobin };
        let policy = round_robin_policy(strategy);
        let mut loads = Loads::new();
        let mut cursors = RoundRobinState::new();
        let mut counts: BTreeMap<UserId, usize> = BTreeMap::new();
        for _ in 0..leads {
            let decisions = policy.assign_batch(&[AssignmentSubject::default()], &org, &pools, &mut loads, &mut cursors);
            let Some(AssignmentOutcome::Owner { user, .. }) = decisions.first().map(|decision| &decision.outcome) else {
                return Err(TestCaseError::fail("every lead gets an owner"));
            };
            *counts.entry(user.clone()).or_default() += 1;
            let most = counts.values().max().copied().unwrap_or(0);
            let least = if counts.len() < reps { 0 } else { counts.values().min().copied().unwrap_or(0) };
            prop_assert!(most - least <= 1, "{counts:?}");
        }
        prop_assert_eq!(counts.values().sum::<usize>(), leads);
    }

    /// A rep excluded from the rotation never gets a lead, and the others still share fairly.
    #[test]
    fn exclusions_are_respected(reps in 2..7_usize, leads in 1..60_usize, excluded in 0..6_usize) {
        let org = team_of(reps);
        let pools = PoolDirectory::default();
        let policy = round_robin_policy(AssignmentStrategy::RoundRobin);
        let excluded_user = user(&format!("rep-{:02}", excluded % reps));
        let exclude = vec![excluded_user.clone()];
        let loads = Loads::new();
        let mut cursors = RoundRobinState::new();
        let mut counts: BTreeMap<UserId, usize> = BTreeMap::new();
        for _ in 0..leads {
            let context = AssignmentContext { org: &org, pools: &pools, loads: &loads, cursors: &cursors, exclude: &exclude };
            let decision = policy.assign(&AssignmentSubject::default(), &context);
            let AssignmentOutcome::Owner { user, .. } = &decision.outcome else {
                return Err(TestCaseError::fail("someone is eligible"));
            };
            prop_assert_ne!(user, &excluded_user);
            *counts.entry(user.clone()).or_default() += 1;
            if let Some(update) = &decision.cursor {
                cursors.record(update);
            }
        }
        let most = counts.values().max().copied().unwrap_or(0);
        let least = if counts.len() < reps - 1 { 0 } else { counts.values().min().copied().unwrap_or(0) };
        prop_assert!(most - least <= 1);
    }
}

fn overdue_lead(owner: &str, home_pool: Option<&str>) -> Lead {
    let mut lead = Lead::new(
        LeadId::new("l-9").unwrap(),
        LeadDraft {
            region: Some("西南".into()),
            ..LeadDraft::default()
        },
        ChannelId::new("web_form").unwrap(),
        T0,
    );
    lead.custody = Custody::Owned {
        owner: user(owner),
        since: T0,
    };
    lead.home_pool = home_pool.map(|pool| PoolId::new(pool).unwrap());
    lead
}

fn sla(action: SlaAction) -> SlaPolicy {
    SlaPolicy {
        follow_up_within_days: 3,
        on_breach: action,
        fallback_pool: None,
    }
}

#[test]
fn sla_reassigns_to_another_eligible_rep_and_records_the_move() {
    let (org, pools) = (org(), pools());
    let (loads, cursors) = (Loads::new(), RoundRobinState::new());
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads: &loads,
        cursors: &cursors,
        exclude: &[],
    };
    let lead = overdue_lead("w1", None);
    let sla = sla(SlaAction::Reassign);
    assert!(sla.breach(&lead, T0.plus_days(2)).is_none());
    let now = T0.plus_days(3);
    let resolution = sla.resolve(&lead, &policy(), &context, now).unwrap();
    assert_eq!(
        resolution.outcome,
        SlaOutcome::Reassigned {
            from: user("w1"),
            to: user("w2"),
        }
    );
    assert_eq!(
        resolution.outcome.localized(Locale::ZhCn),
        "w1 超时未跟进，线索已改派给 w2"
    );
    let mut ledger = LeadLedger::new([lead]);
    let record = ledger.apply(resolution.transition.unwrap()).unwrap();
    assert_eq!(record.kind, MoveKind::SlaReassigned { days: 3 });
    assert_eq!(record.actor, Actor::System);
    // The new owner has their own three days.
    let reassigned = ledger.lead(&LeadId::new("l-9").unwrap()).unwrap();
    assert!(sla.breach(reassigned, now.plus_days(2)).is_none());
    assert!(sla.breach(reassigned, now.plus_days(3)).is_some());
}

#[test]
fn sla_returns_to_a_pool_when_configured_or_when_nobody_else_fits() {
    let (org, pools) = (org(), pools());
    let (loads, cursors) = (Loads::new(), RoundRobinState::new());
    let now = T0.plus_days(5);
    // w2 is excluded too, so nobody else in the west rotation is eligible.
    let exclude = [user("w2")];
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads: &loads,
        cursors: &cursors,
        exclude: &exclude,
    };
    let lead = overdue_lead("w1", None);

    // With the policy's own fallback, "reassign" may also mean "into the fallback pool".
    let via_policy = sla(SlaAction::Reassign)
        .resolve(&lead, &policy(), &context, now)
        .unwrap();
    assert_eq!(
        via_policy.outcome,
        SlaOutcome::Returned {
            from: user("w1"),
            pool: PoolId::new("general").unwrap(),
        }
    );

    let mut without_fallback = policy();
    without_fallback.company.fallback = None;
    let kept = sla(SlaAction::Reassign)
        .resolve(&lead, &without_fallback, &context, now)
        .unwrap();
    assert_eq!(kept.outcome, SlaOutcome::Kept { owner: user("w1") });
    assert!(kept.transition.is_none());
    let explanation = kept.decision.unwrap().explain(Locale::En);
    assert!(
        explanation.iter().any(|line| line
            == "rule west found nobody eligible: 2 candidates, 2 excluded, 0 at capacity")
    );

    let mut with_fallback = sla(SlaAction::ReassignOrReturn);
    with_fallback.fallback_pool = Some(PoolId::new("general").unwrap());
    let returned = with_fallback
        .resolve(&lead, &without_fallback, &context, now)
        .unwrap();
    assert_eq!(
        returned.outcome,
        SlaOutcome::Returned {
            from: user("w1"),
            pool: PoolId::new("general").unwrap(),
        }
    );
    let moved = returned.transition.unwrap();
    assert_eq!(moved.record.kind, MoveKind::SlaReturned { days: 5 });
    assert_eq!(moved.lead.home_pool, Some(PoolId::new("general").unwrap()));

    let to_home = sla(SlaAction::ReturnToPool)
        .resolve(
            &overdue_lead("w1", Some("general")),
            &policy(),
            &context,
            now,
        )
        .unwrap();
    assert!(to_home.decision.is_none());
    assert!(matches!(to_home.outcome, SlaOutcome::Returned { .. }));
}

#[test]
fn followed_up_leads_are_not_overdue() {
    let (org, pools) = (org(), pools());
    let (loads, cursors) = (Loads::new(), RoundRobinState::new());
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads: &loads,
        cursors: &cursors,
        exclude: &[],
    };
    let lead = overdue_lead("w1", None)
        .record_follow_up(T0.plus_days(1))
        .unwrap();
    let sla = sla(SlaAction::Reassign);
    assert!(sla.breaches([&lead], T0.plus_days(30)).is_empty());
    let error = sla
        .resolve(&lead, &policy(), &context, T0.plus_days(30))
        .unwrap_err();
    assert_eq!(
        error,
        AssignmentError::NotOverdue {
            lead: LeadId::new("l-9").unwrap()
        }
    );
    assert_eq!(error.localized(Locale::ZhCn), "线索 l-9 未超过首次跟进时限");
}

#[test]
fn rules_may_leave_leads_with_a_team_lead() {
    let (org, pools) = (org(), pools());
    let mut policy = policy();
    policy.company.fallback = Some(AssignmentTarget::TeamQueue { team: team("east") });
    policy.validate(&org, &pools).unwrap();
    let (loads, cursors) = (Loads::new(), RoundRobinState::new());
    let context = AssignmentContext {
        org: &org,
        pools: &pools,
        loads: &loads,
        cursors: &cursors,
        exclude: &[],
    };
    let lead = Lead::new(
        LeadId::new("l-1").unwrap(),
        LeadDraft::default(),
        ChannelId::new("web_form").unwrap(),
        T0,
    );
    let decision = policy.assign(&AssignmentSubject::of_lead(&lead), &context);
    assert_eq!(
        decision.outcome,
        AssignmentOutcome::Team {
            team: team("east"),
            rule: None,
        }
    );
    assert_eq!(
        decision.explain(Locale::ZhCn).last().map(String::as_str),
        Some("交给团队 east 的经理手动分配")
    );
    let command = decision.command_for(&lead).unwrap();
    let mut ledger = LeadLedger::new([lead]);
    let record = ledger.execute(&command, &org, &pools, T0).unwrap();
    assert_eq!(record.kind, MoveKind::Distributed { team: team("east") });
    assert_eq!(record.actor, Actor::System);
}
