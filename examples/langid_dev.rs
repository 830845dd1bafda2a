//! Dev-half diagnostics for tuning `rules/langid.toml` without looking at the held-out half.
//!
//! ```text
//! cargo run --release --example langid_dev -- ../shared/data/langid [--rules FILE] [--show EXP:GOT]
//! ```
//!
//! Reads only the FIRST half of each language's `sentences.txt` (the dev half of `langid_bench`)
//! and prints the dev mean accuracy, the dev confusable-pair rates and the dev reliable-precision.
//! `--show nb:da` also prints the dev sentences of `nb` answered `da`, with the candidates' shares,
//! so that missing *kinds* of evidence can be found. The held-out half is never read here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use copydesk::engine::language::Detector;

const PAIRS: &[(&str, &str)] = &[
    ("nb", "da"),
    ("da", "nb"),
    ("ca", "es"),
    ("es", "ca"),
    ("sr", "mk"),
    ("mk", "sr"),
    ("nl", "af"),
    ("sl", "hr"),
    ("ru", "bg"),
    ("cs", "sk"),
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = PathBuf::from("../shared/data/langid");
    let mut rules: Option<PathBuf> = None;
    let mut show: Option<(String, String)> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--rules" => {
                rules = args.get(i + 1).map(PathBuf::from);
                i += 1;
            }
            "--show" => {
                show = args.get(i + 1).and_then(|s| {
                    s.split_once(':')
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                });
                i += 1;
            }
            other => dir = PathBuf::from(other),
        }
        i += 1;
    }
    let toml_text = match &rules {
        Some(p) => std::fs::read_to_string(p).expect("rules file"),
        None => include_str!("../rules/langid.toml").to_string(),
    };
    let det = Detector::from_toml(&toml_text).unwrap_or_else(|e| {
        eprintln!("rules: {e}");
        std::process::exit(2);
    });
    let map = std::fs::read_to_string(dir.join("langmap.tsv")).expect("langmap.tsv");
    let mut accs = Vec::new();
    let mut conf: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    let (mut rel, mut rel_right) = (0usize, 0usize);
    for code in map.lines().filter_map(|l| l.split('\t').next()) {
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let text =
            std::fs::read_to_string(dir.join(code).join("sentences.txt")).unwrap_or_default();
        let items: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let dev = &items[..items.len() / 2];
        let mut right = 0usize;
        for s in dev {
            let r = det.detect(s, None);
            let got = r.language.code.clone();
            if r.language.reliable {
                rel += 1;
                if got == code {
                    rel_right += 1;
                }
            }
            if got == code {
                right += 1;
            } else {
                *conf.entry((code.to_string(), got.clone())).or_default() += 1;
                if show
                    .as_ref()
                    .is_some_and(|(a, b)| a == code && (b == &got || b == "*"))
                {
                    let cands: Vec<String> = r
                        .candidates
                        .iter()
                        .map(|c| format!("{} {:.2}", c.code, c.score))
                        .collect();
                    println!("[{got}] [{}] {s}", cands.join(", "));
                }
            }
        }
        sizes.insert(code.to_string(), dev.len());
        accs.push(100.0 * right as f64 / dev.len().max(1) as f64);
    }
    let mean = accs.iter().sum::<f64>() / accs.len() as f64;
    println!(
        "dev mean {mean:.2} %  reliable-precision {:.2} % ({} flagged)",
        100.0 * rel_right as f64 / rel.max(1) as f64,
        rel
    );
    for (a, b) in PAIRS {
        let n = conf
            .get(&(a.to_string(), b.to_string()))
            .copied()
            .unwrap_or(0);
        let size = sizes.get(*a).copied().unwrap_or(1);
        println!(
            "  {a}->{b} {:5.1} % kept {:.1}",
            100.0 * n as f64 / size as f64,
            100.0 - 100.0 * n as f64 / size as f64
        );
    }
    let mut top: Vec<_> = conf.iter().collect();
    top.sort_by(|x, y| y.1.cmp(x.1));
    let t: Vec<String> = top
        .iter()
        .take(12)
        .map(|((a, b), n)| format!("{a}->{b} {n}"))
        .collect();
    println!("  top: {}", t.join(", "));
}
