//! Errors the user did not write: `std::io::Error` classified by its kind (class, code and
//! status), as a `#[class(source)]` and a `#[from]` source, and `find_classified` /
//! `classify` on type-erased chains.

use std::error::Error as StdError;
use std::fmt;
use std::io::{self, ErrorKind};

use error_core::{
    Class, ClassifiedError, Level, ParseClassError, Report, Status, classify, find_classified,
    io_class,
};

/// Every kind `io_class` names, with its class and (when it is not the class's) status.
const KINDS: [(ErrorKind, Class, &str, Option<Status>); 38] = [
    (
        ErrorKind::ConnectionReset,
        Class::Transient,
        "ConnectionReset",
        None,
    ),
    (
        ErrorKind::ConnectionRefused,
        Class::Transient,
        "ConnectionRefused",
        None,
    ),
    (
        ErrorKind::ConnectionAborted,
        Class::Transient,
        "ConnectionAborted",
        None,
    ),
    (
        ErrorKind::NotConnected,
        Class::Transient,
        "NotConnected",
        None,
    ),
    (ErrorKind::BrokenPipe, Class::Transient, "BrokenPipe", None),
    (
        ErrorKind::TimedOut,
        Class::Transient,
        "TimedOut",
        Some(Status::DeadlineExceeded),
    ),
    (
        ErrorKind::Interrupted,
        Class::Transient,
        "Interrupted",
        None,
    ),
    (
        ErrorKind::UnexpectedEof,
        Class::Transient,
        "UnexpectedEof",
        None,
    ),
    (ErrorKind::WriteZero, Class::Transient, "WriteZero", None),
    (
        ErrorKind::HostUnreachable,
        Class::Transient,
        "HostUnreachable",
        None,
    ),
    (
        ErrorKind::NetworkUnreachable,
        Class::Transient,
        "NetworkUnreachable",
        None,
    ),
    (
        ErrorKind::NetworkDown,
        Class::Transient,
        "NetworkDown",
        None,
    ),
    (ErrorKind::AddrInUse, Class::Transient, "AddrInUse", None),
    (
        ErrorKind::StaleNetworkFileHandle,
        Class::Transient,
        "StaleNetworkFileHandle",
        None,
    ),
    (ErrorKind::WouldBlock, Class::Busy, "WouldBlock", None),
    (ErrorKind::ResourceBusy, Class::Busy, "ResourceBusy", None),
    (
        ErrorKind::ExecutableFileBusy,
        Class::Busy,
        "ExecutableFileBusy",
        None,
    ),
    (ErrorKind::StorageFull, Class::Busy, "StorageFull", None),
    (
        ErrorKind::AlreadyExists,
        Class::Invalid,
        "AlreadyExists",
        Some(Status::AlreadyExists),
    ),
    (
        ErrorKind::InvalidInput,
        Class::Invalid,
        "InvalidInput",
        None,
    ),
    (ErrorKind::InvalidData, Class::Invalid, "InvalidData", None),
    (
        ErrorKind::NotFound,
        Class::Invalid,
        "NotFound",
        Some(Status::NotFound),
    ),
    (
        ErrorKind::Unsupported,
        Class::Invalid,
        "Unsupported",
        Some(Status::Unimplemented),
    ),
    (
        ErrorKind::AddrNotAvailable,
        Class::Invalid,
        "AddrNotAvailable",
        None,
    ),
    (
        ErrorKind::IsADirectory,
        Class::Invalid,
        "IsADirectory",
        None,
    ),
    (
        ErrorKind::NotADirectory,
        Class::Invalid,
        "NotADirectory",
        None,
    ),
    (
        ErrorKind::DirectoryNotEmpty,
        Class::Invalid,
        "DirectoryNotEmpty",
        None,
    ),
    (
        ErrorKind::FileTooLarge,
        Class::Invalid,
        "FileTooLarge",
        None,
    ),
    (ErrorKind::NotSeekable, Class::Invalid, "NotSeekable", None),
    (
        ErrorKind::TooManyLinks,
        Class::Invalid,
        "TooManyLinks",
        None,
    ),
    (
        ErrorKind::ArgumentListTooLong,
        Class::Invalid,
        "ArgumentListTooLong",
        None,
    ),
    (
        ErrorKind::CrossesDevices,
        Class::Invalid,
        "CrossesDevices",
        None,
    ),
    (
        ErrorKind::PermissionDenied,
        Class::Denied,
        "PermissionDenied",
        None,
    ),
    (
        ErrorKind::ReadOnlyFilesystem,
        Class::Denied,
        "ReadOnlyFilesystem",
        None,
    ),
    (
        ErrorKind::QuotaExceeded,
        Class::Denied,
        "QuotaExceeded",
        None,
    ),
    (ErrorKind::Deadlock, Class::Conflict, "Deadlock", None),
    (ErrorKind::OutOfMemory, Class::Fatal, "OutOfMemory", None),
    (ErrorKind::Other, Class::Internal, "Other", None),
];

