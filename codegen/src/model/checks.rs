//! Checks beyond trait values: HTTP bindings, wire names, URIs, host prefixes and the protocol.
//!
//! Each check follows the selector or validator Smithy applies to the trait (prelude trait
//! definitions and the HTTP binding validators), so a model Smithy accepts is accepted here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{
    Model, ModelError, Shape, ShapeKind, DEFAULT, ENUM_VALUE, HTTP, HTTP_HEADER, HTTP_LABEL, HTTP_PAYLOAD,
    HTTP_PREFIX_HEADERS, HTTP_QUERY, HTTP_QUERY_PARAMS, HTTP_RESPONSE_CODE, IDEMPOTENCY_TOKEN, JSON_NAME, REQUIRED,
};

/// The longest `@pattern` (in bytes) the generator compiles; longer ones are reported and not
/// enforced. Published AWS models stay below 1,000 bytes.
pub const MAX_PATTERN_LEN: usize = 16 * 1024;

/// What checking a set of shapes found.
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// Problems that stop generation.
    pub errors: Vec<ModelError>,
    /// Problems that do not: something the generated crate will not enforce, and why.
    pub warnings: Vec<ModelError>,
    /// `@pattern` text -> whether the runtime can enforce it (compiled once per pattern).
    patterns: BTreeMap<String, Result<(), String>>,
}

impl Findings {
    /// Whether `pattern` can be enforced, compiling each distinct pattern once.
    pub(super) fn pattern(&mut self, pattern: &str) -> Result<(), String> {
        if let Some(r) = self.patterns.get(pattern) {
            return r.clone();
        }
        let r = check_pattern(pattern);
        self.patterns.insert(pattern.to_owned(), r.clone());
        r
    }

    /// Whether a checked pattern is enforced (false for one that was reported as a warning).
    pub fn enforces(&self, pattern: &str) -> bool {
        self.patterns.get(pattern).is_some_and(Result::is_ok)
    }
}

/// Whether the runtime can enforce `pattern`: not longer than [`MAX_PATTERN_LEN`] and valid
/// ECMA-262 for `regress`, the engine the runtime uses.
pub fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "it is {} bytes long, more than the {MAX_PATTERN_LEN} the generator compiles",
            pattern.len()
        ));
    }
    super::compile_pattern(pattern).map_err(|e| format!("it is not a valid ECMA-262 regular expression ({e})"))
}

/// The service's protocol: the first its traits name in the generator's order of preference
/// (`emit::protocol::SUPPORTED`, the one list of supported protocols), else one error naming
/// the protocol traits it has.
pub fn check_protocol(service: &Shape) -> Result<crate::emit::protocol::Protocol, ModelError> {
    crate::emit::protocol::Protocol::select(service.traits.0.keys().map(String::as_str))
        .map_err(|why| ModelError::new(&service.id, None, why))
}

/// What a trait applies to, when `kind` is not it (prelude selectors of traits the generator
/// reads; `@length`, `@range` and `@pattern` are checked with their values).
pub(super) fn trait_target(id: &str, kind: ShapeKind) -> Option<&'static str> {
    let (ok, want) = match id {
        super::UNIQUE_ITEMS => (kind == ShapeKind::List, "lists"),
        super::SPARSE => (matches!(kind, ShapeKind::List | ShapeKind::Map), "lists and maps"),
        super::TIMESTAMP_FORMAT => (kind == ShapeKind::Timestamp, "timestamps"),
        "smithy.api#mediaType" => {
            (matches!(kind, ShapeKind::Blob | ShapeKind::String | ShapeKind::Enum), "blobs and strings")
        }
        super::ERROR | super::HTTP_ERROR | super::RETRYABLE => (kind == ShapeKind::Structure, "structures"),
        _ => (true, ""),
    };
    (!ok).then_some(want)
}

