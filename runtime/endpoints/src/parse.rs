//! Rule-set JSON -> checked tree. References are resolved to slots here, so evaluation
//! never looks names up.

use serde_json::Value as Json;

use crate::{Error, ParamType, Parameter, RuleSet, Value};

/// Deepest nesting of rules or expressions accepted (guards the stack).
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub conditions: Vec<Condition>,
    pub kind: RuleKind,
    /// JSON location, for `NoMatch` errors of trees.
    pub at: Box<str>,
}

#[derive(Clone, Debug)]
pub(crate) enum RuleKind {
    Endpoint(Box<EndpointTemplate>),
    Error(Expr),
    Tree(Vec<Rule>),
}

#[derive(Clone, Debug)]
pub(crate) struct Condition {
    pub call: Call,
    pub assign: Option<usize>,
}

#[derive(Clone, Debug)]
pub(crate) struct EndpointTemplate {
    pub url: Expr,
    pub headers: Vec<(String, Vec<Expr>)>,
    pub properties: Vec<(String, Expr)>,
    pub at: Box<str>,
}

#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Bool(bool),
    Int(i64),
    Str(Template),
    Ref { slot: usize },
    Call(Box<Call>),
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub func: Func,
    pub args: Vec<Expr>,
    pub at: Box<str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Func {
    BooleanEquals,
    StringEquals,
    IsSet,
    Not,
    /// The path (second argument) is parsed here; `args` holds only the target.
    GetAttr(Vec<PathSeg>),
    Substring,
    ParseUrl,
    UriEncode,
    IsValidHostLabel,
    Coalesce,
    Ite,
    Split,
    AwsPartition,
    AwsParseArn,
    AwsIsVirtualHostableS3Bucket,
}

impl Func {
    pub fn name(&self) -> &'static str {
        match self {
            Func::BooleanEquals => "booleanEquals",
            Func::StringEquals => "stringEquals",
            Func::IsSet => "isSet",
            Func::Not => "not",
            Func::GetAttr(_) => "getAttr",
            Func::Substring => "substring",
            Func::ParseUrl => "parseURL",
            Func::UriEncode => "uriEncode",
            Func::IsValidHostLabel => "isValidHostLabel",
            Func::Coalesce => "coalesce",
            Func::Ite => "ite",
            Func::Split => "split",
            Func::AwsPartition => "aws.partition",
            Func::AwsParseArn => "aws.parseArn",
            Func::AwsIsVirtualHostableS3Bucket => "aws.isVirtualHostableS3Bucket",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathSeg {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub parts: Vec<TemplatePart>,
}

#[derive(Clone, Debug)]
pub(crate) enum TemplatePart {
    Lit(String),
    Var { slot: usize, name: Box<str>, path: Vec<PathSeg> },
}

fn err(at: &str, message: impl Into<String>) -> Error {
    Error::InvalidRuleSet { at: at.to_owned(), message: message.into() }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Names in scope, innermost last; each maps to its evaluation slot. `types[slot]` is
/// what the parser knows about the slot's value.
struct Scope {
    names: Vec<(String, usize)>,
    types: Vec<Ty>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<usize> {
        self.names.iter().rev().find(|(n, _)| n == name).map(|(_, slot)| *slot)
    }

    fn slot_type(&self, slot: usize) -> Ty {
        self.types.get(slot).copied().unwrap_or(Ty::Any)
    }
}

/// Static types, as far as the parser can tell. `Any` is never an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Any,
    Str,
    Bool,
    Int,
    StrArray,
    Url,
    Partition,
    Arn,
    /// A literal array.
    List,
    /// A literal object.
    Record,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Any => "a value",
            Ty::Str => "a string",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::StrArray => "an array of strings",
            Ty::Url => "a parsed URL",
            Ty::Partition => "a partition",
            Ty::Arn => "a parsed ARN",
            Ty::List => "an array",
            Ty::Record => "an object",
        }
    }

    fn of_param(kind: ParamType) -> Ty {
        match kind {
            ParamType::String => Ty::Str,
            ParamType::Boolean => Ty::Bool,
            ParamType::StringArray => Ty::StrArray,
        }
    }

