//! A gRPC key-value service written by hand over tonic's lower-level API: no `protoc`, no
//! generated code.
//!
//! - The messages are written with prost's derive ([`KeyValue`], [`Reply`]); the codec is
//!   `tonic_prost::ProstCodec`.
//! - The server is a `tower::Service<http::Request<tonic::body::Body>>` ([`KvServer`]) that
//!   routes on the path and hands each unary call to `tonic::server::Grpc::unary`, as
//!   generated code does; [`serve`] runs it on a listener the caller bound, with
//!   `tonic::transport::Server::serve_with_incoming`.
//! - The client is `tonic::client::Grpc` over a `Channel`, behind error-tower's
//!   `GrpcSanitizeLayer` ([`KvClient`]).
//!
//! The handler is a closure from a [`Call`] to a reply or a `tonic::Status`, so that the
//! cluster and the tests give each server the behaviour they need.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use error_tower::http::{GrpcSanitize, GrpcSanitizeLayer};
use tonic::transport::{Channel, Endpoint};
use tower::Layer as _;

/// The path of the `Get` method.
pub const GET: &str = "/kv.Kv/Get";

/// The path of the `Put` method.
pub const PUT: &str = "/kv.Kv/Put";

/// The request of both methods: `Get` reads `key`, `Put` writes `value` under it.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct KeyValue {
    /// The key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The value (`Put` only).
    #[prost(string, tag = "2")]
    pub value: String,
}

/// The reply of both methods.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Reply {
    /// The value read or written.
    #[prost(string, tag = "1")]
    pub value: String,
    /// The node that served the call.
    #[prost(uint64, tag = "2")]
    pub node: u64,
}

/// A method of the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `/kv.Kv/Get`.
    Get,
    /// `/kv.Kv/Put`.
    Put,
}

impl Method {
    /// Its path.
    #[must_use]
    pub fn path(self) -> &'static str {
        match self {
            Method::Get => GET,
            Method::Put => PUT,
        }
    }

    /// Its name, as `rpc.method` records it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Put => "Put",
        }
    }
}

/// One call, as the handler sees it.
#[derive(Debug)]
pub struct Call {
    /// The method.
    pub method: Method,
    /// The request message.
    pub request: KeyValue,
    /// The request's metadata, as HTTP headers (`traceparent` among them).
    pub headers: http::HeaderMap,
}

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a server does with each call.
pub type Handler = Arc<dyn Fn(Call) -> BoxFuture<Result<Reply, tonic::Status>> + Send + Sync>;

/// The server: routes on the path, decodes, calls the handler, encodes.
#[derive(Clone)]
pub struct KvServer {
    handler: Handler,
}

impl std::fmt::Debug for KvServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KvServer").finish_non_exhaustive()
    }
}

impl KvServer {
    /// A server that answers with `handler`.
    pub fn new(handler: Handler) -> KvServer {
        KvServer { handler }
    }
}

/// One method bound to the handler: what `tonic::server::Grpc::unary` calls.
struct Unary {
    handler: Handler,
    method: Method,
}

impl tonic::server::UnaryService<KeyValue> for Unary {
    type Response = Reply;
    type Future = BoxFuture<Result<tonic::Response<Reply>, tonic::Status>>;

    fn call(&mut self, request: tonic::Request<KeyValue>) -> Self::Future {
        let (metadata, _, request) = request.into_parts();
        let call = Call {
            method: self.method,
            request,
            headers: metadata.into_headers(),
        };
        let future = (self.handler)(call);
        Box::pin(async move { future.await.map(tonic::Response::new) })
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for KvServer {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        let method = match request.uri().path() {
            GET => Method::Get,
            PUT => Method::Put,
            _ => {
                let status = tonic::Status::unimplemented("no such method");
                return Box::pin(async move { Ok(status.into_http()) });
            }
        };
        let unary = Unary {
            handler: Arc::clone(&self.handler),
            method,
        };
        Box::pin(async move {
            let mut grpc =
                tonic::server::Grpc::new(tonic_prost::ProstCodec::<Reply, KeyValue>::default());
            Ok(grpc.unary(unary, request).await)
        })
    }
}

/// Serves `handler` on `listener` (bound by the caller, so that clients can connect as
/// soon as it is bound) until the future is dropped or the listener fails.
///
/// # Errors
///
/// The transport's, if serving fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    handler: Handler,
) -> Result<(), tonic::transport::Error> {
    tonic::transport::Server::builder()
        .serve_with_incoming(
            KvServer::new(handler),
            tokio_stream::wrappers::TcpListenerStream::new(listener),
        )
        .await
}

/// The channel a client uses, behind `GrpcSanitizeLayer`.
pub type SanitizedChannel = GrpcSanitize<Channel>;

/// A client of one server.
#[derive(Clone, Debug)]
pub struct KvClient {
    grpc: tonic::client::Grpc<SanitizedChannel>,
}

impl KvClient {
    /// A client of the server at `addr`, connecting lazily: the first call connects, and a
    /// call to a server that is down fails `UNAVAILABLE`.
    ///
    /// # Errors
    ///
    /// The transport's, for an address it cannot make a URI of (none in practice).
    pub fn new(addr: std::net::SocketAddr) -> Result<KvClient, tonic::transport::Error> {
        let endpoint = Endpoint::from_shared(format!("http://{addr}"))?;
        Ok(KvClient::from_channel(endpoint.connect_lazy()))
    }

    /// A client over `channel`.
    #[must_use]
    pub fn from_channel(channel: Channel) -> KvClient {
        KvClient {
            grpc: tonic::client::Grpc::new(GrpcSanitizeLayer::new().layer(channel)),
        }
    }

    /// Calls `method` with `request` and `headers` as its metadata.
    ///
    /// # Errors
    ///
    /// The server's status, or the transport's (`UNAVAILABLE` when the server is down).
    pub async fn call(
        &mut self,
        method: Method,
        request: KeyValue,
        headers: http::HeaderMap,
    ) -> Result<Reply, tonic::Status> {
        self.grpc
            .ready()
            .await
            .map_err(|error| tonic::Status::unavailable(error.to_string()))?;
        let request = tonic::Request::from_parts(
            tonic::metadata::MetadataMap::from_headers(headers),
            tonic::Extensions::default(),
            request,
        );
        let path = http::uri::PathAndQuery::from_static(method.path());
        let response = self
            .grpc
            .unary(
                request,
                path,
                tonic_prost::ProstCodec::<KeyValue, Reply>::default(),
            )
            .await?;
        Ok(response.into_inner())
    }
}
