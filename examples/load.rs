//! Load generator for copydesk: drives `Normalize` (unary) and `NormalizeStream` (bidi) over
//! N connections × M calls in flight with a mix of realistic articles (the synthetic feed of
//! `benches/common`, built from `tests/fixtures`), drives `grpc.health.v1.Health/Check` on the same
//! server in the same run as the transport ceiling, and runs the engine in-process for the
//! engine's own articles/s. Prints one table row per phase, the ratios the targets are stated
//! in, and the server's CPU per call and peak RSS (read from /proc).
//!
//! ```text
//! cargo build --release && cargo run --release --example load -- \
//!     --connections 4 --in-flight 64 --size 3KB --duration 10 --warmup 2
//! ```
//!
//! By default it starts `target/release/copydesk serve` on a free 127.0.0.1 port itself (so it can
//! read the server's /proc entry) and stops it at the end; `--addr` with `--server-pid` drives a
//! server started by hand instead. `--in-flight` is the total number of calls in flight, spread
//! round-robin over the connections (for streams: one stream per connection, each with
//! `in-flight / connections` documents in flight).

#[path = "../benches/common/mod.rs"]
mod common;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use copydesk::pb;
use copydesk::pb::normalizer_service_client::NormalizerServiceClient;
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Parser, Debug, Clone)]
#[command(about = "Load generator for copydesk (unary, stream, health, in-process engine)")]
struct Args {
    /// Server to drive (http://127.0.0.1:PORT); unset: start target/release/copydesk serve.
    #[arg(long)]
    addr: Option<String>,
    /// PID of the server given by --addr, for its CPU time and RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Server binary to start when --addr is unset.
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Extra arguments for `copydesk serve` (repeat), e.g. --server-arg=--concurrency-limit=512.
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// HTTP/2 connections.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Calls in flight in total (spread over the connections).
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
    /// Seconds measured per phase.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of warm-up per phase (not measured).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Article size of the feed: 1KB, 3KB, 10KB, 100KB, 1MB, or `fixtures` (the fixtures as they are).
    #[arg(long, default_value = "3KB")]
    size: String,
    /// Phases, in order: engine, health, refused (Normalize with a content type the engine
    /// refuses at once: the transport's ceiling for 3 KB calls), unary, unary-half (unary paced at
    /// half the unary peak measured before), stream, stall (unary-half while one big document
    /// loops on its own connection).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "engine,health,refused,unary,unary-half,stream"
    )]
    phases: Vec<String>,
    /// Pace unary calls at this many per second (total) instead of as fast as possible.
    #[arg(long)]
    rate: Option<f64>,
    /// Threads of the in-process engine phase (default: the machine's cores).
    #[arg(long)]
    engine_threads: Option<usize>,
    /// Engine phase only: `Config::language_sample_bytes` (default: the engine's default), to
    /// measure what a smaller language-ID sample would save.
    #[arg(long)]
    language_sample_bytes: Option<usize>,
    /// Size of the big document of the `stall` phase, in bytes.
    #[arg(long, default_value_t = 10 * 1024 * 1024)]
    big_bytes: usize,
}

