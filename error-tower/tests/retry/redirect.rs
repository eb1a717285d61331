//! Redirects: a hop to the leader is not a try, so it leaves the call its tries (and its
//! backoff schedule); a separate bound on hops stops two nodes that redirect to each other.

use std::time::Duration;

use error_core::Class;
use error_tower::backoff::{Backoff, Jitter};
use error_tower::retry::GiveUpReason;

use super::{BackendError, Events, Req, Script, call, layer, ms, read};

/// The hook that follows a `NotLeader` to its leader.
fn follow(req: &mut Req, error: &BackendError) -> bool {
    match error {
        BackendError::NotLeader { leader } => {
            req.node = *leader;
            true
        }
        _ => false,
    }
}

fn not_leader(leader: u64) -> Result<u64, BackendError> {
    Err(BackendError::NotLeader { leader })
}

#[tokio::test(start_paused = true)]
async fn a_redirect_does_not_use_up_one_of_the_four_tries() {
    // A redirect, then three transient failures at the leader, then a success: five
    // attempts, four of them tries. Counting the hop, the fourth failure would have ended it.
    let backend = Script::new([
        not_leader(3),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Ok(8),
    ]);
    let events = Events::default();
    // No jitter, so that the schedule shows: 10, 20, 40 ms before retries 1, 2, 3.
    let exact = Backoff::new(ms(10), 2.0, ms(1_000))
        .unwrap()
        .with_jitter(Jitter::None);
    let mut service = tower::Layer::layer(
        &layer(&events).redirect(follow).backoff(exact),
        backend.clone(),
    );
    assert_eq!(call(&mut service, read()).await, Ok(8));
    let nodes: Vec<u64> = backend.calls().iter().map(|(_, req)| req.node).collect();
    assert_eq!(nodes, [1, 3, 3, 3, 3]);
    let retries = events.retries.lock().unwrap().clone();
    let seen: Vec<(u32, Class)> = retries.iter().map(|e| (e.attempt, e.class)).collect();
    assert_eq!(
        seen,
        [
            (1, Class::Redirect),
            (2, Class::Transient),
            (3, Class::Transient),
            (4, Class::Transient)
        ]
    );
    // The hop is at once; the backoffs are those of retries 1, 2 and 3, not 2, 3 and 4
    // (20, 40, 80 ms): the hop does not move the schedule on.
    assert_eq!(retries[0].delay, Duration::ZERO);
    let backoffs: Vec<Duration> = retries[1..].iter().map(|e| e.delay).collect();
    assert_eq!(backoffs, [ms(10), ms(20), ms(40)]);

    // And four failures at the leader end it, after five attempts, as exhausted.
    let backend = Script::new([
        not_leader(3),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Err(BackendError::Reset),
        Ok(8),
    ]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events).redirect(follow), backend.clone());
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Reset));
    assert_eq!(backend.call_count(), 5);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (give_ups.len(), give_ups[0].reason, give_ups[0].attempts),
        (1, GiveUpReason::Exhausted, 5)
    );
}

#[tokio::test(start_paused = true)]
async fn two_nodes_that_redirect_to_each_other_stop_after_five_hops() {
    // Node 1 names node 2 as the leader, and node 2 names node 1.
    let backend = Script::new((0..20).map(|n| not_leader(if n % 2 == 0 { 2 } else { 1 })));
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events).redirect(follow), backend.clone());
    assert_eq!(call(&mut service, read()).await, not_leader(1));
    let nodes: Vec<u64> = backend.calls().iter().map(|(_, req)| req.node).collect();
    assert_eq!(nodes, [1, 2, 1, 2, 1, 2]);
    assert_eq!(events.retries.lock().unwrap().len(), 5);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (give_ups.len(), give_ups[0].reason, give_ups[0].attempts),
        (1, GiveUpReason::RedirectLimit, 6)
    );
    assert_eq!(
        (give_ups[0].class, give_ups[0].delay),
        (Some(Class::Redirect), Some(Duration::ZERO))
    );
    assert_eq!(GiveUpReason::RedirectLimit.to_string(), "redirect_limit");

    // The bound is the layer's: 0 follows no redirect at all, 2 follows two.
    for (max, attempts) in [(0, 1), (2, 3)] {
        let backend = Script::new((0..20).map(|n| not_leader(if n % 2 == 0 { 2 } else { 1 })));
        let events = Events::default();
        let layer = layer(&events).redirect(follow).max_redirects(max);
        let mut service = tower::Layer::layer(&layer, backend.clone());
        assert!(call(&mut service, read()).await.is_err());
        assert_eq!(backend.call_count(), attempts, "max_redirects({max})");
        let give_ups = events.give_ups.lock().unwrap().clone();
        assert_eq!(give_ups[0].reason, GiveUpReason::RedirectLimit);
    }
}
