//! Stage 2: text repair, line by line so that every line keeps its input line number.
//!
//! HTML entities and leaked tags, UTF-8 mojibake (UTF-8 read as windows-1252 or latin-1),
//! Unicode NFC, invisible and control characters, odd spaces. Each fix is noticed once.

use std::borrow::Cow;
use std::collections::BTreeMap;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use super::{Artefact, ArtefactKind, Notice, NoticeKind};

/// Every input line after repair, in one buffer: line after line, separated by `\n` (a repaired
/// line holds no `\n` or `\r`: repair removes every C0 control). One allocation for the whole
/// document instead of one `String` per line: a document of many tiny lines would otherwise cost
/// several times its size in string headers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lines {
    text: String,
    /// Each line's indentation in the input (spaces and tabs before its text, at most 255).
    indents: Vec<u8>,
}

/// One input line after repair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line<'a> {
    /// 1-based line number in the input.
    pub no: u32,
    pub text: &'a str,
    /// Spaces and tabs before the text in the input (at most 255): where a wrapped paragraph
    /// opens a block ("Court says …" / "   By MARCUS ELLINGTON").
    pub indent: u8,
}

impl Lines {
    /// The lines in input order, each with its input line number.
    pub fn iter(&self) -> impl Iterator<Item = Line<'_>> + Clone + '_ {
        let mut no: u32 = 0;
        self.text.split('\n').map(move |text| {
            no = no.saturating_add(1);
            let indent = self
                .indents
                .get(no as usize - 1)
                .copied()
                .unwrap_or_default();
            Line { no, text, indent }
        })
    }

    /// The repaired lines joined by `\n`.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// What repair did, counted, for the notices.
#[derive(Debug, Default)]
struct Tally {
    entities: usize,
    mojibake: usize,
    controls: BTreeMap<&'static str, usize>,
}

/// Splits `text` into lines (LF, CRLF or CR) and repairs each. Leaked HTML tags go to `removed`.
pub fn repair(text: &str, notices: &mut Vec<Notice>, removed: &mut Vec<Artefact>) -> Lines {
    let mut tally = Tally::default();
    // Repair only shortens a line, save for NFC, which rarely lengthens one.
    let mut out = String::with_capacity(text.len());
    let mut no: u32 = 0;
    let mut indents = Vec::new();
    for raw in split_lines(text) {
        no = no.saturating_add(1);
        if no > 1 {
            out.push('\n');
        }
        let indent = raw.chars().take_while(|&c| c == ' ' || c == '\t').count();
        indents.push(u8::try_from(indent).unwrap_or(u8::MAX));
        repair_line(raw, &mut tally, no, removed, &mut out);
    }
    if tally.entities > 0 {
        notices.push(Notice::new(
            NoticeKind::EntitiesDecoded,
            format!("HTML entities decoded on {} lines", tally.entities),
        ));
    }
    if tally.mojibake > 0 {
        notices.push(Notice::new(
            NoticeKind::MojibakeRepaired,
            format!(
                "{} runs of UTF-8 read as windows-1252/latin-1 repaired",
                tally.mojibake
            ),
        ));
    }
    if !tally.controls.is_empty() {
        let detail: Vec<String> = tally
            .controls
            .iter()
            .map(|(name, n)| format!("{n} {name}"))
            .collect();
        notices.push(Notice::new(
            NoticeKind::ControlCharactersRemoved,
            format!("removed {}", detail.join(", ")),
        ));
    }
    Lines { text: out, indents }
}

/// Lines split on LF, CRLF and lone CR.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(i) => {
                let line = &rest[..i];
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                Some(line)
            }
            None => {
                done = true;
                Some(rest)
            }
        }
    })
}

