//! `aws.protocols#awsQuery`: every call is `POST /` with a form-encoded body ([`super::query`]:
//! `Action=<Operation>&Version=<api version>&...`); a success response is XML wrapped in
//! `<OperationResponse><OperationResult>...</OperationResult></OperationResponse>`
//! ([`result_element`]), an error is
//! `<ErrorResponse><Error><Type/><Code/><Message/>...</Error><RequestId/></ErrorResponse>`
//! ([`error_metadata`], [`error_element`]). XML is read by the shared codec [`crate::xml`].

use bytes::Bytes;

use crate::error::ErrorMetadata;
use crate::json::ParseError;
use crate::xml::Element;

pub use super::query::QueryWriter;

/// The `<OperationResult>` element of a success response for `operation`, or `None` when the
/// response has none (an operation without output members may send just
/// `<OperationResponse/>`). A root that is not `<OperationResponse>` is an error.
pub fn result_element<'a>(root: &'a Element, operation: &str) -> Result<Option<&'a Element>, ParseError> {
    let response = format!("{operation}Response");
    if root.name != response {
        return Err(ParseError::new(format!("expected the XML root <{response}>, found <{}>", root.name)));
    }
    Ok(root.child(&format!("{operation}Result")))
}

/// The request id of a success response: `ResponseMetadata/RequestId`, else the
/// `x-amzn-RequestId` header.
pub fn request_id(root: &Element, headers: &http::HeaderMap) -> Option<String> {
    root.child("ResponseMetadata")
        .and_then(|m| m.child_text("RequestId"))
        .map(str::to_owned)
        .or_else(|| super::request_id(headers))
}

/// The `<Error>` element of an awsQuery error response, holding the modeled error's members.
pub fn error_element(root: &Element) -> Option<&Element> {
    (root.name == "ErrorResponse").then(|| root.child("Error")).flatten()
}

/// Code, message, request id and status of an awsQuery error response: `Error/Code`,
/// `Error/Message`, then `RequestId` (else the `x-amzn-RequestId` header). Never fails: an
/// empty or non-XML body (an HTML page from a proxy) just yields less.
pub fn error_metadata(response: &http::Response<Bytes>) -> ErrorMetadata {
    let root = crate::xml::parse_known(response.body(), ERROR_NAMES).ok();
    let error = root.as_ref().and_then(error_element);
    let request_id = root.as_ref().filter(|r| r.name == "ErrorResponse").and_then(|r| r.child_text("RequestId"));
    metadata(response, error, request_id)
}

/// The elements [`error_metadata`] reads (sorted); everything else is skipped while parsing.
pub(crate) const ERROR_NAMES: &[&str] = &["Code", "Error", "Errors", "Message", "RequestID", "RequestId"];

pub(crate) use super::xml_error_metadata as metadata;

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> http::Response<Bytes> {
        http::Response::builder().status(status).body(Bytes::copy_from_slice(body.as_bytes())).unwrap()
    }

    #[test]
    fn error_code_message_and_request_id() {
        let meta = error_metadata(&response(
            400,
            "<ErrorResponse>\n   <Error>\n      <Type>Sender</Type>\n      <Code>InvalidGreeting</Code>\n      \
             <Message>Hi</Message>\n   </Error>\n   <RequestId>foo-id</RequestId>\n</ErrorResponse>\n",
        ));
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.message(), Some("Hi"));
        assert_eq!(meta.request_id(), Some("foo-id"));
        assert_eq!(meta.status(), 400);
    }

    #[test]
    fn error_names_are_sorted_for_binary_search() {
        assert!(ERROR_NAMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn tolerates_garbage_bodies() {
        for body in ["", "<html><body>502 Bad Gateway</body></html>", "<ErrorResponse><Error>", "{}"] {
            let meta = error_metadata(&response(502, body));
            assert_eq!(meta.code(), None, "{body}");
            assert_eq!(meta.message(), None);
            assert_eq!(meta.status(), 502);
        }
        let with_header = http::Response::builder()
            .status(500)
            .header("x-amzn-RequestId", "hdr-id")
            .body(Bytes::from_static(b"<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>"))
            .unwrap();
        assert_eq!(error_metadata(&with_header).request_id(), Some("hdr-id"));
    }

    #[test]
    fn result_wrapper() {
        let root = crate::xml::parse(
            b"<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
              <GetCallerIdentityResult><Account>123</Account></GetCallerIdentityResult>\
              <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
        )
        .unwrap();
        let result = result_element(&root, "GetCallerIdentity").unwrap().unwrap();
        assert_eq!(request_id(&root, &http::HeaderMap::new()).as_deref(), Some("r"));
        assert_eq!(result.child_text("Account"), Some("123"));
        let err = result_element(&root, "AssumeRole").unwrap_err();
        assert!(err.message().contains("<AssumeRoleResponse>"), "{}", err.message());
        let empty = crate::xml::parse(b"<NoOutputResponse/>").unwrap();
        assert_eq!(result_element(&empty, "NoOutput").unwrap(), None);
    }
}
