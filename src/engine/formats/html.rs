//! The HTML front end: a page as a browser parses it (html5ever, through scraper) becomes
//! the copy (headline first, then the article's blocks) and what the page states about the
//! item (JSON-LD, Open Graph and `article:*` meta, `<html lang>`, the canonical URL).
//!
//! The article is found as a reader view finds it: every paragraph-like block of text with
//! few links scores for the element holding it (fully) and the one above (half); the best
//! scoring element (or an element up to `CLIMB_LEVELS` above it that holds much more prose:
//! pages wrap every few paragraphs in a column of their own), with its siblings that score
//! alike, is the article. Elements whose class or id names page furniture (nav, footer,
//! related, comments, share, ad, newsletter, ...) and `nav`/`aside`/`footer`/`header` are
//! left out before scoring, as are scripts, styles, forms controls and hidden elements. Page
//! furniture outside the article is not copy: it is dropped, not listed in `removed` (the
//! engine lists what it removes from the copy).
//! Figures become pictures (caption and credit), never body.
//!
//! The walk is `ego_tree`'s `traverse` (no recursion); text below `MAX_DEPTH` nested
//! elements is not read. Work is linear in the size of the page.

use std::borrow::Cow;
use std::collections::HashMap;

use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::node::Element;
use scraper::{Html, Node};
use serde_json::Value;

use super::nitf::push_unique;
use super::xml::collapse;
use super::{Carried, Front};
use crate::engine::Error;
use crate::engine::article::{Byline, Credit, Image};

/// Elements nested deeper than this are not read (their text is left out).
pub const MAX_DEPTH: usize = 1000;

/// Elements whose content is never copy.
const SKIPPED: [&str; 22] = [
    "script", "style", "template", "noscript", "svg", "iframe", "object", "embed", "canvas",
    "input", "select", "textarea", "button", "option", "datalist", "head", "title", "video",
    "audio", "map", "dialog", "math",
];

/// Elements that hold blocks or are blocks: text on either side of them is another block. A
/// table row is one block: its cells (`td`, `th`) are words apart, so that a row of a results
/// or data table reads as one line ("3 Kevin Harvick 5033 4 6"), while blocks inside a cell (a
/// layout table's paragraphs) stay blocks of their own.
const BLOCKS: [&str; 36] = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "tr",
    "tbody",
    "thead",
    "figure",
    "figcaption",
    "header",
    "footer",
    "nav",
    "aside",
    "body",
    "address",
    "hr",
    "form",
    "center",
    "fieldset",
    "details",
];

/// Class and id tokens of page furniture.
const FURNITURE: [&str; 50] = [
    "nav",
    "navbar",
    "navigation",
    "menu",
    "footer",
    "header",
    "masthead",
    "sidebar",
    "aside",
    "related",
    "recommended",
    "recommendations",
    "recommend",
    "comment",
    "comments",
    "disqus",
    "share",
    "sharing",
    "social",
    "promo",
    "ad",
    "ads",
    "advert",
    "advertisement",
    "adslot",
    "newsletter",
    "subscribe",
    "subscription",
    "cookie",
    "cookies",
    "consent",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "popup",
    "modal",
    "banner",
    "sponsor",
    "sponsored",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "pagination",
    "pager",
    "toolbar",
    "skip",
    "signup",
    "paywall",
    "more",
];

/// Class and id tokens that name the article itself: they keep an element that also names
/// furniture ("article-header" holds the headline, "comment-body" the comment's text alike).
const ARTICLE: [&str; 11] = [
    "article",
    "articlebody",
    "column",
    "story",
    "content",
    "entry",
    "post",
    "body",
    "main",
    "text",
    "prose",
];

/// JSON-LD types of an article.
const ARTICLE_TYPES: [&str; 8] = [
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BlogPosting",
    "Report",
    "LiveBlogPosting",
];

