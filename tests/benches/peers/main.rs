//! `#[derive(ClassifiedError)]` at run time, against its peers, in one run:
//!
//! 1. `Display`, the same string, against thiserror (whose messages spell out the
//!    ``key=`value` `` part by hand): a unit variant, two appended fields, an interpolated
//!    field. The error is formatted into a reused `String`, so this is formatting only.
//! 2. Construction, then `class()` and `code()` (and, second, all five of class, code,
//!    status, level and retry hint), against the thiserror enum with the `match`es a
//!    thiserror user writes by hand. The error goes through `black_box` between
//!    construction and classification, as it crosses a function boundary in a program, so
//!    that neither side's `match` is folded into a constant.
//! 3. A 3-level context chain, built (each layer a function) and rendered as one line:
//!    ours with context selectors and `error_core::Report`, against snafu's selectors,
//!    anyhow's `.with_context(|| format!(..))` and its `.context(..)` of a struct (both
//!    `{:#}`), error-stack's `change_context` (`{:#}`) and thiserror enums wrapped by hand
//!    with `map_err`. thiserror and snafu have no one-line report; they, and
//!    `ours (source walk)`, render with the same walk of `source()` (`types::one_line`).
//!    Each renders into a new `String`, as `to_string()` and `format!` do. Then the build
//!    alone, the rendering alone of prebuilt chains, and the rendering into a reused
//!    `String` (the formatting without the `String`'s allocations).
//! 4. `error_core::Error` from a leaf error and `downcast_ref` back, against
//!    `anyhow::Error::from` and `downcast_ref`, from the same leaf.
//! 5. `size_of` of each type.
//!
//! Every peer's output is checked against the same string before anything is timed. After
//! criterion's figures, each comparison runs again interleaved (`harness`), and a summary
//! table gives medians, ratios and the spread of the per-round ratios.
//!
//! ```sh
//! RUST_LIB_BACKTRACE=0 cargo bench -p tests --bench peers -- --warm-up-time 1 --measurement-time 2
//! ```
//!
//! Criterion's defaults here are those (1 s warm-up, 2 s per benchmark). Times are this
//! thread's CPU time (`harness::time`), for criterion too. `RUST_LIB_BACKTRACE=0` keeps
//! anyhow from capturing a backtrace per error when `RUST_BACKTRACE` is set (the bench warns
//! when one would be captured); error-stack is built without its `backtrace` feature.

// Bench code: a failed unwrap is a broken bench.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod harness;
#[allow(dead_code)] // `tests/test_alloc.rs` uses what the bench does not
mod types;

use std::backtrace::BacktraceStatus;
use std::fmt::{Display, Write as _};
use std::hint::black_box;
use std::mem::size_of;
use std::time::Duration;

use criterion::Criterion;
use error_core::{ClassifiedError, Report};
use harness::{Comparison, Measured, Mode, Routine, time};
use types::{CHAIN, ID, REPLICA, UUID, chain, one_line, ours, this};

/// Formats `error` into a reused buffer.
///
/// The buffer is allocated per batch, not per routine: freed after one variant's batch, it
/// is at the same address for the next variant's, so that the variants compared do not
/// differ in where they write. (With one buffer per routine, the same code was 16% faster
/// for one variant than the other in a full run and equal when run alone.)
fn display<E: Display + 'static>(error: E) -> Routine {
    Box::new(move |iters| {
        let mut buf = String::with_capacity(256);
        time(iters, |_| {
            buf.clear();
            write!(buf, "{}", black_box(&error)).unwrap();
            black_box(buf.as_str());
        })
    })
}

/// Ours and thiserror render the same strings.
fn check_display() {
    let pairs = [
        (
            ours::KvError::Shutdown.to_string(),
            this::KvError::Shutdown.to_string(),
        ),
        (
            ours::KvError::Busy {
                pending: 1024,
                max: 1024,
            }
            .to_string(),
            this::KvError::Busy {
                pending: 1024,
                max: 1024,
            }
            .to_string(),
        ),
        (
            ours::KvError::Timeout { ms: 250 }.to_string(),
            this::KvError::Timeout { ms: 250 }.to_string(),
        ),
    ];
    for ((ours, this), title) in pairs.iter().zip(DISPLAY) {
        assert_eq!(ours, this, "{title}: ours renders another string");
    }
}

