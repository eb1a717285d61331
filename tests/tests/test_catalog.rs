//! The catalog's helpers (issue 13): the Markdown table of every kind of entry, with the
//! text it escapes; the duplicate-code check, at test time and in `const`, on the same
//! cases; `Entry::fixed_status` and `fixed_level`.

// Most errors here are never made: the tests read their catalogs.
#![allow(dead_code)]

use std::sync::Arc;

use error_core::catalog::{Duplicate, consistent_codes, duplicate_codes, markdown, unique_codes};
use error_core::{Catalog, Class, ClassRule, ClassifiedError, Entries, Level, Status};

/// Two services' storage errors, each in its own module, that reuse one code by mistake.
mod orders {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum OrderError {
        #[error("order not found")]
        #[class(invalid, status = not_found, code = "store.not_found")]
        NotFound { order_id: u64 },
        #[error("store is read-only")]
        #[class(closed, code = "store.read_only")]
        ReadOnly,
    }
}

mod payments {
    use error_core::ClassifiedError;

    #[derive(Debug, ClassifiedError)]
    #[non_exhaustive]
    pub enum PaymentError {
        #[error("card declined")]
        #[class(denied, code = "payment.declined")]
        Declined,
        /// The mistake: `store.read_only` is the order store's code, with another meaning.
        #[error("payment gateway is down")]
        #[class(transient, code = "store.read_only")]
        GatewayDown,
    }
}

use orders::OrderError;
use payments::PaymentError;

const CATALOGS: &[Entries] = &[OrderError::ENTRIES, PaymentError::ENTRIES];

/// A `#[class(with = ..)]` function.
fn store_class(_: &std::io::Error) -> Class {
    Class::Transient
}

/// A `#[class(with = ..)]` function for a shared error.
fn object_store_class(_: &Arc<std::io::Error>) -> Class {
    Class::Transient
}

/// Issue 13's done-when: a duplicate code across two enums is caught.
#[test]
fn a_duplicate_code_across_two_enums_is_caught() {
    let duplicates: Vec<Duplicate> = duplicate_codes(CATALOGS).collect();
    assert_eq!(duplicates.len(), 1);
    let duplicate = duplicates[0];
    assert_eq!(duplicate.code(), "store.read_only");
    assert_eq!(
        duplicate.first().type_name(),
        "test_catalog::orders::OrderError"
    );
    assert_eq!(duplicate.first().name(), "ReadOnly");
    assert_eq!(
        duplicate.second().type_name(),
        "test_catalog::payments::PaymentError"
    );
    assert_eq!(duplicate.second().name(), "GatewayDown");
    assert!(!duplicate.agrees());
    assert_eq!(
        duplicate.to_string(),
        "`store.read_only`: test_catalog::payments::PaymentError::GatewayDown, and \
         test_catalog::orders::OrderError::ReadOnly before it"
    );

    // The same verdict in `const`: neither unique nor shared on purpose.
    const {
        assert!(!unique_codes(CATALOGS));
        assert!(!consistent_codes(CATALOGS));
    }

    // Each enum alone is fine, and so is the order of the list.
    assert!(unique_codes(&[OrderError::ENTRIES]));
    assert!(unique_codes(&[PaymentError::ENTRIES]));
    assert_eq!(duplicate_codes(&[PaymentError::ENTRIES]).count(), 0);
    let reversed: Vec<String> = duplicate_codes(&[PaymentError::ENTRIES, OrderError::ENTRIES])
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        reversed,
        [
            "`store.read_only`: test_catalog::orders::OrderError::ReadOnly, and \
          test_catalog::payments::PaymentError::GatewayDown before it"
        ]
    );
}

