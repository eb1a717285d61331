//! [`Policy`]: which failures are retried, when, and how often.

use std::sync::Arc;
use std::time::Duration;

use error_core::{Class, ClassifiedError};
use tokio::time::Instant;

use super::future::CallDeadline;
use super::{ByRequest, GiveUpReason, ResponseFailure};
use crate::backoff::{Backoff, Rng};
use crate::budget::Budget;

/// The class-driven retry policy, with its hooks. Built by [`RetryLayer`](super::RetryLayer)'s
/// setters; see the [module documentation](super) for the rules.
#[derive(Clone, Debug)]
pub struct Policy<RD = (), ID = ByRequest, CR = (), OR = (), OG = ()> {
    pub(crate) config: Arc<Config>,
    pub(crate) redirect: RD,
    pub(crate) idempotent: ID,
    pub(crate) classify: CR,
    pub(crate) on_retry: OR,
    pub(crate) on_give_up: OG,
}

/// The policy's settings, shared by every clone of a service.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) max_attempts: u32,
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

impl Config {
    /// Whether to retry after `failure` on attempt `attempts` (from 1), and after what
    /// delay; or why not, with the delay when it was known. The checks run from the
    /// cheapest and least committal to the budget, which is withdrawn last so that no token
    /// pays for a retry that does not happen.
    pub(crate) fn decide(
        &self,
        failure: Failure,
        attempts: u32,
        previous: Duration,
        deadline: Option<&CallDeadline>,
        request: &mut dyn RequestQuestions,
    ) -> Result<Duration, (GiveUpReason, Option<Duration>)> {
        if failure.never_retry {
            return Err((GiveUpReason::Class, None));
        }
        if !self.classes.contains(failure.class) {
            return Err((GiveUpReason::Class, None));
        }
        let hint = failure.retry_after.unwrap_or_default();
        let delay = match failure.class {
            // Backpressure: retried only when the server says when, and not before.
            Class::Busy if failure.retry_after.is_some() => hint,
            Class::Busy => return Err((GiveUpReason::Class, None)),
            Class::Redirect => hint,
            // `transient`, and whatever other class the user chose to retry, as `transient`.
            _ => self.backoff.delay(attempts, previous, &self.rng).max(hint),
        };
        // tokio's timer has millisecond resolution: a delay is rounded up to a whole
        // millisecond, so that the delay reported to hooks is the one that happens, and a
        // hint is never undercut.
        let delay = ceil_millis(delay);
        let refuse = |reason| Err((reason, Some(delay)));
        if attempts >= self.max_attempts {
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
        // The retry would start after `delay` and, if it takes as long as the last attempt
        // did, end at or after the deadline.
        if deadline.is_some_and(|deadline| {
            Instant::now()
                .checked_add(delay)
                .is_none_or(|start| deadline.too_late(start))
        }) {
            return refuse(GiveUpReason::Deadline);
        }
        if failure.class == Class::Redirect {
            // Not charged to the budget: the retry goes elsewhere, not to a failing node.
            if !request.redirect() {
                return Err((GiveUpReason::Class, None));
            }
        } else if !self.budget.withdraw() {
            return refuse(GiveUpReason::Budget);
        }
        Ok(delay)
    }
}

impl Config {
    /// Gives back the token that [`decide`](Self::decide) withdrew for a retry after
    /// `failure`, when the call ended before sending it: every retry but a redirect's
    /// was charged.
    pub(crate) fn refund(&self, failure: Failure) {
        if failure.class != Class::Redirect {
            self.budget.refund();
        }
    }
}

fn ceil_millis(delay: Duration) -> Duration {
    let millis = delay.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}
