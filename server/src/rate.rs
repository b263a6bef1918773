//! A token bucket limiting how fast one connection's requests are served.

use std::time::Duration;

use tokio::time::Instant;

use crate::config::RateLimit;

/// Tokens refill at `per_second` up to `burst`; each request takes one.
#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    last: Instant,
    limit: RateLimit,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        Self {
            tokens: f64::from(limit.burst.max(1)),
            last: now,
            limit,
        }
    }

    /// Adds the tokens earned since the last call.
    fn refill(&mut self, now: Instant) {
        let rate = self.limit.per_second.max(0.001);
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed * rate).min(f64::from(self.limit.burst.max(1)));
    }

    /// Takes a token for a request arriving at `now`; returns how long the caller must
    /// wait before serving it (zero when a token was free).
    pub fn take(&mut self, now: Instant) -> Duration {
        let rate = self.limit.per_second.max(0.001);
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

impl TokenBucket {
    /// Takes a token if one is free at `now`, for limits that refuse rather than
    /// delay: `false` (and no debt) when none is.
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.has_token(now) {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether a token is free at `now` (taking none).
    pub fn has_token(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Whether the bucket has refilled to its burst at `now`: it then behaves like a
    /// new one, so whoever keeps it may forget it.
    pub fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= f64::from(self.limit.burst.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_paces_requests() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(
            RateLimit {
                per_second: 10.0,
                burst: 3,
            },
            start,
        );
        for _ in 0..3 {
            assert_eq!(bucket.take(start), Duration::ZERO);
        }
        let wait = bucket.take(start);
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
        // After the wait the debt is paid; the next token needs another 0.1 s.
        let later = start + Duration::from_millis(100);
        let wait = bucket.take(later);
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-6, "{wait:?}");
    }

    #[test]
    fn try_take_refuses_without_debt() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(
            RateLimit {
                per_second: 10.0,
                burst: 2,
            },
            start,
        );
        assert!(bucket.try_take(start) && bucket.try_take(start));
        assert!(!bucket.try_take(start));
        assert!(!bucket.try_take(start + Duration::from_millis(99)));
        // Refusals ran up no debt: one token after 0.1 s.
        assert!(bucket.try_take(start + Duration::from_millis(100)));
        assert!(!bucket.is_full(start + Duration::from_millis(100)));
        assert!(bucket.is_full(start + Duration::from_millis(300)));
    }
}
