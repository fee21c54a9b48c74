//! Competitor analysis: how often we meet each competitor, how we fare against them, what is at
//! stake, and what people record about them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::deal_set::DealSet;
use super::error::AnalyticsError;
use super::filter::{Filter, ReportContext, Selection};
use super::period::DateRange;
use super::rate::Rate;
use super::table::{ChartKind, Column, ColumnKind};
use super::tally::add_to;
use super::timeline::{amount_at, entry_before};
use crate::deal::{CompetitorStatus, DealStatus};
use crate::i18n::LocalizedText;
use crate::money::{Currency, Money};

/// Every competitor met on the selected deals.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CompetitorReport {
    /// "竞争对手分析" / "Competitor analysis".
    pub title: LocalizedText,
    /// Columns of each [`CompetitorRow`].
    pub columns: Vec<Column>,
    /// Suggested chart.
    pub chart: ChartKind,
    /// Deals active in this period count (all without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// One row per competitor, the most frequently met first.
    pub competitors: Vec<CompetitorRow>,
}

/// One competitor.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CompetitorRow {
    /// The competitor's name as first recorded (names are grouped ignoring case and surrounding
    /// spaces).
    pub name: String,
    /// Deals on which we met them.
    pub deals: u64,
    /// Of those, won by us.
    pub won: u64,
    /// Lost (to anyone).
    pub lost: u64,
    /// Lost with this competitor marked as the winner.
    pub lost_to_them: u64,
    /// Stopped.
    pub stopped: u64,
    /// Still open.
    pub open: u64,
    /// Our win rate against them: `won / (won + lost)`.
    pub win_rate: Option<Rate>,
    /// Amount of the open deals where they compete: what they could still take.
    pub value_at_stake: Money,
    /// Amount we won against them.
    pub won_amount: Money,
    /// Amount we lost where they competed.
    pub lost_amount: Money,
    /// Their strengths as recorded, most often recorded first.
    pub strengths: Vec<Mention>,
    /// Their weaknesses as recorded, most often recorded first.
    pub weaknesses: Vec<Mention>,
}

/// A strength or weakness and how many times it was recorded.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Mention {
    /// The text (trimmed).
    pub text: String,
    /// How many competitor records list it.
    pub count: u64,
}

