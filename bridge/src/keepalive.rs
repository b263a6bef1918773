//! Keepalive and idle timeout of a bridged connection: the ping timer (the relay
//! sends the pings, since it owns the sink) and the idle watch.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::{Instant, Interval, MissedTickBehavior, interval_at, sleep_until};

use crate::close::CloseReason;

/// The ping timer, `None` when pings are off. The first tick is one period in.
pub(crate) fn ping_interval(period: Duration) -> Option<Interval> {
    if period.is_zero() {
        return None;
    }
    let mut interval = interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Some(interval)
}

/// Completes at the next ping; never when pings are off.
pub(crate) async fn next_tick(interval: &mut Option<Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// Ends the connection when no text frame went either way for `idle`.
pub(crate) async fn idle_watch(
    last_activity_ms: &AtomicU64,
    started: Instant,
    idle: Duration,
) -> CloseReason {
    if idle.is_zero() {
        return std::future::pending().await;
    }
    loop {
        let last = Duration::from_millis(last_activity_ms.load(Ordering::Relaxed));
        let deadline = started + last + idle;
        if Instant::now() >= deadline {
            return CloseReason::Idle;
        }
        sleep_until(deadline).await;
    }
}
