//! The IPTC 7901 / ANPA-1312 front end: one transmission in its SOH/STX/ETX framing.
//!
//! ```text
//! SOH [SYN…] header  STX  body  ETX  [trailer]  [EOT]
//! ```
//!
//! The header is one or a few lines of blank-separated fields: service and message number
//! (`dpa0123`, ANPA's selector and number `a0123`), priority (a digit, ANPA a letter),
//! category, then for ANPA a slug (`BC-Storm-Damage`), the word count and a version
//! (`1stLd-Writethru`); IPTC 7901 puts optional keywords after the word count. The body is
//! the copy: ANPA marks headline and byline lines with `^` and closes lines with `<` or `=`,
//! indents paragraphs with a tab, and may open with the slug line and close with its time
//! stamp (`AP-NY-12-02-26 1805EST`); IPTC 7901 gives its time stamp after ETX. The teleprinter
//! end-of-message markers (`NNNN`, `ENDITEM`, `(END)`) close the copy. Nothing of the
//! framing reaches the text the engine reads.

use std::borrow::Cow;

use super::{Carried, Front, xml::malformed_at};
use crate::engine::Error;
use crate::engine::article::Metadata;

const SOH: char = '\u{1}';
const STX: char = '\u{2}';
const ETX: char = '\u{3}';
const EOT: char = '\u{4}';

const FORMAT: &str = "IPTC 7901";

/// End-of-message markers of the transmission formats (teleprinter and agency wire
/// conventions, not words of a language): a line of one of them ends the copy.
const END_MARKERS: [&str; 6] = ["NNNN", "ENDITEM", "ENDIT", "(ENDITEM)", "(END)", "END"];

/// ANPA-1312 priority letters, by urgency (1 most urgent ..= 9).
const ANPA_PRIORITIES: [(char, u32); 6] = [
    ('f', 1), // flash
    ('b', 2), // bulletin
    ('u', 3), // urgent
    ('r', 5), // routine
    ('d', 6), // deferred
    ('a', 7), // advance (for later release)
];

/// Reads a transmission into the copy and what its header and trailer carry.
pub fn read(text: &str) -> Result<Front<'static>, Error> {
    let soh = text.find(SOH);
    let header_start = soh.map_or(0, |i| i + 1);
    let Some(stx) = text[header_start..].find(STX).map(|i| header_start + i) else {
        let what = match soh {
            Some(at) => {
                return Err(malformed_at(
                    FORMAT,
                    text,
                    at,
                    "the header opened by SOH (0x01) has no STX (0x02) after it: the body must open with STX",
                ));
            }
            None => {
                "no SOH (0x01) … STX (0x02) framing: an IPTC 7901 or ANPA-1312 transmission \
                 opens with SOH, its header, then STX before the body"
            }
        };
        return Err(Error::Malformed {
            format: FORMAT.to_string(),
            what: what.to_string(),
        });
    };
    let body_start = stx + 1;
    let Some(etx) = text[body_start..].find(ETX).map(|i| body_start + i) else {
        return Err(malformed_at(
            FORMAT,
            text,
            stx,
            "the body opened by STX (0x02) is never closed by ETX (0x03): the transmission is cut off",
        ));
    };
    let header = &text[header_start..stx];
    let body = &text[body_start..etx];
    let after = &text[etx + 1..];
    let trailer = after.split(EOT).next().unwrap_or("");
    // One document is one transmission: a second one would be dropped unseen.
    if let Some(next) = after.find([SOH, STX]) {
        return Err(malformed_at(
            FORMAT,
            text,
            etx + 1 + next,
            "a second transmission starts here: send one transmission per document",
        ));
    }

    let mut metadata = Metadata::default();
    let head = read_header(header, &mut metadata);
    let mut copy = read_body(body, &head, &mut metadata);
    let stamp = clean(trailer);
    let stamp = stamp.trim();
    if metadata.version_created.is_empty() && stamp.chars().any(|c| c.is_ascii_digit()) {
        metadata.version_created = stamp.to_string();
    }
    if copy.text.trim().is_empty() {
        return Err(malformed_at(
            FORMAT,
            text,
            stx,
            "the body between STX (0x02) and ETX (0x03) holds no copy",
        ));
    }
    let headline = std::mem::take(&mut copy.headline);
    Ok(Front {
        text: Cow::Owned(copy.text),
        carried: Carried {
            headline,
            metadata,
            ..Carried::default()
        },
    })
}

/// What the header said that the body is read with.
#[derive(Debug, Default)]
struct Header {
    slug: String,
}

/// Control characters (SYN fill, other framing) out; tabs and line breaks stay.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() || c == '\t' || c == '\n')
        .collect()
}

