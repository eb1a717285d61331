//! [`Error`]: the classified boundary error.
//!
//! A library's public API should not expose its internal error enums, yet its callers still
//! need to know whether to retry. A `tower` stack that erases error types has the same need.
//! `Error` is for both: an opaque, `Send + Sync + 'static` error, one pointer wide, that keeps
//! everything a caller acts on (class, code, status, level, retry hint, fields and the source
//! chain), what an exporter records (the original's type name and backtrace), and the
//! original error itself for [`Error::downcast_ref`]. It displays as the original and its
//! `source()` is the original's source: it is transparent, as `anyhow::Error` is.
//!
//! Errors with no type of their own are made with the ad-hoc constructors, one per class
//! ([`Error::transient`], …), as SlateDB's public `Error` is.
//!
//! Converting a typed error costs two allocations (the error, and the pointer-wide box that
//! holds its vtable); an ad-hoc error costs one. Displaying allocates nothing.

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
/// assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
///
/// let closed = Error::closed("database is closed").with_code("db.closed");
/// assert_eq!(closed.class(), Class::Closed);
/// assert_eq!(closed.code(), "db.closed");
/// ```
pub struct Error {
    inner: Box<Inner>,
}

/// What an `Error` holds: the error itself, and what the `with_*` methods set, which
/// takes precedence over what the error says of itself.
struct Inner {
    kind: Kind,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    code: Option<&'static str>,
    status: Option<Status>,
    level: Option<Level>,
    retry_after: Option<Duration>,
    /// Where the `Error` was made: the caller of its constructor or of `From`.
    location: Location,
}

enum Kind {
    Typed(Box<dyn ClassifiedError + Send + Sync + 'static>),
    Adhoc {
        class: Class,
        message: Cow<'static, str>,
    },
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
    #[track_caller]
    fn from_kind(kind: Kind) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                source: None,
                code: None,
                status: None,
                level: None,
                retry_after: None,
                location: Location::caller(),
            }),
        }
    }

    /// Wraps a typed classified error. `From` does the same for types that implement
    /// [`Boundary`] (every derived type), so `?` converts. Both record the caller's
    /// [`Location`] (the line of the `?`).
    #[must_use]
    #[track_caller]
    pub fn new<E>(error: E) -> Error
    where
        E: ClassifiedError + Send + Sync + 'static,
    {
        Error::from_kind(Kind::Typed(Box::new(error)))
    }

    /// An ad-hoc error of class `class` with `message`. Its code is the class's name unless
    /// [`with_code`](Error::with_code) sets one.
    #[must_use]
    #[track_caller]
    pub fn adhoc(class: Class, message: impl Into<Cow<'static, str>>) -> Error {
        Error::from_kind(Kind::Adhoc {
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
        self.inner.source = Some(source.into());
        self
    }

    /// Sets the code, in place of the class's name (ad-hoc) or the typed error's code.
    #[must_use]
    pub fn with_code(mut self, code: &'static str) -> Error {
        self.inner.code = Some(code);
        self
    }

    /// Sets the status, in place of the class's (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_status(mut self, status: Status) -> Error {
        self.inner.status = Some(status);
        self
    }

    /// Sets the level, in place of the class's (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_level(mut self, level: Level) -> Error {
        self.inner.level = Some(level);
        self
    }

    /// Sets the retry hint, in place of none (ad-hoc) or the typed error's.
    #[must_use]
    pub fn with_retry_after(mut self, after: Duration) -> Error {
        self.inner.retry_after = Some(after);
        self
    }

    /// The typed error this was made from, if it is an `E`.
    #[must_use]
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        match &self.inner.kind {
            Kind::Typed(error) => {
                let error: &(dyn StdError + 'static) = &**error;
                error.downcast_ref::<E>()
            }
            Kind::Adhoc { .. } => None,
        }
    }

    /// The typed error this was made from, if it is an `E`, mutably.
    #[must_use]
    pub fn downcast_mut<E: StdError + 'static>(&mut self) -> Option<&mut E> {
        match &mut self.inner.kind {
            Kind::Typed(error) => {
                let error: &mut (dyn StdError + 'static) = &mut **error;
                error.downcast_mut::<E>()
            }
            Kind::Adhoc { .. } => None,
        }
    }

    /// The typed error this was made from, as a classified trait object.
    fn typed(&self) -> Option<&(dyn ClassifiedError + Send + Sync + 'static)> {
        match &self.inner.kind {
            Kind::Typed(error) => Some(&**error),
            Kind::Adhoc { .. } => None,
        }
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
        match &self.inner.kind {
            Kind::Typed(error) => fmt::Display::fmt(error, f),
            Kind::Adhoc { message, .. } => f.write_str(message),
        }
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
        match (&self.inner.source, self.typed()) {
            (Some(source), _) => Some(&**source),
            (None, Some(error)) => error.source(),
            (None, None) => None,
        }
    }
}

impl ClassifiedError for Error {
    fn class(&self) -> Class {
        match &self.inner.kind {
            Kind::Typed(error) => error.class(),
            Kind::Adhoc { class, .. } => *class,
        }
    }

    fn code(&self) -> &'static str {
        self.inner.code.unwrap_or_else(|| match &self.inner.kind {
            Kind::Typed(error) => error.code(),
            Kind::Adhoc { class, .. } => class.as_str(),
        })
    }

    fn retry_after(&self) -> Option<Duration> {
        self.inner
            .retry_after
            .or_else(|| self.typed().and_then(ClassifiedError::retry_after))
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        if let Some(error) = self.typed() {
            error.visit_fields(visitor);
        }
    }

    fn status(&self) -> Status {
        self.inner.status.unwrap_or_else(|| match self.typed() {
            Some(error) => error.status(),
            None => Status::from_class(self.class()),
        })
    }

    /// The status set with [`with_status`](Error::with_status), else the typed error's
    /// stated status; an ad-hoc error without one states none.
    fn stated_status(&self) -> Option<Status> {
        self.inner
            .status
            .or_else(|| self.typed().and_then(ClassifiedError::stated_status))
    }

    fn level(&self) -> Level {
        self.inner.level.unwrap_or_else(|| match self.typed() {
            Some(error) => error.level(),
            None => Level::from_class(self.class()),
        })
    }

    fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
        match (&self.inner.source, self.typed()) {
            (Some(source), _) => crate::foreign::as_classified(&**source),
            (None, Some(error)) => error.classified_source(),
            (None, None) => None,
        }
    }

    /// The typed error's [`type_name`](ClassifiedError::type_name), when this was made from
    /// one: the meaningful error, not this wrapper. An ad-hoc error has no type of its own
    /// and gives this type's name, `"error_core::error::Error"` (its defining module's path,
    /// as [`core::any::type_name`] spells it, not the `error_core::Error` re-export).
    fn type_name(&self) -> &'static str {
        match self.typed() {
            Some(error) => error.type_name(),
            None => core::any::type_name::<Error>(),
        }
    }

    /// The typed error's [`location`](ClassifiedError::location), when it has one; else
    /// where this `Error` was made (the line that called its constructor, or of the `?`
    /// that converted).
    fn location(&self) -> Option<Location> {
        self.typed()
            .and_then(ClassifiedError::location)
            .or(Some(self.inner.location))
    }

    /// The typed error's [`backtrace`](ClassifiedError::backtrace), when this was made from
    /// one; `None` for an ad-hoc error. A source set with
    /// [`with_source`](Error::with_source) does not change it.
    fn backtrace(&self) -> Option<&dyn fmt::Display> {
        self.typed().and_then(ClassifiedError::backtrace)
    }
}
