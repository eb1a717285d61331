// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_source.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]

use error_core::ClassifiedError;
use std::error::Error as StdError;
use std::io;

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("implicit source")]
pub struct ImplicitSource {
    source: io::Error,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("explicit source")]
pub struct ExplicitSource {
    source: String,
    #[source]
    io: io::Error,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("boxed source")]
pub struct BoxedSource {
    #[source]
    source: Box<dyn StdError + Send + 'static>,
}

#[test]
fn test_implicit_source() {
    let io = io::Error::new(io::ErrorKind::Other, "oh no!");
    let error = ImplicitSource { source: io };
    error.source().unwrap().downcast_ref::<io::Error>().unwrap();
}

#[test]
fn test_explicit_source() {
    let io = io::Error::new(io::ErrorKind::Other, "oh no!");
    let error = ExplicitSource {
        source: String::new(),
        io,
    };
    error.source().unwrap().downcast_ref::<io::Error>().unwrap();
}

#[test]
fn test_boxed_source() {
    let source = Box::new(io::Error::new(io::ErrorKind::Other, "oh no!"));
    let error = BoxedSource { source };
    error.source().unwrap().downcast_ref::<io::Error>().unwrap();
}

macro_rules! error_from_macro {
    ($($variants:tt)*) => {
        #[derive(ClassifiedError)]
        #[class(internal, free_messages, exhaustive)]
        #[kv(skip)]
        #[derive(Debug)]
        pub enum MacroSource {
            $($variants)*
        }
    }
}

// Test that we generate impls with the proper hygiene
#[rustfmt::skip]
error_from_macro! {
    #[error("Something")]
    Variant(#[from] io::Error)
}

#[test]
fn test_not_source() {
    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("{source} ==> {destination}")]
    pub struct NotSource {
        r#source: char,
        destination: char,
    }

    let error = NotSource {
        source: 'S',
        destination: 'D',
    };
    assert_eq!(error.to_string(), "S ==> D");
    assert!(error.source().is_none());
}
