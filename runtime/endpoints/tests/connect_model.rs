//! The endpoint rule set of our own Amazon Connect model (`model/connect.json`).

use std::path::PathBuf;

use awslim_endpoints::testing::{case_id, service_rules};
use awslim_endpoints::{run_test_case, Endpoint, Error, Params, RuleSet};

fn model() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../model/connect.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn rules() -> RuleSet {
    let model = model();
    let services = service_rules(&model);
    assert_eq!(services.len(), 1, "one service shape with an endpoint rule set");
    RuleSet::from_value(services[0].rule_set).unwrap_or_else(|e| panic!("{e}"))
}

fn params(region: Option<&str>, fips: bool, dual_stack: bool) -> Params {
    let mut p = Params::new().with("UseFIPS", fips).with("UseDualStack", dual_stack);
    if let Some(region) = region {
        p.set("Region", region);
    }
    p
}

fn url(rules: &RuleSet, p: &Params) -> String {
    match rules.resolve(p) {
        Ok(Endpoint { url, .. }) => url,
        Err(e) => panic!("{p:?}: {e}"),
    }
}

fn rule_error(rules: &RuleSet, p: &Params) -> String {
    match rules.resolve(p) {
        Err(Error::Rule(message)) => message,
        other => panic!("{p:?}: expected an error rule, got {other:?}"),
    }
}

#[test]
fn parameters_are_the_aws_built_ins() {
    let rules = rules();
    let built_in = |name: &str| rules.parameter(name).and_then(|p| p.built_in.clone()).unwrap_or_default();
    assert_eq!(built_in("Region"), "AWS::Region");
    assert_eq!(built_in("UseFIPS"), "AWS::UseFIPS");
    assert_eq!(built_in("UseDualStack"), "AWS::UseDualStack");
    assert_eq!(built_in("Endpoint"), "SDK::Endpoint");
}

#[test]
fn regional_endpoints() {
    let rules = rules();
    let cases = [
        (Some("us-west-2"), false, false, "https://connect.us-west-2.amazonaws.com"),
        (Some("us-east-1"), true, false, "https://connect-fips.us-east-1.amazonaws.com"),
        (Some("us-east-1"), false, true, "https://connect.us-east-1.api.aws"),
        (Some("us-east-1"), true, true, "https://connect-fips.us-east-1.api.aws"),
        (Some("cn-north-1"), false, false, "https://connect.cn-north-1.amazonaws.com.cn"),
        (Some("cn-north-1"), false, true, "https://connect.cn-north-1.api.amazonwebservices.com.cn"),
        (Some("us-gov-west-1"), false, false, "https://connect.us-gov-west-1.amazonaws.com"),
        // In GovCloud (US) the regional endpoint is already FIPS.
        (Some("us-gov-west-1"), true, false, "https://connect.us-gov-west-1.amazonaws.com"),
        (Some("us-iso-east-1"), false, false, "https://connect.us-iso-east-1.c2s.ic.gov"),
        (Some("us-iso-east-1"), true, false, "https://connect-fips.us-iso-east-1.c2s.ic.gov"),
        (Some("us-isob-east-1"), false, false, "https://connect.us-isob-east-1.sc2s.sgov.gov"),
    ];
    for (region, fips, ds, expected) in cases {
        assert_eq!(url(&rules, &params(region, fips, ds)), expected, "{region:?} fips={fips} ds={ds}");
    }
    // Defaults: UseFIPS and UseDualStack may be left unset.
    assert_eq!(url(&rules, &Params::new().with("Region", "eu-west-2")), "https://connect.eu-west-2.amazonaws.com");
}

#[test]
fn unsupported_partition_features_are_errors() {
    let rules = rules();
    let message = rule_error(&rules, &params(Some("us-iso-east-1"), false, true));
    assert!(message.to_lowercase().contains("dual-stack"), "{message}");
    let message = rule_error(&rules, &params(Some("us-isob-east-1"), true, true));
    assert!(message.contains("FIPS"), "{message}");
}

#[test]
fn custom_endpoint() {
    let rules = rules();
    let custom = |region: Option<&str>, fips: bool, ds: bool| {
        params(region, fips, ds).with("Endpoint", "https://connect.internal.example:8443")
    };
    assert_eq!(url(&rules, &custom(Some("us-east-1"), false, false)), "https://connect.internal.example:8443");
    assert_eq!(url(&rules, &custom(None, false, false)), "https://connect.internal.example:8443");
    let message = rule_error(&rules, &custom(Some("us-east-1"), true, false));
    assert!(message.contains("FIPS") && message.contains("custom endpoint"), "{message}");
    let message = rule_error(&rules, &custom(Some("us-east-1"), false, true));
    assert!(message.to_lowercase().contains("dual"), "{message}");
}

#[test]
fn missing_region() {
    let rules = rules();
    let message = rule_error(&rules, &params(None, false, false));
    assert!(message.contains("Region"), "{message}");
    let message = rule_error(&rules, &Params::new());
    assert!(message.contains("Region"), "{message}");
}

/// The model's own `smithy.rules#endpointTests` cases.
#[test]
fn model_endpoint_tests() {
    let model = model();
    let service = service_rules(&model).remove(0);
    let rules = RuleSet::from_value(service.rule_set).unwrap();
    assert!(!service.test_cases.is_empty(), "the model has endpoint tests");
    let failures: Vec<String> = service
        .test_cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| {
            run_test_case(&rules, case).err().map(|e| format!("{}: {e}", case_id(service.shape_id, i, case)))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}
