//! `cargo xtask`: the project's commands. Argument parsing and file I/O only; the generator
//! itself lives in `awslim-codegen`.

mod conformance;
mod diff;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use awslim_codegen::{CrateOptions, Model, Selection, Source};
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
    /// Show what a new model version does to users of the generated crate.
    Diff(diff::DiffArgs),
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
}

#[derive(clap::Args)]
struct ConformanceArgs {
    /// Where the reference data is (default: ../shared next to the repository).
    #[arg(long, value_name = "DIR")]
    shared: Option<PathBuf>,
    /// Run only these suites (comma-separated: sigv4, endpoints, breadth, restjson).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    suite: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen(args) => codegen(&args).map(|_| ExitCode::SUCCESS),
        Command::Conformance(args) => conformance::run_all(&repo_root(), args.shared, &args.suite),
        Command::Diff(args) => diff::run(args),
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
    let mut texts = Vec::new();
    for p in paths {
        let text = fs::read_to_string(p).map_err(|e| format!("cannot read the model {}: {e}", p.display()))?;
        texts.push((p.display().to_string(), text));
    }
    let sources: Vec<Source<'_>> = texts.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    // Shapes are checked when generating, and only those the selection reaches.
    Model::parse(&sources).map_err(|e| e.to_string())
}

fn relative_path(from_dir: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<_> = from_dir.components().collect();
    let to_c: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to_c).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to_c[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(p) };
    // Normalise `.` and `..` without touching the file system (the directory may not exist yet).
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn is_workspace_member(root: &Path, out: &Path) -> bool {
    let Ok(manifest) = fs::read_to_string(root.join("Cargo.toml")) else { return false };
    let Some(rel) = out.strip_prefix(root).ok().map(|r| r.to_string_lossy().replace('\\', "/")) else { return false };
    manifest.contains(&format!("\"{rel}\""))
}

/// Files under `dir` (relative, `/`-separated), skipping build output.
fn existing_files(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if rel == "target" || rel == "Cargo.lock" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(rel, path);
            }
        }
    }
    out
}

pub(crate) fn codegen(args: &CodegenArgs) -> Result<(), String> {
    let started = Instant::now();
    let root = repo_root();
    let model = load_models(&args.models)?;
    let selection = Selection { service: args.service.clone(), operations: args.operations.clone() };
    let out = absolute(&args.out.clone().unwrap_or_else(|| root.join("generated")));
    let package = match &args.crate_name {
        Some(n) => n.clone(),
        None => awslim_codegen::default_package_name(&model, &selection).map_err(|e| e.to_string())?,
    };
    let runtime = root.join("runtime");
    let member = is_workspace_member(&root, &out);
    let runtime_path = match relative_path(&out, &runtime) {
        Some(rel) if out.starts_with(&root) => rel,
        _ => runtime.clone(),
    };
    let options = CrateOptions {
        package_name: package.clone(),
        runtime_path: runtime_path.to_string_lossy().replace('\\', "/"),
        standalone: !member,
    };
    let generated = awslim_codegen::generate_with_warnings(&model, &selection, &options).map_err(|e| e.to_string())?;
    for w in &generated.warnings {
        eprintln!("warning: {w}");
    }
    let files = generated.files;

    let existing = existing_files(&out);
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for (rel, text) in &files {
        let path = out.join(rel);
        if fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            unchanged += 1;
        } else {
            changed.push(rel.clone());
        }
    }
    let stale: Vec<&String> = existing.keys().filter(|k| !files.contains_key(*k)).collect();
    let shown = out.strip_prefix(&root).map(|p| p.display().to_string()).unwrap_or_else(|_| out.display().to_string());
    if args.check {
        if changed.is_empty() && stale.is_empty() {
            println!("codegen --check: {shown} is up to date ({} files)", files.len());
            return Ok(());
        }
        let mut msg = format!("{shown} is stale:\n");
        for c in &changed {
            msg.push_str(&format!("  {} {c}\n", if existing.contains_key(c) { "differs:" } else { "missing:" }));
        }
        for s in &stale {
            msg.push_str(&format!("  no longer generated: {s}\n"));
        }
        msg.push_str("run `cargo xtask codegen` (with the same --model/--operations/--out options) to regenerate");
        return Err(msg);
    }
    for rel in &changed {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, &files[rel]).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for rel in &stale {
        let path = &existing[*rel];
        fs::remove_file(path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    let elapsed = started.elapsed();
    let detail = if changed.is_empty() && stale.is_empty() {
        "nothing changed".to_owned()
    } else {
        let mut parts: Vec<String> = changed.iter().map(|c| c.to_string()).collect();
        parts.extend(stale.iter().map(|s| format!("-{s}")));
        const SHOWN: usize = 12;
        let more = parts.len().saturating_sub(SHOWN);
        parts.truncate(SHOWN);
        if more > 0 {
            parts.push(format!("and {more} more"));
        }
        format!("changed: {}", parts.join(", "))
    };
    println!(
        "codegen: {} files in {shown} ({} written, {unchanged} unchanged, {} removed) in {:.1} ms; {detail}",
        files.len(),
        changed.len(),
        stale.len(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}
