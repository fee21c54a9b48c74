//! The `leads`, `lead_moves`, `lead_pool_documents`, `quotes` and `quote_events` tables.
//!
//! Leads and quotes are stored as JSON bodies (core's serde form) beside the columns that are
//! queried or compared: the version for compare-and-set, a lead's current pool and its holder.
//! Every decision runs in the writer's transaction (inside its own savepoint), so the read, the
//! decision and the conditional write cannot interleave with another writer.

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    Custody, Lead, LeadId, LeadMove, PoolError, PoolId, QuoteError, QuoteEvent, QuoteId,
    Transition, UserId,
};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::SqliteStorage;
use crate::storage::arbitration::{Arbitration, LeadDecision, QuoteDecision, StoredQuote};
use crate::storage::{StorageError, StorageFuture};

fn read_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("read a lead or quote", error)
}

fn write_error(error: rusqlite::Error) -> StorageError {
    StorageError::backend("write a lead or quote", error)
}

fn corrupt(detail: String) -> StorageError {
    StorageError::Corrupt { detail }
}

fn to_json(value: &impl Serialize) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|error| corrupt(format!("cannot encode: {error}")))
}

fn from_json<T: DeserializeOwned>(what: &str, body: &str) -> Result<T, StorageError> {
    serde_json::from_str(body).map_err(|error| corrupt(format!("stored {what}: {error}")))
}

/// Versions are `u64` in core and `INTEGER` (i64) in SQLite.
fn column_version(version: u64) -> Result<i64, StorageError> {
    i64::try_from(version).map_err(|_| corrupt(format!("version {version} is too large")))
}

fn load_lead(connection: &Connection, id: &LeadId) -> Result<Option<Lead>, StorageError> {
    let body: Option<String> = connection
        .prepare_cached("SELECT body FROM leads WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([id.as_str()], |row| row.get(0))
                .optional()
        })
        .map_err(read_error)?;
    body.map(|body| from_json("lead", &body)).transpose()
}

/// Leads from `pool` that `user` holds without having followed them up: what a pool's claim
/// limit counts.
fn holdings(connection: &Connection, user: &UserId, pool: &PoolId) -> Result<u32, StorageError> {
    let count: i64 = connection
        .prepare_cached(
            "SELECT COUNT(*) FROM leads WHERE owner = ?1 AND home_pool = ?2 AND awaits_follow_up = 1",
        )
        .and_then(|mut statement| {
            statement.query_row((user.as_str(), pool.as_str()), |row| row.get(0))
        })
        .map_err(read_error)?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// The queried columns of a lead: current pool, owner, home pool, awaits follow-up.
fn lead_columns(lead: &Lead) -> (Option<&str>, Option<&str>, Option<&str>, bool) {
    (
        lead.custody.pool().map(PoolId::as_str),
        lead.owner().map(UserId::as_str),
        lead.home_pool.as_ref().map(PoolId::as_str),
        lead.awaits_follow_up(),
    )
}

fn insert_move(connection: &Connection, record: &LeadMove) -> Result<(), StorageError> {
    let version = column_version(record.version)?;
    let body = to_json(record)?;
    connection
        .prepare_cached(
            "INSERT INTO lead_moves (lead, version, at_ms, body) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut statement| {
            statement.execute((record.lead.as_str(), version, record.at.millis(), &body))
        })
        .map_err(write_error)?;
    Ok(())
}

fn insert_lead(connection: &Connection, transition: &Transition) -> Result<bool, StorageError> {
    let lead = &transition.lead;
    let (pool, owner, home_pool, awaits) = lead_columns(lead);
    let version = column_version(lead.version)?;
    let body = to_json(lead)?;
    let inserted = connection
        .prepare_cached(
            "INSERT INTO leads (id, version, pool, owner, home_pool, awaits_follow_up, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute((
                lead.id.as_str(),
                version,
                pool,
                owner,
                home_pool,
                awaits,
                &body,
            ))
        })
        .map_err(write_error)?;
    if inserted == 1 {
        insert_move(connection, &transition.record)?;
    }
    Ok(inserted == 1)
}

/// Stores `transition` if the lead is still at the version it was decided against; `false`
/// (nothing written) if another writer moved it on.
fn store_transition(
    connection: &Connection,
    transition: &Transition,
) -> Result<bool, StorageError> {
    let lead = &transition.lead;
    let (pool, owner, home_pool, awaits) = lead_columns(lead);
    let version = column_version(lead.version)?;
    let expected = column_version(transition.expected_version())?;
    let body = to_json(lead)?;
    let updated = connection
        .prepare_cached(
            "UPDATE leads SET version = ?2, pool = ?3, owner = ?4, home_pool = ?5,
                 awaits_follow_up = ?6, body = ?7
             WHERE id = ?1 AND version = ?8",
        )
        .and_then(|mut statement| {
            statement.execute((
                lead.id.as_str(),
                version,
                pool,
                owner,
                home_pool,
                awaits,
                &body,
                expected,
            ))
        })
        .map_err(write_error)?;
    if updated != 1 {
        return Ok(false);
    }
    insert_move(connection, &transition.record)?;
    Ok(true)
}