    /// The fields of the record types.
    fn fields(self) -> Option<&'static [(&'static str, Ty)]> {
        Some(match self {
            Ty::Url => &[
                ("scheme", Ty::Str),
                ("authority", Ty::Str),
                ("path", Ty::Str),
                ("normalizedPath", Ty::Str),
                ("isIp", Ty::Bool),
            ],
            Ty::Partition => &[
                ("name", Ty::Str),
                ("dnsSuffix", Ty::Str),
                ("dualStackDnsSuffix", Ty::Str),
                ("supportsFIPS", Ty::Bool),
                ("supportsDualStack", Ty::Bool),
                ("implicitGlobalRegion", Ty::Str),
            ],
            Ty::Arn => &[
                ("partition", Ty::Str),
                ("service", Ty::Str),
                ("region", Ty::Str),
                ("accountId", Ty::Str),
                ("resourceId", Ty::StrArray),
            ],
            _ => return None,
        })
    }

    /// The type at `path` below a value of this type.
    fn at_path(self, path: &[PathSeg]) -> Result<Ty, String> {
        let mut ty = self;
        for seg in path {
            ty = match (seg, ty) {
                (_, Ty::Any) | (PathSeg::Index(_), Ty::List) | (PathSeg::Key(_), Ty::Record) => Ty::Any,
                (PathSeg::Index(_), Ty::StrArray) => Ty::Str,
                (PathSeg::Key(k), t) if t.fields().is_some() => {
                    t.fields().unwrap_or(&[]).iter().find(|(name, _)| name == k).map(|(_, t)| *t).ok_or_else(|| {
                        let names: Vec<&str> = t.fields().unwrap_or(&[]).iter().map(|(n, _)| *n).collect();
                        format!("{} has no attribute `{k}` (it has {})", t.describe(), names.join(", "))
                    })?
                }
                (PathSeg::Key(k), t) => return Err(format!("cannot get attribute `{k}` of {}", t.describe())),
                (PathSeg::Index(i), t) => return Err(format!("cannot index [{i}] into {}", t.describe())),
            };
        }
        Ok(ty)
    }
}

/// The static type of a parsed expression.
fn type_of(e: &Expr, scope: &Scope) -> Ty {
    match e {
        Expr::Bool(_) => Ty::Bool,
        Expr::Int(_) => Ty::Int,
        Expr::Str(_) => Ty::Str,
        Expr::Ref { slot } => scope.slot_type(*slot),
        Expr::Array(_) => Ty::List,
        Expr::Object(_) => Ty::Record,
        Expr::Call(c) => call_type(c, scope),
    }
}

fn call_type(c: &Call, scope: &Scope) -> Ty {
    let arg = |i: usize| c.args.get(i).map_or(Ty::Any, |a| type_of(a, scope));
    match &c.func {
        Func::BooleanEquals
        | Func::StringEquals
        | Func::IsSet
        | Func::Not
        | Func::IsValidHostLabel
        | Func::AwsIsVirtualHostableS3Bucket => Ty::Bool,
        Func::Substring | Func::UriEncode => Ty::Str,
        Func::ParseUrl => Ty::Url,
        Func::AwsPartition => Ty::Partition,
        Func::AwsParseArn => Ty::Arn,
        Func::Split => Ty::StrArray,
        Func::GetAttr(path) => arg(0).at_path(path).unwrap_or(Ty::Any),
        Func::Coalesce => {
            let first = arg(0);
            if (1..c.args.len()).all(|i| arg(i) == first) {
                first
            } else {
                Ty::Any
            }
        }
        Func::Ite => {
            if arg(1) == arg(2) {
                arg(1)
            } else {
                Ty::Any
            }
        }
    }
}

pub(crate) fn rule_set(v: &Json) -> Result<RuleSet, Error> {
    let root = v.as_object().ok_or_else(|| err("$", format!("a rule set must be an object, got {}", type_name(v))))?;
    let version = match root.get("version") {
        Some(Json::String(s)) => s.clone(),
        Some(other) => return Err(err("version", format!("expected a string, got {}", type_name(other)))),
        None => return Err(err("version", "missing")),
    };
    let parameters = match root.get("parameters") {
        Some(Json::Object(map)) => {
            let mut out = Vec::with_capacity(map.len());
            for (name, p) in map {
                out.push(parameter(name, p, &format!("parameters.{name}"))?);
            }
            out
        }
        Some(other) => return Err(err("parameters", format!("expected an object, got {}", type_name(other)))),
        None => Vec::new(),
    };
    let mut scope = Scope {
        names: parameters.iter().enumerate().map(|(i, p)| (p.name.clone(), i)).collect(),
        types: parameters.iter().map(|p| Ty::of_param(p.kind)).collect(),
    };
    let rules = match root.get("rules") {
        Some(Json::Array(items)) => rule_list(items, "rules", &mut scope, 0)?,
        Some(other) => return Err(err("rules", format!("expected an array, got {}", type_name(other)))),
        None => return Err(err("rules", "missing")),
    };
    Ok(RuleSet { version, parameters, rules, slots: scope.types.len() })
}

