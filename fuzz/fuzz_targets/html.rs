//! Bytes → the HTML front end → engine. The first byte picks the declared content type
//! (text/html, application/xhtml+xml, or none behind an `<html>` opening, recognised from
//! the bytes); the rest goes in as text where it is UTF-8, else as raw bytes. Any panic is a
//! bug: `normalize` answers Ok or a typed Error.
#![no_main]

use std::sync::OnceLock;

use copydesk::engine::{Error, Input};
use copydesk::{Config, Rules, normalize};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

const TYPES: &[Option<&str>] = &[Some("text/html"), Some("application/xhtml+xml"), None];

fuzz_target!(init: { rules(); }, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let content_type = TYPES[mode as usize % TYPES.len()];
    let owned;
    let rest = if content_type.is_none() {
        owned = [b"<html>".as_slice(), rest].concat();
        owned.as_slice()
    } else {
        rest
    };
    let base = match std::str::from_utf8(rest) {
        Ok(text) => Input::text(text),
        Err(_) => Input::raw(rest),
    };
    let input = Input { content_type, ..base };
    match normalize(&input, rules(), &Config::default()) {
        Ok(a) => {
            let joined: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
            assert_eq!(a.text, joined.join("\n\n"));
            // Markup never reaches the copy as text.
            for c in ['\u{0}', '\u{feff}'] {
                assert!(!a.text.contains(c), "{c:?} in the text");
                assert!(!a.headline.contains(c), "{c:?} in the headline");
            }
        }
        Err(Error::TooLarge { .. }) => unreachable!("fuzz inputs are small"),
        Err(Error::Malformed { format, what }) => {
            assert!(!format.is_empty() && !what.is_empty());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
