//! Smithy's protocol compliance suites (`smithy.test#httpRequestTests` and
//! `smithy.test#httpResponseTests`), one test file per protocol ([`SUITES`]), each run against a
//! crate generated from the file's own test service.
//!
//! 1. Generates the crate for the service, sliced to the operations its client cases use
//!    (`target/conformance/<suite>`); operations the generator rejects are found one by one,
//!    reported, and left out.
//! 2. Writes one `#[tokio::test]` per client case into the crate's `tests/protocol.rs`: inputs and
//!    expected outputs are built with the generated builders (names and types from the IR), the
//!    client talks to the runtime's `StubTransport`.
//! 3. Builds the tests; cases the compiler rejects are dropped (and reported with the error) until
//!    the file compiles; then runs them and reports each failure with its assertion message.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use awslim_codegen::ir::{self, Crate, Presence, Type, ValueType};
use awslim_codegen::{Model, Selection, Source};
use serde_json::Value;

use super::Report;

/// One protocol test file of `../shared/conformance` (one test service each).
pub struct Suite {
    /// The name `--suite` takes.
    pub key: &'static str,
    /// The protocol, as printed in the summary line.
    pub name: &'static str,
    /// The file, relative to the reference data.
    pub file: &'static str,
    /// Cases not run: (case id, reason). Only for features that are explicitly out of scope
    /// (listed under "Not done yet" in the README).
    pub skip: &'static [(&'static str, &'static str)],
}

/// The protocol suites this runner knows, one per test file.
pub const SUITES: &[Suite] = &[
    Suite {
        key: "restjson",
        name: "restJson1",
        file: "conformance/restjson1-protocol-tests.json",
        skip: &[],
    },
    Suite { key: "awsjson1_0", name: "awsJson1_0", file: "conformance/awsjson1_0-protocol-tests.json", skip: &[] },
    Suite {
        key: "awsjson1_0-query-compatible",
        name: "awsJson1_0 (awsQueryCompatible)",
        file: "conformance/awsjson1_0-query-compatible-protocol-tests.json",
        skip: &[],
    },
    Suite { key: "awsquery", name: "awsQuery", file: "conformance/awsquery-protocol-tests.json", skip: &[] },
    Suite { key: "ec2query", name: "ec2Query", file: "conformance/ec2query-protocol-tests.json", skip: &[] },
    Suite { key: "rpcv2cbor", name: "rpcv2Cbor", file: "conformance/rpcv2cbor-protocol-tests.json", skip: &[] },
    Suite {
        key: "rpcv2cbor-query-compatible",
        name: "rpcv2Cbor (awsQueryCompatible)",
        file: "conformance/rpcv2cbor-query-compatible-protocol-tests.json",
        skip: &[],
    },
    Suite {
        key: "rpcv2cbor-non-query-compatible",
        name: "rpcv2Cbor (not awsQueryCompatible)",
        file: "conformance/rpcv2cbor-non-query-compatible-protocol-tests.json",
        skip: &[],
    },
    Suite {
        key: "rpcv2json",
        name: "rpcv2Json",
        file: "conformance/rpcv2json-protocol-tests.json",
        skip: &[
            ("RpcV2JsonRequestBigDecimalSimpleValue", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigDecimalHighPrecision", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigDecimalNegativeHighPrecision", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigDecimalLargeWithFraction", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigDecimalSimpleValue", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigDecimalHighPrecision", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigDecimalNegativeHighPrecision", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigDecimalLargeWithFraction", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigIntegerSimpleValue", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigIntegerExceedingLongRange", RPCV2_BIGNUM),
            ("RpcV2JsonRequestBigIntegerNegativeLargeValue", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigIntegerSimpleValue", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigIntegerExceedingLongRange", RPCV2_BIGNUM),
            ("RpcV2JsonResponseBigIntegerNegativeLargeValue", RPCV2_BIGNUM),
        ],
    },
    Suite { key: "restxml", name: "restXml", file: "conformance/restxml-protocol-tests.json", skip: &[] },
    Suite {
        key: "restxml-xmlns",
        name: "restXml (xmlNamespace)",
        file: "conformance/restxml-xmlns-protocol-tests.json",
        skip: &[],
    },
    Suite { key: "restxml-s3", name: "restXml (S3)", file: "conformance/restxml-s3-protocol-tests.json", skip: &[] },
    Suite { key: "awsjson1_1", name: "awsJson1_1", file: "conformance/awsjson1_1-protocol-tests.json", skip: &[] },
    Suite {
        key: "awsjson1_1-machinelearning",
        name: "awsJson1_1 (Machine Learning)",
        file: "conformance/awsjson1_1-machinelearning-protocol-tests.json",
        skip: &[(
            "MachinelearningPredictEndpoint",
            "out of scope: the SDKs' hand-written Machine Learning customization that sends Predict to its PredictEndpoint member (not in the model's traits)",
        )],
    },
];
/// Why the RPC v2 bignum cases are skipped (README, "Not done yet").
const RPCV2_BIGNUM: &str =
    "out of scope: bigInteger/bigDecimal members are refused by the generator for the RPC v2 protocols";
/// Whether request tests run with the client's constraint validation on (the default of
/// `Config`). Smithy clients are not expected to enforce constraints, but awslim does by design:
/// cases it refuses are reported as such.
const VALIDATE_REQUESTS: bool = true;
/// The suite's service has no `smithy.rules#endpointRuleSet`; the generated client cannot
/// resolve an endpoint without one (even with an endpoint URL configured), so a minimal rule set
/// ("use `SDK::Endpoint`") is applied to the service at conformance time. Set to `false` to see
/// what a user generating from the bare model gets.
const ENDPOINT_OVERLAY: bool = false;

/// Suites whose test service is a slice of a published service without its endpoint rules:
/// (suite key, published model). The published model's rules and context parameters are applied
/// to the test service ([`rules_overlay`]), and each case's `vendorParams` client configuration
/// (region, `s3` addressing options) becomes the `Config`'s region and built-ins instead of an
/// endpoint URL, so addressing comes from the rules as it does for users.
const RULES_FROM: &[(&str, &str)] = &[("restxml-s3", "models/s3-2006-03-01.json")];

/// An `apply` model giving the shapes of `suite` that `published` also has the published
/// service's endpoint rules and client context parameters, and its operations' and members'
/// static and member context parameters.
fn rules_overlay(suite: &serde_json::Map<String, Value>, published: &Value) -> Value {
    let empty = serde_json::Map::new();
    let theirs = published.get("shapes").and_then(Value::as_object).unwrap_or(&empty);
    let mut applies = serde_json::Map::new();
    let mut apply = |id: String, traits: serde_json::Map<String, Value>| {
        if !traits.is_empty() {
            applies.insert(id, serde_json::json!({ "type": "apply", "traits": traits }));
        }
    };
    let pick = |shape: &Value, names: &[&str]| -> serde_json::Map<String, Value> {
        names
            .iter()
            .filter_map(|n| shape.pointer(&format!("/traits/{n}")).map(|v| ((*n).to_owned(), v.clone())))
            .collect()
    };
    for (id, shape) in suite {
        let Some(published_shape) = theirs.get(id) else { continue };
        match shape.get("type").and_then(Value::as_str) {
            Some("service") => apply(
                id.clone(),
                pick(published_shape, &["smithy.rules#endpointRuleSet", "smithy.rules#clientContextParams"]),
            ),
            Some("operation") => apply(
                id.clone(),
                pick(published_shape, &["smithy.rules#staticContextParams", "smithy.rules#operationContextParams"]),
            ),
            Some("structure") => {
                for name in shape
                    .get("members")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().collect::<Vec<_>>())
                    .unwrap_or_default()
                {
                    if let Some(member) = published_shape.pointer(&format!("/members/{name}")) {
                        apply(format!("{id}${name}"), pick(member, &["smithy.rules#contextParam"]));
                    }
                }
            }
            _ => {}
        }
    }
    serde_json::json!({ "smithy": "2.0", "shapes": applies })
}

