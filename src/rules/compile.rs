//! Compiles one parsed rule file into matchers: a hash set of whole-line labels, an anchored
//! Aho-Corasick automaton of prefixes, a `RegexSet` of line patterns and one combined regex of
//! inline teasers. Built once at start-up; the engine only reads them.

use std::cell::RefCell;
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::RulesError;
use super::agencies::Agencies;
use super::file::LangFile;
use crate::engine::article::ArtefactKind;

/// Lines longer than this are never tested against `prefixes`: a long body paragraph that starts
/// with the same words as a teaser stays body.
pub const MAX_PREFIX_LINE_CHARS: usize = 300;

/// Compiled patterns expand `{AGENCY}` into every alias; the default 10 MB limit is too small
/// for a set of them. Still bounded: a rule file cannot make start-up unbounded.
const REGEX_SIZE_LIMIT: usize = 256 * 1024 * 1024;

/// How a line matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineMatch {
    /// The whole line is a known label.
    Line(ArtefactKind),
    /// The line starts with a known prefix.
    Prefix(ArtefactKind),
    /// The line matches a pattern.
    Pattern(ArtefactKind),
}

impl LineMatch {
    pub fn kind(self) -> ArtefactKind {
        match self {
            LineMatch::Line(k) | LineMatch::Prefix(k) | LineMatch::Pattern(k) => k,
        }
    }
}

/// One language's compiled rules (or `common.toml`'s).
#[derive(Debug)]
pub struct LangRules {
    pub code: String,
    pub name: String,
    pub scripts: Vec<String>,
    /// Lower-case month names and abbreviations.
    pub months: Vec<String>,
    /// Lower-case words opening a credit ("foto", "photo", "fot").
    pub credit_words: Vec<String>,
    pub caption_labels: Vec<String>,
    pub credit_labels: Vec<String>,
    pub photographer_markers: Vec<String>,
    /// Words in credits that are neither names nor agencies ("记者", "File Photo").
    pub credit_fillers: Vec<String>,
    /// Lower-case byline openers ("von", "by").
    pub byline_prefixes: Vec<String>,
    pub name_joiners: Vec<String>,
    pub datelines: Vec<Regex>,
    pub signatures: Vec<Regex>,
    /// Whole caption lines with their credit in them; named groups `caption`, `creators`, `agency`.
    pub captions: Vec<Regex>,
    lines: HashMap<String, ArtefactKind>,
    prefixes: Option<AhoCorasick>,
    prefix_kinds: Vec<ArtefactKind>,
    /// The line patterns in sets, each with the pattern numbers (in file order) of its members
    /// and an optional prefilter that must match for any member to match: see `split_for_dfa`.
    patterns: Vec<PatternSet>,
    pattern_kinds: Vec<ArtefactKind>,
    inline_any: Option<Regex>,
    inline: Vec<(Regex, ArtefactKind)>,
}

/// The key a whole-line label is looked up by: lower case, spaces folded, trailing
/// punctuation and leading bullets ignored.
pub fn line_key(line: &str) -> String {
    let trimmed = line
        .trim()
        .trim_start_matches(['•', '·', '-', '–', '*', '›', '»', '>', '■', '▶', '►'])
        .trim_end_matches([':', '.', '…', '>', '»', '›', ' ', '|', '→']);
    let mut out = String::with_capacity(trimmed.len());
    for word in trimmed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            // The same as `char::to_lowercase` on ASCII, without the per-character table lookup.
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            out.extend(word.chars().flat_map(char::to_lowercase));
        }
    }
    out
}

thread_local! {
    /// The last line keyed and lowered on this thread: the classifier asks every language's
    /// rules about the same line in turn, so the key is computed once per line, not once per
    /// language.
    static LAST_KEY: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
    static LAST_LOWER: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// `f(derive(line))`, with `derive(line)` remembered for the next call with the same line.
fn with_cached<R>(
    cell: &'static std::thread::LocalKey<RefCell<(String, String)>>,
    line: &str,
    derive: impl Fn(&str) -> String,
    f: impl FnOnce(&str) -> R,
) -> R {
    cell.with(|c| match c.try_borrow_mut() {
        Ok(mut c) => {
            if c.0 != line {
                c.1 = derive(line);
                c.0.clear();
                c.0.push_str(line);
            }
            f(&c.1)
        }
        // Re-entered (cannot happen today): compute without the cache.
        Err(_) => f(&derive(line)),
    })
}

fn lower(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| s.trim().to_lowercase()).collect()
}

