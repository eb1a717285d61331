//! [`Status`]: the canonical gRPC failure codes, for the RPC boundary.
//!
//! At an RPC boundary every error needs a gRPC code and an HTTP status, and the right one is
//! known by the deepest error that knows it ("replica already exists" knows `ALREADY_EXISTS`;
//! the RPC wrapper that adds the replica's uuid does not). [`ClassifiedError::status`]
//! therefore defaults from the class, can be set per variant
//! (`#[class(invalid, status = already_exists)]`), and is forwarded down the chain by
//! `#[class(source)]` and `#[error(transparent)]`, as mayastor's `rpc_error_code()` walks
//! down its context chain.
//!
//! [`ClassifiedError::status`]: crate::ClassifiedError::status

use core::fmt;

use crate::Class;

/// One of the 16 canonical gRPC failure codes (`google.rpc.Code`, without `OK`).
///
/// Each has its gRPC number ([`grpc`](Status::grpc)), the HTTP status that `google.rpc.Code`
/// documents for it ([`http`](Status::http)) and two names: the lowercase one used in
/// `#[class(KIND, status = not_found)]` ([`as_str`](Status::as_str)) and the gRPC one,
/// `NOT_FOUND` ([`grpc_name`](Status::grpc_name)).
///
/// ```
/// use error_core::Status;
///
/// assert_eq!(Status::AlreadyExists.grpc(), 6);
/// assert_eq!(Status::AlreadyExists.http(), 409);
/// assert_eq!(Status::AlreadyExists.as_str(), "already_exists");
/// assert_eq!(Status::AlreadyExists.grpc_name(), "ALREADY_EXISTS");
/// assert_eq!(Status::from_grpc(14), Some(Status::Unavailable));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// The operation was cancelled, typically by the caller. gRPC 1, HTTP 499.
    Cancelled,
    /// Unknown error. gRPC 2, HTTP 500.
    Unknown,
    /// The client specified an invalid argument. gRPC 3, HTTP 400.
    InvalidArgument,
    /// The deadline expired before the operation could complete. gRPC 4, HTTP 504.
    DeadlineExceeded,
    /// Some requested entity was not found. gRPC 5, HTTP 404.
    NotFound,
    /// The entity that a client attempted to create already exists. gRPC 6, HTTP 409.
    AlreadyExists,
    /// The caller does not have permission. gRPC 7, HTTP 403.
    PermissionDenied,
    /// Some resource has been exhausted: a quota, or the server's capacity. gRPC 8, HTTP 429.
    ResourceExhausted,
    /// The system is not in a state required for the operation. gRPC 9, HTTP 400.
    FailedPrecondition,
    /// The operation was aborted, typically by a concurrency conflict. gRPC 10, HTTP 409.
    Aborted,
    /// The operation was attempted past the valid range. gRPC 11, HTTP 400.
    OutOfRange,
    /// The operation is not implemented or supported. gRPC 12, HTTP 501.
    Unimplemented,
    /// Internal error: an invariant is broken. gRPC 13, HTTP 500.
    Internal,
    /// The service is currently unavailable; retrying may help. gRPC 14, HTTP 503.
    Unavailable,
    /// Unrecoverable data loss or corruption. gRPC 15, HTTP 500.
    DataLoss,
    /// The request does not have valid authentication credentials. gRPC 16, HTTP 401.
    Unauthenticated,
}

impl Status {
    /// Every status, in gRPC number order.
    pub const ALL: [Status; 16] = [
        Status::Cancelled,
        Status::Unknown,
        Status::InvalidArgument,
        Status::DeadlineExceeded,
        Status::NotFound,
        Status::AlreadyExists,
        Status::PermissionDenied,
        Status::ResourceExhausted,
        Status::FailedPrecondition,
        Status::Aborted,
        Status::OutOfRange,
        Status::Unimplemented,
        Status::Internal,
        Status::Unavailable,
        Status::DataLoss,
        Status::Unauthenticated,
    ];

