//! [`Fault`]: injected failures, latency and lost responses in front of any service
//! (feature `fault`), for chaos experiments and for tests of everything above it.
//!
//! tower has no fault injection, and tikv's `fail` crate injects failpoints by name but knows
//! nothing of classes. A retry policy, a breaker or an alert acts on the class of an error,
//! so an experiment must inject errors of a chosen class, with a chosen code and hint, and
//! the faults that classes exist for:
//!
//! - **errors** ([`FaultBuilder::errors`]): the call fails with an [`Injected`] error of the
//!   class, code and `retry_after` you choose, without reaching the inner service;
//! - **lost responses** ([`FaultBuilder::drop_responses`]): the inner service *runs*, its
//!   response is thrown away, and the caller sees `transient` (`fault.response_dropped`):
//!   the reply lost after the work was done, which is what makes a retry of a
//!   non-idempotent request a duplicate;
//! - **latency** ([`FaultBuilder::latency`]): the response (or the injected error) comes
//!   later, by a fixed delay or one drawn from a [`Latency`] distribution. The inner service
//!   gets the request at once; its answer is held back, as a slow network or a slow reply
//!   would.
//!
//! # Exact counts, seeded order
//!
//! Each kind of fault is given as a count per *window* of calls ([`FaultBuilder::window`],
//! 100 by default): `errors(30, ..)` fails exactly 30 calls of every 100, not 30% on
//! average. Which ones is drawn from a seeded generator ([`FaultBuilder::seed`]): every
//! window is a uniformly random choice of positions (sequential sampling without
//! replacement, Knuth's Algorithm S), so faults are spread as independent faults would be,
//! and the same seed and the same order of calls give the same sequence. An experiment that
//! says "30% of calls fail" then injects exactly that many, and a test asserts exact
//! counts. Errors and lost responses never fall on the same call; latency is drawn
//! separately and can fall on any call.
//!
//! # A switch at run time
//!
//! [`FaultLayer::handle`] gives a cloneable [`FaultHandle`] that changes the counts while
//! the service runs (a game day that raises the error rate step by step), switches every
//! fault off and on again ([`FaultHandle::disable`], [`FaultHandle::enable`]), and counts
//! what was injected ([`FaultHandle::counts`]). A change starts a new window at the next
//! call.
//!
//! # Marked
//!
//! Every injected error is an [`Injected`] inside an `error_core::Error`, and its code
//! starts with `fault.` (the builder refuses any other): telemetry and the
//! `metrics` catalogue (feature `metrics`) tell injected errors from real ones by the `code`,
//! and code can ask `err.downcast_ref::<Injected>()`. The `fault.` prefix is the one label
//! value the experiment adds.
//!
//! ```
//! use std::time::Duration;
//! use error_core::{Class, ClassifiedError};
//! use error_tower::fault::{FaultLayer, Injected, Latency};
//! use tower::{Service, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() -> Result<(), error_tower::fault::FaultError> {
//! let layer = FaultLayer::builder()
//!     .seed(7)
//!     .errors(30, Injected::new(Class::Busy).with_retry_after(Duration::from_millis(200)))
//!     .latency(10, Latency::Fixed(Duration::from_millis(50)))
//!     .build()?;
//! let handle = layer.handle();
//! let backend = tower::service_fn(|n: u32| async move { Ok::<_, error_core::Error>(n) });
//! let mut service = tower::Layer::layer(&layer, backend);
//!
//! let mut failed = 0;
//! for n in 0..200 {
//!     if let Err(err) = service.ready().await.unwrap().call(n).await {
//!         assert_eq!((err.class(), err.code()), (Class::Busy, "fault.busy"));
//!         assert!(err.downcast_ref::<Injected>().is_some());
//!         failed += 1;
//!     }
//! }
//! assert_eq!(failed, 60);
//! assert_eq!(handle.counts().errors, 60);
//! assert_eq!(handle.counts().delays, 20);
//!
//! handle.disable();
//! assert!(service.ready().await.unwrap().call(0).await.is_ok());
//! # Ok(())
//! # }
//! ```

mod config;
pub mod error;
pub mod future;
mod handle;
mod layer;

use core::task::{Context, Poll};
use std::sync::Arc;

use tower_service::Service;

pub use self::config::{FaultBuilder, Latency};
pub use self::error::{FaultError, Injected};
pub use self::handle::{Counts, FaultHandle};
pub use self::layer::FaultLayer;

use self::future::ResponseFuture;
use self::handle::{Decision, Shared};

/// Injects faults into the calls of `S`; see the [module documentation](self). Clones share
/// the faults' state (the window, the generator, the switch).
#[derive(Clone, Debug)]
pub struct Fault<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Fault<S> {
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

    /// The switch and the counters of this service's faults.
    #[must_use]
    pub fn handle(&self) -> FaultHandle {
        FaultHandle::new(Arc::clone(&self.shared))
    }
}

impl<S, Req> Service<Req> for Fault<S>
where
    S: Service<Req>,
    S::Error: From<error_core::Error>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, Result<S::Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let Decision { fault, delay } = self.shared.decide();
        match fault {
            // The readiness reserved by `poll_ready` is not used, as tower's `Filter` does
            // when it rejects a request.
            Some(handle::Kind::Error(injected)) => {
                ResponseFuture::injected(Err(error_core::Error::new(injected).into()), delay)
            }
            Some(handle::Kind::DropResponse) => {
                ResponseFuture::called(self.inner.call(request), true, delay)
            }
            None => ResponseFuture::called(self.inner.call(request), false, delay),
        }
    }
}
