//! Recording one error: exact attribute sets on the span, its status, its exception, on
//! both paths (a `tracing::Span` through tracing-opentelemetry, and a native span).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use error_core::ClassifiedError;
use error_otel::{ExceptionSignal, Operation, Outcome, Recorder};
use opentelemetry::trace::{Status, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, Value};
use support::{Telemetry, attributes, expect};

/// A peer's answers: those recorded on client spans state the status they came with (a
/// client span reports a response status only when its error states one).
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum GetError {
    #[error("node is down, node={node}")]
    #[class(transient, status = unavailable)]
    NodeDown { node: u64 },
    #[error("key is empty")]
    #[class(invalid)]
    EmptyKey,
    #[error("login failed, user={user}, token={token}")]
    #[class(denied, status = permission_denied)]
    Login {
        user: String,
        #[kv(redact)]
        token: error_core::Secret<String>,
    },
    #[error("read failed, key={key}")]
    #[class(source)]
    Read { key: String, source: StoreError },
    #[error("overloaded")]
    #[class(busy, status = resource_exhausted, retry_after_ms = 250)]
    Overloaded,
}

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum StoreError {
    #[error("segment unreadable, segment={segment}")]
    #[class(source)]
    Segment { segment: u32, source: DiskError },
}

#[derive(Debug, ClassifiedError)]
#[error("disk failed, device={device}")]
#[class(fatal)]
pub struct DiskError {
    device: &'static str,
}

fn spans_only(operation: Operation) -> Recorder {
    Recorder::new(operation).exception_signal(ExceptionSignal::SpanEvent)
}

fn exception(
    type_name: &str,
    message: &str,
    stacktrace: &str,
) -> std::collections::BTreeMap<String, Value> {
    expect([
        ("exception.type", Value::from(type_name.to_owned())),
        ("exception.message", Value::from(message.to_owned())),
        ("exception.stacktrace", Value::from(stacktrace.to_owned())),
    ])
}

/// [`exception`] of an error made at `line:column` of this file: the `code.*` attributes
/// name where (the stacktrace, given whole, shows it too).
fn exception_made_at(
    type_name: &str,
    message: &str,
    stacktrace: &str,
    line: u32,
    column: u32,
) -> std::collections::BTreeMap<String, Value> {
    let mut attributes = exception(type_name, message, stacktrace);
    attributes.extend(expect([
        ("code.file.path", Value::from(file!())),
        ("code.line.number", Value::from(i64::from(line))),
        ("code.column.number", Value::from(i64::from(column))),
    ]));
    attributes
}

#[test]
fn a_leaf_error_on_a_client_span() {
    let telemetry = Telemetry::new();
    let outcome = spans_only(Operation::RPC_CLIENT)
        .record(&tracing::info_span!("get"), &GetError::NodeDown { node: 2 });
    assert_eq!(outcome, Outcome::Failure);

    let span = telemetry.span();
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("UNAVAILABLE")),
            ("classified.code", Value::from("GetError::NodeDown")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
            ("rpc.response.status_code", Value::from("UNAVAILABLE")),
            ("classified.field.node", Value::from("2")),
        ])
    );
    assert_eq!(span.status, Status::error("node is down, node=2"));
    assert_eq!(span.events.len(), 1);
    let event = &span.events[0];
    assert_eq!(event.name, "exception");
    assert_eq!(
        attributes(&event.attributes),
        exception(
            "test_record::GetError",
            "node is down, node=2",
            "node is down, node=2 (transient, GetError::NodeDown)"
        )
    );
}

#[test]
fn a_three_level_chain_is_one_stacktrace_string() {
    let telemetry = Telemetry::new();
    let error = GetError::Read {
        key: "k1".into(),
        source: StoreError::Segment {
            segment: 7,
            source: DiskError { device: "nvme0" },
        },
    };
    spans_only(Operation::INTERNAL).record(&tracing::info_span!("read"), &error);

    let span = telemetry.span();
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("GetError::Read")),
            ("classified.code", Value::from("GetError::Read")),
            ("classified.class", Value::from("fatal")),
            ("classified.retriable", Value::from(false)),
            ("classified.field.key", Value::from("k1")),
        ])
    );
    assert_eq!(span.status, Status::error("read failed, key=k1"));
    assert_eq!(
        attributes(&span.events[0].attributes),
        exception(
            "test_record::GetError",
            "read failed, key=k1",
            "read failed, key=k1 (fatal, GetError::Read)\n  \
             caused by: segment unreadable, segment=7 (fatal, StoreError::Segment)\n  \
             caused by: disk failed, device=nvme0 (fatal, DiskError)"
        )
    );
}