/// Reads a HTML document into the copy and what it carries.
pub fn read(text: &str) -> Result<Front<'static>, Error> {
    let page = Html::parse_document(text);
    let mut walk = Walk::default();
    walk.run(&page);
    let Walk {
        blocks,
        ranges,
        figures,
        meta,
        h1,
        byline,
        ..
    } = walk;
    let chosen = choose(&page, &blocks, &ranges);
    let mut carried = Carried::default();
    let headline = meta.apply(&mut carried, h1.as_deref());
    let mut copy = Vec::new();
    if !headline.is_empty() {
        copy.push(headline.clone());
    }
    // A block of the chosen article that is copy there (no furniture around it inside the
    // article, not a list of links).
    let in_card = cards(&page, &blocks, &ranges);
    let in_article =
        |i: usize, b: &Block| !in_card[i] && chosen.holds(i).is_some_and(|depth| b.keep(depth));
    let body: Vec<&str> = blocks
        .iter()
        .enumerate()
        .filter(|&(i, b)| in_article(i, b) && b.text != headline)
        .map(|(_, b)| b.text.as_str())
        .collect();
    // The byline the page marks, where the article's blocks leave it out: below the
    // headline, where the engine reads bylines.
    let byline = byline.map(|b| collapse(&b)).filter(|b| {
        !b.is_empty() && b.chars().count() <= 120 && !body.iter().any(|t| t.contains(b.as_str()))
    });
    copy.extend(byline);
    // A row of a table of several rows is data, however short.
    let mut rows: HashMap<Option<NodeId>, usize> = HashMap::new();
    for b in blocks.iter().filter(|b| b.kind == Kind::Row) {
        *rows.entry(b.parents[0]).or_default() += 1;
    }
    let long_enough = |b: &Block| {
        b.chars() >= PROSE_MIN_CHARS
            || b.kind == Kind::Row
                && rows
                    .get(&b.parents[0])
                    .is_some_and(|&n| n >= TABLE_MIN_ROWS)
    };
    // Paragraphs, list items and table rows of the chosen article with hardly a link: the
    // page's own prose.
    carried.prose = blocks
        .iter()
        .enumerate()
        .filter(|&(i, b)| {
            in_article(i, b)
                && matches!(b.kind, Kind::Paragraph | Kind::Item | Kind::Row)
                && b.link_density() < PROSE_MAX_LINK_DENSITY
                && long_enough(b)
        })
        .flat_map(|(_, b)| {
            // A paragraph of lines (`<br>`) may reach the engine as units of a line each:
            // each line of it is the page's prose too.
            let lines = b.text.contains('\n').then(|| {
                b.text
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.chars().count() >= PROSE_MIN_CHARS)
                    .map(str::to_string)
            });
            std::iter::once(b.text.clone()).chain(lines.into_iter().flatten())
        })
        .collect();
    // Headings inside the chosen article with hardly a link: its subheadings.
    carried.headings = blocks
        .iter()
        .enumerate()
        .filter(|&(i, b)| {
            in_article(i, b)
                && b.kind == Kind::Heading
                && b.text != headline
                && b.link_density() < PROSE_MAX_LINK_DENSITY
                && !b.text.contains('\n')
        })
        .map(|(_, b)| b.text.clone())
        .collect();
    copy.extend(body.into_iter().map(str::to_string));
    carried.images = figures
        .into_iter()
        .filter(|f| chosen.contains(f.at) || chosen.contains(f.at.saturating_sub(1)))
        .map(|f| f.image)
        .collect();
    if copy.is_empty() {
        return Err(Error::Malformed {
            format: "HTML".to_string(),
            what: "it holds no copy: no headline and no text outside scripts, styles, \
                   navigation and hidden elements"
                .to_string(),
        });
    }
    Ok(Front {
        text: Cow::Owned(copy.join("\n\n")),
        carried,
    })
}

/// A paragraph or list item of the article counts as the page's prose (`Carried::prose`) from this length
/// and below this share of linked characters: shorter ones or link lists may be furniture the
/// walk did not recognise, so the engine weighs those as any copy.
const PROSE_MIN_CHARS: usize = 20;
/// A list item opening with a link of this many characters or more is a teaser card
/// (`Block::is_teaser`).
const TEASER_LINK_CHARS: usize = 30;
/// A list item with this many characters outside its links is a summary of its own
/// (`Block::is_linked_summary`).
const SUMMARY_MIN_CHARS: usize = 60;
/// A table of this many rows holds data (results, standings, figures): its rows count as
/// prose at any length.
const TABLE_MIN_ROWS: usize = 3;
const PROSE_MAX_LINK_DENSITY: f64 = 0.1;

/// What a block is, by the element that holds its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Heading,
    Paragraph,
    Item,
    /// A table row.
    Row,
    Other,
}

/// A block of text as the page shows it.
#[derive(Debug)]
struct Block {
    text: String,
    /// Characters of the text inside links.
    link_chars: usize,
    /// Characters of the link the block opens with (0: it opens with plain text).
    lead_link_chars: usize,
    kind: Kind,
    /// The element holding the block's element, and the one above it: what the block
    /// scores for.
    parents: [Option<NodeId>; 2],
    /// Depth (1-based) of the innermost page furniture around the block, 0: none.
    furniture: usize,
    /// Depth (1-based) of the block's element.
    depth: usize,
}

impl Block {
    fn chars(&self) -> usize {
        self.text.chars().count()
    }

    fn link_density(&self) -> f64 {
        self.link_chars as f64 / self.chars().max(1) as f64
    }

    /// Prose: long enough, few links, no page furniture close around it (a class such as
    /// "page-ad-margins" far above may wrap the whole page).
    fn is_prose(&self) -> bool {
        (self.furniture == 0 || self.furniture + 4 <= self.depth)
            && matches!(
                self.kind,
                Kind::Paragraph | Kind::Other | Kind::Item | Kind::Row
            )
            && self.chars() >= 25
            && self.link_density() < 0.34
            && !self.is_teaser()
    }

    /// A list item that links a headline and then says more in a sentence or two of its own
    /// (a news digest's item): copy inside the article, however much of it is linked.
    fn is_linked_summary(&self) -> bool {
        self.chars().saturating_sub(self.link_chars) >= SUMMARY_MIN_CHARS
            && self.link_density() < 0.7
    }

    /// A teaser card: a list item that opens with a link of a headline's length (the other
    /// story's title) followed by text of its own (its summary). A run of them is a list of
    /// other stories, however long their summaries.
    fn is_teaser(&self) -> bool {
        self.kind == Kind::Item
            && self.lead_link_chars >= TEASER_LINK_CHARS
            && self.lead_link_chars < self.chars()
    }

    /// What a prose block scores for the elements above it: its length (capped, so that one
    /// long block does not outweigh an article) less its linked share.
    fn prose_score(&self) -> f64 {
        (self.chars().min(1200) as f64) * (1.0 - self.link_density())
    }

    /// Copy once it is in the article whose element is at depth `article`: no furniture
    /// inside the article around it, not a list of links.
    fn keep(&self, article: usize) -> bool {
        self.furniture <= article
            && match self.kind {
                Kind::Heading => self.link_density() < 0.5,
                Kind::Item => self.link_density() < 0.4 || self.is_linked_summary(),
                Kind::Paragraph | Kind::Other | Kind::Row => self.link_density() < 0.5,
            }
    }
}

/// A picture in the page, `at` the number of blocks before it.
struct Figure {
    at: usize,
    image: Image,
}

