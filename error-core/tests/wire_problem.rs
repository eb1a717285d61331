//! `wire::problem`: the exact problem+json, and what the decoder believes of a response.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime};

use error_core::wire::problem::{self, Encoder};
use error_core::wire::{Exposure, MAX_FIELDS, MAX_RETRY_AFTER, Rejection, Remote};
use error_core::{Class, ClassifiedError, Error, Retriable as _, Secret, Status, Value};
use http::{HeaderMap, StatusCode};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ReplicaError {
    #[error("replica already exists")]
    #[class(invalid, status = already_exists)]
    Exists {
        uuid: String,
        #[kv(redact)]
        owner: Secret<String>,
    },
    #[error("index out of bounds")]
    #[class(internal)]
    Bug { index: usize },
    #[error("no leader")]
    #[class(transient, retry_after_ms = 1001)]
    NoLeader,
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

fn problem_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", problem::CONTENT_TYPE.parse().unwrap());
    headers
}

fn round_trip(response: http::Response<bytes::Bytes>) -> Error {
    let (parts, body) = response.into_parts();
    problem::decode(parts.status, &parts.headers, &body)
}

#[test]
fn a_client_mistake_is_encoded_exactly_without_its_redacted_field() {
    let error = ReplicaError::Exists {
        uuid: "dbe4d7eb".into(),
        owner: "tenant-secret".into(),
    };
    let response = problem::to_response(&error);
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.headers().get("retry-after").is_none());
    let body = std::str::from_utf8(response.body()).unwrap();
    assert_eq!(
        body,
        r#"{"type":"about:blank","title":"Conflict","status":409,"detail":"replica already exists. uuid=`dbe4d7eb`, owner=`<redacted>`","class":"invalid","code":"ReplicaError::Exists","fields":{"uuid":"dbe4d7eb"}}"#
    );
    assert!(!body.contains("tenant-secret"));

    let decoded = round_trip(response);
    assert_eq!(decoded.class(), Class::Invalid);
    assert_eq!(decoded.code(), "ReplicaError::Exists");
    assert_eq!(decoded.status(), Status::Aborted);
    assert_eq!(remote(&decoded).http_status(), Some(409));
    assert_eq!(
        fields(&decoded),
        [("uuid".to_owned(), "dbe4d7eb".to_owned())]
    );
    assert_eq!(
        decoded.to_string(),
        "replica already exists. uuid=`dbe4d7eb`, owner=`<redacted>`"
    );
}

#[test]
fn type_base_hint_and_exposure() {
    let encoder = Encoder::new().type_base("https://errors.kv.example/");
    let response = encoder.encode(&ReplicaError::NoLeader);
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    // 1001 ms: two whole seconds, rounded up.
    assert_eq!(response.headers()["retry-after"], "2");
    assert_eq!(
        std::str::from_utf8(response.body()).unwrap(),
        r#"{"type":"https://errors.kv.example/REPLICA_ERROR_NO_LEADER","title":"Service Unavailable","status":503,"detail":"no leader","class":"transient","code":"ReplicaError::NoLeader","retry_after_ms":1001}"#
    );
    let decoded = round_trip(response);
    assert_eq!(decoded.retry_after(), Some(Duration::from_millis(1001)));
    assert_eq!(
        remote(&decoded).domain(),
        Some("https://errors.kv.example/REPLICA_ERROR_NO_LEADER")
    );

    let bug = ReplicaError::Bug { index: 7 };
    let hidden = Encoder::new().encode(&bug);
    assert_eq!(hidden.status(), 500);
    let decoded = round_trip(hidden);
    assert_eq!(decoded.to_string(), "internal error. index=`7`");
    assert_eq!(decoded.class(), Class::Internal);
    let shown = Encoder::new().exposure(Exposure::all()).encode(&bug);
    assert_eq!(
        round_trip(shown).to_string(),
        "index out of bounds. index=`7`"
    );
}

#[test]
fn every_class_round_trips_through_the_remote_table() {
    for server in Class::ALL {
        let sent = Error::adhoc(server, "boom")
            .with_code("test.code")
            .with_retry_after(Duration::from_millis(300));
        let decoded = round_trip(problem::to_response(&sent));
        assert_eq!(decoded.class(), error_core::wire::remote_class(server));
        assert_eq!(remote(&decoded).server_class(), server);
        assert_eq!(decoded.code(), "test.code");
        assert_eq!(decoded.retry_after(), Some(Duration::from_millis(300)));
        assert!(!decoded.is_fatal());
        assert!(remote(&decoded).rejections().is_empty(), "{server}");
    }
}