fn endpoint_rule_set() -> Value {
    serde_json::json!({
        "version": "1.0",
        "parameters": {
            "Region": { "builtIn": "AWS::Region", "required": false, "type": "String", "documentation": "The region." },
            "Endpoint": { "builtIn": "SDK::Endpoint", "required": false, "type": "String", "documentation": "The endpoint URL." }
        },
        "rules": [
            { "conditions": [ { "fn": "isSet", "argv": [ { "ref": "Endpoint" } ] } ], "endpoint": { "url": { "ref": "Endpoint" } }, "type": "endpoint" },
            { "conditions": [], "error": "an endpoint URL is required", "type": "error" }
        ]
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Request,
    Response,
    /// A `smithy.test#eventStreamTests` case whose messages the service sends.
    EventResponse,
    /// A `smithy.test#eventStreamTests` case whose messages (or initial request) the client sends.
    EventRequest,
}

struct Case {
    id: String,
    kind: Kind,
    /// The operation shape ID the case is attached to (or that binds the error).
    op: String,
    /// For response cases on an error structure: the error shape ID.
    error: Option<String>,
    json: Value,
}

impl Case {
    fn fn_name(&self) -> String {
        let prefix = match self.kind {
            Kind::Request => "req",
            Kind::Response => "resp",
            Kind::EventResponse => "events",
            Kind::EventRequest => "sent_events",
        };
        let clean: String =
            self.id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
        format!("{prefix}_{clean}")
    }
    fn label(&self) -> String {
        let k = match self.kind {
            Kind::Request => "request",
            Kind::Response => "response",
            Kind::EventResponse => "event stream",
            Kind::EventRequest => "event stream sent",
        };
        format!("{} ({k}, {})", self.id, short(&self.op))
    }
}

fn short(id: &str) -> &str {
    id.rsplit('#').next().unwrap_or(id)
}

fn fail_all(name: &'static str, why: String) -> Report {
    Report { name, passed: 0, failed: vec![(format!("{name} suite"), why)], skipped: vec![] }
}

/// Runs the suite; see the module docs.
pub fn run(root: &Path, shared: &Path, spec: &Suite) -> Report {
    let name = spec.name;
    let suite = shared.join(spec.file);
    let text = match std::fs::read_to_string(&suite) {
        Ok(t) => t,
        Err(e) => return fail_all(name, format!("cannot read {}: {e}", suite.display())),
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return fail_all(name, format!("{} is not JSON: {e}", suite.display())),
    };
    let shapes = doc.get("shapes").and_then(Value::as_object).cloned().unwrap_or_default();
    let services: Vec<&String> = shapes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("service"))
        .map(|(k, _)| k)
        .collect();
    let service = match services.as_slice() {
        [one] => (*one).clone(),
        _ => return fail_all(name, format!("{} has {} services, not one", suite.display(), services.len())),
    };
    let crate_name = format!("awslim-{}-protocol", spec.key.replace('_', "-"));

    // ---- collect the cases
    let mut cases = Vec::new();
    let mut skipped = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    let event_stream_ops = event_stream_operations(&shapes);
    for (id, shape) in &shapes {
        let traits = shape.get("traits");
        let is_op = shape.get("type").and_then(Value::as_str) == Some("operation");
        for (key, kind) in
            [("smithy.test#httpRequestTests", Kind::Request), ("smithy.test#httpResponseTests", Kind::Response)]
        {
            let Some(list) = traits.and_then(|t| t.get(key)).and_then(Value::as_array) else { continue };
            for c in list {
                let cid = c.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
                if c.get("appliesTo").and_then(Value::as_str) == Some("server") {
                    skipped.push((cid, "appliesTo: server".to_owned()));
                    continue;
                }
                if let Some((_, why)) = spec.skip.iter().find(|(id, _)| *id == cid) {
                    skipped.push((cid, (*why).to_owned()));
                    continue;
                }
                let (op, error) = if is_op {
                    (id.clone(), None)
                } else {
                    // An error structure: any operation that binds it.
                    let op = shapes
                        .iter()
                        .find(|(_, s)| {
                            s.get("type").and_then(Value::as_str) == Some("operation")
                                && s.get("errors").and_then(Value::as_array).is_some_and(|e| {
                                    e.iter().any(|t| t.get("target").and_then(Value::as_str) == Some(id))
                                })
                        })
                        .map(|(k, _)| k.clone());
                    match op {
                        Some(op) => (op, Some(id.clone())),
                        None => {
                            failed.push((cid, format!("the error {id} is bound by no operation")));
                            continue;
                        }
                    }
                };
                if event_stream_ops.contains(&op) {
                    skipped.push((cid, format!("{} is an event-stream operation", short(&op))));
                    continue;
                }
                cases.push(Case { id: cid, kind, op, error, json: c.clone() });
            }
        }
    }
    let model_for_probe = crate::load_models(std::slice::from_ref(&suite)).ok();
    for op in &event_stream_ops {
        let list = shapes
            .get(op)
            .and_then(|s| s.pointer("/traits/smithy.test#eventStreamTests"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // The generator refuses client-to-server event streams: their cases are skipped whole.
        let refused = model_for_probe.as_ref().map_or(Some("the model does not load".to_owned()), |m| {
            let one = Selection { service: Some(service.clone()), operations: Some(vec![short(op).to_owned()]) };
            ir::lower(m, &one).err().map(|e| {
                // The first problem (the line after the count).
                let text = e.to_string();
                text.lines().nth(1).unwrap_or(&text).trim().to_owned()
            })
        });
        for c in &list {
            let cid = c.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
            let sends = c
                .get("events")
                .and_then(Value::as_array)
                .is_some_and(|e| e.iter().any(|e| e.get("type").and_then(Value::as_str) == Some("request")))
                || c.get("initialRequest").is_some();
            if c.get("appliesTo").and_then(Value::as_str) == Some("server") {
                skipped.push((cid, "appliesTo: server".to_owned()));
            } else if let Some(why) = &refused {
                skipped.push((cid, format!("{}: the generator refuses it: {why}", short(op))));
            } else if let Some((_, why)) = spec.skip.iter().find(|(id, _)| *id == cid) {
                skipped.push((cid, (*why).to_owned()));
            } else if sends {
                cases.push(Case { id: cid, kind: Kind::EventRequest, op: op.clone(), error: None, json: c.clone() });
            } else {
                cases.push(Case { id: cid, kind: Kind::EventResponse, op: op.clone(), error: None, json: c.clone() });
            }
        }
    }

    // ---- generate the crate
    let out = root.join("target/conformance").join(spec.key);
    let started = Instant::now();
    let all_ops: Vec<String> = shapes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("operation"))
        .map(|(k, _)| short(k).to_owned())
        .collect();
    let mut models = vec![suite.clone()];
    let rules_from = RULES_FROM.iter().find(|(key, _)| *key == spec.key).map(|(_, file)| shared.join(file));
    let overlay_text = if let Some(published) = &rules_from {
        let overlay = root.join(format!("target/conformance/{}-rules-overlay.json", spec.key));
        let published: Value = match std::fs::read_to_string(published).map(|t| serde_json::from_str(&t)) {
            Ok(Ok(v)) => v,
            _ => return fail_all(name, format!("cannot read {} as JSON", published.display())),
        };
        let text = rules_overlay(&shapes, &published).to_string();
        if let Err(e) =
            std::fs::create_dir_all(root.join("target/conformance")).and_then(|()| std::fs::write(&overlay, &text))
        {
            return fail_all(name, format!("cannot write {}: {e}", overlay.display()));
        }
        models.push(overlay);
        Some(text)
    } else if ENDPOINT_OVERLAY {
        let overlay = root.join(format!("target/conformance/{}-endpoint-overlay.json", spec.key));
        let text = serde_json::json!({
            "smithy": "2.0",
            "shapes": { service.clone(): { "type": "apply", "traits": { "smithy.rules#endpointRuleSet": endpoint_rule_set() } } }
        })
        .to_string();
        if let Err(e) =
            std::fs::create_dir_all(root.join("target/conformance")).and_then(|()| std::fs::write(&overlay, &text))
        {
            return fail_all(name, format!("cannot write {}: {e}", overlay.display()));
        }
        models.push(overlay);
        Some(text)
    } else {
        None
    };
    let gen = |ops: Option<Vec<String>>| {
        crate::codegen(&crate::CodegenArgs {
            models: models.clone(),
            out: Some(out.clone()),
            crate_name: Some(crate_name.clone()),
            operations: ops,
            service: Some(service.clone()),
            // Our scratch directory: it also holds tests/protocol.rs, which we write below.
            force: true,
            ..Default::default()
        })
    };
    // The service is sliced to the operations the client cases use, so each suite builds only
    // what it tests.
    let used: BTreeSet<&str> = cases.iter().map(|c| short(&c.op)).collect();
    let wanted: Vec<String> = all_ops.iter().filter(|o| used.contains(o.as_str())).cloned().collect();
    let mut selection_ops: Option<Vec<String>> = Some(wanted.clone());
    let mut bad_ops: BTreeMap<String, String> = BTreeMap::new();
    if let Err(whole) = gen(Some(wanted.clone())) {
        println!("  {name}: generating the whole service failed; finding the operations that fail alone:");
        for l in whole.lines().take(12) {
            println!("    {l}");
        }
        let model = match crate::load_models(&models) {
            Ok(m) => m,
            Err(e) => return fail_all(name, format!("the model does not load: {e}")),
        };
        let options =
            awslim_codegen::CrateOptions::new("x", awslim_codegen::RuntimeDependency::Path("../runtime".into()));
        let mut good = Vec::new();
        for op in &wanted {
            let sel = Selection { service: Some(service.clone()), operations: Some(vec![op.clone()]) };
            match awslim_codegen::generate(&model, &sel, &options) {
                Ok(_) => good.push(op.clone()),
                Err(e) => {
                    bad_ops.insert(op.clone(), e.to_string());
                }
            }
        }
        let listed: Vec<String> = bad_ops
            .keys()
            .map(|k| {
                let es = event_stream_ops.iter().any(|e| short(e) == k);
                format!("{k}{}", if es { " (event stream)" } else { "" })
            })
            .collect();
        println!("  {name}: left out {} operations the generator rejects: {}", bad_ops.len(), listed.join(", "));
        if let Err(e) = gen(Some(good.clone())) {
            return fail_all(name, format!("codegen failed even without the operations that fail alone: {e}"));
        }
        selection_ops = Some(good);
    }
    let codegen_time = started.elapsed();
    println!("  {name}: generated the service crate in {:.2} s", codegen_time.as_secs_f64());

    let mut sources = vec![Source { name: spec.file, text: &text }];
    if let Some(o) = &overlay_text {
        sources.push(Source { name: "endpoint overlay", text: o });
    }
    let model = match Model::load(&sources) {
        Ok(m) => m,
        Err(e) => return fail_all(name, format!("model load failed: {e}")),
    };
    let krate = match ir::lower(&model, &Selection { service: Some(service.clone()), operations: selection_ops }) {
        Ok(k) => k,
        Err(e) => return fail_all(name, format!("ir::lower failed: {e}")),
    };

    // rpcv2Cbor cases give bodies as base64 CBOR; they are compared decoded (`CBOR_PRELUDE`).
    let cbor = krate.service.protocol.trait_id() == "smithy.protocols#rpcv2Cbor";
    // ---- one test per case
    let mut tests: Vec<(usize, String)> = Vec::new(); // (case index, fn text)
    for (i, case) in cases.iter().enumerate() {
        if let Some(why) = bad_ops.get(short(&case.op)) {
            failed.push((case.label(), format!("codegen fails for the operation: {}", first_lines(why, 3))));
            continue;
        }
        match emit_case(&krate, case, rules_from.is_some()) {
            Ok(t) => tests.push((i, t)),
            Err(why) => failed.push((case.label(), format!("cannot emit the test: {why}"))),
        }
    }

    if let Err(e) = prepare_manifest(root, &out) {
        return fail_all(name, e);
    }

    // ---- build, dropping the cases the compiler rejects
    let build_started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut round = 0;
    loop {
        round += 1;
        let (file, ranges) =
            render_file(&tests, &crate_name.replace('-', "_"), cbor, krate.service.protocol.xml_codec());
        if let Err(e) = std::fs::create_dir_all(out.join("tests"))
            .and_then(|()| std::fs::write(out.join("tests/protocol.rs"), &file))
        {
            return fail_all(name, format!("cannot write tests/protocol.rs: {e}"));
        }
        let output = Command::new(&cargo)
            .args(["test", "--no-run", "--quiet", "--message-format", "json", "--test", "protocol", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target"))
            .output();
        let output = match output {
            Ok(o) => o,
            Err(e) => return fail_all(name, format!("could not run cargo: {e}")),
        };
        if output.status.success() {
            break;
        }
        let errors = compiler_errors(&String::from_utf8_lossy(&output.stdout));
        let mut lib_errors: Vec<(String, usize, String)> = Vec::new();
        let mut per_case: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        let mut unattributed = Vec::new();
        for (file_name, line, msg) in &errors {
            if file_name.ends_with("tests/protocol.rs") {
                match ranges.iter().position(|(s, e)| (*s..=*e).contains(line)) {
                    Some(pos) => per_case.entry(pos).or_default().push(msg.clone()),
                    None => unattributed.push(format!("tests/protocol.rs:{line}: {msg}")),
                }
            } else {
                lib_errors.push((file_name.clone(), *line, msg.clone()));
            }
        }
        if !lib_errors.is_empty() {
            let total = lib_errors.len();
            // Errors inside `src/operation/<module>.rs` only: leave those operations out and retry.
            let modules: BTreeSet<String> = lib_errors
                .iter()
                .filter_map(|(f, _, _)| {
                    f.split("src/operation/").nth(1).and_then(|m| m.strip_suffix(".rs")).map(str::to_owned)
                })
                .collect();
            let all_in_ops =
                lib_errors.iter().all(|(f, _, _)| f.contains("src/operation/")) && !modules.contains("mod");
            let shown: Vec<String> = lib_errors.iter().take(5).map(|(f, l, m)| format!("{f}:{l}: {m}")).collect();
            if all_in_ops && round <= 8 {
                let mut excluded = Vec::new();
                for m in &modules {
                    if let Some(op) = krate.operations.iter().find(|o| &o.module == m) {
                        let errs: Vec<String> = lib_errors
                            .iter()
                            .filter(|(f, _, _)| f.ends_with(&format!("src/operation/{m}.rs")))
                            .take(3)
                            .map(|(f, l, msg)| format!("{f}:{l}: {msg}"))
                            .collect();
                        bad_ops
                            .insert(op.name.clone(), format!("generated code does not compile: {}", errs.join(" | ")));
                        excluded.push(op.id.clone());
                    }
                }
                println!("  {name}: build round {round}: the generated code of {} operations does not compile; leaving them out", excluded.len());
                let mut keep = Vec::new();
                for (i, t) in std::mem::take(&mut tests) {
                    if excluded.contains(&cases[i].op) {
                        failed.push((cases[i].label(), bad_ops[short(&cases[i].op)].clone()));
                    } else {
                        keep.push((i, t));
                    }
                }
                tests = keep;
                let remaining: Vec<String> =
                    krate.operations.iter().filter(|o| !excluded.contains(&o.id)).map(|o| o.name.clone()).collect();
                if let Err(e) = gen(Some(remaining)).and_then(|()| prepare_manifest(root, &out)) {
                    return fail_all(
                        name,
                        format!("regenerating without the operations that do not compile failed: {e}"),
                    );
                }
                continue;
            }
            let why = format!("the generated crate does not compile ({total} errors): {}", shown.join(" | "));
            for (i, _) in &tests {
                failed.push((cases[*i].label(), why.clone()));
            }
            println!("  {name}: {why}");
            tests.clear();
            break;
        }
        if per_case.is_empty() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let why = if unattributed.is_empty() {
                format!("cargo test --no-run failed: {}", first_lines(&stderr, 20))
            } else {
                unattributed.join(" | ")
            };
            return Report {
                name,
                passed: 0,
                failed: vec![(format!("{name} suite"), format!("harness bug: {why}"))],
                skipped,
            };
        }
        println!(
            "  {name}: build round {round}: {} cases do not compile; dropping them and rebuilding",
            per_case.len()
        );
        let drop: BTreeSet<usize> = per_case.keys().copied().collect();
        for (pos, msgs) in per_case {
            let case = &cases[tests[pos].0];
            failed.push((
                case.label(),
                format!("test does not compile: {}", msgs.into_iter().take(2).collect::<Vec<_>>().join(" | ")),
            ));
        }
        tests = tests.into_iter().enumerate().filter(|(pos, _)| !drop.contains(pos)).map(|(_, t)| t).collect();
        if round > 8 {
            return fail_all(name, "the test file still does not compile after 8 rounds".into());
        }
    }
    println!(
        "  {name}: built the service crate and its {} tests in {:.1} s ({round} build rounds)",
        tests.len(),
        build_started.elapsed().as_secs_f64()
    );

    // ---- run
    let mut passed = 0;
    if !tests.is_empty() {
        let output = Command::new(&cargo)
            .args(["test", "--test", "protocol", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(root.join("target"))
            .args(["--", "--test-threads=2"])
            .env("RUST_BACKTRACE", "0")
            .output();
        let output = match output {
            Ok(o) => o,
            Err(e) => return fail_all(name, format!("could not run cargo test: {e}")),
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        let (ok, bad) = parse_test_output(&stdout);
        let by_fn: BTreeMap<String, usize> = tests.iter().map(|(i, _)| (cases[*i].fn_name(), *i)).collect();
        for (f, i) in &by_fn {
            if ok.contains(f) {
                passed += 1;
            } else if let Some(why) = bad.get(f) {
                failed.push((cases[*i].label(), why.clone()));
            } else {
                failed.push((
                    cases[*i].label(),
                    format!(
                        "no result in the test output (exit {}): {}",
                        output.status,
                        first_lines(&String::from_utf8_lossy(&output.stderr), 5)
                    ),
                ));
            }
        }
    }
    failed.sort();
    let total = passed + failed.len();
    println!("  {name}: {passed}/{total} passed ({} skipped)", skipped.len());
    Report { name, passed, failed, skipped }
}

pub(super) fn first_lines(s: &str, n: usize) -> String {
    s.lines().filter(|l| !l.trim().is_empty()).take(n).collect::<Vec<_>>().join(" / ")
}

/// Operations whose input or output has a member targeting a `@streaming` union.
pub(super) fn event_stream_operations(shapes: &serde_json::Map<String, Value>) -> BTreeSet<String> {
    let streaming_struct = |id: Option<&str>| {
        let Some(s) = id.and_then(|id| shapes.get(id)) else { return false };
        s.get("members").and_then(Value::as_object).is_some_and(|m| {
            m.values().any(|mm| {
                let t = mm.get("target").and_then(Value::as_str).and_then(|t| shapes.get(t));
                t.is_some_and(|t| {
                    t.get("type").and_then(Value::as_str) == Some("union")
                        && t.pointer("/traits/smithy.api#streaming").is_some()
                })
            })
        })
    };
    shapes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("operation"))
        .filter(|(_, s)| {
            streaming_struct(s.pointer("/input/target").and_then(Value::as_str))
                || streaming_struct(s.pointer("/output/target").and_then(Value::as_str))
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// Adds the dev-dependencies the tests need (same runtime path as the crate's dependency) and
/// seeds the lock file from the workspace so no dependency is re-resolved.
fn prepare_manifest(root: &Path, out: &Path) -> Result<(), String> {
    let path = out.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let runtime = text
        .lines()
        .find(|l| l.trim_start().starts_with("awslim-runtime"))
        .ok_or("the generated Cargo.toml has no awslim-runtime dependency")?;
    if !text.contains("[dev-dependencies]") {
        let mut t = text.clone();
        if !t.ends_with('\n') {
            t.push('\n');
        }
        // `[workspace]` (standalone crates) must stay a table of its own: append after it.
        write!(
            t,
            "\n[dev-dependencies]\n{runtime}\ntokio = {{ version = \"1\", default-features = false, features = [\"rt\", \"macros\", \"time\"] }}\nserde_json = \"1\"\n"
        )
        .ok();
        // rpcv2Cbor suites compare CBOR bodies decoded (`CBOR_PRELUDE`), half floats included.
        if text.contains("\"rpcv2-cbor\"") {
            t.push_str("minicbor = { version = \"2\", default-features = false, features = [\"alloc\", \"half\"] }\n");
        }
        std::fs::write(&path, t).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let lock = out.join("Cargo.lock");
    if !lock.exists() {
        let _ = std::fs::copy(root.join("Cargo.lock"), &lock);
    }
    Ok(())
}

/// (file, line, first line of the rendered message) of each compiler error.
pub(super) fn compiler_errors(stdout: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for line in stdout.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        if v.get("reason").and_then(Value::as_str) != Some("compiler-message") {
            continue;
        }
        let Some(msg) = v.get("message") else { continue };
        if msg.get("level").and_then(Value::as_str) != Some("error") {
            continue;
        }
        let text = msg.get("message").and_then(Value::as_str).unwrap_or("").to_owned();
        let spans = msg.get("spans").and_then(Value::as_array).cloned().unwrap_or_default();
        let span = spans.iter().find(|s| s.get("is_primary").and_then(Value::as_bool) == Some(true)).or(spans.first());
        let Some(span) = span else {
            if !text.starts_with("aborting") && !text.contains("due to") {
                out.push(("(none)".into(), 0, text));
            }
            continue;
        };
        let file = span.get("file_name").and_then(Value::as_str).unwrap_or("?").to_owned();
        let line_no = span.get("line_start").and_then(Value::as_u64).unwrap_or(0) as usize;
        let label = span.get("label").and_then(Value::as_str).map(|l| format!(" ({l})")).unwrap_or_default();
        let snippet = span
            .get("text")
            .and_then(Value::as_array)
            .and_then(|t| t.first())
            .and_then(|t| t.get("text"))
            .and_then(Value::as_str)
            .map(|t| format!(" in `{}`", t.trim().chars().take(160).collect::<String>()))
            .unwrap_or_default();
        out.push((file, line_no, format!("{text}{label}{snippet}")));
    }
    out
}

/// Passed test names, and failed test names with their panic message.
pub(super) fn parse_test_output(stdout: &str) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut ok = BTreeSet::new();
    let mut bad = BTreeMap::new();
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("test ") {
            if let Some(n) = rest.strip_suffix(" ... ok") {
                ok.insert(n.trim().to_owned());
            } else if let Some(n) = rest.strip_suffix(" ... FAILED") {
                bad.insert(n.trim().to_owned(), "failed".to_owned());
            }
        }
    }
    // Details: "---- name stdout ----" blocks.
    let mut current: Option<String> = None;
    let mut buf = String::new();
    let flush = |current: &mut Option<String>, buf: &mut String, bad: &mut BTreeMap<String, String>| {
        if let Some(n) = current.take() {
            let msg: Vec<&str> = buf
                .lines()
                .filter(|l| !l.starts_with("thread '") && !l.starts_with("note: run with") && !l.trim().is_empty())
                .collect();
            let mut m = msg.join(" / ");
            if m.len() > 900 {
                let mut cut = 900;
                while !m.is_char_boundary(cut) {
                    cut -= 1;
                }
                m.truncate(cut);
                m.push_str(" ...");
            }
            bad.insert(n, m);
        }
        buf.clear();
    };
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("---- ").and_then(|l| l.strip_suffix(" stdout ----")) {
            flush(&mut current, &mut buf, &mut bad);
            current = Some(n.to_owned());
        } else if line == "failures:" || line.starts_with("test result:") {
            flush(&mut current, &mut buf, &mut bad);
        } else if current.is_some() {
            buf.push_str(line);
            buf.push('\n');
        }
    }
    flush(&mut current, &mut buf, &mut bad);
    (ok, bad)
}

// ---------------------------------------------------------------------------------------------
// The test file

const PRELUDE: &str = r#"// Written by `cargo xtask conformance` from Smithy's protocol tests; not committed.
#![allow(non_snake_case, unused_imports, unused_mut, dead_code, clippy::all)]

use awslim_restjson_protocol as svc;
use awslim_runtime::{Credentials, SdkError, StubTransport};

const TOKEN: &str = "00000000-0000-4000-8000-000000000000";

fn client(stub: &StubTransport, endpoint: &str, validate: bool) -> svc::Client {
    let config = svc::Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .endpoint_url(endpoint)
        .transport(stub.clone())
        .idempotency_token_provider(|| TOKEN.to_owned())
        .max_attempts(1)
        .validate_requests(validate)
        .build();
    svc::Client::new(config)
}

fn client_by_rules(stub: &StubTransport, region: &str, built_ins: &[(&str, bool)], validate: bool) -> svc::Client {
    let mut config = svc::Config::builder()
        .region(region)
        .credentials(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
        .transport(stub.clone())
        .idempotency_token_provider(|| TOKEN.to_owned())
        .max_attempts(1)
        .validate_requests(validate);
    for (name, value) in built_ins {
        config = config.endpoint_built_in(*name, *value);
    }
    svc::Client::new(config.build())
}

/// The frames of an event-stream body (each `[total length][headers length][prelude CRC]...`).
fn split_frames(mut body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while body.len() >= 4 {
        let total = u32::from_be_bytes([body[0], body[1], body[2], body[3]]) as usize;
        assert!(total >= 16 && total <= body.len(), "a frame declares {total} bytes, {} left", body.len());
        out.push(&body[..total]);
        body = &body[total..];
    }
    assert!(body.is_empty(), "{} bytes after the last frame", body.len());
    out
}

/// A frame's headers (name, type and value bytes; sorted: their order carries no meaning) and
/// payload.
fn frame_parts(frame: &[u8]) -> (Vec<(String, u8, Vec<u8>)>, Vec<u8>) {
    let headers_len = u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]) as usize;
    let mut h = &frame[12..12 + headers_len];
    let payload = frame[12 + headers_len..frame.len() - 4].to_vec();
    let mut headers = Vec::new();
    while !h.is_empty() {
        let n = h[0] as usize;
        let name = String::from_utf8(h[1..1 + n].to_vec()).expect("a UTF-8 header name");
        let ty = h[1 + n];
        h = &h[2 + n..];
        let len = match ty {
            0 | 1 => 0,
            2 => 1,
            3 => 2,
            4 => 4,
            5 | 8 => 8,
            6 | 7 => 2 + u16::from_be_bytes([h[0], h[1]]) as usize,
            9 => 16,
            other => panic!("header type {other}"),
        };
        headers.push((name, ty, h[..len].to_vec()));
        h = &h[len..];
    }
    headers.sort();
    (headers, payload)
}

/// Checks a request whose body is an event stream: the messages inside the (signed) envelopes
/// are `expected`, then the empty end envelope.
fn check_sent_events(r: &awslim_runtime::transport::RecordedRequest, expected: &[&[u8]]) {
    assert_eq!(r.header("content-type"), Some("application/vnd.amazon.eventstream"));
    let frames = split_frames(&r.body);
    let signed = r.header("authorization").is_some();
    let messages: Vec<Vec<u8>> = if signed {
        assert_eq!(r.header("x-amz-content-sha256"), Some("STREAMING-AWS4-HMAC-SHA256-EVENTS"));
        let mut inner = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            let (headers, payload) = frame_parts(f);
            let names: Vec<&str> = headers.iter().map(|h| h.0.as_str()).collect();
            assert_eq!(names, [":chunk-signature", ":date"], "envelope {i}");
            if i + 1 == frames.len() {
                assert!(payload.is_empty(), "the stream ends with an empty envelope");
            } else {
                inner.push(payload);
            }
        }
        inner
    } else {
        frames.iter().map(|f| f.to_vec()).collect()
    };
    assert_eq!(messages.len(), expected.len(), "messages sent");
    for (got, want) in messages.iter().zip(expected) {
        assert_eq!(frame_parts(got), frame_parts(want));
    }
}

fn respond(stub: &StubTransport, code: u16, headers: &[(&str, &str)], body: &[u8]) {
    let mut b = awslim_runtime::http::Response::builder().status(code);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    stub.push_response(b.body(awslim_runtime::bytes::Bytes::copy_from_slice(body)).expect("valid response"));
}

struct Expect<'a> {
    method: &'a str,
    uri: &'a str,
    host: Option<&'a str>,
    query: &'a [&'a str],
    forbid_query: &'a [&'a str],
    require_query: &'a [&'a str],
    headers: &'a [(&'a str, &'a str)],
    forbid_headers: &'a [&'a str],
    require_headers: &'a [&'a str],
    /// (expected body, its `bodyMediaType`): JSON is compared as JSON, form bodies as sets of
    /// `key=value` pairs (Smithy does not fix the order of members), anything else byte for byte.
    body: Option<(&'a [u8], &'a str)>,
}

