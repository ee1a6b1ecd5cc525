//! Every standard-library and AWS function, through a rule set written for these tests:
//! each case selects one rule by `Case` and reports the computed value as an error message.

use awslim_endpoints::{run_test_case, Error, Params, RuleSet};
use serde_json::json;

/// `{"fn": name, "argv": argv}`.
fn f(name: &str, argv: serde_json::Value) -> serde_json::Value {
    json!({ "fn": name, "argv": argv })
}

fn case_rule(case: &str, mut conditions: Vec<serde_json::Value>, message: &str) -> serde_json::Value {
    conditions.insert(0, f("stringEquals", json!([{ "ref": "Case" }, case])));
    json!({ "type": "error", "conditions": conditions, "error": message })
}

fn assign(mut call: serde_json::Value, name: &str) -> serde_json::Value {
    call["assign"] = json!(name);
    call
}

fn rules() -> RuleSet {
    let input = || json!({ "ref": "Input" });
    let rules = vec![
        case_rule("substring", vec![assign(f("substring", json!([input(), 1, 3, false])), "out")], "[{out}]"),
        case_rule("substring-rev", vec![assign(f("substring", json!([input(), 0, 2, true])), "out")], "[{out}]"),
        case_rule("uriEncode", vec![assign(f("uriEncode", json!([input()])), "out")], "[{out}]"),
        case_rule("hostLabel", vec![f("isValidHostLabel", json!([input(), false]))], "label"),
        case_rule("hostLabel", vec![f("isValidHostLabel", json!([input(), true]))], "dotted labels"),
        case_rule(
            "parseURL",
            vec![assign(f("parseURL", json!(["{Input}"])), "u")],
            "{u#scheme}|{u#authority}|{u#path}|{u#normalizedPath}",
        ),
        case_rule(
            "isIp",
            vec![
                assign(f("parseURL", json!([input()])), "u"),
                f("booleanEquals", json!([f("getAttr", json!([{ "ref": "u" }, "isIp"])), true])),
            ],
            "ip",
        ),
        case_rule(
            "split",
            vec![
                assign(f("split", json!([input(), ",", 0])), "parts"),
                assign(f("getAttr", json!([{ "ref": "parts" }, "[1]"])), "second"),
            ],
            "second={second} first={parts#[0]}",
        ),
        case_rule("split2", vec![assign(f("split", json!([input(), ",", 2])), "parts")], "{parts#[0]}/{parts#[1]}"),
        case_rule(
            "parseArn",
            vec![assign(f("aws.parseArn", json!([input()])), "arn")],
            "{arn#partition}|{arn#service}|{arn#region}|{arn#accountId}|{arn#resourceId[0]}|{arn#resourceId[1]}",
        ),
        case_rule("s3", vec![f("aws.isVirtualHostableS3Bucket", json!([input(), false]))], "virtual"),
        case_rule("s3", vec![f("aws.isVirtualHostableS3Bucket", json!([input(), true]))], "virtual with dots"),
        case_rule(
            "partition",
            vec![assign(f("aws.partition", json!([input()])), "p")],
            "{p#name} {p#dnsSuffix} {p#dualStackDnsSuffix} {p#implicitGlobalRegion}",
        ),
        case_rule("ite", vec![assign(f("ite", json!([{ "ref": "Flag" }, "on", "off"])), "x")], "{x}"),
        case_rule("not", vec![f("not", json!([f("booleanEquals", json!([{ "ref": "Flag" }, true]))]))], "flag is off"),
        case_rule(
            "coalesce",
            vec![assign(f("coalesce", json!([{ "ref": "Optional" }, { "ref": "Optional" }, input()])), "x")],
            "{x}",
        ),
        case_rule(
            "array",
            vec![f("isSet", json!([{ "ref": "Tags" }])), assign(f("getAttr", json!([{ "ref": "Tags" }, "[1]"])), "t")],
            "second tag {t}",
        ),
        case_rule("array", vec![], "fewer than two tags"),
        case_rule("escape", vec![], "{{literal}} and {Input} and }}"),
        case_rule("nested-getAttr", vec![assign(f("aws.parseArn", json!([input()])), "arn")], "{arn#resourceId[2]}"),
        json!({
            "type": "tree",
            "conditions": [ f("stringEquals", json!([{ "ref": "Case" }, "dead-end"])) ],
            "rules": [ { "type": "error", "conditions": [ f("booleanEquals", json!([{ "ref": "Flag" }, true])) ], "error": "unreachable" } ]
        }),
        json!({ "type": "error", "conditions": [], "error": "no case {Case}" }),
    ];
    let rule_set = json!({
        "version": "1.3",
        "parameters": {
            "Case": { "type": "String", "required": true },
            "Input": { "type": "String", "required": true, "default": "" },
            "Optional": { "type": "String" },
            "Flag": { "type": "Boolean", "required": true, "default": false },
            "Tags": { "type": "StringArray" }
        },
        "rules": rules
    });
    RuleSet::from_value(&rule_set).unwrap_or_else(|e| panic!("{e}"))
}

