//! Typed configuration of the server: defaults, then `COPYDESK_*` environment variables, then
//! flags. clap's `env` attribute gives exactly that order, so this struct is the whole story.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The engine's own default limit (`engine::Config::max_document_bytes`): 16 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
/// Default for `--request-timeout`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for `--shutdown-grace`: time for load balancers and Kubernetes' endpoints to take
/// the server out of rotation while it still answers (NOT_SERVING to health checks).
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Default for `--drain-timeout`: grace + drain = 25 s, inside Kubernetes' default
/// `terminationGracePeriodSeconds` of 30 s, so the drain ends before SIGKILL comes.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(20);
/// Default for `--max-concurrent-streams` (HTTP/2 streams per connection).
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 256;
/// Default for `--memory-budget`: sized for a 512 MiB container. The rules take about 40 MB
/// resident after start-up and about 160 MB of heap once every language has been compiled (each
/// on its first document: a long-running server meets them all), the runtime, the engine
/// threads' regex caches and the request buffers of calls being read about 60 MB more; 224 MiB
/// of documents in work leaves the rest as headroom (measured: docs/robustness.md, issue 12
/// item 2).
pub const DEFAULT_MEMORY_BUDGET: usize = 224 * 1024 * 1024;

/// Default for `--otlp-service-name`.
pub const DEFAULT_OTLP_SERVICE_NAME: &str = "copydesk";

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Everything `copydesk serve` can be told.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address of the gRPC listener (plaintext HTTP/2).
    #[arg(long, env = "COPYDESK_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,

    /// Largest accepted document in bytes; larger ones get RESOURCE_EXHAUSTED.
    #[arg(long, env = "COPYDESK_MAX_DOCUMENT_BYTES", default_value_t = DEFAULT_MAX_DOCUMENT_BYTES,
          value_parser = parse_positive_usize)]
    pub max_document_bytes: usize,

    /// Time one document may take (e.g. 30s, 500ms, 2m); the client's deadline wins when shorter.
    #[arg(long, env = "COPYDESK_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Documents normalised at the same time; unary calls beyond it are shed with
    /// RESOURCE_EXHAUSTED (default: 32 per core).
    #[arg(long, env = "COPYDESK_CONCURRENCY_LIMIT", default_value_t = default_concurrency_limit(),
          value_parser = parse_positive_usize)]
    pub concurrency_limit: usize,

    /// Memory for documents in work (e.g. 224MiB, 1GiB, or bytes): each document takes its
    /// estimated peak (from its size and lines) while in work; unary calls beyond it are shed
    /// with RESOURCE_EXHAUSTED, stream items wait; a document estimated over the whole budget
    /// is refused.
    #[arg(long, env = "COPYDESK_MEMORY_BUDGET", default_value = "224MiB", value_parser = parse_bytes)]
    pub memory_budget: usize,

    /// Largest response message in bytes; a larger article is RESOURCE_EXHAUSTED (in a stream:
    /// an error item). Default: twice --max-document-bytes plus 1 MiB.
    #[arg(long, env = "COPYDESK_MAX_RESPONSE_BYTES", value_parser = parse_bytes)]
    pub max_response_bytes: Option<usize>,

    /// HTTP/2 streams (calls and open NormalizeStreams) per connection.
    #[arg(long, env = "COPYDESK_MAX_CONCURRENT_STREAMS", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS)]
    pub max_concurrent_streams: u32,

    /// Items of one NormalizeStream normalised at the same time; answers still leave in input
    /// order (default: one per engine thread, i.e. per core).
    #[arg(long, env = "COPYDESK_STREAM_CONCURRENCY", default_value_t = default_stream_concurrency(),
          value_parser = parse_positive_usize)]
    pub stream_concurrency: usize,

    /// On SIGINT/SIGTERM, how long health answers NOT_SERVING while new connections and calls
    /// are still accepted, before the listener closes and the drain starts (0s: no grace).
    #[arg(long, env = "COPYDESK_SHUTDOWN_GRACE", default_value = "5s", value_parser = parse_duration_or_zero)]
    pub shutdown_grace: Duration,

    /// After the grace, how long in-flight calls and open streams may run before the exit.
    #[arg(long, env = "COPYDESK_DRAIN_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    pub drain_timeout: Duration,

    /// Folder of rule files laid over the embedded ones (same name replaces).
    #[arg(long, env = "COPYDESK_RULES", value_name = "DIR")]
    pub rules: Option<PathBuf>,

    /// Log format.
    #[arg(long, env = "COPYDESK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Serve Prometheus metrics as plain HTTP on this address (off when unset).
    #[arg(long, env = "COPYDESK_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,

    /// Export OpenTelemetry traces over OTLP/gRPC (plaintext) to this collector, e.g.
    /// http://localhost:4317 (off when unset): a span per call, its parent from the caller's
    /// `traceparent`, and the engine's stages under it.
    #[arg(long, env = "COPYDESK_OTLP_ENDPOINT", value_name = "URL", value_parser = parse_otlp_endpoint)]
    pub otlp_endpoint: Option<String>,

    /// The `service.name` of the exported traces.
    #[arg(long, env = "COPYDESK_OTLP_SERVICE_NAME", value_name = "NAME", default_value = DEFAULT_OTLP_SERVICE_NAME)]
    pub otlp_service_name: String,
}