fn upper_hex(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push('%');
            out.push((b[i + 1] as char).to_ascii_uppercase());
            out.push((b[i + 2] as char).to_ascii_uppercase());
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn check_request<T: std::fmt::Debug, E: std::fmt::Debug>(stub: &StubTransport, result: &Result<T, E>, e: Expect<'_>) {
    let requests = stub.take_requests();
    let Some(r) = requests.first() else {
        panic!("no request was sent; the call returned {:?}", result);
    };
    let mut problems: Vec<String> = Vec::new();
    if r.method.as_str() != e.method {
        problems.push(format!("method: expected {}, got {}", e.method, r.method));
    }
    if r.uri.path() != e.uri {
        problems.push(format!("path: expected {:?}, got {:?}", e.uri, r.uri.path()));
    }
    if let Some(h) = e.host {
        let got = r.uri.authority().map(|a| a.as_str().to_owned()).unwrap_or_default();
        if got != h {
            problems.push(format!("host: expected {:?}, got {:?}", h, got));
        }
    }
    let query: Vec<String> = r.uri.query().unwrap_or("").split('&').filter(|s| !s.is_empty()).map(upper_hex).collect();
    let keys: Vec<String> = query.iter().map(|q| q.split('=').next().unwrap_or("").to_owned()).collect();
    for q in e.query {
        if !query.contains(&upper_hex(q)) {
            problems.push(format!("query param {:?} missing (query: {:?})", q, r.uri.query().unwrap_or("")));
        }
    }
    for k in e.forbid_query {
        if keys.iter().any(|x| x == k) {
            problems.push(format!("forbidden query param {:?} present (query: {:?})", k, r.uri.query().unwrap_or("")));
        }
    }
    for k in e.require_query {
        if !keys.iter().any(|x| x == k) {
            problems.push(format!("required query param {:?} absent (query: {:?})", k, r.uri.query().unwrap_or("")));
        }
    }
    for (k, v) in e.headers {
        let got: Vec<&str> = r.headers.get_all(*k).iter().map(|v| v.to_str().unwrap_or("<non-utf8>")).collect();
        if got.is_empty() {
            problems.push(format!("header {}: expected {:?}, absent", k, v));
        } else if got.join(", ") != *v {
            problems.push(format!("header {}: expected {:?}, got {:?}", k, v, got.join(", ")));
        }
    }
    for k in e.forbid_headers {
        if let Some(v) = r.headers.get(*k) {
            problems.push(format!("forbidden header {} present ({:?})", k, v));
        }
    }
    for k in e.require_headers {
        if !r.headers.contains_key(*k) {
            problems.push(format!("required header {} absent", k));
        }
    }
    if let Some((body, media_type)) = e.body {
        let json = media_type.contains("json");
        let form = |b: &[u8]| {
            let mut pairs: Vec<String> = String::from_utf8_lossy(b).split('&').filter(|p| !p.is_empty()).map(str::to_owned).collect();
            pairs.sort();
            pairs
        };
        if body.is_empty() {
            if !r.body.is_empty() {
                problems.push(format!("body: expected empty, got {:?}", String::from_utf8_lossy(&r.body)));
            }
        } else if json {
            let want: serde_json::Value = serde_json::from_slice(body).expect("the case's body is JSON");
            match serde_json::from_slice::<serde_json::Value>(&r.body) {
                Ok(got) if json_eq(&got, &want) => {}
                Ok(got) => {
                    let mut diffs = Vec::new();
                    json_diff("", &want, &got, &mut diffs);
                    problems.push(format!("JSON body differs: {}", diffs.join("; ")));
                }
                Err(_) => problems.push(format!("JSON body: expected {}, got non-JSON {:?}", want, String::from_utf8_lossy(&r.body))),
            }
        } else if media_type == "application/cbor" {
            if let Some(problem) = cbor_body_problem(body, &r.body) {
                problems.push(problem);
            }
        } else if media_type.contains("xml") {
            if let Err(diff) = xml_body_eq(body, &r.body) {
                problems.push(diff);
            }
        } else if media_type == "application/x-www-form-urlencoded" {
            if form(&r.body) != form(body) {
                problems.push(format!("form body: expected {:?}, got {:?}", String::from_utf8_lossy(body), String::from_utf8_lossy(&r.body)));
            }
        } else if &r.body[..] != body {
            problems.push(format!("body: expected {:?}, got {:?}", String::from_utf8_lossy(body), String::from_utf8_lossy(&r.body)));
        }
    }
    if !problems.is_empty() {
        panic!("{}", problems.join("; "));
    }
}

/// JSON equality with numbers compared by value (`1` == `1.0`).
fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (V::Array(x), V::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y)),
        (V::Object(x), V::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w))),
        _ => a == b,
    }
}

