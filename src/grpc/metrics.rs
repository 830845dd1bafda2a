//! The service's metrics, kept with `prometheus-client` and served in the OpenMetrics text
//! format by a small hyper HTTP/1.1 server on an optional port (`--metrics-listen`, `GET
//! /metrics`). Also the aggregated log line of shed calls (`log_shed`), which is ours: no crate
//! aggregates a log line.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// What the metrics port answers with.
const CONTENT_TYPE_OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The labels of a finished call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: &'static str,
    code: &'static str,
}

/// The label of counters kept per method.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabel {
    method: &'static str,
}

/// The labels of `copydesk_build_info`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
    rules_version: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// The service's counters. Shared as `Arc<Metrics>`.
pub struct Metrics {
    registry: Registry,
    /// Finished calls (and stream items) by method and status name.
    calls: Family<CallLabels, Counter>,
    latency: Family<MethodLabel, Histogram, fn() -> Histogram>,
    bytes_in: Counter,
    errors: Counter,
    shed: Counter,
    in_flight: Gauge<i64, AtomicI64>,
    /// Requests whose message did not decode, by method.
    decode_failures: Family<MethodLabel, Counter>,
    /// Calls and streams the client cancelled before they were answered in full, by method.
    cancelled: Family<MethodLabel, Counter>,
    /// `shed` as far as the aggregated log line has reported it.
    shed_logged: AtomicU64,
    /// Set when the drain timeout passed: calls still open end because the server closes them,
    /// not because their client cancelled.
    closing: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let calls = Family::<CallLabels, Counter>::default();
        let latency = Family::<MethodLabel, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let bytes_in = Counter::default();
        let errors = Counter::default();
        let shed = Counter::default();
        let in_flight = Gauge::<i64, AtomicI64>::default();
        let decode_failures = Family::<MethodLabel, Counter>::default();
        let cancelled = Family::<MethodLabel, Counter>::default();
        // Counters are registered without their `_total`: the encoder adds it.
        registry.register(
            "copydesk_calls",
            "Finished calls and stream items by method and status",
            calls.clone(),
        );
        registry.register(
            "copydesk_received_bytes",
            "Document bytes received",
            bytes_in.clone(),
        );
        registry.register(
            "copydesk_errors",
            "Calls and stream items that ended with a status other than OK",
            errors.clone(),
        );
        registry.register(
            "copydesk_shed",
            "Calls refused at the concurrency limit or the memory budget",
            shed.clone(),
        );
        registry.register(
            "copydesk_decode_failures",
            "Requests whose message did not decode (not protobuf, invalid UTF-8 in a string field, bad framing or compression), answered INTERNAL, by method",
            decode_failures.clone(),
        );
        registry.register(
            "copydesk_cancelled",
            "Calls and streams that the client cancelled (or whose connection broke) before they were answered in full, by method",
            cancelled.clone(),
        );
        registry.register(
            "copydesk_in_flight",
            "Documents being normalised now",
            in_flight.clone(),
        );
        registry.register(
            "copydesk_call_duration_seconds",
            "Time per call or stream item",
            latency.clone(),
        );
        registry.register_collector(Box::new(super::process::ProcessCollector));
        Metrics {
            registry,
            calls,
            latency,
            bytes_in,
            errors,
            shed,
            in_flight,
            decode_failures,
            cancelled,
            shed_logged: AtomicU64::new(0),
            closing: AtomicBool::new(false),
        }
    }
}

impl Metrics {
    /// The metrics of a server running `rules_version` (the digest of its loaded rules):
    /// `copydesk_build_info{version,rules_version} 1` besides the call metrics.
    pub fn with_build_info(rules_version: &str) -> Self {
        let mut metrics = Metrics::default();
        metrics.registry.register(
            "copydesk_build",
            "The running build: its version (copydesk --version) and the digest of its loaded rules",
            Info::new(BuildLabels {
                version: crate::VERSION.to_string(),
                rules_version: rules_version.to_string(),
            }),
        );
        metrics
    }

    /// Records one finished call or stream item.
    pub fn record(&self, method: &'static str, code: &'static str, bytes: usize, took: Duration) {
        self.bytes_in.inc_by(bytes as u64);
        if code != "OK" {
            self.errors.inc();
        }
        self.calls.get_or_create(&CallLabels { method, code }).inc();
        self.latency
            .get_or_create(&MethodLabel { method })
            .observe(took.as_secs_f64());
    }

    /// Counts a call refused at the concurrency limit or the memory budget.
    pub fn shed(&self) {
        self.shed.inc();
    }

    /// Marks a document as being normalised until the guard drops.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(self)
    }

    /// Calls refused at the concurrency limit so far.
    pub fn shed_total(&self) -> u64 {
        self.shed.get()
    }

    /// Calls shed since the last call of this method (for the aggregated log line).
    pub fn shed_since_last_asked(&self) -> u64 {
        let now = self.shed.get();
        let before = self.shed_logged.swap(now, Ordering::Relaxed);
        now.saturating_sub(before)
    }

    /// Counts a request whose message did not decode.
    pub fn decode_failure(&self, method: &'static str) {
        self.decode_failures
            .get_or_create(&MethodLabel { method })
            .inc();
    }

    /// Counts a call or stream the client cancelled before it was answered in full.
    pub fn cancelled(&self, method: &'static str) {
        self.cancelled.get_or_create(&MethodLabel { method }).inc();
    }

    /// Marks that the drain timeout passed and the server closes what is still open.
    pub fn set_closing(&self) {
        self.closing.store(true, Ordering::Relaxed);
    }

    /// Whether the drain timeout passed (see `set_closing`).
    pub fn closing(&self) -> bool {
        self.closing.load(Ordering::Relaxed)
    }

    /// The OpenMetrics text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail; an encoder error would be a bug of ours (a label
        // the format cannot carry), answered with what was written.
        if let Err(error) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(%error, "the metrics did not encode");
        }
        out
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}

