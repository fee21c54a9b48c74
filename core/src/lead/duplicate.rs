//! Duplicate and collision (撞单) detection: an index from normalised phone, email and company
//! name to existing leads and accounts and their owners.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::i18n::{Locale, Localized, LocalizedText};
use crate::id::{AccountId, LeadId, UserId};
use crate::lead::normalize::{normalize_company, normalize_email, normalize_phone};
use crate::lead::record::Lead;

/// An existing record a new lead may collide with.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RecordRef {
    /// A lead.
    Lead(LeadId),
    /// A customer account.
    Account(AccountId),
}

/// The field on which two records matched.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchField {
    /// Same normalised phone number.
    Phone,
    /// Same normalised email.
    Email,
    /// Same company name, ignoring case, spacing, full-width forms and legal suffixes.
    Company,
}

impl Localized for MatchField {
    fn localized(&self, locale: Locale) -> String {
        let text = match self {
            MatchField::Phone => LocalizedText::new("电话", "phone"),
            MatchField::Email => LocalizedText::new("邮箱", "email"),
            MatchField::Company => LocalizedText::new("公司名称", "company name"),
        };
        text.get(locale).to_owned()
    }
}

/// The normalised keys of a record; a missing or unusable field has no key.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct DuplicateKeys {
    /// Normalised phone ([`crate::normalize_phone`]).
    pub phone: Option<String>,
    /// Normalised email ([`crate::normalize_email`]).
    pub email: Option<String>,
    /// Company key ([`crate::normalize_company`]).
    pub company: Option<String>,
}

impl DuplicateKeys {
    /// Keys from raw company, phone and email values, e.g. of an account.
    pub fn from_fields(company: &str, phone: Option<&str>, email: Option<&str>) -> Self {
        DuplicateKeys {
            phone: phone.and_then(normalize_phone),
            email: email.and_then(normalize_email),
            company: normalize_company(company),
        }
    }

    /// Keys of a lead.
    pub fn of_lead(lead: &Lead) -> Self {
        DuplicateKeys::from_fields(&lead.company, lead.phone.as_deref(), lead.email.as_deref())
    }

    fn get(&self, field: MatchField) -> Option<&str> {
        match field {
            MatchField::Phone => self.phone.as_deref(),
            MatchField::Email => self.email.as_deref(),
            MatchField::Company => self.company.as_deref(),
        }
    }
}

/// An existing record that a lead matches, with its owner: the collision to show before the
/// lead is assigned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DuplicateMatch {
    /// The existing record.
    pub record: RecordRef,
    /// Its owner, if any.
    pub owner: Option<UserId>,
    /// The fields that matched, in the order phone, email, company.
    pub matched_on: Vec<MatchField>,
}

const FIELDS: [MatchField; 3] = [MatchField::Phone, MatchField::Email, MatchField::Company];
const NONE: u32 = u32::MAX;

/// An in-memory index of existing leads and accounts by normalised phone, email and company.
/// Lookups cost one hash probe per field plus the number of records sharing a key, whatever the
/// size of the index.
///
/// ```
/// use dealflow_core::{DuplicateIndex, DuplicateKeys, MatchField, RecordRef, AccountId, UserId};
/// let mut index = DuplicateIndex::new();
/// index.insert(
///     RecordRef::Account(AccountId::new("acc-1")?),
///     &DuplicateKeys::from_fields("上海示例科技有限公司", Some("13800138000"), None),
///     Some(UserId::new("wang")?),
/// );
/// let new_lead = DuplicateKeys::from_fields("上海示例科技", Some("+86 138 0013 8000"), None);
/// let matches = index.find(&new_lead);
/// assert_eq!(matches.len(), 1);
/// assert_eq!(matches[0].owner, Some(UserId::new("wang")?));
/// assert_eq!(matches[0].matched_on, [MatchField::Phone, MatchField::Company]);
/// # Ok::<(), dealflow_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct DuplicateIndex {
    entries: Vec<Entry>,
    by_record: HashMap<RecordRef, u32>,
    owners: Vec<UserId>,
    owner_slots: HashMap<UserId, u32>,
    fields: [FieldIndex; 3],
    live: usize,
}

#[derive(Clone, Debug)]
struct Entry {
    record: RecordRef,
    owner: u32,
    live: bool,
}

/// One field's key → first entry, with entries sharing a key chained through `next`.
#[derive(Clone, Debug, Default)]
struct FieldIndex {
    heads: HashMap<Box<str>, u32>,
    next: Vec<u32>,
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> Self {
        DuplicateIndex::default()
    }

    /// An empty index with room for `records` records.
    pub fn with_capacity(records: usize) -> Self {
        let field = || FieldIndex {
            heads: HashMap::with_capacity(records),
            next: Vec::with_capacity(records),
        };
        DuplicateIndex {
            entries: Vec::with_capacity(records),
            by_record: HashMap::with_capacity(records),
            fields: [field(), field(), field()],
            ..DuplicateIndex::default()
        }
    }

