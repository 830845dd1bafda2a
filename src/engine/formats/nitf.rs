//! The NITF 3.x front end (`<nitf>`: `head` with `docdata`, `body` with `body.head`,
//! `body.content`, `body.end`).
//!
//! Where things go: `hl1` is the headline; an `hl2` above it in the hedline is the kicker, one
//! below it the subheadline (`Metadata::subheadline`); `byline` and `dateline` open the copy
//! the engine reads (so its byline and dateline extraction runs on them, and the format's own
//! reading fills what it leaves empty); `abstract` is the summary; `body.content` gives the
//! blocks (`p`, `hl2` subheadings, `block`, lists, tables), its `media` the pictures: caption
//! and producer go into the copy as caption and credit lines, where the engine reads them as
//! it reads any; `body.end`'s `tagline` closes the copy. `docdata` gives the metadata.

use std::borrow::Cow;

use super::xml::{self, Copy, Node, Piece, collapse};
use super::{Carried, Front};
use crate::engine::Error;
use crate::engine::article::{Byline, Dateline, Metadata};

pub const FORMAT: &str = "NITF";

/// Reads a NITF document into the copy and what it carries.
pub fn read(text: &str) -> Result<Front<'static>, Error> {
    let root = xml::parse(FORMAT, text)?;
    if root.name != "nitf" {
        return Err(Error::Malformed {
            format: FORMAT.to_string(),
            what: format!("the root element is <{}>, not <nitf>", root.name),
        });
    }
    let mut carried = Carried::default();
    let copy = read_nitf(&root, &mut carried);
    let text = copy.text();
    if text.trim().is_empty() {
        return Err(Error::Malformed {
            format: FORMAT.to_string(),
            what: "it holds no copy: no text in hedline, byline or body.content".to_string(),
        });
    }
    Ok(Front {
        text: Cow::Owned(text),
        carried,
    })
}

/// Reads an `<nitf>` element (also one inside a NewsML-G2 inlineXML).
pub fn read_nitf(root: &Node, carried: &mut Carried) -> Copy {
    let head = root.child("head");
    let body = root.child("body");
    let body_head = body.and_then(|b| b.child("body.head"));
    let mut copy = Copy::default();

    carried.language = root
        .lang()
        .or_else(|| body.and_then(Node::lang))
        .unwrap_or_default()
        .to_string();
    if let Some(head) = head {
        read_head(head, &mut carried.metadata);
        if let Some(title) = head.child("title") {
            carried.headline = title.text();
        }
    }
    if let Some(bh) = body_head {
        if let Some(hedline) = bh.child("hedline") {
            read_hedline(hedline, &mut copy, carried);
        }
        if let Some(byline) = bh.child("byline") {
            copy.byline = read_byline(byline, carried);
        }
        if let Some(dateline) = bh.child("dateline") {
            copy.dateline = dateline.text();
            let place = dateline
                .child("location")
                .map(Node::text)
                .unwrap_or_default();
            carried.dateline = Some(Dateline {
                place,
                date: dateline
                    .child("story.date")
                    .map(Node::text)
                    .unwrap_or_default(),
                agencies: Vec::new(),
                raw: copy.dateline.clone(),
            })
            .filter(|d| !d.raw.is_empty());
        }
        if let Some(abs) = bh.child("abstract") {
            carried.metadata.summary = paragraphs(abs);
        }
        if carried.metadata.copyright_notice.is_empty()
            && let Some(rights) = bh.child("rights")
        {
            carried.metadata.copyright_notice = rights.text();
        }
    }
    if let Some(content) = body.and_then(|b| b.child("body.content")) {
        xml::body_pieces(content, &mut copy.pieces);
    }
    if let Some(end) = body.and_then(|b| b.child("body.end")) {
        for tagline in end.children_named("tagline") {
            copy.pieces.push(Piece::Paragraph(tagline.text()));
        }
    }
    if !copy.headline.is_empty() {
        carried.headline = copy.headline.clone();
    }
    copy
}

