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
    let charset = charset.map(str::trim).filter(|c| !c.is_empty());
    let bytes = match content {
        Content::Text(t) => {
            if let Some(label) = charset {
                let encoding = known_encoding(label)?;
                notices.push(Notice::new(
                    NoticeKind::CharsetIgnored,
                    format!(
                        "charset {label:?} ignored: `text` is already Unicode; send the bytes in `raw` to have them decoded as {}",
                        encoding.name()
                    ),
                ));
            }
            return Ok(Cow::Borrowed(t.strip_prefix('\u{feff}').unwrap_or(t)));
        }
        Content::Raw(b) => b,
    };
    if let Some(kind) = infer::get(bytes).filter(|k| k.matcher_type() != infer::MatcherType::Text) {
        return Err(Error::NotText(format!(
            "{} ({}, .{})",
            describe(kind.matcher_type()),
            kind.mime_type(),
            kind.extension()
        )));
    }
    let text = decode_bytes(bytes, charset, notices)?;
    refuse_binary_text(&text, charset)?;
    Ok(text)
}

/// The encoding a label names, or the error that says why it will not be used.
fn known_encoding(label: &str) -> Result<&'static Encoding, Error> {
    let encoding = Encoding::for_label(label.as_bytes())
        .ok_or_else(|| Error::UnknownCharset(label.to_string()))?;
    if encoding == encoding_rs::REPLACEMENT {
        return Err(Error::UnsupportedCharset(label.to_string()));
    }
    Ok(encoding)
}

fn describe(kind: infer::MatcherType) -> &'static str {
    use infer::MatcherType as M;
    match kind {
        M::App => "an executable or application file",
        M::Archive => "compressed or archived data",
        M::Audio => "audio",
        M::Book => "an e-book file",
        M::Doc => "an office document",
        M::Font => "a font",
        M::Image => "an image",
        M::Video => "video",
        M::Text | M::Custom => "a binary file",
    }
}

/// Bytes in the sample that decide whether decoded bytes are text.
const SNIFF_CHARS: usize = 4096;
/// Fewer sampled characters than this are too few to call binary (a short line with a stray
/// control character is still copy).
const SNIFF_MIN_CHARS: usize = 32;
/// Above this share (percent) of control or replacement characters, decoded bytes are not text:
/// copy has next to none, random bytes in a single-byte charset some 13 %.
const SNIFF_MAX_PERCENT: usize = 5;

/// Refuses what decoded into mostly controls and replacement characters: binary data, or text
/// in a charset other than the one it was decoded with.
fn refuse_binary_text(text: &str, charset: Option<&str>) -> Result<(), Error> {
    let (mut chars, mut bad, mut nul) = (0usize, 0usize, false);
    for c in text.chars().take(SNIFF_CHARS) {
        chars += 1;
        nul |= c == '\0';
        // The transmission controls of IPTC 7901 / ANPA-1312 framing (SOH, STX, ETX, EOT,
        // SYN fill) are part of wire copy: a short bulletin holds several.
        if c == '\u{fffd}'
            || (c.is_control()
                && !matches!(
                    c,
                    '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{1}'..='\u{4}' | '\u{16}'
                ))
        {
            bad += 1;
        }
    }
    if chars < SNIFF_MIN_CHARS || bad * 100 <= chars * SNIFF_MAX_PERCENT {
        return Ok(());
    }
    let share = bad * 100 / chars;
    Err(Error::NotText(match charset {
        Some(label) => format!(
            "binary data or text in a charset other than {label:?}: {share}% of its first {chars} characters are control or replacement characters"
        ),
        None if nul => format!(
            "binary data: {share}% of its first {chars} characters are control or replacement characters, NUL among them (UTF-16 without a byte-order mark must be named: charset utf-16le or utf-16be)"
        ),
        None => format!(
            "binary data: {share}% of its first {chars} characters are control or replacement characters"
        ),
    }))
}

