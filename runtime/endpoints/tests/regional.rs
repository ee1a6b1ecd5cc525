//! An AWS-style regional rule set written for these tests: custom endpoint, FIPS,
//! dual-stack, every partition, properties and headers.

use awslim_endpoints::{run_test_case, Error, Params, RuleSet, Value};
use serde_json::json;

pub fn widgets() -> RuleSet {
    let rules = json!({
        "version": "1.0",
        "parameters": {
            "Region": { "type": "String", "builtIn": "AWS::Region", "documentation": "Region." },
            "UseFIPS": { "type": "Boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false },
            "UseDualStack": { "type": "Boolean", "builtIn": "AWS::UseDualStack", "required": true, "default": false },
            "Endpoint": { "type": "String", "builtIn": "SDK::Endpoint" },
            "Stage": { "type": "string", "required": true, "default": "prod" }
        },
        "rules": [
            {
                "type": "tree",
                "conditions": [ { "fn": "isSet", "argv": [ { "ref": "Endpoint" } ] } ],
                "rules": [
                    { "type": "error",
                      "conditions": [ { "fn": "booleanEquals", "argv": [ { "ref": "UseFIPS" }, true ] } ],
                      "error": "a custom endpoint cannot be combined with FIPS" },
                    { "type": "error",
                      "conditions": [ { "fn": "booleanEquals", "argv": [ true, { "ref": "UseDualStack" } ] } ],
                      "error": "a custom endpoint cannot be combined with dual-stack" },
                    { "type": "endpoint",
                      "conditions": [
                          { "fn": "parseURL", "argv": [ { "ref": "Endpoint" } ], "assign": "url" },
                          { "fn": "coalesce", "argv": [ { "ref": "Region" }, "us-east-1" ], "assign": "signingRegion" }
                      ],
                      "endpoint": {
                          "url": "{url#scheme}://{url#authority}{url#normalizedPath}{Stage}",
                          "properties": { "authSchemes": [ { "name": "sigv4", "signingName": "widgets", "signingRegion": "{signingRegion}" } ] }
                      } },
                    { "type": "error", "conditions": [], "error": "`{Endpoint}` is not a usable endpoint URL" }
                ]
            },
            {
                "type": "tree",
                "conditions": [ { "fn": "isSet", "argv": [ { "ref": "Region" } ] } ],
                "rules": [
                    { "type": "error",
                      "conditions": [ { "fn": "not", "argv": [ { "fn": "isValidHostLabel", "argv": [ { "ref": "Region" }, false ] } ] } ],
                      "error": "`{Region}` is not a valid Region" },
                    {
                        "type": "tree",
                        "conditions": [ { "fn": "aws.partition", "argv": [ "{Region}" ], "assign": "p" } ],
                        "rules": [
                            { "type": "tree",
                              "conditions": [
                                  { "fn": "booleanEquals", "argv": [ { "ref": "UseFIPS" }, true ] },
                                  { "fn": "booleanEquals", "argv": [ { "ref": "UseDualStack" }, true ] }
                              ],
                              "rules": [
                                  { "type": "endpoint",
                                    "conditions": [
                                        { "fn": "getAttr", "argv": [ { "ref": "p" }, "supportsFIPS" ] },
                                        { "fn": "booleanEquals", "argv": [ { "fn": "getAttr", "argv": [ { "ref": "p" }, "supportsDualStack" ] }, true ] }
                                    ],
                                    "endpoint": { "url": "https://widgets-fips.{Region}.{p#dualStackDnsSuffix}" } },
                                  { "type": "error", "conditions": [], "error": "{p#name} cannot do FIPS with dual-stack" }
                              ] },
                            { "type": "tree",
                              "conditions": [ { "fn": "booleanEquals", "argv": [ { "ref": "UseFIPS" }, true ] } ],
                              "rules": [
                                  { "type": "endpoint",
                                    "conditions": [ { "fn": "booleanEquals", "argv": [ { "fn": "getAttr", "argv": [ { "ref": "p" }, "supportsFIPS" ] }, true ] } ],
                                    "endpoint": { "url": "https://widgets-fips.{Region}.{p#dnsSuffix}" } },
                                  { "type": "error", "conditions": [], "error": "{p#name} has no FIPS endpoints" }
                              ] },
                            { "type": "tree",
                              "conditions": [ { "fn": "booleanEquals", "argv": [ { "ref": "UseDualStack" }, true ] } ],
                              "rules": [
                                  { "type": "endpoint",
                                    "conditions": [ { "fn": "booleanEquals", "argv": [ { "fn": "getAttr", "argv": [ { "ref": "p" }, "supportsDualStack" ] }, true ] } ],
                                    "endpoint": { "url": "https://widgets.{Region}.{p#dualStackDnsSuffix}" } },
                                  { "type": "error", "conditions": [], "error": "{p#name} has no dual-stack endpoints" }
                              ] },
                            { "type": "endpoint",
                              "conditions": [],
                              "endpoint": {
                                  "url": "https://widgets.{Region}.{p#dnsSuffix}",
                                  "properties": {
                                      "authSchemes": [ { "name": "sigv4", "signingName": "widgets", "signingRegion": "{Region}", "disableDoubleEncoding": true } ],
                                      "globalRegion": "{p#implicitGlobalRegion}"
                                  },
                                  "headers": { "x-widgets-partition": [ "{p#name}" ], "x-widgets-stage": [ "{Stage}", "v1" ] }
                              } }
                        ]
                    }
                ]
            },
            { "type": "error", "conditions": [], "error": "a Region or a custom endpoint is required" }
        ]
    });
    RuleSet::from_value(&rules).expect("the widgets rule set parses")
}

fn url(params: serde_json::Value) -> String {
    let params = Params::from_json(&params).unwrap();
    match widgets().resolve(&params) {
        Ok(e) => e.url,
        Err(e) => panic!("{params:?}: {e}"),
    }
}

fn error(params: serde_json::Value) -> String {
    let params = Params::from_json(&params).unwrap();
    match widgets().resolve(&params) {
        Ok(e) => panic!("{params:?}: expected an error, got {}", e.url),
        Err(e) => e.to_string(),
    }
}

#[test]
fn regional_endpoints_in_every_partition() {
    let cases = [
        ("us-west-2", "https://widgets.us-west-2.amazonaws.com"),
        ("eu-central-1", "https://widgets.eu-central-1.amazonaws.com"),
        ("ap-southeast-4", "https://widgets.ap-southeast-4.amazonaws.com"),
        ("cn-north-1", "https://widgets.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "https://widgets.us-gov-west-1.amazonaws.com"),
        ("us-iso-east-1", "https://widgets.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", "https://widgets.us-isob-east-1.sc2s.sgov.gov"),
        ("eu-isoe-west-1", "https://widgets.eu-isoe-west-1.cloud.adc-e.uk"),
        ("us-isof-south-1", "https://widgets.us-isof-south-1.csp.hci.ic.gov"),
        ("eusc-de-east-1", "https://widgets.eusc-de-east-1.amazonaws.eu"),
        ("unknown-region", "https://widgets.unknown-region.amazonaws.com"),
    ];
    for (region, expected) in cases {
        assert_eq!(url(json!({ "Region": region })), expected, "{region}");
    }
}

#[test]
fn fips_and_dual_stack() {
    let r = |region: &str, fips: bool, ds: bool| json!({ "Region": region, "UseFIPS": fips, "UseDualStack": ds });
    assert_eq!(url(r("us-east-1", true, false)), "https://widgets-fips.us-east-1.amazonaws.com");
    assert_eq!(url(r("us-east-1", false, true)), "https://widgets.us-east-1.api.aws");
    assert_eq!(url(r("us-east-1", true, true)), "https://widgets-fips.us-east-1.api.aws");
    assert_eq!(
        url(r("cn-northwest-1", true, true)),
        "https://widgets-fips.cn-northwest-1.api.amazonwebservices.com.cn"
    );
    assert_eq!(url(r("us-iso-west-1", true, false)), "https://widgets-fips.us-iso-west-1.c2s.ic.gov");
    assert_eq!(error(r("us-iso-west-1", false, true)), "aws-iso has no dual-stack endpoints");
    assert_eq!(error(r("us-isob-east-1", true, true)), "aws-iso-b cannot do FIPS with dual-stack");
    assert_eq!(error(r("eusc-de-east-1", false, true)), "aws-eusc has no dual-stack endpoints");
}

#[test]
fn properties_and_headers() {
    let e = widgets().resolve(&Params::new().with("Region", "us-gov-east-1").with("Stage", "beta")).unwrap();
    assert_eq!(e.url, "https://widgets.us-gov-east-1.amazonaws.com");
    assert_eq!(
        serde_json::Value::Object(e.properties),
        json!({
            "authSchemes": [ { "name": "sigv4", "signingName": "widgets", "signingRegion": "us-gov-east-1", "disableDoubleEncoding": true } ],
            "globalRegion": "us-gov-west-1"
        })
    );
    assert_eq!(e.headers["x-widgets-partition"], ["aws-us-gov"]);
    assert_eq!(e.headers["x-widgets-stage"], ["beta", "v1"]);
}

#[test]
fn custom_endpoint() {
    assert_eq!(url(json!({ "Endpoint": "https://localhost:8443/base" })), "https://localhost:8443/base/prod");
    assert_eq!(url(json!({ "Endpoint": "http://10.0.0.7", "Region": "eu-west-1", "Stage": "x" })), "http://10.0.0.7/x");
    let e = widgets().resolve(&Params::new().with("Endpoint", "https://example.com/")).unwrap();
    assert_eq!(e.properties["authSchemes"][0]["signingRegion"], "us-east-1");
    assert_eq!(
        error(json!({ "Endpoint": "https://example.com", "UseFIPS": true })),
        "a custom endpoint cannot be combined with FIPS"
    );
    assert_eq!(
        error(json!({ "Endpoint": "https://example.com", "UseDualStack": true })),
        "a custom endpoint cannot be combined with dual-stack"
    );
    assert_eq!(error(json!({ "Endpoint": "ftp://example.com" })), "`ftp://example.com` is not a usable endpoint URL");
    assert_eq!(
        error(json!({ "Endpoint": "https://example.com/?q=1" })),
        "`https://example.com/?q=1` is not a usable endpoint URL"
    );
}

#[test]
fn rule_errors() {
    assert_eq!(error(json!({})), "a Region or a custom endpoint is required");
    assert_eq!(error(json!({ "Region": "us-east-1.evil.com" })), "`us-east-1.evil.com` is not a valid Region");
    let e = widgets().resolve(&Params::new()).unwrap_err();
    assert_eq!(e.rule_message(), Some("a Region or a custom endpoint is required"));
}

#[test]
fn parameter_errors() {
    let rules = widgets();
    let e = rules.resolve(&Params::new().with("Regoin", "us-east-1")).unwrap_err();
    assert!(matches!(&e, Error::InvalidParams { name, .. } if name == "Regoin"), "{e}");
    let e = rules.resolve(&Params::new().with("UseFIPS", "yes")).unwrap_err();
    assert_eq!(e.to_string(), "invalid endpoint parameter `UseFIPS`: expected a Boolean, got a String");
    let e = rules.resolve(&Params::new().with("Region", Value::StringArray(vec![]))).unwrap_err();
    assert!(matches!(e, Error::InvalidParams { .. }));
}

#[test]
fn parameters_are_exposed() {
    let rules = widgets();
    let names: Vec<&str> = rules.parameters().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), 5);
    let fips = rules.parameter("UseFIPS").unwrap();
    assert_eq!(fips.built_in.as_deref(), Some("AWS::UseFIPS"));
    assert!(fips.required);
    assert_eq!(fips.default, Some(Value::Bool(false)));
    let region = rules.parameter("Region").unwrap();
    assert_eq!(region.documentation.as_deref(), Some("Region."));
    assert!(!region.required);
    assert_eq!(rules.parameter("Stage").unwrap().default, Some(Value::from("prod")));
    assert_eq!(rules.version(), "1.0");
}

