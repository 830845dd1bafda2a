//! Language identification: the document language from a bounded sample of clean body text,
//! per-block languages for long quotes, hint handling and machine-translation suspicion.
//!
//! Built on whatlang (one call per text), restricted to an allow-list of languages a newsroom
//! meets. Where whatlang's pick belongs to a group of confusable languages (da/nb/sv, ru/uk/bg/…),
//! the group is re-scored with cheap evidence kept as data in `rules/langid.toml`: marker letters,
//! letter sequences and frequent function words. See `docs/language-id.md`.

mod evidence;
mod translation;

use super::article::Language;
use evidence::{Evidence, Params, token_stream, truncate};
use translation::Translation;

/// One candidate language with its score, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub code: String,
    pub name: String,
    pub score: f64,
}

/// The answer of the detector for one text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detection {
    pub language: Language,
    pub candidates: Vec<Candidate>,
    /// The caller's hint was set and clear evidence overrode it.
    pub hint_overridden: bool,
}

/// The detector, built once at start-up from `rules/langid.toml`.
#[derive(Debug)]
pub struct Detector {
    /// whatlang restricted to the allowed languages it models.
    main: whatlang::Detector,
    /// Allowed whatlang languages, in whatlang order.
    allow: Vec<whatlang::Lang>,
    /// Allowed codes (answers), sorted.
    codes: Vec<String>,
    /// For the runner-up of a text outside every group: the allow-list minus one language.
    without: Vec<(whatlang::Lang, whatlang::Detector)>,
    evidence: Evidence,
    translation: Translation,
    params: Params,
}

/// Blocks shorter than this (in letters) never get a language of their own.
const MIN_BLOCK_LETTERS: usize = 80;
/// At most this many blocks, and this many bytes per block, are examined by `block_languages`.
const MAX_BLOCKS_EXAMINED: usize = 64;
const MAX_BLOCK_BYTES: usize = 1024;
const MAX_BLOCKS_TOTAL_BYTES: usize = 32 * 1024;

/// ISO 639-1 code of a whatlang language where one exists, else its ISO 639-3 code.
pub fn iso_code(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Nld => "nl",
        Por => "pt",
        Pol => "pl",
        Rus => "ru",
        Ukr => "uk",
        Tur => "tr",
        Ara => "ar",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Ces => "cs",
        Ell => "el",
        Hun => "hu",
        Ron => "ro",
        Pes => "fa",
        Heb => "he",
        Hin => "hi",
        Ind => "id",
        Afr => "af",
        Aze => "az",
        Bel => "be",
        Bul => "bg",
        Ben => "bn",
        Cat => "ca",
        Cym => "cy",
        Epo => "eo",
        Est => "et",
        Fin => "fi",
        Guj => "gu",
        Hrv => "hr",
        Hye => "hy",
        Kat => "ka",
        Lat => "la",
        Lit => "lt",
        Lav => "lv",
        Mkd => "mk",
        Mar => "mr",
        Pan => "pa",
        Slk => "sk",
        Slv => "sl",
        Sna => "sn",
        Srp => "sr",
        Tam => "ta",
        Tel => "te",
        Tha => "th",
        Tgl => "tl",
        Urd => "ur",
        Vie => "vi",
        Zul => "zu",
        Yid => "yi",
        Amh => "am",
        Jav => "jv",
        Kan => "kn",
        Uzb => "uz",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Aka => "ak",
        Tuk => "tk",
    }
}

/// Whether `code` is shaped like a language code (ISO 639-1 or 639-3, optionally with a region).
pub fn is_language_code(code: &str) -> bool {
    let base = code.split(['-', '_']).next().unwrap_or("");
    (2..=3).contains(&base.len()) && base.chars().all(|c| c.is_ascii_alphabetic())
}

/// The whatlang language for an ISO 639-1 or ISO 639-3 code (case-insensitive).
pub(crate) fn lang_from_code(code: &str) -> Option<whatlang::Lang> {
    let c = code.trim().to_ascii_lowercase();
    if c.is_empty() {
        return None;
    }
    whatlang::Lang::all()
        .iter()
        .copied()
        .find(|l| iso_code(*l) == c || l.code() == c)
}

