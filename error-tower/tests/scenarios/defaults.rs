//! The default retry layer alone, as a new user puts it in front of a backend, on the axes
//! where it used to lose: a throttle whose hint outlasts it, a throttle that never ends, a
//! redirect before transient faults, and attempts that hang past a deadline. Paused clock,
//! seeded faults and jitter: every figure is asserted exactly, and printed.
//!
//! The throttle scenarios run again with the default breaker inside the retry layer (the
//! configuration of `main.rs`), whose figures differ for a reason of the breaker's: it
//! counts `busy` as a failure, and opens.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Status};
use error_tower::backoff::Rng;
use error_tower::retry::Elapsed;

use crate::harness::{Backend, BackendError, Faults, Outcome, RTT, Req, Run, open_loop};
use crate::{client, read, retry_layer, retry_only};

/// 500 calls a second.
const INTERVAL: Duration = Duration::from_millis(2);
/// The hint of every `busy` answer in these scenarios.
const HINT: Duration = Duration::from_secs(2);

/// The whole backend answers `busy` with a 2 s hint until `until`, then serves every
/// attempt.
fn busy_until(until: Duration) -> Faults {
    Arc::new(move |_: &Req, now: Duration, _: &Rng| {
        if now < until {
            Outcome::Busy(Some(HINT))
        } else {
            Outcome::Ok
        }
    })
}

/// The largest number of retries that reached the backend in one 10 ms slice from `from`
/// on, and their number in all.
fn busiest_slice(backend: &Backend, from: Duration) -> (u32, usize) {
    let retried = backend.retried_at();
    let mut slices = BTreeMap::<u128, u32>::new();
    for at in retried.iter().filter(|at| **at >= from) {
        *slices.entry(at.as_millis() / 10).or_default() += 1;
    }
    (slices.values().max().copied().unwrap_or(0), retried.len())
}

