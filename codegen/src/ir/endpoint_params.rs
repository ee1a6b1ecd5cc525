//! Endpoint parameters an operation or the service binds (Smithy rules-engine traits):
//! `smithy.rules#contextParam` (input members), `smithy.rules#staticContextParams` and
//! `smithy.rules#operationContextParams` (operations), `smithy.rules#clientContextParams`
//! (service). Paths are parsed and checked against the input shape here, so the emitter only
//! turns them into typed field accesses.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{err, Lowering};
use crate::model::{self, Shape, ShapeKind};

pub const CONTEXT_PARAM: &str = "smithy.rules#contextParam";
pub const STATIC_CONTEXT_PARAMS: &str = "smithy.rules#staticContextParams";
pub const OPERATION_CONTEXT_PARAMS: &str = "smithy.rules#operationContextParams";
pub const CLIENT_CONTEXT_PARAMS: &str = "smithy.rules#clientContextParams";

/// The type of an endpoint parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    String,
    Bool,
    StringArray,
}

impl ParamKind {
    fn parse(text: &str) -> Option<ParamKind> {
        match text.to_ascii_lowercase().as_str() {
            "string" => Some(ParamKind::String),
            "boolean" => Some(ParamKind::Bool),
            "stringarray" => Some(ParamKind::StringArray),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::String => "String",
            ParamKind::Bool => "Boolean",
            ParamKind::StringArray => "StringArray",
        }
    }
}

/// A `staticContextParams` value.
#[derive(Clone, Debug, PartialEq)]
pub enum StaticValue {
    String(String),
    Bool(bool),
    StringArray(Vec<String>),
}

/// One step of an `operationContextParams` path (a `contextParam` is a one-step path).
#[derive(Clone, Debug, PartialEq)]
pub enum PathStep {
    /// `.Member` (or the first identifier): a structure member, by its model name.
    Member(String),
    /// `[*]`: project over a list.
    Project,
    /// `[]`: flatten a list (or a projection of lists).
    Flatten,
    /// `keys(...)` around the whole path before it: a map's keys.
    Keys,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamSource {
    Static(StaticValue),
    /// From the input: a `contextParam` member (one step) or an `operationContextParams` path.
    Input(Vec<PathStep>),
}

/// One endpoint parameter an operation sets.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointParam {
    /// The rule-set parameter name.
    pub name: String,
    pub kind: ParamKind,
    pub source: ParamSource,
    /// Where it comes from, for docs: the trait and path.
    pub origin: String,
}

/// Where a path stops making sense (shape, member) and why.
type PathError = (String, Option<String>, String);

/// A `clientContextParams` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientContextParam {
    pub name: String,
    pub kind: ParamKind,
    pub docs: Vec<String>,
}

