//! Stage: observe. Every unit is looked at once and described by evidence that holds in every
//! language — its length, how it opens and closes, capitals, digits, separators, dates and
//! times, counts in brackets, repeats, its position and its neighbours, how much of it is
//! stop words compared with the document's own prose — and by what the language's rule files
//! say about it (a known label, a credit, a dateline, a byline shape), as evidence with a
//! weight, never as a verdict. `roles.rs` decides from these; nothing here decides.
//!
//! A unit's observation is a small fixed-size record (`Obs`), so a document of many tiny lines
//! costs a few dozen bytes a line; the feature ids the model reads are expanded from it on the
//! fly (`features`).

use super::article::ArtefactKind;
use super::lexicon::{self, Applied};
use super::types::{CHAR_BINS, End, Flag, Lex, Start, Unit, WORD_BINS, bin, feature_id, tpl};
use crate::rules::LineMatch;
use std::collections::HashMap;

/// "No value" for the percentage fields of `Obs`.
const NA: u8 = u8::MAX;
/// Units at least this long that end like a sentence are prose.
const PROSE_CHARS: u32 = 80;
/// Units up to this long without a sentence end are short lines (labels, titles, menus).
const SHORT_CHARS: u32 = 80;
/// Lexicon parsers look at lines up to this long only (longer units are prose whatever they
/// start with; a dateline is still looked for at their start).
const MAX_LEXICON_CHARS: u32 = 320;

/// What one unit looks like. Packed into 24 bytes: a document of many tiny lines keeps one
/// of these a line.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Obs {
    pub flags: u64,
    /// Length in characters (saturating).
    chars: u16,
    pub words: u16,
    pub lex: u16,
    pub sentences: u8,
    pub end: u8,
    pub start: u8,
    /// Share of capitalised words, percent (`NA` for fewer than two cased words).
    pub title_share: u8,
    /// Share of digits among the visible characters, percent.
    pub digit_share: u8,
    /// Share of stop words among the words (characters for unspaced scripts), percent.
    pub stop_share: u8,
    /// The rule files' verdict, as 1 + kind × 3 + how (whole line 0, prefix 1, pattern 2); 0: none.
    rule: u8,
    /// Length of the run of short lines this unit is in (0: not a short line; saturating).
    short_run: u8,
    /// Prose units within three units either side (2 bits, at most 3), place in its group
    /// (2 bits: alone, first, middle, last), bin of its group's size (2 bits: 1, 2, 3–5, 6+).
    near: u8,
}

impl Obs {
    pub fn has(&self, flag: Flag) -> bool {
        self.flags & (1 << flag.index()) != 0
    }

    pub fn lex(&self, lex: Lex) -> bool {
        self.lex & (1 << lex.index()) != 0
    }

    fn set(&mut self, flag: Flag) {
        self.flags |= 1 << flag.index();
    }

    fn set_lex(&mut self, lex: Lex) {
        self.lex |= 1 << lex.index();
    }

    /// A site's menu rendered as one row of words ("Головне Війна Політика Економіка
    /// Суспільство Регіони Культура", "Home News Sport Business Culture Travel Opinion"): six
    /// capitalised words or more and nothing else (`WordRow`), none of its words in the
    /// story's prose (`OffTopic`). A headline in title case shares its words with the prose.
    pub fn menu_shaped(&self) -> bool {
        self.has(Flag::WordRow) && self.has(Flag::OffTopic)
    }

    /// Length in characters (at most 65,535).
    pub fn chars(&self) -> u32 {
        u32::from(self.chars)
    }

    /// The artefact kind the rule files give the unit, if any.
    pub fn rule(&self) -> Option<ArtefactKind> {
        (self.rule != 0).then(|| ArtefactKind::ALL[usize::from(self.rule - 1) / 3])
    }

    /// How the rule matched: 0 whole line, 1 prefix, 2 pattern.
    pub fn rule_how(&self) -> u8 {
        (self.rule.max(1) - 1) % 3
    }

    fn short_run(&self) -> u32 {
        u32::from(self.short_run)
    }

    fn prose_near(&self) -> u32 {
        u32::from(self.near & 3)
    }

    /// 0 alone in its group, 1 first, 2 middle, 3 last.
    fn group_pos(&self) -> u8 {
        (self.near >> 2) & 3
    }

    fn group_len_bin(&self) -> u32 {
        u32::from(self.near >> 4 & 3)
    }

    /// An observation of a unit of `chars` characters and nothing else (tests).
    #[cfg(test)]
    pub fn with_chars(chars: u16) -> Obs {
        Obs {
            chars,
            ..Obs::default()
        }
    }

    /// A unit that reads like running text.
    pub fn is_prose(&self) -> bool {
        self.chars() >= PROSE_CHARS && self.has(Flag::EndsSentence)
    }

    fn is_short(&self) -> bool {
        self.chars() <= SHORT_CHARS && !self.has(Flag::EndsSentence)
    }
}

