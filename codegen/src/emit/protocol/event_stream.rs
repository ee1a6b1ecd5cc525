//! Event streams, server to client (restJson1): `src/event_stream.rs` with one reader per
//! `@streaming` union, turning a decoded message into the union's member, and the operation's
//! `parse_stream`, which fills the output from the response head and hands the body to an
//! `awslim_runtime::event_stream::EventReceiver`.
//!
//! A message's `@eventHeader` members come from its headers, an `@eventPayload` member is the
//! whole payload (bytes, UTF-8 text, or JSON for a structure or union), and the other members are
//! the JSON object of the payload, read by the structure's usual JSON reader.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::http_binding::response_bindings;
use crate::emit::json::{de_fn, de_value, schema_static, ser_fn, ser_value};
use crate::emit::{ident, lit};
use crate::ir::{Crate, EventBinding, Field, HttpBinding, Operation, Presence, Struct, Type, Union};
use crate::naming;

/// The reader of the event-stream union `name` in `crate::event_stream`.
fn union_reader(name: &str) -> Ident {
    format_ident!("read_{}", naming::snake_case(name))
}

fn event_reader(name: &str) -> Ident {
    format_ident!("read_event_{}", naming::snake_case(name))
}

fn union_writer(name: &str) -> Ident {
    format_ident!("write_{}", naming::snake_case(name))
}

fn event_writer(name: &str) -> Ident {
    format_ident!("write_event_{}", naming::snake_case(name))
}

/// Whether the crate needs `src/event_stream.rs` (and the runtime's `event-stream` feature).
pub(crate) fn needed(krate: &Crate) -> bool {
    krate.unions.iter().any(|u| u.event_stream)
}

/// Whether some operation sends an event stream (the runtime's `event-stream-signing` feature).
pub(crate) fn sends_events(krate: &Crate) -> bool {
    krate.unions.iter().any(|u| u.event_stream && u.usage.input)
}

/// The field of an input that is an event stream.
pub(crate) fn sender_field(s: &Struct) -> Option<&Field> {
    s.fields.iter().find(|f| matches!(f.value.ty, Type::EventSender(_)))
}

/// The operation's input when it holds an event stream.
pub(crate) fn stream_input<'k>(krate: &'k Crate, op: &Operation) -> Option<&'k Struct> {
    op.input.as_deref().and_then(|i| krate.find_struct(i)).filter(|s| sender_field(s).is_some())
}

/// Whether events flow both ways: the request goes over HTTP/2 (the runtime's `http2` feature).
pub(crate) fn bidirectional(krate: &Crate, op: &Operation) -> bool {
    stream_input(krate, op).is_some() && stream_output(krate, op).is_some()
}

/// The field of an output that is an event stream.
pub(crate) fn stream_field(s: &Struct) -> Option<&Field> {
    s.fields.iter().find(|f| matches!(f.value.ty, Type::EventStream(_)))
}

/// The operation's output when it is an event stream.
pub(crate) fn stream_output<'k>(krate: &'k Crate, op: &Operation) -> Option<&'k Struct> {
    op.output.as_deref().and_then(|o| krate.find_struct(o)).filter(|s| stream_field(s).is_some())
}

/// The structures the members of `unions` target.
fn event_structs<'k>(krate: &'k Crate, unions: &[&Union]) -> Vec<&'k Struct> {
    let mut events = BTreeSet::new();
    for u in unions {
        for v in &u.variants {
            if let Some(Type::Struct(n)) = v.value.as_ref().map(|v| &v.ty) {
                events.insert(n.clone());
            }
        }
    }
    events.iter().filter_map(|n| krate.find_struct(n)).collect()
}

/// `src/event_stream.rs`.
pub(crate) fn event_stream_rs(krate: &Crate) -> TokenStream {
    let read: Vec<&Union> = krate.unions.iter().filter(|u| u.event_stream && u.usage.output).collect();
    let written: Vec<&Union> = krate.unions.iter().filter(|u| u.event_stream && u.usage.input).collect();
    let union_fns = read.iter().map(|u| union_fn(u));
    let event_fns = event_structs(krate, &read).into_iter().map(event_fn);
    let union_writers = written.iter().map(|u| union_write_fn(u));
    let event_writers = event_structs(krate, &written).into_iter().map(event_write_fn);
    quote! {
        //! Readers of event-stream messages (the union member an event or exception message
        //! holds) and writers (the message that sends a union member).
        #(#union_fns)*
        #(#event_fns)*
        #(#union_writers)*
        #(#event_writers)*
    }
}

