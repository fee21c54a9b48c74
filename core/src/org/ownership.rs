//! Exclusive changes to who owns a record and who is on its deal team, decided against the
//! server's own record.
//!
//! CRDTs merge; they cannot arbitrate. The relay keeps owners and deal teams in its own tables and
//! runs [`decide_ownership`] inside a storage transaction on the current row, so two concurrent
//! transfers are serialised and each is checked against what the other left. What a document
//! says about its owner is display: the relay writes the decided result into the document after
//! the transaction commits.

use serde::{Deserialize, Serialize};

use crate::id::UserId;
use crate::org::error::OrgError;
use crate::org::organisation::{Organisation, Role};
use crate::org::visibility::{Access, DealTeamMember, ResourceDescriptor, ResourceKind, access};

/// An exclusive change to a record's ownership.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum OwnershipChange {
    /// Hand the record to `to`, who must be an active rep or manager; the owning team becomes
    /// theirs. If they were on the deal team they leave it (they own the deal now).
    Transfer {
        /// The new owner.
        to: UserId,
    },
    /// Put `user` on the deal team with `access` (`Read` or `Write`; `Administer` is capped to
    /// `Write`), or change their access.
    AddMember {
        /// The member.
        user: UserId,
        /// What they may do.
        access: Access,
    },
    /// Take `user` off the deal team (no error if they are not on it).
    RemoveMember {
        /// The member.
        user: UserId,
    },
}

