//! Retry: each class retried or not as the policy says, with exact backend call counts,
//! on tokio's paused clock and with seeded jitter.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod classes;
mod deadline;
mod redirect;
mod shared_budget;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{Class, ClassifiedError};
use error_tower::budget::Budget;
use error_tower::retry::{
    GiveUpEvent, GiveUpReason, IdempotentRequest, ResponseFailure, RetryEvent, RetryLayer,
};
use tokio::time::Instant;
use tower::{Service, ServiceExt};

/// A request: which node it goes to, and whether it may execute twice.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Req {
    node: u64,
    idempotent: bool,
}

impl IdempotentRequest for Req {
    fn is_idempotent(&self) -> bool {
        self.idempotent
    }
}

fn read() -> Req {
    Req {
        node: 1,
        idempotent: true,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, ClassifiedError)]
#[class(context = none)]
enum BackendError {
    #[error("connection reset")]
    #[class(transient)]
    Reset,
    #[error("overloaded")]
    #[class(busy)]
    Busy {
        #[retry_after]
        wait: Option<Duration>,
    },
    #[error("not the leader")]
    #[class(redirect)]
    NotLeader { leader: u64 },
    #[error("version conflict")]
    #[class(conflict)]
    Conflict,
    #[error("bad request")]
    #[class(invalid)]
    Invalid,
    #[error("permission denied")]
    #[class(denied)]
    Denied,
    #[error("shut down")]
    #[class(closed)]
    Closed,
    #[error("corrupt")]
    #[class(data)]
    Corrupt,
    #[error("disk dead")]
    #[class(fatal)]
    Fatal,
    #[error("bug")]
    #[class(internal)]
    Bug,
    /// The retry layer ended an attempt at the call's deadline (`deadline_with(.., ended)`).
    #[error("timed out")]
    #[class(transient, status = deadline_exceeded)]
    TimedOut {
        #[kv(debug)]
        timeout: Duration,
    },
}

/// The error that ends an attempt at the deadline, for `deadline_with`: `BackendError` does
/// not convert from `error_core::Error`, so `deadline` does not compile for it.
fn ended(elapsed: error_tower::retry::Elapsed) -> BackendError {
    BackendError::TimedOut {
        timeout: elapsed.timeout(),
    }
}

/// A backend that answers from a script and records each call's time and request.
#[derive(Clone, Default)]
struct Script {
    answers: Arc<Mutex<VecDeque<Result<u64, BackendError>>>>,
    calls: Arc<Mutex<Vec<(Duration, Req)>>>,
    start: Option<Instant>,
}

impl Script {
    fn new(answers: impl IntoIterator<Item = Result<u64, BackendError>>) -> Self {
        Script {
            answers: Arc::new(Mutex::new(answers.into_iter().collect())),
            calls: Arc::default(),
            start: Some(Instant::now()),
        }
    }

    fn calls(&self) -> Vec<(Duration, Req)> {
        self.calls.lock().unwrap().clone()
    }

    fn call_count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl Service<Req> for Script {
    type Response = u64;
    type Error = BackendError;
    type Future = std::future::Ready<Result<u64, BackendError>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BackendError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        let at = self.start.map(|s| s.elapsed()).unwrap_or_default();
        self.calls.lock().unwrap().push((at, req));
        let answer = self.answers.lock().unwrap().pop_front().unwrap_or(Ok(0));
        std::future::ready(answer)
    }
}

/// Records the hooks' events.
#[derive(Clone, Default)]
struct Events {
    retries: Arc<Mutex<Vec<RetryEvent>>>,
    give_ups: Arc<Mutex<Vec<GiveUpEvent>>>,
}

fn layer(
    events: &Events,
) -> RetryLayer<
    (),
    error_tower::retry::ByRequest,
    (),
    impl Fn(&RetryEvent) + Clone + use<>,
    impl Fn(&GiveUpEvent) + Clone + use<>,
> {
    let retries = Arc::clone(&events.retries);
    let give_ups = Arc::clone(&events.give_ups);
    RetryLayer::new()
        .seed(42)
        .on_retry(move |e: &RetryEvent| retries.lock().unwrap().push(*e))
        .on_give_up(move |e: &GiveUpEvent| give_ups.lock().unwrap().push(*e))
}

