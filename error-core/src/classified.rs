//! The [`ClassifiedError`] and [`Retriable`] traits.
//!
//! `ClassifiedError` extends [`core::error::Error`] with what a caller, a retry policy or a
//! telemetry exporter needs to act on an error without knowing its type: the [`Class`], a
//! stable low-cardinality `code`, an optional `retry_after` hint and the error's structured
//! fields, and for exporters the error's type name and captured backtrace. It is object
//! safe, so `&dyn ClassifiedError` works wherever a type is erased.
//!
//! `Retriable` is the two questions most callers ask, answered for anything that has a class.
//! It is a separate trait so that [`Class`] itself answers them too.

use core::time::Duration;

use crate::__private::Describe;
use crate::{Class, ClassRule, Entry, Level, Status, Visit};

/// An error that says what its caller must do: the [`Class`], a stable `code`, a
/// `retry_after` hint and structured fields.
///
/// Derive it with [`#[derive(ClassifiedError)]`](derive@crate::ClassifiedError), or
/// implement it by hand:
///
/// ```
/// use core::time::Duration;
/// use error_core::{Class, ClassifiedError, Value};
///
/// #[derive(Debug)]
/// struct Throttled {
///     wait: Duration,
/// }
///
/// impl core::fmt::Display for Throttled {
///     fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
///         write!(f, "throttled. wait=`{:?}`", self.wait)
///     }
/// }
///
/// impl core::error::Error for Throttled {}
///
/// impl ClassifiedError for Throttled {
///     fn class(&self) -> Class {
///         Class::Busy
///     }
///     fn code(&self) -> &'static str {
///         "Throttled"
///     }
///     fn retry_after(&self) -> Option<Duration> {
///         Some(self.wait)
///     }
///     fn visit_fields(&self, visitor: &mut dyn error_core::Visit) {
///         visitor.visit("wait", Value::Debug(&self.wait));
///     }
/// }
///
/// let err = Throttled { wait: Duration::from_millis(20) };
/// let dyn_err: &dyn ClassifiedError = &err;
/// assert_eq!(dyn_err.class(), Class::Busy);
/// assert_eq!(dyn_err.retry_after(), Some(Duration::from_millis(20)));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a classified error",
    label = "`{Self}` does not implement `ClassifiedError`",
    note = "derive it with `#[derive(ClassifiedError)]`, or implement `error_core::ClassifiedError` for it by hand"
)]
pub trait ClassifiedError: core::error::Error {
    /// The error's [catalog](crate::catalog) entry: what its attributes say about it, the
    /// same for every instance of the variant. A derived type answers it (through the one
    /// method the derive generates), and the trait's other methods read it unless they are
    /// overridden; for any other type the default is `None`.
    fn entry(&self) -> Option<Entry> {
        self.__describe(&mut Describe::new())
    }

    /// What the caller should do about this error.
    ///
    /// The default is the [entry](ClassifiedError::entry)'s class. An error with no entry and
    /// no `class()` of its own is [`Class::Internal`]: the same answer
    /// [`classify`](crate::classify) gives for an error that says nothing. Implement either
    /// this method or `entry()`.
    fn class(&self) -> Class {
        match self.entry().map(|entry| entry.class()) {
            Some(ClassRule::Fixed(class) | ClassRule::Transparent(Some(class))) => class,
            _ => Class::Internal,
        }
    }

