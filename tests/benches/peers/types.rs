//! The error types that `benches/peers` measures and `tests/test_alloc.rs` counts: each
//! derived type next to its twins written with thiserror, snafu and error-stack, rendering
//! the same strings. thiserror's and snafu's messages spell out by hand the ``key=`value` ``
//! part that the derive appends.
//!
//! Included by both targets with `#[path]`, so that the allocation counts and sizes that
//! the tests assert are those of the types the benchmark times.

use std::error::Error as StdError;
use std::fmt;

/// The variants of the compile-time benchmark (`error-derive/benches/compile_time.py`):
/// a unit variant, fields appended as pairs, and a field the message interpolates.
pub(crate) mod ours {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    pub(crate) enum KvError {
        #[error("key not found")]
        #[class(invalid, status = not_found)]
        NotFound { key: String },
        #[error("too many pending requests")]
        #[class(busy, retry_after_ms = 50)]
        Busy { pending: usize, max: usize },
        #[error("not the leader")]
        #[class(redirect)]
        NotLeader { leader: u64, term: u64 },
        #[error("i/o failed")]
        #[class(transient)]
        Io {
            #[from]
            source: std::io::Error,
        },
        #[error("timed out after {ms} ms")]
        #[class(transient, code = "timeout")]
        Timeout { ms: u64 },
        #[error("shutting down")]
        #[class(closed)]
        Shutdown,
    }

    /// The leaf of the context chain, and what the boundary error wraps.
    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    pub(crate) enum StorageError {
        #[error("replica already exists")]
        #[class(invalid, status = already_exists)]
        ReplicaExists { replica: u64 },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    pub(crate) enum NexusError {
        #[error("failed to create replica")]
        #[class(source)]
        CreateReplica { source: StorageError, uuid: String },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    pub(crate) enum ApiError {
        #[error("request failed")]
        #[class(source)]
        Request { source: NexusError, id: u32 },
    }
}

/// [`ours`] with thiserror, and the `match`es a thiserror user writes by hand for what the
/// derive generates.
pub(crate) mod this {
    use error_core::{Class, Level, Status};
    use std::time::Duration;

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum KvError {
        #[error("key not found. key=`{key}`")]
        NotFound { key: String },
        #[error("too many pending requests. pending=`{pending}`, max=`{max}`")]
        Busy { pending: usize, max: usize },
        #[error("not the leader. leader=`{leader}`, term=`{term}`")]
        NotLeader { leader: u64, term: u64 },
        #[error("i/o failed")]
        Io {
            #[from]
            source: std::io::Error,
        },
        #[error("timed out after {ms} ms")]
        Timeout { ms: u64 },
        #[error("shutting down")]
        Shutdown,
    }

    impl KvError {
        pub(crate) fn class(&self) -> Class {
            match self {
                KvError::NotFound { .. } => Class::Invalid,
                KvError::Busy { .. } => Class::Busy,
                KvError::NotLeader { .. } => Class::Redirect,
                KvError::Io { .. } | KvError::Timeout { .. } => Class::Transient,
                KvError::Shutdown => Class::Closed,
            }
        }

        pub(crate) fn code(&self) -> &'static str {
            match self {
                KvError::NotFound { .. } => "KvError::NotFound",
                KvError::Busy { .. } => "KvError::Busy",
                KvError::NotLeader { .. } => "KvError::NotLeader",
                KvError::Io { .. } => "KvError::Io",
                KvError::Timeout { .. } => "timeout",
                KvError::Shutdown => "KvError::Shutdown",
            }
        }

        pub(crate) fn status(&self) -> Status {
            match self {
                KvError::NotFound { .. } => Status::NotFound,
                _ => Status::from_class(self.class()),
            }
        }

        pub(crate) fn level(&self) -> Level {
            Level::from_class(self.class())
        }

        pub(crate) fn retry_after(&self) -> Option<Duration> {
            match self {
                KvError::Busy { .. } => Some(Duration::from_millis(50)),
                _ => None,
            }
        }
    }

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum StorageError {
        #[error("replica already exists. replica=`{replica}`")]
        ReplicaExists { replica: u64 },
    }

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum NexusError {
        #[error("failed to create replica. uuid=`{uuid}`")]
        CreateReplica { source: StorageError, uuid: String },
    }

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum ApiError {
        #[error("request failed. id=`{id}`")]
        Request { source: NexusError, id: u32 },
    }
}

/// The chain with snafu: its context selectors are `{Variant}Snafu`.
pub(crate) mod snafu_peer {
    use snafu::Snafu;

