//! Property tests of the wire encoders: what a server sends, a client reads back, for
//! errors made of arbitrary parts; and `reason` always gives an AIP-193 reason.
//!
//! In its own test binary: the decoders' fuzzing fills the process-wide tables of codes
//! and keys with random strings, after which new codes become fallbacks, as designed.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use error_core::wire::grpc;
use error_core::wire::{
    MAX_FIELDS, MAX_MESSAGE_LEN, MAX_RETRY_AFTER, MAX_VALUE_LEN, is_code, is_key, is_reason,
    problem, reason, remote_class,
};
use error_core::{Class, ClassifiedError, Error, Value, Visit};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// `WIRE_PROPS_CASES`, default 10,000: these check the encoders, on inputs we make; the
/// decoders' 100,000 untrusted inputs each are `wire_fuzz.rs`'s.
fn cases() -> u32 {
    std::env::var("WIRE_PROPS_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

fn check(error: &Error) {
    let remote = error.remote().expect("a decoded error");
    assert!(is_code(error.code()));
    assert!(remote.message().len() <= MAX_MESSAGE_LEN);
    assert!(
        error
            .retry_after()
            .is_none_or(|after| after <= MAX_RETRY_AFTER)
    );
}

/// Field values and codes: plausible ones, any characters, and long ones. (Proptest's
/// regex and `String` strategies cost about a millisecond an input in a debug build; these
/// are cheap.)
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::collection::vec(
            prop::sample::select(
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:/- ".to_vec()
            ),
            0..40
        )
        .prop_map(|bytes| String::from_utf8(bytes).unwrap()),
        prop::collection::vec(any::<char>(), 0..40).prop_map(|c| c.into_iter().collect()),
        (1000usize..1100).prop_map(|n| "é".repeat(n / 2)),
    ]
}

/// An error made of arbitrary parts, to check that encoding keeps what it may keep.
#[derive(Debug)]
struct Arbitrary {
    class: Class,
    code: &'static str,
    retry_after: Option<Duration>,
    fields: Vec<(&'static str, Option<String>)>,
}

impl std::fmt::Display for Arbitrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("arbitrary")
    }
}

impl std::error::Error for Arbitrary {}

impl ClassifiedError for Arbitrary {
    fn class(&self) -> Class {
        self.class
    }
    fn code(&self) -> &'static str {
        self.code
    }
    fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
    fn visit_fields(&self, visitor: &mut dyn Visit) {
        for (key, value) in &self.fields {
            match value {
                Some(value) => visitor.visit(key, Value::Display(value)),
                None => visitor.visit(key, Value::Redacted),
            }
        }
    }
}

fn arbitrary_error() -> impl Strategy<Value = Arbitrary> {
    (
        prop::sample::select(Class::ALL.to_vec()),
        prop::sample::select(vec![
            "Enum::Variant",
            "raft.storage",
            "std::io::ErrorKind::TimedOut",
            "x",
        ]),
        proptest::option::of((0u64..120_000).prop_map(Duration::from_millis)),
        prop::collection::vec(
            (
                prop::sample::select(vec![
                    "node", "key", "code", "class", "field-x", "bad key", "k_2", "0",
                ]),
                proptest::option::of(text()),
            ),
            0..8,
        ),
    )
        .prop_map(|(class, code, retry_after, fields)| Arbitrary {
            class,
            code,
            retry_after,
            fields,
        })
}

fn sent_fields(error: &Arbitrary) -> Vec<(String, String)> {
    error
        .fields
        .iter()
        .filter_map(|(key, value)| {
            let value = value.as_ref()?;
            if !is_key(key) {
                return None;
            }
            let mut end = value.len().min(MAX_VALUE_LEN);
            while !value.is_char_boundary(end) {
                end -= 1;
            }
            Some(((*key).to_owned(), value[..end].to_owned()))
        })
        .take(MAX_FIELDS)
        .collect()
}

fn got_fields(error: &Error) -> Vec<(String, String)> {
    let mut out = Vec::new();
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        out.push((key.to_owned(), value.to_string()));
    });
    out
}

#[test]
fn encode_then_decode_keeps_what_it_may() {
    proptest!(config(), |(error in arbitrary_error())| {
        let expected_hint = error.retry_after.map(|after| after.min(MAX_RETRY_AFTER));
        let status = grpc::Encoder::new("fuzz").encode(&error);
        let decoded = grpc::decode(&status);
        check(&decoded);
        prop_assert_eq!(decoded.class(), remote_class(error.class));
        prop_assert_eq!(decoded.code(), error.code);
        prop_assert_eq!(decoded.retry_after(), expected_hint);
        prop_assert_eq!(got_fields(&decoded), sent_fields(&error));

        let (parts, body) = problem::to_response(&error).into_parts();
        let decoded = problem::decode(parts.status, &parts.headers, &body);
        check(&decoded);
        prop_assert_eq!(decoded.class(), remote_class(error.class));
        prop_assert_eq!(decoded.code(), error.code);
        prop_assert_eq!(decoded.retry_after(), expected_hint);
        prop_assert_eq!(got_fields(&decoded), sent_fields(&error));
    });
}

#[test]
fn reasons_are_always_in_aip_193_form() {
    proptest!(config(), |(code in text())| {
        let reason = reason(&code);
        prop_assert!(is_reason(&reason), "{:?} -> {:?}", code, reason);
        prop_assert_eq!(reason.clone(), error_core::wire::reason(&code));
    });
}
