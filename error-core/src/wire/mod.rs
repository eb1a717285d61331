//! Classified errors across the network: the gRPC rich error model ([`grpc`], feature
//! `tonic`) and RFC 9457 problem details ([`problem`], feature `problem`), both ways.
//!
//! In a distributed system the caller that must act on an error is usually on the other
//! side of a network hop. A status code alone (`UNAVAILABLE`, 503) carries a coarse guess
//! of the class; the server knows better: `busy, retry after 2 s`, `redirect, leader 3`,
//! `conflict`. This module puts what the server knows on the wire in the two standard
//! places for it, and reads it back into an [`Error`](crate::Error) whose
//! [`class`](crate::ClassifiedError::class), [`code`](crate::ClassifiedError::code),
//! [`retry_after`](crate::ClassifiedError::retry_after) and
//! [`visit_fields`](crate::ClassifiedError::visit_fields) answer as the server's error did,
//! through the [remote table](#a-remote-class-is-not-a-local-one).
//!
//! | | gRPC ([`grpc`]) | HTTP ([`problem`]) |
//! |---|---|---|
//! | status | the error's [`status()`](crate::ClassifiedError::status) | its [`http()`](crate::Status::http) |
//! | code | `ErrorInfo.metadata["code"]`, exact; `ErrorInfo.reason` in AIP-193 form ([`reason`]) | the `code` member |
//! | class | `ErrorInfo.metadata["class"]` | the `class` member |
//! | fields | the rest of `ErrorInfo.metadata`, in the error's order | the `fields` member, an object |
//! | retry hint | `RetryInfo.retry_delay`, and the `grpc-retry-pushback-ms` trailer for retriable classes | the `retry_after_ms` member, and `Retry-After` in whole seconds, rounded up |
//! | message | the status message (and `google.rpc.Status.message`) | `detail` |
//!
//! # What the server sends
//!
//! - **The message** is the one-line [`Report`] of the chain, except for the
//!   classes whose report would tell an untrusted client about the server's insides:
//!   `internal` (a bug), `fatal` (a dead disk, a dead task) and `data` (corrupt records).
//!   Those get a generic message (`"internal error"`, …) followed by the error's own fields.
//!   [`Exposure`] is the policy, per class; a server whose clients are trusted opts in with
//!   [`Exposure::all`]. The fields are sent for every class: they are what the error's
//!   author chose to show, and the redacted ones never leave (below). The source chain's
//!   messages (an `io::Error`'s path, a driver's text) are what the policy hides.
//! - **Redacted fields never leave.** A field the error visits as
//!   [`Value::Redacted`], or as a kind of value this crate does not
//!   know, is not encoded at all: not its value, not its key. The message is made from
//!   `Display`, in which redacted fields already read `<redacted>`.
//! - **Bounded.** At most [`MAX_FIELDS`] fields, keys that follow AIP-193's rules (letters,
//!   digits, `-` and `_`, at most [`MAX_KEY_LEN`] characters; others are not sent), values
//!   cut at [`MAX_VALUE_LEN`] bytes and messages at [`MAX_MESSAGE_LEN`], so that an error
//!   never makes a trailer too large for the peer's header limit.
//!
//! # What the client believes
//!
//! Everything decoded came over the network, from a peer that may be broken or hostile.
//! The decoders never panic, read a bounded amount ([`grpc::MAX_DETAILS_LEN`],
//! [`problem::MAX_BODY_LEN`], [`MAX_FIELDS`] fields of bounded size, a bounded message),
//! clamp a retry hint to [`MAX_RETRY_AFTER`], and fall back to what the status code says
//! when the details are missing or unusable. What they set aside is listed, in words, by
//! [`Remote::rejections`].
//!
//! ## Codes stay `&'static str`, and low-cardinality
//!
//! [`ClassifiedError::code`] is a `&'static str`, and
//! everything downstream (metrics labels, `error.type`, the retry layer's events) relies on
//! it being a small, fixed set. A decoded code is therefore *interned*: looked up in a
//! process-wide table and, the first time it is seen, leaked once and kept. The table is
//! bounded ([`MAX_INTERNED`] codes, and as many field keys), and a code is admitted only if
//! it matches the code pattern (1 to [`MAX_CODE_LEN`] ASCII letters, digits, `_`, `.`, `:`,
//! `-` and `/`, starting with a letter or `_`). A code that breaks the pattern, or arrives
//! when the table is full, becomes the fallback for its status: `grpc.UNAVAILABLE`,
//! `http.503`, and so on, which are static.
//!
//! The trade-off: the strings are never freed, so a process keeps at most
//! `MAX_INTERNED × MAX_CODE_LEN` bytes of codes (and as much of keys) for its life, whatever
//! its peers send; and a peer that floods the table with distinct codes leaves later new
//! codes as fallbacks (still correctly classified, by class and status, but not named). A
//! legitimate service has a few dozen codes, so the bound is far from reached; a service
//! that sees the fallbacks appear has a peer sending high-cardinality codes, which would
//! have broken its metrics anyway. Changing the trait to return an owned or `Arc<str>` code
//! would have cost every local error an allocation or a reference count, for the sake of
//! remote ones.
//!
//! ## A remote class is not a local one
//!
//! A class says what *its caller* must do. Across a hop, the caller is the client, and
//! some server classes mean something else there: a server's `fatal` says the *server*
//! must restart, never the client. [`remote_class`] is the table, applied to the class the
//! server declared (or, without details, to the one its status implies):
//!
//! | server's class | client's class | why |
//! |---|---|---|
//! | `transient` | `transient` | the call may succeed if sent again |
//! | `busy` | `busy` | the server's backpressure applies to this caller; its hint too |
//! | `redirect` | `redirect` | another node can serve it; the hint names it |
//! | `conflict` | `conflict` | the caller's transaction lost a race, and is the caller's to re-run |
//! | `invalid` | `invalid` | the caller's input is wrong |
//! | `denied` | `denied` | the caller's credentials or policy |
//! | `closed` | `transient` | the *server's* component shut down (a node leaving): the caller's own client is fine, and another attempt (reconnected, or on another node) may succeed |
//! | `data` | `data` | the stored data is the server's, but the action is the same whoever asks: an operator repairs it, or someone upgrades; retrying never helps, and one corrupt record must not open a client's circuit breaker for every other call |
//! | `fatal` | `internal` | the *server* must restart; the caller must not (a dead server must never take its clients down), and cannot know whether the fault survives the restart, so it reports rather than retries |
//! | `internal` | `internal` | the server's bug, reported |
//!
//! Only `closed` and `fatal` change, so a status without details (whose implied class,
//! [`Status::class`](crate::Status::class), is never either) means the same whether or not
//! the table is applied. The server's own class stays readable with
//! [`Remote::server_class`]. A client that knows its servers better turns a class's retries
//! on in its retry layer.
//!
//! [`Remote`]: crate::wire::Remote

