//! News agencies and picture services: canonical names and every form copy writes them in.

use std::collections::HashMap;

use serde::Deserialize;

use super::RulesError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A news agency: listed in `agencies`.
    News,
    /// A picture service (Getty Images, picture alliance): only in image credits.
    Picture,
    /// Not an agency (a press-release service, a publisher): recognised, never listed.
    Publisher,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    pub kind: AgencyKind,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub home: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgenciesFile {
    agency: Vec<Agency>,
}

/// The agency table with a case-insensitive alias index.
#[derive(Debug)]
pub struct Agencies {
    list: Vec<Agency>,
    by_alias: HashMap<String, usize>,
    /// Finds aliases in running text (footers, signatures), whole words only.
    finder: aho_corasick::AhoCorasick,
    /// For each pattern of `finder`: the agency it names and whether its edges need a boundary.
    finder_patterns: Vec<(usize, Edge, Edge)>,
}

/// The character an agency alias becomes in a masked line (a private-use code point: copy never
/// means anything by it, and one in the input is replaced before masking).
pub const AGENCY_MARK: char = '\u{E000}';

/// A line with its agency aliases masked (see [`Agencies::mask`]).
#[derive(Debug)]
pub struct Masked<'t> {
    original: &'t str,
    /// `None` where the line names no agency: patterns then run on the line itself.
    masked: Option<String>,
    spans: Vec<MaskSpan>,
}

#[derive(Debug, Clone, Copy)]
struct MaskSpan {
    masked_start: usize,
    orig_end: usize,
}

impl<'t> Masked<'t> {
    /// The text patterns with `{AGENCY}` run on.
    pub fn text(&self) -> &str {
        self.masked.as_deref().unwrap_or(self.original)
    }

    /// The original line.
    pub fn original(&self) -> &'t str {
        self.original
    }

    /// The original text a range of the masked text stands for.
    pub fn original_range(&self, start: usize, end: usize) -> (usize, usize) {
        (self.to_original(start), self.to_original(end))
    }

    fn to_original(&self, at: usize) -> usize {
        let mut shift: isize = 0;
        for span in &self.spans {
            let mark_end = span.masked_start + AGENCY_MARK.len_utf8();
            if at < mark_end {
                break;
            }
            shift = span.orig_end as isize - mark_end as isize;
        }
        at.saturating_add_signed(shift)
    }
}

/// The case forms an alias is searched in: as written, lower case, upper case, and every word
/// capitalised ("ТАСС", "тасс", "Тасс"; "Anadolu Ajansı", "ANADOLU AJANSI"). An ASCII alias is
/// searched as written only: the finder ignores ASCII case.
fn case_forms(alias: &str) -> Vec<String> {
    let mut forms = vec![alias.to_string()];
    if alias.is_ascii() {
        return forms;
    }
    let capitalised: String = alias
        .split_inclusive([' ', '-'])
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect();
    for form in [alias.to_lowercase(), alias.to_uppercase(), capitalised] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

fn push_unmarked(out: &mut String, text: &str) {
    for c in text.chars() {
        out.push(if c == AGENCY_MARK { '\u{FFFD}' } else { c });
    }
}

/// What must stand beside an alias for it to be a whole word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// An ASCII letter or digit edge: no ASCII letter or digit beside it ("AFP時事" holds "AFP").
    Ascii,
    /// A letter of another spaced script: no letter or digit beside it.
    Word,
    /// CJK: anything may stand beside it ("新华社北京").
    Free,
}

fn edge(c: Option<char>) -> Edge {
    match c {
        Some(c) if c.is_ascii_alphanumeric() => Edge::Ascii,
        Some(c) if c.is_alphanumeric() && (c as u32) < 0x2E80 => Edge::Word,
        _ => Edge::Free,
    }
}

fn edge_ok(edge: Edge, beside: Option<char>) -> bool {
    match (edge, beside) {
        (_, None) | (Edge::Free, _) => true,
        (Edge::Ascii, Some(c)) => !(c.is_ascii_alphanumeric() || c == '_'),
        (Edge::Word, Some(c)) => !(c.is_alphanumeric() || c == '_'),
    }
}

