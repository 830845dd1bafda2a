//! The HTML front end.

use super::Front;
use crate::engine::Error;

/// Reads a HTML document into the copy and what it carries.
pub fn read(_text: &str) -> Result<Front<'static>, Error> {
    Err(Error::UnsupportedContentType("HTML".to_string()))
}
