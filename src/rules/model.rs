//! The role model: the fitted weights that turn a unit's features into scores for each role and
//! zone, and the transitions between the decoder's states. Data, like the rule files: written by
//! the training command (`cargo run --release --example train`, see `docs/quality.md`),
//! embedded from `rules/roles.tsv`, parsed and validated once at start-up.
//!
//! The file is tab-separated text, one weight a line, `#` comments:
//!
//! ```text
//! role   body        chars=7              0.8125
//! zone   tail        flag=ends_sentence  -0.25
//! trans  body.body   tail.boilerplate    -1.5
//! start  top.furniture                    0.5
//! end    tail.signature                   0.75
//! ```

use super::RulesError;
use crate::engine::types::{
    Role, State, Zone, feature_by_name, feature_count, feature_name, states,
};

/// The weights of the role decoder.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    features: usize,
    /// `[role][feature]`.
    role: Vec<f32>,
    /// `[zone][feature]`.
    zone: Vec<f32>,
    /// `[from state][to state]`.
    trans: Vec<f32>,
    start: Vec<f32>,
    end: Vec<f32>,
    /// The file's `#` lines: what it was trained on and how.
    pub header: Vec<String>,
}

impl Model {
    /// A model with every weight zero.
    pub fn zeros() -> Model {
        let features = feature_count();
        let n = states().len();
        Model {
            features,
            role: vec![0.0; Role::ALL.len() * features],
            zone: vec![0.0; Zone::ALL.len() * features],
            trans: vec![0.0; n * n],
            start: vec![0.0; n],
            end: vec![0.0; n],
            header: Vec::new(),
        }
    }

    /// Score of `role` for a unit with these features.
    pub fn role_score(&self, role: Role, features: &[u32]) -> f32 {
        let row = &self.role[role.index() * self.features..][..self.features];
        features.iter().map(|&f| row[f as usize]).sum()
    }

    /// Score of `zone` for a unit with these features.
    pub fn zone_score(&self, zone: Zone, features: &[u32]) -> f32 {
        let row = &self.zone[zone.index() * self.features..][..self.features];
        features.iter().map(|&f| row[f as usize]).sum()
    }

    /// Weight of moving from state `from` to state `to` (indices into `states()`).
    pub fn trans(&self, from: usize, to: usize) -> f32 {
        self.trans[from * self.start.len() + to]
    }

    pub fn start(&self, state: usize) -> f32 {
        self.start[state]
    }

    pub fn end(&self, state: usize) -> f32 {
        self.end[state]
    }

    /// Adds `by` to the weights of `features` for `role` and `zone` (training).
    pub fn add_emission(&mut self, role: Role, zone: Zone, features: &[u32], by: f32) {
        let f = self.features;
        for &x in features {
            self.role[role.index() * f + x as usize] += by;
            self.zone[zone.index() * f + x as usize] += by;
        }
    }

    pub fn add_trans(&mut self, from: usize, to: usize, by: f32) {
        let n = self.start.len();
        self.trans[from * n + to] += by;
    }

    pub fn add_start(&mut self, state: usize, by: f32) {
        self.start[state] += by;
    }

    pub fn add_end(&mut self, state: usize, by: f32) {
        self.end[state] += by;
    }

    /// Every weight, in a fixed order (for averaging during training).
    pub fn weights_mut(&mut self) -> impl Iterator<Item = &mut f32> {
        self.role
            .iter_mut()
            .chain(self.zone.iter_mut())
            .chain(self.trans.iter_mut())
            .chain(self.start.iter_mut())
            .chain(self.end.iter_mut())
    }

