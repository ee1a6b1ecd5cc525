//! What a new model version does to users of the generated crate.
//!
//! [`diff`] compares two loaded [`Model`]s (so JSON key order, member order in the file and
//! trait order never matter) and lists every semantic change to the part of the model the
//! crate is generated from, grouped by shape, each with a [`Severity`] and a reason. Both sides
//! are lowered with [`ir::lower`], and the Rust items a change affects (`types::Foo::bar`,
//! `types::Kind::Value`, `Client::start_thing`, ...) are read from that IR, so they are the
//! names a user of the crate sees.
//!
//! The module does no I/O: the `cargo xtask diff` command reads the files and renders the
//! [`Report`] with [`Report::render_text`], [`Report::render_markdown`] or
//! [`Report::render_json`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use serde_json::{json, Value};

use crate::ir::{self, Crate, HttpBinding, Presence, Selection};
use crate::model::{self, Member, Model, ModelErrors, Shape, ShapeKind, Traits};

/// How a change affects users of the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Nothing a caller wrote stops working.
    Safe,
    /// Compiles as before, but behaviour changes in a way someone should review.
    NeedsAttention,
    /// Code or requests that worked before can stop compiling or start failing.
    Breaking,
}

impl Severity {
    /// The name used in text and Markdown output.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Safe => "safe",
            Severity::NeedsAttention => "needs attention",
            Severity::Breaking => "breaking",
        }
    }

    /// The machine-readable name used in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Safe => "safe",
            Severity::NeedsAttention => "needs-attention",
            Severity::Breaking => "breaking",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The class of a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    HttpMethodChanged,
    HttpUriChanged,
    HttpCodeChanged,
    InputChanged,
    OutputChanged,
    ErrorAdded,
    ErrorRemoved,
    ShapeAdded,
    ShapeRemoved,
    ShapeKindChanged,
    TypeRenamed,
    MemberAdded,
    MemberRemoved,
    TargetChanged,
    BecameRequired,
    BecameOptional,
    DefaultChanged,
    HttpBindingChanged,
    JsonNameChanged,
    ConstraintTightened,
    ConstraintLoosened,
    SensitiveAdded,
    SensitiveRemoved,
    IdempotencyTokenChanged,
    TimestampFormatChanged,
    SparseChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumValueChanged,
    EnumVariantRenamed,
    ErrorInfoChanged,
    ServiceChanged,
    TraitChanged,
    Documentation,
    MemberOrder,
}

impl ChangeKind {
    /// A stable kebab-case name (used in JSON output).
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation-added",
            ChangeKind::OperationRemoved => "operation-removed",
            ChangeKind::HttpMethodChanged => "http-method-changed",
            ChangeKind::HttpUriChanged => "http-uri-changed",
            ChangeKind::HttpCodeChanged => "http-code-changed",
            ChangeKind::InputChanged => "input-changed",
            ChangeKind::OutputChanged => "output-changed",
            ChangeKind::ErrorAdded => "error-added",
            ChangeKind::ErrorRemoved => "error-removed",
            ChangeKind::ShapeAdded => "shape-added",
            ChangeKind::ShapeRemoved => "shape-removed",
            ChangeKind::ShapeKindChanged => "shape-kind-changed",
            ChangeKind::TypeRenamed => "type-renamed",
            ChangeKind::MemberAdded => "member-added",
            ChangeKind::MemberRemoved => "member-removed",
            ChangeKind::TargetChanged => "target-changed",
            ChangeKind::BecameRequired => "became-required",
            ChangeKind::BecameOptional => "became-optional",
            ChangeKind::DefaultChanged => "default-changed",
            ChangeKind::HttpBindingChanged => "http-binding-changed",
            ChangeKind::JsonNameChanged => "json-name-changed",
            ChangeKind::ConstraintTightened => "constraint-tightened",
            ChangeKind::ConstraintLoosened => "constraint-loosened",
            ChangeKind::SensitiveAdded => "sensitive-added",
            ChangeKind::SensitiveRemoved => "sensitive-removed",
            ChangeKind::IdempotencyTokenChanged => "idempotency-token-changed",
            ChangeKind::TimestampFormatChanged => "timestamp-format-changed",
            ChangeKind::SparseChanged => "sparse-changed",
            ChangeKind::EnumValueAdded => "enum-value-added",
            ChangeKind::EnumValueRemoved => "enum-value-removed",
            ChangeKind::EnumValueChanged => "enum-value-changed",
            ChangeKind::EnumVariantRenamed => "enum-variant-renamed",
            ChangeKind::ErrorInfoChanged => "error-info-changed",
            ChangeKind::ServiceChanged => "service-changed",
            ChangeKind::TraitChanged => "trait-changed",
            ChangeKind::Documentation => "documentation",
            ChangeKind::MemberOrder => "member-order",
        }
    }
}

/// One semantic change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The shape the change is grouped under (`ns#Name`).
    pub shape: String,
    /// The member, for member-level changes.
    pub member: Option<String>,
    pub kind: ChangeKind,
    pub severity: Severity,
    /// What changed.
    pub summary: String,
    /// Why it has this severity.
    pub reason: String,
    /// The Rust items of the generated crate it affects, as a user writes them
    /// (`types::Foo::bar`, `Client::start_thing`), sorted.
    pub items: Vec<String>,
}

/// Every change between two model versions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Sorted by shape, then member; in a stable order within.
    pub changes: Vec<Change>,
}

/// Why a diff could not be computed: one side does not lower.
#[derive(Debug, thiserror::Error)]
#[error("the {side} model cannot be generated: {errors}")]
pub struct DiffError {
    /// `"old"` or `"new"`.
    pub side: &'static str,
    pub errors: ModelErrors,
}

/// Compares what `selection` of `old` and `new` generate.
pub fn diff(old: &Model, new: &Model, selection: &Selection) -> Result<Report, DiffError> {
    let old_crate = ir::lower(old, selection).map_err(|errors| DiffError { side: "old", errors })?;
    let new_crate = ir::lower(new, selection).map_err(|errors| DiffError { side: "new", errors })?;
    let mut differ = Differ { old: Side::new(old, old_crate), new: Side::new(new, new_crate), changes: Vec::new() };
    differ.run();
    let mut changes = differ.changes;
    // Stable: keeps the order in which a shape's changes were found.
    changes.sort_by(|a, b| (&a.shape, a.member.is_some(), &a.member).cmp(&(&b.shape, b.member.is_some(), &b.member)));
    Ok(Report { changes })
}

