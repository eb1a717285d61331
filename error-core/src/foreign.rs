//! Classification of errors this crate's users did not write.
//!
//! - `std::io::Error` is a [`ClassifiedError`], its class chosen by its
//!   [`ErrorKind`](std::io::ErrorKind) (table on [`io_class`]). It therefore converts into
//!   [`Error`](crate::Error) and can be a `#[class(source)]`.
//! - [`Class::from_grpc`](crate::Class::from_grpc) and
//!   [`Class::from_http`](crate::Class::from_http) classify a status received from a peer.
//! - [`find_classified`] walks a `dyn Error` chain, for code that only holds a
//!   `Box<dyn Error>`, and returns the first link it can classify.
//!
//! A `dyn Error` cannot be asked whether its concrete type implements `ClassifiedError`:
//! Rust has no such query. `find_classified` therefore recognises the types it knows
//! (`error_core::Error`, `std::io::Error`, [`ParseClassError`]). A typed error that crosses a
//! type-erased boundary should be converted into `error_core::Error` first (`?` does it), and
//! is then found with everything it knows.

use core::error::Error as StdError;

use crate::{Class, ClassifiedError, ParseClassError};

/// The link as a classified error, if its type is one this crate can recognise.
pub(crate) fn as_classified<'a>(
    error: &'a (dyn StdError + 'static),
) -> Option<&'a (dyn ClassifiedError + 'static)> {
    #[cfg(feature = "alloc")]
    if let Some(error) = error.downcast_ref::<crate::Error>() {
        return Some(error);
    }
    #[cfg(feature = "std")]
    if let Some(error) = error.downcast_ref::<std::io::Error>() {
        return Some(error);
    }
    if let Some(error) = error.downcast_ref::<ParseClassError>() {
        return Some(error);
    }
    None
}

/// The first link of `error`'s chain (itself, then its sources) that is a classified error
/// this crate can recognise: `error_core::Error`, `std::io::Error` or [`ParseClassError`].
///
/// ```
/// use error_core::{find_classified, Class, ClassifiedError};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy)]
/// #[error("queue full")]
/// struct QueueFull;
///
/// let erased: Box<dyn std::error::Error + Send + Sync> = Box::new(error_core::Error::from(QueueFull));
/// let found = find_classified(&*erased).unwrap();
/// assert_eq!(found.class(), Class::Busy);
/// assert_eq!(found.code(), "QueueFull");
///
/// let io: Box<dyn std::error::Error> = Box::new(std::io::Error::from(std::io::ErrorKind::TimedOut));
/// assert_eq!(find_classified(&*io).map(|e| e.class()), Some(Class::Transient));
/// ```
#[must_use]
pub fn find_classified<'a>(
    error: &'a (dyn StdError + 'static),
) -> Option<&'a (dyn ClassifiedError + 'static)> {
    let mut link = Some(error);
    while let Some(error) = link {
        if let Some(classified) = as_classified(error) {
            return Some(classified);
        }
        link = error.source();
    }
    None
}

/// What middleware asks of an error type to act on its class: every [`ClassifiedError`], and
/// the boxed `dyn Error` that type-erased stacks use (`tower::BoxError`), classified by
/// walking its chain with [`find_classified`].
///
/// It lives here, beside `ClassifiedError`, because only this crate may implement it both
/// for every `ClassifiedError` and for `Box<dyn Error + Send + Sync>`.
///
/// ```
/// use error_core::{Class, ClassifiedError, Classify};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy)]
/// #[error("queue full")]
/// struct QueueFull;
///
/// let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(error_core::Error::from(QueueFull));
/// assert_eq!(boxed.classified().map(|e| e.class()), Some(Class::Busy));
/// assert_eq!(QueueFull.classified().map(|e| e.code()), Some("QueueFull"));
/// ```
pub trait Classify {
    /// The error, or the first link of its chain, as a classified error; `None` when no
    /// classification can be found.
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)>;
}

