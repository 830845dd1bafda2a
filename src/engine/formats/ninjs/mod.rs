//! The IPTC ninjs front end (1.x–3.x) and the ninjs 3.1 writer (`write`).
//!
//! Where things go: the main headline (`headline` of 1.x, `headlines[]` with role main or
//! none of 2.x/3.x) is the headline; a headline with role kicker the kicker, one with role
//! sub/subheadline/subtitle the subheadline; `by` (1.x `byline`, or `bylines[]`) is the byline
//! and `located` the dateline's place (a description with role dateline the dateline as
//! written), both in `Carried`: they fill what the copy leaves empty, the byline read for its
//! authors and agencies as any byline (the body's own dateline or signature wins); the body is the HTML body where there is one (`bodies[]`
//! with an HTML content type, 1.x `body_html`: its blocks, `h1`–`h6` subheadings and figures,
//! see `markup`), else the plain one (`body_text`, `bodies[]`), blank lines apart. Pictures —
//! body figures and `associations` of type picture or graphic — go to `Carried::images`
//! (caption from `description_text`, `descriptions[]` or the headline; credit from `by`),
//! `infosources` to `Carried::agencies`. The rest is metadata. Both the 2.x spelling
//! (`versioncreated`, `copyrightnotice`) and the 3.x one (`versionCreated`,
//! `copyrightNotice`) are read.
//!
//! Errors name a JSON pointer to the first wrong value ("/headlines/0/value: expected a
//! string, found a number").

mod markup;
pub mod write;

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::xml::{Copy, Piece, collapse};
use super::{Carried, Front};
use crate::engine::Error;
use crate::engine::article::{Byline, Credit, Dateline, Image};

pub use write::{to_ninjs, to_ninjs_string};

pub const FORMAT: &str = "ninjs";

/// Keys that only a ninjs document has together: `uri` (required in every version) or a
/// headline with a body.
pub fn looks_like_ninjs(text: &str) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let has = |k: &str| map.contains_key(k);
    (has("uri")
        && (has("headline")
            || has("headlines")
            || has("body_text")
            || has("bodies")
            || has("body_html")
            || has("type")))
        || ((has("headline") || has("headlines"))
            && (has("body_text") || has("body_html") || has("bodies")))
}

fn malformed(what: String) -> Error {
    Error::Malformed {
        format: FORMAT.to_string(),
        what,
    }
}

/// What a JSON value is, for error messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A key as a JSON pointer token (RFC 6901).
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// An object of the document with its JSON pointer, owned.
type Located<'a> = (String, &'a Map<String, Value>);

/// An object of the document and its JSON pointer.
#[derive(Clone, Copy)]
struct Obj<'a, 'p> {
    map: &'a Map<String, Value>,
    at: &'p str,
}

