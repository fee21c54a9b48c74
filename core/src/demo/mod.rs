//! Deterministic demo data: a year of a sales team's deals, so that forecasts, funnels and scores
//! show meaningful figures from the first start of the demo, and so that benchmarks and tests
//! have realistic input.
//!
//! [`generate`] tells each deal's story from a seed: a Chinese B2B customer (company, industry,
//! size, region, people), a source and campaign, and its life through one of the two template
//! pipelines at working-day times — follow-ups with summaries and customer feedback, the power
//! map filling in, competitors, budget, product lines, close dates that slip, tasks done on
//! time or left overdue, manager comments and forecast adjustments — until it is won, lost,
//! stopped (and perhaps reopened), left lingering, or still running at `now`. Every stage move
//! goes through [`Pipeline::move_deal`], with what the move's criteria need filled in just
//! before it. [`deal_documents`] replays the same stories into Automerge documents whose change
//! history follows the timeline.
//!
//! The same [`DemoConfig`] always gives the same data and byte-identical documents: the only
//! randomness is a ChaCha8 generator seeded from [`DemoConfig::seed`], draws are integer-only,
//! and Automerge actor ids come from the generator too.
//!
//! ```
//! use dealflow_core::{DealStatus, Timestamp};
//! use dealflow_core::demo::{DemoConfig, generate};
//! use time::macros::offset;
//!
//! // 2026-03-15 10:00 in Beijing.
//! let now = Timestamp::from_millis(1_773_540_000_000);
//! let mut config = DemoConfig::new(42, now, offset!(+8));
//! config.n_deals = 40;
//! let data = generate(&config)?;
//! assert_eq!(data.deals.len(), 40);
//! assert!(data.deals.iter().all(|deal| deal.created_at < now));
//! assert!(data.deals.iter().any(|deal| deal.status() == DealStatus::Open));
//! assert_eq!(generate(&config)?.deals, data.deals); // deterministic
//! # Ok::<(), dealflow_core::Error>(())
//! ```
//!
//! # Leads and quotes
//!
//! [`DemoData::leads`] are a few dozen leads in the teams' pools, some claimed by reps, and
//! [`DemoData::quotes`] quotes on the most advanced open deals, some needing approval. Both are
//! decided by the relay's arbitration, not written into documents here: the server replays them
//! through it. They are drawn from their own streams of the seed (`LEAD_STREAM`,
//! `QUOTE_STREAM`), so the deals of a seed stay the same. Converted deals are not linked to
//! leads (`Deal::lead`) yet.

mod customer;
mod document;
mod edit;
mod error;
mod lead;
mod org;
mod random;
mod story;
mod target;
mod vocabulary;

use std::collections::{BTreeMap, BTreeSet};

use rand::rngs::ChaCha8Rng;
use rand::{Rng, RngExt, SeedableRng};
use time::{UtcOffset, Weekday};

pub use document::{deal_document, deal_documents};
pub use edit::{DemoEdit, DemoEvent};
pub use error::DemoError;
pub use lead::{DemoLead, DemoQuote};
pub use org::{DemoOrg, DemoRegion, DemoTeam, DemoUser};
pub use target::{DemoTarget, DemoTargetOwner, forecast_targets};

use crate::catalog::{Catalog, Product};
use crate::deal::{Deal, DealStatus, NewDeal};
use crate::error::Error;
use crate::i18n::LocalizedText;
use crate::id::{DealId, PipelineId, ProductId, RecordId, TeamId, UserId};
use crate::money::{Currency, Money};
use crate::pipeline::Pipeline;
use crate::quote::TaxRate;
use crate::timestamp::Timestamp;
use customer::Customer;
use random::{between, chance};

/// The generator stream deals are drawn from.
const DEAL_STREAM: u64 = 0;
/// The generator stream leads are drawn from, so that adding them leaves the deals unchanged.
const LEAD_STREAM: u64 = 1;
/// The generator stream quotes are drawn from.
const QUOTE_STREAM: u64 = 2;
/// The stream of a deal's own generator that its customer is drawn from.
const CUSTOMER_STREAM: u64 = 1;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    /// The seed: the same configuration always gives the same data.
    pub seed: u64,
    /// The present: deals are created in the year before it, and nothing happens after it.
    pub now: Timestamp,
    /// The organisation's UTC offset (working hours and dates are local).
    pub offset: UtcOffset,
    /// How many deals (300 by default).
    pub n_deals: usize,
    /// Who sells: reps own the deals, managers comment and adjust forecasts.
    pub org: DemoOrg,
    /// Turns the 16 random bytes drawn for each deal into its id (the document id of its
    /// Automerge document). The default, [`DemoConfig::hex_deal_id`], writes `demo-` and the
    /// bytes in hex; a relay that names documents the automerge-repo way (bs58check of the 16
    /// bytes) passes its own function.
    pub deal_id: fn(&[u8; 16]) -> String,
}

