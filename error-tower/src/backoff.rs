//! Exponential backoff with jitter, and the seedable random numbers it draws from.
//!
//! # Why full jitter is the default
//!
//! When many clients fail at once (a leader election, a dropped connection pool), retries
//! that back off by the same exponential schedule arrive in synchronized waves and fail
//! again together. The AWS analysis "Exponential Backoff and Jitter" compares the remedies:
//! *full* jitter (a uniform draw in `[0, exp]`) does the least total work and finishes
//! soonest; *equal* jitter (`exp/2 + [0, exp/2]`) keeps a floor under each wait;
//! *decorrelated* jitter (`[base, previous * 3]`) grows from the previous wait rather than the
//! attempt number. All are here; full is the default.
//!
//! # Why the random numbers are ours
//!
//! Tests of retry behaviour must be reproducible, so the generator can be seeded
//! ([`Rng::seeded`]). It is a `SplitMix64` sequence on one atomic word, shared by every clone
//! of a layer without a lock; given the same seed and the same order of draws (tokio's paused
//! clock on one thread), a run is the same every time.

use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;
use std::hash::{BuildHasher, RandomState};

use error_core::ClassifiedError;

/// How a backoff delay is randomized; see the [module documentation](self).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// No jitter: exactly `min(cap, base * factor^(n-1))` before retry `n`.
    None,
    /// A uniform draw in `[0, exp]`. The default.
    #[default]
    Full,
    /// `exp / 2` plus a uniform draw in `[0, exp / 2]`.
    Equal,
    /// A uniform draw in `[base, previous * 3]`, capped: AWS's "decorrelated jitter".
    Decorrelated,
}

/// Why a [`Backoff`] could not be built. Classified `invalid`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(invalid, context = none)]
pub enum BackoffError {
    /// The base delay is zero: every delay would be zero.
    #[error("backoff base must be above zero")]
    ZeroBase,
    /// The cap is below the base.
    #[error("backoff cap is below its base")]
    CapBelowBase {
        /// The base given.
        #[kv(debug)]
        base: Duration,
        /// The cap given.
        #[kv(debug)]
        cap: Duration,
    },
    /// The factor is below 1, or not a finite number.
    #[error("backoff factor must be a finite number of at least 1")]
    Factor {
        /// The factor given.
        factor: f64,
    },
}

/// Exponential backoff: before retry `n` (1, 2, …), about `min(cap, base * factor^(n-1))`,
/// randomized by a [`Jitter`].
///
/// ```
/// use std::time::Duration;
/// use error_tower::backoff::{Backoff, Jitter, Rng};
///
/// let backoff = Backoff::new(Duration::from_millis(10), 2.0, Duration::from_millis(100))?
///     .with_jitter(Jitter::None);
/// let rng = Rng::seeded(7);
/// let delays: Vec<_> = (1..=5).map(|n| backoff.delay(n, Duration::ZERO, &rng)).collect();
/// assert_eq!(delays, [10, 20, 40, 80, 100].map(Duration::from_millis));
///
/// assert!(Backoff::new(Duration::from_millis(10), 0.5, Duration::from_secs(1)).is_err());
/// # Ok::<(), error_tower::backoff::BackoffError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    base: Duration,
    factor: f64,
    cap: Duration,
    jitter: Jitter,
}

impl Default for Backoff {
    /// 10 ms base, factor 2, 1 s cap, full jitter: retries of transient faults start almost
    /// at once and spread out quickly.
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(10),
            factor: 2.0,
            cap: Duration::from_secs(1),
            jitter: Jitter::Full,
        }
    }
}

impl Backoff {
    /// A backoff with full jitter.
    ///
    /// # Errors
    ///
    /// [`BackoffError`] when `base` is zero, `cap` is below `base`, or `factor` is below 1
    /// or not finite. (tower's constructors panic instead.)
    pub fn new(base: Duration, factor: f64, cap: Duration) -> Result<Backoff, BackoffError> {
        if base.is_zero() {
            return Err(BackoffError::ZeroBase);
        }
        if cap < base {
            return Err(BackoffError::CapBelowBase { base, cap });
        }
        if !factor.is_finite() || factor < 1.0 {
            return Err(BackoffError::Factor { factor });
        }
        Ok(Backoff {
            base,
            factor,
            cap,
            jitter: Jitter::Full,
        })
    }

    /// The same backoff with another jitter.
    #[must_use]
    pub fn with_jitter(self, jitter: Jitter) -> Backoff {
        Backoff { jitter, ..self }
    }

    /// The base delay.
    #[must_use]
    pub fn base(&self) -> Duration {
        self.base
    }

    /// The cap: no delay is longer.
    #[must_use]
    pub fn cap(&self) -> Duration {
        self.cap
    }

    /// The jitter.
    #[must_use]
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    /// The un-jittered delay before retry `retry` (1-based): `min(cap, base * factor^(retry-1))`.
    #[must_use]
    pub fn exponential(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let scaled = self.base.as_secs_f64() * self.factor.powi(exponent);
        if scaled >= self.cap.as_secs_f64() {
            self.cap
        } else {
            Duration::from_secs_f64(scaled)
        }
    }

    /// The delay before retry `retry` (1-based). `previous` is the delay before the last
    /// retry (zero before the first), which only decorrelated jitter uses.
    #[must_use]
    pub fn delay(&self, retry: u32, previous: Duration, rng: &Rng) -> Duration {
        let exp = self.exponential(retry);
        let delay = match self.jitter {
            Jitter::None => exp,
            Jitter::Full => rng.duration_between(Duration::ZERO, exp),
            Jitter::Equal => {
                let half = exp / 2;
                half + rng.duration_between(Duration::ZERO, exp.saturating_sub(half))
            }
            Jitter::Decorrelated => {
                let previous = previous.max(self.base);
                let high = previous.saturating_mul(3).max(self.base);
                rng.duration_between(self.base, high)
            }
        };
        delay.min(self.cap)
    }
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A seedable, lock-free random number generator (`SplitMix64` on one atomic word), shared by
/// every clone of the layer that owns it.
#[derive(Debug)]
pub struct Rng {
    state: AtomicU64,
}

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    #[must_use]
    pub fn seeded(seed: u64) -> Rng {
        Rng {
            state: AtomicU64::new(seed),
        }
    }

    /// A generator seeded from the process's random hash keys.
    #[must_use]
    pub fn from_entropy() -> Rng {
        Rng::seeded(RandomState::new().hash_one(0x5EED_u64))
    }

    /// The next 64 random bits.
    pub fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GOLDEN_GAMMA, Ordering::Relaxed)
            .wrapping_add(GOLDEN_GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, bound]`.
    pub fn up_to(&self, bound: u64) -> u64 {
        if bound == u64::MAX {
            return self.next_u64();
        }
        // Lemire's multiply-shift: the high word of a 64x64 product is uniform enough for
        // jitter (bias below 2^-64 * bound).
        let wide = u128::from(self.next_u64()) * u128::from(bound + 1);
        u64::try_from(wide >> 64).unwrap_or(bound)
    }

    /// A uniform draw in `[low, high]` (`low` when `high < low`), at nanosecond grain.
    pub fn duration_between(&self, low: Duration, high: Duration) -> Duration {
        let low_nanos = nanos(low);
        let span = nanos(high).saturating_sub(low_nanos);
        Duration::from_nanos(low_nanos.saturating_add(self.up_to(span)))
    }
}

impl Default for Rng {
    fn default() -> Self {
        Rng::from_entropy()
    }
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
