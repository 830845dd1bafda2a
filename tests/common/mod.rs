//! Test harness: the real server in-process on `127.0.0.1:0`, and clients for it.
#![allow(dead_code)] // each test file uses a different part of the harness

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use copydesk::config::ServeConfig;
use copydesk::grpc::ServeError;
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use copydesk::rules::Rules;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

pub const EN: &str = include_str!("../data/en.txt");
pub const DE: &str = include_str!("../data/de.txt");

/// A generous bound so that a broken test fails instead of hanging; never a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(300);

pub struct App {
    pub addr: SocketAddr,
    pub metrics_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    pub server: JoinHandle<Result<(), ServeError>>,
}

/// The server with default settings.
pub async fn spawn_app() -> App {
    spawn_app_with(ServeConfig::default()).await
}

/// The server with `config` (its `listen` and `metrics_listen` are ignored: port 0 is used).
pub async fn spawn_app_with(mut config: ServeConfig) -> App {
    // A MiB document takes tens of seconds in a debug build on a busy machine: unless a test
    // sets its own, the server's request timeout is the tests' patience, so that no test
    // measures the machine's speed.
    if config.request_timeout == ServeConfig::default().request_timeout {
        config.request_timeout = PATIENCE;
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let metrics = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind metrics");
    let addr = listener.local_addr().expect("addr");
    let metrics_addr = metrics.local_addr().expect("metrics addr");
    let rules = Arc::new(Rules::embedded().expect("embedded rules"));
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(copydesk::grpc::serve(
        config,
        rules,
        listener,
        Some(metrics),
        async {
            let _ = rx.await;
        },
    ));
    App {
        addr,
        metrics_addr,
        shutdown: Some(tx),
        server,
    }
}

impl App {
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::from_shared(format!("http://{}", self.addr)).expect("endpoint")
    }

    pub async fn channel(&self) -> Channel {
        self.endpoint().connect().await.expect("connect")
    }

    pub async fn client(&self) -> NormalizerServiceClient<Channel> {
        NormalizerServiceClient::new(self.channel().await)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }

    /// Starts the graceful shutdown (what SIGTERM does in the binary).
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// The Prometheus text of the metrics port.
    pub async fn metrics(&self) -> String {
        let mut s = TcpStream::connect(self.metrics_addr)
            .await
            .expect("metrics");
        s.write_all(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).await.expect("read");
        out
    }

    /// The value of one un-labelled metric line.
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.metrics().await;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no metric {name} in\n{text}"))
    }
}

pub fn text_doc(id: &str, text: &str) -> pb::Document {
    pb::Document {
        id: id.into(),
        content: Some(pb::document::Content::Text(text.into())),
        ..Default::default()
    }
}

/// Sends `requests` as one NormalizeStream and collects every item, or the status that ended
/// the stream; bounded by `PATIENCE` (a hang fails).
pub async fn collect_stream(
    client: &mut NormalizerServiceClient<Channel>,
    requests: impl tokio_stream::Stream<Item = pb::NormalizeStreamRequest> + Send + 'static,
) -> Result<Vec<pb::NormalizeStreamResponse>, tonic::Status> {
    use tokio_stream::StreamExt;
    tokio::time::timeout(PATIENCE, async {
        client
            .normalize_stream(requests)
            .await?
            .into_inner()
            .collect::<Result<Vec<_>, _>>()
            .await
    })
    .await
    .expect("no hang")
}

pub fn request(doc: pb::Document) -> pb::NormalizeRequest {
    pb::NormalizeRequest {
        document: Some(doc),
        options: None,
    }
}

/// A plausible English text of about `bytes` bytes: the fixture repeated as paragraphs.
pub fn big_text(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + EN.len());
    while s.len() < bytes {
        s.push_str(EN);
        s.push_str("\n\n");
    }
    s
}

/// A client over plain hyper instead of tonic's Channel. tonic's Channel enforces
/// `grpc-timeout` itself and answers CANCELLED when its timer fires first; this one leaves the
/// deadline to the server, so tests see the server's own status.
pub type RawClient = NormalizerServiceClient<
    hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        tonic::body::Body,
    >,
>;

impl App {
    pub fn raw_client(&self) -> RawClient {
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .http2_only(true)
                .build_http();
        let origin = format!("http://{}", self.addr).parse().expect("origin");
        NormalizerServiceClient::with_origin(http, origin)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }
}
