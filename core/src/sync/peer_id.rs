//! Peer, storage and session ids: the opaque strings automerge-repo uses to name repos.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::SyncError;

/// Longest peer, storage or session id accepted, in bytes.
pub const MAX_PEER_ID_LEN: usize = 256;

macro_rules! protocol_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates and wraps an id: 1 to 256 bytes.
            pub fn new(id: impl Into<String>) -> Result<Self, SyncError> {
                let id = id.into();
                if id.is_empty() {
                    return Err(SyncError::InvalidPeerId {
                        kind: $kind,
                        reason: "it is empty",
                    });
                }
                if id.len() > MAX_PEER_ID_LEN {
                    return Err(SyncError::InvalidPeerId {
                        kind: $kind,
                        reason: "it is longer than 256 bytes",
                    });
                }
                Ok($name(id))
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = SyncError;

            fn try_from(id: String) -> Result<Self, Self::Error> {
                $name::new(id)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = SyncError;

            fn try_from(id: &str) -> Result<Self, Self::Error> {
                $name::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

protocol_id!(
    /// The id a repo (browser tab, relay) presents in the handshake, e.g. `"browser-3f9a"`.
    /// Chosen by the peer itself: the relay identifies users by their token, never by this id.
    PeerId,
    "peer id"
);
protocol_id!(
    /// The id of a peer's persistent storage, announced in `peerMetadata`; absent for peers that
    /// keep nothing between sessions.
    StorageId,
    "storage id"
);
protocol_id!(
    /// The random session of an ephemeral-message sender; with the message `count` it lets every
    /// node drop repeats of a gossiped message.
    SessionId,
    "session id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_length() {
        assert!(PeerId::new("").is_err());
        assert!(PeerId::new("p".repeat(257)).is_err());
        assert_eq!(PeerId::new("p".repeat(256)).unwrap().as_str().len(), 256);
        assert_eq!(StorageId::new("s1").unwrap().to_string(), "s1");
        assert!(matches!(
            SessionId::new(""),
            Err(SyncError::InvalidPeerId {
                kind: "session id",
                ..
            })
        ));
    }

    #[test]
    fn deserialization_validates() {
        assert!(serde_json::from_str::<PeerId>("\"\"").is_err());
        assert_eq!(
            serde_json::from_str::<PeerId>("\"relay\"").unwrap(),
            PeerId::new("relay").unwrap()
        );
    }
}
