//! Stop words of one language: how much of a line is the small words running text is made of
//! (jusText's signal: prose is dense with them, menus and titles are not). The lists are the
//! stopwords-iso lists of the `stop-words` crate, with a rule file's `stop_words` added.

use std::collections::HashSet;

/// One language's stop words.
#[derive(Debug, Default)]
pub struct StopWords {
    words: HashSet<String>,
    /// Single-character entries, for scripts written without spaces (Chinese, Japanese).
    chars: HashSet<char>,
}

/// The code the `stop-words` crate files a language under, where it differs from ours.
fn crate_code(code: &str) -> &str {
    match code {
        "nb" | "nn" => "no",
        other => other,
    }
}

/// Unspaced scripts: Han, kana (Hangul is written with spaces).
fn unspaced(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

impl StopWords {
    /// The list for `code` plus `extra`; `None` where neither has a word.
    pub fn for_language(code: &str, extra: &[String]) -> Option<StopWords> {
        let listed = stop_words::lookup(crate_code(code)).unwrap_or(&[]);
        let mut s = StopWords::default();
        for w in listed
            .iter()
            .copied()
            .chain(extra.iter().map(String::as_str))
        {
            let w = w.trim().to_lowercase();
            if w.is_empty() {
                continue;
            }
            let mut cs = w.chars();
            if let (Some(c), None) = (cs.next(), cs.next())
                && unspaced(c)
            {
                s.chars.insert(c);
            }
            s.words.insert(w);
        }
        (!s.words.is_empty()).then_some(s)
    }

    /// Whether a lower-case word is a stop word.
    pub fn contains(&self, lower: &str) -> bool {
        self.words.contains(lower)
    }

    /// Share of `text`'s words that are stop words, in percent (for Chinese and Japanese text:
    /// of its characters that are single-character stop words). 0 for a text without words.
    pub fn share(&self, text: &str) -> u8 {
        let (mut words, mut stop) = (0u32, 0u32);
        let (mut han, mut han_stop) = (0u32, 0u32);
        let mut lower = String::new();
        for w in text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
            if w.is_empty() {
                continue;
            }
            if w.chars().any(unspaced) {
                for c in w.chars().filter(|&c| unspaced(c)) {
                    han += 1;
                    if self.chars.contains(&c) {
                        han_stop += 1;
                    }
                }
                continue;
            }
            words += 1;
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            if self.words.contains(lower.as_str()) {
                stop += 1;
            }
        }
        let (n, k) = if han > words {
            (han, han_stop)
        } else {
            (words, stop)
        };
        (k * 100).checked_div(n).unwrap_or(0) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_denser_in_stop_words_than_a_menu() {
        let en = StopWords::for_language("en", &[]).unwrap();
        let prose = en.share("The council said on Monday that it would not change the plan.");
        let menu = en.share("Politics Business Sport Culture Weather");
        assert!(prose > 40 && menu < 20, "{prose} {menu}");
    }

    #[test]
    fn unspaced_scripts_count_characters() {
        let zh = StopWords::for_language("zh", &[]).unwrap();
        assert!(zh.share("他说，这个计划已经得到了市政府的批准。") > 10);
        let nb = StopWords::for_language("nb", &[]);
        assert!(nb.is_some());
    }

    #[test]
    fn a_rule_file_can_add_words() {
        let x = StopWords::for_language("xx", &["foo".into()]).unwrap();
        assert_eq!(x.share("foo bar"), 50);
        assert!(StopWords::for_language("xx", &[]).is_none());
    }
}
