//! [`BreakerLayer`] and its [`BreakerBuilder`].

use core::fmt;
use core::time::Duration;
use std::sync::Arc;

use tower_layer::Layer;

use super::error::ConfigError;
use super::state::{Config, Rate, Shared};
use super::{Breaker, BreakerHandle, OnStateChange};

/// Applies [`Breaker`] to a service. Every service this layer makes, and every clone of
/// the layer, shares one breaker: make one layer per backend.
///
/// [`new`](BreakerLayer::new) has the defaults of [`BreakerBuilder`];
/// [`builder`](BreakerLayer::builder) sets others. `C` is the
/// [response classifier](BreakerLayer::classify_response), `H` the
/// [state-change hook](BreakerLayer::on_state_change).
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::sync::Arc;
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError};
/// use error_tower::breaker::{BreakerLayer, State};
/// use tower::{Service, ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), error_tower::breaker::error::ConfigError> {
/// let calls = Arc::new(AtomicU32::new(0));
/// let backend = {
///     let calls = Arc::clone(&calls);
///     tower::service_fn(move |_: ()| {
///         calls.fetch_add(1, Ordering::Relaxed);
///         async { Err::<(), _>(error_core::Error::transient("connection refused")) }
///     })
/// };
/// let layer = BreakerLayer::builder()
///     .consecutive_failures(3)
///     .open_interval(Duration::from_secs(10))
///     .build()?;
/// let handle = layer.handle();
/// let mut service = ServiceBuilder::new().layer(layer).service(backend);
///
/// for _ in 0..3 {
///     let err = service.ready().await.unwrap().call(()).await.unwrap_err();
///     assert_eq!(err.class(), Class::Transient);
/// }
/// assert_eq!(handle.state(), State::Open);
///
/// // Open: the call fails fast, without reaching the backend, with a hint.
/// tokio::time::advance(Duration::from_secs(4)).await;
/// let err = service.ready().await.unwrap().call(()).await.unwrap_err();
/// assert_eq!(err.class(), Class::Busy);
/// assert_eq!(err.retry_after(), Some(Duration::from_secs(6)));
/// assert_eq!(calls.load(Ordering::Relaxed), 3);
/// # Ok(())
/// # }
/// ```
pub struct BreakerLayer<C = (), H = ()> {
    shared: Arc<Shared<H>>,
    classify: C,
}

// By hand: a clone shares the hook (behind the `Arc`), so `H` need not be `Clone`, nor
// `Debug` (a closure is neither).
impl<C: Clone, H> Clone for BreakerLayer<C, H> {
    fn clone(&self) -> Self {
        BreakerLayer {
            shared: Arc::clone(&self.shared),
            classify: self.classify.clone(),
        }
    }
}

impl<C: fmt::Debug, H> fmt::Debug for BreakerLayer<C, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BreakerLayer")
            .field("shared", &self.shared)
            .field("classify", &self.classify)
            .finish()
    }
}

impl Default for BreakerLayer {
    /// The breaker of [`BreakerBuilder::default`].
    fn default() -> Self {
        BreakerLayer::from_valid(BreakerBuilder::default())
    }
}

impl BreakerLayer {
    /// A breaker with the defaults of [`BreakerBuilder::default`].
    #[must_use]
    pub fn new() -> Self {
        BreakerLayer::default()
    }

    /// A builder, with the defaults of [`BreakerBuilder::default`].
    #[must_use]
    pub fn builder() -> BreakerBuilder {
        BreakerBuilder::default()
    }

    fn from_valid(builder: BreakerBuilder) -> Self {
        BreakerLayer {
            shared: Arc::new(Shared::new(builder.config(), ())),
            classify: (),
        }
    }
}

impl<C, H: OnStateChange + Send + Sync + 'static> BreakerLayer<C, H> {
    /// The switch and the gauge of this layer's breaker.
    #[must_use]
    pub fn handle(&self) -> BreakerHandle {
        BreakerHandle::new(Arc::clone(&self.shared))
    }
}

impl<C, H> BreakerLayer<C, H> {
    /// The classifier that finds failures inside `Ok` responses (an HTTP 503, say), which
    /// then count as the failures their class says; the same hook the retry layer takes.
    #[must_use]
    pub fn classify_response<C2>(self, classify: C2) -> BreakerLayer<C2, H> {
        BreakerLayer {
            shared: self.shared,
            classify,
        }
    }

