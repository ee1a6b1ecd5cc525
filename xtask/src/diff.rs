//! `cargo xtask diff OLD NEW`: what a new model version does to users of the generated crate.
//!
//! Each side is a model file path or `REV:path` read with `git show REV:path` (for example
//! `cargo xtask diff HEAD:model/connect.json model/connect.json`). The comparison itself is
//! `awslim_codegen::diff::diff`; this file only reads the sides and prints the report.

use std::path::Path;
use std::process::{Command, ExitCode};

use awslim_codegen::diff::{self, Report};
use awslim_codegen::{Model, Selection, Source};

/// Exit status when the report has a breaking change and `--allow-breaking` is not given.
pub const EXIT_BREAKING: u8 = 2;

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Readable text (default).
    #[default]
    Text,
    /// Markdown, for a pull-request comment.
    Markdown,
    /// JSON, for tools.
    Json,
}

#[derive(clap::Args, Clone, Debug)]
pub struct DiffArgs {
    /// The old model: a file path, or `REV:path` from git (e.g. `HEAD:model/connect.json`;
    /// git reads the path from the repository root, or from here with `REV:./path`).
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The new model: a file path, or `REV:path` from git.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 0 even when something is breaking (the report still says so).
    #[arg(long)]
    pub allow_breaking: bool,
    /// Only these operations (comma-separated Smithy names) and the shapes they reach.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub operations: Option<Vec<String>>,
    /// The service shape ID, when the model has several.
    #[arg(long)]
    pub service: Option<String>,
}

/// Runs the diff and prints the report on stdout. `Ok(2)` when something is breaking (unless
/// `--allow-breaking`), `Ok(0)` otherwise; `Err` when a side cannot be read, loaded or lowered.
pub fn run(args: DiffArgs) -> Result<ExitCode, String> {
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let selection = Selection { service: args.service.clone(), operations: args.operations.clone() };
    let report = diff::diff(&old, &new, &selection).map_err(|e| e.to_string())?;
    print!("{}", render(&report, args.format));
    if report.is_breaking() {
        if args.allow_breaking {
            eprintln!("note: breaking changes accepted with --allow-breaking");
        } else {
            eprintln!("error: the new model breaks users of the generated crate; pass --allow-breaking to accept that deliberately");
        }
    }
    Ok(ExitCode::from(exit_status(&report, args.allow_breaking)))
}

/// The report in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => report.render_text(),
        Format::Markdown => report.render_markdown(),
        Format::Json => report.render_json(),
    }
}

/// 0, or [`EXIT_BREAKING`] when something is breaking and that is not allowed.
pub fn exit_status(report: &Report, allow_breaking: bool) -> u8 {
    if report.is_breaking() && !allow_breaking {
        EXIT_BREAKING
    } else {
        0
    }
}

/// Where a side comes from.
#[derive(Debug, PartialEq, Eq)]
pub enum Spec<'a> {
    File(&'a str),
    Git { rev: &'a str, path: &'a str },
}

/// An existing file wins; otherwise `REV:path` means git.
pub fn parse_spec(spec: &str) -> Spec<'_> {
    if Path::new(spec).exists() {
        return Spec::File(spec);
    }
    match spec.split_once(':') {
        Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Spec::Git { rev, path },
        _ => Spec::File(spec),
    }
}

fn read(spec: &str) -> Result<String, String> {
    match parse_spec(spec) {
        Spec::File(path) => std::fs::read_to_string(path).map_err(|e| format!("cannot read the model {path}: {e}")),
        Spec::Git { rev, path } => {
            let out = Command::new("git")
                .arg("show")
                .arg(format!("{rev}:{path}"))
                .output()
                .map_err(|e| format!("cannot run `git show {spec}`: {e}"))?;
            if !out.status.success() {
                return Err(format!("`git show {spec}` failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
            }
            String::from_utf8(out.stdout).map_err(|_| format!("`git show {spec}` is not UTF-8"))
        }
    }
}

fn load(spec: &str) -> Result<Model, String> {
    let text = read(spec)?;
    Model::load(&[Source { name: spec, text: &text }]).map_err(|e| format!("{spec}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(parse_spec("HEAD:model/connect.json"), Spec::Git { rev: "HEAD", path: "model/connect.json" });
        assert_eq!(parse_spec("HEAD~3:./m.json"), Spec::Git { rev: "HEAD~3", path: "./m.json" });
        assert_eq!(parse_spec("model/x.json"), Spec::File("model/x.json"));
        assert_eq!(parse_spec(":x"), Spec::File(":x"));
        assert_eq!(parse_spec(env!("CARGO_MANIFEST_DIR")), Spec::File(env!("CARGO_MANIFEST_DIR")));
    }

    #[test]
    fn exit_statuses() {
        let text = awslim_codegen::DEFAULT_MODEL;
        let model = Model::load(&[Source { name: "m", text }]).unwrap();
        let report = diff::diff(&model, &model, &Selection::default()).unwrap();
        assert_eq!(exit_status(&report, false), 0);
        let mut smaller = model.clone();
        smaller.shapes.values_mut().filter(|s| s.id.ends_with("#ReferenceType")).for_each(|s| {
            s.members.pop();
        });
        let report = diff::diff(&model, &smaller, &Selection::default()).unwrap();
        assert_eq!(exit_status(&report, false), EXIT_BREAKING);
        assert_eq!(exit_status(&report, true), 0);
    }
}
