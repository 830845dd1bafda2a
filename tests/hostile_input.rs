//! Hostile documents through the real gRPC server (issue 5, Robustness): each gets a sound
//! article or a clear status, and the server goes on serving. Empty and whitespace documents,
//! the 20 MiB document, an unknown charset and a bad hint have their tests in `grpc_api.rs` and
//! `robustness.rs`; this file covers the rest of the issue's list.
//!
//! No timing assertions: `HOSTILE_PATIENCE` only turns a hang into a failure. Time per MB is measured by
//! `examples/scaling.rs` (see docs/robustness.md).

mod common;

use common::*;
use copydesk::config::ServeConfig;
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use std::time::Duration;
use tonic::Code;
use tonic::transport::Channel;

/// How long one hostile document may take, on the server and in the test: generous, so that a
/// busy machine (a build on the other core, an unoptimised test build) never fails a test that
/// checks work, not time. A hang still fails, after this long. Time per MB is measured by
/// `examples/scaling.rs`, never here.
const HOSTILE_PATIENCE: Duration = Duration::from_secs(600);

/// The server with a request timeout of `HOSTILE_PATIENCE` (the default 30 s is a production
/// setting, not a property of the input).
async fn spawn_app() -> App {
    spawn_app_with(ServeConfig {
        request_timeout: HOSTILE_PATIENCE,
        ..ServeConfig::default()
    })
    .await
}

/// One call, bounded by `HOSTILE_PATIENCE`.
/// `call`, with a line on stderr saying whether it answered and how long it took.
async fn call_timed(
    client: &mut NormalizerServiceClient<Channel>,
    what: &str,
    doc: pb::Document,
) -> Result<pb::Article, tonic::Status> {
    let started = std::time::Instant::now();
    let result = call(client, doc).await;
    eprintln!("{what}: ok={} in {:?}", result.is_ok(), started.elapsed());
    result
}

async fn call(
    client: &mut NormalizerServiceClient<Channel>,
    doc: pb::Document,
) -> Result<pb::Article, tonic::Status> {
    tokio::time::timeout(HOSTILE_PATIENCE, client.normalize(request(doc)))
        .await
        .unwrap_or_else(|_| {
            panic!("no answer within {HOSTILE_PATIENCE:?}: not linear in the size?")
        })
        .map(|r| {
            r.into_inner()
                .article
                .expect("an OK answer carries an article")
        })
}

fn raw_doc(id: &str, bytes: &[u8], charset: &str) -> pb::Document {
    pb::Document {
        id: id.into(),
        content: Some(pb::document::Content::Raw(bytes.to_vec())),
        charset: charset.into(),
        ..Default::default()
    }
}

/// Every place an article may put a piece of the input.
fn haystack(a: &pb::Article) -> String {
    let mut h = vec![a.text.clone(), a.headline.clone(), a.kicker.clone()];
    h.extend(a.dateline.iter().map(|d| d.raw.clone()));
    for img in &a.images {
        h.push(img.caption.clone());
        h.extend(img.credit.iter().map(|c| c.raw.clone()));
    }
    h.extend(a.byline.iter().map(|b| b.raw.clone()));
    h.extend(a.removed.iter().map(|r| r.text.clone()));
    h.join("\n")
}

fn has_notice(a: &pb::Article, kind: pb::NoticeKind) -> bool {
    a.notices.iter().any(|n| n.kind == kind as i32)
}

/// A clear refusal: a status the contract names, with a message.
fn assert_clear_status(status: &tonic::Status) {
    assert!(
        matches!(
            status.code(),
            Code::InvalidArgument | Code::ResourceExhausted
        ),
        "{status:?}"
    );
    assert!(!status.message().is_empty(), "{status:?}");
}

async fn still_serving(client: &mut NormalizerServiceClient<Channel>) {
    let a = call(client, text_doc("after", EN))
        .await
        .expect("serves afterwards");
    assert_eq!(a.language.expect("language").code, "en");
}

#[tokio::test]
async fn two_megabytes_on_one_line_is_one_paragraph() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let sentence =
        "The council voted on Wednesday evening to build four new cycle lanes in the centre. ";
    let text = sentence.repeat(2_000_000 / sentence.len() + 1);
    let a = call(&mut client, text_doc("one-line", &text))
        .await
        .expect("an article");
    assert_eq!(a.blocks.len(), 1);
    assert_eq!(a.text, text.trim());
    still_serving(&mut client).await;
}

