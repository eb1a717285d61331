//! Redaction holds on every path (issue 14): one login error, whose password "hunter2" is a
//! `Secret`, rendered every way an error leaves a process: `Display`, `Debug`, `{:#?}`,
//! `unwrap`'s and `expect`'s panic messages (as the panic hook sees them), `Report` in both
//! forms, an `error_core::Error` holding it, an outer error holding it as its source (with a
//! derived `Debug`), anyhow's reports, a `tonic::Status`, every export of error-otel (span
//! attributes, status and exception events, exception log records, the `tracing` event,
//! metrics, the tower layer), and `tracing::error!(error = ?e)`. "hunter2" is in none.
//!
//! One test, in a binary of its own: the panic hook it sets is process-wide.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use error_core::{ClassifiedError, Report, Secret, ToTonicStatus as _};
use error_otel::{ExceptionSignal, Operation, OtelLayer, OtelMetrics, Recorder};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tower::ServiceExt as _;
use tracing_subscriber::layer::SubscriberExt as _;

const PASSWORD: &str = "hunter2";

/// The issue's login error, with the password a `Secret` and a derived `Debug`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
#[class(denied)]
pub enum LoginError {
    #[error("login refused")]
    Refused {
        user: String,
        #[kv(redact)]
        password: Secret<String>,
    },
}

/// An outer error that holds the login error as its source, with a derived `Debug`.
#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum ApiError {
    #[error("sign-in failed")]
    #[class(source)]
    SignIn {
        #[from]
        source: LoginError,
    },
}

fn refused() -> LoginError {
    LoginError::Refused {
        user: "ann".into(),
        password: PASSWORD.into(),
    }
}

fn log_in() -> Result<(), LoginError> {
    Err(refused())
}

fn sign_in() -> Result<(), ApiError> {
    Err(refused())?
}

fn call() -> Result<(), error_core::Error> {
    Err(refused())?
}
/// The line of `call`'s `?`, where its boundary error is made.
const CALL_LINE: u32 = line!() - 3;

const DISPLAY: &str = "login refused. user=`ann`, password=`<redacted>`";
const DEBUG: &str = r#"Refused { user: "ann", password: <redacted> }"#;
const REPORT: &str =
    "login refused. user=`ann`, password=`<redacted>` (denied, LoginError::Refused)";
const OUTER_REPORT: &str = "sign-in failed (denied, ApiError::SignIn)\n  \
    caused by: login refused. user=`ann`, password=`<redacted>` (denied, LoginError::Refused)";

/// Every rendering, by the path that produced it.
#[derive(Default)]
struct Seen(Vec<(String, String)>);

impl Seen {
    fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> String {
        let text = text.into();
        self.0.push((path.into(), text.clone()));
        text
    }
}

/// Runs `f`, which must panic, under a panic hook that keeps what the default hook would
/// print (`info`'s `Display`) and the payload; returns both.
fn panic_of(f: impl FnOnce()) -> (String, String) {
    let captured: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let slot = Arc::clone(&captured);
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| {
                info.payload()
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
            })
            .unwrap_or_default();
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some((info.to_string(), payload));
    }));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    assert!(result.is_err(), "it did not panic");
    let (printed, payload) = captured
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .expect("the hook saw no panic");
    // `panicked at FILE:LINE:COLUMN:\n` and the message.
    assert!(
        printed.starts_with("panicked at tests/tests/test_redaction.rs:"),
        "{printed}"
    );
    assert!(printed.ends_with(&format!(":\n{payload}")), "{printed}");
    (printed, payload)
}

/// A layer that keeps the fields of every `tracing` event but the OpenTelemetry SDK's own,
/// as a log layer would print them.
struct Capture(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let target = event.metadata().target();
        if target.starts_with("opentelemetry") {
            return;
        }
        let mut fields = Fields(BTreeMap::from([("target".to_owned(), target.to_owned())]));
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(fields.0);
    }
}

/// An event's fields: strings as they are, anything else in its `Debug` form.
struct Fields(BTreeMap<String, String>);

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

