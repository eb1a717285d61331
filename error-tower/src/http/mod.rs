//! HTTP and gRPC over HTTP: which requests are idempotent, which responses are failures,
//! and the server's pushback (feature `http`).
//!
//! - [`IdempotentRequest`] for `http::Request`: by method (RFC 9110: `GET`, `HEAD`,
//!   `OPTIONS`, `TRACE`, `PUT` and `DELETE` are idempotent).
//! - [`HttpClassifier`]: a response is a failure when its status is 408, 425, 429 or 5xx
//!   (classified by [`Class::from_http`]), or when it carries a `grpc-status` other than 0
//!   (a trailers-only gRPC response; [`Class::from_grpc`]).
//! - [`ReplayLayer`] and [`ReplayBody`]: streaming request bodies replayed from a recording
//!   filled as they are sent, so that they can be retried.
//! - [`pushback()`](pushback) reads `grpc-retry-pushback-ms` (milliseconds; negative means "do not retry"),
//!   wins over `Retry-After` (seconds, or an HTTP-date, measured against the system clock).
//!
//! With the `wire` feature, the classifier believes what the server said of its error
//! rather than guess from the status, through
//! [`error_core::wire`]'s decoders (and its remote table, and its limits):
//!
//! - a trailers-only gRPC response's `grpc-status-details-bin` (`ErrorInfo`'s class and
//!   code, `RetryInfo`'s hint), read without tonic's reader, which panics on a malformed
//!   one;
//! - a problem+json body, which [`ProblemLayer`] (inside the retry layer) reads first and
//!   leaves in the response's extensions as a [`Problem`]. Any response with a status of
//!   400 or more that carries one is a failure of the class it declares.
//!
//! [`GrpcSanitizeLayer`] protects tonic's client from a malformed
//! `grpc-status-details-bin` in the responses and trailers that reach it.

use core::time::Duration;
use std::time::SystemTime;

use error_core::Class;
use http::{HeaderMap, Method, Request, Response};

use crate::retry::{ClassifyResponse, IdempotentRequest, ResponseFailure};

#[cfg(feature = "wire")]
pub mod problem;
pub mod replay;
#[cfg(feature = "wire")]
pub mod sanitize;

#[cfg(feature = "wire")]
pub use self::problem::{Problem, ProblemBody, ProblemLayer, ProblemService};
pub use self::replay::{Replay, ReplayBody, ReplayLayer, Replayable};
#[cfg(feature = "wire")]
pub use self::sanitize::{GrpcSanitize, GrpcSanitizeLayer, SanitizedBody};

impl<B> IdempotentRequest for Request<B> {
    fn is_idempotent(&self) -> bool {
        matches!(
            *self.method(),
            Method::GET
                | Method::HEAD
                | Method::OPTIONS
                | Method::TRACE
                | Method::PUT
                | Method::DELETE
        )
    }

    /// `false` when a [`ReplayLayer`] recorded the body over its cap.
    fn can_resend(&self) -> bool {
        self.extensions()
            .get::<Replayable>()
            .is_none_or(Replayable::is_replayable)
    }

    /// `true` when a [`ReplayLayer`] has not yet read the body to its end: a response now
    /// started before the server could have the whole request.
    fn is_committed(&self) -> bool {
        self.extensions()
            .get::<Replayable>()
            .is_some_and(|replayable| !replayable.is_sent())
    }
}

/// What a server said about retrying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushback {
    /// Nothing.
    None,
    /// Not before this long.
    After(Duration),
    /// Not at all (a negative `grpc-retry-pushback-ms`).
    Never,
}

/// The pushback in `headers`: `grpc-retry-pushback-ms` if present, else `Retry-After`. An
/// unparseable value is no pushback (for `grpc-retry-pushback-ms`, gRPC says: do not
/// retry).
///
/// ```
/// use std::time::Duration;
/// use error_tower::http::{pushback, Pushback};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("retry-after", "120".parse().unwrap());
/// assert_eq!(pushback(&headers), Pushback::After(Duration::from_secs(120)));
/// headers.insert("grpc-retry-pushback-ms", "-1".parse().unwrap());
/// assert_eq!(pushback(&headers), Pushback::Never);
/// ```
#[must_use]
pub fn pushback(headers: &HeaderMap) -> Pushback {
    if let Some(value) = headers.get("grpc-retry-pushback-ms") {
        return match value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            Some(ms) if ms >= 0 => Pushback::After(Duration::from_millis(ms.unsigned_abs())),
            _ => Pushback::Never,
        };
    }
    let Some(value) = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
    else {
        return Pushback::None;
    };
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Pushback::After(Duration::from_secs(seconds));
    }
    match httpdate::parse_http_date(value) {
        Ok(date) => Pushback::After(date.duration_since(SystemTime::now()).unwrap_or_default()),
        Err(_) => Pushback::None,
    }
}

