//! A checkout saga over three in-process services (inventory, payment, shipping) with
//! error-saga, on tokio's paused clock.
//!
//! Run it with `cargo run -p examples --example checkout`.
//!
//! # The saga
//!
//! ```text
//! reserve   inventory.reserve(key)      compensated by inventory.release(key)
//! charge    payment.charge(key, cents)  compensated by payment.refund(key)
//! ship      shipping.ship(key)          (the last step: nothing after it can fail)
//! ```
//!
//! Every call carries the step's idempotency key (`order-2#1/2-charge`: the order, the
//! saga's attempt, the step): the services record the keys they served, so a retried
//! charge is charged once, and a refund or release of a key they never saw does nothing.
//! They also keep a tombstone for each key they undid, and refuse it from then on
//! (`invalid`), so that a late retry of a step cannot execute after its compensation; a
//! saga run again is therefore the next attempt, with keys of its own. The payment client
//! is error-tower's default `RetryLayer` over a `FaultLayer`, which this example switches
//! on to make the payment provider fail.
//!
//! # The orders
//!
//! 1. Every step succeeds; the saga commits.
//! 2. Payment fails `transient`: the fault layer fails every attempt, the retry layer gives
//!    up after 4, the saga releases the reservation (and refunds the charge key, in case an
//!    attempt went through): the error is `transient`, so the caller runs the checkout again
//!    once the fault is switched off, as attempt 2 of the same order, and it commits.
//! 3. Payment fails `fatal` (the provider lost its ledger): compensated, and the saga's
//!    error is `internal`, not `fatal`: the provider's fault is not the caller's, and
//!    restarting the caller would repair nothing. Not retried.
//! 4. Shipping refuses the address (`invalid`), and the refund fails (the refund service is
//!    down; three attempts): the saga's error is `data`, with the key to repair.
//! 5. The caller gives up (a 1 s timeout) while shipping hangs: the dropped saga's
//!    compensations run on the runtime by themselves.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{ClassifiedError, Error, Report, Retriable};
use error_saga::{Key, Saga, SagaError};
use error_tower::fault::{FaultHandle, FaultLayer, Injected};
use error_tower::retry::RetryLayer;
use tokio::sync::Notify;
use tower::{Layer, ServiceExt};

/// The three services' state, and every call they received.
#[derive(Debug, Default)]
pub struct Shop {
    calls: Mutex<Vec<String>>,
    reserved: Mutex<BTreeSet<String>>,
    charged: Mutex<BTreeMap<String, u64>>,
    shipped: Mutex<BTreeSet<String>>,
    payment_fatal: AtomicBool,
    refunds_down: AtomicBool,
    shipping_hangs: AtomicBool,
    charge_attempts: AtomicU32,
    /// The keys the services undid: refused from then on.
    tombstones: Mutex<BTreeSet<String>>,
    /// Told of every call, so that the example can wait for one.
    called: Notify,
}

