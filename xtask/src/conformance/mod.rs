//! `cargo xtask conformance`: suites that read third-party reference data from `../shared`.

/// The outcome of one suite.
pub struct Report {
    /// Suite name, printed in the summary.
    pub name: &'static str,
    /// Cases that passed.
    pub passed: usize,
    /// Failed cases: (case id, reason).
    pub failed: Vec<(String, String)>,
    /// Cases deliberately not run: (case id, reason).
    pub skipped: Vec<(String, String)>,
}

pub mod endpoints;
pub mod restjson;
pub mod sigv4;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn print_report(r: &Report) {
    let total = r.passed + r.failed.len();
    println!(
        "{}: {}/{} passed{}",
        r.name,
        r.passed,
        total,
        if r.skipped.is_empty() { String::new() } else { format!(", {} skipped", r.skipped.len()) }
    );
    for (id, why) in &r.failed {
        println!("  FAILED {id}: {why}");
    }
    for (id, why) in &r.skipped {
        println!("  skipped {id}: {why}");
    }
}

/// Generates types, validators and the client for every operation of the published Connect
/// model and builds the crate with warnings denied.
fn breadth(root: &Path, shared: &Path) -> Report {
    let name = "full Connect model builds warning-free";
    let model = shared.join("models/connect-2017-08-08.json");
    let out = root.join("target/conformance/connect-full");
    let started = Instant::now();
    let args = crate::CodegenArgs {
        models: vec![model],
        out: Some(out.clone()),
        crate_name: Some("awslim-connect-full".into()),
        ..Default::default()
    };
    let fail =
        |why: String| Report { name, passed: 0, failed: vec![("connect-2017-08-08".into(), why)], skipped: vec![] };
    if let Err(e) = crate::codegen(&args) {
        return fail(format!("codegen failed: {e}"));
    }
    let generated = started.elapsed();
    let lines: usize = ["src/types.rs", "src/json.rs", "src/validate.rs", "src/client.rs"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(out.join(f)).ok())
        .map(|t| t.lines().count())
        .sum();
    let build_started = Instant::now();
    println!("  full Connect: building the crate (cargo's progress below; a few minutes)");
    // `cargo rustc` passes -D warnings to the generated crate only, so the dependencies'
    // artefacts in the shared target directory are reused.
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["rustc", "--lib", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target"))
        .args(["--", "-D", "warnings"])
        .status();
    match status {
        Ok(s) if s.success() => {
            println!(
                "  full Connect: generated in {:.2} s ({lines} lines in types/json/validate/client), built in {:.1} s",
                generated.as_secs_f64(),
                build_started.elapsed().as_secs_f64()
            );
            Report { name, passed: 1, failed: vec![], skipped: vec![] }
        }
        Ok(s) => fail(format!("cargo rustc exited with {s}")),
        Err(e) => fail(format!("could not run cargo: {e}")),
    }
}

/// The suites, by the name `--suite` takes.
pub const SUITES: &[&str] = &["sigv4", "endpoints", "breadth", "restjson"];

/// Runs the suites (all, or those named) and prints one summary line of counts.
pub fn run_all(root: &Path, shared: Option<PathBuf>, only: &[String]) -> Result<ExitCode, String> {
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    if !shared.join("README.md").exists() {
        return Err(format!("the reference data is not at {} (pass --shared DIR)", shared.display()));
    }
    if let Some(unknown) = only.iter().find(|s| !SUITES.contains(&s.as_str())) {
        return Err(format!("no suite called `{unknown}`; the suites are {}", SUITES.join(", ")));
    }
    let wanted = |name: &str| {
        let yes = only.is_empty() || only.iter().any(|s| s == name);
        if yes {
            // Progress: suites that build crates are silent for minutes otherwise.
            println!("conformance: running {name}");
        }
        yes
    };
    let mut reports = Vec::new();
    if wanted("sigv4") {
        reports.push(sigv4::run(&shared.join("conformance/sigv4/v4")));
    }
    if wanted("endpoints") {
        reports.extend(endpoints::run(&shared));
    }
    if wanted("breadth") {
        reports.push(breadth(root, &shared));
    }
    if wanted("restjson") {
        reports.push(restjson::run(root, &shared));
    }
    for r in &reports {
        print_report(r);
    }
    let passed: usize = reports.iter().map(|r| r.passed).sum();
    let failed: usize = reports.iter().map(|r| r.failed.len()).sum();
    let skipped: usize = reports.iter().map(|r| r.skipped.len()).sum();
    println!("conformance: {passed} passed, {failed} failed, {skipped} skipped");
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