    #[derive(Debug, Snafu)]
    #[snafu(visibility(pub(crate)))]
    pub(crate) enum StorageError {
        #[snafu(display("replica already exists. replica=`{replica}`"))]
        ReplicaExists { replica: u64 },
    }

    #[derive(Debug, Snafu)]
    #[snafu(visibility(pub(crate)))]
    pub(crate) enum NexusError {
        #[snafu(display("failed to create replica. uuid=`{uuid}`"))]
        CreateReplica { source: StorageError, uuid: String },
    }

    #[derive(Debug, Snafu)]
    #[snafu(visibility(pub(crate)))]
    pub(crate) enum ApiError {
        #[snafu(display("request failed. id=`{id}`"))]
        Request { source: NexusError, id: u32 },
    }
}

/// The contexts of error-stack's chain (and of anyhow's with `.context(..)` of a struct):
/// a `Report` holds the chain, so a context holds no source.
pub(crate) mod stack_peer {
    #[derive(Debug, thiserror::Error)]
    #[error("failed to create replica. uuid=`{uuid}`")]
    pub(crate) struct CreateReplica {
        pub(crate) uuid: String,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("request failed. id=`{id}`")]
    pub(crate) struct Request {
        pub(crate) id: u32,
    }
}

/// The one-line rendering of the chain, the same for every peer.
pub(crate) const CHAIN: &str = "request failed. id=`7`: failed to create replica. \
                                uuid=`dbe4d7eb`: replica already exists. replica=`42`";

/// The chain's inputs.
pub(crate) const REPLICA: u64 = 42;
pub(crate) const UUID: &str = "dbe4d7eb";
pub(crate) const ID: u32 = 7;

/// Each peer's chain: the leaf made in a storage layer, wrapped by a nexus layer and by an
/// API layer, each a function that is not inlined, as layers are. One module per peer,
/// since each brings its own `context` method into scope.
pub(crate) mod chain {
    pub(crate) use self::anyhow_chain::{anyhow, anyhow_struct};
    pub(crate) use self::map_err_chain::map_err;
    pub(crate) use self::ours_chain::ours;
    pub(crate) use self::snafu_chain::snafu;
    pub(crate) use self::stack_chain::stack;

    mod ours_chain {
        use error_core::ResultExt as _;

        use crate::types::ours;

        #[inline(never)]
        fn storage(replica: u64) -> Result<(), ours::StorageError> {
            ours::ReplicaExistsCtx { replica }.fail()
        }

        #[inline(never)]
        fn nexus(replica: u64, uuid: &str) -> Result<(), ours::NexusError> {
            storage(replica).context(ours::CreateReplicaCtx { uuid })
        }

        /// Ours, with the context selectors.
        #[inline(never)]
        pub(crate) fn ours(replica: u64, uuid: &str, id: u32) -> Result<(), ours::ApiError> {
            nexus(replica, uuid).context(ours::RequestCtx { id })
        }
    }

    mod snafu_chain {
        use snafu::ResultExt as _;

        use crate::types::snafu_peer;

        #[inline(never)]
        fn storage(replica: u64) -> Result<(), snafu_peer::StorageError> {
            snafu_peer::ReplicaExistsSnafu { replica }.fail()
        }

        #[inline(never)]
        fn nexus(replica: u64, uuid: &str) -> Result<(), snafu_peer::NexusError> {
            storage(replica).context(snafu_peer::CreateReplicaSnafu { uuid })
        }