fn union_write_fn(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = union_writer(&u.name);
    let w = quote!(::awslim_runtime::event_stream::write);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let key = lit(&v.member);
        let exception = v.error;
        match v.value.as_ref().map(|t| &t.ty) {
            None => quote! {
                crate::types::#name::#vname => ::std::result::Result::Ok(#w::message(#exception, #key, ::std::option::Option::None, ::std::vec::Vec::new())),
            },
            Some(Type::Struct(n)) => {
                let wf = event_writer(n);
                quote! {
                    crate::types::#name::#vname(value) => #wf(value, #exception, #key).map_err(|e| ::std::format!("`{}`: {}", #key, e)),
                }
            }
            // The IR accepts only structures (and Unit) as members of an event stream.
            Some(_) => quote! {
                crate::types::#name::#vname(_) => ::std::result::Result::Err(::std::format!("`{}` is not an event structure", #key)),
            },
        }
    });
    let doc = format!(
        " The message sending a member of `{}`, checked first against the model's constraints when `validate` says so.",
        u.name
    );
    let check = if u.needs_validation {
        quote! {
            if validate {
                event.validate().map_err(|e| ::std::string::ToString::to_string(&e))?;
            }
        }
    } else {
        quote!(let _ = validate;)
    };
    quote! {
        #[doc = #doc]
        pub(crate) fn #f(event: &crate::types::#name, validate: bool) -> ::std::result::Result<::awslim_runtime::event_stream::Message, ::std::string::String> {
            #check
            match event {
                #(#arms)*
                crate::types::#name::Unknown(unknown) => ::std::result::Result::Err(::std::format!(
                    "the event `{}` is not in the model this client was generated from and cannot be sent",
                    unknown.name()
                )),
            }
        }
    }
}

fn event_write_fn(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = event_writer(&s.name);
    let w = quote!(::awslim_runtime::event_stream::write);
    let has_body = s.fields.iter().any(|f| f.event == EventBinding::Body);
    let payload_field = s.fields.iter().find(|f| f.event == EventBinding::Payload);
    let payload = if let Some(p) = payload_field {
        event_payload(p)
    } else if has_body {
        let ser = ser_fn(&s.name);
        quote! {
            let mut writer = ::awslim_runtime::json::JsonWriter::new();
            let mut object = writer.value().object();
            crate::json::#ser(value, &mut object);
            object.finish();
            let (content_type, payload) = (::std::option::Option::Some("application/json"), writer.finish());
        }
    } else {
        quote!(let (content_type, payload): (::std::option::Option<&str>, ::std::vec::Vec<u8>) = (::std::option::Option::None, ::std::vec::Vec::new());)
    };
    let headers: Vec<TokenStream> =
        s.fields.iter().filter(|f| f.event == EventBinding::Header).map(header_write).collect();
    let uses_value = has_body || payload_field.is_some() || !headers.is_empty();
    let value = if uses_value { quote!(value) } else { quote!(_value) };
    let mutable = if headers.is_empty() { quote!() } else { quote!(mut) };
    quote! {
        fn #f(#value: &crate::types::#name, exception: bool, event_type: &str) -> ::std::result::Result<::awslim_runtime::event_stream::Message, ::std::string::String> {
            #payload
            let #mutable message = #w::message(exception, event_type, content_type, payload);
            #(#headers)*
            ::std::result::Result::Ok(message)
        }
    }
}

