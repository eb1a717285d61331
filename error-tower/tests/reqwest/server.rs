//! A real HTTP/1.1 server on `127.0.0.1:0` (hyper), answering with a handler, and counting
//! the requests it received.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket};

pub(crate) type Reply = http::Response<Full<Bytes>>;
pub(crate) type Handler = Arc<
    dyn Fn(http::Request<Incoming>) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync,
>;

/// The server: its address and the requests it received.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub(crate) async fn start(handler: Handler) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let handler = Arc::clone(&handler);
                let counted = Arc::clone(&counted);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        counted.fetch_add(1, Ordering::Relaxed);
                        let reply = handler(request);
                        async move { Ok::<_, Infallible>(reply.await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Server {
            addr,
            requests,
            task,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A reply with `status`, `headers` and `body`.
pub(crate) fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut response = http::Response::builder().status(status);
    for (name, value) in headers {
        response = response.header(*name, *value);
    }
    response
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap()
}

/// An address where nothing listens, for as long as it lives: connections to it are
/// refused.
///
/// It holds a socket bound to a port of 127.0.0.1 that never listens: the kernel answers a
/// connection to it with a reset, as to a closed port, and no other process can bind the
/// port meanwhile. (A listener bound, then dropped, left a free port that another process,
/// such as a parallel test's server, could take before this test connected to it.)
pub(crate) struct DeadAddr {
    addr: SocketAddr,
    _bound: TcpSocket,
}

impl DeadAddr {
    pub(crate) fn new() -> DeadAddr {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        DeadAddr {
            addr: socket.local_addr().unwrap(),
            _bound: socket,
        }
    }

    /// `http://{addr}/`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
}
