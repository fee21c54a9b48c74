//! A small pool of read-only connections used from tokio's blocking threads.
//!
//! In WAL mode readers run alongside the writer and see the last committed transaction, so a
//! load that starts after a write resolved sees that write. The semaphore bounds how many
//! blocking threads and connections loads may occupy at once.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::schema;
use crate::storage::StorageError;

#[derive(Debug)]
pub(super) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl Readers {
    pub(super) fn new(path: PathBuf, max_readers: usize) -> Self {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(max_readers.max(1)),
        }
    }

    /// Runs `read` on a pooled connection in a blocking thread.
    pub(super) async fn read<T, F>(self: &Arc<Self>, read: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StorageError::Closed)?;
        let readers = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let connection = match readers.take() {
                Some(connection) => connection,
                None => schema::open_reader(&readers.path)?,
            };
            let result = read(&connection);
            readers.give_back(connection);
            result
        })
        .await
        .map_err(|error| StorageError::backend("read", error))?
    }

    /// Drops the idle connections and refuses further loads.
    pub(super) fn close(&self) {
        self.permits.close();
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    fn take(&self) -> Option<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    fn give_back(&self, connection: Connection) {
        if !self.permits.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(connection);
        }
    }
}
