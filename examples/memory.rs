//! Peak RSS of the server under the worst document shapes: several clients send large
//! documents of one shape at the same time (unary calls, then one NormalizeStream per client),
//! and a sampler reads the server's `VmRSS` every 10 ms and `VmHWM` (its lifetime peak) from
//! /proc. After each burst it waits and reads `VmRSS` again: memory given back, or kept.
//!
//! ```text
//! cargo build --release && cargo run --release --example memory               # defaults
//! cargo run --release --example memory -- --clients 8 --shapes blank-lines,one-word
//! cargo run --release --example memory -- --server-bin /tmp/copydesk-main    # another build
//! ```
//!
//! It starts `copydesk serve` itself on a free port, with its defaults unless `--server-arg`
//! says otherwise, and stops it at the end. A benchmark, never a test: nothing here asserts.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use tonic::transport::{Channel, Endpoint};

type Error = Box<dyn std::error::Error + Send + Sync>;

const MB: usize = 1024 * 1024;

#[derive(Parser, Debug)]
#[command(about = "Peak server RSS under the worst document shapes")]
struct Args {
    /// Server binary (default: target/release/copydesk next to this example).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Extra arguments for `copydesk serve` (repeat), e.g. --server-arg=--memory-budget=128MiB.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Clients sending at the same time (one connection each).
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Documents each client sends in a burst (unary: one after another; stream: in one stream).
    #[arg(long, default_value_t = 2)]
    per_client: usize,
    /// Shapes to send (comma-separated): copy, one-line, blank-lines, one-word, short-lines,
    /// credits-100k.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "blank-lines,one-word,short-lines,credits-100k,one-line,copy"
    )]
    shapes: Vec<String>,
    /// Size of each document in MiB (credits-100k is always 100,000 lines).
    #[arg(long, default_value_t = 16)]
    size_mib: usize,
    /// Seconds to wait after a burst before reading the RSS left.
    #[arg(long, default_value_t = 2.0)]
    settle: f64,
    /// Skip the stream bursts.
    #[arg(long)]
    no_stream: bool,
}