fn display_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new(DISPLAY[0], "thiserror")
            .variant("ours", display(ours::KvError::Shutdown))
            .variant("thiserror", display(this::KvError::Shutdown)),
        Comparison::new(DISPLAY[1], "thiserror")
            .variant(
                "ours",
                display(ours::KvError::Busy {
                    pending: 1024,
                    max: 1024,
                }),
            )
            .variant(
                "thiserror",
                display(this::KvError::Busy {
                    pending: 1024,
                    max: 1024,
                }),
            ),
        Comparison::new(DISPLAY[2], "thiserror")
            .variant("ours", display(ours::KvError::Timeout { ms: 250 }))
            .variant("thiserror", display(this::KvError::Timeout { ms: 250 })),
    ]
}

/// One of four variants, chosen by `i`, none of which allocates.
macro_rules! kv_error {
    ($module:ident, $i:expr) => {{
        let i = $i;
        match i % 4 {
            0 => $module::KvError::Shutdown,
            #[allow(clippy::cast_possible_truncation)]
            1 => $module::KvError::Busy {
                pending: i as usize,
                max: 64,
            },
            2 => $module::KvError::NotLeader { leader: i, term: 3 },
            _ => $module::KvError::Timeout { ms: i },
        }
    }};
}

fn classify_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new(CLASSIFY[0], "thiserror + match")
            .variant(
                "ours",
                Box::new(|iters| {
                    time(iters, |i| {
                        let e = black_box(kv_error!(ours, i));
                        black_box((e.class(), e.code()));
                    })
                }),
            )
            .variant(
                "thiserror + match",
                Box::new(|iters| {
                    time(iters, |i| {
                        let e = black_box(kv_error!(this, i));
                        black_box((e.class(), e.code()));
                    })
                }),
            ),
        Comparison::new(CLASSIFY[1], "thiserror + match")
            .variant(
                "ours",
                Box::new(|iters| {
                    time(iters, |i| {
                        let e = black_box(kv_error!(ours, i));
                        black_box((e.class(), e.code(), e.status(), e.level(), e.retry_after()));
                    })
                }),
            )
            .variant(
                "thiserror + match",
                Box::new(|iters| {
                    time(iters, |i| {
                        let e = black_box(kv_error!(this, i));
                        black_box((e.class(), e.code(), e.status(), e.level(), e.retry_after()));
                    })
                }),
            ),
    ]
}

/// A routine that builds the chain with `build` and renders it with `render`.
fn chain_routine<E: 'static>(
    build: fn(u64, &str, u32) -> Result<(), E>,
    render: fn(&E) -> String,
) -> Routine {
    Box::new(move |iters| {
        time(iters, |_| {
            let error = build(black_box(REPLICA), black_box(UUID), black_box(ID)).unwrap_err();
            black_box(render(&error));
        })
    })
}

/// A routine that renders a prebuilt chain.
fn render_routine<E: 'static>(error: E, render: fn(&E) -> String) -> Routine {
    Box::new(move |iters| {
        time(iters, |_| {
            black_box(render(black_box(&error)));
        })
    })
}

/// A routine that renders a prebuilt chain with `render` into a `String` reused across
/// operations, as [`display`] does: the formatting alone, without the `String`'s allocation.
fn render_into_routine<E: 'static>(error: E, render: fn(&mut String, &E)) -> Routine {
    Box::new(move |iters| {
        let mut buf = String::with_capacity(256);
        time(iters, |_| {
            buf.clear();
            render(&mut buf, black_box(&error));
            black_box(buf.as_str());
        })
    })
}

fn ours_report_into(out: &mut String, e: &ours::ApiError) {
    write!(out, "{}", Report::new(e)).unwrap();
}

fn walk_into<E: std::error::Error + 'static>(out: &mut String, e: &E) {
    types::write_one_line(out, e).unwrap();
}

fn alternate_into<E: Display>(out: &mut String, e: &E) {
    write!(out, "{e:#}").unwrap();
}

fn ours_report(e: &ours::ApiError) -> String {
    Report::new(e).to_string()
}

fn ours_walk(e: &ours::ApiError) -> String {
    one_line(e)
}

