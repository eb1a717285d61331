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
//! | `transient` | up to 4 tries in all, within the [budget](crate::budget), charged as the failure arrives (with a hint or without) | after full-jitter exponential [backoff](crate::backoff) (10 ms base), or the error's `retry_after` if later |
//! | `busy` | only with a `retry_after` hint, within the budget: asked as the failure arrives, charged as the retry is sent | after the hint, and up to a fifth of it more |
//! | `redirect` | when the [`Redirect`] hook retargets the request, up to 5 hops; not a try, and not charged | at once, or after the hint |
//! | `conflict` | only with [`RetryLayer::retry_conflict`] (re-running a transaction is usually the caller's job) | as `transient` |
//! | any other, or none | never | |
//!
//! [`RetryLayer::retry_class`] turns each class on or off; a class turned on keeps its rule
//! above, and any class outside the table is retried as `transient`. Whatever the class, a
//! hint longer than [`RetryLayer::max_hint`] (30 s) is not waited for: the call ends at once
//! ([`GiveUpReason::HintTooLong`]). A hint is the server's word, and `Retry-After: 86400`
//! from a misconfigured or hostile server would otherwise hold the call for a day.
//!
//! The first attempt is always sent. A retry waits for [`poll_ready`](tower_service::Service::poll_ready)
//! like any call. When the policy gives up, the caller gets the last error (or failed
//! response) unchanged, and [`OnGiveUp`] hears why ([`GiveUpReason`]): exhausted, budget,
//! deadline, redirect limit, class, not idempotent, committed, not replayable, or a hint too
//! long; with the
//! attempts, the class, the code and the delay of the retry it did not make. Two of these
//! cases are decided by the service or the request, not by the policy's rules:
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
//! [`OnRetry`] hears each retry as it is sent (its wait over, the service ready, the budget
//! paid), so that a call's attempts are one plus its retry events, and a metric of retries
//! counts what the backend received. A retry decided and never sent (the budget refused it
//! after its hint, the deadline passed while it waited, the service failed) is heard only as
//! the call's give-up, and a token it had paid is given back. A retry that was sent keeps
//! its token spent, whatever its outcome.
//!
//! # A request type that says nothing
//!
//! By default the layer asks the request whether it may be sent twice
//! ([`IdempotentRequest`], below). A request type that does not say
//! (`#[derive(Clone)] struct Get { key: String }`) does not compile behind the default
//! layer. The other choice, a default that compiles for every request type and retries only
//! the classes that mean "not executed" (`busy`, `redirect`), was weighed and not made:
//!
//! - Generic code cannot ask whether a type implements a trait (that is specialization,
//!   which stable Rust lacks). A default that compiles for `Get` is the same default for
//!   `http::Request` and for every type that implements `IdempotentRequest`, and cannot ask
//!   them either: it would stop retrying a `GET` after a `transient` failure, silently, in
//!   code that compiles and works today.
//! - It would turn a compile error into a run-time surprise: the layer would seem to do
//!   nothing (no `transient` failure retried) until someone reads the give-up reason,
//!   `not_idempotent`.
//!
//! Whether a request may execute twice is the one question about it that only its author
//! can answer, and a wrong answer costs a duplicated write; so the layer asks it, and the
//! error names the way out. At a method call on the client (`.ready()`, `.oneshot(..)`),
//! rustc reports E0599 and prints no custom message there; the layer's `Service` bounds are
//! arranged ([`PolicyHooks`] says how) so that its note names the unmet bound, "the
//! following trait bounds were not satisfied: `Get: IdempotentRequest`", rather than the
//! whole `Service`, and quotes the trait's line, which names
//! `RetryLayer::assume_idempotent()`. Where a bound asks for a `Service<Get>` (a function
//! that takes a service, `BoxService`, `Buffer`), rustc reports E0277 with the layer's own
//! message: "the retry layer cannot tell whether a `Get` may be sent twice", and a note
//! naming `.assume_idempotent()`, `.idempotent(|request| ..)` and the trait. The workspace's
//! UI suite holds both (`tests/tests/ui/tower/`).
//!
//! # `busy`, and the server's hint
//!
//! A `busy` failure with a hint is a rejection before execution and the server's schedule
//! for the retry: it is retried after the hint and not before, whatever the request. Two
//! rules keep those retries from being refused for a state the backend has left, and from
//! arriving all at once.
//!
//! - **Charged as it is sent, asked as the failure arrives.** A `busy` retry that waits
//!   for a hint takes its token from the budget when the wait is over and it is about to
//!   be sent. The budget answers "can the backend take one more attempt?", and for a retry
//!   sent 2 s after its failure, the answer at the failure is 2 s old. When the whole
//!   backend throttles for a second, each failure of that second finds the budget drained
//!   by the throttle itself (no call succeeds), and each retry, 2 s later, finds it
//!   refilled by the calls served since the throttle ended. In `tests/scenarios/defaults.rs`
//!   (500 calls a second, the first second throttled with a 2 s hint), charged at the
//!   failure, 11 of the 500 throttled calls were retried and 51.1% of the calls succeeded;
//!   charged as they are sent, all 500 are retried, and every call succeeds.
//!
//!   The budget is still asked as the failure arrives, without taking the token: a budget
//!   that could not pay now ends the call now, instead of after a wait for a retry it would
//!   then refuse. Under a throttle that never ends, 1,666 of 5,000 calls wait for the hint
//!   (those that come before the first retries spend the budget, and those that find a
//!   token the minimum rate credited) and the others end after one round trip, where every
//!   call used to wait the hint and then fail.
//!
//!   A retry's token is not given back when it succeeds. A retry the backend served is
//!   load it took, and if a successful retry cost nothing (its token back, and the half
//!   token every success deposits), a backend that answers `busy` with a hint to most
//!   calls would be bounded by `max_attempts` alone: the `tower_retry` example's burst
//!   made 458 requests for 200 reads so. The budget keeps its bound,
//!   `initial + ratio * successes + min_per_sec * seconds` retries, for every class; the
//!   same burst makes 272 requests, 70 reads of 200 succeed, and 130 end with the budget
//!   spent.
//!
//!   What makes the throttle above recoverable under that bound is the cap. The calls
//!   served in the second after the throttle deposit 250 tokens, and a cap of 20 would keep
//!   20 of them for 500 retries (545 of 1,000 calls succeed so). While retries wait for a
//!   hint, each raises the cap by a token ([the budget](crate::budget) says why that keeps
//!   the bound): the 500 retries are paid by the 500 successes before them and their own,
//!   the budget's ratio exactly.
//!
//!   Under this bound the breaker's refusals cost: with the default breaker inside the
//!   retry layer, the throttle opens it and no call succeeds for 5 s, so nothing deposits,
//!   and the refused calls' retries have the budget's initial balance to spend: 3 of the
//!   1,000 calls succeed. (Paid back on success, 912 did; that is the amplification the
//!   bound refuses.)
//!
//!   The other choice, a cheaper charge for hinted retries (the AWS SDKs' 2026 retry
//!   behaviour charges 5 tokens for a throttling error and 14 for others), still charges
//!   them while the throttle is on, when nothing refills the budget: at a third of the
//!   price, about three times the 11 retries above, not 500.
//!
//!   Every other retried class (`transient`, with a hint or without) is charged as its
//!   failure arrives: failure and retry are milliseconds apart, so the budget's answer is
//!   the same, a refused call ends at once instead of after its backoff, and a burst of
//!   failures draws on the successes that came with it (which, charged later, the budget's
//!   cap would have clipped). A `transient` hint that outlasts the backoff delays the
//!   retry, and does not change how it is paid.
//! - **Spread after the hint.** One hint often reaches many callers at the same instant (a
//!   breaker's refusals all carry the time left until it turns half-open; a throttle ends
//!   for everyone at once). Each retry waits the hint, then a uniform draw of up to a fifth
//!   of it ([`RetryLayer::hint_jitter`]): 500 callers given one 2 s hint come back over
//!   400 ms, at most 18 in any 10 ms (3.6%), not 500 in one millisecond. The jitter never
//!   costs a retry its deadline: one that fits at the hint and not with the jitter goes at
//!   the hint.
//!
//! # Redirects are hops
//!
//! A `redirect` says that another node can serve the request. The [`Redirect`] hook
//! retargets it, and the retry is sent at once (or after the error's hint). It is not
//! charged to the budget (it goes elsewhere, not to a failing node), and it is not a try:
//! `max_attempts` counts the attempts that failed otherwise, and the backoff schedule starts
//! after the hop, so that a call redirected to the leader keeps its four tries there. A
//! redirect, then 30% `transient` failures at the leader: 99.21% of 10,000 calls succeed
//! (`tests/scenarios/defaults.rs`), where counting the hop as a try left 97.21%.
//! [`RetryLayer::max_redirects`] (5) bounds the hops of one call, so that two nodes that
//! name each other as the leader end the call after 5 hops
//! ([`GiveUpReason::RedirectLimit`]).
//!
//! # Deadline
//!
//! [`RetryLayer::deadline`] bounds a call, backoff included, and holds by itself: an
//! attempt still in flight at the deadline is ended there with [`Elapsed`] (`transient`,
//! status `deadline_exceeded`), converted into the service's error through
//! `error_core::Error`, as the breaker's and the timeout's errors are. The service's error
//! must therefore implement `From<error_core::Error>`, and rustc says so when it does not:
//! "the retry layer cannot end an attempt with a `MyError` at the deadline", with the ways
//! out, where a bound asks for the service; at a method call, the unsatisfied
//! `EndWithElapsed: DeadlineError<MyError>`, quoting a line that says what it needs.
//! [`RetryLayer::deadline_with`] takes the alternatives: a closure that builds the
//! service's own error from the `Elapsed`, or `()` to let attempts run to their end.
//!
//! Why not end the attempt only when the error converts, and let it run otherwise? Rust
//! cannot choose an implementation by whether a bound holds; and a deadline that holds for
//! some error types and silently not for others is the surprise this replaces (a 200 ms
//! deadline, calls of 5.02 s).
//!
//! A retry is started only if, taking as long as the attempt before it, it can end before
//! the deadline; a retry still waiting for the service at the deadline is given up, with
//! the last error. A [`TimeoutLayer`](crate::timeout::TimeoutLayer) inside bounds each
//! attempt by its own timeout and by the time left, and ends an attempt at the deadline at
//! the same instant, with the same error.
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
//! The inner service's error implements [`Classify`](error_core::Classify): every
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

use tower_service::Service;

pub use self::deadline_error::{DeadlineError, EndWithElapsed};
pub use self::idempotent::{Always, ByRequest, Idempotent, IdempotentRequest};
pub use self::layer::RetryLayer;
pub use self::on_give_up::{GiveUpEvent, GiveUpReason, OnGiveUp};
pub use self::on_retry::{OnRetry, RetryEvent};
pub use self::policy::{Policy, PolicyHooks};
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

// The bounds are written for rustc's diagnostics as much as for the code: the request's
// idempotency first, and no bound that names `S::Error` or `S::Response` (those are behind
// `PolicyHooks`, a bound on the request type), so that a method call on a client whose
// request type says nothing reports the missing `IdempotentRequest` (see "A request type
// that says nothing" above), and not a `Service` bound it cannot explain.
impl<S, Req, RD, ID, CR, OR, OG, DE> Service<Req> for Retry<S, Policy<RD, ID, CR, OR, OG, DE>>
where
    ID: Idempotent<Req> + Clone,
    S: Service<Req> + Clone,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>> + Clone,
    RD: Clone,
    CR: Clone,
    OR: OnRetry + Clone,
    OG: OnGiveUp + Clone,
    DE: Clone,
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
