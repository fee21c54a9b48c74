//! An in-memory arbiter of lead custody: what the server does in its storage transaction, run
//! serially over a map of leads. Used by tests, the demo and offline single-user setups, and as
//! the executable specification of the server's behaviour.

use std::collections::{BTreeMap, BTreeSet};

use crate::id::{LeadId, PoolId, UserId};
use crate::lead::record::{Custody, Lead};
use crate::org::organisation::Organisation;
use crate::pool::command::{PoolCommand, PoolContext, decide, due_for_recycling};
use crate::pool::config::PoolDirectory;
use crate::pool::error::PoolError;
use crate::pool::history::{LeadMove, Transition};
use crate::timestamp::Timestamp;

/// Leads, their move history, and an index of each rep's un-followed holdings per pool.
///
/// ```
/// use dealflow_core::{LeadLedger, PoolCommand, PoolError};
/// # use dealflow_core::{ChannelId, Custody, Lead, LeadDraft, LeadId, LocalizedText, Member,
/// #     Organisation, PoolConfig, PoolDirectory, PoolId, Role, Team, TeamId, Timestamp, UserId};
/// # let org = Organisation::new("c", vec![Team { id: TeamId::new("t")?, name: "t".into(), parent: None }],
/// #     ["li", "wang"].map(|id| Member { id: UserId::new(id).unwrap(), name: id.into(), role: Role::Rep,
/// #         team: Some(TeamId::new("t").unwrap()), active: true }).to_vec())?;
/// # let pool = PoolId::new("p")?;
/// # let pools = PoolDirectory::new(vec![PoolConfig { id: pool.clone(), name: LocalizedText::new("公海", "Pool"),
/// #     scope: Default::default(), team: None, claim_limit: 5, recycle_unfollowed_after_days: Some(3),
/// #     recycle_idle_after_days: None }])?;
/// # let mut lead = Lead::new(LeadId::new("l-1")?, LeadDraft::default(), ChannelId::new("web_form")?, Timestamp::from_millis(0));
/// # lead.custody = Custody::InPool { pool: pool.clone(), since: Timestamp::from_millis(0) };
/// # lead.home_pool = Some(pool);
/// # let now = Timestamp::from_millis(0);
/// let mut ledger = LeadLedger::new([lead]);
/// let claim = |by: &str| PoolCommand::Claim {
///     lead: LeadId::new("l-1").unwrap(),
///     by: UserId::new(by).unwrap(),
///     expected_version: 0,
/// };
/// ledger.execute(&claim("li"), &org, &pools, now)?;
/// let lost = ledger.execute(&claim("wang"), &org, &pools, now).unwrap_err();
/// assert!(matches!(lost, PoolError::LeadAlreadyClaimed { .. }));
///
/// // Li never follows up; three days later the lead goes back to the pool.
/// let recycled = ledger.recycle_due(&org, &pools, now.plus_days(3));
/// assert_eq!(recycled.len(), 1);
/// assert_eq!(ledger.history().len(), 2);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct LeadLedger {
    leads: BTreeMap<LeadId, Lead>,
    history: Vec<LeadMove>,
    holdings: BTreeMap<(UserId, PoolId), BTreeSet<LeadId>>,
}

impl LeadLedger {
    /// A ledger holding `leads` (a later lead with the same id replaces an earlier one).
    pub fn new(leads: impl IntoIterator<Item = Lead>) -> Self {
        let mut ledger = LeadLedger::default();
        for lead in leads {
            ledger.store(lead);
        }
        ledger
    }

    /// The lead with `id`.
    pub fn lead(&self, id: &LeadId) -> Option<&Lead> {
        self.leads.get(id)
    }

    /// All leads, by id.
    pub fn leads(&self) -> impl Iterator<Item = &Lead> {
        self.leads.values()
    }

    /// Number of leads.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// Whether the ledger holds no leads.
    pub fn is_empty(&self) -> bool {
        self.leads.is_empty()
    }

