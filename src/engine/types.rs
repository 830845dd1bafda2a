//! The types every stage shares: the unit of copy, the roles a unit can play, the zones of a
//! document's layout and the decoder's states, and the names of the features the role model
//! reads. The ground floor: this module imports nothing of the engine but `article`.

/// A run of text that gets one role: a paragraph, a line, a joined wrapped paragraph.
///
/// The text is borrowed: a unit of one line is that line of the repaired text, a unit joined
/// from wrapped lines is a span of the buffer `segment` was given for joined text. No unit owns a
/// `String`, so a document of many tiny lines costs one small struct per line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Unit<'a> {
    pub text: &'a str,
    /// 1-based input line of the unit's first line.
    pub line: u32,
    /// 1-based input line of the unit's last line.
    pub last_line: u32,
    /// Index of the blank-line-separated group the unit belongs to.
    pub group: u32,
    /// Number of units in its group.
    pub group_len: u32,
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The name used in the model file and in role snapshots.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            pub fn from_key(key: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|x| x.key() == key)
            }
            pub fn index(self) -> usize {
                self as usize
            }
        }
    };
}

named_enum! {
    /// What a unit is in its document. Every unit gets exactly one role, decided once for the
    /// whole document (`roles.rs`); the fields are then extracted from the units that hold them.
    Role {
        /// Site and page furniture: menus, buttons, labels, breadcrumbs, share rows, ad markers.
        Furniture = "furniture",
        /// Time stamps, reading times, counters, wire routing and priority lines.
        Meta = "meta",
        /// The short label line right above the headline.
        Kicker = "kicker",
        Headline = "headline",
        /// A lead paragraph between the headline and the body: part of the body.
        Standfirst = "standfirst",
        /// An author or source line above the body.
        Byline = "byline",
        /// A dateline on a line of its own.
        Dateline = "dateline",
        Body = "body",
        Subheading = "subheading",
        Caption = "caption",
        Credit = "credit",
        /// Other stories: related headlines, teasers, their labels' runs.
        Related = "related",
        /// Site prose that is not the story: consent, newsletter, legal, comments, author bios.
        Boilerplate = "boilerplate",
        /// A signature or source line after the body.
        Signature = "signature",
    }
}

named_enum! {
    /// Where in its layout a unit stands. Zones only move forward: top matter, the headline,
    /// the matter under the headline, the lead paragraph (standfirst), the matter between it and
    /// the body, the body (one stretch with interruptions), and the tail (end matter never
    /// returns to the body).
    Zone {
        Top = "top",
        Title = "title",
        Head = "head",
        Lead = "lead",
        Deck = "deck",
        Body = "body",
        Tail = "tail",
    }
}

impl Role {
    /// Roles whose text stays in the article's body.
    pub fn is_body(self) -> bool {
        matches!(self, Role::Body | Role::Subheading | Role::Standfirst)
    }

    /// Roles that leave the body as a removed artefact (rather than into a field).
    pub fn is_removed(self) -> bool {
        matches!(
            self,
            Role::Furniture | Role::Meta | Role::Related | Role::Boilerplate
        )
    }

    /// The longest unit, in characters, that can play this role: a headline, a byline, a
    /// credit are lines, not paragraphs.
    pub fn max_chars(self) -> u32 {
        match self {
            Role::Kicker | Role::Dateline => 120,
            Role::Byline | Role::Subheading => 200,
            Role::Signature | Role::Meta => 250,
            Role::Headline | Role::Credit => 300,
            Role::Furniture => 400,
            _ => u32::MAX,
        }
    }

    /// A set of roles as a bit mask (for constraints).
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A state of the decoder: a role in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub zone: Zone,
    pub role: Role,
}

/// The roles each zone admits.
const TOP: &[Role] = &[
    Role::Furniture,
    Role::Meta,
    Role::Kicker,
    Role::Related,
    Role::Boilerplate,
    Role::Caption,
    Role::Credit,
    Role::Byline,
    Role::Dateline,
];
const HEAD: &[Role] = &[
    Role::Furniture,
    Role::Meta,
    Role::Related,
    Role::Boilerplate,
    Role::Caption,
    Role::Credit,
    Role::Byline,
    Role::Dateline,
];
const BODY: &[Role] = &[
    Role::Body,
    Role::Subheading,
    Role::Caption,
    Role::Credit,
    Role::Furniture,
    Role::Meta,
    Role::Related,
    Role::Boilerplate,
    Role::Byline,
    Role::Signature,
];
const TAIL: &[Role] = &[
    Role::Furniture,
    Role::Meta,
    Role::Related,
    Role::Boilerplate,
    Role::Caption,
    Role::Credit,
    Role::Signature,
];

