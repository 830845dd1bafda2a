//! Turkish read in the wrong code page.
//!
//! Turkish web and wire text is often stored in Windows-1254 (or ISO 8859-9) and read somewhere
//! upstream as Windows-1252 (or Latin-1). The two code pages differ in exactly six letters, so the
//! text arrives as valid UTF-8 with ı ş ğ İ Ş Ğ shown as ý þ ð Ý Þ Ð — "yýlýnda", "baþkan",
//! "deðil", "Ýstanbul" — and whatlang, which has trigrams for none of these, mostly answers Welsh.
//!
//! The rule: when a text carries these letters where no language the detector may answer can
//! explain them, the six letters are mapped back and whatlang runs on the repaired text; its
//! answer is taken only if it is Turkish or Azerbaijani. Otherwise the original text and answer
//! stand. The text itself is not changed for the caller: repairing the encoding of a document is
//! the repair stage's job; this only keeps the detector from answering Welsh for it.

/// The letters of Windows-1254 (and ISO 8859-9) whose bytes Windows-1252 (and Latin-1) decodes as
/// other letters: (as shown, as meant). Everything else — ç ö ü â î û, ASCII — is the same in both.
pub(super) const TURKISH_AS_LATIN1: [(char, char); 6] = [
    ('ý', 'ı'),
    ('þ', 'ş'),
    ('ð', 'ğ'),
    ('Ý', 'İ'),
    ('Þ', 'Ş'),
    ('Ð', 'Ğ'),
];

/// Whether `text` shows the letters of Turkish read as Latin-1 where no language that writes them
/// can explain them. The languages that write þ, ð and ý are Icelandic, Faroese and Old English
/// (not modelled by whatlang, so not answerable, but they must not be read as Turkish), and for ý
/// also Czech, Slovak, Vietnamese and, rarely, Welsh. The text must show
///
/// - **þ inside or at the end of a word** (Turkish baş, kişi, -mış shown as baþ, kiþi, -mýþ):
///   Icelandic and Old English write þ at the start of a word (það, þeir), inside one only in
///   compounds; or
/// - **ç, ü, â, î or û together with ý, þ or ð**: Turkish letters that survive the wrong code page
///   and that none of those languages writes (Icelandic writes ö, so ö does not count);
///
/// and **none of á é í ó ú æ ø**: Turkish writes none of them (its only accents are the circumflex
/// of â î û), while Icelandic, Faroese, Czech, Slovak and Vietnamese write them in almost every
/// sentence. A Turkish text quoting a foreign name with such a letter is left alone: that is the
/// price of never reading Icelandic as Turkish.
///
/// A true answer only asks for a second look (whatlang on the repaired text, see the caller); it
/// decides nothing. Cost: a byte scan, and a pass over the characters only for a text that has
/// one of the six letters.
pub(super) fn looks_like_turkish_as_latin1(text: &str) -> bool {
    if !shows_any(text) {
        return false;
    }
    let mut inner_thorn = false;
    let mut shown = false;
    let mut turkish_letter = false;
    let mut prev = ' ';
    for c in text.chars() {
        match c {
            'þ' | 'Þ' => {
                inner_thorn |= prev.is_alphabetic();
                shown = true;
            }
            'ð' | 'Ð' | 'ý' | 'Ý' => shown = true,
            'ç' | 'ü' | 'â' | 'î' | 'û' | 'Ç' | 'Ü' | 'Â' | 'Î' | 'Û' => {
                turkish_letter = true
            }
            'á' | 'é' | 'í' | 'ó' | 'ú' | 'æ' | 'ø' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú' | 'Æ' | 'Ø' =>
            {
                return false;
            }
            _ => {}
        }
        prev = c;
    }
    inner_thorn || (shown && turkish_letter)
}

