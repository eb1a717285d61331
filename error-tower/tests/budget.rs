//! The retry budget: exact balances, the minimum rate on tokio's paused clock, validation,
//! and no overdraft under contention.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use error_core::{Class, ClassifiedError};
use error_tower::budget::{Budget, BudgetError};

fn empty(ratio: f64, max: u32) -> Budget {
    Budget::builder()
        .ratio(ratio)
        .max_balance(max)
        .initial_balance(0)
        .min_per_sec(0)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn two_successes_at_ratio_one_half_pay_for_one_retry() {
    let budget = empty(0.5, 10);
    assert!(!budget.withdraw());
    budget.deposit();
    assert!(!budget.withdraw(), "half a token is not a retry");
    budget.deposit();
    assert!(budget.withdraw());
    assert!(!budget.withdraw());
    assert_eq!(budget.balance(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_balance_is_capped() {
    let budget = empty(1.0, 3);
    for _ in 0..100 {
        budget.deposit();
    }
    assert_eq!(budget.balance(), 3);
    let granted = (0..10).filter(|_| budget.withdraw()).count();
    assert_eq!(granted, 3);
}

#[tokio::test(start_paused = true)]
async fn the_default_budget_starts_with_ten_tokens() {
    let budget = Budget::default();
    assert_eq!(budget.balance(), 10);
    let granted = (0..20).filter(|_| budget.withdraw()).count();
    assert_eq!(granted, 10);
}

#[tokio::test(start_paused = true)]
async fn the_minimum_rate_credits_tokens_as_time_passes() {
    let budget = Budget::builder()
        .initial_balance(0)
        .min_per_sec(2)
        .max_balance(5)
        .build()
        .unwrap();
    assert!(!budget.withdraw());
    tokio::time::advance(Duration::from_millis(250)).await;
    assert!(
        !budget.withdraw(),
        "a quarter second is half a token at 2 a second"
    );
    tokio::time::advance(Duration::from_millis(250)).await;
    assert!(budget.withdraw(), "half a second is one token");
    assert!(!budget.withdraw());
    tokio::time::advance(Duration::from_secs(60)).await;
    let granted = (0..20).filter(|_| budget.withdraw()).count();
    assert_eq!(granted, 5, "the credit is capped too");
}

#[test]
fn builder_rejects_bad_arguments_with_invalid_errors() {
    let err = Budget::builder().ratio(f64::NAN).build().unwrap_err();
    assert!(matches!(err, BudgetError::Ratio { .. }));
    assert_eq!(err.class(), Class::Invalid);
    let err = Budget::builder().ratio(-0.1).build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "retry budget ratio must be a finite number from 0 to 1000. ratio=`-0.1`"
    );
    let err = Budget::builder()
        .max_balance(2)
        .initial_balance(3)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "retry budget initial balance is above its maximum. initial=`3`, max=`2`"
    );
    assert_eq!(err.code(), "BudgetError::InitialAboveMax");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clones_never_overdraw() {
    // 1,000 tokens: 400 to start with, 1,200 deposits at one half each.
    let budget = Budget::builder()
        .ratio(0.5)
        .max_balance(100_000)
        .initial_balance(400)
        .min_per_sec(0)
        .build()
        .unwrap();
    let granted = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for task in 0..16 {
        let budget = budget.clone();
        let granted = Arc::clone(&granted);
        tasks.push(tokio::spawn(async move {
            for i in 0..500 {
                if task % 2 == 0 && i < 150 {
                    budget.deposit();
                }
                if budget.withdraw() {
                    granted.fetch_add(1, Ordering::Relaxed);
                }
                if i % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // 8,000 asks for 1,000 tokens: exactly 1,000 granted, none overdrawn.
    assert_eq!(granted.load(Ordering::Relaxed), 1_000);
    assert_eq!(budget.balance(), 0);
}