    /// A stable, low-cardinality identifier for this kind of error, fit for metrics labels
    /// and `error.type`: never the message.
    ///
    /// The derive's default is `"EnumName::Variant"` for an enum variant and `"StructName"`
    /// for a struct; `#[class(KIND, code = "...")]` overrides it. The trait's default is the
    /// [entry](ClassifiedError::entry)'s code, else the [`type_name`](ClassifiedError::type_name).
    fn code(&self) -> &'static str {
        match self.entry() {
            Some(entry) => entry.code(),
            None => self.type_name(),
        }
    }

    /// How long the caller should wait before retrying, when the callee knows.
    ///
    /// `None` means "no hint": the caller's own backoff applies. The default is the
    /// [entry](ClassifiedError::entry)'s constant hint (`retry_after_ms = ..`).
    fn retry_after(&self) -> Option<Duration> {
        self.entry().and_then(|entry| entry.retry_after())
    }

    /// Calls `visitor` once per structured field of this error (not of its sources), in
    /// declaration order. Redacted fields are visited as [`Value::Redacted`](crate::Value).
    ///
    /// The default visits nothing (a derived type visits its fields).
    fn visit_fields(&self, visitor: &mut dyn Visit) {
        self.__describe(&mut Describe::visiting(visitor));
    }

    /// The status code for an RPC boundary. The default is the class's
    /// ([`Status::from_class`]); the derive takes `#[class(KIND, status = NAME)]`, and
    /// forwards to the source for `#[class(source)]` and `#[error(transparent)]` (a
    /// variant's own `status = ..` wins over the source's).
    fn status(&self) -> Status {
        match self.entry().and_then(|entry| entry.status()) {
            Some(status) => status,
            None => Status::from_class(self.class()),
        }
    }

    /// The status this error *states*, where [`status`](ClassifiedError::status) may only
    /// infer one from the class: `status = ..` written on the variant (the derive forwards
    /// to the source for `#[class(source)]` and `#[error(transparent)]`, as `status()`
    /// does), [`Error::with_status`](crate::Error::with_status), or an impl's own. `None`
    /// when `status()` is [`Status::from_class`] and nothing more.
    ///
    /// The difference matters on a client. An error made from a peer's answer states the
    /// status the peer returned; one made in the client (a connection reset, an `io::Error`,
    /// an ad-hoc `Error::transient(..)`) states none, and its `status()` is what a server
    /// *would* return for it. An exporter records a response status on a client's span only
    /// from this method, so that it never reports a status nobody returned (error-otel's
    /// `rpc.response.status_code`). A hand-written impl that overrides `status()` with a
    /// status of its own overrides this too.
    ///
    /// ```
    /// use error_core::{ClassifiedError, Error, Status};
    ///
    /// #[derive(Debug, ClassifiedError)]
    /// enum KvError {
    ///     #[error("key not found")]
    ///     #[class(invalid, status = not_found)]
    ///     NotFound,
    ///     #[error("connection reset")]
    ///     #[class(transient)]
    ///     Reset,
    /// }
    ///
    /// assert_eq!(KvError::NotFound.stated_status(), Some(Status::NotFound));
    /// assert_eq!((KvError::Reset.status(), KvError::Reset.stated_status()), (Status::Unavailable, None));
    /// let answered = Error::busy("throttled").with_status(Status::ResourceExhausted);
    /// assert_eq!(answered.stated_status(), Some(Status::ResourceExhausted));
    /// assert_eq!(Error::busy("queue full").stated_status(), None);
    /// ```
    fn stated_status(&self) -> Option<Status> {
        self.entry().and_then(|entry| entry.status())
    }

    /// The level at which to log this error. The default is the class's
    /// ([`Level::from_class`]); the derive takes `#[class(KIND, level = NAME)]`, and
    /// forwards to the source for `#[class(source)]` and `#[error(transparent)]` (a
    /// variant's own `level = ..` wins over the source's).
    fn level(&self) -> Level {
        match self.entry().and_then(|entry| entry.level()) {
            Some(level) => level,
            None => Level::from_class(self.class()),
        }
    }

    /// The [`source`](core::error::Error::source), when it is known to be a classified error
    /// too, so that a [`Report`](crate::Report) shows each link's class and code.
    ///
    /// A derived type answers it whenever the source field's type is a `ClassifiedError`
    /// (and not a type parameter), through the one method the derive generates; for any
    /// other type the default is `None`.
    fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
        let mut describe = Describe::new();
        self.__describe(&mut describe);
        describe.into_source()
    }

    /// What the derive generates in place of `entry`, `visit_fields` and
    /// `classified_source`: one method, whose `match` over the cases returns the entry,
    /// hands the fields to the visitor `describe` holds, and records the classified source
    /// (see `error_core::__private::Describe`). Not part of the API: implement the three
    /// methods above instead; the default describes nothing.
    #[doc(hidden)]
    fn __describe<'a>(&'a self, describe: &mut Describe<'a, '_>) -> Option<Entry> {
        let _ = describe;
        None
    }

    /// The fully qualified name of the error's type (`"my_crate::storage::StorageError"`):
    /// what OpenTelemetry's `exception.type` holds.
    ///
    /// For a derived type it is [`Entries::type_name`](crate::catalog::Entries::type_name), from the
    /// [entry](ClassifiedError::entry): the `module_path!()` where the type is written and its
    /// name, without generic arguments, fixed by the source and so stable across compiler
    /// versions; a transparent type names itself too. Without an entry the default is
    /// [`core::any::type_name`], monomorphised for each implementing type, so through
    /// `&dyn ClassifiedError` it is still the dynamic type's name; that text is for
    /// diagnostics only, since the compiler does not promise to keep it. `&T` and `Box<T>`
    /// forward to `T`. [`error_core::Error`](crate::Error) gives the name of the typed error
    /// it was made from (the meaningful error, not the wrapper), or for an ad-hoc error its
    /// own, `"error_core::error::Error"`; a `std::io::Error` gives the classified error it
    /// wraps, else `"std::io::error::Error"`.
    ///
    /// Both defaults name the module where the type is *defined*, which may be private: a
    /// type defined in a private `my_crate::error` module and re-exported at the crate root
    /// is `"my_crate::error::MyError"`, a path its users cannot write or search the docs
    /// for. Either make the defining module public, or override `type_name` with the path
    /// users name the type by, as a literal: a hand-written impl should do so in any case,
    /// since `core::any::type_name`'s text may change with the compiler.
    ///
    /// ```
    /// use error_core::ClassifiedError;
    ///
    /// mod error {
    ///     #[derive(Debug)]
    ///     pub struct Closed;
    ///
    ///     impl core::fmt::Display for Closed {
    ///         fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
    ///             f.write_str("store is closed")
    ///         }
    ///     }
    ///
    ///     impl core::error::Error for Closed {}
    ///
    ///     impl error_core::ClassifiedError for Closed {
    ///         fn class(&self) -> error_core::Class {
    ///             error_core::Class::Closed
    ///         }
    ///
    ///         // The path users write: the module is private, the type re-exported below.
    ///         fn type_name(&self) -> &'static str {
    ///             "my_store::Closed"
    ///         }
    ///     }
    /// }
    /// pub use error::Closed;
    ///
    /// assert_eq!(Closed.type_name(), "my_store::Closed");
    /// ```
    ///
    /// ```
    /// use error_core::ClassifiedError;
    ///
    /// mod storage {
    ///     #[derive(Debug, error_core::ClassifiedError)]
    ///     #[class(busy)]
    ///     #[error("queue full")]
    ///     pub struct QueueFull;
    /// }
    ///
    /// let erased: &dyn ClassifiedError = &storage::QueueFull;
    /// assert_eq!(erased.type_name(), concat!(module_path!(), "::storage::QueueFull"));
    /// ```
    fn type_name(&self) -> &'static str {
        match self.entry() {
            Some(entry) => entry.type_name(),
            None => core::any::type_name::<Self>(),
        }
    }

    /// A backtrace captured with the error, when it holds one: what OpenTelemetry's
    /// `exception.stacktrace` holds. The default is `None`.
    ///
    /// The derive implements it for a struct or variant with a backtrace field (a
    /// `std::backtrace::Backtrace` or `Option<Backtrace>` field, or one marked
    /// `#[backtrace]`), and forwards it for `#[error(transparent)]`. `&T`, `Box<T>` and
    /// [`error_core::Error`](crate::Error) forward to the error they hold. It returns a
    /// `dyn Display` so that the trait stays `no_std`: `std::backtrace::Backtrace` is
    /// `Display`.
    ///
    /// ```
    /// use std::backtrace::Backtrace;
    /// use error_core::ClassifiedError;
    ///
    /// #[derive(Debug, ClassifiedError)]
    /// #[class(fatal)]
    /// #[error("invariant broken")]
    /// struct Broken {
    ///     backtrace: Backtrace,
    /// }
    ///
    /// let err = Broken { backtrace: Backtrace::capture() };
    /// let trace = err.backtrace().map(|b| b.to_string());
    /// assert_eq!(trace, Some(err.backtrace.to_string()));
    /// ```
    fn backtrace(&self) -> Option<&dyn core::fmt::Display> {
        None
    }

    /// Where this error was made or given its context: the [`Location`](crate::Location)
    /// the derive fills implicitly in a field of that type (see [`crate::location`]). The
    /// default is `None`.
    ///
    /// The derive implements it for a type with a `Location` field, and forwards it for
    /// `#[error(transparent)]`; [`error_core::Error`](crate::Error) gives its typed error's,
    /// else where it was made.
    ///
    /// ```
    /// use error_core::{ClassifiedError, Location};
    ///
    /// #[derive(Debug, ClassifiedError)]
    /// #[class(transient)]
    /// #[error("disk read failed")]
    /// struct ReadFailed {
    ///     #[from]
    ///     source: std::io::Error,
    ///     location: Location,
    /// }
    ///
    /// fn read() -> Result<(), ReadFailed> {
    ///     Err(std::io::Error::other("EIO"))?;
    ///     Ok(())
    /// }
    /// let line = line!() - 3;
    /// let err = read().unwrap_err();
    /// assert_eq!(err.location().map(|l| (l.file(), l.line())), Some((file!(), line)));
    /// assert_eq!(err.to_string(), "disk read failed");
    /// ```
    fn location(&self) -> Option<crate::Location> {
        None
    }
}

