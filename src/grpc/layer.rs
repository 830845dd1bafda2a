//! The one tower layer in front of every gRPC service. tonic's own `grpc-timeout` timer sits
//! outside any user layer and answers CANCELLED ("Timeout expired"); this layer answers
//! DEADLINE_EXCEEDED a little earlier, including while a large body is still being read. It
//! also stamps the arrival time for the handlers and rewrites tonic's refusal of an over-large
//! message to RESOURCE_EXHAUSTED naming the document limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tonic::Status;
use tonic::body::Body;
use tonic::codegen::http;

use super::convert::code_name;
use super::metrics::Metrics;

/// When a request reached the server and the deadline its client set, if any.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub at: Instant,
    /// The client's `grpc-timeout`.
    pub client_timeout: Option<Duration>,
}

impl Arrival {
    /// The client's deadline, a little early: tonic's timer fires at the exact deadline with
    /// CANCELLED, and ours must answer first.
    pub fn client_deadline(&self) -> Option<Instant> {
        self.client_timeout
            .map(|t| self.at + t.saturating_sub(margin(t)))
    }
}

/// 5% of the budget, between 1 and 20 ms.
fn margin(timeout: Duration) -> Duration {
    (timeout / 20).clamp(Duration::from_millis(1), Duration::from_millis(20))
}

/// Parses a `grpc-timeout` value: up to 8 digits and a unit (H, M, S, m, u, n).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    if value.len() < 2 || value.len() > 9 || !value.is_ascii() {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// tonic refuses a message over its decoding limit with OUT_OF_RANGE (or, compressed,
/// RESOURCE_EXHAUSTED in its own words) before our code runs. The contract wants
/// RESOURCE_EXHAUSTED with a message naming the document limit: this gives it.
pub fn oversize_status(status: &Status, limit: usize) -> Option<Status> {
    let message = status.message();
    let found = if let Some(rest) =
        message.strip_prefix("Error, decoded message length too large: found ")
    {
        rest.split(' ').next().and_then(|n| n.parse::<usize>().ok())
    } else if message.starts_with("Error decompressing: size limit") {
        None
    } else {
        return None;
    };
    let size = found.map_or_else(
        || "over the size accepted".to_string(),
        |n| format!("{n} bytes"),
    );
    Some(Status::resource_exhausted(format!(
        "request message is {size}, over the limit of {limit} bytes per document: split it or raise --max-document-bytes"
    )))
}

/// Wraps the routes; see the module comment.
#[derive(Clone)]
pub struct EdgeLayer {
    /// The document limit named in rewritten messages.
    pub max_document_bytes: usize,
    /// Calls answered here never reach a handler, so they are counted and logged here.
    pub metrics: Arc<Metrics>,
}

impl<S> tower::Layer<S> for EdgeLayer {
    type Service = Edge<S>;
    fn layer(&self, inner: S) -> Edge<S> {
        Edge {
            inner,
            max_document_bytes: self.max_document_bytes,
            metrics: self.metrics.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Edge<S> {
    inner: S,
    max_document_bytes: usize,
    metrics: Arc<Metrics>,
}

impl<S> tower::Service<http::Request<Body>> for Edge<S>
where
    S: tower::Service<http::Request<Body>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let arrival = Arrival {
            at: Instant::now(),
            client_timeout: request
                .headers()
                .get("grpc-timeout")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_grpc_timeout),
        };
        request.extensions_mut().insert(arrival);
        let limit = self.max_document_bytes;
        let metrics = self.metrics.clone();
        let method = method_name(request.uri().path());
        let response = self.inner.call(request);
        Box::pin(async move {
            let result = match arrival.client_deadline() {
                None => response.await,
                Some(deadline) => match tokio::time::timeout_at(deadline, response).await {
                    Ok(result) => result,
                    Err(_) => {
                        let budget = arrival.client_timeout.unwrap_or_default();
                        let status = Status::deadline_exceeded(format!(
                            "the client's deadline of {} ms passed before the call was answered",
                            budget.as_millis()
                        ));
                        log_edge(&metrics, method, arrival.at, &status);
                        return Ok(status.into_http());
                    }
                },
            };
            result.map(|mut response| {
                if let Some(status) = rewrite_oversize(&mut response, limit) {
                    log_edge(&metrics, method, arrival.at, &status);
                }
                response
            })
        })
    }
}

