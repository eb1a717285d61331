//! [`SagaError`]: which step failed, why, what was compensated, and what could not be.

use core::fmt;
use core::time::Duration;
use std::sync::Arc;

use error_core::{Class, ClassifiedError, Error, Report, Status, Value, Visit};

use crate::Key;

/// A compensation that still failed after its attempts: the system is left inconsistent
/// for this step's key.
#[derive(Debug)]
pub struct CompensationFailure {
    pub(crate) key: Key,
    pub(crate) attempts: u32,
    pub(crate) error: Error,
}

impl CompensationFailure {
    /// The key of the step it did not undo.
    #[must_use]
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Attempts made, from 1.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The last attempt's error.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.error
    }
}

impl fmt::Display for CompensationFailure {
    /// `charge: refund rejected (fatal, payment.refund) after 1 attempt`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}, {}) after {} attempt{}",
            self.key.step(),
            Report::new(&self.error),
            self.error.class(),
            self.error.code(),
            self.attempts,
            if self.attempts == 1 { "" } else { "s" }
        )
    }
}

/// The cause of the [`SagaError`] that [`Abandoned::compensate`](crate::Abandoned::compensate)
/// returns: the saga was dropped before it committed. Classified `transient` (code
/// `saga.cancelled`): nothing failed, the caller went away, and a saga whose compensations
/// all succeeded may be run again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("saga dropped before it committed")
    }
}

impl std::error::Error for Cancelled {}

impl ClassifiedError for Cancelled {
    fn class(&self) -> Class {
        Class::Transient
    }

    fn code(&self) -> &'static str {
        "saga.cancelled"
    }

    /// `"error_saga::Cancelled"`: the path users name it by (`core::any::type_name` would
    /// give the private module's, `error_saga::error::Cancelled`).
    fn type_name(&self) -> &'static str {
        "error_saga::Cancelled"
    }
}

impl error_core::Boundary for Cancelled {}

/// A saga failed at a step; its compensations ran. See the crate documentation for
/// [the rule of its class](crate#the-class-of-a-saga-error).
///
/// ```
/// use error_core::{Class, ClassifiedError, Error, Report, Status};
/// use error_saga::Saga;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let mut saga = Saga::new("checkout", "order-7").compensation_attempts(1);
/// saga.step("charge", |_| async { Ok::<_, Error>(()) })
///     .compensate(|_| async { Err::<(), _>(Error::fatal("refund service is gone").with_code("payment.refund")) })
///     .run()
///     .await
///     .unwrap();
/// let err = saga
///     .step("ship", |_| async { Err::<(), _>(Error::invalid("no such address").with_code("ship.address")) })
///     .run()
///     .await
///     .unwrap_err();
/// let ship_line = line!() - 4; // where the step's `Error::invalid` was made
/// assert_eq!((err.class(), err.code(), err.status()), (Class::Data, "saga.inconsistent", Status::Internal));
/// assert!(!err.is_consistent());
/// assert_eq!(err.compensation_failures()[0].key().to_string(), "order-7#1/1-charge");
/// assert_eq!(
///     format!("{:#}", Report::new(&err)),
///     format!(
///         "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-7`, \
///          attempt=`1`, step=`ship`, compensated=``, failed=`charge: refund service is gone (fatal, payment.refund) after 1 attempt` \
///          (data, saga.inconsistent)\n  caused by: no such address (invalid, ship.address) at {}:{ship_line}:44",
///         file!(),
///     ),
/// );
/// # }
/// ```
#[derive(Debug)]
pub struct SagaError {
    pub(crate) saga: &'static str,
    pub(crate) id: Arc<str>,
    pub(crate) attempt: u32,
    pub(crate) step: Key,
    pub(crate) cause: Error,
    pub(crate) compensated: Vec<Key>,
    pub(crate) failures: Vec<CompensationFailure>,
}

