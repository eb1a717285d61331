//! The `otel_export` example's scenario, recorded into the SDK's in-memory exporters: the
//! layer changes nothing the client sees, and the export tells the same story as the
//! report, call for call.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use error_core::Class;
use error_otel::{ExceptionSignal, Operation, OtelLayer, Recorder};
use examples::tower_retry::{describe, simulate, simulate_traced};
use opentelemetry::trace::{Status, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn the_traced_scenario_exports_one_span_per_call_with_its_retries() {
    let spans = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let layer = tracing_opentelemetry::layer()
        .with_tracer(provider.tracer("test"))
        .with_filter(error_otel::skip_own_events());
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    let otel = OtelLayer::new(Operation::RPC_CLIENT).recorder(
        Recorder::new(Operation::RPC_CLIENT).exception_signal(ExceptionSignal::SpanEvent),
    );

    let traced = simulate_traced(Some(otel)).unwrap();
    // Recording changes nothing the client or the cluster sees.
    assert_eq!(describe(&traced), describe(&simulate().unwrap()));

    provider.force_flush().unwrap();
    let spans = spans.get_finished_spans().unwrap();
    let calls: u64 = traced.iter().map(|report| report.calls).sum();
    let failures: u64 = traced
        .iter()
        .map(examples::tower_retry::PhaseReport::failures)
        .sum();
    let retries: u64 = traced
        .iter()
        .flat_map(|report| report.retries.values())
        .sum();
    assert_eq!(spans.len() as u64, calls);
    let count = |f: &dyn Fn(&opentelemetry_sdk::trace::SpanData) -> usize| -> u64 {
        spans.iter().map(|span| f(span) as u64).sum()
    };
    let with_error_type = count(&|span| {
        usize::from(
            span.attributes
                .iter()
                .any(|kv| kv.key.as_str() == "error.type"),
        )
    });
    let red = count(&|span| usize::from(matches!(span.status, Status::Error { .. })));
    let exceptions = count(&|span| span.events.iter().filter(|e| e.name == "exception").count());
    let retry_events = count(&|span| {
        span.events
            .iter()
            .filter(|e| e.name == "classified.retry")
            .count()
    });
    assert_eq!(
        (with_error_type, red, exceptions, retry_events),
        (failures, failures, failures, retries)
    );
    assert!(failures > 0 && retries > 0);
    // Each failed read is an RPC client failure: `error.type` is the returned status code
    // string, the one in `rpc.response.status_code`, and the error's code is in
    // `classified.code`.
    let value = |span: &opentelemetry_sdk::trace::SpanData, key: &str| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.to_string())
    };
    for span in spans
        .iter()
        .filter(|span| value(span, "error.type").is_some())
    {
        let status_code = value(span, "rpc.response.status_code");
        assert!(status_code.is_some(), "{span:?}");
        assert_eq!(value(span, "error.type"), status_code, "{span:?}");
        assert!(value(span, "classified.code").is_some(), "{span:?}");
    }
    assert!(
        traced
            .iter()
            .any(|report| report.retries_of(Class::Redirect) > 0)
    );
}
