//! Sagas: every step succeeds; a step fails with each class; a compensation fails; a
//! compensation is retried, then succeeds; the saga is dropped (cancelled) in a step and
//! in a compensation. Paused clock, exact call logs. The default sleep and abandonment hook
//! are tokio's, so the file needs the `tokio` feature (the default).
#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Error, Report, Status};
use error_saga::{Abandoned, Key, Saga, SagaError};
use tokio::time::Instant;

/// The calls the services received, in order: `"reserve order-1/1-reserve"`,
/// `"release order-1/1-reserve"`, …
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, what: &str, key: &Key) {
        self.0.lock().unwrap().push(format!("{what} {key}"));
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// A service call that logs `what` with the key, and answers `result`.
fn call<T: Send + 'static>(
    log: &Log,
    what: &'static str,
    result: Result<T, Error>,
) -> impl FnOnce(Key) -> std::future::Ready<Result<T, Error>> {
    let log = log.clone();
    move |key| {
        log.push(what, &key);
        std::future::ready(result)
    }
}

/// A compensation that logs `what` and answers the next of `results` (then `Ok`).
fn undo(
    log: &Log,
    what: &'static str,
    results: Vec<Result<(), Error>>,
) -> impl Fn(Key) -> std::future::Ready<Result<(), Error>> + Send + Sync + 'static {
    let log = log.clone();
    let results = Arc::new(Mutex::new(results.into_iter()));
    move |key| {
        log.push(what, &key);
        std::future::ready(results.lock().unwrap().next().unwrap_or(Ok(())))
    }
}

/// Checkout: reserve (released), charge (refunded) with `charge`'s result, ship (no
/// compensation) with `ship`'s.
async fn checkout(
    saga: &mut Saga,
    log: &Log,
    charge: Result<u64, Error>,
    refund: Vec<Result<(), Error>>,
    ship: Result<(), Error>,
) -> Result<u64, SagaError> {
    saga.step("reserve", call(log, "reserve", Ok(())))
        .compensate(undo(log, "release", vec![]))
        .run()
        .await?;
    let charged = saga
        .step("charge", call(log, "charge", charge))
        .compensate(undo(log, "refund", refund))
        .run()
        .await?;
    saga.step("ship", call(log, "ship", ship)).run().await?;
    Ok(charged)
}

#[tokio::test(start_paused = true)]
async fn every_step_succeeds_and_nothing_is_compensated() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-1");
    let charged = checkout(&mut saga, &log, Ok(42), vec![], Ok(()))
        .await
        .unwrap();
    saga.commit();
    assert_eq!(charged, 42);
    assert_eq!(
        log.take(),
        [
            "reserve order-1/1-reserve",
            "charge order-1/2-charge",
            "ship order-1/3-ship"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_step_that_fails_with_each_class_makes_the_saga_that_class_once_compensated() {
    for class in Class::ALL {
        let log = Log::default();
        let mut saga = Saga::new("checkout", "order-2");
        let cause = Error::adhoc(class, "payment failed").with_code("payment.failed");
        let err = checkout(&mut saga, &log, Err(cause), vec![], Ok(()))
            .await
            .unwrap_err();
        drop(saga);
        // Rejections before execution leave the failed step's own compensation out.
        let executed = !matches!(
            class,
            Class::Busy | Class::Redirect | Class::Invalid | Class::Denied
        );
        let mut expected = vec!["reserve order-2/1-reserve", "charge order-2/2-charge"];
        if executed {
            expected.push("refund order-2/2-charge");
        }
        expected.push("release order-2/1-reserve");
        assert_eq!(log.take(), expected, "{class}");
        assert_eq!(err.class(), class);
        assert_eq!(err.code(), "saga.compensated");
        assert_eq!(err.status(), Status::from_class(class));
        assert!(err.is_consistent());
        assert_eq!(err.step().to_string(), "order-2/2-charge");
        assert_eq!(err.cause().code(), "payment.failed");
        let compensated = if executed {
            "charge, reserve"
        } else {
            "reserve"
        };
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            format!(
                "saga step failed; completed steps compensated. saga=`checkout`, id=`order-2`, step=`charge`, compensated=`{compensated}` ({class}, saga.compensated)\n  caused by: payment failed ({class}, payment.failed)"
            )
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_failed_steps_hint_is_the_sagas() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-3");
    let busy = Error::busy("card network throttled").with_retry_after(Duration::from_secs(2));
    let err = checkout(&mut saga, &log, Err(busy), vec![], Ok(()))
        .await
        .unwrap_err();
    assert_eq!(
        (err.class(), err.retry_after()),
        (Class::Busy, Some(Duration::from_secs(2)))
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_compensation_makes_the_saga_data_with_the_repair_list() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-4");
    let refund_gone = Error::fatal("refund service is gone").with_code("payment.refund");
    let err = checkout(
        &mut saga,
        &log,
        Ok(7),
        vec![Err(refund_gone)],
        Err(Error::invalid("no such address").with_code("ship.address")),
    )
    .await
    .unwrap_err();
    assert_eq!(
        log.take(),
        [
            "reserve order-4/1-reserve",
            "charge order-4/2-charge",
            "ship order-4/3-ship",
            "refund order-4/2-charge",
            "release order-4/1-reserve",
        ]
    );
    assert_eq!(err.class(), Class::Data);
    assert_eq!(err.code(), "saga.inconsistent");
    assert_eq!(err.status(), Status::Internal);
    assert_eq!(err.retry_after(), None);
    assert!(!err.is_consistent());
    let compensated: Vec<String> = err.compensated().iter().map(ToString::to_string).collect();
    assert_eq!(compensated, ["order-4/1-reserve"]);
    let failures = err.compensation_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].key().to_string(), "order-4/2-charge");
    assert_eq!(failures[0].attempts(), 1, "fatal is not retried");
    assert_eq!(failures[0].error().class(), Class::Fatal);
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-4`, step=`ship`, compensated=`reserve`, failed=`charge: refund service is gone (fatal, payment.refund) after 1 attempt` (data, saga.inconsistent)\n  caused by: no such address (invalid, ship.address)"
    );
    assert_eq!(
        Report::new(&err).to_string(),
        "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-4`, step=`ship`, compensated=`reserve`, failed=`charge: refund service is gone (fatal, payment.refund) after 1 attempt`: no such address"
    );
}

#[tokio::test(start_paused = true)]
async fn a_compensation_is_retried_by_class_then_succeeds() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-5");
    let refund = vec![
        Err(Error::transient("refund timed out")),
        Err(Error::busy("refunds throttled").with_retry_after(Duration::from_secs(2))),
    ];
    let started = Instant::now();
    let err = checkout(
        &mut saga,
        &log,
        Ok(7),
        refund,
        Err(Error::invalid("no such address")),
    )
    .await
    .unwrap_err();
    // 100 ms after the first failure (the backoff), 2 s after the second (its hint, later
    // than the backoff's 200 ms); the third attempt succeeds.
    assert_eq!(started.elapsed(), Duration::from_millis(2_100));
    assert_eq!(
        log.take(),
        [
            "reserve order-5/1-reserve",
            "charge order-5/2-charge",
            "ship order-5/3-ship",
            "refund order-5/2-charge",
            "refund order-5/2-charge",
            "refund order-5/2-charge",
            "release order-5/1-reserve",
        ]
    );
    assert!(err.is_consistent());
    assert_eq!(err.class(), Class::Invalid);
}

