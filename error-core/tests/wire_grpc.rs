//! `wire::grpc`: the encoder's exact output, read back by the reference implementation
//! (`tonic-types`) and by ours; what the decoder believes of what it is sent.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::time::Duration;

use error_core::wire::grpc::{self, Encoder, pb};
use error_core::wire::{Exposure, MAX_FIELDS, MAX_RETRY_AFTER, MAX_VALUE_LEN, Rejection, Remote};
use error_core::{Class, ClassifiedError, Error, Report, Retriable as _, Secret, Value, Visit};
use prost::Message as _;
use tonic_types::{ErrorDetails, StatusExt as _};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ProposeError {
    #[error("not the leader")]
    #[class(redirect)]
    NotLeader { leader_hint: u64 },
    #[error("too many pending proposals")]
    #[class(busy, retry_after_ms = 2000)]
    Busy { pending: usize, max: usize },
    #[error("storage fault")]
    #[class(fatal, code = "raft.storage")]
    Fatal {
        #[source]
        source: std::io::Error,
        #[kv(redact)]
        path: Secret<String>,
        segment: u64,
    },
}

fn fields(error: &dyn ClassifiedError) -> Vec<(String, String)> {
    let mut out = Vec::new();
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        out.push((key.to_owned(), value.to_string()));
    });
    out
}

fn remote(error: &Error) -> &Remote {
    error.remote().expect("a decoded error")
}

fn rpc_status(status: &tonic::Status) -> pb::Status {
    pb::Status::decode(status.details()).unwrap()
}

#[test]
fn busy_is_encoded_exactly_and_tonic_types_reads_it() {
    let status = Encoder::new("kv.example").encode(&ProposeError::Busy {
        pending: 12,
        max: 12,
    });
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert_eq!(
        status.message(),
        "too many pending proposals. pending=`12`, max=`12`"
    );
    assert_eq!(
        status.metadata().get("grpc-retry-pushback-ms").unwrap(),
        "2000"
    );

    // Our own messages, in wire order.
    let rpc = rpc_status(&status);
    assert_eq!(rpc.code, 8);
    assert_eq!(rpc.message, status.message());
    assert_eq!(
        rpc.details
            .iter()
            .map(|d| d.type_url.as_str())
            .collect::<Vec<_>>(),
        [
            "type.googleapis.com/google.rpc.ErrorInfo",
            "type.googleapis.com/google.rpc.RetryInfo"
        ]
    );
    let info = pb::ErrorInfo::decode(rpc.details[0].value.as_slice()).unwrap();
    assert_eq!(info.reason, "PROPOSE_ERROR_BUSY");
    assert_eq!(info.domain, "kv.example");
    let metadata: Vec<(&str, &str)> = info
        .metadata
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        metadata,
        [
            ("code", "ProposeError::Busy"),
            ("class", "busy"),
            ("pending", "12"),
            ("max", "12")
        ]
    );

    // Byte for byte what prost writes for the same messages.
    let expected = pb::Status {
        code: 8,
        message: status.message().to_owned(),
        details: vec![
            pb::Any {
                type_url: grpc::ERROR_INFO_TYPE_URL.to_owned(),
                value: info.encode_to_vec(),
            },
            pb::Any {
                type_url: grpc::RETRY_INFO_TYPE_URL.to_owned(),
                value: pb::RetryInfo {
                    retry_delay: Some(pb::Duration {
                        seconds: 2,
                        nanos: 0,
                    }),
                }
                .encode_to_vec(),
            },
        ],
    };
    assert_eq!(status.details(), expected.encode_to_vec());

    // The reference implementation.
    let details = status.check_error_details().unwrap();
    let info = details.error_info().unwrap();
    assert_eq!(info.reason, "PROPOSE_ERROR_BUSY");
    assert_eq!(info.domain, "kv.example");
    assert_eq!(
        info.metadata,
        HashMap::from([
            ("code".to_owned(), "ProposeError::Busy".to_owned()),
            ("class".to_owned(), "busy".to_owned()),
            ("pending".to_owned(), "12".to_owned()),
            ("max".to_owned(), "12".to_owned()),
        ])
    );
    assert_eq!(
        details.retry_info().unwrap().retry_delay,
        Some(Duration::from_secs(2))
    );
}

