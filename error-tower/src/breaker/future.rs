//! [`ResponseFuture`]: one call through the breaker.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::sync::Arc;

use error_core::Classify;
use pin_project_lite::pin_project;

use super::OnStateChange;
use super::error::Open;
use super::state::{Shared, Ticket, Verdict};
use crate::classify::ClassifyResponse;

pin_project! {
    /// The future of a call through [`Breaker`](super::Breaker): the inner call, whose
    /// outcome it reports to the breaker when it ends, or the [`Open`] error of a call the
    /// breaker refused.
    ///
    /// Dropped before it ends, it reports nothing, except that a probe frees its slot.
    pub struct ResponseFuture<F, C = (), H = ()> {
        #[pin]
        kind: Kind<F, C, H>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, C, H> {
        Called {
            #[pin]
            future: F,
            // `None` when nothing is to be reported (forced closed).
            recorder: Option<Recorder<H>>,
            classify: C,
        },
        Refused { open: Open },
    }
}

impl<F, C, H> core::fmt::Debug for ResponseFuture<F, C, H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let refused = match &self.kind {
            Kind::Called { .. } => None,
            Kind::Refused { open } => Some(open),
        };
        f.debug_struct("ResponseFuture")
            .field("refused", &refused)
            .finish_non_exhaustive()
    }
}

impl<F, C, H> ResponseFuture<F, C, H> {
    pub(crate) fn called(future: F, shared: &Arc<Shared<H>>, ticket: Ticket, classify: C) -> Self {
        let recorder = match ticket {
            Ticket::Pass => None,
            Ticket::Closed { .. } | Ticket::Probe { .. } => Some(Recorder {
                shared: Arc::clone(shared),
                ticket: Some(ticket),
            }),
        };
        ResponseFuture {
            kind: Kind::Called {
                future,
                recorder,
                classify,
            },
        }
    }

    pub(crate) fn refused(open: Open) -> Self {
        ResponseFuture {
            kind: Kind::Refused { open },
        }
    }
}

impl<F, C, H, T, E> Future for ResponseFuture<F, C, H>
where
    F: Future<Output = Result<T, E>>,
    E: Classify + From<error_core::Error>,
    C: ClassifyResponse<T>,
    H: OnStateChange,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Called {
                future,
                recorder,
                classify,
            } => {
                let result = ready!(future.poll(cx));
                if let Some(recorder) = recorder {
                    recorder.finish(&result, &*classify);
                }
                Poll::Ready(result)
            }
            KindProj::Refused { open } => Poll::Ready(Err(E::from(error_core::Error::from(*open)))),
        }
    }
}

/// Reports a call's outcome once: when it ends, or (as no evidence) when it is dropped.
#[derive(Debug)]
struct Recorder<H> {
    shared: Arc<Shared<H>>,
    ticket: Option<Ticket>,
}

impl<H: OnStateChange> Recorder<H> {
    fn finish<T, E: Classify>(
        &mut self,
        result: &Result<T, E>,
        classify: &impl ClassifyResponse<T>,
    ) {
        if let Some(ticket) = self.ticket.take() {
            let verdict = match result {
                Ok(response) => classify
                    .classify(response)
                    .map_or(Verdict::Success, |failure| {
                        self.shared.verdict_of(Some(failure.class))
                    }),
                Err(error) => self
                    .shared
                    .verdict_of(error.classified().map(error_core::ClassifiedError::class)),
            };
            self.shared.record(ticket, verdict);
        }
    }
}

impl<H> Drop for Recorder<H> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.shared.abandon(ticket);
        }
    }
}
