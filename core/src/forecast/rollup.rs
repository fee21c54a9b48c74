//! Grouping per-deal figures by period and by total, rep, team (rolled up the hierarchy) and
//! pipeline.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::placement::same_id;
use crate::deal::Deal;
use crate::deal_table::{DealTable, NONE};
use crate::id::{PipelineId, TeamId, UserId};
use crate::money::MoneyError;
use crate::team_hierarchy::TeamHierarchy;

/// What a forecast row adds up: everything, one rep, one team with all its sub-teams, or one
/// pipeline.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ForecastGroup {
    /// All deals.
    Total,
    /// The deals a rep owns.
    Rep(UserId),
    /// The deals of a team's members and of its sub-teams, all the way down.
    Team(TeamId),
    /// The deals of a pipeline.
    Pipeline(PipelineId),
}

/// Figures that add up; the sum fails only on overflow.
pub(super) trait Tally: Default {
    fn absorb(&mut self, other: &Self) -> Result<(), MoneyError>;
}

/// Adds `value` to `total`, failing on overflow.
pub(super) fn add_to(total: &mut i64, value: i64) -> Result<(), MoneyError> {
    *total = total.checked_add(value).ok_or(MoneyError::Overflow)?;
    Ok(())
}

#[derive(Clone, Copy, Eq, Debug)]
enum GroupRef<'a> {
    Rep(&'a UserId),
    Team(&'a TeamId),
    Pipeline(&'a PipelineId),
}

/// Compares ids inline (see [`same_id`]): the hash map compares a key on every lookup, three
/// times per deal, and a `memcmp` call for a short id costs more than the comparison itself.
impl PartialEq for GroupRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (GroupRef::Rep(a), GroupRef::Rep(b)) => same_id(a.as_str(), b.as_str()),
            (GroupRef::Team(a), GroupRef::Team(b)) => same_id(a.as_str(), b.as_str()),
            (GroupRef::Pipeline(a), GroupRef::Pipeline(b)) => same_id(a.as_str(), b.as_str()),
            _ => false,
        }
    }
}

/// Hashes what [`GroupRef::eq`] compares: the kind and the id's text.
impl Hash for GroupRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (kind, id) = match self {
            GroupRef::Rep(id) => (0_u8, id.as_str()),
            GroupRef::Team(id) => (1, id.as_str()),
            GroupRef::Pipeline(id) => (2, id.as_str()),
        };
        kind.hash(state);
        id.hash(state);
    }
}

/// Accumulates tallies per (period, group) in a dense table: periods and groups are interned
/// to indices once, so a deal costs a few small hash lookups and three in-place additions.
/// Teams are tallied by the deal's own team and rolled up the hierarchy once at the end, so
/// the depth of the tree costs nothing per deal.
pub(super) struct Rollup<'a, T> {
    periods: FxHashMap<Period, usize>,
    groups: FxHashMap<GroupRef<'a>, usize>,
    group_list: Vec<GroupRef<'a>>,
    /// `cells[period][group]`, `None` where no deal fell; rows grow as groups are discovered.
    cells: Vec<(Period, Vec<Option<T>>)>,
    /// For deals of a [`DealTable`]: the column of each interned rep, pipeline and team id
    /// (`usize::MAX`: not seen yet).
    interned: [Vec<usize>; 3],
}

impl<T> fmt::Debug for Rollup<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rollup")
            .field("periods", &self.periods.len())
            .field("groups", &self.group_list.len())
            .finish()
    }
}

/// The rows of a rollup and the team chains used to build them.
#[derive(Debug)]
pub(super) struct Rolled<T> {
    pub(super) rows: Vec<(Period, ForecastGroup, T)>,
    pub(super) team_chains: BTreeMap<TeamId, Vec<TeamId>>,
}

