//! Prints misclassified items of one language (dev half of the sentences only) with candidates.
//! `cargo run --release --example langid_debug -- DIR LANG [N]`
use copydesk::engine::language::Detector;
fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let det = Detector::from_toml(include_str!("../rules/langid.toml")).expect("rules");
    let text = std::fs::read_to_string(format!("{}/{}/sentences.txt", a[0], a[1])).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let n: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let mut shown = 0;
    let mut dist = std::collections::BTreeMap::<String, usize>::new();
    for l in lines.iter().take(lines.len() / 2) {
        *dist.entry(det.detect(l, None).language.code).or_default() += 1;
    }
    let mut dv: Vec<_> = dist.into_iter().collect();
    dv.sort_by(|a, b| b.1.cmp(&a.1));
    println!("{:?}", &dv[..dv.len().min(8)]);
    for l in lines.iter().take(lines.len() / 2) {
        let d = det.detect(l, None);
        if d.language.code != a[1] && shown < n {
            shown += 1;
            let wl = det.whatlang_only(l).map(|i| (i.lang(), i.confidence()));
            println!("{} {:.2} {:?} wl={:?}\n   {}", d.language.code, d.language.confidence, d.candidates.iter().map(|c| (c.code.clone(), (c.score*100.0).round())).collect::<Vec<_>>(), wl, l);
        }
    }
}
#[allow(dead_code)]
fn unused() {}
