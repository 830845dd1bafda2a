//! The whole engine (`copydesk::normalize`) over the fixtures and the synthetic feed.
//! `cargo bench --bench engine`; throughput is reported in bytes (MB/s); divide the time per
//! iteration by the article count in the benchmark name for articles/s.

mod common;

use std::hint::black_box;
use std::time::Duration;

use copydesk::engine::Input;
use copydesk::{Config, Rules, normalize};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// Articles per size: the big sizes use a spread subset to keep an iteration short.
pub fn articles_for(size: usize, feed: Vec<String>) -> Vec<String> {
    let keep = match size {
        s if s >= 1024 * 1024 => 4,
        s if s >= 100 * 1024 => 12,
        _ => feed.len(),
    };
    let step = (feed.len() / keep).max(1);
    feed.into_iter().step_by(step).take(keep).collect()
}

fn engine(c: &mut Criterion) {
    let rules = Rules::embedded().expect("embedded rules");
    let config = Config::default();

    let fixtures = common::fixtures();
    let mut g = c.benchmark_group("engine");
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(4));
    g.sample_size(10);
    let bytes: usize = fixtures.iter().map(|f| f.bytes.len()).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(format!("fixtures/{}", fixtures.len()), |b| {
        b.iter(|| {
            for f in &fixtures {
                let text;
                let input = if f.is_text {
                    text = std::str::from_utf8(&f.bytes).unwrap_or("");
                    Input::text(text)
                } else {
                    Input::raw(&f.bytes)
                };
                let _ = black_box(normalize(&input, &rules, &config));
            }
        })
    });
    for &(label, size) in common::SIZES {
        let feed = articles_for(size, common::feed(size));
        let bytes: usize = feed.iter().map(String::len).sum();
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("feed-{label}/{}", feed.len()), |b| {
            b.iter(|| {
                for a in &feed {
                    let _ = black_box(normalize(&Input::text(a), &rules, &config));
                }
            })
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    g.bench_function("rules_embedded", |b| {
        b.iter(|| black_box(Rules::embedded().expect("embedded rules")))
    });
    g.finish();
}

criterion_group!(benches, engine, startup);
criterion_main!(benches);
