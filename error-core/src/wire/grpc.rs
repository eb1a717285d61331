//! The gRPC rich error model, both ways (feature `tonic`).
//!
//! A server turns any [`ClassifiedError`] into a `tonic::Status` with [`Encoder::encode`]
//! (or `?`, through `From<Error> for tonic::Status`); a client turns the `tonic::Status` it
//! got into an [`Error`] with [`decode`] (or `?`, through `From<tonic::Status> for Error`),
//! and a `tonic::Status` is itself a [`ClassifiedError`], so that a retry layer around
//! tonic calls reads the server's class and hint with no glue.
//!
//! # On the wire
//!
//! The status carries a serialized `google.rpc.Status` in the `grpc-status-details-bin`
//! trailer, with the same code and message as the status itself (gRPC's Python and C++
//! libraries refuse details whose code or message differ), and two details:
//!
//! - `google.rpc.ErrorInfo`: `reason` is the code in AIP-193 form ([`reason`](super::reason)),
//!   `domain` is the [`Encoder`]'s (the service's name), and `metadata` holds `code` (the
//!   exact code), `class`, and the error's fields, in the error's order (a field named
//!   `code`, `class`, or starting with `field-`, is sent as `field-` and its name);
//! - `google.rpc.RetryInfo`, when the error has a retry hint.
//!
//! A retriable class with a hint also gets the `grpc-retry-pushback-ms` trailer (gRPC
//! retry design A6), in whole milliseconds rounded up, which gRPC's own retry machinery
//! reads.
//!
//! # Why messages of our own, not `tonic-types`
//!
//! [`pb`] holds the three google.rpc messages, written by hand with prost's derive (no
//! `protoc`): they are wire-compatible with `tonic-types` and with every other
//! implementation (the tests check both directions against `tonic-types` and Python's
//! `grpcio-status`), but `ErrorInfo.metadata` is a list of entries rather than a
//! `HashMap`, which keeps the fields in the error's order on the way out and in the
//! server's order on the way in, costs no hashing, and lets the decoder stop at
//! [`MAX_FIELDS`](super::MAX_FIELDS). Details are read only up to [`MAX_DETAILS_LEN`]
//! bytes, and only the first `ErrorInfo` and `RetryInfo` are used; other detail types are
//! skipped, as the model requires.
//!
//! # Headers that tonic would panic on
//!
//! `tonic::Status::from_header_map`, which tonic's client uses on every response, panics
//! when `grpc-status-details-bin` is not valid base64 (tonic 0.14). [`decode_headers`]
//! reads a trailers-only response's headers (or trailers) without it, and never panics;
//! `error_tower::http::GrpcSanitizeLayer` uses it to drop a malformed header before tonic
//! sees it.

use alloc::borrow::Cow;
use alloc::string::{String, ToString as _};
use alloc::vec::Vec;
use core::time::Duration;

use base64::Engine as _;
use prost::Message as _;

use super::{
    Draft, Exposure, Protocol, Rejection, Remote, clamp_retry_after, fields_of, message_of,
    push_rejection, reason, wire_key,
};
use crate::{Class, ClassifiedError, Error, Level, Status, Visit};

/// Details (`grpc-status-details-bin`, decoded) longer than this are not read: ample for
/// an `ErrorInfo` of [`MAX_FIELDS`](super::MAX_FIELDS) fields and a `RetryInfo`, and well
/// under the 16 KiB header list that HTTP/2 peers accept by default.
pub const MAX_DETAILS_LEN: usize = 8 * 1024;

/// The type URL of `google.rpc.ErrorInfo`.
pub const ERROR_INFO_TYPE_URL: &str = "type.googleapis.com/google.rpc.ErrorInfo";

/// The type URL of `google.rpc.RetryInfo`.
pub const RETRY_INFO_TYPE_URL: &str = "type.googleapis.com/google.rpc.RetryInfo";

/// The trailer of server pushback (gRPC retry design A6), in milliseconds.
pub const PUSHBACK_HEADER: &str = "grpc-retry-pushback-ms";

/// The trailer that holds the serialized `google.rpc.Status`.
pub const DETAILS_HEADER: &str = "grpc-status-details-bin";

/// At most this many details are looked at.
const MAX_DETAILS: usize = 16;

/// google.rpc's messages, wire-compatible with `google/rpc/status.proto`,
/// `google/rpc/error_details.proto` and `google/protobuf/{any,duration}.proto`.
pub mod pb {
    use alloc::string::String;
    use alloc::vec::Vec;

