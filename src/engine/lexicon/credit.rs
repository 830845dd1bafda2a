//! Photo credits: recognised by shape, never by a first word alone, and parsed into creators
//! and agencies ("Photo: Vitaly Smolnikov/dpa", "picture alliance / dpa / Kay Nietfeld",
//! "(AP Photo/Jenna Lund)", "© Артём Гуляев/ТАСС", "新华社记者 李明 摄").

use super::{Applied, ends_sentence, is_role_word, looks_like_name, push_unique, strip_prefix_ci};
use crate::engine::article::Credit;
use crate::rules::{AgencyKind, LineInput};

/// A credit found in a unit, with the caption text that stood before it on the same line.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditMatch {
    /// Caption text on the same line before the credit; empty where the line is only a credit.
    pub caption: String,
    pub credit: Credit,
}

/// Longest a credit (without caption) may be.
const MAX_CREDIT_CHARS: usize = 140;
const MAX_CREDIT_WORDS: usize = 14;
/// How far from the end of a line a tail credit is looked for, in characters.
const TAIL_WINDOW_CHARS: usize = 160;

/// Finds a credit in `text`: the whole unit, or its tail after a caption.
pub fn find_credit(text: &str, applied: &Applied) -> Option<CreditMatch> {
    // "– फोटो : पीटीआई": a dash may lead a credit line.
    let t = text.trim().trim_start_matches(['–', '—', '-', ' ']);
    let m = pattern_caption(t, applied)
        .or_else(|| whole_line_credit(t, applied))
        .or_else(|| tail_credit(t, applied))?;
    Some(m)
}

/// A caption line in a shape a rule file spells out, credit inside it:
/// "[서울=뉴시스] 조성우 기자 = <caption> 2024.06.03. id@newsis.com".
/// Whether `text` is a whole caption line of a shape a rule file's `caption_patterns` give.
pub fn is_pattern_caption(text: &str, applied: &Applied) -> bool {
    pattern_caption(text.trim(), applied).is_some()
}

fn pattern_caption(t: &str, applied: &Applied) -> Option<CreditMatch> {
    let input = LineInput::new(t, applied.agencies);
    applied
        .files()
        .flat_map(|f| f.captions.iter())
        .find_map(|re| {
            let caps = re.captures(&input)?;
            let group = |name: &str| caps.name(name).map_or("", |m| m.as_str()).trim();
            let mut credit = Credit {
                raw: t.to_string(),
                ..Credit::default()
            };
            for name in super::split_names(group("creators"), &applied.name_joiners()) {
                push_unique(&mut credit.creators, name);
            }
            if let Some(a) = applied.agencies.lookup(group("agency"))
                && a.kind != AgencyKind::Publisher
            {
                push_unique(&mut credit.agencies, &a.name);
            }
            Some(CreditMatch {
                caption: group("caption").to_string(),
                credit,
            })
        })
}

/// Splits a caption label off a caption: "FILE PHOTO: <caption>" → ("FILE PHOTO:", "<caption>"),
/// "Image caption, <caption>" → ("Image caption,", "<caption>").
/// The longest label that opens the caption wins: "Légende image, …" is not "Légende" and a
/// caption "image, …".
pub fn split_caption_label(caption: &str, applied: &Applied) -> Option<(String, String)> {
    let rest = applied
        .files()
        .flat_map(|f| f.caption_labels.iter())
        .filter_map(|label| strip_prefix_ci(caption, label))
        .filter(|rest| {
            rest.starts_with([':', ',', ' '])
                && !rest.trim_start_matches([':', ',', ' ']).trim().is_empty()
        })
        .min_by_key(|rest| rest.len())?;
    let text = rest.trim_start_matches([':', ',', ' ']).trim();
    let head = caption[..caption.len() - rest.len()].to_string();
    // The separator, with the space French sets before its colon ("Légende :").
    let sep: String = rest
        .chars()
        .take_while(|c| matches!(c, ':' | ',' | ' '))
        .collect();
    Some((format!("{head}{}", sep.trim_end()), text.to_string()))
}

/// Whether `text` is a caption under a caption label of the rule files, the label closed by a
/// colon or a comma ("Bildunterschrift: Ein Polizeiwagen …", "Image caption, Rescuers …",
/// "FILE PHOTO: A man …"): the page says what the line is.
pub fn is_labelled_caption(text: &str, applied: &Applied) -> bool {
    split_caption_label(text.trim(), applied).is_some_and(|(label, _)| label.ends_with([':', ',']))
}

/// Splits a numbered picture label off a caption, as press releases and picture pages number
/// the pictures they describe ("Bild 1: Geschäftsführer Thomas Berger …", "Foto 2: Vista del
/// puerto …", "Image 3 : Le chantier …", "写真2：…"): a credit or photo word of the rule files,
/// the picture's number, a colon, then a caption of `LABELLED_CAPTION_MIN_WORDS` words or more
/// with two lower-case words among them (in a script without spaces, ten letters) that is no
/// credit ("Foto 1: Anna Meier/dpa" credits picture 1). → (label, caption).
pub fn split_numbered_label(caption: &str, applied: &Applied) -> Option<(String, String)> {
    let caption = caption.trim();
    // Cheap shape first: a number within the first few words.
    if !caption
        .char_indices()
        .take(24)
        .any(|(_, c)| c.is_ascii_digit())
    {
        return None;
    }
    for word in label_words(applied) {
        let Some(rest) = strip_prefix_ci(caption, word) else {
            continue;
        };
        let number = rest.trim_start_matches(SPACES);
        // A space between word and number, unless the script has no spaces.
        let spaced = number.len() < rest.len();
        let unspaced = word.chars().any(crate::engine::types::is_unspaced_letter);
        let digits = number.chars().take_while(char::is_ascii_digit).count();
        if !(1..=3).contains(&digits) || !(spaced || unspaced) {
            continue;
        }
        let Some(text) = number[digits..]
            .trim_start_matches(SPACES)
            .strip_prefix([':', '：'])
            .map(str::trim)
        else {
            continue;
        };
        let sentence = if text.contains(char::is_whitespace) {
            reads_as_caption(text)
        } else {
            text.chars()
                .filter(|&c| crate::engine::types::is_unspaced_letter(c))
                .count()
                >= 10
        };
        let credit = find_credit(text, applied).is_some_and(|m| m.caption.is_empty());
        if !sentence || credit {
            return None;
        }
        let label = caption[..caption.len() - text.len()].trim_end();
        return Some((label.to_string(), text.to_string()));
    }
    None
}

/// Fewest words the text after a credit word must have to be a caption, not a credit.
const LABELLED_CAPTION_MIN_WORDS: usize = 5;

/// The credit and photo words of the rule files, which may label a caption ("Photo: …",
/// "Bild 1: …").
fn label_words<'a>(applied: &'a Applied) -> impl Iterator<Item = &'a str> + 'a {
    applied.files().flat_map(|f| {
        f.credit_words
            .iter()
            .chain(&f.photo_words)
            .map(String::as_str)
    })
}

/// Whether the text after a caption's label reads as a caption, not a list of names:
/// `LABELLED_CAPTION_MIN_WORDS` words or more, two of them in lower case.
fn reads_as_caption(text: &str) -> bool {
    let lower = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    text.split_whitespace().count() >= LABELLED_CAPTION_MIN_WORDS && lower >= 2
}

/// Splits a credit word used as a caption's label off a caption ("Photo: Cooby Dam was at 31
/// per cent capacity on Friday.", "Φωτογραφία: Το πλωτό ασθενοφόρο στο λιμάνι …"): a credit or
/// photo word of the rule files and its colon, then words that are no credit, at least
/// `LABELLED_CAPTION_MIN_WORDS` of them with two lower-case words among them (a sentence, not a
/// list of names) → (label, caption). "Foto: Kay Nietfeld/dpa" and "Photo: Jane Doe for The
/// Harbour Gazette" are credits, whole.
pub fn split_credit_word_label(caption: &str, applied: &Applied) -> Option<(String, String)> {
    for word in label_words(applied) {
        let Some(rest) = strip_prefix_ci(caption, word) else {
            continue;
        };
        let after = rest.trim_start_matches(SPACES);
        let Some(text) = after.strip_prefix([':', '：']).map(str::trim) else {
            continue;
        };
        let sentence = reads_as_caption(text);
        // A credit whole: it names people or agencies, and nothing that is no name.
        let credit = |t: &str| {
            find_credit(t, applied).is_some_and(|m| {
                m.caption.is_empty()
                    && !(m.credit.creators.is_empty() && m.credit.agencies.is_empty())
                    && m.credit
                        .creators
                        .iter()
                        .all(|c| looks_like_name(c, applied))
            })
        };
        if !sentence || credit(text) || credit(caption) {
            return None;
        }
        let label = caption[..caption.len() - text.len()].trim_end();
        return Some((label.to_string(), text.to_string()));
    }
    None
}