#[test]
fn a_redacted_value_appears_nowhere_in_the_export() {
    let telemetry = Telemetry::new();
    let error = GetError::Login {
        user: "ann".into(),
        token: "s3cr3t-t0ken".into(),
    };
    let recorder = Recorder::new(Operation::HTTP_CLIENT)
        .exception_signal(ExceptionSignal::Both)
        .logger_provider(&telemetry.logger_provider);
    recorder.record(&tracing::info_span!("login"), &error);

    let span = telemetry.span();
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("GetError::Login")),
            ("classified.code", Value::from("GetError::Login")),
            ("classified.class", Value::from("denied")),
            ("classified.retriable", Value::from(false)),
            ("http.response.status_code", Value::from(403_i64)),
            ("classified.field.user", Value::from("ann")),
            ("classified.field.token", Value::from("<redacted>")),
        ])
    );
    assert_eq!(
        span.status,
        Status::error("login failed, user=ann, token=<redacted>")
    );
    let logs = telemetry.logs();
    assert_eq!(logs.len(), 1);
    let everything = format!("{span:?} {logs:?}");
    assert!(everything.contains("<redacted>"));
    assert!(!everything.contains("s3cr3t"), "{everything}");
}

#[test]
fn an_error_core_error_names_its_typed_inner_error() {
    let telemetry = Telemetry::new();
    let typed = error_core::Error::from(GetError::Overloaded);
    let typed_line = line!() - 1;
    let adhoc = error_core::Error::transient("replica set has no quorum");
    let adhoc_line = line!() - 1;
    let f = file!();
    {
        let span = tracing::info_span!("call");
        spans_only(Operation::RPC_CLIENT).record(&span, &typed);
    }
    {
        let span = tracing::info_span!("call");
        spans_only(Operation::RPC_CLIENT).record(&span, &adhoc);
    }
    let spans = telemetry.spans();
    assert_eq!(spans.len(), 2);
    assert_eq!(
        attributes(&spans[0].attributes),
        expect([
            ("error.type", Value::from("RESOURCE_EXHAUSTED")),
            ("classified.code", Value::from("GetError::Overloaded")),
            ("classified.class", Value::from("busy")),
            ("classified.retriable", Value::from(true)),
            ("classified.retry_after", Value::from(0.25)),
            (
                "rpc.response.status_code",
                Value::from("RESOURCE_EXHAUSTED")
            ),
        ])
    );
    assert_eq!(
        attributes(&spans[0].events[0].attributes),
        exception_made_at(
            "test_record::GetError",
            "overloaded",
            &format!("overloaded (busy, GetError::Overloaded) at {f}:{typed_line}:17"),
            typed_line,
            17
        )
    );
    // An ad-hoc error made in the client states no status: none was returned, so there is
    // no `rpc.response.status_code`, and `error.type` is its code, not the `UNAVAILABLE`
    // its class would imply.
    assert_eq!(
        attributes(&spans[1].attributes),
        expect([
            ("error.type", Value::from("transient")),
            ("classified.code", Value::from("transient")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
        ])
    );
    assert_eq!(
        attributes(&spans[1].events[0].attributes),
        exception_made_at(
            "error_core::error::Error",
            "replica set has no quorum",
            &format!("replica set has no quorum (transient, transient) at {f}:{adhoc_line}:17"),
            adhoc_line,
            17
        )
    );
    assert_eq!(spans[1].status, Status::error("replica set has no quorum"));
}

#[test]
fn a_server_span_has_no_error_for_a_client_mistake() {
    let telemetry = Telemetry::new();
    let outcome =
        spans_only(Operation::RPC_SERVER).record(&tracing::info_span!("put"), &GetError::EmptyKey);
    assert_eq!(outcome, Outcome::ClientFault);

    let span = telemetry.span();
    assert_eq!(span.status, Status::Unset);
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("classified.code", Value::from("GetError::EmptyKey")),
            ("classified.class", Value::from("invalid")),
            ("classified.retriable", Value::from(false)),
            ("rpc.response.status_code", Value::from("INVALID_ARGUMENT")),
        ])
    );
    assert_eq!(span.events.len(), 1);
}

