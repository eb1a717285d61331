//! Prometheus-style metrics of classified errors through the [`metrics`] facade
//! (feature `metrics`): errors by class and code, retries, give-ups, the breaker's
//! transitions and state, and call and attempt durations.
//!
//! Many Rust services export metrics with the `metrics` crate and an exporter such as
//! `metrics-exporter-prometheus`, not with OpenTelemetry (for that, see `error-otel`, whose
//! instruments are `error_otel::OtelMetrics`, named apart from this [`Metrics`]). This
//! module records through the facade, so whichever recorder the application installed
//! gets them:
//!
//! - [`Metrics`] is a cloneable handle with the service's name. It *is* the retry layer's
//!   [`OnRetry`] and [`OnGiveUp`] hooks and
//!   the breaker's [`OnStateChange`] hook, and
//!   [`Metrics::record_error`] counts an error recorded by hand.
//! - [`MeasureLayer`] times each call ([`MeasureLayer::calls`], outside the retry layer)
//!   or each attempt ([`MeasureLayer::attempts`], inside it), and counts the calls that
//!   fail by class and code.
//!
//! ```
//! use error_tower::breaker::BreakerLayer;
//! use error_tower::metrics::{MeasureLayer, Metrics};
//! use error_tower::retry::RetryLayer;
//! use tower::ServiceBuilder;
//!
//! // After installing the recorder (here there is none, so it describes nothing):
//! Metrics::describe();
//! let metrics = Metrics::new("inventory");
//! let backend = tower::service_fn(|_: ()| async { Ok::<_, error_core::Error>(()) });
//! let client = ServiceBuilder::new()
//!     .layer(MeasureLayer::calls(metrics.clone()))
//!     .layer(RetryLayer::new().assume_idempotent().on_retry(metrics.clone()).on_give_up(metrics.clone()))
//!     .layer(MeasureLayer::attempts(metrics.clone()))
//!     .layer(BreakerLayer::new().on_state_change(metrics.clone()))
//!     .service(backend);
//! # drop(client);
//! ```
//!
//! # The catalogue
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `classified_errors_total` | counter | `service`, `class`, `code` | calls that failed, as [`MeasureLayer::calls`] saw them (after retries), and errors given to [`Metrics::record_error`] |
//! | `classified_retries_total` | counter | `service`, `class` | retries, by the class of the attempt that failed |
//! | `classified_give_ups_total` | counter | `service`, `reason` | failed calls the retry layer did not retry (again), by [`GiveUpReason`](crate::retry::GiveUpReason) (`exhausted`, `budget`, `deadline`, `class`, …): every call the hook hears, a first attempt whose class is never retried included |
//! | `classified_breaker_transitions_total` | counter | `service`, `reason` | breaker transitions, by what caused them (table below) |
//! | `classified_breaker_state` | gauge | `service` | 0 closed, 1 half-open, 2 open; forced open is 2 and forced closed 0 (what callers get), so that `> 0` means "not every call goes through" |
//! | `classified_call_duration_seconds` | histogram | `service`, and `class` on failures | the duration of each call through [`MeasureLayer::calls`] |
//! | `classified_attempt_duration_seconds` | histogram | `service`, and `class` on failures | the duration of each attempt through [`MeasureLayer::attempts`] |
//!
//! A transition's `reason`:
//!
//! | from → to | `reason` |
//! |---|---|
//! | closed → open | `tripped` |
//! | open → half-open | `interval_elapsed` |
//! | half-open → closed | `probes_succeeded` |
//! | half-open → open | `probe_failed` |
//! | any → forced open | `forced_open` |
//! | any → forced closed | `forced_closed` |
//! | forced → any (released) | `released` |
//!
//! # Labels: bounded by construction
//!
//! The only labels are `service` (the name given to [`Metrics::new`], once per handle),
//! `class` (the ten class names, and `unclassified` for an error with no class), `code`
//! (an error's [`code`](error_core::ClassifiedError::code): a `&'static str` per kind of
//! error, or `unclassified`) and `reason` (the closed sets above). Never a message, a
//! field's value, a URL or an id: a label whose values grow with traffic makes a series per
//! value, which is what brings a Prometheus server down. Injected faults
//! (`error_tower::fault`, feature `fault`) have codes under `fault.`, so they are told
//! apart from real errors by the `code` label.
//!
//! # Names and units
//!
//! Names follow Prometheus's conventions: a `classified_` prefix (a namespace, as the
//! `classified.` attributes of `error-otel`), counters end in `_total`, durations are in
//! seconds and end in `_seconds`. [`Metrics::describe`] gives the recorder each one's help
//! text and unit; call it after installing the recorder.
//!
//! `metrics-exporter-prometheus` renders a histogram as a Prometheus *summary* unless it
//! is given buckets: give them with `PrometheusBuilder::set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &[...])`.

mod layer;

pub mod future;

use std::sync::Arc;

use error_core::{Class, ClassifiedError};
use metrics::SharedString;

use crate::breaker::{OnStateChange, State, StateChange};
use crate::retry::{GiveUpEvent, OnGiveUp, OnRetry, RetryEvent};

pub use self::layer::{Measure, MeasureLayer};

