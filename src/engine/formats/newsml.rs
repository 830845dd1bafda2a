//! The NewsML-G2 front end: one `<newsItem>` (guid and version attributes, `rightsInfo`,
//! `itemMeta`, `contentMeta`, `contentSet`).
//!
//! The body is the first text content of the `contentSet`: an `inlineXML` holding XHTML
//! (`<html>` or a bare `<body>`/fragment) or NITF (walked as the NITF front end walks it), or
//! an `inlineData` of plain text. `contentMeta` gives headline, `by`, `dateline` (read into
//! the copy, so the engine's own extraction runs on them), `located`, language, subjects,
//! genres, urgency, slugline (a keyword) and the summary (`description role="…summary"`).
//! A `remoteContent` body is never fetched.

use std::borrow::Cow;

use super::nitf::{self, push_unique};
use super::xml::{self, Copy, Node, collapse};
use super::{Carried, Front};
use crate::engine::Error;
use crate::engine::article::{Byline, Dateline, Metadata};

pub const FORMAT: &str = "NewsML-G2";

/// Reads a NewsML-G2 NewsItem into the copy and what it carries.
pub fn read(text: &str) -> Result<Front<'static>, Error> {
    let root = xml::parse(FORMAT, text)?;
    if root.name != "newsItem" {
        let hint = if root.name == "newsMessage" || root.name == "packageItem" {
            ": send each newsItem of it on its own"
        } else {
            ""
        };
        return Err(Error::Malformed {
            format: FORMAT.to_string(),
            what: format!("the root element is <{}>, not <newsItem>{hint}", root.name),
        });
    }
    let mut carried = Carried::default();
    let m = &mut carried.metadata;
    if let Some(guid) = root.attr("guid") {
        m.guid = guid.trim().to_string();
    }
    if let Some(rights) = root.child("rightsInfo") {
        read_rights(rights, m);
    }
    if let Some(item) = root.child("itemMeta") {
        read_item_meta(item, m);
    }
    carried.language = root.lang().unwrap_or_default().to_string();
    let mut copy = Copy::default();
    if let Some(content) = root.child("contentMeta") {
        read_content_meta(content, &mut copy, &mut carried);
    }
    if let Some(set) = root.child("contentSet") {
        read_content_set(set, &mut copy, &mut carried)?;
    }
    if carried.headline.is_empty() {
        carried.headline = copy.headline.clone();
    }
    let text = copy.text();
    if text.trim().is_empty() {
        return Err(Error::Malformed {
            format: FORMAT.to_string(),
            what: "it holds no copy: no headline in contentMeta and no inlineXML or inlineData \
                   text in contentSet (remoteContent is never fetched)"
                .to_string(),
        });
    }
    Ok(Front {
        text: Cow::Owned(text),
        carried,
    })
}

/// A qualified code, else a URI, else a literal, else the `name` child.
fn code_or_name(n: &Node) -> String {
    n.attr("qcode")
        .or_else(|| n.attr("uri"))
        .or_else(|| n.attr("literal"))
        .map(collapse)
        .unwrap_or_else(|| name(n))
}

/// The `name` child's text, else the literal, else the code.
fn name(n: &Node) -> String {
    n.child("name")
        .map(Node::text)
        .filter(|t| !t.is_empty())
        .or_else(|| n.attr("literal").map(collapse))
        .or_else(|| n.attr("qcode").map(collapse))
        .unwrap_or_default()
}

fn read_rights(rights: &Node, m: &mut Metadata) {
    if let Some(notice) = rights.child("copyrightNotice").map(Node::text) {
        m.copyright_notice = notice;
    } else if let Some(holder) = rights.child("copyrightHolder") {
        let holder = name(holder);
        if !holder.is_empty() {
            m.copyright_notice = format!("© {holder}");
        }
    }
    if let Some(terms) = rights.child("usageTerms").map(Node::text) {
        m.usage_terms = terms;
    }
}

fn read_item_meta(item: &Node, m: &mut Metadata) {
    for n in item.elements() {
        match n.name.as_str() {
            "versionCreated" => m.version_created = n.text(),
            "firstCreated" => m.first_created = n.text(),
            "embargoed" => m.embargoed = n.text(),
            "pubStatus" => m.pub_status = code_or_name(n),
            "provider" => m.publisher = name(n),
            "link" if n.attr("rel").is_some_and(|r| r.ends_with("canonical")) => {
                if let Some(href) = n.attr("href") {
                    m.uri = href.trim().to_string();
                }
            }
            _ => {}
        }
    }
}

