//! SlateDB's public error: a detailed internal enum behind one opaque public error, and a
//! caller that decides what to do from the class alone.
//!
//! Run it with `cargo run -p examples --example slatedb_public`.
//!
//! SlateDB keeps its many internal error variants (`SlateDBError`) out of its API. Its public
//! `Error` exposes a kind (transaction, closed with a reason, unavailable, invalid, data,
//! internal), a message and the source; a caller matches on the kind to retry, drop the
//! request or fix its input. Here the internal enum is derived with `#[derive(ClassifiedError)]`,
//! `?` converts it into the boundary error [`error_core::Error`], whose [`Class`] is the kind,
//! and errors with no variant of their own are made with the ad-hoc constructors
//! ([`Error::invalid`]).
//!
//! SlateDB shares its object store's errors between tasks behind an `Arc`, and decides their
//! kind per instance: a missing object is lost data, anything else is worth a retry. Here
//! `#[class(with = object_store_class)]` says the same, on the variant, and
//! `ClassifiedError` for `Arc<T>` lets the shared error stay what it is.
//!
//! SlateDB's error RFC asks that "all public APIs document the complete set of errors that
//! may be returned". The walkthrough ends with that set: the catalog the derive writes for
//! `SlateDBError`, as a Markdown table ([`error_core::catalog::markdown`]), so that the list
//! in the docs is the code's own. The object store variant's class, status and level say
//! `function`: the instance decides them. An ad-hoc [`Error::invalid`] is in no catalog;
//! a database that wants it listed gives it a variant.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::sync::Arc;

use error_core::catalog::markdown;
use error_core::{Catalog, Class, ClassifiedError, Error};

/// Why a database was closed: SlateDB's `CloseReason`, displayed lowercase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// [`Db::close`] was called.
    Clean,
    /// A newer writer opened the database and fenced this one out.
    Fenced,
    /// A background task panicked.
    Panic,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseReason::Clean => "clean",
            CloseReason::Fenced => "fenced",
            CloseReason::Panic => "panic",
        })
    }
}

/// A stand-in for `object_store::Error`: what an object store client reports.
#[derive(Debug)]
#[non_exhaustive]
pub enum ObjectStoreError {
    /// The object does not exist.
    NotFound {
        /// The object's path.
        path: String,
    },
    /// The request timed out.
    Timeout,
}

impl fmt::Display for ObjectStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectStoreError::NotFound { path } => write!(f, "object not found at {path}"),
            ObjectStoreError::Timeout => f.write_str("request to the object store timed out"),
        }
    }
}

impl std::error::Error for ObjectStoreError {}

/// SlateDB's rule for object store errors: a missing object is lost data (`data`), any other
/// failure is worth a retry (`transient`).
#[must_use]
pub fn object_store_class(error: &Arc<ObjectStoreError>) -> Class {
    match **error {
        ObjectStoreError::NotFound { .. } => Class::Data,
        ObjectStoreError::Timeout => Class::Transient,
    }
}

/// SlateDB's internal errors. A real database keeps this enum `pub(crate)`; it is public
/// here only so that tests can [`downcast_ref`](Error::downcast_ref) to it.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum SlateDBError {
    /// Another transaction wrote a key this one read, after this one began.
    #[error("transaction conflict")]
    #[class(conflict)]
    TransactionConflict {
        /// The transaction that lost.
        txn_id: u64,
    },
    /// The database is closed.
    #[error("database is closed")]
    #[class(closed)]
    Closed {
        /// Why it was closed.
        reason: CloseReason,
    },
    /// The object store failed; the error is shared between the tasks that saw it.
    #[error("object store error")]
    #[class(with = object_store_class)]
    ObjectStore(#[source] Arc<ObjectStoreError>),
    /// A setting is out of range.
    #[error("invalid configuration")]
    #[class(invalid)]
    InvalidConfiguration {
        /// The setting's name.
        setting: &'static str,
        /// Its value.
        value: String,
    },
    /// A block read back from the object store does not match its checksum.
    #[error("checksum mismatch")]
    #[class(data)]
    ChecksumMismatch {
        /// The SST that holds the block.
        sst: String,
        /// The checksum stored with the block.
        expected: u32,
        /// The checksum of the bytes read.
        actual: u32,
    },
    /// An internal invariant does not hold: a bug.
    #[error("invariant violated")]
    #[class(internal)]
    InvariantViolation {
        /// The invariant.
        invariant: &'static str,
    },
}

/// The settings [`Db::open`] checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The size at which a memtable is flushed to an L0 SST; at least 1 KiB.
    pub l0_sst_size_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            l0_sst_size_bytes: 64 << 20,
        }
    }
}

/// A fault to inject into a simulated [`Db`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The object store stops answering.
    StoreDown,
    /// The block that holds `key` is corrupted in the object store.
    CorruptBlock {
        /// The key whose block is corrupt.
        key: String,
    },
    /// The SST that holds `key` is deleted from the object store.
    MissingObject {
        /// The key whose SST is missing.
        key: String,
    },
    /// A newer writer opens the database.
    Fenced,
    /// A background task (the compactor) panics.
    BackgroundPanic,
    /// The WAL id counter goes backwards (a bug).
    WalIdRegression,
}

