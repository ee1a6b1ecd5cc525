//! The build-script API: generate a client into `OUT_DIR` from `build.rs`.
//!
//! ```no_run
//! // build.rs, in `fn main()`:
//! if let Err(e) = awslim_codegen::Builder::new()
//!     .model("model/connect.json")
//!     .operations(["StartWebRTCContact"])
//!     .generate()
//! {
//!     panic!("{e}"); // names the shape and member, as the CLI does
//! }
//! ```
//!
//! and at the root of the crate (`src/lib.rs`), which depends on `awslim-runtime`:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/awslim.rs"));
//! ```
//!
//! The whole generated crate becomes one file: each module inline, in the same layout as a
//! checked-in crate. With [`Builder::module_path`] it can live in a module instead of the crate
//! root. Cargo reruns the script only when a model file changes (`cargo:rerun-if-changed`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

use crate::project::{load_models, ProjectError};
use crate::{CrateOptions, RuntimeDependency, Selection};

/// Generates a client into `OUT_DIR` (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct Builder {
    models: Vec<PathBuf>,
    selection: Selection,
    module_path: Vec<String>,
    file_name: Option<String>,
    out_dir: Option<PathBuf>,
}

impl Builder {
    /// A builder with no model yet.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Adds a model file (repeat to merge several), relative to the package directory.
    pub fn model(mut self, path: impl Into<PathBuf>) -> Self {
        self.models.push(path.into());
        self
    }

    /// Only these operations (Smithy names) and the shapes they reach.
    pub fn operations<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ops: I) -> Self {
        self.selection.operations = Some(ops.into_iter().map(Into::into).collect());
        self
    }

    /// The service shape ID, when the model has several.
    pub fn service(mut self, id: impl Into<String>) -> Self {
        self.selection.service = Some(id.into());
        self
    }

    /// Where the file is `include!`d, as a path from the crate root (`"aws::connect"`);
    /// default: the crate root itself.
    pub fn module_path(mut self, path: &str) -> Self {
        self.module_path = path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
        self
    }

    /// The file name in the output directory (default `awslim.rs`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The output directory (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Generates the file, prints `cargo:rerun-if-changed` for every model, and returns the
    /// path written.
    pub fn generate(self) -> Result<PathBuf, ProjectError> {
        for m in &self.models {
            println!("cargo:rerun-if-changed={}", m.display());
        }
        let out_dir = match self.out_dir.clone().or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from)) {
            Some(d) => d,
            None => {
                return Err(ProjectError::Options("OUT_DIR is not set: call this from build.rs or set out_dir".into()))
            }
        };
        let (text, warnings) = self.render_with_warnings()?;
        for w in warnings {
            // One line each: Cargo shows `warning:` lines of a build script to the user.
            println!("cargo:warning={}", w.to_string().replace(['\r', '\n'], " "));
        }
        let path = out_dir.join(self.file_name.as_deref().unwrap_or("awslim.rs"));
        // The same rule as for crate directories: never replace a file (or link) we did not write.
        if std::fs::symlink_metadata(&path).is_ok() && !crate::output::is_generated(&path) {
            return Err(crate::output::OutputError::NotOurs { path }.into());
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).map_err(|source| ProjectError::Read { path: path.clone(), source })?;
        }
        Ok(path)
    }

    /// The single file's text, without writing it.
    pub fn render(&self) -> Result<String, ProjectError> {
        self.render_with_warnings().map(|(text, _)| text)
    }

    /// [`render`](Self::render), with what the crate does not enforce (e.g. a `@pattern`
    /// `regress` cannot compile).
    fn render_with_warnings(&self) -> Result<(String, Vec<crate::ModelError>), ProjectError> {
        if self.models.is_empty() {
            return Err(ProjectError::Options("no model: call .model(\"path/to/model.json\")".into()));
        }
        let model = load_models(&self.models)?;
        // Inlined into a module of another crate: an example's `package::` paths would not resolve.
        let options = CrateOptions {
            doc_examples: false,
            ..CrateOptions::new("build-script", RuntimeDependency::Version("*".into()))
        };
        let generated = crate::generate_with_warnings(&model, &self.selection, &options)?;
        let text =
            inline(&generated.files, &self.module_path).map_err(|e| ProjectError::Generate(crate::Error::Render(e)))?;
        Ok((text, generated.warnings))
    }
}

