//! Stage 3: lines → units. Blank lines separate groups; inside a group, hard-wrapped agency
//! lines are joined into their paragraph, while one-paragraph-per-line copy and stacked short
//! lines (kicker over headline, label over caption over credit) stay separate units.

use super::repair::Line;

/// A run of text the classifier gives one role: a paragraph, a line, a joined wrapped paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub text: String,
    /// 1-based input line of the unit's first line.
    pub line: u32,
    /// 1-based input line of the unit's last line.
    pub last_line: u32,
    /// Index of the blank-line-separated group the unit belongs to.
    pub group: usize,
    /// Position inside its group (0 = first line of the group).
    pub index_in_group: usize,
    /// Number of units in its group.
    pub group_len: usize,
}

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

/// Groups lines into units.
pub fn segment(lines: &[Line]) -> (Vec<Unit>, SegmentStats) {
    let mut units = Vec::new();
    let mut stats = SegmentStats::default();
    let width = wrap_width(lines);
    let mut group = 0;
    let mut start = 0;
    while start < lines.len() {
        if lines[start].text.is_empty() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < lines.len() && !lines[end].text.is_empty() {
            end += 1;
        }
        let before = units.len();
        segment_group(&lines[start..end], group, width, &mut units, &mut stats);
        let len = units.len() - before;
        for (i, u) in units[before..].iter_mut().enumerate() {
            u.index_in_group = i;
            u.group_len = len;
        }
        group += 1;
        start = end;
    }
    (units, stats)
}

fn char_len(s: &str) -> usize {
    s.chars().count()
}

fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

/// The column a hard-wrapped document wraps at, or `None` where it is not hard-wrapped: the
/// decision is the document's, since a caption over its credit looks like a wrapped pair of
/// lines when seen alone.
pub fn wrap_width(lines: &[Line]) -> Option<usize> {
    let width = lines.iter().map(|l| char_len(&l.text)).max()?;
    if !(MIN_WRAPPED_LINE..=MAX_WRAP_WIDTH).contains(&width) {
        return None;
    }
    let full_and_continued = lines
        .windows(2)
        .filter(|w| {
            char_len(&w[0].text) + 12 >= width
                && char_len(&w[0].text) >= MIN_WRAPPED_LINE
                && !w[1].text.is_empty()
        })
        .count();
    (full_and_continued >= MIN_WRAPPED_LINES).then_some(width)
}

/// Whether the line break after `line` is a wrap: the next line's first word would not have fit.
fn is_wrap(line: &str, next: &str, width: usize) -> bool {
    let len = char_len(line);
    if len < MIN_WRAPPED_LINE || line == next {
        return false;
    }
    len + 1 + char_len(first_word(next)) > width
}

fn segment_group(
    lines: &[Line],
    group: usize,
    width: Option<usize>,
    units: &mut Vec<Unit>,
    stats: &mut SegmentStats,
) {
    let mut current: Option<Unit> = None;
    for (i, line) in lines.iter().enumerate() {
        match current.as_mut() {
            Some(unit) if width.is_some_and(|w| is_wrap(&lines[i - 1].text, &line.text, w)) => {
                join(&mut unit.text, &line.text, stats);
                unit.last_line = line.no;
            }
            _ => {
                if let Some(done) = current.take() {
                    units.push(done);
                }
                current = Some(Unit {
                    text: line.text.clone(),
                    line: line.no,
                    last_line: line.no,
                    group,
                    index_in_group: 0,
                    group_len: 0,
                });
            }
        }
    }
    if let Some(done) = current {
        units.push(done);
    }
}

/// Words after a compound hyphen that keep it: "Wasserstraßen- und Schifffahrtsverwaltung".
const HYPHEN_KEEPERS: &[&str] = &[
    "und", "oder", "bis", "sowie", "and", "or", "to", "et", "ou", "y", "o", "e", "i", "a", "en",
    "of", "och", "og", "und/oder",
];

/// Joins a wrapped line onto its paragraph, undoing end-of-line hyphenation where the next line
/// starts in lower case ("Was-" + "serstand" → "Wasserstand").
fn join(text: &mut String, next: &str, stats: &mut SegmentStats) {
    let hyphenated = text.ends_with('-')
        && text[..text.len() - 1]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphabetic());
    if hyphenated {
        let word = first_word(next);
        let lower_start = word.chars().next().is_some_and(|c| c.is_lowercase());
        let keeper = HYPHEN_KEEPERS.contains(&word.trim_end_matches([',', '.']));
        if keeper {
            text.push(' ');
        } else if lower_start {
            text.pop();
            stats.hyphenations_undone += 1;
        }
        // An upper-case start keeps the hyphen with no space: "Ost-" + "West-Konflikt".
    } else if !ends_without_space(text) {
        text.push(' ');
    }
    text.push_str(next);
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

    fn lines(text: &str) -> Vec<Line> {
        text.split('\n')
            .enumerate()
            .map(|(i, t)| Line {
                no: i as u32 + 1,
                text: t.to_string(),
            })
            .collect()
    }

    fn texts(text: &str) -> Vec<String> {
        segment(&lines(text))
            .0
            .into_iter()
            .map(|u| u.text)
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
        let (units, _) = segment(&lines("A\nB\n\nC"));
        assert_eq!(
            (units[1].line, units[1].group, units[1].index_in_group),
            (2, 0, 1)
        );
        assert_eq!(
            (units[2].line, units[2].group, units[2].group_len),
            (4, 1, 1)
        );
    }
}
