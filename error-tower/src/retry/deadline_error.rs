//! The hook that ends an attempt still in flight at the call's deadline.

use super::Elapsed;

/// Builds the error that ends an attempt still in flight at the call's
/// [deadline](super::RetryLayer::deadline), so that the call ends by its deadline even when
/// nothing inside the retry layer bounds the attempt.
///
/// - [`EndWithElapsed`] (what [`RetryLayer::deadline`](super::RetryLayer::deadline) sets):
///   the error is [`Elapsed`], converted into the service's error through
///   `error_core::Error`, as the breaker's and the timeout's errors are.
/// - A closure `Fn(Elapsed) -> E`: the closure's error, for a service whose error does not
///   convert from `error_core::Error`.
/// - `()`: no error; the attempt runs to its end (a
///   [`TimeoutLayer`](crate::timeout::TimeoutLayer) inside the retry layer then bounds it
///   by the time left).
#[diagnostic::on_unimplemented(
    message = "the retry layer cannot end an attempt with a `{E}` at the deadline",
    label = "`{E}` does not implement `From<error_core::Error>`",
    note = "`.deadline(..)` ends an attempt still in flight at the deadline with `Elapsed`, converted into the service's error through `error_core::Error`",
    note = "add a variant `#[error(transparent)] Middleware(#[from] error_core::Error)` to `{E}`, or call `.deadline_with(deadline, |elapsed: Elapsed| ...)` with a closure that builds a `{E}`, or `.deadline_with(deadline, ())` to let attempts run to their end"
)]
pub trait DeadlineError<E> {
    /// Whether an attempt in flight at the deadline is ended at all (`false` for `()`: the
    /// retry layer then arms no timer for it).
    fn ends_attempts(&self) -> bool {
        true
    }

    /// The error that ends an attempt at the deadline; `elapsed` says how long it was
    /// allowed (from its start to the deadline). `None` lets the attempt run.
    fn deadline_error(&self, elapsed: Elapsed) -> Option<E>;
}

impl<E> DeadlineError<E> for () {
    #[inline]
    fn ends_attempts(&self) -> bool {
        false
    }

    #[inline]
    fn deadline_error(&self, _: Elapsed) -> Option<E> {
        None
    }
}

impl<E, F> DeadlineError<E> for F
where
    F: Fn(Elapsed) -> E,
{
    fn deadline_error(&self, elapsed: Elapsed) -> Option<E> {
        Some(self(elapsed))
    }
}

/// Ends an attempt in flight at the deadline with [`Elapsed`], converted into the service's
/// error (`S::Error: From<error_core::Error>`): `error_core::Error` itself,
/// `tower::BoxError`, or a derived enum with an
/// `#[error(transparent)] Middleware(#[from] error_core::Error)` variant.
/// `downcast_ref::<Elapsed>()` gets the `Elapsed` back.
///
/// (rustc quotes the next line when a method call on a `Retry` fails because the error does
/// not convert, and shows no `on_unimplemented` text there: the way out is on it.)
#[derive(Clone, Copy, Debug, Default)]
pub struct EndWithElapsed; // needs `S::Error: From<error_core::Error>`; else `deadline_with`

impl<E: From<error_core::Error>> DeadlineError<E> for EndWithElapsed {
    fn deadline_error(&self, elapsed: Elapsed) -> Option<E> {
        Some(E::from(error_core::Error::from(elapsed)))
    }
}
