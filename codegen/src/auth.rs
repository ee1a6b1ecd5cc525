//! Lowering of auth traits: each operation's effective auth schemes, in order of preference.
//!
//! Smithy's rules (`smithy.api#auth`, "auth scheme resolution"):
//!
//! - the service's auth schemes are the traits applied to it that are auth scheme definitions;
//!   its `@auth` orders (and may narrow) them, else they are in shape-ID order;
//! - an operation's `@auth` replaces the service's list (each entry must be one of the
//!   service's schemes); `@auth([])` means no auth;
//! - `@optionalAuth` adds "no auth" as the last choice; `smithy.api#noAuth` is "no auth" too;
//! - no schemes at all means no auth.

use serde_json::Value;

use crate::ir::AuthScheme;
use crate::model::{self, Model, ModelError, Shape};

/// Auth scheme definitions the runtime knows about or can name in an error.
const KNOWN: &[&str] = &[
    "aws.auth#cognitoUserPools",
    "aws.auth#sigv4",
    "aws.auth#sigv4a",
    "smithy.api#httpApiKeyAuth",
    "smithy.api#httpBasicAuth",
    "smithy.api#httpBearerAuth",
    "smithy.api#httpDigestAuth",
];

pub(crate) const NO_AUTH: &str = "smithy.api#noAuth";

/// Whether a trait applied to the service is an auth scheme definition (a known one, or a
/// trait the model defines with `@authDefinition`).
fn is_auth_definition(model: &Model, trait_id: &str) -> bool {
    KNOWN.contains(&trait_id) || model.shape(trait_id).is_some_and(|t| t.traits.has("smithy.api#authDefinition"))
}

/// The auth scheme traits applied to the service, in shape-ID order.
fn applied_schemes<'s>(model: &Model, service: &'s Shape) -> Vec<&'s str> {
    // BTreeMap keys: shape-ID order.
    service.traits.0.keys().map(String::as_str).filter(|id| is_auth_definition(model, id)).collect()
}

/// The service's schemes in order of preference, by trait id.
fn service_schemes(service: &Shape, applied: &[&str]) -> Result<Vec<String>, ModelError> {
    let Some(order) = service.traits.get("smithy.api#auth") else {
        return Ok(applied.iter().map(|id| (*id).to_owned()).collect());
    };
    let ids = id_list(order, &service.id)?;
    for id in &ids {
        if id != NO_AUTH && !applied.contains(&id.as_str()) {
            return Err(error(&service.id, format!("@auth names `{id}`, which is not an auth trait of the service")));
        }
    }
    Ok(ids)
}

fn id_list(value: &Value, shape: &str) -> Result<Vec<String>, ModelError> {
    let items = value.as_array().ok_or_else(|| error(shape, "@auth must be a list of shape ids".to_owned()))?;
    items
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| error(shape, "@auth must list shape ids".to_owned())))
        .collect()
}

fn error(shape: &str, message: String) -> ModelError {
    ModelError { shape: shape.to_owned(), member: None, pointer: None, message }
}

/// The operation's effective auth schemes. `signing_name`: the service's SigV4 signing name,
/// for `aws.auth#sigv4`/`sigv4a` traits without a `name`.
pub(crate) fn operation_schemes(
    model: &Model,
    service: &Shape,
    op: &Shape,
    signing_name: &str,
) -> Result<Vec<AuthScheme>, ModelError> {
    let applied = applied_schemes(model, service);
    let ids = match op.traits.get("smithy.api#auth") {
        Some(list) => {
            let ids = id_list(list, &op.id)?;
            if let Some(bad) = ids.iter().find(|id| *id != NO_AUTH && !applied.contains(&id.as_str())) {
                return Err(error(&op.id, format!("@auth names `{bad}`, which is not an auth scheme of the service")));
            }
            ids
        }
        None => service_schemes(service, &applied)?,
    };
    let mut schemes: Vec<AuthScheme> = ids.iter().map(|id| scheme(service, id, signing_name)).collect();
    if (op.traits.has("smithy.api#optionalAuth") || schemes.is_empty()) && !schemes.contains(&AuthScheme::NoAuth) {
        schemes.push(AuthScheme::NoAuth);
    }
    Ok(schemes)
}

fn scheme(service: &Shape, id: &str, signing_name: &str) -> AuthScheme {
    let name = || {
        service.traits.get(id).and_then(|t| t.get("name")).and_then(Value::as_str).unwrap_or(signing_name).to_owned()
    };
    match id {
        model::SIGV4 => AuthScheme::SigV4 { signing_name: name() },
        "aws.auth#sigv4a" => AuthScheme::SigV4a { signing_name: name() },
        "smithy.api#httpBearerAuth" => AuthScheme::HttpBearer,
        NO_AUTH => AuthScheme::NoAuth,
        other => AuthScheme::Unsupported(other.to_owned()),
    }
}

