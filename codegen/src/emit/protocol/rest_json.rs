//! `aws.protocols#restJson1`: the HTTP bindings of [`super::http_binding`] plus JSON bodies
//! (`@httpPayload` or the unbound members as one object, keyed by `@jsonName`), errors by the
//! JSON rules (`awslim_runtime::protocol::rest_json`).

use proc_macro2::TokenStream;
use quote::quote;

use super::http_binding::{request_bindings, RequestBindings};
use crate::emit::ident;
use crate::emit::json::{ser_fn, ser_value};
use crate::ir::{Field, HttpBinding, Operation, Presence, Struct, Type};

/// `fn serialize(input) -> Result<Request<Bytes>, ConstructionError>` for `op`; a request whose
/// body is an input event stream (a `ByteStream` body, its
/// `awslim_runtime::event_stream::EventStreamBody` link on the extensions) goes over HTTP/2 when
/// events also flow back (`bidirectional`).
pub(super) fn serializer(op: &Operation, input: Option<&Struct>, bidirectional: bool) -> TokenStream {
    let RequestBindings { method: method_expr, path, query: query_decl, header_decl, header_apply } =
        request_bindings(op, input);
    let fields: Vec<&Field> = input.map(|s| s.fields.iter().collect()).unwrap_or_default();
    let payload = fields.iter().find(|f| f.http == HttpBinding::Payload);
    let body_fields: Vec<&&Field> = fields.iter().filter(|f| f.http == HttpBinding::Body).collect();
    let events = payload.filter(|p| matches!(p.value.ty, Type::EventSender(_)));
    let streaming = payload.filter(|p| matches!(p.value.ty, Type::ByteStream | Type::EventSender(_)));
    let body_code = if let Some(p) = events {
        event_stream_payload_code(p)
    } else if let Some(p) = streaming {
        super::http_binding::streaming_payload_code(p)
    } else if let Some(p) = payload {
        payload_code(p)
    } else if body_fields.is_empty() {
        quote!(let body = ::awslim_runtime::bytes::Bytes::new();)
    } else {
        let name = input.map(|s| s.name.clone()).unwrap_or_default();
        let f = ser_fn(&name);
        quote! {
            let mut writer = ::awslim_runtime::json::JsonWriter::new();
            let mut object = writer.value().object();
            crate::json::#f(input, &mut object);
            object.finish();
            let body = ::awslim_runtime::bytes::Bytes::from(writer.finish());
        }
    };
    // Some operations read none of their input's members.
    let reads_input =
        payload.is_some() || !body_fields.is_empty() || fields.iter().any(|f| f.http != HttpBinding::Body);
    let input_used = input.filter(|_| !reads_input).map(|_| quote!(let _ = &input;));
    let (input_param, body_type) = super::http_binding::serializer_signature(input, streaming.is_some());
    let extensions = super::request_extensions(op, input);
    let (ct_mut, ct_apply) = if payload.is_some() {
        (
            quote!(),
            quote! {
                if let ::std::option::Option::Some(content_type) = content_type {
                    request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static(content_type));
                }
            },
        )
    } else if !body_fields.is_empty() {
        (
            quote!(),
            quote!(request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static("application/json"));),
        )
    } else {
        (quote!(), quote!())
    };
    let events_apply = events.map(|_| {
        let version = bidirectional.then(|| quote!(*request.version_mut() = ::awslim_runtime::http::Version::HTTP_2;));
        quote! {
            request.extensions_mut().insert(events);
            #version
        }
    });
    quote! {
        /// Builds the HTTP request (relative URI) for this operation.
        pub(crate) fn serialize(#input_param) -> ::std::result::Result<::awslim_runtime::http::Request<#body_type>, ::awslim_runtime::ConstructionError> {
            #[allow(unused)]
            fn bad_request(message: ::std::string::String) -> ::awslim_runtime::ConstructionError {
                ::awslim_runtime::ConstructionError::new(::awslim_runtime::error::ConstructionErrorKind::Request, message)
            }
            #input_used
            let mut uri = ::std::string::String::new();
            #path
            #query_decl
            #header_decl
            #ct_mut
            #body_code
            let mut request = ::awslim_runtime::http::Request::new(body);
            *request.method_mut() = #method_expr;
            *request.uri_mut() = ::awslim_runtime::http::Uri::try_from(uri).map_err(|e| bad_request(::std::format!("URI: {}", e)))?;
            #ct_apply
            #header_apply
            #extensions
            #events_apply
            ::std::result::Result::Ok(request)
        }
    }
}

/// Statements setting `body` (the messages of the input event stream `p`, moved out of `input`),
/// `events` (the body's link to the request's signature) and `content_type`.
fn event_stream_payload_code(p: &Field) -> TokenStream {
    let fname = ident(&p.name);
    let Type::EventSender(u) = &p.value.ty else { return quote!() };
    let writer = quote::format_ident!("write_{}", crate::naming::snake_case(u));
    let take = if p.presence == Presence::Optional {
        quote!(input.#fname.take().unwrap_or_default())
    } else {
        quote!(::std::mem::take(&mut input.#fname))
    };
    quote! {
        let (body, events) = ::awslim_runtime::event_stream::request_body(#take, crate::event_stream::#writer);
        let content_type = ::std::option::Option::Some("application/vnd.amazon.eventstream");
    }
}

/// Statements setting `body` and `content_type` from the `@httpPayload` member `p`.
fn payload_code(p: &Field) -> TokenStream {
    let fname = ident(&p.name);
    let opt = p.presence == Presence::Optional;
    let (default_type, to_bytes) = match &p.value.ty {
        Type::Blob => {
            ("application/octet-stream", quote!(::awslim_runtime::bytes::Bytes::from(value.as_bytes().to_vec())))
        }
        Type::String => ("text/plain", quote!(::awslim_runtime::bytes::Bytes::from(value.as_bytes().to_vec()))),
        Type::Enum(_) => {
            ("text/plain", quote!(::awslim_runtime::bytes::Bytes::from(value.as_str().as_bytes().to_vec())))
        }
        _ => {
            let w = ser_value(&p.value, quote!(value), quote!(writer.value()));
            (
                "application/json",
                quote!({ let mut writer = ::awslim_runtime::json::JsonWriter::new(); #w ::awslim_runtime::bytes::Bytes::from(writer.finish()) }),
            )
        }
    };
    // @mediaType on the target names the payload's Content-Type.
    let content_type = p.value.media_type.clone().unwrap_or_else(|| default_type.to_owned());
    let value_bind =
        if opt { quote!(input.#fname.as_ref()) } else { quote!(::std::option::Option::Some(&input.#fname)) };
    // An unset structure payload is sent as an empty object.
    let none = if matches!(p.value.ty, Type::Struct(_)) {
        quote!((::awslim_runtime::bytes::Bytes::from_static(b"{}"), ::std::option::Option::Some("application/json")))
    } else {
        quote!((::awslim_runtime::bytes::Bytes::new(), ::std::option::Option::None))
    };
    quote! {
        let (body, content_type): (::awslim_runtime::bytes::Bytes, ::std::option::Option<&'static str>) = match #value_bind {
            ::std::option::Option::Some(value) => (#to_bytes, ::std::option::Option::Some(#content_type)),
            ::std::option::Option::None => #none,
        };
    }
}
