//! Peak heap of one `normalize` call, for documents of many tiny lines (issue 5: memory stays
//! within about 10× the input plus a constant). A counting global allocator measures the peak of
//! live heap bytes during the call, so this is its own test binary, and one test: the shapes run
//! one after another, with no other test allocating meanwhile. Memory only, never time.
//!
//! The bound is generous (32× the input plus 1 MB): it catches a return to a `String` per line
//! or per unit (50–73× before), not a few percent. Since the role decoder (issue 11) every unit
//! also carries its observations (24 bytes) and its decoded state until the fields are
//! extracted: 10–28× today, where a five-byte line is the worst case.

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

use copydesk::engine::Input;
use copydesk::{Config, Rules, normalize};

const KB: usize = 1024;
const MB: usize = 1024 * KB;

/// `unit` repeated to `size` bytes.
fn document(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len() + 1)[..size].to_string()
}

/// Peak live heap bytes during one `normalize` of `doc`, less those live before it.
fn peak_heap(doc: &str, rules: &Rules) -> usize {
    let config = Config::default();
    let (article, peak) =
        counting_alloc::peak_during(|| normalize(&Input::text(doc), rules, &config));
    assert!(article.is_ok(), "{:?}", article.err());
    peak
}

#[test]
fn many_tiny_lines_cost_a_bounded_multiple_of_the_input() {
    let rules = Rules::embedded().expect("embedded rules");
    // The first call builds lazily initialised tables: not the document's cost.
    peak_heap("Warm-up.\n\nFoto: Max Muster/dpa\n", &rules);
    let size = 512 * KB;
    let bound = 32 * size + MB;
    let mut over = Vec::new();
    for (name, unit) in [
        ("a word and a blank line", "Wort\n\n"),
        ("\"Anzeige\" between one-word lines", "Anzeige\nWort\n"),
        ("one-word lines", "Wort\n"),
        ("stacked credits", "Foto: Max Muster/dpa\n"),
        (
            "caption and credit pairs",
            "Ein Polizeiwagen steht vor dem Rathaus.\nFoto: Max Muster/dpa\n",
        ),
    ] {
        let peak = peak_heap(&document(unit, size), &rules);
        eprintln!(
            "{name}: peak heap {peak} bytes, {:.1}× the input",
            peak as f64 / size as f64
        );
        if peak > bound {
            over.push(format!("{name}: {peak} bytes > {bound}"));
        }
    }
    assert!(over.is_empty(), "over 32× the input + 1 MB: {over:?}");
}
