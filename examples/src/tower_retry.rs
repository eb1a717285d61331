//! A raft-like cluster of three in-process nodes behind error-tower's `RetryLayer`,
//! `BreakerLayer` and `TimeoutLayer`, driven through a leader move, a dead leader and two
//! overload bursts on tokio's paused clock.
//!
//! Run it with `cargo run -p examples --example tower_retry`.
//!
//! # The stack
//!
//! ```text
//! RetryLayer      retries by class: redirect at once to the hinted node, transient with
//!                 jittered backoff within the budget, busy only after its hint; 1 s per call
//! BreakerLayer    fails fast while the cluster looks down, with a busy error and a hint
//! TimeoutLayer    200 ms per attempt, so that a silent node fails transient
//! Cluster         sends each request to the node it names
//! ```
//!
//! The nodes answer with a [`NodeError`]; the middleware's own errors (the breaker's
//! `Open`, the timeout's `Elapsed`) arrive as an `error_core::Error`. [`ClientError`]
//! holds either, transparently, so that the class, code and hint of each survive, and the
//! [`redirect`] hook matches on the node's `NotLeader` to retarget the request.
//!
//! # The cluster
//!
//! Every answer takes one round trip ([`RTT`]). A follower answers `NotLeader` with the
//! node it believes leads, or `NoLeader` during an election. The leader serves
//! [`CAPACITY`] reads at once and rejects the others `Busy`, with or without a hint of when
//! its backlog drains. A silent node never answers: only the timeout ends the attempt.
//!
//! # The phases
//!
//! 1. Steady state: every read is one request.
//! 2. The leader moves and the client still sends to node 1: each read is redirected once,
//!    at once, without touching the retry budget: two requests per read.
//! 3. The leader goes silent. The reads redirected to it time out, and from 500 ms the
//!    followers answer `NoLeader`: both are `transient`, retried with backoff within the
//!    budget until it runs dry (a redirect is a hop, not one of a read's four tries). At 90% failures the breaker opens and fails the reads fast;
//!    those whose deadline outlasts its open interval come back as it turns half-open, and
//!    the first one, redirected to node 2 (elected meanwhile), closes it.
//! 4. A burst of five times the leader's capacity. Without a hint, `busy` is never retried:
//!    the leader receives exactly one request per read. With a hint, the rejected reads come
//!    back after it (spread over a fifth of it more), each retry charged to the budget as
//!    it is sent and never paid back (a served retry is load the leader took): the budget
//!    pays for 72 retries of the 160 rejected reads (its 20 tokens, half a token per
//!    success, the minimum rate), and the reads it cannot pay for end at once.
//!
//! # The breaker's settings
//!
//! The breaker is there for the dead leader: a stream of timeouts. It also counts `busy`
//! as a failure, and a burst of 5x the leader's capacity fails 80% of its calls while the
//! leader still serves all it can. Under the default rule (50% of at least 20 calls in
//! 10 s) the burst would open the breaker, for every node of the cluster, within its first
//! few round trips, and its refusals would then stand in for the leader's own answers. So this
//! breaker trips on the failure rate alone: 90% of at least 20 calls in 2 s
//! ([`BREAKER_RATIO`], [`BREAKER_MIN_CALLS`], [`BREAKER_WINDOW`]).
//!
//! # Determinism
//!
//! The scenario runs on a current-thread runtime with a paused clock: time advances only
//! when every task waits, so that sleeps take no real time and every run interleaves the
//! calls the same way. The retry layer's jitter is seeded ([`SEED`]).

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use error_core::{Class, ClassifiedError};
use error_otel::OtelLayer;
use error_tower::breaker::error::ConfigError;
use error_tower::breaker::{BreakerHandle, BreakerLayer, State};
use error_tower::budget::Budget;
use error_tower::retry::{
    GiveUpEvent, IdempotentRequest, OnGiveUp as _, OnRetry as _, RetryEvent, RetryLayer,
};
use error_tower::timeout::TimeoutLayer;
use tokio::time::Instant;
use tower::{Service, ServiceBuilder, ServiceExt};

/// A node's id: 1, 2 or 3.
pub type NodeId = u64;

/// The nodes of the cluster.
pub const NODES: [NodeId; 3] = [1, 2, 3];

/// One round trip to a node: every answer, a rejection included, takes this long.
pub const RTT: Duration = Duration::from_millis(10);

