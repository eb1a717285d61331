//! [`Policy`]: which failures are retried, when, and how often.

use std::sync::Arc;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Classify};
use tokio::time::Instant;
use tower_service::Service;

use super::future::CallDeadline;
use super::{
    ByRequest, ClassifyResponse, DeadlineError, Elapsed, GiveUpReason, Redirect, ResponseFailure,
};
use crate::backoff::{Backoff, Rng};
use crate::budget::{Budget, Hold};

/// The class-driven retry policy, with its hooks. Built by [`RetryLayer`](super::RetryLayer)'s
/// setters; see the [module documentation](super) for the rules.
#[derive(Clone, Debug)]
pub struct Policy<RD = (), ID = ByRequest, CR = (), OR = (), OG = (), DE = ()> {
    pub(crate) config: Arc<Config>,
    pub(crate) redirect: RD,
    pub(crate) idempotent: ID,
    pub(crate) classify: CR,
    pub(crate) on_retry: OR,
    pub(crate) on_give_up: OG,
    pub(crate) deadline_error: DE,
}

/// The hooks of a [`Policy`] `P` that see the error or the response of a service `S` of
/// requests `Self`: implemented for every request type and `Policy` whose hooks fit `S`
/// (its error classifies, the redirect hook takes `S::Error`, the response classifier
/// `S::Response`, the deadline hook makes an `S::Error`). Sealed: `P` is only ever a
/// `Policy`.
///
/// It exists for rustc's diagnostics. [`Retry`](super::Retry)'s `Service` impl asks for it
/// instead of for those hooks' own bounds, which name `S::Error` and `S::Response`. With
/// those bounds, a method call on a client (`.ready()`) whose request type, or error type,
/// does not fit was reported as "`Retry<..>: Service<_>` is not satisfied", with no word
/// of which bound or why: while rustc looks for the method, resolving those names settles
/// the request type and fails the call outright. A bound on the request type waits until
/// the request type is known, and an unmet one is then reported by name:
/// `Get: IdempotentRequest`, or `EndWithElapsed: DeadlineError<MyError>` for
/// [`RetryLayer::deadline`](super::RetryLayer::deadline). (Measured with rustc 1.95; the
/// workspace's UI cases, `tests/tests/ui/tower/`, hold the messages.)
pub trait PolicyHooks<S, P>: Sized
where
    S: Service<Self>,
    P: sealed::Sealed,
{
    /// The classified error in `error` (or its chain), if any.
    fn classify_error<'e>(
        policy: &P,
        error: &'e S::Error,
    ) -> Option<&'e (dyn ClassifiedError + 'e)>;

    /// The failure the response classifier finds in `response`, if any.
    fn classify_response(policy: &P, response: &S::Response) -> Option<ResponseFailure>;

    /// Retargets `request` after the `redirect` error `error`; `true` if it may be retried.
    fn redirect(policy: &P, request: &mut Self, error: &S::Error) -> bool;

    /// Whether an attempt in flight at the deadline is ended.
    fn ends_attempts(policy: &P) -> bool;

    /// The error that ends an attempt at the deadline.
    fn deadline_error(policy: &P, elapsed: Elapsed) -> Option<S::Error>;
}

pub(crate) mod sealed {
    /// Only [`Policy`](super::Policy) is a policy.
    pub trait Sealed {}
}

impl<RD, ID, CR, OR, OG, DE> sealed::Sealed for Policy<RD, ID, CR, OR, OG, DE> {}

