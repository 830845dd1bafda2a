//! Start-up: the normaliser with health and reflection (v1 and v1alpha), limits, compression,
//! the metrics port and graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tonic::body::Body;
use tonic::codec::CompressionEncoding;
use tonic::codegen::{BoxFuture, http};
use tonic::server::NamedService;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tower::Service;

use super::layer::{EdgeLayer, stream_message_limit, unary_message_limit};
use super::metrics::{self, Metrics};
use super::service::Normalizer;
use super::workers::Workers;
use crate::config::ServeConfig;
use crate::pb;
use crate::pb::normalizer_service_server::NormalizerServiceServer;
use crate::rules::{Rules, RulesError};

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot load rules: {0}")]
    Rules(#[from] RulesError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot build the reflection service: {0}")]
    Reflection(#[from] tonic_reflection::server::Error),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("cannot start the engine threads: {0}")]
    Workers(std::io::Error),
}

/// Loads the rules, binds the configured addresses and serves until SIGINT or SIGTERM.
pub async fn run(config: ServeConfig) -> Result<(), ServeError> {
    let rules = match &config.rules {
        Some(dir) => Rules::with_overrides(dir)?,
        None => Rules::embedded()?,
    };
    let bind = |addr: SocketAddr| async move {
        TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })
    };
    let listener = bind(config.listen).await?;
    let metrics_listener = match config.metrics_listen {
        Some(addr) => Some(bind(addr).await?),
        None => None,
    };
    serve(
        config,
        Arc::new(rules),
        listener,
        metrics_listener,
        shutdown_signal(),
    )
    .await
}

/// Serves on `listener` until `shutdown` completes, then shuts down in three steps:
///
/// 1. grace (`shutdown_grace`): health answers NOT_SERVING (overall and for the normaliser),
///    while new connections, calls and health checks are still accepted and served, so that
///    readiness probes and load balancers see NOT_SERVING and move traffic elsewhere instead of
///    meeting a refused connection;
/// 2. the listener closes (new connections are refused; HTTP/2 GOAWAY on open ones);
/// 3. drain: in-flight calls and open streams run to their end for at most `drain_timeout`.
///
/// Tests call this with a listener on `127.0.0.1:0`.
pub async fn serve(
    config: ServeConfig,
    rules: Arc<Rules>,
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let local = listener.local_addr().ok();
    let metrics = Arc::new(Metrics::with_build_info(rules.digest()));
    let metrics_task = metrics_listener.map(|l| {
        if let Ok(addr) = l.local_addr() {
            tracing::info!(%addr, "metrics on http://{addr}/metrics");
        }
        tokio::spawn(metrics::serve(l, metrics.clone()))
    });

    let limit = config.max_document_bytes;
    let workers = Workers::start(std::thread::available_parallelism().map_or(1, |n| n.get()))
        .map_err(ServeError::Workers)?;
    let normalizer = Normalizer::new(rules, &config, metrics.clone(), workers);
    let server_with = |decoding_limit: usize| {
        NormalizerServiceServer::new(normalizer.clone())
            .accept_compressed(CompressionEncoding::Gzip)
            .accept_compressed(CompressionEncoding::Zstd)
            // Sent only to clients whose grpc-accept-encoding names it.
            .send_compressed(CompressionEncoding::Gzip)
            .send_compressed(CompressionEncoding::Zstd)
            .max_decoding_message_size(decoding_limit)
            .max_encoding_message_size(usize::MAX)
    };
    let normalizer = Routes {
        unary: server_with(unary_message_limit(limit)),
        stream: server_with(stream_message_limit(limit)),
    };

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<NormalizerServiceServer<Normalizer>>()
        .await;

    // Each builder registers the other version's descriptors and health's, so that
    // `grpcurl list` and `describe` show every service whichever version the client speaks.
    let reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
        .build_v1alpha()?;

    let drain_started = Arc::new(Notify::new());
    let grace = config.shutdown_grace;
    let drain = config.drain_timeout;
    // Completing this future closes the listener (tonic's graceful shutdown): it completes only
    // after the grace.
    let signal = {
        let health = health.clone();
        let drain_started = drain_started.clone();
        async move {
            shutdown.await;
            health
                .set_not_serving::<NormalizerServiceServer<Normalizer>>()
                .await;
            health
                .set_service_status("", ServingStatus::NotServing)
                .await;
            tracing::info!(
                shutdown_grace_ms = grace.as_millis() as u64,
                "shutting down: health NOT_SERVING; still accepting connections and calls for the grace"
            );
            tokio::time::sleep(grace).await;
            tracing::info!(
                drain_timeout_ms = drain.as_millis() as u64,
                "grace over: listener closed, draining open calls"
            );
            drain_started.notify_one();
        }
    };

    // Shed calls are not logged one by one: one line a second says how many there were.
    let shed_every = std::time::Duration::from_secs(1);
    let shed_log = tokio::spawn(metrics::log_shed(
        metrics.clone(),
        shed_every,
        config.concurrency_limit,
    ));

    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    if let Some(addr) = local {
        tracing::info!(%addr, version = crate::VERSION, "copydesk listening on {addr}");
    }
    let server = Server::builder()
        .max_concurrent_streams(Some(config.max_concurrent_streams))
        .layer(EdgeLayer {
            max_document_bytes: limit,
            metrics: metrics.clone(),
        })
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(normalizer)
        .serve_with_incoming_shutdown(incoming, signal);
    tokio::pin!(server);

    let result = tokio::select! {
        result = &mut server => result.map_err(ServeError::from),
        _ = async {
            drain_started.notified().await;
            tokio::time::sleep(drain).await;
        } => {
            tracing::warn!(
                drain_timeout_ms = drain.as_millis() as u64,
                "drain timeout passed with calls still open; closing them"
            );
            // What ends now is closed by the server, not cancelled by its client.
            metrics.set_closing();
            Ok(())
        }
    };
    if let Some(task) = metrics_task {
        task.abort();
    }
    shed_log.abort();
    metrics::log_shed_once(&metrics, shed_every, config.concurrency_limit);
    if result.is_ok() {
        tracing::info!("stopped");
    }
    result
}

/// `copydesk.v1.NormalizerService` as two tonic services that differ only in their decoding
/// limit: NormalizeStream goes to `stream` (see `stream_message_limit`), every other method to
/// `unary`. tonic sets the limit per service, not per method, hence the split.
#[derive(Clone)]
struct Routes {
    unary: NormalizerServiceServer<Normalizer>,
    stream: NormalizerServiceServer<Normalizer>,
}

const STREAM_PATH: &str = "/copydesk.v1.NormalizerService/NormalizeStream";

impl NamedService for Routes {
    const NAME: &'static str = <NormalizerServiceServer<Normalizer> as NamedService>::NAME;
}

impl Service<http::Request<Body>> for Routes {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<http::Response<Body>, Infallible>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both are always ready (tonic's generated servers hold no state to wait on).
        match Service::<http::Request<Body>>::poll_ready(&mut self.unary, cx) {
            Poll::Ready(Ok(())) => Service::<http::Request<Body>>::poll_ready(&mut self.stream, cx),
            other => other,
        }
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        if request.uri().path() == STREAM_PATH {
            self.stream.call(request)
        } else {
            self.unary.call(request)
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("SIGINT received"),
        _ = terminate => tracing::info!("SIGTERM received"),
    }
}
