//! A streaming request body and a reader for it, shared by `tests/replay` and the replay
//! scenario of `tests/scenarios` (which includes this file by path).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::fmt::Debug;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Body, Frame};

/// A streaming body: its chunks, one a poll, then its trailers. Not `Clone`.
pub(crate) struct Chunks {
    frames: VecDeque<Frame<Bytes>>,
}

impl Chunks {
    pub(crate) fn new(chunks: &[&'static [u8]], trailers: Option<HeaderMap>) -> Self {
        let mut frames: VecDeque<Frame<Bytes>> = chunks
            .iter()
            .map(|c| Frame::data(Bytes::from_static(c)))
            .collect();
        if let Some(trailers) = trailers {
            frames.push_back(Frame::trailers(trailers));
        }
        Chunks { frames }
    }
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.frames.pop_front().map(Ok))
    }
}

/// Reads up to `chunks` data frames of `body` (all of it when `None`), and the trailers.
pub(crate) async fn read<B>(body: &mut B, chunks: Option<usize>) -> (Vec<u8>, Option<HeaderMap>)
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Debug,
{
    let mut data = Vec::new();
    let mut trailers = None;
    let mut read = 0;
    while chunks.is_none_or(|n| read < n) {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await;
        let Some(frame) = frame else { break };
        let frame = frame.unwrap();
        match frame.into_data() {
            Ok(bytes) => {
                data.extend_from_slice(bytes.as_ref());
                read += 1;
            }
            Err(frame) => trailers = frame.into_trailers().ok(),
        }
    }
    (data, trailers)
}
