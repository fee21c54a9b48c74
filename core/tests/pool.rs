//! Contract tests of lead pools: claims and their races, limits, returns, recycling, history.

use std::collections::BTreeSet;

use dealflow_core::{
    Actor, ChannelId, Custody, Lead, LeadDraft, LeadError, LeadId, LeadLedger, Locale, Localized,
    LocalizedText, Member, MoveKind, Organisation, PoolCommand, PoolConfig, PoolContext,
    PoolDirectory, PoolError, PoolId, PoolScope, RecycleCause, ReturnReason, Role, Team, TeamId,
    Timestamp, UserId, decide, due_for_recycling,
};
use proptest::prelude::*;

const T0: Timestamp = Timestamp::from_millis(1_764_000_000_000);

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

fn lead_id(id: &str) -> LeadId {
    LeadId::new(id).unwrap()
}

fn east_pool() -> PoolId {
    PoolId::new("east-pool").unwrap()
}

fn open_pool() -> PoolId {
    PoolId::new("open-pool").unwrap()
}

/// east ⊃ east-sh; west. Reps li, wang (east-sh), zhao (east), qian (west); gone has left.
fn org() -> Organisation {
    let team_of = |id: &str, parent: Option<&str>| Team {
        id: team(id),
        name: id.to_owned(),
        parent: parent.map(team),
    };
    let member = |id: &str, role, team_id: Option<&str>, active| Member {
        id: user(id),
        name: id.to_owned(),
        role,
        team: team_id.map(team),
        active,
    };
    Organisation::new(
        "示例科技",
        vec![
            team_of("east", None),
            team_of("east-sh", Some("east")),
            team_of("west", None),
        ],
        vec![
            member("admin", Role::Admin, None, true),
            member("m_east", Role::Manager, Some("east"), true),
            member("m_west", Role::Manager, Some("west"), true),
            member("li", Role::Rep, Some("east-sh"), true),
            member("wang", Role::Rep, Some("east-sh"), true),
            member("zhao", Role::Rep, Some("east"), true),
            member("qian", Role::Rep, Some("west"), true),
            member("gone", Role::Rep, Some("east"), false),
        ],
    )
    .unwrap()
}

fn pools() -> PoolDirectory {
    PoolDirectory::new(vec![
        PoolConfig {
            id: east_pool(),
            name: LocalizedText::new("华东公海", "East pool"),
            scope: PoolScope {
                region: Some("华东".into()),
                ..PoolScope::default()
            },
            team: Some(team("east")),
            claim_limit: 2,
            recycle_unfollowed_after_days: Some(3),
            recycle_idle_after_days: Some(7),
        },
        PoolConfig {
            id: open_pool(),
            name: LocalizedText::new("公司公海", "Company pool"),
            scope: PoolScope::default(),
            team: None,
            claim_limit: 1,
            recycle_unfollowed_after_days: None,
            recycle_idle_after_days: None,
        },
    ])
    .unwrap()
}

fn new_lead(id: &str) -> Lead {
    Lead::new(
        lead_id(id),
        LeadDraft {
            contact_name: "张伟".into(),
            company: format!("{id} 公司"),
            region: Some("华东".into()),
            ..LeadDraft::default()
        },
        ChannelId::new("trade_show").unwrap(),
        T0,
    )
}

fn pooled(id: &str, pool: PoolId) -> Lead {
    let mut lead = new_lead(id);
    lead.custody = Custody::InPool {
        pool: pool.clone(),
        since: T0,
    };
    lead.home_pool = Some(pool);
    lead
}

fn claim(lead: &str, by: &str, version: u64) -> PoolCommand {
    PoolCommand::Claim {
        lead: lead_id(lead),
        by: user(by),
        expected_version: version,
    }
}

