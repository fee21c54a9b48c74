//! Pool commands: creating leads into a pool, claiming, returning, putting, distributing and
//! assigning, each decided by core's `decide` in a storage transaction.

use std::sync::Arc;

use dealflow_core::{
    Actor, ChannelId, Lead, LeadDraft, LeadId, LeadMove, PoolCommand, PoolContext, PoolError,
    PoolId, ResourceDescriptor, ReturnReason, TeamId, UserId, access, decide,
};
use serde::Deserialize;

use super::{Arbiter, now, random_id};
use crate::error::AppError;

/// Most leads created by one request.
const MAX_NEW_LEADS: usize = 500;

/// A pool command as a client sends it: never with an actor, which is always the caller.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(
    tag = "command",
    rename_all = "snake_case",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum LeadCommandRequest {
    /// Claim a pooled lead.
    Claim {
        /// The version the caller saw.
        expected_version: u64,
    },
    /// Return an owned lead to its home pool.
    Return {
        /// Why.
        reason: ReturnReason,
        /// The version the caller saw.
        expected_version: u64,
    },
    /// Put a lead into a pool (managers, admins).
    Put {
        /// The pool.
        pool: PoolId,
        /// The version the caller saw.
        expected_version: u64,
    },
    /// Hand a lead to a team's queue (managers, admins).
    Distribute {
        /// The team.
        team: TeamId,
        /// The version the caller saw.
        expected_version: u64,
    },
    /// Give a lead to an owner (managers, admins).
    Assign {
        /// The new owner.
        to: UserId,
        /// The version the caller saw.
        expected_version: u64,
    },
}

impl LeadCommandRequest {
    /// Core's command for `lead`, acted by `by`.
    fn command(self, lead: LeadId, by: &UserId) -> PoolCommand {
        match self {
            LeadCommandRequest::Claim { expected_version } => PoolCommand::Claim {
                lead,
                by: by.clone(),
                expected_version,
            },
            LeadCommandRequest::Return {
                reason,
                expected_version,
            } => PoolCommand::Return {
                lead,
                by: by.clone(),
                reason,
                expected_version,
            },
            LeadCommandRequest::Put {
                pool,
                expected_version,
            } => PoolCommand::Put {
                lead,
                pool,
                by: Actor::User(by.clone()),
                expected_version,
            },
            LeadCommandRequest::Distribute {
                team,
                expected_version,
            } => PoolCommand::Distribute {
                lead,
                team,
                by: Actor::User(by.clone()),
                expected_version,
            },
            LeadCommandRequest::Assign {
                to,
                expected_version,
            } => PoolCommand::Assign {
                lead,
                to,
                by: Actor::User(by.clone()),
                rule: None,
                expected_version,
            },
        }
    }
}

/// A lead to create.
#[derive(Clone, PartialEq, Eq, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewLead {
    /// Its id; a fresh one when absent.
    #[serde(default)]
    pub id: Option<LeadId>,
    /// The contact's name.
    #[serde(default)]
    pub contact_name: String,
    /// The company.
    #[serde(default)]
    pub company: String,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Industry.
    #[serde(default)]
    pub industry: Option<String>,
    /// Product interest.
    #[serde(default)]
    pub product_interest: Option<String>,
    /// Campaign.
    #[serde(default)]
    pub campaign: Option<String>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// The source channel (`web_form` when absent).
    #[serde(default)]
    pub source: Option<ChannelId>,
}

impl Arbiter {
    /// Creates `leads` straight into `pool`, as `by` puts them there: core decides each put
    /// (only the pool team's managers and admins may), and each lead is stored with its first
    /// move. Leads whose id is taken are skipped. Returns the leads created.
    pub async fn create_leads(
        &self,
        by: &UserId,
        pool: &PoolId,
        leads: Vec<NewLead>,
    ) -> Result<Vec<Lead>, AppError> {
        if leads.len() > MAX_NEW_LEADS {
            return Err(AppError::InvalidRequest {
                status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                detail: format!(
                    "{} leads in one request: send at most {MAX_NEW_LEADS}",
                    leads.len()
                ),
            });
        }
        let org = self.directory.organisation();
        let at = now();
        let mut created = Vec::new();
        for new in leads {
            let id = match new.id {
                Some(id) => id,
                None => LeadId::new(random_id("lead")?).map_err(dealflow_core::Error::from)?,
            };
            let source = match new.source {
                Some(source) => source,
                None => ChannelId::new("web_form").map_err(dealflow_core::Error::from)?,
            };
            let draft = LeadDraft {
                contact_name: new.contact_name,
                company: new.company,
                phone: new.phone,
                email: new.email,
                region: new.region,
                industry: new.industry,
                product_interest: new.product_interest,
                campaign: new.campaign,
                notes: new.notes,
            };
            let lead = Lead::new(id.clone(), draft, source, at);
            let command = PoolCommand::Put {
                lead: id,
                pool: pool.clone(),
                by: Actor::User(by.clone()),
                expected_version: lead.version,
            };
            let context = PoolContext {
                org,
                pools: &self.pools,
                claimant_holdings: 0,
            };
            let transition =
                decide(&lead, &command, &context, at).map_err(dealflow_core::Error::from)?;
            let stored = transition.lead.clone();
            if self.store.insert_lead(transition).await? {
                created.push(stored);
            }
        }
        if !created.is_empty() {
            self.refresh_pool_after(pool, by).await;
        }
        Ok(created)
    }

