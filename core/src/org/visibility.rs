//! Who may read, write or administer a lead, deal or account.
//!
//! The server holds owners, owning teams and deal teams authoritatively and calls [`access`] for
//! every request and every document it is asked to sync; what a document says about its owner is
//! display, not permission. The input is a small [`ResourceDescriptor`] rather than the whole
//! record, so the server can answer from an index without loading documents.

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized};
use crate::id::{TeamId, UserId};
use crate::lead::record::Lead;
use crate::org::organisation::{Organisation, Role};
use crate::pool::config::PoolDirectory;

/// The kind of record access is asked for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A lead.
    Lead,
    /// A deal (sales opportunity).
    Deal,
    /// A customer account.
    Account,
    /// Organisation-wide configuration (pipelines, the organisation and its teams): every
    /// active member may read it, because every board needs it; its owner, managers over its
    /// team and admins administer it.
    OrganisationConfig,
}

/// How much a user may do with a record. Levels are ordered: each includes the ones below.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Nothing; the record does not exist for this user (the server answers `doc-unavailable`).
    None,
    /// See the record.
    Read,
    /// Edit it: fields, follow-ups, notes, tasks.
    Write,
    /// Everything, including changing the owner, managing the deal team and deleting.
    Administer,
}

/// A deal-team member (e.g. a presales engineer added to a deal) and what they may do.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DealTeamMember {
    /// The member.
    pub user: UserId,
    /// `Read` or `Write`; `Administer` is capped to `Write`, since the deal team cannot hand the
    /// deal away.
    pub access: Access,
}

/// The facts about a record that decide who may see it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    /// What the record is.
    pub kind: ResourceKind,
    /// Its owner, if any.
    #[serde(default)]
    pub owner: Option<UserId>,
    /// The team it belongs to (the owner's team when it was assigned, or the team a lead was
    /// distributed to before a rep took it).
    #[serde(default)]
    pub owning_team: Option<TeamId>,
    /// Deal-team members. They count for deals only: being on a deal team grants nothing on
    /// leads or accounts.
    #[serde(default)]
    pub deal_team: Vec<DealTeamMember>,
    /// For an unowned lead sitting in a pool: who may claim from it. They may read it to decide,
    /// and managers of the pool's team administer it.
    #[serde(default)]
    pub pool_audience: Option<PoolAudience>,
}

/// Who may see a pooled lead.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "team")]
pub enum PoolAudience {
    /// Every active member of the company.
    Company,
    /// Active members of this team and its sub-teams.
    Team(TeamId),
}

impl ResourceDescriptor {
    /// A record of `kind` owned by `owner` in `team`, with no deal team.
    pub fn owned(kind: ResourceKind, owner: UserId, team: Option<TeamId>) -> Self {
        ResourceDescriptor {
            kind,
            owner: Some(owner),
            owning_team: team,
            deal_team: Vec::new(),
            pool_audience: None,
        }
    }

    /// The descriptor of a stored lead: its owner, the team whose queue it waits in, and, if it
    /// sits in a pool, that pool's audience (a pool missing from `pools` is visible to nobody
    /// but admins).
    pub fn of_lead(lead: &Lead, pools: &PoolDirectory) -> Self {
        let pool_audience = lead
            .custody
            .pool()
            .and_then(|pool| pools.get(pool))
            .map(|pool| match &pool.team {
                Some(team) => PoolAudience::Team(team.clone()),
                None => PoolAudience::Company,
            });
        ResourceDescriptor {
            kind: ResourceKind::Lead,
            owner: lead.owner().cloned(),
            owning_team: lead.custody.team().cloned(),
            deal_team: Vec::new(),
            pool_audience,
        }
    }

    /// A lead sitting in a company-wide pool.
    pub fn in_company_pool() -> Self {
        ResourceDescriptor {
            kind: ResourceKind::Lead,
            owner: None,
            owning_team: None,
            deal_team: Vec::new(),
            pool_audience: Some(PoolAudience::Company),
        }
    }

    /// This descriptor with `user` added to the deal team at `access`.
    pub fn with_deal_team_member(mut self, user: UserId, access: Access) -> Self {
        self.deal_team.push(DealTeamMember { user, access });
        self
    }
}

/// Why a user got the access they got.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum AccessReason {
    /// The user is an admin.
    Admin,
    /// The user owns the record.
    Owner,
    /// The user manages `team`, which contains the record's owner or owning team.
    ManagerOfTeam {
        /// The manager's own team.
        team: TeamId,
    },
    /// The user is on the deal team.
    DealTeamMember,
    /// The lead sits in a pool the user may claim from.
    PoolAudience,
    /// The record is organisation-wide configuration, which every member may read.
    OrganisationMember,
    /// The user has no relation to the record.
    NoRelation,
    /// The user is unknown or has left.
    InactiveUser,
}