// With `std` alone there are no codecs: the helpers they share are unused.
#![cfg_attr(not(any(feature = "tonic", feature = "problem")), allow(dead_code))]

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;
use core::time::Duration;

use crate::{Class, ClassifiedError, Report, Value};

#[cfg(feature = "tonic")]
pub mod grpc;
mod intern;
#[cfg(feature = "problem")]
pub mod problem;
#[cfg(feature = "tonic")]
mod proto;
mod remote;

pub use self::intern::interned;
pub use self::remote::{Protocol, Rejection, Remote};

/// At most this many fields are encoded, and decoded; the rest are dropped.
pub const MAX_FIELDS: usize = 32;

/// A field key is at most this many characters (AIP-193's limit for `ErrorInfo` metadata
/// keys); a longer key is not encoded, and a longer decoded key is dropped.
pub const MAX_KEY_LEN: usize = 64;

/// A field value is cut to this many bytes (at a character boundary), both ways.
pub const MAX_VALUE_LEN: usize = 1024;

/// A message is cut to this many bytes (at a character boundary), both ways.
pub const MAX_MESSAGE_LEN: usize = 2048;

/// A decoded code is at most this many bytes, else it is replaced by its fallback.
pub const MAX_CODE_LEN: usize = 128;

/// A decoded domain (`ErrorInfo.domain`) or problem `type` is at most this many bytes,
/// else it is dropped.
pub const MAX_DOMAIN_LEN: usize = 253;

