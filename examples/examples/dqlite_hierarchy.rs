//! The dqlite client's exception hierarchy as nested enums, and a retry loop that honours
//! the no-leader retry hint. The code is in `examples/src/dqlite.rs`.
//!
//! Run it with `cargo run -p examples --example dqlite_hierarchy`.

fn main() {
    print!("{}", examples::dqlite::run());
}
