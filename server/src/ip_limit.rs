//! Bounding simultaneous connections per client address (the PROXY-carried one when
//! the connection came through the bridge).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Counts connections per address.
#[derive(Debug)]
pub struct IpLimits {
    max_per_ip: usize,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One counted connection; uncounted when dropped.
#[derive(Debug)]
pub struct IpSlot {
    ip: IpAddr,
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl IpLimits {
    /// At most `max_per_ip` connections per address; `0` for no limit.
    pub fn new(max_per_ip: usize) -> Self {
        Self {
            max_per_ip,
            counts: Arc::default(),
        }
    }

    /// A slot for a new connection from `ip`, `None` when the address is at its limit.
    pub fn acquire(&self, ip: IpAddr) -> Option<IpSlot> {
        let ip = ip.to_canonical();
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let count = counts.entry(ip).or_default();
        if self.max_per_ip != 0 && *count >= self.max_per_ip {
            return None;
        }
        *count += 1;
        Some(IpSlot {
            ip,
            counts: self.counts.clone(),
        })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_address_separately_and_frees_slots() {
        let limits = IpLimits::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        let s1 = limits.acquire(a).unwrap();
        let _s2 = limits.acquire(a).unwrap();
        assert!(limits.acquire(a).is_none());
        assert!(limits.acquire(b).is_some());
        drop(s1);
        assert!(limits.acquire(a).is_some());
        assert!(IpLimits::new(0).acquire(a).is_some());
    }
}
