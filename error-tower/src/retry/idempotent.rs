//! The hook that says whether a request may be sent twice.
//!
//! A retry after a `transient` error may execute a request twice: the first attempt may
//! have reached the backend before the connection reset. That is harmless for a read or an
//! idempotent write, and a duplicate for anything else. So only requests known to be
//! idempotent are retried, unless the user says otherwise. What "known" means depends on
//! the request type, so the default, [`ByRequest`], asks the request itself
//! ([`IdempotentRequest`]); a closure, [`Always`] or a policy's `retry_non_idempotent`
//! decide otherwise.

/// Whether a request is idempotent: may be retried after an error that may have followed
/// its execution.
///
/// A closure `Fn(&Req) -> bool` is an `Idempotent`.
#[diagnostic::on_unimplemented(
    message = "the retry layer cannot tell whether a `{Req}` may be sent twice",
    label = "`{Req}` does not implement `IdempotentRequest`, which the default asks",
    note = "a `transient` failure may follow the request's execution, so by default a request is retried after one only if its type says it is idempotent",
    note = "call `.assume_idempotent()` on the `RetryLayer` if every `{Req}` may execute twice, `.idempotent(|request: &{Req}| ...)` to decide per request, or implement `error_tower::retry::IdempotentRequest` for `{Req}`"
)]
pub trait Idempotent<Req> {
    /// `true` if `request` may execute twice.
    fn is_idempotent(&self, request: &Req) -> bool;

    /// `true` if `request` can be sent again at all, whatever the class of the failure: a
    /// streaming body recorded over its cap cannot. The default: yes.
    fn can_resend(&self, request: &Req) -> bool {
        let _ = request;
        true
    }

    /// `true` if a failed response to `request`, found now, commits the call (see
    /// [`IdempotentRequest::is_committed`]). The default: no.
    fn is_committed(&self, request: &Req) -> bool {
        let _ = request;
        false
    }
}

/// A request type that knows whether it is idempotent. Implemented for `http::Request`
/// (by method: `GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT` and `DELETE` are idempotent) with
/// the `http` feature.
#[diagnostic::on_unimplemented(
    message = "the retry layer cannot tell whether a `{Self}` may be sent twice",
    label = "`{Self}` does not implement `IdempotentRequest`",
    note = "a `transient` failure may follow the request's execution, so by default a request is retried after one only if its type says it is idempotent",
    note = "call `.assume_idempotent()` on the `RetryLayer` if every `{Self}` may execute twice, `.idempotent(|request: &{Self}| ...)` to decide per request, or implement `error_tower::retry::IdempotentRequest` for `{Self}`"
)]
// rustc quotes the next line when a method call on a `Retry` fails for a request type that
// does not implement this trait (E0599 shows no `on_unimplemented` text): keep the hint on it.
pub trait IdempotentRequest /* or call `RetryLayer::assume_idempotent()` */ {
    /// `true` if this request may execute twice.
    fn is_idempotent(&self) -> bool;

    /// `true` if this request can be sent again at all: an `http::Request` whose body a
    /// [`ReplayLayer`](crate::http::ReplayLayer) recorded over its cap cannot. The default:
    /// yes.
    fn can_resend(&self) -> bool {
        true
    }

    /// `true` if a failed response found now (a 503 the response classifier found, as the
    /// attempt ends) commits the call, so that it is not retried. An `http::Request` whose
    /// streaming body a [`ReplayLayer`](crate::http::ReplayLayer) has not read to its end,
    /// by any attempt, is committed: the server answered a request it had not received
    /// whole (a streaming RPC that answers as it reads), so a retry could repeat what that
    /// response already began. It applies to failures that may follow execution
    /// (`transient`, say); a `busy` or `redirect` response is a rejection, retried whatever
    /// the body. The default: no.
    fn is_committed(&self) -> bool {
        false
    }
}

/// The default: the request says, through [`IdempotentRequest`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ByRequest;

impl<Req: IdempotentRequest> Idempotent<Req> for ByRequest {
    fn is_idempotent(&self, request: &Req) -> bool {
        request.is_idempotent()
    }

    fn can_resend(&self, request: &Req) -> bool {
        request.can_resend()
    }

    fn is_committed(&self, request: &Req) -> bool {
        request.is_committed()
    }
}

/// Every request is idempotent: for request types whose every operation is (reads, or
/// writes with an idempotency key).
#[derive(Clone, Copy, Debug, Default)]
pub struct Always;

impl<Req> Idempotent<Req> for Always {
    fn is_idempotent(&self, _: &Req) -> bool {
        true
    }
}

impl<Req, F> Idempotent<Req> for F
where
    F: Fn(&Req) -> bool,
{
    fn is_idempotent(&self, request: &Req) -> bool {
        self(request)
    }
}