/// The differences between two JSON values, by path.
fn json_diff(path: &str, want: &serde_json::Value, got: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value as V;
    match (want, got) {
        (V::Object(w), V::Object(g)) => {
            for (k, v) in w {
                match g.get(k) {
                    Some(x) => json_diff(&format!("{path}/{k}"), v, x, out),
                    None => out.push(format!("missing {path}/{k} (expected {v})")),
                }
            }
            for (k, v) in g {
                if !w.contains_key(k) {
                    out.push(format!("unexpected {path}/{k} = {v}"));
                }
            }
        }
        (V::Array(w), V::Array(g)) if w.len() == g.len() => {
            for (i, (v, x)) in w.iter().zip(g).enumerate() {
                json_diff(&format!("{path}/{i}"), v, x, out);
            }
        }
        _ => {
            if !json_eq(want, got) {
                out.push(format!("{}: expected {}, got {}", if path.is_empty() { "/" } else { path }, want, got));
            }
        }
    }
}

fn same<T: PartialEq + std::fmt::Debug>(got: T, expected: T, by_debug: bool) {
    let (g, w) = (format!("{:?}", got), format!("{:?}", expected));
    let equal = if by_debug { g == w } else { got == expected };
    if !equal {
        // Show where the Debug texts first differ.
        let gc: Vec<char> = g.chars().collect();
        let wc: Vec<char> = w.chars().collect();
        let common = gc.iter().zip(&wc).take_while(|(a, b)| a == b).count();
        let from = common.saturating_sub(70);
        let snip = |c: &[char]| -> String { c[from.min(c.len())..(common + 90).min(c.len())].iter().collect() };
        let name: String = w.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        panic!("parsed {} differs: got ...{}... expected ...{}...", name, snip(&gc), snip(&wc));
    }
}
"#;

