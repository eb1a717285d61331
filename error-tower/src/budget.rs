//! [`Budget`]: how many retries the callers of one service may make, funded by successes.
//!
//! # Why a budget, and not only a maximum number of attempts
//!
//! A maximum of 4 attempts recovers from a transient fault, but when the backend is down or
//! overloaded *every* call fails and makes 4 attempts: the retries quadruple the load exactly
//! when the backend can least take it. A budget ties retries to successes instead: each
//! success deposits `ratio` tokens (0.5 by default), each retry withdraws one. While the
//! backend is healthy there are tokens for the few calls that hit a transient fault; when it
//! is down there are no successes and, after the small initial balance, no retries — the
//! load stays near 1×.
//!
//! The [retry layer](crate::retry) asks for a token when its answer is current: as the
//! failure arrives for a retry after a backoff (milliseconds later), and as the retry is
//! about to be sent for a `busy` one that waits for the server's hint (seconds later, when
//! the backend may have recovered). Every retry sent is paid with one token, and never
//! given back: the budget is a bound, whatever the class. The retry module's documentation
//! says why.
//!
//! # Why a fixed cap, and not a time window
//!
//! tower's `TpsBudget` keeps the deposits of the last `ttl` seconds, so a backend that was
//! healthy under heavy traffic leaves a large balance behind when it dies, and the first
//! seconds of an outage see a burst of retries. Here the balance is capped at a few tokens
//! ([`BudgetBuilder::max_balance`], 20 by default: enough to absorb the chance runs of
//! failures of a healthy backend, as `tests/scenarios` measures): the outage costs at most that many
//! retries, plus the minimum rate.
//!
//! One exception: while retries wait for a server's hint, each raises the cap by one token.
//! They have been decided and will be sent when their wait ends; what the successes of
//! that wait deposit is what pays for them, and a cap of 20 would throw it away (a backend
//! that throttled 500 calls for a second, and recovered, deposits 250 tokens in the next
//! second, of which a fixed cap keeps 20, for 500 retries). The cap still bounds what a
//! healthy past can spend: the balance above it is at most the number of retries already
//! waiting, and it is spent by them. Every token still comes from a success, the initial
//! balance or the minimum rate, so the retries of a call stream are at most
//! `initial + ratio * successes + min_per_sec * seconds`.
//!
//! # Why lock-free
//!
//! `TpsBudget` takes a mutex and reads the clock on every operation, and its withdrawals
//! check the balance and then update it, so two concurrent callers can both spend the last
//! token. Here the balance is one atomic integer of milli-tokens: a deposit and a
//! withdrawal are each one compare-and-swap loop, a withdrawal never takes the balance below
//! zero, and the clock is read only when the balance is empty, to credit the minimum rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use error_core::ClassifiedError;
use tokio::time::Instant;

/// Thousandths of a token.
const MILLI: i64 = 1_000;

/// A retry budget shared by every clone of the layers that hold it. See the
/// [module documentation](self).
///
/// ```
/// use error_tower::budget::Budget;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), error_tower::budget::BudgetError> {
/// let budget = Budget::builder()
///     .ratio(0.5)
///     .max_balance(2)
///     .initial_balance(0)
///     .min_per_sec(0)
///     .build()?;
/// assert!(!budget.withdraw());
/// budget.deposit();
/// budget.deposit();
/// assert!(budget.withdraw());
/// assert!(!budget.withdraw());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Budget {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// Milli-tokens.
    balance: AtomicI64,
    deposit: i64,
    max: i64,
    /// Milli-tokens per second.
    min_rate: u64,
    /// Retries waiting for a hint, decided and not yet sent: each raises the cap by a
    /// token ([`Hold`]).
    waiting: AtomicI64,
    start: Instant,
    /// Nanoseconds since `start` up to which the minimum rate has been credited.
    credited_until: AtomicU64,
}

/// Why a [`Budget`] could not be built. Classified `invalid`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(invalid, context = none)]
pub enum BudgetError {
    /// The ratio is not a finite number between 0 and 1000.
    #[error("retry budget ratio must be a finite number from 0 to 1000")]
    Ratio {
        /// The ratio given.
        ratio: f64,
    },
    /// The initial balance is above the maximum.
    #[error("retry budget initial balance is above its maximum")]
    InitialAboveMax {
        /// The initial balance given.
        initial: u32,
        /// The maximum given.
        max: u32,
    },
}

