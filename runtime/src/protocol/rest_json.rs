//! `aws.protocols#restJson1` helpers: error metadata, request ids, URI encoding.

use bytes::Bytes;
use http::HeaderMap;

use crate::error::ErrorMetadata;
use crate::json::Schema;

/// Reads code, message, request id and status off an error response, by the restJson1 rules:
///
/// * code: the `X-Amzn-ErrorType` header, else the body's `code`, else its `__type`; anything
///   from the first `:` on is dropped, then anything up to and including the first `#`
///   (`aws.protocoltests.restjson#FooError:http://internal/` becomes `FooError`);
/// * message: the body's `message`, `Message` or `errorMessage`;
/// * request id: `x-amzn-RequestId`, else `x-amz-request-id`.
///
/// Never fails: an empty, non-JSON (HTML from a proxy), or truncated body just yields less.
pub fn error_metadata(response: &http::Response<Bytes>) -> ErrorMetadata {
    let headers = response.headers();
    // Only these members are kept; the rest of the body is skipped while parsing.
    static ERROR_MEMBERS: Schema = Schema::Struct(&[
        ("code", &Schema::Scalar),
        ("__type", &Schema::Scalar),
        ("message", &Schema::Scalar),
        ("Message", &Schema::Scalar),
        ("errorMessage", &Schema::Scalar),
    ]);
    let body = crate::json::parse_body_as(response.body(), &ERROR_MEMBERS).ok();
    let body_str = |name: &str| body.as_ref().and_then(|b| b.get(name)).and_then(|v| v.as_str()).map(str::to_owned);

    let code = headers
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| body_str("code"))
        .or_else(|| body_str("__type"))
        .map(|c| sanitize_error_code(&c).to_owned())
        .filter(|c| !c.is_empty());
    let message = body_str("message").or_else(|| body_str("Message")).or_else(|| body_str("errorMessage"));

    let mut meta = ErrorMetadata::new(response.status().as_u16());
    if let Some(code) = code {
        meta = meta.with_code(code);
    }
    if let Some(message) = message {
        meta = meta.with_message(message);
    }
    if let Some(id) = request_id(headers) {
        meta = meta.with_request_id(id);
    }
    meta
}

/// The shape name inside an error code as services send it.
pub fn sanitize_error_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    let code = match code.split_once('#') {
        Some((_, name)) => name,
        None => code,
    };
    code.trim()
}

/// The request id of a response: `x-amzn-RequestId`, else `x-amz-request-id`.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Percent-encodes an `@httpLabel` value (RFC 3986: everything but unreserved characters
/// `A-Z a-z 0-9 - . _ ~`). A greedy label (`{key+}`) keeps its `/`.
pub fn encode_label(value: &str, greedy: bool) -> String {
    encode(value, |b| greedy && b == b'/')
}

/// Percent-encodes an `@httpQuery` key or value (RFC 3986 unreserved characters kept; space is
/// `%20`, never `+`).
pub fn encode_query(value: &str) -> String {
    encode(value, |_| false)
}

fn encode(value: &str, also_keep: impl Fn(u8) -> bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || also_keep(b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    out
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

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Bytes> {
        let mut b = http::Response::builder().status(status);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Bytes::copy_from_slice(body.as_bytes())).unwrap()
    }

    fn code(headers: &[(&str, &str)], body: &str) -> Option<String> {
        error_metadata(&response(400, headers, body)).code().map(str::to_owned)
    }

    #[test]
    fn code_from_header_in_every_form() {
        let forms = [
            "FooError",
            "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
            "aws.protocoltests.restjson#FooError",
            "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
        ];
        for form in forms {
            assert_eq!(code(&[("X-Amzn-Errortype", form)], "{}").as_deref(), Some("FooError"), "{form}");
        }
        // The header wins over the body.
        assert_eq!(
            code(&[("x-amzn-errortype", "FooError")], r#"{"code":"BarError","__type":"BazError"}"#).as_deref(),
            Some("FooError")
        );
    }

    #[test]
    fn code_from_body_code_then_type() {
        for body in [
            r#"{"code":"FooError"}"#,
            r#"{"code":"aws.protocoltests.restjson#FooError"}"#,
            r#"{"code":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"}"#,
            r#"{"__type":"FooError"}"#,
            r#"{"__type":"aws.protocoltests.restjson#FooError"}"#,
            r#"{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"}"#,
            r#"{"code":"FooError","__type":"BarError"}"#,
        ] {
            assert_eq!(code(&[], body).as_deref(), Some("FooError"), "{body}");
        }
    }

    #[test]
    fn message_and_request_id() {
        let m = error_metadata(&response(
            404,
            &[("x-amzn-RequestId", "req-1"), ("x-amzn-errortype", "ResourceNotFoundException")],
            r#"{"Message":"no such instance"}"#,
        ));
        assert_eq!(m.message(), Some("no such instance"));
        assert_eq!(m.request_id(), Some("req-1"));
        assert_eq!(m.status(), 404);
        for key in ["message", "Message", "errorMessage"] {
            let body = format!(r#"{{"{key}":"hi"}}"#);
            assert_eq!(error_metadata(&response(400, &[], &body)).message(), Some("hi"));
        }
        let s3_style = error_metadata(&response(500, &[("x-amz-request-id", "s3-id")], ""));
        assert_eq!(s3_style.request_id(), Some("s3-id"));
    }

    #[test]
    fn tolerates_garbage_bodies() {
        for body in ["", "<html><body>502 Bad Gateway</body></html>", r#"{"code":"Foo"#, "[1,2]", "null"] {
            let m = error_metadata(&response(502, &[], body));
            assert_eq!(m.code(), None, "{body}");
            assert_eq!(m.message(), None);
            assert_eq!(m.status(), 502);
        }
        // Non-string members are ignored rather than failing.
        assert_eq!(code(&[], r#"{"code":42,"__type":"Real"}"#).as_deref(), Some("Real"));
    }

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