#[test]
fn of_many_simultaneous_claims_exactly_one_wins() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("l-1", east_pool())]);
    let reps = ["wang", "zhao", "li", "m_east"];
    let results: Vec<Result<UserId, PoolError>> = reps
        .iter()
        .map(|rep| {
            ledger
                .execute(&claim("l-1", rep, 0), &org, &pools, T0)
                .map(|record| match &record.actor {
                    Actor::User(user) => user.clone(),
                    Actor::System => unreachable!("claims are made by users"),
                })
        })
        .collect();
    assert_eq!(results[0], Ok(user("wang")));
    for lost in &results[1..] {
        assert_eq!(
            lost,
            &Err(PoolError::LeadAlreadyClaimed {
                lead: lead_id("l-1"),
                by: user("wang"),
            })
        );
    }
    let error = results[1].clone().unwrap_err();
    assert_eq!(error.code().as_str(), "lead_already_claimed");
    assert_eq!(
        error.localized(Locale::ZhCn),
        "线索 l-1 已被 wang 领取：请选择其他线索"
    );
    assert_eq!(
        ledger.lead(&lead_id("l-1")).unwrap().owner(),
        Some(&user("wang"))
    );
}

#[test]
fn transitions_decided_on_the_same_snapshot_cannot_both_apply() {
    // A server that decides outside the transaction still cannot double-assign: the
    // compare-and-set on the version rejects the second write.
    let (org, pools) = (org(), pools());
    let snapshot = pooled("l-1", east_pool());
    let context = PoolContext {
        org: &org,
        pools: &pools,
        claimant_holdings: 0,
    };
    let li = decide(&snapshot, &claim("l-1", "li", 0), &context, T0).unwrap();
    let wang = decide(&snapshot, &claim("l-1", "wang", 0), &context, T0).unwrap();
    let mut ledger = LeadLedger::new([snapshot]);
    assert!(ledger.apply(li).is_ok());
    assert_eq!(
        ledger.apply(wang).unwrap_err(),
        PoolError::StaleVersion {
            lead: lead_id("l-1"),
            expected: 0,
            actual: 1,
        }
    );
}

#[test]
fn a_claim_on_an_outdated_view_is_refused() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("l-1", east_pool())]);
    let moved = PoolCommand::Put {
        lead: lead_id("l-1"),
        pool: open_pool(),
        by: Actor::User(user("admin")),
        expected_version: 0,
    };
    ledger.execute(&moved, &org, &pools, T0).unwrap();
    assert_eq!(
        ledger
            .execute(&claim("l-1", "li", 0), &org, &pools, T0)
            .unwrap_err(),
        PoolError::StaleVersion {
            lead: lead_id("l-1"),
            expected: 0,
            actual: 1,
        }
    );
    assert!(
        ledger
            .execute(&claim("l-1", "li", 1), &org, &pools, T0)
            .is_ok()
    );
}

#[test]
fn the_claim_limit_counts_leads_not_yet_followed_up() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new(["a", "b", "c"].map(|id| pooled(id, east_pool())));
    ledger
        .execute(&claim("a", "li", 0), &org, &pools, T0)
        .unwrap();
    ledger
        .execute(&claim("b", "li", 0), &org, &pools, T0)
        .unwrap();
    assert_eq!(ledger.holdings(&user("li"), &east_pool()), 2);
    let refused = ledger
        .execute(&claim("c", "li", 0), &org, &pools, T0)
        .unwrap_err();
    assert_eq!(
        refused,
        PoolError::ClaimLimitReached {
            user: user("li"),
            pool: east_pool(),
            limit: 2,
        }
    );
    assert_eq!(
        refused.localized(Locale::ZhCn),
        "li 已持有 2 条来自线索池 east-pool 的未跟进线索：请先跟进再领取"
    );
    ledger
        .record_follow_up(&lead_id("a"), T0.plus_days(1))
        .unwrap();
    assert_eq!(ledger.holdings(&user("li"), &east_pool()), 1);
    ledger
        .execute(&claim("c", "li", 0), &org, &pools, T0)
        .unwrap();
}

#[test]
fn only_the_pools_team_may_claim() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("l-1", east_pool()), pooled("l-2", open_pool())]);
    let refusal = |by: &str, ledger: &mut LeadLedger| {
        ledger
            .execute(&claim("l-1", by, 0), &org, &pools, T0)
            .unwrap_err()
    };
    assert_eq!(
        refusal("qian", &mut ledger),
        PoolError::NotInAudience {
            user: user("qian"),
            pool: east_pool(),
        }
    );
    assert_eq!(
        refusal("admin", &mut ledger),
        PoolError::NotAllowed {
            user: user("admin")
        }
    );
    assert_eq!(
        refusal("gone", &mut ledger),
        PoolError::InactiveUser { user: user("gone") }
    );
    // Anyone may claim from the company-wide pool.
    ledger
        .execute(&claim("l-2", "qian", 0), &org, &pools, T0)
        .unwrap();
}

