//! The article as an IPTC ninjs 3.1 document (`NormalizeOptions.ninjs`, `copydesk normalize
//! --format ninjs`). Everything with a home in ninjs 3.1 goes there; the document validates
//! against `ninjs-schema_3.1.json` (tests/ninjs.rs), and the ninjs front end reads it back
//! into the same article.
//!
//! The homes: `uri` is the item's guid or source URL where it is a URI, else
//! `urn:copydesk:<fingerprint of the text>` (the other identifiers go to `altIds`);
//! `headlines` with roles main, kicker and subheadline; `bodies` twice, role main: plain text
//! (the blocks blank lines apart: the article's `text`) and HTML (`<p>`, `<h2>` for
//! subheadings, `lang` where a block is in another language, a `<figure>` per picture); the
//! dateline's place is `located`, the dateline as the copy gave it a description with role
//! dateline (ninjs has no dateline field); `by` the byline as written, its authors `people`
//! with rel author; `infoSources` the news agencies (and the publisher, role publisher);
//! `associations` the pictures (type picture, caption in `descriptions`, credit in `by`);
//! `subjects` the subjects and, with rel keyword, the keywords (3.1 has no keywords field);
//! `genres`, `urgency`, `pubStatus`, `copyrightNotice`, `usageTerms`, a description with
//! role summary. Dates go out only where they are ISO 8601 date-times with a zone (RFC 3339);
//! the basic form (`20250512T093000+0200`) is written in the extended one.

use serde_json::{Map, Value, json};

use crate::engine::article::{Article, BlockKind};
use crate::engine::assemble;

pub const VERSION: &str = "3.1";
pub const SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#";

/// The article as a ninjs 3.1 JSON string.
pub fn to_ninjs_string(article: &Article) -> String {
    to_ninjs(article).to_string()
}

/// The article as a ninjs 3.1 document.
pub fn to_ninjs(a: &Article) -> Value {
    let m = &a.metadata;
    let mut doc = Map::new();
    let fingerprint = if a.fingerprint.is_empty() {
        assemble::fingerprint(&a.text)
    } else {
        a.fingerprint.clone()
    };
    let own = format!("urn:copydesk:{fingerprint}");
    let uri = [&m.guid, &m.uri]
        .into_iter()
        .find(|u| is_uri(u))
        .cloned()
        .unwrap_or_else(|| own.clone());
    doc.insert("uri".into(), json!(uri));
    doc.insert(
        "standard".into(),
        json!({"name": "ninjs", "version": VERSION, "schema": SCHEMA}),
    );
    doc.insert("type".into(), json!("text"));
    doc.insert("representationType".into(), json!("full"));
    let mut alt_ids = Vec::new();
    for (role, id) in [
        ("guid", &m.guid),
        ("url", &m.uri),
        ("transmission", &m.transmission_id),
    ] {
        if !id.is_empty() && *id != uri {
            alt_ids.push(json!({"role": role, "value": id}));
        }
    }
    if !a.id.is_empty() {
        alt_ids.push(json!({"role": "request", "value": a.id}));
    }
    put_array(&mut doc, "altIds", alt_ids);

    for (key, date) in [
        ("firstCreated", &m.first_created),
        ("versionCreated", &m.version_created),
        ("embargoedUntil", &m.embargoed),
    ] {
        if let Some(d) = rfc3339(date) {
            doc.insert(key.into(), json!(d));
        }
    }
    if let Some(status) = pub_status(&m.pub_status) {
        doc.insert("pubStatus".into(), json!(status));
    }
    if (1..=9).contains(&m.urgency) {
        doc.insert("urgency".into(), json!(m.urgency));
    }
    put_str(&mut doc, "copyrightNotice", &m.copyright_notice);
    put_str(&mut doc, "usageTerms", &m.usage_terms);
    if !a.language.code.is_empty() && a.language.code != "und" {
        doc.insert("language".into(), json!(a.language.code));
    }

    let mut headlines = Vec::new();
    for (role, text) in [
        ("main", &a.headline),
        ("kicker", &a.kicker),
        ("subheadline", &m.subheadline),
    ] {
        if !text.is_empty() {
            headlines.push(json!({"role": role, "contentType": "text/plain", "value": text}));
        }
    }
    put_array(&mut doc, "headlines", headlines);
    let mut descriptions = Vec::new();
    if !m.summary.is_empty() {
        descriptions
            .push(json!({"role": "summary", "contentType": "text/plain", "value": m.summary}));
    }
    if let Some(d) = a.dateline.as_ref().filter(|d| !d.raw.is_empty()) {
        descriptions.push(json!({"role": "dateline", "contentType": "text/plain", "value": d.raw}));
    }
    put_array(&mut doc, "descriptions", descriptions);
    if let Some(b) = &a.byline {
        let by = if b.raw.is_empty() {
            b.authors.join(", ")
        } else {
            b.raw.clone()
        };
        put_str(&mut doc, "by", &by);
        put_array(
            &mut doc,
            "people",
            b.authors
                .iter()
                .map(|n| json!({"name": n, "rel": "author"}))
                .collect(),
        );
    }
    if let Some(d) = &a.dateline {
        let located = if d.place.is_empty() { &d.raw } else { &d.place };
        put_str(&mut doc, "located", located);
    }
    doc.insert("bodies".into(), Value::Array(bodies(a)));

    let mut sources: Vec<Value> = a.agencies.iter().map(|n| json!({"name": n})).collect();
    if !m.publisher.is_empty() {
        sources.push(json!({"name": m.publisher, "role": "publisher"}));
    }
    put_array(&mut doc, "infoSources", sources);

    let mut subjects: Vec<Value> = m.subjects.iter().map(|s| concept(s)).collect();
    subjects.extend(
        m.keywords
            .iter()
            .map(|k| json!({"name": k, "rel": "keyword"})),
    );
    put_array(&mut doc, "subjects", subjects);
    put_array(
        &mut doc,
        "genres",
        m.genres.iter().map(|g| concept(g)).collect(),
    );

    let associations = a
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let mut p = Map::new();
            p.insert("name".into(), json!(format!("picture{}", i + 1)));
            p.insert("uri".into(), json!(format!("{own}:picture:{}", i + 1)));
            p.insert("type".into(), json!("picture"));
            if !image.caption.is_empty() {
                p.insert(
                    "descriptions".into(),
                    json!([{"role": "caption", "contentType": "text/plain", "value": image.caption}]),
                );
            }
            put_str(&mut p, "by", &image.credit.raw);
            Value::Object(p)
        })
        .collect();
    put_array(&mut doc, "associations", associations);
    Value::Object(doc)
}

