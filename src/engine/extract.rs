//! Stage: extract. Once the roles are decided, every unit moves into the article: body units
//! into blocks, the headline and kicker into their fields, dateline, byline and signature lines
//! parsed into their fields, captions and credits paired into images, everything else into
//! `removed` with its kind and input line. Each field is parsed once, from the units that hold
//! it; nothing of the input vanishes.

use super::article::{Artefact, ArtefactKind, Article, Block, BlockKind, Byline, Credit, Image};
use super::features::{Observed, words_lower};
use super::lexicon::{self, Applied, byline, credit, dateline};
use super::types::{Flag, Lex, Role, Unit};
use crate::rules::LineMatch;

/// An image being put together from its caption and credit units.
struct Draft {
    image: Image,
    /// Index of the last unit that added to it.
    last_unit: usize,
    /// It was started by a credit line (a caption may still follow: "Image copyright X" /
    /// "Image caption …").
    credit_first: bool,
}

/// Moves every unit into its field, block or `removed` entry.
pub fn extract(
    id: &str,
    units: &[Unit],
    roles: &[Role],
    observed: &Observed,
    applied: &Applied,
    mut removed: Vec<Artefact>,
) -> Article {
    let mut article = Article {
        id: id.to_string(),
        ..Article::default()
    };
    let mut body: Vec<(BlockKind, String, u32)> =
        Vec::with_capacity(roles.iter().filter(|r| r.is_body()).count());
    let mut top: Vec<Byline> = Vec::new();
    let mut signatures: Vec<Byline> = Vec::new();
    let mut drafts: Vec<Draft> = Vec::new();
    let mut dateline_authors: Vec<String> = Vec::new();
    // A line the rule files read as a byline (an opener and names) or, under the body, as a
    // signature, that the decoder removed: the byline where the copy has no other. Its index in
    // `removed`, and the byline.
    let mut unclaimed: Option<(usize, Byline)> = None;
    let last_body = roles.iter().rposition(|r| r.is_body());
    // A time-stamp line between the headline and the body that names the author ("Elif Sönmez |
    // 18.01.2024 - 14:26"): the byline where the copy has no other. Its index in `removed`.
    let mut stamped: Option<(usize, Byline)> = None;
    // Where `unclaimed` opens with a byline word under the headline: its index in `removed`.
    let mut opened: Option<usize> = None;
    let first_body = roles
        .iter()
        .position(|r| r.is_body())
        .unwrap_or(roles.len());
    let headline = roles.iter().position(|r| *r == Role::Headline);
    // Lines inside the body that a byline word opens with names ("Posted by Kendra Polaski"
    // over a live blog's post): each post's author is the article's too.
    let mut posts: Vec<Byline> = Vec::new();
    // A dateline line no pattern parses: the dateline unless the lead opens with one.
    let mut bare: Option<(super::article::Dateline, u32)> = None;
    for (i, (u, role)) in units.iter().zip(roles).enumerate() {
        let text = u.text.trim();
        let o = &observed.obs[i];
        if matches!(role, Role::Caption | Role::Credit)
            && let Some(b) = byline_with_credit(text, applied)
        {
            top.push(b);
            continue;
        }
        match role {
            Role::Body | Role::Standfirst => {
                body.push((BlockKind::Paragraph, u.text.to_string(), u.line))
            }
            Role::Subheading => body.push((BlockKind::Subheading, u.text.to_string(), u.line)),
            Role::Headline if article.headline.is_empty() => article.headline = u.text.to_string(),
            Role::Kicker if article.kicker.is_empty() => article.kicker = u.text.to_string(),
            Role::Headline | Role::Kicker => {
                remove(&mut removed, ArtefactKind::UiLabel, u.text, u.line)
            }
            Role::Furniture | Role::Meta | Role::Related | Role::Boilerplate => {
                let kind = if let Some(k) = o.rule() {
                    k
                } else if o.has(Flag::SameAsNext) || o.has(Flag::SameAsPrev) {
                    ArtefactKind::Duplicate
                } else {
                    default_kind(*role)
                };
                let signs =
                    o.lex(Lex::Byline) || o.lex(Lex::Signature) && last_body.is_some_and(|l| i > l);
                if signs
                    && unclaimed.is_none()
                    && let Some(b) =
                        parse_signature(text, applied).filter(|b| !b.authors.is_empty())
                {
                    // Under the headline and above the body, a byline word opens it ("Created
                    // by: Lena Vogt | 03/18/2024"): the author's, beside any signature.
                    if o.lex(Lex::Byline) && i < first_body && headline.is_some_and(|h| h < i) {
                        opened = Some(removed.len());
                    }
                    unclaimed = Some((removed.len(), b));
                }
                if o.lex(Lex::Byline)
                    && i > first_body
                    && last_body.is_some_and(|l| i < l)
                    && let Some(b) = byline::find_byline(text, applied)
                {
                    posts.push(b);
                }
                if stamped.is_none()
                    && i < first_body
                    && headline.is_some_and(|h| h < i)
                    && let Some(b) = stamp_byline(text, applied)
                {
                    stamped = Some((removed.len(), b));
                }
                remove(&mut removed, kind, u.text, u.line);
            }
            Role::Dateline => match dateline::find_dateline(text, applied) {
                Some(m) if article.dateline.is_none() => {
                    // What follows the dateline on its line opens the body.
                    if !m.rest.trim().is_empty() {
                        body.push((BlockKind::Paragraph, m.rest, u.line));
                    }
                    dateline_authors = m.authors;
                    article.dateline = Some(m.dateline);
                }
                _ if bare.is_none() => bare = Some((bare_dateline(text, applied), u.line)),
                _ => remove(&mut removed, ArtefactKind::UiLabel, u.text, u.line),
            },
            Role::Byline | Role::Signature => {
                let signature = *role == Role::Signature;
                let rest = without_end_marker(text, applied).map(|(rest, marker)| {
                    remove(&mut removed, ArtefactKind::EndMatter, marker, u.line);
                    rest
                });
                let text = rest.as_deref().unwrap_or(text);
                let parsed = match (text.is_empty(), signature) {
                    (true, _) => None,
                    (false, true) => parse_signature(text, applied),
                    (false, false) => parse_byline(text, applied),
                };
                let kind = if signature {
                    ArtefactKind::EndMatter
                } else {
                    ArtefactKind::UiLabel
                };
                match parsed {
                    Some(b) if signature => signatures.push(b),
                    Some(b) => top.push(b),
                    None if text.is_empty() => {}
                    None => remove(
                        &mut removed,
                        kind,
                        rest.as_deref().unwrap_or(u.text),
                        u.line,
                    ),
                }
            }
            Role::Caption => {
                caption_unit(i, u, applied, &mut drafts, &mut removed);
            }
            // A copyright line the rules know, or under the body a credit that no credit word
            // opens ("© Agence France-Presse"), with no caption just above it, is the copy's
            // footer, not a picture's credit.
            Role::Credit
                if (o.rule() == Some(ArtefactKind::CopyrightFooter)
                    || !o.lex(Lex::CreditWordStart) && last_body.is_some_and(|l| i > l))
                    && drafts.last().is_none_or(|d| d.last_unit + 1 < i) =>
            {
                remove(&mut removed, ArtefactKind::CopyrightFooter, u.text, u.line)
            }
            Role::Credit => {
                credit_unit(i, u, applied, &mut drafts, &mut removed);
            }
        }
    }
    // The dateline opens the first paragraph (or the second, behind a stray short line).
    if article.dateline.is_none() {
        for (k, block) in body
            .iter_mut()
            .filter(|b| b.0 == BlockKind::Paragraph)
            .take(2)
            .enumerate()
        {
            let found = dateline::find_dateline(&block.1, applied)
                .map(|m| (m, 0))
                .or_else(|| dateline::glued_dateline(&block.1, applied));
            if let Some((mut m, at)) = found {
                if at > 0 {
                    // The label goes to `removed`; the dateline's raw text is all that was cut
                    // from the paragraph, the label glued to the place as it was printed.
                    remove(
                        &mut removed,
                        ArtefactKind::UiLabel,
                        block.1[..at].trim(),
                        block.2,
                    );
                    m.dateline.raw = format!("{}{}", &block.1[..at], m.dateline.raw);
                }
                block.1 = m.rest;
                dateline_authors = m.authors;
                article.dateline = Some(m.dateline);
                break;
            }
            if k == 0 && block.1.chars().count() > 200 {
                break;
            }
        }
    }
    if let Some((d, line)) = bare {
        if article.dateline.is_none() {
            article.dateline = Some(d);
        } else {
            remove(&mut removed, ArtefactKind::UiLabel, d.raw, line);
        }
    }
    // Inline teasers are cut; the sentence stays.
    for block in body.iter_mut() {
        for file in applied.files() {
            if let Some((text, cut)) = file.cut_inline(&block.1) {
                block.1 = text;
                removed.extend(cut.into_iter().map(|(kind, text)| Artefact {
                    kind,
                    text,
                    line: block.2,
                }));
            }
        }
        // A live ticker's marks around an entry: "+++ Уровень воды …", "+++ 17.05 Uhr +++".
        if let Some((text, cut)) = without_ticker_marks(&block.1) {
            block.1 = text;
            for c in cut {
                remove(&mut removed, ArtefactKind::BreakingMarker, c, block.2);
            }
        }
        // A bracket that points elsewhere ends the paragraph: "… (read the minutes here)".
        if let Some((text, bracket)) = lexicon::teaser::cut_pointer(&block.1, applied) {
            block.1 = text;
            remove(&mut removed, ArtefactKind::LinkTeaser, &bracket, block.2);
        }
    }
    // "… ripartito. (ANSA)": an agency glued to the end of the last paragraph signs it.
    if let Some(last) = body.iter_mut().rev().find(|b| b.0 == BlockKind::Paragraph)
        && let Some((text, tail)) = byline::cut_tail_agency(&last.1, applied)
    {
        last.1 = text;
        signatures.push(tail);
    }
    let mut signature = byline::merge_all(signatures);
    if !dateline_authors.is_empty() {
        let from_dateline = Byline {
            raw: article
                .dateline
                .as_ref()
                .map_or(String::new(), |d| d.raw.clone()),
            authors: dateline_authors,
            agencies: article
                .dateline
                .as_ref()
                .map_or(vec![], |d| d.agencies.clone()),
        };
        signature = Some(match signature {
            Some(s) => byline::merge_bylines(from_dateline, s),
            None => from_dateline,
        });
    }
    let top = byline::merge_all(top);
    article.byline = match (top, signature) {
        (Some(top), Some(sig)) => Some(byline::merge_bylines(top, sig)),
        (top, sig) => top.or(sig),
    };
    if let Some((at, b)) = unclaimed.or(stamped)
        && at < removed.len()
        && (article.byline.is_none() || opened == Some(at))
    {
        removed.remove(at);
        article.byline = Some(match article.byline.take() {
            Some(sig) => byline::merge_bylines(b, sig),
            None => b,
        });
    }
    let drafts = without_repeated_credits(drafts, units, roles, observed, &mut removed);
    article.images = drafts.into_iter().map(|d| d.image).collect();
    drop_house_names(&mut article.images, units, roles, observed, applied);
    if let Some(b) = article.byline.take() {
        article.byline = without_masthead_authors(b, units, roles, &mut removed);
    }
    // The authors of the posts join the byline the copy opens with; they make none alone.
    if let Some(b) = article.byline.as_mut() {
        for post in posts {
            for a in post.authors {
                lexicon::push_unique(&mut b.authors, &a);
            }
        }
    }
    // A byline with no agency signs for the agency of the dateline ("mdb/ial/ts" under "(AFP)");
    // editors' initials with neither sign for the one news agency credited ("JGO // JMR" under
    // a Lusa photo).
    if article
        .byline
        .as_ref()
        .is_some_and(|b| b.agencies.is_empty() && !b.authors.is_empty())
    {
        let from_dateline = article
            .dateline
            .as_ref()
            .map_or(vec![], |d| d.agencies.clone());
        let credited = if from_dateline.is_empty() {
            credited_agencies(&article, &removed, applied)
        } else {
            vec![]
        };
        if let Some(b) = article.byline.as_mut() {
            b.agencies = if !from_dateline.is_empty() {
                from_dateline
            } else if credited.len() == 1 && b.authors.iter().all(|a| is_initials(a)) {
                credited
            } else {
                vec![]
            };
        }
    }
    body.retain(|b| !b.1.trim().is_empty());
    without_pull_quotes(&mut body, &mut removed);
    article.blocks = body
        .into_iter()
        .map(|(kind, text, _)| Block {
            kind,
            text,
            language: None,
        })
        .collect();
    if !removed.is_sorted_by_key(|a| a.line) {
        removed.sort_by_key(|a| a.line);
    }
    article.agencies = credited_agencies(&article, &removed, applied);
    article.removed = removed;
    article
}

