//! The generator end to end: snapshots of every generated file, freshness of the checked-in
//! crates, determinism, and clear errors for malformed models.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use awslim_codegen::{CrateOptions, Model, Project, RuntimeDependency, Selection, Source};
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The crates the repository checks in: (name, model file or None for the default, output dir).
const CRATES: &[(&str, Option<&str>, &str)] = &[
    ("connect", None, "generated"),
    ("all_shapes", Some("tests/fixtures/models/all-shapes.json"), "tests/fixture-crates/all-shapes"),
    ("hostile_names", Some("tests/fixtures/models/hostile-names.json"), "tests/fixture-crates/hostile-names"),
    ("http_bindings", Some("tests/fixtures/models/http-bindings.json"), "tests/fixture-crates/http-bindings"),
    ("json_rpc", Some("tests/fixtures/models/json-rpc.json"), "tests/fixture-crates/json-rpc"),
    ("query", Some("tests/fixtures/models/query.json"), "tests/fixture-crates/query"),
    ("ec2_query", Some("tests/fixtures/models/ec2-query.json"), "tests/fixture-crates/ec2-query"),
    ("rpc_v2_cbor", Some("tests/fixtures/models/rpc-v2-cbor.json"), "tests/fixture-crates/rpc-v2-cbor"),
    ("rest_xml", Some("tests/fixtures/models/rest-xml.json"), "tests/fixture-crates/rest-xml"),
    ("convenience", Some("tests/fixtures/models/convenience.json"), "tests/fixture-crates/convenience"),
    ("endpoint_params", Some("tests/fixtures/models/endpoint-params.json"), "tests/fixture-crates/endpoint-params"),
    ("auth_schemes", Some("tests/fixtures/models/auth-schemes.json"), "tests/fixture-crates/auth-schemes"),
    ("doc_examples", Some("tests/fixtures/models/doc-examples.json"), "tests/fixture-crates/doc-examples"),
    ("streaming", Some("tests/fixtures/models/streaming.json"), "tests/fixture-crates/streaming"),
    ("event_stream", Some("tests/fixtures/models/event-stream.json"), "tests/fixture-crates/event-stream"),
];

fn model_text(model: Option<&str>) -> String {
    match model {
        None => awslim_codegen::DEFAULT_MODEL.to_owned(),
        Some(p) => std::fs::read_to_string(repo().join(p)).unwrap(),
    }
}

fn load(text: &str) -> Model {
    Model::load(&[Source { name: "model", text }]).unwrap_or_else(|e| panic!("{e}"))
}

