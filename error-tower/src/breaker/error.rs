//! [`Open`]: the error of a call the breaker refused; [`ConfigError`]: the error of a
//! configuration it refused.

use core::time::Duration;

use error_core::ClassifiedError;

use super::State;

/// A call that the breaker failed fast, without sending it: the breaker is open, or
/// half-open with every probe slot taken, or forced open.
///
/// Classified `busy`, so that a caller backs off, and with a hint, so that it knows for how
/// long ([`retry_after`](ClassifiedError::retry_after)):
///
/// | [`state`](Open::state) | `retry_after` |
/// |---|---|
/// | [`State::Open`] | the time left until the breaker turns half-open, to the nanosecond |
/// | [`State::HalfOpen`] | [`BreakerBuilder::half_open_retry_after`](super::BreakerBuilder::half_open_retry_after) (100 ms by default): a probe is in flight, and its answer closes or re-opens the breaker about a round trip later |
/// | [`State::ForcedOpen`] | none: nobody knows when an operator will release it, so [`Retry`](crate::retry::Retry) does not retry it |
///
/// Its status is `unavailable` (HTTP 503, which carries `Retry-After`), not the
/// `resource_exhausted` (429) that `busy` has by default: the caller sent nothing wrong and
/// nothing too much; the backend behind the breaker is the one that is down. A peer that
/// receives the status classifies it `transient` and backs off.
///
/// It reaches the service's error type as an `error_core::Error` holding it, so that its
/// class and hint survive a `tower::BoxError` stack; `downcast_ref::<Open>()` gets it back.
///
/// ```
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError, Status};
/// use error_tower::breaker::{BreakerLayer, State};
/// use error_tower::breaker::error::Open;
/// use tower::{Service, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let layer = BreakerLayer::new();
/// layer.handle().force_open();
/// let backend = tower::service_fn(|_: ()| async { Ok::<_, error_core::Error>(()) });
/// let mut service = tower::Layer::layer(&layer, backend);
/// let err = service.ready().await.unwrap().call(()).await.unwrap_err();
/// assert_eq!(err.to_string(), "circuit breaker is forced open");
/// assert_eq!(err.class(), Class::Busy);
/// assert_eq!(err.status(), Status::Unavailable);
/// assert_eq!(err.code(), "breaker.open");
/// assert_eq!(err.retry_after(), None);
/// assert_eq!(err.downcast_ref::<Open>().map(Open::state), Some(State::ForcedOpen));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, ClassifiedError)]
#[class(busy, status = unavailable, code = "breaker.open", context = none)]
#[error("circuit breaker is {state}")]
pub struct Open {
    state: State,
    // Not in the message: `retry_after()` says it, and an `Option` would print as `Some(..)`.
    #[retry_after]
    #[kv(skip)]
    retry_after: Option<Duration>,
}

impl Open {
    pub(crate) fn new(state: State, retry_after: Option<Duration>) -> Self {
        Open { state, retry_after }
    }

    /// The state that refused the call: [`State::Open`], [`State::HalfOpen`] or
    /// [`State::ForcedOpen`].
    #[must_use]
    pub fn state(&self) -> State {
        self.state
    }
}

/// Why a [`BreakerLayer`](super::BreakerLayer) could not be built. Classified `invalid`.
///
/// ```
/// use error_core::{Class, ClassifiedError};
/// use error_tower::breaker::BreakerLayer;
/// use error_tower::breaker::error::ConfigError;
///
/// let err = BreakerLayer::builder().failure_ratio(1.5).build().unwrap_err();
/// assert!(matches!(err, ConfigError::FailureRatio { .. }));
/// assert_eq!(err.class(), Class::Invalid);
/// assert_eq!(err.to_string(), "breaker failure ratio must be above 0 and at most 1. ratio=`1.5`");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, ClassifiedError)]
#[non_exhaustive]
#[class(invalid, context = none)]
pub enum ConfigError {
    /// The failure ratio is not a number above 0 and at most 1.
    #[error("breaker failure ratio must be above 0 and at most 1")]
    FailureRatio {
        /// The ratio given.
        ratio: f64,
    },
    /// The minimum number of calls for the failure rate is zero.
    #[error("breaker minimum calls must be at least 1")]
    ZeroMinimumCalls,
    /// The failure-rate window is zero.
    #[error("breaker window must be above zero")]
    ZeroWindow,
    /// The number of consecutive failures that trips the breaker is zero.
    #[error("breaker consecutive failures must be at least 1")]
    ZeroConsecutiveFailures,
    /// The open interval is zero: the breaker would never stay open.
    #[error("breaker open interval must be above zero")]
    ZeroOpenInterval,
    /// The number of concurrent probes is zero: a half-open breaker would never close.
    #[error("breaker probes must be at least 1")]
    ZeroProbes,
    /// The number of probe successes that closes the breaker is zero.
    #[error("breaker successes to close must be at least 1")]
    ZeroCloseAfter,
    /// The hint of a call refused while half-open is zero: a retrying caller would come
    /// straight back into the same refusal.
    #[error("breaker half-open retry hint must be above zero")]
    ZeroHalfOpenRetryAfter,
}
