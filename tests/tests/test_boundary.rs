//! `error_core::Error`, the boundary error: two pointers wide and one allocation, `?` from any derived error and
//! from `io::Error`, transparent (`Display`, `source()` and the whole classification are the
//! original's), `downcast_ref` / `downcast_mut`, the ad-hoc constructors and their `with_*`
//! setters, `with_source`, and a `Debug` that prints the report.

use std::error::Error as StdError;
use std::io;
use std::mem::size_of;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Error, Level, Report, Retriable, Status, Value};

const _: () = {
    const fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<Error>();
    assert_send_sync_static::<Report>();
};

fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

/// A box of a `dyn ClassifiedError`: two pointers, whose non-null data pointer is the
/// niche of an `Option` or a `Result` around it.
#[test]
fn two_pointers_wide() {
    assert_eq!(size_of::<Error>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<Option<Error>>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<Result<(), Error>>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<Result<u64, Error>>(), 2 * size_of::<usize>());
}

#[derive(Debug, ClassifiedError)]
enum ProposeError {
    #[error("not the leader")]
    #[class(redirect, status = failed_precondition)]
    NotLeader { leader_hint: u64 },
    #[error("too many pending proposals")]
    #[class(busy, retry_after_ms = 50, code = "raft.busy", level = debug)]
    Busy {
        pending: usize,
        max: usize,
        #[kv(redact)]
        tenant: error_core::Secret<String>,
    },
    #[error("storage fault")]
    #[class(fatal)]
    Storage {
        source: io::Error,
        #[kv(debug)]
        path: String,
    },
    #[error("throttled")]
    #[class(busy)]
    Throttled {
        #[retry_after]
        wait: Duration,
    },
}

/// The line before `propose`: see [`propose_at`].
const PROPOSE_LINE: u32 = line!();
fn propose(which: u8) -> Result<(), Error> {
    match which {
        0 => Err(ProposeError::NotLeader { leader_hint: 3 })?,
        1 => Err(ProposeError::Busy {
            pending: 12,
            max: 12,
            tenant: "acme".into(),
        })?,
        2 => Err(ProposeError::Storage {
            source: io::Error::other("disk gone"),
            path: "/var/lib/raft".into(),
        })?,
        _ => Ok(()),
    }
}

/// Where `propose(which)` made its boundary error: `file:line:column` of its `?`, which
/// names the line where the `Err(..)?` expression begins.
fn propose_at(which: u8) -> String {
    let line = PROPOSE_LINE + [3, 4, 9][usize::from(which)];
    format!("{}:{line}:14", file!())
}

#[test]
fn question_mark_converts_a_derived_error() {
    assert!(propose(9).is_ok());
    let err = propose(0).unwrap_err();
    assert_eq!(err.to_string(), "not the leader. leader_hint=`3`");
    assert!(matches!(
        err.downcast_ref::<ProposeError>(),
        Some(ProposeError::NotLeader { leader_hint: 3 })
    ));
}