/// Every state of the decoder, zone by zone.
pub fn states() -> &'static [State] {
    static STATES: std::sync::OnceLock<Vec<State>> = std::sync::OnceLock::new();
    STATES.get_or_init(|| {
        let mut out = Vec::new();
        for (zone, roles) in [
            (Zone::Top, TOP),
            (Zone::Title, &[Role::Headline][..]),
            (Zone::Head, HEAD),
            (Zone::Lead, &[Role::Standfirst][..]),
            (Zone::Deck, HEAD),
            (Zone::Body, BODY),
            (Zone::Tail, TAIL),
        ] {
            out.extend(roles.iter().map(|&role| State { zone, role }));
        }
        out
    })
}

impl State {
    /// "body.body", "top.kicker": the state's name in the model file.
    pub fn key(self) -> String {
        format!("{}.{}", self.zone.key(), self.role.key())
    }

    /// Whether a document may open in this state.
    pub fn can_start(self) -> bool {
        !matches!(self.zone, Zone::Head | Zone::Lead | Zone::Deck)
    }

    /// Whether `next` may follow this state. Zones move forward only; the headline and the
    /// lead are one unit each, and the lead follows the headline; a kicker stands right above
    /// the headline; the matter under the headline exists only after one.
    pub fn can_precede(self, next: State) -> bool {
        if self.role == Role::Kicker {
            return next.zone == Zone::Title;
        }
        match (self.zone, next.zone) {
            (a, b) if a == b => !matches!(a, Zone::Title | Zone::Lead),
            (Zone::Top, Zone::Head | Zone::Lead | Zone::Deck) => false,
            (Zone::Title | Zone::Head, Zone::Deck) => false,
            (a, b) => a < b,
        }
    }
}

named_enum! {
    /// Yes/no evidence about the shape of a unit, the same in every language.
    Flag {
        EndsSentence = "ends_sentence",
        AllCaps = "all_caps",
        Time = "time",
        Date = "date",
        Year = "year",
        BracketCount = "bracket_count",
        Counter = "counter",
        Url = "url",
        Email = "email",
        Pipe = "pipe",
        Pipes = "pipes",
        Breadcrumb = "breadcrumb",
        Dots = "dots",
        SlashSep = "slash_sep",
        BulletStart = "bullet_start",
        QuoteStart = "quote_start",
        Quote = "quote",
        Ellipsis = "ellipsis",
        NumericOnly = "numeric_only",
        NameLike = "name_like",
        NameRole = "name_role",
        Month = "month",
        Agency = "agency",
        NewsAgency = "news_agency",
        AgencyParen = "agency_paren",
        MultiLine = "multi_line",
        Repeated = "repeated",
        SameAsPrev = "same_as_prev",
        SameAsNext = "same_as_next",
        TitleEcho = "title_echo",
        Handle = "handle",
        LabelColon = "label_colon",
        Duration = "duration",
        Question = "question",
        Symbols = "symbols",
        FirstInDoc = "first",
        LastInDoc = "last",
        /// A short word, then a name: "Von Anna Berg", "Door Jan Kos", "Автор: Марта Гончар".
        NameAfterWord = "name_after_word",
        /// Editors' initials: "ΣΜ/ΑΒ", "pl/ mok/", "(M.B.)", "JGO // JMR".
        Initials = "initials",
        /// A slug or a code: "bc-Energie-Windpark-Nordsee", "^AP-US-Harbor,0521^", "ANT0412 3 EKB".
        Slug = "slug",
        /// Most of its words stand in another unit too (a pull quote, a teaser of the story).
        Echo = "echo",
        /// Names a person that a byline-like line names (an author's bio, "Posted by X").
        MentionsAuthor = "mentions_author",
        /// The first title-like line of the document (no sentence end, three words or more).
        FirstTitle = "first_title",
        /// The fullest title-like line above the densest stretch of prose.
        BestTitle = "best_title",
        /// A short line standing alone between two units of prose.
        BetweenProse = "between_prose",
        /// None of its content words stands in the document's prose elsewhere (an ad, a
        /// prompt, another story's headline).
        OffTopic = "off_topic",
        /// Half of its content words or more stand in the document's prose elsewhere (a
        /// subheading, the headline, a caption).
        OnTopic = "on_topic",
        /// The next unit is a credit line ("Photo: Jane Doe/dpa"), and this one is none.
        BeforeCredit = "before_credit",
        /// The unit before is a known whole-line label ("Enlarge image", "Bild vergrößern").
        AfterLabel = "after_label",
        /// Six capitalised words or more and nothing else: no mark, no figure, at most a
        /// third of them function words ("Home News Sport Business Culture Travel").
        WordRow = "word_row",
    }
}