#[tokio::test]
async fn a_hundred_thousand_credit_lines_answer_and_none_vanishes() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let line = "Foto: Max Muster/dpa";
    let text = format!("{line}\n").repeat(100_000);
    match call(&mut client, text_doc("credits", &text)).await {
        Ok(a) => {
            let found = haystack(&a).matches(line).count();
            assert_eq!(
                found, 100_000,
                "every credit line is somewhere in the article"
            );
        }
        Err(status) => assert_clear_status(&status),
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn four_hundred_thousand_nested_parentheses() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let nested = format!("{}{}", "(".repeat(400_000), ")".repeat(400_000));
    match call(&mut client, text_doc("parens", &nested)).await {
        Ok(a) => assert_eq!(haystack(&a).matches('(').count(), 400_000),
        Err(status) => assert_clear_status(&status),
    }
    // Inside a body paragraph they are body.
    let body = format!(
        "Der Rat tagte am Montag. Er beschloss {}den Haushalt{} für das kommende Jahr.",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let a = call(&mut client, text_doc("parens-body", &body))
        .await
        .expect("an article");
    assert!(a.text.contains("den Haushalt"), "{}", &a.text[..200]);
    assert_eq!(a.text.matches('(').count(), 100_000);
    still_serving(&mut client).await;
}

/// A near miss for a pattern: its literal words (metacharacters, classes, escapes and
/// repetition counts dropped), which lead the regex as far as the pattern goes.
fn literal_words(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(e) = chars.next() {
                    if e.is_alphanumeric() {
                        out.push(if e == 'd' { '1' } else { ' ' });
                        // \p{L}
                        if chars.peek() == Some(&'{') {
                            for x in chars.by_ref() {
                                if x == '}' {
                                    break;
                                }
                            }
                        }
                    } else {
                        out.push(e);
                    }
                }
            }
            '[' => {
                for x in chars.by_ref() {
                    if x == ']' {
                        break;
                    }
                }
                out.push('a');
            }
            '{' => {
                let inner: String = chars.by_ref().take_while(|&x| x != '}').collect();
                if inner.chars().all(|x| x.is_ascii_uppercase()) {
                    // {AGENCY}, {MONTH}
                    out.push_str(if inner == "MONTH" { "Mai" } else { "dpa" });
                }
            }
            '^' | '$' | '(' | ')' | '|' | '*' | '+' | '?' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.replace("?:", " ")
}

/// Every string value under `key` anywhere in a TOML value.
fn strings_under(value: &toml::Value, key: &str, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                if k.contains(key) {
                    collect_strings(v, out);
                } else {
                    strings_under(v, key, out);
                }
            }
        }
        toml::Value::Array(a) => a.iter().for_each(|v| strings_under(v, key, out)),
        _ => {}
    }
}

