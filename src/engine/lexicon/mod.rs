//! What the rule files say about one line: the parsers of credits (→ creators and agencies),
//! datelines (→ place, date and agencies), bylines and signatures (→ authors and agencies), and
//! the lexicon look-ups (labels, months, credit words, inline teasers, stop words). `features`
//! asks them for evidence; `extract` asks them for the fields of the units that hold them.

pub mod byline;
pub mod credit;
pub mod dateline;
pub mod teaser;

use crate::rules::{Agencies, AgencyKind, LangRules, LineInput, LineMatch, Rules, StopWords};

/// The rule files that apply to a document: its language's (if any) and the common one.
#[derive(Clone, Copy)]
pub struct Applied<'r> {
    pub lang: Option<&'r LangRules>,
    pub common: &'r LangRules,
    pub agencies: &'r Agencies,
    /// Every language's rules (for other languages' labels left in machine translations).
    pub rules: &'r Rules,
}

impl<'r> Applied<'r> {
    /// The rules for a document in language `code` (common rules only where it has no file).
    pub fn new(rules: &'r crate::rules::Rules, code: &str) -> Applied<'r> {
        Applied {
            lang: rules.language(code),
            common: rules.common(),
            agencies: rules.agencies(),
            rules,
        }
    }

    /// How the rule files classify a whole line: the language's file, then `common.toml`, then
    /// other languages' whole-line labels (page furniture left untranslated by machine
    /// translation; then `true`).
    pub fn match_line(&self, text: &str) -> Option<(LineMatch, bool)> {
        self.match_line_in(&LineInput::new(text, self.agencies))
    }

    /// [`Applied::match_line`] on a line the caller has already prepared.
    pub fn match_line_in(&self, input: &LineInput<'_>) -> Option<(LineMatch, bool)> {
        if let Some(m) = self.files().find_map(|f| f.match_line(input)) {
            return Some((m, false));
        }
        self.rules
            .foreign_label(input, self.lang.map(|l| l.code.as_str()))
            .map(|k| (LineMatch::Line(k), true))
    }

    /// The document language's stop words, if it has a list.
    pub fn stop_words(&self) -> Option<&'r StopWords> {
        self.lang.and_then(|l| l.stop_words.as_ref())
    }

    /// The stop words, where a text without any of them is no prose of the language (see the
    /// rule key `stop_words_mark_prose`).
    pub fn prose_stop_words(&self) -> Option<&'r StopWords> {
        self.lang
            .filter(|l| l.stop_words_mark_prose)
            .and_then(|l| l.stop_words.as_ref())
    }

    /// The words that join two names in a list, of the language and common.toml.
    pub fn name_joiners(&self) -> Vec<String> {
        self.files()
            .flat_map(|f| f.name_joiners.iter().cloned())
            .collect()
    }

    /// Whether a lower-case word stands inside names without a capital ("von", "de", "bin").
    pub fn is_name_particle(&self, word: &str) -> bool {
        self.files()
            .any(|f| f.name_particles.iter().any(|p| p == word))
    }

    /// Whether a lower-case word says what a person in a byline is ("reporter", "기자", "记者").
    pub fn is_byline_role(&self, word: &str) -> bool {
        self.files()
            .any(|f| f.byline_roles.iter().any(|p| p == word))
    }

    /// Whether a credited name holds a word that makes it an institution, a company or a
    /// hand-out ("Stadt Aalen", "Calderdale Council", "Privat"), not a photographer.
    pub fn names_institution(&self, name: &str) -> bool {
        name.split(|c: char| !c.is_alphanumeric() && c != '.')
            .map(|w| w.trim_end_matches('.').to_lowercase())
            .filter(|w| !w.is_empty())
            .any(|w| {
                self.files().any(|f| {
                    f.institution_words
                        .iter()
                        .any(|x| x.trim_end_matches('.') == w)
                })
            })
    }

    /// Whether a lower-case word is a month name or abbreviation of the language.
    pub fn is_month(&self, word: &str) -> bool {
        self.files().any(|f| f.month_words.contains(word))
    }

    /// Whether a paragraph holds an inline teaser of the language's or the common rules.
    pub fn has_inline_teaser(&self, text: &str) -> bool {
        self.files().any(|f| f.has_inline(text))
    }

    /// Where the language's credit words stand in a line: whether it opens with one followed
    /// by a colon, a full stop, a slash or a space ("Foto: …", "Fot. …", "Photo/…"), and
    /// whether one stands as a word of its own after its start ("… Foto: archiv", "Submitted
    /// photo", "(Foto concessa)"). One pass of each file's automaton over the lower-cased line.
    /// `lower` is the line lower-cased (the caller's `LineInput::lowered`, shared with the
    /// prefix match).
    pub fn credit_words_in(&self, lower: &str) -> CreditWords {
        let mut found = CreditWords::default();
        for ac in self.files().filter_map(|f| f.credit_word_finder.as_ref()) {
            for m in ac.find_overlapping_iter(lower) {
                let after = lower[m.end()..].chars().next();
                if m.start() == 0 {
                    found.at_start |=
                        after.is_some_and(|c| [':', '.', '/', ' ', '：'].contains(&c));
                } else {
                    let before = lower[..m.start()].chars().next_back();
                    found.inside |= before.is_some_and(|c| !c.is_alphanumeric())
                        && after.is_none_or(|c| !c.is_alphanumeric());
                }
                if found.at_start && found.inside {
                    return found;
                }
            }
        }
        found
    }

    /// The test rules for `code`, built once per test process.
    #[cfg(test)]
    pub fn for_test(code: &str) -> Applied<'static> {
        Applied::new(crate::rules::test_rules(), code)
    }
    /// The language's rules first, then common.
    pub fn files(&self) -> impl Iterator<Item = &'r LangRules> + '_ {
        self.lang.into_iter().chain(std::iter::once(self.common))
    }
}

