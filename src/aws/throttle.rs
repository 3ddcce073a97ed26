//! Calls that share a window of requests in flight and back off when AWS
//! throttles. Organizations answers `TooManyRequestsException` when a caller
//! sends too much at once; the SDK's own retries (a few quick attempts) would
//! give up on a large listing, so a throttled call here shrinks the window
//! (fewer requests at once) and is sent again after an exponential backoff
//! with full jitter, and successes grow the window back.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::Semaphore;

/// Rounds of backoff after the SDK's own attempts were throttled, before the
/// throttling is reported: about 10 s of waiting in all, on average.
pub const THROTTLED_ROUNDS: u32 = 6;
/// The first backoff; each round doubles it, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// Error codes AWS services use for "slow down".
const THROTTLING_CODES: &[&str] = &[
    "TooManyRequestsException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
];

/// At most `size` calls in flight, `size` between 1 and the window's maximum.
pub struct Window {
    permits: Semaphore,
    state: Mutex<State>,
    max: usize,
}

struct State {
    size: usize,
    /// Successes since the window last grew.
    successes: usize,
}

impl Window {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Self {
            permits: Semaphore::new(max),
            state: Mutex::new(State {
                size: max,
                successes: 0,
            }),
            max,
        }
    }

    /// `send()` within the window; throttling answers are sent again after a
    /// backoff, up to [`THROTTLED_ROUNDS`] times, then returned.
    pub async fn call<T, E, R, Fut>(&self, mut send: impl FnMut() -> Fut) -> Result<T, SdkError<E, R>>
    where
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata,
    {
        let mut round = 0;
        loop {
            let permit = self.permits.acquire().await.expect("the window is never closed");
            let result = send().await;
            let throttled = matches!(&result, Err(e) if is_throttling(e));
            if throttled && self.shrink() {
                // The window is one call smaller: this permit is not given back.
                permit.forget();
            } else {
                drop(permit);
            }
            if !throttled {
                if result.is_ok() {
                    self.grow();
                }
                return result;
            }
            if round == THROTTLED_ROUNDS {
                return result;
            }
            tokio::time::sleep(backoff(round)).await;
            round += 1;
        }
    }

    /// One call fewer at once (never below one); whether the window shrank.
    fn shrink(&self) -> bool {
        let mut state = self.state.lock().expect("the window's state is never poisoned");
        state.successes = 0;
        if state.size > 1 {
            state.size -= 1;
            true
        } else {
            false
        }
    }

    /// One call more at once after a window's worth of successes (additive
    /// increase, as TCP does), up to the maximum.
    fn grow(&self) {
        let mut state = self.state.lock().expect("the window's state is never poisoned");
        if state.size >= self.max {
            return;
        }
        state.successes += 1;
        if state.successes >= state.size {
            state.successes = 0;
            state.size += 1;
            self.permits.add_permits(1);
        }
    }
}

/// Whether AWS answered "slow down".
pub fn is_throttling<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::ServiceError(service) => service.err().code().is_some_and(|c| THROTTLING_CODES.contains(&c)),
        _ => false,
    }
}

/// Full jitter: a random wait between zero and the round's exponential cap,
/// so that calls throttled together do not come back together.
fn backoff(round: u32) -> Duration {
    let cap = FIRST_BACKOFF.saturating_mul(1 << round.min(16)).min(MAX_BACKOFF);
    let random = RandomState::new().build_hasher().finish();
    cap.mul_f64((random >> 11) as f64 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_below_a_doubling_cap() {
        for round in 0..10 {
            let cap = FIRST_BACKOFF.saturating_mul(1 << round).min(MAX_BACKOFF);
            for _ in 0..50 {
                assert!(backoff(round) <= cap);
            }
        }
        let waits: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(3)).collect();
        assert!(waits.len() > 1, "jittered, not fixed");
    }

    #[test]
    fn the_window_shrinks_on_throttling_and_grows_back() {
        let window = Window::new(4);
        assert!(window.shrink() && window.shrink() && window.shrink());
        assert!(!window.shrink(), "never below one");
        assert_eq!(window.state.lock().unwrap().size, 1);
        window.grow();
        assert_eq!(window.state.lock().unwrap().size, 2);
        window.grow();
        window.grow();
        assert_eq!(window.state.lock().unwrap().size, 3);
        for _ in 0..10 {
            window.grow();
        }
        assert_eq!(window.state.lock().unwrap().size, 4, "never above the maximum");
    }
}
