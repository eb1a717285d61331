//! The main demo: a three-node, raft-like key-value service on localhost ports (tonic, over
//! real sockets), and a client built from the whole stack, driven through five phases.
//!
//! Run it with `cargo run -p examples --example cluster`.
//!
//! # The stack
//!
//! ```text
//! OtelLayer      one rpc.client.call span per call, its retries as events; the trace
//!                context goes to the servers in each attempt's metadata
//! RetryLayer     redirect at once to the leader hint in the details; transient with
//!                backoff; busy after the server's RetryInfo; nothing else
//! BreakerLayer   opens after 4 failures in a row, fails fast with busy and a hint
//! Router         a tonic channel per node (behind GrpcSanitizeLayer); sends each call
//!                to the node it believes leads, and tries the next one when a node is
//!                unreachable
//! ```
//!
//! The service's error is `tonic::Status` all the way up: the servers send their
//! [`KvError`]s as rich statuses (`error_core::wire::grpc`), and `tonic::Status` is a
//! `ClassifiedError`, so the retry layer, the breaker and the recorder read the server's
//! class, code, hint and fields with no glue. The breaker's own refusal becomes a rich
//! status too (`From<error_core::Error> for tonic::Status`), with its hint.
//!
//! # The cluster
//!
//! Each node is a tonic server on its own thread and runtime, so that killing it (dropping
//! its runtime) closes its listener and every connection at once, as a crash does. The
//! raft state is simulated (one shared [`State`]): who leads, an election in progress, an
//! overload, the replicated data. A follower answers `NotLeader` with the leader's id in
//! the details; during an election every node answers `NoLeader`; an overloaded leader
//! answers `Busy` with a `RetryInfo` of [`BUSY_HINT`]. Each server opens an
//! `rpc.server.call` span whose parent is the trace context the client sent.
//!
//! # The phases
//!
//! 1. Steady state: every call is one request to the leader.
//! 2. Leadership moves from node 1 to node 2: the first call is redirected once.
//! 3. Overload: the leader rejects its next three requests `busy`, with a 50 ms hint; the
//!    first call is retried after each hint and succeeds on its fourth attempt.
//! 4. Node 2, the leader, is killed. The first call finds it unreachable (`transient`), moves
//!    on to node 3, which is in an election and answers `NoLeader` until it wins it: four
//!    failures in a row open the breaker and the call gives up. The next call is refused by
//!    the open breaker with a hint, comes back as the breaker turns half-open, and closes it
//!    on node 3. Node 2 restarts on its port and wins leadership back: the next call is
//!    redirected to it.
//! 5. Bad requests (an empty key, a key that does not exist): `invalid`, never retried, and
//!    not held against the cluster by the breaker.
//!
//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the spans also go over OTLP/HTTP: one trace per
//! call, holding the client's span and a span per attempt that reached a server
//! ([`run_exporting`] takes the endpoint as an argument;
//! `examples/tests/test_cluster_otlp.rs` checks what a collector receives).
//!
//! # What the demo checks
//!
//! Every call is sequential, so the counts of each phase are the same on every run (only
//! the durations vary): [`Report`] holds them, and `examples/tests/test_cluster.rs` asserts
//! them. The traces are checked at the end from an in-memory exporter: one trace per call,
//! every server span in the trace of the call that sent it, and the server's code as the
//! client span's `error.type` on a failed call.

pub mod grpc;

use std::collections::{BTreeMap, HashSet};
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use error_core::wire::grpc::Encoder;
use error_core::{ClassifiedError, Report as ErrorReport};
use error_otel::{Deviation, Operation, OtelLayer, Recorder, propagation};
use error_tower::breaker::{BreakerHandle, BreakerLayer, State as BreakerState, StateChange};
use error_tower::budget::Budget;
use error_tower::retry::{
    GiveUpEvent, IdempotentRequest, OnGiveUp as _, OnRetry as _, RetryEvent, RetryLayer,
};
use opentelemetry::trace::{SpanKind, TraceId, TracerProvider as _};
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tower::{Service, ServiceBuilder, ServiceExt as _};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

use self::grpc::{BoxFuture, Call, Handler, KeyValue, KvClient, Method, Reply};

/// A node's id: 1, 2 or 3.
pub type NodeId = u64;