async fn call<S: Service<Req>>(service: &mut S, req: Req) -> Result<S::Response, S::Error> {
    service.ready().await?.call(req).await
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test(start_paused = true)]
async fn transient_failures_are_retried_until_success() {
    let backend = Script::new([Err(BackendError::Reset), Err(BackendError::Reset), Ok(7)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(7));
    assert_eq!(backend.call_count(), 3);
    let retries = events.retries.lock().unwrap().clone();
    assert_eq!(retries.len(), 2);
    assert_eq!(
        (retries[0].attempt, retries[0].class, retries[0].code),
        (1, Class::Transient, "BackendError::Reset")
    );
    assert_eq!(retries[1].attempt, 2);
    // Full jitter from a 10 ms base: the first delay is at most 10 ms, the second 20 ms,
    // and each retry is sent exactly after its delay.
    assert!(retries[0].delay <= ms(10) && retries[1].delay <= ms(20));
    let calls = backend.calls();
    assert_eq!(calls[1].0, retries[0].delay);
    assert_eq!(calls[2].0, retries[0].delay + retries[1].delay);
    assert!(events.give_ups.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn transient_failures_stop_after_four_attempts_with_the_last_error() {
    let backend = Script::new(std::iter::repeat_n(Err(BackendError::Reset), 10));
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Reset));
    assert_eq!(backend.call_count(), 4);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(give_ups.len(), 1);
    assert_eq!(give_ups[0].attempts, 4);
    assert_eq!(give_ups[0].reason, GiveUpReason::Exhausted);
    assert_eq!(give_ups[0].class, Some(Class::Transient));
}

#[tokio::test(start_paused = true)]
async fn classes_that_are_never_retried_make_one_attempt() {
    for error in [
        BackendError::Invalid,
        BackendError::Denied,
        BackendError::Closed,
        BackendError::Corrupt,
        BackendError::Fatal,
        BackendError::Bug,
        BackendError::Conflict,
        BackendError::Busy { wait: None },
        BackendError::NotLeader { leader: 2 },
    ] {
        let backend = Script::new([Err(error.clone()), Ok(1)]);
        let events = Events::default();
        let mut service = tower::Layer::layer(&layer(&events), backend.clone());
        assert_eq!(
            call(&mut service, read()).await,
            Err(error.clone()),
            "{error:?}"
        );
        assert_eq!(backend.call_count(), 1, "{error:?}");
        let give_ups = events.give_ups.lock().unwrap().clone();
        assert_eq!(give_ups[0].reason, GiveUpReason::Class, "{error:?}");
        assert_eq!(give_ups[0].code, Some(error.code()));
    }
}

#[tokio::test(start_paused = true)]
async fn busy_with_a_hint_is_retried_not_before_the_hint() {
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(Duration::from_secs(2)),
        }),
        Ok(5),
    ]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(5));
    let calls = backend.calls();
    assert_eq!(calls.len(), 2);
    // Not before the hint, and within a fifth of it after: seed 42 draws 297 ms of the
    // 400 ms window. The retry event reports the delay that happened.
    assert_eq!(calls[1].0, ms(2_297));
    assert_eq!(events.retries.lock().unwrap()[0].delay, ms(2_297));

    // Without jitter, exactly at the hint, to the millisecond.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(Duration::from_secs(2)),
        }),
        Ok(5),
    ]);
    let mut service =
        tower::Layer::layer(&layer(&Events::default()).hint_jitter(0), backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(5));
    assert_eq!(backend.calls()[1].0, Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn the_retries_of_one_hint_spread_over_a_fifth_of_it_after_it() {
    // 500 calls refused at the same instant with the same 2 s hint, as a breaker's refusals
    // are: their retries land from 2 s to 2.4 s, never before, a few per 10 ms slice.
    let backend = Script::new((0..500).map(|_| {
        Err(BackendError::Busy {
            wait: Some(Duration::from_secs(2)),
        })
    }));
    let events = Events::default();
    // A budget that pays every retry: this test is about when they are sent.
    let budget = Budget::builder()
        .max_balance(500)
        .initial_balance(500)
        .build()
        .unwrap();
    let service = tower::Layer::layer(&layer(&events).budget(budget), backend.clone());
    let calls: Vec<_> = (0..500)
        .map(|_| {
            let mut service = service.clone();
            tokio::spawn(async move { call(&mut service, read()).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap(), Ok(0));
    }
    let retried_at: Vec<Duration> = backend.calls()[500..].iter().map(|(at, _)| *at).collect();
    assert_eq!(retried_at.len(), 500);
    let first = *retried_at.iter().min().unwrap();
    let last = *retried_at.iter().max().unwrap();
    let mut per_slice = [0_u32; 40];
    for at in &retried_at {
        per_slice[usize::try_from(
            at.checked_sub(Duration::from_secs(2)).unwrap().as_millis() / 10,
        )
        .unwrap()] += 1;
    }
    let busiest = *per_slice.iter().max().unwrap();
    println!(
        "one 2 s hint, 500 retries: from {first:?} to {last:?}, at most {busiest} in a 10 ms slice"
    );
    assert_eq!((first, last, busiest), (ms(2_001), ms(2_399), 18));
    // At most 18 of the 500 (3.6%) in any 10 ms: without the jitter, all 500 in one.
    assert!(f64::from(busiest) / 500.0 <= 0.05);
}

#[tokio::test(start_paused = true)]
async fn busy_is_retried_for_non_idempotent_requests_because_it_was_rejected() {
    let backend = Script::new([Err(BackendError::Busy { wait: Some(ms(5)) }), Ok(5)]);
    let mut service = tower::Layer::layer(&layer(&Events::default()), backend.clone());
    let write = Req {
        node: 1,
        idempotent: false,
    };
    assert_eq!(call(&mut service, write).await, Ok(5));
    assert_eq!(backend.call_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn transient_is_not_retried_for_non_idempotent_requests() {
    let backend = Script::new([Err(BackendError::Reset), Ok(5)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    let write = Req {
        node: 1,
        idempotent: false,
    };
    assert_eq!(call(&mut service, write).await, Err(BackendError::Reset));
    assert_eq!(backend.call_count(), 1, "no duplicate execution");
    assert_eq!(
        events.give_ups.lock().unwrap()[0].reason,
        GiveUpReason::NotIdempotent
    );

    let backend = Script::new([Err(BackendError::Reset), Ok(5)]);
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).retry_non_idempotent(true),
        backend.clone(),
    );
    assert_eq!(
        call(
            &mut service,
            Req {
                node: 1,
                idempotent: false
            }
        )
        .await,
        Ok(5)
    );
    assert_eq!(backend.call_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn redirect_retargets_the_request_at_once_without_charging_the_budget() {
    let backend = Script::new([Err(BackendError::NotLeader { leader: 3 }), Ok(9)]);
    let budget = Budget::builder()
        .initial_balance(0)
        .min_per_sec(0)
        .build()
        .unwrap();
    let layer = layer(&Events::default()).budget(budget.clone()).redirect(
        |req: &mut Req, error: &BackendError| match error {
            BackendError::NotLeader { leader } => {
                req.node = *leader;
                true
            }
            _ => false,
        },
    );
    let mut service = tower::Layer::layer(&layer, backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(9));
    let calls = backend.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[1],
        (
            Duration::ZERO,
            Req {
                node: 3,
                idempotent: true
            }
        )
    );
    assert_eq!(
        budget.balance(),
        0,
        "an empty budget did not stop the redirect"
    );
}

#[tokio::test(start_paused = true)]
async fn conflict_is_retried_only_when_asked() {
    let backend = Script::new([Err(BackendError::Conflict), Ok(2)]);
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).retry_conflict(true),
        backend.clone(),
    );
    assert_eq!(call(&mut service, read()).await, Ok(2));
    assert_eq!(backend.call_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_empty_budget_returns_the_first_error_at_once() {
    let backend = Script::new([Err(BackendError::Reset), Ok(1)]);
    let budget = Budget::builder()
        .initial_balance(0)
        .min_per_sec(0)
        .build()
        .unwrap();
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events).budget(budget), backend.clone());
    let started = Instant::now();
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Reset));
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(backend.call_count(), 1);
    assert_eq!(
        events.give_ups.lock().unwrap()[0].reason,
        GiveUpReason::Budget
    );
}

/// A budget of `tokens`, with no credit for time.
fn tokens(tokens: u32) -> Budget {
    Budget::builder()
        .initial_balance(tokens)
        .max_balance(5)
        .min_per_sec(0)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_busy_retry_after_a_hint_is_paid_as_it_is_sent_and_not_paid_back() {
    // One token when the throttle answers: the retry may wait. Another call spends it
    // during the hint, two successes deposit one token back; the retry takes it as it is
    // sent, and succeeds: its token is not given back, only the half token every success
    // deposits.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Ok(5),
    ]);
    let budget = tokens(1);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).hint_jitter(0).budget(budget.clone()),
        backend.clone(),
    );
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    tokio::time::sleep(ms(50)).await;
    assert_eq!(backend.call_count(), 1);
    assert_eq!(budget.balance(), 1, "asked, not withdrawn, at the failure");
    assert!(budget.withdraw());
    budget.deposit();
    budget.deposit();
    assert_eq!(budget.balance(), 1);
    assert_eq!(response.await.unwrap(), Ok(5));
    assert_eq!(backend.calls()[1].0, ms(100));
    assert_eq!(budget.balance(), 0, "1 - 1 + 0.5, rounded down");
    assert_eq!(events.retries.lock().unwrap().len(), 1);

    // Spent during the hint, and nothing deposited: refused as it was to be sent, at the
    // hint, with no retry announced.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Ok(5),
    ]);
    let budget = tokens(1);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).hint_jitter(0).budget(budget.clone()),
        backend.clone(),
    );
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    tokio::time::sleep(ms(50)).await;
    assert!(budget.withdraw());
    assert_eq!(
        response.await.unwrap(),
        Err(BackendError::Busy {
            wait: Some(ms(100))
        })
    );
    assert_eq!(backend.call_count(), 1);
    assert!(events.retries.lock().unwrap().is_empty());
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (
            give_ups.len(),
            give_ups[0].reason,
            give_ups[0].attempts,
            give_ups[0].delay
        ),
        (1, GiveUpReason::Budget, 1, Some(ms(100)))
    );
}

