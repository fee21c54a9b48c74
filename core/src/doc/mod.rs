//! The Automerge document schema: how deals, pipeline configurations and scoring counts are
//! stored as CRDT documents, read back tolerantly and edited so that concurrent edits merge.
//!
//! This module is the only place that knows the document layout; the wasm binding and the
//! server call it and never re-implement it.
//!
//! # Documents
//!
//! Every document is a map with a `type` (`"deal"`, `"pipeline"`, `"scoring_counts"`) and a
//! `schemaVersion` (1). Keys are camelCase. Readers tolerate fields they do not know, and
//! writers never delete them.
//!
//! - [`DealDoc`]: one document per deal.
//! - [`PipelineDoc`]: one document per pipeline configuration of an organisation.
//! - [`ScoringCounts`]: one document per team, the counts a naive-Bayes model learns from.
//! - Lead pools (`type` `"lead_pool"`): one document per pool, the leads in it, written only by
//!   the relay after each pool command it decided (see [`write_lead_pool`]).
//!
//! # CRDT shape of a deal, field by field
//!
//! | fields | shape | why |
//! |---|---|---|
//! | title, owner, source, amount, expected close, budget fields, account fields … | last-writer-wins register | one value is right; concurrent edits pick one deterministically |
//! | `needs`, `businessValue`, `account.background`, follow-up `summary` and `customerFeedback`, comment `text` | text object, written by character diff | concurrent typing merges character by character |
//! | contacts, relationships, competitors, follow-ups, comments, tasks, product lines, touchpoints, checklist, deal team | map keyed by record id, each record a map written field by field | concurrent additions both survive; edits to different fields of one record both survive |
//! | stage history, close-date changes, amount changes, forecast adjustments | map keyed by entry id, read back sorted by `(at, id)` | concurrent appends both survive, and the order is the same on every replica |
//! | money, next step, learned/manual probability, forecast category override, task title and origin | small map replaced whole | their parts only make sense together |
//! | competitor strengths/weaknesses, follow-up participants | list of strings, spliced | concurrent insertions both survive |
//! | scoring counts | counters, one bucket per actor | increments add up; see [`ScoringCounts`] |
//! | `quotes` (quote id → status, version, total, approver …) | map keyed by quote id, each quote a small map replaced whole by the relay with the state it holds (a client's edit is overwritten by the next decision) | a quote changes only through the relay's arbitration, so its parts must stay the ones decided together; see [`write_deal_quote`] |
//! | lead-pool `leads` (lead id → company, contact, version, since) | map keyed by lead id, each entry replaced whole when its version changes, deleted when the lead leaves the pool | written only by the relay after a pool command; readers are read-only peers |
//!
//! **The current stage after a merge.** Two replicas that move a deal offline each append a
//! history entry (each move was checked against the pipeline's rules on its replica). After the
//! merge both entries are in the history, and the current stage is the last entry in
//! `(at, id)` order: the later move wins, and equal times are broken by the entry id, so every
//! replica derives the same stage.
//!
//! **Authors and time.** Every edit is one Automerge change whose message ends with a
//! `Dealflow-User: <user id>` trailer and whose time is the `now` passed in (whole seconds, as
//! Automerge defines it). History ([`DealDoc::changes`], [`DealDoc::read_as_of`],
//! [`DealDoc::changes_between`]) maps changes to users through that trailer. The trailer is
//! what the editing client claims; the relay, which authenticates connections, is where a
//! claim can be checked.

/// The replica methods of a document held as one `AutoCommit` in a `doc` field (pipelines and
/// scoring counts): load, save, heads, fork, merge and sync. One definition, so the two
/// documents cannot drift apart in how they load, merge or report a corrupt peer.
macro_rules! autocommit_replica {
    ($doc:ident, $type_name:expr) => {
        impl $doc {
            /// Opens a saved document.
            pub fn load(
                bytes: &[u8],
                actor: automerge::ActorId,
            ) -> Result<Self, $crate::doc::DocError> {
                Ok($doc {
                    doc: $crate::doc::load_typed(bytes, actor, $type_name)?,
                })
            }

            /// The whole document, compacted.
            pub fn save(&mut self) -> Vec<u8> {
                self.doc.save()
            }

            /// The current heads.
            pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
                self.doc.get_heads()
            }

            /// A second replica with its own actor.
            pub fn fork(&mut self, actor: automerge::ActorId) -> Self {
                $doc {
                    doc: self.doc.fork().with_actor(actor),
                }
            }

            /// Takes in every change of `other` that this replica lacks.
            pub fn merge(&mut self, other: &mut $doc) -> Result<(), $crate::doc::DocError> {
                self.doc
                    .merge(&mut other.doc)
                    .map(|_| ())
                    .map_err(|error| $crate::doc::DocError::corrupt("changes", &error))
            }

            /// The next sync message for a peer, if there is anything to say.
            pub fn generate_sync_message(
                &mut self,
                state: &mut automerge::sync::State,
            ) -> Option<automerge::sync::Message> {
                automerge::sync::SyncDoc::generate_sync_message(&self.doc.sync(), state)
            }

            /// Applies a sync message from a peer.
            pub fn receive_sync_message(
                &mut self,
                state: &mut automerge::sync::State,
                message: automerge::sync::Message,
            ) -> Result<(), $crate::doc::DocError> {
                automerge::sync::SyncDoc::receive_sync_message(&mut self.doc.sync(), state, message)
                    .map_err(|error| $crate::doc::DocError::corrupt("sync message", &error))
            }
        }
    };
}

