//! The Tower layer: a span per call, the final outcome only, the retries as events, the
//! duration histogram and the retry counter.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use error_core::ClassifiedError;
use error_otel::{AttemptLayer, ExceptionSignal, Operation, OtelLayer, OtelMetrics, Recorder};
use error_tower::budget::Budget;
use error_tower::retry::RetryLayer;
use opentelemetry::Value;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{SpanKind, Status};
use support::backend::Backend;
use support::{HistogramPoint, Telemetry, attributes, counter, expect, histogram};
use tower::{Service, ServiceBuilder, ServiceExt as _};

fn layer(telemetry: &Telemetry) -> (OtelLayer, OtelMetrics) {
    let meter = telemetry.meter_provider.meter("test");
    let metrics = OtelMetrics::new(&meter, &Operation::RPC_CLIENT);
    let recorder =
        Recorder::new(Operation::RPC_CLIENT).exception_signal(ExceptionSignal::SpanEvent);
    let layer = OtelLayer::new(Operation::RPC_CLIENT)
        .recorder(recorder)
        .metrics(metrics.clone());
    (layer, metrics)
}

async fn call_with_retries(
    telemetry: &Telemetry,
    backend: &Backend,
    retry: RetryLayer,
) -> Result<u64, error_core::Error> {
    let (otel, _) = layer(telemetry);
    let service = ServiceBuilder::new()
        .layer(otel.around_retry(retry.assume_idempotent().seed(7)))
        .service(backend.service());
    service.oneshot(5).await
}

/// The retry events' attributes, in order, with the delay checked against the gap the
/// backend saw (the timer rounds a delay up to the next millisecond) and then removed.
fn retry_events(span: &opentelemetry_sdk::trace::SpanData, backend: &Backend) -> Vec<String> {
    let gaps = backend.gaps();
    span.events
        .iter()
        .filter(|event| event.name == "classified.retry")
        .zip(&gaps)
        .map(|(event, gap)| {
            let mut attributes = attributes(&event.attributes);
            let Some(Value::F64(delay)) = attributes.remove("classified.delay") else {
                panic!("no delay: {attributes:?}");
            };
            let delay = Duration::from_secs_f64(delay);
            assert!(
                gap.checked_sub(delay)
                    .is_some_and(|late| late < Duration::from_millis(1)),
                "{gap:?} {delay:?}"
            );
            format!("{attributes:?}")
        })
        .collect()
}

fn retry_event(attempt: i64) -> String {
    format!(
        "{:?}",
        expect([
            ("classified.attempt", Value::from(attempt)),
            ("classified.class", Value::from("transient")),
            ("classified.code", Value::from("BackendError::NodeDown")),
        ])
    )
}