fn read_content_meta(content: &Node, copy: &mut Copy, carried: &mut Carried) {
    let mut creators = Vec::new();
    let mut by = String::new();
    let mut creditline = String::new();
    for n in content.elements() {
        let m = &mut carried.metadata;
        match n.name.as_str() {
            "headline" => {
                let text = n.text();
                let role = n.attr("role").unwrap_or("");
                if role.ends_with("sub") || role.ends_with("subtitle") {
                    m.subheadline = text;
                } else if role.ends_with("kicker") || role.ends_with("overline") {
                    carried.kicker = text;
                } else if copy.headline.is_empty() {
                    copy.headline = text;
                }
            }
            "slugline" => push_unique(&mut m.keywords, &n.text()),
            "keyword" => push_unique(&mut m.keywords, &n.text()),
            "subject" => push_unique(&mut m.subjects, &code_or_name(n)),
            "genre" => push_unique(&mut m.genres, &code_or_name(n)),
            "urgency" => {
                if let Ok(u) = n.text().parse::<u32>() {
                    m.urgency = u.min(9);
                }
            }
            "language" => {
                if let Some(tag) = n.attr("tag")
                    && carried.language.is_empty()
                {
                    carried.language = tag.trim().to_string();
                }
            }
            "by" => by = n.text(),
            "creditline" => creditline = n.text(),
            "creator" => {
                let who = name(n);
                if !who.is_empty() {
                    creators.push(who);
                }
            }
            "dateline" => copy.dateline = n.text(),
            "located" => {
                // A place's name; its code (`geo:345678`) is no place name.
                let place = n.child("name").map(Node::text).unwrap_or_default();
                if !place.is_empty() {
                    carried.dateline.get_or_insert_with(Dateline::default).place = place;
                }
            }
            "description" => {
                let role = n.attr("role").unwrap_or("");
                if role.is_empty() || role.ends_with("summary") {
                    m.summary = n.text();
                }
            }
            _ => {}
        }
    }
    if let Some(d) = carried.dateline.as_mut() {
        d.raw = copy.dateline.clone();
    } else if !copy.dateline.is_empty() {
        carried.dateline = Some(Dateline {
            raw: copy.dateline.clone(),
            ..Dateline::default()
        });
    }
    // The byline line the engine reads: `by`, with the creditline where `by` does not name it.
    copy.byline = by.clone();
    if !creditline.is_empty() && !by.contains(&creditline) {
        if copy.byline.is_empty() {
            copy.byline = creditline.clone();
        } else {
            copy.byline = format!("{by} ({creditline})");
        }
    }
    if !copy.byline.is_empty() || !creators.is_empty() {
        carried.byline = Some(Byline {
            raw: if copy.byline.is_empty() {
                creators.join(", ")
            } else {
                copy.byline.clone()
            },
            authors: creators,
            agencies: Vec::new(),
        });
    }
}

/// The first inline body of the content set.
fn read_content_set(set: &Node, copy: &mut Copy, carried: &mut Carried) -> Result<(), Error> {
    for n in set.elements() {
        match n.name.as_str() {
            "inlineXML" => {
                if let Some(lang) = n.lang()
                    && carried.language.is_empty()
                {
                    carried.language = lang.to_string();
                }
                read_inline_xml(n, copy, carried);
                return Ok(());
            }
            "inlineData" => {
                if let Some(lang) = n.lang()
                    && carried.language.is_empty()
                {
                    carried.language = lang.to_string();
                }
                let encoding = n.attr("encoding").unwrap_or("");
                if !encoding.is_empty() {
                    return Err(Error::Malformed {
                        format: FORMAT.to_string(),
                        what: format!(
                            "inlineData is {encoding}-encoded: send the text itself in inlineData"
                        ),
                    });
                }
                let mut raw = String::new();
                for c in &n.children {
                    if let xml::Child::Text(t) = c {
                        raw.push_str(t);
                    }
                }
                // Plain text: its paragraphs are its own (blank lines, as the engine reads).
                for para in raw.split("\n\n") {
                    let para = para.trim();
                    if !para.is_empty() {
                        copy.pieces.push(xml::Piece::Paragraph(para.to_string()));
                    }
                }
                return Ok(());
            }
            _ => {}
        }
    }
    Ok(())
}

