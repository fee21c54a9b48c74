//! Handing a departing rep's leads, deals and tasks over to a successor or back to pools.
//!
//! [`plan_transfer`] only plans: it returns every change for the caller (the server) to apply,
//! lead by lead with compare-and-set ([`apply_lead_handover`]), deal by deal in its ownership
//! records. Records keep their history (follow-ups, comments, stage changes): only the owner
//! changes, and each lead's move is recorded as [`crate::MoveKind::Transferred`].

use serde::{Deserialize, Serialize};

use crate::id::{AccountId, DealId, LeadId, PoolId, RecordId, TeamId, UserId};
use crate::lead::error::LeadError;
use crate::lead::record::Lead;
use crate::org::error::OrgError;
use crate::org::organisation::{Organisation, Role};
use crate::org::visibility::ResourceDescriptor;
use crate::pool::command::check_expected;
use crate::pool::config::PoolDirectory;
use crate::pool::error::PoolError;
use crate::pool::history::{Actor, MoveKind, Transition, into_pool, owned_by, transition};
use crate::timestamp::Timestamp;

/// Where the departing rep's open leads go. Deals and tasks always go to the successor.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LeadDisposition {
    /// To the successor.
    ToSuccessor,
    /// Back to each lead's home pool, or `fallback_pool` for leads without one; leads with
    /// neither go to the successor.
    ToPools {
        /// The pool for leads without a home pool.
        #[serde(default)]
        fallback_pool: Option<PoolId>,
    },
}

/// Who leaves, who takes over, and where leads go.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TransferRequest {
    /// The departing user (may already be inactive).
    pub departing: UserId,
    /// The successor: an active rep or manager.
    pub successor: UserId,
    /// Where open leads go.
    pub leads: LeadDisposition,
}

/// A deal the departing user owns or is on the deal team of.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct HeldDeal {
    /// The deal.
    pub id: DealId,
    /// Its ownership facts.
    pub descriptor: ResourceDescriptor,
}

/// What a task hangs off.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum TaskParent {
    /// A lead.
    Lead(LeadId),
    /// A deal.
    Deal(DealId),
    /// An account.
    Account(AccountId),
}

/// A task assigned to the departing user.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct HeldTask {
    /// The task record.
    pub id: RecordId,
    /// Its assignee.
    pub assignee: UserId,
    /// What it belongs to, if anything.
    #[serde(default)]
    pub parent: Option<TaskParent>,
}

/// Where one lead goes.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum HandoverTarget {
    /// To this user.
    User(UserId),
    /// Into this pool.
    Pool(PoolId),
}

/// One lead's hand-over.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct LeadHandover {
    /// The lead.
    pub lead: LeadId,
    /// Its version when planned.
    pub expected_version: u64,
    /// Where it goes.
    pub to: HandoverTarget,
}

/// One deal's change.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DealHandover {
    /// The departing user owned it: the successor owns it now, in their team. If the successor
    /// was on the deal team, they leave it (they own the deal now).
    NewOwner {
        /// The deal.
        deal: DealId,
        /// The new owner.
        owner: UserId,
        /// The new owning team.
        owning_team: Option<TeamId>,
        /// Whether to remove the successor from the deal team.
        remove_successor_from_deal_team: bool,
    },
    /// The departing user was on the deal team only: they leave it.
    LeaveDealTeam {
        /// The deal.
        deal: DealId,
    },
}

/// One task's new assignee.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TaskHandover {
    /// The task.
    pub task: RecordId,
    /// The new assignee.
    pub to: UserId,
}

/// An input the plan left alone.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum SkippedItem {
    /// A lead not owned by the departing user.
    Lead(LeadId),
    /// A deal the departing user neither owns nor is on the team of.
    Deal(DealId),
    /// A task not assigned to the departing user.
    Task(RecordId),
}

/// Everything to change, for the caller to apply.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TransferPlan {
    /// The departing user.
    pub departing: UserId,
    /// The successor.
    pub successor: UserId,
    /// Lead hand-overs.
    pub leads: Vec<LeadHandover>,
    /// Deal changes.
    pub deals: Vec<DealHandover>,
    /// Task re-assignments.
    pub tasks: Vec<TaskHandover>,
    /// Inputs that did not belong to the departing user (stale lists); nothing happens to them.
    pub skipped: Vec<SkippedItem>,
}

