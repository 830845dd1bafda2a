//! Black-box tests of every RPC through a tonic client against the real server on port 0.

mod common;

use common::*;
use copydesk::config::ServeConfig;
use copydesk::pb;
use tokio_stream::StreamExt;
use tonic::Code;
use tonic::codec::CompressionEncoding;

#[tokio::test]
async fn normalize_english_text() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let article = client
        .normalize(request(text_doc("en-1", EN)))
        .await
        .expect("normalize")
        .into_inner()
        .article
        .expect("article");
    assert_eq!(article.id, "en-1");
    assert_eq!(
        article.language.as_ref().map(|l| l.code.as_str()),
        Some("en")
    );
    assert!(!article.text.is_empty());
    assert!(!article.blocks.is_empty());
    assert!(article.blocks.iter().all(|b| !b.text.is_empty()));
}

#[tokio::test]
async fn normalize_raw_windows_1252_german_named_and_detected() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let raw = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/de-windows-1252.txt"
    ))
    .expect("fixture");
    for charset in ["windows-1252", ""] {
        let doc = pb::Document {
            id: format!("de-{charset}"),
            content: Some(pb::document::Content::Raw(raw.clone())),
            charset: charset.into(),
            ..Default::default()
        };
        let article = client
            .normalize(request(doc))
            .await
            .unwrap_or_else(|s| panic!("charset {charset:?}: {s:?}"))
            .into_inner()
            .article
            .expect("article");
        assert_eq!(article.id, format!("de-{charset}"));
        assert_eq!(
            article.language.as_ref().map(|l| l.code.as_str()),
            Some("de")
        );
        assert!(article.text.contains("Straßen"), "{}", article.text);
    }
}

#[tokio::test]
async fn options_leave_out_text() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let article = client
        .normalize(pb::NormalizeRequest {
            document: Some(text_doc("o", EN)),
            options: Some(pb::NormalizeOptions {
                omit_text: true,
                omit_removed: true,
                ..Default::default()
            }),
        })
        .await
        .expect("normalize")
        .into_inner()
        .article
        .expect("article");
    assert!(article.text.is_empty());
    assert!(article.removed.is_empty());
    assert!(!article.blocks.is_empty());
}

async fn normalize_error(doc: pb::Document) -> tonic::Status {
    let app = spawn_app().await;
    let mut client = app.client().await;
    client
        .normalize(request(doc))
        .await
        .expect_err("the document must be refused")
}

#[tokio::test]
async fn empty_whitespace_and_missing_documents_are_invalid() {
    for doc in [
        text_doc("e", ""),
        text_doc("w", " \n\t \n "),
        pb::Document::default(),
        pb::Document {
            content: Some(pb::document::Content::Raw(Vec::new())),
            ..Default::default()
        },
    ] {
        let status = normalize_error(doc.clone()).await;
        assert_eq!(status.code(), Code::InvalidArgument, "{doc:?}: {status:?}");
        assert!(status.message().contains("empty"), "{status:?}");
    }
    // No document at all in the request.
    let app = spawn_app().await;
    let status = app
        .client()
        .await
        .normalize(pb::NormalizeRequest::default())
        .await
        .expect_err("refused");
    assert_eq!(status.code(), Code::InvalidArgument);
}

#[tokio::test]
async fn unknown_content_type_is_invalid() {
    let status = normalize_error(pb::Document {
        content_type: "application/pdf".into(),
        ..text_doc("ct", EN)
    })
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    // The message names what was sent and what is accepted.
    assert!(status.message().contains("application/pdf"), "{status:?}");
    assert!(status.message().contains("text/html"), "{status:?}");
}

#[tokio::test]
async fn unknown_charset_is_invalid() {
    let status = normalize_error(pb::Document {
        content: Some(pb::document::Content::Raw(b"plain words".to_vec())),
        charset: "klingon-8".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("klingon-8"), "{status:?}");
}

#[tokio::test]
async fn undecodable_raw_with_named_charset_is_invalid() {
    let status = normalize_error(pb::Document {
        content: Some(pb::document::Content::Raw(b"caf\xc3\x28 au lait".to_vec())),
        charset: "utf-8".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().to_lowercase().contains("utf-8"),
        "{status:?}"
    );
}

#[tokio::test]
async fn invalid_language_hint_is_invalid() {
    let status = normalize_error(pb::Document {
        language_hint: "english!".into(),
        ..text_doc("h", EN)
    })
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("english!"), "{status:?}");
}

#[tokio::test]
async fn stream_answers_in_order_with_an_error_item_in_the_middle() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let docs = vec![text_doc("a", EN), text_doc("b", "   "), text_doc("c", DE)];
    let requests = tokio_stream::iter(docs.into_iter().map(|d| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }));
    let responses: Vec<_> = client
        .normalize_stream(requests)
        .await
        .expect("stream")
        .into_inner()
        .collect::<Result<_, _>>()
        .await
        .expect("every item");
    let ids: Vec<_> = responses.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    use pb::normalize_stream_response::Result as R;
    match &responses[0].result {
        Some(R::Article(a)) => assert_eq!(a.language.as_ref().map(|l| l.code.as_str()), Some("en")),
        other => panic!("a: {other:?}"),
    }
    match &responses[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code, "INVALID_ARGUMENT");
            assert!(e.message.contains("empty"), "{e:?}");
        }
        other => panic!("b: {other:?}"),
    }
    match &responses[2].result {
        Some(R::Article(a)) => assert_eq!(a.language.as_ref().map(|l| l.code.as_str()), Some("de")),
        other => panic!("c: {other:?}"),
    }
}