#[test]
fn returning_needs_the_owner_or_their_manager_and_a_reason() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("l-1", east_pool())]);
    ledger
        .execute(&claim("l-1", "li", 0), &org, &pools, T0)
        .unwrap();
    let give_back = |by: &str, reason: ReturnReason| PoolCommand::Return {
        lead: lead_id("l-1"),
        by: user(by),
        reason,
        expected_version: 1,
    };
    assert_eq!(
        ledger
            .execute(&give_back("wang", ReturnReason::NoNeed), &org, &pools, T0)
            .unwrap_err(),
        PoolError::NotOwner {
            lead: lead_id("l-1"),
            user: user("wang"),
        }
    );
    assert_eq!(
        ledger
            .execute(
                &give_back("li", ReturnReason::Other { note: " ".into() }),
                &org,
                &pools,
                T0
            )
            .unwrap_err(),
        PoolError::Lead(LeadError::EmptyNote)
    );
    let record = ledger
        .execute(
            &give_back("m_east", ReturnReason::WrongRegion),
            &org,
            &pools,
            T0,
        )
        .unwrap()
        .clone();
    assert_eq!(
        record.kind,
        MoveKind::Returned {
            reason: ReturnReason::WrongRegion
        }
    );
    assert_eq!(record.actor, Actor::User(user("m_east")));
    assert_eq!(
        ledger.lead(&lead_id("l-1")).unwrap().custody.pool(),
        Some(&east_pool())
    );
}

#[test]
fn putting_leads_into_pools_is_for_managers_of_the_pool() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([new_lead("l-1")]);
    let put = |by: &str, pool: PoolId, version: u64| PoolCommand::Put {
        lead: lead_id("l-1"),
        pool,
        by: Actor::User(user(by)),
        expected_version: version,
    };
    for outsider in ["m_west", "li"] {
        assert_eq!(
            ledger
                .execute(&put(outsider, east_pool(), 0), &org, &pools, T0)
                .unwrap_err(),
            PoolError::NotAllowed {
                user: user(outsider)
            }
        );
    }
    ledger
        .execute(&put("m_east", east_pool(), 0), &org, &pools, T0)
        .unwrap();
    assert_eq!(
        ledger
            .execute(&put("m_east", east_pool(), 1), &org, &pools, T0)
            .unwrap_err(),
        PoolError::AlreadyInPool {
            lead: lead_id("l-1"),
            pool: east_pool(),
        }
    );
    // A manager takes a lead back from a rep of their team into the pool.
    ledger
        .execute(&claim("l-1", "li", 1), &org, &pools, T0)
        .unwrap();
    ledger
        .execute(&put("m_east", east_pool(), 2), &org, &pools, T0)
        .unwrap();
    assert!(ledger.lead(&lead_id("l-1")).unwrap().owner().is_none());
}

#[test]
fn closed_leads_stay_out_of_pools() {
    let (org, pools) = (org(), pools());
    let mut lead = pooled("l-1", east_pool());
    lead.custody = Custody::Owned {
        owner: user("li"),
        since: T0,
    };
    let lead = lead
        .mark_invalid(dealflow_core::InvalidReason::Unreachable, T0)
        .unwrap();
    let mut ledger = LeadLedger::new([lead]);
    let put = PoolCommand::Put {
        lead: lead_id("l-1"),
        pool: east_pool(),
        by: Actor::User(user("admin")),
        expected_version: 1,
    };
    assert!(matches!(
        ledger.execute(&put, &org, &pools, T0).unwrap_err(),
        PoolError::Lead(LeadError::Closed { .. })
    ));
    assert!(due_for_recycling(ledger.leads(), &pools, T0.plus_days(30)).is_empty());
}

