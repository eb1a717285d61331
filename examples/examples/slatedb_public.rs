//! SlateDB's public error: an internal enum behind `error_core::Error`, and a caller that
//! decides from the class alone. The code is in `examples/src/slatedb.rs`.
//!
//! Run it with `cargo run -p examples --example slatedb_public`.

fn main() {
    print!("{}", examples::slatedb::run());
}