/// The blocks of the article: ranges of block indexes, each with the depth of its element.
struct Chosen(Vec<(usize, usize, usize)>);

impl Chosen {
    /// The depth of the article's element holding block `i`.
    fn holds(&self, i: usize) -> Option<usize> {
        self.0
            .iter()
            .find(|&&(a, b, _)| a <= i && i < b)
            .map(|&(_, _, depth)| depth)
    }

    fn contains(&self, i: usize) -> bool {
        self.holds(i).is_some()
    }
}

/// An open element of the walk.
struct Frame {
    id: NodeId,
    block: bool,
    /// Index into `blocks` when the element opened.
    start: usize,
    skip: bool,
    /// Depth (1-based) of the innermost furniture element around or at this one, 0: none.
    furniture: usize,
    link: bool,
    /// Inside a figure: text goes to its caption or credit.
    figure: bool,
    credit: bool,
    /// What a block of this element is (block elements).
    kind: Kind,
    pre: bool,
}

#[derive(Default)]
struct Walk {
    stack: Vec<Frame>,
    blocks: Vec<Block>,
    /// Block-index range and depth (1-based) of every element that holds blocks.
    ranges: HashMap<NodeId, (usize, usize, usize)>,
    /// The block being gathered.
    text: String,
    link_chars: usize,
    /// Characters of the link the block being gathered opens with, until plain text comes.
    lead_link_chars: usize,
    /// Plain (unlinked) text came in the block being gathered.
    plain: bool,
    space: bool,
    /// The figure being gathered: caption, credit, the first image's alt text.
    caption: String,
    credit: String,
    alt: String,
    figures: Vec<Figure>,
    h1: Option<String>,
    h1_text: Option<String>,
    /// The first element marked as the byline (class or id "byline", "author", rel or
    /// itemprop author): its text, and the depth it opened at while it is being read.
    byline: Option<String>,
    byline_at: Option<usize>,
    meta: Meta,
    /// Elements opened below `MAX_DEPTH`, not read.
    too_deep: usize,
}

