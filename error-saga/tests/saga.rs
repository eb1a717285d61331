//! Sagas: every step succeeds; a step fails with each class; a compensation fails; a
//! compensation is retried, then succeeds; the saga is dropped (cancelled) in a step and
//! in a compensation; a saga run again. Paused clock, exact call logs. The default sleep and
//! abandonment hook are tokio's, so the file needs the `tokio` feature (the default;
//! `required-features` in Cargo.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Log, call, checkout, undo};
use error_core::{Class, ClassifiedError, Error, Report, Retriable, Status};
use error_saga::{Abandoned, Key, Saga, SagaError};
use error_tower::retry::RetryLayer;
use tokio::time::Instant;
use tower::{Layer, ServiceExt};

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
            "reserve order-1#1/1-reserve",
            "charge order-1#1/2-charge",
            "ship order-1#1/3-ship"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_step_that_fails_with_each_class_makes_the_saga_that_class_once_compensated() {
    for class in Class::ALL {
        let log = Log::default();
        let mut saga = Saga::new("checkout", "order-2");
        let cause = Error::adhoc(class, "payment failed").with_code("payment.failed");
        let cause_line = line!() - 1;
        let err = checkout(&mut saga, &log, Err(cause), vec![], Ok(()))
            .await
            .unwrap_err();
        drop(saga);
        // The failed step's own compensation runs whatever the class: the class is the
        // last attempt's, and an earlier one may have executed.
        assert_eq!(
            log.take(),
            [
                "reserve order-2#1/1-reserve",
                "charge order-2#1/2-charge",
                "refund order-2#1/2-charge",
                "release order-2#1/1-reserve",
            ],
            "{class}"
        );
        // A step's `fatal` and `redirect` name actions only the step's caller can take.
        let saga_class = match class {
            Class::Fatal => Class::Internal,
            Class::Redirect => Class::Transient,
            class => class,
        };
        assert_eq!(err.class(), saga_class, "{class}");
        assert_eq!(err.code(), "saga.compensated");
        assert_eq!(err.status(), Status::from_class(class));
        // The step's error states no status (an ad-hoc one), so neither does the saga's.
        assert_eq!(err.stated_status(), None);
        assert!(err.is_consistent());
        assert_eq!(err.step().to_string(), "order-2#1/2-charge");
        assert_eq!(err.cause().code(), "payment.failed");
        assert_eq!(
            format!("{:#}", Report::new(&err)),
            format!(
                "saga step failed; completed steps compensated. saga=`checkout`, id=`order-2`, attempt=`1`, step=`charge`, compensated=`charge, reserve` ({saga_class}, saga.compensated)\n  caused by: payment failed ({class}, payment.failed) at {}:{cause_line}:21",
                file!()
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
async fn a_step_that_fails_fatal_or_redirect_makes_an_internal_or_transient_saga() {
    let log = Log::default();
    let mut saga = Saga::new("checkout", "order-15");
    let lost = Error::fatal("card processor lost its ledger").with_code("payment.ledger");
    let err = checkout(&mut saga, &log, Err(lost), vec![], Ok(()))
        .await
        .unwrap_err();
    // Not "restart this process": the payment provider's fault is not the caller's.
    assert_eq!(
        (err.class(), err.is_fatal(), err.is_retriable()),
        (Class::Internal, false, false)
    );
    assert_eq!(err.status(), Status::Internal);

    let mut saga = Saga::new("checkout", "order-16");
    let moved = Error::redirect("not the leader; try node 3")
        .with_code("payment.not_leader")
        .with_status(Status::Unavailable)
        .with_retry_after(Duration::from_millis(50));
    let err = checkout(&mut saga, &log, Err(moved), vec![], Ok(()))
        .await
        .unwrap_err();
    // The saga's caller has no request to send to node 3: it runs the saga again.
    assert_eq!(
        (err.class(), err.retry_after(), err.status()),
        (
            Class::Transient,
            Some(Duration::from_millis(50)),
            Status::Unavailable
        )
    );
    assert_eq!(err.cause().class(), Class::Redirect);
    // The status the step's answer stated is the saga's.
    assert_eq!(err.stated_status(), Some(Status::Unavailable));
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
    let ship_line = line!() - 4;
    assert_eq!(
        log.take(),
        [
            "reserve order-4#1/1-reserve",
            "charge order-4#1/2-charge",
            "ship order-4#1/3-ship",
            "refund order-4#1/2-charge",
            "release order-4#1/1-reserve",
        ]
    );
    assert_eq!(err.class(), Class::Data);
    assert_eq!(err.code(), "saga.inconsistent");
    assert_eq!(
        (err.status(), err.stated_status()),
        (Status::Internal, Some(Status::Internal))
    );
    assert_eq!(err.retry_after(), None);
    assert!(!err.is_consistent());
    let compensated: Vec<String> = err.compensated().iter().map(ToString::to_string).collect();
    assert_eq!(compensated, ["order-4#1/1-reserve"]);
    let failures = err.compensation_failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].key().to_string(), "order-4#1/2-charge");
    assert_eq!(failures[0].attempts(), 1, "fatal is not retried");
    assert_eq!(failures[0].error().class(), Class::Fatal);
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-4`, attempt=`1`, step=`ship`, compensated=`reserve`, failed=`charge: refund service is gone (fatal, payment.refund) after 1 attempt` (data, saga.inconsistent)\n  caused by: no such address (invalid, ship.address) at {}:{ship_line}:13",
            file!()
        )
    );
    assert_eq!(
        Report::new(&err).to_string(),
        "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-4`, attempt=`1`, step=`ship`, compensated=`reserve`, failed=`charge: refund service is gone (fatal, payment.refund) after 1 attempt`: no such address"
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
            "reserve order-5#1/1-reserve",
            "charge order-5#1/2-charge",
            "ship order-5#1/3-ship",
            "refund order-5#1/2-charge",
            "refund order-5#1/2-charge",
            "refund order-5#1/2-charge",
            "release order-5#1/1-reserve",
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
    let (released, mut done) = tokio::sync::mpsc::unbounded_channel();
    let run = {
        let log = log.clone();
        async move {
            let mut saga = Saga::new("checkout", "order-8");
            saga.step("reserve", call(&log, "reserve", Ok(())))
                .compensate(signal(&log, "release", released))
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
    // The spawned compensations run on the runtime; the release, the last of them, says
    // when it is done.
    assert_eq!(done.recv().await, Some("order-8#1/1-reserve".to_owned()));
    assert_eq!(
        log.take(),
        [
            "reserve order-8#1/1-reserve",
            "charge order-8#1/2-charge",
            "refund order-8#1/2-charge",
            "release order-8#1/1-reserve",
        ]
    );
}

/// A compensation that logs `what`, succeeds, and sends its key on `done`.
fn signal(
    log: &Log,
    what: &'static str,
    done: tokio::sync::mpsc::UnboundedSender<String>,
) -> impl Fn(Key) -> std::future::Ready<Result<(), Error>> + Send + Sync + 'static {
    let log = log.clone();
    move |key| {
        log.push(what, &key);
        let _ = done.send(key.to_string());
        std::future::ready(Ok(()))
    }
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
            "reserve order-9#1/1-reserve",
            "charge order-9#1/2-charge",
            "ship order-9#1/3-ship",
            "refund order-9#1/2-charge",
        ]
    );
    let abandoned = kept.0.lock().unwrap().pop().unwrap();
    assert_eq!((abandoned.saga(), abandoned.id()), ("checkout", "order-9"));
    let keys: Vec<String> = abandoned.keys().map(ToString::to_string).collect();
    // The refund in progress is handed over too: compensations are idempotent.
    assert_eq!(keys, ["order-9#1/2-charge", "order-9#1/1-reserve"]);
    abandoned.compensate().await.unwrap();
    assert_eq!(
        log.take(),
        ["refund order-9#1/2-charge", "release order-9#1/1-reserve"]
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
    // The cancellation is made inside error-saga, where the dropped saga compensates: that
    // is its location (no line of the caller's made it).
    let made_at = err
        .classified_source()
        .and_then(ClassifiedError::location)
        .unwrap();
    assert_eq!(made_at.file(), "error-saga/src/abandon.rs");
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "saga step failed; compensations failed, repair needed. saga=`checkout`, id=`order-10`, attempt=`1`, step=`charge`, compensated=``, failed=`charge: refund service is gone (fatal, fatal) after 1 attempt` (data, saga.inconsistent)\n  caused by: saga dropped before it committed (transient, saga.cancelled) at {made_at}"
        )
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
        ["reserve order-11#1/1-reserve", "read order-12#1/1-read"]
    );
}

