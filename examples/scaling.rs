//! How the engine's time and memory grow with the document: time per MB and peak RSS for
//! documents from 1 KB to 16 MB, for real copy and for pathological shapes.
//!
//! ```text
//! cargo run --release --example scaling                # every family
//! cargo run --release --example scaling -- copy lt     # some families
//! cargo run --release --example scaling -- --check     # exit 1 where a family is not linear
//! cargo run --release --example scaling -- --max 16M   # every family up to 16 MB (default: 16 MB
//!                                                      # for copy and one-line, 4 MB for the rest)
//! cargo run --release --example scaling -- --min 1M blank-lines   # from 1 MB up
//! ```
//!
//! Peak memory, two ways: the peak of live heap bytes during the run less those before it
//! (a counting allocator: exact, what one document costs), and `VmHWM` of /proc/self/status
//! reset before each run by writing 5 to /proc/self/clear_refs, less `VmRSS` before the run
//! (resident pages: memory the allocator kept from an earlier run is not counted again, so this
//! reads low after the first large document). Linux only for the second; elsewhere it reads 0.

use std::time::{Duration, Instant};

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;

use copydesk::engine::Input;
use copydesk::{Config, Rules, normalize};

const KB: usize = 1024;
const MB: usize = 1024 * KB;

/// A family of documents: a name and a unit repeated (and cut on a char boundary) to the size.
struct Family {
    name: &'static str,
    what: &'static str,
    unit: String,
    /// The largest size run: pathological families stop earlier to keep the run short.
    max: usize,
}

fn families() -> Vec<Family> {
    let copy = include_str!("../tests/data/de.txt").to_string() + "\n\n";
    let sentence = "Der Stadtrat hat am Mittwochabend mit großer Mehrheit den Bau von vier neuen Radwegen beschlossen. ";
    vec![
        Family {
            name: "copy",
            what: "German dpa copy repeated as paragraphs",
            unit: copy,
            max: 16 * MB,
        },
        Family {
            name: "one-line",
            what: "body sentences on one line, no newline",
            unit: sentence.into(),
            max: 16 * MB,
        },
        Family {
            name: "credits",
            what: "\"Foto: Max Muster/dpa\" lines, no blank line",
            unit: "Foto: Max Muster/dpa\n".into(),
            max: 4 * MB,
        },
        Family {
            name: "captions",
            what: "caption + credit pairs, no blank line",
            unit: "Ein Polizeiwagen steht vor dem Rathaus.\nFoto: Max Muster/dpa\n".into(),
            max: 4 * MB,
        },
        Family {
            name: "short-lines",
            what: "\"Anzeige\" lines between one-word lines",
            unit: "Anzeige\nWort\n".into(),
            max: 4 * MB,
        },
        Family {
            name: "blank-lines",
            what: "a word and a blank line",
            unit: "Wort\n\n".into(),
            max: 4 * MB,
        },
        Family {
            name: "wrapped",
            what: "hard-wrapped 70-column lines with hyphenation",
            unit: "Der Wasserstand der Mosel ist am Sonntag weiter gestiegen, meldet das Was-\nserstandsamt in Trier am frühen Morgen nach den schweren Regenfällen.\n".into(),
            max: 4 * MB,
        },
        Family {
            name: "parens",
            what: "nested parentheses on one line",
            unit: "(".into(),
            max: 4 * MB,
        },
        Family {
            name: "lt",
            what: "\"<a\" with no '>' on one line",
            unit: "<a".into(),
            max: 4 * MB,
        },
        Family {
            name: "entities",
            what: "\"&amp;&#\" on one line",
            unit: "&amp;&#".into(),
            max: 4 * MB,
        },
        Family {
            name: "mojibake",
            what: "\"GrÃ¼ÃŸe \" on one line",
            unit: "GrÃ¼ÃŸe ".into(),
            max: 4 * MB,
        },
        Family {
            name: "datelines",
            what: "\"Berlin (dpa) - \" on one line",
            unit: "Berlin (dpa) - ".into(),
            max: 4 * MB,
        },
        Family {
            name: "bylines",
            what: "\"Von Max Muster und \" on one line",
            unit: "Von Max Muster und ".into(),
            max: 4 * MB,
        },
        Family {
            name: "digits",
            what: "\"14.05.2024, 10:32 Uhr \" on one line",
            unit: "14.05.2024, 10:32 Uhr ".into(),
            max: 4 * MB,
        },
        Family {
            name: "controls",
            what: "NUL, C1, U+202E and a letter",
            unit: "\u{0}\u{85}\u{202e}a".into(),
            max: 4 * MB,
        },
        Family {
            name: "scripts",
            what: "emoji ZWJ, combining marks, CJK, Arabic",
            unit: "👩\u{200d}👩\u{200d}👧 e\u{301} 日本語 مرحبا ".into(),
            max: 4 * MB,
        },
    ]
}

