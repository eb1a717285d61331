//! Exactly once: whatever the retries, the caller receives exactly one response per call,
//! its own, never a lost or a duplicated one; and a call the caller drops stops retrying.
//!
//! A retry layer keeps the request, sends it again and returns one of several attempts'
//! results. So a response could be lost (a call whose last attempt's result nobody
//! returns), duplicated (two attempts' results reaching the caller), mixed up (clones of
//! one client sharing per-call state), or a dropped call could go on retrying in the
//! background. Here 1,000 concurrent calls, each a task with its own id, go through clones
//! of one default-configured client to a backend that fails `transient` on 30% of attempts
//! and echoes the call's id and the attempt's number in every response and error. Each
//! result is filed under the id it *echoes*, so a lost, duplicated or misrouted response
//! would show as an id with no result, two results, or another call's result.
//!
//! The layer's hooks see no request, so a task-local gives them the id of the call being
//! polled: the attempts the backend counted for each id are checked against the retries
//! and give-ups the layer reported for that id, exactly (`attempts == 1 + retries`). Then
//! one call in ten is dropped (its task aborted) while it waits in backoff (as soon as its
//! first attempt's failure has reached the layer, which then waits out a backoff before the
//! retry): the backend never hears of it again, even after every possible backoff has passed, it produces no
//! result, and every other call still gets exactly one.
//!
//! Paused clock, one thread, seeded faults and jitter: a run is the same every time, so
//! besides the relations between the per-call records, the run's totals are asserted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use error_core::ClassifiedError;
use error_tower::backoff::Rng;
use error_tower::retry::{GiveUpEvent, GiveUpReason, RetryEvent, RetryLayer};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use crate::harness::{RTT, Req};

/// Calls in a run.
const CALLS: u64 = 1_000;
/// Calls started each millisecond: with a 10 ms round trip, about 100 are in flight.
const PER_TICK: u64 = 10;
/// The default policy's attempts in all.
const MAX_ATTEMPTS: u32 = 4;
/// Seeds the backend's faults (the layer's jitter has its own seed).
const FAULT_SEED: u64 = 0x00E4_AC71_0000_0000;
/// Well past every backoff of the default policy (at most 10, 20 and 40 ms).
const SETTLE: Duration = Duration::from_secs(10);

tokio::task_local! {
    /// The id of the call the current task makes: how the hooks, which see no request,
    /// attribute their events to calls.
    static CALL: u64;
}

/// A success: the call the backend answered, and the attempt that answered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Echo {
    id: u64,
    attempt: u32,
}

/// A failure, which names the call and the attempt too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ClassifiedError)]
#[class(transient, context = none)]
#[error("connection reset (call {id}, attempt {attempt})")]
struct Reset {
    id: u64,
    attempt: u32,
}

type Outcome = Result<Echo, Reset>;

/// Whether attempt `attempt` of call `id` fails, `per_thousand` times in 1,000: each
/// attempt by its own seeded draw, so that which attempts fail does not depend on the order
/// in which they arrive.
fn draw(id: u64, attempt: u32, per_thousand: u64) -> bool {
    Rng::seeded(FAULT_SEED ^ (id << 8) ^ u64::from(attempt)).up_to(999) < per_thousand
}

/// 30% of attempts fail.
fn thirty_percent(id: u64, attempt: u32) -> bool {
    draw(id, attempt, 300)
}

/// The calls the cancellation scenario drops.
fn every_tenth(id: u64) -> bool {
    id.is_multiple_of(10)
}

/// The first attempt of every tenth call fails, so that all of them go into backoff, where
/// they are dropped; 20% of the other attempts fail. (20%, not 30%: a dropped call takes a
/// token from the retry budget and never succeeds to pay one back, and at 30% the budget
/// would refuse the first retry of two of the dropped calls, which would then never be in
/// backoff.)
fn every_tenth_first_and_twenty_percent(id: u64, attempt: u32) -> bool {
    (every_tenth(id) && attempt == 1) || draw(id, attempt, 200)
}

/// Each attempt takes one round trip, then fails as `fails` says or succeeds; either way it
/// echoes the call's id and its attempt number, counted per id. As it fails the first
/// attempt of a call for which `drop_in_backoff` holds, it asks the caller to drop that
/// call.
#[derive(Clone)]
struct Backend {
    fails: fn(u64, u32) -> bool,
    attempts: Arc<Mutex<BTreeMap<u64, u32>>>,
    drop_in_backoff: fn(u64) -> bool,
    /// Taken once every call has ended, so that the caller's channel closes.
    drop_tx: Arc<Mutex<Option<mpsc::UnboundedSender<u64>>>>,
}