impl<T: ClassifiedError> Classify for T {
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)> {
        Some(self)
    }
}

#[cfg(feature = "alloc")]
impl Classify for alloc::boxed::Box<dyn StdError + Send + Sync> {
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)> {
        find_classified(&**self).map(|e| e as &(dyn ClassifiedError + '_))
    }
}

#[cfg(feature = "alloc")]
impl Classify for alloc::boxed::Box<dyn StdError + Send> {
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)> {
        find_classified(&**self).map(|e| e as &(dyn ClassifiedError + '_))
    }
}

#[cfg(feature = "alloc")]
impl Classify for alloc::boxed::Box<dyn StdError> {
    fn classified(&self) -> Option<&(dyn ClassifiedError + '_)> {
        find_classified(&**self).map(|e| e as &(dyn ClassifiedError + '_))
    }
}

/// The class of the first classified link of `error`'s chain; see [`find_classified`].
#[must_use]
pub fn classify(error: &(dyn StdError + 'static)) -> Option<Class> {
    find_classified(error).map(ClassifiedError::class)
}

#[cfg(feature = "std")]
pub use io::io_class;

#[cfg(feature = "std")]
mod io {
    use std::io::{self, ErrorKind};

    use crate::{Boundary, Class, ClassifiedError, Status};

    /// The class and code of an [`io::ErrorKind`]:
    ///
    /// | kinds | class |
    /// |---|---|
    /// | `ConnectionReset`, `ConnectionRefused`, `ConnectionAborted`, `NotConnected`, `BrokenPipe`, `TimedOut`, `Interrupted`, `UnexpectedEof`, `WriteZero`, `HostUnreachable`, `NetworkUnreachable`, `NetworkDown`, `AddrInUse`, `StaleNetworkFileHandle` | transient |
    /// | `WouldBlock`, `ResourceBusy`, `ExecutableFileBusy`, `StorageFull` | busy |
    /// | `AlreadyExists`, `InvalidInput`, `InvalidData`, `NotFound`, `Unsupported`, `AddrNotAvailable`, `IsADirectory`, `NotADirectory`, `DirectoryNotEmpty`, `FileTooLarge`, `NotSeekable`, `TooManyLinks`, `ArgumentListTooLong`, `CrossesDevices`, `InvalidFilename` | invalid |
    /// | `PermissionDenied`, `ReadOnlyFilesystem`, `QuotaExceeded` | denied |
    /// | `Deadlock` | conflict |
    /// | `OutOfMemory` | fatal |
    /// | `Other` and any other kind | internal |
    ///
    /// The code is `"std::io::ErrorKind::NAME"`, or `"std::io::Error"` for a kind not listed.
    ///
    /// ```
    /// use error_core::{io_class, Class};
    /// assert_eq!(io_class(std::io::ErrorKind::ConnectionReset), (Class::Transient, "std::io::ErrorKind::ConnectionReset"));
    /// assert_eq!(io_class(std::io::ErrorKind::PermissionDenied).0, Class::Denied);
    /// ```
    #[must_use]
    pub fn io_class(kind: ErrorKind) -> (Class, &'static str) {
        macro_rules! kinds {
            ($($kind:ident => $class:ident,)*) => {
                match kind {
                    $(ErrorKind::$kind => (Class::$class, concat!("std::io::ErrorKind::", stringify!($kind))),)*
                    _ => (Class::Internal, "std::io::Error"),
                }
            };
        }
        kinds! {
            ConnectionReset => Transient,
            ConnectionRefused => Transient,
            ConnectionAborted => Transient,
            NotConnected => Transient,
            BrokenPipe => Transient,
            TimedOut => Transient,
            Interrupted => Transient,
            UnexpectedEof => Transient,
            WriteZero => Transient,
            HostUnreachable => Transient,
            NetworkUnreachable => Transient,
            NetworkDown => Transient,
            AddrInUse => Transient,
            StaleNetworkFileHandle => Transient,
            WouldBlock => Busy,
            ResourceBusy => Busy,
            ExecutableFileBusy => Busy,
            StorageFull => Busy,
            AlreadyExists => Invalid,
            InvalidInput => Invalid,
            InvalidData => Invalid,
            NotFound => Invalid,
            Unsupported => Invalid,
            AddrNotAvailable => Invalid,
            IsADirectory => Invalid,
            NotADirectory => Invalid,
            DirectoryNotEmpty => Invalid,
            FileTooLarge => Invalid,
            NotSeekable => Invalid,
            TooManyLinks => Invalid,
            ArgumentListTooLong => Invalid,
            CrossesDevices => Invalid,
            InvalidFilename => Invalid,
            PermissionDenied => Denied,
            ReadOnlyFilesystem => Denied,
            QuotaExceeded => Denied,
            Deadlock => Conflict,
            OutOfMemory => Fatal,
            Other => Internal,
        }
    }

    /// The classified error an `io::Error` wraps (`io::Error::other(error_core::Error::busy(..))`),
    /// if it is one that [`find_classified`](super::find_classified) recognises. Such an
    /// `io::Error` displays as the error it wraps and its `source()` is that error's source,
    /// so it is classified as that error too.
    fn wrapped(error: &io::Error) -> Option<&(dyn ClassifiedError + 'static)> {
        error
            .get_ref()
            .and_then(|inner| super::as_classified(inner))
    }

    /// Classified by [`io_class`], or as the classified error it wraps, if any.
    impl ClassifiedError for io::Error {
        fn class(&self) -> Class {
            wrapped(self).map_or_else(|| io_class(self.kind()).0, ClassifiedError::class)
        }

        fn code(&self) -> &'static str {
            wrapped(self).map_or_else(|| io_class(self.kind()).1, ClassifiedError::code)
        }

        fn retry_after(&self) -> Option<core::time::Duration> {
            wrapped(self).and_then(ClassifiedError::retry_after)
        }

        fn visit_fields(&self, visitor: &mut dyn crate::Visit) {
            if let Some(inner) = wrapped(self) {
                inner.visit_fields(visitor);
            }
        }

        /// The class's status, except: `NotFound` → `not_found`, `AlreadyExists` →
        /// `already_exists`, `TimedOut` → `deadline_exceeded`, `Unsupported` →
        /// `unimplemented`; or the wrapped error's.
        fn status(&self) -> Status {
            if let Some(inner) = wrapped(self) {
                return inner.status();
            }
            match self.kind() {
                ErrorKind::NotFound => Status::NotFound,
                ErrorKind::AlreadyExists => Status::AlreadyExists,
                ErrorKind::TimedOut => Status::DeadlineExceeded,
                ErrorKind::Unsupported => Status::Unimplemented,
                kind => Status::from_class(io_class(kind).0),
            }
        }

        /// The wrapped error's; else none: the kinds' statuses above are this process's
        /// reading of the operating system's answer, not a status anyone returned.
        fn stated_status(&self) -> Option<Status> {
            wrapped(self).and_then(ClassifiedError::stated_status)
        }

        fn level(&self) -> crate::Level {
            wrapped(self).map_or_else(
                || crate::Level::from_class(self.class()),
                ClassifiedError::level,
            )
        }

        fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
            wrapped(self).and_then(ClassifiedError::classified_source)
        }

        /// The wrapped error's type name, as for every other method; else this type's,
        /// `"std::io::error::Error"` (its defining module's path, as
        /// [`core::any::type_name`] spells it).
        fn type_name(&self) -> &'static str {
            wrapped(self).map_or_else(
                core::any::type_name::<io::Error>,
                ClassifiedError::type_name,
            )
        }

        /// The wrapped error's backtrace; `None` for an `io::Error` that wraps no
        /// classified error (it captures none).
        fn backtrace(&self) -> Option<&dyn core::fmt::Display> {
            wrapped(self).and_then(ClassifiedError::backtrace)
        }
    }

    impl Boundary for io::Error {}
}