#[tokio::test(start_paused = true)]
async fn a_compensation_that_keeps_failing_stops_after_its_attempts() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-6")
        .compensation_attempts(4)
        .compensation_backoff(Duration::from_millis(10), Duration::from_millis(25));
    let refund = (0..4)
        .map(|_| Err(Error::transient("refund timed out")))
        .collect();
    let started = Instant::now();
    let err = checkout(
        &mut saga,
        &log,
        Ok(7),
        refund,
        Err(Error::invalid("no such address")),
    )
    .await
    .unwrap_err();
    // 10 + 20 + 25 (capped) ms between the four attempts.
    assert_eq!(started.elapsed(), Duration::from_millis(55));
    let failures = err.compensation_failures();
    assert_eq!((failures.len(), failures[0].attempts()), (1, 4));
    assert_eq!(err.class(), Class::Data);
    assert_eq!(
        log.take()
            .iter()
            .filter(|line| line.starts_with("refund"))
            .count(),
        4
    );
}

/// A step that never answers, logging its start.
fn hang<T>(
    log: &Log,
    what: &'static str,
) -> impl FnOnce(Key) -> std::future::Pending<Result<T, Error>> {
    let log = log.clone();
    move |key| {
        log.push(what, &key);
        std::future::pending()
    }
}

#[tokio::test(start_paused = true)]
async fn a_saga_dropped_in_a_step_compensates_on_the_runtime_by_default() {
    let log = Log::default();
    let run = {
        let log = log.clone();
        async move {
            let mut saga = Saga::new("checkout", "order-8");
            saga.step("reserve", call(&log, "reserve", Ok(())))
                .compensate(undo(&log, "release", vec![]))
                .run()
                .await?;
            saga.step("charge", hang::<u64>(&log, "charge"))
                .compensate(undo(&log, "refund", vec![]))
                .run()
                .await?;
            saga.commit();
            Ok::<_, SagaError>(())
        }
    };
    // The caller gives up after 1 s: the saga's future is dropped in the charge step.
    assert!(
        tokio::time::timeout(Duration::from_secs(1), run)
            .await
            .is_err()
    );
    // The spawned compensations run on the next turns of the runtime.
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    assert_eq!(
        log.take(),
        [
            "reserve order-8/1-reserve",
            "charge order-8/2-charge",
            "refund order-8/2-charge",
            "release order-8/1-reserve",
        ]
    );
}

