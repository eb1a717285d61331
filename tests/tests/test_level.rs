//! `Level`: the default from the class, the derive's `level = ..`, its delegation through
//! `#[class(source)]` and `#[error(transparent)]`, and `Display`.

use std::io;

use error_core::{Class, ClassifiedError, Level};

#[test]
fn level_from_class() {
    let expected = [
        (Class::Transient, Level::Warn),
        (Class::Busy, Level::Warn),
        (Class::Redirect, Level::Warn),
        (Class::Conflict, Level::Warn),
        (Class::Invalid, Level::Info),
        (Class::Denied, Level::Info),
        (Class::Closed, Level::Info),
        (Class::Data, Level::Error),
        (Class::Fatal, Level::Error),
        (Class::Internal, Level::Error),
    ];
    let classes: Vec<Class> = expected.iter().map(|row| row.0).collect();
    assert_eq!(classes, Class::ALL);
    for (class, level) in expected {
        assert_eq!(Level::from_class(class), level, "{class}");
    }
}

#[test]
fn level_names_and_display() {
    let expected = [
        (Level::Error, "error"),
        (Level::Warn, "warn"),
        (Level::Info, "info"),
        (Level::Debug, "debug"),
        (Level::Trace, "trace"),
    ];
    for (level, name) in expected {
        assert_eq!(level.as_str(), name);
        assert_eq!(level.to_string(), name);
        assert_eq!(format!("{level}"), name);
    }
    assert_eq!(format!("[{:>6}]", Level::Warn), "[  warn]");
    assert_eq!(format!("[{:<6}]", Level::Info), "[info  ]");
    assert_eq!(format!("[{:^7}]", Level::Debug), "[ debug ]");
    assert_eq!(format!("{:?}", Level::Trace), "Trace");
}

#[derive(Debug, ClassifiedError)]
enum EveryClass {
    #[error("transient")]
    #[class(transient)]
    Transient,
    #[error("busy")]
    #[class(busy)]
    Busy,
    #[error("redirect")]
    #[class(redirect)]
    Redirect,
    #[error("conflict")]
    #[class(conflict)]
    Conflict,
    #[error("invalid")]
    #[class(invalid)]
    Invalid,
    #[error("denied")]
    #[class(denied)]
    Denied,
    #[error("closed")]
    #[class(closed)]
    Closed,
    #[error("data")]
    #[class(data)]
    Data,
    #[error("fatal")]
    #[class(fatal)]
    Fatal,
    #[error("internal")]
    #[class(internal)]
    Internal,
}

#[test]
fn derived_level_defaults_from_the_class() {
    let cases = [
        (EveryClass::Transient, Level::Warn),
        (EveryClass::Busy, Level::Warn),
        (EveryClass::Redirect, Level::Warn),
        (EveryClass::Conflict, Level::Warn),
        (EveryClass::Invalid, Level::Info),
        (EveryClass::Denied, Level::Info),
        (EveryClass::Closed, Level::Info),
        (EveryClass::Data, Level::Error),
        (EveryClass::Fatal, Level::Error),
        (EveryClass::Internal, Level::Error),
    ];
    for (e, level) in cases {
        assert_eq!(e.level(), level, "{e:?}");
        assert_eq!(e.level(), Level::from_class(e.class()), "{e:?}");
    }
}

#[derive(Debug, ClassifiedError)]
#[class(transient)]
enum Raft {
    #[error("no leader")]
    NoLeader,
    #[error("leader changed")]
    #[class(level = debug)]
    LeaderChanged { term: u64 },
    #[error("heartbeat")]
    #[class(level = trace)]
    Heartbeat,
    #[error("stale read")]
    #[class(invalid, level = warn)]
    StaleRead,
    #[error("storage fault")]
    #[class(fatal, level = info)]
    Storage,
    #[error("replicated")]
    #[class(busy, level = error, code = "raft.replicated")]
    Replicated,
}