/// Checks of a shape that need more than its own traits.
pub(super) fn check_shape_extra(model: &Model, shape: &Shape, errors: &mut Vec<ModelError>) {
    if shape.traits.has(super::HTTP_ERROR) && !shape.traits.has(super::ERROR) {
        errors.push(ModelError::new(&shape.id, None, "`smithy.api#httpError` needs the `smithy.api#error` trait"));
    }
    match shape.kind {
        ShapeKind::Structure | ShapeKind::Union => {
            for m in &shape.members {
                if let Some(target) = model.shapes.get(&m.target) {
                    check_member(model, shape, m, target, errors);
                }
            }
            check_wire_names(shape, errors);
        }
        ShapeKind::Operation => check_operation_http(model, shape, errors),
        _ => {}
    }
}

fn is_number(kind: ShapeKind) -> bool {
    matches!(
        kind,
        ShapeKind::Byte
            | ShapeKind::Short
            | ShapeKind::Integer
            | ShapeKind::Long
            | ShapeKind::Float
            | ShapeKind::Double
            | ShapeKind::BigInteger
            | ShapeKind::BigDecimal
            | ShapeKind::IntEnum
    )
}

/// boolean, number, string (enum included) or timestamp: what headers, labels and query
/// parameters carry.
fn is_scalar(kind: ShapeKind) -> bool {
    is_number(kind) || matches!(kind, ShapeKind::Boolean | ShapeKind::String | ShapeKind::Enum | ShapeKind::Timestamp)
}

/// The kind of a list's or map's `member_name` target.
fn inner_kind(model: &Model, collection: &Shape, member_name: &str) -> Option<ShapeKind> {
    collection.member(member_name).and_then(|m| model.shapes.get(&m.target)).map(|s| s.kind)
}

const BINDINGS: &[&str] =
    &[HTTP_LABEL, HTTP_QUERY, HTTP_QUERY_PARAMS, HTTP_HEADER, HTTP_PREFIX_HEADERS, HTTP_PAYLOAD, HTTP_RESPONSE_CODE];

