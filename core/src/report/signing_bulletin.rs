//! The signing bulletin (签单快报): the deals signed in a period, with team, rep and product
//! rankings.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::Date;

use super::ranking::{Ranking, rank_tallies};
use crate::analytics::AnalyticsError;
use crate::analytics::deal_set::DealSet;
use crate::analytics::filter::{Filter, ReportContext, Selection, product_key};
use crate::analytics::label;
use crate::analytics::period::DateRange;
use crate::analytics::rank::competition_ranks;
use crate::analytics::rate::Rate;
use crate::analytics::table::{ChartKind, Column, ColumnKind};
use crate::analytics::tally::{Tally, add_to};
use crate::analytics::timeline::won_at;
use crate::i18n::LocalizedText;
use crate::id::{DealId, TeamId, UserId};
use crate::money::{Currency, Money};
use crate::timestamp::Timestamp;

/// The signing bulletin of a period.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SigningBulletin {
    /// "签单快报" / "Signing bulletin".
    pub title: LocalizedText,
    /// Columns of [`SigningBulletin::deals`].
    pub columns: Vec<Column>,
    /// Suggested chart (for the rankings).
    pub chart: ChartKind,
    /// The period (all time without one).
    pub period: Option<DateRange>,
    /// Currency of the amounts.
    pub currency: Currency,
    /// All signed deals.
    pub total: Tally,
    /// The signed deals, newest first.
    pub deals: Vec<SignedDeal>,
    /// Teams by signed amount (each deal counts for its own team only).
    pub teams: Vec<Ranking>,
    /// Reps by signed amount.
    pub reps: Vec<Ranking>,
    /// Products by signed line value.
    pub products: Vec<ProductRanking>,
}

/// One signed deal.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SignedDeal {
    /// The deal.
    pub deal: DealId,
    /// Title.
    pub title: String,
    /// Customer.
    pub account: String,
    /// Owner.
    pub owner: UserId,
    /// Owner's team.
    pub team: Option<TeamId>,
    /// Amount.
    pub amount: Money,
    /// When it was won.
    pub signed_at: Timestamp,
    /// The calendar day it was won.
    pub signed_on: Date,
    /// Product names on the deal.
    pub products: Vec<String>,
}

/// One product's signed business.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ProductRanking {
    /// 1 = highest value.
    pub rank: u32,
    /// Product key (catalogue id, else name); `None` for deals without product lines.
    pub key: Option<String>,
    /// Product name.
    pub label: LocalizedText,
    /// Signed deals with the product.
    pub deals: u64,
    /// Units sold.
    pub quantity: i64,
    /// Line value after discounts (for deals without lines: the deal amount).
    pub amount: Money,
    /// Share of all product value.
    pub share: Option<Rate>,
}

/// The signing bulletin: deals won in the filter's period.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::analytics::{DealSet, Filter, ReportContext};
/// use dealflow_core::report::signing_bulletin;
/// use dealflow_core::DealStatus::Won;
#[doc = include_str!("../analytics/doc_example.txt")]
/// let mut big = deal("big", 300_000, &[(20, "qualify", Won, "")]);
/// big.owner = UserId::new("rep-wang")?;
/// let small = deal("small", 100_000, &[(10, "qualify", Won, "")]);
/// let set = DealSet::new(vec![small, big], ExchangeRates::new(Currency::CNY))?;
/// let teams = BTreeMap::<TeamId, TeamId>::new();
/// let ctx = ReportContext::new(&teams, time::macros::offset!(+8), Timestamp::from_millis(1_770_000_000_000));
/// let bulletin = signing_bulletin(&set, &Filter::all(), &ctx)?;
/// assert_eq!(bulletin.title.zh_cn, "签单快报");
/// assert_eq!(bulletin.deals[0].deal.as_str(), "big"); // newest first
/// let reps: Vec<(u32, Option<&str>)> = bulletin.reps.iter().map(|row| (row.rank, row.key.as_deref())).collect();
/// assert_eq!(reps, [(1, Some("rep-wang")), (2, Some("rep-li"))]);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn signing_bulletin(
    set: &DealSet,
    filter: &Filter,
    ctx: &ReportContext<'_>,
) -> Result<SigningBulletin, AnalyticsError> {
    let currency = set.currency();
    let selection = Selection::new(filter, set, ctx);
    let mut total = Tally::zero(currency);
    let mut deals = Vec::new();
    let mut teams: HashMap<Option<String>, Tally> = HashMap::new();
    let mut reps: HashMap<Option<String>, Tally> = HashMap::new();
    let mut products: HashMap<Option<&str>, ProductRanking> = HashMap::new();
    for (deal, facts) in set.rows() {
        let Some(won_at) = won_at(set, facts) else {
            continue;
        };
        if !selection.in_period(won_at) || !selection.deal(set, facts) {
            continue;
        }
        let amount = set.amount(facts);
        total.add(amount)?;
        teams
            .entry(deal.team.as_ref().map(ToString::to_string))
            .or_insert_with(|| Tally::zero(currency))
            .add(amount)?;
        reps.entry(Some(deal.owner.to_string()))
            .or_insert_with(|| Tally::zero(currency))
            .add(amount)?;
        let mut counted: Vec<&str> = Vec::new();
        for line in deal.product_lines.values() {
            let key = product_key(line);
            let value = line
                .discount
                .apply(line.unit_price.checked_mul(line.quantity)?)?;
            let row = products
                .entry(Some(key))
                .or_insert_with(|| product_row(Some(key), &line.product, currency));
            add_to(&mut row.amount, set.convert(value)?)?;
            row.quantity = row.quantity.saturating_add(line.quantity);
            if !counted.contains(&key) {
                counted.push(key);
                row.deals += 1;
            }
        }
        if deal.product_lines.is_empty() {
            let row = products
                .entry(None)
                .or_insert_with(|| product_row(None, "", currency));
            add_to(&mut row.amount, amount)?;
            row.deals += 1;
        }
        let signed_at = Timestamp::from_millis(won_at);
        deals.push(SignedDeal {
            deal: deal.id.clone(),
            title: deal.title.clone(),
            account: deal.account.name.clone(),
            owner: deal.owner.clone(),
            team: deal.team.clone(),
            amount,
            signed_at,
            signed_on: signed_at.date_at(ctx.offset),
            products: deal
                .product_lines
                .values()
                .map(|line| line.product.clone())
                .collect(),
        });
    }
    deals.sort_by(|left, right| {
        right
            .signed_at
            .cmp(&left.signed_at)
            .then_with(|| left.deal.cmp(&right.deal))
    });
    Ok(SigningBulletin {
        title: LocalizedText::new("签单快报", "Signing bulletin"),
        columns: columns(),
        chart: ChartKind::Bar,
        period: filter.period,
        currency,
        total,
        deals,
        teams: rank_tallies(teams, |key| {
            key.map_or_else(label::no_team, label::verbatim)
        }),
        reps: rank_tallies(reps, |key| key.map_or_else(label::not_set, label::verbatim)),
        products: rank_products(products.into_values().collect()),
    })
}

