//! `src/mock.rs` (compiled only with the generated crate's `test-util` feature): one typed
//! mock rule constructor per operation, `MockError` for each operation error enum, and
//! `Client::with_mocks`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{ident, lit};
use crate::ir::{Crate, Operation};

/// The `mod` line for `lib.rs`.
pub(super) fn module_decl() -> TokenStream {
    quote! {
        #[cfg(feature = "test-util")]
        #[rustfmt::skip]
        pub mod mock;
    }
}

/// `#[cfg(feature = "test-util")]` line for a client method: attaches the typed input.
pub(super) fn attach_input(op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let input = if op.input.is_some() { quote!(&input) } else { quote!(&()) };
    quote! {
        #[cfg(feature = "test-util")]
        let request = ::awslim_runtime::mock::attach_input(request, crate::operation::#module::META.name, #input);
    }
}

/// `#[cfg(feature = "test-util")]` line for a parser: a mocked answer is taken as it is.
pub(super) fn take_answer() -> TokenStream {
    quote! {
        #[cfg(feature = "test-util")]
        if let ::std::option::Option::Some(answer) = ::awslim_runtime::mock::take_answer(response, crate::SERVICE.error_metadata) {
            return ::std::result::Result::Ok(answer);
        }
    }
}

pub(super) fn mock_rs(krate: &Crate) -> TokenStream {
    // Streaming operations have no typed mock (their input cannot be cloned for matching).
    let ops = krate.operations.iter().filter(|op| !super::protocol::operation_streams(krate, op)).map(operation);
    quote! {
        //! Typed mocks for tests of code that uses this client (feature `test-util`).
        //!
        //! Each function makes a [`Rule`](::awslim_runtime::mock::Rule) for one operation:
        //! `.match_input(|input| ...)` picks the calls it answers, and `.then_output(..)`,
        //! `.then_error(..)` and `.then_http(..)` script its answers in order. Put the rules in a
        //! [`MockTransport`](::awslim_runtime::mock::MockTransport) and build the client with
        //! [`Client::with_mocks`](crate::Client::with_mocks): calls go through validation,
        //! signing and retries as usual, but never reach the network. End the test with
        //! `mocks.assert_all_used()`.
        pub use ::awslim_runtime::mock::{MockTransport, Rule};
        impl crate::Client {
            /// A client whose calls are answered by `mocks` (region `us-east-1`, test
            /// credentials, retries with millisecond backoff so retry tests run fast).
            pub fn with_mocks(mocks: &::awslim_runtime::mock::MockTransport) -> Self {
                let retry = ::awslim_runtime::RetryConfig::default()
                    .with_initial_backoff(::std::time::Duration::from_millis(1))
                    .with_max_backoff(::std::time::Duration::from_millis(2));
                Self::new(
                    ::awslim_runtime::Config::builder()
                        .region("us-east-1")
                        .credentials(::awslim_runtime::Credentials::new("AKIDMOCK", "mock-secret"))
                        .retry(retry)
                        .transport(::std::clone::Clone::clone(mocks))
                        .build(),
                )
            }
        }
        #(#ops)*
    }
}

fn operation(op: &Operation) -> TokenStream {
    let module = ident(&op.module);
    let err = ident(&op.error_name);
    let name = lit(&op.name);
    let input = op.input.as_deref().map_or_else(
        || quote!(()),
        |i| {
            let i = ident(i);
            quote!(crate::types::#i)
        },
    );
    let output = op.output.as_deref().map_or_else(
        || quote!(()),
        |o| {
            let o = ident(o);
            quote!(crate::types::#o)
        },
    );
    let doc = format!(" A mock rule for [`{0}`](crate::Client::{0}).", op.module.trim_start_matches("r#"));
    let codes = op.errors.iter().map(|e| {
        let t = ident(&e.type_name);
        let code = lit(&e.info.code);
        quote!(Self::#t(_) => ::std::string::String::from(#code),)
    });
    let statuses = op.errors.iter().map(|e| {
        let t = ident(&e.type_name);
        let status = e.info.http_status.unwrap_or(if e.info.server_fault { 500 } else { 400 });
        quote!(Self::#t(_) => #status,)
    });
    let metas = op.errors.iter().map(|e| {
        let t = ident(&e.type_name);
        quote!(Self::#t(e) => Self::#t(e.with_meta(meta)),)
    });
    quote! {
        #[doc = #doc]
        pub fn #module() -> ::awslim_runtime::mock::Rule<#input, #output, crate::operation::#module::#err> {
            ::awslim_runtime::mock::Rule::new(#name)
        }
        impl ::awslim_runtime::mock::MockError for crate::operation::#module::#err {
            fn mock_code(&self) -> ::std::string::String {
                match self {
                    #(#codes)*
                    Self::Unhandled(e) => ::std::string::String::from(e.meta().code().unwrap_or("UnknownError")),
                }
            }
            fn mock_status(&self) -> u16 {
                match self {
                    #(#statuses)*
                    Self::Unhandled(e) if e.meta().status() >= 400 => e.meta().status(),
                    Self::Unhandled(_) => 500,
                }
            }
            fn mock_message(&self) -> ::std::option::Option<::std::string::String> {
                self.meta().message().map(::std::borrow::ToOwned::to_owned)
            }
            fn with_meta(self, meta: ::awslim_runtime::ErrorMetadata) -> Self {
                match self {
                    #(#metas)*
                    Self::Unhandled(_) => Self::Unhandled(::awslim_runtime::UnhandledError::new(meta)),
                }
            }
        }
    }
}