/// Generates a crate exactly as `cargo xtask codegen` writes it into the workspace.
fn generate(text: &str, out_dir: &str) -> BTreeMap<String, String> {
    let model = load(text);
    let selection = Selection::default();
    let package = awslim_codegen::default_package_name(&model, &selection).unwrap();
    let depth = Path::new(out_dir).components().count();
    let runtime_path = format!("{}runtime", "../".repeat(depth));
    let options = CrateOptions::new(package, RuntimeDependency::Path(runtime_path));
    awslim_codegen::generate(&model, &selection, &options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn snapshots_of_every_generated_file() {
    for (name, model, out) in CRATES {
        let files = generate(&model_text(*model), out);
        for (path, text) in &files {
            let snap = format!("{name}__{}", path.replace(['/', '.'], "_"));
            insta::assert_snapshot!(snap, text);
        }
    }
}

#[test]
fn checked_in_crates_are_fresh() {
    let mut problems = Vec::new();
    for (_, model, out) in CRATES {
        let dir = repo().join(out);
        // Regenerated from the options recorded in the crate's awslim.json, exactly as
        // `awslim check` does; the files must also match what the snapshots pin.
        let project = Project::from_manifest(&dir).unwrap_or_else(|e| panic!("{e}"));
        let generated = project.generate(&|_| {}).unwrap_or_else(|e| panic!("{e}"));
        let expected = generate(&model_text(*model), out);
        for (path, text) in &expected {
            if generated.files.get(path) != Some(text) {
                problems.push(format!("{out}/{path}: awslim.json does not reproduce it"));
            }
        }
        let status = generated.status().unwrap();
        if !status.is_fresh() || !status.foreign.is_empty() {
            problems.push(format!("{out}:\n{}  not generated: {:?}", status.describe(), status.foreign));
        }
    }
    assert!(
        problems.is_empty(),
        "generated code is stale:\n  {}\nrun `cargo xtask codegen` (and for the fixtures `cargo xtask codegen --model tests/fixtures/models/NAME.json --out tests/fixture-crates/NAME`)",
        problems.join("\n  ")
    );
}

/// Writes JSON with every object's keys in reverse order (serde_json sorts them otherwise).
fn reversed_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().rev().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                reversed_json(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                reversed_json(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

#[test]
fn output_is_deterministic_whatever_the_key_order() {
    for (name, model, out) in CRATES {
        let text = model_text(*model);
        let first = generate(&text, out);
        assert_eq!(first, generate(&text, out), "{name}: two runs differ");
        let mut reordered = String::new();
        reversed_json(&serde_json::from_str(&text).unwrap(), &mut reordered);
        assert_ne!(reordered.replace(char::is_whitespace, ""), text.replace(char::is_whitespace, ""));
        assert_eq!(first, generate(&reordered, out), "{name}: a key-reordered model gives other bytes");
    }
}

#[test]
fn operations_subset_and_unknown_names() {
    let model = load(&model_text(Some("tests/fixtures/models/all-shapes.json")));
    let mut options = CrateOptions::new("x", RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    let only = Selection { service: None, operations: Some(vec!["GetThing".into()]) };
    let files = awslim_codegen::generate(&model, &only, &options).unwrap();
    assert!(files.contains_key("src/operation/get_thing.rs"));
    assert!(!files.contains_key("src/operation/put_thing.rs"));
    assert!(files["Cargo.toml"].contains("[workspace]"));
    let wrong = Selection { service: None, operations: Some(vec!["GetThings".into()]) };
    let err = awslim_codegen::generate(&model, &wrong, &options).unwrap_err().to_string();
    assert!(err.contains("has no operation named `GetThings`; did you mean GetThing"), "{err}");
}

/// Every malformed fixture fails with exactly the problems listed, naming shape and member.
#[test]
fn malformed_models_give_clear_errors() {
    let expected: &[(&str, &[&str])] = &[
        ("apply-missing-shape", &["example.bad#Nope: `apply` targets a shape that does not exist (at /shapes/example.bad#Nope)"]),
        ("bad-trait-value", &["example.bad#Name: `smithy.api#length` property `min` must be a non-negative integer, found \"x\""]),
        ("dangling-target", &["example.bad#GoInput$Thing: targets `example.bad#Missing`, which is not defined"]),
        ("duplicate-enum-values", &["example.bad#Mode$QUICK: duplicate enum value `fast` (also used by member `FAST`)"]),
        ("http-without-uri", &["example.bad#Go: `smithy.api#http` needs a `uri` string"]),
        ("non-object-top-level", &["model: the top level must be a JSON object with `smithy` and `shapes`"]),
        ("operation-input-not-structure", &["example.bad#Go: the input `example.bad#Name` must be a structure, not a string"]),
        ("required-cycle", &["example.bad#A$b: required members form a cycle that no value can satisfy: example.bad#A$b -> example.bad#B$a -> back to `example.bad#A`; make one of them optional or add a list/map in between"]),
        ("shape-id-without-namespace", &["GoInput: not a valid absolute shape ID (expected `namespace#Name`) (at /shapes/GoInput)", "example.bad#Go: target `GoInput` is not an absolute shape ID (at /shapes/example.bad#Go/input/target)"]),
        ("trait-missing-required-member", &["example.bad#NameList: `awslim.traits#totalUtf8Bytes` needs an integer `max`, found {}"]),
        ("unknown-shape-type", &["example.bad#Thing: unknown shape type `struct` (at /shapes/example.bad#Thing/type)"]),
        ("wrong-kind-target", &["example.bad#ThingList$member: targets `example.bad#Go`, an operation; members must target a value shape"]),
    ];
    let dir = repo().join("tests/fixtures/models/malformed");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), expected.len(), "every malformed fixture needs an expectation: {files:?}");
    for (name, messages) in expected {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let err = Model::load(&[Source { name: "model", text: &text }]).expect_err(name);
        let got: Vec<String> = err.0.iter().map(ToString::to_string).collect();
        assert_eq!(got, *messages, "{name}");
    }
}

#[test]
fn malformed_inline_models_never_panic() {
    let cases: &[(&str, &str)] = &[
        ("{", "not valid JSON"),
        (r#"{"smithy":"3.0","shapes":{}}"#, "unsupported Smithy version `3.0`"),
        (r#"{"smithy":"2.0","shapes":[]}"#, "`shapes` must be an object"),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#S":{"type":"structure","members":{"x":{"target":7}}}}}"#,
            "a.b#S$x: needs a `target` string",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#S":{"type":"structure","members":{"x":{"target":"smithy.api#String","traits":{"smithy.api#length":{"min":5,"max":1}}}}}}}"#,
            "a.b#S$x: `smithy.api#length` has min 5 greater than max 1",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#S":{"type":"structure","members":{"x":{"target":"smithy.api#String","traits":{"smithy.api#range":{"min":1}}}}}}}"#,
            "a.b#S$x: `smithy.api#range` cannot apply to a string",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#M":{"type":"map","key":{"target":"smithy.api#Integer"},"value":{"target":"smithy.api#String"}}}}"#,
            "a.b#M$key: map keys must target a string or enum shape",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#S":{"type":"structure","members":{"x":{"target":"smithy.api#Integer","traits":{"smithy.api#default":"zero"}}}}}}"#,
            "a.b#S$x: `smithy.api#default` value \"zero\" does not fit the integer",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#E":{"type":"intEnum","members":{"A":{"target":"smithy.api#Unit","traits":{"smithy.api#enumValue":"x"}}}}}}"#,
            "a.b#E$A: `smithy.api#enumValue` must be a 32-bit integer",
        ),
        (
            r#"{"smithy":"2.0","shapes":{"a.b#S":{"type":"structure","mixins":[{"target":"a.b#Nope"}]}}}"#,
            "a.b#S: uses the mixin `a.b#Nope`, which is not defined",
        ),
    ];
    for (text, needle) in cases {
        let err = Model::load(&[Source { name: "model", text }]).expect_err(text).to_string();
        assert!(err.contains(needle), "for {text}\nexpected `{needle}` in:\n{err}");
    }
}

#[test]
fn query_protocols_refuse_documents_naming_the_shape() {
    for protocol in ["aws.protocols#awsQuery", "aws.protocols#ec2Query"] {
        let text = format!(
            r#"{{"smithy":"2.0","shapes":{{
            "a.b#Svc":{{"type":"service","version":"1","operations":[{{"target":"a.b#Op"}}],"traits":{{"{protocol}":{{}}}}}},
            "a.b#Op":{{"type":"operation","input":{{"target":"a.b#In"}}}},
            "a.b#In":{{"type":"structure","members":{{"doc":{{"target":"a.b#Doc"}}}}}},
            "a.b#Doc":{{"type":"document"}}}}}}"#
        );
        let model = load(&text);
        let err = awslim_codegen::ir::lower(&model, &Selection::default()).unwrap_err().to_string();
        assert!(err.contains(&format!("a.b#Doc: is a document, which {protocol} cannot send or read")), "{err}");
    }
}

