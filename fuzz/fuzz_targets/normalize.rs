//! Bytes → engine. The first byte picks how the rest goes in: as raw bytes (charset detection),
//! as text where it is UTF-8, or as raw bytes with a named charset. Any panic is a bug:
//! `normalize` answers Ok or a typed Error. One engine call per input (two for the determinism
//! check on one input in eight) keeps the executions per second up.
#![no_main]

use std::sync::OnceLock;

use copydesk::engine::{Error, Input};
use copydesk::{Config, Rules, normalize};
use libfuzzer_sys::fuzz_target;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules"))
}

const CHARSETS: &[&str] = &[
    "utf-8",
    "windows-1252",
    "iso-8859-2",
    "shift_jis",
    "gb18030",
    "utf-16le",
    "koi8-r",
    "no-such-charset",
];

// Rules compile once, before the fuzzing clock starts (seconds under ASan).
fuzz_target!(init: { rules(); }, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let input = match mode % 4 {
        0 => Input::raw(rest),
        1 => match std::str::from_utf8(rest) {
            Ok(text) => Input::text(text),
            Err(_) => Input::raw(rest),
        },
        _ => Input {
            charset: Some(CHARSETS[(mode as usize / 4) % CHARSETS.len()]),
            ..Input::raw(rest)
        },
    };
    let config = Config::default();
    match normalize(&input, rules(), &config) {
        Ok(a) => {
            if mode & 0x80 != 0 && mode & 0x70 == 0 {
                assert_eq!(Ok(&a), normalize(&input, rules(), &config).as_ref(), "deterministic");
            }
            // The blocks make the text.
            let joined: Vec<&str> = a.blocks.iter().map(|b| b.text.as_str()).collect();
            assert_eq!(a.text, joined.join("\n\n"));
            for c in ['\u{0}', '\u{202e}', '\u{feff}'] {
                assert!(!a.text.contains(c), "{c:?} in the text");
            }
        }
        Err(Error::TooLarge { .. }) => unreachable!("fuzz inputs are small"),
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
