//! Tower middleware that acts on the [`Class`](error_core::Class) of an error: retries with
//! jittered backoff and budgets, deadlines, redirects to a leader hint, timeouts and a
//! circuit breaker.
//!
//! Work in progress: [`backoff`] is here; the middleware follows.

pub mod backoff;
pub mod budget;
#[cfg(feature = "http")]
pub mod http;
pub mod retry;
pub mod timeout;