    /// The gRPC status number, 1 to 16.
    #[must_use]
    pub const fn grpc(self) -> i32 {
        match self {
            Status::Cancelled => 1,
            Status::Unknown => 2,
            Status::InvalidArgument => 3,
            Status::DeadlineExceeded => 4,
            Status::NotFound => 5,
            Status::AlreadyExists => 6,
            Status::PermissionDenied => 7,
            Status::ResourceExhausted => 8,
            Status::FailedPrecondition => 9,
            Status::Aborted => 10,
            Status::OutOfRange => 11,
            Status::Unimplemented => 12,
            Status::Internal => 13,
            Status::Unavailable => 14,
            Status::DataLoss => 15,
            Status::Unauthenticated => 16,
        }
    }

    /// The HTTP status that `google.rpc.Code` documents for this code.
    #[must_use]
    pub const fn http(self) -> u16 {
        match self {
            Status::Cancelled => 499,
            Status::Unknown | Status::Internal | Status::DataLoss => 500,
            Status::InvalidArgument | Status::FailedPrecondition | Status::OutOfRange => 400,
            Status::DeadlineExceeded => 504,
            Status::NotFound => 404,
            Status::AlreadyExists | Status::Aborted => 409,
            Status::PermissionDenied => 403,
            Status::ResourceExhausted => 429,
            Status::Unimplemented => 501,
            Status::Unavailable => 503,
            Status::Unauthenticated => 401,
        }
    }

    /// The lowercase name, as written in `#[class(KIND, status = NAME)]`: `"not_found"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Cancelled => "cancelled",
            Status::Unknown => "unknown",
            Status::InvalidArgument => "invalid_argument",
            Status::DeadlineExceeded => "deadline_exceeded",
            Status::NotFound => "not_found",
            Status::AlreadyExists => "already_exists",
            Status::PermissionDenied => "permission_denied",
            Status::ResourceExhausted => "resource_exhausted",
            Status::FailedPrecondition => "failed_precondition",
            Status::Aborted => "aborted",
            Status::OutOfRange => "out_of_range",
            Status::Unimplemented => "unimplemented",
            Status::Internal => "internal",
            Status::Unavailable => "unavailable",
            Status::DataLoss => "data_loss",
            Status::Unauthenticated => "unauthenticated",
        }
    }

    /// The gRPC name, as `google.rpc.Code` spells it and as OpenTelemetry records it:
    /// `"NOT_FOUND"`.
    #[must_use]
    pub const fn grpc_name(self) -> &'static str {
        match self {
            Status::Cancelled => "CANCELLED",
            Status::Unknown => "UNKNOWN",
            Status::InvalidArgument => "INVALID_ARGUMENT",
            Status::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Status::NotFound => "NOT_FOUND",
            Status::AlreadyExists => "ALREADY_EXISTS",
            Status::PermissionDenied => "PERMISSION_DENIED",
            Status::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Status::FailedPrecondition => "FAILED_PRECONDITION",
            Status::Aborted => "ABORTED",
            Status::OutOfRange => "OUT_OF_RANGE",
            Status::Unimplemented => "UNIMPLEMENTED",
            Status::Internal => "INTERNAL",
            Status::Unavailable => "UNAVAILABLE",
            Status::DataLoss => "DATA_LOSS",
            Status::Unauthenticated => "UNAUTHENTICATED",
        }
    }

    /// The status for a gRPC number: `None` for 0 (`OK`), and [`Status::Unknown`] for a
    /// number outside 0 to 16, as the gRPC specification says clients treat them.
    #[must_use]
    pub const fn from_grpc(code: i32) -> Option<Status> {
        match code {
            0 => None,
            1..=16 => Some(Status::ALL[(code.unsigned_abs() - 1) as usize]),
            _ => Some(Status::Unknown),
        }
    }

    /// The default status of a class: what [`ClassifiedError::status`] returns unless a
    /// variant says otherwise.
    ///
    /// | class | status |
    /// |---|---|
    /// | transient | unavailable |
    /// | busy | resource_exhausted |
    /// | redirect | unavailable (a client that retries `UNAVAILABLE` reaches the leader) |
    /// | conflict | aborted |
    /// | invalid | invalid_argument |
    /// | denied | permission_denied |
    /// | closed | unavailable |
    /// | data | data_loss |
    /// | fatal | internal |
    /// | internal | internal |
    ///
    /// [`ClassifiedError::status`]: crate::ClassifiedError::status
    #[inline]
    #[must_use]
    pub const fn from_class(class: Class) -> Status {
        match class {
            Class::Transient | Class::Redirect | Class::Closed => Status::Unavailable,
            Class::Busy => Status::ResourceExhausted,
            Class::Conflict => Status::Aborted,
            Class::Invalid => Status::InvalidArgument,
            Class::Denied => Status::PermissionDenied,
            Class::Data => Status::DataLoss,
            Class::Fatal | Class::Internal => Status::Internal,
        }
    }

    /// The class a caller gives an error that arrived with this status, from a service that
    /// does not classify its errors: what [`Class::from_grpc`] uses.
    ///
    /// | status | class |
    /// |---|---|
    /// | cancelled, deadline_exceeded, unavailable | transient |
    /// | resource_exhausted | busy |
    /// | aborted | conflict |
    /// | invalid_argument, not_found, already_exists, failed_precondition, out_of_range, unimplemented | invalid |
    /// | permission_denied, unauthenticated | denied |
    /// | data_loss | data |
    /// | unknown, internal | internal |
    #[must_use]
    pub const fn class(self) -> Class {
        match self {
            Status::Cancelled | Status::DeadlineExceeded | Status::Unavailable => Class::Transient,
            Status::ResourceExhausted => Class::Busy,
            Status::Aborted => Class::Conflict,
            Status::InvalidArgument
            | Status::NotFound
            | Status::AlreadyExists
            | Status::FailedPrecondition
            | Status::OutOfRange
            | Status::Unimplemented => Class::Invalid,
            Status::PermissionDenied | Status::Unauthenticated => Class::Denied,
            Status::DataLoss => Class::Data,
            Status::Unknown | Status::Internal => Class::Internal,
        }
    }
}

