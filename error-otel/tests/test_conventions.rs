//! The conventions where they are exact, through the Tower layer and the SDK's in-memory
//! exporters: `error.type` on an RPC client is the status code string, a server's span for
//! a client's mistake carries no error at all, the deviations are opt-in, and the span
//! kind and an operation's names are given once.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use error_core::ClassifiedError;
use error_otel::{Deviation, ExceptionSignal, Operation, OtelLayer, OtelMetrics, Recorder};
use opentelemetry::Value;
use opentelemetry::logs::Severity;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::trace::SpanData;
use support::{HistogramPoint, Telemetry, TracingEvent, attributes, expect, histogram};
use tower::{ServiceBuilder, ServiceExt as _};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum RpcError {
    #[error("replica exists, uuid={uuid}")]
    #[class(invalid, status = already_exists)]
    CreateReplica { uuid: u64 },
    #[error("key is empty")]
    #[class(invalid)]
    EmptyKey,
    #[error("pool offline, pool={pool}")]
    #[class(transient)]
    PoolOffline { pool: u32 },
    /// Made in the client: the connection broke before any answer, so no status came back.
    #[error("connection reset")]
    #[class(transient, code = "net.reset")]
    Reset,
}

const BOUNDS: [f64; 14] = error_otel::semconv::DURATION_BOUNDARIES;

/// One call through an `OtelLayer` of `recorder`'s operation, with metrics, to a service
/// that fails with `error`.
async fn call(telemetry: &Telemetry, recorder: Recorder, error: RpcError) {
    let operation = *recorder.operation();
    let meter = telemetry.meter_provider.meter("test");
    let otel = OtelLayer::new(operation)
        .recorder(recorder)
        .metrics(OtelMetrics::new(&meter, &operation));
    let mut error = Some(error);
    let service = ServiceBuilder::new()
        .layer(otel)
        .service(tower::service_fn(move |_: u64| {
            let error = error.take().unwrap();
            async move { Err::<u64, RpcError>(error) }
        }));
    assert!(service.oneshot(1).await.is_err());
}

fn spans_only(operation: Operation) -> Recorder {
    Recorder::new(operation).exception_signal(ExceptionSignal::SpanEvent)
}

fn event_names(span: &SpanData) -> Vec<String> {
    span.events.iter().map(|e| e.name.to_string()).collect()
}

/// The events error-otel emitted through `tracing`.
fn own_events(telemetry: &Telemetry) -> Vec<TracingEvent> {
    telemetry
        .events()
        .into_iter()
        .filter(|event| event.target == "error_otel")
        .collect()
}

#[tokio::test]
async fn an_rpc_client_failure_has_the_status_code_as_error_type() {
    let telemetry = Telemetry::new();
    call(
        &telemetry,
        spans_only(Operation::RPC_CLIENT),
        RpcError::CreateReplica { uuid: 7 },
    )
    .await;

    let span = telemetry.span();
    assert_eq!(span.name, "rpc.client.call");
    assert_eq!(span.span_kind, SpanKind::Client);
    assert_eq!(span.status, Status::error("replica exists, uuid=7"));
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("ALREADY_EXISTS")),
            ("classified.code", Value::from("RpcError::CreateReplica")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("rpc.response.status_code", Value::from("ALREADY_EXISTS")),
            ("classified.field.uuid", Value::from("7")),
        ])
    );
    assert_eq!(event_names(&span), ["exception"]);
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.client.call.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("ALREADY_EXISTS"))]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );
}

