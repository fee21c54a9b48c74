//! Document ids and automerge URLs, byte-compatible with automerge-repo.
//!
//! A document id is 16 random bytes written as bs58check (base58 of the bytes followed by the
//! first four bytes of a double SHA-256). The checksum is computed here with the `sha2` version
//! automerge already depends on, rather than through the `bs58` crate's `check` feature, which
//! would pull a second SHA-2 implementation into the browser bundle.

use std::fmt;
use std::str::FromStr;

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{SyncError, clip};

/// The scheme of an automerge URL.
pub const URL_PREFIX: &str = "automerge:";

/// Bytes in a document id.
pub const DOCUMENT_ID_LEN: usize = 16;

/// The id of one Automerge document: 16 random bytes, shown as bs58check
/// (e.g. `2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU`).
///
/// Core has no random number generator: whoever creates a document draws the bytes
/// (`crypto.getRandomValues` in the browser) and passes them in.
///
/// ```
/// use dealflow_core::sync::DocumentId;
/// let id = DocumentId::from_random_bytes([7; 16]);
/// let parsed: DocumentId = id.to_string().parse()?;
/// assert_eq!(parsed, id);
/// assert!("not-an-id".parse::<DocumentId>().is_err());
/// # Ok::<(), dealflow_core::sync::SyncError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentId([u8; DOCUMENT_ID_LEN]);

impl DocumentId {
    /// A new id from 16 bytes drawn by the caller's random number generator.
    pub const fn from_random_bytes(bytes: [u8; DOCUMENT_ID_LEN]) -> Self {
        DocumentId(bytes)
    }

    /// An id from its binary form, as found in some older messages.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SyncError> {
        let array: [u8; DOCUMENT_ID_LEN] =
            bytes.try_into().map_err(|_| SyncError::InvalidDocumentId {
                input: hex::encode(bytes.get(..32).unwrap_or(bytes)),
                reason: "a binary document id is 16 bytes",
            })?;
        Ok(DocumentId(array))
    }

    /// The 16 bytes.
    pub const fn as_bytes(&self) -> &[u8; DOCUMENT_ID_LEN] {
        &self.0
    }

    /// The automerge URL of this document, without heads.
    pub fn url(self) -> AutomergeUrl {
        AutomergeUrl {
            document_id: self,
            heads: None,
        }
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_check(&self.0))
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = SyncError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| SyncError::InvalidDocumentId {
            input: clip(input),
            reason,
        };
        let bytes = decode_check(input).map_err(invalid)?;
        let array: [u8; DOCUMENT_ID_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| invalid("a document id encodes 16 bytes"))?;
        Ok(DocumentId(array))
    }
}

impl TryFrom<String> for DocumentId {
    type Error = SyncError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        input.parse()
    }
}

impl From<DocumentId> for String {
    fn from(id: DocumentId) -> Self {
        id.to_string()
    }
}

/// A link to a document, `automerge:<document id>`, optionally pinned to a version with
/// `#<head>|<head>` (each head a bs58check change hash). Heads are kept when present so a link to a
/// past version survives a round trip.
///
/// ```
/// use dealflow_core::sync::AutomergeUrl;
/// let url: AutomergeUrl = "automerge:2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU".parse()?;
/// assert_eq!(url.document_id.to_string(), "2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU");
/// assert_eq!(url.heads, None);
/// assert_eq!(url.to_string(), "automerge:2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU");
/// # Ok::<(), dealflow_core::sync::SyncError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AutomergeUrl {
    /// The document.
    pub document_id: DocumentId,
    /// The version the link points at, if any (`Some(vec![])` for a trailing `#`).
    pub heads: Option<Vec<ChangeHash>>,
}

impl fmt::Display for AutomergeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{URL_PREFIX}{}", self.document_id)?;
        if let Some(heads) = &self.heads {
            f.write_str("#")?;
            for (index, head) in heads.iter().enumerate() {
                if index > 0 {
                    f.write_str("|")?;
                }
                f.write_str(&encode_check(&head.0))?;
            }
        }
        Ok(())
    }
}

