//! The success path's instructions, for callgrind: a count that does not depend on the
//! machine's load, where `benches/retry.rs`'s timings do. It runs one variant, named by its
//! first argument (`u64-direct`, `u64`, `http-direct`, `http`), in a function callgrind
//! counts alone:
//!
//! ```sh
//! cargo bench -p error-tower --bench instructions --no-run
//! valgrind --tool=callgrind --toggle-collect='*instructions::run*' \
//!     target/release/deps/instructions-<hash> u64
//! ```
//!
//! `u64` and `http` make 100,000 and 10,000 calls through
//! `RetryLayer::new().assume_idempotent().max_attempts(4)`, each one `poll_ready`, `call`
//! and one poll of a response that is ready at once; the `-direct` variants make the same
//! calls to the inner service alone. Divide the total by the calls.

// A measurement harness: a failed assumption is a broken harness.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::future::{Future, Ready, ready};
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use error_core::ClassifiedError;
use error_tower::retry::RetryLayer;
use tower::{Layer, Service};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("connection reset")]
struct Reset;

/// Answers each request with itself, at once.
#[derive(Clone, Copy, Debug)]
struct Echo;

impl<R> Service<R> for Echo {
    type Response = R;
    type Error = Reset;
    type Future = Ready<Result<R, Reset>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Reset>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: R) -> Self::Future {
        ready(Ok(request))
    }
}

#[inline(never)]
fn call_once<S: Service<R>, R>(service: &mut S, request: R) -> Option<S::Response> {
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(())) = service.poll_ready(&mut cx) else {
        panic!("the service is not ready");
    };
    let mut future = pin!(service.call(request));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => Some(response),
        _ => None,
    }
}

#[inline(never)]
fn run_u64<S: Service<u64, Response = u64>>(mut service: S) {
    for n in 0..100_000_u64 {
        black_box(call_once(&mut service, black_box(n)));
    }
}

#[inline(never)]
fn run_http<S: Service<http::Request<()>>>(mut service: S) {
    let mut request = http::Request::get("/kv/a");
    for i in 0..8 {
        request = request.header(format!("x-header-{i}"), "value");
    }
    let request = request.body(()).unwrap();
    for _ in 0..10_000 {
        black_box(call_once(&mut service, black_box(request.clone())));
    }
}

fn main() {
    let layer = RetryLayer::new()
        .assume_idempotent()
        .max_attempts(4)
        .seed(7);
    match std::env::args().nth(1).as_deref() {
        Some("u64-direct") => run_u64(Echo),
        Some("u64") => run_u64(layer.layer(Echo)),
        Some("http-direct") => run_http(Echo),
        Some("http") => run_http(layer.layer(Echo)),
        // `cargo bench` runs every bench with `--bench`: nothing to time here.
        _ => {}
    }
}