/// Competitor analysis over the deals active in the filter's period: created before its end and
/// not closed before its start. Each deal counts with its status and amount at the end of the
/// period (now, without a period), once per competitor however many times it is listed.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{competitors, DealSet, Filter, ReportContext};
/// use dealflow_core::DealStatus::{Lost, Won};
#[doc = include_str!("doc_example.txt")]
/// let rival = |status| Competitor {
///     id: RecordId::new("c1").unwrap(), name: "竞品甲".into(), product: String::new(), price: None,
///     strengths: vec!["价格低".into()], weaknesses: vec![], status,
/// };
/// let mut won = deal("won", 100_000, &[(9, "qualify", Won, "")]);
/// won.competitors.insert(RecordId::new("c1")?, rival(CompetitorStatus::Eliminated));
/// let mut lost = deal("lost", 200_000, &[(9, "qualify", Lost, "competitor")]);
/// lost.competitors.insert(RecordId::new("c1")?, rival(CompetitorStatus::WonAgainstUs));
/// let mut open = deal("open", 300_000, &[]);
/// open.competitors.insert(RecordId::new("c1")?, rival(CompetitorStatus::Active));
///
/// let set = DealSet::new(vec![won, lost, open], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let report = competitors(&set, &Filter::all(), &ctx)?;
/// let rival = &report.competitors[0];
/// assert_eq!((rival.deals, rival.won, rival.lost_to_them), (3, 1, 1));
/// assert_eq!(rival.win_rate.map(|rate| rate.to_string()), Some("50%".into()));
/// assert_eq!(rival.value_at_stake, Money::from_major(300_000, Currency::CNY)?);
/// assert_eq!((rival.strengths[0].text.as_str(), rival.strengths[0].count), ("价格低", 3));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn competitors(
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<CompetitorReport, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let window = selection.window;
    let mut rows: Vec<Accumulator> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut met: Vec<usize> = Vec::new();
    for (deal, facts) in set.rows() {
        if deal.competitors.is_empty() || !selection.deal(set, facts) {
            continue;
        }
        let Some(state) = entry_before(set.entries(facts), window.end) else {
            continue;
        };
        if state.status != DealStatus::Open && state.at < window.start {
            continue;
        }
        let amount = amount_at(set, deal, facts, window.end)?;
        met.clear();
        for competitor in deal.competitors.values() {
            let name = competitor.name.trim();
            if name.is_empty() {
                continue;
            }
            let key = name.to_lowercase();
            let index = match by_key.get(&key) {
                Some(index) => *index,
                None => {
                    by_key.insert(key, rows.len());
                    rows.push(Accumulator::new(name, currency));
                    rows.len() - 1
                }
            };
            let Some(row) = rows.get_mut(index) else {
                continue;
            };
            for strength in &competitor.strengths {
                row.mention(true, strength);
            }
            for weakness in &competitor.weaknesses {
                row.mention(false, weakness);
            }
            if state.status == DealStatus::Lost
                && competitor.status == CompetitorStatus::WonAgainstUs
                && !row.lost_to_them_on_current
            {
                row.lost_to_them_on_current = true;
                row.row.lost_to_them += 1;
            }
            if met.contains(&index) {
                continue;
            }
            met.push(index);
            row.count_deal(state.status, amount)?;
        }
        for &index in &met {
            if let Some(row) = rows.get_mut(index) {
                row.lost_to_them_on_current = false;
            }
        }
    }
    let mut competitors: Vec<CompetitorRow> = rows.into_iter().map(Accumulator::finish).collect();
    competitors.sort_by(|left, right| {
        right
            .deals
            .cmp(&left.deals)
            .then_with(|| {
                right
                    .value_at_stake
                    .minor()
                    .cmp(&left.value_at_stake.minor())
            })
            .then_with(|| left.name.cmp(&right.name))
    });
    Ok(CompetitorReport {
        title: LocalizedText::new("竞争对手分析", "Competitor analysis"),
        columns: columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        competitors,
    })
}

struct Accumulator {
    row: CompetitorRow,
    strengths: HashMap<String, u64>,
    weaknesses: HashMap<String, u64>,
    /// Whether the deal being read already counted a loss to this competitor.
    lost_to_them_on_current: bool,
}

impl Accumulator {
    fn new(name: &str, currency: Currency) -> Self {
        Accumulator {
            row: CompetitorRow {
                name: name.to_owned(),
                deals: 0,
                won: 0,
                lost: 0,
                lost_to_them: 0,
                stopped: 0,
                open: 0,
                win_rate: None,
                value_at_stake: Money::zero(currency),
                won_amount: Money::zero(currency),
                lost_amount: Money::zero(currency),
                strengths: Vec::new(),
                weaknesses: Vec::new(),
            },
            strengths: HashMap::new(),
            weaknesses: HashMap::new(),
            lost_to_them_on_current: false,
        }
    }

    fn mention(&mut self, strength: bool, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let counts = if strength {
            &mut self.strengths
        } else {
            &mut self.weaknesses
        };
        *counts.entry(text.to_owned()).or_insert(0) += 1;
    }

    fn count_deal(&mut self, status: DealStatus, amount: Money) -> Result<(), AnalyticsError> {
        let row = &mut self.row;
        row.deals += 1;
        match status {
            DealStatus::Open => {
                row.open += 1;
                add_to(&mut row.value_at_stake, amount)?;
            }
            DealStatus::Won => {
                row.won += 1;
                add_to(&mut row.won_amount, amount)?;
            }
            DealStatus::Lost => {
                row.lost += 1;
                add_to(&mut row.lost_amount, amount)?;
            }
            DealStatus::Stopped => row.stopped += 1,
        }
        Ok(())
    }

    fn finish(mut self) -> CompetitorRow {
        self.row.win_rate = Rate::of_counts(self.row.won, self.row.won + self.row.lost);
        self.row.strengths = ranked_mentions(self.strengths);
        self.row.weaknesses = ranked_mentions(self.weaknesses);
        self.row
    }
}