#[test]
fn the_classification_is_the_originals() {
    let err = propose(0).unwrap_err();
    assert_eq!(err.class(), Class::Redirect);
    assert_eq!(err.code(), "ProposeError::NotLeader");
    assert_eq!(err.status(), Status::FailedPrecondition);
    assert_eq!(err.level(), Level::Warn);
    assert_eq!(err.retry_after(), None);
    assert!(err.is_retriable());
    assert!(!err.is_fatal());
    assert_eq!(visited(&err), ["leader_hint=3"]);

    let err = propose(1).unwrap_err();
    assert_eq!(err.class(), Class::Busy);
    assert_eq!(err.code(), "raft.busy");
    assert_eq!(err.status(), Status::ResourceExhausted);
    assert_eq!(err.level(), Level::Debug);
    assert_eq!(err.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(visited(&err), ["pending=12", "max=12", "tenant=<redacted>"]);
    assert_eq!(
        err.to_string(),
        "too many pending proposals. pending=`12`, max=`12`, tenant=`<redacted>`"
    );

    let err = propose(2).unwrap_err();
    assert_eq!(err.class(), Class::Fatal);
    assert_eq!(err.code(), "ProposeError::Storage");
    assert_eq!(err.status(), Status::Internal);
    assert_eq!(err.level(), Level::Error);
    assert!(err.is_fatal());
    assert_eq!(visited(&err), ["path=\"/var/lib/raft\""]);

    let err = Error::from(ProposeError::Throttled {
        wait: Duration::from_millis(7),
    });
    assert_eq!(err.retry_after(), Some(Duration::from_millis(7)));

    // Through a trait object, too.
    let dyn_err: &dyn ClassifiedError = &err;
    assert_eq!(dyn_err.class(), Class::Busy);
    assert_eq!(dyn_err.retry_after(), Some(Duration::from_millis(7)));
}

#[test]
fn display_and_source_are_the_originals() {
    let original = ProposeError::Storage {
        source: io::Error::other("disk gone"),
        path: "/wal".into(),
    };
    let display = original.to_string();
    let err = Error::from(original);
    assert_eq!(err.to_string(), display);
    assert_eq!(err.to_string(), "storage fault. path=`\"/wal\"`");
    assert_eq!(format!("{err}"), display);

    // `source()` is the original's source (not the original itself): the same object.
    let source = err.source().unwrap();
    assert_eq!(source.to_string(), "disk gone");
    let inner = err.downcast_ref::<ProposeError>().unwrap();
    assert!(std::ptr::addr_eq(source, inner.source().unwrap()));
    assert!(source.downcast_ref::<io::Error>().is_some());

    let err = Error::from(ProposeError::NotLeader { leader_hint: 1 });
    assert!(err.source().is_none());
}

#[test]
fn downcast_ref_and_downcast_mut() {
    let mut err = propose(1).unwrap_err();
    assert!(err.downcast_ref::<io::Error>().is_none());
    assert!(err.downcast_mut::<ReplicaExists>().is_none());
    let Some(ProposeError::Busy { pending, .. }) = err.downcast_mut::<ProposeError>() else {
        panic!("not Busy: {err:?}");
    };
    *pending = 99;
    assert_eq!(
        err.to_string(),
        "too many pending proposals. pending=`99`, max=`12`, tenant=`<redacted>`"
    );
    assert_eq!(visited(&err), ["pending=99", "max=12", "tenant=<redacted>"]);
    assert!(matches!(
        err.downcast_ref::<ProposeError>(),
        Some(ProposeError::Busy { pending: 99, .. })
    ));

    let mut adhoc = Error::busy("queue full");
    assert!(adhoc.downcast_ref::<ProposeError>().is_none());
    assert!(adhoc.downcast_mut::<ProposeError>().is_none());
}

#[test]
fn every_ad_hoc_constructor() {
    type Constructor = fn(&'static str) -> Error;
    let cases: [(Constructor, Class, &str, Status, Level); 10] = [
        (
            |m| Error::transient(m),
            Class::Transient,
            "transient",
            Status::Unavailable,
            Level::Warn,
        ),
        (
            |m| Error::busy(m),
            Class::Busy,
            "busy",
            Status::ResourceExhausted,
            Level::Warn,
        ),
        (
            |m| Error::redirect(m),
            Class::Redirect,
            "redirect",
            Status::Unavailable,
            Level::Warn,
        ),
        (
            |m| Error::conflict(m),
            Class::Conflict,
            "conflict",
            Status::Aborted,
            Level::Warn,
        ),
        (
            |m| Error::invalid(m),
            Class::Invalid,
            "invalid",
            Status::InvalidArgument,
            Level::Info,
        ),
        (
            |m| Error::denied(m),
            Class::Denied,
            "denied",
            Status::PermissionDenied,
            Level::Info,
        ),
        (
            |m| Error::closed(m),
            Class::Closed,
            "closed",
            Status::Unavailable,
            Level::Info,
        ),
        (
            |m| Error::data(m),
            Class::Data,
            "data",
            Status::DataLoss,
            Level::Error,
        ),
        (
            |m| Error::fatal(m),
            Class::Fatal,
            "fatal",
            Status::Internal,
            Level::Error,
        ),
        (
            |m| Error::internal(m),
            Class::Internal,
            "internal",
            Status::Internal,
            Level::Error,
        ),
    ];
    let classes: Vec<Class> = cases.iter().map(|row| row.1).collect();
    assert_eq!(classes, Class::ALL);
    for (make, class, code, status, level) in cases {
        let err = make("something happened");
        assert_eq!(err.class(), class);
        assert_eq!(err.code(), code);
        assert_eq!(err.code(), class.as_str());
        assert_eq!(err.status(), status);
        assert_eq!(err.level(), level);
        assert_eq!(err.retry_after(), None);
        assert_eq!(err.to_string(), "something happened");
        assert!(err.source().is_none());
        assert!(err.classified_source().is_none());
        assert_eq!(visited(&err), Vec::<String>::new());
        assert_eq!(err.is_retriable(), class.is_retriable());

        let same = Error::adhoc(class, String::from("owned message"));
        assert_eq!(same.class(), class);
        assert_eq!(same.code(), code);
        assert_eq!(same.to_string(), "owned message");
    }
}

#[test]
fn ad_hoc_setters() {
    let err = Error::closed("database is closed")
        .with_code("db.closed")
        .with_status(Status::FailedPrecondition)
        .with_level(Level::Debug)
        .with_retry_after(Duration::from_secs(2));
    assert_eq!(err.class(), Class::Closed);
    assert_eq!(err.code(), "db.closed");
    assert_eq!(err.status(), Status::FailedPrecondition);
    assert_eq!(err.level(), Level::Debug);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(err.to_string(), "database is closed");

    // The last one set wins.
    let err = Error::busy("b").with_code("a").with_code("b");
    assert_eq!(err.code(), "b");
}

#[test]
fn setters_override_what_a_typed_error_says() {
    let err = propose(1)
        .unwrap_err()
        .with_code("other")
        .with_status(Status::DataLoss)
        .with_level(Level::Trace)
        .with_retry_after(Duration::from_secs(9));
    assert_eq!(err.code(), "other");
    assert_eq!(err.status(), Status::DataLoss);
    assert_eq!(err.level(), Level::Trace);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(9)));
    // What no setter touches is still the typed error's.
    assert_eq!(err.class(), Class::Busy);
    assert_eq!(
        err.to_string(),
        "too many pending proposals. pending=`12`, max=`12`, tenant=`<redacted>`"
    );
    assert_eq!(visited(&err), ["pending=12", "max=12", "tenant=<redacted>"]);
    assert!(err.source().is_none());
    // The typed error itself is unchanged.
    let typed = err.downcast_ref::<ProposeError>().unwrap();
    assert_eq!(typed.code(), "raft.busy");
    assert_eq!(typed.status(), Status::ResourceExhausted);
    assert_eq!(typed.level(), Level::Debug);
    assert_eq!(typed.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "too many pending proposals. pending=`12`, max=`12`, tenant=`<redacted>` (busy, other) at {}",
            propose_at(1)
        )
    );

    // A setter left out keeps the typed error's value.
    let err = propose(0).unwrap_err().with_code("raft.not_leader");
    assert_eq!(err.code(), "raft.not_leader");
    assert_eq!(err.status(), Status::FailedPrecondition);
    assert_eq!(err.level(), Level::Warn);
    assert_eq!(err.retry_after(), None);
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("replica already exists")]
struct ReplicaExists;

