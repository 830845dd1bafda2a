//! The engine: pure and synchronous. Bytes or text in, one `Article` out.
//! No IO, no async, no tonic or prost: the gRPC layer and the CLI only convert.
//!
//! Stages, in order: decode → repair → segment → language → observe (`features`) → decide
//! (`roles`) → extract → assemble.
//!
//! Each stage runs in a `tracing` span of its name (DEBUG, opened here and nowhere else), all
//! under one `normalize` span: the server exports them as the call's children when
//! `--otlp-endpoint` is set. With no subscriber that wants them, a span is one cached check at
//! its call site.

pub mod article;
pub mod assemble;
pub mod decode;
pub mod extract;
pub mod features;
pub mod formats;
pub mod language;
pub mod lexicon;
pub mod repair;
pub mod roles;
pub mod segment;
pub mod text;
pub mod types;

use crate::rules::Rules;
pub use article::*;
use types::{Role, Unit};

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
            language_sample_bytes: 1024,
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
    #[error(
        "content_type {0:?} is not supported: send text/plain, text/html, application/xhtml+xml, text/x-iptc7901, text/x-anpa1312, application/nitf+xml, application/vnd.iptc.g2.newsitem+xml or application/ninjs+json (or leave content_type empty to recognise the format)"
    )]
    UnsupportedContentType(String),
    #[error("the {format} document cannot be read: {what}")]
    Malformed { format: String, what: String },
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
    #[error(
        "charset {0:?} is a WHATWG \"replacement\" label (an encoding browsers refuse to decode, as it hides script in text): convert the bytes to UTF-8 first, or leave charset empty to detect"
    )]
    UnsupportedCharset(String),
    #[error(
        "the charset parameter of content_type ({declared:?}) and the charset field ({field:?}) disagree: send one of them, or the same label in both"
    )]
    ConflictingCharsets { declared: String, field: String },
    #[error("{field} is {len} bytes, over the limit of {limit} bytes: {hint}")]
    FieldTooLong {
        field: &'static str,
        len: usize,
        limit: usize,
        hint: &'static str,
    },
    #[error(
        "the document is not text: it looks like {0}; send the copy itself (extract or decompress it first)"
    )]
    NotText(String),
}

/// Longest accepted `id`: an id is a key, not a payload (it is echoed and logged).
pub const MAX_ID_BYTES: usize = 512;
/// Longest accepted `language_hint` (a BCP 47 tag is at most a few dozen bytes).
pub const MAX_LANGUAGE_HINT_BYTES: usize = 64;
/// Longest accepted `charset` label (WHATWG labels are under 20 bytes).
pub const MAX_CHARSET_BYTES: usize = 64;
/// Longest accepted `content_type`, parameters included.
pub const MAX_CONTENT_TYPE_BYTES: usize = 256;

impl Error {
    /// The gRPC status name the contract gives this error.
    pub fn status_name(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "RESOURCE_EXHAUSTED",
            _ => "INVALID_ARGUMENT",
        }
    }
}

/// Refuses fields longer than any sensible value of theirs, before anything is done with them.
fn check_field_lengths(input: &Input) -> Result<(), Error> {
    let fields: [(&'static str, Option<&str>, usize, &'static str); 4] = [
        (
            "id",
            Some(input.id),
            MAX_ID_BYTES,
            "send a short key and keep the payload in the document",
        ),
        (
            "language_hint",
            input.language_hint,
            MAX_LANGUAGE_HINT_BYTES,
            "send an ISO 639-1 code such as \"de\"",
        ),
        (
            "charset",
            input.charset,
            MAX_CHARSET_BYTES,
            "send a WHATWG label such as \"windows-1252\"",
        ),
        (
            "content_type",
            input.content_type,
            MAX_CONTENT_TYPE_BYTES,
            "send a media type such as \"text/plain; charset=utf-8\"",
        ),
    ];
    for (field, value, limit, hint) in fields {
        let len = value.map_or(0, str::len);
        if len > limit {
            return Err(Error::FieldTooLong {
                field,
                len,
                limit,
                hint,
            });
        }
    }
    Ok(())
}

/// Whether two charset labels name the same encoding (unknown labels compare as written).
fn same_encoding(a: &str, b: &str) -> bool {
    match (
        encoding_rs::Encoding::for_label(a.as_bytes()),
        encoding_rs::Encoding::for_label(b.as_bytes()),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// Normalises one document: the stages in order.
pub fn normalize(input: &Input, rules: &Rules, config: &Config) -> Result<Article, Error> {
    let _normalize = tracing::debug_span!("normalize", bytes = input.len()).entered();
    let (mut article, detection, mut notices, applied, carried) =
        read(input, rules, config, None, |r| {
            let article = tracing::debug_span!("extract", units = r.units.len()).in_scope(|| {
                extract::extract(
                    input.id,
                    r.units,
                    &r.roles,
                    &r.observed,
                    &r.applied,
                    r.removed,
                )
            });
            (article, r.detection, r.notices, r.applied, r.carried)
        })?;
    // The units, their observations and the text they borrowed are gone by now.
    let _assemble = tracing::debug_span!("assemble").entered();
    article.language = detection.language;
    mark_block_languages(&mut article, rules, &mut notices);
    suspect_translation(&article, &applied, rules, &mut notices);
    article.notices = notices;
    formats::apply(&mut article, carried, &applied);
    assemble::finish(&mut article);
    Ok(article)
}

/// A document read up to its roles: what `extract` needs, and what training and the role
/// snapshots look at.
pub struct Reading<'a, 'r> {
    pub units: &'a [Unit<'a>],
    pub observed: features::Observed,
    pub roles: Vec<Role>,
    pub applied: lexicon::Applied<'r>,
    pub detection: language::Detection,
    pub notices: Vec<Notice>,
    /// What repair already removed (leaked markup).
    pub removed: Vec<Artefact>,
    /// What the input's format stated about the item.
    pub carried: formats::Carried,
}

/// Reads a document up to its roles (decode → repair → segment → language → observe →
/// decide) and hands the reading to `then`; the units borrow buffers that live only for that
/// call. `language` forces the rules of one language (training reads each case in the
/// language its record gives); `None` detects it as `normalize` does.
pub fn read<'r, R>(
    input: &Input,
    rules: &'r Rules,
    config: &Config,
    language: Option<&str>,
    then: impl for<'a> FnOnce(Reading<'a, 'r>) -> R,
) -> Result<R, Error> {
    if input.len() > config.max_document_bytes {
        return Err(Error::TooLarge {
            size: input.len(),
            limit: config.max_document_bytes,
        });
    }
    check_field_lengths(input)?;
    let declared = formats::Format::declared(input.content_type)?;
    let declared_charset = declared.charset;
    let field_charset = input.charset.map(str::trim).filter(|c| !c.is_empty());
    let charset = match (declared_charset, field_charset) {
        (Some(d), Some(f)) if !same_encoding(d, f) => {
            return Err(Error::ConflictingCharsets {
                declared: d.to_string(),
                field: f.to_string(),
            });
        }
        (d, f) => f.or(d),
    };
    let hint = input.language_hint.map(str::trim).filter(|h| !h.is_empty());
    if let Some(h) = hint
        && !language::is_language_code(h)
    {
        return Err(Error::InvalidLanguageHint(h.to_string()));
    }

    let mut notices = Vec::new();
    let mut removed = Vec::new();
    let text = tracing::debug_span!("decode")
        .in_scope(|| decode::decode(input.content, charset, &mut notices))?;
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    let format = declared
        .format
        .unwrap_or_else(|| formats::Format::sniff(&text));
    let formats::Front { text, carried } =
        tracing::debug_span!("front_end", format = format.name())
            .in_scope(|| formats::read(format, text, declared.generic))?;
    if text.trim().is_empty() {
        return Err(Error::Empty);
    }
    // The caller's hint first; else the language the format declares, where it is a code.
    let hint = hint.or_else(|| {
        Some(carried.language.as_str()).filter(|l| !l.is_empty() && language::is_language_code(l))
    });
    let hint_owned = hint.map(|h| h.to_ascii_lowercase());
    let hint = hint_owned.as_deref();
    let lines = tracing::debug_span!("repair").in_scope(|| {
        let lines = repair::repair(&text, &mut notices, &mut removed);
        drop(text);
        lines
    });
    let mut joined = String::new();
    let (units, seg) = tracing::debug_span!("segment")
        .in_scope(|| segment::segment(&lines, &mut joined, &rules.common().hyphen_keepers));
    if units.is_empty() {
        return Err(Error::Empty);
    }
    if seg.hyphenations_undone > 0 {
        notices.push(Notice::new(
            NoticeKind::HyphenationJoined,
            format!(
                "{} end-of-line hyphenations undone",
                seg.hyphenations_undone
            ),
        ));
    }

    // A first guess from the longest units decides which rules apply; the clean body then
    // decides the language, and the roles are decided again where it changed.
    let provisional = tracing::debug_span!("language", pass = "provisional").in_scope(|| {
        rules
            .detector()
            .detect(&longest_sample(&units, config.language_sample_bytes), hint)
    });
    let mut code = language.map_or_else(|| provisional.language.code.clone(), str::to_string);
    let marks = marked_units(&units, &carried);
    let (mut observed, mut roles) = read_layout(&units, &applied(rules, &code), rules, &marks);
    // A confident first guess on the longest units stands: they are the body. Otherwise the
    // clean body decides.
    let mut detection = if provisional.language.reliable && provisional.language.confidence >= 0.9 {
        provisional
    } else {
        detect_body(&units, &roles, rules, hint, config)
    };
    if language.is_none()
        && detection.language.code != code
        && rules.language(&detection.language.code).is_some()
    {
        code = detection.language.code.clone();
        // The first reading goes before the second is made: a document of many tiny lines
        // would hold both.
        drop((observed, roles));
        (observed, roles) = read_layout(&units, &applied(rules, &code), rules, &marks);
        detection = detect_body(&units, &roles, rules, hint, config);
    }
    // Text that is no language (data, random letters) keeps its answer, but not as reliable.
    let sample = body_sample(&units, &roles, config.language_sample_bytes * 4);
    let other;
    let stop = match rules.language(&code) {
        Some(_) => applied(rules, &code).prose_stop_words(),
        None => {
            other = rules.other_stop_words(&code);
            other.as_deref()
        }
    };
    if let Some(why) = language::not_language(&sample, stop.map(|s| |t: &str| s.share(t))) {
        detection.language.reliable = false;
        notices.push(Notice::new(NoticeKind::LanguageUncertain, why));
    }
    if rules.language(&code).is_none() {
        let why = match rules.language_error(&code) {
            Some(e) => format!("the rule file for {code:?} did not compile ({e})"),
            None => format!("no rule file for {code:?}"),
        };
        notices.push(Notice::new(
            NoticeKind::NoRulesForLanguage,
            format!("{why}: only the common rules applied"),
        ));
    }
    if detection.hint_overridden {
        notices.push(Notice::new(
            NoticeKind::LanguageHintOverridden,
            format!(
                "language_hint {:?} overridden: the text is {}",
                hint.unwrap_or(""),
                detection.language.code
            ),
        ));
    }
    Ok(then(Reading {
        units: &units,
        observed,
        roles,
        applied: applied(rules, &code),
        detection,
        notices,
        removed,
        carried,
    }))
}

