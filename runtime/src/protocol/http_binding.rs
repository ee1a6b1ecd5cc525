//! The HTTP bindings (`@httpLabel`, `@httpQuery`, `@httpHeader`, ...) shared by the REST
//! protocols (restJson1 today, restXml next): URI percent-encoding and header lists.

use http::HeaderMap;
use percent_encoding::utf8_percent_encode;

use crate::percent::{UNRESERVED, UNRESERVED_AND_SLASH};

/// Percent-encodes an `@httpLabel` value (RFC 3986: everything but unreserved characters
/// `A-Z a-z 0-9 - . _ ~`). A greedy label (`{key+}`) keeps its `/`.
pub fn encode_label(value: &str, greedy: bool) -> String {
    utf8_percent_encode(value, if greedy { UNRESERVED_AND_SLASH } else { UNRESERVED }).to_string()
}

/// Percent-encodes an `@httpQuery` key or value (RFC 3986 unreserved characters kept; space is
/// `%20`, never `+`).
pub fn encode_query(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// The value of a response header, with several lines of the same header joined by `, ` (they
/// form one comma-separated list, RFC 9110 §5.3). `Ok(None)` when absent; an error when a value
/// is not visible ASCII text.
pub fn header_text(headers: &HeaderMap, name: &str) -> Result<Option<String>, crate::json::ParseError> {
    let mut values = headers.get_all(name).iter().peekable();
    if values.peek().is_none() {
        return Ok(None);
    }
    let mut parts = Vec::new();
    for v in values {
        parts.push(v.to_str().map_err(|_| crate::json::ParseError::new("header is not valid text"))?);
    }
    Ok(Some(parts.join(", ")))
}

/// Splits a list-valued header (`a, "b,c", "say \"hi\""`) into its items: commas inside
/// double quotes do not split, quotes are removed and backslash escapes resolved. HTTP dates
/// contain a comma of their own (`Mon, 16 Dec 2019 23:48:18 GMT`), so with `http_dates` the
/// pieces are rejoined two by two.
pub fn split_header_list(value: &str, http_dates: bool) -> Vec<String> {
    if http_dates {
        let pieces: Vec<&str> = value.split(',').map(str::trim).collect();
        return pieces.chunks(2).map(|pair| pair.join(", ")).filter(|s| !s.is_empty()).collect();
    }
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => quoted = false,
            '"' if current.trim().is_empty() => {
                current.clear();
                quoted = true;
                was_quoted = true;
            }
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' if !quoted => {
                items.push(if was_quoted { std::mem::take(&mut current) } else { current.trim().to_owned() });
                current.clear();
                was_quoted = false;
            }
            _ if was_quoted && !quoted => {} // text after a closing quote is ignored
            _ => current.push(c),
        }
    }
    if was_quoted || !current.trim().is_empty() || !items.is_empty() {
        items.push(if was_quoted { current } else { current.trim().to_owned() });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_and_query_encoding() {
        assert_eq!(encode_label("a b/c", false), "a%20b%2Fc");
        assert_eq!(encode_label("a b/c", true), "a%20b/c");
        assert_eq!(encode_label("AZaz09-._~", false), "AZaz09-._~");
        assert_eq!(encode_label("%:?#[]@!$&'()*+,;=", false), "%25%3A%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D");
        assert_eq!(encode_label("é", false), "%C3%A9");
        assert_eq!(encode_query("a b+c&d=e"), "a%20b%2Bc%26d%3De");
        assert_eq!(encode_query("/"), "%2F");
        assert_eq!(encode_query(""), "");
    }

    #[test]
    fn joins_repeated_headers() {
        let mut h = HeaderMap::new();
        h.append("x-list", "a".parse().unwrap());
        h.append("x-list", "\"b,c\", d".parse().unwrap());
        assert_eq!(header_text(&h, "x-list").unwrap().as_deref(), Some("a, \"b,c\", d"));
        assert_eq!(header_text(&h, "x-none").unwrap(), None);
    }

    #[test]
    fn splits_list_headers() {
        assert_eq!(split_header_list("a, b,c", false), ["a", "b", "c"]);
        assert_eq!(split_header_list(r#""b,c", "\"def\"", a"#, false), ["b,c", "\"def\"", "a"]);
        assert_eq!(split_header_list("", false), Vec::<String>::new());
        assert_eq!(
            split_header_list("Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT", true),
            ["Mon, 16 Dec 2019 23:48:18 GMT", "Mon, 16 Dec 2019 23:48:18 GMT"]
        );
    }
}