/// Splits a gallery's marker off a caption, a shape in any language: its counter ("1 / 8 Rua XV
/// de Novembro …", "3/12 …", the first number not above the second) or a pointer glyph that
/// prints a picture's caption under it ("▲ 전남 곡성군 …"). → (marker, caption).
pub fn split_gallery_marker(caption: &str) -> Option<(String, String)> {
    const POINTERS: &[char] = &[
        '▲', '△', '▼', '▽', '►', '▶', '◀', '◆', '◇', '■', '□', '↑', '↓',
    ];
    let t = caption.trim_start();
    let head_len = if t.starts_with(POINTERS) {
        t.find(|c: char| !POINTERS.contains(&c) && !c.is_whitespace())?
    } else {
        let number = |s: &str| -> Option<(u32, usize)> {
            let digits = s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            (1..=3)
                .contains(&digits)
                .then(|| s[..digits].parse().ok().map(|n| (n, digits)))
                .flatten()
        };
        let (n, a) = number(t)?;
        let rest = t[a..].trim_start();
        let rest = rest.strip_prefix('/')?.trim_start();
        let (m, b) = number(rest)?;
        if n == 0 || n > m || !rest[b..].starts_with(char::is_whitespace) {
            return None;
        }
        let after = &rest[b..];
        t.len() - after.len() + (after.len() - after.trim_start().len())
    };
    let text = t[head_len..].trim();
    (!text.is_empty() && text.chars().any(char::is_alphabetic))
        .then(|| (t[..head_len].trim().to_string(), text.to_string()))
}

fn credit_shaped(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars().count() <= MAX_CREDIT_CHARS
        && s.split_whitespace().count() <= MAX_CREDIT_WORDS
}

/// Credit words of the document's language and the common file, longest first.
fn credit_words<'a>(applied: &'a Applied) -> impl Iterator<Item = &'a str> + 'a {
    // Each file's list is sorted longest first at load time; the language's file comes first.
    applied
        .files()
        .flat_map(|f| f.credit_words.iter().map(String::as_str))
}

/// Most words a credit without a colon after its credit word has ("Foto ČTK", "Beeld Jan Smit").
const BARE_CREDIT_WORDS: usize = 4;

fn whole_line_credit(t: &str, applied: &Applied) -> Option<CreditMatch> {
    // A credit line is short; a caption with its credit is handled by `tail_credit`.
    if t.len() > MAX_CREDIT_CHARS * 4 || t.chars().count() > MAX_CREDIT_CHARS + 2 {
        return None;
    }
    // "Image source, Getty Images": a credit label, the rest is the credit.
    for f in applied.files() {
        for label in &f.credit_labels {
            if let Some(rest) = strip_prefix_ci(t, label) {
                let rest = rest.trim_start_matches([',', ':', ' ']);
                if credit_shaped(rest) {
                    return Some(CreditMatch {
                        caption: String::new(),
                        credit: parse(t, rest, applied),
                    });
                }
            }
        }
    }
    // "REUTERS/Rodi Said", "Imago / Maksim Blinov", "picture alliance / dpa / Kay Nietfeld"
    // (before credit words: "picture alliance" is not "Picture" + a name).
    if agency_slash_credit(t, applied) {
        return Some(CreditMatch {
            caption: String::new(),
            credit: parse(t, t, applied),
        });
    }
    // "Foto: Name/dpa", "Fot. PAP/Name", "Photo© AFP/Name", "Bild: picture alliance/dpa | Name".
    for word in credit_words(applied) {
        let Some(rest) = strip_prefix_ci(t, word) else {
            continue;
        };
        let sep_end = rest
            .find(|c: char| !matches!(c, ':' | '.' | '©' | ' ' | '/' | '：'))
            .unwrap_or(rest.len());
        let sep = &rest[..sep_end];
        let body = rest[sep_end..].trim();
        if rest.starts_with(|c: char| c.is_alphanumeric()) || !credit_shaped(body) {
            continue;
        }
        let has_mark = sep.contains([':', '©', '.', '：']);
        // An agency among a few words ("Foto ČTK"), not after a caption's words ("صورة أرشيفية
        // لجانب من خريطة مادبا (رويترز)": an archive picture of …, credited to Reuters).
        let has_slash = body.contains(['/', '|'])
            || (body.split_whitespace().count() <= BARE_CREDIT_WORDS
                && !applied.agencies.find_in(body).is_empty());
        // Without a colon the rest must carry a credit's marks: "Foto ČTK", "Beeld Jan Smit".
        let bare_ok = sep.trim().is_empty() && (has_slash || looks_like_name(body, applied));
        if (has_mark || bare_ok) && !sentence_like(body) {
            return Some(CreditMatch {
                caption: String::new(),
                credit: parse(t, body, applied),
            });
        }
    }
    // "© Name/dpa", "©REUTERS/Name".
    if let Some(rest) = t.strip_prefix('©') {
        let rest = rest.trim();
        if credit_shaped(rest) && !sentence_like(rest) && !rest.is_empty() {
            return Some(CreditMatch {
                caption: String::new(),
                credit: parse(t, rest, applied),
            });
        }
    }
    // "中新社记者 张帆 摄" on a line of its own.
    if marker_credit(t, applied) {
        return Some(CreditMatch {
            caption: String::new(),
            credit: parse(t, t, applied),
        });
    }
    // "(AP Photo/Name)" on a line of its own.
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close))
            && !inner.contains([open, close])
            && paren_credit(inner, applied)
        {
            return Some(CreditMatch {
                caption: String::new(),
                credit: parse(t, inner, applied),
            });
        }
    }
    None
}

/// A body sentence, not a credit: long, or ending like a sentence after several words.
fn sentence_like(s: &str) -> bool {
    let words = s.split_whitespace().count();
    words > MAX_CREDIT_WORDS || (words > 6 && ends_sentence(s) && !s.ends_with(')'))
}

/// A short line of slash- or bar-separated parts, one of them a known agency or picture service.
fn agency_slash_credit(t: &str, applied: &Applied) -> bool {
    if !t.contains(['/', '|']) || !credit_shaped(t) || t.split_whitespace().count() > 10 {
        return false;
    }
    if ends_sentence(t) && !t.ends_with('.') {
        return false;
    }
    let parts: Vec<&str> = t.split(['/', '|']).map(str::trim).collect();
    // "vet/dpa" is an editor's signature, not a credit.
    if parts.iter().any(|p| {
        !p.is_empty()
            && p.chars().count() <= 5
            && p.chars().all(|c| c.is_lowercase())
            && applied.agencies.lookup(p).is_none()
    }) {
        return false;
    }
    // "ANTARA FOTO/Name", "AGERPRES FOTO": an agency with a photo word counts as the agency.
    let is_agency = |p: &str| {
        applied.agencies.lookup(p).is_some()
            || (p.split_whitespace().count() <= 3 && !applied.agencies.find_in(p).is_empty())
    };
    parts.iter().any(|p| is_agency(p))
        && parts
            .iter()
            .all(|p| p.is_empty() || is_agency(p) || looks_like_name(p, applied) || p.len() <= 4)
}

/// The inside of a parenthesised credit: "AP Photo/Jenna Lund", "Photo by X/Reuters",
/// "REUTERS", "AFP/NOTIMEX", "Foto: X", "Bild: X/Shutterstock.com".
fn paren_credit(inner: &str, applied: &Applied) -> bool {
    if !credit_shaped(inner) || inner.split_whitespace().count() > 10 {
        return false;
    }
    let lower = inner.to_lowercase();
    let photo_word = applied
        .files()
        .flat_map(|f| f.photo_words.iter())
        .any(|w| lower.split(|c: char| !c.is_alphanumeric()).any(|x| x == w));
    let agency = !applied.agencies.find_in(inner).is_empty();
    let credit_word = credit_words(applied)
        .chain(
            applied
                .files()
                .flat_map(|f| f.credit_labels.iter().map(String::as_str)),
        )
        .any(|w| strip_prefix_ci(inner, w).is_some_and(|r| r.starts_with([':', ' ', '.'])));
    let marker = applied.files().any(|f| {
        f.photographer_markers.iter().any(|m| {
            inner.trim_end().ends_with(m.as_str()) || inner.trim_start().starts_with(m.as_str())
        })
    });
    // "[연합뉴스 자료사진]": an agency with a credit word written into the same word.
    let glued_credit_word = agency
        && inner.split_whitespace().count() <= 4
        && credit_words(applied).any(|w| !w.is_ascii() && inner.to_lowercase().contains(w));
    (marker && (agency || inner.chars().count() <= 30))
        || glued_credit_word
        || covered_by_agencies(inner, applied)
        || (photo_word && (agency || inner.contains('/')))
        || (credit_word && inner.contains(':'))
        || (agency
            && inner
                .split(['/', '|'])
                .all(|p| applied.agencies.lookup(p.trim()).is_some()))
}