    /// `google.rpc.Status`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Status {
        /// The status code, a `google.rpc.Code`.
        #[prost(int32, tag = "1")]
        pub code: i32,
        /// The developer-facing message.
        #[prost(string, tag = "2")]
        pub message: String,
        /// The details.
        #[prost(message, repeated, tag = "3")]
        pub details: Vec<Any>,
    }

    /// `google.protobuf.Any`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct Any {
        /// The type URL: `type.googleapis.com/google.rpc.ErrorInfo`.
        #[prost(string, tag = "1")]
        pub type_url: String,
        /// The serialized message.
        #[prost(bytes = "vec", tag = "2")]
        pub value: Vec<u8>,
    }

    /// `google.rpc.ErrorInfo`, with its `map<string, string> metadata` as the list of
    /// entries it is on the wire.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct ErrorInfo {
        /// The reason, `UPPER_SNAKE_CASE`.
        #[prost(string, tag = "1")]
        pub reason: String,
        /// The domain: the producer's name.
        #[prost(string, tag = "2")]
        pub domain: String,
        /// The metadata, in wire order.
        #[prost(message, repeated, tag = "3")]
        pub metadata: Vec<MetadataEntry>,
    }

    /// One entry of `ErrorInfo.metadata`: a protobuf map entry.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct MetadataEntry {
        /// The key.
        #[prost(string, tag = "1")]
        pub key: String,
        /// The value.
        #[prost(string, tag = "2")]
        pub value: String,
    }

    /// `google.rpc.RetryInfo`.
    #[derive(Clone, PartialEq, Eq, ::prost::Message)]
    pub struct RetryInfo {
        /// How long the client should wait before retrying.
        #[prost(message, optional, tag = "1")]
        pub retry_delay: Option<Duration>,
    }

    /// `google.protobuf.Duration`.
    #[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
    pub struct Duration {
        /// Whole seconds.
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        /// Nanoseconds, 0 to 999,999,999 for a positive duration.
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }
}

/// Makes `tonic::Status`es from classified errors; see the [module documentation](self).
///
/// ```
/// use std::time::Duration;
/// use error_core::{Class, ClassifiedError};
/// use error_core::wire::grpc;
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(busy, retry_after_ms = 2000)]
/// #[error("too many pending proposals")]
/// struct Busy { pending: usize }
///
/// let status = grpc::Encoder::new("kv.example").encode(&Busy { pending: 12 });
/// assert_eq!(status.code(), tonic::Code::ResourceExhausted);
/// assert_eq!(status.message(), "too many pending proposals. pending=`12`");
/// assert_eq!(status.metadata().get("grpc-retry-pushback-ms").unwrap(), "2000");
///
/// let error = grpc::decode(&status);
/// assert_eq!(error.class(), Class::Busy);
/// assert_eq!(error.code(), "Busy");
/// assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
/// assert_eq!(error.remote().unwrap().field("pending"), Some("12"));
/// assert_eq!(error.remote().unwrap().domain(), Some("kv.example"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoder {
    domain: Cow<'static, str>,
    exposure: Exposure,
}

/// The domain of [`Encoder::default`], and so of `From<Error> for tonic::Status`.
pub const DEFAULT_DOMAIN: &str = "classified-errors";

impl Default for Encoder {
    /// The [`DEFAULT_DOMAIN`] and the default [`Exposure`].
    fn default() -> Self {
        Encoder::new(DEFAULT_DOMAIN)
    }
}

impl Encoder {
    /// An encoder whose `ErrorInfo.domain` is `domain`: a globally unique name for the
    /// service (AIP-193), such as `"kv.example.com"`. The default [`Exposure`].
    #[must_use]
    pub fn new(domain: impl Into<Cow<'static, str>>) -> Encoder {
        Encoder {
            domain: domain.into(),
            exposure: Exposure::default(),
        }
    }

    /// Which classes' messages are sent as they are.
    #[must_use]
    pub fn exposure(mut self, exposure: Exposure) -> Encoder {
        self.exposure = exposure;
        self
    }

