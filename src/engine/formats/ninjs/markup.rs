//! The markup of a ninjs HTML body or headline, down to text: a small tag scanner, no
//! regular expressions on markup, no dependency on the HTML front end. Block elements end a
//! block (`p`, `div`, `li`, `br`, …), `h1`–`h6` are subheadings, `figure` becomes a picture
//! (its `figcaption` the caption, a `cite` or `small` in it the credit), `script`, `style` and
//! comments are dropped, entities decoded. The markup need not be well formed: an unclosed
//! element simply ends where the next block begins.

use super::super::xml::{Piece, collapse};

/// Elements that end the block before them and open a new one.
const BLOCKS: [&str; 27] = [
    "p",
    "div",
    "br",
    "hr",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "aside",
    "main",
    "nav",
    "table",
    "thead",
    "tbody",
    "tr",
    "address",
    "body",
    "html",
    "center",
];

/// Elements whose content is no copy.
const SKIPPED: [&str; 6] = ["script", "style", "noscript", "template", "head", "iframe"];

/// A picture of the body: caption and credit as they stood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figure {
    pub caption: String,
    pub credit: String,
}

/// What a marked-up body holds.
#[derive(Debug, Default)]
pub struct Body {
    pub pieces: Vec<Piece>,
    pub figures: Vec<Figure>,
}

/// Where the text being read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Into {
    Paragraph,
    Subheading,
    Caption,
    Credit,
}

struct Scanner {
    body: Body,
    inline: String,
    into: Into,
    /// Inside a `<figure>`: its caption and credit so far.
    figure: Option<Figure>,
}

impl Scanner {
    /// Ends the block being read.
    fn flush(&mut self) {
        let text = collapse(&html_escape::decode_html_entities(&self.inline));
        self.inline.clear();
        if text.is_empty() {
            return;
        }
        match (self.into, self.figure.as_mut()) {
            (Into::Credit, Some(f)) => push_words(&mut f.credit, &text),
            (_, Some(f)) => push_words(&mut f.caption, &text),
            (Into::Subheading, None) => self.body.pieces.push(Piece::Subheading(text)),
            (_, None) => self.body.pieces.push(Piece::Paragraph(text)),
        }
    }

    fn open(&mut self, name: &str) {
        match name {
            "figure" => {
                self.flush();
                self.end_figure();
                self.figure = Some(Figure::default());
                self.into = Into::Caption;
            }
            "figcaption" => {
                self.flush();
                self.into = Into::Caption;
            }
            "cite" | "small" if self.figure.is_some() => {
                self.flush();
                self.into = Into::Credit;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.flush();
                if self.figure.is_none() {
                    self.into = Into::Subheading;
                }
            }
            "img" if self.figure.is_none() => {}
            _ if BLOCKS.contains(&name) => {
                self.flush();
                if self.figure.is_none() {
                    self.into = Into::Paragraph;
                }
            }
            // Inline elements (a, b, em, span, …) leave a word boundary at most.
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "figure" => {
                self.flush();
                self.end_figure();
                self.into = Into::Paragraph;
            }
            "cite" | "small" if self.figure.is_some() => {
                self.flush();
                self.into = Into::Caption;
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "figcaption" => {
                self.flush();
                if self.figure.is_none() {
                    self.into = Into::Paragraph;
                }
            }
            _ if BLOCKS.contains(&name) => self.flush(),
            _ => {}
        }
    }

    fn end_figure(&mut self) {
        if let Some(f) = self.figure.take()
            && (!f.caption.is_empty() || !f.credit.is_empty())
        {
            self.body.figures.push(f);
        }
    }
}

fn push_words(to: &mut String, text: &str) {
    if !to.is_empty() {
        to.push(' ');
    }
    to.push_str(text);
}

/// Reads a marked-up body into blocks and pictures.
pub fn body(html: &str) -> Body {
    let mut s = Scanner {
        body: Body::default(),
        inline: String::new(),
        into: Into::Paragraph,
        figure: None,
    };
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        s.inline.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(tag) = Tag::read(after) else {
            // A lone `<` ("a < b") is text.
            s.inline.push('<');
            rest = after;
            continue;
        };
        rest = &after[tag.len..];
        if tag.closing {
            s.close(&tag.name);
        } else if SKIPPED.contains(&tag.name.as_str()) && !tag.self_closing {
            rest = skip_element(rest, &tag.name);
        } else {
            s.open(&tag.name);
            if tag.self_closing && tag.name != "br" && tag.name != "hr" {
                s.close(&tag.name);
            }
        }
        // A tag between two words separates them only where it is a block; inline tags
        // join ("<b>Ber</b>lin" stays one word).
    }
    s.inline.push_str(rest);
    s.flush();
    s.end_figure();
    s.body
}