/// Observe every unit, then decide every role for the whole document.
fn read_layout(
    units: &[Unit],
    applied: &lexicon::Applied,
    rules: &Rules,
    marks: &[(usize, roles::Mark)],
) -> (features::Observed, Vec<Role>) {
    let observed = tracing::debug_span!("observe", units = units.len())
        .in_scope(|| features::observe(units, applied));
    let mut marks = marks.to_vec();
    // The first mark a unit gets holds; a set keeps the look-up linear in the marks.
    let mut held: std::collections::HashSet<usize> = marks.iter().map(|&(i, _)| i).collect();
    let mut hold = |lines: Vec<usize>, mark: roles::Mark| {
        for i in lines {
            if held.insert(i) {
                marks.push((i, mark));
            }
        }
    };
    hold(
        wire_lead(units, &observed, applied).into_iter().collect(),
        roles::Mark::Prose,
    );
    hold(
        dateline_line(units, &observed, applied)
            .into_iter()
            .collect(),
        roles::Mark::Dateline,
    );
    let (pictures, named): (Vec<usize>, Vec<usize>) = photographer_lines(units, &observed, applied)
        .into_iter()
        .unzip();
    let credits = credit_lines(&observed);
    hold(
        captions_under_labels(&observed, &credits),
        roles::Mark::Caption,
    );
    hold(credits, roles::Mark::Credit);
    hold(
        credits_over_labelled_captions(&observed),
        roles::Mark::Credit,
    );
    hold(pictures, roles::Mark::Caption);
    hold(named, roles::Mark::Credit);
    hold(listed_items(units, &observed), roles::Mark::Item);
    hold(
        headings_after_interruptions(&observed),
        roles::Mark::Heading,
    );
    let captions = units
        .iter()
        .zip(&observed.obs)
        .enumerate()
        .filter(|(_, (u, o))| {
            o.lex(types::Lex::CreditTail) && lexicon::credit::is_pattern_caption(u.text, applied)
                || o.lex(types::Lex::CaptionLabel)
                    && lexicon::credit::is_labelled_caption(u.text, applied)
                || o.lex(types::Lex::CreditTail)
                    && lexicon::credit::has_marker_tail(u.text, applied)
                || lexicon::credit::split_numbered_label(u.text, applied).is_some()
        })
        .map(|(i, _)| i)
        .collect();
    hold(captions, roles::Mark::Caption);
    hold(
        other_stories(units, &observed, applied),
        roles::Mark::Related,
    );
    hold(
        kicker_line(&observed).into_iter().collect(),
        roles::Mark::Kicker,
    );
    hold(
        reporter_lines(units, &observed, applied),
        roles::Mark::Byline,
    );
    hold(
        coded_signatures(units, &observed, applied),
        roles::Mark::Byline,
    );
    hold(masthead_lines(units, &observed), roles::Mark::Masthead);
    hold(menu_rows(&observed), roles::Mark::Related);
    hold(
        title_over_credit(units, &observed).into_iter().collect(),
        roles::Mark::Title,
    );
    marks.sort_unstable_by_key(|&(i, _)| i);
    let roles = tracing::debug_span!("decide", units = units.len())
        .in_scope(|| roles::decide_within(&observed, rules.model(), &marks));
    (observed, roles)
}