/// The artefact kind of a removed unit no rule named.
fn default_kind(role: Role) -> ArtefactKind {
    match role {
        Role::Meta => ArtefactKind::Timestamp,
        Role::Related => ArtefactKind::RelatedLinks,
        Role::Boilerplate => ArtefactKind::EndMatter,
        _ => ArtefactKind::UiLabel,
    }
}

/// A dateline line no pattern parses ("KASSEL." alone above the lead): the place as it stands,
/// the agencies it names.
fn bare_dateline(text: &str, applied: &Applied) -> super::article::Dateline {
    let (place, date) = dateline::split_place_date(
        text.trim()
            .trim_end_matches(['-', '–', '—', ':', '.', ',', ' ']),
    );
    let found: Vec<String> = applied
        .agencies
        .find_in(text)
        .iter()
        .map(|a| a.name.clone())
        .collect();
    super::article::Dateline {
        place,
        date,
        agencies: lexicon::news_only(applied.agencies, &found),
        raw: text.trim().to_string(),
    }
}

/// A byline and a picture credit on one line ("Text: Veronika Šťastná | Foto: Adam Holub",
/// "מאת דנה רוזנטל | צילומים: עמית לוי"): what a credit reads as its caption opens with a byline
/// word and names. The byline, with the whole line as its raw text.
fn byline_with_credit(text: &str, applied: &Applied) -> Option<Byline> {
    let head = match credit::find_credit(text, applied) {
        Some(m) => m.caption,
        // "Testo di A · Foto di B", "Text de A. Fotografii de B", "글 A 기자 / 사진 B 기자": the
        // byline's part, then a part that a credit word opens.
        None => [" · ", " | ", " / ", " • ", ". "]
            .iter()
            .filter_map(|sep| text.split_once(sep))
            .find(|(_, tail)| opens_with_credit_word(tail, applied))?
            .0
            .to_string(),
    };
    let mut b = lexicon::byline::find_byline(head.trim(), applied)?;
    b.raw = text.to_string();
    Some(b)
}

/// Whether `t` opens with a credit word of its own ("Foto di …", "Fotografii de …", "사진 …").
fn opens_with_credit_word(t: &str, applied: &Applied) -> bool {
    let t = t.trim_start();
    applied.files().any(|f| {
        f.credit_words.iter().any(|w| {
            lexicon::strip_prefix_ci(t, w)
                .is_some_and(|rest| rest.starts_with([' ', ':', '：']) && !rest.trim().is_empty())
        })
    })
}

/// A byline line above the body: "Von A und B", a source line, "Redacción EFE", a bare name,
/// "Name, Health correspondent", "Name – reporter for Reuters", "Name with AFP".
pub fn parse_byline(text: &str, applied: &Applied) -> Option<Byline> {
    lexicon::byline::find_byline(text, applied)
        .or_else(|| {
            lexicon::byline::find_source(text, applied)
                .filter(|b| !b.agencies.is_empty() || !b.authors.is_empty())
        })
        .or_else(|| lexicon::byline::agency_line(text, applied))
        .or_else(|| names_line(text, applied))
        .map(split_hyphened_initials)
}

/// A byline or signature without the wire's end marker its unit carries, a line the rule
/// files name as end matter whole or by pattern and that names no one ("انتهای پیام /" under "خبرنگار: …", "انتهای
/// پیام/ ز.ح", "(انتهى)", "（完）"): the marker closes the transmission, it names no one.
/// → (the rest, the marker), or nothing where the unit carries no marker.
fn without_end_marker(text: &str, applied: &Applied) -> Option<(String, String)> {
    // Signatures the rules give as end matter ("<abc>/ <def>/") name people: no marker.
    let marker = |t: &str| {
        matches!(
            applied.match_line(t.trim()),
            Some((LineMatch::Line(ArtefactKind::EndMatter), _))
                | Some((LineMatch::Pattern(ArtefactKind::EndMatter), _))
        ) && parse_signature(t, applied).is_none()
    };
    let (mut kept, mut cut) = (Vec::new(), Vec::new());
    for line in text.lines() {
        if marker(line) {
            cut.push(line.trim().to_string());
            continue;
        }
        // The marker and the initials on one line, split by a slash.
        match line.split_once('/') {
            Some((head, rest)) if !rest.trim().is_empty() && marker(&format!("{head}/")) => {
                cut.push(format!("{}/", head.trim()));
                kept.push(rest.trim());
            }
            _ => kept.push(line),
        }
    }
    (!cut.is_empty()).then(|| (kept.join("\n").trim().to_string(), cut.join("\n")))
}

