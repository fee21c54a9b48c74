//! Ranked tables of counts and amounts (teams, reps, products, customers).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analytics::rank::competition_ranks;
use crate::analytics::rate::Rate;
use crate::analytics::tally::Tally;
use crate::i18n::LocalizedText;

/// One ranked row: a team, rep or other group with its count and amount.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Ranking {
    /// 1 = highest amount; rows with the same amount and count share a rank.
    pub rank: u32,
    /// The team id, rep id or other key; `None` for records without one.
    pub key: Option<String>,
    /// Display label.
    pub label: LocalizedText,
    /// Records.
    pub count: u64,
    /// Their amount.
    pub amount: crate::money::Money,
    /// Share of the total amount.
    pub share: Option<Rate>,
}

/// Rows ranked by amount, then count (ties share a rank), then key with "none" last.
pub(crate) fn rank_tallies(
    tallies: HashMap<Option<String>, Tally>,
    label: impl Fn(Option<&str>) -> LocalizedText,
) -> Vec<Ranking> {
    let total: i128 = tallies
        .values()
        .map(|tally| i128::from(tally.amount.minor()))
        .sum();
    let mut rows: Vec<Ranking> = tallies
        .into_iter()
        .map(|(key, tally)| Ranking {
            rank: 0,
            label: label(key.as_deref()),
            key,
            count: tally.count,
            amount: tally.amount,
            share: Rate::ratio_wide(i128::from(tally.amount.minor()), total),
        })
        .collect();
    rows.sort_by(|left, right| {
        right
            .amount
            .minor()
            .cmp(&left.amount.minor())
            .then_with(|| right.count.cmp(&left.count))
            .then_with(|| (left.key.is_none(), &left.key).cmp(&(right.key.is_none(), &right.key)))
    });
    let ranks = competition_ranks(&rows, |row| (row.amount.minor(), row.count));
    for (row, rank) in rows.iter_mut().zip(ranks) {
        row.rank = rank;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixture::yuan;
    use crate::analytics::label;

    #[test]
    fn ranks_by_amount_then_count() {
        let tally = |count, major| Tally {
            count,
            amount: yuan(major),
        };
        let rows = rank_tallies(
            HashMap::from([
                (Some("b".to_owned()), tally(2, 100)),
                (Some("a".to_owned()), tally(2, 100)),
                (None, tally(1, 300)),
                (Some("c".to_owned()), tally(3, 100)),
            ]),
            |key| key.map_or_else(label::not_set, label::verbatim),
        );
        let table: Vec<(u32, Option<&str>, Option<Rate>)> = rows
            .iter()
            .map(|row| (row.rank, row.key.as_deref(), row.share))
            .collect();
        assert_eq!(
            table,
            [
                (1, None, Some(Rate::from_basis_points(5_000))),
                (2, Some("c"), Some(Rate::from_basis_points(1_667))),
                (3, Some("a"), Some(Rate::from_basis_points(1_667))),
                (3, Some("b"), Some(Rate::from_basis_points(1_667))),
            ]
        );
    }
}
