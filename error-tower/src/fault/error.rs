//! [`Injected`]: the error a fault injects; [`FaultError`]: a configuration refused.

use core::fmt;
use core::time::Duration;

use error_core::{Class, ClassifiedError, Value, Visit};

/// The prefix of every injected error's code.
pub(crate) const PREFIX: &str = "fault.";

/// An injected error: its class, its code (under `fault.`), and its hint. It reaches the
/// service's error type as an `error_core::Error` holding it, so `downcast_ref::<Injected>()`
/// tells it from a real one, as the `fault.` code does.
///
/// ```
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError};
/// use error_tower::fault::Injected;
///
/// let busy = Injected::new(Class::Busy).with_retry_after(Duration::from_secs(1));
/// assert_eq!((busy.class(), busy.code()), (Class::Busy, "fault.busy"));
/// assert_eq!(busy.retry_after(), Some(Duration::from_secs(1)));
/// assert_eq!(busy.to_string(), "injected fault. class=`busy`");
/// let named = Injected::new(Class::Transient).with_code("fault.payment_timeout");
/// assert_eq!(named.code(), "fault.payment_timeout");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Injected {
    class: Class,
    code: &'static str,
    retry_after: Option<Duration>,
}

impl Injected {
    /// An injected error of `class`, with code `fault.{class}` and no hint.
    #[must_use]
    pub fn new(class: Class) -> Injected {
        Injected {
            class,
            code: default_code(class),
            retry_after: None,
        }
    }

    /// The error of a dropped response: `transient`, `fault.response_dropped`.
    pub(crate) fn response_dropped() -> Injected {
        Injected {
            class: Class::Transient,
            code: "fault.response_dropped",
            retry_after: None,
        }
    }

    /// Another code. It must start with `fault.`, or [`FaultBuilder::build`](super::FaultBuilder::build)
    /// refuses it.
    #[must_use]
    pub fn with_code(mut self, code: &'static str) -> Injected {
        self.code = code;
        self
    }

    /// The hint the error carries.
    #[must_use]
    pub fn with_retry_after(mut self, after: Duration) -> Injected {
        self.retry_after = Some(after);
        self
    }
}

fn default_code(class: Class) -> &'static str {
    match class {
        Class::Transient => "fault.transient",
        Class::Busy => "fault.busy",
        Class::Redirect => "fault.redirect",
        Class::Conflict => "fault.conflict",
        Class::Invalid => "fault.invalid",
        Class::Denied => "fault.denied",
        Class::Closed => "fault.closed",
        Class::Data => "fault.data",
        Class::Fatal => "fault.fatal",
        _ => "fault.internal",
    }
}

impl fmt::Display for Injected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "injected fault. class=`{}`", self.class)
    }
}

impl std::error::Error for Injected {}

impl ClassifiedError for Injected {
    fn class(&self) -> Class {
        self.class
    }

    fn code(&self) -> &'static str {
        self.code
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        visitor.visit("class", Value::Display(&self.class));
    }

    /// `"error_tower::fault::error::Injected"`, where it is defined (and re-exported as
    /// `error_tower::fault::Injected`), as the derive names its types; `core::any::type_name`
    /// is not promised to stay the same across compilers.
    fn type_name(&self) -> &'static str {
        "error_tower::fault::error::Injected"
    }
}

/// Why a [`FaultLayer`](super::FaultLayer) could not be built. Classified `invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ClassifiedError)]
#[non_exhaustive]
#[class(invalid, context = none)]
pub enum FaultError {
    /// The window is 0 calls.
    #[error("fault window must be at least 1 call")]
    ZeroWindow,
    /// Errors and dropped responses together are more than the window.
    #[error("injected errors and dropped responses are more than the window")]
    TooManyFaults {
        /// Errors per window.
        errors: u32,
        /// Dropped responses per window.
        drops: u32,
        /// The window.
        window: u32,
    },
    /// Delays are more than the window.
    #[error("injected delays are more than the window")]
    TooManyDelays {
        /// Delays per window.
        delays: u32,
        /// The window.
        window: u32,
    },
    /// The injected error's code does not start with `fault.`: it would pass for a real
    /// error in telemetry.
    #[error("injected error code must start with `fault.`")]
    UnmarkedCode {
        /// The code given.
        code: &'static str,
    },
    /// A uniform latency's upper bound is below its lower bound.
    #[error("latency range is reversed")]
    LatencyRange {
        /// The lower bound.
        #[kv(debug)]
        low: Duration,
        /// The upper bound.
        #[kv(debug)]
        high: Duration,
    },
}
