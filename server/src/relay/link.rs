//! What a document actor knows of a connection: where to send its frames and how to close it.

use std::sync::Arc;
use std::time::Instant;

use dealflow_core::UserId;
use dealflow_core::sync::{PeerId, WireMessage};
use tokio::sync::{mpsc, watch};

/// A frame queued for a connection's writer.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// The encoded frame.
    pub(crate) bytes: Vec<u8>,
    /// When the message that caused it was received, for the sync latency histogram.
    pub(crate) caused_at: Option<Instant>,
}

/// Why a connection is being closed: the WebSocket close code and reason, and an `error` frame
/// of the protocol to send first.
#[derive(Clone, Debug)]
pub(crate) struct Close {
    /// WebSocket close code (1008 policy violation, 1009 too big, 1011 server error, …).
    pub(crate) code: u16,
    /// A short reason for the close frame (at most 123 bytes on the wire).
    pub(crate) reason: String,
    /// An automerge-repo `error` frame to send before closing.
    pub(crate) error_frame: Option<Vec<u8>>,
    /// The label under which the close is counted in `dealflow_messages_rejected_total`, if it
    /// is a refusal.
    pub(crate) rejected: Option<&'static str>,
}

impl Close {
    /// The client went away or left: nothing to send.
    pub(crate) fn normal() -> Self {
        Close {
            code: 1000,
            reason: String::new(),
            error_frame: None,
            rejected: None,
        }
    }

    /// A refusal: an `error` frame saying `message`, then a close with `code`.
    pub(crate) fn refused(
        code: u16,
        rejected: &'static str,
        relay: &PeerId,
        remote: Option<&PeerId>,
        message: String,
    ) -> Self {
        let error_frame = WireMessage::Error {
            sender_id: Some(relay.clone()),
            target_id: remote.cloned(),
            message: message.clone(),
        }
        .encode();
        Close {
            code,
            reason: truncate(message, 120),
            error_frame: Some(error_frame),
            rejected: Some(rejected),
        }
    }
}

/// WebSocket close codes used by the relay.
pub(crate) mod code {
    /// The client broke the protocol or a limit.
    pub(crate) const POLICY: u16 = 1008;
    /// A message was larger than the limit.
    pub(crate) const TOO_BIG: u16 = 1009;
    /// The relay failed.
    pub(crate) const SERVER_ERROR: u16 = 1011;
    /// The relay is shedding the connection (slow consumer) or restarting.
    pub(crate) const TRY_AGAIN: u16 = 1013;
    /// A non-binary frame.
    pub(crate) const UNSUPPORTED: u16 = 1003;
}

/// `text` cut to at most `max` bytes on a character boundary (close reasons are limited).
pub(crate) fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// One connection as the document actors see it. Shared (`Arc`) by every document the
/// connection has open.
#[derive(Debug)]
pub(crate) struct ConnectionLink {
    /// The relay-assigned id under which documents track this connection (never the client's
    /// own peer id, which another client could claim too).
    pub(crate) peer: PeerId,
    /// The client's peer id, put back as `targetId` on every frame sent to it.
    pub(crate) remote: PeerId,
    /// The authenticated user.
    pub(crate) user: UserId,
    /// The writer's queue. Actors never wait on it: a full queue means a slow consumer, which
    /// is closed rather than allowed to grow memory or hold up a document.
    pub(crate) outbox: mpsc::Sender<Outbound>,
    /// Set once to close the connection (shared with its read loop and writer).
    pub(crate) closer: Arc<watch::Sender<Option<Close>>>,
}

/// What happened to a frame handed to a link.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Delivery {
    /// Queued for the writer.
    Queued,
    /// The connection is gone or closing; forget it.
    Gone,
}

impl ConnectionLink {
    /// Queues a frame without waiting. A full queue sheds the connection.
    pub(crate) fn deliver(&self, bytes: Vec<u8>, caused_at: Option<Instant>) -> Delivery {
        if self.is_closing() {
            return Delivery::Gone;
        }
        match self.outbox.try_send(Outbound { bytes, caused_at }) {
            Ok(()) => Delivery::Queued,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(peer = %self.peer, user = %self.user, "shedding a slow consumer");
                self.close(Close {
                    code: code::TRY_AGAIN,
                    reason: "too slow to keep up: reconnect".to_owned(),
                    error_frame: None,
                    rejected: Some("slow_consumer"),
                });
                Delivery::Gone
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Delivery::Gone,
        }
    }

    /// Closes the connection for `close`, unless it is closing already.
    pub(crate) fn close(&self, close: Close) {
        self.closer.send_if_modified(|current| {
            if current.is_some() {
                return false;
            }
            *current = Some(close);
            true
        });
    }

    /// Whether a close was asked for.
    pub(crate) fn is_closing(&self) -> bool {
        self.closer.borrow().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_outbox_sheds_and_the_first_close_wins() {
        let (outbox, _writer) = mpsc::channel(1);
        let (closer, watcher) = watch::channel(None);
        let closer = Arc::new(closer);
        let link = ConnectionLink {
            peer: PeerId::new("c1").unwrap(),
            remote: PeerId::new("browser").unwrap(),
            user: UserId::new("li").unwrap(),
            outbox,
            closer,
        };
        assert_eq!(link.deliver(vec![1], None), Delivery::Queued);
        assert_eq!(link.deliver(vec![2], None), Delivery::Gone);
        assert_eq!(
            watcher.borrow().as_ref().map(|close| close.code),
            Some(code::TRY_AGAIN)
        );
        link.close(Close::normal());
        assert_eq!(
            watcher.borrow().as_ref().and_then(|close| close.rejected),
            Some("slow_consumer")
        );
        assert_eq!(link.deliver(vec![3], None), Delivery::Gone);
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        let relay = PeerId::new("relay").unwrap();
        let close = Close::refused(code::POLICY, "malformed", &relay, None, "错".repeat(100));
        assert!(close.reason.len() <= 120);
        assert!(close.error_frame.is_some());
    }
}
