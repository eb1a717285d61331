//! A Tower layer that records each call's outcome, and hooks that record
//! [`error_tower`]'s retries on the same span.
//!
//! Put [`OtelLayer`] outside the retry layer: its span then covers the logical call, every
//! attempt included, which is what the RPC conventions ask for, and the retry layer's
//! hooks ([`RecordRetries`]) run inside it ([`OtelLayer::around_retry`] builds both in
//! that order, in one call), so one trace tells the whole story of a
//! retried call: a `classified.retry` event per retry, and the final outcome. A call that
//! succeeded after retries has no `error.type` and no `Error` status, because the
//! layer only sees the final result.
//!
//! HTTP clients are different: the conventions want one span per physical attempt, with
//! `http.request.resend_count` on the resends. [`AttemptLayer`], put inside the retry
//! layer, opens those spans; the outer [`OtelLayer`] then counts the attempts.
//!
//! ```
//! use error_otel::{Operation, OtelLayer};
//! use error_tower::retry::RetryLayer;
//! use tower::ServiceBuilder;
//!
//! let otel = OtelLayer::new(Operation::RPC_CLIENT);
//! let stack = ServiceBuilder::new().layer(otel.around_retry(RetryLayer::new()));
//! # drop(stack);
//! ```

mod attempt;
pub mod future;
mod layer;
mod retries;

pub use attempt::AttemptLayer;
pub use layer::{Otel, OtelLayer, SpanMode};
pub use retries::RecordRetries;
