//! The protocol seam. A protocol is a module here (`<name>.rs`), next to its runtime half
//! `runtime/src/protocol/<name>.rs`; the rest of the generator does not know which protocol it
//! serves. The dispatch is an enum ([`Protocol`]) rather than a trait object: the set of
//! protocols is closed (AWS defines them), every emitter is a pure function of the IR, and a
//! `match` makes a new protocol a compile error everywhere it must be handled.
//!
//! What a protocol provides (the methods of [`Protocol`]):
//!
//! * how the model is read for it ([`Protocol::http_bindings`], [`Protocol::json_name`]): the
//!   IR then describes every member's wire location;
//! * the request serializer (`fn serialize` of each operation module): method, URI, headers,
//!   content type, body and operation routing (`X-Amz-Target`, or the URI of `@http`);
//! * the response parser (`fn parse`): the output from a success response; for an error
//!   response the code by the protocol's rules and the matching modeled error;
//! * its runtime half (`awslim_runtime::protocol::<name>`, behind the cargo feature
//!   [`Protocol::runtime_feature`]) with at least `error_metadata`, which the runtime's retry
//!   loop calls through `ServiceMeta`.
//!
//! Shared parts stay shared: [`http_binding`] (restJson1 and restXml), [`query_codec`]
//! (the form keys of awsQuery and ec2Query, the XML readers of all three XML protocols and
//! restXml's XML writers), the JSON codec
//! (`emit/json.rs`, and [`json_parser`] for restJson1, awsJson and rpcv2Cbor: rpcv2Cbor's
//! writers are the JSON shape walk over CBOR writer types, and its responses are read into the
//! same documents as JSON, [`Protocol::body_codec`]), and the request extensions
//! every protocol has ([`request_extensions`]: `@endpoint` host prefix, compression, checksums).

mod aws_json;
mod aws_query;
pub(crate) mod event_stream;
mod http_binding;
mod query_codec;
mod rest_json;
mod rest_xml;
mod rpc_v2_cbor;

pub(crate) use http_binding::streaming_payload;
pub(crate) use query_codec::query_rs;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::json::de_fn;
use crate::emit::{ident, lit};
use crate::ir::{Crate, Operation, Presence, Struct, UriSegment};
use http_binding::response_bindings;

/// A wire protocol awslim generates clients for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `aws.protocols#restJson1`.
    RestJson1,
    /// `aws.protocols#awsJson1_0`.
    AwsJson1_0,
    /// `aws.protocols#awsJson1_1`.
    AwsJson1_1,
    /// `aws.protocols#awsQuery`.
    AwsQuery,
    /// `aws.protocols#ec2Query`.
    Ec2Query,
    /// `aws.protocols#restXml`.
    RestXml,
    /// `smithy.protocols#rpcv2Cbor`.
    RpcV2Cbor,
    /// `smithy.protocols#rpcv2Json` (not an AWS protocol yet; Smithy's RPC v2 with JSON bodies).
    RpcV2Json,
}

/// Every supported protocol, in order of preference: a service that lists several protocol
/// traits is generated for the first of this list it has. This is the AWS SDKs' order (the Java
/// v2 SDK's: rpcv2Cbor, awsJson, restJson1, restXml, awsQuery, ec2Query; a service moving to
/// rpcv2Cbor keeps listing its old protocols), with Smithy's rpcv2Json, which no AWS service
/// uses, last.
pub const SUPPORTED: &[Protocol] = &[
    Protocol::RpcV2Cbor,
    Protocol::AwsJson1_0,
    Protocol::AwsJson1_1,
    Protocol::RestJson1,
    Protocol::RestXml,
    Protocol::AwsQuery,
    Protocol::Ec2Query,
    Protocol::RpcV2Json,
];

/// Whether `op`'s input or output has a streaming (`@streaming` blob) payload.
pub(crate) fn operation_streams(krate: &Crate, op: &Operation) -> bool {
    let find = |name: &Option<String>| name.as_ref().and_then(|n| krate.find_struct(n));
    streaming_payload(find(&op.input)).is_some() || streaming_payload(find(&op.output)).is_some()
}

/// `aws.protocols#awsQueryCompatible`: an awsJson service that replaced an awsQuery one and keeps
/// its error codes.
pub const AWS_QUERY_COMPATIBLE: &str = "aws.protocols#awsQueryCompatible";

