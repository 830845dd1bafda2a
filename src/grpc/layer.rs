//! The one tower layer in front of every gRPC service. tonic's own `grpc-timeout` timer sits
//! outside any user layer and answers CANCELLED ("Timeout expired"); this layer answers
//! DEADLINE_EXCEEDED a little earlier, including while a large body is still being read. It
//! also stamps the arrival time for the handlers and rewrites tonic's refusal of an over-large
//! message to RESOURCE_EXHAUSTED naming the document limit. Calls that never reach a handler,
//! or leave it unanswered, are logged and counted here: refusals of a message that did not
//! decode (INTERNAL, the gRPC convention, kept), and calls the client cancelled. A request's
//! `x-request-id` metadata is echoed in the response's and set on a tracing span around the
//! call, so every log line of the call carries it.
//!
//! Every call but a health check also gets a span for OpenTelemetry (`call_span`, exported
//! when `--otlp-endpoint` is set, never logged): its parent is the caller's W3C
//! `traceparent`, and it ends with the call's gRPC status, read from the response's headers
//! (trailers-only answers) or from the trailers at the end of its body (`Traced`), so that a
//! NormalizeStream's span lasts as long as the stream.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;
use tonic::body::Body;
use tonic::codegen::http;
use tonic::{Code, Status};
use tracing::Instrument as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

use super::convert::code_name;
use super::metrics::Metrics;
use crate::telemetry::{CALL_TARGET, remote_parent};

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

/// Room above the document limit for the rest of a request (id, charset, hint, options and
/// protobuf framing). Larger unary messages are refused by tonic, and `Edge` turns that
/// refusal into RESOURCE_EXHAUSTED naming the document limit.
pub const ENVELOPE_BYTES: usize = 64 * 1024;

/// The largest message tonic decodes for a unary call: the document limit and its envelope.
/// A larger one is refused before the handler runs (rewritten to RESOURCE_EXHAUSTED by
/// `Edge`); that ends only its own call.
pub fn unary_message_limit(max_document_bytes: usize) -> usize {
    max_document_bytes.saturating_add(ENVELOPE_BYTES)
}

