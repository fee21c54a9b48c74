//! The `users` and `teams` tables.

use dealflow_core::{LocalizedText, TeamId, UserId};
use rusqlite::Connection;

use crate::directory::{Directory, Team, User, parse_role, role_name};
use crate::storage::StorageError;

fn read_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("read the directory", error)
}

fn write_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("write the directory", error)
}

fn corrupt(detail: String) -> StorageError {
    StorageError::Corrupt { detail }
}

/// Whether the tables hold no user and no team.
pub(super) fn is_empty(connection: &Connection) -> Result<bool, StorageError> {
    connection
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM teams)",
            [],
            |row| row.get(0),
        )
        .map_err(read_error)
}

/// Writes every record of `directory`. Teams go in without parents first and get them after, so
/// the foreign keys hold whatever order the teams come in.
pub(super) fn insert(connection: &Connection, directory: &Directory) -> Result<(), StorageError> {
    for team in directory.teams() {
        connection
            .execute(
                "INSERT INTO teams (id, name_zh, name_en) VALUES (?1, ?2, ?3)",
                (team.id.as_str(), &team.name.zh_cn, &team.name.en),
            )
            .map_err(write_error)?;
    }
    for team in directory.teams() {
        if let Some(parent) = &team.parent {
            connection
                .execute(
                    "UPDATE teams SET parent = ?1 WHERE id = ?2",
                    (parent.as_str(), team.id.as_str()),
                )
                .map_err(write_error)?;
        }
    }
    for user in directory.users() {
        connection
            .execute(
                "INSERT INTO users (id, name_zh, name_en, role, team) VALUES (?1, ?2, ?3, ?4, ?5)",
                (
                    user.id.as_str(),
                    &user.name.zh_cn,
                    &user.name.en,
                    role_name(user.role),
                    user.team.as_ref().map(TeamId::as_str),
                ),
            )
            .map_err(write_error)?;
    }
    Ok(())
}

/// Reads and validates every record.
pub(super) fn load(connection: &Connection) -> Result<Directory, StorageError> {
    let mut statement = connection
        .prepare("SELECT id, name_zh, name_en, parent FROM teams ORDER BY id")
        .map_err(read_error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .map_err(read_error)?;
    let mut teams = Vec::new();
    for row in rows {
        let (id, name_zh, name_en, parent) = row.map_err(read_error)?;
        teams.push(Team {
            id: team_id(id)?,
            name: LocalizedText::new(name_zh, name_en),
            parent: parent.map(team_id).transpose()?,
        });
    }
    let mut statement = connection
        .prepare("SELECT id, name_zh, name_en, role, team FROM users ORDER BY id")
        .map_err(read_error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })
        .map_err(read_error)?;
    let mut users = Vec::new();
    for row in rows {
        let (id, name_zh, name_en, role, team) = row.map_err(read_error)?;
        let role = parse_role(&role)
            .ok_or_else(|| corrupt(format!("user {id} has unknown role {role:?}")))?;
        users.push(User {
            id: UserId::new(id).map_err(|error| corrupt(error.to_string()))?,
            name: LocalizedText::new(name_zh, name_en),
            role,
            team: team.map(team_id).transpose()?,
        });
    }
    Directory::new(teams, users).map_err(|error| corrupt(error.to_string()))
}

fn team_id(id: String) -> Result<TeamId, StorageError> {
    TeamId::new(id).map_err(|error| corrupt(error.to_string()))
}
