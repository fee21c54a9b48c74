//! Connection settings and schema migrations.
//!
//! Migrations are numbered SQL scripts applied in order, each in its own transaction together
//! with its row in `schema_migrations`, so a crash mid-migration leaves the previous version.
//! A database with a version above [`LATEST_VERSION`] was written by a newer server and is
//! refused rather than misread.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::storage::StorageError;

struct Migration {
    version: u32,
    name: &'static str,
    sql: &'static str,
}

/// Chunk keys are stored encoded (parts joined by U+001F, see `StorageKey::encode`) in one
/// indexed text column, which keeps prefix loads a single range scan. `STRICT` makes SQLite
/// refuse a value of the wrong type instead of coercing it.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "chunks",
        sql: "CREATE TABLE chunks (
                  key TEXT PRIMARY KEY NOT NULL,
                  value BLOB NOT NULL
              ) STRICT;",
    },
    Migration {
        version: 2,
        name: "directory",
        sql: "CREATE TABLE teams (
                  id TEXT PRIMARY KEY NOT NULL,
                  name_zh TEXT NOT NULL,
                  name_en TEXT NOT NULL,
                  parent TEXT REFERENCES teams (id)
              ) STRICT;
              CREATE TABLE users (
                  id TEXT PRIMARY KEY NOT NULL,
                  name_zh TEXT NOT NULL,
                  name_en TEXT NOT NULL,
                  role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
                  team TEXT REFERENCES teams (id)
              ) STRICT;",
    },
    // The relay's authority over documents: who owns each and who is on its deal team. Users
    // are not foreign keys, so that a user leaving the directory does not orphan or block the
    // records that a transfer will move.
    Migration {
        version: 3,
        name: "documents",
        sql: "CREATE TABLE documents (
                  id TEXT PRIMARY KEY NOT NULL,
                  kind TEXT NOT NULL,
                  owner TEXT NOT NULL,
                  team TEXT,
                  created_at_ms INTEGER NOT NULL
              ) STRICT;
              CREATE INDEX documents_by_owner ON documents (owner);
              CREATE INDEX documents_by_team ON documents (team);
              CREATE TABLE document_members (
                  document TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                  user TEXT NOT NULL,
                  access TEXT NOT NULL CHECK (access IN ('read', 'write')),
                  role TEXT NOT NULL,
                  PRIMARY KEY (document, user)
              ) STRICT;
              CREATE INDEX document_members_by_user ON document_members (user);",
    },
    // Leads and quotes, arbitrated by the relay (see `storage::arbitration`): JSON bodies in
    // core's serde form, with the version (compare-and-set) and the queried columns beside them,
    // and append-only histories.
    Migration {
        version: 4,
        name: "leads_and_quotes",
        sql: "CREATE TABLE leads (
                  id TEXT PRIMARY KEY NOT NULL,
                  version INTEGER NOT NULL,
                  pool TEXT,
                  owner TEXT,
                  home_pool TEXT,
                  awaits_follow_up INTEGER NOT NULL,
                  body TEXT NOT NULL
              ) STRICT;
              CREATE INDEX leads_by_pool ON leads (pool);
              CREATE INDEX leads_by_holder ON leads (owner, home_pool);
              CREATE TABLE lead_moves (
                  lead TEXT NOT NULL REFERENCES leads (id),
                  version INTEGER NOT NULL,
                  at_ms INTEGER NOT NULL,
                  body TEXT NOT NULL,
                  PRIMARY KEY (lead, version)
              ) STRICT;
              CREATE TABLE lead_pool_documents (
                  pool TEXT PRIMARY KEY NOT NULL,
                  document TEXT NOT NULL UNIQUE
              ) STRICT;
              CREATE TABLE quotes (
                  id TEXT PRIMARY KEY NOT NULL,
                  document TEXT NOT NULL,
                  version INTEGER NOT NULL,
                  body TEXT NOT NULL
              ) STRICT;
              CREATE INDEX quotes_by_document ON quotes (document);
              CREATE TABLE quote_events (
                  quote TEXT NOT NULL REFERENCES quotes (id),
                  version INTEGER NOT NULL,
                  at_ms INTEGER NOT NULL,
                  body TEXT NOT NULL,
                  PRIMARY KEY (quote, version)
              ) STRICT;",
    },
];

/// The schema version this build writes.
pub(super) const LATEST_VERSION: u32 = 4;

/// How long a connection waits for a lock held by another before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn backend(operation: &'static str) -> impl FnOnce(rusqlite::Error) -> StorageError {
    move |error| StorageError::backend(operation, error)
}

/// Opens the writer connection: WAL journal (readers never block the writer and a commit is one
/// append), `synchronous=FULL` (a commit returns only after the WAL is on disk), foreign keys on.
pub(super) fn open_writer(path: &Path) -> Result<Connection, StorageError> {
    let connection = Connection::open(path).map_err(backend("open"))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(backend("open"))?;
    let mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(backend("set the journal mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StorageError::Corrupt {
            detail: format!("the database refused WAL mode (journal mode is {mode})"),
        });
    }
    connection
        .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(backend("configure the connection"))?;
    Ok(connection)
}

/// Opens a reader connection. Readers see the last committed state and never write.
pub(super) fn open_reader(path: &Path) -> Result<Connection, StorageError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags).map_err(backend("open a reader"))?;
    connection
        .busy_timeout(BUSY_TIMEOUT)
        .map_err(backend("open a reader"))?;
    connection
        .execute_batch("PRAGMA query_only = ON;")
        .map_err(backend("open a reader"))?;
    Ok(connection)
}

/// Brings the schema up to [`LATEST_VERSION`] and returns the version found before.
pub(super) fn migrate(connection: &mut Connection) -> Result<u32, StorageError> {
    connection
        .execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY NOT NULL,
                 name TEXT NOT NULL,
                 applied_at_ms INTEGER NOT NULL
             ) STRICT;",
        )
        .map_err(backend("create the migrations table"))?;
    let found: u32 = connection
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
            row.get::<_, Option<u32>>(0)
        })
        .optional()
        .map_err(backend("read the schema version"))?
        .flatten()
        .unwrap_or(0);
    if found > LATEST_VERSION {
        return Err(StorageError::SchemaTooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    for migration in MIGRATIONS
        .iter()
        .filter(|migration| migration.version > found)
    {
        let transaction = connection
            .transaction()
            .map_err(backend("begin a migration"))?;
        transaction
            .execute_batch(migration.sql)
            .map_err(backend("run a migration"))?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?1, ?2, ?3)",
                rusqlite::params![migration.version, migration.name, now_millis()],
            )
            .map_err(backend("record a migration"))?;
        transaction
            .commit()
            .map_err(backend("commit a migration"))?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied storage migration"
        );
    }
    Ok(found)
}

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        let versions: Vec<u32> = MIGRATIONS
            .iter()
            .map(|migration| migration.version)
            .collect();
        let expected: Vec<u32> = (1..=LATEST_VERSION).collect();
        assert_eq!(versions, expected);
    }

    #[test]
    fn migrating_twice_is_a_no_op_and_newer_schemas_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let mut connection = open_writer(&path).unwrap();
        assert_eq!(migrate(&mut connection).unwrap(), 0);
        assert_eq!(migrate(&mut connection).unwrap(), LATEST_VERSION);
        connection
            .execute(
                "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (99, 'future', 0)",
                [],
            )
            .unwrap();
        assert!(matches!(
            migrate(&mut connection),
            Err(StorageError::SchemaTooNew { found: 99, .. })
        ));
    }
}