#[tokio::test]
async fn a_server_span_for_a_client_mistake_has_no_error_and_a_debug_log_and_event() {
    let telemetry = Telemetry::new();
    let recorder = Recorder::new(Operation::RPC_SERVER)
        .exception_signal(ExceptionSignal::Logs)
        .logger_provider(&telemetry.logger_provider)
        .tracing_event(true);
    call(
        &telemetry,
        recorder.clone(),
        RpcError::CreateReplica { uuid: 7 },
    )
    .await;
    call(&telemetry, recorder, RpcError::EmptyKey).await;

    let spans = telemetry.spans();
    assert_eq!(spans.len(), 2);
    for span in &spans {
        assert_eq!(span.name, "rpc.server.call");
        assert_eq!(span.span_kind, SpanKind::Server);
        assert_eq!(span.status, Status::Unset);
        assert!(span.events.is_empty(), "{:?}", span.events);
    }
    assert_eq!(
        attributes(&spans[0].attributes),
        expect([
            ("classified.code", Value::from("RpcError::CreateReplica")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("rpc.response.status_code", Value::from("ALREADY_EXISTS")),
            ("classified.field.uuid", Value::from("7")),
        ])
    );
    assert_eq!(
        attributes(&spans[1].attributes),
        expect([
            ("classified.code", Value::from("RpcError::EmptyKey")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("rpc.response.status_code", Value::from("INVALID_ARGUMENT")),
        ])
    );

    // No `error.type` on the duration points either: two calls, one series, no label.
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.server.call.duration"),
        [HistogramPoint {
            attributes: expect([]),
            count: 2,
            bounds: BOUNDS.to_vec(),
        }]
    );

    // The exception, as "not really an issue": a DEBUG log record tied to each span.
    let logs = telemetry.logs();
    let summary: Vec<_> = logs
        .iter()
        .map(|log| {
            (
                log.event_name(),
                log.severity_number(),
                log.severity_text(),
                log.trace_context().unwrap().span_id,
            )
        })
        .collect();
    let debug = |span: &SpanData| {
        (
            Some("rpc.server.call.exception"),
            Some(Severity::Debug),
            Some("DEBUG"),
            span.span_context.span_id(),
        )
    };
    assert_eq!(summary, [debug(&spans[0]), debug(&spans[1])]);

    // And the `tracing` event, turned on here, at DEBUG, without `error.type`.
    let event = |message: &str, code: &str| TracingEvent {
        level: tracing::Level::DEBUG,
        target: "error_otel".to_owned(),
        fields: [
            ("message", message),
            ("classified.code", code),
            ("classified.class", "invalid"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    };
    assert_eq!(
        own_events(&telemetry),
        [
            event("replica exists, uuid=7", "RpcError::CreateReplica"),
            event("key is empty", "RpcError::EmptyKey"),
        ]
    );
}

#[tokio::test]
async fn a_client_mistake_with_span_events_is_one_exception_event_and_no_error() {
    let telemetry = Telemetry::new();
    call(
        &telemetry,
        spans_only(Operation::HTTP_SERVER),
        RpcError::CreateReplica { uuid: 3 },
    )
    .await;
    let span = telemetry.span();
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("classified.code", Value::from("RpcError::CreateReplica")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("http.response.status_code", Value::from(409_i64)),
            ("classified.field.uuid", Value::from("3")),
        ])
    );
    assert_eq!(event_names(&span), ["exception"]);
    assert_eq!(
        histogram(&telemetry.metrics(), "http.server.request.duration"),
        [HistogramPoint {
            attributes: expect([]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );
    assert!(telemetry.logs().is_empty());
}

#[tokio::test]
async fn a_client_failure_with_no_status_returned_has_no_status_attribute_and_its_code() {
    // A client's own error (a reset connection) states no status: `UNAVAILABLE`, its
    // class's, would be a response nobody sent. The conventions' `error.type` when no
    // status code was returned: a low-cardinality identifier of the error, its code.
    let telemetry = Telemetry::new();
    call(
        &telemetry,
        spans_only(Operation::RPC_CLIENT),
        RpcError::Reset,
    )
    .await;
    let span = telemetry.span();
    assert_eq!(span.status, Status::error("connection reset"));
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("net.reset")),
            ("classified.code", Value::from("net.reset")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
        ])
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.client.call.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("net.reset"))]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );

    // The same error returned by a server is what the server sends back.
    let telemetry = Telemetry::new();
    call(
        &telemetry,
        spans_only(Operation::RPC_SERVER),
        RpcError::Reset,
    )
    .await;
    let attributes = attributes(&telemetry.span().attributes);
    assert_eq!(
        (
            &attributes["error.type"],
            &attributes["rpc.response.status_code"]
        ),
        (&Value::from("UNAVAILABLE"), &Value::from("UNAVAILABLE"))
    );
}

#[tokio::test]
async fn a_server_failure_of_its_own_has_the_status_code_and_the_error_status() {
    let telemetry = Telemetry::new();
    call(
        &telemetry,
        spans_only(Operation::RPC_SERVER),
        RpcError::PoolOffline { pool: 1 },
    )
    .await;
    let span = telemetry.span();
    assert_eq!(span.status, Status::error("pool offline, pool=1"));
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("UNAVAILABLE")),
            ("classified.code", Value::from("RpcError::PoolOffline")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
            ("rpc.response.status_code", Value::from("UNAVAILABLE")),
            ("classified.field.pool", Value::from("1")),
        ])
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.server.call.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("UNAVAILABLE"))]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );
}

#[tokio::test]
async fn the_code_as_error_type_deviation_is_opt_in_on_span_and_point() {
    let telemetry = Telemetry::new();
    let recorder = spans_only(Operation::RPC_CLIENT).deviate(Deviation::CodeAsErrorType);
    call(&telemetry, recorder, RpcError::CreateReplica { uuid: 7 }).await;
    let span = telemetry.span();
    assert_eq!(span.status, Status::error("replica exists, uuid=7"));
    let attributes = attributes(&span.attributes);
    assert_eq!(
        (
            &attributes["error.type"],
            &attributes["classified.code"],
            &attributes["rpc.response.status_code"]
        ),
        (
            &Value::from("RpcError::CreateReplica"),
            &Value::from("RpcError::CreateReplica"),
            &Value::from("ALREADY_EXISTS")
        )
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.client.call.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("RpcError::CreateReplica"))]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );
}