fn check_member(model: &Model, shape: &Shape, m: &super::Member, target: &Shape, errors: &mut Vec<ModelError>) {
    let mut err = |msg: String| errors.push(ModelError::new(&shape.id, Some(&m.name), msg));
    let bindings: Vec<&str> = BINDINGS.iter().copied().filter(|b| m.traits.has(b)).collect();
    if bindings.len() > 1 {
        err(format!("has conflicting HTTP binding traits: {}", bindings.join(", ")));
    }
    if shape.kind != ShapeKind::Structure && !bindings.is_empty() {
        err(format!("`{}` applies only to structure members", bindings[0]));
    }
    let list_of = |pred: &dyn Fn(ShapeKind) -> bool| {
        target.kind == ShapeKind::List && inner_kind(model, target, "member").is_some_and(pred)
    };
    for b in &bindings {
        let (ok, want) = match *b {
            HTTP_HEADER | HTTP_QUERY => (
                is_scalar(target.kind) || list_of(&is_scalar),
                "a boolean, number, string, timestamp or a list of those",
            ),
            HTTP_LABEL => (is_scalar(target.kind), "a boolean, number, string or timestamp"),
            HTTP_PREFIX_HEADERS => (
                target.kind == ShapeKind::Map
                    && inner_kind(model, target, "value")
                        .is_some_and(|k| matches!(k, ShapeKind::String | ShapeKind::Enum)),
                "a map of strings",
            ),
            HTTP_QUERY_PARAMS => {
                let value = target.member("value").and_then(|v| model.shapes.get(&v.target));
                let ok = target.kind == ShapeKind::Map
                    && value.is_some_and(|v| {
                        matches!(v.kind, ShapeKind::String | ShapeKind::Enum)
                            || (v.kind == ShapeKind::List
                                && inner_kind(model, v, "member")
                                    .is_some_and(|k| matches!(k, ShapeKind::String | ShapeKind::Enum)))
                    });
                (ok, "a map of strings or of lists of strings")
            }
            HTTP_PAYLOAD => (
                matches!(
                    target.kind,
                    ShapeKind::String
                        | ShapeKind::Enum
                        | ShapeKind::Blob
                        | ShapeKind::Structure
                        | ShapeKind::Union
                        | ShapeKind::Document
                        | ShapeKind::List
                        | ShapeKind::Map
                ),
                "a string, blob, structure, union, document, list or map",
            ),
            _ => (target.kind == ShapeKind::Integer, "an integer"),
        };
        if !ok {
            err(format!(
                "`{b}` cannot apply to a member targeting the {} `{}`; it needs {want}",
                target.kind.name(),
                target.id
            ));
        }
    }
    if m.traits.has("smithy.api#hostLabel")
        && !(m.traits.has(REQUIRED) && matches!(target.kind, ShapeKind::String | ShapeKind::Enum))
    {
        err("a `@hostLabel` member must be a `@required` string".to_owned());
    }
    if m.traits.has(HTTP_LABEL) && !m.traits.has(REQUIRED) {
        err("an `@httpLabel` member must be `@required`".to_owned());
    }
    for (id, empty_ok) in [(HTTP_HEADER, false), (HTTP_PREFIX_HEADERS, true)] {
        if let Some(name) = m.traits.get(id).and_then(Value::as_str) {
            if !(is_token(name) || (empty_ok && name.is_empty())) {
                err(format!("`{id}` {name:?} is not a valid HTTP header name"));
            }
        }
    }
    if let Some(key) = m.traits.get(HTTP_QUERY).and_then(Value::as_str) {
        if key.is_empty() || key.chars().any(|c| c.is_control()) {
            err(format!("`{HTTP_QUERY}` {key:?} must be a non-empty key without control characters"));
        }
    }
    if let Some(name) = m.traits.get(JSON_NAME).and_then(Value::as_str) {
        if name.is_empty() || name.chars().any(char::is_control) {
            err(format!("`{JSON_NAME}` {name:?} must be non-empty and free of control characters"));
        }
    }
    if m.traits.has(IDEMPOTENCY_TOKEN) && target.kind != ShapeKind::String {
        err(format!(
            "`{IDEMPOTENCY_TOKEN}` applies only to string members, not to the {} `{}`",
            target.kind.name(),
            target.id
        ));
    }
    if let Some(default) = m.traits.get(DEFAULT).filter(|d| !d.is_null()) {
        if let Some(why) = default_problem(target, default) {
            err(format!("`{DEFAULT}` value {default} {why}"));
        }
    }
}

/// Why a well-typed `@default` is still not a value of `target` (enum values, timestamps).
fn default_problem(target: &Shape, default: &Value) -> Option<String> {
    match target.kind {
        ShapeKind::Enum | ShapeKind::IntEnum => {
            let values: Vec<Value> = target
                .members
                .iter()
                .map(|m| m.traits.get(ENUM_VALUE).cloned().unwrap_or_else(|| Value::String(m.name.clone())))
                .collect();
            (!values.contains(default)).then(|| format!("is not a value of the enum `{}`", target.id))
        }
        ShapeKind::Timestamp => match default {
            Value::String(s) if !is_date_time(s) => Some("is not an RFC 3339 date-time".to_owned()),
            _ => None,
        },
        _ => None,
    }
}

/// RFC 3339 `date-time` (`1985-04-12T23:20:50.52Z`, offsets allowed).
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let base = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !base {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().chain(rest[4..6].bytes()).all(|c| c.is_ascii_digit()))
}

