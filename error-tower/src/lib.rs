//! Tower middleware that acts on the [`Class`](error_core::Class) of an error.
//!
//! A retry policy that cannot tell "the server is overloaded" from "this attempt hit a
//! transient fault" must choose between recovering from faults (a fixed count of attempts,
//! which multiplies the load of an overloaded server) and protecting the server (a budget,
//! which gives up on faults). A classified error says which it is, so these layers do both:
//!
//! - [`retry`]: retries `transient` failures within a [`budget`] funded by successes, with
//!   jittered [`backoff`]; `busy` only after the server's hint, paid for when it is sent;
//!   `redirect` at once to the hinted target, as a hop that uses up no try; never anything
//!   else; an overall deadline per call, which ends the attempt in flight.
//! - [`timeout`]: a limit on each attempt, and on the time left before the call's deadline.
//! - [`breaker`]: a circuit breaker that counts only server-side classes and fails fast with a
//!   `busy` error whose hint says when to come back.
//! - [`http`] (feature `http`): idempotency by method, an HTTP and gRPC response classifier,
//!   `Retry-After` / `grpc-retry-pushback-ms` pushback, and replay of streaming request
//!   bodies from a capped recording filled as they are sent.
//! - `fault` (feature `fault`): `FaultLayer` injects classified errors, lost responses and
//!   latency in exact counts per window of calls, seeded, with a run-time switch.
//! - `metrics` (feature `metrics`): the retry and breaker hooks and `MeasureLayer`, counting
//!   errors by class and code, retries, give-ups and breaker transitions through the
//!   `metrics` facade, with bounded labels.
//! - `reqwest` (feature `reqwest`): `RetryMiddleware` runs a `RetryLayer` around reqwest's
//!   attempts, as a `reqwest_middleware::Middleware`.
//!
//! Every error this crate makes reaches the service's error type as an
//! [`error_core::Error`], so that its class and hint survive a `tower::BoxError` stack.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use error_tower::{breaker::BreakerLayer, retry::RetryLayer, timeout::TimeoutLayer};
//! use tower::{Service, ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let backend = tower::service_fn(|key: String| async move {
//!     Ok::<_, error_core::Error>(format!("value of {key}"))
//! });
//! let mut client = ServiceBuilder::new()
//!     .layer(RetryLayer::new().assume_idempotent().deadline(Duration::from_secs(2)))
//!     .layer(BreakerLayer::new())
//!     .layer(TimeoutLayer::new(Duration::from_millis(500)))
//!     .service(backend);
//! let value = client.ready().await.unwrap().call("a".to_owned()).await.unwrap();
//! assert_eq!(value, "value of a");
//! # }
//! ```
//!
//! ## Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `full` | yes | every middleware below |
//! | `retry` | through `full` | [`retry`]: `Retry`, `RetryLayer` |
//! | `timeout` | through `full` | [`timeout`]: `Timeout`, `TimeoutLayer` |
//! | `breaker` | through `full` | [`breaker`]: `Breaker`, `BreakerLayer` |
//! | `http` | through `full` | [`http`]: `IdempotentRequest` for `http::Request`, `HttpClassifier`, `pushback`, `ReplayLayer`; implies `retry` |
//! | `metrics` | no | `metrics`: `Metrics` (the retry and breaker hooks) and `MeasureLayer`, through the `metrics` facade; implies `retry` and `breaker` |
//! | `reqwest` | no | `reqwest`: `RetryMiddleware`, a `reqwest_middleware::Middleware` that runs a `RetryLayer` around reqwest's attempts, and the classification of reqwest's errors and responses; implies `http` |
//! | `fault` | no | `fault`: `FaultLayer`, injected failures, latency and dropped responses, seeded, with a run-time switch |
//!
//! [`backoff`] and [`budget`] are always there.

pub mod backoff;
#[cfg(feature = "breaker")]
pub mod breaker;
pub mod budget;
#[cfg(any(feature = "retry", feature = "breaker"))]
mod classify;
mod deadline;
#[cfg(any(feature = "retry", feature = "timeout"))]
pub mod elapsed;
#[cfg(feature = "fault")]
pub mod fault;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "metrics")]
pub mod metrics;
#[cfg(feature = "reqwest")]
pub mod reqwest;
#[cfg(feature = "retry")]
pub mod retry;
#[cfg(feature = "timeout")]
pub mod timeout;

// The README's usage is compiled and run as a doc test, so that it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
