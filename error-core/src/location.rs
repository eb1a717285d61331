//! [`Location`]: where in the source an error was made or given its context.
//!
//! A `{:#}` report of a chain says what went wrong at each layer; with a location per layer
//! it also says where each layer added its context, which is what snafu's
//! `#[snafu(implicit)] location: Location` and error-stack's frames give, and what
//! thiserror users ask for. The derive fills a field of this type implicitly, with
//! `#[track_caller]`, so that it names the user's line:
//!
//! - a context selector's `.context(..)`, `.with_context(..)`, `.build()` and `.fail()`;
//! - the `From` impl generated for `#[from]`, so the `?` that converted;
//! - [`error_core::Error`](crate::Error)'s constructors and its `From`.
//!
//! [`Report`](crate::Report)'s `{:#}` shows each layer's location, and error-otel records
//! the outermost one as `code.file.path` and `code.line.number`.
//!
//! # Why a type of our own around `&'static core::panic::Location<'static>`
//!
//! - **One pointer.** The standard library's `Location` is a file name, a line and a
//!   column, 24 bytes on 64-bit targets; the compiler places each one in static memory, so
//!   a reference to it is all an error needs to hold: 8 bytes, which keeps a variant with a
//!   location small (snafu's `Location` copies the three, 24 bytes).
//! - **A name the derive can see.** A proc macro sees a field's type as written, not what
//!   it resolves to. `Location` or `error_core::Location` says "fill me implicitly" without
//!   an attribute; a reference type would have to be matched on a longer spelling, and a
//!   user's own type named `Location` is kept out by writing it as a path
//!   (`self::Location`, `geo::Location`).
//! - **The impls an error field needs.** `Display` as `file:line:column`, `Debug`,
//!   `Copy`, `Eq` and `Hash`, and `no_std`.
//!
//! A location is not a ``key=`value` `` field: it is not appended to the message, visited,
//! or listed in the catalog, because it says where the code is, not what went wrong, and it
//! changes with every edit of the file.

use core::fmt;
use core::panic;

/// A source location: file, line and column. See the [module documentation](self).
///
/// ```
/// use error_core::Location;
///
/// let here = Location::caller();
/// assert_eq!(here.file(), file!());
/// assert_eq!(here.line(), line!() - 2);
/// assert_eq!(here.to_string(), format!("{}:{}:{}", file!(), line!() - 3, 12));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location(&'static panic::Location<'static>);

impl Location {
    /// The location of the caller: the line that called this function, or, through
    /// functions marked `#[track_caller]`, the line that called the outermost of them.
    #[must_use]
    #[track_caller]
    #[inline]
    pub const fn caller() -> Location {
        Location(panic::Location::caller())
    }

    /// The source file, as `file!()` spells it.
    #[must_use]
    pub const fn file(&self) -> &'static str {
        self.0.file()
    }

    /// The line, from 1.
    #[must_use]
    pub const fn line(&self) -> u32 {
        self.0.line()
    }

    /// The column, from 1.
    #[must_use]
    pub const fn column(&self) -> u32 {
        self.0.column()
    }

    /// The standard library's location this is.
    #[must_use]
    pub const fn as_panic_location(&self) -> &'static panic::Location<'static> {
        self.0
    }
}

impl From<&'static panic::Location<'static>> for Location {
    fn from(location: &'static panic::Location<'static>) -> Self {
        Location(location)
    }
}

impl fmt::Display for Location {
    /// `file:line:column`, as rustc and panics print a location.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({})", self.0)
    }
}
