//! Stage 5: every unit gets a role, from the rule files and from context.
//!
//! Rules say what a line *is* wherever it stands (labels, teasers, ad markers, footers). Context
//! says the rest: a caption is the short line next to an image label or a credit, a byline sits
//! above the body, a signature at its end, a headline (and its kicker) before the first
//! paragraph, a subheading is a short unpunctuated line between paragraphs.

use std::collections::HashSet;

use super::article::{ArtefactKind, Byline, Credit};
use super::extract::byline::{byline_continuation, find_byline, find_signature};
use super::extract::credit::{find_credit, split_caption_label};
use super::extract::dateline::find_dateline;
use super::extract::{Applied, ends_sentence};
use super::segment::Unit;
use crate::rules::{LineInput, LineMatch, Rules};

/// What a unit is.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Paragraph,
    Subheading,
    Headline,
    Kicker,
    /// Left the body as an artefact.
    Removed(ArtefactKind),
    /// The caption of image `n`.
    Caption(usize),
    /// The credit of image `n`; where the unit also carried the caption, so does the image.
    Credit(usize),
    /// A byline line above the body (or its continuation line).
    Byline,
    /// A signature line at the end.
    Signature,
    /// A dateline on a line of its own.
    Dateline,
}

/// An image under construction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageDraft {
    pub caption: String,
    pub credit: Credit,
}

/// What classification found.
#[derive(Debug, Default)]
pub struct Classified {
    pub roles: Vec<Role>,
    pub images: Vec<ImageDraft>,
    pub byline: Option<Byline>,
    pub signature: Option<Byline>,
    /// Caption labels cut off captions ("Image caption,", "FILE PHOTO:"), with their input line.
    pub labels: Vec<(u32, String)>,
}

/// Longest unit that can be a caption.
const MAX_CAPTION_CHARS: usize = 320;
/// Longest unit that can be a headline or kicker.
const MAX_TITLE_CHARS: usize = 250;
/// Longest unit that can be a subheading.
const MAX_SUBHEADING_CHARS: usize = 100;
const MAX_SUBHEADING_WORDS: usize = 12;
/// Longest line that can follow a related-links header as one of its links.
const MAX_RELATED_LINK_CHARS: usize = 160;

/// Gives every unit a role.
pub fn classify(units: &[Unit], applied: &Applied, rules: &Rules) -> Classified {
    let mut c = Classified {
        roles: vec![Role::Paragraph; units.len()],
        ..Classified::default()
    };
    mark_rule_artefacts(units, applied, rules, &mut c);
    mark_signature(units, applied, &mut c);
    mark_credits(units, applied, &mut c);
    mark_dateline_line(units, applied, &mut c);
    mark_byline(units, applied, &mut c);
    mark_titles(units, &mut c);
    mark_subheadings(units, &mut c);
    c
}

fn rule_match(text: &str, applied: &Applied, rules: &Rules) -> Option<LineMatch> {
    let input = LineInput::new(text, applied.agencies);
    if let Some(m) = applied.files().find_map(|f| f.match_line(&input)) {
        return Some(m);
    }
    // Page furniture left untranslated by machine translation: other languages' whole-line labels.
    rules
        .foreign_label(&input, applied.lang.map(|l| l.code.as_str()))
        .map(LineMatch::Line)
}

