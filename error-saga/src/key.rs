//! [`Key`]: the idempotency key of a step and of its compensation.

use core::fmt;
use std::sync::Arc;

/// The idempotency key of one step of one run of a saga:
/// `"{saga id}#{attempt}/{position}-{step name}"`, as in `"order-42#1/2-charge"`; attempts
/// and positions from 1.
///
/// Within one attempt the keys are fixed, so a callee that records the keys it has served
/// does a step (or a compensation) once however often it is sent: a retry layer inside the
/// step resends it with the same key. The step's action and its compensation are both given
/// this key: the compensation undoes what was done under it. The compensating call's own
/// key, for deduplicating *its* retries, is [`compensation`](Key::compensation).
///
/// The attempt ([`Saga::attempt`](crate::Saga::attempt)) is what makes a saga run again
/// safe: a callee that undid a key keeps a tombstone for it and refuses it from then on
/// (see the [crate documentation](crate#running-a-saga-again)), so a second run needs keys
/// of its own.
///
/// ```
/// use error_saga::Key;
///
/// let key = Key::new("order-42", 2, "charge");
/// assert_eq!(key.to_string(), "order-42#1/2-charge");
/// assert_eq!(key.compensation(), "order-42#1/2-charge/compensate");
/// assert_eq!((key.saga_id(), key.attempt(), key.position(), key.step()), ("order-42", 1, 2, "charge"));
/// assert_eq!(key.with_attempt(2).to_string(), "order-42#2/2-charge");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    saga_id: Arc<str>,
    attempt: u32,
    position: u32,
    step: &'static str,
}

impl Key {
    /// The key of step `step`, at `position` (from 1), of the first attempt of the saga
    /// whose id is `saga_id`.
    #[must_use]
    pub fn new(saga_id: impl Into<Arc<str>>, position: u32, step: &'static str) -> Key {
        Key {
            saga_id: saga_id.into(),
            attempt: 1,
            position,
            step,
        }
    }

    /// The same step's key in attempt `attempt` of the saga (from 1; 0 counts as 1).
    #[must_use]
    pub fn with_attempt(mut self, attempt: u32) -> Key {
        self.attempt = attempt.max(1);
        self
    }

    /// The saga's id, as given to [`Saga::new`](crate::Saga::new).
    #[must_use]
    pub fn saga_id(&self) -> &str {
        &self.saga_id
    }

    /// The saga's attempt, from 1, as given to [`Saga::attempt`](crate::Saga::attempt).
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The step's position in the saga, from 1.
    #[must_use]
    pub fn position(&self) -> u32 {
        self.position
    }

    /// The step's name.
    #[must_use]
    pub fn step(&self) -> &'static str {
        self.step
    }

    /// The key of the compensating call: this key and `/compensate`.
    #[must_use]
    pub fn compensation(&self) -> String {
        format!("{self}/compensate")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{}/{}-{}",
            self.saga_id, self.attempt, self.position, self.step
        )
    }
}
