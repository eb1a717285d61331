//! [`State`], the machine behind it, and the [`BreakerHandle`] that observes and overrides
//! it.
//!
//! One [`Shared`] is shared by every clone of a breaker (and by every service a
//! [`BreakerLayer`](super::BreakerLayer) makes). It has two halves:
//!
//! - a fast path of atomics, read and written without a lock: the word that says "closed,
//!   record outcomes" (or "forced closed, record nothing") with the generation of that
//!   period, the counter of consecutive failures, and the failure-rate window's buckets;
//! - a [`Machine`] behind a `std` mutex for everything else: the open interval, the probes
//!   of the half-open state, the forced modes. It is held for a few comparisons and never
//!   across an `.await`, and only taken when the breaker is not closed, when a closed
//!   breaker trips, or when a probe ends.
//!
//! The generation changes on every transition. An outcome carries the generation it was
//! admitted in, and is ignored if the breaker has moved on since: a slow call sent before
//! the breaker opened neither re-opens it nor closes it later.

use core::fmt;
use core::time::Duration;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use error_core::Class;
use tokio::time::Instant;

use super::error::Open;

/// The state of a breaker, as [`BreakerHandle::state`] reports it. Its `Display` is
/// `closed`, `open`, `half-open`, `forced open` or `forced closed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Calls go through; outcomes are counted.
    Closed,
    /// Calls fail fast with [`Open`]; the open interval has not passed yet.
    Open,
    /// The open interval has passed: a bounded number of probes go through, the other calls
    /// fail fast. The next call is a probe if a probe slot is free.
    HalfOpen,
    /// Forced open by [`BreakerHandle::force_open`]: every call fails fast.
    ForcedOpen,
    /// Forced closed by [`BreakerHandle::force_closed`]: every call goes through and
    /// nothing is counted.
    ForcedClosed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half-open",
            State::ForcedOpen => "forced open",
            State::ForcedClosed => "forced closed",
        })
    }
}

/// Observes a breaker, and forces it open or closed. Cloneable; every clone, and every
/// clone of the breaker, acts on the same breaker.
///
/// ```
/// use error_tower::breaker::{BreakerLayer, State};
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let handle = BreakerLayer::new().handle();
/// assert_eq!(handle.state(), State::Closed);
/// handle.force_open();
/// assert_eq!(handle.state(), State::ForcedOpen);
/// handle.release();
/// assert_eq!(handle.state(), State::HalfOpen, "a released breaker probes first");
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct BreakerHandle {
    shared: Arc<Shared>,
}

impl BreakerHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        BreakerHandle { shared }
    }

    /// Forces the breaker open until [`release`](Self::release) or
    /// [`force_closed`](Self::force_closed): every call fails fast with an [`Open`] error
    /// that has no retry hint. Calls in flight finish, and their outcomes are ignored.
    pub fn force_open(&self) {
        self.shared.force(Mode::ForcedOpen);
    }

    /// Forces the breaker closed until [`release`](Self::release) or
    /// [`force_open`](Self::force_open): every call goes through, and no outcome is
    /// counted, so the breaker does not trip.
    pub fn force_closed(&self) {
        self.shared.force(Mode::ForcedClosed);
    }

    /// Returns the breaker to automatic operation. From forced open it resumes half-open,
    /// so that probes test the backend before it takes full traffic again; from forced
    /// closed it resumes closed, with nothing counted yet. A breaker that is not forced is
    /// left as it is.
    pub fn release(&self) {
        self.shared.force(Mode::Automatic);
    }

    /// The breaker's state now. An open breaker whose open interval has passed is
    /// [`State::HalfOpen`], even before a call makes it so.
    #[must_use]
    pub fn state(&self) -> State {
        self.shared.state(Instant::now())
    }
}

/// The breaker's settings, validated by [`BreakerBuilder::build`](super::BreakerBuilder::build).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) consecutive_failures: Option<u32>,
    pub(crate) rate: Option<Rate>,
    pub(crate) open_interval: Duration,
    pub(crate) probes: u32,
    pub(crate) close_after: u32,
    pub(crate) half_open_retry_after: Duration,
    pub(crate) unclassified_is_failure: bool,
}

/// The failure-rate rule: trip when at least `ratio` of at least `minimum_calls` calls in
/// the last `window` failed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rate {
    pub(crate) ratio: f64,
    pub(crate) minimum_calls: u32,
    pub(crate) window: Duration,
}