#[tokio::test]
async fn a_long_stream_keeps_its_order() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let n = 200;
    let requests = tokio_stream::iter((0..n).map(|i| pb::NormalizeStreamRequest {
        document: Some(text_doc(
            &format!("doc-{i}"),
            if i % 2 == 0 { EN } else { DE },
        )),
        options: None,
    }));
    let mut stream = client
        .normalize_stream(requests)
        .await
        .expect("stream")
        .into_inner();
    let mut i = 0;
    while let Some(item) = stream.next().await {
        let item = item.expect("item");
        assert_eq!(item.id, format!("doc-{i}"));
        assert!(matches!(
            item.result,
            Some(pb::normalize_stream_response::Result::Article(_))
        ));
        i += 1;
    }
    assert_eq!(i, n);
}

fn stream_request(doc: pb::Document) -> pb::NormalizeStreamRequest {
    pb::NormalizeStreamRequest {
        document: Some(doc),
        options: None,
    }
}

/// How long the stream tests of megabytes of copy may take before they count as a hang.
const SLOW_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

/// Runs a stream of `docs` while sampling the in-flight gauge (documents in the engine now).
/// Returns the answers and the largest value seen. Sampling can miss a peak, never invent one.
async fn stream_sampling_in_flight(
    app: &App,
    docs: Vec<pb::Document>,
) -> (Vec<pb::NormalizeStreamResponse>, f64) {
    let mut client = app.client().await;
    let call = tokio::spawn(async move {
        client
            .normalize_stream(tokio_stream::iter(docs.into_iter().map(stream_request)))
            .await
            .expect("stream")
            .into_inner()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("every item")
    });
    let mut peak: f64 = 0.0;
    let sampling = async {
        while !call.is_finished() {
            peak = peak.max(app.metric("copydesk_in_flight").await);
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(SLOW_PATIENCE, sampling)
        .await
        .expect("no hang");
    (call.await.expect("task"), peak)
}

/// `--stream-concurrency 2`: one stream keeps both engine threads busy (before, one stream
/// used one engine thread, whatever the client had in flight).
#[tokio::test]
async fn one_stream_runs_several_items_at_once() {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        eprintln!("skipped: one engine thread per core, and this machine has one core");
        return;
    }
    let app = spawn_app_with(ServeConfig {
        stream_concurrency: 2,
        // Megabytes of copy in a debug build on a busy machine: the test checks order and
        // overlap, not speed.
        request_timeout: SLOW_PATIENCE,
        ..ServeConfig::default()
    })
    .await;
    let big = big_text(2 * 1024 * 1024);
    let docs: Vec<_> = (0..6)
        .map(|i| text_doc(&format!("big-{i}"), &big))
        .collect();
    let (items, peak) = stream_sampling_in_flight(&app, docs).await;
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["big-0", "big-1", "big-2", "big-3", "big-4", "big-5"]);
    assert_eq!(
        peak, 2.0,
        "two items of the one stream in the engine at once"
    );
}

/// `--stream-concurrency 1`: one item at a time, as before the setting existed.
#[tokio::test]
async fn a_stream_concurrency_of_one_runs_one_item_at_a_time() {
    let app = spawn_app_with(ServeConfig {
        stream_concurrency: 1,
        // Megabytes of copy in a debug build on a busy machine: the test checks order and
        // overlap, not speed.
        request_timeout: SLOW_PATIENCE,
        ..ServeConfig::default()
    })
    .await;
    let big = big_text(1024 * 1024);
    let docs: Vec<_> = (0..4)
        .map(|i| text_doc(&format!("big-{i}"), &big))
        .collect();
    let (items, peak) = stream_sampling_in_flight(&app, docs).await;
    assert_eq!(items.len(), 4);
    assert!(peak <= 1.0, "at most one item in the engine, saw {peak}");
}

