//! The named intermediate representation between the model and the emitted tokens.
//!
//! [`lower`] resolves everything the emitters need: Rust names, types, presence, boxing,
//! constraints, wire names, HTTP bindings and documentation lines. Emitters read only this.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::docs;
use crate::emit::protocol::Protocol;
use crate::model::{self, Model, ModelError, ModelErrors, Shape, ShapeKind, Traits};
use crate::naming;

mod endpoint_params;
pub use endpoint_params::{ClientContextParam, EndpointParam, ParamKind, ParamSource, PathStep, StaticValue};

/// Why a `@streaming` blob anywhere else is refused (Smithy allows it nowhere else either).
const STREAM_ONLY_AS_PAYLOAD: &str = "a @streaming blob is supported only as the @httpPayload member of an operation's input or output (with an HTTP-binding protocol)";

/// How timestamps are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampFormat {
    /// No `@timestampFormat`: the protocol's default for where the value travels
    /// (epoch seconds in JSON bodies, http-date in headers, date-time in URIs).
    Unset,
    EpochSeconds,
    DateTime,
    HttpDate,
}

/// A Rust value type, with the constraints that apply to it.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueType {
    pub ty: Type,
    pub constraints: Constraints,
    /// Values of this type are `@sensitive` (or contain sensitive values through collections).
    pub sensitive: bool,
    /// `@mediaType` of a string or blob (base64 in headers; the Content-Type of a payload).
    pub media_type: Option<String>,
    /// The XML-protocol traits of the member this value was reached through.
    pub xml: XmlMember,
}

/// The XML and query-protocol traits of a member (structure, list, map key or map value member).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XmlMember {
    /// `@xmlName`.
    pub name: Option<String>,
    /// `@ec2QueryName`.
    pub ec2_query_name: Option<String>,
    /// `@xmlFlattened`.
    pub flattened: bool,
    /// `@xmlAttribute`: written as an attribute of the parent element (restXml).
    pub attribute: bool,
    /// `@xmlNamespace` of the member (restXml).
    pub namespace: Option<XmlNamespace>,
}

/// `@xmlNamespace`: a namespace URI and its optional prefix (`xmlns:prefix="uri"`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct XmlNamespace {
    pub uri: String,
    pub prefix: Option<String>,
}

impl XmlNamespace {
    /// From the trait's value (`{"uri": .., "prefix": ..}`); `None` without a `uri`.
    pub(crate) fn from_trait(v: Option<&Value>) -> Option<XmlNamespace> {
        let v = v?;
        Some(XmlNamespace {
            uri: v.get("uri")?.as_str()?.to_owned(),
            prefix: v.get("prefix").and_then(Value::as_str).map(str::to_owned),
        })
    }

    /// The attribute declaring it: (`xmlns` or `xmlns:prefix`, uri).
    pub fn attribute(&self) -> (String, String) {
        match &self.prefix {
            Some(p) => (format!("xmlns:{p}"), self.uri.clone()),
            None => ("xmlns".to_owned(), self.uri.clone()),
        }
    }
}

/// The type of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Bool,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Blob,
    /// A `@streaming` blob: `awslim_runtime::ByteStream`, only as the `@httpPayload` of an
    /// operation's input or output.
    ByteStream,
    Timestamp(TimestampFormat),
    Document,
    /// A generated open enum (string values), by Rust name.
    Enum(String),
    /// A generated open enum (integer values), by Rust name.
    IntEnum(String),
    /// A generated structure, by Rust name.
    Struct(String),
    /// A generated union, by Rust name.
    Union(String),
    /// An event stream: a member targeting a `@streaming` union (by the union's Rust name),
    /// read as `awslim_runtime::event_stream::EventReceiver` of that union.
    EventStream(String),
    /// An input event stream: a member of an operation input targeting a `@streaming` union
    /// (by the union's Rust name), sent as `awslim_runtime::event_stream::EventStreamSender`.
    EventSender(String),
    List {
        item: Box<ValueType>,
        sparse: bool,
    },
    Map {
        key: Box<ValueType>,
        value: Box<ValueType>,
        sparse: bool,
    },
}

/// Constraint traits on a value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub length: Option<(Option<u64>, Option<u64>)>,
    pub pattern: Option<String>,
    /// Bounds as written in the model (numbers as text).
    pub range: Option<(Option<String>, Option<String>)>,
    pub unique_items: bool,
    pub total_utf8_bytes: Option<u64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self == &Constraints::default()
    }
}

/// Whether a field can be absent.
#[derive(Clone, Debug, PartialEq)]
pub enum Presence {
    /// `@required`: a plain field; builders make it a compile-time requirement.
    Required,
    /// A plain field that starts at the model's `@default`.
    Default(Value),
    /// `Option<T>`.
    Optional,
}

/// Where a member travels in an HTTP message (top-level input/output/error members only).
#[derive(Clone, Debug, PartialEq)]
pub enum HttpBinding {
    Body,
    Label,
    Query(String),
    QueryParams,
    Header(String),
    PrefixHeaders(String),
    Payload,
    ResponseCode,
}

/// A structure member.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The member name in the model.
    pub member: String,
    /// The key in JSON bodies (`@jsonName` or the member name).
    pub json_name: String,
    /// The Rust field name (escaped).
    pub name: String,
    /// The Rust name of the typestate parameter, for required members.
    pub type_param: String,
    pub value: ValueType,
    pub presence: Presence,
    /// Boxed to break a recursive cycle.
    pub boxed: bool,
    pub docs: Vec<String>,
    pub idempotency_token: bool,
    pub http: HttpBinding,
    /// Where the member travels in an event-stream message (members of event structures).
    pub event: EventBinding,
}

/// Where a member of an event structure travels in an event-stream message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventBinding {
    /// In the JSON of the members that are neither headers nor the payload.
    Body,
    /// `@eventHeader`: a message header named like the member.
    Header,
    /// `@eventPayload`: the whole message payload.
    Payload,
}

/// What a structure is used for, which decides what code it needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Reachable from an operation input: needs validation and serialization.
    pub input: bool,
    /// Reachable from an operation output or error: needs deserialization.
    pub output: bool,
}