#[tokio::test(start_paused = true)]
async fn the_cap_keeps_what_successes_deposit_for_the_retries_waiting_for_a_hint() {
    // A budget of at most 2 tokens, full. While a `busy` retry waits for its hint, the cap
    // is a token higher: six successes elsewhere (3 tokens) leave 3, not 2. The retry
    // spends one as it is sent; once it is gone the cap is 2 again.
    let budget = Budget::builder()
        .initial_balance(2)
        .max_balance(2)
        .min_per_sec(0)
        .build()
        .unwrap();
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Ok(5),
    ]);
    let mut service = tower::Layer::layer(
        &layer(&Events::default())
            .hint_jitter(0)
            .budget(budget.clone()),
        backend.clone(),
    );
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    tokio::time::sleep(ms(50)).await;
    for _ in 0..6 {
        budget.deposit();
    }
    assert_eq!(budget.balance(), 3);
    assert_eq!(response.await.unwrap(), Ok(5));
    assert_eq!(budget.balance(), 2, "3 - 1 + 0.5, then capped at 2 again");
    budget.deposit();
    assert_eq!(budget.balance(), 2);

    // A call dropped while its retry waits stops raising the cap.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Ok(5),
    ]);
    assert!(budget.withdraw() && budget.withdraw());
    let mut service = tower::Layer::layer(
        &layer(&Events::default())
            .hint_jitter(0)
            .budget(budget.clone()),
        backend.clone(),
    );
    budget.deposit();
    budget.deposit();
    assert_eq!(budget.balance(), 1);
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    tokio::time::sleep(ms(50)).await;
    response.abort();
    assert!(response.await.unwrap_err().is_cancelled());
    for _ in 0..6 {
        budget.deposit();
    }
    assert_eq!(budget.balance(), 2);
    assert_eq!(backend.call_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_busy_retry_the_budget_cannot_pay_ends_the_call_at_once() {
    // An empty budget when the throttle answers: the call ends now, not after the hint
    // (what a throttle that never ends used to cost every call).
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(2_000)),
        }),
        Ok(5),
    ]);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).hint_jitter(0).budget(tokens(0)),
        backend.clone(),
    );
    let started = Instant::now();
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy {
            wait: Some(ms(2_000))
        })
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(backend.call_count(), 1);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (give_ups.len(), give_ups[0].reason, give_ups[0].delay),
        (1, GiveUpReason::Budget, Some(ms(2_000)))
    );
}