/// Traits whose values describe the value itself (they follow a member to its target).
const VALUE_TRAITS: &[&str] = &[
    model::LENGTH,
    model::RANGE,
    model::PATTERN,
    model::UNIQUE_ITEMS,
    model::TOTAL_UTF8_BYTES,
    model::SENSITIVE,
    model::TIMESTAMP_FORMAT,
];

/// Traits that do not change the generated code or the wire.
const INERT_TRAITS: &[&str] = &[
    model::DOCUMENTATION,
    "smithy.api#title",
    "smithy.api#input",
    "smithy.api#output",
    "smithy.api#examples",
    "smithy.api#tags",
    "smithy.api#externalDocumentation",
    "smithy.api#since",
    "smithy.api#suppress",
    "smithy.rules#endpointTests",
];

/// Traits of a structure member that the IR's presence or HTTP binding already captures.
const FIELD_TRAITS: &[&str] = &[
    model::REQUIRED,
    model::DEFAULT,
    model::CLIENT_OPTIONAL,
    model::HTTP_LABEL,
    model::HTTP_QUERY,
    model::HTTP_QUERY_PARAMS,
    model::HTTP_HEADER,
    model::HTTP_PREFIX_HEADERS,
    model::HTTP_PAYLOAD,
    model::HTTP_RESPONSE_CODE,
];

/// One side of the comparison: the model, its IR and indexes into both.
struct Side<'m> {
    model: &'m Model,
    krate: Crate,
    /// Shapes the generated crate is made of: the service, the selected operations and every
    /// shape they reach.
    shapes: BTreeSet<String>,
    /// Shape ID -> Rust items of fields and variants whose values contain it (through lists and
    /// maps too).
    uses: BTreeMap<String, BTreeSet<String>>,
    /// Shapes reachable from an operation input: the client validates their constraints.
    input_shapes: BTreeSet<String>,
}

impl<'m> Side<'m> {
    fn new(model: &'m Model, krate: Crate) -> Self {
        let mut shapes = BTreeSet::new();
        shapes.insert(krate.service.id.clone());
        let service = model.shape(&krate.service.id);
        let mut stack: Vec<String> = Vec::new();
        for op in &krate.operations {
            stack.push(op.id.clone());
            if let Some(s) = model.shape(&op.id) {
                stack.extend(s.relations.input.iter().cloned());
                stack.extend(s.relations.output.iter().cloned());
                stack.extend(s.relations.errors.iter().cloned());
            }
            if let Some(s) = service {
                stack.extend(s.relations.errors.iter().cloned());
            }
        }
        while let Some(id) = stack.pop() {
            let Some(shape) = model.shape(&id) else { continue };
            if !shapes.insert(id.clone()) {
                continue;
            }
            if shape.kind.is_value() {
                stack.extend(shape.members.iter().map(|m| m.target.clone()));
            }
        }
        let mut input_shapes = BTreeSet::new();
        let mut stack: Vec<String> = krate
            .operations
            .iter()
            .filter_map(|op| model.shape(&op.id))
            .filter_map(|s| s.relations.input.clone())
            .collect();
        while let Some(id) = stack.pop() {
            let Some(shape) = model.shape(&id) else { continue };
            if input_shapes.insert(id) {
                stack.extend(shape.members.iter().map(|m| m.target.clone()));
            }
        }
        let mut side = Side { model, krate, shapes, uses: BTreeMap::new(), input_shapes };
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in &side.krate.structs {
            let Some(shape) = model.shape(&s.id) else { continue };
            for f in &s.fields {
                if let Some(m) = shape.member(&f.member) {
                    for id in side.contained(&m.target) {
                        uses.entry(id).or_default().insert(format!("types::{}::{}", s.name, f.name));
                    }
                }
            }
        }
        for u in &side.krate.unions {
            let Some(shape) = model.shape(&u.id) else { continue };
            for v in &u.variants {
                if let Some(m) = shape.member(&v.member) {
                    for id in side.contained(&m.target) {
                        uses.entry(id).or_default().insert(format!("types::{}::{}", u.name, v.name));
                    }
                }
            }
        }
        side.uses = uses;
        side
    }

