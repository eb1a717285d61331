//! [`ResponseFuture`]: one call, with its retries.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::time::Duration;

use error_core::Class;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tower_service::Service;

use super::policy::{Allowed, Config, Failure, Pay, RequestQuestions, Sent};
use super::{
    Elapsed, GiveUpEvent, GiveUpReason, Idempotent, OnGiveUp, OnRetry, Policy, PolicyHooks,
    RetryEvent,
};

pin_project! {
    #[project = ResponseFutureProj]
    /// The future of a call through [`Retry`](super::Retry): the first attempt, then the
    /// retries the policy allows, each after its delay and after the service is ready.
    pub struct ResponseFuture<S, Req, P>
    where
        S: Service<Req>,
    {
        #[pin]
        state: State<S::Future, (Result<S::Response, S::Error>, Failure, Pay)>,
        service: S,
        policy: P,
        // The request as the next attempt sends it: each retry sends a clone, and a redirect
        // hook retargets it in place.
        request: Req,
        sent: Sent,
        deadline: Option<CallDeadline>,
        previous_delay: Duration,
        // One timer for every wait of the call, boxed and made at the first wait: tokio's
        // `Sleep` would make every call's future three times larger, and a call that
        // succeeds at its first attempt with no deadline never waits. It fires at the end of
        // a retry's backoff (in `Backoff`); at any other time, at the deadline (while the
        // service is not ready, or an attempt is in flight).
        timer: Option<Pin<Box<Sleep>>>,
    }
}

/// A call's deadline, and when its current attempt started: how long the last attempt
/// took is how long the policy expects a retry to take.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallDeadline {
    pub(crate) at: Instant,
    pub(crate) attempt_started: Instant,
    /// How long the last attempt that ended took.
    pub(crate) last_took: Duration,
}

impl CallDeadline {
    pub(crate) fn new(timeout: Duration) -> CallDeadline {
        let now = Instant::now();
        CallDeadline {
            at: crate::deadline::later(now, timeout),
            attempt_started: now,
            last_took: Duration::ZERO,
        }
    }

    /// Whether an attempt started at `start` and taking as long as the last one would end
    /// at or after the deadline.
    pub(crate) fn too_late(&self, start: Instant) -> bool {
        start
            .checked_add(self.last_took)
            .is_none_or(|end| end >= self.at)
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, T> {
        Attempt { #[pin] future: F },
        // The failed attempt's result, the failure the policy decided on, and how the retry
        // is paid for, are kept until the retry is sent, so that a call that gives up before (the budget refuses
        // the retry, the deadline passes) ends with them. `last` is `Some` until the state
        // changes: an `Option` only so that it can be moved out.
        //
        // Waiting for the timer: a backoff, or a hint and its jitter.
        Backoff { last: Option<T> },
        // Waiting for `poll_ready` before a retry; with a deadline, the timer fires at it.
        PollReady { last: Option<T> },
    }
}

impl<S, Req, P> core::fmt::Debug for ResponseFuture<S, Req, P>
where
    S: Service<Req>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("attempts", &self.sent.attempts)
            .field("redirects", &self.sent.redirects)
            .field("deadline", &self.deadline.map(|deadline| deadline.at))
            .finish_non_exhaustive()
    }
}

impl<S, Req, P> ResponseFuture<S, Req, P>
where
    S: Service<Req>,
{
    #[inline]
    pub(crate) fn new(
        future: S::Future,
        service: S,
        policy: P,
        request: Req,
        deadline: Option<CallDeadline>,
    ) -> Self {
        ResponseFuture {
            state: State::Attempt { future },
            service,
            policy,
            request,
            sent: Sent {
                attempts: 1,
                redirects: 0,
            },
            deadline,
            previous_delay: Duration::ZERO,
            timer: None,
        }
    }
}

/// Answers the policy's questions about the request being retried.
struct Questions<'a, S, Req, P>
where
    S: Service<Req>,
{
    request: &'a mut Req,
    error: Option<&'a S::Error>,
    policy: &'a P,
}