fn collect_strings(value: &toml::Value, out: &mut Vec<String>) {
    match value {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn near_misses_of_every_rule_pattern_answer() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut patterns_seen = 0;
    for path in files {
        let source = std::fs::read_to_string(&path).expect("rule file");
        let value: toml::Value = toml::from_str(&source).expect("toml");
        let mut patterns = Vec::new();
        strings_under(&value, "pattern", &mut patterns);
        strings_under(&value, "inline", &mut patterns);
        let mut labels = Vec::new();
        for key in ["lines", "prefixes", "labels", "words", "markers", "prefix"] {
            strings_under(&value, key, &mut labels);
        }
        patterns_seen += patterns.len();
        // Each near miss repeated on one line (~2 KB), on stacked lines, and between blank lines.
        let mut doc = String::new();
        for p in &patterns {
            let near = literal_words(p);
            doc.push_str(&near.repeat(2048 / near.len().max(1) + 1));
            doc.push('\n');
            for _ in 0..20 {
                doc.push_str(&near);
                doc.push('\n');
            }
            doc.push_str("\n(\n");
        }
        for l in &labels {
            doc.push_str(&format!("{l} ").repeat(100));
            doc.push_str("\n\n");
            doc.push_str(l);
            doc.push('\n');
        }
        if doc.trim().is_empty() {
            continue;
        }
        let code = path.file_stem().unwrap().to_string_lossy().to_string();
        let hint = if code.len() == 2 {
            code.clone()
        } else {
            String::new()
        };
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let doc = pb::Document {
            language_hint: hint,
            ..text_doc(&name, &doc)
        };
        match call(&mut client, doc).await {
            Ok(a) => assert_eq!(a.id, name),
            Err(status) => panic!("{name}: {status:?}"),
        }
    }
    assert!(patterns_seen > 100, "only {patterns_seen} patterns found");
    still_serving(&mut client).await;
}

/// The regex crate answers in time linear in the haystack; keep it that way.
#[test]
fn no_backtracking_regex_engine_and_no_pattern_compiled_per_request() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).expect("Cargo.lock");
    // A dev-dependency may bring one (jsonschema's `pattern` keyword, in the ninjs schema
    // test): never the server. Each package that depends on such an engine must be one of
    // these test tools, and Cargo.toml must list them under [dev-dependencies] only.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
    let dev = manifest
        .split_once("[dev-dependencies]")
        .map_or("", |(_, d)| d.split("\n[").next().unwrap_or(""));
    let test_tools = ["jsonschema"];
    for tool in test_tools {
        let declared = manifest
            .lines()
            .filter(|l| l.starts_with(&format!("{tool} ")))
            .count();
        assert!(
            declared == 0 || (dev.contains(&format!("\n{tool} ")) && declared == 1),
            "{tool} must be a dev-dependency only"
        );
    }
    for engine in ["fancy-regex", "pcre2", "onig", "regex-lite"] {
        for package in lock.split("[[package]]") {
            let name = package
                .lines()
                .find_map(|l| l.strip_prefix("name = \""))
                .map(|n| n.trim_end_matches('"'))
                .unwrap_or("");
            assert_ne!(name, "regex-lite", "regex-lite in Cargo.lock");
            let uses = package.lines().any(|l| {
                let l = l.trim().trim_end_matches(',').trim_matches('"');
                l == engine || l.starts_with(&format!("{engine} "))
            });
            assert!(
                !uses || test_tools.contains(&name),
                "{name} depends on {engine}: backtracking engines are not allowed"
            );
        }
    }
    // The engine only reads the matchers the rules compile (at start-up; a language's on its
    // first use). The language detector's evidence automaton is built in src/engine, but only by `Detector::from_toml`, which
    // `Rules` calls while loading.
    let built_at_load = ["evidence.rs"];
    let mut stack = vec![root.join("src/engine")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src/engine") {
            let path = e.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path
                .file_name()
                .is_some_and(|n| built_at_load.iter().any(|b| n == *b))
            {
                continue;
            }
            let src = std::fs::read_to_string(&path).expect("source");
            for compile in [
                "Regex::new",
                "RegexBuilder",
                "RegexSet::new",
                "RegexSetBuilder",
                "AhoCorasick::new",
                "AhoCorasick::builder",
            ] {
                assert!(
                    !src.contains(compile),
                    "{} compiles a matcher ({compile}) per request",
                    path.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn legacy_charsets_without_a_label_are_decoded_and_noticed() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let cases: [(&str, &str, &str); 3] = [
        (
            "latin-1",
            "Grüße aus Österreich: Der Gemeinderat hat am Montag einstimmig beschlossen, die Straße am Fluss zu sanieren. Die Arbeiten beginnen im Frühjahr und dauern bis zum Herbst. Anwohner müssen mit Umleitungen rechnen, sagte der Bürgermeister.",
            "ISO-8859-1",
        ),
        (
            "windows-1252",
            "Der Stadtrat hat am Mittwoch „einstimmig“ beschlossen, die Brücke zu sanieren. Die Kosten betragen 80.000 € – mehr als geplant. Der Bürgermeister sprach von einem „wichtigen Schritt“ für den Verkehr in der Stadt.",
            "windows-1252",
        ),
        (
            "iso-8859-2",
            "Příliš žluťoučký kůň úpěl ďábelské ódy. Hasiči v úterý zasahovali u požáru lesa na Šumavě, oheň se podařilo uhasit až večer. Podle mluvčího nebyl nikdo zraněn, škoda se odhaduje na několik milionů korun. Zaorać pole i zasiać żyto przed zimą, powiedział sołtys wsi.",
            "ISO-8859-2",
        ),
    ];
    for (name, text, label) in cases {
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes()).expect("label");
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{name}: the sample fits its charset");
        assert!(std::str::from_utf8(&bytes).is_err(), "{name}: not UTF-8");
        let a = call(&mut client, raw_doc(name, &bytes, ""))
            .await
            .unwrap_or_else(|s| panic!("{name}: {s:?}"));
        assert!(
            has_notice(&a, pb::NoticeKind::CharsetDecoded),
            "{name}: {:?}",
            a.notices
        );
        assert_eq!(a.text, text, "{name}: decoded as {:?}", a.notices);
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn named_charsets_that_are_unknown_or_do_not_decode_are_refused_naming_them() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let cases: [(&[u8], &str, &str); 5] = [
        (b"plain words", "no-such-charset", "no-such-charset"),
        (b"ok \xff\xfe bad", "utf-8", "UTF-8"),
        (b"\x82\xa0\x82", "shift_jis", "Shift_JIS"),
        (b"\xa1 \xa1", "euc-kr", "EUC-KR"),
        (b"o\x00k\x00!", "utf-16le", "UTF-16LE"),
    ];
    for (bytes, label, named) in cases {
        let status = call(&mut client, raw_doc(label, bytes, label))
            .await
            .expect_err(label);
        assert_eq!(status.code(), Code::InvalidArgument, "{label}: {status:?}");
        assert!(status.message().contains(named), "{label}: {status:?}");
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn binary_input_is_refused_naming_what_it_looks_like() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    // xorshift noise: what compressed, encrypted or random bytes look like.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let noise: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let with_head = |head: &[u8]| [head, &noise[..4096]].concat();
    let cases: [(&str, Vec<u8>, &str, &str); 5] = [
        ("noise", noise.clone(), "", "binary data"),
        (
            "noise-latin1",
            noise[..65536].to_vec(),
            "windows-1252",
            "windows-1252",
        ),
        (
            "gzip",
            with_head(&[0x1f, 0x8b, 0x08, 0x00]),
            "",
            "application/gzip",
        ),
        (
            "elf",
            with_head(b"\x7fELF\x02\x01\x01\x00"),
            "",
            "executable",
        ),
        (
            "jpeg",
            with_head(&[0xff, 0xd8, 0xff, 0xe0]),
            "",
            "image/jpeg",
        ),
    ];
    for (id, bytes, charset, named) in cases {
        let status = call(&mut client, raw_doc(id, &bytes, charset))
            .await
            .expect_err(id);
        assert_eq!(status.code(), Code::InvalidArgument, "{id}: {status:?}");
        assert!(status.message().contains(named), "{id}: {status:?}");
        assert!(status.message().contains("not text"), "{id}: {status:?}");
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn text_that_is_no_language_is_answered_as_unreliable_with_nothing_invented() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let mut x: u32 = 42;
    let mut next = move || {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        x >> 16
    };
    // Words of 3–9 letters: a run of one- and two-letter ones hits a language's short stop
    // words by chance (3–4 %), close to the 5 % of the sparsest real copy in our corpora.
    let letters: Vec<String> = (0..3000)
        .map(|_| {
            (0..3 + next() % 7)
                .map(|_| char::from(b'a' + (next() % 26) as u8))
                .collect()
        })
        .collect();
    let hex: String = (0..100_000)
        .map(|_| format!("{:02x}", next() % 256))
        .collect();
    for (id, text) in [("letters", letters.join(" ")), ("hex", hex)] {
        let a = call(&mut client, text_doc(id, &text))
            .await
            .unwrap_or_else(|s| panic!("{id}: {s:?}"));
        let lang = a.language.clone().unwrap_or_default();
        assert!(!lang.reliable, "{id}: {lang:?}");
        assert!(
            has_notice(&a, pb::NoticeKind::LanguageUncertain),
            "{id}: {:?}",
            a.notices
        );
        assert!(
            a.agencies.is_empty() && a.images.is_empty(),
            "{id}: {:?} {:?}",
            a.agencies,
            a.images
        );
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn fields_longer_than_their_purpose_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let long = "x".repeat(4 << 20);
    let copy = "Der Stadtrat hat am Mittwoch den Bau neuer Radwege beschlossen.";
    for (field, doc) in [
        (
            "id",
            pb::Document {
                id: long.clone(),
                ..text_doc("", copy)
            },
        ),
        (
            "language_hint",
            pb::Document {
                language_hint: long[..100].into(),
                ..text_doc("hint", copy)
            },
        ),
        (
            "charset",
            pb::Document {
                charset: long[..100].into(),
                ..text_doc("charset", copy)
            },
        ),
        (
            "content_type",
            pb::Document {
                content_type: long[..300].into(),
                ..text_doc("ct", copy)
            },
        ),
    ] {
        let status = call(&mut client, doc).await.expect_err(field);
        assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
        assert!(
            status.message().starts_with(&format!("{field} is ")),
            "{field}: {status:?}"
        );
        assert!(
            status.message().len() < 300,
            "the message does not echo the field"
        );
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn charsets_get_a_clear_answer_wherever_they_are_named() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let copy = "Der Stadtrat hat am Mittwoch den Bau neuer Radwege beschlossen.";
    // A charset with text: an unknown one is refused, a known one noticed as ignored.
    let status = call(
        &mut client,
        pb::Document {
            charset: "klingon-8".into(),
            ..text_doc("k", copy)
        },
    )
    .await
    .expect_err("klingon-8");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("klingon-8"), "{status:?}");
    let a = call(
        &mut client,
        pb::Document {
            charset: "latin1".into(),
            ..text_doc("l", copy)
        },
    )
    .await
    .expect("a known charset with text is noticed");
    assert!(
        has_notice(&a, pb::NoticeKind::CharsetIgnored),
        "{:?}",
        a.notices
    );
    // A "replacement" label says why.
    let status = call(&mut client, raw_doc("kr", b"\x1b$)C plain", "iso-2022-kr"))
        .await
        .expect_err("iso-2022-kr");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("replacement"), "{status:?}");
    // The charset parameter of content_type decodes raw.
    let doc = pb::Document {
        content_type: "text/plain; charset=iso-8859-2".into(),
        ..raw_doc(
            "ct",
            b"\xa9koda \xe8\xedslo p\xe1t\xe9ho roku, v\xfdvoj v \xe8esk\xe9m m\xecst\xec.",
            "",
        )
    };
    let a = call(&mut client, doc.clone())
        .await
        .expect("content_type charset");
    assert!(a.text.contains("číslo"), "{}", a.text);
    let status = call(
        &mut client,
        pb::Document {
            charset: "koi8-r".into(),
            ..doc
        },
    )
    .await
    .expect_err("conflict");
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("disagree"), "{status:?}");
    still_serving(&mut client).await;
}

#[tokio::test]
async fn controls_and_bidi_overrides_are_removed_and_noticed() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    // Trojan Source: an override that makes the line read differently than it runs.
    let text = "Der Stadtrat hat am Mittwochabend\u{0} den Bau neuer Radwege\u{1} beschlossen.\u{1b}[31m \
                Die Arbeiten\u{85} beginnen\u{9b} im Frühjahr. access_level != \"user\u{202e} \u{2066}// Check if admin\u{2069} \u{2066}\" \
                und\u{200e} so\u{200f} weiter\u{7f}.";
    for doc in [
        text_doc("text", text),
        raw_doc("raw", text.as_bytes(), ""),
        raw_doc("raw-utf8", text.as_bytes(), "utf-8"),
    ] {
        let id = doc.id.clone();
        let a = call(&mut client, doc)
            .await
            .unwrap_or_else(|s| panic!("{id}: {s:?}"));
        let bad = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        for field in [&a.text, &a.headline, &haystack(&a)] {
            assert!(!field.contains(bad), "{id}: controls left in {field:?}");
        }
        assert!(
            has_notice(&a, pb::NoticeKind::ControlCharactersRemoved),
            "{id}: {:?}",
            a.notices
        );
        for word in [
            "Mittwochabend",
            "Radwege",
            "beschlossen",
            "Frühjahr",
            "admin",
        ] {
            assert!(
                a.text.contains(word),
                "{id}: {word} missing from {:?}",
                a.text
            );
        }
    }
    still_serving(&mut client).await;
}

#[tokio::test]
async fn every_script_emoji_sequences_and_combining_marks_are_kept_intact() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let pieces = [
        "Straße",
        "Ελληνικά",
        "Русский",
        "Українська",
        "العربية",
        "فارسی",
        "עברית",
        "हिन्दी",
        "বাংলা",
        "ภาษาไทย",
        "中文",
        "日本語",
        "한국어",
        "ქართული",
        "Հայերեն",
        "አማርኛ",
        "👩\u{200d}👩\u{200d}👧",
        "👨\u{200d}👩\u{200d}👧\u{200d}👦",
        "🏳\u{fe0f}\u{200d}🌈",
        "🇩🇪",
        "👍🏽",
        "1\u{fe0f}\u{20e3}",
        "q\u{307}\u{323}",
        "a\u{333}",
        "क्षि",
        "می\u{200c}خواهم",
        "Z\u{351}\u{36b}\u{343}a\u{36a}l\u{302}g\u{301}o",
    ];
    let text = format!(
        "The council met on Monday with guests who wrote their names in many scripts: {}. \
         Everyone signed the visitors' book before the meeting began.",
        pieces.join(", ")
    );
    let a = call(&mut client, text_doc("scripts", &text))
        .await
        .expect("an article");
    let nfc: String = unicode_normalization::UnicodeNormalization::nfc(text.as_str()).collect();
    assert_eq!(a.text, nfc);
    for p in pieces {
        let p: String = unicode_normalization::UnicodeNormalization::nfc(p).collect();
        assert!(a.text.contains(&p), "{p:?} not intact in {:?}", a.text);
    }
    assert!(
        !has_notice(&a, pb::NoticeKind::ControlCharactersRemoved),
        "{:?}",
        a.notices
    );
    still_serving(&mut client).await;
}

#[tokio::test]
async fn language_hints_that_are_not_language_codes_are_invalid() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    for hint in [
        "english",
        "12",
        "d",
        "de!",
        "🇩🇪",
        "de\u{0}",
        "d e",
        "de-!!!",
        "en_<script>",
    ] {
        let doc = pb::Document {
            language_hint: hint.into(),
            ..text_doc("hint", EN)
        };
        let status = call(&mut client, doc).await.expect_err(hint);
        assert_eq!(status.code(), Code::InvalidArgument, "{hint:?}: {status:?}");
        assert!(status.message().contains("language_hint"), "{status:?}");
    }
    // Codes, with or without a region, in any case, are fine.
    for hint in ["de", "EN", "pt-BR", "zh_Hans", "fil"] {
        let doc = pb::Document {
            language_hint: hint.into(),
            ..text_doc("hint", EN)
        };
        call(&mut client, doc)
            .await
            .unwrap_or_else(|s| panic!("{hint:?}: {s:?}"));
    }
}

