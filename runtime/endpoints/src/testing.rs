//! Running `smithy.rules#endpointTests` cases. Shared by this crate's tests and the
//! `cargo xtask conformance` runner.

use serde_json::Value as Json;

use crate::{Endpoint, Error, Params, RuleSet};

/// The trait holding a service's endpoint rule set.
pub const RULE_SET_TRAIT: &str = "smithy.rules#endpointRuleSet";
/// The trait holding a service's endpoint test cases.
pub const TESTS_TRAIT: &str = "smithy.rules#endpointTests";

/// A service shape of a Smithy JSON AST model that carries an endpoint rule set.
#[derive(Clone, Copy, Debug)]
pub struct ServiceRules<'m> {
    /// The service shape id.
    pub shape_id: &'m str,
    /// The `endpointRuleSet` trait value.
    pub rule_set: &'m Json,
    /// The `endpointTests` cases (empty when the trait is absent).
    pub test_cases: &'m [Json],
}

/// Every service shape of a Smithy JSON AST `model` that has an `endpointRuleSet` trait,
/// in shape-id order.
pub fn service_rules(model: &Json) -> Vec<ServiceRules<'_>> {
    let Some(shapes) = model.get("shapes").and_then(Json::as_object) else {
        return Vec::new();
    };
    let mut out: Vec<ServiceRules<'_>> = shapes
        .iter()
        .filter(|(_, shape)| shape.get("type").and_then(Json::as_str) == Some("service"))
        .filter_map(|(id, shape)| {
            let traits = shape.get("traits")?;
            let rule_set = traits.get(RULE_SET_TRAIT)?;
            let test_cases = traits
                .get(TESTS_TRAIT)
                .and_then(|t| t.get("testCases"))
                .and_then(Json::as_array)
                .map_or(&[][..], Vec::as_slice);
            Some(ServiceRules { shape_id: id, rule_set, test_cases })
        })
        .collect();
    out.sort_by(|a, b| a.shape_id.cmp(b.shape_id));
    out
}

/// Runs one endpoint test case (`{documentation, params, expect: {endpoint | error}}`)
/// against `rule_set`. `Err` explains the mismatch.
///
/// An expected endpoint matches when the URL is equal and the headers and properties are
/// equal as JSON (absent means empty). An expected error matches when an `error` rule
/// produced exactly that message.
///
/// # Errors
/// A description of the mismatch, or of a malformed test case.
pub fn run_test_case(rule_set: &RuleSet, case: &Json) -> Result<(), String> {
    let params = match case.get("params") {
        None | Some(Json::Null) => Params::new(),
        Some(p) => Params::from_json(p).map_err(|e| format!("bad test case: {e}"))?,
    };
    let expect = case.get("expect").ok_or_else(|| String::from("bad test case: no `expect`"))?;
    let actual = rule_set.resolve(&params);
    if let Some(expected) = expect.get("endpoint") {
        let endpoint = actual.map_err(|e| format!("expected an endpoint, got error: {e}"))?;
        compare_endpoint(&endpoint, expected)
    } else if let Some(expected) = expect.get("error") {
        let expected =
            expected.as_str().ok_or_else(|| String::from("bad test case: `expect.error` is not a string"))?;
        match actual {
            Err(Error::Rule(message)) if message == expected => Ok(()),
            Err(Error::Rule(message)) => Err(format!("expected error {expected:?}, got error {message:?}")),
            Err(other) => Err(format!("expected error {expected:?}, got a non-rule error: {other}")),
            Ok(endpoint) => Err(format!("expected error {expected:?}, got endpoint {}", endpoint.url)),
        }
    } else {
        Err(String::from("bad test case: `expect` has neither `endpoint` nor `error`"))
    }
}

fn compare_endpoint(actual: &Endpoint, expected: &Json) -> Result<(), String> {
    let url = expected
        .get("url")
        .and_then(Json::as_str)
        .ok_or_else(|| String::from("bad test case: `expect.endpoint.url` is not a string"))?;
    if actual.url != url {
        return Err(format!("url: expected {url:?}, got {:?}", actual.url));
    }
    let empty = Json::Object(serde_json::Map::new());
    let expected_headers = match expected.get("headers") {
        None | Some(Json::Null) => &empty,
        Some(h) => h,
    };
    let actual_headers = serde_json::to_value(&actual.headers).map_err(|e| e.to_string())?;
    if &actual_headers != expected_headers {
        return Err(format!("headers: expected {expected_headers}, got {actual_headers}"));
    }
    let expected_properties = match expected.get("properties") {
        None | Some(Json::Null) => &empty,
        Some(p) => p,
    };
    let actual_properties = Json::Object(actual.properties.clone());
    if &actual_properties != expected_properties {
        return Err(format!("properties: expected {expected_properties}, got {actual_properties}"));
    }
    Ok(())
}

/// A short id for a test case: its documentation, or its index.
pub fn case_id(service: &str, index: usize, case: &Json) -> String {
    let short = service.rsplit('#').next().unwrap_or(service);
    match case.get("documentation").and_then(Json::as_str) {
        Some(doc) => format!("{short}[{index}] {doc}"),
        None => format!("{short}[{index}]"),
    }
}
