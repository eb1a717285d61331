//! [`Level`]: how loudly an error should be logged.

use core::fmt;

use crate::Class;

/// The level at which an error should be logged, from [`ClassifiedError::level`].
///
/// The derive's default comes from the class ([`Level::from_class`]); a variant overrides it
/// with `#[class(KIND, level = debug)]`. The names match `tracing`'s levels, so a telemetry
/// layer maps them one to one.
///
/// ```
/// use error_core::{Class, Level};
/// assert_eq!(Level::from_class(Class::Fatal), Level::Error);
/// assert_eq!(Level::from_class(Class::Busy), Level::Warn);
/// assert_eq!(Level::from_class(Class::Invalid), Level::Info);
/// assert_eq!(Level::Warn.to_string(), "warn");
/// ```
///
/// [`ClassifiedError::level`]: crate::ClassifiedError::level
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Level {
    /// Something is broken and someone must act: fatal, data and internal errors.
    Error,
    /// Something went wrong that the system handles, such as a retry: transient, busy,
    /// redirect and conflict errors.
    Warn,
    /// A failure the caller caused and will be told about: invalid, denied and closed.
    Info,
    /// Not really an issue.
    Debug,
    /// Detail for tracing a single call.
    Trace,
}

impl Level {
    /// Every level, from the most severe.
    pub const ALL: [Level; 5] = [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ];

    /// The default level of a class:
    ///
    /// | class | level |
    /// |---|---|
    /// | fatal, data, internal | error |
    /// | transient, busy, redirect, conflict | warn |
    /// | invalid, denied, closed | info |
    #[inline]
    #[must_use]
    pub const fn from_class(class: Class) -> Level {
        match class {
            Class::Fatal | Class::Data | Class::Internal => Level::Error,
            Class::Transient | Class::Busy | Class::Redirect | Class::Conflict => Level::Warn,
            Class::Invalid | Class::Denied | Class::Closed => Level::Info,
        }
    }

    /// The lowercase name, as written in `#[class(KIND, level = NAME)]`: `"warn"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
