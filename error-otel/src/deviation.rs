//! Deviations from the semantic conventions, each chosen by name.
//!
//! By default every attribute lands where the conventions put it. Two choices that an
//! earlier version of this crate made by default depart from them; they stay available
//! for dashboards and alerts built on them, but only when asked for with
//! [`Recorder::deviate`](crate::Recorder::deviate), so that a reader of the code sees the
//! departure where it is made. Each variant says which rule it breaks and what a query
//! gets instead.

/// A documented departure from the semantic conventions, chosen with
/// [`Recorder::deviate`](crate::Recorder::deviate).
///
/// ```
/// use error_core::ClassifiedError;
/// use error_otel::{Deviation, Operation, Recorder};
///
/// #[derive(Debug, ClassifiedError)]
/// #[non_exhaustive]
/// pub enum RpcError {
///     #[error("replica exists, uuid={uuid}")]
///     #[class(invalid, status = already_exists)]
///     CreateReplica { uuid: u64 },
/// }
/// let err = RpcError::CreateReplica { uuid: 7 };
///
/// // The conventions: the status code string on a client, nothing on a server.
/// assert_eq!(Recorder::new(Operation::RPC_CLIENT).error_type(Some(&err)), Some("ALREADY_EXISTS"));
/// assert_eq!(Recorder::new(Operation::RPC_SERVER).error_type(Some(&err)), None);
///
/// // The deviations, named where they are chosen.
/// let client = Recorder::new(Operation::RPC_CLIENT).deviate(Deviation::CodeAsErrorType);
/// assert_eq!(client.error_type(Some(&err)), Some("RpcError::CreateReplica"));
/// let server = Recorder::new(Operation::RPC_SERVER)
///     .deviate(Deviation::CodeAsErrorType)
///     .deviate(Deviation::ErrorTypeOnClientFaults);
/// assert_eq!(server.error_type(Some(&err)), Some("RpcError::CreateReplica"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Deviation {
    /// `error.type` is the error's own code (`RpcError::CreateReplica`) on RPC
    /// operations too.
    ///
    /// The conventions: when an RPC returned a status code, `error.type` SHOULD be that
    /// code's string (`ALREADY_EXISTS`), the same value as `rpc.response.status_code`.
    /// By default the error's code is in `classified.code` instead; with this deviation
    /// `error.type` on the span and on the duration point holds the code, and a query
    /// grouping RPC failures by `error.type` sees the application's codes rather than the
    /// status codes any gRPC instrumentation reports.
    ///
    /// HTTP and other operations are unchanged: for them the conventions accept a
    /// component-specific identifier, and `error.type` is the code by default.
    CodeAsErrorType,

    /// A server's span and duration point get `error.type` for a client's mistake
    /// ([`Outcome::ClientFault`](crate::Outcome::ClientFault)), with the status still
    /// unset.
    ///
    /// The conventions: `error.type` is set if and only if the operation failed, and a
    /// server that answered a client's mistake (`invalid`, `already exists`) did not fail
    /// (their own `ResourceAlreadyExists` example sets neither the error status nor
    /// `error.type`). With this deviation, a query counting `error.type` on server
    /// durations counts the clients' mistakes as the server's failures.
    ErrorTypeOnClientFaults,
}

/// The deviations a recorder was given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Deviations {
    pub(crate) code_as_error_type: bool,
    pub(crate) error_type_on_client_faults: bool,
}

impl Deviations {
    pub(crate) fn with(mut self, deviation: Deviation) -> Deviations {
        match deviation {
            Deviation::CodeAsErrorType => self.code_as_error_type = true,
            Deviation::ErrorTypeOnClientFaults => self.error_type_on_client_faults = true,
        }
        self
    }
}
