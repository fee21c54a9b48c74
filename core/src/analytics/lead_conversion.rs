//! Lead conversion by source channel, campaign and product: leads → deals → won.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::deal_set::DealSet;
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection};
use super::label;
use super::period::DateRange;
use super::rate::Rate;
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::add_to;
use crate::deal::DealStatus;
use crate::i18n::LocalizedText;
use crate::id::{DealId, LeadId, TeamId, UserId};
use crate::money::{Currency, Money};
use crate::timestamp::Timestamp;

/// What analytics needs to know about a lead: a view the caller builds from the lead records
/// (the lead module lives elsewhere; this keeps analytics independent of its full shape).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadFact {
    /// The lead.
    pub lead: LeadId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Source channel (web form, trade show, …), from the same list as deal sources.
    pub source: Option<String>,
    /// Marketing campaign.
    pub campaign: Option<String>,
    /// Product of interest (catalogue id or name, as deals' product keys).
    pub product: Option<String>,
    /// Owner, once assigned.
    pub owner: Option<UserId>,
    /// Owner's team.
    pub team: Option<TeamId>,
    /// Open, converted or disqualified.
    pub status: LeadStatus,
    /// The deal it was converted into.
    pub converted_deal: Option<DealId>,
}

/// Where a lead stands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Being worked.
    Open,
    /// Converted into a deal.
    Converted,
    /// Disqualified (invalid, no need, duplicate, …).
    Disqualified,
}

/// Lead conversion overall and by source, campaign and product.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadConversionReport {
    /// "线索转化" / "Lead conversion".
    pub title: LocalizedText,
    /// Columns of each [`LeadConversionRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// Leads created in this period count (all without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// All selected leads.
    pub total: LeadConversionRow,
    /// By source channel.
    pub by_source: Vec<LeadConversionRow>,
    /// By campaign.
    pub by_campaign: Vec<LeadConversionRow>,
    /// By product of interest.
    pub by_product: Vec<LeadConversionRow>,
}

/// Leads, the deals they became and the deals won, with the rates between.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadConversionRow {
    /// The source, campaign or product; `None` for "not set" (and for the total row).
    pub key: Option<String>,
    /// Display label.
    pub label: LocalizedText,
    /// Leads.
    pub leads: u64,
    /// Disqualified leads.
    pub disqualified: u64,
    /// Leads converted into deals.
    pub deals: u64,
    /// Converted deals now won.
    pub won: u64,
    /// Their amount.
    pub won_amount: Money,
    /// `deals / leads`.
    pub lead_to_deal: Option<Rate>,
    /// `won / deals`.
    pub deal_to_won: Option<Rate>,
    /// `won / leads`.
    pub lead_to_won: Option<Rate>,
}