impl<S, Req, RD, ID, CR, OR, OG, DE> RequestQuestions
    for Questions<'_, S, Req, Policy<RD, ID, CR, OR, OG, DE>>
where
    S: Service<Req>,
    ID: Idempotent<Req>,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    fn is_idempotent(&mut self) -> bool {
        self.policy.idempotent.is_idempotent(self.request)
    }

    fn can_resend(&mut self) -> bool {
        self.policy.idempotent.can_resend(self.request)
    }

    fn is_committed(&mut self) -> bool {
        self.policy.idempotent.is_committed(self.request)
    }

    fn redirect(&mut self) -> bool {
        self.error
            .is_some_and(|error| Req::redirect(self.policy, self.request, error))
    }
}

impl<S, Req, RD, ID, CR, OR, OG, DE> Future
    for ResponseFuture<S, Req, Policy<RD, ID, CR, OR, OG, DE>>
where
    S: Service<Req>,
    Req: Clone,
    ID: Idempotent<Req>,
    OR: OnRetry,
    OG: OnGiveUp,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    type Output = Result<S::Response, S::Error>;

    // The success path, small enough to inline into the caller: poll the attempt and, if it
    // succeeded, record the success and return. Everything else (a failure, a deadline, a
    // backoff, a retry) is in `retry` and `drive`, kept out of line so that their size does
    // not stop the success path from being inlined.
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.as_mut().project();
        if this.deadline.is_none() {
            if let StateProj::Attempt { future } = this.state.project() {
                let result = ready!(future.poll(cx));
                let failure = match &result {
                    Ok(response) => match Req::classify_response(this.policy, response) {
                        None => {
                            this.policy.config.succeeded();
                            return Poll::Ready(result);
                        }
                        Some(found) => Some(Failure::of_response(found)),
                    },
                    Err(error) => Req::classify_error(this.policy, error).map(Failure::of),
                };
                return self.retry(result, failure, cx);
            }
        }
        self.drive(cx)
    }
}

