//! A checkout saga (reserve inventory, charge payment, ship) with error-saga: payment
//! fails transient, then fatal, then a refund fails, then the caller gives up. The code is
//! in `examples/src/checkout.rs`.
//!
//! Run it with `cargo run -p examples --example checkout`.

fn main() {
    print!("{}", examples::checkout::run());
}