#[test]
fn a_status_made_with_tonic_types_is_decoded() {
    let mut details = ErrorDetails::new();
    details.set_error_info(
        "QUEUE_FULL",
        "peer.example",
        HashMap::from([
            ("class".to_owned(), "busy".to_owned()),
            ("queue".to_owned(), "ingest".to_owned()),
        ]),
    );
    details.set_retry_info(Some(Duration::from_millis(250)));
    let status = tonic::Status::with_error_details(tonic::Code::Unavailable, "queue full", details);

    let decoded_at = line!() + 1;
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Busy);
    // No exact code in the metadata: the reason is the code.
    assert_eq!(error.code(), "QUEUE_FULL");
    assert_eq!(error.retry_after(), Some(Duration::from_millis(250)));
    assert_eq!(fields(&error), [("queue".to_owned(), "ingest".to_owned())]);
    // The server's message does not show its field: the decoded error's does, and so does
    // its report, with the server's class and code, and where the client decoded it.
    assert_eq!(error.to_string(), "queue full. queue=`ingest`");
    assert_eq!(
        format!("{:#}", Report::new(&error)),
        format!(
            "queue full. queue=`ingest` (busy, QUEUE_FULL) at error-core/tests/wire_grpc.rs:{decoded_at}:17"
        )
    );
    // `?` records the line of the `?`.
    let from = || -> Result<(), Error> { Err(status.clone())? };
    let question_mark_at = line!() - 1;
    assert_eq!(
        from()
            .unwrap_err()
            .location()
            .map(|at| (at.file(), at.line())),
        Some((file!(), question_mark_at))
    );
    let remote = remote(&error);
    assert_eq!(remote.message(), "queue full");
    assert_eq!(remote.domain(), Some("peer.example"));
    assert_eq!(remote.reason(), Some("QUEUE_FULL"));
    assert!(remote.declared());
    assert!(remote.rejections().is_empty());
}

/// An error of any class, with two fields and, for the retriable ones, a hint.
#[derive(Debug)]
struct AnyClass(Class);

impl std::fmt::Display for AnyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "failed as {}. node=`3`, key=`k1`", self.0)
    }
}

impl std::error::Error for AnyClass {}

impl ClassifiedError for AnyClass {
    fn class(&self) -> Class {
        self.0
    }
    fn code(&self) -> &'static str {
        match self.0 {
            Class::Transient => "test.transient",
            Class::Busy => "test.busy",
            Class::Redirect => "test.redirect",
            Class::Conflict => "test.conflict",
            Class::Invalid => "test.invalid",
            Class::Denied => "test.denied",
            Class::Closed => "test.closed",
            Class::Data => "test.data",
            Class::Fatal => "test.fatal",
            _ => "test.internal",
        }
    }
    fn retry_after(&self) -> Option<Duration> {
        self.0.is_retriable().then_some(Duration::from_millis(1500))
    }
    fn visit_fields(&self, visitor: &mut dyn Visit) {
        visitor.visit("node", Value::Display(&3));
        visitor.visit("key", Value::Debug(&"k1"));
    }
}

#[test]
fn every_class_round_trips_through_the_remote_table() {
    let expected = [
        (Class::Transient, Class::Transient),
        (Class::Busy, Class::Busy),
        (Class::Redirect, Class::Redirect),
        (Class::Conflict, Class::Conflict),
        (Class::Invalid, Class::Invalid),
        (Class::Denied, Class::Denied),
        (Class::Closed, Class::Transient),
        (Class::Data, Class::Data),
        (Class::Fatal, Class::Internal),
        (Class::Internal, Class::Internal),
    ];
    assert_eq!(expected.len(), Class::ALL.len());
    for (server, client) in expected {
        let sent = AnyClass(server);
        let error = grpc::decode(&Encoder::new("test").encode(&sent));
        assert_eq!(error.class(), client, "{server}");
        assert!(!error.is_fatal(), "{server}");
        assert_eq!(remote(&error).server_class(), server);
        assert_eq!(error.code(), sent.code());
        assert_eq!(error.retry_after(), sent.retry_after(), "{server}");
        assert_eq!(error.status(), sent.status(), "{server}");
        assert_eq!(
            fields(&error),
            [
                ("node".to_owned(), "3".to_owned()),
                ("key".to_owned(), "\"k1\"".to_owned())
            ]
        );
        let message = if matches!(server, Class::Internal | Class::Fatal | Class::Data) {
            let generic = match server {
                Class::Internal => "internal error",
                Class::Fatal => "fatal error",
                _ => "data error",
            };
            format!("{generic}. node=`3`, key=`\"k1\"`")
        } else {
            sent.to_string()
        };
        assert_eq!(error.to_string(), message, "{server}");
        assert!(remote(&error).rejections().is_empty());
    }
}

