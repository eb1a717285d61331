//! [`RetryLayer`]: the policy's builder, and the layer that applies it.

use std::sync::Arc;
use std::time::Duration;

use error_core::Class;
use tower_layer::Layer;

use super::policy::Config;
use super::{Always, ByRequest, EndWithElapsed, Policy, Retry};
use crate::backoff::{Backoff, Rng};
use crate::budget::Budget;

/// Applies [`Retry`] to a service. Its setters configure the [`Policy`]; the defaults are
/// the [module documentation](super)'s table.
///
/// Every service this layer makes shares one [`Budget`] and one random number generator.
#[derive(Clone, Debug)]
pub struct RetryLayer<RD = (), ID = ByRequest, CR = (), OR = (), OG = (), DE = ()> {
    config: Config,
    redirect: RD,
    idempotent: ID,
    classify: CR,
    on_retry: OR,
    on_give_up: OG,
    deadline_error: DE,
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
            deadline_error: (),
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

impl<RD, ID, CR, OR, OG, DE> RetryLayer<RD, ID, CR, OR, OG, DE> {
    /// Attempts in all, the first included (default 4). The first attempt is always sent,
    /// so 0 and 1 both mean "never retry". An attempt that a `redirect` answered, and whose
    /// redirect was followed, is a hop, not a try: it is not counted here but against
    /// [`max_redirects`](Self::max_redirects).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.config.max_attempts = attempts;
        self
    }

    /// The redirects one call follows at most (default 5): a loop guard, for two nodes that
    /// redirect to each other. A leader redirect normally takes one hop; an election under
    /// way may take two or three, each hint a little fresher than the last. The redirect
    /// after the last one allowed ends the call with it
    /// ([`GiveUpReason::RedirectLimit`](super::GiveUpReason::RedirectLimit)); 0 follows none.
    #[must_use]
    pub fn max_redirects(mut self, redirects: u32) -> Self {
        self.config.max_redirects = redirects;
        self
    }

    /// The longest server hint a retry waits for (default 30 s). A failure whose hint is
    /// longer ends the call at once, with its error unchanged, and
    /// [`OnGiveUp`](super::OnGiveUp) hears
    /// [`GiveUpReason::HintTooLong`](super::GiveUpReason::HintTooLong).
    ///
    /// A hint comes from the server (`Retry-After`, `grpc-retry-pushback-ms`, a decoded
    /// `retry_after`), and the server may be wrong, misconfigured or hostile: without a
    /// bound, `Retry-After: 86400` would hold the call, and its caller, for a day (and a
    /// fifth of it more, the jitter). A caller that would wait that long can say so here;
    /// one with a [`deadline`](Self::deadline) gives up on a hint that runs past it anyway.
    ///
    /// ```
    /// use std::time::Duration;
    /// use error_core::Error;
    /// use error_tower::retry::{GiveUpEvent, GiveUpReason, RetryLayer};
    /// use tower::{Service, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let throttled = tower::service_fn(|_: ()| async {
    ///     Err::<(), _>(Error::busy("come back tomorrow").with_retry_after(Duration::from_secs(86_400)))
    /// });
    /// let reasons = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    /// let layer = RetryLayer::new()
    ///     .assume_idempotent()
    ///     .max_hint(Duration::from_secs(30))
    ///     .on_give_up({
    ///         let reasons = reasons.clone();
    ///         move |event: &GiveUpEvent| reasons.lock().unwrap().push((event.reason, event.delay))
    ///     });
    /// let mut service = tower::Layer::layer(&layer, throttled);
    /// let started = tokio::time::Instant::now();
    /// assert!(service.ready().await.unwrap().call(()).await.is_err());
    /// assert_eq!(started.elapsed(), Duration::ZERO);
    /// assert_eq!(
    ///     *reasons.lock().unwrap(),
    ///     [(GiveUpReason::HintTooLong, Some(Duration::from_secs(86_400)))]
    /// );
    /// # }
    /// ```
    #[must_use]
    pub fn max_hint(mut self, max_hint: Duration) -> Self {
        self.config.max_hint = max_hint;
        self
    }