    fn shape(&self, id: &str) -> Option<&'m Shape> {
        self.model.shape(id)
    }

    /// `id` and the shapes inside it through lists and maps.
    fn contained(&self, id: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack = vec![id.to_owned()];
        while let Some(id) = stack.pop() {
            if !out.insert(id.clone()) {
                continue;
            }
            if let Some(s) = self.shape(&id) {
                if matches!(s.kind, ShapeKind::List | ShapeKind::Map) {
                    stack.extend(s.members.iter().map(|m| m.target.clone()));
                }
            }
        }
        out
    }

    fn uses_of(&self, id: &str) -> BTreeSet<String> {
        self.uses.get(id).cloned().unwrap_or_default()
    }

    /// `types::Name` for a generated structure, union or enum.
    fn type_item(&self, id: &str) -> Option<String> {
        let k = &self.krate;
        k.structs
            .iter()
            .find(|s| s.id == id)
            .map(|s| &s.name)
            .or_else(|| k.unions.iter().find(|u| u.id == id).map(|u| &u.name))
            .or_else(|| k.enums.iter().find(|e| e.id == id).map(|e| &e.name))
            .map(|n| format!("types::{n}"))
    }

    /// `types::Struct::field` or `types::Union::Variant` for a member.
    fn member_item(&self, shape: &str, member: &str) -> Option<String> {
        let k = &self.krate;
        if let Some(s) = k.structs.iter().find(|s| s.id == shape) {
            return s.fields.iter().find(|f| f.member == member).map(|f| format!("types::{}::{}", s.name, f.name));
        }
        if let Some(u) = k.unions.iter().find(|u| u.id == shape) {
            return u.variants.iter().find(|v| v.member == member).map(|v| format!("types::{}::{}", u.name, v.name));
        }
        None
    }

    /// `types::Enum::Variant` for an enum value.
    fn variant_item(&self, shape: &str, value: &str) -> Option<String> {
        let e = self.krate.enums.iter().find(|e| e.id == shape)?;
        e.variants.iter().find(|v| v.value == value).map(|v| format!("types::{}::{}", e.name, v.name))
    }

    fn field(&self, shape: &str, member: &str) -> Option<&ir::Field> {
        self.krate.structs.iter().find(|s| s.id == shape)?.fields.iter().find(|f| f.member == member)
    }

    fn struct_usage(&self, shape: &str) -> Option<ir::Usage> {
        self.krate.structs.iter().find(|s| s.id == shape).map(|s| s.usage)
    }

    fn operation(&self, id: &str) -> Option<&ir::Operation> {
        self.krate.operations.iter().find(|o| o.id == id)
    }

    /// The Rust type values of shape `id` have, as a user reads it.
    fn type_text(&self, id: &str, depth: usize) -> String {
        if id == "smithy.api#Unit" {
            return "()".to_owned();
        }
        let Some(shape) = self.shape(id) else { return model::shape_name(id).to_owned() };
        let sparse = shape.traits.has(model::SPARSE);
        let inner = |name: &str| match shape.member(name) {
            Some(m) if depth < 32 => {
                let t = self.type_text(&m.target, depth + 1);
                if sparse {
                    format!("Option<{t}>")
                } else {
                    t
                }
            }
            _ => "_".to_owned(),
        };
        match shape.kind {
            ShapeKind::Blob => "Blob".to_owned(),
            ShapeKind::Boolean => "bool".to_owned(),
            ShapeKind::String => "String".to_owned(),
            ShapeKind::Byte => "i8".to_owned(),
            ShapeKind::Short => "i16".to_owned(),
            ShapeKind::Integer => "i32".to_owned(),
            ShapeKind::Long => "i64".to_owned(),
            ShapeKind::Float => "f32".to_owned(),
            ShapeKind::Double => "f64".to_owned(),
            ShapeKind::BigInteger => "BigInteger".to_owned(),
            ShapeKind::BigDecimal => "BigDecimal".to_owned(),
            ShapeKind::Timestamp => "DateTime".to_owned(),
            ShapeKind::Document => "Document".to_owned(),
            ShapeKind::List => format!("Vec<{}>", inner("member")),
            ShapeKind::Map => {
                let key = shape.member("key").map_or_else(|| "_".to_owned(), |m| self.type_text(&m.target, depth + 1));
                format!("BTreeMap<{key}, {}>", inner("value"))
            }
            _ => self.type_item(id).unwrap_or_else(|| model::shape_name(id).to_owned()),
        }
    }
}

struct Differ<'m> {
    old: Side<'m>,
    new: Side<'m>,
    changes: Vec<Change>,
}

/// A change before it is placed (shape, member, items).
struct Finding {
    kind: ChangeKind,
    severity: Severity,
    summary: String,
    reason: String,
}

fn finding(kind: ChangeKind, severity: Severity, summary: impl Into<String>, reason: impl Into<String>) -> Finding {
    Finding { kind, severity, summary: summary.into(), reason: reason.into() }
}

fn sorted(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let set: BTreeSet<String> = items.into_iter().collect();
    set.into_iter().collect()
}

/// `@length(min: 1, max: 256)`, `@sensitive`, `@pattern("^a+$")`.
fn trait_text(id: &str, value: &Value) -> String {
    let name = id.strip_prefix("smithy.api#").unwrap_or(id);
    match value {
        Value::Object(map) if map.is_empty() => format!("@{name}"),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            // `min` before `max` reads naturally.
            keys.sort_by_key(|k| (k.as_str() != "min", k.as_str() != "max", k.as_str()));
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}: {}", map[*k])).collect();
            format!("@{name}({})", parts.join(", "))
        }
        other => format!("@{name}({other})"),
    }
}

/// Trait values longer than this are summarised instead of printed (an endpoint rule set is
/// thousands of characters; the model diff and `generated/src/endpoint.rs` show the details).
const MAX_INLINE: usize = 160;