/// Folds an alias or a token for lookup: lower case, runs of spaces as one, no dots.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            if c != '.' {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

impl Agencies {
    pub fn parse(file: &str, text: &str) -> Result<Agencies, RulesError> {
        let parsed: AgenciesFile = toml::from_str(text).map_err(|e| RulesError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let mut by_alias: HashMap<String, usize> = HashMap::new();
        for (i, agency) in parsed.agency.iter().enumerate() {
            if agency.name.trim().is_empty() {
                return Err(RulesError::Invalid {
                    file: file.into(),
                    message: format!("agency #{} has an empty name", i + 1),
                });
            }
            for alias in std::iter::once(&agency.name).chain(agency.aliases.iter()) {
                let key = fold(alias);
                if key.is_empty() {
                    continue;
                }
                if let Some(&other) = by_alias.get(&key)
                    && other != i
                {
                    return Err(RulesError::Invalid {
                        file: file.into(),
                        message: format!(
                            "alias {alias:?} names both {:?} and {:?}",
                            parsed.agency[other].name, agency.name
                        ),
                    });
                }
                by_alias.insert(key, i);
            }
        }
        let mut aliases_longest_first: Vec<String> = parsed
            .agency
            .iter()
            .flat_map(|a| std::iter::once(a.name.clone()).chain(a.aliases.iter().cloned()))
            .filter(|a| !a.trim().is_empty())
            .collect();
        aliases_longest_first.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        aliases_longest_first.dedup();
        // Aliases are found by one Aho-Corasick automaton (leftmost-longest) over the text as it
        // is: ASCII case is ignored by the automaton, other scripts' aliases are listed in the
        // case forms copy writes them in (as written, lower, upper, each word capitalised). Word
        // edges are checked in code, so non-ASCII aliases cost no Unicode word-boundary search.
        let mut finder_words: Vec<String> = Vec::new();
        let mut finder_patterns = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for alias in &aliases_longest_first {
            let Some(&index) = by_alias.get(&fold(alias)) else {
                continue;
            };
            let edges = (edge(alias.chars().next()), edge(alias.chars().last()));
            for form in case_forms(alias) {
                if seen.insert(form.to_ascii_lowercase()) {
                    finder_patterns.push((index, edges.0, edges.1));
                    finder_words.push(form);
                }
            }
        }
        let finder = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&finder_words)
            .map_err(|e| RulesError::Invalid {
                file: file.into(),
                message: format!("aliases do not compile: {e}"),
            })?;
        Ok(Agencies {
            list: parsed.agency,
            by_alias,
            finder,
            finder_patterns,
        })
    }

    /// The agency a token names ("dpa", "REUTERS", "ТАСС", "Associated Press"), if any.
    pub fn lookup(&self, token: &str) -> Option<&Agency> {
        let key = fold(token.trim_matches(|c: char| !c.is_alphanumeric()));
        self.by_alias.get(&key).map(|&i| &self.list[i])
    }

    /// Every agency named in `text` as a whole word, in order of appearance, once each.
    pub fn find_in(&self, text: &str) -> Vec<&Agency> {
        let mut out: Vec<&Agency> = Vec::new();
        for (index, _, _) in self.whole_words(text) {
            let agency = &self.list[index];
            if !out.iter().any(|o| o.name == agency.name) {
                out.push(agency);
            }
        }
        out
    }

