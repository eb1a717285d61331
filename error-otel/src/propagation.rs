//! W3C trace context across the hop: one trace from a client's call, through its retries,
//! to each server's handling of each attempt.
//!
//! A client injects the context of its current span into each request's headers
//! (`traceparent`, `tracestate`); a server extracts it and makes it the parent of the span
//! it opens for the request. Both go through OpenTelemetry's global propagator, which the
//! application sets once at startup
//! (`opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new())`, from
//! `opentelemetry_sdk::propagation`); without one, nothing is injected and nothing is
//! extracted. The carrier is an `http::HeaderMap`: an HTTP request's headers, or a gRPC
//! request's metadata (tonic's `MetadataMap::as_mut` or `into_headers`, or the
//! `http::Request` a tonic service receives).
//!
//! Where to inject: inside the retry layer, so that every attempt carries the context of
//! the span that is current when it is sent. Under an [`OtelLayer`](crate::OtelLayer) put
//! outside the retry layer, that is the logical call's span, so every attempt of one call
//! (and every server that saw one) is in one trace, under one client span.
//! [`InjectLayer`] does it for a service of `http::Request`s (a tonic `Channel`, a hyper
//! client); a client that builds its requests itself calls [`inject`].
//!
//! ```
//! use error_otel::propagation;
//!
//! let span = tracing::info_span!("call");
//! let mut headers = http::HeaderMap::new();
//! propagation::inject(&span, &mut headers);
//! // On the server:
//! let parent = propagation::extract(&headers);
//! let server_span = tracing::info_span!("handle");
//! let _took = propagation::set_parent(&server_span, parent);
//! ```

#[cfg(feature = "tower")]
use core::task::{Context, Poll};

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use opentelemetry::propagation::{Extractor, Injector};
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// An `http::HeaderMap` as the carrier OpenTelemetry's propagators write to.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    /// Sets `key` to `value`; a key or value that is not a valid header is skipped.
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// An `http::HeaderMap` as the carrier OpenTelemetry's propagators read from.
#[derive(Debug)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    /// The first value of `key`, if it is text.
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

/// Writes the trace context of `span` into `headers`, with the global propagator.
pub fn inject(span: &tracing::Span, headers: &mut HeaderMap) {
    let context = span.context();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeaderInjector(headers));
    });
}

/// Writes the trace context of the current span into `headers`.
pub fn inject_current(headers: &mut HeaderMap) {
    inject(&tracing::Span::current(), headers);
}

/// The trace context that `headers` carry, with the global propagator: an empty context
/// when they carry none (or a malformed one).
#[must_use]
pub fn extract(headers: &HeaderMap) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    })
}

/// Makes `parent` (from [`extract`]) the parent of `span`, which must not have been
/// entered yet; whether the span took it (it does not without a tracing-opentelemetry
/// layer).
#[must_use = "a span without a tracing-opentelemetry layer takes no parent"]
pub fn set_parent(span: &tracing::Span, parent: opentelemetry::Context) -> bool {
    span.set_parent(parent).is_ok()
}

/// Injects the current span's trace context into each `http::Request` before passing it
/// on; see the [module documentation](self).
#[cfg(feature = "tower")]
#[derive(Clone, Copy, Debug, Default)]
pub struct InjectLayer {
    _private: (),
}

#[cfg(feature = "tower")]
impl InjectLayer {
    /// The layer.
    #[must_use]
    pub fn new() -> Self {
        InjectLayer::default()
    }
}

#[cfg(feature = "tower")]
impl<S> tower_layer::Layer<S> for InjectLayer {
    type Service = Inject<S>;

    fn layer(&self, inner: S) -> Inject<S> {
        Inject { inner }
    }
}

/// The service of [`InjectLayer`].
#[cfg(feature = "tower")]
#[derive(Clone, Debug)]
pub struct Inject<S> {
    inner: S,
}

#[cfg(feature = "tower")]
impl<S> Inject<S> {
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

#[cfg(feature = "tower")]
impl<S, B> tower_service::Service<http::Request<B>> for Inject<S>
where
    S: tower_service::Service<http::Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> S::Future {
        inject_current(request.headers_mut());
        self.inner.call(request)
    }
}
