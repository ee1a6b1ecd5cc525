//! Malformed rule sets are errors that name the JSON location; nothing panics.

use awslim_endpoints::{Error, Params, RuleSet};
use serde_json::{json, Value};

fn parse_error(v: Value) -> (String, String) {
    match RuleSet::from_value(&v) {
        Err(Error::InvalidRuleSet { at, message }) => (at, message),
        Err(other) => panic!("unexpected error kind: {other:?}"),
        Ok(_) => panic!("{v} parsed"),
    }
}

fn with_rules(rules: Value) -> Value {
    json!({
        "version": "1.0",
        "parameters": { "Region": { "type": "String" }, "Flag": { "type": "Boolean", "required": true, "default": false } },
        "rules": rules
    })
}

#[test]
fn errors_name_the_location() {
    let cases = [
        (json!([]), "$", "must be an object"),
        (json!({ "rules": [] }), "version", "missing"),
        (json!({ "version": 1, "rules": [] }), "version", "expected a string"),
        (json!({ "version": "1.0" }), "rules", "missing"),
        (json!({ "version": "1.0", "rules": {} }), "rules", "expected an array"),
        (
            json!({ "version": "1.0", "parameters": { "P": { "type": "Integer" } }, "rules": [] }),
            "parameters.P.type",
            "unknown parameter type `Integer`",
        ),
        (
            json!({ "version": "1.0", "parameters": { "P": { "type": "Boolean", "default": "yes" } }, "rules": [] }),
            "parameters.P.default",
            "expected a Boolean default",
        ),
        (
            json!({ "version": "1.0", "parameters": { "P": { "type": "String", "required": "no" } }, "rules": [] }),
            "parameters.P.required",
            "expected a boolean",
        ),
        (with_rules(json!([5])), "rules[0]", "must be an object"),
        (with_rules(json!([ { "conditions": [] } ])), "rules[0].type", "missing"),
        (with_rules(json!([ { "type": "redirect", "conditions": [] } ])), "rules[0].type", "unknown rule type"),
        (with_rules(json!([ { "type": "endpoint", "conditions": [] } ])), "rules[0].endpoint", "missing"),
        (
            with_rules(json!([ { "type": "endpoint", "conditions": [], "endpoint": {} } ])),
            "rules[0].endpoint.url",
            "missing",
        ),
        (with_rules(json!([ { "type": "tree", "conditions": [] } ])), "rules[0].rules", "missing"),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "frobnicate", "argv": [] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].fn",
            "unknown function `frobnicate`",
        ),
        (
            with_rules(json!([ { "type": "error", "conditions": [ { "fn": "isSet", "argv": [] } ], "error": "x" } ])),
            "rules[0].conditions[0].argv",
            "`isSet` takes 1 argument, got 0",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "substring", "argv": [ "a", 1, 2 ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv",
            "`substring` takes 4 arguments, got 3",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "isSet", "argv": [ { "ref": "Regoin" } ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[0].ref",
            "`Regoin` is not a parameter",
        ),
        (
            with_rules(json!([ { "type": "error", "conditions": [], "error": "in {Nope}" } ])),
            "rules[0].error",
            "references `Nope`",
        ),
        (
            with_rules(json!([ { "type": "error", "conditions": [], "error": "in {Region" } ])),
            "rules[0].error",
            "unclosed `{`",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "getAttr", "argv": [ { "ref": "Region" }, "a[x]" ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[1]",
            "bad index",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "getAttr", "argv": [ { "ref": "Region" }, { "ref": "Region" } ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[1]",
            "literal strings",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "booleanEquals", "argv": [ { "ref": "Flag" }, "true" ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[1]",
            "must be a boolean",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "isSet", "argv": [ null ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[0]",
            "null",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "isSet", "argv": [ 1.5 ] } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].argv[0]",
            "integers",
        ),
        (
            with_rules(json!([ { "type": "error", "conditions": [ { "ref": "Flag" } ], "error": "x" } ])),
            "rules[0].conditions[0]",
            "function call",
        ),
        (
            with_rules(
                json!([ { "type": "error", "conditions": [ { "fn": "isSet", "argv": [ { "ref": "Region" } ], "assign": "a b" } ], "error": "x" } ]),
            ),
            "rules[0].conditions[0].assign",
            "not a valid identifier",
        ),
        (
            with_rules(
                json!([ { "type": "endpoint", "conditions": [], "endpoint": { "url": "https://x", "headers": { "h": "v" } } } ]),
            ),
            "rules[0].endpoint.headers.h",
            "expected an array",
        ),
    ];
    for (json, at, fragment) in cases {
        let (actual_at, message) = parse_error(json.clone());
        assert_eq!(actual_at, at, "{json}: {message}");
        assert!(message.contains(fragment), "{json}: {message:?} lacks {fragment:?}");
    }
}

#[test]
fn assignments_are_scoped_to_their_rule() {
    // `p` is assigned in the first rule; the second (a sibling) cannot see it.
    let (at, message) = parse_error(with_rules(json!([
        { "type": "error", "conditions": [ { "fn": "aws.partition", "argv": [ "x" ], "assign": "p" } ], "error": "{p#name}" },
        { "type": "error", "conditions": [], "error": "{p#name}" }
    ])));
    assert_eq!(at, "rules[1].error");
    assert!(message.contains("`p`"), "{message}");
    // A condition cannot use its own assignment, only later ones can.
    let (at, _) = parse_error(with_rules(json!([
        { "type": "error", "conditions": [ { "fn": "coalesce", "argv": [ { "ref": "q" } ], "assign": "q" } ], "error": "x" }
    ])));
    assert_eq!(at, "rules[0].conditions[0].argv[0].ref");
}

#[test]
fn display_is_clear() {
    let e = RuleSet::from_json("{ not json").unwrap_err();
    assert!(e.to_string().starts_with("invalid endpoint rule set at `$`: not valid JSON"), "{e}");
    let (at, message) = parse_error(with_rules(json!([ { "type": "nope" } ])));
    let e = Error::InvalidRuleSet { at, message };
    assert_eq!(
        e.to_string(),
        "invalid endpoint rule set at `rules[0].type`: unknown rule type `nope` (expected endpoint, error or tree)"
    );
}

#[test]
fn runtime_type_errors_are_errors() {
    // `coalesce` of a string and a boolean hides the type from the parser, so `not` of it
    // fails at evaluation (when Region is set), with the location.
    let rules = RuleSet::from_value(&with_rules(json!([
        { "type": "error",
          "conditions": [ { "fn": "not", "argv": [ { "fn": "coalesce", "argv": [ { "ref": "Region" }, true ] } ] } ],
          "error": "x" },
        { "type": "endpoint", "conditions": [], "endpoint": { "url": { "ref": "Flag" } } }
    ])))
    .unwrap();
    let e = rules.resolve(&Params::new().with("Region", "r")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "endpoint rule evaluation failed at `rules[0].conditions[0]`: argument 1 of `not` must be a boolean, got a string"
    );
    let e = rules.resolve(&Params::new()).unwrap_err();
    assert!(matches!(&e, Error::Evaluation { at, .. } if at == "rules[1].endpoint.url"), "{e:?}");
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let mut rule = json!({ "type": "error", "conditions": [], "error": "deep" });
    for _ in 0..200 {
        rule = json!({ "type": "tree", "conditions": [], "rules": [ rule ] });
    }
    let (_, message) = parse_error(with_rules(json!([rule])));
    assert!(message.contains("nested too deeply"));
    let mut e = json!({ "ref": "Flag" });
    for _ in 0..200 {
        e = json!({ "fn": "not", "argv": [ e ] });
    }
    let (_, message) = parse_error(with_rules(json!([ { "type": "error", "conditions": [ e ], "error": "x" } ])));
    assert!(message.contains("nested too deeply"));
}

/// Every node of a valid rule set replaced, in turn, by values of every other JSON type:
/// parsing and (when it parses) resolving must return, never panic.
#[test]
fn mutations_never_panic() {
    let base = with_rules(json!([
        { "type": "tree",
          "conditions": [
              { "fn": "isSet", "argv": [ { "ref": "Region" } ] },
              { "fn": "aws.partition", "argv": [ { "ref": "Region" } ], "assign": "p" },
              { "fn": "substring", "argv": [ "{Region}", 0, 2, false ], "assign": "s" },
              { "fn": "split", "argv": [ "{Region}", "-", 0 ], "assign": "parts" }
          ],
          "rules": [
              { "type": "endpoint",
                "conditions": [ { "fn": "booleanEquals", "argv": [ { "ref": "Flag" }, { "fn": "getAttr", "argv": [ { "ref": "p" }, "supportsFIPS" ] } ] } ],
                "endpoint": { "url": "https://{s}.{parts#[1]}.{p#dnsSuffix}", "properties": { "a": [ { "b": "{Region}" } ], "c": true }, "headers": { "h": [ "{p#name}" ] } } },
              { "type": "error", "conditions": [ { "fn": "parseURL", "argv": [ "{Region}" ], "assign": "u" } ], "error": "{u#authority}" },
              { "type": "error", "conditions": [ { "fn": "ite", "argv": [ { "ref": "Flag" }, "a", "b" ], "assign": "i" } ], "error": "{i}" }
          ] },
        { "type": "error", "conditions": [], "error": "none" }
    ]));
    let replacements = [
        Value::Null,
        json!(true),
        json!(-3),
        json!(99999999999u64),
        json!("{"),
        json!("{Region#[9]}"),
        json!([]),
        json!({}),
        json!({ "ref": "Flag" }),
        json!({ "fn": "not", "argv": [ { "ref": "Region" } ] }),
    ];
    let params = [
        Params::new(),
        Params::new().with("Region", "us-east-1"),
        Params::new().with("Region", "").with("Flag", true),
        Params::new().with("Region", "x"),
    ];
    let mut paths = Vec::new();
    collect_paths(&base, &mut Vec::new(), &mut paths);
    assert!(paths.len() > 50, "{}", paths.len());
    let mut parsed = 0;
    for path in &paths {
        for replacement in &replacements {
            let mut doc = base.clone();
            *node_mut(&mut doc, path) = replacement.clone();
            if let Ok(rules) = RuleSet::from_value(&doc) {
                parsed += 1;
                for p in &params {
                    let _ = rules.resolve(p);
                }
            }
        }
    }
    assert!(parsed > 0);
}

#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn collect_paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                prefix.push(Step::Key(k.clone()));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                collect_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'v>(mut v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    for step in path {
        v = match step {
            Step::Key(k) => &mut v[k.as_str()],
            Step::Index(i) => &mut v[*i],
        };
    }
    v
}

