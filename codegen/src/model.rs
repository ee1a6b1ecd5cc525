//! Loading Smithy JSON AST models (2.0 and 1.0) into a checked, typed [`Model`].
//!
//! The loader keeps every trait (as JSON, keyed by absolute trait ID), resolves the prelude,
//! applies `apply` statements and mixins, upgrades Smithy 1.0 constructs (`set`, the `@enum`
//! trait, primitive prelude shapes) and then checks the model. Every problem becomes a
//! [`ModelError`] naming the shape (and member); all problems are reported at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

mod checks;
mod strict_json;

pub use checks::{check_pattern, check_protocol, Findings, MAX_PATTERN_LEN};

/// A problem with the model, naming where it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ModelError {
    /// The shape ID (`ns#Name`), or the file for errors outside any shape.
    pub shape: String,
    /// The member name, when the problem is in a member.
    pub member: Option<String>,
    /// A JSON pointer into the model file, when it helps.
    pub pointer: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl ModelError {
    fn new(shape: &str, member: Option<&str>, message: impl Into<String>) -> Self {
        ModelError {
            shape: shape.to_owned(),
            member: member.map(str::to_owned),
            pointer: None,
            message: message.into(),
        }
    }

    fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for ModelError {
    /// Model text in messages is shown with control and bidirectional characters escaped
    /// (`\u{1b}`), so a model cannot rewrite the terminal or hide text in a report.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = match &self.member {
            Some(m) => format!("{}${}: {}", self.shape, m, self.message),
            None => format!("{}: {}", self.shape, self.message),
        };
        if let Some(p) = &self.pointer {
            text.push_str(&format!(" (at {p})"));
        }
        for c in text.chars() {
            if c.is_control() || crate::docs::is_bidi_control(c) {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// All problems found in a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelErrors(pub Vec<ModelError>);

impl fmt::Display for ModelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "the model has {n} problem{}:", if n == 1 { "" } else { "s" })?;
        for e in &self.0 {
            writeln!(f, "  - {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ModelErrors {}

/// The kind of a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ShapeKind {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Map,
    Structure,
    Union,
    Service,
    Operation,
    Resource,
}

impl ShapeKind {
    fn parse(s: &str) -> Option<ShapeKind> {
        Some(match s {
            "blob" => ShapeKind::Blob,
            "boolean" => ShapeKind::Boolean,
            "string" => ShapeKind::String,
            "byte" => ShapeKind::Byte,
            "short" => ShapeKind::Short,
            "integer" => ShapeKind::Integer,
            "long" => ShapeKind::Long,
            "float" => ShapeKind::Float,
            "double" => ShapeKind::Double,
            "bigInteger" => ShapeKind::BigInteger,
            "bigDecimal" => ShapeKind::BigDecimal,
            "timestamp" => ShapeKind::Timestamp,
            "document" => ShapeKind::Document,
            "enum" => ShapeKind::Enum,
            "intEnum" => ShapeKind::IntEnum,
            "list" | "set" => ShapeKind::List,
            "map" => ShapeKind::Map,
            "structure" => ShapeKind::Structure,
            "union" => ShapeKind::Union,
            "service" => ShapeKind::Service,
            "operation" => ShapeKind::Operation,
            "resource" => ShapeKind::Resource,
            _ => return None,
        })
    }

    /// Whether values of this kind exist (members may target it).
    pub fn is_value(self) -> bool {
        !matches!(self, ShapeKind::Service | ShapeKind::Operation | ShapeKind::Resource)
    }

    /// The kind's name as the JSON AST writes it.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Blob => "blob",
            ShapeKind::Boolean => "boolean",
            ShapeKind::String => "string",
            ShapeKind::Byte => "byte",
            ShapeKind::Short => "short",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Float => "float",
            ShapeKind::Double => "double",
            ShapeKind::BigInteger => "bigInteger",
            ShapeKind::BigDecimal => "bigDecimal",
            ShapeKind::Timestamp => "timestamp",
            ShapeKind::Document => "document",
            ShapeKind::Enum => "enum",
            ShapeKind::IntEnum => "intEnum",
            ShapeKind::List => "list",
            ShapeKind::Map => "map",
            ShapeKind::Structure => "structure",
            ShapeKind::Union => "union",
            ShapeKind::Service => "service",
            ShapeKind::Operation => "operation",
            ShapeKind::Resource => "resource",
        }
    }
}

/// Traits by absolute trait shape ID, values as written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Traits(pub BTreeMap<String, Value>);

impl Traits {
    /// The trait's value, if present.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }
    /// Whether the trait is present.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }
    /// `smithy.api#documentation`.
    pub fn documentation(&self) -> Option<&str> {
        self.get(DOCUMENTATION).and_then(Value::as_str)
    }
}

/// Trait IDs the generator understands.
pub const DOCUMENTATION: &str = "smithy.api#documentation";
pub const REQUIRED: &str = "smithy.api#required";
pub const DEFAULT: &str = "smithy.api#default";
pub const CLIENT_OPTIONAL: &str = "smithy.api#clientOptional";
pub const LENGTH: &str = "smithy.api#length";
pub const PATTERN: &str = "smithy.api#pattern";
pub const RANGE: &str = "smithy.api#range";
pub const UNIQUE_ITEMS: &str = "smithy.api#uniqueItems";
pub const SENSITIVE: &str = "smithy.api#sensitive";
pub const IDEMPOTENCY_TOKEN: &str = "smithy.api#idempotencyToken";
pub const ENUM_VALUE: &str = "smithy.api#enumValue";
pub const ENUM_V1: &str = "smithy.api#enum";
pub const JSON_NAME: &str = "smithy.api#jsonName";
pub const XML_NAME: &str = "smithy.api#xmlName";
pub const XML_FLATTENED: &str = "smithy.api#xmlFlattened";
pub const EC2_QUERY_NAME: &str = "aws.protocols#ec2QueryName";
pub const AWS_QUERY_ERROR: &str = "aws.protocols#awsQueryError";
pub const TIMESTAMP_FORMAT: &str = "smithy.api#timestampFormat";
pub const SPARSE: &str = "smithy.api#sparse";
pub const ERROR: &str = "smithy.api#error";
pub const HTTP_ERROR: &str = "smithy.api#httpError";
pub const RETRYABLE: &str = "smithy.api#retryable";
pub const HTTP: &str = "smithy.api#http";
pub const HTTP_LABEL: &str = "smithy.api#httpLabel";
pub const HTTP_QUERY: &str = "smithy.api#httpQuery";
pub const HTTP_QUERY_PARAMS: &str = "smithy.api#httpQueryParams";
pub const HTTP_HEADER: &str = "smithy.api#httpHeader";
pub const HTTP_PREFIX_HEADERS: &str = "smithy.api#httpPrefixHeaders";
pub const HTTP_PAYLOAD: &str = "smithy.api#httpPayload";
pub const STREAMING: &str = "smithy.api#streaming";
pub const HTTP_RESPONSE_CODE: &str = "smithy.api#httpResponseCode";
pub const MIXIN: &str = "smithy.api#mixin";
pub const AWS_SERVICE: &str = "aws.api#service";
pub const SIGV4: &str = "aws.auth#sigv4";
pub const REST_JSON1: &str = "aws.protocols#restJson1";
pub const ENDPOINT_RULE_SET: &str = "smithy.rules#endpointRuleSet";
/// Our own trait for aggregate UTF-8 size limits, defined by the model that uses it.
pub const TOTAL_UTF8_BYTES: &str = "awslim.traits#totalUtf8Bytes";

/// A member of a structure, union, enum, list (`member`) or map (`key`, `value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The member name.
    pub name: String,
    /// The targeted shape ID.
    pub target: String,
    /// Traits on the member.
    pub traits: Traits,
}

