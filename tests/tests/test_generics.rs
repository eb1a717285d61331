//! Generic and borrowed errors: type parameters in data, source and delegated fields,
//! lifetimes, const generics and `where` clauses. The derive adds only the bounds that
//! the fields need, so a type parameter used where no trait is needed stays unbounded.

use std::borrow::Cow;
use std::error::Error;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Value};

fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value:?}"));
    });
    seen
}

fn chain(e: &(dyn Error + 'static)) -> Vec<String> {
    let mut messages = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next {
        messages.push(e.to_string());
        next = e.source();
    }
    messages
}

/// `Debug` but not `Display`.
struct OnlyDebug(u8);

impl fmt::Debug for OnlyDebug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnlyDebug({})", self.0)
    }
}

/// `Debug` but not `Display`, and only ever redacted.
struct Opaque;

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Kv<T> {
    #[error("bad value")]
    Appended { value: T, max: u32 },
    #[error("value {value} over {max}")]
    Interpolated { value: T, max: T },
    #[error("tuple")]
    Tuple(T),
}

#[test]
fn type_parameter_in_kv_fields() {
    let e = Kv::Appended {
        value: "x".to_string(),
        max: 3,
    };
    assert_eq!(e.to_string(), "bad value. value=`x`, max=`3`");
    assert_eq!(visited(&e), ["value=Display(x)", "max=Display(3)"]);
    assert_eq!(e.code(), "Kv::Appended");

    let e: Kv<u8> = Kv::Interpolated { value: 9, max: 5 };
    assert_eq!(e.to_string(), "value 9 over 5");
    assert_eq!(e.class(), Class::Invalid);

    let e = Kv::Tuple(1.5_f64);
    assert_eq!(e.to_string(), "tuple. 0=`1.5`");
    let boxed: Box<dyn ClassifiedError> = Box::new(e);
    assert_eq!(boxed.code(), "Kv::Tuple");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum DebugOnly<T> {
    #[error("got {value:?}")]
    Interpolated { value: T },
    #[error("debug kv")]
    Kv {
        #[kv(debug)]
        value: T,
    },
}

#[test]
fn debug_bound_only_where_debug_is_used() {
    let e = DebugOnly::Interpolated {
        value: OnlyDebug(1),
    };
    assert_eq!(e.to_string(), "got OnlyDebug(1)");
    assert_eq!(visited(&e), ["value=Debug(OnlyDebug(1))"]);
    let e = DebugOnly::Kv {
        value: OnlyDebug(2),
    };
    assert_eq!(e.to_string(), "debug kv. value=`OnlyDebug(2)`");
    assert_eq!(visited(&e), ["value=Debug(OnlyDebug(2))"]);
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Unbounded<T, U> {
    #[error("typed {id}")]
    Skipped {
        id: u32,
        #[kv(skip)]
        marker: PhantomData<T>,
    },
    #[error("redacted")]
    Redacted {
        #[kv(redact)]
        value: error_core::Secret<U>,
    },
}

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Opaque")
    }
}

#[test]
fn skipped_and_redacted_type_parameters_need_no_display() {
    let e: Unbounded<OnlyDebug, Opaque> = Unbounded::Skipped {
        id: 4,
        marker: PhantomData,
    };
    assert_eq!(e.to_string(), "typed 4");
    assert_eq!(visited(&e), ["id=Display(4)"]);
    let e: Unbounded<OnlyDebug, Opaque> = Unbounded::Redacted {
        value: error_core::Secret::new(Opaque),
    };
    assert_eq!(e.to_string(), "redacted. value=`<redacted>`");
    assert_eq!(visited(&e), ["value=Redacted"]);
    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(dyn_err.class(), Class::Invalid);
}

#[derive(Debug, ClassifiedError)]
enum Wrap<E> {
    #[error("operation failed")]
    #[class(internal)]
    Failed {
        #[source]
        source: E,
        attempt: u32,
    },
    #[error("optional")]
    #[class(internal)]
    Optional(#[source] Option<E>),
}

#[test]
fn type_parameter_as_source() {
    let e = Wrap::Failed {
        source: io::Error::other("eio"),
        attempt: 2,
    };
    assert_eq!(chain(&e), ["operation failed. attempt=`2`", "eio"]);
    assert_eq!(e.class(), Class::Internal);
    assert_eq!(e.code(), "Wrap::Failed");
    assert_eq!(visited(&e), ["attempt=Display(2)"]);

    let e: Wrap<fmt::Error> = Wrap::Optional(None);
    assert_eq!(chain(&e), ["optional"]);
    let e = Wrap::Optional(Some(fmt::Error));
    assert_eq!(
        chain(&e),
        ["optional", "an error occurred when formatting an argument"]
    );
}

#[derive(Debug, ClassifiedError)]
#[class(busy, retry_after_ms = 40)]
#[error("inner busy")]
struct InnerBusy {
    queue: usize,
}

#[derive(Debug, ClassifiedError)]
enum Delegate<S> {
    #[error("delegated")]
    #[class(source)]
    Source(#[from] S),
    #[error(transparent)]
    Transparent { inner: S },
    #[error("own")]
    #[class(fatal)]
    Own,
}

#[test]
fn class_source_and_transparent_with_a_generic_source() {
    let e = Delegate::from(InnerBusy { queue: 3 });
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(40)));
    assert_eq!(e.code(), "Delegate::Source");
    assert_eq!(chain(&e), ["delegated", "inner busy. queue=`3`"]);

