//! The hook called before each retry.

use core::time::Duration;

use error_core::Class;

/// A retry about to happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryEvent {
    /// The attempt that failed, from 1.
    pub attempt: u32,
    /// Its class.
    pub class: Class,
    /// Its code.
    pub code: &'static str,
    /// How long the retry waits before it is sent.
    pub delay: Duration,
}

/// Called before each retry, for metrics and tracing. `()` does nothing; a closure
/// `Fn(&RetryEvent)` is an `OnRetry`.
pub trait OnRetry {
    /// A retry of `event.attempt` is about to wait `event.delay`.
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