fn decide_lead(
    connection: &Connection,
    id: &LeadId,
    claimant: Option<&UserId>,
    decide: LeadDecision,
) -> Result<Option<Result<Transition, dealflow_core::Error>>, StorageError> {
    let Some(lead) = load_lead(connection, id)? else {
        return Ok(None);
    };
    let held = match (claimant, &lead.custody) {
        (Some(user), Custody::InPool { pool, .. }) => holdings(connection, user, pool)?,
        _ => 0,
    };
    let transition = match decide(&lead, held) {
        Ok(transition) => transition,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    if transition.lead.id != lead.id {
        return Ok(Some(Err(PoolError::WrongLead {
            expected: lead.id.clone(),
            found: transition.lead.id.clone(),
        }
        .into())));
    }
    if !store_transition(connection, &transition)? {
        let actual = load_lead(connection, id)?.map_or(0, |lead| lead.version);
        return Ok(Some(Err(PoolError::StaleVersion {
            lead: lead.id,
            expected: transition.expected_version(),
            actual,
        }
        .into())));
    }
    Ok(Some(Ok(transition)))
}

fn leads_in_pool(connection: &Connection, pool: &PoolId) -> Result<Vec<Lead>, StorageError> {
    let mut statement = connection
        .prepare_cached("SELECT body FROM leads WHERE pool = ?1 ORDER BY id")
        .map_err(read_error)?;
    let bodies = statement
        .query_map([pool.as_str()], |row| row.get::<_, String>(0))
        .and_then(Iterator::collect::<Result<Vec<String>, _>>)
        .map_err(read_error)?;
    bodies.iter().map(|body| from_json("lead", body)).collect()
}

fn lead_history(connection: &Connection, id: &LeadId) -> Result<Vec<LeadMove>, StorageError> {
    let mut statement = connection
        .prepare_cached("SELECT body FROM lead_moves WHERE lead = ?1 ORDER BY version")
        .map_err(read_error)?;
    let bodies = statement
        .query_map([id.as_str()], |row| row.get::<_, String>(0))
        .and_then(Iterator::collect::<Result<Vec<String>, _>>)
        .map_err(read_error)?;
    bodies
        .iter()
        .map(|body| from_json("lead move", body))
        .collect()
}

fn pool_document(
    connection: &Connection,
    pool: &PoolId,
    candidate: DocumentId,
) -> Result<DocumentId, StorageError> {
    connection
        .prepare_cached(
            "INSERT INTO lead_pool_documents (pool, document) VALUES (?1, ?2)
             ON CONFLICT (pool) DO NOTHING",
        )
        .and_then(|mut statement| statement.execute((pool.as_str(), candidate.to_string())))
        .map_err(write_error)?;
    let stored: String = connection
        .prepare_cached("SELECT document FROM lead_pool_documents WHERE pool = ?1")
        .and_then(|mut statement| statement.query_row([pool.as_str()], |row| row.get(0)))
        .map_err(read_error)?;
    stored
        .parse()
        .map_err(|error| corrupt(format!("pool document id {stored:?}: {error}")))
}

fn row_quote(document: &str, body: &str) -> Result<StoredQuote, StorageError> {
    Ok(StoredQuote {
        document: document
            .parse()
            .map_err(|error| corrupt(format!("quote document id {document:?}: {error}")))?,
        quote: from_json("quote", body)?,
    })
}

fn load_quote(connection: &Connection, id: &QuoteId) -> Result<Option<StoredQuote>, StorageError> {
    let row: Option<(String, String)> = connection
        .prepare_cached("SELECT document, body FROM quotes WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(read_error)?;
    row.map(|(document, body)| row_quote(&document, &body))
        .transpose()
}

fn quotes_on(
    connection: &Connection,
    document: DocumentId,
) -> Result<Vec<StoredQuote>, StorageError> {
    let mut statement = connection
        .prepare_cached("SELECT document, body FROM quotes WHERE document = ?1 ORDER BY id")
        .map_err(read_error)?;
    let rows = statement
        .query_map([document.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .and_then(Iterator::collect::<Result<Vec<(String, String)>, _>>)
        .map_err(read_error)?;
    rows.iter()
        .map(|(document, body)| row_quote(document, body))
        .collect()
}

fn insert_event(
    connection: &Connection,
    quote: &QuoteId,
    event: &QuoteEvent,
) -> Result<(), StorageError> {
    let version = column_version(event.version)?;
    let body = to_json(event)?;
    connection
        .prepare_cached(
            "INSERT INTO quote_events (quote, version, at_ms, body) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut statement| {
            statement.execute((quote.as_str(), version, event.at.millis(), body))
        })
        .map_err(write_error)?;
    Ok(())
}

fn insert_quote(connection: &Connection, stored: &StoredQuote) -> Result<bool, StorageError> {
    let quote = &stored.quote;
    let version = column_version(quote.version)?;
    let body = to_json(quote)?;
    let inserted = connection
        .prepare_cached(
            "INSERT INTO quotes (id, document, version, body) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute((
                quote.id.as_str(),
                stored.document.to_string(),
                version,
                body,
            ))
        })
        .map_err(write_error)?;
    if inserted == 1 {
        for event in &quote.events {
            insert_event(connection, &quote.id, event)?;
        }
    }
    Ok(inserted == 1)
}

