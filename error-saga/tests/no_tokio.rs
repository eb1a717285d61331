//! A saga on an executor of the test's own, with a sleep of its own: what a runtime other
//! than tokio does. Built with and without the `tokio` feature
//! (`cargo test -p error-saga --no-default-features --test no_tokio`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Log, checkout};
use error_core::{Class, ClassifiedError, Error};
use error_saga::Saga;

/// Any executor: the saga only awaits its steps' futures; the sleep is the caller's.
#[test]
fn a_saga_runs_without_tokio_with_its_own_sleep() {
    let log = Log::default();
    let slept = Arc::new(Mutex::new(Vec::new()));
    let mut saga = Saga::new("checkout", "order-13").sleep({
        let slept = Arc::clone(&slept);
        move |delay| {
            slept.lock().unwrap().push(delay);
            std::future::ready(())
        }
    });
    let err = block_on(checkout(
        &mut saga,
        &log,
        Ok(7),
        vec![Err(Error::transient("refund timed out"))],
        Err(Error::invalid("no such address")),
    ))
    .unwrap_err();
    assert!(err.is_consistent());
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(*slept.lock().unwrap(), [Duration::from_millis(100)]);
    assert_eq!(
        log.take(),
        [
            "reserve order-13#1/1-reserve",
            "charge order-13#1/2-charge",
            "ship order-13#1/3-ship",
            "refund order-13#1/2-charge",
            "refund order-13#1/2-charge",
            "release order-13#1/1-reserve",
        ]
    );
}

/// A minimal executor for futures that never wait (every call here answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}