/// Other stories under a label that announces them, to the end of the copy: a short line a rule
/// file reads as a label of related links or a teaser ("Meer uit Binnenland", "More from
/// Business", "Más noticias:"), then
/// only the leads of other stories, each opening with a news agency's dateline (or a time stamp
/// glued to one: "12 minuten geledenZWOLLE (ANP) - …"), and short lines that end no sentence
/// (their time stamps). The story's own lead opened with a dateline above the label. Held to
/// removed matter, however much prose the leads carry.
fn other_stories(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Vec<usize> {
    /// Most words of a time stamp or similar line between the leads.
    const SHORT_WORDS: u16 = 5;
    /// Most words of the label.
    const LABEL_WORDS: u16 = 6;
    let obs = &observed.obs;
    let opens_story = |i: usize| {
        let o = &obs[i];
        o.has(types::Flag::NewsAgency)
            && (o.lex(types::Lex::DatelineStart)
                || units.get(i).is_some_and(|u| {
                    lexicon::dateline::glued_dateline(u.text.trim(), applied).is_some()
                }))
    };
    let Some(label) = obs.iter().rposition(|o| {
        matches!(
            o.rule(),
            Some(ArtefactKind::RelatedLinks | ArtefactKind::LinkTeaser)
        ) && o.words <= LABEL_WORDS
    }) else {
        return Vec::new();
    };
    if !(0..label).any(|i| obs[i].lex(types::Lex::DatelineStart)) {
        return Vec::new();
    }
    let run: Vec<usize> = (label + 1..obs.len()).collect();
    let fits = |&i: &usize| {
        opens_story(i) || obs[i].words <= SHORT_WORDS && !obs[i].has(types::Flag::EndsSentence)
    };
    if run.is_empty() || !run.iter().all(fits) || !run.iter().any(|&i| opens_story(i)) {
        return Vec::new();
    }
    run
}

/// Most words of a kicker.
const KICKER_MAX_WORDS: u16 = 4;
/// Fewest words of the headline under a kicker: a line of a few words over a longer one may
/// just as well be a short headline over its deck.
const KICKER_TITLE_MIN_WORDS: u16 = 5;

/// The kicker over the headline: the first line right over a title-like line (the document's
/// first or its best), above the core of its prose, of two to four words over a title of five
/// or more, that ends in a letter (no sentence, no label's colon), that no rule file names and
/// no shape marks as furniture (a link, a menu, a count, a time, capitals, a credit, a name: the
/// masthead), and that is on the story's topic as the title is: their words stand in the
/// story's text ("Federal budget" over "Coalition agrees on cuts …", "Rail strike in Bavaria"
/// over "Regional traffic largely at a standstill"). A section name of the site is no kicker:
/// it is one word, or off the story's topic ("Local news").
fn kicker_line(observed: &features::Observed) -> Option<usize> {
    use types::Flag;
    let obs = &observed.obs;
    let title = |o: &features::Obs| o.has(Flag::FirstTitle) || o.has(Flag::BestTitle);
    let (core, _) = observed.doc.core?;
    // Beyond the shapes of furniture, a kicker is no date, code, path or name (the masthead).
    let not_kicker = [
        Flag::Date,
        Flag::Slug,
        Flag::Initials,
        Flag::SlashSep,
        Flag::Dots,
        Flag::NameLike,
        Flag::MentionsAuthor,
    ];
    let kicker = |i: usize| {
        let (o, next) = (&obs[i], &obs[i + 1]);
        // A line that opens in lower case goes on from the line above: a wrapped headline.
        title(next)
            && opens_as_title(o)
            && opens_as_title(next)
            && next.has(Flag::OnTopic)
            && !LINK_SHAPES.iter().any(|&f| next.has(f))
            && o.rule().is_none()
            && o.lex == 0
            && (2..=KICKER_MAX_WORDS).contains(&o.words)
            && next.words >= KICKER_TITLE_MIN_WORDS
            && o.end == types::End::Letter as u8
            && o.has(Flag::OnTopic)
            && !LINK_SHAPES
                .iter()
                .chain(&FURNITURE_SHAPES)
                .chain(&not_kicker)
                .any(|&f| o.has(f))
    };
    (0..core.saturating_sub(1)).find(|&i| kicker(i))
}

/// The lead of wire copy: the first unit that opens with a dateline, where that dateline
/// credits a news agency, text of fourteen words or more follows it ("Halle (dpa/sa) -
/// Pendler …", "PARIS, 18 fév 2024 (AFP) - Les ventes …") and no other unit opens with the same
/// dateline (a wire photo's captions all do: "(경주=연합뉴스) 손대성 기자 = …"). The agency's
/// dateline is the strongest evidence copy carries of where its story begins: held to the
/// body, whatever the layout around it.
fn wire_lead(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Option<usize> {
    let opens = |o: &features::Obs| o.lex(types::Lex::DatelineStart);
    let first = observed.obs.iter().position(opens)?;
    let o = &observed.obs[first];
    if !o.has(types::Flag::NewsAgency) || o.words < 14 {
        return None;
    }
    let raw = lexicon::dateline::find_dateline(units.get(first)?.text.trim(), applied)?
        .dateline
        .raw;
    let again = observed.obs.iter().enumerate().any(|(i, o)| {
        i != first
            && opens(o)
            && units
                .get(i)
                .is_some_and(|u| u.text.trim().starts_with(&raw))
    });
    (!again).then_some(first)
}

/// The story's dateline on a line of its own: the one unit of the document that is a dateline
/// and nothing else, where that dateline credits a news agency ("القاهرة - أ ش أ", "MADRID, 3
/// (EUROPA PRESS)", "Kassel (dpa/lhe)"), and that is no byline, signature or credit line ("Av
/// Hanne Strand (NTB)", "Foto: Kassel (dpa)", a name "Jeanne Martin (AFP)"), above the text (no prose before it). Its place is a name of a few words, or a date
/// stands beside it: a caption credited at its tail ("ألواح شمسية تغذي محطة تحلية - (رويترز)")
/// reads as a long place. Held to the dateline, whatever the layout around it; where no layout
/// fits, the document is decided as any copy.
fn dateline_line(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Option<usize> {
    const MAX_PLACE_WORDS: usize = 3;
    let mut lines = observed.obs.iter().enumerate().filter(|(_, o)| {
        o.lex(types::Lex::DatelineAlone)
            && o.has(types::Flag::NewsAgency)
            && ![
                types::Lex::Byline,
                types::Lex::Signature,
                types::Lex::CreditWordStart,
            ]
            .iter()
            .any(|&l| o.lex(l))
    });
    let (line, _) = lines.next()?;
    if lines.next().is_some() || observed.obs.iter().take(line).any(|o| o.is_prose()) {
        return None;
    }
    let dateline =
        lexicon::dateline::find_dateline(units.get(line)?.text.trim(), applied)?.dateline;
    ((!dateline.date.is_empty() || dateline.place.split_whitespace().count() <= MAX_PLACE_WORDS)
        && !lexicon::two_word_name(&dateline.place, applied))
    .then_some(line)
}

/// Credit lines under a caption: a line that is a credit and nothing else, opening with a
/// credit word ("Image: dpa", "Foto: Stefan Sauer/dpa"), right under a line of text that is none
/// (the caption: a sentence, or four words or more).
fn credit_lines(observed: &features::Observed) -> Vec<usize> {
    let credit = whole_credit;
    (1..observed.obs.len())
        .filter(|&i| {
            let (prev, o) = (&observed.obs[i - 1], &observed.obs[i]);
            credit(o)
                && o.has(types::Flag::Agency)
                && o.chars() <= 80
                && !credit(prev)
                && prev.rule().is_none()
                && (prev.has(types::Flag::EndsSentence) || prev.words >= 4)
        })
        .collect()
}

/// A unit that is a credit and nothing else, opening with a credit word ("Foto: Stefan
/// Sauer/dpa").
fn whole_credit(o: &features::Obs) -> bool {
    o.lex(types::Lex::CreditWhole) && o.lex(types::Lex::CreditWordStart)
}

/// Pictures credited by a bare name: a line that is only the name of a photographer whom a
/// credit line elsewhere in the copy names ("Fotografía: Irene Castañar" under the byline),
/// right under a sentence that no rule names and that is no title (the caption, at most
/// `CAPTION_MAX_CHARS`; a headline over the author's name is none), above the end of the
/// prose. → (caption, credit) pairs. A credit line that also
/// signs the text ("Text: X, foto: Y") names no photographer here: the name under a
/// paragraph may be the author's signature.
fn photographer_lines(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Vec<(usize, usize)> {
    use types::Lex;
    let obs = &observed.obs;
    let mut photographers: Vec<String> = Vec::new();
    for (u, o) in units.iter().zip(obs) {
        if whole_credit(o) && !o.lex(Lex::Byline) && o.chars() <= 120 {
            let found = lexicon::credit::find_credit(u.text, applied);
            for name in found.into_iter().flat_map(|m| m.credit.creators) {
                if name.split_whitespace().count() >= 2 && !photographers.contains(&name) {
                    photographers.push(name);
                }
            }
        }
    }
    // Under the last paragraph a name signs the text (its author may have taken the pictures).
    let Some((_, last)) = observed.doc.core.filter(|_| !photographers.is_empty()) else {
        return Vec::new();
    };
    (1..last)
        .filter(|&i| {
            let (prev, o) = (&obs[i - 1], &obs[i]);
            let name = units[i].text.trim().trim_matches(['(', ')', ' ']);
            o.has(types::Flag::NameLike)
                && o.rule().is_none()
                && photographers.iter().any(|p| p == name)
                && prev.rule().is_none()
                && prev.lex == 0
                && prev.chars() <= CAPTION_MAX_CHARS
                && prev.has(types::Flag::EndsSentence)
                && !prev.has(types::Flag::FirstTitle)
                && !prev.has(types::Flag::BestTitle)
        })
        .map(|i| (i - 1, i))
        .collect()
}

/// Longest a caption over a photographer's bare name may be, in characters.
const CAPTION_MAX_CHARS: u32 = 300;

/// Credit lines over a labelled caption, as BBC pages print them: a whole credit opening with a
/// credit word and naming an agency, right over a line that a caption label opens ("Image
/// source, Getty Images" / "Image caption, Children at a library …").
fn credits_over_labelled_captions(observed: &features::Observed) -> Vec<usize> {
    use types::Lex;
    // A label may open the credit with words the credit words stand in ("Fuente de la imagen").
    let credit = |o: &features::Obs| {
        whole_credit(o) || o.lex(Lex::CreditWhole) && o.lex(Lex::CreditWordInside)
    };
    let obs = &observed.obs;
    (0..obs.len().saturating_sub(1))
        .filter(|&i| {
            let (o, next) = (&obs[i], &obs[i + 1]);
            credit(o)
                && o.has(types::Flag::Agency)
                && o.chars() <= 80
                && next.lex(Lex::CaptionLabel)
                && !credit(next)
        })
        .collect()
}

/// Captions between a picture's label and its credit line: the line right over a credit line
/// (`credit_lines`) and right under a whole line a rule file names as the page's UI label
/// ("Enlarge image", "Bild vergrößern", "Ampliar imagen"), that no rule names itself. Such a
/// caption often ends without a full stop, as a headline does ("Russian National Guard
/// soldiers near Crocus City Hall"); where the copy has no headline, the decoder would make it
/// one.
fn captions_under_labels(observed: &features::Observed, credits: &[usize]) -> Vec<usize> {
    let obs = &observed.obs;
    credits
        .iter()
        .filter_map(|&c| {
            let i = c.checked_sub(1)?;
            let label = obs.get(i.checked_sub(1)?)?;
            (label.rule() == Some(ArtefactKind::UiLabel)
                && label.rule_how() == 0
                && obs[i].rule().is_none())
            .then_some(i)
        })
        .collect()
}

/// Shapes of a link, an address, a menu or a unit of several lines: no heading of the article
/// and no item of its lists has them.
const LINK_SHAPES: [types::Flag; 7] = [
    types::Flag::Url,
    types::Flag::Email,
    types::Flag::Pipe,
    types::Flag::Pipes,
    types::Flag::Breadcrumb,
    types::Flag::Handle,
    types::Flag::MultiLine,
];

/// A reporter's line: a name, then what the person is for the story in words of a reporter's
/// trade that the rule files name (`byline_roles`): "Jane Doe, health correspondent",
/// "מיכל אברהמי, כתבת לענייני תחבורה", "مهدی نوروزی، خبرنگار ایرنا در رشت". No sentence, and
/// outside the core of the prose: a line that signs the story, the byline over the text or
/// the signature under it (inside the text it heads a box: "Analysis by Jane Doe, …").
fn reporter_lines(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Vec<usize> {
    let outside = |i: usize| {
        observed
            .doc
            .core
            .is_none_or(|(first, last)| i < first || i > last)
    };
    units
        .iter()
        .zip(&observed.obs)
        .enumerate()
        .filter(|&(i, (u, o))| {
            outside(i)
                && o.has(types::Flag::NameRole)
                && !o.has(types::Flag::EndsSentence)
                && features::name_and_role(u.text.trim(), applied).is_some_and(|(_, role)| {
                    role.split_whitespace()
                        .any(|w| lexicon::is_role_word(w, applied))
                })
        })
        .map(|(i, _)| i)
        .collect()
}

/// The story's title right over the credit of its lead picture ("У Коростишеві після ремонту
/// відкрили міст через Тетерів" / "Фото: Тетяна Бондар"): above the core of the prose, the
/// first title-like line of the document is also the fullest one (`FirstTitle` and
/// `BestTitle`), is on the story's topic and holds no sentence end, and the next line is a
/// credit. A caption over its credit has the headline above it, which takes the title flags;
/// a caption at the top of a page without a headline is read as any line: it holds a sentence
/// end ("Автобусы на проспекте Мира в час пик. Здесь …") or stands under the picture's label
/// ("Enlarge image"). Held to the headline (`Mark::Title`).
fn title_over_credit(units: &[Unit], observed: &features::Observed) -> Option<usize> {
    use types::Flag;
    let (core, _) = observed.doc.core?;
    let obs = &observed.obs;
    let i = obs.iter().position(|o| o.has(Flag::FirstTitle))?;
    let o = &obs[i];
    (i < core
        && o.has(Flag::BestTitle)
        && o.has(Flag::OnTopic)
        && o.has(Flag::BeforeCredit)
        && !o.has(Flag::AfterLabel)
        && units
            .get(i)
            .is_some_and(|u| features::sentence_ends(u.text.trim()) == 0))
    .then_some(i)
}

/// A site's menu rendered as one row of words (`Obs::menu_shaped`): held to removed matter
/// (`Mark::Related`), the title among them.
fn menu_rows(observed: &features::Observed) -> Vec<usize> {
    observed
        .obs
        .iter()
        .enumerate()
        .filter(|(_, o)| o.menu_shaped())
        .map(|(i, _)| i)
        .collect()
}

/// The publication's name over the story: a line above the core of the prose that opens with
/// the name a copyright line of the same document gives after its sign ("한빛일보 주말판" over
/// the headline, "Copyright ⓒ 한빛일보. All rights reserved." under the text; "Le Courrier de
/// la Saône" and "© Le Courrier de la Saône 2024 - Mentions légales"). Held to furniture
/// (`Mark::Masthead`): the site's name is never the story's kicker.
fn masthead_lines(units: &[Unit], observed: &features::Observed) -> Vec<usize> {
    let Some((core, _)) = observed.doc.core else {
        return Vec::new();
    };
    let footers: Vec<(usize, String)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((i, publication_in_copyright(u.text)?)))
        .collect();
    if footers.is_empty() {
        return Vec::new();
    }
    units[..core.min(units.len())]
        .iter()
        .enumerate()
        .filter(|(i, _)| footers.iter().all(|(f, _)| f != i))
        .filter(|(_, u)| {
            let line = u.text.trim().to_lowercase();
            footers.iter().any(|(_, n)| {
                line.strip_prefix(n.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ':', '|', '-']))
            })
        })
        .map(|(i, _)| i)
        .collect()
}

/// Most characters of a publication's name after a copyright sign.
const MAX_PUBLICATION_CHARS: usize = 40;

/// The name a copyright line gives after its sign, lower-cased: "Copyright ⓒ 한빛일보. All
/// rights reserved." → "한빛일보", "© Le Courrier de la Saône 2024 - Mentions légales" → "le
/// courrier de la saône", "© 2024 Lakeshore Ledger" → "lakeshore ledger". The name ends at a
/// full stop, a comma, a figure or a bar; it has a letter and at most `MAX_PUBLICATION_CHARS`
/// characters, and the line is a footer: a year or more words come with it.
fn publication_in_copyright(text: &str) -> Option<String> {
    let at = text.find(['©', 'ⓒ'])?;
    let sign = text[at..].chars().next().map_or(1, char::len_utf8);
    let rest = text[at + sign..].trim_start();
    // "© 2024 Lakeshore Ledger": the year may come first.
    let dated = rest.len() > rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    let end = rest
        .find(|c: char| matches!(c, '.' | ',' | '|' | '–' | '—' | '。') || c.is_ascii_digit())
        .unwrap_or(rest.len());
    let name = rest[..end].trim().trim_end_matches(" -").trim();
    // A footer says more than a name ("ⓒ윤서진" under a picture credits its photographer).
    let footer = dated || !rest[end..].trim().is_empty();
    (footer
        && name.chars().any(char::is_alphabetic)
        && name.chars().count() <= MAX_PUBLICATION_CHARS)
        .then(|| name.to_lowercase())
}

/// A signature with its code: under the end of the prose, a line that is a name of two to four
/// words and a bracket of two to five letters, the author's initials or the paper's code
/// ("Tanja Hüther (thü)", "Jean-Luc Prost (CLP)"), that no rule file names. Held to the
/// signature or the byline (`Mark::Byline`).
fn coded_signatures(
    units: &[Unit],
    observed: &features::Observed,
    applied: &lexicon::Applied,
) -> Vec<usize> {
    let Some((_, last)) = observed.doc.core else {
        return Vec::new();
    };
    let coded = |t: &str| {
        let Some((name, code)) = t.strip_suffix(')').and_then(|t| t.split_once(" (")) else {
            return false;
        };
        (2..=5).contains(&code.chars().count())
            && code.chars().all(char::is_alphabetic)
            && (2..=4).contains(&name.split_whitespace().count())
            && lexicon::looks_like_name(name, applied)
            && applied.agencies.lookup(code).is_none()
    };
    (last + 1..units.len())
        .filter(|&i| {
            let o = &observed.obs[i];
            o.rule().is_none() && o.lex == 0 && coded(units[i].text.trim())
        })
        .collect()
}

/// Shapes of the page's furniture, the same in every language: a time, a count, a label's
/// colon, symbols, a repeat, capitals, an agency, a bullet, words off the story's topic. No
/// heading of the article and no kicker has them.
const FURNITURE_SHAPES: [types::Flag; 12] = [
    types::Flag::Time,
    types::Flag::Counter,
    types::Flag::BracketCount,
    types::Flag::Duration,
    types::Flag::NumericOnly,
    types::Flag::LabelColon,
    types::Flag::Symbols,
    types::Flag::Repeated,
    types::Flag::OffTopic,
    types::Flag::Agency,
    types::Flag::BulletStart,
    types::Flag::AllCaps,
];

/// Whether a unit opens as a title does: with a capital, or in a script without case.
fn opens_as_title(o: &features::Obs) -> bool {
    [types::Start::Upper, types::Start::Caseless]
        .iter()
        .any(|&s| o.start == s as u8)
}

/// Most words a heading inside the article has.
const HEADING_MAX_WORDS: u16 = 12;
/// A heading is words: a line of more digits than this share (percent) is a time or a count.
const HEADING_MAX_DIGITS: u8 = 25;

/// Headings of the article under an interruption of its text: a short line that no rule file
/// names and no shape marks as furniture (no link, count, time, separator, credit or byline
/// word), not off the story's topic, right under an ad marker or a teaser that carries its own
/// headline ("Anzeige", "Lesen Sie auch: …"), right above a paragraph of prose, with prose
/// above the interruption, and under that paragraph more prose, a line a rule file names or
/// the end. The interruption is the page's, the heading the story's: the line leads into the
/// text under it, as a crosshead does. A label that announces the lines under it ("Mehr zum
/// Thema") is no such interruption, and a short line over a blurb over another short line is
/// a run of teasers (title, blurb, title), not a section of the story.
fn headings_after_interruptions(observed: &features::Observed) -> Vec<usize> {
    use types::Flag;
    let interrupts = |o: &features::Obs| match o.rule() {
        Some(ArtefactKind::Advertisement) => true,
        Some(ArtefactKind::RelatedLinks | ArtefactKind::LinkTeaser) => o.rule_how() != 0,
        _ => false,
    };
    let obs = &observed.obs;
    (2..obs.len().saturating_sub(1))
        .filter(|&i| {
            let (prev, o, next) = (&obs[i - 1], &obs[i], &obs[i + 1]);
            o.rule().is_none()
                && o.lex == 0
                && (2..=HEADING_MAX_WORDS).contains(&o.words)
                && !o.has(Flag::EndsSentence)
                && opens_as_title(o)
                && o.digit_share < HEADING_MAX_DIGITS
                && !LINK_SHAPES
                    .iter()
                    .chain(&FURNITURE_SHAPES)
                    .any(|&f| o.has(f))
                && interrupts(prev)
                && next.is_prose()
                && next.rule().is_none()
                && obs
                    .get(i + 2)
                    .is_none_or(|after| after.is_prose() || after.rule().is_some())
                && obs[..i - 1].iter().any(|p| p.is_prose())
        })
        .collect()
}

/// The units whose text is a block the format marked as prose or as a heading of the article
/// (`Carried::prose`, `Carried::headings`), compared with runs of white space collapsed.
fn marked_units(units: &[Unit], carried: &formats::Carried) -> Vec<(usize, roles::Mark)> {
    let items = announced_list(units);
    let mut rows: Vec<(usize, roles::Mark)> = table_rows(units)
        .into_iter()
        .filter(|i| !items.contains(i))
        .map(|i| (i, roles::Mark::Prose))
        .chain(items.iter().map(|&i| (i, roles::Mark::Item)))
        .collect();
    rows.sort_unstable_by_key(|&(i, _)| i);
    if carried.prose.is_empty() && carried.headings.is_empty() {
        return rows;
    }
    let key = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let marked: std::collections::HashMap<String, roles::Mark> = carried
        .headings
        .iter()
        .map(|h| (key(h), roles::Mark::Heading))
        .chain(carried.prose.iter().map(|p| (key(p), roles::Mark::Prose)))
        .collect();
    let mut marks: Vec<(usize, roles::Mark)> = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| marked.get(&key(u.text)).map(|&m| (i, m)))
        .collect();
    let held: std::collections::HashSet<usize> = marks.iter().map(|&(i, _)| i).collect();
    marks.extend(rows.into_iter().filter(|(i, _)| !held.contains(i)));
    marks.sort_unstable_by_key(|&(i, _)| i);
    marks
}

/// The rows of a data table in plain copy: a run of at least `TABLE_MIN_ROWS` adjacent
/// one-line units, each of at least three words of which the same number (two or more, and a
/// third of its words at least) are figures ("1 Kyle Busch 5040 5 1 17 27"). A table is data
/// of the article, however short and unlike prose its rows are.
fn table_rows(units: &[Unit]) -> Vec<usize> {
    let figures = |t: &str| -> Option<usize> {
        let words: Vec<&str> = t.split_whitespace().collect();
        let n = words
            .iter()
            .filter(|w| {
                w.chars().any(|c| c.is_ascii_digit())
                    && w.chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | ':' | '%' | '-'))
            })
            .count();
        (words.len() >= 3 && n >= 2 && n * 3 >= words.len() && !t.contains('\n')).then_some(n)
    };
    let mut rows = Vec::new();
    let mut i = 0;
    while i < units.len() {
        let Some(n) = figures(units[i].text) else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        while j < units.len()
            && units[j].line == units[j - 1].last_line + 1
            && figures(units[j].text) == Some(n)
        {
            j += 1;
        }
        if j - i >= TABLE_MIN_ROWS {
            rows.extend(i..j);
        }
        i = j;
    }
    rows
}

