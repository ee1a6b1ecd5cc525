//! Evaluation of a parsed rule set.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::parse::{Call, Expr, Func, PathSeg, Rule, RuleKind, Template, TemplatePart};
use crate::{stdlib, Endpoint, Error, Params, RuleSet, Value};

/// A runtime value. `None` (an unset parameter, a failed parse, a missing attribute) is
/// represented by `Option<Val>` at the use sites.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Str(String),
    Bool(bool),
    Int(i64),
    Array(Vec<Val>),
    Object(BTreeMap<String, Val>),
}

impl Val {
    fn type_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Bool(_) => "a boolean",
            Val::Int(_) => "an integer",
            Val::Array(_) => "an array",
            Val::Object(_) => "an object",
        }
    }

    fn to_json(&self) -> serde_json::Value {
        match self {
            Val::Str(s) => serde_json::Value::String(s.clone()),
            Val::Bool(b) => serde_json::Value::Bool(*b),
            Val::Int(i) => serde_json::Value::from(*i),
            Val::Array(items) => serde_json::Value::Array(items.iter().map(Val::to_json).collect()),
            Val::Object(map) => serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

impl From<&Value> for Val {
    fn from(v: &Value) -> Val {
        match v {
            Value::String(s) => Val::Str(s.clone()),
            Value::Bool(b) => Val::Bool(*b),
            Value::StringArray(items) => Val::Array(items.iter().cloned().map(Val::Str).collect()),
        }
    }
}

type Slots = Vec<Option<Val>>;

fn eval_err(at: &str, message: impl Into<String>) -> Error {
    Error::Evaluation { at: at.to_owned(), message: message.into() }
}

pub(crate) fn resolve(rules: &RuleSet, params: &Params) -> Result<Endpoint, Error> {
    for (name, _) in params.iter() {
        if rules.parameter(name).is_none() {
            return Err(Error::InvalidParams {
                name: name.to_owned(),
                message: String::from("not a parameter of this rule set"),
            });
        }
    }
    let mut slots: Slots = Vec::with_capacity(rules.slots);
    for p in &rules.parameters {
        let value = match params.get(&p.name) {
            Some(v) if v.kind() != p.kind => {
                return Err(Error::InvalidParams {
                    name: p.name.clone(),
                    message: format!("expected a {}, got a {}", p.kind, v.kind()),
                })
            }
            Some(v) => Some(v),
            None => p.default.as_ref(),
        };
        if value.is_none() && p.required {
            return Err(Error::InvalidParams {
                name: p.name.clone(),
                message: String::from("required but not set, and it has no default"),
            });
        }
        slots.push(value.map(Val::from));
    }
    slots.resize(rules.slots, None);
    match eval_rules(&rules.rules, &mut slots)? {
        Some(endpoint) => Ok(endpoint),
        None => Err(Error::NoMatch { at: String::from("rules") }),
    }
}

/// `Ok(None)`: no rule in the list matched.
fn eval_rules(rules: &[Rule], slots: &mut Slots) -> Result<Option<Endpoint>, Error> {
    'rules: for rule in rules {
        for cond in &rule.conditions {
            let v = call(&cond.call, slots)?;
            match v {
                None | Some(Val::Bool(false)) => continue 'rules,
                Some(v) => {
                    if let Some(slot) = cond.assign {
                        if let Some(s) = slots.get_mut(slot) {
                            *s = Some(v);
                        }
                    }
                }
            }
        }
        return match &rule.kind {
            RuleKind::Endpoint(e) => {
                let url = string_of(expr(&e.url, slots)?, &format!("{}.url", e.at))?;
                let mut headers = BTreeMap::new();
                for (name, values) in &e.headers {
                    let mut out = Vec::with_capacity(values.len());
                    for v in values {
                        out.push(string_of(expr(v, slots)?, &format!("{}.headers.{name}", e.at))?);
                    }
                    headers.insert(name.clone(), out);
                }
                let mut properties = serde_json::Map::new();
                for (name, v) in &e.properties {
                    let v = expr(v, slots)?.ok_or_else(|| {
                        eval_err(&format!("{}.properties.{name}", e.at), "property evaluated to no value")
                    })?;
                    properties.insert(name.clone(), v.to_json());
                }
                Ok(Some(Endpoint { url, headers, properties }))
            }
            RuleKind::Error(message) => {
                let message = string_of(expr(message, slots)?, &format!("{}.error", rule.at))?;
                Err(Error::Rule(message))
            }
            RuleKind::Tree(children) => match eval_rules(children, slots)? {
                Some(endpoint) => Ok(Some(endpoint)),
                // A tree whose conditions matched is terminal.
                None => Err(Error::NoMatch { at: format!("{}.rules", rule.at) }),
            },
        };
    }
    Ok(None)
}

fn string_of(v: Option<Val>, at: &str) -> Result<String, Error> {
    match v {
        Some(Val::Str(s)) => Ok(s),
        Some(other) => Err(eval_err(at, format!("expected a string, got {}", other.type_name()))),
        None => Err(eval_err(at, "expected a string, got no value")),
    }
}

fn expr(e: &Expr, slots: &Slots) -> Result<Option<Val>, Error> {
    Ok(match e {
        Expr::Bool(b) => Some(Val::Bool(*b)),
        Expr::Int(i) => Some(Val::Int(*i)),
        Expr::Str(t) => Some(Val::Str(template(t, slots)?)),
        Expr::Ref { slot, .. } => slots.get(*slot).cloned().flatten(),
        Expr::Call(c) => call(c, slots)?,
        Expr::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match expr(item, slots)? {
                    Some(v) => out.push(v),
                    None => return Ok(None),
                }
            }
            Some(Val::Array(out))
        }
        Expr::Object(fields) => {
            let mut out = BTreeMap::new();
            for (k, item) in fields {
                match expr(item, slots)? {
                    Some(v) => {
                        out.insert(k.clone(), v);
                    }
                    None => return Ok(None),
                }
            }
            Some(Val::Object(out))
        }
    })
}