/// Expands `{AGENCY}`, `{MONTH}` and `{UPPER}` and makes the pattern case-insensitive unless it
/// says otherwise.
fn expand(pattern: &str, agencies: &str, months: &str) -> String {
    let body = pattern
        .replace("{AGENCY}", agencies)
        .replace("{MONTH}", months)
        .replace("{UPPER}", r"(?-i:\p{Lu})");
    format!("(?i){body}")
}

impl LangRules {
    pub fn compile(
        file: &str,
        parsed: LangFile,
        agencies: &Agencies,
        extra_months: &[String],
    ) -> Result<LangRules, RulesError> {
        let mut months = lower(parsed.months);
        months.extend(extra_months.iter().map(|m| m.to_lowercase()));
        months.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        months.dedup();
        let month_alt = if months.is_empty() {
            "(?:[^\\s\\S])".to_string()
        } else {
            let parts: Vec<String> = months.iter().map(|m| regex::escape(m)).collect();
            format!("(?:{})", parts.join("|"))
        };
        let agency_alt = agencies.alternation();
        let build = |p: &str| -> Result<Regex, RulesError> {
            RegexBuilder::new(&expand(p, &agency_alt, &month_alt))
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| RulesError::Pattern {
                    file: file.into(),
                    pattern: p.into(),
                    message: e.to_string(),
                })
        };