#[test]
fn rpc_v2_protocols_refuse_documents_and_bignums_naming_the_shape() {
    let cases = [
        ("rpcv2Cbor", "document", "a document"),
        ("rpcv2Cbor", "bigInteger", "an arbitrary-precision number"),
        ("rpcv2Json", "bigDecimal", "an arbitrary-precision number"),
    ];
    for (protocol, kind, what) in cases {
        let text = format!(
            r#"{{"smithy":"2.0","shapes":{{
            "a.b#Svc":{{"type":"service","version":"1","operations":[{{"target":"a.b#Op"}}],"traits":{{"smithy.protocols#{protocol}":{{}}}}}},
            "a.b#Op":{{"type":"operation","output":{{"target":"a.b#Out"}}}},
            "a.b#Out":{{"type":"structure","members":{{"v":{{"target":"a.b#V"}}}}}},
            "a.b#V":{{"type":"{kind}"}}}}}}"#
        );
        let err = awslim_codegen::ir::lower(&load(&text), &Selection::default()).unwrap_err().to_string();
        let want = format!("a.b#V: is {what}, which awslim's smithy.protocols#{protocol} client does not send or read");
        assert!(err.contains(&want), "{err}");
    }
}

#[test]
fn name_collisions_name_both_shapes() {
    let text = r#"{"smithy":"2.0","shapes":{
        "a.b#Svc":{"type":"service","version":"1","operations":[{"target":"a.b#Op"}],"traits":{"aws.protocols#restJson1":{}}},
        "a.b#Op":{"type":"operation","input":{"target":"a.b#In"},"traits":{"smithy.api#http":{"method":"POST","uri":"/"}}},
        "a.b#In":{"type":"structure","members":{"x":{"target":"a.b#FooBar"},"y":{"target":"c.d#FooBar"}}},
        "a.b#FooBar":{"type":"structure","members":{}},
        "c.d#FooBar":{"type":"structure","members":{}}}}"#;
    let model = load(text);
    let err = awslim_codegen::ir::lower(&model, &Selection::default()).unwrap_err().to_string();
    assert!(err.contains("`a.b#FooBar` and `c.d#FooBar` both become the Rust type `FooBar`"), "{err}");
}

