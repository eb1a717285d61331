//! Replaying a streaming request body, so that a request whose body is a stream can be
//! retried.
//!
//! tower's retry clones every request before its first attempt, which a streaming body
//! cannot do, so such requests are not retried at all (tower#682, grpc-rust#733,
//! reqwest-middleware#44). [`ReplayLayer`] wraps each request's body in a [`ReplayBody`]
//! that records the bytes *as they are sent*: nothing is copied before the first attempt,
//! and a retry replays the recording, then goes on reading the original stream where the
//! first attempt left it. A clone of a `ReplayBody` is a handle on the same recording,
//! which is what [`Retry`](crate::retry::Retry) keeps.
//!
//! The recording is capped per request ([`ReplayLayer::new`]) and, optionally, across all
//! requests ([`ReplayLayer::shared_cap`]). A body that outgrows a cap stops being recorded:
//! it is sent once, whole, and not retried ([`GiveUpReason::NotReplayable`]), which the
//! retry layer learns from the request's extensions through
//! [`IdempotentRequest::can_resend`](crate::retry::IdempotentRequest::can_resend).
//!
//! Place it outside the retry layer:
//! `ServiceBuilder::new().layer(ReplayLayer::new(64 * 1024)).layer(RetryLayer::new())`.
//!
//! [`GiveUpReason::NotReplayable`]: crate::retry::GiveUpReason::NotReplayable

use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

/// The recording shared by a body and its clones.
struct Shared<B> {
    /// The original stream, when no body instance is reading it.
    stream: Option<B>,
    /// Recorded data, in order; emptied once over a cap.
    chunks: Vec<Bytes>,
    recorded: usize,
    cap: usize,
    across: Option<SharedCap>,
    over_cap: bool,
    /// The original stream ended; its trailers, if any.
    ended: bool,
    trailers: Option<HeaderMap>,
    /// A body instance waiting for the stream to be put back.
    waiting: Option<Waker>,
}

impl<B> Drop for Shared<B> {
    fn drop(&mut self) {
        if let Some(shared) = &self.across {
            shared.used.fetch_sub(self.recorded, Ordering::AcqRel);
        }
    }
}

/// Bytes recorded by all the requests of one layer, and their limit.
#[derive(Clone, Debug)]
struct SharedCap {
    used: Arc<AtomicUsize>,
    limit: usize,
}

fn lock<B>(shared: &Mutex<Shared<B>>) -> MutexGuard<'_, Shared<B>> {
    // The lock is never held across a call that can panic; a poisoned one still holds a
    // consistent recording.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a request's body can still be replayed, and whether it was sent whole; in the
/// request's extensions, where the retry layer finds it.
#[derive(Clone)]
pub struct Replayable {
    recording: Arc<dyn Recording + Send + Sync>,
}

/// What the retry layer asks of a recording, whatever its body type.
trait Recording {
    /// The recording and whether the original stream ended, or `None` once every body
    /// instance is gone.
    fn read(&self) -> Option<(bool, bool)>;
}

impl<B> Recording for Weak<Mutex<Shared<B>>> {
    fn read(&self) -> Option<(bool, bool)> {
        let shared = self.upgrade()?;
        let shared = lock(&shared);
        Some((shared.over_cap, shared.ended))
    }
}

impl Replayable {
    /// `false` once the body outgrew its cap.
    #[must_use]
    pub fn is_replayable(&self) -> bool {
        self.recording.read().is_some_and(|(over_cap, _)| !over_cap)
    }

    /// `true` once the original body was read to its end (by any attempt), or if it was
    /// empty: the server can have received the whole request.
    #[must_use]
    pub fn is_sent(&self) -> bool {
        self.recording.read().is_some_and(|(_, ended)| ended)
    }
}

impl core::fmt::Debug for Replayable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Replayable")
            .field("replayable", &self.is_replayable())
            .field("sent", &self.is_sent())
            .finish()
    }
}

/// A request body that records what it sends, up to a cap, so that a clone can send it
/// again. See the [module documentation](self).
pub struct ReplayBody<B> {
    shared: Arc<Mutex<Shared<B>>>,
    /// Chunks of the recording this instance has sent.
    sent_chunks: usize,
    /// The original stream, while this instance reads it.
    reading: Option<B>,
    trailers_sent: bool,
}

impl<B> ReplayBody<B> {
    fn new(body: B, cap: usize, shared_cap: Option<SharedCap>) -> Self
    where
        B: Body,
    {
        // An empty body (`is_end_stream` from the start) may never be polled.
        let ended = body.is_end_stream();
        ReplayBody {
            shared: Arc::new(Mutex::new(Shared {
                stream: Some(body),
                chunks: Vec::new(),
                recorded: 0,
                cap,
                across: shared_cap,
                over_cap: false,
                ended,
                trailers: None,
                waiting: None,
            })),
            sent_chunks: 0,
            reading: None,
            trailers_sent: false,
        }
    }

    /// Whether a clone can send the whole body again: `false` once it outgrew a cap.
    #[must_use]
    pub fn is_replayable(&self) -> bool {
        !lock(&self.shared).over_cap
    }

    fn replayable(&self) -> Replayable
    where
        B: Send + 'static,
    {
        Replayable {
            recording: Arc::new(Arc::downgrade(&self.shared)),
        }
    }
}

impl<B> Clone for ReplayBody<B> {
    /// A handle on the same recording, which replays it from the start.
    fn clone(&self) -> Self {
        ReplayBody {
            shared: Arc::clone(&self.shared),
            sent_chunks: 0,
            reading: None,
            trailers_sent: false,
        }
    }
}