/// Whether `text` has one of the six letters at all: a byte scan, so that the common case (no
/// such letter; most non-ASCII text is in another script) costs about a nanosecond per byte.
/// In UTF-8 all six are 0xC3 followed by 0x90 (Ð), 0x9D (Ý), 0x9E (Þ), 0xB0 (ð), 0xBD (ý) or
/// 0xBE (þ).
fn shows_any(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == 0xC3 && matches!(w[1], 0x90 | 0x9D | 0x9E | 0xB0 | 0xBD | 0xBE))
}

/// `text` with the six letters mapped back to the Turkish letters they stand for.
pub(super) fn undo_turkish_as_latin1(text: &str) -> String {
    text.chars()
        .map(|c| {
            TURKISH_AS_LATIN1
                .iter()
                .find(|(shown, _)| *shown == c)
                .map_or(c, |&(_, meant)| meant)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a Windows-1254 text looks like after decoding its bytes as Windows-1252.
    fn as_latin1(text: &str) -> String {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1254.encode(text);
        assert!(!unmappable, "{text} is not Windows-1254");
        let (shown, _, bad) = encoding_rs::WINDOWS_1252.decode(&bytes);
        assert!(!bad);
        shown.into_owned()
    }

    #[test]
    fn the_table_is_what_windows_1252_makes_of_windows_1254() {
        let meant: String = TURKISH_AS_LATIN1.iter().map(|p| p.1).collect();
        let shown: String = TURKISH_AS_LATIN1.iter().map(|p| p.0).collect();
        assert_eq!(as_latin1(&meant), shown);
        // every other Turkish letter survives unchanged
        assert_eq!(as_latin1("çöüÇÖÜâîû"), "çöüÇÖÜâîû");
        let sentence = "Başkan İstanbul'daki toplantıda ağır konuştu.";
        assert_eq!(undo_turkish_as_latin1(&as_latin1(sentence)), sentence);
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_six_letters() {
        for (shown, _) in TURKISH_AS_LATIN1 {
            assert!(shows_any(&format!("ab{shown}c")), "{shown}");
        }
        assert!(!shows_any("çöüâîû ıışşğğ İŞĞ áéí ÀÿŸ Привет"));
        assert!(!shows_any(""));
    }

    #[test]
    fn the_trigger_needs_letters_no_answerable_language_explains() {
        let tr = as_latin1("Belediye başkanı yağmurdan sonra yolların kapatıldığını söyledi.");
        assert!(looks_like_turkish_as_latin1(&tr), "{tr}");
        // ı only, with ü/ç: "Yıllık bütçe onaylandı."
        assert!(looks_like_turkish_as_latin1(&as_latin1(
            "Yıllık bütçe onaylandı."
        )));
        // ş inside a word
        assert!(looks_like_turkish_as_latin1(&as_latin1(
            "Başkan yarın gelecek"
        )));
        // ı only, without ç, ü, â, î, û: no second look (Czech and Slovak words such as nový,
        // ktorý look the same)
        assert!(!looks_like_turkish_as_latin1(&as_latin1(
            "Kırmızı halı satıldı."
        )));
        // genuine Czech, Slovak, Welsh and Vietnamese do not trigger
        for text in [
            "Nový zákon, který parlament přijal v pondělí, platí od ledna.",
            "Nový zákon, ktorý parlament prijal v pondelok, platí od januára.",
            "Mae'r ŵyl yn dechrau ddydd Sadwrn ac mae pawb yn edrych ymlaen at weld y tŷ newydd.",
            "Tôi có ý kiến khác về vấn đề này.",
            "Plain ASCII text.",
            // Icelandic writes þ ð ý, and also acute vowels and æ
            "Það var mjög kalt í gær og þess vegna fóru börnin ekki út að leika sér.",
            "Hún sagði að veðrið yrði betra á morgun.",
            "Það er gott að vera heima með þeim.",
            // a foreign letter vetoes even clear Turkish
            "Baþkan José ile görüþtü.",
        ] {
            assert!(!looks_like_turkish_as_latin1(text), "{text}");
        }
    }
}
