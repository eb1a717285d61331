//! [`Remote`]: an error that a peer reported, as the client holds it.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::{Boundary, Class, ClassifiedError, Error, Level, Status, Value, Visit};

/// The protocol an error was decoded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// A gRPC status, with or without `google.rpc.Status` details.
    Grpc,
    /// An HTTP response, with or without an `application/problem+json` body.
    Http,
}

/// Something a decoder set aside rather than believe: what [`Remote::rejections`] lists.
///
/// In every case the decoder went on with what it could trust, and fell back to what the
/// status code says for the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// The gRPC details (`grpc-status-details-bin`) were longer than
    /// [`grpc::MAX_DETAILS_LEN`](super::grpc::MAX_DETAILS_LEN), or the problem+json body
    /// than [`problem::MAX_BODY_LEN`](super::problem::MAX_BODY_LEN): not read.
    TooLarge,
    /// The details or the body could not be decoded (bad base64, bad protobuf, bad JSON, not
    /// a JSON object): not used.
    Malformed,
    /// The details' `google.rpc.Status` had another code than the call's status: not used,
    /// as gRPC's own libraries refuse them.
    CodeMismatch,
    /// The declared class is not one of the ten: the status's class is used.
    UnknownClass,
    /// The declared code breaks the pattern ([`is_code`](super::is_code)): the fallback code is used.
    CodePattern,
    /// The declared code is new and the table of codes is full: the fallback code is used.
    CodeTableFull,
    /// `ErrorInfo.reason` is not in AIP-193 form: dropped.
    Reason,
    /// The domain (`ErrorInfo.domain`, or the problem's `type`) was too long or not
    /// printable ASCII: dropped.
    Domain,
    /// This many fields were dropped: past [`MAX_FIELDS`](super::MAX_FIELDS), with a key
    /// that breaks AIP-193's rules or a value that is not a string, or new when the table of
    /// keys is full.
    FieldsDropped(u32),
    /// A field value or the message was longer than its cap, and was cut.
    Truncated,
    /// The retry hint was negative or not a duration: dropped.
    RetryAfterInvalid,
    /// The retry hint was over [`MAX_RETRY_AFTER`](super::MAX_RETRY_AFTER): clamped to it.
    RetryAfterClamped,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::TooLarge => f.write_str("details over the size cap, not read"),
            Rejection::Malformed => f.write_str("details malformed, not used"),
            Rejection::CodeMismatch => f.write_str("details for another status code, not used"),
            Rejection::UnknownClass => f.write_str("unknown class, the status's class used"),
            Rejection::CodePattern => f.write_str("code breaks the pattern, fallback code used"),
            Rejection::CodeTableFull => f.write_str("table of codes full, fallback code used"),
            Rejection::Reason => f.write_str("reason not in AIP-193 form, dropped"),
            Rejection::Domain => f.write_str("domain too long or not printable, dropped"),
            Rejection::FieldsDropped(n) => write!(f, "{n} field(s) dropped"),
            Rejection::Truncated => f.write_str("message or field value cut at its cap"),
            Rejection::RetryAfterInvalid => f.write_str("invalid retry hint, dropped"),
            Rejection::RetryAfterClamped => f.write_str("retry hint clamped to the maximum"),
        }
    }
}

/// An error a peer reported over gRPC or HTTP, decoded: the class it means *here*, the
/// server's code, retry hint, status, message and fields.
///
/// The decoders ([`grpc::decode`](super::grpc::decode),
/// [`problem::decode`](super::problem::decode)) return it inside an
/// [`Error`], whose [`remote`](Error::remote) method gives it back; as a
/// [`ClassifiedError`] it answers:
///
/// - [`class`](ClassifiedError::class): the server's class through the [remote
///   table](super#a-remote-class-is-not-a-local-one) ([`server_class`](Remote::server_class)
///   is the server's own);
/// - [`code`](ClassifiedError::code): the server's code, interned, or the status's fallback
///   (`grpc.UNAVAILABLE`, `http.503`);
/// - [`retry_after`](ClassifiedError::retry_after): the server's hint, clamped;
/// - [`visit_fields`](ClassifiedError::visit_fields): the server's fields, in its order;
/// - [`status`](ClassifiedError::status): the gRPC status, or the one an HTTP status maps to;
/// - [`stated_status`](ClassifiedError::stated_status): the same, since a peer returned it
///   (none for a status tonic made from a transport error: no peer answered);
/// - `Display`: the server's message, followed by the fields it does not show already
///   ([`message`](Remote::message) is the message alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remote {
    pub(super) protocol: Protocol,
    pub(super) class: Class,
    pub(super) server_class: Class,
    pub(super) declared: bool,
    pub(super) code: &'static str,
    pub(super) status: Status,
    /// Whether a peer answered with the status (not so for a status tonic made from a
    /// transport error).
    pub(super) answered: bool,
    pub(super) http_status: Option<u16>,
    pub(super) retry_after: Option<Duration>,
    pub(super) message: String,
    pub(super) domain: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) rejections: Vec<Rejection>,
}

