//! `smithy.protocols#rpcv2Cbor`: every call is `POST /service/<ServiceName>/operation/<OperationName>`
//! with `smithy-protocol: rpc-v2-cbor`, `Accept: application/cbor` and, when the operation has
//! input, a CBOR body (`Content-Type: application/cbor`) written with [`crate::cbor`].
//!
//! Errors: the code is the body's `__type` with the namespace and any `:` suffix dropped (as
//! the JSON protocols do, [`sanitize_error_code`]); a service with
//! `aws.protocols#awsQueryCompatible` also sends `x-amzn-query-error: Code;Fault`, whose code is
//! what callers see ([`with_query_error_code`], shared with awsJson).

use bytes::Bytes;

pub use super::aws_json::{query_error_code, with_query_error_code};
pub use super::json_errors::sanitize_error_code;
use crate::error::ErrorMetadata;
use crate::json::Schema;

/// Reads code, message, request id and status off an rpcv2Cbor error response: code from the
/// body's `__type`, message from `message` or `Message`, request id from `x-amzn-RequestId`.
/// Never fails: an empty or malformed body just yields less.
pub fn error_metadata(response: &http::Response<Bytes>) -> ErrorMetadata {
    static ERROR_MEMBERS: Schema =
        Schema::Struct(&[("__type", &Schema::Scalar), ("message", &Schema::Scalar), ("Message", &Schema::Scalar)]);
    let body = crate::cbor::parse_body_as(response.body(), &ERROR_MEMBERS).ok();
    let body_str = |name: &str| body.as_ref().and_then(|b| b.get(name)).and_then(|v| v.as_str()).map(str::to_owned);
    let mut meta = ErrorMetadata::new(response.status().as_u16());
    if let Some(code) = body_str("__type").map(|c| sanitize_error_code(&c).to_owned()).filter(|c| !c.is_empty()) {
        meta = meta.with_code(code);
    }
    if let Some(message) = body_str("message").or_else(|| body_str("Message")) {
        meta = meta.with_message(message);
    }
    if let Some(id) = super::request_id(response.headers()) {
        meta = meta.with_request_id(id);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(headers: &[(&str, &str)], body: Vec<u8>) -> http::Response<Bytes> {
        let mut b = http::Response::builder().status(400);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Bytes::from(body)).unwrap()
    }

    fn error_body(members: &[(&str, &str)]) -> Vec<u8> {
        let mut w = crate::cbor::CborWriter::new();
        let mut o = w.value().object();
        for (k, v) in members {
            o.key(k).string(v);
        }
        o.finish();
        w.finish()
    }

    #[test]
    fn code_from_type_without_namespace_or_suffix() {
        for form in ["FooError", "smithy.example#FooError", "smithy.example#FooError:http://internal/"] {
            let meta = error_metadata(&response(&[], error_body(&[("__type", form), ("Message", "m")])));
            assert_eq!(meta.code(), Some("FooError"), "{form}");
            assert_eq!(meta.message(), Some("m"));
        }
        let meta = error_metadata(&response(&[("x-amzn-requestid", "r-1")], b"\xff not cbor".to_vec()));
        assert_eq!((meta.code(), meta.status(), meta.request_id()), (None, 400, Some("r-1")));
        let query = response(&[("x-amzn-query-error", "Customized;Sender")], error_body(&[("__type", "a#Custom")]));
        assert_eq!(with_query_error_code(error_metadata(&query), query.headers()).code(), Some("Customized"));
    }
}
