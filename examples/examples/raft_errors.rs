//! A raft runtime's errors, written with `#[derive(ClassifiedError)]`: every variant maps to
//! exactly one caller action, and the caller decides from the class alone.
//!
//! Run it with `cargo run -p examples --example raft_errors`.
//!
//! Each enum lives in its own module, as snafu advises: the three enums share variant
//! names (`NotLeader`, `NoLeader`, `Shutdown`), and one error enum per module keeps every
//! name that is generated from a variant's name unambiguous.

use std::time::Duration;

use error_core::{ClassifiedError, Retriable};

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
        NotLeader { leader_hint: NodeId },
        /// No leader is elected yet (an election is under way).
        #[error("no leader")]
        #[class(transient, code = "raft.no_leader")]
        NoLeader { term: u64 },
        /// Too many proposals are waiting to commit: backpressure.
        #[error("too many pending proposals")]
        #[class(busy, retry_after_ms = 50)]
        Busy { pending: usize, max: usize },
        /// The leader stepped down before the proposal committed. It may still commit
        /// under the next leader, so only an idempotent proposal is retried blindly.
        #[error("leader stepped down")]
        #[class(transient)]
        SteppedDown { term: u64 },
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
            #[source]
            source: std::io::Error,
            #[kv(redact)]
            path: String,
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
        NotLeader { leader_hint: NodeId },
        /// No leader is elected yet.
        #[error("no leader")]
        #[class(transient, code = "raft.no_leader")]
        NoLeader,
        /// The leader has not yet applied its read index; it will within a few ms.
        #[error("read index not applied yet")]
        #[class(transient)]
        NotReady {
            #[retry_after]
            retry_in: Duration,
            applied: u64,
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
        NotLeader { leader_hint: NodeId },
        /// The target is not a voting member of the cluster.
        #[error("invalid transfer target")]
        #[class(invalid)]
        InvalidTarget { target: NodeId, voters: usize },
        /// The runtime is shutting down.
        #[error("runtime is shutting down")]
        #[class(closed)]
        Shutdown,
    }
}

use propose::ProposeError;
use read::ReadError;
use transfer::TransferLeadershipError;

/// What a caller does, decided from the class and the hint alone.
fn decide(err: &dyn ClassifiedError) -> String {
    let action = err.class().action();
    match err.retry_after() {
        Some(after) if err.is_retriable() => format!("{action} (not before {after:?})"),
        _ => action.to_owned(),
    }
}

fn show(err: &dyn ClassifiedError) {
    let retriable = if err.is_retriable() {
        "retriable"
    } else {
        "not retriable"
    };
    println!("{err}");
    println!("  class:  {} ({retriable})", err.class());
    println!("  code:   {}", err.code());
    println!("  action: {}", decide(err));
}

fn main() {
    let errors: Vec<Box<dyn ClassifiedError>> = vec![
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
    ];
    for err in &errors {
        show(err.as_ref());
    }
}