/// A signature line after the body.
pub fn parse_signature(text: &str, applied: &Applied) -> Option<Byline> {
    lexicon::byline::find_signature(text, applied)
        .or_else(|| lexicon::byline::find_byline(text, applied))
        .or_else(|| lexicon::byline::find_source(text, applied))
        .or_else(|| lexicon::byline::agency_line(text, applied))
        .or_else(|| names_line(text, applied))
        .map(split_hyphened_initials)
}

fn split_hyphened_initials(mut b: Byline) -> Byline {
    b.authors = b.authors.into_iter().flat_map(hyphened_initials).collect();
    b
}

/// Editors' initials a hyphen joins are two people, as a slash joins them ("cbo-ppy/gf/dch",
/// "YZR-GU"): each side two to five letters, all in lower case or all in capitals. A name
/// with a hyphen ("Jean-Luc", "Hüther-Bauer") has both cases and stays one.
fn hyphened_initials(author: String) -> Vec<String> {
    let parts: Vec<&str> = author.split('-').collect();
    let initials = |p: &str| {
        (2..=5).contains(&p.chars().count())
            && p.chars().all(char::is_alphabetic)
            && lexicon::has_case(p)
    };
    let one_case =
        !author.chars().any(char::is_uppercase) || !author.chars().any(char::is_lowercase);
    if parts.len() >= 2 && one_case && parts.iter().all(|p| initials(p)) {
        parts.into_iter().map(str::to_string).collect()
    } else {
        vec![author]
    }
}

/// The author in a time-stamp line ("Elif Sönmez | 18.01.2024 - 14:26", "3. 3. 2025 | 06:15 |
/// Petra Holubová, Jiří Vondra", "Laatste update 8 februari 2025, 10:18 · door Femke Bakker",
/// "● LIVE | Relatare: Elena Marin"): a line of parts split by bars or bullets, one of which
/// holds a figure or is a known label; the first other part read as a byline that names
/// someone (not initials alone), with the whole line as its raw text.
fn stamp_byline(text: &str, applied: &Applied) -> Option<Byline> {
    let parts: Vec<&str> = text
        .split(['|', '·', '•', '●', '∙', '⋅'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let figure = |p: &str| p.chars().any(char::is_numeric);
    let plain = |p: &str| !figure(p) && applied.match_line(p).is_none();
    // "July 15, 2024, 2:31 p.m. Source: dpa Saxony": a time stamp, then a source label that
    // names the agency.
    if parts.len() == 1
        && figure(text)
        && text.chars().count() <= MAX_STAMP_CHARS
        && let Some(mut b) = lexicon::byline::find_source(text, applied)
            .filter(|b| !b.agencies.is_empty() && b.authors.is_empty())
    {
        b.raw = text.trim().to_string();
        return Some(b);
    }
    if parts.len() < 2 || parts.len() > 6 || parts.iter().all(|p| plain(p)) {
        return None;
    }
    let part = *parts.iter().find(|p| plain(p))?;
    // Without a time stamp beside it, only a part that opens with a byline word names someone
    // ("● LIVE | Relatare: Elena Marin", not "Partager : X · Facebook").
    let mut b = if parts.iter().any(|p| figure(p)) {
        parse_byline(part, applied)?
    } else {
        lexicon::byline::find_byline(part, applied)?
    };
    // "Petra Holubová, Jiří Vondra": the names a comma lists after the first.
    if let Some(first) = b.authors.last().cloned()
        && let Some((_, after)) = part.split_once(first.as_str())
    {
        for name in after.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name.split_whitespace().count() > 4
                || !is_person(name, applied)
                || applied.agencies.lookup(name).is_some()
            {
                break;
            }
            lexicon::push_unique(&mut b.authors, name);
        }
    }
    // A newsroom ("Haber Merkezi") or a single letter is no author.
    b.authors
        .retain(|a| a.chars().count() > 1 && !applied.names_institution(a));
    if b.authors.is_empty() || b.authors.iter().all(|a| is_initials(a)) {
        return None;
    }
    b.raw = text.to_string();
    Some(b)
}

/// Longest a time-stamp line with a source label in it may be.
const MAX_STAMP_CHARS: usize = 160;

/// Names leading a line, then what they are ("Jane Doe, Health correspondent", "Jan Kos –
/// reporter for Reuters", "Eva Lind with AFP", "(Jane Doe/Reuters, 12 March)"), names after a
/// label ("Byline: Eleanor Whitworth", "Připravili: A, B"), names at the end of a phrase ("Ein
/// Beitrag von Miriam Sandhoff"), or editors' initials ("kva mal", "Fdm/Gtu", "م ع ف / ه س"):
/// the names, and every news agency the line names. A line the rule files call a label names
/// no one.
fn names_line(text: &str, applied: &Applied) -> Option<Byline> {
    let raw = text.trim();
    let t = raw
        .trim_start_matches(['(', '[', '（', '【', '［', '—', '–', '-', ' '])
        .trim_end_matches([')', ']', '）', '】', '］', ' ']);
    let t = without_full_stop(t);
    if t.is_empty()
        || t.chars().count() > 160
        || applied.match_line(t).is_some()
        || (raw != t && applied.match_line(raw).is_some())
        || mostly_function_words(t, applied)
    {
        return None;
    }
    let mut b = Byline {
        raw: raw.to_string(),
        ..Byline::default()
    };
    let found: Vec<String> = applied
        .agencies
        .find_in(t)
        .iter()
        .map(|a| a.name.clone())
        .collect();
    let agencies = lexicon::news_only(applied.agencies, &found);
    if let Some(initials) = initials_of(t, applied) {
        b.authors = initials;
    } else {
        // "Byline: …", "Připravili: …": names after a short label.
        let (t, labelled) = match t.split_once([':', '：']) {
            Some((label, rest)) if label.split_whitespace().count() <= 3 => (rest.trim(), true),
            // "یادداشت | نرگس صالحی", "Meinung | Anna Schmidt": a column's one-word label
            // before a bar, the name after it.
            _ => match t.split_once('|') {
                Some((label, rest))
                    if label.split_whitespace().count() == 1
                        && rest
                            .split('|')
                            .next()
                            .and_then(|n| lexicon::person_part(n.trim(), applied))
                            .is_some_and(|n| {
                                n.split_whitespace().count() >= 2 && is_person(n, applied)
                            }) =>
                {
                    (rest.trim(), true)
                }
                _ => (t, false),
            },
        };
        let joiners = applied.name_joiners();
        let head = t
            .split([',', '،', '|', '–', '—', '(', '/', '·', '•', ';'])
            .next()
            .unwrap_or("")
            .split(" - ")
            .next()
            .unwrap_or("")
            .trim();
        // "Irene Pascual. Tudela": a name of two words or more, a full stop, the place it was
        // filed from (one to three words). An initial's dot ("J. Smith") ends no name.
        let head = match head.split_once(". ") {
            Some((name, place))
                if name.split_whitespace().count() >= 2
                    && name
                        .rsplit(' ')
                        .next()
                        .is_some_and(|w| w.chars().count() > 1)
                    && (1..=3).contains(&place.split_whitespace().count())
                    && lexicon::looks_like_name(place, applied) =>
            {
                name
            }
            _ => head,
        };
        let mut whole = true;
        for part in lexicon::split_names(head, &joiners) {
            let Some(part) = lexicon::person_part(part, applied) else {
                continue;
            };
            if let Some(a) = applied.agencies.lookup(part) {
                b.agencies.extend(lexicon::news_name(a));
            } else if is_person(part, applied) && !lexicon::place_after_name(part, b.authors.last())
            {
                lexicon::push_unique(&mut b.authors, part);
            } else {
                whole = false;
                break;
            }
        }
        // "Oskar Nyqvist, Elin Strand": names listed with commas are co-authors, while each
        // part is a name of two words or more (a role, a place or an outlet ends the list). In
        // a script without case a place reads as a name ("रोहित वर्मा, नई दिल्ली"): there only
        // under a label ("लाइव ब्लॉग: …") that says the line lists people.
        let listed = t.strip_prefix(head).unwrap_or("").trim_start();
        if whole && !b.authors.is_empty() && listed.starts_with(',') {
            for part in listed.split(',').map(str::trim).skip(1) {
                let names = lexicon::split_names(part, &joiners);
                let co_authors = !names.is_empty()
                    && names.iter().all(|n| {
                        n.split_whitespace().count() >= 2
                            && is_person(n, applied)
                            && (labelled || lexicon::has_case(n))
                            && applied.agencies.lookup(n).is_none()
                            && !applied.names_institution(n)
                    });
                if !co_authors {
                    break;
                }
                for n in names {
                    lexicon::push_unique(&mut b.authors, n);
                }
            }
        }
        // "Ein Beitrag von Miriam Sandhoff": the longest run of words at the end that is a name.
        if b.authors.is_empty() {
            let words: Vec<&str> = head.split_whitespace().collect();
            if let Some(name) = (1..words.len().saturating_sub(1))
                .map(|k| words[k..].join(" "))
                .find(|n| n.split_whitespace().count() <= 4 && is_person(n, applied))
            {
                b.authors.push(name);
            }
        }
    }
    // "Petra Holubová": an agency's alias inside a name credits no agency.
    let outside: String = b
        .authors
        .iter()
        .fold(t.to_string(), |rest, a| rest.replace(a.as_str(), " "));
    let credited = applied.agencies.find_in(&outside);
    for a in agencies {
        if credited.iter().any(|f| f.name == a) {
            lexicon::push_unique(&mut b.agencies, &a);
        }
    }
    (!b.authors.is_empty() || !b.agencies.is_empty()).then_some(b)
}

/// `t` without a full stop at its end, but with the dot that closes an initial ("M.B.",
/// "(P. Á.)").
fn without_full_stop(t: &str) -> &str {
    match t.strip_suffix('.') {
        Some(s)
            if s.rsplit([' ', '.'])
                .next()
                .is_none_or(|w| w.chars().count() != 1) =>
        {
            s.trim_end()
        }
        _ => t,
    }
}

/// A person's name: two words or more, or one word in capitals.
fn is_person(s: &str, applied: &Applied) -> bool {
    lexicon::looks_like_name(s, applied)
        && (s.split_whitespace().count() >= 2 || s.chars().all(|c| !c.is_lowercase()))
        && !mostly_function_words(s, applied)
}

/// Whether most words of a capitalised line are the language's function words: a heading in
/// title case ("On Our Radar", "About Us", "Mehr zum Thema"), not a name. A name may hold one
/// ("Theresa May", "Will Smith"); a name particle ("von", "de") does not count.
fn mostly_function_words(s: &str, applied: &Applied) -> bool {
    let Some(stop) = applied.stop_words() else {
        return false;
    };
    let words: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
    let function = words
        .iter()
        .filter(|w| stop.contains(w) && !applied.is_name_particle(w))
        .count();
    function * 2 > words.len()
}

/// Editors' initials: groups of one to five letters split by slashes (each group a person) or,
/// without slashes, by spaces; no word of the line an agency or a known label.
fn initials_of(t: &str, applied: &Applied) -> Option<Vec<String>> {
    let inner = t.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | ' ' | '/'));
    if inner.is_empty() || inner.chars().count() > 30 {
        return None;
    }
    let groups: Vec<&str> = if inner.contains('/') {
        inner
            .split('/')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .collect()
    } else {
        inner.split_whitespace().collect()
    };
    let letters = |g: &str| g.chars().filter(|c| c.is_alphabetic()).count();
    if groups
        .iter()
        .any(|g| applied.is_byline_role(&g.to_lowercase()))
    {
        return None;
    }
    let ok = (1..=4).contains(&groups.len())
        && groups.iter().all(|g| {
            let letters: String = g
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '.')
                .collect();
            let n = letters.chars().count();
            (1..=5).contains(&n)
                && letters.chars().all(char::is_alphabetic)
                && applied.agencies.lookup(g).is_none()
        })
        && (inner.contains('/')
            || groups.iter().all(|g| lexicon::has_case(g) && !g.chars().any(char::is_uppercase))
            || groups.iter().all(|g| lexicon::has_case(g) && !g.chars().any(char::is_lowercase))
            // Without case, a word of three letters or more is a name ("יעל ברגר"), not
            // initials ("ע ה א", "ל\"ג").
            || groups.iter().all(|g| {
                !lexicon::has_case(g) && (letters(g) <= 2 || g.contains(['.', '"', '״', '\'']))
            }));
    if !ok {
        return None;
    }
    // Letters one by one are one person's initials ("P. Á.", "ع ه ا").
    if !inner.contains('/') && groups.len() >= 2 && groups.iter().all(|g| letters(g) == 1) {
        return Some(vec![groups.join(" ")]);
    }
    Some(groups.iter().map(|g| g.trim().to_string()).collect())
}