/// The text of an inline piece of markup (a headline): tags out, entities decoded, one line.
pub fn inline_text(html: &str) -> String {
    let b = body(html);
    let mut parts: Vec<String> = Vec::new();
    for p in b.pieces {
        match p {
            Piece::Paragraph(t) | Piece::Subheading(t) => parts.push(t),
            Piece::Image { .. } => {}
        }
    }
    parts.join(" ")
}

/// One tag: `<name attr="…">`, `</name>`, `<name/>`, `<!DOCTYPE …>`.
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    /// Bytes from after `<` to after `>`.
    len: usize,
}

impl Tag {
    /// The tag `after` (the text after a `<`) opens, if it is one.
    fn read(after: &str) -> Option<Tag> {
        let (closing, body) = match after.strip_prefix('/') {
            Some(b) => (true, b),
            None => (false, after),
        };
        let first = body.chars().next()?;
        if !(first.is_ascii_alphabetic() || first == '!' || first == '?') {
            return None;
        }
        let name_end = body
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(body.len());
        let name = body[..name_end].to_ascii_lowercase();
        // The end of the tag: the first `>` outside a quoted attribute value.
        let mut quote: Option<char> = None;
        let mut end = None;
        for (i, c) in body[name_end..].char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '>') => {
                    end = Some(name_end + i);
                    break;
                }
                _ => {}
            }
        }
        // An unterminated tag runs to the end of the markup.
        let end = end.unwrap_or(body.len());
        let self_closing = body[..end].trim_end().ends_with('/');
        let len = usize::from(closing) + (end + 1).min(body.len());
        Some(Tag {
            name: name.trim_start_matches(['!', '?']).to_string(),
            closing,
            self_closing,
            len,
        })
    }
}

/// The markup after the end tag of a skipped element (`</script>`), or nothing if it is never
/// closed.
fn skip_element<'a>(rest: &'a str, name: &str) -> &'a str {
    let close = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    match lower.find(&close) {
        Some(at) => {
            let tail = &rest[at..];
            tail.find('>').map_or("", |gt| &tail[gt + 1..])
        }
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(b: &Body) -> Vec<String> {
        b.pieces
            .iter()
            .map(|p| match p {
                Piece::Paragraph(t) => format!("p:{t}"),
                Piece::Subheading(t) => format!("h:{t}"),
                Piece::Image { caption, .. } => format!("img:{caption}"),
            })
            .collect()
    }

    #[test]
    fn blocks_subheadings_and_entities() {
        let b = body(
            "<p>Erster <b>Ab</b>satz &amp; mehr.</p>\n<h2>Zwischen&shy;titel</h2><p>Zweiter<br>Dritter</p>\
             <script>var x = '<p>nein</p>';</script><!-- <p>auch nicht</p> --><ul><li>eins</li><li>zwei</li></ul>",
        );
        assert_eq!(
            texts(&b),
            [
                "p:Erster Absatz & mehr.",
                "h:Zwischen\u{ad}titel",
                "p:Zweiter",
                "p:Dritter",
                "p:eins",
                "p:zwei"
            ]
        );
    }

    #[test]
    fn figures_give_caption_and_credit() {
        let b = body(
            "<p>Text.</p><figure><img src=\"a.jpg\" alt=\"x > y\"/><figcaption>Ein Bus am Bergpark. <cite>Foto: M. Görtz/dpa</cite></figcaption></figure><p>Mehr.</p>",
        );
        assert_eq!(texts(&b), ["p:Text.", "p:Mehr."]);
        assert_eq!(
            b.figures,
            [Figure {
                caption: "Ein Bus am Bergpark.".into(),
                credit: "Foto: M. Görtz/dpa".into()
            }]
        );
    }

    #[test]
    fn broken_markup_is_still_text() {
        let b = body("<p>a < b and <i>c</p><p>unclosed <a href=\"x");
        assert_eq!(texts(&b), ["p:a < b and c", "p:unclosed"]);
        assert_eq!(inline_text("Die <em>Elbe</em> steigt"), "Die Elbe steigt");
        assert_eq!(texts(&body("<style>p{}</style")), Vec::<String>::new());
    }
}
