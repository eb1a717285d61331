//! What the saga tests share: a call log, steps and compensations that log and answer as
//! told, and a checkout saga.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use error_core::Error;
use error_saga::{Key, OnAbandon, Saga, SagaError};

/// The calls the services received, in order: `"reserve order-1#1/1-reserve"`,
/// `"release order-1#1/1-reserve"`, …
#[derive(Clone, Default)]
pub(crate) struct Log(pub(crate) Arc<Mutex<Vec<String>>>);

impl Log {
    pub(crate) fn push(&self, what: &str, key: &Key) {
        self.0.lock().unwrap().push(format!("{what} {key}"));
    }

    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// A service call that logs `what` with the key, and answers `result`.
pub(crate) fn call<T: Send + 'static>(
    log: &Log,
    what: &'static str,
    result: Result<T, Error>,
) -> impl FnOnce(Key) -> std::future::Ready<Result<T, Error>> {
    let log = log.clone();
    move |key| {
        log.push(what, &key);
        std::future::ready(result)
    }
}

/// A compensation that logs `what` and answers the next of `results` (then `Ok`).
pub(crate) fn undo(
    log: &Log,
    what: &'static str,
    results: Vec<Result<(), Error>>,
) -> impl Fn(Key) -> std::future::Ready<Result<(), Error>> + Send + Sync + 'static {
    let log = log.clone();
    let results = Arc::new(Mutex::new(results.into_iter()));
    move |key| {
        log.push(what, &key);
        std::future::ready(results.lock().unwrap().next().unwrap_or(Ok(())))
    }
}

/// Checkout: reserve (released), charge (refunded) with `charge`'s result, ship (no
/// compensation) with `ship`'s.
pub(crate) async fn checkout<H: OnAbandon>(
    saga: &mut Saga<H>,
    log: &Log,
    charge: Result<u64, Error>,
    refund: Vec<Result<(), Error>>,
    ship: Result<(), Error>,
) -> Result<u64, SagaError> {
    saga.step("reserve", call(log, "reserve", Ok(())))
        .compensate(undo(log, "release", vec![]))
        .run()
        .await?;
    let charged = saga
        .step("charge", call(log, "charge", charge))
        .compensate(undo(log, "refund", refund))
        .run()
        .await?;
    saga.step("ship", call(log, "ship", ship)).run().await?;
    Ok(charged)
}