/// Lead conversion over the leads created in the filter's period.
///
/// A lead counts as a deal when it names its `converted_deal` (or is marked converted); the deal
/// counts as won when it is among `deals` and won now. The filter's team, rep, source and product
/// apply to the leads' own fields; its pipeline applies to the converted deals (a lead converted
/// into another pipeline counts as a lead only).
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{lead_conversion, DealSet, Filter, LeadFact, LeadStatus, ReportContext};
/// use dealflow_core::DealStatus::Won;
#[doc = include_str!("doc_example.txt")]
/// let lead = |id: &str, source: &str, deal: Option<&str>| LeadFact {
///     lead: LeadId::new(id).unwrap(), created_at: Timestamp::from_millis(1_767_196_800_000),
///     source: Some(source.into()), campaign: None, product: None, owner: None, team: None,
///     status: if deal.is_some() { LeadStatus::Converted } else { LeadStatus::Open },
///     converted_deal: deal.map(|id| DealId::new(id).unwrap()),
/// };
/// let leads = [lead("l1", "web", Some("d1")), lead("l2", "web", Some("d2")), lead("l3", "web", None), lead("l4", "expo", None)];
/// let deals = vec![deal("d1", 100_000, &[(20, "qualify", Won, "")]), deal("d2", 100_000, &[])];
/// let set = DealSet::new(deals, ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = lead_conversion(&leads, &set, &Filter::all(), &ctx)?;
/// let web = report.by_source.iter().find(|row| row.key.as_deref() == Some("web")).unwrap();
/// assert_eq!((web.leads, web.deals, web.won), (3, 2, 1));
/// assert_eq!(web.lead_to_deal.map(|rate| rate.to_string()), Some("66.67%".into()));
/// assert_eq!(report.total.lead_to_won.map(|rate| rate.to_string()), Some("25%".into()));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn lead_conversion(
    leads: &[LeadFact],
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<LeadConversionReport, AnalyticsError> {
    let currency = set.currency();
    let mut selection = Selection::new(filter, set, ctx);
    let mut total = Counts::new(currency);
    let mut by_source: HashMap<Option<&str>, Counts> = HashMap::new();
    let mut by_campaign: HashMap<Option<&str>, Counts> = HashMap::new();
    let mut by_product: HashMap<Option<&str>, Counts> = HashMap::new();
    for lead in leads {
        if !selection.in_period(lead.created_at.millis())
            || !selection.team(lead.team.as_ref())
            || !selection.rep(lead.owner.as_ref())
            || !selection.source(lead.source.as_deref())
            || !selection.product(lead.product.as_deref())
        {
            continue;
        }
        let deal = lead.converted_deal.as_ref().and_then(|id| set.row(id));
        let converted = match deal {
            Some((deal, _)) => selection.pipeline(&deal.pipeline),
            None => {
                filter.pipeline.is_none()
                    && (lead.converted_deal.is_some() || lead.status == LeadStatus::Converted)
            }
        };
        let won_amount = match deal {
            Some((deal, facts)) if converted && deal.status() == DealStatus::Won => {
                Some(set.amount(facts))
            }
            _ => None,
        };
        let outcome = Outcome {
            disqualified: lead.status == LeadStatus::Disqualified,
            converted,
            won_amount,
        };
        total.add(&outcome)?;
        for (rows, key) in [
            (&mut by_source, lead.source.as_deref()),
            (&mut by_campaign, lead.campaign.as_deref()),
            (&mut by_product, lead.product.as_deref()),
        ] {
            rows.entry(key)
                .or_insert_with(|| Counts::new(currency))
                .add(&outcome)?;
        }
    }
    Ok(LeadConversionReport {
        title: LocalizedText::new("线索转化", "Lead conversion"),
        columns: columns(),
        chart: ChartKind::Funnel,
        period: filter.period,
        currency,
        total: total.into_row(None, LocalizedText::new("全部线索", "All leads")),
        by_source: into_rows(by_source),
        by_campaign: into_rows(by_campaign),
        by_product: into_rows(by_product),
    })
}

struct Outcome {
    disqualified: bool,
    converted: bool,
    won_amount: Option<Money>,
}

struct Counts {
    leads: u64,
    disqualified: u64,
    deals: u64,
    won: u64,
    won_amount: Money,
}

impl Counts {
    fn new(currency: Currency) -> Self {
        Counts {
            leads: 0,
            disqualified: 0,
            deals: 0,
            won: 0,
            won_amount: Money::zero(currency),
        }
    }

    fn add(&mut self, outcome: &Outcome) -> Result<(), AnalyticsError> {
        self.leads += 1;
        self.disqualified += u64::from(outcome.disqualified);
        self.deals += u64::from(outcome.converted);
        if let Some(amount) = outcome.won_amount {
            self.won += 1;
            add_to(&mut self.won_amount, amount)?;
        }
        Ok(())
    }

    fn into_row(self, key: Option<&str>, label: LocalizedText) -> LeadConversionRow {
        LeadConversionRow {
            key: key.map(str::to_owned),
            label,
            leads: self.leads,
            disqualified: self.disqualified,
            deals: self.deals,
            won: self.won,
            won_amount: self.won_amount,
            lead_to_deal: Rate::of_counts(self.deals, self.leads),
            deal_to_won: Rate::of_counts(self.won, self.deals),
            lead_to_won: Rate::of_counts(self.won, self.leads),
        }
    }
}