/// Resolves `case` with `input` and returns the error message.
fn eval(case: &str, input: &str) -> String {
    eval_with(Params::new().with("Case", case).with("Input", input))
}

fn eval_with(params: Params) -> String {
    match rules().resolve(&params) {
        Err(Error::Rule(message)) => message,
        other => panic!("{params:?}: {other:?}"),
    }
}

#[test]
fn substring() {
    assert_eq!(eval("substring", "abcdef"), "[bc]");
    assert_eq!(eval("substring", "abc"), "[bc]");
    assert_eq!(eval("substring", "ab"), "no case substring");
    assert_eq!(eval("substring", "a\u{e9}cd"), "no case substring");
    assert_eq!(eval("substring-rev", "abcdef"), "[ef]");
}

#[test]
fn uri_encode() {
    assert_eq!(eval("uriEncode", "a b/c?d=e&f~g_h.i-j"), "[a%20b%2Fc%3Fd%3De%26f~g_h.i-j]");
    assert_eq!(eval("uriEncode", "\u{e9}"), "[%C3%A9]");
}

#[test]
fn is_valid_host_label() {
    assert_eq!(eval("hostLabel", "bucket-1"), "label");
    assert_eq!(eval("hostLabel", "a.b.c"), "dotted labels");
    assert_eq!(eval("hostLabel", "a..c"), "no case hostLabel");
    assert_eq!(eval("hostLabel", "-a"), "no case hostLabel");
    assert_eq!(eval("hostLabel", "a_b"), "no case hostLabel");
}

#[test]
fn parse_url() {
    assert_eq!(eval("parseURL", "https://example.com"), "https|example.com||/");
    assert_eq!(eval("parseURL", "http://example.com:80/a/b"), "http|example.com:80|/a/b|/a/b/");
    assert_eq!(eval("parseURL", "https://[::1]:8443/x/"), "https|[::1]:8443|/x/|/x/");
    assert_eq!(eval("parseURL", "https://example.com/?a=b"), "no case parseURL");
    assert_eq!(eval("parseURL", "file:///etc/passwd"), "no case parseURL");
    assert_eq!(eval("parseURL", "https://example.com:port"), "no case parseURL");
    assert_eq!(eval("isIp", "https://127.0.0.1:1/"), "ip");
    assert_eq!(eval("isIp", "https://[2001:db8::1]"), "ip");
    assert_eq!(eval("isIp", "https://example.com"), "no case isIp");
    assert_eq!(eval("isIp", "https://1.2.3.4.5"), "no case isIp");
}

#[test]
fn split_and_get_attr() {
    assert_eq!(eval("split", "a,b,c"), "second=b first=a");
    assert_eq!(eval("split", ",x"), "second=x first=");
    // Index out of range: getAttr yields nothing, so the condition fails.
    assert_eq!(eval("split", "only"), "no case split");
    assert_eq!(eval("split2", "a,b,c"), "a/b,c");
}

#[test]
fn parse_arn() {
    assert_eq!(
        eval("parseArn", "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/my-ap"),
        "aws-cn|s3|cn-north-1|123456789012|accesspoint|my-ap"
    );
    assert_eq!(eval("parseArn", "arn:aws:iam:::role:admin"), "aws|iam|||role|admin");
    assert_eq!(eval("parseArn", "arn:aws:s3:::"), "no case parseArn");
    assert_eq!(eval("parseArn", "not-an-arn"), "no case parseArn");
    // A path segment that does not exist makes the template fail, not panic.
    let e =
        rules().resolve(&Params::new().with("Case", "nested-getAttr").with("Input", "arn:aws:s3:::a/b")).unwrap_err();
    assert!(matches!(e, Error::Evaluation { .. }), "{e}");
}

