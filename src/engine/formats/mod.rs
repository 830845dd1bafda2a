//! Front ends: the formats copy arrives in. Each turns its input into the plain copy the
//! engine reads (headline first, then byline, dateline and body in the order a desk writes
//! them) plus what the format carries about the item (`Carried`). The cleaning, language,
//! credits, datelines and bylines stay the engine's job, so every format gets the same
//! quality; what a format states counts as strong evidence (it fills a field the copy left
//! empty), never as blind truth.
//!
//! `Format::declared` reads `content_type`; with none, `Format::sniff` recognises a format
//! from the text itself. A declared type always wins.

pub mod html;
pub mod iptc7901;
pub mod newsml;
pub mod ninjs;
pub mod nitf;
pub mod xml;

use std::borrow::Cow;

use super::Error;
use super::article::{Article, Byline, Dateline, Image, Metadata};
use super::extract;
use super::lexicon::{self, Applied};

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    /// IPTC 7901 and ANPA-1312: the same SOH/STX/ETX framing.
    Iptc7901,
    Nitf,
    NewsMlG2,
    Ninjs,
}

/// The content types accepted, as the contract names them, with their formats.
pub const CONTENT_TYPES: [(&str, Format); 11] = [
    ("text/plain", Format::Text),
    ("text/html", Format::Html),
    ("application/xhtml+xml", Format::Html),
    ("text/x-iptc7901", Format::Iptc7901),
    ("text/x-anpa1312", Format::Iptc7901),
    ("application/nitf+xml", Format::Nitf),
    ("application/vnd.iptc.g2.newsitem+xml", Format::NewsMlG2),
    ("application/ninjs+json", Format::Ninjs),
    // Generic types: the root element or the keys decide (`sniff`), else refused.
    ("text/xml", Format::Text),
    ("application/xml", Format::Text),
    ("application/json", Format::Text),
];

/// A content type as the caller declared it: its format (`None`: recognise it from the
/// text) and its charset parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared<'a> {
    pub format: Option<Format>,
    /// Generic XML or JSON: the text must turn out to be one of the agency formats.
    pub generic: Option<&'static str>,
    pub charset: Option<&'a str>,
}

impl Format {
    /// The name used in `Metadata::source_format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Iptc7901 => "iptc7901",
            Format::Nitf => "nitf",
            Format::NewsMlG2 => "newsml-g2",
            Format::Ninjs => "ninjs",
        }
    }

    /// Reads `content_type` ("type/subtype; charset=..."). Empty: nothing declared.
    pub fn declared(content_type: Option<&str>) -> Result<Declared<'_>, Error> {
        let Some(ct) = content_type.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(Declared {
                format: None,
                generic: None,
                charset: None,
            });
        };
        let mut parts = ct.split(';');
        let base = parts.next().unwrap_or("").trim();
        let charset = parts.find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"'))
                .filter(|v| !v.is_empty())
        });
        let Some(&(name, format)) = CONTENT_TYPES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(base))
        else {
            return Err(Error::UnsupportedContentType(ct.to_string()));
        };
        let generic = matches!(name, "text/xml" | "application/xml" | "application/json");
        Ok(Declared {
            format: (!generic).then_some(format),
            generic: generic.then_some(name),
            charset,
        })
    }

    /// Recognises a format from the text's opening: SOH/STX framing, an XML root, an HTML
    /// document, a JSON object with ninjs keys. Anything else is plain text.
    pub fn sniff(text: &str) -> Format {
        let head = text.trim_start_matches('\u{feff}');
        let trimmed = head.trim_start();
        if head.starts_with('\u{1}')
            || head.starts_with('\u{16}')
            || head.get(..64).unwrap_or(head).contains('\u{2}')
        {
            return Format::Iptc7901;
        }
        if trimmed.starts_with('{') {
            return if ninjs::looks_like_ninjs(trimmed) {
                Format::Ninjs
            } else {
                Format::Text
            };
        }
        if !trimmed.starts_with('<') {
            return Format::Text;
        }
        match root_element(trimmed) {
            Some(root) if root.eq_ignore_ascii_case("html") => Format::Html,
            Some("nitf") => Format::Nitf,
            Some("newsItem") => Format::NewsMlG2,
            _ => Format::Text,
        }
    }
}

