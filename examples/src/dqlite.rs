//! The dqlite client's exception hierarchy as nested enums, and a retry loop that honours
//! the no-leader hint.
//!
//! Run it with `cargo run -p examples --example dqlite_hierarchy`.
//!
//! dqlite's clients sort their errors into a hierarchy: errors of one node (unreachable, not
//! the leader, removed), of the client itself (closed, timed out, protocol), of the cluster
//! (no leader, no quorum, a membership change under way) and of resources (no such database,
//! too many connections). A caller catches a whole branch or one leaf. Here each branch is
//! an enum in its own module (so that the context selectors the derive generates never
//! collide), and the top-level [`DqliteError`] delegates to them with
//! `#[error(transparent)]`: its message, class, code, status and retry hint are the leaf's.

use std::fmt::{self, Write as _};
use std::time::Duration;

use error_core::{ClassifiedError, Retriable};

/// A dqlite node's id.
pub type NodeId = u64;

/// Errors of one node.
pub mod node {
    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why a node could not serve a request.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum NodeError {
        /// The node did not answer: down, partitioned or restarting.
        #[error("node is unreachable")]
        #[class(transient)]
        Unreachable {
            /// The node's id.
            node_id: NodeId,
            /// The node's address.
            address: String,
        },
        /// The node is not the leader, and knows which node is.
        #[error("node is not the leader")]
        #[class(redirect, code = "dqlite.not_leader")]
        NotLeader {
            /// The node's id.
            node_id: NodeId,
            /// The node's address.
            address: String,
            /// The leader's id.
            leader_id: NodeId,
            /// The leader's address.
            leader_address: String,
        },
        /// The node was removed from the cluster.
        #[error("node was removed from the cluster")]
        #[class(closed)]
        Removed {
            /// The node's id.
            node_id: NodeId,
            /// The node's address.
            address: String,
        },
    }
}

/// Errors of the client itself.
pub mod client {
    use std::time::Duration;

    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why the client failed a request.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ClientError {
        /// The client was closed.
        #[error("client is closed")]
        #[class(closed)]
        Closed,
        /// The node did not answer in time.
        #[error("request timed out")]
        #[class(transient, status = deadline_exceeded)]
        Timeout {
            /// How long the client waited.
            #[kv(debug)]
            timeout: Duration,
            /// The node's id.
            node_id: NodeId,
            /// The node's address.
            address: String,
        },
        /// The node speaks a wire protocol this client does not.
        #[error("unsupported protocol version")]
        #[class(invalid, status = unimplemented)]
        Protocol {
            /// The node's protocol version.
            version: u64,
        },
    }
}

/// Errors of the cluster as a whole.
pub mod cluster {
    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why the cluster could not serve a request.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ClusterError {
        /// No leader is elected yet; an election takes about a second.
        #[error("no leader")]
        #[class(transient, retry_after_ms = 1000, code = "dqlite.no_leader")]
        NoLeader {
            /// The node that was asked.
            node_id: NodeId,
            /// Its address.
            address: String,
        },
        /// Too few voters are online to elect a leader.
        #[error("cluster has no quorum")]
        #[class(transient)]
        NoQuorum {
            /// The voters online.
            online: usize,
            /// All voters.
            voters: usize,
        },
        /// A membership change is under way.
        #[error("membership change in progress")]
        #[class(busy, retry_after_ms = 500)]
        MembershipChange {
            /// The node being added or removed.
            node_id: NodeId,
            /// Its address.
            address: String,
        },
    }
}

/// Errors about resources: databases and connections.
pub mod resource {
    use error_core::ClassifiedError;

    use super::NodeId;

    /// Why a resource could not be used.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum ResourceError {
        /// No database has this name.
        #[error("database not found")]
        #[class(invalid, status = not_found)]
        DatabaseNotFound {
            /// The database's name.
            name: String,
        },
        /// The node's connection limit is reached.
        #[error("too many connections")]
        #[class(busy)]
        TooManyConnections {
            /// The node's id.
            node_id: NodeId,
            /// The node's address.
            address: String,
            /// Its connection limit.
            max: u32,
        },
    }
}

use client::ClientError;
use cluster::ClusterError;
use node::NodeError;
use resource::ResourceError;

/// Every dqlite client error: one branch of the hierarchy, delegated to transparently.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum DqliteError {
    /// An error of one node.
    #[error(transparent)]
    Node(#[from] NodeError),
    /// An error of the client.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// An error of the cluster.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// An error about a resource.
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

/// A simulated clock: sleeping adds to the time waited and returns at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimClock {
    waited: Duration,
}

impl SimClock {
    /// "Sleeps" for `duration`.
    pub fn sleep(&mut self, duration: Duration) {
        self.waited += duration;
    }

