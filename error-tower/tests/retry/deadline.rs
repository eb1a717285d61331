//! The call's deadline, to the millisecond: a retry is sent only if it can start, and end
//! as late as the last attempt took, before the deadline; a retry waiting for the service
//! to be ready ends at the deadline with the last error; durations too large for the clock
//! mean "never" and do not panic.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Status};
use error_tower::backoff::{Backoff, Jitter};
use error_tower::budget::Budget;
use error_tower::retry::{Elapsed, GiveUpEvent, GiveUpReason, RetryEvent, RetryLayer};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

use super::{BackendError, Events, Req, Script, call, ended, layer, ms, read};

/// A budget of 5 tokens, with no deposits and no credit for time in these tests.
fn five_tokens() -> Budget {
    Budget::builder()
        .max_balance(5)
        .initial_balance(5)
        .min_per_sec(0)
        .build()
        .unwrap()
}

/// Exactly 10 ms before every retry.
fn fixed_10ms() -> Backoff {
    Backoff::new(ms(10), 1.0, ms(10))
        .unwrap()
        .with_jitter(Jitter::None)
}

#[tokio::test(start_paused = true)]
async fn a_hint_that_ends_a_millisecond_before_the_deadline_is_retried_and_one_at_it_is_not() {
    let busy = |wait| Err(BackendError::Busy { wait: Some(wait) });

    let backend = Script::new([busy(ms(149)), Ok(1)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).deadline_with(ms(150), ended),
        backend.clone(),
    );
    assert_eq!(call(&mut service, read()).await, Ok(1));
    assert_eq!(backend.calls()[1].0, ms(149));

    let backend = Script::new([busy(ms(150)), Ok(1)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).deadline_with(ms(150), ended),
        backend.clone(),
    );
    let started = Instant::now();
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy {
            wait: Some(ms(150))
        })
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(backend.call_count(), 1);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(
        (give_ups[0].reason, give_ups[0].attempts, give_ups[0].delay),
        (GiveUpReason::Deadline, 1, Some(ms(150)))
    );
}

