//! The domain types the stages build. Plain data: no prost, no tonic. The gRPC
//! adapter converts them at the edge (`grpc/convert.rs`).

use serde::Serialize;

/// The clean, structured article: what `normalize` returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Article {
    pub id: String,
    pub language: Language,
    pub headline: String,
    pub kicker: String,
    pub dateline: Option<Dateline>,
    pub blocks: Vec<Block>,
    pub images: Vec<Image>,
    pub byline: Option<Byline>,
    /// Every news agency credited anywhere, once each, by canonical name, in order of first mention.
    pub agencies: Vec<String>,
    /// The blocks' texts joined by one blank line.
    pub text: String,
    pub removed: Vec<Artefact>,
    pub stats: Stats,
    pub notices: Vec<Notice>,
    pub fingerprint: String,
    /// What the input's format carried beyond the copy; empty for plain text.
    pub metadata: Metadata,
}

/// What an input format carries about the item beyond its copy (see `formats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    /// The format the copy arrived in (`formats::Format::name`).
    pub source_format: String,
    /// First creation, as the format gives it (ISO 8601 where it is).
    pub first_created: String,
    /// This version's creation or last modification.
    pub version_created: String,
    /// News urgency 1 (most urgent) ..= 9; 0: not given.
    pub urgency: u32,
    pub keywords: Vec<String>,
    pub subjects: Vec<String>,
    /// The item's URI or source URL.
    pub uri: String,
    /// The item's globally unique id.
    pub guid: String,
    pub copyright_notice: String,
    pub usage_terms: String,
    pub section: String,
    pub publisher: String,
    /// Identifiers of the transmission (service and message numbers of IPTC 7901).
    pub transmission_id: String,
    /// A subordinate headline below the main one (NITF hl2 in the hedline, NewsML-G2
    /// headline role subtitle).
    pub subheadline: String,
    /// The summary or abstract the format gives apart from the body.
    pub summary: String,
    /// Not to be published before this time (NITF date.release, NewsML-G2 embargoed).
    pub embargoed: String,
    /// Publishing status as the format gives it (NewsML-G2 pubStatus: usable, withheld,
    /// canceled).
    pub pub_status: String,
    /// Genres, as codes or names.
    pub genres: Vec<String>,
}

/// A detected language.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Language {
    /// ISO 639-1 where one exists, else ISO 639-3.
    pub code: String,
    /// English name.
    pub name: String,
    /// Script name as whatlang spells it (Latin, Cyrillic, ...).
    pub script: String,
    /// 0..1.
    pub confidence: f64,
    pub reliable: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dateline {
    pub place: String,
    /// As written.
    pub date: String,
    pub agencies: Vec<String>,
    /// The dateline as it stood.
    pub raw: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BlockKind {
    Paragraph,
    Subheading,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Set only where the block is reliably in another language than the article. Boxed: a
    /// block is 40 bytes instead of 120, which counts in a document of many tiny paragraphs.
    pub language: Option<Box<Language>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Image {
    pub caption: String,
    pub credit: Credit,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Credit {
    pub raw: String,
    pub creators: Vec<String>,
    /// News agencies and picture services, by canonical name.
    pub agencies: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Byline {
    pub raw: String,
    pub authors: Vec<String>,
    pub agencies: Vec<String>,
}

/// What kind of material left the body. The names are the rule files' keys (snake case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ArtefactKind {
    UiLabel,
    LinkTeaser,
    Advertisement,
    ConsentNotice,
    NewsletterPrompt,
    CopyrightFooter,
    RelatedLinks,
    SharePrompt,
    BreakingMarker,
    Duplicate,
    Markup,
    EndMatter,
    Timestamp,
}

impl ArtefactKind {
    pub const ALL: [ArtefactKind; 13] = [
        ArtefactKind::UiLabel,
        ArtefactKind::LinkTeaser,
        ArtefactKind::Advertisement,
        ArtefactKind::ConsentNotice,
        ArtefactKind::NewsletterPrompt,
        ArtefactKind::CopyrightFooter,
        ArtefactKind::RelatedLinks,
        ArtefactKind::SharePrompt,
        ArtefactKind::BreakingMarker,
        ArtefactKind::Duplicate,
        ArtefactKind::Markup,
        ArtefactKind::EndMatter,
        ArtefactKind::Timestamp,
    ];

    /// The key used for this kind in the rule files.
    pub fn key(self) -> &'static str {
        match self {
            ArtefactKind::UiLabel => "ui_label",
            ArtefactKind::LinkTeaser => "link_teaser",
            ArtefactKind::Advertisement => "advertisement",
            ArtefactKind::ConsentNotice => "consent_notice",
            ArtefactKind::NewsletterPrompt => "newsletter_prompt",
            ArtefactKind::CopyrightFooter => "copyright_footer",
            ArtefactKind::RelatedLinks => "related_links",
            ArtefactKind::SharePrompt => "share_prompt",
            ArtefactKind::BreakingMarker => "breaking_marker",
            ArtefactKind::Duplicate => "duplicate",
            ArtefactKind::Markup => "markup",
            ArtefactKind::EndMatter => "end_matter",
            ArtefactKind::Timestamp => "timestamp",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One removed piece of the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artefact {
    pub kind: ArtefactKind,
    pub text: String,
    /// 1-based line of the input.
    pub line: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stats {
    pub characters: u32,
    pub words: u32,
    pub sentences: u32,
    pub paragraphs: u32,
    pub reading_time_seconds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum NoticeKind {
    CharsetDecoded,
    MojibakeRepaired,
    MixedLanguage,
    TranslationSuspected,
    LanguageHintOverridden,
    ControlCharactersRemoved,
    EntitiesDecoded,
    LanguageUncertain,
    NoRulesForLanguage,
    ReplacementCharacters,
    HyphenationJoined,
    CharsetIgnored,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub detail: String,
}

impl Notice {
    pub fn new(kind: NoticeKind, detail: impl Into<String>) -> Self {
        Notice {
            kind,
            detail: detail.into(),
        }
    }
}
