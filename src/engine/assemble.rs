//! Stage 7: the article.