/// Statements setting `content_type` and `payload` from the `@eventPayload` member `p`.
fn event_payload(p: &Field) -> TokenStream {
    let fname = ident(&p.name);
    let (content_type, bytes) = match &p.value.ty {
        Type::Blob => ("application/octet-stream", quote!(v.as_bytes().to_vec())),
        Type::String => ("text/plain", quote!(v.as_bytes().to_vec())),
        _ => {
            let w = ser_value(&p.value, quote!(v), quote!(writer.value()));
            (
                "application/json",
                quote!({ let mut writer = ::awslim_runtime::json::JsonWriter::new(); #w writer.finish() }),
            )
        }
    };
    let content_type = p.value.media_type.clone().unwrap_or_else(|| content_type.to_owned());
    if p.presence == Presence::Optional {
        quote! {
            let (content_type, payload) = match value.#fname.as_ref() {
                ::std::option::Option::Some(v) => (::std::option::Option::Some(#content_type), #bytes),
                ::std::option::Option::None => (::std::option::Option::None, ::std::vec::Vec::new()),
            };
        }
    } else {
        quote! {
            let v = &value.#fname;
            let (content_type, payload) = (::std::option::Option::Some(#content_type), #bytes);
        }
    }
}

/// `message = write::<type>(message, name, value)` for the `@eventHeader` member `f`.
fn header_write(f: &Field) -> TokenStream {
    let w = quote!(::awslim_runtime::event_stream::write);
    let fname = ident(&f.name);
    let key = lit(&f.member);
    let call = match &f.value.ty {
        Type::String => quote!(#w::string(message, #key, v)),
        Type::Bool => quote!(#w::boolean(message, #key, *v)),
        Type::Byte => quote!(#w::byte(message, #key, *v)),
        Type::Short => quote!(#w::short(message, #key, *v)),
        Type::Integer => quote!(#w::integer(message, #key, *v)),
        Type::Long => quote!(#w::long(message, #key, *v)),
        Type::Blob => quote!(#w::blob(message, #key, v)),
        Type::Timestamp(_) => quote!(#w::timestamp(message, #key, v)),
        Type::Enum(_) => quote!(#w::string(message, #key, v.as_str())),
        Type::IntEnum(_) => quote!(#w::integer(message, #key, v.as_i32())),
        // The IR accepts only the header value types of the specification.
        _ => return quote!(),
    };
    if f.presence == Presence::Optional {
        quote! {
            if let ::std::option::Option::Some(v) = value.#fname.as_ref() {
                message = #call;
            }
        }
    } else {
        quote! {
            let v = &value.#fname;
            message = #call;
        }
    }
}

fn union_fn(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = union_reader(&u.name);
    let kind = quote!(::awslim_runtime::event_stream::MessageKind);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let key = lit(&v.member);
        let k = if v.error { quote!(#kind::Exception) } else { quote!(#kind::Event) };
        let value = match v.value.as_ref().map(|t| &t.ty) {
            None => quote!(crate::types::#name::#vname),
            Some(Type::Struct(n)) => {
                let r = event_reader(n);
                let read = quote!(#r(message).map_err(|e| e.within(#key))?);
                let read = if v.boxed { quote!(::std::boxed::Box::new(#read)) } else { read };
                quote!(crate::types::#name::#vname(#read))
            }
            // The IR accepts only structures (and Unit) as members of an event stream.
            Some(_) => quote!(
                return ::std::result::Result::Err(::awslim_runtime::json::ParseError::new("not an event structure"))
            ),
        };
        quote!((#k, #key) => ::std::option::Option::Some(#value),)
    });
    quote! {
        /// The member of the event stream the message holds; `None` for an exception the model
        /// does not describe (an unknown event is kept as `Unknown`).
        pub(crate) fn #f(kind: #kind, name: &str, message: &::awslim_runtime::event_stream::Message) -> ::std::result::Result<::std::option::Option<crate::types::#name>, ::awslim_runtime::json::ParseError> {
            ::std::result::Result::Ok(match (kind, name) {
                #(#arms)*
                (#kind::Event, _) => {
                    let value = ::awslim_runtime::json::parse_body(message.payload()).unwrap_or(::awslim_runtime::Document::Null);
                    ::std::option::Option::Some(crate::types::#name::Unknown(::awslim_runtime::UnknownMember::new(name, value)))
                }
                (#kind::Exception, _) => ::std::option::Option::None,
            })
        }
    }
}

fn event_fn(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = event_reader(&s.name);
    let de = de_fn(&s.name);
    let schema = schema_static(&s.name);
    let has_body = s.fields.iter().any(|f| f.event == EventBinding::Body);
    let document = if has_body {
        quote! {
            let document = if message.payload().is_empty() {
                ::awslim_runtime::Document::Object(::std::default::Default::default())
            } else {
                ::awslim_runtime::json::parse_body_as(message.payload(), &crate::json::#schema)?
            };
        }
    } else if s.fields.is_empty() {
        quote! {
            let _ = message;
            let document = ::awslim_runtime::Document::Object(::std::default::Default::default());
        }
    } else {
        quote!(let document = ::awslim_runtime::Document::Object(::std::default::Default::default());)
    };
    let headers = s.fields.iter().filter(|f| f.event == EventBinding::Header).map(header_assign);
    let payload = s.fields.iter().find(|f| f.event == EventBinding::Payload).map(payload_assign);
    let mutable = if s.fields.iter().any(|f| f.event != EventBinding::Body) { quote!(mut) } else { quote!() };
    quote! {
        fn #f(message: &::awslim_runtime::event_stream::Message) -> ::std::result::Result<crate::types::#name, ::awslim_runtime::json::ParseError> {
            #document
            let #mutable value = crate::json::#de(&document)?;
            #(#headers)*
            #payload
            ::std::result::Result::Ok(value)
        }
    }
}

/// `target.field = e;` (wrapped in `Some`/`Box` as the field is).
fn assign_to(target: TokenStream, f: &Field, e: TokenStream) -> TokenStream {
    let fname = ident(&f.name);
    let e = if f.boxed { quote!(::std::boxed::Box::new(#e)) } else { e };
    if f.presence == Presence::Optional {
        quote!(#target.#fname = ::std::option::Option::Some(#e);)
    } else {
        quote!(#target.#fname = #e;)
    }
}

fn assign(f: &Field, e: TokenStream) -> TokenStream {
    assign_to(quote!(value), f, e)
}

fn header_assign(f: &Field) -> TokenStream {
    let h = quote!(::awslim_runtime::event_stream::headers);
    let key = lit(&f.member);
    let (read, convert) = match &f.value.ty {
        Type::String => (quote!(#h::string), quote!(v)),
        Type::Bool => (quote!(#h::boolean), quote!(v)),
        Type::Byte => (quote!(#h::byte), quote!(v)),
        Type::Short => (quote!(#h::short), quote!(v)),
        Type::Integer => (quote!(#h::integer), quote!(v)),
        Type::Long => (quote!(#h::long), quote!(v)),
        Type::Blob => (quote!(#h::blob), quote!(v)),
        Type::Timestamp(_) => (quote!(#h::timestamp), quote!(v)),
        Type::Enum(n) => {
            let n = ident(n);
            (quote!(#h::string), quote!(crate::types::#n::from(v)))
        }
        Type::IntEnum(n) => {
            let n = ident(n);
            (quote!(#h::integer), quote!(crate::types::#n::from(v)))
        }
        // The IR accepts only the header value types of the specification.
        _ => return quote!(),
    };
    let set = assign(f, convert);
    quote! {
        if let ::std::option::Option::Some(v) = #read(message, #key)? {
            #set
        }
    }
}

fn payload_assign(f: &Field) -> TokenStream {
    let key = lit(&f.member);
    let read = match &f.value.ty {
        Type::Blob => quote!(::awslim_runtime::Blob::new(message.payload().to_vec())),
        Type::String => quote! {
            ::std::string::String::from_utf8(message.payload().to_vec())
                .map_err(|_| ::awslim_runtime::json::ParseError::new("the payload is not UTF-8").within(#key))?
        },
        _ => {
            let read = de_value(&f.value, quote!(&document));
            quote!({
                let document = ::awslim_runtime::json::parse_body(message.payload()).map_err(|e| e.within(#key))?;
                #read.map_err(|e| e.within(#key))?
            })
        }
    };
    assign(f, read)
}

/// `fn parse_stream` of an operation whose output holds an event stream: the output's other
/// members from the response head, the stream from the body as it arrives.
pub(crate) fn stream_parser(krate: &Crate, op: &Operation) -> TokenStream {
    let Some(s) = stream_output(krate, op) else { return quote!() };
    let Some(field) = stream_field(s) else { return quote!() };
    let Type::EventStream(u) = &field.value.ty else { return quote!() };
    let o = ident(&s.name);
    let de = de_fn(&s.name);
    let reader = union_reader(u);
    let bindings = response_bindings(s, false);
    // Smithy's event-stream tests want a missing `@required` member of the initial response
    // (a header, for the HTTP-binding protocols) to fail the call, unlike other responses,
    // whose missing required members get their zero value (client error correction).
    let required_headers = s.fields.iter().filter(|f| f.presence == Presence::Required).filter_map(|f| match &f.http {
        HttpBinding::Header(name) => {
            let message = format!("the initial response has no `{name}` header for its required member `{}`", f.member);
            Some(quote! {
                if !response.headers().contains_key(#name) {
                    return ::std::result::Result::Err(::awslim_runtime::json::ParseError::new(#message));
                }
            })
        }
        _ => None,
    });
    let stream = quote!(::awslim_runtime::event_stream::EventReceiver::new(body, crate::event_stream::#reader));
    let set_stream = assign_to(quote!(output), field, stream);
    let err_name = ident(&op.error_name);
    quote! {
        /// Reads a successful response: the output's members from the head, its event stream
        /// from the body as messages arrive.
        pub(crate) fn parse_stream(response: ::awslim_runtime::http::Response<::awslim_runtime::ByteStream>) -> ::std::result::Result<crate::types::#o, ::awslim_runtime::json::ParseError> {
            let (parts, body) = response.into_parts();
            let response = ::awslim_runtime::http::Response::from_parts(parts, ::awslim_runtime::bytes::Bytes::new());
            #[cfg(feature = "test-util")]
            if let ::std::option::Option::Some(answer) = ::awslim_runtime::mock::take_answer::<crate::types::#o, #err_name>(&response, crate::SERVICE.error_metadata) {
                return answer.map_err(|e| ::awslim_runtime::json::ParseError::new(::std::format!("a mocked error on a success status: {}", e)));
            }
            #(#required_headers)*
            let mut output = crate::json::#de(&::awslim_runtime::Document::Object(::std::default::Default::default()))?;
            #bindings
            output.request_id = ::awslim_runtime::protocol::request_id(response.headers());
            #set_stream
            ::std::result::Result::Ok(output)
        }
    }
}