fn parameter(name: &str, v: &Json, at: &str) -> Result<Parameter, Error> {
    if name.is_empty() {
        return Err(err(at, "parameter names must not be empty"));
    }
    let obj = v.as_object().ok_or_else(|| err(at, format!("expected an object, got {}", type_name(v))))?;
    let kind = match obj.get("type") {
        Some(Json::String(t)) => match t.to_ascii_lowercase().as_str() {
            "string" => ParamType::String,
            "boolean" => ParamType::Boolean,
            "stringarray" => ParamType::StringArray,
            _ => {
                return Err(err(
                    &format!("{at}.type"),
                    format!("unknown parameter type `{t}` (expected String, Boolean or StringArray)"),
                ))
            }
        },
        Some(other) => return Err(err(&format!("{at}.type"), format!("expected a string, got {}", type_name(other)))),
        None => return Err(err(&format!("{at}.type"), "missing")),
    };
    let opt_string = |key: &str| -> Result<Option<String>, Error> {
        match obj.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(err(&format!("{at}.{key}"), format!("expected a string, got {}", type_name(other)))),
        }
    };
    let built_in = opt_string("builtIn")?;
    let documentation = opt_string("documentation")?;
    let required = match obj.get("required") {
        None | Some(Json::Null) => false,
        Some(Json::Bool(b)) => *b,
        Some(other) => {
            return Err(err(&format!("{at}.required"), format!("expected a boolean, got {}", type_name(other))))
        }
    };
    let default = match obj.get("default") {
        None | Some(Json::Null) => None,
        Some(d) => match Value::from_json(d) {
            Some(value) if value.kind() == kind => Some(value),
            _ => return Err(err(&format!("{at}.default"), format!("expected a {kind} default, got {}", type_name(d)))),
        },
    };
    Ok(Parameter { name: name.to_owned(), kind, built_in, required, default, documentation })
}

