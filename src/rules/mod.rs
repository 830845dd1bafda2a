//! Loads and validates the rule files once into an immutable `Rules`, compiling each language's
//! automata on first use.
//!
//! The files are data (see `docs/rules.md`): `agencies.toml`, `common.toml`, one `<code>.toml` per
//! language and `langid.toml`. They are embedded at build time; a folder given at start-up
//! replaces files of the same name and adds new ones. Start-up parses and checks every file
//! (a broken file still fails start-up) and compiles what every document needs (`common.toml`,
//! agencies, language identification, the model); a language file's automata are compiled the
//! first time a document of that language asks for them (see [`Rules::language`]).

mod agencies;
mod compile;
mod counted;
mod file;
mod model;
mod pattern;
mod shapes;
mod stopwords;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use agencies::{AGENCY_MARK, Agencies, Agency, AgencyKind, Masked};
pub use compile::{LangRules, LineMatch};
pub use model::Model;
pub use pattern::{LineInput, Pattern, PatternCaptures, Span};
pub use shapes::Shapes;
pub use stopwords::StopWords;

/// The file the role model is read from.
pub const MODEL_FILE: &str = "roles.tsv";

use crate::engine::language::Detector;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Why the rules could not be loaded. Start-up fails with this message.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rules folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("rule file {file}: {message}")]
    Parse { file: String, message: String },
    #[error("rule file {file}: pattern {pattern:?} does not compile: {message}")]
    Pattern {
        file: String,
        pattern: String,
        message: String,
    },
    #[error("rule file {file}: {message}")]
    Invalid { file: String, message: String },
    #[error("required rule file {0} is missing")]
    Missing(&'static str),
}

/// Everything the engine knows. Build once, share as `Arc<Rules>`.
#[derive(Debug)]
pub struct Rules {
    languages: BTreeMap<String, LazyLang>,
    common: LangRules,
    agencies: Agencies,
    detector: Detector,
    model: Model,
    shapes: Shapes,
    digest: String,
    /// Every language's whole-line labels: key → (kind, languages that list it).
    labels: std::collections::HashMap<String, (crate::engine::article::ArtefactKind, Vec<String>)>,
    /// Stop words of languages without a rule file, built on first use (the detector answers
    /// from a fixed allow-list, so this holds at most one entry per allowed language).
    other_stop_words: std::sync::RwLock<BTreeMap<String, Option<std::sync::Arc<StopWords>>>>,
}

impl Rules {
    /// The rules embedded in the binary.
    pub fn embedded() -> Result<Rules, RulesError> {
        Self::from_sources(
            embedded::EMBEDDED
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        )
    }

    /// The embedded rule files, by name (to build rules from, with some replaced).
    pub fn embedded_sources() -> impl Iterator<Item = (String, String)> {
        embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
    }

    /// The embedded rules with a model of every weight zero in place of the embedded one: what
    /// training starts from (an embedded model written for other features would not load).
    pub fn embedded_untrained() -> Result<Rules, RulesError> {
        Self::from_sources(Self::embedded_sources().map(|(n, t)| {
            if n == MODEL_FILE {
                (n, String::new())
            } else {
                (n, t)
            }
        }))
    }

    /// The embedded rules with the `.toml` files of `dir` laid over them (same name replaces).
    pub fn with_overrides(dir: &Path) -> Result<Rules, RulesError> {
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        let io = |source| RulesError::Io {
            path: dir.to_path_buf(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|x| x == "toml")
                || path.file_name().is_some_and(|n| n == MODEL_FILE)
            {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                let text = std::fs::read_to_string(&path).map_err(|source| RulesError::Io {
                    path: path.clone(),
                    source,
                })?;
                files.insert(name, text);
            }
        }
        Self::from_sources(files)
    }