#[test]
fn with_source_on_an_ad_hoc_error() {
    let err = Error::internal("shutdown failed").with_source(io::Error::other("eio"));
    let source = err.source().unwrap();
    assert_eq!(source.to_string(), "eio");
    assert!(source.downcast_ref::<io::Error>().is_some());
    let classified = err.classified_source().unwrap();
    assert_eq!(classified.code(), "std::io::ErrorKind::Other");

    let err = Error::invalid("bad request").with_source("plain text cause");
    assert_eq!(err.source().unwrap().to_string(), "plain text cause");
    assert!(err.classified_source().is_none());

    let err = Error::conflict("retry the transaction")
        .with_source(Error::transient("inner").with_code("inner.code"));
    let line = line!() - 2;
    assert_eq!(err.classified_source().unwrap().code(), "inner.code");
    let f = file!();
    assert_eq!(
        format!("{:#}", Report::new(&err)),
        format!(
            "retry the transaction (conflict, conflict) at {f}:{line}:15\n  \
             caused by: inner (transient, inner.code) at {f}:{}:22",
            line + 1
        )
    );

    // A later `with_source` replaces the earlier one.
    let err = Error::busy("b").with_source("first").with_source("second");
    assert_eq!(err.source().unwrap().to_string(), "second");
}

#[test]
fn with_source_on_a_typed_error() {
    let err = propose(2)
        .unwrap_err()
        .with_source(Error::from(ReplicaExists));
    // `source()` is the given source now ...
    let source = err.source().unwrap();
    assert_eq!(source.to_string(), "replica already exists");
    assert_eq!(err.classified_source().unwrap().code(), "ReplicaExists");
    // ... the typed error is still whole, with its own source, through downcast.
    let typed = err.downcast_ref::<ProposeError>().unwrap();
    assert!(matches!(typed, ProposeError::Storage { .. }));
    assert_eq!(typed.source().unwrap().to_string(), "disk gone");
    // ... and the classification is still the typed error's.
    assert_eq!(err.class(), Class::Fatal);
    assert_eq!(err.code(), "ProposeError::Storage");
    assert_eq!(err.to_string(), "storage fault. path=`\"/var/lib/raft\"`");
    assert_eq!(
        Report::new(&err).to_string(),
        "storage fault. path=`\"/var/lib/raft\"`: replica already exists"
    );
}