        /// snafu, with its context selectors.
        #[inline(never)]
        pub(crate) fn snafu(replica: u64, uuid: &str, id: u32) -> Result<(), snafu_peer::ApiError> {
            nexus(replica, uuid).context(snafu_peer::RequestSnafu { id })
        }
    }

    mod map_err_chain {
        use crate::types::this;

        #[inline(never)]
        fn storage(replica: u64) -> Result<(), this::StorageError> {
            Err(this::StorageError::ReplicaExists { replica })
        }

        #[inline(never)]
        fn nexus(replica: u64, uuid: &str) -> Result<(), this::NexusError> {
            storage(replica).map_err(|source| this::NexusError::CreateReplica {
                source,
                uuid: uuid.to_owned(),
            })
        }

        /// thiserror enums, wrapped by hand with `map_err`.
        #[inline(never)]
        pub(crate) fn map_err(replica: u64, uuid: &str, id: u32) -> Result<(), this::ApiError> {
            nexus(replica, uuid).map_err(|source| this::ApiError::Request { source, id })
        }
    }

    mod anyhow_chain {
        use anyhow::Context as _;

        use crate::types::{stack_peer, this};

        #[inline(never)]
        fn storage(replica: u64) -> anyhow::Result<()> {
            Err(this::StorageError::ReplicaExists { replica }.into())
        }

        #[inline(never)]
        fn nexus(replica: u64, uuid: &str) -> anyhow::Result<()> {
            storage(replica).with_context(|| format!("failed to create replica. uuid=`{uuid}`"))
        }

        /// anyhow: a typed leaf, and `.with_context(|| format!(..))` above it.
        #[inline(never)]
        pub(crate) fn anyhow(replica: u64, uuid: &str, id: u32) -> anyhow::Result<()> {
            nexus(replica, uuid).with_context(|| format!("request failed. id=`{id}`"))
        }

        #[inline(never)]
        fn nexus_struct(replica: u64, uuid: &str) -> anyhow::Result<()> {
            storage(replica).context(stack_peer::CreateReplica {
                uuid: uuid.to_owned(),
            })
        }

        /// anyhow with `.context(..)` of a struct that formats when it is shown, as the
        /// other peers' contexts do (error-stack's context types), instead of a `format!`ted
        /// `String`.
        #[inline(never)]
        pub(crate) fn anyhow_struct(replica: u64, uuid: &str, id: u32) -> anyhow::Result<()> {
            nexus_struct(replica, uuid).context(stack_peer::Request { id })
        }
    }

    mod stack_chain {
        use error_stack::{Report, ResultExt as _};

        use crate::types::{stack_peer, this};

        #[inline(never)]
        fn storage(replica: u64) -> Result<(), Report<this::StorageError>> {
            Err(Report::new(this::StorageError::ReplicaExists { replica }))
        }

        #[inline(never)]
        fn nexus(replica: u64, uuid: &str) -> Result<(), Report<stack_peer::CreateReplica>> {
            storage(replica).change_context(stack_peer::CreateReplica {
                uuid: uuid.to_owned(),
            })
        }

        /// error-stack: a `Report` of the leaf, and `change_context` above it.
        #[inline(never)]
        pub(crate) fn stack(
            replica: u64,
            uuid: &str,
            id: u32,
        ) -> Result<(), Report<stack_peer::Request>> {
            nexus(replica, uuid).change_context(stack_peer::Request { id })
        }
    }
}

/// `error`'s messages and its sources', joined by `": "`: the one-line rendering for the
/// peers that have none of their own (thiserror, snafu, whose `Report` is multi-line).
pub(crate) fn one_line(error: &(dyn StdError + 'static)) -> String {
    let mut out = String::new();
    let _ = write_one_line(&mut out, error);
    out
}

/// [`one_line`] into `out`.
pub(crate) fn write_one_line<W: fmt::Write>(
    out: &mut W,
    error: &(dyn StdError + 'static),
) -> fmt::Result {
    write!(out, "{error}")?;
    let mut source = error.source();
    while let Some(error) = source {
        write!(out, ": {error}")?;
        source = error.source();
    }
    Ok(())
}
