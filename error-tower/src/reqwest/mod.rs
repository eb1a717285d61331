//! reqwest (feature `reqwest`): [`RetryMiddleware`], a `reqwest_middleware::Middleware`
//! that runs a [`RetryLayer`] around reqwest's attempts, and the
//! classification of reqwest's errors and responses.
//!
//! reqwest is the most used HTTP client and not a tower service; its users retry with
//! `reqwest-middleware` and `reqwest-retry`, whose policy knows "transient" and "fatal"
//! and a maximum number of retries. That is the policy this crate's
//! [retry module](crate::retry#why-classes-and-not-a-count-of-attempts) argues against: on
//! a dead backend every call makes all its attempts.
//!
//! # The same policy, not a copy of it
//!
//! `RetryMiddleware` holds a tower [`Layer`], by default `RetryLayer::new()`, and for each
//! request applies it to a small tower service whose calls are reqwest's attempts
//! ([`Attempts`]: the rest of the middleware chain and the client). The class table, the
//! budget, the backoff and its jitter, the deadline, the pushback, the idempotency rule and
//! the hooks are therefore `RetryLayer`'s own code, configured with its own builder, and
//! cannot drift from it. Any layer that works over a service whose error converts from
//! `error_core::Error` works here, so a stack does too:
//!
//! ```
//! use std::time::Duration;
//! use error_tower::breaker::BreakerLayer;
//! use error_tower::reqwest::RetryMiddleware;
//! use error_tower::retry::RetryLayer;
//!
//! let retry = RetryMiddleware::new(
//!     tower::ServiceBuilder::new()
//!         .layer(RetryLayer::new().deadline(Duration::from_secs(5)))
//!         .layer(BreakerLayer::new())
//!         .into_inner(),
//! );
//! let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
//!     .with(retry)
//!     .build();
//! # drop(client);
//! ```
//!
//! The budget and the random number generator are shared by every request through one
//! middleware (the layer's policy holds them behind `Arc`s). Each request pays one
//! allocation for the policy it gets, and one per attempt for the boxed attempt future.
//!
//! # Classification
//!
//! | what reqwest gives | class | code |
//! |---|---|---|
//! | a connect error, a timeout | `transient` | `reqwest.connect`, `reqwest.timeout` |
//! | an error sending the request or reading the response (reset, incomplete message) | `transient`, or the `std::io::Error`'s class when one is in the chain ([`io_class`](error_core::io_class)) | `reqwest.request`, `reqwest.body` |
//! | an error building the request, a redirect loop | `invalid` | `reqwest.builder`, `reqwest.redirect` |
//! | a decode error | `data` | `reqwest.decode` |
//! | an error of a middleware further down | the class it carries (an `error_core::Error` in its chain), else none (not retried) | its code |
//! | a response with status 408, 425, 429 or 5xx, or a `grpc-status` | as [`HttpClassifier`](crate::http::HttpClassifier): the status's class, `Retry-After` or `grpc-retry-pushback-ms` as the hint | `http.503`, … |
//! | such a response whose body is `application/problem+json` (RFC 9457) with a `class` member | that class (a server's `fatal` excepted: below), with the status's hint | `http.503`, … |
//! | any other response | a success | |
//!
//! A problem+json body is read only when its `Content-Length` says it is at most 64 KiB:
//! the response is then rebuilt from the bytes read, and the caller gets it whole. A
//! server's `fatal` says that *its* process must restart, which is not the client's
//! action, so it is read as the status's class (a 503 from a dying server is `transient`).
//!
//! A failed response the policy does not retry (or no longer) is returned as a response,
//! as reqwest and `reqwest-retry` do: the caller reads its status. An error is returned as
//! the error; an error made by a layer (the breaker's refusal, a deadline's `Elapsed`)
//! reaches the caller as `reqwest_middleware::Error::Middleware` holding the
//! `error_core::Error`.
//!
//! # Which requests are retried
//!
//! As `http::Request`s are (`IdempotentRequest`): after an error that may follow execution
//! (`transient`), only `GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT` and `DELETE`, unless the
//! layer says otherwise (`assume_idempotent`, `retry_non_idempotent`); `busy` and
//! `redirect` are rejections before execution, retried whatever the method. A request whose
//! body is a stream cannot be cloned (`reqwest::Request::try_clone`) and is sent once.

mod attempts;
mod classify;

use std::future::poll_fn;

use http::Extensions;
use reqwest_middleware::{Middleware, Next};
use tower_layer::Layer;
use tower_service::Service;

use crate::retry::RetryLayer;

pub use self::attempts::{Answer, AttemptError, AttemptRequest, Attempts};
pub use self::classify::{classify_error, classify_status};

/// Retries reqwest requests with a tower retry layer; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct RetryMiddleware<L = RetryLayer> {
    layer: L,
}

impl Default for RetryMiddleware {
    /// `RetryLayer::new()`: the default policy.
    fn default() -> Self {
        RetryMiddleware {
            layer: RetryLayer::new(),
        }
    }
}

impl<L> RetryMiddleware<L> {
    /// A middleware that applies `layer` (a `RetryLayer`, or a stack with one) to each
    /// request's attempts.
    pub fn new(layer: L) -> Self {
        RetryMiddleware { layer }
    }

    /// The layer.
    pub fn get_ref(&self) -> &L {
        &self.layer
    }
}

#[async_trait::async_trait]
impl<L> Middleware for RetryMiddleware<L>
where
    L: for<'a> Layer<Attempts<'a>> + Send + Sync + 'static,
    for<'a> <L as Layer<Attempts<'a>>>::Service:
        Service<AttemptRequest, Response = Answer, Error = AttemptError> + Send,
    for<'a> <<L as Layer<Attempts<'a>>>::Service as Service<AttemptRequest>>::Future: Send,
{
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let mut service = self.layer.layer(Attempts::new(next, extensions.clone()));
        let result = match poll_fn(|cx| service.poll_ready(cx)).await {
            Ok(()) => service.call(AttemptRequest::new(request)).await,
            Err(error) => Err(error),
        };
        match result {
            Ok(answer) => Ok(answer.into_response(extensions)),
            Err(error) => error.into_result(extensions),
        }
    }
}
