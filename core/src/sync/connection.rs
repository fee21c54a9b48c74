//! The per-connection handshake of the automerge-repo WebSocket protocol, for both roles.
//!
//! The dialling peer (a browser) sends `join`; the accepting peer (the relay) answers `peer`
//! with `selectedProtocolVersion: "1"`. Only then may document messages flow, each addressed to
//! the receiving peer. Anything else is a protocol violation: the violating side gets an `error`
//! frame and the connection is closed.

use super::document_id::DocumentId;
use super::error::SyncError;
use super::limits::Limits;
use super::message::{PROTOCOL_VERSION, PeerMetadata, WireMessage};
use super::peer_id::PeerId;

/// What a received frame meant.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum ConnectionEvent {
    /// The handshake completed (or a dialler joined again on the same connection: treat it as a
    /// new session and reset the peer's sync states).
    Established {
        /// The remote peer.
        peer: PeerId,
        /// What it said about itself.
        metadata: PeerMetadata,
        /// The `peer` frame to send back (accepting side only).
        reply: Option<Vec<u8>>,
    },
    /// A `request`, `sync`, `doc-unavailable` or `ephemeral` message, for the document's
    /// [`DocSync`](super::DocSync).
    Document {
        /// The document it is about.
        document_id: DocumentId,
        /// The message.
        message: WireMessage,
    },
    /// The peer is leaving; close the connection.
    Leave,
    /// The peer reported an error and will close the connection.
    RemoteError {
        /// Its description.
        message: String,
    },
    /// A message this implementation receives but does not act on (heads gossip, a repeated
    /// `peer`, anything after the connection closed).
    Ignored {
        /// The message type.
        message_type: &'static str,
    },
}

/// A frame that breaks the protocol: send `error_frame`, then close the connection.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Rejection {
    /// Why.
    pub reason: SyncError,
    /// The `error` frame to send before closing.
    pub error_frame: Vec<u8>,
}

impl From<Rejection> for SyncError {
    fn from(rejection: Rejection) -> Self {
        rejection.reason
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Dialer,
    Acceptor,
}

#[derive(Clone, PartialEq, Eq, Debug)]
enum Phase {
    Handshake,
    Established { peer: PeerId },
    Closed,
}

/// One WebSocket connection's protocol state, sans-IO: feed it every binary frame received and
/// send what it returns.
///
/// ```
/// use dealflow_core::sync::{Connection, ConnectionEvent, PeerId, PeerMetadata};
///
/// let (mut browser, join) = Connection::dial(PeerId::new("browser")?, PeerMetadata::default());
/// let mut relay = Connection::accept(PeerId::new("relay")?, PeerMetadata::default());
/// let Ok(ConnectionEvent::Established { reply: Some(peer_frame), .. }) = relay.on_frame(&join) else {
///     panic!("the relay accepts the join");
/// };
/// let event = browser.on_frame(&peer_frame).map_err(|rejection| rejection.reason)?;
/// assert!(matches!(event, ConnectionEvent::Established { reply: None, .. }));
/// assert_eq!(browser.peer().map(PeerId::as_str), Some("relay"));
/// # Ok::<(), dealflow_core::sync::SyncError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Connection {
    role: Role,
    our_peer: PeerId,
    our_metadata: PeerMetadata,
    limits: Limits,
    phase: Phase,
}

impl Connection {
    /// The dialling side: returns the connection and the `join` frame to send once the socket
    /// is open (send it again after every reconnect, on the new connection).
    pub fn dial(our_peer: PeerId, metadata: PeerMetadata) -> (Connection, Vec<u8>) {
        let connection = Connection {
            role: Role::Dialer,
            our_peer,
            our_metadata: metadata,
            limits: Limits::default(),
            phase: Phase::Handshake,
        };
        let join = connection.join_frame();
        (connection, join)
    }

    /// The accepting side, waiting for `join`.
    pub fn accept(our_peer: PeerId, metadata: PeerMetadata) -> Connection {
        Connection {
            role: Role::Acceptor,
            our_peer,
            our_metadata: metadata,
            limits: Limits::default(),
            phase: Phase::Handshake,
        }
    }

