//! The rule files' shape, as serde reads it. Strict: unknown keys are errors.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::RulesError;

/// One language file (`rules/<code>.toml`) or `rules/common.toml` (same shape, no code needed).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangFile {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scripts: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub months: Vec<String>,
    #[serde(default)]
    pub credit_words: Vec<String>,
    #[serde(default)]
    pub caption_labels: Vec<String>,
    /// The language's words for "here" as a pointer to elsewhere uses them ("here", "hier",
    /// "ici", "itt", "यहां"): a bracket that points with one is a teaser ("(read the minutes
    /// here)").
    #[serde(default)]
    pub here_words: Vec<String>,
    #[serde(default)]
    pub credit_labels: Vec<String>,
    #[serde(default)]
    pub photographer_markers: Vec<String>,
    #[serde(default)]
    pub credit_fillers: Vec<String>,
    /// Words between a photographer's name and the outlet the picture was taken for ("Callum
    /// Reid for Atlas", "Lucie Ferrand pour Regard").
    #[serde(default)]
    pub credit_outlet_words: Vec<String>,
    /// Words that make a bracketed credit a photo credit ("AP Photo/…", "(Photo: …)").
    #[serde(default)]
    pub photo_words: Vec<String>,
    /// Whole parts of a credit that name no one ("File Photo", "Handout", "Pool", "via").
    #[serde(default)]
    pub credit_noise: Vec<String>,
    /// Openings of credit parts that name no one ("File photo …", "Archivbild …").
    #[serde(default)]
    pub credit_noise_prefixes: Vec<String>,
    /// Words that make a credited name an institution, a company or a hand-out rather than a
    /// photographer ("Stadt", "Council", "Feuerwehr", "privat").
    #[serde(default)]
    pub institution_words: Vec<String>,
    #[serde(default)]
    pub byline_prefixes: Vec<String>,
    #[serde(default)]
    pub name_joiners: Vec<String>,
    /// Words after a compound's hyphen at a line end that keep it ("Hafen-" + "und Bahnanlagen").
    /// Segmenting runs before the language is known: only common.toml's list is read.
    #[serde(default)]
    pub hyphen_keepers: Vec<String>,
    /// Lower-case words that stand inside a name without a capital ("von", "van der", "bin").
    #[serde(default)]
    pub name_particles: Vec<String>,
    /// Words that say what a person named in a byline is, written beside the name ("Reporter",
    /// "correspondent", "기자", "记者"): a byline part that is one names no one, and one at the
    /// edge of a name is cut off ("김서윤 기자" → "김서윤").
    #[serde(default)]
    pub byline_roles: Vec<String>,
    #[serde(default)]
    pub dateline_patterns: Vec<String>,
    #[serde(default)]
    pub signature_patterns: Vec<String>,
    #[serde(default)]
    pub caption_patterns: Vec<String>,
    /// Stop words added to the language's stopwords-iso list (or the whole list of a language
    /// the `stop-words` crate does not have).
    #[serde(default)]
    pub stop_words: Vec<String>,
    /// Whether prose of the language is dense in its stop words as separate words (true for
    /// most; false where function words are written onto the words they follow, as Korean's
    /// particles are): only then does a text without any say that it is no language.
    #[serde(default = "yes")]
    pub stop_words_mark_prose: bool,
    #[serde(default)]
    pub artefacts: BTreeMap<String, ArtefactRules>,
}

fn yes() -> bool {
    true
}

/// The matchers of one artefact kind.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArtefactRules {
    #[serde(default)]
    pub lines: Vec<String>,
    #[serde(default)]
    pub prefixes: Vec<String>,
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub inline: Vec<String>,
}

impl LangFile {
    pub fn parse(file: &str, text: &str) -> Result<LangFile, RulesError> {
        let parsed: LangFile = toml::from_str(text).map_err(|e| RulesError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        if file != "common.toml" && (parsed.code.is_empty() || parsed.name.is_empty()) {
            return Err(RulesError::Invalid {
                file: file.to_string(),
                message: "`code` and `name` are required".into(),
            });
        }
        Ok(parsed)
    }
}
