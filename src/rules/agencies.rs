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
    /// Every alias, longest first, for building `{AGENCY}` alternations.
    aliases_longest_first: Vec<String>,
    /// Finds aliases in running text (footers, signatures), whole words only.
    finder: aho_corasick::AhoCorasick,
    /// For each pattern of `finder`: the agency it names and whether its edges need a boundary.
    finder_patterns: Vec<(usize, Edge, Edge)>,
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
        // Aliases are found in lower-cased text by one Aho-Corasick automaton (leftmost-longest);
        // word edges are checked in code, so non-ASCII aliases cost no Unicode word-boundary
        // search.
        let mut finder_words: Vec<String> = Vec::new();
        let mut finder_patterns = Vec::new();
        for alias in &aliases_longest_first {
            let lower = alias.to_lowercase();
            let Some(&index) = by_alias.get(&fold(alias)) else {
                continue;
            };
            if finder_words.contains(&lower) {
                continue;
            }
            finder_patterns.push((
                index,
                edge(alias.chars().next()),
                edge(alias.chars().last()),
            ));
            finder_words.push(lower);
        }
        let finder = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&finder_words)
            .map_err(|e| RulesError::Invalid {
                file: file.into(),
                message: format!("aliases do not compile: {e}"),
            })?;
        Ok(Agencies {
            list: parsed.agency,
            by_alias,
            aliases_longest_first,
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
        let lower = text.to_lowercase();
        let mut out: Vec<&Agency> = Vec::new();
        for m in self.finder.find_iter(&lower) {
            let (index, start_edge, end_edge) = self.finder_patterns[m.pattern().as_usize()];
            let before = lower[..m.start()].chars().next_back();
            let after = lower[m.end()..].chars().next();
            if !edge_ok(start_edge, before) || !edge_ok(end_edge, after) {
                continue;
            }
            let agency = &self.list[index];
            if !out.iter().any(|o| o.name == agency.name) {
                out.push(agency);
            }
        }
        out
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

    /// A regex alternation (non-capturing) of every alias, longest first.
    pub fn alternation(&self) -> String {
        let parts: Vec<String> = self
            .aliases_longest_first
            .iter()
            .map(|a| regex::escape(a).replace("\\ ", "\\s+").replace(' ', "\\s+"))
            .collect();
        format!("(?:{})", parts.join("|"))
    }
}
