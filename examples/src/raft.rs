//! A raft runtime's errors, written with `#[derive(ClassifiedError)]`: every variant maps to
//! exactly one caller action, and the caller decides from the class alone.
//!
//! Run it with `cargo run -p examples --example raft_errors`.
//!
//! Each enum lives in its own module, as snafu advises: the three enums share variant
//! names (`NotLeader`, `NoLeader`, `Shutdown`), and one error enum per module keeps every
//! name that is generated from a variant's name unambiguous.
//!
//! # The catalog
//!
//! The derive lists every variant of the three enums in their [`Catalog`]s, and
//! [`CATALOGS`] is the three together. Their Markdown table is in `examples/README.md`,
//! and this test keeps it there, byte for byte: change a variant and the README must
//! change with it.
//!
//! ```
//! let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
//! let table = error_core::catalog::markdown(examples::raft::CATALOGS).to_string();
//! assert!(
//!     readme.contains(&table),
//!     "examples/README.md's table of the raft errors is out of date; it is now:\n{table}"
//! );
//! ```
//!
//! The three enums share codes on purpose (`raft.not_leader` is one condition, whichever
//! call meets it, and metrics count it once), and a compile-time check next to
//! [`CATALOGS`] makes sure that every shared code says the same thing
//! ([`consistent_codes`]).

use std::fmt::{self, Write as _};
use std::time::Duration;

use error_core::catalog::consistent_codes;
use error_core::{Catalog, ClassifiedError, Entries, Retriable};

/// A raft node's id.
pub type NodeId = u64;

/// Errors of proposing a command to the replicated log.
pub mod propose {
    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why a proposal failed.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ProposeError {
        /// This node is a follower; the leader is known.
        #[error("not the leader")]
        #[class(redirect, code = "raft.not_leader")]
        NotLeader {
            /// The leader, as this node knows it.
            leader_hint: NodeId,
        },
        /// No leader is elected yet (an election is under way).
        #[error("no leader")]
        #[class(transient, code = "raft.no_leader")]
        NoLeader {
            /// The term of the election under way.
            term: u64,
        },
        /// Too many proposals are waiting to commit: backpressure.
        #[error("too many pending proposals")]
        #[class(busy, retry_after_ms = 50)]
        Busy {
            /// The proposals waiting to commit.
            pending: usize,
            /// The most that may wait.
            max: usize,
        },
        /// The leader stepped down before the proposal committed. It may still commit
        /// under the next leader, so only an idempotent proposal is retried blindly.
        #[error("leader stepped down")]
        #[class(transient)]
        SteppedDown {
            /// The term the leader stepped down in.
            term: u64,
        },
        /// The runtime is shutting down.
        #[error("runtime is shutting down")]
        #[class(closed)]
        Shutdown,
        /// The task that drives the state machine died.
        #[error("raft driver task died")]
        #[class(fatal, code = "raft.driver_dead")]
        DriverDead,
        /// The log's storage failed: nothing more can be made durable.
        #[error("storage fault")]
        #[class(fatal, code = "raft.storage")]
        Storage {
            /// The I/O error.
            #[source]
            source: std::io::Error,
            /// The log's path, a [`Secret`](error_core::Secret) since it may name a tenant:
            /// `<redacted>` in the message, the pairs, telemetry and `Debug`;
            /// `path.expose()` for the operator's tooling.
            #[kv(redact)]
            path: error_core::Secret<String>,
        },
    }
}

/// Errors of a linearizable read.
pub mod read {
    use std::time::Duration;

    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why a linearizable read failed.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ReadError {
        /// This node is a follower; the leader is known.
        #[error("not the leader")]
        #[class(redirect, code = "raft.not_leader")]
        NotLeader {
            /// The leader, as this node knows it.
            leader_hint: NodeId,
        },
        /// No leader is elected yet.
        #[error("no leader")]
        #[class(transient, code = "raft.no_leader")]
        NoLeader,
        /// The leader has not yet applied its read index; it will within a few ms.
        #[error("read index not applied yet")]
        #[class(transient)]
        NotReady {
            /// When the read index should be applied.
            #[retry_after]
            retry_in: Duration,
            /// The last applied index.
            applied: u64,
            /// The index the read waits for.
            read_index: u64,
        },
        /// The runtime is shutting down.
        #[error("runtime is shutting down")]
        #[class(closed)]
        Shutdown,
    }
}

