//! HTTP over real sockets: an axum server returns `error_core::Error` from its handlers
//! (problem details through `IntoResponse`); a hyper client decodes them, and the retry
//! layer acts on them through `ProblemLayer` and `HttpClassifier`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Path;
use bytes::Bytes;
use error_core::wire::{problem, remote_class};
use error_core::{Class, ClassifiedError, Error};
use error_tower::http::{HttpClassifier, ProblemLayer};
use error_tower::retry::{RetryEvent, RetryLayer};
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_util::rt::TokioIo;
use tower::ServiceBuilder;

use crate::support::{AnyClass, SECRET, contains, fields, recording_proxy, sent_fields};

async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// One request on a new HTTP/1.1 connection to `addr`.
async fn get(addr: std::net::SocketAddr, path: &str) -> http::Response<hyper::body::Incoming> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = http::Request::get(path)
        .header("host", "kv.test")
        .body(Empty::<Bytes>::new())
        .unwrap();
    sender.send_request(request).await.unwrap()
}

/// Decodes a response as a client would: the body read up to the cap.
async fn decode(response: http::Response<hyper::body::Incoming>) -> Error {
    let (parts, body) = response.into_parts();
    let body = Limited::new(body, problem::MAX_BODY_LEN)
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    problem::decode(parts.status, &parts.headers, &body)
}

#[tokio::test]
async fn every_class_round_trips_as_problem_details_and_the_secret_never_leaves() {
    let app = axum::Router::new().route(
        "/kv/{class}",
        axum::routing::get(|Path(class): Path<String>| async move {
            let class: Class = class.parse().unwrap();
            Err::<String, Error>(Error::from(AnyClass::new(class)))
        }),
    );
    let server = serve(app).await;
    let (proxy, on_the_socket) = recording_proxy(server).await;

    for class in Class::ALL {
        let response = get(proxy, &format!("/kv/{class}")).await;
        let status = error_core::Status::from_class(class);
        assert_eq!(response.status().as_u16(), status.http(), "{class}");
        assert_eq!(response.headers()["content-type"], problem::CONTENT_TYPE);
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(retry_after.as_deref(), class.is_retriable().then_some("2"));

        let error = decode(response).await;
        let remote = error.remote().unwrap();
        assert_eq!(error.class(), remote_class(class), "{class}");
        assert_eq!(remote.server_class(), class);
        assert_eq!(error.code(), AnyClass::code_of(class));
        // The body's exact hint, not the header's rounded one.
        assert_eq!(error.retry_after(), AnyClass::hint_of(class));
        assert_eq!(fields(&error), sent_fields());
        assert!(remote.rejections().is_empty(), "{:?}", remote.rejections());
        // `detail`: the report, or the generic message for the classes that hide it.
        let expected = match class {
            Class::Internal => "internal error. node=`3`, key=`\"k1\"`".to_owned(),
            Class::Fatal => "fatal error. node=`3`, key=`\"k1\"`".to_owned(),
            Class::Data => "data error. node=`3`, key=`\"k1\"`".to_owned(),
            _ => AnyClass::new(class).to_string(),
        };
        assert_eq!(remote.message(), expected);
        assert_eq!(error.to_string(), expected);
    }

    // HTTP/1.1 puts headers and bodies on the socket as they are: the raw bytes.
    let raw = on_the_socket.lock().unwrap().clone();
    assert!(contains(&raw, "application/problem+json"));
    assert!(contains(&raw, "\"code\":\"test.fatal\""));
    assert!(!contains(&raw, SECRET));
    assert!(
        !contains(&raw, "tenant\":"),
        "the key of a redacted field is not sent"
    );
}

#[tokio::test]
async fn the_retry_layer_honours_a_problems_hint_over_http() {
    let calls = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&calls);
    let app = axum::Router::new().route(
        "/kv/a",
        axum::routing::get(move || {
            let call = seen.fetch_add(1, Ordering::SeqCst);
            async move {
                if call == 0 {
                    Err(Error::busy("queue full")
                        .with_code("queue.full")
                        .with_retry_after(Duration::from_millis(120)))
                } else {
                    Ok("value of a")
                }
            }
        }),
    );
    let server = serve(app).await;

    let delays = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&delays);
    let http_client = tower::service_fn(move |request: http::Request<Empty<Bytes>>| async move {
        let stream = tokio::net::TcpStream::connect(server)
            .await
            .map_err(Error::from)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(transport)?;
        tokio::spawn(connection);
        sender.send_request(request).await.map_err(transport)
    });
    let client = ServiceBuilder::new()
        .layer(
            RetryLayer::new()
                .seed(3)
                .classify_response(HttpClassifier)
                .on_retry(move |event: &RetryEvent| {
                    heard
                        .lock()
                        .unwrap()
                        .push((event.class, event.code, event.delay));
                }),
        )
        .layer(ProblemLayer::new())
        .service(http_client);

    let started = Instant::now();
    let request = http::Request::get("/kv/a")
        .header("host", "kv.test")
        .body(Empty::<Bytes>::new())
        .unwrap();
    let response = tower::ServiceExt::oneshot(client, request).await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"value of a");
    assert!(started.elapsed() >= Duration::from_millis(120));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The body's exact hint, not the header's 1 s, and the retry layer's jitter after it:
    // at most a fifth of it more.
    let delays = delays.lock().unwrap().clone();
    assert_eq!(delays.len(), 1);
    let (class, code, delay) = delays[0];
    assert_eq!((class, code), (Class::Busy, "queue.full"));
    assert!(
        delay >= Duration::from_millis(120) && delay <= Duration::from_millis(144),
        "{delay:?}"
    );
}

/// A transport error of the client above, classified.
fn transport(error: hyper::Error) -> Error {
    Error::transient("the request failed in the transport").with_source(error)
}