/// A decoded retry hint is clamped to this: a server that says "come back in a year" gets
/// a client back in a minute, and a retry layer's deadline cuts that shorter still.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The process-wide table of decoded codes holds at most this many, and the table of
/// decoded field keys as many; see [the module documentation](self#codes-stay-static-str-and-low-cardinality).
pub const MAX_INTERNED: usize = 1024;

/// The class a client gives an error whose server declared `server` (or whose status
/// implies it): the [remote table](self#a-remote-class-is-not-a-local-one).
///
/// ```
/// use error_core::Class;
/// use error_core::wire::remote_class;
///
/// assert_eq!(remote_class(Class::Busy), Class::Busy);
/// assert_eq!(remote_class(Class::Fatal), Class::Internal);
/// assert_eq!(remote_class(Class::Closed), Class::Transient);
/// assert!(Class::ALL.iter().all(|&class| !remote_class(class).is_fatal()));
/// ```
#[must_use]
pub const fn remote_class(server: Class) -> Class {
    match server {
        Class::Transient | Class::Closed => Class::Transient,
        Class::Busy => Class::Busy,
        Class::Redirect => Class::Redirect,
        Class::Conflict => Class::Conflict,
        Class::Invalid => Class::Invalid,
        Class::Denied => Class::Denied,
        Class::Data => Class::Data,
        Class::Fatal | Class::Internal => Class::Internal,
    }
}

/// Which classes' messages a server sends as they are; the others get a generic message.
///
/// The default hides `internal`, `fatal` and `data`, whose report (the whole source chain)
/// tells about the server's insides: paths, drivers, invariants. See [the module
/// documentation](self#what-the-server-sends).
///
/// ```
/// use error_core::Class;
/// use error_core::wire::Exposure;
///
/// let default = Exposure::default();
/// assert!(default.exposes(Class::Busy));
/// assert!(!default.exposes(Class::Internal));
/// assert!(Exposure::all().exposes(Class::Fatal));
/// assert!(!default.expose(Class::Busy, false).exposes(Class::Busy));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exposure {
    bits: u16,
}

impl Exposure {
    const fn bit(class: Class) -> u16 {
        let mut i = 0;
        while i < Class::ALL.len() {
            if Class::ALL[i] as u8 == class as u8 {
                return 1 << i;
            }
            i += 1;
        }
        0
    }

    /// Every class's message is sent as it is: for servers whose clients are trusted.
    #[must_use]
    pub const fn all() -> Exposure {
        Exposure { bits: u16::MAX }
    }

    /// No class's message is sent: every error gets its class's generic message.
    #[must_use]
    pub const fn none() -> Exposure {
        Exposure { bits: 0 }
    }

    /// The same policy, with `class`'s message sent (`true`) or replaced (`false`).
    #[must_use]
    pub const fn expose(self, class: Class, expose: bool) -> Exposure {
        if expose {
            Exposure {
                bits: self.bits | Exposure::bit(class),
            }
        } else {
            Exposure {
                bits: self.bits & !Exposure::bit(class),
            }
        }
    }

    /// Whether errors of `class` are sent with their own message.
    #[must_use]
    pub const fn exposes(self, class: Class) -> bool {
        self.bits & Exposure::bit(class) != 0
    }
}

impl Default for Exposure {
    fn default() -> Self {
        Exposure::all()
            .expose(Class::Internal, false)
            .expose(Class::Fatal, false)
            .expose(Class::Data, false)
    }
}

