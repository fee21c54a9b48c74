//! The relay's own record of users and teams: the authority for who someone is and where they sit
//! in the organisation. Tokens say who is calling; this says what that user is.
//!
//! Records are kept in the database (`users` and `teams` tables), seeded with [`Directory::demo`]
//! on first start, and held in memory. Who may see which deal is decided from these records by
//! core's visibility rules, not here.

mod seed;

use std::collections::BTreeMap;
use std::fmt;

use dealflow_core::{LocalizedText, TeamHierarchy, TeamId, UserId};
use serde::{Deserialize, Serialize};

/// What a user may do in the organisation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sees and manages everything.
    Admin,
    /// Leads a team.
    Manager,
    /// Sells; works their own deals.
    Rep,
}

impl Role {
    /// The stored and serialised name, e.g. `"manager"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Rep => "rep",
        }
    }

    /// The role named `name` (as written by [`Role::as_str`]).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "rep" => Some(Role::Rep),
            _ => None,
        }
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

/// Every user and team, validated: ids are unique and every team reference resolves.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Directory {
    users: BTreeMap<UserId, User>,
    teams: BTreeMap<TeamId, Team>,
}

impl Directory {
    /// Builds and validates a directory.
    pub fn new(teams: Vec<Team>, users: Vec<User>) -> Result<Self, DirectoryError> {
        let mut directory = Directory::default();
        for team in teams {
            if directory.teams.contains_key(&team.id) {
                return Err(DirectoryError::DuplicateTeam { team: team.id });
            }
            directory.teams.insert(team.id.clone(), team);
        }
        for team in directory.teams.values() {
            if let Some(parent) = &team.parent
                && !directory.teams.contains_key(parent)
            {
                return Err(DirectoryError::UnknownTeam {
                    team: parent.clone(),
                    referenced_by: team.id.to_string(),
                });
            }
            if directory.is_in_cycle(&team.id) {
                return Err(DirectoryError::TeamCycle {
                    team: team.id.clone(),
                });
            }
        }
        for user in users {
            if let Some(team) = &user.team
                && !directory.teams.contains_key(team)
            {
                return Err(DirectoryError::UnknownTeam {
                    team: team.clone(),
                    referenced_by: user.id.to_string(),
                });
            }
            if directory.users.contains_key(&user.id) {
                return Err(DirectoryError::DuplicateUser { user: user.id });
            }
            directory.users.insert(user.id.clone(), user);
        }
        Ok(directory)
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

    /// `team_and_ancestors` stops when a parent repeats, so its last team having a parent means
    /// the chain ran into a cycle.
    fn is_in_cycle(&self, team: &TeamId) -> bool {
        let chain = self.team_and_ancestors(team);
        chain.last().and_then(|top| self.parent_team(top)).is_some()
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
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
            assert_eq!(Role::from_name(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!(Role::from_name("owner"), None);
    }
}
