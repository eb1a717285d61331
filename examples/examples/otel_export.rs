//! The raft-cluster scenario of `tower_retry`, with every call recorded by error-otel and
//! exported: traces, exception records and metrics.
//!
//! - With `OTEL_EXPORTER_OTLP_ENDPOINT` set (`http://localhost:4318`), they go over
//!   OTLP/HTTP with protobuf to that collector.
//! - Without it, they go to stdout, the embedded default, after the phase report.
//!
//! Each read is one `rpc.client.call` span, opened by `OtelLayer` outside the retry layer:
//! its retries are `classified.retry` events on it, and its final error, if any, sets
//! `error.type`, the status and the exception. The exception goes to a span event and to a
//! log record (`logs/dup`), unless `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN` says otherwise.
//! `rpc.client.call.duration` and `classified.retries` are the metrics.
//!
//! Run it with `cargo run -p examples --example otel_export`.

use error_otel::{ExceptionSignal, Operation, OtelLayer, OtelMetrics, Recorder};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

struct Pipelines {
    traces: SdkTracerProvider,
    logs: SdkLoggerProvider,
    metrics: SdkMeterProvider,
}

fn pipelines(
    spans: impl SpanExporter + 'static,
    logs: impl LogExporter + 'static,
    metrics: impl PushMetricExporter,
) -> Pipelines {
    let resource = Resource::builder()
        .with_service_name("otel-export-example")
        .build();
    Pipelines {
        traces: SdkTracerProvider::builder()
            .with_resource(resource.clone())
            .with_batch_exporter(spans)
            .build(),
        logs: SdkLoggerProvider::builder()
            .with_resource(resource.clone())
            .with_batch_exporter(logs)
            .build(),
        metrics: SdkMeterProvider::builder()
            .with_resource(resource)
            .with_reader(PeriodicReader::builder(metrics).build())
            .build(),
    }
}

fn build() -> Result<(Pipelines, &'static str), Box<dyn std::error::Error>> {
    if std::env::var_os("OTEL_EXPORTER_OTLP_ENDPOINT").is_some() {
        let spans = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .build()?;
        let logs = opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .build()?;
        let metrics = opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .build()?;
        Ok((pipelines(spans, logs, metrics), "OTLP/HTTP"))
    } else {
        let pipelines = pipelines(
            opentelemetry_stdout::SpanExporter::default(),
            opentelemetry_stdout::LogExporter::default(),
            opentelemetry_stdout::MetricExporter::default(),
        );
        Ok((pipelines, "stdout"))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (pipelines, destination) = build()?;
    let layer = tracing_opentelemetry::layer()
        .with_tracer(pipelines.traces.tracer("otel_export"))
        .with_filter(error_otel::skip_own_events());
    let _guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));

    let signal = if std::env::var_os(error_otel::semconv::EXCEPTION_SIGNAL_OPT_IN).is_some() {
        ExceptionSignal::from_env()
    } else {
        ExceptionSignal::Both
    };
    let meter = pipelines.metrics.meter("otel_export");
    let otel = OtelLayer::new(Operation::RPC_CLIENT)
        .recorder(
            Recorder::new(Operation::RPC_CLIENT)
                .exception_signal(signal)
                .logger_provider(&pipelines.logs),
        )
        .metrics(OtelMetrics::new(&meter, &Operation::RPC_CLIENT));

    let reports = examples::tower_retry::simulate_traced(Some(otel))?;
    let calls: u64 = reports.iter().map(|report| report.calls).sum();
    print!("{}", examples::tower_retry::describe(&reports));
    println!("\nexporting {calls} calls' spans, exceptions and metrics to {destination}\n");

    pipelines.traces.shutdown()?;
    pipelines.logs.shutdown()?;
    pipelines.metrics.shutdown()?;
    Ok(())
}
