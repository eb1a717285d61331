//! [`RetryLayer`]: the policy's builder, and the layer that applies it.

use std::sync::Arc;
use std::time::Duration;

use error_core::Class;
use tower_layer::Layer;

use super::policy::Config;
use super::{Always, ByRequest, Policy, Retry};
use crate::backoff::{Backoff, Rng};
use crate::budget::Budget;

/// Applies [`Retry`] to a service. Its setters configure the [`Policy`]; the defaults are
/// the [module documentation](super)'s table.
///
/// Every service this layer makes shares one [`Budget`] and one random number generator.
#[derive(Clone, Debug)]
pub struct RetryLayer<RD = (), ID = ByRequest, CR = (), OR = (), OG = ()> {
    config: Config,
    redirect: RD,
    idempotent: ID,
    classify: CR,
    on_retry: OR,
    on_give_up: OG,
}

impl Default for RetryLayer {
    fn default() -> Self {
        RetryLayer {
            config: Config::default(),
            redirect: (),
            idempotent: ByRequest,
            classify: (),
            on_retry: (),
            on_give_up: (),
        }
    }
}

impl RetryLayer {
    /// The default policy.
    #[must_use]
    pub fn new() -> Self {
        RetryLayer::default()
    }
}

impl<RD, ID, CR, OR, OG> RetryLayer<RD, ID, CR, OR, OG> {
    /// Attempts in all, the first included (default 4). The first attempt is always sent,
    /// so 0 and 1 both mean "never retry".
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.config.max_attempts = attempts;
        self
    }

    /// The backoff between attempts after `transient` (and `conflict`) failures.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.config.backoff = backoff;
        self
    }

    /// The retry budget (default [`Budget::default`]). Pass a clone of one budget to several
    /// layers to make them share it.
    #[must_use]
    pub fn budget(mut self, budget: Budget) -> Self {
        self.config.budget = budget;
        self
    }

    /// Seeds the jitter, so that a run is reproducible.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.config.rng = Arc::new(Rng::seeded(seed));
        self
    }

    /// Retry `conflict` failures as `transient` ones (default: no; re-running a transaction
    /// is usually the caller's job). Short for `retry_class(Class::Conflict, retry)`.
    #[must_use]
    pub fn retry_conflict(self, retry: bool) -> Self {
        self.retry_class(Class::Conflict, retry)
    }

    /// Whether failures of `class` are retried. By default `transient`, `busy` (with a
    /// hint) and `redirect` are, and no other class. Each keeps its rule when it is turned
    /// on: `busy` only with a hint and not before it, `redirect` through the
    /// [`redirect`](Self::redirect) hook; every other class is retried as `transient` is
    /// (backoff, budget, idempotent requests only). Turning on a class whose action is not
    /// "retry" (`internal`, say) is for a service you know better than its errors do, such
    /// as a peer whose unclassified failures are known to be random.
    ///
    /// ```
    /// use error_core::Class;
    /// use error_tower::retry::RetryLayer;
    ///
    /// // Never retry `busy`, even with a hint; retry `conflict`.
    /// let layer = RetryLayer::new()
    ///     .retry_class(Class::Busy, false)
    ///     .retry_class(Class::Conflict, true);
    /// assert!(!layer.retries(Class::Busy));
    /// assert!(layer.retries(Class::Conflict) && layer.retries(Class::Transient));
    /// ```
    #[must_use]
    pub fn retry_class(mut self, class: Class, retry: bool) -> Self {
        self.config.classes = self.config.classes.with(class, retry);
        self
    }

    /// Whether failures of `class` are retried (see [`retry_class`](Self::retry_class)).
    #[must_use]
    pub fn retries(&self, class: Class) -> bool {
        self.config.classes.contains(class)
    }

    /// Retry non-idempotent requests after `transient` failures too (default: no).
    #[must_use]
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.config.retry_non_idempotent = retry;
        self
    }

    /// An overall deadline per call, backoff sleeps included.
    ///
    /// - A retry that cannot *end* before the deadline is not started: the policy expects
    ///   a retry to take as long as the attempt before it did, so it starts one only if
    ///   its start (after the backoff or the hint) plus that duration is before the
    ///   deadline. A call that gives up for that reason ends at once, not at the deadline.
    /// - A retry waiting for [`poll_ready`](tower_service::Service::poll_ready) (after its
    ///   backoff) is given up at the deadline, and one that is ready too late is not sent.
    /// - An attempt in flight is not cut by the retry layer, which has no error of the
    ///   service's type to end it with. A [`TimeoutLayer`](crate::timeout::TimeoutLayer)
    ///   inside the retry layer bounds each attempt by its own timeout *and* by the time
    ///   left, which it reads from the retry layer: that is how per-attempt timeouts come
    ///   from the time left. Without one, an attempt that hangs holds the call past the
    ///   deadline; a `tower::timeout` outside bounds the whole call.
    ///
    /// In every case the call ends with the last attempt's error (or failed response)
    /// unchanged, and [`OnGiveUp`](super::OnGiveUp) hears [`GiveUpReason::Deadline`](super::GiveUpReason::Deadline).
    /// A deadline too large for the clock (`Duration::MAX`) means none.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.config.deadline = Some(deadline);
        self
    }

    /// The hook that retargets a request after a `redirect` error.
    #[must_use]
    pub fn redirect<R>(self, redirect: R) -> RetryLayer<R, ID, CR, OR, OG> {
        RetryLayer {
            config: self.config,
            redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
        }
    }

    /// The predicate that says which requests are idempotent.
    #[must_use]
    pub fn idempotent<I>(self, idempotent: I) -> RetryLayer<RD, I, CR, OR, OG> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
        }
    }

    /// Every request is idempotent.
    #[must_use]
    pub fn assume_idempotent(self) -> RetryLayer<RD, Always, CR, OR, OG> {
        self.idempotent(Always)
    }

    /// The classifier that finds failures inside `Ok` responses.
    #[must_use]
    pub fn classify_response<C>(self, classify: C) -> RetryLayer<RD, ID, C, OR, OG> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
        }
    }

    /// The hook called before each retry.
    #[must_use]
    pub fn on_retry<O>(self, on_retry: O) -> RetryLayer<RD, ID, CR, O, OG> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry,
            on_give_up: self.on_give_up,
        }
    }

    /// The hook called when a failed call is not retried.
    #[must_use]
    pub fn on_give_up<G>(self, on_give_up: G) -> RetryLayer<RD, ID, CR, OR, G> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up,
        }
    }

    /// The policy this layer gives its services.
    #[must_use]
    pub fn policy(&self) -> Policy<RD, ID, CR, OR, OG>
    where
        RD: Clone,
        ID: Clone,
        CR: Clone,
        OR: Clone,
        OG: Clone,
    {
        Policy {
            config: Arc::new(self.config.clone()),
            redirect: self.redirect.clone(),
            idempotent: self.idempotent.clone(),
            classify: self.classify.clone(),
            on_retry: self.on_retry.clone(),
            on_give_up: self.on_give_up.clone(),
        }
    }
}

impl<S, RD, ID, CR, OR, OG> Layer<S> for RetryLayer<RD, ID, CR, OR, OG>
where
    RD: Clone,
    ID: Clone,
    CR: Clone,
    OR: Clone,
    OG: Clone,
{
    type Service = Retry<S, Policy<RD, ID, CR, OR, OG>>;

    fn layer(&self, inner: S) -> Self::Service {
        Retry::new(inner, self.policy())
    }
}
