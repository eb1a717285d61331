//! Allocations on the success path: a call through `Retry` that succeeds at once allocates
//! exactly as much as the same call made directly (nothing, for a `u64` request).
//!
//! The counting allocator is `allocation-counter`'s: the workspace forbids `unsafe_code`, and
//! a `forbid` set by `[lints]` cannot be relaxed in this file, so the test cannot implement
//! `GlobalAlloc` itself. `allocation_counter::measure` counts the allocations of the current
//! thread only, so the test harness's other threads do not disturb the counts.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use error_core::ClassifiedError;
use error_tower::retry::RetryLayer;
use tower::{Layer, Service};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("connection reset")]
struct Reset;

/// A service that answers at once.
#[derive(Clone, Copy, Debug)]
struct Echo;

impl Service<u64> for Echo {
    type Response = u64;
    type Error = Reset;
    type Future = Ready<Result<u64, Reset>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Reset>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u64) -> Self::Future {
        ready(Ok(request))
    }
}

/// `poll_ready`, `call`, and one poll of the response, which must be ready.
fn call_once<S: Service<u64, Response = u64>>(service: &mut S, request: u64) -> u64 {
    let mut cx = Context::from_waker(Waker::noop());
    match service.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        _ => panic!("the service is not ready"),
    }
    let mut future = pin!(service.call(request));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(_)) => panic!("the call failed"),
        Poll::Pending => panic!("the response is not ready on the first poll"),
    }
}

const CALLS: u64 = 1_000;

/// The allocations of `CALLS` successful calls through `service`, after one call outside
/// the count (so that a one-time initialization is not counted).
fn allocations<S: Service<u64, Response = u64>>(mut service: S) -> u64 {
    assert_eq!(call_once(&mut service, 0), 0);
    let info = allocation_counter::measure(|| {
        for n in 1..=CALLS {
            assert_eq!(call_once(&mut service, n), n);
        }
    });
    info.count_total
}

#[test]
fn retry_success_path_allocates_as_much_as_a_direct_call() {
    let direct = allocations(Echo);
    // The default budget is deposited on each success: the path of a healthy service.
    let retry = allocations(RetryLayer::new().assume_idempotent().layer(Echo));
    assert_eq!(
        (direct, retry),
        (0, 0),
        "allocations in {CALLS} calls: direct, then through Retry"
    );
}

#[test]
fn the_counter_counts() {
    // A guard against a counter that counts nothing: one boxed value is one allocation.
    let info = allocation_counter::measure(|| {
        std::hint::black_box(Box::new(7_u64));
    });
    assert_eq!(info.count_total, 1);
}