/// Builds a [`Budget`].
#[derive(Clone, Copy, Debug)]
pub struct BudgetBuilder {
    ratio: f64,
    max_balance: u32,
    initial_balance: u32,
    min_per_sec: u32,
}

impl Default for BudgetBuilder {
    /// Ratio 0.5, at most 20 tokens, starting with 10, 1 token a second for low traffic.
    fn default() -> Self {
        BudgetBuilder {
            ratio: 0.5,
            max_balance: 20,
            initial_balance: 10,
            min_per_sec: 1,
        }
    }
}

impl BudgetBuilder {
    /// Tokens deposited per success (0.5: one retry per two successes).
    #[must_use]
    pub fn ratio(mut self, ratio: f64) -> Self {
        self.ratio = ratio;
        self
    }

    /// The most tokens the budget holds.
    #[must_use]
    pub fn max_balance(mut self, tokens: u32) -> Self {
        self.max_balance = tokens;
        self
    }

    /// The tokens it starts with.
    #[must_use]
    pub fn initial_balance(mut self, tokens: u32) -> Self {
        self.initial_balance = tokens;
        self
    }

    /// Tokens credited per second whatever the traffic, so that a client with few calls can
    /// still retry.
    #[must_use]
    pub fn min_per_sec(mut self, tokens: u32) -> Self {
        self.min_per_sec = tokens;
        self
    }

    /// The budget.
    ///
    /// # Errors
    ///
    /// [`BudgetError`] when the ratio is not a finite number from 0 to 1000, or the initial
    /// balance is above the maximum.
    pub fn build(self) -> Result<Budget, BudgetError> {
        if !self.ratio.is_finite() || !(0.0..=1000.0).contains(&self.ratio) {
            return Err(BudgetError::Ratio { ratio: self.ratio });
        }
        if self.initial_balance > self.max_balance {
            return Err(BudgetError::InitialAboveMax {
                initial: self.initial_balance,
                max: self.max_balance,
            });
        }
        Ok(Budget::from_valid(self))
    }
}

impl Default for Budget {
    /// The budget of [`BudgetBuilder::default`].
    fn default() -> Self {
        Budget::from_valid(BudgetBuilder::default())
    }
}

impl Budget {
    /// A budget from a builder whose values are known to be valid.
    fn from_valid(builder: BudgetBuilder) -> Budget {
        // A valid ratio is at most 1000: at most 1_000_000 milli-tokens.
        #[allow(clippy::cast_possible_truncation)]
        let deposit = (builder.ratio * 1000.0).round() as i64;
        Budget {
            inner: Arc::new(Inner {
                balance: AtomicI64::new(i64::from(builder.initial_balance) * MILLI),
                deposit,
                max: i64::from(builder.max_balance) * MILLI,
                min_rate: u64::from(builder.min_per_sec) * 1_000,
                waiting: AtomicI64::new(0),
                start: Instant::now(),
                credited_until: AtomicU64::new(0),
            }),
        }
    }

    /// A builder, with the defaults of [`BudgetBuilder::default`].
    #[must_use]
    pub fn builder() -> BudgetBuilder {
        BudgetBuilder::default()
    }