named_enum! {
    /// What the rule files (the language's lexicon) say about a unit: evidence with a weight,
    /// never a verdict.
    Lex {
        DatelineStart = "dateline_start",
        DatelineAlone = "dateline_alone",
        CreditWhole = "credit_whole",
        CreditTail = "credit_tail",
        CreditCreators = "credit_creators",
        CaptionLabel = "caption_label",
        Byline = "byline",
        Signature = "signature",
        Source = "source",
        AgencyLine = "agency_line",
        InlineTeaser = "inline_teaser",
        ForeignLabel = "foreign_label",
        CreditWordStart = "credit_word_start",
        /// A credit word after the line's start: "… Foto: archiv", "Submitted photo".
        CreditWordInside = "credit_word_inside",
    }
}

named_enum! {
    /// How a unit's last visible character closes it.
    End {
        Period = "period",
        Exclaim = "exclaim",
        Colon = "colon",
        Comma = "comma",
        Bracket = "bracket",
        Quote = "quote",
        Digit = "digit",
        Letter = "letter",
        Other = "other",
    }
}

named_enum! {
    /// How a unit opens.
    Start {
        Upper = "upper",
        Lower = "lower",
        Caseless = "caseless",
        Digit = "digit",
        Bracket = "bracket",
        Quote = "quote",
        Symbol = "symbol",
    }
}

/// A feature template: a family of features, one per value.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub name: &'static str,
    pub values: u32,
}

/// Declares the templates and gives each a constant with its first feature id.
macro_rules! templates {
    ($($id:ident = $name:literal : $values:expr),+ $(,)?) => {
        /// Every template, in id order.
        pub const TEMPLATES: &[Template] = &[$(Template { name: $name, values: $values as u32 }),+];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy)]
        #[repr(usize)]
        enum TemplateIndex { $($id),+ }
        /// The feature templates the role model reads.
        #[allow(non_upper_case_globals)]
        pub mod tpl {
            use super::*;
            $(pub const $id: usize = TemplateIndex::$id as usize;)+
        }
    };
}

/// Bins of a unit's length in characters: up to 2, 5, 10, 20, 40, 70, 120, 200, 400, more.
pub const CHAR_BINS: [u32; 9] = [2, 5, 10, 20, 40, 70, 120, 200, 400];
/// Bins of a unit's length in words: 1, 2, 3, 4, up to 6, 9, 14, 25, more.
pub const WORD_BINS: [u32; 8] = [1, 2, 3, 4, 6, 9, 14, 25];

templates! {
    BIAS = "bias": 1,
    CHARS = "chars": CHAR_BINS.len() + 1,
    WORDS = "words": WORD_BINS.len() + 1,
    END = "end": End::ALL.len(),
    START = "start": Start::ALL.len(),
    TITLE = "title_case": 6,
    DIGITS = "digits": 5,
    STOP = "stop_words": 6,
    STOP_REL = "stop_words_rel": 6,
    SENTENCES = "sentences": 4,
    FLAG = "flag": Flag::ALL.len(),
    LEX = "lex": Lex::ALL.len(),
    RULE = "rule": crate::engine::article::ArtefactKind::ALL.len(),
    RULE_HOW = "rule_how": 3,
    POS = "pos": 6,
    REL_POS = "rel_pos": 10,
    FROM_END = "from_end": 5,
    GROUP = "group": 4,
    GROUP_LEN = "group_len": 4,
    SHORT_RUN = "short_run": 5,
    PROSE_NEAR = "prose_near": 4,
    CORE = "core": 9,
    REL_LEN = "rel_len": 5,
    PREV_CHARS = "prev.chars": CHAR_BINS.len() + 2,
    NEXT_CHARS = "next.chars": CHAR_BINS.len() + 2,
    PREV_END = "prev.end": End::ALL.len() + 1,
    NEXT_END = "next.end": End::ALL.len() + 1,
    PREV_RULE = "prev.rule": crate::engine::article::ArtefactKind::ALL.len() + 2,
    NEXT_RULE = "next.rule": crate::engine::article::ArtefactKind::ALL.len() + 2,
    PREV_GROUP = "prev.same_group": 3,
    NEXT_GROUP = "next.same_group": 3,
    PREV_LEX = "prev.lex": Lex::ALL.len(),
    NEXT_LEX = "next.lex": Lex::ALL.len(),
    PREV_FLAG = "prev.flag": Flag::ALL.len(),
    NEXT_FLAG = "next.flag": Flag::ALL.len(),
    CORE_CHARS = "core*chars": 9 * (CHAR_BINS.len() + 1),
    END_CHARS = "end*chars": End::ALL.len() * (CHAR_BINS.len() + 1),
    TITLE_WORDS = "title_case*words": 6 * (WORD_BINS.len() + 1),
    STOP_CHARS = "stop_words_rel*chars": 6 * (CHAR_BINS.len() + 1),
    POS_CHARS = "pos*chars": 6 * (CHAR_BINS.len() + 1),
}

