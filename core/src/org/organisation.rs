//! The organisation tree: one company, nested teams, and the people in them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::id::{TeamId, UserId};
use crate::org::error::OrgError;

/// What a person may do in the organisation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and administers everything in the company.
    Admin,
    /// Leads a team: sees and administers everything owned within the team and its sub-teams.
    Manager,
    /// Works leads and deals: sees what they own or were added to.
    Rep,
}

/// A team. Teams nest: a team without a parent sits directly under the company.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Team {
    /// Identifier, unique within the organisation.
    pub id: TeamId,
    /// Display name, e.g. "华东大区".
    pub name: String,
    /// The enclosing team, or `None` for a top-level team.
    #[serde(default)]
    pub parent: Option<TeamId>,
}

/// A person in the organisation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Member {
    /// Their user id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// The team they belong to; a manager manages this team and its sub-teams. Required for
    /// managers and reps, optional for admins.
    #[serde(default)]
    pub team: Option<TeamId>,
    /// Whether they still work here. People who left keep their records until a transfer moves
    /// them, but get no access and no new leads.
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// A company with its nested teams and members, validated: every parent and team reference
/// exists, the team graph has no cycle, managers and reps belong to a team.
///
/// ```
/// use dealflow_core::{Member, Organisation, Role, Team, TeamId, UserId};
/// let team = |id: &str, parent: Option<&str>| Team {
///     id: TeamId::new(id).unwrap(),
///     name: id.to_owned(),
///     parent: parent.map(|p| TeamId::new(p).unwrap()),
/// };
/// let member = |id: &str, role, team: &str| Member {
///     id: UserId::new(id).unwrap(),
///     name: id.to_owned(),
///     role,
///     team: Some(TeamId::new(team).unwrap()),
///     active: true,
/// };
/// let org = Organisation::new(
///     "示例科技",
///     vec![team("east", None), team("shanghai", Some("east"))],
///     vec![member("wang", Role::Manager, "east"), member("li", Role::Rep, "shanghai")],
/// )?;
/// let east = TeamId::new("east")?;
/// let shanghai = TeamId::new("shanghai")?;
/// assert!(org.is_within(&shanghai, &east));
/// assert!(org.manages(&UserId::new("wang")?, &shanghai));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(try_from = "OrganisationData", into = "OrganisationData")]
pub struct Organisation {
    company: String,
    teams: BTreeMap<TeamId, Team>,
    members: BTreeMap<UserId, Member>,
    children: BTreeMap<TeamId, Vec<TeamId>>,
}

/// The serialised form of an [`Organisation`]: plain lists, validated on the way in.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OrganisationData {
    /// Company name.
    pub company: String,
    /// All teams.
    pub teams: Vec<Team>,
    /// All members.
    pub members: Vec<Member>,
}

impl Organisation {
    /// Validates and builds an organisation.
    pub fn new(
        company: impl Into<String>,
        teams: Vec<Team>,
        members: Vec<Member>,
    ) -> Result<Self, OrgError> {
        let mut team_map = BTreeMap::new();
        for team in teams {
            if team_map.contains_key(&team.id) {
                return Err(OrgError::DuplicateTeam { team: team.id });
            }
            team_map.insert(team.id.clone(), team);
        }
        let mut children: BTreeMap<TeamId, Vec<TeamId>> = BTreeMap::new();
        for team in team_map.values() {
            if let Some(parent) = &team.parent {
                if !team_map.contains_key(parent) {
                    return Err(OrgError::UnknownParentTeam {
                        team: team.id.clone(),
                        parent: parent.clone(),
                    });
                }
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(team.id.clone());
            }
        }
        check_acyclic(&team_map)?;
        let mut member_map = BTreeMap::new();
        for member in members {
            if member_map.contains_key(&member.id) {
                return Err(OrgError::DuplicateMember { user: member.id });
            }
            match (&member.team, member.role) {
                (Some(team), _) if !team_map.contains_key(team) => {
                    return Err(OrgError::UnknownTeam { team: team.clone() });
                }
                (None, Role::Manager | Role::Rep) => {
                    return Err(OrgError::MemberWithoutTeam { user: member.id });
                }
                _ => {}
            }
            member_map.insert(member.id.clone(), member);
        }
        Ok(Organisation {
            company: company.into(),
            teams: team_map,
            members: member_map,
            children,
        })
    }

