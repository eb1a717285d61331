//! The classes the policy retries, chosen with `retry_class`: each class turned off makes
//! one attempt and gives up for `class`; a class turned on keeps its rule, and one outside
//! the default table is retried as `transient`.

use std::time::Duration;

use error_core::Class;
use error_tower::retry::GiveUpReason;

use super::{BackendError, Events, Req, Script, call, layer, read};

#[tokio::test(start_paused = true)]
async fn each_default_class_turned_off_makes_one_attempt() {
    for (class, error) in [
        (Class::Transient, BackendError::Reset),
        (
            Class::Busy,
            BackendError::Busy {
                wait: Some(Duration::from_millis(5)),
            },
        ),
        (Class::Redirect, BackendError::NotLeader { leader: 2 }),
    ] {
        let backend = Script::new([Err(error.clone()), Ok(1)]);
        let events = Events::default();
        let layer = layer(&events).retry_class(class, false);
        assert!(!layer.retries(class));
        let mut service = tower::Layer::layer(&layer, backend.clone());
        assert_eq!(call(&mut service, read()).await, Err(error), "{class}");
        assert_eq!(backend.call_count(), 1, "{class}");
        let give_ups = events.give_ups.lock().unwrap().clone();
        assert_eq!(
            (give_ups.len(), give_ups[0].reason, give_ups[0].delay),
            (1, GiveUpReason::Class, None),
            "{class}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_class_turned_on_is_retried_as_transient() {
    // `internal` is never retried by default.
    let backend = Script::new([Err(BackendError::Bug), Ok(3)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Bug));
    assert_eq!(backend.call_count(), 1);

    // Turned on: retried after a backoff, like `transient`.
    let backend = Script::new([Err(BackendError::Bug), Ok(3)]);
    let events = Events::default();
    let layer = layer(&events).retry_class(Class::Internal, true);
    assert!(layer.retries(Class::Internal));
    let mut service = tower::Layer::layer(&layer, backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(3));
    let retries = events.retries.lock().unwrap().clone();
    assert_eq!(retries.len(), 1);
    assert_eq!((retries[0].class, retries[0].attempt), (Class::Internal, 1));
    assert!(
        retries[0].delay <= Duration::from_millis(10),
        "full jitter, 10 ms base"
    );
    assert_eq!(backend.calls()[1].0, retries[0].delay);

    // And, as `transient`, only for idempotent requests.
    let backend = Script::new([Err(BackendError::Bug), Ok(3)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &super::layer(&events).retry_class(Class::Internal, true),
        backend.clone(),
    );
    let write = Req {
        node: 1,
        idempotent: false,
    };
    assert_eq!(call(&mut service, write).await, Err(BackendError::Bug));
    assert_eq!(backend.call_count(), 1);
    assert_eq!(
        events.give_ups.lock().unwrap()[0].reason,
        GiveUpReason::NotIdempotent
    );
}

#[tokio::test(start_paused = true)]
async fn busy_turned_on_still_needs_a_hint() {
    let backend = Script::new([Err(BackendError::Busy { wait: None }), Ok(1)]);
    let events = Events::default();
    let layer = layer(&events).retry_class(Class::Busy, true);
    let mut service = tower::Layer::layer(&layer, backend.clone());
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy { wait: None })
    );
    assert_eq!(backend.call_count(), 1);
    assert_eq!(
        events.give_ups.lock().unwrap()[0].reason,
        GiveUpReason::Class
    );
}

#[test]
fn the_defaults_are_transient_busy_and_redirect() {
    let layer = error_tower::retry::RetryLayer::new();
    let retried: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|class| layer.retries(*class))
        .collect();
    assert_eq!(retried, [Class::Transient, Class::Busy, Class::Redirect]);
    let layer = layer.retry_conflict(true);
    assert!(layer.retries(Class::Conflict));
    assert!(!layer.retry_conflict(false).retries(Class::Conflict));
}
