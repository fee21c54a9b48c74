//! Storage keys: validated paths of strings.

use std::fmt;

use super::StorageError;

/// Most parts a key may have.
pub const MAX_KEY_PARTS: usize = 16;
/// Longest key accepted, in bytes summed over its parts.
pub const MAX_KEY_BYTES: usize = 1024;

/// The character that joins parts in the SQLite encoding. Parts may not contain control
/// characters, so it never occurs inside a part; being lower than every allowed character, it
/// also keeps the byte order of encoded keys equal to the part-wise order of the keys.
pub(super) const SEPARATOR: char = '\u{1F}';
/// The character right after [`SEPARATOR`]: `[p, p + SEPARATOR_END)` holds exactly the encoded
/// keys equal to `p` or extending it by whole parts.
pub(super) const SEPARATOR_END: char = '\u{20}';

/// A key: a path of non-empty parts without control characters, such as
/// `["3pXSWk…", "incremental", "9f86d0…"]`. Ordered part by part.
///
/// The empty key ([`StorageKey::root`]) is only a prefix (it matches everything); writes need at
/// least one part.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StorageKey(Vec<String>);

impl StorageKey {
    /// Validates a key from its parts.
    ///
    /// ```
    /// use dealflow_server::storage::StorageKey;
    /// let key = StorageKey::new(["doc-1", "snapshot", "00ff"]).unwrap();
    /// assert_eq!(key.to_string(), "doc-1/snapshot/00ff");
    /// assert!(StorageKey::new(["doc-1", ""]).is_err());
    /// ```
    pub fn new<I, S>(parts: I) -> Result<Self, StorageError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::from_parts(parts.into_iter().map(Into::into).collect())
    }

    /// Validates a key from an owned vector of parts, such as one read back from a store or
    /// produced by the sync protocol.
    pub fn from_parts(parts: Vec<String>) -> Result<Self, StorageError> {
        let invalid = |reason: &'static str| StorageError::InvalidKey {
            key: parts.join("/"),
            reason,
        };
        if parts.len() > MAX_KEY_PARTS {
            return Err(invalid("a key has at most 16 parts"));
        }
        if parts.iter().map(String::len).sum::<usize>() > MAX_KEY_BYTES {
            return Err(invalid("a key is at most 1024 bytes long"));
        }
        if parts.iter().any(String::is_empty) {
            return Err(invalid("key parts must not be empty"));
        }
        if parts.iter().any(|part| part.chars().any(char::is_control)) {
            return Err(invalid("key parts must not contain control characters"));
        }
        Ok(StorageKey(parts))
    }

    /// The empty prefix, which matches every key.
    pub fn root() -> Self {
        StorageKey(Vec::new())
    }

    /// The parts of the key.
    pub fn parts(&self) -> &[String] {
        &self.0
    }

    /// Consumes the key, giving its parts.
    pub fn into_parts(self) -> Vec<String> {
        self.0
    }

    /// Whether this is the empty prefix.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the key starts with `prefix`, part by part (so `["doc-10"]` does not start with
    /// `["doc-1"]`). Every key starts with itself and with the root.
    pub fn starts_with(&self, prefix: &StorageKey) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// Writes need a key with at least one part.
    pub(super) fn check_writable(&self) -> Result<(), StorageError> {
        if self.is_root() {
            return Err(StorageError::InvalidKey {
                key: String::new(),
                reason: "cannot write to the empty key",
            });
        }
        Ok(())
    }

    /// The parts joined by [`SEPARATOR`]: injective and order-preserving for valid keys.
    pub(super) fn encode(&self) -> String {
        let mut separator = String::new();
        separator.push(SEPARATOR);
        self.0.join(&separator)
    }

    /// The inverse of [`StorageKey::encode`], validating what the database hands back.
    pub(super) fn decode(encoded: &str) -> Result<Self, StorageError> {
        if encoded.is_empty() {
            return Ok(StorageKey::root());
        }
        Self::from_parts(encoded.split(SEPARATOR).map(str::to_owned).collect())
    }
}

impl fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageKey({self})")
    }
}

impl fmt::Display for StorageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

impl TryFrom<Vec<String>> for StorageKey {
    type Error = StorageError;

    fn try_from(parts: Vec<String>) -> Result<Self, Self::Error> {
        StorageKey::from_parts(parts)
    }
}

impl From<StorageKey> for Vec<String> {
    fn from(key: StorageKey) -> Self {
        key.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> StorageKey {
        StorageKey::new(parts.iter().copied()).unwrap()
    }

    #[test]
    fn rejects_bad_parts() {
        assert!(StorageKey::new(["a", ""]).is_err());
        assert!(StorageKey::new(["a\u{1F}b"]).is_err());
        assert!(StorageKey::new(["a\nb"]).is_err());
        assert!(StorageKey::new(vec!["x"; MAX_KEY_PARTS + 1]).is_err());
        assert!(StorageKey::new(["x".repeat(MAX_KEY_BYTES + 1)]).is_err());
        assert!(StorageKey::new(["文档", "增量"]).is_ok());
    }

    #[test]
    fn encoding_round_trips_and_keeps_order() {
        let mut keys = [
            key(&["a"]),
            key(&["a", "b"]),
            key(&["a", "b", "c"]),
            key(&["a!"]),
            key(&["a", " "]),
            key(&["ab"]),
            key(&["b"]),
            key(&["文档"]),
        ];
        keys.sort();
        let mut encoded: Vec<String> = keys.iter().map(StorageKey::encode).collect();
        for (key, encoded) in keys.iter().zip(&encoded) {
            assert_eq!(&StorageKey::decode(encoded).unwrap(), key);
        }
        let before = encoded.clone();
        encoded.sort();
        assert_eq!(encoded, before, "byte order of encodings equals key order");
    }

    proptest::proptest! {
        /// The SQLite range `[p, p + SEPARATOR_END)` over encodings selects exactly the keys that
        /// start with `p`, and encodings sort like keys.
        #[test]
        fn encoded_range_is_exactly_the_prefix(
            prefix in proptest::collection::vec("[a-c !\\x{A0}文]{1,3}", 1..3),
            others in proptest::collection::vec(
                proptest::collection::vec("[a-c !\\x{A0}文]{1,3}", 1..4), 1..16),
        ) {
            let prefix = StorageKey::from_parts(prefix).unwrap();
            let lower = prefix.encode();
            let upper = format!("{lower}{SEPARATOR_END}");
            for parts in others {
                let mut extended = prefix.parts().to_vec();
                extended.extend(parts.iter().cloned());
                for key in [StorageKey::from_parts(parts).unwrap(), StorageKey::from_parts(extended).unwrap()] {
                    let encoded = key.encode();
                    let in_range = encoded >= lower && encoded < upper;
                    proptest::prop_assert_eq!(in_range, key.starts_with(&prefix), "{:?}", key);
                    proptest::prop_assert_eq!(encoded.cmp(&lower), key.cmp(&prefix));
                }
            }
        }
    }

    #[test]
    fn prefix_is_by_whole_parts() {
        assert!(key(&["doc-1", "x"]).starts_with(&key(&["doc-1"])));
        assert!(!key(&["doc-10", "x"]).starts_with(&key(&["doc-1"])));
        assert!(key(&["doc-1"]).starts_with(&StorageKey::root()));
    }
}
