//! A fixed amount of engine work, for instruction counts that do not depend on how busy the
//! machine is: one warm-up pass over the synthetic feed (rules compiled, regex caches filled),
//! then `PASSES` measured passes. Run it under callgrind twice, with `PASSES` and with 0, and
//! divide the difference by `PASSES` × the feed's article count (printed):
//!
//! ```sh
//! cargo build --release --example passes
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/passes 0
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/passes 2
//! ```
//!
//! Arguments: `PASSES` (default 2) and the feed's size (`1KB`, `3KB` (default), `10KB`, `100KB`,
//! `1MB`).

#[path = "../benches/common/mod.rs"]
mod common;

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let passes: usize = match args.next().map(|a| a.parse()) {
        None => 2,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("passes: PASSES must be a number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let size_label = args.next().unwrap_or_else(|| "3KB".into());
    let Some(&(_, size)) = common::SIZES.iter().find(|(l, _)| *l == size_label) else {
        eprintln!("passes: unknown size {size_label:?}; one of 1KB, 3KB, 10KB, 100KB, 1MB");
        return ExitCode::FAILURE;
    };
    let rules = match copydesk::Rules::embedded() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("passes: rules: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = copydesk::Config::default();
    let feed = common::feed(size);
    let run = || {
        feed.iter()
            .filter(|text| {
                copydesk::normalize(&copydesk::Input::text(text), &rules, &config).is_err()
            })
            .count()
    };
    let mut errors = run();
    let started = Instant::now();
    for _ in 0..passes {
        errors += run();
    }
    let elapsed = started.elapsed();
    let articles = passes * feed.len();
    println!(
        "{} articles of {size_label} ({} per pass), {passes} passes, {errors} errors, {:.0} µs per article",
        articles,
        feed.len(),
        elapsed.as_secs_f64() * 1e6 / articles.max(1) as f64
    );
    if errors > 0 {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
