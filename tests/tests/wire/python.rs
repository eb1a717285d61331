//! The official Python gRPC stack as a peer, both ways: its client reads our rich statuses
//! with `grpc_status.rpc_status.from_call`, and our client reads the rich status its server
//! makes with `rpc_status.to_status`, and retries after its hint.
//!
//! Python: `ERROR_WIRE_PYTHON` when set (`.ci/run` sets it to its virtual environment);
//! otherwise a virtual environment made here, under Cargo's target directory, with
//! `pip install grpcio grpcio-status googleapis-common-protos protobuf` (which needs the
//! Python Package Index once).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use error_core::wire::grpc::{self as wire, Encoder};
use error_core::{Class, ClassifiedError};
use error_tower::retry::{RetryEvent, RetryLayer};
use examples::cluster::KvError;
use examples::cluster::grpc::{self, Call, Handler, KeyValue, KvClient, Method, Reply};
use serde_json::{Value, json};
use tower::Layer as _;

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wire/peer");

/// The Python interpreter with grpcio, grpcio-status and googleapis-common-protos.
fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Some(python) = std::env::var_os("ERROR_WIRE_PYTHON") {
                return python.into();
            }
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("grpc-peer-venv");
            let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
            // Written once pip has succeeded: a half-made environment is made again.
            let installed = venv.join("wire-peer-installed");
            if !installed.exists() {
                run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
                run(Command::new(bin.join("pip")).args([
                    "install",
                    "-q",
                    "grpcio",
                    "grpcio-status",
                    "googleapis-common-protos",
                    "protobuf",
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

/// Our server: each key names the error it fails with.
async fn our_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let encoder = Arc::new(Encoder::new("kv.test.example"));
    let handler: Handler = Arc::new(move |call: Call| {
        let error = match call.request.key.as_str() {
            "busy" => KvError::Busy { pending: 128 },
            "not-leader" => KvError::NotLeader { leader_hint: 3 },
            "missing" => KvError::NotFound {
                key: "missing".into(),
                tenant: crate::support::SECRET.into(),
            },
            _ => KvError::EmptyKey,
        };
        let status = encoder.encode(&error);
        Box::pin(async move { Err::<Reply, _>(status) })
    });
    tokio::spawn(grpc::serve(listener, handler));
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_client_unpacks_our_error_info_and_retry_info() {
    let addr = our_server().await;
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(format!("{PEER}/client.py"))
            .arg(addr.port().to_string())
            .args(["busy", "not-leader", "missing", ""])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({
                "key": "busy",
                "code": "RESOURCE_EXHAUSTED",
                "message": "too many pending proposals. pending=`128`",
                "trailers": {"grpc-retry-pushback-ms": "50"},
                "details": [
                    {
                        "type": "ErrorInfo",
                        "reason": "RAFT_BUSY",
                        "domain": "kv.test.example",
                        "metadata": {"code": "raft.busy", "class": "busy", "pending": "128"},
                    },
                    {"type": "RetryInfo", "seconds": 0, "nanos": 50_000_000},
                ],
            }),
            json!({
                "key": "not-leader",
                "code": "UNAVAILABLE",
                "message": "not the leader. leader_hint=`3`",
                "trailers": {},
                "details": [{
                    "type": "ErrorInfo",
                    "reason": "RAFT_NOT_LEADER",
                    "domain": "kv.test.example",
                    "metadata": {"code": "raft.not_leader", "class": "redirect", "leader_hint": "3"},
                }],
            }),
            json!({
                "key": "missing",
                "code": "NOT_FOUND",
                "message": "key not found. key=`missing`, tenant=`<redacted>`",
                "trailers": {},
                "details": [{
                    "type": "ErrorInfo",
                    "reason": "KV_NOT_FOUND",
                    "domain": "kv.test.example",
                    "metadata": {"code": "kv.not_found", "class": "invalid", "key": "missing"},
                }],
            }),
            json!({
                "key": "",
                "code": "INVALID_ARGUMENT",
                "message": "key is empty",
                "trailers": {},
                "details": [{
                    "type": "ErrorInfo",
                    "reason": "KV_EMPTY_KEY",
                    "domain": "kv.test.example",
                    "metadata": {"code": "kv.empty_key", "class": "invalid"},
                }],
            }),
        ]
    );
}

/// The Python server, running; stopped (stdin closed, then killed) when dropped.
struct PythonServer {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl PythonServer {
    fn start(failures: u32) -> PythonServer {
        let log = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("grpc-peer-server-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&log);
        let mut child = Command::new(python())
            .arg(format!("{PEER}/server.py"))
            .arg(failures.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // The first line is the port, printed once the server listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the server printed no port: {line:?}"));
        PythonServer { child, port, log }
    }

    /// The monotonic time of each call the server received, in seconds.
    fn call_times(&self) -> Vec<f64> {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["t"]
                    .as_f64()
                    .unwrap()
            })
            .collect()
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_decodes_a_python_servers_rich_status_and_retries_after_its_hint() {
    let server = tokio::task::spawn_blocking(|| PythonServer::start(3))
        .await
        .unwrap();
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], server.port));
    let client = KvClient::new(addr).unwrap();
    let request = || KeyValue {
        key: "a".into(),
        value: String::new(),
    };

    // One call: what our decoder makes of the status Python made.
    let status = client
        .clone()
        .call(Method::Get, request(), http::HeaderMap::new())
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    let error = wire::decode(&status);
    let remote = error.remote().unwrap();
    assert_eq!(error.class(), Class::Busy);
    assert_eq!(error.code(), "peer.queue_full");
    assert_eq!(error.retry_after(), Some(Duration::from_millis(200)));
    // Python's message does not show the field; the decoded error's does.
    assert_eq!(remote.message(), "queue full");
    assert_eq!(error.to_string(), "queue full. queue=`ingest`");
    assert_eq!(remote.domain(), Some("peer.python.example"));
    assert_eq!(remote.reason(), Some("QUEUE_FULL"));
    assert_eq!(remote.field("queue"), Some("ingest"));
    assert!(remote.rejections().is_empty());

    // Through the retry layer, with tonic::Status as the error: two more busy answers,
    // each retried after its 200 ms hint, then the reply.
    let heard = Arc::new(Mutex::new(Vec::new()));
    let events = Arc::clone(&heard);
    let retry =
        RetryLayer::new()
            .seed(5)
            .assume_idempotent()
            .on_retry(move |event: &RetryEvent| {
                events
                    .lock()
                    .unwrap()
                    .push((event.class, event.code, event.delay));
            });
    let service = tower::service_fn(move |request: KeyValue| {
        let mut client = client.clone();
        async move {
            client
                .call(Method::Get, request, http::HeaderMap::new())
                .await
        }
    });
    let reply = tower::ServiceExt::oneshot(retry.layer(service), request())
        .await
        .unwrap();
    assert_eq!(
        reply,
        Reply {
            value: "from python".into(),
            node: 7
        }
    );
    // Each after the hint, and the retry layer's jitter after it: at most a fifth more.
    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 2);
    for (class, code, delay) in heard {
        assert_eq!((class, code), (Class::Busy, "peer.queue_full"));
        assert!(
            delay >= Duration::from_millis(200) && delay <= Duration::from_millis(240),
            "{delay:?}"
        );
    }

    // The server saw the retries no sooner than the hint.
    let times = server.call_times();
    assert_eq!(times.len(), 4);
    for pair in times[1..].windows(2) {
        assert!(pair[1] - pair[0] >= 0.2, "{times:?}");
    }
}
