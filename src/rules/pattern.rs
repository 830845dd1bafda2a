//! A compiled rule pattern. Patterns that name `{AGENCY}` run on the line with its agency aliases
//! masked to one character ([`Agencies::mask`]), so the alias list is compiled once (into the
//! agency finder) instead of into every pattern; their matches are mapped back to the line.

use std::cell::OnceCell;

use regex::Regex;

use super::agencies::{Agencies, Masked};

/// Lines longer than this (in bytes) are never whole-line labels.
pub const MAX_LABEL_LINE_BYTES: usize = 200;

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
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// One line as rules see it: the text, and (each computed once, when a rule file needs it) the
/// text with its agencies masked, its whole-line label key, its lower-cased form and its length
/// in characters.
pub struct LineInput<'a> {
    text: &'a str,
    agencies: &'a Agencies,
    masked: OnceCell<Masked<'a>>,
    key: OnceCell<String>,
    lowered: OnceCell<String>,
    chars: OnceCell<usize>,
}

impl<'a> LineInput<'a> {
    pub fn new(text: &'a str, agencies: &'a Agencies) -> LineInput<'a> {
        LineInput {
            text,
            agencies,
            masked: OnceCell::new(),
            key: OnceCell::new(),
            lowered: OnceCell::new(),
            chars: OnceCell::new(),
        }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The line's length in characters.
    pub fn chars(&self) -> usize {
        *self.chars.get_or_init(|| self.text.chars().count())
    }

    /// The key whole-line labels are looked up by ([`line_key`]); `None` for a line longer than
    /// any label (`MAX_LABEL_LINE_BYTES`).
    pub fn label_key(&self) -> Option<&str> {
        (self.text.len() <= MAX_LABEL_LINE_BYTES)
            .then(|| self.key.get_or_init(|| line_key(self.text)).as_str())
    }

    /// The line without leading space, lower-cased (prefixes are matched on it).
    pub fn lowered(&self) -> &str {
        self.lowered
            .get_or_init(|| self.text.trim_start().to_lowercase())
    }

    /// The line with every agency alias masked.
    pub fn masked(&self) -> &Masked<'a> {
        self.masked.get_or_init(|| self.agencies.mask(self.text))
    }
}

/// A dateline, signature or caption pattern.
#[derive(Debug)]
pub struct Pattern {
    regex: Regex,
    /// The pattern names `{AGENCY}`: it runs on the masked line.
    masked: bool,
}

impl Pattern {
    pub(crate) fn new(regex: Regex, masked: bool) -> Pattern {
        Pattern { regex, masked }
    }

    /// Where the pattern matches `input`, with its groups in the original line.
    pub fn captures<'s>(&self, input: &'s LineInput<'_>) -> Option<PatternCaptures<'s>> {
        // Most lines match no pattern: a search for a match alone allocates no groups.
        if !self.is_match(input) {
            return None;
        }
        if self.masked {
            let masked = input.masked();
            let caps = self.regex.captures(masked.text())?;
            Some(PatternCaptures {
                caps,
                masked: Some(masked),
                text: masked.original(),
            })
        } else {
            let caps = self.regex.captures(input.text())?;
            Some(PatternCaptures {
                caps,
                masked: None,
                text: input.text(),
            })
        }
    }

    /// The text the pattern runs on: the masked line for patterns naming `{AGENCY}`, else the
    /// line.
    pub fn haystack<'s>(&self, input: &'s LineInput<'_>) -> &'s str {
        if self.masked {
            input.masked().text()
        } else {
            input.text()
        }
    }

    /// Whether the pattern matches somewhere in `input`.
    pub fn is_match(&self, input: &LineInput<'_>) -> bool {
        self.regex.is_match(self.haystack(input))
    }
}

/// The groups of one match, as ranges of the original line.
pub struct PatternCaptures<'s> {
    caps: regex::Captures<'s>,
    masked: Option<&'s Masked<'s>>,
    text: &'s str,
}

/// One group of a match in the original line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span<'s> {
    start: usize,
    end: usize,
    text: &'s str,
}

impl<'s> Span<'s> {
    pub fn start(&self) -> usize {
        self.start
    }
    pub fn end(&self) -> usize {
        self.end
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn as_str(&self) -> &'s str {
        self.text.get(self.start..self.end).unwrap_or("")
    }
}

impl<'s> PatternCaptures<'s> {
    fn span(&self, m: regex::Match<'_>) -> Span<'s> {
        let (start, end) = match self.masked {
            Some(masked) => masked.original_range(m.start(), m.end()),
            None => (m.start(), m.end()),
        };
        Span {
            start,
            end,
            text: self.text,
        }
    }

    /// Group `i` (0 is the whole match).
    pub fn get(&self, i: usize) -> Option<Span<'s>> {
        self.caps.get(i).map(|m| self.span(m))
    }

    /// A named group.
    pub fn name(&self, name: &str) -> Option<Span<'s>> {
        self.caps.name(name).map(|m| self.span(m))
    }
}