/// Writes one log line per `every` with the number of calls shed at the concurrency limit or
/// the memory budget in
/// that time, instead of one line per shed call (under overload that was thousands of lines a
/// second). Runs until the task is aborted; `serve` then reports the rest with
/// [`log_shed_once`].
pub async fn log_shed(metrics: std::sync::Arc<Metrics>, every: Duration, limit: usize) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate
    loop {
        tick.tick().await;
        log_shed_once(&metrics, every, limit);
    }
}

/// The aggregated line for the calls shed since the last one, if any were.
pub fn log_shed_once(metrics: &Metrics, every: Duration, limit: usize) {
    let shed = metrics.shed_since_last_asked();
    if shed > 0 {
        tracing::warn!(
            shed,
            concurrency_limit = limit,
            interval_ms = every.as_millis() as u64,
            "shed {shed} calls at the concurrency limit of {limit} documents in work or the memory budget (RESOURCE_EXHAUSTED) in the last {} ms",
            every.as_millis()
        );
    }
}

/// Serves the metrics over HTTP/1.1 on `listener`: `GET /metrics` (and `HEAD`) answer the
/// OpenMetrics text, other paths 404, other methods 405. Runs until the task is aborted.
pub async fn serve(listener: TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let metrics = metrics.clone();
                async move { Ok::<_, Infallible>(answer(&metrics, &request)) }
            });
            // A scraper that opens a connection and sends nothing is dropped after 5 s.
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(5))
                .serve_connection(TokioIo::new(socket), service);
            if let Err(error) = connection.await {
                tracing::debug!(%error, "metrics connection ended with an error");
            }
        });
    }
}

/// The answer of the metrics port to one request.
fn answer<B>(metrics: &Metrics, request: &Request<B>) -> Response<Full<Bytes>> {
    let reply = |status: StatusCode, body: String| {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
    };
    if request.uri().path() != "/metrics" {
        return reply(
            StatusCode::NOT_FOUND,
            "not found: the metrics are at /metrics\n".to_string(),
        );
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = reply(
            StatusCode::METHOD_NOT_ALLOWED,
            "use GET /metrics\n".to_string(),
        );
        response
            .headers_mut()
            .insert(ALLOW, hyper::header::HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let mut response = reply(StatusCode::OK, metrics.render());
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(CONTENT_TYPE_OPENMETRICS),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shed_calls_are_reported_once_each_to_the_aggregated_log() {
        let m = Metrics::default();
        assert_eq!(m.shed_since_last_asked(), 0);
        m.shed();
        m.shed();
        assert_eq!(m.shed_since_last_asked(), 2);
        assert_eq!(m.shed_since_last_asked(), 0);
        m.shed();
        assert_eq!(m.shed_since_last_asked(), 1);
        assert_eq!(m.shed_total(), 3);
    }

    #[test]
    fn render_has_counters_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.record("Normalize", "OK", 100, Duration::from_millis(3));
        m.record(
            "Normalize",
            "INVALID_ARGUMENT",
            0,
            Duration::from_millis(30),
        );
        m.shed();
        m.decode_failure("Normalize");
        m.cancelled("NormalizeStream");
        m.cancelled("NormalizeStream");
        let text = m.render();
        assert!(text.contains("copydesk_decode_failures_total{method=\"Normalize\"} 1"));
        assert!(text.contains("copydesk_cancelled_total{method=\"NormalizeStream\"} 2"));
        assert!(text.contains("copydesk_calls_total{method=\"Normalize\",code=\"OK\"} 1"));
        assert!(text.contains("copydesk_received_bytes_total 100"));
        assert!(text.contains("copydesk_errors_total 1"));
        assert!(text.contains("copydesk_shed_total 1"));
        assert!(text.contains(
            "copydesk_call_duration_seconds_bucket{le=\"0.005\",method=\"Normalize\"} 1"
        ));
        assert!(
            text.contains(
                "copydesk_call_duration_seconds_bucket{le=\"+Inf\",method=\"Normalize\"} 2"
            )
        );
    }

    #[test]
    fn build_info_names_the_version_and_the_rules() {
        let text = Metrics::with_build_info("abc123").render();
        let line = format!(
            "copydesk_build_info{{version=\"{}\",rules_version=\"abc123\"}} 1",
            crate::VERSION
        );
        assert!(text.contains(&line), "{text}");
        assert!(text.contains("# TYPE copydesk_build info"), "{text}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn process_metrics_are_read_on_each_scrape() {
        let text = Metrics::default().render();
        for name in [
            "process_cpu_seconds_total ",
            "process_resident_memory_bytes ",
            "process_open_fds ",
            "process_max_fds ",
            "process_start_time_seconds ",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(name)),
                "{name} missing:\n{text}"
            );
        }
    }

    #[test]
    fn the_port_answers_get_metrics_and_refuses_other_paths_and_methods() {
        let m = Metrics::default();
        m.shed();
        let get = |method: Method, path: &str| {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(())
                .unwrap_or_default();
            answer(&m, &request)
        };
        let ok = get(Method::GET, "/metrics");
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(
            ok.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some(CONTENT_TYPE_OPENMETRICS)
        );
        assert_eq!(get(Method::GET, "/").status(), StatusCode::NOT_FOUND);
        let post = get(Method::POST, "/metrics");
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(post.headers().contains_key(ALLOW));
    }
}
