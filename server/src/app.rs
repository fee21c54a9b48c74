//! Start-up and shutdown: from a [`Config`] to a serving relay and back to a flushed database.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::arbitration::Arbiter;
use crate::auth::{DEV_TOKEN_LIFETIME, TokenIssuer, TokenKeyError, TokenVerifier};
use crate::config::Config;
use crate::directory::Directory;
use crate::observability::metrics;
use crate::relay::Relay;
use crate::routes;
use crate::state::AppState;
use crate::storage::{
    Arbitration, Records, SqliteOptions, SqliteStorage, Storage, StorageError, StorageLimits,
    index_missing,
};

/// How long shutdown waits for documents to finish what their connections sent.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "dealflow.sqlite3";

/// Serves `config` on `listener` until `shutdown` completes, waits for in-flight requests, then
/// flushes and closes storage before returning.
///
/// Opens (or creates) `<data dir>/dealflow.sqlite3`, seeding the demo organisation into an empty
/// directory.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let (tokens, dev_login) = token_keys(&config).await?;
    let metrics_handle = metrics::install();
    let mut options = SqliteOptions::new(config.data_dir.join(DATABASE_FILE));
    options.limits = StorageLimits {
        max_value_bytes: config.limits.max_value_bytes,
    };
    let storage = Arc::new(SqliteStorage::open(options).await?);
    let directory = match storage.directory_or_seed(Directory::demo()).await {
        Ok(directory) => directory,
        Err(error) => {
            let _ = storage.close().await;
            return Err(error.into());
        }
    };
    if let Some(seed) = config.demo_seed
        && let Err(error) =
            crate::demo::seed_on_start(&storage, &directory, seed, config.demo_deals).await
    {
        let _ = storage.close().await;
        return Err(error.into());
    }
    if let Err(error) = index_documents(&storage, &config).await {
        let _ = storage.close().await;
        return Err(error.into());
    }
    let directory = Arc::new(directory);
    let relay = Relay::new(
        Arc::clone(&storage) as Arc<dyn Storage>,
        Arc::clone(&storage) as Arc<dyn Records>,
        Arc::clone(&directory),
        config.limits,
    );
    let arbiter = match Arbiter::start(
        Arc::clone(&storage) as Arc<dyn Arbitration>,
        relay.clone(),
        Arc::clone(&directory),
        &config.arbitration,
    )
    .await
    {
        Ok(arbiter) => Arc::new(arbiter),
        Err(error) => {
            let _ = storage.close().await;
            return Err(RunError::Arbitration(error.to_string()));
        }
    };
    if config.demo_seed.is_some() {
        match crate::demo::replay_arbitration(&*storage, &arbiter, &directory).await {
            Ok(replay) if replay.leads + replay.quotes > 0 => tracing::info!(
                leads = replay.leads,
                claimed = replay.claimed,
                quotes = replay.quotes,
                pending = replay.pending,
                "replayed the demo leads and quotes"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the demo leads and quotes were not replayed"),
        }
    }
    let state = AppState {
        storage: Arc::clone(&storage) as Arc<dyn Storage>,
        directory,
        tokens,
        dev_login,
        limits: config.limits,
        metrics: metrics_handle.clone(),
        relay: relay.clone(),
        arbiter,
    };
    let upkeep = tokio::spawn(metrics::upkeep(metrics_handle));
    let app = routes::router(state, &config.web_dir, &config.cors_origins);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    upkeep.abort();
    // WebSocket connections outlive the HTTP server's graceful shutdown: close them and let the
    // documents finish what their connections sent before storage closes.
    relay.shutdown(SHUTDOWN_GRACE).await;
    tracing::info!("stopped serving; flushing storage");
    let closed = storage.close().await;
    served.map_err(RunError::Serve)?;
    closed?;
    Ok(())
}

/// Builds the document list's index for documents stored before it existed (once: later
/// starts find every document indexed).
async fn index_documents(storage: &SqliteStorage, config: &Config) -> Result<(), StorageError> {
    let ids = storage
        .all_documents()
        .await?
        .into_iter()
        .map(|record| record.id)
        .collect();
    let limits = dealflow_core::sync::Limits {
        max_stored_bytes: config.limits.max_document_bytes,
        max_inflated_bytes: config.limits.max_decompressed_bytes,
        ..dealflow_core::sync::Limits::default()
    };
    index_missing(storage, ids, limits).await?;
    Ok(())
}

/// The token verifier, and the development login's issuer if it is on.
async fn token_keys(
    config: &Config,
) -> Result<(Arc<TokenVerifier>, Option<Arc<TokenIssuer>>), RunError> {
    let (verifier, secret) = match (&config.token_secret, &config.token_public_key) {
        (Some(secret), _) => (
            TokenVerifier::hs256(secret.expose())?,
            Some(secret.expose().to_vec()),
        ),
        (None, Some(path)) => {
            if config.dev_login {
                return Err(RunError::DevLoginNeedsSecret);
            }
            let pem = tokio::fs::read(path)
                .await
                .map_err(|source| RunError::ReadPublicKey {
                    path: path.clone(),
                    source,
                })?;
            (
                TokenVerifier::public_key(config.token_algorithm, &pem)?,
                None,
            )
        }
        (None, None) => {
            let mut secret = vec![0; 32];
            getrandom_03::fill(&mut secret).map_err(RunError::Random)?;
            if config.dev_login {
                tracing::warn!(
                    "no --token-secret: signing development tokens with a random secret; \
                     tokens will not survive a restart"
                );
            } else {
                tracing::warn!(
                    "no --token-secret or --token-public-key: no token can be verified, \
                     so every authenticated request will be refused"
                );
            }
            (TokenVerifier::hs256(&secret)?, Some(secret))
        }
    };
    let verifier = match &config.token_issuer {
        Some(issuer) => verifier.with_issuer(issuer),
        None => verifier,
    };
    let verifier = match &config.token_audience {
        Some(audience) => verifier.with_audience(audience),
        None => verifier,
    };
    let issuer = match (config.dev_login, secret) {
        (true, Some(secret)) => {
            tracing::warn!("the development login is on: anyone can sign in as a demo user");
            Some(Arc::new(TokenIssuer::hs256(&secret, DEV_TOKEN_LIFETIME)?))
        }
        _ => None,
    };
    Ok((Arc::new(verifier), issuer))
}

/// Why the relay could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Storage could not be opened, seeded or flushed.
    #[error("storage failed: {0}")]
    Storage(#[from] StorageError),
    /// The demo data could not be seeded.
    #[error("cannot seed the demo data: {0}")]
    DemoSeed(#[from] crate::demo::DemoSeedError),
    /// The public key file could not be read.
    #[error("cannot read the token public key {path}: {source}")]
    ReadPublicKey {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The configured token key is unusable.
    #[error(transparent)]
    TokenKey(#[from] TokenKeyError),
    /// The development login can only mint tokens with a shared secret.
    #[error(
        "--dev-login cannot mint tokens with --token-public-key: give --token-secret or no key"
    )]
    DevLoginNeedsSecret,
    /// The system's random number generator failed.
    #[error("cannot generate a token secret: {0}")]
    Random(getrandom_03::Error),
    /// The lead pools could not be set up.
    #[error("cannot set up the lead pools: {0}")]
    Arbitration(String),
    /// Accepting connections failed.
    #[error("serving failed: {0}")]
    Serve(#[source] std::io::Error),
}