// The services' methods stand for remote calls, so they are `async` even where the
// in-process stand-in does not wait.
#[allow(clippy::unused_async)]
impl Shop {
    fn log(&self, call: String) {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(call);
        }
        self.called.notify_waiters();
    }

    /// Waits until the services have received `call`.
    async fn received(&self, call: &str) {
        loop {
            let called = self.called.notified();
            let mut called = std::pin::pin!(called);
            called.as_mut().enable();
            let seen = self
                .calls
                .lock()
                .map_or(true, |calls| calls.iter().any(|c| c == call));
            if seen {
                return;
            }
            called.await;
        }
    }

    /// A key the services undid.
    fn tombstone(&self, key: &Key) {
        if let Ok(mut tombstones) = self.tombstones.lock() {
            tombstones.insert(key.to_string());
        }
    }

    /// Refuses a key the services undid: a late step must not execute after its
    /// compensation.
    fn refuse_undone(&self, key: &Key) -> Result<(), Error> {
        let undone = self
            .tombstones
            .lock()
            .is_ok_and(|tombstones| tombstones.contains(&key.to_string()));
        if undone {
            return Err(Error::invalid("key was compensated").with_code("shop.tombstone"));
        }
        Ok(())
    }

    fn take_calls(&self) -> Vec<String> {
        self.calls
            .lock()
            .map(|mut calls| std::mem::take(&mut *calls))
            .unwrap_or_default()
    }

    async fn reserve(&self, key: &Key) -> Result<(), Error> {
        self.log(format!("inventory.reserve {key}"));
        self.refuse_undone(key)?;
        if let Ok(mut reserved) = self.reserved.lock() {
            reserved.insert(key.to_string());
        }
        Ok(())
    }

    async fn release(&self, key: &Key) -> Result<(), Error> {
        self.log(format!("inventory.release {key}"));
        if let Ok(mut reserved) = self.reserved.lock() {
            reserved.remove(&key.to_string());
        }
        self.tombstone(key);
        Ok(())
    }

    async fn charge(&self, key: &Key, cents: u64) -> Result<u64, Error> {
        self.charge_attempts.fetch_add(1, Ordering::Relaxed);
        self.log(format!("payment.charge {key}"));
        self.refuse_undone(key)?;
        if self.payment_fatal.load(Ordering::Relaxed) {
            return Err(Error::fatal("card processor lost its ledger").with_code("payment.ledger"));
        }
        if let Ok(mut charged) = self.charged.lock() {
            // Deduplicated by key: a retried charge is charged once.
            charged.entry(key.to_string()).or_insert(cents);
        }
        Ok(cents)
    }

    async fn refund(&self, key: &Key) -> Result<(), Error> {
        self.log(format!("payment.refund {key}"));
        if self.refunds_down.load(Ordering::Relaxed) {
            return Err(
                Error::transient("refund service unavailable").with_code("payment.refund_down")
            );
        }
        if let Ok(mut charged) = self.charged.lock() {
            charged.remove(&key.to_string());
        }
        self.tombstone(key);
        Ok(())
    }

    async fn ship(&self, key: &Key, address: &str) -> Result<(), Error> {
        self.log(format!("shipping.ship {key}"));
        if self.shipping_hangs.load(Ordering::Relaxed) {
            std::future::pending::<()>().await;
        }
        if address.is_empty() {
            return Err(Error::invalid("no such address").with_code("shipping.address"));
        }
        if let Ok(mut shipped) = self.shipped.lock() {
            shipped.insert(key.to_string());
        }
        Ok(())
    }
}

/// A charge request: the step's key and the amount.
#[derive(Clone, Debug)]
struct Charge {
    key: Key,
    cents: u64,
}

/// The payment client: the default retry layer (charges carry a key, so every charge may
/// be sent twice) over the fault layer over the payment service.
fn payment_client(
    shop: &Arc<Shop>,
    faults: &FaultLayer,
) -> impl tower::Service<Charge, Response = u64, Error = Error, Future: Send> + Clone + Send + use<>
{
    let shop = Arc::clone(shop);
    let payment = tower::service_fn(move |charge: Charge| {
        let shop = Arc::clone(&shop);
        async move { shop.charge(&charge.key, charge.cents).await }
    });
    RetryLayer::new()
        .assume_idempotent()
        .seed(7)
        .layer(faults.layer(payment))
}

/// Attempt `attempt` of the checkout saga for `order`, shipping to `address`.
async fn checkout<P>(
    shop: &Arc<Shop>,
    payment: P,
    (order, attempt): (&str, u32),
    address: &'static str,
) -> Result<u64, SagaError>
where
    P: tower::Service<Charge, Response = u64, Error = Error> + Clone,
{
    let mut saga = Saga::new("checkout", order).attempt(attempt);
    let s = Arc::clone(shop);
    let c = Arc::clone(shop);
    saga.step("reserve", |key| async move { s.reserve(&key).await })
        .compensate(move |key| {
            let shop = Arc::clone(&c);
            async move { shop.release(&key).await }
        })
        .run()
        .await?;
    let c = Arc::clone(shop);
    let cents = saga
        .step("charge", |key| {
            payment.oneshot(Charge { key, cents: 4_200 })
        })
        .compensate(move |key| {
            let shop = Arc::clone(&c);
            async move { shop.refund(&key).await }
        })
        .run()
        .await?;
    let s = Arc::clone(shop);
    saga.step("ship", |key| async move { s.ship(&key, address).await })
        .run()
        .await?;
    saga.commit();
    Ok(cents)
}

/// Writes one order's outcome.
fn outcome(out: &mut String, shop: &Shop, result: &Result<u64, SagaError>) -> std::fmt::Result {
    writeln!(out, "   calls:    {}", shop.take_calls().join(", "))?;
    match result {
        Ok(cents) => writeln!(out, "   result:   committed, charged {cents} cents"),
        Err(err) => {
            let action = if err.is_consistent() && err.is_retriable() {
                "compensated; the caller may run it again"
            } else if err.is_consistent() {
                "compensated; not retried"
            } else {
                "inconsistent; repair the keys below"
            };
            writeln!(
                out,
                "   result:   {} {} ({action})",
                err.class(),
                err.code()
            )?;
            for failure in err.compensation_failures() {
                writeln!(
                    out,
                    "   repair:   {} ({} attempts, last: {})",
                    failure.key(),
                    failure.attempts(),
                    failure.error().code()
                )?;
            }
            let report = format!("{:#}", Report::new(err));
            writeln!(
                out,
                "   report:   {}",
                report.replace('\n', "\n           ")
            )
        }
    }
}