/// Rows with the most leads first (then by key, "not set" last).
fn into_rows(counts: HashMap<Option<&str>, Counts>) -> Vec<LeadConversionRow> {
    let mut rows: Vec<LeadConversionRow> = counts
        .into_iter()
        .map(|(key, counts)| {
            let label = key.map_or_else(label::not_set, label::verbatim);
            counts.into_row(key, label)
        })
        .collect();
    rows.sort_by(|left, right| {
        right
            .leads
            .cmp(&left.leads)
            .then_with(|| (left.key.is_none(), &left.key).cmp(&(right.key.is_none(), &right.key)))
    });
    rows
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("label", "来源", "Source", ColumnKind::Text),
        Column::new("leads", "线索数", "Leads", ColumnKind::Count),
        Column::new(
            "disqualified",
            "无效线索",
            "Disqualified",
            ColumnKind::Count,
        ),
        Column::new("deals", "转商机", "Deals", ColumnKind::Count),
        Column::new("won", "赢单", "Won", ColumnKind::Count),
        Column::new("won_amount", "赢单金额", "Won amount", ColumnKind::Money),
        Column::new(
            "lead_to_deal",
            "线索转商机率",
            "Lead → deal",
            ColumnKind::Rate,
        ),
        Column::new("deal_to_won", "商机赢单率", "Deal → won", ColumnKind::Rate),
        Column::new("lead_to_won", "线索赢单率", "Lead → won", ColumnKind::Rate),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, day, yuan};
    use crate::id::PipelineId;

    fn lead(id: &str, on: i64, source: Option<&str>, product: Option<&str>) -> LeadFact {
        LeadFact {
            lead: LeadId::new(id).unwrap(),
            created_at: day(on),
            source: source.map(str::to_owned),
            campaign: None,
            product: product.map(str::to_owned),
            owner: None,
            team: None,
            status: LeadStatus::Open,
            converted_deal: None,
        }
    }

    fn converted(mut lead: LeadFact, deal: &str) -> LeadFact {
        lead.status = LeadStatus::Converted;
        lead.converted_deal = Some(DealId::new(deal).unwrap());
        lead
    }

    #[test]
    fn rates_by_source_and_product() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let mut junk = lead("l5", 3, Some("expo"), None);
        junk.status = LeadStatus::Disqualified;
        let leads = [
            converted(lead("l1", 1, Some("web"), Some("crm")), "d1"),
            converted(lead("l2", 2, Some("web"), Some("crm")), "d2"),
            converted(lead("l3", 2, Some("web"), Some("erp")), "d3"),
            lead("l4", 3, Some("web"), Some("crm")),
            junk,
            converted(lead("l6", 4, None, Some("crm")), "missing"),
            lead("l7", 45, Some("web"), None),
        ];
        let deals = fixture::set(vec![
            DealBuilder::new("d1").won(20).amount(70_000).build(),
            DealBuilder::new("d2").lost(20, "price").build(),
            DealBuilder::new("d3")
                .won(25)
                .amount(30_000)
                .pipeline("renewals")
                .build(),
        ]);
        let january = Filter::all()
            .in_period(DateRange::new(fixture::date_of(0), fixture::date_of(30)).unwrap());
        let report = lead_conversion(&leads, &deals, &january, &ctx).unwrap();
        let total = &report.total;
        assert_eq!(
            (total.leads, total.disqualified, total.deals, total.won),
            (6, 1, 4, 2)
        );
        assert_eq!(total.won_amount, yuan(100_000));
        assert_eq!(total.lead_to_deal, Some(Rate::from_basis_points(6_667)));
        assert_eq!(total.deal_to_won, Some(Rate::from_basis_points(5_000)));
        let sources: Vec<(Option<&str>, u64, u64, u64)> = report
            .by_source
            .iter()
            .map(|row| (row.key.as_deref(), row.leads, row.deals, row.won))
            .collect();
        assert_eq!(
            sources,
            [
                (Some("web"), 4, 3, 2),
                (Some("expo"), 1, 0, 0),
                (None, 1, 1, 0)
            ]
        );
        let crm = report
            .by_product
            .iter()
            .find(|row| row.key.as_deref() == Some("crm"))
            .unwrap();
        assert_eq!((crm.leads, crm.deals, crm.won), (4, 3, 1));
        assert_eq!(crm.lead_to_won, Some(Rate::from_basis_points(2_500)));

        // Only new-business deals count as converted under a pipeline filter.
        let new_business = january.in_pipeline(PipelineId::new("new_business").unwrap());
        let report = lead_conversion(&leads, &deals, &new_business, &ctx).unwrap();
        assert_eq!(
            (report.total.leads, report.total.deals, report.total.won),
            (6, 2, 1)
        );
    }
}