/// Marks a [`ClassifiedError`] that converts into the boundary error
/// [`error_core::Error`](crate::Error) with `From` (and so with `?`).
///
/// Every type with a [`Catalog`](crate::Catalog), so every derived type, has it through a
/// blanket impl (one impl fewer per derived type for rustc to check). A hand-written
/// `ClassifiedError` that should convert implements it, with an empty
/// `impl error_core::Boundary for MyError {}`. The marker exists because
/// `error_core::Error` is itself a `ClassifiedError`: a `From` impl for every
/// `ClassifiedError` would overlap with `From<T> for T`.
pub trait Boundary: ClassifiedError {}

impl<T: crate::Catalog + ClassifiedError + ?Sized> Boundary for T {}

/// The body of an impl that forwards every method to `**self`: one list of methods for
/// every pointer type, so that a method added to the trait is forwarded everywhere.
macro_rules! forward_classified {
    () => {
        fn entry(&self) -> Option<Entry> {
            (**self).entry()
        }

        fn class(&self) -> Class {
            (**self).class()
        }

        fn code(&self) -> &'static str {
            (**self).code()
        }

        fn retry_after(&self) -> Option<Duration> {
            (**self).retry_after()
        }

        fn visit_fields(&self, visitor: &mut dyn Visit) {
            (**self).visit_fields(visitor);
        }

        fn status(&self) -> Status {
            (**self).status()
        }

        fn stated_status(&self) -> Option<Status> {
            (**self).stated_status()
        }

        fn level(&self) -> Level {
            (**self).level()
        }

        fn classified_source(&self) -> Option<&(dyn ClassifiedError + '_)> {
            (**self).classified_source()
        }

        fn __describe<'a>(&'a self, describe: &mut Describe<'a, '_>) -> Option<Entry> {
            (**self).__describe(describe)
        }

        fn type_name(&self) -> &'static str {
            (**self).type_name()
        }

        fn backtrace(&self) -> Option<&dyn core::fmt::Display> {
            (**self).backtrace()
        }

        fn location(&self) -> Option<crate::Location> {
            (**self).location()
        }
    };
}