impl DemoConfig {
    /// The default number of deals.
    pub const DEFAULT_DEALS: usize = 300;

    /// A configuration of [`DemoConfig::DEFAULT_DEALS`] deals for the default organisation.
    pub fn new(seed: u64, now: Timestamp, offset: UtcOffset) -> Self {
        DemoConfig {
            seed,
            now,
            offset,
            n_deals: Self::DEFAULT_DEALS,
            org: Self::default_org(),
            deal_id: Self::hex_deal_id,
        }
    }

    /// `demo-` followed by the bytes in lowercase hex.
    pub fn hex_deal_id(bytes: &[u8; 16]) -> String {
        let mut id = String::with_capacity(5 + 32);
        id.push_str("demo-");
        for byte in bytes {
            id.push_str(&format!("{byte:02x}"));
        }
        id
    }
}

/// The generated data.
#[derive(Clone, Debug)]
pub struct DemoData {
    /// The seed it came from.
    pub seed: u64,
    /// The present it was generated for.
    pub now: Timestamp,
    /// The organisation's UTC offset.
    pub offset: UtcOffset,
    /// The organisation.
    pub org: DemoOrg,
    /// The two template pipelines, new business and solution sales.
    pub pipelines: Vec<Pipeline>,
    /// The five products deals sell, with list prices and tax rates.
    pub catalog: Catalog,
    /// Every deal as it stands at `now`, in order of creation.
    pub deals: Vec<Deal>,
    /// How each deal came to be, in the same order as `deals`: replayed by [`deal_documents`].
    pub timelines: Vec<DealTimeline>,
    /// Monthly quotas per rep, team and department, for whole quarters from a year back to the
    /// end of the next quarter.
    pub targets: Vec<DemoTarget>,
    /// Labels of the values deals store as plain strings (industries, regions, sources,
    /// campaigns), in both languages.
    pub labels: DemoLabels,
    /// Leads in the teams' pools, some claimed by reps (for the relay to replay).
    pub leads: Vec<DemoLead>,
    /// Quotes on the most advanced open deals (for the relay to replay).
    pub quotes: Vec<DemoQuote>,
}

impl DemoData {
    /// The pipeline with `id`.
    pub fn pipeline(&self, id: &PipelineId) -> Option<&Pipeline> {
        self.pipelines.iter().find(|pipeline| &pipeline.id == id)
    }
}

/// How one deal came to be: how it was opened and every edit after that, with its author and
/// time.
#[derive(Clone, PartialEq, Debug)]
pub struct DealTimeline {
    /// The deal.
    pub deal: DealId,
    /// Its pipeline.
    pub pipeline: PipelineId,
    /// What was entered when the deal was opened ([`Pipeline::open_deal`]).
    pub opening: NewDeal,
    /// When it was opened.
    pub opened_at: Timestamp,
    /// By whom.
    pub opened_by: UserId,
    /// The id of its creation history entry.
    pub open_transition: RecordId,
    /// The Automerge actor id (16 bytes) each user edits this deal's document with.
    pub actors: BTreeMap<UserId, [u8; 16]>,
    /// The edits, in time order.
    pub events: Vec<DemoEvent>,
}

/// A value stored as a plain string on deals (e.g. the source `referral`, the industry
/// `制造业`) and its label.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DemoLabel {
    /// The stored value.
    pub value: String,
    /// How to show it.
    pub label: LocalizedText,
}

/// Labels of the values demo deals use.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct DemoLabels {
    /// Industries (`account.industry`).
    pub industries: Vec<DemoLabel>,
    /// Regions (`account.region`).
    pub regions: Vec<DemoLabel>,
    /// Source channels (`source`, touchpoint `channel`).
    pub sources: Vec<DemoLabel>,
    /// Campaigns (`campaign`, touchpoint `campaign`).
    pub campaigns: Vec<DemoLabel>,
}

