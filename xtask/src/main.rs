//! `cargo xtask`: the project's commands. `codegen` and `diff` are the `awslim` command's
//! `generate`/`check` and `diff` (crate `awslim`, in `cli/`) with this repository's defaults;
//! `conformance` runs the suites that need `../shared`.

mod clients;
mod conformance;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use awslim_codegen::{Model, Source};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "awslim project commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a client crate (by default: `generated/` from `model/connect.json`).
    Codegen(CodegenArgs),
    /// Run the suites that need the reference data in `../shared`.
    Conformance(ConformanceArgs),
    /// Show what a new model version does to users of the generated crate (`awslim diff`).
    Diff(awslim::DiffArgs),
}

#[derive(clap::Args, Clone, Default)]
struct CodegenArgs {
    /// A Smithy JSON AST model file to read (repeatable; merged). Default: model/connect.json.
    #[arg(long = "model", value_name = "PATH")]
    models: Vec<PathBuf>,
    /// Only these operations (comma-separated Smithy names) and the shapes they reach.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    operations: Option<Vec<String>>,
    /// The service shape ID, when the model has several.
    #[arg(long)]
    service: Option<String>,
    /// Write the crate here instead of `generated/`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Package name of the generated crate (default: awslim-<sdkId>).
    #[arg(long)]
    crate_name: Option<String>,
    /// Compare instead of writing; fail if anything is stale or missing.
    #[arg(long)]
    check: bool,
    /// Write even though the directory holds files awslim did not generate (left alone).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    runtime: awslim::RuntimeArgs,
    /// `auto` (default), `member` or `standalone`: whether the crate gets its own `[workspace]`.
    #[arg(long, value_name = "MODE", value_parser = ["auto", "member", "standalone"])]
    workspace: Option<String>,
    /// Instead: (re)generate the STS, SSO and SSO-OIDC clients under `clients/` from the
    /// published models in `../shared/models` (with `--check`: compare only).
    #[arg(long, conflicts_with_all = ["models", "operations", "service", "out", "crate_name", "workspace"])]
    clients: bool,
    /// With `--clients`: where the reference data is (default: ../shared next to the repository).
    #[arg(long, value_name = "DIR", requires = "clients")]
    shared: Option<PathBuf>,
}

#[derive(clap::Args)]
struct ConformanceArgs {
    /// Where the reference data is (default: ../shared next to the repository).
    #[arg(long, value_name = "DIR")]
    shared: Option<PathBuf>,
    /// Run only these suites (comma-separated: sigv4, endpoints, breadth, restjson, models).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    suite: Vec<String>,
    /// `models` suite: generate every operation of each model, not only those its tests use.
    #[arg(long)]
    full: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen(&args).map(|_| ExitCode::SUCCESS),
        Command::Conformance(args) => conformance::run_all(&repo_root(), args.shared, &args.suite, args.full),
        Command::Diff(args) => Ok(awslim::run(awslim::Cli { command: awslim::Command::Diff(args) })),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the workspace directory).
pub(crate) fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Loads models (the default one when `paths` is empty).
pub(crate) fn load_models(paths: &[PathBuf]) -> Result<Model, String> {
    if paths.is_empty() {
        return Model::load(&[Source {
            name: awslim_codegen::DEFAULT_MODEL_NAME,
            text: awslim_codegen::DEFAULT_MODEL,
        }])
        .map_err(|e| e.to_string());
    }
    awslim_codegen::project::load_models(paths).map_err(|e| e.to_string())
}

/// `awslim generate` (or `check`) with this repository's defaults: `model/connect.json` into
/// `generated/`, the runtime by relative path.
pub(crate) fn codegen(args: &CodegenArgs) -> Result<(), String> {
    let root = repo_root();
    if args.clients {
        return codegen_clients(&root, args);
    }
    let models =
        if args.models.is_empty() { vec![root.join(awslim_codegen::DEFAULT_MODEL_NAME)] } else { args.models.clone() };
    let project = awslim_codegen::Project {
        models,
        operations: args.operations.clone(),
        service: args.service.clone(),
        out: args.out.clone().unwrap_or_else(|| root.join("generated")),
        crate_name: args.crate_name.clone(),
        runtime: args.runtime.dependency(),
        workspace: args.workspace.as_deref().and_then(awslim_codegen::WorkspaceMode::parse).unwrap_or_default(),
        ..Default::default()
    };
    if args.check {
        return match awslim::check_project(&project, "codegen --check")? {
            code if code == ExitCode::SUCCESS => Ok(()),
            _ => Err("generated code is stale (listed above); run `cargo xtask codegen` with the same options".into()),
        };
    }
    awslim::write_project(&project, awslim_codegen::output::WriteOptions { force: args.force }, false, "codegen")
        .map(|_| ())
}

/// `codegen --clients [--check]`: the checked-in service clients of `clients/`.
fn codegen_clients(root: &Path, args: &CodegenArgs) -> Result<(), String> {
    let shared = clients::shared_dir(root, args.shared.clone())?;
    if !args.check {
        return clients::generate(root, &shared);
    }
    let stale = clients::stale(root, &shared);
    for (dir, why) in &stale {
        eprintln!("{dir}: {why}");
    }
    if stale.is_empty() {
        println!("codegen --check: {} client crates are up to date", clients::CLIENTS.len());
        Ok(())
    } else {
        Err(format!("{} client crate(s) are stale (listed above); run `cargo xtask codegen --clients`", stale.len()))
    }
}
