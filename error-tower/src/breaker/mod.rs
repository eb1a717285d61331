//! [`Breaker`]: a circuit breaker that trips on server-side classes only.
//!
//! # Why a breaker, when there is a retry budget
//!
//! A [budget](crate::budget) stops the *retries* of an outage, not the first attempts:
//! every call still goes to the dead backend, holds a connection, and makes its caller wait
//! for a timeout. A breaker watches the outcomes, and once the backend looks down it fails
//! calls at once, without sending them, until a probe shows that the backend is back.
//!
//! It is closed (calls go through) until one of two rules trips it:
//!
//! - a failure ratio of at least `failure_ratio` (50%) over at least `minimum_calls` (20)
//!   calls in a rolling `window` (10 s), which catches a backend that is down or fails half
//!   of the time;
//! - `consecutive_failures` failures in a row (off by default), which catches a backend that
//!   went down at once even with little traffic, but also trips on chance runs of failures
//!   under independent faults (see [`BreakerBuilder::default`]).
//!
//! It then stays open for `open_interval` (5 s), failing every call with [`Open`](error::Open); then
//! half-open, it lets `probes` calls (1) through at a time, and closes after `close_after`
//! (1) of them succeed, or re-opens for another interval when one fails. [`BreakerBuilder`]
//! sets each of these, and [`BreakerHandle`] reports the state and forces the breaker open
//! or closed from outside.
//!
//! # Which outcomes count
//!
//! | outcome | counts as |
//! |---|---|
//! | `Ok` | a success, unless [`BreakerLayer::classify_response`]'s classifier finds a failure in it (a 503): then as its class below |
//! | `transient`, `busy`, `fatal`, `internal` | a failure |
//! | `redirect`, `conflict`, `invalid`, `denied`, `closed`, `data` | nothing |
//! | an error with no classification | a failure ([`BreakerBuilder::unclassified_is_failure`]) |
//! | a call dropped before it ends | nothing (a probe frees its slot) |
//!
//! The errors are classified with [`Classify`]: every `ClassifiedError` (so
//! `error_core::Error`), and `tower::BoxError` by walking its chain.
//!
//! A breaker asks one question, "is the backend healthy?", and only the server-side
//! classes answer it. A client-side class says the *request* was wrong: one caller with an
//! expired token or a malformed query would otherwise open the breaker for every caller of
//! a healthy backend, and the breaker would then refuse their good requests too. So
//! `invalid` and `denied` never open it, at any rate. `redirect` (wrong node) and
//! `conflict` (a lost race) come from a working backend; `closed` (this instance is shut
//! down) and `data` (one corrupt record) are not cured by waiting, so a breaker does not
//! help.
//!
//! Nor do they count as successes. A rejection often comes from a front that answers
//! before the part that is failing (an authorization check in front of a dead database):
//! counted as successes, a stream of bad requests would keep the failure ratio under the
//! threshold and reset the consecutive count, and mask the outage from the good requests.
//! They leave the counters as they were, and are not in the window's count of calls. A
//! class added to `error_core` later counts as nothing until it is sorted here.
//!
//! An unclassified error is a failure by default because, in a stack of `tower::BoxError`s,
//! that is what a transport error (hyper's, tonic's) looks like: a breaker that ignored
//! them would never open when the backend is unreachable.
//!
//! # Why a bounded number of probes
//!
//! When the open interval ends the backend may still be down, or back but cold (empty
//! caches, no connections). A breaker that simply closed again would send every waiting
//! caller at once, the thundering herd that may have taken it down. A half-open breaker
//! lets `probes` calls through at a time and fails the others fast; the probes' outcomes
//! decide. A probe that ends with a client-side class, or is dropped, frees its slot for
//! the next call. A slow probe that outlives its half-open period (another probe failed and
//! re-opened the breaker) keeps its slot until it ends, and its outcome is ignored: the
//! bound holds across periods, so the backend never has more than `probes` at once.
//!
//! Callers refused while the breaker is open all carry the same hint, the instant it turns
//! half-open. A retry layer outside does not bring them back together: it spreads each
//! hinted retry over a window after the hint (a fifth of it,
//! [`RetryLayer::hint_jitter`](crate::retry::RetryLayer::hint_jitter)), so that they arrive
//! over up to a second after it (for those refused as it opened for 5 s) rather than in one
//! millisecond. They reach the
//! breaker, not the backend: `probes` of them get through, and the others are refused again,
//! at the cost of a local refusal (under 100 ns, `benches/breaker.rs`), with
//! [`half_open_retry_after`](BreakerBuilder::half_open_retry_after) as their next hint. The
//! hint itself is exact rather than jittered because it is a promise: no call is admitted
//! before it, and a retry layer never sends one before its hint; the spreading is the
//! retry layer's, after it.
//!
//! # Why the fast-fail error is `busy`, with a hint
//!
//! A refused call was never sent, so it is safe to retry whatever the request, like any
//! `busy` rejection. [`RetryLayer`](crate::retry::RetryLayer) retries `busy` only when it
//! carries a hint, and not before the hint: placed outside the breaker, it waits until the
//! breaker turns half-open, and its attempt arrives as the probe, instead of hammering the
//! open breaker (a `transient` error would be retried after 10 ms, and the attempts and the
//! budget would be spent on refusals in a few milliseconds). The hint is the time left
//! until half-open; while half-open with every slot taken,
//! [`half_open_retry_after`](BreakerBuilder::half_open_retry_after) (100 ms, about a probe's
//! round trip); when forced open, none, so the retry layer does not retry at all. Its status
//! is `unavailable` ([`Open`](error::Open) says why).
//!
//! The refusal reaches the service's error type as an `error_core::Error` holding the
//! `Open` (`S::Error: From<error_core::Error>`): `error_core::Error` itself,
//! `tower::BoxError` (in which [`find_classified`](error_core::find_classified) finds the
//! class and hint, so that an outer retry layer acts on them), or a derived enum with an
//! `#[error(transparent)] Middleware(#[from] error_core::Error)` variant. As every error of
//! this crate, it reaches you as an `error_core::Error` for that reason.
//!
//! # Readiness
//!
//! [`poll_ready`](Service::poll_ready) is the inner service's, whatever the state: an open
//! breaker fails in [`call`](Service::call), so that the caller gets the `Open` error and
//! its hint. Reporting "not ready" instead would park callers with no error and no hint, and
//! stall a buffer or a balancer in front rather than fail fast; reporting an error would
//! tell tower that the service is gone for good. The price: while the breaker is open, a
//! caller still waits for the inner service to be ready before its call is refused.
//!
//! # Sharing and locking
//!
//! Every clone of a `Breaker`, and every service one [`BreakerLayer`] makes, shares one
//! breaker, behind an `Arc`. A closed breaker admits a call with one atomic load, and
//! records a success with a few atomic operations (the window's bucket, the consecutive
//! count), with no lock. A `std` mutex guards the rest (the open interval, the probes, the
//! forced modes); it is taken only when the breaker is not closed, when a failure trips it,
//! and when a probe ends, held for a few comparisons, and never across an `.await`.
//!
//! Time is tokio's ([`tokio::time::Instant`]), so tests run on a paused clock.
//!
//! # State changes
//!
//! [`BreakerLayer::on_state_change`] sets a hook ([`OnStateChange`]) that hears every
//! transition once, as a [`StateChange`] with the states before and after, for metrics,
//! logs and alerts: closed to open (a rule tripped), open to half-open, half-open to closed
//! (enough probes succeeded) or to open (a probe failed), and those the [`BreakerHandle`]
//! forces (to and from forced open and forced closed). Like the other hooks of this crate
//! (the retry layer's [`OnRetry`](crate::retry::OnRetry)), it is a trait, done nothing by
//! `()` and implemented by closures `Fn(&StateChange)`.
//!
//! The breaker has no timer: an open breaker turns half-open when the first call after its
//! open interval arrives, and that call's thread reports it then, before the call goes on
//! as the probe. ([`BreakerHandle::state`] reports `half-open` from the end of the
//! interval.) So the `from` of each change is the `to` of the one before it.
//!
//! The transition is made under the lock, and the hook called after the lock is released,
//! on the thread that made it: the caller whose outcome tripped or closed the breaker, or
//! the caller of [`force_open`](BreakerHandle::force_open),
//! [`force_closed`](BreakerHandle::force_closed) or [`release`](BreakerHandle::release). A
//! slow hook then delays that one caller and no other, a hook may read or force the breaker
//! through a handle without deadlocking, and a hook that panics leaves the breaker working.
//! The price: two transitions made at the same moment on two threads (a probe's failure
//! and an operator's `force_open`) may reach the hook in either order; read
//! [`BreakerHandle::state`] for the state now.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use error_tower::breaker::{BreakerLayer, State, StateChange};
//! use tower::{Service, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), error_tower::breaker::error::ConfigError> {
//! let changes = Arc::new(Mutex::new(Vec::new()));
//! let layer = BreakerLayer::builder()
//!     .consecutive_failures(1)
//!     .open_interval(Duration::from_secs(2))
//!     .build()?
//!     .on_state_change({
//!         let changes = Arc::clone(&changes);
//!         move |change: &StateChange| changes.lock().unwrap().push((change.from, change.to))
//!     });
//! let handle = layer.handle();
//! // Fails its first call, then succeeds.
//! let mut calls = 0;
//! let backend = tower::service_fn(move |()| {
//!     calls += 1;
//!     let failed = calls == 1;
//!     async move { if failed { Err(error_core::Error::transient("connection reset")) } else { Ok(()) } }
//! });
//! let mut service = tower::Layer::layer(&layer, backend);
//!
//! assert!(service.ready().await.unwrap().call(()).await.is_err());
//! tokio::time::advance(Duration::from_secs(2)).await;
//! assert!(service.ready().await.unwrap().call(()).await.is_ok());
//! handle.force_open();
//! handle.release();
//!
//! assert_eq!(*changes.lock().unwrap(), [
//!     (State::Closed, State::Open),       // the failure tripped it
//!     (State::Open, State::HalfOpen),     // the call 2 s later is the probe,
//!     (State::HalfOpen, State::Closed),   // and its success closes it
//!     (State::Closed, State::ForcedOpen),
//!     (State::ForcedOpen, State::HalfOpen),
//! ]);
//! # Ok(())
//! # }
//! ```
//!
//! # Placement
//!
//! Put the breaker inside the retry layer: each attempt is then an outcome, and the retry
//! layer retries the breaker's refusals after their hint. Put a timeout inside the
//! breaker, so that a hung backend counts: a timeout's error is `transient`.
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::sync::Arc;
//! use std::time::Duration;
//! use error_tower::breaker::{BreakerLayer, State};
//! use error_tower::retry::RetryLayer;
//! use tokio::time::Instant;
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), error_tower::breaker::error::ConfigError> {
//! // Fails its first call, then succeeds.
//! let calls = Arc::new(AtomicU32::new(0));
//! let backend = {
//!     let calls = Arc::clone(&calls);
//!     tower::service_fn(move |n: u64| {
//!         let call = calls.fetch_add(1, Ordering::Relaxed);
//!         async move {
//!             if call == 0 { Err(error_core::Error::transient("connection reset")) } else { Ok(n) }
//!         }
//!     })
//! };
//! let breaker = BreakerLayer::builder()
//!     .consecutive_failures(1)
//!     .open_interval(Duration::from_secs(2))
//!     .build()?;
//! let handle = breaker.handle();
//! let mut service = ServiceBuilder::new()
//!     .layer(RetryLayer::new().assume_idempotent().seed(7))
//!     .layer(breaker)
//!     .service(backend);
//!
//! let start = Instant::now();
//! // The failure opens the breaker; the retry is refused with a 2 s hint, waits it out
//! // (and up to a fifth of it more: the retry layer's jitter after a hint), and its next
//! // attempt is the probe that closes the breaker again.
//! assert_eq!(service.ready().await.unwrap().call(7).await.unwrap(), 7);
//! assert!((Duration::from_secs(2)..=Duration::from_millis(2_400)).contains(&start.elapsed()));
//! assert_eq!(calls.load(Ordering::Relaxed), 2);
//! assert_eq!(handle.state(), State::Closed);
//! # Ok(())
//! # }
//! ```

pub mod error;
pub mod future;
mod layer;
mod on_state_change;
mod state;

use core::fmt;
use core::task::{Context, Poll};
use std::sync::Arc;

use error_core::Classify;
use tower_service::Service;

pub use self::layer::{BreakerBuilder, BreakerLayer};
pub use self::on_state_change::{OnStateChange, StateChange};
pub use self::state::{BreakerHandle, State};

use self::future::ResponseFuture;
use self::state::Shared;
use crate::classify::ClassifyResponse;

/// Fails calls fast while the backend looks down; see the [module documentation](self).
///
/// Clones share the breaker. `C` is the
/// [response classifier](BreakerLayer::classify_response), `H` the
/// [state-change hook](BreakerLayer::on_state_change).
pub struct Breaker<S, C = (), H = ()> {
    inner: S,
    shared: Arc<Shared<H>>,
    classify: C,
}

// By hand: clones share the hook (behind the `Arc`), so `H` need not be `Clone`, nor
// `Debug` (a closure is neither).
impl<S: Clone, C: Clone, H> Clone for Breaker<S, C, H> {
    fn clone(&self) -> Self {
        Breaker {
            inner: self.inner.clone(),
            shared: Arc::clone(&self.shared),
            classify: self.classify.clone(),
        }
    }
}

impl<S: fmt::Debug, C: fmt::Debug, H> fmt::Debug for Breaker<S, C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Breaker")
            .field("inner", &self.inner)
            .field("shared", &self.shared)
            .field("classify", &self.classify)
            .finish()
    }
}