/// What the whole document looks like.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocStats {
    pub units: usize,
    pub max_chars: u32,
    /// The median stop-word share of the prose units (`NA` where there is no prose).
    pub body_stop: u8,
    /// The densest stretch of prose (first and last unit), if any.
    pub core: Option<(usize, usize)>,
}

/// Every unit's observation and the document's.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub obs: Vec<Obs>,
    pub doc: DocStats,
}

/// Observes every unit of a document once.
pub fn observe(units: &[Unit], applied: &Applied) -> Observed {
    let stop = applied.stop_words();
    let mut obs: Vec<Obs> = units
        .iter()
        .map(|u| {
            let mut o = shape(u.text.trim(), applied, stop);
            if u.line != u.last_line {
                o.set(Flag::MultiLine);
            }
            o.near |= (bin(u.group_len, &[1, 2, 5]) as u8) << 4;
            lexicon_evidence(u.text.trim(), applied, &mut o);
            o
        })
        .collect();
    context(units, &mut obs);
    topicality(units, stop, &mut obs);
    mentions_of_authors(units, applied, &mut obs);
    let doc = doc_stats(&obs);
    titles(&mut obs, &doc);
    Observed { obs, doc }
}

const QUOTES: &[char] = &[
    '"', '“', '”', '„', '«', '»', '‹', '›', '「', '」', '『', '』', '‘', '’', '\'',
];
const BULLETS: &[char] = &[
    '•', '-', '–', '—', '*', '▶', '►', '■', '●', '→', '>', '·', '▪', '◆', '✓', '+',
];

fn end_of(t: &str) -> End {
    match t.chars().next_back() {
        None => End::Other,
        Some(c) => match c {
            '.' | '。' | '।' | '۔' | '．' => End::Period,
            '!' | '?' | '！' | '？' | '؟' => End::Exclaim,
            ':' | '：' => End::Colon,
            ',' | ';' | '،' | '؛' | '，' | '；' => End::Comma,
            ')' | ']' | '）' | '】' | '］' => End::Bracket,
            c if QUOTES.contains(&c) => End::Quote,
            c if c.is_numeric() => End::Digit,
            c if c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c) => {
                End::Letter
            }
            _ => End::Other,
        },
    }
}

fn start_of(t: &str) -> Start {
    match t.chars().next() {
        None => Start::Symbol,
        Some(c) if c.is_uppercase() => Start::Upper,
        Some(c) if c.is_lowercase() => Start::Lower,
        Some(c) if c.is_alphabetic() => Start::Caseless,
        Some(c) if c.is_numeric() => Start::Digit,
        Some('(' | '[' | '（' | '【' | '［' | '{') => Start::Bracket,
        Some(c) if QUOTES.contains(&c) => Start::Quote,
        Some(_) => Start::Symbol,
    }
}

/// Sentences in a text, counted by sentence-final punctuation after a lower-case letter (or
/// any full-width end), followed by a space, a quote or the end.
fn sentence_count(t: &str) -> usize {
    sentence_ends(t).max(1)
}

/// How many sentence ends `t` holds: a full stop, a question or exclamation mark after a word
/// in lower case or a figure, before a space, a quote or the end.
pub fn sentence_ends(t: &str) -> usize {
    let mut n = 0;
    let mut prev: Option<char> = None;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        let wide = matches!(c, '。' | '！' | '？');
        if matches!(c, '.' | '!' | '?' | '؟' | '।') || wide {
            let next_ok = chars
                .peek()
                .is_none_or(|n| n.is_whitespace() || QUOTES.contains(n));
            let prev_ok = wide
                || prev.is_some_and(|p| {
                    p.is_lowercase()
                        || !p.is_alphabetic() && p.is_alphanumeric()
                        || p.is_alphabetic() && !p.is_uppercase()
                });
            if next_ok && prev_ok {
                n += 1;
            }
        }
        prev = Some(c);
    }
    n
}

fn is_unspaced(c: char) -> bool {
    super::types::is_unspaced_letter(c)
}

