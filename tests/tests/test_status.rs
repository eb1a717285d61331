//! `Status`: the gRPC/HTTP tables, `from_grpc`, the class mappings both ways,
//! `Class::from_grpc` / `Class::from_http`, and the derive's `status = ..`, its default from
//! the class and its delegation through `#[class(source)]` and `#[error(transparent)]`; and
//! `stated_status`, which is the written status only, never the class's.

use std::io;

use error_core::{Class, ClassifiedError, Status};

const TABLE: [(Status, i32, u16, &str, &str); 16] = [
    (Status::Cancelled, 1, 499, "cancelled", "CANCELLED"),
    (Status::Unknown, 2, 500, "unknown", "UNKNOWN"),
    (
        Status::InvalidArgument,
        3,
        400,
        "invalid_argument",
        "INVALID_ARGUMENT",
    ),
    (
        Status::DeadlineExceeded,
        4,
        504,
        "deadline_exceeded",
        "DEADLINE_EXCEEDED",
    ),
    (Status::NotFound, 5, 404, "not_found", "NOT_FOUND"),
    (
        Status::AlreadyExists,
        6,
        409,
        "already_exists",
        "ALREADY_EXISTS",
    ),
    (
        Status::PermissionDenied,
        7,
        403,
        "permission_denied",
        "PERMISSION_DENIED",
    ),
    (
        Status::ResourceExhausted,
        8,
        429,
        "resource_exhausted",
        "RESOURCE_EXHAUSTED",
    ),
    (
        Status::FailedPrecondition,
        9,
        400,
        "failed_precondition",
        "FAILED_PRECONDITION",
    ),
    (Status::Aborted, 10, 409, "aborted", "ABORTED"),
    (Status::OutOfRange, 11, 400, "out_of_range", "OUT_OF_RANGE"),
    (
        Status::Unimplemented,
        12,
        501,
        "unimplemented",
        "UNIMPLEMENTED",
    ),
    (Status::Internal, 13, 500, "internal", "INTERNAL"),
    (Status::Unavailable, 14, 503, "unavailable", "UNAVAILABLE"),
    (Status::DataLoss, 15, 500, "data_loss", "DATA_LOSS"),
    (
        Status::Unauthenticated,
        16,
        401,
        "unauthenticated",
        "UNAUTHENTICATED",
    ),
];

#[test]
fn every_status_grpc_http_and_names() {
    let all: Vec<Status> = TABLE.iter().map(|row| row.0).collect();
    assert_eq!(all, Status::ALL);
    for (status, grpc, http, name, grpc_name) in TABLE {
        assert_eq!(status.grpc(), grpc, "{status:?}");
        assert_eq!(status.http(), http, "{status:?}");
        assert_eq!(status.as_str(), name, "{status:?}");
        assert_eq!(status.grpc_name(), grpc_name, "{status:?}");
        assert_eq!(status.to_string(), name, "{status:?}");
        assert_eq!(Status::from_grpc(grpc), Some(status), "{status:?}");
    }
    assert_eq!(format!("[{:>12}]", Status::NotFound), "[   not_found]");
    assert_eq!(format!("[{:<9}]", Status::Aborted), "[aborted  ]");
}

#[test]
fn from_grpc_numbers() {
    let expected = [
        (0, None),
        (1, Some(Status::Cancelled)),
        (2, Some(Status::Unknown)),
        (3, Some(Status::InvalidArgument)),
        (4, Some(Status::DeadlineExceeded)),
        (5, Some(Status::NotFound)),
        (6, Some(Status::AlreadyExists)),
        (7, Some(Status::PermissionDenied)),
        (8, Some(Status::ResourceExhausted)),
        (9, Some(Status::FailedPrecondition)),
        (10, Some(Status::Aborted)),
        (11, Some(Status::OutOfRange)),
        (12, Some(Status::Unimplemented)),
        (13, Some(Status::Internal)),
        (14, Some(Status::Unavailable)),
        (15, Some(Status::DataLoss)),
        (16, Some(Status::Unauthenticated)),
        // Outside 0 to 16: what gRPC clients make of it.
        (17, Some(Status::Unknown)),
        (-1, Some(Status::Unknown)),
        (-16, Some(Status::Unknown)),
        (100, Some(Status::Unknown)),
        (i32::MAX, Some(Status::Unknown)),
        (i32::MIN, Some(Status::Unknown)),
    ];
    for (code, status) in expected {
        assert_eq!(Status::from_grpc(code), status, "{code}");
    }
}

