//! What was being done when the error happened, and so whether it is a failure.
//!
//! The same error is recorded differently depending on who sees it. A `not_found` is the
//! client's failure on a client span, but on the server it is the client's mistake: the
//! server did its job. The conventions then leave its span's status unset (their rule for
//! 4xx HTTP responses and for most gRPC codes on servers) and set no `error.type`, which
//! is required if and only if the operation failed; the error's own code stays visible in
//! `classified.code`. An [`Operation`] carries that context: its span kind, its protocol,
//! and the names the conventions give its exception event and duration metric.
//!
//! The span kind is given once, in the operation: [`OtelLayer`](crate::OtelLayer) opens
//! its spans from it, and [`operation_span!`](crate::operation_span!) opens a span from a
//! [`Recorder`](crate::Recorder)'s operation, so the kind the span is exported with and
//! the kind the recorder judges by cannot disagree.
//!
//! The kind also decides which status a span reports as the response's
//! ([`Operation::response_status`]). A server returns its error's
//! [`status`](ClassifiedError::status), so its span reports it. A client reports only a
//! status its error [states](ClassifiedError::stated_status): every classified error has a
//! `status()`, and for one made in the client (a reset connection, an `io::Error`, an
//! ad-hoc `Error::transient`) it is only what the class implies, the status a server
//! *would* have sent. Reported, it would be a response nobody sent: an
//! `rpc.response.status_code` of `UNAVAILABLE` on a call that never reached a server.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

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
    /// The value tracing-opentelemetry reads from a span's `otel.kind` field. You rarely
    /// write it: [`operation_span!`](crate::operation_span!) and [`OtelLayer`](crate::OtelLayer) set
    /// `otel.kind` from the operation.
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
/// The conventions' operations are constants ([`RPC_CLIENT`](Operation::RPC_CLIENT), …);
/// an operation of your own is named once, and its exception event and duration metric
/// are named after it:
///
/// ```
/// use error_otel::{Kind, Operation};
///
/// assert_eq!(Operation::RPC_SERVER.kind(), Kind::Server);
/// assert_eq!(Operation::RPC_SERVER.exception_event(), "rpc.server.call.exception");
/// assert_eq!(Operation::HTTP_CLIENT.duration_metric(), "http.client.request.duration");
///
/// const PROPOSE: Operation = Operation::client("raft.propose");
/// assert_eq!(PROPOSE.kind(), Kind::Client);
/// assert_eq!(PROPOSE.exception_event(), "raft.propose.exception");
/// assert_eq!(PROPOSE.duration_metric(), "raft.propose.duration");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    kind: Kind,
    domain: Domain,
    name: &'static str,
    /// `None`: the name and `.exception`.
    exception_event: Option<&'static str>,
    /// `None`: the name and `.duration`.
    duration_metric: Option<&'static str>,
}

impl Operation {
    /// A gRPC client call (`rpc.client.call`).
    pub const RPC_CLIENT: Operation = Operation::client("rpc.client.call").with_domain(Domain::Rpc);

    /// A gRPC server call (`rpc.server.call`).
    pub const RPC_SERVER: Operation = Operation::server("rpc.server.call").with_domain(Domain::Rpc);

    /// An HTTP client request (`http.client.request`).
    pub const HTTP_CLIENT: Operation =
        Operation::client("http.client.request").with_domain(Domain::Http);

    /// An HTTP server request (`http.server.request`).
    pub const HTTP_SERVER: Operation =
        Operation::server("http.server.request").with_domain(Domain::Http);

    /// An operation of no known protocol, on an internal span: what
    /// [`record`](crate::record) assumes. Its names are in our namespace.
    pub const INTERNAL: Operation = Operation::internal("classified.operation");

    /// An operation of your own, of no known protocol, named `name`: its exception event
    /// is `{name}.exception` and its duration metric `{name}.duration`, as the conventions
    /// name theirs. [`client`](Operation::client), [`server`](Operation::server) and
    /// [`internal`](Operation::internal) say the kind in the name of the call.
    ///
    /// The two derived names are made the first time they are asked for, once per
    /// distinct name, and kept for the life of the process (the log API takes a
    /// `&'static str` event name). Operation names are a small fixed set, as the
    /// conventions want them (low cardinality), so this is a few strings; do not make
    /// operations from request data.
    #[must_use]
    pub const fn new(kind: Kind, name: &'static str) -> Operation {
        Operation {
            kind,
            domain: Domain::Other,
            name,
            exception_event: None,
            duration_metric: None,
        }
    }

    /// A client operation of your own: [`new`](Operation::new) with [`Kind::Client`].
    #[must_use]
    pub const fn client(name: &'static str) -> Operation {
        Operation::new(Kind::Client, name)
    }