/// Items run at once, but their answers leave in input order: small items after a big one
/// finish first and wait for it; a bad item keeps its place.
#[tokio::test]
async fn answers_leave_in_input_order_when_later_items_finish_first() {
    let app = spawn_app_with(ServeConfig {
        stream_concurrency: 4,
        // Megabytes of copy in a debug build on a busy machine: the test checks order and
        // overlap, not speed.
        request_timeout: SLOW_PATIENCE,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let docs = vec![
        text_doc("big", &big_text(4 * 1024 * 1024)),
        text_doc("small-1", EN),
        text_doc("empty", ""),
        text_doc("small-2", DE),
        text_doc("medium", &big_text(1024 * 1024)),
        text_doc("small-3", EN),
    ];
    let items = collect_stream(
        &mut client,
        tokio_stream::iter(docs.into_iter().map(stream_request)),
    )
    .await
    .expect("every item");
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["big", "small-1", "empty", "small-2", "medium", "small-3"]
    );
    use pb::normalize_stream_response::Result as R;
    for item in &items {
        match (&item.result, item.id.as_str()) {
            (Some(R::Error(e)), "empty") => assert_eq!(e.code, "INVALID_ARGUMENT"),
            (Some(R::Article(a)), id) if id != "empty" => assert_eq!(a.id, id),
            (other, id) => panic!("{id}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn gzip_and_zstd_both_ways() {
    let app = spawn_app().await;
    for encoding in [CompressionEncoding::Gzip, CompressionEncoding::Zstd] {
        let mut client = app
            .client()
            .await
            .send_compressed(encoding)
            .accept_compressed(encoding);
        let response = client
            .normalize(request(text_doc("z", &big_text(64 * 1024))))
            .await
            .unwrap_or_else(|s| panic!("{encoding:?}: {s:?}"));
        let sent = response
            .metadata()
            .get("grpc-encoding")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        assert_eq!(sent.as_deref(), Some(encoding.to_string().as_str()));
        let article = response.into_inner().article.expect("article");
        assert_eq!(article.id, "z");
        assert!(!article.text.is_empty());
    }
    // Without accept_compressed the answer comes back plain.
    let response = app
        .client()
        .await
        .normalize(request(text_doc("plain", EN)))
        .await
        .expect("plain");
    assert!(response.metadata().get("grpc-encoding").is_none());
}

#[tokio::test]
async fn detect_language_answers_and_refuses() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let response = client
        .detect_language(pb::DetectLanguageRequest {
            text: DE.into(),
            language_hint: String::new(),
        })
        .await
        .expect("detect")
        .into_inner();
    let language = response.language.expect("language");
    assert_eq!(language.code, "de");
    assert!((0.0..=1.0).contains(&language.confidence));
    for c in &response.candidates {
        assert!(!c.code.is_empty());
    }
    for (text, hint) in [("", ""), ("  \n ", ""), ("Hello world", "not a code")] {
        let status = client
            .detect_language(pb::DetectLanguageRequest {
                text: text.into(),
                language_hint: hint.into(),
            })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{text:?} {hint:?}");
    }
}

#[tokio::test]
async fn capabilities_describe_the_build() {
    let app = spawn_app().await;
    let caps = app
        .client()
        .await
        .get_capabilities(pb::GetCapabilitiesRequest {})
        .await
        .expect("capabilities")
        .into_inner();
    assert_eq!(caps.version, env!("CARGO_PKG_VERSION"));
    assert!(caps.languages.iter().any(|l| l == "de"));
    assert!(caps.languages.iter().any(|l| l == "en"));
    assert!(!caps.agencies.is_empty());
    assert!(!caps.rules_version.is_empty());
    assert_eq!(caps.max_document_bytes, 16 * 1024 * 1024);
    assert!(caps.detectable_languages.iter().any(|l| l == "de"));
}

#[tokio::test]
async fn health_is_serving() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let app = spawn_app().await;
    let mut health = HealthClient::new(app.channel().await);
    for service in ["", "copydesk.v1.NormalizerService"] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("check")
            .into_inner()
            .status;
        assert_eq!(status, ServingStatus::Serving as i32, "{service:?}");
    }
}

const EXPECTED_SERVICES: [&str; 4] = [
    "copydesk.v1.NormalizerService",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
];

#[tokio::test]
async fn reflection_v1_lists_every_service() {
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.next().await.expect("one answer").expect("ok");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected answer {response:?}");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    for expected in EXPECTED_SERVICES {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn reflection_v1alpha_lists_every_service() {
    use tonic_reflection::pb::v1alpha::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };
    let app = spawn_app().await;
    let mut client = ServerReflectionClient::new(app.channel().await);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.next().await.expect("one answer").expect("ok");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("unexpected answer {response:?}");
    };
    let names: Vec<_> = list.service.iter().map(|s| s.name.as_str()).collect();
    for expected in EXPECTED_SERVICES {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn metrics_count_calls() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    client
        .normalize(request(text_doc("m", EN)))
        .await
        .expect("ok");
    let _ = client.normalize(request(text_doc("m", ""))).await;
    let text = app.metrics().await;
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(
        text.contains("copydesk_calls_total{method=\"Normalize\",code=\"OK\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("copydesk_calls_total{method=\"Normalize\",code=\"INVALID_ARGUMENT\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("copydesk_call_duration_seconds_count{method=\"Normalize\"} 2"),
        "{text}"
    );
    assert_eq!(app.metric("copydesk_errors_total").await, 1.0);
}
