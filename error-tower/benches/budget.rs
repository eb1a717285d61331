//! `error_tower::budget::Budget` against tower's `TpsBudget`, in the same run: one deposit,
//! one withdrawal, on one thread and with 2 threads on one budget.
//!
//! What each benchmark measures, per operation:
//!
//! | group | error-tower | tower `TpsBudget` |
//! |---|---|---|
//! | `deposit` | *at cap* (full, 10 of `max_balance(10)` tokens: the steady state of a healthy service), and *below cap* (`max_balance(u32::MAX)`, starting empty: the balance grows throughout) | `TpsBudget::default()` (10 s window, 10/s, 20 %) |
//! | `withdraw_granted` | a budget holding a token for every withdrawal of the sample (`max_balance` = `initial_balance` = the sample's count), so every withdrawal is granted and the clock is never read | a `TpsBudget` whose minimum rate (`i32::MAX - 1` a second) grants every withdrawal |
//! | `withdraw_empty` | an empty budget with the default minimum rate of 1 a second: denied, after reading the clock to credit the minimum rate (the path of every failure during an outage) | an empty `TpsBudget` (no minimum rate, no deposits): denied |
//! | `contended_*` | the same, with 2 threads on one budget (this machine's 2 cores); the time is that of the slower thread, per operation of one thread | the same |
//! | `contended_deposit`, `AtomicI64::fetch_add` | the floor of any budget kept in one shared atomic word: a bare `fetch_add` by both threads on one atomic, with no cap and no check | |
//!
//! Each sample builds a fresh budget outside the timed region. Outside a runtime, tokio's
//! `Instant::now` (read by `TpsBudget` on every operation, and by `Budget` only when it is
//! empty) is the system clock, behind a thread-local check for a paused clock (the
//! dev-dependency enables tokio's `test-util`).
//!
//! After criterion's figures, an interleaved comparison prints ns per operation and the
//! ratios (see `common`).

// Bench code: a failed unwrap is a broken bench, and a bench binary has no public API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

mod common;

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicI64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{Comparison, Mode, Routine};
use criterion::Criterion;
use error_tower::budget::Budget;
use tower::retry::budget::{Budget as _, TpsBudget};

/// Threads in the contended benchmarks.
const THREADS: usize = 2;

fn tokens(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// A budget that grants `count` withdrawals without reading the clock.
fn full_budget(count: u64) -> Budget {
    Budget::builder()
        .max_balance(tokens(count))
        .initial_balance(tokens(count))
        .build()
        .unwrap()
}

/// A budget holding its maximum, 10 tokens: the steady state of a healthy service.
fn at_cap() -> Budget {
    Budget::builder()
        .max_balance(10)
        .initial_balance(10)
        .build()
        .unwrap()
}

/// A `TpsBudget` that grants every withdrawal: its reserve is `i32::MAX - 1` a second.
fn generous_tps() -> TpsBudget {
    TpsBudget::new(Duration::from_secs(1), i32::MAX.unsigned_abs() - 1, 1.0)
}

/// `THREADS` threads each run `op` `iters` times on `budget`, from a barrier; the time of the
/// slower one.
fn contended<B: Sync>(budget: &B, iters: u64, op: impl Fn(&B) + Sync) -> Duration {
    let barrier = Barrier::new(THREADS);
    thread::scope(|scope| {
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        op(budget);
                    }
                    start.elapsed()
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .max()
            .unwrap()
    })
}

struct Group {
    name: &'static str,
    title: &'static str,
    variants: Vec<(&'static str, Routine<'static>)>,
    ratios: Vec<(&'static str, &'static str)>,
}

const ET: &str = "error-tower";
const ET_AT_CAP: &str = "error-tower at cap";
const ET_BELOW_CAP: &str = "error-tower below cap";
const TPS: &str = "tower TpsBudget";
/// The floor of any budget kept in one shared atomic: a bare `fetch_add` on it.
const FLOOR: &str = "AtomicI64::fetch_add";

fn deposit() -> Group {
    Group {
        name: "budget/deposit",
        title: "Budget::deposit, 1 thread",
        variants: vec![
            (
                ET_AT_CAP,
                Box::new(|iters| {
                    let budget = at_cap();
                    let elapsed = common::time(iters, |_| black_box(&budget).deposit());
                    assert_eq!(budget.balance(), 10);
                    elapsed
                }),
            ),
            (
                ET_BELOW_CAP,
                Box::new(|iters| {
                    let budget = Budget::builder()
                        .max_balance(u32::MAX)
                        .initial_balance(0)
                        .build()
                        .unwrap();
                    let elapsed = common::time(iters, |_| black_box(&budget).deposit());
                    assert_eq!(budget.balance(), iters / 2);
                    elapsed
                }),
            ),
            (
                TPS,
                Box::new(|iters| {
                    let budget = TpsBudget::default();
                    common::time(iters, |_| black_box(&budget).deposit())
                }),
            ),
        ],
        ratios: vec![(ET_AT_CAP, TPS), (ET_BELOW_CAP, TPS)],
    }
}

