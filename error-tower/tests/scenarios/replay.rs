//! Streaming request bodies: the default client of every scenario, behind `http`'s
//! [`ReplayLayer`], sends `PUT`s whose bodies are streams. In its own file because the
//! request is an `http::Request` rather than the harness's `Req`; the backend reads the
//! body of each attempt whole, then treats the attempt as it would a `Req`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use error_tower::http::ReplayLayer;
use http::Request;
use tower::{Layer, ServiceExt};

use crate::body::Chunks;
use crate::harness::{Backend, BackendError, CALL_ID, Faults, NODE, Outcome, open_loop};
use crate::{CALLS, INTERVAL, client};

/// The replay layer's cap on the bytes it records per request.
const CAP: usize = 64 * 1024;
const CHUNK: usize = 1024;
/// Each call's body: 4 chunks of 1 KiB.
const CHUNKS: usize = 4;
const BODY: u64 = (CHUNKS * CHUNK) as u64;

/// The bytes the bodies are cut from: `DATA[i] = i % 251`.
static DATA: [u8; 8 * CHUNK] = {
    let mut data = [0; 8 * CHUNK];
    let mut i = 0;
    while i < data.len() {
        data[i] = (i % 251) as u8;
        i += 1;
    }
    data
};

/// Call `id`'s body, as chunks: it starts at offset `id % 251` of [`DATA`], so that calls
/// with consecutive ids carry different bytes.
fn chunks_of(id: u64) -> Vec<&'static [u8]> {
    let start = (id % 251) as usize;
    (0..CHUNKS)
        .map(|k| &DATA[start + k * CHUNK..start + (k + 1) * CHUNK])
        .collect()
}

fn put(id: u64, chunks: &[&'static [u8]]) -> Request<Chunks> {
    Request::put("/kv/a")
        .header(CALL_ID, id)
        .header(NODE, 1)
        .body(Chunks::new(chunks, None))
        .unwrap()
}

/// Call `id`'s first `failures(id)` attempts fail `transient` before executing; the next
/// succeeds.
fn scripted(failures: impl Fn(u64) -> u32 + Send + Sync + 'static) -> Faults {
    let attempts: Mutex<HashMap<u64, u32>> = Mutex::default();
    Arc::new(move |req, _, _| {
        let mut attempts = attempts.lock().unwrap();
        let attempt = attempts.entry(req.id).or_default();
        *attempt += 1;
        if *attempt <= failures(req.id) {
            Outcome::TransientBefore
        } else {
            Outcome::Ok
        }
    })
}

/// Of every 10 calls, one fails its first two attempts and two fail their first.
fn failures(id: u64) -> u32 {
    match id % 10 {
        0 => 2,
        1 | 2 => 1,
        _ => 0,
    }
}

#[tokio::test(start_paused = true)]
async fn a_retried_streaming_body_is_replayed_byte_for_byte() {
    let backend = Backend::new(1_000, 8, scripted(failures));
    let client = ReplayLayer::new(CAP).layer(client(backend.clone()));
    let run = open_loop(client, CALLS, INTERVAL, 1, |id| put(id, &chunks_of(id))).await;
    let retries = backend.attempts() - CALLS;
    println!(
        "streaming bodies: {} attempts for {CALLS} calls of {BODY} bytes, {retries} retries, {} bytes replayed",
        backend.attempts(),
        backend.bytes_replayed()
    );
    assert_eq!(run.successes, CALLS);
    // 200 calls retried twice, 400 once.
    assert_eq!(retries, 800);
    assert_eq!(backend.bytes_replayed(), BODY * retries);
    assert_eq!(backend.bytes_replayed(), 3_276_800);
    for id in 0..CALLS {
        let expected: Vec<u8> = chunks_of(id).concat();
        let bodies = backend.bodies(id);
        assert_eq!(bodies.len(), 1 + failures(id) as usize, "call {id}");
        for body in &bodies {
            assert_eq!(
                *body, expected,
                "call {id}: every attempt carries the same bytes"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_streaming_body_over_the_cap_is_sent_once_and_not_retried() {
    // Every call's first attempt fails, and a retry would succeed.
    let send = |chunks: Vec<&'static [u8]>| async move {
        let backend = Backend::new(1_000, 9, scripted(|_| 1));
        let client = ReplayLayer::new(CAP).layer(client(backend.clone()));
        let result = client.oneshot(put(0, &chunks)).await;
        (backend, result, chunks.concat())
    };

    // A body of exactly the cap is recorded whole, and replayed.
    let (backend, result, body) = send(vec![&DATA[..CHUNK]; CAP / CHUNK]).await;
    assert_eq!(result.unwrap(), 0);
    assert_eq!(backend.attempts(), 2);
    assert_eq!(backend.bytes_replayed(), CAP as u64);
    assert_eq!(backend.bodies(0), [body.clone(), body]);

    // One chunk more: the recording stops at the cap, the body is sent once, whole, and the
    // call fails with the first attempt's error.
    let (backend, result, body) = send(vec![&DATA[..CHUNK]; CAP / CHUNK + 1]).await;
    assert!(matches!(result, Err(BackendError::Reset)), "{result:?}");
    assert_eq!(backend.attempts(), 1);
    assert_eq!(backend.bytes_replayed(), 0);
    assert_eq!(backend.bodies(0), [body]);
    println!(
        "streaming body over the {CAP}-byte cap: {} attempt, {} bytes replayed",
        backend.attempts(),
        backend.bytes_replayed()
    );
}