fn snafu_walk(e: &types::snafu_peer::ApiError) -> String {
    one_line(e)
}

fn map_err_walk(e: &this::ApiError) -> String {
    one_line(e)
}

fn anyhow_alternate(e: &anyhow::Error) -> String {
    format!("{e:#}")
}

fn stack_alternate(e: &error_stack::Report<types::stack_peer::Request>) -> String {
    format!("{e:#}")
}

/// Every peer renders the same string.
fn check_chains() {
    let rendered = [
        (
            "ours (Report)",
            ours_report(&chain::ours(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            "ours (source walk)",
            ours_walk(&chain::ours(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            "snafu",
            snafu_walk(&chain::snafu(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            ANYHOW,
            anyhow_alternate(&chain::anyhow(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            ANYHOW_STRUCT,
            anyhow_alternate(&chain::anyhow_struct(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            "error-stack",
            stack_alternate(&chain::stack(REPLICA, UUID, ID).unwrap_err()),
        ),
        (
            "thiserror + map_err",
            map_err_walk(&chain::map_err(REPLICA, UUID, ID).unwrap_err()),
        ),
    ];
    for (name, text) in rendered {
        assert_eq!(text, CHAIN, "{name} renders another string");
    }
    let mut out = String::new();
    ours_report_into(&mut out, &chain::ours(REPLICA, UUID, ID).unwrap_err());
    assert_eq!(
        out, CHAIN,
        "ours (Report) into a buffer renders another string"
    );
}

fn chain_build_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new(CHAIN_BUILD_RENDER, "snafu")
            .variant("ours (Report)", chain_routine(chain::ours, ours_report))
            .variant("ours (source walk)", chain_routine(chain::ours, ours_walk))
            .variant("snafu", chain_routine(chain::snafu, snafu_walk))
            .variant(ANYHOW, chain_routine(chain::anyhow, anyhow_alternate))
            .variant(
                ANYHOW_STRUCT,
                chain_routine(chain::anyhow_struct, anyhow_alternate),
            )
            .variant("error-stack", chain_routine(chain::stack, stack_alternate))
            .variant(
                "thiserror + map_err",
                chain_routine(chain::map_err, map_err_walk),
            ),
        Comparison::new(CHAIN_BUILD, "snafu")
            .variant(
                "ours (Report)",
                chain_routine(chain::ours, |_| String::new()),
            )
            .variant("snafu", chain_routine(chain::snafu, |_| String::new()))
            .variant(ANYHOW, chain_routine(chain::anyhow, |_| String::new()))
            .variant(
                ANYHOW_STRUCT,
                chain_routine(chain::anyhow_struct, |_| String::new()),
            )
            .variant(
                "error-stack",
                chain_routine(chain::stack, |_| String::new()),
            )
            .variant(
                "thiserror + map_err",
                chain_routine(chain::map_err, |_| String::new()),
            ),
    ]
}

fn chain_render_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new(CHAIN_RENDER, "snafu")
            .variant(
                "ours (Report)",
                render_routine(chain::ours(REPLICA, UUID, ID).unwrap_err(), ours_report),
            )
            .variant(
                "ours (source walk)",
                render_routine(chain::ours(REPLICA, UUID, ID).unwrap_err(), ours_walk),
            )
            .variant(
                "snafu",
                render_routine(chain::snafu(REPLICA, UUID, ID).unwrap_err(), snafu_walk),
            )
            .variant(
                ANYHOW,
                render_routine(
                    chain::anyhow(REPLICA, UUID, ID).unwrap_err(),
                    anyhow_alternate,
                ),
            )
            .variant(
                ANYHOW_STRUCT,
                render_routine(
                    chain::anyhow_struct(REPLICA, UUID, ID).unwrap_err(),
                    anyhow_alternate,
                ),
            )
            .variant(
                "error-stack",
                render_routine(
                    chain::stack(REPLICA, UUID, ID).unwrap_err(),
                    stack_alternate,
                ),
            )
            .variant(
                "thiserror + map_err",
                render_routine(chain::map_err(REPLICA, UUID, ID).unwrap_err(), map_err_walk),
            ),
        Comparison::new(CHAIN_RENDER_INTO, "snafu")
            .variant(
                "ours (Report)",
                render_into_routine(
                    chain::ours(REPLICA, UUID, ID).unwrap_err(),
                    ours_report_into,
                ),
            )
            .variant(
                "ours (source walk)",
                render_into_routine(chain::ours(REPLICA, UUID, ID).unwrap_err(), walk_into),
            )
            .variant(
                "snafu",
                render_into_routine(chain::snafu(REPLICA, UUID, ID).unwrap_err(), walk_into),
            )
            .variant(
                ANYHOW,
                render_into_routine(
                    chain::anyhow(REPLICA, UUID, ID).unwrap_err(),
                    alternate_into,
                ),
            )
            .variant(
                ANYHOW_STRUCT,
                render_into_routine(
                    chain::anyhow_struct(REPLICA, UUID, ID).unwrap_err(),
                    alternate_into,
                ),
            )
            .variant(
                "error-stack",
                render_into_routine(chain::stack(REPLICA, UUID, ID).unwrap_err(), alternate_into),
            )
            .variant(
                "thiserror + map_err",
                render_into_routine(chain::map_err(REPLICA, UUID, ID).unwrap_err(), walk_into),
            ),
    ]
}

fn boundary_comparisons() -> Vec<Comparison> {
    vec![
        Comparison::new(BOUNDARY, "anyhow::Error")
            .variant(
                "error_core::Error",
                Box::new(|iters| {
                    time(iters, |i| {
                        let leaf = ours::StorageError::ReplicaExists { replica: i };
                        let e = error_core::Error::from(black_box(leaf));
                        let back = black_box(&e).downcast_ref::<ours::StorageError>();
                        black_box(back.is_some());
                    })
                }),
            )
            .variant(
                "anyhow::Error",
                Box::new(|iters| {
                    time(iters, |i| {
                        let leaf = ours::StorageError::ReplicaExists { replica: i };
                        let e = anyhow::Error::from(black_box(leaf));
                        let back = black_box(&e).downcast_ref::<ours::StorageError>();
                        black_box(back.is_some());
                    })
                }),
            ),
    ]
}

fn print_sizes() {
    println!();
    println!("size_of, bytes (a `Result<T, E>`'s error is moved on every return):");
    let rows = [
        ("KvError: ours", size_of::<ours::KvError>()),
        ("KvError: thiserror", size_of::<this::KvError>()),
        ("StorageError (leaf): ours", size_of::<ours::StorageError>()),
        ("StorageError: thiserror", size_of::<this::StorageError>()),
        (
            "StorageError: snafu",
            size_of::<types::snafu_peer::StorageError>(),
        ),
        ("ApiError (3 levels): ours", size_of::<ours::ApiError>()),
        ("ApiError: thiserror", size_of::<this::ApiError>()),
        ("ApiError: snafu", size_of::<types::snafu_peer::ApiError>()),
        ("error_core::Error", size_of::<error_core::Error>()),
        ("anyhow::Error", size_of::<anyhow::Error>()),
        (
            "error_stack::Report<C>",
            size_of::<error_stack::Report<types::stack_peer::Request>>(),
        ),
    ];
    for (name, size) in rows {
        println!("  {name:<28} {size:>4}");
    }
}

/// Titles, shared by the comparisons and the summary.
const DISPLAY: [&str; 3] = [
    "display: unit variant",
    "display: 2 fields appended",
    "display: interpolated field",
];
const CLASSIFY: [&str; 2] = [
    "construct + class() + code()",
    "construct + class, code, status, level, retry_after",
];
const CHAIN_BUILD_RENDER: &str = "3-level chain: build + one line";
const CHAIN_BUILD: &str = "3-level chain: build only";
const CHAIN_RENDER: &str = "3-level chain: one line of a prebuilt chain";
const CHAIN_RENDER_INTO: &str = "3-level chain: one line of a prebuilt chain, into a reused String";
/// anyhow's two ways to add context: a `format!`ted message, or a struct shown lazily.
const ANYHOW: &str = "anyhow (format!)";
const ANYHOW_STRUCT: &str = "anyhow (struct)";
const BOUNDARY: &str = "boundary: from a leaf + downcast_ref";

/// One row of the summary: ours against a peer in a comparison, and the target, if any.
struct Row {
    title: &'static str,
    ours: &'static str,
    peer: &'static str,
    target: Option<f64>,
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for title in DISPLAY {
        rows.push(Row {
            title,
            ours: "ours",
            peer: "thiserror",
            target: Some(1.05),
        });
    }
    for title in CLASSIFY {
        rows.push(Row {
            title,
            ours: "ours",
            peer: "thiserror + match",
            target: None,
        });
    }
    for title in [
        CHAIN_BUILD_RENDER,
        CHAIN_BUILD,
        CHAIN_RENDER,
        CHAIN_RENDER_INTO,
    ] {
        for peer in [
            "snafu",
            ANYHOW,
            ANYHOW_STRUCT,
            "error-stack",
            "thiserror + map_err",
        ] {
            rows.push(Row {
                title,
                ours: "ours (Report)",
                peer,
                target: (title == CHAIN_BUILD_RENDER && peer == "snafu").then_some(1.0),
            });
        }
    }
    rows.push(Row {
        title: BOUNDARY,
        ours: "error_core::Error",
        peer: "anyhow::Error",
        target: Some(1.0),
    });
    rows
}

fn summary(measured: &[Measured], mode: Mode) {
    println!();
    println!(
        "summary: median ns per operation; ratio = median of the per-round ratios, \
         spread = their quartiles"
    );
    println!();
    println!("| comparison | ours | ns | peer | ns | ours / peer | spread | target |");
    println!("|---|---|--:|---|--:|--:|--:|---|");
    for row in rows() {
        // A comparison that the filter left out has no row.
        let Some(m) = measured.iter().find(|m| m.title == row.title) else {
            continue;
        };
        let ratio = m.ratio(row.ours, row.peer);
        let (low, high) = m.ratio_quartiles(row.ours, row.peer);
        // Met when the median ratio is within the limit; "within noise" when the limit is
        // inside the quartiles, where another run may well say the other thing.
        let target = match row.target {
            Some(_) if mode == Mode::Test => "(not measured)".to_owned(),
            Some(limit) if high <= limit => format!("≤ {limit:.2}x: met"),
            Some(limit) if ratio <= limit => format!("≤ {limit:.2}x: met (within noise)"),
            Some(limit) if low <= limit => format!("≤ {limit:.2}x: **not met** (within noise)"),
            Some(limit) => format!("≤ {limit:.2}x: **not met**"),
            None => String::new(),
        };
        println!(
            "| {} | {} | {:.1} | {} | {:.1} | {ratio:.2}x | {low:.2}–{high:.2} | {target} |",
            m.title,
            row.ours,
            m.median(row.ours),
            row.peer,
            m.median(row.peer),
        );
    }
}

fn main() {
    let mode = Mode::from_args();
    if mode != Mode::List
        && std::backtrace::Backtrace::capture().status() == BacktraceStatus::Captured
    {
        eprintln!(
            "warning: backtraces are on (RUST_BACKTRACE or RUST_LIB_BACKTRACE), and anyhow \
             captures one per error: its figures measure that; run with RUST_LIB_BACKTRACE=0"
        );
    }
    check_display();
    check_chains();

    let mut comparisons = Vec::new();
    comparisons.extend(display_comparisons());
    comparisons.extend(classify_comparisons());
    comparisons.extend(chain_build_comparisons());
    comparisons.extend(chain_render_comparisons());
    comparisons.extend(boundary_comparisons());

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for comparison in &mut comparisons {
        let mut group = criterion.benchmark_group(comparison.title);
        for (name, routine) in comparison.variants_mut() {
            group.bench_function(name, |b| b.iter_custom(&mut *routine));
        }
        group.finish();
    }
    criterion.final_summary();
    if mode == Mode::List {
        return;
    }

    let filter = harness::filter_from_args();
    let measured: Vec<Measured> = comparisons
        .into_iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.title.contains(f.as_str())))
        .map(|c| c.run(mode))
        .collect();
    if mode == Mode::Test {
        println!("(--test: one operation per variant; these are not measurements)");
    }
    for m in &measured {
        m.print();
    }
    if filter.is_none() {
        print_sizes();
    }
    summary(&measured, mode);
}