/// A payment service that keeps what it charged under each key, and a tombstone for each
/// key it refunded, which it refuses from then on. `answers` scripts the charge calls: the
/// next one is taken per call, and an empty script charges and answers.
#[derive(Default)]
struct Payments {
    calls: Mutex<Vec<String>>,
    charged: Mutex<BTreeSet<String>>,
    tombstones: Mutex<BTreeSet<String>>,
    answers: Mutex<Vec<Answer>>,
}

/// How the payment service answers one charge.
#[derive(Clone, Copy)]
enum Answer {
    /// Charges, and the reply is lost: the client sees `transient`.
    ChargeThenLose,
    /// Refuses `busy`, with no hint: the retry layer does not retry it.
    Busy,
    /// Refuses `invalid`, status `already_exists`: a callee that rejects a key it has seen.
    AlreadyExists,
}

impl Payments {
    fn charge(&self, key: &Key) -> Result<u64, Error> {
        self.calls.lock().unwrap().push(format!("charge {key}"));
        let key = key.to_string();
        if self.tombstones.lock().unwrap().contains(&key) {
            return Err(Error::invalid("key was compensated").with_code("payment.tombstone"));
        }
        let answer = {
            let mut answers = self.answers.lock().unwrap();
            (!answers.is_empty()).then(|| answers.remove(0))
        };
        match answer {
            Some(Answer::Busy) => Err(Error::busy("payments throttled")),
            Some(Answer::AlreadyExists) => Err(Error::invalid("charge already exists")
                .with_status(Status::AlreadyExists)
                .with_code("payment.exists")),
            Some(Answer::ChargeThenLose) => {
                self.charged.lock().unwrap().insert(key);
                Err(Error::transient("reply lost").with_code("net.reset"))
            }
            None => {
                self.charged.lock().unwrap().insert(key);
                Ok(4_200)
            }
        }
    }

