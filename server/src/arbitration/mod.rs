//! Lead-pool claims and quote approvals: exclusive actions the relay arbitrates.
//!
//! Every command follows one loop, the same as ownership transfers:
//!
//! 1. the actor is the authenticated caller (a client can never act as someone else, nor as
//!    `System`);
//! 2. core decides the command against the stored lead or quote inside one storage transaction,
//!    which writes the result with compare-and-set on the version ([`Arbitration`]);
//! 3. the relay writes the result into the documents as the server: a quote's state into its
//!    deal's `quotes` section, a pool's leads into the pool's document, so connected peers
//!    receive it.
//!
//! Pools: one per team (`pool-<team>`), whose audience is the team and its sub-teams. Each has
//! a document (`type` `"lead_pool"`) that its audience reads and nobody but the relay writes.

mod config;
mod lead;
mod quote;

pub use config::ArbitrationConfig;
pub use lead::{LeadCommandRequest, NewLead};
pub use quote::NewQuoteRequest;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    ApprovalPolicy, LEAD_POOL_TYPE, LocalizedText, PoolConfig, PoolDirectory, PoolId, Role,
    Timestamp, UserId, write_lead_pool,
};
use time::UtcOffset;

use crate::directory::Directory;
use crate::error::AppError;
use crate::relay::Relay;
use crate::storage::{Arbitration, DocumentRecord, RELAY_OWNER};

/// Arbitrates pool commands and quote commands. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Arbiter {
    store: Arc<dyn Arbitration>,
    relay: Relay,
    directory: Arc<Directory>,
    pools: Arc<PoolDirectory>,
    pool_documents: BTreeMap<PoolId, DocumentId>,
    policy: ApprovalPolicy,
    offset: UtcOffset,
    /// One lock per document the relay rewrites (a pool's, a deal's quotes), so that rewrites
    /// (load the stored state, write it) never overtake one another.
    write_locks: Mutex<HashMap<DocumentId, Arc<tokio::sync::Mutex<()>>>>,
}

/// A pool as its audience sees it.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolView {
    /// The pool.
    pub id: PoolId,
    /// Its name.
    pub name: LocalizedText,
    /// The team whose members may claim from it.
    pub team: Option<dealflow_core::TeamId>,
    /// Most unfollowed leads one rep may hold from it.
    pub claim_limit: u32,
    /// Its document (read-only), listing the leads in it.
    pub document: String,
}

impl Arbiter {
    /// The pools of `directory` (one per team), their documents (created or brought up to date
    /// with what `store` holds), and the approval policy from `config`.
    pub async fn start(
        store: Arc<dyn Arbitration>,
        relay: Relay,
        directory: Arc<Directory>,
        config: &ArbitrationConfig,
    ) -> Result<Self, AppError> {
        let pools = team_pools(&directory, config.pool_claim_limit)?;
        let mut pool_documents = BTreeMap::new();
        for pool in pools.pools() {
            let document = store
                .pool_document(pool.id.clone(), random_document_id()?)
                .await?;
            pool_documents.insert(pool.id.clone(), document);
        }
        let offset = UtcOffset::from_hms(config.utc_offset_hours, 0, 0).map_err(|error| {
            AppError::Internal {
                detail: format!("invalid UTC offset: {error}"),
            }
        })?;
        let arbiter = Arbiter {
            store,
            relay,
            directory,
            pools: Arc::new(pools),
            pool_documents,
            policy: config.quote_approval.clone(),
            offset,
            write_locks: Mutex::new(HashMap::new()),
        };
        let relay_user = relay_user()?;
        let pool_ids: Vec<PoolId> = arbiter.pool_documents.keys().cloned().collect();
        for pool in pool_ids {
            arbiter.refresh_pool(&pool, &relay_user).await?;
        }
        Ok(arbiter)
    }

