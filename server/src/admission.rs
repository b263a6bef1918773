//! Whether a new connection may take a slot, decided before a byte of it is read: the
//! per-address connection cap ([`IpLimits`]) and the per-address rate of new
//! connections ([`ConnectRate`]).
//!
//! The accept loop asks for a plain TCP peer at once; for a trusted bridge it asks
//! after the PROXY header, under the address the header carries (the bridge's own
//! address is never counted, or one browser could lock every other one out).
//!
//! Refusals are not logged one by one (a flood would fill the log): they are counted
//! and summed up in one line at most every [`REPORT_EVERY`].

use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::config::Config;
use crate::connect_rate::{ConnectRate, DEFAULT_TRACKED_ADDRESSES};
use crate::ip_limit::{IpLimits, IpSlot};

/// How often refused connections are summed up in the log, at most.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);

/// Why a connection was refused at accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The address already holds `max_connections_per_ip` connections.
    TooManyConnections,
    /// The address opens connections faster than `connect_rate_per_ip` allows.
    TooFast,
}

/// The per-address gate every connection passes before it is served.
#[derive(Debug)]
pub struct Admission {
    ip_limits: IpLimits,
    connect_rate: Option<Mutex<ConnectRate>>,
    report: Mutex<RefusalReport>,
}

#[derive(Debug, Default)]
struct RefusalReport {
    too_many: u64,
    too_fast: u64,
    last: Option<Instant>,
}

impl Admission {
    /// The gate `config` asks for.
    pub fn new(config: &Config, now: Instant) -> Self {
        Self {
            ip_limits: IpLimits::new(config.max_connections_per_ip),
            connect_rate: config
                .connect_rate_per_ip
                .map(|limit| Mutex::new(ConnectRate::new(limit, DEFAULT_TRACKED_ADDRESSES, now))),
            report: Mutex::default(),
        }
    }

    /// A slot for a new connection from `ip` at `now`, or why there is none (the
    /// refusal is counted for the log summary).
    pub fn admit(&self, ip: IpAddr, now: Instant) -> Result<IpSlot, Refusal> {
        let result = self.check(ip, now);
        if let Err(refusal) = result {
            self.note(refusal, now);
        }
        result
    }

    fn check(&self, ip: IpAddr, now: Instant) -> Result<IpSlot, Refusal> {
        if let Some(rate) = &self.connect_rate {
            let mut rate = rate.lock().unwrap_or_else(|e| e.into_inner());
            if !rate.admit(ip, now) {
                return Err(Refusal::TooFast);
            }
        }
        self.ip_limits
            .acquire(ip)
            .ok_or(Refusal::TooManyConnections)
    }

    fn note(&self, refusal: Refusal, now: Instant) {
        let mut report = self.report.lock().unwrap_or_else(|e| e.into_inner());
        match refusal {
            Refusal::TooManyConnections => report.too_many += 1,
            Refusal::TooFast => report.too_fast += 1,
        }
        let due = report
            .last
            .is_none_or(|last| now.saturating_duration_since(last) >= REPORT_EVERY);
        if due {
            tracing::info!(
                over_address_cap = report.too_many,
                over_connect_rate = report.too_fast,
                "refused new connections at accept (counts since the last report)"
            );
            *report = RefusalReport {
                last: Some(now),
                ..RefusalReport::default()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RateLimit;

    #[test]
    fn the_cap_and_the_rate_each_refuse_and_slots_come_back() {
        let now = Instant::now();
        let mut config = Config::new("x.db");
        config.max_connections_per_ip = 2;
        config.connect_rate_per_ip = Some(RateLimit {
            per_second: 1.0,
            burst: 3,
        });
        let gate = Admission::new(&config, now);
        let attacker: IpAddr = "127.0.0.2".parse().unwrap();
        let first = gate.admit(attacker, now).unwrap();
        let _second = gate.admit(attacker, now).unwrap();
        assert_eq!(
            gate.admit(attacker, now).unwrap_err(),
            Refusal::TooManyConnections
        );
        drop(first);
        assert_eq!(gate.admit(attacker, now).unwrap_err(), Refusal::TooFast);
        assert!(gate.admit("127.0.0.1".parse().unwrap(), now).is_ok());
    }

    #[test]
    fn the_defaults_limit_every_address() {
        let config = Config::new("x.db");
        assert!(config.max_connections_per_ip > 0);
        assert!(config.connect_rate_per_ip.is_some());
    }
}
