// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_from.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]
#![allow(clippy::extra_unused_type_parameters)]

use error_core::ClassifiedError;
use std::io;

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("...")]
pub struct ErrorStruct {
    #[from]
    source: io::Error,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("...")]
pub struct ErrorStructOptional {
    #[from]
    source: Option<io::Error>,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("...")]
pub struct ErrorTuple(#[from] io::Error);

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
#[error("...")]
pub struct ErrorTupleOptional(#[from] Option<io::Error>);

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
#[error("...")]
pub enum ErrorEnum {
    Test {
        #[from]
        source: io::Error,
    },
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
#[error("...")]
pub enum ErrorEnumOptional {
    Test {
        #[from]
        source: Option<io::Error>,
    },
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
#[error("...")]
pub enum Many {
    Any(#[from] anyhow::Error),
    Io(#[from] io::Error),
}

fn assert_impl<T: From<io::Error>>() {}

#[test]
fn test_from() {
    assert_impl::<ErrorStruct>();
    assert_impl::<ErrorStructOptional>();
    assert_impl::<ErrorTuple>();
    assert_impl::<ErrorTupleOptional>();
    assert_impl::<ErrorEnum>();
    assert_impl::<ErrorEnumOptional>();
    assert_impl::<Many>();
}
