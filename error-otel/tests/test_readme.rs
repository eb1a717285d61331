//! The README's snippet, as it is: compared line by line with the README's first `rust`
//! block, then run against the SDK's in-memory exporters. Copied as-is, it records one
//! exception event per error and no other event.
//!
//! The snippet installs a global subscriber, so this binary holds one test that runs it.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use error_core::ClassifiedError;
use error_otel::ExceptionSignal;
use error_tower::retry::IdempotentRequest;
use opentelemetry::Value;
use opentelemetry::trace::{SpanKind, Status};
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tower::{Service, ServiceExt as _};

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum LoadError {
    #[error("segment unreadable, segment={segment}")]
    #[class(data)]
    Unreadable { segment: u32 },
}

#[derive(Debug, ClassifiedError)]
#[non_exhaustive]
pub enum PutError {
    #[error("key is empty")]
    #[class(invalid)]
    EmptyKey,
    #[error("replica lagging, replica={replica}")]
    #[class(transient)]
    Lagging { replica: u32 },
}

fn load_segment(segment: u32) -> Result<Vec<u8>, LoadError> {
    Err(LoadError::Unreadable { segment })
}

struct PutRequest {
    key: String,
}

fn put_handler(request: &PutRequest) -> Result<(), PutError> {
    if request.key.is_empty() {
        Err(PutError::EmptyKey)
    } else {
        Ok(())
    }
}

/// A read, which may be sent twice.
#[derive(Clone, Copy)]
struct Get(u64);

impl IdempotentRequest for Get {
    fn is_idempotent(&self) -> bool {
        true
    }
}

/// A client whose first two calls fail with a transient error.
fn flaky_client()
-> impl Service<Get, Response = u64, Error = error_core::Error, Future: Send> + Clone + Send + 'static
{
    let calls = Arc::new(AtomicU32::new(0));
    tower::service_fn(move |Get(key): Get| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        async move {
            if call < 2 {
                Err(error_core::Error::from(PutError::Lagging { replica: 1 }))
            } else {
                Ok(key)
            }
        }
    })
}

/// The README's snippet, between the markers, with what it uses given to it as an
/// application holds it (the providers and the request owned); it returns the client it
/// builds.
#[allow(
    clippy::needless_pass_by_value,
    reason = "the snippet's names and types are the README's"
)]
fn readme_snippet(
    tracer_provider: SdkTracerProvider,
    logger_provider: SdkLoggerProvider,
    request: PutRequest,
    grpc_client: impl Service<Get, Response = u64, Error = error_core::Error, Future: Send>
    + Clone
    + Send
    + 'static,
) -> Result<impl Service<Get, Response = u64, Error = error_core::Error>, Box<dyn std::error::Error>>
{
    // README: begin
    use error_otel::{Operation, OtelLayer, Recorder};
    use error_tower::retry::RetryLayer;
    use opentelemetry::trace::TracerProvider as _;
    use tower::ServiceBuilder;
    use tracing_subscriber::layer::SubscriberExt as _;

    // Once, at startup: the tracing-opentelemetry layer, and the logger provider for the
    // exception log records that OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs asks for.
    let layer = tracing_opentelemetry::layer().with_tracer(tracer_provider.tracer("my-service"));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))?;
    error_otel::set_logger_provider(&logger_provider);

    // One call, on the span of the operation that failed.
    let span = tracing::info_span!("load_segment", segment = 7);
    if let Err(err) = load_segment(7) {
        error_otel::record(&span, &err);
    }

    // A server's or a client's span: opened by the recorder of its operation, so that the
    // span's kind and the recorder's judgement come from one place.
    let put = Recorder::new(Operation::RPC_SERVER);
    let span = error_otel::operation_span!(put, rpc.method = "Put");
    if let Err(err) = put_handler(&request) {
        put.record(&span, &err);
    }

    // Or no call at all: a layer per call, around the retry layer whose hooks it wires.
    let client = ServiceBuilder::new()
        .layer(OtelLayer::new(Operation::RPC_CLIENT).around_retry(RetryLayer::new()))
        .service(grpc_client);
    // README: end
    Ok(client)
}

/// The lines of `text` after the line `start` and before the next line `end`, with their
/// common indentation removed.
fn block<'a>(text: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|line| line.trim() != start)
        .skip(1)
        .take_while(|line| line.trim() != end)
        .collect();
    assert!(!lines.is_empty(), "no block after {start:?}");
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap();
    lines
        .into_iter()
        .map(|line| line.get(indent..).unwrap_or(""))
        .collect()
}

#[test]
fn the_readme_snippet_is_verbatim_and_records_one_event_per_error() {
    let readme = block(include_str!("../README.md"), "```rust,ignore", "```");
    let here = block(
        include_str!("test_readme.rs"),
        "// README: begin",
        "// README: end",
    );
    assert_eq!(here, readme);

    let spans = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let logs = InMemoryLogExporter::default();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(logs.clone())
        .build();
    let client = readme_snippet(
        tracer_provider.clone(),
        logger_provider.clone(),
        PutRequest { key: String::new() },
        flaky_client(),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(client.oneshot(Get(5))).unwrap(), 5);

    tracer_provider.force_flush().unwrap();
    logger_provider.force_flush().unwrap();
    let spans = spans.get_finished_spans().unwrap();
    let logs = logs.get_emitted_logs().unwrap();
    let names = |span: &SpanData| -> Vec<String> {
        span.events.iter().map(|e| e.name.to_string()).collect()
    };
    let error_type = |span: &SpanData| {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == "error.type")
            .map(|kv| kv.value.clone())
    };
    // Whatever the environment asks: each exception once, as a span event or a log record
    // or both, and no other event.
    let signal = ExceptionSignal::from_env();
    let exception: &[&str] = if signal.span_event() {
        &["exception"]
    } else {
        &[]
    };
    let summary: Vec<_> = spans
        .iter()
        .map(|span| {
            (
                span.name.to_string(),
                span.span_kind.clone(),
                span.status.clone(),
                error_type(span),
                names(span),
            )
        })
        .collect();
    // The snippet's two spans end when it returns, the later first; the client's call
    // runs after that.
    assert_eq!(
        summary,
        [
            (
                "rpc.server.call".to_owned(),
                SpanKind::Server,
                Status::Unset,
                None,
                exception.iter().map(ToString::to_string).collect(),
            ),
            (
                "load_segment".to_owned(),
                SpanKind::Internal,
                Status::error("segment unreadable, segment=7"),
                Some(Value::from("LoadError::Unreadable")),
                exception.iter().map(ToString::to_string).collect(),
            ),
            (
                "rpc.client.call".to_owned(),
                SpanKind::Client,
                Status::Unset,
                None,
                vec!["classified.retry".to_owned(), "classified.retry".to_owned()],
            ),
        ]
    );
    let logged: Vec<_> = logs
        .iter()
        .map(|log| log.record.event_name().unwrap_or_default().to_owned())
        .collect();
    let expected: Vec<String> = if signal.log() {
        vec![
            "classified.operation.exception".to_owned(),
            "rpc.server.call.exception".to_owned(),
        ]
    } else {
        vec![]
    };
    assert_eq!(logged, expected);
}