/// A photographer credit closed (or opened) by a marker: "新华社记者 林晓峰 摄",
/// "撮影・中村美咲".
fn marker_credit(t: &str, applied: &Applied) -> bool {
    t.chars().count() <= 30
        // A sentence end inside: a caption with its credit ("…阅读。 新华社记者 李明 摄").
        && !t.contains(['。', '！', '？'])
        && applied.files().any(|f| {
            f.photographer_markers
                .iter()
                .any(|m| t.ends_with(m.as_str()) || t.starts_with(m.as_str()))
        })
}

/// "…觅食。新华社记者 林晓峰 摄": a photographer's credit closed (or opened) by a marker after
/// the last sentence of the line.
fn marker_tail(t: &str, applied: &Applied) -> Option<CreditMatch> {
    let (at, mark) = t
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, '。' | '！' | '？'))?;
    let end = at + mark.len_utf8();
    let tail = t[end..].trim();
    (!tail.is_empty() && marker_credit(tail, applied)).then(|| CreditMatch {
        caption: clean_caption(&t[..end]),
        credit: parse(tail, tail, applied),
    })
}

/// Whether a line ends with a photographer's credit closed by a marker after its last sentence
/// ("3月4日，读者在运河书院阅览室内阅读。 新华社记者 李明 摄"): a picture's caption, for the
/// story's prose credits no photographer.
pub fn has_marker_tail(t: &str, applied: &Applied) -> bool {
    marker_tail(t.trim(), applied).is_some_and(|m| !m.caption.is_empty())
}

/// A credit at the end of a caption line.
fn tail_credit(t: &str, applied: &Applied) -> Option<CreditMatch> {
    if let Some(m) = marker_tail(t, applied) {
        return Some(m);
    }
    // "… 2024. (AP Photo/Jenna Lund)", "… (REUTERS)", "…（AP＝共同）".
    for (open, close) in [('(', ')'), ('（', '）'), ('[', ']'), ('【', '】')] {
        if t.ends_with(close)
            && let Some(start) = t.rfind(open)
        {
            let inner = &t[start + open.len_utf8()..t.len() - close.len_utf8()];
            let inner_norm = inner.replace('＝', "=");
            let kyodo_style = covered_by_agencies(&inner_norm, applied);
            // "… in juli. (©NTB)", "… bildirildi. (DHA)": an agency alone in parentheses after
            // a paragraph of several sentences signs the copy; it is no photo credit.
            let agency_only = inner
                .trim_start_matches(['©', ' '])
                .split(['/', '|'])
                .all(|p| applied.agencies.lookup(p.trim()).is_some());
            let caption = &t[..start];
            let signs_paragraph =
                agency_only && (caption.chars().count() > 200 || sentence_ends(caption) > 1);
            if start > 0 && !signs_paragraph && (paren_credit(inner, applied) || kyodo_style) {
                return Some(CreditMatch {
                    caption: clean_caption(&t[..start]),
                    credit: parse(&t[start..], inner, applied),
                });
            }
        }
    }
    // "… aus. © Angelika Kessler/dpa"
    if let Some(at) = t.rfind('©')
        && at > 0
    {
        let rest = t[at + '©'.len_utf8()..].trim();
        let agency_only = rest
            .trim_end_matches(')')
            .split(['/', '|'])
            .all(|p| applied.agencies.lookup(p.trim()).is_some());
        let caption = &t[..at];
        let signs_paragraph =
            agency_only && (caption.chars().count() > 200 || sentence_ends(caption) > 1);
        if credit_shaped(rest)
            && rest.split_whitespace().count() <= 8
            && !sentence_like(rest)
            && !signs_paragraph
            && !caption.trim_end().ends_with('(')
        {
            return Some(CreditMatch {
                caption: clean_caption(&t[..at]),
                credit: parse(&t[at..], rest, applied),
            });
        }
    }
    // "… in Trier. Foto: Harald Lenz/dpa" / "… | Foto: ČTK"
    // A credit sits in the last few words: search only the tail of a long caption or paragraph.
    let window_start = t
        .char_indices()
        .rev()
        .nth(TAIL_WINDOW_CHARS)
        .map_or(0, |(i, _)| i);
    // Only the window is lower-cased and searched: a credit word before it is never taken.
    let lower = t[window_start..].to_lowercase();
    // Offsets of the lower-cased window serve the original only where lower-casing kept lengths.
    let same_offsets = lower.len() == t.len() - window_start;
    // A credit word is followed by ':' or '.' ("Foto:", "Photo."): look only before those, from
    // the right, instead of searching the window once per credit word.
    let marks: Vec<usize> = if same_offsets {
        lower.match_indices([':', '.']).map(|(i, _)| i).collect()
    } else {
        Vec::new()
    };
    for word in credit_words(applied) {
        for &mark in marks.iter().rev() {
            // French sets a space before the colon: "Photo : Konrad Wiesehöfer/dpa".
            let end = if lower[mark..].starts_with(':') {
                lower[..mark].trim_end_matches(SPACES).len()
            } else {
                mark
            };
            let Some(found) = end.checked_sub(word.len()) else {
                continue;
            };
            if lower.get(found..end) != Some(word) {
                continue;
            }
            let at = window_start + found;
            if at == 0 {
                break;
            }
            // Offsets come from the lower-cased copy: use them only where they fall on
            // character boundaries of the original.
            let (Some(before), Some(after)) = (t.get(..at), t.get(at + word.len()..)) else {
                continue;
            };
            let after = after.trim_start_matches(SPACES);
            let boundary_before = before.ends_with([' ', '|', '(']);
            let barred =
                before.trim_end().ends_with(['|', '—', '–', '/']) || before.ends_with(" - ");
            // "Opravené brouzdaliště Foto: Petr Dvořák": a caption without a full stop, its
            // credit set apart by the credit word's capital and colon.
            let labelled =
                after.starts_with(':') && t[at..].chars().next().is_some_and(char::is_uppercase);
            if boundary_before
                && after.starts_with([':', '.'])
                && credit_shaped(after[1..].trim())
                && after[1..].split_whitespace().count() <= 6
                && (barred || labelled || ends_sentence(before.trim_end_matches([' ', '|', '('])))
            {
                let body = after[1..].trim().trim_end_matches(')');
                return Some(CreditMatch {
                    caption: clean_caption(
                        before
                            .trim_end_matches(['(', ' '])
                            .trim_end_matches(['—', '–', '/', '-']),
                    ),
                    credit: parse(&t[at..], body, applied),
                });
            }
        }
    }
    // "… REUTERS/Rodi Said", "… ANSA/GIUSEPPE LAMI", "… EFE/AF/Name" after the caption's last
    // sentence.
    if let Some(at) = t.rfind(". ") {
        let tail = t[at + 2..].trim();
        if agency_slash_credit(tail, applied) {
            return Some(CreditMatch {
                caption: clean_caption(&t[..at + 1]),
                credit: parse(tail, tail, applied),
            });
        }
    }
    None
}

/// The spaces French typography sets before a colon (a plain, a no-break or a narrow one).
const SPACES: [char; 3] = [' ', '\u{a0}', '\u{202f}'];

/// Most words a credit without a credit word may have at the end of a caption.
const BARE_TAIL_WORDS: usize = 7;

/// In a line already read as a caption, a credit that no credit word opens: the last part after
/// a spaced bar or dash, a slash or the caption's last full stop, made only of names and
/// agencies joined by slashes ("… the Eighth Street bridge. Jamal Reed/Lakeshore Ledger",
/// "… in front of his nets | Gwenaëlle Le Bihan", "… on a Sunday in July - Photo Marco Pozzi",
/// "… near the Blue Lagoon. Halla Eyjolfsdottir/AFP via Getty Images"). Outside a caption the
/// same shape is too weak: a sentence may end on a name.
pub fn caption_tail(t: &str, applied: &Applied) -> Option<CreditMatch> {
    let t = t.trim();
    let mut cuts: Vec<(usize, usize)> = [" | ", " — ", " – ", " - ", " / "]
        .iter()
        .flat_map(|sep| t.match_indices(sep).map(|(at, _)| (at, at + sep.len())))
        .collect();
    // A full stop after a word of four letters or more, or after a number, ends a sentence;
    // "St." or "al." does not.
    cuts.extend(t.match_indices(". ").filter_map(|(at, _)| {
        let word = t[..at].rsplit(char::is_whitespace).next().unwrap_or("");
        let ends = word.chars().all(char::is_alphanumeric)
            && (word.chars().count() >= 4 || word.chars().all(|c| c.is_ascii_digit()));
        (ends && !word.is_empty()).then_some((at + 1, at + 2))
    }));
    // "… nei pressi di Mugello ANSA/CLAUDIO GIOVANNINI": an agency glued to its photographer by
    // a slash, after the caption's last word.
    cuts.extend(t.match_indices('/').filter_map(|(slash, _)| {
        let start = t[..slash].rfind(' ')?;
        applied.agencies.lookup(&t[start + 1..slash])?;
        Some((start, start + 1))
    }));
    // The first cut whose tail is a credit: "… Street. — Caleb Hurd / The Cascade Current" cuts
    // at the dash, not inside the credit.
    cuts.sort_unstable();
    cuts.into_iter().find_map(|cut| tail_at(t, cut, applied))
}