impl Remote {
    /// The protocol it came over.
    #[must_use]
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The class the server gave it: declared in the details, or implied by the status
    /// ([`Status::class`], [`Class::from_http`]). [`class`](ClassifiedError::class) is what
    /// it means here.
    #[must_use]
    pub fn server_class(&self) -> Class {
        self.server_class
    }

    /// Whether the server declared its class (in the details), rather than only a status.
    #[must_use]
    pub fn declared(&self) -> bool {
        self.declared
    }

    /// The HTTP status, for an error decoded from an HTTP response.
    #[must_use]
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The server's message (`grpc-message`, or the problem's `detail`), cut at
    /// [`MAX_MESSAGE_LEN`](super::MAX_MESSAGE_LEN).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// `ErrorInfo.domain`, or the problem's `type`, when the server sent one.
    #[must_use]
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// `ErrorInfo.reason`, when the server sent one in AIP-193 form.
    #[must_use]
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The value of field `key`, as the server rendered it.
    ///
    /// ```
    /// # #[cfg(feature = "tonic")] {
    /// use error_core::{Class, ClassifiedError, Error};
    /// use error_core::wire::grpc;
    ///
    /// #[derive(Debug, ClassifiedError)]
    /// #[class(redirect)]
    /// #[error("not the leader")]
    /// struct NotLeader { leader_hint: u64 }
    ///
    /// let status = grpc::Encoder::new("kv.example").encode(&NotLeader { leader_hint: 3 });
    /// let error = grpc::decode(&status);
    /// let remote = error.remote().unwrap();
    /// assert_eq!(remote.field("leader_hint"), Some("3"));
    /// assert_eq!(error.class(), Class::Redirect);
    /// # }
    /// ```
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every field, in the server's order.
    #[must_use]
    pub fn fields(&self) -> impl ExactSizeIterator<Item = (&'static str, &str)> + '_ {
        self.fields.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// What the decoder set aside rather than believe; empty when it used everything.
    #[must_use]
    pub fn rejections(&self) -> &[Rejection] {
        &self.rejections
    }
}

impl fmt::Display for Remote {
    /// The server's message, followed by the fields it does not show already, as the derive
    /// writes them (``. key=`value`, …``): a server of this crate puts its fields in its
    /// message, another (an AIP-193 server that sends them only in `ErrorInfo`) may not, and
    /// a [`Report`](crate::Report) of the decoded error shows them either way.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let mut shown = self.fields.iter().any(|(key, _)| shows(&self.message, key));
        for (key, value) in &self.fields {
            if shows(&self.message, key) {
                continue;
            }
            let separator = match (shown, self.message.is_empty()) {
                (true, _) => ", ",
                (false, true) => "",
                (false, false) => ". ",
            };
            write!(f, "{separator}{key}=`{value}`")?;
            shown = true;
        }
        Ok(())
    }
}

/// Whether `message` shows field `key` as the derive writes it: ``key=` `` after a
/// character that cannot be part of a key.
fn shows(message: &str, key: &str) -> bool {
    message.match_indices(key).any(|(at, _)| {
        let before = at
            .checked_sub(1)
            .and_then(|i| message.as_bytes().get(i))
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        !before
            && message
                .get(at + key.len()..)
                .is_some_and(|rest| rest.starts_with("=`"))
    })
}

impl core::error::Error for Remote {}

impl ClassifiedError for Remote {
    fn class(&self) -> Class {
        self.class
    }

    fn code(&self) -> &'static str {
        self.code
    }

    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn visit_fields(&self, visitor: &mut dyn Visit) {
        for (key, value) in &self.fields {
            visitor.visit(key, Value::Display(value));
        }
    }

    fn status(&self) -> Status {
        self.status
    }

    /// The status the peer returned; `None` when no peer answered (a status tonic made from
    /// a transport error).
    fn stated_status(&self) -> Option<Status> {
        self.answered.then_some(self.status)
    }

    fn level(&self) -> Level {
        Level::from_class(self.class)
    }

    /// `"error_core::wire::Remote"`: where the type is named, not where it is defined.
    fn type_name(&self) -> &'static str {
        "error_core::wire::Remote"
    }
}

impl Boundary for Remote {}

impl Error {
    /// The error a peer reported, when this error was decoded from one
    /// ([`wire::grpc`](super::grpc), [`wire::problem`](super::problem)).
    #[must_use]
    pub fn remote(&self) -> Option<&Remote> {
        self.downcast_ref::<Remote>()
    }
}