/// The items of an enumerated list the text announces: a unit ending with a colon ("… the
/// offers not to miss:", "Die Gewinner:"), then items numbered 1, 2, 3 … in turn ("1) …",
/// "2. …"), with what stands between two items (a link, a line of description), and what stands
/// under the last item without a blank line. A list the article's text introduces is the
/// article, however little its items look like prose.
fn announced_list(units: &[Unit]) -> Vec<usize> {
    let number = |t: &str| -> Option<u32> {
        let t = t.trim_start();
        let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if !(1..=3).contains(&digits) {
            return None;
        }
        let rest = t.get(digits..)?;
        let mark = rest.chars().next()?;
        (matches!(mark, ')' | '.') && rest[mark.len_utf8()..].starts_with(' '))
            .then(|| t.get(..digits)?.parse().ok())
            .flatten()
    };
    let mut items = Vec::new();
    for (i, u) in units.iter().enumerate() {
        if !u.text.trim_end().ends_with([':', '：']) || u.text.trim().ends_with("::") {
            continue;
        }
        let mut expected = 1;
        let mut last_item = None;
        let mut j = i + 1;
        while j < units.len() && j - last_item.unwrap_or(i) <= LIST_ITEM_UNITS {
            match number(units[j].text) {
                Some(n) if n == expected => {
                    expected += 1;
                    last_item = Some(j);
                }
                Some(_) => break,
                None if j == i + 1 => break,
                None => {}
            }
            j += 1;
        }
        let Some(last) = last_item.filter(|_| expected > LIST_MIN_ITEMS) else {
            continue;
        };
        let mut end = last + 1;
        while end < units.len()
            && units[end].line == units[end - 1].last_line + 1
            && number(units[end].text).is_none()
            && end - last <= LIST_ITEM_UNITS
        {
            end += 1;
        }
        items.extend(i + 1..end);
    }
    items
}