#[test]
fn io_error_class_code_and_status_by_kind() {
    for (kind, class, name, status) in KINDS {
        let code = format!("std::io::ErrorKind::{name}");
        let status = status.unwrap_or(Status::from_class(class));

        let (io_class_of, io_code) = io_class(kind);
        assert_eq!(io_class_of, class, "{kind:?}");
        assert_eq!(io_code, code, "{kind:?}");

        let err = io::Error::from(kind);
        assert_eq!(err.class(), class, "{kind:?}");
        assert_eq!(err.code(), code, "{kind:?}");
        assert_eq!(err.status(), status, "{kind:?}");
        assert_eq!(err.level(), Level::from_class(class), "{kind:?}");
        assert_eq!(err.retry_after(), None, "{kind:?}");
        assert!(err.classified_source().is_none(), "{kind:?}");

        // A message of its own changes nothing.
        let err = io::Error::new(kind, "with a message");
        assert_eq!(err.class(), class, "{kind:?}");
        assert_eq!(err.code(), code, "{kind:?}");
        assert_eq!(err.status(), status, "{kind:?}");
    }
}

#[test]
fn the_four_status_exceptions() {
    assert_eq!(
        io::Error::from(ErrorKind::NotFound).status(),
        Status::NotFound
    );
    assert_eq!(
        io::Error::from(ErrorKind::AlreadyExists).status(),
        Status::AlreadyExists
    );
    assert_eq!(
        io::Error::from(ErrorKind::TimedOut).status(),
        Status::DeadlineExceeded
    );
    assert_eq!(
        io::Error::from(ErrorKind::Unsupported).status(),
        Status::Unimplemented
    );
    // And examples of the rule: the class's.
    assert_eq!(
        io::Error::from(ErrorKind::ConnectionReset).status(),
        Status::Unavailable
    );
    assert_eq!(
        io::Error::from(ErrorKind::StorageFull).status(),
        Status::ResourceExhausted
    );
    assert_eq!(
        io::Error::from(ErrorKind::PermissionDenied).status(),
        Status::PermissionDenied
    );
    assert_eq!(
        io::Error::from(ErrorKind::Deadlock).status(),
        Status::Aborted
    );
    assert_eq!(
        io::Error::from(ErrorKind::InvalidData).status(),
        Status::InvalidArgument
    );
}

#[test]
#[cfg(target_os = "linux")]
fn unlisted_kinds_are_internal() {
    // EPROTO (71) has no kind of its own: `Uncategorized`, which no table names.
    let err = io::Error::from_raw_os_error(71);
    assert_eq!(format!("{:?}", err.kind()), "Uncategorized");
    assert_eq!(io_class(err.kind()), (Class::Internal, "std::io::Error"));
    assert_eq!(err.class(), Class::Internal);
    assert_eq!(err.code(), "std::io::Error");
    assert_eq!(err.status(), Status::Internal);
    assert_eq!(err.level(), Level::Error);
}