    /// Every move so far, oldest first.
    pub fn history(&self) -> &[LeadMove] {
        &self.history
    }

    /// The moves of one lead, oldest first.
    pub fn history_of<'a>(&'a self, lead: &'a LeadId) -> impl Iterator<Item = &'a LeadMove> + 'a {
        self.history
            .iter()
            .filter(move |record| &record.lead == lead)
    }

    /// How many leads from `pool` `user` holds without having followed them up.
    pub fn holdings(&self, user: &UserId, pool: &PoolId) -> u32 {
        self.holdings
            .get(&(user.clone(), pool.clone()))
            .map_or(0, |leads| u32::try_from(leads.len()).unwrap_or(u32::MAX))
    }

    /// Adds a lead that is not in the ledger yet (e.g. just imported).
    pub fn insert(&mut self, lead: Lead) {
        self.store(lead);
    }

    /// Decides and applies `command`, as the server would in one transaction.
    pub fn execute(
        &mut self,
        command: &PoolCommand,
        org: &Organisation,
        pools: &PoolDirectory,
        now: Timestamp,
    ) -> Result<&LeadMove, PoolError> {
        let lead = self.existing(command.lead())?;
        let claimant_holdings = match (command, &lead.custody) {
            (PoolCommand::Claim { by, .. }, Custody::InPool { pool, .. }) => {
                self.holdings(by, pool)
            }
            _ => 0,
        };
        let context = PoolContext {
            org,
            pools,
            claimant_holdings,
        };
        let transition = decide(lead, command, &context, now)?;
        self.apply(transition)
    }

    /// Applies a decided transition (from [`decide`], SLA resolution or a transfer) if the
    /// stored lead still has the version it was decided against.
    pub fn apply(&mut self, transition: Transition) -> Result<&LeadMove, PoolError> {
        let stored = self.existing(&transition.lead.id)?;
        let expected = transition.expected_version();
        if stored.version != expected {
            return Err(PoolError::StaleVersion {
                lead: stored.id.clone(),
                expected,
                actual: stored.version,
            });
        }
        self.store(transition.lead);
        self.history.push(transition.record);
        Ok(self.history.last().expect("a move was just appended"))
    }

    /// Records a follow-up of `lead` at `now` (see [`Lead::record_follow_up`]).
    pub fn record_follow_up(&mut self, lead: &LeadId, now: Timestamp) -> Result<&Lead, PoolError> {
        let updated = self.existing(lead)?.record_follow_up(now)?;
        self.store(updated);
        self.existing(lead)
    }

    /// Runs every due recycling at `now`; returns the moves made.
    pub fn recycle_due(
        &mut self,
        org: &Organisation,
        pools: &PoolDirectory,
        now: Timestamp,
    ) -> Vec<LeadMove> {
        let commands = due_for_recycling(self.leads.values(), pools, now);
        commands
            .iter()
            .filter_map(|command| self.execute(command, org, pools, now).ok().cloned())
            .collect()
    }

    fn existing(&self, id: &LeadId) -> Result<&Lead, PoolError> {
        self.leads
            .get(id)
            .ok_or_else(|| PoolError::UnknownLead { lead: id.clone() })
    }

    /// Replaces a lead, keeping the holdings index in step.
    fn store(&mut self, lead: Lead) {
        if let Some(previous) = self.leads.get(&lead.id)
            && let Some(key) = holding_key(previous)
            && let Some(held) = self.holdings.get_mut(&key)
        {
            held.remove(&previous.id);
            if held.is_empty() {
                self.holdings.remove(&key);
            }
        }
        if let Some(key) = holding_key(&lead) {
            self.holdings
                .entry(key)
                .or_default()
                .insert(lead.id.clone());
        }
        self.leads.insert(lead.id.clone(), lead);
    }
}

fn holding_key(lead: &Lead) -> Option<(UserId, PoolId)> {
    if !lead.awaits_follow_up() {
        return None;
    }
    Some((lead.owner()?.clone(), lead.home_pool.clone()?))
}
