//! What an error can be recorded on: a `tracing` span or a native OpenTelemetry span.
//!
//! Both paths end at the same place, the OpenTelemetry span: a `tracing::Span` is
//! reached through tracing-opentelemetry's [`OpenTelemetrySpanExt::context`], which hands
//! back the span it built, and the attributes, status and events are written to that
//! span directly. Nothing goes through the `otel.status_code` / `otel.status_description`
//! fields, so the order trap of those fields (the description is dropped when it is
//! declared first) cannot happen, and the status is set exactly once.

use opentelemetry::Context;
use opentelemetry::trace::{SpanRef, TraceContextExt as _};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

mod sealed {
    pub trait Sealed {}
    impl Sealed for tracing::Span {}
    impl Sealed for opentelemetry::trace::SpanRef<'_> {}
    impl Sealed for opentelemetry::Context {}
}

/// A span an error can be recorded on: a [`tracing::Span`], an OpenTelemetry
/// [`SpanRef`], or the span of a [`Context`].
///
/// A native span you own is recorded on through its context:
/// `record(&Context::current_with_span(span).span(), &err)`, or
/// `get_active_span(|span| record(&span, &err))` for the active one.
pub trait Target: sealed::Sealed {
    /// Calls `f` with the OpenTelemetry span, if there is one that records. A disabled
    /// tracing span, a span that is not sampled and a tracing span with no OpenTelemetry
    /// layer behind it all skip `f`.
    #[doc(hidden)]
    fn with_recording_span(&self, f: &mut dyn FnMut(&SpanRef<'_>));

    /// The tracing span the event at the error's level belongs to.
    #[doc(hidden)]
    fn tracing_span(&self) -> Option<&tracing::Span> {
        None
    }
}

impl Target for tracing::Span {
    fn with_recording_span(&self, f: &mut dyn FnMut(&SpanRef<'_>)) {
        if self.is_disabled() {
            return;
        }
        let cx = self.context();
        let span = cx.span();
        if span.is_recording() {
            f(&span);
        }
    }

    fn tracing_span(&self) -> Option<&tracing::Span> {
        Some(self)
    }
}

impl Target for SpanRef<'_> {
    fn with_recording_span(&self, f: &mut dyn FnMut(&SpanRef<'_>)) {
        if self.is_recording() {
            f(self);
        }
    }
}

impl Target for Context {
    fn with_recording_span(&self, f: &mut dyn FnMut(&SpanRef<'_>)) {
        self.span().with_recording_span(f);
    }
}