/// `classified_errors_total`: failed calls, by class and code.
pub const ERRORS: &str = "classified_errors_total";
/// `classified_retries_total`: retries, by class.
pub const RETRIES: &str = "classified_retries_total";
/// `classified_give_ups_total`: failed calls not retried (again), by reason.
pub const GIVE_UPS: &str = "classified_give_ups_total";
/// `classified_breaker_transitions_total`: breaker transitions, by reason.
pub const BREAKER_TRANSITIONS: &str = "classified_breaker_transitions_total";
/// `classified_breaker_state`: 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATE: &str = "classified_breaker_state";
/// `classified_call_duration_seconds`: the duration of each call.
pub const CALL_DURATION: &str = "classified_call_duration_seconds";
/// `classified_attempt_duration_seconds`: the duration of each attempt.
pub const ATTEMPT_DURATION: &str = "classified_attempt_duration_seconds";

/// The `class` and `code` label value of an error with no classification.
pub const UNCLASSIFIED: &str = "unclassified";

/// Records classified errors, retries, give-ups and breaker transitions for one service
/// through the `metrics` facade. See the [module documentation](self) for the catalogue.
///
/// Clones share the service name. It is the retry layer's `on_retry` and `on_give_up`
/// hook, and the breaker's `on_state_change` hook.
#[derive(Clone, Debug)]
pub struct Metrics {
    service: Arc<str>,
}

impl Metrics {
    /// Metrics labelled `service="{service}"`. The name is the one label value you choose:
    /// keep it a fixed name per service (or per backend a client calls).
    #[must_use]
    pub fn new(service: impl Into<Arc<str>>) -> Metrics {
        Metrics {
            service: service.into(),
        }
    }

    /// The service name.
    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }

    fn service_label(&self) -> SharedString {
        SharedString::from(Arc::clone(&self.service))
    }

    /// Describes the seven metrics of the catalogue to the `metrics` recorder in use: each
    /// one's help text (Prometheus's `# HELP` line), and its unit where it has one
    /// (`Count` for the counters, `Seconds` for the two histograms; the state gauge has
    /// none).
    ///
    /// The recorder in use is the one the `metrics` facade finds at the call: the thread's
    /// (`metrics::with_local_recorder`) if one is set, else the global one. Called before
    /// a recorder is installed, the descriptions go to the facade's no-op recorder and are
    /// lost, and nothing says so: call it after installing the recorder (calling it again
    /// is harmless, the descriptions are the same).
    ///
    /// It takes no `self`: a description is of a metric's name, not of a service, so one
    /// call serves every `Metrics` handle, whatever its `service` label.
    pub fn describe() {
        use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
        describe_counter!(ERRORS, Unit::Count, "Failed calls, by class and code.");
        describe_counter!(
            RETRIES,
            Unit::Count,
            "Retries, by the class of the failed attempt."
        );
        describe_counter!(
            GIVE_UPS,
            Unit::Count,
            "Failed calls the retry layer did not retry, by reason."
        );
        describe_counter!(
            BREAKER_TRANSITIONS,
            Unit::Count,
            "Circuit breaker transitions, by reason."
        );
        describe_gauge!(
            BREAKER_STATE,
            "Circuit breaker state: 0 closed, 1 half-open, 2 open."
        );
        describe_histogram!(CALL_DURATION, Unit::Seconds, "Duration of each call.");
        describe_histogram!(ATTEMPT_DURATION, Unit::Seconds, "Duration of each attempt.");
    }

    /// Counts `error` in `classified_errors_total`, by its class and code.
    pub fn record_error(&self, error: &(dyn ClassifiedError + '_)) {
        self.count_error(Some((error.class(), error.code())));
    }

    /// Counts a failed call: its class and code, or `unclassified`.
    pub(crate) fn count_error(&self, failure: Option<(Class, &'static str)>) {
        let (class, code) = failure.map_or((UNCLASSIFIED, UNCLASSIFIED), |(class, code)| {
            (class.as_str(), code)
        });
        metrics::counter!(ERRORS, "service" => self.service_label(), "class" => class, "code" => code)
            .increment(1);
    }

    /// Sets `classified_breaker_state` to `state`: call it once with the breaker's state
    /// when it is made (the hook sets it at each transition after that).
    pub fn breaker_state(&self, state: State) {
        metrics::gauge!(BREAKER_STATE, "service" => self.service_label()).set(state_value(state));
    }
}

/// The gauge's value for `state`: what callers get.
fn state_value(state: State) -> f64 {
    match state {
        State::Closed | State::ForcedClosed => 0.0,
        State::HalfOpen => 1.0,
        State::Open | State::ForcedOpen => 2.0,
    }
}

/// The `reason` label of a transition.
fn transition_reason(change: StateChange) -> &'static str {
    match (change.from, change.to) {
        (_, State::ForcedOpen) => "forced_open",
        (_, State::ForcedClosed) => "forced_closed",
        (State::ForcedOpen | State::ForcedClosed, _) => "released",
        (State::HalfOpen, State::Open) => "probe_failed",
        (_, State::HalfOpen) => "interval_elapsed",
        (_, State::Closed) => "probes_succeeded",
        // From closed, the only way in that is not forced.
        (_, State::Open) => "tripped",
    }
}

impl OnRetry for Metrics {
    fn on_retry(&self, event: &RetryEvent) {
        metrics::counter!(RETRIES, "service" => self.service_label(), "class" => event.class.as_str())
            .increment(1);
    }
}

impl OnGiveUp for Metrics {
    fn on_give_up(&self, event: &GiveUpEvent) {
        metrics::counter!(GIVE_UPS, "service" => self.service_label(), "reason" => event.reason.as_str())
            .increment(1);
    }
}

impl OnStateChange for Metrics {
    fn on_state_change(&self, change: &StateChange) {
        metrics::counter!(
            BREAKER_TRANSITIONS,
            "service" => self.service_label(),
            "reason" => transition_reason(*change)
        )
        .increment(1);
        self.breaker_state(change.to);
    }
}
