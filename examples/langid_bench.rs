//! Language-identification benchmark: raw whatlang vs copydesk's detector, side by side.
//!
//! ```text
//! cargo run --release --example langid_bench -- ../shared/data/langid [--rounds 5] [--per-lang 200] [--rules FILE]
//! ```
//!
//! Reads `<dir>/langmap.tsv` and `<dir>/<code>/{sentences,word-pairs,single-words}.txt` (lingua's
//! public test set) and prints markdown tables: accuracy per language and mean per category, the
//! confusable pairs, precision of answers marked reliable, 10-sentence paragraphs, calibration and
//! single-core throughput measured in the same run (interleaved, minimum over rounds).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use copydesk::engine::language::{Detector, iso_code};

const CATS: [&str; 3] = ["sentences", "word-pairs", "single-words"];
const PAIRS: &[(&str, &str)] = &[
    ("nb", "da"),
    ("nl", "af"),
    ("da", "nb"),
    ("sl", "hr"),
    ("ru", "bg"),
    ("sr", "mk"),
    ("ca", "es"),
    ("tr", "tk"),
    ("cs", "sk"),
    ("es", "pt"),
    ("hr", "sl"),
    ("af", "nl"),
    ("sk", "cs"),
    ("mr", "hi"),
    ("hi", "mr"),
    ("ru", "uk"),
    ("uk", "ru"),
    ("sv", "nb"),
    ("nb", "sv"),
    ("pt", "es"),
    ("es", "ca"),
    ("fa", "ur"),
    ("ur", "fa"),
    ("id", "ms"),
    ("bg", "ru"),
    ("mk", "sr"),
    ("be", "ru"),
];

struct Data {
    code: String,
    items: [Vec<String>; 3],
}

