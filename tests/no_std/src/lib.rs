//! `#![no_std]` use of `error-core` and `#[derive(ClassifiedError)]`: it compiles only if
//! neither the crate nor the generated code needs `std` (`::std` does not resolve here).

#![no_std]
#![forbid(unsafe_code)]
#![deny(warnings, missing_docs, missing_debug_implementations)]

use core::time::Duration;

use error_core::{Class, ClassifiedError, Retriable, Value, Visit};

/// A lower-level error, delegated to with `#[class(source)]`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum Transport {
    /// The peer is overloaded.
    #[error("peer busy")]
    #[class(busy, retry_after_ms = 20)]
    Busy {
        /// Queue length.
        queue: usize,
    },
    /// The link is down.
    #[error("link down on {port}")]
    #[class(transient)]
    Down {
        /// Port number.
        port: u16,
        /// A hint, when the peer sent one.
        #[retry_after]
        wait: Option<Duration>,
    },
}

/// The error of an operation.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(fatal)]
pub enum Op {
    /// A formatting failure, as a `core` error source.
    #[error("format failed")]
    Format {
        /// The source.
        #[source]
        source: core::fmt::Error,
        /// Redacted.
        #[kv(redact)]
        key: error_core::Secret<&'static str>,
        /// Debug.
        #[kv(debug)]
        name: &'static str,
        /// Skipped.
        #[kv(skip)]
        internal: u8,
    },
    /// Throttled, with a `Duration` field.
    #[error("throttled")]
    #[class(busy)]
    Throttled {
        /// How long to wait.
        #[retry_after]
        wait: Duration,
    },
    /// Delegates class and hint to the transport error.
    #[error("transport failed")]
    #[class(source, code = "op.transport")]
    Transport(#[from] Transport),
    /// Forwards everything.
    #[error(transparent)]
    Inner(Parse),
    /// An optional source.
    #[error("maybe")]
    Maybe(#[source] Option<core::str::Utf8Error>),
}

/// A struct with a source and a constant hint.
#[derive(Debug, ClassifiedError)]
#[class(conflict, retry_after_ms = 5)]
#[error("parse failed at {offset}")]
pub struct Parse {
    /// Where.
    pub offset: usize,
    /// Why.
    #[source]
    pub source: core::num::ParseIntError,
}

/// A backtrace of the crate's own: `ClassifiedError::backtrace` asks only `Display`.
#[derive(Debug)]
pub struct Frames(pub u8);

impl core::fmt::Display for Frames {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} frames", self.0)
    }
}

/// A `#[backtrace]` field without `std` (its selector would capture a
/// `std::backtrace::Backtrace`, hence `context = none`).
#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
#[error("traced")]
pub struct Traced {
    /// The frames.
    #[backtrace]
    pub frames: Option<Frames>,
}

/// Uses every generated method, so that the check covers their bodies too.
#[must_use]
pub fn summary(
    e: &dyn ClassifiedError,
) -> (Class, &'static str, Option<Duration>, bool, usize, bool) {
    struct Count(usize);
    impl Visit for Count {
        fn visit(&mut self, _: &'static str, _: Value<'_>) {
            self.0 += 1;
        }
    }
    let mut count = Count(0);
    e.visit_fields(&mut count);
    let has_source = core::error::Error::source(e).is_some();
    let traced = e.backtrace().is_some() && !e.type_name().is_empty();
    (
        e.class(),
        e.code(),
        e.retry_after(),
        e.is_retriable() && has_source,
        count.0,
        traced,
    )
}