#[test]
fn redacted_fields_and_hidden_sources_never_reach_the_bytes() {
    let error = ProposeError::Fatal {
        source: std::io::Error::other("disk /dev/sdb3 is gone"),
        path: "/var/lib/raft/secret-tenant".into(),
        segment: 7,
    };
    for encoder in [
        Encoder::new("kv.example"),
        Encoder::new("kv.example").exposure(Exposure::all()),
    ] {
        let status = encoder.encode(&error);
        let mut raw = status.details().to_vec();
        raw.extend_from_slice(status.message().as_bytes());
        for (key, value) in status.metadata().iter().filter_map(|kv| match kv {
            tonic::metadata::KeyAndValueRef::Ascii(k, v) => Some((k, v.as_bytes())),
            tonic::metadata::KeyAndValueRef::Binary(..) => None,
        }) {
            raw.extend_from_slice(key.as_str().as_bytes());
            raw.extend_from_slice(value);
        }
        let raw = String::from_utf8_lossy(&raw);
        assert!(!raw.contains("secret-tenant"), "{raw}");
        assert!(!raw.contains("/var/lib/raft"), "{raw}");
        // The key of a redacted field is not sent either.
        let info = pb::ErrorInfo::decode(rpc_status(&status).details[0].value.as_slice()).unwrap();
        assert!(info.metadata.iter().all(|e| e.key != "path"));
        assert_eq!(info.metadata.last().unwrap().key, "segment");
    }
    // The default hides the source chain's message; exposing shows it, redacted fields
    // still `<redacted>`.
    let hidden = Encoder::new("kv.example").encode(&error);
    assert_eq!(hidden.message(), "fatal error. segment=`7`");
    assert!(!String::from_utf8_lossy(hidden.details()).contains("sdb3"));
    let shown = Encoder::new("kv.example")
        .exposure(Exposure::all())
        .encode(&error);
    assert_eq!(
        shown.message(),
        "storage fault. path=`<redacted>`, segment=`7`: disk /dev/sdb3 is gone"
    );
}

/// An error with a skipped field and a redacted one beside a plain one.
#[derive(Debug, ClassifiedError)]
#[class(conflict)]
#[error("version moved")]
struct VersionMoved {
    expected: u64,
    #[kv(skip)]
    lease_token: String,
    #[kv(redact)]
    owner: Secret<String>,
}

#[test]
fn skipped_fields_are_neither_in_the_message_nor_in_the_details() {
    let error = VersionMoved {
        expected: 4,
        lease_token: "lease-9c1f".into(),
        owner: "tenant-77".into(),
    };
    assert_eq!(error.lease_token, "lease-9c1f");
    let status = Encoder::new("kv.example").encode(&error);
    assert_eq!(
        status.message(),
        "version moved. expected=`4`, owner=`<redacted>`"
    );
    let info = pb::ErrorInfo::decode(rpc_status(&status).details[0].value.as_slice()).unwrap();
    let metadata: Vec<(&str, &str)> = info
        .metadata
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    assert_eq!(
        metadata,
        [
            ("code", "VersionMoved"),
            ("class", "conflict"),
            ("expected", "4")
        ]
    );
    let raw = String::from_utf8_lossy(status.details());
    for absent in ["lease-9c1f", "lease_token", "tenant-77"] {
        assert!(!raw.contains(absent), "{absent} in {raw}");
    }

    let decoded = grpc::decode(&status);
    assert_eq!(fields(&decoded), [("expected".to_owned(), "4".to_owned())]);
    assert_eq!(
        decoded.to_string(),
        "version moved. expected=`4`, owner=`<redacted>`"
    );
}