/// Most words a credit set apart by a mark at the end of a caption may have.
const MARKED_TAIL_WORDS: usize = 6;

/// In a line already read as a caption, a credit set apart from it by a mark the picture desk
/// uses, that a credit word or a name of the trade opens or closes: a bracket opened by a
/// credit word without a colon ("… (foto Cai Mandello)", "… (Fot. Stowarzyszenie Pomeranka)"),
/// a slash glued to the credit ("… 있다. /사진=이현우 기자", "… 2024.11.09 /뉴시스 하경민
/// 기자", "… 관계자들. /울진군 제공"), or a credit word with its equals sign after the last
/// sentence ("… 남영자씨. 사진=독자 제공"). The credit is short and no sentence; outside a
/// caption the same shape is too weak, for a sentence may end in brackets.
pub fn marked_tail(t: &str, applied: &Applied) -> Option<CreditMatch> {
    let t = t.trim();
    let short = |s: &str| {
        let s = s.trim();
        !s.is_empty()
            && s.split_whitespace().count() <= MARKED_TAIL_WORDS
            && credit_shaped(s)
            && !ends_sentence(s)
    };
    let opens_with_word = |s: &str, marks: &[char]| {
        credit_words(applied).any(|w| {
            strip_prefix_ci(s, w).is_some_and(|r| r.starts_with(marks) && !r[1..].trim().is_empty())
        })
    };
    let tail_word = |s: &str| {
        s.split_whitespace().next_back().is_some_and(|w| {
            is_role_word(w, applied)
                || credit_words(applied).any(|c| c == w)
                || applied
                    .files()
                    .any(|f| f.photographer_markers.iter().any(|m| m == w))
        })
    };
    let cut = |caption: &str, raw: &str, body: &str| {
        let caption = clean_caption(caption);
        (caption.split_whitespace().count() >= 2).then(|| CreditMatch {
            caption,
            credit: parse(raw, body, applied),
        })
    };
    // A bracket that a credit word opens.
    if let Some(rest) = t.strip_suffix(')')
        && let Some(at) = rest.rfind('(')
    {
        let inner = &rest[at + 1..];
        if short(inner) && opens_with_word(inner, &[' ', '.', ':']) {
            return cut(&t[..at], &t[at..], inner);
        }
    }
    // A slash glued to the credit after a space.
    if let Some(at) = t.rfind(" /") {
        let tail = &t[at + 2..];
        if !tail.starts_with([' ', '/'])
            && short(tail)
            && (opens_with_word(tail, &['=', ':', ' '])
                || tail_word(tail)
                || !applied.agencies.find_in(tail).is_empty())
        {
            return cut(&t[..at], tail, tail);
        }
    }
    // A credit word and its equals sign after the caption's last sentence.
    if let Some(at) = t.rfind(". ") {
        let tail = &t[at + 2..];
        if short(tail) && opens_with_word(tail, &['=']) {
            return cut(&t[..at + 1], tail, tail);
        }
    }
    None
}

/// Most characters a credit glued to a caption in a script written without spaces has.
const UNSPACED_TAIL_CHARS: usize = 24;

/// In a caption written without spaces between words (Chinese, Japanese), the credit glued to
/// it after its last full stop, its equals sign or in a closing bracket, as the picture desk
/// writes it there: "…冷藏處理。圖／東港區漁會提供", "…正在用餐。受访者供图",
/// "…投入使用。（图片由企业提供）", "…のイメージ＝京都市提供".
/// The tail is at most `UNSPACED_TAIL_CHARS` characters written without spaces and without a
/// comma, and opens or ends with a credit word, credit label or photographer marker of the
/// rule files (a word of one character opens it only before a separator: "图／", not
/// "图书馆"); a caption
/// label ("（资料图）") stays the caption's. It names a photographer or an agency only where
/// the credit parser reads one in it: a source that hands out the picture ("受访者", "企业")
/// is no creator.
pub fn unspaced_tail(t: &str, applied: &Applied) -> Option<CreditMatch> {
    let t = t.trim();
    // Where the caption ends, and the credit inside what follows.
    let (end, tail) = if let Some(rest) = t.strip_suffix(['）', ')'])
        && let Some(at) = rest.rfind(['（', '('])
    {
        let open = rest[at..].chars().next().map_or(1, char::len_utf8);
        (at, &rest[at + open..])
    } else if let Some(at) = t.rfind('＝')
        && t.rfind(['。', '．']).is_none_or(|stop| stop < at)
    {
        // "…のイメージ＝京都市提供": the picture desk's equals sign sets the credit apart;
        // it belongs to neither side.
        (at, &t[at + '＝'.len_utf8()..])
    } else {
        let at = t.rfind(['。', '．'])?;
        let end = at + t[at..].chars().next().map_or(1, char::len_utf8);
        (end, &t[end..])
    };
    let (caption, raw, tail) = (t[..end].trim(), t[end..].trim(), tail.trim());
    let unspaced = |s: &str| {
        s.chars().any(crate::engine::types::is_unspaced_letter) && !s.contains(char::is_whitespace)
    };
    if tail.is_empty()
        || tail.chars().count() > UNSPACED_TAIL_CHARS
        || !unspaced(tail)
        || tail.contains(['，', '。', ','])
        || !caption
            .chars()
            .any(crate::engine::types::is_unspaced_letter)
        || applied
            .files()
            .any(|f| f.caption_labels.iter().any(|l| l == tail))
    {
        return None;
    }
    let credit_word = applied
        .files()
        .flat_map(|f| {
            f.credit_words
                .iter()
                .chain(&f.credit_labels)
                .chain(&f.photographer_markers)
        })
        .any(|w| {
            // A one-character word opens a credit only before its separator ("图／", not
            // "图书馆").
            let opens = tail.strip_prefix(w.as_str()).is_some_and(|rest| {
                w.chars().count() > 1 || rest.starts_with(|c: char| !c.is_alphanumeric())
            });
            opens || tail.ends_with(w.as_str())
        });
    if !credit_word {
        return None;
    }
    let credit = find_credit(tail, applied)
        .filter(|m| m.caption.is_empty())
        .map(|m| m.credit)
        .unwrap_or_default();
    Some(CreditMatch {
        caption: caption.to_string(),
        credit: Credit {
            raw: raw.to_string(),
            ..credit
        },
    })
}

/// The caption and credit of `t` cut at `(before, after)`, where the tail is a bare credit.
fn tail_at(t: &str, (before, after): (usize, usize), applied: &Applied) -> Option<CreditMatch> {
    let caption = t[..before].trim();
    let tail = t[after..].trim();
    if caption.split_whitespace().count() < 3
        || tail.is_empty()
        || tail.split_whitespace().count() > BARE_TAIL_WORDS
        || !credit_shaped(tail)
        || ends_sentence(tail)
    {
        return None;
    }
    // "Photo Marco Pozzi", "Foto Luciano D'Angelo": a photo word without its colon.
    let lower = tail.to_lowercase();
    let photo_word = applied
        .files()
        .flat_map(|f| f.photo_words.iter().map(String::as_str))
        .chain(credit_words(applied))
        .find(|w| {
            lower.starts_with(&w.to_lowercase())
                && tail.get(w.len()..).is_some_and(|r| r.starts_with(' '))
        });
    let named = photo_word.map_or(tail, |w| tail[w.len()..].trim());
    let parts: Vec<&str> = named
        .split('/')
        .flat_map(|p| p.split(" via "))
        .map(str::trim)
        .collect();
    let (mut names, mut agencies) = (0, 0);
    for p in &parts {
        if applied.agencies.lookup(p).is_some() {
            agencies += 1;
        } else if looks_like_name(p, applied)
            // One word is a name only behind a photo word ("Foto Fotolive"): "| Sonnenaufgang"
            // is a caption's word. Names in a script without case look like any other words.
            && ((2..=4).contains(&p.split_whitespace().count()) || photo_word.is_some())
            && super::has_case(p)
        {
            names += 1;
        } else if !(p.chars().count() <= 4 && p.chars().all(char::is_uppercase)) {
            return None;
        }
    }
    // After a full stop alone: an agency, names joined by a slash, or one name of two words
    // or more.
    let dotted = t[before..after].trim() == ".";
    let enough = if dotted && photo_word.is_none() {
        agencies > 0 || (names > 0 && parts.len() > 1) || named.split_whitespace().count() >= 2
    } else {
        names + agencies > 0
    };
    enough.then(|| CreditMatch {
        caption: clean_caption(caption),
        credit: parse(tail, named, applied),
    })
}

