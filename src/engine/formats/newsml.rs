//! The NewsML-G2 front end.

use super::Front;
use crate::engine::Error;

/// Reads a NewsML-G2 document into the copy and what it carries.
pub fn read(_text: &str) -> Result<Front<'static>, Error> {
    Err(Error::UnsupportedContentType("NewsML-G2".to_string()))
}