/// Operation, service and resource references.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Relations {
    /// `version` of a service.
    pub version: Option<String>,
    /// `input` of an operation.
    pub input: Option<String>,
    /// `output` of an operation.
    pub output: Option<String>,
    /// `errors` of an operation or service.
    pub errors: Vec<String>,
    /// Operations of a service or resource, including a resource's lifecycle operations.
    pub operations: Vec<String>,
    /// Resources of a service or resource.
    pub resources: Vec<String>,
    /// `rename` of a service: shape ID to new name.
    pub rename: BTreeMap<String, String>,
}

/// A shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// The absolute shape ID.
    pub id: String,
    /// Its kind.
    pub kind: ShapeKind,
    /// Members, sorted by name (JSON objects carry no order), except list `member` and map
    /// `key`/`value`.
    pub members: Vec<Member>,
    /// Traits on the shape.
    pub traits: Traits,
    /// Service/operation/resource references.
    pub relations: Relations,
}

impl Shape {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// A loaded model: checked as a whole by [`Model::load`], or shape by shape as generation
/// reaches them after [`Model::parse`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Every shape by ID, prelude included.
    pub shapes: BTreeMap<String, Shape>,
    /// Problems found while loading, by the shape they are in (shapes that could not be read at
    /// all have an entry too); reported when that shape is checked.
    deferred: BTreeMap<String, Vec<ModelError>>,
}

/// The local name of a shape ID (`ns#Name` -> `Name`).
pub fn shape_name(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

fn valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_shape_id(id: &str) -> bool {
    match id.split_once('#') {
        Some((ns, name)) => !ns.is_empty() && ns.split('.').all(valid_identifier) && valid_identifier(name),
        None => false,
    }
}

const PRELUDE_SIMPLE: &[(&str, ShapeKind)] = &[
    ("String", ShapeKind::String),
    ("Blob", ShapeKind::Blob),
    ("BigInteger", ShapeKind::BigInteger),
    ("BigDecimal", ShapeKind::BigDecimal),
    ("Timestamp", ShapeKind::Timestamp),
    ("Document", ShapeKind::Document),
    ("Boolean", ShapeKind::Boolean),
    ("Byte", ShapeKind::Byte),
    ("Short", ShapeKind::Short),
    ("Integer", ShapeKind::Integer),
    ("Long", ShapeKind::Long),
    ("Float", ShapeKind::Float),
    ("Double", ShapeKind::Double),
];

const PRELUDE_PRIMITIVE: &[(&str, ShapeKind, &str)] = &[
    ("PrimitiveBoolean", ShapeKind::Boolean, "false"),
    ("PrimitiveByte", ShapeKind::Byte, "0"),
    ("PrimitiveShort", ShapeKind::Short, "0"),
    ("PrimitiveInteger", ShapeKind::Integer, "0"),
    ("PrimitiveLong", ShapeKind::Long, "0"),
    ("PrimitiveFloat", ShapeKind::Float, "0"),
    ("PrimitiveDouble", ShapeKind::Double, "0"),
];

fn prelude() -> BTreeMap<String, Shape> {
    let mut shapes = BTreeMap::new();
    let mut add = |name: &str, kind: ShapeKind, traits: Traits| {
        let id = format!("smithy.api#{name}");
        shapes.insert(id.clone(), Shape { id, kind, members: Vec::new(), traits, relations: Relations::default() });
    };
    for (name, kind) in PRELUDE_SIMPLE {
        add(name, *kind, Traits::default());
    }
    for (name, kind, default) in PRELUDE_PRIMITIVE {
        let mut traits = Traits::default();
        let value: Value = serde_json::from_str(default).unwrap_or(Value::Null);
        traits.0.insert(DEFAULT.to_owned(), value);
        add(name, *kind, traits);
    }
    add("Unit", ShapeKind::Structure, Traits::default());
    shapes
}

/// One model file's text and a name to report it by.
pub struct Source<'a> {
    /// A path or label for messages.
    pub name: &'a str,
    /// The JSON AST text.
    pub text: &'a str,
}

