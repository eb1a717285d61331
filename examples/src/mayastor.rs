//! mayastor's replica RPC errors: a stack of composable errors, each layer adding its own
//! context, and the gRPC status decided by the deepest layer that knows it.
//!
//! Run it with `cargo run -p examples --example mayastor_rpc`.
//!
//! mayastor, a storage engine for Kubernetes volumes, builds its errors with snafu: the gRPC
//! handler wraps a replica error in the request's context (`.context(CreateReplica { uuid })`),
//! the replica layer wraps the NVMe-oF target's error when it shares a replica, and
//! `rpc_error_code()` walks down the chain to the error that knows the status ("replica
//! already exists" knows `ALREADY_EXISTS`; "failed to create replica" does not). Here the
//! three layers are three enums, each in its own module, and `#[class(source)]` delegates the
//! class, the retry hint and the status down the chain.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use error_core::{ClassifiedError, OptionExt as _, Report, ResultExt as _};

/// Errors of the NVMe-oF target: its subsystems and listeners.
pub mod nvmf {
    use error_core::ClassifiedError;

    /// Why the NVMe-oF target failed an operation.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    #[class(context)]
    pub enum NvmfError {
        /// Another operation holds the subsystem (it is being paused or resumed): try again
        /// shortly.
        #[error("nvmf subsystem is busy")]
        #[class(busy, retry_after_ms = 250)]
        SubsystemBusy {
            /// The subsystem's NQN.
            nqn: String,
            /// The operation that found it busy.
            op: &'static str,
        },
        /// The subsystem could not listen on the target's transport address; the class and
        /// status are the I/O error's.
        #[error("failed to add nvmf listener")]
        #[class(source)]
        Listener {
            /// The transport address: `tcp:HOST:PORT`.
            trid: String,
            /// What the transport reported.
            source: std::io::Error,
        },
        /// The target is not running: the engine is shutting down.
        #[error("nvmf target is not running")]
        #[class(closed)]
        TargetNotRunning,
    }
}

/// Errors of the replica layer (mayastor's lvs): pools and replicas.
pub mod replica {
    use error_core::ClassifiedError;

    use super::nvmf::NvmfError;

    /// Why a replica operation failed.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    #[class(context)]
    pub enum ReplicaError {
        /// The pool named in the request does not exist on this node.
        #[error("pool not found")]
        #[class(invalid, status = not_found)]
        PoolNotFound {
            /// The pool's name.
            pool: String,
        },
        /// A replica with this uuid exists already.
        #[error("replica already exists")]
        #[class(invalid, status = already_exists)]
        ReplicaExists,
        /// No replica has this uuid.
        #[error("replica not found")]
        #[class(invalid, status = not_found)]
        ReplicaNotFound,
        /// The NVMe-oF target could not share the replica; the class, hint and status are
        /// the target's.
        #[error("failed to share replica over nvmf")]
        #[class(source)]
        ShareFailed {
            /// The target's error.
            source: NvmfError,
        },
    }
}

/// Errors of the replica RPC methods: the request's context over a replica error.
pub mod rpc {
    use error_core::ClassifiedError;

    use super::replica::ReplicaError;

    /// Why a replica RPC failed. Each variant adds the request's uuid to a [`ReplicaError`]
    /// and takes everything else from it.
    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    #[class(context)]
    pub enum RpcError {
        /// `CreateReplica` failed.
        #[error("failed to create replica")]
        #[class(source)]
        CreateReplica {
            /// Why.
            source: ReplicaError,
            /// The replica's uuid.
            uuid: String,
        },
        /// `DestroyReplica` failed.
        #[error("failed to destroy replica")]
        #[class(source)]
        DestroyReplica {
            /// Why.
            source: ReplicaError,
            /// The replica's uuid.
            uuid: String,
        },
        /// `ShareReplica` failed.
        #[error("failed to share replica")]
        #[class(source)]
        ShareReplica {
            /// Why.
            source: ReplicaError,
            /// The replica's uuid.
            uuid: String,
        },
    }
}

use nvmf::NvmfError;
use replica::{
    PoolNotFoundCtx, ReplicaError, ReplicaExistsCtx, ReplicaNotFoundCtx, ShareFailedCtx,
};
use rpc::{CreateReplicaCtx, DestroyReplicaCtx, RpcError, ShareReplicaCtx};

/// The NQN prefix of every subsystem this engine creates.
pub const NQN_PREFIX: &str = "nqn.2019-05.io.openebs";

/// A simulated NVMe-oF target, with the faults it can be made to have.
#[derive(Debug, Clone)]
pub struct NvmfTarget {
    address: String,
    running: bool,
    busy: Vec<String>,
    port_in_use: bool,
}

impl NvmfTarget {
    /// A running target that listens on `address` (`HOST:PORT`).
    #[must_use]
    pub fn new(address: &str) -> Self {
        NvmfTarget {
            address: address.to_owned(),
            running: true,
            busy: Vec::new(),
            port_in_use: false,
        }
    }

    /// The same target, with the subsystem `nqn` held by another operation.
    #[must_use]
    pub fn with_busy_subsystem(mut self, nqn: &str) -> Self {
        self.busy.push(nqn.to_owned());
        self
    }

    /// The same target, with its port taken by another process.
    #[must_use]
    pub fn with_port_in_use(mut self) -> Self {
        self.port_in_use = true;
        self
    }

    /// The same target, stopped.
    #[must_use]
    pub fn stopped(mut self) -> Self {
        self.running = false;
        self
    }