#[tokio::test(start_paused = true)]
async fn a_transient_failure_with_a_long_hint_is_charged_as_it_arrives() {
    // `transient` with a hint longer than the backoff waits the hint, but pays as the
    // failure arrives, as every `transient` retry does (only `busy` pays as it is sent):
    // the token is gone during the wait.
    let calls = Arc::new(Mutex::new(Vec::new()));
    let backend = {
        let calls = Arc::clone(&calls);
        let start = Instant::now();
        tower::service_fn(move |_: Req| {
            let mut calls = calls.lock().unwrap();
            calls.push(start.elapsed());
            let answer = if calls.len() == 1 {
                Err(error_core::Error::transient("leader stepping down")
                    .with_retry_after(ms(2_000)))
            } else {
                Ok(5)
            };
            async move { answer }
        })
    };
    let budget = tokens(1);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).hint_jitter(0).budget(budget.clone()),
        backend,
    );
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    tokio::time::sleep(ms(1_000)).await;
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert_eq!(budget.balance(), 0, "paid as the failure arrived");
    assert_eq!(response.await.unwrap().unwrap(), 5);
    assert_eq!(*calls.lock().unwrap(), [ms(0), ms(2_000)]);
    assert_eq!(events.retries.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_hint_longer_than_max_hint_ends_the_call_at_once() {
    // `Retry-After: 86400` from a server: the default (30 s) does not wait a day.
    let day = Duration::from_secs(86_400);
    let backend = Script::new([Err(BackendError::Busy { wait: Some(day) }), Ok(5)]);
    let events = Events::default();
    let mut service = tower::Layer::layer(&layer(&events), backend.clone());
    let started = Instant::now();
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy { wait: Some(day) })
    );
    assert_eq!(started.elapsed(), Duration::ZERO);
    assert_eq!(backend.call_count(), 1);
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (
            give_ups[0].reason,
            give_ups[0].reason.as_str(),
            give_ups[0].delay
        ),
        (GiveUpReason::HintTooLong, "hint_too_long", Some(day))
    );

    // 30 s exactly is waited for; a caller that says so waits longer.
    for (max_hint, wait) in [(None, Duration::from_secs(30)), (Some(day), day)] {
        let backend = Script::new([Err(BackendError::Busy { wait: Some(wait) }), Ok(5)]);
        let layer = layer(&Events::default()).hint_jitter(0);
        let layer = match max_hint {
            Some(max_hint) => layer.max_hint(max_hint),
            None => layer,
        };
        let mut service = tower::Layer::layer(&layer, backend.clone());
        assert_eq!(call(&mut service, read()).await, Ok(5));
        assert_eq!(backend.calls()[1].0, wait);
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_a_hint_that_fails_again_keeps_its_token_spent() {
    // Two tokens; the retry after the hint takes one and is throttled again, with no hint
    // this time: not retried, and the token stays spent.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Err(BackendError::Busy { wait: None }),
    ]);
    let budget = tokens(2);
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).budget(budget.clone()),
        backend.clone(),
    );
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy { wait: None })
    );
    assert_eq!(backend.call_count(), 2);
    assert_eq!(budget.balance(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_cannot_start_before_the_deadline_is_not_started() {
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(200)),
        }),
        Ok(1),
    ]);
    let events = Events::default();
    let mut service = tower::Layer::layer(
        &layer(&events).deadline_with(ms(150), ended),
        backend.clone(),
    );
    let started = Instant::now();
    assert_eq!(
        call(&mut service, read()).await,
        Err(BackendError::Busy {
            wait: Some(ms(200))
        })
    );
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "given up at once, not after sleeping"
    );
    assert_eq!(backend.call_count(), 1);
    assert_eq!(
        events.give_ups.lock().unwrap()[0].reason,
        GiveUpReason::Deadline
    );

    // A hint inside the deadline is honoured.
    let backend = Script::new([
        Err(BackendError::Busy {
            wait: Some(ms(100)),
        }),
        Ok(1),
    ]);
    let mut service = tower::Layer::layer(
        &layer(&Events::default()).deadline_with(ms(150), ended),
        backend.clone(),
    );
    assert_eq!(call(&mut service, read()).await, Ok(1));
    // After the hint and its jitter (15 ms of the 20 ms window): 115 ms, inside the deadline.
    assert_eq!(backend.calls()[1].0, ms(115));
}

