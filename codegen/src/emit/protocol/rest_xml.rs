//! `aws.protocols#restXml`: the HTTP bindings of [`super::http_binding`] plus XML bodies. The
//! unbound members of an input are written as one document whose root is the input structure
//! (`@xmlName`, else its shape name), a structured `@httpPayload` as a document whose root is
//! the member (`@xmlName` of the member, else of the structure, else the shape name); the
//! service's `@xmlNamespace` is declared on the root unless the root has its own. Members honour
//! `@xmlName`, `@xmlAttribute`, `@xmlFlattened` and `@xmlNamespace`. Elements are built as an
//! `::awslim_runtime::xml::Element` tree by the crate's `src/query.rs` (the functions below) and
//! written by quick-xml (`::awslim_runtime::xml::write`), which does all escaping.
//!
//! Responses are read by the XML readers of [`super::query_codec`] (shared with awsQuery and
//! ec2Query) and the header/status bindings of [`super::http_binding`]; errors are
//! `<ErrorResponse><Error>` or, with `noErrorWrapping`, `<Error>` at the root (the runtime
//! accepts both: `awslim_runtime::protocol::rest_xml`).

use proc_macro2::TokenStream;
use quote::quote;

use super::http_binding::{request_bindings, response_bindings, RequestBindings};
use super::query_codec::{de_fn, in_response_body, member_name, ser_fn, timestamp_format};
use crate::emit::{ident, lit};
use crate::ir::{Crate, Field, HttpBinding, Operation, Presence, Struct, Type, Union, ValueType, XmlNamespace};

/// `fn serialize(input) -> Result<Request<Bytes>, ConstructionError>` for `op`.
pub(super) fn serializer(krate: &Crate, op: &Operation, input: Option<&Struct>) -> TokenStream {
    let RequestBindings { method, path, query, header_decl, header_apply } = request_bindings(op, input);
    let fields: Vec<&Field> = input.map(|s| s.fields.iter().collect()).unwrap_or_default();
    let payload = fields.iter().find(|f| f.http == HttpBinding::Payload);
    let has_body = fields.iter().any(|f| f.http == HttpBinding::Body);
    let streaming = payload.filter(|p| p.value.ty == Type::ByteStream);
    let body_code = match (payload, input) {
        (Some(p), _) if streaming.is_some() => super::http_binding::streaming_payload_code(p),
        (Some(p), _) => payload_code(krate, p),
        (None, Some(s)) if has_body => {
            let root = document(krate, quote!(input), &s.name, &s.xml_root, s.xml_namespace.as_ref());
            quote! {
                let body = ::awslim_runtime::bytes::Bytes::from(#root);
                let content_type = ::std::option::Option::Some("application/xml");
            }
        }
        _ => quote! {
            let body = ::awslim_runtime::bytes::Bytes::new();
            let content_type: ::std::option::Option<&'static str> = ::std::option::Option::None;
        },
    };
    let reads_input = payload.is_some() || has_body || fields.iter().any(|f| f.http != HttpBinding::Body);
    let input_used = input.filter(|_| !reads_input).map(|_| quote!(let _ = &input;));
    let (input_param, body_type) = super::http_binding::serializer_signature(input, streaming.is_some());
    let extensions = super::request_extensions(op, input);
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
            #query
            #header_decl
            #body_code
            let mut request = ::awslim_runtime::http::Request::new(body);
            *request.method_mut() = #method;
            *request.uri_mut() = ::awslim_runtime::http::Uri::try_from(uri).map_err(|e| bad_request(::std::format!("URI: {}", e)))?;
            if let ::std::option::Option::Some(content_type) = content_type {
                request.headers_mut().insert(::awslim_runtime::http::header::CONTENT_TYPE, ::awslim_runtime::http::HeaderValue::from_static(content_type));
            }
            #header_apply
            #extensions
            ::std::result::Result::Ok(request)
        }
    }
}