#[test]
fn status_from_class() {
    let expected = [
        (Class::Transient, Status::Unavailable),
        (Class::Busy, Status::ResourceExhausted),
        (Class::Redirect, Status::Unavailable),
        (Class::Conflict, Status::Aborted),
        (Class::Invalid, Status::InvalidArgument),
        (Class::Denied, Status::PermissionDenied),
        (Class::Closed, Status::Unavailable),
        (Class::Data, Status::DataLoss),
        (Class::Fatal, Status::Internal),
        (Class::Internal, Status::Internal),
    ];
    let classes: Vec<Class> = expected.iter().map(|row| row.0).collect();
    assert_eq!(classes, Class::ALL);
    for (class, status) in expected {
        assert_eq!(Status::from_class(class), status, "{class}");
    }
}

#[test]
fn class_of_every_status() {
    let expected = [
        (Status::Cancelled, Class::Transient),
        (Status::Unknown, Class::Internal),
        (Status::InvalidArgument, Class::Invalid),
        (Status::DeadlineExceeded, Class::Transient),
        (Status::NotFound, Class::Invalid),
        (Status::AlreadyExists, Class::Invalid),
        (Status::PermissionDenied, Class::Denied),
        (Status::ResourceExhausted, Class::Busy),
        (Status::FailedPrecondition, Class::Invalid),
        (Status::Aborted, Class::Conflict),
        (Status::OutOfRange, Class::Invalid),
        (Status::Unimplemented, Class::Invalid),
        (Status::Internal, Class::Internal),
        (Status::Unavailable, Class::Transient),
        (Status::DataLoss, Class::Data),
        (Status::Unauthenticated, Class::Denied),
    ];
    let statuses: Vec<Status> = expected.iter().map(|row| row.0).collect();
    assert_eq!(statuses, Status::ALL);
    for (status, class) in expected {
        assert_eq!(status.class(), class, "{status}");
    }
    // A class's own status maps back to that class, except those that share a status
    // (redirect and closed travel as `unavailable`, fatal as `internal`).
    for class in Class::ALL {
        let back = Status::from_class(class).class();
        match class {
            Class::Redirect | Class::Closed => assert_eq!(back, Class::Transient),
            Class::Fatal => assert_eq!(back, Class::Internal),
            _ => assert_eq!(back, class, "{class}"),
        }
    }
}

#[test]
fn class_from_grpc() {
    let expected = [
        (0, None),
        (1, Some(Class::Transient)),
        (2, Some(Class::Internal)),
        (3, Some(Class::Invalid)),
        (4, Some(Class::Transient)),
        (5, Some(Class::Invalid)),
        (6, Some(Class::Invalid)),
        (7, Some(Class::Denied)),
        (8, Some(Class::Busy)),
        (9, Some(Class::Invalid)),
        (10, Some(Class::Conflict)),
        (11, Some(Class::Invalid)),
        (12, Some(Class::Invalid)),
        (13, Some(Class::Internal)),
        (14, Some(Class::Transient)),
        (15, Some(Class::Data)),
        (16, Some(Class::Denied)),
        (17, Some(Class::Internal)),
        (-1, Some(Class::Internal)),
    ];
    for (code, class) in expected {
        assert_eq!(Class::from_grpc(code), class, "{code}");
    }
}

