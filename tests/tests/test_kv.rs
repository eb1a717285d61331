//! `#[kv(skip)]`, `#[kv(debug)]`, `#[kv(redact)]` and how a `#[retry_after]` field is shown,
//! in the message and in the field visitor.

use std::time::Duration;

use error_core::{ClassifiedError, REDACTED, Value};

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
        password: String,
        #[kv(skip)]
        attempts: u32,
        #[kv(debug)]
        roles: Vec<&'static str>,
        tenant: u64,
    },
    #[error("token {token} rejected for {user}")]
    InterpolatesRedacted {
        #[kv(redact)]
        token: String,
        user: String,
    },
    #[error("token [{token:>12}] [{token:<11}] [{token:?}]")]
    RedactedWithSpecs {
        #[kv(redact)]
        token: String,
    },
    #[error("token {}", .token)]
    RedactedShorthand {
        #[kv(redact)]
        token: String,
    },
    #[error("redacted tuple")]
    Tuple(
        #[kv(redact)] String,
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
    // The Debug derive is untouched: redaction is about the message and telemetry.
    assert!(format!("{e:?}").contains("hunter2"));
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
    Redacted {
        #[retry_after]
        #[kv(redact)]
        wait: Duration,
    },
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
fn kv_attributes_on_the_retry_after_field_keep_the_hint() {
    let e = Throttle::Redacted {
        wait: Duration::from_millis(7),
    };
    assert_eq!(e.to_string(), "throttled. wait=`<redacted>`");
    assert_eq!(visited(&e), ["wait=Redacted"]);
    assert_eq!(e.retry_after(), Some(Duration::from_millis(7)));

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
    path: String,
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
