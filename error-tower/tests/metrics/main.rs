//! Metrics through the `metrics` facade: a scripted run through the whole stack (a call
//! measure, the retry layer, an attempt measure, the breaker), rendered by
//! `metrics-exporter-prometheus`, asserted line by line, and parsed by a peer: the
//! official Python client's parser (`prometheus_client`).
//!
//! Python: `ERROR_TOWER_PYTHON` when set (`.ci/run` sets it to its virtual environment);
//! otherwise a virtual environment made here, under Cargo's target directory, with
//! `pip install prometheus_client` (which needs the Python Package Index once).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeSet, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use error_core::{Class, ClassifiedError, Error};
use error_tower::backoff::{Backoff, Jitter};
use error_tower::breaker::{BreakerLayer, State};
use error_tower::metrics::{MeasureLayer, Metrics};
use error_tower::retry::RetryLayer;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use tower::{Service, ServiceBuilder, ServiceExt};

/// A backend that answers each attempt with the next scripted outcome, after 10 ms.
fn backend(
    script: Arc<Mutex<VecDeque<Result<(), Error>>>>,
) -> impl Service<(), Response = (), Error = Error, Future: Send> + Clone {
    tower::service_fn(move |()| {
        let outcome = script.lock().unwrap().pop_front().expect("scripted");
        async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            outcome
        }
    })
}

/// The scripted run; returns the rendered text.
fn scripted_run() -> String {
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Suffix("_seconds".into()),
            &[0.005, 0.02, 0.04, 0.08],
        )
        .unwrap()
        .build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(script());
    });
    handle.render()
}

async fn script() {
    Metrics::describe();
    let metrics = Metrics::new("inventory");
    let script = Arc::new(Mutex::new(VecDeque::new()));
    let breaker = BreakerLayer::builder()
        .consecutive_failures(2)
        .open_interval(Duration::from_secs(1))
        .build()
        .unwrap()
        .on_state_change(metrics.clone());
    let switch = breaker.handle();
    metrics.breaker_state(switch.state());
    let backoff = Backoff::new(Duration::from_millis(10), 2.0, Duration::from_secs(1))
        .unwrap()
        .with_jitter(Jitter::None);
    let mut client = ServiceBuilder::new()
        .layer(MeasureLayer::calls(metrics.clone()))
        .layer(
            RetryLayer::new()
                .assume_idempotent()
                .max_attempts(3)
                .backoff(backoff)
                .on_retry(metrics.clone())
                .on_give_up(metrics.clone()),
        )
        .layer(MeasureLayer::attempts(metrics.clone()))
        .layer(breaker)
        .service(backend(Arc::clone(&script)));
    let mut call = async |outcomes: Vec<Result<(), Error>>| {
        script.lock().unwrap().extend(outcomes);
        client.ready().await.unwrap().call(()).await
    };
    let reset = || Error::transient("connection reset").with_code("net.reset");

    // A: succeeds at once (10 ms).
    call(vec![Ok(())]).await.unwrap();
    // B: transient, then success after a 10 ms backoff (30 ms).
    call(vec![Err(reset()), Ok(())]).await.unwrap();
    // C: invalid, never retried (10 ms).
    let err = call(vec![
        Err(Error::invalid("bad sku").with_code("sku.invalid")),
    ])
    .await
    .unwrap_err();
    assert_eq!(err.class(), Class::Invalid);
    // D: transient twice; the second trips the breaker, whose refusal (busy, 0 ms) is the
    // third and last attempt: 10 + 10 + 10 + 20 + 0 = 50 ms.
    let err = call(vec![Err(reset()), Err(reset())]).await.unwrap_err();
    assert_eq!(err.code(), "breaker.open");
    assert_eq!(switch.state(), State::Open);
    // E: after the open interval the call is the probe, and closes the breaker (10 ms).
    tokio::time::advance(Duration::from_secs(1)).await;
    call(vec![Ok(())]).await.unwrap();
    // An operator forces it open, then releases it (half-open).
    switch.force_open();
    switch.release();
    // One error recorded by hand.
    metrics.record_error(&Error::data("checksum mismatch").with_code("store.checksum"));
    assert!(script.lock().unwrap().is_empty());
}

