//! Records classified errors on `tracing` and OpenTelemetry spans, logs and metrics, as
//! the OpenTelemetry semantic conventions say.
//!
//! When a call fails in production, the operator asks which error it was, how often it
//! happens, whether it was retried, and what caused it. The conventions say exactly where
//! each answer goes; this crate puts a [`ClassifiedError`](error_core::ClassifiedError)'s
//! answers there, in one call:
//!
//! | question | where | from |
//! |---|---|---|
//! | which error | `error.type` on the span and the duration histogram, `classified.code` on the span | the RPC status or the error's `code()`; the `code()` |
//! | what it says | the span status's description, `exception.message` | the top-level `Display` |
//! | what caused it | `exception.stacktrace` | the chain's report, then a backtrace or span trace |
//! | what to do | `classified.class`, `classified.retriable`, `classified.retry_after` | the class and hint |
//! | how often | `{operation}.duration` with `error.type` on failures | [`OtelMetrics`] |
//! | was it retried | `classified.retry` span events, the `classified.retries` counter | [`RecordRetries`] |
//!
//! ```
//! use error_core::ClassifiedError;
//!
//! #[derive(Debug, ClassifiedError)]
//! #[non_exhaustive]
//! pub enum GetError {
//!     #[error("node is down, node={node}")]
//!     #[class(transient)]
//!     NodeDown { node: u64 },
//! }
//!
//! let span = tracing::info_span!("get");
//! error_otel::record(&span, &GetError::NodeDown { node: 2 });
//! ```
//!
//! The simple paths are right by construction: [`record`] follows
//! `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN` with the logger provider given to
//! [`set_logger_provider`]; nothing it emits can come back as a duplicate span event; a
//! [`Recorder`] opens its spans with [`operation_span!`] so that the span kind is given once;
//! [`Operation::client`] and its siblings name an operation once; and
//! [`OtelLayer::around_retry`] wires a retry layer's hooks in one call.
//!
//! # The values of `error.type`
//!
//! `error.type` is set only when the operation failed, and is always one of a closed,
//! documented set, never a message:
//! - on an RPC operation, the gRPC status code string (`"UNAVAILABLE"`,
//!   `"ALREADY_EXISTS"`, …), as the RPC conventions ask when a status code was returned:
//!   always on a server, and on a client when the error states one
//!   ([`Operation::response_status`]);
//! - on any other operation, and on an RPC client whose error states no status (it was
//!   made in the client: no status was returned), the codes of your derived errors: `"Enum::Variant"` for an
//!   enum's variant, `"Struct"` for a struct, or the `code = "..."` you gave; for an ad-hoc
//!   `error_core::Error`, its class's name (`"transient"`, `"busy"`, …) or the code set
//!   with `with_code`; for a `std::io::Error`, the code `error_core::io_class` gives its
//!   kind (or the code of the classified error it wraps); from `error_tower`: `"timeout"`
//!   (a per-attempt timeout elapsed) and `"breaker.open"` (the circuit breaker refused
//!   the call);
//! - `_OTHER` for an error whose chain holds no classification at all.
//!
//! The error's own code is always on the span in `classified.code`, whatever
//! `error.type` holds. [`Recorder::error_type`] is the one function that decides, for the
//! span and the duration point alike.
//!
//! # Decisions where the conventions leave a choice
//!
//! - The RPC status attribute is `rpc.response.status_code` (v1.44.0's name), in
//!   [`semconv::RPC_STATUS_CODE`] and nowhere else. `error.type` holds the same string
//!   on RPC failures that have one.
//! - A client's span reports a response status (`rpc.response.status_code`,
//!   `http.response.status_code`) only when its error states one
//!   ([`ClassifiedError::stated_status`](error_core::ClassifiedError::stated_status)): one
//!   made from the peer's answer, or by a layer that generates it, as a gRPC client does for
//!   its deadline. Every classified error has a `status()`, but for an error made in the
//!   client with none of its own it is the class's guess at what a server would send;
//!   recorded, it would be a status nobody returned. A server's span reports its error's
//!   `status()`, which is what it returns. See [`Operation::response_status`].
//! - `error.type` is the code for HTTP, which the conventions allow as a "component
//!   identifier"; `http.response.status_code` holds the number.
//! - Our own attributes are under `classified.`; durations in them are seconds, as
//!   OpenTelemetry's own.
//! - `exception.type` is [`ClassifiedError::type_name`](error_core::ClassifiedError::type_name)
//!   of the error, or of the typed error inside an `error_core::Error`. For a derived type
//!   it is the module path written at the definition and the type's name, fixed when the
//!   derive expands, so it is stable across compiler versions (see
//!   [`semconv::EXCEPTION_TYPE`]). An unclassified foreign error has no type we can name,
//!   so it gets `exception.message` only, which the conventions allow.
//! - A server that sees a client's mistake (`invalid`, `already exists`, …) did not fail:
//!   no `error.type`, no status, and the exception at DEBUG severity when it goes to logs
//!   ("something that is not really an issue").
//! - Exception log records go to a recorder's logger provider, else to the one set with
//!   [`set_logger_provider`]; OpenTelemetry's Rust API has no global logger provider.
//! - The `tracing` event at the error's level is off by default
//!   ([`Recorder::tracing_event`]): tracing-opentelemetry would turn it into a second span
//!   event named after the message. Turned on, it has target `error_otel`; keep it out of
//!   the OpenTelemetry layers with [`skip_own_events`].
//!
//! # Deviations, opt-in
//!
//! Two departures from the conventions are available, each chosen by name with
//! [`Recorder::deviate`] and documented on [`Deviation`]: the error's code as `error.type`
//! on RPC operations ([`Deviation::CodeAsErrorType`]), and `error.type` on a server's
//! client mistakes ([`Deviation::ErrorTypeOnClientFaults`]).