/// The nodes of the cluster.
pub const NODES: [NodeId; 3] = [1, 2, 3];

/// The servers' `ErrorInfo.domain`.
pub const DOMAIN: &str = "kv.cluster.example";

/// The hint of an overloaded leader's `busy`.
pub const BUSY_HINT: Duration = Duration::from_millis(50);

/// How long the breaker stays open.
pub const BREAKER_OPEN: Duration = Duration::from_millis(300);

/// Failures in a row that open the breaker.
pub const BREAKER_FAILURES: u32 = 4;

/// The limit on each call, retries and waits included.
pub const CALL_DEADLINE: Duration = Duration::from_secs(3);

/// How many `NoLeader` answers the survivors give before node 3 wins the election.
pub const ELECTION_REFUSALS: u32 = 3;

/// The seed of the retry layer's jitter.
pub const SEED: u64 = 11;

/// What a node answers when it does not serve a call.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum KvError {
    /// This node is a follower, and knows which node leads.
    #[error("not the leader")]
    #[class(redirect, code = "raft.not_leader")]
    NotLeader {
        /// The node that leads.
        leader_hint: NodeId,
    },
    /// No node leads: an election is under way.
    #[error("no leader")]
    #[class(transient, code = "raft.no_leader")]
    NoLeader,
    /// The leader's proposal queue is full.
    #[error("too many pending proposals")]
    #[class(busy, code = "raft.busy", retry_after_ms = 50)]
    Busy {
        /// Proposals waiting.
        pending: u32,
    },
    /// The key is empty.
    #[error("key is empty")]
    #[class(invalid, code = "kv.empty_key")]
    EmptyKey,
    /// No value under the key.
    #[error("key not found")]
    #[class(invalid, status = not_found, code = "kv.not_found")]
    NotFound {
        /// The key.
        key: String,
        /// The tenant that asked: redacted, so never on the wire.
        #[kv(redact)]
        tenant: error_core::Secret<String>,
    },
}