    pub fn weights(&self) -> impl Iterator<Item = f32> + '_ {
        self.role
            .iter()
            .chain(self.zone.iter())
            .chain(self.trans.iter())
            .chain(self.start.iter())
            .chain(self.end.iter())
            .copied()
    }

    /// The model as the file `parse` reads: non-zero weights only, in a fixed order, four
    /// decimals (so that the same training gives the same file, byte for byte).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for h in &self.header {
            out.push_str("# ");
            out.push_str(h);
            out.push('\n');
        }
        let fmt = |w: f32| format!("{w:.4}");
        let keep = |w: f32| fmt(w) != "0.0000" && fmt(w) != "-0.0000";
        for role in Role::ALL {
            for f in 0..self.features {
                let w = self.role[role.index() * self.features + f];
                if keep(w) {
                    out.push_str(&format!(
                        "role\t{}\t{}\t{}\n",
                        role.key(),
                        feature_name(f as u32),
                        fmt(w)
                    ));
                }
            }
        }
        for zone in Zone::ALL {
            for f in 0..self.features {
                let w = self.zone[zone.index() * self.features + f];
                if keep(w) {
                    out.push_str(&format!(
                        "zone\t{}\t{}\t{}\n",
                        zone.key(),
                        feature_name(f as u32),
                        fmt(w)
                    ));
                }
            }
        }
        let s = states();
        for (i, a) in s.iter().enumerate() {
            for (j, b) in s.iter().enumerate() {
                let w = self.trans(i, j);
                if keep(w) && a.can_precede(*b) {
                    out.push_str(&format!("trans\t{}\t{}\t{}\n", a.key(), b.key(), fmt(w)));
                }
            }
        }
        for (i, a) in s.iter().enumerate() {
            if keep(self.start[i]) && a.can_start() {
                out.push_str(&format!("start\t{}\t{}\n", a.key(), fmt(self.start[i])));
            }
        }
        for (i, a) in s.iter().enumerate() {
            if keep(self.end[i]) {
                out.push_str(&format!("end\t{}\t{}\n", a.key(), fmt(self.end[i])));
            }
        }
        out
    }

    /// Reads a model file. Every name must be a role, zone, state or feature this build knows;
    /// a file written for other features is refused with the line named.
    pub fn parse(file: &str, text: &str) -> Result<Model, RulesError> {
        let mut model = Model::zeros();
        let s = states();
        let state_index = |key: &str| s.iter().position(|x| x.key() == key);
        for (n, line) in text.lines().enumerate() {
            let bad = |message: String| RulesError::Invalid {
                file: file.to_string(),
                message: format!("line {}: {message}", n + 1),
            };
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix('#') {
                model.header.push(h.trim().to_string());
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let weight = |s: &str| {
                s.parse::<f32>()
                    .ok()
                    .filter(|w| w.is_finite())
                    .ok_or_else(|| bad(format!("{s:?} is not a finite number")))
            };
            let feature = |s: &str| {
                feature_by_name(s).ok_or_else(|| {
                    bad(format!(
                        "unknown feature {s:?}: the model was trained for another build; retrain it"
                    ))
                })
            };
            let state = |k: &str| state_index(k).ok_or_else(|| bad(format!("unknown state {k:?}")));
            let f = model.features;
            match fields.as_slice() {
                ["role", role, feat, w] => {
                    let role = Role::from_key(role)
                        .ok_or_else(|| bad(format!("unknown role {role:?}")))?;
                    model.role[role.index() * f + feature(feat)? as usize] = weight(w)?;
                }
                ["zone", zone, feat, w] => {
                    let zone = Zone::from_key(zone)
                        .ok_or_else(|| bad(format!("unknown zone {zone:?}")))?;
                    model.zone[zone.index() * f + feature(feat)? as usize] = weight(w)?;
                }
                ["trans", from, to, w] => {
                    let (i, j) = (state(from)?, state(to)?);
                    if !s[i].can_precede(s[j]) {
                        return Err(bad(format!("{from} can never precede {to}")));
                    }
                    let n = s.len();
                    model.trans[i * n + j] = weight(w)?;
                }
                ["start", st, w] => {
                    let i = state(st)?;
                    model.start[i] = weight(w)?;
                }
                ["end", st, w] => {
                    let i = state(st)?;
                    model.end[i] = weight(w)?;
                }
                _ => {
                    return Err(bad(
                        "expected `role|zone NAME FEATURE WEIGHT`, `trans FROM TO WEIGHT` or `start|end STATE WEIGHT`".into(),
                    ));
                }
            }
        }
        Ok(model)
    }

    /// Whether a state of `states()` is `state`.
    pub fn state_index(state: State) -> Option<usize> {
        states().iter().position(|s| *s == state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::types::tpl;

    #[test]
    fn a_model_round_trips_through_its_text() {
        let mut m = Model::zeros();
        m.header.push("test".into());
        let f = crate::engine::types::feature_id(tpl::CHARS, 3);
        m.add_emission(Role::Body, Zone::Body, &[f], 1.5);
        m.add_trans(0, 1, -0.25);
        m.add_start(0, 0.5);
        m.add_end(2, 0.75);
        let text = m.to_text();
        assert_eq!(Model::parse("roles.tsv", &text).unwrap(), m);
    }

    #[test]
    fn unknown_names_are_refused_with_the_line() {
        let err = Model::parse(
            "roles.tsv",
            "role\tbody\tchars=3\t1\nrole\tbody\tnope=1\t1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 2") && err.contains("nope=1"), "{err}");
        let err = Model::parse("roles.tsv", "trans\ttail.meta\tbody.body\t1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("never precede"), "{err}");
        assert!(Model::parse("roles.tsv", "role\tbody\tchars=3\tNaN\n").is_err());
    }
}