fn read_header(header: &str, metadata: &mut Metadata) -> Header {
    let header = clean(header);
    let mut tokens = header.split_whitespace().peekable();
    let mut head = Header::default();
    // Service and message number: one token (`dpa0123`) or two (`dpa 0123`).
    if let Some(first) = tokens.next() {
        let mut id = first.to_string();
        if !first.chars().any(|c| c.is_ascii_digit())
            && let Some(number) = tokens.next_if(|t| t.chars().all(|c| c.is_ascii_digit()))
        {
            id.push_str(number);
        }
        metadata.transmission_id = id;
    }
    // Priority: one digit (IPTC 7901) or one letter (ANPA).
    if let Some(p) = tokens.next_if(|t| t.chars().count() == 1) {
        let c = p.chars().next().unwrap_or(' ');
        metadata.urgency = match c.to_digit(10) {
            Some(d) => d,
            None => ANPA_PRIORITIES
                .iter()
                .find(|(l, _)| l.eq_ignore_ascii_case(&c))
                .map_or(0, |(_, u)| *u),
        };
    }
    // Category: a short code of letters.
    if let Some(cat) = tokens.next_if(|t| {
        (1..=3).contains(&t.chars().count()) && t.chars().all(|c| c.is_ascii_alphabetic())
    }) {
        metadata.subjects.push(cat.to_string());
    }
    let mut counted = false;
    let mut optional: Vec<&str> = Vec::new();
    for t in tokens {
        if !counted && t.chars().all(|c| c.is_ascii_digit()) {
            // The word count: the engine counts the words itself.
            counted = true;
        } else if !counted && t.chars().count() == 1 {
            // ANPA's format identifier.
        } else if !counted {
            // ANPA's slug (a keyword), before the word count.
            let slug = t.trim_end_matches(',');
            head.slug = slug.to_string();
            push_keyword(metadata, slug);
        } else {
            optional.push(t);
        }
    }
    // After the word count: ANPA's version (`1stLd-Writethru`, kept as it is not a keyword),
    // IPTC 7901's optional information (keywords).
    if !optional.is_empty() && !head.slug.is_empty() {
        // ANPA: the version designator is no keyword.
    } else if !optional.is_empty() {
        push_keyword(metadata, &optional.join(" "));
    }
    head
}

fn push_keyword(metadata: &mut Metadata, keyword: &str) {
    let keyword = keyword.trim();
    if !keyword.is_empty() && !metadata.keywords.iter().any(|k| k == keyword) {
        metadata.keywords.push(keyword.to_string());
    }
}

struct Copy {
    text: String,
    headline: String,
}

fn read_body(body: &str, head: &Header, metadata: &mut Metadata) -> Copy {
    let body = clean(body);
    // Where paragraphs open indented (ANPA's tab), a line that is not indented continues the
    // paragraph above: the transmission wrapped it.
    let indents = body
        .lines()
        .any(|l| l.starts_with('\t') || l.starts_with("   "));
    let mut out = String::with_capacity(body.len());
    let mut headline = String::new();
    let mut seen_text = false;
    // Blank line pending before the next line.
    let mut pending_break = false;
    // After an end marker only the time stamp is read: the rest is routing.
    let mut ended = false;
    for raw in body.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim();
        if let Some(stamp) = anpa_time_stamp(trimmed) {
            metadata.version_created = stamp.to_string();
            continue;
        }
        if ended || END_MARKERS.iter().any(|m| trimmed.eq_ignore_ascii_case(m)) {
            ended = true;
            continue;
        }
        if trimmed.is_empty() {
            pending_break = true;
            continue;
        }
        if !seen_text && is_slug_line(trimmed, head) {
            let slug = trimmed.trim_end_matches(['<', '=']);
            let slug = slug.split(',').next().unwrap_or(slug);
            for k in slug.split('/') {
                push_keyword(metadata, k);
            }
            continue;
        }
        let marked = trimmed.starts_with('^');
        let indented = line.starts_with('\t') || line.starts_with("   ");
        let content = trimmed
            .trim_start_matches('^')
            .trim_end_matches(['<', '='])
            .trim();
        if content.is_empty() {
            pending_break = true;
            continue;
        }
        // The teletype's dash: ANPA's 7-bit set has none, " _ " stands for one.
        let mut content = content.replace(" _ ", " \u{2014} ");
        // ANPA's quotes: `` opens, '' closes.
        if content.contains("``") {
            content = content.replace("``", "\u{201c}").replace("''", "\u{201d}");
        }
        if marked && headline.is_empty() && !seen_text {
            headline = content.clone();
        }
        // A marked line (headline, byline) and an indented one (a new paragraph) open a
        // block of their own.
        if seen_text && (pending_break || marked || indented) {
            out.push_str("\n\n");
        } else if seen_text && indents {
            if !out.ends_with('-') {
                out.push(' ');
            }
        } else if seen_text {
            out.push('\n');
        }
        out.push_str(&content);
        seen_text = true;
        pending_break = marked;
    }
    Copy {
        text: out,
        headline,
    }
}