/// Rewrites tonic's answer to an over-large unary request (trailers-only, so the status is in
/// the headers) to RESOURCE_EXHAUSTED naming the document limit.
fn rewrite_oversize(response: &mut http::Response<Body>, limit: usize) -> Option<Status> {
    let status = Status::from_header_map(response.headers())?;
    let rewritten = oversize_status(&status, limit)?;
    // add_header only fails on a message that is not a valid header value; ours is ASCII.
    let _ = rewritten.add_header(response.headers_mut());
    Some(rewritten)
}

/// The method of a gRPC path (`/copydesk.v1.NormalizerService/Normalize` → `Normalize`),
/// as a static name for the metrics; other services' methods are `other`.
fn method_name(path: &str) -> &'static str {
    match path.strip_prefix("/copydesk.v1.NormalizerService/") {
        Some("Normalize") => "Normalize",
        Some("NormalizeStream") => "NormalizeStream",
        Some("DetectLanguage") => "DetectLanguage",
        Some("GetCapabilities") => "GetCapabilities",
        _ => "other",
    }
}

/// The log line and metrics of a call answered by the edge, before any handler saw it.
fn log_edge(metrics: &Metrics, method: &'static str, at: Instant, status: &Status) {
    let took = at.elapsed();
    let code = code_name(status.code());
    metrics.record(method, code, 0, took);
    tracing::info!(
        request_id = "-",
        method,
        language = "",
        bytes_in = 0,
        duration_ms = took.as_secs_f64() * 1000.0,
        status = code,
        error = status.message(),
        "call"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn grpc_timeout_parses_every_unit() {
        for (v, d) in [
            ("100m", Duration::from_millis(100)),
            ("2S", Duration::from_secs(2)),
            ("1M", Duration::from_secs(60)),
            ("1H", Duration::from_secs(3600)),
            ("500u", Duration::from_micros(500)),
            ("7n", Duration::from_nanos(7)),
        ] {
            assert_eq!(parse_grpc_timeout(v), Some(d), "{v}");
        }
        assert_eq!(parse_grpc_timeout("123456789S"), None);
        assert_eq!(parse_grpc_timeout("10x"), None);
        assert_eq!(parse_grpc_timeout("m"), None);
    }

    #[test]
    fn the_client_deadline_comes_a_little_early() {
        let at = Instant::now();
        let a = Arrival {
            at,
            client_timeout: Some(Duration::from_millis(100)),
        };
        assert_eq!(a.client_deadline(), Some(at + Duration::from_millis(95)));
        let none = Arrival {
            at,
            client_timeout: None,
        };
        assert_eq!(none.client_deadline(), None);
    }

    #[test]
    fn tonic_oversize_becomes_resource_exhausted_naming_our_limit() {
        let tonic = Status::out_of_range(
            "Error, decoded message length too large: found 20971530 bytes, the limit is: 16842752 bytes",
        );
        let s = oversize_status(&tonic, 16 << 20).unwrap();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("20971530 bytes"));
        assert!(s.message().contains("16777216 bytes"));
        let zipped = Status::resource_exhausted(
            "Error decompressing: size limit, of 16842752 bytes, exceeded while decompressing message",
        );
        assert!(
            oversize_status(&zipped, 7)
                .unwrap()
                .message()
                .contains("7 bytes")
        );
        assert!(oversize_status(&Status::out_of_range("other"), 1).is_none());
    }
}
