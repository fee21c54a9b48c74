//! Contract tests of visibility (who may read, write or administer a record) and of ownership
//! transfer when a rep leaves.

use dealflow_core::{
    Access, AccessReason, Actor, ChannelId, Custody, DealHandover, DealId, HandoverTarget,
    HeldDeal, HeldTask, Lead, LeadDisposition, LeadDraft, LeadId, LeadLedger, LeadStatus, Locale,
    Localized, LocalizedText, Member, MoveKind, OrgError, Organisation, PoolAudience, PoolConfig,
    PoolDirectory, PoolError, PoolId, PoolScope, RecordId, ResourceDescriptor, ResourceKind, Role,
    SkippedItem, TaskHandover, TaskParent, Team, TeamId, Timestamp, TransferRequest, UserId,
    access, apply_lead_handover, plan_transfer,
};
use expect_test::expect;
use proptest::prelude::*;

const T0: Timestamp = Timestamp::from_millis(1_764_000_000_000);

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

fn team(id: &str) -> TeamId {
    TeamId::new(id).unwrap()
}

/// sales ⊃ east ⊃ shanghai; sales ⊃ west. Managers: vp (sales), m_east, m_sh, m_west.
fn org() -> Organisation {
    let team_of = |id: &str, parent: Option<&str>| Team {
        id: team(id),
        name: id.to_owned(),
        parent: parent.map(team),
    };
    let member = |id: &str, role, team_id: Option<&str>| Member {
        id: user(id),
        name: id.to_owned(),
        role,
        team: team_id.map(team),
        active: id != "gone",
    };
    Organisation::new(
        "示例科技",
        vec![
            team_of("sales", None),
            team_of("east", Some("sales")),
            team_of("shanghai", Some("east")),
            team_of("west", Some("sales")),
        ],
        vec![
            member("admin", Role::Admin, None),
            member("vp", Role::Manager, Some("sales")),
            member("m_east", Role::Manager, Some("east")),
            member("m_sh", Role::Manager, Some("shanghai")),
            member("m_west", Role::Manager, Some("west")),
            member("li", Role::Rep, Some("shanghai")),
            member("chen", Role::Rep, Some("shanghai")),
            member("wang", Role::Rep, Some("west")),
            member("gone", Role::Rep, Some("shanghai")),
        ],
    )
    .unwrap()
}

