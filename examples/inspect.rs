//! Shows how the model reads labelled documents: every unit with the roles its labels allow and
//! the role the decoder gives it, `!` where they differ.
//! `cargo run --release --example inspect -- CASE_DIR...`; with `--summary`, only the counts of
//! each (label → decoded role) disagreement. `COPYDESK_RULES=DIR` reads another model.
use std::collections::BTreeMap;

use copydesk::Rules;
use copydesk::engine::roles::{Steer, decode};
use copydesk::engine::types::{Role, states};
use copydesk::train::{Sample, case_sample};

/// A feature's name with flag and lexicon values spelled out.
fn readable(id: u32) -> String {
    use copydesk::engine::types::{Flag, Lex, feature_name};
    let name = feature_name(id);
    let Some((t, v)) = name.split_once('=') else {
        return name;
    };
    let v: usize = v.parse().unwrap_or(usize::MAX);
    let key = if t.ends_with("flag") {
        Flag::ALL.get(v).map(|f| f.key())
    } else if t.ends_with("lex") {
        Lex::ALL.get(v).map(|l| l.key())
    } else {
        None
    };
    key.map_or(name.clone(), |k| format!("{t}={k}"))
}

fn roles_of(mask: u16) -> String {
    if mask == Role::ALL.iter().fold(0, |m, r| m | r.bit()) {
        return "*".into();
    }
    Role::ALL
        .iter()
        .filter(|r| mask & r.bit() != 0)
        .map(|r| r.key())
        .collect::<Vec<_>>()
        .join("|")
}

fn show(s: &Sample, rules: &Rules, summary: &mut Option<BTreeMap<(String, String), usize>>) {
    let st = states();
    let path = decode(&s.observed, rules.model(), Steer::default()).unwrap_or_default();
    if summary.is_none() {
        println!("== {}", s.name);
    }
    for (t, (line, text)) in s.lines.iter().enumerate() {
        let got = path.get(t).map(|&j| st[j]);
        let ok = got.is_some_and(|g| s.allowed[t] & g.role.bit() != 0);
        match summary {
            Some(m) => {
                if !ok {
                    let key = (
                        roles_of(s.allowed[t]),
                        got.map(|g| g.role.key().to_string()).unwrap_or_default(),
                    );
                    *m.entry(key).or_insert(0) += 1;
                }
            }
            None => {
                println!(
                    "{} {:>4} {:<22} {:<28} {}",
                    if ok { ' ' } else { '!' },
                    line,
                    got.map(|g| g.key()).unwrap_or_default(),
                    roles_of(s.allowed[t]),
                    text
                );
                // INSPECT_LINE=N: the features the decoder sees for the unit on line N.
                if std::env::var("INSPECT_LINE").is_ok_and(|l| l == line.to_string()) {
                    let mut ids = Vec::new();
                    copydesk::engine::features::features(t, &s.observed, &mut ids);
                    let names: Vec<String> = ids.iter().map(|&id| readable(id)).collect();
                    println!("        {}", names.join(" "));
                    let model = rules.model();
                    let scores: Vec<String> = Role::ALL
                        .iter()
                        .map(|r| format!("{}={:.2}", r.key(), model.role_score(*r, &ids)))
                        .collect();
                    println!("        role scores: {}", scores.join(" "));
                    // The features that speak most for and against the decoded role.
                    if let Some(g) = got {
                        let mut parts: Vec<(f32, String)> = ids
                            .iter()
                            .map(|&id| (model.role_score(g.role, &[id]), readable(id)))
                            .filter(|(w, _)| w.abs() >= 0.25)
                            .collect();
                        parts.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
                        let top: Vec<String> = parts
                            .iter()
                            .take(12)
                            .map(|(w, n)| format!("{n}:{w:+.2}"))
                            .collect();
                        println!("        {}: {}", g.role.key(), top.join(" "));
                    }
                }
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rules = match std::env::var_os("COPYDESK_RULES") {
        Some(dir) => Rules::with_overrides(dir.as_ref())?,
        None => Rules::embedded()?,
    };
    let mut summary = None;
    let mut gaps = false;
    let mut body_rules = false;
    for dir in std::env::args().skip(1) {
        if dir == "--body-rules" {
            body_rules = true;
            continue;
        }
        if body_rules {
            for (how, text) in copydesk::train::body_rule_matches(dir.as_ref(), &rules)? {
                println!("{how} {dir}: {text}");
            }
            continue;
        }
        if dir == "--gaps" {
            gaps = true;
            continue;
        }
        if gaps {
            for g in copydesk::train::alignment_gaps(dir.as_ref(), &rules)? {
                println!("{dir}: {g}");
            }
            continue;
        }
        if dir == "--summary" {
            summary = Some(BTreeMap::new());
            continue;
        }
        if let Some(s) = case_sample(dir.as_ref(), &rules)? {
            show(&s, &rules, &mut summary);
        }
    }
    if let Some(m) = summary {
        let mut rows: Vec<_> = m.into_iter().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        for ((label, got), n) in rows {
            println!("{n:5}  {label:<28} -> {got}");
        }
    }
    Ok(())
}
