//! `aws.protocols#restJson1`: the HTTP bindings of [`super::http_binding`] with JSON bodies
//! ([`crate::json`]); errors by the JSON rules of [`super::json_errors`].

pub use super::json_errors::error_metadata;