    fn refund(&self, key: &Key) {
        self.calls.lock().unwrap().push(format!("refund {key}"));
        let key = key.to_string();
        self.charged.lock().unwrap().remove(&key);
        self.tombstones.lock().unwrap().insert(key);
    }

    fn charged(&self) -> Vec<String> {
        self.charged.lock().unwrap().iter().cloned().collect()
    }
}

/// One charge step, through error-tower's default retry layer (seeded), refunded by
/// `payments.refund`.
async fn charge_step(saga: &mut Saga, payments: &Arc<Payments>) -> Result<u64, SagaError> {
    let service = {
        let payments = Arc::clone(payments);
        tower::service_fn(move |key: Key| {
            let result = payments.charge(&key);
            async move { result }
        })
    };
    let client = RetryLayer::new().assume_idempotent().seed(3).layer(service);
    let refunds = Arc::clone(payments);
    saga.step("charge", |key| client.oneshot(key))
        .compensate(move |key| {
            refunds.refund(&key);
            async { Ok::<_, Error>(()) }
        })
        .run()
        .await
}

#[tokio::test(start_paused = true)]
async fn a_step_refused_busy_after_an_attempt_that_executed_is_compensated() {
    let payments = Arc::new(Payments::default());
    *payments.answers.lock().unwrap() = vec![Answer::ChargeThenLose, Answer::Busy];
    let mut saga = Saga::new("checkout", "order-17");
    let err = charge_step(&mut saga, &payments).await.unwrap_err();
    // The retry layer sent the charge twice; the first executed, the second was refused
    // `busy`, which is the step's error. The refund still runs: the card was charged.
    assert_eq!(
        *payments.calls.lock().unwrap(),
        [
            "charge order-17#1/1-charge",
            "charge order-17#1/1-charge",
            "refund order-17#1/1-charge",
        ]
    );
    assert_eq!(payments.charged(), Vec::<String>::new());
    assert_eq!((err.class(), err.is_consistent()), (Class::Busy, true));
    let compensated: Vec<String> = err.compensated().iter().map(ToString::to_string).collect();
    assert_eq!(compensated, ["order-17#1/1-charge"]);
}

#[tokio::test(start_paused = true)]
async fn a_step_answered_already_exists_for_its_own_key_is_compensated() {
    let payments = Arc::new(Payments::default());
    *payments.answers.lock().unwrap() = vec![Answer::ChargeThenLose, Answer::AlreadyExists];
    let mut saga = Saga::new("checkout", "order-18");
    let err = charge_step(&mut saga, &payments).await.unwrap_err();
    // `invalid` "already exists" for the key the first attempt charged: the charge
    // happened, and the refund undoes it.
    assert_eq!(
        *payments.calls.lock().unwrap(),
        [
            "charge order-18#1/1-charge",
            "charge order-18#1/1-charge",
            "refund order-18#1/1-charge",
        ]
    );
    assert_eq!(payments.charged(), Vec::<String>::new());
    assert_eq!(
        (err.class(), err.status(), err.cause().code()),
        (Class::Invalid, Status::AlreadyExists, "payment.exists")
    );
}

