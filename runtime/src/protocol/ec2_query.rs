//! `aws.protocols#ec2Query`: requests are form-encoded like awsQuery ([`super::query`]; the
//! generator spells keys by `@ec2QueryName` or the capitalised member name and lists without
//! `.member`); a success response is XML whose root is `<OperationResponse>` holding the output
//! members directly (no `Result` wrapper), an error is
//! `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.

use bytes::Bytes;

use crate::error::ErrorMetadata;
use crate::json::ParseError;
use crate::xml::Element;

pub use super::query::QueryWriter;

/// The element holding the output members of a success response for `operation`: the root
/// `<OperationResponse>` itself. Any other root is an error.
pub fn result_element<'a>(root: &'a Element, operation: &str) -> Result<&'a Element, ParseError> {
    let response = format!("{operation}Response");
    if root.name != response {
        return Err(ParseError::new(format!("expected the XML root <{response}>, found <{}>", root.name)));
    }
    Ok(root)
}

/// The request id of a success response: its `requestId` element, else the `x-amzn-RequestId`
/// header.
pub fn request_id(root: &Element, headers: &http::HeaderMap) -> Option<String> {
    root.child_text("requestId").map(str::to_owned).or_else(|| super::request_id(headers))
}

/// The first `<Error>` of an ec2Query error response, holding the modeled error's members.
pub fn error_element(root: &Element) -> Option<&Element> {
    (root.name == "Response").then(|| root.child("Errors")?.child("Error")).flatten()
}

/// Code, message, request id and status of an ec2Query error response: `Errors/Error/Code`,
/// `Errors/Error/Message`, then `RequestID` (else the `x-amzn-RequestId` header). Never fails.
pub fn error_metadata(response: &http::Response<Bytes>) -> ErrorMetadata {
    let root = crate::xml::parse_known(response.body(), super::aws_query::ERROR_NAMES).ok();
    let error = root.as_ref().and_then(error_element);
    let request_id = root.as_ref().filter(|r| r.name == "Response").and_then(|r| r.child_text("RequestID"));
    super::aws_query::metadata(response, error, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_message_and_request_id() {
        let response = http::Response::builder()
            .status(400)
            .body(Bytes::from_static(
                b"<Response>\n    <Errors>\n        <Error>\n            <Code>InvalidGreeting</Code>\n            \
                  <Message>Hi</Message>\n        </Error>\n    </Errors>\n    <RequestID>foo-id</RequestID>\n</Response>\n",
            ))
            .unwrap();
        let meta = error_metadata(&response);
        assert_eq!(meta.code(), Some("InvalidGreeting"));
        assert_eq!(meta.message(), Some("Hi"));
        assert_eq!(meta.request_id(), Some("foo-id"));
        // An awsQuery-shaped body is not an ec2Query error.
        let other = http::Response::builder()
            .status(400)
            .body(Bytes::from_static(b"<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>"))
            .unwrap();
        assert_eq!(error_metadata(&other).code(), None);
    }

    #[test]
    fn result_is_the_root() {
        let root = crate::xml::parse(b"<DescribeThingsResponse><Foo>1</Foo></DescribeThingsResponse>").unwrap();
        assert_eq!(result_element(&root, "DescribeThings").unwrap().child_text("Foo"), Some("1"));
        assert!(result_element(&root, "Other").is_err());
        let with_id = crate::xml::parse(b"<AResponse><requestId>r-9</requestId></AResponse>").unwrap();
        assert_eq!(request_id(&with_id, &http::HeaderMap::new()).as_deref(), Some("r-9"));
    }
}
