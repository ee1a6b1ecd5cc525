//! The runtime side of the protocol seam: one module per wire protocol, each behind its own
//! cargo feature, next to the generator's `codegen/src/emit/protocol/<name>.rs`.
//!
//! What every protocol module provides to generated code:
//!
//! * `error_metadata(&Response<Bytes>) -> ErrorMetadata`: code, message, status and request id
//!   of an error response by that protocol's rules. Generated crates put it in
//!   [`ServiceMeta::error_metadata`](crate::ServiceMeta), so the retry loop classifies errors
//!   without knowing the protocol, and their `parse` functions call it to pick the error variant.
//! * whatever else its generated (de)serializers call (e.g. [`aws_json`]'s query-compatible
//!   error codes).
//!
//! Shared parts stay shared: [`http_binding`] (URI encoding and header lists of the REST
//! protocols), [`query`] (the form encoding awsQuery and ec2Query share, feature `aws-query`)
//! and the JSON error rules that restJson1 and awsJson have in common. The JSON
//! codec itself is [`crate::json`]. Items here that do not depend on the protocol
//! ([`request_id`], [`content_md5`]) are always compiled.
//!
//! | protocol trait | module | runtime feature |
//! |---|---|---|
//! | `aws.protocols#restJson1` | [`rest_json`] | `rest-json` |
//! | `aws.protocols#awsJson1_0`, `aws.protocols#awsJson1_1` | [`aws_json`] | `aws-json` |
//! | `aws.protocols#awsQuery` | [`aws_query`] | `aws-query` |
//! | `aws.protocols#ec2Query` | [`ec2_query`] | `ec2-query` |
//! | `smithy.protocols#rpcv2Cbor` | [`rpc_v2_cbor`] (codec: [`crate::cbor`]) | `rpcv2-cbor` |
//! | `smithy.protocols#rpcv2Json` | [`rpc_v2_json`] | `rpcv2-json` |
//! | `aws.protocols#restXml` | [`rest_xml`] | `rest-xml` |

use http::HeaderMap;

#[cfg(any(feature = "aws-json", feature = "rpcv2-cbor", feature = "rpcv2-json"))]
pub mod aws_json;
#[cfg(feature = "aws-query")]
pub mod aws_query;
#[cfg(feature = "ec2-query")]
pub mod ec2_query;
#[cfg(any(feature = "rest-json", feature = "rest-xml"))]
pub mod http_binding;
#[cfg(any(feature = "rest-json", feature = "aws-json", feature = "rpcv2-cbor", feature = "rpcv2-json"))]
pub mod json_errors;
#[cfg(feature = "aws-query")]
pub mod query;
#[cfg(feature = "rest-json")]
pub mod rest_json;
#[cfg(feature = "rest-xml")]
pub mod rest_xml;
#[cfg(feature = "rpcv2-cbor")]
pub mod rpc_v2_cbor;
#[cfg(feature = "rpcv2-json")]
pub mod rpc_v2_json;

/// The request id of a response: `x-amzn-RequestId`, else `x-amz-request-id`.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// [`ErrorMetadata`](crate::error::ErrorMetadata) from an XML error element with `Code` and
/// `Message` children (awsQuery, ec2Query and restXml share this shape) and the request id found
/// next to it (else the `x-amzn-RequestId` / `x-amz-request-id` header).
#[cfg(feature = "xml")]
pub(crate) fn xml_error_metadata(
    response: &http::Response<bytes::Bytes>,
    error: Option<&crate::xml::Element>,
    request_id: Option<&str>,
) -> crate::error::ErrorMetadata {
    let mut meta = crate::error::ErrorMetadata::new(response.status().as_u16());
    if let Some(code) = error.and_then(|e| e.child_text("Code")).map(str::trim).filter(|c| !c.is_empty()) {
        meta = meta.with_code(code);
    }
    if let Some(message) = error.and_then(|e| e.child_text("Message")) {
        meta = meta.with_message(message);
    }
    if let Some(id) = request_id.map(str::to_owned).or_else(|| self::request_id(response.headers())) {
        meta = meta.with_request_id(id);
    }
    meta
}

/// The `Content-MD5` header value for a body: base64 of its MD5 digest (RustCrypto's `md-5`).
#[cfg(feature = "checksum-md5")]
pub fn content_md5(body: &[u8]) -> String {
    use md5::Digest as _;
    crate::json::base64_encode(&md5::Md5::digest(body))
}

#[cfg(all(test, feature = "checksum-md5"))]
mod tests {
    #[test]
    fn content_md5_of_known_bodies() {
        assert_eq!(super::content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(super::content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
    }
}