/// An expression (`Vec<u8>`): the XML document of the structure or union `type_name` behind the
/// reference `value`, its root named `root` with the namespace `ns` (else the service's).
fn document(krate: &Crate, value: TokenStream, type_name: &str, root: &str, ns: Option<&XmlNamespace>) -> TokenStream {
    let f = ser_fn(type_name);
    let ns = ns.or(krate.service.xml_namespace.as_ref()).map(|ns| {
        let (name, uri) = ns.attribute();
        quote!(root.attributes.push((::std::string::String::from(#name), ::std::string::String::from(#uri)));)
    });
    quote!({
        let mut root = ::awslim_runtime::xml::Element::new(#root);
        #ns
        crate::query::#f(#value, &mut root);
        ::awslim_runtime::xml::write(&root)
    })
}

/// Statements setting `body` and `content_type` from the `@httpPayload` member `p`: blobs and
/// strings as they are, a structure or union as an XML document, nothing when unset.
fn payload_code(krate: &Crate, p: &Field) -> TokenStream {
    let fname = ident(&p.name);
    let (default_type, to_bytes) = match &p.value.ty {
        Type::Blob => ("application/octet-stream", quote!(value.as_bytes().to_vec())),
        Type::String => ("text/plain", quote!(value.as_bytes().to_vec())),
        Type::Enum(_) => ("text/plain", quote!(value.as_str().as_bytes().to_vec())),
        Type::Struct(n) | Type::Union(n) => {
            let s = krate.find_struct(n);
            let root = p.value.xml.name.clone().or_else(|| s.map(|s| s.xml_root.clone())).unwrap_or_else(|| n.clone());
            let ns = p.value.xml.namespace.as_ref().or_else(|| s.and_then(|s| s.xml_namespace.as_ref()));
            ("application/xml", document(krate, quote!(value), n, &root, ns))
        }
        // Other payload types are rejected for every protocol when the IR is built.
        _ => ("application/octet-stream", quote!(::std::vec::Vec::<u8>::new())),
    };
    let content_type = p.value.media_type.clone().unwrap_or_else(|| default_type.to_owned());
    let value = if p.presence == Presence::Optional {
        quote!(input.#fname.as_ref())
    } else {
        quote!(::std::option::Option::Some(&input.#fname))
    };
    quote! {
        let (body, content_type): (::awslim_runtime::bytes::Bytes, ::std::option::Option<&'static str>) = match #value {
            ::std::option::Option::Some(value) => (::awslim_runtime::bytes::Bytes::from(#to_bytes), ::std::option::Option::Some(#content_type)),
            ::std::option::Option::None => (::awslim_runtime::bytes::Bytes::new(), ::std::option::Option::None),
        };
    }
}

/// `fn parse` for `op`: the output from the body's root element (an empty body reads as an empty
/// one) and the bound headers, status and payload; for an error, the variant chosen by
/// `Error/Code`, its members read from `<Error>` and its bound headers.
pub(super) fn parser(krate: &Crate, op: &Operation) -> TokenStream {
    let err_name = ident(&op.error_name);
    let rt = super::Protocol::RestXml.runtime_module();
    let output = op.output.as_ref().and_then(|o| krate.find_struct(o));
    let mut stream_parser = quote!();
    let (output_ty, success) = match output {
        Some(s) => {
            let o = ident(&s.name);
            let f = de_fn(&s.name);
            let bindings = response_bindings(s, true);
            let from_bytes = super::http_binding::streaming_from_bytes(s);
            stream_parser = super::http_binding::streaming_parser(
                s,
                quote!(crate::query::#f(&::awslim_runtime::xml::Element::default())?),
            );
            let read = if op.xml_unwrapped_output {
                unwrapped_output(s)
            } else if s.fields.iter().any(in_response_body) {
                quote! {
                    let root = ::awslim_runtime::xml::parse_unless_empty(response.body(), crate::query::XML_NAMES)?;
                    let mut output = crate::query::#f(root.as_ref().unwrap_or(&::awslim_runtime::xml::Element::default()))?;
                }
            } else {
                quote!(let mut output = crate::query::#f(&::awslim_runtime::xml::Element::default())?;)
            };
            (
                quote!(crate::types::#o),
                quote! {
                    #read
                    #bindings
                    #from_bytes
                    output.request_id = #rt::request_id(response.headers());
                    ::std::result::Result::Ok(::std::result::Result::Ok(output))
                },
            )
        }
        None => (quote!(()), quote!(::std::result::Result::Ok(::std::result::Result::Ok(())))),
    };
    let arms = error_arms(krate, op);
    let unhandled = quote!(#err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)));
    let error = if arms.is_empty() {
        quote!(let error = #unhandled;)
    } else {
        quote!(let error = match meta.code() { #(#arms)* _ => #unhandled, };)
    };
    super::parse_fn(krate, op, &rt, (output_ty, success), error, stream_parser)
}

/// Statements reading `output` of an operation with `s3UnwrappedXmlOutput`: the root element
/// is its one body member (`<LocationConstraint>us-west-2</LocationConstraint>`), not a wrapper.
fn unwrapped_output(s: &Struct) -> TokenStream {
    let f = de_fn(&s.name);
    // The root is read as that member whatever its name.
    let wrap = s
        .fields
        .iter()
        .find(|f| in_response_body(f))
        .map(|field| {
            let name = lit(&member_name(&field.member, &field.value));
            quote! {
                if let ::std::option::Option::Some(mut root) = root {
                    root.name = ::std::string::String::from(#name);
                    wrapper.children.push(root);
                }
            }
        })
        .unwrap_or_else(|| quote!(let _ = root;));
    quote! {
        let root = ::awslim_runtime::xml::parse_unless_empty(response.body(), crate::query::XML_NAMES)?;
        #[allow(unused_mut)]
        let mut wrapper = ::awslim_runtime::xml::Element::default();
        #wrap
        let mut output = crate::query::#f(&wrapper)?;
    }
}

/// `Some("Code") => ...` arms reading the modeled error of that code from `<Error>` and its
/// bound headers; a body (or header) that cannot be read still leaves code, status and request
/// id (as `Unhandled`).
fn error_arms(krate: &Crate, op: &Operation) -> Vec<TokenStream> {
    let err_name = ident(&op.error_name);
    let rt = super::Protocol::RestXml.runtime_module();
    op.errors
        .iter()
        .map(|e| {
            let t = ident(&e.type_name);
            let code = lit(&e.info.code);
            let f = de_fn(&e.type_name);
            let bindings = krate.find_struct(&e.type_name).map(|s| response_bindings(s, true)).unwrap_or_default();
            quote! {
                ::std::option::Option::Some(#code) => {
                    let read = (|| {
                        let root = ::awslim_runtime::xml::parse_known(response.body(), crate::query::XML_NAMES)?;
                        let element = #rt::error_element(&root).ok_or_else(|| ::awslim_runtime::json::ParseError::new("no <Error> element"))?;
                        #[allow(unused_mut)]
                        let mut output = crate::query::#f(element)?;
                        #bindings
                        ::std::result::Result::Ok::<_, ::awslim_runtime::json::ParseError>(output)
                    })();
                    match read {
                        ::std::result::Result::Ok(error) => #err_name::#t(error.with_meta(meta)),
                        ::std::result::Result::Err(_) => #err_name::Unhandled(::awslim_runtime::UnhandledError::new(meta)),
                    }
                }
            }
        })
        .collect()
}

/// `ser_<struct>(input, element)` of `src/query.rs` for restXml: adds the structure's body
/// members to `element` (attributes and child elements, in member order).
pub(super) fn ser_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = ser_fn(&s.name);
    let body: Vec<&Field> = s.fields.iter().filter(|f| f.http == HttpBinding::Body).collect();
    let writes = body.iter().map(|field| {
        let fname = ident(&field.name);
        let write = write_member(&field.member, &field.value, quote!(value));
        match field.presence {
            Presence::Optional => quote!(if let ::std::option::Option::Some(value) = &input.#fname { #write }),
            _ => quote!({ let value = &input.#fname; #write }),
        }
    });
    let (input_name, element_name) =
        if body.is_empty() { (quote!(_input), quote!(_element)) } else { (quote!(input), quote!(element)) };
    quote! {
        pub fn #f(#input_name: &crate::types::#name, #element_name: &mut ::awslim_runtime::xml::Element) {
            #(#writes)*
        }
    }
}

/// `ser_<union>(input, element)` for restXml: the set member as a child of `element`.
pub(super) fn ser_union(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = ser_fn(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        match &v.value {
            Some(value) => {
                let write = write_member(&v.member, value, quote!(value));
                quote!(crate::types::#name::#vname(value) => { #write })
            }
            None => {
                let key = lit(&v.member);
                quote!(crate::types::#name::#vname => element.children.push(::awslim_runtime::xml::Element::new(#key)),)
            }
        }
    });
    quote! {
        pub fn #f(input: &crate::types::#name, element: &mut ::awslim_runtime::xml::Element) {
            match input {
                #(#arms)*
                // A member this client does not know cannot be written.
                crate::types::#name::Unknown(_) => {}
            }
        }
    }
}

/// Statements adding the member `member` (value behind the reference `expr`) to `element`: an
/// attribute, repeated elements (flattened lists and maps) or one child element.
fn write_member(member: &str, v: &ValueType, expr: TokenStream) -> TokenStream {
    let name = member_name(member, v);
    if v.xml.attribute {
        let text = scalar_text(v, expr);
        let key = lit(&name);
        return quote!(element.attributes.push((::std::string::String::from(#key), #text)););
    }
    match &v.ty {
        Type::List { item, sparse } if v.xml.flattened => {
            // Each item is an element named after the list member, with its namespace.
            let item_v = ValueType { xml: v.xml.clone(), ..(**item).clone() };
            let inner = value_element(&item_v, quote!(item), &name);
            let inner = if *sparse {
                quote!(if let ::std::option::Option::Some(item) = item { element.children.push(#inner); })
            } else {
                quote!(element.children.push(#inner);)
            };
            quote!(for item in #expr.iter() { #inner })
        }
        Type::Map { .. } if v.xml.flattened => {
            let entry = map_entry(v, &name);
            quote!(for (key, item) in #expr.iter() { #entry })
        }
        _ => {
            let e = value_element(v, expr, &name);
            quote!(element.children.push(#e);)
        }
    }
}

/// Statements pushing one map entry (`key`, `item` in scope) onto `element` as an element
/// `entry_name` holding the key and value elements.
fn map_entry(v: &ValueType, entry_name: &str) -> TokenStream {
    let Type::Map { key, value, sparse } = &v.ty else { return quote!() };
    let key_name = key.xml.name.as_deref().unwrap_or("key");
    let value_name = value.xml.name.as_deref().unwrap_or("value");
    let key_el = with_namespace(
        key,
        quote!(::awslim_runtime::xml::Element::leaf(#key_name, ::std::string::ToString::to_string(key.as_str()))),
    );
    let value_el = value_element(value, quote!(item), value_name);
    let push_value = if *sparse {
        quote!(if let ::std::option::Option::Some(item) = item { entry.children.push(#value_el); })
    } else {
        quote!(entry.children.push(#value_el);)
    };
    let entry_el = with_namespace(v, quote!(::awslim_runtime::xml::Element::new(#entry_name)));
    quote! {
        let mut entry = #entry_el;
        entry.children.push(#key_el);
        #push_value
        element.children.push(entry);
    }
}

/// An expression (`Element`) named `name` holding the value behind the reference `expr`.
fn value_element(v: &ValueType, expr: TokenStream, name: &str) -> TokenStream {
    let el = quote!(::awslim_runtime::xml::Element);
    let e = match &v.ty {
        Type::Struct(n) | Type::Union(n) => {
            let f = ser_fn(n);
            quote!({ let mut element = #el::new(#name); crate::query::#f(#expr, &mut element); element })
        }
        Type::List { item, sparse } => {
            let item_name = member_name("member", item);
            let inner = value_element(item, quote!(item), &item_name);
            let push = if *sparse {
                quote!(if let ::std::option::Option::Some(item) = item { element.children.push(#inner); })
            } else {
                quote!(element.children.push(#inner);)
            };
            quote!({ let mut element = #el::new(#name); for item in #expr.iter() { #push } element })
        }
        Type::Map { .. } => {
            let entry = map_entry(&ValueType { xml: Default::default(), ..v.clone() }, "entry");
            quote!({ let mut element = #el::new(#name); for (key, item) in #expr.iter() { #entry } element })
        }
        _ => {
            let text = scalar_text(v, expr);
            quote!(#el::leaf(#name, #text))
        }
    };
    with_namespace(v, e)
}

/// `e` (an `Element` expression) with the `xmlns` attribute of `v`'s `@xmlNamespace`, if any.
fn with_namespace(v: &ValueType, e: TokenStream) -> TokenStream {
    match &v.xml.namespace {
        Some(ns) => {
            let (name, uri) = ns.attribute();
            quote!(#e.with_attribute(#name, #uri))
        }
        None => e,
    }
}

/// An expression (`String`) for a scalar behind the reference `expr` as XML text.
fn scalar_text(v: &ValueType, expr: TokenStream) -> TokenStream {
    let xml = quote!(::awslim_runtime::xml);
    match &v.ty {
        Type::String | Type::Bool | Type::Byte | Type::Short | Type::Integer | Type::Long => {
            quote!(::std::string::ToString::to_string(#expr))
        }
        Type::Float => quote!(#xml::float_to_text(f64::from(*#expr), ::std::string::ToString::to_string(#expr))),
        Type::Double => quote!(#xml::float_to_text(*#expr, ::std::string::ToString::to_string(#expr))),
        Type::BigInteger | Type::BigDecimal | Type::Enum(_) => {
            quote!(::std::string::ToString::to_string(#expr.as_str()))
        }
        Type::IntEnum(_) => quote!(::std::string::ToString::to_string(&#expr.as_i32())),
        Type::Blob => quote!(#xml::blob_to_text(#expr)),
        Type::Timestamp(f) => {
            let f = timestamp_format(*f);
            quote!(#xml::timestamp_to_text(#expr, #f))
        }
        // Documents are rejected for XML protocols when the IR is built; collections are not text.
        _ => quote!(::std::string::String::new()),
    }
}
