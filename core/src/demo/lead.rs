//! Leads waiting in the teams' pools (公海), and quotes on deals in their late stages: what the
//! relay's arbitration holds, drawn from their own generator stream so the deals of a seed stay
//! the same.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use time::Date;

use super::customer::Customer;
use super::random::{between, chance, pick, pick_from};
use super::vocabulary::{CAMPAIGNS, GIVEN_NAMES, INDUSTRIES, PRODUCTS, SOURCES, SURNAMES};
use super::{DemoConfig, LEAD_STREAM, QUOTE_STREAM};
use crate::catalog::Catalog;
use crate::deal::Deal;
use crate::error::Error;
use crate::id::{ChannelId, DealId, LeadId, RecordId, TeamId, UserId};
use crate::lead::record::LeadDraft;
use crate::money::Discount;
use crate::quote::QuoteLine;

/// Leads per team pool.
const LEADS_PER_TEAM: usize = 18;
/// How many quotes, at most: one on each of the most advanced open deals.
const MAX_QUOTES: usize = 12;

/// A lead the demo puts into its team's pool (`pool-<team>`), perhaps then claimed by a rep.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoLead {
    /// Its id: `demo-lead-<team>-<n>`, the same for the same seed.
    pub id: LeadId,
    /// The team whose pool it goes into.
    pub team: TeamId,
    /// What the form or the import said.
    pub draft: LeadDraft,
    /// The source channel.
    pub source: ChannelId,
    /// The rep of the team who claims it, if one does.
    pub claimed_by: Option<UserId>,
}

/// A quote the demo starts on a deal as its owner: lines at catalogue prices, a whole-quote
/// discount, submitted for approval and perhaps approved.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DemoQuote {
    /// The deal.
    pub deal: DealId,
    /// The deal's owner, who starts and submits it.
    pub owner: UserId,
    /// The last day the offer holds.
    pub valid_until: Date,
    /// Its lines, from the deal's catalogue products.
    pub lines: Vec<QuoteLine>,
    /// The whole-quote discount: from none to 25 %, so that some need a manager's or an
    /// admin's approval.
    pub discount: Discount,
    /// Whether the approver approves it (when it needs approval); otherwise it stays pending.
    pub approve: bool,
}

/// The leads of every team's pool: [`LEADS_PER_TEAM`] each, a third of them claimed.
pub(super) fn leads(config: &DemoConfig) -> Result<Vec<DemoLead>, Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(LEAD_STREAM);
    let mut leads = Vec::new();
    for team in &config.org.teams {
        for index in 0..LEADS_PER_TEAM {
            let customer = Customer::draw(&mut rng, team.region);
            let (surname, surname_pinyin) = *pick(&mut rng, &SURNAMES);
            let (given, given_pinyin) = *pick(&mut rng, &GIVEN_NAMES);
            let (_, source, ..) = *pick(&mut rng, &SOURCES);
            let campaign = (source == "marketing_campaign" || chance(&mut rng, 20))
                .then(|| pick(&mut rng, &CAMPAIGNS).0.to_owned());
            let product = pick(&mut rng, &PRODUCTS);
            let industry = INDUSTRIES
                .get(customer.industry)
                .map(|(_, industry)| industry.zh_cn.to_owned());
            let phone = format!(
                "1{}{:08}",
                between(&mut rng, 30, 89),
                between(&mut rng, 0, 99_999_999)
            );
            let claimed_by = if chance(&mut rng, 33) {
                pick_from(&mut rng, &team.reps).map(|rep| rep.id.clone())
            } else {
                None
            };
            leads.push(DemoLead {
                id: LeadId::new(format!("demo-lead-{}-{:02}", team.id, index + 1))?,
                team: team.id.clone(),
                draft: LeadDraft {
                    contact_name: format!("{surname}{given}"),
                    company: customer.name.clone(),
                    phone: Some(phone),
                    email: Some(format!(
                        "{given_pinyin}.{surname_pinyin}@{}.com.cn",
                        customer.domain
                    )),
                    region: Some(customer.region.label().zh_cn),
                    industry,
                    product_interest: Some(product.zh_cn.to_owned()),
                    campaign,
                    notes: format!(
                        "{}，{}人规模，对{}感兴趣",
                        customer.city, customer.people, product.zh_cn
                    ),
                },
                source: ChannelId::new(source)?,
                claimed_by,
            });
        }
    }
    Ok(leads)
}

/// Quotes on the open deals whose stage is furthest along (ties: the larger amount), one each,
/// up to [`MAX_QUOTES`]: lines from the deal's catalogue products, valid for a month.
pub(super) fn quotes(
    config: &DemoConfig,
    deals: &[Deal],
    stage_rank: impl Fn(&Deal) -> usize,
    catalog: &Catalog,
) -> Result<Vec<DemoQuote>, Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(QUOTE_STREAM);
    let today = config.now.date_at(config.offset);
    let mut candidates: Vec<&Deal> = deals
        .iter()
        .filter(|deal| deal.is_open())
        .filter(|deal| {
            deal.product_lines
                .values()
                .any(|line| line.product_id.is_some())
        })
        .collect();
    candidates.sort_by_key(|deal| {
        (
            std::cmp::Reverse(stage_rank(deal)),
            std::cmp::Reverse(deal.amount.minor()),
            deal.id.clone(),
        )
    });
    let mut quotes = Vec::new();
    for deal in candidates.into_iter().take(MAX_QUOTES) {
        let mut lines = Vec::new();
        for (index, line) in deal.product_lines.values().enumerate() {
            let Some(product) = &line.product_id else {
                continue;
            };
            lines.push(QuoteLine::from_catalog(
                RecordId::new(format!("ql{}", index + 1))?,
                catalog,
                product,
                line.quantity.max(1),
                today,
            )?);
        }
        // A third need no approval (≤ 10 %), a third a manager's, a third an admin's.
        let basis_points = match between(&mut rng, 0, 2) {
            0 => between(&mut rng, 0, 10) * 100,
            1 => between(&mut rng, 12, 20) * 100,
            _ => between(&mut rng, 21, 25) * 100,
        };
        quotes.push(DemoQuote {
            deal: deal.id.clone(),
            owner: deal.owner.clone(),
            valid_until: today
                .checked_add(time::Duration::days(between(&mut rng, 21, 45)))
                .unwrap_or(today),
            lines,
            discount: Discount::from_basis_points(u16::try_from(basis_points).unwrap_or(0))?,
            approve: chance(&mut rng, 50),
        });
    }
    Ok(quotes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    #[test]
    fn leads_are_deterministic_and_fill_every_pool() {
        let config = DemoConfig::new(
            42,
            Timestamp::from_millis(1_773_540_000_000),
            time::UtcOffset::UTC,
        );
        let first = leads(&config).unwrap();
        assert_eq!(first, leads(&config).unwrap());
        assert_eq!(first.len(), config.org.teams.len() * LEADS_PER_TEAM);
        for team in &config.org.teams {
            let pool: Vec<&DemoLead> = first.iter().filter(|lead| lead.team == team.id).collect();
            assert_eq!(pool.len(), LEADS_PER_TEAM);
            assert!(pool.iter().any(|lead| lead.claimed_by.is_some()));
            assert!(pool.iter().any(|lead| lead.claimed_by.is_none()));
            for lead in pool {
                assert!(
                    lead.claimed_by
                        .as_ref()
                        .is_none_or(|rep| team.reps.iter().any(|member| &member.id == rep))
                );
                assert!(!lead.draft.company.is_empty() && !lead.draft.contact_name.is_empty());
            }
        }
    }
}
