//! Where an error was made: the outermost layer's `Location` as `code.file.path`,
//! `code.line.number` and `code.column.number` on the exception event and on the exception
//! log record, and every layer's in `exception.stacktrace`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use error_core::{ClassifiedError, Location, ResultExt as _};
use error_otel::{ExceptionSignal, Operation, Recorder};
use opentelemetry::Value;
use support::{Telemetry, attributes, expect, log_attributes};

#[derive(Debug, ClassifiedError)]
#[error("segment unreadable")]
#[class(fatal)]
pub struct SegmentError {
    segment: u32,
    location: Location,
}

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(context)]
pub enum ReadError {
    #[error("read failed")]
    #[class(source)]
    Read {
        key: String,
        source: SegmentError,
        location: Location,
    },
}

/// An error two layers deep, and the lines of its two locations (outer, inner).
fn read() -> (ReadError, u32, u32) {
    let inner = SegmentError {
        segment: 7,
        location: Location::caller(),
    };
    let inner_line = line!() - 2;
    let err = Err::<(), _>(inner)
        .context(ReadCtx { key: "k1" })
        .unwrap_err();
    (err, line!() - 1, inner_line)
}

#[test]
fn the_outermost_location_is_the_events_code_attributes_and_each_layers_is_in_the_stacktrace() {
    let telemetry = Telemetry::new();
    let (err, outer, inner) = read();
    Recorder::new(Operation::INTERNAL)
        .exception_signal(ExceptionSignal::SpanEvent)
        .record(&tracing::info_span!("read"), &err);

    let span = telemetry.span();
    assert_eq!(span.events.len(), 1);
    let f = file!();
    assert_eq!(
        attributes(&span.events[0].attributes),
        expect([
            ("exception.type", Value::from("test_location::ReadError")),
            ("exception.message", Value::from("read failed. key=`k1`")),
            (
                "exception.stacktrace",
                Value::from(format!(
                    "read failed. key=`k1` (fatal, ReadError::Read) at {f}:{outer}:35\n  \
                     caused by: segment unreadable. segment=`7` (fatal, SegmentError) at {f}:{inner}:19"
                )),
            ),
            ("code.file.path", Value::from(f)),
            ("code.line.number", Value::from(i64::from(outer))),
            ("code.column.number", Value::from(35_i64)),
        ])
    );
    // Not on the span: the span's own code location would be where its operation is, not
    // where this error was made.
    assert!(
        !attributes(&span.attributes).contains_key("code.file.path"),
        "{:?}",
        span.attributes
    );
}

#[test]
fn the_log_record_has_them_too() {
    let telemetry = Telemetry::new();
    let (err, outer, _) = read();
    Recorder::new(Operation::INTERNAL)
        .exception_signal(ExceptionSignal::Logs)
        .logger_provider(&telemetry.logger_provider)
        .record(&tracing::info_span!("read"), &err);

    let logs = telemetry.logs();
    assert_eq!(logs.len(), 1);
    let log = log_attributes(&logs[0]);
    assert_eq!(log.get("code.file.path").map(String::as_str), Some(file!()));
    assert_eq!(log.get("code.line.number"), Some(&format!("Int({outer})")));
    assert_eq!(log.get("code.column.number"), Some(&"Int(35)".to_owned()));
}

#[test]
fn an_error_without_a_location_has_no_code_attributes() {
    #[derive(Debug, ClassifiedError)]
    #[error("busy")]
    #[class(busy)]
    struct Busy;

    let telemetry = Telemetry::new();
    Recorder::new(Operation::INTERNAL)
        .exception_signal(ExceptionSignal::SpanEvent)
        .record(&tracing::info_span!("busy"), &Busy);
    let span = telemetry.span();
    assert_eq!(
        attributes(&span.events[0].attributes),
        expect([
            ("exception.type", Value::from("test_location::Busy")),
            ("exception.message", Value::from("busy")),
            ("exception.stacktrace", Value::from("busy (busy, Busy)")),
        ])
    );
}
