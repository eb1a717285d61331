//! What both benchmarks share: each benchmark is a routine in the shape of criterion's
//! `iter_custom` (run `iters` operations, return the time they took), so that the same
//! routine feeds criterion and, after it, an interleaved comparison that prints ratios.
//!
//! # Why a second measurement for the ratios
//!
//! Criterion measures one benchmark after another and reports each alone. A ratio of two
//! figures taken seconds apart carries the drift between them (frequency scaling, another
//! process waking up). The comparison here runs the variants of one comparison in turn, round
//! after round, divides within each round, and reports the median of those per-round ratios:
//! the drift hits numerator and denominator alike.

use std::time::{Duration, Instant};

/// A routine in criterion's `iter_custom` shape: runs `iters` operations and returns how long
/// they took.
pub(crate) type Routine<'a> = Box<dyn FnMut(u64) -> Duration + 'a>;

/// Rounds of the interleaved comparison.
const ROUNDS: usize = 21;
/// How long one variant runs in one round.
const BATCH_TIME: Duration = Duration::from_millis(4);

/// How the bench binary was asked to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `cargo bench`: measure.
    Bench,
    /// `cargo test --benches`: run each routine briefly, to check that it works.
    Test,
    /// `--list`: print nothing of ours.
    List,
}

impl Mode {
    /// `cargo bench` passes `--bench`; `cargo test --benches` passes nothing (or
    /// `--test`): as criterion does, only `--bench` measures.
    pub(crate) fn from_args() -> Mode {
        let mut mode = Mode::Test;
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--list" => return Mode::List,
                "--bench" => mode = Mode::Bench,
                _ => {}
            }
        }
        mode
    }
}

/// One comparison: named routines, measured in turn.
pub(crate) struct Comparison<'a> {
    title: &'static str,
    unit: &'static str,
    variants: Vec<(&'static str, Routine<'a>)>,
    ratios: Vec<(&'static str, &'static str)>,
}

impl<'a> Comparison<'a> {
    /// `unit` names one operation, as in "ns per `unit`".
    pub(crate) fn new(title: &'static str, unit: &'static str) -> Self {
        Comparison {
            title,
            unit,
            variants: Vec::new(),
            ratios: Vec::new(),
        }
    }

    pub(crate) fn variant(mut self, name: &'static str, routine: Routine<'a>) -> Self {
        self.variants.push((name, routine));
        self
    }

    /// Reports `numerator / denominator`, both variant names.
    pub(crate) fn ratio(mut self, numerator: &'static str, denominator: &'static str) -> Self {
        self.ratios.push((numerator, denominator));
        self
    }

    /// Measures and prints.
    pub(crate) fn run(mut self, mode: Mode) {
        let (rounds, batch_time) = match mode {
            Mode::List => return,
            Mode::Test => (1, Duration::ZERO),
            Mode::Bench => (ROUNDS, BATCH_TIME),
        };
        let batches: Vec<u64> = self
            .variants
            .iter_mut()
            .map(|(_, routine)| calibrate(routine, batch_time))
            .collect();
        // ns per operation, per variant, per round.
        let mut samples = vec![Vec::with_capacity(rounds); self.variants.len()];
        for round in 0..rounds {
            // Rotate the order, so that no variant always runs right after the same one.
            for k in 0..self.variants.len() {
                let i = (round + k) % self.variants.len();
                let elapsed = (self.variants[i].1)(batches[i]);
                #[allow(clippy::cast_precision_loss)] // ns and counts far below 2^52
                samples[i].push(elapsed.as_nanos() as f64 / batches[i] as f64);
            }
        }
        println!();
        println!(
            "{}: ns per {}, median of {rounds} interleaved rounds",
            self.title, self.unit
        );
        if mode == Mode::Test {
            println!("  (--test: one operation per variant; these are not measurements)");
        }
        for ((name, _), ns) in self.variants.iter().zip(&samples) {
            println!("  {name:<40} {:>10.2} ns", median(ns.clone()));
        }
        for (numerator, denominator) in &self.ratios {
            let a = self.index(numerator);
            let b = self.index(denominator);
            let per_round: Vec<f64> = samples[a]
                .iter()
                .zip(&samples[b])
                .map(|(x, y)| x / y)
                .collect();
            println!(
                "  ratio {numerator} / {denominator}: {:.2}x",
                median(per_round)
            );
        }
    }

    fn index(&self, name: &str) -> usize {
        self.variants
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no variant named {name}"))
    }
}

/// The number of operations that takes about `target`.
fn calibrate(routine: &mut Routine<'_>, target: Duration) -> u64 {
    let mut iters = 1;
    loop {
        let elapsed = routine(iters);
        if elapsed >= target / 4 || iters >= 1 << 40 {
            let scale = target.as_secs_f64() / elapsed.as_secs_f64().max(1e-9);
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            return ((iters as f64 * scale) as u64).max(1);
        }
        iters *= 2;
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Times `iters` runs of `op` on this thread.
pub(crate) fn time<F: FnMut(u64)>(iters: u64, mut op: F) -> Duration {
    let start = Instant::now();
    for i in 0..iters {
        op(i);
    }
    start.elapsed()
}
