//! [`ResponseFuture`]: one call, with its retries.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::time::Duration;

use error_core::Classify;
use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};
use tower_service::Service;

use super::policy::{Failure, RequestQuestions};
use super::{
    ClassifyResponse, GiveUpEvent, GiveUpReason, Idempotent, OnGiveUp, OnRetry, Policy, Redirect,
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
        state: State<S::Future, Result<S::Response, S::Error>>,
        service: S,
        policy: P,
        // The request as the next attempt sends it: each retry sends a clone, and a redirect
        // hook retargets it in place.
        request: Req,
        attempts: u32,
        deadline: Option<CallDeadline>,
        previous_delay: Duration,
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
        // Boxed: tokio's `Sleep` would make every call's future three times larger, and
        // only a retry that backs off (by a millisecond at least) pays the allocation. The
        // failed attempt's result, and the failure the policy decided on, are kept until
        // the retry is sent, so that a call that gives up before (at its deadline) ends
        // with them.
        Backoff { sleep: Option<Pin<Box<Sleep>>>, last: Option<(T, Failure)> },
        // Waiting for `poll_ready` before a retry; with a deadline, `timer` fires at it.
        PollReady { timer: Option<Pin<Box<Sleep>>>, last: Option<(T, Failure)> },
    }
}

impl<S, Req, P> core::fmt::Debug for ResponseFuture<S, Req, P>
where
    S: Service<Req>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("attempts", &self.attempts)
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
            attempts: 1,
            deadline,
            previous_delay: Duration::ZERO,
        }
    }
}

/// Answers the policy's questions about the request being retried.
struct Questions<'a, Req, E, RD, ID> {
    request: &'a mut Req,
    error: Option<&'a E>,
    redirect: &'a RD,
    idempotent: &'a ID,
}

impl<Req, E, RD, ID> RequestQuestions for Questions<'_, Req, E, RD, ID>
where
    RD: Redirect<Req, E>,
    ID: Idempotent<Req>,
{
    fn is_idempotent(&mut self) -> bool {
        self.idempotent.is_idempotent(self.request)
    }

    fn can_resend(&mut self) -> bool {
        self.idempotent.can_resend(self.request)
    }

    fn is_committed(&mut self) -> bool {
        self.idempotent.is_committed(self.request)
    }

    fn redirect(&mut self) -> bool {
        self.error
            .is_some_and(|error| self.redirect.redirect(self.request, error))
    }
}

impl<S, Req, RD, ID, CR, OR, OG> Future for ResponseFuture<S, Req, Policy<RD, ID, CR, OR, OG>>
where
    S: Service<Req>,
    S::Error: Classify,
    Req: Clone,
    RD: Redirect<Req, S::Error>,
    ID: Idempotent<Req>,
    CR: ClassifyResponse<S::Response>,
    OR: OnRetry,
    OG: OnGiveUp,
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
                    Ok(response) => match this.policy.classify.classify(response) {
                        None => {
                            this.policy.config.budget.deposit();
                            return Poll::Ready(result);
                        }
                        Some(found) => Some(Failure::of_response(found)),
                    },
                    Err(error) => error.classified().map(Failure::of),
                };
                return self.retry(result, failure, cx);
            }
        }
        self.drive(cx)
    }
}

impl<S, Req, RD, ID, CR, OR, OG> ResponseFuture<S, Req, Policy<RD, ID, CR, OR, OG>>
where
    S: Service<Req>,
    S::Error: Classify,
    Req: Clone,
    RD: Redirect<Req, S::Error>,
    ID: Idempotent<Req>,
    CR: ClassifyResponse<S::Response>,
    OR: OnRetry,
    OG: OnGiveUp,
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
                    // An inner `Timeout` limits the attempt to the time left.
                    let result = match this.deadline {
                        Some(deadline) => {
                            ready!(crate::deadline::with(deadline.at, || future.poll(cx)))
                        }
                        None => ready!(future.poll(cx)),
                    };
                    let failure = failure_of::<S, Req, RD, ID, CR, OR, OG>(this.policy, &result);
                    if let Some(result) = settle(&mut this, result, failure) {
                        return Poll::Ready(result);
                    }
                }
                StateProj::Backoff { sleep, last } => {
                    if let Some(sleep) = sleep.as_mut() {
                        ready!(sleep.as_mut().poll(cx));
                    }
                    // The same timer, reset, fires at the deadline while the service is
                    // not ready.
                    let timer = match (sleep.take(), *this.deadline) {
                        (Some(mut sleep), Some(deadline)) => {
                            sleep.as_mut().reset(deadline.at);
                            Some(sleep)
                        }
                        _ => None,
                    };
                    let last = last.take();
                    this.state.set(State::PollReady { timer, last });
                }
                StateProj::PollReady { timer, last } => {
                    let deadline = *this.deadline;
                    match this.service.poll_ready(cx) {
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(error)) => {
                            if let Some((_, failure)) = last.take() {
                                this.policy.config.refund(failure);
                            }
                            let result = Err(error);
                            let failure =
                                failure_of::<S, Req, RD, ID, CR, OR, OG>(this.policy, &result);
                            let delay = Some(*this.previous_delay);
                            give_up(&this, failure, GiveUpReason::ServiceFailed, delay);
                            return Poll::Ready(result);
                        }
                        Poll::Pending => {
                            let Some(deadline) = deadline else {
                                return Poll::Pending;
                            };
                            let timer = timer.get_or_insert_with(|| {
                                Box::pin(tokio::time::sleep_until(deadline.at))
                            });
                            ready!(timer.as_mut().poll(cx));
                            if let Some(last) = last.take() {
                                return Poll::Ready(give_up_late(&this, last));
                            }
                            return Poll::Pending;
                        }
                    }
                    if let Some(deadline) = deadline {
                        // Ready, but perhaps too late: the wait for readiness (and the
                        // backoff's timer) may have run past the point where a retry can
                        // still end before the deadline.
                        let now = Instant::now();
                        if deadline.too_late(now) {
                            if let Some(last) = last.take() {
                                return Poll::Ready(give_up_late(&this, last));
                            }
                        }
                        if let Some(deadline) = this.deadline.as_mut() {
                            deadline.attempt_started = now;
                        }
                    }
                    *this.attempts += 1;
                    let future = this.service.call(this.request.clone());
                    this.state.set(State::Attempt { future });
                }
            }
        }
    }
}

