//! Compiles one parsed rule file into matchers: a hash set of whole-line labels, an anchored
//! Aho-Corasick automaton of prefixes, a `RegexSet` of line patterns and one combined regex of
//! inline teasers. Built once at start-up; the engine only reads them.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use super::RulesError;
use super::agencies::AGENCY_MARK;
use super::counted::{self, Counted};
use super::file::LangFile;
use super::pattern::{LineInput, Pattern, line_key};
use crate::engine::article::ArtefactKind;

/// Lines longer than this are never tested against `prefixes`: a long body paragraph that starts
/// with the same words as a teaser stays body.
pub const MAX_PREFIX_LINE_CHARS: usize = 300;
/// Lines longer than this are not tested against `patterns` at all.
pub const MAX_PATTERN_LINE_CHARS: usize = 600;
/// Lines longer than this are not tested against patterns that need a Unicode word boundary.
pub const MAX_SLOW_PATTERN_LINE_CHARS: usize = 400;

/// Bounded: a rule file cannot make start-up unbounded. (`{AGENCY}` is one character, so
/// the default 10 MB would do for today's rules; this leaves room for rule authors.)
const REGEX_SIZE_LIMIT: usize = 64 * 1024 * 1024;

/// Lazy-DFA cache per regex and engine thread (regex's default). A cache grows only as far as its
/// regex needs. Smaller caps cost time and saved little: line-pattern sets at 256–512 KiB
/// thrashed (engine 20–25 % slower); dateline and signature regexes at 256 KiB gave up on most
/// lines and fell back to the backtracker, whose visited-set clearing alone was ~13 % of the
/// engine's instructions. Server RSS under load is the same with 256 KiB or 2 MiB for the single
/// regexes (154 vs 156 MB), since the engine runs on a fixed pool of threads (see
/// docs/performance.md).
const DFA_CACHE_BYTES: usize = 2 * 1024 * 1024;

/// One compiled rule regex, with the limits every rule regex has.
fn rule_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE_BYTES)
        .build()
}

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
    /// Lower-case month names and abbreviations without a final full stop, for a word-by-word
    /// look-up (the dateline patterns' `{MONTH}` holds them as written).
    pub month_words: std::collections::HashSet<String>,
    /// Lower-case words opening a credit ("foto", "photo", "fot").
    pub credit_words: Vec<String>,
    /// `credit_words` as one automaton, for finding any of them in a line in one pass.
    pub credit_word_finder: Option<AhoCorasick>,
    pub caption_labels: Vec<String>,
    /// Lower-case words for "here" that point elsewhere (`LangFile::here_words`).
    pub here_words: Vec<String>,
    pub credit_labels: Vec<String>,
    pub photographer_markers: Vec<String>,
    /// Words in credits that are neither names nor agencies ("记者", "File Photo").
    pub credit_fillers: Vec<String>,
    /// Lower-case words between a photographer's name and the outlet ("for", "pour").
    pub credit_outlet_words: Vec<String>,
    /// Lower-case words that make a bracketed credit a photo credit.
    pub photo_words: Vec<String>,
    /// Lower-case whole credit parts that name no one.
    pub credit_noise: Vec<String>,
    /// Lower-case openings of credit parts that name no one.
    pub credit_noise_prefixes: Vec<String>,
    /// Lower-case words that make a credited name an institution ("stadt", "council").
    pub institution_words: Vec<String>,
    /// Lower-case byline openers ("von", "by").
    pub byline_prefixes: Vec<String>,
    pub name_joiners: Vec<String>,
    /// Words after a line-end compound hyphen that keep it (common.toml's are read).
    pub hyphen_keepers: Vec<String>,
    /// Lower-case words that stand inside a name without a capital.
    pub name_particles: Vec<String>,
    /// Lower-case words that say what a person in a byline is ("reporter", "기자").
    pub byline_roles: Vec<String>,
    pub datelines: Vec<Pattern>,
    pub signatures: Vec<Pattern>,
    /// Whole caption lines with their credit in them; named groups `caption`, `creators`, `agency`.
    pub captions: Vec<Pattern>,
    /// The language's stop words (none for `common.toml` or a language without a list).
    pub stop_words: Option<super::stopwords::StopWords>,
    lines: HashMap<String, ArtefactKind>,
    prefixes: Option<AhoCorasick>,
    prefix_kinds: Vec<ArtefactKind>,
    /// Line patterns without a Unicode word boundary, on the line and on the masked line.
    patterns: PatternSet,
    /// Patterns that need a Unicode word boundary: tried only on lines up to
    /// `MAX_SLOW_PATTERN_LINE_CHARS`, since they run on the slower engine.
    slow_patterns: PatternSet,
    inline_any: Option<Regex>,
    /// `inline_any` without its Unicode word boundaries, where it has any (see
    /// [`without_word_boundaries`]): a line it does not match holds no inline teaser.
    inline_gate: Option<Regex>,
    inline: Vec<(Regex, ArtefactKind)>,
    /// Prose of the language is dense in `stop_words` as separate words (rule key
    /// `stop_words_mark_prose`, default true).
    pub stop_words_mark_prose: bool,
}