/// `hl1` is the headline; an `hl2` before it is the kicker, after it the subheadline.
fn read_hedline(hedline: &Node, copy: &mut Copy, carried: &mut Carried) {
    let mut seen_hl1 = false;
    let mut subs = Vec::new();
    for n in hedline.elements() {
        match n.name.as_str() {
            "hl1" if !seen_hl1 => {
                copy.headline = n.text();
                seen_hl1 = true;
            }
            "hl2" if !seen_hl1 && carried.kicker.is_empty() => {
                carried.kicker = n.text();
            }
            "hl2" => subs.push(n.text()),
            _ => {}
        }
    }
    carried.metadata.subheadline = subs
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
}

/// The byline for the copy: its line without the `byttl` (a title such as "Staff Reporter"
/// is no author), the title on a line below; the `person`s are its authors.
fn read_byline(byline: &Node, carried: &mut Carried) -> String {
    let raw = byline.text();
    let mut line = String::new();
    let mut titles = Vec::new();
    for c in &byline.children {
        match c {
            xml::Child::Text(t) => line.push_str(t),
            xml::Child::Element(n) if n.name == "byttl" => titles.push(n.text()),
            xml::Child::Element(n) => line.push_str(&n.text()),
        }
    }
    let line = collapse(&line);
    let line = line.trim_end_matches([',', ';', '/', '-', ' ']);
    let copy = std::iter::once(line)
        .chain(titles.iter().map(String::as_str))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let authors: Vec<String> = byline
        .children_named("person")
        .map(Node::text)
        .filter(|p| !p.is_empty())
        .collect();
    if !raw.is_empty() {
        carried.byline = Some(Byline {
            raw: raw.clone(),
            authors,
            agencies: Vec::new(),
        });
    }
    copy
}

/// The paragraphs of an element, one per line.
fn paragraphs(n: &Node) -> String {
    let ps: Vec<String> = n
        .children_named("p")
        .map(Node::text)
        .filter(|p| !p.is_empty())
        .collect();
    if ps.is_empty() {
        n.text()
    } else {
        ps.join("\n")
    }
}

fn read_head(head: &Node, m: &mut Metadata) {
    if let Some(pubdata) = head.child("pubdata") {
        if let Some(name) = pubdata.attr("name") {
            m.publisher = collapse(name);
        }
        if let Some(section) = pubdata.attr("position.section") {
            m.section = collapse(section);
        }
        if let Some(url) = pubdata.attr("ex-ref") {
            m.uri = url.trim().to_string();
        }
    }
    for tobject in head.children_named("tobject") {
        for subject in tobject.children_named("tobject.subject") {
            let code = subject
                .attr("tobject.subject.refnum")
                .or_else(|| subject.attr("tobject.subject.matter"))
                .or_else(|| subject.attr("tobject.subject.type"));
            if let Some(code) = code {
                push_unique(&mut m.subjects, code);
            }
        }
    }
    let Some(doc) = head.child("docdata") else {
        return;
    };
    for n in doc.elements() {
        match n.name.as_str() {
            "doc-id" => {
                if let Some(id) = n.attr("id-string") {
                    m.guid = id.trim().to_string();
                }
            }
            "urgency" => {
                if let Some(u) = n.attr("ed-urg").and_then(|u| u.trim().parse::<u32>().ok()) {
                    m.urgency = u.min(9);
                }
            }
            "date.issue" => m.first_created = date(n),
            "date.release" => m.embargoed = date(n),
            "key-list" => {
                for k in n.children_named("keyword") {
                    if let Some(key) = k.attr("key") {
                        push_unique(&mut m.keywords, key);
                    }
                }
            }
            "du-key" => {
                if let Some(key) = n.attr("key") {
                    push_unique(&mut m.keywords, key);
                }
            }
            "doc.copyright" => {
                let year = n.attr("year").unwrap_or("").trim();
                let holder = n.attr("holder").unwrap_or("").trim();
                let notice = collapse(&format!("© {year} {holder}"));
                if notice != "©" {
                    m.copyright_notice = notice;
                }
            }
            "doc.rights" => {
                if let Some(terms) = n.attr("limitations") {
                    m.usage_terms = collapse(terms);
                } else if !n.text().is_empty() {
                    m.usage_terms = n.text();
                }
            }
            _ => {}
        }
    }
}