#[test]
fn class_from_http() {
    let expected = [
        (0, None),
        (100, None),
        (200, None),
        (204, None),
        (301, None),
        (399, None),
        (400, Some(Class::Invalid)),
        (401, Some(Class::Denied)),
        (403, Some(Class::Denied)),
        (404, Some(Class::Invalid)),
        (405, Some(Class::Invalid)),
        (407, Some(Class::Denied)),
        (408, Some(Class::Transient)),
        (409, Some(Class::Conflict)),
        (410, Some(Class::Invalid)),
        (412, Some(Class::Conflict)),
        (413, Some(Class::Invalid)),
        (422, Some(Class::Invalid)),
        (425, Some(Class::Transient)),
        (428, Some(Class::Conflict)),
        (429, Some(Class::Busy)),
        (451, Some(Class::Denied)),
        (498, Some(Class::Invalid)),
        (499, Some(Class::Transient)),
        (500, Some(Class::Internal)),
        (501, Some(Class::Invalid)),
        (502, Some(Class::Transient)),
        (503, Some(Class::Transient)),
        (504, Some(Class::Transient)),
        (505, Some(Class::Invalid)),
        (507, Some(Class::Internal)),
        (511, Some(Class::Internal)),
        (599, Some(Class::Internal)),
    ];
    for (code, class) in expected {
        assert_eq!(Class::from_http(code), class, "{code}");
    }
}

#[test]
fn http_of_a_status_classifies_back_sensibly() {
    // What a peer that only speaks HTTP makes of each status we send.
    for status in Status::ALL {
        let class = Class::from_http(status.http()).unwrap();
        let expected = match status {
            Status::Cancelled | Status::DeadlineExceeded | Status::Unavailable => Class::Transient,
            Status::ResourceExhausted => Class::Busy,
            Status::AlreadyExists | Status::Aborted => Class::Conflict,
            Status::PermissionDenied | Status::Unauthenticated => Class::Denied,
            Status::Unknown | Status::Internal | Status::DataLoss => Class::Internal,
            _ => Class::Invalid,
        };
        assert_eq!(class, expected, "{status}");
    }
}

#[derive(Debug, ClassifiedError)]
enum EveryClass {
    #[error("transient")]
    #[class(transient)]
    Transient,
    #[error("busy")]
    #[class(busy)]
    Busy,
    #[error("redirect")]
    #[class(redirect)]
    Redirect,
    #[error("conflict")]
    #[class(conflict)]
    Conflict,
    #[error("invalid")]
    #[class(invalid)]
    Invalid,
    #[error("denied")]
    #[class(denied)]
    Denied,
    #[error("closed")]
    #[class(closed)]
    Closed,
    #[error("data")]
    #[class(data)]
    Data,
    #[error("fatal")]
    #[class(fatal)]
    Fatal,
    #[error("internal")]
    #[class(internal)]
    Internal,
}

#[test]
fn derived_status_defaults_from_the_class() {
    let cases = [
        (EveryClass::Transient, Status::Unavailable),
        (EveryClass::Busy, Status::ResourceExhausted),
        (EveryClass::Redirect, Status::Unavailable),
        (EveryClass::Conflict, Status::Aborted),
        (EveryClass::Invalid, Status::InvalidArgument),
        (EveryClass::Denied, Status::PermissionDenied),
        (EveryClass::Closed, Status::Unavailable),
        (EveryClass::Data, Status::DataLoss),
        (EveryClass::Fatal, Status::Internal),
        (EveryClass::Internal, Status::Internal),
    ];
    for (e, status) in cases {
        assert_eq!(e.status(), status, "{e:?}");
        assert_eq!(e.status(), Status::from_class(e.class()), "{e:?}");
    }
}

// `context = none`: `EveryClass` beside it has the same variant names.
#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
enum EveryStatus {
    #[error("s")]
    #[class(status = cancelled)]
    Cancelled,
    #[error("s")]
    #[class(status = unknown)]
    Unknown,
    #[error("s")]
    #[class(status = invalid_argument)]
    InvalidArgument,
    #[error("s")]
    #[class(status = deadline_exceeded)]
    DeadlineExceeded,
    #[error("s")]
    #[class(status = not_found)]
    NotFound,
    #[error("s")]
    #[class(status = already_exists)]
    AlreadyExists,
    #[error("s")]
    #[class(status = permission_denied)]
    PermissionDenied,
    #[error("s")]
    #[class(status = resource_exhausted)]
    ResourceExhausted,
    #[error("s")]
    #[class(status = failed_precondition)]
    FailedPrecondition,
    #[error("s")]
    #[class(status = aborted)]
    Aborted,
    #[error("s")]
    #[class(status = out_of_range)]
    OutOfRange,
    #[error("s")]
    #[class(status = unimplemented)]
    Unimplemented,
    #[error("s")]
    #[class(status = internal)]
    Internal,
    #[error("s")]
    #[class(status = unavailable)]
    Unavailable,
    #[error("s")]
    #[class(status = data_loss)]
    DataLoss,
    #[error("s")]
    #[class(status = unauthenticated)]
    Unauthenticated,
    #[error("s")]
    Inherited,
}

