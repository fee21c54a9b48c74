//! Notices the relay sends a client about one document, as the `data` of an `ephemeral` message.
//!
//! The protocol has no frame for "your change was refused but the connection is fine", so the
//! relay uses an ephemeral message from itself on that document. Its data is a CBOR map (which
//! automerge-repo's JS client decodes and emits as an `ephemeral-message` event on the document
//! handle):
//!
//! ```text
//! { "type": "dealflow/rejected", "reason": "read_only", "dropped": 3 }
//! ```
//!
//! `reason` is a stable snake_case code (`read_only`, `too_many_documents`); `dropped` counts the
//! refused change chunks (0 when nothing was dropped). Clients ignore notice types they do not
//! know.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

/// The `type` of a rejection notice.
pub const REJECTED_NOTICE_TYPE: &str = "dealflow/rejected";

/// A notice that the relay refused something a client sent about a document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RejectionNotice {
    /// Why, as a stable snake_case code, e.g. `"read_only"`.
    pub reason: String,
    /// How many change chunks were dropped.
    pub dropped: u64,
}

impl RejectionNotice {
    /// A notice for `dropped` chunks refused for `reason`.
    pub fn new(reason: impl Into<String>, dropped: u64) -> Self {
        RejectionNotice {
            reason: reason.into(),
            dropped,
        }
    }

    /// The CBOR bytes to put in an ephemeral message's `data`.
    ///
    /// ```
    /// use dealflow_core::sync::RejectionNotice;
    /// let notice = RejectionNotice::new("read_only", 2);
    /// assert_eq!(RejectionNotice::decode(&notice.encode()), Some(notice));
    /// ```
    pub fn encode(&self) -> Vec<u8> {
        let mut encoder = Encoder::new(Vec::with_capacity(64));
        // Writing into a Vec cannot fail.
        let _ = encoder
            .map(3)
            .and_then(|e| e.str("type"))
            .and_then(|e| e.str(REJECTED_NOTICE_TYPE))
            .and_then(|e| e.str("reason"))
            .and_then(|e| e.str(&self.reason))
            .and_then(|e| e.str("dropped"))
            .and_then(|e| e.u64(self.dropped));
        encoder.into_writer()
    }

    /// The notice in an ephemeral message's data, or `None` if the data is not a rejection
    /// notice (other ephemeral traffic, such as presence, or malformed bytes).
    pub fn decode(data: &[u8]) -> Option<Self> {
        let mut decoder = Decoder::new(data);
        let entries = decoder.map().ok()??;
        let (mut kind, mut reason, mut dropped) = (None, None, 0);
        for _ in 0..entries.min(16) {
            let key = decoder.str().ok()?;
            match (key, decoder.datatype().ok()?) {
                ("type", Type::String) => kind = Some(decoder.str().ok()?.to_owned()),
                ("reason", Type::String) => reason = Some(decoder.str().ok()?.to_owned()),
                ("dropped", Type::U8 | Type::U16 | Type::U32 | Type::U64) => {
                    dropped = decoder.u64().ok()?;
                }
                _ => decoder.skip().ok()?,
            }
        }
        (kind.as_deref() == Some(REJECTED_NOTICE_TYPE)).then_some(())?;
        Some(RejectionNotice {
            reason: reason?,
            dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_ephemeral_data_is_not_a_notice() {
        assert_eq!(RejectionNotice::decode(b""), None);
        assert_eq!(RejectionNotice::decode(&[0xa0]), None, "an empty map");
        let presence = {
            let mut encoder = Encoder::new(Vec::new());
            encoder
                .map(1)
                .unwrap()
                .str("cursor")
                .unwrap()
                .u8(3)
                .unwrap();
            encoder.into_writer()
        };
        assert_eq!(RejectionNotice::decode(&presence), None);
        let mut truncated = RejectionNotice::new("read_only", 1).encode();
        truncated.pop();
        assert_eq!(RejectionNotice::decode(&truncated), None);
    }
}