    /// The total time slept.
    #[must_use]
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

/// A simulated three-node cluster whose leader is elected after a given number of calls.
#[derive(Debug, Clone)]
pub struct SimCluster {
    leaderless_calls: u32,
}

impl SimCluster {
    /// A cluster that answers the first `leaderless_calls` calls with no leader.
    #[must_use]
    pub fn new(leaderless_calls: u32) -> Self {
        SimCluster { leaderless_calls }
    }

    /// Executes `sql` on the leader and returns the number of rows it changed.
    ///
    /// # Errors
    ///
    /// [`ClusterError::NoLeader`] while no leader is elected.
    pub fn exec(&mut self, sql: &str) -> Result<u64, DqliteError> {
        if self.leaderless_calls > 0 {
            self.leaderless_calls -= 1;
            return Err(ClusterError::NoLeader {
                node_id: 1,
                address: "10.0.0.1:9001".into(),
            }
            .into());
        }
        Ok(u64::from(sql.starts_with("INSERT")))
    }
}

/// How long to back off after a retriable error that gives no hint.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(100);

/// Calls `op` until it succeeds, fails with an error that is not retriable, or has been
/// called `max_attempts` times. After a retriable error it waits the error's `retry_after`
/// (or [`DEFAULT_BACKOFF`]) on `clock`. Each attempt adds one line to `log`.
///
/// # Errors
///
/// The last error, when it is not retriable or no attempt is left.
pub fn retry<T>(
    clock: &mut SimClock,
    max_attempts: u32,
    log: &mut Vec<String>,
    mut op: impl FnMut() -> Result<T, DqliteError>,
) -> Result<T, DqliteError> {
    let mut attempt = 1;
    loop {
        match op() {
            Ok(value) => {
                log.push(format!("attempt {attempt}: ok"));
                return Ok(value);
            }
            Err(err) if err.is_retriable() && attempt < max_attempts => {
                let wait = err.retry_after().unwrap_or(DEFAULT_BACKOFF);
                log.push(format!(
                    "attempt {attempt}: {err} ({}, {}); retrying in {wait:?}",
                    err.class(),
                    err.code()
                ));
                clock.sleep(wait);
                attempt += 1;
            }
            Err(err) => {
                log.push(format!(
                    "attempt {attempt}: {err} ({}, {}); giving up",
                    err.class(),
                    err.code()
                ));
                return Err(err);
            }
        }
    }
}

/// One error of each branch of the hierarchy.
#[must_use]
pub fn hierarchy() -> Vec<DqliteError> {
    vec![
        NodeError::NotLeader {
            node_id: 1,
            address: "10.0.0.1:9001".into(),
            leader_id: 2,
            leader_address: "10.0.0.2:9001".into(),
        }
        .into(),
        ClientError::Timeout {
            timeout: Duration::from_secs(5),
            node_id: 3,
            address: "10.0.0.3:9001".into(),
        }
        .into(),
        ClusterError::NoLeader {
            node_id: 1,
            address: "10.0.0.1:9001".into(),
        }
        .into(),
        ResourceError::DatabaseNotFound {
            name: "app.db".into(),
        }
        .into(),
    ]
}

/// The statement of the walkthrough.
pub const SQL: &str = "INSERT INTO kv VALUES ('k', 'v')";

fn write_run(out: &mut String) -> fmt::Result {
    writeln!(out, "one error of each branch:")?;
    for err in hierarchy() {
        let branch = match &err {
            DqliteError::Node(_) => "node",
            DqliteError::Client(_) => "client",
            DqliteError::Cluster(_) => "cluster",
            DqliteError::Resource(_) => "resource",
        };
        let hint = err
            .retry_after()
            .map_or_else(|| "none".to_owned(), |after| format!("{after:?}"));
        writeln!(out, "  {err}")?;
        writeln!(
            out,
            "    branch={branch} class={} code={} status={} retry_after={hint}",
            err.class(),
            err.code(),
            err.status().grpc_name()
        )?;
    }

    writeln!(out)?;
    writeln!(out, "exec {SQL:?} on a cluster electing its leader:")?;
    let mut cluster = SimCluster::new(2);
    let mut clock = SimClock::default();
    let mut log = Vec::new();
    let result = retry(&mut clock, 5, &mut log, || cluster.exec(SQL));
    for line in &log {
        writeln!(out, "  {line}")?;
    }
    match result {
        Ok(rows) => writeln!(out, "rows changed: {rows}")?,
        Err(err) => writeln!(out, "failed: {err}")?,
    }
    writeln!(out, "total waited: {:?}", clock.waited())
}

/// Runs the walkthrough: one error of each branch, then a statement retried through two
/// no-leader errors on a simulated clock. Returns what the example prints.
#[must_use]
pub fn run() -> String {
    crate::render(write_run)
}
