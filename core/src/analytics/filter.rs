//! What to include in an analysis (the [`Filter`]) and what it is computed with (the
//! [`ReportContext`]).

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::UtcOffset;

use super::deal_set::{DealFacts, DealSet, Interner};
use super::error::AnalyticsError;
use super::period::{DateRange, Window};
use crate::deal::ProductLine;
use crate::id::{PipelineId, TeamId, UserId};
use crate::pipeline::Pipeline;
use crate::team_hierarchy::TeamHierarchy;
use crate::timestamp::Timestamp;

/// Which records an analysis looks at. Every field left `None` selects everything.
///
/// The deal-level fields select deals: `pipeline` by [`Deal::pipeline`](crate::Deal::pipeline), `team` by
/// [`Deal::team`](crate::Deal::team) **including every sub-team** (through the context's [`TeamHierarchy`]), `rep`
/// by [`Deal::owner`](crate::Deal::owner), `source` by [`Deal::source`](crate::Deal::source), and `product` matches a deal when one of
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

/// What every analysis is computed with besides the data: the team tree for roll-ups and team
/// filters, the organisation's time zone for calendar dates, and the current time (core never
/// reads the clock). Amounts are converted by the [`DealSet`](super::DealSet)'s rate table.
///
/// ```
/// use std::collections::BTreeMap;
/// use dealflow_core::{TeamId, Timestamp};
/// use dealflow_core::analytics::ReportContext;
/// use time::macros::offset;
///
/// let mut teams: BTreeMap<TeamId, TeamId> = BTreeMap::new(); // child → parent
/// teams.insert(TeamId::new("east-1")?, TeamId::new("east")?);
/// let ctx = ReportContext::new(&teams, offset!(+8), Timestamp::from_millis(1_775_000_000_000));
/// assert_eq!(ctx.offset, offset!(+8));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct ReportContext<'a> {
    /// Parent links of the team tree.
    pub teams: &'a dyn TeamHierarchy,
    /// The organisation's UTC offset: calendar dates and periods are in this zone.
    pub offset: UtcOffset,
    /// The current time, for ages, "still open" and overdue amounts.
    pub now: Timestamp,
}

impl<'a> ReportContext<'a> {
    /// A context from its parts.
    pub fn new(teams: &'a dyn TeamHierarchy, offset: UtcOffset, now: Timestamp) -> Self {
        ReportContext { teams, offset, now }
    }
}

impl fmt::Debug for ReportContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportContext")
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

/// A [`Filter`] prepared for matching many records: the period as instants, the deal-level
/// fields resolved to the set's interned numbers, and which teams fall under the filter's team.
pub(crate) struct Selection<'a> {
    filter: &'a Filter,
    teams: &'a dyn TeamHierarchy,
    /// The period as instants ([`Window::ALL`] without a period).
    pub(crate) window: Window,
    /// What the deal fields must equal, as the set's interned numbers.
    pipeline: Wanted,
    owner: Wanted,
    source: Wanted,
    product: Wanted,
    /// Per interned team of the set, whether it is the filter's team or under it.
    set_teams: Vec<bool>,
    /// The same for teams of other records (leads, contracts).
    other_teams: HashMap<TeamId, bool>,
}

impl<'a> Selection<'a> {
    pub(crate) fn new(filter: &'a Filter, set: &DealSet, ctx: &ReportContext<'a>) -> Self {
        let resolve = |value: Option<&str>, names: &Interner| match value {
            None => Wanted::Any,
            Some(value) => names.find(value).map_or(Wanted::Absent, Wanted::Number),
        };
        let names = &set.names;
        let set_teams = match &filter.team {
            None => Vec::new(),
            Some(wanted) => (0..names.teams.len())
                .map(|number| {
                    let team = u32::try_from(number)
                        .ok()
                        .and_then(|number| names.teams.name(number))
                        .and_then(|name| TeamId::new(name).ok());
                    team.is_some_and(|team| ctx.teams.team_and_ancestors(&team).contains(wanted))
                })
                .collect(),
        };
        let pipeline = resolve(
            filter.pipeline.as_ref().map(|id| id.as_str()),
            &names.pipelines,
        );
        let owner = resolve(filter.rep.as_ref().map(|id| id.as_str()), &names.owners);
        let source = resolve(filter.source.as_deref(), &names.sources);
        let product = resolve(filter.product.as_deref(), &names.products);
        Selection {
            filter,
            teams: ctx.teams,
            window: filter
                .period
                .map_or(Window::ALL, |period| period.window(ctx.offset)),
            pipeline,
            owner,
            source,
            product,
            set_teams,
            other_teams: HashMap::new(),
        }
    }