    /// The domain.
    #[must_use]
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The status for `error`: its code, its message (under the [`Exposure`] policy), and
    /// the details and trailers of the [module documentation](self).
    pub fn encode<E: ClassifiedError + ?Sized>(&self, error: &E) -> tonic::Status {
        let class = error.class();
        let retry_after = error.retry_after();
        let status = error.status();
        let fields = fields_of(error);
        let message = message_of(error, self.exposure, &fields);
        let details = self.details_of(error, status, class, retry_after, &message, fields);
        let mut metadata = tonic::metadata::MetadataMap::new();
        if let Some(after) = retry_after.filter(|_| class.is_retriable()) {
            let millis = u64::try_from(after.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
            metadata.insert(PUSHBACK_HEADER, tonic::metadata::MetadataValue::from(millis));
        }
        tonic::Status::with_details_and_metadata(
            status.tonic_code(),
            message,
            bytes::Bytes::from(details),
            metadata,
        )
    }

    /// The serialized `google.rpc.Status` for `error`, as it goes in
    /// `grpc-status-details-bin`: for a server that builds its status another way.
    pub fn details<E: ClassifiedError + ?Sized>(&self, error: &E) -> Vec<u8> {
        let class = error.class();
        let fields = fields_of(error);
        let message = message_of(error, self.exposure, &fields);
        self.details_of(
            error,
            error.status(),
            class,
            error.retry_after(),
            &message,
            fields,
        )
    }

    fn details_of<E: ClassifiedError + ?Sized>(
        &self,
        error: &E,
        status: Status,
        class: Class,
        retry_after: Option<Duration>,
        message: &str,
        fields: Vec<(&'static str, String)>,
    ) -> Vec<u8> {
        let code = error.code();
        let mut metadata = Vec::with_capacity(fields.len() + 2);
        metadata.push(pb::MetadataEntry {
            key: "code".to_string(),
            value: code.to_string(),
        });
        metadata.push(pb::MetadataEntry {
            key: "class".to_string(),
            value: class.as_str().to_string(),
        });
        for (key, value) in fields {
            metadata.push(pb::MetadataEntry {
                key: wire_key(key).into_owned(),
                value,
            });
        }
        let info = pb::ErrorInfo {
            reason: reason(code),
            domain: self.domain.to_string(),
            metadata,
        };
        let mut details = Vec::with_capacity(2);
        details.push(pb::Any {
            type_url: ERROR_INFO_TYPE_URL.to_string(),
            value: info.encode_to_vec(),
        });
        if let Some(after) = retry_after {
            let delay = pb::Duration {
                seconds: i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                nanos: i32::try_from(after.subsec_nanos()).unwrap_or(0),
            };
            details.push(pb::Any {
                type_url: RETRY_INFO_TYPE_URL.to_string(),
                value: pb::RetryInfo {
                    retry_delay: Some(delay),
                }
                .encode_to_vec(),
            });
        }
        pb::Status {
            code: status.grpc(),
            message: message.to_string(),
            details,
        }
        .encode_to_vec()
    }
}

/// The error that `status` reports, decoded; see [`Remote`] for what it answers and the
/// [module documentation](super#what-the-client-believes) for what is believed.
///
/// A status with no details is classified by its code ([`Status::class`], through the
/// [remote table](super#a-remote-class-is-not-a-local-one)), with the code
/// `grpc.<NAME>` (`grpc.UNAVAILABLE`). An `OK` status is no error; decoding one gives
/// `internal`, with the code `grpc.UNKNOWN`.
///
/// ```
/// use error_core::{Class, ClassifiedError};
/// use error_core::wire::grpc;
///
/// let error = grpc::decode(&tonic::Status::unavailable("connection refused"));
/// assert_eq!(error.class(), Class::Transient);
/// assert_eq!(error.code(), "grpc.UNAVAILABLE");
/// assert_eq!(error.to_string(), "connection refused");
/// ```
#[must_use]
pub fn decode(status: &tonic::Status) -> Error {
    Error::new(remote_of(status))
}

/// The [`Remote`] of [`decode`].
fn remote_of(status: &tonic::Status) -> Remote {
    let pushback = status
        .metadata()
        .get(PUSHBACK_HEADER)
        .map(tonic::metadata::MetadataValue::as_bytes);
    decode_parts(
        status.code() as i32,
        status.message(),
        status.details(),
        pushback,
    )
}

/// Decodes a status from its parts: the gRPC code number, the message, the serialized
/// `google.rpc.Status` (`grpc-status-details-bin`, after base64) and the
/// `grpc-retry-pushback-ms` value, for a client that reads them itself.
#[must_use]
pub fn decode_parts(code: i32, message: &str, details: &[u8], pushback: Option<&[u8]>) -> Remote {
    let status = Status::from_grpc(code).unwrap_or(Status::Unknown);
    let mut draft = Draft::default();
    draft.message(message);
    if details.len() > MAX_DETAILS_LEN {
        push_rejection(&mut draft.rejections, Rejection::TooLarge);
    } else if !details.is_empty() {
        read_details(&mut draft, code, details);
    }
    if draft.retry_after.is_none() {
        draft.retry_after = pushback.and_then(|value| read_pushback(value, &mut draft.rejections));
    }
    draft.finish(
        Protocol::Grpc,
        status,
        status.class(),
        None,
        fallback_code(status),
    )
}

fn read_details(draft: &mut Draft, code: i32, details: &[u8]) {
    let Ok(rpc) = pb::Status::decode(details) else {
        push_rejection(&mut draft.rejections, Rejection::Malformed);
        return;
    };
    if rpc.code != code {
        push_rejection(&mut draft.rejections, Rejection::CodeMismatch);
        return;
    }
    let mut info_seen = false;
    let mut retry_seen = false;
    for any in rpc.details.iter().take(MAX_DETAILS) {
        match any.type_url.as_str() {
            ERROR_INFO_TYPE_URL if !info_seen => {
                info_seen = true;
                match pb::ErrorInfo::decode(any.value.as_slice()) {
                    Ok(info) => read_error_info(draft, &info),
                    Err(_) => push_rejection(&mut draft.rejections, Rejection::Malformed),
                }
            }
            RETRY_INFO_TYPE_URL if !retry_seen => {
                retry_seen = true;
                match pb::RetryInfo::decode(any.value.as_slice()) {
                    Ok(pb::RetryInfo {
                        retry_delay: Some(delay),
                    }) => draft.retry_after = read_delay(delay, &mut draft.rejections),
                    Ok(pb::RetryInfo { retry_delay: None }) => {}
                    Err(_) => push_rejection(&mut draft.rejections, Rejection::Malformed),
                }
            }
            // Other detail types, and repeats, are skipped, as the model requires.
            _ => {}
        }
    }
}

fn read_error_info(draft: &mut Draft, info: &pb::ErrorInfo) {
    draft.reason(&info.reason);
    draft.domain(&info.domain);
    let mut code = None;
    for entry in &info.metadata {
        match entry.key.as_str() {
            "code" if code.is_none() => code = Some(entry.value.as_str()),
            "class" => draft.class(&entry.value),
            key => draft.field(key, &entry.value),
        }
    }
    // The exact code, else the reason (what an AIP-193 server that is not this crate
    // sends), else the status's fallback.
    match (code, draft.reason.clone()) {
        (Some(code), _) => draft.code(code),
        (None, Some(reason)) => draft.code(&reason),
        (None, None) => {}
    }
}

fn read_delay(delay: pb::Duration, rejections: &mut Vec<Rejection>) -> Option<Duration> {
    let seconds = u64::try_from(delay.seconds).ok();
    let nanos = u32::try_from(delay.nanos)
        .ok()
        .filter(|nanos| *nanos < 1_000_000_000);
    if let (Some(seconds), Some(nanos)) = (seconds, nanos) {
        Some(clamp_retry_after(
            Duration::new(seconds, 0).saturating_add(Duration::from_nanos(u64::from(nanos))),
            rejections,
        ))
    } else {
        push_rejection(rejections, Rejection::RetryAfterInvalid);
        None
    }
}

/// A `grpc-retry-pushback-ms` value: a non-negative integer of milliseconds. A negative
/// one means "do not retry", which a classified error cannot say; it is no hint (the
/// retry layer's `HttpClassifier` reads it from the trailers and does not retry).
fn read_pushback(value: &[u8], rejections: &mut Vec<Rejection>) -> Option<Duration> {
    let text = core::str::from_utf8(value).ok()?.trim();
    match text.parse::<i64>() {
        Ok(ms) if ms >= 0 => Some(clamp_retry_after(
            Duration::from_millis(ms.unsigned_abs()),
            rejections,
        )),
        Ok(_) => None,
        Err(_) => {
            push_rejection(rejections, Rejection::RetryAfterInvalid);
            None
        }
    }
}

/// `grpc.UNAVAILABLE` and so on: the code of an error whose server named none.
#[must_use]
pub const fn fallback_code(status: Status) -> &'static str {
    match status {
        Status::Cancelled => "grpc.CANCELLED",
        Status::Unknown => "grpc.UNKNOWN",
        Status::InvalidArgument => "grpc.INVALID_ARGUMENT",
        Status::DeadlineExceeded => "grpc.DEADLINE_EXCEEDED",
        Status::NotFound => "grpc.NOT_FOUND",
        Status::AlreadyExists => "grpc.ALREADY_EXISTS",
        Status::PermissionDenied => "grpc.PERMISSION_DENIED",
        Status::ResourceExhausted => "grpc.RESOURCE_EXHAUSTED",
        Status::FailedPrecondition => "grpc.FAILED_PRECONDITION",
        Status::Aborted => "grpc.ABORTED",
        Status::OutOfRange => "grpc.OUT_OF_RANGE",
        Status::Unimplemented => "grpc.UNIMPLEMENTED",
        Status::Internal => "grpc.INTERNAL",
        Status::Unavailable => "grpc.UNAVAILABLE",
        Status::DataLoss => "grpc.DATA_LOSS",
        Status::Unauthenticated => "grpc.UNAUTHENTICATED",
    }
}

/// The error reported by the gRPC status in `headers` (a trailers-only response's headers,
/// or a response's trailers), decoded as [`decode`] does; `None` without a `grpc-status`
/// or with `0` (OK).
///
/// Unlike tonic's own reader, a `grpc-status-details-bin` that is not base64 is a
/// [`Rejection::Malformed`], not a panic; a `grpc-message` that is not percent-encoded
/// UTF-8 is read lossily.
///
/// ```
/// use error_core::{Class, ClassifiedError};
/// use error_core::wire::grpc;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("grpc-status", "8".parse().unwrap());
/// headers.insert("grpc-message", "queue%20full".parse().unwrap());
/// headers.insert("grpc-status-details-bin", "!!not base64!!".parse().unwrap());
/// let error = grpc::decode_headers(&headers).unwrap();
/// assert_eq!(error.class(), Class::Busy);
/// assert_eq!(error.to_string(), "queue full");
/// assert_eq!(error.remote().unwrap().rejections(), [error_core::wire::Rejection::Malformed]);
/// ```
#[must_use]
pub fn decode_headers(headers: &http::HeaderMap) -> Option<Error> {
    let code = headers.get("grpc-status")?;
    let code = core::str::from_utf8(code.as_bytes())
        .ok()
        .and_then(|code| code.trim().parse::<i32>().ok())
        .unwrap_or(2);
    if code == 0 {
        return None;
    }
    let message = headers.get("grpc-message").map_or(Cow::Borrowed(""), |m| {
        percent_encoding::percent_decode(m.as_bytes()).decode_utf8_lossy()
    });
    let mut rejection = None;
    let details = match headers.get(DETAILS_HEADER) {
        None => Vec::new(),
        Some(value) => match details_from_base64(value.as_bytes()) {
            Ok(details) => details,
            Err(r) => {
                rejection = Some(r);
                Vec::new()
            }
        },
    };
    let pushback = headers.get(PUSHBACK_HEADER).map(http::HeaderValue::as_bytes);
    let mut remote = decode_parts(code, &message, &details, pushback);
    if let Some(rejection) = rejection {
        push_rejection(&mut remote.rejections, rejection);
    }
    Some(Error::new(remote))
}

/// `grpc-status-details-bin`'s bytes: base64, padded or not, as gRPC sends it; bounded
/// before it is decoded.
///
/// # Errors
///
/// [`Rejection::TooLarge`] when it would decode to more than [`MAX_DETAILS_LEN`] bytes,
/// [`Rejection::Malformed`] when it is not base64.
pub fn details_from_base64(value: &[u8]) -> Result<Vec<u8>, Rejection> {
    if value.len() > MAX_DETAILS_LEN.div_ceil(3) * 4 {
        return Err(Rejection::TooLarge);
    }
    BASE64.decode(value).map_err(|_| Rejection::Malformed)
}

/// Standard base64, padding optional: what tonic reads and writes.
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// A `tonic::Status` is a classified error: the [`Remote`] that [`decode`] makes of it
/// answers every question. A status made locally (a transport error, a deadline) has no
/// details and is classified by its code.
///
/// Each method decodes the details again (they are at most [`MAX_DETAILS_LEN`] bytes);
/// code that asks many questions of one status decodes it once with [`decode`].
impl ClassifiedError for tonic::Status {
    fn class(&self) -> Class {
        remote_of(self).class
    }

    fn code(&self) -> &'static str {
        remote_of(self).code
    }

    fn retry_after(&self) -> Option<Duration> {
        remote_of(self).retry_after
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        remote_of(self).visit_fields(visitor);
    }

    fn status(&self) -> Status {
        Status::from_grpc(self.code() as i32).unwrap_or(Status::Unknown)
    }

    fn level(&self) -> Level {
        Level::from_class(self.class())
    }

    fn type_name(&self) -> &'static str {
        "tonic::Status"
    }
}

impl From<tonic::Status> for Error {
    /// [`decode`]s the status.
    fn from(status: tonic::Status) -> Self {
        decode(&status)
    }
}
