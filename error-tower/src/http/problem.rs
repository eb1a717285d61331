//! [`ProblemLayer`]: reads the problem details of failed HTTP responses, so that
//! [`HttpClassifier`](super::HttpClassifier) acts on the server's class, code and hint
//! (feature `wire`).
//!
//! A response classifier sees a response's status and headers, not its body: the body is a
//! stream the caller has not read yet. A server's `application/problem+json` body says more
//! than its status (`busy, retry after 1.5 s` on a 503; `conflict` on a 409), so this layer,
//! placed inside the retry layer, reads such bodies before the classifier runs:
//!
//! - only for a status of 400 or more with `Content-Type: application/problem+json`, and a
//!   `Content-Length`, when there is one, of at most
//!   [`MAX_BODY_LEN`](error_core::wire::problem::MAX_BODY_LEN); other responses pass
//!   through untouched, unread;
//! - at most `MAX_BODY_LEN` bytes: a longer body stops being read there, is not decoded,
//!   and is handed on whole (what was read, then the rest of the stream);
//! - the decoded error goes in the response's extensions as a [`Problem`], where the
//!   classifier finds it, and the body is handed on as it was received.
//!
//! ```
//! use error_tower::http::{HttpClassifier, ProblemLayer};
//! use error_tower::retry::RetryLayer;
//! use tower::ServiceBuilder;
//!
//! let layers = ServiceBuilder::new()
//!     .layer(RetryLayer::new().classify_response(HttpClassifier))
//!     .layer(ProblemLayer::new());
//! # drop(layers);
//! ```

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::collections::VecDeque;
use std::sync::Arc;

use bytes::{Buf as _, Bytes};
use error_core::wire::problem;
use http::{HeaderMap, Response};
use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

/// The problem details of a response, decoded, in its extensions; see the [module
/// documentation](self).
#[derive(Clone, Debug)]
pub struct Problem(pub Arc<error_core::Error>);

/// Applies [`ProblemService`]; see the [module documentation](self).
#[derive(Clone, Copy, Debug, Default)]
pub struct ProblemLayer {
    _private: (),
}

impl ProblemLayer {
    /// The layer.
    #[must_use]
    pub fn new() -> Self {
        ProblemLayer::default()
    }
}

impl<S> Layer<S> for ProblemLayer {
    type Service = ProblemService<S>;

    fn layer(&self, inner: S) -> ProblemService<S> {
        ProblemService { inner }
    }
}

/// The service of [`ProblemLayer`].
#[derive(Clone, Debug)]
pub struct ProblemService<S> {
    inner: S,
}

impl<S> ProblemService<S> {
    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req, B> Service<Req> for ProblemService<S>
where
    S: Service<Req, Response = Response<B>>,
    B: Body<Data = Bytes> + Unpin,
{
    type Response = Response<ProblemBody<B>>;
    type Error = S::Error;
    type Future = ProblemFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        ProblemFuture {
            state: State::Calling {
                future: self.inner.call(request),
            },
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`ProblemService`].
    pub struct ProblemFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Calling { #[pin] future: F },
        Reading { response: Option<Response<B>>, read: Vec<Bytes>, len: usize },
        Done,
    }
}

impl<F, B, E> Future for ProblemFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Body<Data = Bytes> + Unpin,
{
    type Output = Result<Response<ProblemBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Calling { future } => {
                    let response = ready!(future.poll(cx))?;
                    if !worth_reading(&response) {
                        this.state.set(State::Done);
                        return Poll::Ready(Ok(response.map(ProblemBody::passthrough)));
                    }
                    this.state.set(State::Reading {
                        response: Some(response),
                        read: Vec::new(),
                        len: 0,
                    });
                }
                StateProj::Reading {
                    response,
                    read,
                    len,
                } => {
                    let Some(current) = response.as_mut() else {
                        // Polled after completion: nothing left to give.
                        return Poll::Pending;
                    };
                    let frame = ready!(Pin::new(current.body_mut()).poll_frame(cx));
                    let outcome = match frame {
                        Some(Ok(frame)) => match frame.into_data() {
                            Ok(data) => {
                                *len += data.len();
                                read.push(data);
                                if *len <= problem::MAX_BODY_LEN {
                                    continue;
                                }
                                Read::TooLong
                            }
                            Err(frame) => Read::Trailers(frame.into_trailers().ok()),
                        },
                        Some(Err(error)) => Read::Failed(error),
                        None => Read::Ended,
                    };
                    let Some(response) = response.take() else {
                        return Poll::Pending;
                    };
                    let read = core::mem::take(read);
                    this.state.set(State::Done);
                    return Poll::Ready(Ok(finish(response, read, outcome)));
                }
                StateProj::Done => return Poll::Pending,
            }
        }
    }
}

