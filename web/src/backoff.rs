//! The reconnection policy: exponential backoff with jitter, reset once signed in.
//!
//! Pure and clock-free so it is tested natively; the caller supplies the random
//! fraction (`Math.random()` in the browser) and turns the delay into a timer.

/// First retry delay. Short, so a bridge restart costs the user about a second.
pub const BASE_DELAY_MS: u32 = 500;

/// Longest wait between attempts. Long enough not to hammer a server that is down,
/// short enough that a user who comes back to the tab is not left waiting long (and
/// visibility/online events retry at once anyway).
pub const MAX_DELAY_MS: u32 = 15_000;

/// Counts failed attempts and spaces the next ones out.
///
/// Without jitter every tab that lost the same bridge would come back at the same
/// instant; "equal jitter" keeps at least half the exponential delay (so retries
/// still back off) and spreads the other half at random.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The delay before the next attempt, given a random `fraction` in `[0, 1)`, and
    /// counts this failure.
    pub fn next_delay_ms(&mut self, fraction: f64) -> u32 {
        let ceiling = self.ceiling_ms();
        self.failures = self.failures.saturating_add(1);
        let half = ceiling / 2;
        let fraction = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // Truncation is intended: the jitter is a whole number of milliseconds.
        let jitter = (f64::from(ceiling - half) * fraction) as u32;
        (half + jitter).min(ceiling)
    }

    /// The exponential ceiling for the current number of failures.
    fn ceiling_ms(&self) -> u32 {
        let factor = 1u32.checked_shl(self.failures.min(16)).unwrap_or(u32::MAX);
        BASE_DELAY_MS.saturating_mul(factor).min(MAX_DELAY_MS)
    }

    /// Failed attempts since the last success.
    #[cfg(test)]
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// A sign-in succeeded: the next loss starts again from the short delay.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap() {
        let mut b = Backoff::default();
        let ceilings: Vec<u32> = (0..8).map(|_| b.next_delay_ms(0.999_999)).collect();
        assert_eq!(
            ceilings,
            [499, 999, 1999, 3999, 7999, 14_999, 14_999, 14_999]
        );
        assert_eq!(b.failures(), 8);
    }

    #[test]
    fn jitter_keeps_at_least_half_the_delay() {
        let mut low = Backoff::default();
        let mut high = Backoff::default();
        for _ in 0..10 {
            let (l, h) = (low.next_delay_ms(0.0), high.next_delay_ms(0.999));
            assert!(l * 2 >= h.saturating_sub(1), "{l} vs {h}");
            assert!(l < h || h == l);
        }
    }

    #[test]
    fn bad_random_input_is_clamped() {
        let mut b = Backoff::default();
        assert_eq!(b.next_delay_ms(f64::NAN), 250);
        assert_eq!(b.next_delay_ms(7.0), 1000);
        assert_eq!(b.next_delay_ms(-1.0), 1000);
    }

    #[test]
    fn reset_starts_over_and_many_failures_do_not_overflow() {
        let mut b = Backoff::default();
        for _ in 0..1000 {
            assert!(b.next_delay_ms(0.5) <= MAX_DELAY_MS);
        }
        b.reset();
        assert_eq!(b.next_delay_ms(0.0), BASE_DELAY_MS / 2);
    }
}
