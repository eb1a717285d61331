//! A failed response that started while the request's streaming body was still being sent
//! commits the call: it is returned, not retried ([`GiveUpReason::Committed`]). A failed
//! response to a body sent whole, or to an empty body that is never read, is retried.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use error_core::Class;
use error_tower::http::{HttpClassifier, Replay, ReplayBody, ReplayLayer};
use error_tower::retry::{ByRequest, GiveUpReason, Policy, Retry, RetryLayer};
use http::{Request, Response, StatusCode};
use http_body::{Body, Frame};
use tower::{Service, ServiceBuilder, ServiceExt};

use super::body::{Chunks, read};
use super::{give_ups, put};

/// What each attempt of a [`responder`] read, in bytes.
type ReadBytes = Arc<Mutex<Vec<usize>>>;

/// A backend whose attempt `n` reads `script[n].0` chunks of the body (all, when `None`)
/// and answers with status `script[n].1` (a 429 with `Retry-After: 1`); past the script, reads all and answers 200. It
/// records how many bytes each attempt read.
fn responder<B>(
    script: Vec<(Option<usize>, u16)>,
) -> (
    impl Service<Request<ReplayBody<B>>, Response = Response<()>, Error = error_core::Error> + Clone,
    ReadBytes,
)
where
    B: Body<Data = Bytes> + Unpin + Send + 'static,
    B::Error: std::fmt::Debug,
{
    let read_bytes: ReadBytes = Arc::default();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let seen = Arc::clone(&read_bytes);
    let service = tower::service_fn(move |request: Request<ReplayBody<B>>| {
        let (chunks, status) = script.lock().unwrap().pop_front().unwrap_or((None, 200));
        let seen = Arc::clone(&seen);
        async move {
            let mut body = request.into_body();
            let (data, _) = read(&mut body, chunks).await;
            seen.lock().unwrap().push(data.len());
            let mut response = Response::builder().status(StatusCode::from_u16(status).unwrap());
            if status == 429 {
                response = response.header("retry-after", "1");
            }
            Ok(response.body(()).unwrap())
        }
    });
    (service, read_bytes)
}

/// The client of every test here: replay, then retry with the HTTP classifier.
type Client<S, G> = Replay<Retry<S, Policy<(), ByRequest, HttpClassifier, (), G>>>;

fn client<S, G: Clone>(backend: S, on_give_up: G) -> Client<S, G> {
    ServiceBuilder::new()
        .layer(ReplayLayer::new(1024))
        .layer(
            RetryLayer::new()
                .seed(1)
                .classify_response(HttpClassifier)
                .on_give_up(on_give_up),
        )
        .service(backend)
}

#[tokio::test(start_paused = true)]
async fn a_failed_response_before_the_body_was_sent_whole_is_not_retried() {
    // The server reads one chunk of three, then answers 503.
    let (backend, read_bytes) = responder::<Chunks>(vec![(Some(1), 503)]);
    let (events, on_give_up) = give_ups();
    let mut client = client(backend, on_give_up);
    let body = Chunks::new(&[b"ab", b"cd", b"ef"], None);
    let response = client.ready().await.unwrap().call(put(body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        *read_bytes.lock().unwrap(),
        vec![2],
        "one attempt, two bytes read"
    );
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (
            events[0].reason,
            events[0].attempts,
            events[0].class,
            events[0].code
        ),
        (
            GiveUpReason::Committed,
            1,
            Some(Class::Transient),
            Some("http.503")
        )
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_response_to_a_body_sent_whole_is_retried() {
    let (backend, read_bytes) = responder::<Chunks>(vec![(None, 503)]);
    let (events, on_give_up) = give_ups();
    let mut client = client(backend, on_give_up);
    let body = Chunks::new(&[b"ab", b"cd", b"ef"], None);
    let response = client.ready().await.unwrap().call(put(body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*read_bytes.lock().unwrap(), vec![6, 6]);
    assert!(events.lock().unwrap().is_empty());
}

/// A body with no data that says so from the start, as `http_body_util::Empty` does: a
/// client may never poll it.
struct Empty;

impl Body for Empty {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        true
    }
}

#[tokio::test(start_paused = true)]
async fn a_failed_response_to_an_empty_body_never_read_is_retried() {
    // The server reads nothing (`Some(0)`), as a client skips an ended body, then 503.
    let (backend, read_bytes) = responder::<Empty>(vec![(Some(0), 503)]);
    let mut client = client(backend, ());
    let request = Request::put("/kv/a").body(Empty).unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*read_bytes.lock().unwrap(), vec![0, 0]);
}

/// One chunk, and `is_end_stream` once it is taken, as `http_body_util::Full` does: a
/// client stops polling after the chunk.
struct Once(Option<Bytes>);

impl Body for Once {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Poll::Ready(self.0.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }
}

#[tokio::test(start_paused = true)]
async fn a_body_that_says_it_ended_after_its_last_chunk_counts_as_sent_whole() {
    // The server reads the one chunk and stops there, as hyper does, then answers 503.
    let (backend, read_bytes) = responder::<Once>(vec![(Some(1), 503)]);
    let mut client = client(backend, ());
    let body = Once(Some(Bytes::from_static(b"payload")));
    let request = Request::put("/kv/a").body(body).unwrap();
    let response = client.ready().await.unwrap().call(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(*read_bytes.lock().unwrap(), vec![7, 7]);
}

#[tokio::test(start_paused = true)]
async fn a_busy_response_before_the_body_was_sent_whole_is_retried_after_its_hint() {
    // A 429 is a rejection, not an execution: retried whatever the body, after the hint
    // (1 s, and seed 1's draw of 114 ms in its jitter window of 200 ms), and the retry
    // replays the two bytes read and reads on.
    let (backend, read_bytes) = responder::<Chunks>(vec![(Some(1), 429)]);
    let (events, on_give_up) = give_ups();
    let mut client = client(backend, on_give_up);
    let body = Chunks::new(&[b"ab", b"cd", b"ef"], None);
    let started = tokio::time::Instant::now();
    let response = client.ready().await.unwrap().call(put(body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(started.elapsed(), std::time::Duration::from_millis(1_114));
    assert_eq!(*read_bytes.lock().unwrap(), vec![2, 6]);
    assert!(events.lock().unwrap().is_empty());
}