/// The plain and the HTML body.
fn bodies(a: &Article) -> Vec<Value> {
    let mut plain: Vec<&str> = Vec::new();
    let mut html = String::new();
    for block in &a.blocks {
        let lang = block
            .language
            .as_ref()
            .filter(|l| !l.code.is_empty())
            .map(|l| {
                format!(
                    " lang=\"{}\"",
                    html_escape::encode_double_quoted_attribute(&l.code)
                )
            })
            .unwrap_or_default();
        match block.kind {
            BlockKind::Subheading => html.push_str(&format!(
                "<h2{lang}>{}</h2>\n",
                html_escape::encode_text(&block.text)
            )),
            BlockKind::Paragraph => html.push_str(&format!(
                "<p{lang}>{}</p>\n",
                html_escape::encode_text(&block.text)
            )),
        }
        plain.push(&block.text);
    }
    for image in &a.images {
        html.push_str("<figure><figcaption>");
        html.push_str(&html_escape::encode_text(&image.caption));
        if !image.credit.raw.is_empty() {
            html.push_str(&format!(
                " <cite>{}</cite>",
                html_escape::encode_text(&image.credit.raw)
            ));
        }
        html.push_str("</figcaption></figure>\n");
    }
    let plain = plain.join("\n\n");
    vec![
        json!({
            "role": "main",
            "contentType": "text/plain",
            "charCount": plain.chars().count(),
            "wordCount": a.stats.words,
            "value": plain,
        }),
        json!({"role": "main", "contentType": "text/html", "value": html.trim_end()}),
    ]
}

fn put_str(doc: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.is_empty() {
        doc.insert(key.into(), json!(value));
    }
}

fn put_array(doc: &mut Map<String, Value>, key: &str, items: Vec<Value>) {
    if !items.is_empty() {
        doc.insert(key.into(), Value::Array(items));
    }
}