pub(crate) mod codec;
mod deal_doc;
mod deal_records;
mod deal_schema;
mod error;
mod history;
mod lead_pool_doc;
mod ownership;
mod pipeline_doc;
mod quote_section;
mod read;
mod scoring_counts;
mod write;

use automerge::ScalarValue;
use automerge::hydrate::{Map, Value};
use automerge::transaction::CommitOptions;

pub use deal_doc::{DealDoc, TextField};
pub use deal_schema::DealRead;
pub use error::{DocError, ValidationProblem};
pub use history::{ChangeRecord, FieldChange, FieldValue};
pub use lead_pool_doc::{
    LEAD_POOL_TYPE, LeadPoolRead, PooledLead, read_lead_pool, write_lead_pool,
};
pub use ownership::{
    deal_title, document_type, is_deal_document, relay_commit_options, write_deal_owner,
    write_deal_team_member,
};
pub use pipeline_doc::{PipelineDoc, PipelineRead};
pub use quote_section::{DealQuote, QUOTES_KEY, deal_quotes, write_deal_quote};
pub use scoring_counts::{ScoringCounts, ScoringCountsRead, ScoringOutcome};

use crate::id::UserId;
use crate::timestamp::Timestamp;

/// The schema version written into every document.
pub const SCHEMA_VERSION: u64 = 1;

/// The `type` of deal documents.
pub const DEAL_TYPE: &str = "deal";

/// The `type` of pipeline configuration documents.
pub const PIPELINE_TYPE: &str = "pipeline";

/// The `type` of the organisation document (its name, teams and settings), read by every member.
pub const ORGANISATION_TYPE: &str = "organisation";

/// The `type` of scoring-count documents.
pub const SCORING_COUNTS_TYPE: &str = "scoring_counts";

/// The id used when a required id in a document cannot be read.
pub const UNKNOWN_ID: &str = "unknown";

/// The commit-message trailer that names the user behind a change.
const USER_TRAILER: &str = "Dealflow-User: ";

/// Fails unless the document's `type` is `expected`.
fn check_type(root: &Map, expected: &'static str) -> Result<(), DocError> {
    match root.get("type") {
        Some(Value::Scalar(ScalarValue::Str(found))) if found.as_str() == expected => Ok(()),
        Some(Value::Scalar(ScalarValue::Str(found))) => Err(DocError::WrongType {
            expected,
            found: found.to_string(),
        }),
        other => Err(DocError::WrongType {
            expected,
            found: read::describe(other),
        }),
    }
}

/// Loads a document and checks its `type`.
fn load_typed(
    bytes: &[u8],
    actor: automerge::ActorId,
    expected: &'static str,
) -> Result<automerge::AutoCommit, DocError> {
    let doc = automerge::AutoCommit::load(bytes)
        .map_err(|error| DocError::corrupt("document", &error))?
        .with_actor(actor);
    check_doc_type(&doc, expected)?;
    Ok(doc)
}

/// Loads a plain document (no autocommit) and checks its `type`.
fn load_document(
    bytes: &[u8],
    actor: automerge::ActorId,
    expected: &'static str,
) -> Result<automerge::Automerge, DocError> {
    let doc = automerge::Automerge::load(bytes)
        .map_err(|error| DocError::corrupt("document", &error))?
        .with_actor(actor);
    check_doc_type(&doc, expected)?;
    Ok(doc)
}

/// Fails unless the document's `type` register is `expected`.
fn check_doc_type(doc: &impl automerge::ReadDoc, expected: &'static str) -> Result<(), DocError> {
    match doc.get(automerge::ROOT, "type") {
        Ok(Some((automerge::Value::Scalar(kind), _))) if kind.as_str() == Some(expected) => Ok(()),
        Ok(Some((automerge::Value::Scalar(kind), _))) => Err(DocError::WrongType {
            expected,
            found: kind
                .as_str()
                .map_or_else(|| kind.to_string(), str::to_owned),
        }),
        Ok(Some(_)) => Err(DocError::WrongType {
            expected,
            found: "an object".to_owned(),
        }),
        Ok(None) => Err(DocError::WrongType {
            expected,
            found: "missing".to_owned(),
        }),
        Err(error) => Err(DocError::corrupt("document", &error)),
    }
}

/// The placeholder id for required ids that cannot be read.
fn placeholder<T: TryFrom<String>>() -> Result<T, DocError> {
    T::try_from(UNKNOWN_ID.to_owned()).map_err(|_| DocError::WriteFailed {
        reason: "the placeholder id is invalid".to_owned(),
    })
}

/// Commit options recording who made an edit and when.
fn commit_options(author: &UserId, now: Timestamp, summary: &str) -> CommitOptions {
    CommitOptions::default()
        .with_message(format!("{summary}\n\n{USER_TRAILER}{author}"))
        .with_time(now.millis().div_euclid(1000))
}

/// The user named in a change message's trailer.
fn author_of(message: Option<&str>) -> Option<UserId> {
    message?
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(USER_TRAILER))
        .and_then(|user| UserId::new(user.trim()).ok())
}

/// The first line of a change message.
fn summary_of(message: Option<&str>) -> String {
    message
        .and_then(|message| message.lines().next())
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_messages_carry_the_user() {
        let user = UserId::new("rep-li").unwrap();
        let options = commit_options(&user, Timestamp::from_millis(1_500), "set title");
        let message = options.message.unwrap();
        assert_eq!(author_of(Some(&message)), Some(user));
        assert_eq!(summary_of(Some(&message)), "set title");
        assert_eq!(options.time, Some(1));
        assert_eq!(author_of(Some("made in another tool")), None);
        assert_eq!(author_of(None), None);
    }
}
