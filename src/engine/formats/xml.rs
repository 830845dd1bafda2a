//! What the XML front ends (NITF, NewsML-G2) share: a small element tree read with
//! quick-xml, errors that name line and column, the walk of an NITF or XHTML body into
//! blocks, and the plain copy the engine reads.
//!
//! Safety: quick-xml expands nothing but the five predefined entities and character
//! references, and never fetches anything. A DOCTYPE that declares entities is refused (no
//! entity of its is ever expanded, so billion laughs and external entities cannot work);
//! other references stay in the text as written (`&nbsp;`: the engine's repair decodes the
//! HTML ones). Nesting is bounded (`MAX_DEPTH`); attributes are read without quick-xml's
//! duplicate check, which is quadratic in their count. Everything is linear in the input.

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::engine::Error;

/// Deepest element nesting read; news markup needs a few dozen levels at most.
pub const MAX_DEPTH: usize = 256;

/// 1-based line and column (in characters) of a byte offset of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The error of `format` at byte `offset` of `text`.
pub fn malformed_at(format: &str, text: &str, offset: usize, what: &str) -> Error {
    let (line, col) = line_col(text, offset);
    Error::Malformed {
        format: format.to_string(),
        what: format!("line {line}, column {col}: {what}"),
    }
}

/// One element: its local name (namespace prefix dropped), attributes and content.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    /// Qualified names as written (`xml:lang`, `qcode`) and unescaped values.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Child>,
    /// Whether a block element (`BLOCKS`) stands anywhere below: set once when the element
    /// closes, so the body walk never scans a subtree twice.
    pub holds_blocks: bool,
}

#[derive(Debug)]
pub enum Child {
    Element(Node),
    Text(String),
}

impl Node {
    /// An attribute by qualified or local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name || k.rsplit(':').next() == Some(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Child::Element(n) => Some(n),
            Child::Text(_) => None,
        })
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.elements().find(|n| n.name == name)
    }

    pub fn children_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Node> {
        self.elements().filter(move |n| n.name == name)
    }

    /// The first element named `name` anywhere below (depth first).
    pub fn find(&self, name: &str) -> Option<&Node> {
        self.elements().find_map(|n| {
            if n.name == name {
                Some(n)
            } else {
                n.find(name)
            }
        })
    }

    /// The text of the element and its descendants, white space collapsed; `<br>` counts as a
    /// space.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        collapse(&out)
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Element(n) if n.name == "br" => out.push(' '),
                Child::Element(n) => n.collect_text(out),
            }
        }
    }

    /// The language the element declares (`xml:lang`, else `lang`).
    pub fn lang(&self) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == "xml:lang")
            .or_else(|| self.attrs.iter().find(|(k, _)| k == "lang"))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Collapses runs of white space to one space and trims.
