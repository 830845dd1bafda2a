//! The same story in different layouts gives the same article: the role decoder reads where a
//! gallery, a byline or a run of related links stands, it does not expect them in one place.
//! Each story is written here (four languages, agency and web copy); each layout moves one
//! block of it, and the article's headline, paragraphs, captions with their credits and byline
//! authors must not change.

use copydesk::engine::{Article, BlockKind, Config, Input};
use copydesk::{Rules, normalize};

struct Story {
    name: &'static str,
    headline: &'static str,
    byline: &'static str,
    /// The first paragraph, opening with its dateline.
    lead: &'static str,
    paragraphs: &'static [&'static str],
    /// Caption and credit lines of one picture.
    gallery: [&'static str; 2],
    /// A label and the headlines under it.
    related: &'static [&'static str],
    footer: &'static str,
}

const STORIES: &[Story] = &[
    Story {
        name: "de",
        headline: "Neue Fähre für die Halligen soll im Frühjahr fahren",
        byline: "Von Jana Petersen",
        lead: "Husum (dpa/lno) - Die Halligen bekommen eine neue Fähre. Das Schiff soll ab April zwischen Schlüttsiel und den Inseln Hooge und Langeneß pendeln, teilte die Reederei am Dienstag mit.",
        paragraphs: &[
            "Die alte Fähre war seit mehr als vierzig Jahren im Einsatz. Zuletzt fiel sie im Winter mehrfach wegen Motorschäden aus, die Bewohner mussten tagelang auf Lieferungen warten.",
            "Das neue Schiff fährt mit einem Hybridantrieb und kann bei Niedrigwasser mehr Fahrgäste aufnehmen. Die Kosten von rund zwölf Millionen Euro trägt zum größten Teil das Land.",
        ],
        gallery: [
            "Die neue Fähre liegt zur Ausrüstung in einer Werft in Wolgast.",
            "Foto: Stefan Sauer/dpa",
        ],
        related: &[
            "Mehr zum Thema",
            "Sturmflut auf den Halligen: Landunter am Wochenende",
            "Hooge sucht einen neuen Arzt für die Inselpraxis",
        ],
        footer: "© dpa-infocom, dpa:241105-99-123456/2",
    },
    Story {
        name: "en",
        headline: "City council approves new bike lanes on Harbor Avenue",
        byline: "By Michael Turner",
        lead: "PORTLAND, Maine (AP) — The city council voted on Monday to build protected bike lanes along Harbor Avenue, ending a debate that had lasted more than two years.",
        paragraphs: &[
            "The plan removes about forty parking spaces and narrows two traffic lanes. Shop owners on the avenue had warned that fewer parking spots would keep customers away.",
            "Construction is expected to start in the spring and to cost about 3.2 million dollars, most of it paid by a state grant for safer streets.",
        ],
        gallery: [
            "Cyclists ride along Harbor Avenue in Portland on Monday.",
            "(AP Photo/Robert Bukaty)",
        ],
        related: &[
            "Related stories",
            "Portland weighs new fees for downtown parking garages",
            "State grant program for safer streets doubles in size",
        ],
        footer: "Copyright 2024 The Associated Press. All rights reserved.",
    },
    Story {
        name: "fr",
        headline: "La ville de Lyon ferme trois piscines pour travaux cet été",
        byline: "Par Claire Dumont",
        lead: "LYON, 12 mai 2024 (AFP) - La ville de Lyon va fermer trois de ses piscines municipales pendant l'été pour rénover leurs installations, a annoncé lundi la mairie.",
        paragraphs: &[
            "Les travaux doivent réduire la consommation d'énergie des bassins et remplacer des toitures vieilles de cinquante ans. Les autres piscines de la ville élargiront leurs horaires.",
            "Les associations de nageurs regrettent le calendrier choisi. Elles auraient préféré des travaux pendant l'hiver, quand les bassins sont moins fréquentés.",
        ],
        gallery: [
            "La piscine du Rhône, à Lyon, le 3 juillet 2023.",
            "Photo : Jean-Philippe Ksiazek/AFP",
        ],
        related: &[
            "Lire aussi",
            "Canicule : les piscines de Paris ouvrent plus tard le soir",
            "Le prix de l'énergie pèse sur les budgets des communes",
        ],
        footer: "© Agence France-Presse",
    },
    Story {
        name: "es",
        headline: "Valencia amplía el horario del metro durante las Fallas",
        byline: "Por Lucía Martínez",
        lead: "VALENCIA, 10 mar (EFE).- El metro de Valencia funcionará toda la noche durante los días grandes de las Fallas, según ha informado este domingo la Generalitat.",
        paragraphs: &[
            "La medida afecta a las cinco líneas de la red y se aplicará entre el 15 y el 19 de marzo. Los trenes circularán cada veinte minutos durante la madrugada.",
            "El año pasado el metro transportó a más de un millón de viajeros durante la semana fallera, una cifra que la empresa espera superar este año.",
        ],
        gallery: [
            "Viajeros en la estación de Colón de Valencia durante las Fallas de 2023.",
            "Foto: Kai Försterling/EFE",
        ],
        related: &[
            "Noticias relacionadas",
            "Las Fallas batirán récord de visitantes según los hoteleros",
            "Valencia prohíbe los petardos en las zonas escolares",
        ],
        footer: "© EFE 2024. Está expresamente prohibida la redistribución.",
    },
];

/// The lines of a story in one layout, each block a group of its own.
fn lay_out(s: &Story, layout: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    let gallery = s.gallery.join("\n");
    let related = s.related.join("\n");
    if layout == "gallery-on-top" {
        blocks.push(gallery.clone());
    }
    blocks.push(s.headline.to_string());
    match layout {
        // The gallery above the headline, as a page prints its lead picture.
        "gallery-on-top" => {
            blocks.push(s.byline.to_string());
            blocks.push(s.lead.to_string());
            blocks.extend(s.paragraphs.iter().map(|p| p.to_string()));
            blocks.push(related.clone());
        }
        // The gallery above the lead, between byline and dateline.
        "gallery-first" => {
            blocks.push(s.byline.to_string());
            blocks.push(gallery.clone());
            blocks.push(s.lead.to_string());
            blocks.extend(s.paragraphs.iter().map(|p| p.to_string()));
        }
        // The byline under the body.
        "byline-last" => {
            blocks.push(s.lead.to_string());
            blocks.push(gallery.clone());
            blocks.extend(s.paragraphs.iter().map(|p| p.to_string()));
            blocks.push(s.byline.to_string());
        }
        // Related links between two paragraphs.
        "related-inside" => {
            blocks.push(s.byline.to_string());
            blocks.push(s.lead.to_string());
            blocks.push(gallery.clone());
            blocks.push(s.paragraphs[0].to_string());
            blocks.push(related.clone());
            blocks.extend(s.paragraphs[1..].iter().map(|p| p.to_string()));
        }
        // A wire desk's transmission: a header of routing lines above the headline, every
        // paragraph hard-wrapped, the picture after the text.
        "wire-header" => {
            blocks.insert(
                0,
                format!(
                    "NEWSDESK · {}\n2026-03-12 14:52 | {} | 3 | 438",
                    s.name.to_uppercase(),
                    s.footer.split_whitespace().nth(1).unwrap_or(""),
                ),
            );
            blocks.push(s.byline.to_string());
            blocks.push(wrapped(s.lead));
            blocks.extend(s.paragraphs.iter().map(|p| wrapped(p)));
            blocks.push(gallery.clone());
        }
        // The reference layout: byline, lead, gallery, body, related links at the end.
        _ => {
            blocks.push(s.byline.to_string());
            blocks.push(s.lead.to_string());
            blocks.push(gallery.clone());
            blocks.extend(s.paragraphs.iter().map(|p| p.to_string()));
            blocks.push(related.clone());
        }
    }
    blocks.push(s.footer.to_string());
    blocks.join("\n\n") + "\n"
}