/// The rule set's parameters: name -> type.
fn rule_set_params(service: &Shape) -> BTreeMap<String, ParamKind> {
    let params = service.traits.get(model::ENDPOINT_RULE_SET).and_then(|r| r.get("parameters"));
    params
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(name, p)| Some((name.clone(), ParamKind::parse(p.get("type").and_then(Value::as_str)?)?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Parses an `operationContextParams` path: identifiers joined by `.`, `[*]`, `[]`, optionally
/// inside `keys(...)`.
fn parse_path(path: &str) -> Result<Vec<PathStep>, String> {
    let trimmed = path.trim();
    let (inner, keys) = match trimmed.strip_prefix("keys(").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (inner.trim(), true),
        None => (trimmed, false),
    };
    let mut steps = Vec::new();
    let mut rest = inner;
    let mut expect_ident = true;
    while !rest.is_empty() {
        if expect_ident {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let ident = &rest[..end];
            if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!("expected a member name at `{rest}`"));
            }
            steps.push(PathStep::Member(ident.to_owned()));
            rest = &rest[end..];
            expect_ident = false;
        } else if let Some(r) = rest.strip_prefix("[*]") {
            steps.push(PathStep::Project);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("[]") {
            steps.push(PathStep::Flatten);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            expect_ident = true;
        } else {
            return Err(format!(
                "`{rest}` is outside the supported JMESPath subset (member names, `.`, `[*]`, `[]`, `keys(...)`)"
            ));
        }
    }
    if steps.is_empty() || expect_ident {
        return Err(String::from("the path is empty or ends with `.`"));
    }
    if keys {
        steps.push(PathStep::Keys);
    }
    Ok(steps)
}

impl<'m> Lowering<'m> {
    /// Checks `steps` against the input shape; the error names the shape and member where the
    /// path stops making sense. `Ok(true)`: the path ends at a single list of strings bound to a
    /// `StringArray` parameter (the list is the value, as if `[]` followed).
    fn check_path(&self, input: &'m Shape, steps: &[PathStep], kind: ParamKind) -> Result<bool, PathError> {
        let mut shape = input;
        let mut many = false;
        // The structure and member the value was last read from, for messages.
        let mut at: (String, Option<String>) = (input.id.clone(), None);
        for step in steps {
            match step {
                PathStep::Member(name) => {
                    if shape.kind != ShapeKind::Structure {
                        return Err((at.0, at.1, format!("`{name}`: {} is not a structure", shape.id)));
                    }
                    let Some(m) = shape.member(name) else {
                        return Err((shape.id.clone(), None, format!("has no member `{name}`")));
                    };
                    at = (shape.id.clone(), Some(name.clone()));
                    shape = self.shape(&m.target);
                }
                PathStep::Project | PathStep::Flatten | PathStep::Keys => {
                    let wanted = if *step == PathStep::Keys { ShapeKind::Map } else { ShapeKind::List };
                    if shape.kind != wanted || (many && *step != PathStep::Flatten) {
                        let what = match step {
                            PathStep::Keys => "`keys(...)` needs a single map",
                            PathStep::Project => "`[*]` needs a single list (nested projections are not supported)",
                            _ => "`[]` needs a list",
                        };
                        return Err((at.0, at.1, format!("{what}, found {:?} ({})", shape.kind, shape.id)));
                    }
                    let item = if *step == PathStep::Keys { "key" } else { "member" };
                    shape = shape.member(item).map_or(self.unit, |m| self.shape(&m.target));
                    many = true;
                }
            }
        }
        let is_stringy = |s: &Shape| matches!(s.kind, ShapeKind::String | ShapeKind::Enum);
        let stringy = is_stringy(shape);
        let list_of_strings = !many
            && shape.kind == ShapeKind::List
            && shape.member("member").is_some_and(|m| is_stringy(self.shape(&m.target)));
        let ok = match kind {
            ParamKind::String => !many && stringy,
            ParamKind::Bool => !many && shape.kind == ShapeKind::Boolean,
            ParamKind::StringArray => (many && stringy) || list_of_strings,
        };
        if ok {
            Ok(kind == ParamKind::StringArray && list_of_strings)
        } else {
            let got = format!("{}{:?} ({})", if many { "a list of " } else { "" }, shape.kind, shape.id);
            Err((at.0, at.1, format!("the parameter is a {} but the path yields {got}", kind.as_str())))
        }
    }

    /// The endpoint parameters of operation `op`, lowest precedence first:
    /// `operationContextParams`, `contextParam` members, `staticContextParams`.
    pub(super) fn operation_endpoint_params(&mut self, op: &'m Shape, service: &Shape) -> Vec<EndpointParam> {
        let declared = rule_set_params(service);
        let input = op.relations.input.as_deref().map(|id| self.shape(id));
        let mut out = Vec::new();
        let mut add = |this: &mut Self, name: &str, member: Option<&str>, origin: String, source: ParamSource| {
            let shape = member.map_or(op.id.as_str(), |_| input.map_or(op.id.as_str(), |s| s.id.as_str()));
            let Some(&kind) = declared.get(name) else {
                this.errors.push(err(
                    shape,
                    member,
                    format!("{origin}: the endpoint rule set has no parameter `{name}`"),
                ));
                return;
            };
            let mut source = source;
            let checked = match (&source, input) {
                (ParamSource::Static(v), _) => static_matches(v, kind)
                    .then_some(false)
                    .ok_or_else(|| (shape.to_owned(), None, format!("{origin}: the value is not a {}", kind.as_str()))),
                (ParamSource::Input(steps), Some(input)) => {
                    this.check_path(input, steps, kind).map_err(|(at, m, why)| (at, m, format!("{origin}: {why}")))
                }
                (ParamSource::Input(_), None) => {
                    Err((op.id.clone(), None, format!("{origin}: the operation has no input")))
                }
            };
            match checked {
                Ok(whole_list) => {
                    if let (true, ParamSource::Input(steps)) = (whole_list, &mut source) {
                        steps.push(PathStep::Flatten);
                    }
                    out.push(EndpointParam { name: name.to_owned(), kind, source, origin })
                }
                Err((at, m, why)) => this.errors.push(err(&at, m.as_deref(), why)),
            }
        };
        if let Some(ocp) = op.traits.get(OPERATION_CONTEXT_PARAMS).and_then(Value::as_object) {
            for (name, spec) in ocp {
                let path = spec.get("path").and_then(Value::as_str).unwrap_or("");
                let origin = format!("operationContextParams `{name}` (path `{path}`)");
                match parse_path(path) {
                    Ok(steps) => add(self, name, None, origin, ParamSource::Input(steps)),
                    Err(why) => self.errors.push(err(&op.id, None, format!("{origin}: {why}"))),
                }
            }
        }
        for m in input.map_or(&[][..], |s| s.members.as_slice()) {
            if let Some(name) = m.traits.get(CONTEXT_PARAM).and_then(|c| c.get("name")).and_then(Value::as_str) {
                let origin = format!("contextParam `{name}`");
                add(self, name, Some(&m.name), origin, ParamSource::Input(vec![PathStep::Member(m.name.clone())]));
            }
        }
        if let Some(scp) = op.traits.get(STATIC_CONTEXT_PARAMS).and_then(Value::as_object) {
            for (name, spec) in scp {
                let origin = format!("staticContextParams `{name}`");
                match spec.get("value").and_then(static_value) {
                    Some(v) => add(self, name, None, origin, ParamSource::Static(v)),
                    None => self.errors.push(err(
                        &op.id,
                        None,
                        format!("{origin}: the value must be a string, a boolean or a list of strings"),
                    )),
                }
            }
        }
        out
    }

    /// The service's `clientContextParams`, by name.
    pub(super) fn client_context_params(&mut self, service: &Shape) -> Vec<ClientContextParam> {
        let declared = rule_set_params(service);
        let Some(ccp) = service.traits.get(CLIENT_CONTEXT_PARAMS).and_then(Value::as_object) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, spec) in ccp {
            let kind = spec.get("type").and_then(Value::as_str).and_then(ParamKind::parse);
            match (kind, declared.get(name)) {
                (Some(kind), Some(&declared_kind)) if kind == declared_kind => out.push(ClientContextParam {
                    name: name.clone(),
                    kind,
                    docs: spec
                        .get("documentation")
                        .and_then(Value::as_str)
                        .map(crate::docs::to_markdown)
                        .unwrap_or_default(),
                }),
                (_, None) => self.errors.push(err(
                    &service.id,
                    None,
                    format!("clientContextParams `{name}`: the endpoint rule set has no parameter `{name}`"),
                )),
                (kind, Some(declared_kind)) => self.errors.push(err(
                    &service.id,
                    None,
                    format!(
                        "clientContextParams `{name}`: type {} does not match the rule set's {}",
                        kind.map_or("(missing or unknown)", ParamKind::as_str),
                        declared_kind.as_str()
                    ),
                )),
            }
        }
        out
    }
}