/// A backend whose every attempt takes `took` and then fails `transient`, recording when
/// each attempt started.
fn slow_resets(
    took: Duration,
) -> (
    impl Service<Req, Response = u64, Error = error_core::Error> + Clone,
    Arc<Mutex<Vec<Duration>>>,
) {
    let starts: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let start = Instant::now();
    let seen = Arc::clone(&starts);
    let service = tower::service_fn(move |_: Req| {
        seen.lock().unwrap().push(start.elapsed());
        async move {
            tokio::time::sleep(took).await;
            Err::<u64, _>(error_core::Error::transient("connection reset"))
        }
    });
    (service, starts)
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_cannot_end_before_the_deadline_is_not_started() {
    // Attempts of 300 ms, 10 ms apart, within 1 s: the third would start at 930 ms and,
    // taking 300 ms like the others, end after the deadline.
    let (backend, starts) = slow_resets(ms(300));
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).backoff(fixed_10ms()).deadline(ms(1_000)),
        backend,
    );
    let started = Instant::now();
    let err = call(&mut service, read()).await.unwrap_err();
    assert_eq!(err.to_string(), "connection reset");
    assert_eq!(
        started.elapsed(),
        ms(920),
        "given up when the third attempt failed"
    );
    assert_eq!(*starts.lock().unwrap(), vec![ms(0), ms(310), ms(620)]);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(
        (give_ups[0].reason, give_ups[0].attempts, give_ups[0].delay),
        (GiveUpReason::Deadline, 3, Some(ms(10)))
    );
    assert_eq!(
        (give_ups[0].class, give_ups[0].code),
        (Some(Class::Transient), Some("transient"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_waiting_for_readiness_ends_at_the_deadline_with_the_last_error() {
    let (mock, mut handle) = tower_test::mock::pair::<Req, u64>();
    let budget = five_tokens();
    let give_ups: Arc<Mutex<Vec<GiveUpEvent>>> = Arc::default();
    let retries: Arc<Mutex<Vec<RetryEvent>>> = Arc::default();
    let layer = {
        let give_ups = Arc::clone(&give_ups);
        let retries = Arc::clone(&retries);
        RetryLayer::new()
            .seed(3)
            .budget(budget.clone())
            .deadline(ms(100))
            .on_retry(move |e: &RetryEvent| retries.lock().unwrap().push(*e))
            .on_give_up(move |e: &GiveUpEvent| give_ups.lock().unwrap().push(*e))
    };
    let mut service = tower::Layer::layer(&layer, mock);
    handle.allow(1);
    let started = Instant::now();
    assert_eq!(budget.balance(), 5);
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error(error_core::Error::transient("connection reset"));
    // The backoff passes; the service never becomes ready again.
    let err = response.await.unwrap().unwrap_err();
    assert_eq!(started.elapsed(), ms(100), "ended at the deadline exactly");
    assert_eq!(err.to_string(), "connection reset", "with the last error");
    // The retry was never sent, so no retry event: the give-up reports the backoff it had
    // waited (seed 3 draws 2 ms of the first 10).
    assert!(retries.lock().unwrap().is_empty());
    let give_ups = give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(
        (give_ups[0].reason, give_ups[0].attempts, give_ups[0].delay),
        (GiveUpReason::Deadline, 1, Some(ms(2)))
    );
    // The retry was granted a token, and not sent: the token is back.
    assert_eq!(budget.balance(), 5);
    // No second request was sent, even once the service could take it.
    handle.allow(1);
    assert!(
        tokio::time::timeout(ms(1), handle.next_request())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(start_paused = true)]
async fn a_service_that_fails_before_a_retry_ends_the_call_with_its_error() {
    let (mock, mut handle) = tower_test::mock::pair::<Req, u64>();
    let budget = five_tokens();
    let give_ups: Arc<Mutex<Vec<GiveUpEvent>>> = Arc::default();
    let layer = {
        let give_ups = Arc::clone(&give_ups);
        RetryLayer::new()
            .seed(3)
            .budget(budget.clone())
            .on_give_up(move |e: &GiveUpEvent| give_ups.lock().unwrap().push(*e))
    };
    let mut service = tower::Layer::layer(&layer, mock);
    handle.allow(1);
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error(error_core::Error::transient("connection reset"));
    handle.send_error(error_core::Error::closed("connection pool shut down"));
    let err = response.await.unwrap().unwrap_err();
    assert_eq!(err.to_string(), "connection pool shut down");
    let give_ups = give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(
        (give_ups[0].reason, give_ups[0].attempts, give_ups[0].class),
        (GiveUpReason::ServiceFailed, 1, Some(Class::Closed))
    );
    assert_eq!(GiveUpReason::ServiceFailed.to_string(), "service_failed");
    assert_eq!(budget.balance(), 5, "the unsent retry's token is back");
}

#[tokio::test(start_paused = true)]
async fn durations_too_large_for_the_clock_mean_never() {
    // A deadline of Duration::MAX: no panic, and the retry happens.
    let backend = Script::new([Err(BackendError::Reset), Ok(5)]);
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).deadline_with(Duration::MAX, ended),
        backend.clone(),
    );
    assert_eq!(call(&mut service, read()).await, Ok(5));
    assert_eq!(backend.call_count(), 2);

    // A hint of Duration::MAX within a deadline, and no cap on hints: past the deadline,
    // so not retried. (With the default cap, 30 s, the hint is too long to begin with.)
    for (max_hint, reason) in [
        (Duration::MAX, GiveUpReason::Deadline),
        (Duration::from_secs(30), GiveUpReason::HintTooLong),
    ] {
        let backend = Script::new([
            Err(BackendError::Busy {
                wait: Some(Duration::MAX),
            }),
            Ok(5),
        ]);
        let events = Events::default();
        let mut service = tower::Layer::layer(
            &layer(&events)
                .max_hint(max_hint)
                .deadline_with(ms(10), ended),
            backend.clone(),
        );
        assert!(call(&mut service, read()).await.is_err());
        assert_eq!(backend.call_count(), 1);
        let give_ups = events.give_ups.lock().unwrap().clone();
        assert_eq!(give_ups[0].reason, reason);
    }

    // A timeout of Duration::MAX: no panic; the attempt ends when the backend answers.
    let backend = tower::service_fn(|_: Req| async {
        tokio::time::sleep(ms(50)).await;
        Ok::<u64, error_core::Error>(9)
    });
    let mut service = tower::ServiceBuilder::new()
        .layer(error_tower::timeout::TimeoutLayer::new(Duration::MAX))
        .service(backend);
    let started = Instant::now();
    assert_eq!(
        service.ready().await.unwrap().call(read()).await.unwrap(),
        9
    );
    assert_eq!(started.elapsed(), ms(50));
}

#[tokio::test(start_paused = true)]
async fn a_class_that_is_never_retried_gives_up_with_no_delay() {
    let backend = Script::new([Err(BackendError::Invalid)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Invalid));
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (give_ups[0].reason, give_ups[0].delay),
        (GiveUpReason::Class, None)
    );
    assert_eq!(BackendError::Invalid.class(), Class::Invalid);
}

/// A backend that never answers.
fn hangs<E>() -> impl Service<Req, Response = u64, Error = E> + Clone {
    tower::service_fn(|_: Req| std::future::pending::<Result<u64, E>>())
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_hangs_is_ended_at_the_deadline_with_elapsed() {
    let events = Events::default();
    let layer = RetryLayer::new()
        .assume_idempotent()
        .deadline(ms(200))
        .on_give_up({
            let give_ups = Arc::clone(&events.give_ups);
            move |e: &GiveUpEvent| give_ups.lock().unwrap().push(*e)
        });
    let mut service = tower::Layer::layer(&layer, hangs::<error_core::Error>());
    let started = Instant::now();
    let err = call(&mut service, read()).await.unwrap_err();
    assert_eq!(started.elapsed(), ms(200), "ended at the deadline exactly");
    assert_eq!(err.to_string(), "request timed out. timeout=`200ms`");
    assert_eq!(
        (err.class(), err.status(), err.code()),
        (Class::Transient, Status::DeadlineExceeded, "timeout")
    );
    assert_eq!(
        err.downcast_ref::<Elapsed>().map(Elapsed::timeout),
        Some(ms(200))
    );
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(
        (give_ups[0].reason, give_ups[0].attempts, give_ups[0].delay),
        (GiveUpReason::Deadline, 1, None)
    );
    assert_eq!(
        (give_ups[0].class, give_ups[0].code),
        (Some(Class::Transient), Some("timeout"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_hangs_is_ended_at_the_deadline_after_the_time_left() {
    // The first attempt fails after 10 ms; the retry, sent after its backoff, hangs.
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let backend = {
        let attempts = Arc::clone(&attempts);
        let start = Instant::now();
        tower::service_fn(move |_: Req| {
            let mut attempts = attempts.lock().unwrap();
            attempts.push(start.elapsed());
            let first = attempts.len() == 1;
            async move {
                if first {
                    tokio::time::sleep(ms(10)).await;
                    return Err::<u64, _>(error_core::Error::transient("connection reset"));
                }
                std::future::pending().await
            }
        })
    };
    let layer = RetryLayer::new()
        .assume_idempotent()
        .seed(3)
        .deadline(ms(200));
    let mut service = tower::Layer::layer(&layer, backend);
    let err = call(&mut service, read()).await.unwrap_err();
    let attempts = attempts.lock().unwrap().clone();
    // Seed 3's first backoff: 2 ms. The retry had the 188 ms left.
    assert_eq!(attempts, [ms(0), ms(12)]);
    assert_eq!(
        err.downcast_ref::<Elapsed>().map(Elapsed::timeout),
        Some(ms(188))
    );
}

#[tokio::test(start_paused = true)]
async fn deadline_with_a_closure_ends_the_attempt_with_the_services_own_error() {
    // `BackendError` does not convert from `error_core::Error`: the closure builds one.
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).deadline_with(ms(150), ended),
        hangs::<BackendError>(),
    );
    let started = Instant::now();
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::TimedOut { timeout: ms(150) })
    );
    assert_eq!(started.elapsed(), ms(150));
}

#[tokio::test(start_paused = true)]
async fn deadline_with_unit_lets_the_attempt_run_to_its_end() {
    // `()` ends nothing: the attempt answers after 5 s, and the call returns its answer.
    let slow = tower::service_fn(|_: Req| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok::<u64, BackendError>(4)
    });
    let mut service =
        tower::Layer::layer(&layer(&Events::default()).deadline_with(ms(150), ()), slow);
    let started = Instant::now();
    assert_eq!(call(&mut service, read()).await, Ok(4));
    assert_eq!(started.elapsed(), Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_inside_ends_the_attempt_at_the_same_instant_with_the_same_error() {
    let mut service = tower::ServiceBuilder::new()
        .layer(RetryLayer::new().assume_idempotent().deadline(ms(200)))
        .layer(error_tower::timeout::TimeoutLayer::new(
            Duration::from_secs(1),
        ))
        .service(hangs::<error_core::Error>());
    let started = Instant::now();
    let err = call(&mut service, read()).await.unwrap_err();
    assert_eq!(started.elapsed(), ms(200));
    assert_eq!(err.to_string(), "request timed out. timeout=`200ms`");
    assert_eq!(
        err.downcast_ref::<Elapsed>().map(Elapsed::timeout),
        Some(ms(200))
    );
}
