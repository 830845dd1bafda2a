//! OpenTelemetry export: the built binary, `copydesk serve --otlp-endpoint`, sends its spans to
//! an OTLP receiver that runs in the test (the collector's `TraceService/Export` as a tonic
//! server). The batch delay is set far beyond the test (`OTEL_BSP_SCHEDULE_DELAY`), so what the
//! receiver holds was sent by the flush at shutdown (SIGTERM); the test waits for the process
//! to exit (bounded by PATIENCE), never for a time.

mod common;

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use common::{EN, PATIENCE, request, text_doc};
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::Value;
use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

// ---- the receiver --------------------------------------------------------------------------

/// One exported span and the `service.name` of its resource.
#[derive(Debug, Clone)]
struct Exported {
    service: String,
    span: Span,
}

#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Exported>>>,
    requests: Arc<Mutex<usize>>,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        *self.requests.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        let mut spans = self.spans.lock().unwrap_or_else(|p| p.into_inner());
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .as_ref()
                .and_then(|r| string_attr(&r.attributes, "service.name"))
                .unwrap_or_default();
            for scope in resource_spans.scope_spans {
                for span in scope.spans {
                    spans.push(Exported {
                        service: service.clone(),
                        span,
                    });
                }
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse {
            partial_success: None,
        }))
    }
}

