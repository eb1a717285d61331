//! [`Class`]: what the caller of a failed operation should do next.
//!
//! A distributed system's errors are many, but the things a caller can do about one are few:
//! retry, back off, go somewhere else, re-run a transaction, fix the input, fix the
//! credentials, stop calling, repair data, restart the process, or report a bug. A `Class`
//! names exactly one of those actions. Middleware (retries, circuit breakers), telemetry and
//! RPC status mapping act on the class and never need to know the concrete error type.

use core::fmt;
use core::str::FromStr;

/// What the caller of a failed operation should do next: one variant per caller action.
///
/// | class | meaning | caller action | retriable | fatal |
/// |---|---|---|---|---|
/// | [`Transient`](Class::Transient) | momentary failure: no leader yet, timeout, connection reset | back off, retry | yes | no |
/// | [`Busy`](Class::Busy) | overloaded, throttled, queue full (backpressure) | back off longer, retry within a budget | yes | no |
/// | [`Redirect`](Class::Redirect) | this node can't serve it, another can (not the leader) | retry against the hinted target | yes | no |
/// | [`Conflict`](Class::Conflict) | a transaction or version conflict | re-run the whole transaction, or drop it | yes | no |
/// | [`Invalid`](Class::Invalid) | bad argument, configuration or call | fix the input; retrying as-is never helps | no | no |
/// | [`Denied`](Class::Denied) | refused by policy: permissions, quota policy, authentication | fix credentials or policy | no | no |
/// | [`Closed`](Class::Closed) | the component was shut down | stop calling; create a new instance | no | no |
/// | [`Data`](Class::Data) | persisted data is corrupt or of an incompatible version | repair data or upgrade | no | no |
/// | [`Fatal`](Class::Fatal) | unrecoverable fault: storage or transport dead, driver task died | restart the process | no | yes |
/// | [`Internal`](Class::Internal) | a bug: the caller should never see it | report it | no | no |
///
/// The enum is `#[non_exhaustive]`: a new caller action may be added in a minor release, so
/// a `match` on a `Class` keeps a `_` arm.
///
/// # Example
///
/// ```
/// use error_core::Class;
///
/// let class: Class = "busy".parse()?;
/// assert_eq!(class, Class::Busy);
/// assert!(class.is_retriable());
/// assert!(!class.is_fatal());
/// assert_eq!(class.to_string(), "busy");
/// assert_eq!(class.action(), "back off longer, retry within a budget");
/// # Ok::<(), error_core::ParseClassError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Class {
    /// A momentary failure: no leader elected yet, a timeout, a connection reset.
    ///
    /// The caller backs off and retries the same request.
    Transient,
    /// The callee is overloaded, throttled, or its queue is full: backpressure.
    ///
    /// The caller backs off longer (at least the error's `retry_after`, when it gives one)
    /// and retries only within a retry budget, so that retries do not add to the overload.
    Busy,
    /// This node cannot serve the request but another one can: the callee is not the leader.
    ///
    /// The caller retries at once against the hinted target.
    Redirect,
    /// A transaction or version conflict.
    ///
    /// The caller re-runs the whole transaction (re-reading what it read), or drops it.
    /// Retrying the same request as-is does not help.
    Conflict,
    /// A bad argument, configuration or call.
    ///
    /// The caller fixes the input; retrying as-is never helps.
    Invalid,
    /// Refused by policy: permissions, a quota policy, authentication.
    ///
    /// The caller fixes its credentials or the policy.
    Denied,
    /// The component was shut down.
    ///
    /// The caller stops calling this instance and creates a new one.
    Closed,
    /// Persisted data is corrupt or of an incompatible version.
    ///
    /// An operator repairs the data or upgrades the software.
    Data,
    /// An unrecoverable fault: storage or transport dead, a driver task died.
    ///
    /// The process restarts.
    Fatal,
    /// A bug: the caller should never see it.
    ///
    /// The caller reports it.
    Internal,
}