        let mut lines = HashMap::new();
        let mut prefix_list = Vec::new();
        let mut prefix_kinds = Vec::new();
        let mut pattern_src = Vec::new();
        let mut pattern_kinds = Vec::new();
        let mut raw_patterns: Vec<String> = Vec::new();
        let mut inline = Vec::new();
        for (key, rules) in parsed.artefacts {
            let kind = ArtefactKind::from_key(&key).ok_or_else(|| RulesError::Invalid {
                file: file.into(),
                message: format!(
                    "unknown artefact kind [artefacts.{key}]; known: {}",
                    ArtefactKind::ALL.map(|k| k.key()).join(", ")
                ),
            })?;
            for l in rules.lines {
                let k = line_key(&l);
                if k.is_empty() {
                    return Err(RulesError::Invalid {
                        file: file.into(),
                        message: format!("[artefacts.{key}] has an empty line label {l:?}"),
                    });
                }
                lines.insert(k, kind);
            }
            for p in rules.prefixes {
                let p = p.trim().to_lowercase();
                if p.is_empty() {
                    return Err(RulesError::Invalid {
                        file: file.into(),
                        message: format!("[artefacts.{key}] has an empty prefix"),
                    });
                }
                prefix_list.push(p);
                prefix_kinds.push(kind);
            }
            for p in rules.patterns {
                raw_patterns.push(p.clone());
                pattern_src.push(expand(&p, &agency_alt, &month_alt));
                pattern_kinds.push(kind);
            }
            for p in rules.inline {
                inline.push((build(&p)?, kind));
            }
        }
        let prefixes = if prefix_list.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .start_kind(StartKind::Anchored)
                    .build(&prefix_list)
                    .map_err(|e| RulesError::Invalid {
                        file: file.into(),
                        message: format!("prefixes do not compile: {e}"),
                    })?,
            )
        };
        let patterns = match split_for_dfa(&pattern_src)
            .into_iter()
            .filter(|members| !members.is_empty())
            .map(|members| {
                let set = RegexSetBuilder::new(members.iter().map(|&i| &pattern_src[i]))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()?;
                // Word boundaries dropped: a superset the lazy DFA runs on any text. Where it
                // does not build, the set runs alone.
                let stripped: Vec<String> = members
                    .iter()
                    .map(|&i| strip_word_boundaries(&pattern_src[i]))
                    .collect();
                let prefilter = if stripped
                    .iter()
                    .zip(&members)
                    .any(|(s, &i)| *s != pattern_src[i])
                {
                    RegexSetBuilder::new(&stripped)
                        .size_limit(REGEX_SIZE_LIMIT)
                        .build()
                        .ok()
                } else {
                    None
                };
                Ok::<_, regex::Error>(PatternSet {
                    set,
                    members,
                    prefilter,
                })
            })
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(sets) => sets,
            Err(e) => {
                // Name the pattern that fails; compiling each alone is only needed here.
                for p in &raw_patterns {
                    build(p)?;
                }
                return Err(RulesError::Invalid {
                    file: file.into(),
                    message: format!("patterns do not compile together: {e}"),
                });
            }
        };
        let inline_any = if inline.is_empty() {
            None
        } else {
            let alt: Vec<String> = inline
                .iter()
                .map(|(r, _)| format!("(?:{})", r.as_str()))
                .collect();
            Some(
                RegexBuilder::new(&alt.join("|"))
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| RulesError::Invalid {
                        file: file.into(),
                        message: format!("inline patterns do not compile together: {e}"),
                    })?,
            )
        };
        let datelines = parsed
            .dateline_patterns
            .iter()
            .map(|p| build(p))
            .collect::<Result<Vec<_>, _>>()?;
        let signatures = parsed
            .signature_patterns
            .iter()
            .map(|p| build(p))
            .collect::<Result<Vec<_>, _>>()?;
        let captions = parsed
            .caption_patterns
            .iter()
            .map(|p| build(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LangRules {
            code: parsed.code,
            name: parsed.name,
            scripts: parsed.scripts,
            months,
            credit_words: lower(parsed.credit_words),
            caption_labels: lower(parsed.caption_labels),
            credit_labels: lower(parsed.credit_labels),
            photographer_markers: parsed.photographer_markers,
            credit_fillers: parsed.credit_fillers,
            byline_prefixes: lower(parsed.byline_prefixes),
            name_joiners: lower(parsed.name_joiners),
            datelines,
            signatures,
            captions,
            lines,
            prefixes,
            prefix_kinds,
            patterns,
            pattern_kinds,
            inline_any,
            inline,
        })
    }

    /// The whole line is a known label.
    pub fn match_exact(&self, line: &str) -> Option<ArtefactKind> {
        if line.len() > 200 {
            return None;
        }
        if self.lines.is_empty() {
            return None;
        }
        with_cached(&LAST_KEY, line, line_key, |key| {
            self.lines.get(key).copied()
        })
    }

    /// How `line` (trimmed, repaired) matches this file's artefact rules, if at all.
    pub fn match_line(&self, line: &str) -> Option<LineMatch> {
        if let Some(k) = self.match_exact(line) {
            return Some(LineMatch::Line(k));
        }
        if let Some(k) = self.match_prefix(line) {
            return Some(LineMatch::Prefix(k));
        }
        // Most lines match no pattern: the set's `is_match` stops at the first match and needs
        // no overlapping search, so only matching lines pay for `matches`.
        // The first pattern in file order wins: the first member of each set that matches,
        // then the lowest of those.
        let mut first: Option<usize> = None;
        for p in &self.patterns {
            if p.prefilter.as_ref().is_some_and(|f| !f.is_match(line)) || !p.set.is_match(line) {
                continue;
            }
            if let Some(i) = p.set.matches(line).iter().next() {
                let n = p.members[i];
                first = Some(first.map_or(n, |f| f.min(n)));
            }
        }
        first.map(|i| LineMatch::Pattern(self.pattern_kinds[i]))
    }

    /// The line starts with a known prefix followed by a boundary.
    pub fn match_prefix(&self, line: &str) -> Option<ArtefactKind> {
        let ac = self.prefixes.as_ref()?;
        if line.chars().count() > MAX_PREFIX_LINE_CHARS {
            return None;
        }
        with_cached(
            &LAST_LOWER,
            line,
            |l| l.trim_start().to_lowercase(),
            |lowered| {
                let m = ac.find(Input::new(lowered).anchored(Anchored::Yes))?;
                let rest = &lowered[m.end()..];
                let last = lowered[..m.end()].chars().last();
                let boundary = rest.is_empty()
                    || last.is_some_and(|c| !c.is_alphanumeric())
                    || rest.starts_with(|c: char| !c.is_alphanumeric());
                boundary.then(|| self.prefix_kinds[m.pattern().as_usize()])
            },
        )
    }

    /// Cuts inline teasers out of a paragraph. Returns the new text and what was cut, or `None`
    /// where nothing matched.
    pub fn cut_inline(&self, text: &str) -> Option<(String, Vec<(ArtefactKind, String)>)> {
        let any = self.inline_any.as_ref()?;
        if !any.is_match(text) {
            return None;
        }
        let mut cut = Vec::new();
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in any.find_iter(text) {
            let kind = self
                .inline
                .iter()
                .find(|(r, _)| r.is_match(m.as_str()))
                .map_or(ArtefactKind::LinkTeaser, |(_, k)| *k);
            out.push_str(&text[last..m.start()]);
            last = m.end();
            cut.push((kind, m.as_str().trim().to_string()));
        }
        out.push_str(&text[last..]);
        Some((tidy_after_cut(&out), cut))
    }
}

