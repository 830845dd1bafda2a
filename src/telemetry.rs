//! OpenTelemetry tracing, off unless `--otlp-endpoint` names a collector.
//!
//! The spans are `tracing` spans; `tracing-opentelemetry` turns the ones named here into
//! OpenTelemetry spans and the SDK's batch span processor sends them over OTLP/gRPC (tonic).
//!
//! - one span per gRPC call (`grpc::layer::Edge`, target [`CALL_TARGET`]), kind server, named
//!   `package.Service/Method`, with `rpc.*` attributes, `x_request_id` and the call's
//!   `rpc.grpc.status_code`; its parent is the caller's W3C `traceparent` / `tracestate`
//!   metadata when it sends one ([`remote_parent`]). Health checks get none (probes every few
//!   seconds would drown the traces).
//! - under it, for every document, `normalize` on the engine thread (`grpc::workers` carries
//!   the caller's span over to it) and its stages (`engine::normalize` / `engine::read`, target
//!   `copydesk::engine`, level DEBUG).
//!
//! The call span is never written to the log ([`log_filter`]): log lines stay as they were. The
//! stage spans are DEBUG, so with OTLP off and the default log level they are disabled at their
//! call site (one cached check), and the engine does no tracing work.

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::propagation::{Extractor, TextMapPropagator as _};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tonic::codegen::http;
use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt as _, Targets, filter_fn};
use tracing_subscriber::layer::Filter;
use tracing_subscriber::registry::LookupSpan;

/// The target of the span of each gRPC call: exported, never logged.
pub const CALL_TARGET: &str = "copydesk::call";

/// The target (module) of the engine's stage spans.
pub const ENGINE_TARGET: &str = "copydesk::engine";

/// The longest the exit waits for the last spans to be sent: the default grace and drain (25 s)
/// and this stay inside Kubernetes' default 30 s before SIGKILL.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(3);

/// Why tracing could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("cannot set up the OTLP exporter for {endpoint}: {source}")]
    Exporter {
        endpoint: String,
        source: opentelemetry_otlp::ExporterBuildError,
    },
}

/// gRPC metadata (HTTP/2 headers) as the propagator reads them.
pub struct HeaderExtractor<'a>(pub &'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// The caller's trace context from its W3C `traceparent` and `tracestate` metadata; an empty
/// context when it sent none or an invalid one (the call span then starts a trace of its own).
pub fn remote_parent(headers: &http::HeaderMap) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// The spans that are exported: the call spans and the engine's.
pub fn exported<S>() -> impl Filter<S> + Send + Sync + 'static {
    Targets::new()
        .with_target(CALL_TARGET, Level::INFO)
        .with_target(ENGINE_TARGET, Level::DEBUG)
}

/// The log's filter: `filter` (`RUST_LOG`), and never the call spans, which exist for export
/// only (the `request` span carries `x_request_id` to the log lines).
pub fn log_filter<S>(filter: impl Filter<S>) -> impl Filter<S> {
    filter.and(filter_fn(|meta: &Metadata<'_>| {
        meta.target() != CALL_TARGET
    }))
}

/// The OTLP exporter and the tracer provider that batches spans for it.
pub struct Otlp {
    provider: SdkTracerProvider,
}

impl Otlp {
    /// Sets up the export to `endpoint` (an `http://` URL, OTLP/gRPC). Must be called inside a
    /// tokio runtime: the exporter's channel lives on it. Nothing is sent until the first
    /// batch; a collector that is down costs the spans (dropped silently: the SDK's own logs
    /// are not built in), never a failed call. The batch span processor runs on a thread of its
    /// own; the exporter's own settings (`OTEL_EXPORTER_OTLP_HEADERS`, `_TIMEOUT`, `_COMPRESSION`),
    /// the batch's (`OTEL_BSP_*`) and `OTEL_RESOURCE_ATTRIBUTES` are read from the environment.
    pub fn start(endpoint: &str, service_name: &str) -> Result<Otlp, TelemetryError> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(endpoint)
            .build()
            .map_err(|source| TelemetryError::Exporter {
                endpoint: endpoint.to_string(),
                source,
            })?;
        let resource = Resource::builder()
            .with_service_name(service_name.to_string())
            .with_attribute(KeyValue::new("service.version", crate::VERSION))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build();
        Ok(Otlp { provider })
    }

    /// The `tracing` layer that hands the exported spans to the provider.
    pub fn layer<S>(&self) -> impl Layer<S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer("copydesk"))
            .with_filter(exported())
    }

    /// Sends what is still batched and stops the exporter (blocks, at most
    /// [`FLUSH_TIMEOUT`]). Call it after the server stopped, on a thread that is not one of
    /// the runtime's, while the runtime still runs.
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown_with_timeout(FLUSH_TIMEOUT) {
            tracing::warn!(%error, "the last spans may not have been exported");
        }
    }
}
