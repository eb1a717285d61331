//! The generated code names everything by absolute path, so a user's own `Result`, `Error`,
//! `Option`, `Some`, `None`, `core`, `std`, `Display`, `Debug`, `Class`, `Box` and friends
//! never change its meaning.

#![allow(non_camel_case_types, non_snake_case, dead_code, unused_macros)]

mod shadowed {
    use ::error_core::ClassifiedError;

    // Prelude types and variants.
    pub struct Result;
    pub struct Option;
    pub struct Some;
    pub struct None;
    pub struct Ok;
    pub struct Err;
    pub struct Box;
    pub struct String;
    pub struct Vec;
    pub struct From;
    pub struct Into;
    pub struct Default;
    pub struct Send;
    pub struct Sync;
    pub struct Sized;

    // What the generated code refers to.
    pub struct Error;
    pub struct Display;
    pub struct Debug;
    pub struct Formatter;
    pub struct Class;
    pub struct Value;
    pub struct Visit;
    pub struct Duration;
    pub struct Backtrace;
    pub struct Redacted;
    pub struct AsDynError;
    pub struct RetryAfterField;
    pub const REDACTED: u8 = 0;
    pub fn millis() {}
    pub fn fmt() {}
    pub fn source() {}
    pub fn class() {}
    pub fn code() {}
    pub fn retry_after() {}
    pub fn visit_fields() {}
    pub fn as_dyn_error() {}
    pub fn backtrace() {}
    pub fn optional_backtrace() {}
    pub fn type_name() {}

    // Crate names and modules.
    pub mod core {}
    pub mod std {}
    pub mod alloc {}
    pub mod error_core {}
    pub mod fmt {}
    pub mod __private {}

    // Macros the generated code might call unqualified.
    macro_rules! write {
        ($($tt:tt)*) => {
            compile_error!("the derive used the local write!")
        };
    }
    macro_rules! format_args {
        ($($tt:tt)*) => {
            compile_error!("the derive used the local format_args!")
        };
    }

    #[derive(Debug, ClassifiedError)]
    #[class(busy)]
    pub(crate) enum Shadowed {
        #[error("busy {queue}")]
        #[class(retry_after_ms = 10)]
        Busy { queue: usize, max: usize },
        #[error("hinted")]
        Hinted {
            #[retry_after]
            wait: ::core::option::Option<::core::time::Duration>,
        },
        #[error("wrapped")]
        #[class(fatal, code = "shadowed.wrapped")]
        Wrapped {
            #[source]
            source: ::std::io::Error,
            #[kv(redact)]
            path: ::error_core::Secret<&'static str>,
            #[kv(debug)]
            name: &'static str,
        },
        #[error("maybe")]
        #[class(transient)]
        Maybe(#[source] ::core::option::Option<::std::io::Error>),
        #[error("boxed")]
        #[class(internal)]
        Boxed(
            #[from]
            ::std::boxed::Box<
                dyn ::core::error::Error + ::core::marker::Send + ::core::marker::Sync,
            >,
        ),
        #[error("from")]
        #[class(source)]
        Delegated {
            #[from]
            source: Inner,
            backtrace: ::std::backtrace::Backtrace,
        },
        #[error(transparent)]
        Transparent(Other),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(redirect, retry_after_ms = 5)]
    #[error("inner {0}")]
    pub(crate) struct Inner(pub(crate) u8);

    #[derive(Debug, ClassifiedError)]
    #[class(denied)]
    #[error("other")]
    pub(crate) struct Other {
        pub(crate) user: &'static str,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("generic {value}")]
    pub(crate) struct Generic<T> {
        pub(crate) value: T,
        #[source]
        pub(crate) source: ::core::option::Option<::std::io::Error>,
    }
}

/// The user's own `ClassifiedError` trait next to the derive, invoked by path.
mod own_trait {
    pub trait ClassifiedError {
        fn class(&self) -> u8 {
            0
        }
    }
    pub trait Retriable {}
    pub trait Visit {}

    #[derive(Debug, ::error_core::ClassifiedError)]
    #[class(conflict)]
    #[error("own trait {n}")]
    pub(crate) struct ByPath {
        pub(crate) n: u8,
        pub(crate) extra: u8,
    }

    impl ClassifiedError for ByPath {}
}

use std::error::Error as _;
use std::time::Duration;

use error_core::{Class, ClassifiedError, Value};
use shadowed::{Inner, Other, Shadowed};

fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

#[test]
fn derive_ignores_shadowed_names() {
    let e = Shadowed::Busy { queue: 3, max: 4 };
    assert_eq!(e.to_string(), "busy 3. max=`4`");
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.code(), "Shadowed::Busy");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(10)));
    assert_eq!(visited(&e), ["queue=3", "max=4"]);

    let e = Shadowed::Hinted {
        wait: Some(Duration::from_millis(2)),
    };
    assert_eq!(e.to_string(), "hinted. wait=`2ms`");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(2)));

    let e = Shadowed::Wrapped {
        source: std::io::Error::other("eio"),
        path: ::error_core::Secret::new("/p"),
        name: "n",
    };
    assert_eq!(e.to_string(), "wrapped. path=`<redacted>`, name=`\"n\"`");
    assert_eq!(e.source().unwrap().to_string(), "eio");
    assert_eq!(e.code(), "shadowed.wrapped");
    assert_eq!(e.class(), Class::Fatal);

    assert!(Shadowed::Maybe(None).source().is_none());
    assert_eq!(
        Shadowed::Maybe(Some(std::io::Error::other("x")))
            .source()
            .unwrap()
            .to_string(),
        "x"
    );

    let boxed: Box<dyn std::error::Error + Send + Sync> = "boxed cause".into();
    let e = Shadowed::from(boxed);
    assert_eq!(e.source().unwrap().to_string(), "boxed cause");

    let e = Shadowed::from(Inner(7));
    assert_eq!(e.to_string(), "from");
    assert_eq!(e.class(), Class::Redirect);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(5)));
    assert_eq!(e.source().unwrap().to_string(), "inner 7");
    assert!(e.backtrace().is_some());

    let e = Shadowed::Transparent(Other { user: "u" });
    assert_eq!(e.to_string(), "other. user=`u`");
    assert_eq!(e.class(), Class::Denied);
    assert_eq!(e.code(), "Other");
    assert_eq!(visited(&e), ["user=u"]);

    let e = shadowed::Generic {
        value: 1.5,
        source: None,
    };
    assert_eq!(e.to_string(), "generic 1.5");
    assert!(e.source().is_none());
}

#[test]
fn derive_by_path_next_to_a_trait_of_the_same_name() {
    let e = own_trait::ByPath { n: 1, extra: 2 };
    assert_eq!(e.to_string(), "own trait 1. extra=`2`");
    assert_eq!(ClassifiedError::class(&e), Class::Conflict);
    assert_eq!(ClassifiedError::code(&e), "ByPath");
    assert_eq!(own_trait::ClassifiedError::class(&e), 0);
}

mod shadowed_str {
    use ::error_core::ClassifiedError;

    pub struct str;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    #[error("shadowed str")]
    pub(crate) struct ShadowedStr;

    #[test]
    fn derive_ignores_a_type_named_str() {
        assert_eq!(ShadowedStr.code(), "ShadowedStr");
    }
}
