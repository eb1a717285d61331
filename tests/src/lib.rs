//! Cross-crate integration tests and the trybuild UI suite live in `tests/tests/`.