#[tokio::test]
async fn the_client_fault_deviation_sets_error_type_and_leaves_the_status_unset() {
    let telemetry = Telemetry::new();
    let status_code = spans_only(Operation::RPC_SERVER).deviate(Deviation::ErrorTypeOnClientFaults);
    let code = status_code.clone().deviate(Deviation::CodeAsErrorType);
    call(&telemetry, status_code, RpcError::CreateReplica { uuid: 7 }).await;
    call(&telemetry, code, RpcError::EmptyKey).await;

    let spans = telemetry.spans();
    let summary: Vec<_> = spans
        .iter()
        .map(|span| {
            (
                attributes(&span.attributes).get("error.type").cloned(),
                span.status.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some(Value::from("ALREADY_EXISTS")), Status::Unset),
            (Some(Value::from("RpcError::EmptyKey")), Status::Unset),
        ]
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "rpc.server.call.duration"),
        [
            HistogramPoint {
                attributes: expect([("error.type", Value::from("ALREADY_EXISTS"))]),
                count: 1,
                bounds: BOUNDS.to_vec(),
            },
            HistogramPoint {
                attributes: expect([("error.type", Value::from("RpcError::EmptyKey"))]),
                count: 1,
                bounds: BOUNDS.to_vec(),
            },
        ]
    );
}

#[test]
fn span_takes_the_kind_and_name_from_the_recorder() {
    let telemetry = Telemetry::new();
    let server = spans_only(Operation::RPC_SERVER);
    {
        let span = error_otel::operation_span!(server, rpc.method = "CreateReplica");
        server.record(&span, &RpcError::EmptyKey);
    }
    let internal = spans_only(Operation::internal("compaction"));
    {
        let span = error_otel::operation_span!(internal);
        internal.record(&span, &RpcError::PoolOffline { pool: 2 });
    }

    let spans = telemetry.spans();
    let summary: Vec<_> = spans
        .iter()
        .map(|span| {
            (
                span.name.to_string(),
                span.span_kind.clone(),
                span.status.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "rpc.server.call".to_owned(),
                SpanKind::Server,
                Status::Unset
            ),
            (
                "compaction".to_owned(),
                SpanKind::Internal,
                Status::error("pool offline, pool=2")
            ),
        ]
    );
    // The server recorder judged the client's mistake as a server would.
    assert_eq!(
        attributes(&spans[0].attributes),
        expect([
            ("rpc.method", Value::from("CreateReplica")),
            ("classified.code", Value::from("RpcError::EmptyKey")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("rpc.response.status_code", Value::from("INVALID_ARGUMENT")),
        ])
    );
}

#[tokio::test]
async fn an_operation_of_your_own_is_named_once() {
    const PROPOSE: Operation = Operation::client("raft.propose");
    let telemetry = Telemetry::new();
    let recorder = Recorder::new(PROPOSE)
        .exception_signal(ExceptionSignal::Logs)
        .logger_provider(&telemetry.logger_provider);
    call(&telemetry, recorder, RpcError::PoolOffline { pool: 4 }).await;

    let span = telemetry.span();
    assert_eq!(
        (span.name.to_string(), span.span_kind.clone()),
        ("raft.propose".to_owned(), SpanKind::Client)
    );
    // No protocol: `error.type` is the code.
    assert_eq!(
        attributes(&span.attributes)["error.type"],
        Value::from("RpcError::PoolOffline")
    );
    let logs = telemetry.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(
        (logs[0].event_name(), logs[0].severity_number()),
        (Some("raft.propose.exception"), Some(Severity::Warn))
    );
    assert_eq!(
        histogram(&telemetry.metrics(), "raft.propose.duration"),
        [HistogramPoint {
            attributes: expect([("error.type", Value::from("RpcError::PoolOffline"))]),
            count: 1,
            bounds: BOUNDS.to_vec(),
        }]
    );
}

#[test]
fn a_client_reports_the_status_its_layers_generate_and_none_for_its_own_io_errors() {
    // error-tower's `Elapsed` states `deadline_exceeded`, as a gRPC client reports the
    // deadline it enforced; an `io::Error`'s status is this process's reading of the
    // operating system's answer, which no peer returned.
    let client = spans_only(Operation::RPC_CLIENT);
    let elapsed = error_core::Error::from(error_tower::retry::Elapsed::new(
        std::time::Duration::from_millis(200),
    ));
    assert_eq!(
        Operation::RPC_CLIENT.response_status(&elapsed),
        Some(error_core::Status::DeadlineExceeded)
    );
    assert_eq!(client.error_type(Some(&elapsed)), Some("DEADLINE_EXCEEDED"));
    let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    assert_eq!(Operation::RPC_CLIENT.response_status(&refused), None);
    assert_eq!(
        client.error_type(Some(&refused)),
        Some("std::io::ErrorKind::ConnectionRefused")
    );
    assert_eq!(
        Operation::RPC_SERVER.response_status(&refused),
        Some(error_core::Status::Unavailable)
    );
}