/// Like [`expr`], but references borrow from the slots instead of cloning.
fn expr_cow<'s>(e: &Expr, slots: &'s Slots) -> Result<Option<Cow<'s, Val>>, Error> {
    match e {
        Expr::Ref { slot } => Ok(slots.get(*slot).and_then(Option::as_ref).map(Cow::Borrowed)),
        other => Ok(expr(other, slots)?.map(Cow::Owned)),
    }
}

fn template(t: &Template, slots: &Slots) -> Result<String, Error> {
    let mut out = String::new();
    for part in &t.parts {
        match part {
            TemplatePart::Lit(s) => out.push_str(s),
            TemplatePart::Var { slot, name, path } => {
                let v = slots.get(*slot).and_then(Option::as_ref);
                let v = match v {
                    Some(v) => get_attr(v, path).map_err(|m| eval_err(name, m))?,
                    None => None,
                };
                match v {
                    Some(Val::Str(s)) => out.push_str(s),
                    Some(other) => {
                        return Err(eval_err(
                            name,
                            format!("template value `{name}` is {}, not a string", other.type_name()),
                        ))
                    }
                    None => return Err(eval_err(name, format!("template value `{name}` has no value"))),
                }
            }
        }
    }
    Ok(out)
}

fn get_attr<'v>(mut v: &'v Val, path: &[PathSeg]) -> Result<Option<&'v Val>, String> {
    for seg in path {
        v = match (seg, v) {
            (PathSeg::Key(k), Val::Object(map)) => match map.get(k) {
                Some(v) => v,
                None => return Ok(None),
            },
            (PathSeg::Index(i), Val::Array(items)) => match items.get(*i) {
                Some(v) => v,
                None => return Ok(None),
            },
            (PathSeg::Key(k), other) => return Err(format!("cannot get attribute `{k}` of {}", other.type_name())),
            (PathSeg::Index(i), other) => return Err(format!("cannot index [{i}] into {}", other.type_name())),
        };
    }
    Ok(Some(v))
}

