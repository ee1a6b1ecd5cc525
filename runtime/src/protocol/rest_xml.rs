//! `aws.protocols#restXml`: the HTTP bindings of [`super::http_binding`] with XML bodies
//! ([`crate::xml`]: read into an element tree, written with quick-xml); an error is
//! `<ErrorResponse><Error><Code/><Message/>...</Error><RequestId/></ErrorResponse>`, or, for
//! services with `noErrorWrapping` (S3), `<Error>...<RequestId/></Error>` at the root. Both
//! forms are accepted whatever the service declares, so a proxy or a service that answers in
//! the other form is still understood.

use bytes::Bytes;

use crate::error::ErrorMetadata;
use crate::xml::Element;

/// The `<Error>` element of an error response: `ErrorResponse/Error`, or the root itself when
/// it is `<Error>` (`noErrorWrapping`).
pub fn error_element(root: &Element) -> Option<&Element> {
    match root.name.as_str() {
        "ErrorResponse" => root.child("Error"),
        "Error" => Some(root),
        _ => None,
    }
}

/// Code, message, request id and status of a restXml error response: `Code` and `Message` of
/// the error element, the request id from `RequestId` (next to `<Error>` or inside it), else
/// the `x-amzn-RequestId` / `x-amz-request-id` header. Never fails: an empty or non-XML body
/// (an HTML page from a proxy, or a `HEAD` response) just yields less.
pub fn error_metadata(response: &http::Response<Bytes>) -> ErrorMetadata {
    let root = crate::xml::parse_known(response.body(), ERROR_NAMES).ok();
    let error = root.as_ref().and_then(error_element);
    let request_id = root.as_ref().filter(|r| error_element(r).is_some()).and_then(|r| r.child_text("RequestId"));
    super::xml_error_metadata(response, error, request_id)
}

/// The elements [`error_metadata`] reads (sorted); everything else is skipped while parsing.
const ERROR_NAMES: &[&str] = &["Code", "Error", "Message", "RequestId"];

/// The request id of a success response: the `x-amzn-RequestId` header, else `x-amz-request-id`
/// (S3's).
pub fn request_id(headers: &http::HeaderMap) -> Option<String> {
    super::request_id(headers)
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

    #[test]
    fn wrapped_and_unwrapped_errors() {
        let wrapped = error_metadata(&response(
            400,
            &[],
            "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGreeting</Code><Message>Hi</Message>\
             </Error><RequestId>foo-id</RequestId></ErrorResponse>",
        ));
        assert_eq!(
            (wrapped.code(), wrapped.message(), wrapped.request_id()),
            (Some("InvalidGreeting"), Some("Hi"), Some("foo-id"))
        );
        let bare = error_metadata(&response(
            404,
            &[],
            "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>s3-id</RequestId></Error>",
        ));
        assert_eq!((bare.code(), bare.message(), bare.request_id()), (Some("NoSuchKey"), Some("gone"), Some("s3-id")));
        assert_eq!(bare.status(), 404);
    }

    #[test]
    fn request_id_from_s3_header_and_garbage_bodies() {
        let head = error_metadata(&response(404, &[("x-amz-request-id", "hdr")], ""));
        assert_eq!((head.code(), head.request_id()), (None, Some("hdr")));
        for body in ["<html><body>502</body></html>", "<Error>", "{}"] {
            let meta = error_metadata(&response(502, &[], body));
            assert_eq!(meta.code(), None, "{body}");
        }
        let mut headers = http::HeaderMap::new();
        headers.insert("x-amz-request-id", http::HeaderValue::from_static("s3"));
        assert_eq!(request_id(&headers).as_deref(), Some("s3"));
    }

    #[test]
    fn error_names_are_sorted_for_binary_search() {
        assert!(ERROR_NAMES.windows(2).all(|w| w[0] < w[1]));
    }
}
