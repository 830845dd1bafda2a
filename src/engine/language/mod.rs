//! Language identification: the document language from a bounded sample of clean body text,
//! per-block languages for long quotes, hint handling and machine-translation suspicion.
//!
//! Built on whatlang (one call per text), restricted to an allow-list of languages a newsroom
//! meets. Where whatlang's pick belongs to a group of confusable languages (da/nb/sv, ru/uk/bg/…),
//! the group is re-scored with cheap evidence kept as data in `rules/langid.toml`: marker letters,
//! letter sequences and frequent function words. See `docs/language-id.md`.

mod evidence;
mod mojibake;
mod translation;

use super::article::Language;
use super::text::truncate;
use evidence::{Evidence, Params, token_stream};
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
    // BCP 47 shape: a 2–3 letter primary subtag, then subtags of 1–8 letters or digits
    // ("de", "pt-BR", "sr-Latn", "zh_Hant").
    let mut subtags = code.split(['-', '_']);
    let primary = subtags.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && subtags
            .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()))
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

/// Whether whatlang counts `c` as a Latin letter (ASCII, Latin-1 and the Latin Extended blocks).
fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

/// The words of `text` not written in the Latin script, joined by spaces, when they outnumber
/// its Latin-script words; else None.
///
/// A word is a run of word characters with at least one letter; its script is that of its first
/// letter. Words, not letters, are compared because scripts spend different numbers of letters on
/// a word (Arabic-script Urdu and Persian leave short vowels unwritten, so an Urdu sentence has
/// fewer letters than the same number of English words), and because the Latin-script parts of
/// such copy are typically names, headers, navigation and brand names rather than prose.
fn non_latin_majority(text: &str) -> Option<String> {
    let mut latin = 0usize;
    let mut other = 0usize;
    let mut out = String::new();
    for word in text.split(|c: char| !evidence::is_word_char(c)) {
        let Some(first) = word.chars().find(|c| c.is_alphabetic()) else {
            continue;
        };
        if is_latin_letter(first) {
            latin += 1;
        } else {
            other += 1;
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    (other > latin).then_some(out)
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
            ("broad_below", params.broad_below),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "[params] {name} must be a finite number ≥ 0, not {v}"
                ));
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
            main: whatlang::Detector::with_allowlist(allow),
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
        // Turkish in Windows-1254 read as Windows-1252 (ı ş ğ shown as ý þ ð): when the text
        // shows those letters where no answerable language writes them and whatlang reads the
        // repaired text as Turkish (or Azerbaijani), the rest of the detection uses that text
        // (see `mojibake`).
        let repaired;
        let mut text = text;
        let mut first = None;
        if mojibake::looks_like_turkish_as_latin1(text) {
            let fixed = mojibake::undo_turkish_as_latin1(text);
            if let Some(i) = self.main.detect(&fixed)
                && matches!(i.lang(), whatlang::Lang::Tur | whatlang::Lang::Aze)
            {
                repaired = fixed;
                text = &repaired;
                first = Some(i);
            }
        }
        let Some(mut info) = first.or_else(|| self.main.detect(text)) else {
            return Detection {
                language: Language {
                    code: "und".into(),
                    ..Language::default()
                },
                ..Detection::default()
            };
        };
        // whatlang picks the script with the most letters. In a text that mixes Latin with
        // another script, the other script's words decide when they are the majority (see
        // `non_latin_majority`); the rest of the detection then runs on those words only.
        let reduced;
        if info.script() == whatlang::Script::Latin
            && !text.is_ascii()
            && let Some(other) = non_latin_majority(text)
            && let Some(other_info) = self.main.detect(&other)
            && other_info.script() != whatlang::Script::Latin
        {
            reduced = other;
            text = &reduced;
            info = other_info;
        }
        let top = info.lang();
        let c = info.confidence().clamp(0.0, 1.0);
        let script = info.script().name().to_string();
        if let Some(ti) = self.evidence.index_of_whatlang(top)
            && (self.evidence.langs[ti].group_mask != 0 || c < self.params.broad_below)
        {
            let (stream, letters) = token_stream(text, self.params.max_bytes);
            if let Some(gs) = self.evidence.resolve(&stream, ti, c, hint, &self.params) {
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
        let reliable = info.is_reliable() && letter_count(text) >= self.params.min_reliable_letters;
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

/// Below this many characters a sample is too short to call "no language".
const PLAUSIBLE_MIN_CHARS: usize = 200;
/// Space-separated tokens longer than this on average are no words (hex, base64, minified data).
const PLAUSIBLE_MAX_MEAN_WORD_CHARS: usize = 25;
/// With at least this many words, a text in a language has some of its function words.
const PLAUSIBLE_MIN_WORDS: usize = 40;
/// Share of function words (percent) below which the words are no language: prose has 20–50 %,
/// even a list of headlines or names some; random letters and identifiers none.
const PLAUSIBLE_MIN_STOP_PERCENT: u8 = 2;

/// Why a text that a detector gave a language is no language at all, if it is not: tokens far
/// too long for words (hex dumps, base64, minified data), or words without a single function
/// word of the language (random letters, identifiers). Scripts written without spaces are
/// judged by the stop-word share only. `stop_share` gives the share (percent) of a text's words
/// that are stop words of the detected language, where it has a list that says so.
pub fn not_language(sample: &str, stop_share: Option<impl FnOnce(&str) -> u8>) -> Option<String> {
    let chars = sample.chars().filter(|c| !c.is_whitespace()).count();
    if chars < PLAUSIBLE_MIN_CHARS {
        return None;
    }
    let unspaced = sample
        .chars()
        .filter(|&c| super::types::is_cjk_letter(c))
        .count();
    let tokens = sample.split_whitespace().count().max(1);
    if unspaced * 10 < chars * 3 && chars / tokens > PLAUSIBLE_MAX_MEAN_WORD_CHARS {
        return Some(format!(
            "the text reads as no language: {chars} characters in {tokens} space-separated tokens (hex, base64 or other data?)"
        ));
    }
    let stop_share = stop_share?;
    let words = sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .count();
    if unspaced * 10 < chars * 3 && words < PLAUSIBLE_MIN_WORDS {
        return None;
    }
    let share = stop_share(sample);
    (share < PLAUSIBLE_MIN_STOP_PERCENT).then(|| {
        format!(
            "the text reads as no language: {share}% of its words are function words of the detected language (prose has 20–50 %)"
        )
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn data_and_random_letters_read_as_no_language_but_prose_and_lists_do() {
        let rules = crate::rules::test_rules();
        let stop = rules.language("de").and_then(|l| l.stop_words.as_ref());
        let de = || stop.map(|s| |t: &str| s.share(t));
        let hex: String = (0..400).map(|i| format!("{:02x}", i * 37 % 256)).collect();
        let none = None::<fn(&str) -> u8>;
        assert!(not_language(&hex, none).is_some_and(|w| w.contains("tokens")));
        let base64 =
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\n".repeat(8);
        assert!(not_language(&base64, none).is_some());
        let mut x = 7u32;
        let letters: Vec<String> = (0..120)
            .map(|_| {
                (0..(3 + x % 7))
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        char::from(b'a' + (x >> 16) as u8 % 26)
                    })
                    .collect()
            })
            .collect();
        assert!(
            not_language(&letters.join(" "), de()).is_some_and(|w| w.contains("function words"))
        );
        let prose = "Der Stadtrat hat am Mittwoch den Bau neuer Radwege beschlossen. Die Arbeiten \
                     sollen im Mai beginnen und bis zum Herbst dauern, sagte die Bürgermeisterin. \
                     Für die Anwohner gibt es während der Bauzeit eine Umleitung über die Hauptstraße. \
                     Die Kosten von rund zwei Millionen Euro trägt zum Teil das Land.";
        assert_eq!(not_language(prose, de()), None);
        // Headlines, names and a short text are no evidence of "no language".
        let teasers = "Stadtrat beschließt neue Radwege in der Innenstadt\nBürgermeisterin eröffnet den Wochenmarkt am Rathaus\nFeuerwehr löscht Brand in einer Lagerhalle im Hafen\nNeues Hallenbad soll im Herbst öffnen\nVerkehr: Umleitung wegen Bauarbeiten an der Brücke\nSchule bekommt eine neue Turnhalle für die Vereine";
        assert_eq!(not_language(teasers, de()), None);
        assert_eq!(not_language("x7f3a9", de()), None);
    }

    const RULES: &str = include_str!("../../../rules/langid.toml");

    fn det() -> Detector {
        Detector::from_toml(RULES).expect("rules/langid.toml must load")
    }

    fn code(d: &Detector, text: &str) -> String {
        d.detect(text, None).language.code
    }

    #[test]
    fn the_shipped_rules_load_and_exclude_turkmen() {
        let d = det();
        let langs = d.languages();
        for c in [
            "en", "de", "nb", "da", "sv", "uk", "ru", "sr", "hr", "ms", "nn", "gl",
        ] {
            assert!(langs.contains(&c.to_string()), "{c} missing");
        }
        for c in ["tk", "jv", "ak"] {
            assert!(!langs.contains(&c.to_string()), "{c} must not be answered");
        }
    }

    #[test]
    fn an_empty_file_gives_the_default_detector() {
        let d = Detector::from_toml("").expect("empty file");
        assert_eq!(
            code(
                &d,
                "The council approved the new budget on Tuesday evening."
            ),
            "en"
        );
        assert!(!d.languages().contains(&"tk".to_string()));
    }

    #[test]
    fn bad_data_is_refused_with_a_message_naming_the_problem() {
        let cases = [
            ("[allow]\nlanguages = [\"en\", \"xx\"]\n", "xx"),
            ("[allow]\nlanguages = [\"en\"]\n[bogus]\nx = 1\n", "bogus"),
            (
                "[allow]\nlanguages = [\"en\"]\n[[group]]\nname = \"g\"\nlanguages = [\"da\", \"nb\"]\n",
                "da",
            ),
            (
                "[allow]\nlanguages = [\"en\"]\n[lang.qq]\nwords = [\"a\"]\n",
                "qq",
            ),
            (
                "[allow]\nlanguages = [\"en\"]\n[lang.nn]\nextra = true\nwords = [\"eg\"]\n",
                "name",
            ),
            (
                "[allow]\nlanguages = [\"en\"]\n[params]\nprior_base = -1.0\n",
                "prior_base",
            ),
            (
                "[allow]\nlanguages = [\"en\"]\n[translation]\n[[translation.quotes]]\nopen = \"<<\"\nclose = \">\"\nlanguages = [\"fr\"]\n",
                "<<",
            ),
        ];
        for (text, needle) in cases {
            match Detector::from_toml(text) {
                Ok(_) => panic!("accepted bad data: {text}"),
                Err(e) => assert!(e.contains(needle), "{e:?} does not name {needle:?}"),
            }
        }
    }

    #[test]
    fn clear_sentences_are_right_and_reliable() {
        let d = det();
        let cases = [
            (
                "en",
                "The harbour board approved a reduced winter timetable for the island ferry on Monday.",
            ),
            (
                "de",
                "Der Stadtrat hat am Dienstag den neuen Haushalt für das kommende Jahr beschlossen.",
            ),
            (
                "fr",
                "Le conseil municipal a adopté mardi soir le budget de la ville pour l'année prochaine.",
            ),
            (
                "tr",
                "Belediye meclisi salı akşamı gelecek yılın bütçesini oy birliğiyle kabul etti.",
            ),
        ];
        for (want, text) in cases {
            let r = d.detect(text, None);
            assert_eq!(r.language.code, want, "{text}");
            assert!(r.language.reliable, "{text}");
            assert!((0.0..=1.0).contains(&r.language.confidence));
            assert_eq!(r.candidates.first().map(|c| c.code.as_str()), Some(want));
        }
    }

    #[test]
    fn turkish_is_never_turkmen() {
        let d = det();
        for text in [
            "Merhaba dünya",
            "bugün hava çok güzel",
            "Türkiye ekonomisi büyüdü",
        ] {
            assert_ne!(code(&d, text), "tk", "{text}");
        }
    }

    #[test]
    fn confusable_groups_are_resolved_by_marker_letters_and_function_words() {
        let d = det();
        let cases = [
            (
                "uk",
                "Уряд ухвалив рішення про підвищення пенсій, які отримують їхні батьки.",
            ),
            (
                "ru",
                "Правительство приняло решение о повышении пенсий, которые получают их родители.",
            ),
            (
                "bg",
                "Правителството взе решение за увеличаване на пенсиите, които получават техните родители.",
            ),
            (
                "sr",
                "Влада је донела одлуку о повећању пензија које добијају њихови родитељи.",
            ),
            (
                "mk",
                "Владата донесе одлука за зголемување на пензиите што ги добиваат нивните родители.",
            ),
            (
                "da",
                "Regeringen har besluttet, at pensionerne skal hæves, og det glæder mange af de ældre.",
            ),
            (
                "nb",
                "Regjeringen har bestemt at pensjonene skal økes, og det gleder mange av de eldre.",
            ),
            (
                "sv",
                "Regeringen har beslutat att pensionerna ska höjas, och det gläder många av de äldre.",
            ),
            (
                "nl",
                "De regering heeft besloten dat de pensioenen worden verhoogd, wat veel ouderen blij maakt.",
            ),
            (
                "af",
                "Die regering het besluit dat die pensioene verhoog word, wat baie ouer mense bly maak.",
            ),
            (
                "ca",
                "El govern ha decidit que les pensions s'apujaran, i això alegra molts dels avis.",
            ),
            (
                "es",
                "El gobierno ha decidido que las pensiones subirán, y eso alegra a muchos de los mayores.",
            ),
            (
                "pt",
                "O governo decidiu que as pensões vão subir, e isso alegra muitos dos mais velhos.",
            ),
            (
                "cs",
                "Vláda rozhodla, že se důchody zvýší, což potěší mnoho starších lidí.",
            ),
            (
                "sk",
                "Vláda rozhodla, že sa dôchodky zvýšia, čo poteší mnohých starších ľudí.",
            ),
            (
                "sl",
                "Vlada je sklenila, da se bodo pokojnine zvišale, kar bo razveselilo veliko starejših.",
            ),
            (
                "hr",
                "Vlada je odlučila da će se mirovine povećati, što će razveseliti mnoge starije građane.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
    }

    #[test]
    fn a_short_text_takes_the_hint_and_a_clear_one_overrides_it() {
        let d = det();
        let r = d.detect("Berlin", Some("de"));
        assert_eq!(r.language.code, "de");
        assert!(!r.hint_overridden);
        assert!(!r.language.reliable);

        let r = d.detect(
            "The harbour board approved a reduced winter timetable for the island ferry on Monday.",
            Some("de"),
        );
        assert_eq!(r.language.code, "en");
        assert!(r.hint_overridden);

        // hint in the same group decides an ambiguous Scandinavian line
        let r = d.detect("Han vil komme i morgen", Some("nb"));
        assert_eq!(r.language.code, "nb");
        assert!(!r.hint_overridden);

        // regional and three-letter hints are normalised
        assert_eq!(d.detect("ok", Some("de-AT")).language.code, "de");
        assert_eq!(d.detect("ok", Some("nob")).language.code, "nb");
        assert_eq!(d.detect("ok", Some("no")).language.code, "nb");
    }

    #[test]
    fn no_letters_gives_und_or_the_hint() {
        let d = det();
        let r = d.detect("12:30 -- 4,5 %", None);
        assert_eq!(r.language.code, "und");
        assert_eq!(r.language.confidence, 0.0);
        assert_eq!(d.detect("", Some("fr")).language.code, "fr");
    }

    #[test]
    fn the_document_sample_is_bounded_and_prefers_long_blocks() {
        let para = "The council approved the new budget after a long debate about schools, roads and the harbour. ";
        let long = para.repeat(20);
        let blocks: Vec<&str> = std::iter::repeat_n(long.as_str(), 500).collect(); // ~1 MB
        let sample = build_sample(&blocks, 4096);
        assert!(sample.len() <= 4096, "{}", sample.len());
        assert!(sample.len() > 3000);

        let blocks = ["Short", "A much longer paragraph here", "Mid block"];
        assert_eq!(build_sample(&blocks, 30), "A much longer paragraph here");
        assert_eq!(
            build_sample(&blocks, 1000),
            "Short\nA much longer paragraph here\nMid block"
        );
        assert_eq!(build_sample(&[], 100), "");

        let d = det();
        let story = [
            "The harbour board has approved a reduced winter timetable for the island ferry, which will now sail four times a day instead of six.",
            "Freight bookings will not be affected by the new timetable, the board said in a statement released on Thursday afternoon.",
            "Islanders had asked for an early morning crossing so that pupils can reach the school on the mainland before the first lesson.",
        ];
        let r = d.detect_document(&story, None, 4096);
        assert_eq!(r.language.code, "en");
        assert!(r.language.reliable);
    }

    #[test]
    fn a_headline_takes_the_document_hint_unless_reliably_different() {
        let d = det();
        let r = d.detect_document(&["Sturm über Hamburg"], Some("de"), 4096);
        assert_eq!(r.language.code, "de");
        let r = d.detect_document(&["OK"], Some("en"), 4096);
        assert_eq!(r.language.code, "en");
        assert!(!r.hint_overridden);
    }

    #[test]
    fn a_long_quote_in_another_language_gets_its_own_language() {
        let d = det();
        let en = "The mayor said the ferry would keep running through the winter, although with fewer crossings on weekdays and none at night.";
        let en2 = "Islanders had asked for an early morning crossing so that pupils can reach the school on the mainland before the first lesson starts.";
        let en3 = "Freight bookings will not be affected by the new timetable, the harbour board said in a statement released on Thursday afternoon.";
        let de = "„Wir werden alles tun, damit die Fähre auch im Winter fährt, aber wir müssen an den Wochentagen sparen und nachts ganz auf Fahrten verzichten“, sagte er.";
        let short = "Bonjour à tous.";
        let blocks = [en, de, short, en2, en3];
        let doc = d.detect_document(&blocks, None, 4096).language;
        assert_eq!(doc.code, "en");
        let per = d.block_languages(&doc, &blocks);
        assert_eq!(per.len(), 5);
        assert!(per[0].is_none() && per[2].is_none() && per[3].is_none() && per[4].is_none());
        assert_eq!(per[1].as_ref().map(|l| l.code.as_str()), Some("de"));
        // no document language: nothing
        let und = Language {
            code: "und".into(),
            ..Language::default()
        };
        assert!(d.block_languages(&und, &[de]).iter().all(Option::is_none));
    }

    #[test]
    fn translation_suspicion_needs_clear_traces() {
        let d = det();
        let clean =
            "“We finally have planning security,” the minister said. “It is a fair compromise.”";
        assert_eq!(d.suspect_translation("en", clean, &[], &[]), None);
        assert_eq!(
            d.suspect_translation("en", clean, &["Photo: Reuters"], &["fr"]),
            None
        );

        let quotes = "The minister spoke of a „painful but fair compromise“. „We finally have planning security,“ she said.";
        let (lang, why) = d
            .suspect_translation("en", quotes, &[], &[])
            .expect("German quote marks twice");
        assert_eq!(lang, "de");
        assert!(why.contains('„'), "{why}");

        let one = "Witnesses described a loud bang: »It felt like an earthquake,« a woman said.\n\nvet/dpa";
        let (lang, why) = d
            .suspect_translation("en", one, &[], &[])
            .expect("quote + signature");
        assert_eq!(lang, "de");
        assert!(why.contains("vet/dpa"), "{why}");

        let (lang, _) = d
            .suspect_translation("en", "Plain English copy.", &["Bild vergrößern"], &[])
            .expect("German UI label");
        assert_eq!(lang, "de");

        // German copy with German quotes is not suspicious
        assert_eq!(
            d.suspect_translation(
                "de",
                "Er sagte: „Das ist gut.“ Und: „Weiter so.“",
                &[],
                &["de"]
            ),
            None
        );
        // word-for-word translated site labels plus a regional dpa service code
        let removed = [
            "Enlarge image",
            "Photo: Jonas Krehl/dpa",
            "Stuttgart (dpa/lsw) -",
        ];
        let (lang, why) = d
            .suspect_translation("en", "Plain English copy.", &removed, &[])
            .expect("calque + signature");
        assert_eq!(lang, "de");
        assert!(why.contains("dpa/lsw"), "{why}");
        let body = "Plain English copy.\n\nmrc/dpa/Reuters";
        assert!(
            d.suspect_translation("en", body, &[], &[]).is_none(),
            "signature alone"
        );
        assert!(
            d.suspect_translation("en", body, &["To the homepage"], &[])
                .is_some()
        );
        // one calque alone is not enough
        assert_eq!(
            d.suspect_translation("en", "Copy.", &["Enlarge image"], &[]),
            None
        );
        // agencies alone never suffice
        assert_eq!(
            d.suspect_translation("en", "Plain copy.", &[], &["de", "fr"]),
            None
        );
    }

    #[test]
    fn codes_and_shapes() {
        assert_eq!(iso_code(whatlang::Lang::Nob), "nb");
        assert_eq!(iso_code(whatlang::Lang::Tuk), "tk");
        assert_eq!(lang_from_code("deu"), Some(whatlang::Lang::Deu));
        assert_eq!(lang_from_code("DE"), Some(whatlang::Lang::Deu));
        assert_eq!(lang_from_code("xx"), None);
        assert!(is_language_code("de") && is_language_code("sr-Latn") && is_language_code("por"));
        assert!(!is_language_code("") && !is_language_code("german") && !is_language_code("d1"));
    }

    #[test]
    fn evidence_only_languages_need_clear_evidence() {
        let d = det();
        // Nynorsk function words throughout
        let nn = "Eg veit ikkje kva dei meiner, men ho seier at det er mykje som må gjerast før vi kan reise heim.";
        assert_eq!(code(&d, nn), "nn");
        // Serbian in Latin script, ekavian
        let sr = "Posle sastanka ministar je takođe rekao da vlada uvek podržava opštine i da je to veoma važno, ali nije rekao šta tačno planira ni gde će novac biti potrošen.";
        let r = d.detect(sr, None);
        assert_eq!(r.language.code, "sr");
        assert_eq!(r.language.script, "Latin");
        // Indonesian stays Indonesian
        let id = "Pemerintah mengatakan bahwa harga bahan bakar tidak akan naik karena anggaran masih cukup.";
        assert_eq!(code(&d, id), "id");
    }

    #[test]
    fn catalan_and_spanish_are_told_apart_by_grammar_words_and_spelling() {
        let d = det();
        let cases = [
            ("ca", "Ahir vam anar a la platja amb els nostres amics."),
            ("ca", "El consell diu que cal fer-ho aviat."),
            ("ca", "La gent d'aquest poble no vol canviar res."),
            (
                "ca",
                "Vostès poden organitzar el viatge d'aquest estiu amb tota la família.",
            ),
            ("es", "Ayer fuimos a la playa con nuestros amigos."),
            ("es", "El consejo dice que hay que hacerlo pronto."),
            ("es", "La gente de este pueblo no quiere cambiar nada."),
            (
                "es",
                "Ustedes pueden organizar el viaje de este verano con toda la familia.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
    }

    #[test]
    fn czech_slovak_slovene_and_croatian_are_told_apart_by_function_words() {
        let d = det();
        let cases = [
            ("cs", "Kdo jsi a proč tady stojíš?"),
            ("sk", "Kto si a prečo tu teraz stojíš?"),
            ("cs", "Jestli pokud nic nepomůže, zatím počkáme."),
            ("sk", "Ak nič nepomôže, zatiaľ počkáme."),
            ("sl", "Kdo je danes zaradi dežja ostal doma?"),
            ("hr", "Tko je danas zbog kiše ostao doma?"),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
    }

    #[test]
    fn more_neighbours_are_told_apart_by_grammar_words_letters_and_endings() {
        let d = det();
        let cases = [
            // Swedish finns/enligt/fortfarande, no ä or ö
            (
                "sv",
                "Det finns enligt polisen fortfarande inga spår efter honom.",
            ),
            // Russian и and -ть (Belarusian і, -ць)
            ("ru", "Никто не хотел говорить о них."),
            // Romanian typed without diacritics
            (
                "ro",
                "Acum este foarte greu sa gasesti o solutie pentru toate problemele noastre.",
            ),
            // Esperanto kv, tra, per
            ("eo", "La kvar infanoj iris tra la urbo kun siaj gepatroj."),
            // Afrikaans 'n typed with an acute accent
            ("af", "Hy het ´n nuwe motor vir sy vrou gekoop."),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
    }

    #[test]
    fn a_mixed_script_text_goes_to_the_script_of_most_words() {
        let d = det();
        // Urdu copy under English site navigation: more letters are Latin, most words are Urdu
        let ur = "Home News Sports Contact Us Breaking News Latest Updates حکومت نے اعلان کیا ہے کہ اگلے ہفتے سے بجلی کی قیمتوں میں کمی کی جائے گی";
        let r = d.detect(ur, None);
        assert_eq!(r.language.code, "ur");
        assert_eq!(r.language.script, "Arabic");
        let blocks = [ur, ur];
        assert_eq!(d.detect_document(&blocks, None, 4096).language.code, "ur");
        // English prose quoting one Urdu word stays English
        let en =
            "The minister said that the word حکومت simply means government, and the crowd cheered.";
        assert_eq!(code(&d, en), "en");
        assert_eq!(non_latin_majority(en), None);
        assert_eq!(
            non_latin_majority("Read More حکومت نے اعلان کیا").as_deref(),
            Some("حکومت نے اعلان کیا")
        );
        assert_eq!(non_latin_majority("Only Latin words here"), None);
    }

    #[test]
    fn serbian_and_macedonian_pairs_of_everyday_words() {
        let d = det();
        let cases = [
            (
                "sr",
                "Данас смо сви тамо, али он ипак није дошао због кише.",
            ),
            (
                "mk",
                "Денес сите сме таму, но тој сепак не дојде поради дождот.",
            ),
            (
                "sr",
                "Један човек је сада рекао да увек можемо радити тако.",
            ),
            (
                "mk",
                "Еден човек сега рече дека секогаш можеме да правиме така.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
    }

    #[test]
    fn turkish_read_as_latin1_is_still_turkish() {
        // Turkish typed in Windows-1254 and decoded as Windows-1252 (ı ş ğ İ → ý þ ð Ý)
        fn as_latin1(text: &str) -> String {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1254.encode(text);
            assert!(!unmappable);
            encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned()
        }
        let d = det();
        // whatlang alone reads this one as Welsh
        let shown =
            as_latin1("Belediye başkanı, yağmurdan sonra iki köprünün kapatıldığını söyledi.");
        assert_eq!(
            d.whatlang_only(&shown).map(|i| i.lang()),
            Some(whatlang::Lang::Cym)
        );
        for turkish in [
            "Belediye başkanı, yağmurdan sonra iki köprünün kapatıldığını söyledi.",
            "İstanbul'daki toplantıya katılan işçiler maaşların düşük olduğunu belirtti.",
            "Şirket geçen yıl ihracatını yüzde on artırdığını açıkladı.",
            "Öğretmenler sınıfların kalabalık olmasından şikâyet ediyor.",
        ] {
            let shown = as_latin1(turkish);
            assert_ne!(shown, turkish);
            let r = d.detect(&shown, None);
            assert_eq!(r.language.code, "tr", "{shown}");
            assert_eq!(d.detect(turkish, None).language.code, "tr", "{turkish}");
            // a whole document in that encoding
            let blocks = [shown.as_str(), shown.as_str()];
            assert_eq!(d.detect_document(&blocks, None, 4096).language.code, "tr");
        }
        // genuine Welsh (ŵ ŷ are not ý), genuine Czech with ý and a German name, Vietnamese ý
        let cases = [
            (
                "cy",
                "Mae'r ŵyl yn dechrau ddydd Sadwrn, ac mae pawb yn y pentref yn edrych ymlaen at weld y tŷ newydd.",
            ),
            (
                "cy",
                "Dywedodd y cyngor fod y ffordd ar gau am fod y dŵr wedi codi dros nos.",
            ),
            (
                "cs",
                "Nový ředitel, pan Müller, který přišel z Vídně, slíbil, že se nic nezmění.",
            ),
            (
                "vi",
                "Tôi có ý kiến khác về vấn đề này, nhưng chúng ta sẽ bàn sau.",
            ),
        ];
        for (want, text) in cases {
            assert_eq!(code(&d, text), want, "{text}");
        }
        // Icelandic (þ ð ý) is not in whatlang's set; whatever it is answered, it is not Turkish
        assert!(!d.languages().contains(&"is".to_string()));
        for icelandic in [
            "Það var mjög kalt í gær og þess vegna fóru börnin ekki út að leika sér.",
            "Ríkisstjórnin hefur ákveðið að hækka lífeyri þeirra sem búa einir.",
            "Hún sagði að veðrið yrði betra á morgun og að ferjan myndi sigla.",
            "Það er gott að vera heima með þeim.",
            "Þeir eru hér og þetta er þeirra land.",
        ] {
            assert_ne!(code(&d, icelandic), "tr", "{icelandic}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,300}", hint in "[a-zA-Z_-]{0,8}") {
            let d = det();
            let r = d.detect(&text, Some(&hint));
            proptest::prop_assert!((0.0..=1.0).contains(&r.language.confidence));
            for c in &r.candidates {
                proptest::prop_assert!((0.0..=1.0).contains(&c.score));
            }
            let blocks: Vec<&str> = text.split('\n').collect();
            let doc = d.detect_document(&blocks, None, 64);
            let _ = d.block_languages(&doc.language, &blocks);
            let _ = d.suspect_translation("en", &text, &blocks, &[&hint]);
        }
    }
}
