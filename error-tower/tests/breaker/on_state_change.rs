//! The state-change hook: the exact sequence of transitions it hears, once each, for the
//! automatic transitions and the forced ones, and that it runs outside the breaker's lock.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use error_tower::breaker::{BreakerHandle, BreakerLayer, OnStateChange, State, StateChange};
use error_tower::retry::RetryLayer;
use tower::{Layer, Service, ServiceExt};

use super::{Backend, BackendError, call, ms, refusal, secs};

use State::{Closed, ForcedClosed, ForcedOpen, HalfOpen, Open};

/// The transitions the hook heard, as `(from, to)`.
type Changes = Arc<Mutex<Vec<(State, State)>>>;

/// A hook that records each change, and what it recorded.
fn recorder() -> (Changes, impl OnStateChange + Send + Sync + 'static) {
    let changes: Changes = Arc::default();
    let sink = Arc::clone(&changes);
    (changes, move |change: &StateChange| {
        sink.lock().unwrap().push((change.from, change.to));
    })
}

fn heard(changes: &Changes) -> Vec<(State, State)> {
    changes.lock().unwrap().clone()
}

/// 5 consecutive failures trip it; open 5 s; 1 probe closes it.
fn five_in_a_row_heard_by(
    hook: impl OnStateChange + Send + Sync + 'static,
) -> BreakerLayer<(), impl OnStateChange + Send + Sync + 'static> {
    BreakerLayer::builder()
        .consecutive_failures(5)
        .build()
        .unwrap()
        .on_state_change(hook)
}

#[tokio::test(start_paused = true)]
async fn failures_trip_it_from_closed_to_open_once() {
    let backend = Backend::always(Err(BackendError::Reset));
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let mut service = layer.layer(backend.clone());
    for _ in 0..4 {
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    }
    assert_eq!(heard(&changes), []);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(heard(&changes), [(Closed, Open)]);
    // Refusals while open change nothing.
    for _ in 0..3 {
        refusal(call(&mut service, 0).await);
    }
    assert_eq!(heard(&changes), [(Closed, Open)]);
    assert_eq!(backend.call_count(), 5);
}

#[tokio::test(start_paused = true)]
async fn failures_in_flight_together_trip_it_once() {
    // Ten calls in flight at once, all failing after 100 ms: the 5th failure trips it, and
    // the 6th to 10th, of the closed period that has ended, change nothing.
    let backend = Backend::new(ms(100), |_, _| Err(BackendError::Reset));
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let mut service = layer.layer(backend.clone());
    let mut in_flight = Vec::new();
    for _ in 0..10 {
        in_flight.push(service.ready().await.unwrap().call(0));
    }
    for future in in_flight {
        assert_eq!(future.await, Err(BackendError::Reset));
    }
    assert_eq!(backend.call_count(), 10);
    assert_eq!(heard(&changes), [(Closed, Open)]);
}

#[tokio::test(start_paused = true)]
async fn the_first_call_after_the_open_interval_turns_it_half_open() {
    let backend = Backend::new(ms(100), |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let handle = layer.handle();
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    // Tripped at 500 ms; a call 1 ms before the interval ends is refused.
    tokio::time::sleep_until(backend.start + ms(5_499)).await;
    refusal(call(&mut service, 0).await);
    assert_eq!(heard(&changes), [(Closed, Open)]);

    // The interval has passed: the handle says half-open, but the breaker has no timer, and
    // nothing has turned it half-open yet.
    tokio::time::advance(ms(1)).await;
    assert_eq!(handle.state(), HalfOpen);
    assert_eq!(heard(&changes), [(Closed, Open)]);
    tokio::time::advance(secs(1)).await;
    assert_eq!(heard(&changes), [(Closed, Open)]);

    // The next call does, as it is admitted, before the backend answers it.
    let probe = service.ready().await.unwrap().call(0);
    assert_eq!(heard(&changes), [(Closed, Open), (Open, HalfOpen)]);
    // A second call while the probe is in flight is refused, and changes nothing.
    assert_eq!(refusal(call(&mut service, 0).await).state(), HalfOpen);
    assert_eq!(heard(&changes), [(Closed, Open), (Open, HalfOpen)]);
    assert_eq!(probe.await, Ok(1));
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]
    );
    assert_eq!(backend.call_count(), 6);
}

