//! The hook called before each retry.

use core::time::Duration;

use error_core::Class;

/// A retry about to be sent: its wait is over, the service is ready, and the budget paid
/// for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryEvent {
    /// The attempt that failed, from 1 (every attempt counts, redirected ones too).
    pub attempt: u32,
    /// Its class.
    pub class: Class,
    /// Its code.
    pub code: &'static str,
    /// How long the retry waited after the failure, as the policy decided: the backoff, or
    /// the hint and its jitter. (A wait for the service to be ready comes on top.)
    pub delay: Duration,
}

/// Called before each retry is sent, for metrics and tracing: once per retry the backend
/// gets, so that a failed call's attempts are one plus its retries. `()` does nothing; a
/// closure `Fn(&RetryEvent)` is an `OnRetry`; a pair `(A, B)` of hooks calls `A`, then `B`,
/// so that hooks compose (error-tower's `Metrics` and error-otel's `RecordRetries` on one
/// layer; [`RetryLayer::and_on_retry`](super::RetryLayer::and_on_retry) adds one).
pub trait OnRetry {
    /// The retry of `event.attempt` is sent now, `event.delay` after the failure.
    fn on_retry(&self, event: &RetryEvent);
}

impl OnRetry for () {
    #[inline]
    fn on_retry(&self, _: &RetryEvent) {}
}

impl<F: Fn(&RetryEvent)> OnRetry for F {
    fn on_retry(&self, event: &RetryEvent) {
        self(event);
    }
}

impl<A: OnRetry, B: OnRetry> OnRetry for (A, B) {
    #[inline]
    fn on_retry(&self, event: &RetryEvent) {
        self.0.on_retry(event);
        self.1.on_retry(event);
    }
}