    /// Uses other size caps than [`Limits::default`].
    pub fn with_limits(mut self, limits: Limits) -> Connection {
        self.limits = limits;
        self
    }

    /// The `join` frame of a dialling connection.
    pub fn join_frame(&self) -> Vec<u8> {
        WireMessage::Join {
            sender_id: self.our_peer.clone(),
            peer_metadata: self.our_metadata.clone(),
            supported_protocol_versions: Some(vec![PROTOCOL_VERSION.to_owned()]),
        }
        .encode()
    }

    /// A `leave` frame, to send before closing deliberately.
    pub fn leave_frame(&self) -> Vec<u8> {
        WireMessage::Leave {
            sender_id: self.our_peer.clone(),
        }
        .encode()
    }

    /// Our own peer id.
    pub fn our_peer(&self) -> &PeerId {
        &self.our_peer
    }

    /// The remote peer, once the handshake is done.
    pub fn peer(&self) -> Option<&PeerId> {
        match &self.phase {
            Phase::Established { peer } => Some(peer),
            _ => None,
        }
    }

    /// Whether document messages may flow.
    pub fn is_established(&self) -> bool {
        matches!(self.phase, Phase::Established { .. })
    }

    /// Whether the connection is over (left, rejected, or the peer reported an error).
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Handles one received frame.
    pub fn on_frame(&mut self, frame: &[u8]) -> Result<ConnectionEvent, Rejection> {
        if self.phase == Phase::Closed {
            return Ok(ConnectionEvent::Ignored {
                message_type: "after close",
            });
        }
        let message = WireMessage::decode_with_limits(frame, &self.limits)
            .map_err(|reason| self.reject(reason, None))?;
        match (&self.phase, self.role) {
            (Phase::Handshake, Role::Acceptor) => self.on_join(message),
            (Phase::Handshake, Role::Dialer) => self.on_peer(message),
            (Phase::Established { peer }, _) => {
                let peer = peer.clone();
                self.on_established(&peer, message)
            }
            (Phase::Closed, _) => Ok(ConnectionEvent::Ignored {
                message_type: "after close",
            }),
        }
    }

    fn on_join(&mut self, message: WireMessage) -> Result<ConnectionEvent, Rejection> {
        let WireMessage::Join {
            sender_id,
            peer_metadata,
            supported_protocol_versions,
        } = message
        else {
            let reason = SyncError::ProtocolViolation {
                reason: format!("expected join, received {}", message.type_name()),
            };
            let sender = message.sender_id().cloned();
            return Err(self.reject(reason, sender));
        };
        // A join without the field is version 1, as the JS server treats it.
        if let Some(offered) = &supported_protocol_versions
            && !offered.iter().any(|version| version == PROTOCOL_VERSION)
        {
            let reason = SyncError::UnsupportedProtocolVersion {
                offered: offered.clone(),
            };
            return Err(self.reject(reason, Some(sender_id)));
        }
        let reply = WireMessage::Peer {
            sender_id: self.our_peer.clone(),
            target_id: sender_id.clone(),
            peer_metadata: self.our_metadata.clone(),
            selected_protocol_version: PROTOCOL_VERSION.to_owned(),
        }
        .encode();
        self.phase = Phase::Established {
            peer: sender_id.clone(),
        };
        Ok(ConnectionEvent::Established {
            peer: sender_id,
            metadata: peer_metadata,
            reply: Some(reply),
        })
    }

