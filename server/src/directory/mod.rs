//! The relay's own record of users and teams: the authority for who someone is and where they sit
//! in the organisation. Tokens say who is calling; this says what that user is.
//!
//! Records are kept in the database (`users` and `teams` tables), seeded with [`Directory::demo`]
//! on first start, and held in memory. The directory carries core's [`Organisation`] (teams,
//! members, [`Role`]s), which is what core's visibility rules (`dealflow_core::access`) read:
//! who may see which document is decided there, not here. Names are kept in both languages
//! beside it, for display.

mod seed;

use std::collections::BTreeMap;

use dealflow_core::{LocalizedText, Member, OrgError, Organisation, TeamHierarchy, TeamId, UserId};

pub use dealflow_core::Role;

/// The stored and serialised name of a role, e.g. `"manager"`.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Rep => "rep",
    }
}

/// The role named `name` (as written by [`role_name`]).
pub fn parse_role(name: &str) -> Option<Role> {
    match name {
        "admin" => Some(Role::Admin),
        "manager" => Some(Role::Manager),
        "rep" => Some(Role::Rep),
        _ => None,
    }
}

/// A team; teams form a tree through `parent`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Team {
    /// Its id.
    pub id: TeamId,
    /// Its name in both languages.
    pub name: LocalizedText,
    /// The team it belongs to, `None` at the top.
    pub parent: Option<TeamId>,
}

/// A user known to the relay.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct User {
    /// The id tokens carry as `sub`.
    pub id: UserId,
    /// The person's name, in Chinese characters and in Latin script.
    pub name: LocalizedText,
    /// What they may do.
    pub role: Role,
    /// The team they belong to.
    pub team: Option<TeamId>,
}

/// Every user and team, validated: ids are unique, every team reference resolves, teams form a
/// tree, managers and reps belong to a team.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Directory {
    users: BTreeMap<UserId, User>,
    teams: BTreeMap<TeamId, Team>,
    organisation: Organisation,
}

/// The company name of the organisation the relay serves.
const COMPANY: &str = "Dealflow";

impl Directory {
    /// Builds and validates a directory.
    pub fn new(teams: Vec<Team>, users: Vec<User>) -> Result<Self, DirectoryError> {
        let mut team_map = BTreeMap::new();
        for team in teams {
            if team_map.contains_key(&team.id) {
                return Err(DirectoryError::DuplicateTeam { team: team.id });
            }
            team_map.insert(team.id.clone(), team);
        }
        let mut user_map = BTreeMap::new();
        for user in users {
            if let Some(team) = &user.team
                && !team_map.contains_key(team)
            {
                return Err(DirectoryError::UnknownTeam {
                    team: team.clone(),
                    referenced_by: user.id.to_string(),
                });
            }
            if user_map.contains_key(&user.id) {
                return Err(DirectoryError::DuplicateUser { user: user.id });
            }
            user_map.insert(user.id.clone(), user);
        }
        let organisation = Organisation::new(
            COMPANY,
            team_map
                .values()
                .map(|team| dealflow_core::Team {
                    id: team.id.clone(),
                    name: team.name.zh_cn.clone(),
                    parent: team.parent.clone(),
                })
                .collect(),
            user_map
                .values()
                .map(|user| Member {
                    id: user.id.clone(),
                    name: user.name.zh_cn.clone(),
                    role: user.role,
                    team: user.team.clone(),
                    active: true,
                })
                .collect(),
        )
        .map_err(|error| match error {
            OrgError::TeamCycle { team } => DirectoryError::TeamCycle { team },
            OrgError::UnknownParentTeam { team, parent } => DirectoryError::UnknownTeam {
                team: parent,
                referenced_by: team.to_string(),
            },
            other => DirectoryError::Organisation(other),
        })?;
        Ok(Directory {
            users: user_map,
            teams: team_map,
            organisation,
        })
    }

    /// The organisation tree and roles, for core's visibility rules.
    pub fn organisation(&self) -> &Organisation {
        &self.organisation
    }

    /// The user with this id.
    pub fn user(&self, id: &UserId) -> Option<&User> {
        self.users.get(id)
    }

    /// The team with this id.
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.get(id)
    }

    /// Every user, by id.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Every team, by id.
    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    /// Whether there are no users and no teams.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.teams.is_empty()
    }
}

impl TeamHierarchy for Directory {
    fn parent_team(&self, team: &TeamId) -> Option<&TeamId> {
        self.teams.get(team).and_then(|team| team.parent.as_ref())
    }
}

/// Directory records that do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// Two users share an id.
    #[error("user {user} appears twice: user ids must be unique")]
    DuplicateUser {
        /// The id.
        user: UserId,
    },
    /// Two teams share an id.
    #[error("team {team} appears twice: team ids must be unique")]
    DuplicateTeam {
        /// The id.
        team: TeamId,
    },
    /// A user or team names a team that does not exist.
    #[error("{referenced_by} refers to unknown team {team}: add the team first")]
    UnknownTeam {
        /// The missing team.
        team: TeamId,
        /// The user or team that refers to it.
        referenced_by: String,
    },
    /// Following parents from a team leads back to it.
    #[error("team {team} is its own ancestor: the teams must form a tree")]
    TeamCycle {
        /// A team on the cycle.
        team: TeamId,
    },
    /// The records do not form a valid organisation (e.g. a manager or rep without a team).
    #[error(transparent)]
    Organisation(OrgError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(id: &str, parent: Option<&str>) -> Team {
        Team {
            id: TeamId::new(id).unwrap(),
            name: LocalizedText::new(id, id),
            parent: parent.map(|parent| TeamId::new(parent).unwrap()),
        }
    }

    fn user(id: &str, team: Option<&str>) -> User {
        User {
            id: UserId::new(id).unwrap(),
            name: LocalizedText::new(id, id),
            role: Role::Rep,
            team: team.map(|team| TeamId::new(team).unwrap()),
        }
    }

    #[test]
    fn rejects_records_that_do_not_fit() {
        assert!(matches!(
            Directory::new(vec![team("a", Some("missing"))], vec![]),
            Err(DirectoryError::UnknownTeam { .. })
        ));
        assert!(matches!(
            Directory::new(vec![team("a", None)], vec![user("u", Some("b"))]),
            Err(DirectoryError::UnknownTeam { .. })
        ));
        assert!(matches!(
            Directory::new(vec![team("a", None), team("a", None)], vec![]),
            Err(DirectoryError::DuplicateTeam { .. })
        ));
        assert!(matches!(
            Directory::new(vec![], vec![user("u", None), user("u", None)]),
            Err(DirectoryError::DuplicateUser { .. })
        ));
        assert!(matches!(
            Directory::new(vec![team("a", Some("b")), team("b", Some("a"))], vec![]),
            Err(DirectoryError::TeamCycle { .. })
        ));
    }

    #[test]
    fn role_names_round_trip() {
        for role in [Role::Admin, Role::Manager, Role::Rep] {
            assert_eq!(parse_role(role_name(role)), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role_name(role))
            );
        }
        assert_eq!(parse_role("owner"), None);
    }
}