fn rule_list(items: &[Json], at: &str, scope: &mut Scope, depth: usize) -> Result<Vec<Rule>, Error> {
    if depth > MAX_DEPTH {
        return Err(err(at, "rules are nested too deeply"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(rule(item, &format!("{at}[{i}]"), scope, depth)?);
    }
    Ok(out)
}

fn rule(v: &Json, at: &str, scope: &mut Scope, depth: usize) -> Result<Rule, Error> {
    let obj = v.as_object().ok_or_else(|| err(at, format!("a rule must be an object, got {}", type_name(v))))?;
    let kind = match obj.get("type") {
        Some(Json::String(t)) => t.as_str(),
        Some(other) => return Err(err(&format!("{at}.type"), format!("expected a string, got {}", type_name(other)))),
        None => return Err(err(&format!("{at}.type"), "missing")),
    };
    let conds_json: &[Json] = match obj.get("conditions") {
        Some(Json::Array(items)) => items,
        None => &[],
        Some(other) => {
            return Err(err(&format!("{at}.conditions"), format!("expected an array, got {}", type_name(other))))
        }
    };
    let scope_mark = scope.names.len();
    let result = (|| {
        let mut conditions = Vec::with_capacity(conds_json.len());
        for (i, c) in conds_json.iter().enumerate() {
            conditions.push(condition(c, &format!("{at}.conditions[{i}]"), scope)?);
        }
        let kind = match kind {
            "endpoint" => {
                let e = obj.get("endpoint").ok_or_else(|| err(&format!("{at}.endpoint"), "missing"))?;
                RuleKind::Endpoint(Box::new(endpoint(e, &format!("{at}.endpoint"), scope)?))
            }
            "error" => {
                let e = obj.get("error").ok_or_else(|| err(&format!("{at}.error"), "missing"))?;
                RuleKind::Error(expr(e, &format!("{at}.error"), scope, 0)?)
            }
            "tree" => match obj.get("rules") {
                Some(Json::Array(items)) => RuleKind::Tree(rule_list(items, &format!("{at}.rules"), scope, depth + 1)?),
                Some(other) => {
                    return Err(err(&format!("{at}.rules"), format!("expected an array, got {}", type_name(other))))
                }
                None => return Err(err(&format!("{at}.rules"), "missing")),
            },
            other => {
                return Err(err(
                    &format!("{at}.type"),
                    format!("unknown rule type `{other}` (expected endpoint, error or tree)"),
                ))
            }
        };
        Ok(Rule { conditions, kind, at: at.into() })
    })();
    scope.names.truncate(scope_mark);
    result
}

fn condition(v: &Json, at: &str, scope: &mut Scope) -> Result<Condition, Error> {
    let obj = v.as_object().ok_or_else(|| err(at, format!("a condition must be an object, got {}", type_name(v))))?;
    if !obj.contains_key("fn") {
        return Err(err(at, "a condition must be a function call (`fn`)"));
    }
    let call = call(obj, at, scope, 0)?;
    let assign = match obj.get("assign") {
        None | Some(Json::Null) => None,
        Some(Json::String(name)) => {
            if !is_identifier(name) {
                return Err(err(&format!("{at}.assign"), format!("`{name}` is not a valid identifier")));
            }
            let slot = scope.types.len();
            scope.types.push(call_type(&call, scope));
            scope.names.push((name.clone(), slot));
            Some(slot)
        }
        Some(other) => {
            return Err(err(&format!("{at}.assign"), format!("expected a string, got {}", type_name(other))))
        }
    };
    Ok(Condition { call, assign })
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn endpoint(v: &Json, at: &str, scope: &Scope) -> Result<EndpointTemplate, Error> {
    let obj = v.as_object().ok_or_else(|| err(at, format!("an endpoint must be an object, got {}", type_name(v))))?;
    let url = match obj.get("url") {
        Some(u) => expr(u, &format!("{at}.url"), scope, 0)?,
        None => return Err(err(&format!("{at}.url"), "missing")),
    };
    let mut headers = Vec::new();
    match obj.get("headers") {
        None | Some(Json::Null) => {}
        Some(Json::Object(map)) => {
            for (name, values) in map {
                let hat = format!("{at}.headers.{name}");
                let values = values
                    .as_array()
                    .ok_or_else(|| err(&hat, format!("expected an array, got {}", type_name(values))))?;
                let mut exprs = Vec::with_capacity(values.len());
                for (i, value) in values.iter().enumerate() {
                    exprs.push(expr(value, &format!("{hat}[{i}]"), scope, 0)?);
                }
                headers.push((name.clone(), exprs));
            }
        }
        Some(other) => {
            return Err(err(&format!("{at}.headers"), format!("expected an object, got {}", type_name(other))))
        }
    }
    let mut properties = Vec::new();
    match obj.get("properties") {
        None | Some(Json::Null) => {}
        Some(Json::Object(map)) => {
            for (name, value) in map {
                properties.push((name.clone(), expr(value, &format!("{at}.properties.{name}"), scope, 0)?));
            }
        }
        Some(other) => {
            return Err(err(&format!("{at}.properties"), format!("expected an object, got {}", type_name(other))))
        }
    }
    Ok(EndpointTemplate { url, headers, properties, at: at.into() })
}

fn expr(v: &Json, at: &str, scope: &Scope, depth: usize) -> Result<Expr, Error> {
    if depth > MAX_DEPTH {
        return Err(err(at, "expression is nested too deeply"));
    }
    match v {
        Json::Null => Err(err(at, "null is not a valid expression")),
        Json::Bool(b) => Ok(Expr::Bool(*b)),
        Json::Number(n) => {
            n.as_i64().map(Expr::Int).ok_or_else(|| err(at, format!("only integers are supported, got {n}")))
        }
        Json::String(s) => Ok(Expr::Str(template(s, at, scope)?)),
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(expr(item, &format!("{at}[{i}]"), scope, depth + 1)?);
            }
            Ok(Expr::Array(out))
        }
        Json::Object(obj) => {
            if let Some(r) = obj.get("ref") {
                let name = r
                    .as_str()
                    .ok_or_else(|| err(&format!("{at}.ref"), format!("expected a string, got {}", type_name(r))))?;
                let slot = scope.lookup(name).ok_or_else(|| {
                    err(&format!("{at}.ref"), format!("`{name}` is not a parameter or an assigned variable in scope"))
                })?;
                Ok(Expr::Ref { slot })
            } else if obj.contains_key("fn") {
                Ok(Expr::Call(Box::new(call(obj, at, scope, depth + 1)?)))
            } else {
                let mut out = Vec::with_capacity(obj.len());
                for (k, item) in obj {
                    out.push((k.clone(), expr(item, &format!("{at}.{k}"), scope, depth + 1)?));
                }
                Ok(Expr::Object(out))
            }
        }
    }
}

fn call(obj: &serde_json::Map<String, Json>, at: &str, scope: &Scope, depth: usize) -> Result<Call, Error> {
    let name = match obj.get("fn") {
        Some(Json::String(s)) => s.as_str(),
        Some(other) => return Err(err(&format!("{at}.fn"), format!("expected a string, got {}", type_name(other)))),
        None => return Err(err(&format!("{at}.fn"), "missing")),
    };
    let argv: &[Json] = match obj.get("argv") {
        Some(Json::Array(items)) => items,
        Some(other) => return Err(err(&format!("{at}.argv"), format!("expected an array, got {}", type_name(other)))),
        None => return Err(err(&format!("{at}.argv"), "missing")),
    };
    let (func, min, max) = match name {
        "booleanEquals" => (Func::BooleanEquals, 2, 2),
        "stringEquals" => (Func::StringEquals, 2, 2),
        "isSet" => (Func::IsSet, 1, 1),
        "not" => (Func::Not, 1, 1),
        "getAttr" => (Func::GetAttr(Vec::new()), 2, 2),
        "substring" => (Func::Substring, 4, 4),
        "parseURL" => (Func::ParseUrl, 1, 1),
        "uriEncode" => (Func::UriEncode, 1, 1),
        "isValidHostLabel" => (Func::IsValidHostLabel, 2, 2),
        "coalesce" => (Func::Coalesce, 1, usize::MAX),
        "ite" => (Func::Ite, 3, 3),
        "split" => (Func::Split, 3, 3),
        "aws.partition" => (Func::AwsPartition, 1, 1),
        "aws.parseArn" => (Func::AwsParseArn, 1, 1),
        "aws.isVirtualHostableS3Bucket" => (Func::AwsIsVirtualHostableS3Bucket, 2, 2),
        other => return Err(err(&format!("{at}.fn"), format!("unknown function `{other}`"))),
    };
    if argv.len() < min || argv.len() > max {
        let expected = if min == max { format!("{min}") } else { format!("at least {min}") };
        return Err(err(
            &format!("{at}.argv"),
            format!(
                "`{name}` takes {expected} argument{}, got {}",
                if min == 1 && max == 1 { "" } else { "s" },
                argv.len()
            ),
        ));
    }
    let mut func = func;
    let mut args = Vec::with_capacity(argv.len());
    if let Func::GetAttr(path) = &mut func {
        args.push(expr(&argv[0], &format!("{at}.argv[0]"), scope, depth + 1)?);
        let pat = format!("{at}.argv[1]");
        let p = argv[1]
            .as_str()
            .ok_or_else(|| err(&pat, format!("getAttr paths must be literal strings, got {}", type_name(&argv[1]))))?;
        *path = attr_path(p).map_err(|m| err(&pat, m))?;
        type_of(&args[0], scope).at_path(path).map_err(|m| err(&pat, format!("getAttr: {m}")))?;
    } else {
        for (i, a) in argv.iter().enumerate() {
            args.push(expr(a, &format!("{at}.argv[{i}]"), scope, depth + 1)?);
        }
        check_arg_types(&func, &args, name, at, scope)?;
    }
    Ok(Call { func, args, at: at.into() })
}

/// Rejects arguments whose type is known to be wrong.
fn check_arg_types(func: &Func, args: &[Expr], name: &str, at: &str, scope: &Scope) -> Result<(), Error> {
    let expected: &[Ty] = match func {
        Func::BooleanEquals => &[Ty::Bool, Ty::Bool],
        Func::StringEquals => &[Ty::Str, Ty::Str],
        Func::Not => &[Ty::Bool],
        Func::Substring => &[Ty::Str, Ty::Int, Ty::Int, Ty::Bool],
        Func::ParseUrl | Func::UriEncode | Func::AwsPartition | Func::AwsParseArn => &[Ty::Str],
        Func::IsValidHostLabel | Func::AwsIsVirtualHostableS3Bucket => &[Ty::Str, Ty::Bool],
        Func::Ite => &[Ty::Bool, Ty::Any, Ty::Any],
        Func::Split => &[Ty::Str, Ty::Str, Ty::Int],
        _ => return Ok(()),
    };
    for (i, (arg, want)) in args.iter().zip(expected).enumerate() {
        let actual = type_of(arg, scope);
        if *want != Ty::Any && actual != Ty::Any && actual != *want {
            return Err(err(
                &format!("{at}.argv[{i}]"),
                format!("argument {} of `{name}` must be {}, not {}", i + 1, want.describe(), actual.describe()),
            ));
        }
    }
    Ok(())
}

/// Parses a `getAttr` path: `name`, `name.other`, `[0]`, `name[2].x`.
pub(crate) fn attr_path(p: &str) -> Result<Vec<PathSeg>, String> {
    if p.is_empty() {
        return Err(String::from("getAttr path is empty"));
    }
    let mut out = Vec::new();
    for part in p.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (rest.is_empty() || !out.is_empty()) {
            return Err(format!("getAttr path `{p}` has an empty segment"));
        }
        if !key.is_empty() {
            out.push(PathSeg::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| format!("getAttr path `{p}` has an unclosed `[`"))?;
            let digits = &rest[1..close];
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("getAttr path `{p}` has a bad index `[{digits}]`"));
            }
            let index =
                digits.parse::<usize>().map_err(|_| format!("getAttr path `{p}` has a bad index `[{digits}]`"))?;
            out.push(PathSeg::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("getAttr path `{p}` has text after `]`"));
            }
        }
    }
    Ok(out)
}