impl Model {
    /// Loads one or more JSON AST model files (merged; the prelude is implied) and checks every
    /// shape, as Smithy's validator does. Use [`Model::parse`] to check only what a generation
    /// reaches.
    pub fn load(sources: &[Source<'_>]) -> Result<Model, ModelErrors> {
        let model = Model::parse(sources)?;
        let ids: BTreeSet<String> = model.shapes.keys().chain(model.deferred.keys()).cloned().collect();
        let findings = model.check_shapes(&ids);
        if findings.errors.is_empty() {
            Ok(model)
        } else {
            Err(ModelErrors(findings.errors))
        }
    }

    /// Loads one or more JSON AST model files, failing only on what stops them being read as a
    /// whole (invalid JSON, the top level, an `apply` to a shape that does not exist). Problems
    /// inside a shape are kept and reported by [`Model::check_shapes`] when that shape is
    /// checked: [`crate::generate`] checks exactly the shapes its selection reaches.
    pub fn parse(sources: &[Source<'_>]) -> Result<Model, ModelErrors> {
        let mut errors = Vec::new();
        let mut shapes = prelude();
        let mut applies: Vec<(String, Traits, String)> = Vec::new();
        let mut raw_mixins: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // Shapes that failed to parse: references to them are not reported again.
        let mut broken: BTreeSet<String> = BTreeSet::new();
        for source in sources {
            let doc: Value = match strict_json::parse(source.text) {
                Ok((v, duplicates)) => {
                    for d in duplicates {
                        let shape = d
                            .pointer
                            .strip_prefix("/shapes/")
                            .map(|rest| rest.split('/').next().unwrap_or(rest).to_owned())
                            .unwrap_or_else(|| source.name.to_owned());
                        let message = format!(
                            "the key `{}` is written twice in one object; Smithy rejects duplicate keys",
                            d.key
                        );
                        let pointer = if d.pointer.is_empty() { "/".to_owned() } else { d.pointer };
                        errors.push(ModelError::new(&shape, None, message).at(pointer));
                    }
                    v
                }
                Err(e) => {
                    errors.push(ModelError::new(source.name, None, format!("not valid JSON: {e}")));
                    continue;
                }
            };
            let Some(top) = doc.as_object() else {
                errors.push(ModelError::new(
                    source.name,
                    None,
                    "the top level must be a JSON object with `smithy` and `shapes`",
                ));
                continue;
            };
            for key in top.keys().filter(|k| !matches!(k.as_str(), "smithy" | "metadata" | "shapes")) {
                errors.push(
                    ModelError::new(
                        source.name,
                        None,
                        format!("unknown top-level key `{key}` (expected `smithy`, `metadata` and `shapes`)"),
                    )
                    .at(format!("/{key}")),
                );
            }
            match top.get("smithy").and_then(Value::as_str) {
                Some("1.0" | "1" | "2.0" | "2") => {}
                Some(v) => errors.push(
                    ModelError::new(
                        source.name,
                        None,
                        format!("unsupported Smithy version `{v}` (expected 1.0 or 2.0)"),
                    )
                    .at("/smithy"),
                ),
                None => {
                    errors.push(ModelError::new(source.name, None, "missing the `smithy` version string").at("/smithy"))
                }
            }
            let Some(raw_shapes) = top.get("shapes") else { continue };
            let Some(raw_shapes) = raw_shapes.as_object() else {
                errors.push(ModelError::new(source.name, None, "`shapes` must be an object").at("/shapes"));
                continue;
            };
            for (id, raw) in raw_shapes {
                let pointer = format!("/shapes/{id}");
                if raw.get("type").and_then(Value::as_str) == Some("apply") {
                    if let Some(e) = unknown_keys(id, None, raw, &["type", "traits"], &pointer) {
                        errors.push(e);
                    }
                    match parse_traits(id, None, raw.get("traits"), &pointer) {
                        Ok(traits) => applies.push((id.clone(), traits, pointer)),
                        Err(e) => errors.push(e),
                    }
                    continue;
                }
                if !valid_shape_id(id) {
                    errors.push(
                        ModelError::new(id, None, "not a valid absolute shape ID (expected `namespace#Name`)")
                            .at(pointer),
                    );
                    broken.insert(id.clone());
                    continue;
                }
                match parse_shape(id, raw, &pointer) {
                    Ok((shape, mixins)) => {
                        if !mixins.is_empty() {
                            raw_mixins.insert(id.clone(), mixins);
                        }
                        if let Some(existing) = shapes.get(id) {
                            if existing != &shape {
                                errors.push(
                                    ModelError::new(
                                        id,
                                        None,
                                        format!("defined twice with different definitions (again in {})", source.name),
                                    )
                                    .at(pointer),
                                );
                            }
                        } else {
                            shapes.insert(id.clone(), shape);
                        }
                    }
                    Err(mut es) => {
                        broken.insert(id.clone());
                        errors.append(&mut es);
                    }
                }
            }
        }
        resolve_mixins(&mut shapes, &raw_mixins, &mut errors);
        for (target, traits, pointer) in applies {
            let (shape_id, member) = match target.split_once('$') {
                Some((s, m)) => (s.to_owned(), Some(m.to_owned())),
                None => (target.clone(), None),
            };
            let Some(shape) = shapes.get_mut(&shape_id) else {
                errors.push(
                    ModelError::new(&shape_id, member.as_deref(), "`apply` targets a shape that does not exist")
                        .at(pointer),
                );
                continue;
            };
            let slot = match &member {
                Some(m) => match shape.members.iter_mut().find(|x| &x.name == m) {
                    Some(mm) => &mut mm.traits,
                    None => {
                        errors.push(
                            ModelError::new(&shape_id, Some(m), "`apply` targets a member that does not exist")
                                .at(pointer),
                        );
                        continue;
                    }
                },
                None => &mut shape.traits,
            };
            slot.0.extend(traits.0);
        }
        upgrade_v1_enums(&mut shapes, &mut errors);
        // Problems inside a shape wait until that shape is checked; the rest stop loading now.
        let mut deferred: BTreeMap<String, Vec<ModelError>> = BTreeMap::new();
        let mut global = Vec::new();
        for e in errors {
            if shapes.contains_key(&e.shape) || broken.contains(&e.shape) {
                deferred.entry(e.shape.clone()).or_default().push(e);
            } else {
                global.push(e);
            }
        }
        for id in &broken {
            deferred.entry(id.clone()).or_default();
        }
        if global.is_empty() {
            Ok(Model { shapes, deferred })
        } else {
            global.sort();
            global.dedup();
            Err(ModelErrors(global))
        }
    }

    /// The shape with this ID.
    pub fn shape(&self, id: &str) -> Option<&Shape> {
        self.shapes.get(id)
    }

    /// Checks the shapes `ids` (and reports the problems found in them while loading):
    /// errors, and warnings about what the generated crate will not enforce.
    pub fn check_shapes(&self, ids: &BTreeSet<String>) -> Findings {
        let mut findings = Findings::default();
        let mut errors = Vec::new();
        let mut loading = Vec::new();
        for id in ids {
            if let Some(problems) = self.deferred.get(id) {
                loading.extend(problems.iter().cloned());
            }
            if let Some(shape) = self.shapes.get(id) {
                self.check_shape(shape, &mut errors, &mut findings);
            }
        }
        self.check_unconstructible_cycles(ids, &mut errors);
        // A reference to a shape that could not be read is not reported again.
        let broken: Vec<String> =
            self.deferred.keys().filter(|id| !self.shapes.contains_key(*id)).map(|id| format!("`{id}`")).collect();
        if !broken.is_empty() {
            errors.retain(|e| !broken.iter().any(|b| e.message.contains(b.as_str())));
        }
        errors.append(&mut loading);
        errors.sort();
        errors.dedup();
        findings.errors = errors;
        findings.warnings.sort();
        findings.warnings.dedup();
        findings
    }

    fn check_shape(&self, shape: &Shape, errors: &mut Vec<ModelError>, findings: &mut Findings) {
        {
            if shape.id.starts_with("smithy.api#") {
                return;
            }
            self.check_traits(&shape.id, None, shape.kind, &shape.traits, errors, findings);
            for member in &shape.members {
                let Some(target) = self.shapes.get(&member.target) else {
                    errors.push(ModelError::new(
                        &shape.id,
                        Some(&member.name),
                        format!("targets `{}`, which is not defined", member.target),
                    ));
                    continue;
                };
                let enum_member = matches!(shape.kind, ShapeKind::Enum | ShapeKind::IntEnum);
                if enum_member {
                    continue;
                }
                if !target.kind.is_value() {
                    errors.push(ModelError::new(
                        &shape.id,
                        Some(&member.name),
                        format!(
                            "targets `{}`, {} {}; members must target a value shape",
                            member.target,
                            article(target.kind.name()),
                            target.kind.name()
                        ),
                    ));
                    continue;
                }
                if shape.kind == ShapeKind::Map
                    && member.name == "key"
                    && !matches!(target.kind, ShapeKind::String | ShapeKind::Enum)
                {
                    errors.push(ModelError::new(
                        &shape.id,
                        Some("key"),
                        format!(
                            "map keys must target a string or enum shape, not the {} `{}`",
                            target.kind.name(),
                            member.target
                        ),
                    ));
                }
                self.check_traits(&shape.id, Some(&member.name), target.kind, &member.traits, errors, findings);
                if let Some(default) = member.traits.get(DEFAULT) {
                    check_default(&shape.id, &member.name, target, default, errors);
                }
            }
            match shape.kind {
                ShapeKind::List if shape.member("member").is_none() => {
                    errors.push(ModelError::new(&shape.id, None, "a list needs a `member`"));
                }
                ShapeKind::Map if shape.member("key").is_none() || shape.member("value").is_none() => {
                    errors.push(ModelError::new(&shape.id, None, "a map needs a `key` and a `value`"));
                }
                ShapeKind::Enum | ShapeKind::IntEnum => self.check_enum(shape, errors),
                ShapeKind::Operation => self.check_operation(shape, errors),
                ShapeKind::Service | ShapeKind::Resource => {
                    for (what, ids, kind) in [
                        ("operation", &shape.relations.operations, ShapeKind::Operation),
                        ("resource", &shape.relations.resources, ShapeKind::Resource),
                        ("error", &shape.relations.errors, ShapeKind::Structure),
                    ] {
                        for id in ids {
                            match self.shapes.get(id) {
                                Some(s) if s.kind == kind => {}
                                Some(s) => errors.push(ModelError::new(
                                    &shape.id,
                                    None,
                                    format!("lists `{id}` as an {what}, but it is a {}", s.kind.name()),
                                )),
                                None => errors.push(ModelError::new(
                                    &shape.id,
                                    None,
                                    format!("lists the {what} `{id}`, which is not defined"),
                                )),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        checks::check_shape_extra(self, shape, errors);
    }

    fn check_enum(&self, shape: &Shape, errors: &mut Vec<ModelError>) {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        if shape.members.is_empty() {
            errors.push(ModelError::new(&shape.id, None, "an enum needs at least one member"));
        }
        for member in &shape.members {
            let value = match (shape.kind, member.traits.get(ENUM_VALUE)) {
                (ShapeKind::Enum, None) => member.name.clone(),
                (ShapeKind::Enum, Some(Value::String(s))) => s.clone(),
                (ShapeKind::IntEnum, Some(Value::Number(n)))
                    if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) =>
                {
                    n.to_string()
                }
                (ShapeKind::IntEnum, None) => {
                    errors.push(ModelError::new(
                        &shape.id,
                        Some(&member.name),
                        "an intEnum member needs an integer `smithy.api#enumValue`",
                    ));
                    continue;
                }
                (_, Some(v)) => {
                    let expected = if shape.kind == ShapeKind::Enum { "a string" } else { "a 32-bit integer" };
                    errors.push(ModelError::new(
                        &shape.id,
                        Some(&member.name),
                        format!("`smithy.api#enumValue` must be {expected}, found {v}"),
                    ));
                    continue;
                }
                _ => continue,
            };
            if let Some(previous) = seen.insert(value.clone(), &member.name) {
                errors.push(ModelError::new(
                    &shape.id,
                    Some(&member.name),
                    format!("duplicate enum value `{value}` (also used by member `{previous}`)"),
                ));
            }
        }
    }

    fn check_operation(&self, shape: &Shape, errors: &mut Vec<ModelError>) {
        for (what, id) in [("input", &shape.relations.input), ("output", &shape.relations.output)] {
            let Some(id) = id else { continue };
            match self.shapes.get(id) {
                Some(s) if s.kind == ShapeKind::Structure => {}
                Some(s) => errors.push(ModelError::new(
                    &shape.id,
                    None,
                    format!("the {what} `{id}` must be a structure, not a {}", s.kind.name()),
                )),
                None => errors.push(ModelError::new(&shape.id, None, format!("the {what} `{id}` is not defined"))),
            }
        }
        for id in &shape.relations.errors {
            match self.shapes.get(id) {
                Some(s) if s.kind == ShapeKind::Structure && s.traits.has(ERROR) => {}
                Some(s) if s.kind == ShapeKind::Structure => errors.push(ModelError::new(
                    &shape.id,
                    None,
                    format!("the error `{id}` lacks the `smithy.api#error` trait"),
                )),
                Some(s) => errors.push(ModelError::new(
                    &shape.id,
                    None,
                    format!("the error `{id}` must be a structure, not a {}", s.kind.name()),
                )),
                None => errors.push(ModelError::new(&shape.id, None, format!("the error `{id}` is not defined"))),
            }
        }
    }

    fn check_traits(
        &self,
        shape: &str,
        member: Option<&str>,
        kind: ShapeKind,
        traits: &Traits,
        errors: &mut Vec<ModelError>,
        findings: &mut Findings,
    ) {
        let mut err = |msg: String| errors.push(ModelError::new(shape, member, msg));
        for (id, value) in &traits.0 {
            if let Some(want) = checks::trait_target(id, kind) {
                err(format!("`{id}` applies to {want}, not to a {}", kind.name()));
            }
            match id.as_str() {
                LENGTH | RANGE => {
                    let Some(obj) = value.as_object() else {
                        err(format!("`{id}` must be an object with `min` and/or `max`, found {value}"));
                        continue;
                    };
                    for (k, v) in obj {
                        let ok = match (id.as_str(), k.as_str()) {
                            (LENGTH, "min" | "max") => v.as_u64().is_some(),
                            (RANGE, "min" | "max") => v.is_number(),
                            _ => {
                                err(format!("`{id}` has an unknown property `{k}`"));
                                continue;
                            }
                        };
                        if !ok {
                            let want = if id == LENGTH { "a non-negative integer" } else { "a number" };
                            err(format!("`{id}` property `{k}` must be {want}, found {v}"));
                        }
                    }
                    if let (Some(min), Some(max)) =
                        (obj.get("min").and_then(Value::as_f64), obj.get("max").and_then(Value::as_f64))
                    {
                        if min > max {
                            err(format!("`{id}` has min {min} greater than max {max}"));
                        }
                    }
                    // An enum is a string and an intEnum an integer for Smithy's trait selectors.
                    let applies = match id.as_str() {
                        LENGTH => matches!(
                            kind,
                            ShapeKind::String | ShapeKind::Enum | ShapeKind::Blob | ShapeKind::List | ShapeKind::Map
                        ),
                        _ => matches!(
                            kind,
                            ShapeKind::Byte
                                | ShapeKind::IntEnum
                                | ShapeKind::Short
                                | ShapeKind::Integer
                                | ShapeKind::Long
                                | ShapeKind::Float
                                | ShapeKind::Double
                                | ShapeKind::BigInteger
                                | ShapeKind::BigDecimal
                        ),
                    };
                    if !applies {
                        err(format!("`{id}` cannot apply to a {}", kind.name()));
                    }
                }
                PATTERN => match value.as_str() {
                    Some(p) => {
                        if !matches!(kind, ShapeKind::String | ShapeKind::Enum) {
                            err(format!("`smithy.api#pattern` cannot apply to a {}", kind.name()));
                        } else if let Err(why) = findings.pattern(p) {
                            let shown: String = p.chars().take(200).collect();
                            let more = if shown.len() < p.len() { "..." } else { "" };
                            let message = format!("`smithy.api#pattern` {shown:?}{more} is not enforced: {why}");
                            findings.warnings.push(ModelError::new(shape, member, message));
                        }
                    }
                    None => err(format!("`smithy.api#pattern` must be a string, found {value}")),
                },
                TIMESTAMP_FORMAT if !matches!(value.as_str(), Some("epoch-seconds" | "date-time" | "http-date")) => {
                    err(format!("`smithy.api#timestampFormat` must be \"epoch-seconds\", \"date-time\" or \"http-date\", found {value}"));
                }
                JSON_NAME | DOCUMENTATION | HTTP_HEADER | HTTP_QUERY | HTTP_PREFIX_HEADERS if !value.is_string() => {
                    err(format!("`{id}` must be a string, found {value}"));
                }
                HTTP_ERROR if !value.as_u64().is_some_and(|c| (100..600).contains(&c)) => {
                    err(format!("`smithy.api#httpError` must be an HTTP status code, found {value}"));
                }
                ERROR if !matches!(value.as_str(), Some("client" | "server")) => {
                    err(format!("`smithy.api#error` must be \"client\" or \"server\", found {value}"));
                }
                HTTP => {
                    let method = value.get("method").and_then(Value::as_str);
                    let uri = value.get("uri").and_then(Value::as_str);
                    if method.is_none_or(str::is_empty) {
                        err("`smithy.api#http` needs a `method` string".to_owned());
                    }
                    match uri {
                        Some(u) if u.starts_with('/') => {}
                        Some(u) => err(format!("`smithy.api#http` uri {u:?} must start with `/`")),
                        None => err("`smithy.api#http` needs a `uri` string".to_owned()),
                    }
                    if value.get("code").is_some_and(|c| !c.as_u64().is_some_and(|c| (100..600).contains(&c))) {
                        err("`smithy.api#http` code must be an HTTP status code".to_owned());
                    }
                }
                TOTAL_UTF8_BYTES => {
                    if value.get("max").and_then(Value::as_u64).is_none() {
                        err(format!("`{TOTAL_UTF8_BYTES}` needs an integer `max`, found {value}"));
                    }
                    if !matches!(kind, ShapeKind::List | ShapeKind::Map) {
                        err(format!("`{TOTAL_UTF8_BYTES}` applies to lists and maps, not a {}", kind.name()));
                    }
                }
                ENDPOINT_RULE_SET if !value.is_object() => {
                    err(format!("`{ENDPOINT_RULE_SET}` must be an object"));
                }
                AWS_SERVICE if !value.get("sdkId").is_some_and(Value::is_string) => {
                    err(format!("`{AWS_SERVICE}` needs an `sdkId` string"));
                }
                SIGV4 if !value.get("name").is_some_and(Value::is_string) => {
                    err(format!("`{SIGV4}` needs a `name` string"));
                }
                _ => {}
            }
        }
    }

    /// Structures that can only be built by first building themselves (a cycle through
    /// required, non-defaulted structure members) cannot exist in any language. Linear: one
    /// strongly connected component search over `ids`, then one path per cyclic component.
    fn check_unconstructible_cycles<'s>(&'s self, ids: &BTreeSet<String>, errors: &mut Vec<ModelError>) {
        let edges = |id: &str| self.required_edges(id, ids);
        let successors = |id: &'s str| edges(id).into_iter().map(|(_, t)| t).collect::<Vec<_>>();
        let nodes = self.shapes.keys().map(String::as_str).filter(|id| ids.contains(*id));
        for component in components(nodes, &successors) {
            let start = component.iter().next().copied().unwrap_or_default();
            // Breadth-first inside the component for the shortest way back to `start`.
            let mut parent: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            let mut closing = None;
            while let Some(at) = queue.pop_front() {
                for (member, target) in edges(at) {
                    if target == start {
                        closing = Some((at, member));
                        break;
                    }
                    if component.contains(target) && !parent.contains_key(target) {
                        parent.insert(target, (at, member));
                        queue.push_back(target);
                    }
                }
                if closing.is_some() {
                    break;
                }
            }
            let Some((mut at, member)) = closing else { continue };
            let mut path = vec![format!("{at}${member}")];
            while let Some((from, m)) = parent.get(at) {
                path.push(format!("{from}${m}"));
                at = from;
            }
            path.reverse();
            let first = path.first().and_then(|s| s.split_once('$')).map(|(_, m)| m.to_owned());
            errors.push(ModelError::new(start, first.as_deref(), format!("required members form a cycle that no value can satisfy: {} -> back to `{start}`; make one of them optional or add a list/map in between", path.join(" -> "))));
        }
    }

    /// `(member, target)` of each required, non-defaulted structure member of `id` whose target
    /// is a structure in `ids`.
    fn required_edges<'s>(&'s self, id: &str, ids: &BTreeSet<String>) -> Vec<(&'s str, &'s str)> {
        let Some(shape) = self.shapes.get(id).filter(|s| s.kind == ShapeKind::Structure) else { return Vec::new() };
        shape
            .members
            .iter()
            .filter(|m| m.traits.has(REQUIRED) && !m.traits.has(DEFAULT) && ids.contains(&m.target))
            .filter(|m| self.shapes.get(&m.target).is_some_and(|t| t.kind == ShapeKind::Structure))
            .map(|m| (m.name.as_str(), m.target.as_str()))
            .collect()
    }
}

/// The strongly connected components of `nodes` that contain a cycle (Tarjan's algorithm,
/// iterative so that a long chain cannot overflow the stack).
pub(crate) fn components<'a, F>(nodes: impl IntoIterator<Item = &'a str>, successors: &F) -> Vec<BTreeSet<&'a str>>
where
    F: Fn(&'a str) -> Vec<&'a str>,
{
    let mut index: BTreeMap<&str, (usize, usize)> = BTreeMap::new(); // node -> (index, lowlink)
    let mut on_stack: BTreeSet<&str> = BTreeSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    let mut next = 0;
    for root in nodes {
        if index.contains_key(root) {
            continue;
        }
        // Each frame: node, its successors, position in them.
        let mut frames: Vec<(&str, Vec<&str>, usize)> = Vec::new();
        let visit = |n: &'a str, index: &mut BTreeMap<&'a str, (usize, usize)>, next: &mut usize| {
            index.insert(n, (*next, *next));
            *next += 1;
        };
        visit(root, &mut index, &mut next);
        stack.push(root);
        on_stack.insert(root);
        frames.push((root, successors(root), 0));
        while let Some((node, succ, pos)) = frames.last_mut() {
            let node = *node;
            if let Some(&t) = succ.get(*pos) {
                *pos += 1;
                match index.get(t) {
                    None => {
                        visit(t, &mut index, &mut next);
                        stack.push(t);
                        on_stack.insert(t);
                        frames.push((t, successors(t), 0));
                    }
                    Some(&(ti, _)) if on_stack.contains(t) => {
                        if let Some(e) = index.get_mut(node) {
                            e.1 = e.1.min(ti);
                        }
                    }
                    Some(_) => {}
                }
                continue;
            }
            let self_loop = succ.contains(&node);
            frames.pop();
            let (ni, nl) = index.get(node).copied().unwrap_or_default();
            if let Some((parent, _, _)) = frames.last() {
                if let Some(e) = index.get_mut(parent) {
                    e.1 = e.1.min(nl);
                }
            }
            if ni == nl {
                let mut component = BTreeSet::new();
                while let Some(n) = stack.pop() {
                    on_stack.remove(n);
                    component.insert(n);
                    if n == node {
                        break;
                    }
                }
                if component.len() > 1 || self_loop {
                    out.push(component);
                }
            }
        }
    }
    out
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Compiles a `@pattern` the way the runtime does (ECMA-262 via regress, Unicode mode when
/// possible).
pub fn compile_pattern(pattern: &str) -> Result<(), String> {
    regress::Regex::with_flags(pattern, "u")
        .or_else(|_| regress::Regex::new(pattern))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn check_default(shape: &str, member: &str, target: &Shape, default: &Value, errors: &mut Vec<ModelError>) {
    let ok = match target.kind {
        ShapeKind::String | ShapeKind::Enum | ShapeKind::Blob => default.is_string(),
        ShapeKind::Boolean => default.is_boolean(),
        ShapeKind::Byte | ShapeKind::Short | ShapeKind::Integer | ShapeKind::Long | ShapeKind::IntEnum => {
            default.is_i64()
        }
        ShapeKind::Float | ShapeKind::Double | ShapeKind::BigInteger | ShapeKind::BigDecimal => {
            default.is_number() || default.is_string()
        }
        ShapeKind::Timestamp => default.is_number() || default.is_string(),
        ShapeKind::List => default.as_array().is_some_and(Vec::is_empty),
        ShapeKind::Map => default.as_object().is_some_and(serde_json::Map::is_empty),
        ShapeKind::Document => true,
        _ => false,
    };
    if !ok && !default.is_null() {
        errors.push(ModelError::new(
            shape,
            Some(member),
            format!("`smithy.api#default` value {default} does not fit the {} `{}`", target.kind.name(), target.id),
        ));
    }
}

fn parse_traits(shape: &str, member: Option<&str>, raw: Option<&Value>, pointer: &str) -> Result<Traits, ModelError> {
    match raw {
        None => Ok(Traits::default()),
        Some(Value::Object(map)) => {
            let mut traits = Traits::default();
            for (k, v) in map {
                // Smithy 1.0 JSON ASTs always use absolute trait IDs; relative ones are prelude traits.
                let id = if k.contains('#') { k.clone() } else { format!("smithy.api#{k}") };
                traits.0.insert(id, v.clone());
            }
            Ok(traits)
        }
        Some(other) => Err(ModelError::new(shape, member, format!("`traits` must be an object, found {other}"))
            .at(format!("{pointer}/traits"))),
    }
}

/// The first key of `raw` that Smithy's JSON AST does not allow there.
fn unknown_keys(shape: &str, member: Option<&str>, raw: &Value, allowed: &[&str], pointer: &str) -> Option<ModelError> {
    let key = raw.as_object()?.keys().find(|k| !allowed.contains(&k.as_str()))?;
    let message = format!("unknown key `{key}` (the JSON AST allows only {} here)", allowed.join(", "));
    Some(ModelError::new(shape, member, message).at(format!("{pointer}/{key}")))
}

/// The keys a shape of this type may have in the JSON AST, besides `type`, `traits` and `mixins`.
fn shape_keys(kind: ShapeKind) -> &'static [&'static str] {
    match kind {
        ShapeKind::List => &["member"],
        ShapeKind::Map => &["key", "value"],
        ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => &["members"],
        ShapeKind::Service => &["version", "operations", "resources", "errors", "rename"],
        ShapeKind::Operation => &["input", "output", "errors"],
        ShapeKind::Resource => &[
            "identifiers",
            "properties",
            "create",
            "put",
            "read",
            "update",
            "delete",
            "list",
            "operations",
            "collectionOperations",
            "resources",
        ],
        _ => &[],
    }
}

fn target_of(shape: &str, member: Option<&str>, raw: &Value, pointer: &str) -> Result<String, ModelError> {
    if let Some(e) = unknown_keys(shape, member, raw, &["target"], pointer) {
        return Err(e);
    }
    match raw.get("target").and_then(Value::as_str) {
        Some(t) if valid_shape_id(t) => Ok(t.to_owned()),
        Some(t) => Err(ModelError::new(shape, member, format!("target `{t}` is not an absolute shape ID"))
            .at(format!("{pointer}/target"))),
        None => Err(ModelError::new(shape, member, "needs a `target` string").at(pointer)),
    }
}

fn parse_member(shape: &str, name: &str, raw: &Value, pointer: &str) -> Result<Member, ModelError> {
    if !valid_identifier(name) {
        return Err(ModelError::new(shape, Some(name), "not a valid member name").at(pointer));
    }
    if !raw.is_object() {
        return Err(ModelError::new(
            shape,
            Some(name),
            format!("a member must be an object with a `target`, found {raw}"),
        )
        .at(pointer));
    }
    if let Some(e) = unknown_keys(shape, Some(name), raw, &["target", "traits"], pointer) {
        return Err(e);
    }
    let reference = serde_json::json!({ "target": raw.get("target") });
    Ok(Member {
        name: name.to_owned(),
        target: target_of(shape, Some(name), &reference, pointer)?,
        traits: parse_traits(shape, Some(name), raw.get("traits"), pointer)?,
    })
}

fn refs(shape: &str, raw: &Value, key: &str, pointer: &str, errors: &mut Vec<ModelError>) -> Vec<String> {
    match raw.get(key) {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match target_of(shape, None, item, &format!("{pointer}/{key}/{i}")) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
            .collect(),
        Some(other) => {
            errors.push(
                ModelError::new(shape, None, format!("`{key}` must be a list of references, found {other}"))
                    .at(format!("{pointer}/{key}")),
            );
            Vec::new()
        }
    }
}

fn parse_shape(id: &str, raw: &Value, pointer: &str) -> Result<(Shape, Vec<String>), Vec<ModelError>> {
    let mut errors = Vec::new();
    let Some(obj) = raw.as_object() else {
        return Err(vec![ModelError::new(id, None, format!("a shape must be a JSON object, found {raw}")).at(pointer)]);
    };
    let type_name = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let Some(kind) = ShapeKind::parse(type_name) else {
        return Err(vec![
            ModelError::new(id, None, format!("unknown shape type `{type_name}`")).at(format!("{pointer}/type"))
        ]);
    };
    let mut allowed = vec!["type", "traits", "mixins"];
    allowed.extend_from_slice(shape_keys(kind));
    if let Some(e) = unknown_keys(id, None, raw, &allowed, pointer) {
        errors.push(e);
    }
    let mut traits = match parse_traits(id, None, obj.get("traits"), pointer) {
        Ok(t) => t,
        Err(e) => return Err(vec![e]),
    };
    if type_name == "set" {
        traits.0.insert(UNIQUE_ITEMS.to_owned(), Value::Object(Default::default()));
    }
    let mut members = Vec::new();
    match kind {
        ShapeKind::List => match obj.get("member") {
            Some(m) => match parse_member(id, "member", m, &format!("{pointer}/member")) {
                Ok(m) => members.push(m),
                Err(e) => errors.push(e),
            },
            None => errors.push(ModelError::new(id, None, "a list needs a `member`").at(pointer)),
        },
        ShapeKind::Map => {
            for key in ["key", "value"] {
                match obj.get(key) {
                    Some(m) => match parse_member(id, key, m, &format!("{pointer}/{key}")) {
                        Ok(m) => members.push(m),
                        Err(e) => errors.push(e),
                    },
                    None => errors.push(ModelError::new(id, None, format!("a map needs a `{key}`")).at(pointer)),
                }
            }
        }
        ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => match obj.get("members") {
            None => {}
            Some(Value::Object(map)) => {
                for (name, m) in map {
                    match parse_member(id, name, m, &format!("{pointer}/members/{name}")) {
                        Ok(m) => members.push(m),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Some(other) => errors.push(
                ModelError::new(id, None, format!("`members` must be an object, found {other}"))
                    .at(format!("{pointer}/members")),
            ),
        },
        _ => {}
    }
    // serde_json's map is sorted, so members are sorted by name whatever the file's key order.
    let mut relations = Relations::default();
    let single = |key: &str, errors: &mut Vec<ModelError>| match obj.get(key) {
        None => None,
        Some(v) => match target_of(id, None, v, &format!("{pointer}/{key}")) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    match kind {
        ShapeKind::Operation => {
            relations.input = single("input", &mut errors);
            relations.output = single("output", &mut errors);
            relations.errors = refs(id, raw, "errors", pointer, &mut errors);
        }
        ShapeKind::Service => {
            relations.version = obj.get("version").and_then(Value::as_str).map(str::to_owned);
            relations.operations = refs(id, raw, "operations", pointer, &mut errors);
            relations.resources = refs(id, raw, "resources", pointer, &mut errors);
            relations.errors = refs(id, raw, "errors", pointer, &mut errors);
            if let Some(rename) = obj.get("rename") {
                match rename.as_object() {
                    Some(map) => {
                        for (k, v) in map {
                            match v.as_str() {
                                Some(name) if valid_identifier(name) => {
                                    relations.rename.insert(k.clone(), name.to_owned());
                                }
                                _ => errors.push(
                                    ModelError::new(
                                        id,
                                        None,
                                        format!("`rename` of `{k}` must be a valid identifier, found {v}"),
                                    )
                                    .at(format!("{pointer}/rename")),
                                ),
                            }
                        }
                    }
                    None => errors
                        .push(ModelError::new(id, None, "`rename` must be an object").at(format!("{pointer}/rename"))),
                }
            }
        }
        ShapeKind::Resource => {
            for key in ["create", "put", "read", "update", "delete", "list"] {
                if let Some(op) = single(key, &mut errors) {
                    relations.operations.push(op);
                }
            }
            relations.operations.extend(refs(id, raw, "operations", pointer, &mut errors));
            relations.operations.extend(refs(id, raw, "collectionOperations", pointer, &mut errors));
            relations.resources = refs(id, raw, "resources", pointer, &mut errors);
        }
        _ => {}
    }
    let mixins = refs(id, raw, "mixins", pointer, &mut errors);
    if errors.is_empty() {
        Ok((Shape { id: id.to_owned(), kind, members, traits, relations }, mixins))
    } else {
        Err(errors)
    }
}

fn resolve_mixins(
    shapes: &mut BTreeMap<String, Shape>,
    mixins: &BTreeMap<String, Vec<String>>,
    errors: &mut Vec<ModelError>,
) {
    fn flatten(
        id: &str,
        shapes: &BTreeMap<String, Shape>,
        mixins: &BTreeMap<String, Vec<String>>,
        stack: &mut Vec<String>,
        errors: &mut Vec<ModelError>,
    ) -> Option<Shape> {
        let shape = shapes.get(id)?.clone();
        let Some(list) = mixins.get(id) else { return Some(shape) };
        if stack.iter().any(|s| s == id) {
            errors.push(ModelError::new(id, None, format!("mixins form a cycle: {}", stack.join(" -> "))));
            return None;
        }
        stack.push(id.to_owned());
        let mut members: Vec<Member> = Vec::new();
        let mut traits = Traits::default();
        for mixin_id in list {
            let Some(mixin) = flatten(mixin_id, shapes, mixins, stack, errors) else {
                if !shapes.contains_key(mixin_id) {
                    errors.push(ModelError::new(
                        id,
                        None,
                        format!("uses the mixin `{mixin_id}`, which is not defined"),
                    ));
                }
                continue;
            };
            if !mixin.traits.has(MIXIN) {
                errors.push(ModelError::new(
                    id,
                    None,
                    format!("uses `{mixin_id}` as a mixin, but it lacks the `smithy.api#mixin` trait"),
                ));
            }
            for (k, v) in &mixin.traits.0 {
                if k != MIXIN {
                    traits.0.insert(k.clone(), v.clone());
                }
            }
            for m in mixin.members {
                members.retain(|x| x.name != m.name);
                members.push(m);
            }
        }
        stack.pop();
        traits.0.extend(shape.traits.0.clone());
        for m in &shape.members {
            match members.iter_mut().find(|x| x.name == m.name) {
                Some(existing) => existing.traits.0.extend(m.traits.0.clone()),
                None => members.push(m.clone()),
            }
        }
        members.sort_by(|a, b| a.name.cmp(&b.name));
        Some(Shape { members, traits, ..shape })
    }
    let mut resolved = Vec::new();
    for id in mixins.keys() {
        if let Some(shape) = flatten(id, shapes, mixins, &mut Vec::new(), errors) {
            resolved.push(shape);
        }
    }
    for shape in resolved {
        shapes.insert(shape.id.clone(), shape);
    }
    // Mixin shapes themselves are not part of the generated API.
    shapes.retain(|_, s| !s.traits.has(MIXIN));
}

/// Smithy 1.0 `@enum` strings become enum shapes, so one code path serves both versions.
fn upgrade_v1_enums(shapes: &mut BTreeMap<String, Shape>, errors: &mut Vec<ModelError>) {
    for shape in shapes.values_mut() {
        if shape.kind != ShapeKind::String {
            continue;
        }
        let Some(Value::Array(defs)) = shape.traits.0.remove(ENUM_V1) else { continue };
        let mut members = Vec::new();
        for def in &defs {
            let Some(value) = def.get("value").and_then(Value::as_str) else {
                errors.push(ModelError::new(
                    &shape.id,
                    None,
                    format!("a `smithy.api#enum` entry needs a `value` string, found {def}"),
                ));
                continue;
            };
            if let Some(name) = def.get("name").filter(|n| !n.as_str().is_some_and(valid_identifier)) {
                errors.push(ModelError::new(
                    &shape.id,
                    None,
                    format!("the `smithy.api#enum` name {name} of the value {value:?} is not a valid identifier"),
                ));
                continue;
            }
            let name = def.get("name").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| {
                let cleaned: String = value.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
                if cleaned.starts_with(|c: char| c.is_ascii_digit()) || cleaned.is_empty() {
                    format!("_{cleaned}")
                } else {
                    cleaned
                }
            });
            let mut traits = Traits::default();
            traits.0.insert(ENUM_VALUE.to_owned(), Value::String(value.to_owned()));
            if let Some(doc) = def.get("documentation") {
                traits.0.insert(DOCUMENTATION.to_owned(), doc.clone());
            }
            members.push(Member { name, target: "smithy.api#Unit".to_owned(), traits });
        }
        // A 1.0 enum keeps its declared order of values, which is meaningful there.
        shape.kind = ShapeKind::Enum;
        shape.members = members;
    }
}