/// A caption unit: its own image, the caption of the credit just above it, or a second print
/// of the caption before it.
fn caption_unit(
    i: usize,
    u: &Unit,
    applied: &Applied,
    drafts: &mut Vec<Draft>,
    removed: &mut Vec<Artefact>,
) {
    let mut text = without_gallery_marker(u.text.trim().to_string(), u.line, removed);
    // A caption label, or a credit word over a caption that is no credit ("Photo: Cooby Dam
    // was at 31 per cent …"): the label goes.
    if let Some((label, caption)) = credit::split_caption_label(&text, applied)
        .or_else(|| credit::split_credit_word_label(&text, applied))
        .or_else(|| credit::split_numbered_label(&text, applied))
    {
        remove(removed, ArtefactKind::UiLabel, label, u.line);
        text = caption;
    }
    let found = credit::find_credit(&text, applied)
        .filter(|m| !m.caption.is_empty())
        .or_else(|| credit::caption_tail(&text, applied))
        .or_else(|| credit::marked_tail(&text, applied))
        .or_else(|| credit::unspaced_tail(&text, applied));
    let (caption, credit) = match found {
        Some(m) if !m.caption.is_empty() => {
            let mut caption = m.caption;
            if let Some((label, rest)) = credit::split_caption_label(&caption, applied) {
                remove(removed, ArtefactKind::UiLabel, label, u.line);
                caption = rest;
            }
            (caption, Some(m.credit))
        }
        _ => (text, None),
    };
    if let Some(last) = drafts.last_mut()
        && i - last.last_unit <= 3
    {
        // Printed twice: the visible caption and the caption with its credit, or alt text.
        let same = same_caption(&last.image.caption, &caption);
        if same {
            if let Some(c) = credit
                && last.image.credit.raw.is_empty()
            {
                last.image.credit = c;
                last.last_unit = i;
            }
            remove(removed, ArtefactKind::Duplicate, u.text, u.line);
            return;
        }
        // "Image copyright X" / "Image caption …": the credit came first.
        if last.credit_first && last.image.caption.is_empty() && credit.is_none() {
            last.image.caption = caption;
            last.last_unit = i;
            return;
        }
    }
    drafts.push(Draft {
        image: Image {
            caption,
            credit: credit.unwrap_or_default(),
        },
        last_unit: i,
        credit_first: false,
    });
}

fn same_caption(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    !a.is_empty() && norm(a) == norm(b)
}

/// A caption without the gallery's counter or pointer glyph that opens it ("1 / 8 …", "▲ …"):
/// the marker goes to `removed`.
fn without_gallery_marker(caption: String, line: u32, removed: &mut Vec<Artefact>) -> String {
    match credit::split_gallery_marker(&caption) {
        Some((marker, rest)) => {
            remove(removed, ArtefactKind::UiLabel, marker, line);
            rest
        }
        None => caption,
    }
}