/// One block of the simulated store: a value and its checksum.
#[derive(Clone, Debug)]
struct Block {
    value: String,
    checksum: u32,
    sst: String,
}

/// A simulated SlateDB: enough state to fail the way the real one does.
#[derive(Debug)]
pub struct Db {
    blocks: BTreeMap<String, Block>,
    version: u64,
    next_txn: u64,
    next_wal_id: u64,
    last_flushed_wal_id: u64,
    closed: Option<CloseReason>,
    store_up: bool,
    /// Keys whose SST was deleted from the object store.
    missing: BTreeSet<String>,
}

/// A transaction: the version it read at, and its writes.
#[derive(Debug)]
pub struct Transaction {
    id: u64,
    read_version: u64,
    writes: Vec<(String, String)>,
}

impl Transaction {
    /// Buffers a write.
    pub fn put(&mut self, key: &str, value: &str) {
        self.writes.push((key.to_owned(), value.to_owned()));
    }
}

/// A toy checksum, enough to tell a corrupt block.
fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(17u32, |sum, &b| {
        sum.wrapping_mul(31).wrapping_add(u32::from(b))
    })
}

impl Db {
    /// Opens a database.
    ///
    /// # Errors
    ///
    /// Invalid settings.
    pub fn open(settings: Settings) -> Result<Db, Error> {
        if settings.l0_sst_size_bytes < 1024 {
            return Err(SlateDBError::InvalidConfiguration {
                setting: "l0_sst_size_bytes",
                value: settings.l0_sst_size_bytes.to_string(),
            }
            .into());
        }
        Ok(Db {
            blocks: BTreeMap::new(),
            version: 0,
            next_txn: 1,
            next_wal_id: 1,
            last_flushed_wal_id: 0,
            closed: None,
            store_up: true,
            missing: BTreeSet::new(),
        })
    }

    /// Injects `fault`.
    pub fn inject(&mut self, fault: Fault) {
        match fault {
            Fault::StoreDown => self.store_up = false,
            Fault::CorruptBlock { key } => {
                if let Some(block) = self.blocks.get_mut(&key) {
                    block.value.push('!');
                }
            }
            Fault::MissingObject { key } => {
                self.missing.insert(key);
            }
            Fault::Fenced => self.closed = Some(CloseReason::Fenced),
            Fault::BackgroundPanic => self.closed = Some(CloseReason::Panic),
            Fault::WalIdRegression => self.next_wal_id = self.last_flushed_wal_id,
        }
    }

    /// The checks every operation makes first: open, and the object store reachable.
    fn ready(&self) -> Result<(), SlateDBError> {
        if let Some(reason) = self.closed {
            return Err(SlateDBError::Closed { reason });
        }
        if !self.store_up {
            return Err(SlateDBError::ObjectStore(Arc::new(
                ObjectStoreError::Timeout,
            )));
        }
        Ok(())
    }

    fn write(&mut self, key: &str, value: &str) -> Result<(), SlateDBError> {
        self.ready()?;
        self.blocks.insert(
            key.to_owned(),
            Block {
                value: value.to_owned(),
                checksum: checksum(value.as_bytes()),
                sst: format!("{:06}.sst", self.next_wal_id),
            },
        );
        self.version += 1;
        Ok(())
    }

    /// Writes `value` under `key`.
    ///
    /// # Errors
    ///
    /// An empty key (ad-hoc, `invalid`), a closed database, an unavailable object store.
    pub fn put(&mut self, key: &str, value: &str) -> Result<(), Error> {
        if key.is_empty() {
            return Err(Error::invalid("key is empty").with_code("slatedb.empty_key"));
        }
        Ok(self.write(key, value)?)
    }

    /// Reads `key`.
    ///
    /// # Errors
    ///
    /// A closed database, an unavailable object store, a corrupt block.
    pub fn get(&self, key: &str) -> Result<Option<String>, Error> {
        self.ready()?;
        let Some(block) = self.blocks.get(key) else {
            return Ok(None);
        };
        if self.missing.contains(key) {
            return Err(
                SlateDBError::ObjectStore(Arc::new(ObjectStoreError::NotFound {
                    path: block.sst.clone(),
                }))
                .into(),
            );
        }
        let actual = checksum(block.value.as_bytes());
        if actual != block.checksum {
            return Err(SlateDBError::ChecksumMismatch {
                sst: block.sst.clone(),
                expected: block.checksum,
                actual,
            }
            .into());
        }
        Ok(Some(block.value.clone()))
    }

    /// Begins a transaction at the current version.
    pub fn begin(&mut self) -> Transaction {
        let id = self.next_txn;
        self.next_txn += 1;
        Transaction {
            id,
            read_version: self.version,
            writes: Vec::new(),
        }
    }

