//! The `http` feature: idempotency by method, response classification, pushback, and the
//! retry layer honouring them on the paused clock.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use error_core::Class;
use error_tower::http::{HttpClassifier, Pushback, pushback};
use error_tower::retry::{ClassifyResponse, IdempotentRequest, RetryLayer};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, value.parse().unwrap());
    }
    map
}

#[test]
fn idempotency_follows_the_method() {
    let request = |method: Method| Request::builder().method(method).body(()).unwrap();
    for method in [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::TRACE,
        Method::PUT,
        Method::DELETE,
    ] {
        assert!(request(method.clone()).is_idempotent(), "{method}");
    }
    for method in [Method::POST, Method::PATCH, Method::CONNECT] {
        assert!(!request(method.clone()).is_idempotent(), "{method}");
    }
}

#[test]
fn pushback_reads_both_headers() {
    assert_eq!(pushback(&headers(&[])), Pushback::None);
    assert_eq!(
        pushback(&headers(&[("retry-after", "7")])),
        Pushback::After(Duration::from_secs(7))
    );
    assert_eq!(
        pushback(&headers(&[("retry-after", "soon")])),
        Pushback::None
    );
    assert_eq!(
        pushback(&headers(&[("grpc-retry-pushback-ms", "250")])),
        Pushback::After(Duration::from_millis(250))
    );
    assert_eq!(
        pushback(&headers(&[("grpc-retry-pushback-ms", "-1")])),
        Pushback::Never
    );
    assert_eq!(
        pushback(&headers(&[("grpc-retry-pushback-ms", "x")])),
        Pushback::Never
    );
    assert_eq!(
        pushback(&headers(&[
            ("grpc-retry-pushback-ms", "100"),
            ("retry-after", "9")
        ])),
        Pushback::After(Duration::from_millis(100)),
        "the gRPC header wins"
    );
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
    match pushback(&headers(&[("retry-after", &date)])) {
        // An HTTP-date has one-second grain, measured against the system clock.
        Pushback::After(after) => assert!(
            after > Duration::from_secs(118) && after <= Duration::from_secs(120),
            "{after:?}"
        ),
        other => panic!("{other:?}"),
    }
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
    assert_eq!(
        pushback(&headers(&[("retry-after", &past)])),
        Pushback::After(Duration::ZERO)
    );
}

#[test]
fn classifier_reads_status_and_grpc_status() {
    let response = |status: u16, pairs: &[(&'static str, &str)]| {
        let mut builder = Response::builder().status(status);
        for (name, value) in pairs {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    };
    let classify = |r: &Response<()>| {
        HttpClassifier
            .classify(r)
            .map(|f| (f.class, f.code, f.retry_after, f.never_retry))
    };
    assert_eq!(classify(&response(200, &[])), None);
    assert_eq!(
        classify(&response(404, &[])),
        None,
        "a client error is the caller's answer, not a failure to retry"
    );
    assert_eq!(
        classify(&response(503, &[])),
        Some((Class::Transient, "http.503", None, false))
    );
    assert_eq!(
        classify(&response(429, &[("retry-after", "3")])),
        Some((Class::Busy, "http.429", Some(Duration::from_secs(3)), false))
    );
    assert_eq!(
        classify(&response(500, &[])),
        Some((Class::Internal, "http.500", None, false))
    );
    assert_eq!(
        classify(&response(
            200,
            &[("grpc-status", "14"), ("grpc-retry-pushback-ms", "-5")]
        )),
        Some((Class::Transient, "grpc.UNAVAILABLE", None, true))
    );
    assert_eq!(classify(&response(200, &[("grpc-status", "0")])), None);
    assert_eq!(
        classify(&response(
            200,
            &[("grpc-status", "8"), ("grpc-retry-pushback-ms", "40")]
        )),
        Some((
            Class::Busy,
            "grpc.RESOURCE_EXHAUSTED",
            Some(Duration::from_millis(40)),
            false
        ))
    );
}

/// When each call reached the backend, since the start.
type CallTimes = Arc<Mutex<Vec<Duration>>>;

/// A backend that answers each call with the next status (and headers) of a script.
fn backend(
    script: Vec<(u16, Option<&'static str>)>,
) -> (
    impl Service<Request<()>, Response = Response<()>, Error = error_core::Error> + Clone,
    CallTimes,
) {
    let script = Arc::new(Mutex::new(script.into_iter()));
    let calls = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let seen = Arc::clone(&calls);
    let service = tower::service_fn(move |_: Request<()>| {
        seen.lock().unwrap().push(start.elapsed());
        let (status, retry_after) = script.lock().unwrap().next().unwrap_or((200, None));
        let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
        if let Some(after) = retry_after {
            response = response.header("retry-after", after);
        }
        let response = response.body(()).unwrap();
        async move { Ok::<_, error_core::Error>(response) }
    });
    (service, calls)
}

#[tokio::test(start_paused = true)]
async fn a_503_with_retry_after_is_retried_after_the_hint_within_its_jitter() {
    let (service, calls) = backend(vec![(503, Some("2")), (200, None)]);
    let mut client = tower::Layer::layer(
        &RetryLayer::new().seed(1).classify_response(HttpClassifier),
        service,
    );
    let request = Request::get("/kv/a").body(()).unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), 200);
    // 2 s, then seed 1's draw in the window of a fifth of the hint (2 s to 2.4 s).
    assert_eq!(
        *calls.lock().unwrap(),
        [Duration::ZERO, Duration::from_millis(2_299)]
    );

    // With the jitter off, exactly at the hint.
    let (service, calls) = backend(vec![(503, Some("2")), (200, None)]);
    let mut client = tower::Layer::layer(
        &RetryLayer::new()
            .seed(1)
            .hint_jitter(0)
            .classify_response(HttpClassifier),
        service,
    );
    let request = Request::get("/kv/a").body(()).unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        *calls.lock().unwrap(),
        [Duration::ZERO, Duration::from_secs(2)]
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_retried_after_a_503_and_its_response_is_returned() {
    let (service, calls) = backend(vec![(503, None), (200, None)]);
    let mut client = tower::Layer::layer(
        &RetryLayer::new().seed(1).classify_response(HttpClassifier),
        service,
    );
    let request = Request::post("/kv/a").body(()).unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(calls.lock().unwrap().len(), 1);
}
