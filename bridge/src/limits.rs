//! Connection limits: the total cap and the per-client-address cap, held as RAII
//! permits so a connection's slots are returned however it ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use crate::client_ip::limit_key;

/// Why a connection slot was not granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitExceeded {
    /// The bridge holds `max_connections` already (HTTP 503).
    Total,
    /// This address holds `max_per_ip` already (HTTP 429).
    PerIp,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// The bridge-wide counts. One short std mutex section per connection open and
/// close; never held across an await.
#[derive(Debug)]
pub(crate) struct ConnectionLimits {
    max_total: usize,
    max_per_ip: usize,
    counts: Mutex<Counts>,
}

/// A granted slot; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct ConnectionPermit {
    limits: Arc<ConnectionLimits>,
    key: IpAddr,
}

impl ConnectionLimits {
    pub(crate) fn new(max_total: usize, max_per_ip: usize) -> Self {
        Self {
            max_total,
            max_per_ip,
            counts: Mutex::default(),
        }
    }

    /// Takes a slot for `client`, or says which limit refuses it. The per-IP limit is
    /// checked first so that one address at its cap learns it is the problem.
    pub(crate) fn acquire(
        self: &Arc<Self>,
        client: IpAddr,
    ) -> Result<ConnectionPermit, LimitExceeded> {
        self.acquire_for(client, true)
    }

    /// As [`ConnectionLimits::acquire`], checking the per-IP cap only if
    /// `per_ip_cap` (a trusted proxy carries many clients on one address).
    pub(crate) fn acquire_for(
        self: &Arc<Self>,
        client: IpAddr,
        per_ip_cap: bool,
    ) -> Result<ConnectionPermit, LimitExceeded> {
        let key = limit_key(client);
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = counts.per_ip.get(&key).copied().unwrap_or(0);
        if per_ip_cap && mine >= self.max_per_ip {
            return Err(LimitExceeded::PerIp);
        }
        if counts.total >= self.max_total {
            return Err(LimitExceeded::Total);
        }
        counts.total += 1;
        counts.per_ip.insert(key, mine + 1);
        Ok(ConnectionPermit {
            limits: Arc::clone(self),
            key,
        })
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut counts = self
            .limits
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                counts.per_ip.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_ip_and_total_caps_and_release_on_drop() {
        let limits = Arc::new(ConnectionLimits::new(3, 2));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let c: IpAddr = "192.0.2.3".parse().unwrap();
        let a1 = limits.acquire(a).unwrap();
        let _a2 = limits.acquire(a).unwrap();
        assert_eq!(limits.acquire(a).unwrap_err(), LimitExceeded::PerIp);
        let _b1 = limits.acquire(b).unwrap();
        assert_eq!(limits.acquire(c).unwrap_err(), LimitExceeded::Total);
        drop(a1);
        let _c1 = limits.acquire(c).unwrap();
        assert_eq!(limits.counts.lock().unwrap().total, 3);
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        let limits = Arc::new(ConnectionLimits::new(10, 1));
        let _x = limits.acquire("2001:db8::1".parse().unwrap()).unwrap();
        let err = limits.acquire("2001:db8::2".parse().unwrap()).unwrap_err();
        assert_eq!(err, LimitExceeded::PerIp);
        limits.acquire("2001:db8:0:1::1".parse().unwrap()).unwrap();
    }
}