#[test]
fn is_virtual_hostable_s3_bucket() {
    assert_eq!(eval("s3", "my-bucket"), "virtual");
    assert_eq!(eval("s3", "my.bucket"), "virtual with dots");
    assert_eq!(eval("s3", "My-Bucket"), "no case s3");
    assert_eq!(eval("s3", "ab"), "no case s3");
    assert_eq!(eval("s3", "10.1.2.3"), "no case s3");
    assert_eq!(eval("s3", "bucket-"), "no case s3");
}

#[test]
fn aws_partition() {
    assert_eq!(eval("partition", "us-east-2"), "aws amazonaws.com api.aws us-east-1");
    assert_eq!(
        eval("partition", "cn-northwest-1"),
        "aws-cn amazonaws.com.cn api.amazonwebservices.com.cn cn-northwest-1"
    );
    assert_eq!(eval("partition", "us-gov-east-1"), "aws-us-gov amazonaws.com api.aws us-gov-west-1");
    assert_eq!(eval("partition", "us-iso-west-1"), "aws-iso c2s.ic.gov c2s.ic.gov us-iso-east-1");
    assert_eq!(eval("partition", "us-isob-west-9"), "aws-iso-b sc2s.sgov.gov sc2s.sgov.gov us-isob-east-1");
    assert_eq!(eval("partition", "eu-isoe-west-1"), "aws-iso-e cloud.adc-e.uk cloud.adc-e.uk eu-isoe-west-1");
    assert_eq!(eval("partition", "us-isof-east-1"), "aws-iso-f csp.hci.ic.gov csp.hci.ic.gov us-isof-south-1");
    assert_eq!(eval("partition", "eusc-de-east-1"), "aws-eusc amazonaws.eu amazonaws.eu eusc-de-east-1");
    assert_eq!(
        eval("partition", "aws-cn-global"),
        "aws-cn amazonaws.com.cn api.amazonwebservices.com.cn cn-northwest-1"
    );
    assert_eq!(eval("partition", "moon-base-1"), "aws amazonaws.com api.aws us-east-1");
}

#[test]
fn ite_not_coalesce_is_set() {
    assert_eq!(eval_with(Params::new().with("Case", "ite").with("Flag", true)), "on");
    assert_eq!(eval("ite", ""), "off");
    assert_eq!(eval("not", ""), "flag is off");
    assert_eq!(eval_with(Params::new().with("Case", "not").with("Flag", true)), "no case not");
    assert_eq!(eval("coalesce", "fallback"), "fallback");
    assert_eq!(eval_with(Params::new().with("Case", "coalesce").with("Optional", "set")), "set");
}

#[test]
fn string_arrays() {
    let tags = |t: &[&str]| Params::new().with("Case", "array").with("Tags", t);
    assert_eq!(eval_with(tags(&["a", "b"])), "second tag b");
    assert_eq!(eval_with(tags(&["a"])), "fewer than two tags");
    assert_eq!(eval("array", ""), "fewer than two tags");
}

#[test]
fn template_escapes() {
    assert_eq!(eval("escape", "x"), "{literal} and x and }");
}

#[test]
fn tree_without_a_match_is_terminal() {
    let e = rules().resolve(&Params::new().with("Case", "dead-end")).unwrap_err();
    assert!(matches!(&e, Error::NoMatch { at } if at == "rules[20].rules"), "{e:?}");
    assert!(e.to_string().contains("no endpoint rule matched"));
}

#[test]
fn missing_required_parameter() {
    let e = rules().resolve(&Params::new()).unwrap_err();
    assert_eq!(e.to_string(), "invalid endpoint parameter `Case`: required but not set, and it has no default");
}

#[test]
fn runner_accepts_error_cases() {
    let case = json!({ "params": { "Case": "split", "Input": "x,y" }, "expect": { "error": "second=y first=x" } });
    run_test_case(&rules(), &case).unwrap();
}