/// The shape of one unit: everything that needs no rule file but the language's stop words.
fn shape(t: &str, applied: &Applied, stop: Option<&crate::rules::StopWords>) -> Obs {
    let mut o = Obs {
        title_share: NA,
        stop_share: NA,
        ..Obs::default()
    };
    let mut chars = 0u32;
    let (mut digits, mut visible, mut symbols, mut unspaced) = (0u32, 0u32, 0u32, 0u32);
    let (mut upper_letters, mut lower_letters) = (0u32, 0u32);
    for c in t.chars() {
        chars += 1;
        if c.is_whitespace() {
            continue;
        }
        visible += 1;
        if c.is_numeric() {
            digits += 1;
        } else if c.is_uppercase() {
            upper_letters += 1;
        } else if c.is_lowercase() {
            lower_letters += 1;
        } else if is_unspaced(c) {
            unspaced += 1;
        } else if !c.is_alphabetic() && !unicode_normalization::char::is_combining_mark(c) {
            symbols += 1;
        }
    }
    o.chars = u16::try_from(chars).unwrap_or(u16::MAX);
    let spaced_words = t.split_whitespace().count() as u32;
    o.words = u16::try_from(spaced_words + unspaced / 2).unwrap_or(u16::MAX);
    o.sentences = sentence_count(t).min(15) as u8;
    let end = end_of(t);
    o.end = end as u8;
    o.start = start_of(t) as u8;
    o.digit_share = (digits * 100).checked_div(visible).unwrap_or(0) as u8;
    if lexicon::ends_sentence(t) {
        o.set(Flag::EndsSentence);
    }
    if upper_letters >= 3 && lower_letters == 0 {
        o.set(Flag::AllCaps);
    }
    if visible > 0 && symbols * 100 / visible >= 30 {
        o.set(Flag::Symbols);
    }
    if digits > 0 && upper_letters + lower_letters + unspaced == 0 {
        o.set(Flag::NumericOnly);
    }
    // Capitalised words among the words that start with a cased letter.
    let (mut cased, mut capital) = (0u32, 0u32);
    for w in t.split_whitespace() {
        if let Some(c) = w.chars().find(|c| c.is_alphanumeric())
            && (c.is_uppercase() || c.is_lowercase())
        {
            cased += 1;
            if c.is_uppercase() {
                capital += 1;
            }
        }
    }
    if cased >= 2 {
        o.title_share = (capital * 100 / cased) as u8;
    }
    // A row of capitalised words, no mark or figure among them, and few function words
    // (web stop-word lists hold menu words such as "home" or "Startseite").
    if cased >= u32::from(MENU_MIN_WORDS)
        && capital == cased
        && let Some(stop) = stop
        && t.split_whitespace()
            .all(|w| w.chars().all(char::is_alphabetic))
        && t.split_whitespace()
            .filter(|w| stop.contains(&w.to_lowercase()))
            .count()
            * 3
            <= cased as usize
    {
        o.set(Flag::WordRow);
    }
    let s = applied.rules.shapes();
    let short = chars <= 200;
    if short {
        if s.time.is_match(t) {
            o.set(Flag::Time);
        }
        if s.date.is_match(t) {
            o.set(Flag::Date);
        }
        if s.year.is_match(t) {
            o.set(Flag::Year);
        }
        if chars <= 40 && s.counter.is_match(t) {
            o.set(Flag::Counter);
        }
        if s.duration.is_match(t) {
            o.set(Flag::Duration);
        }
        if s.handle.is_match(t) {
            o.set(Flag::Handle);
        }
    }
    if s.bracket_count.is_match(t) {
        o.set(Flag::BracketCount);
    }
    if s.url.is_match(t) {
        o.set(Flag::Url);
    }
    if t.contains('@') && s.email.is_match(t) {
        o.set(Flag::Email);
    }
    match t.matches('|').count() {
        0 => {}
        1 => o.set(Flag::Pipe),
        _ => o.set(Flag::Pipes),
    }
    if t.contains(" > ")
        || t.contains('›')
        || t.contains(" » ")
        || t.contains(" / ") && t.matches(" / ").count() >= 2
    {
        o.set(Flag::Breadcrumb);
    }
    if t.contains(" / ") {
        o.set(Flag::SlashSep);
    }
    if t.contains('•') || t.contains(" · ") {
        o.set(Flag::Dots);
    }
    if t.starts_with(BULLETS) && t.chars().nth(1).is_some_and(char::is_whitespace) {
        o.set(Flag::BulletStart);
    }
    if t.starts_with(QUOTES) {
        o.set(Flag::QuoteStart);
    }
    if t.contains(QUOTES) {
        o.set(Flag::Quote);
    }
    if t.ends_with('…') || t.ends_with("...") {
        o.set(Flag::Ellipsis);
    }
    if matches!(end, End::Exclaim) && t.ends_with(['?', '？', '؟']) {
        o.set(Flag::Question);
    }
    // "Read also: …", "Foto: …", "Stand: …": a label and what it labels.
    if let Some(at) = t.find([':', '：'])
        && at > 0
        && t[..at].split_whitespace().count() <= 4
        && at + 1 < t.len()
    {
        o.set(Flag::LabelColon);
    }
    if short {
        if o.words <= 5 && lexicon::looks_like_name(t, applied) {
            o.set(Flag::NameLike);
        }
        if name_and_role(t, applied).is_some() {
            o.set(Flag::NameRole);
        }
        if name_after_word(t, applied) {
            o.set(Flag::NameAfterWord);
        }
        if chars <= 40 && initials(t) {
            o.set(Flag::Initials);
        }
        if chars <= 120 && slug_or_code(t) {
            o.set(Flag::Slug);
        }
        if has_month(t, applied) {
            o.set(Flag::Month);
        }
    }
    if let Some(stop) = stop {
        o.stop_share = stop.share(t);
    }
    o
}