/// The rendering paths of the Rust side: formatting, panics, reports, wrappers.
fn render_in_process(seen: &mut Seen) {
    let e = refused();
    assert_eq!(seen.add("Display", e.to_string()), DISPLAY);
    assert_eq!(seen.add("Debug", format!("{e:?}")), DEBUG);
    assert_eq!(
        seen.add("{:#?}", format!("{e:#?}")),
        "Refused {\n    user: \"ann\",\n    password: <redacted>,\n}"
    );

    let (printed, payload) = panic_of(|| {
        log_in().unwrap();
    });
    seen.add("unwrap: the hook's message", printed);
    assert_eq!(
        seen.add("unwrap: the payload", payload),
        format!("called `Result::unwrap()` on an `Err` value: {DEBUG}")
    );
    let (printed, payload) = panic_of(|| {
        log_in().expect("sign in");
    });
    seen.add("expect: the hook's message", printed);
    assert_eq!(
        seen.add("expect: the payload", payload),
        format!("sign in: {DEBUG}")
    );

    assert_eq!(seen.add("Report {}", Report::new(&e).to_string()), DISPLAY);
    assert_eq!(
        seen.add("Report {:#}", format!("{:#}", Report::new(&e))),
        REPORT
    );
    assert_eq!(
        seen.add("Report {:?}", format!("{:?}", Report::new(&e))),
        REPORT
    );

    // The boundary error's report ends with where it was made.
    let boundary = error_core::Error::from(refused());
    let boundary_report = format!("{REPORT} at {}:{}:20", file!(), line!() - 1);
    assert_eq!(seen.add("Error {}", boundary.to_string()), DISPLAY);
    assert_eq!(
        seen.add("Error {:?}", format!("{boundary:?}")),
        boundary_report
    );
    assert_eq!(
        seen.add("Error {:#?}", format!("{boundary:#?}")),
        boundary_report
    );
    let (printed, payload) = panic_of(|| {
        call().unwrap();
    });
    seen.add("Error unwrap: the hook's message", printed);
    assert_eq!(
        seen.add("Error unwrap: the payload", payload),
        format!(
            "called `Result::unwrap()` on an `Err` value: {REPORT} at {}:{CALL_LINE}:5",
            file!()
        )
    );

    let outer = ApiError::from(refused());
    assert_eq!(
        seen.add("outer Debug", format!("{outer:?}")),
        format!("SignIn {{ source: {DEBUG} }}")
    );
    assert_eq!(
        seen.add("outer {:#?}", format!("{outer:#?}")),
        "SignIn {\n    source: Refused {\n        user: \"ann\",\n        password: <redacted>,\n    },\n}"
    );
    assert_eq!(
        seen.add("outer Report {}", Report::new(&outer).to_string()),
        format!("sign-in failed: {DISPLAY}")
    );
    assert_eq!(
        seen.add("outer Report {:#}", format!("{:#}", Report::new(&outer))),
        OUTER_REPORT
    );
    let (printed, payload) = panic_of(|| {
        sign_in().unwrap();
    });
    seen.add("outer unwrap: the hook's message", printed);
    assert_eq!(
        seen.add("outer unwrap: the payload", payload),
        format!("called `Result::unwrap()` on an `Err` value: SignIn {{ source: {DEBUG} }}")
    );
    let source = outer.source().map(ToString::to_string);
    assert_eq!(source.as_deref(), Some(DISPLAY));

    let any = anyhow::Error::from(ApiError::from(refused()));
    assert_eq!(seen.add("anyhow {}", any.to_string()), "sign-in failed");
    assert_eq!(
        seen.add("anyhow {:#}", format!("{any:#}")),
        format!("sign-in failed: {DISPLAY}")
    );
    seen.add("anyhow {:?}", format!("{any:?}"));
    assert_eq!(
        seen.add("anyhow {:#?}", format!("{any:#?}")),
        format!("{outer:#?}")
    );

    let status = ApiError::from(refused()).to_tonic_status();
    assert_eq!(
        seen.add("tonic::Status message", status.message()),
        format!("sign-in failed: {DISPLAY}")
    );
    seen.add("tonic::Status {:?}", format!("{status:?}"));
}

