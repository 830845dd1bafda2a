//! The engine: pure and synchronous. Bytes or text in, one `Article` out.
//! No IO, no async, no tonic or prost: the gRPC layer and the CLI only convert.
//!
//! Stages, in order: decode → repair → segment → language → classify → extract → assemble.

pub mod article;
pub mod assemble;
pub mod classify;
pub mod decode;
pub mod extract;
pub mod language;
pub mod repair;
pub mod segment;

use crate::rules::Rules;
pub use article::*;

/// One document as the caller sent it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub id: &'a str,
    pub content: Content<'a>,
    /// WHATWG label of `Content::Raw`'s charset; `None` or empty: detect.
    pub charset: Option<&'a str>,
    /// ISO 639-1 code the caller believes; `None` or empty: detect.
    pub language_hint: Option<&'a str>,
    /// `text/plain` (default); anything else is refused until supported.
    pub content_type: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    Text(&'a str),
    Raw(&'a [u8]),
}

impl<'a> Input<'a> {
    /// A plain UTF-8 text with no hints.
    pub fn text(text: &'a str) -> Self {
        Input {
            id: "",
            content: Content::Text(text),
            charset: None,
            language_hint: None,
            content_type: None,
        }
    }

    /// Raw bytes in any charset, detected.
    pub fn raw(raw: &'a [u8]) -> Self {
        Input {
            content: Content::Raw(raw),
            ..Input::text("")
        }
    }

    pub fn len(&self) -> usize {
        match self.content {
            Content::Text(t) => t.len(),
            Content::Raw(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Limits and switches of one engine run. `Default` is what the server uses.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest document accepted, in bytes.
    pub max_document_bytes: usize,
    /// How much clean text language detection looks at, in bytes.
    pub language_sample_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_document_bytes: 16 * 1024 * 1024,
            language_sample_bytes: 4096,
        }
    }
}

/// Why a document could not be normalised. Each variant maps to one status code
/// (see `grpc/convert.rs`); the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("document is empty: send the copy in `text` or `raw`")]
    Empty,
    #[error(
        "document is {size} bytes, over the limit of {limit} bytes: split it or raise --max-document-bytes"
    )]
    TooLarge { size: usize, limit: usize },
    #[error("content_type {0:?} is not supported: send text/plain (or leave content_type empty)")]
    UnsupportedContentType(String),
    #[error(
        "charset {0:?} is not a known WHATWG encoding label: use a label such as utf-8, windows-1252 or iso-8859-2, or leave charset empty to detect"
    )]
    UnknownCharset(String),
    #[error(
        "raw bytes do not decode as {charset} (first bad byte at offset {offset}): name the right charset or leave it empty to detect"
    )]
    Undecodable { charset: String, offset: usize },
    #[error(
        "language_hint {0:?} is not a language code: use an ISO 639-1 code such as \"de\" or \"en\", or leave it empty"
    )]
    InvalidLanguageHint(String),
}

impl Error {
    /// The gRPC status name the contract gives this error.
    pub fn status_name(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "RESOURCE_EXHAUSTED",
            _ => "INVALID_ARGUMENT",
        }
    }
}

/// Normalises one document: the stages in order.
pub fn normalize(input: &Input, rules: &Rules, config: &Config) -> Result<Article, Error> {
    if input.len() > config.max_document_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: config.max_document_bytes,
        });
    }
    if let Some(ct) = input.content_type.map(str::trim).filter(|c| !c.is_empty()) {
        let base = ct.split(';').next().unwrap_or("").trim();
        if !base.eq_ignore_ascii_case("text/plain") {
            return Err(Error::UnsupportedContentType(ct.to_string()));
        }
    }
    let hint = input.language_hint.map(str::trim).filter(|h| !h.is_empty());
    if let Some(h) = hint
        && !language::is_language_code(h)
    {
        return Err(Error::InvalidLanguageHint(h.to_string()));
    }
    let mut notices = Vec::new();
    let text = decode::decode(input.content, input.charset, &mut notices)?;
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| repair::repair_line(p, &mut notices))
        .filter(|p| !p.is_empty())
        .collect();
    let body = paragraphs.join("\n\n");
    let detection = rules.detector().detect(&body, hint);
    Ok(Article {
        id: input.id.to_string(),
        language: detection.language,
        blocks: paragraphs
            .iter()
            .map(|p| Block {
                kind: BlockKind::Paragraph,
                text: p.clone(),
                language: None,
            })
            .collect(),
        text: body,
        notices,
        ..Article::default()
    })
}