/// ANPA's slug line at the top of the body (`BC-Storm-Damage,0563`), or a keyword line of
/// slashed keywords (`Parteien/Bundestag/Haushalt`): one token, no sentence.
fn is_slug_line(line: &str, head: &Header) -> bool {
    let line = line.trim_end_matches(['<', '=']);
    let name = line.split(',').next().unwrap_or(line).trim();
    if !head.slug.is_empty() && name.eq_ignore_ascii_case(&head.slug) {
        return true;
    }
    if line.chars().any(char::is_whitespace) || line.starts_with('^') {
        return false;
    }
    (line.contains('/') && !line.contains("//"))
        || line
            .rsplit_once(',')
            .is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// ANPA's time stamp line: `AP-NY-12-02-26 1805EST` (source, desk, date, time and zone).
fn anpa_time_stamp(line: &str) -> Option<&str> {
    let line = line.trim_end_matches(['<', '=']).trim();
    let (left, right) = line.split_once(' ')?;
    let parts: Vec<&str> = left.split('-').collect();
    let date_ok = parts.len() >= 5
        && parts[..2]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()))
        && parts[2..]
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()));
    let time_ok = right.len() >= 4
        && right.is_char_boundary(4)
        && right[..4].chars().all(|c| c.is_ascii_digit())
        && right[4..].chars().all(|c| c.is_ascii_alphabetic());
    (date_ok && time_ok).then_some(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anpa_transmission() {
        let text = "\u{1}\u{16}\u{16}a0123 u a BC-Storm-Damage 0345 1stLd-Writethru\r\n\u{2}\
                    BC-Storm-Damage,0345<\r\n\
                    ^Storm batters the coast<\r\n\
                    ^By JANE DOE=\r\n\
                    ^Associated Press Writer=\r\n\
                    \tMIAMI (AP) _ A storm hit the coast on Tuesday,\r\n\
                    leaving thousands without power.\r\n\
                    \tOfficials said more rain was coming.\r\n\
                    (END)\r\n\
                    AP-NY-12-02-26 1805EST<\r\n\u{3}\u{4}";
        let front = read(text).unwrap();
        assert_eq!(
            front.text,
            "Storm batters the coast\n\nBy JANE DOE\n\nAssociated Press Writer\n\n\
             MIAMI (AP) \u{2014} A storm hit the coast on Tuesday, leaving thousands without power.\n\n\
             Officials said more rain was coming."
        );
        let m = &front.carried.metadata;
        assert_eq!(front.carried.headline, "Storm batters the coast");
        assert_eq!(m.transmission_id, "a0123");
        assert_eq!(m.urgency, 3);
        assert_eq!(m.subjects, ["a"]);
        assert_eq!(m.keywords, ["BC-Storm-Damage"]);
        assert_eq!(m.version_created, "AP-NY-12-02-26 1805EST");
    }

    #[test]
    fn iptc7901_transmission() {
        let text = "\u{1}dpa0456 2 pl 212 Bundestag Haushalt\n\u{2}Parteien/Bundestag\n\
                    Einigung im Haushaltsstreit\n\n\
                    Berlin (dpa) - Die Koalition hat sich geeinigt.\n\nNNNN\n\u{3}021805 Dez 26\u{4}";
        let front = read(text).unwrap();
        assert_eq!(
            front.text,
            "Einigung im Haushaltsstreit\n\nBerlin (dpa) - Die Koalition hat sich geeinigt."
        );
        let m = &front.carried.metadata;
        assert_eq!(m.transmission_id, "dpa0456");
        assert_eq!(m.urgency, 2);
        assert_eq!(m.subjects, ["pl"]);
        assert_eq!(m.keywords, ["Bundestag Haushalt", "Parteien", "Bundestag"]);
        assert_eq!(m.version_created, "021805 Dez 26");
    }

    #[test]
    fn broken_framing_is_named() {
        let e = read("\u{1}dpa0001 3 vm\n\u{2}Text ohne Ende").unwrap_err();
        assert!(e.to_string().contains("ETX") && e.to_string().contains("line 2, column 1"));
        let e = read("\u{1}dpa0001 3 vm\nText").unwrap_err();
        assert!(e.to_string().contains("STX"), "{e}");
        let e = read("\u{1}a0001 r a\u{2}\r\nNNNN\u{3}").unwrap_err();
        assert!(e.to_string().contains("no copy"), "{e}");
        let e = read("nur Text").unwrap_err();
        assert!(e.to_string().contains("SOH"), "{e}");
        let two = "\u{1}a\u{2}Eins\u{3}\u{4}\n\u{1}b\u{2}Zwei\u{3}\u{4}";
        let e = read(two).unwrap_err().to_string();
        assert!(
            e.contains("second transmission") && e.contains("line 2, column 1"),
            "{e}"
        );
    }
}
