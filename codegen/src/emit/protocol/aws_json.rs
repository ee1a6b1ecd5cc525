//! `aws.protocols#awsJson1_0` and `aws.protocols#awsJson1_1`: every call is `POST /` with
//! `X-Amz-Target: <ServiceShapeName>.<OperationName>` (the operation routing) and
//! `Content-Type: application/x-amz-json-1.0|1.1`; the whole input is one JSON object keyed by
//! member names (`@jsonName` does not apply), `{}` when the operation has no input. Responses
//! and errors are read by the JSON parser shared with restJson1 ([`super::json_parser`]).
//! An `awsQueryCompatible` service also sends `x-amzn-query-mode: true`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::emit::json::ser_fn;
use crate::ir::{Crate, Operation, Struct};

/// `fn serialize` for `op`; `version` is `1.0` or `1.1`.
pub(super) fn serializer(krate: &Crate, op: &Operation, input: Option<&Struct>, version: &str) -> TokenStream {
    let target = format!("{}.{}", krate.service.name, op.name);
    let content_type = format!("application/x-amz-json-{version}");
    let (input_param, body) = match input {
        Some(s) => {
            let n = ident(&s.name);
            let f = ser_fn(&s.name);
            (
                quote!(input: &crate::types::#n),
                quote! {
                    let mut writer = ::awslim_runtime::json::JsonWriter::new();
                    let mut object = writer.value().object();
                    crate::json::#f(input, &mut object);
                    object.finish();
                    let body = ::awslim_runtime::bytes::Bytes::from(writer.finish());
                },
            )
        }
        None => (quote!(), quote!(let body = ::awslim_runtime::bytes::Bytes::from_static(b"{}");)),
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
            let mut request = ::awslim_runtime::http::Request::new(body);
            *request.method_mut() = ::awslim_runtime::http::Method::POST;
            *request.uri_mut() = ::awslim_runtime::http::Uri::from_static("/");
            request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static(#content_type));
            request.headers_mut().insert(::awslim_runtime::http::HeaderName::from_static("x-amz-target"), ::awslim_runtime::http::HeaderValue::from_static(#target));
            #query_mode
            #extensions
            ::std::result::Result::Ok(request)
        }
    }
}