impl<T: ClassifiedError + ?Sized> ClassifiedError for &T {
    forward_classified!();
}

#[cfg(feature = "alloc")]
impl<T: ClassifiedError> ClassifiedError for alloc::boxed::Box<T> {
    forward_classified!();
}

/// An error shared between tasks (`Arc<io::Error>`, `Arc<dyn ClassifiedError + Send +
/// Sync>`) is classified as the error it shares, so that `#[class(source)]` and reports see
/// through the `Arc`. (`Rc<T>` is not an `Error` in `std`, so it cannot be a
/// `ClassifiedError`.)
#[cfg(all(feature = "alloc", target_has_atomic = "ptr"))]
impl<T: ClassifiedError + ?Sized> ClassifiedError for alloc::sync::Arc<T> {
    forward_classified!();
}

/// The two questions most callers ask of an error: may I retry it, and must I restart?
///
/// Implemented for [`Class`] and for every [`ClassifiedError`] (so for `&T`, `Box<T>` and
/// `dyn ClassifiedError` too), always as the class answers it.
///
/// ```
/// use error_core::{Class, Retriable};
///
/// fn should_retry(e: &impl Retriable) -> bool {
///     e.is_retriable() && !e.is_fatal()
/// }
/// assert!(should_retry(&Class::Transient));
/// assert!(!should_retry(&Class::Fatal));
/// ```
pub trait Retriable {
    /// Whether retrying can succeed; see [`Class::is_retriable`].
    fn is_retriable(&self) -> bool;

    /// Whether the process should restart; see [`Class::is_fatal`].
    fn is_fatal(&self) -> bool;
}

impl Retriable for Class {
    fn is_retriable(&self) -> bool {
        Class::is_retriable(*self)
    }

    fn is_fatal(&self) -> bool {
        Class::is_fatal(*self)
    }
}

impl<T: ClassifiedError + ?Sized> Retriable for T {
    fn is_retriable(&self) -> bool {
        self.class().is_retriable()
    }

    fn is_fatal(&self) -> bool {
        self.class().is_fatal()
    }
}