fn product_row(key: Option<&str>, name: &str, currency: Currency) -> ProductRanking {
    ProductRanking {
        rank: 0,
        key: key.map(str::to_owned),
        label: match key {
            Some(_) => label::verbatim(name),
            None => LocalizedText::new("未填写产品", "No product lines"),
        },
        deals: 0,
        quantity: 0,
        amount: Money::zero(currency),
        share: None,
    }
}

fn rank_products(mut rows: Vec<ProductRanking>) -> Vec<ProductRanking> {
    let total: i128 = rows.iter().map(|row| i128::from(row.amount.minor())).sum();
    rows.sort_by(|left, right| {
        right
            .amount
            .minor()
            .cmp(&left.amount.minor())
            .then_with(|| right.deals.cmp(&left.deals))
            .then_with(|| (left.key.is_none(), &left.key).cmp(&(right.key.is_none(), &right.key)))
    });
    let ranks = competition_ranks(&rows, |row| (row.amount.minor(), row.deals));
    for (row, rank) in rows.iter_mut().zip(ranks) {
        row.rank = rank;
        row.share = Rate::ratio_wide(i128::from(row.amount.minor()), total);
    }
    rows
}

fn columns() -> Vec<Column> {
    vec![
        Column::new("signed_on", "签单日期", "Signed on", ColumnKind::Date),
        Column::new("title", "商机", "Deal", ColumnKind::Text),
        Column::new("account", "客户", "Customer", ColumnKind::Text),
        Column::new("owner", "销售", "Rep", ColumnKind::Id),
        Column::new("team", "团队", "Team", ColumnKind::Id),
        Column::new("amount", "签单金额", "Amount", ColumnKind::Money),
        Column::new("products", "产品", "Products", ColumnKind::Text),
    ]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder, date_of, yuan};

    #[test]
    fn rankings_of_a_month() {
        let teams = BTreeMap::new();
        let ctx = fixture::context(&teams);
        let set = fixture::set(vec![
            DealBuilder::new("a")
                .team("east")
                .owner("rep-a")
                .amount(120_000)
                .product_line("crm", 10, 10_000, 1_000) // 10 × 10,000 less 10 % = 90,000
                .product_line("svc", 1, 30_000, 0)
                .won(5)
                .build(),
            DealBuilder::new("b")
                .team("east")
                .owner("rep-b")
                .amount(60_000)
                .product_line("crm", 6, 10_000, 0)
                .won(12)
                .build(),
            DealBuilder::new("c")
                .team("west")
                .owner("rep-c")
                .amount(180_000)
                .won(20)
                .build(),
            DealBuilder::new("late")
                .team("west")
                .owner("rep-c")
                .won(40)
                .build(),
            DealBuilder::new("open").team("west").owner("rep-c").build(),
        ]);
        let january = Filter::all().in_period(DateRange::new(date_of(0), date_of(30)).unwrap());
        let bulletin = signing_bulletin(&set, &january, &ctx).unwrap();
        assert_eq!(
            (bulletin.total.count, bulletin.total.amount),
            (3, yuan(360_000))
        );
        let order: Vec<&str> = bulletin
            .deals
            .iter()
            .map(|deal| deal.deal.as_str())
            .collect();
        assert_eq!(order, ["c", "b", "a"]);
        assert_eq!(bulletin.deals[2].signed_on, date_of(5));
        let teams: Vec<(u32, Option<&str>, u64, i64)> = bulletin
            .teams
            .iter()
            .map(|row| {
                (
                    row.rank,
                    row.key.as_deref(),
                    row.count,
                    row.amount.minor() / 100,
                )
            })
            .collect();
        // Equal amounts: more deals rank first.
        assert_eq!(
            teams,
            [(1, Some("east"), 2, 180_000), (2, Some("west"), 1, 180_000)]
        );
        let products: Vec<(u32, Option<&str>, u64, i64, i64)> = bulletin
            .products
            .iter()
            .map(|row| {
                (
                    row.rank,
                    row.key.as_deref(),
                    row.deals,
                    row.quantity,
                    row.amount.minor() / 100,
                )
            })
            .collect();
        assert_eq!(
            products,
            [
                (1, None, 1, 0, 180_000),
                (2, Some("crm"), 2, 16, 150_000),
                (3, Some("svc"), 1, 1, 30_000),
            ]
        );
        assert_eq!(
            bulletin.products[1].share,
            Some(Rate::from_basis_points(4_167))
        );
    }
}
