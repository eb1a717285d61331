//! The `wire` feature: the classifier believes the server's details (trailers-only gRPC,
//! problem+json read by `ProblemLayer`), the retry layer acts on them on the paused clock,
//! and `GrpcSanitizeLayer` removes what would panic tonic's client.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use error_core::wire::{grpc, problem};
use error_core::{Class, ClassifiedError, Error};
use error_tower::http::{GrpcSanitizeLayer, HttpClassifier, Problem, ProblemLayer};
use error_tower::retry::{ClassifyResponse, RetryLayer};
use http::{HeaderMap, Request, Response};
use http_body::{Body, Frame};
use http_body_util::BodyExt as _;
use tokio::time::Instant;
use tower::{Layer as _, Service, ServiceBuilder, ServiceExt as _};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum KvError {
    #[error("too many pending writes")]
    #[class(busy, retry_after_ms = 1500)]
    Busy { pending: u32 },
    #[error("version moved")]
    #[class(conflict)]
    Moved { version: u64 },
}

/// A body of the given frames, data and then trailers, each on its own poll.
struct Frames(VecDeque<Frame<Bytes>>);

impl Frames {
    fn data(chunks: &[&[u8]]) -> Frames {
        Frames(
            chunks
                .iter()
                .map(|c| Frame::data(Bytes::copy_from_slice(c)))
                .collect(),
        )
    }

    fn with_trailers(mut self, trailers: HeaderMap) -> Frames {
        self.0.push_back(Frame::trailers(trailers));
        self
    }
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(Ok))
    }
}

fn failure<B>(response: &Response<B>) -> Option<(Class, &'static str, Option<Duration>, bool)> {
    HttpClassifier
        .classify(response)
        .map(|f| (f.class, f.code, f.retry_after, f.never_retry))
}

#[test]
fn a_trailers_only_grpc_response_is_classified_by_its_details() {
    let status = grpc::Encoder::new("kv").encode(&KvError::Busy { pending: 9 });
    let mut headers = HeaderMap::new();
    status.add_header(&mut headers).unwrap();
    let mut response = Response::new(());
    *response.headers_mut() = headers;
    assert_eq!(
        failure(&response),
        Some((
            Class::Busy,
            "KvError::Busy",
            Some(Duration::from_millis(1500)),
            false
        ))
    );

    // A malformed details header is set aside, never a panic; the status decides.
    response.headers_mut().insert(
        "grpc-status-details-bin",
        "%%% not base64 %%%".parse().unwrap(),
    );
    assert_eq!(
        failure(&response),
        Some((
            Class::Busy,
            "grpc.RESOURCE_EXHAUSTED",
            Some(Duration::from_millis(1500)),
            false
        ))
    );
    // A server's data loss stays `data`, and a status that is not a number is UNKNOWN.
    let mut response = Response::new(());
    response
        .headers_mut()
        .insert("grpc-status", "15".parse().unwrap());
    assert_eq!(
        failure(&response),
        Some((Class::Data, "grpc.DATA_LOSS", None, false))
    );
    response
        .headers_mut()
        .insert("grpc-status", "fifteen".parse().unwrap());
    assert_eq!(
        failure(&response),
        Some((Class::Internal, "grpc.UNKNOWN", None, false))
    );
}

/// When each call reached the service, since the start.
type CallTimes = Arc<Mutex<Vec<Duration>>>;

/// A service answering each request with the next response of `script`.
fn scripted(
    script: Vec<Response<Frames>>,
) -> (
    impl Service<Request<()>, Response = Response<Frames>, Error = Error> + Clone,
    CallTimes,
) {
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let calls = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let seen = Arc::clone(&calls);
    let service = tower::service_fn(move |_: Request<()>| {
        seen.lock().unwrap().push(start.elapsed());
        let response = script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| Response::new(Frames::data(&[b"ok"])));
        async move { Ok::<_, Error>(response) }
    });
    (service, calls)
}

/// The problem+json response of `error`, its body in two frames.
fn problem_response(error: &dyn ClassifiedError) -> Response<Frames> {
    let (parts, body) = problem::to_response(error).into_parts();
    let (a, b) = body.split_at(body.len() / 2);
    Response::from_parts(parts, Frames::data(&[a, b]))
}

