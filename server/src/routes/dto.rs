//! JSON shapes of the HTTP API (camelCase), separate from the directory's records.

use dealflow_core::LocalizedText;
use serde::{Deserialize, Serialize};

use crate::directory::{Directory, Role, Team, User};

/// A user as the API shows them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    /// User id (the token's `sub`).
    pub id: String,
    /// Name in Chinese characters (`zh-CN`) and Latin script (`en`).
    pub name: LocalizedText,
    /// `admin`, `manager` or `rep`.
    pub role: Role,
    /// Their team, if any.
    pub team: Option<TeamDto>,
}

/// A team as the API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamDto {
    /// Team id.
    pub id: String,
    /// Name in both languages.
    pub name: LocalizedText,
}

impl UserDto {
    /// The view of `user`, with their team's name looked up in `directory`.
    pub fn new(user: &User, directory: &Directory) -> Self {
        UserDto {
            id: user.id.to_string(),
            name: user.name.clone(),
            role: user.role,
            team: user
                .team
                .as_ref()
                .and_then(|team| directory.team(team))
                .map(TeamDto::from),
        }
    }
}

impl From<&Team> for TeamDto {
    fn from(team: &Team) -> Self {
        TeamDto {
            id: team.id.to_string(),
            name: team.name.clone(),
        }
    }
}

/// `POST /api/dev/login` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevLoginRequest {
    /// The demo user's id.
    pub user: String,
}

/// `POST /api/dev/login` answer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevLoginResponse {
    /// A JWT for the user.
    pub token: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: u64,
    /// Who it is for.
    pub user: UserDto,
}

/// `GET /api/dev/users` answer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevUsersResponse {
    /// Every user that can sign in through the development login.
    pub users: Vec<UserDto>,
}