#[test]
fn debug_prints_the_alternate_report() {
    let err = propose(2).unwrap_err();
    assert_eq!(format!("{err:?}"), format!("{:#}", Report::new(&err)));
    assert_eq!(
        format!("{err:?}"),
        format!(
            "storage fault. path=`\"/var/lib/raft\"` (fatal, ProposeError::Storage) at {}\n  \
             caused by: disk gone (internal, std::io::ErrorKind::Other)",
            propose_at(2)
        )
    );
    let err = Error::denied("no token");
    let line = line!() - 1;
    let expected = format!("no token (denied, denied) at {}:{line}:15", file!());
    assert_eq!(format!("{err:?}"), expected);
    assert_eq!(format!("{err:#?}"), expected);
}

fn read(kind: io::ErrorKind) -> Result<(), Error> {
    Err(io::Error::from(kind))?;
    Ok(())
}

#[test]
fn io_error_converts_with_question_mark() {
    let err = read(io::ErrorKind::ConnectionReset).unwrap_err();
    assert_eq!(err.class(), Class::Transient);
    assert_eq!(err.code(), "std::io::ErrorKind::ConnectionReset");
    assert_eq!(err.status(), Status::Unavailable);
    assert_eq!(err.to_string(), "connection reset");
    assert_eq!(
        err.downcast_ref::<io::Error>().unwrap().kind(),
        io::ErrorKind::ConnectionReset
    );

    let err = read(io::ErrorKind::NotFound).unwrap_err();
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.status(), Status::NotFound);
}

/// A hand-written classified error that does not implement `Boundary`.
#[derive(Debug)]
struct Handwritten;

impl std::fmt::Display for Handwritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("handwritten")
    }
}

impl StdError for Handwritten {}

impl ClassifiedError for Handwritten {
    fn class(&self) -> Class {
        Class::Data
    }

    fn code(&self) -> &'static str {
        "hand.written"
    }
}

#[derive(Debug, ClassifiedError)]
enum Wrapper {
    #[error("wrapped boundary")]
    #[class(source)]
    Wrapped { source: Error },
}

fn pass_through() -> Result<(), Error> {
    propose(0)?;
    Ok(())
}

#[test]
fn new_nesting_and_passing_through() {
    let err = Error::new(Handwritten);
    assert_eq!(err.class(), Class::Data);
    assert_eq!(err.code(), "hand.written");
    assert_eq!(err.to_string(), "handwritten");
    assert!(err.downcast_ref::<Handwritten>().is_some());

    // The boundary error is itself a classified source.
    let e = Wrapper::Wrapped {
        source: Error::busy("queue full").with_retry_after(Duration::from_millis(5)),
    };
    let line = line!() - 2;
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(5)));
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        format!(
            "wrapped boundary (busy, Wrapper::Wrapped)\n  \
             caused by: queue full (busy, busy) at {}:{line}:17",
            file!()
        )
    );

    // `?` from `Result<_, Error>` into `Result<_, Error>` is the identity.
    let err = pass_through().unwrap_err();
    assert_eq!(err.code(), "ProposeError::NotLeader");
}
