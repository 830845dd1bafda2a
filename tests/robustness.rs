//! Limits, load shedding, deadlines and graceful shutdown, against the real server on port 0.
//! "Slow" work comes from large documents or tiny limits; the service has no test-only sleeps.

mod common;

use std::time::Duration;

use common::*;
use copydesk::config::ServeConfig;
use copydesk::pb;
use tonic::Code;

#[tokio::test]
async fn a_20_mib_document_is_resource_exhausted_naming_the_limit_and_the_server_goes_on() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let doc = text_doc("huge", &"a".repeat(20 * 1024 * 1024));
    let status = client.normalize(request(doc)).await.expect_err("too large");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("16777216"), "{status:?}");
    // Answered before any handler ran, and still counted.
    assert!(
        app.metrics()
            .await
            .contains("copydesk_calls_total{method=\"Normalize\",code=\"RESOURCE_EXHAUSTED\"} 1")
    );
    // Still serving, on the same channel and on a new one.
    client
        .normalize(request(text_doc("after", EN)))
        .await
        .expect("serves after the refusal");
    app.client()
        .await
        .normalize(request(text_doc("after2", EN)))
        .await
        .expect("serves a new connection");
}

#[tokio::test]
async fn just_over_the_configured_limit_is_refused_by_the_engine_check() {
    let app = spawn_app_with(ServeConfig {
        max_document_bytes: 1000,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    // Within tonic's envelope allowance: the engine's own check answers.
    let status = client
        .normalize(request(text_doc("a", &"word ".repeat(300))))
        .await
        .expect_err("too large");
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(status.message().contains("1000 bytes"), "{status:?}");
    // Far over: tonic refuses while decoding, and the edge rewrites its answer.
    let status = client
        .normalize(request(text_doc("b", &"word ".repeat(100_000))))
        .await
        .expect_err("too large");
    assert_eq!(status.code(), Code::ResourceExhausted);
    assert!(status.message().contains("1000 bytes"), "{status:?}");
    // A document within the limit is fine.
    client
        .normalize(request(text_doc("c", "Short wire copy about the weather.")))
        .await
        .expect("small document");
}

#[tokio::test]
async fn a_stream_item_over_the_limit_is_an_error_item() {
    let app = spawn_app_with(ServeConfig {
        max_document_bytes: 1000,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let docs = [
        text_doc("ok", "Short wire copy."),
        text_doc("big", &"word ".repeat(300)),
        text_doc("ok2", "More short wire copy."),
    ];
    let requests = tokio_stream::iter(docs.into_iter().map(|d| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }));
    use tokio_stream::StreamExt;
    let items: Vec<_> = client
        .normalize_stream(requests)
        .await
        .expect("stream")
        .into_inner()
        .collect::<Result<_, _>>()
        .await
        .expect("items");
    assert_eq!(items.len(), 3);
    match &items[1].result {
        Some(pb::normalize_stream_response::Result::Error(e)) => {
            assert_eq!(e.code, "RESOURCE_EXHAUSTED");
            assert!(e.message.contains("1000 bytes"), "{e:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// The case: one 17 MiB item in the middle of a stream at the default 16 MiB limit is
/// read (the stream's transport limit sits above the document limit), answered as an error
/// item, and the items after it are answered too.
#[tokio::test]
async fn a_17_mib_item_in_the_middle_of_a_stream_is_an_error_item_and_the_stream_goes_on() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let docs = [
        text_doc("before", EN),
        text_doc("huge", &"a".repeat(17 * 1024 * 1024)),
        text_doc("after", DE),
    ];
    let requests = tokio_stream::iter(docs.into_iter().map(|d| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }));
    let items = collect_stream(&mut client, requests)
        .await
        .expect("the stream is not ended by the big item");
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["before", "huge", "after"]);
    use pb::normalize_stream_response::Result as R;
    assert!(matches!(items[0].result, Some(R::Article(_))));
    match &items[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code, "RESOURCE_EXHAUSTED");
            assert!(e.message.contains("17825792 bytes"), "{e:?}");
            assert!(e.message.contains("16777216 bytes"), "{e:?}");
        }
        other => panic!("huge: {other:?}"),
    }
    assert!(matches!(items[2].result, Some(R::Article(_))));
    assert!(app.metrics().await.contains(
        "copydesk_calls_total{method=\"NormalizeStream\",code=\"RESOURCE_EXHAUSTED\"} 1"
    ));
}

/// What still ends a stream: a message over the stream's own transport limit (twice the
/// document limit, plus the envelope). The items before it are answered; the status names both
/// limits.
#[tokio::test]
async fn a_message_over_the_streams_transport_limit_still_ends_the_stream() {
    use tokio_stream::StreamExt;
    let app = spawn_app_with(ServeConfig {
        max_document_bytes: 1000,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let limit = copydesk::grpc::layer::stream_message_limit(1000);
    let docs = [
        text_doc("first", "Short wire copy."),
        text_doc("over", &"word ".repeat(limit / 5 + 1000)),
        text_doc("never", "More short wire copy."),
    ];
    let requests = tokio_stream::iter(docs.into_iter().map(|d| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }));
    let mut stream = client
        .normalize_stream(requests)
        .await
        .expect("stream")
        .into_inner();
    let first = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("no hang")
        .expect("an item")
        .expect("the first item is answered");
    assert_eq!(first.id, "first");
    let end = tokio::time::timeout(PATIENCE, stream.next())
        .await
        .expect("no hang")
        .expect("the stream's end")
        .expect_err("the stream ends with a status");
    assert_eq!(end.code(), Code::ResourceExhausted, "{end:?}");
    assert!(end.message().contains(&format!("{limit} bytes")), "{end:?}");
    assert!(end.message().contains("1000 bytes"), "{end:?}");
    assert!(end.message().contains("the stream ends"), "{end:?}");
    assert!(
        tokio::time::timeout(PATIENCE, stream.next())
            .await
            .expect("no hang")
            .is_none(),
        "nothing after the end"
    );
}

#[tokio::test]
async fn overload_is_shed_fast_and_the_server_recovers() {
    let limit = 2;
    let app = spawn_app_with(ServeConfig {
        concurrency_limit: limit,
        ..ServeConfig::default()
    })
    .await;
    let channel = app.channel().await;
    let text = big_text(3 * 1024 * 1024);
    let calls: Vec<_> = (0..limit * 10)
        .map(|i| {
            let mut client = copydesk::pb::normalizer_service_client::NormalizerServiceClient::new(
                channel.clone(),
            )
            .max_decoding_message_size(usize::MAX);
            let doc = text_doc(&format!("load-{i}"), &text);
            tokio::spawn(async move {
                tokio::time::timeout(PATIENCE, client.normalize(request(doc)))
                    .await
                    .expect("no hang")
            })
        })
        .collect();
    let mut ok = 0;
    let mut shed = 0;
    for call in calls {
        match call.await.expect("task") {
            Ok(response) => {
                assert!(response.into_inner().article.is_some());
                ok += 1;
            }
            Err(status) => {
                assert!(
                    matches!(status.code(), Code::ResourceExhausted | Code::Unavailable),
                    "{status:?}"
                );
                assert!(status.message().contains("concurrency limit"), "{status:?}");
                shed += 1;
            }
        }
    }
    assert!(ok >= 1, "accepted calls succeed (ok {ok}, shed {shed})");
    assert!(shed >= 1, "the excess is shed (ok {ok}, shed {shed})");
    assert_eq!(app.metric("copydesk_shed_total").await, shed as f64);
    // Back to normal.
    for i in 0..limit * 2 {
        app.client()
            .await
            .normalize(request(text_doc(&format!("after-{i}"), EN)))
            .await
            .expect("serves after the overload");
    }
}

#[tokio::test]
async fn a_client_deadline_shorter_than_the_work_is_deadline_exceeded() {
    let app = spawn_app().await;
    // Through plain hyper: tonic's own client would give up first with CANCELLED.
    let mut client = app.raw_client();
    let mut req = tonic::Request::new(request(text_doc("slow", &big_text(8 * 1024 * 1024))));
    req.set_timeout(Duration::from_millis(10));
    let status = tokio::time::timeout(PATIENCE, client.normalize(req))
        .await
        .expect("no hang")
        .expect_err("deadline");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(status.message().contains("deadline"), "{status:?}");
    client
        .normalize(request(text_doc("after", EN)))
        .await
        .expect("serves afterwards");
}

#[tokio::test]
async fn tonic_clients_see_their_own_deadline_as_cancelled_or_deadline_exceeded() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let mut req = tonic::Request::new(request(text_doc("slow", &big_text(8 * 1024 * 1024))));
    req.set_timeout(Duration::from_millis(10));
    let status = tokio::time::timeout(PATIENCE, client.normalize(req))
        .await
        .expect("no hang")
        .expect_err("deadline");
    // tonic's Channel enforces grpc-timeout itself (CANCELLED "Timeout expired") and may win
    // the race against the server's DEADLINE_EXCEEDED; neither is a hang or INTERNAL.
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
}

#[tokio::test]
async fn the_server_request_timeout_is_deadline_exceeded() {
    let app = spawn_app_with(ServeConfig {
        request_timeout: Duration::from_millis(5),
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let status = client
        .normalize(request(text_doc("slow", &big_text(8 * 1024 * 1024))))
        .await
        .expect_err("deadline");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(status.message().contains("--request-timeout"), "{status:?}");
}

/// The server's request timeout applies to each stream item on its own, with several items in
/// work at once: each over-long item is a DEADLINE_EXCEEDED error item, and the stream goes on.
#[tokio::test]
async fn a_stream_items_request_timeout_is_an_error_item_and_the_stream_goes_on() {
    let app = spawn_app_with(ServeConfig {
        request_timeout: Duration::from_millis(5),
        stream_concurrency: 2,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let big = big_text(8 * 1024 * 1024);
    let requests = tokio_stream::iter((0..3).map(move |i| pb::NormalizeStreamRequest {
        document: Some(text_doc(&format!("slow-{i}"), &big)),
        options: None,
    }));
    let items = collect_stream(&mut client, requests)
        .await
        .expect("the stream goes on");
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["slow-0", "slow-1", "slow-2"]);
    for item in &items {
        match &item.result {
            Some(pb::normalize_stream_response::Result::Error(e)) => {
                assert_eq!(e.code, "DEADLINE_EXCEEDED", "{e:?}");
                assert!(e.message.contains("--request-timeout"), "{e:?}");
            }
            other => panic!("{}: {other:?}", item.id),
        }
    }
}

/// The client's deadline covers the whole stream: when it passes, the stream ends with
/// DEADLINE_EXCEEDED (through plain hyper, so that the server's status is seen).
#[tokio::test]
async fn a_client_deadline_on_a_stream_ends_it_with_deadline_exceeded() {
    use tokio_stream::StreamExt;
    let app = spawn_app_with(ServeConfig {
        stream_concurrency: 2,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.raw_client();
    let big = big_text(8 * 1024 * 1024);
    let requests = tokio_stream::iter((0..3).map(move |i| pb::NormalizeStreamRequest {
        document: Some(text_doc(&format!("slow-{i}"), &big)),
        options: None,
    }));
    let mut req = tonic::Request::new(requests);
    req.set_timeout(Duration::from_millis(50));
    let outcome = tokio::time::timeout(PATIENCE, async {
        let mut stream = client.normalize_stream(req).await?.into_inner();
        while stream.next().await.transpose()?.is_some() {}
        Ok::<_, tonic::Status>(())
    })
    .await
    .expect("no hang");
    let status = outcome.expect_err("the deadline ends the stream");
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
}

/// The first step of a shutdown: for `--shutdown-grace` health answers NOT_SERVING (overall and
/// for the normaliser) on new connections, while new calls are still served and in-flight ones
/// finish. The grace here outlasts the test, so every check happens inside it.
#[tokio::test]
async fn during_the_shutdown_grace_health_is_not_serving_and_calls_are_still_served() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    let mut app = spawn_app_with(ServeConfig {
        shutdown_grace: PATIENCE * 2,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let call = tokio::spawn(async move {
        client
            .normalize(request(text_doc("in-flight", &big_text(2 * 1024 * 1024))))
            .await
    });
    let waiting = async {
        while app.metric("copydesk_in_flight").await < 1.0 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("call in flight");

    app.shutdown();
    // Each check on a new connection: connections are still accepted, and health says
    // NOT_SERVING once the shutdown has begun (never a refused connection meanwhile).
    let check = |service: &'static str| {
        let endpoint = app.endpoint();
        async move {
            let channel = endpoint
                .connect()
                .await
                .expect("still accepting connections");
            HealthClient::new(channel)
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await
                .expect("health answers")
                .into_inner()
                .status
        }
    };
    let not_serving = async {
        while check("").await != ServingStatus::NotServing as i32 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(PATIENCE, not_serving)
        .await
        .expect("health turns NOT_SERVING");
    assert_eq!(
        check("copydesk.v1.NormalizerService").await,
        ServingStatus::NotServing as i32
    );

    // A new call on a new connection is still served during the grace.
    let article = app
        .client()
        .await
        .normalize(request(text_doc("late", EN)))
        .await
        .expect("served during the grace")
        .into_inner()
        .article
        .expect("article");
    assert_eq!(article.id, "late");

    let article = tokio::time::timeout(PATIENCE, call)
        .await
        .expect("no hang")
        .expect("task")
        .expect("the in-flight call completes")
        .into_inner()
        .article
        .expect("article");
    assert_eq!(article.id, "in-flight");
    assert!(!app.server.is_finished(), "still in the grace");
}

/// The whole sequence with a short grace: NOT_SERVING, then the listener closes, then the
/// in-flight call finishes in the drain and the server stops.
#[tokio::test]
async fn shutdown_drains_in_flight_calls_and_refuses_new_ones() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    let mut app = spawn_app_with(ServeConfig {
        shutdown_grace: Duration::from_millis(200),
        ..ServeConfig::default()
    })
    .await;
    let mut health = HealthClient::new(app.channel().await);
    let mut watch = health
        .watch(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("watch")
        .into_inner();
    let first = watch.message().await.expect("watch").expect("status");
    assert_eq!(first.status, ServingStatus::Serving as i32);

    let mut client = app.client().await;
    let call = tokio::spawn(async move {
        client
            // Big enough to be in flight when the shutdown starts, small enough for a debug
            // build to finish well inside the drain timeout.
            .normalize(request(text_doc("in-flight", &big_text(2 * 1024 * 1024))))
            .await
    });
    // Wait until the document is in the engine (no sleeps: the in-flight gauge says so).
    let waiting = async {
        while app.metric("copydesk_in_flight").await < 1.0 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("call in flight");

    app.shutdown();
    let next = tokio::time::timeout(PATIENCE, watch.message())
        .await
        .expect("no hang")
        .expect("watch")
        .expect("status");
    assert_eq!(next.status, ServingStatus::NotServing as i32);
    drop(watch); // a health watcher would otherwise hold the drain open

    let article = tokio::time::timeout(PATIENCE, call)
        .await
        .expect("no hang")
        .expect("task")
        .expect("the in-flight call completes")
        .into_inner()
        .article
        .expect("article");
    assert_eq!(article.id, "in-flight");

    // New connections are refused once the listener is closed.
    let refused = async {
        loop {
            let attempt = app.endpoint().connect().await;
            match attempt {
                Err(_) => break,
                Ok(channel) => {
                    let mut c =
                        copydesk::pb::normalizer_service_client::NormalizerServiceClient::new(
                            channel,
                        );
                    if c.normalize(request(text_doc("late", EN))).await.is_err() {
                        break;
                    }
                }
            }
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(PATIENCE, refused)
        .await
        .expect("new calls refused");
    let result = tokio::time::timeout(PATIENCE, app.server)
        .await
        .expect("the server stops")
        .expect("task");
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn the_drain_timeout_bounds_shutdown() {
    use tokio_stream::StreamExt;
    let mut app = spawn_app_with(ServeConfig {
        shutdown_grace: Duration::ZERO,
        drain_timeout: Duration::from_millis(200),
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    // A stream the client never closes would hold the drain open forever.
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(pb::NormalizeStreamRequest {
        document: Some(text_doc("s", EN)),
        options: None,
    })
    .await
    .expect("send");
    let mut stream = client
        .normalize_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("stream")
        .into_inner();
    stream.next().await.expect("one item").expect("ok");
    app.shutdown();
    let result = tokio::time::timeout(PATIENCE, app.server)
        .await
        .expect("the drain timeout ends the wait")
        .expect("task");
    assert!(result.is_ok(), "{result:?}");
    drop(tx);
}

#[tokio::test]
async fn a_stream_of_hostile_documents_answers_each_in_order_and_goes_on() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let raw = |id: &str, bytes: &[u8], charset: &str| pb::Document {
        id: id.into(),
        content: Some(pb::document::Content::Raw(bytes.to_vec())),
        charset: charset.into(),
        ..Default::default()
    };
    // (document, the error code it gets, or "" for an article)
    let cases = [
        (text_doc("empty", ""), "INVALID_ARGUMENT"),
        (
            text_doc("controls", "\u{0}\u{1}\u{202e}Wort und Satz.\u{85}"),
            "",
        ),
        (
            raw("charset", b"words", "no-such-charset"),
            "INVALID_ARGUMENT",
        ),
        (raw("bad-utf8", b"caf\xc3\x28", "utf-8"), "INVALID_ARGUMENT"),
        (raw("latin1", b"Gr\xfc\xdfe aus \xd6sterreich", ""), ""),
        (text_doc("parens", &"(".repeat(10_000)), ""),
        (
            pb::Document {
                language_hint: "not a code".into(),
                ..text_doc("hint", EN)
            },
            "INVALID_ARGUMENT",
        ),
        (text_doc("en", EN), ""),
    ];
    let expected: Vec<(String, &str)> = cases.iter().map(|(d, c)| (d.id.clone(), *c)).collect();
    let requests = tokio_stream::iter(cases.into_iter().map(|(d, _)| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }));
    let items = collect_stream(&mut client, requests).await.expect("items");
    assert_eq!(items.len(), expected.len());
    for (item, (id, code)) in items.iter().zip(&expected) {
        match (&item.result, *code) {
            (Some(pb::normalize_stream_response::Result::Article(a)), "") => {
                assert_eq!(&a.id, id)
            }
            (Some(pb::normalize_stream_response::Result::Error(e)), code) if !code.is_empty() => {
                assert_eq!(e.code, code, "{id}: {e:?}");
                assert!(!e.message.is_empty());
            }
            (other, code) => panic!("{id}: expected {code:?}, got {other:?}"),
        }
    }
    client
        .normalize(request(text_doc("after", EN)))
        .await
        .expect("serves after the stream");
}

/// A client that opens a stream, keeps sending and never reads: flow control stops the server
/// from pulling more documents than its small buffers hold, so the sender blocks, memory stays
/// bounded, and other clients are served meanwhile.
#[tokio::test]
async fn a_stream_that_is_never_read_is_held_back_by_flow_control() {
    use tokio_stream::StreamExt;
    let app = spawn_app().await;
    let mut client = app.client().await;
    let total: usize = 20_000;
    let doc = "Der Stadtrat hat am Montag einen neuen Radweg beschlossen. ".repeat(50);
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let stream_doc = doc.clone();
    let requests = tokio_stream::iter(0..total).map(move |i| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        pb::NormalizeStreamRequest {
            document: Some(text_doc(&format!("d{i}"), &stream_doc)),
            options: None,
        }
    });
    let rss_before = rss_kib();
    // Open the stream and hold the response without ever reading it.
    let response = tokio::time::timeout(PATIENCE, client.normalize_stream(requests))
        .await
        .expect("stream opens")
        .expect("stream accepted");
    // Give the server ample time to pull everything it would pull if nothing held it back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pulled = sent.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        pulled < total / 2,
        "the server pulled {pulled} of {total} documents from a stream nobody reads"
    );
    let grown_mib = rss_kib().saturating_sub(rss_before) / 1024;
    assert!(grown_mib < 256, "memory grew by {grown_mib} MiB");
    // Other clients are served meanwhile.
    let mut other = app.client().await;
    let article = tokio::time::timeout(PATIENCE, other.normalize(request(text_doc("other", &doc))))
        .await
        .expect("no hang")
        .expect("served")
        .into_inner();
    assert!(article.article.is_some());
    drop(response);
}

fn rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
