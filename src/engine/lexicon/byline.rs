//! Bylines above the body ("Von Max Muster", "By JANE DOE" + "Associated Press") and
//! signatures below it ("vet/dpa", "jbo/AFP/dpa", "(Reporting by …; Editing by …)", "/БТА/").

use super::{
    Applied, looks_like_name, news_name, news_only, person_part, place_after_name, push_unique,
    split_names, strip_prefix_ci,
};
use crate::engine::article::Byline;
use crate::rules::LineInput;

/// Longest a byline line may be.
const MAX_BYLINE_CHARS: usize = 160;

/// A byline that opens with one of the language's byline words, names after it; later parts
/// of the line that open with one add theirs ("Penulis: A | Reporter: B", "خبرنگار: A ** …: B").
pub fn find_byline(text: &str, applied: &Applied) -> Option<Byline> {
    let t = text.trim();
    if t.chars().count() > MAX_BYLINE_CHARS {
        return None;
    }
    // Prepared once for every part of the line.
    let mut prefixes: Vec<&str> = applied
        .files()
        .flat_map(|f| f.byline_prefixes.iter().map(String::as_str))
        .collect();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let joiners = applied.name_joiners();
    let labelled_names = |t| labelled_names(t, &prefixes, &joiners, applied);
    let (mut byline, mut after) = labelled_names(t)?;
    byline.raw = t.to_string();
    // Each turn takes at least one part off `after`.
    while !after.trim().is_empty() {
        let part =
            after.trim_start_matches(|c: char| SEGMENT_ENDS.contains(&c) || c.is_whitespace());
        match labelled_names(part) {
            Some((more, next)) => {
                for a in more.authors {
                    push_unique(&mut byline.authors, &a);
                }
                for a in more.agencies {
                    push_unique(&mut byline.agencies, &a);
                }
                after = next;
            }
            None => after = part.split_once(SEGMENT_ENDS).map_or("", |(_, next)| next),
        }
    }
    Some(byline)
}

/// What ends one labelled part of a byline line: a bar, a bullet, asterisks.
const SEGMENT_ENDS: [char; 4] = ['|', '•', '·', '*'];

/// The names after a byline word at the start of `t`, and what follows the part they stand in.
/// `prefixes` are the byline words, longest first; `joiners` the words that join names.
fn labelled_names<'t>(
    t: &'t str,
    prefixes: &[&str],
    joiners: &[String],
    applied: &Applied,
) -> Option<(Byline, &'t str)> {
    for &prefix in prefixes {
        let Some(rest) = strip_prefix_ci(t, prefix) else {
            continue;
        };
        if !(prefix.ends_with([':', '：']) || rest.starts_with([' ', ':', '：'])) {
            continue;
        }
        let rest = rest.trim_start_matches([':', '：', ' ']);
        // "新华社记者 李明": an agency named in the opener credits it. `rest` is a suffix of `t`,
        // so the opener ends on a character boundary.
        let opener = t.get(..t.len() - rest.len()).unwrap_or("");
        // "Created by: Lena Vogt | 03/18/2024": names end at a bar or a bullet.
        let (rest, after) = rest.split_once(SEGMENT_ENDS).unwrap_or((rest, ""));
        // "Par Élodie Vasseur - 27 juin 2024 à 18:05": a spaced dash ends them too.
        let rest = [" - ", " – ", " — "]
            .iter()
            .fold(rest, |r, dash| r.split(dash).next().unwrap_or(r))
            .trim();
        let mut byline = Byline {
            raw: t.to_string(),
            ..Byline::default()
        };
        for a in applied.agencies.find_in(opener) {
            byline.agencies.extend(news_name(a));
        }
        // "Av Hanne Strand (NTB)": the names end at a bracket, an agency in it credits it.
        let (rest, bracketed) = match rest.split_once(['(', '（']) {
            Some((names, tail)) => (names.trim(), tail),
            None => (rest, ""),
        };
        for a in applied.agencies.find_in(bracketed) {
            byline.agencies.extend(news_name(a));
        }
        let parts = split_names(rest, joiners);
        for (k, part) in parts.iter().enumerate() {
            let Some(part) = person_part(part, applied) else {
                continue;
            };
            if let Some(a) = applied.agencies.lookup(part) {
                byline.agencies.extend(news_name(a));
            } else if looks_like_name(part, applied)
                && !place_after_name(part, byline.authors.last())
                && (!byline.authors.is_empty() || names_someone(part))
            {
                push_unique(&mut byline.authors, part);
            } else {
                // "Af Claire Dumas med AFP": a name, then a lower-case word before an agency.
                if let Some(name) = name_before_agency(part, applied)
                    && (!byline.authors.is_empty() || names_someone(name))
                {
                    push_unique(&mut byline.authors, name);
                }
                // "Von Katrin Oberländer, Frankfurt am Main": names end where a place begins;
                // an agency after them credits it ("…, mit Material von dpa", "…, con
                // información de EFE").
                for later in &parts[k..] {
                    for a in applied.agencies.find_in(later) {
                        for name in news_name(a) {
                            push_unique(&mut byline.agencies, &name);
                        }
                    }
                }
                break;
            }
        }
        if !byline.authors.is_empty() {
            return Some((byline, after));
        }
    }
    None
}

