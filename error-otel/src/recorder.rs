//! Recording one failed operation: [`Recorder`] and the [`record`] shorthand.
//!
//! Everything that costs something (formatting the message, walking the chain, building
//! attributes) happens inside a check that the span records. On a span that is disabled
//! or not sampled, recording reads two flags and returns.
//!
//! What `error.type` holds is decided in one place, [`Recorder::error_type`], for the span
//! and for the duration point alike: the conventions' value by default (the status code
//! string on RPC operations, nothing for a server's client mistake), and the error's own
//! code always in `classified.code`.
//!
//! Exception log records go to the recorder's logger provider, or else to the one set
//! process-wide with [`set_logger_provider`]. OpenTelemetry's Rust API has no global
//! logger provider of its own (it was removed in opentelemetry 0.23: providers are for
//! log bridges), so this crate keeps one for its records, set once at startup beside the
//! tracer provider. With neither, an exception the opt-in variable sends to logs is
//! recorded as a span event instead, so that it is never lost.
//!
//! The `tracing` event at the error's level is off by default: tracing-opentelemetry turns
//! every event inside a span into a span event named after the event's message, so each
//! error would add a second, duplicate event under a high-cardinality name unless that
//! layer were filtered with [`skip_own_events`](crate::skip_own_events). A log layer that
//! wants a line per error turns it on with [`Recorder::tracing_event`] and filters the
//! OpenTelemetry layer.

use core::fmt;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::SystemTime;

use error_core::{Class, ClassifiedError, Classify, Level, REDACTED, Value};
use opentelemetry::KeyValue;
use opentelemetry::logs::{LogRecord as _, Logger, LoggerProvider, Severity};
use opentelemetry::trace::{SpanContext, SpanRef, Status};

use crate::deviation::{Deviation, Deviations};
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
/// let span = error_otel::operation_span!(recorder);
/// let outcome = recorder.record(&span, &Error::transient("node 2 is down"));
/// assert_eq!(outcome, Outcome::Failure);
/// ```
#[derive(Clone)]
pub struct Recorder {
    operation: Operation,
    signal: ExceptionSignal,
    logger: Option<Arc<dyn EmitException>>,
    event: bool,
    deviations: Deviations,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("operation", &self.operation)
            .field("signal", &self.signal)
            .field("logger", &self.logger.is_some())
            .field("event", &self.event)
            .field("deviations", &self.deviations)
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
    /// A recorder of `operation`'s failures, as the conventions say. The exception signal
    /// is read from [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](semconv::EXCEPTION_SIGNAL_OPT_IN);
    /// exception log records go to the process-wide logger provider
    /// ([`set_logger_provider`]) until one is given; no `tracing` event is emitted.
    #[must_use]
    pub fn new(operation: Operation) -> Recorder {
        Recorder {
            operation,
            signal: ExceptionSignal::from_env(),
            logger: None,
            event: false,
            deviations: Deviations::default(),
        }
    }

    /// Sets where exceptions go, in place of the environment's choice.
    #[must_use]
    pub fn exception_signal(mut self, signal: ExceptionSignal) -> Recorder {
        self.signal = signal;
        self
    }

    /// The logger provider that this recorder's exception log records go to, when the
    /// signal asks for logs, in place of the process-wide one ([`set_logger_provider`]).
    #[must_use]
    pub fn logger_provider<P>(mut self, provider: &P) -> Recorder
    where
        P: LoggerProvider,
        P::Logger: Send + Sync + 'static,
    {
        self.logger = Some(logger_of(provider));
        self
    }

    /// Whether to emit a `tracing` event at the error's level, for log layers (`fmt`, a
    /// file, a journal). Off by default.
    ///
    /// The event has target [`error_otel`](semconv::EVENT_TARGET), the error's message,
    /// and `error.type` (when set), `classified.code` and `classified.class` as fields. Its
    /// level is the error's (DEBUG when the outcome is not a failure: a client's mistake on
    /// a server, a cancellation). When a tracing-opentelemetry layer is installed, give it
    /// the [`skip_own_events`](crate::skip_own_events) filter: otherwise it turns the event
    /// into a second span event named after the error's message, which duplicates the
    /// exception under a high-cardinality name.
    #[must_use]
    pub fn tracing_event(mut self, enabled: bool) -> Recorder {
        self.event = enabled;
        self
    }

