//! [`Secret`]: a value that no rendering shows.
//!
//! An error that carries a password, a token or a tenant's name must not print it, and
//! errors are printed on many paths: `Display`, and more often `Debug` (`unwrap`, `expect`,
//! `{:?}` in a log line, `tracing::error!(error = ?e)`, `fn main() -> Result<..>`, anyhow's
//! `{:#?}`, and the `Debug` of every type that holds the error, as a source or otherwise).
//! A derive can only redact what it generates; `Debug` is usually `#[derive(Debug)]`, which
//! prints every field. So the secret is protected where it lives, in its type: a `Secret<T>`
//! shows as `<redacted>` with `Debug` and with `Display`, wherever it is, and the value is
//! one explicit call away, [`expose`](Secret::expose), for the code that needs it (to retry
//! the login, say). The `secrecy` crate makes the same choice.
//!
//! `#[derive(ClassifiedError)]` knows the type: a `Secret` field is redacted in the
//! message, the ``key=`value` `` pairs, the field visitor (as
//! [`Value::Redacted`](crate::Value::Redacted)) and the [catalog](crate::catalog), and
//! `#[kv(redact)]` on a field that is not a `Secret` is a compile error (see the derive's
//! reference, "Redaction").
//!
//! ```
//! use error_core::{ClassifiedError, Report, Secret};
//!
//! #[derive(Debug, ClassifiedError)]
//! #[class(denied)]
//! enum LoginError {
//!     #[error("login refused")]
//!     Refused { user: String, password: Secret<String> },
//! }
//!
//! let e = LoginError::Refused { user: "ann".into(), password: Secret::new("hunter2".into()) };
//! assert_eq!(e.to_string(), "login refused. user=`ann`, password=`<redacted>`");
//! assert_eq!(format!("{e:?}"), r#"Refused { user: "ann", password: <redacted> }"#);
//! assert_eq!(format!("{:#}", Report::new(&e)), "login refused. user=`ann`, password=`<redacted>` (denied, LoginError::Refused)");
//!
//! // The code that needs the value asks for it by name.
//! let LoginError::Refused { password, .. } = &e;
//! assert_eq!(password.expose(), "hunter2");
//! ```
//!
//! # Threat model
//!
//! What is protected is *rendering*: no formatting of a `Secret`, or of anything that holds
//! one and formats its fields with `Debug` or `Display`, shows the value. That covers the
//! error's message and `Debug`, panic messages, `Report`, `error_core::Error`, an outer
//! error's `Debug`, log lines, and every exporter built on the field visitor.
//!
//! What is not:
//!
//! - **Memory.** The value is stored as it is: not zeroed on drop, not locked against
//!   swapping, present in a core dump. Wrap a type that does that (`Secret<Zeroizing<..>>`)
//!   if the threat includes reading the process's memory.
//! - **Code that asks.** [`expose`](Secret::expose), [`expose_mut`](Secret::expose_mut) and
//!   [`into_inner`](Secret::into_inner) hand the value out, and what happens to it then is
//!   the caller's business: `format!("{}", password.expose())` prints it. The names are
//!   chosen so that such code stands out in a review and in `grep`.
//! - **Copies.** `Clone` (where `T: Clone`) copies the value into another `Secret`, which
//!   stays protected; the same value cloned out of [`expose`](Secret::expose) is a plain
//!   `T`.
//! - **Comparison and hashing.** `==` is `T`'s, not a constant-time comparison; do not
//!   check a password with it. `Hash` and `Ord` are `T`'s too.
//! - **Serialization.** `Secret` implements no `serde` trait: serializing an error with its
//!   fields would be a path around the redaction, so it does not compile.
//!
//! There is no `Deref` to `T`: method calls on a `Secret` would reach the value implicitly,
//! which is what the type exists to prevent.

use core::fmt;

use crate::field::REDACTED;

/// A value that shows as `<redacted>` with both `Debug` and `Display`, and is reached only
/// through [`expose`](Secret::expose), [`expose_mut`](Secret::expose_mut) and
/// [`into_inner`](Secret::into_inner). See the [module documentation](self) for why, and
/// for what it does not protect.
///
/// `Secret<T>` has the size and layout of `T`, and implements `Clone`, `Copy`, `Default`,
/// `PartialEq`, `Eq`, `PartialOrd`, `Ord` and `Hash` where `T` does.
///
/// ```
/// use error_core::Secret;
///
/// let mut token = Secret::new(String::from("s3cr3t"));
/// assert_eq!(format!("{token}"), "<redacted>");
/// assert_eq!(format!("{token:?}"), "<redacted>");
/// assert_eq!(format!("{:?}", Some(&token)), "Some(<redacted>)");
/// assert_eq!(format!("[{token:>12}]"), "[  <redacted>]");
///
/// token.expose_mut().push('!');
/// assert_eq!(token.expose(), "s3cr3t!");
/// assert_eq!(token.clone(), Secret::from(String::from("s3cr3t!")));
/// assert_eq!(token.into_inner(), "s3cr3t!");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    #[must_use]
    #[inline]
    pub const fn new(value: T) -> Secret<T> {
        Secret(value)
    }

    /// The value. Anything done with it from here on is unprotected: this is the one place
    /// to look for in a review.
    #[must_use]
    #[inline]
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// The value, mutably.
    #[must_use]
    #[inline]
    pub const fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Unwraps the value.
    #[must_use]
    #[inline]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    /// Wraps `value`, as [`Secret::new`] does; so a context selector's field of type
    /// `Secret<String>` accepts a `String`.
    #[inline]
    fn from(value: T) -> Secret<T> {
        Secret(value)
    }
}

#[cfg(feature = "alloc")]
impl From<&str> for Secret<alloc::string::String> {
    /// Copies `value` into a `Secret<String>`, so that a field changed from `String` to
    /// `Secret<String>` is still built with `"..".into()`.
    ///
    /// ```
    /// use error_core::Secret;
    ///
    /// let password: Secret<String> = "hunter2".into();
    /// assert_eq!(password.expose(), "hunter2");
    /// ```
    #[inline]
    fn from(value: &str) -> Secret<alloc::string::String> {
        Secret(value.into())
    }
}

impl<T> fmt::Debug for Secret<T> {
    /// `<redacted>`, whatever `T` is (so `#[derive(Debug)]` works for any `T`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    /// `<redacted>`, whatever `T` is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(REDACTED)
    }
}
