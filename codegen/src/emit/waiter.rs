//! `src/waiter.rs`: for crates with `@waitable` operations, the JSON views the acceptors'
//! paths are evaluated on (one `View` impl per structure, union and enum), a marker type per
//! waiter implementing the runtime's `Waitable`, and `Client::wait_until_<waiter>` methods.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident, lit};
use crate::ir::{Crate, Enum, Struct, Union};
use crate::waiters::{Acceptor, Matcher, State, Waiter};

/// The `mod` line for `lib.rs`, when the crate has waiters.
pub(super) fn module_decl(krate: &Crate) -> TokenStream {
    if krate.waiters.is_empty() {
        return quote!();
    }
    quote! {
        #[rustfmt::skip]
        pub mod waiter;
    }
}

pub(super) fn waiter_rs(krate: &Crate) -> TokenStream {
    let structs = krate.structs.iter().map(struct_view);
    let unions = krate.unions.iter().map(union_view);
    let enums = krate.enums.iter().map(enum_view);
    let waiters = krate.waiters.iter().map(waiter);
    quote! {
        //! Waiters: `Client::wait_until_<waiter>(input)` gives a
        //! [`Waiter`](::awslim_runtime::waiter::Waiter); `.wait(max_wait)` polls the operation
        //! with the model's acceptors and says which one matched, or why it gave up.
        #(#waiters)*
        #(#structs)*
        #(#unions)*
        #(#enums)*
    }
}

fn view_impl(name: &str, body: TokenStream) -> TokenStream {
    let name = ident(name);
    quote! {
        impl ::awslim_runtime::waiter::View for crate::types::#name {
            fn view(&self) -> ::awslim_runtime::Document { #body }
        }
    }
}