#[tokio::test(start_paused = true)]
async fn problem_layer_reads_the_details_and_hands_the_body_on_whole() {
    let sent = problem::to_response(&KvError::Moved { version: 7 }).into_body();
    let (service, _) = scripted(vec![
        problem_response(&KvError::Moved { version: 7 }),
        Response::builder()
            .status(503)
            .header("content-type", "text/plain")
            .body(Frames::data(&[b"down"]))
            .unwrap(),
    ]);
    let mut client = ProblemLayer::new().layer(service);

    let response = client
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    let problem = response.extensions().get::<Problem>().unwrap().clone();
    assert_eq!(problem.0.class(), Class::Conflict);
    assert_eq!(problem.0.code(), "KvError::Moved");
    assert_eq!(
        failure(&response),
        Some((Class::Conflict, "KvError::Moved", None, false))
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, sent);

    // Not problem details: untouched, unread.
    let response = client
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    assert!(response.extensions().get::<Problem>().is_none());
    assert_eq!(
        failure(&response),
        Some((Class::Transient, "http.503", None, false))
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"down");
}

#[tokio::test(start_paused = true)]
async fn a_body_over_the_cap_is_not_decoded_but_is_handed_on_whole() {
    let big = vec![b'x'; problem::MAX_BODY_LEN + 10];
    let mut trailers = HeaderMap::new();
    trailers.insert("x-t", "1".parse().unwrap());
    let (service, _) = scripted(vec![
        Response::builder()
            .status(500)
            .header("content-type", problem::CONTENT_TYPE)
            .body(
                Frames::data(&[&big[..8000], &big[8000..16000], &big[16000..]])
                    .with_trailers(trailers),
            )
            .unwrap(),
    ]);
    let response = ProblemLayer::new()
        .layer(service)
        .oneshot(Request::new(()))
        .await
        .unwrap();
    assert!(response.extensions().get::<Problem>().is_none());
    let collected = response.into_body().collect().await.unwrap();
    assert_eq!(collected.trailers().unwrap()["x-t"], "1");
    assert_eq!(collected.to_bytes(), big);
}

#[tokio::test(start_paused = true)]
async fn the_retry_layer_waits_for_the_problems_exact_hint() {
    let (service, calls) = scripted(vec![problem_response(&KvError::Busy { pending: 3 })]);
    let client = ServiceBuilder::new()
        .layer(RetryLayer::new().seed(1).classify_response(HttpClassifier))
        .layer(ProblemLayer::new())
        .service(service);
    // A POST: busy is a rejection before execution, retried whatever the request.
    let response = client
        .oneshot(Request::post("/kv/a").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // 1,500 ms from the body, not the 2 s of the rounded-up `Retry-After`, and the
    // retry layer's jitter after a hint: at most a fifth of it more.
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], Duration::ZERO);
    assert!(
        calls[1] >= Duration::from_millis(1500) && calls[1] <= Duration::from_millis(1800),
        "{calls:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn sanitize_removes_a_malformed_details_header_and_trailer() {
    let good = grpc::Encoder::new("kv").encode(&KvError::Moved { version: 1 });
    let mut good_headers = HeaderMap::new();
    good.add_header(&mut good_headers).unwrap();
    let good_details = good_headers["grpc-status-details-bin"].clone();

    let mut bad_trailers = HeaderMap::new();
    bad_trailers.insert("grpc-status", "14".parse().unwrap());
    bad_trailers.insert("grpc-status-details-bin", "***".parse().unwrap());
    let mut bad_headers = HeaderMap::new();
    bad_headers.insert("grpc-status", "14".parse().unwrap());
    bad_headers.insert("grpc-status-details-bin", "@@".parse().unwrap());

    let (service, _) = scripted(vec![
        {
            let mut r = Response::new(Frames::data(&[]));
            *r.headers_mut() = bad_headers;
            r
        },
        Response::new(Frames::data(&[b"msg"]).with_trailers(bad_trailers)),
        Response::new(Frames::data(&[]).with_trailers(good_headers.clone())),
    ]);
    let mut client = GrpcSanitizeLayer::new().layer(service);

    let response = client
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    assert!(response.headers().get("grpc-status-details-bin").is_none());
    assert_eq!(response.headers()["grpc-status"], "14");
    assert!(response.body().removed());

    let response = client
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().unwrap();
    assert!(trailers.get("grpc-status-details-bin").is_none());
    assert_eq!(trailers["grpc-status"], "14");

    let response = client
        .ready()
        .await
        .unwrap()
        .call(Request::new(()))
        .await
        .unwrap();
    let collected = response.into_body().collect().await.unwrap();
    assert_eq!(
        collected.trailers().unwrap()["grpc-status-details-bin"],
        good_details
    );
}