fn status_kb(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// `unit` repeated to `size` bytes (cut on a char boundary: the units are ASCII).
fn repeat_to(unit: &str, size: usize) -> String {
    let mut s = unit.repeat(size / unit.len() + 1);
    s.truncate(size);
    s
}

fn shape(name: &str, size: usize) -> Option<String> {
    let copy = include_str!("../tests/data/de.txt").to_string() + "\n\n";
    Some(match name {
        "copy" => repeat_to(&copy, size),
        "one-line" => repeat_to(
            "Der Stadtrat hat am Mittwochabend mit großer Mehrheit neue Radwege beschlossen. ",
            size,
        ),
        "blank-lines" => repeat_to("Wort\n\n", size),
        "one-word" => repeat_to("Wort\n", size),
        "short-lines" => repeat_to("Anzeige\nWort\n", size),
        "credits-100k" => "Foto: Max Muster/dpa\n".repeat(100_000),
        _ => return None,
    })
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn client(ch: Channel) -> NormalizerServiceClient<Channel> {
    NormalizerServiceClient::new(ch)
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX)
}

fn doc(id: String, text: &str) -> pb::Document {
    pb::Document {
        id,
        content: Some(pb::document::Content::Text(text.to_string())),
        ..Default::default()
    }
}

/// Answers of a burst by status code name, and the largest response seen.
#[derive(Default)]
struct Tally {
    codes: std::collections::BTreeMap<String, usize>,
    largest_response: usize,
    first_error: Option<String>,
}

impl Tally {
    fn add(&mut self, r: Result<usize, (String, String)>) {
        match r {
            Ok(len) => {
                *self.codes.entry("OK".into()).or_default() += 1;
                self.largest_response = self.largest_response.max(len);
            }
            Err((code, message)) => {
                *self.codes.entry(code).or_default() += 1;
                self.first_error.get_or_insert(message);
            }
        }
    }
    fn codes(&self) -> String {
        self.codes
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn status_parts(s: &tonic::Status) -> (String, String) {
    (format!("{:?}", s.code()), s.message().to_string())
}

async fn burst(channels: &[Channel], text: Arc<String>, per_client: usize, stream: bool) -> Tally {
    use prost::Message;
    let mut tasks = Vec::new();
    for (c, ch) in channels.iter().enumerate() {
        let mut cl = client(ch.clone());
        let text = text.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            if stream {
                let reqs: Vec<_> = (0..per_client)
                    .map(|i| pb::NormalizeStreamRequest {
                        document: Some(doc(format!("{c}-{i}"), &text)),
                        options: None,
                    })
                    .collect();
                match cl.normalize_stream(tokio_stream::iter(reqs)).await {
                    Ok(resp) => {
                        let mut s = resp.into_inner();
                        loop {
                            match s.message().await {
                                Ok(Some(item)) => out.push(match item.result {
                                    Some(pb::normalize_stream_response::Result::Error(e)) => {
                                        Err((e.code, e.message))
                                    }
                                    _ => Ok(item.encoded_len()),
                                }),
                                Ok(None) => break,
                                Err(s) => {
                                    out.push(Err(status_parts(&s)));
                                    break;
                                }
                            }
                        }
                    }
                    Err(s) => out.push(Err(status_parts(&s))),
                }
            } else {
                for i in 0..per_client {
                    let req = pb::NormalizeRequest {
                        document: Some(doc(format!("{c}-{i}"), &text)),
                        options: None,
                    };
                    out.push(match cl.normalize(req).await {
                        Ok(r) => Ok(r.get_ref().encoded_len()),
                        Err(s) => Err(status_parts(&s)),
                    });
                }
            }
            out
        }));
    }
    let mut tally = Tally::default();
    for t in tasks {
        for r in t.await.unwrap_or_default() {
            tally.add(r);
        }
    }
    tally
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.join("copydesk"))
            .ok_or("cannot find target/release/copydesk: pass --server-bin")?,
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&bin)
            .arg("serve")
            .arg("--listen")
            .arg(&listen)
            .args(&args.server_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?,
    );
    let pid = server.0.id();
    let addr = format!("http://{listen}");
    let started = Instant::now();
    let mut channels = Vec::new();
    while channels.len() < args.clients {
        match Endpoint::from_shared(addr.clone())?.connect().await {
            Ok(ch) => channels.push(ch),
            Err(_) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    // A first small call: the rules are loaded and lazily built tables are in place.
    client(channels[0].clone())
        .normalize(pb::NormalizeRequest {
            document: Some(doc("warm-up".into(), include_str!("../tests/data/de.txt"))),
            options: None,
        })
        .await?;
    println!(
        "# {} serve {}: {} clients × {} documents of {} MiB, settle {} s",
        bin.display(),
        args.server_args.join(" "),
        args.clients,
        args.per_client,
        args.size_mib,
        args.settle
    );
    println!(
        "# after start-up: VmRSS {:.0} MB, VmHWM {:.0} MB",
        mb(status_kb(pid, "VmRSS:")),
        mb(status_kb(pid, "VmHWM:"))
    );
    println!(
        "| shape | call | answers | largest response MB | peak VmRSS MB | VmRSS after MB | s | first error |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---|");
    for name in &args.shapes {
        let Some(text) = shape(name, args.size_mib * MB) else {
            eprintln!("unknown shape {name:?}; skipped");
            continue;
        };
        let text = Arc::new(text);
        let modes: &[bool] = if args.no_stream {
            &[false]
        } else {
            &[false, true]
        };
        for &stream in modes {
            let stop = Arc::new(AtomicBool::new(false));
            let peak = Arc::new(AtomicU64::new(0));
            let sampler = {
                let (stop, peak) = (stop.clone(), peak.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        peak.fetch_max(status_kb(pid, "VmRSS:"), Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(10));
                    }
                })
            };
            let t = Instant::now();
            let tally = burst(&channels, text.clone(), args.per_client, stream).await;
            let took = t.elapsed().as_secs_f64();
            stop.store(true, Ordering::Relaxed);
            let _ = sampler.join();
            tokio::time::sleep(Duration::from_secs_f64(args.settle)).await;
            let error = tally
                .first_error
                .as_deref()
                .map(|e| e.chars().take(140).collect::<String>())
                .unwrap_or_default();
            println!(
                "| {name} ({:.1} MB) | {} | {} | {:.1} | {:.0} | {:.0} | {:.1} | {} |",
                text.len() as f64 / MB as f64,
                if stream { "stream" } else { "unary" },
                tally.codes(),
                tally.largest_response as f64 / MB as f64,
                mb(peak.load(Ordering::Relaxed)),
                mb(status_kb(pid, "VmRSS:")),
                took,
                error
            );
        }
    }
    println!(
        "# end: VmRSS {:.0} MB, VmHWM (lifetime peak) {:.0} MB",
        mb(status_kb(pid, "VmRSS:")),
        mb(status_kb(pid, "VmHWM:"))
    );
    drop(server);
    Ok(())
}
