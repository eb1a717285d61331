//! What happens to a saga dropped before it committed: [`OnAbandon`] and [`Abandoned`].

use core::fmt;
use std::sync::Arc;

use crate::Key;
use crate::error::{Cancelled, SagaError};
use crate::saga::{Pending, Retries, compensate_all};

/// The compensations of a saga dropped before it committed: its completed steps', and the
/// step's that was in flight (it may have done its work). [`compensate`](Abandoned::compensate)
/// runs them.
pub struct Abandoned {
    pub(crate) saga: &'static str,
    pub(crate) id: Arc<str>,
    pub(crate) attempt: u32,
    pub(crate) last: Key,
    pub(crate) pending: Vec<Pending>,
    pub(crate) retries: Retries,
}

impl fmt::Debug for Abandoned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Abandoned")
            .field("saga", &self.saga)
            .field("id", &self.id)
            .field("attempt", &self.attempt)
            .field("last", &self.last)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Abandoned {
    /// The saga's name.
    #[must_use]
    pub fn saga(&self) -> &'static str {
        self.saga
    }

    /// The saga's id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The saga's attempt, from 1.
    #[must_use]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The keys of the steps to compensate, in the order [`compensate`](Abandoned::compensate)
    /// runs them (the last step first).
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.pending.iter().rev().map(|pending| &pending.key)
    }

    /// Runs the compensations in reverse, each retried as the saga said.
    ///
    /// # Errors
    ///
    /// A [`SagaError`] whose cause is [`Cancelled`] and whose step is the last one started,
    /// when any compensation failed (class `data`). When every one succeeded, `Ok`.
    pub async fn compensate(mut self) -> Result<(), SagaError> {
        let (compensated, failures) = compensate_all(&mut self.pending, &self.retries).await;
        if failures.is_empty() {
            return Ok(());
        }
        Err(SagaError {
            saga: self.saga,
            id: self.id,
            attempt: self.attempt,
            step: self.last,
            cause: Cancelled.into(),
            compensated,
            failures,
        })
    }
}

/// Receives the compensations of a saga dropped before it committed, from the saga's `Drop`
/// (which cannot `.await` them). A closure `Fn(Abandoned)` is an `OnAbandon`.
///
/// There is no impl for `()`: a hook that does nothing would leave the completed steps
/// uncompensated without a word, which is what this hook exists to prevent. To run nothing,
/// say so: `|_| {}`.
pub trait OnAbandon {
    /// The saga was dropped; `abandoned` holds what must be undone.
    fn on_abandon(&self, abandoned: Abandoned);
}

impl<F: Fn(Abandoned)> OnAbandon for F {
    fn on_abandon(&self, abandoned: Abandoned) {
        self(abandoned);
    }
}

/// The default [`OnAbandon`]: writes the saga and the keys it is about to undo to standard
/// error, then spawns [`Abandoned::compensate`] on the current tokio runtime (feature
/// `tokio`), and writes the report of a compensation that still fails to standard error.
/// With no runtime (or without the feature) it cannot run them, and writes the keys left
/// uncompensated to standard error. See the [crate documentation](crate#cancellation-a-dropped-saga).
///
/// The first line is written before anything is undone, because the saga cannot tell a
/// cancelled caller from a forgotten [`commit`](crate::Saga::commit): a saga whose steps
/// all succeeded and that was dropped without `commit` is undone too, and the line says
/// which one, with a reminder.
#[derive(Clone, Copy, Debug, Default)]
pub struct SpawnCompensations;

impl OnAbandon for SpawnCompensations {
    fn on_abandon(&self, abandoned: Abandoned) {
        let keys: Vec<String> = abandoned.keys().map(ToString::to_string).collect();
        #[cfg(feature = "tokio")]
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            eprintln!(
                "error-saga: saga `{}` (id `{}`, attempt {}) was dropped before `commit()`; compensating: {} \
                 (a saga whose steps all succeeded must end with `commit()`)",
                abandoned.saga,
                abandoned.id,
                abandoned.attempt,
                keys.join(", ")
            );
            runtime.spawn(async move {
                if let Err(error) = abandoned.compensate().await {
                    eprintln!("error-saga: {:#}", error_core::Report::new(&error));
                }
            });
            return;
        }
        eprintln!(
            "error-saga: saga `{}` (id `{}`, attempt {}) was dropped with no runtime to compensate it; uncompensated: {}",
            abandoned.saga,
            abandoned.id,
            abandoned.attempt,
            keys.join(", ")
        );
    }
}