impl<B> Drop for ReplayBody<B> {
    /// Puts the original stream back for the next attempt, and wakes it.
    fn drop(&mut self) {
        if let Some(stream) = self.reading.take() {
            let mut shared = lock(&self.shared);
            shared.stream = Some(stream);
            if let Some(waker) = shared.waiting.take() {
                waker.wake();
            }
        }
    }
}

impl<B> core::fmt::Debug for ReplayBody<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ReplayBody")
            .field("sent_chunks", &self.sent_chunks)
            .field("reading", &self.reading.is_some())
            .finish_non_exhaustive()
    }
}

impl<B> Body for ReplayBody<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.get_mut();
        let stream = if let Some(ref mut stream) = this.reading {
            stream
        } else {
            let mut shared = lock(&this.shared);
            // Replay what was recorded first.
            if let Some(chunk) = shared.chunks.get(this.sent_chunks).cloned() {
                this.sent_chunks += 1;
                return Poll::Ready(Some(Ok(Frame::data(chunk))));
            }
            if shared.ended {
                if this.trailers_sent {
                    return Poll::Ready(None);
                }
                this.trailers_sent = true;
                return Poll::Ready(shared.trailers.clone().map(|t| Ok(Frame::trailers(t))));
            }
            // Then read on from the original stream, once the last attempt puts it back.
            let Some(stream) = shared.stream.take() else {
                shared.waiting = Some(cx.waker().clone());
                return Poll::Pending;
            };
            drop(shared);
            this.reading.insert(stream)
        };
        let frame = match Pin::new(stream).poll_frame(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(frame) => frame,
        };
        let mut shared = lock(&this.shared);
        match &frame {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    record(&mut shared, data);
                    this.sent_chunks = shared.chunks.len();
                    // A client may stop polling a body that says it has ended (hyper does),
                    // so its end is recorded here too.
                    if this.reading.as_ref().is_some_and(B::is_end_stream) {
                        shared.ended = true;
                    }
                } else if let Some(trailers) = frame.trailers_ref() {
                    shared.trailers = Some(trailers.clone());
                    this.trailers_sent = true;
                }
            }
            None => {
                shared.ended = true;
                this.trailers_sent = true;
            }
            Some(Err(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        let shared = lock(&self.shared);
        self.sent_chunks >= shared.chunks.len()
            && shared.ended
            && (self.trailers_sent || shared.trailers.is_none())
            && self.reading.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        let shared = lock(&self.shared);
        let pending: usize = shared
            .chunks
            .iter()
            .skip(self.sent_chunks)
            .map(Bytes::len)
            .sum();
        let pending = u64::try_from(pending).unwrap_or(u64::MAX);
        let rest = match (&self.reading, &shared.stream) {
            (Some(stream), _) | (None, Some(stream)) => stream.size_hint(),
            (None, None) if shared.ended => SizeHint::with_exact(0),
            (None, None) => SizeHint::default(),
        };
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(pending));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(pending));
        }
        hint
    }
}

/// Records `data`, unless that takes the recording over a cap: then the recording is
/// dropped and the body is no longer replayable.
fn record<B>(shared: &mut Shared<B>, data: &Bytes) {
    if shared.over_cap {
        return;
    }
    let within_own = shared.recorded + data.len() <= shared.cap;
    let within_shared = shared.across.as_ref().is_none_or(|cap| {
        cap.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + data.len() <= cap.limit).then_some(used + data.len())
            })
            .is_ok()
    });
    if within_own && within_shared {
        shared.chunks.push(data.clone());
        shared.recorded += data.len();
        return;
    }
    if within_shared {
        // Taken from the shared cap just now, but not kept.
        if let Some(cap) = &shared.across {
            cap.used.fetch_sub(data.len(), Ordering::AcqRel);
        }
    }
    shared.over_cap = true;
    shared.chunks = Vec::new();
    if let Some(cap) = &shared.across {
        cap.used.fetch_sub(shared.recorded, Ordering::AcqRel);
    }
    shared.recorded = 0;
}

/// Wraps each request's body in a [`ReplayBody`]; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct ReplayLayer {
    cap: usize,
    shared_cap: Option<SharedCap>,
}

impl ReplayLayer {
    /// Records up to `cap` bytes of each request's body.
    #[must_use]
    pub fn new(cap: usize) -> Self {
        ReplayLayer {
            cap,
            shared_cap: None,
        }
    }

    /// Records at most `limit` bytes across all the requests in flight through the
    /// services this layer makes; a body that would take the total over it is not
    /// recorded (and not retried).
    #[must_use]
    pub fn shared_cap(mut self, limit: usize) -> Self {
        self.shared_cap = Some(SharedCap {
            used: Arc::new(AtomicUsize::new(0)),
            limit,
        });
        self
    }
}

impl<S> Layer<S> for ReplayLayer {
    type Service = Replay<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Replay {
            inner,
            cap: self.cap,
            shared_cap: self.shared_cap.clone(),
        }
    }
}

/// Wraps each request's body in a [`ReplayBody`]. Made by [`ReplayLayer`].
#[derive(Clone, Debug)]
pub struct Replay<S> {
    inner: S,
    cap: usize,
    shared_cap: Option<SharedCap>,
}

impl<S> Replay<S> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for Replay<S>
where
    S: Service<Request<ReplayBody<B>>>,
    B: Body + Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let body = ReplayBody::new(body, self.cap, self.shared_cap.clone());
        parts.extensions.insert(body.replayable());
        self.inner.call(Request::from_parts(parts, body))
    }
}
