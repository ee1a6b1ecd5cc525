//! `src/types.rs`: structures (with typestate builders), open enums and unions.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::{doc_attrs, field_type, ident, is_copy, lit, rust_type, stored_type};
use crate::ir::{Crate, Enum, Field, Presence, Struct, Type, Union, ValueType};

pub(super) fn types_rs(krate: &Crate) -> TokenStream {
    let structs = krate.structs.iter().map(structure);
    let enums = krate.enums.iter().map(enumeration);
    let unions = krate.unions.iter().map(union);
    quote! {
        //! The data types of the service: structures, open enums and unions.
        #[rustfmt::skip]
        pub mod builders;
        #(#structs)*
        #(#enums)*
        #(#unions)*
    }
}

pub(super) fn builders_rs(krate: &Crate) -> TokenStream {
    let mut taken = std::collections::BTreeSet::new();
    let mut markers = Vec::new();
    let builders: Vec<TokenStream> = krate
        .structs
        .iter()
        .map(|s| {
            let traits: Vec<String> = s
                .fields
                .iter()
                .filter(|f| f.presence == Presence::Required)
                .map(|f| crate::naming::required_trait_name(&s.name, &f.member, &mut taken))
                .collect();
            markers.push(required_markers(s, &traits));
            builder(s, &traits)
        })
        .collect();
    let required_mod = (!taken.is_empty()).then(|| {
        quote! {
            /// One marker trait per required member: `build()` asks each type parameter for its
            /// member's trait, so a missing member is a compile error that names it.
            #[doc(hidden)]
            pub mod required {
                #(#markers)*
            }
        }
    });
    quote! {
        //! Builders for the structures in [`crate::types`].
        //!
        //! Each builder has one type parameter per required member. Calling the member's setter
        //! changes the parameter from [`Missing`](::awslim_runtime::builder::Missing) to the member's
        //! type, and `build()` only exists once none is missing: leaving out a required member is a
        //! compile error, never a runtime one.
        #(#builders)*
        #required_mod
    }
}

