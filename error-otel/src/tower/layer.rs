//! [`OtelLayer`] and its service [`Otel`].

use core::fmt;
use core::task::{Context, Poll};
use std::sync::Arc;

use error_core::Classify;
use error_tower::retry::RetryLayer;
use tower_layer::{Layer, Stack};
use tower_service::Service;

use super::attempt::{self, Attempts};
use super::future::ResponseFuture;
use super::retries::RecordRetries;
use crate::{Operation, OtelMetrics, Recorder};

/// Which span a call is recorded on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SpanMode {
    /// A new span per call, of the operation's kind and named after it (the default).
    #[default]
    New,
    /// The span current when the service is called: for servers whose framework already
    /// opened one.
    Current,
}

/// What every call of one layer shares.
#[derive(Clone, Debug)]
pub(super) struct Shared {
    pub(super) recorder: Recorder,
    pub(super) metrics: Option<OtelMetrics>,
    pub(super) mode: SpanMode,
    /// Whether this layer opens one span per physical attempt ([`AttemptLayer`]).
    pub(super) per_attempt: bool,
}

/// Records each call's outcome on a span, and its duration on a histogram.
///
/// The span is new (of the operation's kind, named after it: the kind is given once, in
/// the operation) or the current one, see
/// [`SpanMode`]. The call's final error is recorded by the [`Recorder`]; a success leaves
/// the span's status unset. With [`metrics`](OtelLayer::metrics), every call's duration
/// goes in the operation's histogram, with `error.type` on failures.
///
/// The inner service's error must be classified, or be a `BoxError` whose chain may hold a
/// classified error (`error_core::Classify`).
#[derive(Clone, Debug)]
pub struct OtelLayer {
    shared: Arc<Shared>,
}

impl OtelLayer {
    /// A layer recording `operation`, with a new span per call, a [`Recorder`] reading the
    /// environment, and no metrics.
    #[must_use]
    pub fn new(operation: Operation) -> OtelLayer {
        OtelLayer::from_shared(Shared {
            recorder: Recorder::new(operation),
            metrics: None,
            mode: SpanMode::New,
            per_attempt: false,
        })
    }

    pub(super) fn from_shared(shared: Shared) -> OtelLayer {
        OtelLayer {
            shared: Arc::new(shared),
        }
    }

    fn edit(self, f: impl FnOnce(&mut Shared)) -> OtelLayer {
        let mut shared = Arc::unwrap_or_clone(self.shared);
        f(&mut shared);
        OtelLayer::from_shared(shared)
    }

    /// Records with `recorder` (its operation replaces the layer's).
    #[must_use]
    pub fn recorder(self, recorder: Recorder) -> OtelLayer {
        self.edit(|shared| shared.recorder = recorder)
    }

    /// Records every call's duration, and the retries of [`retry_hooks`](Self::retry_hooks).
    #[must_use]
    pub fn metrics(self, metrics: OtelMetrics) -> OtelLayer {
        self.edit(|shared| shared.metrics = Some(metrics))
    }

    /// Opens a span per call, or uses the current one.
    #[must_use]
    pub fn span_mode(self, mode: SpanMode) -> OtelLayer {
        self.edit(|shared| shared.mode = mode)
    }

    /// The operation this layer records.
    #[must_use]
    pub fn operation(&self) -> &Operation {
        self.shared.recorder.operation()
    }

    /// The hooks that record the retries of an `error_tower` retry layer put inside this
    /// one: a `classified.retry` event on the current span per retry, the give-up reason,
    /// and the retry counter of this layer's metrics. [`around_retry`](Self::around_retry)
    /// wires them for you; this is for hooks of your own that also call these.
    #[must_use]
    pub fn retry_hooks(&self) -> RecordRetries {
        RecordRetries::new(self.shared.metrics.clone())
    }

    /// This layer around `retry`, with this layer's [`retry_hooks`](Self::retry_hooks)
    /// added to `retry`'s hooks: one layer, in the order the conventions want (this
    /// layer's span covers the logical call, every attempt included), with the retries
    /// recorded on that span.
    ///
    /// Whatever `retry` was built with stays: its deadline (with its way of ending an
    /// attempt), redirect hook, idempotency rule and response classifier, and the hooks it
    /// already had, which are called first ([`and_on_retry`](RetryLayer::and_on_retry)
    /// and [`and_on_give_up`](RetryLayer::and_on_give_up)): error-tower's `Metrics` set on
    /// the retry layer keeps counting.
    ///
    /// ```
    /// use std::time::Duration;
    /// use error_otel::{Operation, OtelLayer};
    /// use error_tower::retry::RetryLayer;
    /// use tower::ServiceBuilder;
    ///
    /// let retry = RetryLayer::new().assume_idempotent().deadline(Duration::from_secs(1));
    /// let stack = ServiceBuilder::new()
    ///     .layer(OtelLayer::new(Operation::RPC_CLIENT).around_retry(retry));
    /// # drop(stack);
    /// ```
    #[must_use]
    #[allow(clippy::type_complexity)]
    pub fn around_retry<RD, ID, CR, OR, OG, DE>(
        self,
        retry: RetryLayer<RD, ID, CR, OR, OG, DE>,
    ) -> Stack<RetryLayer<RD, ID, CR, (OR, RecordRetries), (OG, RecordRetries), DE>, OtelLayer>
    {
        let hooks = self.retry_hooks();
        let retry = retry.and_on_retry(hooks.clone()).and_on_give_up(hooks);
        Stack::new(retry, self)
    }
}

impl<S> Layer<S> for OtelLayer {
    type Service = Otel<S>;

    fn layer(&self, inner: S) -> Otel<S> {
        Otel {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service of [`OtelLayer`] and [`AttemptLayer`](super::AttemptLayer).
#[derive(Clone)]
pub struct Otel<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S: fmt::Debug> fmt::Debug for Otel<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Otel")
            .field("inner", &self.inner)
            .field("shared", &self.shared)
            .finish()
    }
}

impl<S> Otel<S> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req> Service<Req> for Otel<S>
where
    S: Service<Req>,
    S::Error: Classify + fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let operation = self.shared.recorder.operation();
        let span = match self.shared.mode {
            SpanMode::New => tracing::info_span!(
                target: "error_otel",
                "call",
                otel.name = operation.name(),
                otel.kind = operation.kind().as_str(),
            ),
            SpanMode::Current => tracing::Span::current(),
        };
        let attempts = if self.shared.per_attempt {
            attempt::start_attempt(&span);
            None
        } else {
            Some(Attempts::default())
        };
        let future = {
            let _entered = span.enter();
            match &attempts {
                Some(attempts) => attempts.scope(|| self.inner.call(request)),
                None => self.inner.call(request),
            }
        };
        ResponseFuture::new(future, span, Arc::clone(&self.shared), attempts)
    }
}