pub fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Reads `text` into its root element. `format` names the format in errors.
pub fn parse(format: &str, text: &str) -> Result<Node, Error> {
    let mut reader = Reader::from_str(text);
    // Offsets below are in bytes of `text` (the reader works on the same slice).
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;
    // Open elements with the offset of their `<` (for "never closed").
    let mut stack: Vec<(Node, usize)> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(before);
                return Err(malformed_at(format, text, at, &e.to_string()));
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed_at(
                        format,
                        text,
                        tag_offset(text, before),
                        &format!(
                            "elements nest deeper than {MAX_DEPTH} levels: flatten the markup"
                        ),
                    ));
                }
                if root.is_some() && stack.is_empty() {
                    // Content after the root element: not part of the document.
                    break;
                }
                stack.push((element(&start), tag_offset(text, before)));
            }
            Event::End(_) => {
                let Some((mut node, _)) = stack.pop() else {
                    break;
                };
                let holds = node
                    .elements()
                    .any(|c| c.holds_blocks || BLOCKS.contains(&c.name.as_str()));
                node.holds_blocks = holds;
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(Child::Element(node)),
                    None => root = Some(node),
                }
            }
            Event::Empty(start) => {
                // Not reached with `expand_empty_elements`; kept for completeness.
                let node = element(&start);
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(Child::Element(node)),
                    None if root.is_none() => root = Some(node),
                    None => break,
                }
            }
            Event::Text(t) => {
                let s = t
                    .decode()
                    .map_err(|e| malformed_at(format, text, before, &e.to_string()))?;
                push_text(&mut stack, &s);
            }
            Event::CData(t) => {
                let s = t
                    .decode()
                    .map_err(|e| malformed_at(format, text, before, &e.to_string()))?;
                push_text(&mut stack, &s);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r
                            .decode()
                            .map_err(|e| malformed_at(format, text, before, &e.to_string()))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            // Kept as written: HTML entities are decoded by the engine's
                            // repair; nothing is expanded from a DTD.
                            None => format!("&{name};"),
                        }
                    }
                    Err(e) => return Err(malformed_at(format, text, before, &e.to_string())),
                };
                push_text(&mut stack, &resolved);
            }
            Event::DocType(d) => {
                let body = d.decode().unwrap_or_default();
                if body.contains("<!ENTITY") {
                    return Err(malformed_at(
                        format,
                        text,
                        tag_offset(text, before),
                        "the DOCTYPE declares entities, which copydesk never expands: send the \
                         document without the DOCTYPE's internal subset",
                    ));
                }
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some((node, at)) = stack.last() {
        return Err(malformed_at(
            format,
            text,
            *at,
            &format!("<{}> is never closed", node.name),
        ));
    }
    root.ok_or_else(|| Error::Malformed {
        format: format.to_string(),
        what: "no root element: the document holds no markup".to_string(),
    })
}

/// The offset of the `<` that opens the markup read from `from` on (the reader's position
/// before an event may stand before white space).
fn tag_offset(text: &str, from: usize) -> usize {
    text.get(from..)
        .and_then(|rest| rest.find('<'))
        .map_or(from, |i| from + i)
}

fn push_text(stack: &mut [(Node, usize)], s: &str) {
    let Some((node, _)) = stack.last_mut() else {
        return;
    };
    if let Some(Child::Text(t)) = node.children.last_mut() {
        t.push_str(s);
    } else {
        node.children.push(Child::Text(s.to_string()));
    }
}

fn element(start: &BytesStart) -> Node {
    let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    let mut iter = start.attributes();
    // quick-xml's duplicate check compares each attribute with all before it.
    iter.with_checks(false);
    for attr in iter.flatten() {
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = match attr.unescape_value() {
            Ok(v) => v.into_owned(),
            Err(_) => String::from_utf8_lossy(&attr.value).into_owned(),
        };
        attrs.push((key, value));
    }
    Node {
        name: local,
        attrs,
        children: Vec::new(),
        holds_blocks: false,
    }
}

/// A piece of body the walk found.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Paragraph(String),
    Subheading(String),
    Image { caption: String, credit: String },
}

/// Walks an NITF `body.content` or an XHTML `body` (or any container of them) into pieces.
pub fn body_pieces(node: &Node, out: &mut Vec<Piece>) {
    // Inline text and inline elements directly in a container make one paragraph.
    let mut inline = String::new();
    for child in &node.children {
        match child {
            Child::Text(t) => inline.push_str(t),
            Child::Element(n) => match n.name.as_str() {
                "p" | "li" | "dd" | "dt" | "tagline" | "pre" | "caption" | "tr" | "bq"
                    if !has_blocks(n) =>
                {
                    flush(&mut inline, out);
                    push(out, Piece::Paragraph(row_text(n)));
                }
                "hl1" | "hl2" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                    flush(&mut inline, out);
                    push(out, Piece::Subheading(n.text()));
                }
                "media" => {
                    flush(&mut inline, out);
                    media(n, out);
                }
                "figure" | "img" => {
                    flush(&mut inline, out);
                    figure(n, out);
                }
                // Not copy: scripts, styles and the NITF notes to editors.
                "script" | "style" | "ed-msg" | "note" | "object" => {}
                "br" => inline.push('\n'),
                _ if has_blocks(n) => {
                    flush(&mut inline, out);
                    body_pieces(n, out);
                }
                _ => {
                    let mut s = String::new();
                    n.collect_text(&mut s);
                    inline.push_str(&s);
                    inline.push(' ');
                }
            },
        }
    }
    flush(&mut inline, out);
}

