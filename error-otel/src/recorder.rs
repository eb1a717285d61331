//! Recording one failed operation: [`Recorder`] and the [`record`] shorthand.
//!
//! Everything that costs something (formatting the message, walking the chain, building
//! attributes) happens inside a check that the span records. On a span that is disabled
//! or not sampled, recording reads two flags and returns; the one thing left is the
//! `tracing` event at the error's level, which is dispatched only to the layers that
//! want it (see [`skip_own_events`](crate::skip_own_events) for keeping it out of the
//! OpenTelemetry layer).

use core::fmt;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use error_core::{Class, ClassifiedError, Classify, Level, REDACTED, Value};
use opentelemetry::KeyValue;
use opentelemetry::logs::{LogRecord as _, Logger, LoggerProvider, Severity};
use opentelemetry::trace::{SpanContext, SpanRef, Status};

use crate::exception::{self, ExceptionSignal};
use crate::operation::{Domain, Operation, Outcome};
use crate::semconv;
use crate::target::Target;

/// Records classified errors on spans, as one operation's failures.
///
/// Made once (it reads the exception opt-in variable when it is made) and cloned freely:
/// a clone shares the logger.
///
/// ```
/// use error_core::Error;
/// use error_otel::{Operation, Outcome, Recorder};
///
/// let recorder = Recorder::new(Operation::RPC_CLIENT);
/// let span = tracing::info_span!("get");
/// let outcome = recorder.record(&span, &Error::transient("node 2 is down"));
/// assert_eq!(outcome, Outcome::Failure);
/// ```
#[derive(Clone)]
pub struct Recorder {
    operation: Operation,
    signal: ExceptionSignal,
    logger: Option<Arc<dyn EmitException>>,
    event: bool,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("operation", &self.operation)
            .field("signal", &self.signal)
            .field("logger", &self.logger.is_some())
            .field("event", &self.event)
            .finish()
    }
}

impl Default for Recorder {
    /// A recorder of [`Operation::INTERNAL`].
    fn default() -> Self {
        Recorder::new(Operation::INTERNAL)
    }
}

impl Recorder {
    /// A recorder of `operation`'s failures. The exception signal is read from
    /// [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](semconv::EXCEPTION_SIGNAL_OPT_IN); there is
    /// no logger until one is given.
    #[must_use]
    pub fn new(operation: Operation) -> Recorder {
        Recorder {
            operation,
            signal: ExceptionSignal::from_env(),
            logger: None,
            event: true,
        }
    }

    /// Sets where exceptions go, in place of the environment's choice.
    #[must_use]
    pub fn exception_signal(mut self, signal: ExceptionSignal) -> Recorder {
        self.signal = signal;
        self
    }

    /// The logger provider that exception log records go to, when the signal asks for
    /// logs. Without one, an exception the signal sends to logs is recorded as a span
    /// event instead, so that it is never lost.
    #[must_use]
    pub fn logger_provider<P>(mut self, provider: &P) -> Recorder
    where
        P: LoggerProvider,
        P::Logger: Send + Sync + 'static,
    {
        self.logger = Some(Arc::new(provider.logger("error-otel")));
        self
    }

    /// Whether to emit the `tracing` event at the error's level (on by default).
    #[must_use]
    pub fn tracing_event(mut self, enabled: bool) -> Recorder {
        self.event = enabled;
        self
    }

    /// The operation whose failures this records.
    #[must_use]
    pub fn operation(&self) -> &Operation {
        &self.operation
    }

    /// The exception signal in use.
    #[must_use]
    pub fn signal(&self) -> ExceptionSignal {
        self.signal
    }

    /// Records `error` as the outcome of the operation on `span`, and returns how it was
    /// judged (see [`Operation::judge`]).
    ///
    /// On a span that records:
    /// - `error.type` is the error's code, and our `classified.*` attributes, the domain's
    ///   status attribute, and the error's fields are set;
    /// - for a [`Outcome::Failure`], the status is set to `Error` once, with the
    ///   top-level message as its description;
    /// - the exception is recorded once, as a span event or a log record or both.
    ///
    /// Then, wherever the span is, a `tracing` event is emitted at the error's level
    /// (capped at WARN when the outcome is not a failure, so that tracing-opentelemetry
    /// does not turn a server's span red for a client's mistake).
    pub fn record<T, E>(&self, span: &T, error: &E) -> Outcome
    where
        T: Target + ?Sized,
        E: ClassifiedError,
    {
        self.record_parts(span, error, Some(error))
    }

