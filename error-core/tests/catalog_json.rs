//! The catalog's JSON, with the `serde` feature: the exact text `serde_json` writes for an
//! entry of each class rule, a redacted field, a constant retry hint, and a list of types.
#![cfg(feature = "serde")]
// The errors are never made: the tests read their catalogs.
#![allow(dead_code)]

use error_core::{Catalog, Class, ClassifiedError};

fn store_class(_: &std::io::Error) -> Class {
    Class::Transient
}

mod raft {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    #[class(data)]
    pub(crate) enum ProposeError {
        #[error("not the leader")]
        #[class(redirect, code = "raft.not_leader")]
        NotLeader { leader_hint: u64 },
        #[error("too many pending proposals")]
        #[class(busy, retry_after_ms = 50, level = error)]
        Busy { pending: usize, max: usize },
        #[error("storage fault")]
        #[class(fatal, status = data_loss, code = "raft.storage")]
        Storage {
            #[source]
            source: std::io::Error,
            #[kv(redact)]
            path: error_core::Secret<String>,
        },
        #[error("apply failed")]
        #[class(source)]
        Apply(#[source] error_core::Error),
        #[error("snapshot store failed")]
        #[class(with = crate::store_class)]
        Snapshot(#[source] std::io::Error),
        #[error(transparent)]
        Other(std::io::Error),
    }

    #[derive(Debug, ClassifiedError)]
    #[class(closed)]
    #[error("runtime is shutting down")]
    pub(crate) struct Shutdown;
}

#[test]
fn an_entry_of_each_kind() {
    let json = serde_json::to_string_pretty(&raft::ProposeError::ENTRIES).unwrap();
    assert_eq!(
        json,
        r#"{
  "type_name": "catalog_json::raft::ProposeError",
  "entries": [
    {
      "name": "NotLeader",
      "code": "raft.not_leader",
      "class": "redirect",
      "class_rule": "fixed",
      "fallback_class": null,
      "status": "unavailable",
      "level": "warn",
      "retry_after_ms": null,
      "message": "not the leader",
      "fields": [
        {
          "name": "leader_hint",
          "redacted": false
        }
      ]
    },
    {
      "name": "Busy",
      "code": "ProposeError::Busy",
      "class": "busy",
      "class_rule": "fixed",
      "fallback_class": null,
      "status": "resource_exhausted",
      "level": "error",
      "retry_after_ms": 50,
      "message": "too many pending proposals",
      "fields": [
        {
          "name": "pending",
          "redacted": false
        },
        {
          "name": "max",
          "redacted": false
        }
      ]
    },
    {
      "name": "Storage",
      "code": "raft.storage",
      "class": "fatal",
      "class_rule": "fixed",
      "fallback_class": null,
      "status": "data_loss",
      "level": "error",
      "retry_after_ms": null,
      "message": "storage fault",
      "fields": [
        {
          "name": "path",
          "redacted": true
        }
      ]
    },
    {
      "name": "Apply",
      "code": "ProposeError::Apply",
      "class": null,
      "class_rule": "source",
      "fallback_class": null,
      "status": null,
      "level": null,
      "retry_after_ms": null,
      "message": "apply failed",
      "fields": []
    },
    {
      "name": "Snapshot",
      "code": "ProposeError::Snapshot",
      "class": null,
      "class_rule": "function",
      "fallback_class": null,
      "status": null,
      "level": null,
      "retry_after_ms": null,
      "message": "snapshot store failed",
      "fields": []
    },
    {
      "name": "Other",
      "code": "ProposeError::Other",
      "class": null,
      "class_rule": "transparent",
      "fallback_class": "data",
      "status": null,
      "level": null,
      "retry_after_ms": null,
      "message": "",
      "fields": []
    }
  ]
}"#
    );
}

/// A list of types is an array of them; an entry alone is the same object as in its list.
#[test]
fn a_list_of_types_and_an_entry_alone() {
    let catalogs = [raft::Shutdown::ENTRIES];
    assert_eq!(
        serde_json::to_string(&catalogs).unwrap(),
        r#"[{"type_name":"catalog_json::raft::Shutdown","entries":[{"name":"Shutdown","code":"Shutdown","class":"closed","class_rule":"fixed","fallback_class":null,"status":"unavailable","level":"info","retry_after_ms":null,"message":"runtime is shutting down","fields":[]}]}]"#
    );

    let err = raft::ProposeError::NotLeader { leader_hint: 2 };
    assert_eq!(
        serde_json::to_string(&err.entry()).unwrap(),
        r#"{"name":"NotLeader","code":"raft.not_leader","class":"redirect","class_rule":"fixed","fallback_class":null,"status":"unavailable","level":"warn","retry_after_ms":null,"message":"not the leader","fields":[{"name":"leader_hint","redacted":false}]}"#
    );
}
