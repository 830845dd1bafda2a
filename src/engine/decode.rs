//! Stage 1: bytes → text. A BOM wins; a named charset (WHATWG label) decodes or is an error;
//! no charset → valid UTF-8 is taken as it is, anything else is detected with chardetng.

use std::borrow::Cow;

use encoding_rs::Encoding;

use super::{Content, Error, Notice, NoticeKind};

/// Decodes the document's content into text.
pub fn decode<'a>(
    content: Content<'a>,
    charset: Option<&str>,
    notices: &mut Vec<Notice>,
) -> Result<Cow<'a, str>, Error> {
    let bytes = match content {
        Content::Text(t) => return Ok(Cow::Borrowed(t.strip_prefix('\u{feff}').unwrap_or(t))),
        Content::Raw(b) => b,
    };
    let charset = charset.map(str::trim).filter(|c| !c.is_empty());
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            notices.push(Notice::new(
                NoticeKind::ReplacementCharacters,
                format!(
                    "bytes that are not {} were replaced with U+FFFD",
                    encoding.name()
                ),
            ));
        }
        return Ok(text);
    }
    if let Some(label) = charset {
        let encoding = Encoding::for_label(label.as_bytes())
            .ok_or_else(|| Error::UnknownCharset(label.to_string()))?;
        return match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
            Some(text) => Ok(Cow::Owned(text.into_owned())),
            None => Err(Error::Undecodable {
                charset: encoding.name().to_string(),
                offset: first_bad_offset(encoding, bytes),
            }),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    // A bounded sample decides: detection costs the same on 64 KB and on 16 MB.
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    detector.feed(sample, sample.len() == bytes.len());
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _, had_errors) = encoding.decode(bytes);
    notices.push(Notice::new(
        NoticeKind::CharsetDecoded,
        format!(
            "no charset named and not UTF-8: decoded as {}",
            encoding.name()
        ),
    ));
    if had_errors {
        notices.push(Notice::new(
            NoticeKind::ReplacementCharacters,
            format!(
                "bytes that are not {} were replaced with U+FFFD",
                encoding.name()
            ),
        ));
    }
    Ok(text)
}

/// Where decoding first fails, for the error message.
fn first_bad_offset(encoding: &'static Encoding, bytes: &[u8]) -> usize {
    if encoding == encoding_rs::UTF_8 {
        return std::str::from_utf8(bytes)
            .err()
            .map_or(0, |e| e.valid_up_to());
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 3 + 16);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::Malformed(bad, _) => read.saturating_sub(bad as usize),
        _ => read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(content: Content, charset: Option<&str>) -> (Result<String, Error>, Vec<Notice>) {
        let mut notices = Vec::new();
        let r = decode(content, charset, &mut notices).map(|c| c.into_owned());
        (r, notices)
    }

    #[test]
    fn text_passes_through_without_its_bom() {
        let (r, n) = run(Content::Text("\u{feff}Grüße"), None);
        assert_eq!(r.unwrap(), "Grüße");
        assert!(n.is_empty());
    }

    #[test]
    fn utf8_bytes_need_no_detection() {
        let (r, n) = run(Content::Raw("Grüße".as_bytes()), None);
        assert_eq!(r.unwrap(), "Grüße");
        assert!(n.is_empty());
    }

    #[test]
    fn windows_1252_is_detected_and_noticed() {
        let bytes = b"Der Gemeinderat hat am Montag \x84einstimmig\x93 beschlossen, die Stra\xdfe zu sanieren. Die Kosten betragen 80.000 \x80.";
        let (r, n) = run(Content::Raw(bytes), None);
        let text = r.unwrap();
        assert!(text.contains("„einstimmig“"), "{text}");
        assert!(text.contains("Straße") && text.contains('€'), "{text}");
        assert_eq!(n[0].kind, NoticeKind::CharsetDecoded);
    }

    #[test]
    fn a_named_charset_decodes() {
        let (r, _) = run(Content::Raw(b"\xa9 \xb1\xe8"), Some("iso-8859-2"));
        assert_eq!(r.unwrap(), "Š ąč");
    }

    #[test]
    fn an_unknown_charset_is_an_error() {
        let (r, _) = run(Content::Raw(b"abc"), Some("no-such-charset"));
        assert_eq!(
            r.unwrap_err(),
            Error::UnknownCharset("no-such-charset".into())
        );
    }

    #[test]
    fn bytes_that_do_not_decode_in_the_named_charset_are_an_error() {
        let (r, _) = run(Content::Raw(b"ok \xff\xfe bad"), Some("utf-8"));
        assert_eq!(
            r.unwrap_err(),
            Error::Undecodable {
                charset: "UTF-8".into(),
                offset: 3
            }
        );
    }

    #[test]
    fn a_bom_wins_over_detection() {
        let (r, _) = run(Content::Raw(b"\xef\xbb\xbfhello"), None);
        assert_eq!(r.unwrap(), "hello");
    }
}
