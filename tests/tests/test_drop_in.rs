//! The derive as a drop-in for thiserror: each construct that the two drop-in issues found
//! rejected or mis-rendered, with the exact output, compared with thiserror's where thiserror
//! accepts the same input. (thiserror's own suite, migrated, is `tests/thiserror_suite`;
//! the compile errors are UI cases.)

#![allow(clippy::items_after_statements)]

use std::backtrace::Backtrace;
use std::error::Error as _;
use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use error_core::{Class, ClassifiedError, Report, Status, Value};

fn fields(error: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

/// A hand-written `Display` and no `#[error]`: the derive writes `Error` and the
/// classification, and leaves `Display` to the user, as thiserror does.
#[test]
fn a_hand_written_display_is_kept() {
    #[derive(Debug, ClassifiedError)]
    #[class(busy, retry_after_ms = 20)]
    struct Throttled {
        waited: u32,
    }

    impl fmt::Display for Throttled {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "throttled after {} ms", self.waited)
        }
    }

    let e = Throttled { waited: 7 };
    assert_eq!(e.to_string(), "throttled after 7 ms");
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.code(), "Throttled");
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_millis(20)));
    assert!(e.source().is_none());
    // The derive does not know what the user's message shows, so no field is visited
    // unless it says `#[kv(..)]`.
    assert!(fields(&e).is_empty());
}

/// An enum-level message for the variants without one, with each variant's own pairs.
#[test]
fn an_enum_message_is_every_variants_default() {
    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("bad request")]
    enum BadRequest {
        Missing {
            field: &'static str,
        },
        #[error("too long")]
        TooLong {
            len: usize,
            max: usize,
        },
        Empty,
    }

    assert_eq!(
        BadRequest::Missing { field: "name" }.to_string(),
        "bad request. field=`name`"
    );
    assert_eq!(
        BadRequest::TooLong { len: 9, max: 8 }.to_string(),
        "too long. len=`9`, max=`8`"
    );
    assert_eq!(BadRequest::Empty.to_string(), "bad request");
    assert_eq!(BadRequest::Empty.code(), "BadRequest::Empty");
}

mod fmt_path {
    use std::fmt;

    // The derive passes every field by reference.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub(super) fn pair(k: &i32, v: &i32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pair {k}:{v}")
    }
}

/// `#[error(fmt = path)]`: the function gets every field and writes the message; nothing is
/// appended, and a field is visited only if it says `#[kv(..)]`.
#[test]
fn a_function_writes_the_message() {
    #[derive(Debug, ClassifiedError)]
    #[class(conflict)]
    enum Pairs {
        #[error(fmt = fmt_path::pair)]
        Entry {
            k: i32,
            #[kv(debug)]
            v: i32,
        },
    }

    let e = Pairs::Entry { k: 1, v: 2 };
    assert_eq!(e.to_string(), "pair 1:2");
    assert_eq!(fields(&e), ["v=2"]);
}

/// `.field` after `match`, `if` and in an argument, and a field's bare name
/// (`path.display()`), render as thiserror renders them.
#[test]
fn shorthand_and_bare_names_in_arguments() {
    #[derive(Debug, thiserror::Error)]
    enum Theirs {
        #[error("overflow while parsing {}integer literal", match .is_signed {
            Some(true) => "signed ",
            Some(false) => "unsigned ",
            None => "",
        })]
        Overflow { is_signed: Option<bool> },
        #[error("cannot read {}", path.display())]
        Read { path: PathBuf },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[kv(skip)]
    enum Ours {
        #[error("overflow while parsing {}integer literal", match .is_signed {
            Some(true) => "signed ",
            Some(false) => "unsigned ",
            None => "",
        })]
        Overflow { is_signed: Option<bool> },
        #[error("cannot read {}", path.display())]
        Read { path: PathBuf },
    }

    for is_signed in [Some(true), Some(false), None] {
        assert_eq!(
            Ours::Overflow { is_signed }.to_string(),
            Theirs::Overflow { is_signed }.to_string()
        );
    }
    assert_eq!(
        Ours::Overflow {
            is_signed: Some(false)
        }
        .to_string(),
        "overflow while parsing unsigned integer literal"
    );
    let path = PathBuf::from("/etc/raft.toml");
    assert_eq!(
        Ours::Read { path: path.clone() }.to_string(),
        Theirs::Read { path }.to_string()
    );
    // Without `#[kv(skip)]`, a field the arguments name is not appended a second time.
    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("cannot read {}", path.display())]
    struct ReadFailed {
        path: PathBuf,
        attempt: u32,
    }
    assert_eq!(
        ReadFailed {
            path: "/a".into(),
            attempt: 2
        }
        .to_string(),
        "cannot read /a. attempt=`2`"
    );
}