/// The largest message tonic decodes on a NormalizeStream: twice the document limit, and the
/// envelope. A message tonic refuses ends the whole stream (tonic's `Streaming` reads nothing
/// after an error), so the stream's limit sits well above the document limit: a document over
/// the document limit but under this one is read, refused by the document check before it
/// takes a concurrency permit or an engine thread, answered as an error item, and dropped; the
/// stream goes on. Only a message over this limit still ends the stream.
///
/// What it costs, and its bound: while such a message is read, tonic buffers it whole (at most
/// this limit; a compressed one also decompressed, again at most this limit) and prost decodes
/// a copy of its text, so one stream holds up to two (compressed: three) times this limit at
/// that moment, about 64 MiB at the default 16 MiB document limit; the stream's receive buffer
/// keeps its capacity until the stream ends. Streams per connection are bounded by
/// `--max-concurrent-streams`, and the refused document is dropped as soon as it is answered.
pub fn stream_message_limit(max_document_bytes: usize) -> usize {
    max_document_bytes
        .saturating_mul(2)
        .saturating_add(ENVELOPE_BYTES)
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
/// RESOURCE_EXHAUSTED in its own words) before our code runs. This recognises that refusal:
/// `Some(found)` with the size tonic names (`None` for a compressed message, which outgrew
/// the limit while it was decompressed); `None` for every other status.
pub fn oversize_refusal(status: &Status) -> Option<Option<usize>> {
    let message = status.message();
    if let Some(rest) = message.strip_prefix("Error, decoded message length too large: found ") {
        Some(rest.split(' ').next().and_then(|n| n.parse::<usize>().ok()))
    } else if message.starts_with("Error decompressing: size limit") {
        Some(None)
    } else {
        None
    }
}

fn size_words(found: Option<usize>) -> String {
    found.map_or_else(
        || "over the size accepted".to_string(),
        |n| format!("{n} bytes"),
    )
}

/// The contract wants RESOURCE_EXHAUSTED with a message naming the document limit for a
/// unary request tonic refused as too large: this gives it (`None` for other statuses).
pub fn oversize_status(status: &Status, limit: usize) -> Option<Status> {
    let size = size_words(oversize_refusal(status)?);
    Some(Status::resource_exhausted(format!(
        "request message is {size}, over the limit of {limit} bytes per document: split it or raise --max-document-bytes"
    )))
}

/// The same for a NormalizeStream message over the stream's own limit
/// ([`stream_message_limit`]): the status that ends the stream, naming both limits.
pub fn stream_oversize_status(status: &Status, max_document_bytes: usize) -> Option<Status> {
    let size = size_words(oversize_refusal(status)?);
    let limit = stream_message_limit(max_document_bytes);
    Some(Status::resource_exhausted(format!(
        "stream message is {size}, over the limit of {limit} bytes per stream message (twice the document limit of {max_document_bytes} bytes, and room for the envelope), so the stream ends here: split the document or raise --max-document-bytes"
    )))
}

/// Whether `status` is tonic's refusal of a request message that did not decode: not protobuf
/// of the method's request type (prost's "failed to decode Protobuf message", which includes
/// invalid UTF-8 in a string field), bad gRPC framing (a compression flag other than 0 or 1, or
/// 1 without an encoding), a body that does not decompress, or a message cut short. tonic
/// answers all of them INTERNAL, as the gRPC status-code guide asks for parse errors.
pub fn is_decode_failure(status: &Status) -> bool {
    const PREFIXES: [&str; 4] = [
        "failed to decode Protobuf message",
        "protocol error: received message with",
        "Error decompressing:",
        "Unexpected EOF decoding stream",
    ];
    status.code() == tonic::Code::Internal
        && PREFIXES.iter().any(|p| status.message().starts_with(p))
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
        let request_id = request_id(request.headers());
        let call = call_span(request.uri().path(), request.headers());
        // The log's span, inside the call's: entered together, the log finds the one and
        // OpenTelemetry the other (each layer sees only its own).
        let span = match request_id.as_ref().and_then(|v| v.to_str().ok()) {
            Some(id) => {
                call.record("x_request_id", id);
                tracing::info_span!(parent: &call, "request", x_request_id = id)
            }
            None => tracing::Span::none(),
        };
        let response = call.in_scope(|| span.in_scope(|| self.inner.call(request)));
        let call_outer = call.clone();
        let answer = async move {
            // Logs and counts the call if this future is dropped before it is answered.
            let mut unanswered = Unanswered {
                metrics: metrics.clone(),
                method,
                at: arrival.at,
                answered: false,
                call: call.clone(),
            };
            let result = match arrival.client_deadline() {
                None => response.await,
                Some(deadline) => match tokio::time::timeout_at(deadline, response).await {
                    Ok(result) => result,
                    Err(_) => {
                        unanswered.answered = true;
                        let budget = arrival.client_timeout.unwrap_or_default();
                        let status = Status::deadline_exceeded(format!(
                            "the client's deadline of {} ms passed before the call was answered",
                            budget.as_millis()
                        ));
                        log_edge(&metrics, method, arrival.at, &status);
                        record_status(&call, status.code(), status.message());
                        let mut response = status.into_http();
                        echo_request_id(&mut response, request_id);
                        return Ok(response);
                    }
                },
            };
            unanswered.answered = true;
            result.map(|mut response| {
                if let Some(status) = rewrite_oversize(&mut response, limit) {
                    log_edge(&metrics, method, arrival.at, &status);
                } else if let Some(status) =
                    Status::from_header_map(response.headers()).filter(is_decode_failure)
                {
                    // A unary request tonic could not decode: answered INTERNAL before any
                    // handler ran. (In a stream, the handler sees and logs it.)
                    metrics.decode_failure(method);
                    log_edge(&metrics, method, arrival.at, &status);
                }
                echo_request_id(&mut response, request_id);
                trace_status(&call, &mut response);
                response
            })
        };
        Box::pin(answer.instrument(span).instrument(call_outer))
    }
}

