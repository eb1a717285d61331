//! The duration histogram and the retry counter.
//!
//! The conventions ask for one duration histogram per kind of operation, successes and
//! failures together, with `error.type` only on failures: the error rate is then a ratio
//! of two series of the same instrument, and no second "errors" counter can drift from
//! it. Retries get a counter of our own, since the conventions have none.
//!
//! Instruments are created once, in [`Metrics::new`]; recording a point passes a slice
//! of static attributes and allocates nothing of ours.

use core::time::Duration;

use error_core::{Class, ClassifiedError};
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};

use crate::operation::{Operation, Outcome};
use crate::semconv;

/// An operation's duration histogram and retry counter.
///
/// ```
/// use std::time::Duration;
/// use error_otel::{Metrics, Operation};
///
/// let meter = opentelemetry::global::meter("my-service");
/// let metrics = Metrics::new(&meter, &Operation::RPC_CLIENT);
/// metrics.record_success(Duration::from_millis(12));
/// ```
#[derive(Clone, Debug)]
pub struct Metrics {
    operation: Operation,
    duration: Histogram<f64>,
    retries: Counter<u64>,
}

impl Metrics {
    /// Creates the operation's instruments on `meter`:
    /// [`duration_metric()`](Operation::duration_metric), in seconds with the conventions'
    /// [bucket boundaries](semconv::DURATION_BOUNDARIES), and
    /// [`classified.retries`](semconv::RETRIES_METRIC).
    #[must_use]
    pub fn new(meter: &Meter, operation: &Operation) -> Metrics {
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
        Metrics {
            operation: *operation,
            duration,
            retries,
        }
    }

    /// Records a call that succeeded.
    pub fn record_success(&self, elapsed: Duration) {
        self.duration.record(elapsed.as_secs_f64(), &[]);
    }

    /// Records a call that ended with `error`: with `error.type` as on the span, unless the
    /// operation judges it a cancellation, which is no error.
    pub fn record_error(&self, elapsed: Duration, error: Option<&dyn ClassifiedError>) {
        let cancelled =
            error.is_some_and(|error| self.operation.judge(error) == Outcome::Cancelled);
        if cancelled {
            self.record_success(elapsed);
        } else {
            let error_type = crate::recorder::error_type(error);
            self.duration.record(
                elapsed.as_secs_f64(),
                &[KeyValue::new(semconv::ERROR_TYPE, error_type)],
            );
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