/// A paragraph hard-wrapped at 60 characters, as wire copy comes.
fn wrapped(p: &str) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for w in p.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + w.chars().count() >= 60 {
            lines.push(w.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(w);
        }
    }
    lines.join("\n")
}

/// What must not depend on the layout.
#[derive(Debug, PartialEq)]
struct Reading {
    headline: String,
    paragraphs: Vec<String>,
    captions: Vec<(String, Vec<String>)>,
    authors: Vec<String>,
    place: String,
}

fn reading(a: &Article) -> Reading {
    Reading {
        headline: a.headline.clone(),
        paragraphs: a
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Paragraph)
            .map(|b| b.text.clone())
            .collect(),
        captions: a
            .images
            .iter()
            .map(|i| (i.caption.clone(), i.credit.creators.clone()))
            .collect(),
        authors: authors(a),
        place: a
            .dateline
            .as_ref()
            .map(|d| d.place.clone())
            .unwrap_or_default(),
    }
}

/// Whether the article removed `text`, whole, as an artefact of `kind`.
fn removed_as(a: &Article, kind: copydesk::engine::ArtefactKind, text: &str) -> bool {
    a.removed.iter().any(|r| r.kind == kind && r.text == text)
}

/// Notes in `wrong` where the article's kicker or headline is not the one expected.
fn check_top(a: &Article, what: &str, kicker: &str, headline: &str, wrong: &mut Vec<String>) {
    if a.kicker != kicker || a.headline != headline {
        wrong.push(format!(
            "{what}: kicker {:?}, headline {:?}",
            a.kicker, a.headline
        ));
    }
}

/// The lines of `top`, then those of `body`, joined by `sep`.
fn joined(top: &[&str], body: &[&str], sep: &str) -> String {
    top.iter()
        .chain(body)
        .copied()
        .collect::<Vec<_>>()
        .join(sep)
}

/// The byline's authors, none where the article has no byline.
fn authors(a: &Article) -> Vec<String> {
    a.byline
        .as_ref()
        .map(|b| b.authors.clone())
        .unwrap_or_default()
}

fn article(text: &str, rules: &Rules) -> Article {
    normalize(&Input::text(text), rules, &Config::default()).expect("a story normalises")
}

#[test]
fn the_reference_layout_reads_as_written() {
    let rules = Rules::embedded().expect("rules");
    for s in STORIES {
        let r = reading(&article(&lay_out(s, "reference"), &rules));
        assert_eq!(r.headline, s.headline, "{}", s.name);
        assert_eq!(
            r.paragraphs.len(),
            1 + s.paragraphs.len(),
            "{}: {r:#?}",
            s.name
        );
        assert_eq!(r.captions.len(), 1, "{}: {r:#?}", s.name);
        assert_eq!(r.captions[0].0, s.gallery[0], "{}", s.name);
        assert_eq!(r.authors.len(), 1, "{}: {r:#?}", s.name);
        assert!(s.byline.ends_with(&r.authors[0]), "{}: {r:#?}", s.name);
        assert!(!r.place.is_empty(), "{}: no dateline {r:#?}", s.name);
    }
}

fn same_article_in(layout: &str) {
    let rules = Rules::embedded().expect("rules");
    let mut differ = Vec::new();
    for s in STORIES {
        let reference = reading(&article(&lay_out(s, "reference"), &rules));
        let moved = reading(&article(&lay_out(s, layout), &rules));
        if moved != reference {
            differ.push(format!("{}:\n{reference:#?}\n{moved:#?}", s.name));
        }
    }
    assert!(differ.is_empty(), "{layout}:\n{}", differ.join("\n"));
}

#[test]
fn a_gallery_above_the_dateline_changes_nothing() {
    same_article_in("gallery-first");
}

#[test]
fn a_gallery_above_the_headline_changes_nothing() {
    same_article_in("gallery-on-top");
}

#[test]
fn a_byline_under_the_body_changes_nothing() {
    same_article_in("byline-last");
}

#[test]
fn a_wire_header_and_hard_wrapped_paragraphs_change_nothing() {
    same_article_in("wire-header");
}

#[test]
fn related_links_between_paragraphs_change_nothing() {
    same_article_in("related-inside");
}

/// A wire photo's captions open with the same dateline as the story ("(강릉=연합뉴스) 박지훈 기자
/// = …"): the first of them is no lead, however long, and stays a caption.
#[test]
fn captions_that_repeat_the_dateline_are_no_lead() {
    let rules = Rules::embedded().expect("rules");
    let captions = [
        "(강릉=연합뉴스) 박지훈 기자 = 12일 오후 강원 강릉시 경포해변에서 열린 불꽃축제에서 형형색색의 불꽃이 밤하늘을 수놓고 있다. 2025.7.12 jhpark@yna.co.kr",
        "(강릉=연합뉴스) 박지훈 기자 = 경포호 주변 산책로를 찾은 시민들이 불꽃축제를 휴대전화로 촬영하고 있다. 2025.7.12 jhpark@yna.co.kr",
        "(강릉=연합뉴스) 박지훈 기자 = 축제가 끝난 뒤 경포해변 인근 도로가 귀가하는 차량으로 붐비고 있다. 2025.7.12 jhpark@yna.co.kr",
    ];
    let text = format!(
        "강원새소식\n뉴스 | 강릉 | 속초 | 포토\n경포 밤하늘 수놓은 불꽃 2만발…관광객 10만명 몰려\n입력 2025.07.13 09:10\n1 / 3\n{}\n2 / 3\n{}\n3 / 3\n{}\n이전   다음\n(강릉=연합뉴스) 박지훈 기자 = 강원 강릉 경포해변 밤하늘이 불꽃 2만발로 물들었다.\n강릉시는 12일 밤 경포해변 일대에서 여름 불꽃축제를 열었다고 13일 밝혔다. 불꽃은 약 30분 동안 바다 위 바지선 세 척에서 쏘아 올려졌다.\n관람객 수는 주최 측 추산 10만여명이다. 시는 다음 달 한 차례 더 축제를 열 계획이다.\n",
        captions[0], captions[1], captions[2]
    );
    let a = article(&text, &rules);
    let r = reading(&a);
    for c in captions {
        let said = c.split(" = ").nth(1).expect("a caption after its dateline");
        assert!(
            !r.paragraphs.iter().any(|p| p.contains(&said[..30])),
            "{said}: {r:#?}"
        );
    }
    assert!(
        r.paragraphs
            .iter()
            .any(|p| p.contains("불꽃축제를 열었다고")),
        "{r:#?}"
    );
}

