//! One budget shared by many concurrent service clones, under a stress of many tasks on a
//! multi-thread runtime: the retries granted are exactly the tokens the budget held or was
//! paid, never one more, whichever clone asks and however the withdrawals race.
//!
//! The clones come two ways, and both must share the budget: `Clone` of one `Retry`, and
//! separate `Layer::layer` calls on clones of one `RetryLayer` (each call makes a new policy
//! whose `Config` holds a clone of the same `Budget`).
//!
//! `max_attempts` is unlimited so that the budget is the only limit: every failed call ends
//! with `GiveUpReason::Budget`, never `Exhausted`, and the counts below are exact.
//!
//! Paused time is not available on a multi-thread runtime, so the backoff really sleeps: it
//! is fixed at 1 ms, the least there is for `transient` (a `Backoff` base must be above zero,
//! and the policy rounds every delay up to a whole millisecond).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use error_core::Class;
use error_tower::backoff::{Backoff, Jitter};
use error_tower::budget::Budget;
use error_tower::retry::{GiveUpEvent, GiveUpReason, RetryEvent, RetryLayer};
use tower::{Layer, Service};

use super::{BackendError, Req, call, ms, read};

/// Tasks, one service clone each.
const TASKS: u64 = 64;
/// Calls per task, one after the other.
const CALLS_PER_TASK: u64 = 20;
/// Calls in all.
const CALLS: u64 = TASKS * CALLS_PER_TASK;
/// The budget's initial balance, in tokens.
const INITIAL: u64 = 50;

/// A backend that fails `transient` on every attempt, except that (when `succeed_every` is
/// not 0) the attempts numbered `succeed_every`, `2 * succeed_every`, … across all clones
/// succeed. It counts its attempts.
#[derive(Clone)]
struct Backend {
    attempts: Arc<AtomicU64>,
    succeed_every: u64,
}

impl Service<Req> for Backend {
    type Response = u64;
    type Error = BackendError;
    type Future = std::future::Ready<Result<u64, BackendError>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BackendError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Req) -> Self::Future {
        let n = self.attempts.fetch_add(1, Ordering::Relaxed) + 1;
        if self.succeed_every != 0 && n.is_multiple_of(self.succeed_every) {
            std::future::ready(Ok(n))
        } else {
            std::future::ready(Err(BackendError::Reset))
        }
    }
}

/// What a run counted.
#[derive(Debug)]
struct Outcome {
    /// Backend attempts.
    attempts: u64,
    /// Calls that ended `Ok`, as their callers saw them.
    ok: u64,
    /// Calls that ended `Err`, as their callers saw them.
    failed: u64,
    /// `on_retry` events: withdrawals granted.
    retries: u64,
    /// `on_give_up` events with `GiveUpReason::Budget`.
    budget_give_ups: u64,
    /// `on_give_up` events with any other reason.
    other_give_ups: u64,
    /// The sum of `attempts` over the `on_give_up` events.
    give_up_attempts: u64,
}

