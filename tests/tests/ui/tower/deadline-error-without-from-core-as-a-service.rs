// `.deadline(..)` ends an attempt in flight at the deadline with `Elapsed`, converted into
// the service's error through `error_core::Error`. Where a bound asks for the service, an
// error that does not convert is reported with the layer's message and the ways out: a
// `Middleware` variant, `deadline_with` and a closure, or `deadline_with(.., ())`.
use std::future::{Ready, ready};
use std::task::{Context, Poll};
use std::time::Duration;

use error_tower::retry::RetryLayer;
use tower::{Service, ServiceBuilder};

#[derive(Debug, error_core::ClassifiedError)]
#[non_exhaustive]
pub enum StoreError {
    #[error("connection reset")]
    #[class(transient)]
    Reset,
}

#[derive(Clone)]
struct Store;

impl Service<u64> for Store {
    type Response = u64;
    type Error = StoreError;
    type Future = Ready<Result<u64, StoreError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u64) -> Self::Future {
        ready(Ok(request))
    }
}

fn serve<S: Service<u64, Response = u64>>(client: S) {
    drop(client);
}

fn main() {
    let retry = RetryLayer::new()
        .assume_idempotent()
        .deadline(Duration::from_millis(200));
    serve(ServiceBuilder::new().layer(retry).service(Store));
}