#[test]
fn unsupported_event_streams_are_a_clear_error() {
    let model = |protocol: &str, shape: &str, payload: &str| {
        format!(
            r#"{{"smithy":"2.0","shapes":{{
        "a.b#Svc":{{"type":"service","version":"1","operations":[{{"target":"a.b#Op"}}],"traits":{{"{protocol}":{{}}}}}},
        "a.b#Op":{{"type":"operation","{shape}":{{"target":"a.b#S"}},"traits":{{"smithy.api#http":{{"method":"POST","uri":"/"}}}}}},
        "a.b#S":{{"type":"structure","members":{{"events":{{"target":"a.b#Events","traits":{{{payload}}}}}}}}},
        "a.b#Tick":{{"type":"structure","members":{{"n":{{"target":"smithy.api#Integer","traits":{{"smithy.api#eventHeader":{{}}}}}}}}}},
        "a.b#Events":{{"type":"union","members":{{"tick":{{"target":"a.b#Tick"}}}},"traits":{{"smithy.api#streaming":{{}}}}}}}}}}"#
        )
    };
    let err = |text: String| awslim_codegen::ir::lower(&load(&text), &Selection::default()).unwrap_err().to_string();
    let payload = r#""smithy.api#httpPayload":{}"#;
    let e = err(model("aws.protocols#restJson1", "input", ""));
    assert!(e.contains("a.b#S$events: targets the event stream `a.b#Events` without `@httpPayload`"), "{e}");
    // One structure cannot both send and receive an event stream.
    let e = err(model("aws.protocols#restJson1", r#"input":{"target":"a.b#S"},"output"#, payload));
    assert!(
        e.contains(
            "a.b#S$events: targets the event stream `a.b#Events` in a structure that is both an input and an output"
        ),
        "{e}"
    );
    let e = err(model("aws.protocols#restJson1", "output", ""));
    assert!(e.contains("a.b#S$events: targets the event stream `a.b#Events` without `@httpPayload`"), "{e}");
    let e = err(model("aws.protocols#awsJson1_1", "output", payload));
    assert!(e.contains("event streams are supported for restJson1 only so far"), "{e}");
    // Event members must be structures; headers must have a header value type.
    let bad = model("aws.protocols#restJson1", "output", payload)
        .replace(
            r#""smithy.api#Integer","traits":{"smithy.api#eventHeader""#,
            r#""a.b#Tags","traits":{"smithy.api#eventHeader""#,
        )
        .replace(
            r#""tick":{"target":"a.b#Tick"}"#,
            r#""tick":{"target":"a.b#Tick"},"text":{"target":"smithy.api#String"}"#,
        )
        .replace(
            r#""a.b#Events":"#,
            r#""a.b#Tags":{"type":"list","member":{"target":"smithy.api#String"}},"a.b#Events":"#,
        );
    let e = err(bad);
    assert!(e.contains("a.b#Tick$n: is an @eventHeader targeting `a.b#Tags`"), "{e}");
    assert!(e.contains("a.b#Events$text: is a member of an event stream targeting `smithy.api#String`"), "{e}");
    // The supported cases: an output or input payload of a restJson1 operation.
    for shape in ["output", "input"] {
        let ok = model("aws.protocols#restJson1", shape, payload);
        assert!(awslim_codegen::ir::lower(&load(&ok), &Selection::default()).is_ok(), "{shape}");
    }
}

#[test]
fn streaming_blobs_outside_a_payload_are_a_clear_error() {
    let text = r#"{"smithy":"2.0","shapes":{
        "a.b#Svc":{"type":"service","version":"1","operations":[{"target":"a.b#Op"}],"traits":{"aws.protocols#restJson1":{}}},
        "a.b#Op":{"type":"operation","input":{"target":"a.b#In"},"traits":{"smithy.api#http":{"method":"POST","uri":"/"}}},
        "a.b#In":{"type":"structure","members":{"data":{"target":"a.b#Data"},"many":{"target":"a.b#DataList","traits":{"smithy.api#httpPayload":{}}}}},
        "a.b#DataList":{"type":"list","member":{"target":"a.b#Data"}},
        "a.b#Data":{"type":"blob","traits":{"smithy.api#streaming":{}}}}}"#;
    let err = awslim_codegen::ir::lower(&load(text), &Selection::default()).unwrap_err().to_string();
    assert!(
        err.contains("a.b#In$data: targets the @streaming blob `a.b#Data`: a @streaming blob is supported only as the @httpPayload member"),
        "{err}"
    );
    assert!(err.contains("a.b#DataList$member: a @streaming blob is supported only as the @httpPayload"), "{err}");
}

#[test]
fn smithy_1_models_load() {
    let text = r#"{"smithy":"1.0","shapes":{
        "a.b#Svc":{"type":"service","version":"1","operations":[{"target":"a.b#Op"}],"traits":{"aws.protocols#restJson1":{}}},
        "a.b#Op":{"type":"operation","input":{"target":"a.b#In"},"traits":{"smithy.api#http":{"method":"POST","uri":"/"}}},
        "a.b#In":{"type":"structure","members":{"tags":{"target":"a.b#Tags"},"mode":{"target":"a.b#Mode"},"inner":{"target":"a.b#Inner"}}},
        "a.b#Inner":{"type":"structure","members":{"n":{"target":"smithy.api#PrimitiveInteger"}}},
        "a.b#Tags":{"type":"set","member":{"target":"smithy.api#String"}},
        "a.b#Mode":{"type":"string","traits":{"smithy.api#enum":[{"value":"fast","name":"FAST"},{"value":"slow-ish"}]}}}}"#;
    let model = load(text);
    let krate = awslim_codegen::ir::lower(&model, &Selection::default()).unwrap();
    let e = &krate.enums[0];
    assert_eq!(
        e.variants.iter().map(|v| (v.name.as_str(), v.value.as_str())).collect::<Vec<_>>(),
        [("Fast", "fast"), ("SlowIsh", "slow-ish")]
    );
    let input = krate.find_struct("In").unwrap();
    let tags = input.fields.iter().find(|f| f.member == "tags").unwrap();
    assert!(tags.value.constraints.unique_items, "a 1.0 set is a list with @uniqueItems");
    // A 1.0 primitive has a zero default: a plain field below the top level...
    let inner = krate.find_struct("Inner").unwrap();
    assert_eq!(inner.fields[0].presence, awslim_codegen::ir::Presence::Default(serde_json::json!(0)));
    // ...while an operation input's defaulted members stay unset unless the caller sets them.
    let mode = input.fields.iter().find(|f| f.member == "mode").unwrap();
    assert_eq!(mode.presence, awslim_codegen::ir::Presence::Optional);
}

