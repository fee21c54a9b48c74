//! Presence: who is viewing or editing a document, and which field, carried in `ephemeral`
//! messages so nothing of it is stored or enters the document's history.
//!
//! The payload is one CBOR map with text keys, like everything else on the wire:
//! `{ "type": "dealflow/presence", "user": "rep-li", "name": "李雷", "activity": "editing",
//! "field": "needs" }` (`field` may be absent). A client sends it when its user opens a deal,
//! moves to another field or leaves, and repeats it every few seconds while the deal is open,
//! so peers can drop someone whose tab vanished. The user is what the sender claims: display
//! only, as for every ephemeral message.
//!
//! ```
//! use dealflow_core::UserId;
//! use dealflow_core::sync::{Presence, PresenceActivity};
//!
//! let presence = Presence {
//!     user: UserId::new("rep-li")?,
//!     name: "李雷".into(),
//!     activity: PresenceActivity::Editing,
//!     field: Some("needs".into()),
//! };
//! assert_eq!(Presence::decode(&presence.encode())?, presence);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use minicbor::Decoder;
use minicbor::data::Type;

use super::error::SyncError;
use crate::UserId;

/// The value of the payload's `type` key.
pub const PRESENCE_TYPE: &str = "dealflow/presence";

/// Longest user name or field path kept from a peer's message, in bytes.
const MAX_TEXT_BYTES: usize = 256;

/// What a user is doing with a document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum PresenceActivity {
    /// The document is open on their screen.
    Viewing,
    /// They are editing (the field says which).
    Editing,
    /// They closed the document.
    Left,
}

impl PresenceActivity {
    /// The wire name: `"viewing"`, `"editing"` or `"left"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceActivity::Viewing => "viewing",
            PresenceActivity::Editing => "editing",
            PresenceActivity::Left => "left",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "viewing" => Some(PresenceActivity::Viewing),
            "editing" => Some(PresenceActivity::Editing),
            "left" => Some(PresenceActivity::Left),
            _ => None,
        }
    }
}

/// One user's presence on one document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Presence {
    /// Who (as the sender claims).
    pub user: UserId,
    /// Their display name.
    pub name: String,
    /// What they are doing.
    pub activity: PresenceActivity,
    /// The field they are on, as a document path such as `needs` or `contacts/c-1/role`.
    pub field: Option<String>,
}

impl Presence {
    /// The ephemeral payload.
    pub fn encode(&self) -> Vec<u8> {
        let mut encoder = minicbor::Encoder::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = (|| -> Result<(), minicbor::encode::Error<core::convert::Infallible>> {
            encoder.map(4 + u64::from(self.field.is_some()))?;
            encoder.str("type")?.str(PRESENCE_TYPE)?;
            encoder.str("user")?.str(self.user.as_str())?;
            encoder.str("name")?.str(&self.name)?;
            encoder.str("activity")?.str(self.activity.as_str())?;
            if let Some(field) = &self.field {
                encoder.str("field")?.str(field)?;
            }
            Ok(())
        })();
        encoder.into_writer()
    }

    /// Reads a payload; ephemeral messages that are not presence (another application's, or
    /// malformed) are an error, never a panic.
    pub fn decode(bytes: &[u8]) -> Result<Presence, SyncError> {
        let malformed = |reason: &str| SyncError::MalformedFrame {
            reason: format!("presence: {reason}"),
        };
        let mut decoder = Decoder::new(bytes);
        let entries = decoder
            .map()
            .map_err(|_| malformed("not a map"))?
            .ok_or_else(|| malformed("indefinite map"))?;
        let (mut kind, mut user, mut name, mut activity, mut field) =
            (None, None, None, None, None);
        for _ in 0..entries.min(16) {
            let key = decoder.str().map_err(|_| malformed("a key is not text"))?;
            let value = match decoder.datatype().map_err(|_| malformed("truncated"))? {
                Type::String => {
                    let text = decoder.str().map_err(|_| malformed("bad text"))?;
                    if text.len() > MAX_TEXT_BYTES {
                        return Err(malformed("a value is too long"));
                    }
                    Some(text)
                }
                Type::Null | Type::Undefined => {
                    decoder.skip().map_err(|_| malformed("truncated"))?;
                    None
                }
                _ => return Err(malformed("a value is not text")),
            };
            match key {
                "type" => kind = value,
                "user" => user = value,
                "name" => name = value,
                "activity" => activity = value,
                "field" => field = value,
                _ => {}
            }
        }
        if kind != Some(PRESENCE_TYPE) {
            return Err(malformed("not a presence message"));
        }
        let user = user
            .and_then(|user| UserId::new(user).ok())
            .ok_or_else(|| malformed("no valid user"))?;
        let activity = activity
            .and_then(PresenceActivity::from_name)
            .ok_or_else(|| malformed("unknown activity"))?;
        Ok(Presence {
            user,
            name: name.unwrap_or_default().to_owned(),
            activity,
            field: field.map(str::to_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_without_a_field_round_trips() {
        let presence = Presence {
            user: UserId::new("rep-zhang").unwrap(),
            name: String::new(),
            activity: PresenceActivity::Viewing,
            field: None,
        };
        assert_eq!(Presence::decode(&presence.encode()).unwrap(), presence);
    }

    #[test]
    fn other_payloads_are_errors_not_panics() {
        for bytes in [
            &b""[..],
            &[0xa1, 0x64, b't', b'y', b'p', b'e', 0x01][..],
            &[0xbf][..],
            &[0xa1, 0x01, 0x02][..],
            &[0xa2, 0x64, b't', b'y', b'p', b'e', 0x61, b'x'][..],
        ] {
            assert!(Presence::decode(bytes).is_err());
        }
    }
}
