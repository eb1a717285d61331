//! Context selectors: `.context(VariantCtx { .. })` and `.with_context(|| ..)` on results,
//! `.context(..)` on options, `build()` and `fail()` of leaf selectors, unit selectors,
//! tuple variants, generic enums, struct selectors, backtraces, and where the selectors go
//! with `#[class(context = module)]` and `#[class(context = none)]`.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::Cell;
use std::error::Error as _;
use std::io;

use error_core::{Class, ClassifiedError, IntoError, NoSource, OptionExt, ResultExt, Value};

fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value}"));
    });
    seen
}

fn source_message(e: &dyn std::error::Error) -> Option<String> {
    e.source().map(ToString::to_string)
}

#[derive(Debug, ClassifiedError)]
#[class(invalid, context)]
#[error("replica already exists")]
struct ReplicaExists;

#[derive(Debug, ClassifiedError)]
#[class(context)]
enum RpcError {
    #[error("failed to create replica")]
    #[class(source)]
    CreateReplica { source: ReplicaExists, uuid: String },
    #[error("share failed")]
    #[class(source)]
    Share { source: io::Error },
    #[error("read failed")]
    #[class(internal)]
    Read {
        source: Box<dyn std::error::Error + Send + Sync>,
        path: String,
        attempt: u32,
    },
    #[error("tuple failed")]
    #[class(source)]
    Tuple(#[source] io::Error, u32, String),
    #[error("maybe failed")]
    #[class(transient)]
    Maybe {
        #[source]
        cause: Option<io::Error>,
        node: u8,
    },
    #[error("pool not found")]
    #[class(invalid)]
    PoolNotFound { pool: String, node: u64 },
    #[error("not ready")]
    #[class(transient)]
    NotReady,
    #[error("bad index")]
    #[class(invalid)]
    BadIndex(u64, String),
    #[error(transparent)]
    Passthrough(ReplicaExists),
}

fn create_replica(uuid: &str) -> Result<(), RpcError> {
    Err::<(), _>(ReplicaExists).context(CreateReplicaCtx { uuid })
}

#[test]
fn context_converts_str_into_string_and_wraps_the_source() {
    let err = create_replica("dbe4d7eb").unwrap_err();
    assert!(
        matches!(&err, RpcError::CreateReplica { source: ReplicaExists, uuid } if uuid == "dbe4d7eb")
    );
    assert_eq!(err.to_string(), "failed to create replica. uuid=`dbe4d7eb`");
    assert_eq!(
        source_message(&err).as_deref(),
        Some("replica already exists")
    );
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.code(), "RpcError::CreateReplica");
    assert_eq!(visited(&err), ["uuid=dbe4d7eb"]);

    // A `String` goes in as it is, too.
    let err = Err::<(), _>(ReplicaExists)
        .context(CreateReplicaCtx {
            uuid: String::from("owned"),
        })
        .unwrap_err();
    assert_eq!(err.to_string(), "failed to create replica. uuid=`owned`");
}

#[test]
fn context_leaves_ok_untouched() {
    let ok: Result<u8, ReplicaExists> = Ok(7);
    let wrapped: Result<u8, RpcError> = ok.context(CreateReplicaCtx { uuid: "unused" });
    assert_eq!(wrapped.unwrap(), 7);
}

