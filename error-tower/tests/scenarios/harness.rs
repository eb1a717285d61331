//! The scenario harness: an in-process backend with a capacity model and labelled
//! failures, an open-loop load generator, and the counters the scenarios assert on:
//! backend attempts, executions (of non-idempotent requests, among others), and, for
//! `http` requests with a streaming body, the bytes replayed.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use error_core::ClassifiedError;
use error_tower::backoff::Rng;
use error_tower::retry::IdempotentRequest;
use tokio::time::Instant;
use tower::{Service, ServiceExt};

/// One round trip to the backend.
pub(crate) const RTT: Duration = Duration::from_millis(10);

/// A call: its id, the node it goes to, and whether it may execute twice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Req {
    pub(crate) id: u64,
    pub(crate) node: u64,
    pub(crate) idempotent: bool,
}

impl IdempotentRequest for Req {
    fn is_idempotent(&self) -> bool {
        self.idempotent
    }
}

/// A request that a `redirect` can send to another node.
pub(crate) trait Retarget {
    fn retarget(&mut self, node: u64);
}

impl Retarget for Req {
    fn retarget(&mut self, node: u64) {
        self.node = node;
    }
}

/// An `http` call carries its id and node in these headers.
#[cfg(feature = "http")]
pub(crate) const CALL_ID: &str = "x-call-id";
#[cfg(feature = "http")]
pub(crate) const NODE: &str = "x-node";

#[cfg(feature = "http")]
impl<B> Retarget for http::Request<B> {
    fn retarget(&mut self, node: u64) {
        self.headers_mut().insert(NODE, node.into());
    }
}

/// The backend's failures, labelled by class.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(context = none)]
pub(crate) enum BackendError {
    #[error("connection reset")]
    #[class(transient)]
    Reset,
    #[error("overloaded")]
    #[class(busy)]
    Busy {
        #[retry_after]
        hint: Option<Duration>,
    },
    #[error("not the leader")]
    #[class(redirect)]
    NotLeader { leader: u64 },
    /// The breaker's refusal (busy, with a hint), as error-tower delivers it.
    #[error(transparent)]
    Middleware(#[from] error_core::Error),
}

/// What the backend does with one attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Executes and succeeds.
    Ok,
    /// Fails with `transient` before executing (connection refused).
    TransientBefore,
    /// Executes, then fails with `transient` (the reply is lost).
    TransientAfter,
    /// Rejected with `busy`, with this hint.
    Busy(Option<Duration>),
    /// Rejected: the leader is this node.
    NotLeader(u64),
    /// Never answers (a hung connection): holds no slot, and is never counted as executed.
    Hang,
}

/// Decides each attempt: `(request, now since start, rng) -> Outcome`.
pub(crate) type Faults = Arc<dyn Fn(&Req, Duration, &Rng) -> Outcome + Send + Sync>;

/// Counters of what reached the backend.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) attempts: AtomicU64,
    /// Attempts per request id: the round trips each call made to the backend.
    pub(crate) attempts_per_call: Mutex<HashMap<u64, u32>>,
    /// When each retry (an attempt after a call's first) reached the backend, since the
    /// backend was made.
    pub(crate) retried_at: Mutex<Vec<Duration>>,
    /// Executions per request id.
    pub(crate) executions: Mutex<HashMap<u64, u32>>,
    pub(crate) in_flight: AtomicU64,
    /// Bytes of request body the backend read on the attempts after a call's first: the
    /// bytes replayed for retries. Only `http` requests have a body.
    #[cfg(feature = "http")]
    pub(crate) bytes_replayed: AtomicU64,
    /// The body of each attempt, in order, per request id (`http` requests only).
    #[cfg(feature = "http")]
    pub(crate) bodies: Mutex<HashMap<u64, Vec<Vec<u8>>>>,
}

/// The backend: each attempt takes one round trip; at most `capacity` run at once, and an
/// attempt beyond that is rejected `busy` without a hint.
#[derive(Clone)]
pub(crate) struct Backend {
    pub(crate) counters: Arc<Counters>,
    faults: Faults,
    rng: Arc<Rng>,
    capacity: u64,
    start: Instant,
}

