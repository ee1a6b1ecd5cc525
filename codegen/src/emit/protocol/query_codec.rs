//! `src/query.rs` of awsQuery (and ec2Query) crates: form serializers writing into
//! `::awslim_runtime::protocol::query::QueryWriter` under a key prefix, and XML readers picking
//! members out of an `::awslim_runtime::xml::Element` by element name.
//!
//! Form keys (awsQuery): a member is `Prefix.Name` (`@xmlName` or the member name); a list is
//! `Name.member.N` (the list member's `@xmlName` in place of `member`), `Name.N` when
//! `@xmlFlattened`, and `Name=` when empty; a map is `Name.entry.N.key` / `.value` (its key and
//! value members' `@xmlName`), `Name.N.key` when flattened. XML uses the same names: a list is
//! `<Name><member>..</member></Name>`, a flattened one repeats `<Name>` in its parent.
//!
//! ec2Query differs only in form keys: `@ec2QueryName`, else the `@xmlName` or member name
//! capitalised; every list is `Name.N` (never `.member`, nothing for an empty one).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::emit::json::zero_value;
use crate::emit::types::default_expr;
use crate::emit::{ident, lit, rust_type};
use crate::ir::{Crate, Field, HttpBinding, Presence, Struct, TimestampFormat, Type, Union, ValueType};
use crate::naming;

pub(crate) fn ser_fn(type_name: &str) -> Ident {
    format_ident!("ser_{}", naming::snake_case(type_name))
}

pub(crate) fn de_fn(type_name: &str) -> Ident {
    format_ident!("de_{}", naming::snake_case(type_name))
}

/// The name of a structure member in XML (and awsQuery form keys).
pub(super) fn member_name(member: &str, v: &ValueType) -> String {
    v.xml.name.clone().unwrap_or_else(|| member.to_owned())
}

/// The form-key dialect: awsQuery or ec2Query.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    AwsQuery,
    Ec2Query,
}

/// The name of a structure member in form keys.
fn key_name(dialect: Dialect, member: &str, v: &ValueType) -> String {
    match dialect {
        Dialect::AwsQuery => member_name(member, v),
        Dialect::Ec2Query => {
            v.xml.ec2_query_name.clone().unwrap_or_else(|| naming::ec2_query_key(&member_name(member, v)))
        }
    }
}

/// The `::awslim_runtime::TimestampFormat` of a timestamp; XML protocols default to date-time.
pub(super) fn timestamp_format(f: TimestampFormat) -> TokenStream {
    match f {
        TimestampFormat::Unset | TimestampFormat::DateTime => quote!(::awslim_runtime::TimestampFormat::DateTime),
        TimestampFormat::EpochSeconds => quote!(::awslim_runtime::TimestampFormat::EpochSeconds),
        TimestampFormat::HttpDate => quote!(::awslim_runtime::TimestampFormat::HttpDate),
    }
}

