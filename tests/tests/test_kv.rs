//! `#[kv(skip)]`, `#[kv(debug)]`, `#[kv(redact)]` and how a `#[retry_after]` field is shown,
//! in the message and in the field visitor.

use std::time::Duration;

use error_core::{ClassifiedError, REDACTED, Secret, Value};

/// Every field as ``key=Variant(value)``, the way `Value`'s `Debug` writes it.
fn visited(e: &dyn ClassifiedError) -> Vec<String> {
    let mut seen = Vec::new();
    e.visit_fields(&mut |key: &'static str, value: Value<'_>| {
        seen.push(format!("{key}={value:?}"));
    });
    seen
}

#[derive(Debug, ClassifiedError)]
#[class(denied)]
enum Auth {
    #[error("login refused")]
    Refused {
        user: String,
        #[kv(redact)]
        password: Secret<String>,
        #[kv(skip)]
        attempts: u32,
        #[kv(debug)]
        roles: Vec<&'static str>,
        tenant: u64,
    },
    #[error("token {token} rejected for {user}")]
    InterpolatesRedacted {
        #[kv(redact)]
        token: Secret<String>,
        user: String,
    },
    #[error("token [{token:>12}] [{token:<11}] [{token:?}]")]
    RedactedWithSpecs {
        #[kv(redact)]
        token: Secret<String>,
    },
    #[error("token {}", .token)]
    RedactedShorthand {
        #[kv(redact)]
        token: Secret<String>,
    },
    #[error("redacted tuple")]
    Tuple(
        #[kv(redact)] Secret<String>,
        #[kv(debug)] &'static str,
        #[kv(skip)] u8,
        u8,
    ),
}

#[test]
fn skip_debug_and_redact_in_the_message() {
    let e = Auth::Refused {
        user: "alice".into(),
        password: "hunter2".into(),
        attempts: 3,
        roles: vec!["admin", "ops"],
        tenant: 7,
    };
    assert_eq!(
        e.to_string(),
        r#"login refused. user=`alice`, password=`<redacted>`, roles=`["admin", "ops"]`, tenant=`7`"#
    );
    assert_eq!(
        visited(&e),
        [
            "user=Display(alice)",
            "password=Redacted",
            r#"roles=Debug(["admin", "ops"])"#,
            "tenant=Display(7)",
        ]
    );
    // A `Secret`'s own `Debug` is redacted, so the derived `Debug` is too.
    assert_eq!(
        format!("{e:?}"),
        r#"Refused { user: "alice", password: <redacted>, attempts: 3, roles: ["admin", "ops"], tenant: 7 }"#
    );
}

#[test]
fn redacted_field_interpolated_by_the_message() {
    let e = Auth::InterpolatesRedacted {
        token: "s3cr3t".into(),
        user: "bob".into(),
    };
    assert_eq!(e.to_string(), "token <redacted> rejected for bob");
    assert!(!e.to_string().contains("s3cr3t"));
    assert_eq!(visited(&e), ["token=Redacted", "user=Display(bob)"]);

    let e = Auth::RedactedWithSpecs {
        token: "s3cr3t".into(),
    };
    assert_eq!(
        e.to_string(),
        "token [  <redacted>] [<redacted> ] [<redacted>]"
    );
    assert_eq!(visited(&e), ["token=Redacted"]);

    let e = Auth::RedactedShorthand {
        token: "s3cr3t".into(),
    };
    assert_eq!(e.to_string(), "token <redacted>");
    assert_eq!(visited(&e), ["token=Redacted"]);
}