impl Backend {
    fn new(
        fails: fn(u64, u32) -> bool,
        drop_in_backoff: fn(u64) -> bool,
        drop_tx: mpsc::UnboundedSender<u64>,
    ) -> Self {
        Backend {
            fails,
            attempts: Arc::default(),
            drop_in_backoff,
            drop_tx: Arc::new(Mutex::new(Some(drop_tx))),
        }
    }

    /// Attempts per call id, so far.
    fn attempts(&self) -> BTreeMap<u64, u32> {
        self.attempts.lock().unwrap().clone()
    }
}

impl Service<Req> for Backend {
    type Response = Echo;
    type Error = Reset;
    type Future = Pin<Box<dyn Future<Output = Outcome> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Reset>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let id = req.id;
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap();
            let count = attempts.entry(id).or_default();
            *count += 1;
            *count
        };
        let fails = (self.fails)(id, attempt);
        let drop_tx = if attempt == 1 && (self.drop_in_backoff)(id) {
            self.drop_tx.lock().unwrap().clone()
        } else {
            None
        };
        Box::pin(async move {
            tokio::time::sleep(RTT).await;
            if let Some(drop_tx) = drop_tx {
                // The caller's task runs once this call's task yields: after the retry layer
                // has taken this failure and started its backoff, before the clock moves.
                drop_tx.send(id).unwrap();
            }
            if fails {
                Err(Reset { id, attempt })
            } else {
                Ok(Echo { id, attempt })
            }
        })
    }
}

/// The hooks' events, per call id.
#[derive(Default)]
struct Events {
    /// Each retry event, with when it was reported.
    retries: BTreeMap<u64, Vec<(Instant, RetryEvent)>>,
    give_ups: BTreeMap<u64, Vec<GiveUpEvent>>,
}

/// What a run saw.
struct Run {
    /// Each result, filed under the id it echoes.
    results: BTreeMap<u64, Vec<Outcome>>,
    /// The backend's attempts per id when every call had ended...
    attempts: BTreeMap<u64, u32>,
    /// ...and [`SETTLE`] later.
    attempts_settled: BTreeMap<u64, u32>,
    events: Events,
    /// When each call was started (its first attempt is sent then).
    started: BTreeMap<u64, Instant>,
    /// The calls dropped: when, and the attempts the backend had counted for them then.
    dropped: BTreeMap<u64, (Instant, u32)>,
    /// The calls whose task ended cancelled.
    cancelled: BTreeSet<u64>,
}

/// The one client of a run: the default retry layer, seeded, whose hooks file their events
/// under the id of the call being polled.
fn client(
    backend: &Backend,
    events: &Arc<Mutex<Events>>,
) -> impl Service<Req, Response = Echo, Error = Reset, Future: Send> + Clone + Send + 'static {
    let on_retry = {
        let events = Arc::clone(events);
        move |event: &RetryEvent| {
            let id = CALL.get();
            let mut events = events.lock().unwrap();
            let retries = events.retries.entry(id).or_default();
            retries.push((Instant::now(), *event));
        }
    };
    let on_give_up = {
        let events = Arc::clone(events);
        move |event: &GiveUpEvent| {
            let id = CALL.get();
            let mut events = events.lock().unwrap();
            events.give_ups.entry(id).or_default().push(*event);
        }
    };
    tower::Layer::layer(
        &RetryLayer::new()
            .seed(7)
            .on_retry(on_retry)
            .on_give_up(on_give_up),
        backend.clone(),
    )
}

