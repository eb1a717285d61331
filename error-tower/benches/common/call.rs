//! One call through a service, as the retry and breaker benchmarks time it: `poll_ready`,
//! `call`, and one poll of the response with a no-op waker. The services answer with
//! `std::future::Ready`, so no runtime is measured. Apart from `common` (which the
//! error-otel bench shares) because only these two benchmarks call services.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use tower::Service;

/// `poll_ready`, `call`, and one poll of the response, which must be ready.
pub(crate) fn call_once<S: Service<Req>, Req>(
    service: &mut S,
    request: Req,
) -> Result<S::Response, S::Error> {
    let mut cx = Context::from_waker(Waker::noop());
    match service.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        Poll::Ready(Err(_)) => panic!("poll_ready failed"),
        Poll::Pending => panic!("poll_ready pending"),
    }
    let mut future = pin!(service.call(request));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the response is not ready on the first poll"),
    }
}