/// What a call's outcome says about the backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// An `Ok`.
    Success,
    /// A server-side class (`transient`, `busy`, `fatal`, `internal`), or an unclassified
    /// error when those count.
    Failure,
    /// A client-side class, or a call dropped before it finished: no evidence either way.
    Neutral,
}

/// What an admitted call must report when it ends.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ticket {
    /// Forced closed: nothing.
    Pass,
    /// A call of the closed period `generation`.
    Closed { generation: u64 },
    /// A probe of the half-open period `generation`.
    Probe { generation: u64 },
}

/// The low two bits of [`Shared::word`].
const TAG_BITS: u32 = 2;
const TAG_MASK: u64 = (1 << TAG_BITS) - 1;
/// Closed: admit without the lock, record outcomes.
const TAG_CLOSED: u64 = 0;
/// Forced closed: admit without the lock, record nothing.
const TAG_PASS: u64 = 1;
/// Anything else: take the lock.
const TAG_SLOW: u64 = 2;

#[derive(Debug)]
pub(crate) struct Shared {
    config: Config,
    /// `generation << TAG_BITS | tag`: the fast path's view of the machine. Written only
    /// with `machine` locked; read without it.
    word: AtomicU64,
    /// Consecutive failures in the current closed period.
    consecutive: AtomicU32,
    /// The failure-rate rule's window, if the rule is on.
    window: Option<Window>,
    machine: Mutex<Machine>,
}

#[derive(Debug)]
struct Machine {
    generation: u64,
    mode: Mode,
    phase: Phase,
    /// Probes not yet ended, of this half-open period or of an earlier one: a probe that
    /// outlives its period (another probe failed and re-opened the breaker) still holds its
    /// slot, so that the backend never sees more than `probes` of them at once.
    probes_in_flight: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Automatic,
    ForcedOpen,
    ForcedClosed,
}

#[derive(Clone, Copy, Debug)]
enum Phase {
    Closed,
    Open { until: Instant },
    HalfOpen { successes: u32 },
}

