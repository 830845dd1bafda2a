//! The IPTC ninjs front end (1.x–3.x).

use super::Front;
use crate::engine::Error;

/// Keys that only a ninjs document has together: `uri` (required in every version) or a
/// headline with a body.
pub fn looks_like_ninjs(text: &str) -> bool {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let has = |k: &str| map.contains_key(k);
    (has("uri")
        && (has("headline")
            || has("headlines")
            || has("body_text")
            || has("bodies")
            || has("body_html")
            || has("type")))
        || ((has("headline") || has("headlines"))
            && (has("body_text") || has("body_html") || has("bodies")))
}

/// Reads a ninjs document into the copy and what it carries.
pub fn read(_text: &str) -> Result<Front<'static>, Error> {
    Err(Error::UnsupportedContentType("ninjs".to_string()))
}