fn print_throttle(name: &str, backend: &Backend, run: &Run) {
    let (busiest, retries) = busiest_slice(backend, HINT);
    println!(
        "{name}: {} of {} calls succeed ({:.1}%), {} attempts ({:.4}x), {retries} retries, at most {busiest} in one 10 ms slice after the hint ({:.1}% of the retries)",
        run.successes,
        run.calls,
        run.success_ratio() * 100.0,
        backend.attempts(),
        backend.attempts() as f64 / run.calls as f64,
        100.0 * f64::from(busiest) / retries.max(1) as f64,
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttle_of_one_second_with_a_two_second_hint_loses_no_call() {
    // 1,000 calls at 500 a second; the backend throttles the first 500 (those of the first
    // second) and serves everything after. Each throttled call is retried once, 2 s after
    // its failure and within the 400 ms jitter window after that, against a backend that
    // has long recovered. Every retry pays a token as it is sent and keeps it spent; the
    // 500 successes of the second after the throttle pay for them (250 tokens, which the
    // cap keeps for the 500 retries waiting), and each retry that succeeds deposits half a
    // token more: 500 retries for 1,000 successes, the budget's ratio exactly.
    let backend = Backend::new(100_000, 8, busy_until(Duration::from_secs(1)));
    let run = open_loop(retry_only(backend.clone()), 1_000, INTERVAL, 1, read).await;
    print_throttle("busy 1 s, 2 s hint, retry layer", &backend, &run);
    let (busiest, retries) = busiest_slice(&backend, HINT);
    assert_eq!(
        (run.successes, backend.attempts(), retries),
        (1_000, 1_500, 500)
    );
    // No retry before the first hint ended (the first failure came at one round trip).
    assert!(backend.retried_at()[0] >= HINT + RTT);
    // At most 11 of the 500 retries (2.2%) in any 10 ms.
    assert_eq!(busiest, 11);
    assert!(f64::from(busiest) / retries as f64 <= 0.05);
    assert!(run.success_ratio() >= 0.95);

    // With the default breaker inside the retry layer: the throttle's first 20 answers open
    // the breaker for 5 s, and the calls it refuses carry its hint (the time left until it
    // turns half-open). No call succeeds while it is open, so nothing deposits: when the
    // refused calls come back, the budget holds its initial 10 tokens and the minimum
    // rate's, which its retries (refused again by the half-open breaker while its probe is
    // in flight) spend at once. When a retry that succeeded was given its token back, this
    // run had 912 successes: the amplification that a budget exists to bound.
    let backend = Backend::new(100_000, 8, busy_until(Duration::from_secs(1)));
    let run = open_loop(client(backend.clone()), 1_000, INTERVAL, 1, read).await;
    print_throttle(
        "busy 1 s, 2 s hint, retry layer over breaker",
        &backend,
        &run,
    );
    assert_eq!(
        (
            run.successes,
            backend.attempts(),
            backend.retried_at().len()
        ),
        (3, 27, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn a_throttle_that_never_ends_sees_almost_no_retries() {
    // 10 s of calls at 500 a second, every attempt throttled with a 2 s hint: a retry is paid
    // as it is sent, and fails, so nothing refills the budget but its minimum rate.
    let backend = Backend::new(100_000, 9, busy_until(Duration::MAX));
    let run = open_loop(retry_only(backend.clone()), 5_000, INTERVAL, 1, read).await;
    print_throttle("busy forever, 2 s hint, retry layer", &backend, &run);
    assert_eq!((run.successes, backend.attempts()), (0, 5_024));
    assert!(backend.attempts() as f64 / 5_000.0 <= 1.05);
    // The budget is asked (not charged) as each failure arrives: while it holds a token
    // the call waits for its hint, and is refused as it is about to be sent once the
    // first retries have spent the budget; while it is empty a failure ends the call at
    // once, after its answer's round trip. The calls of the first hint wait (nothing is
    // spent before the first retries are sent, 2 s in), and so do those that find a token
    // the minimum rate has credited (one a second) before a retry sent spends it: 1,666 of
    // 5,000 in all. Before the budget was asked at the failure, all 5,000 waited for the
    // hint and then failed (p50 2.208 s, p99 2.408 s).
    let waited = run.latencies.iter().filter(|l| **l >= HINT).count();
    println!(
        "busy forever, 2 s hint, retry layer: {waited} of 5000 calls waited for the hint; p50 {:?}, p99 {:?}",
        run.latency_quantile(0.5),
        run.latency_quantile(0.99)
    );
    assert_eq!(
        (
            waited,
            run.latency_quantile(0.5),
            run.latency_quantile(0.99)
        ),
        (1_666, RTT, Duration::from_millis(2_403))
    );

    let backend = Backend::new(100_000, 9, busy_until(Duration::MAX));
    let run = open_loop(client(backend.clone()), 5_000, INTERVAL, 1, read).await;
    print_throttle(
        "busy forever, 2 s hint, retry layer over breaker",
        &backend,
        &run,
    );
    assert_eq!((run.successes, backend.attempts()), (0, 26));
}

#[tokio::test(start_paused = true)]
async fn a_redirect_then_thirty_percent_transient_faults_is_recovered() {
    // Every call goes to node 1, which redirects it to the leader, node 3, where 30% of the
    // attempts fail `transient`. The hop is not a try: each call still has 4 tries at the
    // leader.
    let faults: Faults = Arc::new(|req: &Req, _: Duration, rng: &Rng| {
        if req.node != 3 {
            Outcome::NotLeader(3)
        } else if rng.up_to(999) < 300 {
            Outcome::TransientBefore
        } else {
            Outcome::Ok
        }
    });
    let backend = Backend::new(100_000, 10, faults);
    let run = open_loop(
        retry_only(backend.clone()),
        10_000,
        Duration::from_millis(5),
        1,
        read,
    )
    .await;
    let at_leader = backend.attempts() - 10_000;
    println!(
        "redirect, then 30% transient: {} of 10000 calls succeed ({:.2}%), {} attempts: 10000 hops and {at_leader} at the leader ({:.3}x)",
        run.successes,
        run.success_ratio() * 100.0,
        backend.attempts(),
        at_leader as f64 / 10_000.0,
    );
    assert_eq!((run.successes, backend.attempts()), (9_921, 24_167));
    assert!(run.success_ratio() >= 0.990);
    // At the leader, the amplification of the 30% scenario: at most 4 tries per call.
    assert!(at_leader as f64 / 10_000.0 <= 1.45);
    assert_eq!(backend.round_trips_quantile(1.0), 5);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_ends_every_call_whose_attempts_hang_by_the_deadline() {
    // No timeout inside the retry layer: the layer ends the attempt in flight at the
    // deadline itself. 1,000 calls at 200 a second; half the attempts hang, a fifth fail
    // `transient` (and are retried while the deadline leaves room), the rest succeed.
    let deadline = Duration::from_millis(200);
    let faults: Faults = Arc::new(|_: &Req, _: Duration, rng: &Rng| match rng.up_to(9) {
        0..=4 => Outcome::Hang,
        5 | 6 => Outcome::TransientBefore,
        _ => Outcome::Ok,
    });
    let backend = Backend::new(100_000, 11, faults);
    let layer = retry_layer().deadline(deadline);
    let client = tower::Layer::layer(&layer, backend.clone());
    let errors = Arc::new(std::sync::Mutex::new(BTreeMap::<String, u32>::new()));
    let run = {
        let errors = Arc::clone(&errors);
        open_loop(
            tower::Layer::layer(
                &tower::util::MapErrLayer::new(move |err: BackendError| {
                    let elapsed = match &err {
                        BackendError::Middleware(inner) => inner.downcast_ref::<Elapsed>(),
                        _ => None,
                    };
                    let kind = match elapsed {
                        Some(elapsed) => {
                            assert_eq!(
                                (err.class(), err.status()),
                                (Class::Transient, Status::DeadlineExceeded)
                            );
                            assert!(elapsed.timeout() <= deadline);
                            "elapsed".to_owned()
                        }
                        None => err.to_string(),
                    };
                    *errors.lock().unwrap().entry(kind).or_default() += 1;
                    err
                }),
                client,
            ),
            1_000,
            Duration::from_millis(5),
            1,
            read,
        )
        .await
    };
    let slowest = run.latency_quantile(1.0);
    let errors = errors.lock().unwrap().clone();
    println!(
        "hanging attempts, 200 ms deadline, no timeout layer: the slowest of 1000 calls ends at {slowest:?}; {} succeed, {} attempts; errors {errors:?}",
        run.successes,
        backend.attempts()
    );
    // Every call ends by the deadline; those whose attempt hung end exactly at it, with
    // `Elapsed` (checked above for each: transient, `deadline_exceeded`, at most 200 ms
    // allowed). The others succeed or end with their last `transient` error (out of tries,
    // or of budget: the hung attempts never pay it back).
    assert!(slowest <= deadline);
    assert_eq!(slowest, deadline);
    assert_eq!((run.successes, backend.attempts()), (330, 1_179));
    assert_eq!(
        errors,
        BTreeMap::from([
            ("connection reset".to_owned(), 63),
            ("elapsed".to_owned(), 607)
        ])
    );
}