fn trait_change_text(id: &str, old: Option<&Value>, new: Option<&Value>) -> String {
    let name = id.strip_prefix("smithy.api#").unwrap_or(id);
    let short = |v: &Value| {
        let text = trait_text(id, v);
        if text.len() <= MAX_INLINE {
            text
        } else {
            format!("@{name} ({} bytes of JSON)", v.to_string().len())
        }
    };
    match (old, new) {
        (None, Some(n)) => format!("{} added", short(n)),
        (Some(o), None) => format!("{} removed", short(o)),
        (Some(o), Some(n)) => {
            let (a, b) = (trait_text(id, o), trait_text(id, n));
            if a.len() <= MAX_INLINE && b.len() <= MAX_INLINE {
                return format!("{a} changed to {b}");
            }
            let changed: Vec<&String> = match (o, n) {
                (Value::Object(x), Value::Object(y)) => x
                    .keys()
                    .chain(y.keys())
                    .filter(|k| x.get(*k) != y.get(*k))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            if changed.is_empty() {
                format!("@{name} changed")
            } else {
                let keys: Vec<String> = changed.iter().map(|k| format!("`{k}`")).collect();
                format!("@{name} changed ({} differ)", keys.join(", "))
            }
        }
        (None, None) => String::new(),
    }
}

/// Whether bounds got tighter and/or looser. A missing bound is unbounded, except a missing
/// `@length` minimum, which is 0.
fn bounds_change(id: &str, old: Option<&Value>, new: Option<&Value>, keys: &[&str]) -> (bool, bool) {
    let get = |v: Option<&Value>, k: &str| -> Option<f64> {
        let raw = v.and_then(|v| v.get(k));
        let n = raw.and_then(|x| x.as_f64().or_else(|| x.as_str().and_then(|s| s.parse().ok())));
        match (id, k, n) {
            (model::LENGTH, "min", None) => Some(0.0),
            _ => n,
        }
    };
    let (mut tight, mut loose) = (false, false);
    for k in keys {
        let (o, n) = (get(old, k), get(new, k));
        let lower = *k == "min";
        match (o, n) {
            (None, Some(_)) => tight = true,
            (Some(_), None) => loose = true,
            (Some(a), Some(b)) if a != b => {
                if (b > a) == lower {
                    tight = true;
                } else {
                    loose = true;
                }
            }
            _ => {}
        }
    }
    (tight, loose)
}

const TIGHTENED: &str = "values the validators accepted before are now rejected before the request is sent";
const LOOSENED: &str =
    "the validators now accept values they rejected before; check that the service really accepts them";

/// Classifies a change of one trait (`old` != `new`). `member` is set for traits on members.
fn classify_trait(id: &str, old: Option<&Value>, new: Option<&Value>, member: Option<&str>) -> Finding {
    let text = trait_change_text(id, old, new);
    match id {
        model::DOCUMENTATION => {
            finding(ChangeKind::Documentation, Severity::Safe, "documentation changed", "doc comments only")
        }
        _ if INERT_TRAITS.contains(&id) => {
            finding(ChangeKind::TraitChanged, Severity::Safe, text, "the generated code does not depend on this trait")
        }
        model::LENGTH | model::RANGE | model::TOTAL_UTF8_BYTES => {
            let keys: &[&str] = if id == model::TOTAL_UTF8_BYTES { &["max"] } else { &["min", "max"] };
            match bounds_change(id, old, new, keys) {
                (true, _) => finding(
                    ChangeKind::ConstraintTightened,
                    Severity::Breaking,
                    format!("{text} (tightened)"),
                    TIGHTENED,
                ),
                (false, true) => finding(
                    ChangeKind::ConstraintLoosened,
                    Severity::NeedsAttention,
                    format!("{text} (loosened)"),
                    LOOSENED,
                ),
                (false, false) => finding(ChangeKind::TraitChanged, Severity::Safe, text, "the bounds are the same"),
            }
        }
        model::PATTERN | model::UNIQUE_ITEMS => match new {
            Some(_) => {
                finding(ChangeKind::ConstraintTightened, Severity::Breaking, format!("{text} (tightened)"), TIGHTENED)
            }
            None => finding(
                ChangeKind::ConstraintLoosened,
                Severity::NeedsAttention,
                format!("{text} (loosened)"),
                LOOSENED,
            ),
        },
        model::SENSITIVE => match new {
            Some(_) => finding(
                ChangeKind::SensitiveAdded,
                Severity::NeedsAttention,
                text,
                "values are now redacted in `Debug` output; security review: were they logged before?",
            ),
            None => finding(
                ChangeKind::SensitiveRemoved,
                Severity::NeedsAttention,
                text,
                "values are no longer redacted in `Debug` output and can end up in logs; security review",
            ),
        },
        model::IDEMPOTENCY_TOKEN => finding(
            ChangeKind::IdempotencyTokenChanged,
            Severity::NeedsAttention,
            text,
            if new.is_some() {
                "the client now fills the member with a fresh token when it is not set, which changes retry semantics"
            } else {
                "the client no longer fills in a token; retries are no longer deduplicated unless callers set one"
            },
        ),
        model::DEFAULT => finding(
            ChangeKind::DefaultChanged,
            Severity::NeedsAttention,
            text,
            "values that are not set now mean something else",
        ),
        model::TIMESTAMP_FORMAT => finding(
            ChangeKind::TimestampFormatChanged,
            Severity::NeedsAttention,
            text,
            "timestamps travel in a different format; the generated code follows, but check the service agrees",
        ),
        model::SPARSE => finding(
            ChangeKind::SparseChanged,
            Severity::Breaking,
            text,
            "the Rust type changes between `T` and `Option<T>` items",
        ),
        model::ERROR | model::HTTP_ERROR | model::RETRYABLE => finding(
            ChangeKind::ErrorInfoChanged,
            Severity::NeedsAttention,
            text,
            "how the error is classified or retried changes",
        ),
        model::HTTP_LABEL
        | model::HTTP_QUERY
        | model::HTTP_QUERY_PARAMS
        | model::HTTP_HEADER
        | model::HTTP_PREFIX_HEADERS
        | model::HTTP_PAYLOAD
        | model::HTTP_RESPONSE_CODE => finding(
            ChangeKind::HttpBindingChanged,
            Severity::Breaking,
            text,
            "the value travels in a different part of the HTTP message",
        ),
        model::REQUIRED | model::CLIENT_OPTIONAL => finding(
            ChangeKind::TraitChanged,
            Severity::NeedsAttention,
            text,
            if member.is_some() { "presence changes" } else { "a trait on the shape changed" },
        ),
        "smithy.api#auth"
        | "smithy.api#optionalAuth"
        | "aws.auth#sigv4a"
        | "smithy.api#httpBearerAuth"
        | "smithy.api#httpApiKeyAuth"
        | "smithy.api#httpBasicAuth"
        | "smithy.api#httpDigestAuth" => finding(
            ChangeKind::TraitChanged,
            Severity::NeedsAttention,
            text,
            "which auth scheme the client uses, and which identity (credentials, token, none) it needs, changes",
        ),
        model::ENDPOINT_RULE_SET | model::SIGV4 | model::AWS_SERVICE => finding(
            ChangeKind::ServiceChanged,
            Severity::NeedsAttention,
            text,
            "how the client finds, signs or talks to the service changes",
        ),
        // Any protocol trait (the protocol is chosen from them: emit::protocol::SUPPORTED).
        _ if id.starts_with("aws.protocols#") || id.starts_with("smithy.protocols#") => finding(
            ChangeKind::ServiceChanged,
            Severity::NeedsAttention,
            text,
            "how the client finds, signs or talks to the service changes",
        ),
        _ => finding(
            ChangeKind::TraitChanged,
            Severity::NeedsAttention,
            text,
            "the generator does not interpret this trait; check whether the change matters",
        ),
    }
}

fn presence_text(p: &Presence) -> String {
    match p {
        Presence::Required => "required".to_owned(),
        Presence::Optional => "optional".to_owned(),
        Presence::Default(v) => format!("defaults to {v}"),
    }
}

fn binding_text(b: &HttpBinding) -> String {
    match b {
        HttpBinding::Body => "the JSON body".to_owned(),
        HttpBinding::Label => "a URI label".to_owned(),
        HttpBinding::Query(q) => format!("the query parameter `{q}`"),
        HttpBinding::QueryParams => "the query parameters map".to_owned(),
        HttpBinding::Header(h) => format!("the header `{h}`"),
        HttpBinding::PrefixHeaders(p) => format!("headers prefixed `{p}`"),
        HttpBinding::Payload => "the whole payload".to_owned(),
        HttpBinding::ResponseCode => "the response status code".to_owned(),
    }
}

fn enum_value(m: &Member) -> String {
    match m.traits.get(model::ENUM_VALUE) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => m.name.clone(),
    }
}