#[test]
fn known_types_are_checked_at_parse_time() {
    let cases = [
        (
            json!({ "fn": "not", "argv": [ { "ref": "Region" } ] }),
            "rules[0].conditions[0].argv[0]",
            "argument 1 of `not` must be a boolean, not a string",
        ),
        (
            json!({ "fn": "stringEquals", "argv": [ { "fn": "aws.partition", "argv": [ "x" ] }, "aws" ] }),
            "rules[0].conditions[0].argv[0]",
            "must be a string, not a partition",
        ),
        (
            json!({ "fn": "getAttr", "argv": [ { "fn": "aws.partition", "argv": [ "x" ] }, "dnsSufix" ] }),
            "rules[0].conditions[0].argv[1]",
            "a partition has no attribute `dnsSufix`",
        ),
        (
            json!({ "fn": "getAttr", "argv": [ { "ref": "Flag" }, "x" ] }),
            "rules[0].conditions[0].argv[1]",
            "cannot get attribute `x` of a boolean",
        ),
        (
            json!({ "fn": "substring", "argv": [ { "ref": "Region" }, "0", 1, false ] }),
            "rules[0].conditions[0].argv[1]",
            "must be an integer, not a string",
        ),
    ];
    for (condition, at, fragment) in cases {
        let (actual_at, message) = parse_error(with_rules(json!([
            { "type": "error", "conditions": [ condition ], "error": "x" }
        ])));
        assert_eq!(actual_at, at, "{message}");
        assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
    }
    let templates = [
        ("{Flag}", "inserts `Flag`, which is a boolean, not a string"),
        ("{p}", "inserts `p`, which is a partition, not a string"),
        ("{p#supportsFIPS}", "which is a boolean"),
        ("{p#dns}", "a partition has no attribute `dns`"),
        ("{u#scheme}{u#port}", "a parsed URL has no attribute `port`"),
        ("{arn#resourceId}", "an array of strings"),
        ("{arn#resourceId[0]}{arn#region[0]}", "cannot index [0] into a string"),
    ];
    for (template, fragment) in templates {
        let (at, message) = parse_error(with_rules(json!([
            { "type": "error",
              "conditions": [
                  { "fn": "aws.partition", "argv": [ "x" ], "assign": "p" },
                  { "fn": "parseURL", "argv": [ "x" ], "assign": "u" },
                  { "fn": "aws.parseArn", "argv": [ "x" ], "assign": "arn" }
              ],
              "error": template }
        ])));
        assert_eq!(at, "rules[0].error");
        assert!(message.contains(fragment), "{template}: {message:?} lacks {fragment:?}");
    }
}