mod deviation;
mod exception;
mod filter;
mod metrics;
mod operation;
mod recorder;
pub mod semconv;
mod target;
#[cfg(feature = "tower")]
mod tower;

pub use deviation::Deviation;
pub use exception::ExceptionSignal;
pub use filter::skip_own_events;
pub use metrics::OtelMetrics;
pub use operation::{Domain, Kind, Operation, Outcome};
pub use recorder::{Recorder, record, set_logger_provider};
pub use target::Target;
#[cfg(feature = "tower")]
pub use tower::{AttemptLayer, Otel, OtelLayer, RecordRetries, SpanMode, future};

/// Opens a `tracing` span for a [`Recorder`]'s operation (or an
/// [`OtelLayer`](crate::OtelLayer)'s): at INFO, with `otel.name` and `otel.kind` from the
/// operation, and the `tracing` fields you add after it.
///
/// The span kind is then given once, in the operation: the span is exported with the kind
/// the recorder judges by (a server's span for a server recorder), where a hand-written
/// `otel.kind` could disagree with the recorder and nothing would notice.
///
/// ```
/// use std::sync::LazyLock;
/// use error_core::Error;
/// use error_otel::{Operation, Outcome, Recorder};
///
/// static PUT: LazyLock<Recorder> = LazyLock::new(|| Recorder::new(Operation::RPC_SERVER));
///
/// let span = error_otel::operation_span!(PUT, rpc.method = "Put");
/// assert_eq!(PUT.record(&span, &Error::invalid("key is empty")), Outcome::ClientFault);
/// ```
///
/// It is `operation_span!`, not `span!`: `tracing::span!` takes a level and a name, and a
/// macro of the same name with another syntax would read as tracing's and fail to compile
/// (or, imported with a glob, shadow it).
#[macro_export]
macro_rules! operation_span {
    ($recorder:expr $(,)?) => {{
        let operation: &$crate::Operation = $recorder.operation();
        $crate::__private::tracing::info_span!(
            "operation",
            otel.name = operation.name(),
            otel.kind = operation.kind().as_str(),
        )
    }};
    ($recorder:expr, $($fields:tt)+) => {{
        let operation: &$crate::Operation = $recorder.operation();
        $crate::__private::tracing::info_span!(
            "operation",
            otel.name = operation.name(),
            otel.kind = operation.kind().as_str(),
            $($fields)*
        )
    }};
}

#[doc(hidden)]
pub mod __private {
    pub use tracing;
}