/// Parses a template string: `{name}` / `{name#path}` are references, `{{` and `}}` are
/// literal braces.
fn template(s: &str, at: &str, scope: &Scope) -> Result<Template, Error> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(['{', '}']) {
        lit.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        rest = &rest[i + 1..];
        if c == b'}' {
            // `}}` is an escaped brace; a lone `}` is kept as written.
            if rest.starts_with('}') {
                rest = &rest[1..];
            }
            lit.push('}');
            continue;
        }
        if rest.starts_with('{') {
            rest = &rest[1..];
            lit.push('{');
            continue;
        }
        let close = rest.find('}').ok_or_else(|| err(at, format!("unclosed `{{` in template `{s}`")))?;
        let inner = &rest[..close];
        rest = &rest[close + 1..];
        let (name, path) = match inner.split_once('#') {
            Some((name, path)) => (name, attr_path(path).map_err(|m| err(at, m))?),
            None => (inner, Vec::new()),
        };
        let slot = scope.lookup(name).ok_or_else(|| {
            err(
                at,
                format!(
                    "template `{s}` references `{name}`, which is not a parameter or an assigned variable in scope"
                ),
            )
        })?;
        match scope.slot_type(slot).at_path(&path) {
            Ok(Ty::Str | Ty::Any) => {}
            Ok(other) => {
                return Err(err(
                    at,
                    format!("template `{s}` inserts `{inner}`, which is {}, not a string", other.describe()),
                ))
            }
            Err(m) => return Err(err(at, format!("template `{s}`: {m}"))),
        }
        if !lit.is_empty() {
            parts.push(TemplatePart::Lit(std::mem::take(&mut lit)));
        }
        parts.push(TemplatePart::Var { slot, name: name.into(), path });
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(TemplatePart::Lit(lit));
    }
    Ok(Template { parts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_paths() {
        assert_eq!(attr_path("a").unwrap(), vec![PathSeg::Key("a".into())]);
        assert_eq!(attr_path("[3]").unwrap(), vec![PathSeg::Index(3)]);
        assert_eq!(
            attr_path("a.b[1][2]").unwrap(),
            vec![PathSeg::Key("a".into()), PathSeg::Key("b".into()), PathSeg::Index(1), PathSeg::Index(2)]
        );
        for bad in ["", "a..b", "a[", "a[x]", "a[1]b", ".a", "a."] {
            assert!(attr_path(bad).is_err(), "{bad}");
        }
    }
}