/// The name that opens `part` where a lower-case word and an agency follow it: "Claire Dumas
/// med AFP" → "Claire Dumas", "Gwenaëlle Le Bihan mit AFP" → "Gwenaëlle Le Bihan".
fn name_before_agency<'t>(part: &'t str, applied: &Applied) -> Option<&'t str> {
    let found = applied.agencies.find_in(part);
    let agency = found.first()?;
    let words: Vec<&str> = part.split_whitespace().collect();
    let cut = words.iter().position(|w| {
        w.chars().next().is_some_and(char::is_lowercase) && !applied.is_name_particle(w)
    })?;
    // What follows the lower-case word is the agency and nothing else.
    let tail = words[cut + 1..].join(" ");
    applied
        .agencies
        .lookup(&tail)
        .filter(|a| a.name == agency.name)?;
    let end = words[cut].as_ptr() as usize - part.as_ptr() as usize;
    let name = part.get(..end)?.trim();
    (cut > 0 && looks_like_name(name, applied)).then_some(name)
}

/// Whether the first name after a byline word can be a person: two words or more, capitals
/// throughout, or a script without case ("By JANE", "记者 王佳"), but not one capitalised word
/// ("From Monday, …").
fn names_someone(part: &str) -> bool {
    part.split_whitespace().count() >= 2 || !part.chars().any(char::is_lowercase)
}

/// A line that continues a byline: an agency or an employer ("Associated Press",
/// "Local Democracy Reporting Service"), short, no sentence punctuation.
pub fn byline_continuation(text: &str, applied: &Applied) -> Option<Vec<String>> {
    let t = text.trim();
    if t.chars().count() > 60 || t.split_whitespace().count() > 6 || super::ends_sentence(t) {
        return None;
    }
    if let Some(a) = applied.agencies.lookup(t) {
        return Some(news_name(a));
    }
    let capitalised = t
        .split_whitespace()
        .all(|w| w.chars().next().is_some_and(|c| !c.is_lowercase()) || w.len() <= 3);
    capitalised.then(Vec::new)
}

/// A signature line at the end of the copy.
pub fn find_signature(text: &str, applied: &Applied) -> Option<Byline> {
    let t = text.trim();
    if t.chars().count() > 200 {
        return None;
    }
    signature_shape(t, t, applied).or_else(|| {
        let inner = unwrap_signature(t, applied);
        (inner.len() < t.len()).then(|| signature_shape(inner, t, applied))?
    })
}

