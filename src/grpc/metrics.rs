//! Counters and a latency histogram in Prometheus text format, served on an optional plain
//! HTTP port (`--metrics-listen`). Deliberately tiny: atomics, mutex-guarded maps for the
//! labelled counters, and a raw TCP responder instead of another HTTP stack. Also the
//! aggregated log line of shed calls (`log_shed`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    /// Non-cumulative counts per bucket, plus one for +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

/// The service's counters. Shared as `Arc<Metrics>`.
#[derive(Default)]
pub struct Metrics {
    /// Finished calls (and stream items) by (method, status name).
    calls: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    bytes_in: AtomicU64,
    errors: AtomicU64,
    shed: AtomicU64,
    in_flight: AtomicI64,
    /// Requests whose message did not decode, by method.
    decode_failures: Mutex<BTreeMap<&'static str, u64>>,
    /// Calls and streams the client cancelled before they were answered in full, by method.
    cancelled: Mutex<BTreeMap<&'static str, u64>>,
    /// `shed` as far as the aggregated log line has reported it.
    shed_logged: AtomicU64,
    /// Set when the drain timeout passed: calls still open end because the server closes them,
    /// not because their client cancelled.
    closing: AtomicBool,
}

impl Metrics {
    /// Records one finished call or stream item.
    pub fn record(&self, method: &'static str, code: &'static str, bytes: usize, took: Duration) {
        self.bytes_in.fetch_add(bytes as u64, Ordering::Relaxed);
        if code != "OK" {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        // A poisoned lock only means another thread panicked mid-update of a counter map;
        // the counts are still usable, so take them rather than lose metrics.
        let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        *calls.entry((method, code)).or_default() += 1;
        drop(calls);
        let secs = took.as_secs_f64();
        let mut latency = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = latency.entry(method).or_default();
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        h.counts[slot] += 1;
        h.sum += secs;
        h.count += 1;
    }

    /// Counts a call refused at the concurrency limit or the memory budget.
    pub fn shed(&self) {
        self.shed.fetch_add(1, Ordering::Relaxed);
    }

    /// Marks a document as being normalised until the guard drops.
    pub fn in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Calls refused at the concurrency limit so far.
    pub fn shed_total(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }

    /// Calls shed since the last call of this method (for the aggregated log line).
    pub fn shed_since_last_asked(&self) -> u64 {
        let now = self.shed.load(Ordering::Relaxed);
        let before = self.shed_logged.swap(now, Ordering::Relaxed);
        now.saturating_sub(before)
    }

    /// Counts a request whose message did not decode.
    pub fn decode_failure(&self, method: &'static str) {
        let mut map = self
            .decode_failures
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        *map.entry(method).or_default() += 1;
    }

    /// Counts a call or stream the client cancelled before it was answered in full.
    pub fn cancelled(&self, method: &'static str) {
        let mut map = self.cancelled.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry(method).or_default() += 1;
    }

    /// Marks that the drain timeout passed and the server closes what is still open.
    pub fn set_closing(&self) {
        self.closing.store(true, Ordering::Relaxed);
    }

    /// Whether the drain timeout passed (see `set_closing`).
    pub fn closing(&self) -> bool {
        self.closing.load(Ordering::Relaxed)
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP copydesk_calls_total Finished calls and stream items by method and status.\n# TYPE copydesk_calls_total counter"
        );
        for ((method, code), n) in self.calls.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(
                out,
                "copydesk_calls_total{{method=\"{method}\",code=\"{code}\"}} {n}"
            );
        }
        for (name, help, value) in [
            (
                "copydesk_received_bytes_total",
                "Document bytes received.",
                self.bytes_in.load(Ordering::Relaxed),
            ),
            (
                "copydesk_errors_total",
                "Calls and stream items that ended with a status other than OK.",
                self.errors.load(Ordering::Relaxed),
            ),
            (
                "copydesk_shed_total",
                "Calls refused at the concurrency limit or the memory budget.",
                self.shed.load(Ordering::Relaxed),
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        }
        for (name, help, map) in [
            (
                "copydesk_decode_failures_total",
                "Requests whose message did not decode (not protobuf, invalid UTF-8 in a string field, bad framing or compression), answered INTERNAL, by method.",
                &self.decode_failures,
            ),
            (
                "copydesk_cancelled_total",
                "Calls and streams that the client cancelled (or whose connection broke) before they were answered in full, by method.",
                &self.cancelled,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (method, n) in map.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                let _ = writeln!(out, "{name}{{method=\"{method}\"}} {n}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP copydesk_in_flight Documents being normalised now.\n# TYPE copydesk_in_flight gauge\ncopydesk_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP copydesk_call_duration_seconds Time per call or stream item.\n# TYPE copydesk_call_duration_seconds histogram"
        );
        for (method, h) in self
            .latency
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += h.counts[i];
                let _ = writeln!(
                    out,
                    "copydesk_call_duration_seconds_bucket{{method=\"{method}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "copydesk_call_duration_seconds_bucket{{method=\"{method}\",le=\"+Inf\"}} {}\ncopydesk_call_duration_seconds_sum{{method=\"{method}\"}} {}\ncopydesk_call_duration_seconds_count{{method=\"{method}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        out
    }
}

/// Decrements the in-flight gauge when dropped.
pub struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
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

/// Answers every HTTP request on `listener` with the metrics (any path; `GET /metrics` is
/// what scrapers send). Runs until the task is aborted.
pub async fn serve(listener: TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            // Read the request head (bounded); the content does not depend on it.
            let mut buf = [0u8; 4096];
            let mut seen = 0;
            while seen < buf.len() {
                match tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buf[seen..]))
                    .await
                {
                    Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
                    Ok(Ok(n)) => seen += n,
                }
                if buf[..seen].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            let body = metrics.render();
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(body.as_bytes()).await;
            let _ = socket.shutdown().await;
        });
    }
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
            "copydesk_call_duration_seconds_bucket{method=\"Normalize\",le=\"0.005\"} 1"
        ));
        assert!(
            text.contains(
                "copydesk_call_duration_seconds_bucket{method=\"Normalize\",le=\"+Inf\"} 2"
            )
        );
    }
}