    /// The leads in `pool` that `user` may see.
    pub async fn pool_leads(&self, user: &UserId, pool: &PoolId) -> Result<Vec<Lead>, AppError> {
        let config = self
            .pools
            .get(pool)
            .filter(|config| self.sees_pool(user, config))
            .ok_or_else(|| {
                dealflow_core::Error::from(PoolError::UnknownPool { pool: pool.clone() })
            })?;
        let org = self.directory.organisation();
        let leads = self.store.leads_in_pool(config.id.clone()).await?;
        Ok(leads
            .into_iter()
            .filter(|lead| {
                access(org, user, &ResourceDescriptor::of_lead(lead, &self.pools)).can_read()
            })
            .collect())
    }

    /// A lead `user` may see, with its moves.
    pub async fn lead(&self, user: &UserId, id: &str) -> Result<(Lead, Vec<LeadMove>), AppError> {
        let unavailable = || AppError::LeadUnavailable {
            lead: id.chars().take(64).collect(),
        };
        let lead_id = LeadId::new(id).map_err(|_| unavailable())?;
        let lead = self
            .store
            .lead(lead_id.clone())
            .await?
            .filter(|lead| {
                let org = self.directory.organisation();
                access(org, user, &ResourceDescriptor::of_lead(lead, &self.pools)).can_read()
            })
            .ok_or_else(unavailable)?;
        let history = self.store.lead_history(lead_id).await?;
        Ok((lead, history))
    }

    /// Decides `request` on lead `id` as `by`, stores it, and rewrites the documents of the
    /// pools the lead left and entered. A lead `by` may not see is unavailable, the same as a
    /// missing one; but someone who could have seen it in its pool learns who claimed it first.
    pub async fn lead_command(
        &self,
        by: &UserId,
        id: &str,
        request: LeadCommandRequest,
    ) -> Result<(Lead, LeadMove), AppError> {
        let unavailable = || AppError::LeadUnavailable {
            lead: id.chars().take(64).collect(),
        };
        let lead_id = LeadId::new(id).map_err(|_| unavailable())?;
        let claimant = matches!(request, LeadCommandRequest::Claim { .. }).then(|| by.clone());
        let command = request.command(lead_id.clone(), by);
        let directory = Arc::clone(&self.directory);
        let pools = Arc::clone(&self.pools);
        let caller = by.clone();
        let decided = self
            .store
            .decide_lead(
                lead_id.clone(),
                claimant,
                Box::new(move |lead, claimant_holdings| {
                    let org = directory.organisation();
                    if !may_know(org, &pools, &caller, lead) {
                        return Err(PoolError::UnknownLead {
                            lead: lead.id.clone(),
                        }
                        .into());
                    }
                    let context = PoolContext {
                        org,
                        pools: &pools,
                        claimant_holdings,
                    };
                    Ok(decide(lead, &command, &context, now())?)
                }),
            )
            .await?;
        let transition = match decided {
            None => return Err(unavailable()),
            Some(Err(dealflow_core::Error::Pool(PoolError::UnknownLead { .. }))) => {
                return Err(unavailable());
            }
            Some(Err(refused)) => return Err(refused.into()),
            Some(Ok(transition)) => transition,
        };
        let mut touched: Vec<PoolId> = [transition.record.from.pool(), transition.record.to.pool()]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        touched.dedup();
        for pool in touched {
            self.refresh_pool_after(&pool, by).await;
        }
        tracing::info!(lead = %lead_id, by = %by, kind = ?transition.record.kind, "decided a pool command");
        Ok((transition.lead, transition.record))
    }
}

/// Whether `user` may learn about `lead`: they may see it now, or it came from a pool whose
/// audience they are in (so the loser of a claim learns who won, and nobody else does).
fn may_know(
    org: &dealflow_core::Organisation,
    pools: &dealflow_core::PoolDirectory,
    user: &UserId,
    lead: &Lead,
) -> bool {
    if access(org, user, &ResourceDescriptor::of_lead(lead, pools)).can_read() {
        return true;
    }
    lead.home_pool
        .as_ref()
        .and_then(|pool| pools.get(pool))
        .is_some_and(|pool| match &pool.team {
            Some(team) => org.belongs_within(user, team),
            None => org.active_member(user).is_some(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_never_carry_an_actor() {
        let claim: LeadCommandRequest =
            serde_json::from_str(r#"{"command":"claim","expectedVersion":3}"#).unwrap();
        assert_eq!(
            claim,
            LeadCommandRequest::Claim {
                expected_version: 3
            }
        );
        for smuggled in [
            r#"{"command":"claim","expectedVersion":3,"by":"liu-yang"}"#,
            r#"{"command":"assign","to":"liu-yang","expectedVersion":3,"by":{"kind":"system"}}"#,
            r#"{"command":"recycle","expectedVersion":3}"#,
        ] {
            assert!(
                serde_json::from_str::<LeadCommandRequest>(smuggled).is_err(),
                "{smuggled}"
            );
        }
    }

    #[test]
    fn the_caller_is_the_actor() {
        let lead = LeadId::new("l-1").unwrap();
        let by = UserId::new("zhang-wei").unwrap();
        let command = LeadCommandRequest::Assign {
            to: UserId::new("liu-yang").unwrap(),
            expected_version: 1,
        }
        .command(lead, &by);
        assert!(matches!(command, PoolCommand::Assign { by: Actor::User(user), .. } if user == by));
    }
}