/// A credit unit: the credit of the caption just above it, a second credit of the same
/// picture, or an image of its own.
fn credit_unit(
    i: usize,
    u: &Unit,
    applied: &Applied,
    drafts: &mut Vec<Draft>,
    removed: &mut Vec<Artefact>,
) {
    let text = u.text.trim();
    let (caption, credit) = match credit::find_credit(text, applied) {
        Some(m) => (m.caption, m.credit),
        None => (String::new(), credit::parse(text, text, applied)),
    };
    if !caption.is_empty() {
        let caption = without_gallery_marker(caption, u.line, removed);
        drafts.push(Draft {
            image: Image { caption, credit },
            last_unit: i,
            credit_first: false,
        });
        return;
    }
    if let Some(last) = drafts.last_mut()
        && i - last.last_unit <= 3
    {
        if last.image.credit.raw.is_empty() {
            last.image.credit = credit;
            last.last_unit = i;
            return;
        }
        // A second credit stacked under the first credits the same picture.
        if last.last_unit + 1 == i {
            merge_credit(&mut last.image.credit, credit);
            last.last_unit = i;
            return;
        }
    }
    // A credit of its own names whom it credits; a line that names nobody ("Expand", "Photo
    // gallery") is no picture: it leaves the copy as a label.
    if credit.creators.is_empty() && credit.agencies.is_empty() {
        remove(removed, ArtefactKind::UiLabel, u.text, u.line);
        return;
    }
    drafts.push(Draft {
        image: Image {
            caption: String::new(),
            credit,
        },
        last_unit: i,
        credit_first: true,
    });
}

/// Most words between a ticker's marks that make a time stamp, not an entry's heading.
const TICKER_STAMP_WORDS: usize = 3;

/// A live ticker's marks: a run of two or more plus signs that opens a block and the same
/// run that may close it ("+++ Уровень воды у Горного института …", "+++ 17.05 Uhr +++"). →
/// (the block without them, what was cut). Marks around a time stamp alone take the stamp
/// with them; marks around words leave the words.
fn without_ticker_marks(text: &str) -> Option<(String, Vec<String>)> {
    let t = text.trim();
    let run = t.chars().take_while(|&c| c == '+').count();
    if run < 2 {
        return None;
    }
    let rest = &t[run..];
    // The marks stand apart from the words: "+++ text", not "++text".
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let marks = &t[..run];
    let inner = rest.trim();
    let (inner, closed) = match inner.strip_suffix(marks) {
        Some(i) if i.ends_with(char::is_whitespace) => (i.trim(), true),
        _ => (inner, false),
    };
    let stamp = closed
        && inner.split_whitespace().count() <= TICKER_STAMP_WORDS
        && inner.chars().any(|c| c.is_ascii_digit());
    if stamp || inner.is_empty() {
        return Some((String::new(), vec![t.to_string()]));
    }
    let cut = vec![marks.to_string(); if closed { 2 } else { 1 }];
    Some((inner.to_string(), cut))
}

/// Fewest words a pull quote has: shorter quotes ("„Nein.“") may well be said twice.
const PULL_QUOTE_MIN_WORDS: usize = 5;
/// Most words a pull quote has.
const PULL_QUOTE_MAX_WORDS: usize = 60;

/// Pull quotes: a paragraph (or a heading that is a sentence) that is one quotation, in
/// quotation marks and nothing else, whose words another paragraph of the body says in the same
/// order ("„Cine nu-și știa ziua la moară nu era om gospodar.”" over "„Cine nu-și știa ziua
/// la moară nu era om gospodar”, spune Bălan."). A magazine sets the quote large between
/// paragraphs; the story says it once, where the speaker is named. The repeat goes to
/// `removed` as a duplicate.
fn without_pull_quotes(body: &mut Vec<(BlockKind, String, u32)>, removed: &mut Vec<Artefact>) {
    // A heading in quotation marks that ends no sentence quotes a phrase of the section under
    // it (a crosshead, «Дом без хозяина»): only a quoted sentence is pulled from a heading.
    let quoted: Vec<usize> = (0..body.len())
        .filter(|&i| {
            let (kind, text, _) = &body[i];
            is_one_quotation(text)
                && (*kind == BlockKind::Paragraph || lexicon::ends_sentence(text.trim()))
        })
        .collect();
    if quoted.is_empty() {
        return;
    }
    let said: Vec<Vec<String>> = body.iter().map(|b| words_lower(&b.1)).collect();
    let mut pulled: Vec<usize> = Vec::new();
    for &i in &quoted {
        let quote = &said[i];
        if !(PULL_QUOTE_MIN_WORDS..=PULL_QUOTE_MAX_WORDS).contains(&quote.len()) {
            continue;
        }
        // Said again by a paragraph that is more than this quote.
        let repeated = said.iter().enumerate().any(|(j, other)| {
            j != i
                && body[j].0 == BlockKind::Paragraph
                && !pulled.contains(&j)
                && other.len() > quote.len()
                && other.windows(quote.len()).any(|w| w == quote.as_slice())
        });
        if repeated {
            pulled.push(i);
        }
    }
    for &i in pulled.iter().rev() {
        let (_, text, line) = body.remove(i);
        remove(removed, ArtefactKind::Duplicate, text, line);
    }
}

/// Whether `text` is one quotation and nothing else: it opens with a quotation mark and ends
/// with one (a full stop may follow), and no closing mark stands inside it.
fn is_one_quotation(text: &str) -> bool {
    const OPEN: &[char] = &['"', '„', '“', '«', '»', '‚', '‘', '「', '『'];
    const CLOSE: &[char] = &['"', '“', '”', '»', '«', '’', '‘', '」', '』'];
    let t = text.trim().trim_end_matches(['.', '。']);
    let Some(first) = t.chars().next() else {
        return false;
    };
    let Some(last) = t.chars().next_back() else {
        return false;
    };
    if !OPEN.contains(&first) || !CLOSE.contains(&last) || t.chars().count() < 3 {
        return false;
    }
    // "„A“, sagte er, „B“": two quotations with words between them are no one quotation.
    let inner = &t[first.len_utf8()..t.len() - last.len_utf8()];
    !inner.contains(last) || first == '"'
}

/// A credit without a caption, beside the byline or the time stamp, that names no one and
/// nothing a captioned picture's credit does not ("Photos: Ian Walsh" under the byline, then
/// "… (Image: Ian Walsh)" under a caption) credits the article's pictures, not a picture of its
/// own: it adds no image, and its line goes to `removed` as a duplicate (nothing of the copy is
/// lost). An uncaptioned credit among a gallery's pictures is a picture of its own.
fn without_repeated_credits(
    mut drafts: Vec<Draft>,
    units: &[Unit],
    roles: &[Role],
    observed: &Observed,
    removed: &mut Vec<Artefact>,
) -> Vec<Draft> {
    // The credit stands with the article's byline or its time stamp, not among pictures.
    let by_byline = |i: usize| {
        [i.checked_sub(1), i.checked_add(1)]
            .into_iter()
            .flatten()
            .any(|j| {
                matches!(roles.get(j), Some(Role::Byline | Role::Meta))
                    || observed.obs.get(j).is_some_and(|o| o.lex(Lex::Byline))
            })
    };
    if drafts.iter().all(|d| !d.image.caption.trim().is_empty()) {
        return drafts;
    }
    let captioned: Vec<&Credit> = drafts
        .iter()
        .filter(|d| !d.image.caption.trim().is_empty())
        .map(|d| &d.image.credit)
        .collect();
    let repeats = |c: &Credit| {
        !c.creators.is_empty()
            && c.creators
                .iter()
                .all(|n| captioned.iter().any(|o| o.creators.contains(n)))
            && c.agencies
                .iter()
                .all(|a| captioned.iter().any(|o| o.agencies.contains(a)))
    };
    let repeated: Vec<usize> = drafts
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.image.caption.trim().is_empty() && repeats(&d.image.credit) && by_byline(d.last_unit)
        })
        .map(|(k, _)| k)
        .collect();
    drop(captioned);
    // Few, if any: removed one by one, last first, so that no second list of drafts is built.
    for &k in repeated.iter().rev() {
        let d = drafts.remove(k);
        let line = units.get(d.last_unit).map_or(0, |u| u.line);
        remove(removed, ArtefactKind::Duplicate, d.image.credit.raw, line);
    }
    drafts
}

/// A byline author that holds the page's masthead ("Redação Folha do Vale", "Tim Redaksi
/// KabarNusantara.com", "Napi Hírkapu" under "NAPI HÍRKAPU") is the outlet's newsroom, not a
/// person: it leaves the authors. The masthead is the first unit, taken as furniture or
/// kicker, of two words or more or a domain (a one-word masthead may be a person's surname).
/// A byline left with no one and no agency is no byline: its text goes to `removed`.
fn without_masthead_authors(
    mut b: Byline,
    units: &[Unit],
    roles: &[Role],
    removed: &mut Vec<Artefact>,
) -> Option<Byline> {
    let masthead = match (units.first(), roles.first()) {
        (Some(u), Some(Role::Furniture | Role::Kicker)) => u.text.trim().to_lowercase(),
        _ => return Some(b),
    };
    if masthead.split_whitespace().count() < 2 && !masthead.contains('.') {
        return Some(b);
    }
    let before = b.authors.len();
    b.authors
        .retain(|a| !contains_words(&a.to_lowercase(), &masthead));
    if b.authors.len() == before || !b.authors.is_empty() || !b.agencies.is_empty() {
        return Some(b);
    }
    let line = units
        .iter()
        .zip(roles)
        .find(|(u, r)| matches!(r, Role::Byline | Role::Signature) && b.raw.contains(u.text.trim()))
        .map_or(0, |(u, _)| u.line);
    remove(removed, ArtefactKind::UiLabel, b.raw, line);
    None
}

