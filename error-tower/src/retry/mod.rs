//! [`Retry`]: retries that act on the class of the failure.
//!
//! # Why classes, and not a count of attempts
//!
//! A retry policy that cannot tell "the server is overloaded" from "this attempt hit a
//! transient fault" must choose: a fixed count of attempts recovers from faults but
//! multiplies the load of an overloaded server; a budget alone keeps the load down but gives
//! up on faults. A [`ClassifiedError`](error_core::ClassifiedError) says which it is, so the
//! policy does both:
//!
//! | class | retried | when |
//! |---|---|---|
//! | `transient` | up to 4 attempts in all, within the [budget](crate::budget) | after full-jitter exponential [backoff](crate::backoff) (10 ms base), or the error's `retry_after` if later |
//! | `busy` | only with a `retry_after` hint, within the budget | not before the hint |
//! | `redirect` | when the [`Redirect`] hook retargets the request; not charged to the budget | at once, or after the hint |
//! | `conflict` | only with [`RetryLayer::retry_conflict`] (re-running a transaction is usually the caller's job) | as `transient` |
//! | any other, or none | never | |
//!
//! [`RetryLayer::retry_class`] turns each class on or off; a class turned on keeps its rule
//! above, and any class outside the table is retried as `transient`.
//!
//! The first attempt is always sent. A retry waits for [`poll_ready`](tower_service::Service::poll_ready)
//! like any call. When the policy gives up, the caller gets the last error (or failed
//! response) unchanged, and [`OnGiveUp`] hears why ([`GiveUpReason`]): exhausted, budget,
//! deadline, class, not idempotent, committed, or not replayable; with the attempts, the
//! class, the code and the delay of the retry it did not make. Two of these cases are
//! decided by the service or the request, not by the policy's rules:
//!
//! - a service whose `poll_ready` fails before a retry ends the call with *that* error
//!   (tower's contract: such a service is gone), reported as
//!   [`GiveUpReason::ServiceFailed`];
//! - a failed *response* (one the [`ClassifyResponse`] hook found, of a class that may
//!   follow execution) that came before the request's streaming body was read to its end
//!   commits the call ([`GiveUpReason::Committed`]): the server answered a request it had
//!   not received whole, as a streaming RPC does, and a retry could repeat what that
//!   response began. Only the request knows ([`IdempotentRequest::is_committed`]): an
//!   `http::Request` whose streaming body a [`ReplayLayer`](crate::http::ReplayLayer) has
//!   not read to its end, by any attempt, when the attempt ends.
//!
//! [`OnRetry`] hears a retry when the policy decides it. A retry decided but never sent
//! (the deadline passed while the service was not ready, or the service failed) is then
//! followed by a give-up for the same attempt, and its budget token is given back.
//!
//! # Deadline
//!
//! [`RetryLayer::deadline`] bounds a call, backoff included: a retry is started only if,
//! taking as long as the attempt before it, it can end before the deadline, and a retry
//! still waiting for the service at the deadline is given up. A
//! [`TimeoutLayer`](crate::timeout::TimeoutLayer) inside bounds each attempt by the time
//! left.
//!
//! # Idempotency
//!
//! A `transient` error (or a `conflict`) may follow the request's execution, so a request is
//! retried after one only if it is idempotent: by default the request type says so
//! ([`IdempotentRequest`], implemented for `http::Request` with the `http` feature); a
//! closure, [`RetryLayer::assume_idempotent`] or [`RetryLayer::retry_non_idempotent`] say
//! otherwise. `busy` and `redirect` are rejections before execution and are retried
//! whatever the request.
//!
//! # Requests
//!
//! The request type is `Clone`: the future keeps a copy and each retry sends a clone of it,
//! as tower's retry does. A redirect hook retargets that copy in place.
//!
//! # Errors
//!
//! The inner service's error implements [`Classify`]: every
//! `ClassifiedError` (so `error_core::Error`), and `tower::BoxError`, classified by walking
//! its chain. An error with no classification is never retried.
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::sync::Arc;
//! use error_core::ClassifiedError;
//! use error_tower::retry::RetryLayer;
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! #[derive(Debug, ClassifiedError)]
//! #[class(transient)]
//! #[error("connection reset")]
//! struct Reset;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let calls = Arc::new(AtomicU32::new(0));
//! let backend = {
//!     let calls = Arc::clone(&calls);
//!     tower::service_fn(move |n: u64| {
//!         let call = calls.fetch_add(1, Ordering::Relaxed);
//!         async move { if call < 2 { Err(Reset) } else { Ok(n * 2) } }
//!     })
//! };
//! let mut service = ServiceBuilder::new()
//!     .layer(RetryLayer::new().assume_idempotent().seed(7))
//!     .service(backend);
//! let answer = service.ready().await.unwrap().call(21).await.unwrap();
//! assert_eq!(answer, 42);
//! assert_eq!(calls.load(Ordering::Relaxed), 3);
//! # }
//! ```

mod deadline_error;
pub mod future;
mod idempotent;
mod layer;
mod on_give_up;
mod on_retry;
mod policy;
mod redirect;

use core::task::{Context, Poll};

use error_core::Classify;
use tower_service::Service;

pub use self::deadline_error::{DeadlineError, EndWithElapsed};
pub use self::idempotent::{Always, ByRequest, Idempotent, IdempotentRequest};
pub use self::layer::RetryLayer;
pub use self::on_give_up::{GiveUpEvent, GiveUpReason, OnGiveUp};
pub use self::on_retry::{OnRetry, RetryEvent};
pub use self::policy::Policy;
pub use self::redirect::Redirect;
pub use crate::classify::{ClassifyResponse, ResponseFailure};
pub use crate::elapsed::Elapsed;

use self::future::{CallDeadline, ResponseFuture};

/// Retries failed calls of `S` as the [`Policy`] says; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Retry<S, P> {
    inner: S,
    policy: P,
}

impl<S, P> Retry<S, P> {
    /// Wraps `inner`. [`RetryLayer`] is the usual way to make one.
    pub fn new(inner: S, policy: P) -> Self {
        Retry { inner, policy }
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

impl<S, Req, RD, ID, CR, OR, OG, DE> Service<Req> for Retry<S, Policy<RD, ID, CR, OR, OG, DE>>
where
    // First, so that a request type that says nothing is reported as the missing
    // `IdempotentRequest` (see "A request type that says nothing" above), not as a
    // `Service` bound rustc cannot explain.
    ID: Idempotent<Req> + Clone,
    S: Service<Req> + Clone,
    DE: DeadlineError<S::Error> + Clone,
    S::Error: Classify,
    Req: Clone,
    RD: Redirect<Req, S::Error> + Clone,
    CR: ClassifyResponse<S::Response> + Clone,
    OR: OnRetry + Clone,
    OG: OnGiveUp + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S, Req, Policy<RD, ID, CR, OR, OG, DE>>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, request: Req) -> Self::Future {
        let deadline = self.policy.config.deadline.map(CallDeadline::new);
        let kept = request.clone();
        let future = self.inner.call(request);
        ResponseFuture::new(
            future,
            self.inner.clone(),
            self.policy.clone(),
            kept,
            deadline,
        )
    }
}
