//! [`Saga`] and its [`Step`]s.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::time::Duration;
use std::sync::Arc;

use error_core::{ClassifiedError, Error};

use crate::Key;
use crate::abandon::{Abandoned, OnAbandon, SpawnCompensations};
use crate::error::{CompensationFailure, SagaError};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
/// A step's compensating action, type-erased: it may be called once per attempt.
pub(crate) type Compensation = Arc<dyn Fn(Key) -> BoxFuture<Result<(), Error>> + Send + Sync>;
type SleepFn = Arc<dyn Fn(Duration) -> BoxFuture<()> + Send + Sync>;

/// How compensations are retried.
#[derive(Clone)]
pub(crate) struct Retries {
    attempts: u32,
    base: Duration,
    cap: Duration,
    sleep: Option<SleepFn>,
}

impl fmt::Debug for Retries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retries")
            .field("attempts", &self.attempts)
            .field("base", &self.base)
            .field("cap", &self.cap)
            .field("sleep", &self.sleep.is_some())
            .finish()
    }
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            attempts: 3,
            base: Duration::from_millis(100),
            cap: Duration::from_secs(5),
            #[cfg(feature = "tokio")]
            sleep: Some(Arc::new(|delay| Box::pin(tokio::time::sleep(delay)))),
            #[cfg(not(feature = "tokio"))]
            sleep: None,
        }
    }
}

impl Retries {
    /// The wait after failed attempt `attempt` (from 1): `base * 2^(attempt - 1)`, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }
}

/// A completed (or in-flight) step's compensation, waiting in case a later step fails.
#[derive(Clone)]
pub(crate) struct Pending {
    pub(crate) key: Key,
    compensation: Compensation,
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Runs `compensation` for `key` until it succeeds, its error's class is not retriable, or
/// the attempts run out. `Ok(attempts)` or `Err((attempts, last error))`.
async fn compensate_one(
    compensation: &Compensation,
    key: &Key,
    retries: &Retries,
) -> Result<u32, (u32, Error)> {
    let mut attempt = 1;
    loop {
        match compensation(key.clone()).await {
            Ok(()) => return Ok(attempt),
            Err(error) => {
                if attempt >= retries.attempts || !error.class().is_retriable() {
                    return Err((attempt, error));
                }
                // The callee's hint, if later than the backoff, but never past the cap: a
                // hint is the callee's word, and a compensation does not wait a day on it.
                let wait = retries
                    .backoff(attempt)
                    .max(error.retry_after().unwrap_or_default())
                    .min(retries.cap);
                if let Some(sleep) = &retries.sleep {
                    sleep(wait).await;
                }
                attempt += 1;
            }
        }
    }
}

/// Runs the compensations in `pending` from the last to the first. Each stays in `pending`
/// until it has ended, so that a saga dropped meanwhile hands it to its abandonment hook.
pub(crate) async fn compensate_all(
    pending: &mut Vec<Pending>,
    retries: &Retries,
) -> (Vec<Key>, Vec<CompensationFailure>) {
    let mut compensated = Vec::new();
    let mut failures = Vec::new();
    while let Some(last) = pending.last() {
        let key = last.key.clone();
        let compensation = Arc::clone(&last.compensation);
        match compensate_one(&compensation, &key, retries).await {
            Ok(_) => compensated.push(key),
            Err((attempts, error)) => failures.push(CompensationFailure {
                key,
                attempts,
                error,
            }),
        }
        pending.pop();
    }
    (compensated, failures)
}

/// A saga: steps run in order with [`step`](Saga::step), and ended with
/// [`commit`](Saga::commit). See the [crate documentation](crate).
///
/// `H` is the hook that hears of a saga dropped before it committed ([`OnAbandon`]).
#[must_use = "a saga dropped without `commit` compensates its completed steps"]
pub struct Saga<H: OnAbandon = SpawnCompensations> {
    name: &'static str,
    id: Arc<str>,
    attempt: u32,
    position: u32,
    last: Option<Key>,
    pending: Vec<Pending>,
    retries: Retries,
    on_abandon: H,
}

impl<H: OnAbandon> fmt::Debug for Saga<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Saga")
            .field("name", &self.name)
            .field("id", &self.id)
            .field("attempt", &self.attempt)
            .field("position", &self.position)
            .field("pending", &self.pending)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

impl Saga {
    /// A saga named `name` (low-cardinality: the workflow, as `"checkout"`) for the
    /// business object `id` (the order id), attempt 1: its steps' keys are
    /// `"{id}#1/{position}-{step}"`. Run it again with [`attempt`](Saga::attempt).
    /// Compensations are tried 3 times, 100 ms then 200 ms apart (capped at 5 s), or after
    /// the error's hint if later (capped too); a dropped saga goes to
    /// [`SpawnCompensations`].
    pub fn new(name: &'static str, id: impl Into<Arc<str>>) -> Saga {
        Saga {
            name,
            id: id.into(),
            attempt: 1,
            position: 0,
            last: None,
            pending: Vec::new(),
            retries: Retries::default(),
            on_abandon: SpawnCompensations,
        }
    }
}

impl<H: OnAbandon> Saga<H> {
    /// Which attempt of the saga for this id this is, from 1 (the default; 0 counts as 1):
    /// it is in every step's [`Key`] (`"order-42#2/2-charge"`), so that a saga run again
    /// after a compensated failure sends keys its callees have not seen. Set it before the
    /// first step.
    ///
    /// A callee that undid a key keeps a tombstone for it and refuses the key from then on
    /// (a late retry of the step must not execute after its compensation), so a run again
    /// with the same attempt would be refused step by step; see the
    /// [crate documentation](crate#running-a-saga-again). The caller keeps the count, as it
    /// keeps the id: the attempt after the one whose [`SagaError`] said the saga may be run
    /// again.
    pub fn attempt(mut self, attempt: u32) -> Self {
        self.attempt = attempt.max(1);
        self
    }

