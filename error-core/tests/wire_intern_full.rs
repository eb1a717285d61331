//! The process-wide tables of decoded codes and keys are bounded: once full, a new code
//! becomes its status's fallback and a new key's field is dropped, while codes and keys
//! already kept still come back as themselves. In its own test binary, since it fills the
//! tables for the whole process.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use error_core::wire::grpc::{self, pb};
use error_core::wire::{MAX_INTERNED, Rejection, interned};
use error_core::{Class, ClassifiedError, Value};
use prost::Message as _;

fn status(code: &str, key: &str) -> tonic::Status {
    let info = pb::ErrorInfo {
        reason: String::new(),
        domain: "d".into(),
        metadata: vec![
            pb::MetadataEntry {
                key: "code".into(),
                value: code.into(),
            },
            pb::MetadataEntry {
                key: "class".into(),
                value: "busy".into(),
            },
            pb::MetadataEntry {
                key: key.into(),
                value: "v".into(),
            },
        ],
    };
    let rpc = pb::Status {
        code: tonic::Code::Unavailable as i32,
        message: "m".into(),
        details: vec![pb::Any {
            type_url: grpc::ERROR_INFO_TYPE_URL.into(),
            value: info.encode_to_vec(),
        }],
    };
    tonic::Status::with_details(tonic::Code::Unavailable, "m", rpc.encode_to_vec().into())
}

fn keys(error: &error_core::Error) -> Vec<&'static str> {
    let mut keys = Vec::new();
    error.visit_fields(&mut |key: &'static str, _: Value<'_>| keys.push(key));
    keys
}

#[test]
fn a_full_table_falls_back_and_keeps_what_it_has() {
    let first = grpc::decode(&status("kept.code", "kept_key"));
    assert_eq!(first.code(), "kept.code");

    for i in 0..MAX_INTERNED + 10 {
        let _ = grpc::decode(&status(&format!("flood.{i}"), &format!("k{i}")));
    }
    assert_eq!(interned(), (MAX_INTERNED, MAX_INTERNED));

    let late = grpc::decode(&status("late.code", "late_key"));
    assert_eq!(late.class(), Class::Busy);
    assert_eq!(late.code(), "grpc.UNAVAILABLE");
    assert!(keys(&late).is_empty());
    assert_eq!(
        late.remote().unwrap().rejections(),
        [Rejection::FieldsDropped(1), Rejection::CodeTableFull]
    );

    // What was kept before the flood is still itself, and is the same string.
    let again = grpc::decode(&status("kept.code", "kept_key"));
    assert_eq!(again.code(), "kept.code");
    assert!(std::ptr::eq(again.code(), first.code()));
    assert_eq!(keys(&again), ["kept_key"]);
    assert_eq!(interned(), (MAX_INTERNED, MAX_INTERNED));
}
