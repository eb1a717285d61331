//! `#[class(...)]`: every class, enum-level defaults, variant overrides, codes,
//! `#[class(source)]`, and the `Class` / `Retriable` / `ParseClassError` API.

use std::error::Error as _;
use std::str::FromStr;
use std::time::Duration;

use error_core::{Class, ClassifiedError, ParseClassError, Retriable, Value};

#[derive(Debug, ClassifiedError)]
enum Every {
    #[error("transient")]
    #[class(transient)]
    Transient,
    #[error("busy")]
    #[class(busy)]
    Busy,
    #[error("redirect")]
    #[class(redirect)]
    Redirect,
    #[error("conflict")]
    #[class(conflict)]
    Conflict,
    #[error("invalid")]
    #[class(invalid)]
    Invalid,
    #[error("denied")]
    #[class(denied)]
    Denied,
    #[error("closed")]
    #[class(closed)]
    Closed,
    #[error("data")]
    #[class(data)]
    Data,
    #[error("fatal")]
    #[class(fatal)]
    Fatal,
    #[error("internal")]
    #[class(internal)]
    Internal,
}

#[test]
fn every_class() {
    let cases = [
        (Every::Transient, Class::Transient, "Every::Transient"),
        (Every::Busy, Class::Busy, "Every::Busy"),
        (Every::Redirect, Class::Redirect, "Every::Redirect"),
        (Every::Conflict, Class::Conflict, "Every::Conflict"),
        (Every::Invalid, Class::Invalid, "Every::Invalid"),
        (Every::Denied, Class::Denied, "Every::Denied"),
        (Every::Closed, Class::Closed, "Every::Closed"),
        (Every::Data, Class::Data, "Every::Data"),
        (Every::Fatal, Class::Fatal, "Every::Fatal"),
        (Every::Internal, Class::Internal, "Every::Internal"),
    ];
    let mut seen = Vec::new();
    for (e, class, code) in cases {
        assert_eq!(e.class(), class, "{e:?}");
        assert_eq!(e.code(), code);
        assert_eq!(e.to_string(), class.as_str());
        assert_eq!(e.retry_after(), None);
        assert_eq!(e.is_retriable(), class.is_retriable());
        assert_eq!(e.is_fatal(), class.is_fatal());
        seen.push(e.class());
    }
    assert_eq!(seen, Class::ALL);
    let retriable: Vec<Class> = Class::ALL
        .into_iter()
        .filter(Retriable::is_retriable)
        .collect();
    assert_eq!(
        retriable,
        [
            Class::Transient,
            Class::Busy,
            Class::Redirect,
            Class::Conflict
        ]
    );
    let fatal: Vec<Class> = Class::ALL.into_iter().filter(Retriable::is_fatal).collect();
    assert_eq!(fatal, [Class::Fatal]);
}

#[derive(Debug, ClassifiedError)]
#[class(transient)]
enum Defaulted {
    #[error("inherits")]
    Inherits,
    #[error("overrides")]
    #[class(fatal)]
    Overrides,
    #[error("code only")]
    #[class(code = "custom.code_only")]
    CodeOnly,
    #[error("hint only")]
    #[class(retry_after_ms = 5)]
    HintOnly,
    #[error("code and hint")]
    #[class(code = "custom.both", retry_after_ms = 6)]
    CodeAndHint { attempt: u8 },
    #[error("override with code")]
    #[class(code = "custom.denied", denied)]
    OverrideWithCode,
}

#[test]
fn enum_level_default_and_variant_overrides() {
    assert_eq!(Defaulted::Inherits.class(), Class::Transient);
    assert_eq!(Defaulted::Inherits.code(), "Defaulted::Inherits");

    assert_eq!(Defaulted::Overrides.class(), Class::Fatal);
    assert_eq!(Defaulted::Overrides.code(), "Defaulted::Overrides");

    assert_eq!(Defaulted::CodeOnly.class(), Class::Transient);
    assert_eq!(Defaulted::CodeOnly.code(), "custom.code_only");
    assert_eq!(Defaulted::CodeOnly.retry_after(), None);

    assert_eq!(Defaulted::HintOnly.class(), Class::Transient);
    assert_eq!(Defaulted::HintOnly.code(), "Defaulted::HintOnly");
    assert_eq!(
        Defaulted::HintOnly.retry_after(),
        Some(Duration::from_millis(5))
    );

    let e = Defaulted::CodeAndHint { attempt: 2 };
    assert_eq!(e.class(), Class::Transient);
    assert_eq!(e.code(), "custom.both");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(6)));
    assert_eq!(e.to_string(), "code and hint. attempt=`2`");

    assert_eq!(Defaulted::OverrideWithCode.class(), Class::Denied);
    assert_eq!(Defaulted::OverrideWithCode.code(), "custom.denied");
}

// In its own module: `Every::Busy` beside it would generate the same `BusyCtx` selector.
mod codes {
    use error_core::{Class, ClassifiedError};

    #[derive(Debug, ClassifiedError)]
    enum Codes {
        #[error("busy")]
        #[class(busy, code = "raft.busy")]
        Busy,
        #[error("dotted")]
        #[class(invalid, code = "a.b-c/d:e")]
        Dotted(u8),
    }

