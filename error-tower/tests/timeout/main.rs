//! Timeout: each attempt bounded, to the millisecond, and by the time left before the
//! retry layer's deadline.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Status};
use error_tower::retry::{RetryEvent, RetryLayer};
use error_tower::timeout::TimeoutLayer;
use error_tower::timeout::error::Elapsed;
use tokio::time::Instant;
use tower::{Service, ServiceBuilder, ServiceExt};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A backend that answers after `delay`, counting its calls.
fn slow(
    delay: Duration,
    calls: &Arc<AtomicU32>,
) -> impl Service<u32, Response = u32, Error = error_core::Error, Future: Send> + Clone + use<> {
    let calls = Arc::clone(calls);
    tower::service_fn(move |n: u32| {
        calls.fetch_add(1, Ordering::Relaxed);
        async move {
            tokio::time::sleep(delay).await;
            Ok(n)
        }
    })
}

#[tokio::test(start_paused = true)]
async fn a_slow_call_fails_with_elapsed_exactly_at_its_timeout() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut service = ServiceBuilder::new()
        .layer(TimeoutLayer::new(ms(250)))
        .service(slow(Duration::from_secs(5), &calls));
    let started = Instant::now();
    let err = service.ready().await.unwrap().call(1).await.unwrap_err();
    assert_eq!(started.elapsed(), ms(250));
    assert_eq!(err.to_string(), "request timed out. timeout=`250ms`");
    assert_eq!(err.class(), Class::Transient);
    assert_eq!(err.status(), Status::DeadlineExceeded);
    assert_eq!(err.code(), "timeout");
    assert_eq!(
        err.downcast_ref::<Elapsed>().map(Elapsed::timeout),
        Some(ms(250))
    );
}

#[tokio::test(start_paused = true)]
async fn a_fast_call_passes() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut service = ServiceBuilder::new()
        .layer(TimeoutLayer::new(ms(250)))
        .service(slow(ms(249), &calls));
    assert_eq!(service.ready().await.unwrap().call(7).await.unwrap(), 7);
}

#[tokio::test(start_paused = true)]
async fn a_retry_gets_only_the_time_left_before_the_deadline() {
    // Attempt 1 fails after 5 ms; attempt 2 hangs, and its 100 ms timeout is cut to the
    // time left before the 80 ms deadline.
    let calls = Arc::new(AtomicU32::new(0));
    let backend = {
        let calls = Arc::clone(&calls);
        tower::service_fn(move |n: u32| {
            let call = calls.fetch_add(1, Ordering::Relaxed);
            async move {
                if call == 0 {
                    tokio::time::sleep(ms(5)).await;
                    return Err(error_core::Error::transient("connection reset"));
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
                Ok(n)
            }
        })
    };
    let retries = Arc::new(std::sync::Mutex::new(Vec::new()));
    let layer = {
        let retries = Arc::clone(&retries);
        RetryLayer::new()
            .assume_idempotent()
            .seed(5)
            .deadline(ms(80))
            .on_retry(move |e: &RetryEvent| retries.lock().unwrap().push(e.delay))
    };
    let mut service = ServiceBuilder::new()
        .layer(layer)
        .layer(TimeoutLayer::new(ms(100)))
        .service(backend);
    let started = Instant::now();
    let err = service.ready().await.unwrap().call(1).await.unwrap_err();
    assert_eq!(
        started.elapsed(),
        ms(80),
        "attempt 2 timed out at the deadline"
    );
    assert_eq!(calls.load(Ordering::Relaxed), 2);
    let delay = retries.lock().unwrap()[0];
    let elapsed = err.downcast_ref::<Elapsed>().unwrap();
    assert_eq!(elapsed.timeout() + ms(5) + delay, ms(80));
}

#[tokio::test(start_paused = true)]
async fn no_retry_starts_after_a_timeout_with_less_time_left_than_the_timeout_took() {
    let calls = Arc::new(AtomicU32::new(0));
    let mut service = ServiceBuilder::new()
        .layer(
            RetryLayer::new()
                .assume_idempotent()
                .seed(5)
                .deadline(ms(150)),
        )
        .layer(TimeoutLayer::new(ms(100)))
        .service(slow(Duration::from_secs(5), &calls));
    let started = Instant::now();
    let err = service.ready().await.unwrap().call(1).await.unwrap_err();
    // Attempt 1 times out at 100 ms; a retry taking as long would end after the 150 ms
    // deadline, so the call ends with the timeout.
    assert_eq!(started.elapsed(), ms(100));
    assert_eq!(calls.load(Ordering::Relaxed), 1);
    let elapsed = err.downcast_ref::<Elapsed>().unwrap();
    assert_eq!(elapsed.timeout(), ms(100));
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_recovers_inside_its_timeout_succeeds_after_a_timed_out_one() {
    let calls = Arc::new(AtomicU32::new(0));
    let backend = {
        let calls = Arc::clone(&calls);
        tower::service_fn(move |n: u32| {
            let call = calls.fetch_add(1, Ordering::Relaxed);
            async move {
                let delay = if call == 0 {
                    Duration::from_secs(5)
                } else {
                    ms(10)
                };
                tokio::time::sleep(delay).await;
                Ok::<_, error_core::Error>(n)
            }
        })
    };
    let mut service = ServiceBuilder::new()
        .layer(RetryLayer::new().assume_idempotent().seed(5))
        .layer(TimeoutLayer::new(ms(100)))
        .service(backend);
    assert_eq!(service.ready().await.unwrap().call(3).await.unwrap(), 3);
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

#[test]
fn elapsed_names_a_path_that_exists() {
    // `exception.type` in error-otel: where `Elapsed` is defined, a public module with
    // either feature. (It was `error_tower::elapsed`, a private module.)
    let elapsed: error_tower::elapsed::Elapsed = Elapsed::new(Duration::from_millis(5));
    assert_eq!(
        error_core::ClassifiedError::type_name(&elapsed),
        "error_tower::elapsed::Elapsed"
    );
}
