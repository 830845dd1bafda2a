//! Line patterns with a counted run of any character at an edge: `^.{0,120}all rights
//! reserved.{0,200}$`. Compiled as written, each `.` of a run is a copy of the automaton for
//! one character (with Unicode, several states each), and a lazy DFA walking the run keeps a
//! state per character counted: the runs were most of a rule file's compiled size. Here the runs
//! are taken off: the pattern is checked as its core (`all rights reserved`, compiled alone) and
//! a count of the characters before and after it, in code. Same lines match.

use regex_automata::{Anchored, Input, MatchKind, meta};
use regex_syntax::hir::{Dot, Hir, HirKind, Look, Repetition};

/// Runs shorter than this cost too little to be worth a check of their own.
const MIN_COUNTED_RUN: u32 = 8;

/// A counted run of any character: `.{min,max}`; `lf`: its `.` takes a line feed (`(?s)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    min: usize,
    max: usize,
    lf: bool,
}

impl Run {
    /// `.{min,max}` with `max` at least `MIN_COUNTED_RUN`; `None` for anything else.
    fn of(hir: &Hir) -> Option<Run> {
        let HirKind::Repetition(rep) = hir.kind() else {
            return None;
        };
        let lf = if *rep.sub == Hir::dot(Dot::AnyCharExceptLF) {
            false
        } else if *rep.sub == Hir::dot(Dot::AnyChar) {
            true
        } else {
            return None;
        };
        let max = rep.max.filter(|&m| m >= MIN_COUNTED_RUN)?;
        Some(Run {
            min: usize::try_from(rep.min).ok()?,
            max: usize::try_from(max).ok()?,
            lf,
        })
    }

    /// The run made unbounded: `.*`, of the same `.`.
    fn unbounded(self) -> Hir {
        Hir::repetition(Repetition {
            min: 0,
            max: None,
            greedy: true,
            sub: Box::new(Hir::dot(if self.lf {
                Dot::AnyChar
            } else {
                Dot::AnyCharExceptLF
            })),
        })
    }
}

/// A pattern `^RUN CORE RUN$` (either run may be missing, not both), checked as `CORE` and a
/// count of characters on each side.
#[derive(Debug)]
pub(super) struct Counted {
    head: Option<Run>,
    tail: Option<Run>,
    /// The core alone (opening with `^` where no head run stands before it), with "all"
    /// match semantics: an anchored search reports the longest match.
    core: meta::Regex,
}

/// A pattern with its counted runs taken off.
#[derive(Debug)]
pub(super) struct Split {
    pub counted: Counted,
    /// The pattern with each run made `.*`: it matches every line the pattern matches (and
    /// more); where it is in a set, the set is asked first and `counted` decides.
    pub relaxed: String,
}

/// Splits `pattern` (expanded: what `regex` would compile) into its runs and its core; `None`
/// where it has no counted run at its start or end, or does not parse.
pub(super) fn split(pattern: &str, size_limit: usize, cache: usize) -> Option<Split> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let HirKind::Concat(items) = hir.kind() else {
        return None;
    };
    let [start, rest @ ..] = items.as_slice() else {
        return None;
    };
    if *start.kind() != HirKind::Look(Look::Start) {
        return None;
    }
    let (head, body) = match rest.split_first().and_then(|(h, r)| Some((Run::of(h)?, r))) {
        Some((run, body)) => (Some(run), body),
        None => (None, rest),
    };
    let (tail, body) = match body {
        [core @ .., run, end] if *end.kind() == HirKind::Look(Look::End) => match Run::of(run) {
            Some(run) => (Some(run), core),
            None => (None, body),
        },
        _ => (None, body),
    };
    if head.is_none() && tail.is_none() {
        return None;
    }
    let mut core = Vec::with_capacity(body.len() + 1);
    if head.is_none() {
        core.push(start.clone());
    }
    core.extend(body.iter().cloned());
    let mut relaxed = vec![start.clone()];
    relaxed.extend(head.map(Run::unbounded));
    relaxed.extend(body.iter().cloned());
    if let Some(run) = tail {
        relaxed.push(run.unbounded());
        relaxed.push(Hir::look(Look::End));
    }
    let core = meta::Builder::new()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::All)
                .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
                .nfa_size_limit(Some(size_limit))
                .hybrid_cache_capacity(cache),
        )
        .build_from_hir(&Hir::concat(core))
        .ok()?;
    Some(Split {
        counted: Counted { head, tail, core },
        relaxed: Hir::concat(relaxed).to_string(),
    })
}

