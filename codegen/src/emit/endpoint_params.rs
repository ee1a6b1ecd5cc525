//! Endpoint parameters in generated code: each operation's `endpoint_params` function (typed
//! field accesses compiled from `contextParam` members and `operationContextParams` paths, plus
//! `staticContextParams` values) and the service's client context parameter names.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, lit};
use crate::ir::{Crate, EndpointParam, Operation, ParamKind, ParamSource, PathStep, Presence, StaticValue, Type};

/// The names of the service's client context parameters, for `ServiceMeta`.
pub(super) fn client_context_names(krate: &Crate) -> TokenStream {
    let names = krate.service.client_context_params.iter().map(|p| lit(&p.name));
    quote!(&[#(#names),*])
}

/// Crate-level doc lines describing the client context parameters (empty when there are none).
pub(super) fn client_context_docs(krate: &Crate) -> Vec<String> {
    let params = &krate.service.client_context_params;
    if params.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        String::new(),
        "# Client context parameters".to_owned(),
        String::new(),
        "Endpoint-rule settings of this service, set with `Config::builder().client_context_param(name, value)`:"
            .to_owned(),
        String::new(),
    ];
    for p in params {
        let first = p.docs.iter().find(|l| !l.is_empty()).cloned().unwrap_or_default();
        let rust = match p.kind {
            ParamKind::String => "a string",
            ParamKind::Bool => "a `bool`",
            ParamKind::StringArray => "a `Vec<String>`",
        };
        lines.push(format!("- `{}` ({rust}): {first}", p.name).trim_end_matches([':', ' ']).to_owned());
    }
    lines
}

/// The statement the client method runs to attach the operation's endpoint parameters to the
/// request (nothing when it has none).
pub(super) fn attach(op: &Operation) -> TokenStream {
    if op.endpoint_params.is_empty() {
        return quote!();
    }
    let module = ident(&op.module);
    let arg = if op.input.is_some() { quote!(&input) } else { quote!() };
    quote! {
        let mut request = request;
        request.extensions_mut().insert(crate::operation::#module::endpoint_params(#arg));
    }
}

/// `endpoint_params(input)` for the operation module (nothing when it has none).
pub(super) fn operation_fn(krate: &Crate, op: &Operation) -> TokenStream {
    if op.endpoint_params.is_empty() {
        return quote!();
    }
    let input_ty = op.input.as_ref().map(|i| ident(i));
    // Only static parameters (S3's `ListDirectoryBuckets`): the input is not read.
    let reads_input = op.endpoint_params.iter().any(|p| matches!(p.source, crate::ir::ParamSource::Input(_)));
    let param = match &input_ty {
        Some(t) if reads_input => quote!(input: &crate::types::#t),
        Some(t) => quote!(_input: &crate::types::#t),
        None => quote!(),
    };
    let sets = op.endpoint_params.iter().map(|p| set_param(krate, op, p));
    let docs: Vec<String> = op.endpoint_params.iter().map(|p| format!(" - `{}`: {}", p.name, p.origin)).collect();
    quote! {
        /// The endpoint parameters this operation sets, lowest precedence first:
        #(#[doc = #docs])*
        pub(crate) fn endpoint_params(#param) -> ::awslim_runtime::OperationEndpointParams {
            let mut params = ::awslim_runtime::OperationEndpointParams::new();
            #(#sets)*
            params
        }
    }
}

fn set_param(krate: &Crate, op: &Operation, p: &EndpointParam) -> TokenStream {
    let name = lit(&p.name);
    match &p.source {
        ParamSource::Static(StaticValue::String(s)) => quote!(params.set(#name, #s);),
        ParamSource::Static(StaticValue::Bool(b)) => quote!(params.set(#name, #b);),
        ParamSource::Static(StaticValue::StringArray(items)) => quote! {
            params.set(#name, ::std::vec![#(::std::string::String::from(#items)),*]);
        },
        ParamSource::Input(steps) => {
            let Some(input) = &op.input else { return quote!() };
            let Some(walk) = compile_path(krate, input, steps) else { return quote!() };
            let set = match p.kind {
                ParamKind::String => {
                    quote!(if let ::std::option::Option::Some(v) = value { params.set(#name, v.as_str()); })
                }
                ParamKind::Bool => quote!(if let ::std::option::Option::Some(v) = value { params.set(#name, *v); }),
                ParamKind::StringArray => quote! {
                    if let ::std::option::Option::Some(items) = value {
                        params.set(#name, items.iter().map(|v| ::std::string::String::from(v.as_str())).collect::<::std::vec::Vec<_>>());
                    }
                },
            };
            quote!({ #walk #set })
        }
    }
}

/// Statements that leave `value`: `Option<&T>` for a single result, `Option<Vec<&T>>` after a
/// projection (JMESPath: a missing value is null, and nulls are dropped from projections).
/// `None` if the path does not fit the IR (the lowering already reported it).
fn compile_path(krate: &Crate, input: &str, steps: &[PathStep]) -> Option<TokenStream> {
    let mut out = vec![quote!(let value = ::std::option::Option::Some(input);)];
    let mut ty = Type::Struct(input.to_owned());
    let mut many = false;
    for step in steps {
        match step {
            PathStep::Member(member) => {
                let Type::Struct(s) = &ty else { return None };
                let field = krate.find_struct(s)?.fields.iter().find(|f| &f.member == member)?;
                let f = ident(&field.name);
                let optional = field.presence == Presence::Optional;
                out.push(match (many, optional) {
                    (true, true) => quote!(let value = value.map(|items| items.into_iter().filter_map(|v| v.#f.as_ref()).collect::<::std::vec::Vec<_>>());),
                    (true, false) => quote!(let value = value.map(|items| items.into_iter().map(|v| &v.#f).collect::<::std::vec::Vec<_>>());),
                    (false, true) => quote!(let value = value.and_then(|v| v.#f.as_ref());),
                    (false, false) => quote!(let value = value.map(|v| &v.#f);),
                });
                ty = field.value.ty.clone();
            }
            PathStep::Project | PathStep::Flatten => {
                let Type::List { item, sparse } = &ty else { return None };
                let items = if *sparse { quote!(list.iter().flatten()) } else { quote!(list.iter()) };
                out.push(if many {
                    quote!(let value = value.map(|lists| lists.into_iter().flat_map(|list| #items).collect::<::std::vec::Vec<_>>());)
                } else {
                    quote!(let value = value.map(|list| #items.collect::<::std::vec::Vec<_>>());)
                });
                ty = item.ty.clone();
                many = true;
            }
            PathStep::Keys => {
                let Type::Map { key, .. } = &ty else { return None };
                out.push(quote!(let value = value.map(|map| map.keys().collect::<::std::vec::Vec<_>>());));
                ty = key.ty.clone();
                many = true;
            }
        }
    }
    Some(quote!(#(#out)*))
}
