//! `slice`: a minimal Smithy JSON AST model holding only what the chosen operations reach.
//!
//! The slice keeps the service shape (its traits: protocol, auth, endpoint rules, and its
//! `errors` and `rename` entries that still apply) with only the chosen operations, attached
//! directly to the service (resources are left out: they change nothing in the generated
//! client), and every shape those operations reach through members, inputs, outputs, errors,
//! mixins and custom trait definitions, with `apply` statements for them. Keys are sorted, so
//! the same choice from the same model always gives the same bytes, and a committed slice makes
//! later `diff`s show only changes that matter to the crate.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::ir::Selection;
use crate::model::{Model, ModelError, ModelErrors, Source};

/// Slices `sources` (merged) down to `selection`; the result is a model file's text.
pub fn slice(sources: &[Source<'_>], selection: &Selection) -> Result<String, crate::Error> {
    // Load and lower first: a bad model or an unknown operation gets the generator's errors.
    // Shapes are checked when the slice is generated, and only those it holds.
    let model = Model::parse(sources)?;
    let krate = crate::ir::lower(&model, selection)?;
    let service_id = krate.service.id.clone();
    let (version, shapes) = merged_shapes(sources)?;
    let Some(service) = shapes.get(&service_id).cloned() else {
        return Err(one_error(&service_id, "is not defined in the model files (only in the prelude?)").into());
    };
    let chosen: BTreeSet<String> = krate.operations.iter().map(|o| o.id.clone()).collect();

    let mut keep = BTreeSet::new();
    let mut stack: Vec<String> = chosen.iter().cloned().collect();
    collect_refs(&without(&service, &["operations", "resources", "rename"]), &shapes, &mut stack);
    while let Some(id) = stack.pop() {
        if !shapes.contains_key(&id) || !keep.insert(id.clone()) {
            continue;
        }
        collect_refs(&shapes[&id], &shapes, &mut stack);
    }

    let mut out = Map::new();
    for id in &keep {
        out.insert(id.clone(), shapes[id].clone());
    }
    for (id, shape) in &shapes {
        let target = id.split('$').next().unwrap_or(id);
        if shape.get("type").and_then(Value::as_str) == Some("apply") && keep.contains(target) {
            out.insert(id.clone(), shape.clone());
        }
    }
    out.insert(service_id, sliced_service(&service, &chosen, &keep));
    let mut root = Map::new();
    root.insert("smithy".into(), Value::String(version));
    root.insert("shapes".into(), Value::Object(out));
    let mut text = serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

fn one_error(shape: &str, message: &str) -> ModelErrors {
    ModelErrors(vec![ModelError { shape: shape.into(), member: None, pointer: None, message: message.into() }])
}

/// Every file's `shapes`, merged (later files win), and the first file's `smithy` version.
fn merged_shapes(sources: &[Source<'_>]) -> Result<(String, BTreeMap<String, Value>), ModelErrors> {
    let mut version = None;
    let mut shapes = BTreeMap::new();
    for s in sources {
        let v: Value = serde_json::from_str(s.text).map_err(|e| one_error(s.name, &format!("is not JSON: {e}")))?;
        if version.is_none() {
            version = v.get("smithy").and_then(Value::as_str).map(str::to_owned);
        }
        if let Some(Value::Object(m)) = v.get("shapes") {
            shapes.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    Ok((version.unwrap_or_else(|| "2.0".into()), shapes))
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Value::Object(m) = &mut v {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

/// Shape IDs `v` refers to: every `"target"` and every trait key defined as a shape.
fn collect_refs(v: &Value, shapes: &BTreeMap<String, Value>, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if k == "target" {
                    if let Some(t) = child.as_str() {
                        out.push(t.to_owned());
                    }
                } else if k.contains('#') && shapes.contains_key(k) {
                    out.push(k.clone());
                }
                collect_refs(child, shapes, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, shapes, out)),
        _ => {}
    }
}

/// The service with only the chosen operations, no resources, and `rename` entries kept only
/// for shapes in the slice.
fn sliced_service(service: &Value, chosen: &BTreeSet<String>, keep: &BTreeSet<String>) -> Value {
    let mut s = without(service, &["operations", "resources"]);
    if let Value::Object(m) = &mut s {
        let ops: Vec<Value> = chosen.iter().map(|id| serde_json::json!({ "target": id })).collect();
        m.insert("operations".into(), Value::Array(ops));
        if let Some(Value::Object(rename)) = m.get_mut("rename") {
            rename.retain(|id, _| keep.contains(id));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_of_the_default_model_generates_the_same_crate_and_is_stable() {
        let src = [Source { name: "connect.json", text: crate::DEFAULT_MODEL }];
        let sel = Selection::default();
        let text = slice(&src, &sel).unwrap();
        let again = slice(&[Source { name: "s", text: &text }], &sel).unwrap();
        assert_eq!(text, again, "slicing a slice changes nothing");
        let opts = crate::CrateOptions::new("x", crate::RuntimeDependency::Path("../runtime".into()));
        let whole = crate::generate(&Model::load(&src).unwrap(), &sel, &opts).unwrap();
        let sliced = crate::generate(&Model::load(&[Source { name: "s", text: &text }]).unwrap(), &sel, &opts).unwrap();
        assert_eq!(whole, sliced);
    }

    #[test]
    fn unknown_operation_is_named() {
        let src = [Source { name: "connect.json", text: crate::DEFAULT_MODEL }];
        let sel = Selection { service: None, operations: Some(vec!["NoSuchThing".into()]) };
        let err = slice(&src, &sel).unwrap_err().to_string();
        assert!(err.contains("NoSuchThing"), "{err}");
    }
}