/// Starts [`CALLS`] calls, [`PER_TICK`] a millisecond, each a task through a clone of one
/// client (the default retry layer, seeded) over a [`Backend`] that fails as `fails` says.
/// A call for which `drop_in_backoff` holds is dropped (its task aborted) as soon as its
/// first attempt has failed, while it waits in backoff. Waits for every call to end, then
/// [`SETTLE`] more.
async fn run(fails: fn(u64, u32) -> bool, drop_in_backoff: fn(u64) -> bool) -> Run {
    let (drop_tx, mut drop_rx) = mpsc::unbounded_channel();
    let backend = Backend::new(fails, drop_in_backoff, drop_tx);
    let events = Arc::new(Mutex::new(Events::default()));
    let client = client(&backend, &events);

    // The caller that drops calls: woken by the backend as it fails a call's first attempt,
    // it aborts the call's task once that task yields (the retry layer has then taken the
    // failure and started a backoff), before the paused clock can move.
    let abort_handles: Arc<Mutex<HashMap<u64, AbortHandle>>> = Arc::default();
    let dropping_caller = tokio::spawn({
        let abort_handles = Arc::clone(&abort_handles);
        let backend = backend.clone();
        async move {
            let mut dropped = BTreeMap::new();
            while let Some(id) = drop_rx.recv().await {
                abort_handles.lock().unwrap()[&id].abort();
                dropped.insert(id, (Instant::now(), backend.attempts()[&id]));
            }
            dropped
        }
    });

    let results: Arc<Mutex<BTreeMap<u64, Vec<Outcome>>>> = Arc::default();
    let mut tasks = Vec::with_capacity(CALLS as usize);
    let mut started = BTreeMap::new();
    for id in 0..CALLS {
        started.insert(id, Instant::now());
        let client = client.clone();
        let results = Arc::clone(&results);
        let req = Req {
            id,
            node: 1,
            idempotent: true,
        };
        let task = tokio::spawn(CALL.scope(id, async move {
            let result = client.oneshot(req).await;
            let echoed = match &result {
                Ok(echo) => echo.id,
                Err(reset) => reset.id,
            };
            results
                .lock()
                .unwrap()
                .entry(echoed)
                .or_default()
                .push(result);
            echoed
        }));
        abort_handles
            .lock()
            .unwrap()
            .insert(id, task.abort_handle());
        tasks.push((id, task));
        if (id + 1) % PER_TICK == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    drop(client);

    let mut cancelled = BTreeSet::new();
    for (id, task) in tasks {
        match task.await {
            Ok(echoed) => assert_eq!(echoed, id, "call {id} received call {echoed}'s result"),
            Err(error) => {
                assert!(error.is_cancelled(), "call {id}: {error}");
                cancelled.insert(id);
            }
        }
    }
    // Once every call has ended, the dropping caller ends.
    backend.drop_tx.lock().unwrap().take();
    let dropped = dropping_caller.await.unwrap();
    let attempts = backend.attempts();
    tokio::time::sleep(SETTLE).await;
    let attempts_settled = backend.attempts();
    let results = std::mem::take(&mut *results.lock().unwrap());
    let events = std::mem::take(&mut *events.lock().unwrap());
    Run {
        results,
        attempts,
        attempts_settled,
        events,
        started,
        dropped,
        cancelled,
    }
}

/// Totals over the calls that ended.
#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    successes: u64,
    failures: u64,
    attempts: u64,
    retries: u64,
    exhausted: u64,
    budget: u64,
}

/// Checks every call that was not dropped: exactly one result, its own; an `Ok` is the
/// answer to its last attempt, after failures only, with no give-up; an `Err` is its last
/// attempt's failure, with one give-up event that counts the same attempts; and the
/// backend's attempts for it are one plus the retries the layer announced, numbered in
/// order. Returns the totals.
fn check_calls(run: &Run, fails: fn(u64, u32) -> bool) -> Totals {
    let mut totals = Totals::default();
    for id in (0..CALLS).filter(|id| !run.dropped.contains_key(id)) {
        let results = run.results.get(&id).map_or(&[][..], Vec::as_slice);
        assert_eq!(results.len(), 1, "call {id}: {results:?}");
        let attempts = run.attempts[&id];
        let retries: Vec<u32> = run.events.retries.get(&id).map_or(vec![], |events| {
            events.iter().map(|(_, event)| event.attempt).collect()
        });
        assert_eq!(attempts, 1 + retries.len() as u32, "call {id}");
        assert_eq!(retries, (1..attempts).collect::<Vec<_>>(), "call {id}");
        // Every attempt but the last failed: a retry follows a failure only.
        assert!((1..attempts).all(|attempt| fails(id, attempt)), "call {id}");
        let give_ups = run.events.give_ups.get(&id).map_or(&[][..], Vec::as_slice);
        match results[0] {
            Ok(echo) => {
                assert_eq!(
                    echo,
                    Echo {
                        id,
                        attempt: attempts
                    }
                );
                assert!(!fails(id, attempts), "call {id}");
                assert_eq!(give_ups, &[], "call {id}");
                totals.successes += 1;
            }
            Err(reset) => {
                assert_eq!(
                    reset,
                    Reset {
                        id,
                        attempt: attempts
                    }
                );
                assert!(fails(id, attempts), "call {id}");
                assert_eq!(give_ups.len(), 1, "call {id}: {give_ups:?}");
                assert_eq!(give_ups[0].attempts, attempts, "call {id}");
                // Four attempts, or a retry the budget refused: nothing else ends a call
                // that fails `transient`.
                match give_ups[0].reason {
                    GiveUpReason::Exhausted => {
                        assert_eq!(attempts, MAX_ATTEMPTS, "call {id}");
                        totals.exhausted += 1;
                    }
                    GiveUpReason::Budget => {
                        assert!(attempts < MAX_ATTEMPTS, "call {id}");
                        totals.budget += 1;
                    }
                    reason => panic!("call {id} gave up for {reason}"),
                }
                totals.failures += 1;
            }
        }
        totals.attempts += u64::from(attempts);
        totals.retries += retries.len() as u64;
    }
    totals
}