/// The simulated raft state, shared by the nodes.
#[derive(Debug, Default)]
pub struct State {
    leader: Option<NodeId>,
    /// Who wins the election in progress, and after how many more refusals.
    election: Option<(NodeId, u32)>,
    /// Busy answers the leader still gives.
    busy: u32,
    data: BTreeMap<String, String>,
    /// Requests each node received.
    requests: [u64; 3],
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn index(node: NodeId) -> usize {
    usize::try_from(node.saturating_sub(1)).unwrap_or(0).min(2)
}

/// The raft-like rules of one node.
fn serve_call(state: &Mutex<State>, node: NodeId, call: &Call) -> Result<Reply, KvError> {
    let mut state = lock(state);
    state.requests[index(node)] += 1;
    let key = &call.request.key;
    if key.is_empty() {
        return Err(KvError::EmptyKey);
    }
    let Some(leader) = state.leader else {
        if let Some((winner, left)) = state.election {
            let left = left.saturating_sub(1);
            state.election = Some((winner, left));
            if left == 0 {
                state.leader = Some(winner);
                state.election = None;
            }
        }
        return Err(KvError::NoLeader);
    };
    if leader != node {
        return Err(KvError::NotLeader {
            leader_hint: leader,
        });
    }
    if state.busy > 0 {
        state.busy -= 1;
        return Err(KvError::Busy { pending: 128 });
    }
    let value = match call.method {
        Method::Put => {
            state.data.insert(key.clone(), call.request.value.clone());
            call.request.value.clone()
        }
        Method::Get => state
            .data
            .get(key)
            .cloned()
            .ok_or_else(|| KvError::NotFound {
                key: key.clone(),
                tenant: "acme-secret-tenant".into(),
            })?,
    };
    Ok(Reply { value, node })
}

static SERVER: LazyLock<Recorder> = LazyLock::new(|| Recorder::new(Operation::RPC_SERVER));
static ENCODER: LazyLock<Encoder> = LazyLock::new(|| Encoder::new(DOMAIN));

/// Node `node`'s handler: a server span under the client's trace, the raft rules, and the
/// error as a rich status.
fn handler(state: Arc<Mutex<State>>, node: NodeId) -> Handler {
    Arc::new(
        move |call: Call| -> BoxFuture<Result<Reply, tonic::Status>> {
            let span = error_otel::operation_span!(
                SERVER,
                rpc.method = call.method.name(),
                kv.node = node
            );
            // Without a tracing-opentelemetry layer the span has no parent to take: fine.
            let _ = propagation::set_parent(&span, propagation::extract(&call.headers));
            let result = span.in_scope(|| serve_call(&state, node, &call));
            let result = result.map_err(|error| {
                SERVER.record(&span, &error);
                ENCODER.encode(&error)
            });
            Box::pin(async move { result })
        },
    )
}

/// A node's server, on its own thread and runtime.
struct NodeThread {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl NodeThread {
    /// Starts node `node` on `addr` (port 0: any) and returns once it listens.
    fn start(
        node: NodeId,
        addr: SocketAddr,
        state: Arc<Mutex<State>>,
        dispatch: tracing::Dispatch,
    ) -> std::io::Result<(NodeThread, SocketAddr)> {
        let (bound_tx, bound_rx) = std::sync::mpsc::channel();
        let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("node-{node}"))
            .spawn(move || {
                let _subscriber = tracing::dispatcher::set_default(&dispatch);
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = bound_tx.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = tokio::net::TcpSocket::new_v4().and_then(|socket| {
                        // The same port again after a restart, past the old connections'
                        // TIME_WAIT.
                        socket.set_reuseaddr(true)?;
                        socket.bind(addr)?;
                        socket.listen(128)
                    });
                    let listener = match listener {
                        Ok(listener) => listener,
                        Err(error) => {
                            let _ = bound_tx.send(Err(error));
                            return;
                        }
                    };
                    let _ = bound_tx.send(listener.local_addr());
                    tokio::select! {
                        _ = grpc::serve(listener, handler(state, node)) => {}
                        _ = shutdown_rx => {}
                    }
                });
                // Dropping the runtime drops every connection task: a crash, not a drain.
                drop(runtime);
            })?;
        let addr = bound_rx
            .recv()
            .map_err(|_| std::io::Error::other("the node's thread ended before it listened"))??;
        Ok((
            NodeThread {
                shutdown: Some(shutdown),
                thread: Some(thread),
            },
            addr,
        ))
    }

    /// Kills the node and waits until its sockets are closed.
    fn kill(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for NodeThread {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The three nodes.
struct Cluster {
    state: Arc<Mutex<State>>,
    addrs: Vec<SocketAddr>,
    threads: Vec<NodeThread>,
    dispatch: tracing::Dispatch,
}

impl Cluster {
    fn start(dispatch: tracing::Dispatch) -> std::io::Result<Cluster> {
        let state = Arc::new(Mutex::new(State {
            leader: Some(1),
            ..State::default()
        }));
        let mut cluster = Cluster {
            state,
            addrs: Vec::new(),
            threads: Vec::new(),
            dispatch,
        };
        for node in NODES {
            let (thread, addr) = NodeThread::start(
                node,
                SocketAddr::from(([127, 0, 0, 1], 0)),
                Arc::clone(&cluster.state),
                cluster.dispatch.clone(),
            )?;
            cluster.addrs.push(addr);
            cluster.threads.push(thread);
        }
        Ok(cluster)
    }

    fn kill(&mut self, node: NodeId) {
        if let Some(thread) = self.threads.get_mut(index(node)) {
            thread.kill();
        }
    }

    fn restart(&mut self, node: NodeId) -> std::io::Result<()> {
        let (thread, _) = NodeThread::start(
            node,
            self.addrs[index(node)],
            Arc::clone(&self.state),
            self.dispatch.clone(),
        )?;
        self.threads[index(node)] = thread;
        Ok(())
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut lock(&self.state))
    }

    fn requests(&self) -> [u64; 3] {
        lock(&self.state).requests
    }
}

/// One call of the client.
#[derive(Clone, Debug)]
pub struct KvCall {
    /// The method.
    pub method: Method,
    /// The key.
    pub key: String,
    /// The value, for a `Put`.
    pub value: String,
}

impl KvCall {
    fn get(key: &str) -> KvCall {
        KvCall {
            method: Method::Get,
            key: key.to_owned(),
            value: String::new(),
        }
    }

    fn put(key: &str, value: &str) -> KvCall {
        KvCall {
            method: Method::Put,
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }
}

impl fmt::Display for KvCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.method {
            Method::Get => write!(f, "get {:?}", self.key),
            Method::Put => write!(f, "put {:?}={:?}", self.key, self.value),
        }
    }
}