/// "Jane Doe, Health correspondent", "Jan Kos – reporter for Reuters", "Eva Lind | Brussels":
/// a name, a separator and a short description. → the name and the description.
pub(crate) fn name_and_role<'t>(t: &'t str, applied: &Applied) -> Option<(&'t str, &'t str)> {
    for sep in [", ", "، ", " – ", " - ", " — ", " | ", " with ", " / "] {
        if let Some((name, role)) = t.split_once(sep) {
            let name = name.trim();
            let words = name.split_whitespace().count();
            return ((2..=4).contains(&words)
                && lexicon::looks_like_name(name, applied)
                && !role.trim().is_empty()
                && role.split_whitespace().count() <= 8
                && !lexicon::ends_sentence(role))
            .then_some((name, role.trim()));
        }
    }
    None
}

/// A short opening word (or a label with a colon), then a name of two to four words.
fn name_after_word(t: &str, applied: &Applied) -> bool {
    let Some((first, rest)) = t.split_once(' ') else {
        return false;
    };
    let first = first.trim_end_matches([':', '：']);
    let rest = rest.trim_start_matches([':', '：', ' ']);
    let words = rest.split_whitespace().count();
    !first.is_empty()
        && first.chars().count() <= 8
        && first.chars().all(char::is_alphabetic)
        && (2..=4).contains(&words)
        && lexicon::looks_like_name(rest, applied)
}

/// One to four groups of one to five letters, split by slashes, commas or spaces, maybe in
/// brackets: editors' initials ("ΣΜ/ΑΒ", "kva mal", "(M.B.)", "م ع ف / ه س", "Fdm/Gtu").
fn initials(t: &str) -> bool {
    let inner = t.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ' ' | '-' | '–'));
    let groups: Vec<&str> = inner
        .split(['/', ',', ' ', '.'])
        .filter(|g| !g.is_empty())
        .collect();
    let letters: usize = groups.iter().map(|g| g.chars().count()).sum();
    let separated = inner.contains(['/', '.']) || t.starts_with('(');
    // Without a slash or dots, initials are all lower case or all capitals ("kva mal", "ΔΜ").
    let one_case = groups.iter().all(|g| g.chars().all(|c| !c.is_uppercase()))
        || groups.iter().all(|g| g.chars().all(|c| !c.is_lowercase()));
    (1..=4).contains(&groups.len())
        && (2..=12).contains(&letters)
        && (separated || one_case)
        && groups.iter().all(|g| {
            let n = g.chars().count();
            (1..=5).contains(&n) && g.chars().all(char::is_alphabetic)
        })
}

/// A slug ("bc-Energie-Windpark-Nordsee", "^AP-US-Harbor-Dredging,1st Ld-Writethru,0521^") or
/// a routing code ("ANT0412 3 EKB 0388 ANTARA", "a0744", "AP-WF-03-28-24 2107GMT").
fn slug_or_code(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() {
        return false;
    }
    let slug = words.len() <= 3
        && words
            .iter()
            .any(|w| w.matches('-').count() >= 2 || w.contains('^'));
    let codes = words
        .iter()
        .filter(|w| {
            let digits = w.chars().filter(char::is_ascii_digit).count();
            let letters = w.chars().filter(|c| c.is_alphabetic()).count();
            digits > 0 && (letters > 0 || w.len() >= 3)
        })
        .count();
    slug || codes * 2 >= words.len() && codes >= 1 && words.len() <= 8 && !t.ends_with('.')
}

fn has_month(t: &str, applied: &Applied) -> bool {
    let lower = t.to_lowercase();
    lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.len() >= 3)
        .any(|w| applied.is_month(w))
}

