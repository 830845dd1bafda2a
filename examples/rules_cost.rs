//! What the rules cost. In process: the time and live heap of `Rules::embedded()` (every file
//! checked, `common.toml` compiled), then of each language's first use (its automata compiled).
//! With `--server`: the RSS of `copydesk serve` after start-up, and after one document of each
//! rule language (the first case of each in CORPUS_DIR, named `<code>-…`).
//!
//! ```text
//! cargo run --release --example rules_cost
//! cargo build --release && cargo run --release --example rules_cost -- --server corpus/train
//! ```
//!
//! A measurement, never a test: nothing here asserts.

#[path = "../tests/support/counting_alloc.rs"]
#[allow(dead_code)]
mod counting_alloc;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use copydesk::Rules;
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use tonic::transport::Endpoint;

type Error = Box<dyn std::error::Error + Send + Sync>;

const MB: f64 = 1024.0 * 1024.0;

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn in_process() -> Result<(), Error> {
    let pid = std::process::id();
    let heap_before = counting_alloc::live();
    let t = Instant::now();
    let rules = Rules::embedded()?;
    let load = t.elapsed();
    let heap_loaded = counting_alloc::live();
    println!(
        "load: {:.1} ms, heap {:.1} MB, RSS {:.1} MB",
        load.as_secs_f64() * 1e3,
        (heap_loaded - heap_before) as f64 / MB,
        rss_mb(pid)
    );
    println!("language  compile ms  heap MB");
    let mut total = Duration::ZERO;
    for code in rules.language_codes() {
        let before = counting_alloc::live();
        let t = Instant::now();
        let compiled = rules.language(&code).is_some();
        let took = t.elapsed();
        total += took;
        println!(
            "{code:<9} {:>10.1} {:>8.2}{}",
            took.as_secs_f64() * 1e3,
            counting_alloc::live().saturating_sub(before) as f64 / MB,
            if compiled { "" } else { "  (did not compile)" }
        );
    }
    println!(
        "all languages: {:.1} ms, heap {:.1} MB in all, RSS {:.1} MB",
        total.as_secs_f64() * 1e3,
        counting_alloc::live().saturating_sub(heap_before) as f64 / MB,
        rss_mb(pid)
    );
    Ok(())
}

/// The first case of each language in `corpus` (cases are named `<code>-…`).
fn one_case_per_language(corpus: &Path) -> Result<BTreeMap<String, String>, Error> {
    let mut cases: Vec<_> = std::fs::read_dir(corpus)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut first = BTreeMap::new();
    for case in cases {
        let Some(name) = case.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let code = name.split('-').next().unwrap_or_default().to_string();
        if first.contains_key(&code) {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(case.join("input.txt")) {
            first.insert(code, text);
        }
    }
    Ok(first)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn server(corpus: &Path) -> Result<(), Error> {
    let bin: PathBuf = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("copydesk"))
        .ok_or("cannot find target/release/copydesk")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&bin)
            .args(["serve", "--listen", &listen])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?,
    );
    let pid = server.0.id();
    let started = Instant::now();
    let channel = loop {
        match Endpoint::from_shared(format!("http://{listen}"))?
            .connect()
            .await
        {
            Ok(ch) => break ch,
            Err(_) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => return Err(e.into()),
        }
    };
    println!(
        "serve: listening after {:.0} ms, RSS {:.1} MB",
        started.elapsed().as_secs_f64() * 1e3,
        rss_mb(pid)
    );
    let mut client = NormalizerServiceClient::new(channel);
    for (code, text) in one_case_per_language(corpus)? {
        let response = client
            .normalize(pb::NormalizeRequest {
                document: Some(pb::Document {
                    id: code.clone(),
                    content: Some(pb::document::Content::Text(text)),
                    ..Default::default()
                }),
                options: None,
            })
            .await?
            .into_inner();
        let detected = response
            .article
            .and_then(|a| a.language)
            .map(|l| l.code)
            .unwrap_or_default();
        println!(
            "after {code} (detected {detected}): RSS {:.1} MB",
            rss_mb(pid)
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => in_process(),
        [flag, corpus] if flag == "--server" => server(Path::new(corpus)).await,
        _ => Err("usage: rules_cost [--server CORPUS_DIR]".into()),
    }
}