#[test]
fn every_status_override_keeps_the_class() {
    let cases = [
        (EveryStatus::Cancelled, Status::Cancelled),
        (EveryStatus::Unknown, Status::Unknown),
        (EveryStatus::InvalidArgument, Status::InvalidArgument),
        (EveryStatus::DeadlineExceeded, Status::DeadlineExceeded),
        (EveryStatus::NotFound, Status::NotFound),
        (EveryStatus::AlreadyExists, Status::AlreadyExists),
        (EveryStatus::PermissionDenied, Status::PermissionDenied),
        (EveryStatus::ResourceExhausted, Status::ResourceExhausted),
        (EveryStatus::FailedPrecondition, Status::FailedPrecondition),
        (EveryStatus::Aborted, Status::Aborted),
        (EveryStatus::OutOfRange, Status::OutOfRange),
        (EveryStatus::Unimplemented, Status::Unimplemented),
        (EveryStatus::Internal, Status::Internal),
        (EveryStatus::Unavailable, Status::Unavailable),
        (EveryStatus::DataLoss, Status::DataLoss),
        (EveryStatus::Unauthenticated, Status::Unauthenticated),
    ];
    let statuses: Vec<Status> = cases.iter().map(|row| row.1).collect();
    assert_eq!(statuses, Status::ALL);
    for (e, status) in cases {
        assert_eq!(e.status(), status, "{e:?}");
        assert_eq!(e.class(), Class::Internal, "{e:?}");
    }
    assert_eq!(EveryStatus::Inherited.status(), Status::Internal);
    assert_eq!(EveryStatus::NotFound.code(), "EveryStatus::NotFound");
}

#[derive(Debug, ClassifiedError)]
enum ReplicaError {
    #[error("pool not found")]
    #[class(invalid, status = not_found)]
    PoolNotFound { pool: String },
    #[error("replica already exists")]
    #[class(invalid, status = already_exists)]
    ReplicaExists,
    #[error("bad size")]
    #[class(invalid)]
    BadSize,
    #[error("no leader")]
    #[class(transient, code = "raft.no_leader")]
    NoLeader,
}

#[derive(Debug, ClassifiedError)]
enum NexusError {
    #[error("failed to publish")]
    #[class(source)]
    Publish { source: ReplicaError, nexus: String },
    #[error(transparent)]
    Replica(ReplicaError),
    #[error("nexus unavailable")]
    #[class(source, status = unavailable)]
    Overridden { source: ReplicaError },
    #[error("nexus internal")]
    #[class(internal)]
    OwnClass { source: ReplicaError },
    #[error("io")]
    #[class(source)]
    Io { source: io::Error },
}

#[derive(Debug, ClassifiedError)]
enum RpcError {
    #[error("failed to create replica")]
    #[class(source)]
    CreateReplica { source: NexusError, uuid: String },
    #[error(transparent)]
    Nexus(NexusError),
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, status = failed_precondition)]
#[error("not initialised")]
struct NotInitialised;

#[derive(Debug, ClassifiedError)]
#[class(source)]
#[error("struct wrapper")]
struct StructWrapper {
    source: ReplicaError,
}