    /// Whether a deal of the set passes the deal-level fields (everything but the period).
    pub(crate) fn deal(&self, set: &DealSet, facts: &DealFacts) -> bool {
        self.owner.matches(facts.owner)
            && self.deal_fields(set, facts)
            && (self.filter.team.is_none()
                || usize::try_from(facts.team)
                    .ok()
                    .and_then(|team| self.set_teams.get(team))
                    .is_some_and(|matches| *matches))
    }

    /// Whether a deal passes the pipeline, source and product (the fields a contract is matched
    /// on through its deal).
    pub(crate) fn deal_fields(&self, set: &DealSet, facts: &DealFacts) -> bool {
        self.pipeline.matches(facts.pipeline)
            && self.source.matches(facts.source)
            && match self.product {
                Wanted::Any => true,
                Wanted::Number(product) => set.products(facts).contains(&product),
                Wanted::Absent => false,
            }
    }

    /// Whether the filter leaves pipeline, source and product open, so records without a deal
    /// pass them.
    pub(crate) fn deal_fields_open(&self) -> bool {
        self.filter.pipeline.is_none()
            && self.filter.source.is_none()
            && self.filter.product.is_none()
    }

    /// Whether a record of `team` falls under the filter's team (or there is none).
    pub(crate) fn team(&mut self, team: Option<&TeamId>) -> bool {
        let Some(wanted) = &self.filter.team else {
            return true;
        };
        let Some(team) = team else {
            return false;
        };
        if let Some(matches) = self.other_teams.get(team) {
            return *matches;
        }
        let matches = self.teams.team_and_ancestors(team).contains(wanted);
        self.other_teams.insert(team.clone(), matches);
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
    pub(crate) fn in_period(&self, instant: i64) -> bool {
        self.window.start <= instant && instant < self.window.end
    }
}

/// A filter value resolved against a set's interned names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Wanted {
    /// The filter leaves the field open.
    Any,
    /// The field must have this number.
    Number(u32),
    /// The filter names a value no deal of the set has: nothing matches.
    Absent,
}

impl Wanted {
    fn matches(self, value: u32) -> bool {
        match self {
            Wanted::Any => true,
            Wanted::Number(wanted) => wanted == value,
            Wanted::Absent => false,
        }
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

    fn matches(filter: &Filter, set: &DealSet, teams: &BTreeMap<TeamId, TeamId>) -> Vec<String> {
        let ctx = fixture::context(teams);
        let selection = Selection::new(filter, set, &ctx);
        set.rows()
            .filter(|(_, facts)| selection.deal(set, facts))
            .map(|(deal, _)| deal.id.to_string())
            .collect()
    }

    #[test]
    fn team_filter_includes_sub_teams() {
        let mut teams = BTreeMap::new();
        teams.insert(fixture::team("east-1"), fixture::team("east"));
        teams.insert(fixture::team("east"), fixture::team("company"));
        let set = fixture::set(vec![
            DealBuilder::new("in-sub-team").team("east-1").build(),
            DealBuilder::new("other").team("west").build(),
            DealBuilder::new("no-team").build(),
        ]);
        let east = Filter::all().for_team(fixture::team("east"));
        assert_eq!(matches(&east, &set, &teams), ["in-sub-team"]);
        let company = Filter::all().for_team(fixture::team("company"));
        assert_eq!(matches(&company, &set, &teams), ["in-sub-team"]);
        let nobody = Filter::all().for_team(fixture::team("north"));
        assert!(matches(&nobody, &set, &teams).is_empty());
        let ctx = fixture::context(&teams);
        let mut selection = Selection::new(&east, &set, &ctx);
        assert!(selection.team(Some(&fixture::team("east-1"))));
        assert!(!selection.team(None));
    }

    #[test]
    fn deal_fields_and_products() {
        let teams = BTreeMap::new();
        let set = fixture::set(vec![
            DealBuilder::new("d1")
                .owner("rep-a")
                .source("web")
                .product("crm", 1_000)
                .build(),
            DealBuilder::new("d2").owner("rep-b").build(),
        ]);
        let matching = Filter::all()
            .for_rep(fixture::user("rep-a"))
            .from_source("web")
            .with_product("crm")
            .in_pipeline(PipelineId::new("new_business").unwrap());
        assert_eq!(matches(&matching, &set, &teams), ["d1"]);
        for other in [
            Filter::all().for_rep(fixture::user("rep-c")),
            Filter::all().from_source("referral"),
            Filter::all().with_product("erp"),
            Filter::all().in_pipeline(PipelineId::new("renewals").unwrap()),
        ] {
            assert!(matches(&other, &set, &teams).is_empty(), "{other:?}");
        }
        assert_eq!(matches(&Filter::all(), &set, &teams).len(), 2);
    }
}
