//! IPTC ninjs in and out (issue 13).
//!
//! In: every case under `tests/fixtures/formats/ninjs/<name>/` (`input.json` plus
//! `expected.json`, ninjs 1.x, 2.x and 3.x in several languages) goes through
//! `copydesk::normalize` declared (`application/ninjs+json`), as generic `application/json`,
//! sniffed (no content type) and as raw bytes; each article must match the expected one field
//! by field (the shape of `tests/formats_wire.rs`; `UPDATE_EXPECT=1` rewrites the expected
//! articles, to be read before committing). Wrong documents are refused naming a JSON
//! pointer to the first wrong value.
//!
//! Out: every fixture the project has (the golden cases, the agency formats, the ninjs
//! fixtures, `tests/data`) is normalised and written as ninjs 3.1; each document must validate
//! against the IPTC schema (`tests/data/ninjs/ninjs-schema_3.1.json`, formats checked), and
//! reading it back must give the same article: headline, kicker, body, byline, dateline place,
//! images, language.

mod common;
#[path = "support/expected_article.rs"]
mod expected_article;
use expected_article::{differences, shape};

use std::path::{Path, PathBuf};

use copydesk::engine::formats::ninjs::to_ninjs;
use copydesk::engine::{Article, Content, Input};
use copydesk::{Config, Rules, normalize};
use serde_json::{Map, Value, json};

