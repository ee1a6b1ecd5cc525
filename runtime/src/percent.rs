//! The percent-encoding sets shared by SigV4 ([`crate::sign`]), the REST bindings and the query
//! encoder: RFC 3986 keeps only the unreserved characters `A-Z a-z 0-9 - . _ ~` as they are.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// Everything but the unreserved characters: query keys and values, `@httpLabel` values.
pub(crate) const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The same, keeping `/`: greedy labels (`{key+}`) and a SigV4 path encoded a second time.
pub(crate) const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');
