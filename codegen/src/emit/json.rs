//! `src/json.rs`: restJson1 body (de)serializers. Writers stream into
//! `::awslim_runtime::json::JsonWriter`; readers pick members out of a parsed
//! `serde_json::Value` by wire name. Each reader has a `SCHEMA_*` static naming the members it
//! reads, so the body is parsed with unknown members skipped (never built as a tree).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::types::default_expr;
use super::{ident, lit, timestamp_format};
use crate::ir::{Crate, EventBinding, HttpBinding, Presence, Struct, Type, Union, ValueType};
use crate::naming;

pub(crate) fn ser_fn(type_name: &str) -> Ident {
    format_ident!("ser_{}", naming::snake_case(type_name))
}

pub(crate) fn de_fn(type_name: &str) -> Ident {
    format_ident!("de_{}", naming::snake_case(type_name))
}

/// The `static` holding what the reader of `type_name` needs from a JSON body.
pub(crate) fn schema_static(type_name: &str) -> Ident {
    format_ident!("SCHEMA_{}", naming::snake_case(type_name).to_ascii_uppercase())
}

/// An expression reading `response.body()` as JSON, keeping what the reader of `t` needs
/// (unknown members are skipped while parsing).
pub(crate) fn parse_response_body(t: &ValueType) -> TokenStream {
    let schema = schema_expr(t);
    quote!(::awslim_runtime::json::parse_body_as(response.body(), &#schema))
}

/// [`parse_response_body`] for the structure `type_name`, read by the runtime module `codec`
/// (`::awslim_runtime::json`, or `::awslim_runtime::cbor` whose reader builds the same documents).
pub(crate) fn parse_response_body_of(type_name: &str, codec: &TokenStream) -> TokenStream {
    let schema = schema_static(type_name);
    quote!(#codec::parse_body_as(response.body(), &crate::json::#schema))
}

/// A constant `::awslim_runtime::json::Schema` expression for a value of type `t`.
fn schema_expr(t: &ValueType) -> TokenStream {
    let schema = quote!(::awslim_runtime::json::Schema);
    match &t.ty {
        Type::Struct(n) | Type::Union(n) => {
            let s = schema_static(n);
            quote!(crate::json::#s)
        }
        Type::List { item, .. } => {
            let item = schema_expr(item);
            quote!(#schema::List(&#item))
        }
        Type::Map { value, .. } => {
            let value = schema_expr(value);
            quote!(#schema::Map(&#value))
        }
        Type::Document => quote!(#schema::Any),
        _ => quote!(#schema::Scalar),
    }
}

fn schema_struct(s: &Struct) -> TokenStream {
    let name = schema_static(&s.name);
    let members = s.fields.iter().filter(|f| reads_from_body(&f.http)).map(|f| {
        let key = lit(&f.json_name);
        let schema = schema_expr(&f.value);
        quote!((#key, &#schema),)
    });
    let doc = format!(" What [`de_{}`] reads from a JSON body.", naming::snake_case(&s.name));
    quote! {
        #[doc = #doc]
        pub static #name: ::awslim_runtime::json::Schema = ::awslim_runtime::json::Schema::Struct(&[#(#members)*]);
    }
}

fn schema_union(u: &Union) -> TokenStream {
    let name = schema_static(&u.name);
    let members = u.variants.iter().map(|v| {
        let key = lit(&v.json_name);
        let schema = match &v.value {
            Some(value) => schema_expr(value),
            None => quote!(::awslim_runtime::json::Schema::Struct(&[])),
        };
        quote!((#key, &#schema),)
    });
    let doc = format!(" What [`de_{}`] reads from a JSON body.", naming::snake_case(&u.name));
    quote! {
        #[doc = #doc]
        pub static #name: ::awslim_runtime::json::Schema = ::awslim_runtime::json::Schema::Union(&[#(#members)*]);
    }
}

pub(super) fn json_rs(krate: &Crate) -> TokenStream {
    let mut items = Vec::new();
    for s in &krate.structs {
        if s.usage.input {
            items.push(ser_struct(s, Codec::Json));
        }
        if s.usage.output {
            items.push(schema_struct(s));
            items.push(de_struct(s));
        }
    }
    for u in &krate.unions {
        // An input event stream is sent as messages (`src/event_stream.rs`), never as JSON.
        if u.usage.input && !u.event_stream {
            items.push(ser_union(u, Codec::Json));
        }
        if u.usage.output {
            items.push(schema_union(u));
            items.push(de_union(u));
        }
    }
    quote! {
        //! JSON body (de)serializers for restJson1. For generated code; not a stable API.
        #![allow(clippy::needless_borrow, clippy::redundant_closure, clippy::manual_unwrap_or, clippy::manual_unwrap_or_default)]
        #(#items)*
    }
}

/// A body encoding whose writers share the shape walk of this module: the `ser_*` functions
/// are the same for JSON and CBOR except for the module they live in and the runtime writer
/// types they take (`::awslim_runtime::json` or `::awslim_runtime::cbor`, which have the same
/// methods).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    /// `src/json.rs`, writing JSON.
    Json,
    /// `src/cbor.rs`, writing CBOR (rpcv2Cbor).
    Cbor,
}

impl Codec {
    /// The generated module holding the writers (`crate::json`).
    fn module(self) -> TokenStream {
        match self {
            Codec::Json => quote!(crate::json),
            Codec::Cbor => quote!(crate::cbor),
        }
    }

    /// The runtime module with the writer types (`::awslim_runtime::json`).
    fn runtime(self) -> TokenStream {
        match self {
            Codec::Json => quote!(::awslim_runtime::json),
            Codec::Cbor => quote!(::awslim_runtime::cbor),
        }
    }
}

/// `src/cbor.rs` of an rpcv2Cbor crate: the CBOR writers of every input structure and union.
/// Responses are read into documents by the runtime and then by the readers of `src/json.rs`.
pub(super) fn cbor_rs(krate: &Crate) -> TokenStream {
    let structs = krate.structs.iter().filter(|s| s.usage.input).map(|s| ser_struct(s, Codec::Cbor));
    let unions = krate.unions.iter().filter(|u| u.usage.input).map(|u| ser_union(u, Codec::Cbor));
    quote! {
        //! CBOR body writers for rpcv2Cbor. For generated code; not a stable API.
        #![allow(clippy::needless_borrow, clippy::redundant_closure)]
        #(#structs)*
        #(#unions)*
    }
}

/// Code writing the value behind the reference `expr` into the JSON `ValueWriter` expression `w`.
pub(crate) fn ser_value(v: &ValueType, expr: TokenStream, w: TokenStream) -> TokenStream {
    ser_value_in(Codec::Json, v, expr, w)
}

/// [`ser_value`] for the writers of `codec`.
fn ser_value_in(codec: Codec, v: &ValueType, expr: TokenStream, w: TokenStream) -> TokenStream {
    let module = codec.module();
    match &v.ty {
        Type::String => quote!(#w.string(#expr);),
        Type::Bool => quote!(#w.boolean(*#expr);),
        Type::Long => quote!(#w.integer(*#expr);),
        Type::Byte | Type::Short | Type::Integer => quote!(#w.integer(i64::from(*#expr));),
        Type::Float => quote!(#w.float(*#expr);),
        Type::Double => quote!(#w.double(*#expr);),
        Type::BigInteger | Type::BigDecimal => quote!(#w.number_text(#expr.as_str());),
        Type::Blob => quote!(#w.blob(#expr);),
        // Only ever an `@httpPayload` (the generator refuses it elsewhere), never in a JSON body.
        Type::ByteStream => quote!({ let _ = (#expr, &mut #w); }),
        Type::Timestamp(f) => {
            let f = timestamp_format(*f);
            quote!(#w.timestamp(#expr, #f);)
        }
        Type::Document => quote!(#w.document(#expr);),
        Type::Enum(_) => quote!(#w.string(#expr.as_str());),
        Type::IntEnum(_) => quote!(#w.integer(i64::from(#expr.as_i32()));),
        Type::Struct(n) => {
            let f = ser_fn(n);
            quote! {
                let mut object = #w.object();
                #module::#f(#expr, &mut object);
                object.finish();
            }
        }
        Type::Union(n) => {
            let f = ser_fn(n);
            quote!(#module::#f(#expr, #w);)
        }
        // Event streams are refused in inputs when the IR is built.
        Type::EventStream(_) | Type::EventSender(_) => quote!(let _ = (#expr, #w);),
        Type::List { item, sparse } => {
            let inner = ser_value_in(codec, item, quote!(item), quote!(array.value()));
            let body = if *sparse {
                quote! {
                    match item {
                        ::std::option::Option::Some(item) => { #inner }
                        ::std::option::Option::None => array.value().null(),
                    }
                }
            } else {
                inner
            };
            quote! {
                let mut array = #w.array();
                for item in #expr.iter() {
                    #body
                }
                array.finish();
            }
        }
        Type::Map { value, sparse, .. } => {
            let inner = ser_value_in(codec, value, quote!(item), quote!(object.key(key.as_str())));
            let body = if *sparse {
                quote! {
                    match item {
                        ::std::option::Option::Some(item) => { #inner }
                        ::std::option::Option::None => object.key(key.as_str()).null(),
                    }
                }
            } else {
                inner
            };
            quote! {
                let mut object = #w.object();
                for (key, item) in #expr.iter() {
                    #body
                }
                object.finish();
            }
        }
    }
}

/// An expression of type `Result<T, ParseError>` reading the `&Value` expression `v`.
pub(crate) fn de_value(t: &ValueType, v: TokenStream) -> TokenStream {
    match &t.ty {
        Type::String => quote!(::awslim_runtime::json::expect_string(#v)),
        Type::Bool => quote!(::awslim_runtime::json::expect_bool(#v)),
        Type::Byte => quote!(::awslim_runtime::json::expect_i8(#v)),
        Type::Short => quote!(::awslim_runtime::json::expect_i16(#v)),
        Type::Integer => quote!(::awslim_runtime::json::expect_i32(#v)),
        Type::Long => quote!(::awslim_runtime::json::expect_long(#v)),
        Type::Float => quote!(::awslim_runtime::json::expect_f32(#v)),
        Type::Double => quote!(::awslim_runtime::json::expect_f64(#v)),
        Type::BigInteger => quote!(::awslim_runtime::json::expect_big_integer(#v)),
        Type::BigDecimal => quote!(::awslim_runtime::json::expect_big_decimal(#v)),
        Type::Blob => quote!(::awslim_runtime::json::expect_blob(#v)),
        Type::ByteStream => quote!({
            let _ = #v;
            ::std::result::Result::<::awslim_runtime::ByteStream, _>::Err(::awslim_runtime::json::ParseError::new("a streaming body is never read from a JSON document"))
        }),
        Type::Timestamp(f) => {
            let f = timestamp_format(*f);
            quote!(::awslim_runtime::json::expect_timestamp(#v, #f))
        }
        Type::Document => {
            quote!(::std::result::Result::<::awslim_runtime::Document, ::awslim_runtime::json::ParseError>::Ok(::std::clone::Clone::clone(#v)))
        }
        Type::Enum(n) => {
            let n = ident(n);
            quote!(::awslim_runtime::json::expect_string(#v).map(crate::types::#n::from))
        }
        Type::IntEnum(n) => {
            let n = ident(n);
            quote!(::awslim_runtime::json::expect_i32(#v).map(crate::types::#n::from))
        }
        Type::Struct(n) | Type::Union(n) => {
            let f = de_fn(n);
            quote!(crate::json::#f(#v))
        }
        // The `@httpPayload` of an output, read from the response body as messages arrive.
        Type::EventStream(_) | Type::EventSender(_) => quote!({
            let _ = #v;
            ::std::result::Result::Err(::awslim_runtime::json::ParseError::new("an event stream is not a JSON value"))
        }),
        Type::List { item, sparse } => {
            let inner = de_value(item, quote!(item));
            let item_t = super::rust_type(item);
            if *sparse {
                quote! {
                    ::awslim_runtime::json::expect_array(#v).and_then(|items| {
                        items.iter().enumerate().map(|(index, item)| {
                            if item.is_null() {
                                return ::std::result::Result::Ok(::std::option::Option::None);
                            }
                            #inner.map(::std::option::Option::Some).map_err(|e| e.within(::std::format!("[{}]", index)))
                        }).collect::<::std::result::Result<::std::vec::Vec<::std::option::Option<#item_t>>, ::awslim_runtime::json::ParseError>>()
                    })
                }
            } else {
                quote! {
                    ::awslim_runtime::json::expect_array(#v).and_then(|items| {
                        items.iter().enumerate().filter(|(_, item)| !item.is_null()).map(|(index, item)| {
                            #inner.map_err(|e| e.within(::std::format!("[{}]", index)))
                        }).collect::<::std::result::Result<::std::vec::Vec<#item_t>, ::awslim_runtime::json::ParseError>>()
                    })
                }
            }
        }
        Type::Map { key, value, sparse } => {
            let inner = de_value(value, quote!(item));
            let key_t = super::rust_type(key);
            let value_t = super::rust_type(value);
            let key_expr = match &key.ty {
                Type::Enum(n) => {
                    let n = ident(n);
                    quote!(crate::types::#n::from(key.as_str()))
                }
                _ => quote!(::std::clone::Clone::clone(key)),
            };
            if *sparse {
                quote! {
                    ::awslim_runtime::json::expect_object(#v).and_then(|entries| {
                        entries.iter().map(|(key, item)| {
                            if item.is_null() {
                                return ::std::result::Result::Ok((#key_expr, ::std::option::Option::None));
                            }
                            let value = #inner.map_err(|e| e.within(::std::format!("[{:?}]", key)))?;
                            ::std::result::Result::Ok((#key_expr, ::std::option::Option::Some(value)))
                        }).collect::<::std::result::Result<::std::collections::BTreeMap<#key_t, ::std::option::Option<#value_t>>, ::awslim_runtime::json::ParseError>>()
                    })
                }
            } else {
                quote! {
                    ::awslim_runtime::json::expect_object(#v).and_then(|entries| {
                        entries.iter().filter(|(_, item)| !item.is_null()).map(|(key, item)| {
                            let value = #inner.map_err(|e| e.within(::std::format!("[{:?}]", key)))?;
                            ::std::result::Result::Ok((#key_expr, value))
                        }).collect::<::std::result::Result<::std::collections::BTreeMap<#key_t, #value_t>, ::awslim_runtime::json::ParseError>>()
                    })
                }
            }
        }
    }
}

/// The value a required member takes when the response leaves it out (Smithy's client error
/// correction: the zero value of its type).
pub(crate) fn zero_value(t: &ValueType) -> TokenStream {
    match &t.ty {
        Type::String => quote!(::std::string::String::new()),
        Type::Bool => quote!(false),
        Type::Byte | Type::Short | Type::Integer | Type::Long => quote!(0),
        Type::Float | Type::Double => quote!(0.0),
        Type::Struct(n) | Type::Union(n) => {
            let f = de_fn(n);
            quote!(crate::json::#f(&::awslim_runtime::Document::Object(::std::default::Default::default()))?)
        }
        Type::Enum(n) => {
            let n = ident(n);
            quote!(crate::types::#n::Unknown(::std::string::String::new()))
        }
        Type::IntEnum(n) => {
            let n = ident(n);
            quote!(crate::types::#n::Unknown(0))
        }
        _ => quote!(::std::default::Default::default()),
    }
}

fn ser_struct(s: &Struct, codec: Codec) -> TokenStream {
    let runtime = codec.runtime();
    let name = ident(&s.name);
    let f = ser_fn(&s.name);
    // Members of an event structure sent as message headers or as the payload are not in its JSON.
    let body_fields: Vec<_> =
        s.fields.iter().filter(|f| f.http == HttpBinding::Body && f.event == EventBinding::Body).collect();
    let writes = body_fields.iter().map(|field| {
        let fname = ident(&field.name);
        let key = lit(&field.json_name);
        match field.presence {
            Presence::Optional => {
                let w = ser_value_in(codec, &field.value, quote!(value), quote!(object.key(#key)));
                quote! {
                    if let ::std::option::Option::Some(value) = &input.#fname {
                        #w
                    }
                }
            }
            _ => {
                let w = ser_value_in(codec, &field.value, quote!(value), quote!(object.key(#key)));
                quote!({
                    let value = &input.#fname;
                    #w
                })
            }
        }
    });
    let input_name = if body_fields.is_empty() { quote!(_input) } else { quote!(input) };
    let object_name = if body_fields.is_empty() { quote!(_object) } else { quote!(object) };
    quote! {
        pub fn #f(#input_name: &crate::types::#name, #object_name: &mut #runtime::ObjectWriter<'_>) {
            #(#writes)*
        }
    }
}

fn de_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = de_fn(&s.name);
    let fields = s.fields.iter().map(|field| {
        let fname = ident(&field.name);
        let key = lit(&field.json_name);
        let read = de_value(&field.value, quote!(value));
        let read = if field.boxed { quote!(#read.map(::std::boxed::Box::new)) } else { read };
        let found = quote! {
            match ::awslim_runtime::json::member(object, #key) {
                ::std::option::Option::Some(value) => ::std::option::Option::Some(#read.map_err(|e| e.within(#key))?),
                ::std::option::Option::None => ::std::option::Option::None,
            }
        };
        // Members bound to headers or the status code are filled in by the operation.
        let found = if reads_from_body(&field.http) { found } else { quote!(::std::option::Option::None) };
        let wrap_box = |e: TokenStream| if field.boxed { quote!(::std::boxed::Box::new(#e)) } else { e };
        match &field.presence {
            Presence::Optional => quote!(#fname: #found,),
            Presence::Required => {
                let zero = wrap_box(zero_value(&field.value));
                quote!(#fname: match #found { ::std::option::Option::Some(value) => value, ::std::option::Option::None => #zero },)
            }
            Presence::Default(d) => {
                let d = wrap_box(default_expr(&field.value, d));
                quote!(#fname: match #found { ::std::option::Option::Some(value) => value, ::std::option::Option::None => #d },)
            }
        }
    });
    let meta = s.error.as_ref().map(|_| quote!(meta: ::std::default::Default::default(),));
    let request_id = s.operation_output.then(|| quote!(request_id: ::std::option::Option::None,));
    let meta = quote!(#meta #request_id);
    let object = if !s.fields.iter().any(|f| reads_from_body(&f.http)) {
        quote!(let _object = ::awslim_runtime::json::expect_object(value)?;)
    } else {
        quote!(let object = ::awslim_runtime::json::expect_object(value)?;)
    };
    quote! {
        pub fn #f(value: &::awslim_runtime::Document) -> ::std::result::Result<crate::types::#name, ::awslim_runtime::json::ParseError> {
            #object
            ::std::result::Result::Ok(crate::types::#name {
                #(#fields)*
                #meta
            })
        }
    }
}

/// Whether a member of a response structure is read from the JSON body: members bound to
/// headers, the status code or the payload are filled in by the operation, and query or label
/// bindings mean nothing in a response.
pub(crate) fn reads_from_body(http: &HttpBinding) -> bool {
    matches!(http, HttpBinding::Body | HttpBinding::Query(_) | HttpBinding::QueryParams | HttpBinding::Label)
}

fn ser_union(u: &Union, codec: Codec) -> TokenStream {
    let runtime = codec.runtime();
    let name = ident(&u.name);
    let f = ser_fn(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let key = lit(&v.json_name);
        match &v.value {
            Some(value) => {
                let w = ser_value_in(codec, value, quote!(value), quote!(object.key(#key)));
                quote!(crate::types::#name::#vname(value) => { #w })
            }
            None => quote!(crate::types::#name::#vname => object.key(#key).object().finish(),),
        }
    });
    quote! {
        pub fn #f(input: &crate::types::#name, writer: #runtime::ValueWriter<'_>) {
            let mut object = writer.object();
            match input {
                #(#arms)*
                crate::types::#name::Unknown(member) => object.key(member.name()).document(member.value()),
            }
            object.finish();
        }
    }
}

fn de_union(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = de_fn(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let key = lit(&v.json_name);
        match &v.value {
            Some(value) => {
                let read = de_value(value, quote!(value));
                let read = if v.boxed { quote!(#read.map(::std::boxed::Box::new)) } else { read };
                quote!(#key => crate::types::#name::#vname(#read.map_err(|e| e.within(#key))?),)
            }
            None => quote!(#key => crate::types::#name::#vname,),
        }
    });
    quote! {
        pub fn #f(value: &::awslim_runtime::Document) -> ::std::result::Result<crate::types::#name, ::awslim_runtime::json::ParseError> {
            let object = ::awslim_runtime::json::expect_object(value)?;
            let mut set = object.iter().filter(|(key, value)| !value.is_null() && key.as_str() != "__type");
            let ::std::option::Option::Some((key, value)) = set.next() else {
                return ::std::result::Result::Ok(crate::types::#name::Unknown(::awslim_runtime::UnknownMember::new("", ::awslim_runtime::Document::Null)));
            };
            if set.next().is_some() {
                return ::std::result::Result::Err(::awslim_runtime::json::ParseError::new("a union must have exactly one member set, found several"));
            }
            ::std::result::Result::Ok(match key.as_str() {
                #(#arms)*
                _ => crate::types::#name::Unknown(::awslim_runtime::UnknownMember::new(key.as_str(), ::std::clone::Clone::clone(value))),
            })
        }
    }
}
