//! Runnable examples: see `examples/README.md`.