/// Whether a pattern may hold a Unicode word boundary (`\b`, `\B`, `\<`, `\>`). The lazy DFA
/// cannot run those on non-ASCII text, so a set holding one falls back to the PikeVM for every
/// line of Greek, Cyrillic or accented copy, whatever the other members are. Conservative: an
/// ASCII boundary `(?-u:\b)` also counts, which only costs speed.
fn has_word_boundary(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.next(), Some('b' | 'B' | '<' | '>')) {
            return true;
        }
    }
    false
}

/// `pattern` without its word-boundary assertions (`\b`, `\B`, `\<`, `\>`). Dropping a
/// zero-width assertion only widens what a pattern matches, so where the result does not match
/// a line, the pattern does not either.
fn strip_word_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b' | 'B' | '<' | '>') => {}
                Some(n) => {
                    out.push(c);
                    out.push(n);
                }
                None => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One `RegexSet` of line patterns.
#[derive(Debug)]
struct PatternSet {
    set: RegexSet,
    /// Pattern number (file order) of each member of `set`.
    members: Vec<usize>,
    /// Must match for any member to match; cheaper than `set` (see `strip_word_boundaries`).
    prefilter: Option<RegexSet>,
}

/// Pattern numbers split in two groups, each in file order: patterns the lazy DFA can run on
/// any text, and patterns with word boundaries. Matching is unchanged (the caller takes the
/// lowest matching number over both sets); only the common case gets fast.
fn split_for_dfa(patterns: &[String]) -> [Vec<usize>; 2] {
    let (slow, fast): (Vec<usize>, Vec<usize>) =
        (0..patterns.len()).partition(|&i| has_word_boundary(&patterns[i]));
    [fast, slow]
}

/// Mends the spacing a cut leaves: "injured ." → "injured.", double spaces → one.
fn tidy_after_cut(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let glue = word.starts_with(['.', ',', ';', ':', '!', '?', ')', '。', '，', '、']);
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml: &str) -> LangRules {
        let agencies = Agencies::parse(
            "agencies.toml",
            "[[agency]]\nname = \"dpa\"\nkind = \"news\"\naliases = [\"Deutsche Presse-Agentur\"]\n",
        )
        .unwrap();
        LangRules::compile(
            "t.toml",
            LangFile::parse("t.toml", toml).unwrap(),
            &agencies,
            &[],
        )
        .unwrap()
    }

    #[test]
    fn whole_line_labels_ignore_case_spacing_and_trailing_colons() {
        let r =
            rules("code='de'\nname='German'\n[artefacts.ui_label]\nlines=['Bild vergrößern']\n");
        assert_eq!(
            r.match_exact("BILD  vergrößern:"),
            Some(ArtefactKind::UiLabel)
        );
        assert_eq!(r.match_exact("Bild vergrößern und mehr"), None);
    }

    #[test]
    fn prefixes_need_a_word_boundary() {
        let r = rules(
            "code='de'\nname='German'\n[artefacts.link_teaser]\nprefixes=['Lesen Sie auch']\n",
        );
        assert_eq!(
            r.match_prefix("Lesen Sie auch: Starkregen in der Eifel"),
            Some(ArtefactKind::LinkTeaser)
        );
        assert_eq!(r.match_prefix("Lesen Sie auchmal was"), None);
        let long = format!("Lesen Sie auch {}", "x ".repeat(200));
        assert_eq!(r.match_prefix(&long), None);
    }

    #[test]
    fn inline_teasers_are_cut_and_the_sentence_stays() {
        let r = rules(
            "code='en'\nname='English'\n[artefacts.link_teaser]\ninline=['\\(read [^()]{0,60} here\\)']\n",
        );
        let (text, cut) = r
            .cut_inline("A terrorist attack with 60 dead (read the minutes of the events here).")
            .unwrap();
        assert_eq!(text, "A terrorist attack with 60 dead.");
        assert_eq!(cut[0].1, "(read the minutes of the events here)");
    }

    #[test]
    fn placeholders_expand() {
        let r = rules(
            "code='de'\nname='German'\nmonths=['januar']\ndateline_patterns=['^(?P<place>\\w+) \\((?P<agency>{AGENCY})\\) - {MONTH}']\n",
        );
        assert!(r.datelines[0].is_match("Berlin (Deutsche Presse-Agentur) - Januar"));
    }

    #[test]
    fn unknown_artefact_kinds_are_refused() {
        let agencies = Agencies::parse("agencies.toml", "agency = []").unwrap();
        let parsed = LangFile::parse(
            "t.toml",
            "code='de'\nname='German'\n[artefacts.adverts]\nlines=['x']\n",
        )
        .unwrap();
        let err = LangRules::compile("t.toml", parsed, &agencies, &[]).unwrap_err();
        assert!(err.to_string().contains("adverts"));
    }
}