/// The items of a bulleted list the text announces: a unit ending with a colon that no rule
/// file names, of eight words or more or with prose right above it and nothing a rule names in
/// between ("Here's what's different in my life now:"), then lines one under the other, each of
/// three words or more and no sentence (a paragraph under a colon is text, not an item), that
/// no rule names and no shape marks as links or furniture ("Search engines will drive people to your information",
/// "Your email list will begin to grow", …): a page's text rendering prints a list's bullets
/// as nothing, so the items read as short lines without a full stop, and are the article.
/// Under a label of related links ("Read more:"), or with most items off the story's topic
/// (no content word in common with its prose), they are no list of the story's, unless the
/// rows are built alike (`built_alike`: a tour's dates, a chronicle's years), which a list is
/// whatever its words, and then a word a rule file knows in one row does not break the run.
fn listed_items(units: &[Unit], observed: &features::Observed) -> Vec<usize> {
    use types::Flag;
    let obs = &observed.obs;
    let plain = |o: &features::Obs| {
        o.rule().is_none() && o.lex == 0 && !LINK_SHAPES.iter().any(|&f| o.has(f))
    };
    let announces = |i: usize| {
        let t = units[i].text.trim_end();
        t.ends_with([':', '：'])
            && !t.ends_with("::")
            && plain(&obs[i])
            && (obs[i].words >= LIST_ANNOUNCEMENT_WORDS
                || obs[i.saturating_sub(LIST_PROSE_ABOVE)..i]
                    .iter()
                    .rev()
                    .take_while(|o| o.rule().is_none())
                    .any(|o| o.is_prose()))
    };
    // A row of a list built alike may hold a word a rule file knows ("Credit Union Amphitheatre").
    let row = |j: usize| {
        obs[j].rule().is_none()
            && !LINK_SHAPES.iter().any(|&f| obs[j].has(f))
            && !obs[j].has(Flag::Repeated)
            && obs[j].words >= LIST_ITEM_WORDS
            && !obs[j].has(Flag::EndsSentence)
            && !units[j].text.trim_end().ends_with([':', '：'])
    };
    let item = |j: usize| row(j) && obs[j].lex == 0;
    // Where a run of lines one under the other that `is_row` accepts, from `start`, ends.
    let run_end = |start: usize, is_row: &dyn Fn(usize) -> bool| {
        let mut end = start;
        while end < units.len()
            && is_row(end)
            && (end == start || units[end].line == units[end - 1].last_line + 1)
        {
            end += 1;
        }
        end
    };
    let mut items = Vec::new();
    for i in 0..units.len() {
        if !announces(i) {
            continue;
        }
        let end = run_end(i + 1, &item);
        let off_topic = (i + 1..end).filter(|&j| obs[j].has(Flag::OffTopic)).count();
        if end - (i + 1) >= LIST_MIN_ITEMS as usize && off_topic * 2 <= end - (i + 1) {
            items.extend(i + 1..end);
            continue;
        }
        let end = run_end(i + 1, &row);
        if end - (i + 1) >= LIST_MIN_ITEMS as usize && built_alike(&units[i + 1..end]) {
            items.extend(i + 1..end);
        }
    }
    items
}