fn document(unit: &str, size: usize) -> String {
    let mut s = unit.repeat(size / unit.len() + 1);
    let mut cut = size;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

fn status_kb(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix(field)?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn human(bytes: usize) -> String {
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes / KB)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!(
            "usage: scaling [--check] [--min SIZE] [--max SIZE] [FAMILY...]\n  \
             SIZE: 1K 4K 16K 64K 256K 1M 4M 16M; --max overrides every family's own largest size\n  \
             families: {}",
            families()
                .iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(" ")
        );
        return;
    }
    let check = args.iter().any(|a| a == "--check");
    let size_arg = |flag: &str| -> Option<usize> {
        let v = args.iter().skip_while(|a| *a != flag).nth(1)?;
        let (n, unit) = match v.strip_suffix(['M', 'm']) {
            Some(n) => (n, MB),
            None => (v.strip_suffix(['K', 'k']).unwrap_or(v), KB),
        };
        match n.parse::<usize>() {
            Ok(n) => Some(n * unit),
            Err(_) => {
                eprintln!("{flag} {v}: not a size such as 64K or 4M");
                std::process::exit(2);
            }
        }
    };
    let min = size_arg("--min").unwrap_or(0);
    let max = size_arg("--max");
    let mut only: Vec<&str> = Vec::new();
    let mut skip_value = false;
    for a in &args {
        if skip_value {
            skip_value = false;
        } else if a == "--min" || a == "--max" {
            skip_value = true;
        } else if !a.starts_with("--") {
            only.push(a);
        }
    }
    let t = Instant::now();
    let rules = Rules::embedded().expect("embedded rules");
    let config = Config::default();
    eprintln!("rules loaded in {:?}", t.elapsed());
    let sizes: Vec<usize> = [1, 4, 16, 64, 256]
        .iter()
        .map(|k| k * KB)
        .chain([1, 4, 16].iter().map(|m| m * MB))
        .collect();
    let mut failed = Vec::new();
    println!(
        "| family | size | ms per document | ms per MB | peak heap | heap ÷ size | RSS growth | answer |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for family in families() {
        if !only.is_empty() && !only.contains(&family.name) {
            continue;
        }
        let mut per_mb: Vec<(usize, f64)> = Vec::new();
        let largest = max.unwrap_or(family.max);
        for &size in sizes.iter().filter(|&&s| s >= min && s <= largest) {
            let doc = document(&family.unit, size);
            // Enough runs for a steady figure on small documents; one on large ones.
            let runs = (MB / size).clamp(1, 200);
            let mut best = Duration::MAX;
            let mut peak = 0;
            let mut heap = 0;
            let mut answer = String::new();
            for _ in 0..runs {
                let base = status_kb("VmRSS:");
                reset_peak();
                let t = Instant::now();
                let (result, used) =
                    counting_alloc::peak_during(|| normalize(&Input::text(&doc), &rules, &config));
                let took = t.elapsed();
                heap = heap.max(used);
                peak = peak.max(status_kb("VmHWM:").saturating_sub(base) * KB);
                best = best.min(took);
                answer = match &result {
                    Ok(a) => format!(
                        "article: {} blocks, {} removed, {} images",
                        a.blocks.len(),
                        a.removed.len(),
                        a.images.len()
                    ),
                    Err(e) => format!("{}: {}", e.status_name(), e),
                };
                drop(result);
            }
            let ms = best.as_secs_f64() * 1000.0;
            let ms_mb = ms / (size as f64 / MB as f64);
            per_mb.push((size, ms_mb));
            println!(
                "| {} | {} | {:.2} | {:.1} | {:.2} MB | {:.1} | {:.1} MB | {} |",
                family.name,
                human(size),
                ms,
                ms_mb,
                heap as f64 / MB as f64,
                heap as f64 / size as f64,
                peak as f64 / MB as f64,
                answer.chars().take(70).collect::<String>()
            );
        }
        // Linear: from one size to the next (4× larger) the time per MB stays within 2.5×; a
        // quadratic step multiplies it by about 4. Below 64 KB fixed costs (language detection)
        // dominate, so those steps are not judged.
        for w in per_mb.windows(2).filter(|w| w[0].0 >= 64 * KB) {
            if w[1].1 > 2.5 * w[0].1 {
                failed.push(format!(
                    "{}: {:.1} ms/MB at {}, {:.1} at {}",
                    family.name,
                    w[1].1,
                    human(w[1].0),
                    w[0].1,
                    human(w[0].0)
                ));
            }
        }
        eprintln!("{}: {}", family.name, family.what);
    }
    eprintln!(
        "process peak VmHWM {} MB (rules included)",
        status_kb("VmHWM:") / KB
    );
    if !failed.is_empty() {
        eprintln!("NOT LINEAR:\n  {}", failed.join("\n  "));
        if check {
            std::process::exit(1);
        }
    }
}