fn read_lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[derive(Default, Clone)]
struct Tally {
    n: usize,
    right: usize,
    reliable: usize,
    reliable_right: usize,
    confusion: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, expected: &str, got: &str, reliable: bool) {
        self.n += 1;
        if got == expected {
            self.right += 1;
        }
        if reliable {
            self.reliable += 1;
            if got == expected {
                self.reliable_right += 1;
            }
        }
        if got != expected {
            *self.confusion.entry(got.to_string()).or_default() += 1;
        }
    }
    fn acc(&self) -> f64 {
        pct(self.right, self.n)
    }
    fn to(&self, other: &str) -> f64 {
        pct(self.confusion.get(other).copied().unwrap_or(0), self.n)
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        f64::NAN
    } else {
        100.0 * a as f64 / b as f64
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = v.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn raw(text: &str) -> (String, bool) {
    match whatlang::detect(text) {
        Some(i) => (iso_code(i.lang()).to_string(), i.is_reliable()),
        None => ("none".to_string(), false),
    }
}

fn ours(d: &Detector, text: &str) -> (String, bool, f64) {
    let r = d.detect(text, None);
    (r.language.code, r.language.reliable, r.language.confidence)
}

fn ours_doc(d: &Detector, blocks: &[&str]) -> (String, bool) {
    let r = d.detect_document(blocks, None, 4096);
    (r.language.code, r.language.reliable)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = PathBuf::from("../shared/data/langid");
    let mut rounds = 5usize;
    let mut per_lang = 200usize;
    let mut rules: Option<PathBuf> = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--rounds" => {
                rounds = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(rounds);
                i += 1;
            }
            "--per-lang" => {
                per_lang = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(per_lang);
                i += 1;
            }
            "--rules" => {
                rules = args.get(i + 1).map(PathBuf::from);
                i += 1;
            }
            other => dir = PathBuf::from(other),
        }
        i += 1;
    }
    let toml_text = match &rules {
        Some(p) => std::fs::read_to_string(p).unwrap_or_else(|e| {
            eprintln!("{}: {e}", p.display());
            std::process::exit(2);
        }),
        None => include_str!("../rules/langid.toml").to_string(),
    };
    let det = match Detector::from_toml(&toml_text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("rules/langid.toml: {e}");
            std::process::exit(2);
        }
    };
    let map = std::fs::read_to_string(dir.join("langmap.tsv")).unwrap_or_else(|e| {
        eprintln!("{}: {e}", dir.join("langmap.tsv").display());
        std::process::exit(2);
    });
    let data: Vec<Data> = map
        .lines()
        .filter_map(|l| l.split('\t').next())
        .filter(|c| !c.trim().is_empty())
        .map(|code| Data {
            code: code.to_string(),
            items: CATS.map(|c| read_lines(&dir.join(code).join(format!("{c}.txt")))),
        })
        .collect();

    // ---------------------------------------------------------------- accuracy
    // tallies[lang][cat] for raw and ours; cat 3 = paragraphs, 4 = sentences dev half, 5 = held-out half
    let mut t_raw: Vec<Vec<Tally>> = vec![vec![Tally::default(); 6]; data.len()];
    let mut t_our: Vec<Vec<Tally>> = vec![vec![Tally::default(); 6]; data.len()];
    let mut calib: Vec<(usize, usize)> = vec![(0, 0); 10];
    for (li, d) in data.iter().enumerate() {
        for (ci, items) in d.items.iter().enumerate() {
            let half = items.len() / 2;
            for (k, text) in items.iter().enumerate() {
                let (g, r) = raw(text);
                t_raw[li][ci].add(&d.code, &g, r);
                let (g2, r2, conf) = ours(&det, text);
                t_our[li][ci].add(&d.code, &g2, r2);
                if ci == 0 {
                    let split = if k < half { 4 } else { 5 };
                    t_raw[li][split].add(&d.code, &g, r);
                    t_our[li][split].add(&d.code, &g2, r2);
                    let b = ((conf * 10.0) as usize).min(9);
                    calib[b].0 += 1;
                    if g2 == d.code {
                        calib[b].1 += 1;
                    }
                }
            }
        }
        for chunk in d.items[0].chunks(10).filter(|c| c.len() == 10) {
            let joined = chunk.join(" ");
            let (g, r) = raw(&joined);
            t_raw[li][3].add(&d.code, &g, r);
            let blocks: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let (g2, r2) = ours_doc(&det, &blocks);
            t_our[li][3].add(&d.code, &g2, r2);
        }
    }

    println!("# copydesk language identification benchmark\n");
    println!(
        "Data: `{}` ({} languages). Raw = `whatlang::detect` (0.18, all 70 languages, default options). \
         Ours = `Detector::detect` with `rules/langid.toml` (paragraphs: `detect_document`, 10 sentences as blocks).\n",
        dir.display(),
        data.len()
    );
    println!("## Mean accuracy (macro over languages, %)\n");
    println!(
        "| category | raw whatlang | copydesk | raw reliable-precision (share flagged) | copydesk reliable-precision (share flagged) |"
    );
    println!("|---|---:|---:|---:|---:|");
    let names = [
        "sentences",
        "word pairs",
        "single words",
        "10-sentence paragraphs",
        "sentences, first half (dev)",
        "sentences, second half (held out)",
    ];
    for (ci, name) in names.iter().enumerate() {
        let mr = mean(t_raw.iter().map(|t| t[ci].acc()));
        let mo = mean(t_our.iter().map(|t| t[ci].acc()));
        let (rr, rn, rt) = t_raw.iter().fold((0, 0, 0), |a, t| {
            (
                a.0 + t[ci].reliable_right,
                a.1 + t[ci].reliable,
                a.2 + t[ci].n,
            )
        });
        let (or, on, ot) = t_our.iter().fold((0, 0, 0), |a, t| {
            (
                a.0 + t[ci].reliable_right,
                a.1 + t[ci].reliable,
                a.2 + t[ci].n,
            )
        });
        println!(
            "| {name} | {mr:.2} | {mo:.2} | {:.2} ({:.1} %) | {:.2} ({:.1} %) |",
            pct(rr, rn),
            pct(rn, rt),
            pct(or, on),
            pct(on, ot)
        );
    }
    let worst_rel = t_our
        .iter()
        .zip(&data)
        .map(|(t, d)| (pct(t[0].reliable_right, t[0].reliable), d.code.as_str()))
        .filter(|x| x.0.is_finite())
        .fold((101.0, ""), |a, b| if b.0 < a.0 { b } else { a });
    println!(
        "\nLowest per-language reliable-precision on sentences (copydesk): {} {:.2} %\n",
        worst_rel.1, worst_rel.0
    );

    println!("## Confusable pairs (% of the expected language's items given to the partner)\n");
    println!(
        "| expected → given | raw S | ours S | ours S held-out | raw WP | ours WP | raw ¶10 | ours ¶10 | ours S kept (≥ 95 % target) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (a, b) in PAIRS {
        let Some(li) = data.iter().position(|d| d.code == *a) else {
            continue;
        };
        let (r, o) = (&t_raw[li], &t_our[li]);
        println!(
            "| {a} → {b} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            r[0].to(b),
            o[0].to(b),
            o[5].to(b),
            r[1].to(b),
            o[1].to(b),
            r[3].to(b),
            o[3].to(b),
            100.0 - o[0].to(b)
        );
    }

    println!("\n## Per language (accuracy %, raw / ours)\n");
    println!(
        "| lang | S raw | S ours | WP raw | WP ours | SW raw | SW ours | ¶10 raw | ¶10 ours |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (li, d) in data.iter().enumerate() {
        let (r, o) = (&t_raw[li], &t_our[li]);
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            d.code,
            r[0].acc(),
            o[0].acc(),
            r[1].acc(),
            o[1].acc(),
            r[2].acc(),
            o[2].acc(),
            r[3].acc(),
            o[3].acc()
        );
    }

    println!("\n## Top confusions on sentences, copydesk\n");
    let mut conf: Vec<(usize, String, String, f64)> = Vec::new();
    for (li, d) in data.iter().enumerate() {
        for (g, n) in &t_our[li][0].confusion {
            conf.push((*n, d.code.clone(), g.clone(), pct(*n, t_our[li][0].n)));
        }
    }
    conf.sort_by_key(|c| std::cmp::Reverse(c.0));
    println!("| expected | given | count | % |");
    println!("|---|---|---:|---:|");
    for (n, e, g, p) in conf.iter().take(15) {
        println!("| {e} | {g} | {n} | {p:.1} |");
    }

    println!("\n## Calibration on sentences, copydesk (confidence bucket → share right)\n");
    println!("| confidence | items | right % |");
    println!("|---|---:|---:|");
    for (b, (n, r)) in calib.iter().enumerate() {
        if *n > 0 {
            println!(
                "| {:.1}–{:.1} | {n} | {:.1} |",
                b as f64 / 10.0,
                (b + 1) as f64 / 10.0,
                pct(*r, *n)
            );
        }
    }

    // ---------------------------------------------------------------- throughput
    if rounds == 0 {
        return;
    }
    let mut sets: Vec<(&str, Vec<String>)> = CATS
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            (
                *c,
                data.iter()
                    .flat_map(|d| d.items[ci].iter().take(per_lang).cloned())
                    .collect(),
            )
        })
        .collect();
    sets.push((
        "paragraphs10",
        data.iter()
            .flat_map(|d| {
                d.items[0]
                    .chunks(10)
                    .filter(|c| c.len() == 10)
                    .take(per_lang / 10)
                    .map(|c| c.join(" "))
                    .collect::<Vec<_>>()
            })
            .collect(),
    ));
    let mut best: Vec<[f64; 2]> = vec![[f64::INFINITY; 2]; sets.len()];
    let mut sink = 0usize;
    for _ in 0..rounds {
        for (si, (_, items)) in sets.iter().enumerate() {
            let t = Instant::now();
            for x in items {
                sink += whatlang::detect(x).map_or(0, |i| i.lang() as usize);
            }
            best[si][0] = best[si][0].min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            for x in items {
                sink += det.detect(x, None).language.code.len();
            }
            best[si][1] = best[si][1].min(t.elapsed().as_secs_f64());
        }
    }
    println!(
        "\n## Throughput, one core (minimum over {rounds} interleaved rounds; {per_lang} items per language and category)\n"
    );
    println!(
        "| category | items | mean bytes | raw µs/item | ours µs/item | ours/raw throughput |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (si, (name, items)) in sets.iter().enumerate() {
        let n = items.len().max(1) as f64;
        let bytes = items.iter().map(String::len).sum::<usize>() as f64 / n;
        let r = best[si][0] / n * 1e6;
        let o = best[si][1] / n * 1e6;
        println!(
            "| {name} | {} | {bytes:.0} | {r:.1} | {o:.1} | {:.2}× |",
            items.len(),
            r / o
        );
    }
    eprintln!("(sink {sink})");
}
