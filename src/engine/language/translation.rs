//! Machine-translation suspicion: traces of a source language left in the copy (its quote marks,
//! untranslated interface labels, editor/agency signatures). Conservative by design: clean native
//! copy has none of these, and one weak trace alone never reaches the threshold.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TranslationDef {
    #[serde(default = "d_threshold")]
    threshold: f64,
    #[serde(default = "d_quote_pair")]
    quote_pair: f64,
    #[serde(default = "d_quote_pairs_more")]
    quote_pairs_more: f64,
    #[serde(default = "d_label")]
    label: f64,
    #[serde(default = "d_signature")]
    signature: f64,
    #[serde(default = "d_agency_home")]
    agency_home: f64,
    #[serde(default)]
    native_quotes: BTreeMap<String, String>,
    #[serde(default)]
    quotes: Vec<QuoteDef>,
    #[serde(default)]
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    signatures: BTreeMap<String, String>,
    /// Literal translations of a language's interface labels ("Enlarge image" for
    /// "Bild vergrößern"), weaker than an untranslated label.
    #[serde(default)]
    calques: BTreeMap<String, Vec<String>>,
    #[serde(default = "d_calque")]
    calque: f64,
}

fn d_threshold() -> f64 {
    3.0
}
fn d_quote_pair() -> f64 {
    2.0
}
fn d_quote_pairs_more() -> f64 {
    3.0
}
fn d_label() -> f64 {
    3.0
}
fn d_signature() -> f64 {
    2.0
}
fn d_agency_home() -> f64 {
    1.0
}
fn d_calque() -> f64 {
    1.5
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteDef {
    open: String,
    close: String,
    languages: Vec<String>,
}

/// How much of a long body is examined.
const MAX_SCAN_BYTES: usize = 64 * 1024;
const MAX_SIGNATURE_TAIL: usize = 2048;
const MAX_REMOVED_LINES: usize = 200;

#[derive(Debug, Default)]
pub struct Translation {
    threshold: f64,
    quote_pair: f64,
    quote_pairs_more: f64,
    signature: f64,
    agency_home: f64,
    native: HashMap<String, Vec<char>>,
    quotes: Vec<(char, char, Vec<String>)>,
    /// Lower-cased label, languages that print it.
    labels: Vec<(String, Vec<String>, f64, &'static str)>,
    signatures: HashMap<String, String>,
}

impl Translation {
    pub(super) fn compile(def: Option<&TranslationDef>) -> Result<Self, String> {
        let Some(def) = def else {
            return Ok(Translation {
                threshold: f64::INFINITY,
                ..Translation::default()
            });
        };
        let check = |code: &str, what: &str| {
            if super::is_language_code(code) {
                Ok(())
            } else {
                Err(format!(
                    "[translation] {what} names {code:?}, which is not a language code"
                ))
            }
        };
        let one_char = |s: &str, what: &str| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!(
                    "[translation] quote {what} {s:?} must be exactly one character"
                )),
            }
        };
        let mut native = HashMap::new();
        for (code, chars) in &def.native_quotes {
            check(code, "native_quotes")?;
            native.insert(code.clone(), chars.chars().collect());
        }
        let mut quotes = Vec::new();
        for q in &def.quotes {
            if q.languages.is_empty() {
                return Err("[[translation.quotes]] needs at least one language".into());
            }
            for l in &q.languages {
                check(l, "quotes")?;
            }
            quotes.push((
                one_char(&q.open, "open")?,
                one_char(&q.close, "close")?,
                q.languages.clone(),
            ));
        }
        let mut labels: Vec<(String, Vec<String>, f64, &'static str)> = Vec::new();
        for (table, weight, what) in [
            (&def.labels, def.label, "labels"),
            (&def.calques, def.calque, "calques"),
        ] {
            for (code, list) in table {
                check(code, what)?;
                for l in list {
                    let l = l.trim().to_lowercase();
                    if l.is_empty() {
                        return Err(format!("[translation.{what}] {code} has an empty label"));
                    }
                    let kind = if what == "labels" { "label" } else { "calque" };
                    match labels.iter_mut().find(|(x, _, _, k)| *x == l && *k == kind) {
                        Some((_, langs, _, _)) => langs.push(code.clone()),
                        None => labels.push((l, vec![code.clone()], weight, kind)),
                    }
                }
            }
        }
        let mut signatures = HashMap::new();
        for (agency, code) in &def.signatures {
            check(code, "signatures")?;
            signatures.insert(agency.to_lowercase(), code.clone());
        }
        for w in [
            def.threshold,
            def.quote_pair,
            def.quote_pairs_more,
            def.label,
            def.signature,
            def.agency_home,
            def.calque,
        ] {
            if !w.is_finite() || w < 0.0 {
                return Err("[translation] weights must be finite and not negative".into());
            }
        }
        Ok(Translation {
            threshold: def.threshold,
            quote_pair: def.quote_pair,
            quote_pairs_more: def.quote_pairs_more,
            signature: def.signature,
            agency_home: def.agency_home,
            native,
            quotes,
            labels,
            signatures,
        })
    }

    pub fn suspect(
        &self,
        doc_code: &str,
        body: &str,
        removed: &[&str],
        agencies_home: &[&str],
    ) -> Option<(String, String)> {
        if !self.threshold.is_finite() || doc_code.is_empty() {
            return None;
        }
        let doc = base_code(doc_code);
        let mut scores: Vec<(String, f64, Vec<String>)> = Vec::new();
        let mut add = |lang: &str, w: f64, why: String| {
            if base_code(lang) == doc || w <= 0.0 {
                return;
            }
            match scores.iter_mut().find(|(l, _, _)| l == lang) {
                Some((_, s, ev)) => {
                    *s += w;
                    ev.push(why);
                }
                None => scores.push((lang.to_string(), w, vec![why])),
            }
        };

        // 1. Quote marks foreign to the document language.
        let scan = crate::engine::text::truncate(body, MAX_SCAN_BYTES);
        if let Some(native) = self.native.get(doc) {
            for (open, close, langs) in &self.quotes {
                if native.contains(open) {
                    continue;
                }
                let pairs = count_pairs(scan, *open, *close);
                if pairs == 0 {
                    continue;
                }
                let w = if pairs >= 2 {
                    self.quote_pairs_more
                } else {
                    self.quote_pair
                };
                for (i, l) in langs.iter().enumerate() {
                    let w = if i == 0 { w } else { w * 0.5 };
                    add(l, w, format!("quote marks {open}…{close} ×{pairs}"));
                }
            }
        }

        // 2. Untranslated labels and credit words among the removed lines.
        for line in removed.iter().take(MAX_REMOVED_LINES) {
            let line = crate::engine::text::truncate(line.trim(), 300).to_lowercase();
            for (label, langs, weight, kind) in &self.labels {
                if starts_with_label(&line, label) {
                    let w = weight / langs.len() as f64;
                    for l in langs {
                        add(l, w, format!("{kind} {label:?}"));
                    }
                }
            }
        }

        // 3. Editor/agency signatures ("vet/dpa") at the end of the body or among removed lines.
        let tail_start = body.len().saturating_sub(MAX_SIGNATURE_TAIL);
        let mut start = tail_start;
        while start < body.len() && !body.is_char_boundary(start) {
            start += 1;
        }
        let tail = body.get(start..).unwrap_or("");
        let mut seen_sig = false;
        for text in std::iter::once(tail).chain(removed.iter().take(MAX_REMOVED_LINES).copied()) {
            for tok in text.split_whitespace() {
                if let Some((sig, lang)) = self.signature_of(tok)
                    && !seen_sig
                {
                    seen_sig = true;
                    add(&lang, self.signature, format!("signature {sig:?}"));
                }
            }
        }

        // 4. Home languages of credited agencies (weak: never enough alone).
        let mut homes: Vec<&str> = Vec::new();
        for h in agencies_home {
            let h = h.trim();
            if !h.is_empty() && !homes.contains(&h) {
                homes.push(h);
                add(h, self.agency_home, format!("agency home {h}"));
            }
        }

        let (lang, score, why) = scores
            .into_iter()
            .filter(|(_, _, ev)| ev.iter().any(|e| !e.starts_with("agency home")))
            .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))?;
        if score >= self.threshold {
            Some((lang, why.join("; ")))
        } else {
            None
        }
    }

    /// "vet/dpa", "mrc/dpa/Reuters" (editor initials, then agencies) or "dpa/lsw" (an agency and
    /// its regional service): the home language of the first agency.
    fn signature_of(&self, tok: &str) -> Option<(String, String)> {
        // Most tokens are plain words: no slash, no signature.
        if !tok.contains('/') {
            return None;
        }
        let tok = tok.trim_matches(|c: char| !c.is_alphanumeric() && c != '/');
        if tok.len() > 32 {
            return None;
        }
        // editor initials are written in lower case ("vet/dpa"); "Krehl/dpa" is a photo credit
        if tok
            .split('/')
            .next()
            .is_some_and(|f| f.chars().any(char::is_uppercase))
        {
            return None;
        }
        let parts: Vec<String> = tok.split('/').map(str::to_lowercase).collect();
        let [first, second, rest @ ..] = parts.as_slice() else {
            return None;
        };
        let short = |s: &str| {
            !s.is_empty() && s.chars().count() <= 5 && s.chars().all(|c| c.is_alphabetic())
        };
        if !short(first) || second.is_empty() || !second.chars().all(|c| c.is_alphabetic()) {
            return None;
        }
        if let Some(lang) = self.signatures.get(first) {
            // agency/agency or agency/regional-service ("dpa/lsw")
            let regional = second.chars().count() <= 3 && rest.is_empty();
            return (self.signatures.contains_key(second) || regional)
                .then(|| (tok.to_string(), lang.clone()));
        }
        self.signatures
            .get(second)
            .map(|lang| (tok.to_string(), lang.clone()))
    }
}

fn base_code(code: &str) -> &str {
    code.split(['-', '_']).next().unwrap_or(code)
}

/// Number of `open … close` pairs in order (a close without an open does not count).
fn count_pairs(text: &str, open: char, close: char) -> usize {
    let mut pairs = 0;
    let mut pending = false;
    for c in text.chars() {
        if c == open && !pending {
            pending = true;
        } else if c == close && pending {
            pairs += 1;
            pending = false;
        } else if c == '\n' {
            // quotes do not span paragraphs in wire copy
            pending = false;
        }
    }
    pairs
}

fn starts_with_label(line: &str, label: &str) -> bool {
    let Some(rest) = line.strip_prefix(label) else {
        return false;
    };
    label.ends_with(':')
        || rest.is_empty()
        || rest.starts_with([' ', ':', '.', '…', '>', '|', '\u{a0}'])
}