fn ranked_mentions(counts: HashMap<String, u64>) -> Vec<Mention> {
    let mut mentions: Vec<Mention> = counts
        .into_iter()
        .map(|(text, count)| Mention { text, count })
        .collect();
    mentions.sort_by(|left, right| {
        right
            .count
            .cmp(&left.count)
            .then_with(|| left.text.cmp(&right.text))
    });
    mentions
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("name", "竞争对手", "Competitor", ColumnKind::Text),
        Column::new("deals", "遭遇商机", "Deals", ColumnKind::Count),
        Column::new("won", "赢单", "Won", ColumnKind::Count),
        Column::new("lost", "输单", "Lost", ColumnKind::Count),
        Column::new(
            "lost_to_them",
            "输给对手",
            "Lost to them",
            ColumnKind::Count,
        ),
        Column::new("open", "进行中", "Open", ColumnKind::Count),
        Column::new("win_rate", "对战赢率", "Win rate", ColumnKind::Rate),
        Column::new(
            "value_at_stake",
            "在争金额",
            "Value at stake",
            ColumnKind::Money,
        ),
        Column::new("won_amount", "赢单金额", "Won amount", ColumnKind::Money),
        Column::new("lost_amount", "输单金额", "Lost amount", ColumnKind::Money),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, yuan};

    #[test]
    fn counts_each_competitor_once_per_deal() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        use CompetitorStatus::{Active, Eliminated, WonAgainstUs};
        let deals = fixture::set(vec![
            // Listed twice under two spellings: one deal, both records' mentions counted.
            DealBuilder::new("a")
                .competitor("Acme", Active, &["价格低", " 渠道广 "], &["实施慢"])
                .competitor(" acme", Active, &["价格低"], &[])
                .competitor("Beta", Active, &[], &[])
                .amount(80_000)
                .build(),
            DealBuilder::new("b")
                .competitor("Acme", WonAgainstUs, &["关系好"], &["实施慢"])
                .lost(10, "competitor")
                .amount(120_000)
                .build(),
            DealBuilder::new("c")
                .competitor("Acme", Eliminated, &[], &[])
                .won(11)
                .build(),
            DealBuilder::new("d")
                .competitor("Beta", Active, &[], &[])
                .stopped(12, "budget_frozen")
                .build(),
            // Closed before the period: not active in it.
            DealBuilder::new("e")
                .competitor("Beta", Active, &[], &[])
                .lost(1, "price")
                .build(),
            // Won after the period ends: open at its end.
            DealBuilder::new("f")
                .competitor("Beta", Active, &[], &[])
                .won(40)
                .build(),
            DealBuilder::new("g")
                .competitor("  ", Active, &["?"], &[])
                .build(),
        ]);
        let period = DateRange::new(fixture::date_of(5), fixture::date_of(30)).unwrap();
        let report = competitors(&deals, &Filter::all().in_period(period), &ctx).unwrap();
        // Both met on three deals; Beta has more at stake, so it comes first.
        let names: Vec<&str> = report
            .competitors
            .iter()
            .map(|row| row.name.as_str())
            .collect();
        assert_eq!(names, ["Beta", "Acme"]);
        let acme = &report.competitors[1];
        assert_eq!(
            (
                acme.deals,
                acme.won,
                acme.lost,
                acme.lost_to_them,
                acme.open
            ),
            (3, 1, 1, 1, 1)
        );
        assert_eq!(acme.win_rate, Some(Rate::from_basis_points(5_000)));
        assert_eq!(acme.value_at_stake, yuan(80_000));
        assert_eq!(acme.lost_amount, yuan(120_000));
        let strengths: Vec<(&str, u64)> = acme
            .strengths
            .iter()
            .map(|mention| (mention.text.as_str(), mention.count))
            .collect();
        assert_eq!(strengths, [("价格低", 2), ("关系好", 1), ("渠道广", 1)]);
        assert_eq!(acme.weaknesses[0].count, 2);
        let beta = &report.competitors[0];
        // a (open), d (stopped), f (open at the period's end).
        assert_eq!(
            (beta.deals, beta.open, beta.stopped, beta.win_rate),
            (3, 2, 1, None)
        );
        assert_eq!(beta.value_at_stake, yuan(180_000));
    }
}