/// The CBOR body comparison of rpcv2Cbor suites: both bodies decoded with `minicbor` into a
/// JSON view that keeps what CBOR distinguishes (byte strings as `{"$bytes": [..]}`, tags as
/// `{"$tag": n, "$value": v}`, NaN and the infinities as strings), then compared as JSON (map
/// order and definite/indefinite lengths may differ; numbers compare by value).
const CBOR_PRELUDE: &str = r#"
fn cbor_view(d: &mut minicbor::Decoder<'_>) -> Result<serde_json::Value, String> {
    use minicbor::data::Type;
    use serde_json::{json, Value};
    let e = |e: minicbor::decode::Error| e.to_string();
    let float = |f: f64| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or_else(|| Value::String(if f.is_nan() { "NaN".into() } else if f > 0.0 { "Infinity".into() } else { "-Infinity".into() }));
    let at_break = |d: &mut minicbor::Decoder<'_>| -> Result<bool, String> {
        if d.datatype().map_err(e)? == Type::Break { d.set_position(d.position() + 1); Ok(true) } else { Ok(false) }
    };
    Ok(match d.datatype().map_err(e)? {
        Type::Bool => Value::Bool(d.bool().map_err(e)?),
        Type::Null | Type::Undefined => { d.skip().map_err(e)?; Value::Null }
        Type::U8 | Type::U16 | Type::U32 | Type::U64 => json!(d.u64().map_err(e)?),
        Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => json!(i128::from(d.int().map_err(e)?) as i64),
        Type::F16 => float(f64::from(d.f16().map_err(e)?)),
        Type::F32 => float(f64::from(d.f32().map_err(e)?)),
        Type::F64 => float(d.f64().map_err(e)?),
        Type::Bytes | Type::BytesIndef => {
            let mut out = Vec::new();
            for c in d.bytes_iter().map_err(e)? { out.extend_from_slice(c.map_err(e)?); }
            json!({ "$bytes": out })
        }
        Type::String | Type::StringIndef => {
            let mut out = String::new();
            for c in d.str_iter().map_err(e)? { out.push_str(c.map_err(e)?); }
            Value::String(out)
        }
        Type::Tag => { let tag = u64::from(d.tag().map_err(e)?); json!({ "$tag": tag, "$value": cbor_view(d)? }) }
        Type::Array | Type::ArrayIndef => {
            let len = d.array().map_err(e)?;
            let mut items = Vec::new();
            while match len { Some(n) => (items.len() as u64) < n, None => !at_break(d)? } { items.push(cbor_view(d)?); }
            Value::Array(items)
        }
        Type::Map | Type::MapIndef => {
            let len = d.map().map_err(e)?;
            let mut members = serde_json::Map::new();
            let mut n = 0u64;
            while match len { Some(l) => n < l, None => !at_break(d)? } {
                n += 1;
                let key = match cbor_view(d)? { Value::String(s) => s, k => k.to_string() };
                members.insert(key, cbor_view(d)?);
            }
            Value::Object(members)
        }
        t => return Err(format!("unexpected {t}")),
    })
}

fn cbor_body_problem(want: &[u8], got: &[u8]) -> Option<String> {
    let view = |b: &[u8]| { let mut d = minicbor::Decoder::new(b); cbor_view(&mut d) };
    let want = view(want).expect("the case's body is CBOR");
    match view(got) {
        Ok(got) if json_eq(&got, &want) => None,
        Ok(got) => {
            let mut diffs = Vec::new();
            json_diff("", &want, &got, &mut diffs);
            Some(format!("CBOR body differs: {}", diffs.join("; ")))
        }
        Err(err) => Some(format!("CBOR body: expected {want}, got undecodable bytes ({err}): {got:?}")),
    }
}
"#;

/// Other suites have no CBOR bodies (and no CBOR decoder among their dev-dependencies).
const NO_CBOR_PRELUDE: &str = r#"
fn cbor_body_problem(_want: &[u8], _got: &[u8]) -> Option<String> {
    Some("a CBOR body in a suite whose crate is not rpcv2Cbor".to_owned())
}
"#;

/// XML bodies compared as trees (`bodyMediaType: application/xml`): element names, attributes
/// as sets, text without surrounding whitespace, children in order. Only for XML protocols,
/// whose runtime has the XML reader.
const XML_COMPARE: &str = r#"
fn xml_body_eq(want: &[u8], got: &[u8]) -> Result<(), String> {
    use awslim_runtime::xml::{parse, Element};
    // A canonical text of an element: attributes sorted, text trimmed, and children sorted by
    // name (structure members have no order), keeping the order of same-named siblings (list
    // items) except map entries (`entry`, or elements holding exactly a key and a value), whose
    // order Smithy does not fix either.
    fn canon(e: &Element) -> String {
        let mut attrs = e.attributes.clone();
        attrs.sort();
        let mut children: Vec<(String, String)> = e.children.iter().map(|c| (c.name.clone(), canon(c))).collect();
        children.sort_by(|a, b| a.0.cmp(&b.0));
        let mut i = 0;
        while i < children.len() {
            let j = children[i..].iter().position(|c| c.0 != children[i].0).map_or(children.len(), |k| i + k);
            let run: Vec<&Element> = e.children.iter().filter(|c| c.name == children[i].0).collect();
            let is_map = run.iter().all(|c| c.name == "entry" || c.children.len() == 2);
            if is_map {
                children[i..j].sort();
            }
            i = j;
        }
        let inner: String = children.into_iter().map(|c| c.1).collect();
        format!("<{}{}>{}{}</{}>", e.name, attrs.iter().map(|(k, v)| format!(" {k}={v:?}")).collect::<String>(), e.text.trim(), inner, e.name)
    }
    let w = parse(want).map_err(|e| format!("the case's XML body does not parse: {}", e.message()))?;
    let g = parse(got).map_err(|e| format!("XML body: expected {:?}, got unreadable {:?} ({})", String::from_utf8_lossy(want), String::from_utf8_lossy(got), e.message()))?;
    let (cw, cg) = (canon(&w), canon(&g));
    if cw == cg { Ok(()) } else { Err(format!("XML body differs (canonical forms): expected {cw}, got {cg}")) }
}
"#;

/// For suites whose runtime has no XML reader: XML bodies compared byte for byte.
const XML_COMPARE_BYTES: &str = r#"
fn xml_body_eq(want: &[u8], got: &[u8]) -> Result<(), String> {
    if want == got { Ok(()) } else { Err(format!("body: expected {:?}, got {:?}", String::from_utf8_lossy(want), String::from_utf8_lossy(got))) }
}
"#;

