//! The cost of `error_tower::retry::Retry` on the success path: one call that succeeds at
//! once, compared in the same run with calling the service directly and with
//! `tower::retry::Retry`, plain and with a `TpsBudget`.
//!
//! Each iteration is `poll_ready`, `call`, and one poll of the response future with a no-op
//! waker: the service's future is `std::future::Ready`, so the measurement is the
//! middleware, not a runtime. Two request types:
//!
//! - `u64`: the middleware alone (its clone of the request is a copy);
//! - an `http::Request<()>` with 8 headers: each retry layer keeps a clone of the request
//!   for a retry (`HeaderMap` clones allocate), which `direct` does not.
//!
//! The variants:
//!
//! | name | service |
//! |---|---|
//! | `direct` | the service |
//! | `direct+Arc` | (`u64` only) the service, its response future holding a clone of an `Arc`: the floor of any middleware whose future shares state with the service, as a budget does |
//! | `error-tower` | `RetryLayer::new().assume_idempotent().max_attempts(4)`: its default budget, deposited on each success |
//! | `tower` | `tower::retry::Retry` with a policy that retries `Err` up to 3 times, no budget |
//! | `tower+TpsBudget` | the same, with `TpsBudget::default()`, deposited on each success |
//!
//! `error-tower` and `tower+TpsBudget` do the same work per success (keep a clone, record
//! the success in a shared budget); `tower` does less (no budget).
//!
//! After criterion's figures, an interleaved comparison prints ns per call and the ratios
//! (see `common`).

// Bench code: a failed unwrap is a broken bench, and a bench binary has no public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

#[path = "common/call.rs"]
mod call;
mod common;

use std::future::{Future, Ready, ready};
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use call::call_once;
use common::{Comparison, Mode, Routine};
use criterion::Criterion;
use error_core::ClassifiedError;
use error_tower::retry::RetryLayer;
use tower::retry::budget::{Budget as _, TpsBudget};
use tower::{Layer, Service};

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("connection reset")]
struct Reset;

/// A service that answers at once: `u64` requests with themselves, HTTP requests with their
/// number of headers (so that the request is consumed and dropped by the service).
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

impl Service<http::Request<()>> for Echo {
    type Response = usize;
    type Error = Reset;
    type Future = Ready<Result<usize, Reset>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Reset>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<()>) -> Self::Future {
        ready(Ok(request.headers().len()))
    }
}

/// tower's policy equivalent to error-tower's on the success path: retry `Err` up to 3
/// times (4 attempts in all), keep a clone of the request.
#[derive(Clone, Debug)]
struct Attempts {
    retries: u32,
}

impl<Req: Clone, Res, E> tower::retry::Policy<Req, Res, E> for Attempts {
    type Future = Ready<()>;

    fn retry(&mut self, _: &mut Req, result: &mut Result<Res, E>) -> Option<Self::Future> {
        if result.is_err() && self.retries > 0 {
            self.retries -= 1;
            Some(ready(()))
        } else {
            None
        }
    }

    fn clone_request(&mut self, request: &Req) -> Option<Req> {
        Some(request.clone())
    }
}

/// [`Attempts`] within a `TpsBudget`: a success deposits, a retry withdraws — the work
/// error-tower's policy does.
#[derive(Clone, Debug)]
struct Budgeted {
    retries: u32,
    budget: Arc<TpsBudget>,
}

impl<Req: Clone, Res, E> tower::retry::Policy<Req, Res, E> for Budgeted {
    type Future = Ready<()>;

    fn retry(&mut self, _: &mut Req, result: &mut Result<Res, E>) -> Option<Self::Future> {
        if result.is_ok() {
            self.budget.deposit();
            None
        } else if self.retries > 0 && self.budget.withdraw() {
            self.retries -= 1;
            Some(ready(()))
        } else {
            None
        }
    }

    fn clone_request(&mut self, request: &Req) -> Option<Req> {
        Some(request.clone())
    }
}

fn error_tower_service<Req>(
    inner: Echo,
) -> impl Service<Req, Response = <Echo as Service<Req>>::Response, Error = Reset> + use<Req>
where
    Echo: Service<Req, Error = Reset>,
    Req: Clone,
{
    RetryLayer::new()
        .assume_idempotent()
        .max_attempts(4)
        .seed(7)
        .layer(inner)
}

fn tower_service<Req>(
    inner: Echo,
) -> impl Service<Req, Response = <Echo as Service<Req>>::Response, Error = Reset> + use<Req>
where
    Echo: Service<Req, Error = Reset>,
    Req: Clone,
{
    tower::retry::Retry::new(Attempts { retries: 3 }, inner)
}

/// The floor of any middleware whose response future shares state with its service (a
/// budget, a configuration): the direct call, with a reference count taken in `call` and
/// released when the future is dropped.
#[derive(Clone, Debug)]
struct Shared<S> {
    inner: S,
    shared: Arc<()>,
}

/// The inner future, holding a reference count.
struct Holding<F> {
    future: F,
    _shared: Arc<()>,
}

impl<F: Future + Unpin> Future for Holding<F> {
    type Output = F::Output;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        std::pin::Pin::new(&mut self.future).poll(cx)
    }
}