/// What one phase measured.
#[derive(Default)]
struct Outcome {
    /// CPU seconds of the engine threads (engine phase): articles per CPU-second is the
    /// per-core rate, and stays honest when other processes share the cores.
    engine_cpu_s: f64,
    calls: u64,
    errors: u64,
    bytes: u64,
    latencies_us: Vec<u32>,
    seconds: f64,
    server_cpu_s: f64,
    server_rss_peak_kb: u64,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.calls as f64 / self.seconds
    }
    fn pct(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// Per-worker tallies, merged at the end of a phase.
#[derive(Default)]
struct Tally {
    /// CPU seconds the measuring thread itself ran (engine phase only).
    cpu_s: f64,
    calls: u64,
    errors: u64,
    bytes: u64,
    latencies_us: Vec<u32>,
}

/// CPU time of the calling thread, from /proc/thread-self/schedstat (ns on the CPU).
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// The server process: CPU seconds and RSS from /proc.
struct Proc {
    pid: u32,
    ticks: f64,
}

impl Proc {
    fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // Fields after the command name "(…)": utime is the 12th, stime the 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let t = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        (t(11) + t(12)) / self.ticks
    }
    fn status_kb(&self, key: &str) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Samples the server's RSS every 50 ms until `stop`; returns the largest value seen.
fn rss_sampler(proc_: Option<Arc<Proc>>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while !stop.load(Ordering::Relaxed) {
            if let Some(p) = &proc_ {
                peak = peak.max(p.status_kb("VmRSS:"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        peak
    })
}

struct Server {
    child: Option<Child>,
    addr: String,
    proc_: Option<Arc<Proc>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn start_server(args: &Args) -> Result<Server, Error> {
    let ticks = clock_ticks();
    if let Some(addr) = &args.addr {
        return Ok(Server {
            child: None,
            addr: addr.clone(),
            proc_: args.server_pid.map(|pid| Arc::new(Proc { pid, ticks })),
        });
    }
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => {
            let exe = std::env::current_exe()?;
            // target/release/examples/load → target/release/copydesk
            exe.parent()
                .and_then(|p| p.parent())
                .map(|p| p.join("copydesk"))
                .ok_or("cannot find target/release/copydesk: pass --server-bin")?
        }
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(&bin)
        .arg("serve")
        .arg("--listen")
        .arg(&listen)
        .args(&args.server_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let pid = child.id();
    Ok(Server {
        child: Some(child),
        addr: format!("http://{listen}"),
        proc_: Some(Arc::new(Proc { pid, ticks })),
    })
}

async fn connect(addr: &str, n: usize) -> Result<Vec<Channel>, Error> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(
            Endpoint::from_shared(addr.to_string())?
                .tcp_nodelay(true)
                .connect()
                .await?,
        );
    }
    Ok(out)
}

async fn wait_serving(addr: &str) -> Result<Duration, Error> {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        if let Ok(ch) = Endpoint::from_shared(addr.to_string())?.connect().await
            && HealthClient::new(ch)
                .check(HealthCheckRequest::default())
                .await
                .is_ok_and(|r| r.get_ref().status == 1)
        {
            return Ok(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err("server did not become SERVING within 30 s".into())
}

fn doc(text: &str, id: u64) -> pb::Document {
    pb::Document {
        id: id.to_string(),
        content: Some(pb::document::Content::Text(text.to_string())),
        ..Default::default()
    }
}

/// A content type the service refuses (the contract takes `text/plain` only, for now).
const REFUSED_CONTENT_TYPE: &str = "application/x-load-refused";

fn client(ch: Channel) -> NormalizerServiceClient<Channel> {
    NormalizerServiceClient::new(ch)
        .max_decoding_message_size(256 << 20)
        .max_encoding_message_size(256 << 20)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Health,
    Unary,
    /// Normalize with a `content_type` the engine refuses at its first check: the same 3 KB on
    /// the wire, the same hop to an engine thread and back, no engine work. Success is the
    /// expected INVALID_ARGUMENT.
    Refused,
}

/// Closed loop (or paced at `rate` calls/s in total) unary calls for warm-up + duration.
async fn run_unary(
    kind: Kind,
    channels: &[Channel],
    docs: Arc<Vec<String>>,
    args: &Args,
    rate: Option<f64>,
) -> Vec<Tally> {
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let workers = args.in_flight.max(1);
    let mut handles = Vec::new();
    for w in 0..workers {
        let ch = channels[w % channels.len()].clone();
        let docs = docs.clone();
        // Paced: each worker owns every `workers`-th slot of a fixed schedule; latency counts
        // from the scheduled time, so a slow server is not hidden by a waiting client.
        let interval = rate.map(|r| Duration::from_secs_f64(workers as f64 / r));
        let offset = rate.map(|r| Duration::from_secs_f64(w as f64 / r));
        handles.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let mut health = HealthClient::new(ch.clone());
            let mut norm = client(ch);
            let mut i: u64 = 0;
            loop {
                let scheduled = match (interval, offset) {
                    (Some(iv), Some(off)) => {
                        let at = start + off + iv * (i as u32);
                        tokio::time::sleep_until(at.into()).await;
                        at
                    }
                    _ => Instant::now(),
                };
                if scheduled >= end {
                    break;
                }
                let n = (w as u64).wrapping_mul(7919).wrapping_add(i);
                let (ok, bytes) = match kind {
                    Kind::Health => (
                        health
                            .check(HealthCheckRequest::default())
                            .await
                            .is_ok_and(|r| r.get_ref().status == 1),
                        0,
                    ),
                    Kind::Unary => {
                        let text = &docs[(n as usize) % docs.len()];
                        let req = pb::NormalizeRequest {
                            document: Some(doc(text, n)),
                            options: None,
                        };
                        (norm.normalize(req).await.is_ok(), text.len())
                    }
                    Kind::Refused => {
                        let text = &docs[(n as usize) % docs.len()];
                        let mut document = doc(text, n);
                        document.content_type = REFUSED_CONTENT_TYPE.into();
                        let req = pb::NormalizeRequest {
                            document: Some(document),
                            options: None,
                        };
                        let refused = norm
                            .normalize(req)
                            .await
                            .is_err_and(|s| s.code() == tonic::Code::InvalidArgument);
                        (refused, text.len())
                    }
                };
                let done = Instant::now();
                if scheduled >= measure_from {
                    t.calls += 1;
                    t.bytes += bytes as u64;
                    if !ok {
                        t.errors += 1;
                    }
                    t.latencies_us.push(micros(done - scheduled));
                }
                i += 1;
            }
            t
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        if let Ok(t) = h.await {
            out.push(t);
        }
    }
    out
}

/// One NormalizeStream per connection, each with `in_flight / connections` documents in flight.
async fn run_stream(channels: &[Channel], docs: Arc<Vec<String>>, args: &Args) -> Vec<Tally> {
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let end = measure_from + Duration::from_secs_f64(args.duration);
    let window = (args.in_flight / channels.len()).max(1);
    let mut handles = Vec::new();
    for (c, ch) in channels.iter().enumerate() {
        let ch = ch.clone();
        let docs = docs.clone();
        handles.push(tokio::spawn(async move {
            let mut t = Tally::default();
            let (tx, rx) = tokio::sync::mpsc::channel::<pb::NormalizeStreamRequest>(window);
            let sent: Arc<Mutex<VecDeque<(Instant, usize)>>> = Arc::default();
            let permits = Arc::new(tokio::sync::Semaphore::new(window));
            let sender = {
                let sent = sent.clone();
                let permits = permits.clone();
                tokio::spawn(async move {
                    let mut i: u64 = 0;
                    while Instant::now() < end {
                        let Ok(p) = permits.acquire().await else {
                            break;
                        };
                        p.forget();
                        let n = (c as u64).wrapping_mul(7919).wrapping_add(i);
                        let text = &docs[(n as usize) % docs.len()];
                        let req = pb::NormalizeStreamRequest {
                            document: Some(doc(text, n)),
                            options: None,
                        };
                        if let Ok(mut q) = sent.lock() {
                            q.push_back((Instant::now(), text.len()));
                        }
                        if tx.send(req).await.is_err() {
                            break;
                        }
                        i += 1;
                    }
                })
            };
            let mut norm = client(ch);
            let response = norm
                .normalize_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
                .await;
            let mut inbound = match response {
                Ok(r) => r.into_inner(),
                Err(_) => {
                    t.errors += 1;
                    sender.abort();
                    return t;
                }
            };
            loop {
                match inbound.message().await {
                    Ok(Some(item)) => {
                        let done = Instant::now();
                        let front = sent.lock().ok().and_then(|mut q| q.pop_front());
                        permits.add_permits(1);
                        if let Some((at, bytes)) = front
                            && at >= measure_from
                            && at < end
                        {
                            t.calls += 1;
                            t.bytes += bytes as u64;
                            if !matches!(
                                item.result,
                                Some(pb::normalize_stream_response::Result::Article(_))
                            ) {
                                t.errors += 1;
                            }
                            t.latencies_us.push(micros(done - at));
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {
                        t.errors += 1;
                        break;
                    }
                }
            }
            let _ = sender.await;
            t
        }));
    }
    let mut out = Vec::new();
    for h in handles {
        if let Ok(t) = h.await {
            out.push(t);
        }
    }
    out
}

/// The engine in-process on `threads` threads, closed loop over the feed.
fn run_engine(docs: &[String], threads: usize, args: &Args) -> Result<Vec<Tally>, Error> {
    let rules = Arc::new(copydesk::Rules::embedded()?);
    let mut config = copydesk::Config::default();
    if let Some(n) = args.language_sample_bytes {
        config.language_sample_bytes = n;
    }
    let warm = Duration::from_secs_f64(args.warmup);
    let dur = Duration::from_secs_f64(args.duration);
    let done = Arc::new(AtomicU64::new(0));
    let out = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|w| {
                let rules = rules.clone();
                let config = config.clone();
                let done = done.clone();
                s.spawn(move || {
                    let mut t = Tally::default();
                    let start = Instant::now();
                    let mut i = w * 7919;
                    let mut cpu_from = None;
                    loop {
                        let at = Instant::now();
                        if at >= start + warm + dur {
                            break;
                        }
                        if at >= start + warm && cpu_from.is_none() {
                            cpu_from = Some(thread_cpu_seconds());
                        }
                        let text = &docs[i % docs.len()];
                        let ok = copydesk::normalize(&copydesk::Input::text(text), &rules, &config)
                            .is_ok();
                        if at >= start + warm {
                            t.calls += 1;
                            t.bytes += text.len() as u64;
                            t.errors += u64::from(!ok);
                            t.latencies_us.push(micros(at.elapsed()));
                        }
                        i += 1;
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                    t.cpu_s = cpu_from.map_or(0.0, |c| thread_cpu_seconds() - c);
                    t
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .collect::<Vec<_>>()
    });
    Ok(out)
}

fn merge(tallies: Vec<Tally>, seconds: f64) -> Outcome {
    let mut o = Outcome {
        seconds,
        ..Outcome::default()
    };
    for t in tallies {
        o.engine_cpu_s += t.cpu_s;
        o.calls += t.calls;
        o.errors += t.errors;
        o.bytes += t.bytes;
        o.latencies_us.extend(t.latencies_us);
    }
    o.latencies_us.sort_unstable();
    o
}

fn print_header() {
    println!(
        "| phase | conns × in flight | calls/s | MB/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU µs/call | server cores | server RSS peak MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
}

fn print_row(name: &str, shape: &str, o: &Outcome) {
    let cpu_per_call = if o.calls > 0 && o.server_cpu_s > 0.0 {
        format!("{:.0}", o.server_cpu_s * 1e6 / o.calls as f64)
    } else {
        "–".into()
    };
    let cores = if o.server_cpu_s > 0.0 {
        format!("{:.2}", o.server_cpu_s / (o.seconds + 0.0))
    } else {
        "–".into()
    };
    let rss = if o.server_rss_peak_kb > 0 {
        format!("{:.1}", o.server_rss_peak_kb as f64 / 1024.0)
    } else {
        "–".into()
    };
    println!(
        "| {name} | {shape} | {:.0} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {cpu_per_call} | {cores} | {rss} |",
        o.rate(),
        o.bytes as f64 / o.seconds / 1e6,
        o.pct(0.50),
        o.pct(0.90),
        o.pct(0.99),
        o.pct(1.0),
        o.errors,
    );
}

fn main() -> Result<(), Error> {
    let args = Args::parse();
    let docs: Vec<String> = if args.size.eq_ignore_ascii_case("fixtures") {
        common::fixtures()
            .into_iter()
            .filter(|f| f.is_text)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
            .collect()
    } else {
        let size = common::SIZES
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(&args.size))
            .map(|(_, s)| *s)
            .ok_or("--size must be 1KB, 3KB, 10KB, 100KB, 1MB or fixtures")?;
        common::feed(size)
    };
    if docs.is_empty() {
        return Err("no documents: run from the repository (tests/fixtures)".into());
    }
    let mean = docs.iter().map(String::len).sum::<usize>() / docs.len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "# copydesk load: {} documents of ~{} B ({}), {} connections × {} in flight in total, {} s + {} s warm-up per phase, {} cores",
        docs.len(),
        mean,
        args.size,
        args.connections,
        args.in_flight,
        args.duration,
        args.warmup,
        cores
    );
    let docs = Arc::new(docs);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // The engine phase alone needs no server.
    let needs_server = args.phases.iter().any(|p| p != "engine");
    let server = if needs_server {
        start_server(&args)?
    } else {
        Server {
            child: None,
            addr: String::new(),
            proc_: None,
        }
    };
    let channels = if needs_server {
        let ready = rt.block_on(wait_serving(&server.addr))?;
        println!(
            "# server {} ready in {:.0} ms (rules checked, common rules compiled; each language compiles on its first document)",
            server.addr,
            ready.as_secs_f64() * 1000.0
        );
        rt.block_on(connect(&server.addr, args.connections.max(1)))?
    } else {
        Vec::new()
    };
    let shape = format!("{} × {}", args.connections, args.in_flight);

    print_header();
    let mut health_rate = None;
    let mut refused_rate = None;
    let mut unary_rate = None;
    let mut engine_rate = None;
    let mut stream_rate = None;
    // CPU per article: the engine's own (per CPU-second) and the server's on NormalizeStream.
    let mut engine_cpu_per_article = None;
    let mut stream_cpu_per_article = None;
    let mut rss_max = 0;
    for phase in &args.phases {
        let stop = Arc::new(AtomicBool::new(false));
        let sampler = rss_sampler(server.proc_.clone(), stop.clone());
        let cpu0 = server.proc_.as_ref().map_or(0.0, |p| p.cpu_seconds());
        let t0 = Instant::now();
        let (tallies, name, row_shape): (Vec<Tally>, String, String) = match phase.as_str() {
            "engine" => {
                let threads = args.engine_threads.unwrap_or(cores);
                (
                    run_engine(&docs, threads, &args)?,
                    format!("engine in-process, {threads} threads"),
                    "–".into(),
                )
            }
            "health" => (
                rt.block_on(run_unary(
                    Kind::Health,
                    &channels,
                    docs.clone(),
                    &args,
                    None,
                )),
                "Health/Check".into(),
                shape.clone(),
            ),
            "unary" => (
                rt.block_on(run_unary(
                    Kind::Unary,
                    &channels,
                    docs.clone(),
                    &args,
                    args.rate,
                )),
                match args.rate {
                    Some(r) => format!("Normalize paced at {r:.0}/s"),
                    None => "Normalize".into(),
                },
                shape.clone(),
            ),
            "refused" => (
                rt.block_on(run_unary(
                    Kind::Refused,
                    &channels,
                    docs.clone(),
                    &args,
                    None,
                )),
                "Normalize refused before the engine (unsupported content_type)".into(),
                shape.clone(),
            ),
            "unary-half" | "stall" => {
                let Some(peak) = unary_rate else {
                    eprintln!("{phase}: needs a `unary` phase before it; skipped");
                    continue;
                };
                let rate = peak / 2.0;
                let big = (phase == "stall").then(|| {
                    let one = &docs[0];
                    let mut s = String::with_capacity(args.big_bytes + one.len());
                    while s.len() + one.len() < args.big_bytes {
                        s.push_str(one);
                        s.push('\n');
                    }
                    s
                });
                let big_task = big.map(|text| {
                    let addr = server.addr.clone();
                    let end = Instant::now() + Duration::from_secs_f64(args.warmup + args.duration);
                    rt.spawn(async move {
                        let mut lat = Vec::new();
                        let Ok(ch) = connect(&addr, 1).await else {
                            return lat;
                        };
                        let mut c = client(ch[0].clone());
                        while Instant::now() < end {
                            let t = Instant::now();
                            let req = pb::NormalizeRequest {
                                document: Some(doc(&text, 0)),
                                options: None,
                            };
                            let ok = c.normalize(req).await.is_ok();
                            lat.push((t.elapsed(), ok));
                        }
                        lat
                    })
                });
                let t = rt.block_on(run_unary(
                    Kind::Unary,
                    &channels,
                    docs.clone(),
                    &args,
                    Some(rate),
                ));
                if let Some(task) = big_task
                    && let Ok(lat) = rt.block_on(task)
                {
                    let ok = lat.iter().filter(|l| l.1).count();
                    let mean = lat.iter().map(|l| l.0.as_secs_f64()).sum::<f64>()
                        / lat.len().max(1) as f64;
                    println!(
                        "# stall: {} big documents of {} B done alongside ({} ok), mean {:.0} ms each",
                        lat.len(),
                        args.big_bytes,
                        ok,
                        mean * 1000.0
                    );
                }
                let label = if phase == "stall" {
                    format!(
                        "Normalize at ½ peak ({rate:.0}/s) + one {} B doc looping",
                        args.big_bytes
                    )
                } else {
                    format!("Normalize at ½ peak ({rate:.0}/s)")
                };
                (t, label, shape.clone())
            }
            "stream" => (
                rt.block_on(run_stream(&channels, docs.clone(), &args)),
                "NormalizeStream".into(),
                format!(
                    "{} streams × {}",
                    args.connections,
                    args.in_flight / args.connections.max(1)
                ),
            ),
            other => {
                eprintln!("unknown phase {other:?}; skipped");
                continue;
            }
        };
        let wall = t0.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        let rss = sampler.join().unwrap_or(0);
        let cpu = server.proc_.as_ref().map_or(0.0, |p| p.cpu_seconds()) - cpu0;
        let mut o = merge(tallies, args.duration);
        if phase != "engine" {
            // CPU over the whole phase (warm-up included) scaled to the measured window.
            o.server_cpu_s = cpu * args.duration / wall.max(1e-9);
            o.server_rss_peak_kb = rss;
            rss_max = rss_max.max(rss);
        }
        print_row(&name, &row_shape, &o);
        if phase == "engine" && o.engine_cpu_s > 0.0 {
            println!(
                "#   engine per CPU-second (per core): {:.0} articles/s, {:.2} MB/s ({:.2} CPU-s used in {:.1} s)",
                o.calls as f64 / o.engine_cpu_s,
                o.bytes as f64 / o.engine_cpu_s / 1e6,
                o.engine_cpu_s,
                o.seconds
            );
        }
        match phase.as_str() {
            "engine" => {
                engine_rate = Some(o.rate());
                if o.calls > 0 && o.engine_cpu_s > 0.0 {
                    engine_cpu_per_article = Some(o.engine_cpu_s / o.calls as f64);
                }
            }
            "health" => health_rate = Some(o.rate()),
            "refused" => refused_rate = Some(o.rate()),
            "unary" if args.rate.is_none() => unary_rate = Some(o.rate()),
            "stream" => {
                stream_rate = Some(o.rate());
                if o.calls > 0 && o.server_cpu_s > 0.0 {
                    stream_cpu_per_article = Some(o.server_cpu_s / o.calls as f64);
                }
            }
            _ => {}
        }
    }
    println!();
    if let (Some(r), Some(h)) = (refused_rate, health_rate) {
        println!(
            "Normalize refused before the engine / Health/Check = {:.0} / {:.0} = {:.1} %  (the ceiling for 3 KB calls on this transport)",
            r,
            h,
            100.0 * r / h
        );
    }
    if let (Some(u), Some(h)) = (unary_rate, health_rate) {
        println!(
            "Normalize / Health/Check = {:.0} / {:.0} = {:.1} %  (target ≥ 50 %)",
            u,
            h,
            100.0 * u / h
        );
    }
    if let (Some(s), Some(e)) = (stream_rate, engine_rate) {
        println!(
            "NormalizeStream / engine in-process = {:.0} / {:.0} articles/s = {:.1} %  (target ≥ 80 %)",
            s,
            e,
            100.0 * s / e
        );
    }
    if let (Some(s), Some(e)) = (stream_cpu_per_article, engine_cpu_per_article) {
        println!(
            "NormalizeStream per CPU: engine {:.0} µs / server {:.0} µs per article = {:.1} %  (the load client shares the cores, so this is the fairer ratio on one machine)",
            e * 1e6,
            s * 1e6,
            100.0 * e / s
        );
    }
    if let Some(p) = &server.proc_ {
        println!(
            "server RSS: peak sampled during phases {:.1} MB, VmHWM (lifetime peak) {:.1} MB  (target ≤ 64 MB)",
            rss_max as f64 / 1024.0,
            p.status_kb("VmHWM:") as f64 / 1024.0
        );
    }
    drop(channels);
    drop(server);
    Ok(())
}
