//! [`Error`]: the classified boundary error.
//!
//! A library's public API should not expose its internal error enums, yet its callers still
//! need to know whether to retry. A `tower` stack that erases error types has the same need.
//! `Error` is for both: an opaque, `Send + Sync + 'static` error, two pointers wide, that keeps
//! everything a caller acts on (class, code, status, level, retry hint, fields and the source
//! chain), what an exporter records (the original's type name and backtrace), and the
//! original error itself for [`Error::downcast_ref`]. It displays as the original and its
//! `source()` is the original's source: it is transparent, as `anyhow::Error` is.
//!
//! Errors with no type of their own are made with the ad-hoc constructors, one per class
//! ([`Error::transient`], …), as SlateDB's public `Error` is.
//!
//! # One allocation, two words
//!
//! Converting an error costs one allocation, which holds the error and what the `with_*`
//! methods set; displaying allocates nothing. `Error` is two pointers wide (a `Box` of a
//! `dyn ClassifiedError`), the size of `Box<dyn Error + Send + Sync>` and of tower's
//! `BoxError`, where `anyhow::Error` is one.
//!
//! That is a choice between three things that cannot all hold in stable Rust: one
//! allocation (as cheap as anyhow), one pointer, and no `unsafe` code. A one-pointer error
//! must keep the vtable inside the allocation and cast the pointer back by hand, as anyhow
//! does, which is `unsafe`; without it, one pointer means a box for the error and a second
//! box for the vtable's pointer, which made a conversion 1.5x anyhow's. This workspace
//! forbids `unsafe` code, and a `Result<T, Error>` is rarely larger for the second word
//! (`Result<u64, Error>` is 16 bytes either way, since the box's non-null pointer is the
//! niche; `Result<(), Error>` is 16 instead of 8). When `std::boxed::ThinBox` is stable, it
//! gives the one pointer back without `unsafe`, and the API does not change.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use core::error::Error as StdError;
use core::fmt;
use core::time::Duration;

use crate::{Boundary, Class, ClassifiedError, Level, Location, Report, Status, Visit};

/// An opaque classified error for public APIs and type-erased stacks. See the
/// [module documentation](self).
///
/// ```
/// use error_core::{Class, ClassifiedError, Error};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(conflict)]
/// #[error("transaction conflict")]
/// struct TxnConflict { txn: u64 }
///
/// fn commit() -> Result<(), Error> {
///     Err(TxnConflict { txn: 7 })?
/// }
///
/// let err = commit().unwrap_err();
/// assert_eq!(err.class(), Class::Conflict);
/// assert_eq!(err.code(), "TxnConflict");
/// assert_eq!(err.to_string(), "transaction conflict. txn=`7`");
/// assert_eq!(err.downcast_ref::<TxnConflict>().map(|e| e.txn), Some(7));
/// assert_eq!(std::mem::size_of::<Error>(), 2 * std::mem::size_of::<usize>());
///
/// let closed = Error::closed("database is closed").with_code("db.closed");
/// assert_eq!(closed.class(), Class::Closed);
/// assert_eq!(closed.code(), "db.closed");
/// ```
pub struct Error {
    inner: Box<Imp<dyn ClassifiedError + Send + Sync + 'static>>,
}

/// What an `Error` holds, in one allocation: what the `with_*` methods set (which takes
/// precedence over what the error says of itself) and where it was made, then the error.
/// `Box<Imp<E>>` coerces to `Box<Imp<dyn ClassifiedError + ..>>`, a struct whose last field
/// is unsized.
struct Imp<E: ?Sized> {
    meta: Meta,
    error: E,
}

struct Meta {
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    code: Option<&'static str>,
    status: Option<Status>,
    level: Option<Level>,
    retry_after: Option<Duration>,
    /// Where the `Error` was made: the caller of its constructor or of `From`.
    location: Location,
}

/// An ad-hoc error: a class and a message, stored as a typed error is. Private, so no
/// `downcast_ref` can name it.
#[derive(Debug)]
struct Adhoc {
    class: Class,
    message: Cow<'static, str>,
}

impl fmt::Display for Adhoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Adhoc {}

/// An ad-hoc error's code is its class's name, its status and level the class's; it states
/// no status, and has no fields, source, location or backtrace of its own.
impl ClassifiedError for Adhoc {
    fn class(&self) -> Class {
        self.class
    }

    fn code(&self) -> &'static str {
        self.class.as_str()
    }

    fn type_name(&self) -> &'static str {
        core::any::type_name::<Error>()
    }
}