/// Whether lines are built alike, as the rows of a list are whatever their words: each opens
/// with words of the same classes (letters, figures) and holds the same first separator, and
/// that shape has a figure or a separator in it ("June 9 -- Coral Sky Amphitheatre, West Palm
/// Beach, FL", "June 10 -- …"; "1998: Gründung in Kassel", "2004: …").
fn built_alike(lines: &[Unit]) -> bool {
    const SEPARATORS: [&str; 7] = [" -- ", " – ", " — ", " - ", ": ", " | ", " / "];
    let shape = |t: &str| {
        let class = |w: Option<&str>| match w {
            Some(w) if w.chars().any(char::is_numeric) => 2u8,
            Some(_) => 1,
            None => 0,
        };
        let mut words = t.split_whitespace();
        let opening = [class(words.next()), class(words.next())];
        let sep = SEPARATORS
            .iter()
            .filter_map(|s| t.find(s).map(|at| (at, *s)))
            .min()
            .map(|(_, s)| s);
        (opening, sep)
    };
    let Some(first) = lines.first().map(|u| shape(u.text.trim())) else {
        return false;
    };
    (first.0.contains(&2) || first.1.is_some())
        && lines.iter().all(|u| shape(u.text.trim()) == first)
}

/// A bulleted list's announcement has prose in it or within this many units above it, or this
/// many words; each item has this many words at least.
const LIST_PROSE_ABOVE: usize = 3;
const LIST_ANNOUNCEMENT_WORDS: u16 = 8;
const LIST_ITEM_WORDS: u16 = 3;

/// An announced list has at least this many items, each of at most this many units.
const LIST_MIN_ITEMS: u32 = 3;
const LIST_ITEM_UNITS: usize = 3;

/// A run of this many rows is a table (`table_rows`).
const TABLE_MIN_ROWS: usize = 4;

/// Most blocks examined for a language of their own, and which: a block in another script than
/// the article, or one with quotation marks (a quote is where another language turns up).
const MAX_BLOCKS_FOR_LANGUAGE: usize = 4;
const MIN_BLOCK_CHARS_FOR_LANGUAGE: usize = 120;

/// A block is asked for its own language when quotes hold at least this share of its letters:
/// where the quote is the smaller part, the block reads as the document's language anyway, and
/// each detection costs as much as the document's own.
const MIN_QUOTED_SHARE: f32 = 0.5;

/// The share of `text`'s letters that stand inside quote marks („…“ “…” "…" «…» »…« 「…」 ‘…’).
/// A ’ between two letters is an apostrophe, not a quote.
fn quoted_share(text: &str) -> f32 {
    let mut inside = false;
    let (mut quoted, mut letters) = (0usize, 0usize);
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '“' | '”' | '„' | '«' | '»' | '「' | '」' | '‘' => inside = !inside,
            '’' if !(prev.is_some_and(char::is_alphabetic)
                && chars.peek().is_some_and(|n| n.is_alphabetic())) =>
            {
                inside = !inside
            }
            c if c.is_alphabetic() => {
                letters += 1;
                if inside {
                    quoted += 1;
                }
            }
            _ => {}
        }
        prev = Some(c);
    }
    if letters == 0 {
        0.0
    } else {
        quoted as f32 / letters as f32
    }
}

fn mark_block_languages(article: &mut Article, rules: &Rules, notices: &mut Vec<Notice>) {
    let doc_script = article.language.script.as_str();
    let candidates: Vec<usize> = article
        .blocks
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            b.kind == BlockKind::Paragraph && b.text.len() >= MIN_BLOCK_CHARS_FOR_LANGUAGE
        })
        .filter(|(_, b)| {
            quoted_share(&b.text) >= MIN_QUOTED_SHARE
                || whatlang::detect_script(&b.text).is_some_and(|s| s.name() != doc_script)
        })
        .map(|(i, _)| i)
        .take(MAX_BLOCKS_FOR_LANGUAGE)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let texts: Vec<&str> = candidates
        .iter()
        .map(|&i| article.blocks[i].text.as_str())
        .collect();
    let found = rules.detector().block_languages(&article.language, &texts);
    let mut mixed: Vec<String> = Vec::new();
    for (&i, lang) in candidates.iter().zip(found) {
        if let Some(lang) = lang {
            lexicon::push_unique(&mut mixed, &lang.code);
            article.blocks[i].language = Some(Box::new(lang));
        }
    }
    if !mixed.is_empty() {
        notices.push(Notice::new(
            NoticeKind::MixedLanguage,
            format!(
                "blocks in {} within {} copy",
                mixed.join(", "),
                article.language.code
            ),
        ));
    }
}

/// Machine translation: quote marks, labels and signatures of the source language left behind.
fn suspect_translation(
    article: &Article,
    applied: &lexicon::Applied,
    rules: &Rules,
    notices: &mut Vec<Notice>,
) {
    // The blocks and the headline joined by "\n", with no vector of slices in between.
    let parts = || {
        article
            .blocks
            .iter()
            .map(|b| b.text.as_str())
            .chain(std::iter::once(article.headline.as_str()))
    };
    let mut body = String::with_capacity(parts().map(|t| t.len() + 1).sum());
    for (i, t) in parts().enumerate() {
        if i > 0 {
            body.push('\n');
        }
        body.push_str(t);
    }
    let mut removed: Vec<&str> = article.removed.iter().map(|a| a.text.as_str()).collect();
    removed.extend(article.images.iter().map(|i| i.credit.raw.as_str()));
    if let Some(b) = &article.byline {
        removed.push(b.raw.as_str());
    }
    let homes: Vec<&str> = article
        .agencies
        .iter()
        .filter_map(|a| applied.agencies.lookup(a))
        .map(|a| a.home.as_str())
        .filter(|h| !h.is_empty())
        .collect();
    if let Some((source, evidence)) =
        rules
            .detector()
            .suspect_translation(&article.language.code, &body, &removed, &homes)
    {
        notices.push(Notice::new(
            NoticeKind::TranslationSuspected,
            format!("translated from {source}? {evidence}"),
        ));
    }
}

fn applied<'r>(rules: &'r Rules, code: &str) -> lexicon::Applied<'r> {
    lexicon::Applied::new(rules, code)
}

/// The longest units, up to `budget` bytes: body paragraphs are long, furniture is short.
fn longest_sample(units: &[Unit], budget: usize) -> String {
    let mut order: Vec<&Unit> = units.iter().collect();
    order.sort_by_key(|u| std::cmp::Reverse(u.text.len()));
    let mut sample = String::new();
    for u in order {
        if sample.len() >= budget {
            break;
        }
        sample.push_str(u.text);
        sample.push('\n');
    }
    sample
}

/// The body's text (the longest units where no unit is body), up to `budget` bytes.
fn body_sample(units: &[Unit], roles: &[Role], budget: usize) -> String {
    let mut sample = String::new();
    for (u, _) in units.iter().zip(roles).filter(|(_, r)| r.is_body()) {
        if sample.len() >= budget {
            break;
        }
        sample.push_str(u.text);
        sample.push('\n');
    }
    if sample.trim().is_empty() {
        sample = longest_sample(units, budget);
    }
    // One long unit can overshoot the budget: cut it back on a character boundary.
    let end = text::truncate(&sample, budget).len();
    sample.truncate(end);
    sample
}

