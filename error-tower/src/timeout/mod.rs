//! [`Timeout`]: a limit on each attempt.
//!
//! Placed inside [`RetryLayer`](crate::retry::RetryLayer), it bounds each attempt, and each
//! attempt gets the smaller of its own timeout and the time left before the call's
//! [deadline](crate::retry::RetryLayer::deadline): the retry layer tells it, through a
//! tokio task-local, while it polls the attempt. Its [`Elapsed`](error::Elapsed) error is
//! `transient`, so the retry layer retries it, and its status is `deadline_exceeded`. (The
//! retry layer also ends an attempt still in flight at the deadline by itself, with the
//! same error: the timeout is what limits each attempt to less.)
//!
//! The error reaches the service's error type as an `error_core::Error` holding the
//! `Elapsed` (`S::Error: From<error_core::Error>`): `error_core::Error` itself,
//! `tower::BoxError` (in which [`find_classified`](error_core::find_classified) then finds
//! the class, so that an outer retry layer retries it), or a derived enum with an
//! `#[error(transparent)] Middleware(#[from] error_core::Error)` variant.
//! `downcast_ref::<Elapsed>()` gets the `Elapsed` back.
//!
//! ```
//! use std::time::Duration;
//! use error_tower::timeout::TimeoutLayer;
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let slow = tower::service_fn(|_: ()| async {
//!     tokio::time::sleep(Duration::from_secs(5)).await;
//!     Ok::<_, error_core::Error>(())
//! });
//! let mut service = ServiceBuilder::new()
//!     .layer(TimeoutLayer::new(Duration::from_secs(1)))
//!     .service(slow);
//! let err = service.ready().await.unwrap().call(()).await.unwrap_err();
//! assert_eq!(err.to_string(), "request timed out. timeout=`1s`");
//! # }
//! ```

pub mod error;
pub mod future;

use core::task::{Context, Poll};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use self::future::ResponseFuture;

/// Fails a call with [`Elapsed`](error::Elapsed) when it takes longer than its timeout.
#[derive(Clone, Debug)]
pub struct Timeout<S> {
    inner: S,
    timeout: Duration,
}

impl<S> Timeout<S> {
    /// Wraps `inner`.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Timeout { inner, timeout }
    }

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

impl<S, Req> Service<Req> for Timeout<S>
where
    S: Service<Req>,
    S::Error: From<error_core::Error>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        ResponseFuture::new(self.inner.call(request), self.timeout)
    }
}

/// Applies [`Timeout`].
#[derive(Clone, Copy, Debug)]
pub struct TimeoutLayer {
    timeout: Duration,
}

impl TimeoutLayer {
    /// Each call may take `timeout` at most.
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        TimeoutLayer { timeout }
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = Timeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Timeout::new(inner, self.timeout)
    }
}