/// Reads and puts of a key-value store are idempotent: a put writes the same value again.
impl IdempotentRequest for KvCall {
    fn is_idempotent(&self) -> bool {
        true
    }
}

/// Sends each call to the node the client believes leads: the last leader hint, or the
/// next node after one that could not be reached.
#[derive(Clone, Debug)]
struct Router {
    clients: Arc<Vec<KvClient>>,
    leader: Arc<AtomicU64>,
}

/// Whether `status` is the transport's (the node could not be reached), not a server's.
fn unreachable_node(status: &tonic::Status) -> bool {
    status.details().is_empty() && std::error::Error::source(status).is_some()
}

impl Service<KvCall> for Router {
    type Response = Reply;
    type Error = tonic::Status;
    type Future = BoxFuture<Result<Reply, tonic::Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), tonic::Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, call: KvCall) -> Self::Future {
        let node = self.leader.load(Ordering::Acquire);
        let mut client = self.clients[index(node)].clone();
        let leader = Arc::clone(&self.leader);
        // Each attempt carries the trace context of the call's span, current here.
        let mut headers = http::HeaderMap::new();
        propagation::inject_current(&mut headers);
        let request = KeyValue {
            key: call.key,
            value: call.value,
        };
        Box::pin(async move {
            let result = client.call(call.method, request, headers).await;
            if let Err(status) = &result {
                if unreachable_node(status) {
                    let next = NODES[(index(node) + 1) % NODES.len()];
                    let _ =
                        leader.compare_exchange(node, next, Ordering::AcqRel, Ordering::Acquire);
                }
            }
            result
        })
    }
}

/// What the client's hooks heard in one phase.
#[derive(Debug, Default)]
struct Heard {
    retries: BTreeMap<&'static str, u32>,
    give_ups: BTreeMap<&'static str, u32>,
    breaker: Vec<StateChange>,
    attempts: u32,
}

/// What one phase showed.
#[derive(Debug, Default)]
pub struct Phase {
    /// The phase's title.
    pub title: String,
    /// One line per call: what the client saw.
    pub calls: Vec<String>,
    /// Calls that succeeded.
    pub ok: u32,
    /// Calls that failed, and their codes.
    pub failed: Vec<&'static str>,
    /// Requests each node received.
    pub requests: [u64; 3],
    /// Retries by class.
    pub retries: BTreeMap<&'static str, u32>,
    /// Give-ups by reason.
    pub give_ups: BTreeMap<&'static str, u32>,
    /// The breaker's transitions, and its state at the end.
    pub breaker: Vec<(BreakerState, BreakerState)>,
    /// The breaker's state at the end of the phase.
    pub breaker_end: Option<BreakerState>,
    /// How long the phase took.
    pub elapsed: Duration,
}

/// What the traces showed.
#[derive(Debug, Default)]
pub struct Traces {
    /// Client spans (`rpc.client.call`): one per call.
    pub client_spans: usize,
    /// Distinct trace ids among them.
    pub traces: usize,
    /// Server spans.
    pub server_spans: usize,
    /// Server spans whose trace is one of the clients'.
    pub server_spans_in_a_call: usize,
    /// `error.type` of the failed client spans, in order.
    pub error_types: Vec<String>,
}

/// Everything the demo showed.
#[derive(Debug, Default)]
pub struct Report {
    /// The phases, in order.
    pub phases: Vec<Phase>,
    /// The trace check.
    pub traces: Traces,
    /// Where the spans also went.
    pub export: &'static str,
    /// How long the whole demo took.
    pub elapsed: Duration,
}

/// Builds the client: `OtelLayer` over `RetryLayer` over `BreakerLayer` over the router.
fn client(
    addrs: &[SocketAddr],
    heard: &Arc<Mutex<Heard>>,
) -> Result<
    (
        impl Service<KvCall, Response = Reply, Error = tonic::Status> + use<>,
        BreakerHandle,
    ),
    Box<dyn std::error::Error>,
