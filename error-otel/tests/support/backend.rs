//! A backend for the layer tests: fails its first calls, then answers.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::ClassifiedError;
use tokio::time::Instant;
use tower::Service;

/// The node's answer, with the status it returned: a client span reports a response
/// status only when its error states one.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum BackendError {
    #[error("node is down, node={node}")]
    #[class(transient, status = unavailable)]
    NodeDown { node: u64 },
}

/// A backend that fails its first `failures` calls with `NodeDown`, and records when
/// each call arrived.
#[derive(Clone)]
pub struct Backend {
    failures: u32,
    calls: Arc<AtomicU32>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Backend {
    pub fn failing(failures: u32) -> Backend {
        Backend {
            failures,
            calls: Arc::default(),
            arrivals: Arc::default(),
        }
    }

    pub fn service(
        &self,
    ) -> impl Service<u64, Response = u64, Error = error_core::Error, Future: Send> + Clone + use<>
    {
        let backend = self.clone();
        tower::service_fn(move |request: u64| {
            let call = backend.calls.fetch_add(1, Ordering::SeqCst);
            backend.arrivals.lock().unwrap().push(Instant::now());
            let failures = backend.failures;
            async move {
                if call < failures {
                    Err(error_core::Error::from(BackendError::NodeDown { node: 2 }))
                } else {
                    Ok(request)
                }
            }
        })
    }

    pub fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }

    /// The gaps between consecutive calls.
    pub fn gaps(&self) -> Vec<Duration> {
        let arrivals = self.arrivals.lock().unwrap();
        arrivals.windows(2).map(|w| w[1] - w[0]).collect()
    }
}
