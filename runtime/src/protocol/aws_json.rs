//! `aws.protocols#awsJson1_0` and `aws.protocols#awsJson1_1`: every call is `POST /` with an
//! `X-Amz-Target: <Service>.<Operation>` header and the whole input as a JSON body
//! ([`crate::json`]); errors by the JSON rules of [`super::json_errors`] (the
//! `X-Amzn-Errortype` header, else the body's `code`, else `__type`, without namespace or `:`
//! suffix).
//!
//! A service with `aws.protocols#awsQueryCompatible` (one that moved from awsQuery) also sends
//! `x-amzn-query-error: Code;Fault`: the code there is the one the awsQuery API documented, and
//! is what callers see ([`with_query_error_code`]).

use http::HeaderMap;

pub use super::json_errors::error_metadata;
use crate::error::ErrorMetadata;

/// The awsQuery error code of an `x-amzn-query-error: Code;Fault` header, if there is one.
pub fn query_error_code(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("x-amzn-query-error")?.to_str().ok()?;
    let (code, _fault) = value.split_once(';')?;
    let code = code.trim();
    (!code.is_empty()).then_some(code)
}

/// `meta` with its code replaced by the `x-amzn-query-error` code, when the response has one
/// (awsQueryCompatible services).
pub fn with_query_error_code(meta: ErrorMetadata, headers: &HeaderMap) -> ErrorMetadata {
    match query_error_code(headers) {
        Some(code) => meta.with_code(code),
        None => meta,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-amzn-query-error", value.parse().unwrap());
        h
    }

    #[test]
    fn query_error_code_forms() {
        assert_eq!(query_error_code(&headers("Customized;Sender")), Some("Customized"));
        assert_eq!(
            query_error_code(&headers("AWS.SimpleQueueService.NonExistentQueue;Sender")),
            Some("AWS.SimpleQueueService.NonExistentQueue")
        );
        assert_eq!(query_error_code(&headers("NoFault")), None);
        assert_eq!(query_error_code(&headers(";Sender")), None);
        assert_eq!(query_error_code(&HeaderMap::new()), None);
    }

    #[test]
    fn query_code_replaces_the_type_only_when_sent() {
        let meta = ErrorMetadata::new(400).with_code("CustomCodeError");
        assert_eq!(with_query_error_code(meta.clone(), &headers("Customized;Sender")).code(), Some("Customized"));
        assert_eq!(with_query_error_code(meta, &HeaderMap::new()).code(), Some("CustomCodeError"));
    }
}
