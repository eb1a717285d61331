// A new user's first line: the default retry layer in front of a service of a plain request
// type, which says nothing about idempotency. rustc reports a method call's unmet bound as
// E0599 (no custom message); the layer orders its bounds so that the note names the missing
// `IdempotentRequest` and quotes the trait's line, which names `assume_idempotent()`.
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use error_tower::retry::RetryLayer;
use tower::{Service, ServiceBuilder, ServiceExt};

#[derive(Clone)]
struct Get {
    key: String,
}

#[derive(Clone)]
struct Store;

impl Service<Get> for Store {
    type Response = String;
    type Error = error_core::Error;
    type Future = Ready<Result<String, error_core::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Get) -> Self::Future {
        ready(Ok(request.key))
    }
}

async fn first_use() -> Result<String, error_core::Error> {
    let mut client = ServiceBuilder::new().layer(RetryLayer::new()).service(Store);
    client.ready().await?.call(Get { key: "a".to_owned() }).await
}

fn main() {
    drop(first_use());
}