/// The document language from the clean body paragraphs.
fn detect_body(
    units: &[Unit],
    roles: &[Role],
    rules: &Rules,
    hint: Option<&str>,
    config: &Config,
) -> language::Detection {
    let _language = tracing::debug_span!("language", pass = "body").entered();
    let body: Vec<&str> = units
        .iter()
        .zip(roles)
        .filter(|(_, role)| role.is_body() || **role == Role::Headline)
        .map(|(u, _)| u.text)
        .collect();
    if body.iter().all(|b| b.trim().is_empty()) {
        let sample = longest_sample(units, config.language_sample_bytes);
        return rules.detector().detect(&sample, hint);
    }
    rules
        .detector()
        .detect_document(&body, hint, config.language_sample_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    fn rules() -> &'static Rules {
        crate::rules::test_rules()
    }

    const COPY: &str = "Der Stadtrat hat am Mittwoch den Bau neuer Radwege beschlossen. Die Arbeiten beginnen im Mai.";

    #[test]
    fn prose_marked_by_the_format_is_found_among_the_units_with_spaces_collapsed() {
        let unit = |text| Unit {
            text,
            line: 1,
            last_line: 1,
            group: 0,
            group_len: 1,
        };
        let units = [
            unit("Menu"),
            unit("Der Rat tagte  am Montag."),
            unit("Die Sitzung dauerte drei Stunden."),
        ];
        let mut carried = formats::Carried {
            prose: vec!["Der Rat tagte am\nMontag.".to_string()],
            ..Default::default()
        };
        assert_eq!(marked_units(&units, &carried), [(1, roles::Mark::Prose)]);
        carried.headings = vec!["Menu".to_string()];
        assert_eq!(
            marked_units(&units, &carried),
            [(0, roles::Mark::Heading), (1, roles::Mark::Prose)]
        );
        assert!(marked_units(&units, &formats::Carried::default()).is_empty());
    }

    fn lines(text: &str) -> Vec<Unit<'_>> {
        text.lines()
            .enumerate()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(i, t)| Unit {
                text: t,
                line: i as u32 + 1,
                last_line: i as u32 + 1,
                group: 0,
                group_len: 1,
            })
            .collect()
    }

    /// The unit `dateline_line` holds to the dateline in `text` (a unit per line), in `code`.
    fn held_dateline(code: &str, text: &str) -> Option<usize> {
        let units = lines(text);
        let applied = applied(rules(), code);
        let observed = features::observe(&units, &applied);
        dateline_line(&units, &observed, &applied)
    }

    #[test]
    fn a_dateline_alone_above_the_text_is_held_and_nothing_like_it_is() {
        let story = "Die Stadt öffnet ihre Bibliothek künftig auch am Sonntag, teilte die Verwaltung am Mittwoch mit.";
        let held = |code, line: &str, text: &str| held_dateline(code, &[line, text].join("\n"));
        // The place and the agency, a date beside them: the dateline (de, es, ar).
        assert_eq!(held("de", "Kassel (dpa/lhe)", story), Some(0));
        assert_eq!(held("es", "SEVILLA, 12 (EUROPA PRESS)", story), Some(0));
        assert_eq!(held("ar", "الأقصر - أ ش أ", story), Some(0));
        // A byline with its agency, a caption credited at its tail, a place without an
        // agency, a dateline after the text has begun: none.
        assert_eq!(held("nb", "Av Hanne Strand (NTB)", story), None);
        assert_eq!(held("fr", "Jeanne Martin (AFP)", story), None);
        assert_eq!(
            held(
                "ar",
                "ألواح شمسية تغذي محطة تحلية تجريبية - (رويترز)",
                story
            ),
            None
        );
        assert_eq!(held("de", "Kassel", story), None);
        assert_eq!(held("de", story, "Kassel (dpa/lhe)"), None);
        // Two of them (a wire photo's credits): none is the story's.
        assert_eq!(
            held_dateline("de", &["Kassel (dpa)", "Fulda (dpa)", story].join("\n")),
            None
        );
    }

    #[test]
    fn a_credit_line_naming_an_agency_under_a_caption_is_held() {
        let held = |code: &str, text: &str| {
            let units = lines(text);
            let applied = applied(rules(), code);
            credit_lines(&features::observe(&units, &applied))
        };
        let caption = "Ein Regionalzug steht am Bahnsteig im Münchner Hauptbahnhof.";
        assert_eq!(held("de", &format!("{caption}\nBild: dpa")), [1]);
        assert_eq!(
            held(
                "nb",
                "Fiskemottaket i Båtsfjord sett fra havna.\nFoto: Ola Nilsen / NTB"
            ),
            [1]
        );
        // A credit naming no agency (an outlet, a firm: the corpus's "no one"), a credit
        // under another credit, a credit first on the page: none.
        assert!(
            held(
                "nb",
                "Det nye fiskemottaket i Båtsfjord.\nIllustrasjon: Arkitektkontoret Nord"
            )
            .is_empty()
        );
        assert!(
            held(
                "de",
                &format!("{caption}\nFoto: Stefan Sauer/dpa\nBild: dpa")
            )
            .len()
                == 1
        );
        assert!(held("de", "Bild: dpa").is_empty());
    }

    #[test]
    fn the_items_of_a_list_the_text_announces_are_found() {
        // it: items with a link under each; de: "1." items with a line between; en: a
        // description under the last item, then a blank line and page matter.
        let it = "Ecco le offerte da non perdere:\n1) Lego Star Wars 75188\nhttp://amzn.to/a\n2) Pista Elettrica Sorpasso\nhttp://amzn.to/b\n3) Blade Runner (Blu-Ray)\nhttp://amzn.to/c\n\nCondividi";
        assert_eq!(announced_list(&lines(it)), [1, 2, 3, 4, 5, 6]);
        let de = "Die Gewinner des Wettbewerbs:\n1. Anna Schulz, Kassel\n2. Jonas Berg, Fulda\n3. Lea Wolf, Marburg\n4. Tim Koch, Gießen";
        assert_eq!(announced_list(&lines(de)), [1, 2, 3, 4]);
        let en =
            "Here are the winners:\n1. Anna\n2. Ben\n3. Carla\nShe won with a cake.\n\nMost read";
        assert_eq!(announced_list(&lines(en)), [1, 2, 3, 4]);
        // No colon before it (a "most read" box), numbers out of turn, two items only, a
        // year or an amount at a line's start: no list.
        for text in [
            "Most read\n1. Storm hits coast\n2. Mayor resigns\n3. Team wins cup",
            "The winners:\n2. Ben\n3. Carla\n4. Dan",
            "The winners:\n1. Anna\n3. Carla\n4. Dan",
            "The winners:\n1. Anna\n2. Ben",
            "In short:\n2024 was a good year.\n1. Anna\n2. Ben\n3. Carla",
        ] {
            assert!(announced_list(&lines(text)).is_empty(), "{text}");
        }
    }

    #[test]
    fn the_rows_of_a_data_table_are_found_in_plain_copy() {
        // A standings table (pt), a timetable (de) and results (en): runs of adjacent lines
        // with the same number of figures making a good share of their words.
        for table in [
            "Pos. Piloto Pontos Vitórias\n1 Kyle Busch 5040 5 1\n2 Martin Truex Jr. 5035 7 0\n3 Kevin Harvick 5033 4 6\n4 Denny Hamlin 5027 6 3",
            "Abfahrt Linie Ziel Gleis\nHamburg 06:12 ab 2\nBremen 07:40 an 5\nHannover 08:55 ab 1\nKassel 10:02 an 4",
            "Results\nMills 10.42 1st 3\nOkafor 10.57 2nd 5\nLindqvist 10.61 3rd 2\nBerger 10.70 4th 8",
        ] {
            let units = lines(table);
            assert_eq!(table_rows(&units), [1, 2, 3, 4], "{table}");
            assert_eq!(
                marked_units(&units, &formats::Carried::default()),
                [1, 2, 3, 4].map(|i| (i, roles::Mark::Prose)),
            );
        }
        // Not tables: headlines that hold a year or a price (figures a small share of their
        // words), three rows only, rows apart from each other.
        for not in [
            "Best Black Friday deals 2019 on TVs 2019\nNow 50% off, this turntable lets you jam 50%\nSlash an extra 15% off these sales 15%\nBest deals on mattresses 2019 for 2019",
            "1 Kyle Busch 5040 5 1\n2 Martin Truex Jr. 5035 7 0\n3 Kevin Harvick 5033 4 6",
            "1 Kyle Busch 5040 5 1\n\n2 Martin Truex Jr. 5035 7 0\n\n3 Kevin Harvick 5033 4 6\n\n4 Denny Hamlin 5027 6 3",
        ] {
            assert!(table_rows(&lines(not)).is_empty(), "{not}");
        }
        // Through the engine, the rows stay in the body.
        let copy = "Classificação da NASCAR\n\nA classificação final da temporada depois de 36 etapas, com os pontos de cada piloto.\n\n1 Kyle Busch 5040 5 1\n2 Martin Truex Jr. 5035 7 0\n3 Kevin Harvick 5033 4 6\n4 Denny Hamlin 5027 6 3\n\nSomente os 12 primeiros disputam o título nas dez últimas corridas da temporada.";
        let a = normalize(&Input::text(copy), rules(), &Config::default()).expect("copy");
        for row in ["1 Kyle Busch 5040 5 1", "4 Denny Hamlin 5027 6 3"] {
            assert!(a.text.contains(row), "{row:?} in\n{}", a.text);
        }
    }

    #[test]
    fn overlong_fields_are_refused_by_name_before_any_work() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let input = Input {
            id: &long,
            ..Input::text(COPY)
        };
        match normalize(&input, rules(), &Config::default()) {
            Err(e @ Error::FieldTooLong { field: "id", .. }) => {
                assert_eq!(e.status_name(), "INVALID_ARGUMENT");
                assert!(e.to_string().contains("over the limit of 512 bytes"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        let long = "utf-8".repeat(100);
        for input in [
            Input {
                charset: Some(&long),
                ..Input::text(COPY)
            },
            Input {
                language_hint: Some(&long),
                ..Input::text(COPY)
            },
            Input {
                content_type: Some(&long),
                ..Input::text(COPY)
            },
        ] {
            assert!(matches!(
                normalize(&input, rules(), &Config::default()),
                Err(Error::FieldTooLong { .. })
            ));
        }
    }

    #[test]
    fn the_charset_parameter_of_content_type_names_the_charset() {
        let latin2 =
            b"Zlat\xe9 \xe8\xedslo \xb9tyr\xb9et\xed p\xe1t\xe9ho roku, \xe8\xedslo v\xfdvoje.";
        let input = Input {
            content_type: Some("text/plain; charset=\"iso-8859-2\""),
            ..Input::raw(latin2)
        };
        let a = normalize(&input, rules(), &Config::default()).unwrap();
        assert!(a.text.contains("číslo"), "{}", a.text);
        let clash = Input {
            charset: Some("windows-1252"),
            ..input
        };
        assert!(matches!(
            normalize(&clash, rules(), &Config::default()),
            Err(Error::ConflictingCharsets { .. })
        ));
        let same = Input {
            charset: Some("latin2"),
            ..input
        };
        assert!(normalize(&same, rules(), &Config::default()).is_ok());
    }

    fn run(text: &str) -> Article {
        normalize(
            &Input::text(text),
            crate::rules::test_rules(),
            &Config::default(),
        )
        .unwrap()
    }

    #[test]
    fn quoted_share_counts_letters_inside_quote_marks() {
        assert_eq!(quoted_share("no quotes here"), 0.0);
        assert!(quoted_share("„Alles gut“") > 0.99);
        assert!(quoted_share("He said “yes” and left the room quietly after that") < 0.2);
        // Apostrophes inside words are not quotes.
        assert_eq!(quoted_share("l’homme qu’il aime"), 0.0);
    }

    #[test]
    fn a_long_foreign_quote_gets_its_language_and_a_short_one_does_not() {
        let copy = "Ferry keeps running through the winter\n\n\
            The mayor said on Thursday that the island ferry would keep running through the winter, \
            although with fewer crossings on weekdays and none at night, to save fuel and crew hours.\n\n\
            „Wir werden alles tun, damit die Fähre auch im Winter fährt, aber wir müssen an den \
            Wochentagen sparen und nachts ganz auf Fahrten verzichten, das ist leider so.“\n\n\
            Islanders had asked for an early morning crossing so that pupils can reach the school \
            on the mainland before the first lesson starts, the council said in a statement.\n\n\
            The harbour master called it „eine gute Lösung“ for everyone who depends on the boat \
            to get to work, to school and to the doctor on the mainland during the cold months.\n";
        let article = run(copy);
        assert_eq!(article.language.code, "en");
        let langs: Vec<Option<&str>> = article
            .blocks
            .iter()
            .map(|b| b.language.as_ref().map(|l| l.code.as_str()))
            .collect();
        assert!(langs.contains(&Some("de")), "{langs:?}");
        assert_eq!(langs.iter().filter(|l| l.is_some()).count(), 1, "{langs:?}");
        assert!(
            article
                .notices
                .iter()
                .any(|n| n.kind == NoticeKind::MixedLanguage)
        );
    }

    #[test]
    fn a_short_line_between_an_interruption_and_prose_is_a_heading_and_a_teaser_run_is_none() {
        let held = |code: &str, text: &str| {
            let units = lines(text);
            let applied = applied(rules(), code);
            headings_after_interruptions(&features::observe(&units, &applied))
        };
        let it = [
            "Il Comune ha chiuso al traffico il ponte sul fiume dopo le piogge dei giorni scorsi, ha comunicato il sindaco.",
            "Pubblicità",
            "Il ponte resta chiuso",
            "I tecnici hanno trovato crepe nei piloni del ponte e faranno nuove verifiche già da lunedì mattina.",
            "La riapertura del ponte non è prevista prima della fine del mese, secondo il Comune.",
        ];
        assert_eq!(held("it", &it.join("\n")), [2]);
        // Under a label that announces a list ("Leggi anche"), a short line opens the list.
        let mut label = it;
        label[1] = "Leggi anche";
        assert!(held("it", &label.join("\n")).is_empty());
        // A title over a blurb over another title: a run of teasers under the ad.
        let mut run = it;
        run[4] = "Frane in collina";
        assert!(held("it", &run.join("\n")).is_empty());
        // No prose above the interruption: the page's top, not the story's section.
        assert!(held("it", &it[1..].join("\n")).is_empty());
        // A time or a line in capitals under an ad marker: furniture of its own.
        let mut time = it;
        time[2] = "ore 15.47";
        assert!(held("it", &time.join("\n")).is_empty());
    }

    #[test]
    fn the_items_of_an_announced_list_are_held_and_a_label_s_run_is_not() {
        let held = |code: &str, text: &str| {
            let units = lines(text);
            let applied = applied(rules(), code);
            listed_items(&units, &features::observe(&units, &applied))
        };
        let prose = "The council voted on Monday to rebuild the harbour bridge, which has been closed to lorries since the spring floods.";
        let items = [
            "a new deck for the harbour bridge",
            "a lane for bikes beside the road",
            "lorries back on the bridge by autumn",
        ];
        let list = |label: &str, items: &[&str]| {
            [prose, label]
                .into_iter()
                .chain(items.iter().copied())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            held("en", &list("The plan has three parts:", &items)),
            [2, 3, 4]
        );
        // Two items are no list; a rule file's label of related links announces teasers.
        assert!(held("en", &list("The plan has three parts:", &items[..2])).is_empty());
        assert!(held("en", &list("Read more:", &items)).is_empty());
        // Sentences under a colon are the text's paragraphs, not items.
        let sentences = items.map(|i| format!("There will be {i}."));
        let sentences: Vec<&str> = sentences.iter().map(String::as_str).collect();
        assert!(held("en", &list("The plan has three parts:", &sentences)).is_empty());
        // Items about nothing the story says: a menu under a colon.
        let menu = [
            "Sport and leisure guide",
            "Weather for the weekend",
            "Jobs in your region",
        ];
        assert!(held("en", &list("The plan has three parts:", &menu)).is_empty());
        // Rows built alike are a list whatever their words: a tour's dates, a chronicle.
        let dates = [
            "June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL",
            "June 10 -- Credit Union Amphitheatre, Tampa, FL",
            "June 14 -- Ameris Bank Amphitheatre, Alpharetta, GA",
        ];
        assert_eq!(held("en", &list("The tour's dates:", &dates)), [2, 3, 4]);
        let chronik = [
            "1998: Gründung in einer Garage in Baunatal",
            "2004: Umzug an den Stadtrand von Vellmar",
            "2019: Zweites Standbein im polnischen Breslau",
        ];
        let de = "Die Firma hat am Montag ihr neues Werk in Kassel eröffnet, in dem künftig dreihundert Menschen arbeiten sollen.";
        let text = [de, "Die wichtigsten Stationen:"]
            .into_iter()
            .chain(chronik)
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(held("de", &text), [2, 3, 4]);
        // Off the topic and not built alike: still no list.
        let mixed = [
            "June 9 -- Coral Sky Amphitheatre",
            "Weather for the weekend",
            "Jobs: in your region",
        ];
        assert!(held("en", &list("The tour's dates:", &mixed)).is_empty());
    }

    #[test]
    fn a_copyright_footer_names_the_publication_and_a_photo_credit_does_not() {
        for (line, name) in [
            (
                "Copyright ⓒ 한빛일보. All rights reserved.",
                Some("한빛일보"),
            ),
            (
                "© Le Courrier de la Saône 2024 - Mentions légales",
                Some("le courrier de la saône"),
            ),
            ("© 2024 Lakeshore Ledger", Some("lakeshore ledger")),
            ("ⓒ윤서진", None),
            ("© Angelika Kessler/dpa", None),
            ("No sign here, 2024", None),
        ] {
            assert_eq!(
                super::publication_in_copyright(line).as_deref(),
                name,
                "{line}"
            );
        }
    }
}
