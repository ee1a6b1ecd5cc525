//! `src/validate.rs`: `validate()` for every type reachable from an operation input.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{ident, lit};
use crate::ir::{value_needs_validation, Crate, Presence, Type, ValueType};

struct Patterns {
    /// Pattern text -> static name.
    names: BTreeMap<String, String>,
}

impl Patterns {
    fn name(&self, pattern: &str) -> proc_macro2::Ident {
        format_ident!("{}", self.names.get(pattern).map(String::as_str).unwrap_or("PATTERN"))
    }
}

fn collect_patterns(v: &ValueType, out: &mut BTreeSet<String>) {
    if let Some(p) = &v.constraints.pattern {
        out.insert(p.clone());
    }
    match &v.ty {
        Type::List { item, .. } => collect_patterns(item, out),
        Type::Map { key, value, .. } => {
            collect_patterns(key, out);
            collect_patterns(value, out);
        }
        _ => {}
    }
}

pub(super) fn validate_rs(krate: &Crate) -> TokenStream {
    let named: BTreeSet<String> = krate
        .structs
        .iter()
        .filter(|s| s.needs_validation)
        .map(|s| s.name.clone())
        .chain(krate.unions.iter().filter(|u| u.needs_validation).map(|u| u.name.clone()))
        .collect();
    let mut pattern_set = BTreeSet::new();
    for s in krate.structs.iter().filter(|s| s.usage.input) {
        for f in &s.fields {
            collect_patterns(&f.value, &mut pattern_set);
        }
    }
    for u in krate.unions.iter().filter(|u| u.usage.input) {
        for v in u.variants.iter().filter_map(|v| v.value.as_ref()) {
            collect_patterns(v, &mut pattern_set);
        }
    }
    let patterns =
        Patterns { names: pattern_set.iter().enumerate().map(|(i, p)| (p.clone(), format!("PATTERN_{i}"))).collect() };
    let statics = patterns.names.iter().map(|(p, n)| {
        let n = format_ident!("{}", n);
        let p = lit(p);
        quote!(static #n: ::awslim_runtime::validate::Pattern = ::awslim_runtime::validate::Pattern::new(#p);)
    });
    let structs = krate.structs.iter().filter(|s| s.usage.input).map(|s| {
        let name = ident(&s.name);
        let checks: Vec<TokenStream> = s
            .fields
            .iter()
            .filter(|f| value_needs_validation(&f.value, &named))
            .map(|f| {
                let fname = ident(&f.name);
                let wire = lit(&f.member);
                let body = value_checks(&f.value, &named, &patterns);
                if f.presence == Presence::Optional {
                    quote! {
                        if let ::std::option::Option::Some(value) = &self.#fname {
                            let path = path.member(#wire);
                            #body
                        }
                    }
                } else {
                    quote! {
                        {
                            let value = &self.#fname;
                            let path = path.member(#wire);
                            #body
                        }
                    }
                }
            })
            .collect();
        let into_args = if checks.is_empty() { quote!(_path: &::awslim_runtime::validate::Path<'_>, _violations: &mut ::awslim_runtime::validate::Violations) } else { quote!(path: &::awslim_runtime::validate::Path<'_>, violations: &mut ::awslim_runtime::validate::Violations) };
        let doc = " Checks every constraint the model declares on this value and everything in it, and returns all violations at once, each with its path.";
        validate_methods(&name, doc, into_args, quote!(#(#checks)*))
    });
    let unions = krate.unions.iter().filter(|u| u.usage.input).map(|u| {
        let name = ident(&u.name);
        let arms: Vec<(TokenStream, TokenStream)> = u
            .variants
            .iter()
            .filter_map(|v| {
                let value = v.value.as_ref()?;
                if !value_needs_validation(value, &named) {
                    return None;
                }
                let vname = ident(&v.name);
                let wire = lit(&v.member);
                let body = value_checks(value, &named, &patterns);
                Some((
                    quote!(Self::#vname(value)),
                    quote! {
                        let path = path.member(#wire);
                        #body
                    },
                ))
            })
            .collect();
        let body = if arms.is_empty() {
            quote!(let _ = (path, violations);)
        } else if let [(pattern, check)] = arms.as_slice() {
            // One member to check: `if let` (a `match` with one arm and `_` is clippy's
            // `single_match`).
            quote! {
                if let #pattern = self {
                    #check
                }
            }
        } else {
            let arms = arms.iter().map(|(pattern, check)| quote!(#pattern => { #check }));
            quote! {
                #[allow(clippy::match_single_binding)]
                match self {
                    #(#arms)*
                    _ => {}
                }
            }
        };
        let args = quote!(path: &::awslim_runtime::validate::Path<'_>, violations: &mut ::awslim_runtime::validate::Violations);
        validate_methods(&name, " Checks every constraint the model declares on the member that is set.", args, body)
    });
    let utf8 = utf8_size_impls(krate);
    quote! {
        //! Constraint checks generated from the model's `@length`, `@pattern`, `@range`,
        //! `@uniqueItems` and `awslim.traits#totalUtf8Bytes` traits.
        #(#statics)*
        #(#structs)*
        #(#unions)*
        #(#utf8)*
    }
}

/// Named types inside a value type (through collections).
fn named_in(v: &ValueType, out: &mut Vec<String>) {
    match &v.ty {
        Type::Struct(n) | Type::Union(n) | Type::Enum(n) | Type::IntEnum(n) => out.push(n.clone()),
        Type::List { item, .. } => named_in(item, out),
        Type::Map { key, value, .. } => {
            named_in(key, out);
            named_in(value, out);
        }
        _ => {}
    }
}

/// `Utf8Size` for every named type that sits inside a collection with a total UTF-8 limit.
fn utf8_size_impls(krate: &Crate) -> Vec<TokenStream> {
    let mut roots = Vec::new();
    let visit = |v: &ValueType, roots: &mut Vec<String>| {
        fn walk(v: &ValueType, roots: &mut Vec<String>) {
            if v.constraints.total_utf8_bytes.is_some() {
                named_in(v, roots);
            }
            match &v.ty {
                Type::List { item, .. } => walk(item, roots),
                Type::Map { key, value, .. } => {
                    walk(key, roots);
                    walk(value, roots);
                }
                _ => {}
            }
        }
        walk(v, roots)
    };
    for s in krate.structs.iter().filter(|s| s.usage.input) {
        for f in &s.fields {
            visit(&f.value, &mut roots);
        }
    }
    for u in krate.unions.iter().filter(|u| u.usage.input) {
        for v in u.variants.iter().filter_map(|v| v.value.as_ref()) {
            visit(v, &mut roots);
        }
    }
    // Close over what those types contain.
    let mut needed: BTreeSet<String> = BTreeSet::new();
    while let Some(n) = roots.pop() {
        if !needed.insert(n.clone()) {
            continue;
        }
        if let Some(s) = krate.find_struct(&n) {
            for f in &s.fields {
                named_in(&f.value, &mut roots);
            }
        }
        if let Some(u) = krate.unions.iter().find(|u| u.name == n) {
            for v in u.variants.iter().filter_map(|v| v.value.as_ref()) {
                named_in(v, &mut roots);
            }
        }
    }
    needed
        .iter()
        .map(|n| {
            let name = ident(n);
            let body = if let Some(s) = krate.find_struct(n) {
                let parts: Vec<TokenStream> = s
                    .fields
                    .iter()
                    .map(|f| {
                        let fname = ident(&f.name);
                        quote!(::awslim_runtime::validate::Utf8Size::utf8_size(&self.#fname))
                    })
                    .collect();
                if parts.is_empty() {
                    quote!(0)
                } else {
                    quote!(#(#parts)+*)
                }
            } else if let Some(u) = krate.unions.iter().find(|u| &u.name == n) {
                let arms = u.variants.iter().map(|v| {
                    let vname = ident(&v.name);
                    if v.value.is_some() {
                        quote!(Self::#vname(value) => ::awslim_runtime::validate::Utf8Size::utf8_size(value),)
                    } else {
                        quote!(Self::#vname => 0,)
                    }
                });
                quote!(match self { #(#arms)* Self::Unknown(member) => ::awslim_runtime::validate::Utf8Size::utf8_size(member.value()), })
            } else if krate.enums.iter().any(|e| &e.name == n && !e.int) {
                quote!(self.as_str().len() as u64)
            } else {
                quote!(0)
            };
            quote! {
                impl ::awslim_runtime::validate::Utf8Size for crate::types::#name {
                    fn utf8_size(&self) -> u64 {
                        #body
                    }
                }
            }
        })
        .collect()
}

/// `validate()` (all violations) and the hidden `validate_into` it and enclosing types call.
fn validate_methods(name: &proc_macro2::Ident, doc: &str, into_args: TokenStream, body: TokenStream) -> TokenStream {
    quote! {
        impl crate::types::#name {
            #[doc = #doc]
            pub fn validate(&self) -> ::std::result::Result<(), ::awslim_runtime::validate::ValidationError> {
                let mut violations = ::awslim_runtime::validate::Violations::new();
                self.validate_into(&::awslim_runtime::validate::Path::Root, &mut violations);
                violations.into_result()
            }
            #[doc(hidden)]
            pub fn validate_into(&self, #into_args) {
                #body
            }
        }
    }
}

fn opt_u64(v: Option<u64>) -> TokenStream {
    match v {
        Some(n) => {
            let l = Literal::u64_suffixed(n);
            quote!(::std::option::Option::Some(#l))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn bound_i64(text: &Option<String>) -> TokenStream {
    match text.as_deref().and_then(|t| t.parse::<f64>().ok()) {
        Some(n) => {
            let l = Literal::i64_suffixed(n as i64);
            quote!(::std::option::Option::Some(#l))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn bound_f64(text: &Option<String>) -> TokenStream {
    match text.as_deref().and_then(|t| t.parse::<f64>().ok().map(|n| (n, t))) {
        Some((n, t)) if n.is_finite() => {
            let l = Literal::f64_suffixed(n);
            quote!(::std::option::Option::Some((#l, #t)))
        }
        _ => quote!(::std::option::Option::None),
    }
}

/// Checks for `value` (a reference) at `path`, with `violations` in scope.
fn value_checks(v: &ValueType, named: &BTreeSet<String>, patterns: &Patterns) -> TokenStream {
    let c = &v.constraints;
    let sensitive = v.sensitive;
    let mut out = Vec::new();
    if let Some((min, max)) = c.length {
        let (min, max) = (opt_u64(min), opt_u64(max));
        out.push(match &v.ty {
            Type::String => quote!(violations.length_chars(&path, value, #min, #max);),
            Type::Enum(_) => quote!(violations.length_chars(&path, value.as_str(), #min, #max);),
            Type::Blob => quote!(violations.length(&path, value.len(), #min, #max, ::awslim_runtime::validate::LengthUnit::Bytes);),
            Type::List { .. } | Type::Map { .. } => quote!(violations.length(&path, value.len(), #min, #max, ::awslim_runtime::validate::LengthUnit::Entries);),
            _ => quote!(),
        });
    }
    if let (Some(p), Type::String | Type::Enum(_)) = (&c.pattern, &v.ty) {
        let name = patterns.name(p);
        let text = if v.ty == Type::String { quote!(value) } else { quote!(value.as_str()) };
        out.push(quote!(violations.pattern(&path, #text, &#name, #sensitive);));
    }
    if let Some((min, max)) = &c.range {
        out.push(match &v.ty {
            Type::Byte | Type::Short | Type::Integer | Type::Long => {
                let (min, max) = (bound_i64(min), bound_i64(max));
                let v = if v.ty == Type::Long { quote!(*value) } else { quote!(i64::from(*value)) };
                quote!(violations.range_i64(&path, #v, #min, #max, #sensitive);)
            }
            Type::IntEnum(_) => {
                let (min, max) = (bound_i64(min), bound_i64(max));
                quote!(violations.range_i64(&path, i64::from(value.as_i32()), #min, #max, #sensitive);)
            }
            Type::Float | Type::Double => {
                let (min, max) = (bound_f64(min), bound_f64(max));
                let v = if v.ty == Type::Double { quote!(*value) } else { quote!(f64::from(*value)) };
                quote!(violations.range_f64(&path, #v, #min, #max, #sensitive);)
            }
            Type::BigInteger | Type::BigDecimal => {
                let (min, max) = (bound_f64(min), bound_f64(max));
                quote!(violations.range_f64(&path, value.as_str().parse::<f64>().unwrap_or(f64::NAN), #min, #max, #sensitive);)
            }
            _ => quote!(),
        });
    }
    if c.unique_items && matches!(v.ty, Type::List { .. }) {
        out.push(quote!(violations.unique_items(&path, value);));
    }
    if let Some(max) = c.total_utf8_bytes {
        let max = Literal::u64_suffixed(max);
        out.push(quote!(violations.total_utf8_bytes(&path, value, #max);));
    }
    match &v.ty {
        Type::Struct(n) | Type::Union(n) if named.contains(n) => {
            out.push(quote!(value.validate_into(&path, violations);));
        }
        Type::List { item, sparse } if value_needs_validation(item, named) => {
            let inner = value_checks(item, named, patterns);
            let bind = if *sparse {
                quote!(let ::std::option::Option::Some(value) = value else { continue };)
            } else {
                quote!()
            };
            out.push(quote! {
                for (index, value) in value.iter().enumerate() {
                    #bind
                    let path = path.index(index);
                    #inner
                }
            });
        }
        Type::Map { key, value, sparse }
            if value_needs_validation(key, named) || value_needs_validation(value, named) =>
        {
            let key_str = quote!(key.as_str());
            let key_checks = if value_needs_validation(key, named) {
                let inner = value_checks(key, named, patterns);
                quote! {
                    {
                        let value = key;
                        let path = path.map_key(#key_str);
                        #inner
                    }
                }
            } else {
                quote!()
            };
            let value_checks_ts = if value_needs_validation(value, named) {
                let inner = value_checks(value, named, patterns);
                let bind = if *sparse { quote!(if let ::std::option::Option::Some(value) = value) } else { quote!() };
                quote! {
                    #bind {
                        let path = path.key(#key_str);
                        #inner
                    }
                }
            } else {
                quote!()
            };
            let binding = if value_needs_validation(value, named) {
                quote!((key, value) in value)
            } else {
                quote!(key in value.keys())
            };
            out.push(quote! {
                for #binding {
                    #key_checks
                    #value_checks_ts
                }
            });
        }
        _ => {}
    }
    quote!(#(#out)*)
}
