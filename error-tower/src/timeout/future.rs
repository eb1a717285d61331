//! [`ResponseFuture`]: an attempt raced against its timeout.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::{Instant, Sleep};

use super::error::Elapsed;

pin_project! {
    /// The future of a call through [`Timeout`](super::Timeout). Its timer starts at the
    /// first poll, where it also learns the time left before the deadline of an enclosing
    /// [`Retry`](crate::retry::Retry), if any.
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Option<Sleep>,
        timeout: Duration,
        allowed: Duration,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, timeout: Duration) -> Self {
        ResponseFuture {
            inner,
            sleep: None,
            timeout,
            allowed: timeout,
        }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: From<error_core::Error>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Poll::Ready(result) = this.inner.poll(cx) {
            return Poll::Ready(result);
        }
        if this.sleep.is_none() {
            let now = Instant::now();
            let mut until = crate::deadline::later(now, *this.timeout);
            if let Some(deadline) = crate::deadline::current() {
                until = until.min(deadline);
            }
            *this.allowed = until.saturating_duration_since(now);
            this.sleep.set(Some(tokio::time::sleep_until(until)));
        }
        match this.sleep.as_pin_mut().map(|sleep| sleep.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Err(E::from(error_core::Error::from(
                Elapsed::new(*this.allowed),
            )))),
            _ => Poll::Pending,
        }
    }
}