/// What [`Applied::credit_words_in`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditWords {
    pub at_start: bool,
    pub inside: bool,
}

/// `text` without a case-insensitive `prefix`, compared character by character (so that
/// case changes that change byte lengths are safe).
pub fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let mut rest = text.char_indices();
    for p in prefix.chars() {
        let (_, c) = rest.next()?;
        if !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
    }
    let at = rest.next().map_or(text.len(), |(i, _)| i);
    Some(&text[at..])
}

/// Whether `s` is a person's name of two cased words that may open with an agency's alias
/// ("Petra Šimková", "Ana Prates"): each word has lower-case letters and none is a photo word,
/// credit noise or an institution word ("AP Photo", "EFE Foto", "Redaktion Reuters" are not).
pub fn two_word_name(s: &str, applied: &Applied) -> bool {
    has_case(s)
        && s.split_whitespace().count() == 2
        && looks_like_name(s, applied)
        && !applied.names_institution(s)
        && s.split_whitespace().all(|w| {
            let lower = w.to_lowercase();
            w.chars().any(char::is_lowercase)
                && !applied
                    .files()
                    .any(|f| f.photo_words.contains(&lower) || f.credit_noise.contains(&lower))
        })
}

/// Whether `s` looks like a person's name: 1–5 words, each capitalised (or all caps, or a
/// particle), letters, dots, hyphens and apostrophes only (the Hebrew maqaf and geresh, and the
/// Unicode hyphens, count as such: "עדי ברק־לוי"). Scripts without case pass on shape.
pub fn looks_like_name(s: &str, applied: &Applied) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || s.chars().count() > 60 {
        return false;
    }
    let mut capitalised = 0;
    for (i, w) in words.iter().enumerate() {
        if !w.chars().all(|c| {
            c.is_alphabetic()
                || unicode_normalization::char::is_combining_mark(c)
                || matches!(c, '.' | '-' | '\'' | '’' | '·' | '‐' | '‑' | '־' | '׳')
        }) {
            return false;
        }
        let first = w.chars().next().unwrap_or(' ');
        if first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase()) {
            capitalised += 1;
        } else if i == 0 || i == words.len() - 1 || !applied.is_name_particle(&w.to_lowercase()) {
            return false;
        }
    }
    capitalised > 0
}

/// Whether a word, without the punctuation around it, says what a person in a byline is
/// ("reporter", "Korrespondentin,", "기자").
pub fn is_role_word(w: &str, applied: &Applied) -> bool {
    let core = w.trim_matches(|c: char| !c.is_alphanumeric());
    !core.is_empty() && applied.is_byline_role(&core.to_lowercase())
}

/// A byline part without the words beside a name that say what the person is ("김서윤 기자" →
/// "김서윤", "记者 王佳" → "王佳", "Reporter Jane Doe" → "Jane Doe"); `None` where the part names
/// no one: role words only, or one word and the role it qualifies ("Crime Reporter").
pub fn person_part<'a>(part: &'a str, applied: &Applied) -> Option<&'a str> {
    let s = part.trim();
    let words: Vec<&str> = s.split_whitespace().collect();
    let role = |w: &str| is_role_word(w, applied);
    let (mut lo, mut hi) = (0, words.len());
    while lo < hi && role(words[lo]) {
        lo += 1;
    }
    let before = hi;
    while hi > lo && role(words[hi - 1]) {
        hi -= 1;
    }
    if lo == hi {
        return None;
    }
    if hi < before && hi - lo == 1 && has_case(words[lo]) {
        return None;
    }
    // Without case, words after a role are what the role is about ("خبرنگار ایرنا در رشت",
    // "reporter of IRNA in Rasht"), unless they are one name ("记者 王佳").
    if lo > 0 && hi - lo >= 2 && !words[lo..hi].iter().any(|w| has_case(w)) {
        return None;
    }
    if lo == 0 && hi == words.len() {
        return Some(s);
    }
    // The words are slices of `s`: their offsets bound the name.
    let start = words[lo].as_ptr() as usize - s.as_ptr() as usize;
    let end = words[hi - 1].as_ptr() as usize - s.as_ptr() as usize + words[hi - 1].len();
    s.get(start..end)
}