#[test]
fn status_set_deep_in_the_chain_shows_at_the_top() {
    let e = RpcError::CreateReplica {
        source: NexusError::Publish {
            source: ReplicaError::ReplicaExists,
            nexus: "nx1".into(),
        },
        uuid: "u1".into(),
    };
    assert_eq!(e.status(), Status::AlreadyExists);
    assert_eq!(e.status().http(), 409);
    assert_eq!(e.status().grpc(), 6);
    assert_eq!(e.class(), Class::Invalid);
    assert_eq!(e.code(), "RpcError::CreateReplica");

    let e = RpcError::Nexus(NexusError::Replica(ReplicaError::PoolNotFound {
        pool: "p".into(),
    }));
    assert_eq!(e.status(), Status::NotFound);
    assert_eq!(e.code(), "ReplicaError::PoolNotFound");

    let e = RpcError::CreateReplica {
        source: NexusError::Replica(ReplicaError::BadSize),
        uuid: "u2".into(),
    };
    assert_eq!(e.status(), Status::InvalidArgument);

    let e = RpcError::Nexus(NexusError::Publish {
        source: ReplicaError::NoLeader,
        nexus: "nx2".into(),
    });
    assert_eq!(e.status(), Status::Unavailable);
    assert_eq!(e.class(), Class::Transient);

    // Through trait objects and boxes.
    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(dyn_err.status(), Status::Unavailable);
    let boxed = Box::new(ReplicaError::ReplicaExists);
    assert_eq!(boxed.status(), Status::AlreadyExists);
    assert_eq!(
        (&&ReplicaError::ReplicaExists).status(),
        Status::AlreadyExists
    );
}

#[test]
fn a_variants_own_status_wins_over_its_sources() {
    let e = NexusError::Overridden {
        source: ReplicaError::ReplicaExists,
    };
    assert_eq!(e.status(), Status::Unavailable);
    // The class still comes from the source.
    assert_eq!(e.class(), Class::Invalid);

    let e = RpcError::CreateReplica {
        source: NexusError::Overridden {
            source: ReplicaError::PoolNotFound { pool: "p".into() },
        },
        uuid: "u".into(),
    };
    assert_eq!(e.status(), Status::Unavailable);

    // A variant with its own class does not delegate: its status is its class's.
    let e = NexusError::OwnClass {
        source: ReplicaError::ReplicaExists,
    };
    assert_eq!(e.status(), Status::Internal);
    assert_eq!(e.class(), Class::Internal);
}

#[test]
fn struct_status_and_io_sources() {
    assert_eq!(NotInitialised.status(), Status::FailedPrecondition);
    assert_eq!(NotInitialised.class(), Class::Invalid);
    let e = StructWrapper {
        source: ReplicaError::PoolNotFound { pool: "p".into() },
    };
    assert_eq!(e.status(), Status::NotFound);

    let cases = [
        (io::ErrorKind::NotFound, Status::NotFound),
        (io::ErrorKind::AlreadyExists, Status::AlreadyExists),
        (io::ErrorKind::TimedOut, Status::DeadlineExceeded),
        (io::ErrorKind::Unsupported, Status::Unimplemented),
        (io::ErrorKind::PermissionDenied, Status::PermissionDenied),
        (io::ErrorKind::ConnectionReset, Status::Unavailable),
        (io::ErrorKind::Other, Status::Internal),
    ];
    for (kind, status) in cases {
        let e = RpcError::Nexus(NexusError::Io {
            source: io::Error::from(kind),
        });
        assert_eq!(e.status(), status, "{kind:?}");
    }
}

#[test]
fn the_boundary_error_keeps_the_status() {
    let e = RpcError::CreateReplica {
        source: NexusError::Publish {
            source: ReplicaError::ReplicaExists,
            nexus: "nx1".into(),
        },
        uuid: "u1".into(),
    };
    let boundary = error_core::Error::from(e);
    assert_eq!(boundary.status(), Status::AlreadyExists);
    let adhoc = error_core::Error::invalid("x").with_status(Status::OutOfRange);
    assert_eq!(adhoc.status(), Status::OutOfRange);
}

/// Transparent variants under the enum's default class, around an error that may or may
/// not be classified: the derive probes the field.
#[derive(Debug, ClassifiedError)]
#[class(transient, context = none)]
enum Probed {
    #[error(transparent)]
    Boundary(error_core::Error),
    #[error(transparent)]
    Fmt(std::fmt::Error),
}

