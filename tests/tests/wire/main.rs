//! Classified errors across real sockets: a tonic server and client, an axum server and a
//! hyper client, trace context from client to server, and a peer nobody here wrote (the
//! official Python `grpcio`), both ways.
//!
//! Every server listens on `127.0.0.1:0`, bound before it serves, so that a client can
//! connect as soon as the address is known; nothing sleeps to wait for readiness.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

mod grpc;
mod http;
mod otel;
mod python;
mod support;
