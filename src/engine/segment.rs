//! Stage 3: lines → units. Blank lines separate groups; inside a group, hard-wrapped agency
//! lines are joined into their paragraph, while one-paragraph-per-line copy and stacked short
//! lines (kicker over headline, label over caption over credit) stay separate units.

use super::repair::Lines;

pub use super::types::Unit;

/// Wrapped copy is at most this wide; a document with longer lines is not hard-wrapped.
const MAX_WRAP_WIDTH: usize = 100;
/// How many full lines followed by a continuation line make a document hard-wrapped.
const MIN_WRAPPED_LINES: usize = 3;
/// A wrapped line is at least this long; shorter lines end their paragraph.
const MIN_WRAPPED_LINE: usize = 40;

/// Counts of what segmentation did, for notices.
#[derive(Debug, Default, Clone, Copy)]
pub struct SegmentStats {
    pub hyphenations_undone: usize,
}

/// Where the text of a unit under construction is.
enum Text<'a> {
    /// One line: a slice of the repaired text.
    Line(&'a str),
    /// Joined lines: `joined[start..]`, still growing.
    Joined(usize),
}

/// A unit under construction: its text, first and last input line.
struct Open<'a> {
    text: Text<'a>,
    line: u32,
    last_line: u32,
}

/// Groups lines into units. Units joined from wrapped lines get their text in `joined` (cleared
/// first); every other unit borrows its line from `lines`.
/// `hyphen_keepers`: words after a line-end compound hyphen that keep it (the rules' common
/// list: "und", "and", "et", …).
pub fn segment<'a>(
    lines: &'a Lines,
    joined: &'a mut String,
    hyphen_keepers: &[String],
) -> (Vec<Unit<'a>>, SegmentStats) {
    joined.clear();
    let mut stats = SegmentStats::default();
    let width = wrap_width(lines);
    // At most one unit per non-empty line, reserved at once: a document of many tiny lines does
    // not hold a vector grown to twice its need.
    let most = lines.iter().filter(|l| !l.text.is_empty()).count();
    let mut units: Vec<Unit<'a>> = Vec::with_capacity(most);
    // Units whose text is joined: (index in `units`, start and end in `joined`), set once
    // `joined` is complete.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut group: u32 = 0;
    let mut group_start = 0;
    let mut open: Option<Open<'a>> = None;
    // The line before, within the group.
    let mut prev: Option<&'a str> = None;
    let mut prev_indent: u8 = 0;
    // The longest line of the open unit, where it holds wrapped lines.
    let mut column: Option<usize> = None;
    for line in lines.iter() {
        if line.text.is_empty() {
            if let Some(done) = open.take() {
                push(done, group, &mut units, &mut spans, joined);
                end_group(&mut units[group_start..]);
                group = group.saturating_add(1);
                group_start = units.len();
            }
            prev = None;
            column = None;
            continue;
        }
        // Once a unit holds wrapped lines, its own longest line shows the column it was
        // wrapped at: a caption or a headline wider than the copy's column (which the
        // document's width counts) does not hide a wrap inside the paragraph.
        // A line indented deeper than the one before opens a block of its own: a paragraph's
        // continuation is never indented more than its first line.
        let wrap = prev
            .zip(width)
            .is_some_and(|(p, w)| is_wrap(p, line.text, column.map_or(w, |c| c.min(w))))
            && line.indent <= prev_indent;
        prev_indent = line.indent;
        column = match (wrap, prev) {
            (true, Some(p)) => Some(
                column
                    .unwrap_or(0)
                    .max(char_len(p))
                    .max(char_len(line.text)),
            ),
            _ => None,
        };
        prev = Some(line.text);
        match open.as_mut() {
            Some(unit) if wrap => {
                let start = match unit.text {
                    Text::Joined(start) => start,
                    Text::Line(first) => {
                        let start = joined.len();
                        joined.push_str(first);
                        unit.text = Text::Joined(start);
                        start
                    }
                };
                join(joined, start, line.text, hyphen_keepers, &mut stats);
                unit.last_line = line.no;
            }
            _ => {
                if let Some(done) = open.take() {
                    push(done, group, &mut units, &mut spans, joined);
                }
                open = Some(Open {
                    text: Text::Line(line.text),
                    line: line.no,
                    last_line: line.no,
                });
            }
        }
    }
    if let Some(done) = open.take() {
        push(done, group, &mut units, &mut spans, joined);
        end_group(&mut units[group_start..]);
    }
    units.shrink_to_fit();
    let joined: &'a String = joined;
    for (i, start, end) in spans {
        units[i].text = &joined[start..end];
    }
    (units, stats)
}