/// Every export of error-otel, into in-memory exporters, and `tracing` events with the
/// error as a field.
#[allow(clippy::too_many_lines)]
fn render_in_telemetry(seen: &mut Seen) {
    let spans = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let logs = InMemoryLogExporter::default();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(logs.clone())
        .build();
    let metrics = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metrics.clone()).build())
        .build();
    let events = Arc::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("redaction")))
        .with(Capture(Arc::clone(&events)));
    let _guard = tracing::subscriber::set_default(subscriber);

    // The recorder, with every signal on: span attributes, status and exception event, an
    // exception log record, and the `tracing` event.
    let recorder = Recorder::new(Operation::HTTP_CLIENT)
        .exception_signal(ExceptionSignal::Both)
        .logger_provider(&logger_provider)
        .tracing_event(true);
    recorder.record(&tracing::info_span!("typed"), &refused());
    recorder.record(
        &tracing::info_span!("boundary"),
        &error_core::Error::from(refused()),
    );
    recorder.record(&tracing::info_span!("outer"), &ApiError::from(refused()));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(ApiError::from(refused()));
    recorder.record_any(&tracing::info_span!("boxed"), &boxed);
    Recorder::new(Operation::RPC_SERVER)
        .exception_signal(ExceptionSignal::Both)
        .logger_provider(&logger_provider)
        .record(&tracing::info_span!("server"), &refused());
    error_otel::record(&tracing::info_span!("default"), &refused());

    // The tower layer, with metrics, around a service that fails with the outer error.
    let meter = meter_provider.meter("redaction");
    let layer = OtelLayer::new(Operation::RPC_CLIENT)
        .recorder(Recorder::new(Operation::RPC_CLIENT).exception_signal(ExceptionSignal::Both))
        .metrics(OtelMetrics::new(&meter, &Operation::RPC_CLIENT));
    let service = tower::ServiceBuilder::new()
        .layer(layer)
        .service(tower::service_fn(|()| async {
            Err::<(), _>(error_core::Error::from(ApiError::from(refused())))
        }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let called = runtime.block_on(service.oneshot(()));
    assert!(called.is_err());

    // `tracing` with the error as a field, inside a span, so that tracing-opentelemetry
    // exports the events too.
    tracing::info_span!("logged").in_scope(|| {
        let e = refused();
        tracing::error!(error = ?e, "login failed");
        tracing::error!(error = %e, "login failed");
        tracing::error!("login failed: {e:?}");
    });

    tracer_provider.force_flush().expect("spans flushed");
    logger_provider.force_flush().expect("logs flushed");
    meter_provider.force_flush().expect("metrics flushed");

    let spans = spans.get_finished_spans().expect("spans");
    assert_eq!(spans.len(), 8, "{spans:#?}");
    for span in &spans {
        seen.add(format!("span `{}`", span.name), format!("{span:?}"));
    }
    let typed = spans
        .iter()
        .find(|span| span.name == "typed")
        .expect("the typed span");
    assert_eq!(
        attribute(typed, "classified.field.password").as_deref(),
        Some("<redacted>")
    );
    assert_eq!(
        typed.status,
        opentelemetry::trace::Status::error(DISPLAY.to_owned())
    );
    let exception = &typed.events[0];
    assert_eq!(exception.name, "exception");
    let message = exception
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "exception.message")
        .map(|kv| kv.value.to_string());
    assert_eq!(message.as_deref(), Some(DISPLAY));
    let logged = spans
        .iter()
        .find(|span| span.name == "logged")
        .expect("the logged span");
    assert_eq!(logged.events.len(), 3);

    let logs = logs.get_emitted_logs().expect("logs");
    assert_eq!(logs.len(), 5, "{logs:#?}");
    for (index, log) in logs.iter().enumerate() {
        seen.add(format!("log record {index}"), format!("{:?}", log.record));
    }

    let metrics = metrics.get_finished_metrics().expect("metrics");
    assert!(!metrics.is_empty());
    seen.add("metrics", format!("{metrics:?}"));

    let events = events
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    for (index, event) in events.iter().enumerate() {
        seen.add(format!("tracing event {index}"), format!("{event:?}"));
    }
    let error_fields: Vec<&str> = events
        .iter()
        .filter_map(|event| event.get("error").map(String::as_str))
        .collect();
    assert_eq!(error_fields, [DEBUG, DISPLAY]);
    assert_eq!(
        events.last().and_then(|event| event.get("message")),
        Some(&format!("login failed: {DEBUG}"))
    );
}

#[test]
fn the_password_is_on_no_path() {
    // The value is there, and usable: the application retries the login with it.
    let LoginError::Refused { password, .. } = refused();
    assert_eq!(password.expose(), PASSWORD);

    let mut seen = Seen::default();
    render_in_process(&mut seen);
    render_in_telemetry(&mut seen);

    let leaks: Vec<&(String, String)> = seen
        .0
        .iter()
        .filter(|(_, text)| text.contains(PASSWORD))
        .collect();
    assert!(leaks.is_empty(), "the password leaked: {leaks:#?}");
    // Not vacuous: every path shows where the value was, except those that show no field
    // of the login error at all: the outer error's message alone (anyhow's `{}`; a boxed
    // error that error-otel cannot classify, on its span and its log record; the `tracing`
    // events of the outer and the boxed error, whose message is the top one), and the
    // metrics (codes only).
    let without: Vec<&str> = seen
        .0
        .iter()
        .filter(|(_, text)| !text.contains("<redacted>"))
        .map(|(path, _)| path.as_str())
        .collect();
    assert_eq!(
        without,
        [
            "anyhow {}",
            "span `boxed`",
            "log record 3",
            "metrics",
            "tracing event 2",
            "tracing event 3",
        ],
        "{:#?}",
        seen.0
    );
    assert_eq!(seen.0.len(), 48);
}
