//! What the wire tests share: an error of any class with a redacted secret, a recording
//! TCP proxy, and a layer that records what a client received.

use std::fmt;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Value, Visit};
use http_body::{Body, Frame};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// The value of a redacted field: it must appear nowhere on the wire.
pub const SECRET: &str = "s3cr3t-tenant-4f9a";

/// An error of any class, with two fields, a redacted one, and for the retriable classes a
/// 1.5 s hint.
#[derive(Debug)]
pub struct AnyClass {
    pub class: Class,
    pub tenant: String,
}

impl AnyClass {
    pub fn new(class: Class) -> AnyClass {
        AnyClass {
            class,
            tenant: SECRET.to_owned(),
        }
    }

    /// The code each class's error has.
    pub fn code_of(class: Class) -> &'static str {
        match class {
            Class::Transient => "test.transient",
            Class::Busy => "test.busy",
            Class::Redirect => "test.redirect",
            Class::Conflict => "test.conflict",
            Class::Invalid => "test.invalid",
            Class::Denied => "test.denied",
            Class::Closed => "test.closed",
            Class::Data => "test.data",
            Class::Fatal => "test.fatal",
            _ => "test.internal",
        }
    }

    pub fn hint_of(class: Class) -> Option<Duration> {
        class.is_retriable().then_some(Duration::from_millis(1500))
    }
}

impl fmt::Display for AnyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "failed as {}. node=`3`, key=`\"k1\"`, tenant=`<redacted>`",
            self.class
        )
    }
}

impl std::error::Error for AnyClass {}

impl ClassifiedError for AnyClass {
    fn class(&self) -> Class {
        self.class
    }
    fn code(&self) -> &'static str {
        AnyClass::code_of(self.class)
    }
    fn retry_after(&self) -> Option<Duration> {
        AnyClass::hint_of(self.class)
    }
    fn visit_fields(&self, visitor: &mut dyn Visit) {
        visitor.visit("node", Value::Display(&3));
        visitor.visit("key", Value::Debug(&"k1"));
        // The value is right here, and must not leave: visited as redacted.
        let _ = &self.tenant;
        visitor.visit("tenant", Value::Redacted);
    }
}

impl error_core::Boundary for AnyClass {}

/// The fields an error visits, rendered.
pub fn fields(error: &dyn ClassifiedError) -> Vec<(String, String)> {
    let mut out = Vec::new();
    error.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        out.push((key.to_owned(), value.to_string()));
    });
    out
}

/// The fields `AnyClass` sends: the redacted one is not among them.
pub fn sent_fields() -> Vec<(String, String)> {
    vec![
        ("node".to_owned(), "3".to_owned()),
        ("key".to_owned(), "\"k1\"".to_owned()),
    ]
}

/// Bytes seen on a connection, both ways.
pub type Recorded = Arc<Mutex<Vec<u8>>>;

/// A TCP proxy to `upstream` that records every byte of every connection, both ways;
/// returns its address. It listens before it returns.
pub async fn recording_proxy(upstream: SocketAddr) -> (SocketAddr, Recorded) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let recorded: Recorded = Arc::default();
    let seen = Arc::clone(&recorded);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else {
                continue;
            };
            let (client_read, client_write) = client.into_split();
            let (server_read, server_write) = server.into_split();
            tokio::spawn(pipe(client_read, server_write, Arc::clone(&seen)));
            tokio::spawn(pipe(server_read, client_write, Arc::clone(&seen)));
        }
    });
    (addr, recorded)
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    seen: Recorded,
) {
    let mut buf = vec![0; 16 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        seen.lock().unwrap().extend_from_slice(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Records what a client receives, after the transport's framing: every header and
/// trailer (name and value, and a binary header's value base64-decoded too) and every byte
/// of the body.
///
/// HTTP/2 compresses headers (HPACK, often Huffman-coded) and gRPC sends its details in
/// base64, so a secret could cross the socket without its bytes appearing there as they
/// are: what this records, decoded, is where the wire tests look for it.
#[derive(Clone, Debug, Default)]
pub struct CaptureLayer {
    pub seen: Recorded,
}

impl<S> tower::Layer<S> for CaptureLayer {
    type Service = Capture<S>;
    fn layer(&self, inner: S) -> Capture<S> {
        Capture {
            inner,
            seen: Arc::clone(&self.seen),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Capture<S> {
    inner: S,
    seen: Recorded,
}

fn record_headers(seen: &Recorded, headers: &http::HeaderMap) {
    let mut seen = seen.lock().unwrap();
    for (name, value) in headers {
        seen.extend_from_slice(name.as_str().as_bytes());
        seen.extend_from_slice(b": ");
        seen.extend_from_slice(value.as_bytes());
        seen.push(b'\n');
        if name.as_str().ends_with("-bin") {
            let decoded = error_core::wire::grpc::details_from_base64(value.as_bytes())
                .expect("a binary header within the details' cap, in base64");
            seen.extend_from_slice(&decoded);
            seen.push(b'\n');
        }
    }
}

impl<S, Req, B> tower::Service<Req> for Capture<S>
where
    S: tower::Service<Req, Response = http::Response<B>>,
    S::Future: Send + 'static,
    B: 'static,
{
    type Response = http::Response<CaptureBody<B>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let future = self.inner.call(request);
        let seen = Arc::clone(&self.seen);
        Box::pin(async move {
            let response = future.await?;
            record_headers(&seen, response.headers());
            Ok(response.map(|inner| CaptureBody { inner, seen }))
        })
    }
}

pub struct CaptureBody<B> {
    inner: B,
    seen: Recorded,
}

impl<B: Body<Data = bytes::Bytes> + Unpin> Body for CaptureBody<B> {
    type Data = bytes::Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<bytes::Bytes>, B::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(frame)) = &frame {
            if let Some(data) = frame.data_ref() {
                self.seen.lock().unwrap().extend_from_slice(data);
            }
            if let Some(trailers) = frame.trailers_ref() {
                record_headers(&self.seen, trailers);
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}
