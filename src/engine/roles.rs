//! Stage: decide. The role of every unit, chosen once for the whole document: the most probable
//! sequence of decoder states (a role in a zone of the layout: top matter, headline, the matter
//! under it, body, tail) under the fitted model, found by Viterbi. A unit's score for a state is
//! the model's weights of its features for the state's role and zone; moving from one state to
//! the next has a weight of its own, and moves a layout never makes (back from the tail into the
//! body, a second headline, a kicker that is not right above the headline) are not possible.
//!
//! Nothing here knows a word of any language: the evidence is in `features`, the weights in
//! `rules/roles.tsv`.

use std::sync::OnceLock;

use super::features::{Obs, Observed, features};
use super::types::{Flag, Lex, Role, Zone, states};
use crate::engine::article::ArtefactKind;
use crate::rules::Model;

const NEG: f32 = f32::NEG_INFINITY;
/// Longest line an ad rule holds out of the body, in characters: a placeholder, not a paragraph.
const AD_SLOT_CHARS: u32 = 120;

/// For each state, the states that may precede it.
fn predecessors() -> &'static Vec<Vec<usize>> {
    static PRED: OnceLock<Vec<Vec<usize>>> = OnceLock::new();
    PRED.get_or_init(|| {
        let s = states();
        (0..s.len())
            .map(|j| (0..s.len()).filter(|&i| s[i].can_precede(s[j])).collect())
            .collect()
    })
}

/// Whether a unit can play a role at all, whatever the weights say. A headline, a byline, a
/// credit are lines, not paragraphs (`Role::max_chars`); and a line the rule files know whole —
/// a label of the language's lexicon, a signature, a byline opener with names, a credit opening
/// with a credit word — never
/// stays in the body. (Every other piece of lexicon evidence is weighed, not obeyed.)
pub fn admissible(o: &Obs, role: Role) -> bool {
    if o.chars() > role.max_chars() {
        return false;
    }
    let known_line = o.rule().is_some() && o.rule_how() == 0;
    // A known label is furniture or a kicker, never a field of the story.
    if known_line
        && matches!(
            role,
            Role::Headline | Role::Dateline | Role::Byline | Role::Signature
        )
    {
        return false;
    }
    // A consent button, a share or newsletter prompt, an ad marker is no kicker either.
    if role == Role::Kicker
        && o.rule().is_some_and(|k| {
            matches!(
                k,
                ArtefactKind::ConsentNotice
                    | ArtefactKind::NewsletterPrompt
                    | ArtefactKind::SharePrompt
                    | ArtefactKind::Advertisement
                    | ArtefactKind::CopyrightFooter
            )
        })
    {
        return false;
    }
    // A byline opener with names and no credit word ("Par Élodie Vasseur - 27 juin 2024 à
    // 18:05") signs the story; it credits no picture.
    if role == Role::Credit
        && o.lex(Lex::Byline)
        && ![
            Lex::CreditWhole,
            Lex::CreditTail,
            Lex::CreditWordStart,
            Lex::CreditWordInside,
            Lex::CreditCreators,
        ]
        .iter()
        .any(|&l| o.lex(l))
    {
        return false;
    }
    if role.is_body() {
        // A short line a prefix or pattern names ("Sign up for our newsletter", "Read more:
        // …") is that; a sentence that merely opens like one ("Read more about it, she said.")
        // is weighed.
        let named_line = o.rule().is_some() && o.chars() <= 80 && !o.has(Flag::EndsSentence);
        // An ad slot's placeholder says so in a sentence ("This advertisement has not loaded
        // yet, but your article continues below."): a line an ad rule opens is no text.
        let ad_slot = o.rule() == Some(ArtefactKind::Advertisement) && o.chars() <= AD_SLOT_CHARS;
        let signature = o.lex(Lex::Signature) || o.lex(Lex::Byline);
        let credit = o.lex(Lex::CreditWhole) && o.lex(Lex::CreditWordStart);
        return !(known_line || named_line || ad_slot || signature || credit);
    }
    true
}

