//! The role the decoder gives every line of every fixture, as a snapshot beside the fixture
//! (`tests/fixtures/<case>/roles.txt`, rust-analyzer's `expect_file!` style). A change of the
//! model, the features or the rules that moves a line shows here as a diff to review:
//! `UPDATE_EXPECT=1 cargo test --test roles` rewrites the snapshots after a deliberate change
//! (a retrained `rules/roles.tsv`, a new feature).

use std::path::{Path, PathBuf};

use copydesk::Rules;
use copydesk::engine::{Config, Input, read};
use expect_test::expect_file;

/// One line per unit: its first input line, its role, and its text (shortened).
fn roles_of(input: &Input, rules: &Rules) -> String {
    read(input, rules, &Config::default(), None, |r| {
        let mut out = format!("language {}\n", r.detection.language.code);
        for (u, role) in r.units.iter().zip(&r.roles) {
            let t = u.text.trim();
            let short: String = t.chars().take(72).collect();
            let more = if t.chars().count() > 72 { "…" } else { "" };
            out.push_str(&format!("{:>4} {:<12} {short}{more}\n", u.line, role.key()));
        }
        out
    })
    .unwrap_or_else(|e| format!("error: {e}\n"))
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("input.txt").exists() || p.join("input.bin").exists())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_line_keeps_its_role() {
    let rules = Rules::embedded().expect("embedded rules");
    let dirs = fixtures();
    assert!(dirs.len() >= 26, "fixtures for every language");
    for dir in dirs {
        let roles = match std::fs::read_to_string(dir.join("input.txt")) {
            Ok(text) => roles_of(&Input::text(&text), &rules),
            Err(_) => {
                let raw = std::fs::read(dir.join("input.bin")).expect("input.bin");
                roles_of(&Input::raw(&raw), &rules)
            }
        };
        expect_file![dir.join("roles.txt")].assert_eq(&roles);
    }
}
