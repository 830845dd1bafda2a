//! What the server logs and counts when a call fails before or outside the engine: requests
//! that do not decode, calls the client cancels, calls shed at the concurrency limit. The real
//! server on port 0; the log lines are captured as JSON by a subscriber that is global to this
//! test binary (the server logs from tokio's worker threads), so each test looks only for the
//! lines its own calls produce.

mod common;

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use common::*;
use copydesk::config::ServeConfig;
use copydesk::pb;
use serde_json::Value;
use tonic::Code;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;

// ---- log capture -------------------------------------------------------------------------

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Starts capturing (once per binary) at the server's default level, INFO.
fn capture_logs() {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        buffer
    });
}

/// Every captured line so far, parsed.
fn log_lines() -> Vec<Value> {
    let Some(buffer) = LOGS.get() else {
        return Vec::new();
    };
    let bytes = buffer.lock().unwrap_or_else(|p| p.into_inner()).clone();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn field<'a>(line: &'a Value, name: &str) -> &'a str {
    line.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Waits (bounded by PATIENCE, never a timing assertion) until `ready` holds.
async fn eventually(what: &str, mut ready: impl AsyncFnMut() -> bool) {
    let wait = async {
        while !ready().await {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .unwrap_or_else(|_| panic!("never: {what}"));
}

// ---- requests that are not what the proto says -------------------------------------------

/// `Document` with `text` (field 2) as bytes, so that it can carry invalid UTF-8.
#[derive(Clone, PartialEq, prost::Message)]
struct LooseDocument {
    #[prost(string, tag = "1")]
    id: String,
    #[prost(bytes = "vec", tag = "2")]
    text: Vec<u8>,
}

/// `NormalizeRequest` / `NormalizeStreamRequest` with that document.
#[derive(Clone, PartialEq, prost::Message)]
struct LooseRequest {
    #[prost(message, optional, tag = "1")]
    document: Option<LooseDocument>,
}

/// A request whose `document` (field 1) holds bytes that are no protobuf message.
#[derive(Clone, PartialEq, prost::Message)]
struct GarbageRequest {
    #[prost(bytes = "vec", tag = "1")]
    document: Vec<u8>,
}

const NORMALIZE: &str = "/copydesk.v1.NormalizerService/Normalize";
const NORMALIZE_STREAM: &str = "/copydesk.v1.NormalizerService/NormalizeStream";

async fn raw_unary<M: prost::Message + Send + Sync + 'static>(
    channel: Channel,
    message: M,
) -> Result<pb::NormalizeResponse, tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    grpc.unary(
        tonic::Request::new(message),
        PathAndQuery::from_static(NORMALIZE),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(tonic::Response::into_inner)
}

fn invalid_utf8(id: &str) -> LooseRequest {
    LooseRequest {
        document: Some(LooseDocument {
            id: id.into(),
            text: b"caf\xc3\x28 au lait".to_vec(),
        }),
    }
}

#[tokio::test]
async fn requests_that_do_not_decode_are_internal_counted_and_logged() {
    capture_logs();
    let app = spawn_app().await;

    // Unary: garbage where a Document should be, and invalid UTF-8 in `text`.
    let garbage = raw_unary(
        app.channel().await,
        GarbageRequest {
            document: vec![0xff; 12],
        },
    )
    .await
    .expect_err("garbage does not decode");
    let utf8 = raw_unary(app.channel().await, invalid_utf8("bad-utf8"))
        .await
        .expect_err("invalid UTF-8 does not decode");
    for status in [&garbage, &utf8] {
        // INTERNAL is the gRPC convention for a message that does not parse; kept.
        assert_eq!(status.code(), Code::Internal, "{status:?}");
        assert!(
            status
                .message()
                .starts_with("failed to decode Protobuf message"),
            "{status:?}"
        );
    }
    assert!(utf8.message().contains("UTF-8"), "{utf8:?}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("copydesk_decode_failures_total{method=\"Normalize\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("copydesk_calls_total{method=\"Normalize\",code=\"INTERNAL\"} 2"),
        "{metrics}"
    );
    let warned = log_lines()
        .into_iter()
        .filter(|l| {
            field(l, "level") == "WARN"
                && field(l, "method") == "Normalize"
                && field(l, "status") == "INTERNAL"
                && field(l, "error").starts_with("failed to decode Protobuf message")
        })
        .count();
    assert!(
        warned >= 2,
        "two warnings for the undecodable calls, found {warned}"
    );

    // A stream: the item before the undecodable message is answered, then the stream ends
    // INTERNAL (tonic reads nothing after it), counted and logged.
    let mut grpc = tonic::client::Grpc::new(app.channel().await);
    grpc.ready().await.expect("ready");
    let requests = tokio_stream::iter([
        LooseRequest {
            document: Some(LooseDocument {
                id: "fine".into(),
                text: EN.as_bytes().to_vec(),
            }),
        },
        invalid_utf8("broken"),
    ]);
    let codec: tonic_prost::ProstCodec<LooseRequest, pb::NormalizeStreamResponse> =
        tonic_prost::ProstCodec::default();
    let mut stream = grpc
        .streaming(
            tonic::Request::new(requests),
            PathAndQuery::from_static(NORMALIZE_STREAM),
            codec,
        )
        .await
        .expect("stream")
        .into_inner();
    let first = stream
        .message()
        .await
        .expect("first item")
        .expect("an item");
    assert_eq!(first.id, "fine");
    let end = stream.message().await.expect_err("the stream ends");
    assert_eq!(end.code(), Code::Internal, "{end:?}");
    assert!(end.message().contains("UTF-8"), "{end:?}");
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("copydesk_decode_failures_total{method=\"NormalizeStream\"} 1"),
        "{metrics}"
    );
    assert!(log_lines().iter().any(|l| {
        field(l, "level") == "WARN"
            && field(l, "method") == "NormalizeStream"
            && field(l, "status") == "INTERNAL"
            && field(l, "error").contains("UTF-8")
    }));
}

// ---- cancelled calls ----------------------------------------------------------------------

async fn wait_in_flight(app: &App) {
    eventually("a document in the engine", async || {
        app.metric("copydesk_in_flight").await >= 1.0
    })
    .await;
}

#[tokio::test]
async fn calls_the_client_cancels_are_counted_and_logged() {
    use tokio_stream::StreamExt;
    capture_logs();
    let app = spawn_app().await;

    // Unary: the client gives up while the document is in the engine.
    let mut client = app.client().await;
    let call = tokio::spawn(async move {
        client
            .normalize(request(text_doc("given-up", &big_text(8 * 1024 * 1024))))
            .await
    });
    wait_in_flight(&app).await;
    call.abort(); // drops the call: the client resets its HTTP/2 stream
    let _ = call.await;
    eventually("the cancelled call counted", async || {
        app.metrics()
            .await
            .contains("copydesk_cancelled_total{method=\"Normalize\"} 1")
    })
    .await;
    assert!(log_lines().iter().any(|l| field(l, "method") == "Normalize"
        && field(l, "status") == "CANCELLED"
        && field(l, "error").contains("client cancelled")));
    // Not an answer: calls_total has no line for it.
    assert!(!app.metrics().await.contains("code=\"CANCELLED\""));

    // The cancelled document's engine run goes on to its end; wait for it.
    eventually("the engine idle", async || {
        app.metric("copydesk_in_flight").await == 0.0
    })
    .await;

    // A stream: the client drops it while an item is in the engine.
    let mut client = app.client().await;
    let stream = tokio::spawn(async move {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tx.send(pb::NormalizeStreamRequest {
            document: Some(text_doc("dropped", &big_text(8 * 1024 * 1024))),
            options: None,
        })
        .await
        .expect("send");
        let mut answers = client
            .normalize_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .expect("stream")
            .into_inner();
        let _ = answers.next().await;
        drop(tx);
    });
    wait_in_flight(&app).await;
    stream.abort();
    let _ = stream.await;
    eventually("the cancelled stream counted", async || {
        app.metrics()
            .await
            .contains("copydesk_cancelled_total{method=\"NormalizeStream\"} 1")
    })
    .await;
    assert!(
        log_lines()
            .iter()
            .any(|l| field(l, "method") == "NormalizeStream"
                && field(l, "status") == "CANCELLED"
                && field(l, "detail").contains("0 items answered, 1 in work dropped"))
    );
}

// ---- shed calls ---------------------------------------------------------------------------

#[tokio::test]
async fn shed_calls_are_logged_in_one_line_a_second_with_their_number() {
    capture_logs();
    let app = spawn_app_with(ServeConfig {
        concurrency_limit: 1,
        ..ServeConfig::default()
    })
    .await;
    let channel = app.channel().await;
    let text = big_text(2 * 1024 * 1024);
    let calls: Vec<_> = (0..12)
        .map(|i| {
            let mut client =
                pb::normalizer_service_client::NormalizerServiceClient::new(channel.clone())
                    .max_decoding_message_size(usize::MAX);
            let doc = text_doc(&format!("load-{i}"), &text);
            tokio::spawn(async move { client.normalize(request(doc)).await })
        })
        .collect();
    let mut shed: u32 = 0;
    for call in calls {
        if let Err(status) = call.await.expect("task") {
            assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
            shed += 1;
        }
    }
    assert!(shed >= 1, "the excess is shed");
    assert_eq!(app.metric("copydesk_shed_total").await, f64::from(shed));

    // The calls are counted one by one, but logged in aggregate: lines that each say how many.
    let aggregated = || {
        log_lines()
            .iter()
            .filter(|l| field(l, "message").starts_with("shed "))
            .filter_map(|l| l.get("shed").and_then(Value::as_u64))
            .sum::<u64>()
    };
    eventually("the aggregated shed lines", async || {
        aggregated() == u64::from(shed)
    })
    .await;
    let one_by_one = log_lines()
        .iter()
        .filter(|l| {
            field(l, "status") == "RESOURCE_EXHAUSTED"
                && field(l, "error").contains("concurrency limit")
        })
        .count();
    assert_eq!(one_by_one, 0, "no log line per shed call");
}

// ---- x-request-id --------------------------------------------------------------------------

/// The `x_request_id` of the span a log line was written in, if any.
fn logged_request_id(line: &Value) -> Option<&str> {
    fn from(span: &Value) -> Option<&str> {
        span.get("x_request_id").and_then(Value::as_str)
    }
    line.get("span")
        .and_then(from)
        .or_else(|| line.get("spans")?.as_array()?.iter().find_map(from))
}

fn with_request_id<T>(message: T, id: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("x-request-id", id.parse().expect("ASCII metadata"));
    request
}

fn echoed(metadata: &tonic::metadata::MetadataMap) -> Option<&str> {
    metadata.get("x-request-id").and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn x_request_id_is_echoed_and_on_every_log_line_of_its_call() {
    capture_logs();
    let app = spawn_app().await;
    let mut client = app.client().await;

    // A unary call that succeeds: echoed in the response metadata, logged with the call.
    let ok = client
        .normalize(with_request_id(
            request(text_doc("xrid-unary", EN)),
            "trace-7f3a-unary",
        ))
        .await
        .expect("Normalize");
    assert_eq!(echoed(ok.metadata()), Some("trace-7f3a-unary"));

    // A call refused by the service: the status carries it too.
    let refused = client
        .normalize(with_request_id(
            request(text_doc("xrid-empty", "  ")),
            "trace-7f3a-refused",
        ))
        .await
        .expect_err("an empty document is refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(echoed(refused.metadata()), Some("trace-7f3a-refused"));

    // A stream: its items are worked on in tasks of their own, and still carry it.
    let stream = client
        .normalize_stream(with_request_id(
            tokio_stream::iter(vec![pb::NormalizeStreamRequest {
                document: Some(text_doc("xrid-item", DE)),
                options: None,
            }]),
            "trace-7f3a-stream",
        ))
        .await
        .expect("NormalizeStream");
    assert_eq!(echoed(stream.metadata()), Some("trace-7f3a-stream"));
    let mut answers = stream.into_inner();
    while let Some(item) = tokio_stream::StreamExt::next(&mut answers).await {
        item.expect("stream item");
    }

    // Without one, or with one too long to be an id, nothing is echoed.
    let plain = client
        .normalize(request(text_doc("xrid-none", EN)))
        .await
        .expect("Normalize");
    assert_eq!(echoed(plain.metadata()), None);
    let long = "x".repeat(129);
    let too_long = client
        .normalize(with_request_id(request(text_doc("xrid-long", EN)), &long))
        .await
        .expect("Normalize");
    assert_eq!(echoed(too_long.metadata()), None);

    let id_of = |doc: &str| {
        log_lines()
            .iter()
            .filter(|l| field(l, "request_id") == doc && field(l, "message") == "call")
            .map(|l| logged_request_id(l).map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(id_of("xrid-unary"), [Some("trace-7f3a-unary".to_string())]);
    assert_eq!(
        id_of("xrid-empty"),
        [Some("trace-7f3a-refused".to_string())]
    );
    assert_eq!(id_of("xrid-item"), [Some("trace-7f3a-stream".to_string())]);
    assert_eq!(id_of("xrid-none"), [None]);
    assert_eq!(id_of("xrid-long"), [None]);
    // The line that ends the stream is the stream's too.
    assert!(
        log_lines()
            .iter()
            .any(|l| field(l, "message").starts_with("stream ended")
                && logged_request_id(l) == Some("trace-7f3a-stream")),
        "no 'stream ended' line with the stream's x-request-id"
    );
}
