//! The AWS SigV4 and SigV4a test suites, run through the runtime's own signing function
//! (`awslim_runtime::sign::sign_request`, which every signed attempt of every call goes through).
//!
//! The cases run in the runtime's example `sigv4_suite` (with `--v4a` and the runtime's `sigv4a`
//! feature for SigV4a), so that this command-line tool does not have to build the runtime's HTTP
//! and TLS stack; it prints one line per case.

use std::path::Path;
use std::process::Command;

use super::Report;

/// Runs every case under `suite_dir`: the `v4` directory, or with `v4a` the `v4a` one.
pub fn run(suite_dir: &Path, v4a: bool) -> Report {
    let name = if v4a { "sigv4a" } else { "sigv4" };
    let mut report = Report { name, passed: 0, failed: Vec::new(), skipped: Vec::new() };
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(["run", "--quiet", "-p", "awslim-runtime", "--example", "sigv4_suite"]);
    if v4a {
        command.args(["--features", "sigv4a", "--", "--v4a"]);
    } else {
        command.arg("--");
    }
    let output = command.arg(suite_dir).current_dir(crate::repo_root()).output();
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