/// Line patterns split by what they run on: the line, or the line with its agencies masked
/// (patterns that name `{AGENCY}`). Each keeps its patterns' kinds and their order in the file:
/// where several match, the first in the file wins. Patterns that open with `^.{0,N}` ("all
/// rights reserved" up to N characters into the line) stay out of the sets: in a set, their
/// counted lead keeps the set's DFA walking far into every line. They run on their own, and
/// only on lines their gate finds something in (see [`Leading`]). A pattern with a counted run
/// at its start or end (`.{0,N}` after `^`, before `$`) is checked as its core and a count (see
/// [`Counted`]); in a set, its run stands as `.*` and the count decides after the set matched.
#[derive(Debug)]
struct PatternSet {
    plain: RegexSet,
    plain_at: Vec<SetEntry>,
    masked: RegexSet,
    masked_at: Vec<SetEntry>,
    /// In file order.
    leading: Vec<Leading>,
}

/// One pattern of a set: its place in the file, its kind, and the count that decides where its
/// runs stand as `.*` in the set.
#[derive(Debug)]
struct SetEntry {
    at: usize,
    kind: ArtefactKind,
    counted: Option<Counted>,
}

impl SetEntry {
    fn is_match(&self, text: &str) -> bool {
        self.counted.as_ref().is_none_or(|c| c.is_match(text))
    }
}

/// A line pattern as it runs alone: compiled as written, or as its core and a count.
#[derive(Debug)]
enum Alone {
    Regex(Pattern),
    Counted { counted: Counted, masked: bool },
}

impl Alone {
    fn new(p: &LinePattern) -> Result<Alone, regex::Error> {
        Ok(
            match counted::split(&p.expanded, REGEX_SIZE_LIMIT, DFA_CACHE_BYTES) {
                Some(split) => Alone::Counted {
                    counted: split.counted,
                    masked: p.masked,
                },
                None => Alone::Regex(Pattern::new(rule_regex(&p.expanded)?, p.masked)),
            },
        )
    }

    fn haystack<'s>(&self, input: &'s LineInput<'_>) -> &'s str {
        match self {
            Alone::Regex(p) => p.haystack(input),
            Alone::Counted { masked: true, .. } => input.masked().text(),
            Alone::Counted { masked: false, .. } => input.text(),
        }
    }

    fn is_match(&self, input: &LineInput<'_>) -> bool {
        match self {
            Alone::Regex(p) => p.is_match(input),
            Alone::Counted { counted, .. } => counted.is_match(self.haystack(input)),
        }
    }
}

/// A line pattern `^.{0,N}REST` and a gate in front of it: the opening of `REST` up to its
/// first long or unbounded piece (`all rights reserved` of `all rights reserved.{0,200}$`),
/// searched anywhere in the line. Every match of the pattern holds a match of the gate, so a line
/// without one cannot match and the pattern does not run on it.
#[derive(Debug)]
struct Leading {
    at: usize,
    kind: ArtefactKind,
    gate: Regex,
    pattern: Alone,
}

impl Leading {
    fn is_match(&self, input: &LineInput<'_>) -> bool {
        self.gate.is_match(self.pattern.haystack(input)) && self.pattern.is_match(input)
    }
}

/// The pieces of a gate: each at most this long.
const MAX_GATE_PIECE_BYTES: usize = 64;
/// A gate shorter than this would pass too many lines to be worth a search of its own.
const MIN_GATE_BYTES: usize = 3;

/// The gate of a pattern `^.{0,N}REST` or `^.*REST` (see [`Leading`]); `None` for other
/// patterns, and where `REST` does not open with at least `MIN_GATE_BYTES` of short pieces. The
/// gate stops before a Unicode word boundary, which would keep it off the fast engines.
fn leading_gate(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Dot, Hir, HirKind, Look};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let HirKind::Concat(items) = hir.kind() else {
        return None;
    };
    let [first, second, rest @ ..] = items.as_slice() else {
        return None;
    };
    if *first.kind() != HirKind::Look(Look::Start) {
        return None;
    }
    let HirKind::Repetition(rep) = second.kind() else {
        return None;
    };
    if *rep.sub != Hir::dot(Dot::AnyCharExceptLF) && *rep.sub != Hir::dot(Dot::AnyChar) {
        return None;
    }
    let pieces: Vec<Hir> = rest
        .iter()
        .take_while(|h| {
            let props = h.properties();
            props
                .maximum_len()
                .is_some_and(|m| m <= MAX_GATE_PIECE_BYTES)
                && !props.look_set().contains_word_unicode()
        })
        .cloned()
        .collect();
    let gate = Hir::concat(pieces);
    if gate
        .properties()
        .minimum_len()
        .is_none_or(|m| m < MIN_GATE_BYTES)
    {
        return None;
    }
    Some(gate.to_string())
}