/// `r#source` is a field like any other, not the implicit source.
#[test]
fn a_raw_source_field_is_not_the_source() {
    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("{source} ==> {destination}")]
    struct Route {
        r#source: char,
        destination: char,
    }

    let e = Route {
        source: 'S',
        destination: 'D',
    };
    assert_eq!(e.to_string(), "S ==> D");
    assert!(e.source().is_none());
    assert_eq!(fields(&e), ["source=S", "destination=D"]);
}

/// `#[error(transparent)]` over an error that is not classified: with a class of its own,
/// or the enum's default; over a classified one, the inner error's classification.
#[test]
fn transparent_over_an_opaque_error_takes_a_class() {
    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    #[error("queue full")]
    struct QueueFull;

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    enum AppError {
        #[error(transparent)]
        Queue(QueueFull),
        #[error(transparent)]
        Other(anyhow::Error),
        #[error(transparent)]
        #[class(fatal, code = "app.io")]
        Io(io::Error),
    }

    let queue = AppError::Queue(QueueFull);
    assert_eq!(queue.to_string(), "queue full");
    assert_eq!(queue.class(), Class::Transient);
    assert_eq!(queue.code(), "QueueFull");

    let other = AppError::Other(anyhow::anyhow!("inner").context("outer"));
    assert_eq!(other.to_string(), "outer");
    assert_eq!(other.class(), Class::Internal);
    assert_eq!(other.code(), "AppError::Other");
    assert_eq!(
        other.source().map(ToString::to_string),
        Some("inner".into())
    );

    let io = AppError::Io(io::Error::other("disk"));
    assert_eq!(io.to_string(), "disk");
    assert_eq!(io.class(), Class::Fatal);
    assert_eq!(io.code(), "app.io");
    assert_eq!(io.status(), Status::Internal);
}

/// A `PathBuf` shown both with `Display` and `Debug` in one message, an unsized `str`
/// field, and a type parameter with no bounds, as thiserror renders them.
#[test]
fn fields_without_display_are_shown_as_the_message_says() {
    #[derive(Debug, thiserror::Error)]
    enum Theirs {
        #[error("display:{0} debug:{0:?}")]
        Both(PathBuf),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[kv(skip)]
    enum Ours {
        #[error("display:{0} debug:{0:?}")]
        Both(PathBuf),
    }

    let path = PathBuf::from("/tmp/x y");
    assert_eq!(
        Ours::Both(path.clone()).to_string(),
        Theirs::Both(path).to_string()
    );
    assert_eq!(
        Ours::Both("/tmp/x y".into()).to_string(),
        "display:/tmp/x y debug:\"/tmp/x y\""
    );

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[kv(skip)]
    #[error("{tail}")]
    struct Unsized {
        head: i32,
        tail: str,
    }
    let _ = |e: &Unsized| (e.head, e.to_string());

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[kv(skip)]
    #[error("no bounds")]
    struct Generic<T> {
        value: T,
    }
    struct NoFormat;
    impl fmt::Debug for NoFormat {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("NoFormat")
        }
    }
    let e = Generic { value: NoFormat };
    assert_eq!(e.to_string(), "no bounds");
    let _ = &e.value;
    assert!(fields(&e).is_empty());
}

/// Two enums in one module with the usual variant names: no selectors unless asked for,
/// so nothing collides.
mod shared_names {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    pub(crate) enum ReadError {
        #[error("i/o failed")]
        Io(#[from] std::io::Error),
        #[error("timed out")]
        Timeout,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    pub(crate) enum WriteError {
        #[error("i/o failed")]
        Io(#[from] std::io::Error),
        #[error("timed out")]
        Timeout,
    }
}

#[test]
fn two_enums_in_one_module_share_variant_names() {
    let read = shared_names::ReadError::from(io::Error::other("eio"));
    let write = shared_names::WriteError::Timeout;
    assert_eq!(read.code(), "ReadError::Io");
    assert_eq!(write.code(), "WriteError::Timeout");
    assert_eq!(
        shared_names::ReadError::Timeout.code(),
        "ReadError::Timeout"
    );
    assert_eq!(
        shared_names::WriteError::from(io::Error::other("eio")).code(),
        "WriteError::Io"
    );
}

/// `{field:p}` prints the pointer the field holds, as `format!("{:p}", e.field)` does.
#[test]
fn a_pointer_placeholder_prints_the_fields_pointer() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("at {field:p}")]
    struct Ptr {
        field: Box<i32>,
    }

