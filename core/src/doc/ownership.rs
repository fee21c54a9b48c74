//! What the relay writes into documents after deciding an exclusive action, and what it reads
//! from a document it is handed.
//!
//! The relay holds owners and deal teams authoritatively in its own tables; the copy in a deal
//! document is display, kept in step by the relay writing its decisions as changes of its own.
//! These functions take any Automerge transaction (the relay's sync layer commits through
//! `DocSync::change`), so the schema keys stay in this module.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use super::codec::DocName;
use super::error::DocError;
use super::{DEAL_TYPE, commit_options};
use crate::deal::DealRole;
use crate::id::{TeamId, UserId};
use crate::timestamp::Timestamp;

/// The document's `type` register (`"deal"`, `"pipeline"`, …), if it holds a string.
///
/// ```
/// use automerge::{Automerge, ROOT, transaction::Transactable};
/// use dealflow_core::document_type;
/// let mut doc = Automerge::new();
/// assert_eq!(document_type(&doc), None);
/// let mut tx = doc.transaction();
/// tx.put(ROOT, "type", "deal").unwrap();
/// tx.commit();
/// assert_eq!(document_type(&doc).as_deref(), Some("deal"));
/// ```
pub fn document_type(doc: &impl ReadDoc) -> Option<String> {
    match doc.get(ROOT, "type") {
        Ok(Some((Value::Scalar(value), _))) => value.as_str().map(str::to_owned),
        _ => None,
    }
}

/// A deal document's title, for lists that show many deals without reading each one whole
/// (the relay's document list). `None` unless the document is a deal whose `title` is a string.
///
/// ```
/// use automerge::{Automerge, ROOT, transaction::Transactable};
/// use dealflow_core::deal_title;
/// let mut doc = Automerge::new();
/// let mut tx = doc.transaction();
/// tx.put(ROOT, "type", "deal").unwrap();
/// tx.put(ROOT, "title", "华东电网 CRM 二期").unwrap();
/// tx.commit();
/// assert_eq!(deal_title(&doc).as_deref(), Some("华东电网 CRM 二期"));
/// ```
pub fn deal_title(doc: &impl ReadDoc) -> Option<String> {
    if !is_deal_document(doc) {
        return None;
    }
    match doc.get(ROOT, "title") {
        Ok(Some((Value::Scalar(value), _))) => value.as_str().map(str::to_owned),
        _ => None,
    }
}

/// Whether the document is a deal document (its `type` is `"deal"`).
pub fn is_deal_document(doc: &impl ReadDoc) -> bool {
    document_type(doc).as_deref() == Some(DEAL_TYPE)
}

/// Writes a deal's owner and owning team as the relay decided them. Writes nothing for a
/// register that already holds the value, so repeating a decision adds no operations.
pub fn write_deal_owner(
    tx: &mut impl Transactable,
    owner: &UserId,
    team: Option<&TeamId>,
) -> Result<(), DocError> {
    put_if_changed(tx, &ROOT, "owner", ScalarValue::Str(owner.as_str().into()))?;
    let team = team.map_or(ScalarValue::Null, |team| {
        ScalarValue::Str(team.as_str().into())
    });
    put_if_changed(tx, &ROOT, "team", team)
}

/// Puts `user` on the deal team with `role` (`Some`) or takes them off it (`None`). The
/// `dealTeam` map is reused, so concurrent edits of other members merge.
pub fn write_deal_team_member(
    tx: &mut impl Transactable,
    user: &UserId,
    role: Option<DealRole>,
) -> Result<(), DocError> {
    let team = match tx.get(ROOT, "dealTeam") {
        Ok(Some((Value::Object(ObjType::Map), id))) => id,
        Ok(_) if role.is_none() => return Ok(()),
        Ok(_) => tx
            .put_object(ROOT, "dealTeam", ObjType::Map)
            .map_err(|error| DocError::write(&error))?,
        Err(error) => return Err(DocError::write(&error)),
    };
    match role {
        Some(role) => put_if_changed(
            tx,
            &team,
            user.as_str(),
            ScalarValue::Str(role.doc_name().into()),
        ),
        None => match tx.get(&team, user.as_str()) {
            Ok(Some(_)) => tx
                .delete(&team, user.as_str())
                .map_err(|error| DocError::write(&error)),
            Ok(None) => Ok(()),
            Err(error) => Err(DocError::write(&error)),
        },
    }
}

/// Commit options for a change the relay writes on behalf of `author` (who asked for the
/// decision) at `now`, so that document history names them like any other edit.
pub fn relay_commit_options(author: &UserId, now: Timestamp, summary: &str) -> CommitOptions {
    commit_options(author, now, summary)
}

fn put_if_changed(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    value: ScalarValue,
) -> Result<(), DocError> {
    match tx.get(obj, key) {
        Ok(Some((Value::Scalar(current), _))) if *current == value => Ok(()),
        Ok(_) => tx
            .put(obj, key, value)
            .map_err(|error| DocError::write(&error)),
        Err(error) => Err(DocError::write(&error)),
    }
}

#[cfg(test)]
mod tests {
    use automerge::{ActorId, AutoCommit};

    use super::*;
    use crate::doc::DealDoc;

    fn deal_doc() -> AutoCommit {
        let mut doc = AutoCommit::new().with_actor(ActorId::from(*b"writer"));
        doc.put(ROOT, "type", DEAL_TYPE).unwrap();
        doc.put(ROOT, "schemaVersion", 1_u64).unwrap();
        doc.put(ROOT, "id", "deal-1").unwrap();
        doc.put(ROOT, "owner", "li").unwrap();
        doc.commit();
        doc
    }

    #[test]
    fn the_deal_reads_back_what_the_relay_wrote() {
        let mut doc = deal_doc();
        let user = UserId::new("zhou").unwrap();
        let team = TeamId::new("south").unwrap();
        write_deal_owner(&mut doc, &user, Some(&team)).unwrap();
        write_deal_team_member(
            &mut doc,
            &UserId::new("chen").unwrap(),
            Some(DealRole::Presales),
        )
        .unwrap();
        write_deal_team_member(&mut doc, &UserId::new("wu").unwrap(), Some(DealRole::Other))
            .unwrap();
        write_deal_team_member(&mut doc, &UserId::new("wu").unwrap(), None).unwrap();
        doc.commit();
        assert!(is_deal_document(&doc));
        let read = DealDoc::from_automerge(doc.document().clone())
            .unwrap()
            .read()
            .unwrap();
        assert_eq!(read.deal.owner, user);
        assert_eq!(read.deal.team, Some(team));
        let members: Vec<(&str, DealRole)> = read
            .deal
            .deal_team
            .iter()
            .map(|(user, role)| (user.as_str(), *role))
            .collect();
        assert_eq!(members, [("chen", DealRole::Presales)]);
    }

    #[test]
    fn repeating_a_decision_writes_nothing() {
        let mut doc = deal_doc();
        let user = UserId::new("li").unwrap();
        let ops = doc.document().stats().num_ops;
        write_deal_owner(&mut doc, &user, None).unwrap();
        write_deal_team_member(&mut doc, &user, None).unwrap();
        assert_eq!(doc.pending_ops(), 1, "only the team register is new");
        doc.commit();
        write_deal_owner(&mut doc, &user, None).unwrap();
        assert_eq!(doc.pending_ops(), 0);
        assert!(doc.document().stats().num_ops > ops);
    }
}