fn struct_view(s: &Struct) -> TokenStream {
    // A streaming body or an event stream is read as it arrives, not in memory: acceptor paths
    // cannot look into it (none in the published models does); it is left out of the view.
    let viewed: Vec<_> = s
        .fields
        .iter()
        .filter(|f| {
            !matches!(
                f.value.ty,
                crate::ir::Type::ByteStream | crate::ir::Type::EventStream(_) | crate::ir::Type::EventSender(_)
            )
        })
        .collect();
    let members = viewed.iter().map(|f| {
        let fname = ident(&f.name);
        let member = lit(&f.member);
        quote!(view.member(#member, &self.#fname);)
    });
    let body = if viewed.is_empty() {
        quote!(::awslim_runtime::waiter::ViewObject::new().finish())
    } else {
        quote! {
            let mut view = ::awslim_runtime::waiter::ViewObject::new();
            #(#members)*
            view.finish()
        }
    };
    view_impl(&s.name, body)
}

fn union_view(u: &Union) -> TokenStream {
    let arms = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let member = lit(&v.member);
        match &v.value {
            Some(_) => quote!(Self::#vname(value) => ::awslim_runtime::waiter::union_view(#member, value),),
            None => quote!(Self::#vname => ::awslim_runtime::waiter::union_view(#member, &()),),
        }
    });
    view_impl(
        &u.name,
        quote! {
            match self {
                #(#arms)*
                Self::Unknown(member) => ::awslim_runtime::waiter::union_view(member.name(), member.value()),
            }
        },
    )
}

fn enum_view(e: &Enum) -> TokenStream {
    let body = if e.int {
        quote!(::awslim_runtime::Document::from(self.as_i32()))
    } else {
        quote!(::awslim_runtime::Document::String(::std::borrow::ToOwned::to_owned(self.as_str())))
    };
    view_impl(&e.name, body)
}

fn acceptor(a: &Acceptor) -> TokenStream {
    let state = match a.state {
        State::Success => quote!(::awslim_runtime::waiter::AcceptorState::Success),
        State::Failure => quote!(::awslim_runtime::waiter::AcceptorState::Failure),
        State::Retry => quote!(::awslim_runtime::waiter::AcceptorState::Retry),
    };
    let matcher = match &a.matcher {
        Matcher::Path { input_output, path, expected, comparator } => {
            let kind = if *input_output { quote!(InputOutput) } else { quote!(Output) };
            let comparator = ident(&crate::naming::pascal_case(comparator));
            quote! {
                ::awslim_runtime::waiter::Matcher::#kind {
                    path: #path,
                    expected: #expected,
                    comparator: ::awslim_runtime::waiter::PathComparator::#comparator,
                }
            }
        }
        Matcher::Success(b) => quote!(::awslim_runtime::waiter::Matcher::Success(#b)),
        Matcher::ErrorType(code) => quote!(::awslim_runtime::waiter::Matcher::ErrorType(#code)),
    };
    quote!(::awslim_runtime::waiter::Acceptor { state: #state, matcher: #matcher },)
}

fn waiter(w: &Waiter) -> TokenStream {
    let marker = ident(&w.type_name);
    let module = ident(&w.module);
    let method = ident(&w.method);
    let error = ident(&w.error_name);
    let name = lit(&w.name);
    let input = w.input.as_deref().map_or_else(
        || quote!(()),
        |i| {
            let i = ident(i);
            quote!(crate::types::#i)
        },
    );
    let output = w.output.as_deref().map_or_else(
        || quote!(()),
        |o| {
            let o = ident(o);
            quote!(crate::types::#o)
        },
    );
    let (param, arg, call) = if w.input.is_some() {
        (quote!(input: #input), quote!(input), quote!(client.#module(input).await))
    } else {
        (quote!(), quote!(()), quote!({ let () = input; client.#module().await }))
    };
    let acceptors = w.acceptors.iter().map(acceptor);
    let (min, max) = (w.min_delay, w.max_delay);
    let mut docs = w.docs.clone();
    if !docs.is_empty() {
        docs.push(String::new());
    }
    docs.push(format!(
        "Waiter `{}`: polls [`{}`](crate::Client::{}) every {}-{} s (see [`Waiter`](::awslim_runtime::waiter::Waiter) to change that) until an acceptor decides; `.wait(max_wait)` bounds the whole wait.",
        w.name, w.module.trim_start_matches("r#"), w.module.trim_start_matches("r#"), min, max
    ));
    let method_docs = doc_attrs(&docs);
    let type_doc = format!(" The `{}` waiter of `{}`.", w.name, w.operation);
    quote! {
        #[doc = #type_doc]
        #[derive(::std::fmt::Debug)]
        pub enum #marker {}
        impl ::awslim_runtime::waiter::Waitable for #marker {
            type Client = crate::Client;
            type Input = #input;
            type Output = #output;
            type Error = crate::operation::#module::#error;
            const NAME: &'static str = #name;
            const ACCEPTORS: &'static [::awslim_runtime::waiter::Acceptor] = &[#(#acceptors)*];
            const MIN_DELAY: ::std::time::Duration = ::std::time::Duration::from_secs(#min);
            const MAX_DELAY: ::std::time::Duration = ::std::time::Duration::from_secs(#max);
            fn send(client: &crate::Client, input: #input) -> ::awslim_runtime::waiter::CallFuture<#output, crate::operation::#module::#error> {
                let client = ::std::clone::Clone::clone(client);
                ::std::boxed::Box::pin(async move { #call })
            }
            fn input_view(input: &#input) -> ::awslim_runtime::Document {
                ::awslim_runtime::waiter::View::view(input)
            }
            fn output_view(output: &#output) -> ::awslim_runtime::Document {
                ::awslim_runtime::waiter::View::view(output)
            }
        }
        impl crate::Client {
            #method_docs
            pub fn #method(&self, #param) -> ::awslim_runtime::waiter::Waiter<#marker> {
                ::awslim_runtime::waiter::Waiter::new(::std::clone::Clone::clone(self), #arg)
            }
        }
    }
}
