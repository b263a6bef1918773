//! How fast one address may open new connections: a token bucket per address, in a
//! table of bounded size. Sans-IO: the caller passes the time in.
//!
//! Without it, a peer that opens and drops connections in a loop makes the server
//! accept, set up and log each one as fast as it can send SYNs. With it, an address
//! gets a burst of connections and then a few a second; the rest are closed at
//! accept, before a byte is read.
//!
//! The table never holds more than its capacity: buckets that have refilled (they
//! say nothing a fresh bucket would not) are forgotten first, and when every tracked
//! address is busy, new addresses share one overflow bucket, so a flood from many
//! addresses is limited as a group while the addresses already tracked keep theirs.

use std::collections::HashMap;
use std::net::IpAddr;

use tokio::time::Instant;

use crate::config::RateLimit;
use crate::rate::TokenBucket;

/// Most addresses tracked by default: about 5 MiB of buckets at most.
pub const DEFAULT_TRACKED_ADDRESSES: usize = 65_536;

/// The key an address is limited under: IPv4 (and IPv4-mapped IPv6) addresses as
/// they are, IPv6 addresses by their /64 prefix, since one host or home is usually
/// given a whole /64 and could otherwise pick a fresh address for every attempt.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !u128::from(u64::MAX);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

/// Per-address token buckets for new connections.
#[derive(Debug)]
pub struct ConnectRate {
    limit: RateLimit,
    max_tracked: usize,
    buckets: HashMap<IpAddr, TokenBucket>,
    overflow: TokenBucket,
}

impl ConnectRate {
    /// Each address may open `limit.burst` connections at once, then
    /// `limit.per_second`; at most `max_tracked` addresses are remembered.
    pub fn new(limit: RateLimit, max_tracked: usize, now: Instant) -> Self {
        Self {
            limit,
            max_tracked: max_tracked.max(1),
            buckets: HashMap::new(),
            overflow: TokenBucket::new(limit, now),
        }
    }

    /// Whether a new connection from `ip` arriving at `now` may proceed (it takes a
    /// token when it may).
    pub fn admit(&mut self, ip: IpAddr, now: Instant) -> bool {
        let key = address_key(ip);
        if let Some(bucket) = self.buckets.get_mut(&key) {
            return bucket.try_take(now);
        }
        if self.buckets.len() >= self.max_tracked {
            self.buckets.retain(|_, bucket| !bucket.is_full(now));
        }
        if self.buckets.len() >= self.max_tracked {
            return self.overflow.try_take(now);
        }
        let mut bucket = TokenBucket::new(self.limit, now);
        let admitted = bucket.try_take(now);
        self.buckets.insert(key, bucket);
        admitted
    }

    /// How many addresses are tracked (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const LIMIT: RateLimit = RateLimit {
        per_second: 2.0,
        burst: 3,
    };

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_gets_a_burst_then_its_rate_and_others_are_unaffected() {
        let start = Instant::now();
        let mut rate = ConnectRate::new(LIMIT, 100, start);
        let admitted = (0..20)
            .filter(|_| rate.admit(ip("127.0.0.2"), start))
            .count();
        assert_eq!(admitted, 3);
        assert!(rate.admit(ip("127.0.0.1"), start));
        assert!(!rate.admit(ip("127.0.0.2"), start + Duration::from_millis(100)));
        assert!(rate.admit(ip("127.0.0.2"), start + Duration::from_millis(500)));
    }

    #[test]
    fn ipv6_addresses_share_their_slash_64() {
        let start = Instant::now();
        let mut rate = ConnectRate::new(LIMIT, 100, start);
        for host in 1..=3 {
            assert!(rate.admit(ip(&format!("2001:db8:1:2::{host}")), start));
        }
        assert!(!rate.admit(ip("2001:db8:1:2:ffff::9"), start));
        assert!(rate.admit(ip("2001:db8:1:3::1"), start));
        assert_eq!(address_key(ip("::ffff:10.0.0.1")), ip("10.0.0.1"));
    }

    #[test]
    fn the_table_stays_bounded_and_forgets_idle_addresses_first() {
        let start = Instant::now();
        let mut rate = ConnectRate::new(LIMIT, 4, start);
        for n in 0..4 {
            assert!(rate.admit(ip(&format!("10.0.0.{n}")), start));
        }
        // Full of busy addresses: newcomers share the overflow bucket.
        let overflow = (10..30)
            .filter(|n| rate.admit(ip(&format!("10.0.0.{n}")), start))
            .count();
        assert_eq!(overflow, 3);
        assert_eq!(rate.tracked(), 4);
        // Once the tracked buckets have refilled they are forgotten for newcomers.
        let later = start + Duration::from_secs(5);
        assert!(rate.admit(ip("10.0.1.1"), later));
        assert!(rate.tracked() <= 4);
    }
}