    /// A server operation of your own: [`new`](Operation::new) with [`Kind::Server`].
    #[must_use]
    pub const fn server(name: &'static str) -> Operation {
        Operation::new(Kind::Server, name)
    }

    /// An operation inside the process: [`new`](Operation::new) with [`Kind::Internal`].
    #[must_use]
    pub const fn internal(name: &'static str) -> Operation {
        Operation::new(Kind::Internal, name)
    }

    /// The same operation with an exception event name of your own, in place of
    /// `{name}.exception`.
    #[must_use]
    pub const fn with_exception_event(mut self, exception_event: &'static str) -> Operation {
        self.exception_event = Some(exception_event);
        self
    }

    /// The same operation with a duration metric name of your own, in place of
    /// `{name}.duration`.
    #[must_use]
    pub const fn with_duration_metric(mut self, duration_metric: &'static str) -> Operation {
        self.duration_metric = Some(duration_metric);
        self
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
    /// `.exception`, unless [another](Operation::with_exception_event) was given.
    #[must_use]
    pub fn exception_event(&self) -> &'static str {
        self.exception_event
            .unwrap_or_else(|| joined(self.name, ".exception"))
    }

    /// The name of the duration histogram: the operation's name and `.duration`, unless
    /// [another](Operation::with_duration_metric) was given.
    #[must_use]
    pub fn duration_metric(&self) -> &'static str {
        self.duration_metric
            .unwrap_or_else(|| joined(self.name, ".duration"))
    }

    /// The status of the response, for a call of this operation that ended with `error`:
    /// what the domain's status attribute (`rpc.response.status_code`,
    /// `http.response.status_code`) and, on RPC operations, `error.type` report. `None`
    /// when there was no response to report.
    ///
    /// - On a server span, the error's [`status`](ClassifiedError::status): the server's
    ///   boundary sends it back, whether the error wrote it or its class implied it.
    /// - On a client or internal span, only the status the error
    ///   [states](ClassifiedError::stated_status): the one the peer returned, for an error
    ///   made from its answer (`status = ..` on the variant, `Error::with_status`), or the
    ///   one a layer of the client gives its own error, as a gRPC client reports the status
    ///   it generated (error-tower's `Elapsed` is `deadline_exceeded`, the breaker's `Open`
    ///   `unavailable`). An error made in the client with no status of its own had no
    ///   response, and gets none: its class's status would be made up.
    ///
    /// ```
    /// use error_core::{Error, Status};
    /// use error_otel::Operation;
    ///
    /// let reset = Error::transient("connection reset");
    /// assert_eq!(Operation::RPC_CLIENT.response_status(&reset), None);
    /// assert_eq!(Operation::RPC_SERVER.response_status(&reset), Some(Status::Unavailable));
    ///
    /// let answered = Error::invalid("replica exists").with_status(Status::AlreadyExists);
    /// assert_eq!(Operation::RPC_CLIENT.response_status(&answered), Some(Status::AlreadyExists));
    /// ```
    #[must_use]
    pub fn response_status(&self, error: &dyn ClassifiedError) -> Option<Status> {
        match self.kind {
            Kind::Server => Some(error.status()),
            Kind::Client | Kind::Internal => error.stated_status(),
        }
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

/// `name` followed by `suffix`, made once per distinct pair and kept for the life of the
/// process.
fn joined(name: &'static str, suffix: &'static str) -> &'static str {
    static JOINED: Mutex<BTreeMap<(&str, &str), &str>> = Mutex::new(BTreeMap::new());
    // The map is whole at every step (an insert of a finished string), so a panic
    // elsewhere while it was held leaves nothing to repair.
    let mut joined = JOINED.lock().unwrap_or_else(PoisonError::into_inner);
    joined
        .entry((name, suffix))
        .or_insert_with(|| Box::leak(format!("{name}{suffix}").into_boxed_str()))
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
    /// The client's mistake, seen by a server: the server did not fail, so there is no
    /// `error.type` (on the span or the duration point) and the status stays unset. The
    /// error's `classified.*` attributes and the response status attribute say what the
    /// client got, and the exception is recorded as "not really an issue": at DEBUG
    /// severity as a log record. [`Deviation::ErrorTypeOnClientFaults`] sets `error.type`
    /// anyway.
    ///
    /// [`Deviation::ErrorTypeOnClientFaults`]: crate::Deviation::ErrorTypeOnClientFaults
    ClientFault,
    /// The caller cancelled the call: no error at all, so no `error.type`, no status and
    /// no exception.
    Cancelled,
}