#[tokio::test(start_paused = true)]
async fn a_probe_success_closes_it() {
    let backend = Backend::script([
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Ok(7),
        Ok(8),
    ]);
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Ok(7));
    assert_eq!(call(&mut service, 0).await, Ok(8));
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]
    );
    assert_eq!(backend.call_count(), 7);
}

#[tokio::test(start_paused = true)]
async fn a_probe_failure_reopens_it_and_a_neutral_probe_changes_nothing() {
    let backend = Backend::script([
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        // The first probe fails,
        Err(BackendError::Reset),
        // the second ends with a client-side class and decides nothing,
        Err(BackendError::Invalid),
        // the third succeeds.
        Ok(7),
    ]);
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Open)]
    );

    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Invalid));
    assert_eq!(call(&mut service, 0).await, Ok(7));
    assert_eq!(
        heard(&changes),
        [
            (Closed, Open),
            (Open, HalfOpen),
            (HalfOpen, Open),
            (Open, HalfOpen),
            (HalfOpen, Closed),
        ]
    );
    assert_eq!(backend.call_count(), 8);
}

#[tokio::test(start_paused = true)]
async fn probes_close_it_once_after_enough_successes() {
    let backend = Backend::new(ms(100), |n, _| {
        if n < 5 {
            Err(BackendError::Reset)
        } else {
            Ok(1)
        }
    });
    let (changes, hook) = recorder();
    let layer = BreakerLayer::builder()
        .consecutive_failures(5)
        .probes(3)
        .close_after(3)
        .build()
        .unwrap()
        .on_state_change(hook);
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::sleep_until(backend.start + ms(5_500)).await;
    let mut probes = Vec::new();
    for _ in 0..3 {
        probes.push(service.ready().await.unwrap().call(0));
    }
    assert_eq!(heard(&changes), [(Closed, Open), (Open, HalfOpen)]);
    let mut results = Vec::new();
    for probe in probes {
        results.push(probe.await);
        // Heard once, after the third success.
        if results.len() < 3 {
            assert_eq!(heard(&changes), [(Closed, Open), (Open, HalfOpen)]);
        }
    }
    assert_eq!(results, [Ok(1), Ok(1), Ok(1)]);
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]
    );
    assert_eq!(backend.call_count(), 8);
}

#[tokio::test(start_paused = true)]
async fn forced_transitions_and_release_are_heard_once_each() {
    let backend = Backend::always(Err(BackendError::Reset));
    let (changes, hook) = recorder();
    let mut service = five_in_a_row_heard_by(hook).layer(backend.clone());
    let handle = service.handle();

    handle.force_open();
    // Forcing it open again, and releasing it twice, change nothing the second time.
    handle.force_open();
    handle.force_closed();
    handle.release();
    handle.release();
    assert_eq!(
        heard(&changes),
        [
            (Closed, ForcedOpen),
            (ForcedOpen, ForcedClosed),
            (ForcedClosed, Closed)
        ]
    );

    // Forced closed from closed: 50 failures go through and trip nothing.
    changes.lock().unwrap().clear();
    handle.force_closed();
    for _ in 0..50 {
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    }
    handle.release();
    assert_eq!(
        heard(&changes),
        [(Closed, ForcedClosed), (ForcedClosed, Closed)]
    );

    // Tripped, forced open over the automatic open, released: half-open at once; the probe
    // fails, and forced closed from open.
    changes.lock().unwrap().clear();
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    handle.force_open();
    handle.release();
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    handle.force_closed();
    handle.release();
    assert_eq!(
        heard(&changes),
        [
            (Closed, Open),
            (Open, ForcedOpen),
            (ForcedOpen, HalfOpen),
            (HalfOpen, Open),
            (Open, ForcedClosed),
            (ForcedClosed, Closed),
        ]
    );
    assert_eq!(backend.call_count(), 56);

    // Forced from half-open, while a probe is in flight: the probe's outcome is ignored.
    changes.lock().unwrap().clear();
    handle.force_open();
    handle.release();
    let probe = service.ready().await.unwrap().call(0);
    handle.force_closed();
    assert_eq!(probe.await, Err(BackendError::Reset));
    assert_eq!(
        heard(&changes),
        [
            (Closed, ForcedOpen),
            (ForcedOpen, HalfOpen),
            (HalfOpen, ForcedClosed),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn forced_after_the_open_interval_it_is_heard_from_open() {
    // The `from` of each change is the `to` of the one before: an open breaker whose
    // interval has passed, that no call has turned half-open, is forced from open.
    let backend = Backend::always(Err(BackendError::Reset));
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let handle = layer.handle();
    let mut service = layer.layer(backend);
    for _ in 0..5 {
        let _ = call(&mut service, 0).await;
    }
    tokio::time::advance(secs(6)).await;
    assert_eq!(handle.state(), HalfOpen);
    handle.force_open();
    assert_eq!(heard(&changes), [(Closed, Open), (Open, ForcedOpen)]);
}

#[tokio::test(start_paused = true)]
async fn services_handles_and_clones_of_one_layer_share_its_hook() {
    let backend = Backend::always(Err(BackendError::Reset));
    let (changes, hook) = recorder();
    let layer = five_in_a_row_heard_by(hook);
    let mut first = layer.layer(backend.clone());
    let mut second = layer.clone().layer(backend.clone());
    // 5 failures in a row across the two services trip the one breaker, heard once.
    for n in 0..5 {
        let service = if n % 2 == 0 { &mut first } else { &mut second };
        let _ = call(service, 0).await;
    }
    second.handle().force_closed();
    layer.handle().release();
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, ForcedClosed), (ForcedClosed, Closed)]
    );
    // The hook survives a classifier set after it.
    let classified = layer.classify_response(());
    classified.handle().force_open();
    assert_eq!(heard(&changes).last(), Some(&(Closed, ForcedOpen)));
}