/// Plans the hand-over of everything `request.departing` holds among `leads`, `deals` and
/// `tasks`.
///
/// ```
/// use dealflow_core::{
///     plan_transfer, Access, ChannelId, Custody, DealHandover, DealId, HandoverTarget, HeldDeal,
///     Lead, LeadDisposition, LeadDraft, LeadId, Member, Organisation, PoolDirectory,
///     ResourceDescriptor, ResourceKind, Role, Team, TeamId, Timestamp, TransferRequest, UserId,
/// };
/// let team = TeamId::new("east")?;
/// let org = Organisation::new(
///     "示例科技",
///     vec![Team { id: team.clone(), name: "华东".into(), parent: None }],
///     ["li", "wang"].map(|id| Member {
///         id: UserId::new(id).unwrap(), name: id.into(), role: Role::Rep,
///         team: Some(team.clone()), active: id != "li",
///     }).to_vec(),
/// )?;
/// let li = UserId::new("li")?;
/// let mut lead = Lead::new(LeadId::new("l-1")?, LeadDraft::default(), ChannelId::new("referral")?, Timestamp::from_millis(0));
/// lead.custody = Custody::Owned { owner: li.clone(), since: Timestamp::from_millis(0) };
/// let deal = HeldDeal {
///     id: DealId::new("d-1")?,
///     descriptor: ResourceDescriptor::owned(ResourceKind::Deal, li.clone(), Some(team.clone())),
/// };
/// let request = TransferRequest { departing: li, successor: UserId::new("wang")?, leads: LeadDisposition::ToSuccessor };
/// let plan = plan_transfer(&org, &PoolDirectory::default(), &request, &[lead], &[deal], &[])?;
/// assert_eq!(plan.leads[0].to, HandoverTarget::User(UserId::new("wang")?));
/// assert!(matches!(&plan.deals[0], DealHandover::NewOwner { owner, .. } if owner.as_str() == "wang"));
/// # Ok::<(), dealflow_core::Error>(())
/// ```
pub fn plan_transfer(
    org: &Organisation,
    pools: &PoolDirectory,
    request: &TransferRequest,
    leads: &[Lead],
    deals: &[HeldDeal],
    tasks: &[HeldTask],
) -> Result<TransferPlan, OrgError> {
    let departing = &request.departing;
    let successor = &request.successor;
    if org.member(departing).is_none() {
        return Err(OrgError::UnknownUser {
            user: departing.clone(),
        });
    }
    let successor_member = org
        .active_member(successor)
        .filter(|member| member.role != Role::Admin && successor != departing)
        .ok_or_else(|| OrgError::InvalidSuccessor {
            user: successor.clone(),
        })?;
    let mut plan = TransferPlan {
        departing: departing.clone(),
        successor: successor.clone(),
        leads: Vec::new(),
        deals: Vec::new(),
        tasks: Vec::new(),
        skipped: Vec::new(),
    };

    for lead in leads {
        if lead.owner() != Some(departing) {
            plan.skipped.push(SkippedItem::Lead(lead.id.clone()));
            continue;
        }
        let pool = match &request.leads {
            LeadDisposition::ToPools { fallback_pool } if lead.status.is_open() => {
                [lead.home_pool.as_ref(), fallback_pool.as_ref()]
                    .into_iter()
                    .flatten()
                    .find(|pool| pools.get(pool).is_some())
                    .cloned()
            }
            _ => None,
        };
        plan.leads.push(LeadHandover {
            lead: lead.id.clone(),
            expected_version: lead.version,
            to: pool.map_or_else(
                || HandoverTarget::User(successor.clone()),
                HandoverTarget::Pool,
            ),
        });
    }

    for deal in deals {
        let descriptor = &deal.descriptor;
        if descriptor.owner.as_ref() == Some(departing) {
            plan.deals.push(DealHandover::NewOwner {
                deal: deal.id.clone(),
                owner: successor.clone(),
                owning_team: successor_member.team.clone(),
                remove_successor_from_deal_team: descriptor
                    .deal_team
                    .iter()
                    .any(|member| &member.user == successor),
            });
        } else if descriptor
            .deal_team
            .iter()
            .any(|member| &member.user == departing)
        {
            plan.deals.push(DealHandover::LeaveDealTeam {
                deal: deal.id.clone(),
            });
        } else {
            plan.skipped.push(SkippedItem::Deal(deal.id.clone()));
        }
    }

    for task in tasks {
        if &task.assignee == departing {
            plan.tasks.push(TaskHandover {
                task: task.id.clone(),
                to: successor.clone(),
            });
        } else {
            plan.skipped.push(SkippedItem::Task(task.id.clone()));
        }
    }
    Ok(plan)
}

/// The transition that applies `handover` to the stored `lead`, if it is still owned by
/// `departing` at the planned version. Closed (converted or invalid) leads change owner too, so
/// reports stay attributable.
pub fn apply_lead_handover(
    lead: &Lead,
    handover: &LeadHandover,
    departing: &UserId,
    actor: Actor,
    now: Timestamp,
) -> Result<Transition, PoolError> {
    if handover.lead != lead.id {
        return Err(PoolError::WrongLead {
            expected: handover.lead.clone(),
            found: lead.id.clone(),
        });
    }
    match lead.owner() {
        None => {
            return Err(LeadError::NotOwned {
                lead: lead.id.clone(),
            }
            .into());
        }
        Some(owner) if owner != departing => {
            return Err(PoolError::LeadAlreadyClaimed {
                lead: lead.id.clone(),
                by: owner.clone(),
            });
        }
        Some(_) => {}
    }
    check_expected(lead, handover.expected_version)?;
    let custody = match &handover.to {
        HandoverTarget::User(user) => owned_by(user.clone(), now),
        HandoverTarget::Pool(pool) => into_pool(pool.clone(), now),
    };
    Ok(transition(
        lead,
        custody,
        MoveKind::Transferred {
            from: departing.clone(),
        },
        actor,
        now,
    ))
}