    /// Departs from the conventions as `deviation` says; see [`Deviation`]. Call it once
    /// per deviation.
    #[must_use]
    pub fn deviate(mut self, deviation: Deviation) -> Recorder {
        self.deviations = self.deviations.with(deviation);
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

    /// `error.type` for an operation that ended with `error` (`None`: an error that carries
    /// no classification), on the span and on the duration point alike, or `None` when the
    /// operation did not fail:
    ///
    /// | operation ended with | `error.type` |
    /// |---|---|
    /// | an error with no classification | [`_OTHER`](semconv::OTHER) |
    /// | a failure of an RPC operation, with a [response status](Operation::response_status) | the status code string (`"UNAVAILABLE"`), as in [`rpc.response.status_code`](semconv::RPC_STATUS_CODE) |
    /// | a failure of an RPC client with none (an error made in the client, with no status of its own) | the error's [`code()`](ClassifiedError::code), as the conventions ask when no status was returned |
    /// | a failure of any other operation | the error's [`code()`](ClassifiedError::code) |
    /// | a client's mistake seen by a server ([`Outcome::ClientFault`]) | none |
    /// | a cancellation ([`Outcome::Cancelled`]) | none |
    ///
    /// The [deviations](Deviation) change the second and fifth rows.
    ///
    /// ```
    /// use error_core::{Error, Status};
    /// use error_otel::{Operation, Recorder};
    ///
    /// let down = Error::transient("node 2 is down").with_code("node.down");
    /// let answered = down.with_status(Status::Unavailable);
    /// assert_eq!(Recorder::new(Operation::RPC_CLIENT).error_type(Some(&answered)), Some("UNAVAILABLE"));
    /// assert_eq!(Recorder::new(Operation::INTERNAL).error_type(Some(&answered)), Some("node.down"));
    ///
    /// // Made in the client, with no status of its own: no status was returned.
    /// let reset = Error::transient("connection reset").with_code("net.reset");
    /// assert_eq!(Recorder::new(Operation::RPC_CLIENT).error_type(Some(&reset)), Some("net.reset"));
    /// assert_eq!(Recorder::new(Operation::RPC_SERVER).error_type(Some(&reset)), Some("UNAVAILABLE"));
    /// assert_eq!(Recorder::new(Operation::RPC_CLIENT).error_type(None), Some("_OTHER"));
    ///
    /// let bad = Error::invalid("key is empty");
    /// assert_eq!(Recorder::new(Operation::RPC_SERVER).error_type(Some(&bad)), None);
    /// ```
    #[must_use]
    pub fn error_type(&self, error: Option<&dyn ClassifiedError>) -> Option<&'static str> {
        self.error_type_of(self.judge(error), error)
    }

    fn judge(&self, error: Option<&dyn ClassifiedError>) -> Outcome {
        error.map_or(Outcome::Failure, |error| self.operation.judge(error))
    }