    /// Records an error that may or may not carry a classification, such as a
    /// `tower::BoxError`: the first classified link of its chain is used, and an error
    /// with none is recorded with `error.type` [`_OTHER`](semconv::OTHER), as a failure.
    pub fn record_any<T, E>(&self, span: &T, error: &E) -> Outcome
    where
        T: Target + ?Sized,
        E: Classify + fmt::Display + ?Sized,
    {
        self.record_parts(span, &error, error.classified())
    }

    fn record_parts<T: Target + ?Sized>(
        &self,
        target: &T,
        top: &dyn fmt::Display,
        classified: Option<&dyn ClassifiedError>,
    ) -> Outcome {
        let outcome = classified.map_or(Outcome::Failure, |error| self.operation.judge(error));
        if outcome != Outcome::Cancelled {
            target.with_recording_span(&mut |span| {
                self.write_span(span, outcome, top, classified);
            });
        }
        if self.event {
            let level = event_level(outcome, classified);
            let error_type = error_type(classified);
            let class = classified.map_or("", |e| e.class().as_str());
            match target.tracing_span() {
                Some(parent) => emit_event(parent, level, error_type, class, top),
                None => emit_event(&tracing::Span::current(), level, error_type, class, top),
            }
        }
        outcome
    }

    fn write_span(
        &self,
        span: &SpanRef<'_>,
        outcome: Outcome,
        top: &dyn fmt::Display,
        classified: Option<&dyn ClassifiedError>,
    ) {
        let message = top.to_string();
        span.set_attributes(error_attributes(&self.operation, classified));
        if outcome == Outcome::Failure {
            span.set_status(Status::error(message.clone()));
        }
        let span_trace = tracing_error::SpanTrace::capture();
        let exception = Exception {
            type_name: classified.map(ClassifiedError::type_name),
            stacktrace: exception::stacktrace(top, classified, &span_trace),
            message,
        };
        let logger = self.logger.as_deref().filter(|_| self.signal.log());
        if let Some(logger) = logger {
            let class = classified.map_or(Class::Internal, ClassifiedError::class);
            let severity = exception::severity(&self.operation, outcome, class);
            logger.emit(
                self.operation.exception_event(),
                severity,
                span.span_context(),
                &exception,
            );
        }
        if self.signal.span_event() || logger.is_none() {
            span.add_event(semconv::EXCEPTION_EVENT, exception.key_values());
        }
    }
}

/// Records `error` on `span` as a failure of an [`Operation::INTERNAL`] operation, with a
/// recorder made once per process (reading the exception opt-in variable once).
///
/// ```
/// use error_core::Error;
/// use error_otel::Outcome;
///
/// let span = tracing::info_span!("load");
/// let _guard = span.enter();
/// assert_eq!(error_otel::record(&span, &Error::internal("checksum mismatch")), Outcome::Failure);
/// ```
pub fn record<T, E>(span: &T, error: &E) -> Outcome
where
    T: Target + ?Sized,
    E: ClassifiedError,
{
    static DEFAULT: OnceLock<Recorder> = OnceLock::new();
    DEFAULT.get_or_init(Recorder::default).record(span, error)
}

/// `error.type` for an error: its code, or [`_OTHER`](semconv::OTHER) when it carries no
/// classification.
#[must_use]
pub fn error_type(error: Option<&dyn ClassifiedError>) -> &'static str {
    error.map_or(semconv::OTHER, ClassifiedError::code)
}