#[test]
fn context_converts_the_source_with_into() {
    // `io::Error` goes into a `Box<dyn Error + Send + Sync>` source; `&str` into `String`
    // and `u8` into `u32`.
    let err = Err::<(), _>(io::Error::other("disk gone"))
        .context(ReadCtx {
            path: "/var/lib/raft",
            attempt: 3_u8,
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "read failed. path=`/var/lib/raft`, attempt=`3`"
    );
    let RpcError::Read {
        source,
        path,
        attempt,
    } = &err
    else {
        panic!("not Read: {err:?}");
    };
    assert_eq!(source.to_string(), "disk gone");
    assert!(source.downcast_ref::<io::Error>().is_some());
    assert_eq!(path, "/var/lib/raft");
    assert_eq!(*attempt, 3);
    assert_eq!(err.class(), Class::Internal);

    // An `Option` source receives `Some(source)`.
    let err = Err::<(), _>(io::Error::from(io::ErrorKind::TimedOut))
        .context(MaybeCtx { node: 4 })
        .unwrap_err();
    assert!(matches!(
        &err,
        RpcError::Maybe { cause: Some(cause), node: 4 } if cause.kind() == io::ErrorKind::TimedOut
    ));
    assert_eq!(err.to_string(), "maybe failed. node=`4`");
    assert_eq!(source_message(&err).as_deref(), Some("timed out"));
}

#[test]
fn with_context_builds_the_selector_only_on_error() {
    let calls = Cell::new(0_u32);
    let selector = || {
        calls.set(calls.get() + 1);
        CreateReplicaCtx { uuid: "lazy" }
    };

    let ok: Result<&str, ReplicaExists> = Ok("fine");
    let wrapped: Result<&str, RpcError> = ok.with_context(selector);
    assert_eq!(wrapped.unwrap(), "fine");
    assert_eq!(calls.get(), 0);

    let err: Result<&str, RpcError> = Err(ReplicaExists).with_context(selector);
    assert_eq!(
        err.unwrap_err().to_string(),
        "failed to create replica. uuid=`lazy`"
    );
    assert_eq!(calls.get(), 1);

    let err: Result<(), RpcError> = Err(ReplicaExists).with_context(selector);
    assert!(err.is_err());
    assert_eq!(calls.get(), 2);

    // The closure may compute owned values.
    let uuid = String::from("computed");
    let err = Err::<(), _>(ReplicaExists)
        .with_context(|| CreateReplicaCtx {
            uuid: format!("{uuid}-1"),
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed to create replica. uuid=`computed-1`"
    );
}

#[test]
fn unit_selector_for_a_variant_that_holds_only_its_source() {
    let err = Err::<(), _>(io::Error::from(io::ErrorKind::PermissionDenied))
        .context(ShareCtx)
        .unwrap_err();
    assert!(
        matches!(&err, RpcError::Share { source } if source.kind() == io::ErrorKind::PermissionDenied)
    );
    assert_eq!(err.to_string(), "share failed");
    assert_eq!(err.class(), Class::Denied);
    assert_eq!(err.code(), "RpcError::Share");
    assert_eq!(source_message(&err).as_deref(), Some("permission denied"));

    // The unit selector is a constant: usable as a value as often as needed.
    let err = Err::<(), _>(io::Error::other("a"))
        .context(ShareCtx)
        .unwrap_err();
    assert_eq!(err.to_string(), "share failed");
    let err = Err::<(), _>(io::Error::other("b"))
        .context(ShareCtx)
        .unwrap_err();
    assert_eq!(source_message(&err).as_deref(), Some("b"));
}

#[test]
fn tuple_variant_selectors() {
    let err = Err::<(), _>(io::Error::from(io::ErrorKind::ConnectionReset))
        .context(TupleCtx { 0: 9_u8, 1: "n1" })
        .unwrap_err();
    assert!(matches!(
        &err,
        RpcError::Tuple(source, 9, node) if source.kind() == io::ErrorKind::ConnectionReset && node == "n1"
    ));
    assert_eq!(err.to_string(), "tuple failed. 1=`9`, 2=`n1`");
    assert_eq!(err.class(), Class::Transient);
    assert_eq!(visited(&err), ["1=9", "2=n1"]);

    let err = BadIndexCtx {
        0: 12_u32,
        1: "idx",
    }
    .build();
    assert!(matches!(&err, RpcError::BadIndex(12, s) if s == "idx"));
    assert_eq!(err.to_string(), "bad index. 0=`12`, 1=`idx`");
}

#[test]
fn option_context_on_leaf_variants() {
    let pools = ["p1", "p2"];
    let found = pools.iter().find(|p| **p == "p2").context(PoolNotFoundCtx {
        pool: "p2",
        node: 1_u8,
    });
    assert_eq!(found.unwrap(), &"p2");

    let missing: Result<&&str, RpcError> =
        pools.iter().find(|p| **p == "p9").context(PoolNotFoundCtx {
            pool: "p9",
            node: 3_u32,
        });
    let err = missing.unwrap_err();
    assert!(matches!(&err, RpcError::PoolNotFound { pool, node: 3 } if pool == "p9"));
    assert_eq!(err.to_string(), "pool not found. pool=`p9`, node=`3`");
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.code(), "RpcError::PoolNotFound");
    assert!(err.source().is_none());

    assert_eq!(Some(5).context(NotReadyCtx).unwrap(), 5);
    let err: RpcError = None::<u8>.context(NotReadyCtx).unwrap_err();
    assert!(matches!(err, RpcError::NotReady));
    assert_eq!(err.to_string(), "not ready");
    assert_eq!(err.class(), Class::Transient);

    let err = None::<()>
        .context(BadIndexCtx { 0: 1_u8, 1: "i" })
        .unwrap_err();
    assert_eq!(err.to_string(), "bad index. 0=`1`, 1=`i`");
}

fn early_return(ready: bool) -> Result<u32, RpcError> {
    if !ready {
        return NotReadyCtx.fail();
    }
    Ok(1)
}

#[test]
fn build_and_fail_of_leaf_selectors() {
    let err = PoolNotFoundCtx {
        pool: "tank",
        node: 2_u16,
    }
    .build();
    assert!(matches!(&err, RpcError::PoolNotFound { pool, node: 2 } if pool == "tank"));
    assert_eq!(err.to_string(), "pool not found. pool=`tank`, node=`2`");

    let failed: Result<u8, RpcError> = PoolNotFoundCtx {
        pool: "tank",
        node: 5_u64,
    }
    .fail();
    assert_eq!(
        failed.unwrap_err().to_string(),
        "pool not found. pool=`tank`, node=`5`"
    );

    let err = NotReadyCtx.build();
    assert!(matches!(err, RpcError::NotReady));
    let failed = NotReadyCtx.fail::<String>();
    assert!(matches!(failed, Err(RpcError::NotReady)));

    assert_eq!(early_return(true).unwrap(), 1);
    assert_eq!(
        early_return(false).unwrap_err().code(),
        "RpcError::NotReady"
    );

    // `IntoError` is the trait behind all of it.
    let err: RpcError = IntoError::into_error(NotReadyCtx, NoSource);
    assert!(matches!(err, RpcError::NotReady));
    let err: RpcError = IntoError::into_error(CreateReplicaCtx { uuid: "u" }, ReplicaExists);
    assert_eq!(err.to_string(), "failed to create replica. uuid=`u`");
}

/// `RpcError::Passthrough` is transparent: it has no selector, so the name is free.
#[derive(Debug, PartialEq)]
struct PassthroughCtx;

#[test]
fn transparent_variants_have_no_selector() {
    assert_eq!(format!("{PassthroughCtx:?}"), "PassthroughCtx");
    let err = RpcError::Passthrough(ReplicaExists);
    assert_eq!(err.to_string(), "replica already exists");
}

mod generic {
    use std::fmt;
    use std::io;

    use error_core::{Class, ClassifiedError, OptionExt, ResultExt};

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    pub(crate) enum Lookup<K: fmt::Display> {
        #[error("key not found")]
        Missing { key: K },
        #[error("load failed")]
        #[class(source)]
        Load { source: io::Error, key: K },
        #[error("empty")]
        Empty,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(internal, context)]
    pub(crate) enum Wrap<E> {
        #[error("operation failed")]
        Failed {
            #[source]
            source: E,
            attempt: u32,
        },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    pub(crate) enum Parse<'a> {
        #[error("unexpected token {token}")]
        Unexpected { token: &'a str, line: usize },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(data, context)]
    pub(crate) enum Header<const N: usize> {
        #[error("bad header")]
        Bad {
            #[kv(debug)]
            bytes: [u8; N],
        },
    }

    #[test]
    fn selectors_of_a_generic_enum() {
        let err: Lookup<u64> = MissingCtx { key: 7_u32 }.build();
        assert!(matches!(err, Lookup::Missing { key: 7 }));
        assert_eq!(err.to_string(), "key not found. key=`7`");
        assert_eq!(err.code(), "Lookup::Missing");

        let found: Result<&str, Lookup<String>> = None.context(MissingCtx { key: "k1" });
        let err = found.unwrap_err();
        assert!(matches!(&err, Lookup::Missing { key } if key == "k1"));
        assert_eq!(err.to_string(), "key not found. key=`k1`");

        let loaded: Result<(), Lookup<i64>> =
            Err(io::Error::from(io::ErrorKind::NotFound)).context(LoadCtx { key: -3_i32 });
        let err = loaded.unwrap_err();
        assert_eq!(err.to_string(), "load failed. key=`-3`");
        assert_eq!(err.class(), Class::Invalid);
        assert_eq!(
            std::error::Error::source(&err).unwrap().to_string(),
            "entity not found"
        );

        let empty: Result<u8, Lookup<u8>> = EmptyCtx.fail();
        assert!(matches!(empty, Err(Lookup::Empty)));
    }

    #[test]
    fn selector_with_a_generic_source() {
        let err: Wrap<io::Error> = Err::<(), _>(io::Error::other("eio"))
            .context(FailedCtx { attempt: 2_u8 })
            .unwrap_err();
        assert!(matches!(&err, Wrap::Failed { attempt: 2, .. }));
        assert_eq!(err.to_string(), "operation failed. attempt=`2`");
        assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "eio");

        let err: Wrap<fmt::Error> = Err::<(), _>(fmt::Error)
            .context(FailedCtx { attempt: 9_u32 })
            .unwrap_err();
        assert_eq!(err.to_string(), "operation failed. attempt=`9`");
        assert_eq!(err.code(), "Wrap::Failed");
    }

    #[test]
    fn selectors_with_lifetimes_and_const_generics() {
        let input = String::from("fn x");
        let err: Parse<'_> = UnexpectedCtx {
            token: &input[..2],
            line: 3_u8,
        }
        .build();
        assert_eq!(err.to_string(), "unexpected token fn. line=`3`");

        let err = BadCtx { bytes: [1, 2, 3] }.build();
        assert!(matches!(err, Header::<3>::Bad { bytes: [1, 2, 3] }));
        assert_eq!(err.to_string(), "bad header. bytes=`[1, 2, 3]`");
        assert_eq!(err.class(), Class::Data);
    }
}

mod module_context {
    use std::io;

    use error_core::{Class, ClassifiedError, OptionExt, ResultExt};

    /// Two enums that share variant names: each puts its selectors in its own module.
    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context = module)]
    pub(crate) enum MyError {
        #[error("not found")]
        NotFound { key: String },
        #[error("io failed")]
        #[class(source)]
        Io { source: io::Error },
        #[error("closed")]
        #[class(closed)]
        Closed,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(denied, context = module)]
    pub(crate) enum OtherError {
        #[error("not found elsewhere")]
        NotFound { key: u32 },
        #[error("io refused")]
        Io(#[source] io::Error),
    }

    /// A private enum: its module's selectors are visible in this module.
    #[derive(Debug, ClassifiedError)]
    #[class(data, context = module)]
    enum Private {
        #[error("corrupt")]
        Corrupt { offset: u64 },
    }

    /// A struct, too.
    #[derive(Debug, ClassifiedError)]
    #[class(busy, context = module)]
    #[error("queue full")]
    pub(crate) struct QueueFull {
        pub(crate) depth: usize,
    }

    /// The names the default placement would have used are free in this module.
    #[allow(dead_code)]
    pub(crate) struct NotFoundCtx;
    #[allow(dead_code)]
    pub(crate) struct IoCtx(u8);
    #[allow(dead_code)]
    pub(crate) struct ClosedCtx;
    #[allow(dead_code)]
    pub(crate) struct CorruptCtx;
    #[allow(dead_code)]
    pub(crate) struct QueueFullCtx;

    #[test]
    fn selectors_live_in_the_snake_case_module() {
        let err = my_error::NotFoundCtx { key: "k" }.build();
        assert!(matches!(&err, MyError::NotFound { key } if key == "k"));
        assert_eq!(err.to_string(), "not found. key=`k`");

        let err = Err::<(), _>(io::Error::from(io::ErrorKind::BrokenPipe))
            .context(my_error::IoCtx)
            .unwrap_err();
        assert_eq!(err.to_string(), "io failed");
        assert_eq!(err.class(), Class::Transient);
        assert_eq!(err.code(), "MyError::Io");

        let err: MyError = None::<u8>.context(my_error::ClosedCtx).unwrap_err();
        assert!(matches!(err, MyError::Closed));

        let err = other_error::NotFoundCtx { key: 4_u8 }.build();
        assert!(matches!(err, OtherError::NotFound { key: 4 }));
        assert_eq!(err.class(), Class::Denied);
        let err = Err::<(), _>(io::Error::other("x"))
            .context(other_error::IoCtx)
            .unwrap_err();
        assert_eq!(err.to_string(), "io refused");

        let err = private::CorruptCtx { offset: 9_u32 }.build();
        assert_eq!(err.to_string(), "corrupt. offset=`9`");

        let err = queue_full::QueueFullCtx { depth: 3_u8 }.build();
        assert_eq!(err.to_string(), "queue full. depth=`3`");
        assert_eq!(err.class(), Class::Busy);
        let _ = (NotFoundCtx, IoCtx(0), ClosedCtx, CorruptCtx, QueueFullCtx);
    }
}

