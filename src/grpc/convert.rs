//! Domain ↔ proto at the edge. The engine's types never derive prost; this is the only place
//! that knows both sides.

use tonic::{Code, Status};

use crate::engine::{self, Content, Input};
use crate::pb;

/// The engine's input, borrowing from a proto `Document`. A missing `content` is an empty text,
/// which the engine refuses as an empty document.
pub fn input(doc: &pb::Document) -> Input<'_> {
    let content = match &doc.content {
        Some(pb::document::Content::Text(t)) => Content::Text(t),
        Some(pb::document::Content::Raw(r)) => Content::Raw(r),
        None => Content::Text(""),
    };
    Input {
        id: &doc.id,
        content,
        charset: non_empty(&doc.charset),
        language_hint: non_empty(&doc.language_hint),
        content_type: non_empty(&doc.content_type),
    }
}

/// Size of a document's content in bytes.
pub fn document_len(doc: &pb::Document) -> usize {
    match &doc.content {
        Some(pb::document::Content::Text(t)) => t.len(),
        Some(pb::document::Content::Raw(r)) => r.len(),
        None => 0,
    }
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.trim().is_empty())
}

/// The status of an engine error: the code its `status_name()` gives and its message.
pub fn status(err: &engine::Error) -> Status {
    Status::new(code_from_name(err.status_name()), err.to_string())
}

/// The `tonic::Code` of a canonical status name such as `INVALID_ARGUMENT`.
pub fn code_from_name(name: &str) -> Code {
    match name {
        "OK" => Code::Ok,
        "CANCELLED" => Code::Cancelled,
        "INVALID_ARGUMENT" => Code::InvalidArgument,
        "DEADLINE_EXCEEDED" => Code::DeadlineExceeded,
        "NOT_FOUND" => Code::NotFound,
        "ALREADY_EXISTS" => Code::AlreadyExists,
        "PERMISSION_DENIED" => Code::PermissionDenied,
        "RESOURCE_EXHAUSTED" => Code::ResourceExhausted,
        "FAILED_PRECONDITION" => Code::FailedPrecondition,
        "ABORTED" => Code::Aborted,
        "OUT_OF_RANGE" => Code::OutOfRange,
        "UNIMPLEMENTED" => Code::Unimplemented,
        "INTERNAL" => Code::Internal,
        "UNAVAILABLE" => Code::Unavailable,
        "DATA_LOSS" => Code::DataLoss,
        "UNAUTHENTICATED" => Code::Unauthenticated,
        _ => Code::Unknown,
    }
}

/// The canonical name of a code, as `ItemError.code` and the logs carry it.
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The per-document error item of a stream: the status a unary call would give.
pub fn item_error(status: &Status) -> pb::ItemError {
    pb::ItemError {
        code: code_name(status.code()).to_string(),
        message: status.message().to_string(),
    }
}

/// The proto article, with the options applied.
pub fn article(a: engine::Article, options: &pb::NormalizeOptions) -> pb::Article {
    pb::Article {
        id: a.id,
        language: Some(language(a.language)),
        headline: a.headline,
        kicker: a.kicker,
        dateline: a.dateline.map(|d| pb::Dateline {
            place: d.place,
            date: d.date,
            agencies: d.agencies,
            raw: d.raw,
        }),
        blocks: a.blocks.into_iter().map(block).collect(),
        images: a
            .images
            .into_iter()
            .map(|i| pb::Image {
                caption: i.caption,
                credit: Some(credit(i.credit)),
            })
            .collect(),
        byline: a.byline.map(|b| pb::Byline {
            raw: b.raw,
            authors: b.authors,
            agencies: b.agencies,
        }),
        agencies: a.agencies,
        text: if options.omit_text {
            String::new()
        } else {
            a.text
        },
        removed: if options.omit_removed {
            Vec::new()
        } else {
            a.removed.into_iter().map(artefact).collect()
        },
        stats: Some(stats(a.stats)),
        notices: a.notices.into_iter().map(notice).collect(),
        fingerprint: a.fingerprint,
        metadata: (a.metadata != engine::Metadata::default()).then(|| metadata(a.metadata)),
    }
}

pub fn metadata(m: engine::Metadata) -> pb::Metadata {
    pb::Metadata {
        source_format: m.source_format,
        first_created: m.first_created,
        version_created: m.version_created,
        urgency: m.urgency,
        keywords: m.keywords,
        subjects: m.subjects,
        uri: m.uri,
        guid: m.guid,
        copyright_notice: m.copyright_notice,
        usage_terms: m.usage_terms,
        section: m.section,
        publisher: m.publisher,
        transmission_id: m.transmission_id,
        subheadline: m.subheadline,
        summary: m.summary,
        embargoed: m.embargoed,
        pub_status: m.pub_status,
        genres: m.genres,
    }
}

pub fn language(l: engine::Language) -> pb::Language {
    pb::Language {
        code: l.code,
        name: l.name,
        script: l.script,
        confidence: l.confidence,
        reliable: l.reliable,
    }
}