/// Parses and generates with `selection`, as `cargo xtask codegen` does: only the shapes the
/// selection reaches are checked.
fn generate_selected(text: &str, operations: Option<&[&str]>) -> Result<awslim_codegen::Generated, String> {
    let model = Model::parse(&[Source { name: "model", text }]).map_err(|e| e.to_string())?;
    let selection =
        Selection { service: None, operations: operations.map(|o| o.iter().map(|s| s.to_string()).collect()) };
    let mut options = CrateOptions::new("x", awslim_codegen::RuntimeDependency::Path("../runtime".into()));
    options.standalone = true;
    awslim_codegen::generate_with_warnings(&model, &selection, &options).map_err(|e| e.to_string())
}

/// A service with one operation `Op` whose input is `a.b#In`, plus `shapes` (JSON members of
/// the `shapes` object, without braces) and the operation's extra `op_traits`.
fn service_model(shapes: &str, op_traits: &str) -> String {
    format!(
        r#"{{"smithy":"2.0","shapes":{{
        "a.b#Svc":{{"type":"service","version":"1","operations":[{{"target":"a.b#Op"}}],"traits":{{"aws.protocols#restJson1":{{}}}}}},
        "a.b#Op":{{"type":"operation","input":{{"target":"a.b#In"}},"traits":{{"smithy.api#http":{{"method":"POST","uri":"/"}}{op_traits}}}}},
        {shapes}}}}}"#
    )
}

#[test]
fn only_the_selected_operations_are_checked() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/models/selection-with-broken-shape.json")).unwrap();
    let ok = generate_selected(&text, Some(&["ListDetectors"])).unwrap_or_else(|e| panic!("{e}"));
    assert!(ok.files["src/client.rs"].contains("list_detectors"));
    let all = generate_selected(&text, None).unwrap_err();
    for needle in [
        "example.sel#BrokenInput$Thing: targets `example.sel#Missing`, which is not defined",
        "example.sel#BrokenInput$Meta: `smithy.api#httpHeader` cannot apply to a member targeting the structure",
        "example.sel#Extra$Name: unknown key `trait`",
    ] {
        assert!(all.contains(needle), "expected `{needle}` in:\n{all}");
    }
    // Loading the whole model strictly reports the same problems.
    assert!(Model::load(&[Source { name: "m", text: &text }]).unwrap_err().to_string().contains("example.sel#Missing"));
}

#[test]
fn an_unsupported_protocol_is_reported_first_and_alone() {
    // A protocol no AWS SDK speaks (rpcv2Json, used here before, is supported now).
    let text = r#"{"smithy":"2.0","shapes":{
        "a.b#Svc":{"type":"service","version":"1","operations":[{"target":"a.b#One"},{"target":"a.b#Two"}],"traits":{"smithy.protocols#rpcv9Future":{}}},
        "a.b#One":{"type":"operation"},"a.b#Two":{"type":"operation","input":{"target":"a.b#Nope"}}}}"#;
    let err = generate_selected(text, None).unwrap_err();
    assert!(
        err.trim_end().starts_with(
            "the model has 1 problem:\n  - a.b#Svc: uses smithy.protocols#rpcv9Future; the supported protocols are `"
        ),
        "{err}"
    );
}

#[test]
fn uncompilable_patterns_are_warnings_and_not_enforced() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/models/uncompilable-pattern.json")).unwrap();
    let generated = generate_selected(&text, None).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = generated.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .starts_with("example.bad#Name: `smithy.api#pattern` \"[a-\" is not enforced: it is not a valid ECMA-262"),
        "{}",
        warnings[0]
    );
    assert!(!generated.files["src/validate.rs"].contains("[a-"));
    // What AWS publishes (`(?s)`, a quantifier on nothing) is the same; a valid pattern next
    // to them is still enforced, and an absurdly long one is not compiled at all.
    let long = "a".repeat(awslim_codegen::model::MAX_PATTERN_LEN + 1);
    let shapes = format!(
        r#""a.b#In":{{"type":"structure","members":{{"s":{{"target":"a.b#S"}},"q":{{"target":"a.b#Q"}},"ok":{{"target":"a.b#Ok"}},"l":{{"target":"a.b#L"}}}}}},
        "a.b#S":{{"type":"string","traits":{{"smithy.api#pattern":"^(?s).+$"}}}},
        "a.b#Q":{{"type":"string","traits":{{"smithy.api#pattern":"?+"}}}},
        "a.b#Ok":{{"type":"string","traits":{{"smithy.api#pattern":"^[a-z]+$"}}}},
        "a.b#L":{{"type":"string","traits":{{"smithy.api#pattern":"{long}"}}}}"#
    );
    let generated = generate_selected(&service_model(&shapes, ""), None).unwrap_or_else(|e| panic!("{e}"));
    let shapes: Vec<&str> = generated.warnings.iter().map(|w| w.shape.as_str()).collect();
    assert_eq!(shapes, ["a.b#L", "a.b#Q", "a.b#S"]);
    assert!(generated.warnings[0].message.contains("more than the"));
    assert!(generated.files["src/validate.rs"].contains("^[a-z]+$"));
}