/// Facts of an `@error` structure.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorInfo {
    /// The error code: the shape name.
    pub code: String,
    pub server_fault: bool,
    pub http_status: Option<u16>,
    /// `Some(throttling)` when `@retryable`.
    pub retryable: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub id: String,
    pub name: String,
    pub docs: Vec<String>,
    pub fields: Vec<Field>,
    pub error: Option<ErrorInfo>,
    /// The whole structure is `@sensitive`.
    pub sensitive: bool,
    pub usage: Usage,
    /// Has at least one constraint to check, itself or below.
    pub needs_validation: bool,
    /// The output of an operation: carries the response's request id.
    pub operation_output: bool,
    /// The element name of this structure as an XML document's root (restXml): `@xmlName`,
    /// else the shape name.
    pub xml_root: String,
    /// `@xmlNamespace` of the structure (restXml).
    pub xml_namespace: Option<XmlNamespace>,
}

impl Struct {
    /// The `@streaming` blob member (always the `@httpPayload`), if any: such a structure is
    /// neither `Clone` nor `PartialEq`, and its operation streams that body.
    pub fn streaming_member(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.value.ty == Type::ByteStream)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumVariant {
    pub name: String,
    /// The wire value (an integer's decimal text for intEnums).
    pub value: String,
    pub docs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    pub id: String,
    pub name: String,
    pub docs: Vec<String>,
    pub variants: Vec<EnumVariant>,
    pub int: bool,
    pub sensitive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub member: String,
    pub json_name: String,
    pub name: String,
    /// `None` for members targeting `smithy.api#Unit`.
    pub value: Option<ValueType>,
    pub boxed: bool,
    pub docs: Vec<String>,
    /// The member targets an `@error` structure (in an event stream: an exception event).
    pub error: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub id: String,
    pub name: String,
    pub docs: Vec<String>,
    pub variants: Vec<UnionVariant>,
    pub sensitive: bool,
    pub usage: Usage,
    pub needs_validation: bool,
    /// `@streaming`: the union is an event stream, each member an event.
    pub event_stream: bool,
}

/// A URI pattern segment of `@http`.
#[derive(Clone, Debug, PartialEq)]
pub enum UriSegment {
    Literal(String),
    /// A label, by member name; greedy labels (`{Key+}`) keep `/`.
    Label {
        member: String,
        greedy: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Http {
    pub method: String,
    pub path: Vec<UriSegment>,
    /// Literal query parameters from the URI pattern (`/x?list-type=2`).
    pub query: Vec<(String, Option<String>)>,
    pub code: u16,
    /// The whole path was S3's `/{Bucket}`, which the endpoint rules put in the endpoint URL:
    /// the request's path is then the endpoint's own (`/mybucket` with path-style addressing,
    /// not `/mybucket/`), as the AWS SDKs send it.
    pub path_from_endpoint: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OperationError {
    /// The Rust name of the error structure (also the variant name).
    pub type_name: String,
    pub info: ErrorInfo,
}

/// An auth scheme of an operation (see `crate::auth` for how the list is made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    SigV4 {
        signing_name: String,
    },
    SigV4a {
        signing_name: String,
    },
    HttpBearer,
    NoAuth,
    /// A scheme the runtime cannot apply, by trait id.
    Unsupported(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    pub id: String,
    /// The Smithy name (`StartWebRTCContact`).
    pub name: String,
    /// Module and method name (`start_web_rtc_contact`).
    pub module: String,
    /// The per-operation error enum (`StartWebRtcContactError`).
    pub error_name: String,
    /// The input structure's Rust name; `None` for `smithy.api#Unit`.
    pub input: Option<String>,
    pub output: Option<String>,
    pub errors: Vec<OperationError>,
    pub http: Http,
    /// `@endpoint` host prefix: literals and `@hostLabel` members.
    pub host_prefix: Option<Vec<UriSegment>>,
    /// `@httpChecksumRequired`: send `Content-MD5`.
    pub checksum_required: bool,
    /// `aws.customizations#s3UnwrappedXmlOutput`: the output's one body member is the XML
    /// document's root element itself (S3 `GetBucketLocation`).
    pub xml_unwrapped_output: bool,
    /// `@requestCompression` encodings, in order of preference.
    pub compression: Vec<String>,
    /// Endpoint parameters the operation sets, lowest precedence first.
    pub endpoint_params: Vec<EndpointParam>,
    /// Effective auth schemes, in order of preference.
    pub auth: Vec<AuthScheme>,
    pub docs: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// The wire protocol the client speaks (chosen from the service's protocol traits).
    pub protocol: Protocol,
    /// `aws.protocols#awsQueryCompatible`: error codes as the awsQuery API had them.
    pub query_compatible: bool,
    pub id: String,
    pub name: String,
    pub sdk_id: String,
    pub version: String,
    pub signing_name: String,
    pub title: Option<String>,
    /// The endpoint rule set as pretty-printed JSON with sorted keys.
    pub endpoint_rule_set: Option<String>,
    /// `smithy.rules#clientContextParams`, by name.
    pub client_context_params: Vec<ClientContextParam>,
    /// The endpoint rules can pick SigV4a (an `authSchemes` entry named `sigv4a`).
    pub endpoint_sigv4a: bool,
    /// `@xmlNamespace` of the service: declared on the root of every restXml request body.
    pub xml_namespace: Option<XmlNamespace>,
    pub docs: Vec<String>,
}

/// Everything the emitters need for one crate.
#[derive(Clone, Debug, PartialEq)]
pub struct Crate {
    pub service: Service,
    pub operations: Vec<Operation>,
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub unions: Vec<Union>,
    /// Operations with `@paginated`, in operation order.
    pub paginators: Vec<crate::pagination::Paginator>,
    /// Waiters of `@waitable` operations, by name.
    pub waiters: Vec<crate::waiters::Waiter>,
    /// What the crate will not enforce, and why (e.g. a `@pattern` `regress` cannot compile).
    pub warnings: Vec<ModelError>,
}

impl Crate {
    /// The structure with this Rust name (`structs` is sorted by name).
    pub fn find_struct(&self, name: &str) -> Option<&Struct> {
        self.structs.binary_search_by(|s| s.name.as_str().cmp(name)).ok().and_then(|i| self.structs.get(i))
    }
}

/// What to generate.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The service shape ID; needed only when the model has several services.
    pub service: Option<String>,
    /// Operation names (Smithy names such as `StartWebRTCContact`); all when `None`.
    pub operations: Option<Vec<String>>,
}

fn err(shape: &str, member: Option<&str>, message: impl Into<String>) -> ModelError {
    ModelError { shape: shape.to_owned(), member: member.map(str::to_owned), pointer: None, message: message.into() }
}

fn docs_of(traits: &Traits) -> Vec<String> {
    traits.documentation().map(docs::to_markdown).unwrap_or_default()
}

struct Lowering<'m> {
    model: &'m Model,
    /// Stands in for a target the loader did not check (a hand-built `Model`).
    unit: &'m Shape,
    rename: BTreeMap<String, String>,
    /// Rust type name -> shape ID, for collision detection.
    names: BTreeMap<String, String>,
    errors: Vec<ModelError>,
    /// The service's protocol: decides whether HTTP binding traits and `@jsonName` apply.
    protocol: Protocol,
    /// Amazon S3 with endpoint rules: the rules put the bucket in the endpoint URL (virtual
    /// host, or path style with the bucket in the URL's path), so a leading `/{Bucket}` label is
    /// dropped from operation URIs (as the official SDKs do).
    bucket_in_endpoint: bool,
    /// What checking the selected shapes found (warnings, which patterns are enforced).
    findings: model::Findings,
    /// Shape ID -> its strongly connected component among structures and unions linked
    /// directly (not through a collection): a member is boxed when its target shares it.
    direct_cycles: BTreeMap<String, usize>,
}

static UNIT: std::sync::OnceLock<Shape> = std::sync::OnceLock::new();

/// Lowers the selected part of `model` into the IR.
pub fn lower(model: &Model, selection: &Selection) -> Result<Crate, ModelErrors> {
    let services: Vec<&Shape> = model.shapes.values().filter(|s| s.kind == ShapeKind::Service).collect();
    let service = match (&selection.service, services.as_slice()) {
        (Some(id), _) => match model.shape(id) {
            Some(s) if s.kind == ShapeKind::Service => s,
            _ => return Err(ModelErrors(vec![err(id, None, "is not a service shape in the model")])),
        },
        (None, [one]) => *one,
        (None, []) => {
            return Err(ModelErrors(vec![err(
                "(model)",
                None,
                "the model has no service shape to generate a client for",
            )]))
        }
        (None, many) => {
            let ids: Vec<&str> = many.iter().map(|s| s.id.as_str()).collect();
            return Err(ModelErrors(vec![err(
                "(model)",
                None,
                format!("the model has several services ({}); choose one", ids.join(", ")),
            )]));
        }
    };
    let unit = UNIT.get_or_init(|| Shape {
        id: "smithy.api#Unit".to_owned(),
        kind: ShapeKind::Structure,
        members: Vec::new(),
        traits: Traits::default(),
        relations: Default::default(),
    });
    // The protocol first and alone: nothing else is worth reading when it is not supported.
    let protocol = model::check_protocol(service).map_err(|e| ModelErrors(vec![e]))?;
    let mut lowering = Lowering {
        model,
        unit,
        rename: service.relations.rename.clone(),
        names: BTreeMap::new(),
        errors: Vec::new(),
        protocol,
        bucket_in_endpoint: Lowering::sdk_id(service) == "S3" && service.traits.has(model::ENDPOINT_RULE_SET),
        findings: model::Findings::default(),
        direct_cycles: BTreeMap::new(),
    };
    let result = lowering.run(service, selection);
    if lowering.errors.is_empty() {
        result.ok_or_else(|| ModelErrors(Vec::new()))
    } else {
        lowering.errors.sort();
        lowering.errors.dedup();
        Err(ModelErrors(lowering.errors))
    }
}

impl<'m> Lowering<'m> {
    fn shape(&self, id: &str) -> &'m Shape {
        // Targets were checked by the loader; an unknown ID here is treated as `smithy.api#Unit`.
        self.model.shapes.get(id).unwrap_or(self.unit)
    }

