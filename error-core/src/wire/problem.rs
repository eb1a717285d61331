//! RFC 9457 problem details, both ways (feature `problem`; `axum` adds `IntoResponse`).
//!
//! A server turns any [`ClassifiedError`] into an `application/problem+json` response with
//! [`to_response`] (or an [`Encoder`] of its own, or, with the `axum` feature, by returning
//! an [`Error`] from a handler); a client turns a response into an [`Error`] with
//! [`decode`].
//!
//! # On the wire
//!
//! ```text
//! HTTP/1.1 429 Too Many Requests
//! content-type: application/problem+json
//! retry-after: 2
//!
//! {"type":"about:blank","title":"Too Many Requests","status":429,
//!  "detail":"too many pending proposals. pending=`12`",
//!  "class":"busy","code":"ProposeError::Busy","retry_after_ms":1500,
//!  "fields":{"pending":"12"}}
//! ```
//!
//! - `status` is [`Status::http`] of the error's [status](ClassifiedError::status);
//! - `type` is `about:blank`, and `title` the status's reason phrase, as RFC 9457 asks of
//!   `about:blank`; with [`Encoder::type_base`], `type` is the base followed by the code in
//!   AIP-193 form ([`reason`]), one type per code, and `title` stays the
//!   reason phrase (the same for every occurrence of the type, since a code has one status);
//! - `detail` is the message, under the same [`Exposure`] policy as gRPC's;
//! - the extension members `class`, `code`, `retry_after_ms` (the hint in milliseconds, exact)
//!   and `fields` (an object of strings, in the error's order; redacted fields are never
//!   there) follow RFC 9457's rules for extension names;
//! - `Retry-After` holds the hint in whole seconds, rounded up, so that a client that
//!   knows only HTTP never comes back early.
//!
//! # What the client believes
//!
//! [`decode`] reads the body only when the response says `application/problem+json`, and
//! only up to [`MAX_BODY_LEN`] bytes (the caller reads at most that much; a longer body is
//! a [`Rejection::TooLarge`]). Members of the wrong type are ignored, as RFC 9457 says;
//! unknown members are skipped without being kept. The class is the `class` member's, else
//! [`Class::from_http`]'s, through the [remote table](super#a-remote-class-is-not-a-local-one);
//! the hint is `retry_after_ms`, else `Retry-After` (seconds or an HTTP-date), clamped to
//! [`MAX_RETRY_AFTER`](super::MAX_RETRY_AFTER).

use alloc::borrow::Cow;
use alloc::string::{String, ToString as _};
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap as _, Serializer as _};

use super::{
    Draft, Exposure, Protocol, Rejection, Remote, clamp_retry_after, fields_of, message_of,
    push_rejection, reason,
};
use crate::{Class, ClassifiedError, Error, Status};

/// The media type of problem details.
pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem+json body longer than this is not read: read at most this many bytes of a
/// response's body before calling [`decode`].
pub const MAX_BODY_LEN: usize = 16 * 1024;

/// Makes problem+json responses from classified errors; see the [module
/// documentation](self).
///
/// ```
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError};
/// use error_core::wire::problem;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy, retry_after_ms = 1500)]
/// #[error("too many pending proposals")]
/// struct Busy { pending: usize }
///
/// let response = problem::to_response(&Busy { pending: 12 });
/// assert_eq!(response.status(), 429);
/// assert_eq!(response.headers()["content-type"], "application/problem+json");
/// assert_eq!(response.headers()["retry-after"], "2");
/// assert_eq!(
///     std::str::from_utf8(response.body()).unwrap(),
///     r#"{"type":"about:blank","title":"Too Many Requests","status":429,"detail":"too many pending proposals. pending=`12`","class":"busy","code":"Busy","retry_after_ms":1500,"fields":{"pending":"12"}}"#,
/// );
///
/// let (parts, body) = response.into_parts();
/// let error = problem::decode(parts.status, &parts.headers, &body);
/// assert_eq!(error.class(), Class::Busy);
/// assert_eq!(error.code(), "Busy");
/// assert_eq!(error.retry_after(), Some(Duration::from_millis(1500)));
/// assert_eq!(error.remote().unwrap().field("pending"), Some("12"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoder {
    type_base: Option<Cow<'static, str>>,
    exposure: Exposure,
}

