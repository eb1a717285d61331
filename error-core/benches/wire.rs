//! What the rich error model costs: encoding a classified error with four fields and a
//! retry hint into a `tonic::Status` and decoding it back into an `Error`, against
//! building the same details by hand with `tonic-types` and reading them back, in one run.
//!
//! ```sh
//! cargo bench -p error-core --bench wire --features tonic,problem
//! ```
//!
//! Both sides do what a server and a client do: the server formats the four values and the
//! message and builds `ErrorInfo` (reason, domain, the code, the class and the four fields)
//! and `RetryInfo`; the client decodes the details and reads the class, the code, the hint
//! and the fields. Ours also keeps the fields in order, bounds what it reads and interns
//! the code. The problem+json pair is measured alone, for scale.
//!
//! First, before criterion's groups, both round trips are timed interleaved, round by
//! round, and the ratio of their fastest rounds printed: the figure to compare with the aim
//! (at most 1.2×). It stays meaningful on a machine whose load changes while criterion's
//! groups run one after the other, seconds apart.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use error_core::wire::{grpc, problem};
use error_core::{Class, ClassifiedError, Value};
use tonic_types::{ErrorDetails, StatusExt as _};

#[derive(Debug, ClassifiedError)]
#[class(busy, retry_after_ms = 250)]
#[error("too many pending proposals")]
struct Busy {
    pending: usize,
    max: usize,
    node: u64,
    queue: String,
}

fn error() -> Busy {
    Busy {
        pending: 128,
        max: 128,
        node: 3,
        queue: "ingest".to_owned(),
    }
}

/// The same details, by hand with `tonic-types`: what a server writes without this crate.
fn by_hand_encode(error: &Busy) -> tonic::Status {
    let message = format!(
        "too many pending proposals. pending=`{}`, max=`{}`, node=`{}`, queue=`{}`",
        error.pending, error.max, error.node, error.queue
    );
    let mut details = ErrorDetails::new();
    details.set_error_info(
        "BUSY",
        "kv.example",
        HashMap::from([
            ("code".to_owned(), "Busy".to_owned()),
            ("class".to_owned(), "busy".to_owned()),
            ("pending".to_owned(), error.pending.to_string()),
            ("max".to_owned(), error.max.to_string()),
            ("node".to_owned(), error.node.to_string()),
            ("queue".to_owned(), error.queue.clone()),
        ]),
    );
    details.set_retry_info(Some(Duration::from_millis(250)));
    tonic::Status::with_error_details(tonic::Code::ResourceExhausted, message, details)
}

/// What a client writes without this crate to act on them.
fn by_hand_decode(status: &tonic::Status) -> (Class, String, Option<Duration>, usize) {
    let details = status.get_error_details();
    let info = details.error_info();
    let class = info
        .and_then(|info| info.metadata.get("class"))
        .and_then(|class| class.parse().ok())
        .unwrap_or(Class::Internal);
    let code = info
        .and_then(|info| info.metadata.get("code"))
        .cloned()
        .unwrap_or_default();
    let hint = details.retry_info().and_then(|retry| retry.retry_delay);
    let fields = info.map_or(0, |info| info.metadata.len() - 2);
    (class, code, hint, fields)
}

fn ours(status: &tonic::Status) -> (Class, &'static str, Option<Duration>, usize) {
    let error = grpc::decode(status);
    let mut fields = 0;
    error.visit_fields(&mut |_: &'static str, value: Value<'_>| {
        black_box(value);
        fields += 1;
    });
    (error.class(), error.code(), error.retry_after(), fields)
}