    let e = Delegate::Transparent {
        inner: InnerBusy { queue: 4 },
    };
    assert_eq!(e.to_string(), "inner busy. queue=`4`");
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.code(), "InnerBusy");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(40)));
    assert_eq!(visited(&e), ["queue=Display(4)"]);
    assert!(e.source().is_none());

    let e: Delegate<InnerBusy> = Delegate::Own;
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.retry_after(), None);
}

#[derive(Debug, ClassifiedError)]
#[error(transparent)]
struct Transparent<E>(E);

#[test]
fn generic_transparent_struct() {
    let e = Transparent(Delegate::from(InnerBusy { queue: 1 }));
    assert_eq!(e.to_string(), "delegated");
    assert_eq!(e.code(), "Delegate::Source");
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(chain(&e), ["delegated", "inner busy. queue=`1`"]);
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum Parse<'a> {
    #[error("unexpected token {token}")]
    Unexpected { token: &'a str, line: usize },
    #[error("unknown keyword")]
    Keyword(#[kv(debug)] &'a str),
    #[error("cow")]
    Cow { text: Cow<'a, str> },
}

#[test]
fn lifetimes() {
    let input = String::from("fn x");
    let token = &input[..2];
    let e = Parse::Unexpected { token, line: 3 };
    assert_eq!(e.to_string(), "unexpected token fn. line=`3`");
    assert_eq!(visited(&e), ["token=Display(fn)", "line=Display(3)"]);
    let e = Parse::Keyword(&input[3..]);
    assert_eq!(e.to_string(), "unknown keyword. 0=`\"x\"`");
    let e = Parse::Cow {
        text: Cow::Borrowed(&input),
    };
    assert_eq!(e.to_string(), "cow. text=`fn x`");
    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(dyn_err.code(), "Parse::Cow");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
#[error("bad items")]
struct Items<'a, T: fmt::Debug> {
    #[kv(debug)]
    items: &'a [T],
    name: &'a str,
}

#[test]
fn lifetime_and_type_parameter() {
    let items = [OnlyDebug(1), OnlyDebug(2)];
    let e = Items {
        items: &items,
        name: "list",
    };
    assert_eq!(
        e.to_string(),
        "bad items. items=`[OnlyDebug(1), OnlyDebug(2)]`, name=`list`"
    );
    assert_eq!(e.code(), "Items");
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum Where<T, E>
where
    T: fmt::Display + Copy,
    E: Error + 'static,
{
    #[error("value {value}")]
    Value { value: T },
    #[error("failed")]
    Failed {
        #[source]
        source: E,
        value: T,
    },
}

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("bounded")]
struct Bounded<T: Copy + fmt::Display = u8>
where
    T: PartialEq,
{
    value: T,
}

#[test]
fn where_clauses_and_defaults() {
    let e: Where<u8, io::Error> = Where::Value { value: 1 };
    assert_eq!(e.to_string(), "value 1");
    let e = Where::Failed {
        source: io::Error::other("eio"),
        value: 'c',
    };
    assert_eq!(chain(&e), ["failed. value=`c`", "eio"]);
    let e: Bounded = Bounded { value: 7 };
    assert_eq!(e.to_string(), "bounded. value=`7`");
    assert_eq!(e.class(), Class::Transient);
}

#[derive(Debug, ClassifiedError)]
#[class(data)]
#[error("bad header")]
struct Fixed<const N: usize> {
    #[kv(debug)]
    bytes: [u8; N],
    len: usize,
}

#[test]
fn const_generics() {
    let e = Fixed {
        bytes: [1, 2, 3],
        len: 3,
    };
    assert_eq!(e.to_string(), "bad header. bytes=`[1, 2, 3]`, len=`3`");
    assert_eq!(e.code(), "Fixed");
    assert_eq!(visited(&e), ["bytes=Debug([1, 2, 3])", "len=Display(3)"]);
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Lexer<'a> {
    #[error("unexpected {token}")]
    Unexpected { token: &'a str },
    #[error("io")]
    Io(#[from] io::Error),
}

#[derive(Debug, ClassifiedError)]
enum Compiler<'a, T: Copy>
where
    T: fmt::Display,
{
    #[error(transparent)]
    Lexer(Lexer<'a>),
    #[error("value {0}")]
    #[class(invalid)]
    Value(T),
    #[error("fmt")]
    #[class(internal)]
    Fmt(#[from] fmt::Error),
}

#[test]
fn lifetimes_with_transparent_and_from() {
    let text = String::from("tok");
    let e: Compiler<'_, u8> = Compiler::Lexer(Lexer::Unexpected { token: &text });
    assert_eq!(e.to_string(), "unexpected tok");
    assert_eq!(e.code(), "Lexer::Unexpected");
    assert_eq!(e.class(), Class::Invalid);
    assert_eq!(visited(&e), ["token=Display(tok)"]);
    assert!(e.source().is_none());

    let e: Compiler<'_, u8> = Compiler::Lexer(Lexer::from(io::Error::other("eio")));
    assert_eq!(e.to_string(), "io");
    assert_eq!(e.source().unwrap().to_string(), "eio");

    let e: Compiler<'_, char> = fmt::Error.into();
    assert_eq!(
        chain(&e),
        ["fmt", "an error occurred when formatting an argument"]
    );
    assert_eq!(e.code(), "Compiler::Fmt");

    let e: Compiler<'_, char> = Compiler::Value('v');
    assert_eq!(e.to_string(), "value v");
}