/// Bytes → text: a BOM, else the named charset, else UTF-8, else chardetng's guess.
fn decode_bytes<'a>(
    bytes: &'a [u8],
    charset: Option<&str>,
    notices: &mut Vec<Notice>,
) -> Result<Cow<'a, str>, Error> {
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
        let encoding = known_encoding(label)?;
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

    /// Deterministic bytes that look like nothing (xorshift), as compressed or encrypted data do.
    fn noise(n: usize) -> Vec<u8> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn refused_as(bytes: &[u8], charset: Option<&str>) -> String {
        match run(Content::Raw(bytes), charset).0 {
            Err(Error::NotText(what)) => what,
            other => panic!("expected NotText, got {other:?}"),
        }
    }

    #[test]
    fn files_of_known_binary_formats_are_refused_by_name() {
        let mut gzip = vec![0x1f, 0x8b, 0x08, 0x00];
        gzip.extend(noise(200));
        assert!(refused_as(&gzip, None).contains("application/gzip"));
        let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
        elf.extend(noise(200));
        assert!(refused_as(&elf, None).contains("executable"));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(noise(100));
        assert!(refused_as(&png, None).contains("image/png"));
        let mut pdf = b"%PDF-1.7\n".to_vec();
        pdf.extend(noise(100));
        assert!(refused_as(&pdf, Some("utf-8")).contains("application/pdf"));
        let mut zip = b"PK\x03\x04".to_vec();
        zip.extend(noise(100));
        assert!(refused_as(&zip, None).contains("compressed or archived"));
    }

    #[test]
    fn noise_is_refused_in_any_charset_it_may_be_read_in() {
        let bytes = noise(64 * 1024);
        assert!(refused_as(&bytes, None).contains("binary data"));
        for charset in ["windows-1252", "iso-8859-5", "koi8-r"] {
            let what = refused_as(&bytes, Some(charset));
            assert!(what.contains(charset), "{what}");
        }
    }

    #[test]
    fn text_in_the_wrong_charset_is_refused_not_read() {
        // UTF-16 without a byte-order mark, read as no charset: NULs everywhere.
        let utf16: Vec<u8> = "Der Stadtrat hat am Mittwoch den Bau neuer Radwege beschlossen."
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(refused_as(&utf16, None).contains("utf-16le"));
        let (r, _) = run(Content::Raw(&utf16), Some("utf-16le"));
        assert!(r.unwrap().starts_with("Der Stadtrat"));
    }

    #[test]
    fn copy_with_a_stray_control_character_is_still_copy() {
        let text = "Der Stadtrat hat am Mittwoch\u{1} den Bau neuer Radwege beschlossen. Die Arbeiten beginnen im Mai.";
        let (r, _) = run(Content::Raw(text.as_bytes()), None);
        assert_eq!(r.unwrap(), text);
        let (r, _) = run(Content::Raw(b"\x00ok\x01"), None);
        assert!(r.is_ok(), "a few bytes are too few to call binary");
        // A short ANPA bulletin: its framing is no sign of binary data.
        let flash = "\u{1}\u{16}\u{16}\u{16}a0417 f a BC-Flash 0012\r\n\u{2}^FLASH<\r\n\tMIAMI _ Storm makes landfall.\r\n\u{3}\u{4}";
        let (r, _) = run(Content::Raw(flash.as_bytes()), None);
        assert_eq!(r.unwrap(), flash);
    }

    #[test]
    fn a_replacement_label_is_refused_with_its_reason() {
        for label in ["iso-2022-kr", "hz-gb-2312", "csiso2022kr"] {
            let (r, _) = run(Content::Raw(b"abc"), Some(label));
            assert_eq!(r, Err(Error::UnsupportedCharset(label.into())));
            assert!(
                Error::UnsupportedCharset(label.into())
                    .to_string()
                    .contains("replacement")
            );
        }
    }

    #[test]
    fn a_charset_sent_with_text_is_noticed_or_refused() {
        let (r, n) = run(Content::Text("Grüße"), Some("windows-1252"));
        assert_eq!(r.unwrap(), "Grüße");
        assert_eq!(n[0].kind, NoticeKind::CharsetIgnored);
        assert!(n[0].detail.contains("raw"), "{}", n[0].detail);
        let (r, _) = run(Content::Text("Grüße"), Some("klingon-8"));
        assert_eq!(r, Err(Error::UnknownCharset("klingon-8".into())));
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
