//! The attribute, event and metric names the crate writes, in one place.
//!
//! Names from the OpenTelemetry semantic conventions are written as they are in v1.44.0.
//! Where a convention is still moving (the RPC status attribute has been renamed twice),
//! the name is a constant here and nowhere else, so that following the next rename is a
//! one-line change.
//!
//! Everything of our own lives under one namespace, [`NAMESPACE`] (`classified.`): never
//! `otel.*`, `error.*` or another convention's namespace, as the conventions ask of custom
//! attributes.

/// `error.type`: set only on failures, on the span and on the duration histogram alike;
/// the status code string on RPC operations, the error's
/// [`code()`](error_core::ClassifiedError::code) on others. See
/// [`Recorder::error_type`](crate::Recorder::error_type).
pub const ERROR_TYPE: &str = "error.type";

/// The value of `error.type` when the error carries no classification at all: the
/// conventions' fallback.
pub const OTHER: &str = "_OTHER";

/// `exception.type`: the fully qualified name of the error's type, from
/// [`ClassifiedError::type_name`](error_core::ClassifiedError::type_name): the typed error
/// inside an `error_core::Error`, or the error itself.
///
/// For a type made with `#[derive(ClassifiedError)]` the name is the module path written
/// at the type's definition and the type's name (`my_crate::storage::StorageError`), fixed
/// when the derive expands: stable across compiler versions, unlike
/// `core::any::type_name`, whose text the compiler does not promise to keep. A hand-written
/// `ClassifiedError` keeps the trait's default, `core::any::type_name`, unless it
/// overrides `type_name`. Either way the path is the defining module's, private or not:
/// a type re-exported from a private module should override `type_name` with the path its
/// users write (see its documentation), so that the name in a trace finds the type.
pub const EXCEPTION_TYPE: &str = "exception.type";

/// `exception.message`: the top-level message.
pub const EXCEPTION_MESSAGE: &str = "exception.message";

/// `exception.stacktrace`: the report's `caused by:` lines, then a captured backtrace or
/// span trace.
pub const EXCEPTION_STACKTRACE: &str = "exception.stacktrace";

/// `code.file.path`: the source file of the outermost layer's
/// [`Location`](error_core::Location), on the exception event or log record. Each layer's
/// location is in [`EXCEPTION_STACKTRACE`], the `{:#}` report.
pub const CODE_FILE_PATH: &str = "code.file.path";

/// `code.line.number`: the line of the outermost layer's location.
pub const CODE_LINE_NUMBER: &str = "code.line.number";

/// `code.column.number`: the column of the outermost layer's location.
pub const CODE_COLUMN_NUMBER: &str = "code.column.number";

/// The name of the span event that holds an exception.
pub const EXCEPTION_EVENT: &str = "exception";

/// The environment variable that moves exceptions from span events to log records.
pub const EXCEPTION_SIGNAL_OPT_IN: &str = "OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN";

/// The RPC status attribute, holding the gRPC status name (`"UNAVAILABLE"`).
///
/// This is `rpc.response.status_code`, its name in semantic conventions v1.44.0, which
/// replaced the deprecated integer `rpc.grpc.status_code`. After v1.44.0 the conventions'
/// main branch renamed it `rpc.status_code`; we follow a released version.
pub const RPC_STATUS_CODE: &str = "rpc.response.status_code";

/// `http.response.status_code`, an integer.
pub const HTTP_RESPONSE_STATUS_CODE: &str = "http.response.status_code";

/// `http.request.resend_count`: set on the spans of the second and later physical
/// attempts of an HTTP request (1, 2, …), never on the first.
pub const HTTP_REQUEST_RESEND_COUNT: &str = "http.request.resend_count";

/// Our namespace: every attribute, event and metric of our own starts with it.
pub const NAMESPACE: &str = "classified.";

/// `classified.class`: the error's class (`"transient"`, …).
pub const CLASS: &str = "classified.class";

/// `classified.code`: the error's own [`code()`](error_core::ClassifiedError::code), on the
/// span of every recorded error (beside `error.type`, which may hold the RPC status code or
/// be absent), on retry events and on the retry counter.
pub const CODE: &str = "classified.code";

/// `classified.retriable`: whether the class is one a caller may retry.
pub const RETRIABLE: &str = "classified.retriable";

/// `classified.retry_after`: the error's retry hint in seconds, a double, when it has one.
pub const RETRY_AFTER: &str = "classified.retry_after";

/// The prefix of the error's key/value fields: `classified.field.<name>`.
pub const FIELD_PREFIX: &str = "classified.field.";

/// The span event recorded before each retry.
pub const RETRY_EVENT: &str = "classified.retry";

/// `classified.attempt`: on a retry event, the attempt that failed, from 1.
pub const ATTEMPT: &str = "classified.attempt";

/// `classified.delay`: on a retry event, how long the retry waits, in seconds.
pub const DELAY: &str = "classified.delay";

/// `classified.give_up`: why the retry layer stopped retrying (`"exhausted"`,
/// `"budget"`, …), set on the span when a retried call fails.
pub const GIVE_UP: &str = "classified.give_up";

/// The counter of retries, by class and code.
pub const RETRIES_METRIC: &str = "classified.retries";

/// The duration histogram's bucket boundaries, in seconds: the conventions' boundaries
/// for HTTP and RPC durations.
pub const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

/// The tracing target of the event a [`Recorder`](crate::Recorder) emits at the error's
/// level, when [turned on](crate::Recorder::tracing_event).
pub const EVENT_TARGET: &str = "error_otel";