#[test]
fn without_problem_details_the_status_decides() {
    let decoded = problem::decode(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), b"{}");
    assert_eq!(decoded.class(), Class::Busy);
    assert_eq!(decoded.code(), "http.429");
    assert_eq!(decoded.status(), Status::ResourceExhausted);
    assert_eq!(decoded.to_string(), "Too Many Requests");
    assert_eq!(decoded.stated_status(), Some(Status::ResourceExhausted));
    assert!(!remote(&decoded).declared());

    // A plain JSON error body is not problem details: not read.
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    let decoded = problem::decode(
        StatusCode::BAD_GATEWAY,
        &headers,
        br#"{"class":"busy","code":"x"}"#,
    );
    assert_eq!(decoded.class(), Class::Transient);
    assert_eq!(decoded.code(), "http.502");

    // Media type parameters and case do not matter.
    headers.insert(
        "content-type",
        "Application/Problem+JSON; charset=utf-8".parse().unwrap(),
    );
    let decoded = problem::decode(StatusCode::BAD_GATEWAY, &headers, br#"{"class":"busy"}"#);
    assert_eq!(decoded.class(), Class::Busy);

    assert_eq!(
        problem::decode(StatusCode::IM_A_TEAPOT, &HeaderMap::new(), b"").code(),
        "http.418"
    );
    assert_eq!(
        problem::decode(StatusCode::from_u16(477).unwrap(), &HeaderMap::new(), b"").code(),
        "http.4xx"
    );
}