    let e = Ptr {
        field: Box::new(-1),
    };
    assert_eq!(e.to_string(), format!("at {:p}", e.field));
}

/// `#[from]` on an `Option` source converts from the error itself, so `?` works on it.
#[test]
fn from_an_optional_source_takes_the_error() {
    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    #[error("i/o failed")]
    struct Wrapped {
        #[from]
        source: Option<io::Error>,
    }

    fn read() -> Result<(), Wrapped> {
        Err(io::Error::other("eio"))?;
        Ok(())
    }
    let e = read().unwrap_err();
    assert_eq!(e.source().map(ToString::to_string), Some("eio".into()));
}

/// `#[from]` with an `Arc<Backtrace>` field: the captured backtrace is converted into it.
#[test]
fn from_captures_into_an_arc_backtrace() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("inner")]
    struct Inner;

    #[derive(Debug, ClassifiedError)]
    #[class(source)]
    #[error("outer")]
    struct Outer {
        #[from]
        source: Inner,
        #[backtrace]
        backtrace: Arc<Backtrace>,
    }

    let e = Outer::from(Inner);
    assert_eq!(e.class(), Class::Internal);
    assert_eq!(
        e.backtrace().map(ToString::to_string),
        Some(e.backtrace.to_string())
    );
}

/// The common placeholder message, `...`, is not a sentence's period.
#[test]
fn an_ellipsis_is_not_a_trailing_period() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("...")]
    struct Placeholder;

    assert_eq!(Placeholder.to_string(), "...");
}

mod object_store {
    /// A stand-in for `object_store::Error`.
    #[derive(Debug)]
    pub(crate) enum Error {
        NotFound { path: String },
        Generic(String),
    }

    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Error::NotFound { path } => write!(f, "not found: {path}"),
                Error::Generic(message) => f.write_str(message),
            }
        }
    }

    impl std::error::Error for Error {}

    /// SlateDB's rule: a missing object is lost data; anything else is worth a retry.
    pub(crate) fn class_of(error: &std::sync::Arc<Error>) -> error_core::Class {
        match **error {
            Error::NotFound { .. } => error_core::Class::Data,
            Error::Generic(_) => error_core::Class::Transient,
        }
    }
}

/// `#[class(with = path)]`: a class decided by the instance; the status and level follow it.
#[test]
fn a_function_decides_the_class() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    enum SlateError {
        #[error("object store error")]
        #[class(with = object_store::class_of)]
        ObjectStore(#[source] Arc<object_store::Error>),
    }

    let missing = SlateError::ObjectStore(Arc::new(object_store::Error::NotFound {
        path: "sst/1".into(),
    }));
    assert_eq!(missing.class(), Class::Data);
    assert_eq!(missing.status(), Status::DataLoss);
    assert_eq!(missing.code(), "SlateError::ObjectStore");
    let flaky = SlateError::ObjectStore(Arc::new(object_store::Error::Generic("503".into())));
    assert_eq!(flaky.class(), Class::Transient);
    assert_eq!(flaky.status(), Status::Unavailable);
    assert_eq!(Report::new(&flaky).to_string(), "object store error: 503");
}

/// `#[class(source)]` through an `Arc`: errors shared between tasks are classified as the
/// error they share.
#[test]
fn a_shared_source_is_classified_through_the_arc() {
    #[derive(Debug, ClassifiedError)]
    #[class(busy, retry_after_ms = 5)]
    #[error("compaction queue full")]
    struct QueueFull;

    #[derive(Debug, ClassifiedError)]
    #[class(source)]
    #[error("flush failed")]
    struct FlushFailed {
        source: Arc<QueueFull>,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(source)]
    #[error("read failed")]
    struct ReadFailed {
        source: Arc<io::Error>,
    }

    let e = FlushFailed {
        source: Arc::new(QueueFull),
    };
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(std::time::Duration::from_millis(5)));
    assert_eq!(
        format!("{:#}", Report::new(&e)),
        "flush failed (busy, FlushFailed)\n  caused by: compaction queue full (busy, QueueFull)"
    );
    let e = ReadFailed {
        source: Arc::new(io::Error::from(io::ErrorKind::TimedOut)),
    };
    assert_eq!(e.class(), Class::Transient);
}
