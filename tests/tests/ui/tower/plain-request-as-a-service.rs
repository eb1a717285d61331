// The same client, handed to code that asks for a `Service<Get>` (a function, `BoxService`,
// `Buffer`): rustc reports E0277 with the layer's own message, which names
// `assume_idempotent()`, `idempotent(..)` and the trait.
use std::future::{Ready, ready};
use std::task::{Context, Poll};

use error_tower::retry::RetryLayer;
use tower::{Service, ServiceBuilder};

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

fn serve<S: Service<Get, Response = String>>(client: S) {
    drop(client);
}

fn main() {
    serve(ServiceBuilder::new().layer(RetryLayer::new()).service(Store));
}
