//! The `cluster` demo's invariants: what each phase must show, in counts (the demo's calls
//! are sequential, so they are the same on every run), and the traces.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use error_tower::breaker::State;
use examples::cluster::{Phase, run};

fn map(pairs: &[(&'static str, u32)]) -> BTreeMap<&'static str, u32> {
    pairs.iter().copied().collect()
}

#[track_caller]
fn check(
    phase: &Phase,
    ok: u32,
    failed: &[&str],
    requests: [u64; 3],
    retries: &[(&'static str, u32)],
    give_ups: &[(&'static str, u32)],
) {
    assert_eq!(phase.ok, ok, "{phase:#?}");
    assert_eq!(phase.failed, failed, "{phase:#?}");
    assert_eq!(phase.requests, requests, "{phase:#?}");
    assert_eq!(phase.retries, map(retries), "{phase:#?}");
    assert_eq!(phase.give_ups, map(give_ups), "{phase:#?}");
    assert_eq!(phase.breaker_end, Some(State::Closed), "{phase:#?}");
}

#[test]
fn the_demo_tells_its_story_in_counts() {
    let report = run().unwrap();
    let text = report.to_string();
    let [steady, moved, overload, killed, bad] = &report.phases[..] else {
        panic!("five phases: {text}");
    };

    // 1. Every call is one request to the leader.
    check(steady, 4, &[], [4, 0, 0], &[], &[]);
    assert!(steady.breaker.is_empty());

    // 2. The first call after the move is redirected once, by the leader hint in the
    // details, and costs node 1 one request.
    check(moved, 3, &[], [1, 3, 0], &[("redirect", 1)], &[]);
    assert!(
        moved.calls[0].ends_with("from node 2 (2 attempts)"),
        "{text}"
    );

    // 3. Three busy answers, each retried after its RetryInfo: the first call succeeds on
    // its fourth attempt.
    check(overload, 2, &[], [0, 5, 0], &[("busy", 3)], &[]);
    assert!(overload.calls[0].ends_with("(4 attempts)"), "{text}");

    // 4. The dead node costs one transient retry (the transport's refused connection),
    // the election two more, and the fourth failure in a row opens the breaker: the call
    // gives up, exhausted. The next one is refused by the open breaker with a hint, comes
    // back at half-open, and closes it on node 3. The restarted node 2 leads again, and is
    // reached by a redirect.
    check(
        killed,
        3,
        &["raft.no_leader"],
        [0, 2, 5],
        &[("busy", 1), ("redirect", 1), ("transient", 3)],
        &[("exhausted", 1)],
    );
    assert_eq!(
        killed.breaker,
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed)
        ]
    );
    assert!(
        killed.calls[1].ends_with("from node 3 (2 attempts)"),
        "{text}"
    );
    assert!(
        killed.calls[2].ends_with("from node 2 (2 attempts)"),
        "{text}"
    );

    // 5. Invalid requests: one request each, never retried, never held against the
    // cluster.
    check(
        bad,
        0,
        &["kv.empty_key", "kv.not_found", "kv.empty_key"],
        [0, 3, 0],
        &[],
        &[("class", 3)],
    );
    assert!(bad.breaker.is_empty());
    // The redacted field of the server's error never reached the client.
    assert!(bad.calls[1].contains("tenant=`<redacted>`"), "{text}");
    assert!(!text.contains("acme-secret-tenant"), "{text}");

    // One trace per call, every server span in the trace of the call that sent it, and
    // the server's code as the failed calls' error.type.
    let traces = &report.traces;
    assert_eq!(traces.client_spans, 16);
    assert_eq!(traces.traces, 16);
    assert_eq!(traces.server_spans, 23);
    assert_eq!(traces.server_spans_in_a_call, 23);
    assert_eq!(
        traces.error_types,
        [
            "raft.no_leader",
            "kv.empty_key",
            "kv.not_found",
            "kv.empty_key"
        ]
    );
}