macro_rules! adhoc_constructors {
    ($($(#[$doc:meta])* $name:ident => $class:ident,)*) => {
        $(
            $(#[$doc])*
            #[must_use]
            #[track_caller]
            pub fn $name(message: impl Into<Cow<'static, str>>) -> Error {
                Error::adhoc(Class::$class, message)
            }
        )*
    };
}

impl Error {
    /// Wraps a typed classified error. `From` does the same for types that implement
    /// [`Boundary`] (every derived type), so `?` converts. Both record the caller's
    /// [`Location`] (the line of the `?`).
    #[must_use]
    #[track_caller]
    pub fn new<E>(error: E) -> Error
    where
        E: ClassifiedError + Send + Sync + 'static,
    {
        Error {
            inner: Box::new(Imp {
                meta: Meta {
                    source: None,
                    code: None,
                    status: None,
                    level: None,
                    retry_after: None,
                    location: Location::caller(),
                },
                error,
            }),
        }
    }

    /// An ad-hoc error of class `class` with `message`. Its code is the class's name unless
    /// [`with_code`](Error::with_code) sets one.
    #[must_use]
    #[track_caller]
    pub fn adhoc(class: Class, message: impl Into<Cow<'static, str>>) -> Error {
        Error::new(Adhoc {
            class,
            message: message.into(),
        })
    }

    adhoc_constructors! {
        /// An ad-hoc [`Class::Transient`] error.
        transient => Transient,
        /// An ad-hoc [`Class::Busy`] error.
        busy => Busy,
        /// An ad-hoc [`Class::Redirect`] error.
        redirect => Redirect,
        /// An ad-hoc [`Class::Conflict`] error.
        conflict => Conflict,
        /// An ad-hoc [`Class::Invalid`] error.
        invalid => Invalid,
        /// An ad-hoc [`Class::Denied`] error.
        denied => Denied,
        /// An ad-hoc [`Class::Closed`] error.
        closed => Closed,
        /// An ad-hoc [`Class::Data`] error.
        data => Data,
        /// An ad-hoc [`Class::Fatal`] error.
        fatal => Fatal,
        /// An ad-hoc [`Class::Internal`] error.
        internal => Internal,
    }

    /// Sets the source: what [`source()`](core::error::Error::source) returns.
    ///
    /// For an error made from a typed error, the given source replaces the typed error's
    /// own in `source()`; the typed error, whole and with its own chain, stays reachable
    /// through [`downcast_ref`](Error::downcast_ref).
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Error {
        self.inner.meta.source = Some(source.into());
        self
    }

    /// Sets the code, in place of the class's name (ad-hoc) or the typed error's code.
    #[must_use]
    pub fn with_code(mut self, code: &'static str) -> Error {
        self.inner.meta.code = Some(code);
        self
    }

    /// Sets the status, in place of the class's (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_status(mut self, status: Status) -> Error {
        self.inner.meta.status = Some(status);
        self
    }

    /// Sets the level, in place of the class's (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_level(mut self, level: Level) -> Error {
        self.inner.meta.level = Some(level);
        self
    }

    /// Sets the retry hint, in place of none (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_retry_after(mut self, after: Duration) -> Error {
        self.inner.meta.retry_after = Some(after);
        self
    }

    /// The typed error this was made from, if it is an `E`.
    #[must_use]
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        let error: &(dyn StdError + 'static) = &self.inner.error;
        error.downcast_ref::<E>()
    }

    /// The typed error this was made from, if it is an `E`, mutably.
    #[must_use]
    pub fn downcast_mut<E: StdError + 'static>(&mut self) -> Option<&mut E> {
        let error: &mut (dyn StdError + 'static) = &mut self.inner.error;
        error.downcast_mut::<E>()
    }
}

impl<E> From<E> for Error
where
    E: Boundary + Send + Sync + 'static,
{
    #[track_caller]
    fn from(error: E) -> Error {
        Error::new(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner.error, f)
    }
}

impl fmt::Debug for Error {
    /// The multi-line [`Report`] of the chain, as `{:#}` shows it, so that
    /// `fn main() -> Result<(), error_core::Error>` prints a readable chain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", Report::new(self))
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.inner.meta.source {
            Some(source) => Some(&**source),
            None => self.inner.error.source(),
        }
    }
}

impl ClassifiedError for Error {
    fn class(&self) -> Class {
        self.inner.error.class()
    }

    fn code(&self) -> &'static str {
        self.inner
            .meta
            .code
            .unwrap_or_else(|| self.inner.error.code())
    }

    fn retry_after(&self) -> Option<Duration> {
        self.inner
            .meta
            .retry_after
            .or_else(|| self.inner.error.retry_after())
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        self.inner.error.visit_fields(visitor);
    }

    fn status(&self) -> Status {
        self.inner
            .meta
            .status
            .unwrap_or_else(|| self.inner.error.status())
    }

    /// The status set with [`with_status`](Error::with_status), else the typed error's
    /// stated status; an ad-hoc error without one states none.
    fn stated_status(&self) -> Option<Status> {
        self.inner
            .meta
            .status
            .or_else(|| self.inner.error.stated_status())
    }

    fn level(&self) -> Level {
        self.inner
            .meta
            .level
            .unwrap_or_else(|| self.inner.error.level())
    }

    fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
        match &self.inner.meta.source {
            Some(source) => crate::foreign::as_classified(&**source),
            None => self.inner.error.classified_source(),
        }
    }

    /// The typed error's [`type_name`](ClassifiedError::type_name), when this was made from
    /// one: the meaningful error, not this wrapper. An ad-hoc error has no type of its own
    /// and gives this type's name, `"error_core::error::Error"` (its defining module's path,
    /// as [`core::any::type_name`] spells it, not the `error_core::Error` re-export).
    fn type_name(&self) -> &'static str {
        self.inner.error.type_name()
    }

    /// The typed error's [`location`](ClassifiedError::location), when it has one; else
    /// where this `Error` was made (the line that called its constructor, or of the `?`
    /// that converted).
    fn location(&self) -> Option<Location> {
        self.inner
            .error
            .location()
            .or(Some(self.inner.meta.location))
    }

    /// The typed error's [`backtrace`](ClassifiedError::backtrace), when this was made from
    /// one; `None` for an ad-hoc error. A source set with
    /// [`with_source`](Error::with_source) does not change it.
    fn backtrace(&self) -> Option<&dyn fmt::Display> {
        self.inner.error.backtrace()
    }
}
