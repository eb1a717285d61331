//! Breaker: what trips it and what never does, the fast-fail error and its hint, bounded
//! probes, the external switch, an outage and its recovery, the breaker under the retry
//! layer, and the state-change hook (`on_state_change.rs`), with exact backend call counts,
//! times and sequences of transitions on tokio's paused clock.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Status};
use error_tower::breaker::error::{ConfigError, Open};
use error_tower::breaker::{BreakerLayer, State};
use error_tower::retry::ResponseFailure;
use error_tower::retry::{GiveUpEvent, GiveUpReason, RetryEvent, RetryLayer};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

mod on_state_change;

#[derive(Clone, Debug, PartialEq, Eq, ClassifiedError)]
#[class(context = none)]
enum BackendError {
    #[error("connection reset")]
    #[class(transient)]
    Reset,
    #[error("overloaded")]
    #[class(busy)]
    Busy,
    #[error("disk dead")]
    #[class(fatal)]
    Fatal,
    #[error("bug")]
    #[class(internal)]
    Bug,
    #[error("bad request")]
    #[class(invalid)]
    Invalid,
    #[error("permission denied")]
    #[class(denied)]
    Denied,
    #[error("not the leader")]
    #[class(redirect)]
    NotLeader,
    #[error("version conflict")]
    #[class(conflict)]
    Conflict,
    #[error("shut down")]
    #[class(closed)]
    Closed,
    #[error("corrupt")]
    #[class(data)]
    Corrupt,
    #[error(transparent)]
    Open(Open),
}

type Answer = dyn Fn(usize, Duration) -> Result<u64, BackendError> + Send + Sync;

/// A backend that answers `answer(call index, time of the call)` after `latency` (fixed
/// when it is called, however late the future is polled), and records when it was called.
#[derive(Clone)]
struct Backend {
    answer: Arc<Answer>,
    latency: Duration,
    calls: Arc<Mutex<Vec<Duration>>>,
    start: Instant,
}

impl Backend {
    fn new(
        latency: Duration,
        answer: impl Fn(usize, Duration) -> Result<u64, BackendError> + Send + Sync + 'static,
    ) -> Self {
        Backend {
            answer: Arc::new(answer),
            latency,
            calls: Arc::default(),
            start: Instant::now(),
        }
    }

    fn always(answer: Result<u64, BackendError>) -> Self {
        Backend::new(Duration::ZERO, move |_, _| answer.clone())
    }

    /// Answers from `script`, then `Ok(0)`.
    fn script(answers: impl IntoIterator<Item = Result<u64, BackendError>>) -> Self {
        let answers: Vec<_> = answers.into_iter().collect();
        Backend::new(Duration::ZERO, move |n, _| {
            answers.get(n).cloned().unwrap_or(Ok(0))
        })
    }

    fn calls(&self) -> Vec<Duration> {
        self.calls.lock().unwrap().clone()
    }

    fn call_count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl Service<u64> for Backend {
    type Response = u64;
    type Error = BackendError;
    type Future = Pin<Box<dyn Future<Output = Result<u64, BackendError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BackendError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: u64) -> Self::Future {
        let at = self.start.elapsed();
        let n = {
            let mut calls = self.calls.lock().unwrap();
            calls.push(at);
            calls.len() - 1
        };
        let answer = (self.answer)(n, at);
        if self.latency.is_zero() {
            return Box::pin(std::future::ready(answer));
        }
        let sleep = tokio::time::sleep(self.latency);
        Box::pin(async move {
            sleep.await;
            answer
        })
    }
}

async fn call<S: Service<u64>>(service: &mut S, request: u64) -> Result<S::Response, S::Error> {
    service.ready().await?.call(request).await
}

/// The `Open` error a call was refused with.
/// The defaults, with the consecutive-failures rule on at 5: what most of these tests
/// exercise.
fn five_in_a_row() -> BreakerLayer {
    BreakerLayer::builder()
        .consecutive_failures(5)
        .build()
        .unwrap()
}

/// The `Open` inside a `tower::BoxError`: error-tower's errors arrive as an
/// `error_core::Error`, boxed.
fn boxed_open(error: &tower::BoxError) -> Option<&Open> {
    error
        .downcast_ref::<error_core::Error>()
        .and_then(error_core::Error::downcast_ref::<Open>)
}

