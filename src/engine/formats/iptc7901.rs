//! The IPTC 7901 front end.

use super::Front;
use crate::engine::Error;

/// Reads a IPTC 7901 document into the copy and what it carries.
pub fn read(_text: &str) -> Result<Front<'static>, Error> {
    Err(Error::UnsupportedContentType("IPTC 7901".to_string()))
}