impl<S, Req, RD, ID, CR, OR, OG, DE> PolicyHooks<S, Policy<RD, ID, CR, OR, OG, DE>> for Req
where
    S: Service<Req>,
    S::Error: Classify,
    RD: Redirect<Req, S::Error>,
    CR: ClassifyResponse<S::Response>,
    DE: DeadlineError<S::Error>,
{
    #[inline]
    fn classify_error<'e>(
        _: &Policy<RD, ID, CR, OR, OG, DE>,
        error: &'e S::Error,
    ) -> Option<&'e (dyn ClassifiedError + 'e)> {
        error.classified()
    }

    #[inline]
    fn classify_response(
        policy: &Policy<RD, ID, CR, OR, OG, DE>,
        response: &S::Response,
    ) -> Option<ResponseFailure> {
        policy.classify.classify(response)
    }

    fn redirect(
        policy: &Policy<RD, ID, CR, OR, OG, DE>,
        request: &mut Req,
        error: &S::Error,
    ) -> bool {
        policy.redirect.redirect(request, error)
    }

    fn ends_attempts(policy: &Policy<RD, ID, CR, OR, OG, DE>) -> bool {
        policy.deadline_error.ends_attempts()
    }

    fn deadline_error(
        policy: &Policy<RD, ID, CR, OR, OG, DE>,
        elapsed: Elapsed,
    ) -> Option<S::Error> {
        policy.deadline_error.deadline_error(elapsed)
    }
}

/// The policy's settings, shared by every clone of a service.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) max_attempts: u32,
    pub(crate) max_redirects: u32,
    /// The longest server hint the policy waits for; a longer one ends the call.
    pub(crate) max_hint: Duration,
    /// The window after a hint over which its retries are spread, in percent of the hint.
    pub(crate) hint_jitter: u32,
    pub(crate) backoff: Backoff,
    pub(crate) budget: Budget,
    pub(crate) classes: Classes,
    pub(crate) retry_non_idempotent: bool,
    pub(crate) deadline: Option<Duration>,
    pub(crate) rng: Arc<Rng>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_attempts: 4,
            max_redirects: 5,
            max_hint: Duration::from_secs(30),
            hint_jitter: 20,
            backoff: Backoff::default(),
            budget: Budget::default(),
            classes: Classes::DEFAULT,
            retry_non_idempotent: false,
            deadline: None,
            rng: Arc::new(Rng::default()),
        }
    }
}

/// The classes the policy retries: a bit per class, in the order of [`Class::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Classes(u32);

impl Classes {
    /// `transient`, `busy` and `redirect`.
    pub(crate) const DEFAULT: Classes = Classes(0)
        .with(Class::Transient, true)
        .with(Class::Busy, true)
        .with(Class::Redirect, true);

    const fn bit(class: Class) -> u32 {
        let mut i = 0;
        while i < Class::ALL.len() {
            if Class::ALL[i] as u8 == class as u8 {
                return 1 << i;
            }
            i += 1;
        }
        0
    }

    pub(crate) const fn with(self, class: Class, retry: bool) -> Classes {
        if retry {
            Classes(self.0 | Classes::bit(class))
        } else {
            Classes(self.0 & !Classes::bit(class))
        }
    }

    pub(crate) const fn contains(self, class: Class) -> bool {
        self.0 & Classes::bit(class) != 0
    }
}

/// A failure as the policy sees it: a classified error, or a response that a classifier
/// found to be a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) class: Class,
    pub(crate) code: &'static str,
    pub(crate) retry_after: Option<Duration>,
    /// The server said not to retry.
    pub(crate) never_retry: bool,
    /// The failure is a response (found by a response classifier), not an error.
    pub(crate) responded: bool,
}

impl Failure {
    pub(crate) fn of(error: &(dyn ClassifiedError + '_)) -> Failure {
        Failure {
            class: error.class(),
            code: error.code(),
            retry_after: error.retry_after(),
            never_retry: false,
            responded: false,
        }
    }

    pub(crate) fn of_response(found: ResponseFailure) -> Failure {
        Failure {
            class: found.class,
            code: found.code,
            retry_after: found.retry_after,
            never_retry: found.never_retry,
            responded: true,
        }
    }
}

/// What the policy asks of the request, once the class allows a retry: whether it is
/// idempotent, and (for `redirect`) to retarget it.
pub(crate) trait RequestQuestions {
    fn is_idempotent(&mut self) -> bool;
    fn can_resend(&mut self) -> bool;
    fn is_committed(&mut self) -> bool;
    fn redirect(&mut self) -> bool;
}

/// What a call has sent so far: every attempt, and the redirects it followed among them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sent {
    /// Attempts sent, from 1.
    pub(crate) attempts: u32,
    /// Retries that followed a redirect (hops), which `max_attempts` does not count.
    pub(crate) redirects: u32,
}