/// How many reads the leader serves at once; it rejects the others `busy`.
pub const CAPACITY: u32 = 4;

/// The limit on each attempt (`TimeoutLayer`).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(200);

/// The limit on each call, its retries and their waits included (`RetryLayer::deadline`).
pub const CALL_DEADLINE: Duration = Duration::from_secs(1);

/// The breaker opens when at least this fraction of the calls in its window failed.
pub const BREAKER_RATIO: f64 = 0.9;

/// The fewest calls in the window for the breaker's failure rate to count.
pub const BREAKER_MIN_CALLS: u32 = 20;

/// The breaker's rolling window.
pub const BREAKER_WINDOW: Duration = Duration::from_secs(2);

/// How long the breaker stays open before it lets a probe through.
pub const BREAKER_OPEN: Duration = Duration::from_secs(2);

/// The seed of the retry layer's jitter.
pub const SEED: u64 = 7;

/// Phase 3: how long the followers take to notice that the leader is silent.
pub const ELECTION_TIMEOUT: Duration = Duration::from_millis(500);

/// Phase 3: when node 2 wins the election, since the leader went silent.
pub const ELECTED_AT: Duration = Duration::from_secs(2);

/// What a node answers when it does not serve a read, with the status its answer carries
/// (written out, though each is its class's: an answer states the status it came with, and
/// an OpenTelemetry client span reports only a status the error states).
#[derive(Clone, Debug, PartialEq, Eq, ClassifiedError)]
#[non_exhaustive]
#[class(context = none)]
pub enum NodeError {
    /// This node is a follower, and knows which node leads.
    #[error("not the leader")]
    #[class(redirect, code = "raft.not_leader", status = unavailable)]
    NotLeader {
        /// The node this follower believes leads.
        leader_hint: NodeId,
    },
    /// No node leads: an election is under way.
    #[error("no leader")]
    #[class(transient, code = "raft.no_leader", status = unavailable)]
    NoLeader,
    /// The leader has no free slot.
    #[error("leader is overloaded")]
    #[class(busy, code = "raft.busy", status = resource_exhausted)]
    Busy {
        /// When to come back, if the leader says when its backlog drains.
        #[retry_after]
        retry_after: Option<Duration>,
    },
}

/// The error of the whole client stack: a node's answer, or the middleware's refusal or
/// timeout, which reaches the stack as an `error_core::Error`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ClientError {
    /// A node's answer.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// The breaker's `Open` or the timeout's `Elapsed`.
    #[error(transparent)]
    Middleware(#[from] error_core::Error),
}

/// A linearizable read of `key`, sent to `node`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Req {
    /// The key read.
    pub key: String,
    /// The node the request goes to; [`redirect`] retargets it.
    pub node: NodeId,
}

impl IdempotentRequest for Req {
    /// Reads are idempotent: one that may have executed can be sent again.
    fn is_idempotent(&self) -> bool {
        true
    }
}

/// The retry layer's redirect hook: retargets the request to the node a `NotLeader` names.
/// The retry goes at once and is not charged to the budget.
pub fn redirect(req: &mut Req, err: &ClientError) -> bool {
    match err {
        ClientError::Node(NodeError::NotLeader { leader_hint }) => {
            req.node = *leader_hint;
            true
        }
        _ => false,
    }
}

/// The cluster, as the client sees it: a service that sends each request to the node it
/// names. Clones share the cluster.
#[derive(Clone, Debug)]
pub struct Cluster {
    nodes: Arc<Mutex<Nodes>>,
}

#[derive(Debug)]
struct Nodes {
    /// The node that serves reads, if any.
    leader: Option<NodeId>,
    /// The leader the followers name (a dead one, until they notice).
    hint: Option<NodeId>,
    /// A node that no longer answers.
    silent: Option<NodeId>,
    /// Whether the leader's `busy` rejections say when to come back.
    busy_hints: bool,
    in_flight: u32,
    /// When the leader's backlog drains, as it tells the callers it rejects.
    drains_at: Instant,
    received: [u64; 3],
}

/// What a node does with one request.
enum Answer {
    Serve,
    Reject(NodeError),
    Hang,
}