#[test]
fn io_error_other_is_internal() {
    let err = io::Error::other("disk gone");
    assert_eq!(err.class(), Class::Internal);
    assert_eq!(err.code(), "std::io::ErrorKind::Other");
    assert_eq!(err.status(), Status::Internal);
    assert_eq!(err.level(), Level::Error);
    assert_eq!(err.to_string(), "disk gone");
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        "disk gone (internal, std::io::ErrorKind::Other)"
    );
}

#[derive(Debug, ClassifiedError)]
enum Disk {
    #[error("read failed")]
    #[class(source)]
    Read { source: io::Error, path: String },
    #[error("io")]
    #[class(source)]
    Io(#[from] io::Error),
    #[error("fsync failed")]
    #[class(fatal)]
    Sync {
        #[source]
        cause: io::Error,
    },
}

fn open(kind: ErrorKind) -> Result<(), Disk> {
    Err(io::Error::from(kind))?;
    Ok(())
}

#[test]
fn io_error_as_class_source_and_from() {
    let e = Disk::Read {
        source: io::Error::from(ErrorKind::ConnectionRefused),
        path: "/data".into(),
    };
    assert_eq!(e.class(), Class::Transient);
    assert_eq!(e.code(), "Disk::Read");
    assert_eq!(e.status(), Status::Unavailable);
    assert_eq!(e.retry_after(), None);
    assert_eq!(
        e.classified_source().unwrap().code(),
        "std::io::ErrorKind::ConnectionRefused"
    );
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "read failed. path=`/data` (transient, Disk::Read)\n  \
         caused by: connection refused (transient, std::io::ErrorKind::ConnectionRefused)"
    );

    let e = open(ErrorKind::NotFound).unwrap_err();
    assert!(matches!(&e, Disk::Io(source) if source.kind() == ErrorKind::NotFound));
    assert_eq!(e.class(), Class::Invalid);
    assert_eq!(e.status(), Status::NotFound);
    assert_eq!(e.code(), "Disk::Io");
    assert_eq!(e.source().unwrap().to_string(), "entity not found");

    let e = Disk::from(io::Error::from(ErrorKind::Deadlock));
    assert_eq!(e.class(), Class::Conflict);
    assert!(error_core::Retriable::is_retriable(&e));

    let e = Disk::Sync {
        cause: io::Error::from(ErrorKind::TimedOut),
    };
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.status(), Status::Internal);
    assert_eq!(e.classified_source().unwrap().class(), Class::Transient);
}

/// A hand-written error that is not classified, with an optional source.
#[derive(Debug)]
struct Plain {
    message: &'static str,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Plain {
    fn new(message: &'static str) -> Self {
        Plain {
            message,
            source: None,
        }
    }

