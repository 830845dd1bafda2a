//! Runs the engine over real pages and writes one prediction per page for
//! `../shared/tools/page_score.py --pred DIR`:
//! `cargo run --release --example pages -- PAGES_DIR OUT_DIR [SPLIT_FILE train|heldout]`.
use copydesk::engine::Input;
use copydesk::{Config, Rules, normalize};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (pages, out) = match args.as_slice() {
        [p, o, ..] => (p.clone(), o.clone()),
        _ => return Err("usage: pages PAGES_DIR OUT_DIR [SPLIT_FILE train|heldout]".into()),
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
    for f in &folders {
        let path = format!("{out}/{f}.json");
        if only.as_ref().is_some_and(|o| !o.contains(f)) {
            // Not in the split: no prediction file (page_score.py scores only --pages given).
            let _ = std::fs::remove_file(&path);
            continue;
        }
        let text = std::fs::read_to_string(format!("{pages}/{f}/page.txt"))?;
        let body = normalize(&Input::text(&text), &rules, &Config::default())
            .map(|a| a.text)
            .unwrap_or_default();
        std::fs::write(
            &path,
            serde_json::json!({ "article_body": body }).to_string(),
        )?;
    }
    eprintln!("{} pages in {:.1?}", folders.len(), t.elapsed());
    Ok(())
}