impl<S, Req, RD, ID, CR, OR, OG, DE> ResponseFuture<S, Req, Policy<RD, ID, CR, OR, OG, DE>>
where
    S: Service<Req>,
    Req: Clone,
    ID: Idempotent<Req>,
    OR: OnRetry,
    OG: OnGiveUp,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    /// After a failed attempt polled by `poll`: decides, then goes on.
    #[inline(never)]
    fn retry(
        mut self: Pin<&mut Self>,
        result: Result<S::Response, S::Error>,
        failure: Option<Failure>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<S::Response, S::Error>> {
        if let Some(result) = settle(&mut self.as_mut().project(), result, failure) {
            return Poll::Ready(result);
        }
        self.drive(cx)
    }

    /// Polls the current state until the call ends or waits.
    #[inline(never)]
    fn drive(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<S::Response, S::Error>> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Attempt { future } => {
                    let result = match *this.deadline {
                        // An inner `Timeout` limits the attempt to the time left.
                        Some(deadline) => {
                            match crate::deadline::with(deadline.at, || future.poll(cx)) {
                                Poll::Ready(result) => result,
                                Poll::Pending => return end_at_deadline(&mut this, deadline, cx),
                            }
                        }
                        None => ready!(future.poll(cx)),
                    };
                    let failure =
                        failure_of::<S, Req, RD, ID, CR, OR, OG, DE>(this.policy, &result);
                    if let Some(result) = settle(&mut this, result, failure) {
                        return Poll::Ready(result);
                    }
                }
                StateProj::Backoff { last } => {
                    if let Some(timer) = this.timer.as_mut() {
                        ready!(timer.as_mut().poll(cx));
                        // From now on the timer fires at the deadline, if there is one.
                        if let Some(deadline) = this.deadline {
                            timer.as_mut().reset(deadline.at);
                        }
                    }
                    let last = last.take();
                    this.state.set(State::PollReady { last });
                }
                StateProj::PollReady { last } => {
                    let deadline = *this.deadline;
                    match this.service.poll_ready(cx) {
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(error)) => {
                            if let Some((_, _, pay)) = last.take() {
                                this.policy.config.refund(pay);
                            }
                            let result = Err(error);
                            let failure =
                                failure_of::<S, Req, RD, ID, CR, OR, OG, DE>(this.policy, &result);
                            let delay = Some(*this.previous_delay);
                            give_up(&this, failure, GiveUpReason::ServiceFailed, delay);
                            return Poll::Ready(result);
                        }
                        Poll::Pending => {
                            let Some(deadline) = deadline else {
                                return Poll::Pending;
                            };
                            let timer = this.timer.get_or_insert_with(|| {
                                Box::pin(tokio::time::sleep_until(deadline.at))
                            });
                            ready!(timer.as_mut().poll(cx));
                            if let Some(last) = last.take() {
                                return Poll::Ready(give_up_late(&this, last));
                            }
                            return Poll::Pending;
                        }
                    }
                    let Some((result, failure, pay)) = last.take() else {
                        // `last` is taken only as the state changes: not reached.
                        return Poll::Pending;
                    };
                    let now = Instant::now();
                    // Ready, but perhaps too late: the wait for readiness (and the backoff's
                    // timer) may have run past the point where a retry can still end before
                    // the deadline.
                    if deadline.is_some_and(|deadline| deadline.too_late(now)) {
                        return Poll::Ready(give_up_late(&this, (result, failure, pay)));
                    }
                    // A `busy` retry that waited for a hint pays now, as it is sent.
                    if !Config::charge(pay) {
                        let delay = Some(*this.previous_delay);
                        give_up(&this, Some(failure), GiveUpReason::Budget, delay);
                        return Poll::Ready(result);
                    }
                    this.policy.on_retry.on_retry(&RetryEvent {
                        attempt: this.sent.attempts,
                        class: failure.class,
                        code: failure.code,
                        delay: *this.previous_delay,
                    });
                    drop(result);
                    if let Some(deadline) = this.deadline.as_mut() {
                        deadline.attempt_started = now;
                    }
                    this.sent.attempts = this.sent.attempts.saturating_add(1);
                    if failure.class == Class::Redirect {
                        this.sent.redirects = this.sent.redirects.saturating_add(1);
                    }
                    let future = this.service.call(this.request.clone());
                    this.state.set(State::Attempt { future });
                }
            }
        }
    }
}

type Projection<'a, S, Req, RD, ID, CR, OR, OG, DE> =
    ResponseFutureProj<'a, S, Req, Policy<RD, ID, CR, OR, OG, DE>>;

/// The attempt in flight is pending and the call has a deadline: waits for the deadline, and
/// at it ends the call with the error the [`DeadlineError`] hook makes (dropping the
/// attempt), or, with a hook that ends nothing, goes on waiting for the attempt.
fn end_at_deadline<S, Req, RD, ID, CR, OR, OG, DE>(
    this: &mut Projection<'_, S, Req, RD, ID, CR, OR, OG, DE>,
    deadline: CallDeadline,
    cx: &mut Context<'_>,
) -> Poll<Result<S::Response, S::Error>>
where
    S: Service<Req>,
    OG: OnGiveUp,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    if !Req::ends_attempts(this.policy) {
        return Poll::Pending;
    }
    let timer = this
        .timer
        .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline.at)));
    ready!(timer.as_mut().poll(cx));
    let elapsed = Elapsed::new(
        deadline
            .at
            .saturating_duration_since(deadline.attempt_started),
    );
    let Some(error) = Req::deadline_error(this.policy, elapsed) else {
        return Poll::Pending;
    };
    // The attempt goes with the state: its result can no longer reach the caller.
    this.state.set(State::PollReady { last: None });
    give_up(
        this,
        Some(Failure::of(&elapsed)),
        GiveUpReason::Deadline,
        None,
    );
    Poll::Ready(Err(error))
}

