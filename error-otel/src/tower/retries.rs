//! [`RecordRetries`]: the retry layer's hooks, recording on the call's span.

use error_tower::retry::{GiveUpEvent, GiveUpReason, OnGiveUp, OnRetry, RetryEvent};
use opentelemetry::KeyValue;

use crate::target::Target as _;
use crate::{OtelMetrics, semconv};

/// Records `error_tower`'s retries on the current span, which is the
/// [`OtelLayer`](super::OtelLayer)'s when the retry layer is inside it.
///
/// - Before each retry: a span event [`classified.retry`](semconv::RETRY_EVENT) with the
///   attempt that failed, its class, its code and the delay, and one count on the retry
///   counter when metrics are set.
/// - When a failed call is given up after at least one retry, or for a reason other than
///   its class: the reason, as [`classified.give_up`](semconv::GIVE_UP) on the span. A
///   first attempt failing with a class that is never retried is the common case, and adds
///   nothing.
///
/// The retries are not failures of the call: nothing here sets `error.type` or the status.
#[derive(Clone, Debug, Default)]
pub struct RecordRetries {
    metrics: Option<OtelMetrics>,
}

impl RecordRetries {
    /// Hooks that count retries on `metrics`, if given.
    #[must_use]
    pub fn new(metrics: Option<OtelMetrics>) -> RecordRetries {
        RecordRetries { metrics }
    }
}

impl OnRetry for RecordRetries {
    fn on_retry(&self, event: &RetryEvent) {
        if let Some(metrics) = &self.metrics {
            metrics.record_retry(event.class, event.code);
        }
        tracing::Span::current().with_recording_span(&mut |span| {
            span.add_event(
                semconv::RETRY_EVENT,
                vec![
                    KeyValue::new(semconv::ATTEMPT, i64::from(event.attempt)),
                    KeyValue::new(semconv::CLASS, event.class.as_str()),
                    KeyValue::new(semconv::CODE, event.code),
                    KeyValue::new(semconv::DELAY, event.delay.as_secs_f64()),
                ],
            );
        });
    }
}

impl OnGiveUp for RecordRetries {
    fn on_give_up(&self, event: &GiveUpEvent) {
        if event.attempts == 1 && event.reason == GiveUpReason::Class {
            return;
        }
        tracing::Span::current().with_recording_span(&mut |span| {
            span.set_attribute(KeyValue::new(semconv::GIVE_UP, event.reason.as_str()));
        });
    }
}