/// Whether the endpoint rules can return a `sigv4a` entry in an `authSchemes` property.
pub(crate) fn rules_use_sigv4a(rules: &Value) -> bool {
    match rules {
        Value::Object(map) => {
            let here = map
                .get("authSchemes")
                .and_then(Value::as_array)
                .is_some_and(|schemes| schemes.iter().any(|s| s.get("name").and_then(Value::as_str) == Some("sigv4a")));
            here || map.values().any(rules_use_sigv4a)
        }
        Value::Array(items) => items.iter().any(rules_use_sigv4a),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use serde_json::json;

    /// A model with one service (`traits`) and one operation `Op` (`op_traits`).
    fn schemes(traits: Value, op_traits: Value) -> Result<Vec<AuthScheme>, ModelError> {
        let model = json!({
            "smithy": "2.0",
            "shapes": {
                "ex#Svc": {"type": "service", "version": "1", "operations": [{"target": "ex#Op"}], "traits": traits},
                "ex#Op": {"type": "operation", "traits": op_traits}
            }
        })
        .to_string();
        let model = Model::load(&[Source { name: "m", text: &model }]).unwrap_or_else(|e| panic!("{e}"));
        let (service, op) = (model.shape("ex#Svc").unwrap(), model.shape("ex#Op").unwrap());
        operation_schemes(&model, service, op, "svc")
    }

    fn v4(name: &str) -> AuthScheme {
        AuthScheme::SigV4 { signing_name: name.into() }
    }

    #[test]
    fn service_schemes_in_shape_id_order_without_auth_trait() {
        let got = schemes(json!({"smithy.api#httpBearerAuth": {}, "aws.auth#sigv4": {"name": "n"}}), json!({}));
        assert_eq!(got.unwrap(), [v4("n"), AuthScheme::HttpBearer]);
    }

    #[test]
    fn auth_trait_orders_and_narrows() {
        let svc = json!({
            "smithy.api#httpBearerAuth": {},
            "aws.auth#sigv4": {"name": "n"},
            "aws.auth#sigv4a": {"name": "a"},
            "smithy.api#auth": ["aws.auth#sigv4a", "smithy.api#httpBearerAuth"]
        });
        let got = schemes(svc.clone(), json!({})).unwrap();
        assert_eq!(got, [AuthScheme::SigV4a { signing_name: "a".into() }, AuthScheme::HttpBearer]);
        // The operation may name any scheme applied to the service, even one the service's
        // @auth leaves out.
        assert_eq!(schemes(svc, json!({"smithy.api#auth": ["aws.auth#sigv4"]})).unwrap(), [v4("n")]);
    }

    #[test]
    fn no_auth_cases() {
        let svc = json!({"aws.auth#sigv4": {"name": "n"}});
        assert_eq!(schemes(svc.clone(), json!({"smithy.api#auth": []})).unwrap(), [AuthScheme::NoAuth]);
        assert_eq!(
            schemes(svc.clone(), json!({"smithy.api#auth": [], "smithy.api#optionalAuth": {}})).unwrap(),
            [AuthScheme::NoAuth]
        );
        assert_eq!(
            schemes(svc.clone(), json!({"smithy.api#optionalAuth": {}})).unwrap(),
            [v4("n"), AuthScheme::NoAuth]
        );
        assert_eq!(schemes(svc, json!({"smithy.api#auth": ["smithy.api#noAuth"]})).unwrap(), [AuthScheme::NoAuth]);
        assert_eq!(schemes(json!({}), json!({})).unwrap(), [AuthScheme::NoAuth], "a service without auth traits");
    }

    #[test]
    fn unsupported_and_invalid_schemes() {
        let svc = json!({"smithy.api#httpApiKeyAuth": {"name": "k", "in": "header"}});
        assert_eq!(
            schemes(svc.clone(), json!({})).unwrap(),
            [AuthScheme::Unsupported("smithy.api#httpApiKeyAuth".into())]
        );
        let e = schemes(svc, json!({"smithy.api#auth": ["aws.auth#sigv4"]})).unwrap_err();
        assert_eq!(e.shape, "ex#Op");
        assert!(e.message.contains("`aws.auth#sigv4`, which is not an auth scheme of the service"), "{e:?}");
        let e = schemes(json!({"smithy.api#auth": ["aws.auth#sigv4"]}), json!({})).unwrap_err();
        assert_eq!(e.shape, "ex#Svc");
    }

    #[test]
    fn finds_sigv4a_in_endpoint_rules() {
        let rules = json!({"rules": [{"endpoint": {"properties": {"authSchemes": [{"name": "sigv4a"}]}}}]});
        assert!(rules_use_sigv4a(&rules));
        let rules = json!({"rules": [{"endpoint": {"properties": {"authSchemes": [{"name": "sigv4"}]}}}]});
        assert!(!rules_use_sigv4a(&rules));
    }
}
