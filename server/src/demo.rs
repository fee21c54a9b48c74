//! The demo data, written into an empty data directory when the relay starts with `--demo-seed`:
//! a year of deals from core's deterministic generator (`dealflow_core::demo`), the two template
//! pipelines, the sales targets (under [`TARGETS_KEY`]), and the relay's records of who owns
//! which document, so that each demo user sees exactly what core's visibility rules allow from
//! the first start.
//!
//! Documents are built by core (`DealDoc`, `PipelineDoc`) and stored as one compacted snapshot
//! each, keyed by core's `StoredChunks`, exactly as the sync loop would have stored them.
//!
//! Seeding is idempotent. A marker under [`MARKER_KEY`] records the seed, the deal count and the
//! `now` the data was generated for, first as started and then as complete:
//!
//! - complete: nothing is done (a restart never reseeds or duplicates);
//! - started but not complete (the relay stopped mid-way): the same data is generated again from
//!   the recorded `now` and written again; chunk keys and records are the same, so writes that
//!   already happened are no-ops;
//! - absent: a directory holding any document is left alone; an empty one is seeded.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use dealflow_core::automerge::ActorId;
use dealflow_core::demo::{DemoConfig, DemoData, DemoLead, DemoQuote, deal_document};
use dealflow_core::sync::{DocumentId, StoredChunks};
use dealflow_core::{
    Access, DEAL_TYPE, Deal, PIPELINE_TYPE, PipelineDoc, PoolId, QuoteAction, QuoteCommand,
    QuoteEdit, QuoteStatus, Role, TaxBasis, TeamId, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};

use crate::arbitration::{Arbiter, LeadCommandRequest, NewLead, NewQuoteRequest};
use crate::directory::Directory;
use crate::error::AppError;
use crate::storage::{
    DocumentMember, DocumentRecord, Records, SqliteStorage, Storage, StorageError, StorageKey,
    sync_ops,
};

/// Where the seeding marker is stored. Document ids are bs58check and never contain `-`, so this
/// key cannot collide with a document's chunks.
pub const MARKER_KEY: &str = "dealflow-demo-seed";

/// Where the demo's sales targets are stored (JSON of `dealflow_core::demo::DemoTarget`s), for
/// `GET /api/targets`.
pub const TARGETS_KEY: &str = "dealflow-demo-targets";

/// Where the demo's leads and quotes wait, between seeding and the arbiter's start, to be replayed
/// through arbitration (JSON of `ArbitrationPlan`); removed once replayed.
pub const ARBITRATION_KEY: &str = "dealflow-demo-arbitration";

/// The UTC offset demo dates are in: Beijing time.
const DEMO_OFFSET_HOURS: i8 = 8;

/// How many documents are written per storage batch.
const BATCH_DOCUMENTS: usize = 50;

/// What to seed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DemoSeed {
    /// The generator's seed.
    pub seed: u64,
    /// How many deals.
    pub deals: usize,
}

/// What [`seed_if_empty`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SeedOutcome {
    /// The data was written: this many deal documents and pipeline documents.
    Seeded {
        /// Deal documents written.
        deals: usize,
        /// Pipeline documents written.
        pipelines: usize,
    },
    /// An earlier start seeded the directory; nothing was written.
    AlreadySeeded,
    /// The directory holds documents that are not demo data; nothing was written.
    NotEmpty,
}

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoSeedError {
    /// Reading or writing storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Core could not generate the data or build a document.
    #[error("cannot generate the demo data: {0}")]
    Generate(#[from] dealflow_core::Error),
    /// The directory lacks a user or team of the demo organisation.
    #[error(
        "the directory has no {what}: demo data needs the demo organisation (start on an empty data directory)"
    )]
    DirectoryMismatch {
        /// What is missing.
        what: String,
    },
    /// The stored marker cannot be read.
    #[error("the demo seeding marker is unreadable ({0}): remove the data directory to reseed")]
    Marker(String),
    /// A generation task panicked or was cancelled.
    #[error("a demo generation task failed: {0}")]
    Task(String),
}

/// The marker's stored form.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    seed: u64,
    deals: usize,
    now_ms: i64,
    complete: bool,
}

