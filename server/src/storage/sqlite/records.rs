//! The `documents` and `document_members` tables.

use dealflow_core::sync::DocumentId;
use dealflow_core::{TeamId, UserId};
use rusqlite::{Connection, OptionalExtension};

use crate::storage::StorageError;
use crate::storage::records::{
    DocumentMember, DocumentRecord, access_name, parse_access, parse_role, role_name,
};

fn read_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("read a document record", error)
}

fn write_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("write a document record", error)
}

fn corrupt(detail: String) -> StorageError {
    StorageError::Corrupt { detail }
}

/// The record of `id`, with its members.
pub(super) fn load(
    connection: &Connection,
    id: DocumentId,
) -> Result<Option<DocumentRecord>, StorageError> {
    let key = id.to_string();
    let row = connection
        .prepare_cached("SELECT kind, owner, team, created_at_ms FROM documents WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([&key], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, i64>(3)?,
                    ))
                })
                .optional()
        })
        .map_err(read_error)?;
    let Some((kind, owner, team, created_at_ms)) = row else {
        return Ok(None);
    };
    let mut statement = connection
        .prepare_cached(
            "SELECT user, access, role FROM document_members WHERE document = ?1 ORDER BY user",
        )
        .map_err(read_error)?;
    let rows = statement
        .query_map([&key], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .map_err(read_error)?;
    let mut members = Vec::new();
    for row in rows {
        let (user, access, role) = row.map_err(read_error)?;
        members.push(DocumentMember {
            user: user_id(user)?,
            access: parse_access(&access)
                .ok_or_else(|| corrupt(format!("document {key} has member access {access:?}")))?,
            role: parse_role(&role)
                .ok_or_else(|| corrupt(format!("document {key} has member role {role:?}")))?,
        });
    }
    Ok(Some(DocumentRecord {
        id,
        kind,
        owner: user_id(owner)?,
        team: team
            .map(|team| TeamId::new(team).map_err(|error| corrupt(error.to_string())))
            .transpose()?,
        created_at_ms,
        members,
    }))
}

/// Every record, by document id, with its members.
pub(super) fn load_all(connection: &Connection) -> Result<Vec<DocumentRecord>, StorageError> {
    let mut statement = connection
        .prepare_cached(
            "SELECT document, user, access, role FROM document_members ORDER BY document, user",
        )
        .map_err(read_error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .map_err(read_error)?;
    let mut members: std::collections::HashMap<String, Vec<DocumentMember>> =
        std::collections::HashMap::new();
    for row in rows {
        let (document, user, access, role) = row.map_err(read_error)?;
        let member = DocumentMember {
            user: user_id(user)?,
            access: parse_access(&access).ok_or_else(|| {
                corrupt(format!("document {document} has member access {access:?}"))
            })?,
            role: parse_role(&role)
                .ok_or_else(|| corrupt(format!("document {document} has member role {role:?}")))?,
        };
        members.entry(document).or_default().push(member);
    }
    let mut statement = connection
        .prepare_cached("SELECT id, kind, owner, team, created_at_ms FROM documents ORDER BY id")
        .map_err(read_error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })
        .map_err(read_error)?;
    let mut records = Vec::new();
    for row in rows {
        let (key, kind, owner, team, created_at_ms) = row.map_err(read_error)?;
        let id = key
            .parse::<DocumentId>()
            .map_err(|error| corrupt(format!("document id {key:?}: {error}")))?;
        records.push(DocumentRecord {
            id,
            kind,
            owner: user_id(owner)?,
            team: team
                .map(|team| TeamId::new(team).map_err(|error| corrupt(error.to_string())))
                .transpose()?,
            created_at_ms,
            members: members.remove(&key).unwrap_or_default(),
        });
    }
    Ok(records)
}

/// Inserts `record` unless its document is registered; returns whether it was inserted.
pub(super) fn insert_if_absent(
    connection: &Connection,
    record: &DocumentRecord,
) -> Result<bool, StorageError> {
    let inserted = connection
        .prepare_cached(
            "INSERT INTO documents (id, kind, owner, team, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute((
                record.id.to_string(),
                &record.kind,
                record.owner.as_str(),
                record.team.as_ref().map(TeamId::as_str),
                record.created_at_ms,
            ))
        })
        .map_err(write_error)?;
    if inserted == 1 {
        write_members(connection, record)?;
    }
    Ok(inserted == 1)
}

/// Stores the owner, team and members of an existing record.
pub(super) fn update(connection: &Connection, record: &DocumentRecord) -> Result<(), StorageError> {
    connection
        .prepare_cached("UPDATE documents SET owner = ?2, team = ?3 WHERE id = ?1")
        .and_then(|mut statement| {
            statement.execute((
                record.id.to_string(),
                record.owner.as_str(),
                record.team.as_ref().map(TeamId::as_str),
            ))
        })
        .map_err(write_error)?;
    connection
        .prepare_cached("DELETE FROM document_members WHERE document = ?1")
        .and_then(|mut statement| statement.execute([record.id.to_string()]))
        .map_err(write_error)?;
    write_members(connection, record)
}

fn write_members(connection: &Connection, record: &DocumentRecord) -> Result<(), StorageError> {
    let mut statement = connection
        .prepare_cached(
            "INSERT INTO document_members (document, user, access, role) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(write_error)?;
    for member in &record.members {
        statement
            .execute((
                record.id.to_string(),
                member.user.as_str(),
                access_name(member.access),
                role_name(member.role),
            ))
            .map_err(write_error)?;
    }
    Ok(())
}

fn user_id(id: String) -> Result<UserId, StorageError> {
    UserId::new(id).map_err(|error| corrupt(error.to_string()))
}