#[test]
fn unfollowed_and_idle_leads_are_recycled_with_history() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("a", east_pool()), pooled("b", east_pool())]);
    ledger
        .execute(&claim("a", "li", 0), &org, &pools, T0)
        .unwrap();
    ledger
        .execute(&claim("b", "wang", 0), &org, &pools, T0)
        .unwrap();
    ledger
        .record_follow_up(&lead_id("b"), T0.plus_days(1))
        .unwrap();

    assert!(ledger.recycle_due(&org, &pools, T0.plus_days(2)).is_empty());
    let first = ledger.recycle_due(&org, &pools, T0.plus_days(3));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].lead, lead_id("a"));
    assert_eq!(
        first[0].kind,
        MoveKind::Recycled {
            cause: RecycleCause::NotFollowedUp { days: 3 }
        }
    );
    assert_eq!(first[0].actor, Actor::System);

    // b was followed up on day 1, so it is idle from day 8.
    assert!(ledger.recycle_due(&org, &pools, T0.plus_days(7)).is_empty());
    let second = ledger.recycle_due(&org, &pools, T0.plus_days(8));
    assert_eq!(
        second
            .iter()
            .map(|record| record.kind.clone())
            .collect::<Vec<_>>(),
        [MoveKind::Recycled {
            cause: RecycleCause::Idle { days: 7 }
        }]
    );
    let kinds: Vec<MoveKind> = ledger
        .history_of(&lead_id("a"))
        .map(|record| record.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            MoveKind::Claimed,
            MoveKind::Recycled {
                cause: RecycleCause::NotFollowedUp { days: 3 }
            }
        ]
    );
}

#[test]
fn a_follow_up_beats_a_recycling_decided_before_it() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("a", east_pool())]);
    ledger
        .execute(&claim("a", "li", 0), &org, &pools, T0)
        .unwrap();
    let due = due_for_recycling(ledger.leads(), &pools, T0.plus_days(4));
    assert_eq!(due.len(), 1);
    ledger
        .record_follow_up(&lead_id("a"), T0.plus_days(4))
        .unwrap();
    assert!(matches!(
        ledger
            .execute(&due[0], &org, &pools, T0.plus_days(4))
            .unwrap_err(),
        PoolError::StaleVersion { .. }
    ));
    let fresh = PoolCommand::Recycle {
        lead: lead_id("a"),
        expected_version: 2,
    };
    assert_eq!(
        ledger
            .execute(&fresh, &org, &pools, T0.plus_days(4))
            .unwrap_err(),
        PoolError::NotDue { lead: lead_id("a") }
    );
}

#[test]
fn managers_assign_within_their_subtree() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([pooled("a", east_pool())]);
    let assign = |to: &str, by: Actor, version: u64| PoolCommand::Assign {
        lead: lead_id("a"),
        to: user(to),
        by,
        rule: None,
        expected_version: version,
    };
    assert_eq!(
        ledger
            .execute(
                &assign("li", Actor::User(user("m_west")), 0),
                &org,
                &pools,
                T0
            )
            .unwrap_err(),
        PoolError::NotAllowed {
            user: user("m_west")
        }
    );
    assert_eq!(
        ledger
            .execute(&assign("admin", Actor::System, 0), &org, &pools, T0)
            .unwrap_err(),
        PoolError::NotAllowed {
            user: user("admin")
        }
    );
    ledger
        .execute(
            &assign("li", Actor::User(user("m_east")), 0),
            &org,
            &pools,
            T0,
        )
        .unwrap();
    assert_eq!(
        ledger
            .execute(&assign("li", Actor::System, 1), &org, &pools, T0)
            .unwrap_err(),
        PoolError::AlreadyOwner {
            lead: lead_id("a"),
            user: user("li"),
        }
    );
    let lead = ledger.lead(&lead_id("a")).unwrap();
    assert_eq!(lead.home_pool, Some(east_pool()));
    assert!(lead.awaits_follow_up());
}