/// A table row's cells separated by tabs' worth of space; any other element's text.
fn row_text(n: &Node) -> String {
    if n.name == "tr" {
        let cells: Vec<String> = n.elements().map(Node::text).collect();
        return cells.join(" | ");
    }
    n.text()
}

/// Elements that make their container a container of blocks (walked, not read as one
/// paragraph).
const BLOCKS: [&str; 25] = [
    "p",
    "hl1",
    "hl2",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "block",
    "div",
    "section",
    "media",
    "figure",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "tbody",
    "blockquote",
    "bq",
    "dl",
    "dt",
    "dd",
];

/// Whether an element holds block elements (then it is walked, not read as one paragraph).
fn has_blocks(n: &Node) -> bool {
    n.holds_blocks
}

fn flush(inline: &mut String, out: &mut Vec<Piece>) {
    for part in inline.split('\n') {
        push(out, Piece::Paragraph(collapse(part)));
    }
    inline.clear();
}

fn push(out: &mut Vec<Piece>, piece: Piece) {
    match &piece {
        Piece::Paragraph(t) | Piece::Subheading(t) if t.is_empty() => {}
        _ => out.push(piece),
    }
}

/// NITF `<media>`: the caption and the producer (the credit).
fn media(n: &Node, out: &mut Vec<Piece>) {
    let caption = n
        .children_named("media-caption")
        .map(Node::text)
        .collect::<Vec<_>>()
        .join(" ");
    let credit = n
        .children_named("media-producer")
        .map(Node::text)
        .collect::<Vec<_>>()
        .join(" ");
    if !caption.is_empty() || !credit.is_empty() {
        out.push(Piece::Image { caption, credit });
    }
}

/// XHTML `<figure>` (figcaption; an `<img alt>` where there is none) or a lone `<img>`.
fn figure(n: &Node, out: &mut Vec<Piece>) {
    let caption = n
        .find("figcaption")
        .map(Node::text)
        .filter(|c| !c.is_empty())
        .or_else(|| {
            let img = if n.name == "img" {
                Some(n)
            } else {
                n.find("img")
            };
            img.and_then(|i| i.attr("alt")).map(collapse)
        })
        .unwrap_or_default();
    let credit = n
        .find("cite")
        .or_else(|| n.find("small"))
        .map(Node::text)
        .unwrap_or_default();
    if !caption.is_empty() || !credit.is_empty() {
        out.push(Piece::Image { caption, credit });
    }
}

/// What the copy is made of, in the order a desk writes it.
#[derive(Debug, Default)]
pub struct Copy {
    pub headline: String,
    pub byline: String,
    /// The dateline as the format gives it apart from the copy.
    pub dateline: String,
    pub pieces: Vec<Piece>,
}