/// The crate's `src/` files as one file: `mod x;` replaced by the module's contents, the root's
/// inner attributes turned into outer ones on each item, `crate::` prefixed with `module_path`.
fn inline(files: &BTreeMap<String, String>, module_path: &[String]) -> Result<String, crate::emit::RenderError> {
    let mut root = parse(files, "src/lib.rs")?;
    inline_mods(files, Path::new("src"), &mut root.items)?;
    // An included file cannot start with inner attributes: the root's `#![allow(...)]` lints
    // go onto each module, merged with the module's own.
    let root_allows = allowed_lints(&root.attrs);
    let mut tokens = TokenStream::new();
    for item in &mut root.items {
        if let syn::Item::Mod(m) = item {
            let mut lints = root_allows.clone();
            lints.extend(allowed_lints(&m.attrs));
            m.attrs.retain(|a| !a.path().is_ident("allow"));
            if !lints.is_empty() {
                let paths =
                    lints.iter().map(|l| syn::parse_str::<syn::Path>(l).unwrap_or_else(|_| syn::parse_quote!(unused)));
                m.attrs.push(syn::parse_quote!(#[allow(#(#paths),*)]));
            }
        }
        item.to_tokens(&mut tokens);
    }
    let tokens = if module_path.is_empty() { tokens } else { reroot(tokens, module_path) };
    let file: syn::File = syn::parse2(tokens).map_err(|e| render_error("(inlined)", e))?;
    Ok(format!("{}\n{}", crate::HEADER, prettyplease::unparse(&file)))
}

/// The lints named by `#[allow(...)]` / `#![allow(...)]` attributes, sorted and deduplicated.
fn allowed_lints(attrs: &[syn::Attribute]) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("allow")) {
        let parsed = a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated);
        for p in parsed.into_iter().flatten() {
            out.insert(p.to_token_stream().to_string().replace(' ', ""));
        }
    }
    out
}

fn render_error(file: &str, e: impl std::fmt::Display) -> crate::emit::RenderError {
    crate::emit::RenderError { file: file.to_owned(), message: e.to_string() }
}

fn parse(files: &BTreeMap<String, String>, path: &str) -> Result<syn::File, crate::emit::RenderError> {
    let text = files.get(path).ok_or_else(|| render_error(path, "missing"))?;
    syn::parse_file(text).map_err(|e| render_error(path, e))
}

/// Replaces every `mod name;` in `items` (declared in a file whose children live in `dir`).
fn inline_mods(
    files: &BTreeMap<String, String>,
    dir: &Path,
    items: &mut [syn::Item],
) -> Result<(), crate::emit::RenderError> {
    for item in items {
        let syn::Item::Mod(m) = item else { continue };
        if m.content.is_some() {
            continue;
        }
        let name = m.ident.to_string().trim_start_matches("r#").to_owned();
        let flat = dir.join(format!("{name}.rs")).to_string_lossy().replace('\\', "/");
        let nested = dir.join(&name).join("mod.rs").to_string_lossy().replace('\\', "/");
        let path = if files.contains_key(&flat) { flat } else { nested };
        let mut file = parse(files, &path)?;
        inline_mods(files, &dir.join(&name), &mut file.items)?;
        // The file's inner attributes (`//!` docs, lint levels) become the module's outer ones.
        m.attrs.extend(file.attrs.into_iter().map(|mut a| {
            a.style = syn::AttrStyle::Outer;
            a
        }));
        m.content = Some((Default::default(), file.items));
        m.semi = None;
    }
    Ok(())
}

/// `crate::x` becomes `crate::<module_path>::x` everywhere (not `pub(crate)`).
fn reroot(tokens: TokenStream, module_path: &[String]) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(g.delimiter(), reroot(g.stream(), module_path));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            TokenTree::Ident(id) if id == "crate" && is_path_sep(&trees[i + 1..]) => {
                out.push(tree.clone());
                for seg in module_path {
                    out.push(TokenTree::Punct(Punct::new(':', Spacing::Joint)));
                    out.push(TokenTree::Punct(Punct::new(':', Spacing::Alone)));
                    out.push(TokenTree::Ident(Ident::new(seg, Span::call_site())));
                }
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

fn is_path_sep(rest: &[TokenTree]) -> bool {
    matches!(rest, [TokenTree::Punct(a), TokenTree::Punct(b), ..] if a.as_char() == ':' && b.as_char() == ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlines_every_module_and_reroots_paths() {
        let dir = std::env::temp_dir().join(format!("awslim-builder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let model = dir.join("m.json");
        std::fs::write(&model, crate::DEFAULT_MODEL).unwrap();
        let text = Builder::new().model(&model).module_path("aws::connect").render().unwrap();
        assert!(!text.contains("mod types;") && text.contains("pub mod types {"), "modules are inline");
        assert!(text.contains("crate::aws::connect::types::"));
        // Examples name the crate by its package name, which an inlined module does not have.
        assert!(!text.contains("# Example") && !text.contains("build_script::"), "no doc examples when inlined");
        let first = text.lines().nth(1).unwrap();
        assert!(!first.starts_with("#!") && !first.starts_with("//!"), "no inner attribute at the top: {first}");
        // generate() writes, and never over a file it did not write.
        let written = Builder::new().model(&model).out_dir(&dir).generate().unwrap();
        assert!(crate::output::is_generated(&written));
        std::fs::write(dir.join("mine.rs"), "// my own file\n").unwrap();
        let err = Builder::new().model(&model).out_dir(&dir).file_name("mine.rs").generate().unwrap_err();
        assert!(err.to_string().contains("not generated by awslim"), "{err}");
        let err = Builder::new().model(dir.join("missing.json")).render().unwrap_err().to_string();
        assert!(err.contains("missing.json"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
