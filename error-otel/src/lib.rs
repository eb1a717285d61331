//! Records [`ClassifiedError`](error_core::ClassifiedError)s on `tracing` and OpenTelemetry
//! spans, logs and metrics, exactly as the OpenTelemetry semantic conventions say:
//! `error.type` from the error's stable code, the span status set once, exceptions as span
//! events or log records.
//!
//! Not yet implemented: this crate reserves its place in the workspace, so that its
//! dependencies (on `error-core`, never the reverse) are fixed from the start.