impl<'a> Obj<'a, '_> {
    /// The first of `keys` present and not null, with its name.
    fn get(&self, keys: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        keys.iter()
            .find_map(|k| self.map.get(*k).filter(|v| !v.is_null()).map(|v| (*k, v)))
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> Error {
        malformed(format!(
            "{}/{}: expected {expected}, found {}",
            self.at,
            token(key),
            kind(found)
        ))
    }

    /// A string under the first of `keys` present; trimmed, empty as none.
    fn str(&self, keys: &[&'static str]) -> Result<Option<&'a str>, Error> {
        match self.get(keys) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
            Some((k, v)) => Err(self.wrong(k, "a string", v)),
        }
    }

    fn string(&self, keys: &[&'static str]) -> Result<String, Error> {
        Ok(self.str(keys)?.map(collapse).unwrap_or_default())
    }

    /// The objects of an array under the first of `keys` present, each with its pointer. A
    /// 1.x map of named objects (`associations: {"featureimage": {…}}`) counts as well.
    fn objects(&self, keys: &[&'static str]) -> Result<Vec<Located<'a>>, Error> {
        let Some((key, value)) = self.get(keys) else {
            return Ok(Vec::new());
        };
        let base = format!("{}/{}", self.at, token(key));
        let items: Vec<(String, &Value)> = match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{base}/{i}"), v))
                .collect(),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (format!("{base}/{}", token(k)), v))
                .collect(),
            v => return Err(self.wrong(key, "an array", v)),
        };
        items
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(at, v)| match v {
                Value::Object(map) => Ok((at, map)),
                v => Err(malformed(format!(
                    "{at}: expected an object, found {}",
                    kind(v)
                ))),
            })
            .collect()
    }

    /// Names from an array of strings or of objects (`name`, else the first of `ids`).
    fn names(
        &self,
        keys: &[&'static str],
        name_first: bool,
        out: &mut Vec<String>,
    ) -> Result<(), Error> {
        let Some((key, value)) = self.get(keys) else {
            return Ok(());
        };
        let Value::Array(items) = value else {
            return Err(self.wrong(key, "an array", value));
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{}/{}/{i}", self.at, token(key));
            let name = match item {
                Value::Null => continue,
                Value::String(s) => collapse(s),
                Value::Object(map) => {
                    let o = Obj { map, at: &at };
                    if o.str(&["rel"])? == Some("keyword") {
                        // Keywords written as subjects (ninjs 3.x has no keywords field).
                        continue;
                    }
                    let id = o.str(&["uri", "literal", "code", "qcode"])?;
                    let name = o.str(&["name"])?;
                    let pick = if name_first { name.or(id) } else { id.or(name) };
                    pick.map(collapse).unwrap_or_default()
                }
                v => {
                    return Err(malformed(format!(
                        "{at}: expected a string or an object, found {}",
                        kind(v)
                    )));
                }
            };
            super::nitf::push_unique(out, &name);
        }
        Ok(())
    }

    /// The items of `subjects` written as keywords (`rel: keyword`).
    fn keyword_subjects(&self, out: &mut Vec<String>) -> Result<(), Error> {
        for (at, map) in self.objects(&["subjects", "subject"])? {
            let o = Obj { map, at: &at };
            if o.str(&["rel"])? == Some("keyword")
                && let Some(name) = o.str(&["name", "literal"])?
            {
                super::nitf::push_unique(out, name);
            }
        }
        Ok(())
    }
}

/// The value of a headline, body or description object, as text (markup taken out where its
/// content type says HTML) or as markup.
struct Text<'a> {
    role: String,
    html: bool,
    value: &'a str,
}

/// The `{role, contenttype, value}` objects of an array (headlines, bodies, descriptions).
fn texts<'a>(o: &Obj<'a, '_>, keys: &[&'static str]) -> Result<Vec<Text<'a>>, Error> {
    let mut out = Vec::new();
    for (at, map) in o.objects(keys)? {
        let item = Obj { map, at: &at };
        let Some(value) = item.str(&["value"])? else {
            continue;
        };
        let content_type = item
            .str(&["contentType", "contenttype"])?
            .unwrap_or("")
            .to_ascii_lowercase();
        let html =
            content_type.contains("html") || (content_type.is_empty() && value.starts_with('<'));
        out.push(Text {
            role: item.str(&["role"])?.unwrap_or("").to_ascii_lowercase(),
            html,
            value,
        });
    }
    Ok(out)
}

fn plain(t: &Text<'_>) -> String {
    if t.html {
        markup::inline_text(t.value)
    } else {
        collapse(t.value)
    }
}

/// Roles of the main headline or body: none, or one of these.
fn is_main(role: &str) -> bool {
    role.is_empty() || role == "main" || role.ends_with("/main") || role.ends_with(":main")
}

fn role_is(role: &str, names: &[&str]) -> bool {
    let last = role.rsplit(['/', ':']).next().unwrap_or(role);
    names.contains(&last)
}

/// Reads a ninjs document into the copy and what it carries.
pub fn read(text: &str) -> Result<Front<'static>, Error> {
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| malformed(format!("it is not JSON ({e}): send one ninjs JSON object")))?;
    let Value::Object(map) = &value else {
        return Err(malformed(format!(
            "the document is {}, not a ninjs object",
            kind(&value)
        )));
    };
    let root = Obj { map, at: "" };
    let mut carried = Carried::default();
    let mut copy = Copy::default();

    read_headlines(&root, &mut copy, &mut carried)?;
    read_byline(&root, &mut carried)?;
    read_dateline(&root, &mut carried)?;
    let figures = read_body(&root, &mut copy)?;
    for f in figures {
        push_image(&mut carried.images, f.caption, f.credit);
    }
    read_associations(&root, &mut carried)?;
    read_metadata(&root, &mut carried)?;

    let text = copy.text();
    if text.trim().is_empty() {
        return Err(malformed(
            "it holds no copy: no headline, headlines, body_text, body_html or bodies with text"
                .to_string(),
        ));
    }
    Ok(Front {
        text: Cow::Owned(text),
        carried,
    })
}

