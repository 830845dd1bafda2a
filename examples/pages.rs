//! Runs the engine over real pages and writes one prediction per page for
//! `../shared/tools/page_score.py --pred DIR`:
//! `cargo run --release --example pages -- [--html] PAGES_DIR OUT_DIR [SPLIT_FILE train|heldout]`.
//! With `--html` each page's original HTML (`page.html.gz`) is sent as `text/html` raw bytes
//! instead of its text rendering (`page.txt`); the time printed is the engine's alone.
use std::io::Read;

use copydesk::engine::{Content, Input};
use copydesk::{Config, Rules, normalize};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let html = args.iter().any(|a| a == "--html");
    args.retain(|a| a != "--html");
    let (pages, out) = match args.as_slice() {
        [p, o, ..] => (p.clone(), o.clone()),
        _ => {
            return Err(
                "usage: pages [--html] PAGES_DIR OUT_DIR [SPLIT_FILE train|heldout]".into(),
            );
        }
    };
    let only: Option<Vec<String>> = match args.as_slice() {
        [_, _, split, which] => Some(copydesk::train::split_folders(split.as_ref(), which)?),
        _ => None,
    };
    // COPYDESK_RULES: a folder laid over the embedded rules (a model of its own, `roles.tsv`).
    let rules = match std::env::var_os("COPYDESK_RULES") {
        Some(dir) => Rules::with_overrides(dir.as_ref())?,
        None => Rules::embedded()?,
    };
    std::fs::create_dir_all(&out)?;
    let mut folders: Vec<String> = std::fs::read_dir(&pages)?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("page.txt").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    folders.sort();
    let t = std::time::Instant::now();
    let mut engine = std::time::Duration::ZERO;
    let mut sent: u32 = 0;
    for f in &folders {
        let path = format!("{out}/{f}.json");
        if only.as_ref().is_some_and(|o| !o.contains(f)) {
            // Not in the split: no prediction file (page_score.py scores only --pages given).
            let _ = std::fs::remove_file(&path);
            continue;
        }
        let bytes = if html {
            let mut raw = Vec::new();
            let file = std::fs::File::open(format!("{pages}/{f}/page.html.gz"))?;
            flate2::read::GzDecoder::new(file).read_to_end(&mut raw)?;
            raw
        } else {
            std::fs::read(format!("{pages}/{f}/page.txt"))?
        };
        let input = if html {
            Input {
                content: Content::Raw(&bytes),
                content_type: Some("text/html"),
                ..Input::text("")
            }
        } else {
            Input::text(std::str::from_utf8(&bytes)?)
        };
        // COPYDESK_FRONT_DIR: also write what the HTML front end hands the engine.
        if let (true, Some(dir)) = (html, std::env::var_os("COPYDESK_FRONT_DIR")) {
            let text = String::from_utf8_lossy(&bytes);
            let front = copydesk::engine::formats::read(
                copydesk::engine::formats::Format::Html,
                text,
                None,
            );
            let front = front.map(|f| f.text.into_owned()).unwrap_or_default();
            std::fs::write(std::path::Path::new(&dir).join(format!("{f}.txt")), front)?;
        }
        let start = std::time::Instant::now();
        let result = normalize(&input, &rules, &Config::default());
        engine += start.elapsed();
        sent += 1;
        let body = match result {
            Ok(a) => a.text,
            Err(e) => {
                eprintln!("{f}: {e}");
                String::new()
            }
        };
        std::fs::write(
            &path,
            serde_json::json!({ "article_body": body }).to_string(),
        )?;
    }
    eprintln!(
        "{sent} pages in {:.1?}; engine {:.1?}, {:.2} ms a page",
        t.elapsed(),
        engine,
        engine.as_secs_f64() * 1000.0 / f64::from(sent.max(1))
    );
    Ok(())
}
