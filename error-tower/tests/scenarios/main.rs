//! Scenarios: the default retry configuration, the same in every scenario, under faults
//! that defeat attempt-count and budget-only policies. Paused clock, seeded randomness.
// Test code: a failed unwrap is a failed test; the figures are ratios of counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

#[cfg(feature = "http")]
#[path = "../replay/body.rs"]
mod body;
mod defaults;
mod exactly_once;
mod harness;
#[cfg(feature = "http")]
mod replay;

use std::sync::Arc;
use std::time::Duration;

use error_tower::breaker::BreakerLayer;
use error_tower::retry::{IdempotentRequest, RetryLayer};
use harness::{Backend, BackendError, Outcome, RTT, Req, Retarget, open_loop};

/// The default retry layer, seeded, plus the application's one piece of knowledge: how to
/// retarget a request at the leader a `redirect` error names.
fn retry_layer<R: Retarget>() -> RetryLayer<impl Fn(&mut R, &BackendError) -> bool + Clone> {
    RetryLayer::new()
        .seed(7)
        .redirect(|req: &mut R, err: &BackendError| match err {
            BackendError::NotLeader { leader } => {
                req.retarget(*leader);
                true
            }
            _ => false,
        })
}

/// The default configuration of the first scenarios: the default retry layer over the
/// default breaker. `R` is [`Req`], or an `http::Request` (`replay.rs`).
fn client<R>(
    backend: Backend,
) -> impl tower::Service<R, Response = u64, Error = BackendError, Future: Send> + Clone + Send + 'static
where
    R: IdempotentRequest + Retarget + Clone + Send + 'static,
    Backend: tower::Service<R, Response = u64, Error = BackendError, Future: Send>,
{
    let backend = tower::Layer::layer(&BreakerLayer::new(), backend);
    tower::Layer::layer(&retry_layer(), backend)
}

/// The default retry layer alone, as a new user puts it in front of a backend: the layer
/// whose figures `defaults.rs` measures.
fn retry_only(
    backend: Backend,
) -> impl tower::Service<Req, Response = u64, Error = BackendError, Future: Send> + Clone + Send + 'static
{
    tower::Layer::layer(&retry_layer(), backend)
}

fn read(id: u64) -> Req {
    Req {
        id,
        node: 1,
        idempotent: true,
    }
}

const CALLS: u64 = 2_000;
/// 200 calls a second.
const INTERVAL: Duration = Duration::from_millis(5);

#[tokio::test(start_paused = true)]
async fn a_dead_backend_sees_almost_no_retries() {
    let backend = Backend::new(1_000, 1, Arc::new(|_, _, _| Outcome::TransientBefore));
    let run = open_loop(client(backend.clone()), CALLS, INTERVAL, 1, read).await;
    let amplification = backend.attempts() as f64 / CALLS as f64;
    println!(
        "dead backend: {} attempts for {CALLS} calls ({amplification:.3}x)",
        backend.attempts()
    );
    assert_eq!((run.successes, backend.attempts()), (0, 24));
    assert!(amplification <= 1.05, "{amplification}");
}

#[tokio::test(start_paused = true)]
async fn thirty_percent_independent_transient_failures_are_recovered() {
    let backend = Backend::new(
        1_000,
        2,
        Arc::new(|_, _, rng| {
            if rng.up_to(999) < 300 {
                Outcome::TransientBefore
            } else {
                Outcome::Ok
            }
        }),
    );
    let run = open_loop(client(backend.clone()), CALLS, INTERVAL, 1, read).await;
    let amplification = backend.attempts() as f64 / CALLS as f64;
    let p99 = run.latency_quantile(0.99);
    let p99_trips = backend.round_trips_quantile(0.99);
    println!(
        "30% transient: success {:.2}%, {amplification:.3}x attempts, p99 {p99_trips} round trips to the backend, p99 latency {p99:?} ({:.1} round-trip times)",
        run.success_ratio() * 100.0,
        p99.as_secs_f64() / RTT.as_secs_f64()
    );
    assert!(p99_trips <= 4, "{p99_trips}");
    assert!(run.success_ratio() >= 0.990, "{}", run.success_ratio());
    assert!(amplification <= 1.45, "{amplification}");
    // Four attempts of one round trip each, plus full-jitter backoffs of at most 10, 20 and
    // 40 ms: the p99 call is within four round trips of backend time plus its backoff.
    assert!(p99 <= 4 * RTT + Duration::from_millis(70), "{p99:?}");
}

