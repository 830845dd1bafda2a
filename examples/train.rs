//! Fits the role model and writes `rules/roles.tsv` (see `docs/quality.md`):
//!
//! ```sh
//! cargo run --release --example train -- \
//!     --corpus tests/fixtures --corpus corpus/train \
//!     --pages ../shared/data/pages --split corpus/pages-split.tsv \
//!     --out rules/roles.tsv
//! ```
//!
//! Only the training data: `corpus/heldout`, the dev corpus and the held-out pages are never
//! read here. The same data and options give the same file, byte for byte.
use std::path::PathBuf;

use copydesk::Rules;
use copydesk::train::{Learner, Options, Sample, corpus_samples, fit, page_samples};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut corpora: Vec<PathBuf> = Vec::new();
    let mut pages: Option<PathBuf> = None;
    let mut split = PathBuf::from("corpus/pages-split.tsv");
    let mut out = PathBuf::from("rules/roles.tsv");
    let mut options = Options::default();
    // A page line counts 0.4 of a corpus line (5-fold CV by source over 570 cases + 125 pages:
    // 0.3 gave corpus 0.899 / pages 0.895, 0.4 gave 0.897 / 0.906).
    let mut page_weight = 0.4f32;
    // Cross-validation: leave out fold `fold` of `folds` (grouped by source), list it in `held`.
    let mut folds: Option<(u64, u64)> = None;
    let mut held: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--corpus" => corpora.push(value()?.into()),
            "--pages" => pages = Some(value()?.into()),
            "--split" => split = value()?.into(),
            "--out" => out = value()?.into(),
            "--epochs" => options.epochs = value()?.parse()?,
            "--margin" => options.margin = value()?.parse()?,
            "--rate" => options.rate = value()?.parse()?,
            "--l2" => options.l2 = value()?.parse()?,
            "--learner" => {
                options.learner = match value()?.as_str() {
                    "crf" => Learner::Crf,
                    "perceptron" => Learner::Perceptron,
                    other => {
                        return Err(format!("unknown learner {other}: crf or perceptron").into());
                    }
                }
            }
            "--seed" => options.seed = value()?.parse()?,
            "--page-weight" => page_weight = value()?.parse()?,
            "--fold" => {
                let v = value()?;
                let (k, n) = v.split_once('/').ok_or("--fold K/N")?;
                folds = Some((k.parse()?, n.parse()?));
            }
            "--held" => held = Some(value()?.into()),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if corpora.is_empty() {
        corpora = vec!["tests/fixtures".into(), "corpus/train".into()];
    }
    let rules = Rules::embedded_untrained()?;
    let mut samples: Vec<Sample> = Vec::new();
    for c in &corpora {
        let s = corpus_samples(c, &rules)?;
        eprintln!("{}: {} cases", c.display(), s.len());
        samples.extend(s);
    }
    if let Some(p) = &pages {
        let s = page_samples(p, &split, "train", &rules, page_weight)?;
        eprintln!(
            "{}: {} pages (train split of {})",
            p.display(),
            s.len(),
            split.display()
        );
        samples.extend(s);
    }
    if let Some((k, n)) = folds {
        let groups = copydesk::train::source_groups(&corpora, &split)?;
        let (keep, out): (Vec<Sample>, Vec<Sample>) = samples
            .into_iter()
            .partition(|s| copydesk::train::fold_of(&groups, &s.name, n) != k);
        if let Some(h) = &held {
            // The documents left out, once each (not their variants).
            let mut names: Vec<String> = out
                .iter()
                .filter(|s| !s.name.contains(" ("))
                .map(|s| s.name.clone())
                .collect();
            names.dedup();
            std::fs::write(h, names.join("\n") + "\n")?;
        }
        eprintln!("fold {k}/{n}: {} documents left out", out.len());
        samples = keep;
    }
    let units: usize = samples.iter().map(|s| s.allowed.len()).sum();
    let t = std::time::Instant::now();
    let (mut model, report) = fit(&mut samples, &options);
    eprintln!("fitted in {:.1?}", t.elapsed());
    for (e, (wrong, total)) in report.errors.iter().enumerate() {
        let loss = report
            .loss
            .get(e)
            .map(|l| format!(", loss {l:.1}"))
            .unwrap_or_default();
        eprintln!(
            "epoch {:2}: {wrong} of {total} units off their labels{loss}",
            e + 1
        );
    }
    if !report.relaxed.is_empty() {
        eprintln!("labels relaxed (no layout fits them): {:?}", report.relaxed);
    }
    model.header = vec![
        "copydesk role model: fitted weights of the role decoder (src/engine/roles.rs).".into(),
        "Written by `cargo run --release --example train`; do not edit by hand (docs/quality.md)."
            .into(),
        format!(
            "data: {} ({} documents, {} units){}",
            corpora
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            samples.len(),
            units,
            pages
                .as_ref()
                .map(|p| format!(
                    ", pages {} (train split of {})",
                    p.display(),
                    split.display()
                ))
                .unwrap_or_default()
        ),
        format!(
            "options: learner {:?}, epochs {}, margin {}, rate {}, l2 {}, seed {}, page weight {}",
            options.learner,
            options.epochs,
            options.margin,
            options.rate,
            options.l2,
            options.seed,
            page_weight
        ),
    ];
    std::fs::write(&out, model.to_text())?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