/// The default allow-list when `rules/langid.toml` gives none: every whatlang language but
/// Turkmen, Javanese and Akan.
fn default_allow() -> Vec<String> {
    whatlang::Lang::all()
        .iter()
        .copied()
        .filter(|l| {
            !matches!(
                l,
                whatlang::Lang::Tuk | whatlang::Lang::Jav | whatlang::Lang::Aka
            )
        })
        .map(|l| iso_code(l).to_string())
        .collect()
}

/// A normalised hint: the code to answer, its evidence index, its English name.
#[derive(Debug, Clone)]
struct Hint {
    code: String,
    evidence: Option<usize>,
    name: String,
    script: Option<String>,
}

/// Number of alphabetic characters in `text`.
fn letter_count(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Base-2 softmax of `totals` (best first): probabilities in the same order.
fn softmax2(totals: &[f64]) -> Vec<f64> {
    let Some(&top) = totals.first() else {
        return Vec::new();
    };
    let w: Vec<f64> = totals.iter().map(|t| (t - top).exp2()).collect();
    let sum: f64 = w.iter().sum();
    if sum > 0.0 && sum.is_finite() {
        w.iter().map(|x| x / sum).collect()
    } else {
        vec![0.0; totals.len()]
    }
}

impl Detector {
    /// Builds the detector from the text of `rules/langid.toml`. An empty file gives the default
    /// allow-list and no evidence.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let file: evidence::File = if text.trim().is_empty() {
            evidence::File::default()
        } else {
            toml::from_str(text).map_err(|e| e.to_string())?
        };
        let params = file.params.clone();
        for (name, v) in [
            ("word", params.word),
            ("letter", params.letter),
            ("affix", params.affix),
            ("prior_base", params.prior_base),
            ("prior_confidence", params.prior_confidence),
            ("hint", params.hint),
            ("extra_margin", params.extra_margin),
            ("reliable_margin", params.reliable_margin),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("[params] {name} must be a finite number ≥ 0, not {v}"));
            }
        }
        if params.max_bytes < 64 {
            return Err(format!(
                "[params] max_bytes must be at least 64, not {}",
                params.max_bytes
            ));
        }
        let allowed_keys: Vec<String> = match &file.allow {
            Some(a) => a.languages.iter().map(|s| s.trim().to_string()).collect(),
            None => default_allow(),
        };
        let evidence = Evidence::compile(&file, &allowed_keys, &params)?;
        let mut allow: Vec<whatlang::Lang> = Vec::new();
        let mut codes: Vec<String> = Vec::new();
        for key in &allowed_keys {
            if let Some(i) = evidence.index_of_key(key) {
                let l = &evidence.langs[i];
                codes.push(l.code.clone());
                if let Some(wl) = l.whatlang {
                    allow.push(wl);
                }
                continue;
            }
            match lang_from_code(key) {
                Some(wl) => {
                    allow.push(wl);
                    codes.push(iso_code(wl).to_string());
                }
                None => {
                    return Err(format!(
                        "[allow] languages names {key:?}, which is neither a whatlang language nor a [lang.{key}] section"
                    ));
                }
            }
        }
        allow.sort_by_key(|l| l.code());
        allow.dedup();
        if allow.is_empty() {
            return Err("[allow] languages names no language whatlang models".into());
        }
        codes.sort();
        codes.dedup();
        let without = allow
            .iter()
            .map(|&l| {
                let rest: Vec<whatlang::Lang> = allow.iter().copied().filter(|&x| x != l).collect();
                (l, whatlang::Detector::with_allowlist(rest))
            })
            .collect();
        let translation = Translation::compile(file.translation.as_ref())?;
        Ok(Detector {
            main: whatlang::Detector::with_allowlist(allow.clone()),
            allow,
            codes,
            without,
            evidence,
            translation,
            params,
        })
    }

    /// Codes of every language this detector may answer.
    pub fn languages(&self) -> Vec<String> {
        self.codes.clone()
    }

    /// The language of `text`; `hint` decides where the text is too short or ambiguous and is
    /// overridden only by a reliable answer (then `hint_overridden`). At most `max_bytes` of the
    /// text are read.
    pub fn detect(&self, text: &str, hint: Option<&str>) -> Detection {
        let text = truncate(text, self.params.max_bytes);
        let hint = hint.and_then(|h| self.normalise_hint(h));
        let det = self.detect_raw(text, hint.as_ref().and_then(|h| h.evidence), true);
        apply_hint(det, hint)
    }

    /// Document language from the clean body blocks, in order, on a sample of at most
    /// `sample_bytes` (the longest blocks first, then put back in document order).
    pub fn detect_document(
        &self,
        blocks: &[&str],
        hint: Option<&str>,
        sample_bytes: usize,
    ) -> Detection {
        let budget = if sample_bytes == 0 {
            4096
        } else {
            sample_bytes.min(self.params.max_bytes.max(64))
        };
        let sample = build_sample(blocks, budget);
        self.detect(&sample, hint)
    }

    /// Per block: `Some(language)` only where a block is long enough and reliably in another
    /// language than `doc`. At most 64 blocks and 32 KB are examined, 1 KB of each.
    pub fn block_languages(&self, doc: &Language, blocks: &[&str]) -> Vec<Option<Language>> {
        let mut out = vec![None; blocks.len()];
        if doc.code.is_empty() || doc.code == "und" {
            return out;
        }
        let doc_group = self
            .normalise_hint(&doc.code)
            .and_then(|h| h.evidence)
            .map(|i| self.evidence.langs[i].group_mask)
            .unwrap_or(0);
        let mut examined = 0usize;
        let mut bytes = 0usize;
        for (i, block) in blocks.iter().enumerate() {
            if examined >= MAX_BLOCKS_EXAMINED || bytes >= MAX_BLOCKS_TOTAL_BYTES {
                break;
            }
            if block.len() < MIN_BLOCK_LETTERS {
                continue;
            }
            let t = truncate(block, MAX_BLOCK_BYTES);
            if letter_count(t) < MIN_BLOCK_LETTERS {
                continue;
            }
            examined += 1;
            bytes += t.len();
            let det = self.detect_raw(t, None, false);
            let lang = det.language;
            if !lang.reliable || lang.code == doc.code || lang.code == "und" {
                continue;
            }
            // A neighbour of the document language (da in nb copy) needs stronger evidence.
            let same_group = self
                .normalise_hint(&lang.code)
                .and_then(|h| h.evidence)
                .is_some_and(|j| doc_group & (1u64 << j) != 0);
            if same_group && lang.confidence < 0.98 {
                continue;
            }
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(lang);
            }
        }
        out
    }

    /// Machine-translation suspicion: the suspected source language code and the evidence.
    pub fn suspect_translation(
        &self,
        doc_code: &str,
        body: &str,
        removed: &[&str],
        agencies_home: &[&str],
    ) -> Option<(String, String)> {
        self.translation
            .suspect(doc_code, body, removed, agencies_home)
    }

    /// Raw whatlang restricted to the allow-list (for the benchmark and diagnostics).
    pub fn whatlang_only(&self, text: &str) -> Option<whatlang::Info> {
        self.main.detect(text)
    }

    fn normalise_hint(&self, hint: &str) -> Option<Hint> {
        let h = hint.trim();
        if h.is_empty() || !is_language_code(h) {
            return None;
        }
        let lower = h.to_ascii_lowercase().replace('_', "-");
        let base = lower.split('-').next().unwrap_or("");
        let key = if lower.starts_with("sr-latn") {
            "sr-Latn"
        } else {
            match base {
                "no" | "nob" => "nb",
                "nno" => "nn",
                "msa" | "zsm" | "may" => "ms",
                "glg" => "gl",
                other => other,
            }
        };
        if let Some(i) = self.evidence.index_of_key(key) {
            let l = &self.evidence.langs[i];
            return Some(Hint {
                code: l.code.clone(),
                evidence: Some(i),
                name: l.name.clone(),
                script: l.script.clone(),
            });
        }
        if let Some(wl) = lang_from_code(key) {
            return Some(Hint {
                code: iso_code(wl).to_string(),
                evidence: self.evidence.index_of_whatlang(wl),
                name: wl.eng_name().to_string(),
                script: None,
            });
        }
        Some(Hint {
            code: key.to_string(),
            evidence: None,
            name: String::new(),
            script: None,
        })
    }

    /// whatlang, then the group evidence. `want_runner_up` allows a second whatlang call (without
    /// the top pick) for the candidates of an unreliable text outside every group.
    fn detect_raw(&self, text: &str, hint: Option<usize>, want_runner_up: bool) -> Detection {
        let Some(info) = self.main.detect(text) else {
            return Detection {
                language: Language {
                    code: "und".into(),
                    ..Language::default()
                },
                ..Detection::default()
            };
        };
        let top = info.lang();
        let c = info.confidence().clamp(0.0, 1.0);
        let script = info.script().name().to_string();
        if let Some(ti) = self.evidence.index_of_whatlang(top)
            && self.evidence.langs[ti].group_mask != 0
        {
            let (stream, letters) = token_stream(text, self.params.max_bytes);
            if let Some(gs) = self
                .evidence
                .resolve(&stream, ti, c, hint, &self.params)
            {
                let totals: Vec<f64> = gs.ranked.iter().map(|r| r.1).collect();
                let probs = softmax2(&totals);
                let margin = match totals.as_slice() {
                    [a, b, ..] => a - b,
                    _ => f64::INFINITY,
                };
                let (ai, _) = gs.ranked[0];
                let a = &self.evidence.langs[ai];
                let confidence = probs.first().copied().unwrap_or(0.0);
                let reliable = margin >= self.params.reliable_margin
                    && letters >= self.params.min_reliable_letters_group;
                let candidates = gs
                    .ranked
                    .iter()
                    .zip(&probs)
                    .take(3)
                    .map(|(&(i, _), &p)| Candidate {
                        code: self.evidence.langs[i].code.clone(),
                        name: self.evidence.langs[i].name.clone(),
                        score: p,
                    })
                    .collect();
                return Detection {
                    language: Language {
                        code: a.code.clone(),
                        name: a.name.clone(),
                        script: a.script.clone().unwrap_or(script),
                        confidence,
                        reliable,
                    },
                    candidates,
                    hint_overridden: false,
                };
            }
        }
        // Outside every group: whatlang's answer; its confidence (the relative lead over the
        // runner-up, 0..1) maps to a two-way share 0.5..1.
        let confidence = 0.5 + 0.5 * c;
        let reliable =
            info.is_reliable() && letter_count(text) >= self.params.min_reliable_letters;
        let mut candidates = vec![Candidate {
            code: iso_code(top).to_string(),
            name: top.eng_name().to_string(),
            score: confidence,
        }];
        if want_runner_up
            && !info.is_reliable()
            && let Some((_, d)) = self.without.iter().find(|(l, _)| *l == top)
            && let Some(second) = d.detect(text)
        {
            candidates.push(Candidate {
                code: iso_code(second.lang()).to_string(),
                name: second.lang().eng_name().to_string(),
                score: 1.0 - confidence,
            });
        }
        Detection {
            language: Language {
                code: iso_code(top).to_string(),
                name: top.eng_name().to_string(),
                script,
                confidence,
                reliable,
            },
            candidates,
            hint_overridden: false,
        }
    }
}

