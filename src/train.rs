//! Fitting the role model: the labels each unit of a labelled document may take, read off its
//! expected record, and an averaged structured perceptron over the decoder (`engine::roles`)
//! that learns the weights of `rules/roles.tsv`. Deterministic: the same data and options give
//! the same file, byte for byte. `examples/train.rs` is the command; `docs/quality.md` says how
//! to run it.
//!
//! Two kinds of labelled documents:
//! - corpus cases (`corpus/FORMAT.md` of the shared corpus: `input.txt` or `input.bin` and
//!   `expected.json`): a unit's role comes from the field that holds its text (headline,
//!   kicker, paragraph, subheading, caption, credit, byline, dateline); a unit no field holds
//!   was removed, and its kind of removal is read from its shape;
//! - real pages (`page.txt` and the true article body of `expected.json`): a unit is body or
//!   not; which role a non-body unit plays is left for the decoder to choose (a latent label).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use crate::engine::article::ArtefactKind;
use crate::engine::features::{Obs, Observed, features};
use crate::engine::roles::{Steer, decode};
use crate::engine::types::{Flag, Lex, Role, states};
use crate::engine::{Config, Input, read};
use crate::rules::{Model, Rules};

/// One labelled document, observed: what the decoder sees and the roles each unit may take.
pub struct Sample {
    pub name: String,
    pub observed: Observed,
    /// Per unit, a bit mask of the roles it may take (`Role::bit`).
    pub allowed: Vec<u16>,
    /// Weight of this document's updates.
    pub weight: f32,
    /// Each unit's input line and its first 100 characters (for reports).
    pub lines: Vec<(u32, String)>,
}

/// Text as the corpus scorer compares it: NFKC, no quote marks or invisible characters, one
/// kind of dash, spaces folded, lower case.
pub fn canon(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .filter(|c| {
            !"\"'`´«»‹›„“”‚‘’「」『』〝〞＂\u{ad}\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}"
                .contains(*c)
        })
        .map(|c| {
            if "‐‑‒–—―−".contains(c) {
                '-'
            } else {
                c
            }
        })
        .collect();
    folded
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Word tokens (runs of letters and digits; each CJK character a token).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if crate::engine::types::is_unspaced_letter(c) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            out.push(c.to_string());
        } else if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
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

fn removal_roles() -> u16 {
    Role::Furniture.bit() | Role::Meta.bit() | Role::Related.bit() | Role::Boilerplate.bit()
}

fn all_roles() -> u16 {
    Role::ALL.iter().fold(0, |m, r| m | r.bit())
}

fn body_roles() -> u16 {
    Role::Body.bit() | Role::Subheading.bit() | Role::Standfirst.bit()
}

/// The kind of removal a unit no field holds is, read from its shape: the role it trains.
fn removal_role(o: &Obs) -> Role {
    if let Some(kind) = o.rule() {
        return match kind {
            ArtefactKind::Timestamp => Role::Meta,
            ArtefactKind::RelatedLinks | ArtefactKind::LinkTeaser => Role::Related,
            ArtefactKind::ConsentNotice
            | ArtefactKind::NewsletterPrompt
            | ArtefactKind::CopyrightFooter
            | ArtefactKind::EndMatter => Role::Boilerplate,
            _ => Role::Furniture,
        };
    }
    let timey = o.has(Flag::Time)
        || o.has(Flag::Date)
        || o.has(Flag::NumericOnly)
        || o.has(Flag::Counter)
        || o.has(Flag::Duration);
    if timey && o.chars() <= 60 {
        Role::Meta
    } else if o.has(Flag::EndsSentence) && o.words >= 6 {
        Role::Boilerplate
    } else if o.words >= 4 && o.chars() <= 200 {
        Role::Related
    } else {
        Role::Furniture
    }
}

/// An expected record's fields, canonical.
struct Expected {
    language: String,
    headline: String,
    kicker: String,
    dateline_place: String,
    paragraphs: Vec<String>,
    subheadings: Vec<String>,
    captions: Vec<String>,
    creators: Vec<String>,
    credit_agencies: Vec<String>,
    authors: Vec<String>,
    byline_agencies: Vec<String>,
    /// What must leave the copy: an inline teaser inside a paragraph's line is one of these.
    must_remove: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(canon).collect())
        .unwrap_or_default()
}

fn text_of(v: &Value) -> String {
    v.as_str().map(canon).unwrap_or_default()
}