/// What the exporter renders for the scripted run.
const EXPECTED: &str = r#"# HELP classified_errors_total Failed calls, by class and code.
# TYPE classified_errors_total counter
classified_errors_total{service="inventory",class="data",code="store.checksum"} 1
classified_errors_total{service="inventory",class="invalid",code="sku.invalid"} 1
classified_errors_total{service="inventory",class="busy",code="breaker.open"} 1

# HELP classified_retries_total Retries, by the class of the failed attempt.
# TYPE classified_retries_total counter
classified_retries_total{service="inventory",class="transient"} 3

# HELP classified_give_ups_total Failed calls the retry layer did not retry, by reason.
# TYPE classified_give_ups_total counter
classified_give_ups_total{service="inventory",reason="class"} 1
classified_give_ups_total{service="inventory",reason="exhausted"} 1

# HELP classified_breaker_transitions_total Circuit breaker transitions, by reason.
# TYPE classified_breaker_transitions_total counter
classified_breaker_transitions_total{service="inventory",reason="forced_open"} 1
classified_breaker_transitions_total{service="inventory",reason="interval_elapsed"} 1
classified_breaker_transitions_total{service="inventory",reason="probes_succeeded"} 1
classified_breaker_transitions_total{service="inventory",reason="released"} 1
classified_breaker_transitions_total{service="inventory",reason="tripped"} 1

# HELP classified_breaker_state Circuit breaker state: 0 closed, 1 half-open, 2 open.
# TYPE classified_breaker_state gauge
classified_breaker_state{service="inventory"} 1

# HELP classified_call_duration_seconds Duration of each call.
# TYPE classified_call_duration_seconds histogram
classified_call_duration_seconds_bucket{service="inventory",le="0.005"} 0
classified_call_duration_seconds_bucket{service="inventory",le="0.02"} 2
classified_call_duration_seconds_bucket{service="inventory",le="0.04"} 3
classified_call_duration_seconds_bucket{service="inventory",le="0.08"} 3
classified_call_duration_seconds_bucket{service="inventory",le="+Inf"} 3
classified_call_duration_seconds_sum{service="inventory"} 0.05
classified_call_duration_seconds_count{service="inventory"} 3
classified_call_duration_seconds_bucket{service="inventory",class="busy",le="0.005"} 0
classified_call_duration_seconds_bucket{service="inventory",class="busy",le="0.02"} 0
classified_call_duration_seconds_bucket{service="inventory",class="busy",le="0.04"} 0
classified_call_duration_seconds_bucket{service="inventory",class="busy",le="0.08"} 1
classified_call_duration_seconds_bucket{service="inventory",class="busy",le="+Inf"} 1
classified_call_duration_seconds_sum{service="inventory",class="busy"} 0.05
classified_call_duration_seconds_count{service="inventory",class="busy"} 1
classified_call_duration_seconds_bucket{service="inventory",class="invalid",le="0.005"} 0
classified_call_duration_seconds_bucket{service="inventory",class="invalid",le="0.02"} 1
classified_call_duration_seconds_bucket{service="inventory",class="invalid",le="0.04"} 1
classified_call_duration_seconds_bucket{service="inventory",class="invalid",le="0.08"} 1
classified_call_duration_seconds_bucket{service="inventory",class="invalid",le="+Inf"} 1
classified_call_duration_seconds_sum{service="inventory",class="invalid"} 0.01
classified_call_duration_seconds_count{service="inventory",class="invalid"} 1

# HELP classified_attempt_duration_seconds Duration of each attempt.
# TYPE classified_attempt_duration_seconds histogram
classified_attempt_duration_seconds_bucket{service="inventory",class="invalid",le="0.005"} 0
classified_attempt_duration_seconds_bucket{service="inventory",class="invalid",le="0.02"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="invalid",le="0.04"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="invalid",le="0.08"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="invalid",le="+Inf"} 1
classified_attempt_duration_seconds_sum{service="inventory",class="invalid"} 0.01
classified_attempt_duration_seconds_count{service="inventory",class="invalid"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="busy",le="0.005"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="busy",le="0.02"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="busy",le="0.04"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="busy",le="0.08"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="busy",le="+Inf"} 1
classified_attempt_duration_seconds_sum{service="inventory",class="busy"} 0
classified_attempt_duration_seconds_count{service="inventory",class="busy"} 1
classified_attempt_duration_seconds_bucket{service="inventory",class="transient",le="0.005"} 0
classified_attempt_duration_seconds_bucket{service="inventory",class="transient",le="0.02"} 3
classified_attempt_duration_seconds_bucket{service="inventory",class="transient",le="0.04"} 3
classified_attempt_duration_seconds_bucket{service="inventory",class="transient",le="0.08"} 3
classified_attempt_duration_seconds_bucket{service="inventory",class="transient",le="+Inf"} 3
classified_attempt_duration_seconds_sum{service="inventory",class="transient"} 0.03
classified_attempt_duration_seconds_count{service="inventory",class="transient"} 3
classified_attempt_duration_seconds_bucket{service="inventory",le="0.005"} 0
classified_attempt_duration_seconds_bucket{service="inventory",le="0.02"} 3
classified_attempt_duration_seconds_bucket{service="inventory",le="0.04"} 3
classified_attempt_duration_seconds_bucket{service="inventory",le="0.08"} 3
classified_attempt_duration_seconds_bucket{service="inventory",le="+Inf"} 3
classified_attempt_duration_seconds_sum{service="inventory"} 0.03
classified_attempt_duration_seconds_count{service="inventory"} 3
"#;

