//! The binary's face: `copydesk serve | normalize | detect | health`. Glue only: parse, call, print.
//!
//! Exit codes: 0 success, 1 input or start-up error (one line on stderr), 2 usage (clap).

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

use crate::config::{LogFormat, ServeConfig};
use crate::engine::{self, Content, Input};
use crate::grpc::{ServeError, convert};
use crate::pb;
use crate::rules::{Rules, RulesError};
use crate::telemetry::{self, Otlp, TelemetryError};

#[derive(Debug, Parser)]
#[command(
    name = "copydesk",
    version = crate::VERSION,
    about = "Raw news wire copy in, one clean structured article out.",
    long_about = "Raw news wire copy in, one clean structured article out.\n\n\
                  `serve` runs the gRPC service copydesk.v1.NormalizerService; `normalize` and \
                  `detect` run the same engine on a file or stdin; `health` asks a running \
                  server's grpc.health.v1 service (for container probes)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the gRPC API (with health, reflection and optional metrics).
    Serve(ServeConfig),
    /// Normalise one document and print the article as proto3 JSON (as grpcurl shows it) or ninjs.
    Normalize(NormalizeArgs),
    /// Detect the language of a text: prints `code<TAB>confidence`.
    Detect(DetectArgs),
    /// Ask a server's grpc.health.v1 Check: exit 0 when SERVING, 1 otherwise (probes).
    Health(HealthArgs),
}

#[derive(Debug, Args)]
struct HealthArgs {
    /// The server: HOST:PORT (plaintext HTTP/2), or an http:// URL.
    #[arg(long, env = "COPYDESK_HEALTH_ADDR", default_value = "127.0.0.1:50051")]
    addr: String,
    /// The service to ask about (e.g. copydesk.v1.NormalizerService); empty: the server.
    #[arg(long, default_value = "")]
    service: String,
    /// Time for the whole check, connection included (e.g. 3s, 500ms).
    #[arg(long, default_value = "3s", value_parser = crate::config::parse_duration)]
    timeout: Duration,
}

#[derive(Debug, Args)]
struct NormalizeArgs {
    /// The copy: a file in any charset, or `-` for stdin.
    #[arg(value_name = "FILE|-", default_value = "-")]
    input: PathBuf,
    /// ISO 639-1 code you believe the copy is in.
    #[arg(long, value_name = "CODE")]
    language_hint: Option<String>,
    /// WHATWG label of the file's charset (windows-1252, iso-8859-2, ...); default: detect.
    #[arg(long, value_name = "LABEL")]
    charset: Option<String>,
    /// Id echoed in the article.
    #[arg(long, default_value = "")]
    id: String,
    /// The input's content type (application/nitf+xml, application/ninjs+json, text/html,
    /// ...; a `; charset=` parameter names the charset); default: recognise it from the bytes.
    #[arg(long, value_name = "TYPE")]
    content_type: Option<String>,
    /// What to print: the article as proto3 JSON, or as an IPTC ninjs 3.1 document.
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    format: OutputFormat,
    /// Folder of rule files laid over the embedded ones.
    #[arg(long, env = "COPYDESK_RULES", value_name = "DIR")]
    rules: Option<PathBuf>,
}

/// The output of `normalize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    /// The article in the proto3 JSON mapping (as grpcurl shows it).
    Json,
    /// The article as an IPTC ninjs 3.1 JSON document.
    Ninjs,
}

#[derive(Debug, Args)]
struct DetectArgs {
    /// The text: a file, or `-` for stdin.
    #[arg(value_name = "FILE|-", default_value = "-")]
    input: PathBuf,
    /// One answer per input line instead of one for the whole input.
    #[arg(long)]
    lines: bool,
    /// ISO 639-1 code that decides where the text is too short or ambiguous.
    #[arg(long, value_name = "CODE")]
    language_hint: Option<String>,
    /// Folder of rule files laid over the embedded ones.
    #[arg(long, env = "COPYDESK_RULES", value_name = "DIR")]
    rules: Option<PathBuf>,
}

