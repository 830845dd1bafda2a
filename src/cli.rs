//! The binary's face: `copydesk serve | normalize | detect`. Glue only: parse, call, print.
//!
//! Exit codes: 0 success, 1 input or start-up error (one line on stderr), 2 usage (clap).

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use prost::Message as _;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

use crate::config::{LogFormat, ServeConfig};
use crate::engine::{self, Content, Input};
use crate::grpc::{ServeError, convert};
use crate::pb;
use crate::rules::{Rules, RulesError};

#[derive(Debug, Parser)]
#[command(
    name = "copydesk",
    version = crate::VERSION,
    about = "Raw news wire copy in, one clean structured article out.",
    long_about = "Raw news wire copy in, one clean structured article out.\n\n\
                  `serve` runs the gRPC service copydesk.v1.NormalizerService; `normalize` and \
                  `detect` run the same engine on a file or stdin."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the gRPC API (with health, reflection and optional metrics).
    Serve(ServeConfig),
    /// Normalise one document and print the article as proto3 JSON (as grpcurl shows it).
    Normalize(NormalizeArgs),
    /// Detect the language of a text: prints `code<TAB>confidence`.
    Detect(DetectArgs),
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
    /// Folder of rule files laid over the embedded ones.
    #[arg(long, env = "COPYDESK_RULES", value_name = "DIR")]
    rules: Option<PathBuf>,
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
}

/// Parses the command line and runs the command.
pub fn run() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit 2 here
    let result = match cli.command {
        Command::Serve(config) => serve(config),
        Command::Normalize(args) => normalize(args),
        Command::Detect(args) => detect(args),
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
    init_tracing(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(crate::grpc::run(config))?;
    Ok(())
}

/// Logs to stdout: text by default, one JSON object per line with `--log-format json`.
/// `RUST_LOG` filters (default `info`).
fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(io::IsTerminal::is_terminal(&io::stdout()));
    // try_init fails only when a subscriber is already set; keeping that one is fine.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
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
        content_type: None,
    };
    let article = engine::normalize(&input, &rules, &engine::Config::default())?;
    let json = article_json(&convert::article(article, &pb::NormalizeOptions::default()))?;
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