type Projection<'a, S, Req, RD, ID, CR, OR, OG> =
    ResponseFutureProj<'a, S, Req, Policy<RD, ID, CR, OR, OG>>;

/// The failure in `result`, if any.
fn failure_of<S, Req, RD, ID, CR, OR, OG>(
    policy: &Policy<RD, ID, CR, OR, OG>,
    result: &Result<S::Response, S::Error>,
) -> Option<Failure>
where
    S: Service<Req>,
    S::Error: Classify,
    CR: ClassifyResponse<S::Response>,
{
    match result {
        Ok(response) => policy.classify.classify(response).map(Failure::of_response),
        Err(error) => error.classified().map(Failure::of),
    }
}

/// Tells the hook that the call ends after `attempts` with `failure`, for `reason`.
fn give_up<S, Req, RD, ID, CR, OR, OG>(
    this: &Projection<'_, S, Req, RD, ID, CR, OR, OG>,
    failure: Option<Failure>,
    reason: GiveUpReason,
    delay: Option<Duration>,
) where
    S: Service<Req>,
    OG: OnGiveUp,
{
    this.policy.on_give_up.on_give_up(&GiveUpEvent {
        attempts: *this.attempts,
        class: failure.map(|f| f.class),
        code: failure.map(|f| f.code),
        reason,
        delay,
    });
}

/// Ends the call at its deadline, before the retry was sent, with the last attempt's
/// result, whose `failure` the retry was for.
fn give_up_late<S, Req, RD, ID, CR, OR, OG>(
    this: &Projection<'_, S, Req, RD, ID, CR, OR, OG>,
    (result, failure): (Result<S::Response, S::Error>, Failure),
) -> Result<S::Response, S::Error>
where
    S: Service<Req>,
    OG: OnGiveUp,
{
    this.policy.config.refund(failure);
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
fn settle<S, Req, RD, ID, CR, OR, OG>(
    this: &mut Projection<'_, S, Req, RD, ID, CR, OR, OG>,
    result: Result<S::Response, S::Error>,
    failure: Option<Failure>,
) -> Option<Result<S::Response, S::Error>>
where
    S: Service<Req>,
    S::Error: Classify,
    RD: Redirect<Req, S::Error>,
    ID: Idempotent<Req>,
    CR: ClassifyResponse<S::Response>,
    OR: OnRetry,
    OG: OnGiveUp,
{
    let Some(failure) = failure else {
        if result.is_ok() {
            this.policy.config.budget.deposit();
        } else {
            // An error with no classification is never retried.
            give_up(this, None, GiveUpReason::Class, None);
        }
        return Some(result);
    };
    let deadline = this.deadline.as_mut().map(|deadline| {
        deadline.last_took = Instant::now().saturating_duration_since(deadline.attempt_started);
        *deadline
    });
    let mut questions = Questions {
        request: this.request,
        error: result.as_ref().err(),
        redirect: &this.policy.redirect,
        idempotent: &this.policy.idempotent,
    };
    let attempts = *this.attempts;
    match this.policy.config.decide(
        failure,
        attempts,
        *this.previous_delay,
        deadline.as_ref(),
        &mut questions,
    ) {
        Ok(delay) => {
            this.policy.on_retry.on_retry(&RetryEvent {
                attempt: attempts,
                class: failure.class,
                code: failure.code,
                delay,
            });
            *this.previous_delay = delay;
            let sleep = (!delay.is_zero()).then(|| Box::pin(tokio::time::sleep(delay)));
            this.state.set(State::Backoff {
                sleep,
                last: Some((result, failure)),
            });
            None
        }
        Err((reason, delay)) => {
            give_up(this, Some(failure), reason, delay);
            Some(result)
        }
    }
}