/// Regressions found by the property tests (tests/properties.rs): each once a panic in the
/// engine, which the service answers INTERNAL.
#[tokio::test]
async fn byline_openers_before_a_bullet_are_no_panic() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    for text in [
        "Von (•",
        "\n\nVon (•\n\n",
        "Von \u{fffd}(&ß•\u{200d}",
        "By (• x",
    ] {
        match call(&mut client, text_doc("bullet", text)).await {
            Ok(_) => {}
            Err(status) => assert_clear_status(&status),
        }
    }
    still_serving(&mut client).await;
}

// ---- Agency formats (issue 13): XML and IPTC 7901 front ends -------------------------------

fn typed_doc(id: &str, text: &str, content_type: &str) -> pb::Document {
    pb::Document {
        content_type: content_type.into(),
        ..text_doc(id, text)
    }
}

/// A refusal with INVALID_ARGUMENT whose message names the format and holds every `parts`.
fn assert_refused(result: Result<pb::Article, tonic::Status>, format: &str, parts: &[&str]) {
    let status = match result {
        Ok(a) => panic!("{format}: refused expected, got an article: {:?}", a.text),
        Err(s) => s,
    };
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let msg = status.message();
    assert!(msg.contains(format), "{msg:?} names {format}");
    for part in parts {
        assert!(msg.contains(part), "{msg:?} holds {part:?}");
    }
}

