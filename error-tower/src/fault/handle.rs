//! [`FaultHandle`]: the switch and the counters; and the shared state that decides each
//! call's faults.

use core::time::Duration;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::config::Config;
use super::{FaultError, Injected, Latency};
use crate::backoff::Rng;

/// The fault chosen for one call.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Error(Injected),
    DropResponse,
}

/// What happens to one call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decision {
    pub(crate) fault: Option<Kind>,
    pub(crate) delay: Option<Duration>,
}

/// The window being drawn: how far into it, and what is left to inject in it.
#[derive(Debug)]
struct State {
    config: Config,
    enabled: bool,
    position: u32,
    errors_left: u32,
    drops_left: u32,
    delays_left: u32,
}

impl State {
    fn new_window(&mut self) {
        self.position = 0;
        self.errors_left = self.config.errors;
        self.drops_left = self.config.drops;
        self.delays_left = self.config.delays;
    }
}

/// Shared by a layer, its services and its handles.
#[derive(Debug)]
pub(crate) struct Shared {
    state: Mutex<State>,
    rng: Arc<Rng>,
    calls: AtomicU64,
    errors: AtomicU64,
    drops: AtomicU64,
    delays: AtomicU64,
}

impl Shared {
    pub(crate) fn new(config: Config, rng: Arc<Rng>) -> Shared {
        let mut state = State {
            config,
            enabled: true,
            position: 0,
            errors_left: 0,
            drops_left: 0,
            delays_left: 0,
        };
        state.new_window();
        Shared {
            state: Mutex::new(state),
            rng,
            calls: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            delays: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Held for a few comparisons and draws, which cannot panic: a poisoned lock still
        // holds a consistent window.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Draws the next call's faults: sequential sampling without replacement within the
    /// window, so that each window gets exactly its counts.
    pub(crate) fn decide(&self) -> Decision {
        self.calls.fetch_add(1, Ordering::Relaxed);
        let mut state = self.lock();
        if !state.enabled {
            return Decision {
                fault: None,
                delay: None,
            };
        }
        if state.position >= state.config.window {
            state.new_window();
        }
        let remaining = u64::from(state.config.window - state.position);
        let draw = self.rng.up_to(remaining - 1);
        let errors = u64::from(state.errors_left);
        let fault = if draw < errors {
            state.errors_left -= 1;
            self.errors.fetch_add(1, Ordering::Relaxed);
            Some(Kind::Error(state.config.error))
        } else if draw < errors + u64::from(state.drops_left) {
            state.drops_left -= 1;
            self.drops.fetch_add(1, Ordering::Relaxed);
            Some(Kind::DropResponse)
        } else {
            None
        };
        let delay = if self.rng.up_to(remaining - 1) < u64::from(state.delays_left) {
            state.delays_left -= 1;
            self.delays.fetch_add(1, Ordering::Relaxed);
            Some(state.config.latency.draw(&self.rng))
        } else {
            None
        };
        state.position += 1;
        Decision { fault, delay }
    }
}

/// What a fault layer has seen and injected since it was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Calls, faulted or not, enabled or not.
    pub calls: u64,
    /// Calls failed with the injected error.
    pub errors: u64,
    /// Calls whose response was dropped after the inner service ran.
    pub drops: u64,
    /// Calls delayed.
    pub delays: u64,
}

/// Changes a fault layer's counts at run time, switches it off and on, and reads what it
/// injected. Clones control the same layer. Each change starts a new window at the next
/// call.
#[derive(Clone, Debug)]
pub struct FaultHandle {
    shared: Arc<Shared>,
}

impl FaultHandle {
    pub(crate) fn new(shared: Arc<Shared>) -> FaultHandle {
        FaultHandle { shared }
    }

    /// Switches every fault off: calls go straight through.
    pub fn disable(&self) {
        self.shared.lock().enabled = false;
    }

    /// Switches the faults back on, from a new window.
    pub fn enable(&self) {
        let mut state = self.shared.lock();
        state.enabled = true;
        state.new_window();
    }

    /// Whether faults are on.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.shared.lock().enabled
    }

    /// Changes the configuration with `change`, validated as the builder does; on error
    /// nothing changes.
    fn change(&self, change: impl FnOnce(&mut Config)) -> Result<(), FaultError> {
        let mut state = self.shared.lock();
        let mut config = state.config.clone();
        change(&mut config);
        config.validate()?;
        state.config = config;
        state.new_window();
        Ok(())
    }

    /// Fails `count` calls per window with `error`.
    ///
    /// # Errors
    ///
    /// [`FaultError`] as [`FaultBuilder::build`](super::FaultBuilder::build) gives it.
    pub fn set_errors(&self, count: u32, error: Injected) -> Result<(), FaultError> {
        self.change(|config| {
            config.errors = count;
            config.error = error;
        })
    }

    /// Drops the response of `count` calls per window.
    ///
    /// # Errors
    ///
    /// [`FaultError`] as [`FaultBuilder::build`](super::FaultBuilder::build) gives it.
    pub fn set_drops(&self, count: u32) -> Result<(), FaultError> {
        self.change(|config| config.drops = count)
    }

    /// Delays `count` calls per window by a draw from `latency`.
    ///
    /// # Errors
    ///
    /// [`FaultError`] as [`FaultBuilder::build`](super::FaultBuilder::build) gives it.
    pub fn set_latency(&self, count: u32, latency: Latency) -> Result<(), FaultError> {
        self.change(|config| {
            config.delays = count;
            config.latency = latency;
        })
    }

    /// What was seen and injected so far.
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts {
            calls: self.shared.calls.load(Ordering::Relaxed),
            errors: self.shared.errors.load(Ordering::Relaxed),
            drops: self.shared.drops.load(Ordering::Relaxed),
            delays: self.shared.delays.load(Ordering::Relaxed),
        }
    }
}
