//! How fast membership may change (issue 12, item 3): `Room.Join` and `Room.Leave`
//! are limited per connection and per user across all its connections, each with a
//! token bucket ([`TokenBucket::try_take`], time passed in). A change past either is
//! refused with `Error.AccessDenied` ("joining and leaving too fast") and changes
//! nothing, so it pushes nothing.
//!
//! Why: every join pushes `Room.Joined` with the room's whole member list
//! (`allUsers`, `WIRE.md` section 7) to every member, so one member looping
//! join/leave in a room of `n` makes the server send `n` lists of `n` names per
//! change. The push is serialised once and its bytes shared by every recipient's
//! queue ([`crate::hub`]), but each recipient still has to be sent it: bounding the
//! changes a second bounds what a churning member costs everyone else.
//!
//! The bursts are sized for a client that rejoins its rooms at sign-in (the web app
//! and the terminal client rejoin every room the user had open after a reconnect).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use tokio::time::Instant;

use crate::config::RateLimit;
use crate::rate::TokenBucket;

/// Users whose buckets are kept before full (idle) ones are forgotten.
const PRUNE_ABOVE: usize = 1024;

/// The two bounds ([`crate::Config::membership_rate`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MembershipLimits {
    /// Joins and leaves one connection may make.
    pub per_connection: RateLimit,
    /// Joins and leaves one user may make across all its connections.
    pub per_user: RateLimit,
}

impl Default for MembershipLimits {
    fn default() -> Self {
        Self {
            per_connection: RateLimit {
                per_second: 2.0,
                burst: 20,
            },
            per_user: RateLimit {
                per_second: 4.0,
                burst: 40,
            },
        }
    }
}

/// The per-user buckets, shared by every connection.
#[derive(Debug)]
pub struct MembershipRate {
    limits: MembershipLimits,
    users: Mutex<HashMap<String, TokenBucket>>,
}

impl MembershipRate {
    /// No user has changed anything yet.
    pub fn new(limits: MembershipLimits) -> Self {
        Self {
            limits,
            users: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, TokenBucket>> {
        // A bucket update cannot be left half done by a panic.
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection's own bucket (kept by the connection).
    pub fn connection_bucket(&self, now: Instant) -> TokenBucket {
        TokenBucket::new(self.limits.per_connection, now)
    }

    /// Whether `user`, on the connection whose bucket is `connection`, may make one
    /// more membership change at `now`. A refusal takes no token from either bucket.
    pub fn allow(&self, connection: &mut TokenBucket, user: &str, now: Instant) -> bool {
        if !connection.has_token(now) {
            return false;
        }
        let mut users = self.lock();
        if users.len() > PRUNE_ABOVE {
            users.retain(|_, bucket| !bucket.is_full(now));
        }
        let bucket = users
            .entry(user.to_owned())
            .or_insert_with(|| TokenBucket::new(self.limits.per_user, now));
        if !bucket.try_take(now) {
            return false;
        }
        connection.try_take(now)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rate(per_second: f64, burst: u32) -> RateLimit {
        RateLimit { per_second, burst }
    }

    #[test]
    fn one_connection_gets_its_burst_then_a_few_a_second() {
        let limits = MembershipLimits {
            per_connection: rate(2.0, 3),
            per_user: rate(100.0, 100),
        };
        let m = MembershipRate::new(limits);
        let t = Instant::now();
        let mut conn = m.connection_bucket(t);
        assert!((0..3).all(|_| m.allow(&mut conn, "ann", t)));
        assert!(!m.allow(&mut conn, "ann", t));
        assert!(!m.allow(&mut conn, "ann", t + Duration::from_millis(400)));
        assert!(m.allow(&mut conn, "ann", t + Duration::from_millis(500)));
        assert!(!m.allow(&mut conn, "ann", t + Duration::from_millis(600)));
    }

    #[test]
    fn a_user_shares_one_bucket_across_its_connections() {
        let limits = MembershipLimits {
            per_connection: rate(100.0, 100),
            per_user: rate(1.0, 4),
        };
        let m = MembershipRate::new(limits);
        let t = Instant::now();
        let mut a = m.connection_bucket(t);
        let mut b = m.connection_bucket(t);
        assert!(m.allow(&mut a, "ann", t) && m.allow(&mut a, "ann", t));
        assert!(m.allow(&mut b, "ann", t) && m.allow(&mut b, "ann", t));
        assert!(!m.allow(&mut b, "ann", t));
        assert!(!m.allow(&mut a, "ann", t));
        // Someone else is not affected.
        let mut c = m.connection_bucket(t);
        assert!(m.allow(&mut c, "bob", t));
        assert!(m.allow(&mut a, "ann", t + Duration::from_secs(1)));
    }

    #[test]
    fn idle_users_are_forgotten() {
        let m = MembershipRate::new(MembershipLimits::default());
        let t = Instant::now();
        let mut conn = m.connection_bucket(t);
        for i in 0..=PRUNE_ABOVE {
            assert!(m.allow(&mut conn, &format!("u{i}"), t));
            conn = m.connection_bucket(t);
        }
        let later = t + Duration::from_secs(60);
        assert!(m.allow(&mut conn, "late", later));
        assert!(m.lock().len() <= 2, "{}", m.lock().len());
    }
}
