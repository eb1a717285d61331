//! Cross-crate integration tests and the trybuild UI suite live in `tests/tests/`.
//!
//! The README's examples are compiled and run as doc tests of this crate, so the quickstart
//! cannot drift from the code.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