/// A credited name that the page also prints in its copyright line or as its masthead
/// ("Foto: Jamal Reed/Lakeshore Ledger" under "© 2024 Lakeshore Ledger") is the outlet that
/// holds the picture, not a photographer: it leaves `creators` (it stays in the credit's
/// `raw`). The masthead is the first unit when it is removed, whatever the decoder calls it
/// (furniture, a menu, a kicker); the copyright line any removed or credit line with a `©`
/// or that a rule file calls one, a footer of links too ("© Alpenpost Medien GmbH |
/// Impressum"); names compare without case ("THE CASCADE CURRENT"). Other lines are no
/// evidence: a photographer may write the story or be named in it.
fn drop_house_names(
    images: &mut [Image],
    units: &[Unit],
    roles: &[Role],
    observed: &Observed,
    applied: &Applied,
) {
    if images.iter().all(|img| img.credit.creators.is_empty()) {
        return;
    }
    let house: Vec<(&str, String)> = units
        .iter()
        .zip(roles)
        .zip(&observed.obs)
        .enumerate()
        .filter(|(i, ((u, role), o))| {
            let furniture = matches!(
                role,
                Role::Furniture | Role::Boilerplate | Role::Meta | Role::Related
            );
            let masthead = *i == 0 && (furniture || **role == Role::Kicker);
            let copyright = (furniture || **role == Role::Credit)
                && (o.rule() == Some(ArtefactKind::CopyrightFooter) || u.text.contains('©'));
            (masthead || copyright) && !o.lex(Lex::Byline) && !o.lex(Lex::Signature)
        })
        .map(|(_, ((u, _), _))| (u.text.trim(), u.text.trim().to_lowercase()))
        .collect();
    // A masthead in capitals ("THE CASCADE CURRENT") prints the same name.
    let printed = |name: &str| {
        let lower = name.to_lowercase();
        house.iter().any(|(line, lowered)| {
            contains_words(lowered, &lower)
                && credit::find_credit(line, applied)
                    .is_none_or(|m| !m.credit.creators.iter().any(|c| c == name))
        })
    };
    for img in images.iter_mut() {
        img.credit.creators.retain(|c| !printed(c));
    }
}

/// Whether `name` stands in `line` as whole words (no letter or digit on either side).
fn contains_words(line: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    line.match_indices(name).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn merge_credit(into: &mut Credit, more: Credit) {
    into.raw.push('\n');
    into.raw.push_str(&more.raw);
    for x in more.creators {
        lexicon::push_unique(&mut into.creators, &x);
    }
    for x in more.agencies {
        lexicon::push_unique(&mut into.agencies, &x);
    }
}

/// Editor's initials: "vet", "JGO", "ΓΠ", "ＴＭＫ". Initials are letters of a script with
/// letter case: a short name in Hangul, Han or Arabic ("김서윤", "李明") is a whole name.
fn is_initials(name: &str) -> bool {
    let n = name.chars().count();
    (2..=5).contains(&n)
        && name
            .chars()
            .all(|c| c.is_alphabetic() && (c.is_uppercase() || c.is_lowercase()))
}

/// Every news agency credited: dateline, byline, photo credits, footers; once each, in order.
fn credited_agencies(article: &Article, removed: &[Artefact], applied: &Applied) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(d) = &article.dateline {
        names.extend(d.agencies.iter().cloned());
    }
    if let Some(b) = &article.byline {
        names.extend(b.agencies.iter().cloned());
    }
    for img in &article.images {
        names.extend(img.credit.agencies.iter().cloned());
    }
    for a in removed {
        if matches!(
            a.kind,
            ArtefactKind::CopyrightFooter | ArtefactKind::EndMatter
        ) {
            names.extend(
                applied
                    .agencies
                    .find_in(&a.text)
                    .iter()
                    .map(|x| x.name.clone()),
            );
        }
    }
    lexicon::news_only(applied.agencies, &names)
}