impl<S: Service<Req>, Req> Service<Req> for Shared<S>
where
    S::Future: Unpin,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Holding<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        Holding {
            future: self.inner.call(request),
            _shared: Arc::clone(&self.shared),
        }
    }
}

fn shared_service(inner: Echo) -> Shared<Echo> {
    Shared {
        inner,
        shared: Arc::new(()),
    }
}

fn tower_budget_service<Req>(
    inner: Echo,
) -> impl Service<Req, Response = <Echo as Service<Req>>::Response, Error = Reset> + use<Req>
where
    Echo: Service<Req, Error = Reset>,
    Req: Clone,
{
    let budget = Arc::new(TpsBudget::default());
    tower::retry::Retry::new(Budgeted { retries: 3, budget }, inner)
}

/// `iters` successful `u64` calls through a fresh `service`.
fn u64_routine<S>(make: fn(Echo) -> S) -> Routine<'static>
where
    S: Service<u64, Error = Reset> + 'static,
{
    Box::new(move |iters| {
        let mut service = make(Echo);
        common::time(iters, |i| {
            let response = call_once(&mut service, black_box(i));
            assert!(black_box(response).is_ok());
        })
    })
}

/// A request as a client sends it: 8 headers, values built at run time.
fn http_request() -> http::Request<()> {
    http::Request::builder()
        .method(http::Method::GET)
        .uri("http://api.internal:8080/v1/orders/1234?expand=items")
        .header(http::header::HOST, "api.internal:8080")
        .header(http::header::USER_AGENT, "bench-client/0.1")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::ACCEPT_ENCODING, "gzip, br")
        .header(
            http::header::AUTHORIZATION,
            "Bearer abcdefghijklmnopqrstuvwxyz0123456789",
        )
        .header("x-request-id", "7f1c2a9e-3b4d-4e5f-8a6b-9c0d1e2f3a4b")
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .header("x-tenant", "acme")
        .body(())
        .unwrap()
}

/// Requests are cloned from a template outside the timed region, a chunk at a time; each
/// timed call consumes one.
const CHUNK: u64 = 256;

/// `iters` successful HTTP calls through a fresh `service`.
fn http_routine<S>(make: fn(Echo) -> S) -> Routine<'static>
where
    S: Service<http::Request<()>, Response = usize, Error = Reset> + 'static,
{
    let template = http_request();
    Box::new(move |iters| {
        let mut service = make(Echo);
        let mut elapsed = Duration::ZERO;
        let mut left = iters;
        let mut requests = Vec::with_capacity(usize::try_from(CHUNK).unwrap());
        while left > 0 {
            let n = left.min(CHUNK);
            requests.extend((0..n).map(|_| template.clone()));
            let start = Instant::now();
            for request in requests.drain(..) {
                let response = call_once(&mut service, black_box(request));
                assert_eq!(black_box(response).ok(), Some(8));
            }
            elapsed += start.elapsed();
            left -= n;
        }
        elapsed
    })
}

type Variants = Vec<(&'static str, Routine<'static>)>;

fn u64_variants() -> Variants {
    vec![
        ("direct", u64_routine(|inner| inner)),
        ("direct+Arc", u64_routine(shared_service)),
        ("error-tower", u64_routine(error_tower_service)),
        ("tower", u64_routine(tower_service)),
        ("tower+TpsBudget", u64_routine(tower_budget_service)),
    ]
}

fn http_variants() -> Variants {
    vec![
        ("direct", http_routine(|inner| inner)),
        ("error-tower", http_routine(error_tower_service)),
        ("tower", http_routine(tower_service)),
        ("tower+TpsBudget", http_routine(tower_budget_service)),
    ]
}

fn criterion_group(c: &mut Criterion, group: &str, variants: Variants) {
    let mut group = c.benchmark_group(group);
    for (name, mut routine) in variants {
        group.bench_function(name, |b| b.iter_custom(&mut routine));
    }
    group.finish();
}

fn comparison(title: &'static str, unit: &'static str, variants: Variants) -> Comparison<'static> {
    let floor = variants.iter().any(|(name, _)| *name == "direct+Arc");
    let mut comparison = Comparison::new(title, unit);
    for (name, routine) in variants {
        comparison = comparison.variant(name, routine);
    }
    let comparison = if floor {
        comparison.ratio("error-tower", "direct+Arc")
    } else {
        comparison
    };
    comparison
        .ratio("error-tower", "direct")
        .ratio("error-tower", "tower")
        .ratio("error-tower", "tower+TpsBudget")
        .ratio("tower", "direct")
}

fn main() {
    let mode = Mode::from_args();
    let mut criterion = Criterion::default().configure_from_args();
    criterion_group(&mut criterion, "retry_success/u64", u64_variants());
    criterion_group(
        &mut criterion,
        "retry_success/http_8_headers",
        http_variants(),
    );
    criterion.final_summary();

    comparison("retry success path, u64 request", "call", u64_variants()).run(mode);
    comparison(
        "retry success path, http::Request<()> with 8 headers",
        "call",
        http_variants(),
    )
    .run(mode);
}
