//! `smithy.protocols#rpcv2Json`: Smithy's RPC v2 protocol with JSON bodies (not an AWS protocol
//! yet). Requests as rpcv2Cbor's (`POST /service/<Service>/operation/<Operation>`) with
//! `smithy-protocol: rpc-v2-json` and `application/json` bodies written by [`crate::json`];
//! errors by the JSON rules ([`super::json_errors`]: the body's `__type` without namespace or
//! `:` suffix), awsQueryCompatible codes as awsJson's.

pub use super::aws_json::{query_error_code, with_query_error_code};
pub use super::json_errors::error_metadata;