impl SagaError {
    /// The saga's name.
    #[must_use]
    pub fn saga(&self) -> &'static str {
        self.saga
    }

    /// The saga's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The saga's attempt, from 1 ([`Saga::attempt`](crate::Saga::attempt)). When the
    /// error may be retried, the next run is attempt `attempt() + 1`.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The key of the step that failed (for a dropped saga, of the last step started).
    #[must_use]
    pub fn step(&self) -> &Key {
        &self.step
    }

    /// The step's error ([`Cancelled`] for a dropped saga).
    #[must_use]
    pub fn cause(&self) -> &Error {
        &self.cause
    }

    /// The steps whose compensation succeeded, in the order they ran (reverse).
    #[must_use]
    pub fn compensated(&self) -> &[Key] {
        &self.compensated
    }

    /// The compensations that failed, in the order they ran: what a repair must undo.
    #[must_use]
    pub fn compensation_failures(&self) -> &[CompensationFailure] {
        &self.failures
    }

    /// `true` when every compensation succeeded: the system is as it was before the saga.
    #[must_use]
    pub fn is_consistent(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A list of keys' step names, `, `-separated.
struct Steps<'a>(&'a [Key]);

impl fmt::Display for Steps<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(key.step())?;
        }
        Ok(())
    }
}

/// The failures, `; `-separated.
struct Failures<'a>(&'a [CompensationFailure]);

impl fmt::Display for Failures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, failure) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(failure, f)?;
        }
        Ok(())
    }
}

impl fmt::Display for SagaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_consistent() {
            f.write_str("saga step failed; completed steps compensated")?;
        } else {
            f.write_str("saga step failed; compensations failed, repair needed")?;
        }
        write!(
            f,
            ". saga=`{}`, id=`{}`, attempt=`{}`, step=`{}`, compensated=`{}`",
            self.saga,
            self.id,
            self.attempt,
            self.step.step(),
            Steps(&self.compensated)
        )?;
        if !self.is_consistent() {
            write!(f, ", failed=`{}`", Failures(&self.failures))?;
        }
        Ok(())
    }
}

impl std::error::Error for SagaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

impl ClassifiedError for SagaError {
    /// See [the rule](crate#the-class-of-a-saga-error): the failed step's class when every
    /// compensation succeeded, except that a step's `fatal` is `internal` and a step's
    /// `redirect` is `transient`; `data` when a compensation failed.
    fn class(&self) -> Class {
        if !self.is_consistent() {
            return Class::Data;
        }
        match self.cause.class() {
            // The step's callee (or a client inside the step) was told to restart; the
            // saga's caller was not, and restarting it would repair nothing.
            Class::Fatal => Class::Internal,
            // The redirect's target is the step's, which the saga's caller cannot follow:
            // running the saga again is what it can do, and the step's retry layer
            // follows the redirect then.
            Class::Redirect => Class::Transient,
            class => class,
        }
    }

    fn code(&self) -> &'static str {
        if self.is_consistent() {
            "saga.compensated"
        } else {
            "saga.inconsistent"
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        if self.is_consistent() {
            self.cause.retry_after()
        } else {
            None
        }
    }

    fn status(&self) -> Status {
        if self.is_consistent() {
            self.cause.status()
        } else {
            Status::Internal
        }
    }

    /// As [`status`](ClassifiedError::status): the step's stated status when consistent
    /// (none if its error states none), `internal` when not.
    fn stated_status(&self) -> Option<Status> {
        if self.is_consistent() {
            self.cause.stated_status()
        } else {
            Some(Status::Internal)
        }
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        visitor.visit("saga", Value::Display(&self.saga));
        visitor.visit("id", Value::Display(&self.id));
        visitor.visit("attempt", Value::Display(&self.attempt));
        visitor.visit("step", Value::Display(&self.step.step()));
        visitor.visit("compensated", Value::Display(&Steps(&self.compensated)));
        if !self.is_consistent() {
            visitor.visit("failed", Value::Display(&Failures(&self.failures)));
        }
    }

    fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
        Some(&self.cause)
    }

    /// `"error_saga::SagaError"`: the path users name it by (`core::any::type_name` would
    /// give the private module's, `error_saga::error::SagaError`).
    fn type_name(&self) -> &'static str {
        "error_saga::SagaError"
    }
}

impl error_core::Boundary for SagaError {}