/// A signature's core without its wrapping: the brackets around it and a date after its last
/// comma ("(ritzau/mkn/jbo, 14.03.2025)" → "ritzau/mkn/jbo", "[abc/AFP, 3 March]" → "abc/AFP").
/// Shapes only: the patterns then say whether the core signs.
fn unwrap_signature<'t>(t: &'t str, applied: &Applied) -> &'t str {
    let mut core = t;
    if let Some(inner) = core
        .strip_prefix(['(', '[', '（'])
        .and_then(|c| c.strip_suffix([')', ']', '）']))
    {
        core = inner.trim();
    }
    if let Some((head, tail)) = core.rsplit_once([',', '，'])
        && tail.chars().any(char::is_numeric)
        && tail.chars().count() <= 24
        && (applied.rules.shapes().date.is_match(tail)
            || tail
                .split_whitespace()
                .any(|w| applied.is_month(&w.to_lowercase())))
    {
        core = head.trim();
    }
    core
}

/// The byline a signature pattern reads in `t` (the whole of it), with `raw` as its raw line.
fn signature_shape(t: &str, raw: &str, applied: &Applied) -> Option<Byline> {
    let joiners = applied.name_joiners();
    let input = LineInput::new(t, applied.agencies);
    for file in applied.files() {
        for re in &file.signatures {
            let Some(caps) = re.captures(&input) else {
                continue;
            };
            if caps
                .get(0)
                .is_none_or(|m| m.start() != 0 || m.end() != t.len())
            {
                continue;
            }
            let mut byline = Byline {
                raw: raw.to_string(),
                ..Byline::default()
            };
            if let Some(a) = caps.name("authors") {
                for name in split_names(a.as_str(), &joiners) {
                    // "mrc/dpa/Reuters": an agency among the initials is an agency.
                    match applied.agencies.lookup(name) {
                        Some(agency) => byline.agencies.extend(news_name(agency)),
                        None => push_unique(&mut byline.authors, name.trim()),
                    }
                }
            }
            if let Some(a) = caps.name("agency") {
                let tokens: Vec<String> = a
                    .as_str()
                    .split(['/', ',', '-', ' '])
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect();
                for name in news_only(applied.agencies, &tokens) {
                    push_unique(&mut byline.agencies, &name);
                }
                if byline.agencies.is_empty() {
                    byline.agencies = news_only(
                        applied.agencies,
                        &applied
                            .agencies
                            .find_in(a.as_str())
                            .iter()
                            .map(|x| x.name.clone())
                            .collect::<Vec<_>>(),
                    );
                }
            }
            if !byline.authors.is_empty() || !byline.agencies.is_empty() {
                return Some(byline);
            }
        }
    }
    None
}

/// Fewest words of a sentence a flash ends without a full stop before its agency.
const FLASH_MIN_WORDS: usize = 8;

/// An agency in parentheses (round or full-width) or between slashes glued to the end of the
/// last paragraph: "… weiter. (ANSA)", "… /ritzau/", "…としている。（共同）".
/// Returns the paragraph without it and the agency's canonical name.
pub fn cut_tail_agency(text: &str, applied: &Applied) -> Option<(String, Byline)> {
    let t = text.trim_end();
    // "… til at vente. /ritzau/", "… /БТА/": the agency between slashes.
    if let Some(inner_end) = t.strip_suffix('/')
        && let Some(open) = inner_end.rfind('/')
        && let Some(agency) = applied.agencies.lookup(&inner_end[open + 1..])
    {
        let head = t[..open].trim_end();
        if !head.is_empty() && super::ends_sentence(head) {
            return Some((
                head.to_string(),
                Byline {
                    raw: t[open..].to_string(),
                    authors: vec![],
                    agencies: news_name(agency),
                },
            ));
        }
    }
    let t = t
        .strip_suffix(['.', '。'])
        .filter(|x| x.ends_with([')', '）']))
        .unwrap_or(t);
    // "… bekannt (dpa)", "…検討するとしている。（共同）": round brackets, or the full-width
    // ones of Chinese and Japanese copy.
    let (inner_end, open_mark) = match t.strip_suffix(')') {
        Some(i) => (i, '('),
        None => (t.strip_suffix('）')?, '（'),
    };
    let open = inner_end.rfind(open_mark)?;
    let inner = inner_end[open + open_mark.len_utf8()..].trim_start_matches(['©', ' ']);
    let agency = applied.agencies.lookup(inner)?;
    let head = t[..open].trim_end();
    // A flash may end its one sentence without a full stop: "… war zunächst nichts bekannt
    // (dpa)". Words of a sentence stand before the agency; a name does not ("Jane Doe (AP)").
    let flash = head.split_whitespace().count() >= FLASH_MIN_WORDS
        && head.chars().next_back().is_some_and(char::is_alphanumeric);
    if head.is_empty() || !(super::ends_sentence(head) || flash) {
        return None;
    }
    let agencies = news_name(agency);
    Some((
        head.to_string(),
        Byline {
            raw: text.trim_end()[open..].to_string(),
            authors: vec![],
            agencies,
        },
    ))
}