    /// The hook called on each change of the breaker's state, with the states before and
    /// after: see [`OnStateChange`] and the [module documentation](super#state-changes).
    ///
    /// The hook belongs to the breaker, not to one service: every service and clone of the
    /// layer this returns, and every [`BreakerHandle`] taken from them, share it, and it
    /// hears each transition once. That layer is of a new breaker, with the settings of
    /// this one and nothing counted yet: set the hook where the layer is built, before
    /// taking a handle, cloning the layer or making a service (theirs would be of the old
    /// breaker, without the hook).
    #[must_use]
    pub fn on_state_change<H2>(self, hook: H2) -> BreakerLayer<C, H2>
    where
        H2: OnStateChange + Send + Sync + 'static,
    {
        BreakerLayer {
            shared: Arc::new(Shared::new(self.shared.config(), hook)),
            classify: self.classify,
        }
    }
}

impl<S, C: Clone, H> Layer<S> for BreakerLayer<C, H> {
    type Service = Breaker<S, C, H>;

    fn layer(&self, inner: S) -> Self::Service {
        Breaker::from_shared(inner, Arc::clone(&self.shared), self.classify.clone())
    }
}

/// Builds a [`BreakerLayer`]; [`build`](BreakerBuilder::build) checks the values.
///
/// The breaker trips on whichever rule is met first: `consecutive_failures` failures in a
/// row, or a failure ratio of at least `failure_ratio` over at least `minimum_calls` calls
/// in the last `window`. Either rule can be turned off; with both off, the breaker opens
/// only when forced.
#[derive(Clone, Copy, Debug)]
pub struct BreakerBuilder {
    consecutive_failures: Option<u32>,
    failure_rate: bool,
    failure_ratio: f64,
    minimum_calls: u32,
    window: Duration,
    open_interval: Duration,
    probes: u32,
    close_after: u32,
    half_open_retry_after: Duration,
    unclassified_is_failure: bool,
}

impl Default for BreakerBuilder {
    /// Trips at a failure ratio of 50% over at least 20 calls in 10 s; stays open 5 s; then
    /// lets 1 probe through at a time, and closes after 1 probe success. Unclassified errors
    /// are failures.
    ///
    /// The consecutive-failures rule is off by default: under independent faults, runs of
    /// failures happen by chance (at a 30% fault rate, 5 in a row is one in 400 sequences),
    /// and an open breaker then fails every call for its whole interval. Composed with the
    /// default retry layer, it cut the success of calls under 30% independent transient
    /// faults from 99.1% to 10.8% (`tests/scenarios`), where the rate rule alone keeps 99.1%
    /// and still stops a dead backend. Turn it on with
    /// [`consecutive_failures`](BreakerBuilder::consecutive_failures) for low traffic, where
    /// the rate rule's minimum of calls takes long to reach.
    fn default() -> Self {
        BreakerBuilder {
            consecutive_failures: None,
            failure_rate: true,
            failure_ratio: 0.5,
            minimum_calls: 20,
            window: Duration::from_secs(10),
            open_interval: Duration::from_secs(5),
            probes: 1,
            close_after: 1,
            half_open_retry_after: Duration::from_millis(100),
            unclassified_is_failure: true,
        }
    }
}

impl BreakerBuilder {
    /// Trip after this many failures in a row (off by default; at least 1). A success
    /// resets the count; an outcome that is neither (a client-side class) does not.
    #[must_use]
    pub fn consecutive_failures(mut self, failures: u32) -> Self {
        self.consecutive_failures = Some(failures);
        self
    }

    /// Turns the consecutive-failures rule off.
    #[must_use]
    pub fn without_consecutive_failures(mut self) -> Self {
        self.consecutive_failures = None;
        self
    }

    /// Trip when at least this fraction of the calls in the window failed (default 0.5;
    /// above 0 and at most 1), checked as each failure is recorded. Calls with a
    /// client-side class are not in the window.
    #[must_use]
    pub fn failure_ratio(mut self, ratio: f64) -> Self {
        self.failure_ratio = ratio;
        self
    }