#[test]
fn a_server_span_is_red_for_its_own_failure() {
    let telemetry = Telemetry::new();
    let outcome = spans_only(Operation::RPC_SERVER)
        .record(&tracing::info_span!("put"), &GetError::NodeDown { node: 1 });
    assert_eq!(outcome, Outcome::Failure);
    assert_eq!(
        telemetry.span().status,
        Status::error("node is down, node=1")
    );
}

#[test]
fn a_cancellation_is_no_error() {
    let telemetry = Telemetry::new();
    let cancelled =
        error_core::Error::transient("caller went away").with_status(error_core::Status::Cancelled);
    let outcome = spans_only(Operation::RPC_CLIENT).record(&tracing::info_span!("get"), &cancelled);
    assert_eq!(outcome, Outcome::Cancelled);
    let span = telemetry.span();
    assert_eq!(span.status, Status::Unset);
    assert!(span.attributes.is_empty(), "{:?}", span.attributes);
    assert!(span.events.is_empty());
}

#[test]
fn a_native_span_gets_the_same_record_and_one_status() {
    let telemetry = Telemetry::new();
    let tracer = telemetry.tracer_provider.tracer("native");
    let span = tracer.start("get");
    let cx = Context::current_with_span(span);
    spans_only(Operation::RPC_CLIENT).record(&cx.span(), &GetError::NodeDown { node: 3 });
    cx.span().end();

    let span = telemetry.span();
    assert_eq!(span.status, Status::error("node is down, node=3"));
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("UNAVAILABLE")),
            ("classified.code", Value::from("GetError::NodeDown")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
            ("rpc.response.status_code", Value::from("UNAVAILABLE")),
            ("classified.field.node", Value::from("3")),
        ])
    );
    assert_eq!(span.events.len(), 1);
}

#[test]
fn an_unsampled_span_gets_nothing() {
    let telemetry = Telemetry::new();
    let tracer = telemetry.tracer_provider.tracer("native");
    let cx = Context::current_with_span(opentelemetry::trace::noop::NoopSpan::DEFAULT);
    let outcome = spans_only(Operation::RPC_CLIENT).record(&cx, &GetError::NodeDown { node: 3 });
    assert_eq!(outcome, Outcome::Failure);
    drop(tracer);
    assert!(telemetry.spans().is_empty());
}

#[test]
fn a_foreign_error_is_other() {
    let telemetry = Telemetry::new();
    let error: Box<dyn std::error::Error + Send + Sync> = "connection reset".into();
    let outcome = spans_only(Operation::RPC_CLIENT).record_any(&tracing::info_span!("get"), &error);
    assert_eq!(outcome, Outcome::Failure);
    let span = telemetry.span();
    assert_eq!(
        attributes(&span.attributes),
        expect([("error.type", Value::from("_OTHER"))])
    );
    assert_eq!(span.status, Status::error("connection reset"));
    assert_eq!(
        attributes(&span.events[0].attributes),
        expect([
            ("exception.message", Value::from("connection reset")),
            ("exception.stacktrace", Value::from("connection reset")),
        ])
    );
}

#[test]
fn a_classified_error_inside_a_box_is_found() {
    let telemetry = Telemetry::new();
    let error: Box<dyn std::error::Error + Send + Sync> =
        Box::new(error_core::Error::from(GetError::NodeDown { node: 4 }));
    spans_only(Operation::INTERNAL).record_any(&tracing::info_span!("get"), &error);
    let span = telemetry.span();
    assert_eq!(
        attributes(&span.attributes),
        expect([
            ("error.type", Value::from("GetError::NodeDown")),
            ("classified.code", Value::from("GetError::NodeDown")),
            ("classified.class", Value::from("transient")),
            ("classified.retriable", Value::from(true)),
            ("classified.field.node", Value::from("4")),
        ])
    );
}