/// Seeds the demo data into `storage` and `records` unless they already hold documents (see the
/// module docs), generating it for `now`. Deal documents are built on blocking threads.
pub async fn seed_if_empty(
    storage: Arc<dyn Storage>,
    records: Arc<dyn Records>,
    directory: &Directory,
    seed: DemoSeed,
    now: Timestamp,
) -> Result<SeedOutcome, DemoSeedError> {
    let marker_key = StorageKey::new([MARKER_KEY])?;
    let marker = match storage.load(&marker_key).await? {
        Some(bytes) => {
            let marker: Marker = serde_json::from_slice(&bytes)
                .map_err(|error| DemoSeedError::Marker(error.to_string()))?;
            if marker.complete {
                return Ok(SeedOutcome::AlreadySeeded);
            }
            tracing::warn!(
                seed = marker.seed,
                deals = marker.deals,
                "an earlier start stopped while seeding the demo data: finishing it"
            );
            marker
        }
        None => {
            if !records.all_documents().await?.is_empty() {
                return Ok(SeedOutcome::NotEmpty);
            }
            let marker = Marker {
                seed: seed.seed,
                deals: seed.deals,
                now_ms: now.millis(),
                complete: false,
            };
            storage
                .put(marker_key.clone(), marker_bytes(&marker)?)
                .await?;
            marker
        }
    };

    let config = demo_config(&marker)?;
    check_directory(directory, &config)?;
    let data = tokio::task::spawn_blocking(move || dealflow_core::demo::generate(&config))
        .await
        .map_err(|error| DemoSeedError::Task(error.to_string()))??;
    let data = Arc::new(data);

    let pipelines = pipeline_documents(&data, directory)?;
    let n_pipelines = pipelines.len();
    for (ops, record) in pipelines {
        storage.put_batch(ops).await?;
        records.register_document(record).await?;
    }

    let n_deals = data.deals.len();
    let mut start = 0;
    while start < n_deals {
        let end = (start + BATCH_DOCUMENTS).min(n_deals);
        let built = build_deals(Arc::clone(&data), start, end).await?;
        let mut ops = Vec::new();
        let mut batch_records = Vec::with_capacity(built.len());
        for (deal_ops, record) in built {
            ops.extend(deal_ops);
            batch_records.push(record);
        }
        // Chunks first: a record never points at a document whose bytes are missing.
        storage.put_batch(ops).await?;
        for record in batch_records {
            records.register_document(record).await?;
        }
        start = end;
    }

    let targets = serde_json::to_vec(&data.targets)
        .map_err(|error| DemoSeedError::Marker(error.to_string()))?;
    storage
        .put(StorageKey::new([TARGETS_KEY])?, targets)
        .await?;
    let plan = serde_json::to_vec(&ArbitrationPlan {
        leads: data.leads.clone(),
        quotes: data.quotes.clone(),
    })
    .map_err(|error| DemoSeedError::Marker(error.to_string()))?;
    storage
        .put(StorageKey::new([ARBITRATION_KEY])?, plan)
        .await?;

    let done = Marker {
        complete: true,
        ..marker
    };
    storage.put(marker_key, marker_bytes(&done)?).await?;
    Ok(SeedOutcome::Seeded {
        deals: n_deals,
        pipelines: n_pipelines,
    })
}

/// Seeds at start-up: `seed` with `deals` deals, for the present moment, logging what happened.
pub async fn seed_on_start(
    storage: &Arc<SqliteStorage>,
    directory: &Directory,
    seed: u64,
    deals: usize,
) -> Result<SeedOutcome, DemoSeedError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        });
    let started = Instant::now();
    let outcome = seed_if_empty(
        Arc::clone(storage) as Arc<dyn Storage>,
        Arc::clone(storage) as Arc<dyn Records>,
        directory,
        DemoSeed { seed, deals },
        Timestamp::from_millis(now),
    )
    .await?;
    match outcome {
        SeedOutcome::Seeded { deals, pipelines } => tracing::info!(
            seed,
            deals,
            pipelines,
            elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "seeded the demo data"
        ),
        SeedOutcome::AlreadySeeded => tracing::info!("the demo data is already seeded"),
        SeedOutcome::NotEmpty => {
            tracing::info!("the data directory holds documents: not seeding demo data");
        }
    }
    Ok(outcome)
}

