//! `FaultLayer`: exact injected counts from a seeded run, the switch mid-run, lost responses
//! against the default retry layer, latency, and the marks on injected errors. Paused
//! clock, seeded draws.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Error};
use error_tower::fault::{Counts, FaultError, FaultLayer, Injected, Latency};
use error_tower::retry::{IdempotentRequest, RetryLayer};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

/// A call: its id, and whether it may execute twice.
#[derive(Clone, Debug)]
struct Req {
    id: u64,
    idempotent: bool,
}

impl IdempotentRequest for Req {
    fn is_idempotent(&self) -> bool {
        self.idempotent
    }
}

/// Executions per request id.
#[derive(Clone, Default)]
struct Executions(Arc<Mutex<HashMap<u64, u32>>>);

impl Executions {
    fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }

    fn duplicates(&self) -> usize {
        self.0.lock().unwrap().values().filter(|n| **n > 1).count()
    }
}

/// A backend that executes every request in 10 ms and answers its id.
fn backend(
    executions: &Executions,
) -> impl Service<Req, Response = u64, Error = Error, Future: Send> + Clone + Send + 'static {
    let executions = executions.clone();
    tower::service_fn(move |req: Req| {
        let executions = executions.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            *executions.0.lock().unwrap().entry(req.id).or_default() += 1;
            Ok(req.id)
        }
    })
}

fn read(id: u64) -> Req {
    Req {
        id,
        idempotent: true,
    }
}

/// Each call's outcome: `Ok(latency)` or the error's code.
async fn run<S>(service: &mut S, calls: std::ops::Range<u64>) -> Vec<Result<Duration, &'static str>>
where
    S: Service<Req, Response = u64, Error = Error>,
{
    let mut outcomes = Vec::new();
    for id in calls {
        let started = Instant::now();
        let result = service.ready().await.unwrap().call(read(id)).await;
        outcomes.push(match result {
            Ok(answer) => {
                assert_eq!(answer, id);
                Ok(started.elapsed())
            }
            Err(err) => Err(err.code()),
        });
    }
    outcomes
}

fn layer(seed: u64) -> FaultLayer {
    FaultLayer::builder()
        .seed(seed)
        .errors(30, Injected::new(Class::Transient))
        .drop_responses(5)
        .latency(10, Latency::Fixed(Duration::from_millis(50)))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_seeded_run_injects_exactly_the_configured_counts() {
    let executions = Executions::default();
    let layer = layer(7);
    let handle = layer.handle();
    let mut service = layer.layer(backend(&executions));
    let outcomes = run(&mut service, 0..1_000).await;

    let mut expected = Counts::default();
    expected.calls = 1_000;
    expected.errors = 300;
    expected.drops = 50;
    expected.delays = 100;
    assert_eq!(handle.counts(), expected);
    let count = |code| outcomes.iter().filter(|o| **o == Err(code)).count();
    assert_eq!(count("fault.transient"), 300);
    assert_eq!(count("fault.response_dropped"), 50);
    // The injected errors never reach the backend; the dropped responses did.
    assert_eq!(executions.total(), 700);
    // Every window of 100 calls has exactly its counts.
    for window in outcomes.chunks(100) {
        assert_eq!(
            window
                .iter()
                .filter(|o| **o == Err("fault.transient"))
                .count(),
            30
        );
        assert_eq!(
            window
                .iter()
                .filter(|o| **o == Err("fault.response_dropped"))
                .count(),
            5
        );
    }
    // The successful calls took 10 ms, or 60 with an injected delay.
    let ok: Vec<Duration> = outcomes.iter().filter_map(|o| o.ok()).collect();
    assert_eq!(ok.len(), 650);
    let slow = ok
        .iter()
        .filter(|d| **d == Duration::from_millis(60))
        .count();
    let fast = ok
        .iter()
        .filter(|d| **d == Duration::from_millis(10))
        .count();
    assert_eq!(slow + fast, 650);
    assert_eq!(slow, 72, "the delays that fell on successful calls");
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_gives_the_same_faults_and_another_seed_others() {
    let faulted = |outcomes: Vec<Result<Duration, &'static str>>| -> Vec<usize> {
        outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_err())
            .map(|(i, _)| i)
            .collect()
    };
    let executions = Executions::default();
    let mut a = layer(7).layer(backend(&executions));
    let mut b = layer(7).layer(backend(&executions));
    let mut c = layer(8).layer(backend(&executions));
    let a = faulted(run(&mut a, 0..300).await);
    let b = faulted(run(&mut b, 0..300).await);
    let c = faulted(run(&mut c, 0..300).await);
    assert_eq!(a.len(), 105);
    assert_eq!(a, b);
    assert_eq!(c.len(), 105);
    assert_ne!(a, c);
}