/// The name of the first element of a markup text, after the XML declaration, comments,
/// processing instructions and a DOCTYPE (`<!DOCTYPE html>` names html).
fn root_element(text: &str) -> Option<&str> {
    let mut rest = text;
    // A bounded walk: a text of nothing but comments is not worth more than a few steps.
    for _ in 0..32 {
        rest = rest.trim_start();
        let after = rest.strip_prefix('<')?;
        if let Some(body) = after.strip_prefix("!--") {
            rest = &body[body.find("-->")? + 3..];
        } else if after.starts_with('?') {
            rest = &after[after.find("?>")? + 2..];
        } else if let Some(doctype) = after
            .get(..8)
            .filter(|d| d.eq_ignore_ascii_case("!doctype"))
        {
            let _ = doctype;
            let decl = after[8..].trim_start();
            let name_end = decl
                .find(|c: char| c.is_whitespace() || c == '>' || c == '[')
                .unwrap_or(decl.len());
            if decl[..name_end].eq_ignore_ascii_case("html") {
                return Some(&decl[..name_end]);
            }
            // An internal subset (`[ <!ENTITY …> ]`) holds `>` of its own.
            let end = match (after.find('['), after.find('>')) {
                (Some(open), Some(close)) if open < close => open + after[open..].find("]")?,
                _ => 0,
            };
            rest = &after[end + after[end..].find('>')? + 1..];
        } else {
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            let name = &after[..end];
            // A namespace prefix does not change the element (`<g2:newsItem>`).
            return Some(name.rsplit(':').next().unwrap_or(name));
        }
    }
    None
}

/// What a front end hands the engine.
#[derive(Debug, Clone, Default)]
pub struct Front<'a> {
    /// The copy as plain text: headline first, blocks separated by blank lines.
    pub text: Cow<'a, str>,
    pub carried: Carried,
}

/// What a format states about the item. Fields the copy leaves empty are filled from here
/// (`apply`); `metadata` goes to the article as it is.
#[derive(Debug, Clone, Default)]
pub struct Carried {
    pub headline: String,
    pub kicker: String,
    pub byline: Option<Byline>,
    pub dateline: Option<Dateline>,
    /// ISO 639 code the format declares; used as the language hint when the caller sent none.
    pub language: String,
    /// Pictures the format lists apart from the copy (ninjs associations and body figures).
    /// A credit with no creators and agencies is read as the engine reads any credit.
    pub images: Vec<Image>,
    /// Parties the format names as sources (ninjs infosources); the news agencies among them
    /// join `Article::agencies`.
    pub agencies: Vec<String>,
    pub metadata: Metadata,
    /// Blocks of the copy that the format's own structure marks as the item's prose (the
    /// paragraphs of the article an HTML page holds, chosen from the DOM). The role decoder
    /// keeps such a unit in the body unless a rule file names it (a label, a byline, a credit).
    pub prose: Vec<String>,
    /// Headings inside the item's body that its structure marks (an HTML article's h2–h6):
    /// held to the body's subheadings or text unless a rule file names them.
    pub headings: Vec<String>,
}

