//! `aws.protocols#awsQuery` and `aws.protocols#ec2Query`: every call is `POST /` with a form-encoded body
//! (`Action=<Operation>&Version=<api version>&...`, `Content-Type:
//! application/x-www-form-urlencoded`); responses are XML wrapped in
//! `<OperationResponse><OperationResult>`, errors `<ErrorResponse><Error><Code>`, with the
//! code of `@awsQueryError` where the model gives one. ec2Query differs in its form keys, in
//! responses (the members directly in `<OperationResponse>`, `<requestId>` there) and in its
//! error wrapper (`<Response><Errors><Error>`). The form keys and XML element names are
//! those of [`super::query_codec`], which writes `src/query.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::query_codec::{de_fn, ser_fn};
use crate::emit::{ident, lit};
use crate::ir::{Crate, Operation, Struct};

/// `fn serialize` for `op`.
pub(super) fn serializer(krate: &Crate, op: &Operation, input: Option<&Struct>) -> TokenStream {
    let action = lit(&op.name);
    let version = lit(&krate.service.version);
    let (input_param, writer, write) = match input {
        Some(s) => {
            let n = ident(&s.name);
            let f = ser_fn(&s.name);
            (quote!(input: &crate::types::#n), quote!(mut writer), quote!(crate::query::#f(input, &mut writer, "");))
        }
        None => (quote!(), quote!(writer), quote!()),
    };
    let extensions = super::request_extensions(op, input);
    quote! {
        /// Builds the HTTP request (relative URI) for this operation.
        pub(crate) fn serialize(#input_param) -> ::std::result::Result<::awslim_runtime::http::Request<::awslim_runtime::bytes::Bytes>, ::awslim_runtime::ConstructionError> {
            #[allow(unused)]
            fn bad_request(message: ::std::string::String) -> ::awslim_runtime::ConstructionError {
                ::awslim_runtime::ConstructionError::new(::awslim_runtime::error::ConstructionErrorKind::Request, message)
            }
            let #writer = ::awslim_runtime::protocol::query::QueryWriter::new(#action, #version);
            #write
            let body = ::awslim_runtime::bytes::Bytes::from(writer.finish());
            let mut request = ::awslim_runtime::http::Request::new(body);
            *request.method_mut() = ::awslim_runtime::http::Method::POST;
            *request.uri_mut() = ::awslim_runtime::http::Uri::from_static("/");
            request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static("application/x-www-form-urlencoded"));
            #extensions
            ::std::result::Result::Ok(request)
        }
    }
}

/// `fn parse` for `op`: the output from `<OperationResult>` (an absent one, or an empty body,
/// reads as empty),
/// the request id from `<ResponseMetadata>`; for an error, the variant chosen by `Error/Code`.
pub(super) fn parser(krate: &Crate, op: &Operation, protocol: super::Protocol) -> TokenStream {
    let err_name = ident(&op.error_name);
    let op_name = lit(&op.name);
    let rt = protocol.runtime_module();
    // awsQuery's result element may be absent; ec2Query's is the root itself.
    let result = if protocol == super::Protocol::Ec2Query {
        quote!(#rt::result_element(root, #op_name)?)
    } else {
        quote!(#rt::result_element(root, #op_name)?.unwrap_or(&empty))
    };
    let output = op.output.as_ref().and_then(|o| krate.find_struct(o));
    let (output_ty, success) = match output {
        Some(s) => {
            let o = ident(&s.name);
            let f = de_fn(&s.name);
            (
                quote!(crate::types::#o),
                quote! {
                    let root = ::awslim_runtime::xml::parse_unless_empty(response.body(), crate::query::XML_NAMES)?;
                    let empty = ::awslim_runtime::xml::Element::default();
                    let result = match &root {
                        ::std::option::Option::Some(root) => #result,
                        ::std::option::Option::None => &empty,
                    };
                    let mut output = crate::query::#f(result)?;
                    output.request_id = #rt::request_id(root.as_ref().unwrap_or(&empty), response.headers());
                    ::std::result::Result::Ok(::std::result::Result::Ok(output))
                },
            )
        }
        None => (quote!(()), quote!(::std::result::Result::Ok(::std::result::Result::Ok(())))),
    };
    let arms = error_arms(op, quote!(#rt::error_element));
    let unhandled = quote!(#err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)));
    let error = if arms.is_empty() {
        quote!(let error = #unhandled;)
    } else {
        quote!(let error = match meta.code() { #(#arms)* _ => #unhandled, };)
    };
    let take_answer = crate::emit::mock::take_answer();
    quote! {
        /// Reads the response: the output for a success status, else the error.
        pub(crate) fn parse(response: &::awslim_runtime::http::Response<::awslim_runtime::bytes::Bytes>) -> ::std::result::Result<::std::result::Result<#output_ty, #err_name>, ::awslim_runtime::json::ParseError> {
            #take_answer
            let status = response.status().as_u16();
            if (200..300).contains(&status) {
                #success
            } else {
                let meta = #rt::error_metadata(response);
                #error
                ::std::result::Result::Ok(::std::result::Result::Err(error))
            }
        }
    }
}

/// `Some("Code") => ...` arms reading the modeled error of that code from the element
/// `error_element(&root)` finds; a body that cannot be read still leaves code, status and
/// request id (as `Unhandled`).
pub(super) fn error_arms(op: &Operation, error_element: TokenStream) -> Vec<TokenStream> {
    let err_name = ident(&op.error_name);
    op.errors
        .iter()
        .map(|e| {
            let t = ident(&e.type_name);
            let code = lit(&e.info.code);
            let f = de_fn(&e.type_name);
            quote! {
                ::std::option::Option::Some(#code) => {
                    let read = ::awslim_runtime::xml::parse_known(response.body(), crate::query::XML_NAMES).and_then(|root| {
                        let element = #error_element(&root).ok_or_else(|| ::awslim_runtime::json::ParseError::new("no <Error> element"))?;
                        crate::query::#f(element)
                    });
                    match read {
                        ::std::result::Result::Ok(error) => #err_name::#t(error.with_meta(meta)),
                        ::std::result::Result::Err(_) => #err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)),
                    }
                }
            }
        })
        .collect()
}