/// Runs `TASKS` tasks of `CALLS_PER_TASK` calls each, every task on its own clone of the
/// retry service, all sharing `budget`.
async fn run(budget: &Budget, succeed_every: u64) -> Outcome {
    let retries = Arc::new(AtomicU64::new(0));
    let budget_give_ups = Arc::new(AtomicU64::new(0));
    let other_give_ups = Arc::new(AtomicU64::new(0));
    let give_up_attempts = Arc::new(AtomicU64::new(0));
    let layer = {
        let retries = Arc::clone(&retries);
        let budget_give_ups = Arc::clone(&budget_give_ups);
        let other_give_ups = Arc::clone(&other_give_ups);
        let give_up_attempts = Arc::clone(&give_up_attempts);
        RetryLayer::new()
            .budget(budget.clone())
            .seed(7)
            .max_attempts(u32::MAX)
            .backoff(
                Backoff::new(ms(1), 1.0, ms(1))
                    .unwrap()
                    .with_jitter(Jitter::None),
            )
            .assume_idempotent()
            .on_retry(move |e: &RetryEvent| {
                assert_eq!((e.class, e.delay), (Class::Transient, ms(1)));
                retries.fetch_add(1, Ordering::Relaxed);
            })
            .on_give_up(move |e: &GiveUpEvent| {
                if e.reason == GiveUpReason::Budget {
                    budget_give_ups.fetch_add(1, Ordering::Relaxed);
                } else {
                    other_give_ups.fetch_add(1, Ordering::Relaxed);
                }
                give_up_attempts.fetch_add(u64::from(e.attempts), Ordering::Relaxed);
            })
    };
    let backend = Backend {
        attempts: Arc::new(AtomicU64::new(0)),
        succeed_every,
    };

    // Half the clones are `Clone`s of one service, half come from their own `layer` call on
    // a clone of the layer.
    let first = layer.layer(backend.clone());
    let services: Vec<_> = (0..TASKS)
        .map(|i| {
            if i % 2 == 0 {
                first.clone()
            } else {
                layer.clone().layer(backend.clone())
            }
        })
        .collect();

    // A start line, so that the first withdrawals of every task race: each task waits,
    // yielding its worker, until all have arrived.
    let arrived = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = services
        .into_iter()
        .map(|mut service| {
            let arrived = Arc::clone(&arrived);
            let ok = Arc::clone(&ok);
            let failed = Arc::clone(&failed);
            tokio::spawn(async move {
                arrived.fetch_add(1, Ordering::AcqRel);
                while arrived.load(Ordering::Acquire) < TASKS {
                    tokio::task::yield_now().await;
                }
                for _ in 0..CALLS_PER_TASK {
                    match call(&mut service, read()).await {
                        Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                        Err(BackendError::Reset) => failed.fetch_add(1, Ordering::Relaxed),
                        Err(other) => panic!("unexpected error {other:?}"),
                    };
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    Outcome {
        attempts: backend.attempts.load(Ordering::Relaxed),
        ok: ok.load(Ordering::Relaxed),
        failed: failed.load(Ordering::Relaxed),
        retries: retries.load(Ordering::Relaxed),
        budget_give_ups: budget_give_ups.load(Ordering::Relaxed),
        other_give_ups: other_give_ups.load(Ordering::Relaxed),
        give_up_attempts: give_up_attempts.load(Ordering::Relaxed),
    }
}

fn budget(initial: u64, max: u64) -> Budget {
    Budget::builder()
        .ratio(0.5)
        .initial_balance(u32::try_from(initial).unwrap())
        .max_balance(u32::try_from(max).unwrap())
        // No credit for time: the only tokens are the initial ones and the deposits.
        .min_per_sec(0)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clones_racing_against_a_dead_backend_spend_exactly_the_initial_balance() {
    let budget = budget(INITIAL, INITIAL);
    let out = run(&budget, 0).await;

    // No success, so no deposit: 1,280 calls, all failing, race for 50 tokens. Exactly 50
    // retries are granted, one per token, and not one more.
    assert_eq!(out.retries, INITIAL, "{out:?}");
    assert_eq!(budget.balance(), 0, "{out:?}");
    // Every call fails, and ends because the budget refused its next retry (the attempts
    // are unlimited): 1,280 give-ups, all for the budget.
    assert_eq!((out.ok, out.failed), (0, CALLS), "{out:?}");
    assert_eq!(
        (out.budget_give_ups, out.other_give_ups),
        (CALLS, 0),
        "{out:?}"
    );
    // Each call makes one attempt plus its retries: 1,280 + 50 = 1,330 backend attempts,
    // and the give-up events account for every one of them.
    assert_eq!(out.attempts, CALLS + INITIAL, "{out:?}");
    assert_eq!(out.give_up_attempts, CALLS + INITIAL, "{out:?}");
}

/// Every 4th backend attempt succeeds and deposits half a token, while the failures race to
/// withdraw.
const SUCCEED_EVERY: u64 = 4;

/// The exact accounting of a run with deposits. In milli-tokens (`budget.rs`), the balance
/// starts at `1000 * INITIAL`, a success adds `round(0.5 * 1000) = 500` (clipped at the
/// maximum, or nothing at it), a granted retry takes 1000, a refused one nothing. Returns the
/// number of successes.
fn check_calls(out: &Outcome) -> u64 {
    // The backend's attempts are numbered 1, 2, … by one counter: exactly every 4th
    // succeeded.
    let successes = out.attempts / SUCCEED_EVERY;
    assert_eq!(out.ok, successes, "{out:?}");
    // A call ends on its first success, or when the budget refuses a retry.
    assert_eq!(out.ok + out.failed, CALLS, "{out:?}");
    assert_eq!(
        (out.budget_give_ups, out.other_give_ups),
        (out.failed, 0),
        "{out:?}"
    );
    // One attempt per call, plus one per granted retry.
    assert_eq!(out.attempts, CALLS + out.retries, "{out:?}");
    // No overdraft: never more retries than the initial tokens plus half a token per
    // success.
    assert!(2 * out.retries <= 2 * INITIAL + successes, "{out:?}");
    // The budget did run dry, so the retries were rationed and the race was real.
    assert!(out.failed > 0, "{out:?}");
    successes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clones_racing_with_deposits_spend_exactly_what_was_deposited() {
    // A maximum no run can reach (asserted below), so no deposit is ever clipped.
    const MAX: u64 = 100_000;
    let budget = budget(INITIAL, MAX);
    let out = run(&budget, SUCCEED_EVERY).await;
    let successes = check_calls(&out);

    // The balance never exceeded its start plus every deposit: it never reached the
    // maximum, so every success deposited exactly 500.
    assert!(1000 * INITIAL + 500 * successes < 1000 * MAX, "{out:?}");
    // Conservation, exactly: end = 1000 * INITIAL + 500 * successes - 1000 * retries
    // milli-tokens, and `balance()` rounds down to whole tokens, so
    // retries + balance = INITIAL + floor(successes / 2).
    assert_eq!(
        out.retries + budget.balance(),
        INITIAL + successes / 2,
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clones_racing_with_deposits_into_a_full_budget_never_overdraw() {
    // The budget starts at its maximum: a deposit that finds it full, or nearly, is clipped,
    // by an amount that depends on how the race went. Conservation then gives only a bound:
    // end = 1000 * INITIAL + deposited - 1000 * retries, with deposited at most
    // 500 * successes, so retries + balance <= INITIAL + floor(successes / 2).
    let budget = budget(INITIAL, INITIAL);
    let out = run(&budget, SUCCEED_EVERY).await;
    let successes = check_calls(&out);
    assert!(budget.balance() <= INITIAL, "{out:?}");
    assert!(
        out.retries + budget.balance() <= INITIAL + successes / 2,
        "{out:?}"
    );
}