#[tokio::test(start_paused = true)]
async fn overload_rejections_without_a_hint_are_never_retried() {
    // Capacity 10 at one round trip each is 1,000 calls a second; send 1,200.
    let backend = Backend::new(10, 3, Arc::new(|_, _, _| Outcome::Ok));
    let run = open_loop(
        client(backend.clone()),
        2_400,
        Duration::from_millis(5),
        6,
        read,
    )
    .await;
    let amplification = backend.attempts() as f64 / 2_400.0;
    println!(
        "overload 1.2x: {} attempts for 2400 calls ({amplification:.3}x), success {:.1}%",
        backend.attempts(),
        run.success_ratio() * 100.0
    );
    assert!(amplification <= 1.0, "{amplification}");
    assert!(run.successes < 2_400, "the overload rejected some calls");
}

#[tokio::test(start_paused = true)]
async fn busy_with_a_hint_is_retried_after_the_hint_and_not_before() {
    let backend = Backend::new(
        1_000,
        4,
        Arc::new(|req, now, _| {
            if now < Duration::from_secs(2) && req.id < 10 {
                Outcome::Busy(Some(Duration::from_secs(2)))
            } else {
                Outcome::Ok
            }
        }),
    );
    let run = open_loop(client(backend.clone()), 10, INTERVAL, 1, read).await;
    assert_eq!(run.successes, 10);
    assert_eq!(backend.attempts(), 20);
    // Each call waited its 2 s hint after its first round trip, then one more round trip.
    for latency in &run.latencies {
        assert!(*latency >= Duration::from_secs(2) + 2 * RTT, "{latency:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn when_the_leader_moves_every_call_succeeds_on_the_hinted_node_in_one_extra_attempt() {
    // Node 1 led until 1 s; node 3 leads after.
    let backend = Backend::new(
        1_000,
        5,
        Arc::new(|req, now, _| {
            let leader = if now < Duration::from_secs(1) { 1 } else { 3 };
            if req.node == leader {
                Outcome::Ok
            } else {
                Outcome::NotLeader(leader)
            }
        }),
    );
    let run = open_loop(client(backend.clone()), 400, INTERVAL, 1, read).await;
    assert_eq!(run.successes, 400);
    // 200 calls before the move went straight to node 1; the 200 after took one extra
    // attempt each.
    assert_eq!(backend.attempts(), 400 + 200);
    let max = run.latencies.iter().max().unwrap();
    assert_eq!(*max, 2 * RTT, "a redirect is retried at once");
}

#[tokio::test(start_paused = true)]
async fn non_idempotent_requests_are_never_executed_twice() {
    let backend = Backend::new(
        1_000,
        6,
        Arc::new(|_, _, rng| {
            if rng.up_to(999) < 300 {
                Outcome::TransientAfter
            } else {
                Outcome::Ok
            }
        }),
    );
    let run = open_loop(client(backend.clone()), CALLS, INTERVAL, 1, |id| Req {
        id,
        node: 1,
        idempotent: false,
    })
    .await;
    assert_eq!(backend.duplicates(), 0);
    assert_eq!(
        backend.attempts(),
        CALLS,
        "no transient failure of a write was retried"
    );
    assert!(run.successes < CALLS);
}

#[tokio::test(start_paused = true)]
async fn after_a_ten_second_outage_goodput_is_back_within_one_open_interval() {
    let outage = Duration::from_secs(10);
    let backend = Backend::new(
        1_000,
        7,
        Arc::new(move |_, now, _| {
            if now < outage {
                Outcome::TransientBefore
            } else {
                Outcome::Ok
            }
        }),
    );
    // 20 s of calls, 200 a second.
    let run = open_loop(client(backend.clone()), 4_000, INTERVAL, 1, read).await;
    let back = run.goodput_back_at(0.95).unwrap();
    let amplification = backend.attempts() as f64 / 4_000.0;
    println!(
        "10 s outage: goodput >= 95% from {back:?} (recovery at {outage:?}); {} attempts for 4000 calls ({amplification:.3}x); {} calls succeed",
        backend.attempts(),
        run.successes
    );
    // The breaker's open interval is 5 s; a probe then takes one round trip.
    assert!(back <= outage + Duration::from_secs(5) + RTT, "{back:?}");
    assert_eq!(back, outage + Duration::from_millis(100));
    // The calls the breaker refused near the end of the outage come back after its hint;
    // their retries are paid as they are sent and not paid back, so the budget the first
    // successes deposit pays for some of them (2,754 calls succeeded when a retry that
    // succeeded was given its token back).
    assert_eq!((run.successes, backend.attempts()), (2_129, 2_152));
    assert!(
        amplification <= 1.0,
        "the breaker kept the outage's load below one attempt per call"
    );
}