    /// The company name.
    pub fn company(&self) -> &str {
        &self.company
    }

    /// The team with `id`.
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.get(id)
    }

    /// All teams, by id.
    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    /// The member with `id`.
    pub fn member(&self, id: &UserId) -> Option<&Member> {
        self.members.get(id)
    }

    /// All members, by id.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    /// The member with `id`, if they exist and are active.
    pub fn active_member(&self, id: &UserId) -> Option<&Member> {
        self.members.get(id).filter(|member| member.active)
    }

    /// The direct sub-teams of `team`, by id.
    pub fn sub_teams(&self, team: &TeamId) -> &[TeamId] {
        self.children.get(team).map_or(&[], Vec::as_slice)
    }

    /// `team` followed by its parent, grandparent, … up to a top-level team.
    pub fn ancestry<'a>(&'a self, team: &'a TeamId) -> impl Iterator<Item = &'a TeamId> + 'a {
        // Validation rules out cycles; the bound keeps even a corrupted map from looping.
        let mut next = self.teams.get(team).map(|team| &team.id);
        std::iter::from_fn(move || {
            let current = next?;
            next = self
                .teams
                .get(current)
                .and_then(|team| team.parent.as_ref());
            Some(current)
        })
        .take(self.teams.len())
    }

    /// Whether `team` is `ancestor` or lies anywhere below it.
    pub fn is_within(&self, team: &TeamId, ancestor: &TeamId) -> bool {
        self.ancestry(team).any(|candidate| candidate == ancestor)
    }

    /// `team` and every team below it, in breadth-first order.
    pub fn subtree(&self, team: &TeamId) -> Vec<TeamId> {
        let mut found = Vec::new();
        if !self.teams.contains_key(team) {
            return found;
        }
        found.push(team.clone());
        let mut index = 0;
        while let Some(current) = found.get(index) {
            let below = self.sub_teams(current).to_vec();
            found.extend(below);
            index += 1;
        }
        found
    }

    /// Whether `user` is an active manager whose team is `team` or one of its ancestors.
    pub fn manages(&self, user: &UserId, team: &TeamId) -> bool {
        self.active_member(user).is_some_and(|member| {
            member.role == Role::Manager
                && member
                    .team
                    .as_ref()
                    .is_some_and(|own| self.is_within(team, own))
        })
    }

    /// Whether `user` is an active admin.
    pub fn is_admin(&self, user: &UserId) -> bool {
        self.active_member(user)
            .is_some_and(|member| member.role == Role::Admin)
    }

    /// Whether `user` is active and belongs to `team` or one of its sub-teams.
    pub fn belongs_within(&self, user: &UserId, team: &TeamId) -> bool {
        self.active_member(user).is_some_and(|member| {
            member
                .team
                .as_ref()
                .is_some_and(|own| self.is_within(own, team))
        })
    }

    /// The active reps whose team is exactly `team`, by user id.
    pub fn reps_of(&self, team: &TeamId) -> Vec<&UserId> {
        self.members
            .values()
            .filter(|member| {
                member.active && member.role == Role::Rep && member.team.as_ref() == Some(team)
            })
            .map(|member| &member.id)
            .collect()
    }

    /// The active reps in `team` or any sub-team, by user id.
    pub fn reps_within(&self, team: &TeamId) -> Vec<&UserId> {
        self.members
            .values()
            .filter(|member| {
                member.active
                    && member.role == Role::Rep
                    && member
                        .team
                        .as_ref()
                        .is_some_and(|own| self.is_within(own, team))
            })
            .map(|member| &member.id)
            .collect()
    }
}

