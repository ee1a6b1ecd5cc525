//! `src/paginator.rs`: for each `@paginated` operation, a marker type implementing the runtime's
//! `Paginated` (plus `PageSize`/`PageItems` when the model names those members) and a
//! `Client::<operation>_paginator` method.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, rust_type, stored_type};
use crate::ir::{Crate, Type, ValueType};
use crate::pagination::{Paginator, Path};

/// The `mod` line for `lib.rs`, when the crate has paginators.
pub(super) fn module_decl(krate: &Crate) -> TokenStream {
    if krate.paginators.is_empty() {
        return quote!();
    }
    quote! {
        #[rustfmt::skip]
        pub mod paginator;
    }
}

pub(super) fn paginator_rs(krate: &Crate) -> TokenStream {
    let items = krate.paginators.iter().map(paginator);
    quote! {
        //! Paginators: `Client::<operation>_paginator(input)` gives a
        //! [`Paginator`](::awslim_runtime::paginator::Paginator); `.send()` streams the pages and
        //! `.items()` the elements of each page's list. Both stop when the service sends no next
        //! token, an empty one, or the token it was just sent.
        #(#items)*
    }
}

fn paginator(p: &Paginator) -> TokenStream {
    let marker = ident(&p.type_name);
    let module = ident(&p.module);
    let method = ident(&format!("{}_paginator", p.module.trim_start_matches("r#")));
    let input = ident(&p.input);
    let output = ident(&p.output);
    let error = ident(&p.error_name);
    let token = stored_type(&p.output_token.value, false);
    let get_token = borrow_chain(&p.output_token);
    let set_token = set_top_level(&p.input_token, quote!(token));
    let token_is_empty = match p.output_token.value.ty {
        Type::String | Type::Map { .. } | Type::List { .. } => quote!(token.is_empty()),
        _ => quote!({
            let _ = token;
            false
        }),
    };
    let doc = format!(" Pages of `{}`; see [`Client::{}`](crate::Client::{}).", p.operation, method, method);
    let method_doc = format!(
        " Pages of [`{0}`](crate::Client::{0}), following its continuation token; `.send()` streams the pages{1}.",
        p.module.trim_start_matches("r#"),
        if p.items.is_some() { ", `.items()` their elements" } else { "" }
    );
    let page_size = p.page_size.as_ref().map(|size| {
        let value = match size.value.ty {
            Type::Long => quote!(i64::from(size)),
            _ => quote!(size),
        };
        let set = set_top_level(size, value);
        quote! {
            impl ::awslim_runtime::paginator::PageSize for #marker {
                fn set_page_size(input: &mut crate::types::#input, size: i32) { #set }
            }
        }
    });
    let items = p.items.as_ref().map(|items| {
        let (item, collect) = item_type(&items.value);
        let take = owned_chain(items);
        let take = match collect {
            Some(collect) => quote!(#take.map(#collect)),
            None => take,
        };
        quote! {
            impl ::awslim_runtime::paginator::PageItems for #marker {
                type Item = #item;
                fn items(output: crate::types::#output) -> ::std::vec::Vec<#item> {
                    #take.unwrap_or_default()
                }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(::std::fmt::Debug)]
        pub enum #marker {}
        impl ::awslim_runtime::paginator::Paginated for #marker {
            type Client = crate::Client;
            type Input = crate::types::#input;
            type Output = crate::types::#output;
            type Error = crate::operation::#module::#error;
            type Token = #token;
            fn send(
                client: &crate::Client,
                input: crate::types::#input,
            ) -> ::awslim_runtime::paginator::PageFuture<crate::types::#output, crate::operation::#module::#error> {
                let client = ::std::clone::Clone::clone(client);
                ::std::boxed::Box::pin(async move { client.#module(input).await })
            }
            fn output_token(output: &crate::types::#output) -> ::std::option::Option<&#token> {
                #get_token
            }
            fn set_input_token(input: &mut crate::types::#input, token: #token) { #set_token }
            fn token_is_empty(token: &#token) -> bool { #token_is_empty }
        }
        #page_size
        #items
        impl crate::Client {
            #[doc = #method_doc]
            pub fn #method(&self, input: crate::types::#input) -> ::awslim_runtime::paginator::Paginator<#marker> {
                ::awslim_runtime::paginator::Paginator::new(::std::clone::Clone::clone(self), input)
            }
        }
    }
}

/// `Option<&T>` of the value at `path` in `output`.
fn borrow_chain(path: &Path) -> TokenStream {
    let mut expr = quote!(::std::option::Option::Some(output));
    for s in &path.steps {
        let f = ident(&s.field);
        expr = match (s.optional, s.boxed) {
            (true, true) => quote!(#expr.and_then(|v| v.#f.as_deref())),
            (true, false) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            (false, true) => quote!(#expr.map(|v| &*v.#f)),
            (false, false) => quote!(#expr.map(|v| &v.#f)),
        };
    }
    expr
}

/// `Option<T>` of the value at `path`, moved out of `output`.
fn owned_chain(path: &Path) -> TokenStream {
    let mut expr = quote!(::std::option::Option::Some(output));
    for s in &path.steps {
        let f = ident(&s.field);
        expr = match (s.optional, s.boxed) {
            (true, true) => quote!(#expr.and_then(|v| v.#f).map(|b| *b)),
            (true, false) => quote!(#expr.and_then(|v| v.#f)),
            (false, true) => quote!(#expr.map(|v| *v.#f)),
            (false, false) => quote!(#expr.map(|v| v.#f)),
        };
    }
    expr
}

/// Assigns `value` to the top-level input member at `path`.
fn set_top_level(path: &Path, value: TokenStream) -> TokenStream {
    let Some(s) = path.steps.first() else { return quote!() };
    let f = ident(&s.field);
    let value = if s.boxed { quote!(::std::boxed::Box::new(#value)) } else { value };
    if s.optional {
        quote!(input.#f = ::std::option::Option::Some(#value);)
    } else {
        quote!(input.#f = #value;)
    }
}

/// The element type of a list (a `(key, value)` pair for a map) and, for a map, the closure
/// turning it into a `Vec` of pairs.
fn item_type(v: &ValueType) -> (TokenStream, Option<TokenStream>) {
    match &v.ty {
        Type::List { item, sparse } => {
            let t = rust_type(item);
            let t = if *sparse { quote!(::std::option::Option<#t>) } else { t };
            (t, None)
        }
        Type::Map { key, value, sparse } => {
            let k = rust_type(key);
            let t = rust_type(value);
            let t = if *sparse { quote!(::std::option::Option<#t>) } else { t };
            (quote!((#k, #t)), Some(quote!(|items| ::std::iter::IntoIterator::into_iter(items).collect())))
        }
        // `pagination` only lets lists and maps through.
        _ => (quote!(()), Some(quote!(|_| ::std::vec::Vec::new()))),
    }
}
