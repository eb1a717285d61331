//! gRPC over real sockets: a tonic server (written by hand, `examples::cluster::grpc`) sends
//! each class's error as a rich status; a tonic client decodes it.

use std::sync::Arc;
use std::time::Duration;

use error_core::wire::grpc::{self as wire, Encoder};
use error_core::wire::{Exposure, remote_class};
use error_core::{Class, ClassifiedError};
use error_tower::http::GrpcSanitizeLayer;
use examples::cluster::grpc::{self, Call, Handler, KeyValue, Reply};
use prost::Message as _;
use tonic::transport::Endpoint;
use tower::{Layer as _, ServiceBuilder};

use crate::support::{
    AnyClass, CaptureLayer, SECRET, contains, fields, recording_proxy, sent_fields,
};

/// A server whose handler fails each call with the error of the class named by its key,
/// or succeeds for the key `ok`.
async fn class_server(encoder: Encoder) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let encoder = Arc::new(encoder);
    let handler: Handler = Arc::new(move |call: Call| {
        let encoder = Arc::clone(&encoder);
        Box::pin(async move {
            if call.request.key == "ok" {
                return Ok(Reply {
                    value: "fine".into(),
                    node: 1,
                });
            }
            let class: Class = call.request.key.parse().unwrap();
            Err(encoder.encode(&AnyClass::new(class)))
        })
    });
    tokio::spawn(grpc::serve(listener, handler));
    addr
}

#[tokio::test]
async fn every_class_round_trips_over_tonic_and_the_secret_never_leaves() {
    let server = class_server(Encoder::new("kv.test")).await;
    let (proxy, on_the_socket) = recording_proxy(server).await;
    let capture = CaptureLayer::default();
    let channel = Endpoint::from_shared(format!("http://{proxy}"))
        .unwrap()
        .connect_lazy();
    let mut client = tonic::client::Grpc::new(
        ServiceBuilder::new()
            .layer(capture.clone())
            .layer(GrpcSanitizeLayer::new())
            .service(channel),
    );

    for class in Class::ALL {
        client.ready().await.unwrap();
        let request = tonic::Request::new(KeyValue {
            key: class.as_str().to_owned(),
            value: String::new(),
        });
        let status = client
            .unary::<_, Reply, _>(
                request,
                http::uri::PathAndQuery::from_static(grpc::GET),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .unwrap_err();
        let error = wire::decode(&status);
        let remote = error.remote().unwrap();
        assert_eq!(error.class(), remote_class(class), "{class}");
        assert_eq!(remote.server_class(), class);
        assert!(remote.declared());
        assert_eq!(error.code(), AnyClass::code_of(class));
        assert_eq!(error.retry_after(), AnyClass::hint_of(class), "{class}");
        assert_eq!(fields(&error), sent_fields(), "{class}");
        assert_eq!(error.status(), error_core::Status::from_class(class));
        assert_eq!(remote.domain(), Some("kv.test"));
        assert!(remote.rejections().is_empty(), "{:?}", remote.rejections());
        // The pushback trailer for the classes a client may retry.
        let pushback = status
            .metadata()
            .get("grpc-retry-pushback-ms")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(pushback.as_deref(), class.is_retriable().then_some("1500"));
        // The message: the report, or the generic one for the classes that hide it.
        let expected = match class {
            Class::Internal => "internal error. node=`3`, key=`\"k1\"`".to_owned(),
            Class::Fatal => "fatal error. node=`3`, key=`\"k1\"`".to_owned(),
            Class::Data => "data error. node=`3`, key=`\"k1\"`".to_owned(),
            _ => AnyClass::new(class).to_string(),
        };
        assert_eq!(status.message(), expected);
        assert_eq!(error.to_string(), expected);
        // Neither the redacted value nor its key is in the details.
        assert!(!contains(status.details(), SECRET));
        let rpc = wire::pb::Status::decode(status.details()).unwrap();
        let info = wire::pb::ErrorInfo::decode(rpc.details[0].value.as_slice()).unwrap();
        let keys: Vec<&str> = info.metadata.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["code", "class", "node", "key"]);
    }

    // Nothing of the redacted field crossed: not in any header, trailer or message the
    // client received (HPACK decoded, the details base64-decoded), nor in the bytes on the
    // socket.
    let received = capture.seen.lock().unwrap().clone();
    assert!(contains(&received, "grpc-status-details-bin"));
    assert!(contains(
        &received,
        "type.googleapis.com/google.rpc.ErrorInfo"
    ));
    assert!(contains(&received, "test.fatal"));
    assert!(!contains(&received, SECRET));
    // The redacted field shows only as `<redacted>`, in the messages (`grpc-message`,
    // percent-encoded) that show fields.
    assert!(contains(&received, "tenant=%60%3Credacted%3E%60"));
    let raw = on_the_socket.lock().unwrap().clone();
    assert!(!raw.is_empty());
    assert!(!contains(&raw, SECRET));
}

