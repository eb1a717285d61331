//! The hook that retargets a request for a `redirect` error.

/// Retargets a request after a [`redirect`](error_core::Class::Redirect) error: for
/// example, sets the node to the error's leader hint. Returns whether the request may be
/// retried; the retry then happens at once and is not charged to the budget.
///
/// `()` retargets nothing, so `redirect` errors are not retried. A closure
/// `Fn(&mut Req, &E) -> bool` is a `Redirect`.
///
/// ```
/// use error_tower::retry::Redirect;
///
/// struct Req { node: u64 }
/// struct NotLeader { leader_hint: u64 }
///
/// let hook = |req: &mut Req, err: &NotLeader| {
///     req.node = err.leader_hint;
///     true
/// };
/// let mut req = Req { node: 1 };
/// assert!(hook.redirect(&mut req, &NotLeader { leader_hint: 3 }));
/// assert_eq!(req.node, 3);
/// assert!(!().redirect(&mut req, &NotLeader { leader_hint: 2 }));
/// ```
pub trait Redirect<Req, E> {
    /// Retargets `request` after `error`; `true` if it may be retried.
    fn redirect(&self, request: &mut Req, error: &E) -> bool;
}

impl<Req, E> Redirect<Req, E> for () {
    fn redirect(&self, _: &mut Req, _: &E) -> bool {
        false
    }
}

impl<Req, E, F> Redirect<Req, E> for F
where
    F: Fn(&mut Req, &E) -> bool,
{
    fn redirect(&self, request: &mut Req, error: &E) -> bool {
        self(request, error)
    }
}