> {
    let clients = addrs
        .iter()
        .map(|addr| KvClient::new(*addr))
        .collect::<Result<Vec<_>, _>>()?;
    let leader = Arc::new(AtomicU64::new(1));
    let router = Router {
        clients: Arc::new(clients),
        leader: Arc::clone(&leader),
    };
    let otel = OtelLayer::new(Operation::RPC_CLIENT).recorder(
        // The issue's choice: a client span's error.type is the server's code, which the
        // rich status carries; the conventions' default would be the status name.
        Recorder::new(Operation::RPC_CLIENT).deviate(Deviation::CodeAsErrorType),
    );
    let hooks = otel.retry_hooks();
    let give_up_hooks = hooks.clone();
    let redirect = move |_: &mut KvCall, status: &tonic::Status| {
        let hint = error_core::wire::grpc::decode(status)
            .remote()
            .and_then(|remote| remote.field("leader_hint"))
            .and_then(|hint| hint.parse::<NodeId>().ok());
        match hint {
            Some(hint) if NODES.contains(&hint) => {
                leader.store(hint, Ordering::Release);
                true
            }
            _ => false,
        }
    };
    let on_retry = {
        let heard = Arc::clone(heard);
        move |event: &RetryEvent| {
            *lock(&heard)
                .retries
                .entry(event.class.as_str())
                .or_default() += 1;
            hooks.on_retry(event);
        }
    };
    let on_give_up = {
        let heard = Arc::clone(heard);
        move |event: &GiveUpEvent| {
            *lock(&heard)
                .give_ups
                .entry(event.reason.as_str())
                .or_default() += 1;
            give_up_hooks.on_give_up(event);
        }
    };
    let budget = Budget::builder()
        .initial_balance(10)
        .max_balance(20)
        .min_per_sec(0)
        .build()?;
    let retry = RetryLayer::new()
        .seed(SEED)
        .deadline(CALL_DEADLINE)
        .budget(budget)
        .redirect(redirect)
        .on_retry(on_retry)
        .on_give_up(on_give_up);
    let breaker = BreakerLayer::builder()
        .consecutive_failures(BREAKER_FAILURES)
        .without_failure_rate()
        .open_interval(BREAKER_OPEN)
        .build()?
        .on_state_change({
            let heard = Arc::clone(heard);
            move |change: &StateChange| lock(&heard).breaker.push(*change)
        });
    let handle = breaker.handle();
    let stack = ServiceBuilder::new()
        .layer(otel)
        .layer(retry)
        .layer(breaker)
        .service(router);
    Ok((stack, handle))
}

/// Runs one phase's calls, in order, and what they showed.
async fn phase<S>(
    title: &str,
    calls: Vec<KvCall>,
    client: &mut S,
    cluster: &Cluster,
    heard: &Arc<Mutex<Heard>>,
    breaker: &BreakerHandle,
) -> Phase
where
    S: Service<KvCall, Response = Reply, Error = tonic::Status>,
{
    let started = Instant::now();
    let before = cluster.requests();
    *lock(heard) = Heard::default();
    let mut report = Phase {
        title: title.to_owned(),
        ..Phase::default()
    };
    for call in calls {
        let shown = call.to_string();
        let retries_before: u32 = lock(heard).retries.values().sum();
        let result = match client.ready().await {
            Ok(ready) => ready.call(call).await,
            Err(status) => Err(status),
        };
        let retries: u32 = lock(heard).retries.values().sum::<u32>() - retries_before;
        let attempts = retries + 1;
        lock(heard).attempts += attempts;
        let line = match result {
            Ok(reply) => {
                report.ok += 1;
                format!(
                    "{shown} -> ok {:?} from node {} ({attempts} attempt{})",
                    reply.value,
                    reply.node,
                    if attempts == 1 { "" } else { "s" }
                )
            }
            Err(status) => {
                let error = error_core::wire::grpc::decode(&status);
                report.failed.push(error.code());
                format!(
                    "{shown} -> {} {} `{}` ({attempts} attempt{})",
                    error.class(),
                    error.code(),
                    ErrorReport::new(&error),
                    if attempts == 1 { "" } else { "s" }
                )
            }
        };
        report.calls.push(line);
    }
    let after = cluster.requests();
    for (i, requests) in report.requests.iter_mut().enumerate() {
        *requests = after[i] - before[i];
    }
    let heard = std::mem::take(&mut *lock(heard));
    report.retries = heard.retries;
    report.give_ups = heard.give_ups;
    report.breaker = heard.breaker.iter().map(|c| (c.from, c.to)).collect();
    report.breaker_end = Some(breaker.state());
    report.elapsed = started.elapsed();
    report
}

