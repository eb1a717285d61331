//! The cost of `error_tower::breaker::Breaker` per call: the success path of a closed
//! breaker, and the fast-fail of an open one, compared in the same run with calling the
//! service directly and with a hand-rolled refusal.
//!
//! Each iteration is `poll_ready`, `call`, and one poll of the response future with a no-op
//! waker, as in `retry.rs`: the service's future is `std::future::Ready`, its request a
//! `u64` and its error `error_core::Error`, so the measurement is the middleware, not a
//! runtime. The result is dropped within the iteration: a refusal's cost includes freeing
//! its error.
//!
//! The variants:
//!
//! | name | service | what one call costs |
//! |---|---|---|
//! | `direct` | the service, answering `Ok` | a call at all |
//! | `closed` | `BreakerLayer::new()` (the defaults: the failure-rate rule on), closed; the call succeeds | the success path: admission (one atomic load), an `Arc` clone in the response future, and on the response a clock read and a compare-and-swap in the window's bucket |
//! | `open (automatic)` | `BreakerLayer::builder().consecutive_failures(1).open_interval(1 h)`, tripped open by one real failure (a service answering `transient` through the same layer) outside the timed region; the call is refused | the fast-fail: an atomic load, the mutex, a clock read, and the `Open` error with its hint (the time left until half-open) in an `error_core::Error` (two allocations), freed |
//! | `forced open` | `BreakerLayer::new()` after `handle().force_open()`; the call is refused | the same path, with no hint (admission reads the clock before it looks at the mode) |
//! | `hand-rolled refusal` | `tower::service_fn` answering at once with `error_core::Error::from(Refused { .. })`, a derived `busy` error with a fixed hint | building and freeing an error of the same shape as the breaker's (two allocations), with no state and no clock |
//!
//! tower 0.5 has no circuit breaker to compare with. The hand-rolled refusal is the floor of
//! any fast-fail that returns such an error: `open (automatic) / hand-rolled refusal` is what
//! the breaker's own bookkeeping (the load, the lock, the clock) adds to it.
//!
//! A refused call never reaches the inner service: in the timed loop each refused result is
//! checked to be an `Err` (the service only answers `Ok`), and before and after the loop, outside
//! the timed region, one refusal is checked in full: class `busy`, the `Open` error of the
//! expected state, and the hint (`open (automatic)`: between zero and 1 h; `forced open`:
//! none).
//!
//! No runtime: the breaker spawns nothing and sets no timer, and outside a runtime tokio's
//! `Instant::now` (read by the breaker when it is built, on every success of `closed`, and on
//! every refusal) is the system clock, behind a thread-local check for a paused clock (the
//! dev-dependency enables tokio's `test-util`). Each sample builds a fresh breaker, and
//! trips or forces it, outside the timed region.
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

use std::future::{Ready, ready};
use std::hint::black_box;
use std::task::{Context, Poll};
use std::time::Duration;

use call::call_once;
use common::{Comparison, Mode, Routine};
use criterion::Criterion;
use error_core::{Class, ClassifiedError, Error};
use error_tower::breaker::error::Open;
use error_tower::breaker::{Breaker, BreakerLayer, State};
use tower::{Layer, Service};

/// The open interval of `open (automatic)`, and the hint of `hand-rolled refusal`: far
/// longer than any sample, so that the breaker stays open throughout.
const HOUR: Duration = Duration::from_secs(3600);

/// A service that answers at once, with its request.
#[derive(Clone, Copy, Debug)]
struct Echo;

impl Service<u64> for Echo {
    type Response = u64;
    type Error = Error;
    type Future = Ready<Result<u64, Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u64) -> Self::Future {
        ready(Ok(request))
    }
}

/// The refusal a user would write by hand: `busy`, with a hint, as the breaker's `Open`.
#[derive(Debug, ClassifiedError)]
#[class(busy, status = unavailable, code = "refused", context = none)]
#[error("refused")]
struct Refused {
    #[retry_after]
    #[kv(skip)]
    retry_after: Duration,
}

/// A closed breaker with the defaults.
fn closed() -> Breaker<Echo> {
    BreakerLayer::new().layer(Echo)
}