/// One line pattern on its way into a `PatternSet`.
struct LinePattern {
    /// Position among the file's patterns (the first match in file order wins).
    at: usize,
    kind: ArtefactKind,
    /// The pattern with its placeholders expanded.
    expanded: String,
    /// It names `{AGENCY}`: it runs on the masked line.
    masked: bool,
}

impl PatternSet {
    fn build(patterns: &[LinePattern]) -> Result<PatternSet, regex::Error> {
        let mut leading = Vec::new();
        let mut in_sets = Vec::new();
        for p in patterns {
            match leading_gate(&p.expanded) {
                Some(gate) => leading.push(Leading {
                    at: p.at,
                    kind: p.kind,
                    gate: rule_regex(&gate)?,
                    pattern: Alone::new(p)?,
                }),
                None => in_sets.push(p),
            }
        }
        let set = |masked: bool| -> Result<(RegexSet, Vec<SetEntry>), regex::Error> {
            let mut sources = Vec::new();
            let mut entries = Vec::new();
            for p in in_sets.iter().filter(|p| p.masked == masked) {
                let split = counted::split(&p.expanded, REGEX_SIZE_LIMIT, DFA_CACHE_BYTES);
                let (source, counted) = match split {
                    Some(split) => (split.relaxed, Some(split.counted)),
                    None => (p.expanded.clone(), None),
                };
                sources.push(source);
                entries.push(SetEntry {
                    at: p.at,
                    kind: p.kind,
                    counted,
                });
            }
            let regexes = RegexSetBuilder::new(sources)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(DFA_CACHE_BYTES)
                .build()?;
            Ok((regexes, entries))
        };
        let (plain, plain_at) = set(false)?;
        let (masked, masked_at) = set(true)?;
        Ok(PatternSet {
            plain,
            plain_at,
            masked,
            masked_at,
            leading,
        })
    }

    fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.masked.is_empty() && self.leading.is_empty()
    }

    /// The kind of the first pattern in file order that matches.
    fn first_match(&self, input: &LineInput<'_>) -> Option<ArtefactKind> {
        let mut best: Option<(usize, ArtefactKind)> = None;
        // Most lines match nothing: the early-exit test is far cheaper than asking which match.
        // A counted pattern's run stands as `.*` in the set: its count decides after.
        let first = |set: &RegexSet, entries: &[SetEntry], text: &str| {
            set.matches(text)
                .iter()
                .filter_map(|i| entries.get(i))
                .find(|e| e.is_match(text))
                .map(|e| (e.at, e.kind))
        };
        if !self.plain.is_empty() && self.plain.is_match(input.text()) {
            best = first(&self.plain, &self.plain_at, input.text());
        }
        if !self.masked.is_empty() {
            let text = input.masked().text();
            if self.masked.is_match(text)
                && let Some(m) = first(&self.masked, &self.masked_at, text)
                && best.is_none_or(|b| m.0 < b.0)
            {
                best = Some(m);
            }
        }
        if let Some(l) = self
            .leading
            .iter()
            .take_while(|l| best.is_none_or(|b| l.at < b.0))
            .find(|l| l.is_match(input))
        {
            best = Some((l.at, l.kind));
        }
        best.map(|b| b.1)
    }
}

fn longest_first(mut v: Vec<String>) -> Vec<String> {
    v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    v.dedup();
    v
}

/// An automaton reporting every occurrence (overlapping) of any of `words`; `None` for none.
fn finder(file: &str, words: &[String]) -> Result<Option<AhoCorasick>, RulesError> {
    if words.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(words)
        .map(Some)
        .map_err(|e| RulesError::Invalid {
            file: file.into(),
            message: format!("credit words do not compile: {e}"),
        })
}

fn lower(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| s.trim().to_lowercase()).collect()
}

/// Expands `{AGENCY}`, `{MONTH}`, `{UPPER}`, `{L}` and `{LU}` and makes the pattern
/// case-insensitive unless it says otherwise.
fn expand(
    pattern: &str,
    agency: &str,
    months: &str,
    (letters, upper): &(String, String),
) -> String {
    let body = ascii_word_boundaries(pattern)
        .replace("{AGENCY}", agency)
        .replace("{MONTH}", months)
        .replace("{UPPER}", r"(?-i:\p{Lu})");
    let body = replace_placeholder(&body, "{LU}", upper);
    format!("(?i){}", replace_placeholder(&body, "{L}", letters))
}