/// Decides `change`, asked for by `by`, against the record as stored (`current`), and returns
/// the record as it must be stored next.
///
/// Only someone who administers the record may change its ownership: its owner, an admin, or a
/// manager of the owner's or owning team (see [`access`]); deal-team members cannot hand the
/// deal away. The deal team exists on deals only. A change that changes nothing is returned
/// unchanged, so repeating a request is harmless.
///
/// ```
/// use dealflow_core::{
///     decide_ownership, Access, Member, Organisation, OwnershipChange, ResourceDescriptor,
///     ResourceKind, Role, Team, TeamId, UserId,
/// };
/// let id = |s: &str| UserId::new(s).unwrap();
/// let east = TeamId::new("east")?;
/// let org = Organisation::new(
///     "示例科技",
///     vec![Team { id: east.clone(), name: "华东".into(), parent: None }],
///     vec![
///         Member { id: id("wang"), name: "王经理".into(), role: Role::Manager, team: Some(east.clone()), active: true },
///         Member { id: id("li"), name: "李".into(), role: Role::Rep, team: Some(east.clone()), active: true },
///         Member { id: id("zhou"), name: "周".into(), role: Role::Rep, team: Some(east.clone()), active: true },
///     ],
/// )?;
/// let deal = ResourceDescriptor::owned(ResourceKind::Deal, id("li"), Some(east.clone()));
/// let change = OwnershipChange::Transfer { to: id("zhou") };
/// let next = decide_ownership(&org, &id("wang"), &deal, &change)?; // the manager may
/// assert_eq!(next.owner, Some(id("zhou")));
/// assert!(decide_ownership(&org, &id("zhou"), &deal, &change).is_err()); // a peer may not
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn decide_ownership(
    org: &Organisation,
    by: &UserId,
    current: &ResourceDescriptor,
    change: &OwnershipChange,
) -> Result<ResourceDescriptor, OrgError> {
    if !access(org, by, current).can_administer() {
        return Err(OrgError::NotPermitted { user: by.clone() });
    }
    let mut next = current.clone();
    match change {
        OwnershipChange::Transfer { to } => {
            let member = org
                .active_member(to)
                .ok_or_else(|| OrgError::UnknownUser { user: to.clone() })?;
            if !matches!(member.role, Role::Rep | Role::Manager) {
                return Err(OrgError::InvalidSuccessor { user: to.clone() });
            }
            next.owner = Some(to.clone());
            next.owning_team = member.team.clone();
            next.deal_team.retain(|entry| &entry.user != to);
        }
        OwnershipChange::AddMember { user, access } => {
            if current.kind != ResourceKind::Deal {
                return Err(OrgError::NotADeal);
            }
            if org.active_member(user).is_none() {
                return Err(OrgError::UnknownUser { user: user.clone() });
            }
            if current.owner.as_ref() == Some(user) {
                // The owner administers the deal already; a deal-team entry would only shadow it.
                return Ok(next);
            }
            let access = (*access).min(Access::Write);
            next.deal_team.retain(|entry| &entry.user != user);
            if access > Access::None {
                next.deal_team.push(DealTeamMember {
                    user: user.clone(),
                    access,
                });
            }
            next.deal_team.sort_by(|a, b| a.user.cmp(&b.user));
        }
        OwnershipChange::RemoveMember { user } => {
            next.deal_team.retain(|entry| &entry.user != user);
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::TeamId;
    use crate::org::organisation::{Member, Team};

    fn user(id: &str) -> UserId {
        UserId::new(id).unwrap()
    }

    fn org() -> Organisation {
        let team = |id: &str| Team {
            id: TeamId::new(id).unwrap(),
            name: id.to_owned(),
            parent: None,
        };
        let member = |id: &str, role, team: Option<&str>, active| Member {
            id: user(id),
            name: id.to_owned(),
            role,
            team: team.map(|team| TeamId::new(team).unwrap()),
            active,
        };
        Organisation::new(
            "c",
            vec![team("east"), team("south")],
            vec![
                member("admin", Role::Admin, None, true),
                member("m_east", Role::Manager, Some("east"), true),
                member("m_south", Role::Manager, Some("south"), true),
                member("li", Role::Rep, Some("east"), true),
                member("zhou", Role::Rep, Some("south"), true),
                member("gone", Role::Rep, Some("east"), false),
            ],
        )
        .unwrap()
    }

    fn deal() -> ResourceDescriptor {
        ResourceDescriptor::owned(
            ResourceKind::Deal,
            user("li"),
            Some(TeamId::new("east").unwrap()),
        )
        .with_deal_team_member(user("zhou"), Access::Write)
    }

    #[test]
    fn only_administrators_may_change_ownership() {
        let org = org();
        let change = OwnershipChange::Transfer { to: user("m_east") };
        for allowed in ["li", "admin", "m_east"] {
            assert!(decide_ownership(&org, &user(allowed), &deal(), &change).is_ok());
        }
        // A deal-team writer and a manager of another team may not.
        for refused in ["zhou", "m_south", "gone"] {
            assert_eq!(
                decide_ownership(&org, &user(refused), &deal(), &change),
                Err(OrgError::NotPermitted {
                    user: user(refused)
                })
            );
        }
    }

    #[test]
    fn transfer_moves_the_team_and_leaves_the_deal_team() {
        let org = org();
        let change = OwnershipChange::Transfer { to: user("zhou") };
        let next = decide_ownership(&org, &user("li"), &deal(), &change).unwrap();
        assert_eq!(next.owner, Some(user("zhou")));
        assert_eq!(next.owning_team, Some(TeamId::new("south").unwrap()));
        assert!(next.deal_team.is_empty());
        for bad in ["gone", "nobody", "admin"] {
            let change = OwnershipChange::Transfer { to: user(bad) };
            assert!(decide_ownership(&org, &user("li"), &deal(), &change).is_err());
        }
    }

    #[test]
    fn members_are_capped_sorted_and_deal_only() {
        let org = org();
        let add = OwnershipChange::AddMember {
            user: user("m_south"),
            access: Access::Administer,
        };
        let next = decide_ownership(&org, &user("li"), &deal(), &add).unwrap();
        let members: Vec<(&str, Access)> = next
            .deal_team
            .iter()
            .map(|entry| (entry.user.as_str(), entry.access))
            .collect();
        assert_eq!(
            members,
            [("m_south", Access::Write), ("zhou", Access::Write)]
        );
        let remove = OwnershipChange::RemoveMember { user: user("zhou") };
        let next = decide_ownership(&org, &user("li"), &next, &remove).unwrap();
        assert_eq!(next.deal_team.len(), 1);
        let mut account = deal();
        account.kind = ResourceKind::Account;
        assert_eq!(
            decide_ownership(&org, &user("li"), &account, &add),
            Err(OrgError::NotADeal)
        );
    }
}