    fn local_name(&self, id: &str) -> String {
        self.rename.get(id).cloned().unwrap_or_else(|| model::shape_name(id).to_owned())
    }

    fn rust_type_name(&mut self, id: &str) -> String {
        let name = naming::type_name(&self.local_name(id));
        match self.names.get(&name) {
            Some(other) if other != id => {
                let (a, b) =
                    if other.as_str() < id { (other.clone(), id.to_owned()) } else { (id.to_owned(), other.clone()) };
                self.errors.push(err(&a, None, format!("`{a}` and `{b}` both become the Rust type `{name}`; add a `rename` for one of them to the service")));
            }
            Some(_) => {}
            None => {
                self.names.insert(name.clone(), id.to_owned());
            }
        }
        name
    }

    /// Resources of the service, directly or through other resources.
    fn service_resources(&self, service: &Shape) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = service.relations.resources.iter().collect();
        while let Some(r) = stack.pop() {
            if seen.insert(r.clone()) {
                stack.extend(self.shape(r).relations.resources.iter());
            }
        }
        seen
    }

    fn service_operations(&self, service: &Shape) -> Vec<String> {
        let mut out = BTreeSet::new();
        let mut stack: Vec<&Shape> = vec![service];
        let mut seen = BTreeSet::new();
        while let Some(s) = stack.pop() {
            out.extend(s.relations.operations.iter().cloned());
            for r in &s.relations.resources {
                if seen.insert(r.clone()) {
                    stack.push(self.shape(r));
                }
            }
        }
        out.into_iter().collect()
    }

    fn run(&mut self, service: &'m Shape, selection: &Selection) -> Option<Crate> {
        let all_ops = self.service_operations(service);
        let ops: Vec<String> = match &selection.operations {
            None => all_ops,
            Some(wanted) => {
                let mut picked = Vec::new();
                for w in wanted {
                    let found = all_ops.iter().find(|id| {
                        model::shape_name(id) == w
                            || id.as_str() == w
                            || naming::snake_case(model::shape_name(id)) == *w
                    });
                    match found {
                        Some(id) => picked.push(id.clone()),
                        None => {
                            let close: Vec<&str> = all_ops
                                .iter()
                                .map(|id| model::shape_name(id))
                                .filter(|n| {
                                    n.to_ascii_lowercase().contains(&w.to_ascii_lowercase())
                                        || w.to_ascii_lowercase().contains(&n.to_ascii_lowercase())
                                })
                                .take(5)
                                .collect();
                            let hint = if close.is_empty() {
                                format!("it has {} operations", all_ops.len())
                            } else {
                                format!("did you mean {}?", close.join(", "))
                            };
                            self.errors.push(err(&service.id, None, format!("has no operation named `{w}`; {hint}")));
                        }
                    }
                }
                picked.sort();
                picked.dedup();
                picked
            }
        };
        if !self.errors.is_empty() {
            return None;
        }

        // Usage: which shapes are reachable from inputs, and from outputs/errors.
        let mut input_roots = Vec::new();
        let mut output_roots = Vec::new();
        for op in &ops {
            let shape = self.shape(op);
            input_roots.extend(shape.relations.input.clone());
            output_roots.extend(shape.relations.output.clone());
            output_roots.extend(shape.relations.errors.iter().cloned());
            output_roots.extend(service.relations.errors.iter().cloned());
        }
        let input_set = self.closure(&input_roots);
        let output_set = self.closure(&output_roots);
        let all: BTreeSet<String> = input_set.union(&output_set).cloned().collect();
        // Check exactly what the selection reaches, and what makes the selection valid.
        let mut checked = all.clone();
        checked.insert(service.id.clone());
        checked.extend(self.service_resources(service));
        checked.extend(ops.iter().cloned());
        self.findings = self.model.check_shapes(&checked);
        if !self.findings.errors.is_empty() {
            self.errors.append(&mut self.findings.errors);
            return None;
        }
        self.direct_cycles = self.direct_cycles(&all);

        let service_ir = self.service(service);
        let mut structs = Vec::new();
        let mut enums = Vec::new();
        let mut unions = Vec::new();
        for id in &all {
            if id == "smithy.api#Unit" {
                continue;
            }
            let shape = self.shape(id);
            let usage = Usage { input: input_set.contains(id), output: output_set.contains(id) };
            match shape.kind {
                ShapeKind::Structure => structs.push(self.structure(shape, usage, input_roots.contains(id))),
                ShapeKind::Union => unions.push(self.union(shape, usage)),
                ShapeKind::Enum | ShapeKind::IntEnum => enums.push(self.enumeration(shape)),
                _ => {}
            }
        }
        let mut operations = Vec::new();
        for op in &ops {
            if let Some(o) = self.operation(self.shape(op), service) {
                operations.push(o);
            }
        }
        self.check_operation_names(&operations);
        structs.sort_by(|a, b| a.name.cmp(&b.name));
        enums.sort_by(|a, b| a.name.cmp(&b.name));
        unions.sort_by(|a, b| a.name.cmp(&b.name));
        operations.sort_by(|a, b| a.module.cmp(&b.module));
        for s in &mut structs {
            s.operation_output = operations.iter().any(|o| o.output.as_deref() == Some(s.name.as_str()));
            if s.operation_output && s.error.is_none() && s.fields.iter().any(|f| f.name == "request_id") {
                self.errors.push(err(
                    &s.id,
                    None,
                    "an operation output cannot have a member named `request_id` (the generator uses it)",
                ));
            }
        }
        let warnings = std::mem::take(&mut self.findings.warnings);
        let mut krate = Crate {
            service: service_ir,
            operations,
            structs,
            enums,
            unions,
            paginators: Vec::new(),
            waiters: Vec::new(),
            warnings,
        };
        compute_needs_validation(&mut krate);
        krate.paginators = crate::pagination::lower(self.model, service, &krate, &mut self.errors);
        krate.waiters = crate::waiters::lower(self.model, &krate, &mut self.errors);
        Some(krate)
    }

    fn check_operation_names(&mut self, ops: &[Operation]) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for op in ops {
            if let Some(other) = seen.insert(&op.module, &op.id) {
                self.errors.push(err(
                    other,
                    None,
                    format!("`{other}` and `{}` both become the method `{}`", op.id, op.module),
                ));
            }
        }
    }

    /// Every value shape reachable from `roots`.
    fn closure(&self, roots: &[String]) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = roots.to_vec();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let shape = self.shape(&id);
            if matches!(shape.kind, ShapeKind::Enum | ShapeKind::IntEnum) {
                continue;
            }
            for m in &shape.members {
                if !seen.contains(&m.target) {
                    stack.push(m.target.clone());
                }
            }
        }
        seen
    }

    /// The `aws.api#service` `sdkId`, else the service's shape name.
    fn sdk_id(service: &Shape) -> String {
        let aws = service.traits.get(model::AWS_SERVICE);
        aws.and_then(|a| a.get("sdkId"))
            .and_then(Value::as_str)
            .map_or_else(|| model::shape_name(&service.id).to_owned(), str::to_owned)
    }

    /// `aws.auth#sigv4` `name`, else the endpoint prefix, else the sdkId in lower case.
    fn service_signing_name(service: &Shape) -> String {
        let aws = service.traits.get(model::AWS_SERVICE);
        let endpoint_prefix = aws.and_then(|a| a.get("endpointPrefix")).and_then(Value::as_str);
        service
            .traits
            .get(model::SIGV4)
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .or(endpoint_prefix)
            .map(str::to_owned)
            .unwrap_or_else(|| naming::snake_case(&Self::sdk_id(service)).replace('_', ""))
    }

    fn service(&mut self, service: &Shape) -> Service {
        let name = model::shape_name(&service.id).to_owned();
        let sdk_id = Self::sdk_id(service);
        let signing_name = Self::service_signing_name(service);
        Service {
            protocol: self.protocol,
            query_compatible: service.traits.has(crate::emit::protocol::AWS_QUERY_COMPATIBLE),
            id: service.id.clone(),
            name,
            sdk_id,
            version: service.relations.version.clone().unwrap_or_default(),
            signing_name,
            title: service.traits.get("smithy.api#title").and_then(Value::as_str).map(str::to_owned),
            // serde_json's map is sorted, so this text does not depend on the file's key order;
            // pretty-printed so that a rule change reviews as a line diff.
            endpoint_rule_set: service
                .traits
                .get(model::ENDPOINT_RULE_SET)
                .map(|v| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())),
            client_context_params: self.client_context_params(service),
            endpoint_sigv4a: service.traits.get(model::ENDPOINT_RULE_SET).is_some_and(crate::auth::rules_use_sigv4a),
            xml_namespace: XmlNamespace::from_trait(service.traits.get(model::XML_NAMESPACE)),
            docs: docs_of(&service.traits),
        }
    }

    fn timestamp_format(&self, member_traits: Option<&Traits>, target: &Shape) -> TimestampFormat {
        if !self.protocol.timestamp_format_applies() {
            return TimestampFormat::Unset;
        }
        let raw = member_traits
            .and_then(|t| t.get(model::TIMESTAMP_FORMAT))
            .or_else(|| target.traits.get(model::TIMESTAMP_FORMAT));
        match raw.and_then(Value::as_str) {
            Some("date-time") => TimestampFormat::DateTime,
            Some("http-date") => TimestampFormat::HttpDate,
            Some("epoch-seconds") => TimestampFormat::EpochSeconds,
            _ => TimestampFormat::Unset,
        }
    }

    /// The value type of a member (or of a list/map member) targeting `target_id`.
    fn value_type(&mut self, member_traits: Option<&Traits>, target_id: &str, depth: usize) -> ValueType {
        let target = self.shape(target_id);
        let get = |id: &str| member_traits.and_then(|t| t.get(id)).or_else(|| target.traits.get(id));
        let mut constraints = Constraints::default();
        if let Some(l) = get(model::LENGTH) {
            constraints.length = Some((l.get("min").and_then(Value::as_u64), l.get("max").and_then(Value::as_u64)));
        }
        // A pattern the runtime cannot compile was reported as a warning and is not enforced.
        if let Some(p) = get(model::PATTERN).and_then(Value::as_str).filter(|p| self.findings.enforces(p)) {
            constraints.pattern = Some(p.to_owned());
        }
        if let Some(r) = get(model::RANGE) {
            constraints.range = Some((r.get("min").map(Value::to_string), r.get("max").map(Value::to_string)));
        }
        constraints.unique_items = get(model::UNIQUE_ITEMS).is_some();
        constraints.total_utf8_bytes = get(model::TOTAL_UTF8_BYTES).and_then(|t| t.get("max")).and_then(Value::as_u64);
        let mut sensitive =
            target.traits.has(model::SENSITIVE) || member_traits.is_some_and(|t| t.has(model::SENSITIVE));
        if self.protocol.refuses(target.kind) {
            let what = if target.kind == ShapeKind::Document { "a document" } else { "an arbitrary-precision number" };
            let why = format!("is {what}, which awslim's {} client does not send or read", self.protocol.trait_id());
            self.errors.push(err(target_id, None, why));
        }
        let ty = match target.kind {
            ShapeKind::String => Type::String,
            ShapeKind::Boolean => Type::Bool,
            ShapeKind::Byte => Type::Byte,
            ShapeKind::Short => Type::Short,
            ShapeKind::Integer => Type::Integer,
            ShapeKind::Long => Type::Long,
            ShapeKind::Float => Type::Float,
            ShapeKind::Double => Type::Double,
            ShapeKind::BigInteger => Type::BigInteger,
            ShapeKind::BigDecimal => Type::BigDecimal,
            ShapeKind::Blob if target.traits.has(model::STREAMING) => Type::ByteStream,
            ShapeKind::Blob => Type::Blob,
            ShapeKind::Timestamp => Type::Timestamp(self.timestamp_format(member_traits, target)),
            ShapeKind::Document if self.protocol.xml_codec() => {
                let why = format!("is a document, which {} cannot send or read", self.protocol.trait_id());
                self.errors.push(err(target_id, None, why));
                Type::Document
            }
            ShapeKind::Document => Type::Document,
            ShapeKind::Enum => Type::Enum(self.rust_type_name(target_id)),
            ShapeKind::IntEnum => Type::IntEnum(self.rust_type_name(target_id)),
            ShapeKind::Structure => Type::Struct(self.rust_type_name(target_id)),
            ShapeKind::Union if target.traits.has(model::STREAMING) => {
                Type::EventStream(self.rust_type_name(target_id))
            }
            ShapeKind::Union => Type::Union(self.rust_type_name(target_id)),
            ShapeKind::List | ShapeKind::Map if depth > 32 => {
                self.errors.push(err(target_id, None, "collections nest more than 32 levels deep"));
                Type::Document
            }
            ShapeKind::List => {
                let m = target.member("member").cloned();
                let item = match &m {
                    Some(m) => self.value_type(Some(&m.traits), &m.target, depth + 1),
                    None => ValueType {
                        ty: Type::Document,
                        constraints: Constraints::default(),
                        sensitive: false,
                        media_type: None,
                        xml: XmlMember::default(),
                    },
                };
                sensitive |= item.sensitive;
                if item.ty == Type::ByteStream {
                    self.errors.push(err(target_id, Some("member"), STREAM_ONLY_AS_PAYLOAD));
                }
                Type::List { item: Box::new(item), sparse: target.traits.has(model::SPARSE) }
            }
            ShapeKind::Map => {
                let k = target.member("key").cloned();
                let v = target.member("value").cloned();
                let key = match &k {
                    Some(m) => self.value_type(Some(&m.traits), &m.target, depth + 1),
                    None => ValueType {
                        ty: Type::String,
                        constraints: Constraints::default(),
                        sensitive: false,
                        media_type: None,
                        xml: XmlMember::default(),
                    },
                };
                let value = match &v {
                    Some(m) => self.value_type(Some(&m.traits), &m.target, depth + 1),
                    None => ValueType {
                        ty: Type::Document,
                        constraints: Constraints::default(),
                        sensitive: false,
                        media_type: None,
                        xml: XmlMember::default(),
                    },
                };
                sensitive |= key.sensitive || value.sensitive;
                if value.ty == Type::ByteStream {
                    self.errors.push(err(target_id, Some("value"), STREAM_ONLY_AS_PAYLOAD));
                }
                Type::Map { key: Box::new(key), value: Box::new(value), sparse: target.traits.has(model::SPARSE) }
            }
            ShapeKind::Service | ShapeKind::Operation | ShapeKind::Resource => Type::Document,
        };
        let media_type = get("smithy.api#mediaType").and_then(Value::as_str).map(str::to_owned);
        let member_str = |id: &str| member_traits.and_then(|t| t.get(id)).and_then(Value::as_str).map(str::to_owned);
        let xml = XmlMember {
            name: member_str(model::XML_NAME),
            ec2_query_name: member_str(model::EC2_QUERY_NAME),
            flattened: member_traits.is_some_and(|t| t.has(model::XML_FLATTENED)),
            attribute: member_traits.is_some_and(|t| t.has(model::XML_ATTRIBUTE)),
            namespace: XmlNamespace::from_trait(member_traits.and_then(|t| t.get(model::XML_NAMESPACE))),
        };
        ValueType { ty, constraints, sensitive, media_type, xml }
    }

    /// Components of the graph of structures and unions in `ids` linked by members that
    /// target a structure or union directly (Tarjan, iterative; linear in the graph).
    fn direct_cycles(&self, ids: &BTreeSet<String>) -> BTreeMap<String, usize> {
        let succ = |id: &'m str| -> Vec<&'m str> {
            let shape = self.shape(id);
            if !matches!(shape.kind, ShapeKind::Structure | ShapeKind::Union) {
                return Vec::new();
            }
            shape
                .members
                .iter()
                .filter(|m| matches!(self.shape(&m.target).kind, ShapeKind::Structure | ShapeKind::Union))
                .map(|m| m.target.as_str())
                .collect()
        };
        let mut component = BTreeMap::new();
        let nodes = ids.iter().map(|id| self.shape(id).id.as_str());
        for (i, c) in model::components(nodes, &succ).into_iter().enumerate() {
            for id in c {
                component.insert(id.to_owned(), i);
            }
        }
        component
    }

    /// Whether `from` reaches `to` through structure/union members without passing a
    /// collection (which already puts values on the heap).
    fn reaches_directly(&self, from: &str, to: &str) -> bool {
        let a = self.direct_cycles.get(from);
        a.is_some() && a == self.direct_cycles.get(to) && (from != to || self.self_loop(from))
    }

    fn self_loop(&self, id: &str) -> bool {
        self.shape(id).members.iter().any(|m| m.target == id)
    }

    /// `operation_input`: the structure is an operation's input, whose `@default` members the
    /// client leaves unset unless the caller sets them (Smithy's rule for top-level input).
    fn structure(&mut self, shape: &'m Shape, usage: Usage, operation_input: bool) -> Struct {
        let name = self.rust_type_name(&shape.id);
        let error = self.error_info(shape);
        let mut fields = Vec::new();
        let mut field_names: BTreeMap<String, String> = BTreeMap::new();
        for m in &shape.members {
            let fname = naming::field_name(&m.name);
            if let Some(other) = field_names.insert(fname.clone(), m.name.clone()) {
                self.errors.push(err(
                    &shape.id,
                    Some(&m.name),
                    format!("members `{other}` and `{}` both become the Rust field `{fname}`", m.name),
                ));
            }
            if error.is_some() && fname == "meta" {
                self.errors.push(err(
                    &shape.id,
                    Some(&m.name),
                    "an error structure member cannot be called `meta` (the generator uses it for the error metadata)",
                ));
            }
            let target = self.shape(&m.target);
            if target.kind == ShapeKind::Union && target.traits.has(model::STREAMING) {
                self.check_event_stream_member(shape, m, usage);
            }
            let header_kinds = [
                ShapeKind::Boolean,
                ShapeKind::Byte,
                ShapeKind::Short,
                ShapeKind::Integer,
                ShapeKind::Long,
                ShapeKind::Blob,
                ShapeKind::String,
                ShapeKind::Timestamp,
                ShapeKind::Enum,
                ShapeKind::IntEnum,
            ];
            if m.traits.has("smithy.api#eventHeader") && !header_kinds.contains(&target.kind) {
                self.errors.push(err(&shape.id, Some(&m.name), format!("is an @eventHeader targeting `{}`, which is not a boolean, byte, short, integer, long, blob, string or timestamp", m.target)));
            }
            let mut value = self.value_type(Some(&m.traits), &m.target, 0);
            // An event stream in an input is sent, not received.
            if let (true, Type::EventStream(n)) = (usage.input, &value.ty) {
                value.ty = Type::EventSender(n.clone());
            }
            let idempotency_token = m.traits.has(model::IDEMPOTENCY_TOKEN);
            let default = m
                .traits
                .get(model::DEFAULT)
                .or_else(|| target.traits.get(model::DEFAULT))
                .filter(|v| !v.is_null())
                .cloned();
            let presence = if idempotency_token || m.traits.has(model::CLIENT_OPTIONAL) {
                Presence::Optional
            } else if let Some(d) = default.clone().filter(|_| !operation_input) {
                Presence::Default(d)
            } else if m.traits.has(model::REQUIRED) {
                Presence::Required
            } else {
                Presence::Optional
            };
            let boxed = matches!(target.kind, ShapeKind::Structure | ShapeKind::Union)
                && self.reaches_directly(&m.target, &shape.id);
            let http = if self.protocol.http_bindings() { http_binding(&m.traits) } else { HttpBinding::Body };
            if value.ty == Type::ByteStream && http != HttpBinding::Payload {
                let why = format!("targets the @streaming blob `{}`: {STREAM_ONLY_AS_PAYLOAD}", m.target);
                self.errors.push(err(&shape.id, Some(&m.name), why));
            }
            let mut docs = docs_of(&m.traits);
            if docs.is_empty()
                && !matches!(
                    target.kind,
                    ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum
                )
            {
                docs = docs_of(&target.traits);
            }
            if let (true, Some(d)) = (operation_input, &default) {
                if !docs.is_empty() {
                    docs.push(String::new());
                }
                docs.push(format!("When unset, the service uses the default `{d}`."));
            }
            fields.push(Field {
                member: m.name.clone(),
                json_name: self.json_name(m),
                type_param: naming::type_param_name(&m.name),
                name: fname,
                value,
                presence,
                boxed,
                docs,
                idempotency_token,
                http,
                event: event_binding(&m.traits),
            });
        }
        Struct {
            id: shape.id.clone(),
            name,
            docs: docs_of(&shape.traits),
            fields,
            error,
            sensitive: shape.traits.has(model::SENSITIVE),
            usage,
            needs_validation: false,
            operation_output: false,
            xml_root: shape
                .traits
                .get(model::XML_NAME)
                .and_then(Value::as_str)
                .unwrap_or_else(|| model::shape_name(&shape.id))
                .to_owned(),
            xml_namespace: XmlNamespace::from_trait(shape.traits.get(model::XML_NAMESPACE)),
        }
    }

    /// The facts of an `@error` structure; `None` for other shapes.
    fn error_info(&self, shape: &Shape) -> Option<ErrorInfo> {
        let fault = shape.traits.get(model::ERROR)?;
        // awsQuery and ec2Query services may give an error a code other than its shape name.
        let query_code = shape
            .traits
            .get(model::AWS_QUERY_ERROR)
            .and_then(|t| t.get("code"))
            .and_then(Value::as_str)
            .filter(|_| self.protocol.query_error_codes());
        Some(ErrorInfo {
            code: query_code.map_or_else(|| self.local_name(&shape.id), str::to_owned),
            server_fault: fault.as_str() == Some("server"),
            http_status: shape
                .traits
                .get(model::HTTP_ERROR)
                .and_then(Value::as_u64)
                .and_then(|c| u16::try_from(c).ok()),
            retryable: shape
                .traits
                .get(model::RETRYABLE)
                .map(|r| r.get("throttling").and_then(Value::as_bool).unwrap_or(false)),
        })
    }

    fn union(&mut self, shape: &'m Shape, usage: Usage) -> Union {
        let name = self.rust_type_name(&shape.id);
        let mut variants = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for m in &shape.members {
            let vname = naming::variant_name(&m.name);
            if let Some(other) = seen.insert(vname.clone(), m.name.clone()) {
                self.errors.push(err(
                    &shape.id,
                    Some(&m.name),
                    format!("members `{other}` and `{}` both become the variant `{vname}`", m.name),
                ));
            }
            let target = self.shape(&m.target);
            let event_stream = shape.traits.has(model::STREAMING);
            if event_stream && m.target != "smithy.api#Unit" && target.kind != ShapeKind::Structure {
                self.errors.push(err(
                    &shape.id,
                    Some(&m.name),
                    format!(
                        "is a member of an event stream targeting `{}`; event stream members must target structures",
                        m.target
                    ),
                ));
            }
            let value =
                if m.target == "smithy.api#Unit" { None } else { Some(self.value_type(Some(&m.traits), &m.target, 0)) };
            if value.as_ref().is_some_and(|v| v.ty == Type::ByteStream) {
                self.errors.push(err(&shape.id, Some(&m.name), STREAM_ONLY_AS_PAYLOAD));
            }
            let boxed = matches!(target.kind, ShapeKind::Structure | ShapeKind::Union)
                && m.target != "smithy.api#Unit"
                && self.reaches_directly(&m.target, &shape.id);
            variants.push(UnionVariant {
                member: m.name.clone(),
                json_name: self.json_name(m),
                name: vname,
                value,
                boxed,
                docs: docs_of(&m.traits),
                error: target.traits.has(model::ERROR),
            });
        }
        Union {
            id: shape.id.clone(),
            name,
            docs: docs_of(&shape.traits),
            variants,
            sensitive: shape.traits.has(model::SENSITIVE),
            usage,
            needs_validation: false,
            event_stream: shape.traits.has(model::STREAMING),
        }
    }

    /// A member targeting an event stream: supported as a restJson1 `@httpPayload` of an
    /// operation output (server to client) or input (client to server).
    fn check_event_stream_member(&mut self, shape: &Shape, m: &model::Member, usage: Usage) {
        let target = &m.target;
        let why = if self.protocol != Protocol::RestJson1 {
            Some(format!("targets the event stream `{target}`; event streams are supported for restJson1 only so far (leave out the operations that use it with --operations)"))
        } else if usage.input && usage.output {
            Some(format!("targets the event stream `{target}` in a structure that is both an input and an output; an event stream is sent or received, not both"))
        } else if !m.traits.has(model::HTTP_PAYLOAD) {
            Some(format!("targets the event stream `{target}` without `@httpPayload`, which restJson1 requires"))
        } else {
            None
        };
        if let Some(why) = why {
            self.errors.push(err(&shape.id, Some(&m.name), why));
        }
    }

    fn enumeration(&mut self, shape: &'m Shape) -> Enum {
        let name = self.rust_type_name(&shape.id);
        let int = shape.kind == ShapeKind::IntEnum;
        let mut variants = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for m in &shape.members {
            let value = match m.traits.get(model::ENUM_VALUE) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => m.name.clone(),
            };
            let vname = naming::variant_name(&m.name);
            if let Some(other) = seen.insert(vname.clone(), m.name.clone()) {
                self.errors.push(err(
                    &shape.id,
                    Some(&m.name),
                    format!("members `{other}` and `{}` both become the variant `{vname}`", m.name),
                ));
            }
            variants.push(EnumVariant { name: vname, value, docs: docs_of(&m.traits) });
        }
        if int {
            variants.sort_by_key(|v| v.value.parse::<i64>().unwrap_or(0));
        }
        Enum {
            id: shape.id.clone(),
            name,
            docs: docs_of(&shape.traits),
            variants,
            int,
            sensitive: shape.traits.has(model::SENSITIVE),
        }
    }

    /// The key of a member in JSON bodies: `@jsonName` where the protocol honours it.
    fn json_name(&self, m: &crate::model::Member) -> String {
        let renamed = m.traits.get(model::JSON_NAME).and_then(Value::as_str).filter(|_| self.protocol.json_name());
        renamed.unwrap_or(&m.name).to_owned()
    }

    fn operation(&mut self, op: &'m Shape, service: &Shape) -> Option<Operation> {
        // Protocols without HTTP bindings send every call as `POST /`.
        let rpc = serde_json::json!({ "method": "POST", "uri": "/" });
        let http = if self.protocol.http_bindings() { op.traits.get(model::HTTP) } else { Some(&rpc) };
        let Some(http) = http else {
            let why = format!("has no `smithy.api#http` trait; {} operations need one", self.protocol.trait_id());
            self.errors.push(err(&op.id, None, why));
            return None;
        };
        let method = http.get("method").and_then(Value::as_str).unwrap_or("POST").to_owned();
        let uri = http.get("uri").and_then(Value::as_str).unwrap_or("/");
        let code = http.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(200);
        let (path_part, query_part) = uri.split_once('?').unwrap_or((uri, ""));
        let mut path = Vec::new();
        let mut bucket_dropped = false;
        let input_shape = op.relations.input.as_deref().map(|id| self.shape(id));
        for (i, segment) in path_part.split('/').skip(1).enumerate() {
            if i == 0 && self.bucket_in_endpoint && segment == "{Bucket}" {
                bucket_dropped = true;
                continue;
            }
            if let Some(label) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (member, greedy) = match label.strip_suffix('+') {
                    Some(m) => (m.to_owned(), true),
                    None => (label.to_owned(), false),
                };
                let bound =
                    input_shape.and_then(|s| s.member(&member)).is_some_and(|m| m.traits.has(model::HTTP_LABEL));
                if !bound {
                    self.errors.push(err(
                        &op.id,
                        None,
                        format!("the URI label `{{{label}}}` has no input member `{member}` with `@httpLabel`"),
                    ));
                }
                path.push(UriSegment::Literal("/".to_owned()));
                path.push(UriSegment::Label { member, greedy });
            } else {
                path.push(UriSegment::Literal(format!("/{segment}")));
            }
        }
        let path_from_endpoint = bucket_dropped && path.is_empty();
        if path.is_empty() {
            path.push(UriSegment::Literal("/".to_owned()));
        }
        // Merge neighbouring literals: `/contact` + `/webrtc` -> `/contact/webrtc`.
        let mut merged: Vec<UriSegment> = Vec::new();
        for seg in path {
            match (merged.last_mut(), seg) {
                (Some(UriSegment::Literal(prev)), UriSegment::Literal(s)) => prev.push_str(&s),
                (_, seg) => merged.push(seg),
            }
        }
        let query = query_part
            .split('&')
            .filter(|q| !q.is_empty())
            .map(|q| match q.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (q.to_owned(), None),
            })
            .collect();
        let unit = |id: &Option<String>| id.as_deref().filter(|id| *id != "smithy.api#Unit").map(str::to_owned);
        let input = unit(&op.relations.input).map(|id| self.rust_type_name(&id));
        let output = unit(&op.relations.output).map(|id| self.rust_type_name(&id));
        let mut errors = Vec::new();
        let mut error_ids: Vec<&String> = op.relations.errors.iter().chain(service.relations.errors.iter()).collect();
        error_ids.sort();
        error_ids.dedup();
        for id in error_ids {
            // The loader checked that every operation error has `@error`.
            if let Some(info) = self.error_info(self.shape(id)) {
                errors.push(OperationError { type_name: self.rust_type_name(id), info });
            }
        }
        let host_prefix =
            op.traits.get("smithy.api#endpoint").and_then(|e| e.get("hostPrefix")).and_then(Value::as_str).map(
                |prefix| {
                    let mut segments = Vec::new();
                    let mut rest = prefix;
                    while let Some(start) = rest.find('{') {
                        if start > 0 {
                            segments.push(UriSegment::Literal(rest[..start].to_owned()));
                        }
                        let Some(end) = rest[start..].find('}') else {
                            self.errors.push(err(
                                &op.id,
                                None,
                                format!("the @endpoint hostPrefix {prefix:?} has an unclosed `{{`"),
                            ));
                            return segments;
                        };
                        let member = rest[start + 1..start + end].to_owned();
                        let bound = input_shape
                            .and_then(|s| s.member(&member))
                            .is_some_and(|m| m.traits.has("smithy.api#hostLabel"));
                        if !bound {
                            self.errors.push(err(
                                &op.id,
                                None,
                                format!(
                                "the hostPrefix label `{{{member}}}` has no input member `{member}` with `@hostLabel`"
                            ),
                            ));
                        }
                        segments.push(UriSegment::Label { member, greedy: false });
                        rest = &rest[start + end + 1..];
                    }
                    if !rest.is_empty() {
                        segments.push(UriSegment::Literal(rest.to_owned()));
                    }
                    segments
                },
            );
        let name = model::shape_name(&op.id).to_owned();
        let module = naming::module_name(&name);
        let signing_name = Self::service_signing_name(service);
        let auth = match crate::auth::operation_schemes(self.model, service, op, &signing_name) {
            Ok(auth) => auth,
            Err(e) => {
                self.errors.push(e);
                Vec::new()
            }
        };
        Some(Operation {
            auth,
            host_prefix,
            checksum_required: op.traits.has("smithy.api#httpChecksumRequired"),
            xml_unwrapped_output: op.traits.has("aws.customizations#s3UnwrappedXmlOutput"),
            compression: op
                .traits
                .get("smithy.api#requestCompression")
                .and_then(|c| c.get("encodings"))
                .and_then(Value::as_array)
                .map(|e| e.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            id: op.id.clone(),
            error_name: format!("{}Error", naming::pascal_case(&name)),
            name,
            module,
            input,
            output,
            errors,
            http: Http { method, path: merged, query, code, path_from_endpoint },
            endpoint_params: self.operation_endpoint_params(op, service),
            docs: docs_of(&op.traits),
        })
    }
}