fn call(c: &Call, slots: &Slots) -> Result<Option<Val>, Error> {
    let at = &*c.at;
    // Functions that look at unset values themselves.
    match &c.func {
        Func::IsSet => {
            let set = match c.args.first() {
                Some(a) => expr_cow(a, slots)?.is_some(),
                None => false,
            };
            return Ok(Some(Val::Bool(set)));
        }
        Func::Coalesce => {
            for a in &c.args {
                if let Some(v) = expr(a, slots)? {
                    return Ok(Some(v));
                }
            }
            return Ok(None);
        }
        Func::Ite => {
            let cond = match arg(c, 0, slots)? {
                Some(Val::Bool(b)) => b,
                None => false,
                Some(other) => {
                    return Err(eval_err(
                        at,
                        format!("ite: the condition must be a boolean, got {}", other.type_name()),
                    ))
                }
            };
            return arg(c, if cond { 1 } else { 2 }, slots);
        }
        Func::GetAttr(path) => {
            let target = match c.args.first() {
                Some(a) => expr_cow(a, slots)?,
                None => None,
            };
            return match target {
                Some(v) => get_attr(&v, path).map(|v| v.cloned()).map_err(|m| eval_err(at, format!("getAttr: {m}"))),
                None => Ok(None),
            };
        }
        _ => {}
    }
    // Everything else: an unset argument makes the result unset.
    let mut args: Vec<Cow<'_, Val>> = Vec::with_capacity(c.args.len());
    for a in &c.args {
        match expr_cow(a, slots)? {
            Some(v) => args.push(v),
            None => return Ok(None),
        }
    }
    let name = c.func.name();
    let bad = |i: usize, want: &str| {
        let got = args.get(i).map_or("nothing", |v| v.type_name());
        eval_err(at, format!("argument {} of `{name}` must be {want}, got {got}", i + 1))
    };
    let s = |i: usize| match args.get(i).map(|v| &**v) {
        Some(Val::Str(s)) => Ok(s.as_str()),
        _ => Err(bad(i, "a string")),
    };
    let b = |i: usize| match args.get(i).map(|v| &**v) {
        Some(Val::Bool(b)) => Ok(*b),
        _ => Err(bad(i, "a boolean")),
    };
    let n = |i: usize| match args.get(i).map(|v| &**v) {
        Some(Val::Int(n)) => Ok(*n),
        _ => Err(bad(i, "an integer")),
    };
    Ok(match &c.func {
        Func::BooleanEquals => Some(Val::Bool(b(0)? == b(1)?)),
        Func::StringEquals => Some(Val::Bool(s(0)? == s(1)?)),
        Func::Not => Some(Val::Bool(!b(0)?)),
        Func::Substring => stdlib::substring(s(0)?, n(1)?, n(2)?, b(3)?).map(Val::Str),
        Func::ParseUrl => stdlib::parse_url(s(0)?).map(|u| {
            let mut map = BTreeMap::new();
            map.insert("scheme".to_owned(), Val::Str(u.scheme));
            map.insert("authority".to_owned(), Val::Str(u.authority));
            map.insert("path".to_owned(), Val::Str(u.path));
            map.insert("normalizedPath".to_owned(), Val::Str(u.normalized_path));
            map.insert("isIp".to_owned(), Val::Bool(u.is_ip));
            Val::Object(map)
        }),
        Func::UriEncode => Some(Val::Str(stdlib::uri_encode(s(0)?))),
        Func::IsValidHostLabel => Some(Val::Bool(stdlib::is_valid_host_label(s(0)?, b(1)?))),
        Func::Split => {
            let limit = n(2)?;
            if limit < 0 {
                return Err(eval_err(at, format!("split: the limit must not be negative, got {limit}")));
            }
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            stdlib::split(s(0)?, s(1)?, limit).map(|parts| Val::Array(parts.into_iter().map(Val::Str).collect()))
        }
        Func::AwsPartition => {
            let info = crate::partitions::partition(s(0)?);
            let mut map = BTreeMap::new();
            map.insert("name".to_owned(), Val::Str(info.name.to_owned()));
            map.insert("dnsSuffix".to_owned(), Val::Str(info.dns_suffix.to_owned()));
            map.insert("dualStackDnsSuffix".to_owned(), Val::Str(info.dual_stack_dns_suffix.to_owned()));
            map.insert("supportsFIPS".to_owned(), Val::Bool(info.supports_fips));
            map.insert("supportsDualStack".to_owned(), Val::Bool(info.supports_dual_stack));
            map.insert("implicitGlobalRegion".to_owned(), Val::Str(info.implicit_global_region.to_owned()));
            Some(Val::Object(map))
        }
        Func::AwsParseArn => stdlib::parse_arn(s(0)?).map(|arn| {
            let mut map = BTreeMap::new();
            map.insert("partition".to_owned(), Val::Str(arn.partition));
            map.insert("service".to_owned(), Val::Str(arn.service));
            map.insert("region".to_owned(), Val::Str(arn.region));
            map.insert("accountId".to_owned(), Val::Str(arn.account_id));
            map.insert("resourceId".to_owned(), Val::Array(arn.resource_id.into_iter().map(Val::Str).collect()));
            Val::Object(map)
        }),
        Func::AwsIsVirtualHostableS3Bucket => Some(Val::Bool(stdlib::is_virtual_hostable_s3_bucket(s(0)?, b(1)?))),
        Func::IsSet | Func::Coalesce | Func::Ite | Func::GetAttr(_) => None,
    })
}

fn arg(c: &Call, i: usize, slots: &Slots) -> Result<Option<Val>, Error> {
    match c.args.get(i) {
        Some(a) => expr(a, slots),
        None => Ok(None),
    }
}
