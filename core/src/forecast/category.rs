//! The rep commit model: each deal's forecast category, from the stage default, the owner's
//! call and the manager's adjustments, each kept apart so the manager view can show all three.

use serde::Serialize;

use crate::deal::{CategoryOverride, Deal, ForecastAdjustment};
use crate::money::Money;
use crate::pipeline::ForecastCategory;

use super::rollup::add_to;

/// How a deal's forecast category was arrived at.
///
/// `owner_call` is the owner's override or else the stage default; `final_call` is the latest
/// manager adjustment's `to`, or else the owner's call. Won deals are always
/// [`ForecastCategory::Closed`]; `Closed` on an open deal (the category is reserved for won
/// deals) counts as `Commit`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CategoryCall<'a> {
    /// The category of the deal's stage (`Closed` when won).
    pub stage_default: ForecastCategory,
    /// The owner's override, who set it and when.
    pub owner_override: Option<&'a CategoryOverride>,
    /// The owner's category.
    pub owner_call: ForecastCategory,
    /// Manager adjustments, oldest first (who, when, from → to, why).
    pub adjustments: &'a [ForecastAdjustment],
    /// The category after the latest adjustment.
    pub final_call: ForecastCategory,
}

impl<'a> CategoryCall<'a> {
    /// The call for `deal`, given its stage's category (or `None` for a won deal).
    pub(super) fn of(deal: &'a Deal, open_stage_category: Option<ForecastCategory>) -> Self {
        let Some(stage_default) = open_stage_category else {
            return CategoryCall {
                stage_default: ForecastCategory::Closed,
                owner_override: None,
                owner_call: ForecastCategory::Closed,
                adjustments: &[],
                final_call: ForecastCategory::Closed,
            };
        };
        let owner_override = deal.forecast_category.as_ref();
        let owner_call = open_category(owner_override.map_or(stage_default, |o| o.category));
        let latest = deal
            .forecast_adjustments
            .iter()
            .max_by_key(|adjustment| (adjustment.at, &adjustment.id));
        let final_call = latest.map_or(owner_call, |adjustment| open_category(adjustment.to));
        CategoryCall {
            stage_default,
            owner_override,
            owner_call,
            adjustments: &deal.forecast_adjustments,
            final_call,
        }
    }

    /// Whether a manager changed the owner's call.
    pub fn is_adjusted(&self) -> bool {
        self.final_call != self.owner_call
    }
}

fn open_category(category: ForecastCategory) -> ForecastCategory {
    match category {
        ForecastCategory::Closed => ForecastCategory::Commit,
        other => other,
    }
}

/// Amounts per forecast category.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct CategoryTotals {
    /// Early or uncertain deals.
    pub pipeline: Money,
    /// Deals that could close with things going our way.
    pub best_case: Money,
    /// Deals the owner (or manager) commits to.
    pub commit: Money,
    /// Won deals.
    pub closed: Money,
}

impl CategoryTotals {
    /// The commit forecast: closed + commit.
    pub fn commit_forecast(&self) -> Result<Money, crate::money::MoneyError> {
        self.closed.checked_add(self.commit)
    }

    /// The best-case forecast: closed + commit + best case.
    pub fn best_case_forecast(&self) -> Result<Money, crate::money::MoneyError> {
        self.commit_forecast()?.checked_add(self.best_case)
    }
}

/// Minor units per category, in the order pipeline, best case, commit, closed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) struct CategoryTally([i64; 4]);

impl CategoryTally {
    pub(super) fn single(category: ForecastCategory, amount: i64) -> Self {
        let mut tally = CategoryTally::default();
        if let Some(slot) = tally.0.get_mut(slot(category)) {
            *slot = amount;
        }
        tally
    }

    pub(super) fn absorb(&mut self, other: &Self) -> Result<(), crate::money::MoneyError> {
        for (total, value) in self.0.iter_mut().zip(other.0) {
            add_to(total, value)?;
        }
        Ok(())
    }

    pub(super) fn totals(&self, currency: crate::money::Currency) -> CategoryTotals {
        let [pipeline, best_case, commit, closed] = self.0;
        CategoryTotals {
            pipeline: Money::new(pipeline, currency),
            best_case: Money::new(best_case, currency),
            commit: Money::new(commit, currency),
            closed: Money::new(closed, currency),
        }
    }
}

fn slot(category: ForecastCategory) -> usize {
    match category {
        ForecastCategory::Pipeline => 0,
        ForecastCategory::BestCase => 1,
        ForecastCategory::Commit => 2,
        ForecastCategory::Closed => 3,
    }
}

/// Whether a category counts towards the commit forecast.
pub(super) fn is_committed(category: ForecastCategory) -> bool {
    matches!(
        category,
        ForecastCategory::Commit | ForecastCategory::Closed
    )
}