impl Counted {
    /// Whether the whole pattern matches `h`: a match of the core from `p` to `q` with as many
    /// characters before `p` and after `q` as the runs allow (and no line feed in them where
    /// their `.` takes none).
    pub fn is_match(&self, h: &str) -> bool {
        let (q_lo, q_hi) = match self.tail {
            None => (0, h.len()),
            Some(run) => match tail_ends(h, run) {
                Some(range) => range,
                None => return false,
            },
        };
        let core_from = |p: usize| -> bool {
            if p > q_hi {
                return false;
            }
            let input = Input::new(h).range(p..q_hi).anchored(Anchored::Yes);
            match self.tail {
                None => self.core.is_match(input),
                // "All" semantics: the longest match ending by `q_hi`.
                Some(_) => self.core.search(&input).is_some_and(|m| m.end() >= q_lo),
            }
        };
        let Some(run) = self.head else {
            return core_from(0);
        };
        let (mut p, mut counted) = (0, 0);
        loop {
            if counted >= run.min && core_from(p) {
                return true;
            }
            if counted == run.max {
                return false;
            }
            let Some(c) = h.get(p..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            if c == '\n' && !run.lf {
                return false;
            }
            p += c.len_utf8();
            counted += 1;
        }
    }
}

/// Where a match of the core may end for the tail run to fit after it: the byte offsets `q_lo
/// ..= q_hi` with between `run.min` and `run.max` characters after them (and no line feed, where
/// the run takes none); `None` where no offset does.
fn tail_ends(h: &str, run: Run) -> Option<(usize, usize)> {
    let (mut q, mut counted) = (h.len(), 0);
    let mut hi = None;
    let mut lo = h.len();
    loop {
        if counted == run.min {
            hi = Some(q);
        }
        if counted >= run.min {
            lo = q;
        }
        if counted == run.max {
            break;
        }
        let Some(c) = h.get(..q).and_then(|before| before.chars().next_back()) else {
            break;
        };
        if c == '\n' && !run.lf {
            break;
        }
        q -= c.len_utf8();
        counted += 1;
    }
    hi.map(|hi| (lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_of(p: &str) -> Option<Split> {
        split(p, 64 << 20, 2 << 20)
    }

    #[test]
    fn runs_at_the_edges_are_taken_off_and_others_left() {
        let s = split_of(r"(?i)^.{0,120}all rights reserved.{0,200}$").unwrap();
        assert_eq!(s.counted.head.map(|r| (r.min, r.max)), Some((0, 120)));
        assert_eq!(s.counted.tail.map(|r| (r.min, r.max)), Some((0, 200)));
        assert!(!s.relaxed.contains("120") && !s.relaxed.contains("200"));
        let s = split_of(r"^Source\s*:\s*\S.{0,80}$").unwrap();
        assert!(s.counted.head.is_none() && s.counted.tail.is_some());
        // Not at an edge, not counted, too short, or not any character.
        assert!(split_of(r"^(?:©|Copyright).{0,100}All rights reserved").is_none());
        assert!(split_of(r"^.*contributed to this report$").is_none());
        assert!(split_of(r"^.{0,5}by the desk$").is_none());
        assert!(split_of(r"^[^|]{0,40}x$").is_none());
        assert!(split_of(r"(?m)^.{0,40}x.{0,40}$").is_none());
    }

    #[test]
    fn counted_patterns_match_exactly_the_lines_their_regex_matches() {
        let patterns = [
            r"(?i)^.{0,12}rights reserved.{0,10}$",
            r"^.{2,9}(?:ab|a)\b.{3,8}$",
            r"^.{0,9}ab$",
            r"(?i)^x.{1,9}$",
            r"(?s)^.{0,8}b.{0,8}$",
            r"^(?:a|ab).{0,8}b?.{0,10}$",
            r"^.{0,10}é\s*b*.{0,9}$",
        ];
        let pieces = [
            "rights reserved",
            "RIGHTS",
            " reserved",
            "ab",
            "a",
            "b",
            "x",
            " ",
            "é",
            "\n",
            "©2024 ",
        ];
        for pattern in patterns {
            let original = regex::Regex::new(pattern).unwrap();
            let s = split_of(pattern).unwrap_or_else(|| panic!("{pattern} is counted"));
            let relaxed = regex::Regex::new(&s.relaxed).unwrap();
            let mut runner = proptest::test_runner::TestRunner::default();
            let lines = proptest::collection::vec(0..pieces.len(), 0..12);
            let result = runner.run(&lines, |picks| {
                let line: String = picks.iter().map(|&i| pieces[i]).collect();
                let expected = original.is_match(&line);
                proptest::prop_assert_eq!(s.counted.is_match(&line), expected, "{:?}", line);
                proptest::prop_assert!(!expected || relaxed.is_match(&line), "{:?}", line);
                Ok(())
            });
            assert!(result.is_ok(), "{pattern}: {result:?}");
        }
    }
}
