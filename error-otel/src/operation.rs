//! What was being done when the error happened, and so whether it is a failure.
//!
//! The same error is recorded differently depending on who sees it. A `not_found` is the
//! client's failure on a client span, but on the server it is the client's mistake: the
//! server did its job, so its span keeps the status unset (the conventions' rule for 4xx
//! HTTP responses and for most gRPC codes on servers), while `error.type` still says
//! what went wrong. An [`Operation`] carries that context: its span kind, its protocol, and
//! the names the conventions give its exception event and duration metric.

use error_core::{Class, ClassifiedError, Status};

/// The side of the call a span is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// The caller's side: every failure is an error.
    Client,
    /// The callee's side: failures the client caused are not the server's errors.
    Server,
    /// An operation inside the process: every failure is an error.
    Internal,
}

impl Kind {
    /// The value tracing-opentelemetry reads from a span's `otel.kind` field.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Client => "client",
            Kind::Server => "server",
            Kind::Internal => "internal",
        }
    }
}

/// The protocol of the operation, which decides the domain attribute recorded beside
/// `error.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Domain {
    /// gRPC: the status name goes in [`RPC_STATUS_CODE`](crate::semconv::RPC_STATUS_CODE).
    Rpc,
    /// HTTP: the status code goes in
    /// [`HTTP_RESPONSE_STATUS_CODE`](crate::semconv::HTTP_RESPONSE_STATUS_CODE).
    Http,
    /// Anything else: no domain attribute.
    Other,
}

/// An operation: its kind, its protocol, and its names.
///
/// ```
/// use error_otel::{Kind, Operation};
///
/// assert_eq!(Operation::RPC_SERVER.kind(), Kind::Server);
/// assert_eq!(Operation::RPC_SERVER.exception_event(), "rpc.server.call.exception");
/// assert_eq!(Operation::HTTP_CLIENT.duration_metric(), "http.client.request.duration");
///
/// let job = Operation::new(Kind::Internal, "compaction", "compaction.exception", "compaction.duration");
/// assert_eq!(job.name(), "compaction");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    kind: Kind,
    domain: Domain,
    name: &'static str,
    exception_event: &'static str,
    duration_metric: &'static str,
}

impl Operation {
    /// A gRPC client call (`rpc.client.call`).
    pub const RPC_CLIENT: Operation = Operation {
        kind: Kind::Client,
        domain: Domain::Rpc,
        name: "rpc.client.call",
        exception_event: "rpc.client.call.exception",
        duration_metric: "rpc.client.call.duration",
    };

    /// A gRPC server call (`rpc.server.call`).
    pub const RPC_SERVER: Operation = Operation {
        kind: Kind::Server,
        domain: Domain::Rpc,
        name: "rpc.server.call",
        exception_event: "rpc.server.call.exception",
        duration_metric: "rpc.server.call.duration",
    };

    /// An HTTP client request (`http.client.request`).
    pub const HTTP_CLIENT: Operation = Operation {
        kind: Kind::Client,
        domain: Domain::Http,
        name: "http.client.request",
        exception_event: "http.client.request.exception",
        duration_metric: "http.client.request.duration",
    };

    /// An HTTP server request (`http.server.request`).
    pub const HTTP_SERVER: Operation = Operation {
        kind: Kind::Server,
        domain: Domain::Http,
        name: "http.server.request",
        exception_event: "http.server.request.exception",
        duration_metric: "http.server.request.duration",
    };

    /// An operation of no known protocol, on an internal span: what
    /// [`record`](crate::record) assumes. Its names are in our namespace.
    pub const INTERNAL: Operation = Operation {
        kind: Kind::Internal,
        domain: Domain::Other,
        name: "classified.operation",
        exception_event: "classified.operation.exception",
        duration_metric: "classified.operation.duration",
    };

    /// An operation of your own, of no known protocol.
    #[must_use]
    pub const fn new(
        kind: Kind,
        name: &'static str,
        exception_event: &'static str,
        duration_metric: &'static str,
    ) -> Operation {
        Operation {
            kind,
            domain: Domain::Other,
            name,
            exception_event,
            duration_metric,
        }
    }

    /// The same operation on the other side, or inside the process.
    #[must_use]
    pub const fn with_kind(mut self, kind: Kind) -> Operation {
        self.kind = kind;
        self
    }

    /// The same operation with another protocol.
    #[must_use]
    pub const fn with_domain(mut self, domain: Domain) -> Operation {
        self.domain = domain;
        self
    }

    /// The span kind.
    #[must_use]
    pub const fn kind(&self) -> Kind {
        self.kind
    }

    /// The protocol.
    #[must_use]
    pub const fn domain(&self) -> Domain {
        self.domain
    }

    /// The operation's name, which [`OtelLayer`](crate::OtelLayer) gives the spans it
    /// opens.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The event name of the exception's log record: the operation's name and
    /// `.exception`.
    #[must_use]
    pub const fn exception_event(&self) -> &'static str {
        self.exception_event
    }

    /// The name of the duration histogram.
    #[must_use]
    pub const fn duration_metric(&self) -> &'static str {
        self.duration_metric
    }

    /// What an error means for this operation: see [`Outcome`].
    ///
    /// - A cancellation (status `cancelled`) is the caller's own decision:
    ///   [`Outcome::Cancelled`] on every kind of span.
    /// - On a server span, an error the client caused is [`Outcome::ClientFault`]: the
    ///   classes `invalid`, `denied` and `conflict`, and every status that is not one of the
    ///   six gRPC codes the conventions count as server errors (`UNKNOWN`,
    ///   `DEADLINE_EXCEEDED`, `UNIMPLEMENTED`, `INTERNAL`, `UNAVAILABLE`, `DATA_LOSS`). Their
    ///   HTTP mapping is the 5xx range, so the rule is the HTTP one too.
    /// - Everything else is an [`Outcome::Failure`].
    ///
    /// ```
    /// use error_core::Error;
    /// use error_otel::{Operation, Outcome};
    ///
    /// let bad = Error::invalid("key is empty");
    /// assert_eq!(Operation::RPC_SERVER.judge(&bad), Outcome::ClientFault);
    /// assert_eq!(Operation::RPC_CLIENT.judge(&bad), Outcome::Failure);
    /// ```
    #[must_use]
    pub fn judge(&self, error: &dyn ClassifiedError) -> Outcome {
        let status = error.status();
        if status == Status::Cancelled {
            return Outcome::Cancelled;
        }
        if self.kind == Kind::Server
            && (matches!(
                error.class(),
                Class::Invalid | Class::Denied | Class::Conflict
            ) || !server_error(status))
        {
            return Outcome::ClientFault;
        }
        Outcome::Failure
    }
}

/// The gRPC codes the conventions count as errors on a server span.
fn server_error(status: Status) -> bool {
    matches!(
        status,
        Status::Unknown
            | Status::DeadlineExceeded
            | Status::Unimplemented
            | Status::Internal
            | Status::Unavailable
            | Status::DataLoss
    )
}

/// How an error is recorded on an operation's span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The operation failed: `error.type`, the span status `Error` with the message, the
    /// exception.
    Failure,
    /// The client's mistake, seen by a server: `error.type` and the exception (at DEBUG
    /// severity as a log), but the span status stays unset.
    ClientFault,
    /// The caller cancelled the call: no error at all, so no `error.type`, no status and
    /// no exception.
    Cancelled,
}
