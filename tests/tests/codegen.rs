//! The generator end to end: snapshots of every generated file, freshness of the checked-in
//! crates, determinism, and clear errors for malformed models.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use awslim_codegen::{CrateOptions, Model, Selection, Source};
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
    ("convenience", Some("tests/fixtures/models/convenience.json"), "tests/fixture-crates/convenience"),
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
    let options = CrateOptions { package_name: package, runtime_path, standalone: false };
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
        let files = generate(&model_text(*model), out);
        let dir = repo().join(out);
        for (path, text) in &files {
            match std::fs::read_to_string(dir.join(path)) {
                Ok(on_disk) if &on_disk == text => {}
                Ok(_) => problems.push(format!("{out}/{path} differs")),
                Err(_) => problems.push(format!("{out}/{path} is missing")),
            }
        }
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let p = entry.path();
                let rel = p.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
                if rel == "target" || rel == "Cargo.lock" {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else if !files.contains_key(&rel) {
                    problems.push(format!("{out}/{rel} is no longer generated"));
                }
            }
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
    let options = CrateOptions { package_name: "x".into(), runtime_path: "../runtime".into(), standalone: true };
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
        ("invalid-pattern", &["example.bad#Name: `smithy.api#pattern` \"[a-\" is not a valid ECMA-262 regular expression: Unbalanced bracket"]),
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
fn event_streams_are_a_clear_error() {
    let text = r#"{"smithy":"2.0","shapes":{
        "a.b#Svc":{"type":"service","version":"1","operations":[{"target":"a.b#Op"}],"traits":{"aws.protocols#restJson1":{}}},
        "a.b#Op":{"type":"operation","input":{"target":"a.b#In"},"traits":{"smithy.api#http":{"method":"POST","uri":"/"}}},
        "a.b#In":{"type":"structure","members":{"events":{"target":"a.b#Events","traits":{"smithy.api#httpPayload":{}}}}},
        "a.b#Events":{"type":"union","members":{"tick":{"target":"smithy.api#Unit"}},"traits":{"smithy.api#streaming":{}}}}}"#;
    let err = awslim_codegen::ir::lower(&load(text), &Selection::default()).unwrap_err().to_string();
    assert!(
        err.contains("a.b#In$events: targets the event stream `a.b#Events`; event streams are not supported yet"),
        "{err}"
    );
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