#[test]
fn test_case_runner() {
    let rules = widgets();
    let pass = [
        json!({ "params": { "Region": "us-east-1" }, "expect": { "endpoint": {
            "url": "https://widgets.us-east-1.amazonaws.com",
            "properties": { "authSchemes": [ { "name": "sigv4", "signingName": "widgets", "signingRegion": "us-east-1", "disableDoubleEncoding": true } ], "globalRegion": "us-east-1" },
            "headers": { "x-widgets-partition": [ "aws" ], "x-widgets-stage": [ "prod", "v1" ] } } } }),
        json!({ "params": { "Region": "us-iso-east-1", "UseDualStack": true },
                "expect": { "error": "aws-iso has no dual-stack endpoints" } }),
        json!({ "expect": { "error": "a Region or a custom endpoint is required" } }),
    ];
    for case in &pass {
        run_test_case(&rules, case).unwrap();
    }
    let fail = [
        // Properties and headers are compared, not only the URL.
        json!({ "params": { "Region": "us-east-1" }, "expect": { "endpoint": { "url": "https://widgets.us-east-1.amazonaws.com" } } }),
        json!({ "params": { "Region": "us-east-1" }, "expect": { "error": "nope" } }),
        json!({ "expect": { "error": "a Region or a custom endpoint is required!" } }),
        json!({ "params": { "Region": 7 }, "expect": { "error": "x" } }),
        json!({ "params": {} }),
    ];
    for case in &fail {
        assert!(run_test_case(&rules, case).is_err(), "{case}");
    }
}