fn read_headlines(root: &Obj<'_, '_>, copy: &mut Copy, carried: &mut Carried) -> Result<(), Error> {
    let headlines = texts(root, &["headlines"])?;
    let main = headlines
        .iter()
        .find(|h| is_main(&h.role))
        .or_else(|| {
            headlines
                .iter()
                .find(|h| !role_is(&h.role, &KICKER) && !role_is(&h.role, &SUB))
        })
        .map(plain);
    copy.headline = match main {
        Some(h) => h,
        None => root.string(&["headline"])?,
    };
    carried.headline = copy.headline.clone();
    if let Some(k) = headlines.iter().find(|h| role_is(&h.role, &KICKER)) {
        carried.kicker = plain(k);
    }
    let subs: Vec<String> = headlines
        .iter()
        .filter(|h| role_is(&h.role, &SUB))
        .map(plain)
        .filter(|s| !s.is_empty())
        .collect();
    carried.metadata.subheadline = subs.join(" ");
    Ok(())
}

const KICKER: [&str; 4] = ["kicker", "overline", "pretitle", "dachzeile"];
const SUB: [&str; 5] = ["sub", "subheadline", "subtitle", "subhead", "deck"];

/// `located` is the dateline's place; a description with role dateline (what copydesk writes)
/// the dateline as written. A dateline in the body's first paragraph is the engine's to find.
fn read_dateline(root: &Obj<'_, '_>, carried: &mut Carried) -> Result<(), Error> {
    let place = root.string(&["located"])?;
    let raw = texts(root, &["descriptions"])?
        .iter()
        .find(|d| role_is(&d.role, &["dateline"]))
        .map(plain)
        .unwrap_or_else(|| place.clone());
    if !raw.is_empty() {
        carried.dateline = Some(Dateline {
            place,
            date: String::new(),
            agencies: Vec::new(),
            raw,
        });
    }
    Ok(())
}

/// The byline statement goes to `Carried` as written, with the `people` of rel author as its
/// authors; `apply` reads its agencies (and, where no people are given, its authors) as the
/// engine reads any byline.
fn read_byline(root: &Obj<'_, '_>, carried: &mut Carried) -> Result<(), Error> {
    let mut by = root.string(&["by", "byline"])?;
    if by.is_empty() {
        let mut lines = Vec::new();
        for (at, map) in root.objects(&["bylines"])? {
            let o = Obj { map, at: &at };
            if let Some(b) = o.str(&["byline", "name", "value"])? {
                lines.push(collapse(b));
            }
        }
        by = lines.join(", ");
    }
    let mut authors = Vec::new();
    for (at, map) in root.objects(&["people"])? {
        let o = Obj { map, at: &at };
        if o.str(&["rel"])?
            .is_some_and(|r| role_is(r, &["author", "creator", "writer"]))
            && let Some(name) = o.str(&["name"])?
        {
            super::nitf::push_unique(&mut authors, name);
        }
    }
    if by.is_empty() {
        by = authors.join(", ");
    }
    if !by.is_empty() {
        carried.byline = Some(Byline {
            raw: by,
            authors,
            agencies: Vec::new(),
        });
    }
    Ok(())
}

/// The body's blocks into the copy; the pictures of an HTML body returned.
fn read_body(root: &Obj<'_, '_>, copy: &mut Copy) -> Result<Vec<markup::Figure>, Error> {
    let bodies = texts(root, &["bodies"])?;
    let main: Vec<&Text<'_>> = bodies.iter().filter(|b| is_main(&b.role)).collect();
    let chosen = main
        .iter()
        .find(|b| b.html)
        .or_else(|| main.first())
        .copied()
        .or_else(|| bodies.iter().find(|b| b.html))
        .or_else(|| bodies.first());
    let (value, html) = match chosen {
        Some(b) => (Some(b.value), b.html),
        None => match root.str(&["body_html", "body_xhtml"])? {
            Some(h) => (Some(h), true),
            None => (root.str(&["body_text"])?, false),
        },
    };
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if html {
        let body = markup::body(value);
        copy.pieces.extend(body.pieces);
        Ok(body.figures)
    } else {
        copy.pieces
            .extend(paragraphs(value).into_iter().map(Piece::Paragraph));
        Ok(Vec::new())
    }
}

/// The paragraphs of a plain body: blank lines apart, or one a line where it has no blank
/// line at all (the lines of a body without blank lines are its paragraphs).
fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let split: Vec<&str> = if text.contains("\n\n") {
        text.split("\n\n").collect()
    } else {
        text.split('\n').collect()
    };
    split
        .into_iter()
        .map(collapse)
        .filter(|p| !p.is_empty())
        .collect()
}

