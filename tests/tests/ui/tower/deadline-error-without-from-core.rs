// `.deadline(..)` ends an attempt in flight at the deadline with `Elapsed`, converted into
// the service's error through `error_core::Error`. At a method call on the client, rustc
// reports E0599 (no custom message), naming the unmet `StoreError: From<error_core::Error>`
// and the impl that asks it; `RetryLayer::deadline`'s documentation gives the ways out.
use std::future::{Ready, ready};
use std::task::{Context, Poll};
use std::time::Duration;

use error_tower::retry::RetryLayer;
use tower::{Service, ServiceBuilder, ServiceExt};

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

async fn first_use() -> Result<u64, StoreError> {
    let retry = RetryLayer::new()
        .assume_idempotent()
        .deadline(Duration::from_millis(200));
    let mut client = ServiceBuilder::new().layer(retry).service(Store);
    client.ready().await?.call(7).await
}

fn main() {
    drop(first_use());
}