#[test]
fn level_override() {
    assert_eq!(Raft::NoLeader.level(), Level::Warn);
    let e = Raft::LeaderChanged { term: 3 };
    assert_eq!(e.level(), Level::Debug);
    // The level is not the class: the class stays the enum's default.
    assert_eq!(e.class(), Class::Transient);
    assert_eq!(e.status(), error_core::Status::Unavailable);
    assert_eq!(Raft::Heartbeat.level(), Level::Trace);
    assert_eq!(Raft::StaleRead.level(), Level::Warn);
    assert_eq!(Raft::StaleRead.class(), Class::Invalid);
    assert_eq!(Raft::Storage.level(), Level::Info);
    assert_eq!(Raft::Storage.class(), Class::Fatal);
    assert_eq!(Raft::Replicated.level(), Level::Error);
    assert_eq!(Raft::Replicated.code(), "raft.replicated");
}

#[derive(Debug, ClassifiedError)]
enum Service {
    #[error("propose failed")]
    #[class(source)]
    Propose { source: Raft, id: u64 },
    #[error(transparent)]
    Raft(Raft),
    #[error("overridden")]
    #[class(source, level = info)]
    Overridden { source: Raft },
    #[error("own class")]
    #[class(internal)]
    OwnClass { source: Raft },
    #[error("io")]
    #[class(source)]
    Io { source: io::Error },
}

#[derive(Debug, ClassifiedError)]
enum Api {
    #[error("request failed")]
    #[class(source)]
    Request { source: Service },
    #[error(transparent)]
    Service(Service),
}

#[derive(Debug, ClassifiedError)]
#[class(closed, level = debug)]
#[error("shutting down")]
struct ShuttingDown;

#[derive(Debug, ClassifiedError)]
#[class(source)]
#[error("struct wrapper")]
struct StructWrapper {
    source: Raft,
}

#[test]
fn level_delegates_through_class_source_and_transparent() {
    let e = Service::Propose {
        source: Raft::LeaderChanged { term: 1 },
        id: 9,
    };
    assert_eq!(e.level(), Level::Debug);
    assert_eq!(e.class(), Class::Transient);

    let e = Service::Raft(Raft::Heartbeat);
    assert_eq!(e.level(), Level::Trace);

    let e = Api::Request {
        source: Service::Raft(Raft::LeaderChanged { term: 2 }),
    };
    assert_eq!(e.level(), Level::Debug);
    let e = Api::Service(Service::Propose {
        source: Raft::Heartbeat,
        id: 1,
    });
    assert_eq!(e.level(), Level::Trace);
    let e = Api::Request {
        source: Service::Propose {
            source: Raft::NoLeader,
            id: 1,
        },
    };
    assert_eq!(e.level(), Level::Warn);

    let e = StructWrapper {
        source: Raft::Storage,
    };
    assert_eq!(e.level(), Level::Info);
    assert_eq!(e.class(), Class::Fatal);

    // io::Error has no level of its own: its class's.
    let e = Service::Io {
        source: io::Error::from(io::ErrorKind::ConnectionReset),
    };
    assert_eq!(e.level(), Level::Warn);
    let e = Service::Io {
        source: io::Error::other("bug"),
    };
    assert_eq!(e.level(), Level::Error);

    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(dyn_err.level(), Level::Error);
    assert_eq!(Box::new(Raft::Heartbeat).level(), Level::Trace);
}

#[test]
fn a_variants_own_level_wins_over_its_sources() {
    let e = Service::Overridden {
        source: Raft::Heartbeat,
    };
    assert_eq!(e.level(), Level::Info);
    assert_eq!(e.class(), Class::Transient);
    let e = Api::Request {
        source: Service::Overridden {
            source: Raft::Replicated,
        },
    };
    assert_eq!(e.level(), Level::Info);

    // A variant with a class of its own does not delegate: its class's level.
    let e = Service::OwnClass {
        source: Raft::Heartbeat,
    };
    assert_eq!(e.level(), Level::Error);
}

#[test]
fn struct_level_and_the_boundary_error() {
    assert_eq!(ShuttingDown.level(), Level::Debug);
    assert_eq!(ShuttingDown.class(), Class::Closed);

    let boundary = error_core::Error::from(Api::Request {
        source: Service::Raft(Raft::Heartbeat),
    });
    assert_eq!(boundary.level(), Level::Trace);
    assert_eq!(error_core::Error::busy("x").level(), Level::Warn);
    assert_eq!(
        error_core::Error::busy("x")
            .with_level(Level::Debug)
            .level(),
        Level::Debug
    );
}
