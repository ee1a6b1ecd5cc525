//! Lowering of `smithy.waiters#waitable` into the IR: for every selected operation with the
//! trait, each waiter with its acceptors. JMESPath paths are parsed here with the runtime's
//! own parser (the same source file), so a bad path is a generation error naming the waiter.

use serde_json::Value;

use crate::ir::Crate;
use crate::model::{Model, ModelError};

#[allow(dead_code)] // only `parse` is needed here; evaluation is the runtime's business
#[path = "../../runtime/src/jmespath.rs"]
mod jmespath;

const WAITABLE: &str = "smithy.waiters#waitable";

/// What an acceptor does when it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Success,
    Failure,
    Retry,
}

/// When an acceptor matches.
#[derive(Clone, Debug, PartialEq)]
pub enum Matcher {
    /// `output` (`input_output == false`) or `inputOutput`: a path, expected value, comparator
    /// (`stringEquals`, `booleanEquals`, `allStringEquals`, `anyStringEquals`).
    Path {
        input_output: bool,
        path: String,
        expected: String,
        comparator: String,
    },
    Success(bool),
    ErrorType(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Acceptor {
    pub state: State,
    pub matcher: Matcher,
}

/// One waiter of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiter {
    /// The waiter's name in the model (`GadgetReady`).
    pub name: String,
    /// `wait_until_gadget_ready`.
    pub method: String,
    /// Marker type implementing the runtime's `Waitable` (`GadgetReadyWaiter`).
    pub type_name: String,
    pub operation: String,
    pub module: String,
    pub error_name: String,
    pub input: Option<String>,
    pub output: Option<String>,
    pub docs: Vec<String>,
    pub acceptors: Vec<Acceptor>,
    /// Seconds.
    pub min_delay: u64,
    pub max_delay: u64,
}

fn err(shape: &str, message: impl Into<String>) -> ModelError {
    ModelError { shape: shape.to_owned(), member: None, pointer: None, message: message.into() }
}

/// The waiters of `krate`'s operations, sorted by name; problems go to `errors`.
pub fn lower(model: &Model, krate: &Crate, errors: &mut Vec<ModelError>) -> Vec<Waiter> {
    let mut out = Vec::new();
    for op in &krate.operations {
        let Some(waiters) = model.shape(&op.id).and_then(|s| s.traits.get(WAITABLE)).and_then(Value::as_object) else {
            continue;
        };
        for (name, w) in waiters {
            let at = |m: &str| err(&op.id, format!("waiter `{name}`: {m}"));
            let acceptors: Result<Vec<Acceptor>, String> = w
                .get("acceptors")
                .and_then(Value::as_array)
                .ok_or_else(|| "has no `acceptors` list".to_owned())
                .and_then(|list| {
                    list.iter()
                        .enumerate()
                        .map(|(i, a)| acceptor(a).map_err(|e| format!("acceptor {i}: {e}")))
                        .collect()
                });
            let delay = |key: &str, default: u64| w.get(key).map_or(Some(default), Value::as_u64);
            let (min_delay, max_delay) = match (delay("minDelay", 2), delay("maxDelay", 120)) {
                (Some(min), Some(max)) if min >= 1 && max >= min => (min, max),
                _ => {
                    errors.push(at("`minDelay` and `maxDelay` must be whole seconds, 1 <= minDelay <= maxDelay"));
                    continue;
                }
            };
            match acceptors {
                Err(e) => errors.push(at(&e)),
                Ok(acceptors) if acceptors.is_empty() => errors.push(at("has no acceptors")),
                Ok(acceptors) => out.push(Waiter {
                    method: crate::naming::waiter_method_name(name),
                    type_name: crate::naming::waiter_type_name(name),
                    name: name.clone(),
                    operation: op.name.clone(),
                    module: op.module.clone(),
                    error_name: op.error_name.clone(),
                    input: op.input.clone(),
                    output: op.output.clone(),
                    docs: w
                        .get("documentation")
                        .and_then(Value::as_str)
                        .map(crate::docs::to_markdown)
                        .unwrap_or_default(),
                    acceptors,
                    min_delay,
                    max_delay,
                }),
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    for w in &out {
        if krate.operations.iter().any(|o| o.module == w.method) {
            errors.push(err(
                &w.operation,
                format!("waiter `{}` becomes `{}`, the name of an operation's method", w.name, w.method),
            ));
        }
    }
    for pair in out.windows(2) {
        if pair[0].method == pair[1].method {
            errors.push(err(
                &pair[1].operation,
                format!("waiters `{}` and `{}` both become `{}`", pair[0].name, pair[1].name, pair[1].method),
            ));
        }
    }
    out
}

fn acceptor(a: &Value) -> Result<Acceptor, String> {
    let state = match a.get("state").and_then(Value::as_str) {
        Some("success") => State::Success,
        Some("failure") => State::Failure,
        Some("retry") => State::Retry,
        other => return Err(format!("unknown state {other:?}")),
    };
    let m = a.get("matcher").and_then(Value::as_object).ok_or("has no `matcher`")?;
    let matcher = match m.iter().next().map(|(k, v)| (k.as_str(), v)) {
        Some((kind @ ("output" | "inputOutput"), p)) => {
            let field =
                |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned).ok_or(format!("`{kind}` needs `{k}`"));
            let (path, expected, comparator) = (field("path")?, field("expected")?, field("comparator")?);
            if !["stringEquals", "booleanEquals", "allStringEquals", "anyStringEquals"].contains(&comparator.as_str()) {
                return Err(format!("unknown comparator `{comparator}`"));
            }
            jmespath::parse(&path).map_err(|e| format!("path `{path}`: {e}"))?;
            Matcher::Path { input_output: kind == "inputOutput", path, expected, comparator }
        }
        Some(("success", v)) => Matcher::Success(v.as_bool().ok_or("`success` must be a boolean")?),
        Some(("errorType", v)) => Matcher::ErrorType(v.as_str().ok_or("`errorType` must be a string")?.to_owned()),
        other => return Err(format!("unknown matcher {:?}", other.map(|(k, _)| k))),
    };
    Ok(Acceptor { state, matcher })
}