    fn on_peer(&mut self, message: WireMessage) -> Result<ConnectionEvent, Rejection> {
        match message {
            WireMessage::Peer {
                sender_id,
                target_id,
                peer_metadata,
                selected_protocol_version,
            } => {
                if target_id != self.our_peer {
                    let reason = SyncError::ProtocolViolation {
                        reason: format!("peer message addressed to {target_id}, not to us"),
                    };
                    return Err(self.reject(reason, Some(sender_id)));
                }
                if selected_protocol_version != PROTOCOL_VERSION {
                    let reason = SyncError::UnsupportedProtocolVersion {
                        offered: vec![selected_protocol_version],
                    };
                    return Err(self.reject(reason, Some(sender_id)));
                }
                self.phase = Phase::Established {
                    peer: sender_id.clone(),
                };
                Ok(ConnectionEvent::Established {
                    peer: sender_id,
                    metadata: peer_metadata,
                    reply: None,
                })
            }
            WireMessage::Error { message, .. } => {
                self.phase = Phase::Closed;
                Ok(ConnectionEvent::RemoteError { message })
            }
            other => {
                let reason = SyncError::ProtocolViolation {
                    reason: format!("expected peer, received {}", other.type_name()),
                };
                let sender = other.sender_id().cloned();
                Err(self.reject(reason, sender))
            }
        }
    }

    fn on_established(
        &mut self,
        peer: &PeerId,
        message: WireMessage,
    ) -> Result<ConnectionEvent, Rejection> {
        match &message {
            WireMessage::Join { sender_id, .. } if self.role == Role::Acceptor => {
                if sender_id != peer {
                    let reason = SyncError::ProtocolViolation {
                        reason: format!("{sender_id} joined on the connection of {peer}"),
                    };
                    return Err(self.reject(reason, Some(peer.clone())));
                }
                self.phase = Phase::Handshake;
                self.on_join(message)
            }
            WireMessage::Join { .. } | WireMessage::Peer { .. } => Ok(ConnectionEvent::Ignored {
                message_type: message.type_name(),
            }),
            WireMessage::Leave { .. } => {
                self.phase = Phase::Closed;
                Ok(ConnectionEvent::Leave)
            }
            WireMessage::Error { message, .. } => {
                let message = message.clone();
                self.phase = Phase::Closed;
                Ok(ConnectionEvent::RemoteError { message })
            }
            WireMessage::RemoteSubscriptionChange { .. }
            | WireMessage::RemoteHeadsChanged { .. } => Ok(ConnectionEvent::Ignored {
                message_type: message.type_name(),
            }),
            WireMessage::Request { .. }
            | WireMessage::Sync { .. }
            | WireMessage::DocUnavailable { .. }
            | WireMessage::Ephemeral { .. } => {
                if message.target_id() != Some(&self.our_peer) {
                    let reason = SyncError::ProtocolViolation {
                        reason: format!(
                            "{} message addressed to another peer",
                            message.type_name()
                        ),
                    };
                    return Err(self.reject(reason, Some(peer.clone())));
                }
                // Ephemeral messages keep their creator as sender when forwarded; every other
                // document message must come from the peer of this connection.
                let forwarded = matches!(message, WireMessage::Ephemeral { .. });
                if !forwarded && message.sender_id() != Some(peer) {
                    let reason = SyncError::ProtocolViolation {
                        reason: format!("{} message claims another sender", message.type_name()),
                    };
                    return Err(self.reject(reason, Some(peer.clone())));
                }
                let Some(document_id) = message.document_id() else {
                    return Ok(ConnectionEvent::Ignored {
                        message_type: message.type_name(),
                    });
                };
                Ok(ConnectionEvent::Document {
                    document_id,
                    message,
                })
            }
        }
    }

