//! The bench inputs: the fixtures as they are, and a synthetic feed of realistic articles built
//! from the fixtures' own paragraphs (1 KB to 1 MB). Only `tests/fixtures` is read; nothing
//! outside the repository is needed. Deterministic: the same files give the same feed.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One fixture: its directory name and its bytes (`input.txt` or `input.bin`).
pub struct Fixture {
    pub name: String,
    pub bytes: Vec<u8>,
    /// `input.txt` (UTF-8 text) rather than `input.bin` (raw bytes, charset to detect).
    pub is_text: bool,
}

/// Sizes of the synthetic feed, with their labels.
pub const SIZES: &[(&str, usize)] = &[
    ("1KB", 1024),
    ("3KB", 3 * 1024),
    ("10KB", 10 * 1024),
    ("100KB", 100 * 1024),
    ("1MB", 1024 * 1024),
];

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every fixture, sorted by name.
pub fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir(fixtures_dir()) else {
        return out;
    };
    let mut dirs: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    dirs.sort();
    for d in dirs {
        let name = d
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if let Ok(bytes) = std::fs::read(d.join("input.txt")) {
            out.push(Fixture {
                name,
                bytes,
                is_text: true,
            });
        } else if let Ok(bytes) = std::fs::read(d.join("input.bin")) {
            out.push(Fixture {
                name,
                bytes,
                is_text: false,
            });
        }
    }
    out
}

/// The language code a fixture is named for ("de-dpa-…" → "de").
pub fn language_of(name: &str) -> &str {
    name.split('-').next().unwrap_or("")
}

/// A text fixture split into blank-line-separated groups.
fn groups(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|g| g.trim_matches('\n').to_string())
        .filter(|g| !g.trim().is_empty())
        .collect()
}

/// One synthetic article of about `size` bytes in the language of `seed`: the seed's own top
/// (kicker, headline, byline, dateline paragraph) and bottom (credits, footer), with body
/// paragraphs of the same language's fixtures in between, cycled until the size is reached.
/// Every paragraph is real copy, so every stage sees what it sees in production.
pub fn synthetic(seed: &Fixture, all: &[Fixture], size: usize) -> String {
    let text = String::from_utf8_lossy(&seed.bytes).to_string();
    let g = groups(&text);
    if g.len() < 3 {
        return text;
    }
    let head_n = 2.min(g.len() - 1);
    let head = &g[..head_n];
    let foot = &g[g.len() - 1..];
    // Long groups of every text fixture of this language are the body paragraphs.
    let lang = language_of(&seed.name);
    let mut body: Vec<String> = Vec::new();
    for f in all
        .iter()
        .filter(|f| f.is_text && language_of(&f.name) == lang)
    {
        let t = String::from_utf8_lossy(&f.bytes).to_string();
        let fg = groups(&t);
        let n = fg.len();
        for (i, p) in fg.into_iter().enumerate() {
            if i >= head_n && i + 1 < n && p.chars().count() >= 120 {
                body.push(p);
            }
        }
    }
    if body.is_empty() {
        body = g[head_n..g.len() - 1].to_vec();
    }
    if body.is_empty() {
        return text;
    }
    let fixed: usize = head.iter().chain(foot).map(|s| s.len() + 2).sum();
    let mut out: Vec<String> = head.to_vec();
    let mut len = fixed;
    let mut i = 0;
    while len < size || i == 0 {
        let p = &body[i % body.len()];
        if len + p.len() > size && i > 0 {
            break;
        }
        len += p.len() + 2;
        out.push(p.clone());
        i += 1;
    }
    out.extend(foot.iter().cloned());
    out.join("\n\n") + "\n"
}

/// The synthetic feed at one size: one article per text fixture (every language, every kind of
/// copy), so its mix is the fixtures' mix.
pub fn feed(size: usize) -> Vec<String> {
    let all = fixtures();
    all.iter()
        .filter(|f| f.is_text)
        .map(|f| synthetic(f, &all, size))
        .collect()
}
