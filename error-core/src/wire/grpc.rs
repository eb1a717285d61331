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
//! - `google.rpc.ErrorInfo`: `reason` is the code in AIP-193 form ([`reason`]),
//!   `domain` is the [`Encoder`]'s (the service's name), and `metadata` holds `code` (the
//!   exact code), `class`, and the error's fields, in the error's order (a field named
//!   `code`, `class`, or starting with `field-`, is sent as `field-` and its name);
//! - `google.rpc.RetryInfo`, when the error has a retry hint.
//!
//! A retriable class with a hint also gets the `grpc-retry-pushback-ms` trailer (gRPC
//! retry design A6), in whole milliseconds rounded up, which gRPC's own retry machinery
//! reads.
//!
//! # Why a codec of our own, not `tonic-types`
//!
//! The messages are google.rpc's, byte for byte: the tests check both directions against
//! `tonic-types` and Python's `grpcio-status`. [`pb`] has them as prost types, written by
//! hand with prost's derive (no `protoc`), for code that builds or inspects details. The
//! encoder and decoder themselves write and read the protobuf directly
//! (`wire/proto.rs`): the encoder writes straight from the error's borrowed strings into
//! one buffer of the exact size, and the decoder borrows from the received bytes and
//! allocates only what it keeps. With `tonic-types`, every key, value and nested message
//! is an owned `String` or `Vec`, copied into its parent, and `ErrorInfo.metadata` is a
//! `HashMap`, which loses the fields' order. Ours keeps the fields in the error's order on
//! the way out and in the server's order on the way in, reads details only up to
//! [`MAX_DETAILS_LEN`] bytes, and uses only the first `ErrorInfo` and `RetryInfo`; other
//! detail types are skipped, as the model requires. `benches/wire.rs` measures the
//! difference.
//!
//! # Headers that tonic would panic on
//!
//! `tonic::Status::from_header_map`, which tonic's client uses on every response, panics
//! when `grpc-status-details-bin` is not valid base64 (tonic 0.14). [`decode_headers`]
//! reads a trailers-only response's headers (or trailers) without it, and never panics;
//! `error_tower::http::GrpcSanitizeLayer` uses it to drop a malformed header before tonic
//! sees it.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use base64::Engine as _;

