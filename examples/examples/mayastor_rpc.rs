//! mayastor's replica RPC errors: context layers over replica and nvmf errors, with the
//! gRPC status found down the chain. The code is in `examples/src/mayastor.rs`.
//!
//! Run it with `cargo run -p examples --example mayastor_rpc`.

fn main() {
    print!("{}", examples::mayastor::run());
}