#[tokio::test]
async fn xml_entity_bombs_and_external_entities_are_refused_never_expanded() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    // Billion laughs: ten levels of ten references each.
    let mut lol =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE nitf [\n <!ENTITY lol0 \"lol\">\n");
    for i in 1..10 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        lol.push_str(&format!(" <!ENTITY lol{i} \"{refs}\">\n"));
    }
    lol.push_str("]>\n<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>");
    let started = std::time::Instant::now();
    let result = call(&mut client, typed_doc("lol", &lol, "application/nitf+xml")).await;
    eprintln!(
        "billion laughs: {:?} in {:?}",
        result.as_ref().err().map(|s| s.message().to_string()),
        started.elapsed()
    );
    assert_refused(result, "NITF", &["line 2, column 1", "DOCTYPE"]);
    // The same without a declared type: recognised as NITF, refused the same way.
    let result = call(&mut client, text_doc("lol-sniffed", &lol)).await;
    assert_refused(result, "NITF", &["DOCTYPE"]);
    // An external entity (XXE): refused before anything could be read, nothing fetched.
    let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE newsItem [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n\
               <newsItem><contentMeta><headline>&xxe;</headline></contentMeta></newsItem>";
    let result = call(
        &mut client,
        typed_doc("xxe", xxe, "application/vnd.iptc.g2.newsitem+xml"),
    )
    .await;
    eprintln!(
        "external entity: {:?}",
        result.as_ref().err().map(|s| s.message().to_string())
    );
    assert_refused(result, "NewsML-G2", &["line 2, column 1", "DOCTYPE"]);
    // A DOCTYPE that only names an external DTD is read, the DTD never fetched; an entity
    // nobody declared stays as written.
    let dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE nitf SYSTEM \"http://127.0.0.1:9/never-fetched.dtd\">\n\
               <nitf><body><body.head><hedline><hl1>Rathaus wird saniert</hl1></hedline></body.head>\
               <body.content><p>Kassel (dpa) - Das Rathaus der Stadt wird von Montag an für zwei Jahre saniert, teilte die Verwaltung mit. &undeclared;</p></body.content></body></nitf>";
    let a = call(&mut client, typed_doc("dtd", dtd, "application/nitf+xml"))
        .await
        .expect("an external DTD is no reason to refuse");
    assert_eq!(a.headline, "Rathaus wird saniert");
    assert!(haystack(&a).contains("&undeclared;"), "{}", a.text);
    still_serving(&mut client).await;
}