fn render_file(tests: &[(usize, String)], crate_ident: &str, cbor: bool, xml: bool) -> (String, Vec<(usize, usize)>) {
    let mut file = PRELUDE.replace("awslim_restjson_protocol", crate_ident);
    file.push_str(if cbor { CBOR_PRELUDE } else { NO_CBOR_PRELUDE });
    file.push_str(if xml { XML_COMPARE } else { XML_COMPARE_BYTES });
    let mut ranges = Vec::new();
    for (_, t) in tests {
        file.push('\n');
        let start = file.lines().count() + 1;
        file.push_str(t);
        let end = file.lines().count();
        ranges.push((start, end));
    }
    (file, ranges)
}

fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn str_list(v: Option<&Value>) -> String {
    let items: Vec<String> =
        v.and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(lit).collect()).unwrap_or_default();
    format!("&[{}]", items.join(", "))
}

fn emit_case(krate: &Crate, case: &Case, rules: bool) -> Result<String, String> {
    let op = krate
        .operations
        .iter()
        .find(|o| o.id == case.op)
        .ok_or_else(|| format!("operation {} is not in the IR", case.op))?;
    let c = &case.json;
    let params = c.get("params").cloned().unwrap_or(Value::Object(Default::default()));
    let b = Builder { krate };
    let mut t = String::new();
    writeln!(t, "/// {}", case.id).ok();
    writeln!(t, "#[tokio::test]").ok();
    writeln!(t, "async fn {}() {{", case.fn_name()).ok();
    writeln!(t, "    let stub = StubTransport::new();").ok();
    match case.kind {
        Kind::Request => {
            let host = c.get("host").and_then(Value::as_str);
            let endpoint = format!("https://{}", host.unwrap_or("example.com"));
            writeln!(t, "    stub.push_json(200, \"{{}}\");").ok();
            if rules {
                let (region, built_ins) = vendor_config(c);
                writeln!(
                    t,
                    "    let client = client_by_rules(&stub, {}, &[{}], {VALIDATE_REQUESTS});",
                    lit(&region),
                    built_ins.join(", ")
                )
                .ok();
            } else {
                writeln!(t, "    let client = client(&stub, {}, {VALIDATE_REQUESTS});", lit(&endpoint)).ok();
            }
            let call = match &op.input {
                Some(input) => {
                    let s = krate.find_struct(input).ok_or_else(|| format!("input {input} not in the IR"))?;
                    let expr = b.structure(s, &params, false)?;
                    writeln!(t, "    let input = {expr};").ok();
                    format!("client.{}(input)", op.module)
                }
                None => format!("client.{}()", op.module),
            };
            writeln!(t, "    let result = {call}.await;").ok();
            let expected_host = c
                .get("resolvedHost")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| host.map(|h| h.split('/').next().unwrap_or(h).to_owned()));
            let headers: Vec<String> = c
                .get("headers")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or("")))).collect())
                .unwrap_or_default();
            let body = match c.get("body").and_then(Value::as_str) {
                None => "None".to_owned(),
                Some(body) => {
                    let media_type = c.get("bodyMediaType").and_then(Value::as_str).unwrap_or("");
                    format!("Some(({}, {}))", body_bytes(c, body)?, lit(media_type))
                }
            };
            let uri = c.get("uri").and_then(Value::as_str).unwrap_or("/");
            writeln!(
                t,
                "    check_request(&stub, &result, Expect {{ method: {}, uri: {}, host: {}, query: {}, forbid_query: {}, require_query: {}, headers: &[{}], forbid_headers: {}, require_headers: {}, body: {} }});",
                lit(c.get("method").and_then(Value::as_str).unwrap_or("")),
                lit(uri),
                expected_host.map_or("None".to_owned(), |h| format!("Some({})", lit(&h))),
                str_list(c.get("queryParams")),
                str_list(c.get("forbidQueryParams")),
                str_list(c.get("requireQueryParams")),
                headers.join(", "),
                str_list(c.get("forbidHeaders")),
                str_list(c.get("requireHeaders")),
                body
            )
            .ok();
        }
        Kind::EventResponse => emit_event_case(&b, op, c, &mut t)?,
        Kind::EventRequest => emit_event_request_case(&b, op, c, &mut t)?,
        Kind::Response => {
            let code = c.get("code").and_then(Value::as_u64).unwrap_or(200);
            let headers: Vec<String> = c
                .get("headers")
                .and_then(Value::as_object)
                .map(|m| m.iter().map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or("")))).collect())
                .unwrap_or_default();
            let body = body_bytes(c, c.get("body").and_then(Value::as_str).unwrap_or(""))?;
            writeln!(t, "    respond(&stub, {code}, &[{}], {body});", headers.join(", ")).ok();
            writeln!(t, "    let client = client(&stub, \"https://example.com\", false);").ok();
            let call = match &op.input {
                Some(input) => {
                    let s = krate.find_struct(input).ok_or_else(|| format!("input {input} not in the IR"))?;
                    let expr = b.structure(s, &Value::Object(Default::default()), false)?;
                    writeln!(t, "    let input = {expr};").ok();
                    format!("client.{}(input)", op.module)
                }
                None => format!("client.{}()", op.module),
            };
            writeln!(t, "    let result = {call}.await;").ok();
            let nan = has_nan(&params);
            match &case.error {
                None => match &op.output {
                    Some(output) => {
                        let s = krate.find_struct(output).ok_or_else(|| format!("output {output} not in the IR"))?;
                        let expr = b.structure(s, &params, true)?;
                        writeln!(t, "    let expected = {expr};").ok();
                        writeln!(t, "    match result {{").ok();
                        match s.streaming_member() {
                            // Not `PartialEq`: the bodies are compared as read, the rest by `Debug`.
                            Some(f) => writeln!(
                                t,
                                "        Ok(mut out) => {{ let mut expected = expected; {} {} assert_eq!(got.collect(u64::MAX).await.unwrap(), want.collect(u64::MAX).await.unwrap(), \"streaming body\"); same(format!(\"{{:?}}\", out.with_request_id(None)), format!(\"{{:?}}\", expected), true) }}",
                                take_stream("got", "out", f),
                                take_stream("want", "expected", f)
                            )
                            .ok(),
                            None => writeln!(t, "        Ok(out) => same(out.with_request_id(None), expected, {nan}),").ok(),
                        };
                        writeln!(t, "        Err(e) => panic!(\"the call failed: {{:?}}\", e),").ok();
                        writeln!(t, "    }}").ok();
                    }
                    None => {
                        writeln!(t, "    if let Err(e) = result {{ panic!(\"the call failed: {{:?}}\", e); }}").ok();
                    }
                },
                Some(error) => {
                    let s = krate
                        .structs
                        .iter()
                        .find(|s| &s.id == error)
                        .ok_or_else(|| format!("error {error} not in the IR"))?;
                    let expr = b.structure(s, &params, true)?;
                    // The error code callers see (e.g. an awsQueryCompatible service's awsQuery code).
                    let code_check = c.pointer("/vendorParams/code").and_then(Value::as_str).map_or(String::new(), |code| {
                        format!("assert_eq!(awslim_runtime::ProvideErrorMetadata::meta(&e).code(), Some({}), \"error code\"); ", lit(code))
                    });
                    writeln!(t, "    let expected = {expr};").ok();
                    writeln!(t, "    match result {{").ok();
                    writeln!(
                        t,
                        "        Err(SdkError::Service {{ error: svc::operation::{}::{}::{}(e), .. }}) => {{ {code_check}same(e.with_meta(Default::default()), expected, {nan}) }}",
                        op.module, op.error_name, s.name
                    )
                    .ok();
                    writeln!(t, "        Err(e) => panic!(\"expected the {} error, got {{:?}}\", e),", s.name).ok();
                    writeln!(t, "        Ok(out) => panic!(\"expected the {} error, got Ok({{:?}})\", out),", s.name)
                        .ok();
                    writeln!(t, "    }}").ok();
                }
            }
        }
    }
    t.push_str("}\n");
    Ok(t)
}

/// A `&[u8]` expression of a case's body: its text, or for CBOR (given as base64) its bytes.
fn body_bytes(case: &Value, body: &str) -> Result<String, String> {
    use base64::Engine as _;
    if case.get("bodyMediaType").and_then(Value::as_str) != Some("application/cbor") {
        return Ok(format!("{}.as_bytes()", lit(body)));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("the case's CBOR body is not base64: {e}"))?;
    Ok(format!("&{bytes:?}[..]"))
}

/// The region and endpoint built-ins (`("AWS::S3::ForcePathStyle", true)`, ...) of a case's
/// `vendorParams` (`aws.protocoltests.config#AwsConfig`): the client's scoped configuration,
/// then the operation's over it.
fn vendor_config(c: &Value) -> (String, Vec<String>) {
    let mut region = "us-east-1".to_owned();
    let mut flags: BTreeMap<&str, bool> = BTreeMap::new();
    for scope in ["client", "operation"] {
        let Some(cfg) = c.pointer(&format!("/vendorParams/scopedConfig/{scope}")) else { continue };
        if let Some(r) = cfg.get("region").and_then(Value::as_str) {
            region = r.to_owned();
        }
        let s3 = cfg.get("s3");
        if let Some(style) = s3.and_then(|s| s.get("addressing_style")).and_then(Value::as_str) {
            flags.insert("AWS::S3::ForcePathStyle", style == "path");
        }
        for (key, built_in) in
            [("use_accelerate_endpoint", "AWS::S3::Accelerate"), ("use_dualstack_endpoint", "AWS::UseDualStack")]
        {
            if let Some(v) = s3.and_then(|s| s.get(key)).and_then(Value::as_bool) {
                flags.insert(built_in, v);
            }
        }
    }
    (region, flags.into_iter().map(|(k, v)| format!("({}, {v})", lit(k))).collect())
}

/// `let {var} = <the streaming member of {from}, moved out>;`
fn take_stream(var: &str, from: &str, f: &ir::Field) -> String {
    let name = &f.name;
    if f.presence == ir::Presence::Optional {
        format!("let {var} = {from}.{name}.take().unwrap_or_default();")
    } else {
        format!("let {var} = ::std::mem::take(&mut {from}.{name});")
    }
}