impl Walk {
    fn run(&mut self, page: &Html) {
        for edge in page.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => {
                        if self.too_deep > 0 || self.stack.len() >= MAX_DEPTH {
                            self.too_deep += 1;
                            continue;
                        }
                        self.open(node.id(), e, node);
                    }
                    Node::Text(t) if self.too_deep == 0 => self.push_text(t),
                    _ => {}
                },
                Edge::Close(node) => {
                    if node.value().is_element() {
                        if self.too_deep > 0 {
                            self.too_deep -= 1;
                            continue;
                        }
                        self.close(node.value().as_element());
                    }
                }
            }
        }
        self.flush();
    }

    fn open(&mut self, id: NodeId, e: &Element, node: ego_tree::NodeRef<'_, Node>) {
        let name = e.name();
        let (p_skip, p_furniture, p_figure, p_link, p_credit, p_pre) = self
            .stack
            .last()
            .map_or((false, 0, false, false, false, false), |f| {
                (f.skip, f.furniture, f.figure, f.link, f.credit, f.pre)
            });
        match name {
            "meta" => self.meta.meta(e),
            "link" => self.meta.link(e),
            "html" => {
                if let Some(lang) = e.attr("lang").or_else(|| e.attr("xml:lang")) {
                    self.meta.lang = lang.trim().to_string();
                }
            }
            "title" if self.meta.title.is_empty() => self.meta.title = own_text(node),
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                self.meta.json_ld(&own_text(node));
            }
            "time" => {
                if self.meta.time.is_empty()
                    && let Some(dt) = e.attr("datetime")
                {
                    self.meta.time = dt.trim().to_string();
                }
            }
            _ => {}
        }
        let attrs = Attrs::of(e);
        let block = BLOCKS.contains(&name);
        let in_paragraph = || {
            self.stack
                .iter()
                .rev()
                .find(|f| f.block)
                .is_some_and(|f| f.kind == Kind::Paragraph)
        };
        let skip = p_skip
            || SKIPPED.contains(&name)
            || hidden(&attrs)
            || !block && in_paragraph() && is_hover_card(node);
        if matches!(name, "td" | "th") {
            self.space = true;
        }
        if block || name == "br" {
            if name == "br" {
                self.line_break();
            } else {
                self.flush();
            }
        }
        let furniture = if !skip && is_furniture(name, &attrs) {
            self.stack.len() + 1
        } else {
            p_furniture
        };
        let opens_figure = !p_figure && (name == "figure" || is_caption_box(&attrs, node));
        let figure = p_figure || opens_figure;
        if opens_figure {
            self.flush();
            self.caption.clear();
            self.credit.clear();
            self.alt.clear();
        }
        if name == "img"
            && (figure || !p_link)
            && self.alt.is_empty()
            && let Some(alt) = e.attr("alt")
        {
            self.alt = collapse(alt);
        }
        let credit = p_credit
            || (figure
                && (matches!(name, "cite" | "small")
                    || attrs.tokens().any(|t| {
                        is_one_of(
                            t,
                            &[
                                "credit",
                                "credits",
                                "copyright",
                                "photographer",
                                "source",
                                "byline",
                                "author",
                            ],
                        )
                    })));
        if self.byline.is_none() && self.byline_at.is_none() && !skip && is_byline(&attrs) {
            self.byline_at = Some(self.stack.len());
            self.byline = Some(String::new());
        }
        let kind = match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
            "li" | "dt" | "dd" => Kind::Item,
            "p" | "blockquote" | "pre" => Kind::Paragraph,
            "tr" => Kind::Row,
            _ => Kind::Other,
        };
        if name == "h1" && self.h1.is_none() && !skip && self.h1_text.is_none() {
            self.h1_text = Some(String::new());
        }
        self.stack.push(Frame {
            id,
            block,
            start: self.blocks.len(),
            skip,
            furniture,
            link: p_link || name == "a",
            figure,
            credit,
            kind,
            pre: name == "pre" || p_pre,
        });
    }

    fn close(&mut self, e: Option<&Element>) {
        let name = e.map_or("", |e| e.name());
        if BLOCKS.contains(&name) {
            self.flush();
        }
        if name == "h1"
            && let Some(h) = self.h1_text.take()
        {
            let h = collapse(&h);
            if h.is_empty() {
                self.h1_text = None;
            } else {
                self.h1 = Some(h);
            }
        }
        if self.stack.last().is_some_and(|f| f.figure)
            && !self.stack.iter().rev().skip(1).any(|f| f.figure)
        {
            let skipped = self.stack.last().is_some_and(|f| f.skip);
            let caption = collapse(&self.caption);
            let credit = collapse(&self.credit);
            let caption = if caption.is_empty() {
                std::mem::take(&mut self.alt)
            } else {
                caption
            };
            if !skipped && (!caption.is_empty() || !credit.is_empty()) {
                self.figures.push(Figure {
                    at: self.blocks.len(),
                    image: Image {
                        caption,
                        credit: Credit {
                            raw: credit,
                            ..Credit::default()
                        },
                    },
                });
            }
            self.caption.clear();
            self.credit.clear();
            self.alt.clear();
        }
        if self.byline_at == Some(self.stack.len().saturating_sub(1)) {
            self.byline_at = None;
        }
        if let Some(frame) = self.stack.pop()
            && frame.block
            && self.blocks.len() > frame.start
        {
            let depth = self.stack.len() + 1;
            self.ranges
                .insert(frame.id, (frame.start, self.blocks.len(), depth));
        }
    }

    fn push_text(&mut self, t: &str) {
        let Some(top) = self.stack.last() else {
            return;
        };
        if top.skip {
            return;
        }
        if let Some(h) = self.h1_text.as_mut() {
            h.push_str(t);
        }
        if self.byline_at.is_some()
            && let Some(b) = self.byline.as_mut()
            && b.len() < 400
        {
            b.push_str(t);
            b.push(' ');
        }
        if top.figure {
            if top.credit {
                self.credit.push_str(t);
                self.credit.push(' ');
            } else {
                self.caption.push_str(t);
            }
            return;
        }
        let (link, pre) = (top.link, top.pre);
        let before = self.text.len();
        for c in t.chars() {
            if c == '\n' && pre {
                self.line_break();
            } else if c.is_whitespace() {
                self.space = true;
            } else {
                if self.space && !self.text.is_empty() && !self.text.ends_with('\n') {
                    self.text.push(' ');
                }
                self.space = false;
                self.text.push(c);
            }
        }
        let added = self.text[before..].chars().count();
        if link {
            self.link_chars += added;
            if !self.plain {
                self.lead_link_chars += added;
            }
        } else if added > 0 {
            self.plain = true;
        }
    }

    fn line_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.space = false;
    }

    /// Ends the block being gathered; its element is the innermost open block element.
    fn flush(&mut self) {
        self.space = false;
        let text = self.text.trim();
        let lead_link_chars = std::mem::take(&mut self.lead_link_chars);
        self.plain = false;
        if text.is_empty() {
            self.text.clear();
            self.link_chars = 0;
            return;
        }
        let text = text.to_string();
        self.text.clear();
        let link_chars = std::mem::take(&mut self.link_chars);
        let Some(at) = self.stack.iter().rposition(|f| f.block) else {
            return;
        };
        let top = &self.stack[at];
        if top.skip {
            return;
        }
        let mut holders = self.stack[..at]
            .iter()
            .rev()
            .filter(|f| f.block)
            .map(|f| f.id);
        self.blocks.push(Block {
            text,
            link_chars,
            lead_link_chars,
            kind: top.kind,
            parents: [holders.next(), holders.next()],
            furniture: top.furniture,
            depth: at + 1,
        });
    }
}

/// The text directly inside an element (a script's or a title's).
fn own_text(node: ego_tree::NodeRef<'_, Node>) -> String {
    node.children()
        .filter_map(|c| c.value().as_text().map(|t| &**t))
        .collect()
}

/// A figure not marked up as one: an element whose class or id says caption
/// (WordPress's `wp-caption`, `image-caption`, ...) around a picture and a short text.
fn is_caption_box(attrs: &Attrs, node: ego_tree::NodeRef<'_, Node>) -> bool {
    if !attrs.tokens().any(|t| t.eq_ignore_ascii_case("caption")) {
        return false;
    }
    let mut picture = false;
    let mut text = 0;
    // A caption box is small: past this many nodes the element is no caption box (and the
    // check stays linear however deep such elements nest).
    for (seen, d) in node.descendants().enumerate() {
        if seen >= CAPTION_MAX_NODES {
            return false;
        }
        match d.value() {
            Node::Element(e) if e.name() == "img" => picture = true,
            Node::Text(t) => {
                text += t.len();
                if text > CAPTION_MAX_BYTES {
                    return false;
                }
            }
            _ => {}
        }
    }
    picture
}

/// A caption box holds at most this much text (a caption, not a section of the article).
const CAPTION_MAX_BYTES: usize = 600;
/// A caption box holds at most this many nodes.
const CAPTION_MAX_NODES: usize = 64;