#[test]
fn a_scripted_run_renders_exactly_and_the_python_parser_reads_every_family() {
    let text = scripted_run();
    // Every line exactly; the exporter's order of families and series comes from hash
    // maps, so the lines are compared sorted.
    assert_eq!(sorted_lines(&text), sorted_lines(EXPECTED), "{text}");
    // No label outside the documented set (`le` is the histogram's own).
    assert_eq!(
        label_names(&text),
        ["class", "code", "le", "reason", "service"]
            .map(String::from)
            .into(),
    );
    // The peer reads every family, with every sample and its value.
    let parsed = parse_with_python(&text);
    assert_eq!(parsed, PARSED);
    let families: Vec<&str> = parsed.lines().filter(|l| l.starts_with("family")).collect();
    assert_eq!(families.len(), 7);
}

#[test]
fn describe_reaches_the_recorder_in_use_and_only_it() {
    // `Metrics::describe` sends the descriptions to the recorder the facade finds at the
    // call. One counted before the recorder is in use renders without its `# HELP`; the
    // same counted after `describe` under it renders with it.
    let render = |describe_under_the_recorder: bool| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        if !describe_under_the_recorder {
            Metrics::describe();
        }
        metrics::with_local_recorder(&recorder, || {
            if describe_under_the_recorder {
                Metrics::describe();
            }
            Metrics::new("inventory")
                .record_error(&Error::data("checksum mismatch").with_code("store.checksum"));
        });
        handle.render()
    };
    let counted =
        r#"classified_errors_total{service="inventory",class="data",code="store.checksum"} 1"#;
    assert_eq!(
        sorted_lines(&render(false)),
        ["# TYPE classified_errors_total counter", counted]
    );
    assert_eq!(
        sorted_lines(&render(true)),
        [
            "# HELP classified_errors_total Failed calls, by class and code.",
            "# TYPE classified_errors_total counter",
            counted
        ]
    );
}