    #[test]
    fn code_override() {
        assert_eq!(Codes::Busy.code(), "raft.busy");
        assert_eq!(Codes::Busy.class(), Class::Busy);
        assert_eq!(Codes::Dotted(1).code(), "a.b-c/d:e");
        assert_eq!(Codes::Dotted(1).class(), Class::Invalid);
    }
}

#[derive(Debug, ClassifiedError)]
#[class(conflict)]
#[error("version conflict")]
struct VersionConflict {
    expected: u64,
    actual: u64,
}

#[derive(Debug, ClassifiedError)]
#[class(data, code = "storage.corrupt")]
#[error("corrupt record")]
struct Corrupt;

#[test]
fn structs() {
    let e = VersionConflict {
        expected: 3,
        actual: 4,
    };
    assert_eq!(e.class(), Class::Conflict);
    assert_eq!(e.code(), "VersionConflict");
    assert_eq!(e.to_string(), "version conflict. expected=`3`, actual=`4`");
    assert_eq!(Corrupt.class(), Class::Data);
    assert_eq!(Corrupt.code(), "storage.corrupt");
}

#[derive(Debug, ClassifiedError)]
enum Inner {
    #[error("queue full")]
    #[class(busy, retry_after_ms = 50)]
    Full,
    #[error("disk dead")]
    #[class(fatal, code = "inner.disk")]
    Dead,
    #[error("no leader")]
    #[class(transient)]
    NoLeader,
}

#[derive(Debug, ClassifiedError)]
enum Outer {
    #[error("propose failed")]
    #[class(source, code = "outer.propose")]
    Propose {
        #[source]
        source: Inner,
        attempt: u8,
    },
    #[error("passthrough")]
    #[class(source)]
    Plain(#[from] Inner),
    #[error("own class")]
    #[class(invalid)]
    Own {
        #[source]
        source: Inner,
    },
}

#[test]
fn class_source_takes_class_and_retry_after_and_keeps_own_code() {
    let e = Outer::Propose {
        source: Inner::Full,
        attempt: 1,
    };
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(e.code(), "outer.propose");
    assert_eq!(e.to_string(), "propose failed. attempt=`1`");
    assert_eq!(e.source().unwrap().to_string(), "queue full");

    let e = Outer::Propose {
        source: Inner::Dead,
        attempt: 2,
    };
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.code(), "outer.propose");
    assert!(e.is_fatal());

    let e = Outer::from(Inner::NoLeader);
    assert_eq!(e.class(), Class::Transient);
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.code(), "Outer::Plain");
    assert!(e.is_retriable());

    let e = Outer::Plain(Inner::Full);
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(e.code(), "Outer::Plain");

    let e = Outer::Own {
        source: Inner::Full,
    };
    assert_eq!(e.class(), Class::Invalid);
    assert_eq!(e.retry_after(), None);
    assert_eq!(e.code(), "Outer::Own");
}

#[derive(Debug, ClassifiedError)]
#[class(source, context = none)]
enum SourceDefault {
    #[error("wrapped")]
    Wrapped(#[source] Outer),
    #[error("own")]
    #[class(closed)]
    Own,
    #[error("code only")]
    #[class(code = "default.code_only")]
    CodeOnly {
        #[source]
        source: Inner,
    },
}

#[test]
fn enum_level_class_source_default() {
    // Two levels of delegation: SourceDefault -> Outer (class(source)) -> Inner.
    let e = SourceDefault::Wrapped(Outer::Plain(Inner::Full));
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(e.code(), "SourceDefault::Wrapped");

    assert_eq!(SourceDefault::Own.class(), Class::Closed);
    assert_eq!(SourceDefault::Own.retry_after(), None);

    let e = SourceDefault::CodeOnly {
        source: Inner::Dead,
    };
    assert_eq!(e.class(), Class::Fatal);
    assert_eq!(e.code(), "default.code_only");
}

#[derive(Debug, ClassifiedError)]
#[class(source, code = "struct.source")]
#[error("struct delegates")]
struct StructSource {
    #[source]
    inner: Inner,
}

#[test]
fn struct_class_source() {
    let e = StructSource { inner: Inner::Full };
    assert_eq!(e.class(), Class::Busy);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(50)));
    assert_eq!(e.code(), "struct.source");
    assert_eq!(e.to_string(), "struct delegates");
}

fn retriable<R: Retriable + ?Sized>(r: &R) -> (bool, bool) {
    (r.is_retriable(), r.is_fatal())
}

fn classified<E: ClassifiedError + ?Sized>(e: &E) -> (Class, &'static str, Option<Duration>) {
    (e.class(), e.code(), e.retry_after())
}

