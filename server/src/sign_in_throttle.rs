//! Slowing password guessing: failed sign-ins per address (an IPv6 /64) and per
//! account, with a delay that doubles after a few free failures. Sans-IO: the
//! caller passes the time in and does the waiting.
//!
//! Call [`SignInThrottle::reserve`] before checking a password: it says how long to
//! wait first (zero for an address and account in good standing), or refuses when
//! the wait would be longer than the policy's maximum. Reserving moves the key's
//! next allowed attempt forward, so a hundred connections from one address are
//! spaced out like one. Then call [`SignInThrottle::record`] with the outcome: a
//! success clears the address and the account, a failure counts against both.
//!
//! Both tables are bounded ([`SignInPolicy::max_tracked`]): records idle past
//! `forget_after` go first, then the one idle longest.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::Duration;

use tokio::time::Instant;

use crate::connect_rate::address_key;

/// How sign-in failures are punished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failures an address or account may have before attempts are delayed.
    pub free_failures: u32,
    /// Delay after the first failure past the free ones; it doubles with each more.
    pub base_delay: Duration,
    /// Longest delay; an attempt that would have to wait longer is refused.
    pub max_delay: Duration,
    /// Failed attempts one connection may make before it is closed.
    pub failures_per_connection: u32,
    /// How long after its last failure a record is forgotten.
    pub forget_after: Duration,
    /// Most addresses, and most accounts, remembered.
    pub max_tracked: usize,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        // Three free tries, then 1 s, 2 s, 4 s ... 30 s: a person who mistypes is not
        // slowed, a guesser gets a few thousand tries a day per address and account.
        Self {
            free_failures: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            failures_per_connection: 5,
            forget_after: Duration::from_secs(15 * 60),
            max_tracked: 65_536,
        }
    }
}

/// An attempt refused because it would have to wait longer than the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyFailures;

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    next_allowed: Instant,
    last_seen: Instant,
}

/// One table of records, bounded.
#[derive(Debug)]
struct Table<K> {
    records: HashMap<K, Record>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new() -> Self {
        Self {
            records: HashMap::new(),
        }
    }

    fn wait(&self, key: &K, now: Instant) -> Duration {
        self.records.get(key).map_or(Duration::ZERO, |r| {
            r.next_allowed.saturating_duration_since(now)
        })
    }

    fn reserve(&mut self, key: &K, policy: &SignInPolicy, now: Instant) {
        if let Some(record) = self.records.get_mut(key) {
            let delay = delay_after(record.failures, policy);
            record.next_allowed = record.next_allowed.max(now) + delay;
            record.last_seen = now;
        }
    }

    fn fail(&mut self, key: &K, policy: &SignInPolicy, now: Instant) {
        if !self.records.contains_key(key) {
            self.make_room(policy, now);
        }
        let record = self.records.entry(key.clone()).or_insert(Record {
            failures: 0,
            next_allowed: now,
            last_seen: now,
        });
        record.failures = record.failures.saturating_add(1);
        record.last_seen = now;
    }

    fn clear(&mut self, key: &K) {
        self.records.remove(key);
    }

    fn make_room(&mut self, policy: &SignInPolicy, now: Instant) {
        if self.records.len() < policy.max_tracked.max(1) {
            return;
        }
        self.records.retain(|_, r| {
            now.saturating_duration_since(r.last_seen) < policy.forget_after || r.next_allowed > now
        });
        if self.records.len() >= policy.max_tracked.max(1)
            && let Some(oldest) = self
                .records
                .iter()
                .min_by_key(|(_, r)| r.last_seen)
                .map(|(k, _)| k.clone())
        {
            self.records.remove(&oldest);
        }
    }

    fn forget_idle(&mut self, policy: &SignInPolicy, now: Instant) {
        if let Some(key) = self
            .records
            .iter()
            .find(|(_, r)| now.saturating_duration_since(r.last_seen) >= policy.forget_after)
            .map(|(k, _)| k.clone())
        {
            self.records.remove(&key);
        }
    }
}

/// The delay an attempt costs after `failures` failures.
fn delay_after(failures: u32, policy: &SignInPolicy) -> Duration {
    let Some(over) = failures.checked_sub(policy.free_failures) else {
        return Duration::ZERO;
    };
    let factor = 1u32.checked_shl(over.min(31)).unwrap_or(u32::MAX);
    policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay)
}

/// Failed sign-ins per address and per account.
#[derive(Debug)]
pub struct SignInThrottle {
    policy: SignInPolicy,
    addresses: Table<IpAddr>,
    accounts: Table<String>,
}