    /// The window after a server's hint over which the retries it delays are spread, in
    /// percent of the hint (default 20): a retry waits the hint, then a uniform draw of up
    /// to a fifth of it, never less than the hint. 0 retries exactly at the hint.
    ///
    /// One hint often reaches many callers at once (a breaker that turns half-open at one
    /// instant, a throttle that ends for everyone): without jitter they would all come back
    /// in the same millisecond. A window proportional to the hint keeps the spread at the
    /// scale the server chose: 400 ms after a 2 s hint, 20 ms after a 100 ms one. It never
    /// costs a retry its deadline: a retry that fits at the hint but not with its jitter is
    /// sent at the hint.
    #[must_use]
    pub fn hint_jitter(mut self, percent: u32) -> Self {
        self.config.hint_jitter = percent;
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

    /// An overall deadline per call, backoff sleeps included; an attempt still in flight at
    /// the deadline is ended with [`Elapsed`](super::Elapsed) (transient, status
    /// `deadline_exceeded`), converted into the service's error, which must therefore
    /// implement `From<error_core::Error>` as the breaker's and the timeout's do. For an
    /// error that does not, [`deadline_with`](Self::deadline_with) says how to end the
    /// attempt.
    ///
    /// - A retry that cannot *end* before the deadline is not started: the policy expects
    ///   a retry to take as long as the attempt before it did, so it starts one only if
    ///   its start (after the backoff or the hint) plus that duration is before the
    ///   deadline. A call that gives up for that reason ends at once, not at the deadline,
    ///   with the last attempt's error (or failed response) unchanged.
    /// - A retry waiting for [`poll_ready`](tower_service::Service::poll_ready) (after its
    ///   backoff) is given up at the deadline, and one that is ready too late is not sent;
    ///   the call ends with the last attempt's error unchanged.
    /// - An attempt in flight at the deadline is dropped, and the call ends at the deadline
    ///   with the `Elapsed` error, whose [`timeout`](super::Elapsed::timeout) is the time
    ///   the attempt had. A [`TimeoutLayer`](crate::timeout::TimeoutLayer) inside the retry
    ///   layer ends it at the same instant with the same error, and bounds each attempt by
    ///   its own timeout too.
    ///
    /// In every case [`OnGiveUp`](super::OnGiveUp) hears
    /// [`GiveUpReason::Deadline`](super::GiveUpReason::Deadline). A deadline too large for
    /// the clock (`Duration::MAX`) means none.
    ///
    /// ```
    /// use std::time::Duration;
    /// use error_core::{Class, ClassifiedError, Status};
    /// use error_tower::retry::{Elapsed, RetryLayer};
    /// use tower::{Service, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// // A backend that never answers, and no timeout inside the retry layer.
    /// let hangs = tower::service_fn(|_: ()| std::future::pending::<Result<(), error_core::Error>>());
    /// let layer = RetryLayer::new().assume_idempotent().deadline(Duration::from_millis(200));
    /// let mut service = tower::Layer::layer(&layer, hangs);
    /// let started = tokio::time::Instant::now();
    /// let err = service.ready().await.unwrap().call(()).await.unwrap_err();
    /// assert_eq!(started.elapsed(), Duration::from_millis(200));
    /// assert_eq!((err.class(), err.status()), (Class::Transient, Status::DeadlineExceeded));
    /// assert_eq!(err.downcast_ref::<Elapsed>().map(Elapsed::timeout), Some(Duration::from_millis(200)));
    /// # }
    /// ```
    #[must_use]
    pub fn deadline(self, deadline: Duration) -> RetryLayer<RD, ID, CR, OR, OG, EndWithElapsed> {
        self.deadline_with(deadline, EndWithElapsed)
    }

    /// [`deadline`](Self::deadline), with `end` to end an attempt still in flight at the
    /// deadline (see [`DeadlineError`](super::DeadlineError)): a closure
    /// `Fn(Elapsed) -> S::Error`, for an error that does not convert from
    /// `error_core::Error`; or `()`, to let the attempt run to its end (the call then ends
    /// when it does, so put a [`TimeoutLayer`](crate::timeout::TimeoutLayer) inside to
    /// bound it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use error_tower::retry::{Elapsed, RetryLayer};
    ///
    /// #[derive(Debug)]
    /// enum DbError { Timeout(Duration), Io(std::io::Error) }
    ///
    /// let layer = RetryLayer::new()
    ///     .assume_idempotent()
    ///     .deadline_with(Duration::from_millis(200), |e: Elapsed| DbError::Timeout(e.timeout()));
    /// # drop(layer);
    /// ```
    #[must_use]
    pub fn deadline_with<D>(
        mut self,
        deadline: Duration,
        end: D,
    ) -> RetryLayer<RD, ID, CR, OR, OG, D> {
        self.config.deadline = Some(deadline);
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
            deadline_error: end,
        }
    }

