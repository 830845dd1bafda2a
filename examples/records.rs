//! Writes one JSON record per corpus case (the shape `score.py --records` reads), straight from
//! the engine: `cargo run --release --example records -- CORPUS_DIR OUT_DIR`.
use std::time::Instant;

use copydesk::engine::{BlockKind, Input};
use copydesk::{Config, Rules, normalize};
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (corpus, out) = match args.as_slice() {
        [_, c, o] => (c.clone(), o.clone()),
        _ => return Err("usage: records CORPUS_DIR OUT_DIR".into()),
    };
    let t = Instant::now();
    // COPYDESK_RULES: a folder laid over the embedded rules (a model of its own, `roles.tsv`).
    let rules = match std::env::var_os("COPYDESK_RULES") {
        Some(dir) => Rules::with_overrides(dir.as_ref())?,
        None => Rules::embedded()?,
    };
    eprintln!("rules loaded in {:?}", t.elapsed());
    std::fs::create_dir_all(&out)?;
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)?.filter_map(|e| e.ok()).collect();
    cases.sort_by_key(|e| e.file_name());
    for case in cases {
        let dir = case.path();
        let name = case.file_name().to_string_lossy().to_string();
        let (bytes, is_text) = match std::fs::read(dir.join("input.txt")) {
            Ok(b) => (b, true),
            Err(_) => match std::fs::read(dir.join("input.bin")) {
                Ok(b) => (b, false),
                Err(_) => continue,
            },
        };
        let text;
        let input = if is_text {
            text = String::from_utf8(bytes)?;
            Input::text(&text)
        } else {
            Input::raw(&bytes)
        };
        let record = match normalize(&input, &rules, &Config::default()) {
            Ok(a) => json!({
                "language": {"code": a.language.code, "confidence": a.language.confidence},
                "headline": a.headline, "kicker": a.kicker,
                "dateline": a.dateline.as_ref().map(|d| json!({"place": d.place, "date": d.date, "agencies": d.agencies, "raw": d.raw})),
                "blocks": a.blocks.iter().map(|b| json!({"kind": match b.kind { BlockKind::Paragraph => "BLOCK_KIND_PARAGRAPH", BlockKind::Subheading => "BLOCK_KIND_SUBHEADING" }, "text": b.text})).collect::<Vec<_>>(),
                "images": a.images.iter().map(|i| json!({"caption": i.caption, "credit": {"raw": i.credit.raw, "creators": i.credit.creators, "agencies": i.credit.agencies}})).collect::<Vec<_>>(),
                "byline": a.byline.as_ref().map(|b| json!({"raw": b.raw, "authors": b.authors, "agencies": b.agencies})),
                "agencies": a.agencies, "text": a.text,
                "removed": a.removed.iter().map(|r| json!({"kind": format!("{:?}", r.kind), "text": r.text, "line": r.line})).collect::<Vec<_>>(),
                "notices": a.notices.iter().map(|n| json!({"kind": format!("{:?}", n.kind), "detail": n.detail})).collect::<Vec<_>>(),
            }),
            Err(e) => json!({"error": e.to_string()}),
        };
        std::fs::write(
            format!("{out}/{name}.json"),
            serde_json::to_string_pretty(&record)?,
        )?;
    }
    Ok(())
}