/// A code used three times gives two duplicates, each paired with the first use; a type
/// listed twice duplicates every code of its own.
#[test]
fn each_later_use_is_paired_with_the_first() {
    mod a {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(busy, code = "shared")]
        #[error("busy")]
        pub struct A;
    }
    mod b {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(busy, code = "shared")]
        #[error("busy")]
        pub struct B;
    }
    mod c {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(busy, code = "shared")]
        #[error("busy")]
        pub struct C;
    }
    let catalogs = [a::A::ENTRIES, b::B::ENTRIES, c::C::ENTRIES];
    let pairs: Vec<(&str, &str)> = duplicate_codes(&catalogs)
        .map(|d| (d.second().name(), d.first().name()))
        .collect();
    assert_eq!(pairs, [("B", "A"), ("C", "A")]);
    assert!(duplicate_codes(&catalogs).all(|d| d.agrees()));
    assert!(!unique_codes(&catalogs));
    assert!(consistent_codes(&catalogs));

    let twice = [OrderError::ENTRIES, OrderError::ENTRIES];
    let codes: Vec<&str> = duplicate_codes(&twice).map(|d| d.code()).collect();
    assert_eq!(codes, ["store.not_found", "store.read_only"]);
    assert!(!unique_codes(&twice));
    // Listed twice, each entry agrees with itself.
    assert!(consistent_codes(&twice));
    assert!(unique_codes(&[]));
    assert_eq!(duplicate_codes(&[]).count(), 0);
}

/// What `agrees` compares, one difference at a time; the `const` check says the same as
/// the iterator for each.
#[test]
fn agreeing_is_class_status_level_hint_and_message() {
    /// The reference: `redirect`, whose status is `unavailable` and level `warn`.
    mod reference {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, code = "same")]
        #[error("not the leader")]
        pub struct E {
            pub leader: u64,
        }
    }
    /// The same class, status and level written out, other fields: agrees.
    mod explicit {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, status = unavailable, level = warn, code = "same")]
        #[error("not the leader")]
        pub struct E {
            pub leader: u64,
            pub term: u64,
        }
    }
    mod other_class {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(transient, code = "same")]
        #[error("not the leader")]
        pub struct E;
    }
    mod other_status {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, status = failed_precondition, code = "same")]
        #[error("not the leader")]
        pub struct E;
    }
    mod other_level {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, level = info, code = "same")]
        #[error("not the leader")]
        pub struct E;
    }
    mod other_hint {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, retry_after_ms = 10, code = "same")]
        #[error("not the leader")]
        pub struct E;
    }
    mod longer_hint {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, retry_after_ms = 100, code = "same")]
        #[error("not the leader")]
        pub struct E;
    }
    mod other_message {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(redirect, code = "same")]
        #[error("not the leader any more")]
        pub struct E;
    }

    let reference = reference::E::ENTRIES;
    let cases = [
        ("explicit", explicit::E::ENTRIES, true),
        ("other_class", other_class::E::ENTRIES, false),
        ("other_status", other_status::E::ENTRIES, false),
        ("other_level", other_level::E::ENTRIES, false),
        ("other_hint", other_hint::E::ENTRIES, false),
        ("other_message", other_message::E::ENTRIES, false),
    ];
    for (name, entries, agrees) in cases {
        let pair = [reference, entries];
        let found: Vec<bool> = duplicate_codes(&pair).map(|d| d.agrees()).collect();
        assert_eq!(found, [agrees], "{name}");
        assert!(!unique_codes(&pair), "{name}");
        assert_eq!(consistent_codes(&pair), agrees, "{name}");
    }
    let hints = [other_hint::E::ENTRIES, longer_hint::E::ENTRIES];
    assert!(!duplicate_codes(&hints).any(|d| d.agrees()));
    assert!(!consistent_codes(&hints));
}