#[derive(Debug)]
struct Reserved;

impl std::fmt::Display for Reserved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("reserved")
    }
}

impl std::error::Error for Reserved {}

impl ClassifiedError for Reserved {
    fn class(&self) -> Class {
        Class::Invalid
    }
    fn code(&self) -> &'static str {
        "Reserved"
    }
    fn visit_fields(&self, visitor: &mut dyn Visit) {
        visitor.visit("code", Value::Display(&404));
        visitor.visit("class", Value::Display(&"A"));
        visitor.visit("field-x", Value::Display(&1));
        visitor.visit("has space", Value::Display(&"not sent"));
        visitor.visit(
            "a_key_that_is_longer_than_the_sixty_four_characters_aip_193_allows",
            Value::Display(&"not sent"),
        );
        visitor.visit("redacted", Value::Redacted);
        visitor.visit("ok", Value::Display(&"x".repeat(MAX_VALUE_LEN + 10)));
    }
}

#[test]
fn reserved_keys_are_escaped_and_invalid_keys_are_not_sent() {
    let status = Encoder::new("test").encode(&Reserved);
    let info = pb::ErrorInfo::decode(rpc_status(&status).details[0].value.as_slice()).unwrap();
    let keys: Vec<&str> = info.metadata.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "code",
            "class",
            "field-code",
            "field-class",
            "field-field-x",
            "ok"
        ]
    );
    assert_eq!(info.metadata[0].value, "Reserved");
    assert_eq!(info.metadata[5].value.len(), MAX_VALUE_LEN);

    let error = grpc::decode(&status);
    assert_eq!(error.code(), "Reserved");
    assert_eq!(error.class(), Class::Invalid);
    let got = fields(&error);
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["code", "class", "field-x", "ok"]);
    assert_eq!(got[0].1, "404");
}

#[test]
fn at_most_max_fields_are_sent() {
    #[derive(Debug)]
    struct Many;
    impl std::fmt::Display for Many {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("many")
        }
    }
    impl std::error::Error for Many {}
    impl ClassifiedError for Many {
        fn class(&self) -> Class {
            Class::Invalid
        }
        fn visit_fields(&self, visitor: &mut dyn Visit) {
            const KEYS: [&str; 40] = [
                "k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "k10", "k11",
                "k12", "k13", "k14", "k15", "k16", "k17", "k18", "k19", "k20", "k21", "k22", "k23",
                "k24", "k25", "k26", "k27", "k28", "k29", "k30", "k31", "k32", "k33", "k34", "k35",
                "k36", "k37", "k38", "k39",
            ];
            for key in KEYS {
                visitor.visit(key, Value::Display(&1));
            }
        }
    }
    let error = grpc::decode(&Encoder::new("t").encode(&Many));
    assert_eq!(fields(&error).len(), MAX_FIELDS);
    assert_eq!(fields(&error).last().unwrap().0, "k31");
}

/// A status with `details` as its `google.rpc.Status` details.
fn status_with(code: tonic::Code, message: &str, details: Vec<pb::Any>) -> tonic::Status {
    let rpc = pb::Status {
        code: code as i32,
        message: message.to_owned(),
        details,
    };
    tonic::Status::with_details(code, message, rpc.encode_to_vec().into())
}

fn error_info(reason: &str, domain: &str, metadata: &[(&str, &str)]) -> pb::Any {
    pb::Any {
        type_url: grpc::ERROR_INFO_TYPE_URL.to_owned(),
        value: pb::ErrorInfo {
            reason: reason.to_owned(),
            domain: domain.to_owned(),
            metadata: metadata
                .iter()
                .map(|(k, v)| pb::MetadataEntry {
                    key: (*k).to_owned(),
                    value: (*v).to_owned(),
                })
                .collect(),
        }
        .encode_to_vec(),
    }
}