const NINJS: &str = "application/ninjs+json";

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules load"))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn dirs(under: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(under)
        .unwrap_or_else(|e| panic!("{}: {e}", under.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn ninjs_cases() -> Vec<PathBuf> {
    dirs(&root().join("fixtures/formats/ninjs"))
        .into_iter()
        .filter(|d| d.join("expected.json").exists())
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(text: &str, content_type: Option<&str>) -> Result<Article, copydesk::engine::Error> {
    let doc = Input {
        content_type,
        ..Input::text(text)
    };
    normalize(&doc, rules(), &Config::default())
}

#[test]
fn every_ninjs_fixture_gives_its_article_however_it_is_declared() {
    let cases = ninjs_cases();
    assert!(cases.len() >= 4, "the ninjs fixtures are there");
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let text = std::fs::read_to_string(dir.join("input.json")).expect("input.json reads");
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            // Rewrites the expected article (to be read before it is committed), keeping the
            // source and content type.
            let old = read_json(&dir.join("expected.json"));
            let mut new = Map::new();
            for key in ["source", "content_type"] {
                new.insert(key.into(), old[key].clone());
            }
            new.extend(shape(&run(&text, Some(NINJS)).expect("the fixture reads")));
            let pretty = serde_json::to_string_pretty(&Value::Object(new)).expect("JSON");
            std::fs::write(dir.join("expected.json"), pretty + "\n").expect("writes");
        }
        let exp = read_json(&dir.join("expected.json"));
        for (how, ct) in [
            ("declared", Some(NINJS)),
            ("generic", Some("application/json; charset=utf-8")),
            ("sniffed", None),
        ] {
            match run(&text, ct) {
                Ok(article) => failures.extend(differences(name, how, &exp, &article)),
                Err(e) => failures.push(format!("{name} ({how}): error {e}")),
            }
        }
        let doc = Input {
            content: Content::Raw(text.as_bytes()),
            content_type: Some(NINJS),
            ..Input::text("")
        };
        match normalize(&doc, rules(), &Config::default()) {
            Ok(article) => failures.extend(differences(name, "raw", &exp, &article)),
            Err(e) => failures.push(format!("{name} (raw): error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_ninjs_fixture_names_its_source() {
    let readme = std::fs::read_to_string(root().join("fixtures/formats/README.md"))
        .expect("tests/fixtures/formats/README.md");
    for dir in ninjs_cases() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert!(readme.contains(name), "{name} is not in the README");
        let exp = read_json(&dir.join("expected.json"));
        assert!(
            exp["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: expected.json names no source"
        );
    }
}

/// The 2.x and 3.x fixtures are valid documents of their version: the reader is tested on
/// what the standard allows, not on a private dialect.
#[test]
fn the_versioned_fixtures_validate_against_their_schema() {
    for dir in ninjs_cases() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let schema = if name.starts_with("ninjs2-") {
            "ninjs-schema_2.2.json"
        } else if name.starts_with("ninjs3-") {
            "ninjs-schema_3.0.json"
        } else {
            continue;
        };
        let validator = validator(schema);
        let doc = read_json(&dir.join("input.json"));
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {}", errors.join("\n"));
    }
}

/// The IPTC schemas refer to the GeoJSON schema for a place's geometry, which copydesk never
/// writes: it stands in as an empty schema, nothing is fetched.
struct NoFetch;

impl jsonschema::Retrieve for NoFetch {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str().starts_with("https://geojson.org/") {
            Ok(json!({}))
        } else {
            Err(format!("{uri} is not fetched").into())
        }
    }
}

fn validator(schema: &str) -> jsonschema::Validator {
    let schema = read_json(&root().join("data/ninjs").join(schema));
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(NoFetch)
        .build(&schema)
        .expect("the IPTC schema compiles")
}

/// Every input the project's tests hold, with its content type where the format needs one.
fn every_input() -> Vec<(String, Vec<u8>, Option<String>)> {
    let mut out = Vec::new();
    let fixtures = root().join("fixtures");
    for dir in dirs(&fixtures) {
        for file in ["input.txt", "input.bin"] {
            if let Ok(bytes) = std::fs::read(dir.join(file)) {
                out.push((dir.display().to_string(), bytes, None));
            }
        }
    }
    for dir in dirs(&fixtures.join("formats")) {
        let exp = dir.join("expected.json");
        if !exp.exists() {
            continue;
        }
        let ct = read_json(&exp)["content_type"].as_str().map(str::to_string);
        for file in ["input.xml", "input.txt"] {
            if let Ok(bytes) = std::fs::read(dir.join(file)) {
                out.push((dir.display().to_string(), bytes, ct.clone()));
            }
        }
    }
    for dir in ninjs_cases() {
        let bytes = std::fs::read(dir.join("input.json")).expect("input.json reads");
        out.push((dir.display().to_string(), bytes, Some(NINJS.to_string())));
    }
    for entry in std::fs::read_dir(root().join("data")).expect("tests/data") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let bytes = std::fs::read(&path).expect("reads");
            out.push((path.display().to_string(), bytes, None));
        }
    }
    out
}

fn articles() -> Vec<(String, Article)> {
    every_input()
        .into_iter()
        .filter_map(|(name, bytes, ct)| {
            let doc = Input {
                content: Content::Raw(&bytes),
                content_type: ct.as_deref(),
                ..Input::text("")
            };
            // Inputs the engine refuses (an empty file) have no article to write.
            normalize(&doc, rules(), &Config::default())
                .ok()
                .map(|a| (name, a))
        })
        .collect()
}

#[test]
fn every_ninjs_copydesk_writes_validates_against_the_3_1_schema() {
    let validator = validator("ninjs-schema_3.1.json");
    let articles = articles();
    assert!(articles.len() >= 60, "{} articles", articles.len());
    let mut failures = Vec::new();
    for (name, article) in &articles {
        let doc = to_ninjs(article);
        for e in validator.iter_errors(&doc) {
            failures.push(format!("{name}: {}: {e}", e.instance_path()));
        }
        assert_eq!(doc["standard"]["version"], "3.1");
        assert!(doc["uri"].as_str().is_some_and(|u| !u.is_empty()), "{name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a round trip must keep.
fn kept(a: &Article) -> Value {
    json!({
        "language": a.language.code,
        "headline": a.headline,
        "kicker": a.kicker,
        "text": a.text,
        "byline_authors": a.byline.as_ref().map(|b| b.authors.clone()).unwrap_or_default(),
        "dateline_place": a.dateline.as_ref().map(|d| d.place.clone()).unwrap_or_default(),
        "images": a.images.iter().map(|i| json!([i.caption, i.credit.raw])).collect::<Vec<_>>(),
    })
}

#[test]
fn ninjs_out_then_in_gives_the_same_article() {
    let articles = articles();
    assert!(articles.len() >= 60, "{} articles", articles.len());
    let mut failures = Vec::new();
    for (name, article) in &articles {
        let doc = to_ninjs(article).to_string();
        match run(&doc, Some(NINJS)) {
            Ok(again) => {
                let (want, have) = (kept(article), kept(&again));
                if want != have {
                    failures.push(format!("{name}\n  first  {want}\n  second {have}"));
                }
                assert_eq!(again.metadata.source_format, "ninjs");
            }
            Err(e) => failures.push(format!("{name}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A wrong value is refused naming where it is and what was expected.
#[test]
fn a_wrong_document_is_refused_naming_the_first_wrong_value() {
    let cases = [
        (
            r#"{"uri": "urn:x:1", "headlines": [{"role": "main", "value": 7}], "body_text": "x"}"#,
            "/headlines/0/value: expected a string, found a number",
        ),
        (
            r#"{"uri": "urn:x:1", "headline": "H", "bodies": {"value": "x"}, "subjects": "x"}"#,
            "/bodies/value: expected an object, found a string",
        ),
        (
            r#"{"uri": "urn:x:1", "headline": "H", "body_text": "x", "urgency": "soon"}"#,
            "/urgency: expected a whole number 1..9, found a string",
        ),
        (
            r#"{"uri": "urn:x:1", "headline": "H", "body_text": "x", "associations": [{"type": "picture", "by": ["a"]}]}"#,
            "/associations/0/by: expected a string, found an array",
        ),
        (
            r#"{"uri": "urn:x:1", "headline": "H", "body_text": "x", "infoSources": [3]}"#,
            "/infoSources/0: expected a string or an object, found a number",
        ),
        (r#"{"uri": "urn:x:1", "headline": " "}"#, "holds no copy"),
        (r#"["uri"]"#, "the document is an array, not a ninjs object"),
        (r#"{"uri": "urn:x:1", "headline": "#, "it is not JSON"),
    ];
    for (doc, needle) in cases {
        let e = run(doc, Some(NINJS))
            .expect_err("a wrong document is refused")
            .to_string();
        assert!(
            e.contains(needle) && e.contains("ninjs"),
            "{doc}\n  error {e}\n  wants {needle}"
        );
    }
}

/// Plain JSON that is no ninjs is refused when declared generic, read as text when nothing
/// is declared.
#[test]
fn json_that_is_no_ninjs() {
    let doc = r#"{"title": "Kein ninjs", "text": "Ein Objekt mit anderen Schlüsseln."}"#;
    let e = run(doc, Some("application/json"))
        .expect_err("no ninjs keys")
        .to_string();
    assert!(e.contains("application/json"), "{e}");
    let a = run(doc, None).expect("plain text");
    assert_eq!(a.metadata.source_format, "");
}

/// The option through the real server: the ninjs document comes with the article, counts
/// against the response limit, and stays empty unless asked for.
#[tokio::test]
async fn the_ninjs_option_through_the_server() {
    let app = common::spawn_app().await;
    let mut client = app.client().await;
    let text = std::fs::read_to_string(
        root().join("fixtures/formats/ninjs/ninjs2-de-dpa-schleuse/input.json"),
    )
    .expect("fixture");
    let doc = copydesk::pb::Document {
        id: "schleuse".into(),
        content: Some(copydesk::pb::document::Content::Text(text)),
        content_type: NINJS.into(),
        ..Default::default()
    };
    let plain = client
        .normalize(common::request(doc.clone()))
        .await
        .expect("OK")
        .into_inner();
    assert!(plain.ninjs.is_empty());
    let asked = client
        .normalize(copydesk::pb::NormalizeRequest {
            document: Some(doc.clone()),
            options: Some(copydesk::pb::NormalizeOptions {
                ninjs: true,
                ..Default::default()
            }),
        })
        .await
        .expect("OK")
        .into_inner();
    let v: Value = serde_json::from_str(&asked.ninjs).expect("the ninjs field is JSON");
    assert_eq!(v["uri"], "urn:newsml:dpa.com:20090101:250612-99-301144");
    assert_eq!(
        v["headlines"][0]["value"],
        asked.article.expect("article").headline
    );

    let stream = common::collect_stream(
        &mut client,
        tokio_stream::iter(vec![copydesk::pb::NormalizeStreamRequest {
            document: Some(doc),
            options: Some(copydesk::pb::NormalizeOptions {
                ninjs: true,
                ..Default::default()
            }),
        }]),
    )
    .await
    .expect("the stream ends OK");
    let item = stream.first().expect("one item");
    let v: Value = serde_json::from_str(&item.ninjs).expect("the stream item's ninjs is JSON");
    assert_eq!(v["language"], "de");
}

#[tokio::test]
async fn the_ninjs_document_counts_against_the_response_limit() {
    let app = common::spawn_app_with(copydesk::config::ServeConfig {
        max_response_bytes: Some(6000),
        ..Default::default()
    })
    .await;
    let mut client = app.client().await;
    // An article under the limit alone, over it with its ninjs document (which holds the
    // body twice, as text and as HTML).
    let doc = common::text_doc("long", &common::big_text(2000));
    let alone = client
        .normalize(copydesk::pb::NormalizeRequest {
            document: Some(doc.clone()),
            options: Some(copydesk::pb::NormalizeOptions {
                omit_removed: true,
                ..Default::default()
            }),
        })
        .await
        .expect("under the limit without ninjs");
    assert!(alone.into_inner().article.is_some());
    let status = client
        .normalize(copydesk::pb::NormalizeRequest {
            document: Some(doc),
            options: Some(copydesk::pb::NormalizeOptions {
                omit_removed: true,
                ninjs: true,
                ..Default::default()
            }),
        })
        .await
        .expect_err("over the limit with ninjs");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(
        status.message().contains("with its ninjs document"),
        "{status:?}"
    );
}

#[test]
fn the_cli_prints_ninjs_and_takes_a_content_type() {
    let input = root().join("fixtures/formats/ninjs/ninjs3-fr-afp-vendanges/input.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(["normalize", "--format", "ninjs", "--content-type", NINJS])
        .arg(&input)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("ninjs JSON");
    assert_eq!(v["standard"]["version"], "3.1");
    assert_eq!(v["language"], "fr");
    assert_eq!(
        v["headlines"][0]["value"],
        "En Bourgogne, des vendanges précoces mais prometteuses"
    );
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(["normalize", "--content-type", "application/nitf+xml"])
        .arg(&input)
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("NITF"));
}
