//! [`ResponseFuture`], the future of [`Otel`](super::Otel).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use error_core::Classify;
use pin_project_lite::pin_project;
use tokio::time::Instant;

use super::attempt::Attempts;
use super::layer::Shared;

pin_project! {
    /// The future of [`Otel`](super::Otel): polls the inner future inside the call's span,
    /// and records the outcome when it completes.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: tracing::Span,
        start: Instant,
        shared: Arc<Shared>,
        attempts: Option<Attempts>,
    }
}

impl<F> ResponseFuture<F> {
    pub(super) fn new(
        inner: F,
        span: tracing::Span,
        shared: Arc<Shared>,
        attempts: Option<Attempts>,
    ) -> Self {
        ResponseFuture {
            inner,
            span,
            start: Instant::now(),
            shared,
            attempts,
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("span", &self.span)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Classify + fmt::Display,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let inner = this.inner;
        let result = ready!(match this.attempts {
            Some(attempts) => attempts.scope(|| inner.poll(cx)),
            None => inner.poll(cx),
        });
        let elapsed = this.start.elapsed();
        match &result {
            Ok(_) => {
                if let Some(metrics) = &this.shared.metrics {
                    metrics.record_success(elapsed);
                }
            }
            Err(error) => {
                let recorder = &this.shared.recorder;
                recorder.record_any(this.span, error);
                if let Some(metrics) = &this.shared.metrics {
                    metrics.record(elapsed, recorder.error_type(error.classified()));
                }
            }
        }
        Poll::Ready(result)
    }
}
