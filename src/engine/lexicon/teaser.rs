//! Teasers the copy carries inside its paragraphs that no rule file spells out whole: a bracket
//! that points elsewhere with the language's word for "here" ("(read the minutes of the events
//! here)", "(itt olvashatja a hidrológiai jelentést)", "(प्याज निर्यात नीति पर पूरी खबर यहां पढ़ें)").

use super::Applied;
use crate::engine::types::is_unspaced_letter;

/// Most words a pointing bracket holds: a pointer, not an aside of the story.
const POINTER_MAX_WORDS: usize = 16;
/// Most characters a pointing bracket holds (scripts without spaces).
const POINTER_MAX_CHARS: usize = 160;

/// A bracket that ends `text` (or is all of it) and points elsewhere: at most
/// `POINTER_MAX_WORDS` words, one of them a "here" word of the rule files. → (the text without
/// it, the bracket).
pub fn cut_pointer(text: &str, applied: &Applied) -> Option<(String, String)> {
    let t = text.trim_end();
    let close = t.chars().next_back()?;
    let open = match close {
        ')' => '(',
        '）' => '（',
        _ => return None,
    };
    let inner_end = t.len() - close.len_utf8();
    let start = t[..inner_end].rfind(open)?;
    let inner = &t[start + open.len_utf8()..inner_end];
    if inner.contains([')', '）', '(', '（'])
        || inner.split_whitespace().count() > POINTER_MAX_WORDS
        || inner.chars().count() > POINTER_MAX_CHARS
        || !points_here(inner, applied)
    {
        return None;
    }
    Some((t[..start].trim_end().to_string(), t[start..].to_string()))
}

/// Whether `s` holds a "here" word as a word (inside words for scripts without spaces).
fn points_here(s: &str, applied: &Applied) -> bool {
    let lower = s.to_lowercase();
    applied.files().flat_map(|f| f.here_words.iter()).any(|w| {
        if w.chars().any(is_unspaced_letter) {
            return lower.contains(w.as_str());
        }
        lower.match_indices(w.as_str()).any(|(at, m)| {
            let before = lower[..at].chars().next_back();
            let after = lower[at + m.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, lang: &str) -> Option<(String, String)> {
        cut_pointer(text, &Applied::for_test(lang))
    }

    #[test]
    fn a_bracket_that_points_here_is_cut_from_the_end_of_a_paragraph() {
        for (lang, text, rest, bracket) in [
            (
                "en",
                "The council met on Monday. (read the minutes of the events here)",
                "The council met on Monday.",
                "(read the minutes of the events here)",
            ),
            (
                "sv",
                "Nämnden beslutade att dra in skolskjutsen. (läs hela granskningen här)",
                "Nämnden beslutade att dra in skolskjutsen.",
                "(läs hela granskningen här)",
            ),
            (
                "hu",
                "(itt olvashatja a hidrológiai jelentést)",
                "",
                "(itt olvashatja a hidrológiai jelentést)",
            ),
            (
                "it",
                "Il consiglio ha approvato il piano. (qui la delibera completa)",
                "Il consiglio ha approvato il piano.",
                "(qui la delibera completa)",
            ),
            (
                "hi",
                "सरकार ने निर्यात पर रोक लगाई। (प्याज निर्यात नीति पर पूरी खबर यहां पढ़ें)",
                "सरकार ने निर्यात पर रोक लगाई।",
                "(प्याज निर्यात नीति पर पूरी खबर यहां पढ़ें)",
            ),
            (
                "id",
                "Pemerintah menaikkan tarif. (baca di sini kronologi perundingan sejauh ini)",
                "Pemerintah menaikkan tarif.",
                "(baca di sini kronologi perundingan sejauh ini)",
            ),
            (
                "zh",
                "市政府公布了新的方案。（详细方案请点击这里）",
                "市政府公布了新的方案。",
                "（详细方案请点击这里）",
            ),
        ] {
            assert_eq!(
                cut(text, lang),
                Some((rest.to_string(), bracket.to_string())),
                "{lang}: {text}"
            );
        }
    }

    #[test]
    fn an_aside_a_word_inside_another_or_a_bracket_inside_the_text_stays() {
        for (lang, text) in [
            // No "here" word: an aside of the story.
            (
                "en",
                "The plant employs 400 people (most of them from the region)",
            ),
            // "here" inside a longer word; "qui" is Italian, not French.
            (
                "en",
                "The vote was close (the council adhered to the rules)",
            ),
            ("fr", "Le maire a parlé (celui qui préside le conseil)"),
            // The bracket does not end the paragraph.
            (
                "en",
                "The figures (read them here) were published on Monday.",
            ),
            // Too long for a pointer.
            (
                "en",
                "He said (and he repeated it twice, standing here in front of the town hall on a cold and windy morning) that he would stay.)",
            ),
        ] {
            assert_eq!(cut(text, lang), None, "{lang}: {text}");
        }
    }
}