impl Encoder {
    /// An encoder with `type` `about:blank` and the default [`Exposure`].
    #[must_use]
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// Each code gets its own `type`: `base` followed by the code in AIP-193 form
    /// (`https://errors.example.com/` → `https://errors.example.com/PROPOSE_ERROR_BUSY`).
    #[must_use]
    pub fn type_base(mut self, base: impl Into<Cow<'static, str>>) -> Encoder {
        self.type_base = Some(base.into());
        self
    }

    /// Which classes' messages are sent as they are.
    #[must_use]
    pub fn exposure(mut self, exposure: Exposure) -> Encoder {
        self.exposure = exposure;
        self
    }

    /// The response for `error`: its status, `Content-Type: application/problem+json`,
    /// `Retry-After` when it has a hint, and the [body](Encoder::body).
    pub fn encode<E: ClassifiedError + ?Sized>(&self, error: &E) -> http::Response<bytes::Bytes> {
        let status = error.status().http_status();
        let mut response = http::Response::new(bytes::Bytes::from(self.body(error)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(CONTENT_TYPE),
        );
        if let Some(after) = error.retry_after() {
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }

    /// The problem+json body for `error`.
    pub fn body<E: ClassifiedError + ?Sized>(&self, error: &E) -> Vec<u8> {
        let status = error.status().http_status();
        let fields = fields_of(error);
        let message = message_of(error, self.exposure, &fields);
        let code = error.code();
        let type_ = match &self.type_base {
            Some(base) => {
                let mut type_ = base.to_string();
                type_.push_str(&reason(code));
                Cow::Owned(type_)
            }
            None => Cow::Borrowed("about:blank"),
        };
        let body = Body {
            type_: &type_,
            title: status.canonical_reason().unwrap_or("Unknown"),
            status: status.as_u16(),
            detail: &message,
            class: error.class().as_str(),
            code,
            retry_after_ms: error
                .retry_after()
                .map(|after| u64::try_from(after.as_millis()).unwrap_or(u64::MAX)),
            fields: &fields,
        };
        let mut out = Vec::with_capacity(256);
        // Writing to a `Vec` cannot fail, and every value is a string or a number.
        let _ = body.write(&mut out);
        out
    }
}

/// [`Encoder::default`]'s response for `error`: a plain function from any classified error
/// to an `http::Response`.
pub fn to_response<E: ClassifiedError + ?Sized>(error: &E) -> http::Response<bytes::Bytes> {
    Encoder::default().encode(error)
}

struct Body<'a> {
    type_: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    class: &'a str,
    code: &'a str,
    retry_after_ms: Option<u64>,
    fields: &'a [(&'static str, String)],
}

impl Body<'_> {
    fn write(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let mut serializer = serde_json::Serializer::new(out);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.type_)?;
        map.serialize_entry("title", self.title)?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("detail", self.detail)?;
        map.serialize_entry("class", self.class)?;
        map.serialize_entry("code", self.code)?;
        if let Some(ms) = self.retry_after_ms {
            map.serialize_entry("retry_after_ms", &ms)?;
        }
        if !self.fields.is_empty() {
            map.serialize_entry("fields", &Fields(self.fields))?;
        }
        map.end()
    }
}

struct Fields<'a>(&'a [(&'static str, String)]);

impl serde::Serialize for Fields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The error an HTTP response reports, decoded: `status`, its `headers`, and its `body`
/// (at most [`MAX_BODY_LEN`] bytes of it). See [`Remote`] for what it answers and the
/// [module documentation](self#what-the-client-believes) for what is believed.
///
/// A response without problem details is classified by its status ([`Class::from_http`],
/// through the remote table), with the code `http.<status>` (`http.503`). A status under
/// 400 is no error; decoding one gives `internal`, with the code `http.other`.
///
/// The error's [`Location`](crate::Location) is the caller's: where the client decoded it.
///
/// ```
/// use error_core::{Class, ClassifiedError};
/// use error_core::wire::problem;
///
/// let error = problem::decode(http::StatusCode::SERVICE_UNAVAILABLE, &http::HeaderMap::new(), b"down");
/// assert_eq!(error.class(), Class::Transient);
/// assert_eq!(error.code(), "http.503");
/// assert_eq!(error.to_string(), "Service Unavailable");
/// ```
#[must_use]
#[track_caller]
pub fn decode(status: http::StatusCode, headers: &http::HeaderMap, body: &[u8]) -> Error {
    Error::new(decode_remote(status, headers, body))
}

/// The [`Remote`] of [`decode`].
#[must_use]
pub fn decode_remote(status: http::StatusCode, headers: &http::HeaderMap, body: &[u8]) -> Remote {
    let code = status.as_u16();
    let mut draft = Draft::default();
    let mut title = None;
    if is_problem(headers) {
        if body.len() > MAX_BODY_LEN {
            push_rejection(&mut draft.rejections, Rejection::TooLarge);
        } else {
            match serde_json::from_slice::<Problem<'_>>(body) {
                Ok(problem) => title = read_problem(&mut draft, problem),
                Err(_) => push_rejection(&mut draft.rejections, Rejection::Malformed),
            }
        }
    }
    if draft.message.is_empty() {
        let fallback = title.unwrap_or(Cow::Borrowed(status.canonical_reason().unwrap_or("")));
        draft.message(&fallback);
    }
    if draft.retry_after.is_none() {
        draft.retry_after = retry_after_header(headers, &mut draft.rejections);
    }
    let implied = Class::from_http(code).unwrap_or(Class::Internal);
    draft.finish(
        Protocol::Http,
        status_of(code),
        implied,
        Some(code),
        fallback_code(code),
    )
}

fn is_problem(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(CONTENT_TYPE))
}