impl Backend {
    pub(crate) fn new(capacity: u64, seed: u64, faults: Faults) -> Self {
        Backend {
            counters: Arc::default(),
            faults,
            rng: Arc::new(Rng::seeded(seed)),
            capacity,
            start: Instant::now(),
        }
    }

    pub(crate) fn attempts(&self) -> u64 {
        self.counters.attempts.load(Ordering::Relaxed)
    }

    /// When each retry reached the backend, in order, since the backend was made.
    pub(crate) fn retried_at(&self) -> Vec<Duration> {
        let mut at = self.counters.retried_at.lock().unwrap().clone();
        at.sort_unstable();
        at
    }

    /// The `q` quantile of the round trips a call made to the backend.
    pub(crate) fn round_trips_quantile(&self, q: f64) -> u32 {
        let mut trips: Vec<u32> = self
            .counters
            .attempts_per_call
            .lock()
            .unwrap()
            .values()
            .copied()
            .collect();
        trips.sort_unstable();
        trips[((trips.len() as f64 - 1.0) * q).round() as usize]
    }

    /// Bytes of request body read on retries; see [`Counters::bytes_replayed`].
    #[cfg(feature = "http")]
    pub(crate) fn bytes_replayed(&self) -> u64 {
        self.counters.bytes_replayed.load(Ordering::Relaxed)
    }

    /// The body each attempt of call `id` carried, in order.
    #[cfg(feature = "http")]
    pub(crate) fn bodies(&self, id: u64) -> Vec<Vec<u8>> {
        self.counters.bodies.lock().unwrap()[&id].clone()
    }

    /// Requests executed more than once.
    pub(crate) fn duplicates(&self) -> usize {
        self.counters
            .executions
            .lock()
            .unwrap()
            .values()
            .filter(|n| **n > 1)
            .count()
    }
}

impl Service<Req> for Backend {
    type Response = u64;
    type Error = BackendError;
    type Future = Pin<Box<dyn Future<Output = Result<u64, BackendError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let counters = Arc::clone(&self.counters);
        counters.attempts.fetch_add(1, Ordering::Relaxed);
        let attempt = {
            let mut attempts = counters.attempts_per_call.lock().unwrap();
            let attempt = attempts.entry(req.id).or_default();
            *attempt += 1;
            *attempt
        };
        if attempt > 1 {
            counters
                .retried_at
                .lock()
                .unwrap()
                .push(self.start.elapsed());
        }
        let outcome = if counters.in_flight.load(Ordering::Relaxed) >= self.capacity {
            Outcome::Busy(None)
        } else {
            (self.faults)(&req, self.start.elapsed(), &self.rng)
        };
        if outcome == Outcome::Hang {
            return Box::pin(std::future::pending());
        }
        let executes = matches!(outcome, Outcome::Ok | Outcome::TransientAfter);
        // A rejection takes the round trip but no slot; anything else holds one.
        let holds_slot = !matches!(outcome, Outcome::Busy(_));
        if holds_slot {
            counters.in_flight.fetch_add(1, Ordering::Relaxed);
        }
        Box::pin(async move {
            tokio::time::sleep(RTT).await;
            if holds_slot {
                counters.in_flight.fetch_sub(1, Ordering::Relaxed);
            }
            if executes {
                *counters
                    .executions
                    .lock()
                    .unwrap()
                    .entry(req.id)
                    .or_default() += 1;
            }
            match outcome {
                Outcome::Ok => Ok(req.id),
                Outcome::TransientBefore | Outcome::TransientAfter => Err(BackendError::Reset),
                Outcome::Busy(hint) => Err(BackendError::Busy { hint }),
                Outcome::NotLeader(leader) => Err(BackendError::NotLeader { leader }),
                Outcome::Hang => unreachable!("a hung attempt never answers"),
            }
        })
    }
}