/// Pushes a finished unit; a joined one gets its text once `joined` is complete.
fn push<'a>(
    done: Open<'a>,
    group: u32,
    units: &mut Vec<Unit<'a>>,
    spans: &mut Vec<(usize, usize, usize)>,
    joined: &str,
) {
    let text = match done.text {
        Text::Line(text) => text,
        Text::Joined(start) => {
            spans.push((units.len(), start, joined.len()));
            ""
        }
    };
    units.push(Unit {
        text,
        line: done.line,
        last_line: done.last_line,
        group,
        group_len: 0,
    });
}

/// Tells the units of a finished group how many they are.
fn end_group(units: &mut [Unit]) {
    let len = u32::try_from(units.len()).unwrap_or(u32::MAX);
    for u in units {
        u.group_len = len;
    }
}

/// Display columns of a line: a CJK character takes two, as on the terminal the copy was
/// wrapped for.
fn char_len(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

/// The column a hard-wrapped document wraps at, or `None` where it is not hard-wrapped: the
/// decision is the document's, since a caption over its credit looks like a wrapped pair of
/// lines when seen alone. The column at which four in five of the lines that go on end full,
/// two of them at least mid-sentence (the next line opens in lower case or a script without
/// case): a caption or a headline a little wider than the copy does not hide it. Failing
/// that, the widest line, where three lines or more end within 12 characters of it and go on.
pub fn wrap_width(lines: &Lines) -> Option<usize> {
    // A few lines longer than any column (a slug, a URL) do not make a wrapped document
    // unwrapped, many do.
    let (mut longer, mut counted, mut widest) = (0usize, 0usize, 0usize);
    // How many lines of each length a non-empty line follows, and of those how many the next
    // line continues mid-sentence.
    let mut continued = [0usize; MAX_WRAP_WIDTH + 1];
    let mut mid_sentence = [0usize; MAX_WRAP_WIDTH + 1];
    // Lines longer than any column that a non-empty line follows.
    let mut long_continued = 0usize;
    // The length of the line before, within the group.
    let mut prev: Option<usize> = None;
    for line in lines.iter() {
        if line.text.is_empty() {
            prev = None;
            continue;
        }
        let w = char_len(line.text);
        counted += 1;
        if w > MAX_WRAP_WIDTH {
            longer += 1;
        } else {
            widest = widest.max(w);
        }
        match prev {
            Some(p) if p > MAX_WRAP_WIDTH => long_continued += 1,
            Some(p) if p >= MIN_WRAPPED_LINE => {
                continued[p] += 1;
                // (Not a figure: the items of a list open with their numbers.)
                if goes_on(line.text) && !line.text.starts_with(|c: char| c.is_numeric()) {
                    mid_sentence[p] += 1;
                }
            }
            _ => {}
        }
        prev = Some(w);
    }
    if widest < MIN_WRAPPED_LINE || longer * 10 > counted {
        return None;
    }
    // Lines of a count that end within 12 characters of `column`.
    let within = |count: &[usize; MAX_WRAP_WIDTH + 1], column: usize| -> usize {
        count[column.saturating_sub(12).max(MIN_WRAPPED_LINE)..=column]
            .iter()
            .sum()
    };
    let full = |column: usize| within(&continued, column);
    // The densest window of 13 lengths; its widest line is the column (the first end at which
    // the count peaks is that line's length). It is the copy's column where nearly every line
    // that goes on ends in it, two of them mid-sentence, and they are a quarter of the lines
    // (a page's lines of every length, or a few, are no wrapped copy).
    let (mut best, mut column) = (0, 0);
    for w in MIN_WRAPPED_LINE..=MAX_WRAP_WIDTH {
        let n = full(w);
        if n > best {
            (best, column) = (n, w);
        }
    }
    let all: usize = continued.iter().sum::<usize>() + long_continued;
    if best >= MIN_WRAPPED_LINES
        && best * 10 >= all * 8
        && best * 4 >= counted
        && within(&mid_sentence, column) >= 2
    {
        return Some(column);
    }
    // Otherwise the widest line, where three lines or more that go on end within 12 characters
    // of it (a line wider than any column counts: unwrapped paragraphs among wrapped lines).
    (full(widest) + long_continued >= MIN_WRAPPED_LINES).then_some(widest)
}

/// Whether a line goes on from the line before: it opens in lower case, in a script without
/// case or with a figure.
fn goes_on(next: &str) -> bool {
    next.chars().next().is_some_and(|c| {
        c.is_lowercase() || c.is_numeric() || c.is_alphabetic() && !c.is_uppercase()
    })
}

/// Whether the line break after `line` is a wrap: the next line's first word would not have
/// fit, or the line stops mid-sentence and the next one goes on in lower case (or in a script
/// without case). Copy is not always wrapped at one fixed column.
fn is_wrap(line: &str, next: &str, width: usize) -> bool {
    let len = char_len(line);
    if len > width || line == next {
        return false;
    }
    // "Was-" / "serstand": a word broken at the line's end.
    let broken = line.ends_with('-')
        && line[..line.len() - 1]
            .chars()
            .last()
            .is_some_and(char::is_alphabetic);
    if broken && len >= MIN_WRAPPED_LINE / 2 {
        return true;
    }
    if len < MIN_WRAPPED_LINE {
        return false;
    }
    if len + 1 + char_len(first_word(next)) > width {
        return true;
    }
    goes_on(next) && !super::lexicon::ends_sentence(line)
}

/// Joins a wrapped line onto its paragraph, `joined[start..]`, undoing end-of-line hyphenation
/// where the next line starts in lower case ("Was-" + "serstand" → "Wasserstand").
fn join(
    joined: &mut String,
    start: usize,
    next: &str,
    keepers: &[String],
    stats: &mut SegmentStats,
) {
    let text = &joined[start..];
    let hyphenated = text.ends_with('-')
        && text[..text.len() - 1]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphabetic());
    if hyphenated {
        let word = first_word(next);
        let lower_start = word.chars().next().is_some_and(|c| c.is_lowercase());
        let word = word.trim_end_matches([',', '.']);
        let keeper = keepers.iter().any(|k| k == word);
        if keeper {
            joined.push(' ');
        } else if lower_start {
            joined.pop();
            stats.hyphenations_undone += 1;
        }
        // An upper-case start keeps the hyphen with no space: "Ost-" + "West-Konflikt".
    } else if !ends_without_space(text) {
        joined.push(' ');
    }
    joined.push_str(next);
}