fn mark_rule_artefacts(units: &[Unit], applied: &Applied, rules: &Rules, c: &mut Classified) {
    let mut i = 0;
    while i < units.len() {
        let Some(m) = rule_match(units[i].text, applied, rules) else {
            i += 1;
            continue;
        };
        c.roles[i] = Role::Removed(m.kind());
        // A related-links header takes the link titles stacked under it.
        if m.kind() == ArtefactKind::RelatedLinks && !matches!(m, LineMatch::Prefix(_)) {
            let mut j = i + 1;
            while j < units.len()
                && units[j].group == units[i].group
                && (units[j].text.chars().count() <= MAX_RELATED_LINK_CHARS
                    || other_story(units[j].text, applied))
            {
                c.roles[j] = Role::Removed(ArtefactKind::RelatedLinks);
                j += 1;
            }
            // A header alone on its line heads the next block when that block is a list of
            // short titles ("Популярне" / blank / "<title>").
            if units[i].group_len == 1 && j < units.len() {
                let next = units[j].group;
                let block: Vec<usize> = (j..units.len())
                    .take_while(|&k| units[k].group == next)
                    .collect();
                let titles = block.iter().all(|&k| {
                    units[k].text.chars().count() <= MAX_RELATED_LINK_CHARS
                        && !ends_sentence(units[k].text)
                });
                if titles {
                    for &k in &block {
                        c.roles[k] = Role::Removed(ArtefactKind::RelatedLinks);
                    }
                    j += block.len();
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
}

/// The lead of another story listed under a related-links header: it carries its own dateline
/// near its start ("UTRECHT (ANP) - …", "12 minuten geledenZWOLLE (ANP) - …").
fn other_story(text: &str, applied: &Applied) -> bool {
    if find_dateline(text, applied).is_some() {
        return true;
    }
    let head: String = text.chars().take(80).collect();
    applied.agencies.find_in(&head).iter().any(|a| {
        std::iter::once(&a.name)
            .chain(a.aliases.iter())
            .any(|alias| head.contains(&format!("({alias})")))
    })
}

fn is_open(role: &Role) -> bool {
    matches!(role, Role::Paragraph)
}

fn mark_credits(units: &[Unit], applied: &Applied, c: &mut Classified) {
    // The last open unit as classification found it: a unit from here on closes the copy.
    let last_open_before = (0..units.len())
        .rev()
        .find(|&j| is_open(&c.roles[j]))
        .unwrap_or(0);
    for i in 0..units.len() {
        // A credit in a source-like line that a rule took as end matter ("(Borítókép: <Name> /
        // MTI)") is still a credit.
        let end_matter = matches!(c.roles[i], Role::Removed(ArtefactKind::EndMatter));
        if !is_open(&c.roles[i]) && !end_matter {
            continue;
        }
        let credit = find_credit(units[i].text, applied);
        if end_matter
            && credit
                .as_ref()
                .is_none_or(|m| !m.caption.is_empty() || m.credit.creators.is_empty())
        {
            continue;
        }
        // "Image caption, <caption>": a caption label.
        if credit.is_none()
            && let Some((label, caption)) = split_caption_label(units[i].text, applied)
        {
            c.labels.push((units[i].line, label));
            // The caption of the image whose credit came just before, or a new image.
            let prev_img = (0..i).rev().take(2).find_map(|j| match c.roles[j] {
                Role::Credit(n) if c.images[n].caption.is_empty() => Some(n),
                _ => None,
            });
            let n = prev_img.unwrap_or_else(|| {
                c.images.push(ImageDraft::default());
                c.images.len() - 1
            });
            c.images[n].caption = caption;
            c.roles[i] = Role::Caption(n);
            continue;
        }
        let Some(m) = credit else {
            continue;
        };
        // "… bildirildi. (DHA)" closing the copy signs it; it credits no picture.
        let last_open = i >= last_open_before;
        if last_open
            && !m.caption.is_empty()
            && m.credit.creators.is_empty()
            && m.credit.raw.starts_with(['(', '（'])
        {
            continue;
        }
        // A second credit stacked under the first ("Foto: ANP / Ruud de Graaf" / "Beeld ANP")
        // credits the same picture.
        if m.caption.is_empty()
            && i > 0
            && units[i - 1].group == units[i].group
            && let Role::Credit(prev) = c.roles[i - 1]
        {
            let credit = &mut c.images[prev].credit;
            credit.raw.push('\n');
            credit.raw.push_str(&m.credit.raw);
            for x in m.credit.creators {
                super::extract::push_unique(&mut credit.creators, &x);
            }
            for x in m.credit.agencies {
                super::extract::push_unique(&mut credit.agencies, &x);
            }
            c.roles[i] = Role::Credit(prev);
            continue;
        }
        let mut m = m;
        if let Some((label, caption)) = split_caption_label(&m.caption, applied) {
            c.labels.push((units[i].line, label));
            m.caption = caption;
        }
        let n = c.images.len();
        c.images.push(ImageDraft {
            caption: m.caption.clone(),
            credit: m.credit,
        });
        c.roles[i] = Role::Credit(n);
        if m.caption.is_empty() {
            attach_caption_before(units, i, n, applied, c);
        } else {
            drop_duplicate_before(units, i, &m.caption, c);
        }
    }
}

/// Finds the caption of a credit that stands on its own line: the nearest open short unit
/// before it, in the same group or the group just before, skipping image labels.
fn attach_caption_before(
    units: &[Unit],
    credit: usize,
    n: usize,
    applied: &Applied,
    c: &mut Classified,
) {
    let Some(j) = caption_above(units, credit, &c.roles, applied) else {
        return;
    };
    let unit = &units[j];
    c.images[n].caption = unit.text.to_string();
    c.roles[j] = Role::Caption(n);
    drop_duplicate_before(units, j, unit.text, c);
}

/// The unit above the credit line `credit` that is its caption, if one is.
fn caption_above(
    units: &[Unit],
    credit: usize,
    roles: &[Role],
    applied: &Applied,
) -> Option<usize> {
    let mut j = credit;
    while j > 0 {
        j -= 1;
        match &roles[j] {
            Role::Removed(ArtefactKind::UiLabel) => continue,
            Role::Paragraph => break,
            _ => return None,
        }
    }
    if !is_open(&roles[j]) || j == credit {
        return None;
    }
    let unit = &units[j];
    let near = units[credit].group.saturating_sub(unit.group) <= 1;
    let short = unit.text.chars().count() <= MAX_CAPTION_CHARS && unit.line == unit.last_line;
    // A caption stands apart: on its own (blank lines around it), or stacked with its label,
    // duplicate and credit. A long paragraph before a credit is body, not caption.
    if !(near && short) {
        return None;
    }
    // A caption stands under an image label or stacked right above its credit; a paragraph of
    // its own above a credit line is body (the picture's caption is then missing).
    let label_before = j > 0 && matches!(roles[j - 1], Role::Removed(ArtefactKind::UiLabel));
    let same_group = unit.group == units[credit].group;
    if !(label_before || same_group) {
        return None;
    }
    // Without a label, a caption is one sentence at most, and never the dateline-led lead.
    if !label_before
        && (sentence_count(unit.text) > 1
            || super::extract::dateline::find_dateline(unit.text, applied).is_some())
    {
        return None;
    }
    Some(j)
}

/// Sentences in a text, counted by sentence-final punctuation followed by a space or the end.
fn sentence_count(text: &str) -> usize {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut n = 0;
    for (i, ch) in chars.iter().enumerate() {
        let end = matches!(ch, '.' | '!' | '?' | '。' | '！' | '？');
        let next_space = chars
            .get(i + 1)
            .is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '”' | '«' | '»' | '“'));
        let prev_lower = i > 0 && chars[i - 1].is_lowercase() || matches!(ch, '。' | '！' | '？');
        if end && next_space && prev_lower {
            n += 1;
        }
    }
    n.max(1)
}

/// A caption printed twice (visible caption + alt text): the earlier copy goes as a duplicate.
fn drop_duplicate_before(units: &[Unit], at: usize, caption: &str, c: &mut Classified) {
    if at > 0 && is_open(&c.roles[at - 1]) && units[at - 1].text.trim() == caption.trim() {
        c.roles[at - 1] = Role::Removed(ArtefactKind::Duplicate);
    }
}

/// Index of the first unit that reads like a body paragraph.
fn first_body(units: &[Unit], c: &Classified) -> Option<usize> {
    (0..units.len()).find(|&i| {
        is_open(&c.roles[i]) && {
            let n = units[i].text.chars().count();
            n >= 150 || (n >= 40 && ends_sentence(units[i].text))
        }
    })
}

fn mark_byline(units: &[Unit], applied: &Applied, c: &mut Classified) {
    // The first body-like unit may itself be the byline ("Created by: Lena Vogt | 03/18/2024").
    let limit = first_body(units, c)
        .map_or(units.len(), |i| i + 1)
        .min(units.len());
    for i in 0..limit {
        // "Źródło: PAP", "July 15, 2024 Source: dpa Saxony": a source line above the body
        // credits the agency the copy comes from.
        let source_line = matches!(
            c.roles[i],
            Role::Removed(ArtefactKind::EndMatter | ArtefactKind::Timestamp)
        ) || is_open(&c.roles[i]);
        if source_line
            && let Some(sig) = find_source(units[i].text, applied)
            && sig.authors.is_empty()
            && !sig.agencies.is_empty()
        {
            if is_open(&c.roles[i]) {
                c.roles[i] = Role::Byline;
            }
            c.byline = Some(merge_opt(
                c.byline.take(),
                Byline {
                    authors: vec![],
                    ..sig
                },
            ));
            continue;
        }
        if !is_open(&c.roles[i]) {
            continue;
        }
        if let Some(mut b) = find_byline(units[i].text, applied) {
            c.roles[i] = Role::Byline;
            // "By JANE DOE" / "Associated Press": the next stacked line names the employer.
            if i + 1 < units.len()
                && units[i + 1].group == units[i].group
                && is_open(&c.roles[i + 1])
                && let Some(agencies) = byline_continuation(units[i + 1].text, applied)
            {
                c.roles[i + 1] = Role::Byline;
                b.raw = format!("{}\n{}", b.raw, units[i + 1].text);
                for a in agencies {
                    super::extract::push_unique(&mut b.agencies, &a);
                }
            }
            c.byline = Some(merge_opt(c.byline.take(), b));
            return;
        }
        // "Redacción EFE", "Redazione ANSA", "Укрінформ": the agency as author.
        if let Some(b) = agency_line(units[i].text, applied) {
            c.roles[i] = Role::Byline;
            c.byline = Some(merge_opt(c.byline.take(), b));
        }
    }
}

/// A source attribution, alone or behind a timestamp: "Źródło: PAP",
/// "July 15, 2024, 2:31 p.m. Source: dpa Saxony".
fn find_source(text: &str, applied: &Applied) -> Option<Byline> {
    if let Some(b) = find_signature(text, applied) {
        return Some(b);
    }
    text.char_indices()
        .filter(|&(i, ch)| i > 0 && ch.is_alphabetic() && text[..i].ends_with(' '))
        .take(12)
        .filter(|&(i, _)| text[i..].contains([':', '：']))
        .find_map(|(i, _)| find_signature(&text[i..], applied).filter(|b| b.authors.is_empty()))
}

fn merge_opt(a: Option<Byline>, b: Byline) -> Byline {
    match a {
        Some(a) => merge_bylines(a, b),
        None => b,
    }
}

/// A short line naming a news agency and at most one other word (the newsroom).
fn agency_line(text: &str, applied: &Applied) -> Option<Byline> {
    let t = text.trim();
    let words = t.split_whitespace().count();
    if words > 4 || t.chars().count() > 50 || ends_sentence(t) {
        return None;
    }
    let found = applied.agencies.find_in(t);
    let agencies = super::extract::news_only(
        applied.agencies,
        &found.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
    );
    let agency = agencies.first()?;
    let alias_words = found
        .iter()
        .flat_map(|a| std::iter::once(&a.name).chain(a.aliases.iter()))
        .filter(|alias| t.to_lowercase().contains(&alias.to_lowercase()))
        .map(|alias| alias.split_whitespace().count())
        .max()
        .unwrap_or(1);
    (words <= alias_words + 1).then(|| Byline {
        raw: t.to_string(),
        authors: vec![],
        agencies: vec![agency.clone()],
    })
}

fn mark_signature(units: &[Unit], applied: &Applied, c: &mut Classified) {
    // The last open units may be signatures ("(Reporting by …)" then "vet/dpa"); source lines
    // that a rule took as end matter ("Kaynak: AA") sign the copy too.
    // Signature lines found, last first. However many stand in a row, all of them sign: a cap
    // would leave the first ones in the body, where a second pass would find them at the end.
    let mut found_lines: Vec<Byline> = Vec::new();
    // The credit line last passed over: the unit its caption will be is passed over too.
    let mut credit_below: Option<usize> = None;
    for i in (0..units.len()).rev() {
        let end_matter = matches!(
            c.roles[i],
            Role::Removed(ArtefactKind::EndMatter | ArtefactKind::CopyrightFooter)
        );
        if !is_open(&c.roles[i]) && !end_matter {
            continue;
        }
        // A caption or credit line under the signature ("vet/dpa" / "Bildunterschrift: …",
        // "Photo: Jane Doe/Reuters") does not end the copy's text.
        if !end_matter && split_caption_label(units[i].text, applied).is_some() {
            continue;
        }
        if !end_matter
            && find_credit(units[i].text, applied)
                .is_some_and(|m| m.caption.is_empty() && !m.credit.creators.is_empty())
        {
            credit_below = Some(i);
            continue;
        }
        // "vet/dpa", then a gallery label and a caption stacked over its credit: the caption
        // is end matter as well, the signature above it still closes the copy.
        if !end_matter
            && credit_below.is_some_and(|k| caption_above(units, k, &c.roles, applied) == Some(i))
        {
            continue;
        }
        let found = find_signature(units[i].text, applied).or_else(|| {
            (!end_matter)
                .then(|| find_byline(units[i].text, applied))
                .flatten()
        });
        match found {
            Some(b) => {
                c.roles[i] = Role::Signature;
                found_lines.push(b);
            }
            None if end_matter => {}
            None => break,
        }
    }
    c.signature = merge_all(found_lines.into_iter().rev());
}

/// Bylines in document order as one: their raw lines joined by a line break, the first one's
/// names and agencies as they are, each later one's added where not there yet. Linear in the
/// lines, however many (a run of signature lines can be long).
fn merge_all(lines: impl IntoIterator<Item = Byline>) -> Option<Byline> {
    let mut lines = lines.into_iter();
    let mut merged = lines.next()?;
    let mut seen_authors: HashSet<String> = merged.authors.iter().cloned().collect();
    let mut seen_agencies: HashSet<String> = merged.agencies.iter().cloned().collect();
    for line in lines {
        merged.raw.push('\n');
        merged.raw.push_str(&line.raw);
        for a in line.authors {
            if seen_authors.insert(a.clone()) {
                merged.authors.push(a);
            }
        }
        for a in line.agencies {
            if seen_agencies.insert(a.clone()) {
                merged.agencies.push(a);
            }
        }
    }
    Some(merged)
}

/// Joins two byline lines into one byline.
pub fn merge_bylines(a: Byline, b: Byline) -> Byline {
    merge_all([a, b]).unwrap_or_default()
}

fn title_like(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= MAX_TITLE_CHARS && !t.ends_with(['.', '。', ',', ';', ':'])
}

fn mark_titles(units: &[Unit], c: &mut Classified) {
    let Some(body) = first_body(units, c) else {
        return;
    };
    let candidates: Vec<usize> = (0..body)
        .filter(|&i| is_open(&c.roles[i]) && title_like(units[i].text))
        .collect();
    // The headline is the fullest title line above the body; a short line stacked right above
    // it is its kicker.
    let Some(&headline) = candidates.iter().max_by_key(|&&i| {
        (
            units[i].text.split_whitespace().count().min(8),
            units[i].text.chars().count(),
        )
    }) else {
        return;
    };
    c.roles[headline] = Role::Headline;
    if let Some(&kicker) = candidates.iter().rev().find(|&&i| i < headline) {
        let stacked = units[kicker].group == units[headline].group && kicker + 1 == headline;
        let adjacent_group = units[kicker].group + 1 == units[headline].group;
        let short = units[kicker].text.chars().count() <= 80;
        if short && (stacked || adjacent_group) {
            c.roles[kicker] = Role::Kicker;
        }
    }
    // Short unrecognised lines around the title are page furniture (breadcrumbs, section names,
    // place lines).
    for &i in &candidates {
        if is_open(&c.roles[i]) && units[i].text.chars().count() <= 60 {
            c.roles[i] = Role::Removed(ArtefactKind::UiLabel);
        }
    }
}

fn mark_dateline_line(units: &[Unit], applied: &Applied, c: &mut Classified) {
    // "MADRID, 22 Mar. (EUROPA PRESS) -" or "أسوان - أ ش أ" alone above the lead.
    let limit = first_body(units, c).unwrap_or(units.len());
    for i in 0..limit.min(units.len()) {
        if !is_open(&c.roles[i]) {
            continue;
        }
        if let Some(m) = find_dateline(units[i].text, applied)
            && m.rest.is_empty()
            && (i + 1..units.len()).any(|j| is_open(&c.roles[j]))
        {
            c.roles[i] = Role::Dateline;
            return;
        }
    }
}

fn mark_subheadings(units: &[Unit], c: &mut Classified) {
    let open: Vec<usize> = (0..units.len())
        .filter(|&i| matches!(c.roles[i], Role::Paragraph))
        .collect();
    for (k, &i) in open.iter().enumerate() {
        if k == 0 || k + 1 == open.len() {
            continue;
        }
        let t = units[i].text.trim();
        let n = t.chars().count();
        let words = t.split_whitespace().count();
        let starts_upper = t.chars().next().is_some_and(|ch| !ch.is_lowercase());
        if (2..=MAX_SUBHEADING_CHARS).contains(&n)
            && words <= MAX_SUBHEADING_WORDS
            && units[i].line == units[i].last_line
            && starts_upper
            && !t.ends_with(['.', '。', ',', ';', ':', '،', '؛', '…'])
            && !ends_sentence(t.trim_end_matches(['?', '!', '？', '！']))
        {
            c.roles[i] = Role::Subheading;
        }
    }
}
