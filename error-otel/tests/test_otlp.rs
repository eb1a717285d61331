//! The protocol-level test: spans, logs and metrics go over OTLP/HTTP (protobuf) to a real
//! peer on loopback, whose decoding is the official schema.
//!
//! No OpenTelemetry Collector can be installed here, so the peer is `tests/otlp/receiver.py`,
//! which parses each request with the `opentelemetry-proto` Python package and writes what
//! arrived as JSON lines (protobuf's JSON mapping: ids in base64, 64-bit integers as
//! strings, enums by name, lowerCamelCase field names, default values left out). The test
//! starts it on a free port, exports through `opentelemetry-otlp`, stops it, and asserts
//! on the lines.
//!
//! Python: `ERROR_OTEL_PYTHON` when set (`.ci/run` sets it to its virtual environment);
//! otherwise a virtual environment made here, under Cargo's target directory, with
//! `pip install opentelemetry-proto protobuf grpcio` (which needs the Python Package Index once).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use error_otel::{ExceptionSignal, Operation, OtelLayer, OtelMetrics, Recorder};
use error_tower::retry::RetryLayer;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use serde_json::{Value, json};
use tower::{ServiceBuilder, ServiceExt as _};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

mod support;

use support::backend::Backend;

const CODE: &str = "BackendError::NodeDown";
const MESSAGE: &str = "node is down, node=2";
/// Where the backend makes its error: the `error_core::Error::from(..)` in
/// `support/backend.rs`'s `service` (file, line, column).
const MADE_AT: (&str, u32, u32) = ("error-otel/tests/support/backend.rs", 50, 25);

// ---------------------------------------------------------------------------------------
// The receiver.

/// The Python interpreter that has the official schema.
fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(python) = std::env::var_os("ERROR_OTEL_PYTHON") {
                return python.into();
            }
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("otlp-venv");
            let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
            // Written once pip has succeeded: a half-made environment is made again.
            let installed = venv.join("error-otel-installed");
            if !installed.exists() {
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
                run(Command::new(bin.join("pip")).args([
                    "install",
                    "-q",
                    "opentelemetry-proto",
                    "protobuf",
                    "grpcio",
                ]));
                std::fs::write(&installed, "").unwrap();
            }
            bin.join("python")
        })
        .clone()
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    assert!(status.success(), "{command:?}: {status}");
}

/// The receiver, running; killed when dropped, so that a failing test leaves none behind.
struct Receiver {
    child: Child,
    port: u16,
    out: PathBuf,
}