fn push_image(images: &mut Vec<Image>, caption: String, credit: String) {
    if (caption.is_empty() && credit.is_empty()) || images.iter().any(|i| i.caption == caption) {
        return;
    }
    images.push(Image {
        caption,
        credit: Credit {
            raw: credit,
            creators: Vec::new(),
            agencies: Vec::new(),
        },
    });
}

/// Pictures and graphics among the associations (an association without a type counts when
/// it has no body of its own).
fn read_associations(root: &Obj<'_, '_>, carried: &mut Carried) -> Result<(), Error> {
    for (at, map) in root.objects(&["associations"])? {
        let a = Obj { map, at: &at };
        let picture = match a.str(&["type"])? {
            Some(t) => matches!(t, "picture" | "graphic" | "image" | "photo"),
            None => a.get(&["bodies", "body_text", "body_html"]).is_none(),
        };
        if !picture {
            continue;
        }
        let caption = match a.str(&["description_text"])? {
            Some(d) => collapse(d),
            None => {
                let descriptions = texts(&a, &["descriptions"])?;
                let d = descriptions
                    .iter()
                    .find(|d| role_is(&d.role, &["caption", "summary", ""]))
                    .or_else(|| descriptions.first());
                match d {
                    Some(d) => plain(d),
                    None => match a.str(&["description_html"])? {
                        Some(h) => markup::inline_text(h),
                        None => {
                            let hs = texts(&a, &["headlines"])?;
                            match hs.first() {
                                Some(h) => plain(h),
                                None => a.string(&["headline", "body_text"])?,
                            }
                        }
                    },
                }
            }
        };
        let credit = a.string(&["by", "byline", "copyrightholder", "copyrightHolder"])?;
        push_image(&mut carried.images, caption, credit);
    }
    Ok(())
}

fn read_metadata(root: &Obj<'_, '_>, carried: &mut Carried) -> Result<(), Error> {
    let m = &mut carried.metadata;
    carried.language = root
        .str(&["language"])?
        .and_then(|l| l.split(['-', '_']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    m.first_created = root.string(&["firstCreated", "firstcreated"])?;
    m.version_created = root.string(&["versionCreated", "versioncreated"])?;
    m.embargoed = root.string(&["embargoedUntil", "embargoed"])?;
    m.pub_status = root.string(&["pubStatus", "pubstatus"])?;
    m.copyright_notice = root.string(&["copyrightNotice", "copyrightnotice"])?;
    m.usage_terms = root.string(&["usageTerms", "usageterms"])?;
    if let Some((key, v)) = root.get(&["urgency"]) {
        let urgency = match v {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            }),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        let Some(u) = urgency else {
            return Err(root.wrong(key, "a whole number 1..9", v));
        };
        m.urgency = u.min(9) as u32;
    }
    // The uri identifies the item: its guid. A separate `guid` (some 1.x feeds) wins, and
    // the uri is then the item's address.
    let uri = root.string(&["uri"])?;
    match root.str(&["guid"])? {
        Some(guid) => {
            m.guid = collapse(guid);
            m.uri = uri;
        }
        None => m.guid = uri,
    }
    for (at, map) in root.objects(&["altIds", "altids"])? {
        let o = Obj { map, at: &at };
        let (Some(role), Some(value)) = (o.str(&["role"])?, o.str(&["value"])?) else {
            continue;
        };
        match role {
            "url" | "link" | "canonical" if m.uri.is_empty() => m.uri = collapse(value),
            "guid" if m.guid.is_empty() => m.guid = collapse(value),
            _ => {}
        }
    }
    root.names(&["keywords"], true, &mut m.keywords)?;
    root.keyword_subjects(&mut m.keywords)?;
    root.names(&["subjects", "subject"], false, &mut m.subjects)?;
    root.names(&["genres", "genre"], true, &mut m.genres)?;
    if m.summary.is_empty() {
        m.summary = match root.str(&["description_text"])? {
            Some(d) => collapse(d),
            None => texts(root, &["descriptions"])?
                .iter()
                .find(|d| role_is(&d.role, &["summary", "abstract", "teaser", "lead", ""]))
                .map(plain)
                .unwrap_or_default(),
        };
    }
    let mut agencies = Vec::new();
    root.names(&["infoSources", "infosources"], true, &mut agencies)?;
    carried.agencies = agencies;
    Ok(())
}