impl FromStr for AutomergeUrl {
    type Err = SyncError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid = |reason| SyncError::InvalidUrl {
            input: clip(input),
            reason,
        };
        let rest = input
            .strip_prefix(URL_PREFIX)
            .ok_or_else(|| invalid("it must start with \"automerge:\""))?;
        let mut sections = rest.split('#');
        let id_text = sections.next().unwrap_or_default();
        let heads_text = sections.next();
        if sections.next().is_some() {
            return Err(invalid("it has more than one heads section"));
        }
        let document_id = id_text
            .parse()
            .map_err(|_| invalid("the document id is not bs58check of 16 bytes"))?;
        let heads = match heads_text {
            None => None,
            Some("") => Some(Vec::new()),
            Some(text) => Some(
                text.split('|')
                    .map(|head| {
                        let bytes =
                            decode_check(head).map_err(|_| invalid("a head is not bs58check"))?;
                        ChangeHash::try_from(bytes.as_slice())
                            .map_err(|_| invalid("a head is not a 32-byte change hash"))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(AutomergeUrl { document_id, heads })
    }
}

/// bs58check encoding: base58 of `payload ‖ sha256(sha256(payload))[..4]`.
pub(crate) fn encode_check(payload: &[u8]) -> String {
    let mut with_checksum = Vec::with_capacity(payload.len() + 4);
    with_checksum.extend_from_slice(payload);
    with_checksum.extend_from_slice(&checksum(payload));
    bs58::encode(with_checksum).into_string()
}

/// Decodes bs58check, verifying the checksum. Inputs longer than 128 characters are refused
/// before decoding: nothing this protocol encodes is that long.
pub(crate) fn decode_check(input: &str) -> Result<Vec<u8>, &'static str> {
    const MAX_ENCODED_LEN: usize = 128;
    if input.is_empty() {
        return Err("it is empty");
    }
    if input.len() > MAX_ENCODED_LEN {
        return Err("it is too long");
    }
    let decoded = bs58::decode(input)
        .into_vec()
        .map_err(|_| "it is not base58")?;
    let Some(split) = decoded.len().checked_sub(4) else {
        return Err("it is too short for a checksum");
    };
    let (payload, sum) = decoded.split_at(split);
    if checksum(payload) != sum {
        return Err("its checksum does not match");
    }
    Ok(payload.to_vec())
}

fn checksum(payload: &[u8]) -> [u8; 4] {
    let twice = Sha256::digest(Sha256::digest(payload));
    let mut sum = [0; 4];
    sum.copy_from_slice(&twice[..4]);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    // Produced by automerge-repo 2.5.6 (`generateAutomergeUrl`) while generating the fixtures.
    const JS_ID: &str = "2vUA3m3uYPJ4i5ZiNLCoAwJ8ExzU";

    #[test]
    fn parses_and_prints_ids_made_by_the_js_repo() {
        let id: DocumentId = JS_ID.parse().unwrap();
        assert_eq!(id.to_string(), JS_ID);
        assert_eq!(DocumentId::from_bytes(id.as_bytes()).unwrap(), id);
    }

    #[test]
    fn rejects_bad_ids() {
        let corrupted = corrupt_last_char(JS_ID);
        assert!(matches!(
            corrupted.parse::<DocumentId>(),
            Err(SyncError::InvalidDocumentId { reason, .. }) if reason.contains("checksum")
        ));
        assert!("".parse::<DocumentId>().is_err());
        assert!("0OIl".parse::<DocumentId>().is_err());
        // Valid bs58check of 4 bytes: the wrong length.
        let short = encode_check(&[1, 2, 3, 4]);
        assert!(short.parse::<DocumentId>().is_err());
        assert!("x".repeat(500).parse::<DocumentId>().is_err());
        assert!(DocumentId::from_bytes(&[0; 15]).is_err());
    }

    #[test]
    fn urls_round_trip_with_and_without_heads() {
        let bare: AutomergeUrl = format!("automerge:{JS_ID}").parse().unwrap();
        assert_eq!(bare.heads, None);
        let head = ChangeHash([9; 32]);
        let pinned = AutomergeUrl {
            document_id: bare.document_id,
            heads: Some(vec![head, ChangeHash([3; 32])]),
        };
        let text = pinned.to_string();
        assert!(text.contains('#') && text.contains('|'));
        assert_eq!(text.parse::<AutomergeUrl>().unwrap(), pinned);
        let empty_heads: AutomergeUrl = format!("automerge:{JS_ID}#").parse().unwrap();
        assert_eq!(empty_heads.heads, Some(vec![]));
    }

    #[test]
    fn rejects_bad_urls() {
        for bad in [
            JS_ID.to_owned(),
            format!("automerge:{JS_ID}#a#b"),
            format!("automerge:{JS_ID}#notahead"),
            "automerge:".to_owned(),
            format!("automerge:{}", corrupt_last_char(&encode_check(&[1; 16]))),
        ] {
            assert!(bad.parse::<AutomergeUrl>().is_err(), "{bad}");
        }
    }

    fn corrupt_last_char(text: &str) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        if let Some(last) = chars.last_mut() {
            *last = if *last == 'A' { 'B' } else { 'A' };
        }
        chars.into_iter().collect()
    }

    #[test]
    fn serde_uses_the_text_form() {
        let id: DocumentId = JS_ID.parse().unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{JS_ID}\""));
        assert!(serde_json::from_str::<DocumentId>("\"nope\"").is_err());
    }
}