    /// The pools `user` may claim from or manages.
    pub fn pools_for(&self, user: &UserId) -> Vec<PoolView> {
        self.pools
            .pools()
            .iter()
            .filter(|pool| self.sees_pool(user, pool))
            .map(|pool| PoolView {
                id: pool.id.clone(),
                name: pool.name.clone(),
                team: pool.team.clone(),
                claim_limit: pool.claim_limit,
                document: self
                    .pool_documents
                    .get(&pool.id)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Whether `user` is in the pool's audience, manages its team or is an admin.
    fn sees_pool(&self, user: &UserId, pool: &PoolConfig) -> bool {
        let org = self.directory.organisation();
        if org.active_member(user).is_none() {
            return false;
        }
        match &pool.team {
            Some(team) => {
                org.is_admin(user) || org.belongs_within(user, team) || org.manages(user, team)
            }
            None => true,
        }
    }

    /// Rewrites the document of `pool` after a committed decision. The decision stands even if
    /// the document cannot be written now (the next rewrite catches it up), so a failure is
    /// logged rather than reported as if the command had failed.
    async fn refresh_pool_after(&self, pool: &PoolId, by: &UserId) {
        if let Err(error) = self.refresh_pool(pool, by).await {
            tracing::error!(%pool, %error, "cannot rewrite the pool's document");
        }
    }

    /// Rewrites the document of `pool` from the leads stored in it now, naming `by`.
    async fn refresh_pool(&self, pool: &PoolId, by: &UserId) -> Result<(), AppError> {
        let (Some(document), Some(config)) =
            (self.pool_documents.get(pool).copied(), self.pools.get(pool))
        else {
            return Ok(());
        };
        let lock = self.write_lock(document);
        let _rewriting = lock.lock().await;
        let leads = self.store.leads_in_pool(pool.clone()).await?;
        let config = config.clone();
        let register = DocumentRecord::new(
            document,
            LEAD_POOL_TYPE,
            relay_user()?,
            config.team.clone(),
            now().millis(),
        );
        self.relay
            .write_as_server(
                document,
                by.clone(),
                format!("list the leads in pool {pool}"),
                Some(register),
                Box::new(move |tx| write_lead_pool(tx, &config, &leads)),
            )
            .await
    }

    /// The lock serialising the relay's rewrites of `document`.
    fn write_lock(&self, document: DocumentId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .write_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(locks.entry(document).or_default())
    }

    /// The approval level of `user`: managers 1, admins 2, everyone else 0.
    fn approval_level(&self, user: &UserId) -> u8 {
        match self
            .directory
            .organisation()
            .active_member(user)
            .map(|member| member.role)
        {
            Some(Role::Admin) => 2,
            Some(Role::Manager) => 1,
            _ => 0,
        }
    }
}

/// One pool per team, `pool-<team>`, for the team and its sub-teams.
fn team_pools(directory: &Directory, claim_limit: u32) -> Result<PoolDirectory, AppError> {
    let mut pools = Vec::new();
    for team in directory.teams() {
        pools.push(PoolConfig {
            id: PoolId::new(format!("pool-{}", team.id)).map_err(dealflow_core::Error::from)?,
            name: LocalizedText::new(
                format!("{}公海", team.name.zh_cn),
                format!("{} pool", team.name.en),
            ),
            scope: Default::default(),
            team: Some(team.id.clone()),
            claim_limit,
            recycle_unfollowed_after_days: None,
            recycle_idle_after_days: None,
        });
    }
    Ok(PoolDirectory::new(pools).map_err(dealflow_core::Error::from)?)
}

fn relay_user() -> Result<UserId, AppError> {
    Ok(UserId::new(RELAY_OWNER).map_err(dealflow_core::Error::from)?)
}

fn random_document_id() -> Result<DocumentId, AppError> {
    let mut bytes = [0u8; 16];
    getrandom_03::fill(&mut bytes).map_err(|error| AppError::Internal {
        detail: format!("no randomness for a document id: {error}"),
    })?;
    Ok(DocumentId::from_random_bytes(bytes))
}

/// A fresh id with `prefix`: 16 random bytes in hex.
fn random_id(prefix: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    getrandom_03::fill(&mut bytes).map_err(|error| AppError::Internal {
        detail: format!("no randomness for an id: {error}"),
    })?;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("{prefix}-{hex}"))
}

fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        });
    Timestamp::from_millis(millis)
}