impl Expected {
    fn parse(v: &Value) -> Expected {
        let images = v["images"].as_array().cloned().unwrap_or_default();
        Expected {
            language: v["language"].as_str().unwrap_or("").to_string(),
            headline: text_of(&v["headline"]),
            kicker: text_of(&v["kicker"]),
            dateline_place: text_of(&v["dateline"]["place"]),
            paragraphs: strings(&v["paragraphs"]),
            subheadings: strings(&v["subheadings"]),
            captions: images
                .iter()
                .map(|i| text_of(&i["caption"]))
                .filter(|c| !c.is_empty())
                .collect(),
            creators: images
                .iter()
                .flat_map(|i| strings(&i["creators"]))
                .collect(),
            credit_agencies: images
                .iter()
                .flat_map(|i| strings(&i["agencies"]))
                .collect(),
            authors: strings(&v["byline"]["authors"]),
            byline_agencies: strings(&v["byline"]["agencies"]),
            must_remove: strings(&v["must_remove"]),
        }
    }
}

/// The roles each unit of a corpus case may take, from its expected record.
fn align(units: &[crate::engine::types::Unit], observed: &Observed, exp: &Expected) -> Vec<u16> {
    let body_text = exp.paragraphs.join("\n");
    units
        .iter()
        .zip(&observed.obs)
        .map(|(u, o)| {
            let c = canon(u.text);
            if c.is_empty() {
                return removal_roles();
            }
            let n_tokens = tokens(&c).len();
            let short = o.chars() <= 200;
            if !exp.headline.is_empty() && c == exp.headline {
                return Role::Headline.bit();
            }
            if !exp.kicker.is_empty() && c == exp.kicker {
                return Role::Kicker.bit();
            }
            if exp.subheadings.contains(&c) {
                return Role::Subheading.bit();
            }
            // A paragraph with an inline teaser cut out of it ("… last year (read more here).")
            // is a body line: the extractor cuts the teaser.
            let inner = exp
                .must_remove
                .iter()
                .filter(|r| r.chars().count() >= 3 && r.len() < c.len() && c.contains(r.as_str()))
                .fold(c.clone(), |acc, r| acc.replace(r.as_str(), " "));
            let in_body = exp.paragraphs.contains(&c)
                || inner != c && {
                    let t = tokens(&inner);
                    exp.paragraphs.iter().any(|p| tokens(p) == t)
                }
                || n_tokens >= 4 && body_text.contains(&c)
                || exp.paragraphs.iter().any(|p| {
                    !p.is_empty() && c.contains(p.as_str()) && tokens(p).len() * 10 >= n_tokens * 6
                });
            if in_body {
                return Role::Body.bit() | Role::Standfirst.bit();
            }
            // The caption, alone or with its label, counter or credit on the line.
            if exp.captions.iter().any(|cap| {
                c == *cap
                    || c.contains(cap.as_str()) && tokens(cap).len() * 2 >= n_tokens
                    || short && cap.starts_with(&c) && n_tokens >= 4
            }) {
                return Role::Caption.bit();
            }
            let names =
                |list: &[String]| list.iter().any(|x| !x.is_empty() && c.contains(x.as_str()));
            // A byline-shaped line ("Af Mads Kjeldsen, …") that names an author is the byline,
            // even where the author took a picture too.
            let byline_shaped = o.lex(Lex::Byline)
                || o.has(Flag::NameAfterWord)
                || o.has(Flag::NameRole)
                || o.has(Flag::NameLike);
            let credit_shaped = o.lex(Lex::CreditWordStart)
                || o.lex(Lex::CreditWhole)
                || o.lex(Lex::CreditWordInside);
            let credit = short
                && (names(&exp.creators) || o.lex(Lex::CreditWhole) && names(&exp.credit_agencies));
            if credit && !(byline_shaped && names(&exp.authors) && !credit_shaped) {
                return Role::Credit.bit();
            }
            // A byline line is mostly its names (a bio or a comment that names the author is not).
            let name_tokens: usize = exp
                .authors
                .iter()
                .chain(&exp.byline_agencies)
                .filter(|x| !x.is_empty() && c.contains(x.as_str()))
                .map(|x| tokens(x).len())
                .sum();
            let copyright = o.rule() == Some(ArtefactKind::CopyrightFooter);
            if short
                && name_tokens > 0
                && name_tokens * 2 >= n_tokens.min(12)
                && !copyright
                && !o.has(Flag::Repeated)
                && !(o.has(Flag::EndsSentence) && o.words >= 8)
            {
                return Role::Byline.bit() | Role::Signature.bit();
            }
            if !exp.dateline_place.is_empty() && short && c.starts_with(&exp.dateline_place) {
                return Role::Dateline.bit();
            }
            removal_role(o).bit()
        })
        .collect()
}

/// The roles each unit of a real page may take: body where its words are the true body's,
/// anything but body where they are not, either where it cannot be told; and the headline:
/// the first title-like unit above the body that repeats the page's title (its first line).
fn page_labels(units: &[crate::engine::types::Unit], observed: &Observed, truth: &str) -> Vec<u16> {
    let mut labels = page_body_labels(units, truth);
    let first_body = labels
        .iter()
        .position(|&l| l != 0 && l & !body_roles() == 0)
        .unwrap_or(labels.len());
    if let Some(h) = (1..first_body).find(|&i| {
        let o = &observed.obs[i];
        o.has(Flag::TitleEcho) && !o.has(Flag::EndsSentence) && (3..=30).contains(&o.words)
    }) {
        labels[h] = Role::Headline.bit();
    }
    labels
}

