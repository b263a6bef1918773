//! Log lines that a stranger can trigger at will are written at most once per
//! period, so a flood of bad requests cannot flood the log.

use std::sync::Mutex;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

/// How often a rate-limited warning is written at most.
pub(crate) const LOG_PERIOD: Duration = Duration::from_secs(60);

/// Remembers when a warning was last written; time is passed in.
#[derive(Debug, Default)]
pub(crate) struct RateLimitedLog {
    last: Mutex<Option<Instant>>,
}

impl RateLimitedLog {
    /// Whether to write the warning at `now`: the first time, then once `period`
    /// has passed since the last one written.
    pub(crate) fn should_log(&self, now: Instant, period: Duration) -> bool {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        match *last {
            Some(at) if now.saturating_duration_since(at) < period => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_period() {
        let log = RateLimitedLog::default();
        let t0 = Instant::now();
        assert!(log.should_log(t0, LOG_PERIOD));
        assert!(!log.should_log(t0 + Duration::from_secs(59), LOG_PERIOD));
        assert!(log.should_log(t0 + Duration::from_secs(60), LOG_PERIOD));
        assert!(!log.should_log(t0 + Duration::from_secs(61), LOG_PERIOD));
    }
}