    /// The failure-rate rule needs at least this many calls in the window (default 20; at
    /// least 1), so that two failures out of three calls do not open the breaker.
    #[must_use]
    pub fn minimum_calls(mut self, calls: u32) -> Self {
        self.minimum_calls = calls;
        self
    }

    /// The rolling window of the failure rate (default 10 s; above zero). It is kept as 10
    /// buckets of a tenth of it: an outcome leaves the window between 0.9 and 1 times
    /// `window` after it was recorded.
    #[must_use]
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Turns the failure-rate rule off, whatever [`failure_ratio`](Self::failure_ratio),
    /// [`minimum_calls`](Self::minimum_calls) and [`window`](Self::window) say. Calls then
    /// read no clock and touch no window.
    #[must_use]
    pub fn without_failure_rate(mut self) -> Self {
        self.failure_rate = false;
        self
    }

    /// How long the breaker stays open before it lets probes through (default 5 s; above
    /// zero).
    #[must_use]
    pub fn open_interval(mut self, interval: Duration) -> Self {
        self.open_interval = interval;
        self
    }

    /// How many probes a half-open breaker lets through at a time (default 1; at least 1).
    /// A probe still in flight from an earlier half-open period (another probe failed and
    /// re-opened the breaker meanwhile) still holds its slot: the backend never has more
    /// than this many probes at once.
    #[must_use]
    pub fn probes(mut self, probes: u32) -> Self {
        self.probes = probes;
        self
    }

    /// How many probe successes close the breaker (default 1; at least 1). A probe failure
    /// re-opens it whatever the count.
    #[must_use]
    pub fn close_after(mut self, successes: u32) -> Self {
        self.close_after = successes;
        self
    }

    /// The retry hint of the [`Open`](super::error::Open) error of a call refused because
    /// every probe slot is taken (default 100 ms). The probe will close or re-open the
    /// breaker about one round trip later; zero would send a retrying caller straight back
    /// into the same refusal, so [`build`](Self::build) refuses it.
    #[must_use]
    pub fn half_open_retry_after(mut self, after: Duration) -> Self {
        self.half_open_retry_after = after;
        self
    }

    /// Whether an error with no classification counts as a failure (default `true`): in a
    /// stack of `tower::BoxError`s, a transport error (hyper's, tonic's) is unclassified,
    /// and a breaker that ignored them would not open when the backend is unreachable.
    #[must_use]
    pub fn unclassified_is_failure(mut self, failure: bool) -> Self {
        self.unclassified_is_failure = failure;
        self
    }

    /// The layer.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when a count is zero, the window, the open interval or the half-open
    /// retry hint is zero, or
    /// the failure ratio is not above 0 and at most 1. Values of a rule that is turned off
    /// are checked too.
    pub fn build(self) -> Result<BreakerLayer, ConfigError> {
        if self.consecutive_failures == Some(0) {
            return Err(ConfigError::ZeroConsecutiveFailures);
        }
        if !(self.failure_ratio > 0.0 && self.failure_ratio <= 1.0) {
            return Err(ConfigError::FailureRatio {
                ratio: self.failure_ratio,
            });
        }
        if self.minimum_calls == 0 {
            return Err(ConfigError::ZeroMinimumCalls);
        }
        if self.window.is_zero() {
            return Err(ConfigError::ZeroWindow);
        }
        if self.open_interval.is_zero() {
            return Err(ConfigError::ZeroOpenInterval);
        }
        if self.probes == 0 {
            return Err(ConfigError::ZeroProbes);
        }
        if self.close_after == 0 {
            return Err(ConfigError::ZeroCloseAfter);
        }
        if self.half_open_retry_after.is_zero() {
            return Err(ConfigError::ZeroHalfOpenRetryAfter);
        }
        Ok(BreakerLayer::from_valid(self))
    }

    fn config(self) -> Config {
        Config {
            consecutive_failures: self.consecutive_failures,
            rate: self.failure_rate.then_some(Rate {
                ratio: self.failure_ratio,
                minimum_calls: self.minimum_calls,
                window: self.window,
            }),
            open_interval: self.open_interval,
            probes: self.probes,
            close_after: self.close_after,
            half_open_retry_after: self.half_open_retry_after,
            unclassified_is_failure: self.unclassified_is_failure,
        }
    }
}