/// The generic message of a class whose message is not sent.
const fn generic_message(class: Class) -> &'static str {
    match class {
        Class::Transient => "transient error",
        Class::Busy => "busy",
        Class::Redirect => "redirect",
        Class::Conflict => "conflict",
        Class::Invalid => "invalid request",
        Class::Denied => "denied",
        Class::Closed => "closed",
        Class::Data => "data error",
        Class::Fatal => "fatal error",
        Class::Internal => "internal error",
    }
}

/// The AIP-193 form of a code, for `ErrorInfo.reason`: `UPPER_SNAKE_CASE` matching
/// `[A-Z][A-Z0-9_]+[A-Z0-9]`, at most 63 characters. The mapping is deterministic:
///
/// - words are split at every character that is not an ASCII letter or digit, and where
///   the case changes (`ProposeError::NotLeader` → `PROPOSE_ERROR_NOT_LEADER`,
///   `HTTPServer` → `HTTP_SERVER`, `raft.storage` → `RAFT_STORAGE`);
/// - a code that does not start with a letter gets an `E_` prefix, and one shorter than
///   three characters an `_ERROR` suffix (`io` → `IO_ERROR`);
/// - a result longer than 63 characters keeps its first 54 and ends with `_` and eight
///   hexadecimal digits of the code's FNV-1a hash, so that long codes stay distinct.
///
/// The exact code travels too (in the metadata), so the reason is for AIP-193 tools and
/// non-Rust clients; decoding prefers the exact code.
///
/// ```
/// use error_core::wire::reason;
///
/// assert_eq!(reason("ProposeError::NotLeader"), "PROPOSE_ERROR_NOT_LEADER");
/// assert_eq!(reason("raft.storage"), "RAFT_STORAGE");
/// assert_eq!(reason("std::io::ErrorKind::TimedOut"), "STD_IO_ERROR_KIND_TIMED_OUT");
/// assert_eq!(reason("HTTPServer"), "HTTP_SERVER");
/// assert_eq!(reason("io"), "IO_ERROR");
/// assert_eq!(reason("404"), "E_404");
/// assert!(reason(&"LongName".repeat(20)).len() == 63);
/// ```
#[must_use]
pub fn reason(code: &str) -> String {
    const MAX: usize = 63;
    let bytes = code.as_bytes();
    let mut out = String::with_capacity(code.len() + 8);
    let mut pending_separator = false;
    for (i, &b) in bytes.iter().enumerate() {
        // A byte of a non-ASCII character is never alphanumeric: a separator, as the
        // character is.
        if !b.is_ascii_alphanumeric() {
            pending_separator = true;
            continue;
        }
        if i > 0 && b.is_ascii_uppercase() {
            let prev = bytes[i - 1];
            let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                pending_separator = true;
            }
        }
        if pending_separator && !out.is_empty() {
            out.push('_');
        }
        pending_separator = false;
        out.push(char::from(b.to_ascii_uppercase()));
    }
    if !out.starts_with(|c: char| c.is_ascii_uppercase()) {
        out.insert_str(0, if out.is_empty() { "E" } else { "E_" });
    }
    if out.len() < 3 {
        out.push_str("_ERROR");
    }
    if out.len() > MAX {
        let hash = fnv1a(bytes);
        out.truncate(54);
        while out.ends_with('_') {
            out.pop();
        }
        let _ = write!(out, "_{hash:08X}");
    }
    out
}

