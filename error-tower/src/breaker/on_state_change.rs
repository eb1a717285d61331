//! The hook called when the breaker changes state.

use super::State;

/// A transition of the breaker, from one [`State`] to another.
///
/// `from` is the state the breaker's last transition left it in: an open breaker whose
/// open interval has passed is still [`State::Open`] here until a call turns it half-open
/// (the breaker has no timer of its own), although [`BreakerHandle::state`] already
/// reports [`State::HalfOpen`]. So the `from` of each change is the `to` of the one before.
///
/// [`BreakerHandle::state`]: super::BreakerHandle::state
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StateChange {
    /// The state before.
    pub from: State,
    /// The state after. Never equal to `from`.
    pub to: State,
}

/// Called once for each transition of the breaker, for metrics, logs and alerts. `()` does
/// nothing; a closure `Fn(&StateChange)` is an `OnStateChange`; a pair `(A, B)` of hooks
/// calls `A`, then `B`. Set it with
/// [`BreakerLayer::on_state_change`](super::BreakerLayer::on_state_change).
///
/// It is called on the thread that made the transition (the call that tripped or probed
/// the breaker, or the caller of a [`BreakerHandle`](super::BreakerHandle) method), after
/// the breaker's lock is released: a slow hook delays only that caller, and a hook may call
/// the handle. Two transitions made at the same moment on two threads may reach it in
/// either order.
pub trait OnStateChange {
    /// The breaker moved from `change.from` to `change.to`.
    fn on_state_change(&self, change: &StateChange);
}

impl OnStateChange for () {
    #[inline]
    fn on_state_change(&self, _: &StateChange) {}
}

impl<F: Fn(&StateChange)> OnStateChange for F {
    fn on_state_change(&self, change: &StateChange) {
        self(change);
    }
}

impl<A: OnStateChange, B: OnStateChange> OnStateChange for (A, B) {
    #[inline]
    fn on_state_change(&self, change: &StateChange) {
        self.0.on_state_change(change);
        self.1.on_state_change(change);
    }
}
