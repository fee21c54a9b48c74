//! Small write primitives over an Automerge document, each choosing the CRDT shape on purpose:
//! registers are `put`, long text is a text object edited by diff, collections of records are
//! maps that are reused (never replaced) so concurrent additions and edits merge, and compound
//! values that must change atomically (money, next step, overrides) are replaced whole.
//!
//! None of them deletes a key it was not told to delete, so fields this version does not know
//! survive every write.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use time::Date;

use super::codec::{DocName, format_date};
use super::error::DocError;
use crate::money::Money;
use crate::timestamp::Timestamp;

/// The few document operations the writer uses, so that it writes the same way into an
/// `AutoCommit` and into an open `Transaction` of a plain `Automerge` (the sync client's
/// document, which the browser edits in place).
pub(crate) trait WriteDoc {
    /// The value at `key` of a map.
    fn get_key(&self, obj: &ObjId, key: &str)
    -> Result<Option<(Value<'_>, ObjId)>, AutomergeError>;
    /// Sets a scalar at `key`.
    fn put_key(&mut self, obj: &ObjId, key: &str, value: ScalarValue)
    -> Result<(), AutomergeError>;
    /// Creates an object at `key`.
    fn put_object_key(
        &mut self,
        obj: &ObjId,
        key: &str,
        kind: ObjType,
    ) -> Result<ObjId, AutomergeError>;
    /// Deletes `key`.
    fn delete_key(&mut self, obj: &ObjId, key: &str) -> Result<(), AutomergeError>;
    /// Splices a text object.
    fn splice_text_at(
        &mut self,
        obj: &ObjId,
        position: usize,
        delete: isize,
        text: &str,
    ) -> Result<(), AutomergeError>;
    /// Brings a text object to `text` by a character diff.
    fn update_text_to(&mut self, obj: &ObjId, text: &str) -> Result<(), AutomergeError>;
    /// The strings of a list (`None` for items that are not strings).
    fn list_strings(&self, obj: &ObjId) -> Vec<Option<String>>;
    /// Splices scalars into a list.
    fn splice_list(
        &mut self,
        obj: &ObjId,
        position: usize,
        delete: isize,
        values: Vec<ScalarValue>,
    ) -> Result<(), AutomergeError>;
    /// Inserts an object into a list.
    fn insert_object_at(
        &mut self,
        obj: &ObjId,
        index: usize,
        kind: ObjType,
    ) -> Result<ObjId, AutomergeError>;
    /// Adds `delta` to the counter at `key`.
    fn increment_key(&mut self, obj: &ObjId, key: &str, delta: i64) -> Result<(), AutomergeError>;
}

impl<T: Transactable + ReadDoc> WriteDoc for T {
    fn get_key(
        &self,
        obj: &ObjId,
        key: &str,
    ) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        ReadDoc::get(self, obj, key)
    }

    fn put_key(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: ScalarValue,
    ) -> Result<(), AutomergeError> {
        Transactable::put(self, obj, key, value)
    }

    fn put_object_key(
        &mut self,
        obj: &ObjId,
        key: &str,
        kind: ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Transactable::put_object(self, obj, key, kind)
    }

    fn delete_key(&mut self, obj: &ObjId, key: &str) -> Result<(), AutomergeError> {
        Transactable::delete(self, obj, key)
    }

    fn splice_text_at(
        &mut self,
        obj: &ObjId,
        position: usize,
        delete: isize,
        text: &str,
    ) -> Result<(), AutomergeError> {
        Transactable::splice_text(self, obj, position, delete, text)
    }

    fn update_text_to(&mut self, obj: &ObjId, text: &str) -> Result<(), AutomergeError> {
        Transactable::update_text(self, obj, text)
    }

    fn list_strings(&self, obj: &ObjId) -> Vec<Option<String>> {
        ReadDoc::list_range(self, obj, ..)
            .map(|item| match item.value {
                automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(text)) => {
                    Some(text.to_string())
                }
                _ => None,
            })
            .collect()
    }

    fn splice_list(
        &mut self,
        obj: &ObjId,
        position: usize,
        delete: isize,
        values: Vec<ScalarValue>,
    ) -> Result<(), AutomergeError> {
        Transactable::splice(self, obj, position, delete, values)
    }

    fn insert_object_at(
        &mut self,
        obj: &ObjId,
        index: usize,
        kind: ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Transactable::insert_object(self, obj, index, kind)
    }

    fn increment_key(&mut self, obj: &ObjId, key: &str, delta: i64) -> Result<(), AutomergeError> {
        Transactable::increment(self, obj, key, delta)
    }
}

/// Writes into one document; every method maps Automerge's errors to [`DocError`].
pub(crate) struct Writer<'a> {
    pub(crate) doc: &'a mut dyn WriteDoc,
}