/// An `http` call: its id and node from the headers, its idempotency from the method.
/// Its body is read whole, then the attempt goes on as a [`Req`] would, through the same
/// capacity model and faults.
#[cfg(feature = "http")]
impl<B> Service<http::Request<B>> for Backend
where
    B: http_body::Body<Data = bytes::Bytes> + Unpin + Send + 'static,
    B::Error: std::fmt::Debug,
{
    type Response = u64;
    type Error = BackendError;
    type Future = Pin<Box<dyn Future<Output = Result<u64, BackendError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let header =
            |name: &str| -> u64 { request.headers()[name].to_str().unwrap().parse().unwrap() };
        let req = Req {
            id: header(CALL_ID),
            node: header(NODE),
            idempotent: IdempotentRequest::is_idempotent(&request),
        };
        let id = req.id;
        let attempt = Service::<Req>::call(self, req);
        let retry = self.counters.attempts_per_call.lock().unwrap()[&id] > 1;
        let counters = Arc::clone(&self.counters);
        let mut body = request.into_body();
        Box::pin(async move {
            let (data, _) = crate::body::read(&mut body, None).await;
            if retry {
                counters
                    .bytes_replayed
                    .fetch_add(data.len() as u64, Ordering::Relaxed);
            }
            counters
                .bodies
                .lock()
                .unwrap()
                .entry(id)
                .or_default()
                .push(data);
            attempt.await
        })
    }
}

/// What an open-loop run saw.
pub(crate) struct Run {
    pub(crate) calls: u64,
    pub(crate) successes: u64,
    /// Latency of every call.
    pub(crate) latencies: Vec<Duration>,
    /// When each call started (since the run began) and whether it succeeded.
    pub(crate) outcomes: Vec<(Duration, bool)>,
}

impl Run {
    pub(crate) fn success_ratio(&self) -> f64 {
        self.successes as f64 / self.calls as f64
    }

    /// The start of the first 100 ms slot from which every slot's calls succeed at least
    /// `ratio` of the time, until the end of the run.
    pub(crate) fn goodput_back_at(&self, ratio: f64) -> Option<Duration> {
        let slot = Duration::from_millis(100);
        let last = self.outcomes.iter().map(|(at, _)| *at).max()?;
        let slots = (last.as_millis() / slot.as_millis()) as usize + 1;
        let mut ok = vec![0u32; slots];
        let mut all = vec![0u32; slots];
        for (at, success) in &self.outcomes {
            let i = (at.as_millis() / slot.as_millis()) as usize;
            all[i] += 1;
            ok[i] += u32::from(*success);
        }
        let good = |i: usize| all[i] == 0 || f64::from(ok[i]) >= ratio * f64::from(all[i]);
        let first_bad_from_end = (0..slots).rev().find(|i| !good(*i));
        match first_bad_from_end {
            None => Some(Duration::ZERO),
            Some(i) if i + 1 < slots => Some(slot * (i as u32 + 1)),
            Some(_) => None,
        }
    }

    /// The `q` quantile of latency (`q` in `[0, 1]`).
    pub(crate) fn latency_quantile(&self, q: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
        sorted[index]
    }
}

/// Sends `calls` requests, `per_tick` every `interval`, whatever the responses (open loop),
/// each through a clone of `client`, and waits for all. (tokio's timer has millisecond
/// resolution: rates above 1,000 a second need `per_tick` above 1.)
pub(crate) async fn open_loop<S, R>(
    client: S,
    calls: u64,
    interval: Duration,
    per_tick: u64,
    request: impl Fn(u64) -> R,
) -> Run
where
    S: Service<R, Response = u64> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Send,
    R: Send + 'static,
{
    let mut tasks = Vec::with_capacity(calls as usize);
    let run_start = Instant::now();
    for id in 0..calls {
        let client = client.clone();
        let req = request(id);
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let result = client.oneshot(req).await;
            (result.is_ok(), started.elapsed(), started - run_start)
        }));
        if (id + 1) % per_tick == 0 {
            tokio::time::sleep(interval).await;
        }
    }
    let mut run = Run {
        calls,
        successes: 0,
        latencies: Vec::with_capacity(calls as usize),
        outcomes: Vec::with_capacity(calls as usize),
    };
    for task in tasks {
        let (ok, latency, started) = task.await.unwrap();
        run.successes += u64::from(ok);
        run.latencies.push(latency);
        run.outcomes.push((started, ok));
    }
    run
}