/// A source attribution, alone or behind a timestamp: "Źródło: PAP",
/// "July 15, 2024, 2:31 p.m. Source: dpa Saxony".
pub fn find_source(text: &str, applied: &Applied) -> Option<Byline> {
    if let Some(b) = find_signature(text, applied) {
        return Some(b);
    }
    text.char_indices()
        .filter(|&(i, ch)| i > 0 && ch.is_alphabetic() && text[..i].ends_with(' '))
        .take(12)
        .filter(|&(i, _)| text[i..].contains([':', '：']))
        .find_map(|(i, _)| find_signature(&text[i..], applied).filter(|b| b.authors.is_empty()))
}

/// A short line naming a news agency and at most one other word (the newsroom): "Redacción
/// EFE", "Redazione ANSA", "Укрінформ".
pub fn agency_line(text: &str, applied: &Applied) -> Option<Byline> {
    let t = text.trim();
    let words = t.split_whitespace().count();
    if words > 4 || t.chars().count() > 50 || super::ends_sentence(t) {
        return None;
    }
    // "Petra Šimková": a name that opens with an agency's alias is a person.
    if applied.agencies.lookup(t).is_none() && super::two_word_name(t, applied) {
        return None;
    }
    let found = applied.agencies.find_in(t);
    let agencies = news_only(
        applied.agencies,
        &found.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
    );
    let agency = agencies.first()?;
    let lower = t.to_lowercase();
    let alias_words = found
        .iter()
        .flat_map(|a| std::iter::once(&a.name).chain(a.aliases.iter()))
        .filter(|alias| lower.contains(&alias.to_lowercase()))
        .map(|alias| alias.split_whitespace().count())
        .max()
        .unwrap_or(1);
    (words <= alias_words + 1).then(|| Byline {
        raw: t.to_string(),
        authors: vec![],
        agencies: vec![agency.clone()],
    })
}

