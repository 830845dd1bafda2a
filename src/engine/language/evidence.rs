//! The evidence of `rules/langid.toml`: the allow-list, confusable groups and, per language,
//! function words, marker letters and letter sequences, compiled once into one Aho-Corasick
//! automaton that runs over a normalised token stream of the text.

use std::collections::{BTreeMap, HashMap};

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Deserialize;

use super::{iso_code, lang_from_code};
use crate::engine::text::truncate;

// ------------------------------------------------------------------------------------------
// The file format.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub allow: Option<Allow>,
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub group: Vec<GroupDef>,
    #[serde(default)]
    pub lang: BTreeMap<String, LangDef>,
    #[serde(default)]
    pub translation: Option<super::translation::TranslationDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Allow {
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Params {
    pub word: f64,
    pub letter: f64,
    pub affix: f64,
    pub prior_base: f64,
    pub prior_confidence: f64,
    pub hint: f64,
    pub extra_margin: f64,
    pub reliable_margin: f64,
    pub min_reliable_letters: usize,
    pub min_reliable_letters_group: usize,
    pub broad_below: f64,
    pub max_bytes: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            word: 1.0,
            letter: 1.0,
            affix: 1.0,
            prior_base: 0.5,
            prior_confidence: 1.5,
            hint: 1.0,
            extra_margin: 3.0,
            reliable_margin: 3.0,
            min_reliable_letters: 12,
            min_reliable_letters_group: 24,
            broad_below: 0.0,
            max_bytes: 8192,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupDef {
    pub name: String,
    pub languages: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LangDef {
    #[serde(default)]
    pub extra: bool,
    pub code: Option<String>,
    pub name: Option<String>,
    pub script: Option<String>,
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub letters: String,
    #[serde(default)]
    pub ngrams: Vec<String>,
    #[serde(default)]
    pub suffixes: Vec<String>,
    #[serde(default)]
    pub prefixes: Vec<String>,
}

// ------------------------------------------------------------------------------------------
// Compiled form.

/// A language of the evidence table (index = bit in a mask).
#[derive(Debug, Clone)]
pub struct EvLang {
    /// Code answered, e.g. "sr" for "sr-Latn".
    pub code: String,
    pub name: String,
    /// Fixed script for evidence-only languages.
    pub script: Option<String>,
    pub whatlang: Option<whatlang::Lang>,
    /// Evidence-only: whatlang has no model for it.
    pub extra: bool,
    /// In the allow-list.
    pub allowed: bool,
    /// Union of the groups it belongs to (bit mask over evidence languages).
    pub group_mask: u64,
    /// Every evidence language of the same script (for the broad re-scoring of weak picks).
    pub script_mask: u64,
}

#[derive(Debug)]
pub struct Evidence {
    pub langs: Vec<EvLang>,
    by_whatlang: HashMap<whatlang::Lang, usize>,
    by_key: HashMap<String, usize>,
    automaton: Option<AhoCorasick>,
    /// Per pattern: languages it speaks for, its weight and its kind.
    pattern_info: Vec<(u64, f64, Kind)>,
    allowed_mask: u64,
}

/// Scores of one group resolution.
#[derive(Debug, Clone)]
pub struct GroupScores {
    /// (evidence index, total score) for each allowed member, best first.
    pub ranked: Vec<(usize, f64)>,
}

impl Evidence {
    pub(super) fn compile(
        file: &File,
        allowed_keys: &[String],
        params: &Params,
    ) -> Result<Self, String> {
        let mut langs: Vec<EvLang> = Vec::new();
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut by_whatlang = HashMap::new();
        if file.lang.len() > 64 {
            return Err(format!(
                "[lang] has {} languages; at most 64 are supported",
                file.lang.len()
            ));
        }
        for (key, def) in &file.lang {
            let wl = if def.extra {
                None
            } else {
                Some(lang_from_code(key).ok_or_else(|| {
                    format!(
                        "[lang.{key}] is not a whatlang language; mark it `extra = true` and give name and script"
                    )
                })?)
            };
            let code = match (&def.code, wl) {
                (Some(c), _) => c.clone(),
                (None, Some(l)) => iso_code(l).to_string(),
                (None, None) => key.clone(),
            };
            if !super::is_language_code(&code) {
                return Err(format!("[lang.{key}] code {code:?} is not a language code"));
            }
            let name = match (&def.name, wl) {
                (Some(n), _) => n.clone(),
                (None, Some(l)) => l.eng_name().to_string(),
                (None, None) => {
                    return Err(format!("[lang.{key}] is evidence-only and needs a `name`"));
                }
            };
            if def.extra && def.script.is_none() {
                return Err(format!(
                    "[lang.{key}] is evidence-only and needs a `script`"
                ));
            }
            if def.words.is_empty() && def.letters.is_empty() {
                return Err(format!("[lang.{key}] has neither words nor letters"));
            }
            let idx = langs.len();
            by_key.insert(key.clone(), idx);
            if let Some(l) = wl {
                by_whatlang.insert(l, idx);
            }
            langs.push(EvLang {
                code,
                name,
                script: def.script.clone(),
                whatlang: wl,
                extra: def.extra,
                allowed: allowed_keys.iter().any(|k| k == key),
                group_mask: 0,
                script_mask: 0,
            });
        }

        let mut groups = Vec::new();
        for g in &file.group {
            if g.languages.len() < 2 {
                return Err(format!("group {:?} needs at least two languages", g.name));
            }
            let mut mask = 0u64;
            for k in &g.languages {
                let i = by_key.get(k).ok_or_else(|| {
                    format!(
                        "group {:?} names {k:?}, which has no [lang.{k}] evidence",
                        g.name
                    )
                })?;
                mask |= 1u64 << i;
            }
            groups.push((g.name.clone(), mask));
        }
        let scripts: Vec<String> = langs
            .iter()
            .map(|l| match (&l.script, l.whatlang) {
                (Some(s), _) => s.clone(),
                (None, Some(wl)) => script_of(wl),
                (None, None) => String::new(),
            })
            .collect();
        for i in 0..langs.len() {
            let mut m = 0u64;
            for (j, sj) in scripts.iter().enumerate() {
                if *sj == scripts[i] && !sj.is_empty() {
                    m |= 1u64 << j;
                }
            }
            langs[i].script_mask = m;
        }
        for (_, mask) in &groups {
            for (i, l) in langs.iter_mut().enumerate() {
                if mask & (1u64 << i) != 0 {
                    l.group_mask |= mask;
                }
            }
        }

        // Patterns over the token stream " tok tok ... ".
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut info: Vec<(u64, f64, Kind)> = Vec::new();
        let mut add = |pat: String, bit: u64, weight: f64, kind: Kind| {
            if let Some(&i) = index.get(&pat) {
                let e: &mut (u64, f64, Kind) = &mut info[i];
                e.0 |= bit;
            } else {
                index.insert(pat.clone(), patterns.len());
                patterns.push(pat);
                info.push((bit, weight, kind));
            }
        };
        for (key, def) in &file.lang {
            let Some(&i) = by_key.get(key) else { continue };
            let bit = 1u64 << i;
            for w in &def.words {
                let w = normalise_piece(w);
                if w.is_empty() || w.contains(' ') {
                    return Err(format!("[lang.{key}] word {w:?} is empty or has a space"));
                }
                if w.ends_with('\'') && w.chars().count() > 1 {
                    add(format!(" {w}"), bit, params.word, Kind::Plain);
                } else {
                    add(format!(" {w} "), bit, params.word, Kind::Plain);
                }
            }
            for c in def.letters.chars() {
                if c.is_whitespace() {
                    continue;
                }
                add(c.to_lowercase().collect(), bit, params.letter, Kind::Plain);
            }
            for (list, what) in [
                (&def.ngrams, "ngram"),
                (&def.suffixes, "suffix"),
                (&def.prefixes, "prefix"),
            ] {
                for p in list {
                    let p = normalise_piece(p);
                    if p.is_empty() || p.contains(' ') {
                        return Err(format!("[lang.{key}] {what} {p:?} is empty or has a space"));
                    }
                    let (pat, kind) = match what {
                        "suffix" => (format!("{p} "), Kind::Suffix),
                        "prefix" => (format!(" {p}"), Kind::Prefix),
                        _ => (p, Kind::Plain),
                    };
                    add(pat, bit, params.affix, kind);
                }
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
                    .map_err(|e| format!("evidence patterns do not compile: {e}"))?,
            )
        };
        let allowed_mask = langs
            .iter()
            .enumerate()
            .filter(|(_, l)| l.allowed)
            .fold(0u64, |m, (i, _)| m | (1u64 << i));
        Ok(Evidence {
            allowed_mask,
            langs,
            by_whatlang,
            by_key,
            automaton,
            pattern_info: info,
        })
    }

    pub fn index_of_whatlang(&self, l: whatlang::Lang) -> Option<usize> {
        self.by_whatlang.get(&l).copied()
    }

    pub fn index_of_key(&self, key: &str) -> Option<usize> {
        self.by_key.get(key).copied()
    }

    /// Re-scores the group of `top` (whatlang's pick, with confidence `conf`) on `stream`.
    /// None when `top` is in no group.
    pub fn resolve(
        &self,
        stream: &str,
        top: usize,
        conf: f64,
        hint: Option<usize>,
        params: &Params,
    ) -> Option<GroupScores> {
        let lang = self.langs.get(top)?;
        let mut members = lang.group_mask;
        if conf < params.broad_below {
            members |= lang.script_mask;
        }
        let members = members & self.allowed_mask;
        if members == 0 || members.count_ones() < 2 {
            return None;
        }
        let mut ev = [0f64; 64];
        if let Some(ac) = &self.automaton {
            let bytes = stream.as_bytes();
            for m in ac.find_overlapping_iter(stream) {
                let Some(&(mask, weight, kind)) = self.pattern_info.get(m.pattern().as_usize())
                else {
                    continue;
                };
                // An affix must not be the whole word.
                let whole = match kind {
                    Kind::Plain => false,
                    Kind::Suffix => m.start() == 0 || bytes.get(m.start() - 1) == Some(&b' '),
                    Kind::Prefix => bytes.get(m.end()).is_none_or(|&b| b == b' '),
                };
                if whole {
                    continue;
                }
                let mut bits = mask & members;
                while bits != 0 {
                    let i = bits.trailing_zeros() as usize;
                    ev[i] += weight;
                    bits &= bits - 1;
                }
            }
        }
        let mut ranked: Vec<(usize, f64, f64)> = Vec::new();
        let mut bits = members;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let mut total = ev[i];
            if i == top {
                total += params.prior_base + params.prior_confidence * conf.clamp(0.0, 1.0);
            }
            if hint == Some(i) {
                total += params.hint;
            }
            ranked.push((i, total, ev[i]));
        }
        // Evidence-only languages must lead the best modelled language by `extra_margin`.
        for r in ranked.iter_mut() {
            if self.langs[r.0].extra {
                r.1 -= params.extra_margin;
            }
        }
        ranked.sort_by(|a, b| {
            b.1.partial_cmp(&a.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| (b.0 == top).cmp(&(a.0 == top)))
        });
        Some(GroupScores {
            ranked: ranked.into_iter().map(|r| (r.0, r.1)).collect(),
        })
    }
}

/// Name of the script whatlang models `lang` in.
fn script_of(lang: whatlang::Lang) -> String {
    use whatlang::Script::*;
    for s in [
        Latin, Cyrillic, Arabic, Devanagari, Hebrew, Greek, Mandarin, Hiragana, Katakana, Hangul,
        Bengali, Georgian, Armenian, Thai, Tamil, Telugu, Gujarati, Gurmukhi, Kannada, Malayalam,
        Oriya, Myanmar, Sinhala, Khmer, Ethiopic,
    ] {
        if s.langs().contains(&lang) {
            return s.name().to_string();
        }
    }
    String::new()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Plain,
    Suffix,
    Prefix,
}

fn normalise_piece(s: &str) -> String {
    s.trim()
        .chars()
        .map(normalise_char)
        .collect::<String>()
        .to_lowercase()
}

fn normalise_char(c: char) -> char {
    match c {
        '’' | 'ʼ' | '`' | '´' => '\'',
        _ => c,
    }
}

/// Whether `c` belongs to a word for the token stream (letters, combining marks of Indic and
/// Arabic scripts, apostrophes — including the grave and acute accents typed for one, as in
/// Afrikaans `´n` — and the Catalan middle dot).
pub fn is_word_char(c: char) -> bool {
    if c.is_alphabetic() {
        return true;
    }
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´' | '·')
        || ('\u{0300}'..='\u{036F}').contains(&c)
        || (('\u{0900}'..='\u{097F}').contains(&c) && !('\u{0964}'..='\u{096F}').contains(&c))
        || ('\u{064B}'..='\u{065F}').contains(&c)
        || c == '\u{0670}'
        || ('\u{200C}'..='\u{200D}').contains(&c)
}

/// The token stream: lower-case words separated by single spaces, with a space at both ends.
/// Returns the stream and the number of letters seen. Reads at most `max_bytes` of `text`.
pub fn token_stream(text: &str, max_bytes: usize) -> (String, usize) {
    let text = truncate(text, max_bytes);
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut letters = 0usize;
    for c in text.chars() {
        if is_word_char(c) {
            if c.is_alphabetic() {
                letters += 1;
            }
            let c = normalise_char(c);
            if c.is_lowercase() || !c.is_alphabetic() {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    (out, letters)
}