impl<S> Breaker<S> {
    /// Wraps `inner` in a breaker of its own, with the defaults of
    /// [`BreakerBuilder::default`]. [`BreakerLayer`] is the way to set others, or to share
    /// one breaker among several services.
    pub fn new(inner: S) -> Self {
        tower_layer::Layer::layer(&BreakerLayer::new(), inner)
    }
}

impl<S, C, H: OnStateChange + Send + Sync + 'static> Breaker<S, C, H> {
    /// The switch and the gauge of this breaker.
    #[must_use]
    pub fn handle(&self) -> BreakerHandle {
        BreakerHandle::new(Arc::clone(&self.shared))
    }
}

impl<S, C, H> Breaker<S, C, H> {
    pub(crate) fn from_shared(inner: S, shared: Arc<Shared<H>>, classify: C) -> Self {
        Breaker {
            inner,
            shared,
            classify,
        }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, C, H, Req> Service<Req> for Breaker<S, C, H>
where
    S: Service<Req>,
    S::Error: Classify + From<error_core::Error>,
    C: ClassifyResponse<S::Response> + Clone,
    H: OnStateChange,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, C, H>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        match self.shared.admit() {
            Ok(ticket) => ResponseFuture::called(
                self.inner.call(request),
                &self.shared,
                ticket,
                self.classify.clone(),
            ),
            Err(open) => ResponseFuture::refused(open),
        }
    }
}