/// An inlineXML: NITF, or XHTML (`html`, `body`, or a fragment of blocks).
fn read_inline_xml(inline: &Node, copy: &mut Copy, carried: &mut Carried) {
    if let Some(nitf_root) = inline.child("nitf") {
        let mut inner = Carried::default();
        let body = nitf::read_nitf(nitf_root, &mut inner);
        // What the NewsML envelope says wins; the NITF fills what it leaves open.
        if copy.headline.is_empty() {
            copy.headline = body.headline;
        }
        if copy.byline.is_empty() {
            copy.byline = body.byline;
            if carried.byline.is_none() {
                carried.byline = inner.byline;
            }
        }
        if copy.dateline.is_empty() {
            copy.dateline = body.dateline;
        }
        copy.pieces = body.pieces;
        if carried.language.is_empty() {
            carried.language = inner.language;
        }
        return;
    }
    let body = inline
        .child("html")
        .and_then(|h| h.child("body"))
        .or_else(|| inline.child("body"))
        .unwrap_or(inline);
    let mut pieces = Vec::new();
    xml::body_pieces(body, &mut pieces);
    // An XHTML body often repeats the headline as its first heading.
    if let Some(xml::Piece::Subheading(first)) = pieces.first()
        && first == &copy.headline
    {
        pieces.remove(0);
    }
    if carried.language.is_empty()
        && let Some(lang) = inline.child("html").and_then(Node::lang)
    {
        carried.language = lang.to_string();
    }
    copy.pieces = pieces;
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="urn:newsml:example.com:20261202:abc"
  version="3" standard="NewsML-G2" standardversion="2.33" conformance="power" xml:lang="fr">
 <rightsInfo>
  <copyrightHolder uri="http://example.com"><name>Agence Exemple</name></copyrightHolder>
  <copyrightNotice>Copyright 2026 Agence Exemple</copyrightNotice>
  <usageTerms>Usage éditorial seulement</usageTerms>
 </rightsInfo>
 <itemMeta>
  <itemClass qcode="ninat:text"/>
  <provider qcode="nprov:EX"><name>Agence Exemple</name></provider>
  <versionCreated>2026-12-02T10:15:00+01:00</versionCreated>
  <firstCreated>2026-12-02T09:00:00+01:00</firstCreated>
  <pubStatus qcode="stat:usable"/>
 </itemMeta>
 <contentMeta>
  <urgency>4</urgency>
  <located qcode="geo:2988507"><name>Paris</name></located>
  <subject qcode="medtop:20000763"><name>élections</name></subject>
  <genre qcode="genre:Current"/>
  <slugline>Politique-Élections</slugline>
  <headline>Le Sénat adopte le budget</headline>
  <dateline>PARIS, 2 déc.</dateline>
  <by>Par Jeanne Martin</by>
  <creditline>AFP</creditline>
  <description role="drol:summary">Un vote serré.</description>
  <language tag="fr"/>
 </contentMeta>
 <contentSet>
  <inlineXML contenttype="application/xhtml+xml">
   <html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head>
    <body><h1>Le Sénat adopte le budget</h1><p>Le Sénat a adopté mardi le budget.</p><h2>Un vote</h2><p>Le vote était serré.</p></body>
   </html>
  </inlineXML>
 </contentSet>
</newsItem>"#;

    #[test]
    fn a_news_item() {
        let front = read(ITEM).unwrap();
        assert_eq!(
            front.text,
            "Le Sénat adopte le budget\n\nPar Jeanne Martin (AFP)\n\n\
             PARIS, 2 déc. Le Sénat a adopté mardi le budget.\n\nUn vote\n\nLe vote était serré."
        );
        let c = &front.carried;
        assert_eq!(c.language, "fr");
        assert_eq!(c.dateline.as_ref().unwrap().place, "Paris");
        let m = &c.metadata;
        assert_eq!(m.guid, "urn:newsml:example.com:20261202:abc");
        assert_eq!(m.publisher, "Agence Exemple");
        assert_eq!(m.version_created, "2026-12-02T10:15:00+01:00");
        assert_eq!(m.first_created, "2026-12-02T09:00:00+01:00");
        assert_eq!(m.pub_status, "stat:usable");
        assert_eq!(m.urgency, 4);
        assert_eq!(m.subjects, ["medtop:20000763"]);
        assert_eq!(m.genres, ["genre:Current"]);
        assert_eq!(m.keywords, ["Politique-Élections"]);
        assert_eq!(m.summary, "Un vote serré.");
        assert_eq!(m.copyright_notice, "Copyright 2026 Agence Exemple");
        assert_eq!(m.usage_terms, "Usage éditorial seulement");
    }

    #[test]
    fn inline_data_and_wrong_roots() {
        let item = "<newsItem><contentMeta><headline>Заголовок</headline></contentMeta>\
                    <contentSet><inlineData contenttype=\"text/plain\">Москва. Первый абзац.\n\nВторой абзац.</inlineData></contentSet></newsItem>";
        let front = read(item).unwrap();
        assert_eq!(
            front.text,
            "Заголовок\n\nМосква. Первый абзац.\n\nВторой абзац."
        );
        let e = read("<newsMessage/>").unwrap_err().to_string();
        assert!(e.contains("newsMessage"), "{e}");
        let e = read("<newsItem><contentSet><remoteContent href=\"http://127.0.0.1:9/x\"/></contentSet></newsItem>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no copy"), "{e}");
    }
}