#[tokio::test(start_paused = true)]
async fn a_saga_run_again_is_the_next_attempt_with_keys_of_its_own() {
    let payments = Arc::new(Payments::default());
    let log = Log::default();
    // Attempt 1: the charge goes through, shipping fails `transient`; the charge is
    // refunded, and the payment service keeps a tombstone for its key.
    let mut saga = Saga::new("checkout", "order-19");
    charge_step(&mut saga, &payments).await.unwrap();
    let err = saga
        .step(
            "ship",
            call(&log, "ship", Err::<(), _>(Error::transient("carrier down"))),
        )
        .run()
        .await
        .unwrap_err();
    assert_eq!((err.class(), err.attempt()), (Class::Transient, 1));
    drop(saga);
    // Run again with the same attempt, the tombstone refuses the charge: nothing is
    // charged twice, and the error says the key is spent.
    let mut saga = Saga::new("checkout", "order-19");
    let err = charge_step(&mut saga, &payments).await.unwrap_err();
    assert_eq!(
        (err.class(), err.cause().code()),
        (Class::Invalid, "payment.tombstone")
    );
    drop(saga);
    // Run again as attempt 2: new keys, charged once, committed.
    let mut saga = Saga::new("checkout", "order-19").attempt(err.attempt() + 1);
    assert_eq!(charge_step(&mut saga, &payments).await.unwrap(), 4_200);
    saga.step("ship", call(&log, "ship", Ok(())))
        .run()
        .await
        .unwrap();
    saga.commit();
    assert_eq!(
        *payments.calls.lock().unwrap(),
        [
            "charge order-19#1/1-charge",
            "refund order-19#1/1-charge",
            "charge order-19#1/1-charge",
            "refund order-19#1/1-charge",
            "charge order-19#2/1-charge",
        ]
    );
    assert_eq!(
        log.take(),
        ["ship order-19#1/2-ship", "ship order-19#2/2-ship"]
    );
    assert_eq!(payments.charged(), ["order-19#2/1-charge"]);
    assert_eq!(
        *payments.tombstones.lock().unwrap(),
        BTreeSet::from(["order-19#1/1-charge".to_owned()])
    );
}

#[tokio::test(start_paused = true)]
async fn a_compensations_wait_for_a_hint_is_capped() {
    let log = Log::default();
    let day = Duration::from_secs(86_400);
    for (saga, cap, waited) in [
        (
            Saga::new("checkout", "order-20"),
            None,
            Duration::from_secs(5),
        ),
        (
            Saga::new("checkout", "order-21"),
            Some(Duration::from_secs(1)),
            Duration::from_secs(1),
        ),
    ] {
        let mut saga = match cap {
            Some(cap) => saga.compensation_backoff(Duration::from_millis(100), cap),
            None => saga,
        };
        let refund = vec![Err(Error::busy("refunds throttled").with_retry_after(day))];
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
        // The hint says a day; the compensation waits the cap, then succeeds.
        assert_eq!(started.elapsed(), waited);
        assert!(err.is_consistent());
    }
}

#[tokio::test(start_paused = true)]
async fn the_saga_errors_name_their_public_paths() {
    let mut saga = Saga::new("checkout", "order-22");
    let err = saga
        .step("charge", |_| async {
            Err::<(), _>(Error::transient("timeout"))
        })
        .run()
        .await
        .unwrap_err();
    // `exception.type` in error-otel: the paths users write, not the private modules'.
    assert_eq!(err.type_name(), "error_saga::SagaError");
    assert_eq!(error_saga::Cancelled.type_name(), "error_saga::Cancelled");
}

/// The default hook, in a saga whose steps all succeeded and that was dropped without
/// `commit()`: its steps are undone on the runtime. Run by itself in a child process by the
/// next test, which reads its standard error.
#[tokio::test(start_paused = true)]
async fn a_saga_dropped_without_commit_is_undone_by_default() {
    let log = Log::default();
    let (released, mut done) = tokio::sync::mpsc::unbounded_channel();
    {
        let mut saga = Saga::new("checkout", "order-23");
        saga.step("reserve", call(&log, "reserve", Ok(())))
            .compensate({
                let log = log.clone();
                move |key: Key| {
                    eprintln!("compensating {key}");
                    log.push("release", &key);
                    let _ = released.send(key.to_string());
                    std::future::ready(Ok::<_, Error>(()))
                }
            })
            .run()
            .await
            .unwrap();
        saga.step("charge", call(&log, "charge", Ok(7)))
            .compensate(undo(&log, "refund", vec![]))
            .run()
            .await
            .unwrap();
        // No `saga.commit()`.
    }
    assert_eq!(done.recv().await, Some("order-23#1/1-reserve".to_owned()));
    assert_eq!(
        log.take(),
        [
            "reserve order-23#1/1-reserve",
            "charge order-23#1/2-charge",
            "refund order-23#1/2-charge",
            "release order-23#1/1-reserve",
        ]
    );
}

#[test]
fn the_default_hook_names_the_keys_on_stderr_before_it_compensates() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_saga_dropped_without_commit_is_undone_by_default",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "error-saga: saga `checkout` (id `order-23`, attempt 1) was dropped before `commit()`; \
             compensating: order-23#1/2-charge, order-23#1/1-reserve (a saga whose steps all \
             succeeded must end with `commit()`)",
            "compensating order-23#1/1-reserve",
        ]
    );
}