fn block(b: engine::Block) -> pb::Block {
    let kind = match b.kind {
        engine::BlockKind::Paragraph => pb::BlockKind::Paragraph,
        engine::BlockKind::Subheading => pb::BlockKind::Subheading,
    };
    pb::Block {
        kind: kind as i32,
        text: b.text,
        language: b.language.map(|l| language(*l)),
    }
}

fn credit(c: engine::Credit) -> pb::Credit {
    pb::Credit {
        raw: c.raw,
        creators: c.creators,
        agencies: c.agencies,
    }
}

fn artefact(a: engine::Artefact) -> pb::Artefact {
    pb::Artefact {
        kind: artefact_kind(a.kind) as i32,
        text: a.text,
        line: a.line,
    }
}

fn artefact_kind(k: engine::ArtefactKind) -> pb::ArtefactKind {
    use engine::ArtefactKind as A;
    use pb::ArtefactKind as P;
    match k {
        A::UiLabel => P::UiLabel,
        A::LinkTeaser => P::LinkTeaser,
        A::Advertisement => P::Advertisement,
        A::ConsentNotice => P::ConsentNotice,
        A::NewsletterPrompt => P::NewsletterPrompt,
        A::CopyrightFooter => P::CopyrightFooter,
        A::RelatedLinks => P::RelatedLinks,
        A::SharePrompt => P::SharePrompt,
        A::BreakingMarker => P::BreakingMarker,
        A::Duplicate => P::Duplicate,
        A::Markup => P::Markup,
        A::EndMatter => P::EndMatter,
        A::Timestamp => P::Timestamp,
    }
}

fn stats(s: engine::Stats) -> pb::Stats {
    pb::Stats {
        characters: s.characters,
        words: s.words,
        sentences: s.sentences,
        paragraphs: s.paragraphs,
        reading_time_seconds: s.reading_time_seconds,
    }
}

fn notice(n: engine::Notice) -> pb::Notice {
    pb::Notice {
        kind: notice_kind(n.kind) as i32,
        detail: n.detail,
    }
}

fn notice_kind(k: engine::NoticeKind) -> pb::NoticeKind {
    use engine::NoticeKind as N;
    use pb::NoticeKind as P;
    match k {
        N::CharsetDecoded => P::CharsetDecoded,
        N::MojibakeRepaired => P::MojibakeRepaired,
        N::MixedLanguage => P::MixedLanguage,
        N::TranslationSuspected => P::TranslationSuspected,
        N::LanguageHintOverridden => P::LanguageHintOverridden,
        N::ControlCharactersRemoved => P::ControlCharactersRemoved,
        N::EntitiesDecoded => P::EntitiesDecoded,
        N::LanguageUncertain => P::LanguageUncertain,
        N::NoRulesForLanguage => P::NoRulesForLanguage,
        N::ReplacementCharacters => P::ReplacementCharacters,
        N::HyphenationJoined => P::HyphenationJoined,
        N::CharsetIgnored => P::CharsetIgnored,
    }
}

/// The detector's answer as the proto response.
pub fn detection(d: engine::language::Detection) -> pb::DetectLanguageResponse {
    pb::DetectLanguageResponse {
        language: Some(language(d.language)),
        candidates: d
            .candidates
            .into_iter()
            .map(|c| pb::LanguageCandidate {
                code: c.code,
                name: c.name,
                score: c.score,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_name_round_trips() {
        for n in 0..=16 {
            let code = Code::from_i32(n);
            assert_eq!(code_from_name(code_name(code)), code);
        }
    }

    #[test]
    fn engine_errors_keep_their_status_and_message() {
        let err = engine::Error::TooLarge {
            size: 20,
            limit: 10,
        };
        let s = status(&err);
        assert_eq!(s.code(), Code::ResourceExhausted);
        assert!(s.message().contains("10 bytes"));
        assert_eq!(status(&engine::Error::Empty).code(), Code::InvalidArgument);
    }

    #[test]
    fn a_document_without_content_is_empty_text() {
        let doc = pb::Document::default();
        let input = input(&doc);
        assert!(input.is_empty());
        assert!(input.charset.is_none() && input.language_hint.is_none());
    }

    #[test]
    fn options_drop_text_and_removed() {
        let a = engine::Article {
            text: "body".into(),
            removed: vec![engine::Artefact {
                kind: engine::ArtefactKind::UiLabel,
                text: "Share".into(),
                line: 1,
            }],
            ..Default::default()
        };
        let full = article(a.clone(), &pb::NormalizeOptions::default());
        assert_eq!(full.text, "body");
        assert_eq!(full.removed.len(), 1);
        let slim = article(
            a,
            &pb::NormalizeOptions {
                omit_removed: true,
                omit_text: true,
                ..Default::default()
            },
        );
        assert!(slim.text.is_empty() && slim.removed.is_empty());
    }
}