/// A deal to tell, drawn in index order and told in order of creation.
struct Plan {
    index: usize,
    rep: usize,
    created_at: Timestamp,
    pipeline: usize,
    document: [u8; 16],
    seed: u64,
}

/// A customer met so far, for returning customers.
struct Met {
    team: TeamId,
    customer: Customer,
    won_at: Option<Timestamp>,
}

/// Generates the demo data of `config`.
///
/// Deals are created over the year before `config.now` (more of them in recent months, as a
/// growing team's are), owned by the organisation's reps, and each tells its own story; about
/// one in eight is an expansion deal with a customer its team has already won. Errors when the
/// organisation has no reps or the deal-id function repeats itself; a stage move the pipeline
/// rejects would be a bug and is returned as that error.
pub fn generate(config: &DemoConfig) -> Result<DemoData, Error> {
    let reps: Vec<(&DemoTeam, &DemoUser)> = config.org.reps().collect();
    if reps.is_empty() {
        return Err(DemoError::NoReps.into());
    }
    let pipelines = vec![
        Pipeline::template_new_business(),
        Pipeline::template_solution_sales(),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(DEAL_STREAM);
    let skills: Vec<i64> = reps.iter().map(|_| between(&mut rng, -6, 8)).collect();
    let mut plans: Vec<Plan> = (0..config.n_deals)
        .map(|index| plan(&mut rng, config, index, reps.len()))
        .collect();
    plans.sort_by_key(|plan| (plan.created_at, plan.index));

    let mut ids = BTreeSet::new();
    let mut met: Vec<Met> = Vec::new();
    let mut deals = Vec::with_capacity(plans.len());
    let mut timelines = Vec::with_capacity(plans.len());
    for plan in plans {
        let (Some(&(team, owner)), Some(&rep_skill), Some(pipeline)) = (
            reps.get(plan.rep),
            skills.get(plan.rep),
            pipelines.get(plan.pipeline),
        ) else {
            continue;
        };
        let deal_id = DealId::new((config.deal_id)(&plan.document))?;
        if !ids.insert(deal_id.clone()) {
            return Err(DemoError::DuplicateDealId {
                id: deal_id.to_string(),
            }
            .into());
        }
        let mut customer_rng = ChaCha8Rng::seed_from_u64(plan.seed);
        customer_rng.set_stream(CUSTOMER_STREAM);
        let returning: Vec<&Met> = met
            .iter()
            .filter(|met| {
                met.team == team.id && met.won_at.is_some_and(|won| won < plan.created_at)
            })
            .collect();
        let (customer, repeat) = match random::pick_from(&mut customer_rng, &returning) {
            Some(met) if chance(&mut customer_rng, 12) => (met.customer.clone(), true),
            _ => (Customer::draw(&mut customer_rng, team.region), false),
        };
        let told = story::tell(story::Setup {
            config,
            pipeline,
            team,
            owner,
            rep_skill,
            deal_id,
            created_at: plan.created_at,
            customer: customer.clone(),
            repeat,
            seed: plan.seed,
        })?;
        let won_at = told
            .deal
            .current()
            .filter(|entry| entry.status == DealStatus::Won)
            .map(|entry| entry.at);
        met.push(Met {
            team: team.id.clone(),
            customer,
            won_at,
        });
        deals.push(told.deal);
        timelines.push(told.timeline);
    }
    let targets = target::monthly_targets(config, &deals)?;
    let catalog = catalog()?;
    let stage_rank = |deal: &Deal| {
        pipelines
            .iter()
            .find(|pipeline| pipeline.id == deal.pipeline)
            .zip(deal.stage())
            .and_then(|(pipeline, stage)| pipeline.stage_index(stage).ok())
            .unwrap_or(0)
    };
    let quotes = lead::quotes(config, &deals, stage_rank, &catalog)?;
    Ok(DemoData {
        seed: config.seed,
        now: config.now,
        offset: config.offset,
        org: config.org.clone(),
        pipelines,
        catalog,
        deals,
        timelines,
        targets,
        labels: labels(),
        leads: lead::leads(config)?,
        quotes,
    })
}

/// Draws who owns a deal, when it was created, its pipeline, document bytes and seed.
fn plan(rng: &mut ChaCha8Rng, config: &DemoConfig, index: usize, rep_count: usize) -> Plan {
    let rep = rng.random_range(0..rep_count);
    // Half uniform over the year, half the earlier of two draws: recent months have more.
    let days_back = if chance(rng, 50) {
        between(rng, 1, 365)
    } else {
        between(rng, 1, 365).min(between(rng, 1, 365))
    };
    let today = config.now.date_at(config.offset);
    let mut day = today
        .checked_sub(time::Duration::days(days_back))
        .unwrap_or(today);
    // Deals are opened on working days: weekend days move back to Friday.
    day = match day.weekday() {
        Weekday::Saturday => day.previous_day().unwrap_or(day),
        Weekday::Sunday => day
            .previous_day()
            .and_then(|day| day.previous_day())
            .unwrap_or(day),
        _ => day,
    };
    let minute = between(rng, 9 * 60, 18 * 60);
    let created_at = Timestamp::from_millis(
        Timestamp::start_of_day(day, config.offset)
            .millis()
            .saturating_add(minute.saturating_mul(60_000)),
    )
    .min(config.now);
    let pipeline = if chance(rng, 60) { 0 } else { 1 };
    let mut document = [0_u8; 16];
    rng.fill_bytes(&mut document);
    Plan {
        index,
        rep,
        created_at,
        pipeline,
        document,
        seed: rng.next_u64(),
    }
}

/// The demo catalogue: two CRM editions, the analytics module, implementation and training.
fn catalog() -> Result<Catalog, Error> {
    let mut catalog = Catalog::new(Currency::CNY);
    for spec in &vocabulary::PRODUCTS {
        catalog.insert_product(Product {
            tax_rate: TaxRate::from_basis_points(spec.tax_basis_points)?,
            ..Product::new(
                ProductId::new(spec.id)?,
                spec.sku,
                LocalizedText::new(spec.zh_cn, spec.en),
                LocalizedText::new(spec.unit_zh, spec.unit_en),
                Money::from_major(spec.list_price_yuan, Currency::CNY)?,
            )
        });
    }
    Ok(catalog)
}

fn labels() -> DemoLabels {
    let label = |value: &str, zh_cn: &str, en: &str| DemoLabel {
        value: value.to_owned(),
        label: LocalizedText::new(zh_cn, en),
    };
    DemoLabels {
        industries: vocabulary::INDUSTRIES
            .iter()
            .map(|(_, industry)| label(industry.zh_cn, industry.zh_cn, industry.en))
            .collect(),
        regions: [
            DemoRegion::EastChina,
            DemoRegion::SouthChina,
            DemoRegion::NorthChina,
            DemoRegion::SouthwestChina,
        ]
        .iter()
        .map(|region| {
            let text = region.label();
            label(&text.zh_cn, &text.zh_cn, &text.en)
        })
        .collect(),
        sources: vocabulary::SOURCES
            .iter()
            .map(|(_, id, zh_cn, en, _)| label(id, zh_cn, en))
            .collect(),
        campaigns: vocabulary::CAMPAIGNS
            .iter()
            .map(|(id, zh_cn, en)| label(id, zh_cn, en))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_are_valid_and_distinct() {
        let first = DemoConfig::hex_deal_id(&[0; 16]);
        let second = DemoConfig::hex_deal_id(&[0xab; 16]);
        assert_eq!(first, format!("demo-{}", "0".repeat(32)));
        assert_eq!(second, format!("demo-{}", "ab".repeat(16)));
        assert!(DealId::new(first).is_ok());
    }

    #[test]
    fn catalog_and_labels_are_complete() {
        catalog().unwrap().validate().unwrap();
        let labels = labels();
        for list in [
            &labels.industries,
            &labels.regions,
            &labels.sources,
            &labels.campaigns,
        ] {
            assert!(!list.is_empty());
            assert!(list.iter().all(|label| !label.label.is_incomplete()));
        }
    }

    #[test]
    fn an_org_without_reps_is_refused() {
        let mut config =
            DemoConfig::new(1, Timestamp::from_millis(1_773_540_000_000), UtcOffset::UTC);
        for team in &mut config.org.teams {
            team.reps.clear();
        }
        assert_eq!(
            generate(&config).unwrap_err(),
            Error::Demo(DemoError::NoReps)
        );
        config.org = DemoConfig::default_org();
        config.n_deals = 3;
        config.deal_id = |_| "same".to_owned();
        assert!(matches!(
            generate(&config),
            Err(Error::Demo(DemoError::DuplicateDealId { .. }))
        ));
    }
}