pub(crate) fn query_rs(krate: &Crate) -> TokenStream {
    let d = if krate.service.protocol == super::Protocol::Ec2Query { Dialect::Ec2Query } else { Dialect::AwsQuery };
    let mut items = Vec::new();
    let rest_xml = krate.service.protocol == super::Protocol::RestXml;
    for s in &krate.structs {
        if s.usage.input && rest_xml {
            items.push(super::rest_xml::ser_struct(s));
        } else if s.usage.input {
            items.push(ser_struct(d, s));
        }
        if s.usage.output {
            items.push(de_struct(s));
        }
    }
    for u in &krate.unions {
        if u.usage.input && rest_xml {
            items.push(super::rest_xml::ser_union(u));
        } else if u.usage.input {
            items.push(ser_union(d, u));
        }
        if u.usage.output {
            items.push(de_union(u));
        }
    }
    let names = xml_names(krate).into_iter().map(|n| lit(&n));
    let doc = if rest_xml {
        " XML writers and readers of restXml (shared with the query protocols). For generated code; not a stable API."
    } else {
        " Form serializers and XML readers of the query protocols. For generated code; not a stable API."
    };
    quote! {
        #![doc = #doc]
        #![allow(clippy::needless_borrow, clippy::redundant_closure)]
        /// Every element name the readers below look for (sorted): responses are parsed with
        /// other elements skipped unread (`::awslim_runtime::xml::parse_known`).
        pub static XML_NAMES: &[&str] = &[#(#names),*];
        #(#items)*
    }
}

/// The element names the readers of `krate` look for, sorted and without duplicates: members
/// of outputs and errors, list items and map entries, the operations' result wrappers and the
/// protocols' own (`ResponseMetadata`, `RequestId`, `requestId`, `Error`, `Errors`).
fn xml_names(krate: &Crate) -> std::collections::BTreeSet<String> {
    let mut names: std::collections::BTreeSet<String> =
        ["Error", "Errors", "RequestId", "ResponseMetadata", "requestId"].iter().map(|n| (*n).to_owned()).collect();
    for op in &krate.operations {
        names.insert(format!("{}Result", op.name));
    }
    fn value_names(v: &ValueType, names: &mut std::collections::BTreeSet<String>) {
        match &v.ty {
            Type::List { item, .. } => {
                names.insert(item.xml.name.clone().unwrap_or_else(|| "member".to_owned()));
                value_names(item, names);
            }
            Type::Map { key, value, .. } => {
                names.insert("entry".to_owned());
                names.insert(key.xml.name.clone().unwrap_or_else(|| "key".to_owned()));
                names.insert(value.xml.name.clone().unwrap_or_else(|| "value".to_owned()));
                value_names(value, names);
            }
            _ => {}
        }
    }
    for s in krate.structs.iter().filter(|s| s.usage.output) {
        for f in &s.fields {
            names.insert(member_name(&f.member, &f.value));
            value_names(&f.value, &mut names);
        }
    }
    for u in krate.unions.iter().filter(|u| u.usage.output) {
        for v in &u.variants {
            match &v.value {
                Some(value) => {
                    names.insert(member_name(&v.member, value));
                    value_names(value, &mut names);
                }
                None => {
                    names.insert(v.member.clone());
                }
            }
        }
    }
    names
}

/// Code writing the value behind the reference `expr` under the key `key` (a `&str` expression).
fn ser_value(d: Dialect, v: &ValueType, expr: TokenStream, key: TokenStream) -> TokenStream {
    match &v.ty {
        Type::String => quote!(writer.string(#key, #expr);),
        Type::Bool => quote!(writer.boolean(#key, *#expr);),
        Type::Long => quote!(writer.integer(#key, *#expr);),
        Type::Byte | Type::Short | Type::Integer => quote!(writer.integer(#key, i64::from(*#expr));),
        Type::Float => quote!(writer.float(#key, *#expr);),
        Type::Double => quote!(writer.double(#key, *#expr);),
        Type::BigInteger | Type::BigDecimal => quote!(writer.number_text(#key, #expr.as_str());),
        Type::Blob => quote!(writer.blob(#key, #expr);),
        // Refused by the generator for these protocols (no `@httpPayload`).
        Type::ByteStream => quote!({ let _ = (#key, #expr); }),
        Type::Timestamp(f) => {
            let f = timestamp_format(*f);
            quote!(writer.timestamp(#key, #expr, #f);)
        }
        // Rejected for the query protocols when the IR is built.
        Type::Document | Type::EventStream(_) | Type::EventSender(_) => quote!(let _ = (#key, #expr);),
        Type::Enum(_) => quote!(writer.string(#key, #expr.as_str());),
        Type::IntEnum(_) => quote!(writer.integer(#key, i64::from(#expr.as_i32()));),
        Type::Struct(n) | Type::Union(n) => {
            let f = ser_fn(n);
            quote!(crate::query::#f(#expr, writer, #key);)
        }
        Type::List { item, sparse } => {
            let item_key = if v.xml.flattened || d == Dialect::Ec2Query {
                quote!(&::std::format!("{}.{}", #key, index + 1))
            } else {
                let member = lit(item.xml.name.as_deref().unwrap_or("member"));
                quote!(&::std::format!("{}.{}.{}", #key, #member, index + 1))
            };
            let inner = ser_value(d, item, quote!(item), quote!(item_key));
            let inner =
                if *sparse { quote!(if let ::std::option::Option::Some(item) = item { #inner }) } else { inner };
            // awsQuery sends an empty list as `Name=`; ec2Query sends nothing.
            let empty = (d == Dialect::AwsQuery).then(|| quote!(if #expr.is_empty() { writer.empty(#key); }));
            quote! {
                #empty
                for (index, item) in #expr.iter().enumerate() {
                    let item_key: &str = #item_key;
                    #inner
                }
            }
        }
        Type::Map { key: key_t, value, sparse } => {
            let entry = if v.xml.flattened {
                quote!(::std::format!("{}.{}", #key, index + 1))
            } else {
                quote!(::std::format!("{}.entry.{}", #key, index + 1))
            };
            let key_name = lit(key_t.xml.name.as_deref().unwrap_or("key"));
            let value_name = lit(value.xml.name.as_deref().unwrap_or("value"));
            let inner = ser_value(d, value, quote!(item), quote!(&::std::format!("{}.{}", entry, #value_name)));
            let inner =
                if *sparse { quote!(if let ::std::option::Option::Some(item) = item { #inner }) } else { inner };
            // An empty map is sent as nothing at all (an empty list as `Name=`).
            quote! {
                for (index, (map_key, item)) in #expr.iter().enumerate() {
                    let entry = #entry;
                    writer.string(&::std::format!("{}.{}", entry, #key_name), map_key.as_str());
                    #inner
                }
            }
        }
    }
}

fn ser_struct(d: Dialect, s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = ser_fn(&s.name);
    let writes = s.fields.iter().map(|field| {
        let fname = ident(&field.name);
        let key = lit(&key_name(d, &field.member, &field.value));
        let w = ser_value(d, &field.value, quote!(value), quote!(&key));
        let key = quote!(let key = ::awslim_runtime::protocol::query::key(prefix, #key););
        match field.presence {
            Presence::Optional => quote! {
                if let ::std::option::Option::Some(value) = &input.#fname {
                    #key
                    #w
                }
            },
            _ => quote!({
                let value = &input.#fname;
                #key
                #w
            }),
        }
    });
    let (input_name, writer_name, prefix_name) = if s.fields.is_empty() {
        (quote!(_input), quote!(_writer), quote!(_prefix))
    } else {
        (quote!(input), quote!(writer), quote!(prefix))
    };
    quote! {
        pub fn #f(#input_name: &crate::types::#name, #writer_name: &mut ::awslim_runtime::protocol::query::QueryWriter, #prefix_name: &str) {
            #(#writes)*
        }
    }
}

fn ser_union(d: Dialect, u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = ser_fn(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        match &v.value {
            Some(value) => {
                let key = lit(&key_name(d, &v.member, value));
                let w = ser_value(d, value, quote!(value), quote!(&key));
                quote! {
                    crate::types::#name::#vname(value) => {
                        let key = ::awslim_runtime::protocol::query::key(prefix, #key);
                        #w
                    }
                }
            }
            None => {
                let key = lit(&v.member);
                quote!(crate::types::#name::#vname => writer.empty(&::awslim_runtime::protocol::query::key(prefix, #key)),)
            }
        }
    });
    quote! {
        pub fn #f(input: &crate::types::#name, writer: &mut ::awslim_runtime::protocol::query::QueryWriter, prefix: &str) {
            match input {
                #(#arms)*
                // A member this client does not know cannot be written as a form key.
                crate::types::#name::Unknown(_) => {}
            }
        }
    }
}

/// An expression of type `Result<T, ParseError>` reading the `&Element` expression `el`.
pub(super) fn de_value(t: &ValueType, el: TokenStream) -> TokenStream {
    let xml = quote!(::awslim_runtime::xml);
    match &t.ty {
        Type::String => {
            quote!(::std::result::Result::<_, ::awslim_runtime::json::ParseError>::Ok(::std::clone::Clone::clone(&#el.text)))
        }
        Type::Bool => quote!(#xml::bool_text(&#el.text)),
        Type::Byte => quote!(#xml::int_text::<i8>(&#el.text)),
        Type::Short => quote!(#xml::int_text::<i16>(&#el.text)),
        Type::Integer => quote!(#xml::int_text::<i32>(&#el.text)),
        Type::Long => quote!(#xml::int_text::<i64>(&#el.text)),
        Type::Float => quote!(#xml::f32_text(&#el.text)),
        Type::Double => quote!(#xml::f64_text(&#el.text)),
        Type::BigInteger => {
            quote!(::awslim_runtime::types::BigInteger::new(#el.text.trim()).ok_or_else(|| ::awslim_runtime::json::ParseError::new("not an integer")))
        }
        Type::BigDecimal => {
            quote!(::awslim_runtime::types::BigDecimal::new(#el.text.trim()).ok_or_else(|| ::awslim_runtime::json::ParseError::new("not a decimal number")))
        }
        Type::Blob => quote!(#xml::blob_text(&#el.text)),
        Type::ByteStream => quote!({
            let _ = #el;
            ::std::result::Result::<::awslim_runtime::ByteStream, _>::Err(::awslim_runtime::json::ParseError::new("a streaming body is never read from XML"))
        }),
        Type::Timestamp(f) => {
            let f = timestamp_format(*f);
            quote!(#xml::timestamp_text(&#el.text, #f))
        }
        Type::Document => {
            quote!(::std::result::Result::<::awslim_runtime::Document, ::awslim_runtime::json::ParseError>::Err(
                ::awslim_runtime::json::ParseError::new("documents are not supported in XML")
            ))
        }
        // Rejected for the query protocols when the IR is built.
        Type::EventStream(_) | Type::EventSender(_) => {
            quote!({ let _ = #el; ::std::result::Result::Err(::awslim_runtime::json::ParseError::new("event streams are not supported in XML")) })
        }
        Type::Enum(n) => {
            let n = ident(n);
            quote!(::std::result::Result::<_, ::awslim_runtime::json::ParseError>::Ok(crate::types::#n::from(#el.text.as_str())))
        }
        Type::IntEnum(n) => {
            let n = ident(n);
            quote!(#xml::int_text::<i32>(&#el.text).map(crate::types::#n::from))
        }
        Type::Struct(n) | Type::Union(n) => {
            let f = de_fn(n);
            quote!(crate::query::#f(#el))
        }
        Type::List { item, .. } => {
            let member = lit(item.xml.name.as_deref().unwrap_or("member"));
            de_items(t, quote!(#el.children_named(#member)))
        }
        Type::Map { .. } => de_entries(t, quote!(#el.children_named("entry"))),
    }
}

/// Reads the list `t` from an iterator of its item elements.
fn de_items(t: &ValueType, items: TokenStream) -> TokenStream {
    let Type::List { item, sparse } = &t.ty else { unreachable!("de_items of a list") };
    let inner = de_value(item, quote!(item));
    let item_t = rust_type(item);
    let (inner, item_t) = if *sparse {
        (quote!(#inner.map(::std::option::Option::Some)), quote!(::std::option::Option<#item_t>))
    } else {
        (inner, item_t)
    };
    quote! {
        #items.enumerate().map(|(index, item)| {
            #inner.map_err(|e| e.within(::std::format!("[{}]", index)))
        }).collect::<::std::result::Result<::std::vec::Vec<#item_t>, ::awslim_runtime::json::ParseError>>()
    }
}

/// Reads the map `t` from an iterator of its entry elements (each with a key and a value).
fn de_entries(t: &ValueType, entries: TokenStream) -> TokenStream {
    let Type::Map { key, value, sparse } = &t.ty else { unreachable!("de_entries of a map") };
    let key_name = lit(key.xml.name.as_deref().unwrap_or("key"));
    let value_name = lit(value.xml.name.as_deref().unwrap_or("value"));
    let inner = de_value(value, quote!(item));
    let key_t = rust_type(key);
    let value_t = rust_type(value);
    let key_expr = match &key.ty {
        Type::Enum(n) => {
            let n = ident(n);
            quote!(crate::types::#n::from(key.as_str()))
        }
        _ => quote!(::std::clone::Clone::clone(key)),
    };
    let (inner, value_t) = if *sparse {
        (quote!(#inner.map(::std::option::Option::Some)), quote!(::std::option::Option<#value_t>))
    } else {
        (inner, value_t)
    };
    quote! {
        #entries.map(|entry| {
            let key = &entry.child(#key_name).ok_or_else(|| ::awslim_runtime::json::ParseError::new("a map entry without a key"))?.text;
            let item = entry.child(#value_name).ok_or_else(|| ::awslim_runtime::json::ParseError::new(::std::format!("no value for the map key {:?}", key)))?;
            let value = #inner.map_err(|e| e.within(::std::format!("[{:?}]", key)))?;
            ::std::result::Result::Ok((#key_expr, value))
        }).collect::<::std::result::Result<::std::collections::BTreeMap<#key_t, #value_t>, ::awslim_runtime::json::ParseError>>()
    }
}

/// `Option<T>` of a structure member read from `element`'s children.
fn de_member(field: &Field) -> TokenStream {
    let name = member_name(&field.member, &field.value);
    let key = lit(&name);
    let flattened = field.value.xml.flattened;
    let read = match &field.value.ty {
        Type::List { .. } if flattened => Some(de_items(&field.value, quote!(element.children_named(#key)))),
        Type::Map { .. } if flattened => Some(de_entries(&field.value, quote!(element.children_named(#key)))),
        _ => None,
    };
    if field.value.xml.attribute {
        let read = de_value(&field.value, quote!((&::awslim_runtime::xml::Element::leaf("", text))));
        return quote! {
            match element.attribute(#key) {
                ::std::option::Option::Some(text) => ::std::option::Option::Some(#read.map_err(|e| e.within(#key))?),
                ::std::option::Option::None => ::std::option::Option::None,
            }
        };
    }
    if let Some(read) = read {
        return quote! {
            if element.child(#key).is_some() { ::std::option::Option::Some(#read.map_err(|e| e.within(#key))?) } else { ::std::option::Option::None }
        };
    }
    let read = de_value(&field.value, quote!(value));
    let read = if field.boxed { quote!(#read.map(::std::boxed::Box::new)) } else { read };
    quote! {
        match element.child(#key) {
            ::std::option::Option::Some(value) => ::std::option::Option::Some(#read.map_err(|e| e.within(#key))?),
            ::std::option::Option::None => ::std::option::Option::None,
        }
    }
}

/// Whether a member of a response structure is read from the XML body (always, except for
/// restXml members bound to a header, the status or the payload).
pub(super) fn in_response_body(field: &Field) -> bool {
    !matches!(
        field.http,
        HttpBinding::Header(_) | HttpBinding::PrefixHeaders(_) | HttpBinding::ResponseCode | HttpBinding::Payload
    )
}

fn de_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = de_fn(&s.name);
    let fields = s.fields.iter().map(|field| {
        let fname = ident(&field.name);
        let wrap_box = |e: TokenStream| if field.boxed { quote!(::std::boxed::Box::new(#e)) } else { e };
        // restXml: members bound to headers, the status or the payload are read by the
        // operation's parser (query and label bindings do not apply to responses).
        let in_body = in_response_body(field);
        let found = if in_body { de_member(field) } else { quote!(::std::option::Option::None) };
        match &field.presence {
            Presence::Optional => quote!(#fname: #found,),
            _ if !in_body => {
                let zero = match (&field.presence, &field.value.ty) {
                    (Presence::Default(d), _) => default_expr(&field.value, d),
                    (_, Type::Struct(n) | Type::Union(n)) => {
                        let f = de_fn(n);
                        quote!(crate::query::#f(&::awslim_runtime::xml::Element::default())?)
                    }
                    _ => zero_value(&field.value),
                };
                let zero = wrap_box(zero);
                quote!(#fname: #zero,)
            }
            Presence::Required => {
                let zero = match &field.value.ty {
                    Type::Struct(n) | Type::Union(n) => {
                        let f = de_fn(n);
                        quote!(crate::query::#f(&::awslim_runtime::xml::Element::default())?)
                    }
                    _ => zero_value(&field.value),
                };
                let zero = wrap_box(zero);
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
    let element = if s.fields.iter().any(in_response_body) { quote!(element) } else { quote!(_element) };
    quote! {
        pub fn #f(#element: &::awslim_runtime::xml::Element) -> ::std::result::Result<crate::types::#name, ::awslim_runtime::json::ParseError> {
            ::std::result::Result::Ok(crate::types::#name {
                #(#fields)*
                #meta
                #request_id
            })
        }
    }
}

fn de_union(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let f = de_fn(&u.name);
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        match &v.value {
            Some(value) => {
                let key = lit(&member_name(&v.member, value));
                let read = de_value(value, quote!(value));
                let read = if v.boxed { quote!(#read.map(::std::boxed::Box::new)) } else { read };
                quote!(#key => crate::types::#name::#vname(#read.map_err(|e| e.within(#key))?),)
            }
            None => {
                let key = lit(&v.member);
                quote!(#key => crate::types::#name::#vname,)
            }
        }
    });
    quote! {
        pub fn #f(element: &::awslim_runtime::xml::Element) -> ::std::result::Result<crate::types::#name, ::awslim_runtime::json::ParseError> {
            let mut set = element.children.iter();
            let ::std::option::Option::Some(value) = set.next() else {
                return ::std::result::Result::Ok(crate::types::#name::Unknown(::awslim_runtime::UnknownMember::new("", ::awslim_runtime::Document::Null)));
            };
            if set.next().is_some() {
                return ::std::result::Result::Err(::awslim_runtime::json::ParseError::new("a union must have exactly one member set, found several"));
            }
            ::std::result::Result::Ok(match value.name.as_str() {
                #(#arms)*
                other => crate::types::#name::Unknown(::awslim_runtime::UnknownMember::new(other, ::awslim_runtime::Document::Null)),
            })
        }
    }
}
