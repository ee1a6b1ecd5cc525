//! Lowering of `smithy.api#paginated` into the IR: for every selected operation with the
//! trait (on the operation, completed by the service's defaults), the Rust field paths of its
//! tokens, items and page size, checked against the operation's input and output.

use serde_json::Value;

use crate::ir::{Crate, Field, Presence, Struct, Type, ValueType};
use crate::model::{Model, ModelError, Shape};

const PAGINATED: &str = "smithy.api#paginated";

/// One step of a member path: a field of the structure reached so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Rust field name.
    pub field: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// Whether the field is boxed.
    pub boxed: bool,
}

/// A resolved member path and the type it ends at.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub steps: Vec<Step>,
    pub value: ValueType,
}

/// A paginated operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Paginator {
    /// The operation's Smithy name and module.
    pub operation: String,
    pub module: String,
    /// The operation's error enum.
    pub error_name: String,
    /// Marker type implementing the runtime's `Paginated` (`ListThingsPaginator`).
    pub type_name: String,
    pub input: String,
    pub output: String,
    /// A top-level input member.
    pub input_token: Path,
    pub output_token: Path,
    /// A list or map, possibly nested in the output.
    pub items: Option<Path>,
    /// A top-level input member of an integer type.
    pub page_size: Option<Path>,
}

fn err(shape: &str, member: Option<&str>, message: impl Into<String>) -> ModelError {
    ModelError { shape: shape.to_owned(), member: member.map(str::to_owned), pointer: None, message: message.into() }
}

/// The paginators of `krate`'s operations; problems go to `errors`, each naming the operation.
pub fn lower(model: &Model, service: &Shape, krate: &Crate, errors: &mut Vec<ModelError>) -> Vec<Paginator> {
    let defaults = service.traits.get(PAGINATED);
    let mut out = Vec::new();
    for op in &krate.operations {
        let Some(own) = model.shape(&op.id).and_then(|s| s.traits.get(PAGINATED)) else { continue };
        let setting = |key: &str| {
            own.get(key).or_else(|| defaults.and_then(|d| d.get(key))).and_then(Value::as_str).map(str::to_owned)
        };
        let id = op.id.as_str();
        let (Some(input), Some(output)) = (
            op.input.as_deref().and_then(|n| krate.find_struct(n)),
            op.output.as_deref().and_then(|n| krate.find_struct(n)),
        ) else {
            errors.push(err(id, None, "is @paginated but has no input or no output structure"));
            continue;
        };
        let (Some(input_token), Some(output_token)) = (setting("inputToken"), setting("outputToken")) else {
            errors.push(err(
                id,
                None,
                "@paginated needs `inputToken` and `outputToken` (on the operation or the service)",
            ));
            continue;
        };
        let mut resolve = |s: &Struct, path: &str, nested: bool| {
            resolve(krate, s, path, nested).map_err(|e| errors.push(err(id, None, format!("@paginated: {e}")))).ok()
        };
        let in_token = resolve(input, &input_token, false);
        let out_token = resolve(output, &output_token, true);
        let items = setting("items").map(|p| resolve(output, &p, true));
        let page_size = setting("pageSize").map(|p| resolve(input, &p, false));
        let (Some(in_token), Some(out_token)) = (in_token, out_token) else { continue };
        if in_token.value.ty != out_token.value.ty {
            errors.push(err(
                id,
                None,
                format!("@paginated: `{input_token}` and `{output_token}` have different types"),
            ));
            continue;
        }
        if let Some(Some(p)) = &items {
            if !matches!(p.value.ty, Type::List { .. } | Type::Map { .. }) {
                errors.push(err(id, None, "@paginated: `items` must be a list or a map"));
                continue;
            }
        }
        if let Some(Some(p)) = &page_size {
            if !matches!(p.value.ty, Type::Integer | Type::Long) {
                errors.push(err(id, None, "@paginated: `pageSize` must be an integer or a long"));
                continue;
            }
        }
        out.push(Paginator {
            operation: op.name.clone(),
            module: op.module.clone(),
            error_name: op.error_name.clone(),
            type_name: crate::naming::paginator_type_name(&op.name),
            input: input.name.clone(),
            output: output.name.clone(),
            input_token: in_token,
            output_token: out_token,
            items: items.flatten(),
            page_size: page_size.flatten(),
        });
    }
    out
}

/// Follows `path` (`a.b` member names; only one member unless `nested`) from `start`.
fn resolve(krate: &Crate, start: &Struct, path: &str, nested: bool) -> Result<Path, String> {
    let names: Vec<&str> = path.split('.').collect();
    if names.len() > 1 && !nested {
        return Err(format!("`{path}` must be a top-level member of `{}`", start.id));
    }
    let mut here = start;
    let mut steps = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let Some(field) = here.fields.iter().find(|f| f.member == *name) else {
            return Err(format!("`{path}`: `{}` has no member `{name}`", here.id));
        };
        steps.push(step(field));
        if i + 1 == names.len() {
            return Ok(Path { steps, value: field.value.clone() });
        }
        here = match &field.value.ty {
            Type::Struct(n) => krate.find_struct(n).ok_or_else(|| format!("`{path}`: `{n}` is not generated"))?,
            _ => return Err(format!("`{path}`: `{}${name}` is not a structure", here.id)),
        };
    }
    Err(format!("`{path}` is empty"))
}

fn step(f: &Field) -> Step {
    Step { field: f.name.clone(), optional: f.presence == Presence::Optional, boxed: f.boxed }
}
