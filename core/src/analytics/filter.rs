//! What to include in an analysis (the [`Filter`]) and what it is computed with (the
//! [`ReportContext`]).

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::error::AnalyticsError;
use super::period::{DateRange, Window};
use crate::deal::{Deal, ProductLine};
use crate::exchange::ExchangeRates;
use crate::id::{PipelineId, TeamId, UserId};
use crate::pipeline::Pipeline;
use crate::team_hierarchy::TeamHierarchy;
use crate::timestamp::Timestamp;

/// Which records an analysis looks at. Every field left `None` selects everything.
///
/// The deal-level fields select deals: `pipeline` by [`Deal::pipeline`], `team` by
/// [`Deal::team`] **including every sub-team** (through the context's [`TeamHierarchy`]), `rep`
/// by [`Deal::owner`], `source` by [`Deal::source`], and `product` matches a deal when one of
/// its product lines has that product key (the catalogue product id, else the product name).
/// Leads and contracts are matched by their own fields of the same names.
///
/// What the `period` selects depends on the question each analysis answers (deals created in it,
/// won in it, closed in it, …); each analysis states its rule, and the
/// [module documentation](super) has the table.
///
/// ```
/// use dealflow_core::analytics::{DateRange, Filter};
/// use dealflow_core::TeamId;
/// use time::Month;
/// let filter = Filter::all()
///     .in_period(DateRange::month(2026, Month::March)?)
///     .for_team(TeamId::new("east")?)
///     .from_source("trade_show");
/// assert_eq!(filter.source.as_deref(), Some("trade_show"));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// The period; see each analysis for which date it applies to.
    pub period: Option<DateRange>,
    /// Only deals of this pipeline.
    pub pipeline: Option<PipelineId>,
    /// Only deals of this team or one of its sub-teams.
    pub team: Option<TeamId>,
    /// Only deals owned by this rep.
    pub rep: Option<UserId>,
    /// Only deals from this source channel.
    pub source: Option<String>,
    /// Only deals with this product (product id, or product name for lines without one).
    pub product: Option<String>,
}

impl Filter {
    /// Everything, all time.
    pub fn all() -> Self {
        Filter::default()
    }

    /// Restricted to `period`.
    #[must_use]
    pub fn in_period(mut self, period: DateRange) -> Self {
        self.period = Some(period);
        self
    }

    /// Restricted to one pipeline.
    #[must_use]
    pub fn in_pipeline(mut self, pipeline: PipelineId) -> Self {
        self.pipeline = Some(pipeline);
        self
    }

    /// Restricted to a team and its sub-teams.
    #[must_use]
    pub fn for_team(mut self, team: TeamId) -> Self {
        self.team = Some(team);
        self
    }

    /// Restricted to one rep's deals.
    #[must_use]
    pub fn for_rep(mut self, rep: UserId) -> Self {
        self.rep = Some(rep);
        self
    }

    /// Restricted to one source channel.
    #[must_use]
    pub fn from_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Restricted to deals with one product.
    #[must_use]
    pub fn with_product(mut self, product: impl Into<String>) -> Self {
        self.product = Some(product.into());
        self
    }
}

/// What every analysis is computed with: the rate table that converts all amounts into one
/// reporting currency, the team tree for roll-ups, the organisation's time zone for calendar
/// dates, and the current time (core never reads the clock).
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::{Currency, ExchangeRates, TeamId, Timestamp};
/// use dealflow_core::analytics::ReportContext;
/// use time::macros::offset;
///
/// let rates = ExchangeRates::new(Currency::CNY).with_rate(Currency::USD, "7.2")?;
/// let teams: BTreeMap<TeamId, TeamId> = BTreeMap::new(); // child → parent
/// let ctx = ReportContext::new(&rates, &teams, offset!(+8), Timestamp::from_millis(1_775_000_000_000));
/// assert_eq!(ctx.currency(), Currency::CNY);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct ReportContext<'a> {
    /// Converts every amount into the reporting currency.
    pub rates: &'a ExchangeRates,
    /// Parent links of the team tree.
    pub teams: &'a dyn TeamHierarchy,
    /// The organisation's UTC offset: calendar dates and periods are in this zone.
    pub offset: UtcOffset,
    /// The current time, for ages, "still open" and overdue amounts.
    pub now: Timestamp,
}

impl<'a> ReportContext<'a> {
    /// A context from its parts.
    pub fn new(
        rates: &'a ExchangeRates,
        teams: &'a dyn TeamHierarchy,
        offset: UtcOffset,
        now: Timestamp,
    ) -> Self {
        ReportContext {
            rates,
            teams,
            offset,
            now,
        }
    }

    /// The reporting currency every amount is converted into.
    pub fn currency(&self) -> crate::money::Currency {
        self.rates.reporting()
    }
}

impl fmt::Debug for ReportContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportContext")
            .field("rates", &self.rates)
            .field("offset", &self.offset)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The key a product is grouped and filtered by: its catalogue id, else its name.
pub(crate) fn product_key(line: &ProductLine) -> &str {
    line.product_id
        .as_ref()
        .map_or(line.product.as_str(), |id| id.as_str())
}