/// Whether `inner` names agencies and nothing else but the words a desk writes beside them that
/// name no one: "AP＝共同", "AFP時事", "REUTERS", "新华社发".
fn covered_by_agencies(inner: &str, applied: &Applied) -> bool {
    let found = applied.agencies.find_in(inner);
    if found.is_empty() {
        return false;
    }
    let mut rest = inner.to_string();
    for a in found {
        for alias in std::iter::once(&a.name).chain(a.aliases.iter()) {
            rest = replace_ci(&rest, alias);
        }
    }
    // What is left are the desk's words beside an agency that name no one ("新华社发": released
    // by Xinhua).
    rest.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            applied
                .files()
                .any(|f| f.credit_fillers.iter().any(|x| x == w))
        })
}

/// `text` with every case-insensitive occurrence of `word` replaced by a space.
fn replace_ci(text: &str, word: &str) -> String {
    let lower = text.to_lowercase();
    let w = word.to_lowercase();
    if lower.len() != text.len() || w.len() != word.len() {
        return text.replace(word, " ");
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, _) in lower.match_indices(&w) {
        if i >= last {
            out.push_str(&text[last..i]);
            out.push(' ');
            last = i + w.len();
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Sentence-final punctuation marks followed by a space or the end.
fn sentence_ends(s: &str) -> usize {
    let chars: Vec<char> = s.trim().chars().collect();
    (0..chars.len())
        .filter(|&i| {
            matches!(chars[i], '.' | '!' | '?' | '。' | '！' | '？')
                && chars.get(i + 1).is_none_or(|c| c.is_whitespace())
                && i > 0
                && chars[i - 1].is_alphabetic()
        })
        .count()
}

fn clean_caption(s: &str) -> String {
    s.trim()
        .trim_end_matches(['|', '/', '—', '–', '-', '＝', '='])
        .trim()
        .to_string()
}

/// Parses the body of a credit into creators and agencies. `raw` is kept as it stood.
/// The name before an outlet word ("Callum Reid for Atlas" → "Callum Reid"), where that name
/// is a person's of two words or more, no institution ("Landesamt für Denkmalpflege" stays).
fn before_outlet(part: &str, applied: &Applied) -> Option<String> {
    let words: Vec<&str> = part.split_whitespace().collect();
    let at = words.iter().position(|w| {
        let w = w.to_lowercase();
        applied.files().any(|f| f.credit_outlet_words.contains(&w))
    })?;
    let name = words.get(..at)?.join(" ");
    (at >= 2
        && at + 1 < words.len()
        && looks_like_name(&name, applied)
        && !applied.names_institution(&name))
    .then_some(name)
}

pub fn parse(raw: &str, body: &str, applied: &Applied) -> Credit {
    let mut credit = Credit {
        raw: raw.trim().to_string(),
        ..Credit::default()
    };
    let mut body = body.trim().replace("(c)", "©").replace("(C)", "©");
    for prefix in [
        "photo by ",
        "photographed by ",
        "photograph: ",
        "photograph by ",
    ] {
        if let Some(rest) = strip_prefix_ci(&body, prefix) {
            body = rest.to_string();
        }
    }
    // "(Photo : Éric WEISS / AFP)": the credit word inside parentheses.
    for word in credit_words(applied) {
        if let Some(rest) = strip_prefix_ci(&body, word)
            && rest.trim_start().starts_with([':', '：'])
        {
            body = rest
                .trim_start()
                .trim_start_matches([':', '：'])
                .trim()
                .to_string();
            break;
        }
    }
    let parts = body
        .split(['/', '|', ',', ';', '—', '–', '='])
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split(" via "))
        .map(|p| {
            p.trim()
                .trim_matches(['(', ')', '.', ':', '©', '（', '）'])
                .trim()
        });
    let markers: Vec<&str> = applied
        .files()
        .flat_map(|f| f.photographer_markers.iter().map(String::as_str))
        .collect();
    let fillers: Vec<&str> = applied
        .files()
        .flat_map(|f| f.credit_fillers.iter().map(String::as_str))
        .collect();
    for part in parts {
        let mut part = part.to_string();
        // "Callum Reid for Atlas": the photographer's full name, then the outlet.
        if let Some(name) = before_outlet(&part, applied) {
            part = name;
        }
        for m in &markers {
            if let Some(rest) = part.strip_suffix(m) {
                part = rest.trim().to_string();
            }
            if let Some(rest) = part.strip_prefix(m) {
                part = rest
                    .trim_start_matches(['・', '：', ':', ' '])
                    .trim()
                    .to_string();
            }
        }
        // "新华社记者 王晓川" → agency and name: split off a leading agency alias; "Petra
        // Šimková", "Ana Prates" are names that open with an agency's.
        // ("AP Photo", "EFE Foto" stay an agency: a photo word or an acronym is no name.)
        let one_name = super::two_word_name(&part, applied);
        if !one_name
            && let Some(a) = applied.agencies.find_in(&part).first()
            && applied.agencies.lookup(&part).is_none()
        {
            for alias in std::iter::once(&a.name).chain(a.aliases.iter()) {
                if let Some(rest) = strip_prefix_ci(&part, alias) {
                    if a.kind != AgencyKind::Publisher {
                        push_unique(&mut credit.agencies, &a.name);
                    }
                    part = rest.trim().to_string();
                    break;
                }
            }
        }
        for f in &fillers {
            if let Some(rest) = strip_prefix_ci(&part, f) {
                part = rest.trim().to_string();
            }
        }
        let part = part
            .trim()
            .trim_start_matches("(c)")
            .trim_start_matches("(C)")
            .trim_start_matches(['©', 'ⓒ'])
            .trim();
        // "Fot. Marek Nowak", "Foto Fotolive": a credit word left before the name.
        let part = credit_words(applied)
            .filter(|_| applied.agencies.lookup(part).is_none())
            .find_map(|w| {
                strip_prefix_ci(part, w)
                    .filter(|r| r.starts_with(['.', ' ']))
                    .map(|r| r.trim_start_matches(['.', ' ']))
            })
            .filter(|r| !r.is_empty())
            .unwrap_or(part);
        // "사진=최준호 기자": the credit word before its equals sign names no one.
        if part.is_empty() || credit_words(applied).any(|w| w.eq_ignore_ascii_case(part)) {
            continue;
        }
        if let Some(a) = applied.agencies.lookup(part) {
            if a.kind != AgencyKind::Publisher {
                push_unique(&mut credit.agencies, &a.name);
            }
            continue;
        }
        let lower = part.to_lowercase();
        // "AP Photo", "Reuters Photo", "dpa Picture-Alliance": the agency inside.
        let found = applied.agencies.find_in(part);
        if !found.is_empty()
            && !one_name
            && (lower.ends_with(" photo") || part.split_whitespace().count() <= 3)
        {
            for a in found {
                if a.kind != AgencyKind::Publisher {
                    push_unique(&mut credit.agencies, &a.name);
                }
            }
            continue;
        }
        if applied.files().any(|f| {
            f.credit_noise.contains(&lower)
                || f.credit_noise_prefixes
                    .iter()
                    .any(|p| lower.starts_with(p.as_str()))
        }) {
            continue;
        }
        // Desk codes ("EFE/AF/Name"): one to three capitals that are no agency.
        if part.chars().count() <= 3 && part.chars().all(|c| c.is_uppercase()) {
            continue;
        }
        // A title in quotes («Неделя», „Grani“) is a publication; an institution or a hand-out
        // ("Stadt Aalen", "Privat") took no picture.
        let quoted = part.starts_with(['«', '»', '"', '„', '“', '”', '\'', '‘', '「', '『'])
            && part.ends_with(['«', '»', '"', '“', '”', '\'', '’', '」', '』']);
        if quoted || applied.names_institution(part) {
            continue;
        }
        // "하경민 기자", "沈一鸣 文": the words beside a name that say what the person is.
        let Some(part) = super::person_part(part, applied) else {
            continue;
        };
        // Without case any word may be a name; with case, a word in lower case is none
        // ("φωτ. αρχείου": of the archive).
        if looks_like_name(part, applied)
            || (part.chars().all(|c| !c.is_ascii()) && !super::has_case(part))
        {
            push_unique(&mut credit.creators, part);
        }
    }
    credit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_caption_label_that_opens_a_caption_is_split_off() {
        for (lang, caption, label, text) in [
            (
                "fr",
                "Légende image, Les quais du Rhône",
                "Légende image,",
                "Les quais du Rhône",
            ),
            (
                "fr",
                "Légende : Les quais du Rhône",
                "Légende :",
                "Les quais du Rhône",
            ),
            (
                "es",
                "Pie de foto, Un tranvía en Valencia",
                "Pie de foto,",
                "Un tranvía en Valencia",
            ),
            (
                "en",
                "Image caption, Children at a library",
                "Image caption,",
                "Children at a library",
            ),
        ] {
            assert_eq!(
                split_caption_label(caption, &Applied::for_test(lang)),
                Some((label.to_string(), text.to_string())),
                "{caption}"
            );
        }
        assert_eq!(
            split_caption_label("Légende", &Applied::for_test("fr")),
            None
        );
    }

    #[test]
    fn a_gallery_counter_or_pointer_opening_a_caption_is_split_off() {
        let split = split_gallery_marker;
        let pair = |m: &str, c: &str| Some((m.to_string(), c.to_string()));
        assert_eq!(
            split("1 / 8 Rua XV de Novembro, no Centro de Blumenau"),
            pair("1 / 8", "Rua XV de Novembro, no Centro de Blumenau")
        );
        assert_eq!(
            split("3/12 Die Feuerwehr pumpt Keller aus."),
            pair("3/12", "Die Feuerwehr pumpt Keller aus.")
        );
        assert_eq!(
            split("▲ 김순례 할머니가 달력에 버스 시간을 적어 두었다."),
            pair("▲", "김순례 할머니가 달력에 버스 시간을 적어 두었다.")
        );
        assert_eq!(
            split("► Vue du port de Brest"),
            pair("►", "Vue du port de Brest")
        );
        // A date, a year, a count above its total, a counter alone: no marker.
        assert_eq!(split("12/03 Le marché de Louhans"), None);
        assert_eq!(split("1/2024 brachte Rekordregen"), None);
        assert_eq!(split("9 / 8 Ana Prates"), None);
        assert_eq!(split("2 / 8"), None);
        assert_eq!(split("Rua XV de Novembro 1 / 8"), None);
    }

    fn with_rules<T>(lang: &str, f: impl FnOnce(&Applied) -> T) -> T {
        f(&Applied::for_test(lang))
    }

    fn credit(lang: &str, text: &str) -> Option<(String, Vec<String>, Vec<String>)> {
        with_rules(lang, |a| {
            find_credit(text, a).map(|m| (m.caption, m.credit.creators, m.credit.agencies))
        })
    }

    use super::super::strings as s;

    #[test]
    fn a_credit_word_over_a_sentence_is_the_caption_s_label() {
        let split = |lang: &str, t: &str| with_rules(lang, |a| split_credit_word_label(t, a));
        let pair = |l: &str, c: &str| Some((l.to_string(), c.to_string()));
        assert_eq!(
            split(
                "en",
                "Photo: Cooby Dam was at 31 per cent capacity on Friday."
            ),
            pair("Photo:", "Cooby Dam was at 31 per cent capacity on Friday.")
        );
        assert_eq!(
            split(
                "el",
                "Φωτογραφία: Το πλωτό ασθενοφόρο στο λιμάνι της Κέρκυρας κατά την παράδοσή του"
            ),
            pair(
                "Φωτογραφία:",
                "Το πλωτό ασθενοφόρο στο λιμάνι της Κέρκυρας κατά την παράδοσή του"
            )
        );
        assert_eq!(
            split(
                "de",
                "Foto: Die Feuerwehr pumpte am Sonntag die Keller in der Altstadt aus"
            ),
            pair(
                "Foto:",
                "Die Feuerwehr pumpte am Sonntag die Keller in der Altstadt aus"
            )
        );
        assert_eq!(
            split(
                "fr",
                "Photo : Des prairies vertes au lieu de pistes au Feldberg"
            ),
            pair(
                "Photo :",
                "Des prairies vertes au lieu de pistes au Feldberg"
            )
        );
        // A credit after its word names the photographer: no caption.
        assert_eq!(split("de", "Foto: Kay Nietfeld/dpa"), None);
        assert_eq!(split("en", "Photo: Jane Doe for The Harbour Gazette"), None);
        assert_eq!(split("en", "Photo: AP Photo/Evan Vucci"), None);
        assert_eq!(
            split("en", "Photograph of the new bridge at dusk over the river"),
            None
        );
    }

    #[test]
    fn a_credit_glued_to_a_caption_without_spaces_is_cut_off() {
        let tail = |lang: &str, t: &str| {
            with_rules(lang, |a| {
                unspaced_tail(t, a).map(|m| (m.caption, m.credit.raw, m.credit.creators))
            })
        };
        let cut = |c: &str, raw: &str| Some((c.to_string(), raw.to_string(), vec![]));
        // After the last full stop: a credit word opens it, or a credit word ends it.
        assert_eq!(
            tail(
                "zh",
                "黑鮪魚運抵魚市場後立即進行冷藏處理。圖／東港區漁會提供"
            ),
            cut("黑鮪魚運抵魚市場後立即進行冷藏處理。", "圖／東港區漁會提供")
        );
        assert_eq!(
            tail("zh", "孙德明和老伴在书屋门口合影。图片由受访者提供"),
            cut("孙德明和老伴在书屋门口合影。", "图片由受访者提供")
        );
        assert_eq!(
            tail("zh", "老木匠在修补一扇雕花窗。受访者供图"),
            cut("老木匠在修补一扇雕花窗。", "受访者供图")
        );
        // In a closing bracket.
        assert_eq!(
            tail("zh", "位于环岛路的超充站投入使用。（图片由企业提供）"),
            cut("位于环岛路的超充站投入使用。", "（图片由企业提供）")
        );
        assert_eq!(
            tail("ja", "新駅の完成イメージ（富山市提供）"),
            cut("新駅の完成イメージ", "（富山市提供）")
        );
        // A caption label in brackets is the caption's; a tail that is no credit, a long
        // sentence after the full stop, a spaced script: nothing to cut.
        assert_eq!(tail("zh", "修缮前的老街（资料图）"), None);
        assert_eq!(tail("zh", "市民在公园散步。天气晴朗"), None);
        assert_eq!(
            tail(
                "zh",
                "市民在公园散步。图书馆今天开放到晚上九点，欢迎大家前来阅读和借书"
            ),
            None
        );
        assert_eq!(tail("ja", "会見する市長（中央）"), None);
        assert_eq!(
            tail("en", "Firefighters at the scene (Photo Jane Doe)"),
            None
        );
        // After the picture desk's equals sign, which belongs to neither side; the desk's own
        // words for who took it name no one.
        assert_eq!(
            tail("ja", "市が導入する観光特急バスのイメージ＝京都市提供"),
            cut("市が導入する観光特急バスのイメージ", "＝京都市提供")
        );
        assert_eq!(
            tail("ja", "尾道水道を向島へ向かう渡船＝筆者撮影"),
            cut("尾道水道を向島へ向かう渡船", "＝筆者撮影")
        );
        assert_eq!(
            tail("ja", "港に戻った漁船＝中村美咲撮影"),
            Some((
                "港に戻った漁船".to_string(),
                "＝中村美咲撮影".to_string(),
                s(&["中村美咲"])
            ))
        );
        // An equals sign inside the caption, before its last full stop, sets nothing apart.
        assert_eq!(tail("ja", "式典に出席した市長＝左。"), None);
    }

    #[test]
    fn a_credit_set_apart_by_a_mark_ends_a_caption() {
        let marked = |lang: &str, t: &str| {
            with_rules(lang, |a| {
                marked_tail(t, a).map(|m| (m.caption, m.credit.creators, m.credit.agencies))
            })
        };
        for (lang, line, caption, creators, agencies) in [
            // A bracket that a credit word opens without a colon.
            (
                "it",
                "Il rifugio dopo la ristrutturazione (foto Marco Ruggeri)",
                "Il rifugio dopo la ristrutturazione",
                &["Marco Ruggeri"][..],
                &[][..],
            ),
            (
                "pl",
                "Budowa łodzi w warsztacie w Chmielnie (Fot. Anna Wilk)",
                "Budowa łodzi w warsztacie w Chmielnie",
                &["Anna Wilk"],
                &[],
            ),
            (
                "el",
                "Υδροφόρα οχήματα σε κεντρικά σημεία της πόλης (φωτ. αρχείου)",
                "Υδροφόρα οχήματα σε κεντρικά σημεία της πόλης",
                &[],
                &[],
            ),
            // A slash glued to the credit: a credit word, a role word, an agency.
            (
                "ko",
                "시민들이 더위를 식히고 있다. /사진=이현우 기자",
                "시민들이 더위를 식히고 있다.",
                &["이현우"],
                &[],
            ),
            (
                "ko",
                "광안대교 위로 불꽃이 터지고 있다. 2024.11.09 /뉴시스 하경민 기자",
                "광안대교 위로 불꽃이 터지고 있다. 2024.11.09",
                &["하경민"],
                &["Newsis"],
            ),
            (
                "ko",
                "숲길을 점검하는 산림 관계자들. /울진군 제공",
                "숲길을 점검하는 산림 관계자들.",
                &[],
                &[],
            ),
            // A credit word and its equals sign after the last sentence.
            (
                "ko",
                "탐방객을 맞을 준비를 하는 남영자씨. 사진=독자 제공",
                "탐방객을 맞을 준비를 하는 남영자씨.",
                &[],
                &[],
            ),
        ] {
            assert_eq!(
                marked(lang, line),
                Some((caption.to_string(), s(creators), s(agencies))),
                "{line}"
            );
        }
        // Brackets that no credit word opens, a slash inside the caption, a sentence after
        // the slash: the caption stays whole.
        for (lang, line) in [
            ("it", "Il sindaco durante la cerimonia (al centro)"),
            (
                "en",
                "Firefighters at the scene (photographers were kept away by police)",
            ),
            ("en", "The route runs Berlin /Hamburg along the old canal"),
            (
                "ko",
                "시민들이 공원을 걷고 있다. /오늘 오후 비가 그친 뒤 많은 시민이 공원을 찾았다.",
            ),
        ] {
            assert_eq!(marked(lang, line), None, "{line}");
        }
    }

    #[test]
    fn a_numbered_picture_label_opens_a_caption() {
        let split = |lang: &str, t: &str| with_rules(lang, |a| split_numbered_label(t, a));
        let pair = |l: &str, c: &str| Some((l.to_string(), c.to_string()));
        assert_eq!(
            split(
                "de",
                "Bild 1: Blick in einen der zwölf Batteriecontainer am Stadtrand."
            ),
            pair(
                "Bild 1:",
                "Blick in einen der zwölf Batteriecontainer am Stadtrand."
            )
        );
        assert_eq!(
            split(
                "fr",
                "Image 3 : La nouvelle passerelle au-dessus de la Saône."
            ),
            pair("Image 3 :", "La nouvelle passerelle au-dessus de la Saône.")
        );
        assert_eq!(
            split("ja", "写真2：港に戻った漁船と水揚げを待つ市場の人たち"),
            pair("写真2：", "港に戻った漁船と水揚げを待つ市場の人たち")
        );
        // A credit of picture 1, a count in a sentence, a credit word glued to a number in a
        // spaced script, a label without a caption: no numbered caption.
        for (lang, t) in [
            ("de", "Foto 1: Anna Meier/dpa"),
            (
                "en",
                "Photo 12 shows the bridge, said the mayor on Tuesday.",
            ),
            (
                "es",
                "Foto2: Vista aérea de la planta desaladora de Torrevieja.",
            ),
            ("en", "Image 2:"),
        ] {
            assert_eq!(split(lang, t), None, "{t}");
        }
    }

    #[test]
    fn a_caption_that_a_credit_word_opens_keeps_its_words_and_the_bracket_credits_it() {
        for (lang, line, caption, agencies) in [
            (
                "ar",
                "صورة أرشيفية لجانب من خريطة مادبا الفسيفسائية (رويترز)",
                "صورة أرشيفية لجانب من خريطة مادبا الفسيفسائية",
                &["Reuters"][..],
            ),
            (
                "en",
                "Archive photo of the old harbour wall in Rotterdam (Reuters)",
                "Archive photo of the old harbour wall in Rotterdam",
                &["Reuters"],
            ),
        ] {
            assert_eq!(
                credit(lang, line),
                Some((caption.to_string(), vec![], s(agencies))),
                "{line}"
            );
        }
        // A credit word and an agency alone are a credit line.
        assert_eq!(
            credit("cs", "Foto ČTK"),
            Some((String::new(), vec![], s(&["ČTK"])))
        );
    }

    #[test]
    fn a_sentence_and_a_marker_credit_on_one_line_are_a_caption_and_its_credit() {
        for (lang, line, caption, creators, agencies) in [
            (
                "zh",
                "3月4日，读者在运河书院阅览室内阅读。 新华社记者 李明 摄",
                "3月4日，读者在运河书院阅览室内阅读。",
                &["李明"][..],
                &["Xinhua"][..],
            ),
            (
                "ja",
                "釧路湿原で羽を広げるタンチョウ。 撮影・中村美咲",
                "釧路湿原で羽を広げるタンチョウ。",
                &["中村美咲"],
                &[],
            ),
        ] {
            assert_eq!(
                credit(lang, line),
                Some((caption.to_string(), s(creators), s(agencies))),
                "{line}"
            );
            assert!(with_rules(lang, |a| has_marker_tail(line, a)), "{line}");
        }
        // The credit alone is a whole credit line, no caption.
        assert_eq!(
            credit("zh", "新华社记者 李明 摄"),
            Some((String::new(), s(&["李明"]), s(&["Xinhua"])))
        );
        assert!(!with_rules("zh", |a| has_marker_tail(
            "新华社记者 李明 摄",
            a
        )));
    }

    #[test]
    fn a_hand_out_in_brackets_is_the_caption_s_credit_and_names_no_photographer() {
        assert_eq!(
            credit(
                "en",
                "Cooby Dam was at 31 per cent capacity on Friday. (Supplied: Toowoomba Regional Council)"
            ),
            Some((
                "Cooby Dam was at 31 per cent capacity on Friday.".to_string(),
                vec![],
                vec![]
            ))
        );
    }

    #[test]
    fn whole_line_credits() {
        assert_eq!(
            credit("en", "Photo: Vitaly Smolnikov/dpa"),
            Some((String::new(), s(&["Vitaly Smolnikov"]), s(&["dpa"])))
        );
        assert_eq!(
            credit("de", "Foto: Kay Nietfeld/ dpa"),
            Some((String::new(), s(&["Kay Nietfeld"]), s(&["dpa"])))
        );
        assert_eq!(
            credit("de", "picture alliance / dpa / Kay Nietfeld"),
            Some((
                String::new(),
                s(&["Kay Nietfeld"]),
                s(&["picture alliance", "dpa"])
            ))
        );
        assert_eq!(
            credit("en", "REUTERS/Rodi Said"),
            Some((String::new(), s(&["Rodi Said"]), s(&["Reuters"])))
        );
        assert_eq!(
            credit("ru", "© Артём Гуляев/ТАСС"),
            Some((String::new(), s(&["Артём Гуляев"]), s(&["TASS"])))
        );
    }

    #[test]
    fn credits_at_the_end_of_a_caption() {
        let got = credit(
            "en",
            "A Coast Guard boat searches the water off Park Point. (AP Photo/Jenna Lund)",
        )
        .unwrap();
        assert_eq!(
            got.0,
            "A Coast Guard boat searches the water off Park Point."
        );
        assert_eq!((got.1, got.2), (s(&["Jenna Lund"]), s(&["AP"])));
        let got = credit(
            "de",
            "Eine Kreisklinik in Oberbayern. © Angelika Kessler/dpa",
        )
        .unwrap();
        assert_eq!(got.0, "Eine Kreisklinik in Oberbayern.");
        assert_eq!((got.1, got.2), (s(&["Angelika Kessler"]), s(&["dpa"])));
    }

    #[test]
    fn a_credit_set_apart_by_its_capital_and_colon_or_a_spaced_dash_ends_a_caption() {
        for (lang, line, caption, creators) in [
            (
                "cs",
                "Opravené dětské brouzdaliště Foto: Petr Dvořák",
                "Opravené dětské brouzdaliště",
                "Petr Dvořák",
            ),
            (
                "ar",
                "حقول القصب في قرية الحلفاية - تصوير: محمود الأنصاري",
                "حقول القصب في قرية الحلفاية",
                "محمود الأنصاري",
            ),
            (
                "de",
                "Der Anleger in Hemeln am Abend Foto: Tanja Hüther",
                "Der Anleger in Hemeln am Abend",
                "Tanja Hüther",
            ),
        ] {
            let got = credit(lang, line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(got.0, caption, "{line}");
            assert_eq!(got.1, s(&[creators]), "{line}");
        }
        // A lower-case credit word inside a sentence is the sentence's.
        assert_eq!(
            credit("de", "Sie zeigte uns das foto: Anna und Max am Strand"),
            None
        );
    }

    #[test]
    fn captions_of_the_shapes_rule_files_give_carry_their_credit() {
        for (lang, line, caption, creators, agencies) in [
            // ja: "＝", the day and the place, then the agency or the photographer.
            (
                "ja",
                "漁船を岸壁に固定する漁業関係者＝14日午前、沖縄県南大東村（共同）",
                "漁船を岸壁に固定する漁業関係者＝14日午前、沖縄県南大東村",
                &[][..],
                &["Kyodo"][..],
            ),
            (
                "ja",
                "記者会見する大統領＝2024年5月14日、ワシントン(AP＝共同)",
                "記者会見する大統領＝2024年5月14日、ワシントン",
                &[],
                &["AP"],
            ),
            (
                "ja",
                "満開の桜並木を歩く人たち＝3日午後、京都市左京区、山田太郎撮影",
                "満開の桜並木を歩く人たち＝3日午後、京都市左京区",
                &["山田太郎"],
                &[],
            ),
            // ko: "[place=agency] name 기자 = caption date e-mail".
            (
                "ko",
                "[서울=뉴시스] 조성우 기자 = 시민들이 광장을 걷고 있다. 2024.06.03. xx@newsis.com",
                "시민들이 광장을 걷고 있다.",
                &["조성우"],
                &["Newsis"],
            ),
            // Yonhap's round brackets and a single-digit date.
            (
                "ko",
                "(부산=연합뉴스) 김철수 기자 = 해변을 찾은 시민들이 산책하고 있다. 2024.8.3 kcs@yna.co.kr",
                "해변을 찾은 시민들이 산책하고 있다.",
                &["김철수"],
                &["Yonhap"],
            ),
            // A handout ("[부산시 제공. 재판매 및 DB 금지]"): the reporter filed the picture, and
            // took none.
            (
                "ko",
                "(부산=연합뉴스) 김철수 기자 = 불꽃이 밤하늘을 수놓고 있다. 2024.8.3 [부산시 제공. 재판매 및 DB 금지] kcs@yna.co.kr",
                "불꽃이 밤하늘을 수놓고 있다.",
                &[],
                &["Yonhap"],
            ),
        ] {
            let got = credit(lang, line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(got.0, caption, "{line}");
            assert_eq!((got.1, got.2), (s(creators), s(agencies)), "{line}");
            assert!(with_rules(lang, |a| is_pattern_caption(line, a)), "{line}");
        }
        // A sentence of the story with "＝" and a day is none.
        assert!(!with_rules("ja", |a| is_pattern_caption(
            "政府は＝14日、新たな対策を決めたと発表した。",
            a
        )));
    }

    fn tail(lang: &str, text: &str) -> Option<(String, Vec<String>, Vec<String>)> {
        with_rules(lang, |a| {
            caption_tail(text, a).map(|m| (m.caption, m.credit.creators, m.credit.agencies))
        })
    }

    #[test]
    fn an_agency_with_the_desks_filler_in_brackets_credits_the_picture() {
        for (lang, line, caption, agency) in [
            (
                "zh",
                "居民在新加装的电梯前等候。（新华社发）",
                "居民在新加装的电梯前等候。",
                "Xinhua",
            ),
            (
                "zh",
                "游客在景区内观赏梅花。（中新社 发）",
                "游客在景区内观赏梅花。",
                "CNS",
            ),
            (
                "ja",
                "港に入る大型客船（共同）",
                "港に入る大型客船",
                "Kyodo",
            ),
        ] {
            let got =
                with_rules(lang, |a| find_credit(line, a)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(
                (got.caption.as_str(), got.credit.agencies),
                (caption, vec![agency.to_string()])
            );
        }
        // A word beside the agency that is no filler keeps the bracket in the caption.
        for (lang, line) in [
            ("zh", "居民在新加装的电梯前等候。（新华社发布）"),
            ("zh", "居民在新加装的电梯前等候。（记者发）"),
        ] {
            assert!(
                with_rules(lang, |a| find_credit(line, a)).is_none(),
                "{line}"
            );
        }
    }

    #[test]
    fn an_agency_slashed_to_its_photographer_ends_a_caption_without_a_mark() {
        for (lang, line, caption, creators, agencies) in [
            (
                "it",
                "Code sull'A14 all'altezza di Pesaro ANSA/MARCO ROSSI",
                "Code sull'A14 all'altezza di Pesaro",
                &["MARCO ROSSI"][..],
                &["ANSA"][..],
            ),
            (
                "es",
                "Vecinos achican agua en una calle de Paiporta EFE/Ana Escobar",
                "Vecinos achican agua en una calle de Paiporta",
                &["Ana Escobar"],
                &["EFE"],
            ),
        ] {
            assert_eq!(
                tail(lang, line),
                Some((caption.to_string(), s(creators), s(agencies))),
                "{line}"
            );
        }
        // A slash between two places is no credit.
        assert_eq!(
            tail("it", "Il treno regionale Roma/Firenze in ritardo"),
            None
        );
    }

    #[test]
    fn a_space_before_the_credit_words_colon_is_french_typography() {
        for line in [
            "La station du Feldberg vendredi après-midi. Photo : Konrad Wiesehöfer/dpa",
            "La station du Feldberg vendredi après-midi. Photo\u{a0}: Konrad Wiesehöfer/dpa",
        ] {
            assert_eq!(
                credit("fr", line),
                Some((
                    "La station du Feldberg vendredi après-midi.".to_string(),
                    s(&["Konrad Wiesehöfer"]),
                    s(&["dpa"])
                )),
                "{line}"
            );
        }
    }

    #[test]
    fn a_caption_ends_on_names_after_a_bar_a_dash_or_its_full_stop() {
        for (lang, line, caption, creators, agencies) in [
            (
                "en",
                "The north breakwater, seen from the Eighth Street bridge. Jamal Reed/Lakeshore Ledger",
                "The north breakwater, seen from the Eighth Street bridge.",
                &["Jamal Reed", "Lakeshore Ledger"][..],
                &[][..],
            ),
            (
                "fr",
                "Yannick Le Goff, patron de l'Ar Mor Glas, devant ses filets | Gwenaëlle Le Bihan",
                "Yannick Le Goff, patron de l'Ar Mor Glas, devant ses filets",
                &["Gwenaëlle Le Bihan"],
                &[],
            ),
            (
                "it",
                "Il filobus in prova sulla strada parco, all'altezza di via Leopardi - Foto Luciano D'Angelo",
                "Il filobus in prova sulla strada parco, all'altezza di via Leopardi",
                &["Luciano D'Angelo"],
                &[],
            ),
            (
                "en",
                "Emergency workers watch the eruption near the Blue Lagoon. Halla Eyjolfsdottir/AFP via Getty Images",
                "Emergency workers watch the eruption near the Blue Lagoon.",
                &["Halla Eyjolfsdottir"],
                &["AFP", "Getty Images"],
            ),
            (
                "es",
                "Firefighters at the scene on Southwest Holly Street. — Caleb Hurd / The Cascade Current",
                "Firefighters at the scene on Southwest Holly Street.",
                &["Caleb Hurd", "The Cascade Current"],
                &[],
            ),
        ] {
            let got = tail(lang, line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(got.0, caption, "{line}");
            assert_eq!((got.1, got.2), (s(creators), s(agencies)), "{line}");
        }
    }

    #[test]
    fn abbreviations_words_and_names_without_case_end_no_caption() {
        for (lang, line) in [
            (
                "en",
                "The two storks on the south tower of St. Peter's Cathedral.",
            ),
            (
                "pl",
                "Autobus linii N1 podczas nocnego przejazdu na al. Piłsudskiego",
            ),
            (
                "en",
                "Councillors met on Tuesday - and voted to close the road",
            ),
            ("ar", "منقذون خلال تدريب على الإسعافات الأولية - أرشيفية"),
            ("de", "Blick auf den Hafen | Sonnenaufgang"),
        ] {
            assert_eq!(tail(lang, line), None, "{line}");
        }
    }

    fn creators(lang: &str, raw: &str) -> Vec<String> {
        with_rules(lang, |a| parse(raw, raw, a).creators)
    }

    #[test]
    fn the_outlet_a_photographer_worked_for_is_no_creator() {
        for (lang, raw, want) in [
            (
                "en",
                "Photograph: Callum Reid for Atlas",
                &["Callum Reid"][..],
            ),
            (
                "fr",
                "© Antoine Lefebvre-Marchal pour Horizons",
                &["Antoine Lefebvre-Marchal"],
            ),
            ("it", "© Davide Zanetti per DOSSIER", &["Davide Zanetti"]),
            (
                "de",
                "Foto: Jana Petersen für die Kreiszeitung",
                &["Jana Petersen"],
            ),
            ("pl", "Fot. Marek Nowak dla Gazety", &["Marek Nowak"]),
            // An institution named with the word is no photographer, nor the word's half.
            ("de", "Foto: Landesamt für Denkmalpflege", &[]),
            ("en", "Photo: Friends for Parks", &[]),
        ] {
            assert_eq!(creators(lang, raw), s(want), "{raw}");
        }
    }

    #[test]
    fn institutions_hand_outs_and_titles_are_no_photographers() {
        for (lang, raw, want) in [
            ("de", "Foto: Stadt Aalen", &[][..]),
            ("de", "Foto: Privat", &[]),
            ("en", "Image: Calderdale Council", &[]),
            ("tr", "Fotoğraf: Trabzon Büyükşehir Belediyesi", &[]),
            ("he", "צילום: עיריית חיפה", &[]),
            (
                "pt",
                "Foto: Ana Prates / Divulgação Prefeitura de Blumenau",
                &["Ana Prates"],
            ),
            ("ru", "Фото: Анна Лаптева / «Неделя»", &["Анна Лаптева"]),
            ("cs", "Foto: Petra Šimková", &["Petra Šimková"]),
            ("pl", "Fot. Marek Nowak / Reporter", &["Marek Nowak"]),
            ("ko", "하경민 기자", &["하경민"]),
        ] {
            assert_eq!(creators(lang, raw), s(want), "{raw}");
        }
    }

    #[test]
    fn body_sentences_that_start_with_photo_are_not_credits() {
        assert_eq!(
            credit(
                "en",
                "Photos released by the Coast Guard on Tuesday show a capsized red kayak drifting about a mile off Park Point."
            ),
            None
        );
        assert_eq!(
            credit("de", "Fotos zeigen, wie die Helfer Sandsäcke stapeln."),
            None
        );
    }
}