/// An RFC 9110 token (header names, methods).
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// Two members that travel under the same name: JSON keys, headers (case-insensitive), query
/// keys.
fn check_wire_names(shape: &Shape, errors: &mut Vec<ModelError>) {
    let mut json: BTreeMap<String, &str> = BTreeMap::new();
    let mut headers: BTreeMap<String, &str> = BTreeMap::new();
    let mut query: BTreeMap<String, &str> = BTreeMap::new();
    for m in &shape.members {
        let traits = &m.traits;
        let s = |id: &str| traits.get(id).and_then(Value::as_str);
        let mut slots: Vec<(&mut BTreeMap<String, &str>, String, &str)> = Vec::new();
        if BINDINGS.iter().all(|b| !traits.has(b)) {
            slots.push((&mut json, s(JSON_NAME).unwrap_or(&m.name).to_owned(), "JSON key"));
        }
        if let Some(h) = s(HTTP_HEADER) {
            slots.push((&mut headers, h.to_ascii_lowercase(), "header"));
        }
        if let Some(q) = s(HTTP_QUERY) {
            slots.push((&mut query, q.to_owned(), "query key"));
        }
        for (seen, key, what) in slots {
            if let Some(other) = seen.insert(key.clone(), &m.name) {
                errors.push(ModelError::new(
                    &shape.id,
                    Some(&m.name),
                    format!("uses the {what} {key:?}, as does `{}${other}`", shape.id),
                ));
            }
        }
    }
}

/// Headers a client must not let a model member set: the transport, signing and framing own
/// them (Smithy's `HttpHeaderTrait` validator lists these).
const RESTRICTED_HEADERS: &[&str] = &[
    "authorization",
    "connection",
    "content-length",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "www-authenticate",
    "x-amz-content-sha256",
    "x-amz-date",
    "x-amz-security-token",
    "x-forwarded-for",
];

fn check_operation_http(model: &Model, op: &Shape, errors: &mut Vec<ModelError>) {
    let mut err = |msg: String| errors.push(ModelError::new(&op.id, None, msg));
    let input = op.relations.input.as_deref().and_then(|id| model.shapes.get(id));
    if let Some(input) = input {
        // A streaming payload's length travels as Content-Length (S3's PutObject does this).
        let streaming = input.members.iter().any(|m| {
            m.traits.has(HTTP_PAYLOAD)
                && model.shapes.get(&m.target).is_some_and(|t| t.traits.has("smithy.api#streaming"))
        });
        for m in &input.members {
            let Some(h) = m.traits.get(HTTP_HEADER).and_then(Value::as_str) else { continue };
            let lower = h.to_ascii_lowercase();
            if RESTRICTED_HEADERS.contains(&lower.as_str()) && !(streaming && lower == "content-length") {
                err(format!(
                    "the input member `{}${}` binds the header {h:?}, which the client must set itself",
                    input.id, m.name
                ));
            }
        }
    }
    if let Some(http) = op.traits.get(HTTP) {
        if let Some(method) = http.get("method").and_then(Value::as_str).filter(|m| !m.is_empty()) {
            if !is_token(method) || method.bytes().any(|c| c.is_ascii_lowercase()) {
                err(format!("`{HTTP}` method {method:?} is not an upper-case HTTP method token"));
            }
        }
        if let Some(uri) = http.get("uri").and_then(Value::as_str).filter(|u| u.starts_with('/')) {
            for problem in uri_problems(uri) {
                err(format!("`{HTTP}` uri {uri:?}: {problem}"));
            }
        }
    }
    if let Some(prefix) = op.traits.get("smithy.api#endpoint").and_then(|e| e.get("hostPrefix")) {
        match prefix.as_str() {
            Some(p) => {
                if let Some(problem) = host_prefix_problem(p) {
                    err(format!("`smithy.api#endpoint` hostPrefix {p:?}: {problem}"));
                }
            }
            None => err(format!("`smithy.api#endpoint` hostPrefix must be a string, found {prefix}")),
        }
    }
}

/// Characters a URI path or query literal may hold as written (RFC 3986 pchar, `%` only as
/// an escape, plus the `{label}` braces).
fn uri_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/{}%".contains(c)
}