/// A [`Filter`] prepared for matching many records: the period as instants and a cache of which
/// teams fall under the filter's team.
pub(crate) struct Selection<'a> {
    filter: &'a Filter,
    teams: &'a dyn TeamHierarchy,
    /// The period as instants ([`Window::ALL`] without a period).
    pub(crate) window: Window,
    team_matches: HashMap<TeamId, bool>,
}

impl<'a> Selection<'a> {
    pub(crate) fn new(filter: &'a Filter, ctx: &ReportContext<'a>) -> Self {
        Selection {
            filter,
            teams: ctx.teams,
            window: filter
                .period
                .map_or(Window::ALL, |period| period.window(ctx.offset)),
            team_matches: HashMap::new(),
        }
    }

    /// Whether the deal passes the deal-level fields (everything but the period).
    pub(crate) fn deal(&mut self, deal: &Deal) -> bool {
        if self
            .filter
            .pipeline
            .as_ref()
            .is_some_and(|pipeline| *pipeline != deal.pipeline)
        {
            return false;
        }
        if self
            .filter
            .rep
            .as_ref()
            .is_some_and(|rep| *rep != deal.owner)
        {
            return false;
        }
        if !self.source(deal.source.as_deref()) {
            return false;
        }
        if let Some(product) = &self.filter.product
            && !deal
                .product_lines
                .values()
                .any(|line| product_key(line) == product)
        {
            return false;
        }
        self.team(deal.team.as_ref())
    }

    /// Whether a record of `team` falls under the filter's team (or there is none).
    pub(crate) fn team(&mut self, team: Option<&TeamId>) -> bool {
        let Some(wanted) = &self.filter.team else {
            return true;
        };
        let Some(team) = team else {
            return false;
        };
        if let Some(matches) = self.team_matches.get(team) {
            return *matches;
        }
        let matches = self.teams.team_and_ancestors(team).contains(wanted);
        self.team_matches.insert(team.clone(), matches);
        matches
    }

    pub(crate) fn rep(&self, rep: Option<&UserId>) -> bool {
        self.filter
            .rep
            .as_ref()
            .is_none_or(|wanted| Some(wanted) == rep)
    }

    pub(crate) fn source(&self, source: Option<&str>) -> bool {
        self.filter
            .source
            .as_deref()
            .is_none_or(|wanted| Some(wanted) == source)
    }

    pub(crate) fn product(&self, product: Option<&str>) -> bool {
        self.filter
            .product
            .as_deref()
            .is_none_or(|wanted| Some(wanted) == product)
    }

    pub(crate) fn pipeline(&self, pipeline: &PipelineId) -> bool {
        self.filter
            .pipeline
            .as_ref()
            .is_none_or(|wanted| wanted == pipeline)
    }

    /// Whether the instant is in the period (always, without a period).
    pub(crate) fn in_period(&self, instant: Timestamp) -> bool {
        self.window.contains(instant)
    }
}

/// Errors when the filter names a pipeline other than `pipeline`.
pub(crate) fn check_pipeline(filter: &Filter, pipeline: &Pipeline) -> Result<(), AnalyticsError> {
    match &filter.pipeline {
        Some(filtered) if *filtered != pipeline.id => Err(AnalyticsError::PipelineMismatch {
            requested: pipeline.id.clone(),
            filtered: filtered.clone(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analytics::fixture::{self, DealBuilder};
    use crate::money::Currency;

    #[test]
    fn team_filter_includes_sub_teams() {
        let rates = ExchangeRates::new(Currency::CNY);
        let mut teams = BTreeMap::new();
        teams.insert(fixture::team("east-1"), fixture::team("east"));
        teams.insert(fixture::team("east"), fixture::team("company"));
        let ctx = fixture::context(&rates, &teams);
        let filter = Filter::all().for_team(fixture::team("east"));
        let mut selection = Selection::new(&filter, &ctx);
        let in_sub_team = DealBuilder::new("d1").team("east-1").build();
        let in_other = DealBuilder::new("d2").team("west").build();
        let without_team = DealBuilder::new("d3").build();
        assert!(selection.deal(&in_sub_team));
        assert!(!selection.deal(&in_other));
        assert!(!selection.deal(&without_team));
        let company = Filter::all().for_team(fixture::team("company"));
        assert!(Selection::new(&company, &ctx).deal(&in_sub_team));
    }

    #[test]
    fn deal_fields_and_products() {
        let rates = ExchangeRates::new(Currency::CNY);
        let teams = BTreeMap::new();
        let ctx = fixture::context(&rates, &teams);
        let deal = DealBuilder::new("d1")
            .owner("rep-a")
            .source("web")
            .product("crm", 1_000)
            .build();
        let matching = Filter::all()
            .for_rep(fixture::user("rep-a"))
            .from_source("web")
            .with_product("crm")
            .in_pipeline(deal.pipeline.clone());
        assert!(Selection::new(&matching, &ctx).deal(&deal));
        for other in [
            Filter::all().for_rep(fixture::user("rep-b")),
            Filter::all().from_source("referral"),
            Filter::all().with_product("erp"),
            Filter::all().in_pipeline(crate::id::PipelineId::new("renewals").unwrap()),
        ] {
            assert!(!Selection::new(&other, &ctx).deal(&deal), "{other:?}");
        }
    }
}
