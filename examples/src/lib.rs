//! Runnable examples: see `examples/README.md`.
//!
//! Each scenario is a module of this library with a `run()` that returns exactly what its
//! example prints, so that the `tests` crate asserts the output without spawning cargo.

#![warn(missing_docs, missing_debug_implementations)]

pub mod dqlite;
pub mod mayastor;
pub mod slatedb;
pub mod tower_retry;
