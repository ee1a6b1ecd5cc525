//! Auth metadata: each operation's effective auth schemes, and the runtime features they need.

use proc_macro2::TokenStream;
use quote::quote;

use super::lit;
use crate::ir::{AuthScheme, Crate, Operation};

/// The `auth` field value of an operation's `OperationMeta`: its schemes, in order.
pub(super) fn operation_auth(op: &Operation) -> TokenStream {
    let schemes = op.auth.iter().map(|scheme| match scheme {
        AuthScheme::SigV4 { signing_name } => {
            let name = lit(signing_name);
            quote!(::awslim_runtime::AuthScheme::SigV4 { signing_name: #name })
        }
        AuthScheme::SigV4a { signing_name } => {
            let name = lit(signing_name);
            quote!(::awslim_runtime::AuthScheme::SigV4a { signing_name: #name })
        }
        AuthScheme::HttpBearer => quote!(::awslim_runtime::AuthScheme::HttpBearer),
        AuthScheme::NoAuth => quote!(::awslim_runtime::AuthScheme::NoAuth),
        AuthScheme::Unsupported(id) => {
            let id = lit(id);
            quote!(::awslim_runtime::AuthScheme::Unsupported(#id))
        }
    });
    quote!(&[#(#schemes),*])
}

/// Runtime features the crate's auth needs: `sigv4a` when an operation or the endpoint rules
/// use SigV4a, `bearer` when an operation uses `@httpBearerAuth`.
pub(super) fn runtime_features(krate: &Crate) -> Vec<&'static str> {
    let uses = |wanted: fn(&AuthScheme) -> bool| krate.operations.iter().any(|o| o.auth.iter().any(wanted));
    let mut features = Vec::new();
    if krate.service.endpoint_sigv4a || uses(|s| matches!(s, AuthScheme::SigV4a { .. })) {
        features.push("sigv4a");
    }
    if uses(|s| matches!(s, AuthScheme::HttpBearer)) {
        features.push("bearer");
    }
    features
}
