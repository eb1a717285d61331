//! `retry_after()`: `retry_after_ms = N`, `#[retry_after]` fields of type `Duration` and
//! `Option<Duration>`, and delegation through `#[class(source)]` and `#[error(transparent)]`.

use std::time::Duration;

use error_core::{Class, ClassifiedError};

#[derive(Debug, ClassifiedError)]
enum Hints {
    #[error("busy")]
    #[class(busy, retry_after_ms = 50)]
    Busy,
    #[error("zero")]
    #[class(transient, retry_after_ms = 0)]
    Zero,
    #[error("a day")]
    #[class(redirect, retry_after_ms = 86_400_000)]
    Day,
    #[error("max")]
    #[class(conflict, retry_after_ms = 18446744073709551615)]
    Max,
    #[error("none")]
    #[class(busy)]
    NoHint,
    #[error("fixed duration")]
    #[class(busy)]
    Field {
        #[retry_after]
        wait: Duration,
    },
    #[error("optional duration")]
    #[class(transient)]
    OptionField {
        attempt: u8,
        #[retry_after]
        wait: Option<Duration>,
    },
    #[error("tuple duration")]
    #[class(redirect)]
    TupleField(u64, #[retry_after] Duration),
    #[error("invalid")]
    #[class(invalid)]
    NotRetriable,
}

#[test]
fn retry_after_ms() {
    assert_eq!(Hints::Busy.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(Hints::Zero.retry_after(), Some(Duration::ZERO));
    assert_eq!(Hints::Day.retry_after(), Some(Duration::from_secs(86_400)));
    assert_eq!(
        Hints::Max.retry_after(),
        Some(Duration::from_millis(u64::MAX))
    );
    assert_eq!(Hints::NoHint.retry_after(), None);
    assert_eq!(Hints::NotRetriable.retry_after(), None);
    // The constant hint is not a field: it never shows in the message.
    assert_eq!(Hints::Busy.to_string(), "busy");
}

#[test]
fn duration_field() {
    let e = Hints::Field {
        wait: Duration::from_micros(1500),
    };
    assert_eq!(e.retry_after(), Some(Duration::from_micros(1500)));
    assert_eq!(e.to_string(), "fixed duration. wait=`1.5ms`");

    let e = Hints::TupleField(3, Duration::from_secs(1));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(e.to_string(), "tuple duration. 0=`3`, 1=`1s`");
}

#[test]
fn option_duration_field() {
    let e = Hints::OptionField {
        attempt: 1,
        wait: Some(Duration::from_millis(250)),
    };
    assert_eq!(e.retry_after(), Some(Duration::from_millis(250)));
    assert_eq!(
        e.to_string(),
        "optional duration. attempt=`1`, wait=`250ms`"
    );

    let e = Hints::OptionField {
        attempt: 2,
        wait: None,
    };
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.to_string(), "optional duration. attempt=`2`, wait=`none`");
}

#[derive(Debug, ClassifiedError)]
#[class(busy, retry_after_ms = 75)]
#[error("struct hint")]
struct StructConst;

#[derive(Debug, ClassifiedError)]
#[class(transient)]
#[error("struct field")]
struct StructField {
    #[retry_after]
    backoff: core::time::Duration,
}

#[derive(Debug, ClassifiedError)]
#[class(internal, context = none)]
#[error("no hint")]
struct NoHint {
    wait_ms: u64,
}

#[test]
fn structs() {
    assert_eq!(StructConst.retry_after(), Some(Duration::from_millis(75)));
    let e = StructField {
        backoff: Duration::from_secs(3),
    };
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(e.to_string(), "struct field. backoff=`3s`");
    assert_eq!(NoHint { wait_ms: 5 }.retry_after(), None);
}

#[derive(Debug, ClassifiedError)]
#[class(busy, context = none)]
enum DefaultClass {
    #[error("inherits class, own hint")]
    #[class(retry_after_ms = 9)]
    Const,
    #[error("inherits class, field hint")]
    Field {
        #[retry_after]
        wait: Option<Duration>,
    },
}

#[test]
fn hints_on_variants_that_inherit_the_class() {
    assert_eq!(DefaultClass::Const.class(), Class::Busy);
    assert_eq!(
        DefaultClass::Const.retry_after(),
        Some(Duration::from_millis(9))
    );
    let e = DefaultClass::Field {
        wait: Some(Duration::from_millis(10)),
    };
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(10)));
}

#[derive(Debug, ClassifiedError)]
enum Delegating {
    #[error("via class(source)")]
    #[class(source)]
    Source(#[source] Hints),
    #[error(transparent)]
    Transparent(Hints),
    #[error("via struct")]
    #[class(source)]
    Struct {
        #[source]
        source: StructField,
    },
    #[error("own")]
    #[class(busy, retry_after_ms = 1)]
    Own {
        #[source]
        source: Hints,
    },
}

#[derive(Debug, ClassifiedError)]
#[class(context = none)]
enum TwoLevels {
    #[error(transparent)]
    Transparent(Delegating),
    #[error("class source")]
    #[class(source)]
    Source {
        #[source]
        source: Delegating,
    },
}

#[test]
fn delegation_through_class_source_and_transparent() {
    let e = Delegating::Source(Hints::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(e.class(), Class::Busy);

    let e = Delegating::Source(Hints::OptionField {
        attempt: 1,
        wait: None,
    });
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.class(), Class::Transient);

    let e = Delegating::Transparent(Hints::Field {
        wait: Duration::from_millis(20),
    });
    assert_eq!(e.retry_after(), Some(Duration::from_millis(20)));
    assert_eq!(e.class(), Class::Busy);

    let e = Delegating::Transparent(Hints::NoHint);
    assert_eq!(e.retry_after(), None);

    let e = Delegating::Struct {
        source: StructField {
            backoff: Duration::from_secs(4),
        },
    };
    assert_eq!(e.retry_after(), Some(Duration::from_secs(4)));
    assert_eq!(e.class(), Class::Transient);

    // A variant with its own class and hint ignores the source's.
    let e = Delegating::Own { source: Hints::Day };
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1)));
    assert_eq!(e.class(), Class::Busy);

    let e = TwoLevels::Transparent(Delegating::Source(Hints::Zero));
    assert_eq!(e.retry_after(), Some(Duration::ZERO));
    assert_eq!(e.class(), Class::Transient);

    let e = TwoLevels::Source {
        source: Delegating::Transparent(Hints::TupleField(0, Duration::from_secs(6))),
    };
    assert_eq!(e.retry_after(), Some(Duration::from_secs(6)));
    assert_eq!(e.class(), Class::Redirect);

    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(dyn_err.retry_after(), Some(Duration::from_secs(6)));
}