    /// The hook that retargets a request after a `redirect` error.
    #[must_use]
    pub fn redirect<R>(self, redirect: R) -> RetryLayer<R, ID, CR, OR, OG, DE> {
        RetryLayer {
            config: self.config,
            redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// The predicate that says which requests are idempotent.
    #[must_use]
    pub fn idempotent<I>(self, idempotent: I) -> RetryLayer<RD, I, CR, OR, OG, DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// Every request is idempotent.
    #[must_use]
    pub fn assume_idempotent(self) -> RetryLayer<RD, Always, CR, OR, OG, DE> {
        self.idempotent(Always)
    }

    /// The classifier that finds failures inside `Ok` responses.
    #[must_use]
    pub fn classify_response<C>(self, classify: C) -> RetryLayer<RD, ID, C, OR, OG, DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify,
            on_retry: self.on_retry,
            on_give_up: self.on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// The hook called before each retry, in place of any set before (to add one, see
    /// [`and_on_retry`](Self::and_on_retry)).
    #[must_use]
    pub fn on_retry<O>(self, on_retry: O) -> RetryLayer<RD, ID, CR, O, OG, DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry,
            on_give_up: self.on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// The hook called when a failed call is not retried, in place of any set before (to
    /// add one, see [`and_on_give_up`](Self::and_on_give_up)).
    #[must_use]
    pub fn on_give_up<G>(self, on_give_up: G) -> RetryLayer<RD, ID, CR, OR, G, DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// Adds `hook` to the hooks called before each retry: the hook set so far is called
    /// first, then `hook` (a pair of hooks is a hook). Where [`on_retry`](Self::on_retry)
    /// replaces, this composes: error-otel's `OtelLayer::around_retry` adds its recording
    /// hooks so, and keeps error-tower's `Metrics` set before it.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// use error_tower::retry::{RetryEvent, RetryLayer};
    /// use tower::{Service, ServiceExt};
    ///
    /// # #[tokio::main(flavor = "current_thread", start_paused = true)]
    /// # async fn main() {
    /// let (first, second) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    /// let layer = RetryLayer::new()
    ///     .assume_idempotent()
    ///     .on_retry({
    ///         let first = first.clone();
    ///         move |_: &RetryEvent| { first.fetch_add(1, Ordering::Relaxed); }
    ///     })
    ///     .and_on_retry({
    ///         let second = second.clone();
    ///         move |_: &RetryEvent| { second.fetch_add(1, Ordering::Relaxed); }
    ///     });
    /// let calls = Arc::new(AtomicU32::new(0));
    /// let backend = tower::service_fn(move |_: ()| {
    ///     let call = calls.fetch_add(1, Ordering::Relaxed);
    ///     async move { if call == 0 { Err(error_core::Error::transient("reset")) } else { Ok(()) } }
    /// });
    /// let mut service = tower::Layer::layer(&layer, backend);
    /// service.ready().await.unwrap().call(()).await.unwrap();
    /// assert_eq!((first.load(Ordering::Relaxed), second.load(Ordering::Relaxed)), (1, 1));
    /// # }
    /// ```
    #[must_use]
    pub fn and_on_retry<O>(self, hook: O) -> RetryLayer<RD, ID, CR, (OR, O), OG, DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: (self.on_retry, hook),
            on_give_up: self.on_give_up,
            deadline_error: self.deadline_error,
        }
    }

    /// Adds `hook` to the hooks called when a failed call is not retried: the hook set so
    /// far is called first, then `hook`. Where [`on_give_up`](Self::on_give_up) replaces,
    /// this composes (see [`and_on_retry`](Self::and_on_retry)).
    #[must_use]
    pub fn and_on_give_up<G>(self, hook: G) -> RetryLayer<RD, ID, CR, OR, (OG, G), DE> {
        RetryLayer {
            config: self.config,
            redirect: self.redirect,
            idempotent: self.idempotent,
            classify: self.classify,
            on_retry: self.on_retry,
            on_give_up: (self.on_give_up, hook),
            deadline_error: self.deadline_error,
        }
    }

    /// The policy this layer gives its services.
    #[must_use]
    pub fn policy(&self) -> Policy<RD, ID, CR, OR, OG, DE>
    where
        RD: Clone,
        ID: Clone,
        CR: Clone,
        OR: Clone,
        OG: Clone,
        DE: Clone,
    {
        Policy {
            config: Arc::new(self.config.clone()),
            redirect: self.redirect.clone(),
            idempotent: self.idempotent.clone(),
            classify: self.classify.clone(),
            on_retry: self.on_retry.clone(),
            on_give_up: self.on_give_up.clone(),
            deadline_error: self.deadline_error.clone(),
        }
    }
}

impl<S, RD, ID, CR, OR, OG, DE> Layer<S> for RetryLayer<RD, ID, CR, OR, OG, DE>
where
    RD: Clone,
    ID: Clone,
    CR: Clone,
    OR: Clone,
    OG: Clone,
    DE: Clone,
{
    type Service = Retry<S, Policy<RD, ID, CR, OR, OG, DE>>;

    fn layer(&self, inner: S) -> Self::Service {
        Retry::new(inner, self.policy())
    }
}
