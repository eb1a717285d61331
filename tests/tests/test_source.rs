//! `Error::source()`: `#[source]`, a field named `source`, `#[from]`, `Option` and boxed
//! sources, `#[error(transparent)]`, source chains and `Backtrace` fields.

use std::backtrace::Backtrace;
use std::error::Error;
use std::io;
use std::num::ParseIntError;

use error_core::{Class, ClassifiedError, Value};

/// The messages of `e` and all its sources, outermost first.
fn chain(e: &(dyn Error + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next {
        messages.push(e.to_string());
        next = e.source();
    }
    messages
}

fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

fn parse_error() -> ParseIntError {
    "abc".parse::<u32>().unwrap_err()
}

#[derive(Debug, ClassifiedError)]
#[class(fatal)]
enum Storage {
    #[error("read failed")]
    Marked {
        #[source]
        cause: io::Error,
        path: String,
    },
    #[error("write failed")]
    Named { source: io::Error, offset: u64 },
    #[error("sync failed")]
    MarkedTuple(u8, #[source] io::Error),
    #[error("no source")]
    NoSource { attempt: u8 },
    #[error("unit")]
    Unit,
}

#[test]
fn source_attribute_and_field_named_source() {
    let e = Storage::Marked {
        cause: io::Error::other("disk gone"),
        path: "/data".into(),
    };
    assert_eq!(e.to_string(), "read failed. path=`/data`");
    assert_eq!(chain(&e), ["read failed. path=`/data`", "disk gone"]);
    assert_eq!(visited(&e), ["path=/data"]);

    let e = Storage::Named {
        source: io::Error::new(io::ErrorKind::StorageFull, "no space"),
        offset: 4096,
    };
    assert_eq!(e.to_string(), "write failed. offset=`4096`");
    assert_eq!(chain(&e), ["write failed. offset=`4096`", "no space"]);
    let source = e.source().unwrap();
    assert_eq!(
        source.downcast_ref::<io::Error>().unwrap().kind(),
        io::ErrorKind::StorageFull
    );

    let e = Storage::MarkedTuple(3, io::Error::other("fsync"));
    assert_eq!(e.to_string(), "sync failed. 0=`3`");
    assert_eq!(chain(&e), ["sync failed. 0=`3`", "fsync"]);

    assert!(Storage::NoSource { attempt: 1 }.source().is_none());
    assert!(Storage::Unit.source().is_none());
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Config {
    #[error("bad port")]
    Port(#[from] ParseIntError),
    #[error("io")]
    Io {
        #[from]
        source: io::Error,
    },
}

fn parse_port(s: &str) -> Result<u16, Config> {
    Ok(s.parse::<u16>()?)
}

fn read_config() -> Result<(), Config> {
    Err(io::Error::new(io::ErrorKind::NotFound, "config.toml"))?;
    Ok(())
}

#[test]
fn from_impl_and_question_mark() {
    assert_eq!(parse_port("8080").unwrap(), 8080);
    let e = parse_port("http").unwrap_err();
    assert!(matches!(e, Config::Port(_)));
    assert_eq!(e.to_string(), "bad port");
    assert_eq!(e.code(), "Config::Port");
    assert_eq!(chain(&e), ["bad port", "invalid digit found in string"]);
    assert_eq!(visited(&e), Vec::<String>::new());

    let e = read_config().unwrap_err();
    assert!(matches!(&e, Config::Io { source } if source.kind() == io::ErrorKind::NotFound));
    assert_eq!(chain(&e), ["io", "config.toml"]);

    let e: Config = parse_error().into();
    assert_eq!(e.to_string(), "bad port");
    let e = Config::from(io::Error::other("x"));
    assert_eq!(chain(&e), ["io", "x"]);
}

#[derive(Debug, ClassifiedError)]
#[class(transient, context = none)]
enum Optional {
    #[error("maybe failed")]
    Marked {
        #[source]
        cause: Option<io::Error>,
        attempt: u8,
    },
    #[error("maybe named")]
    Named { source: Option<ParseIntError> },
    #[error("maybe boxed")]
    Boxed {
        #[source]
        cause: Option<Box<dyn Error + Send + Sync>>,
    },
}

#[test]
fn option_source() {
    let e = Optional::Marked {
        cause: Some(io::Error::other("reset")),
        attempt: 2,
    };
    assert_eq!(chain(&e), ["maybe failed. attempt=`2`", "reset"]);
    assert_eq!(visited(&e), ["attempt=2"]);

    let e = Optional::Marked {
        cause: None,
        attempt: 3,
    };
    assert!(e.source().is_none());
    assert_eq!(chain(&e), ["maybe failed. attempt=`3`"]);
    assert_eq!(visited(&e), ["attempt=3"]);

    let e = Optional::Named {
        source: Some(parse_error()),
    };
    assert_eq!(chain(&e), ["maybe named", "invalid digit found in string"]);
    assert!(Optional::Named { source: None }.source().is_none());

    let e = Optional::Boxed {
        cause: Some("boxed cause".into()),
    };
    assert_eq!(chain(&e), ["maybe boxed", "boxed cause"]);
    assert!(Optional::Boxed { cause: None }.source().is_none());
}

/// The alias tower and others use.
type BoxError = Box<dyn Error + Send + Sync>;

#[derive(Debug, ClassifiedError)]
#[class(internal)]
enum Boxed {
    #[error("send sync")]
    SendSync {
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
    #[error("send")]
    Send(#[source] Box<dyn Error + Send>),
    #[error("plain")]
    Plain { source: Box<dyn Error>, id: u8 },
    #[error("from box")]
    From(#[from] Box<dyn Error + Send + Sync + 'static>),
    #[error("concrete box")]
    Concrete(#[source] Box<io::Error>),
    #[error("alias")]
    Alias { source: BoxError },
    #[error("optional alias")]
    OptionalAlias(#[source] Option<BoxError>),
}

fn fails_with_boxed() -> Result<(), Boxed> {
    let boxed: Box<dyn Error + Send + Sync> = "converted".into();
    Err(boxed)?;
    Ok(())
}

#[test]
fn boxed_dyn_error_sources() {
    let e = Boxed::SendSync {
        source: "boom".into(),
    };
    assert_eq!(chain(&e), ["send sync", "boom"]);

    let e = Boxed::SendSync {
        source: Box::new(io::Error::other("typed")),
    };
    let source = e.source().unwrap();
    assert_eq!(source.to_string(), "typed");
    assert!(source.downcast_ref::<io::Error>().is_some());

    let e = Boxed::Send(Box::new(parse_error()));
    assert_eq!(chain(&e), ["send", "invalid digit found in string"]);
    assert!(
        e.source()
            .unwrap()
            .downcast_ref::<ParseIntError>()
            .is_some()
    );

    let e = Boxed::Plain {
        source: Box::new(io::Error::other("plain cause")),
        id: 4,
    };
    assert_eq!(chain(&e), ["plain. id=`4`", "plain cause"]);

    let e = fails_with_boxed().unwrap_err();
    assert_eq!(chain(&e), ["from box", "converted"]);

    let e = Boxed::Concrete(Box::new(io::Error::other("in a box")));
    assert_eq!(chain(&e), ["concrete box", "in a box"]);

    let e = Boxed::Alias {
        source: "aliased".into(),
    };
    assert_eq!(chain(&e), ["alias", "aliased"]);
    let e = Boxed::OptionalAlias(Some("optional aliased".into()));
    assert_eq!(chain(&e), ["optional alias", "optional aliased"]);
    assert!(Boxed::OptionalAlias(None).source().is_none());
}

#[derive(Debug, ClassifiedError)]
enum Inner {
    #[error("storage fault")]
    #[class(fatal, code = "inner.storage")]
    Storage {
        #[source]
        source: io::Error,
        node: u8,
    },
    #[error("no leader")]
    #[class(transient)]
    NoLeader { term: u64 },
}

#[derive(Debug, ClassifiedError)]
enum Outer {
    #[error(transparent)]
    Inner(Inner),
    #[error(transparent)]
    FromInner {
        #[from]
        inner: Storage,
    },
    #[error("other")]
    #[class(invalid)]
    Other,
}

#[derive(Debug, ClassifiedError)]
#[error(transparent)]
struct Opaque(Inner);

#[derive(Debug, ClassifiedError)]
enum BoxedInner {
    #[error(transparent)]
    Transparent(Box<Inner>),
    #[error("boxed class source")]
    #[class(source)]
    ClassSource(#[source] Box<Inner>),
}

#[derive(Debug, ClassifiedError)]
#[error(transparent)]
struct OpaqueFrom {
    #[from]
    inner: Inner,
}

#[test]
fn transparent_forwards_display_source_and_classification() {
    let inner = || Inner::Storage {
        source: io::Error::other("disk gone"),
        node: 3,
    };

    let e = Outer::Inner(inner());
    assert_eq!(e.to_string(), "storage fault. node=`3`");
    // source() is the inner error's source, not the inner error itself.
    assert_eq!(e.source().unwrap().to_string(), "disk gone");
    assert_eq!(chain(&e), ["storage fault. node=`3`", "disk gone"]);
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "inner.storage");
    assert_eq!(e.retry_after(), None);
    assert_eq!(visited(&e), ["node=3"]);

    let e = Outer::Inner(Inner::NoLeader { term: 9 });
    assert_eq!(e.to_string(), "no leader. term=`9`");
    assert!(e.source().is_none());
    assert_eq!(e.class(), Class::Transient);
    assert_eq!(e.code(), "Inner::NoLeader");

    let e = Outer::from(Storage::Unit);
    assert_eq!(e.to_string(), "unit");
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "Storage::Unit");
    assert!(e.source().is_none());
    assert_eq!(Outer::Other.code(), "Outer::Other");
    assert!(Outer::Other.source().is_none());

    let e = Opaque(inner());
    assert_eq!(chain(&e), ["storage fault. node=`3`", "disk gone"]);
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "inner.storage");

    let e = OpaqueFrom::from(Inner::NoLeader { term: 1 });
    assert_eq!(chain(&e), ["no leader. term=`1`"]);
    assert_eq!(e.code(), "Inner::NoLeader");
    assert_eq!(e.class(), Class::Transient);
}

#[test]
fn boxed_classified_sources() {
    let inner = || {
        Box::new(Inner::Storage {
            source: io::Error::other("disk gone"),
            node: 1,
        })
    };
    let e = BoxedInner::Transparent(inner());
    assert_eq!(chain(&e), ["storage fault. node=`1`", "disk gone"]);
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "inner.storage");
    assert_eq!(visited(&e), ["node=1"]);

    let e = BoxedInner::ClassSource(inner());
    assert_eq!(
        chain(&e),
        ["boxed class source", "storage fault. node=`1`", "disk gone"]
    );
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "BoxedInner::ClassSource");
}

#[derive(Debug, ClassifiedError)]
#[class(source)]
enum Request {
    #[error("request failed")]
    Failed {
        request_id: u64,
        #[source]
        source: Outer,
    },
}

#[test]
fn full_source_chain() {
    let e = Request::Failed {
        request_id: 9,
        source: Outer::Inner(Inner::Storage {
            source: io::Error::other("disk gone"),
            node: 3,
        }),
    };
    // `Outer::Inner` is transparent: it does not add a link of its own.
    assert_eq!(
        chain(&e),
        [
            "request failed. request_id=`9`",
            "storage fault. node=`3`",
            "disk gone"
        ]
    );
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "Request::Failed");

    let e = Request::Failed {
        request_id: 1,
        source: Outer::FromInner {
            inner: Storage::Marked {
                cause: io::Error::other("eio"),
                path: "/wal".into(),
            },
        },
    };
    assert_eq!(
        chain(&e),
        [
            "request failed. request_id=`1`",
            "read failed. path=`/wal`",
            "eio"
        ]
    );

    let boxed: Box<dyn ClassifiedError + Send + Sync> = Box::new(e);
    let dyn_err: &(dyn Error + 'static) = &*boxed;
    assert_eq!(chain(dyn_err).len(), 3);
}

#[derive(Debug, ClassifiedError)]
#[class(data, context = none)]
enum WithBacktrace {
    #[error("io failed")]
    Io {
        #[from]
        source: io::Error,
        backtrace: Backtrace,
    },
    #[error("parse failed")]
    Parse(#[from] ParseIntError, Backtrace),
    #[error("optional backtrace")]
    Optional {
        #[from]
        source: std::fmt::Error,
        backtrace: Option<Backtrace>,
    },
    #[error("marked backtrace")]
    Marked {
        #[source]
        source: io::Error,
        #[backtrace]
        trace: Backtrace,
        id: u8,
    },
}

fn parse_with_backtrace(s: &str) -> Result<u8, WithBacktrace> {
    Ok(s.parse()?)
}

#[test]
fn backtrace_fields() {
    let e = WithBacktrace::from(io::Error::other("eio"));
    assert_eq!(e.to_string(), "io failed");
    assert_eq!(chain(&e), ["io failed", "eio"]);
    assert_eq!(visited(&e), Vec::<String>::new());
    assert!(matches!(e, WithBacktrace::Io { .. }));

    let e = parse_with_backtrace("x").unwrap_err();
    assert_eq!(e.to_string(), "parse failed");
    assert_eq!(chain(&e), ["parse failed", "invalid digit found in string"]);
    assert_eq!(visited(&e), Vec::<String>::new());

    let e = WithBacktrace::from(std::fmt::Error);
    assert_eq!(e.to_string(), "optional backtrace");
    assert!(matches!(
        e,
        WithBacktrace::Optional {
            backtrace: Some(_),
            ..
        }
    ));

    let e = WithBacktrace::Marked {
        source: io::Error::other("eio"),
        trace: Backtrace::disabled(),
        id: 2,
    };
    assert_eq!(e.to_string(), "marked backtrace. id=`2`");
    assert_eq!(visited(&e), ["id=2"]);
    assert_eq!(e.class(), Class::Data);
}
