//! Golden-file tests: every case under `tests/fixtures/<lang>-<slug>/` (input.txt or input.bin
//! plus expected.json, the corpus format) goes through the engine and is scored the way the
//! corpus scorer scores it. Every case must keep its language, remove every `must_remove`,
//! keep every `must_keep` and score at least `MIN_CASE_SCORE`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use copydesk::engine::{Article, BlockKind, Input};
use copydesk::train::canon;
use copydesk::{Config, Rules, normalize};
use serde_json::Value;

const MIN_CASE_SCORE: f64 = 0.85;
const MIN_MEAN_SCORE: f64 = 0.95;

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules load"))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in canon(text).chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric()
            || c == '_'
            || unicode_normalization::char::is_combining_mark(c)
        {
            word.push(c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn f1(expected: &str, got: &str) -> f64 {
    let (e, g) = (tokens(expected), tokens(got));
    if e.is_empty() && g.is_empty() {
        return 1.0;
    }
    if e.is_empty() || g.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for t in &e {
        *counts.entry(t).or_default() += 1;
    }
    let mut common = 0;
    for t in &g {
        if let Some(n) = counts.get_mut(t.as_str())
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (
        common as f64 / g.len() as f64,
        common as f64 / e.len() as f64,
    );
    2.0 * p * r / (p + r)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn set_score(expected: &[String], got: &[String]) -> f64 {
    let e: std::collections::BTreeSet<String> = expected
        .iter()
        .map(|x| canon(x))
        .filter(|x| !x.is_empty())
        .collect();
    let g: std::collections::BTreeSet<String> = got
        .iter()
        .map(|x| canon(x))
        .filter(|x| !x.is_empty())
        .collect();
    if e.is_empty() && g.is_empty() {
        return 1.0;
    }
    e.intersection(&g).count() as f64 / e.union(&g).count() as f64
}

fn text_field(expected: &Value, got: &str) -> f64 {
    match expected.as_str().filter(|s| !s.is_empty()) {
        None => f64::from(u8::from(canon(got).is_empty())),
        Some(e) => f1(e, got),
    }
}

/// The corpus scorer's metrics for one case.
fn score(exp: &Value, a: &Article) -> Vec<(&'static str, f64)> {
    let paragraphs: Vec<&str> = a
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .map(|b| b.text.as_str())
        .collect();
    let subheadings: Vec<String> = a
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Subheading)
        .map(|b| b.text.clone())
        .collect();
    let body = canon(&format!("{}\n{}", a.text, paragraphs.join("\n")));
    let present = |s: &str| body.contains(&canon(s));
    let mut m = vec![(
        "language",
        f64::from(u8::from(
            canon(&a.language.code) == canon(exp["language"].as_str().unwrap_or("")),
        )),
    )];
    let must_remove = strings(&exp["must_remove"]);
    if !must_remove.is_empty() {
        let ok = must_remove.iter().filter(|s| !present(s)).count();
        m.push(("removal", ok as f64 / must_remove.len() as f64));
    }
    let must_keep = strings(&exp["must_keep"]);
    if !must_keep.is_empty() {
        let ok = must_keep.iter().filter(|s| present(s)).count();
        m.push(("keep", ok as f64 / must_keep.len() as f64));
    }
    let expected_paragraphs = strings(&exp["paragraphs"]).join("\n");
    m.push(("body", f1(&expected_paragraphs, &paragraphs.join("\n"))));
    m.push(("headline", text_field(&exp["headline"], &a.headline)));
    if exp["kicker"].as_str().is_some_and(|k| !k.is_empty()) || !a.kicker.is_empty() {
        m.push(("kicker", text_field(&exp["kicker"], &a.kicker)));
    }
    let got_place = a
        .dateline
        .as_ref()
        .map_or(String::new(), |d| d.place.clone());
    if exp["dateline"].is_object() || !got_place.is_empty() {
        let place = f64::from(u8::from(
            canon(exp["dateline"]["place"].as_str().unwrap_or("")) == canon(&got_place),
        ));
        let agencies = set_score(
            &strings(&exp["dateline"]["agencies"]),
            &a.dateline.as_ref().map_or(vec![], |d| d.agencies.clone()),
        );
        m.push(("dateline", (place + agencies) / 2.0));
    }
    let exp_sub = strings(&exp["subheadings"]);
    if !exp_sub.is_empty() || !subheadings.is_empty() {
        m.push((
            "subheadings",
            if exp_sub.is_empty() {
                0.0
            } else {
                set_score(&exp_sub, &subheadings)
            },
        ));
    }
    let exp_images = exp["images"].as_array().cloned().unwrap_or_default();
    if !exp_images.is_empty() || !a.images.is_empty() {
        let mut remaining: Vec<&copydesk::engine::Image> = a.images.iter().collect();
        let mut total = 0.0;
        for e in &exp_images {
            let caption = e["caption"].as_str().unwrap_or("");
            let best = remaining
                .iter()
                .enumerate()
                .map(|(i, img)| (i, f1(caption, &img.caption)))
                .fold(None, |acc: Option<(usize, f64)>, x| match acc {
                    Some(a) if a.1 >= x.1 => Some(a),
                    _ => Some(x),
                });
            if let Some((i, s)) = best {
                let img = remaining.remove(i);
                total += (s
                    + set_score(&strings(&e["creators"]), &img.credit.creators)
                    + set_score(&strings(&e["agencies"]), &img.credit.agencies))
                    / 3.0;
            }
        }
        m.push((
            "images",
            total / exp_images.len().max(a.images.len()) as f64,
        ));
    }
    let (got_authors, got_agencies) = a.byline.as_ref().map_or((vec![], vec![]), |b| {
        (b.authors.clone(), b.agencies.clone())
    });
    if exp["byline"].is_object() || !got_authors.is_empty() || !got_agencies.is_empty() {
        m.push((
            "byline",
            (set_score(&strings(&exp["byline"]["authors"]), &got_authors)
                + set_score(&strings(&exp["byline"]["agencies"]), &got_agencies))
                / 2.0,
        ));
    }
    m.push((
        "agencies",
        set_score(&strings(&exp["agencies"]), &a.agencies),
    ));
    m
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").exists())
        .collect();
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> (Value, Article) {
    let exp: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json reads"),
    )
    .expect("expected.json parses");
    let article = if let Ok(text) = std::fs::read_to_string(dir.join("input.txt")) {
        normalize(&Input::text(&text), rules(), &Config::default())
    } else {
        let raw = std::fs::read(dir.join("input.bin")).expect("input.bin reads");
        normalize(&Input::raw(&raw), rules(), &Config::default())
    }
    .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    (exp, article)
}

/// Scores one case; returns a failure message where it falls short.
fn check(dir: &Path) -> (f64, Option<String>) {
    let (exp, article) = run(dir);
    let metrics = score(&exp, &article);
    let mean = metrics.iter().map(|m| m.1).sum::<f64>() / metrics.len() as f64;
    let hard = metrics
        .iter()
        .filter(|(k, v)| matches!(*k, "language" | "removal" | "keep") && *v < 1.0)
        .map(|(k, v)| format!("{k}={v:.2}"))
        .collect::<Vec<_>>();
    let name = dir
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().to_string());
    if !hard.is_empty() || mean < MIN_CASE_SCORE {
        let worst: Vec<String> = metrics
            .iter()
            .filter(|m| m.1 < 1.0)
            .map(|(k, v)| format!("{k}={v:.2}"))
            .collect();
        return (
            mean,
            Some(format!("{name}: {mean:.3} [{}]", worst.join(" "))),
        );
    }
    (mean, None)
}

#[test]
fn every_fixture_scores_and_keeps_its_traps() {
    let dirs = fixture_dirs();
    assert!(
        dirs.len() >= 26,
        "expected fixtures for every language, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    let mut total = 0.0;
    for dir in &dirs {
        let (mean, failure) = check(dir);
        total += mean;
        failures.extend(failure);
    }
    let mean = total / dirs.len() as f64;
    assert!(
        failures.is_empty(),
        "cases below the bar:\n{}",
        failures.join("\n")
    );
    assert!(
        mean >= MIN_MEAN_SCORE,
        "mean score {mean:.3} < {MIN_MEAN_SCORE}"
    );
}

#[test]
fn every_language_with_rules_has_fixtures() {
    let dirs = fixture_dirs();
    for code in rules().language_codes() {
        assert!(
            dirs.iter().any(|d| d
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{code}-")))),
            "rules/{code}.toml has no fixture under tests/fixtures/{code}-*"
        );
    }
}

#[test]
fn the_scorer_itself_tells_good_from_bad() {
    // A check that cannot fail proves nothing: an article that keeps the artefacts must score
    // below the bar on the same case.
    let dir = fixture_dirs().into_iter().next().expect("a fixture");
    let (exp, mut article) = run(&dir);
    let removed: Vec<String> = strings(&exp["must_remove"]);
    article.text = format!("{}\n\n{}", article.text, removed.join("\n\n"));
    let metrics = score(&exp, &article);
    if !removed.is_empty() {
        assert!(metrics.iter().any(|(k, v)| *k == "removal" && *v < 1.0));
    }
    article.language.code = "xx".into();
    let metrics = score(&exp, &article);
    assert!(metrics.iter().any(|(k, v)| *k == "language" && *v == 0.0));
}
