//! `ClassifiedError::backtrace`: the derive returns a `Backtrace` field, an
//! `Option<Backtrace>` field or a `#[backtrace]` field of any `Display` type; forwards it for
//! `#[error(transparent)]` and for a `#[source] #[backtrace]` field; and `&T`, `Box<T>`,
//! `error_core::Error` and a wrapping `std::io::Error` forward to the error they hold.

use std::backtrace::Backtrace;
use std::fmt;
use std::io;

use error_core::{ClassifiedError, Error, ResultExt};

#[derive(Debug, ClassifiedError)]
#[class(fatal)]
#[error("invariant broken")]
struct Broken {
    what: &'static str,
    backtrace: Backtrace,
}

#[derive(Debug, ClassifiedError)]
#[class(data, context)]
enum Storage {
    #[error("corrupt page")]
    Corrupt {
        page: u64,
        backtrace: Option<Backtrace>,
    },
    #[error("io failed")]
    Io(#[from] io::Error, Backtrace),
    #[error("page missing")]
    Missing { page: u64 },
    #[error(transparent)]
    Broken(Broken),
    #[error("from below")]
    Below {
        #[source]
        #[backtrace]
        source: Broken,
    },
    #[error("from a plain error")]
    PlainBelow {
        #[source]
        #[backtrace]
        source: std::num::ParseIntError,
    },
}

/// A `#[backtrace]` field of a type of the user's own. Its context selector would capture
/// a `std::backtrace::Backtrace` into it, hence `context = none`.
#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
#[error("tagged")]
struct Tagged {
    #[backtrace]
    trace: Trace,
}

/// A backtrace type of the user's own: only `Display` is asked of it.
#[derive(Debug)]
struct Trace(&'static str);

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trace of {}", self.0)
    }
}

mod own {
    //! A type named `Backtrace` that is not std's, recognised by its name.
    use error_core::ClassifiedError;

    #[derive(Debug)]
    pub(crate) struct Backtrace(pub(crate) u8);

    impl std::fmt::Display for Backtrace {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "frame {}", self.0)
        }
    }

    #[derive(Debug, ClassifiedError)]
    #[class(internal, context = none)]
    #[error("own backtrace")]
    pub(crate) struct OwnBacktrace {
        pub(crate) backtrace: Backtrace,
    }
}

#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
#[error("generic trace")]
struct GenericTrace<B> {
    #[backtrace]
    trace: Option<B>,
}

/// The backtrace's text, through `E` itself, so that `E = &T` and `E = Box<T>` use those
/// impls.
fn trace_of<E: ClassifiedError>(error: E) -> Option<String> {
    error.backtrace().map(ToString::to_string)
}

fn text(error: &dyn ClassifiedError) -> Option<String> {
    error.backtrace().map(ToString::to_string)
}

fn broken() -> Broken {
    Broken {
        what: "len",
        backtrace: Backtrace::force_capture(),
    }
}

#[test]
fn backtrace_field_is_returned() {
    let err = broken();
    let expected = format!("{}", err.backtrace);
    assert!(!expected.is_empty());
    assert_eq!(text(&err), Some(expected));
    let found = err.backtrace().map(|b| std::ptr::from_ref(b).cast::<()>());
    assert_eq!(found, Some(std::ptr::from_ref(&err.backtrace).cast::<()>()));

    let disabled = Broken {
        what: "len",
        backtrace: Backtrace::disabled(),
    };
    assert_eq!(text(&disabled), Some("disabled backtrace".to_owned()));
    assert_eq!(text(&disabled), Some(format!("{}", Backtrace::disabled())));
}

#[test]
fn optional_backtrace_field() {
    let none = Storage::Corrupt {
        page: 7,
        backtrace: None,
    };
    assert!(none.backtrace().is_none());

    let some = Storage::Corrupt {
        page: 7,
        backtrace: Some(Backtrace::force_capture()),
    };
    let Storage::Corrupt {
        backtrace: Some(field),
        ..
    } = &some
    else {
        unreachable!()
    };
    assert_eq!(text(&some), Some(format!("{field}")));
}

#[test]
fn variant_without_a_backtrace_has_none() {
    assert!(Storage::Missing { page: 7 }.backtrace().is_none());
    assert!(
        Error::from(Storage::Missing { page: 7 })
            .backtrace()
            .is_none()
    );
}

#[test]
fn from_and_context_capture_one() {
    let err = Storage::from(io::Error::other("eio"));
    let Storage::Io(_, field) = &err else {
        unreachable!()
    };
    assert_eq!(text(&err), Some(format!("{field}")));

    let err = Err::<(), _>(io::Error::other("eio"))
        .context(IoCtx)
        .unwrap_err();
    assert!(err.backtrace().is_some());
}

#[test]
fn marked_field_of_any_display_type() {
    let err = Tagged {
        trace: Trace("main"),
    };
    assert_eq!(text(&err), Some("trace of main".to_owned()));

    let own = own::OwnBacktrace {
        backtrace: own::Backtrace(3),
    };
    assert_eq!(text(&own), Some("frame 3".to_owned()));

    let generic = GenericTrace {
        trace: Some(Trace("worker")),
    };
    assert_eq!(text(&generic), Some("trace of worker".to_owned()));
    assert!(GenericTrace::<Trace> { trace: None }.backtrace().is_none());
}

#[test]
fn transparent_forwards_to_the_inner_error() {
    let inner = broken();
    let expected = format!("{}", inner.backtrace);
    let err = Storage::Broken(inner);
    assert_eq!(text(&err), Some(expected));
}

#[test]
fn source_marked_backtrace_is_the_sources() {
    let inner = broken();
    let expected = format!("{}", inner.backtrace);
    let err = Storage::Below { source: inner };
    assert_eq!(text(&err), Some(expected));

    let Err(parse) = "x".parse::<u8>() else {
        unreachable!()
    };
    assert!(Storage::PlainBelow { source: parse }.backtrace().is_none());
}

#[test]
fn references_and_boxes_forward() {
    let err = broken();
    let expected = format!("{}", err.backtrace);
    assert_eq!(trace_of(&err), Some(expected.clone()));
    let erased: &dyn ClassifiedError = &err;
    assert_eq!(trace_of(erased), Some(expected.clone()));
    assert_eq!(trace_of(Box::new(err)), Some(expected));
    assert_eq!(trace_of(&Storage::Missing { page: 1 }), None);
}

#[test]
fn boundary_error_returns_the_typed_errors() {
    let inner = broken();
    let expected = format!("{}", inner.backtrace);
    let err = Error::from(inner);
    assert_eq!(text(&err), Some(expected.clone()));
    assert_eq!(
        err.downcast_ref::<Broken>()
            .map(|typed| typed.backtrace.to_string()),
        Some(expected.clone())
    );
    let err = err.with_source(io::Error::other("eio"));
    assert_eq!(text(&err), Some(expected));

    let wrapping = io::Error::other(Error::from(broken()));
    assert!(wrapping.backtrace().is_some());
    assert!(io::Error::other("eio").backtrace().is_none());

    assert!(Error::fatal("disk gone").backtrace().is_none());
}
