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
//! | which error | `error.type` on the span and the duration histogram | the error's `code()` |
//! | what it says | the span status's description, `exception.message` | the top-level `Display` |
//! | what caused it | `exception.stacktrace` | the chain's report, then a backtrace or span trace |
//! | what to do | `classified.class`, `classified.retriable`, `classified.retry_after` | the class and hint |
//! | how often | `{operation}.duration` with `error.type` on failures | [`Metrics`] |
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
//! # The values of `error.type`
//!
//! `error.type` is always one of a closed, documented set, never a message:
//! - the codes of your derived errors: `"Enum::Variant"` for an enum's variant, `"Struct"`
//!   for a struct, or the `code = "..."` you gave;
//! - for an ad-hoc `error_core::Error`, its class's name (`"transient"`, `"busy"`, …) or
//!   the code set with `with_code`;
//! - for a `std::io::Error`, the code `error_core::io_class` gives its kind (or the code
//!   of the classified error it wraps);
//! - from `error_tower`: `"timeout"` (a per-attempt timeout elapsed) and `"breaker.open"`
//!   (the circuit breaker refused the call);
//! - `_OTHER` for an error whose chain holds no classification at all.
//!
//! # Decisions where the conventions leave a choice
//!
//! - The RPC status attribute is `rpc.response.status_code` (v1.44.0's name), in
//!   [`semconv::RPC_STATUS_CODE`] and nowhere else.
//! - `error.type` is the code for HTTP too, which the conventions allow as a "component
//!   identifier"; `http.response.status_code` holds the number.
//! - Our own attributes are under `classified.`; durations in them are seconds, as
//!   OpenTelemetry's own.
//! - `exception.type` is the Rust type path (`core::any::type_name`) of the error, or of
//!   the typed error inside an `error_core::Error`. An unclassified foreign error has no
//!   type we can name, so it gets `exception.message` only, which the conventions allow.
//! - A server that sees a client's mistake still records the exception, as a DEBUG log
//!   record when exceptions go to logs ("something that is not really an issue").
//! - The `tracing` event at the error's level has target `error_otel`; keep it out of the
//!   OpenTelemetry layers with [`skip_own_events`], so that the exception is recorded once.

mod exception;
mod filter;
mod metrics;
mod operation;
mod recorder;
pub mod semconv;
mod target;
#[cfg(feature = "tower")]
mod tower;

pub use exception::ExceptionSignal;
pub use filter::skip_own_events;
pub use metrics::Metrics;
pub use operation::{Domain, Kind, Operation, Outcome};
pub use recorder::{Recorder, error_type, record};
pub use target::Target;
#[cfg(feature = "tower")]
pub use tower::{AttemptLayer, Otel, OtelLayer, RecordRetries, SpanMode, future};
