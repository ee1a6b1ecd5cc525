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

pub mod convenience;
pub mod endpoints;
pub mod models;
pub mod protocol_tests;
pub mod sigv4;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

fn print_report(r: &Report) {
    let total = r.passed + r.failed.len() + r.skipped.len();
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

/// Published models of each supported protocol other than restJson1 (Connect is `breadth`), and
/// the restJson1 models with event streams (both ways), as (model file, operations; empty: every operation):
/// generated and built with warnings denied.
const PUBLISHED: &[(&str, &str)] = &[
    ("dynamodb-2012-08-10.json", "GetItem,PutItem,Query,BatchWriteItem"),
    ("sqs-2012-11-05.json", "SendMessage,ReceiveMessage,GetQueueUrl,DeleteMessage"),
    ("kms-2014-11-01.json", "Encrypt,Decrypt,ListKeys,GenerateDataKey"),
    ("secrets-manager-2017-10-17.json", "GetSecretValue,CreateSecret,ListSecrets"),
    ("ssm-2014-11-06.json", "GetParameter,PutParameter,GetParametersByPath"),
    // awsQuery
    ("sts-2011-06-15.json", "AssumeRole,AssumeRoleWithWebIdentity,GetCallerIdentity"),
    ("sns-2010-03-31.json", "Publish,CreateTopic,ListTopics,SetSubscriptionAttributes,PublishBatch"),
    ("iam-2010-05-08.json", "GetUser,ListRoles,CreateRole,ListAttachedRolePolicies"),
    // restXml
    (
        "s3-2006-03-01.json",
        "GetObject,PutObject,ListObjectsV2,HeadObject,DeleteObjects,CreateBucket,GetBucketLocation,PutBucketTagging",
    ),
    ("route-53-2013-04-01.json", "ListHostedZones,ChangeResourceRecordSets,GetHostedZone"),
    // restJson1 with server-to-client event streams (ConverseStream, InvokeModelWithResponseStream,
    // InvokeWithResponseStream), whole.
    ("bedrock-runtime-2023-09-30.json", ""),
    ("lambda-2015-03-31.json", ""),
    // restJson1 with client-to-server and bidirectional event streams over HTTP/2
    // (StartStreamTranscription, StartMedicalStreamTranscription, ...), whole.
    ("transcribe-streaming-2017-10-26.json", ""),
];

/// Generates an `--operations` slice of each model in [`PUBLISHED`] and builds it with
/// warnings denied.
fn published(root: &Path, shared: &Path) -> Report {
    let name = "published models build warning-free";
    let mut report = Report { name, passed: 0, failed: vec![], skipped: vec![] };
    for (file, ops) in PUBLISHED {
        let stem = file.trim_end_matches(".json");
        let out = root.join("target/conformance/published").join(stem);
        let args = crate::CodegenArgs {
            models: vec![shared.join("models").join(file)],
            out: Some(out.clone()),
            operations: (!ops.is_empty()).then(|| ops.split(',').map(str::to_owned).collect()),
            ..Default::default()
        };
        let id = format!("{stem} ({})", if ops.is_empty() { "every operation" } else { ops });
        if let Err(e) = crate::codegen(&args) {
            report.failed.push((id, format!("codegen failed: {e}")));
            continue;
        }
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["rustc", "--quiet", "--lib", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target"))
            .args(["--", "-D", "warnings"])
            .status();
        match status {
            Ok(s) if s.success() => report.passed += 1,
            Ok(s) => report.failed.push((id, format!("cargo rustc exited with {s}"))),
            Err(e) => report.failed.push((id, format!("could not run cargo: {e}"))),
        }
    }
    report
}

/// The suites, by the name `--suite` takes.
pub fn suites() -> Vec<&'static str> {
    let mut all = vec!["sigv4", "sigv4a", "endpoints", "breadth", "published", "clients", "convenience", "models"];
    all.extend(protocol_tests::SUITES.iter().map(|s| s.key));
    all
}

/// Runs the suites (all, or those named) and prints one summary line of counts.
/// `full`: the `models` suite generates every operation of each model (not only those its
/// endpoint tests use).
pub fn run_all(root: &Path, shared: Option<PathBuf>, only: &[String], full: bool) -> Result<ExitCode, String> {
    let shared = shared.unwrap_or_else(|| root.join("../shared"));
    if !shared.join("README.md").exists() {
        return Err(format!("the reference data is not at {} (pass --shared DIR)", shared.display()));
    }
    let known = suites();
    if let Some(unknown) = only.iter().find(|s| !known.contains(&s.as_str())) {
        return Err(format!("no suite called `{unknown}`; the suites are {}", known.join(", ")));
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
        reports.push(sigv4::run(&shared.join("conformance/sigv4/v4"), false));
    }
    if wanted("sigv4a") {
        reports.push(sigv4::run(&shared.join("conformance/sigv4/v4a"), true));
    }
    if wanted("endpoints") {
        reports.extend(endpoints::run(&shared));
    }
    if wanted("breadth") {
        reports.push(breadth(root, &shared));
    }
    if wanted("published") {
        reports.push(published(root, &shared));
    }
    if wanted("clients") {
        reports.push(crate::clients::suite(root, &shared));
    }
    for suite in protocol_tests::SUITES.iter().filter(|s| wanted(s.key)) {
        reports.push(protocol_tests::run(root, &shared, suite));
    }
    if wanted("convenience") {
        reports.push(convenience::run(root, &shared));
    }
    if wanted("models") {
        reports.extend(models::run(root, &shared, full));
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
