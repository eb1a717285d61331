//! The "Done when" snippet of the error-core / derive issue, as written.

use std::time::Duration;

use error_core::{Class, ClassifiedError, Retriable};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ProposeError {
    #[error("not the leader")]
    #[class(redirect)]
    NotLeader { leader_hint: u64 },
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
    #[error("too many pending proposals")]
    #[class(busy, retry_after_ms = 50)]
    Busy { pending: usize, max: usize },
    #[error("runtime is shutting down")]
    #[class(closed)]
    Shutdown,
    #[error("storage fault")]
    #[class(fatal, code = "raft.storage")]
    Fatal {
        #[source]
        source: std::io::Error,
        #[kv(redact)]
        path: error_core::Secret<String>,
    },
}

#[test]
fn done_when() {
    let e = ProposeError::NotLeader { leader_hint: 3 };
    assert_eq!(e.to_string(), "not the leader. leader_hint=`3`");
    assert_eq!(e.class(), Class::Redirect);
    assert!(e.is_retriable() && !e.is_fatal());
    assert_eq!(e.code(), "ProposeError::NotLeader");

    let e = ProposeError::Busy {
        pending: 12,
        max: 12,
    };
    assert_eq!(
        e.to_string(),
        "too many pending proposals. pending=`12`, max=`12`"
    );
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));

    let io = std::io::Error::other("disk gone");
    let e = ProposeError::Fatal {
        source: io,
        path: "/var/lib/raft".into(),
    };
    assert_eq!(e.to_string(), "storage fault. path=`<redacted>`");
    assert!(e.is_fatal() && !e.is_retriable());
    assert_eq!(e.code(), "raft.storage");
    assert_eq!(
        std::error::Error::source(&e).unwrap().to_string(),
        "disk gone"
    );
    assert_eq!(ProposeError::Shutdown.class(), Class::Closed);
    assert_eq!(ProposeError::NoLeader.to_string(), "no leader");
    assert_eq!(ProposeError::NoLeader.retry_after(), None);
}