/// How a decode may be steered (training only): the roles each unit may take, and a bonus for
/// states outside the gold roles (loss-augmented decoding).
#[derive(Debug, Clone, Copy, Default)]
pub struct Steer<'a> {
    /// Per unit, a bit mask of allowed roles (`Role::bit`).
    pub allowed: Option<&'a [u16]>,
    /// Per unit, the gold roles, and the bonus given to every other role.
    pub loss: Option<(&'a [u16], f32)>,
}

/// The role of every unit. A document with prose has a body: where the best sequence keeps
/// none of it, the longest unit of prose is held to the body and the rest decided again.
pub fn decide(observed: &Observed, model: &Model) -> Vec<Role> {
    decide_within(observed, model, &[])
}

/// What a format's own structure says of a unit (`Carried::prose`, `Carried::headings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A paragraph of the article: held to the body (text, standfirst or subheading).
    Prose,
    /// A heading inside the article: held to the body's subheadings or its text.
    Heading,
    /// The story's dateline on a line of its own.
    Dateline,
    /// A picture's credit line under its caption.
    Credit,
    /// An item of a list the article's text announces: held to the body's text.
    Item,
    /// A caption line of a shape the rule files give.
    Caption,
    /// Other stories under a label that announces them: removed matter.
    Related,
    /// A line on the story right over its headline.
    Kicker,
    /// A reporter's name and trade: the byline, or under the text the signature.
    Byline,
    /// The publication's name over the story: furniture, never its kicker.
    Masthead,
    /// The story's title over the credit of its picture: the headline.
    Title,
}

impl Mark {
    /// The roles a unit so marked may take.
    fn roles(self) -> u16 {
        match self {
            Mark::Prose => Role::Body.bit() | Role::Standfirst.bit() | Role::Subheading.bit(),
            Mark::Heading => Role::Subheading.bit() | Role::Body.bit(),
            Mark::Dateline => Role::Dateline.bit(),
            Mark::Credit => Role::Credit.bit(),
            Mark::Item => Role::Body.bit(),
            Mark::Caption => Role::Caption.bit(),
            Mark::Kicker => Role::Kicker.bit(),
            Mark::Byline => Role::Byline.bit() | Role::Signature.bit(),
            Mark::Masthead => Role::Furniture.bit(),
            Mark::Title => Role::Headline.bit(),
            Mark::Related => {
                Role::Related.bit()
                    | Role::Meta.bit()
                    | Role::Furniture.bit()
                    | Role::Boilerplate.bit()
            }
        }
    }

    /// The role a rule file must allow for the mark to hold: a unit a rule file names (a
    /// label, a byline, a credit; `admissible` refuses it the body) is decided as any other.
    fn role(self) -> Role {
        match self {
            Mark::Prose => Role::Body,
            Mark::Heading => Role::Subheading,
            Mark::Dateline => Role::Dateline,
            Mark::Credit => Role::Credit,
            Mark::Item => Role::Body,
            Mark::Caption => Role::Caption,
            Mark::Related => Role::Related,
            Mark::Kicker => Role::Kicker,
            Mark::Byline => Role::Byline,
            Mark::Masthead => Role::Furniture,
            Mark::Title => Role::Headline,
        }
    }
}

/// `decide`, with the units at `marks` held to what the format's structure says they are.
pub fn decide_within(observed: &Observed, model: &Model, marks: &[(usize, Mark)]) -> Vec<Role> {
    let s = states();
    let held: Vec<(usize, Mark)> = marks
        .iter()
        .copied()
        .filter(|&(i, mark)| {
            observed
                .obs
                .get(i)
                .is_some_and(|o| admissible(o, mark.role()))
        })
        .collect();
    let mut path = if held.is_empty() {
        decode(observed, model, Steer::default())
    } else {
        let mut allowed = vec![u16::MAX; observed.obs.len()];
        for &(i, mark) in &held {
            allowed[i] = mark.roles();
        }
        let steer = Steer {
            allowed: Some(&allowed),
            loss: None,
        };
        // No layout fits the marks (they cannot all be body): decided as any copy.
        decode(observed, model, steer).or_else(|| decode(observed, model, Steer::default()))
    };
    let bodiless = path
        .as_ref()
        .is_some_and(|p| !p.iter().any(|&j| s[j].role.is_body()));
    if bodiless
        && let Some(longest) = (0..observed.obs.len())
            .filter(|&i| observed.obs[i].is_prose())
            .max_by_key(|&i| (observed.obs[i].chars(), std::cmp::Reverse(i)))
    {
        let mut allowed = vec![u16::MAX; observed.obs.len()];
        allowed[longest] = Role::Body.bit() | Role::Standfirst.bit();
        let steer = Steer {
            allowed: Some(&allowed),
            loss: None,
        };
        if let Some(p) = decode(observed, model, steer) {
            path = Some(p);
        }
    }
    path.map(|path| path.into_iter().map(|i| s[i].role).collect())
        .unwrap_or_else(|| vec![Role::Body; observed.obs.len()])
}