fn is_named(kind: ShapeKind) -> bool {
    matches!(kind, ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum)
}

impl<'m> Differ<'m> {
    fn push(&mut self, shape: &str, member: Option<&str>, f: Finding, items: impl IntoIterator<Item = String>) {
        self.changes.push(Change {
            shape: shape.to_owned(),
            member: member.map(str::to_owned),
            kind: f.kind,
            severity: f.severity,
            summary: f.summary,
            reason: f.reason,
            items: sorted(items),
        });
    }

    fn run(&mut self) {
        let ids: BTreeSet<String> = self.old.shapes.union(&self.new.shapes).cloned().collect();
        for id in &ids {
            let (o, n) = (
                self.old.shapes.contains(id).then(|| self.old.shape(id)).flatten(),
                self.new.shapes.contains(id).then(|| self.new.shape(id)).flatten(),
            );
            let kind = o.or(n).map(|s| s.kind);
            match kind {
                Some(ShapeKind::Operation) => self.operation(id),
                Some(ShapeKind::Service) => {
                    if let (Some(o), Some(n)) = (o, n) {
                        self.service(o, n);
                    }
                }
                Some(ShapeKind::Resource) | None => {}
                Some(_) => self.value_shape(id, o, n),
            }
        }
    }

    fn service(&mut self, o: &Shape, n: &Shape) {
        let items = ["Client".to_owned()];
        if o.relations.version != n.relations.version {
            let f = finding(
                ChangeKind::ServiceChanged,
                Severity::NeedsAttention,
                format!(
                    "API version changed from `{}` to `{}`",
                    o.relations.version.as_deref().unwrap_or(""),
                    n.relations.version.as_deref().unwrap_or("")
                ),
                "the client reports a different API version",
            );
            self.push(&o.id, None, f, items.clone());
        }
        self.traits(&o.id, None, &o.traits, &n.traits, &[], items.to_vec());
    }

    fn operation(&mut self, id: &str) {
        let (o, n) = (self.old.operation(id).cloned(), self.new.operation(id).cloned());
        match (o, n) {
            (Some(o), None) => {
                let f = finding(
                    ChangeKind::OperationRemoved,
                    Severity::Breaking,
                    format!("operation `{}` removed", o.name),
                    format!("`Client::{}` and the module `operation::{}` are gone", o.module, o.module),
                );
                self.push(id, None, f, [format!("Client::{}", o.module)]);
            }
            (None, Some(n)) => {
                let f = finding(
                    ChangeKind::OperationAdded,
                    Severity::Safe,
                    format!("new operation `{}`", n.name),
                    "a new client method; nothing existing changes",
                );
                self.push(id, None, f, [format!("Client::{}", n.module)]);
            }
            (Some(o), Some(n)) => {
                let method_item = format!("Client::{}", n.module);
                let (os, ns) = (self.old.shape(id), self.new.shape(id));
                let http = |s: Option<&Shape>, k: &str| {
                    s.and_then(|s| s.traits.get(model::HTTP))
                        .and_then(|h| h.get(k))
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .unwrap_or_default()
                };
                let (om, nm) = (http(os, "method"), http(ns, "method"));
                if om != nm {
                    let f = finding(ChangeKind::HttpMethodChanged, Severity::Breaking, format!("HTTP method changed from {om} to {nm}"), "requests go out with a different method; a service that still expects the old one rejects them");
                    self.push(id, None, f, [method_item.clone()]);
                }
                let (ou, nu) = (http(os, "uri"), http(ns, "uri"));
                if ou != nu {
                    let f = finding(
                        ChangeKind::HttpUriChanged,
                        Severity::Breaking,
                        format!("HTTP URI changed from `{ou}` to `{nu}`"),
                        "requests go to a different path; a service that still expects the old one rejects them",
                    );
                    self.push(id, None, f, [method_item.clone()]);
                }
                let (oc, nc) = (http(os, "code"), http(ns, "code"));
                if oc != nc {
                    let show = |c: &str| if c.is_empty() { "200 (default)".to_owned() } else { c.to_owned() };
                    let f = finding(
                        ChangeKind::HttpCodeChanged,
                        Severity::NeedsAttention,
                        format!("HTTP success code changed from {} to {}", show(&oc), show(&nc)),
                        "the client expects a different status code for success",
                    );
                    self.push(id, None, f, [method_item.clone()]);
                }
                for (what, kind, ot, nt) in [
                    ("input", ChangeKind::InputChanged, &o.input, &n.input),
                    ("output", ChangeKind::OutputChanged, &o.output, &n.output),
                ] {
                    let (oid, nid) = (
                        os.and_then(|s| {
                            if what == "input" {
                                s.relations.input.clone()
                            } else {
                                s.relations.output.clone()
                            }
                        }),
                        ns.and_then(|s| {
                            if what == "input" {
                                s.relations.input.clone()
                            } else {
                                s.relations.output.clone()
                            }
                        }),
                    );
                    if oid != nid || ot != nt {
                        let show =
                            |t: &Option<String>| t.as_ref().map_or_else(|| "()".to_owned(), |t| format!("types::{t}"));
                        let f = finding(
                            kind,
                            Severity::Breaking,
                            format!(
                                "{what} changed from `{}` to `{}`",
                                oid.as_deref().unwrap_or("smithy.api#Unit"),
                                nid.as_deref().unwrap_or("smithy.api#Unit")
                            ),
                            format!("the method's {what} type changes from `{}` to `{}`", show(ot), show(nt)),
                        );
                        self.push(id, None, f, [method_item.clone()]);
                    }
                }
                let variant = |op: &ir::Operation, t: &str| format!("operation::{}::{}::{t}", op.module, op.error_name);
                let old_errors: BTreeSet<&String> = o.errors.iter().map(|e| &e.type_name).collect();
                let new_errors: BTreeSet<&String> = n.errors.iter().map(|e| &e.type_name).collect();
                for e in old_errors.difference(&new_errors) {
                    let f = finding(
                        ChangeKind::ErrorRemoved,
                        Severity::Breaking,
                        format!("error `{e}` removed"),
                        format!("the variant `{}::{e}` is gone; code that matches on it stops compiling", o.error_name),
                    );
                    self.push(id, None, f, [variant(&o, e)]);
                }
                for e in new_errors.difference(&old_errors) {
                    let f = finding(ChangeKind::ErrorAdded, Severity::NeedsAttention, format!("new error `{e}`"), format!("callers may want to handle it; `{}` is non-exhaustive, so existing matches still compile (it used to arrive as `Unhandled`)", n.error_name));
                    self.push(id, None, f, [variant(&n, e)]);
                }
                if let (Some(os), Some(ns)) = (os, ns) {
                    self.traits(id, None, &os.traits, &ns.traits, &[model::HTTP], vec![method_item]);
                }
            }
            (None, None) => {}
        }
    }