fn page_body_labels(units: &[crate::engine::types::Unit], truth: &str) -> Vec<u16> {
    let truth_tokens = tokens(truth);
    let mut shingles: HashMap<&[String], u32> = HashMap::new();
    for w in truth_tokens.windows(4) {
        *shingles.entry(w).or_insert(0) += 1;
    }
    let truth_joined = format!(" {} ", truth_tokens.join(" "));
    units
        .iter()
        .map(|u| {
            let t = tokens(u.text);
            if t.is_empty() {
                return all_roles() & !body_roles();
            }
            if t.len() < 4 {
                // Too short to tell by shingles: body only if the words stand in the body.
                return if truth_joined.contains(&format!(" {} ", t.join(" "))) {
                    all_roles()
                } else {
                    all_roles() & !body_roles()
                };
            }
            let hits = t.windows(4).filter(|w| shingles.contains_key(*w)).count();
            let share = hits as f32 / (t.len() - 3) as f32;
            if share >= 0.5 {
                // A short line without a sentence end inside the body is a subheading, the rest
                // are paragraphs (the corpus records draw the same line).
                let text = u.text.trim();
                if t.len() <= 12
                    && text.chars().count() <= 100
                    && !crate::engine::lexicon::ends_sentence(text)
                {
                    Role::Subheading.bit()
                } else {
                    Role::Body.bit() | Role::Standfirst.bit()
                }
            } else if share <= 0.1 {
                all_roles() & !body_roles()
            } else {
                all_roles()
            }
        })
        .collect()
}

/// Reads a document with the engine and labels its units.
fn sample(
    name: String,
    input: &Input,
    rules: &Rules,
    language: Option<&str>,
    weight: f32,
    label: impl FnOnce(&[crate::engine::types::Unit], &Observed) -> Vec<u16>,
) -> Result<Sample, String> {
    read(input, rules, &Config::default(), language, |r| {
        let allowed = label(r.units, &r.observed);
        let lines = r
            .units
            .iter()
            .map(|u| (u.line, u.text.chars().take(100).collect()))
            .collect();
        Sample {
            name: name.clone(),
            observed: r.observed,
            allowed,
            weight,
            lines,
        }
    })
    .map_err(|e| format!("{name}: {e}"))
}