/// The attributes of a failed operation's span: `error.type`, ours, the domain's status.
fn error_attributes(operation: &Operation, error: Option<&dyn ClassifiedError>) -> Vec<KeyValue> {
    let mut attributes = vec![KeyValue::new(semconv::ERROR_TYPE, error_type(error))];
    let Some(error) = error else {
        return attributes;
    };
    let class = error.class();
    attributes.push(KeyValue::new(semconv::CLASS, class.as_str()));
    attributes.push(KeyValue::new(semconv::RETRIABLE, class.is_retriable()));
    if let Some(after) = error.retry_after() {
        attributes.push(KeyValue::new(semconv::RETRY_AFTER, after.as_secs_f64()));
    }
    match operation.domain() {
        Domain::Rpc => attributes.push(KeyValue::new(
            semconv::RPC_STATUS_CODE,
            error.status().grpc_name(),
        )),
        Domain::Http => attributes.push(KeyValue::new(
            semconv::HTTP_RESPONSE_STATUS_CODE,
            i64::from(error.status().http()),
        )),
        Domain::Other => {}
    }
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        let text = match value {
            Value::Display(value) => value.to_string(),
            Value::Debug(value) => format!("{value:?}"),
            // A redacted field, and any kind of value this crate does not know yet.
            _ => REDACTED.to_owned(),
        };
        attributes.push(KeyValue::new(
            format!("{}{key}", semconv::FIELD_PREFIX),
            text,
        ));
    });
    attributes
}

/// The level of the `tracing` event: the error's, at most WARN for what is not a
/// failure, DEBUG for a cancellation, ERROR for an unclassified error.
fn event_level(outcome: Outcome, error: Option<&dyn ClassifiedError>) -> tracing::Level {
    let level = error.map_or(Level::Error, ClassifiedError::level);
    match (outcome, level) {
        (Outcome::Cancelled, _) | (_, Level::Debug) => tracing::Level::DEBUG,
        (Outcome::Failure, Level::Error) => tracing::Level::ERROR,
        (_, Level::Error | Level::Warn) => tracing::Level::WARN,
        (_, Level::Trace) => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    }
}

fn emit_event(
    parent: &tracing::Span,
    level: tracing::Level,
    error_type: &'static str,
    class: &'static str,
    message: &dyn fmt::Display,
) {
    macro_rules! at {
        ($level:expr) => {
            tracing::event!(
                target: "error_otel",
                parent: parent,
                $level,
                error.type = error_type,
                classified.class = class,
                "{message}"
            )
        };
    }
    match level {
        tracing::Level::ERROR => at!(tracing::Level::ERROR),
        tracing::Level::WARN => at!(tracing::Level::WARN),
        tracing::Level::INFO => at!(tracing::Level::INFO),
        tracing::Level::DEBUG => at!(tracing::Level::DEBUG),
        _ => at!(tracing::Level::TRACE),
    }
}

/// An exception log emitter: the object-safe face of any [`Logger`].
trait EmitException: Send + Sync {
    fn emit(
        &self,
        event_name: &'static str,
        severity: Severity,
        span: &SpanContext,
        exception: &Exception,
    );
}

impl<L: Logger + Send + Sync> EmitException for L {
    fn emit(
        &self,
        event_name: &'static str,
        severity: Severity,
        span: &SpanContext,
        exception: &Exception,
    ) {
        let mut record = self.create_log_record();
        record.set_event_name(event_name);
        record.set_severity_number(severity);
        record.set_severity_text(severity.name());
        record.set_timestamp(SystemTime::now());
        record.set_trace_context(span.trace_id(), span.span_id(), Some(span.trace_flags()));
        if let Some(type_name) = exception.type_name {
            record.add_attribute(semconv::EXCEPTION_TYPE, type_name);
        }
        record.add_attribute(semconv::EXCEPTION_MESSAGE, exception.message.clone());
        record.add_attribute(semconv::EXCEPTION_STACKTRACE, exception.stacktrace.clone());
        Logger::emit(self, record);
    }
}

/// The exception's three attributes.
struct Exception {
    type_name: Option<&'static str>,
    message: String,
    stacktrace: String,
}

impl Exception {
    fn key_values(self) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(3);
        if let Some(type_name) = self.type_name {
            attributes.push(KeyValue::new(semconv::EXCEPTION_TYPE, type_name));
        }
        attributes.push(KeyValue::new(semconv::EXCEPTION_MESSAGE, self.message));
        attributes.push(KeyValue::new(
            semconv::EXCEPTION_STACKTRACE,
            self.stacktrace,
        ));
        attributes
    }
}
