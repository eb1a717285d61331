//! Tower middleware that acts on the [`Class`](error_core::Class) of an error: retries with
//! jittered backoff and budgets, deadlines, redirects to a leader hint, timeouts and a
//! circuit breaker.
//!
//! Not yet implemented: this crate reserves its place in the workspace, so that its
//! dependencies (on `error-core`, never the reverse) are fixed from the start.