/// A subject or genre: an http(s) URI as `uri`, a code or qcode as `literal`, a phrase as
/// `name`.
fn concept(value: &str) -> Value {
    if (value.starts_with("http://") || value.starts_with("https://")) && is_uri(value) {
        json!({"uri": value})
    } else if value.contains(char::is_whitespace) {
        json!({"name": value})
    } else {
        json!({"literal": value})
    }
}

/// The ninjs publishing status for what the format gave ("stat:usable", "Usable").
fn pub_status(status: &str) -> Option<&'static str> {
    let s = status.rsplit(':').next().unwrap_or(status).trim();
    ["usable", "withheld", "canceled"].into_iter().find(|v| {
        v.eq_ignore_ascii_case(s) || (*v == "canceled" && s.eq_ignore_ascii_case("cancelled"))
    })
}

/// Whether `s` is an absolute URI (RFC 3986): a scheme, then characters a URI may hold.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let rest_ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c));
    // A percent sign must open an escape.
    let escapes_ok = rest
        .split('%')
        .skip(1)
        .all(|p| p.len() >= 2 && p.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit));
    scheme_ok && rest_ok && escapes_ok
}

/// An ISO 8601 date-time with a zone as RFC 3339 ("2025-05-12T09:30:00+02:00"); `None` for a
/// date alone, a time without a zone, or anything else.
pub fn rfc3339(date: &str) -> Option<String> {
    let d = date.trim();
    let (day, time) = d.split_once(['T', 't', ' '])?;
    let day: String = day.chars().filter(|c| *c != '-').collect();
    if day.len() != 8 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return None,
    };
    let (clock, fraction) = match clock.split_once(['.', ',']) {
        Some((c, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (c, Some(f)),
        Some(_) => return None,
        None => (clock, None),
    };
    let clock: String = clock.chars().filter(|c| *c != ':').collect();
    if !(clock.len() == 4 || clock.len() == 6) || !clock.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let zone = match zone {
        "Z" | "z" => "Z".to_string(),
        z => {
            let sign = &z[..1];
            let digits: String = z[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            format!("{sign}{}:{}", &digits[..2], &digits[2..])
        }
    };
    let num = |s: &str| s.parse::<u32>().ok();
    let (month, dom) = (num(&day[4..6])?, num(&day[6..8])?);
    let (hour, minute) = (num(&clock[..2])?, num(&clock[2..4])?);
    let second = if clock.len() == 6 {
        num(&clock[4..6])?
    } else {
        0
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&dom)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
    Some(format!(
        "{}-{month:02}-{dom:02}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}",
        &day[..4]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_go_out_in_rfc3339_or_not_at_all() {
        assert_eq!(
            rfc3339("20250512T093000+0200").as_deref(),
            Some("2025-05-12T09:30:00+02:00")
        );
        assert_eq!(
            rfc3339("2025-12-02T10:15Z").as_deref(),
            Some("2025-12-02T10:15:00Z")
        );
        assert_eq!(
            rfc3339("2025-12-02T10:15:07.250-05:00").as_deref(),
            Some("2025-12-02T10:15:07.250-05:00")
        );
        assert_eq!(rfc3339("2025-12-02"), None);
        assert_eq!(rfc3339("2025-12-02T10:15:00"), None);
        assert_eq!(rfc3339("2. Dezember 2025"), None);
        assert_eq!(rfc3339("20251302T101500Z"), None);
    }

    #[test]
    fn uris_need_a_scheme_and_uri_characters() {
        assert!(is_uri("urn:newsml:afp.com:20251202:senat-budget"));
        assert!(is_uri("https://example.org/a?b=c#d"));
        assert!(is_uri("dpa:250512-99-284617"));
        assert!(!is_uri("250512-99-284617"));
        assert!(!is_uri("urn:x:with space"));
        assert!(!is_uri("https://example.org/%zz"));
        assert!(!is_uri("1abc:def"));
    }

    #[test]
    fn statuses_take_the_ninjs_spelling() {
        assert_eq!(pub_status("stat:usable"), Some("usable"));
        assert_eq!(pub_status("Cancelled"), Some("canceled"));
        assert_eq!(pub_status("draft"), None);
    }
}