    /// Items for a change to the shape itself.
    fn shape_items(&self, id: &str) -> Vec<String> {
        let named: Vec<String> = self.old.type_item(id).into_iter().chain(self.new.type_item(id)).collect();
        if !named.is_empty() {
            return sorted(named);
        }
        sorted(self.old.uses_of(id).into_iter().chain(self.new.uses_of(id)))
    }

    fn value_shape(&mut self, id: &str, o: Option<&Shape>, n: Option<&Shape>) {
        match (o, n) {
            (Some(o), None) => {
                if is_named(o.kind) {
                    let items: Vec<String> = self.old.type_item(id).into_iter().collect();
                    let f = finding(
                        ChangeKind::ShapeRemoved,
                        Severity::Breaking,
                        format!("{} removed from the generated crate", o.kind.name()),
                        "the Rust type is gone; code that names it stops compiling",
                    );
                    self.push(id, None, f, items);
                }
            }
            (None, Some(n)) => {
                if is_named(n.kind) {
                    let items: Vec<String> = self.new.type_item(id).into_iter().collect();
                    let f = finding(
                        ChangeKind::ShapeAdded,
                        Severity::Safe,
                        format!("new {}", n.kind.name()),
                        "a new Rust type; nothing existing changes",
                    );
                    self.push(id, None, f, items);
                }
            }
            (Some(o), Some(n)) if o.kind != n.kind => {
                let items =
                    sorted(self.shape_items(id).into_iter().chain(self.old.uses_of(id)).chain(self.new.uses_of(id)));
                let f = finding(
                    ChangeKind::ShapeKindChanged,
                    Severity::Breaking,
                    format!("changed from a {} to a {}", o.kind.name(), n.kind.name()),
                    format!(
                        "values change type from `{}` to `{}`",
                        self.old.type_text(id, 0),
                        self.new.type_text(id, 0)
                    ),
                );
                self.push(id, None, f, items);
            }
            (Some(o), Some(n)) => {
                let items = self.shape_items(id);
                if let (Some(old_name), Some(new_name)) = (self.old.type_item(id), self.new.type_item(id)) {
                    if old_name != new_name {
                        let f = finding(
                            ChangeKind::TypeRenamed,
                            Severity::Breaking,
                            format!("Rust type renamed from `{old_name}` to `{new_name}`"),
                            "the service's `rename` changed; code that names the old type stops compiling",
                        );
                        self.push(id, None, f, items.clone());
                    }
                }
                self.traits(id, None, &o.traits, &n.traits, &[], items);
                match o.kind {
                    ShapeKind::Structure | ShapeKind::Union => self.members(o, n),
                    ShapeKind::Enum | ShapeKind::IntEnum => self.enum_members(o, n),
                    ShapeKind::List | ShapeKind::Map => {
                        let items: Vec<String> = sorted(self.old.uses_of(id).into_iter().chain(self.new.uses_of(id)));
                        for om in &o.members {
                            if let Some(nm) = n.member(&om.name) {
                                self.member(id, om, nm, items.clone(), false);
                            }
                        }
                    }
                    _ => {}
                }
            }
            (None, None) => {}
        }
    }

    fn traits(
        &mut self,
        shape: &str,
        member: Option<&str>,
        old: &Traits,
        new: &Traits,
        skip: &[&str],
        items: Vec<String>,
    ) {
        let ids: BTreeSet<&String> = old.0.keys().chain(new.0.keys()).collect();
        for id in ids {
            if skip.contains(&id.as_str()) {
                continue;
            }
            let (o, n) = (old.get(id), new.get(id));
            if o == n {
                continue;
            }
            let mut f = classify_trait(id, o, n, member);
            let validated = self.old.input_shapes.contains(shape) || self.new.input_shapes.contains(shape);
            if matches!(f.kind, ChangeKind::ConstraintTightened | ChangeKind::ConstraintLoosened) && !validated {
                f.severity = Severity::Safe;
                f.reason = "only responses carry these values, and the client does not validate responses".to_owned();
            }
            self.push(shape, member, f, items.clone());
        }
    }

    fn order_changed(old: &[Member], new: &[Member]) -> bool {
        let common = |a: &[Member], b: &[Member]| -> Vec<String> {
            a.iter().filter(|m| b.iter().any(|x| x.name == m.name)).map(|m| m.name.clone()).collect()
        };
        common(old, new) != common(new, old)
    }