impl fmt::Display for Status {
    /// Writes [`Status::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Class {
    /// The class of a failure reported with gRPC status number `code`; `None` for `OK`.
    /// See [`Status::class`] for the table.
    ///
    /// ```
    /// use error_core::Class;
    /// assert_eq!(Class::from_grpc(14), Some(Class::Transient));
    /// assert_eq!(Class::from_grpc(8), Some(Class::Busy));
    /// assert_eq!(Class::from_grpc(0), None);
    /// ```
    #[must_use]
    pub const fn from_grpc(code: i32) -> Option<Class> {
        match Status::from_grpc(code) {
            Some(status) => Some(status.class()),
            None => None,
        }
    }

    /// The class of a failure reported with HTTP status `status`; `None` below 400.
    ///
    /// | status | class |
    /// |---|---|
    /// | 408, 425, 499, 502, 503, 504 | transient |
    /// | 429 | busy |
    /// | 409, 412, 428 | conflict (412 and 428 are optimistic-concurrency preconditions) |
    /// | 401, 403, 407, 451 | denied |
    /// | 500 and other 5xx | internal |
    /// | 501, 505 and other 4xx | invalid |
    ///
    /// ```
    /// use error_core::Class;
    /// assert_eq!(Class::from_http(429), Some(Class::Busy));
    /// assert_eq!(Class::from_http(503), Some(Class::Transient));
    /// assert_eq!(Class::from_http(404), Some(Class::Invalid));
    /// assert_eq!(Class::from_http(204), None);
    /// ```
    #[must_use]
    pub const fn from_http(status: u16) -> Option<Class> {
        Some(match status {
            0..=399 => return None,
            408 | 425 | 499 | 502 | 503 | 504 => Class::Transient,
            429 => Class::Busy,
            409 | 412 | 428 => Class::Conflict,
            401 | 403 | 407 | 451 => Class::Denied,
            501 | 505 | 400..=498 => Class::Invalid,
            _ => Class::Internal,
        })
    }
}