/// The demo's leads and quotes, waiting to be replayed through arbitration.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct ArbitrationPlan {
    leads: Vec<DemoLead>,
    quotes: Vec<DemoQuote>,
}

/// What [`replay_arbitration`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ArbitrationReplay {
    /// Leads created in the pools.
    pub leads: usize,
    /// Of those, claimed by reps.
    pub claimed: usize,
    /// Quotes started on deals.
    pub quotes: usize,
    /// Of those, waiting for approval at the end.
    pub pending: usize,
}

/// Replays the demo's leads and quotes (left by seeding under [`ARBITRATION_KEY`]) through
/// `arbiter`, as the people of the demo would: each team's manager puts its leads into the
/// team's pool and reps claim some; deal owners start quotes, fill in their lines and discount
/// and submit them, and the team's manager (or, above a manager's level, the admin) approves
/// some. Every decision is the arbiter's, as over HTTP. A command the arbiter refuses is logged
/// and skipped. Does nothing when there is no plan; removes the plan when done.
pub async fn replay_arbitration(
    storage: &dyn Storage,
    arbiter: &Arbiter,
    directory: &Directory,
) -> Result<ArbitrationReplay, DemoSeedError> {
    let key = StorageKey::new([ARBITRATION_KEY])?;
    let Some(bytes) = storage.load(&key).await? else {
        return Ok(ArbitrationReplay::default());
    };
    let plan: ArbitrationPlan =
        serde_json::from_slice(&bytes).map_err(|error| DemoSeedError::Marker(error.to_string()))?;
    let manager_of = |team: &TeamId| {
        directory
            .users()
            .find(|user| user.role == Role::Manager && user.team.as_ref() == Some(team))
            .map(|user| user.id.clone())
    };
    let admin = directory
        .users()
        .find(|user| user.role == Role::Admin)
        .map(|user| user.id.clone());
    let mut replay = ArbitrationReplay::default();
    for lead in plan.leads {
        let Some(manager) = manager_of(&lead.team) else {
            continue;
        };
        let pool =
            PoolId::new(format!("pool-{}", lead.team)).map_err(dealflow_core::Error::from)?;
        let new = NewLead {
            id: Some(lead.id.clone()),
            contact_name: lead.draft.contact_name,
            company: lead.draft.company,
            phone: lead.draft.phone,
            email: lead.draft.email,
            region: lead.draft.region,
            industry: lead.draft.industry,
            product_interest: lead.draft.product_interest,
            campaign: lead.draft.campaign,
            notes: lead.draft.notes,
            source: Some(lead.source),
        };
        let created = match arbiter.create_leads(&manager, &pool, vec![new]).await {
            Ok(created) => created,
            Err(error) => {
                tracing::warn!(lead = %lead.id, %error, "demo lead not created");
                continue;
            }
        };
        let Some(stored) = created.first() else {
            continue;
        };
        replay.leads += 1;
        if let Some(rep) = &lead.claimed_by {
            let claim = LeadCommandRequest::Claim {
                expected_version: stored.version,
            };
            match arbiter.lead_command(rep, lead.id.as_str(), claim).await {
                Ok(_) => replay.claimed += 1,
                Err(error) => tracing::warn!(lead = %lead.id, %error, "demo claim refused"),
            }
        }
    }
    for quote in plan.quotes {
        match replay_quote(arbiter, directory, &quote, admin.as_ref(), &manager_of).await {
            Ok(status) => {
                replay.quotes += 1;
                if status == QuoteStatus::PendingApproval {
                    replay.pending += 1;
                }
            }
            Err(error) => tracing::warn!(deal = %quote.deal, %error, "demo quote not replayed"),
        }
    }
    storage.delete(key).await?;
    Ok(replay)
}

