//! The agency formats end to end (issue 13): every case under `tests/fixtures/formats/<name>/`
//! (`input.xml` or `input.txt` plus `expected.json`) goes through `copydesk::normalize` with
//! its declared `content_type`, and once more with none (the format recognised from the
//! bytes); both articles must match the expected one field by field: language, headline,
//! kicker, byline authors, dateline place, agencies, blocks, images and the metadata the
//! format carries. A field listed in `known_gaps` is reported, not checked: the expected value
//! is the right one, and the gap says why the engine does not reach it yet.
//!
//! Sources of the fixtures: `tests/fixtures/formats/README.md`.

mod common;
#[path = "support/expected_article.rs"]
mod expected_article;
use expected_article::differences;

use std::path::{Path, PathBuf};

use copydesk::engine::{Content, Input};
use copydesk::{Config, Rules, normalize};
use serde_json::Value;

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules load"))
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures/formats exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    dirs
}

fn input(dir: &Path) -> String {
    ["input.xml", "input.txt"]
        .iter()
        .find_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .unwrap_or_else(|| panic!("{}: no input.xml or input.txt", dir.display()))
}

#[test]
fn every_format_fixture_gives_its_article_declared_and_sniffed() {
    let cases = cases();
    assert!(cases.len() >= 10, "the format fixtures are there");
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json reads"),
        )
        .expect("expected.json parses");
        let content_type = exp["content_type"].as_str().expect("content_type");
        let text = input(dir);
        for (how, ct) in [("declared", Some(content_type)), ("sniffed", None)] {
            let doc = Input {
                content_type: ct,
                ..Input::text(&text)
            };
            match normalize(&doc, rules(), &Config::default()) {
                Ok(article) => failures.extend(differences(name, how, &exp, &article)),
                Err(e) => failures.push(format!("{name} ({how}): error {e}")),
            }
        }
        // The same bytes as `raw`: the charset is detected before the format is read.
        let doc = Input {
            content: Content::Raw(text.as_bytes()),
            content_type: Some(content_type),
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
fn every_fixture_names_its_source() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/README.md"),
    )
    .expect("tests/fixtures/formats/README.md");
    for dir in cases() {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert!(readme.contains(name), "{name} is not in the README");
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json reads"),
        )
        .expect("expected.json parses");
        assert!(
            exp["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{name}: expected.json names no source"
        );
    }
}

/// A format the caller declares wins over what the bytes look like; generic XML finds the
/// format from the root.
#[test]
fn a_declared_type_wins_and_generic_xml_is_recognised() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let nitf = input(&dir.join("nitf-es-efe-embalse"));
    let as_newsml = Input {
        content_type: Some("application/vnd.iptc.g2.newsitem+xml"),
        ..Input::text(&nitf)
    };
    let e = normalize(&as_newsml, rules(), &Config::default())
        .expect_err("an NITF document is no NewsItem")
        .to_string();
    assert!(
        e.contains("NewsML-G2") && e.contains("<nitf>"),
        "the error names the format and the root: {e}"
    );
    for generic in ["text/xml", "application/xml; charset=utf-8"] {
        let doc = Input {
            content_type: Some(generic),
            ..Input::text(&nitf)
        };
        let a = normalize(&doc, rules(), &Config::default()).expect("generic XML with <nitf>");
        assert_eq!(a.metadata.source_format, "nitf");
    }
}

/// What a format states apart from the copy (headline, byline, summary, captions) leaves as
/// cleanly as the copy does: control characters and odd spaces in the markup's fields are
/// gone, in NITF and in NewsML-G2 (a fuzz find: NUL bytes inside `<hl1>`).
#[test]
fn control_characters_in_the_markup_fields_do_not_reach_the_article() {
    let nitf = "<?xml version=\"1.0\"?>\n<nitf><head><title>T\u{1}itel</title></head><body><body.head>\
        <hedline><hl1>Embalses\u{0}\u{0} al\u{a0}60\u{7f} %</hl1></hedline>\
        <byline><person>Ana\u{2} Ruiz</person></byline>\
        <abstract><p>Res\u{3}umen  breve.</p></abstract></body.head>\
        <body.content><p>Los embalses de la cuenca almacenan hoy el sesenta por ciento de su capacidad, informaron las autoridades.</p></body.content></body></nitf>";
    let newsml = "<?xml version=\"1.0\"?>\n<newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\" guid=\"urn:x\u{1}:1\"><contentMeta>\
        <headline>Busse\u{0} fahren\u{202e} ohne Fahrer</headline></contentMeta><contentSet><inlineXML contenttype=\"application/nitf+xml\">\
        <nitf><body><body.content><p>In Kassel fahren seit Montag Busse ohne Fahrer durch die Innenstadt, teilte die Stadt mit.</p></body.content></body></nitf>\
        </inlineXML></contentSet></newsItem>";
    for doc in [nitf, newsml] {
        let a = normalize(&Input::text(doc), rules(), &Config::default()).expect("a readable item");
        let fields = serde_json::to_string(&a).expect("an article serialises");
        for bad in [
            "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u007f", "\u{a0}", "\u{202e}", "  ",
        ] {
            assert!(!fields.contains(bad), "{bad:?} left in {fields}");
        }
        assert!(!a.headline.is_empty(), "the headline is kept: {fields}");
    }
}

/// One fixture through the real gRPC server: the metadata reaches the wire.
#[tokio::test]
async fn a_newsml_item_through_the_server() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let text = input(&dir.join("newsml-fr-afp-senat"));
    let app = common::spawn_app().await;
    let mut client = app.client().await;
    let doc = copydesk::pb::Document {
        id: "senat".into(),
        content: Some(copydesk::pb::document::Content::Text(text)),
        content_type: "application/vnd.iptc.g2.newsitem+xml".into(),
        ..Default::default()
    };
    let article = client
        .normalize(common::request(doc))
        .await
        .expect("OK")
        .into_inner()
        .article
        .expect("an article");
    assert_eq!(
        article.headline,
        "Le Sénat adopte le budget 2026 après un vote serré"
    );
    let m = article.metadata.expect("metadata");
    assert_eq!(m.source_format, "newsml-g2");
    assert_eq!(m.guid, "urn:newsml:afp.com:20251202:senat-budget");
    assert_eq!(m.urgency, 3);
    assert_eq!(
        m.subheadline,
        "La majorité sénatoriale a imposé ses amendements sur les collectivités"
    );
    assert_eq!(m.pub_status, "stat:usable");
    assert_eq!(article.agencies, ["AFP"]);
}
