//! `smithy.protocols#rpcv2Cbor`: every call is `POST /service/<ServiceName>/operation/<OperationName>`
//! (the operation routing; names are the shapes' names) with `smithy-protocol: rpc-v2-cbor` and
//! `Accept: application/cbor`. An operation with input sends it as one CBOR map keyed by member
//! names (`Content-Type: application/cbor`, written by `src/cbor.rs`, which shares the JSON
//! codec's shape walk); one without input sends no body and no `Content-Type`. Responses and
//! errors are read by the parser shared with the JSON protocols ([`super::json_parser`]) from
//! the documents the runtime's CBOR reader builds. An `awsQueryCompatible` service also sends
//! `x-amzn-query-mode: true`.
//!
//! `smithy.protocols#rpcv2Json` is the same protocol with JSON bodies ([`Format::Json`]:
//! `smithy-protocol: rpc-v2-json`, `application/json`, written by `src/json.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::emit::json::ser_fn;
use crate::ir::{Crate, Operation, Struct};

/// The body format of an RPC v2 protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    /// `smithy.protocols#rpcv2Cbor`.
    Cbor,
    /// `smithy.protocols#rpcv2Json`.
    Json,
}

/// `fn serialize` for `op`.
pub(super) fn serializer(krate: &Crate, op: &Operation, input: Option<&Struct>, format: Format) -> TokenStream {
    let (writer, module, media_type, protocol) = match format {
        Format::Cbor => {
            (quote!(::awslim_runtime::cbor::CborWriter), quote!(crate::cbor), "application/cbor", "rpc-v2-cbor")
        }
        Format::Json => {
            (quote!(::awslim_runtime::json::JsonWriter), quote!(crate::json), "application/json", "rpc-v2-json")
        }
    };
    let uri = format!("/service/{}/operation/{}", krate.service.name, op.name);
    let (input_param, body) = match input {
        Some(s) => {
            let n = ident(&s.name);
            let f = ser_fn(&s.name);
            (
                quote!(input: &crate::types::#n),
                quote! {
                    let mut writer = #writer::new();
                    let mut object = writer.value().object();
                    #module::#f(input, &mut object);
                    object.finish();
                    let mut request = ::awslim_runtime::http::Request::new(::awslim_runtime::bytes::Bytes::from(writer.finish()));
                    request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static(#media_type));
                },
            )
        }
        None => (
            quote!(),
            quote!(let mut request = ::awslim_runtime::http::Request::new(::awslim_runtime::bytes::Bytes::new());),
        ),
    };
    let query_mode = krate.service.query_compatible.then(|| {
        quote! {
            request.headers_mut().insert(
                ::awslim_runtime::http::HeaderName::from_static("x-amzn-query-mode"),
                ::awslim_runtime::http::HeaderValue::from_static("true"),
            );
        }
    });
    let extensions = super::request_extensions(op, input);
    quote! {
        /// Builds the HTTP request (relative URI) for this operation.
        pub(crate) fn serialize(#input_param) -> ::std::result::Result<::awslim_runtime::http::Request<::awslim_runtime::bytes::Bytes>, ::awslim_runtime::ConstructionError> {
            #[allow(unused)]
            fn bad_request(message: ::std::string::String) -> ::awslim_runtime::ConstructionError {
                ::awslim_runtime::ConstructionError::new(::awslim_runtime::error::ConstructionErrorKind::Request, message)
            }
            #body
            *request.method_mut() = ::awslim_runtime::http::Method::POST;
            *request.uri_mut() = ::awslim_runtime::http::Uri::from_static(#uri);
            request.headers_mut().insert(::awslim_runtime::http::HeaderName::from_static("smithy-protocol"), ::awslim_runtime::http::HeaderValue::from_static(#protocol));
            request.headers_mut().insert(::awslim_runtime::http::header::ACCEPT, ::awslim_runtime::http::HeaderValue::from_static(#media_type));
            #query_mode
            #extensions
            ::std::result::Result::Ok(request)
        }
    }
}