/// Records what left the copy, with its kind and input line.
fn remove(removed: &mut Vec<Artefact>, kind: ArtefactKind, text: impl Into<String>, line: u32) {
    removed.push(Artefact {
        kind,
        text: text.into(),
        line,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_letters_of_a_script_with_case() {
        for name in ["vet", "JGO", "mzi", "ΓΠ", "ок", "ＴＭＫ"] {
            assert!(is_initials(name), "{name}");
        }
        // A short name in a script without case is a whole name.
        for name in ["김서윤", "李明", "周晓岚", "سلمى", "Jan Kos", "a"] {
            assert!(!is_initials(name), "{name}");
        }
    }

    #[test]
    fn editors_initials_joined_by_a_hyphen_are_two_people() {
        assert_authors(
            parse_signature,
            &[
                ("fr", "cbo-ppy/gf/dch", &["cbo", "ppy", "gf", "dch"]),
                ("it", "YZR-GU", &["YZR", "GU"]),
                ("fr", "jmb-fz/ial", &["jmb", "fz", "ial"]),
                // A hyphened name is one person.
                ("fr", "Jean-Luc Prost", &["Jean-Luc Prost"]),
            ],
        );
    }

    #[test]
    fn a_column_label_before_a_bar_or_a_place_after_a_full_stop_is_no_author() {
        assert_authors(
            parse_byline,
            &[
                ("fa", "یادداشت | نرگس صالحی", &["نرگس صالحی"]),
                ("de", "Meinung | Anna Schmidt", &["Anna Schmidt"]),
                ("es", "Irene Pascual. Tudela", &["Irene Pascual"]),
                ("fr", "Jean Dupont. Chalon-sur-Saône", &["Jean Dupont"]),
                ("en", "J. Smith", &["J. Smith"]),
            ],
        );
    }

    #[test]
    fn a_heading_in_title_case_of_function_words_signs_nothing() {
        for (lang, line) in [
            ("en", "On Our Radar"),
            ("en", "About Us"),
            ("de", "Was Sie Auch Interessiert"),
            ("fr", "Ce Que Nous Savons"),
            ("es", "Lo Que Debes Saber"),
        ] {
            assert_eq!(
                authors(lang, parse_signature, line),
                Vec::<String>::new(),
                "{line}"
            );
        }
        // Names that hold a function word or a name particle are names.
        assert_authors(
            parse_signature,
            &[
                ("en", "Theresa May", &["Theresa May"]),
                ("en", "Will Smith", &["Will Smith"]),
                ("de", "Ursula von der Leyen", &["Ursula von der Leyen"]),
                ("es", "Ana de la Torre", &["Ana de la Torre"]),
            ],
        );
    }

    fn authors(lang: &str, f: fn(&str, &Applied) -> Option<Byline>, line: &str) -> Vec<String> {
        f(line, &Applied::for_test(lang)).map_or(vec![], |b| b.authors)
    }

    /// Each (language, line, authors) read by `f`.
    fn assert_authors(f: fn(&str, &Applied) -> Option<Byline>, cases: &[(&str, &str, &[&str])]) {
        for (lang, line, want) in cases {
            assert_eq!(authors(lang, f, line), want.to_vec(), "{line}");
        }
    }

    #[test]
    fn initials_keep_their_dots_and_letters_one_by_one_are_one_person() {
        assert_authors(
            parse_signature,
            &[
                ("es", "(M.B.)", &["M.B."]),
                ("el", "(Γ.Δ.)", &["Γ.Δ."]),
                ("it", "(l.b.)", &["l.b."]),
                ("es", "(P. Á.)", &["P. Á."]),
                ("ar", "ع ه ا", &["ع ه ا"]),
                ("fa", "ن. الف", &["ن. الف"]),
                // Editors' initials, each their own.
                ("de", "kva mal", &["kva", "mal"]),
                ("tr", "ESE/MKA", &["ESE", "MKA"]),
            ],
        );
    }

    #[test]
    fn a_time_stamp_line_names_its_author() {
        assert_authors(
            stamp_byline,
            &[
                (
                    "tr",
                    "Deniz Aksoy | 03.05.2025 - 09:40 | Güncelleme: 03.05.2025 - 10:02",
                    &["Deniz Aksoy"],
                ),
                (
                    "cs",
                    "12. 4. 2025 | 08:30 | Jana Dvořáková, Tomáš Beneš",
                    &["Jana Dvořáková", "Tomáš Beneš"],
                ),
                ("ru", "Анна Орлова · 3 июня 2025, 09:15", &["Анна Орлова"]),
                ("he", "נועם לביא | 02.03.2025 11:20", &["נועם לביא"]),
                (
                    "nl",
                    "Bijgewerkt 4 maart 2025, 08:12 · door Sanne de Wit en Bram Visser",
                    &["Sanne de Wit", "Bram Visser"],
                ),
                (
                    "hu",
                    "2025.04.02. 18:10 · Riporter: Szabó Réka · Operatőr: Kiss Gábor",
                    &["Szabó Réka"],
                ),
                // No stamp: only a part that opens with a byline word names someone.
                ("fr", "Partager : X · Facebook · LinkedIn", &[]),
                ("en", "Listen | Share | Ana Ruiz", &[]),
                // A newsroom, a section, one line without parts: no one.
                ("tr", "Haber Merkezi | 09.08.2025 - 22:51", &[]),
                ("de", "Redaktion Wirtschaft | 12.03.2025", &[]),
                ("en", "Politics | 12 March 2025", &[]),
                ("en", "Ana Ruiz 12 March 2025", &[]),
            ],
        );
    }

    #[test]
    fn a_source_label_in_a_time_stamp_line_credits_its_agency() {
        for (lang, line, agency) in [
            ("en", "July 15, 2024, 2:31 p.m. Source: dpa Saxony", "dpa"),
            ("de", "15.07.2024, 14:31 Uhr Quelle: dpa Sachsen", "dpa"),
            ("fr", "15 juillet 2024 à 14h31 Source : AFP", "AFP"),
        ] {
            let b = stamp_byline(line, &Applied::for_test(lang));
            assert_eq!(
                b.map(|b| (b.authors, b.agencies)),
                Some((vec![], vec![agency.to_string()])),
                "{line}"
            );
        }
        // No time stamp, or no agency: no source.
        assert!(stamp_byline("Source: dpa Saxony", &Applied::for_test("en")).is_none());
        assert!(
            stamp_byline(
                "July 15, 2024, 2:31 p.m. Source: city hall",
                &Applied::for_test("en")
            )
            .is_none()
        );
    }

    #[test]
    fn a_label_glued_to_the_dateline_is_cut_off() {
        for (lang, text, label, place) in [
            (
                "cs",
                "Dalších 12 fotografií v galeriiLIBEREC - Hasiči zasahovali u požáru skladu.",
                "Dalších 12 fotografií v galerii",
                "LIBEREC",
            ),
            (
                "cs",
                "Zobrazit všech 5 fotografií ›TÁBOR - Radnice otevřela nové parkoviště.",
                "Zobrazit všech 5 fotografií ›",
                "TÁBOR",
            ),
            (
                "de",
                "Bildergalerie ansehenKassel (dpa) - Die Stadt hat den Haushalt beschlossen.",
                "Bildergalerie ansehen",
                "Kassel",
            ),
            (
                "pl",
                "Zobacz galerięOPOLE - Nawałnica zerwała dachy w kilku gminach.",
                "Zobacz galerię",
                "OPOLE",
            ),
        ] {
            let (m, at) = dateline::glued_dateline(text, &Applied::for_test(lang))
                .unwrap_or_else(|| panic!("{text}"));
            assert_eq!((&text[..at], m.dateline.place.as_str()), (label, place));
        }
        // A capital inside a word or after a sentence is no seam.
        for (lang, text) in [
            (
                "en",
                "The new iPhone sold out in Tokyo on Friday, Apple said.",
            ),
            (
                "de",
                "Der Zug hielt.BERLIN - Die Bahn hat den Fahrplan geändert.",
            ),
            (
                "en",
                "Shares of McDonald's rose 3 percent in early trading.",
            ),
        ] {
            assert!(
                dateline::glued_dateline(text, &Applied::for_test(lang)).is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_byline_beside_the_photographers_credit_is_the_byline() {
        assert_authors(
            byline_with_credit,
            &[
                (
                    "it",
                    "Testo di Giulia Ferri · Foto di Marco Sala",
                    &["Giulia Ferri"],
                ),
                (
                    "ro",
                    "Text de Ioana Dinu. Fotografii de Mihai Pop",
                    &["Ioana Dinu"],
                ),
                ("de", "Text: Lena Hoff | Fotos: Jan Kuhn", &["Lena Hoff"]),
                // A credit word must open the second part.
                ("it", "Testo di Giulia Ferri · Milano", &[]),
            ],
        );
    }

    #[test]
    fn an_agency_alias_inside_a_name_credits_no_agency() {
        for (lang, line) in [("cs", "Petra Nováková"), ("en", "Petra Lindqvist, Amman")] {
            let b = parse_byline(line, &Applied::for_test(lang));
            assert_eq!(b.map(|b| b.agencies), Some(vec![]), "{line}");
        }
        // An agency beside a name, or a newsroom's line, still credits it.
        for (lang, line, agency) in [
            ("en", "Lena Vogt (Petra)", "Petra"),
            ("it", "Redazione ANSA", "ANSA"),
            ("es", "Redacción EFE", "EFE"),
        ] {
            let b = parse_byline(line, &Applied::for_test(lang));
            assert_eq!(
                b.map(|b| b.agencies),
                Some(vec![agency.to_string()]),
                "{line}"
            );
        }
    }

    /// One unit per text, each a line and a group of its own.
    fn units_of<'a>(texts: &[&'a str]) -> Vec<Unit<'a>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Unit {
                text: t,
                line: i as u32 + 1,
                last_line: i as u32 + 1,
                group: i as u32,
                group_len: 1,
            })
            .collect()
    }

    #[test]
    fn a_credit_by_the_byline_that_a_caption_s_credit_repeats_adds_no_picture() {
        let texts = [
            "By Daniel Oyelaran, Crime Reporter",
            "Photos: Ian Walsh",
            "Bags of plaster and broken tiles left at the reservoir lay-by in March",
            "(Image: Ian Walsh)",
        ];
        let units = units_of(&texts);
        let applied = Applied::for_test("en");
        let observed = crate::engine::features::observe(&units, &applied);
        let roles = [Role::Byline, Role::Credit, Role::Caption, Role::Credit];
        let draft = |caption: &str, name: &str, last_unit| Draft {
            image: Image {
                caption: caption.to_string(),
                credit: Credit {
                    raw: format!("credit {name}"),
                    creators: vec![name.to_string()],
                    agencies: vec![],
                },
            },
            last_unit,
            credit_first: caption.is_empty(),
        };
        let run = |drafts: Vec<Draft>, roles: &[Role]| {
            let mut removed = Vec::new();
            let kept = without_repeated_credits(drafts, &units, roles, &observed, &mut removed);
            (kept.len(), removed.len())
        };
        let repeated = || vec![draft("", "Ian Walsh", 1), draft(texts[2], "Ian Walsh", 3)];
        // Beside the byline and repeated: no picture, the line in `removed`.
        assert_eq!(run(repeated(), &roles), (1, 1));
        // Another photographer, or among the pictures rather than by the byline: a picture.
        let other = vec![draft("", "Kirsty Bell", 1), draft(texts[2], "Ian Walsh", 3)];
        assert_eq!(run(other, &roles), (2, 0));
        let gallery = vec![draft(texts[2], "Ian Walsh", 1), draft("", "Ian Walsh", 3)];
        assert_eq!(run(gallery, &roles), (2, 0));
    }

    #[test]
    fn a_byline_naming_the_masthead_is_the_newsroom_not_an_author() {
        let read = |masthead: &str, authors: &[&str], agencies: &[&str]| {
            let texts = [masthead, "Byline"];
            let units = units_of(&texts);
            let b = Byline {
                raw: "Byline".to_string(),
                authors: authors.iter().map(|a| a.to_string()).collect(),
                agencies: agencies.iter().map(|a| a.to_string()).collect(),
            };
            let mut removed = Vec::new();
            let roles = [Role::Furniture, Role::Byline];
            let b = without_masthead_authors(b, &units, &roles, &mut removed);
            (b.map(|b| (b.authors, b.agencies)), removed.len())
        };
        let none = (None, 1);
        assert_eq!(read("Folha do Vale", &["Redação Folha do Vale"], &[]), none);
        assert_eq!(read("NAPI HÍRKAPU", &["Napi Hírkapu"], &[]), none);
        assert_eq!(
            read(
                "KabarNusantara.com",
                &["Tim Redaksi KabarNusantara.com"],
                &[]
            ),
            none
        );
        // A person beside the newsroom stays; an agency keeps the byline.
        assert_eq!(
            read(
                "Folha do Vale",
                &["Ana Prates", "Redação Folha do Vale"],
                &[]
            ),
            (Some((vec!["Ana Prates".to_string()], vec![])), 0)
        );
        assert_eq!(
            read("Folha do Vale", &["Redação Folha do Vale"], &["AFP"]),
            (Some((vec![], vec!["AFP".to_string()])), 0)
        );
        // A one-word masthead may be a surname: no evidence.
        assert_eq!(
            read("Zeit", &["Anna Zeit"], &[]),
            (Some((vec!["Anna Zeit".to_string()], vec![])), 0)
        );
    }

    #[test]
    fn a_wire_s_end_marker_leaves_the_signature_and_initials_stay() {
        let cut = |lang: &str, text: &str| without_end_marker(text, &Applied::for_test(lang));
        let pair = |rest: &str, marker: &str| Some((rest.to_string(), marker.to_string()));
        assert_eq!(
            cut(
                "fa",
                "خبرنگار: زهرا کریمی ** انتشاردهنده: مهدی رضایی\nانتهای پیام /"
            ),
            pair(
                "خبرنگار: زهرا کریمی ** انتشاردهنده: مهدی رضایی",
                "انتهای پیام /"
            )
        );
        assert_eq!(cut("fa", "انتهای پیام/ ز.ح"), pair("ز.ح", "انتهای پیام/"));
        assert_eq!(
            cut("ar", "م ع ف / ه س\n(انتهى)"),
            pair("م ع ف / ه س", "(انتهى)")
        );
        assert_eq!(
            cut("zh", "（记者 杨帆）\n（完）"),
            pair("（记者 杨帆）", "（完）")
        );
        // Closing initials the rules give as end matter name people; a byline has no marker.
        assert_eq!(cut("pl", "abc/ def/"), None);
        assert_eq!(cut("en", "By Jane Doe"), None);
        // The signature then reads as the names it holds.
        let b = parse_signature("ز.ح", &Applied::for_test("fa"));
        assert_eq!(b.map(|b| b.authors), Some(vec!["ز.ح".to_string()]));
    }

    #[test]
    fn names_listed_with_commas_are_co_authors_and_a_role_or_place_is_none() {
        assert_authors(
            parse_byline,
            &[
                (
                    "sv",
                    "Oskar Nyqvist, Elin Strand",
                    &["Oskar Nyqvist", "Elin Strand"],
                ),
                (
                    "uk",
                    "Стрічку ведуть: Оксана Мельничук, Денис Ярош",
                    &["Оксана Мельничук", "Денис Ярош"],
                ),
                (
                    "hi",
                    "लाइव ब्लॉग: अंकित पांडेय, रुचि सिंह",
                    &["अंकित पांडेय", "रुचि सिंह"],
                ),
                (
                    "de",
                    "Jana Petersen, Lars Brandt, Miriam Sandhoff",
                    &["Jana Petersen", "Lars Brandt", "Miriam Sandhoff"],
                ),
                // A role, a one-word place, a place in a script without case and no label:
                // the author alone.
                (
                    "da",
                    "Mads Kjeldsen, sundhedskorrespondent",
                    &["Mads Kjeldsen"],
                ),
                ("en", "Petra Lindqvist, Amman", &["Petra Lindqvist"]),
                ("hi", "रोहित वर्मा, नई दिल्ली", &["रोहित वर्मा"]),
            ],
        );
    }

    #[test]
    fn names_in_scripts_without_case_are_not_initials() {
        assert_authors(
            parse_byline,
            &[
                ("he", "יעל ברגר", &["יעל ברגר"]),
                ("fa", "نسرین افشار", &["نسرین افشار"]),
                ("ar", "محمد الزعبي", &["محمد الزعبي"]),
                // A phrase that names the piece and then its author.
                ("de", "Ein Beitrag von Jana Petersen", &["Jana Petersen"]),
                (
                    "de",
                    "Eine Recherche von Jonas Weil und Lea Brandt",
                    &["Jonas Weil", "Lea Brandt"],
                ),
                // Joined with a maqaf, a geresh or a non-breaking hyphen.
                ("he", "מאיה בן־דוד", &["מאיה בן־דוד"]),
                ("he", "ג׳ודי לוין", &["ג׳ודי לוין"]),
                ("de", "Anna‑Lena Berg", &["Anna‑Lena Berg"]),
            ],
        );
    }

    #[test]
    fn a_name_line_leaves_out_roles_and_the_place_after_the_name() {
        assert_authors(
            parse_byline,
            &[
                ("ko", "김서윤 기자", &["김서윤"]),
                ("ja", "経済部　中川真由", &["中川真由"]),
                ("en", "Jane Doe, Health correspondent", &["Jane Doe"]),
                ("fa", "مهدی نوروزی، خبرنگار ایرنا در رشت", &["مهدی نوروزی"]),
                ("pt", "Carla Werner, Blumenau", &["Carla Werner"]),
            ],
        );
        assert!(authors("ko", parse_byline, "[기자]").is_empty());
    }

    #[test]
    fn a_signature_in_full_width_brackets_names_its_author() {
        assert_authors(
            parse_signature,
            &[
                ("ja", "（村上真理）", &["村上真理"]),
                ("zh", "（沈一鸣）", &["沈一鸣"]),
                ("zh", "【记者 王佳】", &["王佳"]),
                ("ja", "［中村遥］", &["中村遥"]),
            ],
        );
        // The wire's end mark in the same brackets names no one.
        assert!(authors("zh", parse_signature, "（完）").is_empty());
    }

    #[test]
    fn a_byline_with_a_picture_credit_on_its_line_is_a_byline() {
        for (lang, line, want) in [
            (
                "cs",
                "Text: Veronika Šťastná | Foto: Adam Holub",
                "Veronika Šťastná",
            ),
            ("he", "מאת דנה רוזנטל | צילומים: עמית לוי", "דנה רוזנטל"),
            (
                "hu",
                "Írta: Nagy Boglárka | Fotók: Varga Bence",
                "Nagy Boglárka",
            ),
            (
                "de",
                "Text: Merle Fischer | Fotos: Arne Köhler",
                "Merle Fischer",
            ),
        ] {
            let b = byline_with_credit(line, &Applied::for_test(lang));
            assert_eq!(b.map(|b| b.authors), Some(vec![want.to_string()]), "{line}");
        }
        // A caption with its credit is none.
        for (lang, line) in [
            ("de", "Die Fähre am Anleger in Hemeln. Foto: Tanja Hüther"),
            ("en", "By the river at dawn. Photo: Jane Doe/AP"),
        ] {
            assert!(
                byline_with_credit(line, &Applied::for_test(lang)).is_none(),
                "{line}"
            );
        }
    }

    #[test]
    fn a_tickers_marks_leave_the_entry_and_take_a_time_stamp_with_them() {
        for (text, rest, cut) in [
            (
                "+++ Уровень воды у Горного института достиг 190 см над ординаром.",
                "Уровень воды у Горного института достиг 190 см над ординаром.",
                vec!["+++"],
            ),
            (
                "+++ נתיבי איילון נסגרו לתנועה בשני הכיוונים",
                "נתיבי איילון נסגרו לתנועה בשני הכיוונים",
                vec!["+++"],
            ),
            (
                "+++ Feuerwehr im Dauereinsatz +++",
                "Feuerwehr im Dauereinsatz",
                vec!["+++", "+++"],
            ),
            ("+++ 17.05 Uhr +++", "", vec!["+++ 17.05 Uhr +++"]),
            ("++ 2:32 p.m. ++", "", vec!["++ 2:32 p.m. ++"]),
        ] {
            let cut: Vec<String> = cut.into_iter().map(String::from).collect();
            assert_eq!(
                without_ticker_marks(text),
                Some((rest.to_string(), cut)),
                "{text}"
            );
        }
        for text in [
            "C++ is the language the plant's control software is written in.",
            "+1 555 0100 is the hotline's number.",
            "++text without a space",
            "The score was 3+2 after extra time.",
        ] {
            assert_eq!(without_ticker_marks(text), None, "{text}");
        }
    }
}
