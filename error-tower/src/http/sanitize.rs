//! [`GrpcSanitizeLayer`]: drops a malformed `grpc-status-details-bin` before tonic's client
//! reads it (feature `wire`).
//!
//! tonic 0.14's client reads a gRPC status from a response's headers (a trailers-only
//! response) or trailers with `tonic::Status::from_header_map`, which *panics* when
//! `grpc-status-details-bin` is not valid base64
//! (`expect("Invalid status header, expected base64 encoded value")`). Any server, or
//! anything between it and the client, can send one, and the task that polls the call
//! dies. This layer, put between tonic's `Grpc` client and its channel, checks that header
//! in the response's headers and in its trailers with the same base64 rules tonic uses
//! ([`details_from_base64`]) and removes it
//! when it is malformed or over
//! [`MAX_DETAILS_LEN`](error_core::wire::grpc::MAX_DETAILS_LEN); tonic then reads the
//! status's code and message, with no details. Everything else passes through untouched.
//!
//! ```
//! use error_tower::http::GrpcSanitizeLayer;
//! use tower::ServiceBuilder;
//!
//! # fn client(channel: tower::util::BoxCloneService<http::Request<String>, http::Response<String>, std::convert::Infallible>) {
//! let channel = ServiceBuilder::new().layer(GrpcSanitizeLayer::new()).service(channel);
//! // tonic::client::Grpc::new(channel)
//! # drop(channel);
//! # }
//! ```

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

use error_core::wire::grpc::{DETAILS_HEADER, details_from_base64};
use http::{HeaderMap, Response};
use http_body::{Body, Frame, SizeHint};
use tower_layer::Layer;
use tower_service::Service;

/// Removes a malformed `grpc-status-details-bin`; whether it did.
fn sanitize(headers: &mut HeaderMap) -> bool {
    let malformed = headers
        .get(DETAILS_HEADER)
        .is_some_and(|value| details_from_base64(value.as_bytes()).is_err());
    if malformed {
        headers.remove(DETAILS_HEADER);
    }
    malformed
}

/// Applies [`GrpcSanitize`]; see the [module documentation](self).
#[derive(Clone, Copy, Debug, Default)]
pub struct GrpcSanitizeLayer {
    _private: (),
}

impl GrpcSanitizeLayer {
    /// The layer.
    #[must_use]
    pub fn new() -> Self {
        GrpcSanitizeLayer::default()
    }
}

impl<S> Layer<S> for GrpcSanitizeLayer {
    type Service = GrpcSanitize<S>;

    fn layer(&self, inner: S) -> GrpcSanitize<S> {
        GrpcSanitize { inner }
    }
}

/// The service of [`GrpcSanitizeLayer`].
#[derive(Clone, Debug)]
pub struct GrpcSanitize<S> {
    inner: S,
}

impl<S> GrpcSanitize<S> {
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

impl<S, Req, B> Service<Req> for GrpcSanitize<S>
where
    S: Service<Req, Response = Response<B>>,
{
    type Response = Response<SanitizedBody<B>>;
    type Error = S::Error;
    type Future = SanitizeFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        SanitizeFuture {
            future: self.inner.call(request),
        }
    }
}

pin_project_lite::pin_project! {
    /// The future of [`GrpcSanitize`].
    #[derive(Debug)]
    pub struct SanitizeFuture<F> {
        #[pin]
        future: F,
    }
}

impl<F, B, E> Future for SanitizeFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<SanitizedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut response = ready!(self.project().future.poll(cx))?;
        let removed = sanitize(response.headers_mut());
        Poll::Ready(Ok(response.map(|inner| SanitizedBody { inner, removed })))
    }
}

pin_project_lite::pin_project! {
    /// A response body whose trailers lose a malformed `grpc-status-details-bin`.
    #[derive(Debug)]
    pub struct SanitizedBody<B> {
        #[pin]
        inner: B,
        removed: bool,
    }
}

impl<B> SanitizedBody<B> {
    /// Whether a malformed `grpc-status-details-bin` was removed, from the headers or (once
    /// they have been read) the trailers.
    #[must_use]
    pub fn removed(&self) -> bool {
        self.removed
    }
}

impl<B: Body> Body for SanitizedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        Poll::Ready(frame.map(|frame| {
            frame.map(|frame| match frame.into_trailers() {
                Ok(mut trailers) => {
                    *this.removed |= sanitize(&mut trailers);
                    Frame::trailers(trailers)
                }
                Err(frame) => frame,
            })
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