/// Whether `reason` is in AIP-193 form: `[A-Z][A-Z0-9_]+[A-Z0-9]`, at most 63 characters.
///
/// ```
/// use error_core::wire::{is_reason, reason};
///
/// assert!(is_reason("RATE_LIMITED"));
/// assert!(!is_reason("rate_limited") && !is_reason("AB") && !is_reason("A_"));
/// assert!(is_reason(&reason("any::Code-at.all")));
/// ```
#[must_use]
pub fn is_reason(reason: &str) -> bool {
    let bytes = reason.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes[bytes.len() - 1] != b'_'
        && bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `key` follows AIP-193's rules for metadata keys: ASCII letters, digits, `-` and
/// `_`, 1 to [`MAX_KEY_LEN`] characters.
#[must_use]
pub fn is_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `code` matches the pattern a decoded code must match to be interned: 1 to
/// [`MAX_CODE_LEN`] ASCII letters, digits, `_`, `.`, `:`, `-` and `/`, starting with a
/// letter or `_`.
///
/// ```
/// use error_core::wire::is_code;
///
/// assert!(is_code("ProposeError::NotLeader") && is_code("raft.storage") && is_code("http.503"));
/// assert!(!is_code("") && !is_code("9lives") && !is_code("a b") && !is_code("é"));
/// ```
#[must_use]
pub fn is_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    (1..=MAX_CODE_LEN).contains(&bytes.len())
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-' | b'/'))
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The key under which field `key` is sent: itself, unless it would be read back as one of
/// the reserved keys (`code`, `class`) or as an escaped key, in which case `field-` is put
/// before it. Rust identifiers never hold `-`, so the escape is unambiguous.
fn wire_key(key: &str) -> Cow<'_, str> {
    if matches!(key, "code" | "class") || key.starts_with(FIELD_ESCAPE) {
        let mut escaped = String::with_capacity(FIELD_ESCAPE.len() + key.len());
        escaped.push_str(FIELD_ESCAPE);
        escaped.push_str(key);
        Cow::Owned(escaped)
    } else {
        Cow::Borrowed(key)
    }
}

/// The field key a received `ErrorInfo` metadata key stands for: [`wire_key`] undone.
#[cfg(feature = "tonic")]
fn field_key(key: &str) -> &str {
    key.strip_prefix(FIELD_ESCAPE).unwrap_or(key)
}

const FIELD_ESCAPE: &str = "field-";

/// `s` cut to at most `max` bytes, at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s` cut in place to at most `max` bytes, at a character boundary; whether it was cut.
fn truncate_owned(s: &mut String, max: usize) -> bool {
    let len = truncate(s, max).len();
    let cut = len < s.len();
    s.truncate(len);
    cut
}

/// The fields an error sends: the visited ones, in order, without the redacted ones, with
/// AIP-193 keys only, at most [`MAX_FIELDS`], values cut at [`MAX_VALUE_LEN`]. Keys are
/// the error's own (not yet escaped).
pub(crate) fn fields_of<E: ClassifiedError + ?Sized>(error: &E) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        if fields.len() >= MAX_FIELDS || !is_key(&wire_key(key)) {
            return;
        }
        let mut text = String::new();
        let written = match value {
            Value::Display(value) => write!(text, "{value}"),
            Value::Debug(value) => write!(text, "{value:?}"),
            // Redacted, and any kind of value this crate does not know yet: never sent.
            _ => return,
        };
        if written.is_err() {
            return;
        }
        truncate_owned(&mut text, MAX_VALUE_LEN);
        fields.push((key, text));
    });
    fields
}

