//! The main demo: a three-node, raft-like key-value service on localhost ports (tonic), and
//! a client built from the whole stack (`OtelLayer` over `RetryLayer` over `BreakerLayer`
//! over a tonic channel per node), through a steady state, a leadership move, an overload,
//! a killed and restarted node, and bad requests.
//!
//! Run it with `cargo run -p examples --example cluster`. With `OTEL_EXPORTER_OTLP_ENDPOINT`
//! set (`http://localhost:4318`), the traces also go over OTLP/HTTP: one per call, across
//! the client and the servers. Code in `examples/src/cluster/`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = examples::cluster::run()?;
    println!("{report}");
    Ok(())
}