/// The failure in `result`, if any.
fn failure_of<S, Req, RD, ID, CR, OR, OG, DE>(
    policy: &Policy<RD, ID, CR, OR, OG, DE>,
    result: &Result<S::Response, S::Error>,
) -> Option<Failure>
where
    S: Service<Req>,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    match result {
        Ok(response) => Req::classify_response(policy, response).map(Failure::of_response),
        Err(error) => Req::classify_error(policy, error).map(Failure::of),
    }
}

/// Tells the hook that the call ends after the attempts it sent, with `failure`, for
/// `reason`.
fn give_up<S, Req, RD, ID, CR, OR, OG, DE>(
    this: &Projection<'_, S, Req, RD, ID, CR, OR, OG, DE>,
    failure: Option<Failure>,
    reason: GiveUpReason,
    delay: Option<Duration>,
) where
    S: Service<Req>,
    OG: OnGiveUp,
{
    this.policy.on_give_up.on_give_up(&GiveUpEvent {
        attempts: this.sent.attempts,
        class: failure.map(|f| f.class),
        code: failure.map(|f| f.code),
        reason,
        delay,
    });
}

/// Ends the call at its deadline, before the retry was sent, with the last attempt's
/// result, whose `failure` the retry was for; a token paid for the retry is given back.
fn give_up_late<S, Req, RD, ID, CR, OR, OG, DE>(
    this: &Projection<'_, S, Req, RD, ID, CR, OR, OG, DE>,
    (result, failure, pay): (Result<S::Response, S::Error>, Failure, Pay),
) -> Result<S::Response, S::Error>
where
    S: Service<Req>,
    OG: OnGiveUp,
{
    this.policy.config.refund(pay);
    give_up(
        this,
        Some(failure),
        GiveUpReason::Deadline,
        Some(*this.previous_delay),
    );
    result
}

/// Decides what follows an attempt's `result`, with its `failure` (`None`: a success, or an
/// error with no class): `Some(result)` ends the call with it; `None` means a retry, whose
/// state is set.
#[inline(never)]
fn settle<S, Req, RD, ID, CR, OR, OG, DE>(
    this: &mut Projection<'_, S, Req, RD, ID, CR, OR, OG, DE>,
    result: Result<S::Response, S::Error>,
    failure: Option<Failure>,
) -> Option<Result<S::Response, S::Error>>
where
    S: Service<Req>,
    ID: Idempotent<Req>,
    OG: OnGiveUp,
    Req: PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>>,
{
    let Some(failure) = failure else {
        if result.is_ok() {
            this.policy.config.succeeded();
        } else {
            // An error with no classification is never retried.
            give_up(this, None, GiveUpReason::Class, None);
        }
        return Some(result);
    };
    let now = Instant::now();
    let deadline = this.deadline.as_mut().map(|deadline| {
        deadline.last_took = now.saturating_duration_since(deadline.attempt_started);
        *deadline
    });
    let mut questions = Questions::<S, Req, _> {
        request: this.request,
        error: result.as_ref().err(),
        policy: this.policy,
    };
    match this.policy.config.decide(
        failure,
        *this.sent,
        *this.previous_delay,
        deadline.as_ref(),
        &mut questions,
    ) {
        Ok(Allowed { delay, pay }) => {
            *this.previous_delay = delay;
            let last = Some((result, failure, pay));
            if delay.is_zero() {
                this.state.set(State::PollReady { last });
            } else {
                let at = crate::deadline::later(now, delay);
                match this.timer.as_mut() {
                    Some(timer) => timer.as_mut().reset(at),
                    None => *this.timer = Some(Box::pin(tokio::time::sleep_until(at))),
                }
                this.state.set(State::Backoff { last });
            }
            None
        }
        Err((reason, delay)) => {
            give_up(this, Some(failure), reason, delay);
            Some(result)
        }
    }
}