/// How reading a body stopped.
enum Read<E> {
    Ended,
    Trailers(Option<HeaderMap>),
    TooLong,
    Failed(E),
}

fn worth_reading<B: Body>(response: &Response<B>) -> bool {
    if response.status().as_u16() < 400 {
        return false;
    }
    let headers = response.headers();
    let is_problem = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(problem::CONTENT_TYPE));
    let fits = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_none_or(|len| len <= problem::MAX_BODY_LEN as u64);
    is_problem && fits && response.body().size_hint().lower() <= problem::MAX_BODY_LEN as u64
}

fn finish<B: Body<Data = Bytes>>(
    response: Response<B>,
    read: Vec<Bytes>,
    outcome: Read<B::Error>,
) -> Response<ProblemBody<B>> {
    let (mut parts, body) = response.into_parts();
    let whole = matches!(outcome, Read::Ended | Read::Trailers(_));
    if whole {
        let bytes = concat(&read);
        let error = problem::decode(parts.status, &parts.headers, &bytes);
        parts.extensions.insert(Problem(Arc::new(error)));
    }
    let body = match outcome {
        Read::Ended => ProblemBody::replay(read, None, None, None),
        Read::Trailers(trailers) => ProblemBody::replay(read, trailers, None, Some(body)),
        Read::TooLong => ProblemBody::replay(read, None, None, Some(body)),
        Read::Failed(error) => ProblemBody::replay(read, None, Some(error), None),
    };
    Response::from_parts(parts, body)
}

fn concat(chunks: &[Bytes]) -> Bytes {
    match chunks {
        [] => Bytes::new(),
        [one] => one.clone(),
        many => {
            let mut all = Vec::with_capacity(many.iter().map(Bytes::len).sum());
            for chunk in many {
                all.extend_from_slice(chunk);
            }
            Bytes::from(all)
        }
    }
}

pin_project_lite::pin_project! {
    /// The body of a response that went through [`ProblemLayer`]: the original, or what
    /// was read of it followed by the rest, frame for frame as received.
    pub struct ProblemBody<B: Body> {
        read: VecDeque<Bytes>,
        trailers: Option<HeaderMap>,
        error: Option<B::Error>,
        #[pin]
        rest: Option<B>,
    }
}

impl<B: Body> ProblemBody<B> {
    fn passthrough(body: B) -> Self {
        ProblemBody {
            read: VecDeque::new(),
            trailers: None,
            error: None,
            rest: Some(body),
        }
    }

    fn replay(
        read: Vec<Bytes>,
        trailers: Option<HeaderMap>,
        error: Option<B::Error>,
        rest: Option<B>,
    ) -> Self {
        // After trailers, the stream is over: keep nothing of it to poll.
        let rest = if trailers.is_some() { None } else { rest };
        ProblemBody {
            read: read.into(),
            trailers,
            error,
            rest,
        }
    }
}

impl<B: Body> core::fmt::Debug for ProblemBody<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProblemBody")
            .field("read", &self.read.len())
            .field("trailers", &self.trailers.is_some())
            .field("rest", &self.rest.is_some())
            .finish_non_exhaustive()
    }
}

impl<B> Body for ProblemBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = self.project();
        if let Some(data) = this.read.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if let Some(trailers) = this.trailers.take() {
            return Poll::Ready(Some(Ok(Frame::trailers(trailers))));
        }
        if let Some(error) = this.error.take() {
            return Poll::Ready(Some(Err(error)));
        }
        match this.rest.as_pin_mut() {
            Some(rest) => rest.poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.read.is_empty()
            && self.trailers.is_none()
            && self.error.is_none()
            && self.rest.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let read = self.read.iter().map(|b| b.remaining() as u64).sum::<u64>();
        let mut hint = self
            .rest
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint);
        hint.set_lower(hint.lower().saturating_add(read));
        if let Some(upper) = hint.upper() {
            hint.set_upper(upper.saturating_add(read));
        }
        hint
    }
}