/// Bylines in document order as one: their raw lines joined by a line break, the first one's
/// names and agencies as they are, each later one's added where not there yet. Linear in the
/// lines, however many (a run of signature lines can be long).
pub fn merge_all(lines: impl IntoIterator<Item = Byline>) -> Option<Byline> {
    let mut lines = lines.into_iter();
    let mut merged = lines.next()?;
    let mut seen_authors: std::collections::HashSet<String> =
        merged.authors.iter().cloned().collect();
    let mut seen_agencies: std::collections::HashSet<String> =
        merged.agencies.iter().cloned().collect();
    for line in lines {
        if !merged.raw.is_empty() && !line.raw.is_empty() {
            merged.raw.push('\n');
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lexicon::strings;

    fn with<T>(lang: &str, f: impl FnOnce(&Applied) -> T) -> T {
        f(&Applied::for_test(lang))
    }

    #[test]
    fn an_agency_after_the_names_credits_the_byline() {
        for (lang, line, authors, agencies) in [
            (
                "de",
                "Von Hanna Ostermann und Björn Tietjen, mit Material von dpa",
                &["Hanna Ostermann", "Björn Tietjen"][..],
                &["dpa"][..],
            ),
            (
                "es",
                "Por Camila Rojas y Tomás Fuentealba, con información de EFE",
                &["Camila Rojas", "Tomás Fuentealba"],
                &["EFE"],
            ),
            ("da", "Af Claire Dumas med AFP", &["Claire Dumas"], &["AFP"]),
            ("en", "By Lena Fox, Chicago", &["Lena Fox"], &[]),
        ] {
            let b = with(lang, |a| find_byline(line, a)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(b.authors, strings(authors), "{line}");
            assert_eq!(b.agencies, strings(agencies), "{line}");
        }
    }

    #[test]
    fn bylines() {
        let b = with("de", |a| {
            find_byline("Von Katrin Oberländer, Frankfurt am Main", a)
        })
        .unwrap();
        assert_eq!(b.authors, vec!["Katrin Oberländer"]);
        let b = with("en", |a| find_byline("By JANE DOE and Max Roe", a)).unwrap();
        assert_eq!(b.authors, vec!["JANE DOE", "Max Roe"]);
        assert!(
            with("en", |a| find_byline(
                "By the end of the day, the river had risen.",
                a
            ))
            .is_none()
        );
    }

    #[test]
    fn bylines_name_people_not_their_roles_places_or_weekdays() {
        let cases: [(&str, &str, &[&str], &[&str]); 13] = [
            ("ko", "글·사진 윤하람 기자", &["윤하람"], &[]),
            (
                "zh",
                "记者：吴佳宁 实习生 钱梓涵",
                &["吴佳宁", "钱梓涵"],
                &[],
            ),
            (
                "en",
                "By Daniel Oyelaran, Crime Reporter",
                &["Daniel Oyelaran"],
                &[],
            ),
            ("da", "Af Frederik Juul, Aalborg", &["Frederik Juul"], &[]),
            ("he", "מאת ליאת גבאי, נשר", &["ליאת גבאי"], &[]),
            ("sv", "Av Amra Hodžić, Köping", &["Amra Hodžić"], &[]),
            ("nb", "Av Hanne Strand (NTB)", &["Hanne Strand"], &["NTB"]),
            // Machine translations of "Von X" keep the preposition as it was.
            (
                "en",
                "From Miriam Kessler and Jonas Haupt",
                &["Miriam Kessler", "Jonas Haupt"],
                &[],
            ),
            ("fr", "De Tobias Wehrle", &["Tobias Wehrle"], &[]),
            // Labelled parts of one line, each naming its own.
            (
                "id",
                "Penulis: Aditya Pratama | Reporter: Sari Wulandari",
                &["Aditya Pratama", "Sari Wulandari"],
                &[],
            ),
            (
                "de",
                "Text: Merle Fischer | Fotos: Arne Köhler",
                &["Merle Fischer"],
                &[],
            ),
            (
                "fr",
                "Par Élodie Vasseur - 27 juin 2024 à 18:05",
                &["Élodie Vasseur"],
                &[],
            ),
            (
                "fa",
                "خبرنگار: مریم صادقی ** گزارش: حمید نوروزی",
                &["مریم صادقی", "حمید نوروزی"],
                &[],
            ),
        ];
        for (lang, line, authors, agencies) in cases {
            let b = with(lang, |a| find_byline(line, a)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(b.authors, authors.to_vec(), "{line}");
            assert_eq!(b.agencies, agencies.to_vec(), "{line}");
        }
        // One capitalised word after the byline word is no one yet: "From Monday, …".
        for (lang, line) in [
            ("en", "From Monday, the bridge is closed"),
            ("fr", "De Paris, notre envoyé"),
            ("nl", "Van Amsterdam"),
        ] {
            assert!(with(lang, |a| find_byline(line, a)).is_none(), "{line}");
        }
    }

    #[test]
    fn signatures_in_brackets_with_a_date_and_editors_after_the_agency() {
        let cases = [
            (
                "da",
                "(ritzau/mkn/jbo, 14.03.2025)",
                vec!["mkn", "jbo"],
                vec!["Ritzau"],
            ),
            ("de", "(vet/dpa, 3. März 2025)", vec!["vet"], vec!["dpa"]),
            ("fr", "[abc/AFP, 12/03/2025]", vec!["abc"], vec!["AFP"]),
            ("nl", "ANP jvh", vec!["jvh"], vec!["ANP"]),
            ("tr", "ESE/MKA", vec!["ESE", "MKA"], vec![]),
            ("pt", "(Lusa/acl, 14 de março)", vec!["acl"], vec!["Lusa"]),
            ("de", "(APA, mbe, 14.5.2024)", vec!["mbe"], vec!["APA"]),
            (
                "ar",
                "وام/خالد الزعابي/هدى المرزوقي",
                vec!["خالد الزعابي", "هدى المرزوقي"],
                vec!["WAM"],
            ),
        ];
        for (lang, line, authors, agencies) in cases {
            let b = with(lang, |a| find_signature(line, a)).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(b.authors, authors, "{line}");
            assert_eq!(b.agencies, agencies, "{line}");
            assert_eq!(b.raw, line);
        }
        // Not signatures: a dated sentence in brackets, a photo credit, acronyms in prose.
        for (lang, line) in [
            ("de", "(Die Sitzung endete am 14.03.2025)"),
            ("fr", "AFP photo"),
            ("en", "The EU/USA talks resume on Monday."),
            ("de", "Berlin/Brüssel"),
            ("en", "Read more/AFP"),
        ] {
            assert!(with(lang, |a| find_signature(line, a)).is_none(), "{line}");
        }
    }

    #[test]
    fn signatures() {
        let b = with("de", |a| find_signature("vet/dpa", a)).unwrap();
        assert_eq!(
            (b.authors, b.agencies),
            (vec!["vet".to_string()], vec!["dpa".to_string()])
        );
        let b = with("de", |a| find_signature("jbo/AFP/dpa", a)).unwrap();
        assert_eq!(b.agencies, vec!["AFP".to_string(), "dpa".to_string()]);
        assert!(with("de", |a| find_signature("Die Feuerwehr war da.", a)).is_none());
    }

    #[test]
    fn glued_agency_at_the_end() {
        let (text, b) = with("it", |a| cut_tail_agency("Il treno è ripartito. (ANSA)", a)).unwrap();
        assert_eq!(text, "Il treno è ripartito.");
        assert_eq!(b.agencies, vec!["ANSA".to_string()]);
        assert!(
            with("it", |a| cut_tail_agency(
                "Lo ha detto all'agenzia (ANSA)",
                a
            ))
            .is_none()
        );
    }

    #[test]
    fn a_flash_without_its_full_stop_and_full_width_brackets_give_the_agency_too() {
        for (lang, text, rest, agency) in [
            (
                "de",
                "Die Feuerwehr rief die Anwohner auf, Fenster und Türen geschlossen zu halten, über Verletzte war zunächst nichts bekannt (dpa)",
                "Die Feuerwehr rief die Anwohner auf, Fenster und Türen geschlossen zu halten, über Verletzte war zunächst nichts bekannt",
                "dpa",
            ),
            (
                "tr",
                "Muğla'nın Datça ilçesi açıklarında 4,6 büyüklüğünde deprem meydana geldi, can kaybı ya da yaralanma bildirilmedi (DHA)",
                "Muğla'nın Datça ilçesi açıklarında 4,6 büyüklüğünde deprem meydana geldi, can kaybı ya da yaralanma bildirilmedi",
                "DHA",
            ),
            (
                "ja",
                "国土交通省は補助の拡充を検討するとしている。（共同）",
                "国土交通省は補助の拡充を検討するとしている。",
                "Kyodo",
            ),
        ] {
            let (text, b) = with(lang, |a| cut_tail_agency(text, a)).unwrap();
            assert_eq!(text, rest);
            assert_eq!(b.agencies, vec![agency.to_string()]);
        }
        // A name, or a few words, before the agency: no sentence it ends.
        for text in ["Jane Doe (AP)", "Photo by Jane Doe (AP)"] {
            assert!(with("en", |a| cut_tail_agency(text, a)).is_none(), "{text}");
        }
    }
}