impl Carried {
    /// Every string the format stated, cleaned (`repair::clean_field`).
    fn clean(&mut self) {
        use super::repair::clean_field;
        let Carried {
            headline,
            kicker,
            byline,
            dateline,
            language,
            images,
            agencies,
            metadata,
            prose,
            headings,
        } = self;
        let Metadata {
            source_format: _,
            first_created,
            version_created,
            urgency: _,
            keywords,
            subjects,
            uri,
            guid,
            copyright_notice,
            usage_terms,
            section,
            publisher,
            transmission_id,
            subheadline,
            summary,
            embargoed,
            pub_status,
            genres,
        } = metadata;
        let mut fields: Vec<&mut String> = vec![
            headline,
            kicker,
            language,
            first_created,
            version_created,
            uri,
            guid,
            copyright_notice,
            usage_terms,
            section,
            publisher,
            transmission_id,
            subheadline,
            summary,
            embargoed,
            pub_status,
        ];
        let mut lists: Vec<&mut Vec<String>> =
            vec![agencies, keywords, subjects, genres, prose, headings];
        if let Some(Byline {
            raw,
            authors,
            agencies,
        }) = byline
        {
            fields.push(raw);
            lists.extend([authors, agencies]);
        }
        if let Some(Dateline {
            place,
            date,
            agencies,
            raw,
        }) = dateline
        {
            fields.extend([place, date, raw]);
            lists.push(agencies);
        }
        for Image { caption, credit } in images.iter_mut() {
            fields.extend([caption, &mut credit.raw]);
            lists.extend([&mut credit.creators, &mut credit.agencies]);
        }
        for field in fields {
            clean_field(field);
        }
        // A list keeps no entry the cleaning left empty.
        for list in lists {
            list.iter_mut().for_each(clean_field);
            list.retain(|s| !s.is_empty());
        }
    }
}

/// Turns a decoded text of `format` into the copy and what the format carries.
/// `generic` names a generic declared type (text/xml, application/json) that must turn out
/// to be one of the agency formats.
pub fn read<'a>(
    format: Format,
    text: Cow<'a, str>,
    generic: Option<&str>,
) -> Result<Front<'a>, Error> {
    let format = match (format, generic) {
        (Format::Text, Some(generic)) => {
            // JSON that does not parse: say why, not only that it is no ninjs.
            if generic == "application/json"
                && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text)
            {
                return Err(Error::Malformed {
                    format: generic.to_string(),
                    what: format!("it is not JSON ({e})"),
                });
            }
            return Err(Error::Malformed {
                format: generic.to_string(),
                what: "the root is none of the formats copydesk reads (an <nitf> or <newsItem> root, a ninjs object)".to_string(),
            });
        }
        (format, _) => format,
    };
    let mut front = match format {
        Format::Text => Front {
            text,
            carried: Carried::default(),
        },
        Format::Html => html::read(&text)?,
        Format::Iptc7901 => iptc7901::read(&text)?,
        Format::Nitf => nitf::read(&text)?,
        Format::NewsMlG2 => newsml::read(&text)?,
        Format::Ninjs => ninjs::read(&text)?,
    };
    if format != Format::Text {
        front.carried.metadata.source_format = format.name().to_string();
        // What the markup states goes to the article without the engine's repair: clean it
        // as the copy's lines are cleaned (no control character leaves through a field).
        front.carried.clean();
    }
    Ok(front)
}

/// A byline the format states without agencies, read line by line as the engine reads a
/// byline (or, failing that, a signature): its agencies, and its authors where the format
/// named none or where what it names as authors is a whole byline, the names inside it
/// ("By MEG KINNARD and ERRIN HAINES, Associated Press" as one author of a page's JSON-LD).
/// Kept as stated where nothing is found.
fn read_byline(byline: Byline, applied: &Applied) -> Byline {
    if !byline.agencies.is_empty() {
        return byline;
    }
    let found = byline.raw.lines().filter_map(|line| {
        extract::parse_byline(line, applied).or_else(|| extract::parse_signature(line, applied))
    });
    match lexicon::byline::merge_all(found) {
        Some(parsed) => Byline {
            authors: if byline.authors.is_empty() || holds_bylines(&byline.authors, &parsed.authors)
            {
                parsed.authors
            } else {
                byline.authors
            },
            agencies: parsed.agencies,
            raw: byline.raw,
        },
        None => byline,
    }
}

/// Whether the authors a format states are bylines of their own: the names read in them are
/// others, each standing inside one of them ("By Jane Doe and John Roe, Reuters" holds "Jane
/// Doe" and "John Roe").
fn holds_bylines(stated: &[String], read: &[String]) -> bool {
    !read.is_empty()
        && read != stated
        && read.iter().all(|name| {
            stated
                .iter()
                .any(|s| s.len() > name.len() && s.contains(name.as_str()))
        })
}