/// The attributes the walk reads of every element, found in one pass over them
/// (`Element::attr` makes an atom of the name it is given and searches, at every call).
#[derive(Default)]
struct Attrs<'e> {
    class: Option<&'e str>,
    id: Option<&'e str>,
    itemprop: Option<&'e str>,
    role: Option<&'e str>,
    rel: Option<&'e str>,
    hidden: bool,
    aria_hidden: Option<&'e str>,
    style: Option<&'e str>,
}

impl<'e> Attrs<'e> {
    fn of(e: &'e Element) -> Attrs<'e> {
        let mut a = Attrs::default();
        for (name, value) in &e.attrs {
            // What `Element::attr` finds: attributes without a prefix or a namespace.
            if name.prefix.is_some() || !name.ns.is_empty() {
                continue;
            }
            let value = Some(&**value);
            match &*name.local {
                "class" => a.class = value,
                "id" => a.id = value,
                "itemprop" => a.itemprop = value,
                "role" => a.role = value,
                "rel" => a.rel = value,
                "hidden" => a.hidden = true,
                "aria-hidden" => a.aria_hidden = value,
                "style" => a.style = value,
                _ => {}
            }
        }
        a
    }

    /// The element's class and id tokens (ASCII letters and digits; compared without case).
    fn tokens(&self) -> impl Iterator<Item = &'e str> + use<'e> {
        self.class
            .into_iter()
            .chain(self.id)
            .flat_map(|v| v.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|t| !t.is_empty() && t.len() <= 40)
    }
}

/// Whether `token` (ASCII) is one of `words` (lower case), whatever its case.
fn is_one_of(token: &str, words: &[&str]) -> bool {
    words.iter().any(|w| token.eq_ignore_ascii_case(w))
}

/// Page furniture by its element or its class and id, unless they also name the article.
fn is_furniture(name: &str, e: &Attrs) -> bool {
    if matches!(name, "html" | "body" | "article" | "main") {
        return false;
    }
    if matches!(name, "nav" | "aside" | "footer" | "header") {
        return true;
    }
    if e.itemprop.is_some_and(|p| p.contains("articleBody")) {
        return false;
    }
    if matches!(
        e.role,
        Some("navigation" | "banner" | "contentinfo" | "complementary")
    ) {
        return true;
    }
    let mut furniture = false;
    for t in e.tokens() {
        if is_one_of(t, &ARTICLE) {
            return false;
        }
        furniture |= is_one_of(t, &FURNITURE);
    }
    furniture
}

/// An element that holds the byline.
fn is_byline(e: &Attrs) -> bool {
    e.rel.is_some_and(|r| r.eq_ignore_ascii_case("author"))
        || e.itemprop.is_some_and(|p| p == "author")
        || e.tokens()
            .any(|t| is_one_of(t, &["byline", "byl", "author", "autor", "auteur"]))
}

/// A card shown on hover inside a paragraph (a person's or a topic's picture and links to
/// their stories, hidden by the page's style sheet): an inline element that opens with a
/// picture and holds two or more links that make most of its text. Its words are not the
/// paragraph's.
fn is_hover_card(node: ego_tree::NodeRef<'_, Node>) -> bool {
    let mut opened_with_picture = None;
    let (mut links, mut in_link, mut text, mut linked) = (0usize, 0usize, 0usize, 0usize);
    // A card is small: past this many nodes the element is no card (and the check stays
    // linear in the page however deep inline elements nest).
    for edge in node.traverse().take(HOVER_CARD_MAX_NODES * 2) {
        match edge {
            Edge::Open(d) => match d.value() {
                Node::Element(e) if e.name() == "img" => {
                    opened_with_picture.get_or_insert(true);
                }
                Node::Element(e) if e.name() == "a" => {
                    links += 1;
                    in_link += 1;
                }
                Node::Text(t) if !t.trim().is_empty() => {
                    if !*opened_with_picture.get_or_insert(false) {
                        return false;
                    }
                    let n = t.trim().chars().count();
                    text += n;
                    if in_link > 0 {
                        linked += n;
                    }
                }
                _ => {}
            },
            Edge::Close(d) => {
                if d.value().as_element().is_some_and(|e| e.name() == "a") {
                    in_link = in_link.saturating_sub(1);
                }
                if d.id() == node.id() {
                    return opened_with_picture == Some(true) && links >= 2 && linked * 2 >= text;
                }
            }
        }
    }
    false
}

/// The most nodes a hover card holds (`is_hover_card`).
const HOVER_CARD_MAX_NODES: usize = 64;

/// `hidden`, `aria-hidden="true"` or an inline style that hides the element.
fn hidden(e: &Attrs) -> bool {
    e.hidden
        || e.aria_hidden.is_some_and(|v| v.trim() == "true")
        || e.style.is_some_and(|s| {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// The article: the element whose prose scores best, with its siblings that score alike and
/// the paragraphs beside it. With no prose at all, every block that is no furniture.
fn choose(
    page: &Html,
    blocks: &[Block],
    ranges: &HashMap<NodeId, (usize, usize, usize)>,
) -> Chosen {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    for b in blocks.iter().filter(|b| b.is_prose()) {
        let score = b.prose_score();
        if let Some(p) = b.parents[0] {
            *scores.entry(p).or_default() += score;
        }
        // A post's prose counts for the post, not for what holds it: the element around a
        // run of post summaries (each an `<article>`) is a listing, not an article.
        let in_post = b.parents[0]
            .and_then(|p| page.tree.get(p))
            .and_then(|n| n.value().as_element())
            .is_some_and(|e| e.name() == "article");
        if let Some(g) = b.parents[1].filter(|_| !in_post) {
            *scores.entry(g).or_default() += score / 2.0;
        }
    }
    let best = scores
        .iter()
        .filter(|(id, _)| ranges.contains_key(id))
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(id, s)| (*id, *s));
    let Some((best, top)) = best.filter(|&(_, s)| s >= 100.0) else {
        return Chosen(vec![(0, blocks.len(), 0)]);
    };
    let prefix = prose_prefix(blocks);
    let prose = |id: NodeId| ranges.get(&id).map(|r| prefix[r.1] - prefix[r.0]);
    let first = best;
    let others = OtherPosts::around(page, first);
    let best = climb(page, &prose, &others, best);
    let mut chosen = Vec::new();
    let node = page.tree.get(best);
    let element = |id: NodeId| page.tree.get(id).and_then(|n| n.value().as_element());
    let class = |id: NodeId| {
        element(id)
            .and_then(|e| e.attr("class"))
            .map(str::to_string)
    };
    let best_class = class(best).filter(|c| !c.is_empty());
    let siblings = node
        .and_then(|n| n.parent())
        .map(|p| p.children().collect::<Vec<_>>())
        .unwrap_or_default();
    let best_at = siblings.iter().position(|s| s.id() == best);
    for (at, sib) in siblings.iter().enumerate() {
        let id = sib.id();
        let Some(&range) = ranges.get(&id) else {
            // A paragraph right inside the parent: its range is its own block.
            continue;
        };
        let score = scores.get(&id).copied().unwrap_or(0.0);
        let alike = best_class.is_some() && class(id) == best_class && score > 0.0;
        // Another post beside the article's own (a related or a listed one) is no part of it.
        if !alike && others.holds(id) {
            continue;
        }
        // A paragraph of its own beside the article counts when it is long and has few links;
        // above the article's text, so does a box of text alone (a summary, a standfirst:
        // `<div class="summary">text</div>` over `<div class="text"><p>…`).
        let above = best_at.is_some_and(|b| at < b);
        let paragraph = range.1 - range.0 == 1
            && (blocks[range.0].kind == Kind::Paragraph
                || above && blocks[range.0].kind == Kind::Other)
            && blocks[range.0].chars() >= 80
            && blocks[range.0].link_density() < 0.25;
        if id == best || score >= (top * 0.2).max(40.0) || alike || paragraph {
            chosen.push(range);
        }
    }
    if chosen.is_empty()
        && let Some(&range) = ranges.get(&best)
    {
        chosen.push(range);
    }
    // The other parts of an article cut apart by figures or wrappers: elsewhere on the page,
    // elements of the best scoring element's own kind and class that hold prose.
    if let Some(part) = element(first)
        && let Some(part_class) = part.attr("class").filter(|c| !c.trim().is_empty())
    {
        // A part holds a share of the article, not one line of it (a standfirst, a teaser
        // in the same style).
        let part_min = prose(first).unwrap_or(0.0) * PART_SHARE;
        let mut parts: Vec<(usize, usize, usize)> = ranges
            .iter()
            .filter(|&(&id, _)| {
                element(id)
                    .is_some_and(|e| e.name() == part.name() && e.attr("class") == Some(part_class))
                    && prose(id).is_some_and(|p| p >= part_min)
            })
            .map(|(_, &r)| r)
            .filter(|r| {
                blocks[r.0..r.1].iter().all(|b| b.furniture == 0)
                    && !chosen.iter().any(|c| c.0 < r.1 && r.0 < c.1)
            })
            .collect();
        // In document order, an outer part before the inner ones it holds (same start, later
        // end): the outer one is kept, the inner ones it holds are dropped.
        parts.sort_unstable_by_key(|r| (r.0, std::cmp::Reverse(r.1)));
        let mut last_end = 0;
        parts.retain(|r| {
            let keep = r.0 >= last_end;
            last_end = last_end.max(r.1);
            keep
        });
        chosen.extend(parts);
        chosen.sort_unstable();
    }
    Chosen(chosen)
}

/// Which blocks are in a card: one of a run of three or more sibling elements of one tag and
/// class, each a picture, a linked title and a little text (a grid of related or popular
/// stories). However well its summary reads, a card shows another page.
fn cards(
    page: &Html,
    blocks: &[Block],
    ranges: &HashMap<NodeId, (usize, usize, usize)>,
) -> Vec<bool> {
    let mut in_card = vec![false; blocks.len()];
    let mut seen = std::collections::HashSet::new();
    // Elements shaped like a card, by their parent, tag and class: a run is three or more
    // of them under one parent.
    let mut runs: HashMap<CardKey<'_>, Vec<(usize, usize)>> = HashMap::new();
    for id in blocks.iter().flat_map(|b| b.parents.iter().flatten()) {
        if !seen.insert(*id) {
            continue;
        }
        let Some(&(start, end, _)) = ranges.get(id) else {
            continue;
        };
        let held = &blocks[start..end];
        if held.is_empty()
            || held.len() > CARD_MAX_BLOCKS
            || held.iter().map(Block::chars).sum::<usize>() > CARD_MAX_CHARS
            || !held.iter().any(|b| b.link_density() >= 0.9)
        {
            continue;
        }
        let Some(node) = page.tree.get(*id) else {
            continue;
        };
        let Some(e) = node.value().as_element() else {
            continue;
        };
        let Some(class) = e.attr("class").filter(|c| !c.trim().is_empty()) else {
            continue;
        };
        let Some(parent) = node.parent() else {
            continue;
        };
        // A card is small: the picture is among its first nodes.
        let picture = node
            .descendants()
            .take(CARD_MAX_NODES)
            .any(|d| d.value().as_element().is_some_and(|e| e.name() == "img"));
        if picture {
            runs.entry((parent.id(), e.name(), class))
                .or_default()
                .push((start, end));
        }
    }
    for run in runs.values().filter(|r| r.len() >= CARD_RUN) {
        for &(start, end) in run {
            in_card[start..end].iter_mut().for_each(|c| *c = true);
        }
    }
    in_card
}

/// Cards of one run: their parent, tag and class.
type CardKey<'a> = (NodeId, &'a str, &'a str);

/// A card holds at most this many blocks and characters, and comes in runs of this many.
const CARD_MAX_BLOCKS: usize = 4;
const CARD_MAX_CHARS: usize = 300;
const CARD_RUN: usize = 3;
/// The nodes of a card looked through for its picture.
const CARD_MAX_NODES: usize = 256;

/// Another element of the best scoring element's kind and class is a part of the article
/// when it holds this share of that element's prose.
const PART_SHARE: f64 = 0.2;

/// How many elements above the best scoring one the article may begin.
const CLIMB_LEVELS: usize = 4;
/// An element above holds the article when it holds this many times the prose.
const CLIMB_GAIN: f64 = 1.5;

/// The article's element: `best`, or an element a few levels above it that holds much more
/// prose. Pages wrap each paragraph or each few paragraphs in an element of their own (a
/// column beside a pull quote, a section per scroll), so the best scoring element may hold a
/// part of the article only.
fn climb(
    page: &Html,
    prose: &impl Fn(NodeId) -> Option<f64>,
    others: &OtherPosts,
    best: NodeId,
) -> NodeId {
    let Some(mut held) = prose(best) else {
        return best;
    };
    let mut chosen = best;
    let mut up = page.tree.get(best).and_then(|n| n.parent());
    for _ in 0..CLIMB_LEVELS {
        let Some(node) = up else { break };
        if node
            .value()
            .as_element()
            .is_none_or(|e| matches!(e.name(), "body" | "html"))
        {
            break;
        }
        // Above the article's own `<article>`, an element that holds other posts holds a
        // listing or related posts: the article is not above it.
        if others.holds(node.id()) {
            break;
        }
        if let Some(p) = prose(node.id())
            && p >= held * CLIMB_GAIN
        {
            chosen = node.id();
            held = p;
        }
        up = node.parent();
    }
    chosen
}

/// The `<article>` elements of a page other than the one the best scoring element is in (and
/// those it holds or that hold it): other posts, when the page marks its posts as articles (a
/// related or "you may like" run of post summaries, a listing, comments in `<article>`s).
/// Empty when the best scoring element is in no `<article>`: the page does not mark its posts.
struct OtherPosts {
    /// Every other post and every element that holds one.
    holding: std::collections::HashSet<NodeId>,
}

impl OtherPosts {
    fn around(page: &Html, best: NodeId) -> OtherPosts {
        let mut holding = std::collections::HashSet::new();
        let is_article = |n: &ego_tree::NodeRef<'_, Node>| {
            n.value()
                .as_element()
                .is_some_and(|e| e.name() == "article")
        };
        let Some(own) = page
            .tree
            .get(best)
            .and_then(|n| std::iter::once(n).chain(n.ancestors()).find(is_article))
        else {
            return OtherPosts { holding };
        };
        let own_id = own.id();
        let holding_own: std::collections::HashSet<NodeId> =
            own.ancestors().map(|a| a.id()).collect();
        // Elements known to be inside the article's own.
        let mut inside = std::collections::HashSet::new();
        for post in page.tree.nodes().filter(is_article) {
            if post.id() == own_id || holding_own.contains(&post.id()) {
                continue;
            }
            // An article inside the article's own is a part of it (an embedded post). The
            // walk up stops at an element already known to hold a post, so each element is
            // visited once (linear in the page).
            let mut path = Vec::new();
            let mut inside_own = false;
            for n in std::iter::once(post).chain(post.ancestors()) {
                if n.id() == own_id || inside.contains(&n.id()) {
                    inside_own = true;
                    break;
                }
                if holding.contains(&n.id()) {
                    break;
                }
                path.push(n.id());
            }
            if inside_own {
                inside.extend(path);
            } else {
                holding.extend(path);
            }
        }
        OtherPosts { holding }
    }

    /// Whether `node` is or holds another post.
    fn holds(&self, node: NodeId) -> bool {
        self.holding.contains(&node)
    }
}

/// Running sums of the blocks' prose scores: the prose an element holds is the difference at
/// the ends of its range of blocks.
fn prose_prefix(blocks: &[Block]) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(blocks.len() + 1);
    let mut sum = 0.0;
    prefix.push(sum);
    for b in blocks {
        if b.is_prose() {
            sum += b.prose_score();
        }
        prefix.push(sum);
    }
    prefix
}

/// What the page states about the item.
#[derive(Default, Debug)]
struct Meta {
    lang: String,
    title: String,
    time: String,
    /// `meta` name or property → content, the first of each.
    tags: Vec<(String, String)>,
    canonical: String,
    ld: LinkedData,
}

/// The article object of the page's JSON-LD.
#[derive(Default, Debug)]
struct LinkedData {
    found: bool,
    headline: String,
    authors: Vec<String>,
    published: String,
    modified: String,
    section: String,
    publisher: String,
    language: String,
    url: String,
    description: String,
    keywords: Vec<String>,
}

impl Meta {
    fn meta(&mut self, e: &Element) {
        let Some(key) = e
            .attr("property")
            .or_else(|| e.attr("name"))
            .or_else(|| e.attr("itemprop"))
            .or_else(|| e.attr("http-equiv"))
        else {
            return;
        };
        let Some(content) = e.attr("content").map(collapse).filter(|c| !c.is_empty()) else {
            return;
        };
        let key = key.trim().to_ascii_lowercase();
        // Repeated keys are kept for tags and authors only; the first of any other counts.
        let repeated = key == "article:tag" || key == "article:author";
        if (repeated || !self.tags.iter().any(|(k, _)| *k == key)) && self.tags.len() < 256 {
            self.tags.push((key, content));
        }
    }