    fn error_type_of(
        &self,
        outcome: Outcome,
        error: Option<&dyn ClassifiedError>,
    ) -> Option<&'static str> {
        let failed = match outcome {
            Outcome::Failure => true,
            Outcome::ClientFault => self.deviations.error_type_on_client_faults,
            _ => false,
        };
        if !failed {
            return None;
        }
        Some(match error {
            None => semconv::OTHER,
            Some(error) => match (
                self.operation.domain(),
                self.operation.response_status(error),
            ) {
                (Domain::Rpc, Some(status)) if !self.deviations.code_as_error_type => {
                    status.grpc_name()
                }
                _ => error.code(),
            },
        })
    }

    /// Records `error` as the outcome of the operation on `span`, and returns how it was
    /// judged (see [`Operation::judge`]).
    ///
    /// On a span that records:
    /// - `error.type` as [`error_type`](Recorder::error_type) says, the error's code in
    ///   `classified.code`, our other `classified.*` attributes, the domain's status
    ///   attribute when there was a [response status](Operation::response_status), and the
    ///   error's fields;
    /// - for a [`Outcome::Failure`], the status is set to `Error` once, with the
    ///   top-level message as its description;
    /// - the exception is recorded once, as a span event or a log record or both, as the
    ///   [signal](ExceptionSignal) says (at DEBUG severity for a client's mistake).
    ///
    /// A cancellation records nothing on the span. When [turned
    /// on](Recorder::tracing_event), a `tracing` event follows, wherever the span is.
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
        let outcome = self.judge(classified);
        let error_type = self.error_type_of(outcome, classified);
        if outcome != Outcome::Cancelled {
            target.with_recording_span(&mut |span| {
                self.write_span(span, outcome, error_type, top, classified);
            });
        }
        if self.event {
            let level = event_level(outcome, classified);
            let code = classified.map(ClassifiedError::code);
            let class = classified.map(|e| e.class().as_str());
            let fields = EventFields {
                error_type,
                code,
                class,
            };
            match target.tracing_span() {
                Some(parent) => emit_event(parent, level, &fields, top),
                None => emit_event(&tracing::Span::current(), level, &fields, top),
            }
        }
        outcome
    }

    fn write_span(
        &self,
        span: &SpanRef<'_>,
        outcome: Outcome,
        error_type: Option<&'static str>,
        top: &dyn fmt::Display,
        classified: Option<&dyn ClassifiedError>,
    ) {
        let message = top.to_string();
        span.set_attributes(error_attributes(&self.operation, error_type, classified));
        if outcome == Outcome::Failure {
            span.set_status(Status::error(message.clone()));
        }
        let span_trace = tracing_error::SpanTrace::capture();
        let exception = Exception {
            type_name: classified.map(ClassifiedError::type_name),
            stacktrace: exception::stacktrace(top, classified, &span_trace),
            message,
            location: classified.and_then(ClassifiedError::location),
        };
        let logger = if self.signal.log() {
            self.logger.clone().or_else(global_logger)
        } else {
            None
        };
        if let Some(logger) = &logger {
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
/// recorder made once per process: it reads
/// [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](semconv::EXCEPTION_SIGNAL_OPT_IN) once, sends
/// exception log records to the logger provider given to [`set_logger_provider`], and
/// emits no `tracing` event (so no duplicate span event, whatever the subscriber).
///
/// For a client or server span, record with a [`Recorder`] of its operation, and open the
/// span with [`operation_span!`](crate::operation_span!) so that the span's kind is the recorder's.
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

/// The process-wide logger, set by [`set_logger_provider`].
static GLOBAL_LOGGER: RwLock<Option<Arc<dyn EmitException>>> = RwLock::new(None);

/// Sets the logger provider that exception log records go to, for [`record`] and every
/// [`Recorder`] not given one of its own. Call it once at startup, beside
/// `opentelemetry::global::set_tracer_provider`; a later call replaces the provider.
///
/// Records go there only when
/// [`OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN`](semconv::EXCEPTION_SIGNAL_OPT_IN) (or a
/// recorder's [`exception_signal`](Recorder::exception_signal)) asks for logs. OpenTelemetry's
/// Rust API has no global logger provider (it was removed in opentelemetry 0.23), so this
/// is the crate's own.
///
/// ```
/// use opentelemetry_sdk::logs::SdkLoggerProvider;
///
/// let provider = SdkLoggerProvider::builder().build();
/// error_otel::set_logger_provider(&provider);
/// ```
pub fn set_logger_provider<P>(provider: &P)
where
    P: LoggerProvider,
    P::Logger: Send + Sync + 'static,
{
    let logger = logger_of(provider);
    // The slot holds a whole value at every step, so a poisoned lock is still sound.
    *GLOBAL_LOGGER
        .write()
        .unwrap_or_else(PoisonError::into_inner) = Some(logger);
}

fn global_logger() -> Option<Arc<dyn EmitException>> {
    GLOBAL_LOGGER
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

fn logger_of<P>(provider: &P) -> Arc<dyn EmitException>
where
    P: LoggerProvider,
    P::Logger: Send + Sync + 'static,
{
    Arc::new(provider.logger("error-otel"))
}

/// The attributes of a failed operation's span: `error.type` when set, ours, the domain's
/// status.
fn error_attributes(
    operation: &Operation,
    error_type: Option<&'static str>,
    error: Option<&dyn ClassifiedError>,
) -> Vec<KeyValue> {
    let mut attributes = Vec::new();
    if let Some(error_type) = error_type {
        attributes.push(KeyValue::new(semconv::ERROR_TYPE, error_type));
    }
    let Some(error) = error else {
        return attributes;
    };
    let class = error.class();
    attributes.push(KeyValue::new(semconv::CODE, error.code()));
    attributes.push(KeyValue::new(semconv::CLASS, class.as_str()));
    attributes.push(KeyValue::new(semconv::RETRIABLE, class.is_retriable()));
    if let Some(after) = error.retry_after() {
        attributes.push(KeyValue::new(semconv::RETRY_AFTER, after.as_secs_f64()));
    }
    // Only a status there was a response with: see `Operation::response_status`.
    match (operation.domain(), operation.response_status(error)) {
        (Domain::Rpc, Some(status)) => {
            attributes.push(KeyValue::new(semconv::RPC_STATUS_CODE, status.grpc_name()));
        }
        (Domain::Http, Some(status)) => attributes.push(KeyValue::new(
            semconv::HTTP_RESPONSE_STATUS_CODE,
            i64::from(status.http()),
        )),
        _ => {}
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

/// The level of the `tracing` event: the error's for a failure (ERROR for an
/// unclassified one); DEBUG, or TRACE when the error says so, for what is not a failure
/// (the conventions' severity for "something that is not really an issue").
fn event_level(outcome: Outcome, error: Option<&dyn ClassifiedError>) -> tracing::Level {
    let level = error.map_or(Level::Error, ClassifiedError::level);
    match (outcome, level) {
        (_, Level::Trace) => tracing::Level::TRACE,
        (Outcome::Failure, Level::Error) => tracing::Level::ERROR,
        (Outcome::Failure, Level::Warn) => tracing::Level::WARN,
        (Outcome::Failure, Level::Info) => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    }
}

/// The fields of the `tracing` event besides its message.
struct EventFields {
    error_type: Option<&'static str>,
    code: Option<&'static str>,
    class: Option<&'static str>,
}

fn emit_event(
    parent: &tracing::Span,
    level: tracing::Level,
    fields: &EventFields,
    message: &dyn fmt::Display,
) {
    macro_rules! at {
        ($level:expr) => {
            tracing::event!(
                target: "error_otel",
                parent: parent,
                $level,
                error.type = fields.error_type,
                classified.code = fields.code,
                classified.class = fields.class,
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
        if let Some(location) = exception.location {
            record.add_attribute(semconv::CODE_FILE_PATH, location.file());
            record.add_attribute(semconv::CODE_LINE_NUMBER, i64::from(location.line()));
            record.add_attribute(semconv::CODE_COLUMN_NUMBER, i64::from(location.column()));
        }
        Logger::emit(self, record);
    }
}

/// The exception's three attributes, and the `code.*` ones of where it was made.
struct Exception {
    type_name: Option<&'static str>,
    message: String,
    stacktrace: String,
    location: Option<error_core::Location>,
}

impl Exception {
    /// `code.file.path`, `code.line.number` and `code.column.number` of the outermost
    /// layer's location, when it has one.
    fn code_attributes(&self) -> impl Iterator<Item = KeyValue> {
        self.location.into_iter().flat_map(|location| {
            [
                KeyValue::new(semconv::CODE_FILE_PATH, location.file()),
                KeyValue::new(semconv::CODE_LINE_NUMBER, i64::from(location.line())),
                KeyValue::new(semconv::CODE_COLUMN_NUMBER, i64::from(location.column())),
            ]
        })
    }

    fn key_values(self) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(6);
        attributes.extend(self.code_attributes());
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