/// Replaces `name` (`{L}`) but not where it is a property's name (`\p{L}`).
fn replace_placeholder(pattern: &str, name: &str, class: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = rest.find(name) {
        let escaped = rest[..at].ends_with(['p', 'P']);
        out.push_str(&rest[..at]);
        out.push_str(if escaped { name } else { class });
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    out
}

/// The classes `{L}` and `{LU}` expand to: a letter (an upper-case letter) of one of the file's
/// scripts. Written as nested classes, so they work inside brackets (`[{L} .-]`) and alone. Every
/// letter (`\p{L}`, `\p{Lu}`) when the file names no script. A repeated `\p{L}` costs ~300 NFA
/// states per repetition (all of Unicode's letters as UTF-8); one script's letters cost a tenth
/// of that, which is what keeps the compiled rules and their per-thread search caches small.
fn script_classes(file: &str, scripts: &[String]) -> Result<(String, String), RulesError> {
    if scripts.is_empty() {
        return Ok((r"[\p{L}]".to_string(), r"[\p{Lu}]".to_string()));
    }
    let mut letters = String::from("[");
    let mut upper = String::from("[");
    for script in scripts {
        let unicode = match script.as_str() {
            "Mandarin" => "Han",
            "Latin" | "Cyrillic" | "Greek" | "Arabic" | "Hebrew" | "Devanagari" | "Hangul"
            | "Hiragana" | "Katakana" | "Han" | "Thai" | "Georgian" | "Armenian" | "Bengali"
            | "Tamil" | "Telugu" | "Gujarati" | "Gurmukhi" | "Kannada" | "Malayalam"
            | "Ethiopic" | "Khmer" | "Sinhala" | "Myanmar" | "Oriya" => script.as_str(),
            other => {
                return Err(RulesError::Invalid {
                    file: file.into(),
                    message: format!(
                        "unknown script {other:?} in `scripts`; use a whatlang script name such as \"Latin\", \"Cyrillic\" or \"Mandarin\""
                    ),
                });
            }
        };
        letters.push_str(&format!(r"[\p{{L}}&&\p{{{unicode}}}]"));
        upper.push_str(&format!(r"[\p{{Lu}}&&\p{{{unicode}}}]"));
    }
    letters.push(']');
    upper.push(']');
    Ok((letters, upper))
}

/// A Unicode `\b` makes the fast lazy DFA give up on any non-ASCII text, so a whole pattern set
/// falls back to a slow NFA simulation. Where the pattern writes an ASCII letter or digit right
/// beside the `\b` ("\bhere", "reserved\b"), an ASCII boundary means the same: use it.
fn ascii_word_boundaries(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            if chars[i + 1] == 'b' {
                let prev = i.checked_sub(1).map(|j| chars[j]);
                let next = chars.get(i + 2).copied();
                let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                let escaped_prev = i >= 2 && chars[i - 2] == '\\';
                if (ascii_word(prev) && !escaped_prev) || ascii_word(next) {
                    out.push_str("(?-u:\\b)");
                } else {
                    out.push_str("\\b");
                }
            } else {
                out.push(chars[i]);
                out.push(chars[i + 1]);
            }
            i += 2;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Whether a rule pattern names `{AGENCY}` (and so runs on the masked line).
fn names_agency(pattern: &str) -> bool {
    pattern.contains("{AGENCY}")
}

/// A pattern that matches wherever `pattern` matches (and maybe elsewhere): `pattern` without
/// its Unicode word boundaries and its groups; `None` where it has no Unicode word boundary.
/// A Unicode word boundary makes the lazy DFA give up on the first non-ASCII byte, and the regex
/// then runs its slowest engine over the whole text; the gate stays on the lazy DFA, and most
/// texts it does not match need no other search. Exact: dropping an assertion only adds matches.
fn without_word_boundaries(pattern: &str) -> Option<String> {
    use regex_syntax::hir::{Hir, HirKind, Repetition};
    fn strip(h: &Hir) -> Hir {
        match h.kind() {
            HirKind::Look(look)
                if regex_syntax::hir::LookSet::singleton(*look).contains_word_unicode() =>
            {
                Hir::empty()
            }
            HirKind::Repetition(r) => Hir::repetition(Repetition {
                sub: Box::new(strip(&r.sub)),
                ..r.clone()
            }),
            HirKind::Capture(c) => strip(&c.sub),
            HirKind::Concat(hs) => Hir::concat(hs.iter().map(strip).collect()),
            HirKind::Alternation(hs) => Hir::alternation(hs.iter().map(strip).collect()),
            _ => h.clone(),
        }
    }
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    if !hir.properties().look_set().contains_word_unicode() {
        return None;
    }
    Some(strip(&hir).to_string())
}

/// Whether an expanded pattern still holds a Unicode word boundary.
fn has_unicode_word_boundary(pattern: &str) -> bool {
    pattern.matches("\\b").count() > pattern.matches("(?-u:\\b)").count()
}

/// One dateline, signature, caption or inline pattern, expanded and not yet compiled.
struct Source {
    /// As the rule file writes it (error messages name it).
    raw: String,
    expanded: String,
    masked: bool,
}

/// A rule file with every check made that does not need a compiled automaton: its artefact
/// kinds and scripts known, its labels and prefixes not empty, its placeholders expanded (and,
/// after [`Expanded::check_syntax`], every pattern parsed). Compiling what it holds can then
/// fail only on a size limit.
struct Expanded {
    months: Vec<String>,
    lines: HashMap<String, ArtefactKind>,
    prefix_list: Vec<String>,
    prefix_kinds: Vec<ArtefactKind>,
    fast_src: Vec<LinePattern>,
    slow_src: Vec<LinePattern>,
    raw_patterns: Vec<String>,
    inline: Vec<(Source, ArtefactKind)>,
    datelines: Vec<Source>,
    signatures: Vec<Source>,
    captions: Vec<Source>,
}

impl Expanded {
    fn new(file: &str, parsed: &LangFile, extra_months: &[String]) -> Result<Expanded, RulesError> {
        let mut months = lower(parsed.months.clone());
        months.extend(extra_months.iter().map(|m| m.to_lowercase()));
        months.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        months.dedup();
        let month_alt = if months.is_empty() {
            "(?:[^\\s\\S])".to_string()
        } else {
            let parts: Vec<String> = months.iter().map(|m| regex::escape(m)).collect();
            format!("(?:{})", parts.join("|"))
        };
        let agency_mark = regex::escape(&AGENCY_MARK.to_string());
        let letters = script_classes(file, &parsed.scripts)?;
        let source = |p: &String| Source {
            raw: p.clone(),
            expanded: expand(p, &agency_mark, &month_alt, &letters),
            masked: names_agency(p),
        };

        let mut lines = HashMap::new();
        let mut prefix_list = Vec::new();
        let mut prefix_kinds = Vec::new();
        let mut fast_src = Vec::new();
        let mut slow_src = Vec::new();
        let mut raw_patterns: Vec<String> = Vec::new();
        let mut inline = Vec::new();
        for (key, rules) in &parsed.artefacts {
            let kind = ArtefactKind::from_key(key).ok_or_else(|| RulesError::Invalid {
                file: file.into(),
                message: format!(
                    "unknown artefact kind [artefacts.{key}]; known: {}",
                    ArtefactKind::ALL.map(|k| k.key()).join(", ")
                ),
            })?;
            for l in &rules.lines {
                let k = line_key(l);
                if k.is_empty() {
                    return Err(RulesError::Invalid {
                        file: file.into(),
                        message: format!("[artefacts.{key}] has an empty line label {l:?}"),
                    });
                }
                lines.insert(k, kind);
            }
            for p in &rules.prefixes {
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
            for p in &rules.patterns {
                let entry = LinePattern {
                    at: raw_patterns.len(),
                    kind,
                    expanded: expand(p, &agency_mark, &month_alt, &letters),
                    masked: names_agency(p),
                };
                if has_unicode_word_boundary(&entry.expanded) {
                    slow_src.push(entry);
                } else {
                    fast_src.push(entry);
                }
                raw_patterns.push(p.clone());
            }
            for p in &rules.inline {
                if names_agency(p) {
                    return Err(RulesError::Pattern {
                        file: file.into(),
                        pattern: p.clone(),
                        message: "{AGENCY} is not supported in inline patterns".into(),
                    });
                }
                inline.push((source(p), kind));
            }
        }
        Ok(Expanded {
            months,
            lines,
            prefix_list,
            prefix_kinds,
            fast_src,
            slow_src,
            raw_patterns,
            inline,
            datelines: parsed.dateline_patterns.iter().map(source).collect(),
            signatures: parsed.signature_patterns.iter().map(source).collect(),
            captions: parsed.caption_patterns.iter().map(source).collect(),
        })
    }

    /// Parses every expanded pattern as `regex` does (its parser, with its defaults): whatever
    /// would make compiling one fail, bar a size limit, fails here, naming the pattern as written.
    fn check_syntax(&self, file: &str) -> Result<(), RulesError> {
        let line_patterns = self.fast_src.iter().chain(&self.slow_src).map(|p| {
            (
                self.raw_patterns.get(p.at).map_or("", String::as_str),
                p.expanded.as_str(),
            )
        });
        let others = self
            .inline
            .iter()
            .map(|(s, _)| s)
            .chain(&self.datelines)
            .chain(&self.signatures)
            .chain(&self.captions)
            .map(|s| (s.raw.as_str(), s.expanded.as_str()));
        for (raw, expanded) in line_patterns.chain(others) {
            regex_syntax::Parser::new()
                .parse(expanded)
                .map_err(|e| RulesError::Pattern {
                    file: file.into(),
                    pattern: raw.into(),
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }
}

impl LangRules {
    /// Checks a rule file without compiling its automata (what start-up does for every language
    /// file; cheap) and returns its whole-line labels. A file that passes compiles with
    /// [`LangRules::compile`] unless an automaton outgrows its size limit.
    pub fn check(
        file: &str,
        parsed: &LangFile,
        extra_months: &[String],
    ) -> Result<HashMap<String, ArtefactKind>, RulesError> {
        let expanded = Expanded::new(file, parsed, extra_months)?;
        expanded.check_syntax(file)?;
        Ok(expanded.lines)
    }

    pub fn compile(
        file: &str,
        parsed: LangFile,
        extra_months: &[String],
    ) -> Result<LangRules, RulesError> {
        let Expanded {
            months,
            lines,
            prefix_list,
            prefix_kinds,
            fast_src,
            slow_src,
            raw_patterns,
            inline,
            datelines,
            signatures,
            captions,
        } = Expanded::new(file, &parsed, extra_months)?;
        let build = |s: &Source| -> Result<Regex, RulesError> {
            rule_regex(&s.expanded).map_err(|e| RulesError::Pattern {
                file: file.into(),
                pattern: s.raw.clone(),
                message: e.to_string(),
            })
        };
        let build_pattern =
            |s: &Source| -> Result<Pattern, RulesError> { Ok(Pattern::new(build(s)?, s.masked)) };
        let inline = inline
            .iter()
            .map(|(s, kind)| Ok((build(s)?, *kind)))
            .collect::<Result<Vec<_>, RulesError>>()?;
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
        let patterns = match PatternSet::build(&fast_src)
            .and_then(|fast| Ok((fast, PatternSet::build(&slow_src)?)))
        {
            Ok(sets) => sets,
            Err(e) => {
                // Name the pattern that fails; compiling each alone is only needed here.
                for p in fast_src.iter().chain(&slow_src) {
                    rule_regex(&p.expanded).map_err(|e| RulesError::Pattern {
                        file: file.into(),
                        pattern: raw_patterns.get(p.at).cloned().unwrap_or_default(),
                        message: e.to_string(),
                    })?;
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
            Some(rule_regex(&alt.join("|")).map_err(|e| RulesError::Invalid {
                file: file.into(),
                message: format!("inline patterns do not compile together: {e}"),
            })?)
        };
        let inline_gate = match inline_any
            .as_ref()
            .map(|r| without_word_boundaries(r.as_str()))
        {
            Some(Some(gate)) => Some(rule_regex(&gate).map_err(|e| RulesError::Invalid {
                file: file.into(),
                message: format!("inline patterns' gate does not compile: {e}"),
            })?),
            _ => None,
        };
        let datelines = datelines
            .iter()
            .map(build_pattern)
            .collect::<Result<Vec<_>, _>>()?;
        let signatures = signatures
            .iter()
            .map(build_pattern)
            .collect::<Result<Vec<_>, _>>()?;
        let captions = captions
            .iter()
            .map(build_pattern)
            .collect::<Result<Vec<_>, _>>()?;
        let credit_words = longest_first(lower(parsed.credit_words));
        let stop_words = if parsed.code.is_empty() {
            None
        } else {
            super::stopwords::StopWords::for_language(&parsed.code, &parsed.stop_words)
        };
        Ok(LangRules {
            stop_words,
            stop_words_mark_prose: parsed.stop_words_mark_prose,
            code: parsed.code,
            name: parsed.name,
            scripts: parsed.scripts,
            month_words: months
                .iter()
                .map(|m| m.trim_end_matches('.').to_string())
                .collect(),
            credit_word_finder: finder(file, &credit_words)?,
            credit_words,
            caption_labels: lower(parsed.caption_labels),
            here_words: lower(parsed.here_words),
            credit_labels: lower(parsed.credit_labels),
            photographer_markers: parsed.photographer_markers,
            credit_fillers: parsed.credit_fillers,
            credit_outlet_words: lower(parsed.credit_outlet_words),
            photo_words: lower(parsed.photo_words),
            credit_noise: lower(parsed.credit_noise),
            credit_noise_prefixes: lower(parsed.credit_noise_prefixes),
            institution_words: lower(parsed.institution_words),
            byline_prefixes: lower(parsed.byline_prefixes),
            name_joiners: lower(parsed.name_joiners),
            name_particles: lower(parsed.name_particles),
            byline_roles: lower(parsed.byline_roles),
            hyphen_keepers: lower(parsed.hyphen_keepers),
            datelines,
            signatures,
            captions,
            lines,
            prefixes,
            prefix_kinds,
            patterns: patterns.0,
            slow_patterns: patterns.1,
            inline_any,
            inline_gate,
            inline,
        })
    }

    /// The whole line is a known label.
    pub fn match_label(&self, input: &LineInput<'_>) -> Option<ArtefactKind> {
        self.match_key(input.label_key()?)
    }

    /// A whole-line label by its `line_key`.
    pub fn match_key(&self, key: &str) -> Option<ArtefactKind> {
        self.lines.get(key).copied()
    }

    /// Every whole-line label of this file, by key.
    pub fn line_labels(&self) -> impl Iterator<Item = (&str, ArtefactKind)> {
        self.lines.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// How `line` (trimmed, repaired) matches this file's artefact rules, if at all.
    pub fn match_line(&self, input: &LineInput<'_>) -> Option<LineMatch> {
        if let Some(k) = self.match_label(input) {
            return Some(LineMatch::Line(k));
        }
        if let Some(k) = self.match_prefix(input) {
            return Some(LineMatch::Prefix(k));
        }
        // Patterns describe furniture lines; a long paragraph is body whatever it contains.
        let chars = input.chars();
        if chars > MAX_PATTERN_LINE_CHARS {
            return None;
        }
        if let Some(k) = self.patterns.first_match(input) {
            return Some(LineMatch::Pattern(k));
        }
        if self.slow_patterns.is_empty() || chars > MAX_SLOW_PATTERN_LINE_CHARS {
            return None;
        }
        self.slow_patterns
            .first_match(input)
            .map(LineMatch::Pattern)
    }

    /// The line starts with a known prefix followed by a boundary.
    pub fn match_prefix(&self, input: &LineInput<'_>) -> Option<ArtefactKind> {
        let ac = self.prefixes.as_ref()?;
        if input.chars() > MAX_PREFIX_LINE_CHARS {
            return None;
        }
        let lowered = input.lowered();
        let m = ac.find(Input::new(lowered).anchored(Anchored::Yes))?;
        let rest = &lowered[m.end()..];
        let last = lowered[..m.end()].chars().last();
        let boundary = rest.is_empty()
            || last.is_some_and(|c| !c.is_alphanumeric())
            || rest.starts_with(|c: char| !c.is_alphanumeric());
        boundary.then(|| self.prefix_kinds[m.pattern().as_usize()])
    }

    /// Whether a paragraph holds an inline teaser (what `cut_inline` would cut).
    pub fn has_inline(&self, text: &str) -> bool {
        self.inline_gate_passes(text) && self.inline_any.as_ref().is_some_and(|r| r.is_match(text))
    }

    /// Whether `text` can hold an inline teaser: it matches the gate, or there is none.
    fn inline_gate_passes(&self, text: &str) -> bool {
        self.inline_gate.as_ref().is_none_or(|g| g.is_match(text))
    }

    /// Cuts inline teasers out of a paragraph. Returns the new text and what was cut, or `None`
    /// where nothing matched.
    pub fn cut_inline(&self, text: &str) -> Option<(String, Vec<(ArtefactKind, String)>)> {
        let any = self.inline_any.as_ref()?;
        if !self.inline_gate_passes(text) || !any.is_match(text) {
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

    use crate::rules::Agencies;

    fn agencies() -> Agencies {
        Agencies::parse(
            "agencies.toml",
            "[[agency]]\nname = \"dpa\"\nkind = \"news\"\naliases = [\"Deutsche Presse-Agentur\"]\n",
        )
        .unwrap()
    }

    fn rules(toml: &str) -> LangRules {
        LangRules::compile("t.toml", LangFile::parse("t.toml", toml).unwrap(), &[]).unwrap()
    }

    #[test]
    fn whole_line_labels_ignore_case_spacing_and_trailing_colons() {
        let r =
            rules("code='de'\nname='German'\n[artefacts.ui_label]\nlines=['Bild vergrößern']\n");
        let agencies = agencies();
        let label = |line: &str| r.match_label(&LineInput::new(line, &agencies));
        assert_eq!(label("BILD  vergrößern:"), Some(ArtefactKind::UiLabel));
        assert_eq!(label("Bild vergrößern und mehr"), None);
    }

    #[test]
    fn prefixes_need_a_word_boundary() {
        let r = rules(
            "code='de'\nname='German'\n[artefacts.link_teaser]\nprefixes=['Lesen Sie auch']\n",
        );
        let agencies = agencies();
        let prefix = |line: &str| r.match_prefix(&LineInput::new(line, &agencies));
        assert_eq!(
            prefix("Lesen Sie auch: Starkregen in der Eifel"),
            Some(ArtefactKind::LinkTeaser)
        );
        assert_eq!(prefix("Lesen Sie auchmal was"), None);
        let long = format!("Lesen Sie auch {}", "x ".repeat(200));
        assert_eq!(prefix(&long), None);
    }

    #[test]
    fn the_inline_gate_matches_wherever_its_pattern_does() {
        let pattern = r"\((?P<verb>read|see)\b[^()]{0,100}\bhere\)";
        let gate = without_word_boundaries(pattern).unwrap();
        let (pattern, gate) = (Regex::new(pattern).unwrap(), Regex::new(&gate).unwrap());
        for text in [
            "It rained (read more here).",
            "Größere Schäden (see the report here)",
            "(readers here)",
            "(see é here)",
            "No teaser at all.",
        ] {
            assert!(!pattern.is_match(text) || gate.is_match(text), "{text}");
        }
        assert!(gate.is_match("(readers here)"));
        assert!(without_word_boundaries(r"\((?-u:\b)read\)").is_none());
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
        let agencies = agencies();
        let line = "Berlin (Deutsche Presse-Agentur) - Januar";
        let input = LineInput::new(line, &agencies);
        let caps = r.datelines[0].captures(&input).unwrap();
        assert_eq!(
            caps.name("agency").unwrap().as_str(),
            "Deutsche Presse-Agentur"
        );
        assert_eq!(caps.name("place").unwrap().as_str(), "Berlin");
        assert_eq!(caps.get(0).unwrap().end(), line.len());
        // No agency, no match: `{AGENCY}` is an alias, not any word.
        let other = LineInput::new("Berlin (Stadtverwaltung) - Januar", &agencies);
        assert!(!r.datelines[0].is_match(&other));
    }

    #[test]
    fn unknown_artefact_kinds_are_refused() {
        let parsed = LangFile::parse(
            "t.toml",
            "code='de'\nname='German'\n[artefacts.adverts]\nlines=['x']\n",
        )
        .unwrap();
        let err = LangRules::compile("t.toml", parsed, &[]).unwrap_err();
        assert!(err.to_string().contains("adverts"));
    }

    #[test]
    fn patterns_with_a_counted_lead_are_gated_by_what_follows_the_lead() {
        let gate = |p: &str| leading_gate(p).map(|g| Regex::new(&g).unwrap());
        let g = gate(r"(?i)^.{0,120}(?-u:\b)all rights reserved(?-u:\b).{0,200}$").unwrap();
        assert!(g.is_match("© 2024 Example Media. ALL RIGHTS RESERVED."));
        assert!(!g.is_match("They reserved all the rights they had."));
        // The gate stops before a Unicode word boundary and before a long piece.
        let g = gate(r"(?i)^.{0,60}Все права\b.{0,100}\bзащищены\b.{0,250}$").unwrap();
        assert!(g.is_match("© ТАСС. ВСЕ ПРАВА ЗАЩИЩЕНЫ"));
        assert!(gate(r"(?i)^.*contributed to this report$").is_some());
        // Not a counted lead of any character, or too little to gate on.
        assert!(gate(r"^Lesezeit:?\s*\d+.*$").is_none());
        assert!(gate(r"^[^>]{0,40}>\s*[^>]{1,40}$").is_none());
        assert!(gate(r"^.{0,40}\s+.{0,120}$").is_none());
        assert!(gate(r"^.{0,40}ab$").is_none());
    }

    #[test]
    fn a_gated_pattern_matches_exactly_the_lines_its_regex_matches() {
        let r = rules(
            "code='en'\nname='English'\n[artefacts.copyright_footer]\npatterns=[\n\
             '^.{0,12}rights reserved.{0,10}$',\n\
             '^.{0,5}by the (?:desk|wire)\\.?$',\n]\n",
        );
        let originals = [
            Regex::new(r"(?i)^.{0,12}rights reserved.{0,10}$").unwrap(),
            Regex::new(r"(?i)^.{0,5}by the (?:desk|wire)\.?$").unwrap(),
        ];
        let agencies = agencies();
        let pieces = [
            "rights reserved",
            "Rights Reserved",
            "by the desk",
            "by the wire",
            ".",
            "x",
            " ",
            "é",
            "\n",
            "© 2024 ",
            "rights",
            " reserved",
        ];
        let mut runner = proptest::test_runner::TestRunner::default();
        let lines = proptest::collection::vec(0..pieces.len(), 0..8);
        let result = runner.run(&lines, |picks| {
            let line: String = picks.iter().map(|&i| pieces[i]).collect();
            let expected = originals.iter().any(|re| re.is_match(&line));
            let got = r.match_line(&LineInput::new(&line, &agencies)).is_some();
            proptest::prop_assert_eq!(got, expected, "{:?}", line);
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
    }
}

#[cfg(test)]
mod boundary_tests {
    use super::*;

    #[test]
    fn ascii_edges_get_ascii_boundaries_and_other_scripts_keep_unicode_ones() {
        assert_eq!(ascii_word_boundaries(r"\bhere\b"), r"(?-u:\b)here(?-u:\b)");
        assert_eq!(ascii_word_boundaries(r"права\b"), r"права\b");
        assert_eq!(ascii_word_boundaries(r"(?:a|b)\b"), r"(?:a|b)\b");
        assert_eq!(ascii_word_boundaries(r"\\b"), r"\\b");
        assert!(!has_unicode_word_boundary(&ascii_word_boundaries(
            r"\bhere"
        )));
        assert!(has_unicode_word_boundary(r"права\b"));
    }
}

#[cfg(test)]
mod script_class_tests {
    use super::*;

    #[test]
    fn letters_are_the_files_scripts() {
        let classes = script_classes("ru.toml", &["Cyrillic".to_string()]).unwrap();
        let re = Regex::new(&expand(r"^{LU}{L}+$", "", "", &classes)).unwrap();
        assert!(re.is_match("Москва"));
        assert!(!re.is_match("Moskva"));
        let upper = Regex::new(&expand(r"^(?-i:{LU}+)$", "", "", &classes)).unwrap();
        assert!(upper.is_match("МОСКВА"));
        assert!(!upper.is_match("Москва"));
        // `\p{L}` is left alone.
        assert!(expand(r"[\p{L}]", "", "", &classes).contains(r"\p{L}"));
        let han = script_classes("zh.toml", &["Mandarin".to_string()]).unwrap();
        assert!(
            Regex::new(&expand("^{L}+$", "", "", &han))
                .unwrap()
                .is_match("北京")
        );
    }

    #[test]
    fn unknown_scripts_are_refused() {
        let err = script_classes("xx.toml", &["Klingon".to_string()]).unwrap_err();
        assert!(err.to_string().contains("Klingon"));
    }
}