/// A breaker tripped open by one real failure, for an hour.
fn tripped() -> Breaker<Echo> {
    let layer = BreakerLayer::builder()
        .consecutive_failures(1)
        .open_interval(HOUR)
        .build()
        .unwrap();
    let mut failing = layer.layer(tower::service_fn(|_: u64| {
        ready(Err::<u64, _>(Error::transient("connection reset")))
    }));
    let failure = call_once(&mut failing, 0).unwrap_err();
    assert_eq!(failure.class(), Class::Transient);
    assert_eq!(layer.handle().state(), State::Open);
    layer.layer(Echo)
}

/// A breaker forced open.
fn forced_open() -> Breaker<Echo> {
    let layer = BreakerLayer::new();
    layer.handle().force_open();
    layer.layer(Echo)
}

type HandRolled = tower::util::ServiceFn<fn(u64) -> Ready<Result<u64, Error>>>;

/// A service that refuses every call at once, as one would write it by hand.
fn hand_rolled() -> HandRolled {
    tower::service_fn(|_| {
        ready(Err(Error::from(Refused {
            retry_after: black_box(HOUR),
        })))
    })
}

/// Which refusal a refused call must end with.
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// The breaker's `Open`, state open, with a hint of at most an hour.
    Open,
    /// The breaker's `Open`, state forced open, with no hint.
    ForcedOpen,
    /// `Refused`, with its hint of an hour.
    HandRolled,
}

fn check_refusal(result: Result<u64, Error>, refusal: Refusal) {
    let error = result.unwrap_err();
    assert_eq!(error.class(), Class::Busy);
    let state = error.downcast_ref::<Open>().map(Open::state);
    match refusal {
        Refusal::Open => {
            assert_eq!(state, Some(State::Open));
            let hint = error.retry_after().unwrap();
            assert!(!hint.is_zero() && hint <= HOUR, "hint {hint:?}");
        }
        Refusal::ForcedOpen => {
            assert_eq!(state, Some(State::ForcedOpen));
            assert_eq!(error.retry_after(), None);
        }
        Refusal::HandRolled => {
            assert!(error.downcast_ref::<Refused>().is_some());
            assert_eq!(error.retry_after(), Some(HOUR));
        }
    }
}

/// `iters` calls through a fresh service from `make`, each of which must succeed.
fn succeeding<S>(make: fn() -> S) -> Routine<'static>
where
    S: Service<u64, Response = u64, Error = Error> + 'static,
{
    Box::new(move |iters| {
        let mut service = make();
        common::time(iters, |i| {
            let response = call_once(&mut service, black_box(i));
            assert!(black_box(response).is_ok());
        })
    })
}

/// `iters` calls through a fresh service from `make`, each of which must be refused; one
/// refusal is checked in full before and after them, outside the timed region.
fn refused<S>(make: fn() -> S, refusal: Refusal) -> Routine<'static>
where
    S: Service<u64, Response = u64, Error = Error> + 'static,
{
    Box::new(move |iters| {
        let mut service = make();
        check_refusal(call_once(&mut service, 0), refusal);
        let elapsed = common::time(iters, |i| {
            let response = call_once(&mut service, black_box(i));
            assert!(black_box(response).is_err());
        });
        check_refusal(call_once(&mut service, 0), refusal);
        elapsed
    })
}

const DIRECT: &str = "direct";
const CLOSED: &str = "closed";
const OPEN: &str = "open (automatic)";
const FORCED: &str = "forced open";
const HAND_ROLLED: &str = "hand-rolled refusal";

type Variants = Vec<(&'static str, Routine<'static>)>;

fn variants() -> Variants {
    vec![
        (DIRECT, succeeding(|| Echo)),
        (CLOSED, succeeding(closed)),
        (OPEN, refused(tripped, Refusal::Open)),
        (FORCED, refused(forced_open, Refusal::ForcedOpen)),
        (HAND_ROLLED, refused(hand_rolled, Refusal::HandRolled)),
    ]
}

fn main() {
    let mode = Mode::from_args();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("breaker/u64");
    for (name, mut routine) in variants() {
        group.bench_function(name, |b| b.iter_custom(&mut routine));
    }
    group.finish();
    criterion.final_summary();

    let mut comparison = Comparison::new("breaker, u64 request", "call");
    for (name, routine) in variants() {
        comparison = comparison.variant(name, routine);
    }
    comparison
        .ratio(OPEN, DIRECT)
        .ratio(CLOSED, DIRECT)
        .ratio(FORCED, DIRECT)
        .ratio(OPEN, HAND_ROLLED)
        .run(mode);
}
