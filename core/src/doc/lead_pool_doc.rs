//! Lead-pool documents: one per pool, listing the leads that sit in it now, written only by the
//! relay after each pool command it decided.
//!
//! Pool members read the document to see what they may claim; they never write it (the relay
//! shares it read-only, drops their changes and reports them, as for read-only deals), and
//! claims go through the relay's HTTP endpoint. Layout: `type` `"lead_pool"`, `schemaVersion`,
//! `pool` (the pool id), `name` `{ zhCn, en }` and `leads`, a map keyed by lead id whose entries
//! are small maps **replaced whole** when the lead's version changes and deleted when the lead
//! leaves the pool. Entries whose version is unchanged are not rewritten, so a rewrite after a
//! command adds operations only for the leads that moved.

use std::collections::BTreeSet;

use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};

use super::error::DocError;
use super::quote_section::{string, uint};
use super::{SCHEMA_VERSION, document_type};
use crate::id::{LeadId, PoolId};
use crate::lead::record::{Custody, Lead};
use crate::pool::config::PoolConfig;
use crate::timestamp::Timestamp;

/// The `type` of lead-pool documents.
pub const LEAD_POOL_TYPE: &str = "lead_pool";

/// A lead as a pool document lists it: what a rep needs to decide whether to claim it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PooledLead {
    /// The lead.
    pub id: LeadId,
    /// Its version: a claim names it as the version the rep saw.
    pub version: u64,
    /// The company.
    pub company: String,
    /// The contact's name.
    pub contact_name: String,
    /// Region, if known.
    pub region: Option<String>,
    /// Industry, if known.
    pub industry: Option<String>,
    /// Product interest, if known.
    pub product_interest: Option<String>,
    /// Since when it sits in the pool.
    pub since: Timestamp,
}

/// What a lead-pool document says.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LeadPoolRead {
    /// The pool.
    pub pool: Option<PoolId>,
    /// The leads in it, by id. Entries that cannot be read are left out.
    pub leads: Vec<PooledLead>,
}

/// Makes the document list exactly `leads` (those of them in `pool`) for `pool`: writes the
/// header if it differs, replaces the entries of leads whose version changed, and deletes the
/// entries of leads no longer in the pool.
pub fn write_lead_pool(
    tx: &mut impl Transactable,
    pool: &PoolConfig,
    leads: &[Lead],
) -> Result<(), DocError> {
    put_if_changed(tx, &ROOT, "type", ScalarValue::Str(LEAD_POOL_TYPE.into()))?;
    put_if_changed(
        tx,
        &ROOT,
        "schemaVersion",
        ScalarValue::Uint(SCHEMA_VERSION),
    )?;
    put_if_changed(tx, &ROOT, "pool", ScalarValue::Str(pool.id.as_str().into()))?;
    let name = map(tx, &ROOT, "name")?;
    put_if_changed(
        tx,
        &name,
        "zhCn",
        ScalarValue::Str(pool.name.zh_cn.as_str().into()),
    )?;
    put_if_changed(
        tx,
        &name,
        "en",
        ScalarValue::Str(pool.name.en.as_str().into()),
    )?;
    let section = map(tx, &ROOT, "leads")?;
    let mut listed = BTreeSet::new();
    for lead in leads {
        let Custody::InPool {
            pool: held_by,
            since,
        } = &lead.custody
        else {
            continue;
        };
        if held_by != &pool.id {
            continue;
        }
        listed.insert(lead.id.as_str().to_owned());
        if let Ok(Some((Value::Object(ObjType::Map), entry))) = tx.get(&section, lead.id.as_str())
            && uint(tx, &entry, "version") == Some(lead.version)
        {
            continue;
        }
        let entry = tx
            .put_object(&section, lead.id.as_str(), ObjType::Map)
            .map_err(|error| DocError::write(&error))?;
        let optional = |value: &Option<String>| {
            value
                .as_deref()
                .map_or(ScalarValue::Null, |text| ScalarValue::Str(text.into()))
        };
        let fields = [
            ("id", ScalarValue::Str(lead.id.as_str().into())),
            ("version", ScalarValue::Uint(lead.version)),
            ("company", ScalarValue::Str(lead.company.as_str().into())),
            (
                "contactName",
                ScalarValue::Str(lead.contact_name.as_str().into()),
            ),
            ("region", optional(&lead.region)),
            ("industry", optional(&lead.industry)),
            ("productInterest", optional(&lead.product_interest)),
            ("since", ScalarValue::Timestamp(since.millis())),
        ];
        for (key, value) in fields {
            tx.put(&entry, key, value)
                .map_err(|error| DocError::write(&error))?;
        }
    }
    let gone: Vec<String> = tx
        .keys(&section)
        .filter(|key| !listed.contains(key))
        .collect();
    for key in gone {
        tx.delete(&section, key.as_str())
            .map_err(|error| DocError::write(&error))?;
    }
    Ok(())
}

