//! The duration histogram and the retry counter.
//!
//! The conventions ask for one duration histogram per kind of operation, successes and
//! failures together, with `error.type` only on failures: the error rate is then a ratio
//! of two series of the same instrument, and no second "errors" counter can drift from
//! it. Retries get a counter of our own, since the conventions have none.
//!
//! A point's `error.type` is the span's: the value [`Recorder::error_type`] gives, which
//! [`OtelLayer`](crate::OtelLayer) passes for you. The histogram holds the attributes the
//! conventions give it and no more: the error's own code, on the span in
//! `classified.code`, is not a label here, so that the series are the ones any other
//! instrumentation of the same operation would make. The retry counter, ours, counts by
//! class and code.
//!
//! Instruments are created once, in [`OtelMetrics::new`]; recording a point passes a slice
//! of static attributes and allocates nothing of ours.

use core::time::Duration;

use error_core::Class;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};

#[cfg(doc)]
use crate::Recorder;
use crate::operation::Operation;
use crate::semconv;

/// An operation's duration histogram and retry counter, as OpenTelemetry instruments.
///
/// It is `OtelMetrics`, as the layer is [`OtelLayer`](crate::OtelLayer), because
/// `error_tower::metrics::Metrics` (the retry and breaker hooks that record through the
/// `metrics` facade, for Prometheus) is the other half of a common setup: a service that
/// exports both imports both, and the two names must not collide. error-tower's keeps the
/// plain name, the one its module and the facade crate give it.
///
/// ```
/// use std::time::Duration;
/// use error_core::Error;
/// use error_otel::{OtelMetrics, Operation, Recorder};
///
/// let meter = opentelemetry::global::meter("my-service");
/// let metrics = OtelMetrics::new(&meter, &Operation::RPC_CLIENT);
/// metrics.record_success(Duration::from_millis(12));
///
/// // A failure: `error.type` as on the span.
/// let recorder = Recorder::new(Operation::RPC_CLIENT);
/// let error = Error::transient("node 2 is down");
/// metrics.record(Duration::from_millis(30), recorder.error_type(Some(&error)));
/// ```
#[derive(Clone, Debug)]
pub struct OtelMetrics {
    duration: Histogram<f64>,
    retries: Counter<u64>,
}

impl OtelMetrics {
    /// Creates the operation's instruments on `meter`:
    /// [`duration_metric()`](Operation::duration_metric), in seconds with the conventions'
    /// [bucket boundaries](semconv::DURATION_BOUNDARIES), and
    /// [`classified.retries`](semconv::RETRIES_METRIC).
    #[must_use]
    pub fn new(meter: &Meter, operation: &Operation) -> OtelMetrics {
        let duration = meter
            .f64_histogram(operation.duration_metric())
            .with_unit("s")
            .with_description("Duration of the operation, failures included.")
            .with_boundaries(semconv::DURATION_BOUNDARIES.to_vec())
            .build();
        let retries = meter
            .u64_counter(semconv::RETRIES_METRIC)
            .with_unit("{retry}")
            .with_description("Retries made, by the class and code of the failed attempt.")
            .build();
        OtelMetrics { duration, retries }
    }

    /// Records a call that succeeded: a point without `error.type`.
    pub fn record_success(&self, elapsed: Duration) {
        self.record(elapsed, None);
    }

    /// Records a call that ended, with `error_type` when it failed: pass what
    /// [`Recorder::error_type`] gives for the call's error, so that the point and the span
    /// agree (a client's mistake on a server and a cancellation give `None`).
    pub fn record(&self, elapsed: Duration, error_type: Option<&'static str>) {
        match error_type {
            Some(error_type) => self.duration.record(
                elapsed.as_secs_f64(),
                &[KeyValue::new(semconv::ERROR_TYPE, error_type)],
            ),
            None => self.duration.record(elapsed.as_secs_f64(), &[]),
        }
    }

    /// Counts one retry of an attempt that failed with `class` and `code`.
    pub fn record_retry(&self, class: Class, code: &'static str) {
        self.retries.add(
            1,
            &[
                KeyValue::new(semconv::CLASS, class.as_str()),
                KeyValue::new(semconv::CODE, code),
            ],
        );
    }
}