/// The tracing pipeline: an in-memory exporter for the check, and OTLP/HTTP to
/// `{endpoint}/v1/traces` when there is an endpoint.
fn tracing_pipeline(
    endpoint: Option<&str>,
) -> Result<(SdkTracerProvider, InMemorySpanExporter, &'static str), Box<dyn std::error::Error>> {
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let memory = InMemorySpanExporter::default();
    let resource = opentelemetry_sdk::Resource::builder()
        .with_service_name("kv-cluster-example")
        .build();
    let mut builder = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_simple_exporter(memory.clone());
    let export = if let Some(endpoint) = endpoint {
        let otlp = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
            .build()?;
        builder = builder.with_batch_exporter(otlp);
        "memory and OTLP/HTTP"
    } else {
        "memory"
    };
    Ok((builder.build(), memory, export))
}

fn check_traces(memory: &InMemorySpanExporter) -> Traces {
    let spans = memory.get_finished_spans().unwrap_or_default();
    let clients: Vec<_> = spans
        .iter()
        .filter(|s| s.span_kind == SpanKind::Client)
        .collect();
    let client_traces: HashSet<TraceId> =
        clients.iter().map(|s| s.span_context.trace_id()).collect();
    let servers: Vec<_> = spans
        .iter()
        .filter(|s| s.span_kind == SpanKind::Server)
        .collect();
    Traces {
        client_spans: clients.len(),
        traces: client_traces.len(),
        server_spans: servers.len(),
        server_spans_in_a_call: servers
            .iter()
            .filter(|s| client_traces.contains(&s.span_context.trace_id()))
            .count(),
        error_types: clients
            .iter()
            .filter_map(|s| {
                s.attributes
                    .iter()
                    .find(|kv| kv.key.as_str() == error_otel::semconv::ERROR_TYPE)
                    .map(|kv| kv.value.to_string())
            })
            .collect(),
    }
}

/// Runs the demo and returns what it showed; with `OTEL_EXPORTER_OTLP_ENDPOINT` set (and
/// not empty), its spans also go there over OTLP/HTTP, as [`run_exporting`] says.
///
/// # Errors
///
/// When a node cannot start (no free port), or the pipelines cannot be built.
pub fn run() -> Result<Report, Box<dyn std::error::Error>> {
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
        .ok()
        .filter(|endpoint| !endpoint.is_empty());
    run_exporting(endpoint.as_deref())
}

