//! The classification of reqwest's errors and responses.

use core::time::Duration;
use std::error::Error as StdError;

use error_core::{Class, find_classified};
use http::{HeaderMap, StatusCode, header};

use crate::http::HttpClassifier;
use crate::retry::{ClassifyResponse, ResponseFailure};

/// The most bytes of a problem+json body read to find its class.
pub(crate) const PROBLEM_CAP: u64 = 64 * 1024;

/// The class and code of an error from the rest of the chain or the client, or `None` for a
/// middleware's error with no classification; see the
/// [module documentation](super#classification).
///
/// ```
/// use error_core::Class;
/// use error_tower::reqwest::classify_error;
///
/// let refused = error_core::Error::transient("connection refused").with_code("net.refused");
/// let error = reqwest_middleware::Error::middleware(refused);
/// assert_eq!(classify_error(&error), Some((Class::Transient, "net.refused")));
/// ```
#[must_use]
pub fn classify_error(error: &reqwest_middleware::Error) -> Option<(Class, &'static str)> {
    match error {
        reqwest_middleware::Error::Reqwest(error) => Some(reqwest_class(error)),
        reqwest_middleware::Error::Middleware(error) => {
            let error: &(dyn StdError + 'static) = error.as_ref();
            find_classified(error).map(|found| (found.class(), found.code()))
        }
    }
}

fn reqwest_class(error: &reqwest::Error) -> (Class, &'static str) {
    if error.is_timeout() {
        return (Class::Transient, "reqwest.timeout");
    }
    if error.is_connect() {
        return (Class::Transient, "reqwest.connect");
    }
    if error.is_builder() {
        return (Class::Invalid, "reqwest.builder");
    }
    if error.is_redirect() {
        return (Class::Invalid, "reqwest.redirect");
    }
    if error.is_decode() {
        return (Class::Data, "reqwest.decode");
    }
    let code = if error.is_body() {
        "reqwest.body"
    } else {
        "reqwest.request"
    };
    // A reset, a broken pipe or an incomplete message: what the I/O error says, when it
    // says more than "other".
    let mut source = error.source();
    while let Some(link) = source {
        if let Some(io) = link.downcast_ref::<std::io::Error>() {
            let (class, _) = error_core::io_class(io.kind());
            if class != Class::Internal {
                return (class, code);
            }
        }
        source = link.source();
    }
    (Class::Transient, code)
}

/// The failure a response with `status` and `headers` means, as
/// [`HttpClassifier`](crate::http::HttpClassifier) finds it (408, 425, 429, 5xx, a
/// `grpc-status`; `Retry-After` or `grpc-retry-pushback-ms`), or `None` for a success.
///
/// ```
/// use std::time::Duration;
/// use error_core::Class;
/// use error_tower::reqwest::classify_status;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("retry-after", "3".parse().unwrap());
/// let failure = classify_status(http::StatusCode::TOO_MANY_REQUESTS, &headers).unwrap();
/// assert_eq!((failure.class, failure.code), (Class::Busy, "http.429"));
/// assert_eq!(failure.retry_after, Some(Duration::from_secs(3)));
/// assert!(classify_status(http::StatusCode::NOT_FOUND, &headers).is_none());
/// ```
#[must_use]
pub fn classify_status(status: StatusCode, headers: &HeaderMap) -> Option<ResponseFailure> {
    if status.as_u16() < 400 && !headers.contains_key("grpc-status") {
        return None;
    }
    // Only failures pay for the copy of the headers.
    let mut response = http::Response::new(());
    *response.status_mut() = status;
    *response.headers_mut() = headers.clone();
    HttpClassifier.classify(&response)
}

/// Whether the body is problem+json of a size worth reading.
pub(crate) fn is_small_problem(headers: &HeaderMap) -> bool {
    let problem = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/problem+json"))
        });
    let small = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|length| length <= PROBLEM_CAP);
    problem && small
}

/// The class a problem+json body's `class` member names, if any; a server's `fatal` is not
/// the client's (see the module documentation), so it gives none.
pub(crate) fn problem_class(body: &[u8]) -> Option<Class> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let class: Class = value.get("class")?.as_str()?.parse().ok()?;
    (class != Class::Fatal).then_some(class)
}

/// The failure, as the retry policy will read it: a "do not retry" pushback becomes `busy`
/// without a hint, which the policy never retries.
pub(crate) fn settle(
    found: ResponseFailure,
    class: Option<Class>,
) -> (Class, &'static str, Option<Duration>) {
    if found.never_retry {
        return (Class::Busy, found.code, None);
    }
    (class.unwrap_or(found.class), found.code, found.retry_after)
}
