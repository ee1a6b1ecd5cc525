//! `convenience`: for every published model in `../shared/models` the generator supports (it is
//! asked, so models of a protocol join as soon as it lands), generates a crate with its
//! `@paginated` and `@waitable` operations and builds it (all features on, so the typed mocks
//! too) with warnings denied. Models it does not support are listed as skipped.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::Report;

/// The operations of `model` with `@paginated` or `@waitable` (names).
fn convenient_operations(model: &Value) -> Vec<String> {
    let shapes = model.get("shapes").and_then(Value::as_object);
    let mut ops = Vec::new();
    for (id, shape) in shapes.into_iter().flatten() {
        let traits = shape.get("traits").and_then(Value::as_object);
        if shape.get("type").and_then(Value::as_str) == Some("operation") {
            let has = |t: &str| traits.is_some_and(|m| m.contains_key(t));
            if has("smithy.api#paginated") || has("smithy.waiters#waitable") {
                ops.push(id.rsplit('#').next().unwrap_or(id).to_owned());
            }
        }
    }
    ops.sort();
    ops
}

/// Why the generator cannot take the model's service at all (its protocol, ...), if it cannot:
/// asked by lowering the service with no operations.
fn unsupported(text: &str) -> Option<String> {
    use awslim_codegen::{ir, Model, Selection, Source};
    let first_line = |e: &dyn std::fmt::Display| e.to_string().lines().last().unwrap_or_default().trim().to_owned();
    let model = match Model::parse(&[Source { name: "model", text }]) {
        Ok(m) => m,
        Err(e) => return Some(first_line(&e)),
    };
    let probe = Selection { service: None, operations: Some(Vec::new()) };
    ir::lower(&model, &probe).err().map(|e| first_line(&e))
}

fn count(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.matches(needle).count())
}

pub fn run(root: &Path, shared: &Path) -> Report {
    let mut report =
        Report { name: "published paginators and waiters build", passed: 0, failed: vec![], skipped: vec![] };
    let mut models: Vec<_> = std::fs::read_dir(shared.join("models"))
        .map(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
        })
        .unwrap_or_default();
    models.sort();
    for path in models {
        let id = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let model: Value = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(_) => {
                report.failed.push((id, "unreadable model".into()));
                continue;
            }
        };
        if let Some(why) = unsupported(&text) {
            report.skipped.push((id, format!("the generator does not support it: {why}")));
            continue;
        }
        let ops = convenient_operations(&model);
        if ops.is_empty() {
            report.skipped.push((id, "no @paginated or @waitable operation".into()));
            continue;
        }
        println!("  convenience: generating and building {id} ({} operations) ...", ops.len());
        match build(root, &path, &id, &ops) {
            Ok(summary) => {
                println!("  convenience: {id}: {summary}");
                report.passed += 1;
            }
            // A model the loader rejects for reasons of its own (not paginators or waiters) is
            // another suite's concern: listed, with the first reason, not counted as failed.
            Err(why) if why.starts_with("codegen failed") && !why.contains("paginated") && !why.contains("waiter") => {
                let first = why.lines().nth(1).unwrap_or(&why).trim_start_matches("  - ").to_owned();
                report.skipped.push((id, format!("the loader rejects the model: {first}")));
            }
            Err(why) => report.failed.push((id, why)),
        }
    }
    report
}

fn build(root: &Path, model: &Path, id: &str, ops: &[String]) -> Result<String, String> {
    let out = root.join("target/conformance/convenience").join(id);
    let args = crate::CodegenArgs {
        models: vec![model.to_path_buf()],
        out: Some(out.clone()),
        operations: Some(ops.to_vec()),
        crate_name: Some(format!("awslim-conv-{id}")),
        ..Default::default()
    };
    crate::codegen(&args).map_err(|e| format!("codegen failed: {e}"))?;
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["rustc", "--quiet", "--lib", "--all-features", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target"))
        .args(["--", "-D", "warnings"])
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo rustc exited with {status}"));
    }
    Ok(format!(
        "{} paginators, {} waiters, built warning-free",
        count(&out.join("src/paginator.rs"), "\npub enum "),
        count(&out.join("src/waiter.rs"), "\npub enum "),
    ))
}