#[test]
fn module_selectors_are_reachable_with_the_enums_visibility() {
    // `MyError` is `pub(crate)`, so is `my_error` and what it holds.
    let err = module_context::my_error::NotFoundCtx { key: "outer" }.build();
    assert_eq!(err.to_string(), "not found. key=`outer`");
    let err = module_context::queue_full::QueueFullCtx { depth: 1_usize }.fail::<()>();
    assert_eq!(err.unwrap_err().depth, 1);
}

mod no_context {
    use error_core::{Class, ClassifiedError};

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context = none)]
    pub(crate) enum Quiet {
        #[error("alpha")]
        Alpha,
        #[error("beta")]
        Beta { n: u8 },
        #[error("gamma")]
        Gamma(#[source] std::io::Error),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(data, context = none)]
    #[error("corrupt")]
    pub(crate) struct Corrupt;

    // With no selectors generated, these hand-written items take the names (a unit struct
    // takes both the type and the value name) without a collision.
    #[derive(Debug, PartialEq)]
    pub(crate) struct AlphaCtx;
    #[derive(Debug, PartialEq)]
    pub(crate) struct BetaCtx {
        pub(crate) n: u8,
    }
    #[derive(Debug, PartialEq)]
    pub(crate) struct GammaCtx(pub(crate) &'static str);
    #[derive(Debug, PartialEq)]
    pub(crate) struct CorruptCtx;

    #[test]
    fn no_selectors_are_generated() {
        assert_eq!(AlphaCtx, AlphaCtx);
        assert_eq!(BetaCtx { n: 1 }.n, 1);
        assert_eq!(GammaCtx("g").0, "g");
        assert_eq!(format!("{CorruptCtx:?}"), "CorruptCtx");
        assert_eq!(Quiet::Alpha.to_string(), "alpha");
        assert_eq!(Quiet::Beta { n: 2 }.to_string(), "beta. n=`2`");
        assert_eq!(
            Quiet::Gamma(std::io::Error::other("x")).class(),
            Class::Invalid
        );
        assert_eq!(Corrupt.class(), Class::Data);
    }
}

#[derive(Debug, ClassifiedError)]
#[class(internal, context)]
enum Traced {
    #[error("replay failed")]
    #[class(source)]
    Replay {
        source: io::Error,
        path: String,
        backtrace: Backtrace,
    },
    #[error("missing")]
    Missing {
        key: u8,
        backtrace: Option<Backtrace>,
    },
    #[error("marked")]
    Marked {
        #[backtrace]
        trace: Backtrace,
        id: u8,
    },
}

#[test]
fn selectors_capture_the_backtrace() {
    // What `Backtrace::capture()` gives in this process (it depends on RUST_BACKTRACE).
    let expected: BacktraceStatus = Backtrace::capture().status();

    let err = Err::<(), _>(io::Error::from(io::ErrorKind::Interrupted))
        .context(ReplayCtx { path: "/wal" })
        .unwrap_err();
    let Traced::Replay {
        path, backtrace, ..
    } = &err
    else {
        panic!("not Replay: {err:?}");
    };
    assert_eq!(path, "/wal");
    assert_eq!(backtrace.status(), expected);
    assert_eq!(err.to_string(), "replay failed. path=`/wal`");
    assert_eq!(err.class(), Class::Transient);
    assert_eq!(visited(&err), ["path=/wal"]);

    let err = MissingCtx { key: 1 }.build();
    let Traced::Missing {
        key: 1,
        backtrace: Some(backtrace),
    } = &err
    else {
        panic!("not Missing with a backtrace: {err:?}");
    };
    assert_eq!(backtrace.status(), expected);
    assert_eq!(err.to_string(), "missing. key=`1`");

    let err = None::<u8>.context(MarkedCtx { id: 5 }).unwrap_err();
    let Traced::Marked { trace, id: 5 } = &err else {
        panic!("not Marked: {err:?}");
    };
    assert_eq!(trace.status(), expected);
    assert_eq!(err.to_string(), "marked. id=`5`");
}

#[derive(Debug, ClassifiedError)]
#[class(conflict, context)]
#[error("version mismatch")]
struct VersionMismatch {
    expected: u64,
    found: u64,
}

#[derive(Debug, ClassifiedError)]
#[class(source, context)]
#[error("commit failed")]
struct CommitFailed {
    source: VersionMismatch,
    txn: u64,
}

#[derive(Debug, ClassifiedError)]
#[class(closed, context)]
#[error("database is closed")]
struct DbClosed;

#[derive(Debug, ClassifiedError)]
#[class(invalid, context)]
#[error("bad status")]
struct BadStatus(u16);

#[derive(Debug, ClassifiedError)]
#[class(fatal, context)]
#[error("storage fault")]
struct StorageFault(#[source] io::Error);

#[test]
fn struct_selectors() {
    let err = VersionMismatchCtx {
        expected: 3_u8,
        found: 4_u32,
    }
    .build();
    assert_eq!(err.expected, 3);
    assert_eq!(err.found, 4);
    assert_eq!(err.to_string(), "version mismatch. expected=`3`, found=`4`");

    let err = Err::<(), _>(err)
        .context(CommitFailedCtx { txn: 7_u32 })
        .unwrap_err();
    assert_eq!(err.txn, 7);
    assert_eq!(err.source.found, 4);
    assert_eq!(err.to_string(), "commit failed. txn=`7`");
    assert_eq!(err.class(), Class::Conflict);
    assert_eq!(err.code(), "CommitFailed");

    let err = None::<()>.context(DbClosedCtx).unwrap_err();
    assert_eq!(err.to_string(), "database is closed");
    assert_eq!(err.class(), Class::Closed);
    let DbClosed = DbClosedCtx.build();
    assert!(DbClosedCtx.fail::<u8>().is_err());

    let err = BadStatusCtx { 0: 404_u16 }.build();
    assert_eq!(err.0, 404);
    assert_eq!(err.to_string(), "bad status. 0=`404`");

    let err = Err::<(), _>(io::Error::other("dead"))
        .context(StorageFaultCtx)
        .unwrap_err();
    assert_eq!(err.to_string(), "storage fault");
    assert_eq!(err.0.to_string(), "dead");
    assert_eq!(err.class(), Class::Fatal);
}

/// A chain of layers, each adding its context with `?`.
mod layers {
    use error_core::{Class, ClassifiedError, Report, ResultExt};

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    #[error("replica already exists")]
    pub(crate) struct Exists;

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    pub(crate) enum ServiceError {
        #[error("failed to publish")]
        #[class(source)]
        Publish { source: Exists, nexus: String },
    }

    #[derive(Debug, ClassifiedError)]
    #[class(context)]
    pub(crate) enum ApiError {
        #[error("request failed")]
        #[class(source)]
        Request { source: ServiceError, id: u32 },
    }

    fn storage() -> Result<(), Exists> {
        Err(Exists)
    }

    fn service(nexus: &str) -> Result<(), ServiceError> {
        storage().context(PublishCtx { nexus })?;
        Ok(())
    }

    fn api(id: u32) -> Result<(), ApiError> {
        service("nx1").with_context(|| RequestCtx { id })?;
        Ok(())
    }

    #[test]
    fn three_layers() {
        let err = api(5).unwrap_err();
        assert_eq!(err.class(), Class::Invalid);
        assert_eq!(
            Report::new(&err).to_string(),
            "request failed. id=`5`: failed to publish. nexus=`nx1`: replica already exists"
        );
    }
}

mod tuple_selector_call_syntax {
    use std::io;

    use error_core::{ClassifiedError, OptionExt, ResultExt};

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    enum TupleError {
        #[error("tuple failed")]
        #[class(source)]
        Wrapped(#[source] io::Error, u32, String),
        #[error("bad index")]
        Leaf(u64, String),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    #[error("bad status")]
    struct BadStatus(u16);

    #[test]
    fn tuple_selectors_are_called_like_tuple_structs() {
        let err = Err::<(), _>(io::Error::other("x"))
            .context(WrappedCtx(9_u8, "n1"))
            .unwrap_err();
        assert_eq!(err.to_string(), "tuple failed. 1=`9`, 2=`n1`");
        let err = LeafCtx(12_u32, "idx").build();
        assert_eq!(err.to_string(), "bad index. 0=`12`, 1=`idx`");
        let err = None::<()>.context(LeafCtx(1_u8, "i")).unwrap_err();
        assert_eq!(err.to_string(), "bad index. 0=`1`, 1=`i`");
        assert_eq!(BadStatusCtx(404_u16).build().0, 404);
    }
}

mod module_context_with_pub_in_crate_path {
    pub(crate) mod outer {
        pub(crate) mod inner {
            use error_core::ClassifiedError;

            #[derive(Debug, ClassifiedError)]
            #[class(invalid, context = module)]
            pub(in crate::module_context_with_pub_in_crate_path::outer) enum Scoped {
                #[error("scoped")]
                Scoped { n: u8 },
            }
        }

        #[test]
        fn selectors_keep_an_absolute_restricted_visibility() {
            let err = inner::scoped::ScopedCtx { n: 1_u8 }.build();
            assert_eq!(err.to_string(), "scoped. n=`1`");
        }
    }
}

mod selector_derives_use_absolute_paths {
    use error_core::{ClassifiedError, OptionExt};
    #[allow(unused_imports)]
    use thiserror::Error as Clone;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid, context)]
    enum Shadowed {
        #[error("x")]
        X { n: u8 },
        #[error("unit")]
        Unit,
    }

    #[test]
    fn a_derive_named_clone_in_scope_changes_nothing() {
        let selector = XCtx { n: 1_u8 };
        assert_eq!(selector.build().to_string(), "x. n=`1`");
        let err: Shadowed = None::<()>.context(UnitCtx).unwrap_err();
        assert_eq!(err.to_string(), "unit");
    }
}

mod module_context_with_a_super_relative_field_type {
    use std::fmt;

    #[derive(Debug)]
    pub(crate) struct Thing(pub(crate) u8);

    impl fmt::Display for Thing {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "thing {}", self.0)
        }
    }

    mod inner {
        use error_core::ClassifiedError;

        #[derive(Debug, ClassifiedError)]
        #[class(invalid, context = module)]
        pub(crate) enum Inner {
            #[error("bad thing")]
            Bad { thing: super::Thing },
        }

        #[test]
        fn a_super_path_in_a_field_type() {
            let err = inner::BadCtx {
                thing: super::Thing(1),
            }
            .build();
            assert_eq!(err.to_string(), "bad thing. thing=`thing 1`");
        }
    }
}

/// A selector's `Secret` field takes what the `Secret` converts from: a `&str` or a
/// `String` for a `Secret<String>`.
mod secret {
    use error_core::{ClassifiedError, OptionExt as _, Secret};

    #[derive(Debug, ClassifiedError)]
    #[class(denied, context)]
    pub(crate) enum LoginError {
        #[error("login refused")]
        Refused {
            user: String,
            #[kv(redact)]
            password: Secret<String>,
        },
    }

    #[test]
    fn a_selector_fills_a_secret_field_from_a_str() {
        let e = RefusedCtx {
            user: "ann",
            password: "hunter2",
        }
        .build();
        assert_eq!(
            e.to_string(),
            "login refused. user=`ann`, password=`<redacted>`"
        );
        let LoginError::Refused { password, .. } = &e;
        assert_eq!(password.expose(), "hunter2");

        let missing: Option<u8> = None;
        let e = missing
            .context(RefusedCtx {
                user: "bob",
                password: String::from("s3cr3t"),
            })
            .unwrap_err();
        assert_eq!(
            format!("{e:?}"),
            r#"Refused { user: "bob", password: <redacted> }"#
        );
    }
}