/// The hint decides unless the detection is reliable; a reliable different answer overrides it.
fn apply_hint(mut det: Detection, hint: Option<Hint>) -> Detection {
    let Some(h) = hint else {
        return det;
    };
    if det.language.code == h.code {
        return det;
    }
    if det.language.reliable {
        det.hint_overridden = true;
        return det;
    }
    let score = det
        .candidates
        .iter()
        .find(|c| c.code == h.code)
        .map_or(0.5, |c| c.score.max(0.5));
    det.language = Language {
        code: h.code,
        name: h.name,
        script: h.script.unwrap_or(det.language.script),
        confidence: score,
        reliable: false,
    };
    det
}

/// A sample of at most `budget` bytes: the longest blocks first (ties: the first), cut at a
/// character boundary, then joined in document order.
fn build_sample(blocks: &[&str], budget: usize) -> String {
    let mut order: Vec<usize> = (0..blocks.len())
        .filter(|&i| !blocks[i].trim().is_empty())
        .collect();
    order.sort_by(|&a, &b| blocks[b].len().cmp(&blocks[a].len()).then(a.cmp(&b)));
    let mut chosen: Vec<(usize, &str)> = Vec::new();
    let mut used = 0usize;
    for i in order {
        if used >= budget {
            break;
        }
        let b = blocks[i].trim();
        let room = budget - used;
        let part = if b.len() <= room {
            b
        } else {
            if room < 64 && !chosen.is_empty() {
                break;
            }
            let cut = truncate(b, room);
            // end at a word boundary where one is near
            match cut.rfind(char::is_whitespace) {
                Some(p) if p > cut.len() / 2 => &cut[..p],
                _ => cut,
            }
        };
        used += part.len() + 1;
        chosen.push((i, part));
    }
    chosen.sort_by_key(|&(i, _)| i);
    let mut out = String::with_capacity(used);
    for (n, (_, p)) in chosen.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(p);
    }
    out
}