fn static_value(v: &Value) -> Option<StaticValue> {
    match v {
        Value::String(s) => Some(StaticValue::String(s.clone())),
        Value::Bool(b) => Some(StaticValue::Bool(*b)),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(StaticValue::StringArray),
        _ => None,
    }
}

fn static_matches(v: &StaticValue, kind: ParamKind) -> bool {
    matches!(
        (v, kind),
        (StaticValue::String(_), ParamKind::String)
            | (StaticValue::Bool(_), ParamKind::Bool)
            | (StaticValue::StringArray(_), ParamKind::StringArray)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_the_subset_parse() {
        use PathStep::*;
        assert_eq!(parse_path("A.B").unwrap(), vec![Member("A".into()), Member("B".into())]);
        assert_eq!(
            parse_path("TransactItems[*].Get.TableName").unwrap(),
            vec![Member("TransactItems".into()), Project, Member("Get".into()), Member("TableName".into())]
        );
        assert_eq!(parse_path("keys(RequestItems)").unwrap(), vec![Member("RequestItems".into()), Keys]);
        assert_eq!(parse_path("A[*].B[]").unwrap(), vec![Member("A".into()), Project, Member("B".into()), Flatten]);
    }

    #[test]
    fn paths_outside_the_subset_are_refused() {
        for bad in ["", "A.", "A[0]", "A[?b]", "length(A)", "A | B", "1A", "A..B", "[a, b]"] {
            assert!(parse_path(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
