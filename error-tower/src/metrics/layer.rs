//! [`MeasureLayer`]: times calls or attempts, and counts failed calls.

use core::task::{Context, Poll};

use error_core::Classify;
use tower_layer::Layer;
use tower_service::Service;

use super::Metrics;
use super::future::ResponseFuture;
use crate::retry::ClassifyResponse;

/// What a [`Measure`] measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Calls: `classified_call_duration_seconds`, and `classified_errors_total` for the
    /// failed ones.
    Call,
    /// Attempts: `classified_attempt_duration_seconds`.
    Attempt,
}

/// Applies [`Measure`] to a service: [`calls`](MeasureLayer::calls) outside the retry
/// layer, [`attempts`](MeasureLayer::attempts) inside it. `C` finds failures inside `Ok`
/// responses (an HTTP 503), as the retry layer's
/// [`classify_response`](crate::retry::RetryLayer::classify_response) does.
#[derive(Clone, Debug)]
pub struct MeasureLayer<C = ()> {
    metrics: Metrics,
    scope: Scope,
    classify: C,
}

impl MeasureLayer {
    /// Times each call (`classified_call_duration_seconds`) and counts the failed ones by
    /// class and code (`classified_errors_total`). Place it outside the retry layer, so
    /// that a call is what its caller saw.
    #[must_use]
    pub fn calls(metrics: Metrics) -> Self {
        MeasureLayer {
            metrics,
            scope: Scope::Call,
            classify: (),
        }
    }

    /// Times each attempt (`classified_attempt_duration_seconds`). Place it inside the
    /// retry layer. Failed attempts are not counted as errors: the retry counter and the
    /// call's outcome say what became of them.
    #[must_use]
    pub fn attempts(metrics: Metrics) -> Self {
        MeasureLayer {
            metrics,
            scope: Scope::Attempt,
            classify: (),
        }
    }
}

impl<C> MeasureLayer<C> {
    /// The classifier that finds failures inside `Ok` responses, such as
    /// [`HttpClassifier`](crate::http::HttpClassifier) (feature `http`).
    #[must_use]
    pub fn classify_response<C2>(self, classify: C2) -> MeasureLayer<C2> {
        MeasureLayer {
            metrics: self.metrics,
            scope: self.scope,
            classify,
        }
    }
}

impl<S, C: Clone> Layer<S> for MeasureLayer<C> {
    type Service = Measure<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        Measure {
            inner,
            metrics: self.metrics.clone(),
            scope: self.scope,
            classify: self.classify.clone(),
        }
    }
}

/// Times calls or attempts of `S`, and counts failed calls; see [`MeasureLayer`].
#[derive(Clone, Debug)]
pub struct Measure<S, C = ()> {
    inner: S,
    metrics: Metrics,
    scope: Scope,
    classify: C,
}

impl<S, C> Measure<S, C> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, C, Req> Service<Req> for Measure<S, C>
where
    S: Service<Req>,
    S::Error: Classify,
    C: ClassifyResponse<S::Response> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, C>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        ResponseFuture::new(
            self.inner.call(request),
            self.metrics.clone(),
            self.scope,
            self.classify.clone(),
        )
    }
}
