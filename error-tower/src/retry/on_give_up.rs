//! The hook called when a failed call is not retried.

use core::fmt;
use core::time::Duration;

use error_core::Class;

/// Why a failed call was not retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The maximum number of attempts was reached (redirects followed are not counted).
    Exhausted,
    /// The retry budget had no token: as the failure arrived, or (for a `busy` retry after
    /// its hint) when the retry was about to be sent.
    Budget,
    /// The retry could not end before the call's deadline, or the deadline passed while
    /// the retry waited for the service, or while an attempt was in flight (which the
    /// retry layer then ended with [`Elapsed`](super::Elapsed), when it ends attempts).
    Deadline,
    /// A `redirect` was not followed: the call had already followed
    /// [`max_redirects`](super::RetryLayer::max_redirects) of them (two nodes that
    /// redirect to each other, or a cluster whose leader keeps moving).
    RedirectLimit,
    /// The class is not retried (or `busy` without a hint, or `redirect` the hook did not
    /// retarget, or an error with no classification).
    Class,
    /// The request is not idempotent.
    NotIdempotent,
    /// The failure is a response (a `transient` one, say a 503) that came before the
    /// request's streaming body was read to its end: the call is committed ([`IdempotentRequest::is_committed`](super::IdempotentRequest::is_committed)).
    Committed,
    /// The request cannot be sent again: its streaming body was over the replay cap.
    NotReplayable,
    /// The service failed while the retry waited for it to be ready: its `poll_ready`
    /// returned an error, which the call ends with (tower's contract: a service whose
    /// `poll_ready` fails is gone).
    ServiceFailed,
    /// The failure's hint (`retry_after`, `Retry-After`, `grpc-retry-pushback-ms`) is longer
    /// than [`max_hint`](super::RetryLayer::max_hint): the call ends now rather than wait
    /// that long on the server's word. The event's delay is the hint.
    HintTooLong,
}

impl GiveUpReason {
    /// A stable lowercase name, for metrics labels.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            GiveUpReason::Exhausted => "exhausted",
            GiveUpReason::Budget => "budget",
            GiveUpReason::Deadline => "deadline",
            GiveUpReason::RedirectLimit => "redirect_limit",
            GiveUpReason::Class => "class",
            GiveUpReason::NotIdempotent => "not_idempotent",
            GiveUpReason::Committed => "committed",
            GiveUpReason::NotReplayable => "not_replayable",
            GiveUpReason::ServiceFailed => "service_failed",
            GiveUpReason::HintTooLong => "hint_too_long",
        }
    }
}

impl fmt::Display for GiveUpReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A failed call that is not retried: the caller gets its last error (or failed response)
/// unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GiveUpEvent {
    /// Attempts made, from 1.
    pub attempts: u32,
    /// The last failure's class; `None` for an error with no classification.
    pub class: Option<Class>,
    /// The last failure's code; `None` for an error with no classification.
    pub code: Option<&'static str>,
    /// Why it is not retried.
    pub reason: GiveUpReason,
    /// The wait before the retry that was not made: the delay the policy had computed when
    /// it refused the retry (a backoff, or a hint that runs past the deadline; without the
    /// jitter a hint gets; the hint itself for [`GiveUpReason::HintTooLong`]), or the one already waited when the call ended before the retry was sent
    /// (the budget refused it, the deadline passed, or the service failed). `None` when no
    /// retry was in view: a class that is not retried, an error with no class, a redirect
    /// the hook did not retarget, or an attempt ended at the deadline.
    pub delay: Option<Duration>,
}

/// Called when a failed call is not retried, for metrics and tracing. `()` does nothing; a
/// closure `Fn(&GiveUpEvent)` is an `OnGiveUp`; a pair `(A, B)` of hooks calls `A`, then
/// `B` ([`RetryLayer::and_on_give_up`](super::RetryLayer::and_on_give_up) adds one).
pub trait OnGiveUp {
    /// The call ends with a failure, for `event.reason`.
    fn on_give_up(&self, event: &GiveUpEvent);
}

impl OnGiveUp for () {
    #[inline]
    fn on_give_up(&self, _: &GiveUpEvent) {}
}

impl<F: Fn(&GiveUpEvent)> OnGiveUp for F {
    fn on_give_up(&self, event: &GiveUpEvent) {
        self(event);
    }
}

impl<A: OnGiveUp, B: OnGiveUp> OnGiveUp for (A, B) {
    #[inline]
    fn on_give_up(&self, event: &GiveUpEvent) {
        self.0.on_give_up(event);
        self.1.on_give_up(event);
    }
}
