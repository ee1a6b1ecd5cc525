//! The `awslim` command line: `generate`, `check`, `diff` and `slice`. Argument parsing and
//! printing only; the work is done by `awslim-codegen` ([`awslim_codegen::Project`],
//! [`awslim_codegen::output`], [`awslim_codegen::diff`], [`awslim_codegen::slice`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use awslim_codegen::diff::Report;
use awslim_codegen::output::{Status, WriteOptions};
use awslim_codegen::project::{self, Project};
use awslim_codegen::{RuntimeDependency, Selection, Source, WorkspaceMode};
use clap::{Parser, Subcommand};

/// Exit status of `diff` when something breaks users of the crate.
pub const EXIT_BREAKING: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "awslim",
    version,
    about = "Generate lean Rust clients for the AWS operations you use, from Smithy JSON AST models",
    after_help = "Start with `awslim slice` to keep only your operations of AWS's published model, then \
                  `awslim generate`; `awslim check` verifies a generated crate is up to date."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a client crate into a directory (or regenerate it from its awslim.json).
    Generate(GenerateArgs),
    /// Exit 1 when a generated crate is not what its awslim.json would generate now.
    Check(CheckArgs),
    /// Show what a new model version does to users of the generated crate.
    Diff(DiffArgs),
    /// Write a minimal model holding only the chosen operations and the shapes they reach.
    Slice(SliceArgs),
}

/// `awslim generate`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct GenerateArgs {
    /// A Smithy JSON AST model file (repeatable; merged). Options not given are taken from
    /// OUT/awslim.json when the crate has one (so `generate --out DIR` alone regenerates).
    #[arg(long = "model", value_name = "PATH")]
    pub models: Vec<PathBuf>,
    /// Only these operations (comma-separated Smithy names) and the shapes they reach.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub operations: Option<Vec<String>>,
    /// The service shape ID, when the model has several.
    #[arg(long)]
    pub service: Option<String>,
    /// The directory of the generated crate.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Package name (default: awslim-<sdkId>).
    #[arg(long)]
    pub crate_name: Option<String>,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    /// Whether the crate gets its own `[workspace]` table: `auto` (unless an enclosing workspace
    /// lists it as a member), `member` or `standalone`.
    #[arg(long, value_name = "MODE", value_parser = ["auto", "member", "standalone"])]
    pub workspace: Option<String>,
    /// The `license` of the generated package (default: Apache-2.0, that of the AWS models).
    #[arg(long, value_name = "SPDX")]
    pub license: Option<String>,
    /// Write even though DIR holds files awslim did not generate (they are left alone).
    #[arg(long)]
    pub force: bool,
    /// No progress lines on stderr (the summary line is still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// How the generated crate depends on `awslim-runtime`. Default: a relative path to the
/// `runtime/` of the awslim checkout this command was built from, only for crates inside it.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RuntimeArgs {
    /// A path to awslim's `runtime/` directory (written relative to the crate).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["runtime_git", "runtime_version"])]
    pub runtime_path: Option<PathBuf>,
    /// A git URL of the awslim repository (with --runtime-rev).
    #[arg(long, value_name = "URL", requires = "runtime_rev", conflicts_with = "runtime_version")]
    pub runtime_git: Option<String>,
    /// The git revision to use with --runtime-git.
    #[arg(long, value_name = "REV", requires = "runtime_git")]
    pub runtime_rev: Option<String>,
    /// A registry version requirement of awslim-runtime.
    #[arg(long, value_name = "VERSION")]
    pub runtime_version: Option<String>,
}

impl RuntimeArgs {
    /// The dependency these options name, if any (a path made absolute, to be written
    /// relative to the crate).
    pub fn dependency(&self) -> Option<RuntimeDependency> {
        if let Some(p) = &self.runtime_path {
            return Some(RuntimeDependency::Path(project::absolute(p).to_string_lossy().into_owned()));
        }
        if let (Some(url), Some(rev)) = (&self.runtime_git, &self.runtime_rev) {
            return Some(RuntimeDependency::Git { url: url.clone(), rev: rev.clone() });
        }
        self.runtime_version.clone().map(RuntimeDependency::Version)
    }
}