/// What the rule files say about one unit.
fn lexicon_evidence(t: &str, applied: &Applied, o: &mut Obs) {
    if t.is_empty() {
        return;
    }
    // One prepared line (masked, lower-cased, keyed once) for every rule file that asks.
    let input = crate::rules::LineInput::new(t, applied.agencies);
    if let Some((m, foreign)) = applied.match_line_in(&input) {
        let how = match m {
            LineMatch::Line(_) => 0,
            LineMatch::Prefix(_) => 1,
            LineMatch::Pattern(_) => 2,
        };
        o.rule = 1 + m.kind() as u8 * 3 + how;
        if foreign {
            o.set_lex(Lex::ForeignLabel);
        }
    }
    if let Some(m) = lexicon::dateline::find_dateline_in(&input, applied) {
        o.set_lex(if m.rest.is_empty() {
            Lex::DatelineAlone
        } else {
            Lex::DatelineStart
        });
    }
    if applied.has_inline_teaser(t) {
        o.set_lex(Lex::InlineTeaser);
    }
    let agencies = applied.agencies.find_in(t);
    if !agencies.is_empty() {
        o.set(Flag::Agency);
        if agencies
            .iter()
            .any(|a| a.kind == crate::rules::AgencyKind::News)
        {
            o.set(Flag::NewsAgency);
        }
        let m = input.masked().text();
        let mark = crate::rules::AGENCY_MARK;
        if m.contains(&format!("({mark}"))
            || m.contains(&format!("{mark})"))
            || m.contains(&format!("/{mark}"))
        {
            o.set(Flag::AgencyParen);
        }
    }
    if o.chars() > MAX_LEXICON_CHARS {
        // A credit can still close a long caption.
        if let Some(m) = lexicon::credit::find_credit(t, applied) {
            o.set_lex(Lex::CreditTail);
            if !m.credit.creators.is_empty() {
                o.set_lex(Lex::CreditCreators);
            }
        }
        return;
    }
    if let Some(m) = lexicon::credit::find_credit(t, applied) {
        o.set_lex(if m.caption.is_empty() {
            Lex::CreditWhole
        } else {
            Lex::CreditTail
        });
        if !m.credit.creators.is_empty() {
            o.set_lex(Lex::CreditCreators);
        }
    }
    // `t` is trimmed, so the prepared line's lower-cased form is `t` lower-cased.
    let credit_words = applied.credit_words_in(input.lowered());
    if credit_words.at_start {
        o.set_lex(Lex::CreditWordStart);
    }
    if credit_words.inside {
        o.set_lex(Lex::CreditWordInside);
    }
    if lexicon::credit::split_caption_label(t, applied).is_some() {
        o.set_lex(Lex::CaptionLabel);
    }
    if lexicon::byline::find_byline(t, applied).is_some() {
        o.set_lex(Lex::Byline);
    }
    if lexicon::byline::find_signature(t, applied).is_some() {
        o.set_lex(Lex::Signature);
    }
    if t.contains([':', '：'])
        && lexicon::byline::find_source(t, applied)
            .is_some_and(|b| b.authors.is_empty() && !b.agencies.is_empty())
    {
        o.set_lex(Lex::Source);
    }
    if lexicon::byline::agency_line(t, applied).is_some() {
        o.set_lex(Lex::AgencyLine);
    }
}

/// The content words of a text, hashed: words of four letters or more that are no stop words,
/// and for scripts written without spaces, pairs of characters.
fn content_words(text: &str, stop: Option<&crate::rules::StopWords>, out: &mut Vec<u64>) {
    out.clear();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.chars().any(is_unspaced) {
            let cs: Vec<char> = w.chars().filter(|&c| is_unspaced(c)).collect();
            for pair in cs.windows(2) {
                let s: String = pair.iter().collect();
                out.push(xxhash_rust::xxh3::xxh3_64(s.as_bytes()));
            }
            continue;
        }
        if w.chars().count() < 4 || w.chars().all(|c| c.is_numeric()) {
            continue;
        }
        let lower = w.to_lowercase();
        if stop.is_some_and(|s| s.contains(&lower)) {
            continue;
        }
        out.push(xxhash_rust::xxh3::xxh3_64(lower.as_bytes()));
    }
    out.sort_unstable();
    out.dedup();
}

/// Whether a unit's content words stand in the document's prose elsewhere: on-topic lines
/// (subheadings, headline, captions) share them, furniture and other stories do not.
fn topicality(units: &[Unit], stop: Option<&crate::rules::StopWords>, obs: &mut [Obs]) {
    // Content word → in how many prose units.
    let mut prose_words: HashMap<u64, u32> = HashMap::new();
    let mut words = Vec::new();
    for (u, o) in units.iter().zip(obs.iter()) {
        if o.is_prose() {
            content_words(u.text, stop, &mut words);
            for &w in &words {
                *prose_words.entry(w).or_insert(0) += 1;
            }
        }
    }
    if prose_words.is_empty() {
        return;
    }
    for (u, o) in units.iter().zip(obs.iter_mut()) {
        // Lines only: a paragraph of the story may well be on a topic of its own.
        if o.chars() > 200 || o.is_prose() {
            continue;
        }
        content_words(u.text, stop, &mut words);
        if words.is_empty() {
            continue;
        }
        let own = u32::from(o.is_prose());
        let shared = words
            .iter()
            .filter(|w| prose_words.get(w).is_some_and(|&n| n > own))
            .count();
        if shared == 0 {
            o.set(Flag::OffTopic);
        } else if shared * 2 >= words.len() {
            o.set(Flag::OnTopic);
        }
    }
}

/// Most byline-like lines whose names are looked for elsewhere.
const MAX_AUTHOR_LINES: usize = 8;

