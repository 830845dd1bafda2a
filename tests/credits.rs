//! Picture credits name photographers: the outlet that prints the page (its masthead, its
//! copyright line) and institutions that hand out a picture ("Foto: Stadt Aalen") are sources,
//! not creators, and a caption whose credit follows a bar, a dash or its full stop without a
//! credit word still gives caption and credit apart. Each page is written here, in several
//! languages and layouts.

use copydesk::engine::{Article, Config, Input};
use copydesk::{Rules, normalize};

fn read(rules: &Rules, text: &str) -> Article {
    normalize(&Input::text(text), rules, &Config::default()).expect("a page normalises")
}

/// (caption, creators) of every picture.
fn pictures(a: &Article) -> Vec<(String, Vec<String>)> {
    a.images
        .iter()
        .map(|i| (i.caption.clone(), i.credit.creators.clone()))
        .collect()
}

#[test]
fn the_outlet_of_the_page_is_no_photographer() {
    let rules = Rules::embedded().expect("rules");
    let pages = [
        (
            "Lakeshore Ledger\n\nMarina repairs to start before the boating season\n\nBy Dana Kowalski\n\n\
             MANITOWOC — The city will replace about 240 slips at the marina this spring, the harbor commission decided on Tuesday after a long debate about the cost of the work.\n\n\
             Damaged dock sections sit stacked at the marina on Feb. 27. Jamal Reed/Lakeshore Ledger\n\n\
             The commission expects the work to cost about 4 million dollars, most of it paid by bonds that the council approved last year after the winter storms.\n\n\
             © 2024 Lakeshore Ledger. All rights reserved.",
            "Damaged dock sections sit stacked at the marina on Feb. 27.",
            "Jamal Reed",
        ),
        (
            "Puls Dnia\n\nNowe sale na SOR-ze w Bydgoszczy\n\n\
             Szpital Miejski otworzył w poniedziałek dwie nowe sale resuscytacyjne. Pacjenci w najcięższym stanie będą przyjmowani szybciej niż dotąd, zapowiada dyrekcja placówki.\n\n\
             Jedna z dwóch nowych sal resuscytacyjnych na SOR-ze\n\nFot. Piotr Gajewski / Puls Dnia\n\n\
             Remont kosztował ponad cztery miliony złotych i trwał od wiosny. Część pieniędzy pochodziła z budżetu województwa, a część z funduszy unijnych.\n\n\
             © 2024 Puls Dnia Sp. z o.o. Wszelkie prawa zastrzeżone.",
            "Jedna z dwóch nowych sal resuscytacyjnych na SOR-ze",
            "Piotr Gajewski",
        ),
        (
            "Portal Capibaribe\n\nPane deixa metrô parado no Recife\n\n\
             Uma falha elétrica deixou a linha centro do metrô parada por duas horas na manhã desta terça-feira. Passageiros precisaram caminhar pelos trilhos até a estação mais próxima.\n\n\
             Estação Joana Bezerra lotada na manhã desta terça-feira — Foto: Camila Bezerra/Portal Capibaribe\n\n\
             A companhia informou que a causa da falha ainda está sendo investigada e que os trens voltaram a circular normalmente no fim da manhã.\n\n\
             Portal Capibaribe © 2024 · Termos de uso · Política de privacidade",
            "Estação Joana Bezerra lotada na manhã desta terça-feira",
            "Camila Bezerra",
        ),
        // The masthead in capitals names the outlet the credit gives in title case.
        (
            "THE HARBOUR GAZETTE\n\nFerry service cut to two sailings a day\n\nBy Moira Keane\n\n\
             The island ferry will sail twice a day instead of four times from next month, the operator said on Monday, blaming a shortage of crew for the winter timetable.\n\n\
             Passengers queue for the morning ferry at the pier\n\nPhoto: Owen Pritchard / The Harbour Gazette\n\n\
             The operator said it hoped to restore the full timetable in the spring once newly trained crew members had finished their certificates.",
            "Passengers queue for the morning ferry at the pier",
            "Owen Pritchard",
        ),
        // The copyright line is in the page's footer of links.
        (
            "Hochrhein-Bote\n\nNeue Brücke über die Wutach freigegeben\n\n\
             Nach achtzehn Monaten Bauzeit ist die neue Brücke über die Wutach am Freitag für den Verkehr freigegeben worden. Die alte Brücke war wegen Schäden seit Jahren nur einspurig befahrbar.\n\n\
             Der Landrat und der Bürgermeister schneiden das Band durch © Hochrhein-Bote/Lena Brugger\n\n\
             Die Baukosten lagen bei rund sechs Millionen Euro und damit knapp unter der Schätzung. Der Bund übernahm den größten Teil der Summe.\n\n\
             © Hochrhein-Bote Verlag GmbH | Impressum | Datenschutz | Kontakt",
            "Der Landrat und der Bürgermeister schneiden das Band durch",
            "Lena Brugger",
        ),
        (
            "LA VOZ DEL CIERZO\n\nReabre el puente de hierro tras las obras\n\n\
             El puente de hierro volvió a abrirse al tráfico este lunes después de seis meses de obras de refuerzo. El Ayuntamiento calcula que lo cruzan unos doce mil vehículos al día.\n\n\
             Los primeros coches cruzan el puente reabierto este lunes\n\nFoto: Marta Lasheras / La Voz del Cierzo\n\n\
             Las obras costaron algo más de dos millones de euros, financiados en parte con fondos europeos para la mejora de infraestructuras.",
            "Los primeros coches cruzan el puente reabierto este lunes",
            "Marta Lasheras",
        ),
    ];
    for (page, caption, photographer) in pages {
        let a = read(&rules, page);
        assert_eq!(
            pictures(&a),
            vec![(caption.to_string(), vec![photographer.to_string()])],
            "{page}"
        );
    }
}

