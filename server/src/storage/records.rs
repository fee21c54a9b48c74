//! The relay's authoritative record of every document: its kind, owner, owning team and deal
//! team. Access is decided from these records with core's `access`, never from what a document
//! says about itself.
//!
//! Changes to a record are exclusive actions: [`Records::update_document`] runs the caller's
//! decision on the current record inside a write transaction, so two concurrent transfers are
//! serialised and each is decided against what the other left.

use std::fmt;

use dealflow_core::sync::DocumentId;
use dealflow_core::{
    Access, DealRole, DealTeamMember, ResourceDescriptor, ResourceKind, TeamId, UserId,
};

use super::StorageFuture;

/// One document's record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocumentRecord {
    /// The document.
    pub id: DocumentId,
    /// Its `type` when it was registered (`deal`, `pipeline`, …).
    pub kind: String,
    /// Who owns it.
    pub owner: UserId,
    /// The team it belongs to (its owner's team).
    pub team: Option<TeamId>,
    /// When it was registered, milliseconds since the epoch.
    pub created_at_ms: i64,
    /// Its deal team, sorted by user.
    pub members: Vec<DocumentMember>,
}

/// A deal-team member as the relay records them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DocumentMember {
    /// The member.
    pub user: UserId,
    /// `Read` or `Write`.
    pub access: Access,
    /// Their role on the deal, for display in the document.
    pub role: DealRole,
}

impl DocumentRecord {
    /// A new record owned by `owner` in `team`, with no deal team.
    pub fn new(
        id: DocumentId,
        kind: impl Into<String>,
        owner: UserId,
        team: Option<TeamId>,
        created_at_ms: i64,
    ) -> Self {
        DocumentRecord {
            id,
            kind: kind.into(),
            owner,
            team,
            created_at_ms,
            members: Vec::new(),
        }
    }

    /// What core's visibility rules need to know. Deals and leads map to their own kinds;
    /// pipelines and the organisation document are organisation-wide configuration (every
    /// member reads them); every other kind (accounts, scoring counts) is governed like an
    /// account: its owner, managers over its team and admins, with no deal team.
    pub fn descriptor(&self) -> ResourceDescriptor {
        if self.is_relay_pool() {
            return lead_pool_descriptor(self.team.as_ref());
        }
        let kind = resource_kind(&self.kind);
        ResourceDescriptor {
            kind,
            owner: Some(self.owner.clone()),
            owning_team: self.team.clone(),
            deal_team: self
                .members
                .iter()
                .map(|member| DealTeamMember {
                    user: member.user.clone(),
                    access: member.access,
                })
                .collect(),
            pool_audience: None,
        }
    }

    /// This record after a decision returned `next` (owner, team and deal team from `next`;
    /// members keep their recorded role, new ones get `new_member_role`).
    pub fn with_decision(&self, next: &ResourceDescriptor, new_member_role: DealRole) -> Self {
        let mut record = self.clone();
        if let Some(owner) = &next.owner {
            record.owner = owner.clone();
        }
        record.team = next.owning_team.clone();
        record.members = next
            .deal_team
            .iter()
            .map(|entry| DocumentMember {
                user: entry.user.clone(),
                access: entry.access,
                role: self
                    .members
                    .iter()
                    .find(|member| member.user == entry.user)
                    .map_or(new_member_role, |member| member.role),
            })
            .collect();
        record.members.sort_by(|a, b| a.user.cmp(&b.user));
        record
    }
}

/// The owner the relay records for documents it creates and alone writes (lead pools). Not a
/// directory user, so nobody holds the owner's rights.
pub const RELAY_OWNER: &str = "dealflow-relay";

impl DocumentRecord {
    /// Whether this is a lead-pool document the relay created. A client that creates a document
    /// claiming to be a pool gets an ordinary document it owns, visible to no pool audience.
    fn is_relay_pool(&self) -> bool {
        self.kind == dealflow_core::LEAD_POOL_TYPE && self.owner.as_str() == RELAY_OWNER
    }

    /// What `user` may do with the document: core's [`access`](dealflow_core::access) on the
    /// record, capped at `Read` for documents only the relay writes (lead pools), so that every
    /// peer's changes to them are dropped and reported.
    pub fn access_for(
        &self,
        org: &dealflow_core::Organisation,
        user: &UserId,
    ) -> dealflow_core::AccessDecision {
        let mut decision = dealflow_core::access(org, user, &self.descriptor());
        if self.kind == dealflow_core::LEAD_POOL_TYPE {
            decision.access = decision.access.min(Access::Read);
        }
        decision
    }
}