/// The span of one call for OpenTelemetry (see the module comment), or a disabled one for a
/// health check or when nothing collects it (OTLP off: the call site's cached answer, nothing
/// else). Named `package.Service/Method` with the `rpc.*` attributes of the OpenTelemetry
/// conventions for gRPC; `x_request_id` and the status are recorded later.
fn call_span(path: &str, headers: &http::HeaderMap) -> tracing::Span {
    if path.starts_with("/grpc.health.v1.Health/") {
        return tracing::Span::none();
    }
    let name = path.strip_prefix('/').unwrap_or(path);
    let (service, method) = name.split_once('/').unwrap_or((name, ""));
    let span = tracing::info_span!(
        target: CALL_TARGET,
        "grpc",
        otel.name = name,
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = service,
        rpc.method = method,
        x_request_id = tracing::field::Empty,
        rpc.grpc.status_code = tracing::field::Empty,
        otel.status_code = tracing::field::Empty,
        otel.status_description = tracing::field::Empty,
    );
    if !span.is_disabled() {
        // Fails only where no OpenTelemetry layer is installed: then there is nothing to link.
        let _ = span.set_parent(remote_parent(headers));
    }
    span
}

/// Records the call's gRPC status on its span. As the OpenTelemetry conventions for gRPC
/// servers say, only the codes that mean the server failed mark the span as an error; a
/// refused document (INVALID_ARGUMENT) or a shed call (RESOURCE_EXHAUSTED) is the status
/// code alone.
fn record_status(span: &tracing::Span, code: Code, message: &str) {
    span.record("rpc.grpc.status_code", code as i64);
    if matches!(
        code,
        Code::Unknown
            | Code::DeadlineExceeded
            | Code::Unimplemented
            | Code::Internal
            | Code::Unavailable
            | Code::DataLoss
    ) {
        span.record("otel.status_code", "error");
        span.record("otel.status_description", message);
    }
}

/// Records the status of a trailers-only answer now; otherwise the body carries the span
/// until its trailers say how the call ended.
fn trace_status(span: &tracing::Span, response: &mut http::Response<Body>) {
    if span.is_disabled() {
        return;
    }
    if let Some(status) = Status::from_header_map(response.headers()) {
        record_status(span, status.code(), status.message());
        return;
    }
    let body = std::mem::take(response.body_mut());
    *response.body_mut() = Body::new(Traced {
        inner: body,
        span: span.clone(),
        ended: false,
    });
}

/// A response body that records the call's status from its trailers on the call's span, and
/// keeps the span open until the body ends.
struct Traced {
    inner: Body,
    span: tracing::Span,
    ended: bool,
}

impl http_body::Body for Traced {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Status>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(status) = frame.trailers_ref().and_then(Status::from_header_map) {
                    record_status(&self.span, status.code(), status.message());
                    self.ended = true;
                }
            }
            Poll::Ready(Some(Err(status))) => {
                record_status(&self.span, status.code(), status.message());
                self.ended = true;
            }
            Poll::Ready(None) => self.ended = true,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Traced {
    /// A body dropped before its end: the client went away (or the drain timeout passed).
    fn drop(&mut self) {
        if !self.ended {
            record_status(
                &self.span,
                Code::Cancelled,
                "the stream ended before its answer was complete",
            );
        }
    }
}

/// The metadata key of a caller's request id.
pub const X_REQUEST_ID: &str = "x-request-id";

/// The longest `x-request-id` taken; a longer one is ignored (neither echoed nor logged).
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// The caller's `x-request-id`, when it is printable ASCII of 1 to 128 bytes.
fn request_id(headers: &http::HeaderMap) -> Option<http::HeaderValue> {
    let value = headers.get(X_REQUEST_ID)?;
    let printable = value.as_bytes().iter().all(|b| (0x20..0x7f).contains(b));
    (printable && !value.is_empty() && value.len() <= MAX_REQUEST_ID_BYTES).then(|| value.clone())
}