#[tokio::test(start_paused = true)]
async fn the_handle_switches_injection_off_mid_run_and_changes_the_counts() {
    let executions = Executions::default();
    let layer = FaultLayer::builder()
        .seed(3)
        .errors(30, Injected::new(Class::Busy))
        .build()
        .unwrap();
    let handle = layer.handle();
    let mut service = layer.layer(backend(&executions));

    let first = run(&mut service, 0..500).await;
    assert_eq!(first.iter().filter(|o| o.is_err()).count(), 150);
    handle.disable();
    assert!(!handle.is_enabled());
    let off = run(&mut service, 500..1_000).await;
    assert!(off.iter().all(Result::is_ok), "no fault while switched off");
    assert_eq!(handle.counts().errors, 150);
    assert_eq!(handle.counts().calls, 1_000);

    // A game day: back on, at 50 of every 100.
    handle.enable();
    handle
        .set_errors(
            50,
            Injected::new(Class::Busy).with_retry_after(Duration::from_secs(1)),
        )
        .unwrap();
    let half = run(&mut service, 1_000..1_200).await;
    assert_eq!(half.iter().filter(|o| o.is_err()).count(), 100);
    assert_eq!(handle.counts().errors, 250);
    // A change that does not fit is refused, and nothing changes.
    assert_eq!(
        handle.set_drops(60),
        Err(FaultError::TooManyFaults {
            errors: 50,
            drops: 60,
            window: 100
        })
    );
    let still = run(&mut service, 1_200..1_300).await;
    assert_eq!(still.iter().filter(|o| o.is_err()).count(), 50);
}

/// 1,000 non-idempotent writes through a retry layer over the fault layer, which drops 30
/// responses of every 100 after the backend executed them.
async fn writes_with_dropped_responses(retry: RetryLayer) -> (Executions, Counts, usize) {
    let executions = Executions::default();
    let faults = FaultLayer::builder()
        .seed(11)
        .drop_responses(30)
        .build()
        .unwrap();
    let handle = faults.handle();
    let mut service = retry.seed(5).layer(faults.layer(backend(&executions)));
    let mut failed = 0;
    for id in 0..1_000 {
        let write = Req {
            id,
            idempotent: false,
        };
        if let Err(err) = service.ready().await.unwrap().call(write).await {
            assert_eq!(
                (err.class(), err.code()),
                (Class::Transient, "fault.response_dropped")
            );
            failed += 1;
        }
    }
    (executions, handle.counts(), failed)
}

#[tokio::test(start_paused = true)]
async fn dropped_responses_are_not_duplicated_by_the_default_retry_layer() {
    let (executions, counts, failed) = writes_with_dropped_responses(RetryLayer::new()).await;
    assert_eq!(counts.drops, 300);
    assert_eq!(counts.calls, 1_000, "no write was sent twice");
    assert_eq!(executions.total(), 1_000);
    assert_eq!(executions.duplicates(), 0);
    assert_eq!(failed, 300, "the caller sees every lost response");
}

#[tokio::test(start_paused = true)]
async fn dropped_responses_are_duplicate_executions_when_writes_are_retried() {
    let (executions, counts, failed) =
        writes_with_dropped_responses(RetryLayer::new().retry_non_idempotent(true)).await;
    // Every retry of a write whose response was dropped executes it again.
    let retries = counts.calls - 1_000;
    assert_eq!(retries, 420);
    assert_eq!(u64::from(executions.total()), counts.calls);
    assert_eq!(executions.duplicates(), 299);
    assert_eq!(failed, 9);
    // Each dropped response was either retried or the call's last answer.
    assert_eq!(counts.drops, retries + failed as u64);
    assert_eq!(counts.drops, 429);
}

#[tokio::test(start_paused = true)]
async fn latency_is_drawn_from_its_distribution() {
    let executions = Executions::default();
    let low = Duration::from_millis(20);
    let high = Duration::from_millis(80);
    let layer = FaultLayer::builder()
        .seed(9)
        .window(10)
        .latency(10, Latency::Uniform(low, high))
        .build()
        .unwrap();
    let mut service = layer.layer(backend(&executions));
    let outcomes = run(&mut service, 0..100).await;
    for latency in outcomes.iter().map(|o| *o.as_ref().unwrap()) {
        let delay = latency.checked_sub(Duration::from_millis(10)).unwrap();
        assert!(low <= delay && delay <= high, "{delay:?}");
    }

    let mean = Duration::from_millis(40);
    let layer = FaultLayer::builder()
        .seed(9)
        .window(1)
        .latency(1, Latency::Exponential(mean))
        .build()
        .unwrap();
    let mut service = layer.layer(backend(&executions));
    let outcomes = run(&mut service, 0..1_000).await;
    let total: Duration = outcomes
        .iter()
        .map(|o| {
            o.as_ref()
                .unwrap()
                .checked_sub(Duration::from_millis(10))
                .unwrap()
        })
        .sum();
    let measured = total / 1_000;
    assert!(
        outcomes
            .iter()
            .all(|o| *o.as_ref().unwrap() <= Duration::from_millis(10) + mean * 20)
    );
    assert_eq!(
        measured.as_millis(),
        39,
        "the sample mean of 1,000 seeded draws"
    );
}

