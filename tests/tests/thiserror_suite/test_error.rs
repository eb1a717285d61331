// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_error.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]
#![allow(dead_code)]

use core::fmt::{self, Display};
use error_core::ClassifiedError;
use std::io;

macro_rules! unimplemented_display {
    ($ty:ty) => {
        impl Display for $ty {
            fn fmt(&self, _formatter: &mut fmt::Formatter) -> fmt::Result {
                unimplemented!()
            }
        }
    };
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
struct BracedError {
    msg: String,
    pos: usize,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
struct TupleError(String, usize);

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
struct UnitError;

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
struct WithSource {
    #[source]
    cause: io::Error,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages)]
#[kv(skip)]
struct WithAnyhow {
    #[source]
    cause: anyhow::Error,
}

#[derive(ClassifiedError, Debug)]
#[class(internal, free_messages, exhaustive)]
#[kv(skip)]
enum EnumError {
    Braced {
        #[source]
        cause: io::Error,
    },
    Tuple(#[source] io::Error),
    Unit,
}

unimplemented_display!(BracedError);
unimplemented_display!(TupleError);
unimplemented_display!(UnitError);
unimplemented_display!(WithSource);
unimplemented_display!(WithAnyhow);
unimplemented_display!(EnumError);
