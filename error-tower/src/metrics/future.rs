//! [`ResponseFuture`]: a call or an attempt through [`Measure`](super::Measure), timed.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use error_core::{Class, Classify};
use pin_project_lite::pin_project;
use tokio::time::Instant;

use super::layer::Scope;
use super::{ATTEMPT_DURATION, CALL_DURATION, Metrics, UNCLASSIFIED};
use crate::retry::ClassifyResponse;

pin_project! {
    /// The future of a call through [`Measure`](super::Measure): the inner future, and when
    /// it started.
    pub struct ResponseFuture<F, C> {
        #[pin]
        inner: F,
        metrics: Metrics,
        scope: Scope,
        classify: C,
        started: Instant,
    }
}

impl<F, C> core::fmt::Debug for ResponseFuture<F, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("metrics", &self.metrics)
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

impl<F, C> ResponseFuture<F, C> {
    pub(crate) fn new(inner: F, metrics: Metrics, scope: Scope, classify: C) -> Self {
        ResponseFuture {
            inner,
            metrics,
            scope,
            classify,
            started: Instant::now(),
        }
    }
}

impl<F, C, T, E> Future for ResponseFuture<F, C>
where
    F: Future<Output = Result<T, E>>,
    E: Classify,
    C: ClassifyResponse<T>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        let seconds = this.started.elapsed().as_secs_f64();
        // `None`: a success; `Some(None)`: a failure with no class.
        let failure: Option<Option<(Class, &'static str)>> = match &result {
            Ok(response) => this
                .classify
                .classify(response)
                .map(|found| Some((found.class, found.code))),
            Err(error) => Some(error.classified().map(|e| (e.class(), e.code()))),
        };
        let name = match this.scope {
            Scope::Call => CALL_DURATION,
            Scope::Attempt => ATTEMPT_DURATION,
        };
        let service = this.metrics.service_label();
        match failure {
            None => metrics::histogram!(name, "service" => service).record(seconds),
            Some(failure) => {
                let class = failure.map_or(UNCLASSIFIED, |(class, _)| class.as_str());
                metrics::histogram!(name, "service" => service, "class" => class).record(seconds);
                if *this.scope == Scope::Call {
                    this.metrics.count_error(failure);
                }
            }
        }
        Poll::Ready(result)
    }
}