    fn caused_by(
        message: &'static str,
        source: impl Into<Box<dyn StdError + Send + Sync>>,
    ) -> Self {
        Plain {
            message,
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl StdError for Plain {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[derive(Debug, ClassifiedError)]
#[class(busy, retry_after_ms = 20)]
#[error("queue full")]
struct QueueFull {
    depth: usize,
}

type BoxError = Box<dyn StdError + Send + Sync>;

#[test]
fn find_classified_on_a_boundary_error() {
    let erased: BoxError = Box::new(error_core::Error::from(QueueFull { depth: 4 }));
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.class(), Class::Busy);
    assert_eq!(found.code(), "QueueFull");
    assert_eq!(
        found.retry_after(),
        Some(std::time::Duration::from_millis(20))
    );
    assert_eq!(found.to_string(), "queue full. depth=`4`");
    // It is the error itself.
    assert!(std::ptr::addr_eq(found, std::ptr::from_ref(&*erased)));
    assert_eq!(classify(&*erased), Some(Class::Busy));

    let erased: BoxError = Box::new(error_core::Error::denied("no token").with_code("auth.token"));
    let found = find_classified(&*erased).unwrap();
    assert_eq!((found.class(), found.code()), (Class::Denied, "auth.token"));
}

#[test]
fn find_classified_on_an_io_error() {
    let erased: BoxError = Box::new(io::Error::from(ErrorKind::TimedOut));
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.class(), Class::Transient);
    assert_eq!(found.code(), "std::io::ErrorKind::TimedOut");
    assert_eq!(found.status(), Status::DeadlineExceeded);
    assert_eq!(classify(&*erased), Some(Class::Transient));

    // Without `Send + Sync`, too.
    let erased: Box<dyn StdError> = Box::new(io::Error::other("x"));
    assert_eq!(classify(&*erased), Some(Class::Internal));
}

#[test]
fn find_classified_walks_the_chain() {
    // Depth 2: a plain error whose source is a boundary error.
    let erased: BoxError = Box::new(Plain::caused_by(
        "handler failed",
        error_core::Error::from(QueueFull { depth: 1 }),
    ));
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.code(), "QueueFull");
    assert_eq!(found.to_string(), "queue full. depth=`1`");
    assert!(std::ptr::addr_eq(found, erased.source().unwrap()));
    assert_eq!(classify(&*erased), Some(Class::Busy));

    // Depth 3, an io::Error.
    let erased: BoxError = Box::new(Plain::caused_by(
        "a",
        Plain::caused_by("b", io::Error::from(ErrorKind::PermissionDenied)),
    ));
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.code(), "std::io::ErrorKind::PermissionDenied");
    assert_eq!(classify(&*erased), Some(Class::Denied));

    // The first recognised link wins: the boundary error, not the io::Error below it.
    let erased: BoxError = Box::new(
        error_core::Error::conflict("retry txn").with_source(io::Error::from(ErrorKind::TimedOut)),
    );
    assert_eq!(classify(&*erased), Some(Class::Conflict));
}

#[test]
fn find_classified_finds_nothing_in_a_plain_chain() {
    let erased: BoxError = Box::new(Plain::caused_by("a", Plain::new("b")));
    assert!(find_classified(&*erased).is_none());
    assert_eq!(classify(&*erased), None);

    let erased: BoxError = "just a string".into();
    assert!(find_classified(&*erased).is_none());
    assert_eq!(classify(&*erased), None);

    let erased: BoxError = Box::new("x".parse::<u32>().unwrap_err());
    assert_eq!(classify(&*erased), None);
}

#[test]
fn a_derived_error_must_cross_as_a_boundary_error() {
    // A derived type behind `dyn Error` is not recognisable (documented); its chain is
    // still walked, so a recognisable source below it is what is found.
    let erased: BoxError = Box::new(QueueFull { depth: 1 });
    assert!(find_classified(&*erased).is_none());

    let erased: BoxError = Box::new(Disk::Sync {
        cause: io::Error::from(ErrorKind::BrokenPipe),
    });
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.code(), "std::io::ErrorKind::BrokenPipe");

    // Converted first, it is found with everything it knows.
    let erased: BoxError = Box::new(error_core::Error::from(Disk::Sync {
        cause: io::Error::from(ErrorKind::BrokenPipe),
    }));
    let found = find_classified(&*erased).unwrap();
    assert_eq!((found.class(), found.code()), (Class::Fatal, "Disk::Sync"));
}

#[test]
fn parse_class_error_is_found() {
    let err: ParseClassError = "transiant".parse::<Class>().unwrap_err();
    let erased: BoxError = Box::new(err.clone());
    let found = find_classified(&*erased).unwrap();
    assert_eq!(found.class(), Class::Invalid);
    assert_eq!(found.code(), "ParseClassError");
    assert_eq!(found.status(), Status::InvalidArgument);
    assert_eq!(found.to_string(), err.to_string());

    let erased: BoxError = Box::new(Plain::caused_by("bad config", err));
    assert_eq!(classify(&*erased), Some(Class::Invalid));
    assert_eq!(find_classified(&*erased).unwrap().code(), "ParseClassError");
}
