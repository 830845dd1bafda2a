//! Black-box tests of every RPC through a tonic client against the real server on port 0.

mod common;

use common::*;
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
        content_type: "text/html".into(),
        ..text_doc("ct", EN)
    })
    .await;
    assert_eq!(status.code(), Code::InvalidArgument);
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
