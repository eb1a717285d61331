//! Interleaved comparisons, after criterion's figures, as in error-tower's benches.
//!
//! Each variant is a routine in criterion's `iter_custom` shape (run `iters` operations,
//! return the time they took), so that the same routine feeds criterion and this
//! comparison. Criterion measures one benchmark after another; a ratio of two figures taken
//! seconds apart carries the drift between them (frequency scaling, another process waking
//! up). Here the variants of one comparison run in turn, round after round, in an order that
//! rotates each round; each ratio is the median of the per-round ratios, so that drift hits
//! numerator and denominator alike.

use std::time::Duration;

/// A routine in criterion's `iter_custom` shape.
pub(crate) type Routine = Box<dyn FnMut(u64) -> Duration>;

/// Rounds of an interleaved comparison.
const ROUNDS: usize = 51;
/// How long one variant runs in one round.
const BATCH_TIME: Duration = Duration::from_millis(4);

/// How the bench binary was asked to run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `cargo bench`: measure.
    Bench,
    /// `cargo test --benches`: run each routine once, to check that it works.
    Test,
    /// `--list`: print nothing of ours.
    List,
}

impl Mode {
    /// `cargo bench` passes `--bench`; `cargo test --benches` does not: as criterion does,
    /// only `--bench` measures.
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

/// The benchmark filter on the command line (criterion's positional argument), if any:
/// the interleaved comparisons whose title contains it run, as criterion's benchmarks whose
/// name matches it do. (Criterion reads it as a regular expression; a plain word, as in
/// `-- chain`, means the same to both.)
pub(crate) fn filter_from_args() -> Option<String> {
    // Criterion's options that take a value: their value is not the filter.
    const WITH_VALUE: [&str; 16] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--profile-time",
        "--plotting-backend",
        "--output-format",
        "--color",
        "--format",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if WITH_VALUE.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}

/// One comparison: named routines, measured in turn.
pub(crate) struct Comparison {
    pub(crate) title: &'static str,
    base: &'static str,
    variants: Vec<(&'static str, Routine)>,
}

/// What a comparison measured: ns per operation, per variant, per round.
pub(crate) struct Measured {
    pub(crate) title: &'static str,
    base: &'static str,
    names: Vec<&'static str>,
    samples: Vec<Vec<f64>>,
}

impl Comparison {
    /// The ratios printed are to `base`, a variant's name.
    pub(crate) fn new(title: &'static str, base: &'static str) -> Self {
        Comparison {
            title,
            base,
            variants: Vec::new(),
        }
    }

    pub(crate) fn variant(mut self, name: &'static str, routine: Routine) -> Self {
        self.variants.push((name, routine));
        self
    }

    /// The variants, for criterion.
    pub(crate) fn variants_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Routine)> {
        self.variants
            .iter_mut()
            .map(|(name, routine)| (*name, routine))
    }

    /// Measures, interleaved.
    pub(crate) fn run(mut self, mode: Mode) -> Measured {
        let (rounds, batch_time) = match mode {
            Mode::Bench => (ROUNDS, BATCH_TIME),
            Mode::Test | Mode::List => (1, Duration::ZERO),
        };
        let batches: Vec<u64> = self
            .variants
            .iter_mut()
            .map(|(_, routine)| calibrate(routine, batch_time))
            .collect();
        let mut samples = vec![Vec::with_capacity(rounds); self.variants.len()];
        for round in 0..rounds {
            for k in 0..self.variants.len() {
                let i = (round + k) % self.variants.len();
                let elapsed = (self.variants[i].1)(batches[i]);
                #[allow(clippy::cast_precision_loss)] // ns and counts far below 2^52
                samples[i].push(elapsed.as_nanos() as f64 / batches[i] as f64);
            }
        }
        Measured {
            title: self.title,
            base: self.base,
            names: self.variants.iter().map(|(name, _)| *name).collect(),
            samples,
        }
    }
}

impl Measured {
    fn index(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{}: no variant named {name}", self.title))
    }

    /// The median ns per operation of `name`.
    pub(crate) fn median(&self, name: &str) -> f64 {
        median(self.samples[self.index(name)].clone())
    }

    /// The per-round ratios `numerator / denominator`, sorted.
    fn ratios(&self, numerator: &str, denominator: &str) -> Vec<f64> {
        let a = &self.samples[self.index(numerator)];
        let b = &self.samples[self.index(denominator)];
        let mut ratios: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        ratios.sort_by(f64::total_cmp);
        ratios
    }

    /// The median of the per-round ratios `numerator / denominator`.
    pub(crate) fn ratio(&self, numerator: &str, denominator: &str) -> f64 {
        median(self.ratios(numerator, denominator))
    }

    /// The spread of the per-round ratios: their first and third quartiles.
    pub(crate) fn ratio_quartiles(&self, numerator: &str, denominator: &str) -> (f64, f64) {
        let ratios = self.ratios(numerator, denominator);
        let last = ratios.len() - 1;
        (ratios[last / 4], ratios[last - last / 4])
    }

    /// Every variant's median, and its ratio to the base.
    pub(crate) fn print(&self) {
        let base = self.base;
        println!();
        println!(
            "{}: ns per operation, median of {} interleaved rounds; ratio to {base} \
             (median of the per-round ratios, and their quartiles)",
            self.title,
            self.samples[0].len()
        );
        for name in &self.names {
            let (low, high) = self.ratio_quartiles(name, base);
            println!(
                "  {name:<28} {:>9.1} ns  {:>5.2}x  [{low:.2}, {high:.2}]",
                self.median(name),
                self.ratio(name, base)
            );
        }
    }
}

/// The number of operations that takes about `target`.
fn calibrate(routine: &mut Routine, target: Duration) -> u64 {
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

/// This thread's CPU time.
fn thread_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// Times `iters` runs of `op`, in this thread's CPU time: on a machine shared with other
/// work, the time the thread spends descheduled is not counted (what the other work does
/// to caches still is).
pub(crate) fn time<F: FnMut(u64)>(iters: u64, mut op: F) -> Duration {
    let start = thread_cpu_time();
    for i in 0..iters {
        op(i);
    }
    thread_cpu_time().saturating_sub(start)
}