    /// Attempts per compensation, the first included (default 3; 0 counts as 1). Only a
    /// retriable class (`transient`, `busy`, `redirect`, `conflict`) is tried again.
    pub fn compensation_attempts(mut self, attempts: u32) -> Self {
        self.retries.attempts = attempts.max(1);
        self
    }

    /// The wait after a compensation's failed attempt `n`: `base * 2^(n-1)`, or the error's
    /// `retry_after` if that is later; at most `cap` either way (default 100 ms and 5 s). A
    /// hint is the callee's word, not a bound the saga must wait out: a compensation that
    /// keeps the system inconsistent while it waits a day for a `Retry-After: 86400` is
    /// retried at the cap instead (and given up after its attempts).
    ///
    /// There is no jitter: a saga's compensations run one after another, a few times at
    /// most, and a callee that is overloaded by many sagas at once says so with `busy` and a
    /// hint, which is honoured.
    pub fn compensation_backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.retries.base = base;
        self.retries.cap = cap.max(base);
        self
    }

    /// How to wait between compensation attempts, for a runtime other than tokio's:
    /// `saga.sleep(|delay| async_std::task::sleep(delay))`.
    pub fn sleep<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.retries.sleep = Some(Arc::new(move |delay| Box::pin(sleep(delay))));
        self
    }

    /// The hook that receives the compensations of a saga dropped before it committed, in
    /// place of [`SpawnCompensations`].
    pub fn on_abandon<H2: OnAbandon>(mut self, hook: H2) -> Saga<H2> {
        Saga {
            name: self.name,
            id: Arc::clone(&self.id),
            attempt: self.attempt,
            position: self.position,
            last: self.last.take(),
            pending: std::mem::take(&mut self.pending),
            retries: self.retries.clone(),
            on_abandon: hook,
        }
    }

    /// The saga's name.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The saga's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The saga's attempt, from 1 ([`attempt`](Saga::attempt)).
    #[must_use]
    pub fn attempt_number(&self) -> u32 {
        self.attempt
    }

    /// The keys of the steps that would be compensated now, in the order they would be.
    pub fn pending(&self) -> impl Iterator<Item = &Key> {
        self.pending.iter().rev().map(|pending| &pending.key)
    }

    /// A step named `name` (unique within the saga, low-cardinality), whose action is
    /// called once with the step's [`Key`]. Give it a compensation with
    /// [`Step::compensate`], and run it with [`Step::run`].
    pub fn step<F, Fut, T, E>(&mut self, name: &'static str, action: F) -> Step<'_, H, F>
    where
        F: FnOnce(Key) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Error>,
    {
        Step {
            saga: self,
            name,
            action,
            compensation: None,
        }
    }

    /// Ends the saga: its steps are done, and nothing will be compensated.
    pub fn commit(mut self) {
        self.pending.clear();
    }
}