/// Whether `s` has a letter of a script with case (Latin, Greek, Cyrillic, …).
pub fn has_case(s: &str) -> bool {
    s.chars().any(|c| c.is_uppercase() || c.is_lowercase())
}

/// A place after a name in a byline's list ("Af Frederik Juul, Aalborg", "מאת ליאת גבאי, נשר"):
/// one word, no initials, after a name of two words or more.
pub fn place_after_name(part: &str, previous: Option<&String>) -> bool {
    let one_word = !part.trim().contains(char::is_whitespace);
    let cased = has_case(part);
    let initials = part.contains(['.', '"', '״'])
        || cased && part.chars().filter(|c| c.is_alphabetic()).count() <= 3;
    one_word
        && !initials
        && previous.is_some_and(|p| p.split_whitespace().count() >= 2)
        && part.chars().any(char::is_lowercase) == part.chars().any(char::is_uppercase)
}

/// Splits a list of names: "A, B und C", "A and B", "A/B", "A; B". `joiners` are the words that
/// join two names (the rules' `name_joiners`: "and", "und", "et", …).
pub fn split_names<'a>(s: &'a str, joiners: &[String]) -> Vec<&'a str> {
    let mut parts: Vec<&str> = s
        .split([',', ';', '/', '&', '、', '،'])
        .map(str::trim)
        .collect();
    for joiner in joiners {
        let sep = format!(" {joiner} ");
        parts = parts
            .into_iter()
            .flat_map(|p| {
                let lower = p.to_lowercase();
                match lower.find(&sep) {
                    // Lower-casing can move byte offsets; split only where it did not.
                    Some(at) if lower.len() == p.len() => {
                        match (p.get(..at), p.get(at + sep.len()..)) {
                            (Some(a), Some(b)) => vec![a.trim(), b.trim()],
                            _ => vec![p],
                        }
                    }
                    _ => vec![p],
                }
            })
            .collect();
    }
    // Chinese, Japanese and Korean bylines list names separated by spaces: "周雨桐 陈家豪".
    parts
        .into_iter()
        .flat_map(|p| {
            if p.contains(' ') && p.chars().all(|c| c == ' ' || is_cjk_letter(c)) {
                p.split(' ').collect::<Vec<_>>()
            } else {
                vec![p]
            }
        })
        .filter(|p| !p.is_empty())
        .collect()
}

pub use super::types::is_cjk_letter;

/// Canonical names of the news agencies among `names`, once each (pictures and publishers out).
pub fn news_only(agencies: &Agencies, names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if let Some(a) = agencies.lookup(n)
            && a.kind == AgencyKind::News
            && !out.contains(&a.name)
        {
            out.push(a.name.clone());
        }
    }
    out
}

/// The canonical name of `agency` where it is a news agency: one name or none.
pub fn news_name(agency: &crate::rules::Agency) -> Vec<String> {
    if agency.kind == AgencyKind::News {
        vec![agency.name.clone()]
    } else {
        vec![]
    }
}

/// Builds a `Vec<String>` from string slices (tests).
#[cfg(test)]
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// Pushes `name` once.
pub fn push_unique(v: &mut Vec<String>, name: &str) {
    if !v.iter().any(|x| x == name) {
        v.push(name.to_string());
    }
}

/// Whether the text ends like a sentence.
pub fn ends_sentence(s: &str) -> bool {
    let t = s.trim_end_matches(['"', '\'', '“', '”', '»', '«', '’', ')', '」', '』', '）']);
    t.ends_with([
        '.', '!', '?', '。', '！', '？', '…', ':', ';', '؟', '।', '۔',
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_strip_without_case() {
        assert_eq!(strip_prefix_ci("FOTO: x", "foto"), Some(": x"));
        assert_eq!(strip_prefix_ci("ÄRGER über", "ärger"), Some(" über"));
        assert_eq!(strip_prefix_ci("Fo", "foto"), None);
    }

    #[test]
    fn names() {
        let a = Applied::for_test("de");
        assert!(looks_like_name("Vitaly Smolnikov", &a));
        assert!(looks_like_name("JANE DOE", &a));
        assert!(looks_like_name("Ursula von der Leyen", &a));
        assert!(!looks_like_name("Frankfurt am Main", &a));
        assert!(!looks_like_name("the minutes of the events", &a));
        assert!(looks_like_name("李明", &a));
    }

    #[test]
    fn name_lists_split() {
        assert_eq!(
            split_names("Anna Berg, Jan Kos und Eva Lind", &["und".to_string()]),
            vec!["Anna Berg", "Jan Kos", "Eva Lind"]
        );
        assert_eq!(
            split_names("A. Smith and B. Jones", &["and".to_string()]),
            vec!["A. Smith", "B. Jones"]
        );
    }
}
