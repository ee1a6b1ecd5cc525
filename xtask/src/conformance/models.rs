//! The `models` suite: every published model in `../shared/models` whose protocol the generator
//! supports (it is asked, not told), plus our own `tests/fixtures/models/endpoint-params.json`.
//!
//! 1. Each model is generated sliced to the operations its `smithy.rules#endpointTests` call
//!    (`operationInputs`) and the operations that bind endpoint parameters (`contextParam`,
//!    `staticContextParams`, `operationContextParams`); a model with none of those gets its first
//!    operation, so its client is still built. `--full` generates every operation instead.
//!    Event-stream operations the generator refuses (event streams outside restJson1) are left out, each
//!    with a note.
//! 2. Every `operationInputs` entry becomes a `#[tokio::test]` in the crate's
//!    `tests/endpoint_tests.rs`: built-ins and client context parameters go on the `Config`, the
//!    operation is called with the given input against `StubTransport`, and the request's URL and
//!    headers and the resolved endpoint's properties (or the error) are compared with the case.
//! 3. All crates are members of one temporary workspace under `target/conformance/models`, built
//!    in one cargo invocation with warnings denied (`[lints.rust] warnings = "deny"`), then run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use awslim_codegen::ir::{self, Crate};
use awslim_codegen::{CrateOptions, Model, RuntimeDependency, Selection, Source};
use awslim_endpoints::testing::{service_rules, ServiceRules};
use serde_json::Value;

use super::protocol_tests::{compiler_errors, event_stream_operations, first_lines, parse_test_output, Builder};
use super::Report;

/// Built-ins the `Config` has a setting for: built-in name -> builder method.
const BUILT_INS: &[(&str, &str)] = &[
    ("AWS::Region", "region"),
    ("AWS::UseFIPS", "use_fips"),
    ("AWS::UseDualStack", "use_dual_stack"),
    ("SDK::Endpoint", "endpoint_url"),
];

/// One generated test.
struct ClientTest {
    fn_name: String,
    label: String,
    code: String,
}

/// A model that generated: where, and its tests.
struct Generated {
    stem: String,
    tests: Vec<ClientTest>,
    /// Operations the generator rejected (the model then fails).
    problems: Vec<String>,
    /// How many operations the crate has.
    operations: usize,
}

fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn ident_of(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// The model files: the published ones, then our fixture.
fn model_files(root: &Path, shared: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("models"))
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files.push(root.join("tests/fixtures/models/endpoint-params.json"));
    files
}

/// Runs the suite; `full` generates every operation of each model.
pub fn run(root: &Path, shared: &Path, full: bool) -> Vec<Report> {
    let mut models = Report { name: "models generated and built", passed: 0, failed: Vec::new(), skipped: Vec::new() };
    let mut client =
        Report { name: "endpoint tests through the client", passed: 0, failed: Vec::new(), skipped: Vec::new() };
    let ws = root.join(if full { "target/conformance/models-full" } else { "target/conformance/models" });
    let _ = std::fs::remove_dir_all(&ws);
    let started = Instant::now();
    let mut generated = Vec::new();
    let files = model_files(root, shared);
    for path in &files {
        match prepare(&ws, path, full, &mut models, &mut client) {
            Ok(Some(g)) => generated.push(g),
            Ok(None) => {}
            Err(why) => models.failed.push((stem_of(path), why)),
        }
    }
    println!("  models: generated {} crates in {:.1} s", generated.len(), started.elapsed().as_secs_f64());
    let operations: BTreeMap<String, usize> = generated.iter().map(|g| (g.stem.clone(), g.operations)).collect();
    let mut tests: BTreeMap<String, usize> = generated.iter().map(|g| (g.stem.clone(), g.tests.len())).collect();
    // Cases that could not become tests are already failures of their model.
    for (label, _) in &client.failed {
        if let Some(stem) = label.split('[').next() {
            *tests.entry(stem.to_owned()).or_default() += 1;
        }
    }
    build_and_run(root, &ws, generated, &mut models, &mut client);
    for path in &files {
        println!("  {}", model_line(&stem_of(path), &models, &client, &operations, &tests));
    }
    println!("models: {}/{} generated and built", models.passed, models.passed + models.failed.len());
    println!("endpoint tests through the client: {}/{}", client.passed, client.passed + client.failed.len());
    vec![models, client]
}