impl Default for ServeConfig {
    /// The same values as the flags' defaults (a unit test keeps them equal).
    fn default() -> Self {
        ServeConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            concurrency_limit: default_concurrency_limit(),
            max_concurrent_streams: DEFAULT_MAX_CONCURRENT_STREAMS,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            max_response_bytes: None,
            stream_concurrency: default_stream_concurrency(),
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            rules: None,
            log_format: LogFormat::Text,
            metrics_listen: None,
            otlp_endpoint: None,
            otlp_service_name: DEFAULT_OTLP_SERVICE_NAME.to_string(),
        }
    }
}

impl ServeConfig {
    /// The engine's configuration for these settings.
    pub fn engine(&self) -> crate::engine::Config {
        crate::engine::Config {
            max_document_bytes: self.max_document_bytes,
            ..crate::engine::Config::default()
        }
    }

    /// The response limit: `--max-response-bytes`, else twice the document limit plus 1 MiB
    /// (an article is its text and its blocks, about twice its input, for real copy).
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes.unwrap_or_else(|| {
            self.max_document_bytes
                .saturating_mul(2)
                .saturating_add(1024 * 1024)
        })
    }
}

/// 32 concurrent documents per core: the engine is CPU-bound, so more only queue in the
/// blocking pool, while fewer would shed load that a short queue could absorb.
pub fn default_concurrency_limit() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()) * 32
}

/// One item per engine thread (the engine threads are one per core): more items of one stream
/// at once would only wait for a thread, each holding a concurrency permit meanwhile.
pub fn default_stream_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn parse_positive_usize(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be greater than 0".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses a size in bytes: a plain number, or one with a unit (`KiB`, `MiB`, `GiB` in powers
/// of 1024; `KB`, `MB`, `GB` in powers of 1000; `B`), above zero.
pub fn parse_bytes(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: usize = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        _ => {
            return Err(format!(
                "{t:?} is not a size: use e.g. 268435456, 256MiB or 1GiB"
            ));
        }
    };
    let n: usize = number
        .parse()
        .map_err(|_| format!("{t:?} is not a size: use e.g. 268435456, 256MiB or 1GiB"))?;
    match n.checked_mul(factor) {
        Some(0) => Err("must be greater than 0".into()),
        Some(v) => Ok(v),
        None => Err(format!("{t:?} is out of range")),
    }
}