/// The class rules that are not fixed: they agree only with the same rule.
#[test]
fn rules_that_are_not_fixed_agree_with_themselves_only() {
    mod source {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(source, code = "rule")]
        #[error("failed")]
        pub struct E(#[source] pub error_core::Error);
    }
    mod source_with_status {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(source, status = internal, code = "rule")]
        #[error("failed")]
        pub struct E(#[source] pub error_core::Error);
    }
    mod function {
        #[derive(Debug, error_core::ClassifiedError)]
        #[class(with = crate::store_class, code = "rule")]
        #[error("failed")]
        pub struct E(#[source] pub std::io::Error);
    }
    let source = source::E::ENTRIES;
    let source_with_status = source_with_status::E::ENTRIES;
    let function = function::E::ENTRIES;
    for (pair, agrees) in [
        ([source, source], true),
        ([source, function], false),
        ([source, source_with_status], false),
        ([function, function], true),
    ] {
        assert_eq!(
            duplicate_codes(&pair)
                .map(|d| d.agrees())
                .collect::<Vec<_>>(),
            [agrees]
        );
        assert_eq!(consistent_codes(&pair), agrees);
    }
}

/// Every kind of entry in one table: fixed classes with and without their own status and
/// level, a constant hint, a `#[retry_after]` field, `#[class(source)]`,
/// `#[class(with = ..)]`, transparent variants with and without a default class, a unit
/// struct, redacted and tuple fields, and text that a table cell must escape.
#[test]
fn markdown_of_every_kind_of_entry() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    enum Never {}

    mod kinds {
        use std::sync::Arc;
        use std::time::Duration;

        #[derive(Debug, error_core::ClassifiedError)]
        #[non_exhaustive]
        pub enum KindError {
            #[error("no leader")]
            #[class(transient)]
            NoLeader,
            #[error("quota exceeded for {tenant}")]
            #[class(denied, status = resource_exhausted, level = warn, code = "kinds.quota")]
            Quota {
                tenant: String,
                #[kv(redact)]
                token: error_core::Secret<String>,
            },
            #[error("throttled")]
            #[class(busy, retry_after_ms = 1500)]
            Throttled,
            #[error("not applied yet")]
            #[class(transient)]
            NotReady {
                #[retry_after]
                wait: Duration,
            },
            #[error("commit failed")]
            #[class(source)]
            Commit(#[source] error_core::Error),
            #[error("object store error")]
            #[class(with = crate::object_store_class)]
            Store(#[source] Arc<std::io::Error>),
            #[error(transparent)]
            Other(error_core::Error),
            #[error("tuple {0} and {1}")]
            #[class(invalid)]
            Pair(u32, #[kv(redact)] error_core::Secret<String>),
        }

        #[derive(Debug, error_core::ClassifiedError)]
        #[non_exhaustive]
        #[class(data)]
        pub enum Fallback {
            #[error(transparent)]
            Io(std::io::Error),
        }

        #[derive(Debug, error_core::ClassifiedError)]
        #[class(invalid, code = "a|b")]
        #[error("the key `{key}` is | bad")]
        pub struct Escapes {
            pub key: String,
        }

        #[derive(Debug, error_core::ClassifiedError)]
        #[class(invalid, code = "`tick`")]
        #[error("line one\nline ``two``")]
        pub struct Ticks;
    }

    let table = markdown(&[
        kinds::KindError::ENTRIES,
        kinds::Fallback::ENTRIES,
        kinds::Escapes::ENTRIES,
        kinds::Ticks::ENTRIES,
    ])
    .to_string();
    assert_eq!(
        table,
        r"| error | code | class | status | level | retry | message | fields |
|---|---|---|---|---|---|---|---|
| `KindError::NoLeader` | `KindError::NoLeader` | transient | unavailable | warn |  | `no leader` |  |
| `KindError::Quota` | `kinds.quota` | denied | resource_exhausted | warn |  | `quota exceeded for {tenant}` | `tenant`, `token` (redacted) |
| `KindError::Throttled` | `KindError::Throttled` | busy | resource_exhausted | warn | 1.5s | `throttled` |  |
| `KindError::NotReady` | `KindError::NotReady` | transient | unavailable | warn |  | `not applied yet` | `wait` |
| `KindError::Commit` | `KindError::Commit` | source | source | source |  | `commit failed` |  |
| `KindError::Store` | `KindError::Store` | function | function | function |  | `object store error` |  |
| `KindError::Other` | `KindError::Other` | transparent | transparent | transparent |  |  |  |
| `KindError::Pair` | `KindError::Pair` | invalid | invalid_argument | info |  | `tuple {0} and {1}` | `0`, `1` (redacted) |
| `Fallback::Io` | `Fallback::Io` | transparent, else data | transparent | transparent |  |  |  |
| `Escapes` | `a\|b` | invalid | invalid_argument | info |  | ``the key `{key}` is \| bad`` | `key` |
| `Ticks` | `` `tick` `` | invalid | invalid_argument | info |  | ``` line one line ``two`` ``` |  |
"
    );

    // An enum without variants is the header alone; no catalogs, the same.
    let header = "| error | code | class | status | level | retry | message | fields |\n\
                  |---|---|---|---|---|---|---|---|\n";
    assert_eq!(markdown(&[Never::ENTRIES]).to_string(), header);
    assert_eq!(markdown(&[]).to_string(), header);
}

/// `fixed_status` and `fixed_level`: the variant's own, else the fixed class's, else none.
#[test]
fn fixed_status_and_level() {
    #[derive(Debug, ClassifiedError)]
    enum E {
        #[error("a")]
        #[class(conflict)]
        A,
        #[error("b")]
        #[class(conflict, status = failed_precondition, level = error)]
        B,
        #[error("c")]
        #[class(source)]
        C(#[source] error_core::Error),
        #[error("d")]
        #[class(source, status = internal, level = debug)]
        D(#[source] error_core::Error),
    }
    let entries: Vec<_> = E::ENTRIES
        .iter()
        .map(|e| (e.class(), e.fixed_status(), e.fixed_level()))
        .collect();
    assert_eq!(
        entries,
        [
            (
                ClassRule::Fixed(Class::Conflict),
                Some(Status::Aborted),
                Some(Level::Warn)
            ),
            (
                ClassRule::Fixed(Class::Conflict),
                Some(Status::FailedPrecondition),
                Some(Level::Error)
            ),
            (ClassRule::Source, None, None),
            (
                ClassRule::Source,
                Some(Status::Internal),
                Some(Level::Debug)
            ),
        ]
    );
}

/// `code()`, `entry().name()`, `message()` and the retry hint are read from the encoded
/// entry eight bytes at a time: parts that end before, at and after a word's end, and
/// characters of several bytes, are read whole.
#[test]
fn entries_are_read_whole_at_every_length() {
    #[derive(Debug, ClassifiedError)]
    #[class(internal)]
    enum Lengths {
        #[error("m")]
        #[class(busy, code = "c", retry_after_ms = 1)]
        A,
        #[error("message")]
        #[class(transient, code = "1234567", retry_after_ms = 1_234_567)]
        Abcdefg,
        #[error("message!")]
        #[class(redirect, code = "12345678", retry_after_ms = 12_345_678)]
        Abcdefgh,
        #[error("message!!")]
        #[class(conflict, code = "123456789")]
        Abcdefghi,
        #[error("über größe")]
        #[class(invalid, code = "ü.名前.code-of-seventeen")]
        Ü,
        #[error("")]
        #[class(denied, status = not_found, level = debug)]
        Abcdefghijklmnopq { key: u8 },
    }

    let expected = [
        ("A", "c", "m", Some(1), Class::Busy),
        (
            "Abcdefg",
            "1234567",
            "message",
            Some(1_234_567),
            Class::Transient,
        ),
        (
            "Abcdefgh",
            "12345678",
            "message!",
            Some(12_345_678),
            Class::Redirect,
        ),
        ("Abcdefghi", "123456789", "message!!", None, Class::Conflict),
        (
            "Ü",
            "ü.名前.code-of-seventeen",
            "über größe",
            None,
            Class::Invalid,
        ),
        (
            "Abcdefghijklmnopq",
            "Lengths::Abcdefghijklmnopq",
            "",
            None,
            Class::Denied,
        ),
    ];
    let errors = [
        Lengths::A,
        Lengths::Abcdefg,
        Lengths::Abcdefgh,
        Lengths::Abcdefghi,
        Lengths::Ü,
        Lengths::Abcdefghijklmnopq { key: 1 },
    ];
    for (error, (name, code, message, ms, class)) in errors.iter().zip(expected) {
        let entry = error.entry().unwrap();
        assert_eq!(entry.name(), name);
        assert_eq!(entry.code(), code);
        assert_eq!(error.code(), code);
        assert_eq!(entry.message(), message);
        assert_eq!(entry.retry_after().map(|d| d.as_millis()), ms);
        assert_eq!(error.class(), class);
        assert_eq!(entry.type_name(), Lengths::ENTRIES.type_name());
    }
    let last = Lengths::ENTRIES.iter().last().unwrap();
    assert_eq!(last.status(), Some(Status::NotFound));
    assert_eq!(last.level(), Some(Level::Debug));
    let fields: Vec<_> = last.fields().map(|f| f.name()).collect();
    assert_eq!(fields, ["key"]);
}
