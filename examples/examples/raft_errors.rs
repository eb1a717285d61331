//! A raft runtime's errors, written with `#[derive(ClassifiedError)]`: every variant maps to
//! exactly one caller action, and the caller decides from the class alone. The code is in
//! `examples/src/raft.rs`.
//!
//! Run it with `cargo run -p examples --example raft_errors`.

fn main() {
    print!("{}", examples::raft::run());
}
