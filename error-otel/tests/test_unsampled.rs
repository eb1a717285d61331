//! Recording on a span that is not sampled formats nothing and allocates nothing.
//!
//! The counting allocator is `allocation-counter`'s (the workspace forbids `unsafe_code`);
//! `allocation_counter::measure` counts the current thread's allocations only.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use error_core::ClassifiedError;
use error_otel::{Operation, Outcome, Recorder};
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

#[test]
fn recording_on_an_unsampled_span_allocates_nothing() {
    let provider = SdkTracerProvider::builder()
        .with_sampler(Sampler::AlwaysOff)
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("test"))
        .with_filter(error_otel::skip_own_events());
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));

    let error = GetError::NodeDown {
        node: 2,
        key: "user/42".into(),
    };
    // The default, and with the `tracing` event on, which the filter keeps out of the
    // OpenTelemetry layer.
    for recorder in [
        Recorder::new(Operation::RPC_CLIENT),
        Recorder::new(Operation::RPC_CLIENT).tracing_event(true),
    ] {
        let span = tracing::info_span!("get");
        // The first use builds the OpenTelemetry span behind the tracing span (a cost
        // every span pays once, recorded on or not).
        assert_eq!(recorder.record(&span, &error), Outcome::Failure);

        let ours = allocation_counter::measure(|| {
            for _ in 0..100 {
                assert_eq!(recorder.record(&span, &error), Outcome::Failure);
            }
        });
        assert_eq!(ours.count_total, 0, "{recorder:?}: {ours:?}");
    }

    // The same error recorded by hand is formatted, into a span event the span drops.
    let span = tracing::info_span!("get");
    let by_hand = allocation_counter::measure(|| {
        for _ in 0..100 {
            tracing::error!(parent: &span, error = %error, "call failed");
        }
    });
    assert!(by_hand.count_total >= 100, "{by_hand:?}");
}
