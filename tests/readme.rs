//! The README's CLI examples are what the binary prints: `tools/readme_examples.py` runs every
//! `$ copydesk …` line of its console blocks against this build and compares (its grpcurl
//! examples run in `.ci/run` against the release server). Regenerate the shown outputs with
//! `python3 tools/readme_examples.py --bin target/release/copydesk --only copydesk --update`.

use std::process::Command;

#[test]
fn readme_cli_examples_print_what_the_readme_shows() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new("python3")
        .arg(format!("{root}/tools/readme_examples.py"))
        .args([
            "--bin",
            env!("CARGO_BIN_EXE_copydesk"),
            "--only",
            "copydesk",
        ])
        .output()
        .expect("python3 runs tools/readme_examples.py (install python3)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // "5 README examples run, 0 drifted": some ran, none drifted.
    let ran = report
        .lines()
        .find_map(|l| l.strip_suffix(" README examples run, 0 drifted"))
        .and_then(|n| n.trim().parse::<usize>().ok());
    assert!(ran.is_some_and(|n| n > 0), "{report}");
}
