//! [`Key`]: the idempotency key of a step and of its compensation.

use core::fmt;
use std::sync::Arc;

/// The idempotency key of one step of one saga: `"{saga id}/{position}-{step name}"`, as in
/// `"order-42/2-charge"`, positions from 1.
///
/// The same saga id gives the same keys, so a callee that records the keys it has served
/// does a step (or a compensation) once however often it is sent. The step's action and its
/// compensation are both given this key: the compensation undoes what was done under it.
/// The compensating call's own key, for deduplicating *its* retries, is
/// [`compensation`](Key::compensation).
///
/// ```
/// use error_saga::Key;
///
/// let key = Key::new("order-42", 2, "charge");
/// assert_eq!(key.to_string(), "order-42/2-charge");
/// assert_eq!(key.compensation(), "order-42/2-charge/compensate");
/// assert_eq!((key.saga_id(), key.position(), key.step()), ("order-42", 2, "charge"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    saga_id: Arc<str>,
    position: u32,
    step: &'static str,
}

impl Key {
    /// The key of step `step`, at `position` (from 1), of the saga whose id is `saga_id`.
    #[must_use]
    pub fn new(saga_id: impl Into<Arc<str>>, position: u32, step: &'static str) -> Key {
        Key {
            saga_id: saga_id.into(),
            position,
            step,
        }
    }

    /// The saga's id, as given to [`Saga::new`](crate::Saga::new).
    #[must_use]
    pub fn saga_id(&self) -> &str {
        &self.saga_id
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
        write!(f, "{}/{}-{}", self.saga_id, self.position, self.step)
    }
}