    fn members(&mut self, o: &Shape, n: &Shape) {
        let id = &o.id;
        let is_struct = o.kind == ShapeKind::Structure;
        for om in &o.members {
            if n.member(&om.name).is_none() {
                let what = if is_struct { "member" } else { "union variant" };
                let f = finding(
                    ChangeKind::MemberRemoved,
                    Severity::Breaking,
                    format!("{what} removed"),
                    "the Rust item is gone; code that uses it stops compiling and the value is no longer sent or read",
                );
                self.push(id, Some(&om.name), f, self.old.member_item(id, &om.name));
            }
        }
        for nm in &n.members {
            if o.member(&nm.name).is_some() {
                continue;
            }
            let item = self.new.member_item(id, &nm.name);
            let ty = self.new.type_text(&nm.target, 0);
            let f = if !is_struct {
                finding(
                    ChangeKind::MemberAdded,
                    Severity::Safe,
                    format!("new union variant (`{ty}`)"),
                    "unions are non-exhaustive; the value used to arrive as `Unknown`",
                )
            } else {
                let presence = self.new.field(id, &nm.name).map(|f| f.presence.clone());
                let input = self.new.struct_usage(id).is_some_and(|u| u.input);
                match presence {
                    Some(Presence::Required) if input => finding(
                        ChangeKind::MemberAdded,
                        Severity::Breaking,
                        format!("new required member (`{ty}`)"),
                        "callers must now set it: building the value without it no longer compiles",
                    ),
                    Some(Presence::Required) => finding(
                        ChangeKind::MemberAdded,
                        Severity::Safe,
                        format!("new required member (`{ty}`), only in responses"),
                        "a new field in a response type; the struct is non-exhaustive",
                    ),
                    Some(Presence::Default(v)) => finding(
                        ChangeKind::MemberAdded,
                        Severity::Safe,
                        format!("new member (`{ty}`) with default {v}"),
                        "callers need not set it; the struct is non-exhaustive",
                    ),
                    _ => finding(
                        ChangeKind::MemberAdded,
                        Severity::Safe,
                        format!("new optional member (`Option<{ty}>`)"),
                        "callers need not set it; the struct is non-exhaustive",
                    ),
                }
            };
            self.push(id, Some(&nm.name), f, item);
        }
        for om in &o.members {
            if let Some(nm) = n.member(&om.name) {
                let items: Vec<String> =
                    self.old.member_item(id, &om.name).into_iter().chain(self.new.member_item(id, &nm.name)).collect();
                self.member(id, om, nm, sorted(items), is_struct);
            }
        }
        if Self::order_changed(&o.members, &n.members) {
            let f = finding(
                ChangeKind::MemberOrder,
                Severity::Safe,
                "member order changed",
                "members are matched by name; order does not affect the generated API",
            );
            self.push(id, None, f, self.shape_items(id));
        }
    }

    /// Traits of a member as they apply to its value: the target's value traits, overridden by
    /// the member's own.
    fn effective(side: &Side<'_>, m: &Member) -> Traits {
        let mut t = Traits::default();
        if let Some(target) = side.shape(&m.target) {
            for id in VALUE_TRAITS {
                if let Some(v) = target.traits.get(id) {
                    t.0.insert((*id).to_owned(), v.clone());
                }
            }
        }
        t.0.extend(m.traits.0.clone());
        t
    }

    fn member(&mut self, shape: &str, o: &Member, n: &Member, items: Vec<String>, is_struct: bool) {
        let name = Some(o.name.as_str());
        let (old_traits, new_traits) = if o.target != n.target {
            let (ot, nt) = (self.old.type_text(&o.target, 0), self.new.type_text(&n.target, 0));
            let summary = format!("target changed from `{}` to `{}`", o.target, n.target);
            let f = if ot != nt {
                finding(
                    ChangeKind::TargetChanged,
                    Severity::Breaking,
                    summary,
                    format!("the Rust type changes from `{ot}` to `{nt}`"),
                )
            } else {
                finding(
                    ChangeKind::TargetChanged,
                    Severity::NeedsAttention,
                    summary,
                    format!("the Rust type stays `{ot}`; the new target's constraints and traits apply"),
                )
            };
            self.push(shape, name, f, items.clone());
            (Self::effective(&self.old, o), Self::effective(&self.new, n))
        } else {
            (o.traits.clone(), n.traits.clone())
        };
        let mut skip: Vec<&str> = vec![model::JSON_NAME];
        if is_struct {
            skip.extend(FIELD_TRAITS);
        }
        self.traits(shape, name, &old_traits, &new_traits, &skip, items.clone());
        let json_name =
            |m: &Member| m.traits.get(model::JSON_NAME).and_then(Value::as_str).unwrap_or(&m.name).to_owned();
        let (oj, nj) = (json_name(o), json_name(n));
        if oj != nj {
            let f = finding(
                ChangeKind::JsonNameChanged,
                Severity::Breaking,
                format!("wire name changed from `{oj}` to `{nj}`"),
                "the JSON key changes: the client and a service on the other version no longer understand each other",
            );
            self.push(shape, name, f, items.clone());
        }
        if !is_struct {
            return;
        }
        let (Some(of), Some(nf)) = (self.old.field(shape, &o.name).cloned(), self.new.field(shape, &n.name).cloned())
        else {
            return;
        };
        if of.http != nf.http {
            let f = finding(
                ChangeKind::HttpBindingChanged,
                Severity::Breaking,
                format!("HTTP binding changed from {} to {}", binding_text(&of.http), binding_text(&nf.http)),
                "the value travels in a different part of the HTTP message",
            );
            self.push(shape, name, f, items.clone());
        }
        let ty = self.new.type_text(&n.target, 0);
        let f = match (&of.presence, &nf.presence) {
            (a, b) if a == b => None,
            (Presence::Optional, Presence::Required) => Some(finding(
                ChangeKind::BecameRequired,
                Severity::Breaking,
                "became required",
                format!("callers must now set it, and the field changes from `Option<{ty}>` to `{ty}`"),
            )),
            (Presence::Default(v), Presence::Required) => Some(finding(
                ChangeKind::BecameRequired,
                Severity::Breaking,
                format!("became required (it defaulted to {v})"),
                "callers must now set it: building the value without it no longer compiles",
            )),
            (Presence::Optional, Presence::Default(v)) => Some(finding(
                ChangeKind::DefaultChanged,
                Severity::Breaking,
                format!("gained the default {v}"),
                format!("the field changes from `Option<{ty}>` to `{ty}`"),
            )),
            (a @ (Presence::Required | Presence::Default(_)), Presence::Optional) => Some(finding(
                ChangeKind::BecameOptional,
                Severity::Breaking,
                format!("became optional (was {})", presence_text(a)),
                format!("the field changes from `{ty}` to `Option<{ty}>`"),
            )),
            (Presence::Required, Presence::Default(v)) => Some(finding(
                ChangeKind::BecameOptional,
                Severity::NeedsAttention,
                format!("no longer required; defaults to {v}"),
                "callers may leave it out, and then the default is sent",
            )),
            (Presence::Default(a), Presence::Default(b)) => {
                // A default inherited from the target is reported at the target.
                (o.traits.get(model::DEFAULT) != n.traits.get(model::DEFAULT) || o.target != n.target).then(|| {
                    finding(
                        ChangeKind::DefaultChanged,
                        Severity::NeedsAttention,
                        format!("default changed from {a} to {b}"),
                        "values that are not set now mean something else",
                    )
                })
            }
            _ => None,
        };
        if let Some(f) = f {
            self.push(shape, name, f, items);
        }
    }