/// A pool document is seen like a lead sitting in the pool: by the pool's audience (its team and
/// sub-teams, or everyone for a company pool), the team's managers and admins.
fn lead_pool_descriptor(team: Option<&TeamId>) -> ResourceDescriptor {
    ResourceDescriptor {
        kind: ResourceKind::Lead,
        owner: None,
        owning_team: None,
        deal_team: Vec::new(),
        pool_audience: Some(match team {
            Some(team) => dealflow_core::PoolAudience::Team(team.clone()),
            None => dealflow_core::PoolAudience::Company,
        }),
    }
}

/// The resource kind a document `type` is governed as.
pub fn resource_kind(kind: &str) -> ResourceKind {
    match kind {
        dealflow_core::DEAL_TYPE => ResourceKind::Deal,
        "lead" => ResourceKind::Lead,
        dealflow_core::PIPELINE_TYPE | dealflow_core::ORGANISATION_TYPE => {
            ResourceKind::OrganisationConfig
        }
        _ => ResourceKind::Account,
    }
}

/// A decision run inside the write transaction: the next record, or why not.
pub type RecordDecision =
    Box<dyn FnOnce(&DocumentRecord) -> Result<DocumentRecord, dealflow_core::Error> + Send>;

/// Where document records live. Implemented by [`SqliteStorage`](super::SqliteStorage) (tables
/// `documents` and `document_members`) and [`MemoryStorage`](super::MemoryStorage).
pub trait Records: Send + Sync + fmt::Debug {
    /// The record of `id`, if the document is registered.
    fn document(&self, id: DocumentId) -> StorageFuture<'_, Option<DocumentRecord>>;

    /// Registers a new document unless it is registered already; returns the stored record
    /// (the earlier one if there was one). Durable when it resolves.
    fn register_document(&self, record: DocumentRecord) -> StorageFuture<'_, DocumentRecord>;

    /// Every registered document's record, by id. The document list filters it through core's
    /// `access` for the caller.
    fn all_documents(&self) -> StorageFuture<'_, Vec<DocumentRecord>>;

    /// Runs `decide` on the current record inside a write transaction and stores what it
    /// returns. `None` if the document is not registered; `Some(Err)` if `decide` refused (and
    /// nothing was written). Durable when it resolves.
    fn update_document(
        &self,
        id: DocumentId,
        decide: RecordDecision,
    ) -> StorageFuture<'_, Option<Result<DocumentRecord, dealflow_core::Error>>>;
}

/// The stored spelling of a member's access.
pub(super) fn access_name(access: Access) -> &'static str {
    match access {
        Access::None => "none",
        Access::Read => "read",
        Access::Write | Access::Administer => "write",
    }
}

/// The access a stored name stands for.
pub(super) fn parse_access(name: &str) -> Option<Access> {
    match name {
        "read" => Some(Access::Read),
        "write" => Some(Access::Write),
        _ => None,
    }
}

/// The stored spelling of a deal role (the document's spelling too).
pub(super) fn role_name(role: DealRole) -> &'static str {
    match role {
        DealRole::Owner => "owner",
        DealRole::Presales => "presales",
        DealRole::Manager => "manager",
        DealRole::Delivery => "delivery",
        _ => "other",
    }
}

/// The deal role a stored name stands for.
pub(super) fn parse_role(name: &str) -> Option<DealRole> {
    match name {
        "owner" => Some(DealRole::Owner),
        "presales" => Some(DealRole::Presales),
        "manager" => Some(DealRole::Manager),
        "delivery" => Some(DealRole::Delivery),
        "other" => Some(DealRole::Other),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for access in [Access::Read, Access::Write] {
            assert_eq!(parse_access(access_name(access)), Some(access));
        }
        for role in [
            DealRole::Owner,
            DealRole::Presales,
            DealRole::Manager,
            DealRole::Delivery,
            DealRole::Other,
        ] {
            assert_eq!(parse_role(role_name(role)), Some(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::from(role_name(role))
            );
        }
    }

    #[test]
    fn document_kinds_map_to_resource_kinds() {
        assert_eq!(resource_kind("deal"), ResourceKind::Deal);
        assert_eq!(resource_kind("pipeline"), ResourceKind::OrganisationConfig);
        assert_eq!(
            resource_kind("organisation"),
            ResourceKind::OrganisationConfig
        );
        assert_eq!(resource_kind("scoring_counts"), ResourceKind::Account);
        assert_eq!(resource_kind("lead"), ResourceKind::Lead);
    }
}