#[test]
fn retriable_for_class_refs_boxes_and_dyn() {
    assert_eq!(retriable(&Class::Transient), (true, false));
    assert_eq!(retriable(&Class::Fatal), (false, true));
    assert_eq!(retriable(&Class::Internal), (false, false));

    let e = Inner::Full;
    assert_eq!(retriable(&e), (true, false));
    assert_eq!(retriable(&&e), (true, false));
    assert_eq!(retriable(&Box::new(Inner::Dead)), (false, true));
    let dyn_err: &dyn ClassifiedError = &e;
    assert_eq!(retriable(dyn_err), (true, false));
    let boxed_dyn: Box<dyn ClassifiedError> = Box::new(Inner::Dead);
    assert_eq!(retriable(&*boxed_dyn), (false, true));
    assert!(boxed_dyn.is_fatal());

    let full = (Class::Busy, "Inner::Full", Some(Duration::from_millis(50)));
    assert_eq!(classified(&e), full);
    assert_eq!(classified(&&e), full);
    assert_eq!(classified(&Box::new(Inner::Full)), full);
    assert_eq!(classified(dyn_err), full);
    assert_eq!(classified(&*boxed_dyn), (Class::Fatal, "inner.disk", None));
}

#[test]
fn box_and_ref_forward_visit_fields() {
    let boxed = Box::new(VersionConflict {
        expected: 1,
        actual: 2,
    });
    let mut seen = Vec::new();
    <Box<VersionConflict> as ClassifiedError>::visit_fields(
        &boxed,
        &mut |key: &'static str, value: Value<'_>| seen.push(format!("{key}={value}")),
    );
    let by_ref: &VersionConflict = &boxed;
    <&VersionConflict as ClassifiedError>::visit_fields(
        &by_ref,
        &mut |key: &'static str, value: Value<'_>| seen.push(format!("{key}={value}")),
    );
    assert_eq!(seen, ["expected=1", "actual=2", "expected=1", "actual=2"]);
}

#[test]
fn class_as_str_display_and_action() {
    let expected = [
        (Class::Transient, "transient", "back off, retry"),
        (
            Class::Busy,
            "busy",
            "back off longer, retry within a budget",
        ),
        (
            Class::Redirect,
            "redirect",
            "retry against the hinted target",
        ),
        (
            Class::Conflict,
            "conflict",
            "re-run the whole transaction, or drop it",
        ),
        (
            Class::Invalid,
            "invalid",
            "fix the input; retrying as-is never helps",
        ),
        (Class::Denied, "denied", "fix credentials or policy"),
        (
            Class::Closed,
            "closed",
            "stop calling; create a new instance",
        ),
        (Class::Data, "data", "repair data or upgrade"),
        (Class::Fatal, "fatal", "restart the process"),
        (Class::Internal, "internal", "report it"),
    ];
    let all: Vec<Class> = expected.iter().map(|(c, _, _)| *c).collect();
    assert_eq!(all, Class::ALL);
    for (class, name, action) in expected {
        assert_eq!(class.as_str(), name);
        assert_eq!(class.to_string(), name);
        assert_eq!(class.action(), action);
        assert_eq!(Class::from_str(name), Ok(class));
        assert_eq!(name.parse::<Class>(), Ok(class));
    }
    assert_eq!(format!("[{:>9}]", Class::Busy), "[     busy]");
    assert_eq!(format!("[{:<9}]", Class::Data), "[data     ]");
    assert_eq!(format!("[{:^10}]", Class::Fatal), "[  fatal   ]");
}

#[test]
fn parse_class_error() {
    for bad in ["Busy", "BUSY", "", " busy", "busy ", "transiant", "source"] {
        assert!(bad.parse::<Class>().is_err(), "{bad:?}");
    }
    let err: ParseClassError = "transiant".parse::<Class>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown class; expected one of: transient, busy, redirect, conflict, invalid, denied, closed, data, fatal, internal"
    );
    assert_eq!(err.class(), Class::Invalid);
    assert_eq!(err.code(), "ParseClassError");
    assert_eq!(err.retry_after(), None);
    assert!(err.source().is_none());
    assert_eq!(retriable(&err), (false, false));
    let mut visits = 0;
    err.visit_fields(&mut |_: &'static str, _: Value<'_>| visits += 1);
    assert_eq!(visits, 0);
}

mod raw_names {
    #![allow(non_camel_case_types)]

    use error_core::{Class, ClassifiedError};

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    pub(crate) enum r#enum {
        #[error("keyword variant")]
        r#match,
        #[error("plain variant")]
        Plain,
    }

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    #[error("keyword struct")]
    pub(crate) struct r#struct;

    #[test]
    fn raw_identifier_types_derive() {
        assert_eq!(r#enum::r#match.to_string(), "keyword variant");
        assert_eq!(r#enum::r#match.class(), Class::Internal);
        assert_eq!(r#enum::Plain.to_string(), "plain variant");
        assert_eq!(r#struct.to_string(), "keyword struct");
    }

    #[test]
    fn default_code_of_raw_identifiers_has_no_r_hash() {
        assert_eq!(r#enum::r#match.code(), "enum::match");
        assert_eq!(r#enum::Plain.code(), "enum::Plain");
        assert_eq!(r#struct.code(), "struct");
    }
}

mod empty_enum {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    enum Never {}

    fn assert_classified<E: ClassifiedError>() {}

    #[test]
    fn empty_enum_is_a_classified_error() {
        assert_classified::<Never>();
    }
}
