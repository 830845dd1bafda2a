//! The memory budget (`--memory-budget`) and the response limit (`--max-response-bytes`),
//! against the real server on port 0. Behaviour only: who is admitted, shed, refused or
//! answered, and with which message; never time or RSS (examples/memory.rs measures those).

mod common;

use common::*;
use copydesk::config::ServeConfig;
use copydesk::pb;
use tonic::Code;

const MIB: usize = 1024 * 1024;

fn stream_requests(
    docs: Vec<pb::Document>,
) -> impl tokio_stream::Stream<Item = pb::NormalizeStreamRequest> {
    tokio_stream::iter(docs.into_iter().map(|d| pb::NormalizeStreamRequest {
        document: Some(d),
        options: None,
    }))
}

/// A document estimated over the whole budget is refused whatever the load, with a message
/// that names the flag and what to do; the server goes on.
#[tokio::test]
async fn a_document_over_the_whole_memory_budget_is_refused_naming_the_flag() {
    let app = spawn_app_with(ServeConfig {
        memory_budget: 4 * MIB,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let status = client
        .normalize(request(text_doc("big", &big_text(MIB))))
        .await
        .expect_err("over the whole budget");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("--memory-budget"), "{status:?}");
    assert!(status.message().contains("4 MiB"), "{status:?}");
    assert!(status.message().contains("split it"), "{status:?}");
    // Not a shed call: refused for what it is, not for the load.
    assert_eq!(app.metric("copydesk_shed_total").await, 0.0);
    client
        .normalize(request(text_doc("small", EN)))
        .await
        .expect("a small document still fits");
}

/// DetectLanguage holds its text while it waits for an engine thread: it takes its share of
/// the budget too, and a text over the whole budget is refused naming the flag.
#[tokio::test]
async fn detect_language_takes_its_share_of_the_memory_budget() {
    let app = spawn_app_with(ServeConfig {
        memory_budget: MIB,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let status = client
        .detect_language(pb::DetectLanguageRequest {
            text: big_text(2 * MIB),
            language_hint: String::new(),
        })
        .await
        .expect_err("over the whole budget");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("--memory-budget"), "{status:?}");
    assert!(status.message().contains("to detect"), "{status:?}");
    let answer = client
        .detect_language(pb::DetectLanguageRequest {
            text: EN.to_string(),
            language_hint: String::new(),
        })
        .await
        .expect("a small text fits")
        .into_inner();
    assert_eq!(answer.language.map(|l| l.code).as_deref(), Some("en"));
}

/// Unary calls that find the budget taken are shed with RESOURCE_EXHAUSTED naming
/// `--memory-budget` (the concurrency limit is far away); the admitted ones are answered.
#[tokio::test]
async fn unary_calls_over_a_full_memory_budget_are_shed_naming_the_flag() {
    let app = spawn_app_with(ServeConfig {
        memory_budget: 16 * MIB,
        concurrency_limit: 1000,
        ..ServeConfig::default()
    })
    .await;
    let channel = app.channel().await;
    // About 9 MB of estimate each: one fits in 16 MiB, two do not.
    let text = big_text(MIB);
    let calls: Vec<_> = (0..8)
        .map(|i| {
            let mut client =
                pb::normalizer_service_client::NormalizerServiceClient::new(channel.clone())
                    .max_decoding_message_size(usize::MAX);
            let doc = text_doc(&format!("load-{i}"), &text);
            tokio::spawn(async move {
                tokio::time::timeout(PATIENCE, client.normalize(request(doc)))
                    .await
                    .expect("no hang")
            })
        })
        .collect();
    let (mut ok, mut shed) = (0, 0);
    for call in calls {
        match call.await.expect("task") {
            Ok(response) => {
                assert!(response.into_inner().article.is_some());
                ok += 1;
            }
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                assert!(
                    status
                        .message()
                        .contains("memory budget of 16 MiB (--memory-budget)"),
                    "{status:?}"
                );
                shed += 1;
            }
        }
    }
    assert!(
        ok >= 1,
        "admitted calls are answered (ok {ok}, shed {shed})"
    );
    assert!(shed >= 1, "the excess is shed (ok {ok}, shed {shed})");
    assert_eq!(app.metric("copydesk_shed_total").await, shed as f64);
}

/// Stream items wait for the budget instead of being shed: with room for one document at a
/// time and four items in work at once, every item is answered, in order.
#[tokio::test]
async fn stream_items_wait_for_the_memory_budget() {
    let app = spawn_app_with(ServeConfig {
        memory_budget: 16 * MIB,
        stream_concurrency: 4,
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let text = big_text(MIB);
    let docs = (0..4).map(|i| text_doc(&format!("s-{i}"), &text)).collect();
    let items = collect_stream(&mut client, stream_requests(docs))
        .await
        .expect("items");
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["s-0", "s-1", "s-2", "s-3"]);
    for item in &items {
        assert!(
            matches!(
                item.result,
                Some(pb::normalize_stream_response::Result::Article(_))
            ),
            "{:?}",
            item.id
        );
    }
    assert_eq!(app.metric("copydesk_shed_total").await, 0.0);
}

/// An article over `--max-response-bytes` is RESOURCE_EXHAUSTED naming the limit and what to
/// do; asking for less (omit_text, omit_removed) gets it under the limit.
#[tokio::test]
async fn a_response_over_the_limit_is_resource_exhausted_naming_it() {
    let app = spawn_app_with(ServeConfig {
        max_response_bytes: Some(4000),
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let text = big_text(3000);
    let status = client
        .normalize(request(text_doc("long", &text)))
        .await
        .expect_err("over the response limit");
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(
        status
            .message()
            .contains("over the response limit of 4000 bytes (--max-response-bytes)"),
        "{status:?}"
    );
    assert!(status.message().contains("omit_text"), "{status:?}");
    let answer = client
        .normalize(pb::NormalizeRequest {
            document: Some(text_doc("long", &text)),
            options: Some(pb::NormalizeOptions {
                omit_text: true,
                omit_removed: true,
                ..Default::default()
            }),
        })
        .await
        .expect("under the limit without text");
    assert!(answer.into_inner().article.is_some());
}

/// In a stream, an article over the response limit is an error item and the stream goes on.
#[tokio::test]
async fn a_stream_item_over_the_response_limit_is_an_error_item_and_the_stream_goes_on() {
    let app = spawn_app_with(ServeConfig {
        max_response_bytes: Some(4000),
        ..ServeConfig::default()
    })
    .await;
    let mut client = app.client().await;
    let docs = vec![
        text_doc("short", EN),
        text_doc("long", &big_text(3000)),
        text_doc("short2", DE),
    ];
    let items = collect_stream(&mut client, stream_requests(docs))
        .await
        .expect("the stream is not ended by the item");
    let ids: Vec<_> = items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["short", "long", "short2"]);
    use pb::normalize_stream_response::Result as R;
    assert!(matches!(items[0].result, Some(R::Article(_))));
    match &items[1].result {
        Some(R::Error(e)) => {
            assert_eq!(e.code, "RESOURCE_EXHAUSTED");
            assert!(e.message.contains("--max-response-bytes"), "{e:?}");
        }
        other => panic!("long: {other:?}"),
    }
    assert!(matches!(items[2].result, Some(R::Article(_))));
}