#[test]
fn enum_length_and_pattern_and_int_enum_range_are_enforced() {
    use awslim_all_shapes::types::{Color, PutThingInput};
    let input = PutThingInput::builder().thing_id("t-1").color(Color::DarkBlue).priority(5).build();
    assert!(input.validate().is_ok(), "{:?}", input.validate());
    let bad = PutThingInput::builder().thing_id("t-1").color(Color::from("Far-Too-Long")).priority(42).build();
    let err = bad.validate().unwrap_err();
    let paths: Vec<&str> = err.violations().iter().map(|v| v.path()).collect();
    assert_eq!(paths, ["Color", "Color", "Priority"], "{err}");
}

#[test]
fn bidi_controls_never_reach_generated_code() {
    let bidi = "\u{202E}\u{2066}\u{200F}";
    let shapes = format!(
        r#""a.b#In":{{"type":"structure","members":{{"m":{{"target":"a.b#E","traits":{{"smithy.api#documentation":"<p>x{bidi}y</p><pre>p{bidi}\r</pre>","smithy.api#jsonName":"j{bidi}"}}}}}},"traits":{{"smithy.api#documentation":"a&#x202E;b"}}}},
        "a.b#E":{{"type":"enum","members":{{"V":{{"target":"smithy.api#Unit","traits":{{"smithy.api#enumValue":"v{bidi}"}}}}}}}}"#
    );
    let text = service_model(&shapes, "").replace(r#""version":"1""#, &format!(r#""version":"1{bidi}""#)).replace(
        r#""aws.protocols#restJson1":{}"#,
        &format!(r#""aws.protocols#restJson1":{{}},"smithy.api#title":"T{bidi}\n""#),
    );
    let generated = generate_selected(&text, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.files["src/lib.rs"].contains("A client for T (`a.b#Svc`, API version 1)"));
    for (path, text) in &generated.files {
        assert!(!text.chars().any(awslim_codegen::docs::is_bidi_control), "{path} holds a bidi control");
        assert!(!text.contains('\r'), "{path} holds a CR");
    }
    assert!(generated.files["src/types.rs"].contains("\\u{202e}"), "values keep their text, escaped");
    assert_eq!(awslim_codegen::docs::to_markdown("<p>x\u{202E}y</p>"), ["xy"]);
    let err = Model::parse(&[Source { name: "m", text: "{\"smithy\":\"2.0\",\"shapes\":{},\"\\u001b[2J\":1}" }])
        .unwrap_err()
        .to_string();
    assert!(err.contains("\\u{1b}[2J") && !err.contains('\u{1b}'), "{err}");
}

/// Each model is one Smithy rejects (a trait selector, an HTTP binding validator or the JSON
/// AST grammar); each must fail with the shape, member and reason.
#[test]
fn what_smithy_rejects_is_rejected() {
    let s = |members: &str| format!(r#""a.b#In":{{"type":"structure","members":{{{members}}}}}"#);
    let str_member =
        |name: &str, traits: &str| format!(r#""{name}":{{"target":"smithy.api#String","traits":{{{traits}}}}}"#);
    let cases: Vec<(String, &str, &str)> = vec![
        // B7: binding traits on targets they cannot carry.
        (s(r#""m":{"target":"a.b#In2","traits":{"smithy.api#httpHeader":"x-m"}}"#) + r#","a.b#In2":{"type":"structure","members":{}}"#, "", "a.b#In$m: `smithy.api#httpHeader` cannot apply to a member targeting the structure"),
        (s(r#""m":{"target":"a.b#M","traits":{"smithy.api#httpHeader":"x-m"}}"#) + r#","a.b#M":{"type":"map","key":{"target":"smithy.api#String"},"value":{"target":"smithy.api#String"}}"#, "", "a.b#In$m: `smithy.api#httpHeader` cannot apply to a member targeting the map"),
        (s(r#""m":{"target":"smithy.api#Document","traits":{"smithy.api#httpQuery":"m"}}"#), "", "a.b#In$m: `smithy.api#httpQuery` cannot apply to a member targeting the document"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#httpPrefixHeaders":"x-"}}"#), "", "a.b#In$m: `smithy.api#httpPrefixHeaders` cannot apply"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#httpResponseCode":{}}}"#), "", "a.b#In$m: `smithy.api#httpResponseCode` cannot apply"),
        (s(r#""m":{"target":"smithy.api#Integer","traits":{"smithy.api#httpPayload":{}}}"#), "", "a.b#In$m: `smithy.api#httpPayload` cannot apply"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#httpLabel":{}}}"#), "", "a.b#In$m: an `@httpLabel` member must be `@required`"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#httpHeader":"x-m","smithy.api#httpQuery":"m"}}"#), "", "a.b#In$m: has conflicting HTTP binding traits"),
        // B8: two members with one wire name.
        (s(&[str_member("a", r#""smithy.api#jsonName":"k""#), str_member("b", r#""smithy.api#jsonName":"k""#)].join(",")), "", "a.b#In$b: uses the JSON key \"k\", as does `a.b#In$a`"),
        (s(&[str_member("a", ""), str_member("b", r#""smithy.api#jsonName":"a""#)].join(",")), "", "a.b#In$b: uses the JSON key \"a\", as does `a.b#In$a`"),
        (s(&[str_member("a", r#""smithy.api#httpHeader":"X-Id""#), str_member("b", r#""smithy.api#httpHeader":"x-id""#)].join(",")), "", "a.b#In$b: uses the header \"x-id\", as does `a.b#In$a`"),
        (s(&[str_member("a", r#""smithy.api#httpQuery":"q""#), str_member("b", r#""smithy.api#httpQuery":"q""#)].join(",")), "", "a.b#In$b: uses the query key \"q\", as does `a.b#In$a`"),
        // B9: keys the JSON AST does not have, and keys written twice.
        (s(r#""m":{"target":"smithy.api#String","trait":{"smithy.api#sensitive":{}}}"#), "", "a.b#In$m: unknown key `trait`"),
        (r#""a.b#In":{"type":"structure","members":{},"member":{"target":"smithy.api#String"}}"#.to_owned(), "", "a.b#In: unknown key `member`"),
        (r#""a.b#In":{"type":"structure","members":{},"traits":{"smithy.api#sensitive":{}},"traits":{}}"#.to_owned(), "", "a.b#In: the key `traits` is written twice in one object"),
        // B10: host prefixes that would move the request to another host.
        (s(""), r#","smithy.api#endpoint":{"hostPrefix":"evil.example/"}"#, "a.b#Op: `smithy.api#endpoint` hostPrefix \"evil.example/\": must be DNS labels"),
        (s(""), r#","smithy.api#endpoint":{"hostPrefix":"user@"}"#, "a.b#Op: `smithy.api#endpoint` hostPrefix \"user@\": must be DNS labels"),
        (s(r#""h":{"target":"smithy.api#Integer","traits":{"smithy.api#hostLabel":{},"smithy.api#required":{}}}"#), r#","smithy.api#endpoint":{"hostPrefix":"{h}."}"#, "a.b#In$h: a `@hostLabel` member must be a `@required` string"),
        // B11: headers the client owns, header names, methods and URIs that are not valid.
        (s(&str_member("m", r#""smithy.api#httpHeader":"Content-Length""#)), "", "a.b#Op: the input member `a.b#In$m` binds the header \"Content-Length\", which the client must set itself"),
        (s(&str_member("m", r#""smithy.api#httpHeader":"Host""#)), "", "binds the header \"Host\""),
        (s(&str_member("m", r#""smithy.api#httpHeader":"Authorization""#)), "", "binds the header \"Authorization\""),
        (s(&str_member("m", r#""smithy.api#httpHeader":"x-a\r\nx-b""#)), "", "a.b#In$m: `smithy.api#httpHeader` \"x-a\\r\\nx-b\" is not a valid HTTP header name"),
        (s(""), r#","smithy.api#http":{"method":"GE T","uri":"/"}"#, "a.b#Op: `smithy.api#http` method \"GE T\" is not an upper-case HTTP method token"),
        (s(""), r#","smithy.api#http":{"method":"POST","uri":"/%"}"#, "a.b#Op: `smithy.api#http` uri \"/%\": a `%` must start a percent-escape"),
        (s(""), r#","smithy.api#http":{"method":"POST","uri":"/a b"}"#, "a.b#Op: `smithy.api#http` uri \"/a b\": the character ' ' is not allowed"),
        (s(""), r#","smithy.api#http":{"method":"POST","uri":"/x?=v"}"#, "needs a non-empty key and no labels"),
        // B12: smaller gaps in trait values.
        (s(r#""m":{"target":"smithy.api#Integer","traits":{"smithy.api#idempotencyToken":{}}}"#), "", "a.b#In$m: `smithy.api#idempotencyToken` applies only to string members"),
        (s(r#""m":{"target":"smithy.api#Timestamp","traits":{"smithy.api#default":"yesterday"}}"#), "", "a.b#In$m: `smithy.api#default` value \"yesterday\" is not an RFC 3339 date-time"),
        (s(r#""m":{"target":"a.b#E","traits":{"smithy.api#default":"nope"}}"#) + r#","a.b#E":{"type":"enum","members":{"A":{"target":"smithy.api#Unit"}}}"#, "", "a.b#In$m: `smithy.api#default` value \"nope\" is not a value of the enum `a.b#E`"),
        (s(&str_member("m", r#""smithy.api#jsonName":"""#)), "", "a.b#In$m: `smithy.api#jsonName` \"\" must be non-empty"),
        (s(&str_member("m", r#""smithy.api#jsonName":"a\u0000""#)), "", "a.b#In$m: `smithy.api#jsonName` \"a\\0\" must be non-empty and free of control characters"),
        (r#""a.b#In":{"type":"structure","members":{"m":{"target":"a.b#N"}}},"a.b#N":{"type":"integer","traits":{"smithy.api#range":{"min":9,"max":1}}}"#.to_owned(), "", "a.b#N: `smithy.api#range` has min 9 greater than max 1"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#timestampFormat":"date-time"}}"#), "", "a.b#In$m: `smithy.api#timestampFormat` applies to timestamps, not to a string"),
        (s(r#""m":{"target":"smithy.api#String","traits":{"smithy.api#uniqueItems":{}}}"#), "", "a.b#In$m: `smithy.api#uniqueItems` applies to lists"),
        (r#""a.b#In":{"type":"structure","members":{},"traits":{"smithy.api#httpError":400}}"#.to_owned(), "", "a.b#In: `smithy.api#httpError` needs the `smithy.api#error` trait"),
    ];
    for (shapes, op_traits, needle) in &cases {
        let text = service_model(shapes, op_traits);
        // `smithy.api#http` given twice: the case's own replaces the default one.
        let text = if op_traits.contains("smithy.api#http\"") {
            text.replacen(r#""smithy.api#http":{"method":"POST","uri":"/"},"#, "", 1)
        } else {
            text
        };
        let err = generate_selected(&text, None).expect_err(needle);
        assert!(err.contains(needle), "expected `{needle}` in:\n{err}");
    }
}

/// Generation is linear in model size: inputs that took minutes (a long chain of required
/// structures: 129 s for 5,000) or gigabytes (nested lists in docs, `<<<<`) before.
#[test]
fn generation_cost_stays_linear_on_hostile_sizes() {
    let started = std::time::Instant::now();
    let n = 20_000;
    let mut shapes = Vec::new();
    for i in 0..n {
        let next = if i + 1 < n {
            format!(r#""next":{{"target":"a.b#S{}","traits":{{"smithy.api#required":{{}}}}}}"#, i + 1)
        } else {
            String::new()
        };
        shapes.push(format!(r#""a.b#S{i}":{{"type":"structure","members":{{{next}}}}}"#));
    }
    shapes.push(r#""a.b#In":{"type":"structure","members":{"first":{"target":"a.b#S0"}}}"#.to_owned());
    let text = service_model(&shapes.join(","), "");
    let model = Model::parse(&[Source { name: "chain", text: &text }]).unwrap();
    let krate = awslim_codegen::ir::lower(&model, &Selection::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(krate.structs.len(), n + 1);
    for doc in ["<ul><li>".repeat(32 * 1024), "<&".repeat(128 * 1024), "<p>a</p>".repeat(32 * 1024)] {
        assert!(!awslim_codegen::docs::to_markdown(&doc).is_empty());
    }
    let long = "<p>a</p>".repeat(8 * 1024 * 1024 / 8);
    let lines = awslim_codegen::docs::to_markdown(&long);
    assert!(lines.last().unwrap().starts_with("(Documentation cut at"), "an absurd doc is cut");
    let secs = started.elapsed().as_secs_f64();
    assert!(secs < 60.0, "took {secs:.1}s; quadratic behaviour is back");
}

#[test]
fn model_code_blocks_are_fenced_as_text_whatever_they_hold() {
    let lines = awslim_codegen::docs::to_markdown("<pre>```rust\nfn main() {}\n```</pre>");
    assert_eq!(lines, ["````text", "```rust", "fn main() {}", "```", "````"]);
    let lines = awslim_codegen::docs::to_markdown("<p>a</p><pre>  let x = 1;</pre>");
    assert_eq!(lines[lines.len() - 3..], ["```text", "  let x = 1;", "```"]);
}

#[test]
fn every_operation_has_an_example_naming_the_crate() {
    let files = generate(&model_text(Some("tests/fixtures/models/doc-examples.json")), "unused");
    let client = &files["src/client.rs"];
    assert_eq!(client.matches("/// # Example").count(), 3);
    assert_eq!(client.matches("/// ```rust,no_run").count(), 3);
    // A required member cycle through a union: the example takes the input as a parameter.
    assert!(client.contains("input: awslim_doc_examples::types::CycleInput)"), "{client}");
    // A union's self-referencing first member is skipped for one that can be built.
    assert!(client.contains("types::Choice::Nested("), "{client}");
}
