//! awslim-codegen: generates a Rust client crate from a Smithy 2.0 (or 1.0) JSON AST model.
//!
//! The pipeline has three stages, each in its own module:
//!
//! 1. [`model`]: load and check the JSON AST ([`Model::load`]); every problem names its shape.
//! 2. [`ir`]: lower the selected operations and the shapes they reach into a named IR
//!    ([`ir::lower`]); all Rust names come from [`naming`], docs from [`docs`].
//! 3. `emit`: turn the IR into token streams and formatted files.
//!
//! [`generate`] runs all three and returns the crate's files; it does no I/O.

mod auth;
mod builder;
pub mod diff;
pub mod docs;
mod emit;
pub mod ir;
pub mod model;
pub mod naming;
pub mod output;
pub mod pagination;
pub mod project;
pub mod slice;
pub mod waiters;

use std::collections::BTreeMap;

pub use builder::Builder;
pub use emit::{toml_string, CrateOptions, RuntimeDependency, DEFAULT_LICENSE, HEADER};
pub use ir::Selection;
pub use model::{Model, ModelError, ModelErrors, Source};
pub use project::{Project, WorkspaceMode};

/// The default model shipped in the repository (`model/connect.json`).
pub const DEFAULT_MODEL: &str = include_str!("../../model/connect.json");
/// The name of the default model file, for messages.
pub const DEFAULT_MODEL_NAME: &str = "model/connect.json";

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model is malformed or uses something unsupported.
    #[error("{0}")]
    Model(#[from] ModelErrors),
    /// A generator bug surfaced while rendering.
    #[error("{0}")]
    Render(#[from] emit::RenderError),
}

/// Generates the crate for `selection` of `model`: relative path -> file contents.
pub fn generate(
    model: &Model,
    selection: &Selection,
    options: &CrateOptions,
) -> Result<BTreeMap<String, String>, Error> {
    generate_with_warnings(model, selection, options).map(|g| g.files)
}

/// A generated crate and what it does not enforce.
#[derive(Clone, Debug)]
pub struct Generated {
    /// Relative path -> file contents.
    pub files: BTreeMap<String, String>,
    /// Problems that did not stop generation, each naming its shape (e.g. a `@pattern` that
    /// `regress` cannot compile, which the crate therefore does not enforce).
    pub warnings: Vec<ModelError>,
}

/// [`generate`], also returning the warnings about the selected shapes.
pub fn generate_with_warnings(
    model: &Model,
    selection: &Selection,
    options: &CrateOptions,
) -> Result<Generated, Error> {
    let krate = ir::lower(model, selection)?;
    let files = emit::files(&krate, options)?;
    Ok(Generated { files, warnings: krate.warnings })
}

/// The package name for a service's generated crate (`awslim-connect` for sdkId `Connect`).
pub fn default_package_name(model: &Model, selection: &Selection) -> Result<String, Error> {
    let krate = ir::lower(model, selection)?;
    Ok(naming::package_name(&krate.service.sdk_id))
}