impl Protocol {
    /// The protocol trait's shape ID.
    pub fn trait_id(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "aws.protocols#restJson1",
            Protocol::AwsJson1_0 => "aws.protocols#awsJson1_0",
            Protocol::AwsJson1_1 => "aws.protocols#awsJson1_1",
            Protocol::AwsQuery => "aws.protocols#awsQuery",
            Protocol::Ec2Query => "aws.protocols#ec2Query",
            Protocol::RestXml => "aws.protocols#restXml",
            Protocol::RpcV2Cbor => "smithy.protocols#rpcv2Cbor",
            Protocol::RpcV2Json => "smithy.protocols#rpcv2Json",
        }
    }

    /// The protocol a service with these traits is generated for: the first of [`SUPPORTED`]
    /// it lists. `Err` lists the protocol traits it has (none supported).
    pub fn select<'a>(trait_ids: impl Iterator<Item = &'a str> + Clone) -> Result<Protocol, String> {
        if let Some(p) = SUPPORTED.iter().find(|p| trait_ids.clone().any(|t| t == p.trait_id())) {
            return Ok(*p);
        }
        let is_protocol = |t: &&str| {
            (t.starts_with("aws.protocols#") || t.starts_with("smithy.protocols#")) && *t != AWS_QUERY_COMPATIBLE
        };
        let found: Vec<&str> = trait_ids.filter(is_protocol).collect();
        let supported: Vec<String> = SUPPORTED.iter().map(|p| format!("`{}`", p.trait_id())).collect();
        Err(format!(
            "uses {}; the supported protocols are {}",
            if found.is_empty() { "no protocol trait".to_owned() } else { found.join(", ") },
            supported.join(", ")
        ))
    }

    /// Whether the HTTP binding traits (`@http`, `@httpLabel`, `@httpHeader`, ...) apply; when
    /// not, every member travels in the body and every operation is `POST /`.
    pub fn http_bindings(self) -> bool {
        matches!(self, Protocol::RestJson1 | Protocol::RestXml)
    }

    /// Whether `@jsonName` renames body members (awsJson ignores it).
    pub fn json_name(self) -> bool {
        matches!(self, Protocol::RestJson1)
    }

    /// Whether the form encoding and XML of the query protocols apply (`src/query.rs`).
    pub fn is_query(self) -> bool {
        matches!(self, Protocol::AwsQuery | Protocol::Ec2Query)
    }

    /// Whether `@timestampFormat` applies (the RPC v2 protocols always send epoch seconds).
    pub fn timestamp_format_applies(self) -> bool {
        !matches!(self, Protocol::RpcV2Cbor | Protocol::RpcV2Json)
    }

    /// Whether the generator refuses members of this kind: rpcv2Cbor has no documents (Smithy's
    /// `rpcv2Cbor.NoDocuments` validator); awslim does not write the RPC v2 protocols' bignums
    /// (CBOR tags 2, 3, 4; decimal strings in rpcv2Json).
    pub fn refuses(self, kind: crate::model::ShapeKind) -> bool {
        use crate::model::ShapeKind;
        match self {
            Protocol::RpcV2Cbor => matches!(kind, ShapeKind::Document | ShapeKind::BigInteger | ShapeKind::BigDecimal),
            Protocol::RpcV2Json => matches!(kind, ShapeKind::BigInteger | ShapeKind::BigDecimal),
            _ => false,
        }
    }

    /// The runtime module whose `parse_body_as` reads response bodies into the documents the
    /// readers of `src/json.rs` take (`::awslim_runtime::json`, or `::awslim_runtime::cbor`).
    pub(crate) fn body_codec(self) -> TokenStream {
        match self {
            Protocol::RpcV2Cbor => quote!(::awslim_runtime::cbor),
            _ => quote!(::awslim_runtime::json),
        }
    }

    /// Whether bodies are XML, read (and for restXml written) by the crate's `src/query.rs`.
    pub fn xml_codec(self) -> bool {
        matches!(self, Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml)
    }

    /// Whether `@awsQueryError` gives error codes.
    pub fn query_error_codes(self) -> bool {
        self.is_query()
    }

    /// The `awslim-runtime` cargo feature with this protocol's runtime half.
    pub fn runtime_feature(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "rest-json",
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => "aws-json",
            Protocol::AwsQuery => "aws-query",
            Protocol::Ec2Query => "ec2-query",
            Protocol::RestXml => "rest-xml",
            Protocol::RpcV2Cbor => "rpcv2-cbor",
            Protocol::RpcV2Json => "rpcv2-json",
        }
    }

    /// The path of the runtime module (`::awslim_runtime::protocol::rest_json`).
    pub(crate) fn runtime_module(self) -> TokenStream {
        match self {
            Protocol::RestJson1 => quote!(::awslim_runtime::protocol::rest_json),
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 => quote!(::awslim_runtime::protocol::aws_json),
            Protocol::AwsQuery => quote!(::awslim_runtime::protocol::aws_query),
            Protocol::Ec2Query => quote!(::awslim_runtime::protocol::ec2_query),
            Protocol::RestXml => quote!(::awslim_runtime::protocol::rest_xml),
            Protocol::RpcV2Cbor => quote!(::awslim_runtime::protocol::rpc_v2_cbor),
            Protocol::RpcV2Json => quote!(::awslim_runtime::protocol::rpc_v2_json),
        }
    }

    /// `fn serialize(input: &Input) -> Result<Request<Bytes>, ConstructionError>` of `op`.
    pub(crate) fn serializer(self, krate: &Crate, op: &Operation) -> TokenStream {
        let input = op.input.as_ref().and_then(|i| krate.find_struct(i));
        match self {
            Protocol::RestJson1 => rest_json::serializer(op, input, event_stream::bidirectional(krate, op)),
            Protocol::AwsJson1_0 => aws_json::serializer(krate, op, input, "1.0"),
            Protocol::AwsJson1_1 => aws_json::serializer(krate, op, input, "1.1"),
            Protocol::AwsQuery | Protocol::Ec2Query => aws_query::serializer(krate, op, input),
            Protocol::RestXml => rest_xml::serializer(krate, op, input),
            Protocol::RpcV2Cbor => rpc_v2_cbor::serializer(krate, op, input, rpc_v2_cbor::Format::Cbor),
            Protocol::RpcV2Json => rpc_v2_cbor::serializer(krate, op, input, rpc_v2_cbor::Format::Json),
        }
    }

    /// `fn parse(response) -> Result<Result<Output, OpError>, ParseError>` of `op`.
    pub(crate) fn parser(self, krate: &Crate, op: &Operation) -> TokenStream {
        match self {
            Protocol::RestJson1 => json_parser(krate, op, self, false),
            Protocol::AwsJson1_0 | Protocol::AwsJson1_1 | Protocol::RpcV2Cbor | Protocol::RpcV2Json => {
                json_parser(krate, op, self, krate.service.query_compatible)
            }
            Protocol::AwsQuery | Protocol::Ec2Query => aws_query::parser(krate, op, self),
            Protocol::RestXml => rest_xml::parser(krate, op),
        }
    }
}