/// One quote: started, filled in and submitted by the deal's owner, then perhaps approved.
async fn replay_quote(
    arbiter: &Arbiter,
    directory: &Directory,
    quote: &DemoQuote,
    admin: Option<&UserId>,
    manager_of: &impl Fn(&TeamId) -> Option<UserId>,
) -> Result<QuoteStatus, AppError> {
    let document: DocumentId = quote
        .deal
        .as_str()
        .parse()
        .map_err(dealflow_core::Error::from)?;
    let request = NewQuoteRequest {
        currency: dealflow_core::Currency::CNY,
        valid_until: quote.valid_until,
        tax_basis: TaxBasis::default(),
    };
    let mut stored = arbiter
        .create_quote(&quote.owner, document, request)
        .await?;
    let mut edits: Vec<QuoteEdit> = quote
        .lines
        .iter()
        .map(|line| QuoteEdit::SetLine {
            line: Box::new(line.clone()),
        })
        .collect();
    edits.push(QuoteEdit::SetDiscount {
        discount: quote.discount,
    });
    let mut actions: Vec<QuoteAction> = edits
        .into_iter()
        .map(|edit| QuoteAction::Edit { edit })
        .collect();
    actions.push(QuoteAction::Submit);
    for action in actions {
        stored = arbiter
            .quote_command(
                &quote.owner,
                stored.quote.id.as_str(),
                QuoteCommand {
                    expected_version: stored.quote.version,
                    action,
                },
            )
            .await?;
    }
    if stored.quote.status == QuoteStatus::PendingApproval && quote.approve {
        let team = directory
            .user(&quote.owner)
            .and_then(|user| user.team.clone());
        let approvers = team
            .as_ref()
            .and_then(manager_of)
            .into_iter()
            .chain(admin.cloned());
        for approver in approvers {
            let approve = QuoteCommand {
                expected_version: stored.quote.version,
                action: QuoteAction::Approve {
                    comment: String::new(),
                },
            };
            // A manager's level may fall short of the discount: then the admin approves.
            if let Ok(approved) = arbiter
                .quote_command(&approver, stored.quote.id.as_str(), approve)
                .await
            {
                stored = approved;
                break;
            }
        }
    }
    Ok(stored.quote.status)
}

fn marker_bytes(marker: &Marker) -> Result<Vec<u8>, DemoSeedError> {
    serde_json::to_vec(marker).map_err(|error| DemoSeedError::Marker(error.to_string()))
}

/// The generator's configuration for a marker: the default organisation (the directory's demo
/// organisation), Beijing time, and deal ids that are automerge-repo document ids.
fn demo_config(marker: &Marker) -> Result<DemoConfig, DemoSeedError> {
    let offset = time::UtcOffset::from_hms(DEMO_OFFSET_HOURS, 0, 0)
        .map_err(|error| DemoSeedError::Marker(error.to_string()))?;
    let mut config = DemoConfig::new(marker.seed, Timestamp::from_millis(marker.now_ms), offset);
    config.n_deals = marker.deals;
    config.deal_id = document_id_string;
    Ok(config)
}

/// The 16 random bytes the generator draws for a deal, as the bs58check id of its document.
fn document_id_string(bytes: &[u8; 16]) -> String {
    DocumentId::from_random_bytes(*bytes).to_string()
}

/// Every user and team the generator uses must be in the directory, with the role it plays.
fn check_directory(directory: &Directory, config: &DemoConfig) -> Result<(), DemoSeedError> {
    let missing = |what: String| Err(DemoSeedError::DirectoryMismatch { what });
    let has_user =
        |id: &UserId, role: Role| directory.user(id).is_some_and(|user| user.role == role);
    if !has_user(&config.org.admin.id, Role::Admin) {
        return missing(format!("admin {}", config.org.admin.id));
    }
    for team in &config.org.teams {
        if directory.team(&team.id).is_none() {
            return missing(format!("team {}", team.id));
        }
        if !has_user(&team.manager.id, Role::Manager) {
            return missing(format!("manager {}", team.manager.id));
        }
        for rep in &team.reps {
            let in_team = directory
                .user(&rep.id)
                .is_some_and(|user| user.role == Role::Rep && user.team.as_ref() == Some(&team.id));
            if !in_team {
                return missing(format!("rep {} in team {}", rep.id, team.id));
            }
        }
    }
    Ok(())
}