#[tokio::test]
async fn deep_nesting_huge_attributes_and_broken_xml_answer_clearly() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    // 100,000 nested elements: refused at the 257th, with its place.
    let deep = format!("<nitf>{}", "<block>".repeat(100_000));
    let started = std::time::Instant::now();
    let result = call(
        &mut client,
        typed_doc("deep", &deep, "application/nitf+xml"),
    )
    .await;
    eprintln!(
        "100,000 nested: {:?} in {:?}",
        result.as_ref().err().map(|s| s.message().to_string()),
        started.elapsed()
    );
    assert_refused(result, "NITF", &["256", "line 1, column 1792"]);
    // A 4 MiB attribute value and 100,000 attributes on one element: read in linear time.
    let huge = format!(
        "<nitf><head><title x=\"{}\" {}>Titel</title></head><body><body.content>\
         <p>Berlin (dpa) - Der Senat hat am Dienstag den Haushalt für die kommenden zwei Jahre beschlossen.</p>\
         </body.content></body></nitf>",
        "a".repeat(4 << 20),
        (0..100_000)
            .map(|i| format!("a{i}=\"v\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let started = std::time::Instant::now();
    let result = call(
        &mut client,
        typed_doc("huge-attr", &huge, "application/nitf+xml"),
    )
    .await;
    eprintln!(
        "huge attributes: ok={} in {:?}",
        result.is_ok(),
        started.elapsed()
    );
    let a = result.expect("huge attributes are no reason to refuse");
    assert!(a.text.contains("Haushalt"), "{}", a.text);
    // Unclosed and mismatched tags name the first thing wrong.
    let unclosed = "<nitf>\n<body>\n<body.content>\n  <p>Ein Absatz ohne Ende\n</body.content>";
    let result = call(
        &mut client,
        typed_doc("unclosed", unclosed, "application/nitf+xml"),
    )
    .await;
    eprintln!(
        "mismatched: {:?}",
        result.as_ref().err().map(|s| s.message().to_string())
    );
    assert_refused(result, "NITF", &["line 5"]);
    let open = "<nitf>\n<body>\n  <body.content>\n    <p>Ein Absatz";
    let result = call(&mut client, typed_doc("open", open, "application/nitf+xml")).await;
    eprintln!(
        "unclosed: {:?}",
        result.as_ref().err().map(|s| s.message().to_string())
    );
    assert_refused(result, "NITF", &["line 4, column 5", "<p> is never closed"]);
    // NITF declared, JSON sent.
    let json = "{\"headline\": \"Rathaus wird saniert\", \"body_text\": \"Kassel (dpa) - Das Rathaus wird saniert.\"}";
    let result = call(&mut client, typed_doc("json", json, "application/nitf+xml")).await;
    eprintln!(
        "json as nitf: {:?}",
        result.as_ref().err().map(|s| s.message().to_string())
    );
    assert_refused(result, "NITF", &["no root element"]);
    // A NewsML-G2 type with another root.
    let result = call(
        &mut client,
        typed_doc(
            "root",
            "<nitf><body/></nitf>",
            "application/vnd.iptc.g2.newsitem+xml",
        ),
    )
    .await;
    assert_refused(result, "NewsML-G2", &["<nitf>"]);
    still_serving(&mut client).await;
}

#[tokio::test]
async fn iptc7901_framing_that_is_cut_off_is_refused_naming_it() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    let no_etx =
        "\u{1}dpa0293 3 pl 212\r\n\u{2}Berlin (dpa) - Die Koalition hat sich geeinigt.\r\nNNNN\r\n";
    let result = call(&mut client, typed_doc("no-etx", no_etx, "text/x-iptc7901")).await;
    eprintln!(
        "no ETX: {:?}",
        result.as_ref().err().map(|s| s.message().to_string())
    );
    assert_refused(result, "IPTC 7901", &["ETX", "line 2, column 1"]);
    // Sniffed from its SOH, refused the same way.
    let result = call(&mut client, text_doc("no-etx-sniffed", no_etx)).await;
    assert_refused(result, "IPTC 7901", &["ETX"]);
    let no_stx = "\u{1}dpa0293 3 pl 212\r\nBerlin (dpa) - Die Koalition hat sich geeinigt.";
    let result = call(&mut client, typed_doc("no-stx", no_stx, "text/x-anpa1312")).await;
    assert_refused(result, "IPTC 7901", &["STX", "line 1, column 1"]);
    let plain = "Berlin (dpa) - Die Koalition hat sich geeinigt.";
    let result = call(&mut client, typed_doc("plain", plain, "text/x-iptc7901")).await;
    assert_refused(result, "IPTC 7901", &["SOH"]);
    // A million STX bytes after the header and no ETX: linear, refused.
    let many = format!("\u{1}a0001 r a\u{2}{}", "\u{2}x".repeat(1_000_000));
    let started = std::time::Instant::now();
    let result = call(&mut client, typed_doc("many-stx", &many, "text/x-anpa1312")).await;
    eprintln!(
        "a million STX: {:?} in {:?}",
        result.as_ref().err().map(|s| s.message().to_string()),
        started.elapsed()
    );
    assert_refused(result, "IPTC 7901", &["ETX"]);
    still_serving(&mut client).await;
}

// ---- ninjs (issue 13): the JSON front end ---------------------------------------------------

#[tokio::test]
async fn deep_huge_and_wrongly_typed_ninjs_answers_clearly() {
    const NINJS: &str = "application/ninjs+json";
    let app = spawn_app().await;
    let mut client = app.client().await;
    // 100,000 nested arrays: serde_json stops at its recursion limit (128), a refusal, no
    // stack overflow.
    let deep = format!(
        "{{\"uri\": \"urn:x:1\", \"headline\": \"Rathaus wird saniert\", \"extra\": {}",
        "[".repeat(100_000)
    );
    let started = std::time::Instant::now();
    let result = call(&mut client, typed_doc("deep", &deep, NINJS)).await;
    eprintln!(
        "100,000 nested arrays: {:?} in {:?}",
        result.as_ref().err().map(|s| s.message().to_string()),
        started.elapsed()
    );
    assert_refused(result, "ninjs", &["recursion limit", "line 1"]);
    // The same as generic JSON: refused saying it is no JSON.
    let result = call(
        &mut client,
        typed_doc("deep-json", &deep, "application/json"),
    )
    .await;
    assert_refused(result, "application/json", &["not JSON"]);
    // Nested objects just under the limit in a key the reader does not know: read.
    let nested = format!(
        "{{\"uri\": \"urn:x:1\", \"headline\": \"Rathaus wird saniert\", \"body_text\": \"Kassel (dpa) - Das Rathaus der Stadt wird von Montag an für zwei Jahre saniert.\", \"extra\": {}1{}}}",
        "{\"a\": ".repeat(100),
        "}".repeat(100)
    );
    let a = call(&mut client, typed_doc("nested", &nested, NINJS))
        .await
        .expect("nesting under the limit is read");
    assert_eq!(a.headline, "Rathaus wird saniert");
    // A 3 MiB body of escaped characters and a 1 MiB headline: linear, read.
    let body = "Der Senat hat den Haushalt beschlossen, teilte die Stadt mit \\u00e9\\u20ac. "
        .repeat(3 << 20 >> 7);
    let huge = format!(
        "{{\"uri\": \"urn:x:2\", \"headline\": \"{}\", \"body_text\": \"Berlin (dpa) - {body}\"}}",
        "Haushalt ".repeat(1 << 20 >> 4)
    );
    let started = std::time::Instant::now();
    let result = call(&mut client, typed_doc("huge", &huge, NINJS)).await;
    eprintln!(
        "huge strings ({} bytes): ok={} in {:?}",
        huge.len(),
        result.is_ok(),
        started.elapsed()
    );
    let a = result.expect("huge strings are no reason to refuse");
    assert!(
        a.text.contains("Haushalt beschlossen"),
        "{}",
        a.text.chars().take(200).collect::<String>()
    );
    assert!(a.text.contains("é€"));
    // Wrong types name the place of the first wrong value.
    for (doc, parts) in [
        (
            r#"{"uri": "urn:x:3", "headline": 12, "body_text": "x"}"#,
            &["/headline: expected a string, found a number"][..],
        ),
        (
            r#"{"uri": "urn:x:3", "headline": "H", "bodies": [{"value": "x", "contentType": {}}]}"#,
            &["/bodies/0/contentType: expected a string, found an object"][..],
        ),
        (
            r#"{"uri": "urn:x:3", "headline": "H", "body_text": "x", "associations": "picture"}"#,
            &["/associations: expected an array, found a string"][..],
        ),
        (
            r#"{"uri": "urn:x:3", "headline": "H", "body_text": "x", "urgency": {"level": 1}}"#,
            &["/urgency: expected a whole number 1..9, found an object"][..],
        ),
        (
            r#"{"uri": "urn:x:3", "headline": "H", "body_text": "x", "subjects": [{"name": "a/b", "uri": 5}]}"#,
            &["/subjects/0/uri: expected a string, found a number"][..],
        ),
        (
            r#"{"uri": "urn:x:3", "headline": "H\ud800", "body_text": "x"}"#,
            &["not JSON", "hex escape"][..],
        ),
        (r#"null"#, &["the document is null"][..]),
    ] {
        let result = call(&mut client, typed_doc("wrong", doc, NINJS)).await;
        assert_refused(result, "ninjs", parts);
    }
    still_serving(&mut client).await;
}

// ---- HTML front end (issue 13) -----------------------------------------------------------

const HTML_PARAGRAPH: &str = "<p>Der Senat hat am Dienstag den Haushalt für die kommenden zwei Jahre beschlossen, teilte die Senatskanzlei in Berlin mit.</p>";

#[tokio::test]
async fn html_deep_nesting_huge_attributes_and_many_tiny_elements_answer() {
    let app = spawn_app().await;
    let mut client = app.client().await;
    // 10,000 nested <div>s (ten times the depth limit) after the article: the walk has no
    // recursion; text below the depth limit is not read, the article above it is. (html5ever
    // looks through its stack of open elements for each new <div>, as browsers do.)
    let deep = format!(
        "<!DOCTYPE html><html><body><h1>Haushalt beschlossen</h1>{HTML_PARAGRAPH}{}x{}</body></html>",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    let result = call_timed(
        &mut client,
        "html, 10,000 nested",
        typed_doc("html-deep", &deep, "text/html"),
    )
    .await;
    let a = result.expect("deep nesting is no reason to refuse");
    assert_eq!(a.headline, "Haushalt beschlossen");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    // 10,000 nested inline elements inside a paragraph.
    let inline = format!(
        "<html><body><h1>Haushalt beschlossen</h1>{HTML_PARAGRAPH}<p>{}Ende{}</p></body></html>",
        "<b>".repeat(10_000),
        "</b>".repeat(10_000)
    );
    let result = call(&mut client, typed_doc("html-inline", &inline, "text/html")).await;
    let a = result.expect("deep inline nesting is no reason to refuse");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    // A 4 MiB attribute value and 100,000 attributes on one element.
    let huge = format!(
        "<html><head><meta name=\"description\" content=\"{}\"></head><body {}><h1>Haushalt beschlossen</h1>{HTML_PARAGRAPH}</body></html>",
        "a".repeat(4 << 20),
        (0..100_000)
            .map(|i| format!("a{i}=\"v\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let result = call_timed(
        &mut client,
        "html, huge attributes",
        typed_doc("html-attr", &huge, "text/html"),
    )
    .await;
    let a = result.expect("huge attributes are no reason to refuse");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    // 100,000 tiny elements (a list of links in a nav, then empty spans) around the article.
    let tiny = format!(
        "<html><body><nav>{}</nav><article><h1>Haushalt beschlossen</h1>{HTML_PARAGRAPH}</article>{}</body></html>",
        "<a href=\"/\">x</a>".repeat(50_000),
        "<span></span>".repeat(50_000)
    );
    let result = call_timed(
        &mut client,
        "html, 100,000 tiny elements",
        typed_doc("html-tiny", &tiny, "text/html"),
    )
    .await;
    let a = result.expect("many tiny elements are no reason to refuse");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    // The shapes the front end looks at as a whole (posts, cards, caption boxes, hover cards),
    // each many times over: 20,000 sibling posts in <article>s, 20,000 card-shaped siblings,
    // 2,000 nested elements whose class says caption, 2,000 nested spans in a paragraph.
    let shapes = format!(
        "<html><body><article><h1>Haushalt beschlossen</h1>{HTML_PARAGRAPH}{HTML_PARAGRAPH}</article>{}{}<div>{}x{}</div><p>{}{}</p></body></html>",
        "<article class=\"p\"><p>Ein kurzer Beitrag.</p></article>".repeat(20_000),
        "<div class=\"c\"><img src=\"i.jpg\"><a href=\"/\">t</a></div>".repeat(20_000),
        "<div class=\"caption\">".repeat(2_000),
        "</div>".repeat(2_000),
        "<span><img src=\"i.jpg\"><a href=\"/\">a</a><a href=\"/\">b</a>".repeat(2_000),
        "</span>".repeat(2_000),
    );
    let result = call_timed(
        &mut client,
        "html, posts, cards and captions many times over",
        typed_doc("html-shapes", &shapes, "text/html"),
    )
    .await;
    let a = result.expect("many posts or cards are no reason to refuse");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    assert!(!a.text.contains("xxxx"), "the nav is gone: {}", a.text);
    // Broken markup is read as a browser reads it; a page of nothing but scripts is refused.
    let broken =
        format!("<html><body><h1>Haushalt beschlossen<p>{HTML_PARAGRAPH}</td></table><div <p");
    let a = call(&mut client, typed_doc("html-broken", &broken, "text/html"))
        .await
        .expect("broken markup is read");
    assert!(a.text.contains("Haushalt für die kommenden"), "{}", a.text);
    let scripts =
        "<html><head><script>alert(1)</script></head><body><script>var x;</script></body></html>";
    let result = call(&mut client, typed_doc("html-empty", scripts, "text/html")).await;
    assert_refused(result, "HTML", &["no copy"]);
    still_serving(&mut client).await;
}
