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
    ClassifyResponse, GiveUpEvent, Idempotent, OnGiveUp, OnRetry, Policy, Redirect, RetryEvent,
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
        state: State<S::Future>,
        service: S,
        policy: P,
        // The request as the next attempt sends it: each retry sends a clone, and a redirect
        // hook retargets it in place.
        request: Req,
        attempts: u32,
        deadline: Option<Instant>,
        previous_delay: Duration,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Attempt { #[pin] future: F },
        // Boxed: tokio's `Sleep` would make every call's future three times larger, and
        // only a retry that backs off (by a millisecond at least) pays the allocation.
        Backoff { sleep: Pin<Box<Sleep>> },
        PollReady,
    }
}

impl<S, Req, P> core::fmt::Debug for ResponseFuture<S, Req, P>
where
    S: Service<Req>,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("attempts", &self.attempts)
            .field("deadline", &self.deadline)
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
        deadline: Option<Instant>,
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
                if let Ok(response) = &result {
                    if this.policy.classify.classify(response).is_none() {
                        this.policy.config.budget.deposit();
                        return Poll::Ready(result);
                    }
                }
                return self.retry(result, cx);
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
        cx: &mut Context<'_>,
    ) -> Poll<Result<S::Response, S::Error>> {
        if let Some(result) = settle(&mut self.as_mut().project(), result) {
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
                    let result = match *this.deadline {
                        Some(deadline) => {
                            ready!(crate::deadline::with(deadline, || future.poll(cx)))
                        }
                        None => ready!(future.poll(cx)),
                    };
                    if let Some(result) = settle(&mut this, result) {
                        return Poll::Ready(result);
                    }
                }
                StateProj::Backoff { sleep } => {
                    ready!(sleep.as_mut().poll(cx));
                    this.state.set(State::PollReady);
                }
                StateProj::PollReady => {
                    ready!(this.service.poll_ready(cx))?;
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

/// Decides what follows an attempt's `result`: `Some(result)` ends the call with it (a
/// success, or a failure that is not retried); `None` means a retry, whose state is set.
#[inline(never)]
fn settle<S, Req, RD, ID, CR, OR, OG>(
    this: &mut Projection<'_, S, Req, RD, ID, CR, OR, OG>,
    result: Result<S::Response, S::Error>,
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
    let config = &this.policy.config;
    let failure = match &result {
        Ok(response) => match this.policy.classify.classify(response) {
            None => {
                config.budget.deposit();
                return Some(result);
            }
            Some(found) => Some(Failure {
                class: found.class,
                code: found.code,
                retry_after: found.retry_after,
                never_retry: found.never_retry,
            }),
        },
        Err(error) => error.classified().map(Failure::of),
    };
    let mut questions = Questions {
        request: this.request,
        error: result.as_ref().err(),
        redirect: &this.policy.redirect,
        idempotent: &this.policy.idempotent,
    };
    let attempts = *this.attempts;
    match config.decide(
        failure,
        attempts,
        *this.previous_delay,
        *this.deadline,
        &mut questions,
    ) {
        Ok(delay) => {
            if let Some(failure) = failure {
                this.policy.on_retry.on_retry(&RetryEvent {
                    attempt: attempts,
                    class: failure.class,
                    code: failure.code,
                    delay,
                });
            }
            *this.previous_delay = delay;
            if delay.is_zero() {
                this.state.set(State::PollReady);
            } else {
                this.state.set(State::Backoff {
                    sleep: Box::pin(tokio::time::sleep(delay)),
                });
            }
            None
        }
        Err(reason) => {
            this.policy.on_give_up.on_give_up(&GiveUpEvent {
                attempts,
                class: failure.map(|f| f.class),
                code: failure.map(|f| f.code),
                reason,
            });
            Some(result)
        }
    }
}
