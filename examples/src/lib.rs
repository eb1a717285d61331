//! Runnable examples: see `examples/README.md`.
//!
//! Each scenario is a module of this library with a `run()` that returns exactly what its
//! example prints, so that the `tests` crate asserts the output without spawning cargo.

#![warn(missing_docs, missing_debug_implementations)]

pub mod checkout;
pub mod dqlite;
pub mod mayastor;
pub mod raft;
pub mod slatedb;
pub mod tower_retry;

/// What `write` writes, as a `String`: what an example prints. Writing to a `String`
/// cannot fail, so the `fmt::Result` carries nothing.
fn render(write: impl FnOnce(&mut String) -> core::fmt::Result) -> String {
    let mut out = String::new();
    let _ = write(&mut out);
    out
}
