#![deny(warnings, clippy::pedantic, clippy::all, unused_qualifications)]
//! The generated code is lint-clean under a strict user's crate-level lints. Compiling this
//! file is the test (`cargo clippy --workspace --all-targets -- -D warnings` in CI proves
//! the clippy part); the test below also checks one exact result.

use std::backtrace::Backtrace;
use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::num::ParseIntError;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Value};

/// Every attribute kind, on one pub enum, with its context selectors.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(transient, context)]
pub enum Everything {
    /// Plain unit variant, default class.
    #[error("no leader")]
    NoLeader,
    /// Interpolation, specs, extra and named arguments, escapes and pairs.
    #[error("term {term:>4} {{ leader {leader:?} }} {} {n}", .extra.len(), n = LIMIT)]
    #[class(redirect, code = "everything.behind")]
    Behind {
        term: u64,
        leader: String,
        extra: Vec<u8>,
        node: u32,
    },
    /// Every `#[kv]` mode and a constant hint.
    #[error("throttled")]
    #[class(busy, retry_after_ms = 50)]
    Throttled {
        #[kv(skip)]
        internal: u8,
        #[kv(debug)]
        tags: Vec<&'static str>,
        #[kv(redact)]
        tenant: error_core::Secret<String>,
        r#type: u8,
    },
    /// A `Duration` hint field.
    #[error("backing off")]
    #[class(busy)]
    Backoff {
        #[retry_after]
        wait: Duration,
    },
    /// An `Option<Duration>` hint field, tuple-style.
    #[error("maybe backing off")]
    MaybeBackoff(u8, #[retry_after] Option<Duration>),
    /// `#[source]` and a redacted field interpolated by the message.
    #[error("storage fault at {path}")]
    #[class(fatal)]
    Storage {
        #[source]
        cause: io::Error,
        #[kv(redact)]
        path: error_core::Secret<String>,
    },
    /// A field named `source`, optional.
    #[error("maybe failed")]
    Maybe { source: Option<io::Error> },
    /// `#[from]` with a backtrace.
    #[error("bad number")]
    #[class(invalid)]
    Parse {
        #[from]
        source: ParseIntError,
        backtrace: Backtrace,
    },
    /// A boxed `dyn Error` source via `#[from]`.
    #[error("boxed")]
    #[class(internal)]
    Boxed(#[from] Box<dyn Error + Send + Sync>),
    /// `#[class(source)]` with an own code.
    #[error("inner failed")]
    #[class(source, code = "everything.inner")]
    Inner(#[from] Inner),
    /// Transparent.
    #[error(transparent)]
    Other(Other),
    /// An empty message.
    #[error("")]
    #[class(data)]
    OnlyPairs { a: u8, b: char },
}

const LIMIT: usize = 3;

/// In its own module: its `InnerCtx` selector would collide with `Everything::Inner`'s.
mod inner {
    use error_core::ClassifiedError;

    /// An inner error for delegation.
    #[derive(Debug, ClassifiedError)]
    #[class(conflict, retry_after_ms = 7)]
    #[error("version conflict")]
    pub struct Inner {
        /// The expected version.
        pub expected: u64,
    }
}

pub use inner::Inner;

/// A deprecated error type with selectors: nothing generated for it uses it in a way that
/// `#![deny(deprecated)]` (in `warnings` above) rejects.
mod deprecated {
    use error_core::ClassifiedError;

    /// Old errors.
    #[deprecated = "use the new errors"]
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    #[class(closed, context)]
    pub enum OldError {
        /// Gone.
        #[error("gone")]
        Gone {
            /// Since when.
            since: u64,
        },
        /// From a deprecated field.
        #[error("field {}", .value)]
        Field {
            /// A deprecated field.
            #[deprecated = "no longer set"]
            value: u8,
        },
    }
}

/// A transparent target.
#[derive(Debug, ClassifiedError)]
#[class(denied)]
#[error("denied")]
pub struct Other(pub u8);

/// A transparent struct with `#[from]`.
#[derive(Debug, ClassifiedError)]
#[error(transparent)]
pub struct Opaque(#[from] Everything);

/// Generics, lifetimes, const generics and where clauses.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum Generic<'a, T, E, S, const N: usize>
where
    T: fmt::Display,
{
    /// A type parameter shown with `Display`.
    #[error("value {value}")]
    #[class(invalid)]
    Value {
        /// The value.
        value: T,
        /// A borrowed name.
        name: &'a str,
    },
    /// A type parameter as source.
    #[error("failed")]
    #[class(internal)]
    Failed {
        /// The cause.
        #[source]
        source: E,
        /// Skipped.
        #[kv(skip)]
        marker: PhantomData<S>,
    },
    /// A generic delegated source.
    #[error("delegated")]
    #[class(source)]
    Delegated(#[source] S),
    /// A const-generic array and a `Cow`.
    #[error("bytes")]
    #[class(data)]
    Bytes {
        /// The bytes.
        #[kv(debug)]
        bytes: [u8; N],
        /// Borrowed or owned text.
        text: Cow<'a, str>,
    },
    /// A transparent generic.
    #[error(transparent)]
    Transparent(S),
}

type G<'a> = Generic<'a, u8, io::Error, Inner, 2>;

/// A private backtrace type: the `Display` bound on it in the generated where clause must
/// not trip `private_bounds`.
#[derive(Debug)]
struct Trace;

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("trace")
    }
}

/// A `#[backtrace]` field of a private type, in a public struct.
#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
#[error("traced")]
pub struct Traced {
    #[backtrace]
    trace: Trace,
}

/// Every other shape of backtrace field.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(internal, context = none)]
pub enum Traces<B> {
    /// An optional `Backtrace`.
    #[error("optional")]
    Optional {
        /// The backtrace.
        backtrace: Option<Backtrace>,
    },
    /// A generic `#[backtrace]` field.
    #[error("generic")]
    Generic(#[backtrace] B),
    /// The source's backtrace.
    #[error("from source")]
    Source {
        /// The source.
        #[source]
        #[backtrace]
        source: Inner,
    },
    /// A transparent one.
    #[error(transparent)]
    Transparent(Traced),
}

fn rendered(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

fn summary(e: &dyn ClassifiedError) -> String {
    format!("{e} | {} | {} | {:?}", e.class(), e.code(), e.retry_after())
}

fn every_variant() -> Vec<Everything> {
    vec![
        Everything::NoLeader,
        Everything::Throttled {
            internal: 0,
            tags: vec!["a"],
            tenant: "t".into(),
            r#type: 1,
        },
        Everything::Backoff {
            wait: Duration::from_millis(1),
        },
        Everything::MaybeBackoff(1, None),
        Everything::Storage {
            cause: io::Error::other("eio"),
            path: "/p".into(),
        },
        Everything::Maybe { source: None },
        "x".parse::<u8>().map_err(Everything::from).unwrap_err(),
        Everything::from(Box::<dyn Error + Send + Sync>::from("boxed")),
        Everything::from(Inner { expected: 1 }),
        Everything::Other(Other(2)),
        Everything::OnlyPairs { a: 1, b: 'b' },
    ]
}

fn every_generic_variant() -> [G<'static>; 5] {
    [
        Generic::Value {
            value: 1,
            name: "n",
        },
        Generic::Failed {
            source: io::Error::other("eio"),
            marker: PhantomData,
        },
        Generic::Delegated(Inner { expected: 3 }),
        Generic::Bytes {
            bytes: [1, 2],
            text: Cow::Borrowed("t"),
        },
        Generic::Transparent(Inner { expected: 4 }),
    ]
}

#[test]
fn strict_lints_and_one_exact_result() {
    let e = Everything::Behind {
        term: 7,
        leader: "n2".into(),
        extra: vec![1, 2],
        node: 4,
    };
    assert_eq!(e.to_string(), "term    7 { leader \"n2\" } 2 3. node=`4`");
    assert_eq!(e.class(), Class::Redirect);
    assert_eq!(e.code(), "everything.behind");
    assert_eq!(
        rendered(&e),
        ["term=7", "leader=\"n2\"", "extra=[1, 2]", "node=4"]
    );

    let summaries: Vec<String> = every_variant().iter().map(|e| summary(e)).collect();
    assert_eq!(
        summaries,
        [
            "no leader | transient | Everything::NoLeader | None",
            r#"throttled. tags=`["a"]`, tenant=`<redacted>`, type=`1` | busy | Everything::Throttled | Some(50ms)"#,
            "backing off. wait=`1ms` | busy | Everything::Backoff | Some(1ms)",
            "maybe backing off. 0=`1`, 1=`none` | transient | Everything::MaybeBackoff | None",
            "storage fault at <redacted> | fatal | Everything::Storage | None",
            "maybe failed | transient | Everything::Maybe | None",
            "bad number | invalid | Everything::Parse | None",
            "boxed | internal | Everything::Boxed | None",
            "inner failed | conflict | everything.inner | Some(7ms)",
            "denied. 0=`2` | denied | Other | None",
            "a=`1`, b=`b` | data | Everything::OnlyPairs | None",
        ]
    );

    let traces: [Traces<Trace>; 4] = [
        Traces::Optional { backtrace: None },
        Traces::Generic(Trace),
        Traces::Source {
            source: Inner { expected: 1 },
        },
        Traces::Transparent(Traced { trace: Trace }),
    ];
    let traces: Vec<Option<String>> = traces
        .iter()
        .map(|e| e.backtrace().map(ToString::to_string))
        .collect();
    assert_eq!(
        traces,
        [None, Some("trace".into()), None, Some("trace".into())]
    );

    let opaque = Opaque::from(Everything::NoLeader);
    assert_eq!(
        summary(&opaque),
        "no leader | transient | Everything::NoLeader | None"
    );

    let summaries: Vec<String> = every_generic_variant().iter().map(|e| summary(e)).collect();
    assert_eq!(
        summaries,
        [
            "value 1. name=`n` | invalid | Generic::Value | None",
            "failed | internal | Generic::Failed | None",
            "delegated | conflict | Generic::Delegated | Some(7ms)",
            "bytes. bytes=`[1, 2]`, text=`t` | data | Generic::Bytes | None",
            "version conflict. expected=`4` | conflict | Inner | Some(7ms)",
        ]
    );
}