/// Every error of error-tower's middleware arrives as an `error_core::Error`; here the
/// breaker is the only middleware, so it is always an `Open`.
impl From<error_core::Error> for BackendError {
    fn from(error: error_core::Error) -> Self {
        match error.downcast_ref::<Open>() {
            Some(open) => BackendError::Open(*open),
            None => panic!("only the breaker's refusals reach the backend's error type: {error:?}"),
        }
    }
}

fn refusal(result: Result<u64, BackendError>) -> Open {
    match result {
        Err(BackendError::Open(open)) => open,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Polls `future` once: its output if it is ready at once.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Option<F::Output> {
    std::future::poll_fn(|cx| {
        Poll::Ready(match Pin::new(&mut *future).poll(cx) {
            Poll::Ready(output) => Some(output),
            Poll::Pending => None,
        })
    })
    .await
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test(start_paused = true)]
async fn trips_after_exactly_five_consecutive_transient_failures() {
    let backend = Backend::always(Err(BackendError::Reset));
    let layer = five_in_a_row();
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    for n in 1..=5 {
        assert_eq!(handle.state(), State::Closed, "before failure {n}");
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    }
    assert_eq!(handle.state(), State::Open);
    let open = refusal(call(&mut service, 0).await);
    assert_eq!(open.state(), State::Open);
    assert_eq!(
        backend.call_count(),
        5,
        "the 6th call did not reach the backend"
    );
}

#[tokio::test(start_paused = true)]
async fn a_success_resets_the_consecutive_count() {
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n == 4 {
            Ok(1)
        } else {
            Err(BackendError::Reset)
        }
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    // 4 failures, a success, 4 failures: never 5 in a row.
    for _ in 0..9 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(layer.handle().state(), State::Open);
    assert_eq!(backend.call_count(), 10);
}

#[tokio::test(start_paused = true)]
async fn invalid_and_denied_at_any_rate_never_open_it() {
    let backend = Backend::new(Duration::ZERO, |n, _| {
        Err(if n % 2 == 0 {
            BackendError::Invalid
        } else {
            BackendError::Denied
        })
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    for n in 0..1_000 {
        let expected = if n % 2 == 0 {
            BackendError::Invalid
        } else {
            BackendError::Denied
        };
        assert_eq!(call(&mut service, 0).await, Err(expected));
    }
    assert_eq!(
        backend.call_count(),
        1_000,
        "every call reached the backend"
    );
    assert_eq!(layer.handle().state(), State::Closed);

    // With the most sensitive rules too: one failure in a row, or any failure ratio.
    let backend = Backend::always(Err(BackendError::Denied));
    let layer = BreakerLayer::builder()
        .consecutive_failures(1)
        .failure_ratio(f64::MIN_POSITIVE)
        .minimum_calls(1)
        .build()
        .unwrap();
    let mut service = layer.layer(backend.clone());
    for _ in 0..1_000 {
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Denied));
    }
    assert_eq!(backend.call_count(), 1_000);
    assert_eq!(layer.handle().state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn client_side_classes_count_as_neither_failure_nor_success() {
    let neutral = [
        BackendError::Invalid,
        BackendError::Denied,
        BackendError::NotLeader,
        BackendError::Conflict,
        BackendError::Closed,
        BackendError::Corrupt,
    ];
    // 4 failures, 600 client-side errors, 1 failure: the 5th failure in a row trips it,
    // because the client-side errors did not reset the count.
    let backend = Backend::new(Duration::ZERO, move |n, _| match n {
        0..4 | 604 => Err(BackendError::Reset),
        n => Err(neutral[n % neutral.len()].clone()),
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    for _ in 0..604 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(layer.handle().state(), State::Open);
    assert_eq!(backend.call_count(), 605);
}

#[tokio::test(start_paused = true)]
async fn every_server_side_class_is_a_failure() {
    for error in [
        BackendError::Reset,
        BackendError::Busy,
        BackendError::Fatal,
        BackendError::Bug,
    ] {
        let backend = Backend::always(Err(error.clone()));
        let layer = BreakerLayer::builder()
            .consecutive_failures(1)
            .build()
            .unwrap();
        let mut service = layer.layer(backend.clone());
        assert_eq!(call(&mut service, 0).await, Err(error.clone()));
        assert_eq!(layer.handle().state(), State::Open, "{error:?}");
        refusal(call(&mut service, 0).await);
        assert_eq!(backend.call_count(), 1, "{error:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn an_unclassified_error_is_a_failure_unless_told_otherwise() {
    let backend = tower::service_fn(|_: u64| async {
        Err::<u64, tower::BoxError>(Box::new(std::fmt::Error))
    });
    let layer = BreakerLayer::builder()
        .consecutive_failures(2)
        .build()
        .unwrap();
    let mut service = layer.layer(backend);
    for _ in 0..2 {
        let err = call(&mut service, 0).await.unwrap_err();
        assert!(err.is::<std::fmt::Error>());
    }
    assert_eq!(layer.handle().state(), State::Open);
    let err = call(&mut service, 0).await.unwrap_err();
    assert_eq!(boxed_open(&err).map(Open::state), Some(State::Open));

    let layer = BreakerLayer::builder()
        .consecutive_failures(2)
        .unclassified_is_failure(false)
        .build()
        .unwrap();
    let mut service = layer.layer(backend);
    for _ in 0..100 {
        assert!(
            call(&mut service, 0)
                .await
                .unwrap_err()
                .is::<std::fmt::Error>()
        );
    }
    assert_eq!(layer.handle().state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_failure_rate_trips_it_without_consecutive_failures() {
    // Success, failure, success, …: never two failures in a row, but half of the calls.
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n % 2 == 0 {
            Ok(1)
        } else {
            Err(BackendError::Reset)
        }
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    for _ in 0..19 {
        let _ = call(&mut service, 0).await;
    }
    // 9 failures out of 19 calls: under 50%, and under 20 calls anyway.
    assert_eq!(layer.handle().state(), State::Closed);
    // 10 out of 20: 50%.
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(layer.handle().state(), State::Open);
    refusal(call(&mut service, 0).await);
    assert_eq!(backend.call_count(), 20);
}

#[tokio::test(start_paused = true)]
async fn outcomes_leave_the_rate_window() {
    let rate_only = || {
        BreakerLayer::builder()
            .without_consecutive_failures()
            .failure_ratio(0.5)
            .minimum_calls(20)
            .window(secs(10))
            .build()
            .unwrap()
    };
    // 15 failures, then 5 more 9 s later: all 20 in the window, which trips.
    let layer = rate_only();
    let mut service = layer.layer(Backend::always(Err(BackendError::Reset)));
    for _ in 0..15 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(9)).await;
    for _ in 0..4 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(layer.handle().state(), State::Open);

    // 15 failures, then 10 s later: the first 15 have left the window; 20 more are needed.
    let layer = rate_only();
    let backend = Backend::always(Err(BackendError::Reset));
    let mut service = layer.layer(backend.clone());
    for _ in 0..15 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(10)).await;
    for _ in 0..19 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(layer.handle().state(), State::Open);
    assert_eq!(backend.call_count(), 35);
}

#[tokio::test(start_paused = true)]
async fn open_fails_fast_with_busy_and_the_exact_time_left() {
    let backend = Backend::always(Err(BackendError::Reset));
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(ms(1_234)).await;
    let started = Instant::now();
    let err = call(&mut service, 0).await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::ZERO, "failed fast");
    assert_eq!(err.class(), Class::Busy);
    assert_eq!(err.retry_after(), Some(ms(3_766)));
    assert_eq!(err.status(), Status::Unavailable);
    assert_eq!(err.code(), "breaker.open");
    assert_eq!(err.to_string(), "circuit breaker is open");

    tokio::time::advance(ms(3_765)).await;
    let err = call(&mut service, 0).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(ms(1)));
    assert_eq!(layer.handle().state(), State::Open);
    assert_eq!(backend.call_count(), 5);

    // Exactly 5 s after it opened, it is half-open: the next call is a probe.
    tokio::time::advance(ms(1)).await;
    assert_eq!(layer.handle().state(), State::HalfOpen);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(backend.call_count(), 6);
}

#[tokio::test(start_paused = true)]
async fn error_core_error_and_box_error_convert_from_open() {
    let layer = five_in_a_row();
    layer.handle().force_open();

    let backend = tower::service_fn(|_: u64| async { Ok::<u64, error_core::Error>(1) });
    let mut service = layer.layer(backend);
    let err = call(&mut service, 0).await.unwrap_err();
    assert_eq!(err.class(), Class::Busy);
    assert_eq!(err.code(), "breaker.open");
    assert_eq!(err.to_string(), "circuit breaker is forced open");
    assert_eq!(
        err.downcast_ref::<Open>().map(Open::state),
        Some(State::ForcedOpen)
    );

    let backend = tower::service_fn(|_: u64| async { Ok::<u64, tower::BoxError>(1) });
    let mut service = layer.layer(backend);
    let err = call(&mut service, 0).await.unwrap_err();
    assert_eq!(boxed_open(&err).map(Open::state), Some(State::ForcedOpen));
    // The refusal arrives as an `error_core::Error`, so an outer layer over a `BoxError`
    // stack sees its class.
    let found = error_core::find_classified(&*err).unwrap();
    assert_eq!((found.class(), found.code()), (Class::Busy, "breaker.open"));
}

#[tokio::test(start_paused = true)]
async fn half_open_lets_exactly_the_probe_limit_through_at_once() {
    // Fails its first 5 calls, then succeeds; every call takes 100 ms.
    let backend = Backend::new(ms(100), |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let layer = BreakerLayer::builder()
        .consecutive_failures(5)
        .probes(3)
        .close_after(3)
        .build()
        .unwrap();
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    // The 5th failure ended at 500 ms; half-open 5 s later.
    tokio::time::sleep_until(backend.start + ms(5_500)).await;
    assert_eq!(handle.state(), State::HalfOpen);

    // Ten calls at once: three are probes, seven are refused with the probe hint.
    let mut futures = Vec::new();
    for _ in 0..10 {
        futures.push(service.ready().await.unwrap().call(0));
    }
    assert_eq!(backend.call_count(), 5 + 3);
    assert_eq!(backend.calls()[5..], [ms(5_500), ms(5_500), ms(5_500)]);
    let mut probes = Vec::new();
    for mut future in futures {
        match poll_once(&mut future).await {
            Some(result) => {
                let open = refusal(result);
                assert_eq!(open.state(), State::HalfOpen);
                assert_eq!(open.retry_after(), Some(ms(100)));
            }
            None => probes.push(future),
        }
    }
    assert_eq!(probes.len(), 3);
    assert_eq!(handle.state(), State::HalfOpen);
    for probe in probes {
        assert_eq!(probe.await, Ok(1));
    }
    assert_eq!(backend.start.elapsed(), ms(5_600));
    assert_eq!(handle.state(), State::Closed, "after 3 probe successes");
}

#[tokio::test(start_paused = true)]
async fn probes_in_flight_close_it_after_enough_successes() {
    let backend = Backend::new(ms(100), |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let layer = BreakerLayer::builder()
        .consecutive_failures(5)
        .probes(2)
        .close_after(2)
        .build()
        .unwrap();
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::sleep_until(backend.start + ms(5_500)).await;
    let first = service.ready().await.unwrap().call(0);
    let second = service.ready().await.unwrap().call(0);
    let third = refusal(call(&mut service, 0).await);
    assert_eq!(third.state(), State::HalfOpen);
    assert_eq!(backend.call_count(), 7);

    assert_eq!(first.await, Ok(1));
    assert_eq!(handle.state(), State::HalfOpen, "one success of two");
    assert_eq!(second.await, Ok(1));
    assert_eq!(handle.state(), State::Closed);
    assert_eq!(backend.start.elapsed(), ms(5_600));
    assert_eq!(call(&mut service, 0).await, Ok(1));
    assert_eq!(backend.call_count(), 8);
}

#[tokio::test(start_paused = true)]
async fn a_probe_success_closes_it_and_a_probe_failure_reopens_it() {
    let backend = Backend::script([
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        // The first probe fails,
        Err(BackendError::Reset),
        // the second ends with a client-side class and decides nothing,
        Err(BackendError::Invalid),
        // the third succeeds.
        Ok(7),
        Ok(8),
    ]);
    let layer = five_in_a_row();
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(handle.state(), State::Open, "the failed probe re-opened it");
    let open = refusal(call(&mut service, 0).await);
    assert_eq!(
        open.retry_after(),
        Some(secs(5)),
        "for a whole new interval"
    );

    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Invalid));
    assert_eq!(handle.state(), State::HalfOpen);
    assert_eq!(call(&mut service, 0).await, Ok(7));
    assert_eq!(handle.state(), State::Closed);
    assert_eq!(call(&mut service, 0).await, Ok(8));
    assert_eq!(
        backend.calls(),
        [
            secs(0),
            secs(0),
            secs(0),
            secs(0),
            secs(0),
            secs(5),
            secs(10),
            secs(10),
            secs(10)
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_breaker_that_closes_again_counts_afresh() {
    // Tripped by 5 consecutive failures (which are also 5 of 5 calls in the window), closed
    // by a probe: 4 more failures do not trip it again, the 5th does.
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n == 5 {
            Ok(1)
        } else {
            Err(BackendError::Reset)
        }
    });
    let layer = BreakerLayer::builder().minimum_calls(5).build().unwrap();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Open);
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Ok(1));
    assert_eq!(layer.handle().state(), State::Closed);
    for _ in 0..4 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(layer.handle().state(), State::Open);

    // The same with the failure rate alone: the 20 failures before the breaker opened are
    // still inside the 10 s window when it closes, but no longer count.
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n == 20 {
            Ok(1)
        } else {
            Err(BackendError::Reset)
        }
    });
    let layer = BreakerLayer::builder()
        .without_consecutive_failures()
        .build()
        .unwrap();
    let mut service = layer.layer(backend.clone());
    for _ in 0..20 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Open);
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Ok(1));
    for _ in 0..19 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(layer.handle().state(), State::Open);
    assert_eq!(backend.call_count(), 41);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_probe_frees_its_slot() {
    let backend = Backend::new(ms(100), |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::sleep_until(backend.start + ms(5_500)).await;
    let probe = service.ready().await.unwrap().call(0);
    refusal(call(&mut service, 0).await);
    drop(probe);
    assert_eq!(layer.handle().state(), State::HalfOpen);
    assert_eq!(call(&mut service, 0).await, Ok(1));
    assert_eq!(layer.handle().state(), State::Closed);
    assert_eq!(backend.call_count(), 7);
}

#[tokio::test(start_paused = true)]
async fn a_probe_that_outlives_its_period_keeps_its_slot() {
    // Every call fails; call 1 takes 10 s, the others answer at once.
    let calls = Arc::new(AtomicUsize::new(0));
    let backend = {
        let calls = Arc::clone(&calls);
        tower::service_fn(move |_: u64| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let sleep = tokio::time::sleep(if n == 1 { secs(10) } else { Duration::ZERO });
            async move {
                sleep.await;
                Err::<u64, _>(BackendError::Reset)
            }
        })
    };
    let layer = BreakerLayer::builder()
        .consecutive_failures(1)
        .open_interval(secs(1))
        .probes(2)
        .build()
        .unwrap();
    let mut service = layer.layer(backend);
    let _ = call(&mut service, 0).await;
    tokio::time::advance(secs(1)).await;
    // Two probes: the slow one stays in flight, the fast one fails and re-opens it.
    let mut slow = Box::pin(service.ready().await.unwrap().call(0));
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert!(poll_once(&mut slow).await.is_none());
    assert_eq!(layer.handle().state(), State::Open);
    // Half-open again: the slow probe still holds a slot, so one more probe, not two.
    tokio::time::advance(secs(1)).await;
    let probe = service.ready().await.unwrap().call(0);
    let open = refusal(call(&mut service, 0).await);
    assert_eq!(open.state(), State::HalfOpen);
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // The slow probe's failure belongs to an earlier period: it frees its slot and
    // decides nothing (the current probe, dropped, frees its own).
    drop(probe);
    assert_eq!(slow.await, Err(BackendError::Reset));
    assert_eq!(layer.handle().state(), State::HalfOpen);
}

/// Many threads on the real clock, against a backend that always fails: once the breaker
/// has tripped, every call that reaches the backend is a probe, and never more than the
/// probe limit are in flight together, even as failed probes re-open the breaker and new
/// half-open periods begin while probes of the last one are still in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_never_exceed_the_probe_limit() {
    #[derive(Default)]
    struct Gauge {
        calls: AtomicUsize,
        in_flight: AtomicUsize,
        max_after_trip: AtomicUsize,
    }
    let gauge = Arc::new(Gauge::default());
    let backend = {
        let gauge = Arc::clone(&gauge);
        tower::service_fn(move |_: u64| {
            let gauge = Arc::clone(&gauge);
            let n = gauge.calls.fetch_add(1, Ordering::SeqCst);
            let in_flight = gauge.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            // The first 5 calls trip it; it never closes again.
            if n >= 5 {
                gauge.max_after_trip.fetch_max(in_flight, Ordering::SeqCst);
            }
            async move {
                tokio::task::yield_now().await;
                gauge.in_flight.fetch_sub(1, Ordering::SeqCst);
                Err::<u64, _>(error_core::Error::transient("connection reset"))
            }
        })
    };
    let layer = BreakerLayer::builder()
        .consecutive_failures(5)
        .open_interval(Duration::from_micros(50))
        .probes(2)
        .build()
        .unwrap();
    let mut primer = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut primer, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Open);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let mut service = layer.layer(backend.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..2_000 {
                let _ = call(&mut service, 0).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(gauge.calls.load(Ordering::SeqCst) < 5 + 16_000);
    assert!(gauge.max_after_trip.load(Ordering::SeqCst) <= 2);
    assert_eq!(gauge.in_flight.load(Ordering::SeqCst), 0);
    assert!(matches!(
        layer.handle().state(),
        State::Open | State::HalfOpen
    ));
}

#[tokio::test(start_paused = true)]
async fn force_open_force_closed_and_release() {
    let backend = Backend::always(Err(BackendError::Reset));
    let mut service = five_in_a_row().layer(backend.clone());
    let handle = service.handle();

    handle.force_open();
    assert_eq!(handle.state(), State::ForcedOpen);
    let open = refusal(call(&mut service, 0).await);
    assert_eq!(open.state(), State::ForcedOpen);
    assert_eq!(open.retry_after(), None);
    assert_eq!(backend.call_count(), 0);

    // Forced closed: every call goes through and nothing is counted.
    handle.force_closed();
    assert_eq!(handle.state(), State::ForcedClosed);
    for _ in 0..50 {
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    }
    assert_eq!(backend.call_count(), 50);
    assert_eq!(handle.state(), State::ForcedClosed);

    // Released from forced closed: closed, with nothing counted yet.
    handle.release();
    assert_eq!(handle.state(), State::Closed);
    for _ in 0..4 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(handle.state(), State::Closed);
    let _ = call(&mut service, 0).await;
    assert_eq!(handle.state(), State::Open);

    // Forced open over an automatic open, then released: half-open at once.
    handle.force_open();
    assert_eq!(handle.state(), State::ForcedOpen);
    handle.release();
    assert_eq!(handle.state(), State::HalfOpen);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(handle.state(), State::Open);
    assert_eq!(backend.call_count(), 56);

    // Releasing an automatic breaker changes nothing.
    handle.release();
    assert_eq!(handle.state(), State::Open);
}

#[tokio::test(start_paused = true)]
async fn forcing_ignores_the_outcomes_of_calls_in_flight() {
    let backend = Backend::new(ms(100), |_, _| Err(BackendError::Reset));
    let layer = BreakerLayer::builder()
        .consecutive_failures(2)
        .build()
        .unwrap();
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    let in_flight = service.ready().await.unwrap().call(0);
    handle.force_closed();
    handle.release();
    // The failure of the call sent before the breaker was forced is not counted: one
    // failure of the new period does not make two in a row.
    assert_eq!(in_flight.await, Err(BackendError::Reset));
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(handle.state(), State::Closed);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(handle.state(), State::Open);
}

#[tokio::test(start_paused = true)]
async fn poll_ready_is_the_inner_services_even_when_open() {
    let (mock, mut mock_handle) = tower_test::mock::pair::<u64, u64>();
    let layer = five_in_a_row();
    layer.handle().force_open();
    let mut service = layer.layer(mock);
    mock_handle.allow(0);
    assert!(
        tokio::time::timeout(ms(1), service.ready()).await.is_err(),
        "not ready while the inner service is not"
    );
    mock_handle.allow(1);
    let err = call(&mut service, 0).await.unwrap_err();
    assert!(boxed_open(&err).is_some());
    assert!(
        tokio::time::timeout(ms(1), mock_handle.next_request())
            .await
            .is_err(),
        "the refused call was not sent"
    );
}

/// A 10 s outage: a client calls every 100 ms for 20 s, each call to the backend takes
/// 10 ms, and the backend fails every call it receives before 10 s.
#[tokio::test(start_paused = true)]
async fn an_outage_and_recovery() {
    const RTT: Duration = Duration::from_millis(10);
    const RECOVERY: Duration = Duration::from_secs(10);
    let backend = Backend::new(RTT, |_, at| {
        if at < RECOVERY {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let layer = five_in_a_row();
    let mut service = layer.layer(backend.clone());
    let start = backend.start;
    let mut first_success = None;
    let (mut succeeded, mut failed, mut refused) = (0, 0, 0);
    for tick in 0..200 {
        tokio::time::sleep_until(start + ms(100 * tick)).await;
        match call(&mut service, 0).await {
            Ok(_) => {
                first_success.get_or_insert(start.elapsed());
                succeeded += 1;
            }
            Err(BackendError::Reset) => failed += 1,
            Err(BackendError::Open(_)) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    let calls = backend.calls();
    // The outage: 5 failures open it at 410 ms until 5.41 s; the probe at 5.5 s fails at
    // 5.51 s and re-opens it until 10.51 s. 6 calls reached the backend instead of 100.
    assert_eq!(
        calls[..6],
        [ms(0), ms(100), ms(200), ms(300), ms(400), ms(5_500)]
    );
    // The recovery: the probe at 10.6 s succeeds at 10.61 s and closes it; from then on
    // every call goes through.
    assert_eq!(calls[6], ms(10_600));
    assert_eq!(first_success, Some(ms(10_610)));
    assert!(first_success.unwrap() <= RECOVERY + secs(5) + RTT);
    assert_eq!(calls.len(), 6 + 94);
    assert_eq!((succeeded, failed, refused), (94, 6, 100));
    assert_eq!(layer.handle().state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_retry_layer_retries_a_refusal_after_its_hint() {
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(9)
        }
    });
    let layer = five_in_a_row();
    let mut primer = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut primer, 0).await;
    }
    assert_eq!(layer.handle().state(), State::Open);
    tokio::time::advance(ms(1_500)).await;

    let retries = Arc::new(Mutex::new(Vec::new()));
    let retry = {
        let retries = Arc::clone(&retries);
        RetryLayer::new()
            .assume_idempotent()
            .seed(1)
            .on_retry(move |event: &RetryEvent| retries.lock().unwrap().push(*event))
    };
    let mut service = ServiceBuilder::new()
        .layer(retry)
        .layer(layer.clone())
        .service(backend.clone());
    let started = Instant::now();
    assert_eq!(call(&mut service, 0).await, Ok(9));
    // Refused with 3.5 s left; retried after the hint and within its jitter window (a
    // fifth of the hint: 3.5 s to 4.2 s), as the probe that closed it. Seed 1 draws 397 ms.
    assert_eq!(started.elapsed(), ms(3_897));
    let retries = retries.lock().unwrap().clone();
    assert_eq!(retries.len(), 1);
    assert_eq!(
        (retries[0].class, retries[0].code, retries[0].delay),
        (Class::Busy, "breaker.open", ms(3_897))
    );
    assert!((ms(3_500)..=ms(4_200)).contains(&retries[0].delay));
    assert_eq!(backend.calls()[5..], [ms(5_397)]);
    assert_eq!(layer.handle().state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn the_retry_layer_does_not_retry_a_forced_open_breaker() {
    let backend = Backend::always(Ok(1));
    let layer = five_in_a_row();
    layer.handle().force_open();
    let give_ups = Arc::new(Mutex::new(Vec::new()));
    let retry = {
        let give_ups = Arc::clone(&give_ups);
        RetryLayer::new()
            .assume_idempotent()
            .seed(1)
            .on_give_up(move |event: &GiveUpEvent| give_ups.lock().unwrap().push(*event))
    };
    let mut service = ServiceBuilder::new()
        .layer(retry)
        .layer(layer)
        .service(backend.clone());
    let started = Instant::now();
    let open = refusal(call(&mut service, 0).await);
    assert_eq!(open.state(), State::ForcedOpen);
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(give_ups.lock().unwrap()[0].reason, GiveUpReason::Class);
    assert_eq!(backend.call_count(), 0);
}

#[test]
fn invalid_settings_are_typed_invalid_errors() {
    let cases = [
        (
            BreakerLayer::builder().probes(0).build(),
            ConfigError::ZeroProbes,
        ),
        (
            BreakerLayer::builder().close_after(0).build(),
            ConfigError::ZeroCloseAfter,
        ),
        (
            BreakerLayer::builder()
                .half_open_retry_after(Duration::ZERO)
                .build(),
            ConfigError::ZeroHalfOpenRetryAfter,
        ),
        (
            BreakerLayer::builder().consecutive_failures(0).build(),
            ConfigError::ZeroConsecutiveFailures,
        ),
        (
            BreakerLayer::builder().minimum_calls(0).build(),
            ConfigError::ZeroMinimumCalls,
        ),
        (
            BreakerLayer::builder().window(Duration::ZERO).build(),
            ConfigError::ZeroWindow,
        ),
        (
            BreakerLayer::builder()
                .open_interval(Duration::ZERO)
                .build(),
            ConfigError::ZeroOpenInterval,
        ),
        (
            BreakerLayer::builder().failure_ratio(0.0).build(),
            ConfigError::FailureRatio { ratio: 0.0 },
        ),
        (
            BreakerLayer::builder().failure_ratio(1.01).build(),
            ConfigError::FailureRatio { ratio: 1.01 },
        ),
        (
            BreakerLayer::builder().failure_ratio(-0.5).build(),
            ConfigError::FailureRatio { ratio: -0.5 },
        ),
    ];
    for (result, expected) in cases {
        let err = result.unwrap_err();
        assert_eq!(err, expected);
        assert_eq!(err.class(), Class::Invalid);
    }
    let nan = BreakerLayer::builder()
        .failure_ratio(f64::NAN)
        .build()
        .unwrap_err();
    assert!(matches!(nan, ConfigError::FailureRatio { ratio } if ratio.is_nan()));
    assert!(
        BreakerLayer::builder()
            .failure_ratio(1.0)
            .without_failure_rate()
            .without_consecutive_failures()
            .build()
            .is_ok()
    );
}

#[tokio::test(start_paused = true)]
async fn the_default_trips_on_the_failure_rate_not_on_runs_of_failures() {
    // 30 successes, then failures only: the ratio reaches 50% at the 60th call, after 30
    // failures in a row (which the old default, 5 in a row, opened at the 35th).
    let backend = Backend::new(Duration::ZERO, |n, _| {
        if n < 30 {
            Ok(1)
        } else {
            Err(BackendError::Reset)
        }
    });
    let layer = BreakerLayer::new();
    let mut service = layer.layer(backend.clone());
    for _ in 0..59 {
        let _ = call(&mut service, 0).await;
    }
    assert_eq!(
        layer.handle().state(),
        State::Closed,
        "29 failures of 59 calls"
    );
    let _ = call(&mut service, 0).await;
    assert_eq!(
        layer.handle().state(),
        State::Open,
        "30 failures of 60 calls"
    );
    refusal(call(&mut service, 0).await);
    assert_eq!(backend.call_count(), 60);
}

#[tokio::test(start_paused = true)]
async fn failures_inside_ok_responses_count_when_a_classifier_finds_them() {
    // Every response is an `Ok(503)`: a failure to the classifier, a success without it.
    let backend = Backend::new(Duration::ZERO, |_, _| Ok(503));
    let classify = |status: &u64| {
        (*status == 503).then_some(ResponseFailure {
            class: Class::Transient,
            code: "http.503",
            retry_after: None,
            never_retry: false,
        })
    };
    let layer = BreakerLayer::new().classify_response(classify);
    let mut service = layer.layer(backend.clone());
    for _ in 0..19 {
        assert_eq!(call(&mut service, 0).await, Ok(503));
    }
    assert_eq!(
        layer.handle().state(),
        State::Closed,
        "19 calls: below the minimum of 20"
    );
    assert_eq!(call(&mut service, 0).await, Ok(503));
    assert_eq!(
        layer.handle().state(),
        State::Open,
        "20 failures of 20 calls"
    );
    refusal(call(&mut service, 0).await);
    assert_eq!(backend.call_count(), 20);

    // Without the classifier, the same responses are successes.
    let layer = BreakerLayer::new();
    let mut service = layer.layer(Backend::new(Duration::ZERO, |_, _| Ok(503)));
    for _ in 0..100 {
        assert_eq!(call(&mut service, 0).await, Ok(503));
    }
    assert_eq!(layer.handle().state(), State::Closed);
}