/// Why a command failed. Printed as one line on stderr, exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: io::Error },
    #[error("{0}")]
    Rules(#[from] RulesError),
    #[error("{0}")]
    Engine(#[from] engine::Error),
    #[error("the input is empty: give a file or pipe text into stdin")]
    EmptyInput,
    #[error("cannot write the output: {0}")]
    Write(io::Error),
    #[error("cannot render the article as JSON: {0}")]
    Json(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(io::Error),
    #[error("{0}")]
    Serve(#[from] ServeError),
    #[error("{0}")]
    Telemetry(#[from] TelemetryError),
    #[error("{addr:?} is not a server address: {reason}; give HOST:PORT such as 127.0.0.1:50051")]
    HealthAddr { addr: String, reason: String },
    #[error(
        "no health answer from {addr} within {timeout:?} (--timeout): is the server running and listening there?"
    )]
    HealthTimeout { addr: String, timeout: Duration },
    #[error("cannot reach {addr}: {reason}")]
    HealthConnect { addr: String, reason: String },
    #[error(
        "{addr} does not know the service {service:?} (NOT_FOUND): name a service it serves, or none for the server"
    )]
    HealthUnknownService { addr: String, service: String },
    #[error("the health check of {addr} failed: {status}")]
    HealthCall { addr: String, status: String },
    #[error("{addr} answers {status} for {what}")]
    NotServing {
        addr: String,
        status: &'static str,
        what: String,
    },
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2 here
    let result = match cli.command {
        Command::Serve(config) => serve(config),
        Command::Normalize(args) => normalize(args),
        Command::Detect(args) => detect(args),
        Command::Health(args) => health(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("copydesk: {e}");
            ExitCode::from(1)
        }
    }
}

fn serve(config: ServeConfig) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    // The OTLP exporter's channel lives on the runtime: it is made inside it.
    let otlp = match &config.otlp_endpoint {
        Some(endpoint) => {
            let _runtime = runtime.enter();
            Some(Otlp::start(endpoint, &config.otlp_service_name)?)
        }
        None => None,
    };
    init_tracing(config.log_format, otlp.as_ref());
    if let Some(endpoint) = &config.otlp_endpoint {
        tracing::info!(
            endpoint = endpoint.as_str(),
            service_name = config.otlp_service_name.as_str(),
            "exporting traces over OTLP/gRPC to {endpoint}"
        );
    }
    let result = runtime.block_on(crate::grpc::run(config));
    // The spans of the last calls are still batched: sent now, while the runtime still runs.
    if let Some(otlp) = otlp {
        otlp.shutdown();
    }
    result?;
    Ok(())
}

/// Logs to stdout: text by default, one JSON object per line with `--log-format json`.
/// `RUST_LOG` filters (default `info`). With `otlp`, the spans of calls and engine stages are
/// also exported (see `telemetry`); the log lines stay the same.
fn init_tracing(format: LogFormat, otlp: Option<&Otlp>) {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(io::IsTerminal::is_terminal(&io::stdout()));
    let fmt = match format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt.json().flatten_event(true).boxed(),
    };
    let logs = fmt.with_filter(telemetry::log_filter(filter));
    let subscriber = tracing_subscriber::registry().with(logs);
    // try_init fails only when a subscriber is already set; keeping that one is fine.
    let _ = subscriber.with(otlp.map(|o| o.layer())).try_init();
}

fn load_rules(dir: Option<&PathBuf>) -> Result<Rules, CliError> {
    Ok(match dir {
        Some(dir) => Rules::with_overrides(dir)?,
        None => Rules::embedded()?,
    })
}

fn read_input(path: &PathBuf) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    let name = path.display().to_string();
    let result = if name == "-" {
        io::stdin().lock().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    result.map_err(|source| CliError::Read { path: name, source })?;
    Ok(bytes)
}

fn normalize(args: NormalizeArgs) -> Result<(), CliError> {
    let rules = load_rules(args.rules.as_ref())?;
    let bytes = read_input(&args.input)?;
    // Raw bytes, so that the engine detects (or applies --charset to) the file's charset.
    let input = Input {
        id: &args.id,
        content: Content::Raw(&bytes),
        charset: args.charset.as_deref(),
        language_hint: args.language_hint.as_deref(),
        content_type: args.content_type.as_deref(),
    };
    let article = engine::normalize(&input, &rules, &engine::Config::default())?;
    let json = match args.format {
        OutputFormat::Json => {
            article_json(&convert::article(article, &pb::NormalizeOptions::default()))?
        }
        OutputFormat::Ninjs => {
            let doc = engine::formats::ninjs::to_ninjs(&article);
            serde_json::to_string_pretty(&doc).map_err(|e| CliError::Json(e.to_string()))?
        }
    };
    let mut out = io::stdout().lock();
    writeln!(out, "{json}").map_err(CliError::Write)
}

/// The article in the proto3 JSON mapping (lowerCamelCase names, enum names, defaults
/// omitted): what grpcurl prints for `Normalize`'s `article`.
pub fn article_json(article: &pb::Article) -> Result<String, CliError> {
    let json = |e: &dyn std::fmt::Display| CliError::Json(e.to_string());
    let pool = DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).map_err(|e| json(&e))?;
    let descriptor = pool
        .get_message_by_name("copydesk.v1.Article")
        .ok_or_else(|| CliError::Json("copydesk.v1.Article is not in the descriptor set".into()))?;
    let message = DynamicMessage::decode(descriptor, article.encode_to_vec().as_slice())
        .map_err(|e| json(&e))?;
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::pretty(&mut out);
    message
        .serialize_with_options(&mut serializer, &SerializeOptions::new())
        .map_err(|e| json(&e))?;
    String::from_utf8(out).map_err(|e| json(&e))
}