/// Marks units that name a person a byline-like line names: an author's bio, a comment posted
/// by the author. The names come from lines with a byline opener, name lines and "name, role"
/// lines; a name of one word is too common to count.
fn mentions_of_authors(units: &[Unit], applied: &Applied, obs: &mut [Obs]) {
    let mut names: Vec<(usize, String)> = Vec::new();
    for (i, (u, o)) in units.iter().zip(obs.iter()).enumerate() {
        if names.len() >= MAX_AUTHOR_LINES || o.chars() > 120 {
            continue;
        }
        let t = u.text.trim();
        if o.lex(Lex::Byline) {
            if let Some(b) = lexicon::byline::find_byline(t, applied) {
                names.extend(b.authors.into_iter().map(|a| (i, a)));
            }
        } else if o.has(Flag::NameLike) {
            names.push((i, t.to_string()));
        } else if o.has(Flag::NameRole) || o.has(Flag::NameAfterWord) {
            let head = t.split([',', '،', '–', '—', '|']).next().unwrap_or("");
            let head = if o.has(Flag::NameAfterWord) {
                head.split_once(' ').map_or(head, |(_, rest)| rest)
            } else {
                head
            };
            names.push((i, head.trim().trim_start_matches([':', ' ']).to_string()));
        }
    }
    names.retain(|(_, n)| n.split_whitespace().count() >= 2);
    if names.is_empty() {
        return;
    }
    for (i, u) in units.iter().enumerate() {
        if names
            .iter()
            .any(|(src, n)| *src != i && u.text.contains(n.as_str()))
        {
            obs[i].set(Flag::MentionsAuthor);
        }
    }
}

/// Evidence that needs the neighbours: repeats, runs of short lines, prose nearby.
fn context(units: &[Unit], obs: &mut [Obs]) {
    let n = units.len();
    if n == 0 {
        return;
    }
    let text = |i: usize| units[i].text.trim();
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for (i, o) in obs.iter().enumerate() {
        if o.chars() >= 2 {
            *counts.entry(text(i)).or_insert(0) += 1;
        }
    }
    let title_words = words_lower(text(0));
    for (i, o) in obs.iter_mut().enumerate() {
        let t = text(i);
        if counts.get(t).is_some_and(|&c| c > 1) {
            o.set(Flag::Repeated);
        }
        // The same line printed twice, or a caption printed again with its credit.
        let long = o.chars() >= 15;
        let echoes = |other: &str| {
            !t.is_empty() && (other == t || long && other.len() > t.len() && other.starts_with(t))
        };
        if i > 0 && echoes(text(i - 1)) {
            o.set(Flag::SameAsPrev);
        }
        if i + 1 < n && echoes(text(i + 1)) {
            o.set(Flag::SameAsNext);
        }
        if i > 0 && title_words.len() >= 3 && (3..=40).contains(&o.words) {
            let own = words_lower(t);
            let shared = own.iter().filter(|w| title_words.contains(w)).count();
            if !own.is_empty() && shared * 10 >= own.len() * 7 {
                o.set(Flag::TitleEcho);
            }
        }
    }
    for i in 0..n {
        let same_prev = i > 0 && units[i - 1].group == units[i].group;
        let same_next = i + 1 < n && units[i + 1].group == units[i].group;
        let pos: u8 = match (same_prev, same_next) {
            (false, false) => 0,
            (false, true) => 1,
            (true, true) => 2,
            (true, false) => 3,
        };
        obs[i].near |= pos << 2;
    }
    echoes(units, obs);
    obs[0].set(Flag::FirstInDoc);
    obs[n - 1].set(Flag::LastInDoc);
    // Runs of short lines.
    let mut i = 0;
    while i < n {
        if !obs[i].is_short() {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && obs[i].is_short() {
            i += 1;
        }
        let run = u8::try_from(i - start).unwrap_or(u8::MAX);
        for o in &mut obs[start..i] {
            o.short_run = run;
        }
    }
    // Prose within three units either side, by a sliding window.
    let prose: Vec<bool> = obs.iter().map(Obs::is_prose).collect();
    for (i, o) in obs.iter_mut().enumerate() {
        let lo = i.saturating_sub(3);
        let hi = (i + 3).min(n - 1);
        let near = (lo..=hi).filter(|&j| j != i && prose[j]).count();
        o.near |= near.min(3) as u8;
    }
}

/// Marks units most of whose word triples stand in one longer unit (or in an earlier one of
/// the same length): a pull quote taken from a paragraph, a teaser that repeats the story, a
/// caption printed again inside a longer line. Only a line or a single sentence can be an
/// echo; a paragraph that shares sentences with another stays what it is.
fn echoes(units: &[Unit], obs: &mut [Obs]) {
    let candidate = |o: &Obs| o.words >= 3 && o.sentences <= 1 && o.chars() <= 250;
    if !obs.iter().any(candidate) {
        return;
    }
    // Triple → the units it stands in (the longest first, then by position), at most four.
    let mut seen: HashMap<u64, Vec<u32>> = HashMap::new();
    let mut words: Vec<u64> = Vec::new();
    let triples = |text: &str, words: &mut Vec<u64>| {
        words.clear();
        words.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| xxhash_rust::xxh3::xxh3_64(w.to_lowercase().as_bytes())),
        );
    };
    for (i, u) in units.iter().enumerate() {
        if obs[i].words < 3 {
            continue;
        }
        triples(u.text, &mut words);
        for w in words.windows(3) {
            let key = w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42);
            let e = seen.entry(key).or_default();
            if e.len() < 4 && e.last() != Some(&(i as u32)) {
                e.push(i as u32);
            }
        }
    }
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if !candidate(&obs[i]) {
            continue;
        }
        let me = (obs[i].chars(), i);
        triples(u.text, &mut words);
        counts.clear();
        let total = words.len().saturating_sub(2);
        for w in words.windows(3) {
            let key = w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42);
            for &j in seen.get(&key).into_iter().flatten() {
                let other = (obs[j as usize].chars(), j as usize);
                // A longer unit, or one as long that comes first.
                if j as usize != i && (other.0 > me.0 || other.0 == me.0 && other.1 < me.1) {
                    *counts.entry(j).or_insert(0) += 1;
                }
            }
        }
        if total >= 2 && counts.values().any(|&n| n * 10 >= total * 7) {
            obs[i].set(Flag::Echo);
        }
    }
}

