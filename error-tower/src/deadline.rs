//! The deadline of the call whose attempt is being polled: the retry layer sets it, and a
//! timeout inside reads it, so that an attempt gets no more than the time left. A tokio
//! task-local keeps the two layers' types independent of each other.

use std::time::Duration;

use tokio::time::Instant;

tokio::task_local! {
    static CALL_DEADLINE: Instant;
}

/// Runs `f` (a poll of an attempt) with `deadline` as the current call's deadline.
#[cfg_attr(not(feature = "retry"), allow(dead_code))]
pub(crate) fn with<R>(deadline: Instant, f: impl FnOnce() -> R) -> R {
    CALL_DEADLINE.sync_scope(deadline, f)
}

/// The deadline of the enclosing retry layer's call, while one of its attempts is polled.
#[cfg_attr(not(feature = "timeout"), allow(dead_code))]
pub(crate) fn current() -> Option<Instant> {
    CALL_DEADLINE.try_with(|deadline| *deadline).ok()
}

/// `now + duration`, or as late as the clock can say: a deadline or timeout of
/// `Duration::MAX` means "never", not a panic.
#[cfg_attr(
    not(any(feature = "retry", feature = "timeout", feature = "breaker")),
    allow(dead_code)
)]
pub(crate) fn later(now: Instant, mut duration: Duration) -> Instant {
    loop {
        if let Some(later) = now.checked_add(duration) {
            return later;
        }
        duration /= 2;
    }
}