impl Class {
    /// Every class, in the order of the table above.
    pub const ALL: [Class; 10] = [
        Class::Transient,
        Class::Busy,
        Class::Redirect,
        Class::Conflict,
        Class::Invalid,
        Class::Denied,
        Class::Closed,
        Class::Data,
        Class::Fatal,
        Class::Internal,
    ];

    /// Whether retrying (the same request, elsewhere, later, or the whole transaction) can
    /// succeed: `transient`, `busy`, `redirect` and `conflict`.
    ///
    /// ```
    /// use error_core::Class;
    /// assert!(Class::Transient.is_retriable());
    /// assert!(!Class::Invalid.is_retriable());
    /// ```
    #[must_use]
    pub const fn is_retriable(self) -> bool {
        matches!(
            self,
            Class::Transient | Class::Busy | Class::Redirect | Class::Conflict
        )
    }

    /// Whether the process should restart: only `fatal`.
    ///
    /// ```
    /// use error_core::Class;
    /// assert!(Class::Fatal.is_fatal());
    /// assert!(!Class::Internal.is_fatal());
    /// ```
    #[must_use]
    pub const fn is_fatal(self) -> bool {
        matches!(self, Class::Fatal)
    }

    /// The stable lowercase name: `"transient"`, `"busy"`, … It is also the class's
    /// spelling in `#[class(...)]` and what telemetry records, so it never changes.
    ///
    /// ```
    /// use error_core::Class;
    /// assert_eq!(Class::Redirect.as_str(), "redirect");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Class::Transient => "transient",
            Class::Busy => "busy",
            Class::Redirect => "redirect",
            Class::Conflict => "conflict",
            Class::Invalid => "invalid",
            Class::Denied => "denied",
            Class::Closed => "closed",
            Class::Data => "data",
            Class::Fatal => "fatal",
            Class::Internal => "internal",
        }
    }

    /// What the caller does about an error of this class, in a few words (the "caller
    /// action" column of the table above).
    ///
    /// ```
    /// use error_core::Class;
    /// assert_eq!(Class::Closed.action(), "stop calling; create a new instance");
    /// ```
    #[must_use]
    pub const fn action(self) -> &'static str {
        match self {
            Class::Transient => "back off, retry",
            Class::Busy => "back off longer, retry within a budget",
            Class::Redirect => "retry against the hinted target",
            Class::Conflict => "re-run the whole transaction, or drop it",
            Class::Invalid => "fix the input; retrying as-is never helps",
            Class::Denied => "fix credentials or policy",
            Class::Closed => "stop calling; create a new instance",
            Class::Data => "repair data or upgrade",
            Class::Fatal => "restart the process",
            Class::Internal => "report it",
        }
    }
}

impl fmt::Display for Class {
    /// Writes [`Class::as_str`], honouring width and alignment (`{:>9}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Class {
    type Err = ParseClassError;

    /// Parses the stable lowercase name ([`Class::as_str`]); anything else is a
    /// [`ParseClassError`], itself classified `invalid`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Class::ALL
            .into_iter()
            .find(|class| class.as_str() == s)
            .ok_or(ParseClassError { _private: () })
    }
}

/// The error of parsing a [`Class`] from a string that is not one of the stable names.
///
/// It is itself a classified error: class `invalid`, code `"ParseClassError"`.
///
/// ```
/// use error_core::{Class, ClassifiedError};
///
/// let err = "transiant".parse::<Class>().unwrap_err();
/// assert_eq!(err.class(), Class::Invalid);
/// assert_eq!(
///     err.to_string(),
///     "unknown class; expected one of: transient, busy, redirect, conflict, invalid, denied, closed, data, fatal, internal"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseClassError {
    _private: (),
}

impl fmt::Display for ParseClassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown class; expected one of: ")?;
        for (i, class) in Class::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(class.as_str())?;
        }
        Ok(())
    }
}

impl core::error::Error for ParseClassError {}

impl crate::ClassifiedError for ParseClassError {
    fn class(&self) -> Class {
        Class::Invalid
    }

    fn code(&self) -> &'static str {
        "ParseClassError"
    }
}
