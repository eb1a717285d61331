//! The simple paths, right by construction: `record()` honours
//! `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN` with the process-wide logger provider, and no
//! setup, filtered or not, gets a second span event per error unless it turns the
//! `tracing` event on and leaves the filter out.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use error_core::ClassifiedError;
use error_otel::{ExceptionSignal, Operation, Recorder};
use opentelemetry::logs::Severity;
use opentelemetry::trace::Status;
use opentelemetry_sdk::trace::SpanData;
use support::{Telemetry, log_attributes};

/// A node's answer, with the status it returned (a client span reports only a status its
/// error states).
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum LoadError {
    #[error("node is down, node={node}")]
    #[class(transient, status = unavailable)]
    NodeDown { node: u64 },
}

fn event_names(span: &SpanData) -> Vec<String> {
    span.events.iter().map(|e| e.name.to_string()).collect()
}

#[test]
fn record_adds_one_event_even_without_the_filter() {
    let telemetry = Telemetry::unfiltered();
    error_otel::record(
        &tracing::info_span!("load"),
        &LoadError::NodeDown { node: 2 },
    );
    let span = telemetry.span();
    assert_eq!(span.status, Status::error("node is down, node=2"));
    // This process sets no logger provider: whatever the variable says, the exception is
    // a span event, and it is the only one.
    assert_eq!(event_names(&span), ["exception"]);
    assert!(
        telemetry
            .events()
            .iter()
            .all(|event| event.target != "error_otel"),
        "{:?}",
        telemetry.events()
    );
}

#[test]
fn a_recorder_adds_one_event_even_without_the_filter() {
    let telemetry = Telemetry::unfiltered();
    let recorder =
        Recorder::new(Operation::RPC_CLIENT).exception_signal(ExceptionSignal::SpanEvent);
    recorder.record(
        &error_otel::operation_span!(recorder),
        &LoadError::NodeDown { node: 2 },
    );
    assert_eq!(event_names(&telemetry.span()), ["exception"]);
}

#[test]
fn the_opt_in_tracing_event_is_a_duplicate_without_the_filter_and_none_with_it() {
    let record = || {
        let recorder = Recorder::new(Operation::RPC_CLIENT)
            .exception_signal(ExceptionSignal::SpanEvent)
            .tracing_event(true);
        recorder.record(
            &error_otel::operation_span!(recorder),
            &LoadError::NodeDown { node: 2 },
        );
    };
    // What the docs of `tracing_event` warn about: the event comes back as a second span
    // event, named after the message.
    let unfiltered = Telemetry::unfiltered();
    record();
    assert_eq!(
        event_names(&unfiltered.span()),
        ["exception", "node is down, node=2"]
    );
    drop(unfiltered);

    let filtered = Telemetry::new();
    record();
    assert_eq!(event_names(&filtered.span()), ["exception"]);
    // The log layers still get it, at the error's level.
    let own: Vec<_> = filtered
        .events()
        .into_iter()
        .filter(|event| event.target == "error_otel")
        .map(|event| (event.level, event.fields["error.type"].clone()))
        .collect();
    assert_eq!(own, [(tracing::Level::WARN, "UNAVAILABLE".to_owned())]);
}

/// Run by `record_follows_the_variable_with_the_process_wide_logger_provider` in a child
/// process, with the variable set there: records one error with `record()` and the
/// process-wide logger provider, checks it against what the variable asks, and prints the
/// counts for the parent.
#[test]
#[ignore = "run in a child process by record_follows_the_variable_with_the_process_wide_logger_provider"]
fn child_records_with_the_process_wide_logger_provider() {
    let telemetry = Telemetry::unfiltered();
    error_otel::set_logger_provider(&telemetry.logger_provider);
    let signal = ExceptionSignal::from_env();

    let span = tracing::info_span!("load");
    error_otel::record(&span, &LoadError::NodeDown { node: 2 });
    drop(span);

    let span = telemetry.span();
    let logs = telemetry.logs();
    let expected_events: &[&str] = if signal.span_event() {
        &["exception"]
    } else {
        &[]
    };
    assert_eq!(event_names(&span), expected_events);
    assert_eq!(logs.len(), usize::from(signal.log()));
    for log in &logs {
        assert_eq!(log.event_name(), Some("classified.operation.exception"));
        assert_eq!(log.severity_number(), Some(Severity::Error));
        let context = log.trace_context().unwrap();
        assert_eq!(
            (context.trace_id, context.span_id),
            (span.span_context.trace_id(), span.span_context.span_id())
        );
        assert_eq!(
            log_attributes(log)["exception.message"],
            "node is down, node=2"
        );
    }
    println!("events={} logs={}", span.events.len(), logs.len());
}

#[test]
fn record_follows_the_variable_with_the_process_wide_logger_provider() {
    // The environment is changed in child processes only: setting it here would race
    // with the other tests of this binary, and `record()` reads it once per process.
    for (value, expected) in [
        (Some("logs/dup"), ["events=1", "logs=1"]),
        (Some("logs"), ["events=0", "logs=1"]),
        (None, ["events=1", "logs=0"]),
    ] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "--exact",
                "child_records_with_the_process_wide_logger_provider",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env_remove(error_otel::semconv::EXCEPTION_SIGNAL_OPT_IN);
        if let Some(value) = value {
            child.env(error_otel::semconv::EXCEPTION_SIGNAL_OPT_IN, value);
        }
        let output = child.output().unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(output.status.success(), "{value:?}: {stdout}");
        // libtest prints the test's name and the child's line on one line.
        let printed: Vec<_> = stdout
            .split_whitespace()
            .filter(|word| word.starts_with("events=") || word.starts_with("logs="))
            .collect();
        assert_eq!(printed, expected, "{value:?}");
    }
}