    /// Commits `txn`.
    ///
    /// # Errors
    ///
    /// A write since `txn` began (`conflict`), a closed database, an unavailable object
    /// store.
    pub fn commit(&mut self, txn: Transaction) -> Result<(), Error> {
        self.ready()?;
        if self.version != txn.read_version {
            return Err(SlateDBError::TransactionConflict { txn_id: txn.id }.into());
        }
        for (key, value) in txn.writes {
            self.write(&key, &value)?;
        }
        Ok(())
    }

    /// Flushes the WAL to the object store.
    ///
    /// # Errors
    ///
    /// A closed database, an unavailable object store, a WAL id that went backwards (a bug).
    pub fn flush(&mut self) -> Result<(), Error> {
        self.ready()?;
        if self.next_wal_id <= self.last_flushed_wal_id {
            return Err(SlateDBError::InvariantViolation {
                invariant: "next_wal_id > last_flushed_wal_id",
            }
            .into());
        }
        self.last_flushed_wal_id = self.next_wal_id;
        self.next_wal_id += 1;
        Ok(())
    }

    /// Closes the database; every later call fails with [`CloseReason::Clean`].
    ///
    /// # Errors
    ///
    /// A database that is closed already.
    pub fn close(&mut self) -> Result<(), Error> {
        if let Some(reason) = self.closed {
            return Err(SlateDBError::Closed { reason }.into());
        }
        self.closed = Some(CloseReason::Clean);
        Ok(())
    }
}

/// What a caller does about a failed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Try again: after a backoff, or re-running the whole transaction.
    Retry,
    /// Give up on the request (and, for a closed database, on the handle).
    Drop,
    /// Fix the input: retrying it as it is never helps.
    FixInput,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decision::Retry => "retry",
            Decision::Drop => "drop",
            Decision::FixInput => "fix the input",
        })
    }
}

/// The caller's policy, from the class alone: no downcast, no message parsing.
#[must_use]
pub fn decide(err: &Error) -> Decision {
    match err.class() {
        Class::Transient | Class::Busy | Class::Redirect | Class::Conflict => Decision::Retry,
        Class::Invalid => Decision::FixInput,
        _ => Decision::Drop,
    }
}

/// Every failure of the walkthrough, in order, with the call that produced it.
///
/// # Errors
///
/// Never: every step that should succeed does. An error here is the walkthrough's own bug.
pub fn failures() -> Result<Vec<(&'static str, Error)>, Error> {
    let mut failures = Vec::new();
    let mut record = |call: &'static str, result: Result<(), Error>| {
        if let Err(err) = result {
            failures.push((call, err));
        }
    };

    record(
        "Db::open(l0_sst_size_bytes = 0)",
        Db::open(Settings {
            l0_sst_size_bytes: 0,
        })
        .map(drop),
    );

    let mut db = Db::open(Settings::default())?;
    db.put("k1", "v1")?;
    record("db.put(\"\", \"v\")", db.put("", "v"));

    let mut first = db.begin();
    let mut second = db.begin();
    first.put("k1", "v2");
    second.put("k1", "v3");
    db.commit(first)?;
    record("txn.commit() after a concurrent commit", db.commit(second));

    db.inject(Fault::StoreDown);
    record(
        "db.get(\"k1\") with the object store down",
        db.get("k1").map(drop),
    );

    let mut db = Db::open(Settings::default())?;
    db.put("k2", "v2")?;
    db.inject(Fault::CorruptBlock { key: "k2".into() });
    record("db.get(\"k2\") of a corrupt block", db.get("k2").map(drop));

    db.inject(Fault::MissingObject { key: "k2".into() });
    record("db.get(\"k2\") of a deleted SST", db.get("k2").map(drop));

    db.inject(Fault::WalIdRegression);
    record("db.flush() after a WAL id regression", db.flush());

    let mut db = Db::open(Settings::default())?;
    db.close()?;
    record(
        "db.put(\"k3\", \"v3\") after db.close()",
        db.put("k3", "v3"),
    );

    let mut db = Db::open(Settings::default())?;
    db.inject(Fault::Fenced);
    record(
        "db.put(\"k3\", \"v3\") by a fenced writer",
        db.put("k3", "v3"),
    );

    let mut db = Db::open(Settings::default())?;
    db.inject(Fault::BackgroundPanic);
    record("db.flush() after the compactor panicked", db.flush());

    Ok(failures)
}

fn write_run(out: &mut String) -> fmt::Result {
    let failures = match failures() {
        Ok(failures) => failures,
        Err(err) => return writeln!(out, "walkthrough failed: {err}"),
    };
    for (i, (call, err)) in failures.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{call}")?;
        writeln!(out, "  message:  {err}")?;
        writeln!(out, "  class:    {}", err.class())?;
        writeln!(out, "  code:     {}", err.code())?;
        writeln!(out, "  decision: {}", decide(err))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "The public error catalog (every SlateDBError variant):"
    )?;
    writeln!(out)?;
    write!(out, "{}", markdown(&[SlateDBError::ENTRIES]))
}

/// Runs the walkthrough: each way a SlateDB call fails, and what the caller decides from
/// the class; then the catalog of `SlateDBError` as a Markdown table. Returns what the
/// example prints.
#[must_use]
pub fn run() -> String {
    crate::render(write_run)
}