/// Checks an OTLP collector address: an `http://` URL with a host (`http://localhost:4317`).
/// OTLP/gRPC over TLS is not built in: an `https://` URL is refused here with a message that
/// says so, rather than when the first span is sent.
pub fn parse_otlp_endpoint(s: &str) -> Result<String, String> {
    let s = s.trim();
    let uri: tonic::codegen::http::Uri = s
        .parse()
        .map_err(|e| format!("{s:?} is not a URL ({e}): use e.g. http://localhost:4317"))?;
    match uri.scheme_str() {
        Some("http") if uri.host().is_some_and(|h| !h.is_empty()) => Ok(s.to_string()),
        Some("https") => Err(format!(
            "{s:?}: OTLP over TLS is not built in; send to a collector on plaintext gRPC (http://), e.g. an agent on the same host"
        )),
        _ => Err(format!(
            "{s:?} is not an http:// URL with a host: use e.g. http://localhost:4317"
        )),
    }
}

/// The longest duration a flag accepts: a timeout beyond a day is a mistake, not a setting.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Parses a duration as humantime writes it (`250ms`, `30s`, `2m`, `1h 30m`) or a plain number
/// of seconds (`1.5`); zero and anything over [`MAX_DURATION`] are refused with a message that
/// says what would be accepted, never a panic.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let parsed = parse_duration_or_zero(s)?;
    if parsed.is_zero() {
        return Err(format!("{:?} must be greater than zero", s.trim()));
    }
    Ok(parsed)
}