/// What `tests/metrics/parse.py` prints for it: the official parser's families (without
/// a counter's `_total`, as the `OpenMetrics` model names them) and samples, sorted.
const PARSED: &str = r#"family classified_attempt_duration_seconds histogram
  classified_attempt_duration_seconds_bucket {class="busy",le="+Inf",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="busy",le="0.005",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="busy",le="0.02",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="busy",le="0.04",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="busy",le="0.08",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="invalid",le="+Inf",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="invalid",le="0.005",service="inventory"} 0
  classified_attempt_duration_seconds_bucket {class="invalid",le="0.02",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="invalid",le="0.04",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="invalid",le="0.08",service="inventory"} 1
  classified_attempt_duration_seconds_bucket {class="transient",le="+Inf",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {class="transient",le="0.005",service="inventory"} 0
  classified_attempt_duration_seconds_bucket {class="transient",le="0.02",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {class="transient",le="0.04",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {class="transient",le="0.08",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {le="+Inf",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {le="0.005",service="inventory"} 0
  classified_attempt_duration_seconds_bucket {le="0.02",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {le="0.04",service="inventory"} 3
  classified_attempt_duration_seconds_bucket {le="0.08",service="inventory"} 3
  classified_attempt_duration_seconds_count {class="busy",service="inventory"} 1
  classified_attempt_duration_seconds_count {class="invalid",service="inventory"} 1
  classified_attempt_duration_seconds_count {class="transient",service="inventory"} 3
  classified_attempt_duration_seconds_count {service="inventory"} 3
  classified_attempt_duration_seconds_sum {class="busy",service="inventory"} 0
  classified_attempt_duration_seconds_sum {class="invalid",service="inventory"} 0.01
  classified_attempt_duration_seconds_sum {class="transient",service="inventory"} 0.03
  classified_attempt_duration_seconds_sum {service="inventory"} 0.03
family classified_breaker_state gauge
  classified_breaker_state {service="inventory"} 1
family classified_breaker_transitions counter
  classified_breaker_transitions_total {reason="forced_open",service="inventory"} 1
  classified_breaker_transitions_total {reason="interval_elapsed",service="inventory"} 1
  classified_breaker_transitions_total {reason="probes_succeeded",service="inventory"} 1
  classified_breaker_transitions_total {reason="released",service="inventory"} 1
  classified_breaker_transitions_total {reason="tripped",service="inventory"} 1
family classified_call_duration_seconds histogram
  classified_call_duration_seconds_bucket {class="busy",le="+Inf",service="inventory"} 1
  classified_call_duration_seconds_bucket {class="busy",le="0.005",service="inventory"} 0
  classified_call_duration_seconds_bucket {class="busy",le="0.02",service="inventory"} 0
  classified_call_duration_seconds_bucket {class="busy",le="0.04",service="inventory"} 0
  classified_call_duration_seconds_bucket {class="busy",le="0.08",service="inventory"} 1
  classified_call_duration_seconds_bucket {class="invalid",le="+Inf",service="inventory"} 1
  classified_call_duration_seconds_bucket {class="invalid",le="0.005",service="inventory"} 0
  classified_call_duration_seconds_bucket {class="invalid",le="0.02",service="inventory"} 1
  classified_call_duration_seconds_bucket {class="invalid",le="0.04",service="inventory"} 1
  classified_call_duration_seconds_bucket {class="invalid",le="0.08",service="inventory"} 1
  classified_call_duration_seconds_bucket {le="+Inf",service="inventory"} 3
  classified_call_duration_seconds_bucket {le="0.005",service="inventory"} 0
  classified_call_duration_seconds_bucket {le="0.02",service="inventory"} 2
  classified_call_duration_seconds_bucket {le="0.04",service="inventory"} 3
  classified_call_duration_seconds_bucket {le="0.08",service="inventory"} 3
  classified_call_duration_seconds_count {class="busy",service="inventory"} 1
  classified_call_duration_seconds_count {class="invalid",service="inventory"} 1
  classified_call_duration_seconds_count {service="inventory"} 3
  classified_call_duration_seconds_sum {class="busy",service="inventory"} 0.05
  classified_call_duration_seconds_sum {class="invalid",service="inventory"} 0.01
  classified_call_duration_seconds_sum {service="inventory"} 0.05
family classified_errors counter
  classified_errors_total {class="busy",code="breaker.open",service="inventory"} 1
  classified_errors_total {class="data",code="store.checksum",service="inventory"} 1
  classified_errors_total {class="invalid",code="sku.invalid",service="inventory"} 1
family classified_give_ups counter
  classified_give_ups_total {reason="class",service="inventory"} 1
  classified_give_ups_total {reason="exhausted",service="inventory"} 1
family classified_retries counter
  classified_retries_total {class="transient",service="inventory"} 3
"#;

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().filter(|line| !line.is_empty()).collect();
    lines.sort_unstable();
    lines
}

/// Parses `text` with `tests/metrics/parse.py`.
fn parse_with_python(text: &str) -> String {
    let mut child = Command::new(python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/metrics/parse.py"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The Python interpreter that has `prometheus_client`.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("ERROR_TOWER_PYTHON") {
        return python.into();
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prometheus-venv");
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    // Written once pip has succeeded: a half-made environment is made again.
    let installed = venv.join("error-tower-installed");
    if !installed.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        run(Command::new(bin.join("pip")).args(["install", "-q", "prometheus_client"]));
        std::fs::write(&installed, "").unwrap();
    }
    bin.join("python")
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"));
    assert!(status.success(), "{command:?}: {status}");
}

/// Every label name in `text`'s samples.
fn label_names(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| Some(line.split_once('{')?.1.split_once('}')?.0))
        .flat_map(|labels| labels.split(','))
        .filter_map(|pair| Some(pair.split_once('=')?.0.to_owned()))
        .collect()
}