#[test]
fn shared_across_threads() {
    let rules = std::sync::Arc::new(widgets());
    let handles: Vec<_> = ["us-east-1", "cn-north-1"]
        .into_iter()
        .map(|region| {
            let rules = rules.clone();
            std::thread::spawn(move || rules.resolve(&Params::new().with("Region", region)).unwrap().url)
        })
        .collect();
    let urls: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(urls, ["https://widgets.us-east-1.amazonaws.com", "https://widgets.cn-north-1.amazonaws.com.cn"]);
}

#[test]
fn built_ins_are_bound_by_name() {
    let rules = widgets();
    let mut params = Params::new().with("UseFIPS", true);
    let mut asked = Vec::new();
    rules.bind_built_ins(&mut params, |name| {
        asked.push(name.to_owned());
        match name {
            "AWS::Region" => Some(Value::from("eu-west-1")),
            "AWS::UseFIPS" => Some(Value::Bool(false)),
            _ => None,
        }
    });
    asked.sort();
    // UseFIPS was already set, so only the other three built-ins are asked for.
    assert_eq!(asked, ["AWS::Region", "AWS::UseDualStack", "SDK::Endpoint"]);
    assert_eq!(params.get("Region"), Some(&Value::from("eu-west-1")));
    assert_eq!(params.get("UseFIPS"), Some(&Value::Bool(true)));
    assert_eq!(params.get("Endpoint"), None);
    assert_eq!(rules.resolve(&params).unwrap().url, "https://widgets-fips.eu-west-1.amazonaws.com");
}
