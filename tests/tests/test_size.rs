//! The derive adds impls, never data: an enum deriving `ClassifiedError` is exactly as big
//! as the same enum deriving `thiserror::Error`.

use std::mem::{align_of, size_of};
use std::time::Duration;

use error_core::ClassifiedError;

mod classified {
    use super::{ClassifiedError, Duration};

    #[derive(Debug, ClassifiedError)]
    #[class(transient)]
    pub(crate) enum Propose {
        #[error("not the leader")]
        #[class(redirect)]
        NotLeader { leader_hint: u64 },
        #[error("no leader")]
        NoLeader,
        #[error("too many pending proposals")]
        #[class(busy, retry_after_ms = 50)]
        Busy { pending: usize, max: usize },
        #[error("throttled")]
        #[class(busy)]
        Throttled {
            #[retry_after]
            wait: Option<Duration>,
        },
        #[error("storage fault")]
        #[class(fatal)]
        Fatal {
            #[source]
            source: std::io::Error,
            #[kv(redact)]
            path: error_core::Secret<String>,
        },
        #[error("bad number")]
        #[class(invalid)]
        Parse(#[from] std::num::ParseIntError),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(closed)]
    #[error("closed")]
    pub(crate) struct Unit;

    #[derive(Debug, ClassifiedError)]
    #[class(invalid)]
    pub(crate) enum Small {
        #[error("a")]
        A,
        #[error("b")]
        B(u8),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("boxed")]
    pub(crate) struct Boxed(#[source] pub(crate) Box<dyn std::error::Error + Send + Sync>);
}

mod this {
    use super::Duration;

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum Propose {
        #[error("not the leader")]
        NotLeader { leader_hint: u64 },
        #[error("no leader")]
        NoLeader,
        #[error("too many pending proposals")]
        Busy { pending: usize, max: usize },
        #[error("throttled")]
        Throttled { wait: Option<Duration> },
        #[error("storage fault")]
        Fatal {
            #[source]
            source: std::io::Error,
            path: String,
        },
        #[error("bad number")]
        Parse(#[from] std::num::ParseIntError),
    }

    #[derive(Debug, thiserror::Error)]
    #[error("closed")]
    pub(crate) struct Unit;

    #[derive(Debug, thiserror::Error)]
    pub(crate) enum Small {
        #[error("a")]
        A,
        #[error("b")]
        B(u8),
    }

    #[derive(Debug, thiserror::Error)]
    #[error("boxed")]
    pub(crate) struct Boxed(#[source] pub(crate) Box<dyn std::error::Error + Send + Sync>);
}

#[test]
fn same_size_and_alignment_as_thiserror() {
    assert_eq!(size_of::<classified::Propose>(), size_of::<this::Propose>());
    assert_eq!(
        align_of::<classified::Propose>(),
        align_of::<this::Propose>()
    );
    assert_eq!(size_of::<classified::Unit>(), 0);
    assert_eq!(size_of::<classified::Unit>(), size_of::<this::Unit>());
    assert_eq!(size_of::<classified::Small>(), 2);
    assert_eq!(size_of::<classified::Small>(), size_of::<this::Small>());
    assert_eq!(size_of::<classified::Boxed>(), size_of::<this::Boxed>());
    assert_eq!(
        size_of::<Option<classified::Propose>>(),
        size_of::<Option<this::Propose>>()
    );
    assert_eq!(
        size_of::<Result<(), classified::Propose>>(),
        size_of::<Result<(), this::Propose>>()
    );
}

#[test]
fn the_compared_types_are_used() {
    let e = classified::Propose::from("x".parse::<u8>().unwrap_err());
    assert_eq!(e.to_string(), "bad number");
    let t = this::Propose::from("x".parse::<u8>().unwrap_err());
    assert_eq!(t.to_string(), "bad number");
    let all = [
        classified::Propose::NotLeader { leader_hint: 1 },
        classified::Propose::NoLeader,
        classified::Propose::Busy { pending: 1, max: 2 },
        classified::Propose::Throttled { wait: None },
        classified::Propose::Fatal {
            source: std::io::Error::other("eio"),
            path: "/p".into(),
        },
    ];
    let codes: Vec<&str> = all.iter().map(ClassifiedError::code).collect();
    assert_eq!(
        codes,
        [
            "Propose::NotLeader",
            "Propose::NoLeader",
            "Propose::Busy",
            "Propose::Throttled",
            "Propose::Fatal"
        ]
    );
    let this_all = [
        this::Propose::NotLeader { leader_hint: 1 },
        this::Propose::NoLeader,
        this::Propose::Busy { pending: 1, max: 2 },
        this::Propose::Throttled { wait: None },
        this::Propose::Fatal {
            source: std::io::Error::other("eio"),
            path: "/p".into(),
        },
    ];
    let messages: Vec<String> = this_all.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "not the leader",
            "no leader",
            "too many pending proposals",
            "throttled",
            "storage fault"
        ]
    );
    assert_eq!(classified::Unit.to_string(), this::Unit.to_string());
    assert_eq!(classified::Small::B(1).to_string(), "b. 0=`1`");
    assert_eq!(this::Small::B(1).to_string(), "b");
    assert_eq!(classified::Small::A.to_string(), this::Small::A.to_string());
    let b = classified::Boxed("x".into());
    let t = this::Boxed("x".into());
    assert_eq!(b.to_string(), t.to_string());
}