#[tokio::test(start_paused = true)]
async fn a_call_that_succeeds_on_its_third_attempt_is_no_failure() {
    let telemetry = Telemetry::new();
    let backend = Backend::failing(2);
    let response = call_with_retries(&telemetry, &backend, RetryLayer::new()).await;
    assert_eq!(response.unwrap(), 5);
    assert_eq!(backend.calls(), 3);

    let span = telemetry.span();
    assert_eq!(span.name, "rpc.client.call");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::Unset);
    assert!(span.attributes.is_empty(), "{:?}", span.attributes);
    assert_eq!(span.events.len(), 2);
    assert_eq!(
        retry_events(&span, &backend),
        [retry_event(1), retry_event(2)]
    );

    let metrics = telemetry.metrics();
    assert_eq!(
        histogram(&metrics, "rpc.client.call.duration"),
        [HistogramPoint {
            attributes: expect([]),
            count: 1,
            bounds: error_otel::semconv::DURATION_BOUNDARIES.to_vec(),
        }]
    );
    assert_eq!(
        counter(&metrics, "classified.retries"),
        [(
            expect([
                ("classified.class", Value::from("transient")),
                ("classified.code", Value::from("BackendError::NodeDown")),
            ]),
            2
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn three_retries_are_three_events() {
    let telemetry = Telemetry::new();
    let backend = Backend::failing(3);
    let response = call_with_retries(&telemetry, &backend, RetryLayer::new()).await;
    assert_eq!(response.unwrap(), 5);
    assert_eq!(backend.calls(), 4);
    let span = telemetry.span();
    assert_eq!(span.status, Status::Unset);
    assert!(span.attributes.is_empty(), "{:?}", span.attributes);
    assert_eq!(
        retry_events(&span, &backend),
        [retry_event(1), retry_event(2), retry_event(3)]
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_that_exhausted_its_budget_is_a_failure_with_the_reason() {
    let telemetry = Telemetry::new();
    let backend = Backend::failing(u32::MAX);
    let budget = Budget::builder()
        .initial_balance(1)
        .min_per_sec(0)
        .build()
        .unwrap();
    let error = call_with_retries(&telemetry, &backend, RetryLayer::new().budget(budget))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "BackendError::NodeDown");
    assert_eq!(backend.calls(), 2);

    let span = telemetry.span();
    assert_eq!(span.status, Status::error("node is down, node=2"));
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("classified.give_up", Value::from("budget")),
            ("error.type", Value::from("UNAVAILABLE")),
            ("classified.code", Value::from("BackendError::NodeDown")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
            ("rpc.response.status_code", Value::from("UNAVAILABLE")),
            ("classified.field.node", Value::from("2")),
        ])
    );
    let names: Vec<_> = span.events.iter().map(|e| e.name.to_string()).collect();
    assert_eq!(names, ["classified.retry", "exception"]);
    assert_eq!(retry_events(&span, &backend), [retry_event(1)]);

    let metrics = telemetry.metrics();
    assert_eq!(
        histogram(&metrics, "rpc.client.call.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("UNAVAILABLE"))]),
            count: 1,
            bounds: error_otel::semconv::DURATION_BOUNDARIES.to_vec(),
        }]
    );
}

#[tokio::test(start_paused = true)]
async fn successes_and_failures_share_one_histogram() {
    let telemetry = Telemetry::new();
    let (otel, _) = layer(&telemetry);
    let backend = Backend::failing(1);
    let mut service = ServiceBuilder::new().layer(otel).service(backend.service());
    let first = service.ready().await.unwrap().call(1).await;
    let second = service.ready().await.unwrap().call(2).await;
    let third = service.ready().await.unwrap().call(3).await;
    assert_eq!(
        (first.is_err(), second.unwrap(), third.unwrap()),
        (true, 2, 3)
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.client.call.duration"),
        [
            HistogramPoint {
                attributes: expect([("error.type", Value::from("UNAVAILABLE"))]),
                count: 1,
                bounds: error_otel::semconv::DURATION_BOUNDARIES.to_vec(),
            },
            HistogramPoint {
                attributes: expect([]),
                count: 2,
                bounds: error_otel::semconv::DURATION_BOUNDARIES.to_vec(),
            },
        ]
    );
    let spans = telemetry.spans();
    let errors: Vec<_> = spans
        .iter()
        .map(|span| attributes(&span.attributes).get("error.type").cloned())
        .collect();
    assert_eq!(errors, [Some(Value::from("UNAVAILABLE")), None, None]);
}

#[tokio::test(start_paused = true)]
async fn http_attempts_get_a_span_each_and_a_resend_count() {
    let telemetry = Telemetry::new();
    let backend = Backend::failing(2);
    let recorder =
        |operation| Recorder::new(operation).exception_signal(ExceptionSignal::SpanEvent);
    let logical = Operation::HTTP_CLIENT.with_kind(error_otel::Kind::Internal);
    let otel = OtelLayer::new(logical).recorder(recorder(logical));
    let service = ServiceBuilder::new()
        .layer(otel)
        .layer(RetryLayer::new().assume_idempotent().seed(7))
        .layer(AttemptLayer::new(Operation::HTTP_CLIENT).recorder(recorder(Operation::HTTP_CLIENT)))
        .service(backend.service());
    assert_eq!(service.oneshot(9).await.unwrap(), 9);

    let spans = telemetry.spans();
    // Three attempt spans end before the logical one.
    let summary: Vec<_> = spans
        .iter()
        .map(|span| {
            let attributes = attributes(&span.attributes);
            (
                span.span_kind.clone(),
                attributes.get("http.request.resend_count").cloned(),
                attributes.get("error.type").cloned(),
                span.status.clone(),
            )
        })
        .collect();
    let failed = Some(Value::from("BackendError::NodeDown"));
    let red = Status::error("node is down, node=2");
    assert_eq!(
        summary,
        [
            (SpanKind::Client, None, failed.clone(), red.clone()),
            (SpanKind::Client, Some(Value::from(1_i64)), failed, red),
            (
                SpanKind::Client,
                Some(Value::from(2_i64)),
                None,
                Status::Unset
            ),
            (SpanKind::Internal, None, None, Status::Unset),
        ]
    );
    // The attempts are children of the logical call's span.
    let parent = spans[3].span_context.span_id();
    assert!(spans[..3].iter().all(|span| span.parent_span_id == parent));
}

/// A call that always fails, through `around_retry` of a retry layer with `deadline`, at
/// most 3 attempts, and hooks of its own: the backend's calls, what those hooks heard, the
/// span's retry events and its give-up reason.
async fn around_a_retry_layer_with_hooks(
    deadline: Duration,
) -> (u32, Vec<String>, Vec<String>, Option<Value>) {
    use std::sync::{Arc, Mutex};

    use error_tower::retry::{GiveUpEvent, RetryEvent};

    let telemetry = Telemetry::new();
    let (otel, _) = layer(&telemetry);
    let heard = Arc::new(Mutex::new(Vec::new()));
    let retry = RetryLayer::new()
        .assume_idempotent()
        .seed(7)
        .deadline(deadline)
        .max_attempts(3)
        .on_retry({
            let heard = Arc::clone(&heard);
            move |event: &RetryEvent| {
                heard
                    .lock()
                    .unwrap()
                    .push(format!("retry {}", event.attempt));
            }
        })
        .on_give_up({
            let heard = Arc::clone(&heard);
            move |event: &GiveUpEvent| {
                heard
                    .lock()
                    .unwrap()
                    .push(format!("give up {} {}", event.attempts, event.reason));
            }
        });
    let backend = Backend::failing(u32::MAX);
    let service = ServiceBuilder::new()
        .layer(otel.around_retry(retry))
        .service(backend.service());
    let error = service.oneshot(5).await.unwrap_err();
    assert_eq!(error.code(), "BackendError::NodeDown");
    let span = telemetry.span();
    let heard = heard.lock().unwrap().clone();
    (
        backend.calls(),
        heard,
        retry_events(&span, &backend),
        attributes(&span.attributes).remove("classified.give_up"),
    )
}

#[tokio::test(start_paused = true)]
async fn around_retry_keeps_the_retry_layers_deadline_and_hooks() {
    // A retry layer built with a deadline and hooks of its own (error-tower's `Metrics`,
    // say): `around_retry` adds the recording hooks after them, and keeps the rest. Both
    // sets hear every retry and the give-up.
    assert_eq!(
        around_a_retry_layer_with_hooks(Duration::from_secs(1)).await,
        (
            3,
            vec![
                "retry 1".to_owned(),
                "retry 2".to_owned(),
                "give up 3 exhausted".to_owned()
            ],
            vec![retry_event(1), retry_event(2)],
            Some(Value::from("exhausted")),
        )
    );
    // The deadline is the layer's: 2 ms leaves no room for the first retry's backoff.
    assert_eq!(
        around_a_retry_layer_with_hooks(Duration::from_millis(2)).await,
        (
            1,
            vec!["give up 1 deadline".to_owned()],
            vec![],
            Some(Value::from("deadline")),
        )
    );
}
