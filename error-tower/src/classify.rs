//! The hook that finds failures inside successful responses, shared by the retry layer and
//! the breaker.

use core::time::Duration;

use error_core::Class;

/// What a response classifier found: the response is really a failure of this class, with
/// this code and, if the response said so, this retry hint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseFailure {
    /// The class the response means.
    pub class: Class,
    /// A stable code for it, as [`ClassifiedError::code`](error_core::ClassifiedError::code).
    pub code: &'static str,
    /// The pushback the response carried (`Retry-After`, `grpc-retry-pushback-ms`).
    pub retry_after: Option<Duration>,
    /// The server said not to retry (a negative `grpc-retry-pushback-ms`).
    pub never_retry: bool,
}

/// Finds failures inside `Ok` responses, such as a 503 from a server whose client service
/// returns every HTTP response as `Ok`, as tower-http's `ClassifyResponse` does.
///
/// `()` finds none: every `Ok` is a success. A closure `Fn(&Res) -> Option<ResponseFailure>`
/// is a `ClassifyResponse`.
pub trait ClassifyResponse<Res> {
    /// `Some` if `response` is a failure.
    fn classify(&self, response: &Res) -> Option<ResponseFailure>;
}

impl<Res> ClassifyResponse<Res> for () {
    #[inline]
    fn classify(&self, _: &Res) -> Option<ResponseFailure> {
        None
    }
}

impl<Res, F> ClassifyResponse<Res> for F
where
    F: Fn(&Res) -> Option<ResponseFailure>,
{
    fn classify(&self, response: &Res) -> Option<ResponseFailure> {
        self(response)
    }
}
