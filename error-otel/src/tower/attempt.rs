//! [`AttemptLayer`]: one span per physical attempt, for HTTP clients.
//!
//! The HTTP conventions want a span per request actually sent, and
//! `http.request.resend_count` on each resend. The attempt layer sits inside the retry
//! layer, so it sees every attempt but cannot tell the first from a resend on its own.
//! The [`OtelLayer`](super::OtelLayer) outside the retry layer keeps a count per logical
//! call and makes it reachable, for the duration of each of its polls, from a
//! thread-local: the retry layer sends its attempts from inside those polls, on the same
//! thread, so the attempt layer reads the count of the call it belongs to. An attempt
//! layer with no [`OtelLayer`] outside it opens its spans without the count.

use core::cell::Cell;
use core::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use tower_layer::Layer;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::layer::{Otel, OtelLayer, Shared, SpanMode};
use crate::{Operation, OtelMetrics, Recorder, semconv};

thread_local! {
    static CURRENT: Cell<Option<Attempts>> = const { Cell::new(None) };
}

/// The attempts of one logical call, counted by the attempt layers inside it.
#[derive(Clone, Debug, Default)]
pub(super) struct Attempts(Arc<AtomicU32>);

impl Attempts {
    /// Runs `f` with this call's count reachable by the attempt layers it calls.
    pub(super) fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Attempts>);
        impl Drop for Restore {
            fn drop(&mut self) {
                CURRENT.with(|current| current.set(self.0.take()));
            }
        }
        let _restore = Restore(CURRENT.with(|current| current.replace(Some(self.clone()))));
        f()
    }
}

/// Counts an attempt of the current call, and marks `span` as a resend when it is one.
pub(super) fn start_attempt(span: &tracing::Span) {
    CURRENT.with(|current| {
        let attempts = current.take();
        if let Some(attempts) = &attempts {
            let sent = attempts.0.fetch_add(1, Ordering::Relaxed);
            if sent > 0 {
                span.set_attribute(semconv::HTTP_REQUEST_RESEND_COUNT, i64::from(sent));
            }
        }
        current.set(attempts);
    });
}

/// Opens one span per physical attempt, with `http.request.resend_count` on resends, and
/// records each attempt's outcome on it. Put it inside the retry layer, with an
/// [`OtelLayer`] outside.
///
/// ```
/// use error_otel::{AttemptLayer, Operation, OtelLayer};
/// use error_tower::retry::RetryLayer;
/// use tower::ServiceBuilder;
///
/// let stack = ServiceBuilder::new()
///     .layer(OtelLayer::new(Operation::HTTP_CLIENT.with_kind(error_otel::Kind::Internal)))
///     .layer(RetryLayer::new())
///     .layer(AttemptLayer::new(Operation::HTTP_CLIENT));
/// # drop(stack);
/// ```
#[derive(Clone, Debug)]
pub struct AttemptLayer {
    inner: OtelLayer,
}

impl AttemptLayer {
    /// Attempt spans of `operation`.
    #[must_use]
    pub fn new(operation: Operation) -> AttemptLayer {
        AttemptLayer {
            inner: OtelLayer::from_shared(Shared {
                recorder: Recorder::new(operation),
                metrics: None,
                mode: SpanMode::New,
                per_attempt: true,
            }),
        }
    }

    /// Records with `recorder` (its operation replaces the layer's).
    #[must_use]
    pub fn recorder(self, recorder: Recorder) -> AttemptLayer {
        AttemptLayer {
            inner: self.inner.recorder(recorder),
        }
    }

    /// Records each attempt's duration: the HTTP client duration histogram counts
    /// physical requests.
    #[must_use]
    pub fn metrics(self, metrics: OtelMetrics) -> AttemptLayer {
        AttemptLayer {
            inner: self.inner.metrics(metrics),
        }
    }
}

impl<S> Layer<S> for AttemptLayer {
    type Service = Otel<S>;

    fn layer(&self, inner: S) -> Otel<S> {
        self.inner.layer(inner)
    }
}