/// The words of `t`, lower-cased, split at every character that is no letter or digit.
pub(crate) fn words_lower(t: &str) -> Vec<String> {
    t.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn doc_stats(obs: &[Obs]) -> DocStats {
    let mut prose_stop: Vec<u8> = obs
        .iter()
        .filter(|o| o.is_prose() && o.stop_share != NA)
        .map(|o| o.stop_share)
        .collect();
    prose_stop.sort_unstable();
    let body_stop = prose_stop.get(prose_stop.len() / 2).copied().unwrap_or(NA);
    // The densest stretch of prose: the maximum-sum run of unit scores (Kadane), prose
    // counting for itself and its length, everything else against.
    let score = |o: &Obs| -> f32 {
        if o.is_prose() && o.rule().is_none() {
            1.0 + o.chars() as f32 / 300.0
        } else if o.rule().is_some() {
            -1.0
        } else if o.chars() <= SHORT_CHARS {
            -0.3
        } else {
            -0.2
        }
    };
    let (mut best, mut best_range) = (0.0f32, None);
    let (mut sum, mut start) = (0.0f32, 0usize);
    for (i, o) in obs.iter().enumerate() {
        if sum <= 0.0 {
            sum = 0.0;
            start = i;
        }
        sum += score(o);
        if sum > best {
            best = sum;
            best_range = Some((start, i));
        }
    }
    DocStats {
        units: obs.len(),
        max_chars: obs.iter().map(Obs::chars).max().unwrap_or(0),
        body_stop,
        core: best_range,
    }
}

/// Title-like: a line of three to 30 words without a sentence end that no rule names.
fn title_like(o: &Obs) -> bool {
    (3..=30).contains(&o.words)
        && o.chars() <= 250
        && !o.has(Flag::EndsSentence)
        && o.rule == 0
        && !o.menu_shaped()
}

/// Fewest words of a site's menu written as one row.
const MENU_MIN_WORDS: u16 = 6;

/// The first title-like line, the fullest one above the prose, and short lines between prose.
fn titles(obs: &mut [Obs], doc: &DocStats) {
    if let Some(i) = obs.iter().position(title_like) {
        obs[i].set(Flag::FirstTitle);
    }
    let above = doc.core.map_or(obs.len(), |(s, _)| s);
    if let Some(i) = (0..above.min(obs.len()))
        .filter(|&i| title_like(&obs[i]))
        .max_by_key(|&i| (obs[i].words.min(8), obs[i].chars()))
    {
        obs[i].set(Flag::BestTitle);
    }
    for i in 1..obs.len().saturating_sub(1) {
        if obs[i].is_short() && obs[i - 1].is_prose() && obs[i + 1].is_prose() {
            obs[i].set(Flag::BetweenProse);
        }
    }
    let credit =
        |o: &Obs| o.lex(Lex::CreditWhole) || o.lex(Lex::CreditWordStart) && o.chars() <= 160;
    for i in 0..obs.len() {
        if i + 1 < obs.len() && credit(&obs[i + 1]) && !credit(&obs[i]) {
            obs[i].set(Flag::BeforeCredit);
        }
        if i > 0 && obs[i - 1].rule_how() == 0 && obs[i - 1].rule().is_some() {
            obs[i].set(Flag::AfterLabel);
        }
    }
}

fn pct_bin(p: u8, bins: &[u32]) -> u32 {
    if p == NA {
        0
    } else {
        1 + bin(u32::from(p), bins)
    }
}

/// The feature ids of unit `i`, into `out` (cleared first).
pub fn features(i: usize, observed: &Observed, out: &mut Vec<u32>) {
    out.clear();
    let o = &observed.obs[i];
    let doc = &observed.doc;
    let n = doc.units.max(1);
    let mut push = |t: usize, v: u32| out.push(feature_id(t, v));
    let chars = bin(o.chars(), &CHAR_BINS);
    let words = bin(u32::from(o.words), &WORD_BINS);
    push(tpl::BIAS, 0);
    push(tpl::CHARS, chars);
    push(tpl::WORDS, words);
    push(tpl::END, u32::from(o.end));
    push(tpl::START, u32::from(o.start));
    let title = pct_bin(o.title_share, &[0, 29, 59, 89]);
    push(tpl::TITLE, title);
    push(
        tpl::DIGITS,
        if o.digit_share == 0 {
            0
        } else {
            1 + bin(u32::from(o.digit_share), &[10, 30, 60])
        },
    );
    push(tpl::STOP, pct_bin(o.stop_share, &[0, 9, 24, 39]));
    let stop_rel = if o.stop_share == NA || doc.body_stop == NA || doc.body_stop == 0 {
        0
    } else {
        let ratio = u32::from(o.stop_share) * 100 / u32::from(doc.body_stop);
        1 + bin(ratio, &[0, 29, 59, 89])
    };
    push(tpl::STOP_REL, stop_rel);
    push(tpl::SENTENCES, u32::from(o.sentences.clamp(1, 4)) - 1);
    for f in 0..64 {
        if o.flags & (1 << f) != 0 {
            push(tpl::FLAG, f);
        }
    }
    for l in 0..16 {
        if o.lex & (1 << l) != 0 {
            push(tpl::LEX, l);
        }
    }
    if let Some(kind) = o.rule() {
        push(tpl::RULE, kind as u32);
        push(tpl::RULE_HOW, u32::from(o.rule_how()));
    }
    let pos = bin(i as u32, &[0, 1, 2, 5, 10]);
    push(tpl::POS, pos);
    push(tpl::REL_POS, (i * 10 / n) as u32);
    push(tpl::FROM_END, bin((n - 1 - i) as u32, &[0, 1, 2, 5]));
    push(tpl::GROUP, u32::from(o.group_pos()));
    push(tpl::GROUP_LEN, o.group_len_bin());
    push(
        tpl::SHORT_RUN,
        if o.short_run() == 0 {
            0
        } else {
            1 + bin(o.short_run(), &[1, 2, 4])
        },
    );
    push(tpl::PROSE_NEAR, o.prose_near());
    let core = doc.core.map(|(s, e)| {
        if i < s {
            match s - i {
                d if d >= 6 => 0,
                d if d >= 3 => 1,
                2 => 2,
                _ => 3,
            }
        } else if i <= e {
            4
        } else {
            match i - e {
                1 => 5,
                2 => 6,
                d if d <= 5 => 7,
                _ => 8,
            }
        }
    });
    if let Some(c) = core {
        push(tpl::CORE, c);
        push(tpl::CORE_CHARS, c * (CHAR_BINS.len() as u32 + 1) + chars);
    }
    if let Some(share) = (o.chars() * 100).checked_div(doc.max_chars) {
        push(tpl::REL_LEN, bin(share, &[5, 15, 35, 70]));
    }
    push(
        tpl::END_CHARS,
        u32::from(o.end) * (CHAR_BINS.len() as u32 + 1) + chars,
    );
    push(
        tpl::TITLE_WORDS,
        title * (WORD_BINS.len() as u32 + 1) + words,
    );
    push(
        tpl::STOP_CHARS,
        stop_rel * (CHAR_BINS.len() as u32 + 1) + chars,
    );
    push(tpl::POS_CHARS, pos * (CHAR_BINS.len() as u32 + 1) + chars);
    neighbour(i.checked_sub(1), i, observed, out, Side::Prev);
    neighbour((i + 1 < n).then_some(i + 1), i, observed, out, Side::Next);
}

#[derive(Clone, Copy)]
enum Side {
    Prev,
    Next,
}

fn neighbour(j: Option<usize>, i: usize, observed: &Observed, out: &mut Vec<u32>, side: Side) {
    let (t_chars, t_end, t_rule, t_group, t_lex, t_flag) = match side {
        Side::Prev => (
            tpl::PREV_CHARS,
            tpl::PREV_END,
            tpl::PREV_RULE,
            tpl::PREV_GROUP,
            tpl::PREV_LEX,
            tpl::PREV_FLAG,
        ),
        Side::Next => (
            tpl::NEXT_CHARS,
            tpl::NEXT_END,
            tpl::NEXT_RULE,
            tpl::NEXT_GROUP,
            tpl::NEXT_LEX,
            tpl::NEXT_FLAG,
        ),
    };
    let Some(j) = j else {
        out.push(feature_id(t_chars, 0));
        out.push(feature_id(t_end, 0));
        out.push(feature_id(t_rule, 0));
        out.push(feature_id(t_group, 0));
        return;
    };
    let o = &observed.obs[j];
    out.push(feature_id(t_chars, 1 + bin(o.chars(), &CHAR_BINS)));
    out.push(feature_id(t_end, 1 + u32::from(o.end)));
    out.push(feature_id(t_rule, o.rule().map_or(1, |k| 2 + k as u32)));
    let own = observed.obs[i].group_pos();
    let same = match side {
        Side::Prev => matches!(own, 2 | 3),
        Side::Next => matches!(own, 1 | 2),
    };
    out.push(feature_id(t_group, if same { 1 } else { 2 }));
    for l in 0..16 {
        if o.lex & (1 << l) != 0 {
            out.push(feature_id(t_lex, l));
        }
    }
    for f in 0..64 {
        if o.flags & (1 << f) != 0 {
            out.push(feature_id(t_flag, f));
        }
    }
}
