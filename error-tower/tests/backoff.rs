//! Backoff: exact schedules, seeded reproducibility, and property tests of the bounds.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use error_core::{Class, ClassifiedError};
use error_tower::backoff::{Backoff, BackoffError, Jitter, Rng};
use proptest::prelude::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn exponential_schedule_without_jitter() {
    let backoff = Backoff::new(ms(10), 3.0, ms(500))
        .unwrap()
        .with_jitter(Jitter::None);
    let rng = Rng::seeded(1);
    let delays: Vec<Duration> = (1..=6)
        .map(|n| backoff.delay(n, Duration::ZERO, &rng))
        .collect();
    assert_eq!(delays, [ms(10), ms(30), ms(90), ms(270), ms(500), ms(500)]);
    assert_eq!(backoff.exponential(u32::MAX), ms(500));
}

#[test]
fn the_same_seed_gives_the_same_delays() {
    let backoff = Backoff::default();
    let draw = |seed| {
        let rng = Rng::seeded(seed);
        (1..=8)
            .map(|n| backoff.delay(n, Duration::ZERO, &rng))
            .collect::<Vec<_>>()
    };
    assert_eq!(draw(42), draw(42));
    assert_ne!(draw(42), draw(43));
}

#[test]
fn constructors_reject_bad_arguments_with_invalid_errors() {
    let err = Backoff::new(Duration::ZERO, 2.0, ms(10)).unwrap_err();
    assert!(matches!(err, BackoffError::ZeroBase));
    assert_eq!(err.to_string(), "backoff base must be above zero");

    let err = Backoff::new(ms(10), 2.0, ms(5)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "backoff cap is below its base. base=`10ms`, cap=`5ms`"
    );
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.code(), "BackoffError::CapBelowBase");

    for factor in [0.5, f64::NAN, f64::INFINITY, -1.0] {
        let err = Backoff::new(ms(10), factor, ms(100)).unwrap_err();
        assert!(matches!(err, BackoffError::Factor { .. }), "{factor}");
        assert_eq!(err.class(), Class::Invalid);
    }
}

#[test]
fn rng_up_to_covers_its_bounds() {
    let rng = Rng::seeded(9);
    let draws: Vec<u64> = (0..10_000).map(|_| rng.up_to(3)).collect();
    for value in 0..=3 {
        let count = draws.iter().filter(|d| **d == value).count();
        // 2,500 expected for each value; a fair generator lands within 10 %.
        assert!((2_250..=2_750).contains(&count), "{value}: {count}");
    }
    assert_eq!(Rng::seeded(0).up_to(0), 0);
}

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![
        Just(Jitter::None),
        Just(Jitter::Full),
        Just(Jitter::Equal),
        Just(Jitter::Decorrelated),
    ]
}

proptest! {
    #[test]
    fn every_delay_is_within_its_bounds_and_never_above_the_cap(
        base_ms in 1u64..1_000,
        extra_ms in 0u64..60_000,
        factor in 1.0f64..8.0,
        jitter in jitter(),
        seed in any::<u64>(),
        retries in 1u32..40,
    ) {
        let base = ms(base_ms);
        let cap = base + ms(extra_ms);
        let backoff = Backoff::new(base, factor, cap).unwrap().with_jitter(jitter);
        let rng = Rng::seeded(seed);
        let mut previous = Duration::ZERO;
        for retry in 1..=retries {
            let exp = backoff.exponential(retry);
            prop_assert!(exp >= base.min(cap) && exp <= cap);
            let delay = backoff.delay(retry, previous, &rng);
            prop_assert!(delay <= cap, "retry {retry}: {delay:?} > cap {cap:?}");
            match jitter {
                Jitter::None => prop_assert_eq!(delay, exp),
                Jitter::Full => prop_assert!(delay <= exp),
                Jitter::Equal => prop_assert!(delay >= exp / 2 && delay <= exp),
                Jitter::Decorrelated => {
                    let high = previous.max(base).saturating_mul(3).min(cap);
                    prop_assert!(delay >= base && delay <= high, "{delay:?} not in [{base:?}, {high:?}]");
                }
                _ => unreachable!(),
            }
            previous = delay;
        }
    }
}
