//! [`ResponseFuture`]: a call through [`Fault`](super::Fault).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use core::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;

use super::Injected;

pin_project! {
    /// The future of a call through [`Fault`](super::Fault): the inner call (its response
    /// kept or dropped), then the injected delay, if any.
    pub struct ResponseFuture<F, R> {
        #[pin]
        state: State<F, R>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, R> {
        Called { #[pin] future: F, drop_response: bool, delay: Option<Duration> },
        // Boxed: only a delayed call pays for tokio's `Sleep`.
        Delayed { sleep: Pin<Box<Sleep>>, result: Option<R> },
        Done { result: Option<R> },
    }
}

impl<F, R> core::fmt::Debug for ResponseFuture<F, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, R> ResponseFuture<F, R> {
    pub(crate) fn called(future: F, drop_response: bool, delay: Option<Duration>) -> Self {
        ResponseFuture {
            state: State::Called {
                future,
                drop_response,
                delay,
            },
        }
    }

    pub(crate) fn injected(result: R, delay: Option<Duration>) -> Self {
        let state = match delay {
            Some(delay) => State::Delayed {
                sleep: Box::pin(tokio::time::sleep(delay)),
                result: Some(result),
            },
            None => State::Done {
                result: Some(result),
            },
        };
        ResponseFuture { state }
    }
}

impl<F, T, E> Future for ResponseFuture<F, Result<T, E>>
where
    F: Future<Output = Result<T, E>>,
    E: From<error_core::Error>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                StateProj::Called {
                    future,
                    drop_response,
                    delay,
                } => {
                    let mut result = ready!(future.poll(cx));
                    if *drop_response {
                        // The work is done; the caller never hears of it.
                        result = Err(error_core::Error::new(Injected::response_dropped()).into());
                    }
                    let next = match *delay {
                        Some(delay) => State::Delayed {
                            sleep: Box::pin(tokio::time::sleep(delay)),
                            result: Some(result),
                        },
                        None => State::Done {
                            result: Some(result),
                        },
                    };
                    this.state.set(next);
                }
                StateProj::Delayed { sleep, result } => {
                    ready!(sleep.as_mut().poll(cx));
                    let result = result.take();
                    this.state.set(State::Done { result });
                }
                StateProj::Done { result } => {
                    return match result.take() {
                        Some(result) => Poll::Ready(result),
                        // Polled after it completed: tower's futures make no promise then.
                        None => Poll::Pending,
                    };
                }
            }
        }
    }
}