impl Receiver {
    /// Starts the receiver on a port of its own; returns its `http://` URL.
    async fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let service = TraceServiceServer::new(self.clone());
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(TcpIncoming::from(listener)),
        );
        format!("http://{addr}")
    }

    fn spans(&self) -> Vec<Exported> {
        self.spans.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn requests(&self) -> usize {
        *self.requests.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn attr<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
}

fn string_attr(attributes: &[KeyValue], key: &str) -> Option<String> {
    match attr(attributes, key)? {
        AnyValue::StringValue(s) => Some(s.clone()),
        _ => None,
    }
}

fn int_attr(attributes: &[KeyValue], key: &str) -> Option<i64> {
    match attr(attributes, key)? {
        AnyValue::IntValue(n) => Some(*n),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- the server, as a process --------------------------------------------------------------

/// `copydesk serve` on a port of its own, its JSON log lines collected. Killed when dropped
/// (a failed test leaves no process behind).
struct Server {
    child: Child,
    addr: SocketAddr,
    logs: Arc<Mutex<Vec<Value>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_copydesk"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
                "--shutdown-grace",
                "0s",
            ])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        // Only what the test sets: no COPYDESK_*, OTEL_* or RUST_LOG from the environment.
        for (key, _) in std::env::vars() {
            if key.starts_with("COPYDESK_") || key.starts_with("OTEL_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        command.envs(env.iter().copied());
        let mut child = command.spawn().expect("start copydesk serve");
        let stdout = child.stdout.take().expect("stdout");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let lines = logs.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(json) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                if let Some(addr) = json
                    .get("message")
                    .and_then(Value::as_str)
                    .filter(|m| m.starts_with("copydesk listening"))
                    .and_then(|_| json.get("addr")?.as_str()?.parse::<SocketAddr>().ok())
                {
                    let _ = tx.send(addr);
                }
                lines.lock().unwrap_or_else(|p| p.into_inner()).push(json);
            }
        });
        let addr = match rx.recv_timeout(PATIENCE) {
            Ok(addr) => addr,
            Err(e) => {
                let _ = child.kill();
                panic!("the server did not say where it listens: {e}");
            }
        };
        Server {
            child,
            addr,
            logs,
            reader: Some(reader),
        }
    }

    async fn client(&self) -> NormalizerServiceClient<tonic::transport::Channel> {
        NormalizerServiceClient::connect(format!("http://{}", self.addr))
            .await
            .expect("connect")
    }

    /// SIGTERM, then the exit (bounded by PATIENCE): the graceful shutdown, which flushes the
    /// spans still batched. Returns the exit status and every log line.
    async fn stop(mut self) -> (std::process::ExitStatus, Vec<Value>) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success(), "kill -TERM {pid}");
        let wait = async {
            loop {
                if let Some(status) = self.child.try_wait().expect("wait") {
                    return status;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let status = tokio::time::timeout(PATIENCE, wait)
            .await
            .expect("the server stops after SIGTERM");
        // The process is gone: its stdout ends, and the reader with it.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        let logs = self.logs.lock().unwrap_or_else(|p| p.into_inner()).clone();
        (status, logs)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// No periodic export within the test: only the flush at shutdown sends spans.
const NO_PERIODIC_EXPORT: (&str, &str) = ("OTEL_BSP_SCHEDULE_DELAY", "86400000");

fn with_metadata<T>(message: T, pairs: &[(&'static str, &str)]) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    for (key, value) in pairs {
        request
            .metadata_mut()
            .insert(*key, value.parse().expect("ASCII metadata"));
    }
    request
}

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID: &str = "00f067aa0ba902b7";
const STREAM_TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";
const STREAM_PARENT_ID: &str = "b7ad6b7169203331";

/// The engine's stages, as `engine::normalize` names their spans.
const STAGES: [&str; 9] = [
    "decode",
    "front_end",
    "repair",
    "segment",
    "language",
    "observe",
    "decide",
    "extract",
    "assemble",
];

// ---- the tests -----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_and_engine_stages_are_exported_under_the_callers_traceparent() {
    let receiver = Receiver::default();
    let endpoint = receiver.start().await;
    let server = Server::start(
        &[
            "--otlp-endpoint",
            &endpoint,
            "--otlp-service-name",
            "copydesk-under-test",
        ],
        &[NO_PERIODIC_EXPORT],
    );
    let mut client = server.client().await;

    // A call that carries the caller's trace.
    let traceparent = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    let ok = client
        .normalize(with_metadata(
            request(text_doc("otel-unary", EN)),
            &[
                ("traceparent", &traceparent),
                ("tracestate", "vendor=opaque"),
                ("x-request-id", "otel-7f3a"),
            ],
        ))
        .await
        .expect("Normalize");
    assert_eq!(
        ok.metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("otel-7f3a")
    );

    // One without: its own trace, and the status of a refused document.
    let refused = client
        .normalize(request(text_doc("otel-empty", "   ")))
        .await
        .expect_err("an empty document is refused");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);

    // A stream of two documents under another trace.
    let stream_parent = format!("00-{STREAM_TRACE_ID}-{STREAM_PARENT_ID}-01");
    let items = ["otel-item-1", "otel-item-2"].map(|id| pb::NormalizeStreamRequest {
        document: Some(text_doc(id, EN)),
        options: None,
    });
    let answers = client
        .normalize_stream(with_metadata(
            tokio_stream::iter(items),
            &[
                ("traceparent", &stream_parent),
                ("x-request-id", "otel-stream"),
            ],
        ))
        .await
        .expect("NormalizeStream");
    let answers: Vec<_> = tokio_stream::StreamExt::collect::<Vec<_>>(answers.into_inner()).await;
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");

    // Health checks are not traced.
    let mut health = tonic_health::pb::health_client::HealthClient::new(
        tonic::transport::Channel::from_shared(format!("http://{}", server.addr))
            .expect("endpoint")
            .connect()
            .await
            .expect("connect"),
    );
    health
        .check(tonic_health::pb::HealthCheckRequest::default())
        .await
        .expect("Health/Check");

    assert_eq!(
        receiver.requests(),
        0,
        "nothing is exported before the flush"
    );
    let (status, logs) = server.stop().await;
    assert!(
        status.success(),
        "copydesk serve exits 0 on SIGTERM: {status}"
    );

    let spans = receiver.spans();
    let names = || {
        spans
            .iter()
            .map(|e| e.span.name.as_str())
            .collect::<Vec<_>>()
    };
    assert!(
        spans.iter().all(|e| e.service == "copydesk-under-test"),
        "service.name from --otlp-service-name: {:?}",
        spans.iter().map(|e| &e.service).collect::<Vec<_>>()
    );
    assert!(
        !names().iter().any(|n| n.contains("Health")),
        "no span for a health check: {:?}",
        names()
    );

    // The unary call: a server span in the caller's trace, its parent the caller's span.
    let call_spans: Vec<&Span> = spans
        .iter()
        .map(|e| &e.span)
        .filter(|s| s.name == "copydesk.v1.NormalizerService/Normalize")
        .collect();
    assert_eq!(
        call_spans.len(),
        2,
        "one span per Normalize call: {:?}",
        names()
    );
    let call = call_spans
        .iter()
        .find(|s| hex(&s.trace_id) == TRACE_ID)
        .unwrap_or_else(|| panic!("no call span in trace {TRACE_ID}: {call_spans:?}"));
    assert_eq!(
        hex(&call.parent_span_id),
        PARENT_ID,
        "parent from traceparent"
    );
    assert_eq!(call.kind, SpanKind::Server as i32);
    assert_eq!(
        string_attr(&call.attributes, "rpc.system").as_deref(),
        Some("grpc")
    );
    assert_eq!(
        string_attr(&call.attributes, "rpc.service").as_deref(),
        Some("copydesk.v1.NormalizerService")
    );
    assert_eq!(
        string_attr(&call.attributes, "rpc.method").as_deref(),
        Some("Normalize")
    );
    assert_eq!(
        string_attr(&call.attributes, "x_request_id").as_deref(),
        Some("otel-7f3a")
    );
    assert_eq!(int_attr(&call.attributes, "rpc.grpc.status_code"), Some(0));
    assert_eq!(
        call.trace_state, "vendor=opaque",
        "tracestate goes along with traceparent"
    );

    // Under it, the engine's run and its stages, in the same trace.
    let in_trace = |trace: &str| -> Vec<&Span> {
        spans
            .iter()
            .map(|e| &e.span)
            .filter(|s| hex(&s.trace_id) == trace)
            .collect()
    };
    let trace = in_trace(TRACE_ID);
    let runs: Vec<&&Span> = trace.iter().filter(|s| s.name == "normalize").collect();
    assert_eq!(
        runs.len(),
        1,
        "one engine run in the call's trace: {:?}",
        names()
    );
    assert_eq!(
        runs[0].parent_span_id, call.span_id,
        "the engine run is the call's child"
    );
    for stage in STAGES {
        let stage_spans: Vec<&&Span> = trace.iter().filter(|s| s.name == stage).collect();
        assert!(!stage_spans.is_empty(), "no {stage} span under the call");
        for s in stage_spans {
            assert_eq!(
                s.parent_span_id, runs[0].span_id,
                "{stage} is the run's child"
            );
        }
    }

    // The refused call: a trace of its own, no remote parent, its status code.
    let other = call_spans
        .iter()
        .find(|s| hex(&s.trace_id) != TRACE_ID)
        .expect("the refused call's span");
    assert!(
        other.parent_span_id.is_empty(),
        "no traceparent: a root span"
    );
    assert_eq!(int_attr(&other.attributes, "rpc.grpc.status_code"), Some(3));
    assert_eq!(string_attr(&other.attributes, "x_request_id"), None);

    // The stream: one span for the call, two engine runs under it.
    let stream_trace = in_trace(STREAM_TRACE_ID);
    let stream_call = stream_trace
        .iter()
        .find(|s| s.name == "copydesk.v1.NormalizerService/NormalizeStream")
        .unwrap_or_else(|| panic!("no stream span: {:?}", names()));
    assert_eq!(hex(&stream_call.parent_span_id), STREAM_PARENT_ID);
    assert_eq!(
        string_attr(&stream_call.attributes, "x_request_id").as_deref(),
        Some("otel-stream")
    );
    assert_eq!(
        int_attr(&stream_call.attributes, "rpc.grpc.status_code"),
        Some(0),
        "read from the stream's trailers"
    );
    let stream_runs = stream_trace
        .iter()
        .filter(|s| s.name == "normalize" && s.parent_span_id == stream_call.span_id)
        .count();
    assert_eq!(
        stream_runs, 2,
        "one engine run per item under the stream's span"
    );

    // The log lines stay as they were: the call span is exported, never logged.
    let call_line = logs
        .iter()
        .find(|l| l.get("request_id").and_then(Value::as_str) == Some("otel-unary"))
        .expect("the call's log line");
    let logged_spans = call_line
        .get("spans")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    assert!(
        logged_spans
            .iter()
            .all(|s| s.get("name").and_then(Value::as_str) == Some("request")),
        "only the request span on the log line: {call_line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_otlp_endpoint_nothing_is_exported_and_calls_are_served() {
    let receiver = Receiver::default();
    let endpoint = receiver.start().await;
    // The OpenTelemetry environment alone does not turn the export on.
    let server = Server::start(
        &[],
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "1"),
        ],
    );
    let mut client = server.client().await;
    let traceparent = format!("00-{TRACE_ID}-{PARENT_ID}-01");
    let ok = client
        .normalize(with_metadata(
            request(text_doc("no-otel", EN)),
            &[("traceparent", &traceparent), ("x-request-id", "no-otel-1")],
        ))
        .await
        .expect("Normalize");
    assert_eq!(
        ok.metadata()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("no-otel-1")
    );
    assert!(ok.into_inner().article.is_some());
    let (status, _) = server.stop().await;
    assert!(
        status.success(),
        "copydesk serve exits 0 on SIGTERM: {status}"
    );
    assert_eq!(receiver.requests(), 0, "nothing was exported");
    assert!(receiver.spans().is_empty());
}