#[test]
fn what_the_decoder_does_not_believe() {
    let headers = problem_headers();
    let decode =
        |body: &str| problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, body.as_bytes());

    for body in ["not json", "[1,2]", "\"x\"", "{\"class\":", "{} {}"] {
        let error = decode(body);
        assert_eq!(error.class(), Class::Transient, "{body}");
        assert_eq!(error.code(), "http.503");
        assert_eq!(
            remote(&error).rejections(),
            [Rejection::Malformed],
            "{body}"
        );
    }

    let big = format!(r#"{{"detail":"{}"}}"#, "x".repeat(problem::MAX_BODY_LEN));
    assert_eq!(remote(&decode(&big)).rejections(), [Rejection::TooLarge]);

    // Members of the wrong type are ignored; unknown members skipped.
    let error = decode(
        r#"{"class":7,"code":["x"],"detail":{"a":1},"title":"Down","extra":{"deep":[[[1]]]},"fields":[1]}"#,
    );
    assert_eq!(error.class(), Class::Transient);
    assert_eq!(error.code(), "http.503");
    assert_eq!(error.to_string(), "Down");
    assert!(remote(&error).rejections().is_empty());

    let error = decode(r#"{"class":"fatal","code":"a b","retry_after_ms":-5}"#);
    assert_eq!(error.class(), Class::Internal);
    assert_eq!(remote(&error).server_class(), Class::Fatal);
    assert_eq!(error.code(), "http.503");
    assert_eq!(error.retry_after(), None);
    assert_eq!(
        remote(&error).rejections(),
        [Rejection::CodePattern, Rejection::RetryAfterInvalid]
    );

    let error = decode(r#"{"class":"busy","retry_after_ms":1e300}"#);
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
    let error = decode(r#"{"class":"busy","retry_after_ms":99999999999999}"#);
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
    assert_eq!(remote(&error).rejections(), [Rejection::RetryAfterClamped]);
    let error = decode(r#"{"class":"busy","retry_after_ms":12.5}"#);
    assert_eq!(error.retry_after(), Some(Duration::from_micros(12_500)));

    let many: Vec<String> = (0..40).map(|i| format!(r#""k{i}":"v""#)).collect();
    let body = format!(
        r#"{{"fields":{{"bad key":"v","n":5,"t":true,{}}}}}"#,
        many.join(",")
    );
    let error = decode(&body);
    // The first MAX_FIELDS entries are read, of which two are dropped (a bad key, a value
    // that is not text); the rest are skipped unread.
    let got = fields(&error);
    assert_eq!(got.len(), MAX_FIELDS - 2);
    assert_eq!(got[0], ("n".to_owned(), "5".to_owned()));
    assert_eq!(remote(&error).rejections(), [Rejection::FieldsDropped(13)]);
}

#[test]
fn deep_json_is_bounded_not_a_stack_overflow() {
    // Nesting as deep as the body cap allows, wherever a member may be. The decoder's own
    // values (the problem, `fields`) stop at the JSON parser's depth limit; values it
    // skips are skipped without recursion.
    let headers = problem_headers();
    let deep = |open: &str, close: &str| {
        let n = (problem::MAX_BODY_LEN - 32) / (open.len() + close.len());
        format!("{}{}", open.repeat(n), close.repeat(n))
    };
    for (body, rejections) in [
        (deep("[", "]"), &[Rejection::Malformed][..]),
        (format!(r#"{{"extra":{}}}"#, deep("[", "]")), &[][..]),
        (
            format!(r#"{{"fields":{{"k":{}}}}}"#, deep(r#"{"a":"#, "}")),
            &[Rejection::Malformed][..],
        ),
        (
            format!(r#"{{"retry_after_ms":{}}}"#, deep("[", "]")),
            &[Rejection::RetryAfterInvalid][..],
        ),
    ] {
        assert!(body.len() <= problem::MAX_BODY_LEN);
        let error = problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, body.as_bytes());
        assert_eq!(error.class(), Class::Transient);
        assert_eq!(error.code(), "http.503");
        assert_eq!(remote(&error).rejections(), rejections, "{}", &body[..24]);
    }
}

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
fn skipped_and_redacted_fields_are_not_in_the_body() {
    let error = VersionMoved {
        expected: 4,
        lease_token: "lease-9c1f".into(),
        owner: "tenant-77".into(),
    };
    assert_eq!(error.lease_token, "lease-9c1f");
    let response = problem::to_response(&error);
    assert_eq!(
        std::str::from_utf8(response.body()).unwrap(),
        r#"{"type":"about:blank","title":"Conflict","status":409,"detail":"version moved. expected=`4`, owner=`<redacted>`","class":"conflict","code":"VersionMoved","fields":{"expected":"4"}}"#
    );
    let decoded = round_trip(response);
    assert_eq!(fields(&decoded), [("expected".to_owned(), "4".to_owned())]);
    assert_eq!(
        decoded.to_string(),
        "version moved. expected=`4`, owner=`<redacted>`"
    );
}

#[test]
fn retry_after_header_seconds_and_dates() {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", "3".parse().unwrap());
    let error = problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, b"");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));

    headers.insert("retry-after", "86400".parse().unwrap());
    let error = problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, b"");
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));

    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    headers.insert("retry-after", later.parse().unwrap());
    let after = problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, b"")
        .retry_after()
        .unwrap();
    assert!(
        after <= Duration::from_secs(30) && after >= Duration::from_secs(28),
        "{after:?}"
    );

    headers.insert("retry-after", "soon".parse().unwrap());
    let error = problem::decode(StatusCode::SERVICE_UNAVAILABLE, &headers, b"");
    assert_eq!(error.retry_after(), None);
    assert_eq!(remote(&error).rejections(), [Rejection::RetryAfterInvalid]);

    // The body's exact hint wins over the header's rounded one.
    let mut headers = problem_headers();
    headers.insert("retry-after", "1".parse().unwrap());
    let error = problem::decode(
        StatusCode::SERVICE_UNAVAILABLE,
        &headers,
        br#"{"retry_after_ms":250}"#,
    );
    assert_eq!(error.retry_after(), Some(Duration::from_millis(250)));
}

#[test]
fn http_status_maps_to_a_grpc_status() {
    let table = [
        (400, Status::InvalidArgument),
        (401, Status::Unauthenticated),
        (403, Status::PermissionDenied),
        (404, Status::NotFound),
        (408, Status::DeadlineExceeded),
        (409, Status::Aborted),
        (412, Status::FailedPrecondition),
        (416, Status::OutOfRange),
        (418, Status::InvalidArgument),
        (429, Status::ResourceExhausted),
        (499, Status::Cancelled),
        (500, Status::Internal),
        (501, Status::Unimplemented),
        (502, Status::Unavailable),
        (503, Status::Unavailable),
        (504, Status::DeadlineExceeded),
        (599, Status::Internal),
        (200, Status::Unknown),
    ];
    for (http, status) in table {
        assert_eq!(problem::status_of(http), status, "{http}");
    }
    // Every status this crate sends comes back as itself, or as one with the same HTTP
    // status and class.
    for status in Status::ALL {
        let back = problem::status_of(status.http());
        assert_eq!(back.http(), status.http(), "{status}");
    }
}

#[cfg(feature = "axum")]
#[test]
fn error_is_an_axum_response() {
    use axum_core::response::IntoResponse as _;
    let response = Error::conflict("version moved").into_response();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(response.headers()["content-type"], problem::CONTENT_TYPE);
}
