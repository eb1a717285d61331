//! `visit_fields`: which fields are visited, in what order, under which key and as which
//! kind of `Value`.

use std::time::Duration;

use error_core::{ClassifiedError, Value, Visit};

/// Every field as ``key=Variant(value)``, the way `Value`'s `Debug` writes it.
fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value:?}"));
    });
    seen
}

/// Every field as ``key=value``, the way `Value`'s `Display` writes it.
fn rendered(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

#[derive(Debug, ClassifiedError)]
#[class(busy)]
enum Kinds {
    #[error("plain fields")]
    Plain {
        name: String,
        count: u32,
        ratio: f32,
    },
    #[error("tuple")]
    Tuple(u8, &'static str),
    #[error("unit")]
    Unit,
    #[error("every kind")]
    Every {
        shown: u8,
        #[kv(debug)]
        debugged: &'static str,
        #[kv(redact)]
        secret: error_core::Secret<String>,
        #[kv(skip)]
        skipped: u8,
        #[retry_after]
        wait: Duration,
        #[source]
        cause: std::io::Error,
        backtrace: std::backtrace::Backtrace,
        last: char,
    },
    #[error("display {a}, debug {b:?}, both {c} {c:?}")]
    Interpolated { a: String, b: String, c: String },
    #[error("shorthand {}", .a)]
    Shorthand { a: String, b: String },
    #[error("shorthand in a named argument {x}", x = .a.len())]
    ShorthandNamed { a: String },
    #[error("")]
    Raw { r#type: u8, r#struct: u8 },
}

#[test]
fn plain_fields_are_visited_with_display_in_declaration_order() {
    let e = Kinds::Plain {
        name: "n1".into(),
        count: 2,
        ratio: 0.5,
    };
    assert_eq!(
        visited(&e),
        ["name=Display(n1)", "count=Display(2)", "ratio=Display(0.5)"]
    );
    assert_eq!(rendered(&e), ["name=n1", "count=2", "ratio=0.5"]);
}

#[test]
fn tuple_fields_use_their_index_as_key() {
    assert_eq!(
        visited(&Kinds::Tuple(7, "s")),
        ["0=Display(7)", "1=Display(s)"]
    );
}

#[test]
fn unit_variant_visits_nothing() {
    assert_eq!(visited(&Kinds::Unit), Vec::<String>::new());
}

#[test]
fn every_field_kind() {
    let e = Kinds::Every {
        shown: 1,
        debugged: "d",
        secret: "hunter2".into(),
        skipped: 9,
        wait: Duration::from_millis(30),
        cause: std::io::Error::other("eio"),
        backtrace: std::backtrace::Backtrace::disabled(),
        last: 'z',
    };
    assert_eq!(
        visited(&e),
        [
            "shown=Display(1)",
            r#"debugged=Debug("d")"#,
            "secret=Redacted",
            "wait=Display(30ms)",
            "last=Display(z)",
        ]
    );
    assert_eq!(
        rendered(&e),
        [
            "shown=1",
            r#"debugged="d""#,
            "secret=<redacted>",
            "wait=30ms",
            "last=z"
        ]
    );
    assert_eq!(
        e.to_string(),
        r#"every kind. shown=`1`, debugged=`"d"`, secret=`<redacted>`, wait=`30ms`, last=`z`"#
    );
}

#[test]
fn interpolated_fields_are_visited_as_the_message_shows_them() {
    let e = Kinds::Interpolated {
        a: "a".into(),
        b: "b".into(),
        c: "c".into(),
    };
    assert_eq!(
        visited(&e),
        ["a=Display(a)", r#"b=Debug("b")"#, "c=Display(c)"]
    );

    let e = Kinds::Shorthand {
        a: "a".into(),
        b: "b".into(),
    };
    assert_eq!(visited(&e), [r#"a=Debug("a")"#, "b=Display(b)"]);

    let e = Kinds::ShorthandNamed { a: "abc".into() };
    assert_eq!(e.to_string(), "shorthand in a named argument 3");
    assert_eq!(visited(&e), [r#"a=Debug("abc")"#]);
}

#[test]
fn raw_identifiers_are_visited_without_r_hash() {
    let e = Kinds::Raw {
        r#type: 1,
        r#struct: 2,
    };
    assert_eq!(visited(&e), ["type=Display(1)", "struct=Display(2)"]);
}

#[derive(Debug, ClassifiedError)]
enum Delegates {
    #[error(transparent)]
    Transparent(Kinds),
    #[error("wrapper")]
    #[class(source)]
    ClassSource {
        #[source]
        source: Kinds,
        outer: u8,
    },
    #[error("struct")]
    #[class(source)]
    ClassSourceOnly(#[from] Kinds),
}

#[test]
fn transparent_visits_the_inner_error_fields() {
    let e = Delegates::Transparent(Kinds::Plain {
        name: "inner".into(),
        count: 1,
        ratio: 1.0,
    });
    assert_eq!(
        visited(&e),
        [
            "name=Display(inner)",
            "count=Display(1)",
            "ratio=Display(1)"
        ]
    );
    assert_eq!(
        visited(&Delegates::Transparent(Kinds::Unit)),
        Vec::<String>::new()
    );
}

#[test]
fn class_source_visits_only_its_own_fields() {
    let e = Delegates::ClassSource {
        source: Kinds::Tuple(1, "x"),
        outer: 5,
    };
    assert_eq!(visited(&e), ["outer=Display(5)"]);
    assert_eq!(
        visited(&Delegates::ClassSourceOnly(Kinds::Tuple(1, "x"))),
        Vec::<String>::new()
    );
}

#[derive(Debug, ClassifiedError)]
#[class(conflict)]
#[error("version {actual:?} is not {expected}")]
struct Conflict {
    expected: u64,
    actual: u64,
    table: &'static str,
    #[kv(redact)]
    row: error_core::Secret<String>,
}

#[derive(Debug, ClassifiedError)]
#[error(transparent)]
struct Wrapper(Conflict);

#[derive(Debug, ClassifiedError)]
#[class(closed)]
#[error("closed")]
struct NoFields;

#[test]
fn structs() {
    let e = Conflict {
        expected: 3,
        actual: 4,
        table: "users",
        row: "alice".into(),
    };
    let expected = [
        "expected=Display(3)",
        "actual=Debug(4)",
        "table=Display(users)",
        "row=Redacted",
    ];
    assert_eq!(visited(&e), expected);
    assert_eq!(visited(&Wrapper(e)), expected);
    assert_eq!(visited(&NoFields), Vec::<String>::new());
}

/// A `Visit` that is not a closure, through `&mut dyn Visit`.
#[derive(Default)]
struct Collector {
    keys: Vec<&'static str>,
    values: Vec<String>,
}

impl Visit for Collector {
    fn visit(&mut self, key: &'static str, value: Value<'_>) {
        self.keys.push(key);
        self.values.push(value.to_string());
    }
}

#[test]
fn visit_trait_implementation() {
    let e = Kinds::Plain {
        name: "n".into(),
        count: 0,
        ratio: 2.5,
    };
    let mut collector = Collector::default();
    e.visit_fields(&mut collector);
    assert_eq!(collector.keys, ["name", "count", "ratio"]);
    assert_eq!(collector.values, ["n", "0", "2.5"]);
}

#[test]
fn values_forward_the_formatter() {
    let e = Kinds::Tuple(7, "s");
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}=[{value:>3}]"));
    });
    assert_eq!(seen, ["0=[  7]", "1=[  s]"]);
}