use super::{
    Draft, Exposure, Protocol, Rejection, Remote, clamp_retry_after, field_key, fields_of,
    message_of, proto, push_rejection, reason, wire_key,
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
        let details = self.details_of(error, status, class, retry_after, &message, &fields);
        let mut metadata = tonic::metadata::MetadataMap::new();
        if let Some(after) = retry_after.filter(|_| class.is_retriable()) {
            let millis = u64::try_from(after.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX);
            metadata.insert(
                PUSHBACK_HEADER,
                tonic::metadata::MetadataValue::from(millis),
            );
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
            &fields,
        )
    }

    fn details_of<E: ClassifiedError + ?Sized>(
        &self,
        error: &E,
        status: Status,
        class: Class,
        retry_after: Option<Duration>,
        message: &str,
        fields: &[(&'static str, String)],
    ) -> Vec<u8> {
        let code = error.code();
        let reason = reason(code);
        let entries = || {
            [("code", code), ("class", class.as_str())]
                .into_iter()
                .map(|(k, v)| (Cow::Borrowed(k), v))
                .chain(fields.iter().map(|(k, v)| (wire_key(k), v.as_str())))
        };
        let string = |s: &str| {
            if s.is_empty() {
                0
            } else {
                proto::len_field(s.len())
            }
        };
        let entry_len = |k: &str, v: &str| string(k) + string(v);
        let info_len = string(&reason)
            + string(&self.domain)
            + entries()
                .map(|(k, v)| proto::len_field(entry_len(&k, v)))
                .sum::<usize>();
        let info_any_len = string(ERROR_INFO_TYPE_URL) + proto::len_field(info_len);
        let delay = retry_after.map(|after| {
            (
                i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
                i32::try_from(after.subsec_nanos()).unwrap_or(0),
            )
        });
        let varint = |n: i64| proto::varint_field(n.cast_unsigned());
        let duration_len = delay.map_or(0, |(s, n)| varint(s) + varint(i64::from(n)));
        let retry_len = proto::len_field(duration_len);
        let retry_any_len = string(RETRY_INFO_TYPE_URL) + proto::len_field(retry_len);
        let status_len = varint(i64::from(status.grpc()))
            + string(message)
            + proto::len_field(info_any_len)
            + delay.map_or(0, |_| proto::len_field(retry_any_len));

        let mut w = proto::Writer::with_capacity(status_len);
        // google.rpc.Status
        w.uint(1, i64::from(status.grpc()).cast_unsigned());
        w.bytes(2, message.as_bytes());
        // details[0]: Any { ErrorInfo }
        w.message(3, info_any_len);
        w.bytes(1, ERROR_INFO_TYPE_URL.as_bytes());
        w.message(2, info_len);
        w.bytes(1, reason.as_bytes());
        w.bytes(2, self.domain.as_bytes());
        for (key, value) in entries() {
            w.message(3, entry_len(&key, value));
            w.bytes(1, key.as_bytes());
            w.bytes(2, value.as_bytes());
        }
        // details[1]: Any { RetryInfo { retry_delay: Duration } }
        if let Some((seconds, nanos)) = delay {
            w.message(3, retry_any_len);
            w.bytes(1, RETRY_INFO_TYPE_URL.as_bytes());
            w.message(2, retry_len);
            w.message(1, duration_len);
            w.uint(1, seconds.cast_unsigned());
            w.uint(2, i64::from(nanos).cast_unsigned());
        }
        w.buf
    }
}

/// The error that `status` reports, decoded; see [`Remote`] for what it answers and the
/// [module documentation](super#what-the-client-believes) for what is believed.
///
/// A status with no details is classified by its code ([`Status::class`], through the
/// [remote table](super#a-remote-class-is-not-a-local-one)), with the code
/// `grpc.<NAME>` (`grpc.UNAVAILABLE`). An `OK` status is no error; decoding one gives
/// `internal`, with the code `grpc.UNKNOWN`. A status tonic made from a transport error (a
/// refused connection, which it reports as `UNKNOWN`) is classified by the `io::Error`
/// in its source chain: a refused connection is `transient`, with the code
/// `std::io::ErrorKind::ConnectionRefused`.
///
/// The error's [`Location`](crate::Location) is the caller's: where the client decoded it.
/// The server's locations never cross the wire (the message is the one-line report, which
/// shows none).
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
#[track_caller]
pub fn decode(status: &tonic::Status) -> Error {
    Error::new(remote_of(status))
}

/// The [`Remote`] of [`decode`].
fn remote_of(status: &tonic::Status) -> Remote {
    if status.details().is_empty() {
        if let Some(source) = std::error::Error::source(status) {
            return transport_failure(status, source);
        }
    }
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

/// A status that tonic made locally from a transport error (it has a source, and no
/// details): no server said anything. tonic reports a refused or reset connection as
/// `UNKNOWN`, where gRPC says `UNAVAILABLE`; so the class is the `std::io::Error`'s in the
/// source chain ([`io_class`](crate::io_class): a refused connection is `transient`, with
/// the code `std::io::ErrorKind::ConnectionRefused`), else, for an `UNKNOWN` status,
/// `transient` with the code `grpc.transport`, else the status's own.
fn transport_failure(status: &tonic::Status, source: &(dyn std::error::Error + 'static)) -> Remote {
    let code = Status::from_grpc(status.code() as i32).unwrap_or(Status::Unknown);
    let mut link = Some(source);
    let mut io = None;
    while let Some(error) = link {
        if let Some(error) = error.downcast_ref::<std::io::Error>() {
            io = Some(crate::io_class(error.kind()));
            break;
        }
        link = error.source();
    }
    let (class, fallback) = match io {
        Some(found) => found,
        None if code == Status::Unknown => (Class::Transient, "grpc.transport"),
        None => (code.class(), fallback_code(code)),
    };
    let mut draft = Draft::default();
    draft.message(status.message());
    draft.class = Some(class);
    let mut remote = draft.finish(Protocol::Grpc, code, class, None, fallback);
    remote.declared = false;
    remote.answered = false;
    remote
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
    let Ok(Details {
        code: details_code,
        error_info,
        retry_info,
    }) = Details::read(details)
    else {
        push_rejection(&mut draft.rejections, Rejection::Malformed);
        return;
    };
    if details_code != code {
        push_rejection(&mut draft.rejections, Rejection::CodeMismatch);
        return;
    }
    if let Some(info) = error_info {
        // Checked whole before anything is taken from it.
        if walk_error_info(info, &mut |_| {}).is_ok() {
            read_error_info(draft, info);
        } else {
            push_rejection(&mut draft.rejections, Rejection::Malformed);
        }
    }
    if let Some(retry) = retry_info {
        match read_retry_info(retry) {
            Ok(Some(delay)) => draft.retry_after = read_delay(delay, &mut draft.rejections),
            Ok(None) => {}
            Err(proto::Malformed) => push_rejection(&mut draft.rejections, Rejection::Malformed),
        }
    }
}

/// What a `google.rpc.Status` holds that the decoder uses: its code, and the values of its
/// first `ErrorInfo` and first `RetryInfo` (other detail types, and repeats, are skipped,
/// as the model requires).
struct Details<'a> {
    code: i32,
    error_info: Option<&'a [u8]>,
    retry_info: Option<&'a [u8]>,
}

impl<'a> Details<'a> {
    fn read(bytes: &'a [u8]) -> Result<Details<'a>, proto::Malformed> {
        let mut details = Details {
            code: 0,
            error_info: None,
            retry_info: None,
        };
        let mut reader = proto::Reader::new(bytes);
        while let Some((tag, value)) = reader.field()? {
            match tag {
                // int32: the varint's low 32 bits.
                1 => details.code = proto::int32(value.varint()?),
                2 => {
                    value.string()?;
                }
                3 => {
                    let (type_url, value) = read_any(value.bytes()?)?;
                    match type_url {
                        ERROR_INFO_TYPE_URL if details.error_info.is_none() => {
                            details.error_info = Some(value);
                        }
                        RETRY_INFO_TYPE_URL if details.retry_info.is_none() => {
                            details.retry_info = Some(value);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        Ok(details)
    }
}

/// A `google.protobuf.Any`: its type URL and value.
fn read_any(bytes: &[u8]) -> Result<(&str, &[u8]), proto::Malformed> {
    let mut type_url = "";
    let mut value: &[u8] = &[];
    let mut reader = proto::Reader::new(bytes);
    while let Some((tag, field)) = reader.field()? {
        match tag {
            1 => type_url = field.string()?,
            2 => value = field.bytes()?,
            _ => {}
        }
    }
    Ok((type_url, value))
}

/// One item of an `ErrorInfo`.
enum InfoItem<'a> {
    Reason(&'a str),
    Domain(&'a str),
    Entry(&'a str, &'a str),
}

/// Calls `f` with each item of an `ErrorInfo`, in wire order.
fn walk_error_info<'a>(
    bytes: &'a [u8],
    f: &mut dyn FnMut(InfoItem<'a>),
) -> Result<(), proto::Malformed> {
    let mut reader = proto::Reader::new(bytes);
    while let Some((tag, value)) = reader.field()? {
        match tag {
            1 => f(InfoItem::Reason(value.string()?)),
            2 => f(InfoItem::Domain(value.string()?)),
            3 => {
                let (mut key, mut entry_value) = ("", "");
                let mut entry = proto::Reader::new(value.bytes()?);
                while let Some((tag, field)) = entry.field()? {
                    match tag {
                        1 => key = field.string()?,
                        2 => entry_value = field.string()?,
                        _ => {}
                    }
                }
                f(InfoItem::Entry(key, entry_value));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Takes an `ErrorInfo` (already checked) into `draft`.
fn read_error_info(draft: &mut Draft, info: &[u8]) {
    let (mut reason, mut domain, mut code) = ("", "", None);
    let _ = walk_error_info(info, &mut |item| match item {
        // A singular field's last value wins.
        InfoItem::Reason(r) => reason = r,
        InfoItem::Domain(d) => domain = d,
        InfoItem::Entry("code", value) if code.is_none() => code = Some(value),
        InfoItem::Entry("class", value) => draft.class(value),
        InfoItem::Entry(key, value) => draft.field(field_key(key), value),
    });
    draft.reason(reason);
    draft.domain(domain);
    // The exact code, else the reason (what an AIP-193 server that is not this crate
    // sends), else the status's fallback.
    if let Some(code) = code {
        draft.code(code);
    } else if draft.reason.is_some() {
        draft.code(reason);
    }
}

/// A `RetryInfo`'s `retry_delay`, as seconds and nanoseconds.
fn read_retry_info(bytes: &[u8]) -> Result<Option<(i64, i32)>, proto::Malformed> {
    let mut delay = None;
    let mut reader = proto::Reader::new(bytes);
    while let Some((tag, value)) = reader.field()? {
        if tag == 1 {
            let (mut seconds, mut nanos) = (0i64, 0i32);
            let mut duration = proto::Reader::new(value.bytes()?);
            while let Some((tag, field)) = duration.field()? {
                match tag {
                    1 => seconds = field.varint()?.cast_signed(),
                    2 => nanos = proto::int32(field.varint()?),
                    _ => {}
                }
            }
            delay = Some((seconds, nanos));
        }
    }
    Ok(delay)
}

fn read_delay((seconds, nanos): (i64, i32), rejections: &mut Vec<Rejection>) -> Option<Duration> {
    let seconds = u64::try_from(seconds).ok();
    let nanos = u32::try_from(nanos)
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
#[track_caller]
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
    let pushback = headers
        .get(PUSHBACK_HEADER)
        .map(http::HeaderValue::as_bytes);
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

    /// The status, which the peer returned; `None` for one that tonic made from a transport
    /// error (it has a source and no details): no peer answered.
    fn stated_status(&self) -> Option<Status> {
        let local = self.details().is_empty() && std::error::Error::source(self).is_some();
        (!local).then(|| ClassifiedError::status(self))
    }

    fn level(&self) -> Level {
        Level::from_class(self.class())
    }

    fn type_name(&self) -> &'static str {
        "tonic::Status"
    }
}

impl From<tonic::Status> for Error {
    /// [`decode`]s the status; the error's [`Location`](crate::Location) is the caller's
    /// (the line of the `?`).
    #[track_caller]
    fn from(status: tonic::Status) -> Self {
        decode(&status)
    }
}
