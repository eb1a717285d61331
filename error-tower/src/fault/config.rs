//! [`FaultBuilder`] and [`Latency`].

use core::time::Duration;
use std::sync::Arc;

use error_core::ClassifiedError;

use super::{FaultError, FaultLayer, Injected};
use crate::backoff::Rng;

/// How long an injected delay is.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Latency {
    /// Always this long.
    Fixed(Duration),
    /// A uniform draw between the two, inclusive.
    Uniform(Duration, Duration),
    /// An exponential draw with this mean (a queue's waiting time), at most 20 times the
    /// mean, so that one draw cannot stall a run; a draw too long for a `Duration` is
    /// `Duration::MAX`.
    Exponential(Duration),
}

impl Latency {
    /// A draw from the distribution.
    pub(crate) fn draw(self, rng: &Rng) -> Duration {
        match self {
            Latency::Fixed(delay) => delay,
            Latency::Uniform(low, high) => rng.duration_between(low, high),
            Latency::Exponential(mean) => {
                // A uniform draw in (0, 1]: never 0, so its logarithm is finite.
                #[allow(clippy::cast_precision_loss)]
                let unit =
                    (rng.up_to(u64::from(u32::MAX)) as f64 + 1.0) / (f64::from(u32::MAX) + 1.0);
                let factor = (-unit.ln()).min(20.0);
                // `mean.mul_f64(factor)` would panic when the product does not fit a
                // `Duration` (a mean of `Duration::MAX / 2`, set at run time through the
                // handle, with its mutex held): a delay that long is "never" anyway.
                Duration::try_from_secs_f64(mean.as_secs_f64() * factor).unwrap_or(Duration::MAX)
            }
        }
    }
}

/// What a [`FaultLayer`] injects: counts per window of calls, and the generator.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) window: u32,
    pub(crate) errors: u32,
    pub(crate) error: Injected,
    pub(crate) drops: u32,
    pub(crate) delays: u32,
    pub(crate) latency: Latency,
}

impl Config {
    /// Checks the counts against the window.
    pub(crate) fn validate(&self) -> Result<(), FaultError> {
        if self.window == 0 {
            return Err(FaultError::ZeroWindow);
        }
        if self.errors.saturating_add(self.drops) > self.window {
            return Err(FaultError::TooManyFaults {
                errors: self.errors,
                drops: self.drops,
                window: self.window,
            });
        }
        if self.delays > self.window {
            return Err(FaultError::TooManyDelays {
                delays: self.delays,
                window: self.window,
            });
        }
        if !ClassifiedError::code(&self.error).starts_with(super::error::PREFIX) {
            return Err(FaultError::UnmarkedCode {
                code: ClassifiedError::code(&self.error),
            });
        }
        if let Latency::Uniform(low, high) = self.latency {
            if high < low {
                return Err(FaultError::LatencyRange { low, high });
            }
        }
        Ok(())
    }
}

/// Builds a [`FaultLayer`]. Nothing is injected until a count is set.
#[derive(Clone, Debug)]
pub struct FaultBuilder {
    pub(crate) config: Config,
    pub(crate) rng: Arc<Rng>,
}

impl Default for FaultBuilder {
    /// A window of 100 calls, no faults, a generator seeded from the process's entropy.
    fn default() -> Self {
        FaultBuilder {
            config: Config {
                window: 100,
                errors: 0,
                error: Injected::new(error_core::Class::Transient),
                drops: 0,
                delays: 0,
                latency: Latency::Fixed(Duration::ZERO),
            },
            rng: Arc::new(Rng::default()),
        }
    }
}

impl FaultBuilder {
    /// The number of calls the counts are per (default 100: the counts are percentages).
    #[must_use]
    pub fn window(mut self, calls: u32) -> Self {
        self.config.window = calls;
        self
    }

    /// Seeds the generator, so that a run is reproducible.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.rng = Arc::new(Rng::seeded(seed));
        self
    }

    /// Fails `count` calls per window with `error`, without calling the inner service.
    #[must_use]
    pub fn errors(mut self, count: u32, error: Injected) -> Self {
        self.config.errors = count;
        self.config.error = error;
        self
    }

    /// Runs the inner service for `count` calls per window and drops its response: the
    /// caller gets `transient` (`fault.response_dropped`).
    #[must_use]
    pub fn drop_responses(mut self, count: u32) -> Self {
        self.config.drops = count;
        self
    }

    /// Delays the response of `count` calls per window by a draw from `latency`.
    #[must_use]
    pub fn latency(mut self, count: u32, latency: Latency) -> Self {
        self.config.delays = count;
        self.config.latency = latency;
        self
    }

    /// The layer.
    ///
    /// # Errors
    ///
    /// [`FaultError`] when the window is 0, the counts do not fit in it, the injected
    /// error's code does not start with `fault.`, or a uniform latency's range is reversed.
    pub fn build(self) -> Result<FaultLayer, FaultError> {
        self.config.validate()?;
        Ok(FaultLayer::from_valid(self))
    }
}
