//! Datelines: "Berlin (dpa) -", "MOSCOW, March 22 (Reuters) -", "(ANSA) - ROMA, 18 MAR -",
//! "КАЗАНЬ, 14 мая. /ТАСС/.", "新华社北京3月22日电". The shapes are rule-file patterns with
//! named groups `place`, `date` and `agency`; this module cuts the match off the first paragraph.

use super::{Applied, news_only};
use crate::engine::article::Dateline;
use crate::rules::LineInput;

/// A dateline found at the start of a paragraph, and what follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct DatelineMatch {
    pub dateline: Dateline,
    /// Reporters the dateline names ("新华社昆明5月14日电（记者 李明远）").
    pub authors: Vec<String>,
    /// The paragraph without its dateline.
    pub rest: String,
}

/// Finds a dateline at the very start of `text`.
pub fn find_dateline(text: &str, applied: &Applied) -> Option<DatelineMatch> {
    find_dateline_in(&LineInput::new(text, applied.agencies), applied)
}

/// [`find_dateline`] on a line the caller has already prepared (its masked form is shared).
pub fn find_dateline_in(input: &LineInput<'_>, applied: &Applied) -> Option<DatelineMatch> {
    let text = input.text();
    for file in applied.files() {
        for re in &file.datelines {
            let Some(caps) = re.captures(input) else {
                continue;
            };
            let Some(whole) = caps.get(0).filter(|m| m.start() == 0 && !m.is_empty()) else {
                continue;
            };
            let rest = text[whole.end()..].trim_start();
            // What follows a dateline starts a sentence (or nothing, for a dateline line).
            if let Some(c) = rest.chars().next()
                && c.is_lowercase()
            {
                continue;
            }
            let group = |name: &str| caps.name(name).map_or("", |m| m.as_str()).trim();
            let mut place = group("place")
                .trim_end_matches([',', '.', ':', ' '])
                .to_string();
            // "BREAKING:", "LIVE -": a known label is no place.
            if applied
                .match_line(&place)
                .is_some_and(|(m, _)| matches!(m, crate::rules::LineMatch::Line(_)))
            {
                continue;
            }
            let mut date = group("date").trim_end_matches([',', ' ']).to_string();
            // "DULUTH, Minn. (AP)": a date has a digit or a month; otherwise it is part of the place.
            if !date.is_empty() && !is_date(&date, applied) {
                place = format!("{place}, {date}");
                date.clear();
            }
            // "ROUEN, France, March 3": the parts before the date's first figure or month belong
            // to the place.
            while let Some((head, tail)) = date.split_once([',', '،'])
                && !is_date(head, applied)
                && is_date(tail, applied)
            {
                place = format!("{place}, {}", head.trim());
                date = tail.trim().to_string();
            }
            // "مسقط 14 أبريل نيسان", "Nysa, 12 marca 2026 r.": a place that runs into a date
            // ends where its first figure stands.
            if date.is_empty() {
                (place, date) = split_place_date(&place);
            }
            let agency_text = group("agency");
            let tokens: Vec<String> = agency_text
                .split(['/', ',', '-', '='])
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect();
            let mut agencies = news_only(applied.agencies, &tokens);
            if agencies.is_empty() && !agency_text.is_empty() {
                agencies = news_only(
                    applied.agencies,
                    &applied
                        .agencies
                        .find_in(agency_text)
                        .iter()
                        .map(|a| a.name.clone())
                        .collect::<Vec<_>>(),
                );
            }
            let mut authors = Vec::new();
            for group in ["authors", "authors2"] {
                if let Some(a) = caps.name(group) {
                    for name in super::split_names(a.as_str(), &applied.name_joiners()) {
                        if let Some(name) = super::person_part(name, applied) {
                            super::push_unique(&mut authors, name);
                        }
                    }
                }
            }
            return Some(DatelineMatch {
                authors,
                dateline: Dateline {
                    place,
                    date,
                    agencies,
                    raw: whole.as_str().trim().to_string(),
                },
                rest: rest.to_string(),
            });
        }
    }
    None
}