/// Fills what the copy left empty from what the format stated. `applied`: the rules of the
/// article's language, for the credits of the pictures and the names of the agencies.
pub fn apply(article: &mut Article, carried: Carried, applied: &Applied) {
    let Carried {
        headline,
        kicker,
        byline,
        dateline,
        language: _,
        images,
        agencies,
        metadata,
        prose: _,
        headings: _,
    } = carried;
    if article.headline.is_empty() {
        article.headline = headline;
    }
    if article.kicker.is_empty() {
        article.kicker = kicker;
    }
    if article.byline.is_none() {
        article.byline = byline.map(|b| read_byline(b, applied));
    }
    if article.dateline.is_none() {
        article.dateline = dateline;
    }
    for mut image in images {
        if article.images.iter().any(|i| i.caption == image.caption) {
            continue;
        }
        let credit = &image.credit;
        if !credit.raw.is_empty() && credit.creators.is_empty() && credit.agencies.is_empty() {
            image.credit = lexicon::credit::parse(&credit.raw, &credit.raw, applied);
        }
        article.images.push(image);
    }
    let credited = article
        .byline
        .iter()
        .flat_map(|b| b.agencies.iter())
        .chain(article.dateline.iter().flat_map(|d| d.agencies.iter()))
        .cloned()
        .chain(lexicon::news_only(applied.agencies, &agencies))
        .collect::<Vec<_>>();
    for agency in credited {
        if !article.agencies.contains(&agency) {
            article.agencies.push(agency);
        }
    }
    article.metadata = metadata;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_name_their_format_and_charset() {
        let d = Format::declared(Some("Text/HTML; charset=\"iso-8859-2\"")).unwrap();
        assert_eq!(d.format, Some(Format::Html));
        assert_eq!(d.charset, Some("iso-8859-2"));
        let d = Format::declared(Some("application/vnd.iptc.g2.newsitem+xml")).unwrap();
        assert_eq!(d.format, Some(Format::NewsMlG2));
        let d = Format::declared(Some("text/xml")).unwrap();
        assert_eq!((d.format, d.generic), (None, Some("text/xml")));
        assert_eq!(Format::declared(None).unwrap().format, None);
        assert!(matches!(
            Format::declared(Some("application/pdf")),
            Err(Error::UnsupportedContentType(_))
        ));
    }

    #[test]
    fn formats_are_recognised_from_their_opening() {
        assert_eq!(Format::sniff("<!DOCTYPE html>\n<html><p>x"), Format::Html);
        assert_eq!(Format::sniff("  <html lang=\"de\">"), Format::Html);
        assert_eq!(
            Format::sniff("<?xml version=\"1.0\"?>\n<!-- feed -->\n<nitf version=\"3.6\">"),
            Format::Nitf
        );
        assert_eq!(
            Format::sniff(
                "<?xml version=\"1.0\"?><newsItem xmlns=\"http://iptc.org/std/nar/2006-10-01/\">"
            ),
            Format::NewsMlG2
        );
        assert_eq!(
            Format::sniff("\u{1}\u{16}\u{16}a0123 r ..."),
            Format::Iptc7901
        );
        assert_eq!(Format::sniff("Berlin (dpa) - Ein Text."), Format::Text);
        assert_eq!(Format::sniff("<b>fett</b> und mehr"), Format::Text);
        assert_eq!(Format::sniff("{ nicht json"), Format::Text);
        assert_eq!(Format::sniff("<!-- never closed"), Format::Text);
        assert_eq!(
            Format::sniff("<!DOCTYPE nitf [<!ENTITY a \"b\">]>\n<nitf>"),
            Format::Nitf
        );
    }

    #[test]
    fn what_the_format_states_fills_only_empty_fields() {
        let mut article = Article {
            headline: "From the copy".into(),
            ..Article::default()
        };
        apply(
            &mut article,
            Carried {
                headline: "From the format".into(),
                kicker: "Kicker".into(),
                metadata: Metadata {
                    urgency: 3,
                    ..Metadata::default()
                },
                ..Carried::default()
            },
            &Applied::for_test("de"),
        );
        assert_eq!(article.headline, "From the copy");
        assert_eq!(article.kicker, "Kicker");
        assert_eq!(article.metadata.urgency, 3);
    }
}
