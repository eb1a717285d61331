//! The cost of recording an error on a span that is not sampled, compared in the same run
//! with what a user writes by hand: `tracing::error!(parent: &span, error = %err, ...)`.
//!
//! The subscriber is the production shape: the tracing-opentelemetry layer over an SDK
//! tracer whose sampler drops every trace, with `error_otel::skip_own_events()` as its
//! filter. The span is made once; each iteration records one error on it.
//!
//! | name | what one iteration does |
//! |---|---|
//! | `by-hand` | `tracing::error!(parent: &span, error = %err, "call failed")` |
//! | `error-otel` | `Recorder::record(&span, &err)`, with the `tracing` event turned on (off by default) |
//!
//! By hand, the layer formats the event's fields into a span event that the unsampled
//! span then drops. `error-otel` asks the span whether it records first, and formats
//! nothing when it does not.

// Bench code: a failed unwrap is a broken bench, and a bench binary has no public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

#[path = "../../error-tower/benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use common::{Comparison, Mode, Routine, time};
use criterion::Criterion;
use error_core::ClassifiedError;
use error_otel::{Operation, Recorder};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum GetError {
    #[error("node is down, node={node}, key={key}")]
    #[class(transient)]
    NodeDown { node: u64, key: String },
}

type Variants = [(&'static str, Routine<'static>); 2];

/// A span whose OpenTelemetry span is built, as it is once a request has entered it: until
/// then tracing-opentelemetry keeps the span's events in a builder, and the by-hand
/// variant would measure a growing vector.
fn active_span() -> tracing::Span {
    let span = tracing::info_span!("get");
    drop(tracing_opentelemetry::OpenTelemetrySpanExt::context(&span));
    span
}

fn variants() -> Variants {
    let error = || GetError::NodeDown {
        node: 2,
        key: "user/42".into(),
    };
    let by_hand: Routine<'static> = {
        let error = error();
        let span = active_span();
        Box::new(move |iters| {
            time(iters, |_| {
                tracing::error!(parent: &span, error = %black_box(&error), "call failed");
            })
        })
    };
    let ours: Routine<'static> = {
        let error = error();
        let span = active_span();
        // The event on, as in the README's figures: the costlier configuration.
        let recorder = Recorder::new(Operation::RPC_CLIENT).tracing_event(true);
        Box::new(move |iters| {
            time(iters, |_| {
                black_box(recorder.record(&span, black_box(&error)));
            })
        })
    };
    [("by-hand", by_hand), ("error-otel", ours)]
}

fn main() {
    let mode = Mode::from_args();
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOff)
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("bench"))
        .with_filter(error_otel::skip_own_events());
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("record_unsampled");
    for (name, mut routine) in variants() {
        group.bench_function(name, |b| b.iter_custom(&mut routine));
    }
    group.finish();
    criterion.final_summary();

    let mut comparison = Comparison::new("recording an error on an unsampled span", "record");
    for (name, routine) in variants() {
        comparison = comparison.variant(name, routine);
    }
    comparison.ratio("error-otel", "by-hand").run(mode);
}
