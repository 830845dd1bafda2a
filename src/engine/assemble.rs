//! Stage 7: the article. Blocks joined into `text`, counts in `stats`, a fingerprint of the
//! clean body, agencies merged by canonical name.

use unicode_segmentation::UnicodeSegmentation;

use super::article::{Article, Block, BlockKind, Stats};

/// Words a reader reads per minute, for `reading_time_seconds`.
const WORDS_PER_MINUTE: u64 = 230;
/// Characters per minute in scripts written without spaces (Chinese, Japanese).
const CJK_CHARS_PER_MINUTE: u64 = 500;

/// Fills `text`, `stats` and `fingerprint` from the article's blocks.
pub fn finish(article: &mut Article) {
    let mut text = String::new();
    for block in &article.blocks {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&block.text);
    }
    article.stats = stats(&text, &article.blocks);
    article.fingerprint = fingerprint(&text);
    article.text = text;
}

fn stats(text: &str, blocks: &[Block]) -> Stats {
    let characters = text.chars().count() as u64;
    let words = text.unicode_words().count() as u64;
    let sentences = blocks
        .iter()
        .map(|b| {
            b.text
                .unicode_sentences()
                .filter(|s| !s.trim().is_empty())
                .count() as u64
        })
        .sum::<u64>();
    let paragraphs = blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Paragraph)
        .count() as u64;
    let cjk = text
        .chars()
        .filter(|c| matches!(*c as u32, 0x3040..=0x30FF | 0x3400..=0x9FFF))
        .count() as u64;
    let seconds = if cjk * 2 > characters {
        (characters * 60).div_ceil(CJK_CHARS_PER_MINUTE)
    } else {
        (words * 60).div_ceil(WORDS_PER_MINUTE)
    };
    let clamp = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    Stats {
        characters: clamp(characters),
        words: clamp(words),
        sentences: clamp(sentences),
        paragraphs: clamp(paragraphs),
        reading_time_seconds: clamp(seconds),
    }
}

/// A stable hash of the clean body: same clean text, same value (xxh3-128, hex).
pub fn fingerprint(text: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block {
        Block {
            kind: BlockKind::Paragraph,
            text: text.into(),
            language: None,
        }
    }

    #[test]
    fn text_stats_and_fingerprint() {
        let mut a = Article {
            blocks: vec![block("One two three. Four five."), block("Six seven.")],
            ..Article::default()
        };
        finish(&mut a);
        assert_eq!(a.text, "One two three. Four five.\n\nSix seven.");
        assert_eq!(
            (a.stats.words, a.stats.sentences, a.stats.paragraphs),
            (7, 3, 2)
        );
        assert_eq!(a.stats.reading_time_seconds, 2);
        assert_eq!(
            a.fingerprint,
            fingerprint("One two three. Four five.\n\nSix seven.")
        );
        assert_ne!(a.fingerprint, fingerprint("One two three."));
        assert_eq!(a.fingerprint.len(), 32);
    }
}
