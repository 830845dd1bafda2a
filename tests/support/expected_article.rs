//! An article in the shape of a format fixture's `expected.json` (tests/fixtures/formats): the
//! fields the agency-format and ninjs tests compare, one by one, and their differences (a
//! field the fixture lists in `known_gaps` is reported, not counted).

use copydesk::engine::{Article, BlockKind};
use serde_json::{Map, Value, json};

/// The metadata as JSON, empty fields left out.
pub fn metadata(a: &Article) -> Value {
    let full = serde_json::to_value(&a.metadata).expect("metadata serialises");
    let mut out = Map::new();
    if let Value::Object(m) = full {
        for (k, v) in m {
            let empty = match &v {
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Number(n) => n.as_u64() == Some(0),
                _ => false,
            };
            if !empty {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out)
}

/// The article in the shape of `expected.json`.
pub fn shape(a: &Article) -> Map<String, Value> {
    let blocks: Vec<Value> = a
        .blocks
        .iter()
        .map(|b| {
            let kind = match b.kind {
                BlockKind::Paragraph => "paragraph",
                BlockKind::Subheading => "subheading",
            };
            json!([kind, b.text])
        })
        .collect();
    let images: Vec<Value> = a
        .images
        .iter()
        .map(|i| {
            json!({
                "caption": i.caption,
                "credit_creators": i.credit.creators,
                "credit_agencies": i.credit.agencies,
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("language".into(), json!(a.language.code));
    m.insert("headline".into(), json!(a.headline));
    m.insert("kicker".into(), json!(a.kicker));
    m.insert(
        "byline_authors".into(),
        json!(
            a.byline
                .as_ref()
                .map(|b| b.authors.clone())
                .unwrap_or_default()
        ),
    );
    m.insert(
        "dateline_place".into(),
        json!(
            a.dateline
                .as_ref()
                .map(|d| d.place.clone())
                .unwrap_or_default()
        ),
    );
    m.insert("agencies".into(), json!(a.agencies));
    m.insert("blocks".into(), Value::Array(blocks));
    m.insert("images".into(), Value::Array(images));
    m.insert("metadata".into(), metadata(a));
    m
}

pub const FIELDS: [&str; 9] = [
    "language",
    "headline",
    "kicker",
    "byline_authors",
    "dateline_place",
    "agencies",
    "blocks",
    "images",
    "metadata",
];

/// The differences between the article and the expected one, as readable lines.
pub fn differences(name: &str, how: &str, exp: &Value, article: &Article) -> Vec<String> {
    let got = shape(article);
    let gaps = exp.get("known_gaps").and_then(Value::as_object);
    let mut out = Vec::new();
    for field in FIELDS {
        let want = exp.get(field).unwrap_or(&Value::Null);
        let have = got.get(field).unwrap_or(&Value::Null);
        if want == have {
            continue;
        }
        if let Some(why) = gaps.and_then(|g| g.get(field)) {
            eprintln!("{name} ({how}): known gap in {field}: {why}");
            continue;
        }
        out.push(format!(
            "{name} ({how}): {field}\n  expected {want}\n  got      {have}"
        ));
    }
    out
}