impl Receiver {
    /// Starts the receiver on a free port, writing to a file named after `name`.
    fn start(name: &str) -> Receiver {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("otlp-{name}-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&out);
        let child = Command::new(python())
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/otlp/receiver.py"
            ))
            .arg(&out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut receiver = Receiver {
            child,
            port: 0,
            out,
        };
        // The first line is the port; the socket listens before it is printed.
        let mut line = String::new();
        BufReader::new(receiver.child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        receiver.port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the receiver printed no port: {line:?}"));
        receiver
    }

    fn endpoint(&self, signal: &str) -> String {
        format!("http://127.0.0.1:{}/v1/{signal}", self.port)
    }

    /// Closes the receiver's stdin, which stops it, and returns what it wrote.
    fn stop(mut self) -> Vec<Value> {
        drop(self.child.stdin.take());
        // Bounded: a receiver that does not exit is killed by `drop`.
        let mut status = None;
        for _ in 0..500 {
            status = self.child.try_wait().unwrap();
            if status.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let status = status.expect("the receiver did not exit when its stdin closed");
        assert!(status.success(), "{status}");
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        let _ = std::fs::remove_file(&self.out);
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one raw HTTP/1.1 POST and returns the response's status line.
fn post(port: u16, path: &str, content_type: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.lines().next().unwrap_or_default().to_owned()
}

// ---------------------------------------------------------------------------------------
// The pipelines and the calls.

/// The three OTLP/HTTP protobuf pipelines, to the receiver.
struct Pipelines {
    traces: SdkTracerProvider,
    logs: SdkLoggerProvider,
    metrics: SdkMeterProvider,
}

impl Pipelines {
    fn new(receiver: &Receiver) -> Pipelines {
        let spans = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(receiver.endpoint("traces"))
            .build()
            .unwrap();
        let logs = opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(receiver.endpoint("logs"))
            .build()
            .unwrap();
        let metrics = opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(receiver.endpoint("metrics"))
            .build()
            .unwrap();
        Pipelines {
            traces: SdkTracerProvider::builder()
                .with_batch_exporter(spans)
                .build(),
            logs: SdkLoggerProvider::builder()
                .with_batch_exporter(logs)
                .build(),
            metrics: SdkMeterProvider::builder()
                .with_reader(PeriodicReader::builder(metrics).build())
                .build(),
        }
    }

    /// The `tracing` subscriber, as in `support`: the tracing-opentelemetry layer adds
    /// nothing of its own, and our own events stay out of it.
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
        let layer = tracing_opentelemetry::layer()
            .with_tracer(self.traces.tracer("test_otlp"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_target(false)
            .with_filter(error_otel::skip_own_events());
        tracing_subscriber::registry().with(layer)
    }

    /// Flushes and shuts down the three pipelines: everything has been sent and answered
    /// when this returns.
    fn shutdown(self) {
        self.traces.force_flush().unwrap();
        self.logs.force_flush().unwrap();
        self.metrics.force_flush().unwrap();
        self.traces.shutdown().unwrap();
        self.logs.shutdown().unwrap();
        self.metrics.shutdown().unwrap();
    }
}

/// One call through `OtelLayer` over the retry layer, to `backend`.
async fn call(otel: &OtelLayer, backend: &Backend) -> Result<u64, error_core::Error> {
    ServiceBuilder::new()
        .layer(
            otel.clone()
                .around_retry(RetryLayer::new().assume_idempotent().seed(7)),
        )
        .service(backend.service())
        .oneshot(5)
        .await
}

// ---------------------------------------------------------------------------------------
// Reading what arrived.

/// The items at `path` (a list of field names, each holding a list) in every request of
/// `signal`, in the order they arrived: e.g. the spans of all trace requests.
fn items(lines: &[Value], signal: &str, path: &[&str]) -> Vec<Value> {
    let mut found: Vec<Value> = lines
        .iter()
        .filter(|line| line["signal"] == signal)
        .map(|line| line["body"].clone())
        .collect();
    for field in path {
        found = found
            .iter()
            .flat_map(|value| value[*field].as_array().cloned().unwrap_or_default())
            .collect();
    }
    found
}

/// An OTLP attribute list as a sorted map from key to its `AnyValue`.
fn attributes(value: &Value) -> BTreeMap<String, Value> {
    value["attributes"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|kv| (kv["key"].as_str().unwrap().to_owned(), kv["value"].clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn expect<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

fn string(value: &str) -> Value {
    json!({ "stringValue": value })
}

/// The names of a span's events.
fn event_names(span: &Value) -> Vec<String> {
    span["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The `classified.retry` events' attributes, with the delay checked against the gap the
/// backend saw (the timer rounds a delay up to the next millisecond) and then removed.
fn retry_events(span: &Value, backend: &Backend) -> Vec<BTreeMap<String, Value>> {
    let gaps: Vec<f64> = backend.gaps().iter().map(Duration::as_secs_f64).collect();
    let events: Vec<_> = span["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["name"] == "classified.retry")
        .collect();
    assert_eq!(events.len(), gaps.len());
    events
        .iter()
        .zip(gaps)
        .map(|(event, gap)| {
            let mut attributes = attributes(event);
            let delay = attributes.remove("classified.delay").unwrap()["doubleValue"]
                .as_f64()
                .unwrap();
            assert!(
                delay > 0.0 && gap >= delay && gap - delay < 0.001,
                "{gap} {delay}"
            );
            attributes
        })
        .collect()
}

fn retry_event(attempt: u32) -> BTreeMap<String, Value> {
    expect([
        // int64 is a string in protobuf's JSON mapping.
        (
            "classified.attempt",
            json!({ "intValue": attempt.to_string() }),
        ),
        ("classified.class", string("transient")),
        ("classified.code", string(CODE)),
    ])
}

/// The exception's attributes, on the span event and on the log record alike.
fn exception() -> BTreeMap<String, Value> {
    let (file, line, column) = MADE_AT;
    expect([
        (
            "exception.type",
            string("test_otlp::support::backend::BackendError"),
        ),
        ("exception.message", string(MESSAGE)),
        (
            "exception.stacktrace",
            string(&format!(
                "node is down, node=2 (transient, BackendError::NodeDown) at {file}:{line}:{column}"
            )),
        ),
        ("code.file.path", string(file)),
        // int64 is a string in protobuf's JSON mapping.
        ("code.line.number", json!({ "intValue": line.to_string() })),
        (
            "code.column.number",
            json!({ "intValue": column.to_string() }),
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn spans_logs_and_metrics_arrive_over_otlp_http_as_the_conventions_say() {
    let receiver = Receiver::start("pipelines");
    let pipelines = Pipelines::new(&receiver);
    let meter = pipelines.metrics.meter("test_otlp");
    let otel = OtelLayer::new(Operation::RPC_CLIENT)
        .recorder(
            Recorder::new(Operation::RPC_CLIENT)
                .exception_signal(ExceptionSignal::Both)
                .logger_provider(&pipelines.logs),
        )
        .metrics(OtelMetrics::new(&meter, &Operation::RPC_CLIENT));
    let failing = Backend::failing(u32::MAX);
    let flaky = Backend::failing(2);

    // Paused time: the retry layer's backoffs take no real time.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let (first, second) = tracing::subscriber::with_default(pipelines.subscriber(), || {
        runtime.block_on(async { (call(&otel, &failing).await, call(&otel, &flaky).await) })
    });
    assert_eq!(first.unwrap_err().to_string(), MESSAGE);
    assert_eq!(second.unwrap(), 5);
    assert_eq!((failing.calls(), flaky.calls()), (4, 3));
    drop(runtime);
    pipelines.shutdown();
    let lines = receiver.stop();

    let failed = check_spans(&lines, &failing, &flaky);
    check_log(&lines, &failed);
    check_metrics(&lines);
}

/// The spans: the failed call, then the one that succeeded on its third attempt. Returns
/// the failed one.
fn check_spans(lines: &[Value], failing: &Backend, flaky: &Backend) -> Value {
    let spans = items(lines, "traces", &["resourceSpans", "scopeSpans", "spans"]);
    assert_eq!(spans.len(), 2, "{spans:#?}");
    for span in &spans {
        assert_eq!(span["name"], "rpc.client.call");
        assert_eq!(span["kind"], "SPAN_KIND_CLIENT");
    }
    let (failed, succeeded) = (&spans[0], &spans[1]);

    assert_eq!(
        failed["status"],
        json!({ "code": "STATUS_CODE_ERROR", "message": MESSAGE })
    );
    assert_eq!(
        attributes(failed),
        expect([
            ("error.type", string("UNAVAILABLE")),
            ("classified.code", string(CODE)),
            ("classified.class", string("transient")),
            ("classified.retriable", json!({ "boolValue": true })),
            ("rpc.response.status_code", string("UNAVAILABLE")),
            ("classified.field.node", string("2")),
            ("classified.give_up", string("exhausted")),
        ])
    );
    assert_eq!(
        event_names(failed),
        [
            "classified.retry",
            "classified.retry",
            "classified.retry",
            "exception"
        ]
    );
    assert_eq!(
        retry_events(failed, failing),
        [retry_event(1), retry_event(2), retry_event(3)]
    );
    assert_eq!(attributes(&failed["events"][3]), exception());

    // A success after retries: status unset (protobuf's JSON leaves the default out), no
    // `error.type`, no attribute at all, the two retries as events.
    assert_eq!(succeeded["status"], json!({}));
    assert_eq!(attributes(succeeded), expect([]));
    assert_eq!(
        event_names(succeeded),
        ["classified.retry", "classified.retry"]
    );
    assert_eq!(
        retry_events(succeeded, flaky),
        [retry_event(1), retry_event(2)]
    );
    failed.clone()
}

/// The exception's log record, tied to the failed span.
fn check_log(lines: &[Value], failed: &Value) {
    let logs = items(lines, "logs", &["resourceLogs", "scopeLogs", "logRecords"]);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    let log = &logs[0];
    assert_eq!(log["eventName"], "rpc.client.call.exception");
    assert_eq!(log["severityNumber"], "SEVERITY_NUMBER_WARN");
    assert_eq!(log["severityText"], "WARN");
    // Ids are base64 in protobuf's JSON mapping: 16 and 8 bytes.
    assert_eq!(failed["traceId"].as_str().unwrap().len(), 24);
    assert_eq!(failed["spanId"].as_str().unwrap().len(), 12);
    assert_eq!(log["traceId"], failed["traceId"]);
    assert_eq!(log["spanId"], failed["spanId"]);
    assert_eq!(attributes(log), exception());
    assert!(log.get("body").is_none(), "{log:#?}");
}

/// The duration histogram and the retry counter. Every export is cumulative, so each
/// holds the same points.
fn check_metrics(lines: &[Value]) {
    let exports: Vec<_> = lines
        .iter()
        .filter(|line| line["signal"] == "metrics")
        .collect();
    assert!(!exports.is_empty());
    for export in exports {
        let metrics = items(
            std::slice::from_ref(export),
            "metrics",
            &["resourceMetrics", "scopeMetrics", "metrics"],
        );
        let named = |name: &str| -> Value {
            let found: Vec<_> = metrics.iter().filter(|m| m["name"] == name).collect();
            assert_eq!(found.len(), 1, "{name}: {metrics:#?}");
            found[0].clone()
        };

        let duration = named("rpc.client.call.duration");
        assert_eq!(duration["unit"], "s");
        let mut points: Vec<_> = duration["histogram"]["dataPoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|point| {
                let bounds: Vec<f64> = point["explicitBounds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|bound| bound.as_f64().unwrap())
                    .collect();
                assert_eq!(bounds, error_otel::semconv::DURATION_BOUNDARIES);
                // uint64 is a string in protobuf's JSON mapping.
                (attributes(point), point["count"].clone())
            })
            .collect();
        points.sort_by_key(|(attributes, _)| attributes.is_empty());
        assert_eq!(
            points,
            [
                (expect([("error.type", string("UNAVAILABLE"))]), json!("1")),
                (expect([]), json!("1")),
            ]
        );

        let retries = named("classified.retries");
        assert_eq!(retries["sum"]["isMonotonic"], true);
        let points: Vec<_> = retries["sum"]["dataPoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|point| (attributes(point), point["asInt"].clone()))
            .collect();
        assert_eq!(
            points,
            [(
                expect([
                    ("classified.class", string("transient")),
                    ("classified.code", string(CODE)),
                ]),
                json!("5")
            )]
        );
    }
}

#[test]
fn the_receiver_answers_400_to_a_malformed_payload() {
    let receiver = Receiver::start("malformed");
    // Field 1, length-delimited, says 5 bytes and has 1: no valid request.
    let garbage = [0x0a, 0x05, 0x01];
    assert_eq!(
        post(
            receiver.port,
            "/v1/traces",
            "application/x-protobuf",
            &garbage
        ),
        "HTTP/1.0 400 Bad Request"
    );
    assert_eq!(
        post(receiver.port, "/v1/traces", "application/json", b"{}"),
        "HTTP/1.0 400 Bad Request"
    );
    assert_eq!(
        post(receiver.port, "/v1/profiles", "application/x-protobuf", b""),
        "HTTP/1.0 404 Not Found"
    );
    // An empty request is a valid one: the receiver is not refusing everything.
    assert_eq!(
        post(receiver.port, "/v1/traces", "application/x-protobuf", b""),
        "HTTP/1.0 200 OK"
    );
    assert_eq!(receiver.stop(), [json!({ "signal": "traces", "body": {} })]);
}