/// The pipeline documents, owned by the admin in the department's team. Their ids come from the
/// seed, so a resumed seeding writes the same documents.
fn pipeline_documents(
    data: &DemoData,
    directory: &Directory,
) -> Result<Vec<(Vec<crate::storage::StorageOp>, DocumentRecord)>, DemoSeedError> {
    let admin = &data.org.admin.id;
    let team = directory
        .user(admin)
        .and_then(|user| user.team.clone())
        .or_else(|| Some(data.org.department.clone()));
    let mut documents = Vec::with_capacity(data.pipelines.len());
    for (index, pipeline) in data.pipelines.iter().enumerate() {
        let mut bytes = [0_u8; 16];
        bytes[..8].copy_from_slice(&data.seed.to_le_bytes());
        bytes[8..12].copy_from_slice(b"pipe");
        bytes[12] = u8::try_from(index).unwrap_or(u8::MAX);
        let id = DocumentId::from_random_bytes(bytes);
        let actor = ActorId::from(&bytes[..]);
        let mut doc = PipelineDoc::create(pipeline, actor, admin, data.now)?;
        // One snapshot keyed by the document's heads, as `StoredChunks::compact` writes it.
        let heads = doc.heads();
        let mut ops = sync_ops(vec![dealflow_core::sync::StorageOp::Put {
            key: dealflow_core::sync::StorageKey::snapshot(id, &heads),
            bytes: doc.save(),
        }])?;
        let summary = crate::storage::DocumentSummary {
            kind: Some(PIPELINE_TYPE.to_owned()),
            title: None,
        };
        ops.push(summary.put(id)?);
        let record = DocumentRecord::new(
            id,
            PIPELINE_TYPE,
            admin.clone(),
            team.clone(),
            data.now.millis(),
        );
        documents.push((ops, record));
    }
    Ok(documents)
}

/// Builds the deal documents `start..end` on a blocking thread: their storage writes and records.
async fn build_deals(
    data: Arc<DemoData>,
    start: usize,
    end: usize,
) -> Result<Vec<(Vec<crate::storage::StorageOp>, DocumentRecord)>, DemoSeedError> {
    tokio::task::spawn_blocking(move || {
        let mut built = Vec::with_capacity(end.saturating_sub(start));
        let timelines = data.timelines.get(start..end).unwrap_or_default();
        let deals = data.deals.get(start..end).unwrap_or_default();
        for (timeline, deal) in timelines.iter().zip(deals) {
            let doc = deal_document(&data, timeline)?.into_automerge();
            let id: DocumentId = deal
                .id
                .as_str()
                .parse()
                .map_err(dealflow_core::Error::from)?;
            let mut ops = sync_ops(StoredChunks::new().compact(id, &doc))?;
            ops.push(crate::storage::DocumentSummary::of(&doc).put(id)?);
            built.push((ops, deal_record(id, deal)));
        }
        Ok(built)
    })
    .await
    .map_err(|error| DemoSeedError::Task(error.to_string()))?
}