impl Copy {
    /// The plain copy: headline, byline, the body with the dateline opening its first
    /// paragraph (unless the paragraph already opens with it), blocks separated by blank
    /// lines; a picture is its caption line with its credit line below.
    pub fn text(&self) -> String {
        let mut blocks: Vec<String> = Vec::new();
        if !self.headline.is_empty() {
            blocks.push(self.headline.clone());
        }
        if !self.byline.is_empty() {
            blocks.push(self.byline.clone());
        }
        let mut dateline = self.dateline.trim().to_string();
        for piece in &self.pieces {
            match piece {
                Piece::Paragraph(p) => {
                    if dateline.is_empty() || starts_with_dateline(p, &dateline) {
                        blocks.push(p.clone());
                    } else if dateline.ends_with(['.', ':', '-', '\u{2013}', '\u{2014}']) {
                        // Closed already ("PARIS, 2 déc.", "ROMA -"): the sentence follows.
                        blocks.push(format!("{dateline} {p}"));
                    } else {
                        blocks.push(format!("{dateline} - {p}"));
                    }
                    dateline.clear();
                }
                Piece::Subheading(s) => blocks.push(s.clone()),
                // Caption and credit lines, where the engine reads pictures in any copy.
                // A bracketed credit stays on the caption's line, as agencies write it
                // ("… im Hafen (AFP)").
                Piece::Image { caption, credit } => {
                    let sep = if credit.starts_with('(') { " " } else { "\n" };
                    let lines: Vec<&str> = [caption.as_str(), credit.as_str()]
                        .into_iter()
                        .filter(|l| !l.is_empty())
                        .collect();
                    blocks.push(lines.join(sep));
                }
            }
        }
        blocks.join("\n\n")
    }
}

/// Whether a paragraph already opens with (the place of) the dateline.
fn starts_with_dateline(paragraph: &str, dateline: &str) -> bool {
    let place: String = dateline
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == ' ' || *c == '-' || *c == '.')
        .collect();
    let place = place.trim();
    let head: String = paragraph.chars().take(place.chars().count()).collect();
    !place.is_empty() && head.to_lowercase() == place.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_col("ab\ncä d", 6), (2, 3));
        assert_eq!(line_col("x", 0), (1, 1));
    }

    #[test]
    fn a_tree_with_entities_and_namespaces() {
        let root = parse(
            "NITF",
            "<?xml version=\"1.0\"?><g:a xmlns:g=\"u\" xml:lang=\"de\"><b k=\"1&amp;2\">x &amp; y&#x20AC;&nbsp;<br/>z</b><![CDATA[<c>]]></g:a>",
        )
        .unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.lang(), Some("de"));
        let b = root.child("b").unwrap();
        assert_eq!(b.attr("k"), Some("1&2"));
        assert_eq!(b.text(), "x & y€&nbsp; z");
        assert_eq!(root.text(), "x & y€&nbsp; z<c>");
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("NITF", "<a>\n  <b>\n</a>").unwrap_err().to_string();
        assert!(e.contains("NITF") && e.contains("line 3"), "{e}");
        let e = parse("NITF", "<a>\n  <b>text").unwrap_err().to_string();
        assert!(e.contains("line 2, column 3") && e.contains("<b>"), "{e}");
        let deep = "<a>".repeat(100_000);
        let e = parse("NITF", &deep).unwrap_err().to_string();
        assert!(e.contains("256") && e.contains("column 769"), "{e}");
        let lol = "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;\">]><x>&b;</x>";
        let e = parse("NITF", lol).unwrap_err().to_string();
        assert!(e.contains("DOCTYPE") && e.contains("column 1"), "{e}");
        let e = parse("NITF", "{\"a\": 1}").unwrap_err().to_string();
        assert!(e.contains("no root element"), "{e}");
    }

    #[test]
    fn bodies_walk_into_pieces() {
        let root = parse(
            "NITF",
            "<body.content><p>One <em>two</em></p><hl2>Sub</hl2><block><p>Three</p>\
             <media><media-caption>Cap</media-caption><media-producer>Photo: X/dpa</media-producer></media></block>\
             <ul><li>Four</li></ul></body.content>",
        )
        .unwrap();
        let mut pieces = Vec::new();
        body_pieces(&root, &mut pieces);
        assert_eq!(
            pieces,
            vec![
                Piece::Paragraph("One two".into()),
                Piece::Subheading("Sub".into()),
                Piece::Paragraph("Three".into()),
                Piece::Image {
                    caption: "Cap".into(),
                    credit: "Photo: X/dpa".into()
                },
                Piece::Paragraph("Four".into()),
            ]
        );
    }
}
