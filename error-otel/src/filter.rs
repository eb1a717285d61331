//! Keeping the recorder's own `tracing` event out of the OpenTelemetry layers.
//!
//! [`record`](crate::record) writes the span's attributes, status and exception itself. A
//! [`Recorder`](crate::Recorder) can also emit a `tracing` event at the error's level for
//! the log layers (`fmt`, a file, a journal), when [turned
//! on](crate::Recorder::tracing_event); it is off by default. tracing-opentelemetry turns
//! every event inside a span into a span event named after the event's message, and sets
//! an `Error` status for an ERROR event: the exception would show twice, under a
//! high-cardinality name, and the event's fields would be formatted even for spans that
//! are not sampled. Filtering the event out of the OpenTelemetry layer keeps one record per
//! error, and keeps unsampled spans free. The opentelemetry-appender-tracing layer wants
//! the same filter when the exceptions already go to logs.

use tracing::Metadata;
use tracing_subscriber::filter::FilterFn;

/// A per-layer filter that lets every event and span through but the recorder's own
/// events (target [`error_otel`](crate::semconv::EVENT_TARGET)).
///
/// ```
/// use tracing_subscriber::Layer as _;
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// # let layer = tracing_subscriber::layer::Identity::new();
/// // `layer` is the tracing-opentelemetry layer, in a real program.
/// let subscriber = tracing_subscriber::registry().with(layer.with_filter(error_otel::skip_own_events()));
/// # drop(subscriber);
/// ```
#[must_use]
pub fn skip_own_events() -> FilterFn<fn(&Metadata<'_>) -> bool> {
    FilterFn::new(not_own_event)
}

fn not_own_event(metadata: &Metadata<'_>) -> bool {
    !(metadata.is_event() && metadata.target() == crate::semconv::EVENT_TARGET)
}