impl Shared {
    pub(crate) fn new(config: Config) -> Self {
        Shared {
            config,
            word: AtomicU64::new(TAG_CLOSED),
            consecutive: AtomicU32::new(0),
            window: config.rate.map(|rate| Window::new(rate.window)),
            machine: Mutex::new(Machine {
                generation: 0,
                mode: Mode::Automatic,
                phase: Phase::Closed,
                probes_in_flight: 0,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Machine> {
        // Nothing panics while the lock is held; were it poisoned, the machine would still
        // be consistent, since every transition is a single assignment.
        self.machine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Admits a call (with the ticket its outcome must be reported with), or refuses it.
    pub(crate) fn admit(&self) -> Result<Ticket, Open> {
        let current = self.word.load(Ordering::Acquire);
        match current & TAG_MASK {
            TAG_CLOSED => Ok(Ticket::Closed {
                generation: current >> TAG_BITS,
            }),
            TAG_PASS => Ok(Ticket::Pass),
            _ => self.admit_slow(Instant::now()),
        }
    }

    fn admit_slow(&self, now: Instant) -> Result<Ticket, Open> {
        let mut machine = self.lock();
        match machine.mode {
            Mode::ForcedOpen => return Err(Open::new(State::ForcedOpen, None)),
            Mode::ForcedClosed => return Ok(Ticket::Pass),
            Mode::Automatic => {}
        }
        if let Phase::Open { until } = machine.phase {
            if now < until {
                return Err(Open::new(State::Open, Some(until - now)));
            }
            self.enter(&mut machine, half_open());
        }
        let generation = machine.generation;
        match machine.phase {
            Phase::Closed => Ok(Ticket::Closed { generation }),
            Phase::HalfOpen { .. } if machine.probes_in_flight < self.config.probes => {
                machine.probes_in_flight += 1;
                Ok(Ticket::Probe { generation })
            }
            Phase::HalfOpen { .. } | Phase::Open { .. } => Err(Open::new(
                State::HalfOpen,
                Some(self.config.half_open_retry_after),
            )),
        }
    }

    /// What a failure of class `class` (`None`: unclassified) says about the backend; see
    /// the [module documentation](super).
    pub(crate) fn verdict_of(&self, class: Option<Class>) -> Verdict {
        match class {
            Some(Class::Transient | Class::Busy | Class::Fatal | Class::Internal) => {
                Verdict::Failure
            }
            None if self.config.unclassified_is_failure => Verdict::Failure,
            // Client-side classes, any class added later until it is sorted, and (when
            // they do not count) unclassified errors.
            Some(_) | None => Verdict::Neutral,
        }
    }

    pub(crate) fn record(&self, ticket: Ticket, verdict: Verdict) {
        match ticket {
            Ticket::Pass => {}
            Ticket::Closed { generation } => self.record_closed(generation, verdict),
            Ticket::Probe { generation } => self.record_probe(generation, verdict),
        }
    }

    /// The closed state's bookkeeping: lock-free unless the failure trips the breaker.
    fn record_closed(&self, generation: u64, verdict: Verdict) {
        // An outcome of an earlier period is ignored. One that passes this check an instant
        // before a transition may still land in the new period's counters: at most once
        // per call in flight at that instant, which the lock on this path would cost more
        // than it is worth to prevent.
        if verdict == Verdict::Neutral
            || self.word.load(Ordering::Acquire) != word(generation, TAG_CLOSED)
        {
            return;
        }
        let now = self.window.as_ref().map(|_| Instant::now());
        let failed = verdict == Verdict::Failure;
        let mut trips = false;
        if let (Some(window), Some(now), Some(rate)) = (&self.window, now, self.config.rate) {
            window.record(now, failed);
            trips = failed && window.trips(now, rate);
        }
        if let Some(threshold) = self.config.consecutive_failures {
            if failed {
                let consecutive = self.consecutive.fetch_add(1, Ordering::AcqRel) + 1;
                trips |= consecutive >= threshold;
            } else if self.consecutive.load(Ordering::Relaxed) != 0 {
                // Load first: a success does not write the shared line unless it must.
                self.consecutive.store(0, Ordering::Release);
            }
        }
        if trips {
            let now = now.unwrap_or_else(Instant::now);
            let mut machine = self.lock();
            // Another failure of the same period may have tripped it already.
            if word(machine.generation, TAG_CLOSED) == word(generation, TAG_CLOSED)
                && machine.mode == Mode::Automatic
                && matches!(machine.phase, Phase::Closed)
            {
                self.enter(&mut machine, self.open_from(now));
            }
        }
    }

    fn record_probe(&self, generation: u64, verdict: Verdict) {
        let mut machine = self.lock();
        machine.probes_in_flight = machine.probes_in_flight.saturating_sub(1);
        if machine.generation != generation || machine.mode != Mode::Automatic {
            return;
        }
        let Phase::HalfOpen { successes } = &mut machine.phase else {
            return;
        };
        match verdict {
            Verdict::Success => {
                *successes += 1;
                if *successes >= self.config.close_after {
                    self.enter(&mut machine, Phase::Closed);
                }
            }
            Verdict::Failure => {
                let open = self.open_from(Instant::now());
                self.enter(&mut machine, open);
            }
            // The slot is free again; the next call probes instead.
            Verdict::Neutral => {}
        }
    }

    fn open_from(&self, now: Instant) -> Phase {
        Phase::Open {
            until: saturating_add(now, self.config.open_interval),
        }
    }

    /// Moves to `phase` in a new generation, and publishes it to the fast path.
    fn enter(&self, machine: &mut Machine, phase: Phase) {
        machine.generation = machine.generation.wrapping_add(1);
        machine.phase = phase;
        self.publish(machine);
    }

    fn publish(&self, machine: &Machine) {
        let tag = match (machine.mode, machine.phase) {
            (Mode::Automatic, Phase::Closed) => {
                // A new closed period starts with nothing counted. The counters are reset
                // before the word admits calls of the new generation.
                self.consecutive.store(0, Ordering::Release);
                if let Some(window) = &self.window {
                    window.clear();
                }
                TAG_CLOSED
            }
            (Mode::ForcedClosed, _) => TAG_PASS,
            _ => TAG_SLOW,
        };
        self.word
            .store(word(machine.generation, tag), Ordering::Release);
    }

    fn force(&self, mode: Mode) {
        let mut machine = self.lock();
        let phase = match (machine.mode, mode) {
            (Mode::Automatic, Mode::Automatic) => return,
            (_, Mode::ForcedOpen | Mode::ForcedClosed) => machine.phase,
            (Mode::ForcedOpen, Mode::Automatic) => half_open(),
            (Mode::ForcedClosed, Mode::Automatic) => Phase::Closed,
        };
        machine.mode = mode;
        // A new generation even when forced, so that the outcomes of calls in flight are
        // ignored.
        self.enter(&mut machine, phase);
    }

    pub(crate) fn state(&self, now: Instant) -> State {
        let machine = self.lock();
        match (machine.mode, machine.phase) {
            (Mode::ForcedOpen, _) => State::ForcedOpen,
            (Mode::ForcedClosed, _) => State::ForcedClosed,
            (Mode::Automatic, Phase::Closed) => State::Closed,
            (Mode::Automatic, Phase::Open { until }) if now < until => State::Open,
            (Mode::Automatic, Phase::Open { .. } | Phase::HalfOpen { .. }) => State::HalfOpen,
        }
    }
}

fn half_open() -> Phase {
    Phase::HalfOpen { successes: 0 }
}

/// The fast path's word for `generation` (its low 62 bits) and `tag`.
fn word(generation: u64, tag: u64) -> u64 {
    ((generation & (u64::MAX >> TAG_BITS)) << TAG_BITS) | tag
}

/// `now + duration`, or as late as the clock can say.
fn saturating_add(now: Instant, mut duration: Duration) -> Instant {
    loop {
        if let Some(later) = now.checked_add(duration) {
            return later;
        }
        duration /= 2;
    }
}

/// The failure-rate window: [`BUCKETS`] buckets of `window / BUCKETS` each, the current
/// one and the ones before it, so that an outcome leaves the window between 0.9 and 1 times
/// `window` after it was recorded.
///
/// Each bucket is one atomic word, `stamp (24 bits) | successes (20) | failures (20)`: the
/// stamp is the bucket's index since `start` (modulo 2^24), and a bucket whose stamp is not
/// the current index is reset by the first outcome that lands in it. Recording is one
/// compare-and-swap loop; reading sums the buckets whose stamp is less than `BUCKETS` behind.
/// Counts saturate at about a million per bucket; a bucket left untouched for exactly a
/// multiple of 2^24 buckets (194 days of 1 s buckets) would be read as current once.
#[derive(Debug)]
struct Window {
    start: Instant,
    /// Nanoseconds per bucket, at least 1.
    width: u128,
    buckets: [AtomicU64; BUCKETS],
}

const BUCKETS: usize = 10;
const COUNT_BITS: u32 = 20;
const COUNT_MAX: u64 = (1 << COUNT_BITS) - 1;
const STAMP_MASK: u64 = (1 << 24) - 1;

impl Window {
    fn new(window: Duration) -> Self {
        Window {
            start: Instant::now(),
            width: (window.as_nanos() / BUCKETS as u128).max(1),
            buckets: Default::default(),
        }
    }

    fn index(&self, now: Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.start).as_nanos();
        u64::try_from(elapsed / self.width).unwrap_or(u64::MAX)
    }

    fn record(&self, now: Instant, failed: bool) {
        let index = self.index(now);
        let stamp = index & STAMP_MASK;
        let slot = &self.buckets[slot_of(index)];
        let _ = slot.fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
            let (successes, failures) = if word >> (2 * COUNT_BITS) == stamp {
                counts(word)
            } else {
                (0, 0)
            };
            let (successes, failures) = if failed {
                (successes, (failures + 1).min(COUNT_MAX))
            } else {
                ((successes + 1).min(COUNT_MAX), failures)
            };
            Some(stamp << (2 * COUNT_BITS) | successes << COUNT_BITS | failures)
        });
    }

    /// Whether the outcomes in the window trip `rate`.
    fn trips(&self, now: Instant, rate: Rate) -> bool {
        let index = self.index(now);
        let (mut calls, mut failures) = (0_u32, 0_u32);
        for bucket in &self.buckets {
            let word = bucket.load(Ordering::Acquire);
            let behind = index.wrapping_sub(word >> (2 * COUNT_BITS)) & STAMP_MASK;
            if behind < BUCKETS as u64 {
                let (s, f) = counts(word);
                // At most 10 buckets of 2^20: no overflow.
                calls += u32::try_from(s + f).unwrap_or(0);
                failures += u32::try_from(f).unwrap_or(0);
            }
        }
        calls >= rate.minimum_calls && f64::from(failures) >= rate.ratio * f64::from(calls)
    }

    fn clear(&self) {
        for bucket in &self.buckets {
            bucket.store(0, Ordering::Release);
        }
    }
}

fn counts(word: u64) -> (u64, u64) {
    ((word >> COUNT_BITS) & COUNT_MAX, word & COUNT_MAX)
}

fn slot_of(index: u64) -> usize {
    // The remainder is below BUCKETS.
    usize::try_from(index % BUCKETS as u64).unwrap_or(0)
}