/// Repairs one line and appends it to `out`. A step that changes nothing copies nothing.
fn repair_line(
    raw: &str,
    tally: &mut Tally,
    no: u32,
    removed: &mut Vec<Artefact>,
    out: &mut String,
) {
    let mut line: Cow<str> = Cow::Borrowed(raw);
    if raw.contains('&') {
        let decoded = html_escape::decode_html_entities(raw);
        if decoded != raw {
            tally.entities += 1;
            line = Cow::Owned(decoded.into_owned());
        }
    }
    if line.contains('<') {
        line = Cow::Owned(strip_tags(&line, no, removed));
    }
    if !line.is_ascii()
        && let Some((fixed, runs)) = mojibake_runs(&line)
    {
        tally.mojibake += runs;
        line = Cow::Owned(fixed);
    }
    let cleaned = clean_chars(&line, tally);
    if cleaned.is_ascii() || is_nfc_quick(cleaned.chars()) == IsNormalized::Yes {
        fold_spaces(&cleaned, out);
    } else {
        let nfc: String = cleaned.nfc().collect();
        fold_spaces(&nfc, out);
    }
}

/// Removes leaked HTML tags (`<br/>`, `<a href=…>`, `</p>`), recording them as markup.
fn strip_tags(line: &str, no: u32, removed: &mut Vec<Artefact>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        // A tag closes within 500 bytes: look no further, or a line of "<a<a<a…" with no '>'
        // scans the rest of the line at every '<' (quadratic).
        let end = after.as_bytes()[..after.len().min(501)]
            .iter()
            .position(|&b| b == b'>')
            .filter(|&e| !after[..e].contains('<'));
        match end.filter(|&e| is_markup(&after[..e])) {
            Some(end) => {
                out.push_str(&rest[..start]);
                let tag = &rest[start..start + end + 2];
                let name = tag
                    .trim_start_matches(['<', '/'])
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(
                    name.as_str(),
                    "br" | "p" | "div" | "li" | "tr" | "td" | "h1" | "h2" | "h3"
                ) {
                    out.push(' ');
                }
                removed.push(Artefact {
                    kind: ArtefactKind::Markup,
                    text: tag.to_string(),
                    line: no,
                });
                rest = &rest[start + end + 2..];
            }
            None => {
                out.push_str(&rest[..start + 1]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `inner`, what stands between a `<` and the next `>`, is markup: a comment or
/// declaration (`!--…`, `!DOCTYPE…`), or the name of an HTML element — one the standard (or an
/// old browser) knows, a custom element's (with a hyphen) or a namespaced one (`o:p`) — opening
/// or closing, then nothing, attributes or `/`. Anything else is copy: the Korean and Japanese
/// press put the titles of works in angle brackets (`<The Palace: Tale of Jang Noksu>`), and
/// `<Parasite>` names a film, not an element.
fn is_markup(inner: &str) -> bool {
    if inner.starts_with('!') {
        return true;
    }
    let inner = inner.strip_prefix('/').unwrap_or(inner);
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_' | '.')))
        .unwrap_or(inner.len());
    let (name, tail) = inner.split_at(name_len);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !(tail.is_empty() || tail.starts_with(|c: char| c.is_whitespace() || c == '/'))
    {
        return false;
    }
    if name.contains(['-', ':']) {
        return true;
    }
    let name = name.to_ascii_lowercase();
    HTML_ELEMENTS.binary_search(&name.as_str()).is_ok()
}

/// The names of HTML elements, today's and the obsolete ones old pages still carry, sorted (a
/// unit test checks the order).
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "meta",
    "meter",
    "nav",
    "nobr",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "pre",
    "progress",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// The windows-1252 byte a character stands for, where text was UTF-8 read as windows-1252 or
/// latin-1 (then U+0080–U+009F stand for themselves).
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{80}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => return None,
    };
    Some(b)
}

/// Characters a real repair can produce: letters and punctuation of the scripts copy is written
/// in. A run that decodes to anything else (NKo, private use, controls) was not mojibake.
fn plausible(c: char) -> bool {
    matches!(c as u32,
        0x00A0..=0x024F      // Latin-1 supplement, Latin Extended-A/B
        | 0x0370..=0x052F    // Greek, Cyrillic
        | 0x0590..=0x06FF    // Hebrew, Arabic
        | 0x0900..=0x097F    // Devanagari
        | 0x1E00..=0x1EFF    // Latin Extended Additional
        | 0x2000..=0x206F    // General Punctuation
        | 0x20A0..=0x20CF    // currency
        | 0x2100..=0x214F    // letterlike
        | 0x3000..=0x30FF    // CJK punctuation, kana
        | 0x4E00..=0x9FFF    // CJK ideographs
        | 0xAC00..=0xD7AF    // Hangul
        | 0xFF00..=0xFFEF) // full-width forms
}

/// Repairs runs of UTF-8 that was read as windows-1252/latin-1 ("GrÃ¼ÃŸe" → "Grüße"). A run is
/// repaired only where its bytes are valid UTF-8 made of multi-byte sequences and every decoded
/// character is plausible, so "Gruß“" (ß + “ = valid UTF-8 for an NKo letter) stays. A run that
/// decodes to one rarer letter ("Ä“" → "ē") is repaired only beside clear mojibake on the line.
pub fn repair_mojibake(line: &str) -> (String, usize) {
    mojibake_runs(line).unwrap_or_else(|| (line.to_string(), 0))
}

/// `repair_mojibake`, or `None` (and no allocation) where there is nothing to repair.
fn mojibake_runs(line: &str) -> Option<(String, usize)> {
    // (start, end, decoded, strong)
    let mut runs: Vec<(usize, usize, String, bool)> = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut bytes: Vec<u8> = Vec::new();
    let mut close = |start: usize, end: usize, bytes: &mut Vec<u8>| {
        if let Ok(decoded) = std::str::from_utf8(bytes)
            && !decoded.is_empty()
            && decoded.chars().all(|c| !c.is_ascii() && plausible(c))
            && decoded != &line[start..end]
        {
            let mut chars = decoded.chars();
            let strong = match (chars.next(), chars.next()) {
                (Some(c), None) => matches!(c as u32, 0xA0..=0xFF | 0x2010..=0x2026 | 0x20AC),
                _ => true,
            };
            runs.push((start, end, decoded.to_string(), strong));
        }
        bytes.clear();
    };
    for (i, c) in line.char_indices() {
        match (cp1252_byte(c), run_start) {
            (Some(b), Some(_)) => bytes.push(b),
            (Some(b), None) => {
                run_start = Some(i);
                bytes.push(b);
            }
            (None, Some(start)) => {
                close(start, i, &mut bytes);
                run_start = None;
            }
            (None, None) => {}
        }
    }
    if let Some(start) = run_start {
        close(start, line.len(), &mut bytes);
    }
    if runs.is_empty() {
        return None;
    }
    let any_strong = runs.iter().any(|r| r.3);
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    let mut count = 0;
    for (start, end, decoded, strong) in runs {
        if strong || any_strong {
            out.push_str(&line[last..start]);
            out.push_str(&decoded);
            last = end;
            count += 1;
        }
    }
    if count == 0 {
        return None;
    }
    out.push_str(&line[last..]);
    Some((out, count))
}

/// Whether `clean_chars` may change `c` (an odd space, an invisible or a control character).
fn is_special(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{a0}'
        | '\u{ad}'
        | '\u{61c}'
        | '\u{1680}'
        | '\u{180e}'
        | '\u{2000}'..='\u{200f}'
        | '\u{202a}'..='\u{202f}'
        | '\u{205f}'
        | '\u{2060}'
        | '\u{2066}'..='\u{2069}'
        | '\u{3000}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}')
}

/// Drops invisible and control characters and turns odd spaces into plain ones. A line with none
/// is returned as it is.
fn clean_chars<'a>(line: &'a str, tally: &mut Tally) -> Cow<'a, str> {
    let first = if line.is_ascii() {
        line.bytes().position(|b| b < 0x20 || b == 0x7f)
    } else {
        line.char_indices()
            .find(|&(_, c)| is_special(c))
            .map(|(i, _)| i)
    };
    let Some(first) = first else {
        return Cow::Borrowed(line);
    };
    let mut out = String::with_capacity(line.len());
    out.push_str(&line[..first]);
    let mut prev = line[..first].chars().next_back();
    let mut chars = line[first..].chars().peekable();
    while let Some(c) = chars.next() {
        let prev_char = prev;
        prev = Some(c);
        let name = match c {
            '\t'
            | '\u{a0}'
            | '\u{2000}'..='\u{200a}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
            | '\u{1680}' => {
                out.push(' ');
                continue;
            }
            '\u{ad}' | '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{180e}' => {
                // Soft hyphens and zero-width spaces are invisible: dropped without notice.
                continue;
            }
            '\u{200c}' | '\u{200d}' => {
                // ZWNJ/ZWJ shape Persian, Indic scripts and emoji sequences; between two ASCII
                // characters they are junk.
                let prev_ascii = prev_char.is_some_and(|p| p.is_ascii());
                let next_ascii = chars.peek().is_some_and(|n| n.is_ascii());
                if prev_ascii && next_ascii {
                    "zero-width joiners"
                } else {
                    out.push(c);
                    continue;
                }
            }
            '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{61c}' => "bidi control characters",
            '\u{0}' => "NUL bytes",
            '\u{1}'..='\u{1f}' | '\u{7f}' => "C0 control characters",
            '\u{80}'..='\u{9f}' => "C1 control characters",
            '\u{fff9}'..='\u{fffb}' => "interlinear annotation characters",
            _ => {
                out.push(c);
                continue;
            }
        };
        *tally.controls.entry(name).or_insert(0) += 1;
    }
    Cow::Owned(out)
}