/// A date element's `norm` attribute (ISO 8601), else its text.
fn date(n: &Node) -> String {
    n.attr("norm")
        .map(|d| d.trim().to_string())
        .unwrap_or_else(|| n.text())
}

pub(super) fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = collapse(value);
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nitf SYSTEM "http://www.iptc.org/std/NITF/3.6/specification/dtd/nitf-3-6.dtd">
<nitf version="-//IPTC//DTD NITF 3.6//EN" xml:lang="de">
 <head>
  <title>Titel</title>
  <tobject tobject.type="news"><tobject.subject tobject.subject.refnum="04000000"/></tobject>
  <docdata>
   <doc-id id-string="dpa-123"/>
   <urgency ed-urg="3"/>
   <date.issue norm="20261202T101500Z"/>
   <date.release norm="20261202T120000Z"/>
   <doc.copyright year="2026" holder="dpa"/>
   <doc.rights limitations="Nur für Abonnenten"/>
   <key-list><keyword key="Verkehr"/><keyword key="Kassel"/></key-list>
  </docdata>
  <pubdata type="web" name="Beispielverlag" position.section="Wirtschaft"/>
 </head>
 <body>
  <body.head>
   <hedline><hl2>Nahverkehr</hl2><hl1>Fahrerlose Busse starten</hl1><hl2>Ein Test in Nordhessen</hl2></hedline>
   <byline>Von <person>Marlene Görtz</person>, <byttl>dpa</byttl></byline>
   <dateline><location>Kassel</location>, <story.date norm="20261202">2. Dezember</story.date></dateline>
   <abstract><p>Kurz gesagt.</p></abstract>
  </body.head>
  <body.content>
   <p>In Kassel fahren zwei Busse.</p>
   <hl2>An Bord</hl2>
   <p>Ein Begleiter fährt mit.</p>
  </body.content>
  <body.end><tagline>brk/dpa</tagline></body.end>
 </body>
</nitf>"#;

    #[test]
    fn a_nitf_document() {
        let front = read(DOC).unwrap();
        assert_eq!(
            front.text,
            "Fahrerlose Busse starten\n\nVon Marlene Görtz\ndpa\n\n\
             Kassel, 2. Dezember - In Kassel fahren zwei Busse.\n\nAn Bord\n\n\
             Ein Begleiter fährt mit.\n\nbrk/dpa"
        );
        let c = &front.carried;
        assert_eq!(c.headline, "Fahrerlose Busse starten");
        assert_eq!(c.kicker, "Nahverkehr");
        assert_eq!(c.language, "de");
        assert_eq!(c.byline.as_ref().unwrap().authors, ["Marlene Görtz"]);
        assert_eq!(c.dateline.as_ref().unwrap().place, "Kassel");
        let m = &c.metadata;
        assert_eq!(m.subheadline, "Ein Test in Nordhessen");
        assert_eq!(m.summary, "Kurz gesagt.");
        assert_eq!(m.guid, "dpa-123");
        assert_eq!(m.urgency, 3);
        assert_eq!(m.first_created, "20261202T101500Z");
        assert_eq!(m.embargoed, "20261202T120000Z");
        assert_eq!(m.keywords, ["Verkehr", "Kassel"]);
        assert_eq!(m.subjects, ["04000000"]);
        assert_eq!(m.copyright_notice, "© 2026 dpa");
        assert_eq!(m.usage_terms, "Nur für Abonnenten");
        assert_eq!(m.publisher, "Beispielverlag");
        assert_eq!(m.section, "Wirtschaft");
    }

    #[test]
    fn not_nitf() {
        let e = read("<html><body/></html>").unwrap_err().to_string();
        assert!(e.contains("<html>"), "{e}");
        let e = read("<nitf><head><title> </title></head></nitf>")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no copy"), "{e}");
    }
}