/// Errors of transferring leadership to another node.
pub mod transfer {
    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why a leadership transfer failed.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum TransferLeadershipError {
        /// Only the leader transfers leadership.
        #[error("not the leader")]
        #[class(redirect, code = "raft.not_leader")]
        NotLeader {
            /// The leader, as this node knows it.
            leader_hint: NodeId,
        },
        /// The target is not a voting member of the cluster.
        #[error("invalid transfer target")]
        #[class(invalid)]
        InvalidTarget {
            /// The node asked to take over.
            target: NodeId,
            /// How many voters the cluster has.
            voters: usize,
        },
        /// The runtime is shutting down.
        #[error("runtime is shutting down")]
        #[class(closed)]
        Shutdown,
    }
}

use propose::ProposeError;
use read::ReadError;
use transfer::TransferLeadershipError;

/// The catalogs of the three enums, in the order the module declares them.
pub const CATALOGS: &[Entries] = &[
    ProposeError::ENTRIES,
    ReadError::ENTRIES,
    TransferLeadershipError::ENTRIES,
];

// A code the enums share must mean the same in each: class, status, level, hint, message.
const _: () = assert!(
    consistent_codes(CATALOGS),
    "two raft errors share a code but disagree"
);

/// What a caller does, decided from the class and the hint alone.
fn decide(err: &dyn ClassifiedError) -> String {
    let action = err.class().action();
    match err.retry_after() {
        Some(after) if err.is_retriable() => format!("{action} (not before {after:?})"),
        _ => action.to_owned(),
    }
}

fn show(out: &mut String, err: &dyn ClassifiedError) -> fmt::Result {
    let retriable = if err.is_retriable() {
        "retriable"
    } else {
        "not retriable"
    };
    writeln!(out, "{err}")?;
    writeln!(out, "  class:  {} ({retriable})", err.class())?;
    writeln!(out, "  code:   {}", err.code())?;
    writeln!(out, "  action: {}", decide(err))
}

/// One error of each variant, as a caller might meet them.
#[must_use]
pub fn errors() -> Vec<Box<dyn ClassifiedError>> {
    vec![
        Box::new(ProposeError::NotLeader { leader_hint: 3 }),
        Box::new(ProposeError::NoLeader { term: 7 }),
        Box::new(ProposeError::Busy {
            pending: 1024,
            max: 1024,
        }),
        Box::new(ProposeError::SteppedDown { term: 8 }),
        Box::new(ProposeError::Shutdown),
        Box::new(ProposeError::DriverDead),
        Box::new(ProposeError::Storage {
            source: std::io::Error::other("input/output error"),
            path: "/var/lib/raft/log".into(),
        }),
        Box::new(ReadError::NotLeader { leader_hint: 2 }),
        Box::new(ReadError::NoLeader),
        Box::new(ReadError::NotReady {
            retry_in: Duration::from_millis(5),
            applied: 41,
            read_index: 42,
        }),
        Box::new(ReadError::Shutdown),
        Box::new(TransferLeadershipError::NotLeader { leader_hint: 1 }),
        Box::new(TransferLeadershipError::InvalidTarget {
            target: 9,
            voters: 3,
        }),
        Box::new(TransferLeadershipError::Shutdown),
    ]
}

fn write_run(out: &mut String) -> fmt::Result {
    for err in errors() {
        show(out, err.as_ref())?;
    }
    Ok(())
}

/// Each error's message, class, code and the caller action the class implies. Returns
/// what the example prints.
#[must_use]
pub fn run() -> String {
    crate::render(write_run)
}