    /// Creates the subsystem `nqn`, adds its namespace and listener, and returns its URI.
    ///
    /// # Errors
    ///
    /// The simulated faults: a stopped target, a busy subsystem, a port in use.
    pub fn share(&self, nqn: &str) -> Result<String, NvmfError> {
        if !self.running {
            return nvmf::TargetNotRunningCtx.fail();
        }
        if self.busy.iter().any(|busy| busy == nqn) {
            return nvmf::SubsystemBusyCtx {
                nqn,
                op: "add namespace",
            }
            .fail();
        }
        if self.port_in_use {
            return Err(std::io::Error::from(std::io::ErrorKind::AddrInUse)).context(
                nvmf::ListenerCtx {
                    trid: format!("tcp:{}", self.address),
                },
            );
        }
        Ok(format!("nvmf://{}/{nqn}", self.address))
    }
}

/// The NQN of the subsystem that shares replica `uuid`.
#[must_use]
pub fn nqn(uuid: &str) -> String {
    format!("{NQN_PREFIX}:{uuid}")
}

/// A simulated io-engine node serving the replica RPC methods: its pools, its replicas (by
/// uuid, with their pool) and its NVMe-oF target.
#[derive(Debug, Clone)]
pub struct ReplicaService {
    pools: Vec<String>,
    replicas: BTreeMap<String, String>,
    target: NvmfTarget,
}

impl ReplicaService {
    /// A node with the pools `pools`, no replicas, and `target`.
    #[must_use]
    pub fn new(pools: &[&str], target: NvmfTarget) -> Self {
        ReplicaService {
            pools: pools.iter().map(|&pool| pool.to_owned()).collect(),
            replicas: BTreeMap::new(),
            target,
        }
    }

    /// `CreateReplica`: creates replica `uuid` on `pool`.
    ///
    /// # Errors
    ///
    /// [`RpcError::CreateReplica`] over [`ReplicaError::PoolNotFound`] or
    /// [`ReplicaError::ReplicaExists`].
    pub fn create_replica(&mut self, uuid: &str, pool: &str) -> Result<(), RpcError> {
        self.create(uuid, pool).context(CreateReplicaCtx { uuid })
    }

    /// `DestroyReplica`: destroys replica `uuid`.
    ///
    /// # Errors
    ///
    /// [`RpcError::DestroyReplica`] over [`ReplicaError::ReplicaNotFound`].
    pub fn destroy_replica(&mut self, uuid: &str) -> Result<(), RpcError> {
        self.replicas
            .remove(uuid)
            .map(drop)
            .context(ReplicaNotFoundCtx)
            .context(DestroyReplicaCtx { uuid })
    }

    /// `ShareReplica`: shares replica `uuid` over NVMe-oF and returns its URI.
    ///
    /// # Errors
    ///
    /// [`RpcError::ShareReplica`] over [`ReplicaError::ReplicaNotFound`] or
    /// [`ReplicaError::ShareFailed`].
    pub fn share_replica(&mut self, uuid: &str) -> Result<String, RpcError> {
        self.share(uuid).context(ShareReplicaCtx { uuid })
    }

    fn create(&mut self, uuid: &str, pool: &str) -> Result<(), ReplicaError> {
        let pool = self
            .pools
            .iter()
            .find(|known| *known == pool)
            .context(PoolNotFoundCtx { pool })?;
        if self.replicas.contains_key(uuid) {
            return ReplicaExistsCtx.fail();
        }
        self.replicas.insert(uuid.to_owned(), pool.clone());
        Ok(())
    }

    fn share(&self, uuid: &str) -> Result<String, ReplicaError> {
        self.replicas.get(uuid).context(ReplicaNotFoundCtx)?;
        self.target.share(&nqn(uuid)).context(ShareFailedCtx)
    }
}

/// The replica of the walkthrough.
pub const UUID: &str = "dbe4d7eb-118a-4d15-b789-a18d9af6ff21";

/// Writes an RPC failure as an io-engine logs and returns it: the one-line log, the gRPC
/// status, the retry hint if there is one, and the stack of composable errors.
fn write_failure(out: &mut String, err: &RpcError) -> fmt::Result {
    let status = err.status();
    writeln!(out, "  log:    {}", Report::new(err))?;
    writeln!(
        out,
        "  status: {} (grpc {}, http {})",
        status.grpc_name(),
        status.grpc(),
        status.http()
    )?;
    if let Some(after) = err.retry_after() {
        writeln!(out, "  retry:  after {after:?}")?;
    }
    writeln!(out, "  stack:")?;
    for line in format!("{:#}", Report::new(err)).lines() {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

fn write_run(out: &mut String) -> fmt::Result {
    let target = NvmfTarget::new("10.1.0.4:8420").with_busy_subsystem(&nqn(UUID));
    let mut node = ReplicaService::new(&["pool-1"], target);

    for _ in 0..2 {
        write!(out, "create replica {UUID} on pool-1: ")?;
        match node.create_replica(UUID, "pool-1") {
            Ok(()) => writeln!(out, "ok")?,
            Err(err) => {
                writeln!(out, "failed")?;
                write_failure(out, &err)?;
            }
        }
    }

    write!(out, "share replica {UUID}: ")?;
    match node.share_replica(UUID) {
        Ok(uri) => writeln!(out, "{uri}")?,
        Err(err) => {
            writeln!(out, "failed")?;
            write_failure(out, &err)?;
        }
    }
    Ok(())
}

/// Runs the walkthrough: creates a replica, creates it again (`ALREADY_EXISTS`), then fails
/// to share it because its nvmf subsystem is busy. Returns what the example prints.
#[must_use]
pub fn run() -> String {
    crate::render(write_run)
}