/// The body of a client-to-server event-stream case: the input (its initial-request members and
/// the case's events) is sent to a stub; the request head is checked against `initialRequest`,
/// and the body's messages (inside their signed envelopes) against the case's messages, header
/// by header (in any order) and payload byte for byte.
fn emit_event_request_case(b: &Builder<'_>, op: &ir::Operation, c: &Value, t: &mut String) -> Result<(), String> {
    use base64::Engine as _;
    let krate = b.krate;
    let input = op.input.as_ref().and_then(|i| krate.find_struct(i)).ok_or("no input")?;
    let stream = input
        .fields
        .iter()
        .find(|f| matches!(f.value.ty, Type::EventSender(_)))
        .ok_or("the input has no event stream")?;
    let Type::EventSender(union) = &stream.value.ty else { return Err("not an event stream".into()) };
    let streams_back = op
        .output
        .as_ref()
        .and_then(|o| krate.find_struct(o))
        .is_some_and(|o| o.fields.iter().any(|f| matches!(f.value.ty, Type::EventStream(_))));
    let mut head: Vec<String> = Vec::new();
    if streams_back {
        head.push("(\"content-type\", \"application/vnd.amazon.eventstream\")".to_owned());
    }
    // The case checks only the request; the stub's answer still carries every required member
    // of the initial response (a header), or the client rightly fails the call.
    let output = op.output.as_ref().and_then(|o| krate.find_struct(o));
    for f in output.into_iter().flat_map(|o| &o.fields).filter(|f| f.presence == Presence::Required) {
        let ir::HttpBinding::Header(name) = &f.http else { continue };
        let value = match f.value.ty {
            Type::Bool => "false",
            Type::Byte | Type::Short | Type::Integer | Type::Long | Type::Float | Type::Double | Type::IntEnum(_) => {
                "0"
            }
            Type::Timestamp(_) => "Thu, 01 Jan 1970 00:00:00 GMT",
            _ => "x",
        };
        head.push(format!("({}, {})", lit(name), lit(value)));
    }
    writeln!(t, "    respond(&stub, 200, &[{}], b\"\");", head.join(", ")).ok();
    writeln!(t, "    let client = client(&stub, \"https://example.com\", false);").ok();
    let events = c.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut values = Vec::new();
    let mut expected = Vec::new();
    for e in &events {
        let params = e.get("params").ok_or("an event without params")?;
        values.push(b.value(&ValueType { ty: Type::Union(union.clone()), ..stream.value.clone() }, params)?);
        let bytes = e.get("bytes").and_then(Value::as_str).ok_or("an event without bytes")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(bytes).map_err(|e| format!("bytes: {e}"))?;
        expected.push(format!("&[{}]", bytes.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")));
    }
    let params = c.get("initialRequestParams").cloned().unwrap_or_else(|| Value::Object(Default::default()));
    writeln!(t, "    let mut input = {};", b.structure(input, &params, false)?).ok();
    let sender =
        format!("awslim_runtime::event_stream::EventStreamSender::from_events(::std::vec![{}])", values.join(", "));
    let sender = if stream.presence == Presence::Optional { format!("Some({sender})") } else { sender };
    writeln!(t, "    input.{} = {sender};", stream.name).ok();
    writeln!(t, "    let result = client.{}(input).await;", op.module).ok();
    writeln!(t, "    let requests = stub.take_requests();").ok();
    writeln!(t, "    let r = requests.first().unwrap_or_else(|| panic!(\"no request was sent: {{:?}}\", result.as_ref().map(|_| ())));").ok();
    if let Some(initial) = c.get("initialRequest") {
        let method = initial.get("method").and_then(Value::as_str).unwrap_or("POST");
        let uri = initial.get("uri").and_then(Value::as_str).unwrap_or("/");
        writeln!(t, "    assert_eq!(r.method.as_str(), {});", lit(method)).ok();
        writeln!(t, "    assert_eq!(r.uri.path(), {});", lit(uri)).ok();
        for (k, v) in initial.get("headers").and_then(Value::as_object).into_iter().flatten() {
            writeln!(t, "    assert_eq!(r.header({}), Some({}));", lit(k), lit(v.as_str().unwrap_or(""))).ok();
        }
    }
    writeln!(t, "    check_sent_events(r, &[{}]);", expected.join(", ")).ok();
    writeln!(t, "    result.map(|_| ()).expect(\"the call\");").ok();
    Ok(())
}

/// The body of an event-stream case: the initial response (status, headers, body) or a 200
/// whose body is the case's messages; then the output's members and each event, or the failure.
fn emit_event_case(b: &Builder<'_>, op: &ir::Operation, c: &Value, t: &mut String) -> Result<(), String> {
    use base64::Engine as _;
    let krate = b.krate;
    let initial = c.get("initialResponse");
    let code = initial.and_then(|i| i.get("code")).and_then(Value::as_u64).unwrap_or(200);
    let mut headers: Vec<String> = initial
        .and_then(|i| i.get("headers"))
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| format!("({}, {})", lit(k), lit(v.as_str().unwrap_or("")))).collect())
        .unwrap_or_default();
    let mut body: Vec<u8> =
        initial.and_then(|i| i.get("body")).and_then(Value::as_str).unwrap_or("").as_bytes().to_vec();
    let events = c.get("events").and_then(Value::as_array).cloned().unwrap_or_default();
    for e in &events {
        let bytes = e.get("bytes").and_then(Value::as_str).ok_or("an event without bytes")?;
        body.extend(base64::engine::general_purpose::STANDARD.decode(bytes).map_err(|e| format!("bytes: {e}"))?);
    }
    if !events.is_empty() {
        headers.push("(\"content-type\", \"application/vnd.amazon.eventstream\")".to_owned());
    }
    let bytes: Vec<String> = body.iter().map(u8::to_string).collect();
    writeln!(t, "    respond(&stub, {code}, &[{}], &[{}]);", headers.join(", "), bytes.join(", ")).ok();
    writeln!(t, "    let client = client(&stub, \"https://example.com\", false);").ok();
    let call = match &op.input {
        Some(input) => {
            let s = krate.find_struct(input).ok_or_else(|| format!("input {input} not in the IR"))?;
            writeln!(t, "    let input = {};", b.structure(s, &Value::Object(Default::default()), false)?).ok();
            format!("client.{}(input)", op.module)
        }
        None => format!("client.{}()", op.module),
    };
    let output = op.output.as_ref().and_then(|o| krate.find_struct(o)).ok_or("no output")?;
    let stream = output
        .fields
        .iter()
        .find(|f| matches!(f.value.ty, Type::EventStream(_)))
        .ok_or("the output has no event stream")?;
    let Type::EventStream(union) = &stream.value.ty else { return Err("not an event stream".into()) };
    let u = krate.unions.iter().find(|u| &u.name == union).ok_or("the union is not in the IR")?;
    let failure = c.pointer("/expectation/failure");
    let error_id = failure.and_then(|f| f.get("errorId")).and_then(Value::as_str);
    writeln!(t, "    let result = {call}.await;").ok();
    // A failure before the stream: the operation's modeled error (or any error).
    let head_error = error_id
        .and_then(|id| op.errors.iter().find(|e| krate.structs.iter().any(|s| s.id == id && s.name == e.type_name)));
    if let Some(e) = head_error {
        writeln!(t, "    assert!(matches!(result, Err(SdkError::Service {{ error: svc::operation::{}::{}::{}(_), .. }})), \"{{:?}}\", result.map(|_| ()));", op.module, op.error_name, e.type_name).ok();
        return Ok(());
    }
    let fname = &stream.name;
    let take = if stream.presence == Presence::Optional {
        "out.{f}.take().expect(\"the stream\")"
    } else {
        "::std::mem::take(&mut out.{f})"
    };
    let take = take.replace("{f}", fname);
    if failure.is_some() {
        // Any error: of the call, or of a message.
        writeln!(t, "    let mut out = match result {{ Err(_) => return, Ok(out) => out }};").ok();
        writeln!(t, "    let mut stream = {take};").ok();
        let modeled = match error_id {
            Some(id) => {
                let v = u.variants.iter().find(|v| matches!(&v.value, Some(vt) if matches!(&vt.ty, Type::Struct(n) if krate.structs.iter().any(|s| &s.name == n && s.id == id)))).ok_or_else(|| format!("no member of {union} targets {id}"))?;
                format!("Some(Err(awslim_runtime::event_stream::EventStreamError::Modeled(svc::types::{union}::{}(_)))) => return,", v.name)
            }
            None => "Some(Err(_)) => return,".to_owned(),
        };
        writeln!(t, "    loop {{ match stream.next().await {{ {modeled} None => panic!(\"the stream ended without the expected error\"), Some(other) => {{ let _ = other.map_err(|e| panic!(\"unexpected error {{:?}}\", e)); }} }} }}").ok();
        return Ok(());
    }
    writeln!(t, "    let mut out = result.expect(\"the call\");").ok();
    if let Some(Value::Object(params)) = c.get("initialResponseParams") {
        for (k, v) in params {
            let f = output.fields.iter().find(|f| &f.member == k).ok_or_else(|| format!("no output member {k}"))?;
            let value = b.value(&f.value, v)?;
            let value = if f.presence == Presence::Optional { format!("Some({value})") } else { value };
            writeln!(t, "    same(out.{}.clone(), {value}, false);", f.name).ok();
        }
    }
    writeln!(t, "    let mut stream = {take};").ok();
    for e in &events {
        let params = e.get("params").ok_or("an event without params")?;
        let expected = b.value(&ValueType { ty: Type::Union(union.clone()), ..stream.value.clone() }, params)?;
        writeln!(t, "    match stream.next().await {{ Some(Ok(event)) => same(event, {expected}, false), other => panic!(\"expected an event, got {{:?}}\", other) }}").ok();
    }
    writeln!(t, "    assert!(stream.next().await.is_none(), \"no more events\");").ok();
    Ok(())
}

fn has_nan(v: &Value) -> bool {
    match v {
        Value::String(s) => s == "NaN",
        Value::Array(a) => a.iter().any(has_nan),
        Value::Object(m) => m.values().any(has_nan),
        _ => false,
    }
}

pub(super) struct Builder<'k> {
    pub(super) krate: &'k Crate,
}