#[tokio::test(start_paused = true)]
async fn the_hook_runs_outside_the_lock() {
    // The hook reads the breaker's state through a handle, which takes the lock: were it
    // called under the lock, this would deadlock. It reads the state it was told of.
    let handle: Arc<OnceLock<BreakerHandle>> = Arc::default();
    let seen: Arc<Mutex<Vec<(State, State)>>> = Arc::default();
    let layer = BreakerLayer::builder()
        .consecutive_failures(1)
        .build()
        .unwrap()
        .on_state_change({
            let handle = Arc::clone(&handle);
            let seen = Arc::clone(&seen);
            move |change: &StateChange| {
                let now = handle.get().unwrap().state();
                seen.lock().unwrap().push((change.to, now));
            }
        });
    handle.set(layer.handle()).unwrap();
    let backend = Backend::script([Err(BackendError::Reset), Ok(1)]);
    let mut service = layer.layer(backend);
    assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    tokio::time::advance(secs(5)).await;
    assert_eq!(call(&mut service, 0).await, Ok(1));
    handle.get().unwrap().force_open();
    handle.get().unwrap().release();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (Open, Open),
            (HalfOpen, HalfOpen),
            (Closed, Closed),
            (ForcedOpen, ForcedOpen),
            (HalfOpen, HalfOpen),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_retry_layer_over_the_breaker_hears_the_whole_cycle() {
    // The first call fails and trips the breaker; its retry is refused with a 5 s hint,
    // waits it out (and its jitter: seed 7 draws 17 ms of the 1 s window), and its next
    // attempt is the probe that closes it.
    let backend = Backend::script([Err(BackendError::Reset), Ok(1)]);
    let (changes, hook) = recorder();
    let breaker = BreakerLayer::builder()
        .consecutive_failures(1)
        .build()
        .unwrap()
        .on_state_change(hook);
    let mut service = tower::ServiceBuilder::new()
        .layer(RetryLayer::new().assume_idempotent().seed(7))
        .layer(breaker)
        .service(backend.clone());
    assert_eq!(call(&mut service, 0).await, Ok(1));
    assert_eq!(backend.calls(), [Duration::ZERO, ms(5_017)]);
    assert_eq!(
        heard(&changes),
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Closed)]
    );
}

#[tokio::test(start_paused = true)]
async fn a_pair_of_hooks_hears_each_transition_first_then_second() {
    // error-tower's `Metrics` and a hook of one's own on one breaker: `(A, B)` is a hook.
    let order: Arc<Mutex<Vec<(&str, State)>>> = Arc::default();
    let hook = |name: &'static str| {
        let order = Arc::clone(&order);
        move |change: &StateChange| order.lock().unwrap().push((name, change.to))
    };
    let backend = Backend::always(Err(BackendError::Reset));
    let layer = five_in_a_row_heard_by((hook("first"), hook("second")));
    let mut service = layer.layer(backend.clone());
    for _ in 0..5 {
        assert_eq!(call(&mut service, 0).await, Err(BackendError::Reset));
    }
    assert_eq!(*order.lock().unwrap(), [("first", Open), ("second", Open)]);
}