impl std::fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer<'_> {
    /// Sets a scalar register.
    pub(crate) fn put(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: impl Into<ScalarValue>,
    ) -> Result<(), DocError> {
        self.doc
            .put_key(obj, key, value.into())
            .map_err(|error| DocError::write(&error))
    }

    /// Sets a string register.
    pub(crate) fn string(&mut self, obj: &ObjId, key: &str, value: &str) -> Result<(), DocError> {
        self.put(obj, key, value)
    }

    /// Sets an optional string register (`null` when absent).
    pub(crate) fn opt_string(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), DocError> {
        match value {
            Some(value) => self.put(obj, key, value),
            None => self.put(obj, key, ScalarValue::Null),
        }
    }

    /// Sets an optional id register.
    pub(crate) fn opt_id<T: AsRef<str>>(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<&T>,
    ) -> Result<(), DocError> {
        self.opt_string(obj, key, value.map(AsRef::as_ref))
    }

    /// Sets an instant register.
    pub(crate) fn timestamp(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Timestamp,
    ) -> Result<(), DocError> {
        self.put(obj, key, ScalarValue::Timestamp(value.millis()))
    }

    /// Sets an optional instant register.
    pub(crate) fn opt_timestamp(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<Timestamp>,
    ) -> Result<(), DocError> {
        match value {
            Some(value) => self.timestamp(obj, key, value),
            None => self.put(obj, key, ScalarValue::Null),
        }
    }

    /// Sets an optional date register (`YYYY-MM-DD`).
    pub(crate) fn opt_date(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<Date>,
    ) -> Result<(), DocError> {
        self.opt_string(obj, key, value.map(format_date).as_deref())
    }

    /// Sets an enum register.
    pub(crate) fn name<T: DocName>(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: T,
    ) -> Result<(), DocError> {
        self.put(obj, key, value.doc_name())
    }

    /// Replaces a money value whole (see the module docs of `codec`).
    pub(crate) fn money(&mut self, obj: &ObjId, key: &str, value: Money) -> Result<(), DocError> {
        let money = self.replace_map(obj, key)?;
        self.put(&money, "minor", value.minor())?;
        self.put(&money, "currency", value.currency().code())
    }

    /// Replaces an optional money value whole.
    pub(crate) fn opt_money(
        &mut self,
        obj: &ObjId,
        key: &str,
        value: Option<Money>,
    ) -> Result<(), DocError> {
        match value {
            Some(value) => self.money(obj, key, value),
            None => self.put(obj, key, ScalarValue::Null),
        }
    }

    /// Deletes a key.
    pub(crate) fn delete(&mut self, obj: &ObjId, key: &str) -> Result<(), DocError> {
        self.doc
            .delete_key(obj, key)
            .map_err(|error| DocError::write(&error))
    }

    /// The map at `key`, reused when it exists so that concurrent writes into it merge; created
    /// when absent or of another type.
    pub(crate) fn map(&mut self, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
        match self.doc.get_key(obj, key) {
            Ok(Some((Value::Object(ObjType::Map), id))) => Ok(id),
            Ok(_) => self.replace_map(obj, key),
            Err(error) => Err(DocError::write(&error)),
        }
    }

    /// A new, empty map at `key`, replacing what was there: for values that change atomically.
    pub(crate) fn replace_map(&mut self, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
        self.doc
            .put_object_key(obj, key, ObjType::Map)
            .map_err(|error| DocError::write(&error))
    }

    /// The text object at `key`, created when absent; a plain string that an older client wrote
    /// there becomes the text's initial content.
    pub(crate) fn text_object(&mut self, obj: &ObjId, key: &str) -> Result<ObjId, DocError> {
        let existing = match self.doc.get_key(obj, key) {
            Ok(Some((Value::Object(ObjType::Text), id))) => return Ok(id),
            Ok(Some((Value::Scalar(scalar), _))) => scalar.as_str().map(str::to_owned),
            Ok(_) => None,
            Err(error) => return Err(DocError::write(&error)),
        };
        let text = self
            .doc
            .put_object_key(obj, key, ObjType::Text)
            .map_err(|error| DocError::write(&error))?;
        if let Some(existing) = existing {
            self.doc
                .splice_text_at(&text, 0, 0, &existing)
                .map_err(|error| DocError::write(&error))?;
        }
        Ok(text)
    }

    /// Brings the text at `key` to `value` with a character-level diff, so concurrent typing
    /// elsewhere in the text merges instead of being overwritten.
    pub(crate) fn text(&mut self, obj: &ObjId, key: &str, value: &str) -> Result<(), DocError> {
        let text = self.text_object(obj, key)?;
        self.doc
            .update_text_to(&text, value)
            .map_err(|error| DocError::write(&error))
    }

    /// Brings a list of strings to `after` by splicing only the differing middle (after the
    /// common prefix and suffix), so concurrent insertions elsewhere survive.
    pub(crate) fn string_list(
        &mut self,
        obj: &ObjId,
        key: &str,
        after: &[String],
    ) -> Result<(), DocError> {
        let list = match self.doc.get_key(obj, key) {
            Ok(Some((Value::Object(ObjType::List), id))) => id,
            Ok(_) => self
                .doc
                .put_object_key(obj, key, ObjType::List)
                .map_err(|error| DocError::write(&error))?,
            Err(error) => return Err(DocError::write(&error)),
        };
        let before: Vec<Option<String>> = self.doc.list_strings(&list);
        let prefix = before
            .iter()
            .zip(after)
            .take_while(|(old, new)| old.as_deref() == Some(new.as_str()))
            .count();
        let suffix = before[prefix..]
            .iter()
            .rev()
            .zip(after[prefix..].iter().rev())
            .take_while(|(old, new)| old.as_deref() == Some(new.as_str()))
            .count();
        let delete = before.len() - prefix - suffix;
        let insert = after[prefix..after.len() - suffix]
            .iter()
            .map(|text| ScalarValue::Str(text.as_str().into()))
            .collect();
        let delete = isize::try_from(delete).unwrap_or(isize::MAX);
        self.doc
            .splice_list(&list, prefix, delete, insert)
            .map_err(|error| DocError::write(&error))
    }

    /// Brings a map of records keyed by id from `before` to `after`: removed ids are deleted,
    /// and each added or changed record is written by `write_record` into its own map (reused
    /// when present), which writes only the fields that differ from the record's `before`.
    pub(crate) fn records<K, V>(
        &mut self,
        obj: &ObjId,
        key: &str,
        before: Option<&BTreeMap<K, V>>,
        after: &BTreeMap<K, V>,
        mut write_record: impl FnMut(&mut Self, &ObjId, Option<&V>, &V) -> Result<(), DocError>,
    ) -> Result<(), DocError>
    where
        K: Ord + AsRef<str>,
        V: PartialEq,
    {
        if before == Some(after) {
            return Ok(());
        }
        let collection = self.map(obj, key)?;
        if let Some(before) = before {
            for id in before.keys().filter(|id| !after.contains_key(*id)) {
                self.delete(&collection, id.as_ref())?;
            }
        }
        for (id, record) in after {
            let previous = before.and_then(|before| before.get(id));
            if previous == Some(record) {
                continue;
            }
            let record_obj = self.map(&collection, id.as_ref())?;
            write_record(self, &record_obj, previous, record)?;
        }
        Ok(())
    }
}