/// The relay's record of a demo deal: owned by its rep in the rep's team, with the rest of its
/// deal team as writing members.
fn deal_record(id: DocumentId, deal: &Deal) -> DocumentRecord {
    let team: Option<TeamId> = deal.team.clone();
    let mut record = DocumentRecord::new(
        id,
        DEAL_TYPE,
        deal.owner.clone(),
        team,
        deal.created_at.millis(),
    );
    record.members = deal
        .deal_team
        .iter()
        .filter(|(user, _)| **user != deal.owner)
        .map(|(user, role)| DocumentMember {
            user: user.clone(),
            access: Access::Write,
            role: *role,
        })
        .collect();
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{MemoryStorage, StorageLimits};

    fn now() -> Timestamp {
        // 2026-03-15 10:00 in Beijing.
        Timestamp::from_millis(1_773_540_000_000)
    }

    fn stores() -> (Arc<MemoryStorage>, Arc<dyn Storage>, Arc<dyn Records>) {
        let memory = Arc::new(MemoryStorage::new(StorageLimits::default()));
        let storage = Arc::clone(&memory) as Arc<dyn Storage>;
        let records = Arc::clone(&memory) as Arc<dyn Records>;
        (memory, storage, records)
    }

    #[tokio::test]
    async fn seeds_once_and_records_owners_and_teams() {
        let (_memory, storage, records) = stores();
        let directory = Directory::demo();
        let seed = DemoSeed { seed: 3, deals: 12 };
        let outcome = seed_if_empty(
            Arc::clone(&storage),
            Arc::clone(&records),
            &directory,
            seed,
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            outcome,
            SeedOutcome::Seeded {
                deals: 12,
                pipelines: 2
            }
        );
        let all = records.all_documents().await.unwrap();
        assert_eq!(all.len(), 14);
        for record in all.iter().filter(|record| record.kind == DEAL_TYPE) {
            let owner = directory.user(&record.owner).unwrap();
            assert_eq!(owner.role, Role::Rep);
            assert_eq!(record.team, owner.team);
            let chunks = crate::storage::document_chunks(&*storage, record.id)
                .await
                .unwrap();
            assert_eq!(chunks.len(), 1, "one snapshot per document");
        }
        // Started again, even with another seed: nothing is written.
        let again = seed_if_empty(
            Arc::clone(&storage),
            Arc::clone(&records),
            &directory,
            DemoSeed { seed: 4, deals: 12 },
            Timestamp::from_millis(now().millis() + 86_400_000),
        )
        .await
        .unwrap();
        assert_eq!(again, SeedOutcome::AlreadySeeded);
        assert_eq!(records.all_documents().await.unwrap(), all);
    }

    #[test]
    fn the_generator_sells_with_the_directory_s_demo_organisation() {
        let directory = Directory::demo();
        let config = DemoConfig::new(1, now(), time::UtcOffset::UTC);
        check_directory(&directory, &config).unwrap();
        for user in config.org.users() {
            assert_eq!(
                directory.user(&user.id).map(|known| &known.name),
                Some(&user.name)
            );
        }
        for team in &config.org.teams {
            assert_eq!(
                directory.team(&team.id).map(|known| &known.name),
                Some(&team.name)
            );
        }
    }

    #[tokio::test]
    async fn leaves_a_directory_with_other_documents_alone() {
        let (_memory, storage, records) = stores();
        let id = DocumentId::from_random_bytes([9; 16]);
        records
            .register_document(DocumentRecord::new(
                id,
                DEAL_TYPE,
                UserId::new("zhang-wei").unwrap(),
                None,
                0,
            ))
            .await
            .unwrap();
        let outcome = seed_if_empty(
            storage,
            Arc::clone(&records),
            &Directory::demo(),
            DemoSeed { seed: 1, deals: 5 },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(outcome, SeedOutcome::NotEmpty);
        assert_eq!(records.all_documents().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn finishes_an_interrupted_seeding_with_the_same_data() {
        let (_memory, storage, records) = stores();
        let directory = Directory::demo();
        // An earlier start wrote the marker and then stopped.
        let marker = Marker {
            seed: 5,
            deals: 6,
            now_ms: now().millis(),
            complete: false,
        };
        storage
            .put(
                StorageKey::new([MARKER_KEY]).unwrap(),
                marker_bytes(&marker).unwrap(),
            )
            .await
            .unwrap();
        let outcome = seed_if_empty(
            Arc::clone(&storage),
            Arc::clone(&records),
            &directory,
            DemoSeed { seed: 99, deals: 1 },
            Timestamp::from_millis(now().millis() + 7 * 86_400_000),
        )
        .await
        .unwrap();
        assert_eq!(
            outcome,
            SeedOutcome::Seeded {
                deals: 6,
                pipelines: 2
            }
        );
        // The recorded seed and `now` were used: the same ids as a fresh seeding of them.
        let (_fresh_memory, fresh_storage, fresh_records) = stores();
        seed_if_empty(
            fresh_storage,
            Arc::clone(&fresh_records),
            &directory,
            DemoSeed { seed: 5, deals: 6 },
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            records.all_documents().await.unwrap(),
            fresh_records.all_documents().await.unwrap()
        );
    }
}
