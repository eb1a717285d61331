//! The exception's signal: span events by default, log records tied to the span with
//! `logs`, both with `logs/dup`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use error_core::ClassifiedError;
use error_otel::{ExceptionSignal, Operation, Recorder};
use opentelemetry::logs::Severity;
use opentelemetry::trace::{Status, TraceContextExt as _};
use support::{Telemetry, log_attributes};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum PutError {
    #[error("replica lagging, replica={replica}")]
    #[class(transient)]
    Lagging { replica: u32 },
    #[error("value too large, size={size}")]
    #[class(invalid)]
    TooLarge { size: usize },
    #[error("journal corrupt")]
    #[class(fatal)]
    Corrupt,
}

fn expected_log(message: &str, stacktrace: &str) -> std::collections::BTreeMap<String, String> {
    [
        ("exception.type", "test_exception_signal::PutError"),
        ("exception.message", message),
        ("exception.stacktrace", stacktrace),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// Records `error` on a new span with `signal`, and returns the span's trace and span ids.
fn record(
    telemetry: &Telemetry,
    operation: Operation,
    signal: ExceptionSignal,
    error: &PutError,
) -> (opentelemetry::trace::TraceId, opentelemetry::trace::SpanId) {
    let recorder = Recorder::new(operation)
        .exception_signal(signal)
        .logger_provider(&telemetry.logger_provider);
    let span = tracing::info_span!("put");
    recorder.record(&span, error);
    let cx = span.context();
    (
        cx.span().span_context().trace_id(),
        cx.span().span_context().span_id(),
    )
}

#[test]
fn logs_moves_the_exception_to_a_log_record_tied_to_the_span() {
    let telemetry = Telemetry::new();
    let (trace_id, span_id) = record(
        &telemetry,
        Operation::RPC_CLIENT,
        ExceptionSignal::Logs,
        &PutError::Lagging { replica: 3 },
    );

    let span = telemetry.span();
    assert!(span.events.is_empty(), "{:?}", span.events);
    assert_eq!(span.status, Status::error("replica lagging, replica=3"));

    let logs = telemetry.logs();
    assert_eq!(logs.len(), 1);
    let log = &logs[0];
    assert_eq!(log.event_name(), Some("rpc.client.call.exception"));
    // A client call that failed after its retries: WARN.
    assert_eq!(log.severity_number(), Some(Severity::Warn));
    assert_eq!(log.severity_text(), Some("WARN"));
    let context = log.trace_context().unwrap();
    assert_eq!((context.trace_id, context.span_id), (trace_id, span_id));
    assert_eq!(
        log_attributes(log),
        expected_log(
            "replica lagging, replica=3",
            "replica lagging, replica=3 (transient, PutError::Lagging)"
        )
    );
}

#[test]
fn logs_dup_records_both() {
    let telemetry = Telemetry::new();
    record(
        &telemetry,
        Operation::RPC_SERVER,
        ExceptionSignal::Both,
        &PutError::Corrupt,
    );
    let span = telemetry.span();
    assert_eq!(span.events.len(), 1);
    assert_eq!(span.events[0].name, "exception");
    let logs = telemetry.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].event_name(), Some("rpc.server.call.exception"));
    // The process restarts: FATAL.
    assert_eq!(logs[0].severity_number(), Some(Severity::Fatal));
    assert_eq!(
        log_attributes(&logs[0]),
        expected_log(
            "journal corrupt",
            "journal corrupt (fatal, PutError::Corrupt)"
        )
    );
}

#[test]
fn a_server_failure_is_error_and_a_client_mistake_debug() {
    let telemetry = Telemetry::new();
    record(
        &telemetry,
        Operation::HTTP_SERVER,
        ExceptionSignal::Logs,
        &PutError::Lagging { replica: 1 },
    );
    record(
        &telemetry,
        Operation::HTTP_SERVER,
        ExceptionSignal::Logs,
        &PutError::TooLarge { size: 9 },
    );
    let severities: Vec<_> = telemetry
        .logs()
        .iter()
        .map(|log| (log.event_name(), log.severity_number()))
        .collect();
    assert_eq!(
        severities,
        [
            (Some("http.server.request.exception"), Some(Severity::Error)),
            (Some("http.server.request.exception"), Some(Severity::Debug)),
        ]
    );
}

#[test]
fn logs_without_a_logger_falls_back_to_the_span_event() {
    let telemetry = Telemetry::new();
    let recorder = Recorder::new(Operation::RPC_CLIENT).exception_signal(ExceptionSignal::Logs);
    recorder.record(&tracing::info_span!("put"), &PutError::Corrupt);
    assert_eq!(telemetry.span().events.len(), 1);
    assert!(telemetry.logs().is_empty());
}

/// Run by `from_env_reads_the_variable` in a child process with the variable set; prints
/// what the recorder read.
#[test]
fn child_prints_the_signal() {
    if std::env::var_os("ERROR_OTEL_TEST_CHILD").is_some() {
        let signal = Recorder::new(Operation::RPC_CLIENT).signal();
        println!("signal={signal:?}");
    }
}

#[test]
fn from_env_reads_the_variable() {
    // The environment is changed in child processes only: setting it here would race
    // with the other tests of this binary.
    for (value, expected) in [
        (Some("logs"), "signal=Logs"),
        (Some("logs/dup"), "signal=Both"),
        (Some("spans"), "signal=SpanEvent"),
        (None, "signal=SpanEvent"),
    ] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "child_prints_the_signal",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("ERROR_OTEL_TEST_CHILD", "1")
            .env_remove(error_otel::semconv::EXCEPTION_SIGNAL_OPT_IN);
        if let Some(value) = value {
            child.env(error_otel::semconv::EXCEPTION_SIGNAL_OPT_IN, value);
        }
        let output = child.output().unwrap();
        assert!(output.status.success());
        let stdout = String::from_utf8(output.stdout).unwrap();
        // libtest prints the test's name and the child's line on one line.
        let printed: Vec<_> = stdout
            .split_whitespace()
            .filter(|word| word.starts_with("signal="))
            .collect();
        assert_eq!(printed, [expected], "{value:?}");
    }
}