#[test]
fn a_photographer_named_in_the_byline_stays_the_photographer() {
    let rules = Rules::embedded().expect("rules");
    let page = "Fährmann Kroll ist zurück\n\nVon Tanja Hüther\n\n\
        Hemeln. Nach zwei Jahren Pause fährt die Weserfähre in Hemeln wieder. Der Fährmann hat das Boot über den Winter selbst repariert und den Motor erneuert.\n\n\
        Wieder im Einsatz: Fährmann Dieter Kroll an der Anlegestelle in Hemeln. Foto: Tanja Hüther\n\n\
        Die Fähre fährt von Mai bis Oktober täglich von zehn bis achtzehn Uhr. Eine Überfahrt kostet für Erwachsene zwei Euro, Fahrräder fahren kostenlos mit.\n\n\
        © 2024 Weserbote";
    let a = read(&rules, page);
    assert_eq!(
        pictures(&a),
        vec![(
            "Wieder im Einsatz: Fährmann Dieter Kroll an der Anlegestelle in Hemeln.".to_string(),
            vec!["Tanja Hüther".to_string()]
        )]
    );
}

#[test]
fn institutions_and_hand_outs_credit_no_one() {
    let rules = Rules::embedded().expect("rules");
    for (page, caption) in [
        (
            "Freibad öffnet am Samstag\n\n\
             Aalen. Das Hirschbachbad öffnet nach der Sanierung am Samstag wieder. Die Stadt hat das Becken und die Technik für knapp drei Millionen Euro erneuert.\n\n\
             Seit dem Herbst leer, ab Samstag wieder gefüllt: das Sportbecken (Foto: Stadt Aalen)\n\n\
             Der Eintritt bleibt gleich. Kinder unter sechs Jahren baden weiterhin kostenlos, für Familien gibt es eine Saisonkarte zum halben Preis.",
            "Seit dem Herbst leer, ab Samstag wieder gefüllt: das Sportbecken",
        ),
        (
            "Beşirli sahiline yeni otopark\n\n\
             Trabzon'da Beşirli sahilindeki otopark alanı genişletiliyor. Belediye, yaz aylarında yaşanan park sorununu çözmek için 300 araçlık yeni bir alan açacak.\n\n\
             Beşirli sahilindeki otopark alanı\n\nFotoğraf: Trabzon Büyükşehir Belediyesi\n\n\
             Çalışmaların haziran ayında tamamlanması bekleniyor. Otopark ilk üç ay ücretsiz olacak, daha sonra saatlik ücret uygulanacak.",
            "Beşirli sahilindeki otopark alanı",
        ),
        (
            "Isbaren på havnen lukker efter 40 år\n\n\
             Faaborg. Jens og Birthe Lund lukker isbaren på havnen til efteråret. Parret har solgt is til turister og lokale i fire årtier og går nu på pension.\n\n\
             Jens og Birthe Lund åbnede isbaren på havnen i 1984.\n\nFoto: Privat\n\n\
             Der er endnu ikke fundet en ny lejer til bygningen, men kommunen håber, at der også næste sommer kan købes is på havnen.",
            "Jens og Birthe Lund åbnede isbaren på havnen i 1984.",
        ),
    ] {
        let a = read(&rules, page);
        assert_eq!(pictures(&a), vec![(caption.to_string(), vec![])], "{page}");
    }
}