/// Reads a lead-pool document; fails only if it is not one.
pub fn read_lead_pool(doc: &impl ReadDoc) -> Result<LeadPoolRead, DocError> {
    match document_type(doc) {
        Some(kind) if kind == LEAD_POOL_TYPE => {}
        other => {
            return Err(DocError::WrongType {
                expected: LEAD_POOL_TYPE,
                found: other.unwrap_or_else(|| "missing".to_owned()),
            });
        }
    }
    let pool = string(doc, &ROOT, "pool").and_then(|pool| PoolId::new(pool).ok());
    let mut leads = Vec::new();
    if let Ok(Some((Value::Object(ObjType::Map), section))) = doc.get(ROOT, "leads") {
        for key in doc.keys(&section) {
            if let Ok(Some((Value::Object(ObjType::Map), entry))) = doc.get(&section, &key)
                && let Some(lead) = read_lead(doc, &entry)
            {
                leads.push(lead);
            }
        }
    }
    leads.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(LeadPoolRead { pool, leads })
}

fn read_lead(doc: &impl ReadDoc, entry: &ObjId) -> Option<PooledLead> {
    let since = match doc.get(entry, "since") {
        Ok(Some((Value::Scalar(value), _))) => match value.as_ref() {
            ScalarValue::Timestamp(millis) | ScalarValue::Int(millis) => *millis,
            _ => 0,
        },
        _ => 0,
    };
    Some(PooledLead {
        id: LeadId::new(string(doc, entry, "id")?).ok()?,
        version: uint(doc, entry, "version")?,
        company: string(doc, entry, "company").unwrap_or_default(),
        contact_name: string(doc, entry, "contactName").unwrap_or_default(),
        region: string(doc, entry, "region"),
        industry: string(doc, entry, "industry"),
        product_interest: string(doc, entry, "productInterest"),
        since: Timestamp::from_millis(since),
    })
}

fn map(tx: &mut impl Transactable, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
    match tx.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
        Ok(_) => tx
            .put_object(obj, key, ObjType::Map)
            .map_err(|error| DocError::write(&error)),
        Err(error) => Err(DocError::write(&error)),
    }
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
    use automerge::AutoCommit;

    use super::*;
    use crate::i18n::LocalizedText;
    use crate::id::{ChannelId, UserId};
    use crate::lead::record::LeadDraft;

    fn pool() -> PoolConfig {
        PoolConfig {
            id: PoolId::new("pool-east").unwrap(),
            name: LocalizedText::new("华东公海", "East pool"),
            scope: Default::default(),
            team: None,
            claim_limit: 5,
            recycle_unfollowed_after_days: None,
            recycle_idle_after_days: None,
        }
    }

    fn lead(id: &str, custody: Custody) -> Lead {
        let mut lead = Lead::new(
            LeadId::new(id).unwrap(),
            LeadDraft {
                company: format!("{id} 公司"),
                contact_name: "王先生".into(),
                ..LeadDraft::default()
            },
            ChannelId::new("web_form").unwrap(),
            Timestamp::from_millis(0),
        );
        lead.custody = custody;
        lead.version = 1;
        lead
    }

    #[test]
    fn the_document_lists_exactly_the_pooled_leads_and_rewrites_only_what_moved() {
        let pool = pool();
        let in_pool = Custody::InPool {
            pool: pool.id.clone(),
            since: Timestamp::from_millis(5_000),
        };
        let mut leads = vec![lead("l-1", in_pool.clone()), lead("l-2", in_pool)];
        let mut doc = AutoCommit::new();
        write_lead_pool(&mut doc, &pool, &leads).unwrap();
        doc.commit();
        let read = read_lead_pool(&doc).unwrap();
        assert_eq!(read.pool, Some(pool.id.clone()));
        let ids: Vec<&str> = read.leads.iter().map(|lead| lead.id.as_str()).collect();
        assert_eq!(ids, ["l-1", "l-2"]);
        assert_eq!(read.leads[0].since, Timestamp::from_millis(5_000));

        write_lead_pool(&mut doc, &pool, &leads).unwrap();
        assert_eq!(doc.pending_ops(), 0, "nothing moved, nothing written");

        leads[0].custody = Custody::Owned {
            owner: UserId::new("li").unwrap(),
            since: Timestamp::from_millis(6_000),
        };
        leads[0].version = 2;
        write_lead_pool(&mut doc, &pool, &leads).unwrap();
        doc.commit();
        let ids: Vec<String> = read_lead_pool(&doc)
            .unwrap()
            .leads
            .into_iter()
            .map(|lead| lead.id.to_string())
            .collect();
        assert_eq!(ids, ["l-2"]);
    }

    #[test]
    fn other_documents_are_refused() {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "type", "deal").unwrap();
        assert!(read_lead_pool(&doc).is_err());
    }
}