/// The outcome of [`access`]: a level and the reason for it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct AccessDecision {
    /// The granted level.
    pub access: Access,
    /// Why.
    pub reason: AccessReason,
}

impl AccessDecision {
    /// Whether the user may read the record.
    pub fn can_read(&self) -> bool {
        self.access >= Access::Read
    }

    /// Whether the user may edit the record.
    pub fn can_write(&self) -> bool {
        self.access >= Access::Write
    }

    /// Whether the user may reassign, share or delete the record.
    pub fn can_administer(&self) -> bool {
        self.access >= Access::Administer
    }
}

/// Decides what `user` may do with the record described by `resource`.
///
/// - An admin administers everything.
/// - The owner administers their record.
/// - A manager administers everything whose owner belongs to, or whose owning team (or pool
///   team) lies in, the manager's team subtree.
/// - A deal-team member gets their stated access (at most `Write`) on that deal only.
/// - Members of a pool's audience may read the pooled leads, so they can decide what to claim.
/// - Anyone else, and anyone inactive or unknown, gets [`Access::None`].
///
/// The strongest applicable grant wins.
///
/// ```
/// use dealflow_core::{
///     access, Access, Member, Organisation, ResourceDescriptor, ResourceKind, Role, Team,
///     TeamId, UserId,
/// };
/// let id = |s: &str| UserId::new(s).unwrap();
/// let team = |s: &str| TeamId::new(s).unwrap();
/// let org = Organisation::new(
///     "示例科技",
///     vec![
///         Team { id: team("east"), name: "华东".into(), parent: None },
///         Team { id: team("sh"), name: "上海".into(), parent: Some(team("east")) },
///     ],
///     vec![
///         Member { id: id("zhao"), name: "赵经理".into(), role: Role::Manager, team: Some(team("east")), active: true },
///         Member { id: id("li"), name: "李销售".into(), role: Role::Rep, team: Some(team("sh")), active: true },
///         Member { id: id("chen"), name: "陈售前".into(), role: Role::Rep, team: Some(team("sh")), active: true },
///     ],
/// )?;
/// let deal = ResourceDescriptor::owned(ResourceKind::Deal, id("li"), Some(team("sh")))
///     .with_deal_team_member(id("chen"), Access::Write);
///
/// assert_eq!(access(&org, &id("zhao"), &deal).access, Access::Administer); // manager of 华东
/// assert_eq!(access(&org, &id("chen"), &deal).access, Access::Write); // deal team
///
/// // The same people on an account: the deal team grants nothing there.
/// let account = ResourceDescriptor::owned(ResourceKind::Account, id("li"), Some(team("sh")));
/// let decision = access(&org, &id("chen"), &account);
/// assert!(!decision.can_read());
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn access(org: &Organisation, user: &UserId, resource: &ResourceDescriptor) -> AccessDecision {
    let Some(member) = org.active_member(user) else {
        return decision(Access::None, AccessReason::InactiveUser);
    };
    if member.role == Role::Admin {
        return decision(Access::Administer, AccessReason::Admin);
    }
    if resource.owner.as_ref() == Some(user) {
        return decision(Access::Administer, AccessReason::Owner);
    }
    if member.role == Role::Manager
        && let Some(team) = &member.team
        && within_team(org, resource, team)
    {
        return decision(
            Access::Administer,
            AccessReason::ManagerOfTeam { team: team.clone() },
        );
    }
    if resource.kind == ResourceKind::Deal {
        let granted = resource
            .deal_team
            .iter()
            .filter(|entry| &entry.user == user)
            .map(|entry| entry.access.min(Access::Write))
            .max();
        if let Some(level) = granted.filter(|level| *level > Access::None) {
            return decision(level, AccessReason::DealTeamMember);
        }
    }
    if resource.kind == ResourceKind::OrganisationConfig {
        return decision(Access::Read, AccessReason::OrganisationMember);
    }
    if resource.kind == ResourceKind::Lead && resource.owner.is_none() {
        let in_audience = match &resource.pool_audience {
            Some(PoolAudience::Company) => true,
            Some(PoolAudience::Team(team)) => org.belongs_within(user, team),
            None => false,
        };
        if in_audience {
            return decision(Access::Read, AccessReason::PoolAudience);
        }
    }
    decision(Access::None, AccessReason::NoRelation)
}

fn within_team(org: &Organisation, resource: &ResourceDescriptor, team: &TeamId) -> bool {
    let owner_within = resource.owner.as_ref().is_some_and(|owner| {
        org.member(owner)
            .and_then(|member| member.team.as_ref())
            .is_some_and(|owner_team| org.is_within(owner_team, team))
    });
    let owning_team_within = resource
        .owning_team
        .as_ref()
        .is_some_and(|owning| org.is_within(owning, team));
    let pool_within = match &resource.pool_audience {
        Some(PoolAudience::Team(pool_team)) => org.is_within(pool_team, team),
        _ => false,
    };
    owner_within || owning_team_within || pool_within
}