fn withdraw_granted() -> Group {
    Group {
        name: "budget/withdraw_granted",
        title: "Budget::withdraw granted, 1 thread",
        variants: vec![
            (
                ET,
                Box::new(|iters| {
                    let budget = full_budget(iters);
                    let mut granted = 0_u64;
                    let elapsed = common::time(iters, |_| {
                        granted += u64::from(black_box(&budget).withdraw());
                    });
                    assert_eq!(granted, iters);
                    elapsed
                }),
            ),
            (
                TPS,
                Box::new(|iters| {
                    let budget = generous_tps();
                    let mut granted = 0_u64;
                    let elapsed = common::time(iters, |_| {
                        granted += u64::from(black_box(&budget).withdraw());
                    });
                    assert_eq!(granted, iters);
                    elapsed
                }),
            ),
        ],
        ratios: vec![(ET, TPS)],
    }
}

fn withdraw_empty() -> Group {
    Group {
        name: "budget/withdraw_empty",
        title: "Budget::withdraw denied (empty), 1 thread",
        variants: vec![
            (
                ET,
                Box::new(|iters| {
                    // The default minimum rate (1 a second): each denial reads the clock.
                    let budget = Budget::builder().initial_balance(0).build().unwrap();
                    let mut granted = 0_u64;
                    let elapsed = common::time(iters, |_| {
                        granted += u64::from(black_box(&budget).withdraw());
                    });
                    // The minimum rate grants about one a second.
                    assert!(granted <= 1 + elapsed.as_secs());
                    elapsed
                }),
            ),
            (
                TPS,
                Box::new(|iters| {
                    let budget = TpsBudget::new(Duration::from_secs(1), 0, 1.0);
                    let mut granted = 0_u64;
                    let elapsed = common::time(iters, |_| {
                        granted += u64::from(black_box(&budget).withdraw());
                    });
                    assert_eq!(granted, 0);
                    elapsed
                }),
            ),
        ],
        ratios: vec![(ET, TPS)],
    }
}

fn contended_deposit() -> Group {
    Group {
        name: "budget/contended_deposit",
        title: "Budget::deposit, 2 threads on one budget, per operation of one thread",
        variants: vec![
            (
                ET_AT_CAP,
                Box::new(|iters| {
                    let budget = at_cap();
                    contended(&budget, iters, |b| black_box(b).deposit())
                }),
            ),
            (
                ET_BELOW_CAP,
                Box::new(|iters| {
                    let budget = Budget::builder()
                        .max_balance(u32::MAX)
                        .initial_balance(0)
                        .build()
                        .unwrap();
                    contended(&budget, iters, |b| black_box(b).deposit())
                }),
            ),
            (
                TPS,
                Box::new(|iters| {
                    let budget = TpsBudget::default();
                    contended(&budget, iters, |b| black_box(b).deposit())
                }),
            ),
            (
                FLOOR,
                Box::new(|iters| {
                    let balance = AtomicI64::new(0);
                    contended(&balance, iters, |b| {
                        black_box(b).fetch_add(500, Ordering::AcqRel);
                    })
                }),
            ),
        ],
        ratios: vec![(ET_AT_CAP, TPS), (ET_BELOW_CAP, TPS), (ET_BELOW_CAP, FLOOR)],
    }
}

fn contended_withdraw() -> Group {
    Group {
        name: "budget/contended_withdraw_granted",
        title: "Budget::withdraw granted, 2 threads on one budget, per operation of one thread",
        variants: vec![
            (
                ET,
                Box::new(|iters| {
                    let budget = full_budget(iters.saturating_mul(2));
                    contended(&budget, iters, |b| assert!(black_box(b).withdraw()))
                }),
            ),
            (
                TPS,
                Box::new(|iters| {
                    let budget = generous_tps();
                    contended(&budget, iters, |b| assert!(black_box(b).withdraw()))
                }),
            ),
        ],
        ratios: vec![(ET, TPS)],
    }
}

fn groups() -> [Group; 5] {
    [
        deposit(),
        withdraw_granted(),
        withdraw_empty(),
        contended_deposit(),
        contended_withdraw(),
    ]
}

fn main() {
    let mode = Mode::from_args();
    let mut criterion = Criterion::default().configure_from_args();
    for group in groups() {
        let mut bench = criterion.benchmark_group(group.name);
        for (name, mut routine) in group.variants {
            bench.bench_function(name, |b| b.iter_custom(&mut routine));
        }
        bench.finish();
    }
    criterion.final_summary();

    for group in groups() {
        let mut comparison = Comparison::new(group.title, "operation");
        for (name, routine) in group.variants {
            comparison = comparison.variant(name, routine);
        }
        for (numerator, denominator) in group.ratios {
            comparison = comparison.ratio(numerator, denominator);
        }
        comparison.run(mode);
    }
}