/// Scripts written without spaces between words join wrapped lines without one.
fn ends_without_space(text: &str) -> bool {
    text.chars().last().is_some_and(|c| {
        matches!(c as u32, 0x3000..=0x30FF | 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Lines {
        super::super::repair::repair(text, &mut Vec::new(), &mut Vec::new())
    }

    fn texts(text: &str) -> Vec<String> {
        let lines = lines(text);
        let mut joined = String::new();
        segment(
            &lines,
            &mut joined,
            &crate::rules::test_rules().common().hyphen_keepers,
        )
        .0
        .into_iter()
        .map(|u| u.text.to_string())
        .collect()
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            texts("One.\n\nTwo.\n\n\nThree."),
            vec!["One.", "Two.", "Three."]
        );
    }

    #[test]
    fn hard_wrapped_lines_join() {
        let text = "Genova, 14 mag. (LaPresse) – Un tratto di circa venti metri del muro di\ncontenimento che sostiene il terrapieno di via Cantore, a Sampierdarena, è\ncrollato nella notte invadendo la carreggiata sottostante. Il cedimento è\navvenuto poco dopo le 2.30.";
        let got = texts(text);
        assert_eq!(got.len(), 1);
        assert!(got[0].contains("muro di contenimento"));
        assert!(got[0].ends_with("le 2.30."));
    }

    #[test]
    fn a_caption_wider_than_the_column_does_not_hide_the_wrap() {
        // Copy wrapped at about 60 columns; its picture's caption is a line of 70 or more.
        for (text, paragraphs) in [
            (
                "Valencia amplía el horario del metro\n\nVALENCIA, 14 mar (EFE).- El metro de Valencia funcionará\ntoda la noche durante los días grandes de las Fallas, según\nha informado este domingo la Generalitat.\n\nLa medida afecta a las cinco líneas de la red y se aplicará\nentre el 15 y el 19 de marzo, con trenes cada veinte\nminutos durante la madrugada.\n\nViajeros en la estación de Colón de Valencia durante las Fallas de 2023.\nFoto: EFE/Kai Försterling",
                2,
            ),
            (
                "Neue Fähre für die Halligen\n\nHusum (dpa/lno) - Die Halligen bekommen eine neue Fähre. Das\nSchiff soll ab April zwischen Schlüttsiel und den Inseln\nHooge und Langeneß pendeln, teilte die Reederei am Dienstag\nmit. Die alte Fähre war seit mehr als vierzig Jahren im\nEinsatz und fiel zuletzt im Winter mehrfach wegen eines\nMotorschadens aus, die Bewohner mussten tagelang auf\nLieferungen warten.\n\nDas neue Schiff fährt mit einem Hybridantrieb und kann bei\nNiedrigwasser mehr Fahrgäste aufnehmen. Die Kosten von rund\nzwölf Millionen Euro trägt zum größten Teil das Land, wie\nein Sprecher sagte.\n\nDie neue Fähre liegt zur Ausrüstung in einer Werft in Wolgast bereit.\nFoto: Stefan Sauer/dpa",
                2,
            ),
        ] {
            let got = texts(text);
            let joined: Vec<&String> = got.iter().filter(|t| t.len() > 120).collect();
            assert_eq!(joined.len(), paragraphs, "{got:#?}");
            assert!(got.iter().any(|t| t.starts_with("Foto:")), "{got:#?}");
        }
    }

    #[test]
    fn a_line_indented_deeper_than_the_one_before_opens_a_unit() {
        // Wire copy: the headline flush left, the byline and the text indented under it. The
        // byline's first word would not fit on the headline's line, yet it is no wrap.
        for (text, headline, byline) in [
            (
                "Court says Ohio teacher pension fund broke trust rules in cutting raises
   By MARCUS ELLINGTON
   Associated Press

   COLUMBUS, Ohio (AP) - Ohio's largest teacher pension fund violated
   its duty to retirees when it suspended cost-of-living increases three
   years ago, a state appeals court ruled on Thursday in Columbus.",
                "Court says Ohio teacher pension fund broke trust rules in cutting raises",
                "By MARCUS ELLINGTON",
            ),
            (
                "Landgericht kippt Kürzung der Betriebsrenten bei den Stadtwerken Kassel
   Von Jana Petersen
   dpa

   Kassel (dpa) - Das Landgericht hat die Kürzung der Betriebsrenten bei
   den Stadtwerken für unwirksam erklärt, weil die Versicherten nicht
   rechtzeitig informiert worden seien, teilte ein Sprecher am Montag mit.",
                "Landgericht kippt Kürzung der Betriebsrenten bei den Stadtwerken Kassel",
                "Von Jana Petersen",
            ),
        ] {
            let got = texts(text);
            assert_eq!(got[0], headline, "{got:#?}");
            assert_eq!(got[1], byline, "{got:#?}");
            // The indented paragraph's own lines still join.
            assert!(got.iter().any(|t| t.len() > 180), "{got:#?}");
        }
    }

    #[test]
    fn lines_of_every_length_are_no_wrapped_copy() {
        let page = "Startseite Politik Wirtschaft Sport Kultur Wissen Panorama\nStadtrat beschließt neue Radwege entlang der Hafenstraße\nvon Anna Berg, aktualisiert am 12. März 2024 um 14:52 Uhr\nDer Stadtrat hat am Montag beschlossen, entlang der Hafenstraße geschützte Radwege zu bauen, und damit einen Streit beendet, der mehr als zwei Jahre gedauert hatte.\nMehr zum Thema";
        assert_eq!(texts(page).len(), 5);
    }

    #[test]
    fn joined_and_single_line_units_mix_in_a_wrapped_document() {
        // Joined units get their text from the joined buffer, the others borrow their line.
        let text = "Kurzer Titel\n\nGenova, 14 mag. (LaPresse) – Un tratto di circa venti metri del muro di\ncontenimento che sostiene il terrapieno di via Cantore, a Sampierdarena, è\ncrollato nella notte invadendo la carreggiata sottostante. Il cedimento è\navvenuto poco dopo le 2.30.\nFoto: Max Muster/dpa\n\nEin zweiter Absatz, ebenfalls umbrochen, mit einem langen ersten Teil bis\nhierher und dem Rest.";
        let lines = lines(text);
        let mut joined = String::new();
        let (units, _) = segment(
            &lines,
            &mut joined,
            &crate::rules::test_rules().common().hyphen_keepers,
        );
        let got: Vec<(&str, u32, u32, u32, u32)> = units
            .iter()
            .map(|u| (u.text, u.line, u.last_line, u.group, u.group_len))
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0], ("Kurzer Titel", 1, 1, 0, 1));
        assert!(got[1].0.starts_with("Genova, 14 mag.") && got[1].0.ends_with("le 2.30."));
        assert!(got[1].0.contains("muro di contenimento"));
        assert_eq!(got[1].1..=got[1].2, 3..=6);
        assert_eq!(got[2], ("Foto: Max Muster/dpa", 7, 7, 1, 2));
        assert_eq!(
            got[3],
            (
                "Ein zweiter Absatz, ebenfalls umbrochen, mit einem langen ersten Teil bis hierher und dem Rest.",
                9,
                10,
                2,
                1
            )
        );
    }

    #[test]
    fn hyphenation_is_undone_only_where_it_was_a_break() {
        let text = "Der Wasserstand der Mosel ist am Sonntag weiter gestiegen, meldet das Was-\nserstandsamt. Die Wasserstraßen- und Schifffahrtsverwaltung stellte den Ver-\nund Entsorgungsverkehr ein und sperrte die Straße zwischen Trier und Konz\nbis zum frühen Montagmorgen für den gesamten Verkehr in beide Richtungen.";
        let got = texts(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].contains("Wasserstandsamt"), "{}", got[0]);
        assert!(got[0].contains("Ver- und Entsorgungsverkehr"), "{}", got[0]);
    }

    #[test]
    fn stacked_short_lines_stay_apart() {
        let text = "Hochwasser an der Mosel\nPegel in Trier steigt weiter – Uferstraßen gesperrt";
        assert_eq!(texts(text).len(), 2);
        let text = "Bild vergrößern\nLeere Anzeigetafel im Frankfurter Hauptbahnhof am Donnerstagmorgen\nLeere Anzeigetafel im Frankfurter Hauptbahnhof am Donnerstagmorgen\nFoto: Moritz Albers / dpa";
        assert_eq!(texts(text).len(), 4);
    }

    #[test]
    fn one_paragraph_per_line_stays_apart() {
        let a = "This is a long first paragraph that goes on well past the width of any wire service line and ends here.";
        let b = "And this is the second paragraph, also long, also well past the width of a hard-wrapped wire line.";
        assert_eq!(texts(&format!("{a}\n{b}")).len(), 2);
    }

    #[test]
    fn units_know_their_lines_and_groups() {
        let lines = lines("A\nB\n\nC");
        let mut joined = String::new();
        let (units, _) = segment(
            &lines,
            &mut joined,
            &crate::rules::test_rules().common().hyphen_keepers,
        );
        assert_eq!(
            (units[1].line, units[1].group, units[1].group_len),
            (2, 0, 2)
        );
        assert_eq!(
            (units[2].line, units[2].group, units[2].group_len),
            (4, 1, 1)
        );
    }
}