/// Keeps what the hook received.
#[derive(Clone, Default)]
struct Kept(Arc<Mutex<Vec<Abandoned>>>);

#[tokio::test(start_paused = true)]
async fn a_saga_dropped_in_a_compensation_hands_the_rest_to_its_hook() {
    let log = Log::default();
    let kept = Kept::default();
    let run = {
        let log = log.clone();
        let kept = kept.clone();
        async move {
            let mut saga = Saga::new("checkout", "order-9").on_abandon(move |abandoned| {
                kept.0.lock().unwrap().push(abandoned);
            });
            saga.step("reserve", call(&log, "reserve", Ok(())))
                .compensate(undo(&log, "release", vec![]))
                .run()
                .await?;
            // The refund's first attempt fails, and its retry is still waiting 100 ms when
            // the caller gives up.
            saga.step("charge", call(&log, "charge", Ok(7)))
                .compensate(undo(&log, "refund", vec![Err(Error::transient("timeout"))]))
                .run()
                .await?;
            saga.step(
                "ship",
                call(
                    &log,
                    "ship",
                    Err::<(), _>(Error::invalid("no such address")),
                ),
            )
            .run()
            .await?;
            saga.commit();
            Ok::<_, SagaError>(())
        }
    };
    assert!(
        tokio::time::timeout(Duration::from_millis(50), run)
            .await
            .is_err()
    );
    assert_eq!(
        log.take(),
        [
            "reserve order-9/1-reserve",
            "charge order-9/2-charge",
            "ship order-9/3-ship",
            "refund order-9/2-charge",
        ]
    );
    let abandoned = kept.0.lock().unwrap().pop().unwrap();
    assert_eq!((abandoned.saga(), abandoned.id()), ("checkout", "order-9"));
    let keys: Vec<String> = abandoned.keys().map(ToString::to_string).collect();
    // The refund in progress is handed over too: compensations are idempotent.
    assert_eq!(keys, ["order-9/2-charge", "order-9/1-reserve"]);
    abandoned.compensate().await.unwrap();
    assert_eq!(
        log.take(),
        ["refund order-9/2-charge", "release order-9/1-reserve"]
    );
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_compensation_that_fails_is_a_data_error_caused_by_cancellation() {
    let log = Log::default();
    let kept = Kept::default();
    {
        let mut saga = Saga::new("checkout", "order-10")
            .compensation_attempts(1)
            .on_abandon({
                let kept = kept.clone();
                move |abandoned| kept.0.lock().unwrap().push(abandoned)
            });
        saga.step("charge", call(&log, "charge", Ok(())))
            .compensate(undo(
                &log,
                "refund",
                vec![Err(Error::fatal("refund service is gone"))],
            ))
            .run()
            .await
            .unwrap();
        // Dropped without commit.
    }
    let abandoned = kept.0.lock().unwrap().pop().unwrap();
    let err = abandoned.compensate().await.unwrap_err();
    assert_eq!(
        (err.class(), err.code()),
        (Class::Data, "saga.inconsistent")
    );
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-10`, step=`charge`, compensated=``, failed=`charge: refund service is gone (fatal, fatal) after 1 attempt` (data, saga.inconsistent)\n  caused by: saga dropped before it committed (transient, saga.cancelled)"
    );
}

#[tokio::test(start_paused = true)]
async fn a_committed_saga_and_a_saga_with_nothing_to_undo_call_no_hook() {
    let log = Log::default();
    let kept = Kept::default();
    let hook = {
        let kept = kept.clone();
        move |abandoned| kept.0.lock().unwrap().push(abandoned)
    };
    let mut saga = Saga::new("checkout", "order-11").on_abandon(hook.clone());
    saga.step("reserve", call(&log, "reserve", Ok(())))
        .compensate(undo(&log, "release", vec![]))
        .run()
        .await
        .unwrap();
    saga.commit();
    let mut saga = Saga::new("checkout", "order-12").on_abandon(hook);
    saga.step("read", call(&log, "read", Ok(())))
        .run()
        .await
        .unwrap();
    drop(saga);
    assert!(kept.0.lock().unwrap().is_empty());
    assert_eq!(
        log.take(),
        ["reserve order-11/1-reserve", "read order-12/1-read"]
    );
}

/// Any executor: the saga only awaits its steps' futures; the sleep is the caller's.
#[test]
fn a_saga_runs_without_tokio_with_its_own_sleep() {
    let log = Log::default();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let mut saga = Saga::new("checkout", "order-13").sleep({
        let slept = Arc::clone(&slept);
        move |delay| {
            slept.lock().unwrap().push(delay);
            std::future::ready(())
        }
    });
    let err = block_on(checkout(
        &mut saga,
        &log,
        Ok(7),
        vec![Err(Error::transient("refund timed out"))],
        Err(Error::invalid("no such address")),
    ))
    .unwrap_err();
    assert!(err.is_consistent());
    assert_eq!(*slept.lock().unwrap(), [Duration::from_millis(100)]);
}

/// A minimal executor for futures that never wait (every call here answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
