//! JSON shapes of the HTTP API (camelCase), separate from the directory's records.

use dealflow_core::{Access, DealRole, LocalizedText};
use serde::{Deserialize, Serialize};

use crate::directory::{Directory, Role, Team, User};
use crate::storage::DocumentRecord;

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

/// A document's record as the API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentDto {
    /// The document id (bs58check).
    pub id: String,
    /// Its `automerge:` URL.
    pub url: String,
    /// Its `type` when it was registered (`deal`, `pipeline`, …).
    pub kind: String,
    /// Its owner.
    pub owner: String,
    /// Its owning team.
    pub team: Option<String>,
    /// When it was registered, milliseconds since the epoch.
    pub created_at: i64,
    /// The deal team.
    pub members: Vec<MemberDto>,
    /// What the caller may do with it.
    pub your_access: Access,
}

/// A deal-team member.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberDto {
    /// The member.
    pub user: String,
    /// `read` or `write`.
    pub access: Access,
    /// Their role on the deal.
    pub role: DealRole,
}

impl DocumentDto {
    /// The view of `record` for a caller with `access`.
    pub fn new(record: &DocumentRecord, access: Access) -> Self {
        DocumentDto {
            id: record.id.to_string(),
            url: record.id.url().to_string(),
            kind: record.kind.clone(),
            owner: record.owner.to_string(),
            team: record.team.as_ref().map(ToString::to_string),
            created_at: record.created_at_ms,
            members: record
                .members
                .iter()
                .map(|member| MemberDto {
                    user: member.user.to_string(),
                    access: member.access,
                    role: member.role,
                })
                .collect(),
            your_access: access,
        }
    }
}

/// `POST /api/documents/{id}/owner` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRequest {
    /// The new owner.
    pub owner: String,
}

/// `PUT /api/documents/{id}/members/{user}` body.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRequest {
    /// `read` or `write`.
    pub access: Access,
    /// Their role on the deal (default `other`).
    #[serde(default)]
    pub role: Option<DealRole>,
}