/// A field a format states apart from the copy (a headline, a byline, a caption, an id) cleaned
/// as the copy's lines are: invisible and control characters dropped, odd spaces made plain,
/// runs of spaces folded, each line trimmed. Line breaks stay (a stated byline may hold
/// several lines); a field that needs none of this is not copied.
pub fn clean_field(field: &mut String) {
    let needs = field.chars().any(|c| c != '\n' && is_special(c))
        || field.contains("  ")
        || field
            .split('\n')
            .any(|l| l.starts_with(' ') || l.ends_with(' '));
    if !needs {
        return;
    }
    let mut tally = Tally::default();
    let mut out = String::with_capacity(field.len());
    for (i, line) in field.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        fold_spaces(&clean_chars(line, &mut tally), &mut out);
    }
    *field = out;
}

/// Appends `line` to `out` with runs of spaces folded into one and the ends trimmed.
fn fold_spaces(line: &str, out: &mut String) {
    let mut first = true;
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        if !first {
            out.push(' ');
        }
        first = false;
        out.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stated_field_loses_controls_and_odd_spaces_but_keeps_its_lines() {
        let mut f = "Arecedes.\u{1}\u{0}\u{0} Diamondbacks\u{a0}(29-23)\r\n\tby\u{200b} Jane  Roe "
            .to_string();
        clean_field(&mut f);
        assert_eq!(f, "Arecedes. Diamondbacks (29-23)\nby Jane Roe");
        let mut plain = "Fahrerlose Busse starten".to_string();
        clean_field(&mut plain);
        assert_eq!(plain, "Fahrerlose Busse starten");
        let mut empty = String::new();
        clean_field(&mut empty);
        assert_eq!(empty, "");
    }

    fn run(text: &str) -> (Vec<String>, Vec<Notice>, Vec<Artefact>) {
        let mut notices = Vec::new();
        let mut removed = Vec::new();
        let lines = repair(text, &mut notices, &mut removed);
        (
            lines.iter().map(|l| l.text.to_string()).collect(),
            notices,
            removed,
        )
    }

    #[test]
    fn line_endings_keep_line_numbers() {
        let mut n = Vec::new();
        let mut r = Vec::new();
        let lines = repair("a\r\nb\rc\n\nd", &mut n, &mut r);
        let got: Vec<(u32, &str)> = lines.iter().map(|l| (l.no, l.text)).collect();
        assert_eq!(got, vec![(1, "a"), (2, "b"), (3, "c"), (4, ""), (5, "d")]);
    }

    #[test]
    fn encoded_line_breaks_stay_inside_their_line() {
        // The repaired lines share one buffer, split on "\n": an entity that decodes to a line
        // break must not make a new line (it is a C0 control, removed and noticed).
        let mut n = Vec::new();
        let mut r = Vec::new();
        let lines = repair("a&#10;b&#13;c&NewLine;d\ne\u{85}f", &mut n, &mut r);
        let got: Vec<(u32, &str)> = lines.iter().map(|l| (l.no, l.text)).collect();
        assert_eq!(got, vec![(1, "abcd"), (2, "ef")]);
        assert_eq!(lines.as_str(), "abcd\nef");
        assert!(
            n.iter()
                .any(|n| n.kind == NoticeKind::ControlCharactersRemoved)
        );
    }

    #[test]
    fn entities_decode() {
        let (lines, notices, _) = run("Tom &amp; Jerry&nbsp;&#8222;gr&#252;n&#8220;");
        assert_eq!(lines[0], "Tom & Jerry „grün“");
        assert_eq!(notices[0].kind, NoticeKind::EntitiesDecoded);
    }

    #[test]
    fn mojibake_is_repaired() {
        let (lines, notices, _) = run("GrÃ¼ÃŸe aus Ã–sterreich â€žHalloâ€œ â€“ 5 â‚¬");
        assert_eq!(lines[0], "Grüße aus Österreich „Hallo“ – 5 €");
        assert_eq!(notices[0].kind, NoticeKind::MojibakeRepaired);
    }

    #[test]
    fn real_text_that_only_looks_like_mojibake_stays() {
        for s in [
            "Gruß“ sagte er",
            "„Grüße“",
            "Ärger über Öl",
            "déjà vu « oui »",
            "Ä“",
        ] {
            let (lines, notices, _) = run(s);
            assert_eq!(lines[0], s);
            assert!(notices.is_empty(), "{s}: {notices:?}");
        }
    }

    #[test]
    fn invisible_and_control_characters_go() {
        let (lines, notices, _) =
            run("Wasser\u{ad}stand\u{200b} a\u{202e}b\u{0}c\u{1}d\u{a0}e\u{3000}f\tg");
        assert_eq!(lines[0], "Wasserstand abcd e f g");
        assert_eq!(notices.len(), 1);
        assert!(notices[0].detail.contains("bidi"));
    }

    #[test]
    fn joiners_that_scripts_need_stay() {
        let family = "👩\u{200d}👩\u{200d}👧";
        let persian = "می\u{200c}خواهم";
        let (lines, notices, _) = run(&format!("{family} {persian}"));
        assert_eq!(lines[0], format!("{family} {persian}"));
        assert!(notices.is_empty());
    }

    #[test]
    fn nfc() {
        let (lines, _, _) = run("Cafe\u{301}");
        assert_eq!(lines[0], "Café");
    }

    #[test]
    fn tags_are_stripped_and_recorded() {
        let (lines, _, removed) = run("Erste Zeile<br/>zweite <a href=\"x\">Link</a> a < b");
        assert_eq!(lines[0], "Erste Zeile zweite Link a < b");
        assert_eq!(removed.len(), 3);
        assert_eq!(removed[0].kind, ArtefactKind::Markup);
    }

    #[test]
    fn markup_of_every_shape_goes() {
        let (lines, _, removed) = run(
            "<P CLASS=x>Eins</P><!-- ad --><o:p></o:p><my-widget data-x=1/>zwei<IMG SRC=a.jpg>",
        );
        assert_eq!(lines[0], "Eins zwei");
        assert_eq!(removed.len(), 7);
    }

    #[test]
    fn titles_in_angle_brackets_are_copy() {
        // Korean, Japanese and Chinese papers name works in angle brackets, in any script.
        for s in [
            "뮤지컬 <The Palace: Tale of Jang Noksu>는 정동극장에서 공연된다.",
            "映画<Parasite>が受賞した。",
            "드라마 <Sky Castle>과 <숨바꼭질>의 작가",
            "He wrote <Dune Messiah> and a < b > c.",
        ] {
            let (lines, _, removed) = run(s);
            assert_eq!(lines[0], s);
            assert!(removed.is_empty(), "{s}: {removed:?}");
        }
    }

    #[test]
    fn the_element_names_are_sorted() {
        assert!(HTML_ELEMENTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn unclosed_tags_stay_and_a_far_close_is_no_tag() {
        // Each '<' looks at most 500 bytes ahead for its '>' (a line of "<a<a<a…" was quadratic).
        let line = "<a".repeat(50_000);
        let (lines, _, removed) = run(&line);
        assert_eq!(lines[0], line);
        assert!(removed.is_empty());
        let far = format!("<a {}>", "x".repeat(600));
        let (lines, _, removed) = run(&far);
        assert_eq!(lines[0], far);
        assert!(removed.is_empty());
    }
}