    fn link(&mut self, e: &Element) {
        let canonical = e.attr("rel").is_some_and(|r| {
            r.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        });
        if canonical
            && self.canonical.is_empty()
            && let Some(href) = e.attr("href")
        {
            self.canonical = href.trim().to_string();
        }
    }

    fn tag(&self, key: &str) -> &str {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn json_ld(&mut self, json: &str) {
        if self.ld.found {
            return;
        }
        let Ok(value) = serde_json::from_str::<Value>(json.trim()) else {
            return;
        };
        // An article at the top, in an array, or in an @graph: breadth first, bounded.
        let mut queue = vec![&value];
        let mut seen = 0;
        while let Some(v) = queue.pop() {
            seen += 1;
            if seen > 512 {
                return;
            }
            match v {
                Value::Array(items) => queue.extend(items.iter().rev()),
                Value::Object(o) => {
                    if is_article(o.get("@type")) {
                        self.ld = linked_data(o);
                        return;
                    }
                    if let Some(g) = o.get("@graph") {
                        queue.push(g);
                    }
                }
                _ => {}
            }
        }
    }

    /// Fills what the page carries in; returns the headline for the copy.
    fn apply(self, carried: &mut Carried, h1: Option<&str>) -> String {
        let m = &mut carried.metadata;
        let ld = &self.ld;
        let first = |vals: &[&str]| {
            vals.iter()
                .map(|v| v.trim())
                .find(|v| !v.is_empty())
                .unwrap_or("")
                .to_string()
        };
        m.first_created = first(&[
            &ld.published,
            self.tag("article:published_time"),
            self.tag("datepublished"),
            self.tag("date"),
            &self.time,
        ]);
        m.version_created = first(&[
            &ld.modified,
            self.tag("article:modified_time"),
            self.tag("og:updated_time"),
            self.tag("datemodified"),
        ]);
        m.section = first(&[&ld.section, self.tag("article:section")]);
        m.publisher = first(&[&ld.publisher, self.tag("og:site_name")]);
        m.uri = first(&[&self.canonical, self.tag("og:url"), &ld.url]);
        m.summary = first(&[
            &ld.description,
            self.tag("description"),
            self.tag("og:description"),
        ]);
        for k in &ld.keywords {
            push_unique(&mut m.keywords, k);
        }
        for key in ["news_keywords", "keywords"] {
            for k in self.tag(key).split(',') {
                push_unique(&mut m.keywords, k);
            }
        }
        for (_, t) in self.tags.iter().filter(|(k, _)| k == "article:tag") {
            push_unique(&mut m.keywords, t);
        }
        m.keywords.truncate(64);
        let lang = first(&[
            &self.lang,
            &ld.language,
            self.tag("og:locale"),
            self.tag("content-language"),
        ]);
        carried.language = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut authors = ld.authors.clone();
        if authors.is_empty() {
            for (k, v) in &self.tags {
                if (k == "author" || k == "article:author") && !v.starts_with("http") {
                    push_unique(&mut authors, v);
                }
            }
        }
        if !authors.is_empty() {
            carried.byline = Some(Byline {
                raw: authors.join(", "),
                authors,
                agencies: Vec::new(),
            });
        }
        let site_title = first(&[self.tag("og:title"), self.tag("twitter:title"), &self.title]);
        let headline = match h1 {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => first(&[&ld.headline, &site_title]),
        };
        carried.headline = headline.clone();
        headline
    }
}

fn is_article(t: Option<&Value>) -> bool {
    match t {
        Some(Value::String(s)) => ARTICLE_TYPES.contains(&s.as_str()),
        Some(Value::Array(a)) => a.iter().any(|t| is_article(Some(t))),
        _ => false,
    }
}

fn linked_data(o: &serde_json::Map<String, Value>) -> LinkedData {
    let s = |key: &str| match o.get(key) {
        Some(Value::String(s)) => collapse(s),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .next()
            .map(collapse)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let mut authors = Vec::new();
    let list = match o.get("author").or_else(|| o.get("creator")) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for a in list.into_iter().take(32) {
        match a {
            Value::String(name) => push_unique(&mut authors, name),
            Value::Object(p) => {
                if let Some(name) = p.get("name").and_then(Value::as_str) {
                    push_unique(&mut authors, name);
                }
            }
            _ => {}
        }
    }
    let mut keywords = Vec::new();
    match o.get("keywords") {
        Some(Value::String(k)) => k.split(',').for_each(|k| push_unique(&mut keywords, k)),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .for_each(|k| push_unique(&mut keywords, k)),
        _ => {}
    }
    let publisher = match o.get("publisher") {
        Some(Value::Object(p)) => p
            .get("name")
            .and_then(Value::as_str)
            .map(collapse)
            .unwrap_or_default(),
        Some(Value::String(p)) => collapse(p),
        _ => String::new(),
    };
    let url = match o.get("mainEntityOfPage") {
        Some(Value::String(u)) => u.trim().to_string(),
        Some(Value::Object(p)) => p
            .get("@id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string(),
        _ => s("url"),
    };
    LinkedData {
        found: true,
        headline: s("headline"),
        authors,
        published: s("datePublished"),
        modified: s("dateModified"),
        section: s("articleSection"),
        publisher,
        language: s("inLanguage"),
        url,
        description: s("description"),
        keywords,
    }
}
