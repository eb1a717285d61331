//! In-memory OpenTelemetry pipelines for the tests: spans, logs and metrics land in the
//! SDK's in-memory exporters, and a `tracing` subscriber with the tracing-opentelemetry
//! layer is the thread's default for the test's life.

#![allow(dead_code, unreachable_pub)]

pub mod backend;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLogRecord, SdkLoggerProvider};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

pub struct Telemetry {
    spans: InMemorySpanExporter,
    events: Arc<Mutex<Vec<TracingEvent>>>,
    logs: InMemoryLogExporter,
    metrics: InMemoryMetricExporter,
    pub tracer_provider: SdkTracerProvider,
    pub logger_provider: SdkLoggerProvider,
    pub meter_provider: SdkMeterProvider,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Telemetry {
    /// Pipelines with the tracing-opentelemetry layer configured to add nothing of its own
    /// (no code location, thread or timing attributes), so that attribute sets are exact,
    /// and filtered with `skip_own_events`.
    pub fn new() -> Telemetry {
        Telemetry::build(true)
    }

    /// The same, with the tracing-opentelemetry layer unfiltered: every `tracing` event
    /// reaches it, as in a setup that forgot `skip_own_events`.
    pub fn unfiltered() -> Telemetry {
        Telemetry::build(false)
    }

    fn build(filtered: bool) -> Telemetry {
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
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracer_provider.tracer("test"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_target(false);
        let layer = if filtered {
            layer.with_filter(error_otel::skip_own_events()).boxed()
        } else {
            layer.boxed()
        };
        let events = Arc::default();
        let capture = Capture {
            events: Arc::clone(&events),
        };
        let subscriber = tracing_subscriber::registry().with(layer).with(capture);
        let guard = tracing::subscriber::set_default(subscriber);
        Telemetry {
            spans,
            events,
            logs,
            metrics,
            tracer_provider,
            logger_provider,
            meter_provider,
            _guard: guard,
        }
    }

    /// The `tracing` events emitted so far, in order.
    pub fn events(&self) -> Vec<TracingEvent> {
        self.events.lock().unwrap().clone()
    }

    pub fn spans(&self) -> Vec<SpanData> {
        self.tracer_provider.force_flush().unwrap();
        self.spans.get_finished_spans().unwrap()
    }

    /// The one finished span.
    pub fn span(&self) -> SpanData {
        let mut spans = self.spans();
        assert_eq!(spans.len(), 1, "{spans:#?}");
        spans.remove(0)
    }

    pub fn logs(&self) -> Vec<SdkLogRecord> {
        self.logger_provider.force_flush().unwrap();
        self.logs
            .get_emitted_logs()
            .unwrap()
            .into_iter()
            .map(|log| log.record)
            .collect()
    }

    pub fn metrics(&self) -> Vec<ResourceMetrics> {
        self.meter_provider.force_flush().unwrap();
        self.metrics.get_finished_metrics().unwrap()
    }
}

/// Attributes as a sorted map, for exact comparison.
pub fn attributes(attributes: &[KeyValue]) -> BTreeMap<String, Value> {
    attributes
        .iter()
        .map(|kv| (kv.key.to_string(), owned(&kv.value)))
        .collect()
}

/// The expected attribute map.
pub fn expect<const N: usize>(pairs: [(&str, Value); N]) -> BTreeMap<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), owned(&v)))
        .collect()
}

/// The value with its string, if any, owned: `Value`'s equality tells a static string
/// from an owned one with the same text.
fn owned(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::from(s.as_str().to_owned()),
        other => other.clone(),
    }
}

/// A log record's attributes as a sorted map of their debug forms.
pub fn log_attributes(record: &SdkLogRecord) -> BTreeMap<String, String> {
    record
        .attributes_iter()
        .map(|(k, v)| (k.to_string(), any_value(v)))
        .collect()
}

fn any_value(value: &opentelemetry::logs::AnyValue) -> String {
    match value {
        opentelemetry::logs::AnyValue::String(s) => s.to_string(),
        other => format!("{other:?}"),
    }
}

/// One histogram data point: its attributes, its count, and its bucket boundaries.
#[derive(Debug, PartialEq)]
pub struct HistogramPoint {
    pub attributes: BTreeMap<String, Value>,
    pub count: u64,
    pub bounds: Vec<f64>,
}

/// The points of the f64 histogram `name`, sorted by attributes.
pub fn histogram(metrics: &[ResourceMetrics], name: &str) -> Vec<HistogramPoint> {
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    let mut points = Vec::new();
    for metric in metrics
        .iter()
        .flat_map(ResourceMetrics::scope_metrics)
        .flat_map(opentelemetry_sdk::metrics::data::ScopeMetrics::metrics)
        .filter(|metric| metric.name() == name)
    {
        if let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = metric.data() {
            for point in histogram.data_points() {
                points.push(HistogramPoint {
                    attributes: attributes(&point.attributes().cloned().collect::<Vec<_>>()),
                    count: point.count(),
                    bounds: point.bounds().collect(),
                });
            }
        }
    }
    points.sort_by(|a, b| format!("{:?}", a.attributes).cmp(&format!("{:?}", b.attributes)));
    points
}

/// The points of the u64 counter `name`: attributes and value, sorted.
pub fn counter(metrics: &[ResourceMetrics], name: &str) -> Vec<(BTreeMap<String, Value>, u64)> {
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    let mut points = Vec::new();
    for metric in metrics
        .iter()
        .flat_map(ResourceMetrics::scope_metrics)
        .flat_map(opentelemetry_sdk::metrics::data::ScopeMetrics::metrics)
        .filter(|metric| metric.name() == name)
    {
        if let AggregatedMetrics::U64(MetricData::Sum(sum)) = metric.data() {
            for point in sum.data_points() {
                points.push((
                    attributes(&point.attributes().cloned().collect::<Vec<_>>()),
                    point.value(),
                ));
            }
        }
    }
    points.sort_by(|a, b| format!("{:?}", a.0).cmp(&format!("{:?}", b.0)));
    points
}

/// A `tracing` event as a log layer sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TracingEvent {
    pub level: tracing::Level,
    pub target: String,
    /// Every field, the message included, by name, in their `Debug` or string form.
    pub fields: BTreeMap<String, String>,
}

/// A layer that keeps every event.
struct Capture {
    events: Arc<Mutex<Vec<TracingEvent>>>,
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(BTreeMap<String, String>);
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name().to_owned(), value.to_owned());
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.insert(field.name().to_owned(), format!("{value:?}"));
            }
        }
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        self.events.lock().unwrap().push(TracingEvent {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields: fields.0,
        });
    }
}
