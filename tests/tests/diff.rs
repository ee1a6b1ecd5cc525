//! `awslim_codegen::diff`: every change class on small fixture pairs, a realistic evolution of
//! the StartWebRTCContact model, and the no-change cases.
//!
//! Each fixture in `fixtures/diff/` is `base.json` with one change; the tests diff them in both
//! directions where the reverse is a change class of its own. `connect-base.json` is the
//! version of `model/connect.json` that `connect-evolved.json` evolves; no test here depends on
//! the details of the live `model/connect.json`, so a safe model change keeps them passing.

use std::path::PathBuf;

use awslim_codegen::diff::{diff, Change, ChangeKind, Report, Severity};
use awslim_codegen::{CrateOptions, Model, Selection, Source};
use serde_json::Value;

fn fixture_text(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff").join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn load_text(name: &str, text: &str) -> Model {
    Model::load(&[Source { name, text }]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(name: &str) -> Model {
    load_text(name, &fixture_text(name))
}

fn connect() -> Model {
    load_text(awslim_codegen::DEFAULT_MODEL_NAME, awslim_codegen::DEFAULT_MODEL)
}

fn report(old: &Model, new: &Model) -> Report {
    diff(old, new, &Selection::default()).expect("both sides lower")
}

/// `base` -> `name`.
fn forward(name: &str) -> Report {
    report(&load("base"), &load(name))
}

/// `name` -> `base`.
fn backward(name: &str) -> Report {
    report(&load(name), &load("base"))
}

/// The one change of `kind`; fails listing the whole report otherwise.
fn one(report: &Report, kind: ChangeKind) -> &Change {
    let found: Vec<&Change> = report.changes.iter().filter(|c| c.kind == kind).collect();
    assert_eq!(found.len(), 1, "expected exactly one {kind:?} change in:\n{}", report.render_text());
    found[0]
}

/// Asserts the one change of `kind`: where it is, its severity and the items it affects.
#[track_caller]
fn expect(report: &Report, kind: ChangeKind, shape: &str, member: Option<&str>, severity: Severity, items: &[&str]) {
    let c = one(report, kind);
    assert_eq!(c.shape, format!("example.shop#{shape}"), "{c:?}");
    assert_eq!(c.member.as_deref(), member, "{c:?}");
    assert_eq!(c.severity, severity, "{c:?}");
    assert_eq!(c.items, items, "{c:?}");
    assert!(!c.reason.is_empty() && !c.summary.is_empty(), "{c:?}");
}

fn kinds(report: &Report) -> Vec<ChangeKind> {
    report.changes.iter().map(|c| c.kind).collect()
}

#[test]
fn removed_operation_is_breaking_and_added_is_safe() {
    let r = forward("operation-removed");
    expect(&r, ChangeKind::OperationRemoved, "PutItem", None, Severity::Breaking, &["Client::put_item"]);
    // The types only that operation used are gone from the crate as well.
    let removed: Vec<&str> = r
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::ShapeRemoved)
        .flat_map(|c| c.items.iter().map(String::as_str))
        .collect();
    assert_eq!(removed, ["types::Conflict", "types::PutItemInput", "types::PutItemOutput"]);
    assert!(r.is_breaking());

    let r = backward("operation-removed");
    expect(&r, ChangeKind::OperationAdded, "PutItem", None, Severity::Safe, &["Client::put_item"]);
    assert_eq!(r.worst(), Some(Severity::Safe), "{}", r.render_text());
}

#[test]
fn removed_member_is_breaking_and_new_optional_member_is_safe() {
    let r = forward("member-removed");
    expect(
        &r,
        ChangeKind::MemberRemoved,
        "Item",
        Some("Description"),
        Severity::Breaking,
        &["types::Item::description"],
    );
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());

    let r = backward("member-removed");
    expect(&r, ChangeKind::MemberAdded, "Item", Some("Description"), Severity::Safe, &["types::Item::description"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn member_that_became_required_is_breaking_and_so_is_the_reverse() {
    let r = forward("member-required");
    expect(&r, ChangeKind::BecameRequired, "Item", Some("Name"), Severity::Breaking, &["types::Item::name"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
    // `T` -> `Option<T>` changes the field's type, too.
    let r = backward("member-required");
    expect(&r, ChangeKind::BecameOptional, "Item", Some("Name"), Severity::Breaking, &["types::Item::name"]);
}

#[test]
fn new_required_input_member_is_breaking() {
    let r = forward("required-member-added");
    expect(
        &r,
        ChangeKind::MemberAdded,
        "GetItemInput",
        Some("Region"),
        Severity::Breaking,
        &["types::GetItemInput::region"],
    );
    let r = backward("required-member-added");
    expect(
        &r,
        ChangeKind::MemberRemoved,
        "GetItemInput",
        Some("Region"),
        Severity::Breaking,
        &["types::GetItemInput::region"],
    );
}

#[test]
fn changed_target_type_is_breaking() {
    let r = forward("target-changed");
    expect(&r, ChangeKind::TargetChanged, "Item", Some("Price"), Severity::Breaking, &["types::Item::price"]);
    assert!(one(&r, ChangeKind::TargetChanged).reason.contains("`i32` to `String`"), "{}", r.render_text());
    // The old target's @range no longer applies: reported at the member, as a loosening.
    expect(
        &r,
        ChangeKind::ConstraintLoosened,
        "Item",
        Some("Price"),
        Severity::NeedsAttention,
        &["types::Item::price"],
    );
}

#[test]
fn target_with_the_same_rust_type_needs_attention_and_compares_constraints() {
    let r = forward("target-same-type");
    expect(&r, ChangeKind::TargetChanged, "Item", Some("Name"), Severity::NeedsAttention, &["types::Item::name"]);
    // ItemName was 1..=128; Description has only max 1000: the minimum went, the maximum grew.
    let c = one(&r, ChangeKind::ConstraintLoosened);
    assert_eq!((c.member.as_deref(), c.severity), (Some("Name"), Severity::NeedsAttention));
    assert!(!r.is_breaking(), "{}", r.render_text());
}

#[test]
fn changed_http_method_uri_and_binding_are_breaking() {
    let r = forward("http-method");
    expect(&r, ChangeKind::HttpMethodChanged, "GetItem", None, Severity::Breaking, &["Client::get_item"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());

    let r = forward("http-uri");
    expect(&r, ChangeKind::HttpUriChanged, "GetItem", None, Severity::Breaking, &["Client::get_item"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());

    let r = forward("http-binding");
    expect(
        &r,
        ChangeKind::HttpBindingChanged,
        "GetItemInput",
        Some("Verbose"),
        Severity::Breaking,
        &["types::GetItemInput::verbose"],
    );
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
    assert!(
        r.changes[0].summary.contains("the query parameter `verbose` to the header `X-Verbose`"),
        "{}",
        r.render_text()
    );
}

#[test]
fn tightened_length_is_breaking_and_loosened_needs_attention() {
    let r = forward("length-tightened");
    expect(&r, ChangeKind::ConstraintTightened, "ItemName", None, Severity::Breaking, &["types::Item::name"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
    let r = backward("length-tightened");
    expect(&r, ChangeKind::ConstraintLoosened, "ItemName", None, Severity::NeedsAttention, &["types::Item::name"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn narrower_range_is_breaking() {
    let r = forward("range-narrowed");
    expect(&r, ChangeKind::ConstraintTightened, "Price", None, Severity::Breaking, &["types::Item::price"]);
    let r = backward("range-narrowed");
    expect(&r, ChangeKind::ConstraintLoosened, "Price", None, Severity::NeedsAttention, &["types::Item::price"]);
}

#[test]
fn new_or_changed_pattern_is_breaking_and_removed_pattern_needs_attention() {
    let r = forward("pattern-added");
    expect(&r, ChangeKind::ConstraintTightened, "Description", None, Severity::Breaking, &["types::Item::description"]);
    let r = forward("pattern-changed");
    expect(&r, ChangeKind::ConstraintTightened, "ItemId", None, Severity::Breaking, &["types::GetItemInput::item_id"]);
    let r = backward("pattern-added");
    expect(
        &r,
        ChangeKind::ConstraintLoosened,
        "Description",
        None,
        Severity::NeedsAttention,
        &["types::Item::description"],
    );
}

#[test]
fn tightened_constraint_only_in_responses_is_safe() {
    // The client validates inputs only; `Etag` is only in `GetItemOutput`.
    let r = forward("output-only-tightened");
    expect(&r, ChangeKind::ConstraintTightened, "Etag", None, Severity::Safe, &["types::GetItemOutput::etag"]);
    assert!(!r.is_breaking());
}

#[test]
fn constraint_on_list_items_affects_the_fields_holding_the_list() {
    let r = forward("list-item-tightened");
    expect(&r, ChangeKind::ConstraintTightened, "Tag", None, Severity::Breaking, &["types::Item::tags"]);
}

#[test]
fn removed_error_is_breaking_and_new_error_needs_attention() {
    let r = forward("error-removed");
    expect(
        &r,
        ChangeKind::ErrorRemoved,
        "GetItem",
        None,
        Severity::Breaking,
        &["operation::get_item::GetItemError::NotFound"],
    );
    expect(&r, ChangeKind::ShapeRemoved, "NotFound", None, Severity::Breaking, &["types::NotFound"]);

    let r = backward("error-removed");
    expect(
        &r,
        ChangeKind::ErrorAdded,
        "GetItem",
        None,
        Severity::NeedsAttention,
        &["operation::get_item::GetItemError::NotFound"],
    );
    expect(&r, ChangeKind::ShapeAdded, "NotFound", None, Severity::Safe, &["types::NotFound"]);
    assert!(!r.is_breaking(), "{}", r.render_text());
}

#[test]
fn renamed_wire_name_is_breaking() {
    let r = forward("json-name");
    expect(&r, ChangeKind::JsonNameChanged, "Item", Some("Name"), Severity::Breaking, &["types::Item::name"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn sensitive_added_or_removed_needs_attention() {
    let r = forward("sensitive-added");
    expect(
        &r,
        ChangeKind::SensitiveAdded,
        "Description",
        None,
        Severity::NeedsAttention,
        &["types::Item::description"],
    );
    let r = backward("sensitive-added");
    expect(
        &r,
        ChangeKind::SensitiveRemoved,
        "Description",
        None,
        Severity::NeedsAttention,
        &["types::Item::description"],
    );
}

#[test]
fn changed_default_needs_attention() {
    let r = forward("default-changed");
    expect(&r, ChangeKind::DefaultChanged, "Item", Some("Count"), Severity::NeedsAttention, &["types::Item::count"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn changed_idempotency_token_needs_attention() {
    let r = forward("idempotency-token-removed");
    expect(
        &r,
        ChangeKind::IdempotencyTokenChanged,
        "PutItemInput",
        Some("ClientToken"),
        Severity::NeedsAttention,
        &["types::PutItemInput::client_token"],
    );
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
    let r = backward("idempotency-token-removed");
    expect(
        &r,
        ChangeKind::IdempotencyTokenChanged,
        "PutItemInput",
        Some("ClientToken"),
        Severity::NeedsAttention,
        &["types::PutItemInput::client_token"],
    );
}

#[test]
fn removed_enum_value_is_breaking_and_new_value_is_safe() {
    let r = forward("enum-values");
    expect(&r, ChangeKind::EnumValueRemoved, "ItemKind", Some("FILM"), Severity::Breaking, &["types::ItemKind::Film"]);
    expect(&r, ChangeKind::EnumValueAdded, "ItemKind", Some("GAME"), Severity::Safe, &["types::ItemKind::Game"]);
    assert_eq!(r.changes.len(), 2, "{}", r.render_text());
}

#[test]
fn renamed_enum_member_is_one_breaking_rename() {
    let r = forward("enum-renamed");
    expect(
        &r,
        ChangeKind::EnumVariantRenamed,
        "ItemKind",
        Some("BOOK"),
        Severity::Breaking,
        &["types::ItemKind::Book", "types::ItemKind::Books"],
    );
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn documentation_and_order_changes_are_only_documentation() {
    let r = forward("docs-and-order");
    assert_eq!(kinds(&r), [ChangeKind::Documentation, ChangeKind::Documentation], "{}", r.render_text());
    assert!(r.changes.iter().all(|c| c.severity == Severity::Safe));
    assert_eq!(r.changes[0].items, ["types::Item"]);
    assert_eq!(
        (r.changes[1].member.as_deref(), r.changes[1].items.as_slice()),
        (Some("Name"), ["types::Item::name".to_owned()].as_slice())
    );
}

#[test]
fn new_union_variant_is_safe_and_removed_variant_is_breaking() {
    let r = forward("union-variant-added");
    expect(&r, ChangeKind::MemberAdded, "Origin", Some("Gift"), Severity::Safe, &["types::Origin::Gift"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
    let r = backward("union-variant-added");
    expect(&r, ChangeKind::MemberRemoved, "Origin", Some("Gift"), Severity::Breaking, &["types::Origin::Gift"]);
}

#[test]
fn renamed_rust_type_is_breaking() {
    // The service's `rename` changes the Rust name, not the shape ID.
    let r = forward("renamed-type");
    expect(&r, ChangeKind::TypeRenamed, "Origin", None, Severity::Breaking, &["types::ItemOrigin", "types::Origin"]);
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn smithy_1_enum_value_order_is_only_an_order_change() {
    // 1.0 `@enum` values keep their order; structure members are matched by name.
    let r = report(&load("v1-enum-order.old"), &load("v1-enum-order.new"));
    let c = one(&r, ChangeKind::MemberOrder);
    assert_eq!(
        (c.shape.as_str(), c.severity, c.items.as_slice()),
        ("example.paint#Color", Severity::Safe, ["types::Color".to_owned()].as_slice())
    );
    assert_eq!(r.changes.len(), 1, "{}", r.render_text());
}

#[test]
fn severity_order_and_exit_semantics() {
    assert!(Severity::Breaking > Severity::NeedsAttention && Severity::NeedsAttention > Severity::Safe);
    let r = forward("sensitive-added");
    assert!(!r.is_breaking());
    assert_eq!(r.worst(), Some(Severity::NeedsAttention));
}

#[test]
fn json_output_is_machine_readable() {
    let r = forward("enum-values");
    let v: Value = serde_json::from_str(&r.render_json()).unwrap();
    assert_eq!(v["breaking"], true);
    assert_eq!(v["summary"]["breaking"], 1);
    assert_eq!(v["summary"]["safe"], 1);
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0]["shape"], "example.shop#ItemKind");
    assert_eq!(changes[0]["member"], "FILM");
    assert_eq!(changes[0]["kind"], "enum-value-removed");
    assert_eq!(changes[0]["severity"], "breaking");
    assert_eq!(changes[0]["items"], serde_json::json!(["types::ItemKind::Film"]));
}

#[test]
fn markdown_output_groups_by_shape() {
    let r = forward("enum-values");
    let md = r.render_markdown();
    assert!(md.starts_with("## Model diff\n\n1 breaking, 0 needing attention, 1 safe\n"), "{md}");
    assert!(md.contains("### `example.shop#ItemKind`"), "{md}");
    assert!(md.contains("| **breaking** | `FILM` | value `FILM` removed |"), "{md}");
    // Table cells escape pipes (patterns often contain them).
    let mut with_pipe = r.clone();
    with_pipe.changes[0].summary = "a|b".to_owned();
    assert!(with_pipe.render_markdown().contains("a\\|b"));
}

/// The generated crate's files for `model`.
fn generated(model: &Model) -> std::collections::BTreeMap<String, String> {
    let options =
        CrateOptions::new("awslim-diff-test", awslim_codegen::RuntimeDependency::Path("../runtime".to_owned()));
    awslim_codegen::generate(model, &Selection::default(), &options).expect("generates")
}

/// The text of `pub struct name {` / `pub enum name {` up to its closing brace.
fn item_body<'a>(code: &'a str, name: &str) -> Option<&'a str> {
    let start = code.find(&format!("pub struct {name} {{")).or_else(|| code.find(&format!("pub enum {name} {{")))?;
    let rest = &code[start..];
    Some(&rest[..rest.find("\n}\n")?])
}

/// Whether the item a report names (`types::T`, `types::T::field`, `types::E::Variant`,
/// `Client::method`, `operation::m::Error::Variant`) is declared in these files.
fn declares(files: &std::collections::BTreeMap<String, String>, item: &str) -> bool {
    let parts: Vec<&str> = item.split("::").collect();
    let types = &files["src/types.rs"];
    match parts.as_slice() {
        ["Client"] => files["src/client.rs"].contains("pub struct Client {"),
        ["Client", method] => files["src/client.rs"].contains(&format!("pub async fn {method}(")),
        ["types", ty] => item_body(types, ty).is_some(),
        ["types", ty, inner] => item_body(types, ty).is_some_and(|body| {
            let field = inner.starts_with(|c: char| c.is_ascii_lowercase());
            if field {
                body.contains(&format!("pub {inner}:"))
            } else {
                body.contains(&format!("    {inner},")) || body.contains(&format!("    {inner}("))
            }
        }),
        ["operation", module, error, variant] => files
            .get(&format!("src/operation/{}.rs", module.trim_start_matches("r#")))
            .and_then(|code| item_body(code, error))
            .is_some_and(|body| body.contains(&format!("    {variant}("))),
        _ => false,
    }
}

#[test]
fn every_affected_item_is_declared_in_the_generated_code() {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned();
        if !matches!(name.as_str(), "base" | "connect-base" | "connect-evolved") && !name.starts_with("v1-") {
            pairs.push(("base".to_owned(), name.clone()));
            pairs.push((name, "base".to_owned()));
        }
    }
    pairs.push(("v1-enum-order.old".to_owned(), "v1-enum-order.new".to_owned()));
    let mut checked = 0;
    for (old_name, new_name) in &pairs {
        let (old, new) = (load(old_name), load(new_name));
        let r = report(&old, &new);
        assert!(!r.is_empty() || old_name == new_name, "{old_name} -> {new_name} reports nothing");
        let (old_files, new_files) = (generated(&old), generated(&new));
        for c in &r.changes {
            assert!(!c.items.is_empty(), "{old_name} -> {new_name}: no items for {c:?}");
            for item in &c.items {
                assert!(
                    declares(&old_files, item) || declares(&new_files, item),
                    "{old_name} -> {new_name}: `{item}` is not in either generated crate ({c:?})"
                );
                checked += 1;
            }
        }
    }
    let evolved = report(&load("connect-base"), &load("connect-evolved"));
    let new_files = generated(&load("connect-evolved"));
    for item in evolved.changes.iter().flat_map(|c| &c.items) {
        assert!(declares(&new_files, item), "`{item}` is not in the evolved crate");
        checked += 1;
    }
    assert!(checked > 60, "{checked}");
    // And the check itself can fail.
    assert!(declares(&new_files, "Client"));
    for bogus in [
        "types::StartWebRtcContactRequest::nope",
        "types::ReferenceType::Nope",
        "types::Nope",
        "Client::nope",
        "operation::start_web_rtc_contact::StartWebRtcContactError::Nope",
    ] {
        assert!(!declares(&new_files, bogus), "{bogus}");
    }
    assert!(declares(&new_files, "operation::start_web_rtc_contact::StartWebRtcContactError::LimitExceededException"));
    assert!(declares(&new_files, "types::Reference::r#type"));
}

// ---- The StartWebRTCContact model ----

#[test]
fn connect_model_against_itself_reports_nothing() {
    let r = report(&connect(), &connect());
    assert!(r.is_empty(), "{}", r.render_text());
    assert_eq!(r.render_text(), "Model diff: no changes that affect the generated crate\n");
}

/// JSON text with every object's keys in reverse order (serde_json's map is sorted, so the
/// text is built by hand).
fn reversed_json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let parts: Vec<String> =
                map.iter().rev().map(|(k, v)| format!("{}:{}", Value::String(k.clone()), reversed_json(v))).collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(reversed_json).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

#[test]
fn connect_model_with_every_key_reordered_reports_nothing() {
    let original: Value = serde_json::from_str(awslim_codegen::DEFAULT_MODEL).unwrap();
    let text = reversed_json(&original);
    // The text really is reordered, whatever the model holds: the first and last shapes (in
    // sorted order) swap places, and a shape with traits lists `type` before `traits`.
    let shapes = original["shapes"].as_object().unwrap();
    let (first, last) = (shapes.keys().next().unwrap(), shapes.keys().next_back().unwrap());
    let pos = |s: &str| text.find(&format!("{}:", Value::String(s.to_owned()))).unwrap();
    assert!(shapes.len() < 2 || pos(last) < pos(first), "{}", &text[..200]);
    let (id, shape) = shapes.iter().find(|(_, s)| s.get("traits").is_some()).unwrap();
    let head = format!("{}:{{\"type\":{},\"traits\":", Value::String(id.clone()), shape["type"]);
    assert!(text.contains(&head), "{head} in {}", &text[..200]);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), original);
    let r = report(&connect(), &load_text("reordered", &text));
    assert!(r.is_empty(), "{}", r.render_text());
}

#[test]
fn connect_model_evolution() {
    // Pinned to the model version the evolution was written against (not the live
    // model/connect.json), so a later change to the model does not break this test.
    let r = report(&load("connect-base"), &load("connect-evolved"));
    let text = r.render_text();

    // The new optional member targets a new, recursive structure.
    let member = r.changes.iter().find(|c| c.kind == ChangeKind::MemberAdded).expect(&text);
    assert_eq!(
        (member.shape.as_str(), member.member.as_deref()),
        ("com.amazonaws.connect#StartWebRTCContactRequest", Some("Note"))
    );
    assert_eq!(
        (member.severity, member.items.as_slice()),
        (Severity::Safe, ["types::StartWebRtcContactRequest::note".to_owned()].as_slice())
    );
    let shape = r.changes.iter().find(|c| c.kind == ChangeKind::ShapeAdded).expect(&text);
    assert_eq!(
        (shape.severity, shape.items.as_slice()),
        (Severity::Safe, ["types::ContactNote".to_owned()].as_slice())
    );

    let added: Vec<&str> = r
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::EnumValueAdded)
        .flat_map(|c| c.items.iter().map(String::as_str))
        .collect();
    assert_eq!(added, ["types::ReferenceType::Case", "types::ReferenceType::EmailAttachment"]);

    let tightened = one(&r, ChangeKind::ConstraintTightened);
    assert_eq!(
        (tightened.shape.as_str(), tightened.severity),
        ("com.amazonaws.connect#DisplayName", Severity::Breaking)
    );
    assert_eq!(tightened.items, ["types::ParticipantDetails::display_name"]);

    let sensitive = one(&r, ChangeKind::SensitiveRemoved);
    assert_eq!(
        (sensitive.shape.as_str(), sensitive.severity),
        ("com.amazonaws.connect#Description", Severity::NeedsAttention)
    );
    assert_eq!(sensitive.items, ["types::StartWebRtcContactRequest::description"]);

    assert!(r.is_breaking());
    assert_eq!(r.changes.len(), 6, "{text}");
    insta::assert_snapshot!("connect_evolution_text", text);
    insta::assert_snapshot!("connect_evolution_markdown", r.render_markdown());
}

#[test]
fn a_changed_endpoint_rule_set_is_summarised_not_dumped() {
    let mut doc: serde_json::Value = serde_json::from_str(awslim_codegen::DEFAULT_MODEL).unwrap();
    let rules = &mut doc["shapes"]["com.amazonaws.connect#AmazonConnectService"]["traits"]
        ["smithy.rules#endpointRuleSet"]["rules"];
    rules[1]["rules"].as_array_mut().unwrap().remove(0);
    let changed = load_text("changed", &doc.to_string());
    let r = report(&connect(), &changed);
    let text = r.render_text();
    assert!(text.contains("@smithy.rules#endpointRuleSet changed (`rules` differ)"), "{text}");
    assert!(text.lines().all(|l| l.len() < 200), "{text}");
    assert!(r.changes.iter().all(|c| c.items == ["Client"]), "{:?}", r.changes);
}

#[test]
fn auth_trait_changes_need_attention() {
    let mut json: Value = serde_json::from_str(awslim_codegen::DEFAULT_MODEL).unwrap();
    json["shapes"]["com.amazonaws.connect#StartWebRTCContact"]["traits"]["smithy.api#optionalAuth"] =
        serde_json::json!({});
    let new = load_text("optional-auth", &json.to_string());
    let r = report(&connect(), &new);
    let c = one(&r, ChangeKind::TraitChanged);
    assert_eq!(c.shape, "com.amazonaws.connect#StartWebRTCContact", "{c:?}");
    assert_eq!(c.severity, Severity::NeedsAttention, "{c:?}");
    assert!(c.reason.contains("auth scheme"), "{c:?}");
}