impl<'a, T: Tally> Rollup<'a, T> {
    pub(super) fn new() -> Self {
        Rollup {
            periods: FxHashMap::default(),
            groups: FxHashMap::default(),
            group_list: Vec::new(),
            cells: Vec::new(),
            interned: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    /// Adds one deal's tally to its period's rep, team and pipeline. Every deal has exactly
    /// one owner, so the total is the sum of the reps, formed once at the end.
    pub(super) fn add(
        &mut self,
        period: Period,
        deal: &'a Deal,
        tally: &T,
    ) -> Result<(), MoneyError> {
        let mut columns = [0_usize; 3];
        columns[0] = self.group(GroupRef::Rep(&deal.owner));
        columns[1] = self.group(GroupRef::Pipeline(&deal.pipeline));
        let n_columns = match &deal.team {
            Some(team) => {
                columns[2] = self.group(GroupRef::Team(team));
                3
            }
            None => 2,
        };
        self.add_to_columns(period, columns.get(..n_columns).unwrap_or_default(), tally)
    }

    /// [`Rollup::add`] for deal `index` of `table`, whose owner, pipeline and team are
    /// interned: their columns are found by index, without hashing their ids.
    pub(super) fn add_row(
        &mut self,
        period: Period,
        table: &DealTable<'a>,
        index: usize,
        tally: &T,
    ) -> Result<(), MoneyError> {
        let mut columns = [0_usize; 3];
        let mut n_columns = 0;
        let owner = table.owner.get(index).copied().unwrap_or(NONE);
        if let Some(rep) = table.owners.list.get(owner as usize) {
            columns[0] = self.interned_group(0, owner, GroupRef::Rep(rep));
            n_columns = 1;
        }
        let pipeline = table.pipeline.get(index).copied().unwrap_or(NONE);
        if let Some(id) = table.pipelines.list.get(pipeline as usize) {
            columns[n_columns] = self.interned_group(1, pipeline, GroupRef::Pipeline(id));
            n_columns += 1;
        }
        let team = table.team.get(index).copied().unwrap_or(NONE);
        if let Some(id) = table.teams.list.get(team as usize) {
            columns[n_columns] = self.interned_group(2, team, GroupRef::Team(id));
            n_columns += 1;
        }
        self.add_to_columns(period, columns.get(..n_columns).unwrap_or_default(), tally)
    }

    /// The column of `group`, the `id`-th interned id of its `kind` (rep, pipeline, team).
    fn interned_group(&mut self, kind: usize, id: u32, group: GroupRef<'a>) -> usize {
        let id = id as usize;
        if let Some(columns) = self.interned.get_mut(kind)
            && let Some(column) = columns
                .get(id)
                .copied()
                .filter(|column| *column != usize::MAX)
        {
            return column;
        }
        let column = self.group(group);
        if let Some(columns) = self.interned.get_mut(kind) {
            if columns.len() <= id {
                columns.resize(id + 1, usize::MAX);
            }
            if let Some(slot) = columns.get_mut(id) {
                *slot = column;
            }
        }
        column
    }

    fn add_to_columns(
        &mut self,
        period: Period,
        columns: &[usize],
        tally: &T,
    ) -> Result<(), MoneyError> {
        let n_periods = self.cells.len();
        let row = *self.periods.entry(period).or_insert(n_periods);
        if row == n_periods {
            self.cells.push((period, Vec::new()));
        }
        let n_groups = self.group_list.len();
        let Some((_, cells)) = self.cells.get_mut(row) else {
            return Ok(());
        };
        if cells.len() < n_groups {
            cells.resize_with(n_groups, || None);
        }
        for column in columns {
            if let Some(cell) = cells.get_mut(*column) {
                cell.get_or_insert_with(T::default).absorb(tally)?;
            }
        }
        Ok(())
    }

    fn group(&mut self, group: GroupRef<'a>) -> usize {
        let next = self.group_list.len();
        let index = *self.groups.entry(group).or_insert(next);
        if index == next {
            self.group_list.push(group);
        }
        index
    }

    /// Rolls team tallies up the hierarchy and returns rows sorted by period, then group.
    pub(super) fn finish(self, teams: &dyn TeamHierarchy) -> Result<Rolled<T>, MoneyError> {
        let mut rows: BTreeMap<(Period, ForecastGroup), T> = BTreeMap::new();
        let mut team_chains: BTreeMap<TeamId, Vec<TeamId>> = BTreeMap::new();
        for (period, cells) in self.cells {
            let touched = self
                .group_list
                .iter()
                .zip(cells)
                .filter_map(|(group, tally)| tally.map(|tally| (group, tally)));
            for (group, tally) in touched {
                match group {
                    GroupRef::Team(team) => {
                        let chain = team_chains
                            .entry((*team).clone())
                            .or_insert_with(|| teams.team_and_ancestors(team));
                        for ancestor in chain.iter() {
                            rows.entry((period, ForecastGroup::Team(ancestor.clone())))
                                .or_default()
                                .absorb(&tally)?;
                        }
                    }
                    GroupRef::Rep(rep) => {
                        rows.entry((period, ForecastGroup::Total))
                            .or_default()
                            .absorb(&tally)?;
                        absorb_into(&mut rows, period, ForecastGroup::Rep((*rep).clone()), tally)?;
                    }
                    GroupRef::Pipeline(pipeline) => absorb_into(
                        &mut rows,
                        period,
                        ForecastGroup::Pipeline((*pipeline).clone()),
                        tally,
                    )?,
                }
            }
        }
        let rows = rows
            .into_iter()
            .map(|((period, group), tally)| (period, group, tally))
            .collect();
        Ok(Rolled { rows, team_chains })
    }
}

fn absorb_into<T: Tally>(
    rows: &mut BTreeMap<(Period, ForecastGroup), T>,
    period: Period,
    group: ForecastGroup,
    tally: T,
) -> Result<(), MoneyError> {
    match rows.entry((period, group)) {
        std::collections::btree_map::Entry::Vacant(vacant) => {
            vacant.insert(tally);
            Ok(())
        }
        std::collections::btree_map::Entry::Occupied(mut occupied) => {
            occupied.get_mut().absorb(&tally)
        }
    }
}

/// Whether a deal with `owner`, `team` and `pipeline` belongs to `group`, given the team chains
/// (team → itself and its ancestors) of a rollup.
pub(super) fn belongs(
    group: &ForecastGroup,
    deal: &Deal,
    team_chains: &BTreeMap<TeamId, Vec<TeamId>>,
) -> bool {
    match group {
        ForecastGroup::Total => true,
        ForecastGroup::Rep(rep) => &deal.owner == rep,
        ForecastGroup::Pipeline(pipeline) => &deal.pipeline == pipeline,
        ForecastGroup::Team(team) => deal.team.as_ref().is_some_and(|own| {
            team_chains
                .get(own)
                .is_some_and(|chain| chain.contains(team))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct Count(i64);

    impl Tally for Count {
        fn absorb(&mut self, other: &Self) -> Result<(), MoneyError> {
            add_to(&mut self.0, other.0)
        }
    }

    #[test]
    fn overflow_is_reported() {
        let mut total = i64::MAX;
        assert_eq!(add_to(&mut total, 1), Err(MoneyError::Overflow));
        let mut count = Count(1);
        assert!(count.absorb(&Count(2)).is_ok());
        assert_eq!(count, Count(3));
    }
}