/// A dateline on a line of its own between the page's head and the text (MENA's "<city> - أ ش
/// أ", Europa Press's "MADRID, 3 (EUROPA PRESS)", a portal running agency copy) is the story's
/// dateline: its place and agency are read, and the line is neither caption, headline nor text.
#[test]
fn a_dateline_on_its_own_line_is_the_dateline() {
    let rules = Rules::embedded().expect("rules");
    let cases = [
        (
            "الرئيسية > أخبار مصر",
            "افتتاح متحف جديد للحرف اليدوية في مدينة الأقصر الشهر المقبل",
            "الأربعاء 12 يونيو 2024 | 10:15 ص",
            "الأقصر - أ ش أ",
            "الأقصر",
            "MENA",
            [
                "أعلنت محافظة الأقصر عن افتتاح متحف جديد للحرف اليدوية التقليدية في المدينة خلال الشهر المقبل، ضمن خطة لدعم الصناعات المحلية.",
                "وقال مسؤول بالمحافظة إن المتحف سيضم أكثر من ألف قطعة من الفخار والنسيج والنحاس، وسيفتح أبوابه للزوار طوال أيام الأسبوع.",
            ],
        ),
        (
            "Portada > Sociedad",
            "El Ayuntamiento de Sevilla abrirá tres nuevas bibliotecas de barrio",
            "Publicado: miércoles, 12 junio 2024 10:15",
            "SEVILLA, 12 (EUROPA PRESS)",
            "SEVILLA",
            "Europa Press",
            [
                "El Ayuntamiento de Sevilla abrirá tres nuevas bibliotecas de barrio antes de que termine el año, según ha informado este miércoles la delegada de Cultura.",
                "Las nuevas salas tendrán horario de tarde y fines de semana, y ofrecerán talleres de lectura para niños y mayores durante todo el curso.",
            ],
        ),
        (
            "Startseite > Regionales",
            "Stadtbibliothek Kassel verlängert ihre Öffnungszeiten am Wochenende",
            "12.06.2024, 10:15 Uhr",
            "Kassel (dpa/lhe)",
            "Kassel",
            "dpa",
            [
                "Die Stadtbibliothek in Kassel öffnet vom kommenden Monat an auch am Sonntag. Das hat die Stadtverwaltung am Mittwoch mitgeteilt.",
                "Die längeren Öffnungszeiten sollen zunächst ein Jahr lang gelten. Danach will die Stadt entscheiden, ob sie das Angebot dauerhaft beibehält.",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for (menu, headline, stamp, line, place, agency, paragraphs) in cases {
        let text = [menu, headline, stamp, line, paragraphs[0], paragraphs[1]].join("\n\n");
        let a = article(&text, &rules);
        let r = reading(&a);
        let agencies = a
            .dateline
            .as_ref()
            .map(|d| d.agencies.clone())
            .unwrap_or_default();
        if r.place != place
            || agencies != [agency]
            || r.headline != headline
            || r.paragraphs != paragraphs
            || !r.captions.is_empty()
        {
            wrong.push(format!("{line}: {r:#?} {agencies:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A picture at the top of a page, its caption and a credit line naming an agency ("Image:
/// dpa", "Photo : AFP"), then the story: the credit is the picture's, and credits the agency.
#[test]
fn a_credit_line_under_a_caption_at_the_top_credits_the_picture() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, credit, agency) in [
        (&STORIES[0], "Bild: dpa", "dpa"),
        (&STORIES[1], "Image: AP", "AP"),
        (&STORIES[2], "Photo : AFP", "AFP"),
        (&STORIES[3], "Imagen: EFE", "EFE"),
    ] {
        let text = [
            s.gallery[0],
            credit,
            s.headline,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let credited: Vec<(String, Vec<String>)> = a
            .images
            .iter()
            .map(|i| (i.caption.clone(), i.credit.agencies.clone()))
            .collect();
        if credited != [(s.gallery[0].to_string(), vec![agency.to_string()])]
            || a.headline != s.headline
        {
            wrong.push(format!("{}: {credited:?} {:?}", s.name, a.headline));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A byline with its byline word in the time-stamp line under the headline ("Created by: Lena
/// Vogt | 03/18/2024, 07:12") and the editor's initials signing the end ("lev/dpa"): the
/// byline names both.
#[test]
fn an_opened_byline_under_the_headline_and_a_signature_are_one_byline() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, stamp, signature, want) in [
        (
            &STORIES[0],
            "Von Jana Petersen | 12.03.2024, 07:12 Uhr",
            "jpe/dpa",
            ["Jana Petersen", "jpe"],
        ),
        (
            &STORIES[1],
            "Created by: Michael Turner | 03/18/2024, 07:12 a.m.",
            "mt/AP",
            ["Michael Turner", "mt"],
        ),
        (
            &STORIES[2],
            "Par Claire Dumont | 12/03/2024 à 07h12",
            "cd/AFP",
            ["Claire Dumont", "cd"],
        ),
    ] {
        let text = [
            s.headline,
            stamp,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
            signature,
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let authors = reading(&a).authors;
        if authors != want {
            wrong.push(format!("{}: {authors:?}", s.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A live blog signs every post ("Posted by Kendra Polaski" over an update): the authors of the
/// posts inside the body join the byline under the headline, each once.
#[test]
fn the_authors_of_a_live_blogs_posts_join_its_byline() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, opener, times, want) in [
        (
            &STORIES[0],
            "Von",
            ["14.32 Uhr", "13.58 Uhr", "12.10 Uhr"],
            ["Jana Petersen", "Lars Hansen"],
        ),
        (
            &STORIES[1],
            "Posted by",
            ["2:32 p.m.", "1:58 p.m.", "12:10 p.m."],
            ["Kendra Polaski", "Michael Turner"],
        ),
        (
            &STORIES[2],
            "Par",
            ["14h32", "13h58", "12h10"],
            ["Claire Dumont", "Julien Marchal"],
        ),
    ] {
        let sign = |who: &str| format!("{opener} {who}");
        let text = [
            s.headline.to_string(),
            sign(want[0]),
            times[0].to_string(),
            s.lead.to_string(),
            times[1].to_string(),
            sign(want[1]),
            s.paragraphs[0].to_string(),
            times[2].to_string(),
            sign(want[0]),
            s.paragraphs[1].to_string(),
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let mut authors = reading(&a).authors;
        authors.sort();
        if authors != want {
            wrong.push(format!("{}: {authors:?}", s.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A portal prints other stories under a label at the end of the copy ("Mehr aus der Region",
/// "More from Business", "Más noticias:"): their leads open with their own agency datelines,
/// some with a time stamp glued to the place. They are removed, however much prose they carry,
/// and the story keeps its own paragraphs.
#[test]
fn other_stories_under_a_label_at_the_end_are_no_body() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, label, leads) in [
        (
            &STORIES[0],
            "Mehr aus der Region",
            [
                "Kiel (dpa/lno) - Auf der A7 bei Neumünster ist am Morgen ein Lastwagen umgekippt. Die Autobahn war in Richtung Norden für drei Stunden gesperrt.",
                "vor 12 MinutenFlensburg (dpa/lno) - Die Stadtwerke erhöhen zum Jahresbeginn die Preise für Fernwärme. Ein Haushalt zahlt im Schnitt 80 Euro mehr im Jahr.",
            ],
        ),
        (
            &STORIES[1],
            "More from Business",
            [
                "LONDON (Reuters) - British retail sales fell more than expected last month as heavy rain kept shoppers at home, official figures showed on Friday.",
                "12 minutes agoFRANKFURT (Reuters) - The European Central Bank is likely to hold interest rates steady next week, a majority of economists said in a poll.",
            ],
        ),
        (
            &STORIES[3],
            "Más noticias:",
            [
                "MADRID (EFE).- El Gobierno aprobó este martes el plan de empleo juvenil para los próximos tres años, con un presupuesto de 1.200 millones de euros.",
                "hace 34 minutosSEVILLA (EFE).- La ola de calor dejó temperaturas de hasta 44 grados en el valle del Guadalquivir, según la Agencia Estatal de Meteorología.",
            ],
        ),
    ] {
        let text = [
            s.headline,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
            label,
            leads[0],
            "34 min",
            leads[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        // The last words of a lead.
        let tail = |l: &str| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[words.len() - 5..].join(" ")
        };
        let paragraphs = reading(&a).paragraphs;
        if paragraphs.len() != 3 || leads.iter().any(|l| a.text.contains(&tail(l))) {
            wrong.push(format!("{}: {paragraphs:#?}", s.name));
        }
        let removed: String = a.removed.iter().map(|r| r.text.as_str()).collect();
        if !leads.iter().all(|l| removed.contains(&tail(l))) {
            wrong.push(format!("{}: the leads are not in removed", s.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A magazine sets a quote of the story large between its paragraphs: a paragraph that is one
/// quotation whose words a paragraph of the story says again is a pull quote, removed as a
/// duplicate; the story keeps the quote where the speaker is named. A quote said once stays.
#[test]
fn a_pull_quote_that_repeats_the_story_is_removed_and_the_story_keeps_it() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (lang, text, pulled, kept) in [
        (
            "en",
            "The last ferryman on the river\n\n\
             For forty years Tom Reilly has carried passengers across the river in his small wooden boat, in summer and in winter, whatever the weather.\n\n\
             \u{201c}The river never asks you if you are ready, it just takes you.\u{201d}\n\n\
             \u{201c}The river never asks you if you are ready, it just takes you,\u{201d} he says, pushing off from the jetty on a grey morning.\n\n\
             \u{201c}I am tired\u{201d}\n\n\
             He plans to retire next spring, and the council has not yet found anyone to take over the crossing, which is used by about sixty people a day.",
            "The river never asks you if you are ready",
            "\u{201c}I am tired\u{201d}",
        ),
        (
            "ro",
            "Ultima moară de apă din Rudăria\n\n\
             Ion Bălan are 74 de ani și macină încă grâu pentru vecini în moara pe care a moștenit-o de la bunicul său, pe pârâul care trece prin sat.\n\n\
             „Cine nu-și știa ziua la moară nu era om gospodar.”\n\n\
             „Cine nu-și știa ziua la moară nu era om gospodar”, spune Bălan, arătând spre roata de lemn pe care a reparat-o anul trecut.\n\n\
             Din cele 22 de mori care funcționau în secolul trecut au mai rămas opt, iar voluntarii le repară în fiecare vară.",
            "Cine nu-și știa ziua la moară",
            "Din cele 22 de mori",
        ),
        (
            "de",
            "Der letzte Fährmann an der Weser\n\n\
             Seit vierzig Jahren bringt Heinz Kröger Fahrgäste mit seiner kleinen Fähre über die Weser, im Sommer wie im Winter, bei jedem Wetter.\n\n\
             „Die Weser fragt dich nicht, ob du bereit bist.“\n\n\
             Am Ufer erzählt er von Hochwassern und Stürmen. „Die Weser fragt dich nicht, ob du bereit bist“, sagt Kröger und stößt die Fähre vom Steg ab.\n\n\
             „Ich habe jeden Winter gedacht, das war der letzte, und dann kam doch wieder ein Frühling.“\n\n\
             Im Frühjahr will er aufhören. Einen Nachfolger hat die Gemeinde noch nicht gefunden.",
            "Die Weser fragt dich nicht",
            "„Ich habe jeden Winter gedacht, das war der letzte",
        ),
    ] {
        let a = article(text, &rules);
        let said: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
        if !pulled.is_empty() {
            let times = said.iter().filter(|t| t.contains(pulled)).count();
            if times != 1 || !a.removed.iter().any(|r| r.text.contains(pulled)) {
                wrong.push(format!("{lang}: said {times} times: {said:#?}"));
            }
        }
        if !said.iter().any(|t| t.contains(kept)) {
            wrong.push(format!("{lang}: {kept:?} left: {said:#?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An ad slot that has not loaded prints a sentence in its place ("This advertisement has not
/// loaded yet, but your article continues below."): it is removed as an advertisement wherever it
/// stands, in every language the rule files give it, and the paragraphs around it stay.
#[test]
fn an_ad_slot_that_has_not_loaded_is_no_paragraph() {
    use copydesk::engine::ArtefactKind;
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (lang, headline, before, slot, after) in [
        (
            "en",
            "Volunteers find a safe in the canal lock",
            "Volunteers draining the lock on Saturday found a small safe among the shopping trolleys, the canal trust said on Monday.",
            "This advertisement has not loaded yet, but your article continues below.",
            "The safe was empty, but the volunteers handed it to the police in case it had been stolen.",
        ),
        (
            "tr",
            "Limanda yangın: iki tekne kül oldu",
            "Limanda gece saatlerinde çıkan yangında iki balıkçı teknesi tamamen yandı, itfaiye ekipleri yangını bir saatte söndürdü.",
            "Bu reklam henüz yüklenmedi.",
            "Yangının çıkış nedeni henüz bilinmiyor, polis olayla ilgili soruşturma başlattı.",
        ),
        (
            "pt",
            "Pane no metrô deixa passageiros presos no túnel",
            "Uma pane elétrica deixou cerca de duzentos passageiros presos por quarenta minutos dentro de um trem do metrô na manhã desta terça-feira.",
            "Este anúncio ainda não carregou.",
            "Segundo a companhia, a circulação foi normalizada às nove horas e ninguém ficou ferido.",
        ),
        (
            "ro",
            "Trenul electric ajunge la Timișoara din toamnă",
            "Primele trenuri electrice noi vor circula între Timișoara și Arad din luna octombrie, a anunțat luni ministrul Transporturilor.",
            "Această reclamă nu s-a încărcat încă.",
            "Garniturile au fost cumpărate cu fonduri europene și pot transporta câte 300 de călători.",
        ),
        (
            "de",
            "Neue Fähre für die Halligen",
            "Die Halligen bekommen eine neue Fähre, teilte die Reederei am Dienstag mit. Das Schiff soll ab April pendeln.",
            "Diese Anzeige wurde noch nicht geladen.",
            "Die alte Fähre war mehr als vierzig Jahre im Einsatz und wird an einen Verein verkauft.",
        ),
    ] {
        let text = [headline, before, slot, after].join("\n\n");
        let a = article(&text, &rules);
        let paragraphs = reading(&a).paragraphs;
        if paragraphs != [before, after] {
            wrong.push(format!("{lang}: {paragraphs:#?}"));
        }
        if !removed_as(&a, ArtefactKind::Advertisement, slot) {
            wrong.push(format!(
                "{lang}: {slot:?} not removed as an ad: {:#?}",
                a.removed
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A flash says the story will be updated ("Depesza będzie aktualizowana.", "ČTK zprávu
/// doplní.", "続報があり次第、お伝えします。"): the note is removed as a breaking marker and the
/// flash keeps its text.
#[test]
fn a_note_that_the_story_will_be_updated_is_no_paragraph() {
    use copydesk::engine::ArtefactKind;
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (lang, headline, lead, note) in [
        (
            "pl",
            "Wybuch gazu w kamienicy w Łodzi",
            "Łódź (PAP) - W kamienicy przy ulicy Piotrkowskiej w Łodzi doszło w poniedziałek rano do wybuchu gazu. Strażacy ewakuowali trzydzieści osób.",
            "Depesza będzie aktualizowana.",
        ),
        (
            "cs",
            "Vlak u Přelouče srazil auto na přejezdu",
            "Přelouč (ČTK) - Osobní vlak u Přelouče na Pardubicku dnes ráno srazil na železničním přejezdu osobní auto. Řidič utrpěl vážná zranění.",
            "ČTK zprávu doplní.",
        ),
        (
            "ja",
            "北海道で震度5弱",
            "【札幌共同】１４日午前６時ごろ、北海道東部を震源とする地震があり、釧路市で震度５弱を観測した。津波の心配はないという。",
            "続報があり次第、お伝えします。",
        ),
        (
            "de",
            "Großbrand in Chemiepark",
            "Marl (dpa) - Im Chemiepark Marl ist am Morgen ein Großbrand ausgebrochen. Die Feuerwehr ist mit einem Großaufgebot im Einsatz, Anwohner sollen Fenster und Türen geschlossen halten.",
            "Die Meldung wird aktualisiert.",
        ),
        (
            "en",
            "Bank of Japan raises rates",
            "TOKYO (Reuters) - The Bank of Japan raised interest rates on Tuesday for the first time in 17 years, ending the world's last negative rate policy.",
            "This story will be updated.",
        ),
    ] {
        let text = [headline, lead, note].join("\n\n");
        let a = article(&text, &rules);
        if a.text.contains(note) || a.text.is_empty() {
            wrong.push(format!("{lang}: {:?}", a.text));
        }
        if !removed_as(&a, ArtefactKind::BreakingMarker, note) {
            wrong.push(format!("{lang}: {note:?} not removed: {:#?}", a.removed));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A consent box above the headline ends with its buttons ("Configurar", "Einstellungen"): a
/// button is no kicker, whatever stands right under it.
#[test]
fn a_consent_button_above_the_headline_is_no_kicker() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, notice, buttons) in [
        (
            &STORIES[3],
            "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y mostrarle publicidad relacionada con sus preferencias.",
            ["Aceptar", "Configurar"],
        ),
        (
            &STORIES[0],
            "Wir verwenden Cookies, um Ihnen ein optimales Webseiten-Erlebnis zu bieten und unsere Inhalte zu verbessern.",
            ["Alle akzeptieren", "Einstellungen"],
        ),
        (
            &STORIES[1],
            "We use cookies to improve your experience on our site and to show you relevant advertising.",
            ["Accept all", "Manage preferences"],
        ),
    ] {
        let text = [
            notice,
            buttons[0],
            buttons[1],
            s.headline,
            s.byline,
            s.gallery[0],
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        check_top(&a, s.name, "", s.headline, &mut wrong);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A crosshead right under an ad marker or under a teaser that carries its own headline, right
/// above a paragraph of the story, is the story's subheading: the interruption is the page's,
/// not the heading's ("Anzeige" / "Schiffsverkehr eingestellt" / paragraph).
#[test]
fn a_crosshead_under_an_ad_marker_or_a_teaser_is_a_subheading() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, ad, teaser, crosshead) in [
        (
            &STORIES[0],
            "Anzeige",
            "Lesen Sie auch: Sturmflut auf den Halligen – Landunter am Wochenende",
            "Die alte Fähre fiel oft aus",
        ),
        (
            &STORIES[1],
            "Advertisement",
            "Read more: Portland weighs new fees for downtown parking garages",
            "Parking spaces will go",
        ),
        (
            &STORIES[2],
            "Publicité",
            "Lire aussi : Canicule, les piscines de Paris ouvrent plus tard le soir",
            "Des toitures vieilles de cinquante ans",
        ),
        (
            &STORIES[3],
            "Publicidad",
            "Lee también: Las Fallas batirán récord de visitantes según los hoteleros",
            "Trenes cada veinte minutos",
        ),
    ] {
        for interruption in [vec![ad], vec![teaser], vec![teaser, ad]] {
            let text = [s.headline, s.byline, s.lead, s.paragraphs[0]]
                .into_iter()
                .chain(interruption.iter().copied())
                .chain([crosshead, s.paragraphs[1], s.footer])
                .collect::<Vec<_>>()
                .join("\n\n");
            let a = article(&text, &rules);
            let subheadings: Vec<&str> = a
                .blocks
                .iter()
                .filter(|b| b.kind == BlockKind::Subheading)
                .map(|b| b.text.as_str())
                .collect();
            let paragraphs = a
                .blocks
                .iter()
                .filter(|b| b.kind == BlockKind::Paragraph)
                .count();
            if subheadings != [crosshead] || paragraphs != 3 {
                wrong.push(format!(
                    "{} under {interruption:?}: subheadings {subheadings:?}, {paragraphs} paragraphs",
                    s.name
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A label that announces the lines under it is no interruption of the story: the headlines
/// under "Mehr zum Thema" are its list, not the story's subheadings.
#[test]
fn a_teaser_headline_under_its_label_is_no_crosshead() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for s in STORIES {
        let text = [
            s.headline,
            s.byline,
            s.lead,
            s.related[0],
            s.related[1],
            s.paragraphs[0],
            s.paragraphs[1],
            s.footer,
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        if a.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Subheading || b.text == s.related[1])
        {
            wrong.push(format!("{}: {:?}", s.name, a.blocks));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A list the text announces, its bullets lost in a page's text rendering: the items are short
/// lines without a full stop, one under the other, under a sentence ending with a colon. They
/// are the article's text, not a menu or a run of teasers.
#[test]
fn the_items_of_an_announced_bulleted_list_are_the_article() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, announcement, items) in [
        (
            &STORIES[0],
            "Für die Bewohner der Halligen ändert sich mit der neuen Fähre einiges:",
            [
                "mehr Platz für Fahrgäste und Lieferungen",
                "Fahrten auch bei Niedrigwasser",
                "ein leiser Antrieb statt des alten Diesels",
            ],
        ),
        (
            &STORIES[1],
            "Under the plan approved by the council, the avenue will get these changes:",
            [
                "protected bike lanes on both sides of the avenue",
                "about forty fewer parking spaces for shop customers",
                "two narrower traffic lanes between the bridges",
            ],
        ),
        (
            &STORIES[3],
            "Durante las Fallas el metro de Valencia ofrecerá a los viajeros estas novedades:",
            [
                "trenes cada veinte minutos durante la madrugada",
                "servicio en las cinco líneas de la red",
                "refuerzo de personal en la estación de Colón",
            ],
        ),
    ] {
        let text = format!(
            "{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}\n\n{}",
            s.headline,
            s.byline,
            s.lead,
            s.paragraphs[0],
            announcement,
            items.join("\n"),
            s.paragraphs[1],
        );
        let r = reading(&article(&text, &rules));
        let missing: Vec<&str> = items
            .iter()
            .copied()
            .filter(|i| !r.paragraphs.iter().any(|p| p.contains(i)))
            .collect();
        if !missing.is_empty() {
            wrong.push(format!(
                "{}: missing {missing:?} in {:#?}",
                s.name, r.paragraphs
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A kicker stands right over its headline: a few words without a full stop whose words the
/// story's text uses ("Neue Halligfähre", "Piscines de Lyon"). It is the story's, not the
/// page's, wherever the top matter puts it: first line of the copy, under a picture with its
/// credit, under the site's section menu. A section name that the story does not use
/// ("Panorama", "Local news") is the page's furniture and no kicker.
#[test]
fn a_line_on_the_story_over_its_headline_is_the_kicker() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, kicker, section) in [
        (&STORIES[0], "Fähre für die Halligen", "Panorama"),
        (&STORIES[1], "Bike lanes in Portland", "Local news"),
        (&STORIES[2], "Piscines de Lyon", "Faits divers"),
        (&STORIES[3], "Metro de Valencia", "Comunidad Valenciana"),
    ] {
        let body = [s.byline, s.lead, s.paragraphs[0], s.paragraphs[1]];
        let layouts: [(&str, Vec<&str>); 3] = [
            ("first line", vec![kicker, s.headline]),
            (
                "under a picture",
                vec![s.gallery[0], s.gallery[1], kicker, s.headline],
            ),
            ("under the section", vec![section, kicker, s.headline]),
        ];
        for (layout, top) in layouts {
            let a = article(&joined(&top, &body, "\n\n"), &rules);
            let what = format!("{} ({layout})", s.name);
            check_top(&a, &what, kicker, s.headline, &mut wrong);
        }
        let a = article(&joined(&[section, s.headline], &body, "\n\n"), &rules);
        let what = format!("{} (section only)", s.name);
        check_top(&a, &what, "", s.headline, &mut wrong);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Not every short line over a title is a kicker: the site's masthead over its menu (a name,
/// the menu no title of the story), and the first line of a headline wrapped in two (the
/// second goes on in lower case) are none.
#[test]
fn a_masthead_or_the_first_line_of_a_wrapped_headline_is_no_kicker() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, top) in [
        (
            &STORIES[1],
            vec![
                "Portland Courier",
                "News Sports Opinion Weather Obituaries",
                STORIES[1].headline,
            ],
        ),
        (
            &STORIES[1],
            vec![
                "City council approves new",
                "bike lanes on Harbor Avenue in Portland",
            ],
        ),
        (
            &STORIES[3],
            vec![
                "Valencia amplía el horario",
                "del metro durante las Fallas de este año",
            ],
        ),
    ] {
        let body = [s.byline, s.lead, s.paragraphs[0], s.paragraphs[1]];
        let a = article(&joined(&top, &body, "\n"), &rules);
        if !a.kicker.is_empty() {
            wrong.push(format!("{}: kicker {:?}", s.name, a.kicker));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A picture at the top of the copy: the page's label for it ("Enlarge image", "Bild
/// vergrößern"), its caption and its credit line. The caption is a line without a full stop,
/// as a headline is; under the label and over the credit it is the picture's caption, whether
/// the copy has a headline of its own or none.
#[test]
fn a_line_between_a_pictures_label_and_its_credit_is_its_caption() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, label, caption) in [
        (
            &STORIES[0],
            "Bild vergrößern",
            "Die neue Fähre in der Werft von Wolgast",
        ),
        (
            &STORIES[1],
            "Enlarge image",
            "Cyclists on Harbor Avenue in Portland",
        ),
        (
            &STORIES[2],
            "Agrandir l'image",
            "La piscine du Rhône à Lyon",
        ),
        (
            &STORIES[3],
            "Ampliar imagen",
            "Viajeros en la estación de Colón",
        ),
    ] {
        for headline in [None, Some(s.headline)] {
            let text = headline
                .into_iter()
                .chain([label, caption, s.gallery[1], s.lead])
                .chain(s.paragraphs.iter().copied())
                .collect::<Vec<_>>()
                .join("\n\n");
            let a = article(&text, &rules);
            let captions: Vec<&str> = a.images.iter().map(|i| i.caption.as_str()).collect();
            if captions != [caption] || a.headline != headline.unwrap_or_default() {
                wrong.push(format!(
                    "{} (headline {}): captions {captions:?}, headline {:?}",
                    s.name,
                    headline.is_some(),
                    a.headline
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A byline opener with its names and the time stamp of the story ("Par Élodie Vasseur - 27
/// juin 2024 à 18:05 | mis à jour …") signs the story wherever it stands, under the lead too:
/// it credits no picture, whatever the lines around it look like.
#[test]
fn a_dated_byline_under_the_lead_signs_the_story_and_credits_no_picture() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, line, author) in [
        (
            &STORIES[2],
            "Par Claire Dumont - 12 mai 2024 à 18:05 | mis à jour le 13 mai 2024 à 08:12",
            "Claire Dumont",
        ),
        (
            &STORIES[0],
            "Von Jana Petersen - 5. November 2024 um 18:05 | aktualisiert am 6. November 2024",
            "Jana Petersen",
        ),
        (
            &STORIES[1],
            "By Michael Turner - May 12, 2024 at 6:05 p.m. | updated May 13, 2024",
            "Michael Turner",
        ),
        (
            &STORIES[3],
            "Por Lucía Martínez - 10 de marzo de 2024 a las 18:05 | actualizado el 11 de marzo",
            "Lucía Martínez",
        ),
    ] {
        let text = [
            s.headline,
            s.lead,
            line,
            "Facebook X WhatsApp",
            s.paragraphs[0],
            s.paragraphs[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let authors = authors(&a);
        if authors != [author] || !a.images.is_empty() {
            wrong.push(format!(
                "{}: authors {authors:?}, images {:?}",
                s.name, a.images
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_name_with_a_reporters_trade_over_or_under_the_text_signs_the_story_not_inside_it() {
    let rules = Rules::embedded().expect("rules");
    // (language, headline, paragraphs, the reporter's line, the name in it)
    let he = [
        "עיריית חיפה הודיעה השבוע כי הספריות השכונתיות יפתחו גם בשעות הערב, החל מהחודש הבא. ההחלטה התקבלה לאחר סקר שערכה העירייה בקרב התושבים.",
        "לדברי ראש אגף התרבות, התוספת תעלה כמיליון שקלים בשנה ותמומן מתקציב העירייה. בספריות יתקיימו גם חוגי קריאה לילדים ולמבוגרים.",
    ];
    let fa = [
        "شهرداری شیراز اعلام کرد کتابخانه‌های محله‌ای از ماه آینده تا ساعت ده شب باز خواهند بود. این تصمیم پس از نظرسنجی از شهروندان گرفته شد.",
        "به گفته معاون فرهنگی شهرداری، هزینه این طرح سالانه حدود دو میلیارد تومان است و از بودجه شهرداری تأمین می‌شود.",
    ];
    let cases: Vec<(&str, &str, Vec<&str>, &str, &str)> = vec![
        (
            "he",
            "העירייה תרחיב את שעות הפעילות של הספריות בשכונות",
            he.to_vec(),
            "נועה לוי, כתבת לענייני חינוך",
            "נועה לוי",
        ),
        (
            "fa",
            "شهرداری ساعت کار کتابخانه‌های محله‌ای را افزایش می‌دهد",
            fa.to_vec(),
            "سارا احمدی، خبرنگار حوزه شهری",
            "سارا احمدی",
        ),
        (
            "en",
            STORIES[1].headline,
            STORIES[1].paragraphs.to_vec(),
            "Emily Carter, transport correspondent",
            "Emily Carter",
        ),
        (
            "de",
            STORIES[0].headline,
            STORIES[0].paragraphs.to_vec(),
            "Jana Petersen, Korrespondentin in Kiel",
            "Jana Petersen",
        ),
        (
            "fr",
            STORIES[2].headline,
            STORIES[2].paragraphs.to_vec(),
            "Claire Dumont, correspondante à Lyon",
            "Claire Dumont",
        ),
        (
            "es",
            STORIES[3].headline,
            STORIES[3].paragraphs.to_vec(),
            "Lucía Martínez, corresponsal en Sevilla",
            "Lucía Martínez",
        ),
    ];
    let mut wrong = Vec::new();
    for (name, headline, paragraphs, line, author) in &cases {
        // Over the text between the headline and a time stamp, or under the text over a footer.
        let over = [
            vec![*headline, *line, "12.03.2024 | 10:15"],
            paragraphs.clone(),
        ]
        .concat();
        let under = [
            vec![*headline],
            paragraphs.clone(),
            vec![*line, "© 2024 Media Group"],
        ]
        .concat();
        for (layout, lines) in [("over", over), ("under", under)] {
            let a = article(&lines.join("\n\n"), &rules);
            let authors = authors(&a);
            if authors != [*author] || a.text.contains(line) {
                wrong.push(format!("{name} {layout}: authors {authors:?}"));
            }
        }
        // Inside the text, between paragraphs, the line heads a box of the story: no byline.
        let inside = [vec![*headline, paragraphs[0], *line], paragraphs.clone()].concat();
        let a = article(&inside.join("\n\n"), &rules);
        if a.byline.is_some() {
            wrong.push(format!("{name} inside: byline {:?}", a.byline));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_photographers_bare_name_under_a_sentence_credits_it_as_a_picture() {
    let rules = Rules::embedded().expect("rules");
    // (story, credit line naming the photographer, photographer, caption)
    let cases = [
        (
            &STORIES[3],
            "Fotografía: Irene Castañar",
            "Irene Castañar",
            "Un ciclista recorre el nuevo carril de la avenida del puerto al amanecer.",
        ),
        (
            &STORIES[0],
            "Fotos: Sandra Kieß",
            "Sandra Kieß",
            "Die Fähre liegt am Anleger in Schlüttsiel und wartet auf die ersten Fahrgäste.",
        ),
        (
            &STORIES[1],
            "Photos: Robert Bukaty",
            "Robert Bukaty",
            "A cyclist rides along Harbor Avenue in Portland early on Monday morning.",
        ),
        (
            &STORIES[2],
            "Photos : Hugo Brunel",
            "Hugo Brunel",
            "Un cycliste emprunte la nouvelle piste le long des quais au lever du jour.",
        ),
    ];
    let mut wrong = Vec::new();
    for (s, credit_line, photographer, caption) in cases {
        let text = [
            s.headline,
            s.byline,
            credit_line,
            caption,
            photographer,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let pictured = a
            .images
            .iter()
            .any(|i| i.caption == caption && i.credit.creators == [photographer]);
        if !pictured || a.text.contains(caption) || a.headline != s.headline {
            wrong.push(format!(
                "{}: {:?}, images {:?}",
                s.name, a.headline, a.images
            ));
        }
        // Under the last paragraph the same name signs the text: no picture.
        let signed = [
            s.headline,
            s.byline,
            credit_line,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
            photographer,
        ]
        .join("\n\n");
        let a = article(&signed, &rules);
        if a.images.iter().any(|i| i.caption == s.paragraphs[1]) {
            wrong.push(format!("{} signed: images {:?}", s.name, a.images));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_name_with_its_code_in_brackets_under_the_text_signs_it() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (s, line, author) in [
        (&STORIES[0], "Tanja Hüther (thü)", "Tanja Hüther"),
        (&STORIES[2], "Jean-Luc Prost (CLP)", "Jean-Luc Prost"),
        (&STORIES[1], "Michael Turner (mt)", "Michael Turner"),
        (&STORIES[3], "Lucía Martínez (LM)", "Lucía Martínez"),
    ] {
        let text = [
            s.headline,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
            s.gallery[0],
            s.gallery[1],
            line,
            s.footer,
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let authors = authors(&a);
        if !authors.iter().any(|x| x == author) || a.text.contains(line) {
            wrong.push(format!("{}: authors {authors:?}", s.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_credit_line_over_a_labelled_caption_credits_that_picture() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    // BBC pages in their languages: the credit, then the caption, each behind its label.
    for (s, credit, caption, agency) in [
        (
            &STORIES[1],
            "Image source, Getty Images",
            "Image caption, Cyclists ride along Harbor Avenue on Monday",
            "Getty Images",
        ),
        (
            &STORIES[3],
            "Fuente de la imagen, Getty Images",
            "Pie de foto, Un tranvía en la avenida del puerto de Valencia",
            "Getty Images",
        ),
        (
            &STORIES[2],
            "Crédit photo, Reuters",
            "Légende image, Les quais du Rhône à Lyon après la crue",
            "Reuters",
        ),
    ] {
        let text = [
            s.headline,
            s.byline,
            "Share",
            credit,
            caption,
            s.lead,
            s.paragraphs[0],
            s.paragraphs[1],
        ]
        .join("\n\n");
        let a = article(&text, &rules);
        let credited = a
            .images
            .iter()
            .any(|i| caption.ends_with(&i.caption) && i.credit.agencies == [agency]);
        if !credited {
            wrong.push(format!("{}: images {:?}", s.name, a.images));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A press release numbers the pictures it offers under its text ("Bild 1: …", "Foto 2: …",
/// "Image 3 : …"): each numbered line is a picture's caption with its credit, the number
/// goes, and none of them is a related link.
#[test]
fn numbered_pictures_under_a_press_release_are_its_captions() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (lead, body, label, pictures) in [
        (
            "Celle, 12. März 2025. Die Stadtwerke Celle haben am Dienstag ihren ersten Großbatteriespeicher in Betrieb genommen. Die Anlage kann bis zu zehn Megawattstunden Strom aufnehmen.",
            "„Mit dem Speicher machen wir das Netz fit für mehr Sonne und Wind“, sagte Geschäftsführer Thomas Berger bei der Einweihung. Die Investition beläuft sich auf rund 4,5 Millionen Euro.",
            "Bild",
            [
                "Geschäftsführer Thomas Berger und Oberbürgermeister Jörg Nigge vor dem neuen Speicher.",
                "Blick in einen der zwölf Batteriecontainer im Gewerbegebiet.",
            ],
        ),
        (
            "Alicante, 3 de abril de 2025. La Mancomunidad de Canales del Taibilla ha puesto en marcha la ampliación de la desaladora de Torrevieja, que podrá producir un 20 % más de agua potable.",
            "Las obras han durado dieciocho meses y han costado 42 millones de euros, según ha informado la entidad en un comunicado enviado este jueves.",
            "Foto",
            [
                "Vista aérea de la planta desaladora de Torrevieja tras la ampliación.",
                "Técnicos revisan los nuevos bastidores de ósmosis inversa de la planta.",
            ],
        ),
        (
            "Lyon, le 14 mai 2025. La Métropole de Lyon a inauguré mardi une nouvelle passerelle piétonne sur la Saône, entre le quai Saint-Vincent et le quai Pierre-Scize.",
            "L'ouvrage de 120 mètres a coûté 9 millions d'euros et accueille déjà plusieurs milliers de piétons et de cyclistes par jour, selon la collectivité.",
            "Image",
            [
                "La nouvelle passerelle au-dessus de la Saône au lever du jour.",
                "Les premiers cyclistes empruntent la passerelle le jour de son ouverture.",
            ],
        ),
    ] {
        let text = joined(
            &["Neue Anlage in Betrieb genommen"],
            &[
                lead,
                body,
                &format!("{label} 1: {} Foto: Anna Meier", pictures[0]),
                &format!("{label} 2: {} Foto: Anna Meier", pictures[1]),
            ],
            "\n\n",
        );
        let a = article(&text, &rules);
        let captions: Vec<&str> = a.images.iter().map(|i| i.caption.as_str()).collect();
        let numbers_removed = ["1:", "2:"].iter().all(|n| {
            removed_as(
                &a,
                copydesk::engine::ArtefactKind::UiLabel,
                &format!("{label} {n}"),
            )
        });
        if captions != pictures || !numbers_removed {
            wrong.push(format!(
                "{label}: captions {captions:?}, removed {:?}",
                a.removed
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The publication's name right over the headline, the name the copyright footer gives after
/// its sign, is the masthead: no kicker.
#[test]
fn the_publication_named_by_the_copyright_footer_is_no_kicker() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (masthead, headline, body, footer) in [
        (
            "한빛일보 주말판",
            "서른둘에 물질을 배우다…제주 '막내 해녀'들의 1년",
            [
                "새벽 6시 반, 제주시 구좌읍 하도리 불턱에 고무 잠수복을 입은 여성들이 하나둘 모여들었다. 올해 해녀학교를 마친 신참들이다.",
                "서울에서 광고회사를 다니던 강씨는 3년 전 회사를 그만두고 제주로 내려왔다. 처음에는 숨을 30초도 참지 못했다고 한다.",
            ],
            "Copyright ⓒ 한빛일보. All rights reserved. 무단 전재 및 재배포 금지",
        ),
        (
            "Le Courrier de la Saône",
            "Le marché aux volailles de Louhans déménage le temps des travaux",
            [
                "À partir du 4 novembre et pour au moins huit mois, le célèbre marché aux volailles du lundi quittera la Grande-Rue pour le champ de foire.",
                "Les commerçants des arcades s'inquiètent de la baisse de fréquentation que pourrait entraîner ce déménagement pendant les travaux.",
            ],
            "© Le Courrier de la Saône 2024 - Mentions légales - Données personnelles",
        ),
        (
            "Lakeshore Ledger Weekend",
            "Kiel teen's dairy goats take top honors at Manitowoc County Fair",
            [
                "Fifteen-year-old Hailey Brandenburg of Kiel has been showing goats at the county fair since she was nine, and this year her Nubian doe won grand champion.",
                "Judges praised the animal's condition and the care Brandenburg puts into her small herd, which she keeps on her family's farm outside town.",
            ],
            "© 2024 Lakeshore Ledger",
        ),
    ] {
        let text = joined(&[masthead, headline], &[body[0], body[1], footer], "\n\n");
        check_top(&article(&text, &rules), masthead, "", headline, &mut wrong);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A site's menu rendered as one row of capitalised words is no headline (it goes), and the
/// story's title right over the credit of its lead picture is the headline, not a caption.
#[test]
fn a_menu_row_is_furniture_and_the_title_over_a_picture_credit_is_the_headline() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (menu, headline, credit, body) in [
        (
            "Головне Війна Політика Економіка Суспільство Регіони Культура Спорт",
            "У Коростишеві після ремонту відкрили міст через Тетерів",
            "Фото: Тетяна Бондар",
            [
                "У Коростишеві на Житомирщині після дев’ятимісячного ремонту відкрили рух легковиків мостом через річку Тетерів, який торік пошкодила повінь.",
                "За словами начальника управління, підрядник замінив дві опори мосту з п’яти та розширив тротуари з обох боків.",
            ],
        ),
        (
            "Startseite Politik Wirtschaft Kultur Sport Wissen Reisen Meinung",
            "Neue Fähre verbindet Wolgast wieder mit Usedom",
            "Foto: Stefan Sauer",
            [
                "Nach acht Monaten Pause verbindet eine neue Fähre die Stadt Wolgast wieder mit der Insel Usedom, teilte der Landkreis am Montag mit.",
                "Die Fähre bietet Platz für zwölf Autos und fährt bis zum Herbst jede halbe Stunde zwischen beiden Ufern.",
            ],
        ),
        (
            "Home News Sport Business Opinion Culture Travel Weather",
            "Portland opens protected bike lanes on Harbor Avenue",
            "Photo: Dana Whitfield",
            [
                "Portland opened two miles of protected bike lanes on Harbor Avenue on Tuesday, separating cyclists from traffic with concrete curbs.",
                "City officials said the lanes on Harbor Avenue would be extended to the waterfront by next summer if funding allows.",
            ],
        ),
    ] {
        let text = joined(
            &[menu, "12.03.2025 14:20", headline, credit],
            &[body[0], body[1]],
            "\n\n",
        );
        let a = article(&text, &rules);
        let captions: Vec<&str> = a.images.iter().map(|i| i.caption.as_str()).collect();
        if a.headline != headline
            || captions.contains(&headline)
            || a.removed.iter().all(|r| r.text != menu)
        {
            wrong.push(format!(
                "{headline}: headline {:?}, images {:?}",
                a.headline, a.images
            ));
        }
    }
    // A headline in title case with no function word shares its words with the story.
    let headline = "Severe Storms Batter Texas Gulf Coast Communities";
    let text = joined(
        &["Weather", headline],
        &[
            "Severe storms battered communities along the Texas Gulf Coast on Monday, knocking out power to thousands of homes.",
            "Forecasters said the storms would move east toward Louisiana overnight, bringing more rain to the coast.",
        ],
        "\n\n",
    );
    let a = article(&text, &rules);
    if a.headline != headline {
        wrong.push(format!("title case: headline {:?}", a.headline));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A caption and its photographer's marker credit on one line between paragraphs ("…阅读。
/// 新华社记者 李明 摄") is a picture, not a paragraph of the story.
#[test]
fn a_caption_with_its_marker_credit_between_paragraphs_is_a_picture() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (headline, paragraphs, caption, credit, creator) in [
        (
            "北京运河书院开馆首月接待读者超62万人次",
            [
                "新华社北京3月5日电 记者从北京市通州区获悉，位于城市副中心的运河书院开馆首月累计接待读者超过62万人次，周末日均接待量接近三万人次。",
                "运河书院建筑面积约4.6万平方米，馆藏纸质文献140余万册，设有古籍修复展示区、少儿阅览区和数字体验区，开馆以来多个区域需要预约。",
                "据介绍，书院将从3月中旬起延长开放时间至每晚21时，并在通州区10个街道设立图书流动服务点，方便市民就近借还图书。",
            ],
            "3月4日，读者在运河书院阅览室内阅读。",
            "新华社记者 李明 摄",
            "李明",
        ),
        (
            "厦门地铁4号线东段今起初期运营",
            [
                "中新社厦门6月28日电 6月28日6时30分，厦门地铁4号线东段首班列车从翔安机场站驶出，标志着该段线路正式开通初期运营，市民出行更加便利。",
                "据厦门轨道集团介绍，4号线东段全长约23.5公里，共设车站9座，其中换乘站3座，可分别与2号线、3号线和6号线实现换乘。",
                "轨道集团相关负责人表示，开通初期将密切关注客流变化，适时优化运营组织，并加强车站周边公交接驳，方便市民出行。",
            ],
            "6月28日，市民在翔安机场站乘坐地铁4号线首班列车。",
            "新华社记者 林善传 摄",
            "林善传",
        ),
    ] {
        let picture = format!("{caption}\n{credit}");
        let text = joined(
            &[headline],
            &[paragraphs[0], paragraphs[1], &picture, paragraphs[2]],
            "\n\n",
        );
        let a = article(&text, &rules);
        let found = a
            .images
            .iter()
            .any(|i| i.caption == caption && i.credit.creators == [creator]);
        let in_body = a.text.contains(credit);
        if !found || in_body {
            wrong.push(format!("{headline}: images {:?}", a.images));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A staff reporter named in a script without letter case ("経済部　中川真由", "记者 周晓岚") is no
/// editor's initials: the byline does not sign for the agency that credits a picture.
#[test]
fn a_staff_reporter_does_not_sign_for_a_pictures_agency() {
    let rules = Rules::embedded().expect("rules");
    let mut wrong = Vec::new();
    for (headline, byline, author, paragraphs, picture) in [
        (
            "金沢港の大型客船受け入れ、来年度は過去最多の見通し",
            "経済部　中川真由",
            "中川真由",
            [
                "金沢港に寄港する大型クルーズ船が来年度は過去最多の六十隻に達する見通しとなった。県が十四日、船会社各社からの予約状況をまとめて発表した。",
                "県によると、新たに欧州の船会社二社が日本海を巡る航路に金沢港を加える。寄港が集中する五月と十月には、市内の観光地で混雑対策を講じる方針だ。",
                "県の担当者は「受け入れ態勢を整え、地元の商店街にも効果が及ぶようにしたい」と話している。",
            ],
            "金沢港に入る大型客船（共同）",
        ),
        (
            "城南老旧小区加装电梯工程全面启动",
            "记者 周晓岚",
            "周晓岚",
            [
                "本报讯 城南区老旧小区加装电梯工程日前全面启动，今年计划为一百二十个单元加装电梯，惠及居民三千余户，工程预计年底前完工。",
                "据区住建局介绍，加装电梯费用由政府补贴和居民自筹共同承担，低楼层住户的补偿方案已经过多轮协商，居民同意率超过九成。",
                "区住建局负责人表示，施工期间将合理安排作业时间，尽量减少对居民日常生活的影响，并全程接受居民监督。",
            ],
            "居民在新加装的电梯前等候。（新华社发）",
        ),
    ] {
        let text = joined(
            &[headline, byline],
            &[paragraphs[0], picture, paragraphs[1], paragraphs[2]],
            "\n\n",
        );
        let a = article(&text, &rules);
        let agencies = a.byline.as_ref().map(|b| b.agencies.clone());
        if authors(&a) != [author] || agencies != Some(vec![]) {
            wrong.push(format!("{headline}: {:?}", a.byline));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
