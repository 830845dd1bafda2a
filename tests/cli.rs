//! The built binary on fixture files: JSON output, detect, exit codes; `health` and
//! `--version` against a real server.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use copydesk::config::ServeConfig;

const BIN: &str = env!("CARGO_BIN_EXE_copydesk");

fn data(name: &str) -> String {
    format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("COPYDESK_RULES")
        .output()
        .expect("run copydesk")
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("COPYDESK_RULES")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn copydesk");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
    serde_json::from_str(&stdout(o)).expect("JSON article")
}

#[test]
fn normalize_prints_the_article_as_proto3_json() {
    let v = json(&run(&["normalize", &data("en.txt"), "--id", "wire-7"]));
    assert_eq!(v["id"], "wire-7");
    assert_eq!(v["language"]["code"], "en");
    assert!(!v["text"].as_str().unwrap_or_default().is_empty());
    let blocks = v["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty());
    assert!(
        blocks[0]["kind"]
            .as_str()
            .unwrap_or_default()
            .starts_with("BLOCK_KIND_")
    );
    // proto3 JSON: lowerCamelCase, no snake_case names.
    assert!(!stdout(&run(&["normalize", &data("en.txt")])).contains("reading_time_seconds"));
}

#[test]
fn normalize_detects_the_charset_of_raw_bytes_and_honours_a_named_one() {
    for extra in [&[][..], &["--charset", "windows-1252"][..]] {
        let mut args = vec!["normalize".to_string(), data("de-windows-1252.txt")];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let v = json(&run(&args));
        assert_eq!(v["language"]["code"], "de", "{extra:?}");
        assert!(
            v["text"].as_str().unwrap_or_default().contains("Straßen"),
            "{v}"
        );
    }
}

#[test]
fn normalize_reads_stdin() {
    let v = json(&run_stdin(
        &["normalize", "-", "--language-hint", "de"],
        include_bytes!("data/de.txt"),
    ));
    assert_eq!(v["language"]["code"], "de");
    let v = json(&run_stdin(&["normalize"], include_bytes!("data/en.txt")));
    assert_eq!(v["language"]["code"], "en");
}

#[test]
fn detect_prints_code_and_confidence() {
    let o = run(&["detect", &data("de.txt")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let (code, confidence) = out
        .trim_end()
        .split_once('\t')
        .expect("code<TAB>confidence");
    assert_eq!(code, "de");
    let c: f64 = confidence.parse().expect("number");
    assert!((0.0..=1.0).contains(&c));
    assert!(
        confidence
            .split_once('.')
            .is_some_and(|(_, d)| (2..=3).contains(&d.len()))
    );
}

#[test]
fn detect_lines_answers_each_line() {
    let o = run(&["detect", "--lines", &data("lines.txt")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let codes: Vec<String> = stdout(&o)
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(codes, ["en", "de"]);
}

fn assert_input_error(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(1), "stdout: {}", stdout(o));
    let err = stderr(o);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("copydesk: "), "{err}");
    assert!(err.contains(needle), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn input_errors_exit_1_with_one_line() {
    assert_input_error(
        &run(&["normalize", "/no/such/file.txt"]),
        "/no/such/file.txt",
    );
    assert_input_error(&run(&["normalize", &data("empty.txt")]), "empty");
    assert_input_error(
        &run(&["normalize", &data("en.txt"), "--charset", "klingon-8"]),
        "klingon-8",
    );
    assert_input_error(
        &run(&["normalize", &data("en.txt"), "--language-hint", "english!"]),
        "english!",
    );
    assert_input_error(&run(&["detect", &data("empty.txt")]), "empty");
    assert_input_error(
        &run(&["normalize", &data("en.txt"), "--rules", "/no/such/dir"]),
        "/no/such/dir",
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["normalize", "--no-such-flag"][..],
        &["serve", "--listen", "not-an-address"][..],
        &["serve", "--request-timeout", "soon"][..],
        &["serve", "--log-format", "xml"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn help_everywhere() {
    for args in [
        &["--help"][..],
        &["serve", "--help"][..],
        &["normalize", "--help"][..],
        &["detect", "--help"][..],
        &["health", "--help"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
    let serve = stdout(&run(&["serve", "--help"]));
    for flag in [
        "--listen",
        "--max-document-bytes",
        "--request-timeout",
        "--concurrency-limit",
        "--memory-budget",
        "--max-response-bytes",
        "--max-concurrent-streams",
        "--drain-timeout",
        "--rules",
        "--log-format",
        "--metrics-listen",
        "--otlp-endpoint",
        "--otlp-service-name",
        "COPYDESK_LISTEN",
        "COPYDESK_OTLP_ENDPOINT",
    ] {
        assert!(serve.contains(flag), "{flag} missing from serve --help");
    }
}

#[test]
fn serve_refuses_an_address_in_use_with_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let o = run(&["serve", "--listen", &addr]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&addr), "{}", stderr(&o));
}

/// The server in-process on a runtime of its own, so that the test thread can run the binary
/// and wait for it.
fn server(config: ServeConfig) -> (tokio::runtime::Runtime, common::App) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let app = runtime.block_on(common::spawn_app_with(config));
    (runtime, app)
}

fn health(addr: &str, extra: &[&str]) -> Output {
    let mut args = vec!["health", "--addr", addr];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn health_exits_0_for_a_serving_server_and_its_service_and_1_for_an_unknown_service() {
    let (_runtime, app) = server(ServeConfig::default());
    let addr = app.addr.to_string();
    for extra in [&[][..], &["--service", "copydesk.v1.NormalizerService"][..]] {
        let o = health(&addr, extra);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {}", stderr(&o));
        assert_eq!(stdout(&o).trim(), "SERVING");
    }
    let with_url = health(&format!("http://{addr}"), &[]);
    assert_eq!(with_url.status.code(), Some(0), "{}", stderr(&with_url));

    let o = health(&addr, &["--service", "no.such.Service"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(stderr(&o).contains("no.such.Service"), "{}", stderr(&o));
}

#[test]
fn health_exits_1_once_the_server_is_shutting_down() {
    // A grace far longer than the test: the server answers NOT_SERVING and keeps serving.
    let (_runtime, mut app) = server(ServeConfig {
        shutdown_grace: common::PATIENCE,
        ..ServeConfig::default()
    });
    let addr = app.addr.to_string();
    assert_eq!(health(&addr, &[]).status.code(), Some(0));
    app.shutdown();
    // The status changes when the server's shutdown task runs: ask until it has.
    let asked = Instant::now();
    let o = loop {
        let o = health(&addr, &[]);
        if o.status.code() != Some(0) || asked.elapsed() > common::PATIENCE {
            break o;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("NOT_SERVING"), "{}", stderr(&o));
    let service = health(&addr, &["--service", "copydesk.v1.NormalizerService"]);
    assert_eq!(service.status.code(), Some(1));
    assert!(
        stderr(&service).contains("NOT_SERVING"),
        "{}",
        stderr(&service)
    );
}

#[test]
fn health_exits_1_saying_so_when_nothing_answers_or_the_address_is_wrong() {
    let addr = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        free.local_addr().expect("addr").to_string()
    }; // closed again: nothing listens there now
    let o = health(&addr, &["--timeout", "2s"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&addr), "{}", stderr(&o));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));

    let o = health("localhost", &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("HOST:PORT"), "{}", stderr(&o));
    let o = health("127.0.0.1:1", &["--timeout", "0s"]);
    assert_eq!(o.status.code(), Some(2), "a zero timeout is a usage error");
}

#[test]
fn version_flag_and_get_capabilities_report_the_same_version() {
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    let printed = stdout(&o);
    let version = printed
        .trim()
        .strip_prefix("copydesk ")
        .expect("`copydesk VERSION`");
    assert_eq!(version, copydesk::VERSION);
    let (runtime, app) = server(ServeConfig::default());
    let caps = runtime.block_on(async {
        app.client()
            .await
            .get_capabilities(copydesk::pb::GetCapabilitiesRequest {})
            .await
            .expect("GetCapabilities")
            .into_inner()
    });
    assert_eq!(caps.version, version);
}
