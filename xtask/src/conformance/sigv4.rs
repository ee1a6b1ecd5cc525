//! The AWS SigV4 test suite, run through the runtime's own signing function
//! (`awslim_runtime::sign::sign_request`, which every attempt of every call goes through).
//!
//! The cases run in the runtime's example `sigv4_suite`, so that this command-line tool does
//! not have to build the runtime's HTTP and TLS stack; it prints one line per case.

use std::path::Path;
use std::process::Command;

use super::Report;

/// Runs every case under `suite_dir` (the `v4` directory).
pub fn run(suite_dir: &Path) -> Report {
    let mut report = Report { name: "sigv4", passed: 0, failed: Vec::new(), skipped: Vec::new() };
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "-p", "awslim-runtime", "--example", "sigv4_suite", "--"])
        .arg(suite_dir)
        .current_dir(crate::repo_root())
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            let why =
                format!("the sigv4_suite example failed ({}): {}", o.status, String::from_utf8_lossy(&o.stderr).trim());
            report.failed.push(("sigv4_suite".into(), why));
            return report;
        }
        Err(e) => {
            report.failed.push(("sigv4_suite".into(), format!("could not run cargo: {e}")));
            return report;
        }
    };
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (case, reason) = rest.split_once('\t').unwrap_or((rest, ""));
        match kind {
            "pass" => report.passed += 1,
            "fail" => report.failed.push((case.to_owned(), reason.to_owned())),
            "skip" => report.skipped.push((case.to_owned(), reason.to_owned())),
            _ => report.failed.push((line.to_owned(), "unexpected output from sigv4_suite".into())),
        }
    }
    if report.passed + report.failed.len() + report.skipped.len() == 0 {
        report.failed.push(("sigv4_suite".into(), "no cases were run".into()));
    }
    report
}