fn event_binding(traits: &Traits) -> EventBinding {
    if traits.has("smithy.api#eventHeader") {
        EventBinding::Header
    } else if traits.has("smithy.api#eventPayload") {
        EventBinding::Payload
    } else {
        EventBinding::Body
    }
}

fn http_binding(traits: &Traits) -> HttpBinding {
    let s = |id: &str| traits.get(id).and_then(Value::as_str).map(str::to_owned);
    if traits.has(model::HTTP_LABEL) {
        HttpBinding::Label
    } else if let Some(q) = s(model::HTTP_QUERY) {
        HttpBinding::Query(q)
    } else if traits.has(model::HTTP_QUERY_PARAMS) {
        HttpBinding::QueryParams
    } else if let Some(h) = s(model::HTTP_HEADER) {
        HttpBinding::Header(h)
    } else if let Some(p) = s(model::HTTP_PREFIX_HEADERS) {
        HttpBinding::PrefixHeaders(p)
    } else if traits.has(model::HTTP_PAYLOAD) {
        HttpBinding::Payload
    } else if traits.has(model::HTTP_RESPONSE_CODE) {
        HttpBinding::ResponseCode
    } else {
        HttpBinding::Body
    }
}

/// Whether a value of this type has anything to check, given which named types do.
pub fn value_needs_validation(v: &ValueType, named: &BTreeSet<String>) -> bool {
    // Enums are open (an unknown value is not a violation), but `@length`/`@pattern` on an enum
    // and `@range` on an intEnum constrain every value, as on a string or integer.
    !v.constraints.is_empty()
        || match &v.ty {
            Type::Struct(n) | Type::Union(n) => named.contains(n),
            Type::List { item, .. } => value_needs_validation(item, named),
            Type::Map { key, value, .. } => value_needs_validation(key, named) || value_needs_validation(value, named),
            _ => false,
        }
}