#[test]
fn commands_are_plain_json_for_the_server() {
    let command: PoolCommand =
        serde_json::from_str(r#"{"command":"claim","lead":"l-1","by":"li","expected_version":3}"#)
            .unwrap();
    assert_eq!(command, claim("l-1", "li", 3));
    let put = PoolCommand::Put {
        lead: lead_id("l-1"),
        pool: east_pool(),
        by: Actor::System,
        expected_version: 0,
    };
    assert_eq!(
        serde_json::to_string(&put).unwrap(),
        r#"{"command":"put","lead":"l-1","pool":"east-pool","by":{"kind":"system"},"expected_version":0}"#
    );
    assert!(
        serde_json::from_str::<PoolCommand>(
            r#"{"command":"claim","lead":"","by":"li","expected_version":0}"#
        )
        .is_err()
    );
}

#[test]
fn pools_suggest_the_most_specific_match() {
    let pools = pools();
    assert_eq!(
        pools.suggest(&new_lead("a")).map(|pool| &pool.id),
        Some(&east_pool())
    );
    let mut west = new_lead("b");
    west.region = Some("西南".into());
    assert_eq!(
        pools.suggest(&west).map(|pool| &pool.id),
        Some(&open_pool())
    );
    assert!(matches!(
        PoolDirectory::new(vec![pools.pools()[0].clone(), pools.pools()[0].clone()]),
        Err(PoolError::DuplicatePool { .. })
    ));
}

#[derive(Clone, Debug)]
enum Op {
    Claim {
        lead: usize,
        rep: usize,
        stale: bool,
    },
    FollowUp {
        lead: usize,
    },
    Return {
        lead: usize,
    },
    PutBack {
        lead: usize,
    },
    Wait {
        days: i64,
    },
    Recycle,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..LEADS, 0..REPS.len(), proptest::bool::weighted(0.2))
            .prop_map(|(lead, rep, stale)| Op::Claim { lead, rep, stale }),
        2 => (0..LEADS).prop_map(|lead| Op::FollowUp { lead }),
        1 => (0..LEADS).prop_map(|lead| Op::Return { lead }),
        1 => (0..LEADS).prop_map(|lead| Op::PutBack { lead }),
        1 => (1..5_i64).prop_map(|days| Op::Wait { days }),
        1 => Just(Op::Recycle),
    ]
}

const LEADS: usize = 10;
const REPS: [&str; 4] = ["li", "wang", "zhao", "qian"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Claims never exceed limits, recycling never loses a lead, the holdings index matches a
    /// recount, and the history explains every custody.
    #[test]
    fn pool_invariants_hold_under_any_sequence(ops in proptest::collection::vec(op(), 1..80)) {
        let (org, pools) = (org(), pools());
        let ids: Vec<String> = (0..LEADS).map(|index| format!("l{index}")).collect();
        let mut ledger = LeadLedger::new(ids.iter().enumerate().map(|(index, id)| {
            pooled(id, if index % 3 == 0 { open_pool() } else { east_pool() })
        }));
        let initial: BTreeSet<LeadId> = ledger.leads().map(|lead| lead.id.clone()).collect();
        let mut now = T0;
        let mut follow_ups = [0_u64; LEADS];

        for op in ops {
            match op {
                Op::Claim { lead, rep, stale } => {
                    let current = ledger.lead(&lead_id(&ids[lead])).unwrap().clone();
                    let pool = current.custody.pool().cloned();
                    let holdings_before = pool.as_ref().map(|pool| ledger.holdings(&user(REPS[rep]), pool));
                    let version = if stale { current.version.wrapping_sub(1) } else { current.version };
                    let result = ledger.execute(&claim(&ids[lead], REPS[rep], version), &org, &pools, now);
                    if result.is_ok() {
                        let pool = pool.unwrap();
                        let limit = pools.get(&pool).unwrap().claim_limit;
                        prop_assert!(holdings_before.unwrap() < limit);
                        prop_assert!(!stale);
                    }
                }
                Op::FollowUp { lead } => {
                    if ledger.record_follow_up(&lead_id(&ids[lead]), now).is_ok() {
                        follow_ups[lead] += 1;
                    }
                }
                Op::Return { lead } => {
                    let current = ledger.lead(&lead_id(&ids[lead])).unwrap().clone();
                    if let Some(owner) = current.owner() {
                        let command = PoolCommand::Return {
                            lead: current.id.clone(),
                            by: owner.clone(),
                            reason: ReturnReason::NoNeed,
                            expected_version: current.version,
                        };
                        prop_assert!(ledger.execute(&command, &org, &pools, now).is_ok());
                    }
                }
                Op::PutBack { lead } => {
                    let current = ledger.lead(&lead_id(&ids[lead])).unwrap().clone();
                    let command = PoolCommand::Put {
                        lead: current.id.clone(),
                        pool: east_pool(),
                        by: Actor::User(user("admin")),
                        expected_version: current.version,
                    };
                    let _ = ledger.execute(&command, &org, &pools, now);
                }
                Op::Wait { days } => now = now.plus_days(days),
                Op::Recycle => {
                    ledger.recycle_due(&org, &pools, now);
                    prop_assert!(due_for_recycling(ledger.leads(), &pools, now).is_empty());
                }
            }

            // No lead lost or invented; each is in a pool or owned.
            let present: BTreeSet<LeadId> = ledger.leads().map(|lead| lead.id.clone()).collect();
            prop_assert_eq!(&present, &initial);
            for lead in ledger.leads() {
                prop_assert!(!matches!(lead.custody, Custody::Unassigned));
            }
            // Limits hold, and the index agrees with a recount.
            for rep in REPS {
                for pool in [east_pool(), open_pool()] {
                    let recount = ledger.leads().filter(|lead| {
                        lead.owner() == Some(&user(rep))
                            && lead.home_pool.as_ref() == Some(&pool)
                            && lead.awaits_follow_up()
                    }).count() as u32;
                    prop_assert_eq!(ledger.holdings(&user(rep), &pool), recount);
                    prop_assert!(recount <= pools.get(&pool).unwrap().claim_limit);
                }
            }
        }

        // Every change is accounted for: versions count moves and follow-ups, and the last move
        // of each lead leads to its present custody.
        for (index, id) in ids.iter().enumerate() {
            let id = lead_id(id);
            let lead = ledger.lead(&id).unwrap();
            let moves: Vec<_> = ledger.history_of(&id).collect();
            prop_assert_eq!(lead.version, moves.len() as u64 + follow_ups[index]);
            if let Some(last) = moves.last() {
                let same_place = match (&last.to, &lead.custody) {
                    (Custody::InPool { pool: a, .. }, Custody::InPool { pool: b, .. }) => a == b,
                    (Custody::Owned { owner: a, .. }, Custody::Owned { owner: b, .. }) => a == b,
                    _ => false,
                };
                prop_assert!(same_place);
            }
            for pair in moves.windows(2) {
                prop_assert_eq!(&pair[0].to, &pair[1].from);
            }
        }
    }
}