#[tokio::test]
async fn a_server_that_exposes_its_messages_sends_the_reports() {
    let server = class_server(Encoder::new("kv.test").exposure(Exposure::all())).await;
    let mut client = grpc::KvClient::new(server).unwrap();
    let status = client
        .call(
            grpc::Method::Get,
            KeyValue {
                key: "fatal".into(),
                value: String::new(),
            },
            http::HeaderMap::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(status.message(), AnyClass::new(Class::Fatal).to_string());
    let classified: &dyn ClassifiedError = &status;
    assert_eq!(classified.class(), Class::Internal);
    assert_eq!(classified.code(), "test.fatal");
}

/// A raw HTTP/2 server that answers every request with a trailers-only gRPC response whose
/// `grpc-status-details-bin` is not base64: what tonic's client panics on.
async fn malformed_details_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(|_: http::Request<hyper::body::Incoming>| async {
                        let response = http::Response::builder()
                            .header("content-type", "application/grpc")
                            .header("grpc-status", "14")
                            .header("grpc-message", "draining")
                            .header("grpc-status-details-bin", "!!not*base64!!")
                            .body(http_body_util::Empty::<bytes::Bytes>::new())
                            .unwrap();
                        Ok::<_, std::convert::Infallible>(response)
                    });
                let _ =
                    hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
            });
        }
    });
    addr
}

async fn call_through(
    addr: std::net::SocketAddr,
    sanitize: bool,
) -> Result<tonic::Status, tokio::task::JoinError> {
    tokio::spawn(async move {
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect_lazy();
        let request = tonic::Request::new(KeyValue::default());
        let path = http::uri::PathAndQuery::from_static(grpc::GET);
        let codec = tonic_prost::ProstCodec::<KeyValue, Reply>::default();
        let result = if sanitize {
            let mut client = tonic::client::Grpc::new(GrpcSanitizeLayer::new().layer(channel));
            client.ready().await.unwrap();
            client.unary(request, path, codec).await
        } else {
            let mut client = tonic::client::Grpc::new(channel);
            client.ready().await.unwrap();
            client.unary(request, path, codec).await
        };
        result.unwrap_err()
    })
    .await
}

#[tokio::test]
async fn malformed_details_panic_tonic_unless_sanitized() {
    let server = malformed_details_server().await;
    // tonic 0.14 alone: the task that polls the call panics in `Status::from_header_map`.
    let unsanitized = call_through(server, false).await;
    assert!(unsanitized.unwrap_err().is_panic());
    // Behind GrpcSanitizeLayer: the status's code and message, no details.
    let status = call_through(server, true).await.unwrap();
    assert_eq!(status.code(), tonic::Code::Unavailable);
    assert_eq!(status.message(), "draining");
    assert!(status.details().is_empty());
    let classified: &dyn ClassifiedError = &status;
    assert_eq!(classified.class(), Class::Transient);
    assert_eq!(classified.code(), "grpc.UNAVAILABLE");
}

#[tokio::test]
async fn a_busy_hint_is_honoured_by_the_retry_layer_over_tonic() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&calls);
    let handler: Handler = Arc::new(move |_: Call| {
        let call = seen.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            if call == 0 {
                let busy = error_core::Error::busy("queue full")
                    .with_code("queue.full")
                    .with_retry_after(Duration::from_millis(80));
                Err(Encoder::new("kv.test").encode(&busy))
            } else {
                Ok(Reply {
                    value: "v".into(),
                    node: 1,
                })
            }
        })
    });
    tokio::spawn(grpc::serve(listener, handler));

    let delays = Arc::new(std::sync::Mutex::new(Vec::new()));
    let heard = Arc::clone(&delays);
    let client = grpc::KvClient::new(addr).unwrap();
    // A retry layer around tonic calls, with no glue: the error is tonic::Status.
    let service = tower::service_fn(move |key: String| {
        let mut client = client.clone();
        async move {
            client
                .call(
                    grpc::Method::Get,
                    KeyValue {
                        key,
                        value: String::new(),
                    },
                    http::HeaderMap::new(),
                )
                .await
        }
    });
    let retry = error_tower::retry::RetryLayer::new()
        .seed(1)
        .assume_idempotent()
        .on_retry(move |event: &error_tower::retry::RetryEvent| {
            heard
                .lock()
                .unwrap()
                .push((event.class, event.code, event.delay));
        });
    let reply = tower::ServiceExt::oneshot(retry.layer(service), "k".to_owned())
        .await
        .unwrap();
    assert_eq!(reply.value, "v");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The hint, and the retry layer's jitter after it: at most a fifth of it more.
    let delays = delays.lock().unwrap().clone();
    assert_eq!(delays.len(), 1);
    let (class, code, delay) = delays[0];
    assert_eq!((class, code), (Class::Busy, "queue.full"));
    assert!(
        delay >= Duration::from_millis(80) && delay <= Duration::from_millis(96),
        "{delay:?}"
    );
}