/// Where each template's features start, and how many features there are in all.
pub fn template_offsets() -> &'static (Vec<u32>, u32) {
    static OFFSETS: std::sync::OnceLock<(Vec<u32>, u32)> = std::sync::OnceLock::new();
    OFFSETS.get_or_init(|| {
        let mut offsets = Vec::with_capacity(TEMPLATES.len());
        let mut next = 0;
        for t in TEMPLATES {
            offsets.push(next);
            next += t.values;
        }
        (offsets, next)
    })
}

/// The id of value `value` of template `template` (values past the last one are clamped).
pub fn feature_id(template: usize, value: u32) -> u32 {
    let (offsets, _) = template_offsets();
    offsets[template] + value.min(TEMPLATES[template].values - 1)
}

/// Number of features.
pub fn feature_count() -> usize {
    template_offsets().1 as usize
}

/// "chars=3": a feature's name in the model file.
pub fn feature_name(id: u32) -> String {
    let (offsets, _) = template_offsets();
    let t = offsets.partition_point(|&o| o <= id) - 1;
    format!("{}={}", TEMPLATES[t].name, id - offsets[t])
}

/// The id of a feature by its name, if the name is one.
pub fn feature_by_name(name: &str) -> Option<u32> {
    let (template, value) = name.rsplit_once('=')?;
    let value: u32 = value.parse().ok()?;
    let t = TEMPLATES.iter().position(|t| t.name == template)?;
    (value < TEMPLATES[t].values).then(|| feature_id(t, value))
}

/// The bin of `n` among ascending upper bounds: 0 for `n <= bins[0]`, `bins.len()` past the last.
pub fn bin(n: u32, bins: &[u32]) -> u32 {
    bins.iter().position(|&b| n <= b).unwrap_or(bins.len()) as u32
}

/// Han, kana and Hangul.
pub fn is_cjk_letter(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Letters of scripts written without spaces between words (Han, kana; Hangul is spaced).
pub fn is_unspaced_letter(c: char) -> bool {
    is_cjk_letter(c) && !matches!(c as u32, 0xAC00..=0xD7AF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_round_trip() {
        for id in 0..feature_count() as u32 {
            assert_eq!(feature_by_name(&feature_name(id)), Some(id), "{id}");
        }
        assert_eq!(feature_by_name("chars=99"), None);
        assert_eq!(feature_by_name("nonsense=1"), None);
    }

    #[test]
    fn zones_only_move_forward() {
        let s = states();
        let find = |z, r| *s.iter().find(|x| x.zone == z && x.role == r).unwrap();
        let body = find(Zone::Body, Role::Body);
        let tail = find(Zone::Tail, Role::Boilerplate);
        let headline = find(Zone::Title, Role::Headline);
        let kicker = find(Zone::Top, Role::Kicker);
        assert!(body.can_precede(tail));
        assert!(!tail.can_precede(body));
        assert!(!headline.can_precede(headline));
        assert!(kicker.can_precede(headline));
        assert!(!kicker.can_precede(body));
        assert!(!find(Zone::Head, Role::Byline).can_start());
    }

    #[test]
    fn every_role_has_a_state_and_keys_are_unique() {
        for r in Role::ALL {
            assert!(states().iter().any(|s| s.role == *r), "{r:?}");
        }
        let mut keys: Vec<String> = states().iter().map(|s| s.key()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), states().len());
    }

    #[test]
    fn bins_are_closed_above() {
        assert_eq!(bin(0, &CHAR_BINS), 0);
        assert_eq!(bin(2, &CHAR_BINS), 0);
        assert_eq!(bin(3, &CHAR_BINS), 1);
        assert_eq!(bin(10_000, &CHAR_BINS), CHAR_BINS.len() as u32);
    }
}
