//! A token bucket per connection.
//!
//! Hand-written rather than `governor`: each bucket has exactly one owner (the connection's read
//! loop), so it needs no atomics and no shared clock, and the time is passed in, which makes it
//! testable without sleeping. `governor`'s GCRA limiters are built for limiters shared across
//! tasks and would add a clock abstraction and several dependencies for these few lines.

use std::time::{Duration, Instant};

/// `rate` tokens per second, holding at most `burst`.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket at `now`. A rate of 0 means unlimited.
    pub(crate) fn new(rate_per_second: u32, burst: u32, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: f64::from(rate_per_second),
            burst,
            tokens: burst,
            updated: now,
        }
    }

    /// Takes one token at `now`: `None` if one was there, otherwise how long until one is.
    pub(crate) fn take(&mut self, now: Instant) -> Option<Duration> {
        if self.rate <= 0.0 {
            return None;
        }
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return None;
        }
        // The token is spent now, ahead of time: the caller waits for it, and the bucket's debt
        // keeps the next caller waiting its turn too.
        self.tokens -= 1.0;
        Some(Duration::from_secs_f64(-self.tokens / self.rate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_paces() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(10, 3, start);
        for _ in 0..3 {
            assert_eq!(bucket.take(start), None);
        }
        let wait = bucket.take(start).unwrap();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
        let wait = bucket.take(start).unwrap();
        assert!(
            (wait.as_secs_f64() - 0.2).abs() < 1e-9,
            "debt accumulates: {wait:?}"
        );
        // After a full second the debt is paid and the bucket refilled, up to the burst.
        let later = start + Duration::from_secs(10);
        for _ in 0..3 {
            assert_eq!(bucket.take(later), None);
        }
        assert!(bucket.take(later).is_some());
    }

    #[test]
    fn zero_rate_is_unlimited() {
        let now = Instant::now();
        let mut bucket = TokenBucket::new(0, 1, now);
        for _ in 0..1000 {
            assert_eq!(bucket.take(now), None);
        }
    }
}