#[tokio::test(start_paused = true)]
async fn every_call_receives_exactly_one_response_its_own() {
    let run = run(thirty_percent, |_| false).await;

    // Every call ended, with exactly one result, filed under its own id: none lost, none
    // duplicated, none another call's.
    assert!(run.dropped.is_empty());
    assert!(run.cancelled.is_empty());
    assert_eq!(
        run.results.keys().copied().collect::<Vec<_>>(),
        (0..CALLS).collect::<Vec<_>>()
    );
    let totals = check_calls(&run, thirty_percent);
    println!("exactly once, 30% transient: {totals:?}");

    // The backend saw exactly the attempts the calls account for, and no more once they
    // had ended.
    let backend_attempts: u64 = run.attempts.values().map(|n| u64::from(*n)).sum();
    assert_eq!(backend_attempts, totals.attempts);
    assert_eq!(totals.attempts, CALLS + totals.retries);
    assert_eq!(totals.successes + totals.failures, CALLS);
    assert_eq!(totals.failures, totals.exhausted + totals.budget);
    assert_eq!(run.attempts_settled, run.attempts);

    // The seeded run's figures, as the `println!` above shows them: identical on every run
    // (paused clock, one thread, seeded faults and jitter), so a change here is a change in
    // behaviour, or in the seeds.
    assert_eq!(
        totals,
        Totals {
            successes: 986,
            failures: 14,
            attempts: 1_396,
            retries: 396,
            exhausted: 14,
            budget: 0,
        }
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_dropped_in_backoff_is_never_attempted_again() {
    let fails = every_tenth_first_and_twenty_percent;
    let run = run(fails, every_tenth).await;

    // Every tenth call was dropped, each after its first attempt, while it waited in
    // backoff: at the instant its first attempt failed (one round trip after it started),
    // before the retry's delay had passed. A retry is announced as it is sent: none was.
    let tenth: BTreeSet<u64> = (0..CALLS).filter(|id| every_tenth(*id)).collect();
    assert_eq!(tenth.len(), 100);
    assert_eq!(run.dropped.keys().copied().collect::<BTreeSet<_>>(), tenth);
    assert_eq!(run.cancelled, tenth);
    for (id, (dropped_at, attempts_then)) in &run.dropped {
        assert_eq!(*attempts_then, 1, "call {id}");
        assert_eq!(*dropped_at, run.started[id] + RTT, "call {id}");
        assert!(!run.events.retries.contains_key(id), "call {id}");
        // After the drop, and long after its backoff would have ended, the backend has
        // still seen only its first attempt; the call produced no result and no give-up.
        assert_eq!(run.attempts[id], 1, "call {id}");
        assert_eq!(run.attempts_settled[id], 1, "call {id}");
        assert!(!run.results.contains_key(id), "call {id}");
        assert!(!run.events.give_ups.contains_key(id), "call {id}");
    }

    // Every other call still received exactly one result, its own.
    assert_eq!(
        run.results.keys().copied().collect::<BTreeSet<_>>(),
        (0..CALLS).filter(|id| !every_tenth(*id)).collect()
    );
    let totals = check_calls(&run, fails);
    println!("exactly once, every tenth call dropped in backoff: {totals:?}");
    let backend_attempts: u64 = run.attempts.values().map(|n| u64::from(*n)).sum();
    assert_eq!(backend_attempts, totals.attempts + 100);
    assert_eq!(totals.attempts, 900 + totals.retries);
    assert_eq!(totals.successes + totals.failures, 900);
    assert_eq!(totals.failures, totals.exhausted + totals.budget);
    assert_eq!(run.attempts_settled, run.attempts);

    // The seeded run's figures, as the `println!` above shows them: identical on every run
    // (paused clock, one thread, seeded faults and jitter), so a change here is a change in
    // behaviour, or in the seeds.
    assert_eq!(
        totals,
        Totals {
            successes: 893,
            failures: 7,
            attempts: 1_126,
            retries: 226,
            exhausted: 7,
            budget: 0,
        }
    );
}