impl SignInThrottle {
    /// Empty tables under `policy`.
    pub fn new(policy: SignInPolicy) -> Self {
        Self {
            policy,
            addresses: Table::new(),
            accounts: Table::new(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &SignInPolicy {
        &self.policy
    }

    /// Books an attempt from `ip` on `account` (`None` for a username that does not
    /// exist: unknown names are not tracked, so they cannot fill the table) at `now`:
    /// how long to wait before checking the password.
    pub fn reserve(
        &mut self,
        ip: IpAddr,
        account: Option<&str>,
        now: Instant,
    ) -> Result<Duration, TooManyFailures> {
        let ip = address_key(ip);
        let account = account.map(str::to_owned);
        let mut wait = self.addresses.wait(&ip, now);
        if let Some(account) = &account {
            wait = wait.max(self.accounts.wait(account, now));
        }
        if wait > self.policy.max_delay {
            return Err(TooManyFailures);
        }
        self.addresses.reserve(&ip, &self.policy, now);
        if let Some(account) = &account {
            self.accounts.reserve(account, &self.policy, now);
        }
        // A little housekeeping on every attempt keeps idle records from piling up
        // between the times the tables are full.
        self.addresses.forget_idle(&self.policy, now);
        self.accounts.forget_idle(&self.policy, now);
        Ok(wait)
    }

    /// Records how the attempt booked with [`SignInThrottle::reserve`] ended.
    pub fn record(&mut self, ip: IpAddr, account: Option<&str>, succeeded: bool, now: Instant) {
        let ip = address_key(ip);
        let account = account.map(str::to_owned);
        if succeeded {
            self.addresses.clear(&ip);
            if let Some(account) = &account {
                self.accounts.clear(account);
            }
        } else {
            self.addresses.fail(&ip, &self.policy, now);
            if let Some(account) = &account {
                self.accounts.fail(account, &self.policy, now);
            }
        }
    }

    /// Records held (addresses, accounts), for tests.
    pub fn tracked(&self) -> (usize, usize) {
        (self.addresses.records.len(), self.accounts.records.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> SignInPolicy {
        SignInPolicy {
            free_failures: 2,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_tracked: 3,
            ..SignInPolicy::default()
        }
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// One attempt that fails, returning the wait it was given.
    fn fail(t: &mut SignInThrottle, from: &str, account: Option<&str>, now: Instant) -> Duration {
        let wait = t.reserve(ip(from), account, now).unwrap();
        t.record(ip(from), account, false, now + wait);
        wait
    }

    #[test]
    fn delays_double_after_the_free_failures_then_attempts_are_refused() {
        let start = Instant::now();
        let mut t = SignInThrottle::new(policy());
        let waits: Vec<_> = (0..6)
            .map(|_| fail(&mut t, "127.0.0.2", None, start).as_secs())
            .collect();
        // Two free, then 1 s, then 1 + 2 s, then 1 + 2 + 4 s (all booked at `start`).
        assert_eq!(waits, [0, 0, 0, 1, 3, 7]);
        assert_eq!(
            t.reserve(ip("127.0.0.2"), None, start),
            Err(TooManyFailures)
        );
        // Another address is not affected.
        assert_eq!(t.reserve(ip("127.0.0.1"), None, start), Ok(Duration::ZERO));
    }

    #[test]
    fn an_account_is_throttled_across_addresses_and_a_success_clears_it() {
        let start = Instant::now();
        let mut t = SignInThrottle::new(policy());
        for n in 0..3 {
            fail(&mut t, &format!("10.0.0.{n}"), Some("root"), start);
        }
        let wait = t.reserve(ip("10.0.0.9"), Some("root"), start).unwrap();
        assert!(wait > Duration::ZERO);
        // Unknown names are never tracked; the fresh address is not delayed for one.
        assert_eq!(
            t.reserve(ip("10.0.0.9"), Some("alice"), start),
            Ok(Duration::ZERO)
        );
        t.record(ip("10.0.0.9"), Some("root"), true, start + wait);
        assert_eq!(
            t.reserve(ip("10.0.0.8"), Some("root"), start + wait),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn the_tables_stay_bounded() {
        let start = Instant::now();
        let mut t = SignInThrottle::new(policy());
        for n in 0..50 {
            fail(&mut t, &format!("10.0.1.{n}"), None, start);
        }
        assert!(t.tracked().0 <= 3, "{:?}", t.tracked());
        // Idle records are forgotten.
        let later = start + policy().forget_after + Duration::from_secs(1);
        for _ in 0..3 {
            t.reserve(ip("10.0.2.1"), None, later).unwrap();
        }
        assert_eq!(t.tracked().0, 0);
    }
}