impl<H: OnAbandon> Drop for Saga<H> {
    fn drop(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let Some(last) = self.last.take() else {
            return;
        };
        self.on_abandon.on_abandon(Abandoned {
            saga: self.name,
            id: Arc::clone(&self.id),
            attempt: self.attempt,
            last,
            pending: std::mem::take(&mut self.pending),
            retries: self.retries.clone(),
        });
    }
}

/// One step of a [`Saga`], made by [`Saga::step`]: give it a compensation, then
/// [`run`](Step::run) it.
#[must_use = "a step does nothing until it is run"]
pub struct Step<'s, H: OnAbandon, F> {
    saga: &'s mut Saga<H>,
    name: &'static str,
    action: F,
    compensation: Option<Compensation>,
}

impl<H: OnAbandon, F> fmt::Debug for Step<'_, H, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Step")
            .field("saga", &self.saga.name)
            .field("name", &self.name)
            .field("compensation", &self.compensation.is_some())
            .finish_non_exhaustive()
    }
}

impl<H: OnAbandon, F> Step<'_, H, F> {
    /// The compensating action: called with the step's [`Key`] when a later step fails,
    /// when this step fails (whatever its class), or when the saga is dropped. It must be
    /// idempotent, and succeed for a key it never saw (the step may not have run). Retried
    /// by class (see [`Saga::compensation_attempts`]).
    pub fn compensate<C, CF, CE>(mut self, compensation: C) -> Self
    where
        C: Fn(Key) -> CF + Send + Sync + 'static,
        CF: Future<Output = Result<(), CE>> + Send + 'static,
        CE: Into<Error>,
    {
        self.compensation = Some(Arc::new(move |key| {
            let future = compensation(key);
            Box::pin(async move { future.await.map_err(Into::into) })
        }));
        self
    }

    /// Runs the step. On success, its output. On failure, the compensations run (this
    /// step's first, whatever the class of its error; then the completed steps', in
    /// reverse), and the [`SagaError`] says what happened.
    ///
    /// # Errors
    ///
    /// [`SagaError`] when the step fails; see [its class's rule](crate#the-class-of-a-saga-error).
    pub async fn run<Fut, T, E>(self) -> Result<T, SagaError>
    where
        F: FnOnce(Key) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Error>,
    {
        let Step {
            saga,
            name,
            action,
            compensation,
        } = self;
        saga.position += 1;
        let key = Key::new(Arc::clone(&saga.id), saga.position, name).with_attempt(saga.attempt);
        saga.last = Some(key.clone());
        // Registered before the action runs: a saga dropped while the step is in flight
        // compensates it too. It stays registered when the step fails, whatever the class:
        // the error is the last attempt's, and an attempt before it (sent by a retry layer
        // inside the step) may have executed with its reply lost; see the crate
        // documentation.
        if let Some(compensation) = compensation {
            saga.pending.push(Pending {
                key: key.clone(),
                compensation,
            });
        }
        let error: Error = match action(key.clone()).await {
            Ok(output) => return Ok(output),
            Err(error) => error.into(),
        };
        let (compensated, failures) = compensate_all(&mut saga.pending, &saga.retries).await;
        Err(SagaError {
            saga: saga.name,
            id: Arc::clone(&saga.id),
            attempt: saga.attempt,
            step: key,
            cause: error,
            compensated,
            failures,
        })
    }
}