    /// Builds the rules from `(file name, text)` pairs.
    pub fn from_sources(
        sources: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Rules, RulesError> {
        let files: BTreeMap<String, String> = sources.into_iter().collect();
        let mut hasher = xxhash_rust::xxh3::Xxh3::new();
        for (name, text) in &files {
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
            hasher.update(text.as_bytes());
            hasher.update(&[0]);
        }
        let digest = format!("{:016x}", hasher.digest());

        let agencies_text = files
            .get("agencies.toml")
            .ok_or(RulesError::Missing("agencies.toml"))?;
        let agencies = Agencies::parse("agencies.toml", agencies_text)?;
        let mut all_months: Vec<String> = Vec::new();
        let mut parsed = Vec::new();
        for (name, text) in &files {
            if matches!(name.as_str(), "agencies.toml" | "langid.toml" | MODEL_FILE) {
                continue;
            }
            let lang = file::LangFile::parse(name, text)?;
            all_months.extend(lang.months.iter().cloned());
            parsed.push((name.clone(), lang));
        }
        for (name, lang) in &parsed {
            let expected = name.trim_end_matches(".toml");
            if name != "common.toml" && lang.code != expected {
                return Err(RulesError::Invalid {
                    file: name.clone(),
                    message: format!(
                        "code {:?} does not match the file name (expected {expected:?})",
                        lang.code
                    ),
                });
            }
        }
        // `common.toml` applies to every document: compiled now. Every language file is checked
        // now (parsed, its placeholders expanded, each pattern's syntax parsed) and compiled on
        // first use; checking is a small part of what compiling costs.
        let mut common = None;
        let mut languages = BTreeMap::new();
        let mut labels: std::collections::HashMap<
            String,
            (crate::engine::article::ArtefactKind, Vec<String>),
        > = std::collections::HashMap::new();
        for (name, lang) in parsed {
            if name == "common.toml" {
                common = Some(LangRules::compile(&name, lang, &all_months)?);
                continue;
            }
            for (key, kind) in LangRules::check(&name, &lang, &[])? {
                labels
                    .entry(key)
                    .or_insert_with(|| (kind, Vec::new()))
                    .1
                    .push(lang.code.clone());
            }
            languages.insert(
                lang.code.clone(),
                LazyLang {
                    file: name,
                    parsed: lang,
                    compiled: std::sync::OnceLock::new(),
                },
            );
        }
        let common = common.ok_or(RulesError::Missing("common.toml"))?;
        let detector = Detector::from_toml(files.get("langid.toml").map_or("", |s| s.as_str()))
            .map_err(|message| RulesError::Invalid {
                file: "langid.toml".into(),
                message,
            })?;
        let model = Model::parse(
            MODEL_FILE,
            files
                .get(MODEL_FILE)
                .ok_or(RulesError::Missing(MODEL_FILE))?,
        )?;
        Ok(Rules {
            languages,
            common,
            agencies,
            detector,
            model,
            shapes: Shapes::new()?,
            digest,
            labels,
            other_stop_words: Default::default(),
        })
    }

    /// The stop words of a language without a rule file (stopwords-iso's list), if it has one.
    /// For a language with a file, its `LangRules::stop_words` is the list.
    pub fn other_stop_words(&self, code: &str) -> Option<std::sync::Arc<StopWords>> {
        if let Some(found) = self
            .other_stop_words
            .read()
            .ok()
            .and_then(|m| m.get(code).cloned())
        {
            return found;
        }
        let built = StopWords::for_language(code, &[]).map(std::sync::Arc::new);
        if let Ok(mut m) = self.other_stop_words.write() {
            m.insert(code.to_string(), built.clone());
        }
        built
    }

    /// Rules of one language, if a file exists for it, compiled on the first call for that
    /// language (a call for a language being compiled on another thread waits for it). `None`
    /// also where compiling failed, which the checks at start-up leave only to an automaton
    /// outgrowing its size limit; [`Rules::language_error`] says why.
    pub fn language(&self, code: &str) -> Option<&LangRules> {
        self.languages.get(code)?.compiled().ok()
    }

    /// Why a language's rule file, checked at start-up, did not compile on first use (`None`
    /// where it compiled or has not been asked for).
    pub fn language_error(&self, code: &str) -> Option<&RulesError> {
        self.languages
            .get(code)?
            .compiled
            .get()
            .and_then(|c| c.as_ref().err())
    }

    /// Whether a language's automata have been compiled (by a [`Rules::language`] call).
    pub fn is_compiled(&self, code: &str) -> bool {
        self.languages
            .get(code)
            .is_some_and(|l| l.compiled.get().is_some())
    }

    /// Compiles every language file now; the first error. For tools that want the whole cost
    /// up front, or every file proven to compile.
    pub fn compile_all(&self) -> Result<(), &RulesError> {
        self.languages
            .values()
            .try_for_each(|l| l.compiled().map(|_| ()))
    }

    /// Codes of the languages with rule files, sorted.
    pub fn language_codes(&self) -> Vec<String> {
        self.languages.keys().cloned().collect()
    }

    /// A whole-line label of any language but `own` (furniture left untranslated by machine
    /// translation: "Bild vergrößern" in English copy).
    pub fn foreign_label(
        &self,
        line: &LineInput<'_>,
        own: Option<&str>,
    ) -> Option<crate::engine::article::ArtefactKind> {
        let (kind, langs) = self.labels.get(line.label_key()?)?;
        langs
            .iter()
            .any(|l| Some(l.as_str()) != own)
            .then_some(*kind)
    }

    pub fn common(&self) -> &LangRules {
        &self.common
    }

    pub fn agencies(&self) -> &Agencies {
        &self.agencies
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// The language-neutral shapes features look for.
    pub fn shapes(&self) -> &Shapes {
        &self.shapes
    }

    /// The fitted weights of the role decoder.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// A digest of every loaded file: same files, same value.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// One language's rule file: checked at start-up, its automata compiled on first use.
#[derive(Debug)]
struct LazyLang {
    file: String,
    parsed: file::LangFile,
    compiled: std::sync::OnceLock<Result<LangRules, RulesError>>,
}

impl LazyLang {
    fn compiled(&self) -> Result<&LangRules, &RulesError> {
        self.compiled
            .get_or_init(|| LangRules::compile(&self.file, self.parsed.clone(), &[]))
            .as_ref()
    }
}

/// The embedded rules, built once per test process (compiling them is the slow part of a test).
#[cfg(test)]
pub fn test_rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::embedded().expect("embedded rules must load"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_load() {
        let rules = Rules::embedded().expect("embedded rules must load");
        assert!(rules.language("de").is_some());
        assert!(rules.language("en").is_some());
        assert_eq!(rules.digest().len(), 16);
    }

    #[test]
    fn every_embedded_language_file_names_its_code() {
        for (name, _) in embedded::EMBEDDED {
            if matches!(
                *name,
                "agencies.toml" | "common.toml" | "langid.toml" | MODEL_FILE
            ) {
                continue;
            }
            let code = name.trim_end_matches(".toml");
            assert!(
                crate::engine::language::is_language_code(code),
                "{name} is not named for a language code"
            );
        }
    }

    #[test]
    fn a_code_that_does_not_match_the_file_name_is_refused() {
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.insert("xx.toml".into(), "code = \"yy\"\nname = \"Test\"\n".into());
        let err = Rules::from_sources(files).unwrap_err();
        assert!(err.to_string().contains("xx.toml"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused_with_the_file_named() {
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.insert(
            "xx.toml".into(),
            "code = \"xx\"\nname = \"Test\"\nmonht = []\n".into(),
        );
        let err = Rules::from_sources(files).unwrap_err().to_string();
        assert!(err.contains("xx.toml") && err.contains("monht"), "{err}");
    }

    #[test]
    fn a_bad_pattern_is_refused_with_the_pattern_named() {
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.insert(
            "xx.toml".into(),
            "code = \"xx\"\nname = \"Test\"\n[artefacts.ui_label]\npatterns = ['^(unclosed$']\n"
                .into(),
        );
        let err = Rules::from_sources(files).unwrap_err().to_string();
        assert!(err.contains("(unclosed"), "{err}");
    }

    /// The embedded files with `extra` laid over them.
    fn embedded_with(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> = Rules::embedded_sources().collect();
        for (name, text) in extra {
            files.insert(name.to_string(), text.to_string());
        }
        files
    }

    #[test]
    fn a_language_is_compiled_on_first_use_and_once() {
        let rules = Rules::embedded().expect("embedded rules must load");
        assert!(!rules.is_compiled("de"));
        assert!(!rules.is_compiled("fr"));
        let first = std::thread::scope(|s| {
            let a = s.spawn(|| rules.language("de").map(|l| std::ptr::from_ref(l).addr()));
            let b = s.spawn(|| rules.language("de").map(|l| std::ptr::from_ref(l).addr()));
            (a.join().ok().flatten(), b.join().ok().flatten())
        });
        assert!(first.0.is_some());
        assert_eq!(first.0, first.1, "both threads get the one compiled copy");
        assert!(rules.is_compiled("de"));
        assert!(
            !rules.is_compiled("fr"),
            "other languages wait for their own first use"
        );
        assert_eq!(
            rules.language("de").map(|l| std::ptr::from_ref(l).addr()),
            first.0
        );
        assert!(rules.language_error("de").is_none());
        assert!(rules.language("xx").is_none() && !rules.is_compiled("xx"));
    }

    #[test]
    fn every_embedded_language_compiles() {
        let rules = Rules::embedded().expect("embedded rules must load");
        assert_eq!(rules.compile_all().err().map(|e| e.to_string()), None);
        for code in rules.language_codes() {
            assert!(rules.is_compiled(&code), "{code}");
        }
    }

    #[test]
    fn a_broken_pattern_of_any_kind_still_fails_start_up() {
        // Syntax the parser refuses, a class Unicode does not have, a group name twice: each in
        // a file no document has asked for yet.
        for (key, pattern) in [
            ("dateline_patterns", "^(?P<place>[A-Z]+"),
            ("signature_patterns", r"^\p{Klingon}+$"),
            ("caption_patterns", "^(?P<caption>.+) (?P<caption>.+)$"),
            ("[artefacts.link_teaser]\ninline", "(read [^()]{0,60} here"),
        ] {
            let text = format!("code = \"xx\"\nname = \"Test\"\n{key} = ['{pattern}']\n");
            let err = Rules::from_sources(embedded_with(&[("xx.toml", &text)]))
                .expect_err(pattern)
                .to_string();
            assert!(
                err.contains("xx.toml") && err.contains(&format!("{pattern:?}")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_file_too_big_to_compile_degrades_into_an_error_at_first_use() {
        // Parses, but its automaton outgrows the size limit: only compiling finds that.
        let text = "code = \"xx\"\nname = \"Test\"\ndateline_patterns = ['^(?:\\w{200}){400}$']\n";
        let rules = Rules::from_sources(embedded_with(&[("xx.toml", text)]))
            .expect("the file passes the checks");
        assert!(rules.language("xx").is_none());
        let err = rules.language_error("xx").map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains("xx.toml")),
            "{err:?}"
        );
        assert!(rules.compile_all().is_err());
    }

    #[test]
    fn the_digest_changes_with_the_files() {
        let a = Rules::embedded().unwrap();
        let mut files: BTreeMap<String, String> = embedded::EMBEDDED
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        files.insert("xx.toml".into(), "code = \"xx\"\nname = \"Test\"\n".into());
        let b = Rules::from_sources(files).unwrap();
        assert_ne!(a.digest(), b.digest());
        assert!(b.language("xx").is_some());
    }
}