#[test]
fn tuple_fields_with_kv_attributes() {
    let e = Auth::Tuple("pw".into(), "x", 1, 2);
    assert_eq!(
        e.to_string(),
        r#"redacted tuple. 0=`<redacted>`, 1=`"x"`, 3=`2`"#
    );
    assert_eq!(
        visited(&e),
        ["0=Redacted", r#"1=Debug("x")"#, "3=Display(2)"]
    );
}

#[test]
fn redacted_placeholder_is_the_public_constant() {
    assert_eq!(REDACTED, "<redacted>");
    assert_eq!(Value::Redacted.to_string(), REDACTED);
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Skip {
    #[error("retry {attempt} failed")]
    SkippedButInterpolated {
        #[kv(skip)]
        attempt: u32,
        node: u8,
    },
    #[error("all skipped")]
    AllSkipped {
        #[kv(skip)]
        a: u8,
        #[kv(skip)]
        b: String,
    },
}

#[test]
fn skip() {
    let e = Skip::SkippedButInterpolated {
        attempt: 3,
        node: 1,
    };
    assert_eq!(e.to_string(), "retry 3 failed. node=`1`");
    assert_eq!(visited(&e), ["node=Display(1)"]);

    let e = Skip::AllSkipped {
        a: 1,
        b: "b".into(),
    };
    assert_eq!(e.to_string(), "all skipped");
    assert_eq!(visited(&e), Vec::<String>::new());
}

#[derive(Debug, ClassifiedError)]
#[class(invalid)]
enum Debugged {
    #[error("lookup failed")]
    Options {
        #[kv(debug)]
        hint: Option<u64>,
        #[kv(debug)]
        name: &'static str,
        #[kv(debug)]
        unit: (),
    },
    #[error("user {name}")]
    DebugButInterpolatedWithDisplay {
        #[kv(debug)]
        name: String,
    },
}

#[test]
fn debug() {
    let e = Debugged::Options {
        hint: Some(3),
        name: "a\tb",
        unit: (),
    };
    assert_eq!(
        e.to_string(),
        r#"lookup failed. hint=`Some(3)`, name=`"a\tb"`, unit=`()`"#
    );
    assert_eq!(
        visited(&e),
        [
            "hint=Debug(Some(3))",
            r#"name=Debug("a\tb")"#,
            "unit=Debug(())"
        ]
    );

    let e = Debugged::Options {
        hint: None,
        name: "",
        unit: (),
    };
    assert_eq!(
        e.to_string(),
        r#"lookup failed. hint=`None`, name=`""`, unit=`()`"#
    );

    // The message asks for Display; the visitor keeps the field's `#[kv(debug)]`.
    let e = Debugged::DebugButInterpolatedWithDisplay {
        name: "alice".into(),
    };
    assert_eq!(e.to_string(), "user alice");
    assert_eq!(visited(&e), [r#"name=Debug("alice")"#]);
}

#[derive(Debug, ClassifiedError)]
#[class(busy, context = none)]
enum Throttle {
    #[error("throttled")]
    Fixed {
        #[retry_after]
        wait: Duration,
        queue: usize,
    },
    #[error("throttled")]
    Optional {
        queue: usize,
        #[retry_after]
        wait: Option<Duration>,
    },
    #[error("throttled")]
    Tuple(#[retry_after] Duration),
    #[error("throttled")]
    Skipped {
        #[kv(skip)]
        #[retry_after]
        wait: Duration,
        queue: usize,
    },
}

#[test]
fn retry_after_fields_are_shown_as_their_hint() {
    let e = Throttle::Fixed {
        wait: Duration::from_millis(50),
        queue: 3,
    };
    assert_eq!(e.to_string(), "throttled. wait=`50ms`, queue=`3`");
    assert_eq!(visited(&e), ["wait=Display(50ms)", "queue=Display(3)"]);

    let e = Throttle::Optional {
        queue: 1,
        wait: Some(Duration::from_millis(1500)),
    };
    assert_eq!(e.to_string(), "throttled. queue=`1`, wait=`1.5s`");
    assert_eq!(visited(&e), ["queue=Display(1)", "wait=Display(1.5s)"]);

    let e = Throttle::Optional {
        queue: 1,
        wait: None,
    };
    assert_eq!(e.to_string(), "throttled. queue=`1`, wait=`none`");
    assert_eq!(visited(&e), ["queue=Display(1)", "wait=Display(none)"]);
    assert_eq!(e.retry_after(), None);

    let e = Throttle::Tuple(Duration::from_secs(2));
    assert_eq!(e.to_string(), "throttled. 0=`2s`");
    assert_eq!(visited(&e), ["0=Display(2s)"]);
}

#[test]
fn kv_skip_on_the_retry_after_field_keeps_the_hint() {
    let e = Throttle::Skipped {
        wait: Duration::from_millis(8),
        queue: 2,
    };
    assert_eq!(e.to_string(), "throttled. queue=`2`");
    assert_eq!(visited(&e), ["queue=Display(2)"]);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(8)));
}

#[derive(Debug, ClassifiedError)]
#[class(fatal)]
#[error("storage fault")]
struct StorageFault {
    #[source]
    source: std::io::Error,
    #[kv(redact)]
    path: Secret<String>,
    #[kv(debug)]
    offset: u64,
    #[kv(skip)]
    internal: u8,
}

#[test]
fn struct_with_every_kv_mode() {
    let e = StorageFault {
        source: std::io::Error::other("disk gone"),
        path: "/var/lib/raft".into(),
        offset: 4096,
        internal: 0,
    };
    assert_eq!(
        e.to_string(),
        "storage fault. path=`<redacted>`, offset=`4096`"
    );
    assert_eq!(visited(&e), ["path=Redacted", "offset=Debug(4096)"]);
    assert_eq!(e.internal, 0);
}

/// `Secret` fields with and without `#[kv(redact)]`, and with the other modes.
#[derive(Debug, ClassifiedError)]
#[class(denied)]
enum Secrets {
    #[error("login refused")]
    Plain {
        user: String,
        password: Secret<String>,
    },
    #[error("token {token} rejected ({token:?})")]
    Interpolated { token: Secret<String> },
    #[error("optional")]
    Optional {
        #[kv(redact)]
        key: Option<Secret<String>>,
        pin: Option<error_core::Secret<u32>>,
    },
    #[error("shown")]
    Shown {
        #[kv(display)]
        a: Secret<String>,
        #[kv(debug)]
        b: Secret<String>,
        #[kv(skip)]
        c: Secret<String>,
    },
    #[error("tuple")]
    Tuple(Secret<u64>, u8),
}

#[test]
fn secret_fields_are_redacted_with_or_without_kv_redact() {
    let e = Secrets::Plain {
        user: "ann".into(),
        password: "hunter2".into(),
    };
    assert_eq!(
        e.to_string(),
        "login refused. user=`ann`, password=`<redacted>`"
    );
    assert_eq!(visited(&e), ["user=Display(ann)", "password=Redacted"]);
    assert_eq!(
        format!("{e:?}"),
        r#"Plain { user: "ann", password: <redacted> }"#
    );

    let e = Secrets::Interpolated {
        token: "t0k3n".into(),
    };
    assert_eq!(e.to_string(), "token <redacted> rejected (<redacted>)");
    assert_eq!(visited(&e), ["token=Redacted"]);

    let e = Secrets::Optional {
        key: Some("k".into()),
        pin: Some(Secret::new(1234)),
    };
    assert_eq!(
        e.to_string(),
        "optional. key=`<redacted>`, pin=`<redacted>`"
    );
    assert_eq!(visited(&e), ["key=Redacted", "pin=Redacted"]);
    assert_eq!(
        format!("{e:?}"),
        "Optional { key: Some(<redacted>), pin: Some(<redacted>) }"
    );

    // An explicit mode is kept: the `Secret`'s own `Display` and `Debug` redact.
    let e = Secrets::Shown {
        a: "a".into(),
        b: "b".into(),
        c: "c".into(),
    };
    assert_eq!(e.to_string(), "shown. a=`<redacted>`, b=`<redacted>`");
    assert_eq!(
        visited(&e),
        ["a=Display(<redacted>)", "b=Debug(<redacted>)"]
    );

    let e = Secrets::Tuple(Secret::new(7), 1);
    assert_eq!(e.to_string(), "tuple. 0=`<redacted>`, 1=`1`");
    assert_eq!(visited(&e), ["0=Redacted", "1=Display(1)"]);
}

#[test]
fn the_catalog_marks_secret_fields() {
    use error_core::Catalog as _;
    let marked: Vec<(&str, Vec<(&str, bool)>)> = Secrets::ENTRIES
        .iter()
        .map(|entry| {
            let fields = entry
                .fields()
                .map(|field| (field.name(), field.is_redacted()))
                .collect();
            (entry.name(), fields)
        })
        .collect();
    assert_eq!(
        marked,
        [
            ("Plain", vec![("user", false), ("password", true)]),
            ("Interpolated", vec![("token", true)]),
            ("Optional", vec![("key", true), ("pin", true)]),
            ("Shown", vec![("a", false), ("b", false)]),
            ("Tuple", vec![("0", true), ("1", false)]),
        ]
    );
}

/// Under an item's `#[kv(skip)]`, a `Secret` the message shows is still redacted.
#[derive(Debug, ClassifiedError)]
#[class(denied)]
#[kv(skip)]
#[error("refused {password} for {user}")]
struct UnderSkip {
    password: Secret<String>,
    user: String,
}

#[test]
fn a_secret_under_kv_skip() {
    let e = UnderSkip {
        password: "hunter2".into(),
        user: "ann".into(),
    };
    assert_eq!(e.to_string(), "refused <redacted> for ann");
    assert_eq!(visited(&e), ["password=Redacted", "user=Display(ann)"]);
}

/// A type of the user's own named `Secret`, without type arguments, is an ordinary field.
mod own {
    use std::fmt;

    #[derive(Debug)]
    pub struct Secret;

    impl fmt::Display for Secret {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("mine")
        }
    }

    #[derive(Debug, error_core::ClassifiedError)]
    #[class(invalid)]
    #[error("own")]
    pub struct Own {
        pub kind: Secret,
    }
}

#[test]
fn a_type_named_secret_without_arguments_is_shown() {
    let e = own::Own { kind: own::Secret };
    assert_eq!(e.to_string(), "own. kind=`mine`");
    assert_eq!(visited(&e), ["kind=Display(mine)"]);
}