/// An expression for a `@default` value of the given type.
pub(crate) fn default_expr(v: &ValueType, value: &Value) -> TokenStream {
    match (&v.ty, value) {
        (Type::String, Value::String(s)) if s.is_empty() => quote!(::std::string::String::new()),
        (Type::String, Value::String(s)) => quote!(::std::string::String::from(#s)),
        (Type::Bool, Value::Bool(b)) => quote!(#b),
        (Type::Byte, Value::Number(n)) => lit_int(n.as_i64().unwrap_or(0), "i8"),
        (Type::Short, Value::Number(n)) => lit_int(n.as_i64().unwrap_or(0), "i16"),
        (Type::Integer, Value::Number(n)) => lit_int(n.as_i64().unwrap_or(0), "i32"),
        (Type::Long, Value::Number(n)) => lit_int(n.as_i64().unwrap_or(0), "i64"),
        (Type::Float, Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0) as f32;
            if f.is_finite() {
                let l = Literal::f32_suffixed(f);
                quote!(#l)
            } else {
                quote!(0.0f32)
            }
        }
        (Type::Double, Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.is_finite() {
                let l = Literal::f64_suffixed(f);
                quote!(#l)
            } else {
                quote!(0.0f64)
            }
        }
        (Type::Float | Type::Double, Value::String(s)) => {
            let t = if v.ty == Type::Float { quote!(f32) } else { quote!(f64) };
            match s.as_str() {
                "NaN" => quote!(#t::NAN),
                "Infinity" => quote!(#t::INFINITY),
                _ => quote!(#t::NEG_INFINITY),
            }
        }
        (Type::BigInteger, v) => {
            let text = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            quote!(::awslim_runtime::BigInteger::new(#text).unwrap_or_default())
        }
        (Type::BigDecimal, v) => {
            let text = v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            quote!(::awslim_runtime::BigDecimal::new(#text).unwrap_or_default())
        }
        (Type::Blob, Value::String(s)) if s.is_empty() => quote!(::awslim_runtime::Blob::default()),
        // A streaming body's only default is the empty body.
        (Type::ByteStream, _) => quote!(::awslim_runtime::ByteStream::default()),
        (Type::Blob, Value::String(s)) => {
            quote!(::awslim_runtime::json::expect_blob(&::awslim_runtime::Document::String(::std::string::String::from(#s))).unwrap_or_default())
        }
        (Type::Timestamp(_), Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(0.0);
            let l = Literal::f64_suffixed(if f.is_finite() { f } else { 0.0 });
            quote!(::awslim_runtime::DateTime::from_secs_f64(#l).unwrap_or_default())
        }
        (Type::Timestamp(_), Value::String(s)) => {
            quote!(::awslim_runtime::DateTime::parse_wire(#s, ::awslim_runtime::TimestampFormat::DateTime).unwrap_or_default())
        }
        (Type::Enum(n), Value::String(s)) => {
            let n = ident(n);
            quote!(crate::types::#n::from(#s))
        }
        (Type::IntEnum(n), Value::Number(num)) => {
            let n = ident(n);
            let i = lit_int(num.as_i64().unwrap_or(0), "i32");
            quote!(crate::types::#n::from(#i))
        }
        (Type::Document, v) => document_expr(v),
        (Type::List { .. }, _) => quote!(::std::vec::Vec::new()),
        (Type::Map { .. }, _) => quote!(::std::collections::BTreeMap::new()),
        _ => quote!(::std::default::Default::default()),
    }
}

/// An expression building a document value.
fn document_expr(v: &Value) -> TokenStream {
    match v {
        Value::Null => quote!(::awslim_runtime::Document::Null),
        Value::Bool(b) => quote!(::awslim_runtime::Document::Bool(#b)),
        Value::String(s) => quote!(::awslim_runtime::Document::String(::std::string::String::from(#s))),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => quote!(::awslim_runtime::Document::from(#i)),
            (None, Some(f)) => quote!(::awslim_runtime::Document::from(#f)),
            _ => quote!(::awslim_runtime::Document::Null),
        },
        Value::Array(items) => {
            let items = items.iter().map(document_expr);
            quote!(::awslim_runtime::Document::Array(::std::vec![#(#items),*]))
        }
        Value::Object(map) => {
            let entries = map.iter().map(|(k, v)| {
                let v = document_expr(v);
                quote!((::std::string::String::from(#k), #v))
            });
            quote!(::awslim_runtime::Document::Object(::std::iter::FromIterator::from_iter([#(#entries),*])))
        }
    }
}

fn lit_int(n: i64, suffix: &str) -> TokenStream {
    let l = match suffix {
        "i8" => Literal::i8_suffixed(n as i8),
        "i16" => Literal::i16_suffixed(n as i16),
        "i32" => Literal::i32_suffixed(n as i32),
        _ => Literal::i64_suffixed(n),
    };
    quote!(#l)
}

/// The accessor's return type and body for a field.
fn accessor(f: &Field) -> (TokenStream, TokenStream) {
    let name = ident(&f.name);
    let inner = rust_type(&f.value);
    let optional = f.presence == Presence::Optional;
    match (&f.value.ty, optional) {
        (Type::String, false) => (quote!(&str), quote!(&self.#name)),
        (Type::String, true) => (quote!(::std::option::Option<&str>), quote!(self.#name.as_deref())),
        (_, false) if is_copy(&f.value) => (inner, quote!(self.#name)),
        (_, true) if is_copy(&f.value) => (quote!(::std::option::Option<#inner>), quote!(self.#name)),
        (Type::List { item, sparse }, opt) => {
            let item_t = rust_type(item);
            let item_t = if *sparse { quote!(::std::option::Option<#item_t>) } else { item_t };
            if opt {
                (quote!(::std::option::Option<&[#item_t]>), quote!(self.#name.as_deref()))
            } else {
                (quote!(&[#item_t]), quote!(&self.#name))
            }
        }
        (_, false) => (quote!(&#inner), quote!(&self.#name)),
        (_, true) if f.boxed => (quote!(::std::option::Option<&#inner>), quote!(self.#name.as_deref())),
        (_, true) => (quote!(::std::option::Option<&#inner>), quote!(self.#name.as_ref())),
    }
}

fn message_field(s: &Struct) -> Option<&Field> {
    s.fields
        .iter()
        .find(|f| f.member.eq_ignore_ascii_case("message") && f.value.ty == Type::String && !f.value.sensitive)
}

/// The members of an error structure that explain it (such as `Reason`), for `Display`: every
/// non-sensitive scalar, enum, structure or union member but the message; collections are left
/// out to keep the line short. Binds `details` to a slice of `(member, &dyn Debug)`.
fn error_details(s: &Struct) -> TokenStream {
    let message = message_field(s).map(|f| f.name.as_str());
    let explains = |f: &&Field| {
        Some(f.name.as_str()) != message
            && !f.value.sensitive
            && !s.sensitive
            && !matches!(f.value.ty, Type::List { .. } | Type::Map { .. } | Type::Blob | Type::Document)
    };
    let pushes = s.fields.iter().filter(explains).map(|f| {
        let fname = ident(&f.name);
        let member = lit(&f.member);
        match f.presence {
            Presence::Optional => quote! {
                if let ::std::option::Option::Some(value) = &self.#fname {
                    details.push((#member, value as &dyn ::std::fmt::Debug));
                }
            },
            Presence::Required | Presence::Default(_) => {
                quote!(details.push((#member, &self.#fname as &dyn ::std::fmt::Debug));)
            }
        }
    });
    let pushes: Vec<TokenStream> = pushes.collect();
    if pushes.is_empty() {
        return quote!(let details: [(&str, &dyn ::std::fmt::Debug); 0] = [];);
    }
    quote! {
        let mut details: ::std::vec::Vec<(&str, &dyn ::std::fmt::Debug)> = ::std::vec::Vec::new();
        #(#pushes)*
    }
}

/// The model's documentation, or `fallback` when it has none (every public item is documented).
fn docs_or(docs: &[String], fallback: impl FnOnce() -> String) -> Vec<String> {
    if docs.is_empty() {
        vec![fallback()]
    } else {
        docs.to_vec()
    }
}

fn structure(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let builder_name = ident(&format!("{}Builder", s.name));
    let docs = doc_attrs(&docs_or(&s.docs, || format!("The `{}` structure.", s.name)));
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = field_type(f);
        let mut lines = docs_or(&f.docs, || format!("The `{}` member.", f.member));
        if f.presence == Presence::Required {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push("This member is required.".to_owned());
        }
        if f.value.sensitive {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push("This value is sensitive: `Debug` output shows it redacted.".to_owned());
        }
        let fdocs = doc_attrs(&lines);
        quote!(#fdocs pub #fname: #ty,)
    });
    let meta_field = s.error.as_ref().map(|_| quote!(pub(crate) meta: ::awslim_runtime::ErrorMetadata,));
    let request_id_field =
        s.operation_output.then(|| quote!(pub(crate) request_id: ::std::option::Option<::std::string::String>,));
    let request_id_methods = s.operation_output.then(|| quote! {
        /// The id the service gave the request (`x-amzn-RequestId`), for support cases and logs.
        pub fn request_id(&self) -> ::std::option::Option<&str> { self.request_id.as_deref() }
        #[doc(hidden)]
        pub fn with_request_id(mut self, request_id: ::std::option::Option<::std::string::String>) -> Self { self.request_id = request_id; self }
    });
    let accessors = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let (ret, body) = accessor(f);
        let doc = format!(" The `{}` member.", f.member);
        quote! {
            #[doc = #doc]
            pub fn #fname(&self) -> #ret { #body }
        }
    });
    let builder_init = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let init = match &f.presence {
            Presence::Required => quote!(::awslim_runtime::builder::Missing),
            Presence::Optional => quote!(::std::option::Option::None),
            Presence::Default(v) => {
                let e = default_expr(&f.value, v);
                if f.boxed {
                    quote!(::std::boxed::Box::new(#e))
                } else {
                    e
                }
            }
        };
        quote!(#fname: #init,)
    });
    let meta_init = s.error.as_ref().map(|_| quote!(meta: ::std::default::Default::default(),));
    let builder_doc = format!(" A builder for [`{}`].", s.name);
    let debug = debug_impl(s);
    let error_impls = s.error.as_ref().map(|e| {
        let code = &e.code;
        let message = match message_field(s) {
            Some(f) => {
                let fname = ident(&f.name);
                if f.presence == Presence::Optional {
                    quote!(self.#fname.as_deref().or(self.meta.message()))
                } else {
                    quote!(::std::option::Option::Some(self.#fname.as_str()))
                }
            }
            None => quote!(self.meta.message()),
        };
        let details = error_details(s);
        let message_method = (!s.fields.iter().any(|f| f.name == "message")).then(|| {
            quote! {
                /// The error message, from the metadata.
                pub fn message(&self) -> ::std::option::Option<&str> { self.meta.message() }
            }
        });
        quote! {
            impl #name {
                /// What the service said about this error: code, message, HTTP status and request id.
                pub fn meta(&self) -> &::awslim_runtime::ErrorMetadata { &self.meta }
                #message_method
                #[doc(hidden)]
                pub fn with_meta(mut self, meta: ::awslim_runtime::ErrorMetadata) -> Self { self.meta = meta; self }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    let message: ::std::option::Option<&str> = #message;
                    #details
                    ::awslim_runtime::error::fmt_service_error(f, #code, message, &self.meta, &details)
                }
            }
            impl ::std::error::Error for #name {}
            impl ::awslim_runtime::ProvideErrorMetadata for #name {
                fn meta(&self) -> &::awslim_runtime::ErrorMetadata { &self.meta }
            }
        }
    });
    let derives = value_derives(s);
    quote! {
        #docs
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
            #meta_field
            #request_id_field
        }
        impl #name {
            #[doc = #builder_doc]
            pub fn builder() -> crate::types::builders::#builder_name {
                crate::types::builders::#builder_name { #(#builder_init)* #meta_init }
            }
            #(#accessors)*
            #request_id_methods
        }
        #debug
        #error_impls
    }
}

/// `Clone` and `PartialEq`, unless the structure holds a streaming body (read once, so neither).
fn value_derives(s: &Struct) -> Option<TokenStream> {
    s.streaming_member().is_none().then(|| quote!(#[derive(::std::clone::Clone, ::std::cmp::PartialEq)]))
}

/// A `Debug` that never prints `@sensitive` values.
fn debug_impl(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let label = &s.name;
    if s.sensitive {
        return quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_tuple(#label).field(&::awslim_runtime::Redacted).finish()
                }
            }
        };
    }
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let label = f.name.trim_start_matches("r#");
        if f.value.sensitive {
            if f.presence == Presence::Optional {
                quote!(d.field(#label, &self.#fname.as_ref().map(|_| ::awslim_runtime::Redacted));)
            } else {
                quote!(d.field(#label, &::awslim_runtime::Redacted);)
            }
        } else {
            quote!(d.field(#label, &self.#fname);)
        }
    });
    let meta = s.error.as_ref().map(|_| quote!(d.field("meta", &self.meta);));
    let request_id = s.operation_output.then(|| quote!(d.field("request_id", &self.request_id);));
    let meta = quote!(#meta #request_id);
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let mut d = f.debug_struct(#label);
                #(#fields)*
                #meta
                d.finish()
            }
        }
    }
}

/// The marker traits of `s`'s required members (names from `traits`, in member order), each
/// with the compiler message that names the member and its setter.
fn required_markers(s: &Struct, traits: &[String]) -> TokenStream {
    let required = s.fields.iter().filter(|f| f.presence == Presence::Required);
    let items = required.zip(traits).map(|(f, t)| {
        let t = ident(t);
        let message = format!("`{}` cannot be built: the required member `{}` is not set", s.name, f.member);
        let label = format!("`{}` is still missing", f.member);
        let setter = f.name.trim_start_matches("r#");
        let note = format!("call `.{setter}(...)` on the builder before `.build()`");
        quote! {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            pub trait #t<T> {
                /// The value that was set.
                fn into_value(self) -> T;
            }
            impl<T> #t<T> for T {
                #[inline]
                fn into_value(self) -> T {
                    self
                }
            }
        }
    });
    quote!(#(#items)*)
}

fn builder(s: &Struct, traits: &[String]) -> TokenStream {
    let target = ident(&s.name);
    let name = ident(&format!("{}Builder", s.name));
    let required: Vec<&Field> = s.fields.iter().filter(|f| f.presence == Presence::Required).collect();
    let params: Vec<_> = required.iter().map(|f| ident(&f.type_param)).collect();
    let param_decls = params.iter().map(|p| quote!(#p = ::awslim_runtime::builder::Missing));
    let generics_decl = if params.is_empty() { quote!() } else { quote!(<#(#param_decls),*>) };
    let generics = if params.is_empty() { quote!() } else { quote!(<#(#params),*>) };
    let storage = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        match f.presence {
            Presence::Required => {
                let p = ident(&f.type_param);
                quote!(pub(crate) #fname: #p,)
            }
            _ => {
                let t = field_type(f);
                quote!(pub(crate) #fname: #t,)
            }
        }
    });
    let meta_storage = s.error.as_ref().map(|_| quote!(pub(crate) meta: ::awslim_runtime::ErrorMetadata,));
    let all_names: Vec<_> = s.fields.iter().map(|f| ident(&f.name)).collect();
    let meta_move = s.error.as_ref().map(|_| quote!(meta: self.meta,));
    let setters = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let set_name = ident(&format!("set_{}", f.name.trim_start_matches("r#")));
        let inner = rust_type(&f.value);
        let stored = stored_type(&f.value, f.boxed);
        let wrap = if f.boxed { quote!(::std::boxed::Box::new(value.into())) } else { quote!(value.into()) };
        let doc = if f.docs.is_empty() { vec![format!("Sets `{}`.", f.member)] } else { f.docs.clone() };
        let docs = doc_attrs(&doc);
        match f.presence {
            Presence::Required => {
                let out_params = required.iter().map(|r| {
                    if r.name == f.name {
                        stored.clone()
                    } else {
                        let p = ident(&r.type_param);
                        quote!(#p)
                    }
                });
                let moves =
                    all_names.iter().map(|n| if *n == fname { quote!(#n: #wrap,) } else { quote!(#n: self.#n,) });
                let meta_move = meta_move.clone();
                quote! {
                    #docs
                    pub fn #fname(self, value: impl ::std::convert::Into<#inner>) -> #name<#(#out_params),*> {
                        #name { #(#moves)* #meta_move }
                    }
                }
            }
            Presence::Optional => {
                let set_doc = format!(" Sets or clears `{}`.", f.member);
                quote! {
                    #docs
                    pub fn #fname(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                        self.#fname = ::std::option::Option::Some(#wrap);
                        self
                    }
                    #[doc = #set_doc]
                    pub fn #set_name(mut self, value: ::std::option::Option<#stored>) -> Self {
                        self.#fname = value;
                        self
                    }
                }
            }
            Presence::Default(_) => quote! {
                #docs
                pub fn #fname(mut self, value: impl ::std::convert::Into<#inner>) -> Self {
                    self.#fname = #wrap;
                    self
                }
            },
        }
    });
    let bounds = required.iter().zip(traits).map(|(f, tr)| {
        let p = ident(&f.type_param);
        let t = stored_type(&f.value, f.boxed);
        let tr = ident(tr);
        quote!(#p: crate::types::builders::required::#tr<#t>)
    });
    let where_clause = if params.is_empty() { quote!() } else { quote!(where #(#bounds),*) };
    let mut marker = traits.iter();
    let build_fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        match (f.presence == Presence::Required).then(|| marker.next()).flatten() {
            Some(tr) => {
                let tr = ident(tr);
                quote!(#fname: crate::types::builders::required::#tr::into_value(self.#fname),)
            }
            None => quote!(#fname: self.#fname,),
        }
    });
    let meta_build = s.error.as_ref().map(|_| quote!(meta: self.meta,));
    let request_id_build = s.operation_output.then(|| quote!(request_id: ::std::option::Option::None,));
    let doc = if required.is_empty() {
        format!(" Builds a [`{0}`](crate::types::{0}).", s.name)
    } else {
        let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.name.trim_start_matches("r#"))).collect();
        format!(" Builds a [`{0}`](crate::types::{0}); required: {1}.", s.name, names.join(", "))
    };
    let build_doc = format!(" Builds the [`{0}`](crate::types::{0}).", s.name);
    let impl_generics = if params.is_empty() { quote!() } else { quote!(<#(#params),*>) };
    // A streaming body is read once: neither it nor what holds it can be cloned.
    let builder_derive = s.streaming_member().is_none().then(|| quote!(#[derive(::std::clone::Clone)]));
    quote! {
        #[doc = #doc]
        #builder_derive
        #[must_use]
        pub struct #name #generics_decl {
            #(#storage)*
            #meta_storage
        }
        impl #impl_generics #name #generics {
            #(#setters)*
        }
        impl #impl_generics #name #generics {
            #[doc = #build_doc]
            pub fn build(self) -> crate::types::#target #where_clause {
                crate::types::#target { #(#build_fields)* #meta_build #request_id_build }
            }
        }
    }
}

fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let docs =
        doc_attrs(&docs_or(&e.docs, || format!("The `{}` enumeration (open: unknown values are kept).", e.name)));
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let mut lines = v.docs.clone();
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("`{}` on the wire.", v.value));
        let vdocs = doc_attrs(&lines);
        quote!(#vdocs #vname,)
    });
    let (raw_ty, as_fn, unknown_doc) = if e.int {
        (quote!(i32), quote!(as_i32), " A value this version of the model does not know; kept exactly as received.")
    } else {
        (
            quote!(::std::string::String),
            quote!(as_str),
            " A value this version of the model does not know; kept exactly as received.",
        )
    };
    let values: Vec<TokenStream> = e
        .variants
        .iter()
        .map(|v| {
            if e.int {
                let l = Literal::i32_unsuffixed(v.value.parse().unwrap_or(0));
                quote!(#l)
            } else {
                let l = lit(&v.value);
                quote!(#l)
            }
        })
        .collect();
    let vnames: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let sensitive_note =
        if e.sensitive { quote!(#[doc = ""] #[doc = " Values of this type are sensitive."]) } else { quote!() };
    let conversions = if e.int {
        quote! {
            impl ::std::convert::From<i32> for #name {
                fn from(value: i32) -> Self {
                    match value {
                        #(#values => Self::#vnames,)*
                        other => Self::Unknown(other),
                    }
                }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(&self.as_i32(), f) }
            }
        }
    } else {
        quote! {
            impl ::std::convert::From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #(#values => Self::#vnames,)*
                        other => Self::Unknown(::std::string::String::from(other)),
                    }
                }
            }
            impl ::std::convert::From<::std::string::String> for #name {
                fn from(value: ::std::string::String) -> Self {
                    match value.as_str() {
                        #(#values => Self::#vnames,)*
                        _ => Self::Unknown(value),
                    }
                }
            }
            impl ::std::str::FromStr for #name {
                type Err = ::std::convert::Infallible;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> { ::std::result::Result::Ok(Self::from(value)) }
            }
            impl ::std::convert::AsRef<str> for #name {
                fn as_ref(&self) -> &str { self.as_str() }
            }
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
            }
        }
    };
    let as_ret = if e.int { quote!(i32) } else { quote!(&str) };
    let unknown_arm =
        if e.int { quote!(Self::Unknown(value) => *value,) } else { quote!(Self::Unknown(value) => value.as_str(),) };
    let known_ty = if e.int { quote!(&'static [i32]) } else { quote!(&'static [&'static str]) };
    let eq_key = if e.int { quote!(self.as_i32()) } else { quote!(self.as_str()) };
    let cmp_body = if e.int {
        quote!(::std::cmp::Ord::cmp(&self.as_i32(), &other.as_i32()))
    } else {
        quote!(::std::cmp::Ord::cmp(self.as_str(), other.as_str()))
    };
    quote! {
        #docs
        ///
        /// The enum is open: values the model does not know yet arrive as `Unknown` and are sent
        /// back unchanged. Build one from its wire value with `From`, and compare by wire value:
        /// `Unknown` holding a known value equals that value's variant.
        #sensitive_note
        #[derive(::std::clone::Clone, ::std::fmt::Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #[doc = #unknown_doc]
            Unknown(#raw_ty),
        }
        impl #name {
            /// Every value this version of the model knows.
            pub const KNOWN_VALUES: #known_ty = &[#(#values),*];
            /// The value on the wire.
            pub fn #as_fn(&self) -> #as_ret {
                match self {
                    #(Self::#vnames => #values,)*
                    #unknown_arm
                }
            }
            /// Whether this is a value the model does not know (also for an `Unknown` built by
            /// hand from a value that the model does know).
            pub fn is_unknown(&self) -> bool {
                !Self::KNOWN_VALUES.contains(&self.#as_fn())
            }
        }
        #conversions
        impl ::std::cmp::PartialEq for #name {
            fn eq(&self, other: &Self) -> bool { #eq_key == other.#as_fn() }
        }
        impl ::std::cmp::Eq for #name {}
        impl ::std::hash::Hash for #name {
            fn hash<H: ::std::hash::Hasher>(&self, state: &mut H) { #eq_key.hash(state) }
        }
        impl ::std::cmp::PartialOrd for #name {
            fn partial_cmp(&self, other: &Self) -> ::std::option::Option<::std::cmp::Ordering> { ::std::option::Option::Some(::std::cmp::Ord::cmp(self, other)) }
        }
        impl ::std::cmp::Ord for #name {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering { #cmp_body }
        }
    }
}

fn union(u: &Union) -> TokenStream {
    let name = ident(&u.name);
    let docs = doc_attrs(&docs_or(&u.docs, || format!("The `{}` union.", u.name)));
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdocs = doc_attrs(&docs_or(&v.docs, || format!("The `{}` member.", v.member)));
        match &v.value {
            Some(value) => {
                let t = stored_type(value, v.boxed);
                quote!(#vdocs #vname(#t),)
            }
            None => quote!(#vdocs #vname,),
        }
    });
    let debug_arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vlabel = &v.name;
        match &v.value {
            Some(value) if value.sensitive || u.sensitive => {
                quote!(Self::#vname(_) => f.debug_tuple(#vlabel).field(&::awslim_runtime::Redacted).finish(),)
            }
            Some(_) => quote!(Self::#vname(value) => f.debug_tuple(#vlabel).field(value).finish(),),
            None => quote!(Self::#vname => f.write_str(#vlabel),),
        }
    });
    let unknown_debug = if u.sensitive {
        quote!(Self::Unknown(member) => f.debug_tuple("Unknown").field(&member.name()).field(&::awslim_runtime::Redacted).finish(),)
    } else {
        quote!(Self::Unknown(member) => f.debug_tuple("Unknown").field(member).finish(),)
    };
    quote! {
        #docs
        ///
        /// Exactly one member is set. Members added to the model later arrive as `Unknown`,
        /// with their name and value kept so they round-trip.
        #[derive(::std::clone::Clone, ::std::cmp::PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A member this version of the model does not know.
            Unknown(::awslim_runtime::UnknownMember),
        }
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#debug_arms)*
                    #unknown_debug
                }
            }
        }
    }
}