#[tokio::test(start_paused = true)]
async fn an_exponential_mean_too_large_to_multiply_delays_the_longest_a_duration_can() {
    // Set at run time, through the handle: a mean of `Duration::MAX`, so that every draw
    // above the mean does not fit a `Duration`. Such a draw saturates (it used to panic,
    // with the handle's mutex held), and the call's answer is held "forever": the
    // caller's timeout ends it, and the handle still works.
    let executions = Executions::default();
    let layer = FaultLayer::builder().seed(9).window(1).build().unwrap();
    let handle = layer.handle();
    handle
        .set_latency(1, Latency::Exponential(Duration::MAX))
        .unwrap();
    let mut service = layer.layer(backend(&executions));
    for id in 0..10 {
        let call = service.ready().await.unwrap().call(Req {
            id,
            idempotent: true,
        });
        let started = Instant::now();
        assert!(
            tokio::time::timeout(Duration::from_secs(3_600), call)
                .await
                .is_err()
        );
        assert_eq!(started.elapsed(), Duration::from_secs(3_600));
    }
    let counts = handle.counts();
    assert_eq!(
        (counts.calls, counts.errors, counts.drops, counts.delays),
        (10, 0, 0, 10)
    );
    handle
        .set_latency(0, Latency::Fixed(Duration::ZERO))
        .unwrap();
    assert_eq!(
        executions.total(),
        10,
        "the backend ran; its answers were held"
    );
}

#[tokio::test(start_paused = true)]
async fn injected_errors_are_marked_and_carry_their_class_code_and_hint() {
    let layer = FaultLayer::builder()
        .seed(1)
        .window(1)
        .errors(
            1,
            Injected::new(Class::Busy)
                .with_code("fault.inventory_throttled")
                .with_retry_after(Duration::from_millis(250)),
        )
        .build()
        .unwrap();
    let mut service = layer.layer(backend(&Executions::default()));
    let err = service
        .ready()
        .await
        .unwrap()
        .call(read(1))
        .await
        .unwrap_err();
    assert_eq!(err.class(), Class::Busy);
    assert_eq!(err.code(), "fault.inventory_throttled");
    assert_eq!(err.retry_after(), Some(Duration::from_millis(250)));
    assert_eq!(err.to_string(), "injected fault. class=`busy`");
    assert!(err.downcast_ref::<Injected>().is_some());
}

#[test]
fn a_configuration_that_does_not_fit_is_refused() {
    let build = |builder: error_tower::fault::FaultBuilder| builder.build().unwrap_err();
    assert_eq!(
        build(FaultLayer::builder().window(0)),
        FaultError::ZeroWindow
    );
    assert_eq!(
        build(
            FaultLayer::builder()
                .errors(80, Injected::new(Class::Transient))
                .drop_responses(30)
        ),
        FaultError::TooManyFaults {
            errors: 80,
            drops: 30,
            window: 100
        }
    );
    assert_eq!(
        build(FaultLayer::builder().latency(101, Latency::Fixed(Duration::ZERO))),
        FaultError::TooManyDelays {
            delays: 101,
            window: 100
        }
    );
    let err =
        build(FaultLayer::builder().errors(1, Injected::new(Class::Busy).with_code("db.busy")));
    assert_eq!(err, FaultError::UnmarkedCode { code: "db.busy" });
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(
        err.to_string(),
        "injected error code must start with `fault.`. code=`db.busy`"
    );
}

#[test]
fn the_fault_errors_name_paths_that_exist() {
    // `exception.type` in error-otel: a path a user can write, so that the name in a
    // trace finds the type. (The module was private: `error_tower::fault::error` named
    // nothing.)
    use error_tower::fault::error::{FaultError as Defined, Injected as InjectedDefined};
    let injected: InjectedDefined = Injected::new(Class::Busy);
    assert_eq!(injected.type_name(), "error_tower::fault::error::Injected");
    let refused: Defined = FaultError::ZeroWindow;
    assert_eq!(refused.type_name(), "error_tower::fault::error::FaultError");
}