fn uri_problems(uri: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = uri.chars().find(|c| !uri_char_ok(*c) && *c != '?') {
        out.push(format!("the character {c:?} is not allowed in a URI; percent-encode it"));
    }
    let bytes = uri.as_bytes();
    for (i, _) in uri.match_indices('%') {
        if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
        {
            out.push("a `%` must start a percent-escape of two hex digits".to_owned());
            break;
        }
    }
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut labels = BTreeSet::new();
    let mut greedy = 0;
    for segment in path.split('/').skip(1) {
        let label = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        match label {
            Some(l) => {
                let name = l.strip_suffix('+').unwrap_or(l);
                greedy += usize::from(l.ends_with('+'));
                if !super::valid_identifier(name) {
                    out.push(format!("the label `{{{l}}}` must name a member"));
                } else if !labels.insert(name) {
                    out.push(format!("the label `{{{name}}}` appears twice"));
                }
            }
            None if segment.contains(['{', '}']) => {
                out.push(format!("the segment {segment:?} must be a whole `{{label}}` or hold no braces"))
            }
            None => {}
        }
    }
    if greedy > 1 {
        out.push("at most one greedy label is allowed".to_owned());
    }
    let mut keys = BTreeSet::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let key = part.split_once('=').map_or(part, |(k, _)| k);
        if key.is_empty() || part.contains(['{', '}', '?']) {
            out.push(format!("the query literal {part:?} needs a non-empty key and no labels"));
        } else if !keys.insert(key) {
            out.push(format!("the query literal key {key:?} appears twice"));
        }
    }
    out
}

/// A host prefix after its `{label}`s are replaced must be DNS labels followed by a dot or
/// nothing (`data-`, `{AccountId}.`), so the request cannot leave the service's host.
fn host_prefix_problem(prefix: &str) -> Option<String> {
    let mut substituted = String::new();
    let mut rest = prefix;
    while let Some(start) = rest.find('{') {
        substituted.push_str(&rest[..start]);
        let end = rest[start..].find('}')?;
        let label = &rest[start + 1..start + end];
        if !super::valid_identifier(label) {
            return Some(format!("the label `{{{label}}}` must name an input member"));
        }
        // A host label's value is checked at run time; here it stands for one DNS label.
        substituted.push('a');
        rest = &rest[start + end + 1..];
    }
    if rest.contains('}') {
        return Some("has a `}` without its `{`".to_owned());
    }
    substituted.push_str(rest);
    let body = substituted.strip_suffix('.').unwrap_or(&substituted);
    let parts: Vec<&str> = body.split('.').collect();
    let ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !l.starts_with('-')
    };
    // The last part may end in `-` (it continues into the service host: `data-`).
    if body.is_empty() || !parts.iter().all(|p| ok(p)) {
        return Some(
            "must be DNS labels (letters, digits, `-`) separated by dots once labels are filled in".to_owned(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefixes() {
        for good in ["{RequestRoute}.", "data-", "data.", "{AccountId}.control.", "a-{Id}."] {
            assert_eq!(host_prefix_problem(good), None, "{good}");
        }
        for bad in ["evil.example/", "user@", "a..", ".", "{Bad-Label}.", "x}", "a b."] {
            assert!(host_prefix_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn uris() {
        assert!(uri_problems("/things/{Id}/x?list&mode=fast").is_empty());
        assert!(uri_problems("/a%20b/{Key+}").is_empty());
        for bad in ["/%", "/a b", "/a%zz", "/x?=v", "/x?a&a", "/{a}/{a}", "/{a+}/{b+}", "/a{b}", "/x?k={v}"] {
            assert!(!uri_problems(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn date_times() {
        assert!(is_date_time("1985-04-12T23:20:50.52Z"));
        assert!(is_date_time("1985-04-12T23:20:50+01:00"));
        assert!(!is_date_time("yesterday"));
        assert!(!is_date_time("1985-04-12"));
    }
}