#[test]
fn distribution_cascades_from_company_to_team_to_rep() {
    let (org, pools) = (org(), pools());
    let mut ledger = LeadLedger::new([new_lead("l-1")]);
    let distribute = |team_id: &str, by: &str, version: u64| PoolCommand::Distribute {
        lead: lead_id("l-1"),
        team: team(team_id),
        by: Actor::User(user(by)),
        expected_version: version,
    };
    // The company (an admin) hands the lead to the east team.
    assert_eq!(
        ledger
            .execute(&distribute("east", "m_west", 0), &org, &pools, T0)
            .unwrap_err(),
        PoolError::NotAllowed {
            user: user("m_west")
        }
    );
    let record = ledger
        .execute(&distribute("east", "admin", 0), &org, &pools, T0)
        .unwrap();
    assert_eq!(record.kind, MoveKind::Distributed { team: team("east") });
    assert_eq!(
        ledger
            .execute(&distribute("east", "admin", 1), &org, &pools, T0)
            .unwrap_err(),
        PoolError::AlreadyWithTeam {
            lead: lead_id("l-1"),
            team: team("east"),
        }
    );
    // Waiting with a team is not being in a pool.
    assert_eq!(
        ledger
            .execute(&claim("l-1", "li", 1), &org, &pools, T0)
            .unwrap_err(),
        PoolError::NotInPool {
            lead: lead_id("l-1")
        }
    );
    // The east manager passes it down to the Shanghai group, then to a rep.
    ledger
        .execute(&distribute("east-sh", "m_east", 1), &org, &pools, T0)
        .unwrap();
    let assign = PoolCommand::Assign {
        lead: lead_id("l-1"),
        to: user("li"),
        by: Actor::User(user("m_east")),
        rule: None,
        expected_version: 2,
    };
    ledger.execute(&assign, &org, &pools, T0).unwrap();
    let kinds: Vec<MoveKind> = ledger
        .history()
        .iter()
        .map(|record| record.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        [
            MoveKind::Distributed { team: team("east") },
            MoveKind::Distributed {
                team: team("east-sh")
            },
            MoveKind::Assigned { rule: None },
        ]
    );
    assert_eq!(
        PoolError::UnknownTeam { team: team("x") }.code().as_str(),
        "unknown_team"
    );
}