fn decide_quote(
    connection: &Connection,
    id: &QuoteId,
    decide: QuoteDecision,
) -> Result<Option<Result<StoredQuote, dealflow_core::Error>>, StorageError> {
    let Some(stored) = load_quote(connection, id)? else {
        return Ok(None);
    };
    let (next, event) = match decide(&stored) {
        Ok(decided) => decided,
        Err(refused) => return Ok(Some(Err(refused))),
    };
    let expected = column_version(stored.quote.version)?;
    let version = column_version(next.version)?;
    let body = to_json(&next)?;
    let updated = connection
        .prepare_cached("UPDATE quotes SET version = ?2, body = ?3 WHERE id = ?1 AND version = ?4")
        .and_then(|mut statement| statement.execute((id.as_str(), version, &body, expected)))
        .map_err(write_error)?;
    if updated != 1 || next.id != stored.quote.id {
        let actual = load_quote(connection, id)?.map_or(0, |current| current.quote.version);
        return Ok(Some(Err(QuoteError::StaleQuote {
            quote: id.clone(),
            expected: stored.quote.version,
            actual,
        }
        .into())));
    }
    insert_event(connection, id, &event)?;
    Ok(Some(Ok(StoredQuote {
        document: stored.document,
        quote: next,
    })))
}

impl Arbitration for SqliteStorage {
    fn insert_lead(&self, transition: Transition) -> StorageFuture<'_, bool> {
        Box::pin(self.exec_returning(move |connection| insert_lead(connection, &transition)))
    }

    fn lead(&self, id: LeadId) -> StorageFuture<'_, Option<Lead>> {
        Box::pin(
            self.readers
                .read(move |connection| load_lead(connection, &id)),
        )
    }

    fn lead_history(&self, id: LeadId) -> StorageFuture<'_, Vec<LeadMove>> {
        Box::pin(
            self.readers
                .read(move |connection| lead_history(connection, &id)),
        )
    }

    fn leads_in_pool(&self, pool: PoolId) -> StorageFuture<'_, Vec<Lead>> {
        Box::pin(
            self.readers
                .read(move |connection| leads_in_pool(connection, &pool)),
        )
    }

    fn decide_lead(
        &self,
        id: LeadId,
        claimant: Option<UserId>,
        decide: LeadDecision,
    ) -> StorageFuture<'_, Option<Result<Transition, dealflow_core::Error>>> {
        Box::pin(self.exec_returning(move |connection| {
            decide_lead(connection, &id, claimant.as_ref(), decide)
        }))
    }

    fn pool_document(&self, pool: PoolId, candidate: DocumentId) -> StorageFuture<'_, DocumentId> {
        Box::pin(self.exec_returning(move |connection| pool_document(connection, &pool, candidate)))
    }

    fn insert_quote(&self, quote: StoredQuote) -> StorageFuture<'_, bool> {
        Box::pin(self.exec_returning(move |connection| insert_quote(connection, &quote)))
    }

    fn quote(&self, id: QuoteId) -> StorageFuture<'_, Option<StoredQuote>> {
        Box::pin(
            self.readers
                .read(move |connection| load_quote(connection, &id)),
        )
    }

    fn quotes_on(&self, document: DocumentId) -> StorageFuture<'_, Vec<StoredQuote>> {
        Box::pin(
            self.readers
                .read(move |connection| quotes_on(connection, document)),
        )
    }

    fn decide_quote(
        &self,
        id: QuoteId,
        decide: QuoteDecision,
    ) -> StorageFuture<'_, Option<Result<StoredQuote, dealflow_core::Error>>> {
        Box::pin(self.exec_returning(move |connection| decide_quote(connection, &id, decide)))
    }
}