    fn enum_members(&mut self, o: &Shape, n: &Shape) {
        let id = &o.id;
        let removed: Vec<&Member> = o.members.iter().filter(|m| n.member(&m.name).is_none()).collect();
        let added: Vec<&Member> = n.members.iter().filter(|m| o.member(&m.name).is_none()).collect();
        let mut renamed_new: BTreeSet<&str> = BTreeSet::new();
        for om in &removed {
            let value = enum_value(om);
            let old_item = self.old.variant_item(id, &value);
            if let Some(nm) = added.iter().find(|m| enum_value(m) == value && !renamed_new.contains(m.name.as_str())) {
                renamed_new.insert(&nm.name);
                let f = finding(
                    ChangeKind::EnumVariantRenamed,
                    Severity::Breaking,
                    format!("member `{}` renamed to `{}` (value `{value}`)", om.name, nm.name),
                    "the Rust variant is renamed; code that names the old one stops compiling",
                );
                self.push(id, Some(&om.name), f, old_item.into_iter().chain(self.new.variant_item(id, &value)));
                continue;
            }
            let f = finding(
                ChangeKind::EnumValueRemoved,
                Severity::Breaking,
                format!("value `{value}` removed"),
                "the variant is gone; code that names it stops compiling",
            );
            self.push(id, Some(&om.name), f, old_item);
        }
        for nm in &added {
            if renamed_new.contains(nm.name.as_str()) {
                continue;
            }
            let value = enum_value(nm);
            let f = finding(
                ChangeKind::EnumValueAdded,
                Severity::Safe,
                format!("new value `{value}`"),
                "enums are open and non-exhaustive; the value used to arrive as `Unknown`",
            );
            self.push(id, Some(&nm.name), f, self.new.variant_item(id, &value));
        }
        for om in &o.members {
            let Some(nm) = n.member(&om.name) else { continue };
            let (ov, nv) = (enum_value(om), enum_value(nm));
            let items: Vec<String> =
                self.old.variant_item(id, &ov).into_iter().chain(self.new.variant_item(id, &nv)).collect();
            if ov != nv {
                let f = finding(ChangeKind::EnumValueChanged, Severity::Breaking, format!("wire value changed from `{ov}` to `{nv}`"), "the variant now sends and matches a different value; a service on the old version does not know it");
                self.push(id, Some(&om.name), f, items.clone());
            }
            self.traits(id, Some(&om.name), &om.traits, &nm.traits, &[model::ENUM_VALUE], sorted(items));
        }
        if Self::order_changed(&o.members, &n.members) {
            let f = finding(
                ChangeKind::MemberOrder,
                Severity::Safe,
                "order of values changed",
                "values are matched by name; order does not affect the generated API",
            );
            self.push(id, None, f, self.shape_items(id));
        }
    }
}

impl Report {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether any change is breaking.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.severity == Severity::Breaking)
    }

    /// The most severe change, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.changes.iter().map(|c| c.severity).max()
    }

    /// How many changes have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.changes.iter().filter(|c| c.severity == severity).count()
    }

    /// Changes grouped by shape, in report order.
    pub fn by_shape(&self) -> Vec<(&str, Vec<&Change>)> {
        let mut out: Vec<(&str, Vec<&Change>)> = Vec::new();
        for c in &self.changes {
            match out.last_mut() {
                Some((s, list)) if *s == c.shape => list.push(c),
                _ => out.push((&c.shape, vec![c])),
            }
        }
        out
    }

    fn summary_line(&self) -> String {
        if self.is_empty() {
            return "no changes that affect the generated crate".to_owned();
        }
        format!(
            "{} breaking, {} needing attention, {} safe",
            self.count(Severity::Breaking),
            self.count(Severity::NeedsAttention),
            self.count(Severity::Safe)
        )
    }

    /// Plain text for a terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Model diff: {}", self.summary_line());
        for (shape, changes) in self.by_shape() {
            let _ = writeln!(out, "\n{shape}");
            for c in changes {
                let what = match &c.member {
                    Some(m) => format!("${m}: {}", c.summary),
                    None => c.summary.clone(),
                };
                let _ = writeln!(out, "  [{}] {what}", c.severity.label());
                let _ = writeln!(out, "      why: {}", c.reason);
                if !c.items.is_empty() {
                    let _ = writeln!(out, "      affects: {}", c.items.join(", "));
                }
            }
        }
        out
    }

    /// Markdown for a pull-request comment.
    pub fn render_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
        let mut out = String::new();
        let _ = writeln!(out, "## Model diff\n\n{}", self.summary_line());
        if self.is_breaking() {
            let _ = writeln!(out, "\n**This change breaks users of the generated crate.**");
        }
        for (shape, changes) in self.by_shape() {
            let _ = writeln!(
                out,
                "\n### `{shape}`\n\n| Severity | Member | Change | Why | Affects |\n|---|---|---|---|---|"
            );
            for c in changes {
                let severity = if c.severity == Severity::Breaking {
                    "**breaking**".to_owned()
                } else {
                    c.severity.label().to_owned()
                };
                let member = c.member.as_deref().map(|m| format!("`{m}`")).unwrap_or_default();
                let items: Vec<String> = c.items.iter().map(|i| format!("`{i}`")).collect();
                let _ = writeln!(
                    out,
                    "| {severity} | {member} | {} | {} | {} |",
                    cell(&c.summary),
                    cell(&c.reason),
                    items.join(", ")
                );
            }
        }
        out
    }

    /// JSON for tools: `{"breaking": bool, "summary": {...}, "changes": [...]}`.
    pub fn render_json(&self) -> String {
        let changes: Vec<Value> = self
            .changes
            .iter()
            .map(|c| {
                json!({
                    "shape": c.shape,
                    "member": c.member,
                    "kind": c.kind.code(),
                    "severity": c.severity.code(),
                    "summary": c.summary,
                    "reason": c.reason,
                    "items": c.items,
                })
            })
            .collect();
        let doc = json!({
            "breaking": self.is_breaking(),
            "summary": {
                "breaking": self.count(Severity::Breaking),
                "needs-attention": self.count(Severity::NeedsAttention),
                "safe": self.count(Severity::Safe),
            },
            "changes": changes,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }
}