/// A place that runs into a date ends where its first figure stands: "مسقط 14 أبريل نيسان" →
/// ("مسقط", "14 أبريل نيسان"), "Nysa, 12 marca 2026 r" → ("Nysa", "12 marca 2026 r").
pub fn split_place_date(place: &str) -> (String, String) {
    let words: Vec<&str> = place.split_whitespace().collect();
    match words
        .iter()
        .position(|w| w.chars().next().is_some_and(char::is_numeric))
    {
        Some(at) if at > 0 => (
            words[..at]
                .join(" ")
                .trim_end_matches([',', '،', ' '])
                .to_string(),
            words[at..].join(" "),
        ),
        _ => (place.to_string(), String::new()),
    }
}

fn is_date(s: &str, applied: &Applied) -> bool {
    if s.chars().any(|c| c.is_numeric()) {
        return true;
    }
    let lower = s.to_lowercase();
    lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .any(|w| applied.is_month(w))
}

/// A dateline behind a label the page's text rendering glued to it: "Dalších 9 fotografií v
/// galeriiDOKSY - …", "Zobrazit všech 7 fotografií ›SUŠICE - …". A seam is a capital right
/// after a lower-case letter or a "›", "»", "|" within the first 80 characters, behind a label of
/// at most eight words that ends no sentence; the dateline must open what follows the seam.
/// The dateline, and where the seam is.
pub fn glued_dateline(text: &str, applied: &Applied) -> Option<(DatelineMatch, usize)> {
    let mut prev = ' ';
    for (at, c) in text.char_indices().take(80) {
        let seam = c.is_uppercase() && (prev.is_lowercase() || matches!(prev, '›' | '»' | '|'));
        prev = c;
        if !seam {
            continue;
        }
        let label = &text[..at];
        if label.split_whitespace().count() > 8 || super::ends_sentence(label.trim_end()) {
            return None;
        }
        if let Some(m) = find_dateline(&text[at..], applied) {
            return Some((m, at));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(lang: &str, text: &str) -> Option<(String, String, Vec<String>, String)> {
        let applied = Applied::for_test(lang);
        find_dateline(text, &applied).map(|m| {
            (
                m.dateline.place,
                m.dateline.date,
                m.dateline.agencies,
                m.rest,
            )
        })
    }

    use super::super::strings as s;

    /// Each (language, text, place, date, agencies) read as a dateline.
    fn assert_datelines(cases: &[(&str, &str, &str, &str, &[&str])]) {
        for (lang, text, place, date, agencies) in cases {
            let got = dl(lang, text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((got.0.as_str(), got.1.as_str()), (*place, *date), "{text}");
            assert_eq!(got.2, s(agencies), "{text}");
        }
    }

    #[test]
    fn the_place_ends_where_the_date_begins() {
        assert_datelines(&[
            (
                "en",
                "ROUEN, France, March 3 (Reuters) - Firefighters battled a blaze.",
                "ROUEN, France",
                "March 3",
                &["Reuters"][..],
            ),
            (
                "ar",
                "مسقط 14 أبريل نيسان (رويترز) - قالت الحكومة إن الميناء سيفتح.",
                "مسقط",
                "14 أبريل نيسان",
                &["Reuters"],
            ),
            (
                "uk",
                "ЧЕРНІГІВ. 13 березня. ІНТЕРФАКС-УКРАЇНА - Міст відкрили для руху.",
                "ЧЕРНІГІВ",
                "13 березня",
                &["Interfax-Ukraine"],
            ),
            (
                "hi",
                "पटना, 16 मार्च (वार्ता) बिहार सरकार ने पुल का उद्घाटन किया।",
                "पटना",
                "16 मार्च",
                &["UNI"],
            ),
        ]);
        assert_eq!(
            split_place_date("Nysa, 12 marca 2026 r"),
            ("Nysa".to_string(), "12 marca 2026 r".to_string())
        );
        assert_eq!(
            split_place_date("بوردو، ۱۴ مارس ۲۰۲۴"),
            ("بوردو".to_string(), "۱۴ مارس ۲۰۲۴".to_string())
        );
        assert_eq!(
            split_place_date("KASSEL"),
            ("KASSEL".to_string(), String::new())
        );
    }

    #[test]
    fn a_source_in_brackets_and_a_month_before_the_day() {
        assert_datelines(&[
            // A press release's publisher in brackets: the place, no agency.
            (
                "sv",
                "LULEÅ (Pressportalen) – Norrbottens Bryggeri AB öppnar ett nytt tapperi i maj.",
                "LULEÅ",
                "",
                &[][..],
            ),
            (
                "nb",
                "BODØ (Nyhetsrommet) – Saltens Verft AS har levert sin første elektriske ferge.",
                "BODØ",
                "",
                &[],
            ),
            (
                "de",
                "KÖLN (Presseportal) – Die Rheinwerft GmbH baut ein neues Lager am Hafen.",
                "KÖLN",
                "",
                &[],
            ),
            // Korean regional papers and press-release wires.
            (
                "ko",
                "【포항】포항시는 오는 20일부터 영일대 해수욕장에서 여름 축제를 연다.",
                "포항",
                "",
                &[],
            ),
            (
                "ko",
                "부산--(뉴스와이어) 2025년 03월 11일 -- 해양 스타트업 블루웨이브가 새 선박을 공개했다.",
                "부산",
                "2025년 03월 11일",
                &[],
            ),
            // ANSA's English service: the month before the day.
            (
                "en",
                "(ANSA) - BERGAMO, MARCH 12 - Two trains collided near the station on Tuesday.",
                "BERGAMO",
                "MARCH 12",
                &["ANSA"],
            ),
            (
                "en",
                "(ANSA) - ROME, JUNE 3, 2025 - The Senate approved the budget late on Monday.",
                "ROME",
                "JUNE 3, 2025",
                &["ANSA"],
            ),
        ]);
    }

    #[test]
    fn agency_datelines() {
        assert_eq!(
            dl("de", "Trier (dpa/lrs) - Der Wasserstand steigt."),
            Some((
                "Trier".into(),
                "".into(),
                s(&["dpa"]),
                "Der Wasserstand steigt.".into()
            ))
        );
        assert_eq!(
            dl("en", "MOSCOW, March 22 (Reuters) - Russia said."),
            Some((
                "MOSCOW".into(),
                "March 22".into(),
                s(&["Reuters"]),
                "Russia said.".into()
            ))
        );
        assert_eq!(
            dl("en", "DULUTH, Minn. (AP) — The U.S. Coast Guard resumed."),
            Some((
                "DULUTH, Minn.".into(),
                "".into(),
                s(&["AP"]),
                "The U.S. Coast Guard resumed.".into()
            ))
        );
        assert_eq!(
            dl("es", "Madrid, 22 mar (EFE).- El Gobierno aprobó."),
            Some((
                "Madrid".into(),
                "22 mar".into(),
                s(&["EFE"]),
                "El Gobierno aprobó.".into()
            ))
        );
    }

    /// A press release opens with its place and full date, closed by a colon or a dash, maybe
    /// with its sender in brackets: the place is the dateline's, no agency is credited.
    #[test]
    fn a_press_releases_place_and_date_are_its_dateline() {
        for (lang, text, place, date, rest) in [
            (
                "nb",
                "Båtsfjord, 4. mars 2024: Fiskemottaket åpner igjen.",
                "Båtsfjord",
                "4. mars 2024",
                "Fiskemottaket åpner igjen.",
            ),
            (
                "de",
                "Leipzig, 12. März 2024: Die Stadtwerke eröffnen ein neues Kraftwerk.",
                "Leipzig",
                "12. März 2024",
                "Die Stadtwerke eröffnen ein neues Kraftwerk.",
            ),
            (
                "pt",
                "Curitiba, 3 de outubro de 2024 (Conecta Press) – A fábrica inaugurou hoje a nova linha.",
                "Curitiba",
                "3 de outubro de 2024",
                "A fábrica inaugurou hoje a nova linha.",
            ),
            (
                "zh",
                "中国·厦门，2024年7月2日——鹭海新能源今日发布了新一代充电桩。",
                "中国·厦门",
                "2024年7月2日",
                "鹭海新能源今日发布了新一代充电桩。",
            ),
            (
                "ar",
                "دبي، الإمارات العربية المتحدة - 12 مارس 2024: أعلنت الشركة عن افتتاح مستودع جديد.",
                "دبي",
                "12 مارس 2024",
                "أعلنت الشركة عن افتتاح مستودع جديد.",
            ),
        ] {
            assert_eq!(
                dl(lang, text),
                Some((place.into(), date.into(), vec![], rest.into())),
                "{lang}: {text}"
            );
        }
        // A time, not a date: no year.
        assert_eq!(dl("de", "Berlin, 12 Uhr: Die Sitzung beginnt."), None);
    }

    /// Persian copy opens with the city and a dash glued to it, then the agency and a dash or a
    /// colon ("کرج- خبرگزاری مهر: …"), or the text at once (a local paper: "تبریز- مرمت …").
    #[test]
    fn persian_city_dash_datelines() {
        assert_eq!(
            dl(
                "fa",
                "کرج- خبرگزاری مهر: مدیرعامل شرکت آب منطقه‌ای البرز گفت."
            ),
            Some((
                "کرج".into(),
                "".into(),
                s(&["Mehr"]),
                "مدیرعامل شرکت آب منطقه‌ای البرز گفت.".into()
            ))
        );
        assert_eq!(
            dl("fa", "تبریز- مرمت تیمچه مظفریه پس از دو سال به پایان رسید."),
            Some((
                "تبریز".into(),
                "".into(),
                vec![],
                "مرمت تیمچه مظفریه پس از دو سال به پایان رسید.".into()
            ))
        );
    }

    /// Agencies joined by a hyphen share the dateline: TT prints the wire it took the story
    /// from behind its own name ("REYKJAVIK (TT-AFP) Ett nytt …", "Kiev (TT-Reuters) …"); dpa's
    /// financial service "dpa-AFX" credits dpa.
    #[test]
    fn agencies_joined_by_a_hyphen_credit_each() {
        assert_eq!(
            dl(
                "sv",
                "REYKJAVIK (TT-AFP) Ett nytt vulkanutbrott inleddes natten till lördagen."
            ),
            Some((
                "REYKJAVIK".into(),
                "".into(),
                s(&["TT", "AFP"]),
                "Ett nytt vulkanutbrott inleddes natten till lördagen.".into()
            ))
        );
        assert_eq!(
            dl("sv", "Kiev (TT-Reuters) - Flera explosioner hördes i natt."),
            Some((
                "Kiev".into(),
                "".into(),
                s(&["TT", "Reuters"]),
                "Flera explosioner hördes i natt.".into()
            ))
        );
        assert_eq!(
            dl("de", "Frankfurt (dpa-AFX) - Der Dax legte zu."),
            Some((
                "Frankfurt".into(),
                "".into(),
                s(&["dpa"]),
                "Der Dax legte zu.".into()
            ))
        );
    }

    #[test]
    fn place_only_datelines() {
        assert_eq!(
            dl("de", "München – Die meisten bayerischen Landräte halten."),
            Some((
                "München".into(),
                "".into(),
                vec![],
                "Die meisten bayerischen Landräte halten.".into()
            ))
        );
    }

    #[test]
    fn body_text_is_not_a_dateline() {
        assert_eq!(dl("en", "The agency (Reuters) said nothing."), None);
        assert_eq!(
            dl(
                "de",
                "Nach Angaben der Feuerwehr waren rund 120 Einsatzkräfte unterwegs."
            ),
            None
        );
    }
}