/// `awslim check`.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// The generated crate's directory (holding awslim.json).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Output formats of `diff`.
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

/// `awslim diff`.
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

/// `awslim slice`.
#[derive(clap::Args, Clone, Debug)]
pub struct SliceArgs {
    /// A Smithy JSON AST model file, e.g. AWS's published one (repeatable; merged).
    #[arg(long = "model", value_name = "PATH", required = true)]
    pub models: Vec<PathBuf>,
    /// The operations to keep (comma-separated Smithy names).
    #[arg(long, value_delimiter = ',', value_name = "A,B", required = true)]
    pub operations: Vec<String>,
    /// The service shape ID, when the model has several.
    #[arg(long)]
    pub service: Option<String>,
    /// Write the slice here (default: standard output).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Runs a parsed command line; errors are printed on stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Generate(args) => generate(&args),
        Command::Check(args) => check(&args),
        Command::Diff(args) => diff(&args),
        Command::Slice(args) => slice(&args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The project `args` describe: the options recorded in OUT/awslim.json (if any), overridden
/// by those given.
pub fn project(args: &GenerateArgs) -> Result<Project, String> {
    let recorded = args.out.join(project::MANIFEST).exists();
    let mut p = if recorded {
        Project::from_manifest(&args.out).map_err(|e| e.to_string())?
    } else if args.models.is_empty() {
        return Err(format!(
            "no --model given and {} has no {}: say which model to generate from",
            args.out.display(),
            project::MANIFEST
        ));
    } else {
        Project { out: args.out.clone(), ..Project::default() }
    };
    if !args.models.is_empty() {
        p.models = args.models.clone();
    }
    if args.operations.is_some() {
        p.operations = args.operations.clone();
    }
    p.service = args.service.clone().or(p.service);
    p.crate_name = args.crate_name.clone().or(p.crate_name);
    p.runtime = args.runtime.dependency().or(p.runtime);
    p.license = args.license.clone().or(p.license);
    if let Some(w) = &args.workspace {
        p.workspace = WorkspaceMode::parse(w).unwrap_or_default();
    }
    Ok(p)
}

fn generate(args: &GenerateArgs) -> Result<ExitCode, String> {
    let p = project(args)?;
    write_project(&p, WriteOptions { force: args.force }, args.quiet, "generate")?;
    Ok(ExitCode::SUCCESS)
}

/// Generates and writes `p`, printing progress (unless `quiet`), notes and a summary line
/// starting with `verb`. Shared by `awslim generate` and `cargo xtask codegen`.
pub fn write_project(p: &Project, options: WriteOptions, quiet: bool, verb: &str) -> Result<Status, String> {
    let started = Instant::now();
    let progress = |line: &str| {
        if !quiet {
            eprintln!("{verb}: {line}");
        }
    };
    let generated = p.generate(&progress).map_err(|e| e.to_string())?;
    for note in &generated.notes {
        eprintln!("note: {note}");
    }
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
    let st = generated.write(options).map_err(|e| e.to_string())?;
    let mut parts: Vec<String> = st.missing.iter().chain(&st.differs).cloned().collect();
    parts.extend(st.stale.iter().map(|s| format!("-{s}")));
    let detail = if parts.is_empty() { "nothing changed".to_owned() } else { format!("changed: {}", shorten(parts)) };
    println!(
        "{verb}: {} files ({} operations) in {} ({} written, {} unchanged, {} removed) in {:.1} ms; {detail}",
        generated.files.len(),
        generated.operations,
        generated.out.display(),
        st.missing.len() + st.differs.len(),
        st.unchanged,
        st.stale.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(st)
}

fn shorten(mut parts: Vec<String>) -> String {
    const SHOWN: usize = 12;
    let more = parts.len().saturating_sub(SHOWN);
    parts.truncate(SHOWN);
    if more > 0 {
        parts.push(format!("and {more} more"));
    }
    parts.join(", ")
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    let p = Project::from_manifest(&args.dir).map_err(|e| e.to_string())?;
    check_project(&p, "check")
}

/// Compares `p` with the disk: a summary line and `SUCCESS`, or the stale files and `FAILURE`.
pub fn check_project(p: &Project, verb: &str) -> Result<ExitCode, String> {
    let generated = p.generate(&|_| {}).map_err(|e| e.to_string())?;
    let st = generated.status().map_err(|e| e.to_string())?;
    if st.is_fresh() {
        println!("{verb}: {} is up to date ({} files)", generated.out.display(), generated.files.len());
        return Ok(ExitCode::SUCCESS);
    }
    eprint!("{} is stale:\n{}", generated.out.display(), st.describe());
    eprintln!("regenerate with `awslim generate --out {}`", generated.out.display());
    Ok(ExitCode::FAILURE)
}

fn diff(args: &DiffArgs) -> Result<ExitCode, String> {
    let load = |spec: &str| {
        let text = project::read_model_spec(spec).map_err(|e| e.to_string())?;
        awslim_codegen::Model::load(&[Source { name: spec, text: &text }]).map_err(|e| format!("{spec}: {e}"))
    };
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let selection = Selection { service: args.service.clone(), operations: args.operations.clone() };
    let report = awslim_codegen::diff::diff(&old, &new, &selection).map_err(|e| e.to_string())?;
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

fn slice(args: &SliceArgs) -> Result<ExitCode, String> {
    let mut texts = Vec::new();
    for m in &args.models {
        eprintln!("slice: reading {}", m.display());
        let text = std::fs::read_to_string(m).map_err(|e| format!("cannot read the model {}: {e}", m.display()))?;
        texts.push((m.display().to_string(), text));
    }
    let sources: Vec<Source<'_>> = texts.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    let selection = Selection { service: args.service.clone(), operations: Some(args.operations.clone()) };
    let text = awslim_codegen::slice::slice(&sources, &selection).map_err(|e| e.to_string())?;
    let shapes = text.matches("\n    \"").count();
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!(
                "slice: {} operation(s), {shapes} shapes, {} bytes -> {}",
                args.operations.len(),
                text.len(),
                path.display()
            );
        }
        None => {
            print!("{text}");
            eprintln!("slice: {} operation(s), {shapes} shapes, {} bytes", args.operations.len(), text.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use awslim_codegen::Model;

    #[test]
    fn exit_statuses() {
        let text = awslim_codegen::DEFAULT_MODEL;
        let model = Model::load(&[Source { name: "m", text }]).unwrap();
        let report = awslim_codegen::diff::diff(&model, &model, &Selection::default()).unwrap();
        assert_eq!(exit_status(&report, false), 0);
        let mut smaller = model.clone();
        smaller.shapes.values_mut().filter(|s| s.id.ends_with("#ReferenceType")).for_each(|s| {
            s.members.pop();
        });
        let report = awslim_codegen::diff::diff(&model, &smaller, &Selection::default()).unwrap();
        assert_eq!(exit_status(&report, false), EXIT_BREAKING);
        assert_eq!(exit_status(&report, true), 0);
    }

    #[test]
    fn needs_a_model_or_a_manifest_and_one_runtime_source() {
        use clap::Parser;
        let cli = Cli::try_parse_from(["awslim", "generate", "--out", "/nonexistent/x"]).unwrap();
        let Command::Generate(args) = cli.command else { panic!() };
        let err = project(&args).unwrap_err();
        assert!(err.contains("no --model given") && err.contains("awslim.json"), "{err}");
        let both =
            Cli::try_parse_from(["awslim", "generate", "--out", "x", "--runtime-path", "r", "--runtime-version", "1"]);
        assert!(both.is_err(), "one runtime source at a time");
    }
}