/// Takes what the problem says into `draft`; returns its title, the message's fallback.
fn read_problem<'a>(draft: &mut Draft, problem: Problem<'a>) -> Option<Cow<'a, str>> {
    if let Some(class) = &problem.class {
        draft.class(class);
    }
    if let Some(code) = &problem.code {
        draft.code(code);
    }
    if let Some(type_) = problem.type_.filter(|t| t != "about:blank") {
        draft.domain(&type_);
    }
    if let Some(detail) = &problem.detail {
        draft.message(detail);
    }
    match problem.retry_after_ms {
        Some(Json::U64(ms)) => {
            draft.retry_after = Some(clamp_retry_after(
                Duration::from_millis(ms),
                &mut draft.rejections,
            ));
        }
        Some(Json::F64(ms)) if ms.is_finite() && ms >= 0.0 => {
            let after = Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(Duration::MAX);
            draft.retry_after = Some(clamp_retry_after(after, &mut draft.rejections));
        }
        Some(_) => push_rejection(&mut draft.rejections, Rejection::RetryAfterInvalid),
        None => {}
    }
    for (key, value) in &problem.fields {
        match value {
            Some(value) => draft.field(key, value),
            None => push_rejection(&mut draft.rejections, Rejection::FieldsDropped(1)),
        }
    }
    if problem.fields_dropped > 0 {
        push_rejection(
            &mut draft.rejections,
            Rejection::FieldsDropped(problem.fields_dropped),
        );
    }
    problem.title
}

/// `Retry-After`: delay-seconds, or an HTTP-date measured against the system clock.
fn retry_after_header(
    headers: &http::HeaderMap,
    rejections: &mut Vec<Rejection>,
) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?;
    let Ok(value) = value.to_str() else {
        push_rejection(rejections, Rejection::RetryAfterInvalid);
        return None;
    };
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(clamp_retry_after(Duration::from_secs(seconds), rejections));
    }
    if let Ok(date) = httpdate::parse_http_date(value) {
        let after = date
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        Some(clamp_retry_after(after, rejections))
    } else {
        push_rejection(rejections, Rejection::RetryAfterInvalid);
        None
    }
}

/// The gRPC status an HTTP status stands for, as Google's HTTP mapping of `google.rpc.Code`
/// reads it back: what a decoded error's [`status`](ClassifiedError::status) is.
///
/// | HTTP | status |
/// |---|---|
/// | 400 | invalid_argument |
/// | 401 | unauthenticated |
/// | 403 | permission_denied |
/// | 404 | not_found |
/// | 408, 504 | deadline_exceeded |
/// | 409 | aborted |
/// | 412 | failed_precondition |
/// | 416 | out_of_range |
/// | 429 | resource_exhausted |
/// | 499 | cancelled |
/// | 501 | unimplemented |
/// | 425, 502, 503 | unavailable |
/// | other 4xx | invalid_argument |
/// | 500, other 5xx | internal |
/// | under 400 | unknown |
#[must_use]
pub const fn status_of(http: u16) -> Status {
    match http {
        401 => Status::Unauthenticated,
        403 => Status::PermissionDenied,
        404 => Status::NotFound,
        408 | 504 => Status::DeadlineExceeded,
        409 => Status::Aborted,
        412 => Status::FailedPrecondition,
        416 => Status::OutOfRange,
        429 => Status::ResourceExhausted,
        499 => Status::Cancelled,
        501 => Status::Unimplemented,
        425 | 502 | 503 => Status::Unavailable,
        400..=498 => Status::InvalidArgument,
        500..=599 => Status::Internal,
        _ => Status::Unknown,
    }
}