/// A caption of a shape the rule files give (Japanese "<caption>＝<day>、<place>（共同）")
/// between two paragraphs is a caption with its agency, not a paragraph of the story.
#[test]
fn a_caption_of_a_known_shape_between_paragraphs_is_a_caption() {
    let rules = Rules::embedded().expect("rules");
    let caption = "台風の接近に備え、漁船を岸壁に固定する漁業関係者＝14日午前、沖縄県南大東村";
    let text = format!(
        "台風1号、大東島地方に接近\n\n\
         【那覇共同】大型で強い台風1号は14日、沖縄県の大東島地方に接近した。気象台は暴風や高波に警戒するよう呼びかけている。\n\n\
         {caption}（共同）\n\n\
         気象台によると、台風は15日未明にかけて大東島地方に最も接近する見通し。南大東村では最大瞬間風速40メートルを超える暴風が予想されている。\n"
    );
    let a = read(&rules, &text);
    let got: Vec<(String, Vec<String>)> = a
        .images
        .iter()
        .map(|i| (i.caption.clone(), i.credit.agencies.clone()))
        .collect();
    assert_eq!(got, [(caption.to_string(), vec!["Kyodo".to_string()])]);
    assert!(
        a.blocks.iter().all(|b| !b.text.contains(caption)),
        "{:#?}",
        a.blocks
    );
}

/// A line that opens with a caption label of the rule files and its colon or comma
/// ("Bildunterschrift:", "Image caption,", "Légende :") is a caption wherever it stands: between
/// paragraphs with no blank line, next to another picture's caption and credit. The label goes to
/// `removed`; the caption's words stay out of the story's text, on the first reading and on a
/// reading of the article's own text.
#[test]
fn a_line_under_a_caption_label_is_a_caption_in_any_layout() {
    let rules = Rules::embedded().expect("rules");
    let pages = [
        (
            "Neue Radwege für die Innenstadt\n\
             Kassel (dpa) - Der Stadtrat hat am Mittwochabend mit großer Mehrheit den Bau von vier neuen Radwegen beschlossen, die bis zum Herbst fertig sein sollen.\n\
             Bildunterschrift: Ein Bagger steht vor dem Rathaus am Königsplatz.\n\
             Ein Radfahrer fährt über die Kreuzung am Hauptbahnhof der Stadt.\n\
             Foto: Uwe Zucchi/dpa\n\
             Die Arbeiten sollen im kommenden Frühjahr beginnen. Die Kosten von rund zwei Millionen Euro trägt zum größten Teil das Land Hessen.\n",
            "Ein Bagger steht vor dem Rathaus am Königsplatz.",
        ),
        (
            "Harbour ferry service to resume next week\n\
             The city's harbour ferries will run again from Monday after three weeks of repairs to the main pier, the transport authority said on Thursday.\n\
             Image caption, Workers replace the decking of the main pier in the harbour\n\
             The authority said the timetable would be the same as before the repairs, with ferries every twenty minutes at peak times.\n",
            "Workers replace the decking of the main pier in the harbour",
        ),
        (
            "Le marché couvert rouvre ses portes après deux ans de travaux\n\
             Le marché couvert de la ville rouvrira samedi après deux ans de travaux de rénovation, a annoncé la mairie dans un communiqué publié mardi.\n\
             Légende : Les nouveaux étals du marché couvert, installés au printemps.\n\
             Les commerçants retrouveront leurs emplacements habituels, et une dizaine de nouveaux stands seront attribués à des producteurs locaux.\n",
            "Les nouveaux étals du marché couvert, installés au printemps.",
        ),
    ];
    for (text, caption) in pages {
        let a = read(&rules, text);
        assert!(
            a.images.iter().any(|i| i.caption == caption),
            "{caption:?} is no caption: {:#?}",
            a.images
        );
        assert!(
            !a.text.contains(caption),
            "{caption:?} in the text:\n{}",
            a.text
        );
        let again = read(&rules, &a.text);
        assert_eq!(again.text, a.text, "a second reading changes the text");
    }
}