fn check_acyclic(teams: &BTreeMap<TeamId, Team>) -> Result<(), OrgError> {
    // Teams already known to reach the top without a cycle.
    let mut rooted: BTreeSet<&TeamId> = BTreeSet::new();
    for start in teams.keys() {
        let mut path: BTreeSet<&TeamId> = BTreeSet::new();
        let mut current = Some(start);
        while let Some(team_id) = current {
            if rooted.contains(team_id) {
                break;
            }
            if !path.insert(team_id) {
                return Err(OrgError::TeamCycle {
                    team: team_id.clone(),
                });
            }
            current = teams.get(team_id).and_then(|team| team.parent.as_ref());
        }
        rooted.extend(path);
    }
    Ok(())
}

impl TryFrom<OrganisationData> for Organisation {
    type Error = OrgError;

    fn try_from(data: OrganisationData) -> Result<Self, Self::Error> {
        Organisation::new(data.company, data.teams, data.members)
    }
}

impl From<Organisation> for OrganisationData {
    fn from(org: Organisation) -> Self {
        OrganisationData {
            company: org.company,
            teams: org.teams.into_values().collect(),
            members: org.members.into_values().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, parent: Option<&str>) -> Team {
        Team {
            id: TeamId::new(id).unwrap(),
            name: id.to_owned(),
            parent: parent.map(|parent| TeamId::new(parent).unwrap()),
        }
    }

    fn member(id: &str, role: Role, team: Option<&str>) -> Member {
        Member {
            id: UserId::new(id).unwrap(),
            name: id.to_owned(),
            role,
            team: team.map(|team| TeamId::new(team).unwrap()),
            active: true,
        }
    }

    #[test]
    fn rejects_cycles_and_dangling_references() {
        let cycle = Organisation::new(
            "c",
            vec![team("a", Some("b")), team("b", Some("a"))],
            vec![],
        );
        assert!(matches!(cycle, Err(OrgError::TeamCycle { .. })));
        let dangling = Organisation::new("c", vec![team("a", Some("zzz"))], vec![]);
        assert!(matches!(dangling, Err(OrgError::UnknownParentTeam { .. })));
        let homeless = Organisation::new("c", vec![], vec![member("r", Role::Rep, None)]);
        assert!(matches!(homeless, Err(OrgError::MemberWithoutTeam { .. })));
        let admin = Organisation::new("c", vec![], vec![member("a", Role::Admin, None)]);
        assert!(admin.is_ok());
    }

    #[test]
    fn subtree_and_ancestry() {
        let org = Organisation::new(
            "c",
            vec![
                team("root", None),
                team("east", Some("root")),
                team("sh", Some("east")),
                team("west", Some("root")),
            ],
            vec![
                member("m", Role::Manager, Some("east")),
                member("r1", Role::Rep, Some("sh")),
                member("r2", Role::Rep, Some("west")),
            ],
        )
        .unwrap();
        let root = TeamId::new("root").unwrap();
        let sh = TeamId::new("sh").unwrap();
        let ancestry: Vec<&str> = org.ancestry(&sh).map(TeamId::as_str).collect();
        assert_eq!(ancestry, ["sh", "east", "root"]);
        assert_eq!(org.subtree(&root).len(), 4);
        assert_eq!(org.reps_within(&root).len(), 2);
        assert!(org.manages(&UserId::new("m").unwrap(), &sh));
        assert!(!org.manages(&UserId::new("m").unwrap(), &root));
    }

    #[test]
    fn serde_validates() {
        let json = r#"{"company":"c","teams":[{"id":"a","name":"A","parent":"a"}],"members":[]}"#;
        assert!(serde_json::from_str::<Organisation>(json).is_err());
        let json = r#"{"company":"c","teams":[{"id":"a","name":"A"}],"members":[{"id":"u","name":"U","role":"rep","team":"a"}]}"#;
        let org: Organisation = serde_json::from_str(json).unwrap();
        assert!(org.active_member(&UserId::new("u").unwrap()).is_some());
    }
}