#[tokio::test(start_paused = true)]
async fn failed_responses_are_retried_and_the_last_is_returned() {
    let backend = Script::new([Ok(503), Ok(503), Ok(503), Ok(503), Ok(200)]);
    let events = Events::default();
    let classified = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&classified);
    let classify = move |status: &u64| {
        *counted.lock().unwrap() += 1;
        (*status == 503).then_some(ResponseFailure {
            class: Class::Transient,
            code: "http.503",
            retry_after: None,
            never_retry: false,
        })
    };
    let mut service =
        tower::Layer::layer(&layer(&events).classify_response(classify), backend.clone());
    assert_eq!(call(&mut service, read()).await, Ok(503));
    assert_eq!(backend.call_count(), 4);
    assert_eq!(
        *classified.lock().unwrap(),
        4,
        "each response classified once"
    );
    let give_ups = events.give_ups.lock().unwrap().clone();
    assert_eq!(
        (give_ups[0].reason, give_ups[0].code),
        (GiveUpReason::Exhausted, Some("http.503"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_box_error_holding_a_classified_error_is_classified_through_its_chain() {
    let answers = Arc::new(Mutex::new(VecDeque::from([
        Err::<u64, tower::BoxError>(Box::new(error_core::Error::transient("connection reset"))),
        Err(Box::new(std::io::Error::other("plain"))),
    ])));
    let calls = Arc::new(Mutex::new(0));
    let backend = {
        let calls = Arc::clone(&calls);
        tower::service_fn(move |_: Req| {
            *calls.lock().unwrap() += 1;
            let answer = answers.lock().unwrap().pop_front().unwrap_or(Ok(0));
            async move { answer }
        })
    };
    let mut service = tower::Layer::layer(&RetryLayer::new().seed(1), backend);
    let err = call(&mut service, read()).await.unwrap_err();
    // The transient error was retried; the io::Error `other` is internal, and returned.
    assert_eq!(*calls.lock().unwrap(), 2);
    assert_eq!(err.to_string(), "plain");
}

#[tokio::test(start_paused = true)]
async fn retries_wait_for_poll_ready() {
    let (mock, mut handle) = tower_test::mock::pair::<Req, u64>();
    let mut service = tower::Layer::layer(&RetryLayer::new().seed(3), mock);
    handle.allow(1);
    let response = tokio::spawn(async move { call(&mut service, read()).await });
    let (request, send) = handle.next_request().await.unwrap();
    assert_eq!(request, read());
    send.send_error(error_core::Error::transient("reset"));
    // The retry's backoff passes, but the service is not ready: no second request yet.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        tokio::time::timeout(ms(1), handle.next_request())
            .await
            .is_err()
    );
    handle.allow(1);
    let (request, send) = handle.next_request().await.unwrap();
    assert_eq!(request, read());
    send.send_response(11);
    assert_eq!(response.await.unwrap().unwrap(), 11);
}

#[tokio::test(start_paused = true)]
async fn hooks_compose_in_pairs_each_called_in_order() {
    // A hook set with `on_retry`, one added with `and_on_retry`, and a pair given at once:
    // each hears every event, in the order they were given.
    let heard = Arc::new(Mutex::new(Vec::new()));
    let hook = |name: &'static str| {
        let heard = Arc::clone(&heard);
        move |event: &RetryEvent| heard.lock().unwrap().push((name, event.attempt))
    };
    let give_up = |name: &'static str| {
        let heard = Arc::clone(&heard);
        move |event: &GiveUpEvent| heard.lock().unwrap().push((name, event.attempts))
    };
    let backend = Script::new([Err(BackendError::Reset), Err(BackendError::Invalid)]);
    let layer = RetryLayer::new()
        .seed(1)
        .on_retry(hook("first"))
        .and_on_retry((hook("second"), hook("third")))
        .on_give_up(give_up("give_up"))
        .and_on_give_up(give_up("give_up again"));
    let mut service = tower::Layer::layer(&layer, backend.clone());
    assert_eq!(call(&mut service, read()).await, Err(BackendError::Invalid));
    assert_eq!(
        *heard.lock().unwrap(),
        [
            ("first", 1),
            ("second", 1),
            ("third", 1),
            ("give_up", 2),
            ("give_up again", 2)
        ]
    );
}