/// One line about a model: not generated (and why), failed (and why), or built with its counts.
fn model_line(
    stem: &str,
    models: &Report,
    client: &Report,
    operations: &BTreeMap<String, usize>,
    tests: &BTreeMap<String, usize>,
) -> String {
    if let Some((_, why)) = models.skipped.iter().find(|(id, _)| id == stem) {
        return format!("{stem}: not generated: {}", why.replace("the model has 1 problem: /   - ", ""));
    }
    if let Some((_, why)) = models.failed.iter().find(|(id, _)| id == stem) {
        return format!("{stem}: FAILED: {}", first_lines(why, 2));
    }
    let total = tests.get(stem).copied().unwrap_or(0);
    let failed = client.failed.iter().filter(|(label, _)| label.split('[').next() == Some(stem)).count();
    format!(
        "{stem}: {} operations generated and built; endpoint tests through the client: {}/{total}",
        operations.get(stem).copied().unwrap_or(0),
        total - failed
    )
}

/// Generates one model's crate and tests. `Ok(None)`: the generator does not support the
/// model's protocol (listed as skipped).
fn prepare(
    ws: &Path,
    path: &Path,
    full: bool,
    models: &mut Report,
    client: &mut Report,
) -> Result<Option<Generated>, String> {
    let stem = stem_of(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let raw: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let model = Model::load(&[Source { name: &stem, text: &text }]).map_err(|e| format!("does not load: {e}"))?;
    let shapes = raw.get("shapes").and_then(Value::as_object).cloned().unwrap_or_default();
    let services: Vec<&String> = shapes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("service"))
        .map(|(k, _)| k)
        .collect();
    let [service] = services.as_slice() else {
        return Err(format!("expected one service shape, found {}", services.len()));
    };
    let service = (*service).clone();
    // Ask the generator whether it supports this service at all (its protocol, ...).
    let probe = Selection { service: Some(service.clone()), operations: Some(Vec::new()) };
    if let Err(e) = ir::lower(&model, &probe) {
        let why = first_lines(&e.to_string(), 2);
        models.skipped.push((stem, format!("the generator does not support it: {why}")));
        return Ok(None);
    }
    let rules = service_rules(&raw).into_iter().find(|r| r.shape_id == service);
    // Event-stream operations the generator refuses (event streams outside restJson1), asked one
    // by one.
    let refused = |op: &String| {
        let one = Selection { service: Some(service.clone()), operations: Some(vec![op.clone()]) };
        ir::lower(&model, &one).is_err()
    };
    let event_streams: BTreeSet<String> =
        event_stream_operations(&shapes).iter().map(|id| short(id).to_owned()).filter(refused).collect();
    let all_ops = service_operations(&shapes, &service);
    let mut wanted: BTreeSet<String> = if full {
        all_ops.iter().cloned().collect()
    } else {
        let mut w: BTreeSet<String> = rules.iter().flat_map(|r| case_operations(r.test_cases)).collect();
        w.extend(all_ops.iter().filter(|op| binds_endpoint_params(&shapes, op)).cloned());
        w
    };
    for op in wanted.intersection(&event_streams) {
        println!("  {stem}: left out {op}: an event stream the generator refuses (restJson1 only)");
        models
            .skipped
            .push((format!("{stem} {op}"), "event-stream operation the generator refuses, left out".to_owned()));
    }
    wanted.retain(|op| !event_streams.contains(op));
    if wanted.is_empty() {
        if let Some(first) = all_ops.iter().find(|op| !event_streams.contains(*op)) {
            wanted.insert(first.clone());
        }
    }
    let (ops, problems) = generate_ops(&model, &service, wanted.into_iter().collect())?;
    let selection = Selection { service: Some(service.clone()), operations: Some(ops.clone()) };
    let package = format!("awslim-conf-{}", ident_of(&stem).replace('_', "-"));
    let runtime_path = "../../../../runtime";
    let options = CrateOptions::new(package.clone(), RuntimeDependency::Path(runtime_path.into()));
    let files = awslim_codegen::generate(&model, &selection, &options).map_err(|e| first_lines(&e.to_string(), 3))?;
    let krate = ir::lower(&model, &selection).map_err(|e| e.to_string())?;
    let dir = ws.join(&stem);
    for (rel, body) in &files {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut body = body.clone();
        if rel == "Cargo.toml" {
            // The library has no unit tests: build it once, not again as a test harness.
            body = body.replace("doctest = false", "doctest = false\ntest = false");
            body.push_str(&format!(
                "\n[dev-dependencies]\nawslim-runtime = {{ path = \"{}\" }}\ntokio = {{ version = \"1\", default-features = false, features = [\"rt\", \"macros\", \"time\"] }}\nserde_json = \"1\"\n\n[lints.rust]\nwarnings = \"deny\"\n",
                runtime_path
            ));
        }
        std::fs::write(&p, body).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    let tests = match &rules {
        Some(r) => client_tests(&stem, &krate, r, &event_streams, client),
        None => Vec::new(),
    };
    write_tests(&dir, &package, &tests)?;
    Ok(Some(Generated { stem, tests, problems, operations: ops.len() }))
}

fn short(id: &str) -> &str {
    id.rsplit('#').next().unwrap_or(id)
}

/// Operation names of the service (including those of its resources), sorted.
fn service_operations(shapes: &serde_json::Map<String, Value>, service: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![service.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some(s) = shapes.get(&id) else { continue };
        for key in ["operations", "collectionOperations"] {
            for t in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                out.extend(t.get("target").and_then(Value::as_str).map(|t| short(t).to_owned()));
            }
        }
        for key in ["create", "put", "read", "update", "delete", "list"] {
            out.extend(s.pointer(&format!("/{key}/target")).and_then(Value::as_str).map(|t| short(t).to_owned()));
        }
        for t in s.get("resources").and_then(Value::as_array).into_iter().flatten() {
            stack.extend(t.get("target").and_then(Value::as_str).map(str::to_owned));
        }
    }
    out.into_iter().collect()
}