/// The message a server sends for `error`: its one-line report, or its class's generic
/// message followed by its fields, as [`Exposure`] says; at most [`MAX_MESSAGE_LEN`] bytes.
pub(crate) fn message_of<E: ClassifiedError + ?Sized>(
    error: &E,
    exposure: Exposure,
    fields: &[(&'static str, String)],
) -> String {
    let class = error.class();
    let mut message = String::new();
    if exposure.exposes(class) {
        let _ = write!(message, "{}", Report::new(error));
    } else {
        message.push_str(generic_message(class));
        for (i, (key, value)) in fields.iter().enumerate() {
            message.push_str(if i == 0 { ". " } else { ", " });
            let _ = write!(message, "{key}=`{value}`");
        }
    }
    truncate_owned(&mut message, MAX_MESSAGE_LEN);
    message
}

/// A retry hint as received: clamped to [`MAX_RETRY_AFTER`], with the rejection if it was.
fn clamp_retry_after(after: Duration, rejections: &mut Vec<Rejection>) -> Duration {
    if after > MAX_RETRY_AFTER {
        push_rejection(rejections, Rejection::RetryAfterClamped);
        MAX_RETRY_AFTER
    } else {
        after
    }
}

/// Records `rejection` once.
fn push_rejection(rejections: &mut Vec<Rejection>, rejection: Rejection) {
    if let Some(existing) = rejections
        .iter_mut()
        .find(|r| core::mem::discriminant(*r) == core::mem::discriminant(&rejection))
    {
        if let (Rejection::FieldsDropped(n), Rejection::FieldsDropped(more)) =
            (&mut *existing, rejection)
        {
            *n = n.saturating_add(more);
        }
        return;
    }
    rejections.push(rejection);
}

/// What a decoder gathers before it makes a [`Remote`].
#[derive(Default)]
struct Draft {
    class: Option<Class>,
    code: Option<&'static str>,
    reason: Option<String>,
    domain: Option<String>,
    retry_after: Option<Duration>,
    message: String,
    fields: Vec<(&'static str, String)>,
    rejections: Vec<Rejection>,
}

impl Draft {
    /// The declared class, if it names one.
    fn class(&mut self, class: &str) {
        match class.parse::<Class>() {
            Ok(class) => self.class = Some(class),
            Err(_) => push_rejection(&mut self.rejections, Rejection::UnknownClass),
        }
    }

    /// The declared code, interned if it may be.
    fn code(&mut self, code: &str) {
        match intern::code(code) {
            Ok(code) => self.code = Some(code),
            Err(rejection) => push_rejection(&mut self.rejections, rejection),
        }
    }

    /// The declared reason (AIP-193 form), kept if it is one.
    #[cfg(feature = "tonic")]
    fn reason(&mut self, reason: &str) {
        if reason.is_empty() {
            return;
        }
        if is_reason(reason) {
            self.reason = Some(String::from(reason));
        } else {
            push_rejection(&mut self.rejections, Rejection::Reason);
        }
    }

    /// The declared domain, kept if it is printable ASCII of a bounded length.
    fn domain(&mut self, domain: &str) {
        if domain.is_empty() {
            return;
        }
        if domain.len() <= MAX_DOMAIN_LEN && domain.bytes().all(|b| b.is_ascii_graphic()) {
            self.domain = Some(String::from(domain));
        } else {
            push_rejection(&mut self.rejections, Rejection::Domain);
        }
    }

    /// One received field.
    fn field(&mut self, key: &str, value: &str) {
        if self.fields.len() >= MAX_FIELDS {
            push_rejection(&mut self.rejections, Rejection::FieldsDropped(1));
            return;
        }
        if !is_key(key) {
            push_rejection(&mut self.rejections, Rejection::FieldsDropped(1));
            return;
        }
        let Ok(key) = intern::key(key) else {
            push_rejection(&mut self.rejections, Rejection::FieldsDropped(1));
            return;
        };
        let cut = truncate(value, MAX_VALUE_LEN);
        if cut.len() < value.len() {
            push_rejection(&mut self.rejections, Rejection::Truncated);
        }
        self.fields.push((key, String::from(cut)));
    }

    fn message(&mut self, message: &str) {
        let cut = truncate(message, MAX_MESSAGE_LEN);
        if cut.len() < message.len() {
            push_rejection(&mut self.rejections, Rejection::Truncated);
        }
        self.message = String::from(cut);
    }

    /// The [`Remote`], with the class and code from the status when none was declared.
    fn finish(
        self,
        protocol: Protocol,
        status: crate::Status,
        implied: Class,
        http_status: Option<u16>,
        fallback_code: &'static str,
    ) -> Remote {
        let server_class = self.class.unwrap_or(implied);
        Remote {
            protocol,
            class: remote_class(server_class),
            server_class,
            declared: self.class.is_some(),
            code: self.code.unwrap_or(fallback_code),
            status,
            answered: true,
            http_status,
            retry_after: self.retry_after,
            message: self.message,
            domain: self.domain,
            reason: self.reason,
            fields: self.fields,
            rejections: self.rejections,
        }
    }
}