    /// Records a success: deposits `ratio` tokens, up to the maximum (raised by one token
    /// per retry waiting for a hint; see the [module documentation](self)).
    ///
    /// At the maximum (where a healthy service's budget sits) it writes nothing, so that
    /// the successes of every core do not contend for one cache line.
    #[inline]
    pub fn deposit(&self) {
        let inner = &*self.inner;
        let cap = self.cap();
        if inner.balance.load(Ordering::Acquire) >= cap {
            return;
        }
        let _ = inner
            .balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |balance| {
                let new = balance.saturating_add(inner.deposit).min(cap).max(balance);
                (new != balance).then_some(new)
            });
    }

    /// The most the balance may hold now: the maximum, and a token per retry waiting for
    /// a hint.
    #[inline]
    fn cap(&self) -> i64 {
        let inner = &*self.inner;
        let waiting = inner.waiting.load(Ordering::Acquire);
        if waiting <= 0 {
            return inner.max;
        }
        inner.max.saturating_add(waiting.saturating_mul(MILLI))
    }

    /// Whether [`withdraw`](Budget::withdraw) would grant a retry now (after crediting the
    /// minimum rate), without withdrawing: what the retry layer asks of a retry that waits
    /// for a hint, before it waits, so that a budget with nothing left ends the call at
    /// once rather than after the hint.
    #[must_use]
    pub fn can_withdraw(&self) -> bool {
        loop {
            if self.inner.balance.load(Ordering::Acquire) >= MILLI {
                return true;
            }
            if !self.credit_min_rate() {
                return false;
            }
        }
    }

    /// Counts a retry that waits for a hint until the [`Hold`] is dropped (as it is sent,
    /// or as the call ends without it): while it waits, the cap is a token higher.
    #[cfg_attr(not(feature = "retry"), allow(dead_code))]
    pub(crate) fn hold(&self) -> Hold {
        self.inner.waiting.fetch_add(1, Ordering::AcqRel);
        Hold {
            budget: self.clone(),
        }
    }

    /// Asks for one retry: `true` (and one token fewer) if the balance holds a whole token,
    /// after crediting the minimum rate; `false` otherwise. Never overdraws, whatever the
    /// concurrency.
    #[must_use = "a retry is allowed only if the withdrawal was granted"]
    pub fn withdraw(&self) -> bool {
        loop {
            if self.try_withdraw() {
                return true;
            }
            if !self.credit_min_rate() {
                return false;
            }
        }
    }

    /// Gives back a retry's token, up to the cap: one granted as its failure arrived and
    /// not sent after all (the call ended first). A retry that was sent is never given its
    /// token back.
    #[cfg_attr(not(feature = "retry"), allow(dead_code))]
    pub(crate) fn refund(&self) {
        self.add_capped(MILLI, self.cap());
    }

    /// Adds `milli` milli-tokens, up to `cap` (a balance already over it stays).
    fn add_capped(&self, milli: i64, cap: i64) {
        let _ = self
            .inner
            .balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |balance| {
                Some(balance.saturating_add(milli).min(cap).max(balance))
            });
    }

    /// The balance, in whole tokens (rounded down).
    #[must_use]
    pub fn balance(&self) -> u64 {
        u64::try_from(self.inner.balance.load(Ordering::Acquire) / MILLI).unwrap_or(0)
    }

    fn try_withdraw(&self) -> bool {
        self.inner
            .balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |balance| {
                (balance >= MILLI).then_some(balance - MILLI)
            })
            .is_ok()
    }

    /// Credits the minimum rate for the time since it was last credited. `true` if it
    /// credited anything.
    fn credit_min_rate(&self) -> bool {
        let inner = &*self.inner;
        if inner.min_rate == 0 {
            return false;
        }
        let now = u64::try_from(inner.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let since = inner.credited_until.load(Ordering::Acquire);
        let elapsed = now.saturating_sub(since);
        let credit = u128::from(elapsed) * u128::from(inner.min_rate) / 1_000_000_000;
        let Ok(credit) = i64::try_from(credit) else {
            return false;
        };
        if credit == 0 {
            return false;
        }
        // Only the time that paid for the credit is consumed, so fractions carry over.
        let paid = u64::try_from(
            u128::from(credit.unsigned_abs()) * 1_000_000_000 / u128::from(inner.min_rate),
        )
        .unwrap_or(elapsed);
        if inner
            .credited_until
            .compare_exchange(
                since,
                since.saturating_add(paid),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            // Another caller credited this interval; its credit is in the balance.
            return true;
        }
        // Up to the maximum itself, not the cap the retries waiting for a hint raise: the
        // minimum rate is credited for all the time since it last was, and what a quiet
        // past credits is the history the cap exists to bound.
        self.add_capped(credit, self.inner.max);
        true
    }
}

/// A retry waiting for a server's hint, counted by its [`Budget`] until dropped: see
/// [`Budget::hold`].
#[derive(Debug)]
pub(crate) struct Hold {
    budget: Budget,
}

impl Hold {
    /// The budget the retry will pay.
    #[cfg_attr(not(feature = "retry"), allow(dead_code))]
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.budget.inner.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}