#[test]
fn who_sees_a_deal_in_shanghai() {
    let org = org();
    let deal = ResourceDescriptor::owned(ResourceKind::Deal, user("li"), Some(team("shanghai")))
        .with_deal_team_member(user("wang"), Access::Read);
    let table: Vec<String> = [
        "admin", "vp", "m_east", "m_sh", "m_west", "li", "chen", "wang", "gone", "stranger",
    ]
    .iter()
    .map(|id| {
        let decision = access(&org, &user(id), &deal);
        format!(
            "{id:8} {:10} {}",
            format!("{:?}", decision.access),
            decision.reason.localized(Locale::ZhCn)
        )
    })
    .collect();
    expect![[r#"
        admin    Administer 管理员可访问全部记录
        vp       Administer 你管理团队 sales，该记录属于此团队或其下级团队
        m_east   Administer 你管理团队 east，该记录属于此团队或其下级团队
        m_sh     Administer 你管理团队 shanghai，该记录属于此团队或其下级团队
        m_west   None       你与该记录无关联
        li       Administer 你是负责人
        chen     None       你与该记录无关联
        wang     Read       你是该商机的协作成员
        gone     None       用户不存在或已离职
        stranger None       用户不存在或已离职"#]]
    .assert_eq(&table.join("\n"));
}

#[test]
fn deal_team_membership_grants_that_deal_only() {
    let org = org();
    let presales = user("wang");
    let deal = ResourceDescriptor::owned(ResourceKind::Deal, user("li"), None)
        .with_deal_team_member(presales.clone(), Access::Write);
    assert_eq!(access(&org, &presales, &deal).access, Access::Write);
    for kind in [ResourceKind::Lead, ResourceKind::Account] {
        let mut other = deal.clone();
        other.kind = kind;
        assert_eq!(access(&org, &presales, &other).access, Access::None);
    }
    let decision = access(&org, &presales, &deal);
    assert!(decision.can_write() && !decision.can_administer());
    assert_eq!(decision.reason, AccessReason::DealTeamMember);
}

#[test]
fn the_owning_team_counts_when_nobody_owns_the_record() {
    let org = org();
    let distributed = ResourceDescriptor {
        kind: ResourceKind::Lead,
        owner: None,
        owning_team: Some(team("east")),
        deal_team: Vec::new(),
        pool_audience: None,
    };
    assert_eq!(
        access(&org, &user("m_east"), &distributed).access,
        Access::Administer
    );
    assert_eq!(
        access(&org, &user("m_sh"), &distributed).access,
        Access::None
    );
    assert_eq!(access(&org, &user("li"), &distributed).access, Access::None);
    let pooled = ResourceDescriptor {
        pool_audience: Some(PoolAudience::Team(team("east"))),
        owning_team: None,
        ..distributed
    };
    assert_eq!(access(&org, &user("li"), &pooled).access, Access::Read);
    assert_eq!(access(&org, &user("m_sh"), &pooled).access, Access::Read);
    assert_eq!(
        access(&org, &user("vp"), &pooled).access,
        Access::Administer
    );
    assert_eq!(access(&org, &user("wang"), &pooled).access, Access::None);
}

#[test]
fn descriptors_are_plain_json_for_the_server() {
    let json = r#"{"kind":"deal","owner":"li","owning_team":"shanghai","deal_team":[{"user":"wang","access":"read"}]}"#;
    let descriptor: ResourceDescriptor = serde_json::from_str(json).unwrap();
    assert_eq!(
        access(&org(), &user("wang"), &descriptor).access,
        Access::Read
    );
    let decision = access(&org(), &user("m_east"), &descriptor);
    assert_eq!(
        serde_json::to_string(&decision).unwrap(),
        r#"{"access":"administer","reason":{"reason":"manager_of_team","team":"east"}}"#
    );
}

/// A random organisation: team `t{i}` hangs under an earlier team (or the company), each team
/// has a manager `m{i}`, reps are spread over teams.
fn random_org(parents: &[Option<usize>], rep_teams: &[usize]) -> Organisation {
    let teams = parents
        .iter()
        .enumerate()
        .map(|(index, parent)| Team {
            id: team(&format!("t{index}")),
            name: format!("t{index}"),
            parent: parent
                .filter(|parent| *parent < index)
                .map(|parent| team(&format!("t{parent}"))),
        })
        .collect();
    let mut members: Vec<Member> = (0..parents.len())
        .map(|index| Member {
            id: user(&format!("m{index}")),
            name: format!("m{index}"),
            role: Role::Manager,
            team: Some(team(&format!("t{index}"))),
            active: true,
        })
        .collect();
    members.extend(
        rep_teams
            .iter()
            .enumerate()
            .map(|(index, team_index)| Member {
                id: user(&format!("r{index}")),
                name: format!("r{index}"),
                role: Role::Rep,
                team: Some(team(&format!("t{}", team_index % parents.len()))),
                active: true,
            }),
    );
    members.push(Member {
        id: user("admin"),
        name: "admin".into(),
        role: Role::Admin,
        team: None,
        active: true,
    });
    Organisation::new("c", teams, members).unwrap()
}

fn resource(teams: usize, reps: usize) -> impl Strategy<Value = ResourceDescriptor> {
    (
        prop_oneof![
            Just(ResourceKind::Lead),
            Just(ResourceKind::Deal),
            Just(ResourceKind::Account)
        ],
        proptest::option::of(0..reps),
        proptest::option::of(0..teams),
        proptest::collection::vec((0..reps, any::<bool>()), 0..3),
        proptest::option::of(proptest::option::of(0..teams)),
    )
        .prop_map(|(kind, owner, owning_team, deal_team, pool)| {
            let mut descriptor = ResourceDescriptor {
                kind,
                owner: owner.map(|index| user(&format!("r{index}"))),
                owning_team: owning_team.map(|index| team(&format!("t{index}"))),
                deal_team: Vec::new(),
                pool_audience: pool.map(|team_index| match team_index {
                    Some(index) => PoolAudience::Team(team(&format!("t{index}"))),
                    None => PoolAudience::Company,
                }),
            };
            for (index, write) in deal_team {
                let level = if write { Access::Write } else { Access::Read };
                descriptor = descriptor.with_deal_team_member(user(&format!("r{index}")), level);
            }
            descriptor
        })
}

fn scenario() -> impl Strategy<Value = (Vec<Option<usize>>, Vec<usize>, Vec<ResourceDescriptor>)> {
    (1..7_usize, 1..8_usize).prop_flat_map(|(teams, reps)| {
        (
            proptest::collection::vec(proptest::option::of(0..teams), teams),
            proptest::collection::vec(0..teams, reps),
            proptest::collection::vec(resource(teams, reps), 1..12),
        )
    })
}

proptest! {
    /// Visibility is monotone down the hierarchy: a manager of a team has at least the access of
    /// the manager of any team below it; admins administer everything; deal teams grant
    /// nothing outside deals.
    #[test]
    fn visibility_is_monotone_down_the_hierarchy((parents, rep_teams, resources) in scenario()) {
        let org = random_org(&parents, &rep_teams);
        let team_count = parents.len();
        for resource in &resources {
            prop_assert_eq!(access(&org, &user("admin"), resource).access, Access::Administer);
            for upper in 0..team_count {
                for lower in 0..team_count {
                    let (upper_team, lower_team) = (team(&format!("t{upper}")), team(&format!("t{lower}")));
                    if !org.is_within(&lower_team, &upper_team) {
                        continue;
                    }
                    let upper_access = access(&org, &user(&format!("m{upper}")), resource).access;
                    let lower_access = access(&org, &user(&format!("m{lower}")), resource).access;
                    prop_assert!(upper_access >= lower_access, "m{upper} {upper_access:?} < m{lower} {lower_access:?} on {resource:?}");
                }
            }
            for rep in 0..rep_teams.len() {
                let rep_user = user(&format!("r{rep}"));
                let decision = access(&org, &rep_user, resource);
                if resource.kind != ResourceKind::Deal && resource.owner.as_ref() != Some(&rep_user) {
                    prop_assert!(decision.access <= Access::Read, "{decision:?}");
                }
                if decision.access > Access::None {
                    let related = resource.owner.as_ref() == Some(&rep_user)
                        || resource.deal_team.iter().any(|member| member.user == rep_user)
                        || resource.pool_audience.is_some();
                    prop_assert!(related);
                }
            }
        }
    }
}

fn pools() -> PoolDirectory {
    PoolDirectory::new(vec![PoolConfig {
        id: PoolId::new("east-pool").unwrap(),
        name: LocalizedText::new("华东公海", "East pool"),
        scope: PoolScope::default(),
        team: Some(team("east")),
        claim_limit: 5,
        recycle_unfollowed_after_days: None,
        recycle_idle_after_days: None,
    }])
    .unwrap()
}

fn lead_owned_by(id: &str, owner: &str, home_pool: Option<&str>) -> Lead {
    let mut lead = Lead::new(
        LeadId::new(id).unwrap(),
        LeadDraft::default(),
        ChannelId::new("referral").unwrap(),
        T0,
    );
    lead.custody = Custody::Owned {
        owner: user(owner),
        since: T0,
    };
    lead.home_pool = home_pool.map(|pool| PoolId::new(pool).unwrap());
    lead
}

#[test]
fn a_departing_reps_work_moves_to_the_successor_or_back_to_pools() {
    let org = org();
    let pools = pools();
    let followed = lead_owned_by("followed", "gone", Some("east-pool"))
        .record_follow_up(T0.plus_days(1))
        .unwrap();
    let closed = {
        let mut lead = lead_owned_by("closed", "gone", Some("east-pool"));
        lead.status = LeadStatus::Invalid {
            reason: dealflow_core::InvalidReason::NoNeed,
            at: T0,
        };
        lead
    };
    let leads = [
        followed,
        closed,
        lead_owned_by("homeless", "gone", None),
        lead_owned_by("someone-else", "li", Some("east-pool")),
    ];
    let deals = [
        HeldDeal {
            id: DealId::new("owned").unwrap(),
            descriptor: ResourceDescriptor::owned(
                ResourceKind::Deal,
                user("gone"),
                Some(team("shanghai")),
            )
            .with_deal_team_member(user("chen"), Access::Write),
        },
        HeldDeal {
            id: DealId::new("helping").unwrap(),
            descriptor: ResourceDescriptor::owned(
                ResourceKind::Deal,
                user("li"),
                Some(team("shanghai")),
            )
            .with_deal_team_member(user("gone"), Access::Write),
        },
        HeldDeal {
            id: DealId::new("unrelated").unwrap(),
            descriptor: ResourceDescriptor::owned(ResourceKind::Deal, user("li"), None),
        },
    ];
    let tasks = [
        HeldTask {
            id: RecordId::new("call-back").unwrap(),
            assignee: user("gone"),
            parent: Some(TaskParent::Deal(DealId::new("owned").unwrap())),
        },
        HeldTask {
            id: RecordId::new("not-theirs").unwrap(),
            assignee: user("li"),
            parent: None,
        },
    ];
    let request = TransferRequest {
        departing: user("gone"),
        successor: user("chen"),
        leads: LeadDisposition::ToPools {
            fallback_pool: None,
        },
    };
    let plan = plan_transfer(&org, &pools, &request, &leads, &deals, &tasks).unwrap();
    let targets: Vec<(String, HandoverTarget)> = plan
        .leads
        .iter()
        .map(|handover| (handover.lead.to_string(), handover.to.clone()))
        .collect();
    assert_eq!(
        targets,
        [
            (
                "followed".to_owned(),
                HandoverTarget::Pool(PoolId::new("east-pool").unwrap())
            ),
            ("closed".to_owned(), HandoverTarget::User(user("chen"))),
            ("homeless".to_owned(), HandoverTarget::User(user("chen"))),
        ]
    );
    assert_eq!(
        plan.deals,
        [
            DealHandover::NewOwner {
                deal: DealId::new("owned").unwrap(),
                owner: user("chen"),
                owning_team: Some(team("shanghai")),
                remove_successor_from_deal_team: true,
            },
            DealHandover::LeaveDealTeam {
                deal: DealId::new("helping").unwrap(),
            },
        ]
    );
    assert_eq!(
        plan.tasks,
        [TaskHandover {
            task: RecordId::new("call-back").unwrap(),
            to: user("chen"),
        }]
    );
    assert_eq!(
        plan.skipped,
        [
            SkippedItem::Lead(LeadId::new("someone-else").unwrap()),
            SkippedItem::Deal(DealId::new("unrelated").unwrap()),
            SkippedItem::Task(RecordId::new("not-theirs").unwrap()),
        ]
    );

    // Applying: each lead moves with compare-and-set; its follow-up history stays with it.
    let mut ledger = LeadLedger::new(leads.clone());
    for handover in &plan.leads {
        let stored = ledger.lead(&handover.lead).unwrap();
        let transition = apply_lead_handover(
            stored,
            handover,
            &plan.departing,
            Actor::User(user("admin")),
            T0.plus_days(2),
        )
        .unwrap();
        ledger.apply(transition).unwrap();
    }
    let followed = ledger.lead(&LeadId::new("followed").unwrap()).unwrap();
    assert_eq!(
        followed.custody.pool(),
        Some(&PoolId::new("east-pool").unwrap())
    );
    assert_eq!(followed.first_follow_up_at, Some(T0.plus_days(1)));
    assert_eq!(followed.status, LeadStatus::Following);
    let moves: Vec<MoveKind> = ledger
        .history()
        .iter()
        .map(|record| record.kind.clone())
        .collect();
    assert!(
        moves
            .iter()
            .all(|kind| *kind == MoveKind::Transferred { from: user("gone") })
    );
    assert_eq!(moves.len(), 3);
}

#[test]
fn hand_overs_fail_cleanly_on_changed_leads() {
    let org = org();
    let lead = lead_owned_by("l-1", "gone", None);
    let request = TransferRequest {
        departing: user("gone"),
        successor: user("chen"),
        leads: LeadDisposition::ToSuccessor,
    };
    let plan = plan_transfer(
        &org,
        &pools(),
        &request,
        std::slice::from_ref(&lead),
        &[],
        &[],
    )
    .unwrap();
    let handover = &plan.leads[0];
    let mut taken = lead.clone();
    taken.custody = Custody::Owned {
        owner: user("li"),
        since: T0,
    };
    taken.version = 1;
    assert_eq!(
        apply_lead_handover(&taken, handover, &plan.departing, Actor::System, T0).unwrap_err(),
        PoolError::LeadAlreadyClaimed {
            lead: lead.id.clone(),
            by: user("li"),
        }
    );
    let followed = lead.record_follow_up(T0).unwrap();
    assert!(matches!(
        apply_lead_handover(&followed, handover, &plan.departing, Actor::System, T0).unwrap_err(),
        PoolError::StaleVersion {
            expected: 0,
            actual: 1,
            ..
        }
    ));
}

#[test]
fn successors_must_be_able_to_take_over() {
    let org = org();
    let request = |successor: &str, departing: &str| TransferRequest {
        departing: user(departing),
        successor: user(successor),
        leads: LeadDisposition::ToSuccessor,
    };
    for successor in ["admin", "gone", "nobody"] {
        assert_eq!(
            plan_transfer(&org, &pools(), &request(successor, "gone"), &[], &[], &[]).unwrap_err(),
            OrgError::InvalidSuccessor {
                user: user(successor)
            }
        );
    }
    assert_eq!(
        plan_transfer(&org, &pools(), &request("li", "li"), &[], &[], &[]).unwrap_err(),
        OrgError::InvalidSuccessor { user: user("li") }
    );
    let unknown =
        plan_transfer(&org, &pools(), &request("li", "nobody"), &[], &[], &[]).unwrap_err();
    assert_eq!(
        unknown,
        OrgError::UnknownUser {
            user: user("nobody")
        }
    );
    assert_eq!(unknown.localized(Locale::ZhCn), "用户 nobody 不存在");
    // A manager may take over.
    assert!(plan_transfer(&org, &pools(), &request("m_sh", "gone"), &[], &[], &[]).is_ok());
}

#[test]
fn lead_descriptors_follow_custody() {
    let org = org();
    let pools = pools();
    let mut lead = Lead::new(
        LeadId::new("l-1").unwrap(),
        LeadDraft::default(),
        ChannelId::new("web_form").unwrap(),
        T0,
    );
    lead.custody = Custody::Team {
        team: team("east"),
        since: T0,
    };
    let queued = ResourceDescriptor::of_lead(&lead, &pools);
    assert_eq!(
        access(&org, &user("m_east"), &queued).access,
        Access::Administer
    );
    assert_eq!(access(&org, &user("m_sh"), &queued).access, Access::None);
    assert_eq!(access(&org, &user("li"), &queued).access, Access::None);

    lead.custody = Custody::InPool {
        pool: PoolId::new("east-pool").unwrap(),
        since: T0,
    };
    let pooled = ResourceDescriptor::of_lead(&lead, &pools);
    assert_eq!(pooled.pool_audience, Some(PoolAudience::Team(team("east"))));
    assert_eq!(access(&org, &user("li"), &pooled).access, Access::Read);
    assert_eq!(access(&org, &user("wang"), &pooled).access, Access::None);

    lead.custody = Custody::Owned {
        owner: user("li"),
        since: T0,
    };
    let owned = ResourceDescriptor::of_lead(&lead, &pools);
    assert_eq!(access(&org, &user("li"), &owned).access, Access::Administer);
    assert_eq!(access(&org, &user("chen"), &owned).access, Access::None);
    assert_eq!(
        access(&org, &user("m_sh"), &owned).access,
        Access::Administer
    );
}

#[test]
fn organisation_configuration_is_read_by_every_member_and_administered_as_an_account() {
    let org = org();
    let pipeline = ResourceDescriptor::owned(
        ResourceKind::OrganisationConfig,
        user("admin"),
        Some(team("sales")),
    );
    for rep in ["li", "chen", "wang"] {
        let decision = access(&org, &user(rep), &pipeline);
        assert_eq!(decision.access, Access::Read, "{rep}");
        assert_eq!(decision.reason, AccessReason::OrganisationMember);
    }
    assert_eq!(
        access(&org, &user("admin"), &pipeline).access,
        Access::Administer
    );
    assert_eq!(
        access(&org, &user("vp"), &pipeline).access,
        Access::Administer,
        "the manager over its team"
    );
    assert_eq!(
        access(&org, &user("m_west"), &pipeline).access,
        Access::Read,
        "a manager of another team reads it"
    );
    assert_eq!(access(&org, &user("gone"), &pipeline).access, Access::None);
    assert_eq!(
        access(&org, &user("stranger"), &pipeline).access,
        Access::None
    );
    // Owned by a rep, it is theirs to administer; other reps read it.
    let rep_owned = ResourceDescriptor::owned(
        ResourceKind::OrganisationConfig,
        user("li"),
        Some(team("shanghai")),
    );
    assert_eq!(
        access(&org, &user("li"), &rep_owned).access,
        Access::Administer
    );
    assert_eq!(access(&org, &user("wang"), &rep_owned).access, Access::Read);
    // An account stays private to its owner's line.
    let account =
        ResourceDescriptor::owned(ResourceKind::Account, user("li"), Some(team("shanghai")));
    assert_eq!(access(&org, &user("wang"), &account).access, Access::None);
    assert_eq!(
        AccessReason::OrganisationMember.localized(Locale::En),
        "every member of the organisation may read its configuration"
    );
    assert!(
        !AccessReason::OrganisationMember
            .localized(Locale::ZhCn)
            .is_empty()
    );
}