fn retry_info(seconds: i64, nanos: i32) -> pb::Any {
    pb::Any {
        type_url: grpc::RETRY_INFO_TYPE_URL.to_owned(),
        value: pb::RetryInfo {
            retry_delay: Some(pb::Duration { seconds, nanos }),
        }
        .encode_to_vec(),
    }
}

#[test]
#[allow(clippy::too_many_lines)]
fn what_the_decoder_does_not_believe() {
    use tonic::Code;

    // Not protobuf.
    let status = tonic::Status::with_details(Code::Unavailable, "x", vec![0xff, 0xff, 0xff].into());
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Transient);
    assert_eq!(error.code(), "grpc.UNAVAILABLE");
    assert_eq!(remote(&error).rejections(), [Rejection::Malformed]);

    // Too large to read.
    let status = tonic::Status::with_details(
        Code::Unavailable,
        "x",
        vec![0; grpc::MAX_DETAILS_LEN + 1].into(),
    );
    assert_eq!(
        remote(&grpc::decode(&status)).rejections(),
        [Rejection::TooLarge]
    );

    // Details for another code than the call's: not used.
    let rpc = pb::Status {
        code: Code::Internal as i32,
        message: "x".into(),
        details: vec![error_info("BUSY", "d", &[("class", "busy")])],
    };
    let status = tonic::Status::with_details(Code::Unavailable, "x", rpc.encode_to_vec().into());
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Transient);
    assert_eq!(remote(&error).rejections(), [Rejection::CodeMismatch]);

    // An unknown class, a code that breaks the pattern, a reason that is not AIP-193,
    // a domain with a control character: each set aside, the rest used.
    let status = status_with(
        Code::ResourceExhausted,
        "busy",
        vec![error_info(
            "not a reason",
            "bad\ndomain",
            &[("class", "sleepy"), ("code", "9 lives"), ("k", "v")],
        )],
    );
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Busy);
    assert_eq!(error.code(), "grpc.RESOURCE_EXHAUSTED");
    assert_eq!(fields(&error), [("k".to_owned(), "v".to_owned())]);
    assert_eq!(
        remote(&error).rejections(),
        [
            Rejection::UnknownClass,
            Rejection::Reason,
            Rejection::Domain,
            Rejection::CodePattern
        ]
    );
    assert!(!remote(&error).declared());

    // A server's fatal is the client's internal, never fatal.
    let status = status_with(
        Code::Internal,
        "internal error",
        vec![error_info("RAFT_STORAGE", "d", &[("class", "fatal")])],
    );
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Internal);
    assert_eq!(remote(&error).server_class(), Class::Fatal);

    // Absurd and invalid hints.
    let status = status_with(
        Code::Unavailable,
        "x",
        vec![retry_info(i64::MAX, 999_999_999)],
    );
    let error = grpc::decode(&status);
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
    assert_eq!(remote(&error).rejections(), [Rejection::RetryAfterClamped]);
    for (seconds, nanos) in [(-1, 0), (1, -1), (1, 1_000_000_000)] {
        let status = status_with(Code::Unavailable, "x", vec![retry_info(seconds, nanos)]);
        let error = grpc::decode(&status);
        assert_eq!(error.retry_after(), None);
        assert_eq!(remote(&error).rejections(), [Rejection::RetryAfterInvalid]);
    }

    // Unknown detail types are skipped; only the first ErrorInfo and RetryInfo count.
    let status = status_with(
        Code::Aborted,
        "x",
        vec![
            pb::Any {
                type_url: "type.googleapis.com/google.rpc.DebugInfo".into(),
                value: vec![1, 2, 3],
            },
            error_info("FIRST", "d", &[("class", "conflict")]),
            error_info("SECOND", "d", &[("class", "busy")]),
            retry_info(1, 0),
            retry_info(9, 0),
        ],
    );
    let error = grpc::decode(&status);
    assert_eq!(error.class(), Class::Conflict);
    assert_eq!(error.code(), "FIRST");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert!(remote(&error).rejections().is_empty());

    // More fields than the cap, bad keys, long values.
    let many: Vec<(String, String)> = (0..40).map(|i| (format!("k{i}"), "v".into())).collect();
    let mut metadata: Vec<(&str, &str)> = vec![("bad key", "v")];
    metadata.extend(many.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let long = "é".repeat(MAX_VALUE_LEN);
    metadata.insert(1, ("long", &long));
    let status = status_with(
        Code::InvalidArgument,
        "x",
        vec![error_info("R_1", "d", &metadata)],
    );
    let error = grpc::decode(&status);
    let got = fields(&error);
    assert_eq!(got.len(), MAX_FIELDS);
    assert_eq!(got[0].0, "long");
    assert_eq!(got[0].1.len(), MAX_VALUE_LEN);
    assert_eq!(
        remote(&error).rejections(),
        [Rejection::FieldsDropped(10), Rejection::Truncated]
    );
}

