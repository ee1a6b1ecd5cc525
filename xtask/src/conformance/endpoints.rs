//! Endpoint rules-engine conformance: Smithy's rules-engine test services and the endpoint tests
//! of every published model in `../shared/models` (each case's `params` evaluated by
//! `awslim-endpoints`, whatever the model's protocol). Cases with `operationInputs` also run
//! through generated clients in the `models` suite.

use std::path::{Path, PathBuf};

use awslim_endpoints::testing::{case_id, run_test_case, service_rules};
use awslim_endpoints::{partitions, RuleSet};
use serde_json::Value as Json;

use super::Report;

/// Runs the endpoint suites against the reference data under `shared`.
pub fn run(shared: &Path) -> Vec<Report> {
    vec![
        model_suite("endpoint rules engine", &[shared.join("conformance/endpoints/rules-engine-tests.json")]),
        model_suite("published models' endpoint tests (rules engine)", &published_models(shared)),
        partitions_suite(&shared.join("conformance/endpoints/partitions.json")),
    ]
}

fn empty(name: &'static str) -> Report {
    Report { name, passed: 0, failed: Vec::new(), skipped: Vec::new() }
}

fn load(path: &Path) -> Result<Json, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The model files in `shared/models`, sorted.
fn published_models(shared: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared.join("models"))
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Every `endpointTests` case of every service in the models at `paths`, evaluated with that
/// service's own `endpointRuleSet`.
fn model_suite(name: &'static str, paths: &[PathBuf]) -> Report {
    let mut report = empty(name);
    for path in paths {
        match load(path) {
            Ok(model) => run_model(&model, &mut report),
            Err(e) => report.failed.push((path.display().to_string(), e)),
        }
    }
    if paths.is_empty() {
        report.failed.push((String::from(name), String::from("no model files found")));
    }
    report
}

fn run_model(model: &Json, report: &mut Report) {
    for service in service_rules(model) {
        let rule_set = match RuleSet::from_value(service.rule_set) {
            Ok(rule_set) => rule_set,
            Err(e) => {
                for (i, case) in service.test_cases.iter().enumerate() {
                    report.failed.push((case_id(service.shape_id, i, case), format!("rule set did not parse: {e}")));
                }
                if service.test_cases.is_empty() {
                    report.failed.push((service.shape_id.to_owned(), format!("rule set did not parse: {e}")));
                }
                continue;
            }
        };
        for (i, case) in service.test_cases.iter().enumerate() {
            match run_test_case(&rule_set, case) {
                Ok(()) => report.passed += 1,
                Err(reason) => report.failed.push((case_id(service.shape_id, i, case), reason)),
            }
        }
    }
}

/// Our hand-written partitions table against the published `partitions.json`: ids, region
/// lists, region patterns and outputs.
fn partitions_suite(path: &Path) -> Report {
    let mut report = empty("partitions table");
    let doc = match load(path) {
        Ok(doc) => doc,
        Err(e) => {
            report.failed.push((path.display().to_string(), e));
            return report;
        }
    };
    let published = doc.get("partitions").and_then(Json::as_array).map_or(&[][..], Vec::as_slice);
    for p in published {
        let id = p.get("id").and_then(Json::as_str).unwrap_or("?").to_owned();
        let Some(ours) = partitions::PARTITIONS.iter().find(|q| q.id == id) else {
            report.failed.push((id, String::from("missing from our table")));
            continue;
        };
        let mut problems = Vec::new();
        let regex = p.get("regionRegex").and_then(Json::as_str).unwrap_or("");
        if normalize_regex(regex) != normalize_regex(&ours.region_pattern.to_string()) {
            problems.push(format!("regionRegex {regex:?} vs ours {}", ours.region_pattern));
        }
        let mut regions: Vec<&str> = p
            .get("regions")
            .and_then(Json::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let mut our_regions = ours.regions.to_vec();
        regions.sort_unstable();
        our_regions.sort_unstable();
        if regions != our_regions {
            problems.push(format!("regions {regions:?} vs ours {our_regions:?}"));
        }
        let out = p.get("outputs");
        let s = |k: &str| out.and_then(|o| o.get(k)).and_then(Json::as_str);
        let b = |k: &str| out.and_then(|o| o.get(k)).and_then(Json::as_bool);
        let info = &ours.info;
        let checks = [
            ("name", s("name") == Some(info.name)),
            ("dnsSuffix", s("dnsSuffix") == Some(info.dns_suffix)),
            ("dualStackDnsSuffix", s("dualStackDnsSuffix") == Some(info.dual_stack_dns_suffix)),
            ("supportsFIPS", b("supportsFIPS") == Some(info.supports_fips)),
            ("supportsDualStack", b("supportsDualStack") == Some(info.supports_dual_stack)),
            ("implicitGlobalRegion", s("implicitGlobalRegion") == Some(info.implicit_global_region)),
        ];
        for (field, ok) in checks {
            if !ok {
                problems.push(format!("outputs.{field} differs"));
            }
        }
        if problems.is_empty() {
            report.passed += 1;
        } else {
            report.failed.push((id, problems.join("; ")));
        }
    }
    for ours in partitions::PARTITIONS {
        if !published.iter().any(|p| p.get("id").and_then(Json::as_str) == Some(ours.id)) {
            report.failed.push((ours.id.to_owned(), String::from("in our table but not in partitions.json")));
        }
    }
    report
}

/// `\-` and `-` mean the same outside a character class; `(de)` and `de` match the same.
fn normalize_regex(r: &str) -> String {
    let r = r.replace("\\-", "-");
    // Drop parentheses around a single alternative.
    let mut out = String::with_capacity(r.len());
    let mut rest = r.as_str();
    while let Some(i) = rest.find('(') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(')') {
            Some(j) if !after[..j].contains('|') => {
                out.push_str(&after[..j]);
                rest = &after[j + 1..];
            }
            _ => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