/// Sends the caller's `x-request-id` back in the response headers (or, for an answer that is
/// only a status, with it).
fn echo_request_id<B>(response: &mut http::Response<B>, id: Option<http::HeaderValue>) {
    if let Some(id) = id {
        response
            .headers_mut()
            .insert(http::HeaderName::from_static(X_REQUEST_ID), id);
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

/// The log line and metrics of a call answered by the edge, before any handler saw it. A
/// request that did not decode is a client's bug the client may not see: a warning.
fn log_edge(metrics: &Metrics, method: &'static str, at: Instant, status: &Status) {
    let took = at.elapsed();
    let code = code_name(status.code());
    metrics.record(method, code, 0, took);
    let duration_ms = took.as_secs_f64() * 1000.0;
    if is_decode_failure(status) {
        tracing::warn!(
            request_id = "-",
            method,
            language = "",
            bytes_in = 0,
            duration_ms,
            status = code,
            error = status.message(),
            "call: the request message did not decode"
        );
    } else {
        tracing::info!(
            request_id = "-",
            method,
            language = "",
            bytes_in = 0,
            duration_ms,
            status = code,
            error = status.message(),
            "call"
        );
    }
}

/// A call in progress at the edge. Dropped before it was answered, it is a call the client
/// cancelled: hyper drops the call when the client resets its HTTP/2 stream (a cancelled call,
/// a client-side timeout) or its connection closes, and the handler's own log line then never
/// comes. Counted in `copydesk_cancelled_total` (not in `copydesk_calls_total`, which counts
/// answers) and logged. For a NormalizeStream this covers only the wait for its response
/// headers; a stream cancelled later is seen by its handler.
struct Unanswered {
    metrics: Arc<Metrics>,
    method: &'static str,
    at: Instant,
    answered: bool,
    /// The call's span, which ends with it: CANCELLED.
    call: tracing::Span,
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        record_status(&self.call, Code::Cancelled, "no answer was sent");
        log_unanswered(
            &self.metrics,
            self.method,
            "no answer was sent",
            self.at.elapsed(),
        );
    }
}

/// The log line (and count) of a call or stream that ended before it was answered in full:
/// cancelled by its client, or closed by the server when the drain timeout passed.
pub fn log_unanswered(metrics: &Metrics, method: &'static str, detail: &str, took: Duration) {
    let duration_ms = took.as_secs_f64() * 1000.0;
    if metrics.closing() {
        tracing::info!(
            request_id = "-",
            method,
            duration_ms,
            detail,
            status = "CANCELLED",
            error = "closed unanswered by the server: the drain timeout passed",
            "call"
        );
        return;
    }
    metrics.cancelled(method);
    tracing::info!(
        request_id = "-",
        method,
        duration_ms,
        detail,
        status = "CANCELLED",
        error = "the client cancelled (or its connection closed) before the answer",
        "call"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn decode_failures_are_told_apart_from_other_internal_statuses() {
        for message in [
            "failed to decode Protobuf message: Document.text: invalid string value: data is not UTF-8 encoded",
            "failed to decode Protobuf message: invalid wire type value: 7",
            "protocol error: received message with invalid compression flag: 2 (valid flags are 0 and 1), while sending request",
            "Error decompressing: corrupt deflate stream, while sending request",
            "Unexpected EOF decoding stream.",
        ] {
            assert!(is_decode_failure(&Status::internal(message)), "{message}");
        }
        assert!(!is_decode_failure(&Status::internal(
            "the normaliser failed on this document (logged on the server)"
        )));
        assert!(!is_decode_failure(&Status::invalid_argument(
            "failed to decode Protobuf message: x"
        )));
    }

    #[test]
    fn a_stream_message_over_the_stream_limit_names_both_limits() {
        let tonic = Status::out_of_range(
            "Error, decoded message length too large: found 40000000 bytes, the limit is: 33619968 bytes",
        );
        let s = stream_oversize_status(&tonic, 16 << 20).unwrap();
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("40000000 bytes"), "{s:?}");
        assert!(s.message().contains("33619968 bytes"), "{s:?}");
        assert!(s.message().contains("16777216 bytes"), "{s:?}");
        assert!(s.message().contains("the stream ends"), "{s:?}");
        assert!(stream_oversize_status(&Status::internal("x"), 1).is_none());
    }

    #[test]
    fn the_stream_limit_is_above_the_unary_limit_and_saturates() {
        assert_eq!(unary_message_limit(16 << 20), (16 << 20) + ENVELOPE_BYTES);
        assert_eq!(stream_message_limit(16 << 20), (32 << 20) + ENVELOPE_BYTES);
        assert_eq!(stream_message_limit(usize::MAX), usize::MAX);
    }
}
