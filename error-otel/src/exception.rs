//! The exception record: where it goes, and what it says.
//!
//! The conventions deprecated exceptions as span events in v1.40, in favour of log records
//! tied to the span context, and gave instrumentations a switch to move at their users'
//! pace: [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](crate::semconv::EXCEPTION_SIGNAL_OPT_IN).
//! [`ExceptionSignal`] is that switch, read from the environment once, when a
//! [`Recorder`](crate::Recorder) is made, or set in code.

use core::fmt::{self, Write as _};

use error_core::{Class, ClassifiedError, Report};
use opentelemetry::logs::Severity;

use crate::operation::{Kind, Operation, Outcome};

/// Where exceptions are recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExceptionSignal {
    /// A span event named `exception`: the default, when the variable is unset.
    #[default]
    SpanEvent,
    /// A log record tied to the span context, named after the operation
    /// (`rpc.client.call.exception`): the variable holds `logs`.
    Logs,
    /// Both: the variable holds `logs/dup`.
    Both,
}

impl ExceptionSignal {
    /// Reads [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](crate::semconv::EXCEPTION_SIGNAL_OPT_IN).
    /// An unset, empty or unknown value keeps span events.
    #[must_use]
    pub fn from_env() -> ExceptionSignal {
        std::env::var(crate::semconv::EXCEPTION_SIGNAL_OPT_IN)
            .map_or(ExceptionSignal::SpanEvent, |value| {
                ExceptionSignal::parse(&value)
            })
    }

    /// Reads the variable's value: a comma-separated list, like the conventions' other
    /// opt-in variables, in which `logs/dup` wins over `logs`.
    ///
    /// ```
    /// use error_otel::ExceptionSignal;
    ///
    /// assert_eq!(ExceptionSignal::parse("logs"), ExceptionSignal::Logs);
    /// assert_eq!(ExceptionSignal::parse("http, logs/dup"), ExceptionSignal::Both);
    /// assert_eq!(ExceptionSignal::parse("something-else"), ExceptionSignal::SpanEvent);
    /// ```
    #[must_use]
    pub fn parse(value: &str) -> ExceptionSignal {
        let mut signal = ExceptionSignal::SpanEvent;
        for item in value.split(',').map(str::trim) {
            match item {
                "logs/dup" => return ExceptionSignal::Both,
                "logs" => signal = ExceptionSignal::Logs,
                _ => {}
            }
        }
        signal
    }

    /// Whether a span event is recorded.
    #[must_use]
    pub const fn span_event(self) -> bool {
        matches!(self, ExceptionSignal::SpanEvent | ExceptionSignal::Both)
    }

    /// Whether a log record is emitted.
    #[must_use]
    pub const fn log(self) -> bool {
        matches!(self, ExceptionSignal::Logs | ExceptionSignal::Both)
    }
}

/// The log severity of an exception, as the conventions give it: FATAL when the process
/// restarts (class `fatal`), DEBUG for the client's mistake seen by a server, WARN for a
/// client call that failed after its retries, ERROR for every other failure.
pub(crate) fn severity(operation: &Operation, outcome: Outcome, class: Class) -> Severity {
    match (outcome, class, operation.kind()) {
        (_, Class::Fatal, _) => Severity::Fatal,
        (Outcome::ClientFault | Outcome::Cancelled, _, _) => Severity::Debug,
        (_, _, Kind::Client) => Severity::Warn,
        _ => Severity::Error,
    }
}

/// `exception.stacktrace`: the report of the chain, one line per link (`caused by: …`),
/// then the error's captured backtrace, then the span trace where the error was recorded,
/// each when present.
pub(crate) fn stacktrace(
    top: &dyn fmt::Display,
    classified: Option<&dyn ClassifiedError>,
    span_trace: &tracing_error::SpanTrace,
) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = match classified {
        Some(error) => write!(out, "{:#}", Report::new(error)),
        None => write!(out, "{top}"),
    };
    if let Some(backtrace) = classified.and_then(ClassifiedError::backtrace) {
        let _ = write!(out, "\n\nstack backtrace:\n{backtrace}");
    }
    if span_trace.status() == tracing_error::SpanTraceStatus::CAPTURED {
        let _ = write!(out, "\n\nspan trace:\n{span_trace}");
    }
    out
}