/// The operations the cases call through `operationInputs`.
fn case_operations(cases: &[Value]) -> Vec<String> {
    cases
        .iter()
        .flat_map(|c| c.get("operationInputs").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|i| i.get("operationName").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Whether the operation (short name) binds endpoint parameters.
fn binds_endpoint_params(shapes: &serde_json::Map<String, Value>, op: &str) -> bool {
    let Some((_, shape)) =
        shapes.iter().find(|(id, s)| short(id) == op && s.get("type").and_then(Value::as_str) == Some("operation"))
    else {
        return false;
    };
    let traits = shape.get("traits");
    if ["smithy.rules#staticContextParams", "smithy.rules#operationContextParams"]
        .iter()
        .any(|t| traits.and_then(|tr| tr.get(*t)).is_some())
    {
        return true;
    }
    let input = shape.pointer("/input/target").and_then(Value::as_str).and_then(|i| shapes.get(i));
    input
        .and_then(|i| i.get("members"))
        .and_then(Value::as_object)
        .is_some_and(|m| m.values().any(|mm| mm.pointer("/traits/smithy.rules#contextParam").is_some()))
}

/// Generates `ops` together; when that fails, finds the operations that fail alone and leaves
/// them out (each reported as a failure of the model).
fn generate_ops(model: &Model, service: &str, ops: Vec<String>) -> Result<(Vec<String>, Vec<String>), String> {
    let mut options = CrateOptions::new("probe", RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    let sel = |ops: Vec<String>| Selection { service: Some(service.to_owned()), operations: Some(ops) };
    if awslim_codegen::generate(model, &sel(ops.clone()), &options).is_ok() {
        return Ok((ops, Vec::new()));
    }
    let mut good = Vec::new();
    let mut problems = Vec::new();
    for op in ops {
        match awslim_codegen::generate(model, &sel(vec![op.clone()]), &options) {
            Ok(_) => good.push(op),
            Err(e) => problems.push(format!("{op}: {}", first_lines(&e.to_string(), 3))),
        }
    }
    if good.is_empty() {
        return Err(format!("no operation generates: {}", problems.join(" | ")));
    }
    Ok((good, problems))
}

/// One test per `operationInputs` entry of every case. Cases that cannot become a test are
/// failed here with the reason.
fn client_tests(
    stem: &str,
    krate: &Crate,
    rules: &ServiceRules<'_>,
    event_streams: &BTreeSet<String>,
    client: &mut Report,
) -> Vec<ClientTest> {
    let mut out = Vec::new();
    for (i, case) in rules.test_cases.iter().enumerate() {
        let Some(inputs) = case.get("operationInputs").and_then(Value::as_array) else { continue };
        let doc = case.get("documentation").and_then(Value::as_str).unwrap_or("");
        for (j, input) in inputs.iter().enumerate() {
            let op = input.get("operationName").and_then(Value::as_str).unwrap_or("?");
            let label = format!("{stem}[{i}.{j}] {op}: {doc}");
            if event_streams.contains(op) {
                client
                    .skipped
                    .push((label, "event-stream operation the generator refuses (left out of the crate)".into()));
                continue;
            }
            if let Some(why) = unsupported_endpoint_auth(case) {
                client.skipped.push((label, why));
                continue;
            }
            let fn_name = format!("{}_c{i}_{j}", ident_of(stem));
            match client_test(krate, &fn_name, case, input) {
                Ok(code) => out.push(ClientTest { fn_name, label, code }),
                Err(why) => client.failed.push((label, format!("cannot write the test: {why}"))),
            }
        }
    }
    out
}

/// Endpoint auth schemes the runtime signs with (`awslim_runtime::auth`).
const CLIENT_AUTH_SCHEMES: &[&str] = &["sigv4", "sigv4a"];

/// Why a case cannot be called through the client: its endpoint lists only auth schemes the
/// runtime does not have (S3 Express One Zone's `sigv4-s3express` session auth). The client
/// refuses such a call with an error naming the scheme; the endpoint itself is still checked by
/// the rules-engine suite.
fn unsupported_endpoint_auth(case: &Value) -> Option<String> {
    let schemes = case.pointer("/expect/endpoint/properties/authSchemes")?.as_array()?;
    let names: Vec<&str> = schemes.iter().filter_map(|s| s.get("name")?.as_str()).collect();
    (!names.is_empty() && names.iter().all(|n| !CLIENT_AUTH_SCHEMES.contains(n))).then(|| {
        format!(
            "the endpoint's auth scheme {} is not supported by the client (S3 Express session auth is out of scope; the resolution is checked by the rules-engine suite)",
            names.join(", ")
        )
    })
}

fn rust_str(s: &str) -> String {
    format!("{s:?}")
}

/// A JSON parameter value as a Rust expression converting into an endpoint `Value`.
fn param_value(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(rust_str(s)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Array(items) => {
            let items: Option<Vec<String>> =
                items.iter().map(|i| i.as_str().map(|s| format!("String::from({})", rust_str(s)))).collect();
            items.map(|i| format!("vec![{}]", i.join(", "))).ok_or_else(|| format!("not a list of strings: {v}"))
        }
        other => Err(format!("unsupported parameter value {other}")),
    }
}

fn client_test(krate: &Crate, fn_name: &str, case: &Value, input: &Value) -> Result<String, String> {
    let op_name = input.get("operationName").and_then(Value::as_str).ok_or("no operationName")?;
    let op =
        krate.operations.iter().find(|o| o.name == op_name).ok_or_else(|| format!("{op_name} is not generated"))?;
    let mut config = String::new();
    for (name, v) in input.get("builtInParams").and_then(Value::as_object).into_iter().flatten() {
        match BUILT_INS.iter().find(|(b, _)| b == name) {
            Some((_, method)) => write!(config, "\n        .{method}({})", param_value(v)?).ok(),
            None => write!(config, "\n        .endpoint_built_in({}, {})", rust_str(name), param_value(v)?).ok(),
        };
    }
    for (name, v) in input.get("clientParams").and_then(Value::as_object).into_iter().flatten() {
        write!(config, "\n        .client_context_param({}, {})", rust_str(name), param_value(v)?).ok();
    }
    let params = input.get("operationParams").cloned().unwrap_or_else(|| Value::Object(Default::default()));
    let call = match &op.input {
        Some(name) => {
            let s = krate.find_struct(name).ok_or_else(|| format!("input {name} not in the IR"))?;
            let expr = Builder { krate }.structure(s, &params, false)?;
            format!("client.{}({expr})", op.module)
        }
        None => format!("client.{}()", op.module),
    };
    let expect = case.get("expect").ok_or("no `expect`")?;
    let check = if let Some(e) = expect.get("endpoint") {
        let url = e.get("url").and_then(Value::as_str).ok_or("no expect.endpoint.url")?;
        if url.starts_with("http://") {
            // Plain HTTP off loopback is refused unless the user opts in; the case expects it.
            config.push_str("\n        .allow_insecure_http(true)");
        }
        let headers: Vec<String> = e
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let vals: Vec<String> =
                    v.as_array().into_iter().flatten().filter_map(Value::as_str).map(rust_str).collect();
                format!("({}, &[{}][..])", rust_str(k), vals.join(", "))
            })
            .collect();
        let props = e.get("properties").cloned().unwrap_or_else(|| Value::Object(Default::default()));
        format!(
            "check_endpoint(&sent, &outcome, {}, &[{}], {});",
            rust_str(url),
            headers.join(", "),
            rust_str(&props.to_string())
        )
    } else if let Some(msg) = expect.get("error").and_then(Value::as_str) {
        format!("check_error(&sent, &outcome, {});", rust_str(msg))
    } else {
        return Err("`expect` has neither endpoint nor error".into());
    };
    let doc = case.get("documentation").and_then(Value::as_str).unwrap_or("").replace(['\n', '\r'], " ");
    Ok(format!(
        "/// {doc}\n#[tokio::test]\nasync fn {fn_name}() {{\n    let stub = StubTransport::new();\n    stub.push_json(200, \"{{}}\");\n    let config = base(&stub){config}\n        .build();\n    let client = svc::Client::new(config);\n    let outcome = match {call}.await {{\n        Ok(_) => Ok(()),\n        Err(e) => Err(e.to_string()),\n    }};\n    let sent = stub.take_requests();\n    {check}\n}}\n"
    ))
}

const PRELUDE: &str = r#"// Written by `cargo xtask conformance --suite models` from the model's endpoint tests; not committed.
use awslim_runtime::transport::{RecordedRequest, StubTransport};
use awslim_runtime::{Credentials, ResolvedEndpoint};

fn base(stub: &StubTransport) -> awslim_runtime::ConfigBuilder {
    svc::Config::builder()
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .transport(stub.clone())
        .max_attempts(1)
        .validate_requests(false)
        .idempotency_token_provider(|| String::from("00000000-0000-4000-8000-000000000000"))
}

#[allow(dead_code)]
fn check_endpoint(
    sent: &[RecordedRequest],
    outcome: &Result<(), String>,
    url: &str,
    headers: &[(&str, &[&str])],
    properties: &str,
) {
    assert_eq!(sent.len(), 1, "expected one request to {url}; the call returned {outcome:?}");
    let req = &sent[0];
    let resolved = req.extensions.get::<ResolvedEndpoint>().expect("the resolved endpoint is on the request");
    assert_eq!(resolved.0.url, url, "resolved endpoint URL");
    // The request goes under the resolved URL; an operation's `@endpoint` host prefix
    // (`{RequestRoute}.`) may stand in front of its host.
    let uri = req.uri.to_string();
    let want: awslim_runtime::http::Uri = url.parse().expect("the expected URL parses");
    let (want_host, got_host) = (want.host().unwrap_or(""), req.uri.host().unwrap_or(""));
    let same_host = got_host == want_host || got_host.ends_with(&format!(".{want_host}"));
    assert!(
        req.uri.scheme() == want.scheme() && req.uri.port() == want.port() && same_host && req.uri.path().starts_with(want.path().trim_end_matches('/')),
        "the request went to {uri}, not under {url}"
    );
    for (name, values) in headers {
        let got: Vec<&str> = req.headers.get_all(*name).iter().filter_map(|v| v.to_str().ok()).collect();
        for v in *values {
            assert!(got.contains(v), "header {name}: expected {v:?} among {got:?}");
        }
    }
    let expected: serde_json::Value = serde_json::from_str(properties).expect("expected properties are JSON");
    assert_eq!(serde_json::Value::Object(resolved.0.properties.clone()), expected, "endpoint properties");
}

// A model whose cases all expect an endpoint (or all an error) leaves one of the two unused.
#[allow(dead_code)]
fn check_error(sent: &[RecordedRequest], outcome: &Result<(), String>, message: &str) {
    match outcome {
        Err(e) => assert!(e.contains(message), "expected the error {message:?}, got {e:?}"),
        Ok(()) => panic!("expected the error {message:?}, but the call succeeded"),
    }
    assert!(sent.is_empty(), "nothing should be sent when the endpoint does not resolve");
}
"#;

/// Writes `tests/endpoint_tests.rs` (the prelude alone when there are no tests, so the crate
/// still builds the same way).
fn write_tests(dir: &Path, package: &str, tests: &[ClientTest]) -> Result<(), String> {
    if tests.is_empty() {
        return Ok(());
    }
    let mut text = format!("use {} as svc;\n{PRELUDE}", package.replace('-', "_"));
    for t in tests {
        text.push('\n');
        text.push_str(&t.code);
    }
    let path = dir.join("tests/endpoint_tests.rs");
    std::fs::create_dir_all(dir.join("tests")).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The line ranges of each test in the file `write_tests` wrote, by fn name.
fn test_ranges(dir: &Path) -> Vec<(String, usize, usize)> {
    let text = std::fs::read_to_string(dir.join("tests/endpoint_tests.rs")).unwrap_or_default();
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("async fn ").and_then(|l| l.split('(').next()) {
            if let Some(last) = out.last_mut() {
                last.2 = n.saturating_sub(2);
            }
            out.push((name.to_owned(), n.saturating_sub(1), usize::MAX));
        }
    }
    out
}

fn write_workspace(root: &Path, ws: &Path, members: &[&Generated]) -> Result<(), String> {
    let list: Vec<String> = members.iter().map(|g| format!("    {},", rust_str(&g.stem))).collect();
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n", list.join("\n"));
    std::fs::create_dir_all(ws).map_err(|e| format!("cannot create {}: {e}", ws.display()))?;
    std::fs::write(ws.join("Cargo.toml"), manifest).map_err(|e| format!("cannot write the workspace manifest: {e}"))?;
    let lock = ws.join("Cargo.lock");
    if !lock.exists() {
        let _ = std::fs::copy(root.join("Cargo.lock"), &lock);
    }
    Ok(())
}

/// Builds every crate and its tests in one cargo invocation (dropping crates whose library does
/// not compile, and tests that do not compile), then runs the tests.
fn build_and_run(root: &Path, ws: &Path, mut generated: Vec<Generated>, models: &mut Report, client: &mut Report) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let mut round = 0;
    loop {
        round += 1;
        if generated.is_empty() {
            return;
        }
        let members: Vec<&Generated> = generated.iter().collect();
        if let Err(e) = write_workspace(root, ws, &members) {
            models.failed.push(("workspace".into(), e));
            return;
        }
        let output = Command::new(&cargo)
            .args(["build", "--workspace", "--all-targets", "--quiet", "--message-format", "json", "--manifest-path"])
            .arg(ws.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target"))
            .output();
        let output = match output {
            Ok(o) => o,
            Err(e) => {
                models.failed.push(("cargo".into(), format!("could not run cargo: {e}")));
                return;
            }
        };
        if output.status.success() {
            break;
        }
        let errors = compiler_errors(&String::from_utf8_lossy(&output.stdout));
        // (stem -> lib errors), (stem -> failing test fns)
        let mut lib_errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut test_errors: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (file, line, msg) in &errors {
            let path = Path::new(file);
            let rel = path.strip_prefix(ws).unwrap_or(path).to_string_lossy().replace('\\', "/");
            let Some((stem, inner)) = rel.split_once('/') else { continue };
            if inner == "tests/endpoint_tests.rs" {
                let ranges = test_ranges(&ws.join(stem));
                let f = ranges.iter().find(|(_, s, e)| (*s..=*e).contains(line)).map(|(n, _, _)| n.clone());
                test_errors.entry(stem.to_owned()).or_default().insert(f.unwrap_or_default(), msg.clone());
            } else {
                lib_errors.entry(stem.to_owned()).or_default().push(format!("{inner}:{line}: {msg}"));
            }
        }
        if (lib_errors.is_empty() && test_errors.is_empty()) || round > 6 {
            let why = format!("cargo build failed: {}", first_lines(&String::from_utf8_lossy(&output.stderr), 12));
            for g in &generated {
                models.failed.push((g.stem.clone(), why.clone()));
            }
            return;
        }
        println!(
            "  models: build round {round}: {} crates and {} test files do not compile",
            lib_errors.len(),
            test_errors.len()
        );
        generated.retain(|g| match lib_errors.get(&g.stem) {
            Some(errs) => {
                let shown: Vec<&str> = errs.iter().take(3).map(String::as_str).collect();
                models.failed.push((g.stem.clone(), format!("the crate does not compile: {}", shown.join(" | "))));
                for t in &g.tests {
                    client.failed.push((t.label.clone(), "the crate does not compile".into()));
                }
                false
            }
            None => true,
        });
        for g in &mut generated {
            let Some(bad) = test_errors.get(&g.stem) else { continue };
            let before = g.tests.len();
            g.tests.retain(|t| match bad.get(&t.fn_name) {
                Some(msg) => {
                    client.failed.push((t.label.clone(), format!("the test does not compile: {msg}")));
                    false
                }
                None => true,
            });
            if g.tests.len() == before {
                // An error outside any test: fail them all rather than loop.
                let first = bad.values().next().cloned().unwrap_or_default();
                for t in g.tests.drain(..) {
                    client.failed.push((t.label.clone(), format!("the test file does not compile: {first}")));
                }
            }
            let package = format!("awslim-conf-{}", ident_of(&g.stem).replace('_', "-"));
            let dir = ws.join(&g.stem);
            let _ = std::fs::remove_file(dir.join("tests/endpoint_tests.rs"));
            if let Err(e) = write_tests(&dir, &package, &g.tests) {
                models.failed.push((g.stem.clone(), e));
            }
        }
    }
    println!(
        "  models: built {} crates and their tests in {:.1} s ({round} build rounds)",
        generated.len(),
        started.elapsed().as_secs_f64()
    );
    for g in &generated {
        if g.problems.is_empty() {
            models.passed += 1;
        } else {
            models
                .failed
                .push((g.stem.clone(), format!("operations the generator rejects: {}", g.problems.join(" | "))));
        }
    }
    if generated.iter().all(|g| g.tests.is_empty()) {
        return;
    }
    let run_started = Instant::now();
    let output = Command::new(&cargo)
        .args(["test", "--workspace", "--no-fail-fast", "--manifest-path"])
        .arg(ws.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target"))
        .args(["--", "--test-threads=2"])
        .env("RUST_BACKTRACE", "0")
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            client.failed.push(("cargo test".into(), format!("could not run cargo test: {e}")));
            return;
        }
    };
    let (ok, bad) = parse_test_output(&String::from_utf8_lossy(&output.stdout));
    for t in generated.iter().flat_map(|g| &g.tests) {
        if ok.contains(&t.fn_name) {
            client.passed += 1;
        } else {
            let why = bad.get(&t.fn_name).cloned().unwrap_or_else(|| {
                format!(
                    "no result (exit {}): {}",
                    output.status,
                    first_lines(&String::from_utf8_lossy(&output.stderr), 5)
                )
            });
            client.failed.push((t.label.clone(), why));
        }
    }
    println!("  models: ran the endpoint tests in {:.1} s", run_started.elapsed().as_secs_f64());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_values_become_rust_expressions() {
        assert_eq!(param_value(&serde_json::json!("us-east-1")).unwrap(), "\"us-east-1\"");
        assert_eq!(param_value(&serde_json::json!(true)).unwrap(), "true");
        assert_eq!(
            param_value(&serde_json::json!(["a", "b\""])).unwrap(),
            "vec![String::from(\"a\"), String::from(\"b\\\"\")]"
        );
        assert!(param_value(&serde_json::json!(3)).is_err());
        assert!(param_value(&serde_json::json!([1])).is_err());
    }

    #[test]
    fn operations_are_found_through_resources_and_cases() {
        let shapes = serde_json::json!({
            "a#S": { "type": "service", "operations": [{ "target": "a#One" }], "resources": [{ "target": "a#R" }] },
            "a#R": { "type": "resource", "read": { "target": "a#Get" }, "operations": [{ "target": "a#Two" }] }
        });
        let shapes = shapes.as_object().unwrap();
        assert_eq!(service_operations(shapes, "a#S"), vec!["Get", "One", "Two"]);
        let cases =
            [serde_json::json!({ "operationInputs": [{ "operationName": "One" }, { "operationName": "Get" }] })];
        assert_eq!(case_operations(&cases), vec!["One", "Get"]);
    }

    #[test]
    fn endpoint_parameter_traits_are_detected() {
        let shapes = serde_json::json!({
            "a#Plain": { "type": "operation", "input": { "target": "a#In" } },
            "a#Ctx": { "type": "operation", "input": { "target": "a#CtxIn" } },
            "a#Static": { "type": "operation", "traits": { "smithy.rules#staticContextParams": {} } },
            "a#In": { "type": "structure", "members": { "X": { "target": "smithy.api#String" } } },
            "a#CtxIn": { "type": "structure", "members": { "X": { "target": "smithy.api#String", "traits": { "smithy.rules#contextParam": { "name": "X" } } } } }
        });
        let shapes = shapes.as_object().unwrap();
        assert!(!binds_endpoint_params(shapes, "Plain"));
        assert!(binds_endpoint_params(shapes, "Ctx"));
        assert!(binds_endpoint_params(shapes, "Static"));
    }
}