    /// Number of records in the index.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Adds `record` with its keys and owner, replacing what was indexed for it before.
    pub fn insert(&mut self, record: RecordRef, keys: &DuplicateKeys, owner: Option<UserId>) {
        self.remove(&record);
        let Ok(slot) = u32::try_from(self.entries.len()) else {
            // Four billion records do not fit in memory anyway; refuse quietly rather than wrap.
            return;
        };
        if slot == NONE {
            return;
        }
        let owner = self.owner_slot(owner);
        for (field_index, field) in FIELDS.iter().enumerate() {
            let Some(index) = self.fields.get_mut(field_index) else {
                continue;
            };
            let previous = match keys.get(*field) {
                Some(key) => index.heads.insert(Box::from(key), slot).unwrap_or(NONE),
                None => NONE,
            };
            index.next.push(previous);
        }
        self.entries.push(Entry {
            record: record.clone(),
            owner,
            live: true,
        });
        self.by_record.insert(record, slot);
        self.live += 1;
    }

    /// Adds a lead under its keys and current owner.
    pub fn insert_lead(&mut self, lead: &Lead) {
        self.insert(
            RecordRef::Lead(lead.id.clone()),
            &DuplicateKeys::of_lead(lead),
            lead.owner().cloned(),
        );
    }

    /// Changes the owner of an indexed record (after a claim, an assignment or a transfer).
    /// Returns whether the record was found.
    pub fn set_owner(&mut self, record: &RecordRef, owner: Option<UserId>) -> bool {
        let Some(&slot) = self.by_record.get(record) else {
            return false;
        };
        let owner = self.owner_slot(owner);
        match self.entries.get_mut(slot as usize) {
            Some(entry) => {
                entry.owner = owner;
                true
            }
            None => false,
        }
    }

    /// Removes a record. Returns whether it was indexed.
    pub fn remove(&mut self, record: &RecordRef) -> bool {
        let Some(slot) = self.by_record.remove(record) else {
            return false;
        };
        if let Some(entry) = self.entries.get_mut(slot as usize) {
            entry.live = false;
            self.live -= 1;
        }
        true
    }

    /// Every indexed record sharing at least one key with `keys`, in insertion order, each with
    /// its owner and the fields that matched.
    pub fn find(&self, keys: &DuplicateKeys) -> Vec<DuplicateMatch> {
        let mut hits: BTreeMap<u32, Vec<MatchField>> = BTreeMap::new();
        for (field, index) in FIELDS.iter().zip(&self.fields) {
            let Some(key) = keys.get(*field) else {
                continue;
            };
            let mut slot = index.heads.get(key).copied().unwrap_or(NONE);
            while slot != NONE {
                if self
                    .entries
                    .get(slot as usize)
                    .is_some_and(|entry| entry.live)
                {
                    hits.entry(slot).or_default().push(*field);
                }
                slot = index.next.get(slot as usize).copied().unwrap_or(NONE);
            }
        }
        hits.into_iter()
            .filter_map(|(slot, matched_on)| {
                let entry = self.entries.get(slot as usize)?;
                Some(DuplicateMatch {
                    record: entry.record.clone(),
                    owner: self.owners.get(entry.owner as usize).cloned(),
                    matched_on,
                })
            })
            .collect()
    }

    /// Every indexed record that `lead` matches, other than the lead itself.
    pub fn find_for_lead(&self, lead: &Lead) -> Vec<DuplicateMatch> {
        let own = RecordRef::Lead(lead.id.clone());
        let mut matches = self.find(&DuplicateKeys::of_lead(lead));
        matches.retain(|found| found.record != own);
        matches
    }

    fn owner_slot(&mut self, owner: Option<UserId>) -> u32 {
        let Some(owner) = owner else {
            return NONE;
        };
        if let Some(&slot) = self.owner_slots.get(&owner) {
            return slot;
        }
        let slot = u32::try_from(self.owners.len()).unwrap_or(NONE);
        if slot != NONE {
            self.owners.push(owner.clone());
            self.owner_slots.insert(owner, slot);
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead_ref(id: &str) -> RecordRef {
        RecordRef::Lead(LeadId::new(id).unwrap())
    }

    #[test]
    fn replaces_updates_and_removes() {
        let mut index = DuplicateIndex::new();
        let keys = DuplicateKeys::from_fields("Acme Ltd", Some("13800138000"), Some("a@acme.com"));
        index.insert(lead_ref("a"), &keys, None);
        index.insert(
            lead_ref("b"),
            &DuplicateKeys::from_fields("ACME", None, None),
            None,
        );
        assert_eq!(index.find(&keys).len(), 2);
        assert_eq!(
            index
                .find(&keys)
                .first()
                .map(|found| found.matched_on.clone()),
            Some(vec![
                MatchField::Phone,
                MatchField::Email,
                MatchField::Company
            ])
        );

        let owner = UserId::new("li").unwrap();
        assert!(index.set_owner(&lead_ref("b"), Some(owner.clone())));
        let owners: Vec<_> = index.find(&keys).into_iter().map(|m| m.owner).collect();
        assert_eq!(owners, [None, Some(owner)]);

        // Re-inserting "a" with new keys drops the old ones.
        index.insert(
            lead_ref("a"),
            &DuplicateKeys::from_fields("Other", None, None),
            None,
        );
        assert_eq!(index.len(), 2);
        assert_eq!(index.find(&keys).len(), 1);
        assert!(index.remove(&lead_ref("b")));
        assert!(index.find(&keys).is_empty());
        assert!(!index.remove(&lead_ref("b")));
        assert_eq!(index.len(), 1);
    }
}