fn decision(access: Access, reason: AccessReason) -> AccessDecision {
    AccessDecision { access, reason }
}

impl Localized for AccessReason {
    fn localized(&self, locale: Locale) -> String {
        match (locale, self) {
            (Locale::ZhCn, AccessReason::Admin) => "管理员可访问全部记录".to_owned(),
            (Locale::En, AccessReason::Admin) => "admins may access every record".to_owned(),
            (Locale::ZhCn, AccessReason::Owner) => "你是负责人".to_owned(),
            (Locale::En, AccessReason::Owner) => "you own this record".to_owned(),
            (Locale::ZhCn, AccessReason::ManagerOfTeam { team }) => {
                format!("你管理团队 {team}，该记录属于此团队或其下级团队")
            }
            (Locale::En, AccessReason::ManagerOfTeam { team }) => {
                format!("you manage team {team}, which this record belongs to")
            }
            (Locale::ZhCn, AccessReason::DealTeamMember) => "你是该商机的协作成员".to_owned(),
            (Locale::En, AccessReason::DealTeamMember) => "you are on this deal's team".to_owned(),
            (Locale::ZhCn, AccessReason::PoolAudience) => "该线索在你可领取的线索池中".to_owned(),
            (Locale::En, AccessReason::PoolAudience) => {
                "this lead is in a pool you may claim from".to_owned()
            }
            (Locale::ZhCn, AccessReason::OrganisationMember) => {
                "组织内所有成员均可查看其配置".to_owned()
            }
            (Locale::En, AccessReason::OrganisationMember) => {
                "every member of the organisation may read its configuration".to_owned()
            }
            (Locale::ZhCn, AccessReason::NoRelation) => "你与该记录无关联".to_owned(),
            (Locale::En, AccessReason::NoRelation) => {
                "you have no relation to this record".to_owned()
            }
            (Locale::ZhCn, AccessReason::InactiveUser) => "用户不存在或已离职".to_owned(),
            (Locale::En, AccessReason::InactiveUser) => {
                "the user is unknown or has left".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::organisation::{Member, Team};

    fn org() -> Organisation {
        let team = |id: &str, parent: Option<&str>| Team {
            id: TeamId::new(id).unwrap(),
            name: id.to_owned(),
            parent: parent.map(|parent| TeamId::new(parent).unwrap()),
        };
        let member = |id: &str, role, team: Option<&str>, active| Member {
            id: UserId::new(id).unwrap(),
            name: id.to_owned(),
            role,
            team: team.map(|team| TeamId::new(team).unwrap()),
            active,
        };
        Organisation::new(
            "c",
            vec![
                team("east", None),
                team("sh", Some("east")),
                team("west", None),
            ],
            vec![
                member("admin", Role::Admin, None, true),
                member("m_east", Role::Manager, Some("east"), true),
                member("m_west", Role::Manager, Some("west"), true),
                member("rep", Role::Rep, Some("sh"), true),
                member("other", Role::Rep, Some("west"), true),
                member("gone", Role::Admin, None, false),
            ],
        )
        .unwrap()
    }

    fn user(id: &str) -> UserId {
        UserId::new(id).unwrap()
    }

    #[test]
    fn managers_see_their_subtree_only() {
        let org = org();
        let lead = ResourceDescriptor::owned(ResourceKind::Lead, user("rep"), None);
        assert_eq!(
            access(&org, &user("m_east"), &lead).access,
            Access::Administer
        );
        assert_eq!(access(&org, &user("m_west"), &lead).access, Access::None);
        assert_eq!(access(&org, &user("other"), &lead).access, Access::None);
        assert_eq!(access(&org, &user("gone"), &lead).access, Access::None);
        assert_eq!(
            access(&org, &user("admin"), &lead).access,
            Access::Administer
        );
    }

    #[test]
    fn deal_team_is_capped_and_deal_only() {
        let org = org();
        let deal = ResourceDescriptor::owned(ResourceKind::Deal, user("rep"), None)
            .with_deal_team_member(user("other"), Access::Administer);
        assert_eq!(access(&org, &user("other"), &deal).access, Access::Write);
        let mut lead = deal.clone();
        lead.kind = ResourceKind::Lead;
        assert_eq!(access(&org, &user("other"), &lead).access, Access::None);
    }

    #[test]
    fn pooled_leads_are_readable_by_the_audience() {
        let org = org();
        let mut lead = ResourceDescriptor::in_company_pool();
        assert_eq!(access(&org, &user("other"), &lead).access, Access::Read);
        lead.pool_audience = Some(PoolAudience::Team(TeamId::new("east").unwrap()));
        assert_eq!(access(&org, &user("rep"), &lead).access, Access::Read);
        assert_eq!(access(&org, &user("other"), &lead).access, Access::None);
    }
}