#[test]
fn pushback_is_the_hint_when_retry_info_is_absent() {
    let mut status = tonic::Status::unavailable("draining");
    status
        .metadata_mut()
        .insert("grpc-retry-pushback-ms", "750".parse().unwrap());
    let error = grpc::decode(&status);
    assert_eq!(error.retry_after(), Some(Duration::from_millis(750)));
    // A negative pushback ("do not retry") is no hint; the classifier acts on it.
    status
        .metadata_mut()
        .insert("grpc-retry-pushback-ms", "-1".parse().unwrap());
    assert_eq!(grpc::decode(&status).retry_after(), None);
    status
        .metadata_mut()
        .insert("grpc-retry-pushback-ms", "soon".parse().unwrap());
    let error = grpc::decode(&status);
    assert_eq!(error.retry_after(), None);
    assert_eq!(remote(&error).rejections(), [Rejection::RetryAfterInvalid]);
}

#[test]
fn tonic_status_is_a_classified_error() {
    let status = Encoder::new("kv").encode(&ProposeError::NotLeader { leader_hint: 3 });
    let classified: &dyn ClassifiedError = &status;
    assert_eq!(classified.class(), Class::Redirect);
    assert_eq!(classified.code(), "ProposeError::NotLeader");
    assert_eq!(classified.retry_after(), None);
    assert_eq!(
        fields(classified),
        [("leader_hint".to_owned(), "3".to_owned())]
    );
    assert_eq!(classified.status(), error_core::Status::Unavailable);
    // The peer returned it: a client's span may report it as the response's status.
    assert_eq!(
        classified.stated_status(),
        Some(error_core::Status::Unavailable)
    );
    assert_eq!(
        grpc::decode(&status).stated_status(),
        Some(error_core::Status::Unavailable)
    );
    assert_eq!(classified.type_name(), "tonic::Status");

    // A status made by the transport, with no details.
    let plain = tonic::Status::deadline_exceeded("timeout expired");
    assert_eq!(ClassifiedError::class(&plain), Class::Transient);
    assert_eq!(ClassifiedError::code(&plain), "grpc.DEADLINE_EXCEEDED");
    let data = tonic::Status::data_loss("crc");
    assert_eq!(ClassifiedError::class(&data), Class::Data);
}

#[test]
fn a_transport_failure_is_classified_by_its_io_error() {
    // What tonic's channel makes of a refused connection: UNKNOWN, with the error as source.
    let refused = tonic::Status::from_error(Box::new(std::io::Error::from(
        std::io::ErrorKind::ConnectionRefused,
    )));
    assert_eq!(refused.code(), tonic::Code::Unknown);
    let error = grpc::decode(&refused);
    assert_eq!(error.class(), Class::Transient);
    assert_eq!(error.code(), "std::io::ErrorKind::ConnectionRefused");
    assert!(!remote(&error).declared());
    assert_eq!(ClassifiedError::class(&refused), Class::Transient);
    // No peer answered: no status was returned, whatever tonic's code says.
    assert_eq!(error.stated_status(), None);
    assert_eq!(ClassifiedError::stated_status(&refused), None);

    // No io::Error in the chain: an UNKNOWN from the transport is transient all the same.
    let other = tonic::Status::from_error("connection closed before message completed".into());
    assert_eq!(grpc::decode(&other).class(), Class::Transient);
    assert_eq!(grpc::decode(&other).code(), "grpc.transport");
}