impl Sent {
    /// The attempts that count toward `max_attempts`: all but the hops.
    pub(crate) fn tries(self) -> u32 {
        self.attempts.saturating_sub(self.redirects)
    }
}

/// How a retry the policy allowed is paid for.
#[derive(Debug)]
pub(crate) enum Pay {
    /// A token was withdrawn as the failure arrived: given back if the retry is not sent.
    Paid,
    /// A `busy` retry waiting for its hint: a token is withdrawn as it is about to be
    /// sent, and never given back. The hold counts it as waiting meanwhile (the budget's
    /// cap is a token higher for it).
    AtSend(Hold),
    /// Not charged: a redirect's retry goes elsewhere, not to a failing node.
    Free,
}

/// A retry the policy allowed: after what delay, and how it is paid for.
#[derive(Debug)]
pub(crate) struct Allowed {
    pub(crate) delay: Duration,
    pub(crate) pay: Pay,
}

impl Config {
    /// Whether to retry after `failure`, and after what delay; or why not, with the delay
    /// when it was known. The checks run from the cheapest and least committal to the
    /// budget, which is withdrawn last so that no token pays for a retry that the other
    /// rules refuse; and only asked here (not withdrawn) for a `busy` retry that waits for
    /// the server's hint, which pays as it is sent ([`charge`](Self::charge)).
    pub(crate) fn decide(
        &self,
        failure: Failure,
        sent: Sent,
        previous: Duration,
        deadline: Option<&CallDeadline>,
        request: &mut dyn RequestQuestions,
    ) -> Result<Allowed, (GiveUpReason, Option<Duration>)> {
        if failure.never_retry {
            return Err((GiveUpReason::Class, None));
        }
        if !self.classes.contains(failure.class) {
            return Err((GiveUpReason::Class, None));
        }
        let hint = failure.retry_after.unwrap_or_default();
        // A hint is the server's word, not a bound the caller must wait out: one longer
        // than `max_hint` (a `Retry-After: 86400`) ends the call now.
        if hint > self.max_hint {
            return Err((GiveUpReason::HintTooLong, Some(ceil_millis(hint))));
        }
        // The delay: the backoff, or the server's hint (never undercut) and the jitter after
        // it; `hinted` when the hint decides it.
        let (delay, hinted) = match failure.class {
            // Backpressure: retried only when the server says when, and not before.
            Class::Busy if failure.retry_after.is_some() => (hint, true),
            Class::Busy => return Err((GiveUpReason::Class, None)),
            Class::Redirect => (hint, !hint.is_zero()),
            // `transient`, and whatever other class the user chose to retry, as `transient`.
            _ => {
                let backoff = self.backoff.delay(sent.tries(), previous, &self.rng);
                if hint > backoff {
                    (hint, true)
                } else {
                    (backoff, false)
                }
            }
        };
        let spread = if hinted { self.spread(delay) } else { delay };
        // tokio's timer has millisecond resolution: a delay is rounded up to a whole
        // millisecond, so that the delay reported to hooks is the one that happens, and a
        // hint is never undercut.
        let (delay, spread) = (ceil_millis(delay), ceil_millis(spread));
        // A refusal reports the delay without the jitter: the backoff, or the hint.
        let refuse = |reason| Err((reason, Some(delay)));
        if failure.class == Class::Redirect {
            if sent.redirects >= self.max_redirects {
                return refuse(GiveUpReason::RedirectLimit);
            }
        } else if sent.tries() >= self.max_attempts {
            return refuse(GiveUpReason::Exhausted);
        }
        if !request.can_resend() {
            return refuse(GiveUpReason::NotReplayable);
        }
        // A transient error (or a conflict, or any other retried class) may follow the
        // request's execution; busy and redirect are rejections before it, safe to retry
        // whatever the request, and whatever the response had begun.
        let may_have_executed = !matches!(failure.class, Class::Busy | Class::Redirect);
        if may_have_executed && failure.responded && request.is_committed() {
            return refuse(GiveUpReason::Committed);
        }
        if may_have_executed && !self.retry_non_idempotent && !request.is_idempotent() {
            return refuse(GiveUpReason::NotIdempotent);
        }
        // The retry would start after the delay and, if it takes as long as the last attempt
        // did, end at or after the deadline. The jitter never makes a retry miss it: a retry
        // that fits at the hint and not with its jitter goes at the hint.
        let too_late = |delay: Duration| {
            deadline.is_some_and(|deadline| {
                Instant::now()
                    .checked_add(delay)
                    .is_none_or(|start| deadline.too_late(start))
            })
        };
        let delay = if !too_late(spread) {
            spread
        } else if !too_late(delay) {
            delay
        } else {
            return refuse(GiveUpReason::Deadline);
        };
        let pay = if failure.class == Class::Redirect {
            if !request.redirect() {
                return Err((GiveUpReason::Class, None));
            }
            Pay::Free
        } else if failure.class == Class::Busy {
            // Paid as it is sent, after the hint; but a budget that could not pay now ends
            // the call now, rather than after a wait for a retry it would then refuse.
            if !self.budget.can_withdraw() {
                return Err((GiveUpReason::Budget, Some(delay)));
            }
            Pay::AtSend(self.budget.hold())
        } else if self.budget.withdraw() {
            // Any other class, with a hint or without, is charged as its failure arrives.
            Pay::Paid
        } else {
            return Err((GiveUpReason::Budget, Some(delay)));
        };
        Ok(Allowed { delay, pay })
    }

