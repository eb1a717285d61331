//! The `cluster` demo with an OTLP endpoint: its spans reach a collector over OTLP/HTTP, one
//! trace per call across the client and the servers.
//!
//! The collector is error-otel's receiver (`error-otel/tests/otlp/receiver.py`), which
//! decodes what arrives with the official schema (`opentelemetry-proto`). Python:
//! `ERROR_OTEL_PYTHON` when set (`.ci/run` sets it to its virtual environment); otherwise
//! the virtual environment error-otel's OTLP test makes, under Cargo's target directory
//! (`pip install opentelemetry-proto protobuf grpcio`, which needs the Python Package Index
//! once).
//!
//! A test binary of its own: Cargo runs test binaries one after another, so this run of the
//! demo never shares the machine with `test_cluster.rs`'s.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const RECEIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../error-otel/tests/otlp/receiver.py"
);

/// The Python interpreter that has the official schema.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("ERROR_OTEL_PYTHON") {
        return python.into();
    }
    // The same environment, and the same marker, as error-otel's tests/test_otlp.rs.
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("otlp-venv");
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
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
    fn start() -> Receiver {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("otlp-cluster-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&out);
        let mut child = Command::new(python())
            .arg(RECEIVER)
            .arg(&out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // The first line is the port; the socket listens before it is printed.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the receiver printed no port: {line:?}"));
        Receiver { child, port, out }
    }

    /// Closes the receiver's stdin, which stops it, and returns the requests it decoded.
    fn stop(mut self) -> Vec<Value> {
        drop(self.child.stdin.take());
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

/// One span as the collector received it.
#[derive(Debug)]
struct Span {
    kind: String,
    name: String,
    trace: String,
    id: String,
    parent: Option<String>,
    service: Option<String>,
}

fn spans(requests: &[Value]) -> Vec<Span> {
    let mut out = Vec::new();
    for request in requests {
        assert_eq!(request["signal"], "traces", "{request}");
        for resource in request["body"]["resourceSpans"].as_array().unwrap() {
            let service = resource["resource"]["attributes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|kv| kv["key"] == "service.name")
                .and_then(|kv| kv["value"]["stringValue"].as_str())
                .map(str::to_owned);
            for scope in resource["scopeSpans"].as_array().unwrap() {
                for span in scope["spans"].as_array().unwrap() {
                    let text = |key: &str| span[key].as_str().map(str::to_owned);
                    out.push(Span {
                        kind: text("kind").unwrap(),
                        name: text("name").unwrap(),
                        trace: text("traceId").unwrap(),
                        id: text("spanId").unwrap(),
                        parent: text("parentSpanId"),
                        service: service.clone(),
                    });
                }
            }
        }
    }
    out
}

#[test]
fn one_trace_per_call_reaches_an_otlp_collector() {
    let receiver = Receiver::start();
    let endpoint = format!("http://127.0.0.1:{}", receiver.port);
    let report = examples::cluster::run_exporting(Some(&endpoint)).unwrap();
    assert_eq!(report.export, "memory and OTLP/HTTP");
    let spans = spans(&receiver.stop());

    // Every span the in-memory check counted arrived, from the demo's service.
    let count = |kind: &str| spans.iter().filter(|s| s.kind == kind).count();
    assert_eq!(count("SPAN_KIND_CLIENT"), report.traces.client_spans);
    assert_eq!(count("SPAN_KIND_SERVER"), report.traces.server_spans);
    assert_eq!(
        (count("SPAN_KIND_CLIENT"), count("SPAN_KIND_SERVER")),
        (16, 23)
    );
    assert_eq!(spans.len(), 39);
    assert!(
        spans
            .iter()
            .all(|s| s.service.as_deref() == Some("kv-cluster-example"))
    );

    // One trace per call: its client span, the root, and a server span per attempt that
    // reached a node, each a child of the client span across the socket.
    let mut traces: BTreeMap<&str, Vec<&Span>> = BTreeMap::new();
    for span in &spans {
        traces.entry(&span.trace).or_default().push(span);
    }
    assert_eq!(traces.len(), 16);
    let mut servers_per_call = Vec::new();
    for trace in traces.values() {
        let clients: Vec<&&Span> = trace
            .iter()
            .filter(|s| s.kind == "SPAN_KIND_CLIENT")
            .collect();
        assert_eq!(clients.len(), 1, "{trace:#?}");
        let client = clients[0];
        assert_eq!(client.name, "rpc.client.call");
        assert_eq!(client.parent, None);
        let servers: Vec<&&Span> = trace
            .iter()
            .filter(|s| s.kind == "SPAN_KIND_SERVER")
            .collect();
        for server in &servers {
            assert_eq!(server.name, "rpc.server.call");
            assert_eq!(server.parent.as_deref(), Some(client.id.as_str()));
        }
        servers_per_call.push(servers.len());
    }
    // 12 calls reached one node once; the redirected, the retried and the election's
    // calls, more.
    servers_per_call.sort_unstable();
    assert_eq!(
        servers_per_call,
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4]
    );
}