/// Statements putting what the runtime adds to a request on its extensions: the `@endpoint`
/// host prefix, `@requestCompression` and `@httpChecksumRequired`. Expects `input`, `request`
/// and `bad_request` in scope.
fn request_extensions(op: &Operation, input: Option<&Struct>) -> TokenStream {
    let host_prefix = op.host_prefix.as_ref().map(|segments| {
        let parts = segments.iter().map(|seg| match seg {
            UriSegment::Literal(l) => quote!(prefix.push_str(#l);),
            UriSegment::Label { member, .. } => {
                let Some(field) = input.and_then(|s| s.fields.iter().find(|f| &f.member == member)) else { return quote!() };
                let fname = ident(&field.name);
                let msg = format!("the host label `{member}` must be 1 to 63 letters, digits or hyphens");
                let access = if field.presence == Presence::Optional {
                    quote!(let value = input.#fname.as_deref().unwrap_or_default();)
                } else {
                    quote!(let value = input.#fname.as_str();)
                };
                quote! {
                    {
                        #access
                        if value.is_empty() || value.len() > 63 || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                            return ::std::result::Result::Err(bad_request(::std::string::String::from(#msg)));
                        }
                        prefix.push_str(value);
                    }
                }
            }
        });
        quote! {
            let mut prefix = ::std::string::String::new();
            #(#parts)*
            request.extensions_mut().insert(::awslim_runtime::HostPrefix(prefix));
        }
    });
    let compression = (!op.compression.is_empty()).then(|| {
        let encodings = op.compression.iter().map(|e| lit(e));
        quote!(request.extensions_mut().insert(::awslim_runtime::CompressionEncodings(&[#(#encodings),*]));)
    });
    // The runtime adds Content-MD5 of the body as sent, that is after any compression.
    let checksum =
        op.checksum_required.then(|| quote!(request.extensions_mut().insert(::awslim_runtime::ContentMd5Required);));
    let endpoint_path = op
        .http
        .path_from_endpoint
        .then(|| quote!(request.extensions_mut().insert(::awslim_runtime::PathFromEndpoint);));
    quote! {
        #host_prefix
        #compression
        #checksum
        #endpoint_path
    }
}

/// `fn parse` for the JSON protocols and rpcv2Cbor (whose bodies are read into the same
/// documents, [`Protocol::body_codec`]): the output from the body (and, for restJson1, its
/// response-bound headers and status); for an error, the code by `runtime::error_metadata`
/// (with `query_compatible`, the caller sees the awsQuery code of `x-amzn-query-error`, while
/// the variant is still chosen by the error's shape name).
fn json_parser(krate: &Crate, op: &Operation, protocol: Protocol, query_compatible: bool) -> TokenStream {
    let runtime = protocol.runtime_module();
    let codec = protocol.body_codec();
    let err_name = ident(&op.error_name);
    let output = op.output.as_ref().and_then(|o| krate.find_struct(o));
    let (query_code, match_code) = if query_compatible {
        (
            quote! {
                let code = meta.code().map(::std::string::String::from);
                let meta = #runtime::with_query_error_code(meta, response.headers());
            },
            quote!(code.as_deref()),
        )
    } else {
        (quote!(), quote!(meta.code()))
    };
    let parse_arms = json_error_arms(krate, op, &codec);
    let error_expr = if parse_arms.is_empty() {
        let meta = if query_compatible {
            quote!(#runtime::with_query_error_code(meta, response.headers()))
        } else {
            quote!(meta)
        };
        quote!(let error = #err_name::Unhandled(::awslim_runtime::UnhandledError::new(#meta));)
    } else {
        quote! {
            #query_code
            let error = match #match_code {
                #(#parse_arms)*
                _ => #err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)),
            };
        }
    };
    let mut stream_parser = quote!();
    let (output_ty, success) = match output {
        Some(s) => {
            let o = ident(&s.name);
            let f = de_fn(&s.name);
            let bindings = response_bindings(s, false);
            let from_bytes = http_binding::streaming_from_bytes(s);
            stream_parser = http_binding::streaming_parser(
                s,
                quote!(crate::json::#f(&::awslim_runtime::Document::Object(::std::default::Default::default()))?),
            );
            let has_body = s.fields.iter().any(|f| crate::emit::json::reads_from_body(&f.http));
            let parse = crate::emit::json::parse_response_body_of(&s.name, &codec);
            let read = if has_body {
                quote!(let body = #parse?; let mut output = crate::json::#f(&body)?;)
            } else {
                quote!(let mut output = crate::json::#f(&::awslim_runtime::Document::Object(::std::default::Default::default()))?;)
            };
            (
                quote!(crate::types::#o),
                quote! {
                    #read
                    #bindings
                    #from_bytes
                    output.request_id = ::awslim_runtime::protocol::request_id(response.headers());
                    ::std::result::Result::Ok(::std::result::Result::Ok(output))
                },
            )
        }
        None => (quote!(()), quote!(::std::result::Result::Ok(::std::result::Result::Ok(())))),
    };
    parse_fn(krate, op, &runtime, (output_ty, success), error_expr, stream_parser)
}

/// `fn parse(response)` of `op` from a protocol's parts: `success` reads the output (of type
/// `output_ty`) for a success status (or `@http` code), `error` sets `error` from `meta` (read by
/// the protocol's runtime module `runtime`); then `stream_parser` (`parse_stream`), if any.
/// Typed mock answers are taken first, except for streaming operations (no typed mocks).
pub(super) fn parse_fn(
    krate: &Crate,
    op: &Operation,
    runtime: &TokenStream,
    (output_ty, success): (TokenStream, TokenStream),
    error: TokenStream,
    stream_parser: TokenStream,
) -> TokenStream {
    let err_name = ident(&op.error_name);
    let code = op.http.code;
    let success_test = if (200..300).contains(&code) {
        quote!((200..300).contains(&status))
    } else {
        quote!(status == #code || (200..300).contains(&status))
    };
    let take_answer = (!operation_streams(krate, op)).then(crate::emit::mock::take_answer);
    quote! {
        /// Reads the response: the output for a success status, else the error.
        pub(crate) fn parse(response: &::awslim_runtime::http::Response<::awslim_runtime::bytes::Bytes>) -> ::std::result::Result<::std::result::Result<#output_ty, #err_name>, ::awslim_runtime::json::ParseError> {
            #take_answer
            let status = response.status().as_u16();
            if #success_test {
                #success
            } else {
                let meta = #runtime::error_metadata(response);
                #error
                ::std::result::Result::Ok(::std::result::Result::Err(error))
            }
        }
        #stream_parser
    }
}

/// `Some("Code") => ...` arms choosing the modeled error of `op` by code, each reading the
/// error's body (and, for restJson1, its bound headers); a body (or header) that cannot be read
/// still leaves the code, status and request id.
fn json_error_arms(krate: &Crate, op: &Operation, codec: &TokenStream) -> Vec<TokenStream> {
    let err_name = ident(&op.error_name);
    op.errors
        .iter()
        .map(|e| {
            let t = ident(&e.type_name);
            let code = lit(&e.info.code);
            let f = de_fn(&e.type_name);
            let bindings = krate.find_struct(&e.type_name).map(|s| response_bindings(s, false)).unwrap_or_default();
            let parse = crate::emit::json::parse_response_body_of(&e.type_name, codec);
            // A body (or header) that cannot be read still leaves the code, status and request id.
            let read = if bindings.is_empty() {
                quote!(#parse.and_then(|body| crate::json::#f(&body)))
            } else {
                quote! {
                    (|| {
                        let body = #parse?;
                        let mut output = crate::json::#f(&body)?;
                        #bindings
                        ::std::result::Result::Ok::<_, ::awslim_runtime::json::ParseError>(output)
                    })()
                }
            };
            quote! {
                ::std::option::Option::Some(#code) => match #read {
                    ::std::result::Result::Ok(error) => #err_name::#t(error.with_meta(meta)),
                    ::std::result::Result::Err(_) => #err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_takes_the_first_supported_protocol_in_preference_order() {
        let pick = |ids: &[&str]| Protocol::select(ids.iter().copied());
        assert_eq!(pick(&["aws.protocols#restJson1"]), Ok(Protocol::RestJson1));
        assert_eq!(pick(&["aws.protocols#restJson1", "aws.protocols#awsJson1_1"]), Ok(Protocol::AwsJson1_1));
        assert_eq!(
            pick(&["aws.protocols#awsJson1_1", "aws.protocols#awsJson1_0", "aws.protocols#awsQueryCompatible"]),
            Ok(Protocol::AwsJson1_0)
        );
        // Unsupported protocols alongside a supported one are ignored.
        assert_eq!(pick(&["aws.protocols#restXml", "aws.protocols#awsJson1_0"]), Ok(Protocol::AwsJson1_0));
        // rpcv2Cbor wins over the protocol a service is moving from.
        assert_eq!(pick(&["aws.protocols#awsQuery", "smithy.protocols#rpcv2Cbor"]), Ok(Protocol::RpcV2Cbor));
        assert_eq!(pick(&["aws.protocols#awsJson1_0", "smithy.protocols#rpcv2Cbor"]), Ok(Protocol::RpcV2Cbor));
        // rpcv2Json (not an AWS protocol) only when nothing else is there.
        assert_eq!(pick(&["smithy.protocols#rpcv2Json", "aws.protocols#restJson1"]), Ok(Protocol::RestJson1));
        assert_eq!(pick(&["smithy.protocols#rpcv2Json"]), Ok(Protocol::RpcV2Json));
    }

    #[test]
    fn select_names_what_the_service_has_when_nothing_is_supported() {
        let err = Protocol::select(
            ["aws.protocols#futureProtocol", "aws.protocols#awsQueryCompatible", "smithy.api#title"].into_iter(),
        )
        .unwrap_err();
        assert!(err.starts_with("uses aws.protocols#futureProtocol; the supported protocols are"), "{err}");
        assert!(err.contains("`aws.protocols#restJson1`"), "{err}");
        let none = Protocol::select(std::iter::empty()).unwrap_err();
        assert!(none.starts_with("uses no protocol trait;"), "{none}");
    }

    #[test]
    fn every_supported_protocol_round_trips_through_its_trait_id() {
        for p in SUPPORTED {
            assert_eq!(Protocol::select(std::iter::once(p.trait_id())), Ok(*p));
        }
    }
}
