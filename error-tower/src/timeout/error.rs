//! [`Elapsed`]: the error of an attempt that took too long.

pub use crate::elapsed::Elapsed;