#[test]
fn stated_status_is_the_status_written_or_set_never_the_classs() {
    // Written on the variant, or not: the class's status is not stated.
    assert_eq!(
        ReplicaError::ReplicaExists.stated_status(),
        Some(Status::AlreadyExists)
    );
    assert_eq!(ReplicaError::BadSize.stated_status(), None);
    assert_eq!(ReplicaError::BadSize.status(), Status::InvalidArgument);
    assert_eq!(
        NotInitialised.stated_status(),
        Some(Status::FailedPrecondition)
    );
    assert_eq!(EveryClass::Transient.stated_status(), None);
    assert_eq!(
        EveryStatus::Cancelled.stated_status(),
        Some(Status::Cancelled)
    );
    assert_eq!(EveryStatus::Inherited.stated_status(), None);

    // Through `#[class(source)]` and `#[error(transparent)]`, as `status()`; a variant's
    // own status wins; a variant with its own class does not delegate.
    let cases: [(RpcError, Option<Status>); 7] = [
        (
            RpcError::CreateReplica {
                source: NexusError::Publish {
                    source: ReplicaError::ReplicaExists,
                    nexus: "nx1".into(),
                },
                uuid: "u1".into(),
            },
            Some(Status::AlreadyExists),
        ),
        (
            RpcError::Nexus(NexusError::Replica(ReplicaError::PoolNotFound {
                pool: "p".into(),
            })),
            Some(Status::NotFound),
        ),
        (
            RpcError::Nexus(NexusError::Replica(ReplicaError::NoLeader)),
            None,
        ),
        (
            RpcError::Nexus(NexusError::Overridden {
                source: ReplicaError::BadSize,
            }),
            Some(Status::Unavailable),
        ),
        (
            RpcError::Nexus(NexusError::OwnClass {
                source: ReplicaError::ReplicaExists,
            }),
            None,
        ),
        // An `io::Error`'s status is the process's reading of the OS, not a peer's.
        (
            RpcError::Nexus(NexusError::Io {
                source: io::Error::from(io::ErrorKind::NotFound),
            }),
            None,
        ),
        (
            RpcError::Nexus(NexusError::Io {
                source: io::Error::other(
                    error_core::Error::busy("throttled").with_status(Status::ResourceExhausted),
                ),
            }),
            Some(Status::ResourceExhausted),
        ),
    ];
    for (e, stated) in cases {
        assert_eq!(e.stated_status(), stated, "{e:?}");
        if let Some(stated) = stated {
            assert_eq!(e.status(), stated, "{e:?}");
        }
    }
    let probed = Probed::Boundary(error_core::Error::from(ReplicaError::ReplicaExists));
    assert_eq!(probed.stated_status(), Some(Status::AlreadyExists));
    let probed = Probed::Boundary(error_core::Error::from(ReplicaError::BadSize));
    assert_eq!(probed.stated_status(), None);
    assert_eq!(Probed::Fmt(std::fmt::Error).stated_status(), None);
    assert_eq!(Probed::Fmt(std::fmt::Error).status(), Status::Unavailable);

    // Through pointers, trait objects and the boundary error.
    let dyn_err: &dyn ClassifiedError = &ReplicaError::ReplicaExists;
    assert_eq!(dyn_err.stated_status(), Some(Status::AlreadyExists));
    assert_eq!(
        Box::new(ReplicaError::PoolNotFound { pool: "p".into() }).stated_status(),
        Some(Status::NotFound)
    );
    let boundary = error_core::Error::from(ReplicaError::ReplicaExists);
    assert_eq!(boundary.stated_status(), Some(Status::AlreadyExists));
    let boundary = error_core::Error::from(ReplicaError::BadSize);
    assert_eq!(boundary.stated_status(), None);
    let set = error_core::Error::from(ReplicaError::BadSize).with_status(Status::OutOfRange);
    assert_eq!(set.stated_status(), Some(Status::OutOfRange));
    assert_eq!(error_core::Error::transient("reset").stated_status(), None);
}