    fn reject(&mut self, reason: SyncError, target: Option<PeerId>) -> Rejection {
        let target_id = target.or_else(|| self.peer().cloned());
        self.phase = Phase::Closed;
        let error_frame = WireMessage::Error {
            sender_id: Some(self.our_peer.clone()),
            target_id,
            message: reason.to_string(),
        }
        .encode();
        Rejection {
            reason,
            error_frame,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(name: &str) -> PeerId {
        PeerId::new(name).unwrap()
    }

    fn established_pair() -> (Connection, Connection) {
        let (mut browser, join) = Connection::dial(peer("browser"), PeerMetadata::default());
        let mut relay = Connection::accept(peer("relay"), PeerMetadata::default());
        let Ok(ConnectionEvent::Established {
            reply: Some(reply), ..
        }) = relay.on_frame(&join)
        else {
            panic!("join refused");
        };
        browser.on_frame(&reply).unwrap();
        (browser, relay)
    }

    fn sync_frame(sender: &str, target: &str) -> Vec<u8> {
        WireMessage::Sync {
            sender_id: peer(sender),
            target_id: peer(target),
            document_id: DocumentId::from_random_bytes([1; 16]),
            data: vec![0x42],
        }
        .encode()
    }

    fn error_text(frame: &[u8]) -> String {
        match WireMessage::decode(frame).unwrap() {
            WireMessage::Error { message, .. } => message,
            other => panic!("not an error frame: {other:?}"),
        }
    }

    #[test]
    fn document_messages_before_join_are_rejected() {
        let mut relay = Connection::accept(peer("relay"), PeerMetadata::default());
        let rejection = relay.on_frame(&sync_frame("browser", "relay")).unwrap_err();
        assert!(matches!(
            rejection.reason,
            SyncError::ProtocolViolation { .. }
        ));
        assert!(error_text(&rejection.error_frame).contains("expected join"));
        assert!(relay.is_closed());
    }

    #[test]
    fn joins_without_version_one_are_rejected_and_without_the_field_accepted() {
        let mut relay = Connection::accept(peer("relay"), PeerMetadata::default());
        let join = WireMessage::Join {
            sender_id: peer("future"),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: Some(vec!["2".into()]),
        };
        let rejection = relay.on_frame(&join.encode()).unwrap_err();
        assert!(matches!(
            rejection.reason,
            SyncError::UnsupportedProtocolVersion { .. }
        ));
        assert!(error_text(&rejection.error_frame).contains("unsupported protocol version"));

        let mut relay = Connection::accept(peer("relay"), PeerMetadata::default());
        let old = WireMessage::Join {
            sender_id: peer("old"),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: None,
        };
        assert!(relay.on_frame(&old.encode()).is_ok());
        assert!(relay.is_established());
    }

    #[test]
    fn wrongly_addressed_or_spoofed_messages_are_rejected() {
        let (_, mut relay) = established_pair();
        assert!(
            relay
                .on_frame(&sync_frame("browser", "someone-else"))
                .is_err()
        );
        let (_, mut relay) = established_pair();
        assert!(relay.on_frame(&sync_frame("mallory", "relay")).is_err());
        let (_, mut relay) = established_pair();
        assert!(matches!(
            relay.on_frame(&sync_frame("browser", "relay")),
            Ok(ConnectionEvent::Document { .. })
        ));
    }

    #[test]
    fn leave_error_gossip_and_garbage() {
        let (mut browser, mut relay) = established_pair();
        let gossip = WireMessage::RemoteSubscriptionChange {
            sender_id: peer("browser"),
            target_id: peer("relay"),
            add: vec![],
            remove: vec![],
        };
        assert_eq!(
            relay.on_frame(&gossip.encode()),
            Ok(ConnectionEvent::Ignored {
                message_type: "remote-subscription-change"
            })
        );
        assert_eq!(
            relay.on_frame(&browser.leave_frame()),
            Ok(ConnectionEvent::Leave)
        );
        assert!(relay.is_closed());
        let rejection = browser.on_frame(b"\xff garbage").unwrap_err();
        assert!(matches!(rejection.reason, SyncError::MalformedFrame { .. }));
    }

    #[test]
    fn a_dialer_surfaces_the_relays_error() {
        let (mut browser, _) = Connection::dial(peer("browser"), PeerMetadata::default());
        let error = WireMessage::Error {
            sender_id: Some(peer("relay")),
            target_id: Some(peer("browser")),
            message: "unsupported protocol version".into(),
        };
        assert_eq!(
            browser.on_frame(&error.encode()),
            Ok(ConnectionEvent::RemoteError {
                message: "unsupported protocol version".into()
            })
        );
    }

    #[test]
    fn a_rejoin_on_the_same_connection_is_a_new_session() {
        let (browser, mut relay) = established_pair();
        assert!(matches!(
            relay.on_frame(&browser.join_frame()),
            Ok(ConnectionEvent::Established { reply: Some(_), .. })
        ));
    }
}