fn bench(c: &mut Criterion) {
    let error = error();
    let encoder = grpc::Encoder::new("kv.example");

    // Both read back what they wrote.
    let (class, code, hint, fields) = ours(&encoder.encode(&error));
    assert_eq!(
        (class, code, hint, fields),
        (Class::Busy, "Busy", Some(Duration::from_millis(250)), 4)
    );
    let (class, code, hint, fields) = by_hand_decode(&by_hand_encode(&error));
    assert_eq!(
        (class, code.as_str(), hint, fields),
        (Class::Busy, "Busy", Some(Duration::from_millis(250)), 4)
    );

    let mut group = c.benchmark_group("grpc encode+decode, 4 fields");
    group.bench_function("error_core::wire::grpc", |b| {
        b.iter(|| black_box(ours(&encoder.encode(black_box(&error)))));
    });
    group.bench_function("by hand with tonic-types", |b| {
        b.iter(|| black_box(by_hand_decode(&by_hand_encode(black_box(&error)))));
    });
    group.finish();

    // The halves, to see where the time goes.
    let ours_status = encoder.encode(&error);
    let hand_status = by_hand_encode(&error);
    let mut group = c.benchmark_group("grpc halves, 4 fields");
    group.bench_function("encode: error_core::wire::grpc", |b| {
        b.iter(|| black_box(encoder.encode(black_box(&error))));
    });
    group.bench_function("encode: by hand with tonic-types", |b| {
        b.iter(|| black_box(by_hand_encode(black_box(&error))));
    });
    group.bench_function("decode: error_core::wire::grpc", |b| {
        b.iter(|| black_box(ours(black_box(&ours_status))));
    });
    group.bench_function("decode: by hand with tonic-types", |b| {
        b.iter(|| black_box(by_hand_decode(black_box(&hand_status))));
    });
    group.finish();

    c.bench_function("problem+json encode+decode, 4 fields", |b| {
        b.iter(|| {
            let (parts, body) = problem::to_response(black_box(&error)).into_parts();
            let decoded = problem::decode(parts.status, &parts.headers, &body);
            black_box((decoded.class(), decoded.code(), decoded.retry_after()))
        });
    });
}

/// The round trips of both, interleaved: `ROUNDS` rounds of `BATCH` calls of each, in
/// alternating order. On a machine shared with other work the load drifts between
/// criterion's groups, which run one after the other for seconds each; in a round both sides
/// see nearly the same load. Printed: the ratio of the fastest rounds (the least disturbed:
/// the figure to read), and the median of the rounds' ratios with its spread.
fn paired(error: &Busy, encoder: &grpc::Encoder) {
    const ROUNDS: usize = 1001;
    const BATCH: u32 = 500;
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..BATCH {
            f();
        }
        start.elapsed().as_secs_f64() * 1e9 / f64::from(BATCH)
    };
    let ours = || {
        black_box(ours(&encoder.encode(black_box(error))));
    };
    let by_hand = || {
        black_box(by_hand_decode(&by_hand_encode(black_box(error))));
    };
    let (mut ratios, mut ours_ns, mut hand_ns) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let (a, b) = if round % 2 == 0 {
            let a = time(&ours);
            (a, time(&by_hand))
        } else {
            let b = time(&by_hand);
            (time(&ours), b)
        };
        ratios.push(a / b);
        ours_ns.push(a);
        hand_ns.push(b);
    }
    for v in [&mut ratios, &mut ours_ns, &mut hand_ns] {
        v.sort_by(f64::total_cmp);
    }
    let at = |v: &[f64], percent: usize| v[(v.len() - 1) * percent / 100];
    println!(
        "grpc encode+decode, 4 fields, paired ({ROUNDS} rounds of {BATCH} calls each):\n  \
         fastest round: error_core::wire::grpc {:.0} ns, by hand with tonic-types {:.0} ns, \
         ratio {:.2}x\n  \
         median round: {:.0} ns and {:.0} ns; median ratio {:.2}x (10%..90%: {:.2}x..{:.2}x)",
        ours_ns[0],
        hand_ns[0],
        ours_ns[0] / hand_ns[0],
        at(&ours_ns, 50),
        at(&hand_ns, 50),
        at(&ratios, 50),
        at(&ratios, 10),
        at(&ratios, 90),
    );
}

criterion_group!(benches, bench);

fn main() {
    paired(&error(), &grpc::Encoder::new("kv.example"));
    benches();
    Criterion::default().configure_from_args().final_summary();
}
