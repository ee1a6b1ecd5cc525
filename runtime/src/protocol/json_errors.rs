//! Error responses with a JSON body, shared by restJson1 and awsJson1_0/1_1 (Smithy gives both
//! the same rules for finding the error code).

use bytes::Bytes;

use crate::error::ErrorMetadata;
use crate::json::Schema;

/// Reads code, message, request id and status off an error response, by the rules restJson1 and awsJson share:
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
    if let Some(id) = super::request_id(headers) {
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
}