/// `http.503` and so on: the code of an error whose server named none. Registered statuses
/// have their own; others are `http.4xx`, `http.5xx` or `http.other`.
#[must_use]
pub const fn fallback_code(status: u16) -> &'static str {
    macro_rules! codes {
        ($($n:literal)*) => {
            match status {
                $($n => concat!("http.", $n),)*
                400..=499 => "http.4xx",
                500..=599 => "http.5xx",
                _ => "http.other",
            }
        };
    }
    codes! {
        400 401 402 403 404 405 406 407 408 409 410 411 412 413 414 415 416 417 418
        421 422 423 424 425 426 428 429 431 451 499
        500 501 502 503 504 505 506 507 508 510 511
    }
}

/// What [`decode`] takes from a problem+json body.
#[derive(Default)]
struct Problem<'a> {
    type_: Option<Cow<'a, str>>,
    title: Option<Cow<'a, str>>,
    detail: Option<Cow<'a, str>>,
    class: Option<Cow<'a, str>>,
    code: Option<Cow<'a, str>>,
    retry_after_ms: Option<Json<'a>>,
    /// `None` for a value that is not a string or a number.
    fields: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    fields_dropped: u32,
}

impl<'de> Deserialize<'de> for Problem<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ProblemVisitor)
    }
}

struct ProblemVisitor;

impl<'de> Visitor<'de> for ProblemVisitor {
    type Value = Problem<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a problem details object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Problem<'de>, A::Error> {
        let mut problem = Problem::default();
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            match &*key {
                "type" => problem.type_ = map.next_value::<Json<'de>>()?.string(),
                "title" => problem.title = map.next_value::<Json<'de>>()?.string(),
                "detail" => problem.detail = map.next_value::<Json<'de>>()?.string(),
                "class" => problem.class = map.next_value::<Json<'de>>()?.string(),
                "code" => problem.code = map.next_value::<Json<'de>>()?.string(),
                "retry_after_ms" => problem.retry_after_ms = Some(map.next_value()?),
                "fields" => {
                    let fields = map.next_value::<FieldList<'de>>()?;
                    problem.fields = fields.kept;
                    problem.fields_dropped = fields.dropped;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(problem)
    }
}

/// A JSON string, borrowed from the body when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// A member's value: a string or a number kept, anything else skipped and forgotten.
enum Json<'a> {
    Str(Cow<'a, str>),
    U64(u64),
    I64(i64),
    F64(f64),
    Other,
}

impl<'a> Json<'a> {
    fn string(self) -> Option<Cow<'a, str>> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A field's value as text: a string, or a number written as JSON writes it.
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Json::Str(s) => Some(s),
            Json::U64(n) => Some(Cow::Owned(n.to_string())),
            Json::I64(n) => Some(Cow::Owned(n.to_string())),
            Json::F64(n) => Some(Cow::Owned(n.to_string())),
            Json::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::U64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::I64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Json::F64(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json<'de>, E> {
        Ok(Json::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Json::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Json::Other)
    }
}

/// The `fields` member: at most [`MAX_FIELDS`](super::MAX_FIELDS) entries kept, the rest
/// counted and skipped without being kept. Not an object: no fields.
#[derive(Default)]
struct FieldList<'a> {
    kept: Vec<(Cow<'a, str>, Option<Cow<'a, str>>)>,
    dropped: u32,
}

impl<'de> Deserialize<'de> for FieldList<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = FieldList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of fields")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldList<'de>, A::Error> {
                let mut fields = FieldList::default();
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    if fields.kept.len() < super::MAX_FIELDS {
                        let value = map.next_value::<Json<'de>>()?.text();
                        fields.kept.push((key, value));
                    } else {
                        map.next_value::<IgnoredAny>()?;
                        fields.dropped = fields.dropped.saturating_add(1);
                    }
                }
                Ok(fields)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FieldList<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FieldList::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<FieldList<'de>, E> {
                Ok(FieldList::default())
            }
        }
        deserializer.deserialize_any(FieldsVisitor)
    }
}

#[cfg(feature = "axum")]
impl axum_core::response::IntoResponse for Error {
    /// [`to_response`]: problem details with the default [`Encoder`].
    fn into_response(self) -> axum_core::response::Response {
        to_response(&self).map(axum_core::body::Body::from)
    }
}
