//! Shapes that look the same in every language — times, dates, years, counts in brackets,
//! gallery counters, URLs, e-mail addresses, play marks, handles — compiled once with the rules.
//! `engine::features` asks them about every unit; no language's words are in them.

use regex::Regex;

use super::RulesError;

/// The compiled shapes.
#[derive(Debug)]
pub struct Shapes {
    /// "18:05", "9h30".
    pub time: Regex,
    /// "14.03.2024", "2024-05-14", "5月14日", "2024年".
    pub date: Regex,
    pub year: Regex,
    /// "(12)", "[3]", "（24）": a count in brackets.
    pub bracket_count: Regex,
    /// "3 of 12", "Foto 3/12", "Bild 2 von 8", "1 / 9": a gallery or list counter.
    pub counter: Regex,
    pub url: Regex,
    pub email: Regex,
    /// "▶", "(02:14)": a video or audio teaser.
    pub duration: Regex,
    /// "@name", "#tag".
    pub handle: Regex,
}

impl Shapes {
    /// Word boundaries are ASCII ones (`(?-u:\b)`): the shapes only look for digits and Latin
    /// domain names at a boundary, and a Unicode `\b` would send every search on non-ASCII
    /// text to the slow PikeVM instead of the lazy DFA.
    pub fn new() -> Result<Shapes, RulesError> {
        let re = |p: &str| {
            Regex::new(p).map_err(|e| RulesError::Pattern {
                file: "shapes".into(),
                pattern: p.into(),
                message: e.to_string(),
            })
        };
        Ok(Shapes {
            time: re(r"(?:^|[^\d:])\d{1,2}(?::|h)\d{2}(?:$|[^\d:])")?,
            date: re(
                r"(?-u:\b)\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})(?-u:\b)|(?-u:\b)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?-u:\b)|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年",
            )?,
            year: re(r"(?:^|\D)(?:19|20)\d{2}(?:$|\D)")?,
            bracket_count: re(r"[(\[（【]\s*\d{1,7}\s*[)\]）】]")?,
            counter: re(r"^\D{0,24}?\d{1,3}\s*(?:/|\p{L}{1,5}\.?)\s*\d{1,3}\D{0,16}$")?,
            url: re(
                r"(?i)(?:https?://|www\.)\S|(?-u:\b)[a-z0-9][a-z0-9-]*\.(?:com|net|org|info|news|[a-z]{2})(?:/|(?-u:\b))",
            )?,
            email: re(r"[\w.+-]+@[\w-]+\.[\w.]+")?,
            duration: re(r"[▶►▷⏵]|\(\s*\d{1,2}:\d{2}(?::\d{2})?\s*\)")?,
            handle: re(r"(?:^|\s)[@#][\p{L}\p{N}_]")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_find_what_they_name_and_not_prose() {
        let s = Shapes::new().unwrap();
        assert!(s.time.is_match("Update 14:32"));
        assert!(!s.time.is_match("3.25 per cent"));
        assert!(s.date.is_match("Stand: 12.03.2024"));
        assert!(s.counter.is_match("Foto 3/12"));
        assert!(s.counter.is_match("3 of 12"));
        assert!(s.counter.is_match("Bild 2 von 8"));
        assert!(!s.counter.is_match("The council met on Monday."));
        assert!(s.bracket_count.is_match("Comments (12)"));
        assert!(s.url.is_match("www.example.com"));
        assert!(s.duration.is_match("▶ 3:05"));
    }
}