/// Every corpus case under `dir` (folders with `expected.json`), sorted by name, each followed
/// by its layout variants (see `variant_samples`) and its clean copy (see `clean_sample`).
pub fn corpus_samples(dir: &Path, rules: &Rules) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for case in sorted_dirs(dir)? {
        if let Some(s) = case_sample(&case, rules)? {
            out.push(s);
            out.extend(variant_samples(&case, rules)?);
            if let Some(c) = clean_sample(&case, rules)? {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// A case's text and expected record, where its copy is not hard-wrapped (a layout variant
/// would undo its wrapping); `None` for a case without `input.txt` or with wrapped copy.
fn unwrapped_case(case: &Path, rules: &Rules) -> Result<Option<(String, Expected)>, String> {
    let Ok(text) = std::fs::read_to_string(case.join("input.txt")) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(
        &std::fs::read_to_string(case.join("expected.json"))
            .map_err(|e| format!("{}: expected.json: {e}", case.display()))?,
    )
    .map_err(|e| format!("{}: expected.json: {e}", case.display()))?;
    let exp = Expected::parse(&value);
    let lang = (!exp.language.is_empty()).then_some(exp.language.as_str());
    let wrapped = crate::engine::read(&Input::text(&text), rules, &Config::default(), lang, |r| {
        r.units.iter().any(|u| u.line != u.last_line)
    })
    .map_err(|e| format!("{}: {e}", case.display()))?;
    Ok((!wrapped).then_some((text, exp)))
}

/// Weight of a layout variant's updates, against its case's.
const VARIANT_WEIGHT: f32 = 0.5;

/// A case laid out again, its lines unchanged: with a blank line after every line, and with no
/// blank line at all (blank lines are evidence of a layout, not of what a line is; scrapers keep
/// or drop them at will), and with one block moved where it has one (see `moved_layouts`).
/// Hard-wrapped copy keeps its layout: a blank line after every line would undo its wrapping.
pub fn variant_samples(case: &Path, rules: &Rules) -> Result<Vec<Sample>, String> {
    let Some((text, exp)) = unwrapped_case(case, rules)? else {
        return Ok(vec![]);
    };
    let lang = (!exp.language.is_empty()).then_some(exp.language.as_str());
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut layouts = vec![("spaced", lines.join("\n\n")), ("packed", lines.join("\n"))];
    layouts.extend(moved_layouts(&text, &exp));
    let mut out = Vec::with_capacity(layouts.len());
    for (what, variant) in layouts {
        let name = format!("{} ({what})", case.display());
        out.push(sample(
            name,
            &Input::text(&variant),
            rules,
            lang,
            VARIANT_WEIGHT,
            |units, observed| align(units, observed, &exp),
        )?);
    }
    Ok(out)
}

/// A case's text with one block moved, where it has such a block: the first picture (its
/// caption group) on top of the page, or just above the lead; the byline under the body.
/// Layouts put these anywhere; the model learns them by what they are, not where the corpus
/// writers happened to put them.
fn moved_layouts(text: &str, exp: &Expected) -> Vec<(&'static str, String)> {
    // Groups of lines between blank lines.
    let mut groups: Vec<Vec<&str>> = vec![vec![]];
    for line in text.lines() {
        if line.trim().is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(vec![]);
            }
        } else if let Some(g) = groups.last_mut() {
            g.push(line);
        }
    }
    groups.retain(|g| !g.is_empty());
    let is_paragraph = |line: &str| {
        let c = canon(line);
        exp.paragraphs.iter().any(|p| {
            !p.is_empty() && (c == *p || c.ends_with(p.as_str()) && p.len() * 2 >= c.len())
        })
    };
    let paragraph_groups: Vec<usize> = (0..groups.len())
        .filter(|&g| groups[g].iter().any(|l| is_paragraph(l)))
        .collect();
    let (Some(&first), Some(&last)) = (paragraph_groups.first(), paragraph_groups.last()) else {
        return vec![];
    };
    let caption_group = (0..groups.len()).find(|&g| {
        groups[g].len() <= 4
            && !groups[g].iter().any(|l| is_paragraph(l))
            && groups[g].iter().any(|l| {
                let c = canon(l);
                exp.captions
                    .iter()
                    .any(|cap| cap.chars().count() >= 20 && c.contains(cap.as_str()))
            })
    });
    let byline_group = (0..first).find(|&g| {
        let c = canon(groups[g][0]);
        groups[g].len() == 1
            && c.chars().count() <= 80
            && exp
                .authors
                .iter()
                .any(|a| !a.is_empty() && c.contains(a.as_str()))
    });
    let moved = |from: usize, to: usize| -> String {
        let mut order: Vec<usize> = (0..groups.len()).filter(|&g| g != from).collect();
        let at = order.iter().position(|&g| g == to).unwrap_or(order.len());
        order.insert(at, from);
        order
            .iter()
            .map(|&g| groups[g].join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
            + "\n"
    };
    let mut layouts: Vec<(&'static str, String)> = Vec::new();
    if let Some(c) = caption_group {
        if c != 0 {
            layouts.push(("picture on top", moved(c, 0)));
        }
        if c > first {
            layouts.push(("picture above the lead", moved(c, first)));
        }
    }
    if let Some(b) = byline_group {
        layouts.push(("byline under the body", moved(b, last + 1)));
    }
    layouts
}

/// Weight of a clean copy's updates, against its case's.
const CLEAN_WEIGHT: f32 = 0.5;

/// A case's clean copy: its headline and its expected paragraphs alone, a blank line between
/// them — its article with nothing around it. Every paragraph of it is body: the model learns
/// that copy with nothing around it keeps everything (clean copy loses no word, and a second
/// pass over an article's text keeps the story).
pub fn clean_sample(case: &Path, rules: &Rules) -> Result<Option<Sample>, String> {
    let Ok(expected) = std::fs::read_to_string(case.join("expected.json")) else {
        return Ok(None);
    };
    let value: Value = serde_json::from_str(&expected)
        .map_err(|e| format!("{}: expected.json: {e}", case.display()))?;
    let paragraphs: Vec<&str> = value["paragraphs"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|p| !p.trim().is_empty())
                .collect()
        })
        .unwrap_or_default();
    if paragraphs.is_empty() {
        return Ok(None);
    }
    // With its headline where it has one: a title over clean paragraphs is still a headline.
    let headline = value["headline"]
        .as_str()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    let mut text = headline.map(|h| format!("{h}\n\n")).unwrap_or_default();
    text.push_str(&paragraphs.join("\n\n"));
    let language = value["language"].as_str().filter(|l| !l.is_empty());
    let name = format!("{} (clean)", case.display());
    sample(
        name,
        &Input::text(&text),
        rules,
        language,
        CLEAN_WEIGHT,
        |units, _| {
            let mut labels = vec![Role::Body.bit() | Role::Standfirst.bit(); units.len()];
            if headline.is_some() && !labels.is_empty() {
                labels[0] = Role::Headline.bit();
            }
            labels
        },
    )
    .map(Some)
}

/// One corpus case, labelled (`None` for a folder without `expected.json`).
pub fn case_sample(case: &Path, rules: &Rules) -> Result<Option<Sample>, String> {
    {
        let Ok(expected) = std::fs::read_to_string(case.join("expected.json")) else {
            return Ok(None);
        };
        let value: Value = serde_json::from_str(&expected)
            .map_err(|e| format!("{}: expected.json: {e}", case.display()))?;
        let exp = Expected::parse(&value);
        let name = case.display().to_string();
        let text;
        let bytes;
        let input = if let Ok(t) = std::fs::read_to_string(case.join("input.txt")) {
            text = t;
            Input::text(&text)
        } else {
            bytes = std::fs::read(case.join("input.bin"))
                .map_err(|e| format!("{name}: no input.txt or input.bin: {e}"))?;
            Input::raw(&bytes)
        };
        let lang = (!exp.language.is_empty()).then_some(exp.language.as_str());
        sample(name, &input, rules, lang, 1.0, |units, observed| {
            align(units, observed, &exp)
        })
        .map(Some)
    }
}

/// The pages of `dir` whose split in `split` (a `folder<TAB>domain<TAB>split` file) is
/// `which`.
pub fn page_samples(
    dir: &Path,
    split: &Path,
    which: &str,
    rules: &Rules,
    weight: f32,
) -> Result<Vec<Sample>, String> {
    let mut out = Vec::new();
    for folder in split_folders(split, which)? {
        let page = dir.join(&folder);
        let text = std::fs::read_to_string(page.join("page.txt"))
            .map_err(|e| format!("{}: {e}", page.display()))?;
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(page.join("expected.json"))
                .map_err(|e| format!("{}: {e}", page.display()))?,
        )
        .map_err(|e| format!("{}: {e}", page.display()))?;
        let truth = exp["article_body"].as_str().unwrap_or("").to_string();
        out.push(sample(
            folder,
            &Input::text(&text),
            rules,
            None,
            weight,
            |units, observed| page_labels(units, observed, &truth),
        )?);
    }
    Ok(out)
}