    /// `hint` plus a uniform draw in `[0, hint * hint_jitter / 100]`: the retries of callers
    /// given one hint (a breaker turning half-open, a throttle ending) spread over a window
    /// after it instead of arriving in the same millisecond, and none before it.
    fn spread(&self, hint: Duration) -> Duration {
        if hint.is_zero() || self.hint_jitter == 0 {
            return hint;
        }
        let window = hint.as_nanos() * u128::from(self.hint_jitter) / 100;
        let window = Duration::from_nanos(u64::try_from(window).unwrap_or(u64::MAX));
        hint.saturating_add(self.rng.duration_between(Duration::ZERO, window))
    }

    /// Pays for a retry about to be sent: `true` if it may go. Only a `busy` retry that
    /// waited for a hint still has to pay ([`Pay::AtSend`]): it takes a token now, so that
    /// the budget answers for the backend as it is when the retry reaches it.
    pub(crate) fn charge(pay: Pay) -> bool {
        match pay {
            // The token is withdrawn before the hold goes, while the cap still counts it.
            Pay::AtSend(hold) => hold.budget().withdraw(),
            Pay::Paid | Pay::Free => true,
        }
    }

    /// Records a success: deposits into the budget. A retry's token is not given back when
    /// it succeeds: a retry the backend served is load it took, and a retry that cost
    /// nothing when it succeeded would leave the amplification bounded by `max_attempts`
    /// alone.
    #[inline]
    pub(crate) fn succeeded(&self) {
        self.budget.deposit();
    }

    /// Gives back the token of a retry that was paid for and not sent (the call ended
    /// first); a retry that waited unpaid stops being counted as waiting.
    pub(crate) fn refund(&self, pay: Pay) {
        match pay {
            Pay::Paid => self.budget.refund(),
            // No token was taken; the hold goes, and the cap with it.
            Pay::AtSend(hold) => drop(hold),
            Pay::Free => {}
        }
    }
}

fn ceil_millis(delay: Duration) -> Duration {
    let millis = delay.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}