/// Whether a field differs between the state before an edit (`None` when creating) and after.
pub(crate) fn changed<S, T: PartialEq>(
    before: Option<&S>,
    after: &S,
    field: impl Fn(&S) -> &T,
) -> bool {
    before.is_none_or(|before| field(before) != field(after))
}

#[cfg(test)]
mod tests {
    use automerge::AutoCommit;

    use super::*;

    #[test]
    fn string_list_splices_only_the_difference() {
        let mut doc = AutoCommit::new();
        let list =
            |items: &[&str]| -> Vec<String> { items.iter().map(|s| (*s).to_owned()).collect() };
        let mut writer = Writer { doc: &mut doc };
        writer
            .string_list(&automerge::ROOT, "tags", &list(&["a", "b", "c"]))
            .unwrap();
        doc.commit();
        let mut fork = doc.fork();
        Writer { doc: &mut doc }
            .string_list(&automerge::ROOT, "tags", &list(&["a", "x", "b", "c"]))
            .unwrap();
        Writer { doc: &mut fork }
            .string_list(&automerge::ROOT, "tags", &list(&["a", "b", "c", "d"]))
            .unwrap();
        doc.commit();
        fork.commit();
        doc.merge(&mut fork).unwrap();
        let (_, tags) = doc.get(&automerge::ROOT, "tags").unwrap().unwrap();
        let merged: Vec<String> = doc
            .list_range(&tags, ..)
            .map(|item| format!("{:?}", item.value))
            .collect();
        assert_eq!(merged.len(), 5, "both insertions survive: {merged:?}");
    }

    #[test]
    fn text_update_merges_concurrent_typing() {
        let mut doc = AutoCommit::new();
        Writer { doc: &mut doc }
            .text(&automerge::ROOT, "needs", "需要统一平台")
            .unwrap();
        doc.commit();
        let mut fork = doc.fork();
        Writer { doc: &mut doc }
            .text(&automerge::ROOT, "needs", "急需要统一平台")
            .unwrap();
        Writer { doc: &mut fork }
            .text(&automerge::ROOT, "needs", "需要统一客服平台")
            .unwrap();
        doc.commit();
        fork.commit();
        doc.merge(&mut fork).unwrap();
        let (_, text) = doc.get(&automerge::ROOT, "needs").unwrap().unwrap();
        assert_eq!(doc.text(&text).unwrap(), "急需要统一客服平台");
    }
}
