//! Sagas with classified errors: run steps in order, and when one fails, undo the completed
//! ones in reverse with their compensating actions.
//!
//! A workflow that spans services (reserve inventory, charge the card, ship) has no
//! transaction to roll back. A saga runs each step as its own local transaction and, when a
//! later step fails, runs the *compensations* of the earlier ones (release the
//! reservation, refund the charge). Two questions decide whether that is safe, and this
//! crate answers both with classes:
//!
//! - **What if a compensation fails?** It is retried by its class (`transient`, `busy`,
//!   `redirect` and `conflict`, within [`Saga::compensation_attempts`], after the error's
//!   `retry_after` or an exponential backoff), and then reported, step by step, in the
//!   [`SagaError`].
//! - **What may the caller do with the saga's error?** Its class follows one rule,
//!   [below](#the-class-of-a-saga-error).
//!
//! # Example
//!
//! ```
//! use error_core::{Class, ClassifiedError, Error, Report};
//! use error_saga::Saga;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! async fn checkout(order: &str) -> Result<u64, error_saga::SagaError> {
//!     let mut saga = Saga::new("checkout", order);
//!     saga.step("reserve", |key| async move { Ok::<_, Error>(format!("hold for {key}")) })
//!         .compensate(|_key| async { Ok::<_, Error>(()) })
//!         .run()
//!         .await?;
//!     let charged = saga
//!         .step("charge", |_key| async { Err::<u64, _>(Error::transient("card network timeout")) })
//!         .compensate(|_key| async { Ok::<_, Error>(()) })
//!         .run()
//!         .await?;
//!     saga.commit();
//!     Ok(charged)
//! }
//!
//! let err = checkout("order-42").await.unwrap_err();
//! // Every compensation succeeded: the saga's class is the failed step's, so the caller may
//! // run the whole saga again, as attempt 2 (`Saga::new("checkout", order).attempt(2)`,
//! // whose keys are new: the callees refuse the keys they have undone).
//! assert_eq!(err.class(), Class::Transient);
//! assert_eq!(err.code(), "saga.compensated");
//! assert_eq!(
//!     Report::new(&err).to_string(),
//!     "saga step failed; completed steps compensated. saga=`checkout`, id=`order-42`, \
//!      attempt=`1`, step=`charge`, compensated=`charge, reserve`: card network timeout",
//! );
//! # }
//! ```
//!
//! # Steps, compensations and idempotency keys
//!
//! [`Saga::step`] runs one step: a closure given the step's [`Key`] (`"order-42#1/2-charge"`:
//! the saga's id and attempt, the step's position and name) and returning a future of
//! `Result<T, E>`, with `E: Into<error_core::Error>`. [`Step::compensate`] gives its
//! compensating action, which is given the same key. The key is what makes retries safe: a
//! step sent twice by a retry layer carries the same key, and the callee does the work
//! once; a compensation's own retries carry [`Key::compensation`]
//! (`"order-42#1/2-charge/compensate"`).
//!
//! A compensation is given the key and not the step's output, on purpose: it must be able
//! to undo a step whose result the saga never saw. That happens twice: when a step fails,
//! and when the saga is dropped while a step is in flight. In both cases the step's own
//! compensation runs too, and the callee, which knows what it did under that key, undoes
//! it, or does nothing if it did nothing. A compensation must therefore be idempotent and
//! accept a key it has never seen; that is the callee's contract in every saga, written
//! down here.
//!
//! The failed step's compensation runs whatever the class of its error. The class is the
//! *last* attempt's, and says nothing of the attempts before it: with a retry layer inside
//! the step, attempt 1 may have executed with its reply lost (`transient`) and attempt 2 be
//! refused `busy`; or the callee may answer `invalid` "already exists" to a resend of a key
//! it executed. A `busy`, `redirect`, `invalid` or `denied` answer does not mean that
//! nothing was done under the key, so the saga does not skip the compensation on its word;
//! the callee, which knows, undoes the step or does nothing.
//!
//! Steps are not retried by the saga: put a retry layer around the call inside the step
//! (`error-tower`'s `RetryLayer`), which retries it by class with the same key.
//!
//! # Running a saga again
//!
//! A callee that undoes a key must remember that it did (a *tombstone*), and refuse the key
//! from then on, with an `invalid` error: a late attempt of the step (a retry still queued
//! in a proxy, a slow first attempt) that arrives after its compensation must not execute,
//! because nothing would undo it. That is the tombstone rule, the other half of the
//! callee's contract.
//!
//! So a saga run again, after an error whose class allows it, needs keys its callees have
//! not undone: run it as the next attempt, [`Saga::attempt`], which is in every key
//! (`"order-42#2/2-charge"`). The same id ties the runs together in reports and repair
//! lists; the attempt keeps their keys apart. A run again with the *same* attempt is
//! refused step by step by the tombstones, with the `invalid` error that says so, rather
//! than charging twice or shipping an order whose charge was refunded.
//!
//! # The class of a saga error
//!
//! | compensations | class | code | `retry_after`, status |
//! |---|---|---|---|
//! | every one succeeded | the failed step's class, except: `fatal` → `internal`, `redirect` → `transient` | `saga.compensated` | the step's |
//! | at least one failed | [`Class::Data`](error_core::Class::Data) | `saga.inconsistent` | none, `internal` |
//!
//! When every compensation succeeded the system is back where it started, so the saga
//! failed as its step did: a `transient` payment timeout makes the whole saga `transient`,
//! and the caller may run it again (as the next [attempt](#running-a-saga-again)); an
//! `invalid` card makes it `invalid`, and running it again never helps. Any other class
//! would lie: `internal` would hide a retriable timeout, and the step's own class is what a
//! caller already knows how to act on.
//!
//! Two classes name an action only the step's own caller can take, and are translated:
//!
//! - `fatal` ("restart the process") is the step's client or callee telling *its* process
//!   to restart: a payment provider that lost its ledger, a client whose transport died.
//!   The saga's caller did nothing wrong and restarting it repairs nothing, so the saga's
//!   error is `internal` (report it, do not retry). This is the rule error-tower's reqwest
//!   module applies to a server's `fatal`: another process's fault is not this one's.
//! - `redirect` ("retry against the hinted target") names a target the step's request can
//!   be sent to; the saga's caller has no such request, and the saga error no target. What
//!   it can do is run the saga again, whose step's retry layer follows the redirect: so the
//!   saga's error is `transient`, keeping the step's hint.
//!
//! The status and the hint stay the step's in both cases.
//!
//! When a compensation failed, the system is left inconsistent (a charge with no order, a
//! reservation nobody holds), whatever the step's class. Running the saga again would
//! compound it, so the class must not be retriable, and the action it asks for is "repair
//! the data": that is `data` ("persisted data is corrupt or inconsistent: repair data or
//! upgrade"). Not `fatal`: restarting the process repairs nothing. Not `internal`: the
//! bug-report action is wrong, an operator (or a repair job fed from
//! [`SagaError::compensation_failures`]) must act on the keys the error lists. Its status is
//! `internal` rather than `data_loss`: the caller's request was fine and its own data is not
//! lost; the inconsistency is the server's to repair.
//!
//! The failed step's error is the [`source`](std::error::Error::source) of the saga error,
//! so a [`Report`](error_core::Report) shows the step, its cause and (in the saga error's
//! own message) every compensation that failed, with its class, code and attempts.
//!
//! # Cancellation: a dropped saga
//!
//! A saga is a value, like a database transaction: [`Saga::commit`] ends it, and a saga
//! dropped without `commit` (its future was cancelled: the client went away, a timeout
//! fired, a `select!` took another branch) still holds the compensations of its completed
//! steps, and of the step in flight. `Drop` cannot `.await`, so it hands them to the saga's
//! [`OnAbandon`] hook as an [`Abandoned`] value, whose
//! [`compensate`](Abandoned::compensate) runs them in reverse with the same retries and
//! returns the same [`SagaError`] (the cause is [`Cancelled`]). This is the shape of
//! `sqlx`'s `Transaction`, which rolls back on drop unless committed.
//!
//! The default hook, [`SpawnCompensations`], writes the saga and the keys it is about to
//! undo to standard error, spawns `compensate()` on the current tokio runtime (feature
//! `tokio`), and writes the report of a compensation that still fails to standard error,
//! because nobody is left to return it to. Without a runtime it cannot run them, and
//! writes the keys left uncompensated to standard error. Nothing is dropped silently; set
//! your own hook with [`Saga::on_abandon`] to send them to a durable repair queue instead.
//! A saga with nothing to compensate (no completed step with a compensation) calls no hook.
//!
//! A saga whose steps all succeeded and that is dropped without `commit()` is a dropped
//! saga too: its steps are undone. The saga cannot tell a forgotten `commit()` from a
//! cancelled caller, and of the two mistakes, undoing a finished order is the one that can
//! be seen and repaired (a charge kept for an order the caller believes failed cannot).
//! The line on standard error is written *before* the compensations are spawned, and names
//! the saga, its id and attempt, and the keys, so that a forgotten `commit()` shows up the
//! first time it happens. Making the hook a required argument was weighed and not chosen:
//! every saga would name `SpawnCompensations`, and the mistake it guards against is the
//! missing `commit()`, not a missing hook.
//!
//! # Runtime
//!
//! A saga runs on any executor: it only awaits the futures its steps return. Two things
//! need a runtime, and both can be replaced: the sleep between compensation attempts
//! ([`Saga::sleep`]; `tokio::time::sleep` with the `tokio` feature, else none) and the
//! default abandonment hook.
//!
//! ## Feature flags
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `tokio` | yes | `tokio::time::sleep` between compensation attempts; [`SpawnCompensations`] spawns on the current runtime |

mod abandon;
mod error;
mod key;
mod saga;

pub use abandon::{Abandoned, OnAbandon, SpawnCompensations};
pub use error::{Cancelled, CompensationFailure, SagaError};
pub use key::Key;
pub use saga::{Saga, Step};