/// Units decoded in one piece. A longer document (tens of thousands of lines, never an
/// article) is decoded piece by piece, each piece starting from the state the one before ended
/// in, so that the back pointers stay a few hundred kilobytes.
const PIECE: usize = 4096;

/// The best state sequence (indices into `states()`), or `None` where the steering leaves no
/// possible sequence.
pub fn decode(observed: &Observed, model: &Model, steer: Steer) -> Option<Vec<usize>> {
    let n = observed.obs.len();
    let mut path = Vec::with_capacity(n);
    let mut start = 0;
    while start < n || n == 0 && start == 0 {
        if n == 0 {
            break;
        }
        let end = (start + PIECE).min(n);
        let entry = path.last().copied();
        decode_piece(
            observed,
            model,
            steer,
            start..end,
            entry,
            end == n,
            &mut path,
        )?;
        start = end;
    }
    Some(path)
}

/// Viterbi over `range`, entered from state `entry` (or from the start), appended to `path`.
/// `last`: the document ends with this piece (its end weights count).
fn decode_piece(
    observed: &Observed,
    model: &Model,
    steer: Steer,
    range: std::ops::Range<usize>,
    entry: Option<usize>,
    last: bool,
    path: &mut Vec<usize>,
) -> Option<()> {
    let s = states();
    let m = s.len();
    let preds = predecessors();
    let mut feats: Vec<u32> = Vec::with_capacity(96);
    let mut role_scores = [0f32; 16];
    let mut zone_scores = [0f32; 8];
    let mut emissions = |t: usize, emit: &mut [f32]| {
        features(t, observed, &mut feats);
        for r in Role::ALL {
            role_scores[r.index()] = model.role_score(*r, &feats);
        }
        for z in Zone::ALL {
            zone_scores[z.index()] = model.zone_score(*z, &feats);
        }
        let allowed = steer.allowed.map_or(u16::MAX, |a| a[t]);
        let o = &observed.obs[t];
        for (j, st) in s.iter().enumerate() {
            emit[j] = if allowed & st.role.bit() == 0 || !admissible(o, st.role) {
                NEG
            } else {
                let mut e = role_scores[st.role.index()] + zone_scores[st.zone.index()];
                if let Some((gold, bonus)) = steer.loss
                    && gold[t] & st.role.bit() == 0
                {
                    e += bonus;
                }
                e
            };
        }
    };
    let len = range.len();
    // Back pointers, one byte per state per unit.
    let mut back = vec![0u8; len * m];
    let mut emit = vec![NEG; m];
    let mut prev = vec![NEG; m];
    emissions(range.start, &mut emit);
    for j in 0..m {
        if emit[j] == NEG {
            continue;
        }
        prev[j] = match entry {
            None if s[j].can_start() => model.start(j) + emit[j],
            Some(p) if s[p].can_precede(s[j]) => model.trans(p, j) + emit[j],
            _ => NEG,
        };
    }
    let mut cur = vec![NEG; m];
    for (k, t) in range.clone().enumerate().skip(1) {
        emissions(t, &mut emit);
        for j in 0..m {
            cur[j] = NEG;
            if emit[j] == NEG {
                continue;
            }
            let mut best = NEG;
            let mut arg = 0usize;
            for &i in &preds[j] {
                if prev[i] == NEG {
                    continue;
                }
                let v = prev[i] + model.trans(i, j);
                if v > best {
                    best = v;
                    arg = i;
                }
            }
            if best > NEG {
                cur[j] = best + emit[j];
                back[k * m + j] = arg as u8;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut best = NEG;
    let mut end_state = None;
    for (j, &p) in prev.iter().enumerate() {
        if p == NEG {
            continue;
        }
        let v = p + if last { model.end(j) } else { 0.0 };
        if v > best {
            best = v;
            end_state = Some(j);
        }
    }
    let mut j = end_state?;
    let base = path.len();
    path.resize(base + len, 0);
    for k in (0..len).rev() {
        path[base + k] = j;
        if k > 0 {
            j = back[k * m + j] as usize;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::features::{DocStats, Obs};
    use crate::engine::types::{State, feature_id, tpl};

    fn observed(n: usize) -> Observed {
        Observed {
            obs: vec![Obs::default(); n],
            doc: DocStats {
                units: n,
                ..DocStats::default()
            },
        }
    }

    fn index(zone: Zone, role: Role) -> usize {
        Model::state_index(State { zone, role }).unwrap()
    }

    #[test]
    fn a_zero_model_still_gives_a_possible_sequence() {
        let roles = decide(&observed(5), &Model::zeros());
        assert_eq!(roles.len(), 5);
    }

    #[test]
    fn units_the_format_marks_as_prose_are_held_to_the_body() {
        // Every unit prefers related matter; the marked one is body all the same.
        let mut model = Model::zeros();
        let bias = feature_id(tpl::BIAS, 0);
        for zone in [Zone::Top, Zone::Body, Zone::Tail] {
            model.add_emission(Role::Related, zone, &[bias], 5.0);
        }
        let obs = observed(4);
        let free = decide_within(&obs, &model, &[]);
        assert!(!free[2].is_body(), "{free:?}");
        let held = decide_within(&obs, &model, &[(2, Mark::Prose)]);
        assert!(held[2].is_body(), "{held:?}");
        let heading = decide_within(&obs, &model, &[(1, Mark::Heading)]);
        assert!(
            matches!(heading[1], Role::Subheading | Role::Body),
            "{heading:?}"
        );
        // A mark out of range is ignored, never a panic.
        assert_eq!(decide_within(&obs, &model, &[(99, Mark::Prose)]).len(), 4);
    }

    #[test]
    fn the_tail_never_returns_to_the_body() {
        // Every unit prefers the body, except the middle one, which strongly prefers the tail.
        let mut model = Model::zeros();
        let bias = feature_id(tpl::BIAS, 0);
        model.add_emission(Role::Body, Zone::Body, &[bias], 1.0);
        let mut obs = observed(3);
        obs.obs[1] = crate::engine::features::Obs::with_chars(1000); // other features
        let long = feature_id(tpl::CHARS, 9);
        model.add_emission(Role::Boilerplate, Zone::Tail, &[long], 10.0);
        let path = decode(&obs, &model, Steer::default()).unwrap();
        let s = states();
        // Once in the tail, the last unit cannot go back to the body.
        if s[path[1]].zone == Zone::Tail {
            assert_eq!(s[path[2]].zone, Zone::Tail);
        }
    }

    #[test]
    fn constraints_are_kept_and_an_impossible_one_gives_none() {
        let model = Model::zeros();
        let obs = observed(3);
        let allowed = [
            Role::Headline.bit(),
            Role::Body.bit(),
            Role::Signature.bit(),
        ];
        let path = decode(
            &obs,
            &model,
            Steer {
                allowed: Some(&allowed),
                loss: None,
            },
        )
        .unwrap();
        let s = states();
        let roles: Vec<Role> = path.iter().map(|&p| s[p].role).collect();
        assert_eq!(roles, vec![Role::Headline, Role::Body, Role::Signature]);
        assert_eq!(path[0], index(Zone::Title, Role::Headline));
        assert_eq!(path[1], index(Zone::Body, Role::Body));
        // Two headlines in a row: no layout has them.
        let two = [Role::Headline.bit(), Role::Headline.bit()];
        assert!(
            decode(
                &observed(2),
                &model,
                Steer {
                    allowed: Some(&two),
                    loss: None
                }
            )
            .is_none()
        );
    }
}