/// The folders a split file assigns to `which`.
pub fn split_folders(split: &Path, which: &str) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(split).map_err(|e| format!("{}: {e}", split.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 3 && f[2] == which).then(|| f[0].to_string())
        })
        .collect())
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    Ok(v)
}

/// The source (outlet persona) of every document, for folds that never split a source:
/// corpus cases from `corpus/manifests/*.tsv` next to each corpus folder (`case<TAB>source`),
/// pages from the split file (`folder<TAB>domain`). A document without one is its own source.
pub fn source_groups(corpora: &[PathBuf], split: &Path) -> Result<HashMap<String, String>, String> {
    let mut groups = HashMap::new();
    for c in corpora {
        let manifests = c.parent().map(|p| p.join("manifests"));
        let Some(dir) = manifests.filter(|d| d.is_dir()) else {
            continue;
        };
        for f in sorted_files(&dir)? {
            let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
            for line in text.lines() {
                let cols: Vec<&str> = line.split('\t').collect();
                if cols.len() >= 2 {
                    groups.insert(c.join(cols[0]).display().to_string(), cols[1].to_string());
                }
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(split) {
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() >= 2 {
                groups.insert(cols[0].to_string(), cols[1].to_string());
            }
        }
    }
    Ok(groups)
}

/// The fold (of `folds`) a document falls in: by a hash of its source.
pub fn fold_of(groups: &HashMap<String, String>, name: &str, folds: u64) -> u64 {
    // A case's variants ("… (clean)") go where the case goes.
    let name = name.split(" (").next().unwrap_or(name);
    let key = groups.get(name).map_or(name, String::as_str);
    xxhash_rust::xxh3::xxh3_64(key.as_bytes()) % folds.max(1)
}

fn sorted_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    Ok(v)
}

/// How to fit.
#[derive(Debug, Clone)]
pub struct Options {
    pub learner: Learner,
    pub epochs: usize,
    /// Perceptron: loss-augmented decoding, the bonus a wrong role gets while training.
    pub margin: f32,
    /// CRF: the AdaGrad step size and the L2 penalty per document.
    pub rate: f32,
    pub l2: f32,
    pub seed: u64,
}

/// How the weights are learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learner {
    /// A linear-chain CRF: the likelihood of the labels (summed over the roles a partial label
    /// allows), AdaGrad, L2.
    Crf,
    /// An averaged structured perceptron with loss-augmented decoding.
    Perceptron,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            learner: Learner::Crf,
            epochs: 20,
            margin: 1.0,
            rate: 0.1,
            l2: 3e-3,
            seed: 7,
        }
    }
}

/// What fitting did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Documents whose labels no layout can satisfy, with the labels relaxed to fit.
    pub relaxed: Vec<String>,
    /// Per epoch: units decoded wrong (with the margin), of all units.
    pub errors: Vec<(usize, usize)>,
    /// CRF: per epoch, the negative log likelihood of the labels.
    pub loss: Vec<f64>,
}

