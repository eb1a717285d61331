// thiserror 2.0.19 (dtolnay/thiserror@aa9d91f), tests/test_option.rs, migrated by tests/thiserror-suite/migrate.py.
// thiserror is MIT OR Apache-2.0, as this workspace is.
// thiserror's code is kept as written, so this workspace's clippy settings do not
// apply to it; the lints its tests deny inside them still do.
#![allow(clippy::all, clippy::pedantic)]
#![cfg(feature = "std")]
#![cfg_attr(thiserror_nightly_testing, feature(error_generic_member_access))]

#[cfg(thiserror_nightly_testing)]
pub mod structs {
    use error_core::ClassifiedError;
    use std::backtrace::Backtrace;

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct OptSourceNoBacktrace {
        #[source]
        pub source: Option<anyhow::Error>,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct OptSourceAlwaysBacktrace {
        #[source]
        pub source: Option<anyhow::Error>,
        pub backtrace: Backtrace,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct NoSourceOptBacktrace {
        #[backtrace]
        pub backtrace: Option<Backtrace>,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct AlwaysSourceOptBacktrace {
        pub source: anyhow::Error,
        #[backtrace]
        pub backtrace: Option<Backtrace>,
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages)]
    #[kv(skip)]
    #[error("...")]
    pub struct OptSourceOptBacktrace {
        #[source]
        pub source: Option<anyhow::Error>,
        #[backtrace]
        pub backtrace: Option<Backtrace>,
    }
}

#[cfg(thiserror_nightly_testing)]
pub mod enums {
    use error_core::ClassifiedError;
    use std::backtrace::Backtrace;

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum OptSourceNoBacktrace {
        #[error("...")]
        Test {
            #[source]
            source: Option<anyhow::Error>,
        },
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum OptSourceAlwaysBacktrace {
        #[error("...")]
        Test {
            #[source]
            source: Option<anyhow::Error>,
            backtrace: Backtrace,
        },
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum NoSourceOptBacktrace {
        #[error("...")]
        Test {
            #[backtrace]
            backtrace: Option<Backtrace>,
        },
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum AlwaysSourceOptBacktrace {
        #[error("...")]
        Test {
            source: anyhow::Error,
            #[backtrace]
            backtrace: Option<Backtrace>,
        },
    }

    #[derive(ClassifiedError, Debug)]
    #[class(internal, free_messages, exhaustive)]
    #[kv(skip)]
    pub enum OptSourceOptBacktrace {
        #[error("...")]
        Test {
            #[source]
            source: Option<anyhow::Error>,
            #[backtrace]
            backtrace: Option<Backtrace>,
        },
    }
}

#[test]
#[cfg_attr(
    not(thiserror_nightly_testing),
    ignore = "requires `--cfg=thiserror_nightly_testing`"
)]
fn test_option() {}
