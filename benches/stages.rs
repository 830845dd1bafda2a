//! Each engine stage alone, over the 3 KB synthetic feed (and 100 KB for the linear stages):
//! decode → repair → segment → language → observe → decide → assemble. `cargo bench --bench stages`.
//! Each stage gets the previous stages' output prepared outside the timed loop.

mod common;

use std::hint::black_box;
use std::time::Duration;

use copydesk::engine::{self, Article, Block, BlockKind, Content, features, lexicon, roles};
use copydesk::{Config, Rules};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The longest units up to `budget` bytes, as the engine samples them for its first guess.
fn sample(units: &[engine::segment::Unit], budget: usize) -> String {
    let mut order: Vec<&engine::segment::Unit> = units.iter().collect();
    order.sort_by_key(|u| std::cmp::Reverse(u.text.len()));
    let mut s = String::new();
    for u in order {
        if s.len() >= budget {
            break;
        }
        s.push_str(u.text);
        s.push('\n');
    }
    s
}

fn stages_at(c: &mut Criterion, rules: &Rules, label: &str, feed: &[String]) {
    let config = Config::default();
    let bytes: usize = feed.iter().map(String::len).sum();
    let mut g = c.benchmark_group(format!("stage-{label}"));
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));

    let raw: Vec<Vec<u8>> = feed.iter().map(|a| a.as_bytes().to_vec()).collect();
    g.bench_function("decode(raw utf-8)", |b| {
        b.iter(|| {
            for r in &raw {
                let mut n = Vec::new();
                let _ = black_box(engine::decode::decode(Content::Raw(r), None, &mut n));
            }
        })
    });
    g.bench_function("repair", |b| {
        b.iter(|| {
            for a in feed {
                let (mut n, mut r) = (Vec::new(), Vec::new());
                black_box(engine::repair::repair(a, &mut n, &mut r));
            }
        })
    });
    let lines: Vec<_> = feed
        .iter()
        .map(|a| engine::repair::repair(a, &mut Vec::new(), &mut Vec::new()))
        .collect();
    g.bench_function("segment", |b| {
        let mut joined = String::new();
        b.iter(|| {
            for l in &lines {
                black_box(engine::segment::segment(
                    l,
                    &mut joined,
                    &rules.common().hyphen_keepers,
                ));
            }
        })
    });
    let mut joined = vec![String::new(); lines.len()];
    let units: Vec<_> = lines
        .iter()
        .zip(joined.iter_mut())
        .map(|(l, j)| engine::segment::segment(l, j, &rules.common().hyphen_keepers).0)
        .collect();
    let samples: Vec<String> = units
        .iter()
        .map(|u| sample(u, config.language_sample_bytes))
        .collect();
    g.bench_function("language(one detection)", |b| {
        b.iter(|| {
            for s in &samples {
                black_box(rules.detector().detect(s, None));
            }
        })
    });
    let codes: Vec<String> = samples
        .iter()
        .map(|s| rules.detector().detect(s, None).language.code)
        .collect();
    g.bench_function("observe(features of every unit)", |b| {
        b.iter(|| {
            for (u, code) in units.iter().zip(&codes) {
                let applied = lexicon::Applied::new(rules, code);
                black_box(features::observe(u, &applied));
            }
        })
    });
    let observed: Vec<_> = units
        .iter()
        .zip(&codes)
        .map(|(u, code)| features::observe(u, &lexicon::Applied::new(rules, code)))
        .collect();
    g.bench_function("decide(roles for the document)", |b| {
        b.iter(|| {
            for o in &observed {
                black_box(roles::decide(o, rules.model()));
            }
        })
    });
    let blocks: Vec<Vec<Block>> = units
        .iter()
        .map(|u| {
            u.iter()
                .map(|u| Block {
                    kind: BlockKind::Paragraph,
                    text: u.text.to_string(),
                    language: None,
                })
                .collect()
        })
        .collect();
    g.bench_function("assemble", |b| {
        b.iter(|| {
            for bl in &blocks {
                let mut a = Article {
                    blocks: bl.clone(),
                    ..Article::default()
                };
                engine::assemble::finish(&mut a);
                black_box(a);
            }
        })
    });
    g.finish();
}

fn stages(c: &mut Criterion) {
    let rules = Rules::embedded().expect("embedded rules");
    stages_at(c, &rules, "3KB", &common::feed(3 * 1024));
    let big: Vec<String> = common::feed(100 * 1024).into_iter().step_by(5).collect();
    stages_at(c, &rules, "100KB", &big);
}

criterion_group!(benches, stages);
criterion_main!(benches);