/// The state of the services after an order.
fn state(out: &mut String, shop: &Shop) -> std::fmt::Result {
    let list = |set: Vec<String>| {
        if set.is_empty() {
            "none".to_owned()
        } else {
            set.join(", ")
        }
    };
    let reserved = shop
        .reserved
        .lock()
        .map(|r| r.iter().cloned().collect())
        .unwrap_or_default();
    let charged = shop
        .charged
        .lock()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default();
    let shipped = shop
        .shipped
        .lock()
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    writeln!(
        out,
        "   state:    reserved {}; charged {}; shipped {}",
        list(reserved),
        list(charged),
        list(shipped)
    )
}

async fn scenario(out: &mut String) -> std::fmt::Result {
    let shop = Arc::new(Shop::default());
    let faults = FaultLayer::builder()
        .window(1)
        .errors(1, Injected::new(error_core::Class::Transient))
        .build()
        .map_err(|_| std::fmt::Error)?;
    let switch: FaultHandle = faults.handle();
    switch.disable();
    let payment = payment_client(&shop, &faults);

    writeln!(out, "saga:     reserve (release) > charge (refund) > ship")?;
    writeln!(
        out,
        "payment:  RetryLayer::new() over a FaultLayer (off until order 2)"
    )?;

    writeln!(out, "\n1. every step succeeds")?;
    let result = checkout(&shop, payment.clone(), ("order-1", 1), "1 Main St").await;
    outcome(out, &shop, &result)?;
    state(out, &shop)?;

    writeln!(
        out,
        "\n2. payment fails transient: the fault layer fails every charge attempt"
    )?;
    switch.enable();
    let attempts = shop.charge_attempts.load(Ordering::Relaxed);
    let result = checkout(&shop, payment.clone(), ("order-2", 1), "2 Main St").await;
    let injected = switch.counts().errors;
    outcome(out, &shop, &result)?;
    writeln!(
        out,
        "   payment:  {injected} attempts failed by the fault layer (fault.transient), {} reached the service",
        shop.charge_attempts.load(Ordering::Relaxed) - attempts
    )?;
    state(out, &shop)?;
    writeln!(
        out,
        "   again:    the fault is switched off; the caller runs order-2 again, as attempt 2"
    )?;
    switch.disable();
    let result = checkout(&shop, payment.clone(), ("order-2", 2), "2 Main St").await;
    outcome(out, &shop, &result)?;
    state(out, &shop)?;

    writeln!(out, "\n3. payment fails fatal")?;
    shop.payment_fatal.store(true, Ordering::Relaxed);
    let result = checkout(&shop, payment.clone(), ("order-3", 1), "3 Main St").await;
    shop.payment_fatal.store(false, Ordering::Relaxed);
    outcome(out, &shop, &result)?;
    state(out, &shop)?;

    writeln!(
        out,
        "\n4. shipping refuses the address, and the refund service is down"
    )?;
    shop.refunds_down.store(true, Ordering::Relaxed);
    let started = tokio::time::Instant::now();
    let result = checkout(&shop, payment.clone(), ("order-4", 1), "").await;
    let took = started.elapsed();
    shop.refunds_down.store(false, Ordering::Relaxed);
    outcome(out, &shop, &result)?;
    writeln!(
        out,
        "   took:     {took:?} (the refund's backoff: 100ms, then 200ms)"
    )?;
    state(out, &shop)?;

    writeln!(out, "\n5. shipping hangs; the caller gives up after 1s")?;
    shop.shipping_hangs.store(true, Ordering::Relaxed);
    let cancelled = tokio::time::timeout(
        Duration::from_secs(1),
        checkout(&shop, payment.clone(), ("order-5", 1), "5 Main St"),
    )
    .await;
    writeln!(
        out,
        "   caller:   {}",
        if cancelled.is_err() {
            "timed out; the saga future is dropped"
        } else {
            "finished"
        }
    )?;
    // The dropped saga's compensations run on the runtime; the release is the last.
    shop.received("inventory.release order-5#1/1-reserve").await;
    writeln!(out, "   calls:    {}", shop.take_calls().join(", "))?;
    state(out, &shop)
}

/// Runs the scenario and returns what the example prints.
#[must_use]
pub fn run() -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build();
    let Ok(runtime) = runtime else {
        return "error: no runtime\n".to_owned();
    };
    let mut out = String::new();
    let _ = runtime.block_on(scenario(&mut out));
    out
}
