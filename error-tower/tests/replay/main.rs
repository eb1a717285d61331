//! Streaming request bodies replayed for retries: byte-identical, from a recording filled
//! as they are sent, and never over their cap.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod body;
mod committed;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use body::{Chunks, read};
use error_tower::http::{ReplayBody, ReplayLayer};
use error_tower::retry::{GiveUpEvent, GiveUpReason, RetryLayer};
use http::{HeaderMap, Request};
use tower::{Service, ServiceBuilder, ServiceExt};

/// What each attempt's body carried, as the backend read it.
type Received = Arc<Mutex<Vec<(Vec<u8>, Option<HeaderMap>)>>>;

/// A backend whose attempt `n` reads `reads[n]` chunks (all, when `None`) and then fails
/// `transient`, or, past the script, reads all and succeeds.
fn backend(
    reads: Vec<Option<usize>>,
) -> (
    impl Service<Request<ReplayBody<Chunks>>, Response = (), Error = error_core::Error> + Clone,
    Received,
) {
    let received: Received = Arc::default();
    let script = Arc::new(Mutex::new(VecDeque::from(reads)));
    let seen = Arc::clone(&received);
    let service = tower::service_fn(move |request: Request<ReplayBody<Chunks>>| {
        let step = script.lock().unwrap().pop_front();
        let seen = Arc::clone(&seen);
        async move {
            let mut body = request.into_body();
            let (data, trailers) = read(&mut body, step.flatten()).await;
            seen.lock().unwrap().push((data, trailers));
            match step {
                Some(_) => Err(error_core::Error::transient("connection reset")),
                None => Ok(()),
            }
        }
    });
    (service, received)
}

fn give_ups() -> (Arc<Mutex<Vec<GiveUpEvent>>>, impl Fn(&GiveUpEvent) + Clone) {
    let events: Arc<Mutex<Vec<GiveUpEvent>>> = Arc::default();
    let sink = Arc::clone(&events);
    (events, move |e: &GiveUpEvent| sink.lock().unwrap().push(*e))
}

fn put(body: Chunks) -> Request<Chunks> {
    Request::put("/kv/a").body(body).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_streaming_body_is_replayed_byte_for_byte() {
    let (backend, received) = backend(vec![Some(usize::MAX)]);
    let mut client = ServiceBuilder::new()
        .layer(ReplayLayer::new(1024))
        .layer(RetryLayer::new().seed(1))
        .service(backend);
    let body = Chunks::new(&[b"hello ", b"streaming ", b"world"], None);
    client.ready().await.unwrap().call(put(body)).await.unwrap();
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].0, b"hello streaming world");
    assert_eq!(received[1].0, received[0].0);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_a_partial_read_replays_the_prefix_and_reads_on() {
    // The first attempt reads one chunk of three, then fails.
    let (backend, received) = backend(vec![Some(1)]);
    let mut client = ServiceBuilder::new()
        .layer(ReplayLayer::new(1024))
        .layer(RetryLayer::new().seed(1))
        .service(backend);
    let body = Chunks::new(&[b"ab", b"cd", b"ef"], None);
    client.ready().await.unwrap().call(put(body)).await.unwrap();
    let received = received.lock().unwrap();
    assert_eq!(received[0].0, b"ab");
    assert_eq!(received[1].0, b"abcdef");
}

#[tokio::test(start_paused = true)]
async fn trailers_are_replayed() {
    let mut trailers = HeaderMap::new();
    trailers.insert("x-checksum", "42".parse().unwrap());
    let (backend, received) = backend(vec![Some(usize::MAX)]);
    let mut client = ServiceBuilder::new()
        .layer(ReplayLayer::new(1024))
        .layer(RetryLayer::new().seed(1))
        .service(backend);
    let body = Chunks::new(&[b"data"], Some(trailers.clone()));
    client.ready().await.unwrap().call(put(body)).await.unwrap();
    let received = received.lock().unwrap();
    assert_eq!(received[0], (b"data".to_vec(), Some(trailers.clone())));
    assert_eq!(received[1], (b"data".to_vec(), Some(trailers)));
}

#[tokio::test(start_paused = true)]
async fn a_body_over_the_cap_is_sent_once_and_not_retried() {
    let (backend, received) = backend(vec![Some(usize::MAX)]);
    let (events, on_give_up) = give_ups();
    let mut client = ServiceBuilder::new()
        .layer(ReplayLayer::new(8))
        .layer(RetryLayer::new().seed(1).on_give_up(on_give_up))
        .service(backend);
    let body = Chunks::new(&[b"0123456789", b"abcdef"], None);
    let err = client
        .ready()
        .await
        .unwrap()
        .call(put(body))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "connection reset");
    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1, "sent once");
    assert_eq!(received[0].0, b"0123456789abcdef", "and whole");
    assert_eq!(
        events.lock().unwrap()[0].reason,
        GiveUpReason::NotReplayable
    );
}

#[tokio::test(start_paused = true)]
async fn the_shared_cap_limits_the_bytes_recorded_across_requests() {
    // Each body is 60 bytes; the layer records at most 100 across requests in flight.
    let chunk: &'static [u8] = &[7; 60];
    let replay = ReplayLayer::new(1024).shared_cap(100);
    let mut first = tower::Layer::layer(
        &replay,
        tower::service_fn(|r: Request<ReplayBody<Chunks>>| async move { Ok::<_, Infallible>(r) }),
    );
    let mut second = first.clone();
    let a = first
        .ready()
        .await
        .unwrap()
        .call(put(Chunks::new(&[chunk], None)))
        .await
        .unwrap();
    let b = second
        .ready()
        .await
        .unwrap()
        .call(put(Chunks::new(&[chunk], None)))
        .await
        .unwrap();
    let (mut a, mut b) = (a.into_body(), b.into_body());
    assert_eq!(read(&mut a, None).await.0.len(), 60);
    assert_eq!(read(&mut b, None).await.0.len(), 60);
    assert!(a.is_replayable(), "the first 60 bytes fit");
    assert!(!b.is_replayable(), "60 more would take the total to 120");
    // A replay of the first is byte-identical.
    let mut again = a.clone();
    assert_eq!(read(&mut again, None).await.0, vec![7; 60]);
    // Once the first request is gone, its bytes are free again.
    drop((a, again));
    let c = first
        .ready()
        .await
        .unwrap()
        .call(put(Chunks::new(&[chunk], None)))
        .await
        .unwrap();
    let mut c = c.into_body();
    read(&mut c, None).await;
    assert!(c.is_replayable());
}
