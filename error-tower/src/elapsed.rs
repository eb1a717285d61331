//! [`Elapsed`]: the error of an attempt that took too long, or that was still in flight at
//! its call's deadline. The timeout and the retry layer end attempts with the same error,
//! so that a caller matches one type whichever layer ended the attempt.

use core::time::Duration;

use error_core::ClassifiedError;

/// An attempt took longer than it was allowed: a [`Timeout`](crate::timeout::Timeout)'s
/// limit, or the time left before the call's deadline (ended by the timeout inside the
/// retry layer, or by the [retry layer itself](crate::retry::RetryLayer::deadline)).
/// Classified `transient`, with status `deadline_exceeded`: another attempt may be faster,
/// so [`Retry`](crate::retry::Retry) retries it while the deadline leaves room.
///
/// It is `error_tower::timeout::error::Elapsed` and `error_tower::retry::Elapsed`, one type
/// under the path of each feature, defined here, at `error_tower::elapsed::Elapsed`: the
/// path its [`type_name`](ClassifiedError::type_name) (OpenTelemetry's `exception.type`)
/// gives, which exists with either feature.
///
/// ```
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError, Status};
/// use error_tower::retry::Elapsed;
///
/// let err = Elapsed::new(Duration::from_millis(250));
/// assert_eq!(err.to_string(), "request timed out. timeout=`250ms`");
/// assert_eq!(err.class(), Class::Transient);
/// assert_eq!(err.status(), Status::DeadlineExceeded);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, ClassifiedError)]
#[class(transient, status = deadline_exceeded, code = "timeout", context = none)]
#[error("request timed out")]
pub struct Elapsed {
    #[kv(debug)]
    timeout: Duration,
}

impl Elapsed {
    /// The error of an attempt stopped after `timeout`.
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        Elapsed { timeout }
    }

    /// How long the attempt was allowed.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}
