//! Conversions at the RPC boundary, behind the `http` and `tonic` features.
//!
//! Both take the code from the error's [status](crate::ClassifiedError::status), which the
//! deepest error that knows it decides (see [the status module](crate::status)). The
//! message of `ToTonicStatus::to_tonic_status` is the one-line [report](crate::Report) of
//! the chain, so that a client sees the whole story in one line; redacted fields stay
//! redacted, because every message in the chain already shows them as `<redacted>`.
//! `From<Error> for tonic::Status` sends the rich error model of
//! `wire::grpc` instead, with its message policy.

#[cfg(feature = "tonic")]
use alloc::string::ToString as _;

#[cfg(any(feature = "http", feature = "tonic"))]
use crate::Status;
#[cfg(feature = "tonic")]
use crate::{ClassifiedError, Report};

#[cfg(feature = "http")]
impl Status {
    /// The [`http`](Status::http) status as an `http::StatusCode`.
    ///
    /// ```
    /// use error_core::Status;
    /// assert_eq!(Status::NotFound.http_status(), http::StatusCode::NOT_FOUND);
    /// assert_eq!(Status::Cancelled.http_status().as_u16(), 499);
    /// ```
    #[must_use]
    pub fn http_status(self) -> http::StatusCode {
        // Every `http()` value is a valid status (400 to 504, and 499); the fallback is
        // never taken, which `test_interop.rs` checks for all sixteen.
        http::StatusCode::from_u16(self.http()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[cfg(feature = "http")]
impl From<Status> for http::StatusCode {
    fn from(status: Status) -> Self {
        status.http_status()
    }
}

#[cfg(feature = "tonic")]
impl Status {
    /// The status as a `tonic::Code`.
    #[must_use]
    pub fn tonic_code(self) -> tonic::Code {
        tonic::Code::from_i32(self.grpc())
    }
}

/// `tonic::Status` from any classified error (feature `tonic`).
///
/// ```
/// use error_core::{ClassifiedError, ToTonicStatus};
///
/// #[derive(Debug, ClassifiedError)]
/// #[class(invalid, status = not_found)]
/// #[error("pool not found")]
/// struct PoolNotFound { pool: String }
///
/// let status = PoolNotFound { pool: "p1".into() }.to_tonic_status();
/// assert_eq!(status.code(), tonic::Code::NotFound);
/// assert_eq!(status.message(), "pool not found. pool=`p1`");
/// ```
#[cfg(feature = "tonic")]
pub trait ToTonicStatus {
    /// A `tonic::Status` with the code of [`ClassifiedError::status`] and the one-line
    /// [`Report`] of the chain as its message.
    fn to_tonic_status(&self) -> tonic::Status;
}

#[cfg(feature = "tonic")]
impl<E: ClassifiedError + ?Sized> ToTonicStatus for E {
    fn to_tonic_status(&self) -> tonic::Status {
        tonic::Status::new(self.status().tonic_code(), Report::new(self).to_string())
    }
}

/// The rich status of [`wire::grpc::Encoder::default`](crate::wire::grpc::Encoder): the
/// code, the message under the default [`Exposure`](crate::wire::Exposure) (a generic
/// message for `internal`, `fatal` and `data`), and `ErrorInfo` and `RetryInfo` details, so
/// that a server's `?` tells its client the class, the code, the hint and the fields. A
/// server that names its domain, or exposes more, uses an `Encoder` of its own;
/// [`ToTonicStatus::to_tonic_status`] is the plain status, without details.
#[cfg(feature = "tonic")]
impl From<crate::Error> for tonic::Status {
    fn from(error: crate::Error) -> Self {
        crate::wire::grpc::Encoder::default().encode(&error)
    }
}