impl Cluster {
    /// Three nodes, `leader` leading.
    #[must_use]
    pub fn new(leader: NodeId) -> Self {
        Cluster {
            nodes: Arc::new(Mutex::new(Nodes {
                leader: Some(leader),
                hint: Some(leader),
                silent: None,
                busy_hints: false,
                in_flight: 0,
                drains_at: Instant::now(),
                received: [0; 3],
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Nodes> {
        self.nodes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `node` wins an election; every follower knows it.
    pub fn elect(&self, node: NodeId) {
        let mut nodes = self.lock();
        nodes.leader = Some(node);
        nodes.hint = Some(node);
    }

    /// `node` stops answering. The followers still name it leader until they notice.
    pub fn silence(&self, node: NodeId) {
        self.lock().silent = Some(node);
    }

    /// The followers notice that the leader is gone and start an election: no node leads.
    pub fn start_election(&self) {
        let mut nodes = self.lock();
        nodes.leader = None;
        nodes.hint = None;
    }

    /// Whether the leader's `busy` rejections carry a `retry_after` hint.
    pub fn busy_hints(&self, on: bool) {
        self.lock().busy_hints = on;
    }

    /// The requests each node (1, 2, 3) received since the last call of this method.
    #[must_use]
    pub fn take_received(&self) -> [u64; 3] {
        std::mem::take(&mut self.lock().received)
    }

    fn answer(&self, node: NodeId) -> Answer {
        let mut nodes = self.lock();
        let index = NODES.iter().position(|n| *n == node);
        if let Some(received) = index.and_then(|i| nodes.received.get_mut(i)) {
            *received += 1;
        }
        if nodes.silent == Some(node) {
            return Answer::Hang;
        }
        if nodes.leader != Some(node) {
            return Answer::Reject(match nodes.hint {
                Some(leader_hint) => NodeError::NotLeader { leader_hint },
                None => NodeError::NoLeader,
            });
        }
        if nodes.in_flight < CAPACITY {
            nodes.in_flight += 1;
            return Answer::Serve;
        }
        let retry_after = nodes.busy_hints.then(|| {
            // The rejected read joins the backlog, which drains one slot's share of a
            // round trip later.
            let now = Instant::now();
            nodes.drains_at = nodes.drains_at.max(now) + RTT / CAPACITY;
            nodes.drains_at.saturating_duration_since(now)
        });
        Answer::Reject(NodeError::Busy { retry_after })
    }
}

/// Frees a leader's slot when the read it serves ends or is dropped.
struct Slot(Cluster);

impl Drop for Slot {
    fn drop(&mut self) {
        let mut nodes = self.0.lock();
        nodes.in_flight = nodes.in_flight.saturating_sub(1);
    }
}

impl Service<Req> for Cluster {
    type Response = String;
    type Error = ClientError;
    type Future = Pin<Box<dyn Future<Output = Result<String, ClientError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ClientError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        match self.answer(req.node) {
            Answer::Serve => {
                let slot = Slot(self.clone());
                Box::pin(async move {
                    tokio::time::sleep(RTT).await;
                    drop(slot);
                    Ok(format!("value of {}", req.key))
                })
            }
            Answer::Reject(error) => Box::pin(async move {
                tokio::time::sleep(RTT).await;
                Err(error.into())
            }),
            Answer::Hang => Box::pin(std::future::pending()),
        }
    }
}

/// What one phase of the scenario saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PhaseReport {
    /// The phase's number and what happens in it.
    pub title: String,
    /// How the phase sends its reads.
    pub load: String,
    /// Calls made.
    pub calls: u64,
    /// Calls that succeeded.
    pub ok: u64,
    /// Calls that failed, by the class and code of the error the caller got.
    pub failed: BTreeMap<(Class, &'static str), u64>,
    /// Requests each node (1, 2, 3) received: first attempts and retries.
    pub received: [u64; 3],
    /// Retries, by the class of the failure retried (the `on_retry` hook).
    pub retries: BTreeMap<Class, u64>,
    /// Failed calls not retried, by reason (the `on_give_up` hook's `GiveUpReason`).
    pub give_ups: BTreeMap<&'static str, u64>,
    /// The slowest call.
    pub slowest: Duration,
    /// The breaker's state changes, with when they happened since the phase started.
    pub breaker: Vec<(Duration, State)>,
    /// The breaker's state at the end of the phase.
    pub breaker_at_end: Option<State>,
    /// Whole tokens left in the retry budget at the end of the phase.
    pub budget_left: u64,
}

impl PhaseReport {
    fn new(title: &str, load: String) -> Self {
        PhaseReport {
            title: title.to_owned(),
            load,
            ..PhaseReport::default()
        }
    }

    /// Requests the cluster received, all nodes together.
    #[must_use]
    pub fn backend_calls(&self) -> u64 {
        self.received.iter().sum()
    }

    /// Calls that failed.
    #[must_use]
    pub fn failures(&self) -> u64 {
        self.failed.values().sum()
    }

    /// Retries of failures of `class`.
    #[must_use]
    pub fn retries_of(&self, class: Class) -> u64 {
        self.retries.get(&class).copied().unwrap_or(0)
    }

    /// Calls that failed with the code `code`.
    #[must_use]
    pub fn failed_with(&self, code: &str) -> u64 {
        self.failed
            .iter()
            .filter(|((_, c), _)| *c == code)
            .map(|(_, n)| n)
            .sum()
    }

    /// Calls given up for `reason` (`GiveUpReason::as_str`).
    #[must_use]
    pub fn given_up(&self, reason: &str) -> u64 {
        self.give_ups.get(reason).copied().unwrap_or(0)
    }
}

/// What the retry layer's hooks heard.
#[derive(Debug, Default)]
struct Heard {
    retries: BTreeMap<Class, u64>,
    give_ups: BTreeMap<&'static str, u64>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The scenario's state: the cluster, the client stack in front of it, and what to
/// observe.
struct Scenario<S> {
    cluster: Cluster,
    client: S,
    breaker: BreakerHandle,
    budget: Budget,
    heard: Arc<Mutex<Heard>>,
}

/// Builds the stack of the [module documentation](self) in front of `cluster`, with
/// `otel` outside the retry layer when given (see [`simulate_traced`]).
fn scenario(
    cluster: Cluster,
    otel: Option<OtelLayer>,
) -> Result<
    Scenario<
        impl Service<Req, Response = String, Error = ClientError, Future: Send> + Clone + Send + 'static,
    >,
    ConfigError,
> {
    let heard = Arc::new(Mutex::new(Heard::default()));
    let hooks = otel.as_ref().map(OtelLayer::retry_hooks);
    let give_up_hooks = hooks.clone();
    let budget = Budget::default();
    let breaker = BreakerLayer::builder()
        .without_consecutive_failures()
        .failure_ratio(BREAKER_RATIO)
        .minimum_calls(BREAKER_MIN_CALLS)
        .window(BREAKER_WINDOW)
        .open_interval(BREAKER_OPEN)
        .build()?;
    let retry = RetryLayer::new()
        .seed(SEED)
        .deadline(CALL_DEADLINE)
        .budget(budget.clone())
        .redirect(redirect)
        .on_retry({
            let heard = Arc::clone(&heard);
            move |event: &RetryEvent| {
                *lock(&heard).retries.entry(event.class).or_default() += 1;
                if let Some(hooks) = &hooks {
                    hooks.on_retry(event);
                }
            }
        })
        .on_give_up({
            let heard = Arc::clone(&heard);
            move |event: &GiveUpEvent| {
                *lock(&heard)
                    .give_ups
                    .entry(event.reason.as_str())
                    .or_default() += 1;
                if let Some(hooks) = &give_up_hooks {
                    hooks.on_give_up(event);
                }
            }
        });
    let handle = breaker.handle();
    let client = ServiceBuilder::new()
        .option_layer(otel)
        .layer(retry)
        .layer(breaker)
        .layer(TimeoutLayer::new(ATTEMPT_TIMEOUT))
        .service(cluster.clone());
    Ok(Scenario {
        cluster,
        client,
        breaker: handle,
        budget,
        heard,
    })
}

impl<S> Scenario<S>
where
    S: Service<Req, Response = String, Error = ClientError, Future: Send> + Clone + Send + 'static,
{
    /// Sends the reads of `load` whatever the answers (an open loop), and waits for them
    /// all, watching the breaker meanwhile.
    async fn phase(&self, title: &str, load: Load) -> PhaseReport {
        let Load {
            calls,
            node,
            per_tick,
            every,
        } = load;
        let mut report = PhaseReport::new(title, load.to_string());
        // Calls not yet ended, the ones not yet sent included.
        let pending = Arc::new(AtomicU64::new(calls));
        let mut tasks = Vec::new();
        let watch = tokio::spawn(watch(self.breaker.clone(), Arc::clone(&pending)));
        for n in 0..calls {
            let req = Req {
                key: format!("key-{n}"),
                node,
            };
            let client = self.client.clone();
            let pending = Arc::clone(&pending);
            tasks.push(tokio::spawn(async move {
                let started = Instant::now();
                let result = client.oneshot(req).await;
                pending.fetch_sub(1, Ordering::Relaxed);
                (result, started.elapsed())
            }));
            if (n + 1) % per_tick == 0 {
                tokio::time::sleep(every).await;
            }
        }
        for task in tasks {
            let Ok((result, latency)) = task.await else {
                continue;
            };
            report.calls += 1;
            report.slowest = report.slowest.max(latency);
            match result {
                Ok(_) => report.ok += 1,
                Err(err) => *report.failed.entry((err.class(), err.code())).or_default() += 1,
            }
        }
        report.breaker = watch.await.unwrap_or_default();
        let heard = std::mem::take(&mut *lock(&self.heard));
        report.retries = heard.retries;
        report.give_ups = heard.give_ups;
        report.received = self.cluster.take_received();
        report.breaker_at_end = Some(self.breaker.state());
        report.budget_left = self.budget.balance();
        report
    }
}

/// The breaker's state changes, checked every millisecond until no call is pending.
async fn watch(breaker: BreakerHandle, pending: Arc<AtomicU64>) -> Vec<(Duration, State)> {
    let start = Instant::now();
    let mut last = breaker.state();
    let mut changes = Vec::new();
    loop {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let state = breaker.state();
        if state != last {
            changes.push((start.elapsed(), state));
            last = state;
        }
        if pending.load(Ordering::Relaxed) == 0 {
            return changes;
        }
    }
}

/// How a phase sends its reads: `calls` reads to `node`, `per_tick` every `every`.
#[derive(Clone, Copy, Debug)]
struct Load {
    calls: u64,
    node: NodeId,
    per_tick: u64,
    every: Duration,
}

impl fmt::Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Load {
            calls,
            node,
            per_tick,
            every,
        } = self;
        write!(f, "{calls} reads to node {node}, ")?;
        match per_tick {
            1 => write!(f, "one every {every:?}"),
            n => write!(f, "{n} every {every:?}"),
        }
    }
}

/// The four phases, one after the other, with a quiet minute between them.
async fn phases(otel: Option<OtelLayer>) -> Result<Vec<PhaseReport>, ConfigError> {
    const QUIET: Duration = Duration::from_secs(60);
    const STEADY: Load = Load {
        calls: 100,
        node: 1,
        per_tick: 1,
        every: RTT,
    };
    // Five times what the leader serves (CAPACITY per RTT), for 100 ms.
    const BURST: Load = Load {
        calls: 200,
        node: 2,
        per_tick: 2,
        every: Duration::from_millis(1),
    };

    let cluster = Cluster::new(1);
    let s = scenario(cluster.clone(), otel)?;
    let mut reports = Vec::new();

    reports.push(s.phase("1. steady state: node 1 leads", STEADY).await);
    tokio::time::sleep(QUIET).await;

    cluster.elect(3);
    let title = "2. leadership moves to node 3; the client still sends to node 1";
    reports.push(s.phase(title, STEADY).await);
    tokio::time::sleep(QUIET).await;

    cluster.silence(3);
    let election = tokio::spawn({
        let cluster = cluster.clone();
        async move {
            tokio::time::sleep(ELECTION_TIMEOUT).await;
            cluster.start_election();
            tokio::time::sleep(ELECTED_AT.saturating_sub(ELECTION_TIMEOUT)).await;
            cluster.elect(2);
        }
    });
    let title = "3. node 3 goes silent; no leader from 500ms; node 2 leads from 2s";
    let load = Load {
        calls: 120,
        every: Duration::from_millis(50),
        ..STEADY
    };
    reports.push(s.phase(title, load).await);
    let _ = election.await;
    tokio::time::sleep(QUIET).await;

    let title = "4a. a burst of 5x the leader's capacity; busy without a hint";
    reports.push(s.phase(title, BURST).await);
    tokio::time::sleep(QUIET).await;

    cluster.busy_hints(true);
    let title = "4b. the same burst; busy with a hint of when the backlog drains";
    reports.push(s.phase(title, BURST).await);
    Ok(reports)
}

/// Runs the scenario on a current-thread tokio runtime with a paused clock, and returns
/// what each phase saw.
///
/// # Errors
///
/// When the runtime or the breaker cannot be built.
pub fn simulate() -> Result<Vec<PhaseReport>, String> {
    simulate_traced(None)
}

/// [`simulate`], with `otel` recording every call outside the retry layer, and the retry
/// layer's retries and give-ups recorded on each call's span through the layer's
/// [`retry_hooks`](OtelLayer::retry_hooks).
///
/// # Errors
///
/// When the runtime or the breaker cannot be built.
pub fn simulate_traced(otel: Option<OtelLayer>) -> Result<Vec<PhaseReport>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|err| err.to_string())?;
    runtime
        .block_on(phases(otel))
        .map_err(|err| err.to_string())
}

fn write_report(out: &mut String, report: &PhaseReport) -> fmt::Result {
    writeln!(out, "{}", report.title)?;
    writeln!(out, "   load:     {}", report.load)?;
    write!(out, "   client:   {} ok", report.ok)?;
    if report.failures() > 0 {
        write!(out, ", {} failed: ", report.failures())?;
        list(
            out,
            report
                .failed
                .iter()
                .map(|((class, code), n)| (format!("{class}/{code}"), *n)),
        )?;
    }
    writeln!(out, "; slowest call {:?}", report.slowest)?;
    writeln!(
        out,
        "   backend:  {} requests (node 1: {}, node 2: {}, node 3: {})",
        report.backend_calls(),
        report.received[0],
        report.received[1],
        report.received[2]
    )?;
    write!(out, "   retries:  ")?;
    list(out, report.retries.iter().map(|(class, n)| (class, *n)))?;
    writeln!(out, "; budget left: {} tokens", report.budget_left)?;
    write!(out, "   give-ups: ")?;
    list(out, report.give_ups.iter().map(|(reason, n)| (reason, *n)))?;
    writeln!(out)?;
    write!(out, "   breaker:  ")?;
    let changes: Vec<String> = report
        .breaker
        .iter()
        .map(|(at, state)| format!("{state} at {at:?}"))
        .collect();
    write!(out, "{}", changes.join(", "))?;
    match (report.breaker.last(), report.breaker_at_end) {
        (None, Some(state)) => writeln!(out, "{state} throughout"),
        (Some((_, last)), Some(state)) if *last != state => {
            writeln!(out, "; {state} at the end")
        }
        _ => writeln!(out),
    }
}

/// `name count, name count`, or `none`.
fn list<T: fmt::Display>(out: &mut String, items: impl Iterator<Item = (T, u64)>) -> fmt::Result {
    let mut any = false;
    for (name, count) in items {
        let sep = if any { ", " } else { "" };
        write!(out, "{sep}{name} {count}")?;
        any = true;
    }
    if !any {
        write!(out, "none")?;
    }
    Ok(())
}

fn write_run(out: &mut String) -> fmt::Result {
    writeln!(
        out,
        "stack:   retry (deadline {CALL_DEADLINE:?}, seed {SEED}) > breaker (opens at {}% \
         failures of {BREAKER_MIN_CALLS}+ calls in {BREAKER_WINDOW:?}, for {BREAKER_OPEN:?}) > \
         timeout ({ATTEMPT_TIMEOUT:?})",
        BREAKER_RATIO * 100.0
    )?;
    writeln!(
        out,
        "cluster: nodes 1, 2, 3; {RTT:?} round trips; the leader serves {CAPACITY} reads at once"
    )?;
    match simulate() {
        Ok(reports) => write_reports(out, &reports),
        Err(err) => writeln!(out, "cannot run the scenario: {err}"),
    }
}

fn write_reports(out: &mut String, reports: &[PhaseReport]) -> fmt::Result {
    for report in reports {
        writeln!(out)?;
        write_report(out, report)?;
    }
    Ok(())
}

/// What each phase saw, as [`run`] prints it.
#[must_use]
pub fn describe(reports: &[PhaseReport]) -> String {
    crate::render(|out| write_reports(out, reports))
}

/// Runs the scenario and returns what the example prints.
#[must_use]
pub fn run() -> String {
    crate::render(write_run)
}