/// Classifies HTTP and gRPC responses; see the [module documentation](self).
///
/// ```
/// use std::time::Duration;
/// use error_core::Class;
/// use error_tower::http::HttpClassifier;
/// use error_tower::retry::ClassifyResponse;
///
/// let response = http::Response::builder()
///     .status(503)
///     .header("retry-after", "2")
///     .body(())
///     .unwrap();
/// let failure = HttpClassifier.classify(&response).unwrap();
/// assert_eq!(failure.class, Class::Transient);
/// assert_eq!(failure.code, "http.503");
/// assert_eq!(failure.retry_after, Some(Duration::from_secs(2)));
/// assert!(HttpClassifier.classify(&http::Response::new(())).is_none());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct HttpClassifier;

impl<B> ClassifyResponse<Response<B>> for HttpClassifier {
    fn classify(&self, response: &Response<B>) -> Option<ResponseFailure> {
        #[cfg(feature = "wire")]
        if let Some(found) = classify_details(response) {
            return Some(found);
        }
        let headers = response.headers();
        let status = response.status().as_u16();
        let (class, code) = if let Some(grpc) = grpc_status(headers).filter(|code| *code != 0) {
            (Class::from_grpc(grpc)?, grpc_code(grpc))
        } else if matches!(status, 408 | 425 | 429) || status >= 500 {
            (Class::from_http(status)?, http_code(status))
        } else {
            return None;
        };
        let (retry_after, never_retry) = match pushback(headers) {
            Pushback::None => (None, false),
            Pushback::After(after) => (Some(after), false),
            Pushback::Never => (None, true),
        };
        Some(ResponseFailure {
            class,
            code,
            retry_after,
            never_retry,
        })
    }
}

fn grpc_status(headers: &HeaderMap) -> Option<i32> {
    headers
        .get("grpc-status")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// `"grpc.UNAVAILABLE"` and so on: a static code per status.
fn grpc_code(code: i32) -> &'static str {
    const CODES: [&str; 16] = [
        "grpc.CANCELLED",
        "grpc.UNKNOWN",
        "grpc.INVALID_ARGUMENT",
        "grpc.DEADLINE_EXCEEDED",
        "grpc.NOT_FOUND",
        "grpc.ALREADY_EXISTS",
        "grpc.PERMISSION_DENIED",
        "grpc.RESOURCE_EXHAUSTED",
        "grpc.FAILED_PRECONDITION",
        "grpc.ABORTED",
        "grpc.OUT_OF_RANGE",
        "grpc.UNIMPLEMENTED",
        "grpc.INTERNAL",
        "grpc.UNAVAILABLE",
        "grpc.DATA_LOSS",
        "grpc.UNAUTHENTICATED",
    ];
    error_core::Status::from_grpc(code)
        .and_then(|status| usize::try_from(status.grpc() - 1).ok())
        .and_then(|index| CODES.get(index).copied())
        .unwrap_or("grpc.UNKNOWN")
}

/// `"http.503"` and so on: a static code per status the classifier reports.
fn http_code(status: u16) -> &'static str {
    match status {
        408 => "http.408",
        425 => "http.425",
        429 => "http.429",
        500 => "http.500",
        501 => "http.501",
        502 => "http.502",
        503 => "http.503",
        504 => "http.504",
        _ => "http.5xx",
    }
}

/// What the server said of its failure, when it said it in details: a gRPC status in the
/// headers (trailers-only), or problem details that [`ProblemLayer`] read.
#[cfg(feature = "wire")]
fn classify_details<B>(response: &Response<B>) -> Option<ResponseFailure> {
    use error_core::ClassifiedError as _;
    let headers = response.headers();
    let decoded;
    let error = if grpc_status(headers).is_some_and(|code| code != 0)
        || headers
            .get("grpc-status")
            .is_some_and(|_| grpc_status(headers).is_none())
    {
        decoded = error_core::wire::grpc::decode_headers(headers)?;
        &decoded
    } else {
        let problem = response.extensions().get::<Problem>()?;
        if response.status().as_u16() < 400 {
            return None;
        }
        &*problem.0
    };
    let (hint, never_retry) = match pushback(headers) {
        Pushback::None => (None, false),
        Pushback::After(after) => (Some(after), false),
        Pushback::Never => (None, true),
    };
    Some(ResponseFailure {
        class: error.class(),
        code: error.code(),
        // The details' hint (exact, clamped), else the headers'.
        retry_after: error.retry_after().or(hint),
        never_retry,
    })
}