/// Runs the demo and returns what it showed; with an `endpoint` (the base URL of an OTLP
/// collector, as in `OTEL_EXPORTER_OTLP_ENDPOINT`: `http://localhost:4318`), its spans also
/// go to `{endpoint}/v1/traces` over OTLP/HTTP, flushed before it returns.
///
/// # Errors
///
/// When a node cannot start (no free port), or the pipelines cannot be built.
pub fn run_exporting(endpoint: Option<&str>) -> Result<Report, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (provider, memory, export) = tracing_pipeline(endpoint)?;
    // Our spans only: the client's (error-otel's layer) and the servers' (this module's),
    // not the transport's own (h2, hyper, tower), which would add thousands per run.
    let ours = tracing_subscriber::filter::Targets::new()
        .with_target("error_otel", tracing::Level::INFO)
        .with_target(module_path!(), tracing::Level::INFO);
    let subscriber = tracing_subscriber::registry().with(
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("kv-cluster"))
            .with_filter(ours),
    );
    let dispatch = tracing::Dispatch::new(subscriber);
    let _subscriber = tracing::dispatcher::set_default(&dispatch);

    let mut cluster = Cluster::start(dispatch.clone())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let heard = Arc::new(Mutex::new(Heard::default()));
    let mut phases = Vec::new();
    runtime.block_on(async {
        let (mut client, breaker) = client(&cluster.addrs, &heard)?;
        let mut run_phase = async |title: &str, calls: Vec<KvCall>, cluster: &Cluster| {
            phase(title, calls, &mut client, cluster, &heard, &breaker).await
        };

        phases.push(
            run_phase(
                "1. steady state: node 1 leads",
                vec![
                    KvCall::put("a", "1"),
                    KvCall::put("b", "2"),
                    KvCall::get("a"),
                    KvCall::get("b"),
                ],
                &cluster,
            )
            .await,
        );

        cluster.with_state(|s| s.leader = Some(2));
        phases.push(
            run_phase(
                "2. leadership moves to node 2",
                vec![KvCall::put("c", "3"), KvCall::get("c"), KvCall::get("a")],
                &cluster,
            )
            .await,
        );

        cluster.with_state(|s| s.busy = 3);
        phases.push(
            run_phase(
                "3. overload: the leader rejects 3 requests busy, retry after 50 ms",
                vec![KvCall::put("d", "4"), KvCall::get("d")],
                &cluster,
            )
            .await,
        );

        cluster.kill(2);
        cluster.with_state(|s| {
            s.leader = None;
            s.election = Some((3, ELECTION_REFUSALS));
        });
        let mut killed = run_phase(
            "4. node 2, the leader, is killed; node 3 wins the election; node 2 restarts and leads again",
            vec![KvCall::get("a"), KvCall::get("b")],
            &cluster,
        )
        .await;
        cluster.restart(2)?;
        cluster.with_state(|s| s.leader = Some(2));
        let restarted = run_phase(
            "",
            vec![KvCall::put("e", "5"), KvCall::get("e")],
            &cluster,
        )
        .await;
        merge(&mut killed, restarted);
        phases.push(killed);

        phases.push(
            run_phase(
                "5. bad requests: invalid, never retried",
                vec![
                    KvCall::put("", "x"),
                    KvCall::get("missing"),
                    KvCall::get(""),
                ],
                &cluster,
            )
            .await,
        );
        Ok::<(), Box<dyn std::error::Error>>(())
    })?;
    drop(cluster);
    let _ = provider.force_flush();
    let traces = check_traces(&memory);
    let _ = provider.shutdown();
    Ok(Report {
        phases,
        traces,
        export,
        elapsed: started.elapsed(),
    })
}

/// Appends `more` (the same phase, after a change to the cluster) to `phase`.
fn merge(phase: &mut Phase, more: Phase) {
    phase.calls.extend(more.calls);
    phase.ok += more.ok;
    phase.failed.extend(more.failed);
    for (i, requests) in more.requests.iter().enumerate() {
        phase.requests[i] += requests;
    }
    for (class, n) in more.retries {
        *phase.retries.entry(class).or_default() += n;
    }
    for (reason, n) in more.give_ups {
        *phase.give_ups.entry(reason).or_default() += n;
    }
    phase.breaker.extend(more.breaker);
    phase.breaker_end = more.breaker_end;
    phase.elapsed += more.elapsed;
}

fn counts(map: &BTreeMap<&'static str, u32>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "a three-node key-value cluster on 127.0.0.1 (tonic), and a client: OtelLayer > RetryLayer > BreakerLayer > a channel per node"
        )?;
        for phase in &self.phases {
            writeln!(f, "\n== {} ({} ms)", phase.title, phase.elapsed.as_millis())?;
            for call in &phase.calls {
                writeln!(f, "   {call}")?;
            }
            writeln!(
                f,
                "   calls: {} ok, {} failed; requests per node: 1={} 2={} 3={}",
                phase.ok,
                phase.failed.len(),
                phase.requests[0],
                phase.requests[1],
                phase.requests[2]
            )?;
            writeln!(f, "   retries by class: {}", counts(&phase.retries))?;
            writeln!(f, "   give-ups by reason: {}", counts(&phase.give_ups))?;
            let mut breaker = String::new();
            for (from, to) in &phase.breaker {
                let _ = write!(breaker, "{from:?} -> {to:?}, ");
            }
            writeln!(
                f,
                "   breaker: {breaker}now {:?}",
                phase.breaker_end.unwrap_or(BreakerState::Closed)
            )?;
        }
        let t = &self.traces;
        writeln!(
            f,
            "\ntraces ({}): {} client spans in {} traces; {} of {} server spans in their call's trace; error.type of the failed calls: {}",
            self.export,
            t.client_spans,
            t.traces,
            t.server_spans_in_a_call,
            t.server_spans,
            t.error_types.join(", ")
        )?;
        write!(f, "done in {} ms", self.elapsed.as_millis())
    }
}