fn detect(args: DetectArgs) -> Result<(), CliError> {
    let hint = args
        .language_hint
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty());
    if let Some(h) = hint
        && !engine::language::is_language_code(h)
    {
        return Err(engine::Error::InvalidLanguageHint(h.to_string()).into());
    }
    let rules = load_rules(args.rules.as_ref())?;
    let bytes = read_input(&args.input)?;
    let text = decode_text(&bytes);
    let detector = rules.detector();
    let mut out = io::stdout().lock();
    if args.lines {
        for line in text.lines() {
            let d = detector.detect(line, hint);
            writeln!(out, "{}\t{:.3}", d.language.code, d.language.confidence)
                .map_err(CliError::Write)?;
        }
    } else {
        if text.trim().is_empty() {
            return Err(CliError::EmptyInput);
        }
        let d = detector.detect(&text, hint);
        writeln!(out, "{}\t{:.3}", d.language.code, d.language.confidence)
            .map_err(CliError::Write)?;
    }
    Ok(())
}

/// `copydesk health`: one grpc.health.v1 Check, bounded by `--timeout` (connection included).
/// Prints the status on stdout when SERVING; anything else is an error (exit 1).
fn health(args: HealthArgs) -> Result<(), CliError> {
    use tonic_health::pb::health_check_response::ServingStatus;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let checked =
        runtime.block_on(async { tokio::time::timeout(args.timeout, health_check(&args)).await });
    let status = checked.map_err(|_| CliError::HealthTimeout {
        addr: args.addr.clone(),
        timeout: args.timeout,
    })??;
    if status == ServingStatus::Serving {
        let mut out = io::stdout().lock();
        return writeln!(out, "{}", status.as_str_name()).map_err(CliError::Write);
    }
    Err(CliError::NotServing {
        addr: args.addr,
        status: status.as_str_name(),
        what: if args.service.is_empty() {
            "the server as a whole".into()
        } else {
            format!("the service {:?}", args.service)
        },
    })
}

async fn health_check(
    args: &HealthArgs,
) -> Result<tonic_health::pb::health_check_response::ServingStatus, CliError> {
    use tonic_health::pb::HealthCheckRequest;
    use tonic_health::pb::health_client::HealthClient;
    let url = if args.addr.contains("://") {
        args.addr.clone()
    } else {
        format!("http://{}", args.addr)
    };
    let bad_addr = |reason: String| CliError::HealthAddr {
        addr: args.addr.clone(),
        reason,
    };
    let endpoint =
        tonic::transport::Endpoint::from_shared(url).map_err(|e| bad_addr(e.to_string()))?;
    if endpoint.uri().port_u16().is_none() {
        return Err(bad_addr("no port".into()));
    }
    let channel = endpoint
        .connect_timeout(args.timeout)
        .timeout(args.timeout)
        .connect()
        .await
        .map_err(|e| CliError::HealthConnect {
            addr: args.addr.clone(),
            reason: error_chain(&e),
        })?;
    let answer = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: args.service.clone(),
        })
        .await;
    match answer {
        Ok(response) => Ok(response.into_inner().status()),
        Err(status) if status.code() == tonic::Code::NotFound => {
            Err(CliError::HealthUnknownService {
                addr: args.addr.clone(),
                service: args.service.clone(),
            })
        }
        Err(status) => Err(CliError::HealthCall {
            addr: args.addr.clone(),
            status: format!("{:?}: {}", status.code(), status.message()),
        }),
    }
}

/// An error and its sources on one line ("transport error: connection refused").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        out.push_str(": ");
        out.push_str(&e.to_string());
        source = e.source();
    }
    out
}

/// UTF-8 as it is (without a BOM); anything else decoded with the charset chardetng guesses.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
            encoding.decode_without_bom_handling(bytes).0.into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn json_uses_camel_case_and_enum_names_and_omits_defaults() {
        let article = pb::Article {
            id: "x1".into(),
            blocks: vec![pb::Block {
                kind: pb::BlockKind::Paragraph as i32,
                text: "Body.".into(),
                language: None,
            }],
            stats: Some(pb::Stats {
                reading_time_seconds: 3,
                ..Default::default()
            }),
            ..Default::default()
        };
        let json = article_json(&article).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["id"], "x1");
        assert_eq!(v["blocks"][0]["kind"], "BLOCK_KIND_PARAGRAPH");
        assert_eq!(v["stats"]["readingTimeSeconds"], 3);
        assert!(v.get("headline").is_none());
    }

    #[test]
    fn latin1_bytes_are_decoded() {
        assert_eq!(
            decode_text(b"Gr\xfc\xdfe aus M\xfcnchen"),
            "Grüße aus München"
        );
        assert_eq!(decode_text("\u{feff}plain".as_bytes()), "plain");
    }
}