/// As [`parse_duration`], but zero (`0`, `0s`) is allowed: for `--shutdown-grace`, where it
/// means no grace.
pub fn parse_duration_or_zero(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let parsed = if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !s.is_empty() {
        let seconds: f64 = s
            .parse()
            .map_err(|_| format!("{s:?} is not a duration: use e.g. 500ms, 30s, 2m"))?;
        Duration::try_from_secs_f64(seconds)
            .map_err(|_| format!("{s:?} is out of range: at most 24h"))?
    } else {
        humantime::parse_duration(s).map_err(|e| match e {
            humantime::DurationError::NumberOverflow => {
                format!("{s:?} is out of range: at most 24h")
            }
            e => format!("{s:?} is not a duration ({e}): use e.g. 500ms, 30s, 2m"),
        })?
    };
    if parsed > MAX_DURATION {
        return Err(format!("{s:?} is out of range: at most 24h"));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        config: ServeConfig,
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
    }

    #[test]
    fn durations_out_of_range_are_usage_errors_not_panics() {
        for s in [
            "100000000000000000000",
            "100000000000000000000s",
            "1e400",
            "25h",
            "99999999999999999999999999ms",
        ] {
            let e = parse_duration(s).expect_err(s);
            assert!(
                e.contains("out of range") || e.contains("not a duration"),
                "{s}: {e}"
            );
        }
        assert_eq!(parse_duration("24h"), Ok(MAX_DURATION));
    }

    #[test]
    fn the_grace_may_be_zero_other_durations_may_not() {
        assert_eq!(parse_duration_or_zero("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration_or_zero("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration_or_zero("5s"), Ok(Duration::from_secs(5)));
        assert!(parse_duration_or_zero("25h").is_err());
        assert!(parse_duration_or_zero("soon").is_err());
        assert!(parse_duration("0s").is_err());
        let c = Probe::parse_from(["copydesk", "--shutdown-grace", "0s"]).config;
        assert_eq!(c.shutdown_grace, Duration::ZERO);
        assert!(Probe::try_parse_from(["copydesk", "--drain-timeout", "0s"]).is_err());
    }

    /// Kubernetes sends SIGKILL 30 s after SIGTERM by default (terminationGracePeriodSeconds):
    /// the default grace and drain end before it, with room to spare.
    #[test]
    fn the_default_grace_and_drain_end_inside_kubernetes_default_30_s() {
        let c = ServeConfig::default();
        assert!(c.shutdown_grace > Duration::ZERO);
        assert!(c.shutdown_grace + c.drain_timeout <= Duration::from_secs(25));
    }

    #[test]
    fn flag_defaults_match_default_impl() {
        // Only meaningful without COPYDESK_* in the environment; CI runs clean.
        if std::env::vars().any(|(k, _)| k.starts_with("COPYDESK_")) {
            return;
        }
        let parsed = Probe::parse_from(["copydesk"]).config;
        let default = ServeConfig::default();
        assert_eq!(parsed.listen, default.listen);
        assert_eq!(parsed.max_document_bytes, default.max_document_bytes);
        assert_eq!(
            parsed.max_document_bytes,
            crate::engine::Config::default().max_document_bytes
        );
        assert_eq!(parsed.request_timeout, default.request_timeout);
        assert_eq!(parsed.concurrency_limit, default.concurrency_limit);
        assert_eq!(
            parsed.max_concurrent_streams,
            default.max_concurrent_streams
        );
        assert_eq!(parsed.stream_concurrency, default.stream_concurrency);
        assert_eq!(parsed.memory_budget, default.memory_budget);
        assert_eq!(parsed.max_response_bytes, default.max_response_bytes);
        assert_eq!(parsed.shutdown_grace, default.shutdown_grace);
        assert_eq!(parsed.drain_timeout, default.drain_timeout);
        assert_eq!(parsed.log_format, default.log_format);
        assert_eq!(parsed.metrics_listen, default.metrics_listen);
        assert_eq!(parsed.otlp_endpoint, default.otlp_endpoint);
        assert_eq!(parsed.otlp_endpoint, None, "OTLP export is off by default");
        assert_eq!(parsed.otlp_service_name, default.otlp_service_name);
    }

    #[test]
    fn the_otlp_endpoint_is_a_plaintext_http_url() {
        assert_eq!(
            parse_otlp_endpoint(" http://localhost:4317 "),
            Ok("http://localhost:4317".to_string())
        );
        assert!(parse_otlp_endpoint("http://otel-collector.monitoring:4317/").is_ok());
        let tls = parse_otlp_endpoint("https://collector:4317").unwrap_err();
        assert!(tls.contains("TLS"), "{tls}");
        for bad in [
            "localhost:4317",
            "collector",
            "",
            "http://",
            "grpc://x:4317",
        ] {
            assert!(parse_otlp_endpoint(bad).is_err(), "{bad:?}");
        }
        let c = Probe::parse_from([
            "copydesk",
            "--otlp-endpoint",
            "http://127.0.0.1:4317",
            "--otlp-service-name",
            "copydesk-eu",
        ])
        .config;
        assert_eq!(c.otlp_endpoint.as_deref(), Some("http://127.0.0.1:4317"));
        assert_eq!(c.otlp_service_name, "copydesk-eu");
        assert!(Probe::try_parse_from(["copydesk", "--otlp-endpoint", "https://x:4317"]).is_err());
    }

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert_eq!(parse_bytes("224MiB"), Ok(224 << 20));
        assert_eq!(parse_bytes("1 GiB"), Ok(1 << 30));
        assert_eq!(parse_bytes("64kib"), Ok(64 << 10));
        assert_eq!(parse_bytes("5MB"), Ok(5_000_000));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("12 parsecs").is_err());
        assert!(parse_bytes("99999999999999999999GiB").is_err());
        let c = Probe::parse_from(["copydesk", "--memory-budget", "64MiB"]).config;
        assert_eq!(c.memory_budget, 64 << 20);
        assert_eq!(
            c.max_response_bytes(),
            2 * DEFAULT_MAX_DOCUMENT_BYTES + (1 << 20)
        );
        let c = Probe::parse_from(["copydesk", "--max-response-bytes", "1MiB"]).config;
        assert_eq!(c.max_response_bytes(), 1 << 20);
    }

    #[test]
    fn flags_override_defaults() {
        let c = Probe::parse_from([
            "copydesk",
            "--listen",
            "127.0.0.1:0",
            "--max-document-bytes",
            "1000",
            "--request-timeout",
            "2s",
            "--concurrency-limit",
            "3",
            "--stream-concurrency",
            "5",
            "--log-format",
            "json",
        ])
        .config;
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.max_document_bytes, 1000);
        assert_eq!(c.request_timeout, Duration::from_secs(2));
        assert_eq!(c.concurrency_limit, 3);
        assert_eq!(c.stream_concurrency, 5);
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(Probe::try_parse_from(["copydesk", "--concurrency-limit", "0"]).is_err());
        assert!(Probe::try_parse_from(["copydesk", "--stream-concurrency", "0"]).is_err());
    }
}