impl Builder<'_> {
    fn type_text(&self, v: &ValueType) -> String {
        match &v.ty {
            Type::String => "::std::string::String".into(),
            Type::Bool => "bool".into(),
            Type::Byte => "i8".into(),
            Type::Short => "i16".into(),
            Type::Integer => "i32".into(),
            Type::Long => "i64".into(),
            Type::Float => "f32".into(),
            Type::Double => "f64".into(),
            Type::BigInteger => "::awslim_runtime::BigInteger".into(),
            Type::BigDecimal => "::awslim_runtime::BigDecimal".into(),
            Type::Blob => "::awslim_runtime::Blob".into(),
            Type::ByteStream => "::awslim_runtime::ByteStream".into(),
            Type::Timestamp(_) => "::awslim_runtime::DateTime".into(),
            Type::Document => "::awslim_runtime::Document".into(),
            Type::Enum(n) | Type::IntEnum(n) | Type::Struct(n) | Type::Union(n) => format!("svc::types::{n}"),
            Type::EventStream(n) => format!("::awslim_runtime::event_stream::EventReceiver<svc::types::{n}>"),
            Type::EventSender(n) => format!("::awslim_runtime::event_stream::EventStreamSender<svc::types::{n}>"),
            Type::List { item, sparse } => {
                let t = self.type_text(item);
                if *sparse {
                    format!("::std::vec::Vec<::std::option::Option<{t}>>")
                } else {
                    format!("::std::vec::Vec<{t}>")
                }
            }
            Type::Map { key, value, sparse } => {
                let k = self.type_text(key);
                let v = self.type_text(value);
                if *sparse {
                    format!("::std::collections::BTreeMap<{k}, ::std::option::Option<{v}>>")
                } else {
                    format!("::std::collections::BTreeMap<{k}, {v}>")
                }
            }
        }
    }

    /// A structure built with its builder from `params`; required members missing from `params`
    /// get a filler value (`zero`: the zero value of client error correction, else a dummy that
    /// serializes, for inputs of response tests).
    pub(super) fn structure(&self, s: &ir::Struct, params: &Value, zero: bool) -> Result<String, String> {
        let obj = params.as_object().ok_or_else(|| format!("params for {} are not an object: {params}", s.name))?;
        for k in obj.keys() {
            if !s.fields.iter().any(|f| &f.member == k) {
                return Err(format!("{} has no member {k:?}", s.name));
            }
        }
        let mut out = format!("svc::types::{}::builder()", s.name);
        for f in &s.fields {
            let setter = &f.name;
            match obj.get(&f.member) {
                Some(Value::Null) | None => {
                    if f.presence == Presence::Required {
                        write!(out, ".{setter}({})", self.filler(&f.value, zero)?).ok();
                    }
                }
                Some(v) => {
                    write!(
                        out,
                        ".{setter}({})",
                        self.value(&f.value, v).map_err(|e| format!("{}.{}: {e}", s.name, f.member))?
                    )
                    .ok();
                }
            }
        }
        out.push_str(".build()");
        Ok(out)
    }

    fn filler(&self, v: &ValueType, zero: bool) -> Result<String, String> {
        Ok(match &v.ty {
            Type::String => {
                if zero {
                    "::std::string::String::new()".into()
                } else {
                    "::std::string::String::from(\"filler\")".into()
                }
            }
            Type::Bool => "false".into(),
            Type::Byte => "0i8".into(),
            Type::Short => "0i16".into(),
            Type::Integer => "0i32".into(),
            Type::Long => "0i64".into(),
            Type::Float => "0f32".into(),
            Type::Double => "0f64".into(),
            Type::Timestamp(_) => "::awslim_runtime::DateTime::from_secs(0)".into(),
            Type::Enum(n) => {
                let first = self
                    .krate
                    .enums
                    .iter()
                    .find(|e| &e.name == n)
                    .and_then(|e| e.variants.first())
                    .map(|v| v.value.clone())
                    .unwrap_or_default();
                format!("svc::types::{n}::from({})", lit(if zero { "" } else { &first }))
            }
            Type::IntEnum(n) => format!("svc::types::{n}::from(0i32)"),
            Type::Struct(n) => {
                let s = self.krate.find_struct(n).ok_or_else(|| format!("struct {n} not in the IR"))?;
                self.structure(s, &Value::Object(Default::default()), zero)?
            }
            Type::Union(n) => return Err(format!("no filler for a required union {n}")),
            _ => format!("<{} as ::std::default::Default>::default()", self.type_text(v)),
        })
    }

    fn value(&self, v: &ValueType, val: &Value) -> Result<String, String> {
        let bad = || format!("cannot build {:?} from {val}", v.ty);
        Ok(match (&v.ty, val) {
            (Type::String, Value::String(s)) => format!("::std::string::String::from({})", lit(s)),
            (Type::Bool, Value::Bool(b)) => b.to_string(),
            (Type::Byte, Value::Number(n)) => format!("{}i8", n.as_i64().ok_or_else(bad)?),
            (Type::Short, Value::Number(n)) => format!("{}i16", n.as_i64().ok_or_else(bad)?),
            (Type::Integer, Value::Number(n)) => format!("{}i32", n.as_i64().ok_or_else(bad)?),
            (Type::Long, Value::Number(n)) => format!("{}i64", n.as_i64().ok_or_else(bad)?),
            (Type::Float, Value::Number(n)) => format!("{:?}f32", n.as_f64().ok_or_else(bad)? as f32),
            (Type::Double, Value::Number(n)) => format!("{:?}f64", n.as_f64().ok_or_else(bad)?),
            (Type::Float | Type::Double, Value::String(s)) => {
                let t = if v.ty == Type::Float { "f32" } else { "f64" };
                match s.as_str() {
                    "NaN" => format!("{t}::NAN"),
                    "Infinity" => format!("{t}::INFINITY"),
                    "-Infinity" => format!("{t}::NEG_INFINITY"),
                    _ => return Err(bad()),
                }
            }
            (Type::BigInteger, Value::Number(n)) => {
                format!("::awslim_runtime::BigInteger::new({}).unwrap()", lit(&n.to_string()))
            }
            (Type::BigInteger, Value::String(s)) => format!("::awslim_runtime::BigInteger::new({}).unwrap()", lit(s)),
            (Type::BigDecimal, Value::Number(n)) => {
                format!("::awslim_runtime::BigDecimal::new({}).unwrap()", lit(&n.to_string()))
            }
            (Type::BigDecimal, Value::String(s)) => format!("::awslim_runtime::BigDecimal::new({}).unwrap()", lit(s)),
            (Type::Blob, Value::String(s)) => format!("::awslim_runtime::Blob::new({}.as_bytes().to_vec())", lit(s)),
            (Type::ByteStream, Value::String(s)) => {
                format!("::awslim_runtime::ByteStream::from(::std::string::String::from({}))", lit(s))
            }
            (Type::Timestamp(_), Value::String(s)) => format!(
                "::awslim_runtime::DateTime::parse_wire({}, ::awslim_runtime::TimestampFormat::DateTime).unwrap()",
                lit(s)
            ),
            (Type::Timestamp(_), Value::Number(n)) => match n.as_i64() {
                Some(i) => format!("::awslim_runtime::DateTime::from_secs({i})"),
                None => {
                    format!("::awslim_runtime::DateTime::from_secs_f64({:?}).unwrap()", n.as_f64().ok_or_else(bad)?)
                }
            },
            (Type::Document, any) => {
                format!("::serde_json::from_str::<::awslim_runtime::Document>({}).unwrap()", lit(&any.to_string()))
            }
            (Type::Enum(n), Value::String(s)) => format!("svc::types::{n}::from({})", lit(s)),
            (Type::IntEnum(n), Value::Number(i)) => {
                format!("svc::types::{n}::from({}i32)", i.as_i64().ok_or_else(bad)?)
            }
            (Type::Struct(n), Value::Object(_)) => {
                let s = self.krate.find_struct(n).ok_or_else(|| format!("struct {n} not in the IR"))?;
                self.structure(s, val, true)?
            }
            (Type::Union(n), Value::Object(m)) => {
                let u = self
                    .krate
                    .unions
                    .iter()
                    .find(|u| &u.name == n)
                    .ok_or_else(|| format!("union {n} not in the IR"))?;
                let (k, inner) = match m.iter().next() {
                    Some(kv) if m.len() == 1 => kv,
                    _ => return Err(format!("union {n} value must have exactly one member: {val}")),
                };
                let variant = u
                    .variants
                    .iter()
                    .find(|v| &v.member == k)
                    .ok_or_else(|| format!("union {n} has no member {k:?}"))?;
                match &variant.value {
                    None => format!("svc::types::{n}::{}", variant.name),
                    Some(vt) => {
                        let e = self.value(vt, inner)?;
                        if variant.boxed {
                            format!("svc::types::{n}::{}(::std::boxed::Box::new({e}))", variant.name)
                        } else {
                            format!("svc::types::{n}::{}({e})", variant.name)
                        }
                    }
                }
            }
            (Type::List { item, sparse }, Value::Array(items)) => {
                let mut parts = Vec::new();
                for it in items {
                    parts.push(match (sparse, it) {
                        (true, Value::Null) => "::std::option::Option::None".to_owned(),
                        (true, it) => format!("::std::option::Option::Some({})", self.value(item, it)?),
                        (false, it) => self.value(item, it)?,
                    });
                }
                format!("<{}>::from([{}])", self.type_text(v), parts.join(", "))
            }
            (Type::Map { key, value, sparse }, Value::Object(m)) => {
                let mut parts = Vec::new();
                for (k, it) in m {
                    let kx = self.value(key, &Value::String(k.clone()))?;
                    let vx = match (sparse, it) {
                        (true, Value::Null) => "::std::option::Option::None".to_owned(),
                        (true, it) => format!("::std::option::Option::Some({})", self.value(value, it)?),
                        (false, it) => self.value(value, it)?,
                    };
                    parts.push(format!("({kx}, {vx})"));
                }
                format!("<{}>::from([{}])", self.type_text(v), parts.join(", "))
            }
            _ => return Err(bad()),
        })
    }
}
