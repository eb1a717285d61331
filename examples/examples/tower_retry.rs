//! A raft-like cluster of three in-process nodes behind error-tower's `RetryLayer`,
//! `BreakerLayer` and `TimeoutLayer`, on tokio's paused clock: a leader move, a dead
//! leader and an overload. The code is in `examples/src/tower_retry.rs`.
//!
//! Run it with `cargo run -p examples --example tower_retry`.

fn main() {
    print!("{}", examples::tower_retry::run());
}