/// Structures and unions named inside a value type (through collections).
fn named_types<'a>(v: &'a ValueType, out: &mut Vec<&'a str>) {
    match &v.ty {
        Type::Struct(n) | Type::Union(n) => out.push(n),
        Type::List { item, .. } => named_types(item, out),
        Type::Map { key, value, .. } => {
            named_types(key, out);
            named_types(value, out);
        }
        _ => {}
    }
}

/// A type needs validation when it has a constraint of its own or contains a type that does:
/// found by walking the "is contained in" edges back from the constrained types, once each.
fn compute_needs_validation(krate: &mut Crate) {
    let none = BTreeSet::new();
    let mut users: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut pending: Vec<&str> = Vec::new();
    let values = krate.structs.iter().flat_map(|s| s.fields.iter().map(move |f| (s.name.as_str(), &f.value))).chain(
        krate
            .unions
            .iter()
            .flat_map(|u| u.variants.iter().filter_map(move |v| Some((u.name.as_str(), v.value.as_ref()?)))),
    );
    for (owner, value) in values {
        if value_needs_validation(value, &none) {
            pending.push(owner);
        }
        let mut inner = Vec::new();
        named_types(value, &mut inner);
        for n in inner {
            users.entry(n).or_default().push(owner);
        }
    }
    let mut named: BTreeSet<String> = BTreeSet::new();
    while let Some(n) = pending.pop() {
        if named.insert(n.to_owned()) {
            pending.extend(users.get(n).into_iter().flatten().copied());
        }
    }
    for s in &mut krate.structs {
        s.needs_validation = named.contains(&s.name);
    }
    for u in &mut krate.unions {
        u.needs_validation = named.contains(&u.name);
    }
}