/// Adds the features of a state path to `model`, times `by`.
fn add_path(model: &mut Model, observed: &Observed, path: &[usize], by: f32, feats: &mut Vec<u32>) {
    let s = states();
    for (t, &j) in path.iter().enumerate() {
        features(t, observed, feats);
        model.add_emission(s[j].role, s[j].zone, feats, by);
        if t == 0 {
            model.add_start(j, by);
        } else {
            model.add_trans(path[t - 1], j, by);
        }
    }
    if let Some(&last) = path.last() {
        model.add_end(last, by);
    }
}

/// Fits a model with the chosen learner.
pub fn fit(samples: &mut [Sample], options: &Options) -> (Model, Report) {
    let mut report = Report::default();
    relax(samples, &mut report);
    let model = match options.learner {
        Learner::Perceptron => perceptron(samples, options, &mut report),
        Learner::Crf => crf(samples, options, &mut report),
    };
    (model, report)
}

fn shuffle(order: &mut [usize], rng: &mut u64) {
    // Fisher–Yates with xorshift: the same order for the same seed.
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

/// Labels that no state sequence satisfies are relaxed: every unit not held by a field may
/// then be any removal or field role.
fn relax(samples: &mut [Sample], report: &mut Report) {
    let w = Model::zeros();
    // Labels that no state sequence satisfies are relaxed: every unit not held by a field may
    // then be any removal or field role.
    for s in samples.iter_mut() {
        let steer = Steer {
            allowed: Some(&s.allowed),
            loss: None,
        };
        if decode(&s.observed, &w, steer).is_none() {
            for a in s.allowed.iter_mut() {
                if *a & body_roles() == 0 {
                    *a = all_roles() & !body_roles();
                }
            }
            report.relaxed.push(s.name.clone());
            if decode(
                &s.observed,
                &w,
                Steer {
                    allowed: Some(&s.allowed),
                    loss: None,
                },
            )
            .is_none()
            {
                s.allowed.iter_mut().for_each(|a| *a = all_roles());
            }
        }
    }
}

/// An averaged structured perceptron, the gold sequence of each document being the best one
/// its labels allow under the current weights.
fn perceptron(samples: &[Sample], options: &Options, report: &mut Report) -> Model {
    let mut w = Model::zeros();
    let mut acc = Model::zeros();
    let mut c = 1.0f32;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut rng = options.seed.max(1);
    let mut feats = Vec::new();
    for _ in 0..options.epochs {
        shuffle(&mut order, &mut rng);
        let (mut wrong, mut total) = (0usize, 0usize);
        for &k in &order {
            let s = &samples[k];
            let gold = decode(
                &s.observed,
                &w,
                Steer {
                    allowed: Some(&s.allowed),
                    loss: None,
                },
            );
            let pred = decode(
                &s.observed,
                &w,
                Steer {
                    allowed: None,
                    loss: Some((&s.allowed, options.margin)),
                },
            );
            let (Some(gold), Some(pred)) = (gold, pred) else {
                continue;
            };
            total += gold.len();
            let st = states();
            wrong += pred
                .iter()
                .zip(&s.allowed)
                .filter(|(p, a)| **a & st[**p].role.bit() == 0)
                .count();
            if gold != pred {
                add_path(&mut w, &s.observed, &gold, s.weight, &mut feats);
                add_path(&mut w, &s.observed, &pred, -s.weight, &mut feats);
                add_path(&mut acc, &s.observed, &gold, c * s.weight, &mut feats);
                add_path(&mut acc, &s.observed, &pred, -c * s.weight, &mut feats);
            }
            c += 1.0;
        }
        report.errors.push((wrong, total));
    }
    // Averaged weights: w - acc / c.
    let averaged: Vec<f32> = w
        .weights()
        .zip(acc.weights())
        .map(|(a, b)| a - b / c)
        .collect();
    for (x, v) in w.weights_mut().zip(averaged) {
        *x = v;
    }
    w
}

/// Forward–backward of one document under `w`: the marginal of every state at every unit and
/// of every transition, and the log partition, with the emissions masked by `allowed` (or
/// not). Scaled, so that no logarithm is taken inside the loops.
struct Marginals {
    /// `[t][state]`.
    unary: Vec<f64>,
    /// `[from][to]`, summed over the units.
    pair: Vec<f64>,
    log_z: f64,
}

fn marginals(
    feats: &[Vec<u32>],
    obs: &[Obs],
    w: &Model,
    allowed: Option<&[u16]>,
) -> Option<Marginals> {
    let s = states();
    let m = s.len();
    let n = feats.len();
    // Emission potentials, exp(score - max) per unit; the maxima go into the log partition.
    let mut pot = vec![0f64; n * m];
    let mut shift = 0f64;
    for t in 0..n {
        let mut scores = vec![f64::NEG_INFINITY; m];
        for (j, st) in s.iter().enumerate() {
            let ok = allowed.is_none_or(|a| a[t] & st.role.bit() != 0)
                && crate::engine::roles::admissible(&obs[t], st.role);
            if ok {
                scores[j] =
                    f64::from(w.role_score(st.role, &feats[t]) + w.zone_score(st.zone, &feats[t]));
            }
        }
        let mx = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if mx == f64::NEG_INFINITY {
            return None;
        }
        shift += mx;
        for j in 0..m {
            pot[t * m + j] = (scores[j] - mx).exp();
        }
    }
    let trans: Vec<f64> = (0..m * m)
        .map(|k| {
            let (i, j) = (k / m, k % m);
            if s[i].can_precede(s[j]) {
                f64::from(w.trans(i, j)).exp()
            } else {
                0.0
            }
        })
        .collect();
    let start: Vec<f64> = (0..m)
        .map(|j| {
            if s[j].can_start() {
                f64::from(w.start(j)).exp()
            } else {
                0.0
            }
        })
        .collect();
    let end: Vec<f64> = (0..m).map(|j| f64::from(w.end(j)).exp()).collect();
    let mut alpha = vec![0f64; n * m];
    let mut scale = vec![0f64; n];
    for t in 0..n {
        for j in 0..m {
            let inflow = if t == 0 {
                start[j]
            } else {
                (0..m)
                    .map(|i| alpha[(t - 1) * m + i] * trans[i * m + j])
                    .sum()
            };
            alpha[t * m + j] = inflow * pot[t * m + j];
        }
        let z: f64 = alpha[t * m..(t + 1) * m].iter().sum();
        if z <= 0.0 || !z.is_finite() {
            return None;
        }
        scale[t] = z;
        for j in 0..m {
            alpha[t * m + j] /= z;
        }
    }
    let last: f64 = (0..m).map(|j| alpha[(n - 1) * m + j] * end[j]).sum();
    if last <= 0.0 {
        return None;
    }
    let mut beta = vec![0f64; n * m];
    for j in 0..m {
        beta[(n - 1) * m + j] = end[j] / last;
    }
    for t in (0..n - 1).rev() {
        for i in 0..m {
            beta[t * m + i] = (0..m)
                .map(|j| trans[i * m + j] * pot[(t + 1) * m + j] * beta[(t + 1) * m + j])
                .sum::<f64>()
                / scale[t + 1];
        }
    }
    let mut unary = vec![0f64; n * m];
    for k in 0..n * m {
        unary[k] = alpha[k] * beta[k];
    }
    let mut pair = vec![0f64; m * m];
    for t in 1..n {
        for i in 0..m {
            let a = alpha[(t - 1) * m + i];
            if a == 0.0 {
                continue;
            }
            for j in 0..m {
                let tr = trans[i * m + j];
                if tr == 0.0 {
                    continue;
                }
                pair[i * m + j] += a * tr * pot[t * m + j] * beta[t * m + j] / scale[t];
            }
        }
    }
    let log_z = shift + scale.iter().map(|z| z.ln()).sum::<f64>() + last.ln();
    Some(Marginals { unary, pair, log_z })
}

/// A linear-chain CRF fitted by AdaGrad: for each document, the gradient of the log
/// likelihood of its labels (the constrained marginals minus the free ones), with L2.
fn crf(samples: &[Sample], options: &Options, report: &mut Report) -> Model {
    let s = states();
    let m = s.len();
    let cache: Vec<Vec<Vec<u32>>> = samples
        .iter()
        .map(|x| {
            let n = x.observed.obs.len();
            let mut f = Vec::new();
            (0..n)
                .map(|t| {
                    features(t, &x.observed, &mut f);
                    f.clone()
                })
                .collect()
        })
        .collect();
    let mut w = Model::zeros();
    let mut g2 = Model::zeros();
    let mut grad = Model::zeros();
    let mut avg = Model::zeros();
    let mut averaged = 0f32;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut rng = options.seed.max(1);
    for epoch in 0..options.epochs {
        shuffle(&mut order, &mut rng);
        let mut nll = 0f64;
        let (mut wrong, mut total) = (0usize, 0usize);
        for &k in &order {
            let x = &samples[k];
            let feats = &cache[k];
            let obs = &x.observed.obs;
            let (Some(free), Some(gold)) = (
                marginals(feats, obs, &w, None),
                marginals(feats, obs, &w, Some(&x.allowed)),
            ) else {
                continue;
            };
            if !(free.log_z.is_finite() && gold.log_z.is_finite()) {
                // A document the current weights cannot score (overflow): skipped this epoch,
                // so that one bad document cannot write NaN into every weight.
                continue;
            }
            nll += free.log_z - gold.log_z;
            grad.weights_mut().for_each(|g| *g = 0.0);
            let n = feats.len();
            for (t, ft) in feats.iter().enumerate() {
                // The state the free marginals favour, against the labels.
                let best = (0..m)
                    .max_by(|&a, &b| free.unary[t * m + a].total_cmp(&free.unary[t * m + b]))
                    .unwrap_or(0);
                total += 1;
                if x.allowed[t] & s[best].role.bit() == 0 {
                    wrong += 1;
                }
                for (j, st) in s.iter().enumerate() {
                    let d = gold.unary[t * m + j] - free.unary[t * m + j];
                    if d.abs() > 1e-9 {
                        // Ascent on the log likelihood: weights grow where the labels say more
                        // than the model.
                        grad.add_emission(st.role, st.zone, ft, (d * f64::from(x.weight)) as f32);
                    }
                }
            }
            for j in 0..m {
                let d0 = gold.unary[j] - free.unary[j];
                grad.add_start(j, (d0 * f64::from(x.weight)) as f32);
                let dn = gold.unary[(n - 1) * m + j] - free.unary[(n - 1) * m + j];
                grad.add_end(j, (dn * f64::from(x.weight)) as f32);
                for i in 0..m {
                    let d = gold.pair[i * m + j] - free.pair[i * m + j];
                    if d.abs() > 1e-9 {
                        grad.add_trans(i, j, (d * f64::from(x.weight)) as f32);
                    }
                }
            }
            // AdaGrad on the weights the document touched, with their share of the L2 penalty.
            for ((wv, gv), hv) in w.weights_mut().zip(grad.weights()).zip(g2.weights_mut()) {
                if gv == 0.0 {
                    continue;
                }
                let g = gv - options.l2 * *wv;
                if !g.is_finite() {
                    continue;
                }
                *hv += g * g;
                *wv += options.rate * g / (hv.sqrt() + 1e-6);
            }
        }
        report.errors.push((wrong, total));
        report.loss.push(nll);
        // Polyak averaging over the second half of the epochs: the weights steady, less
        // dependent on the order of the last documents.
        if epoch * 2 >= options.epochs {
            for (a, x) in avg.weights_mut().zip(w.weights()) {
                *a += x;
            }
            averaged += 1.0;
        }
    }
    if averaged > 0.0 {
        for (x, a) in w.weights_mut().zip(avg.weights()) {
            *x = a / averaged;
        }
    }
    w
}

/// For each corpus case: the fields of its record that no unit was labelled with (alignment
/// gaps), for `examples/inspect.rs --gaps`.
pub fn alignment_gaps(case: &Path, rules: &Rules) -> Result<Vec<String>, String> {
    let Some(s) = case_sample(case, rules)? else {
        return Ok(vec![]);
    };
    let value: Value = serde_json::from_str(
        &std::fs::read_to_string(case.join("expected.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let exp = Expected::parse(&value);
    let has = |r: Role| {
        s.allowed
            .iter()
            .any(|&a| a == r.bit() || a & r.bit() != 0 && a != all_roles())
    };
    let mut gaps = Vec::new();
    if !exp.headline.is_empty() && !has(Role::Headline) {
        gaps.push(format!("headline: {}", exp.headline));
    }
    if !exp.kicker.is_empty() && !has(Role::Kicker) {
        gaps.push(format!("kicker: {}", exp.kicker));
    }
    if !exp.captions.is_empty() && !has(Role::Caption) {
        gaps.push(format!("captions: {:?}", exp.captions));
    }
    if (!exp.authors.is_empty()) && !has(Role::Byline) {
        gaps.push(format!("byline: {:?}", exp.authors));
    }
    if !exp.subheadings.is_empty() && !has(Role::Subheading) {
        gaps.push(format!("subheadings: {:?}", exp.subheadings));
    }
    if !exp.creators.is_empty() && !has(Role::Credit) && !has(Role::Caption) {
        gaps.push(format!("creators: {:?}", exp.creators));
    }
    Ok(gaps)
}

/// Units labelled body that a rule file matches, by how (whole line, prefix, pattern), with their
/// text: how often the lexicon would take body text out if it were obeyed.
pub fn body_rule_matches(case: &Path, rules: &Rules) -> Result<Vec<(u8, String)>, String> {
    let Some(s) = case_sample(case, rules)? else {
        return Ok(vec![]);
    };
    Ok(s.allowed
        .iter()
        .zip(&s.observed.obs)
        .zip(&s.lines)
        .filter(|((a, o), _)| **a & !body_roles() == 0 && o.rule().is_some())
        .map(|((_, o), (_, t))| (o.rule_how(), t.clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canon_folds_quotes_dashes_spaces_and_case() {
        assert_eq!(canon("„Das  ist“ – gut"), "das ist - gut");
        assert_eq!(tokens("北京 is 3rd"), vec!["北", "京", "is", "3rd"]);
    }
}
