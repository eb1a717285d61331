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
//! A transition is made under the lock, which returns the [`StateChange`] it made; the
//! hook hears of it once the lock is released.
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
use super::on_state_change::{OnStateChange, StateChange};

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
/// A method that changes the state calls the breaker's
/// [`OnStateChange`](super::OnStateChange) hook once, on the caller's thread, before it
/// returns. One that leaves the state as it was (forcing open a breaker forced open
/// already, releasing one that is not forced) calls nothing.
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
    shared: Arc<DynShared>,
}

impl BreakerHandle {
    pub(crate) fn new<H: OnStateChange + Send + Sync + 'static>(shared: Arc<Shared<H>>) -> Self {
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

/// A [`Shared`] with its hook's type erased, as a [`BreakerHandle`] holds it.
pub(crate) type DynShared = Shared<dyn OnStateChange + Send + Sync>;

/// The breaker's state, shared by its clones, its services and its handles, and the hook
/// its transitions call.
pub(crate) struct Shared<H: ?Sized> {
    config: Config,
    /// `generation << TAG_BITS | tag`: the fast path's view of the machine. Written only
    /// with `machine` locked; read without it.
    word: AtomicU64,
    /// Consecutive failures in the current closed period.
    consecutive: AtomicU32,
    /// The failure-rate rule's window, if the rule is on.
    window: Option<Window>,
    machine: Mutex<Machine>,
    /// Last, so that a handle can hold the shared state with the hook's type erased.
    hook: H,
}

impl<H: ?Sized> fmt::Debug for Shared<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("config", &self.config)
            .field("word", &self.word)
            .field("consecutive", &self.consecutive)
            .field("window", &self.window)
            .field("machine", &self.machine)
            .finish_non_exhaustive()
    }
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

impl Machine {
    /// The state as the last transition left it: an open breaker whose interval has passed
    /// is still [`State::Open`] until a call turns it half-open.
    fn state(&self) -> State {
        match (self.mode, self.phase) {
            (Mode::ForcedOpen, _) => State::ForcedOpen,
            (Mode::ForcedClosed, _) => State::ForcedClosed,
            (Mode::Automatic, Phase::Closed) => State::Closed,
            (Mode::Automatic, Phase::Open { .. }) => State::Open,
            (Mode::Automatic, Phase::HalfOpen { .. }) => State::HalfOpen,
        }
    }
}

impl<H> Shared<H> {
    pub(crate) fn new(config: Config, hook: H) -> Self {
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
            hook,
        }
    }
}

impl<H: ?Sized> Shared<H> {
    pub(crate) fn config(&self) -> Config {
        self.config
    }

    fn lock(&self) -> MutexGuard<'_, Machine> {
        // Nothing panics while the lock is held; were it poisoned, the machine would still
        // be consistent, since every transition is a single assignment.
        self.machine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The end of a call that says nothing about the backend, because it was dropped
    /// before it ended: a probe frees its slot. Never a transition.
    pub(crate) fn abandon(&self, ticket: Ticket) {
        if let Ticket::Probe { .. } = ticket {
            let mut machine = self.lock();
            machine.probes_in_flight = machine.probes_in_flight.saturating_sub(1);
        }
    }
}

impl<H: OnStateChange + ?Sized> Shared<H> {
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
        let mut change = None;
        let admitted = self.admit_locked(&mut machine, now, &mut change);
        drop(machine);
        self.notify(change);
        admitted
    }

    /// [`admit_slow`](Self::admit_slow)'s work under the lock: an open breaker whose
    /// interval has passed turns half-open here, and says so in `change`.
    fn admit_locked(
        &self,
        machine: &mut Machine,
        now: Instant,
        change: &mut Option<StateChange>,
    ) -> Result<Ticket, Open> {
        match machine.mode {
            Mode::ForcedOpen => return Err(Open::new(State::ForcedOpen, None)),
            Mode::ForcedClosed => return Ok(Ticket::Pass),
            Mode::Automatic => {}
        }
        if let Phase::Open { until } = machine.phase {
            if now < until {
                return Err(Open::new(State::Open, Some(until - now)));
            }
            *change = self.enter(machine, Mode::Automatic, half_open());
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
            let change = if word(machine.generation, TAG_CLOSED) == word(generation, TAG_CLOSED)
                && machine.mode == Mode::Automatic
                && matches!(machine.phase, Phase::Closed)
            {
                self.enter(&mut machine, Mode::Automatic, self.open_from(now))
            } else {
                None
            };
            drop(machine);
            self.notify(change);
        }
    }

    fn record_probe(&self, generation: u64, verdict: Verdict) {
        let mut machine = self.lock();
        let change = self.probe_ended(&mut machine, generation, verdict);
        drop(machine);
        self.notify(change);
    }

    /// [`record_probe`](Self::record_probe)'s work under the lock; the change it made.
    fn probe_ended(
        &self,
        machine: &mut Machine,
        generation: u64,
        verdict: Verdict,
    ) -> Option<StateChange> {
        machine.probes_in_flight = machine.probes_in_flight.saturating_sub(1);
        if machine.generation != generation || machine.mode != Mode::Automatic {
            return None;
        }
        let Phase::HalfOpen { successes } = &mut machine.phase else {
            return None;
        };
        match verdict {
            Verdict::Success => {
                *successes += 1;
                if *successes >= self.config.close_after {
                    return self.enter(machine, Mode::Automatic, Phase::Closed);
                }
                None
            }
            Verdict::Failure => {
                let open = self.open_from(Instant::now());
                self.enter(machine, Mode::Automatic, open)
            }
            // The slot is free again; the next call probes instead.
            Verdict::Neutral => None,
        }
    }

    fn open_from(&self, now: Instant) -> Phase {
        Phase::Open {
            until: crate::deadline::later(now, self.config.open_interval),
        }
    }

    /// Moves to `mode` and `phase` in a new generation, and publishes it to the fast path.
    /// Returns the change of state, to report once the lock is released: none when the
    /// state stays the same (a breaker forced open again).
    fn enter(&self, machine: &mut Machine, mode: Mode, phase: Phase) -> Option<StateChange> {
        let from = machine.state();
        machine.generation = machine.generation.wrapping_add(1);
        machine.mode = mode;
        machine.phase = phase;
        self.publish(machine);
        let to = machine.state();
        (from != to).then_some(StateChange { from, to })
    }

    /// Tells the hook of `change`, if any. Called with the lock released.
    fn notify(&self, change: Option<StateChange>) {
        if let Some(change) = change {
            self.hook.on_state_change(&change);
        }
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
        // A new generation even when forced, so that the outcomes of calls in flight are
        // ignored.
        let change = self.enter(&mut machine, mode, phase);
        drop(machine);
        self.notify(change);
    }

    pub(crate) fn state(&self, now: Instant) -> State {
        let machine = self.lock();
        match (machine.mode, machine.phase) {
            (Mode::Automatic, Phase::Open { until }) if now >= until => State::HalfOpen,
            _ => machine.state(),
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
