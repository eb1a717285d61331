//! Inputs that thiserror accepts and that this derive, a superset of its syntax, must accept
//! too, with the same output.

#![allow(non_camel_case_types)]

use std::path::PathBuf;

use error_core::{Class, ClassifiedError};

// `.a` in an argument is the field by reference, as in thiserror.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn twice(n: &u32) -> u32 {
    n * 2
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context = none)]
enum Shorthand {
    #[error("sum {}", .a + .b)]
    Sum { a: u32, b: u32 },
    #[error("twice {}", twice(.a))]
    Twice { a: u32 },
    #[error("inner {}", .0.1)]
    Nested((u8, u8)),
    #[error("width [{name:>width$}]")]
    Width { name: String, width: usize },
    #[error("precision {value:.prec$}")]
    Precision { value: f64, prec: usize },
    #[error("open {path}")]
    Open { path: PathBuf },
}

#[test]
fn shorthand_in_expressions() {
    assert_eq!(Shorthand::Sum { a: 1, b: 2 }.to_string(), "sum 3");
    assert_eq!(Shorthand::Twice { a: 4 }.to_string(), "twice 8");
    assert_eq!(Shorthand::Nested((3, 7)).to_string(), "inner 7");
}

#[test]
fn width_and_precision_from_fields() {
    let e = Shorthand::Width {
        name: "ab".into(),
        width: 5,
    };
    assert_eq!(e.to_string(), "width [   ab]");
    let e = Shorthand::Precision {
        value: 1.23456,
        prec: 2,
    };
    assert_eq!(e.to_string(), "precision 1.23");
}

#[test]
fn paths_display_through_display() {
    let e = Shorthand::Open {
        path: PathBuf::from("/a/b"),
    };
    assert_eq!(e.to_string(), "open /a/b");
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: error_core::Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    // The visitor hands over what the message shows: `path.display()`.
    assert_eq!(seen, ["path=/a/b"]);
}

#[derive(Debug, ClassifiedError)]
#[class(internal)]
enum Never {}

#[test]
fn empty_enum_compiles() {
    fn assert_classified<E: ClassifiedError>() {}
    assert_classified::<Never>();
}

#[derive(Debug, ClassifiedError)]
#[class(busy)]
enum r#enum {
    #[error("match")]
    r#match,
}

#[derive(Debug, ClassifiedError)]
#[class(busy)]
#[error("struct")]
struct r#struct;

#[test]
fn raw_identifiers_in_codes() {
    assert_eq!(r#enum::r#match.code(), "enum::match");
    assert_eq!(r#struct.code(), "struct");
    assert_eq!(r#struct.class(), Class::Busy);
}

mod shadowed_str {
    #![allow(dead_code)]
    use error_core::ClassifiedError;

    struct str;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("bad")]
    pub(super) struct Bad;
}

#[test]
fn a_local_str_type_does_not_break_code() {
    assert_eq!(shadowed_str::Bad.code(), "Bad");
}

#[derive(Debug, ClassifiedError)]
#[class(fatal, context = none)]
enum FromShapes {
    #[error("parse")]
    Parse(#[from] std::num::ParseIntError),
    #[error("io")]
    Io {
        #[from]
        source: std::io::Error,
        backtrace: std::backtrace::Backtrace,
    },
}

#[test]
fn from_impls_for_tuple_and_named_sources() {
    let e = FromShapes::from("x".parse::<u8>().unwrap_err());
    assert_eq!(e.to_string(), "parse");
    let e = FromShapes::from(std::io::Error::other("disk"));
    assert!(matches!(e, FromShapes::Io { .. }));
    assert_eq!(e.to_string(), "io");
}