#[test]
fn error_and_tonic_status_convert_both_ways() {
    let error = Error::busy("queue full")
        .with_code("queue.full")
        .with_retry_after(Duration::from_millis(40));
    let status: tonic::Status = error.into();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);
    assert_eq!(status.message(), "queue full");
    let info = pb::ErrorInfo::decode(rpc_status(&status).details[0].value.as_slice()).unwrap();
    assert_eq!(info.domain, grpc::DEFAULT_DOMAIN);
    assert_eq!(info.reason, "QUEUE_FULL");

    let back: Error = status.into();
    assert_eq!(back.class(), Class::Busy);
    assert_eq!(back.code(), "queue.full");
    assert_eq!(back.retry_after(), Some(Duration::from_millis(40)));

    // `internal` is hidden by default, also through `?`.
    let status: tonic::Status = Error::internal("index 7 out of bounds in shard.rs").into();
    assert_eq!(status.message(), "internal error");
}

#[test]
fn a_type_erased_status_is_found_with_its_details() {
    #[derive(Debug)]
    struct Wrapper(Remote);
    impl std::fmt::Display for Wrapper {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the call failed")
        }
    }
    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    // tower's `BoxError`, around a tonic client: the status is found and read through its
    // details, not guessed from its code.
    let status = Encoder::new("kv").encode(&ProposeError::Busy { pending: 5, max: 5 });
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(status);
    let found = error_core::find_classified(&*boxed).unwrap();
    assert_eq!(found.class(), Class::Busy);
    assert_eq!(found.code(), "ProposeError::Busy");
    assert_eq!(found.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(
        error_core::Classify::classified(&boxed).map(ClassifiedError::code),
        Some("ProposeError::Busy")
    );

    // A bare `Remote`, as the source of another error.
    let remote = grpc::decode_parts(14, "draining", &[], Some(b"250"));
    let wrapped: Box<dyn std::error::Error> = Box::new(Wrapper(remote));
    let found = error_core::find_classified(&*wrapped).unwrap();
    assert_eq!(found.class(), Class::Transient);
    assert_eq!(found.code(), "grpc.UNAVAILABLE");
    assert_eq!(found.retry_after(), Some(Duration::from_millis(250)));
}

#[test]
fn headers_are_read_without_tonic() {
    let status = Encoder::new("kv").encode(&ProposeError::Busy { pending: 1, max: 1 });
    let mut headers = http::HeaderMap::new();
    status.add_header(&mut headers).unwrap();
    let error = grpc::decode_headers(&headers).unwrap();
    assert_eq!(error.class(), Class::Busy);
    assert_eq!(error.code(), "ProposeError::Busy");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
    assert_eq!(
        error.to_string(),
        "too many pending proposals. pending=`1`, max=`1`"
    );

    // Padded base64 is read too; OK and absent statuses are no error.
    let padded = base64_padded(status.details());
    headers.insert("grpc-status-details-bin", padded.parse().unwrap());
    assert_eq!(
        grpc::decode_headers(&headers).unwrap().code(),
        "ProposeError::Busy"
    );
    headers.insert("grpc-status", "0".parse().unwrap());
    assert!(grpc::decode_headers(&headers).is_none());
    assert!(grpc::decode_headers(&http::HeaderMap::new()).is_none());

    // A status that is not a number is UNKNOWN, as gRPC says.
    headers.insert("grpc-status", "x".parse().unwrap());
    headers.remove("grpc-status-details-bin");
    assert_eq!(
        grpc::decode_headers(&headers).unwrap().code(),
        "grpc.UNKNOWN"
    );

    // Bad percent-encoding and bad UTF-8 are read lossily.
    headers.insert("grpc-status", "14".parse().unwrap());
    headers.insert("grpc-message", "caf%C3%A9%ZZ%ff".parse().unwrap());
    assert_eq!(
        grpc::decode_headers(&headers).unwrap().to_string(),
        "café%ZZ\u{fffd}"
    );
}

fn base64_padded(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