    /// `text` with every alias found as a whole word replaced by [`AGENCY_MARK`], so that a
    /// pattern can say "an agency" with one character instead of the whole alias list. The
    /// aliases are the ones `find_in` finds: leftmost-longest, whole words.
    pub fn mask<'t>(&self, text: &'t str) -> Masked<'t> {
        let spans: Vec<(usize, usize)> = self.whole_words(text).map(|(_, s, e)| (s, e)).collect();
        if spans.is_empty() && !text.contains(AGENCY_MARK) {
            return Masked {
                original: text,
                masked: None,
                spans: Vec::new(),
            };
        }
        let mut masked = String::with_capacity(text.len());
        let mut out_spans = Vec::with_capacity(spans.len());
        let mut last = 0;
        for (start, end) in spans {
            push_unmarked(&mut masked, &text[last..start]);
            out_spans.push(MaskSpan {
                masked_start: masked.len(),
                orig_end: end,
            });
            masked.push(AGENCY_MARK);
            last = end;
        }
        push_unmarked(&mut masked, &text[last..]);
        Masked {
            original: text,
            masked: Some(masked),
            spans: out_spans,
        }
    }

    /// Every alias in `text` as a whole word: (agency index, start, end), leftmost-longest.
    fn whole_words<'s>(
        &'s self,
        text: &'s str,
    ) -> impl Iterator<Item = (usize, usize, usize)> + 's {
        self.finder.find_iter(text).filter_map(move |m| {
            let (index, start_edge, end_edge) = self.finder_patterns[m.pattern().as_usize()];
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            (edge_ok(start_edge, before) && edge_ok(end_edge, after)).then_some((
                index,
                m.start(),
                m.end(),
            ))
        })
    }

    pub fn all(&self) -> &[Agency] {
        &self.list
    }

    /// Canonical names of the news agencies, sorted.
    pub fn news_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .list
            .iter()
            .filter(|a| a.kind == AgencyKind::News)
            .map(|a| a.name.clone())
            .collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agencies() -> Agencies {
        Agencies::parse(
            "agencies.toml",
            r#"
[[agency]]
name = "dpa"
kind = "news"
aliases = ["Deutsche Presse-Agentur"]
[[agency]]
name = "Anadolu Agency"
kind = "news"
aliases = ["AA", "İHA"]
[[agency]]
name = "TASS"
kind = "news"
aliases = ["ТАСС"]
"#,
        )
        .unwrap()
    }

    fn original<'t>(m: &Masked<'t>, start: usize, end: usize) -> &'t str {
        let (s, e) = m.original_range(start, end);
        &m.original()[s..e]
    }

    #[test]
    fn aliases_become_one_mark_and_map_back() {
        let a = agencies();
        let m = a.mask("Berlin (Deutsche Presse-Agentur) - dpa/TASS");
        assert_eq!(m.text(), "Berlin (\u{E000}) - \u{E000}/\u{E000}");
        let first = m.text().find('\u{E000}').unwrap();
        assert_eq!(
            original(&m, first, first + AGENCY_MARK.len_utf8()),
            "Deutsche Presse-Agentur"
        );
        assert_eq!(original(&m, 0, m.text().len()), m.original());
        assert_eq!(original(&m, 0, 6), "Berlin");
    }

    #[test]
    fn only_whole_words_are_masked() {
        let a = agencies();
        let m = a.mask("Staatsanwalt AAron sagt dpaX");
        assert_eq!(m.text(), "Staatsanwalt AAron sagt dpaX");
    }

    #[test]
    fn lower_casing_that_changes_lengths_still_maps_back() {
        // "İ" lower-cases to two characters; the offsets after it must still be right.
        let a = agencies();
        let m = a.mask("İSTANBUL (İHA) - Вчера ТАСС сообщил");
        assert_eq!(m.text(), "İSTANBUL (\u{E000}) - Вчера \u{E000} сообщил");
        let marks: Vec<usize> = m.text().match_indices('\u{E000}').map(|(i, _)| i).collect();
        assert_eq!(original(&m, marks[0], marks[0] + 3), "İHA");
        assert_eq!(original(&m, marks[1], marks[1] + 3), "ТАСС");
        let tail = m.text().find(" сообщил").unwrap();
        assert_eq!(original(&m, tail, m.text().len()), " сообщил");
    }

    #[test]
    fn a_mark_in_the_input_is_not_an_agency() {
        let a = agencies();
        let m = a.mask("a \u{E000} b");
        assert!(!m.text().contains(AGENCY_MARK));
        assert_eq!(original(&m, 0, m.text().len()), "a \u{E000} b");
        assert_eq!(a.mask("no agency here").text(), "no agency here");
    }
}
